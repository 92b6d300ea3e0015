//! Per-article analysis: tokenizes the indexed fields into term counts, and encodes them for
//! the token cache (keyed by a content hash of the fields, see `token_cache`). A missing or
//! corrupt cache entry is silently recomputed, so the cache never changes output. This module
//! must NOT write anything into the published index.

use rustc_hash::FxHashMap;

use super::SearchDoc;
use super::lunr_json::FIELDS;
use super::token_cache::{Key, TokenCache};
use super::tokenize::tokenize;

/// Bumped whenever the tokenizer or this format changes, so old cache entries are ignored.
const CACHE_VERSION: &[u8] = b"folio-search-tokens-v1";

/// The tokens of one article: per-field token counts (elasticlunr's field lengths) and each
/// distinct term with its count per field ([`FIELDS`] order), sorted by term.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DocTokens {
    /// Number of tokens per field.
    pub lengths: [u32; 4],
    /// Distinct terms with per-field counts, sorted by term.
    pub terms: Vec<(String, [u32; 4])>,
}

fn field_texts(doc: &SearchDoc) -> [&str; 4] {
    [&doc.title, &doc.kicker, &doc.body, &doc.authors]
}

/// Tokenizes an article's indexed fields.
pub fn analyze(doc: &SearchDoc) -> DocTokens {
    let mut counts: FxHashMap<String, [u32; 4]> = FxHashMap::default();
    let mut lengths = [0u32; 4];
    for (f, text) in field_texts(doc).iter().enumerate() {
        let tokens = tokenize(text);
        lengths[f] = u32::try_from(tokens.len()).unwrap_or(u32::MAX);
        for t in tokens {
            let slot = &mut counts.entry(t).or_default()[f];
            *slot = slot.saturating_add(1);
        }
    }
    let mut terms: Vec<(String, [u32; 4])> = counts.into_iter().collect();
    terms.sort_unstable();
    debug_assert_eq!(FIELDS.len(), 4);
    DocTokens { lengths, terms }
}

/// Content hash of the indexed fields (and the tokenizer version), the cache key.
pub fn content_key(doc: &SearchDoc) -> Key {
    let mut h = blake3::Hasher::new();
    h.update(CACHE_VERSION);
    for text in field_texts(doc) {
        h.update(&(text.len() as u64).to_le_bytes());
        h.update(text.as_bytes());
    }
    *h.finalize().as_bytes()
}

fn put_varint(out: &mut Vec<u8>, mut v: u32) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn get_varint(data: &[u8], pos: &mut usize) -> Option<u32> {
    let mut v: u32 = 0;
    for shift in (0..35).step_by(7) {
        let b = *data.get(*pos)?;
        *pos += 1;
        v |= u32::from(b & 0x7F).checked_shl(shift)?;
        if b & 0x80 == 0 {
            return Some(v);
        }
    }
    None
}

/// Serializes tokens: lengths, then per term: byte length, bytes, field mask, counts.
fn encode(tokens: &DocTokens) -> Vec<u8> {
    let mut out = Vec::with_capacity(tokens.terms.len() * 10 + 16);
    for l in tokens.lengths {
        put_varint(&mut out, l);
    }
    put_varint(&mut out, tokens.terms.len() as u32);
    for (term, counts) in &tokens.terms {
        put_varint(&mut out, term.len() as u32);
        out.extend_from_slice(term.as_bytes());
        let mask = counts
            .iter()
            .enumerate()
            .fold(0u8, |m, (i, &c)| if c > 0 { m | (1 << i) } else { m });
        out.push(mask);
        for &c in counts.iter().filter(|&&c| c > 0) {
            put_varint(&mut out, c);
        }
    }
    out
}

fn decode(data: &[u8]) -> Option<DocTokens> {
    let mut pos = 0;
    let mut lengths = [0u32; 4];
    for l in &mut lengths {
        *l = get_varint(data, &mut pos)?;
    }
    let n = get_varint(data, &mut pos)? as usize;
    let mut terms = Vec::with_capacity(n.min(1 << 20));
    for _ in 0..n {
        let len = get_varint(data, &mut pos)? as usize;
        let bytes = data.get(pos..pos.checked_add(len)?)?;
        pos += len;
        let term = std::str::from_utf8(bytes).ok()?.to_string();
        let mask = *data.get(pos)?;
        pos += 1;
        let mut counts = [0u32; 4];
        for (i, c) in counts.iter_mut().enumerate() {
            if mask & (1 << i) != 0 {
                *c = get_varint(data, &mut pos)?;
            }
        }
        terms.push((term, counts));
    }
    (pos == data.len()).then_some(DocTokens { lengths, terms })
}

/// An analyzed document and what the build loop must tell the cache.
pub struct Analyzed {
    /// The tokens.
    pub tokens: DocTokens,
    /// The content hash.
    pub key: Key,
    /// `None` if the tokens came from the cache, else their encoding to append to it.
    pub new_entry: Option<Vec<u8>>,
}

/// Analyzes a document, reusing the cache's entry when there is a valid one.
pub fn analyze_cached(doc: &SearchDoc, cache: Option<&TokenCache>) -> Analyzed {
    let Some(cache) = cache else {
        return Analyzed {
            tokens: analyze(doc),
            key: [0; 32],
            new_entry: None,
        };
    };
    let key = content_key(doc);
    if let Some(tokens) = cache.get(&key).and_then(|d| decode(&d)) {
        return Analyzed {
            tokens,
            key,
            new_entry: None,
        };
    }
    let tokens = analyze(doc);
    let entry = encode(&tokens);
    Analyzed {
        tokens,
        key,
        new_entry: Some(entry),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(body: &str) -> SearchDoc {
        SearchDoc {
            title: "保靖黄金茶".into(),
            body: body.into(),
            authors: "向科".into(),
            ..SearchDoc::default()
        }
    }

    #[test]
    fn counts_per_field() {
        let t = analyze(&doc("黄金茶 UBE ube"));
        assert_eq!(t.lengths, [5, 0, 5, 2]);
        let get = |k: &str| t.terms.iter().find(|(s, _)| s == k).map(|(_, c)| *c);
        assert_eq!(get("黄金"), Some([1, 0, 1, 0]));
        assert_eq!(get("ube"), Some([0, 0, 2, 0]));
    }

    #[test]
    fn cache_round_trip_and_corruption() {
        let dir = tempfile::tempdir().unwrap();
        let d = doc("乡村振兴 2024 年");
        let mut cache = TokenCache::open(dir.path()).unwrap();
        let a = analyze_cached(&d, Some(&cache));
        let entry = a.new_entry.clone().unwrap();
        assert_eq!(decode(&entry), Some(a.tokens.clone()));
        cache.put(a.key, &entry).unwrap();
        cache.finish().unwrap();
        let cache = TokenCache::open(dir.path()).unwrap();
        let b = analyze_cached(&d, Some(&cache));
        assert!(b.new_entry.is_none());
        assert_eq!(a.tokens, b.tokens);
        assert_eq!(decode(&entry[..entry.len() - 1]), None);
        assert_eq!(decode(b"\xff\xff"), None);
    }
}
