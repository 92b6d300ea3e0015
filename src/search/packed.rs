//! Packed postings of common terms, `t/<k>.p.bin`: the postings of every term of shard k
//! held by more than `json_list_max` documents (see `shards::FacetSource::packs`), which the
//! shard's elasticlunr JSON then leaves out. A browser downloads and reads them an order of
//! magnitude faster: a term in most articles costs ~20 bytes per posting in JSON but about one
//! bit (plus its count) here, so a query of several common terms stays small at 100k
//! articles, and the output of a large archive is less than half as big. The JSON shards and
//! these files together hold exactly elasticlunr-rs's index (`tests/search_lunr_compat.rs`).
//!
//! The shard directory `t/d<g>.json` names the packed terms, so `search.js` knows before any
//! download which file answers a term. Layout (little-endian):
//!
//! - u32 m (terms, in shard order); m term byte lengths (u8); the terms' UTF-8 bytes;
//!   m payload lengths (u32); the payloads.
//! - A payload is, for each of the four fields in order: u32 df (postings in the field);
//!   u8 form; u32 n; n bytes of document ids — form 0: LEB128 gaps (the first id, then each
//!   id minus the previous one), form 1: a bitmap of the index's documents (bit `id % 8` of
//!   byte `id / 8`); df count bytes (occurrences in the field per document in id order,
//!   255 meaning "see the exceptions"); u32 e; e × (u32 position, u32 count) for counts of
//!   255 or more. elasticlunr's `tf` is the square root of the count.
//! - Then u32 t; t bytes of facet counts over ALL documents (`FacetTable::encode_counts`
//!   format); u32 c; c bytes: the facet block (`facets/<b>.bin` format) of the documents
//!   WITHOUT the term in any field. Both are empty (t = c = 0) unless the term is in at least
//!   half of the documents: then the facets of the hits of a query made only of such terms
//!   are the totals minus those of the documents lacking one of them, so the query needs no
//!   facet block.
//!
//! This module must NOT decide shard boundaries or write files.

use super::lunr_json::{Posting, TermPostings};
use super::store::FacetTable;
use super::varint;

/// Postings of one term in one field: (document id, occurrences), ascending by id.
pub type FieldPostings = Vec<(u32, u32)>;

/// One decoded term of a packed file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackedTerm {
    /// Postings per field (title, kicker, body, authors).
    pub fields: [FieldPostings; 4],
    /// For a term in at least half of the documents: facet counts over all documents and the
    /// facet block of the documents without the term.
    pub complement: Option<(Vec<u8>, Vec<u8>)>,
}

/// Why a packed file could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("packed postings: {0}")]
pub struct PackedError(&'static str);

/// Encodes the packed file of `terms` (see the module doc).
pub fn encode(terms: &[&TermPostings], table: &FacetTable, docs: usize) -> Vec<u8> {
    let payloads: Vec<Vec<u8>> = terms
        .iter()
        .map(|tp| encode_term(tp, table, docs))
        .collect();
    let mut out = term_header(terms.iter().map(|tp| tp.term.as_str()));
    for p in &payloads {
        out.extend_from_slice(&(p.len() as u32).to_le_bytes());
    }
    for p in payloads {
        out.extend_from_slice(&p);
    }
    out
}

/// The start of a packed file and of a facet lists file (`shards`): u32 m; m term byte
/// lengths (u8, a term is cut at 255 bytes); the terms' UTF-8 bytes.
pub fn term_header<'a>(terms: impl ExactSizeIterator<Item = &'a str> + Clone) -> Vec<u8> {
    let mut out = (terms.len() as u32).to_le_bytes().to_vec();
    out.extend(terms.clone().map(|t| t.len().min(255) as u8));
    for t in terms {
        out.extend_from_slice(&t.as_bytes()[..t.len().min(255)]);
    }
    out
}

fn push_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn encode_term(tp: &TermPostings, table: &FacetTable, docs: usize) -> Vec<u8> {
    let mut fields: [FieldPostings; 4] = Default::default();
    for p in &tp.postings {
        if let Some(f) = fields.get_mut(usize::from(p.field)) {
            f.push((p.doc, p.count));
        }
    }
    let mut out = Vec::new();
    let mut all: Vec<u32> = Vec::new();
    for f in &mut fields {
        f.sort_unstable();
        push_u32(&mut out, f.len() as u32);
        let mut gaps = Vec::new();
        let mut prev = None;
        for &(doc, _) in f.iter() {
            varint::put(&mut gaps, u64::from(prev.map_or(doc, |p| doc - p)));
            prev = Some(doc);
        }
        let bitmap_len = docs.div_ceil(8);
        let fits = f.iter().all(|&(doc, _)| (doc as usize) < docs);
        if fits && bitmap_len < gaps.len() {
            let mut bits = vec![0u8; bitmap_len];
            for &(doc, _) in f.iter() {
                bits[doc as usize / 8] |= 1 << (doc % 8);
            }
            out.push(1);
            push_u32(&mut out, bits.len() as u32);
            out.extend_from_slice(&bits);
        } else {
            out.push(0);
            push_u32(&mut out, gaps.len() as u32);
            out.extend_from_slice(&gaps);
        }
        out.extend(f.iter().map(|&(_, c)| c.min(255) as u8));
        let big: Vec<(usize, u32)> = (f.iter().enumerate())
            .filter(|(_, p)| p.1 >= 255)
            .map(|(i, p)| (i, p.1))
            .collect();
        push_u32(&mut out, big.len() as u32);
        for (i, c) in big {
            push_u32(&mut out, i as u32);
            push_u32(&mut out, c);
        }
    }
    // The documents holding the term in any field (the build's postings come sorted by
    // document: then this needs no sort).
    all.extend(tp.postings.iter().filter(|p| p.field < 4).map(|p| p.doc));
    if !all.is_sorted() {
        all.sort_unstable();
    }
    all.dedup();
    if all.len() * 2 >= docs && docs > 0 {
        let mut missing = Vec::with_capacity(docs - all.len().min(docs));
        let mut next = all.iter().peekable();
        for id in 0..docs as u32 {
            if next.peek() == Some(&&id) {
                next.next();
            } else {
                missing.push(id);
            }
        }
        // Counted once per table, whatever the number of such terms.
        let totals = table.encode_all_counts();
        push_u32(&mut out, totals.len() as u32);
        out.extend_from_slice(&totals);
        let block = table.encode(&missing);
        push_u32(&mut out, block.len() as u32);
        out.extend_from_slice(&block);
    } else {
        push_u32(&mut out, 0);
        push_u32(&mut out, 0);
    }
    out
}

/// A little-endian reader over a packed file.
struct Reader<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn bytes(&mut self, n: usize) -> Result<&'a [u8], PackedError> {
        let end = self
            .at
            .checked_add(n)
            .ok_or(PackedError("length overflow"))?;
        let out = self
            .data
            .get(self.at..end)
            .ok_or(PackedError("truncated"))?;
        self.at = end;
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8, PackedError> {
        Ok(self.bytes(1)?[0])
    }

    fn u32(&mut self) -> Result<u32, PackedError> {
        let b = self.bytes(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
}

/// The terms of a packed file, in order.
pub fn terms(data: &[u8]) -> Result<Vec<String>, PackedError> {
    Ok(entries(data)?.into_iter().map(|(t, _)| t).collect())
}

/// (term, payload) of every term of a packed file.
fn entries(data: &[u8]) -> Result<Vec<(String, &[u8])>, PackedError> {
    let mut r = Reader { data, at: 0 };
    let m = r.u32()? as usize;
    let lens = r.bytes(m)?.to_vec();
    let mut names = Vec::with_capacity(m.min(data.len()));
    for len in lens {
        let bytes = r.bytes(usize::from(len))?;
        names.push(String::from_utf8(bytes.to_vec()).map_err(|_| PackedError("term not UTF-8"))?);
    }
    let mut sizes = Vec::with_capacity(names.len());
    for _ in 0..names.len() {
        sizes.push(r.u32()? as usize);
    }
    let mut out = Vec::with_capacity(names.len());
    for (name, size) in names.into_iter().zip(sizes) {
        out.push((name, r.bytes(size)?));
    }
    if r.at != data.len() {
        return Err(PackedError("trailing bytes"));
    }
    Ok(out)
}

/// Decodes `term` from a packed file of an index of `docs` documents (`None`: not in it).
pub fn decode(data: &[u8], term: &str, docs: usize) -> Result<Option<PackedTerm>, PackedError> {
    let Some((_, payload)) = entries(data)?.into_iter().find(|(t, _)| t == term) else {
        return Ok(None);
    };
    decode_payload(payload, docs).map(Some)
}

/// Every term of a packed file with its postings (sorted by document, then field), in the
/// file's order: what the build packed, for an incremental rebuild to merge changes into.
pub fn decode_all(data: &[u8], docs: usize) -> Result<Vec<TermPostings>, PackedError> {
    entries(data)?
        .into_iter()
        .map(|(term, payload)| {
            let decoded = decode_payload(payload, docs)?;
            let mut postings: Vec<Posting> = (decoded.fields.iter().zip(0u8..))
                .flat_map(|(list, field)| {
                    (list.iter()).map(move |&(doc, count)| Posting { doc, field, count })
                })
                .collect();
            postings.sort_unstable_by_key(|p| (p.doc, p.field));
            Ok(TermPostings { term, postings })
        })
        .collect()
}

fn decode_payload(payload: &[u8], docs: usize) -> Result<PackedTerm, PackedError> {
    let mut r = Reader {
        data: payload,
        at: 0,
    };
    let mut fields: [FieldPostings; 4] = Default::default();
    for f in &mut fields {
        let df = r.u32()? as usize;
        let form = r.u8()?;
        let n = r.u32()? as usize;
        let ids_bytes = r.bytes(n)?;
        let mut ids = Vec::with_capacity(df.min(payload.len()));
        match form {
            0 => {
                let (mut at, mut prev) = (0, None::<u32>);
                while at < ids_bytes.len() {
                    let gap = varint::get_u32(ids_bytes, &mut at).ok_or(PackedError("bad gap"))?;
                    let id = match prev {
                        None => gap,
                        Some(p) => p.checked_add(gap).ok_or(PackedError("id overflow"))?,
                    };
                    ids.push(id);
                    prev = Some(id);
                }
            }
            1 => {
                for (i, &b) in ids_bytes.iter().enumerate() {
                    for bit in 0..8 {
                        if b & (1 << bit) != 0 && i * 8 + bit < docs {
                            ids.push((i * 8 + bit) as u32);
                        }
                    }
                }
            }
            _ => return Err(PackedError("unknown id form")),
        }
        if ids.len() != df {
            return Err(PackedError("id count differs from df"));
        }
        let counts = r.bytes(df)?;
        *f = ids
            .into_iter()
            .zip(counts.iter().map(|&c| u32::from(c)))
            .collect();
        for _ in 0..r.u32()? {
            let (i, c) = (r.u32()? as usize, r.u32()?);
            f.get_mut(i).ok_or(PackedError("exception out of range"))?.1 = c;
        }
    }
    let t = r.u32()? as usize;
    let totals = r.bytes(t)?.to_vec();
    let c = r.u32()? as usize;
    let block = r.bytes(c)?.to_vec();
    if r.at != payload.len() {
        return Err(PackedError("trailing payload bytes"));
    }
    Ok(PackedTerm {
        fields,
        complement: (t > 0).then_some((totals, block)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(n: u16) -> FacetTable {
        let mut t = FacetTable::default();
        for d in 0..n {
            t.push(2000 + d % 3, &[d % 2], &[d % 4, 7]);
        }
        t
    }

    fn tp(term: &str, postings: &[(u32, u8, u32)]) -> TermPostings {
        TermPostings {
            term: term.into(),
            postings: (postings.iter())
                .map(|&(doc, field, count)| Posting { doc, field, count })
                .collect(),
        }
    }

    #[test]
    fn packed_terms_decode_to_their_postings() {
        let t = table(40);
        // "ab": dense in the body (bitmap form), with a count past 255; in most documents.
        let mut dense: Vec<(u32, u8, u32)> = (0..40)
            .filter(|d| d % 5 != 0)
            .map(|d| (d, 2, if d == 7 { 300 } else { 1 + d % 3 }))
            .collect();
        dense.push((3, 0, 2));
        // "cd": a few documents (gap form), no complement.
        let sparse = [(2, 2, 1), (30, 2, 4), (200, 1, 1)];
        let (a, b) = (tp("ab", &dense), tp("cd", &sparse));
        let data = encode(&[&a, &b], &t, 40);
        assert_eq!(terms(&data).unwrap(), ["ab", "cd"]);
        // Postings in document order (as the build gives them) encode the same.
        let mut in_order = dense.clone();
        in_order.sort_unstable();
        assert_eq!(encode(&[&tp("ab", &in_order), &b], &t, 40), data);
        let got = decode(&data, "ab", 40).unwrap().unwrap();
        let want = |src: &[(u32, u8, u32)], field: u8| -> FieldPostings {
            let mut v: FieldPostings = (src.iter())
                .filter(|p| p.1 == field)
                .map(|p| (p.0, p.2))
                .collect();
            v.sort_unstable();
            v
        };
        for f in 0..4u8 {
            assert_eq!(got.fields[usize::from(f)], want(&dense, f), "field {f}");
        }
        let (totals, block) = got.complement.unwrap();
        assert_eq!(totals, t.encode_all_counts());
        assert_eq!(block, t.encode(&[0, 5, 10, 15, 20, 25, 30, 35]));
        let cd = decode(&data, "cd", 40).unwrap().unwrap();
        assert_eq!(cd.fields[2], [(2, 1), (30, 4)]);
        assert_eq!(cd.fields[1], [(200, 1)]);
        assert_eq!(cd.complement, None);
        assert_eq!(decode(&data, "zz", 40).unwrap(), None);
        // Forms: after the 18-byte header, "ab"'s title (1 id) and kicker (none) are gap
        // lists; its body (32 of 40 documents) a 5-byte bitmap.
        assert_eq!((data[22], data[37], data[50]), (0, 0, 1));
    }

    #[test]
    fn damaged_files_are_errors() {
        let t = table(4);
        let a = tp("ab", &[(0, 2, 1), (1, 2, 1)]);
        let data = encode(&[&a], &t, 4);
        for cut in 0..data.len() {
            assert!(decode(&data[..cut], "ab", 4).is_err(), "cut at {cut}");
        }
        let mut longer = data.clone();
        longer.push(0);
        assert!(decode(&longer, "ab", 4).is_err());
    }

    #[test]
    fn a_gap_list_ending_inside_a_varint_is_an_error() {
        let t = table(300);
        // Document 200 alone in the title: its gap list is the varint C8 01.
        let b = tp("cd", &[(2, 2, 1), (30, 2, 4), (200, 0, 1)]);
        let mut data = encode(&[&b], &t, 300);
        assert!(decode(&data, "cd", 300).is_ok());
        let at: Vec<usize> = (0..data.len() - 1)
            .filter(|&i| data[i..i + 2] == [0xC8, 0x01])
            .collect();
        assert_eq!(at.len(), 1, "{data:?}");
        data[at[0] + 1] = 0x81; // the varint now runs past the list's end
        assert!(decode(&data, "cd", 300).is_err());
    }
}
