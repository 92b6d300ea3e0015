//! Shared jieba word segmenters: jieba-rs's default dictionary plus Folio's
//! user dictionary (`data/jieba/user.dict`, terms jieba would split such as
//! 乡村振兴, 纪委监委), and a second one that also knows every place name of
//! the gazetteer so that "岳阳" or "湘西州" come out as single tokens.
//!
//! Built once (OnceLock) from compiled-in data. This module must NOT decide
//! what a token means: alias matching and topic scoring live elsewhere.

use std::io::BufReader;
use std::sync::OnceLock;

use jieba_rs::Jieba;

use super::gazetteer::Gazetteer;
use super::names::split_name;

const USER_DICT: &str = include_str!("../../data/jieba/user.dict");

/// Dictionary frequency from which a known word counts as common.
pub const COMMON_WORD_FREQ: usize = 100;

/// jieba with the default dictionary and Folio's user dictionary.
pub fn base_jieba() -> &'static Jieba {
    static J: OnceLock<Jieba> = OnceLock::new();
    J.get_or_init(|| {
        let mut j = Jieba::new();
        // The user dictionary is compiled in and covered by tests; a failure
        // here is a build defect, not bad user input.
        #[allow(clippy::expect_used)]
        j.load_dict(&mut BufReader::new(USER_DICT.as_bytes()))
            .expect("compiled-in user dictionary parses");
        j
    })
}

/// [`base_jieba`] plus every official name and two-character-or-longer base
/// name of the built-in gazetteer that jieba does not know yet (tag "ns").
pub fn place_jieba() -> &'static Jieba {
    static J: OnceLock<Jieba> = OnceLock::new();
    J.get_or_init(|| {
        let mut j = base_jieba().clone();
        for d in Gazetteer::builtin().all() {
            let base = split_name(&d.name).base;
            for w in [d.name.as_str(), base.as_str()] {
                if w.chars().count() >= 2 && !j.has_word(w) {
                    j.add_word(w, None, Some("ns"));
                }
            }
        }
        j
    })
}

/// Frequency of `word` in `j`'s dictionary, 0 when unknown.
pub fn dict_freq(j: &Jieba, word: &str) -> usize {
    if j.has_word(word) {
        // suggest_freq of a dictionary word that segments as itself is freq + 1.
        j.suggest_freq(word).saturating_sub(1)
    } else {
        0
    }
}

/// True when `word` is a common dictionary word (frequency at least
/// [`COMMON_WORD_FREQ`]) whose part of speech is not a place name ("ns").
pub fn is_ordinary_word(j: &Jieba, word: &str) -> bool {
    if dict_freq(j, word) < COMMON_WORD_FREQ {
        return false;
    }
    let tags = j.tag(word, false);
    !matches!(tags.as_slice(), [t] if t.word == word && t.tag.starts_with("ns"))
}

/// True when `word` is a common dictionary word of any part of speech.
pub fn is_common_word(j: &Jieba, word: &str) -> bool {
    dict_freq(j, word) >= COMMON_WORD_FREQ
}

/// True for CJK unified ideographs (the characters of Chinese words).
pub use crate::text::is_ideograph as is_cjk;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_dictionary_keeps_terms_whole() {
        let words: Vec<&str> = base_jieba()
            .cut("纪委监委推进乡村振兴和对口帮扶", false)
            .iter()
            .map(|t| t.word)
            .collect();
        assert_eq!(
            words,
            vec!["纪委监委", "推进", "乡村振兴", "和", "对口帮扶"]
        );
    }

    #[test]
    fn ordinary_words_are_told_from_place_names() {
        let j = base_jieba();
        assert!(is_ordinary_word(j, "会同"));
        assert!(is_ordinary_word(j, "通道"));
        assert!(!is_ordinary_word(j, "长沙"));
        assert!(!is_ordinary_word(j, "保靖"));
        assert!(is_common_word(j, "沙发"));
        assert!(dict_freq(j, "长沙") > 1000);
    }

    #[test]
    fn place_segmenter_knows_short_names() {
        let words: Vec<&str> = place_jieba()
            .cut("岳阳保靖一家亲", false)
            .iter()
            .map(|t| t.word)
            .collect();
        assert_eq!(words, vec!["岳阳", "保靖", "一家亲"]);
    }
}
