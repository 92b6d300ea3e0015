//! Shared helpers of the ingest measurement tests: scoring stories against
//! annotations (`ingest_gold.rs`, `ingest_annotations.rs`) and the no-loss
//! character accounting (`ingest_no_loss.rs`, `reliability_fuzz.rs`).
#![allow(dead_code)]

use folio::ingest::{Page, Story};
use serde_json::Value;
use std::collections::BTreeMap;

pub fn compact(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Body text without section headings, spaces removed.
pub fn body_text(story: &Story) -> String {
    story
        .body
        .split("\n\n")
        .filter(|p| !p.starts_with("## "))
        .map(compact)
        .collect()
}

pub fn sections(story: &Story) -> Vec<String> {
    story
        .body
        .split("\n\n")
        .filter_map(|p| p.strip_prefix("## "))
        .map(str::to_string)
        .collect()
}

pub fn opt(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

pub fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

pub fn matches(story: &Story, gold: &Value) -> bool {
    let body = body_text(story);
    let start = compact(gold["body_start"].as_str().unwrap_or(""));
    let end = compact(gold["body_end"].as_str().unwrap_or(""));
    !start.is_empty() && body.starts_with(&start) && body.ends_with(&end)
}

pub fn ratio(n: usize, d: usize) -> f64 {
    if d == 0 { 1.0 } else { n as f64 / d as f64 }
}

pub fn canon(c: char) -> Option<char> {
    // Markdown markup is not text: heading marks, and emphasis markers around a whole line.
    // So are the hard line breaks (`\` at a line's end) that keep a poem's lines apart.
    if c.is_whitespace() || c == '\u{3000}' || c == '#' || c == '*' || c == '_' || c == '\\' {
        return None;
    }
    Some(match c {
        ',' => '，',
        ':' => '：',
        ';' => '；',
        '(' => '（',
        ')' => '）',
        '!' => '！',
        '?' => '？',
        '.' => '。',
        '"' | '”' => '“',
        // Ingest writes full-width digits and Latin letters as ASCII.
        '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' => {
            char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
        }
        other => other,
    })
}

pub fn count(into: &mut BTreeMap<char, i64>, s: &str, sign: i64) {
    for c in s.chars().filter_map(canon) {
        *into.entry(c).or_default() += sign;
    }
}

/// Characters of the page minus characters of the output (each story's title,
/// kicker, subtitle, credits, captions and body, plus `unplaced` and
/// `removed`); empty when the accounting contract of `ingest` holds.
pub fn imbalance(text: &str, page: &Page) -> BTreeMap<char, i64> {
    let mut m = BTreeMap::new();
    count(&mut m, text, 1);
    for s in &page.stories {
        for t in [&s.title, &s.body]
            .into_iter()
            .chain(s.kicker.iter())
            .chain(s.subtitle.iter())
            .chain(s.credits.iter())
            .chain(s.captions.iter())
        {
            count(&mut m, t, -1);
        }
    }
    for u in page.unplaced.iter().chain(page.removed.iter()) {
        count(&mut m, &u.text, -1);
    }
    m.retain(|_, v| *v != 0);
    m
}
