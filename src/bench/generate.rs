//! Generates realistic synthetic archives for benchmarks (`folio bench-gen`).
//!
//! N articles in the real front-matter format, with Chinese bodies assembled
//! from the sentences of the project's seed pages, regions spread over Hunan's
//! prefectures and counties, the topic vocabulary, and dates across 1950–2025.
//! Place names of Hunan's prefectures and counties found in a seed sentence
//! (full, short or base form: "保靖县", "保靖", "湘西州", "湘西") are replaced by
//! the article's own region or a neighbour of it, so a county's name occurs in
//! about as many articles as a real county's would, not in every article that
//! drew a seed sentence mentioning it. Deterministic for a given seed number.
//! Writes only under the folder it is given; never touches a real site's content.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::Path;

use crate::classify::gazetteer::{DivisionId, Gazetteer, Level};
use crate::classify::names::split_name;
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

/// How a place name is written in a sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    /// Official name: "保靖县", "湘西土家族苗族自治州".
    Full,
    /// Display short name: "保靖", "湘西州".
    Short,
    /// Base without kind suffix when it differs from the short name: "湘西".
    Base,
}

/// A place name found in a sentence: byte range, division and form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Mention {
    start: usize,
    end: usize,
    div: DivisionId,
    form: Form,
}

/// `div`'s name written in `form`.
fn written(gz: &Gazetteer, div: DivisionId, form: Form) -> String {
    let d = gz.get(div);
    match form {
        Form::Full => d.name.clone(),
        Form::Short => d.short_name.clone(),
        Form::Base => {
            let base = split_name(&d.name).base;
            if base.chars().count() >= 2 {
                base
            } else {
                d.short_name.clone()
            }
        }
    }
}

/// The place names of `province`'s prefectures and counties (two characters or more) and
/// what they name; where two divisions share a form, the prefecture (then the lower code)
/// keeps it.
struct PlaceNames {
    names: HashMap<String, (DivisionId, Form)>,
    /// Longest name in characters.
    longest: usize,
}

impl PlaceNames {
    fn new(gz: &Gazetteer, province: DivisionId) -> PlaceNames {
        let mut names = HashMap::new();
        let prefectures = &gz.get(province).children;
        let counties = prefectures.iter().flat_map(|&p| gz.get(p).children.iter());
        for &div in prefectures.iter().chain(counties) {
            for form in [Form::Full, Form::Short, Form::Base] {
                let name = written(gz, div, form);
                if name.chars().count() >= 2 {
                    names.entry(name).or_insert((div, form));
                }
            }
        }
        let longest = names.keys().map(|n| n.chars().count()).max().unwrap_or(0);
        PlaceNames { names, longest }
    }

    /// The place names in `sentence`, left to right, longest match first.
    fn find(&self, sentence: &str) -> Vec<Mention> {
        let starts: Vec<usize> = sentence
            .char_indices()
            .map(|(i, _)| i)
            .chain([sentence.len()])
            .collect();
        let mut out = Vec::new();
        let mut i = 0;
        while i + 1 < starts.len() {
            let found = (2..=self.longest.min(starts.len() - 1 - i))
                .rev()
                .find_map(|len| {
                    let end = starts[i + len];
                    self.names
                        .get(&sentence[starts[i]..end])
                        .map(|&(div, form)| (len, end, div, form))
                });
            match found {
                Some((len, end, div, form)) => {
                    out.push(Mention {
                        start: starts[i],
                        end,
                        div,
                        form,
                    });
                    i += len;
                }
                None => i += 1,
            }
        }
        out
    }
}

/// A seed sentence with the place names it mentions.
struct Sentence {
    text: String,
    mentions: Vec<Mention>,
}

/// `s` with its place names moved to the article's region: the first prefecture it names
/// becomes the article's prefecture and the first county the article's county (or, for an
/// article about a whole prefecture, one of its counties); further distinct places become
/// other prefectures of the province or other counties of the article's prefecture.
fn localize(
    gz: &Gazetteer,
    s: &Sentence,
    prefectures: &[DivisionId],
    home: DivisionId,
    rng: &mut Rng,
) -> String {
    if s.mentions.is_empty() {
        return s.text.clone();
    }
    let home_pref = gz.prefecture_of(home).unwrap_or(home);
    let counties = &gz.get(home_pref).children;
    let home_county = (gz.get(home).level == Level::County).then_some(home);
    let mut map: Vec<(DivisionId, DivisionId)> = Vec::new();
    let mut out = String::with_capacity(s.text.len());
    let mut at = 0;
    for m in &s.mentions {
        let target = match map.iter().find(|(from, _)| *from == m.div) {
            Some(&(_, to)) => to,
            None => {
                let is_pref = gz.get(m.div).level == Level::Prefecture;
                let first = !map
                    .iter()
                    .any(|(from, _)| (gz.get(*from).level == Level::Prefecture) == is_pref);
                let to = match (is_pref, first) {
                    (true, true) => home_pref,
                    (true, false) => prefectures[rng.below(prefectures.len())],
                    (false, true) if home_county.is_some() => home,
                    (false, _) if !counties.is_empty() => counties[rng.below(counties.len())],
                    (false, _) => home_pref,
                };
                map.push((m.div, to));
                to
            }
        };
        out.push_str(&s.text[at..m.start]);
        out.push_str(&written(gz, target, m.form));
        at = m.end;
    }
    out.push_str(&s.text[at..]);
    out
}

/// Writes a site with `n` generated articles to `out` (site.toml + content/).
/// `corpus` is the text the sentences come from (the seed pages).
pub fn generate(out: &Path, n: usize, seed: u64, corpus: &str) -> io::Result<()> {
    let texts = sentences(corpus);
    if texts.is_empty() {
        return Err(io::Error::other(
            "no sentences in the corpus to build articles from",
        ));
    }
    let gz = Gazetteer::builtin();
    let hunan = gz
        .by_path("湖南省")
        .ok_or_else(|| io::Error::other("gazetteer lacks 湖南省"))?;
    let prefectures: Vec<_> = gz.get(hunan).children.clone();
    let places = PlaceNames::new(gz, hunan);
    let sents: Vec<Sentence> = texts
        .into_iter()
        .map(|text| Sentence {
            mentions: places.find(&text),
            text,
        })
        .collect();
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
                let s = localize(
                    gz,
                    &sents[rng.below(sents.len())],
                    &prefectures,
                    region,
                    &mut rng,
                );
                let head: String = s.chars().take(12).collect();
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
                let s = &sents[rng.below(sents.len())];
                body.push_str(&localize(gz, s, &prefectures, region, &mut rng));
            }
            body.push_str("\n\n");
        }
        let title_src = &localize(
            gz,
            &sents[rng.below(sents.len())],
            &prefectures,
            region,
            &mut rng,
        );
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
    fn place_names_are_found_longest_first() {
        let gz = Gazetteer::builtin();
        let hunan = gz.by_path("湖南省").unwrap();
        let places = PlaceNames::new(gz, hunan);
        let s = "岳阳保靖一家亲，湘西土家族苗族自治州和湘西州、保靖县。";
        let found: Vec<(&str, Form)> = places
            .find(s)
            .iter()
            .map(|m| (&s[m.start..m.end], m.form))
            .collect();
        assert_eq!(
            found,
            [
                ("岳阳", Form::Short),
                ("保靖", Form::Short),
                ("湘西土家族苗族自治州", Form::Full),
                ("湘西州", Form::Short),
                ("保靖县", Form::Full)
            ]
        );
    }

    #[test]
    fn place_names_follow_the_article_region() {
        let corpus = "保靖县的黄金茶很好喝。湘西州风景很美丽，岳阳也很好。这里没有地名的句子。";
        let dir = tempfile::tempdir().unwrap();
        generate(dir.path(), 300, 11, corpus).unwrap();
        let none = |_: &FrontMatter| Vec::new();
        let (arts, errs) =
            crate::content::load(&dir.path().join("content"), Default::default(), &none);
        assert!(errs.is_empty(), "{errs:?}");
        let mut with_baojing = 0;
        let mut own_prefecture = 0;
        for a in &arts {
            let region = &a.meta.regions[0];
            let pref = region.split('/').nth(1).unwrap();
            let short = &gz_short(pref);
            let text = fs::read_to_string(&a.path).unwrap();
            let body = text.split("\n---\n").nth(1).unwrap_or(&text);
            if body.contains("保靖") {
                with_baojing += 1;
                assert!(
                    region.starts_with("湖南省/湘西土家族苗族自治州"),
                    "{region}"
                );
            }
            // The corpus names a prefecture first in one sentence of three.
            if body.contains(short.as_str()) {
                own_prefecture += 1;
            }
        }
        // 保靖 is one of 7 counties of one of 14 prefectures: a few percent, not 80 %.
        assert!(
            with_baojing * 10 < arts.len(),
            "{with_baojing} of {}",
            arts.len()
        );
        assert!(own_prefecture * 10 > arts.len() * 9, "{own_prefecture}");
    }

    fn gz_short(prefecture: &str) -> String {
        let gz = Gazetteer::builtin();
        let id = gz.by_path(&format!("湖南省/{prefecture}")).unwrap();
        gz.get(id).short_name.clone()
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
