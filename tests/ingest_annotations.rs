//! The issue's measurement (same metrics as `ingest_gold.rs`) over the TEAM'S
//! OWN annotations, which are not the official gold:
//! - seeds 002, 003, 004 annotated by reading (`tests/fixtures/ingest/annotations/`);
//! - pages typeset from articles written for the tests, in all three layouts
//!   (`tests/fixtures/ingest/new/`, made by `make_new_pages.py` there), which
//!   the rules never saw while they were tuned.
//!
//! Articles found (F1; an article counts when its body start and end match),
//! then per matched article: title, kicker+subtitle, authors, sections,
//! captions, continuation. Every miss is printed; the issue's targets are
//! asserted. Also: no space left between two CJK characters, no doubled title.

use folio::ingest::{Page, Story, decode, parse_page};
use serde_json::Value;

mod ingest_support;
use ingest_support::*;

#[derive(Default, Debug)]
struct Score {
    gold: usize,
    found: usize,
    matched: usize,
    title: usize,
    kicker_subtitle: usize,
    authors: usize,
    sections: usize,
    captions: usize,
    continuation: usize,
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{9fff}' | '\u{f900}'..='\u{faff}')
}

/// Body paragraphs and captions with a space between two CJK characters
/// (headlines and section heads may keep a deliberate separator space).
fn cjk_spaces(s: &Story) -> Vec<String> {
    let mut fields: Vec<String> = s
        .body
        .split("\n\n")
        .filter(|p| !p.starts_with("## "))
        .map(str::to_string)
        .collect();
    fields.extend(s.captions.iter().cloned());
    fields
        .into_iter()
        .filter(|f| {
            let c: Vec<char> = f.chars().collect();
            c.windows(3)
                .any(|w| is_cjk(w[0]) && w[1] == ' ' && is_cjk(w[2]))
        })
        .collect()
}

/// Some run of 4+ characters printed twice in a row ("涟源篇涟源篇").
fn doubled(t: &str) -> bool {
    let c: Vec<char> = t.chars().filter(|c| !c.is_whitespace()).collect();
    (4..=c.len() / 2)
        .any(|len| (0..=c.len() - 2 * len).any(|i| c[i..i + len] == c[i + len..i + 2 * len]))
}

fn score_page(label: &str, page: &Page, ann: &Value, score: &mut Score) {
    let articles = ann["articles"].as_array().expect("articles");
    score.gold += articles.len();
    score.found += page.stories.len();
    for s in &page.stories {
        assert!(
            cjk_spaces(s).is_empty(),
            "{label}: CJK spaces left: {:?}",
            cjk_spaces(s)
        );
        let mut heads = vec![s.title.clone()];
        heads.extend(s.kicker.clone());
        heads.extend(s.subtitle.clone());
        heads.extend(s.column.clone());
        heads.extend(sections(s));
        for h in heads {
            assert!(!doubled(&h), "{label}: doubled headline text {h:?}");
        }
    }
    for g in articles {
        let Some(s) = page.stories.iter().find(|s| matches(s, g)) else {
            println!(
                "{label}: MISSED article {}: {:?}",
                g["order"], g["body_start"]
            );
            continue;
        };
        score.matched += 1;
        let n = &g["order"];
        let field = |name: &str, ok: bool, got: String, want: String| {
            if !ok {
                println!("{label} #{n}: {name}: got {got} want {want}");
            }
            usize::from(ok)
        };
        let title = opt(&g["title"]).unwrap_or_default();
        score.title += field(
            "title",
            s.title == title,
            format!("{:?}", s.title),
            format!("{title:?}"),
        );
        let (k, sub) = (opt(&g["kicker"]), opt(&g["subtitle"]));
        score.kicker_subtitle += field(
            "kicker/subtitle",
            s.kicker == k && s.subtitle == sub,
            format!("{:?}/{:?}", s.kicker, s.subtitle),
            format!("{k:?}/{sub:?}"),
        );
        let authors = strings(&g["authors"]);
        score.authors += field(
            "authors",
            s.authors == authors,
            format!("{:?}", s.authors),
            format!("{authors:?}"),
        );
        let secs = strings(&g["sections"]);
        let got = sections(s);
        score.sections += field(
            "sections",
            got == secs,
            format!("{got:?}"),
            format!("{secs:?}"),
        );
        let caps = strings(&g["captions"]);
        score.captions += field(
            "captions",
            s.captions == caps,
            format!("{:?}", s.captions),
            format!("{caps:?}"),
        );
        let cont = g["continuation"].as_bool().unwrap_or(false);
        score.continuation += field(
            "continuation",
            s.continuation == cont,
            format!("{}", s.continuation),
            format!("{cont}"),
        );
    }
}

fn report_and_check(what: &str, score: &Score) {
    let p = ratio(score.matched, score.found);
    let r = ratio(score.matched, score.gold);
    let f1 = if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    };
    let m = score.matched;
    let (title, ks, authors, sections) = (
        ratio(score.title, m),
        ratio(score.kicker_subtitle, m),
        ratio(score.authors, m),
        ratio(score.sections, m),
    );
    println!(
        "{what}: articles gold {} found {} matched {m} F1={f1:.3} title={title:.3} kicker/subtitle={ks:.3} authors={authors:.3} sections={sections:.3} captions={:.3} continuation={:.3}",
        score.gold,
        score.found,
        ratio(score.captions, m),
        ratio(score.continuation, m)
    );
    assert!(f1 >= 0.95, "{what}: article F1 {f1:.3} < 0.95");
    assert!(title >= 0.90, "{what}: titles {title:.3} < 0.90");
    assert!(ks >= 0.85, "{what}: kickers/subtitles {ks:.3} < 0.85");
    assert!(authors >= 0.90, "{what}: authors {authors:.3} < 0.90");
    assert!(sections >= 0.85, "{what}: sections {sections:.3} < 0.85");
    assert_eq!(score.continuation, m, "{what}: continuation flags");
}

fn load(path: &str) -> Page {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    parse_page(&decode(&bytes, false).expect("UTF-8"))
}

fn annotation(path: &str) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let v: Value = serde_json::from_str(&text).expect("annotation JSON");
    assert!(
        v["annotator"].as_str().is_some_and(|a| a.contains("NOT")),
        "{path}: team annotations must say they are not the official gold"
    );
    v
}

#[test]
fn team_annotated_seeds_meet_the_issue_targets() {
    let mut score = Score::default();
    for name in [
        "002_079d793a3125e5cb",
        "003_cab917b2aac53aaa",
        "004_a7e1f55fe3067108",
    ] {
        let ann = annotation(&format!("tests/fixtures/ingest/annotations/{name}.json"));
        let page = load(&format!("seeds/{name}.txt"));
        score_page(name, &page, &ann, &mut score);
    }
    report_and_check("seeds 002-004 (team annotations)", &score);
}

#[test]
fn unseen_pages_in_three_layouts_meet_the_issue_targets() {
    let mut total = Score::default();
    for name in [
        "column_new",
        "paragraph_new",
        "markdown_new",
        "column_new2",
        "paragraph_new2",
        "markdown_new2",
        "column_new3",
        "paragraph_new3",
        "paragraph_new4",
        "markdown_new5",
        "column_new5",
        "paragraph_new6",
    ] {
        let mut score = Score::default();
        let ann = annotation(&format!("tests/fixtures/ingest/new/{name}.json"));
        let page = load(&format!("tests/fixtures/ingest/new/{name}.txt"));
        score_page(name, &page, &ann, &mut score);
        score_page(name, &page, &ann, &mut total);
        let m = score.matched;
        println!(
            "{name}: gold {} found {} matched {m} title {}/{m} k/s {}/{m} authors {}/{m} sections {}/{m}",
            score.gold,
            score.found,
            score.title,
            score.kicker_subtitle,
            score.authors,
            score.sections
        );
    }
    report_and_check("unseen pages", &total);
}
