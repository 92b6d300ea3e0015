//! Character classes shared by ingest, classification and search: which
//! characters are Chinese ideographs. Holds no text processing of its own.
//!
//! The search tokenizer's JavaScript twin (`themes/default/static/search.js`)
//! must classify exactly as [`is_ideograph`] does; the shared tokenizer
//! vectors (`tests/fixtures/search/tokenizer_vectors.json`) check both.

/// A CJK ideograph: the unified blocks (with extension A and the
/// supplementary planes' extensions), compatibility ideographs and 〇.
pub fn is_ideograph(c: char) -> bool {
    matches!(c as u32,
        0x3007 | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3FFFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ideographs_and_not() {
        for c in ['中', '〇', '㐀', '豈', '𠀀'] {
            assert!(is_ideograph(c), "{c}");
        }
        for c in ['a', '1', '，', '。', 'ア', '한', ' '] {
            assert!(!is_ideograph(c), "{c}");
        }
    }
}
