//! Per-article analysis: tokenizes the indexed fields into term counts (index tokens: words
//! also give their suffixes, see `tokenize`), and encodes them for the token cache (keyed by
//! a content hash of the fields, see `token_cache`). A missing or corrupt cache entry is
//! silently recomputed, so the cache never changes output. This module must NOT write
//! anything into the published index.

use rustc_hash::FxHashMap;

use super::SearchDoc;
use super::lunr_json::FIELDS;
use super::token_cache::{Key, TokenCache};
use super::tokenize::for_each_index_token;
use super::varint;

/// Bumped whenever the tokenizer or this format changes, so old cache entries are ignored.
const CACHE_VERSION: &[u8] = b"folio-search-tokens-v5";

/// The tokens of one article: per-field token counts (elasticlunr's field lengths) and each
/// distinct term with its count per field ([`FIELDS`] order), sorted by term.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DocTokens {
    /// Number of tokens per field.
    pub lengths: [u32; 4],
    /// Distinct terms with per-field counts, sorted by term.
    pub terms: Vec<(String, [u32; 4])>,
}

/// The same as [`DocTokens`] in the build's compact form: terms of one or two characters
/// (nearly all: CJK bigrams and trailing characters) are packed into a `u64` (see [`pack`]),
/// longer words kept as strings.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DocTerms {
    /// Number of tokens per field.
    pub lengths: [u32; 4],
    /// Packed short terms with per-field counts, sorted by key (= by term).
    pub short: Vec<(u64, [u32; 4])>,
    /// Terms of three or more characters with per-field counts, sorted by term.
    pub long: Vec<(String, [u32; 4])>,
}

impl DocTerms {
    /// Number of distinct terms.
    pub fn len(&self) -> usize {
        self.short.len() + self.long.len()
    }

    /// Every term as a string with its counts, sorted by term.
    pub fn to_tokens(&self) -> DocTokens {
        let mut terms: Vec<(String, [u32; 4])> = self
            .short
            .iter()
            .map(|&(k, c)| {
                let mut s = String::new();
                unpack(k, &mut s);
                (s, c)
            })
            .chain(self.long.iter().cloned())
            .collect();
        terms.sort_unstable();
        DocTokens {
            lengths: self.lengths,
            terms,
        }
    }
}

/// Packs a term of one or two characters into an integer whose order is the terms' string
/// order: the first character in bits 21.., the second plus one in bits 0..21 (0 if none).
pub fn pack(chars: &[char]) -> Option<u64> {
    match chars {
        [a] => Some(u64::from(*a as u32) << 21),
        [a, b] => Some((u64::from(*a as u32) << 21) | (u64::from(*b as u32) + 1)),
        _ => None,
    }
}

/// Appends the term packed in `key` to `out`.
pub fn unpack(key: u64, out: &mut String) {
    if let Some(a) = char::from_u32((key >> 21) as u32) {
        out.push(a);
    }
    let low = (key & ((1 << 21) - 1)) as u32;
    if low > 0
        && let Some(b) = char::from_u32(low - 1)
    {
        out.push(b);
    }
}

/// Reusable per-thread buffers of the analyzer.
#[derive(Default)]
pub struct Scratch {
    chars: Vec<char>,
    /// Each short token as its packed key shifted left by two, its field in the low bits:
    /// sorted, equal runs are the counts (cheaper than a map of counts sorted afterwards).
    short: Vec<u64>,
    long: FxHashMap<String, [u32; 4]>,
}

fn field_texts(doc: &SearchDoc) -> [&str; 4] {
    [&doc.title, &doc.kicker, &doc.body, &doc.authors]
}

/// Tokenizes an article's indexed fields into the compact form.
pub fn analyze_terms(doc: &SearchDoc, scratch: &mut Scratch) -> DocTerms {
    let mut lengths = [0u32; 4];
    let Scratch { chars, short, long } = scratch;
    short.clear();
    long.clear();
    for (f, text) in field_texts(doc).iter().enumerate() {
        let mut n = 0u32;
        for_each_index_token(text, chars, |t| {
            n = n.saturating_add(1);
            match pack(t) {
                Some(k) => short.push((k << 2) | f as u64),
                None => {
                    let slot = &mut long.entry(t.iter().collect()).or_default()[f];
                    *slot = slot.saturating_add(1);
                }
            }
        });
        lengths[f] = n;
    }
    short.sort_unstable();
    let distinct = 1 + short.windows(2).filter(|w| w[0] >> 2 != w[1] >> 2).count();
    let mut s: Vec<(u64, [u32; 4])> = Vec::with_capacity(distinct.min(short.len()));
    for &token in short.iter() {
        let (key, f) = (token >> 2, (token & 3) as usize);
        match s.last_mut() {
            Some((k, counts)) if *k == key => counts[f] = counts[f].saturating_add(1),
            _ => {
                let mut counts = [0u32; 4];
                counts[f] = 1;
                s.push((key, counts));
            }
        }
    }
    let mut l: Vec<(String, [u32; 4])> = long.drain().collect();
    l.sort_unstable();
    debug_assert_eq!(FIELDS.len(), 4);
    DocTerms {
        lengths,
        short: s,
        long: l,
    }
}

/// Tokenizes an article's indexed fields.
pub fn analyze(doc: &SearchDoc) -> DocTokens {
    analyze_terms(doc, &mut Scratch::default()).to_tokens()
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

/// A term's per-field counts: one byte `field << 6 | count` when a single field holds it 1 to
/// 63 times (nearly every term: once or a few times in the body), else a zero byte, a mask
/// of the fields holding it and their counts as varints.
fn put_counts(out: &mut Vec<u8>, counts: &[u32; 4]) {
    let mask = counts
        .iter()
        .enumerate()
        .fold(0u8, |m, (i, &c)| if c > 0 { m | (1 << i) } else { m });
    if mask.count_ones() == 1 {
        let field = mask.trailing_zeros() as usize;
        if counts[field] < 64 {
            out.push(((field as u8) << 6) | counts[field] as u8);
            return;
        }
    }
    out.push(0);
    out.push(mask);
    for &c in counts.iter().filter(|&&c| c > 0) {
        varint::put(out, u64::from(c));
    }
}

fn get_counts(data: &[u8], pos: &mut usize) -> Option<[u32; 4]> {
    let tag = *data.get(*pos)?;
    *pos += 1;
    let mut counts = [0u32; 4];
    if tag != 0 {
        let count = u32::from(tag & 63);
        // A single field's count is 1 to 63; 0x40, 0x80 and 0xC0 mean nothing.
        (count > 0).then_some(())?;
        counts[usize::from(tag >> 6)] = count;
        return Some(counts);
    }
    let mask = *data.get(*pos)?;
    *pos += 1;
    for (i, c) in counts.iter_mut().enumerate() {
        if mask & (1 << i) != 0 {
            *c = varint::get_u32(data, pos)?;
        }
    }
    Some(counts)
}

/// The counts of nearly every term: once, in the body. [`encode`] marks such a term with a
/// bit instead of writing its counts.
const ONCE_IN_BODY: [u32; 4] = [0, 0, 1, 0];

/// Serializes terms: lengths; short count, then per short term the key's delta from the
/// previous one; a bitmap of the short terms whose counts are [`ONCE_IN_BODY`] (bit i of
/// byte i / 8); the counts of the other short terms, in order; long count, then per long
/// term byte length, bytes and counts. The bitmap saves ~0.9 KB of a ~5 KB entry.
pub fn encode(terms: &DocTerms) -> Vec<u8> {
    let mut out = Vec::with_capacity(terms.len() * 5 + 16);
    for l in terms.lengths {
        varint::put(&mut out, u64::from(l));
    }
    varint::put(&mut out, terms.short.len() as u64);
    let mut prev = 0u64;
    for (key, _) in &terms.short {
        varint::put(&mut out, key.wrapping_sub(prev));
        prev = *key;
    }
    let bitmap = out.len();
    out.resize(bitmap + terms.short.len().div_ceil(8), 0);
    for (i, (_, counts)) in terms.short.iter().enumerate() {
        if *counts == ONCE_IN_BODY {
            out[bitmap + i / 8] |= 1 << (i % 8);
        }
    }
    for (_, counts) in terms.short.iter().filter(|(_, c)| *c != ONCE_IN_BODY) {
        put_counts(&mut out, counts);
    }
    varint::put(&mut out, terms.long.len() as u64);
    for (term, counts) in &terms.long {
        varint::put(&mut out, term.len() as u64);
        out.extend_from_slice(term.as_bytes());
        put_counts(&mut out, counts);
    }
    out
}

/// Reads what [`encode`] wrote; `None` for anything malformed.
pub fn decode(data: &[u8]) -> Option<DocTerms> {
    let mut pos = 0;
    let mut lengths = [0u32; 4];
    for l in &mut lengths {
        *l = varint::get_u32(data, &mut pos)?;
    }
    let n = varint::get(data, &mut pos)? as usize;
    let mut short = Vec::with_capacity(n.min(1 << 20));
    let mut prev = 0u64;
    for _ in 0..n {
        let key = prev.checked_add(varint::get(data, &mut pos)?)?;
        prev = key;
        short.push((key, ONCE_IN_BODY));
    }
    let bitmap = data.get(pos..pos.checked_add(n.div_ceil(8))?)?;
    pos += bitmap.len();
    for (i, (_, counts)) in short.iter_mut().enumerate() {
        if bitmap[i / 8] & (1 << (i % 8)) == 0 {
            *counts = get_counts(data, &mut pos)?;
        }
    }
    let n = varint::get(data, &mut pos)? as usize;
    let mut long = Vec::with_capacity(n.min(1 << 20));
    for _ in 0..n {
        let len = varint::get(data, &mut pos)? as usize;
        let bytes = data.get(pos..pos.checked_add(len)?)?;
        pos += len;
        let term = std::str::from_utf8(bytes).ok()?.to_string();
        long.push((term, get_counts(data, &mut pos)?));
    }
    (pos == data.len()).then_some(DocTerms {
        lengths,
        short,
        long,
    })
}

/// An analyzed document and what the build loop must tell the cache.
pub struct Analyzed {
    /// The terms.
    pub terms: DocTerms,
    /// The content hash (all zero without a cache).
    pub key: Key,
    /// `None` if the terms came from the cache (or there is no cache), else their encoding
    /// to append to it.
    pub new_entry: Option<Vec<u8>>,
}

/// Analyzes a document, reusing the cache's entry when there is a valid one.
pub fn analyze_cached(
    doc: &SearchDoc,
    cache: Option<&TokenCache>,
    scratch: &mut Scratch,
) -> Analyzed {
    let Some(cache) = cache else {
        return Analyzed {
            terms: analyze_terms(doc, scratch),
            key: [0; 32],
            new_entry: None,
        };
    };
    let key = content_key(doc);
    if let Some(terms) = cache.get(&key).and_then(|d| decode(&d)) {
        return Analyzed {
            terms,
            key,
            new_entry: None,
        };
    }
    let terms = analyze_terms(doc, scratch);
    let entry = encode(&terms);
    Analyzed {
        terms,
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
        // Body: 黄金 金茶 茶, then ube be e twice (each word with its suffixes).
        assert_eq!(t.lengths, [5, 0, 9, 2]);
        let get = |k: &str| t.terms.iter().find(|(s, _)| s == k).map(|(_, c)| *c);
        assert_eq!(get("黄金"), Some([1, 0, 1, 0]));
        assert_eq!(get("ube"), Some([0, 0, 2, 0]));
        assert_eq!(get("be"), Some([0, 0, 2, 0]));
        assert_eq!(get("e"), Some([0, 0, 2, 0]));
    }

    #[test]
    fn packed_terms_sort_like_strings() {
        let words = ["a", "ab", "b", "乡", "乡村", "乡镇", "z9", "𠀀", "𠀀a"];
        let mut keys: Vec<u64> = words
            .iter()
            .map(|w| pack(&w.chars().collect::<Vec<_>>()).unwrap())
            .collect();
        keys.sort_unstable();
        let back: Vec<String> = keys
            .iter()
            .map(|&k| {
                let mut s = String::new();
                unpack(k, &mut s);
                s
            })
            .collect();
        let mut sorted: Vec<String> = words.iter().map(|w| w.to_string()).collect();
        sorted.sort();
        assert_eq!(back, sorted);
        assert_eq!(pack(&['a', 'b', 'c']), None);
    }

    #[test]
    fn compact_form_equals_string_tokens() {
        let d = doc("黄金茶 UBE ube 2.63亿元 abc");
        // Buffers used for another article first must not leak into this one.
        let mut scratch = Scratch::default();
        analyze_terms(&doc("其他内容 黄金 xyz 2.63"), &mut scratch);
        let t = analyze_terms(&d, &mut scratch);
        let long: Vec<&str> = t.long.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(long, ["2.63", "abc", "ube"]);
        let mut expected: std::collections::BTreeMap<String, [u32; 4]> = Default::default();
        for (f, text) in field_texts(&d).iter().enumerate() {
            for tok in crate::search::index_tokens(text) {
                expected.entry(tok).or_default()[f] += 1;
            }
        }
        assert_eq!(
            t.to_tokens().terms,
            expected.into_iter().collect::<Vec<_>>()
        );
    }

    #[test]
    fn cache_round_trip_and_corruption() {
        let dir = tempfile::tempdir().unwrap();
        let d = doc("乡村振兴 2024 年");
        let cache = TokenCache::open(dir.path()).unwrap();
        let a = analyze_cached(&d, Some(&cache), &mut Scratch::default());
        let entry = a.new_entry.clone().unwrap();
        assert_eq!(decode(&entry), Some(a.terms.clone()));
        cache.put(a.key, &entry).unwrap();
        cache.finish().unwrap();
        let cache = TokenCache::open(dir.path()).unwrap();
        let b = analyze_cached(&d, Some(&cache), &mut Scratch::default());
        assert!(b.new_entry.is_none());
        assert_eq!(a.terms, b.terms);
        assert_eq!(decode(&entry[..entry.len() - 1]), None);
        assert_eq!(decode(b"\xff\xff"), None);
    }

    #[test]
    fn terms_once_in_the_body_cost_a_bit_not_a_byte() {
        // Ten short terms one key apart: eight once in the body, two elsewhere.
        let short: Vec<(u64, [u32; 4])> = (1..=10u64)
            .map(|k| {
                (
                    k,
                    if k % 5 == 0 {
                        [1, 0, 2, 0]
                    } else {
                        ONCE_IN_BODY
                    },
                )
            })
            .collect();
        let terms = DocTerms {
            lengths: [1, 0, 12, 0],
            short,
            long: vec![("2024".into(), ONCE_IN_BODY)],
        };
        let entry = encode(&terms);
        // lengths 4, count 1, deltas 10, bitmap 2, two masked counts 4 + 4, long 1 + 1 + 4 + 1.
        assert_eq!(entry.len(), 4 + 1 + 10 + 2 + 8 + 7);
        assert_eq!(&entry[15..17], [0b1110_1111, 0b01]);
        assert_eq!(decode(&entry), Some(terms));
        // A bitmap cut short is malformed, not read past.
        assert_eq!(decode(&entry[..16]), None);
    }

    #[test]
    fn counts_encode_in_a_byte_when_one_field_holds_them() {
        for (counts, len) in [
            ([0, 0, 1, 0], 1),
            ([63, 0, 0, 0], 1),
            ([0, 0, 0, 5], 1),
            ([0, 64, 0, 0], 3),
            ([1, 0, 1, 0], 4),
            ([0, 0, 300, 2], 5),
        ] {
            let mut out = Vec::new();
            put_counts(&mut out, &counts);
            assert_eq!(out.len(), len, "{counts:?}");
            let mut pos = 0;
            assert_eq!(get_counts(&out, &mut pos), Some(counts));
            assert_eq!(pos, len);
        }
        for bad in [&[0x40u8][..], &[0x80], &[0], &[0, 1]] {
            assert_eq!(get_counts(bad, &mut 0), None, "{bad:?}");
        }
    }
}
