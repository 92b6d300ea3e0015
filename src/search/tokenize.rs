//! The one search tokenizer (Rust half; `themes/default/static/search.js` holds the JS half).
//!
//! Text is normalized one character at a time (full-width ASCII folded to half-width, the
//! ideographic space to a space, single-character lowercase mapping) and cut into runs:
//! - a CJK run becomes overlapping bigrams plus its trailing single character
//!   ("乡村振兴" → 乡村 村振 振兴 兴), so every 2+ character substring is covered by bigrams and a
//!   one-character query matches by prefix;
//! - a word run (letters/digits, with a '.' kept between two digits) becomes one lowercase token.
//!
//! Everything else separates runs. The same rules are written in JS; the shared vectors in
//! `tests/fixtures/search/tokenizer_vectors.json` prove they agree ([`tokenize`]: the tokens of
//! a query). Indexing adds one step the browser never does ([`index_tokens`]): after each word
//! it also emits the word's proper suffixes (`unesco` → `nesco` `esco` `sco` `co` `o`), so a
//! query word that matches index terms by prefix finds it anywhere inside a word or number
//! (a prefix of a suffix is a substring). This module must NOT know about shards, files or the
//! browser.

use elasticlunr::Language;
use elasticlunr::pipeline::Pipeline;

/// Normalizes one character: full-width forms folded, then lowercased when the lowercase
/// mapping is a single character (so positions in normalized text match the original).
pub fn normalize_char(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    if is_cjk(c) || is_cjk_punctuation(c) {
        return c; // neither case nor width forms
    }
    let code = c as u32;
    let folded = if (0xFF01..=0xFF5E).contains(&code) {
        char::from_u32(code - 0xFEE0).unwrap_or(c)
    } else if code == 0x3000 {
        ' '
    } else {
        c
    };
    let mut lower = folded.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => l,
        _ => folded,
    }
}

/// Normalizes a whole string character by character (see [`normalize_char`]).
pub fn normalize(text: &str) -> String {
    text.chars().map(normalize_char).collect()
}

/// True for CJK ideographs (and 〇), the characters that are cut into bigrams.
pub use crate::text::is_ideograph as is_cjk;

fn is_word(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    !is_cjk(c) && !is_cjk_punctuation(c) && c.is_alphanumeric()
}

/// The punctuation of Chinese text that is not full-width ASCII (、。〃, 〈〉《》「」『』【】,
/// dashes, quotes, …): neither letters nor digits and without case, so the tokenizer decides
/// them without Unicode table lookups (a test checks every one against the tables).
fn is_cjk_punctuation(c: char) -> bool {
    matches!(c, '\u{2010}'..='\u{2027}' | '\u{3001}'..='\u{3003}' | '\u{3008}'..='\u{3011}')
}

/// A maximal run of same-kind characters in normalized text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Run {
    /// CJK ideographs, cut into bigrams.
    Cjk(Vec<char>),
    /// Letters/digits (lowercased), one token.
    Word(String),
}

/// Calls `f` with each run of normalized `chars`: a CJK run (`true`) or a word of
/// letters/digits with decimal points between digits (`false`); everything else separates.
fn for_each_run(chars: &[char], mut f: impl FnMut(&[char], bool)) {
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        if is_cjk(c) {
            while i < chars.len() && is_cjk(chars[i]) {
                i += 1;
            }
            f(&chars[start..i], true);
        } else if is_word(c) {
            while i < chars.len() {
                let ch = chars[i];
                let decimal_point = ch == '.'
                    && i > 0
                    && chars[i - 1].is_ascii_digit()
                    && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit());
                if is_word(ch) || decimal_point {
                    i += 1;
                } else {
                    break;
                }
            }
            f(&chars[start..i], false);
        } else {
            i += 1;
        }
    }
}

/// Splits text into normalized runs.
pub fn runs(text: &str) -> Vec<Run> {
    let chars: Vec<char> = text.chars().map(normalize_char).collect();
    let mut out = Vec::new();
    for_each_run(&chars, |run, cjk| {
        out.push(if cjk {
            Run::Cjk(run.to_vec())
        } else {
            Run::Word(run.iter().collect())
        })
    });
    out
}

/// Words longer than this many characters are indexed whole, without their suffixes (which
/// grow with the square of a word's length); a query finds such a word only from its start.
pub const MAX_SUFFIX_WORD: usize = 64;

/// Tokenizes text the way the browser tokenizes a query (and the shared vectors say): CJK
/// bigrams plus each run's trailing character, lowercase words, digits and decimals kept.
pub fn tokenize(text: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    for_each_token(text, &mut Vec::new(), |t| tokens.push(t.iter().collect()));
    tokens
}

/// Tokenizes text for indexing: the tokens of [`tokenize`], each word followed by its
/// suffixes (see [`word_suffixes`]).
pub fn index_tokens(text: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    for_each_index_token(text, &mut Vec::new(), |t| tokens.push(t.iter().collect()));
    tokens
}

/// The tokens of [`tokenize`] as slices of normalized characters, without allocating per
/// token; `buf` is scratch space reused between calls.
pub fn for_each_token(text: &str, buf: &mut Vec<char>, f: impl FnMut(&[char])) {
    tokens_of(text, buf, false, f);
}

/// The tokens of [`index_tokens`] as slices of normalized characters (see
/// [`for_each_token`]).
pub fn for_each_index_token(text: &str, buf: &mut Vec<char>, f: impl FnMut(&[char])) {
    tokens_of(text, buf, true, f);
}

fn tokens_of(text: &str, buf: &mut Vec<char>, suffixes: bool, mut f: impl FnMut(&[char])) {
    buf.clear();
    buf.extend(text.chars().map(normalize_char));
    for_each_run(buf, |run, cjk| {
        if cjk {
            for pair in run.windows(2) {
                f(pair);
            }
            f(&run[run.len() - 1..]);
        } else {
            f(run);
            if suffixes {
                word_suffixes(run, &mut f);
            }
        }
    });
}

/// Calls `f` with the proper suffixes of a word (longest first) that start with a letter or
/// digit: `2.63` → `63`, `3`. No query word starts with '.', so those suffixes could never
/// match. A word longer than [`MAX_SUFFIX_WORD`] characters has none.
pub fn word_suffixes(word: &[char], mut f: impl FnMut(&[char])) {
    if word.len() > MAX_SUFFIX_WORD {
        return;
    }
    for i in 1..word.len() {
        if word[i] != '.' {
            f(&word[i..]);
        }
    }
}

/// Our tokenizer as an elasticlunr-rs [`Language`] (the index side, [`index_tokens`]); its
/// pipeline is empty, so elasticlunr.js never meets an unregistered pipeline function.
#[derive(Debug, Clone, Copy, Default)]
pub struct FolioLanguage;

impl Language for FolioLanguage {
    fn name(&self) -> String {
        "FolioBigram".into()
    }

    fn code(&self) -> String {
        "zh".into()
    }

    fn tokenize(&self, text: &str) -> Vec<String> {
        index_tokens(text)
    }

    fn make_pipeline(&self) -> Pipeline {
        Pipeline { queue: Vec::new() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_punctuation_shortcut_agrees_with_unicode_tables() {
        let listed: Vec<char> = (0..=0x10FFFFu32)
            .filter_map(char::from_u32)
            .filter(|&c| is_cjk_punctuation(c))
            .collect();
        assert_eq!(listed.len(), 24 + 3 + 10);
        for c in listed {
            assert!(!c.is_alphanumeric(), "{c:?}");
            assert_eq!(c.to_lowercase().collect::<String>(), c.to_string(), "{c:?}");
            assert!(!is_cjk(c), "{c:?}");
        }
        for c in ['，', '。', '、', '“', '”', '《', '》', '…', '—'] {
            assert_eq!(
                tokenize(&format!("乡村{c}振兴")),
                ["乡村", "村", "振兴", "兴"]
            );
        }
    }

    #[test]
    fn cjk_bigrams_with_trailing_char() {
        assert_eq!(tokenize("乡村振兴"), ["乡村", "村振", "振兴", "兴"]);
        assert_eq!(tokenize("州"), ["州"]);
    }

    #[test]
    fn latin_digits_and_width() {
        assert_eq!(tokenize("ＵＢＥ 2.63亿元"), ["ube", "2.63", "亿元", "元"]);
        assert_eq!(tokenize("v1.2. end."), ["v1.2", "end"]);
        assert!(tokenize("，。！").is_empty());
    }

    #[test]
    fn index_tokens_add_word_suffixes() {
        assert_eq!(
            index_tokens("Unesco 保靖"),
            ["unesco", "nesco", "esco", "sco", "co", "o", "保靖", "靖"]
        );
        assert_eq!(
            index_tokens("2024年 UBE"),
            ["2024", "024", "24", "4", "年", "ube", "be", "e"]
        );
        // Suffixes starting with the decimal point are left out; one-character words have
        // no proper suffix.
        assert_eq!(index_tokens("2.63 a"), ["2.63", "63", "3", "a"]);
        assert_eq!(index_tokens("ＵＢＥ"), ["ube", "be", "e"]);
        // CJK runs are unchanged: bigrams already cover every substring.
        assert_eq!(index_tokens("乡村振兴"), tokenize("乡村振兴"));
    }

    #[test]
    fn every_substring_of_a_word_is_a_prefix_of_an_index_token() {
        let word = "v1.2x2024";
        let tokens = index_tokens(word);
        let chars: Vec<char> = word.chars().collect();
        for i in 0..chars.len() {
            for j in i + 1..=chars.len() {
                let sub: String = chars[i..j].iter().collect();
                // A query never holds a word starting with '.' (it is a separator there).
                if sub.starts_with('.') {
                    continue;
                }
                assert!(
                    tokens.iter().any(|t| t.starts_with(&sub)),
                    "{sub} not found in {tokens:?}"
                );
            }
        }
    }

    #[test]
    fn long_words_keep_no_suffixes() {
        let long = "a".repeat(MAX_SUFFIX_WORD + 1);
        assert_eq!(index_tokens(&long), vec![long]);
        let max = "b".repeat(MAX_SUFFIX_WORD);
        assert_eq!(index_tokens(&max).len(), MAX_SUFFIX_WORD);
    }

    #[test]
    fn language_indexes_suffixes() {
        let lang: &dyn Language = &FolioLanguage;
        assert_eq!(lang.tokenize("UBE 2024"), index_tokens("UBE 2024"));
    }

    #[test]
    fn normalize_keeps_length() {
        let s = "ÀＢc İ";
        assert_eq!(normalize(s).chars().count(), s.chars().count());
    }
}
