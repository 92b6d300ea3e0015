//! The Rust tokenizer against the shared vectors (the JS half checks the same file in
//! tests/js/tokenizer.test.js). The vectors are query tokens; the index side (the
//! `Language`) adds each word's suffixes, checked here against the same vectors.

use folio::search::{FolioLanguage, MAX_SUFFIX_WORD, index_tokens, tokenize};
use folio::text::is_ideograph;

/// The vectors' tokens with the suffixes the index adds after each word (not a CJK token).
fn with_suffixes(tokens: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for t in tokens {
        out.push(t.clone());
        let chars: Vec<char> = t.chars().collect();
        let cjk = chars.iter().any(|&c| is_ideograph(c));
        if cjk || chars.len() > MAX_SUFFIX_WORD {
            continue;
        }
        for i in 1..chars.len() {
            if chars[i] != '.' {
                out.push(chars[i..].iter().collect());
            }
        }
    }
    out
}

#[test]
fn tokenizer_matches_shared_vectors() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/search/tokenizer_vectors.json"
    );
    let text = std::fs::read_to_string(path).expect("read vectors");
    let cases: Vec<serde_json::Value> = serde_json::from_str(&text).expect("parse vectors");
    assert!(cases.len() >= 15);
    let mut expanded = 0;
    for case in cases {
        let input = case["text"].as_str().expect("text");
        let want: Vec<String> = serde_json::from_value(case["tokens"].clone()).expect("tokens");
        assert_eq!(tokenize(input), want, "case {}", case["name"]);
        let indexed = with_suffixes(&want);
        expanded += indexed.len() - want.len();
        assert_eq!(
            index_tokens(input),
            indexed,
            "index tokens, case {}",
            case["name"]
        );
        let lang: &dyn elasticlunr::Language = &FolioLanguage;
        assert_eq!(
            lang.tokenize(input),
            indexed,
            "Language impl, case {}",
            case["name"]
        );
    }
    assert!(expanded > 10, "the vectors hold words with suffixes");
}
