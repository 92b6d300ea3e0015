//! The Rust tokenizer against the shared vectors (the JS half checks the same file in
//! tests/js/tokenizer.test.js).

use folio::search::{FolioLanguage, tokenize};

#[test]
fn tokenizer_matches_shared_vectors() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/search/tokenizer_vectors.json"
    );
    let text = std::fs::read_to_string(path).expect("read vectors");
    let cases: Vec<serde_json::Value> = serde_json::from_str(&text).expect("parse vectors");
    assert!(cases.len() >= 15);
    for case in cases {
        let input = case["text"].as_str().expect("text");
        let want: Vec<String> = serde_json::from_value(case["tokens"].clone()).expect("tokens");
        assert_eq!(tokenize(input), want, "case {}", case["name"]);
        let lang: &dyn elasticlunr::Language = &FolioLanguage;
        assert_eq!(
            lang.tokenize(input),
            want,
            "Language impl, case {}",
            case["name"]
        );
    }
}
