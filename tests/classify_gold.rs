//! Whole-component check of region and topic assignment against the hand
//! annotations in tests/fixtures/gold (two seeds): cuts each annotated
//! article out of its seed, classifies it and prints an agreement table.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use folio::classify::gazetteer::Gazetteer;
use folio::classify::regions::{ArticleText, assign_regions_with_byline};
use folio::classify::topics::{TopicClassifier, default_topics};
use serde_json::Value;

/// Text with all whitespace removed, plus for each kept char its byte offset in the original.
fn compact_with_map(s: &str) -> (String, Vec<usize>) {
    let mut out = String::new();
    let mut map = Vec::new();
    for (i, c) in s.char_indices() {
        if !c.is_whitespace() {
            for _ in 0..c.len_utf8() {
                map.push(i);
            }
            out.push(c);
        }
    }
    (out, map)
}

fn strip_ws(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The body between body_start and body_end, as paragraphs with layout spaces removed.
fn cut_body(seed: &str, start: &str, end: &str) -> Option<String> {
    let (compact, map) = compact_with_map(seed);
    let (start, end) = (strip_ws(start), strip_ws(end));
    let s = compact.find(&start)?;
    let e = s + compact[s..].find(&end)? + end.len();
    let last = map[e - 1];
    let last_len = seed[last..].chars().next().map_or(1, char::len_utf8);
    let raw = &seed[map[s]..last + last_len];
    let paras: Vec<String> = raw
        .lines()
        .map(strip_ws)
        .filter(|l| !l.is_empty())
        .collect();
    Some(paras.join("\n\n"))
}

fn text_field(a: &Value, k: &str) -> String {
    a[k].as_str().unwrap_or("").to_string()
}

#[test]
fn gold_agreement() {
    let gz = Gazetteer::builtin();
    let topics = TopicClassifier::new(&default_topics());
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut gold_files: Vec<_> = fs::read_dir(dir.join("tests/fixtures/gold"))
        .unwrap_or_else(|e| panic!("gold dir: {e}"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    gold_files.sort();
    let (mut n, mut exact, mut overlap_sum, mut violations, mut topic_first, mut topic_overlap) =
        (0, 0, 0.0, 0, 0, 0.0);
    println!(
        "{:<12} {:<32} {:<48} {:<5} {:<48} topics ours",
        "article", "gold prefectures", "our regions", "ok", "topics gold"
    );
    for path in gold_files {
        let gold: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap_or_default())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let seed_name = gold["seed"].as_str().unwrap_or_default();
        let seed = fs::read_to_string(dir.join("seeds").join(seed_name))
            .unwrap_or_else(|e| panic!("{seed_name}: {e}"));
        for a in gold["articles"].as_array().into_iter().flatten() {
            let body = cut_body(
                &seed,
                a["body_start"].as_str().unwrap_or(""),
                a["body_end"].as_str().unwrap_or(""),
            )
            .unwrap_or_else(|| panic!("{seed_name} article {}: body not found", a["order"]));
            let (title, kicker, subtitle, column) = (
                text_field(a, "title"),
                text_field(a, "kicker"),
                text_field(a, "subtitle"),
                text_field(a, "column"),
            );
            let text = ArticleText {
                title: &title,
                kicker: &kicker,
                subtitle: &subtitle,
                column: &column,
                body: &body,
            };
            let mut byline: Vec<String> = a["authors"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(String::from))
                .collect();
            byline.push(text_field(a, "author_affiliation"));
            let regions = assign_regions_with_byline(gz, "湖南省", &text, &byline.join(" "));
            let ours: BTreeSet<String> = regions
                .iter()
                .filter_map(|p| gz.by_path(p))
                .filter_map(|id| gz.prefecture_of(id))
                .map(|id| gz.get(id).name.clone())
                .collect();
            let want: BTreeSet<String> = a["prefectures"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(String::from))
                .collect();
            let inter = ours.intersection(&want).count() as f64;
            let union = ours.union(&want).count() as f64;
            let ok = ours == want;
            n += 1;
            exact += usize::from(ok);
            overlap_sum += if union == 0.0 { 1.0 } else { inter / union };
            let extra: Vec<&String> = ours.difference(&want).collect();
            if !extra.is_empty() {
                violations += 1;
                println!(
                    "  VIOLATION {seed_name}#{}: assigned {extra:?} not in gold",
                    a["order"]
                );
            }
            let got_topics = topics.assign(&text);
            let want_topics: Vec<String> = a["topics"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(String::from))
                .collect();
            topic_first += usize::from(got_topics.first() == want_topics.first());
            let ts: BTreeSet<&String> = got_topics.iter().collect();
            let tw: BTreeSet<&String> = want_topics.iter().collect();
            topic_overlap +=
                ts.intersection(&tw).count() as f64 / ts.union(&tw).count().max(1) as f64;
            let id = format!("{}#{}", &seed_name[..3], a["order"]);
            let (want_s, regions_s, wt_s) = (
                format!("{want:?}"),
                format!("{regions:?}"),
                format!("{want_topics:?}"),
            );
            println!("{id:<12} {want_s:<32} {regions_s:<48} {ok:<5} {wt_s:<48} {got_topics:?}");
        }
    }
    let pct = |x: f64| 100.0 * x / n as f64;
    println!(
        "articles {n}: prefecture exact {exact} ({:.1}%), mean Jaccard {:.1}%, violations {violations}; \
         topic first {topic_first} ({:.1}%), topic Jaccard {:.1}%",
        pct(exact as f64),
        pct(overlap_sum),
        pct(topic_first as f64),
        pct(topic_overlap)
    );
    assert!(
        exact as f64 >= 0.85 * n as f64,
        "prefecture agreement {exact}/{n} below 85%"
    );
}
