//! Cuts the sorted term stream into shards by term range and writes them:
//! `t/<k>.json` is an elasticlunr index JSON holding every posting of the terms in
//! `[first_k, first_{k+1})`, where `<k>` stands for the shard's name ([`shard_name`]: a hash
//! of its first term, so shards keep their files when an edit adds or removes a shard before
//! them); `t/d<g>.json` (`{"firsts": [..], "packed": [..]}`) lists the
//! first terms of shards `g*dir_group .. (g+1)*dir_group` so a query finds its shard with two
//! tiny downloads (`index.json` holds each group's first term), and the group's terms that
//! have packed postings. A shard closes before a term that would
//! overflow the target size, or once half full before a term its hash picks (see
//! [`Cutter`]), so the shard count grows with the archive (one shard for a small site) and an
//! edit moves few boundaries. A term bigger than the target gets a shard of its own. Shards
//! are formatted and written in parallel.
//!
//! Next to each shard, `t/<k>.f.bin` holds the facet values of each of its terms' documents,
//! so a query learns the facets of its hits from the term with the fewest documents instead
//! of downloading every facet block. Layout (little-endian): u32 m (terms, in shard order);
//! m term byte lengths (u8); the terms' UTF-8 bytes; m kinds (u8); m document counts (u32,
//! distinct documents over all fields); m payload lengths (u32); the payloads. Kind 0: the
//! facet block (format of `facets/<b>.bin`) of the term's documents in id order; kind 1 (a
//! term in more than `list_max` documents): the number of its postings in each field (4 ×
//! u32, for idf) followed by the facet counts over its documents
//! ([`FacetTable::encode_counts`]), enough for a one-term query. Such a term i of shard k also
//! gets a head `t/<k>.h<i>.json`: an elasticlunr index JSON holding only its postings of the
//! `2 × page_size` best-scored documents and the `2 × page_size` newest, so a one-term query
//! shows its first page and exact counts without downloading the whole posting list, and
//! every such term of shard k is packed in `t/<k>.p.bin` (see `packed`), which a query of
//! several terms reads instead of the JSON.
//! This module must NOT tokenize or merge runs.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::SearchOptions;
use super::lunr_json::{DocStore, TermPostings, write_index_json};
use super::packed;
use super::store::FacetTable;

/// Estimated JSON bytes of closed shards held before they are written in parallel.
const PENDING_BYTES: usize = 64 << 20;

/// Estimated JSON bytes of a term's postings (all fields).
pub fn estimate(tp: &TermPostings) -> usize {
    let per_posting: usize = tp
        .postings
        .iter()
        .map(|p| {
            let digits = p.doc.checked_ilog10().unwrap_or(0) as usize + 1;
            digits + if p.count == 1 { 14 } else { 30 }
        })
        .sum();
    40 + tp.term.len() * 2 + per_posting
}

/// The name of the shard at position `k` whose first term is `first`: 16 hex
/// digits of the FNV-1a hash of the first term its directory lists (`""` for
/// shard 0, which starts below every term). A name depends on the shard's
/// first term, not its position, so a shard inserted or removed by an edit
/// leaves the files of every other shard as they were. `search.js` computes
/// the same name from the directory.
pub fn shard_name(k: usize, first: &str) -> String {
    format!("{:016x}", term_hash(if k == 0 { "" } else { first }))
}

/// Checks that the shards starting at `firsts` (in order) have distinct names; else the
/// message names the two first terms whose files would be the same.
pub fn check_names(firsts: &[String]) -> Result<(), String> {
    let mut seen: std::collections::HashMap<String, &str> = Default::default();
    for (k, first) in firsts.iter().enumerate() {
        if let Some(other) = seen.insert(shard_name(k, first), first) {
            return Err(format!(
                "the shards starting at {other:?} and {first:?} have the same file name {}",
                shard_name(k, first)
            ));
        }
    }
    Ok(())
}

/// FNV-1a of the term: a platform-independent pseudo-random cut choice.
fn term_hash(term: &str) -> u64 {
    term.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Decides where shards end, content-defined so that cuts after an edit fall back into their
/// old places within a shard or two (incremental rebuilds keep the shards after that). A
/// shard is closed before a term that would overflow the target; else, once the shard is
/// half full, before a term its hash picks, with a chance of [`PICKS_PER_TARGET`] per
/// target's worth of the term's estimated size (a big term is likely to start a shard).
/// Decisions depend only on the shard's size so far and the next term. After a change, the
/// new and the old cuts meet at the first picked term both pass at least half full; with
/// cuts decided by overflow alone they could drift apart for the rest of the index.
#[derive(Debug, Clone)]
pub struct Cutter {
    target: usize,
    cur: usize,
}

/// Expected picked terms per target's worth of bytes past half full: a shard reaches its
/// target with probability about e^(-PICKS_PER_TARGET/2), 5 % at 6, and holds 2/3 of the
/// target on average.
const PICKS_PER_TARGET: u64 = 6;

impl Cutter {
    /// A cutter aiming at `target` bytes per shard, at the start of a shard.
    pub fn new(target: usize) -> Self {
        Cutter {
            target: target.max(1),
            cur: 0,
        }
    }

    /// Whether a new shard starts at this term (of estimated `size`); then counts it.
    pub fn cut_before(&mut self, term: &str, size: usize) -> bool {
        let cut = self.cur > 0
            && (self.cur.saturating_add(size) > self.target
                || (self.cur >= self.target / 2 && picked(term, size, self.target)));
        if cut {
            self.cur = 0;
        }
        self.cur = self.cur.saturating_add(size);
        cut
    }
}

/// Whether `term`'s hash picks it as a cut, with probability `PICKS_PER_TARGET × size /
/// target` (at most 1).
fn picked(term: &str, size: usize, target: usize) -> bool {
    let threshold = (size as u128 * PICKS_PER_TARGET as u128 * (1u128 << 32)) / target as u128;
    u128::from(term_hash(term) >> 32) < threshold
}

/// The JSON of one shard.
pub fn shard_json(terms: &[TermPostings], docs: usize) -> io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(terms.iter().map(estimate).sum::<usize>() + 4096);
    write_index_json(&mut out, terms, DocStore::CountOnly(docs))?;
    Ok(out)
}

/// Terms in more documents than this get facet counts instead of a facet list
/// (`opts.facet_list_max`, or by default a quarter of the documents, at least 4096).
pub fn list_max(opts: &SearchOptions, docs: usize) -> usize {
    match opts.facet_list_max {
        0 => (docs / 4).max(4096),
        n => n,
    }
}

/// What the facet lists and heads are made of: every document's facet values, the list
/// limit, the field boosts and the head size.
#[derive(Debug, Default)]
pub struct FacetSource {
    /// Facet values of every document.
    pub table: FacetTable,
    /// See [`list_max`].
    pub list_max: usize,
    /// Field boosts in [`super::lunr_json::FIELDS`] order.
    pub boosts: [u32; 4],
    /// Documents of a head by score and, again, by id (2 × page size).
    pub head: usize,
}

impl FacetSource {
    /// Every setting for an index of `docs` documents built with `opts`.
    pub fn new(table: FacetTable, opts: &SearchOptions, docs: usize) -> FacetSource {
        FacetSource {
            table,
            list_max: list_max(opts, docs),
            boosts: [
                opts.boost_title,
                opts.boost_kicker,
                opts.boost_body,
                opts.boost_authors,
            ],
            head: 2 * opts.page_size.max(1),
        }
    }
}

/// Postings in each field of a term.
fn field_dfs(tp: &TermPostings) -> [u32; 4] {
    let mut dfs = [0u32; 4];
    for p in &tp.postings {
        if let Some(d) = dfs.get_mut(usize::from(p.field)) {
            *d += 1;
        }
    }
    dfs
}

/// The head of a common term: its postings of the `src.head` best-scored documents (score as
/// search.js computes it: per field in order, boost × (1 + ln(n / (df + 1))) × √count, summed;
/// ties by id) and of the `src.head` lowest ids.
pub fn head(tp: &TermPostings, src: &FacetSource, docs: usize) -> TermPostings {
    let dfs = field_dfs(tp);
    let n = docs as f64;
    let mut by_doc: Vec<(u32, [u32; 4])> = Vec::new();
    let mut sorted = tp.postings.clone();
    sorted.sort_unstable_by_key(|p| (p.doc, p.field));
    for p in &sorted {
        if by_doc.last().is_none_or(|d| d.0 != p.doc) {
            by_doc.push((p.doc, [0; 4]));
        }
        if let (Some(last), true) = (by_doc.last_mut(), usize::from(p.field) < 4) {
            last.1[usize::from(p.field)] = p.count;
        }
    }
    let mut scored: Vec<(f64, u32)> = by_doc
        .iter()
        .map(|(doc, counts)| {
            let mut s = 0.0f64;
            for f in 0..4 {
                if counts[f] > 0 {
                    let idf = 1.0 + (n / (f64::from(dfs[f]) + 1.0)).ln();
                    s += f64::from(src.boosts[f].max(1)) * idf * f64::from(counts[f]).sqrt();
                }
            }
            (s, *doc)
        })
        .collect();
    scored.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut keep: Vec<u32> = scored.iter().take(src.head).map(|x| x.1).collect();
    keep.extend(by_doc.iter().take(src.head).map(|x| x.0));
    keep.sort_unstable();
    keep.dedup();
    TermPostings {
        term: tp.term.clone(),
        postings: (tp.postings.iter())
            .filter(|p| keep.binary_search(&p.doc).is_ok())
            .copied()
            .collect(),
    }
}

/// The facet lists file `t/<k>.f.bin` of a shard's terms (see the module doc), and for each
/// term whether it is common (in more than `list_max` documents: counts instead of a list).
pub fn facet_lists(
    terms: &[TermPostings],
    table: &FacetTable,
    list_max: usize,
) -> (Vec<u8>, Vec<bool>) {
    let mut out = packed::term_header(terms.iter().map(|tp| tp.term.as_str()));
    // Every payload goes into one buffer, its end recorded, and is copied once.
    let mut payloads = Vec::new();
    let mut ends = Vec::with_capacity(terms.len());
    let mut dfs = Vec::with_capacity(terms.len());
    let mut common = Vec::with_capacity(terms.len());
    let mut docs: Vec<u32> = Vec::new();
    for tp in terms {
        docs.clear();
        docs.extend(tp.postings.iter().map(|p| p.doc));
        docs.sort_unstable();
        docs.dedup();
        let list = docs.len() <= list_max;
        out.push(u8::from(!list));
        common.push(!list);
        dfs.push(docs.len() as u32);
        if list {
            table.encode_into(&docs, &mut payloads);
        } else {
            payloads.extend(field_dfs(tp).iter().flat_map(|d| d.to_le_bytes()));
            payloads.extend(table.encode_counts(&docs));
        }
        ends.push(payloads.len());
    }
    out.reserve(8 * terms.len() + payloads.len());
    for df in dfs {
        out.extend_from_slice(&df.to_le_bytes());
    }
    let mut start = 0;
    for end in ends {
        out.extend_from_slice(&((end - start) as u32).to_le_bytes());
        start = end;
    }
    out.extend_from_slice(&payloads);
    (out, common)
}

/// One shard written: (number, JSON bytes, side file bytes, packed terms).
type Written = (usize, u64, u64, Vec<String>);

/// Streams terms into shard files.
pub struct ShardWriter {
    dir: PathBuf,
    docs: usize,
    facets: Arc<FacetSource>,
    cutter: Cutter,
    current: Vec<TermPostings>,
    current_bytes: usize,
    /// Closed shards not yet written: (number, terms), written in parallel in groups.
    pending: Vec<(usize, Vec<TermPostings>)>,
    pending_bytes: usize,
    /// Number of the next shard.
    next: usize,
    /// First term of every shard closed, in order.
    pub firsts: Vec<String>,
    /// Bytes written.
    pub bytes: u64,
    /// Terms written.
    pub terms: u64,
    /// (shard number, bytes) of every shard written.
    pub written: Vec<(usize, u64)>,
    /// Terms of every shard written with a packed postings file `t/<k>.p.bin`.
    pub packed: BTreeMap<usize, Vec<String>>,
}

impl ShardWriter {
    /// Writes shards under `out_dir/t/`, aiming at `target` bytes each, numbered from
    /// `first`.
    pub fn new(out_dir: &Path, target: usize, docs: usize, first: usize) -> io::Result<Self> {
        let dir = out_dir.join("t");
        fs::create_dir_all(&dir)?;
        Ok(ShardWriter {
            dir,
            docs,
            facets: Arc::new(FacetSource::default()),
            cutter: Cutter::new(target),
            current: Vec::new(),
            current_bytes: 0,
            pending: Vec::new(),
            pending_bytes: 0,
            next: first,
            firsts: Vec::new(),
            bytes: 0,
            terms: 0,
            written: Vec::new(),
            packed: BTreeMap::new(),
        })
    }

    /// Encodes the facet lists `t/<k>.f.bin` from `facets` (the values of every document).
    pub fn with_facets(mut self, facets: Arc<FacetSource>) -> Self {
        self.facets = facets;
        self
    }

    /// Adds the next term (terms must come in byte order); returns true if it starts a new
    /// shard.
    pub fn add(&mut self, tp: TermPostings) -> io::Result<bool> {
        let size = estimate(&tp);
        let cut = self.cutter.cut_before(&tp.term, size);
        if cut {
            self.flush()?;
        }
        self.current_bytes += size;
        self.terms += 1;
        self.current.push(tp);
        Ok(cut)
    }

    /// The cutter's state (to probe where the next term would fall).
    pub fn cutter(&self) -> &Cutter {
        &self.cutter
    }

    /// Closes the current shard; writes the pending ones once they hold enough postings.
    fn flush(&mut self) -> io::Result<()> {
        let Some(first) = self.current.first() else {
            return Ok(());
        };
        self.firsts.push(first.term.clone());
        let terms = std::mem::take(&mut self.current);
        self.pending.push((self.next, terms));
        self.next += 1;
        self.pending_bytes += self.current_bytes;
        self.current_bytes = 0;
        if self.pending_bytes >= PENDING_BYTES {
            self.write_pending()?;
        }
        Ok(())
    }

    /// Formats and writes the pending shards in parallel (rayon).
    fn write_pending(&mut self) -> io::Result<()> {
        let pending = std::mem::take(&mut self.pending);
        self.pending_bytes = 0;
        let docs = self.docs;
        let dir = &self.dir;
        let src = &*self.facets;
        let (facets, max) = (&src.table, src.list_max);
        let sizes: Vec<io::Result<Written>> = pending
            .par_iter()
            .map(|(k, terms)| {
                let data = shard_json(terms, docs)?;
                let name = shard_name(*k, terms.first().map_or("", |tp| tp.term.as_str()));
                fs::write(dir.join(format!("{name}.json")), &data)?;
                let (lists, is_common) = facet_lists(terms, facets, max);
                fs::write(dir.join(format!("{name}.f.bin")), &lists)?;
                let mut side = lists.len() as u64;
                let mut common = Vec::new();
                for (i, (tp, is_common)) in terms.iter().zip(is_common).enumerate() {
                    if !is_common {
                        continue;
                    }
                    let head = shard_json(&[head(tp, src, docs)], docs)?;
                    fs::write(dir.join(format!("{name}.h{i}.json")), &head)?;
                    side += head.len() as u64;
                    // The packed file's header holds terms of up to 255 bytes.
                    if tp.term.len() <= 255 {
                        common.push(tp);
                    }
                }
                if !common.is_empty() {
                    let data = packed::encode(&common, facets, docs);
                    fs::write(dir.join(format!("{name}.p.bin")), &data)?;
                    side += data.len() as u64;
                }
                let names = common.iter().map(|tp| tp.term.clone()).collect();
                Ok((*k, data.len() as u64, side, names))
            })
            .collect();
        for size in sizes {
            let (k, n, f, names) = size?;
            self.bytes += n + f;
            self.written.push((k, n));
            if !names.is_empty() {
                self.packed.insert(k, names);
            }
        }
        Ok(())
    }

    /// Closes and writes the open shard and everything pending. With no terms at all and
    /// `empty_ok`, writes one valid, empty shard.
    pub fn finish(&mut self, empty_ok: bool) -> io::Result<()> {
        if empty_ok && self.current.is_empty() && self.firsts.is_empty() {
            let data = shard_json(&[], self.docs)?;
            let name = shard_name(self.next, "");
            fs::write(self.dir.join(format!("{name}.json")), &data)?;
            let (lists, _) = facet_lists(&[], &self.facets.table, self.facets.list_max);
            fs::write(self.dir.join(format!("{name}.f.bin")), &lists)?;
            self.bytes += (data.len() + lists.len()) as u64;
            self.written.push((self.next, data.len() as u64));
            self.firsts.push(String::new());
            self.next += 1;
            return Ok(());
        }
        self.flush()?;
        self.write_pending()
    }
}

/// A shard directory file `t/d<g>.json`.
#[derive(Debug, Serialize, Deserialize)]
pub struct Directory {
    /// First term of each shard of the group (the very first shard's is "").
    pub firsts: Vec<String>,
    /// The group's terms that have packed postings (`t/<k>.p.bin` of their shard), ascending.
    pub packed: Vec<String>,
}

/// Writes the shard directory files `t/d<g>.json` for all shards' first terms and packed
/// terms (by shard position); returns each group's first term and the bytes written. Fails
/// if two shards have the same name ([`check_names`]).
pub fn write_dirs(
    out_dir: &Path,
    firsts: &[String],
    packed: &BTreeMap<usize, Vec<String>>,
    dir_group: usize,
) -> io::Result<(Vec<String>, u64)> {
    // Shard files are named by first term: two alike would have overwritten each other.
    check_names(firsts).map_err(|m| io::Error::new(io::ErrorKind::InvalidData, m))?;
    let dir = out_dir.join("t");
    fs::create_dir_all(&dir)?;
    let mut groups = Vec::new();
    let mut bytes = 0;
    let group = dir_group.max(1);
    for (g, firsts) in firsts.chunks(group).enumerate() {
        let mut firsts = firsts.to_vec();
        if g == 0 {
            // Shard 0 covers everything below the second shard's first term.
            firsts[0] = String::new();
        }
        groups.push(firsts[0].clone());
        let shards = g * group..g * group + firsts.len();
        let packed = packed.range(shards).flat_map(|(_, t)| t.clone()).collect();
        let data = serde_json::to_vec(&Directory { firsts, packed }).map_err(io::Error::other)?;
        fs::write(dir.join(format!("d{g}.json")), &data)?;
        bytes += data.len() as u64;
    }
    Ok((groups, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::lunr_json::Posting;

    #[test]
    fn shards_split_by_size_and_directory_lists_firsts() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = ShardWriter::new(dir.path(), 100, 3, 0).unwrap();
        for term in ["a", "b", "c", "d"] {
            let postings = (0..3)
                .map(|doc| Posting {
                    doc,
                    field: 2,
                    count: 1,
                })
                .collect();
            w.add(TermPostings {
                term: term.into(),
                postings,
            })
            .unwrap();
        }
        w.finish(true).unwrap();
        assert_eq!(w.firsts, ["a", "b", "c", "d"]);
        let packed = BTreeMap::from([(1, vec!["b".into()]), (3, vec!["d".into(), "e".into()])]);
        let (groups, _) = write_dirs(dir.path(), &w.firsts, &packed, 3).unwrap();
        assert_eq!(groups, ["", "d"]);
        let d0 = fs::read_to_string(dir.path().join("t/d0.json")).unwrap();
        assert_eq!(d0, r#"{"firsts":["","b","c"],"packed":["b"]}"#);
        let d1 = fs::read_to_string(dir.path().join("t/d1.json")).unwrap();
        assert_eq!(d1, r#"{"firsts":["d"],"packed":["d","e"]}"#);
        // Files are named by first term: shard 1 by "b", shard 0 by "" whatever its first term.
        let name = shard_name(1, "b");
        assert_eq!(name, format!("{:016x}", term_hash("b")));
        let s1: serde_json::Value =
            serde_json::from_slice(&fs::read(dir.path().join(format!("t/{name}.json"))).unwrap())
                .unwrap();
        assert_eq!(s1["index"]["body"]["root"]["b"]["df"], 3);
        assert!(dir.path().join(format!("t/{name}.f.bin")).exists());
        assert_eq!(shard_name(0, "a"), shard_name(0, ""));
        assert!(
            dir.path()
                .join(format!("t/{}.json", shard_name(0, "")))
                .exists()
        );
        // Two shards whose names clash are refused before any directory is written.
        assert!(check_names(&["".into(), "b".into(), "c".into()]).is_ok());
        let err = write_dirs(dir.path(), &["".into(), "b".into(), "b".into()], &packed, 3);
        assert!(err.unwrap_err().to_string().contains("same file name"));
    }

    #[test]
    fn cuts_fall_back_into_place_after_an_insertion() {
        // A stream of terms of varied sizes, cut once as is and once with extra terms
        // inserted early on: after a few shards the cuts are the same terms again.
        let terms: Vec<(String, usize)> = (0..4000)
            .map(|i| {
                (
                    format!("t{i:05}"),
                    200 + (term_hash(&i.to_string()) % 3000) as usize,
                )
            })
            .collect();
        let cuts = |extra: usize| {
            let mut c = Cutter::new(20_000);
            let mut firsts = Vec::new();
            let inserted = (0..extra).map(|i| (format!("t00100x{i:03}"), 900));
            let mut stream: Vec<(String, usize)> = terms.iter().cloned().chain(inserted).collect();
            stream.sort();
            for (t, size) in stream {
                if c.cut_before(&t, size) {
                    firsts.push(t);
                }
            }
            firsts
        };
        let (before, after) = (cuts(0), cuts(40));
        assert!(
            after.len() > before.len(),
            "{} → {}",
            before.len(),
            after.len()
        );
        let common = after.iter().filter(|t| before.contains(t)).count();
        assert!(
            after.len() - common <= 6,
            "{} of {} cuts moved",
            after.len() - common,
            after.len()
        );
        // Shards average about 2/3 of the target.
        let total: usize = terms.iter().map(|t| t.1).sum();
        let mean = total / (before.len() + 1);
        assert!((10_000..17_000).contains(&mean), "mean shard {mean} bytes");
    }

    #[test]
    fn facet_lists_hold_blocks_or_counts() {
        let mut table = FacetTable::default();
        for d in 0..5u16 {
            table.push(2000 + d, &[d % 2], &[]);
        }
        let p = |doc, field| Posting {
            doc,
            field,
            count: 1,
        };
        let terms = [
            TermPostings {
                term: "ab".into(),
                postings: vec![p(3, 0), p(1, 2), p(3, 2)],
            },
            TermPostings {
                term: "c".into(),
                postings: vec![p(0, 2), p(1, 2), p(2, 2)],
            },
        ];
        let (data, common) = facet_lists(&terms, &table, 2);
        assert_eq!(common, [false, true]);
        let mut want = vec![2, 0, 0, 0, 2, 1, b'a', b'b', b'c', 0, 1];
        want.extend([2, 0, 0, 0, 3, 0, 0, 0]); // documents: ab {1, 3}, c {0, 1, 2}
        let block = table.encode(&[1, 3]);
        let mut counts = vec![0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0]; // body: 3
        counts.extend(table.encode_counts(&[0, 1, 2]));
        want.extend((block.len() as u32).to_le_bytes());
        want.extend((counts.len() as u32).to_le_bytes());
        want.extend(block);
        want.extend(counts);
        assert_eq!(data, want);
    }

    #[test]
    fn head_keeps_best_scored_and_newest_documents() {
        let src = FacetSource {
            boosts: [5, 2, 1, 2],
            head: 2,
            ..FacetSource::default()
        };
        let p = |doc, field, count| Posting { doc, field, count };
        // Doc 7 has the term in its title, doc 5 four times in its body; 0 and 1 are newest.
        let tp = TermPostings {
            term: "x".into(),
            postings: vec![
                p(0, 2, 1),
                p(1, 2, 1),
                p(3, 2, 1),
                p(5, 2, 4),
                p(7, 0, 1),
                p(7, 2, 1),
                p(9, 2, 1),
            ],
        };
        let h = head(&tp, &src, 20);
        let docs: Vec<u32> = h.postings.iter().map(|p| p.doc).collect();
        assert_eq!(docs, [0, 1, 5, 7, 7]);
    }
}
