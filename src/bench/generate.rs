//! Generates realistic synthetic archives for benchmarks (`folio bench-gen`).
//!
//! N articles in the real front-matter format, with Chinese bodies assembled
//! from the sentences of the project's seed pages, regions spread over Hunan's
//! prefectures and counties, the topic vocabulary, and dates across 1950–2025.
//! Deterministic for a given seed number. Writes only under the folder it is
//! given; never touches a real site's content.

use std::fs;
use std::io;
use std::path::Path;

use crate::classify::gazetteer::{Gazetteer, Level};
use crate::classify::topics::default_topics;
use crate::content::front_matter::{self, Date, DateSource, FrontMatter};

/// A small deterministic PRNG (SplitMix64): benchmarks must be reproducible.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
}

/// Splits page text into sentences (ending in 。！？), spaces between CJK removed.
pub fn sentences(text: &str) -> Vec<String> {
    let mut joined = String::new();
    for line in text.lines() {
        let line = line.trim().trim_start_matches('#').trim();
        for ch in line.chars() {
            if ch != ' ' && ch != '\u{3000}' {
                joined.push(ch);
            }
        }
    }
    let mut out = Vec::new();
    let mut cur = String::new();
    for ch in joined.chars() {
        cur.push(ch);
        if matches!(ch, '。' | '！' | '？') {
            let s = std::mem::take(&mut cur);
            let n = s.chars().count();
            if (8..=120).contains(&n) {
                out.push(s);
            }
        }
    }
    out
}

/// Writes a site with `n` generated articles to `out` (site.toml + content/).
/// `corpus` is the text the sentences come from (the seed pages).
pub fn generate(out: &Path, n: usize, seed: u64, corpus: &str) -> io::Result<()> {
    let sents = sentences(corpus);
    if sents.is_empty() {
        return Err(io::Error::other(
            "no sentences in the corpus to build articles from",
        ));
    }
    let gz = Gazetteer::builtin();
    let hunan = gz
        .by_path("湖南省")
        .ok_or_else(|| io::Error::other("gazetteer lacks 湖南省"))?;
    let prefectures: Vec<_> = gz.get(hunan).children.clone();
    let topics = default_topics();
    fs::create_dir_all(out.join("content"))?;
    fs::write(
        out.join("site.toml"),
        "title = \"Folio 基准档案\"\nbase_url = \"https://bench.example.org/\"\n",
    )?;
    let mut rng = Rng::new(seed);
    for i in 0..n {
        let year = 1950 + rng.below(76) as i32;
        let month = 1 + rng.below(12) as u32;
        let day = 1 + rng.below(28) as u32;
        let pref = prefectures[rng.below(prefectures.len())];
        let pdiv = gz.get(pref);
        let region = if !pdiv.children.is_empty() && rng.below(3) > 0 {
            pdiv.children[rng.below(pdiv.children.len())]
        } else {
            pref
        };
        let rdiv = gz.get(region);
        let ntopics = 1 + rng.below(3);
        let mut tslugs: Vec<String> = Vec::new();
        while tslugs.len() < ntopics {
            let t = &topics[rng.below(topics.len())].slug;
            if !tslugs.contains(t) {
                tslugs.push(t.clone());
            }
        }
        let paras = 6 + rng.below(10);
        let mut body = String::new();
        for p in 0..paras {
            if p > 0 && p % 4 == 0 && rng.below(2) == 0 {
                let head: String = sents[rng.below(sents.len())].chars().take(12).collect();
                body.push_str(&format!(
                    "## {}\n\n",
                    head.trim_end_matches(['，', '。', '、'])
                ));
            }
            let k = 2 + rng.below(4);
            for j in 0..k {
                if p == 0 && j == 0 {
                    body.push_str(&format!("{}讯 ", short(&rdiv.name, rdiv.level)));
                }
                body.push_str(&sents[rng.below(sents.len())]);
            }
            body.push_str("\n\n");
        }
        let title_src = &sents[rng.below(sents.len())];
        let title: String = title_src
            .chars()
            .take(8 + rng.below(12))
            .collect::<String>()
            .trim_end_matches(['，', '。', '、', '“', '”'])
            .to_string();
        let fm = FrontMatter {
            title: format!("{}{}", short(&rdiv.name, rdiv.level), title),
            authors: vec![
                ["王", "李", "张", "刘", "陈", "杨"][rng.below(6)].to_string()
                    + ["华", "明", "丽", "军", "芳"][rng.below(5)],
            ],
            date: Date::new(year, month, day),
            date_source: Some(DateSource::Manifest),
            regions: vec![rdiv.path.clone()],
            topics: tslugs,
            ..Default::default()
        };
        let rel = format!("content/{year}/{month:02}/{i:07}.md");
        let path = out.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(path, front_matter::write(&fm, &body))?;
    }
    Ok(())
}

fn short(name: &str, level: Level) -> &str {
    match level {
        Level::County | Level::Prefecture => name
            .strip_suffix("市")
            .or_else(|| name.strip_suffix("县"))
            .or_else(|| name.strip_suffix("区"))
            .unwrap_or(name),
        Level::Province => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_are_joined_across_column_lines() {
        let s = sentences("走 进 保 靖，\n\n看到一派新景象。短。\n第二句话很长很长很长！");
        assert_eq!(
            s,
            vec!["走进保靖，看到一派新景象。", "第二句话很长很长很长！"]
        );
    }

    #[test]
    fn generation_is_deterministic_and_loadable() {
        let corpus = "这是第一句测试用的句子。这是第二句测试用的句子！这是第三句测试用的句子？";
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        generate(a.path(), 30, 7, corpus).unwrap();
        generate(b.path(), 30, 7, corpus).unwrap();
        let list = |d: &Path| {
            let mut v: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(d)
                .sort_by_file_name()
                .into_iter()
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_file())
                .map(|e| {
                    (
                        e.path().strip_prefix(d).unwrap().display().to_string(),
                        fs::read(e.path()).unwrap(),
                    )
                })
                .collect();
            v.sort();
            v
        };
        assert_eq!(list(a.path()), list(b.path()));
        let none = |_: &FrontMatter| Vec::new();
        let (arts, errs) =
            crate::content::load(&a.path().join("content"), Default::default(), &none);
        assert!(errs.is_empty(), "{errs:?}");
        assert_eq!(arts.len(), 30);
        assert!(
            arts.iter()
                .all(|a| a.meta.regions[0].starts_with("湖南省/"))
        );
    }
}
