//! Alias index over the gazetteer and the search for place mentions in text.
//!
//! Two kinds of alias:
//! - *full* forms: official names ("保靖县", "湘西土家族苗族自治州") and the
//!   common forms of autonomous divisions ("湘西州", "湘西自治州",
//!   "城步县"). They carry their kind suffix and are matched as substrings,
//!   longest first.
//! - *short* forms: the bare base ("岳阳", "保靖", "湘西"). They are matched
//!   only as whole jieba tokens, never inside another word, and not when a
//!   single leftover character next to them forms a common word with their
//!   edge ("长沙发" → 沙发). District bases (…区) are never short forms
//!   (their bases are mostly landmarks or ordinary words: 武陵, 岳麓, 芙蓉);
//!   a base that is a common non-place dictionary word (会同, 通道, 中方) is
//!   flagged `ordinary` for the caller to distrust. Where a short form names
//!   both a division and its descendant (湘潭市/湘潭县), it means the higher one.
//!
//! This module must NOT weigh or choose between mentions: that is regions.rs.

use std::collections::HashMap;

use jieba_rs::Jieba;

use super::gazetteer::{DivisionId, Gazetteer, Level};
use super::names::split_name;
use super::segment::{is_cjk, is_common_word, is_ordinary_word};

/// One place mention found in a text.
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    /// Character offset of the mention in the searched text.
    pub start: usize,
    /// Character offset just past the mention.
    pub end: usize,
    /// Divisions the alias may refer to (several for 永定区), sorted.
    pub candidates: Vec<DivisionId>,
    /// True for a full form, false for a bare short form.
    pub full: bool,
    /// True for a short form that is also a common non-place word.
    pub ordinary: bool,
}

/// Lookup tables from alias text to divisions.
#[derive(Debug)]
pub struct AliasIndex {
    full: HashMap<String, Vec<DivisionId>>,
    short: HashMap<String, (Vec<DivisionId>, bool)>,
    max_full_chars: usize,
}

impl AliasIndex {
    /// Builds the index for `gz`; `dict` decides which short forms are
    /// ordinary words (use the segmenter without place names).
    pub fn new(gz: &Gazetteer, dict: &Jieba) -> Self {
        let mut full: HashMap<String, Vec<DivisionId>> = HashMap::new();
        let mut short: HashMap<String, Vec<DivisionId>> = HashMap::new();
        for d in gz.all() {
            let parts = split_name(&d.name);
            let base_ok = parts.base.chars().count() >= 2;
            if base_ok || d.name.chars().count() >= 3 {
                full.entry(d.name.clone()).or_default().push(d.id);
            }
            if !base_ok {
                // A two-character county name ("道县") is too short to look for in raw text
                // ("知道县里…"): it is found only as a word the segmenter cuts.
                if d.name.chars().count() == 2 && parts.suffix == "县" {
                    short.entry(d.name.clone()).or_default().push(d.id);
                }
                continue;
            }
            if parts.autonomous && d.level != Level::Province {
                let kind = if d.level == Level::Prefecture {
                    "州"
                } else {
                    "县"
                };
                for f in [
                    format!("{}{kind}", parts.base),
                    format!("{}自治{kind}", parts.base),
                ] {
                    if f != d.name {
                        full.entry(f).or_default().push(d.id);
                    }
                }
            }
            if parts.suffix != "区" {
                short.entry(parts.base).or_default().push(d.id);
            }
        }
        let mut max_full_chars = 0;
        for ids in full.values_mut() {
            ids.sort_unstable();
            ids.dedup();
        }
        for k in full.keys() {
            max_full_chars = max_full_chars.max(k.chars().count());
        }
        let short = short
            .into_iter()
            .filter(|(k, _)| !full.contains_key(k))
            .map(|(k, ids)| {
                // Keep only the highest of nested divisions (湘潭市 over 湘潭县).
                let mut kept: Vec<DivisionId> = ids
                    .iter()
                    .copied()
                    .filter(|&id| !ids.iter().any(|&o| o != id && gz.is_within(id, o)))
                    .collect();
                kept.sort_unstable();
                let ordinary = is_ordinary_word(dict, &k);
                (k, (kept, ordinary))
            })
            .collect();
        AliasIndex {
            full,
            short,
            max_full_chars,
        }
    }

    /// Finds the place mentions in `text` (whitespace already removed or
    /// not: whitespace never belongs to a name). `seg` segments the text
    /// (a segmenter that knows the place names); `dict` judges neighbour words.
    pub fn find(&self, text: &str, seg: &Jieba, dict: &Jieba) -> Vec<Mention> {
        let chars: Vec<char> = text.chars().collect();
        // Byte offset of every char, plus the end of the text.
        let bytes: Vec<usize> = text
            .char_indices()
            .map(|(b, _)| b)
            .chain([text.len()])
            .collect();
        let mut covered = vec![false; chars.len()];
        let mut out = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            let mut hit = None;
            let max = self.max_full_chars.min(chars.len() - i);
            for len in (2..=max).rev() {
                if let Some(ids) = self.full.get(&text[bytes[i]..bytes[i + len]]) {
                    hit = Some((len, ids.clone()));
                    break;
                }
            }
            match hit {
                Some((len, ids)) => {
                    covered[i..i + len].iter_mut().for_each(|c| *c = true);
                    out.push(Mention {
                        start: i,
                        end: i + len,
                        candidates: ids,
                        full: true,
                        ordinary: false,
                    });
                    i += len;
                }
                None => i += 1,
            }
        }
        let tokens = seg.cut(text, false);
        for (t, tok) in tokens.iter().enumerate() {
            let Some((ids, ordinary)) = self.short.get(tok.word) else {
                continue;
            };
            if covered[tok.start..tok.end].iter().any(|&c| c) {
                continue;
            }
            let first = chars[tok.start];
            let last = chars[tok.end - 1];
            let glued = |neighbour: Option<&jieba_rs::Token>, before: bool| {
                neighbour.is_some_and(|n| {
                    let mut it = n.word.chars();
                    match (it.next(), it.next()) {
                        (Some(c), None) if is_cjk(c) => {
                            let w: String = if before {
                                [c, first].iter().collect()
                            } else {
                                [last, c].iter().collect()
                            };
                            is_common_word(dict, &w)
                        }
                        _ => false,
                    }
                })
            };
            let prev = t.checked_sub(1).and_then(|p| tokens.get(p));
            if glued(prev, true) || glued(tokens.get(t + 1), false) {
                continue;
            }
            out.push(Mention {
                start: tok.start,
                end: tok.end,
                candidates: ids.clone(),
                full: false,
                ordinary: *ordinary,
            });
        }
        out.sort_by_key(|m| m.start);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::segment::{base_jieba, place_jieba};

    fn names(text: &str) -> Vec<String> {
        let gz = Gazetteer::builtin();
        let idx = AliasIndex::new(gz, base_jieba());
        idx.find(text, place_jieba(), base_jieba())
            .iter()
            .filter(|m| !m.ordinary)
            .flat_map(|m| m.candidates.iter().map(|&c| gz.get(c).name.clone()))
            .collect()
    }

    #[test]
    fn traps_do_not_match() {
        assert!(names("巍巍武陵，滔滔酉水").is_empty());
        assert!(names("他买了一张长沙发").is_empty());
        assert!(names("会同有关部门开展检查").is_empty());
    }

    #[test]
    fn forms_of_xiangxi() {
        for t in ["湘西州", "湘西自治州", "湘西土家族苗族自治州", "走进湘西"]
        {
            assert_eq!(names(t), vec!["湘西土家族苗族自治州"], "{t}");
        }
    }

    #[test]
    fn short_and_full_forms() {
        assert_eq!(names("岳阳保靖一家亲"), vec!["岳阳市", "保靖县"]);
        assert_eq!(names("长沙发展迅速"), vec!["长沙市"]);
        assert_eq!(names("常德市武陵区"), vec!["常德市", "武陵区"]);
        assert_eq!(names("在永定区").len(), 2);
        // 湘潭 means the prefecture, 湘潭县 the county.
        assert_eq!(names("湘潭与湘潭县"), vec!["湘潭市", "湘潭县"]);
    }
}
