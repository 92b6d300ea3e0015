//! Streaming writer of elasticlunr-rs's index JSON (`Index::to_json`) for a sorted set of
//! terms: the trie of each field is written depth-first straight from sorted postings, without
//! building elasticlunr-rs's in-memory trie. `tests/search_lunr_compat.rs` proves the bytes equal
//! what `elasticlunr::Index` writes. This module must NOT decide which terms go in a shard, nor
//! read or tokenize documents.

use std::borrow::Borrow;
use std::io::{self, Write};

/// The indexed fields in declaration order (elasticlunr's `fields`); ids index this array.
pub const FIELDS: [&str; 4] = ["title", "kicker", "body", "authors"];

/// Field ids in the order elasticlunr serializes its `index` map (sorted by name).
const FIELDS_SORTED: [usize; 4] = [3, 2, 1, 0];

/// One occurrence of a term in one field of one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Posting {
    /// Document id (`SearchDoc::id`), written as the decimal `ref`.
    pub doc: u32,
    /// Index into [`FIELDS`].
    pub field: u8,
    /// Occurrences of the term in that field (elasticlunr's `tf` is its square root).
    pub count: u32,
}

/// A term with all its postings (any order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermPostings {
    /// The token.
    pub term: String,
    /// Its postings.
    pub postings: Vec<Posting>,
}

/// What to write as `documentStore`.
pub enum DocStore<'a> {
    /// `{"save":false,"docs":{},"docInfo":{},"length":n}`: shards carry only the document
    /// count (elasticlunr.js then uses a field-length norm of 1).
    CountOnly(usize),
    /// Exactly what `Index` with `save_docs(false)` writes: every doc ref and its field
    /// lengths (indexed by doc id, in [`FIELDS`] order).
    Full(&'a [[u32; 4]]),
}

fn write_str<W: Write>(w: &mut W, s: &str) -> io::Result<()> {
    serde_json::to_writer(&mut *w, s).map_err(io::Error::other)
}

/// Sort key that orders ids like their decimal strings ("1" < "10" < "2"), as elasticlunr
/// orders its string refs: digits left-aligned in a u64, then the digit count.
fn ref_key(id: u32) -> (u64, u32) {
    let digits = id.checked_ilog10().unwrap_or(0) + 1;
    (u64::from(id) * 10u64.pow(10 - digits), digits)
}

/// Doc ids sorted the way elasticlunr sorts refs: as decimal strings.
fn sorted_refs(ids: impl Iterator<Item = u32>) -> Vec<(String, u32)> {
    let mut ids: Vec<u32> = ids.collect();
    ids.sort_unstable_by_key(|&id| ref_key(id));
    ids.into_iter().map(|id| (id.to_string(), id)).collect()
}

/// elasticlunr's `tf` of a count (its square root), formatted the way serde_json writes it.
fn tf_text(count: u32) -> String {
    serde_json::to_string(&f64::from(count).sqrt()).unwrap_or_default()
}

/// What follows a ref in a `docs` map, `":{"tf":<tf>}`, padded to a fixed size so it is
/// copied without a length-dependent call, and its length.
#[derive(Clone, Copy)]
struct Tail {
    bytes: [u8; TAIL_MAX],
    len: usize,
}

/// Room for the longest tail of a count below 256 (`":{"tf":15.968719422671311}`: 26).
const TAIL_MAX: usize = 32;

/// The [`Tail`]s of counts 0..256 (made once).
fn tf_tails() -> &'static [Tail] {
    static TAILS: std::sync::LazyLock<Vec<Tail>> = std::sync::LazyLock::new(|| {
        (0..256u32)
            .map(|count| {
                let text = tf_tail(count);
                let mut bytes = [0u8; TAIL_MAX];
                bytes[..text.len()].copy_from_slice(&text);
                Tail {
                    bytes,
                    len: text.len(),
                }
            })
            .collect()
    });
    &TAILS
}

fn tf_tail(count: u32) -> Vec<u8> {
    format!("\":{{\"tf\":{}}}", tf_text(count)).into_bytes()
}

/// [`ref_key`] folded into one integer (cheap to sort on).
fn ref_sort_key(id: u32) -> u64 {
    let (k, digits) = ref_key(id);
    (k << 4) | u64::from(digits)
}

/// Puts postings given as (id, count) into elasticlunr's ref order (ids as decimal strings).
/// Postings sorted by id (as the build makes them) are ids of at most ten digit counts, each
/// run already in string order, so they are merged in one pass; others are sorted.
fn into_ref_order(postings: &mut Vec<(u32, u32)>, merged: &mut Vec<(u32, u32)>) {
    if postings.is_sorted_by_key(|p| ref_sort_key(p.0)) {
        return;
    }
    if !postings.is_sorted_by_key(|p| p.0) {
        postings.sort_unstable_by_key(|p| ref_sort_key(p.0));
        return;
    }
    // Runs of equal digit count: (start, end) in `postings`, and the run's
    // [`ref_sort_key`] as a multiplier and a tag (the same for the whole run).
    let mut runs: Vec<(usize, usize, u64, u64)> = Vec::with_capacity(10);
    let mut start = 0;
    let mut digits: u32 = 1;
    while start < postings.len() && digits <= 10 {
        let bound = 10u64.pow(digits);
        let end = postings.partition_point(|p| u64::from(p.0) < bound);
        if end > start {
            runs.push((start, end, 10u64.pow(10 - digits) << 4, u64::from(digits)));
            start = end;
        }
        digits += 1;
    }
    debug_assert_eq!(start, postings.len(), "a u32 has at most ten digits");
    let key = |id: u32, run: &(usize, usize, u64, u64)| (u64::from(id) * run.2) | run.3;
    merged.clear();
    merged.reserve(postings.len());
    let mut heads: Vec<u64> = runs.iter().map(|r| key(postings[r.0].0, r)).collect();
    while !runs.is_empty() {
        let mut best = 0;
        for (r, &k) in heads.iter().enumerate().skip(1) {
            if k < heads[best] {
                best = r;
            }
        }
        let (s, e, ..) = runs[best];
        merged.push(postings[s]);
        if s + 1 < e {
            runs[best].0 = s + 1;
            heads[best] = key(postings[s + 1].0, &runs[best]);
        } else {
            runs.swap_remove(best);
            heads.swap_remove(best);
        }
    }
    std::mem::swap(postings, merged);
}

/// Writes `{"<ref>":{"tf":..},...},"df":n` for postings given as (id, count) in ref order.
/// Postings are formatted into a stack buffer with fixed-size copies (this writes ~2.5 GB
/// of JSON at 100k articles) and the buffer appended to `out` when nearly full.
fn write_docs(out: &mut Vec<u8>, postings: &[(u32, u32)], tails: &[Tail]) {
    /// Bytes one posting can take: `,"`, ten digits, a tail.
    const POSTING_MAX: usize = 2 + 10 + TAIL_MAX;
    const FLUSH_AT: usize = 4096;
    let mut buf = [0u8; FLUSH_AT + POSTING_MAX];
    let mut at = 0;
    out.reserve(postings.len() * 20 + 16);
    out.push(b'{');
    for (i, &(id, count)) in postings.iter().enumerate() {
        if at >= FLUSH_AT {
            out.extend_from_slice(&buf[..at]);
            at = 0;
        }
        if i > 0 {
            buf[at] = b',';
            at += 1;
        }
        buf[at] = b'"';
        at += 1;
        at += put_decimal(&mut buf[at..at + 10], id);
        match tails.get(count as usize) {
            Some(tail) => {
                buf[at..at + TAIL_MAX].copy_from_slice(&tail.bytes);
                at += tail.len;
            }
            None => {
                // Counts of 256 and more: rare, and their tails are at most 30 bytes
                // (the square root of a u32 is below 65 536).
                let tail = tf_tail(count);
                buf[at..at + tail.len()].copy_from_slice(&tail);
                at += tail.len();
            }
        }
    }
    out.extend_from_slice(&buf[..at]);
    out.extend_from_slice(b"},\"df\":");
    push_decimal(out, postings.len() as u32);
}

/// Two decimal digits for each value 0..100.
const DIGIT_PAIRS: &[u8; 200] = b"\
    0001020304050607080910111213141516171819\
    2021222324252627282930313233343536373839\
    4041424344454647484950515253545556575859\
    6061626364656667686970717273747576777879\
    8081828384858687888990919293949596979899";

/// Writes the decimal digits of `v` at the start of `buf` (ten bytes); returns how many.
fn put_decimal(buf: &mut [u8], mut v: u32) -> usize {
    let len = v.checked_ilog10().unwrap_or(0) as usize + 1;
    let mut end = len;
    while v >= 100 {
        let pair = (v % 100) as usize * 2;
        v /= 100;
        buf[end - 2..end].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
        end -= 2;
    }
    if v >= 10 {
        let pair = v as usize * 2;
        buf[end - 2..end].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    } else {
        buf[end - 1] = b'0' + v as u8;
    }
    len
}

/// Appends the decimal digits of `v`.
fn push_decimal(buf: &mut Vec<u8>, v: u32) {
    let mut digits = [0u8; 10];
    let len = put_decimal(&mut digits, v);
    buf.extend_from_slice(&digits[..len]);
}

fn write_field_trie<T: Borrow<TermPostings>>(
    w: &mut Vec<u8>,
    terms: &[T],
    field: u8,
    tails: &[Tail],
) -> io::Result<()> {
    w.write_all(b"{\"root\":{\"docs\":{},\"df\":0")?;
    let mut path: Vec<char> = Vec::new();
    let mut postings: Vec<(u32, u32)> = Vec::new();
    let mut merged: Vec<(u32, u32)> = Vec::new();
    let mut chars: Vec<char> = Vec::new();
    for tp in terms {
        let tp = tp.borrow();
        postings.clear();
        postings.extend(
            tp.postings
                .iter()
                .filter(|p| p.field == field)
                .map(|p| (p.doc, p.count)),
        );
        if postings.is_empty() || tp.term.is_empty() {
            continue;
        }
        chars.clear();
        chars.extend(tp.term.chars());
        let common = path.iter().zip(&chars).take_while(|(a, b)| a == b).count();
        for _ in common..path.len() {
            w.write_all(b"}")?;
        }
        path.truncate(common);
        let mut cbuf = [0u8; 4];
        for (j, c) in chars.iter().enumerate().skip(common) {
            w.write_all(b",")?;
            write_str(w, c.encode_utf8(&mut cbuf))?;
            w.write_all(b":{\"docs\":")?;
            if j + 1 == chars.len() {
                into_ref_order(&mut postings, &mut merged);
                write_docs(w, &postings, tails);
            } else {
                w.write_all(b"{},\"df\":0")?;
            }
            path.push(*c);
        }
        if common == chars.len() {
            // The term equals the open path: only possible for duplicate input terms.
            return Err(io::Error::other(format!("duplicate term {:?}", tp.term)));
        }
    }
    for _ in 0..path.len() {
        w.write_all(b"}")?;
    }
    w.write_all(b"}}")
}

/// Writes one elasticlunr index JSON holding `terms` (sorted by term, unique).
pub fn write_index_json<T: Borrow<TermPostings>>(
    w: &mut Vec<u8>,
    terms: &[T],
    store: DocStore<'_>,
) -> io::Result<()> {
    w.write_all(b"{\"fields\":[")?;
    for (i, f) in FIELDS.iter().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        write_str(w, f)?;
    }
    write!(
        w,
        "],\"pipeline\":[],\"ref\":\"id\",\"version\":\"{}\",\"index\":{{",
        elasticlunr::ELASTICLUNR_VERSION
    )?;
    let tails = tf_tails();
    for (i, &f) in FIELDS_SORTED.iter().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        write_str(w, FIELDS[f])?;
        w.write_all(b":")?;
        write_field_trie(w, terms, f as u8, tails)?;
    }
    w.write_all(b"},\"documentStore\":{\"save\":false,")?;
    match store {
        DocStore::CountOnly(n) => write!(w, "\"docs\":{{}},\"docInfo\":{{}},\"length\":{n}")?,
        DocStore::Full(lengths) => {
            let refs = sorted_refs(0..lengths.len() as u32);
            w.write_all(b"\"docs\":{")?;
            for (i, (r, _)) in refs.iter().enumerate() {
                if i > 0 {
                    w.write_all(b",")?;
                }
                write!(w, "\"{r}\":{{}}")?;
            }
            w.write_all(b"},\"docInfo\":{")?;
            for (i, (r, id)) in refs.iter().enumerate() {
                if i > 0 {
                    w.write_all(b",")?;
                }
                let len = lengths[*id as usize];
                write!(w, "\"{r}\":{{")?;
                for (k, &f) in FIELDS_SORTED.iter().enumerate() {
                    if k > 0 {
                        w.write_all(b",")?;
                    }
                    write!(w, "\"{}\":{}", FIELDS[f], len[f])?;
                }
                w.write_all(b"}")?;
            }
            write!(w, "}},\"length\":{}", lengths.len())?;
        }
    }
    w.write_all(b"},\"lang\":\"FolioBigram\"}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ref_order_is_string_order() {
        let mut ids: Vec<u32> = vec![0, 1, 2, 9, 10, 11, 19, 100, 99, 1000, 4_294_967_295, 5];
        let mut by_string = ids.clone();
        by_string.sort_by_key(|i| i.to_string());
        ids.sort_by_key(|&i| ref_key(i));
        assert_eq!(ids, by_string);
        assert_eq!(tf_text(2), "1.4142135623730951");
        assert_eq!(tf_tail(1), b"\":{\"tf\":1.0}");
        // Counts past the table are formatted on the spot, the same way.
        let mut out = Vec::new();
        write_docs(&mut out, &[(3, 1000), (4, 1)], tf_tails());
        let want = format!(
            r#"{{"3":{{"tf":{}}},"4":{{"tf":1.0}}}},"df":2"#,
            serde_json::to_string(&1000f64.sqrt()).unwrap()
        );
        assert_eq!(String::from_utf8(out).unwrap(), want);
    }

    #[test]
    fn postings_format_as_serde_json_writes_them() {
        // Every digit count, counts in and past the tail table, lists longer than the
        // formatting buffer; against serde_json formatting each posting.
        let mut rng = crate::bench::generate::Rng::new(7);
        let mut next = move || rng.next_u64() as u32;
        let mut ids: Vec<u32> = vec![0, 9, 10, 99, 100, 999, 1000, 65_535, 999_999, u32::MAX];
        ids.extend((0..3000).map(|i| next() >> (i % 32)));
        for len in [0, 1, 2, 150, 3010] {
            let postings: Vec<(u32, u32)> = ids
                .iter()
                .take(len)
                .map(|&id| (id, [1, 2, 3, 255, 256, 1000, u32::MAX][(id % 7) as usize]))
                .collect();
            let mut out = Vec::new();
            write_docs(&mut out, &postings, tf_tails());
            let body: Vec<String> = (postings.iter())
                .map(|&(id, count)| {
                    let tf = serde_json::to_string(&f64::from(count).sqrt()).unwrap();
                    format!(r#""{id}":{{"tf":{tf}}}"#)
                })
                .collect();
            let want = format!(r#"{{{}}},"df":{len}"#, body.join(","));
            assert_eq!(String::from_utf8(out).unwrap(), want, "{len} postings");
        }
        for id in ids {
            let mut digits = Vec::new();
            push_decimal(&mut digits, id);
            assert_eq!(digits, id.to_string().as_bytes());
        }
    }

    #[test]
    fn postings_come_out_in_string_order() {
        let mut scratch = Vec::new();
        // Sorted by id (merged by digit count), unsorted (sorted) and already in string order.
        let mut rng = 7u64;
        let mut ids: Vec<u32> = (0..2000)
            .map(|_| {
                rng = rng
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((rng >> 33) % 200_000) as u32
            })
            .collect();
        ids.extend([0, 9, 10, 99, 100, 4_294_967_295]);
        ids.sort_unstable();
        ids.dedup();
        let mut want: Vec<(u32, u32)> = ids.iter().map(|&i| (i, i % 3)).collect();
        want.sort_by_key(|p| p.0.to_string());
        let mut shuffled: Vec<(u32, u32)> = want.iter().rev().copied().collect();
        shuffled.rotate_left(17);
        for mut input in [
            ids.iter().map(|&i| (i, i % 3)).collect::<Vec<_>>(),
            shuffled,
            want.clone(),
            Vec::new(),
        ] {
            let empty = input.is_empty();
            into_ref_order(&mut input, &mut scratch);
            assert_eq!(input, if empty { Vec::new() } else { want.clone() });
        }
    }

    #[test]
    fn nested_trie_with_prefix_terms() {
        let terms = vec![
            TermPostings {
                term: "a".into(),
                postings: vec![Posting {
                    doc: 10,
                    field: 0,
                    count: 1,
                }],
            },
            TermPostings {
                term: "ab".into(),
                postings: vec![
                    Posting {
                        doc: 2,
                        field: 0,
                        count: 2,
                    },
                    Posting {
                        doc: 10,
                        field: 0,
                        count: 1,
                    },
                ],
            },
        ];
        let mut out = Vec::new();
        write_field_trie(&mut out, &terms, 0, tf_tails()).unwrap();
        let s = String::from_utf8(out).unwrap();
        assert_eq!(
            s,
            r#"{"root":{"docs":{},"df":0,"a":{"docs":{"10":{"tf":1.0}},"df":1,"b":{"docs":{"10":{"tf":1.0},"2":{"tf":1.4142135623730951}},"df":2}}}}"#
        );
    }
}
