//! Robustness: `parse_page` never panics and stays fast on hostile input —
//! empty text, only banners, one 1 MB line, random bytes decoded lossily,
//! pages without headlines, pages without blank lines, and seed lines shuffled
//! by a deterministic pseudo-random generator.

use folio::ingest::{decode, explain, parse_page};
use std::time::Instant;

/// Small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn seed_lines() -> Vec<String> {
    let mut lines = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir("seeds")
        .expect("seeds")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    paths.sort();
    for p in paths {
        let text = decode(&std::fs::read(p).expect("read"), false).expect("utf8");
        lines.extend(text.lines().map(str::to_string));
    }
    lines
}

#[test]
fn empty_and_trivial_pages() {
    for text in [
        "",
        "\n",
        "\n\n\n",
        " ",
        "　",
        "#",
        "## ",
        "（",
        "——",
        "▲ ▲（上接1版①）",
    ] {
        let page = parse_page(text);
        let _ = explain(text, 1);
        assert!(
            page.stories
                .iter()
                .all(|s| !s.body.is_empty() || !s.title.is_empty())
        );
    }
}

#[test]
fn only_banners() {
    let page = parse_page("实干担当·娄星篇\n\n## 生命·周刊\n\n责任编辑:王建设\n");
    assert!(page.stories.is_empty());
    assert_eq!(page.unplaced.len(), 3);
}

#[test]
fn one_megabyte_line() {
    let line: String = "走 进 保 靖 岳阳，1,000 元(2.63) ".repeat(40_000);
    assert!(line.len() > 1_000_000);
    let start = Instant::now();
    let page = parse_page(&line);
    assert_eq!(page.stories.len(), 1);
    let heading = format!("# {}", "洞庭碧波连酉水".repeat(50_000));
    let _ = parse_page(&heading);
    assert!(
        start.elapsed().as_secs() < 20,
        "too slow: {:?}",
        start.elapsed()
    );
}

#[test]
fn random_bytes_decoded_lossily() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let alphabet: Vec<char> = "洞庭碧波连酉水，。“”（）——·▲ \n\n#：:(),1234摄提供记者/"
        .chars()
        .collect();
    for round in 0..120 {
        let len = rng.below(2000);
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let _ = parse_page(&text);
        let chars: String = (0..len)
            .map(|_| alphabet[rng.below(alphabet.len())])
            .collect();
        let page = parse_page(&chars);
        let _ = explain(&chars, round % 50 + 1);
        assert!(page.stories.iter().all(|s| s.lines.0 <= s.lines.1));
    }
}

#[test]
fn page_without_headline() {
    let text = "近日，某县召开会议，部署下一阶段工作。\n\n会议强调，要切实做好各项准备。\n";
    let page = parse_page(text);
    assert_eq!(page.stories.len(), 1);
    assert_eq!(page.stories[0].title, "");
    assert!(page.stories[0].review.contains(&"no-headline".to_string()));
    assert!(
        page.warnings
            .iter()
            .any(|w| w.message.contains("no headline"))
    );
}

#[test]
fn shuffled_seed_lines_never_panic() {
    let lines = seed_lines();
    let mut rng = Rng(42);
    for _ in 0..60 {
        let n = 20 + rng.below(300);
        let sep = if rng.below(3) == 0 { "\n" } else { "\n\n" };
        let page: Vec<&str> = (0..n)
            .map(|_| lines[rng.below(lines.len())].as_str())
            .collect();
        let text = page.join(sep);
        let parsed = parse_page(&text);
        for s in &parsed.stories {
            assert!(s.lines.0 >= 1 && s.lines.1 <= text.lines().count() + 1);
        }
    }
}
