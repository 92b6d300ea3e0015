//! Developer aid: print what ingest makes of every seed (`cargo test --test
//! ingest_dump -- --ignored --nocapture`). Ignored in normal runs.

use folio::ingest::{decode, parse_page};

#[test]
#[ignore]
fn dump_seeds() {
    let only = std::env::var("SEED").unwrap_or_default();
    let mut paths: Vec<_> =
        std::fs::read_dir(std::env::var("DIR").unwrap_or_else(|_| "seeds".into()))
            .expect("seeds dir")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "txt"))
            .filter(|p| p.to_string_lossy().contains(&only))
            .collect();
    paths.sort();
    for p in paths {
        let text = decode(&std::fs::read(&p).expect("read"), false).expect("utf8");
        let page = parse_page(&text);
        println!("=================== {} date={:?}", p.display(), page.date);
        for (k, s) in page.stories.iter().enumerate() {
            let body: Vec<&str> = s.body.split("\n\n").collect();
            let sections: Vec<&&str> = body.iter().filter(|p| p.starts_with("## ")).collect();
            let first = body
                .iter()
                .find(|p| !p.starts_with("## "))
                .copied()
                .unwrap_or("");
            let last = body
                .iter()
                .rev()
                .find(|p| !p.starts_with("## "))
                .copied()
                .unwrap_or("");
            println!(
                "#{} lines {:?} cont={} title={:?} kicker={:?} sub={:?} authors={:?} aff={:?} col={:?} review={:?}",
                k + 1,
                s.lines,
                s.continuation,
                s.title,
                s.kicker,
                s.subtitle,
                s.authors,
                s.author_affiliation,
                s.column,
                s.review
            );
            println!("   credits={:?} captions={:?}", s.credits, s.captions);
            println!("   sections={sections:?}");
            println!("   start={:?}", first.chars().take(20).collect::<String>());
            let n = last.chars().count();
            println!(
                "   end={:?}",
                last.chars().skip(n.saturating_sub(20)).collect::<String>()
            );
        }
        for u in &page.unplaced {
            println!("   UNPLACED {} {:?} ({})", u.line, u.text, u.reason);
        }
        for w in &page.warnings {
            println!("   WARN {} {}", w.line, w.message);
        }
    }
}

#[test]
#[ignore]
fn explain_line() {
    let seed = std::env::var("SEED").unwrap_or_default();
    let line: usize = std::env::var("LINE")
        .ok()
        .and_then(|l| l.parse().ok())
        .unwrap_or(1);
    let mut paths: Vec<_> =
        std::fs::read_dir(std::env::var("DIR").unwrap_or_else(|_| "seeds".into()))
            .expect("seeds dir")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.to_string_lossy().contains(&seed))
            .collect();
    paths.sort();
    let text = decode(&std::fs::read(&paths[0]).expect("read"), false).expect("utf8");
    println!("{}", folio::ingest::explain(&text, line));
}

#[test]
#[ignore]
fn dump_bodies() {
    let seed = std::env::var("SEED").unwrap_or_default();
    let dir = std::env::var("DIR").unwrap_or_else(|_| "seeds".into());
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .expect("dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().contains(&seed))
        .collect();
    paths.sort();
    let text = decode(&std::fs::read(&paths[0]).expect("read"), false).expect("utf8");
    for s in parse_page(&text).stories {
        println!("----- {:?} {:?}\n{}", s.title, s.lines, s.body);
    }
}
