//! Cuts the sorted term stream into shards by term range and writes them:
//! `t/<k>.json` is an elasticlunr index JSON holding every posting of the terms in
//! `[first_k, first_{k+1})` held by at most `json_list_max` documents (the others are in the
//! packed file `t/<k>.p.bin`, see [`FacetSource::packs`]), where `<k>` stands for the shard's name ([`shard_name`]: a hash
//! of its first term, so shards keep their files when an edit adds or removes a shard before
//! them); `t/d<g>.json` (`{"firsts": [..], "packed": [..]}`) lists the
//! first terms of shards `g*dir_group .. (g+1)*dir_group` so a query finds its shard with two
//! tiny downloads (`index.json` holds each group's first term), and the group's terms that
//! have packed postings. A shard closes before a term that would
//! overflow the target size, or once half full before a term its hash picks (see
//! [`Cutter`]), so the shard count grows with the archive (one shard for a small site) and an
//! edit moves few boundaries. A term bigger than the target gets a shard of its own. Shards
//! are formatted and written in parallel, in groups, the next group cut while the previous
//! one is written ([`write_stream`]).
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
//! shows its first page and exact counts without downloading the whole posting list.
//! This module must NOT tokenize or merge runs.

use std::borrow::{Borrow, Cow};
use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::SearchOptions;
use super::lunr_json::{DocStore, Posting, TermPostings, write_index_json};
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
pub fn shard_json<T: Borrow<TermPostings>>(terms: &[T], docs: usize) -> io::Result<Vec<u8>> {
    let size: usize = terms.iter().map(|tp| estimate(tp.borrow())).sum();
    let mut out = Vec::with_capacity(size + 4096);
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
#[derive(Debug)]
pub struct FacetSource {
    /// Facet values of every document.
    pub table: FacetTable,
    /// See [`list_max`].
    pub list_max: usize,
    /// Field boosts in [`super::lunr_json::FIELDS`] order.
    pub boosts: [u32; 4],
    /// Documents of a head by score and, again, by id (2 × page size).
    pub head: usize,
    /// Terms in more documents than this go to the packed file, not the JSON
    /// (`opts.json_list_max`).
    pub json_max: usize,
}

/// Every term common (heads for all), none packed: for writers given no facets.
impl Default for FacetSource {
    fn default() -> Self {
        FacetSource {
            table: FacetTable::default(),
            list_max: 0,
            boosts: [0; 4],
            head: 0,
            json_max: usize::MAX,
        }
    }
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
            json_max: opts.json_list_max,
        }
    }

    /// Whether a term held by `docs` documents is written to the shard's packed file
    /// `t/<k>.p.bin` instead of its JSON: in more than `json_max` documents, and short enough
    /// for the packed file's header (255 bytes).
    pub fn packs(&self, tp: &TermPostings, docs: u32) -> bool {
        docs as usize > self.json_max && tp.term.len() <= 255
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
    // The build's postings come sorted by document; others are sorted here.
    let sorted: Cow<'_, [Posting]> = if tp.postings.is_sorted_by_key(|p| p.doc) {
        Cow::Borrowed(&tp.postings)
    } else {
        let mut v = tp.postings.clone();
        v.sort_by_key(|p| p.doc);
        Cow::Owned(v)
    };
    for p in sorted.iter() {
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
    // Only the best `src.head` are kept: select them, then order just those.
    let best_first = |a: &(f64, u32), b: &(f64, u32)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
    if scored.len() > src.head && src.head > 0 {
        scored.select_nth_unstable_by(src.head - 1, best_first);
        scored.truncate(src.head);
    }
    scored.sort_unstable_by(best_first);
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
/// term the number of documents holding it (more than `list_max`: counts instead of a list).
pub fn facet_lists(
    terms: &[TermPostings],
    table: &FacetTable,
    list_max: usize,
) -> (Vec<u8>, Vec<u32>) {
    let mut out = packed::term_header(terms.iter().map(|tp| tp.term.as_str()));
    // Every payload goes into one buffer, its end recorded, and is copied once.
    let mut payloads = Vec::new();
    let mut ends = Vec::with_capacity(terms.len());
    let mut dfs = Vec::with_capacity(terms.len());
    let mut docs: Vec<u32> = Vec::new();
    for tp in terms {
        docs.clear();
        docs.extend(tp.postings.iter().map(|p| p.doc));
        docs.sort_unstable();
        docs.dedup();
        let list = docs.len() <= list_max;
        out.push(u8::from(!list));
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
    for df in &dfs {
        out.extend_from_slice(&df.to_le_bytes());
    }
    let mut start = 0;
    for end in ends {
        out.extend_from_slice(&((end - start) as u32).to_le_bytes());
        start = end;
    }
    out.extend_from_slice(&payloads);
    (out, dfs)
}

/// One shard written: (number, JSON bytes, side file bytes, packed terms).
type Written = (usize, u64, u64, Vec<String>);

/// Closed shards not yet written: (number, terms).
pub type Group = Vec<(usize, Vec<TermPostings>)>;

/// What writing a group of shards needs, apart from the writer's cutting state, so a group
/// can be written while the next one is being cut (see [`ShardWriter::take_group`]).
#[derive(Clone)]
pub struct GroupWriter {
    dir: PathBuf,
    docs: usize,
    facets: Arc<FacetSource>,
}

impl GroupWriter {
    /// Formats and writes a group of shards in parallel (rayon): each shard's JSON, facet
    /// lists and, for common terms, heads and packed postings.
    pub fn write(&self, group: Group) -> io::Result<Vec<Written>> {
        let (dir, docs, src) = (&self.dir, self.docs, &*self.facets);
        let (facets, max) = (&src.table, src.list_max);
        group
            .par_iter()
            .map(|(k, terms)| {
                let name = shard_name(*k, terms.first().map_or("", |tp| tp.term.as_str()));
                let (lists, counts) = facet_lists(terms, facets, max);
                let (mut packs, mut plain) = (Vec::new(), Vec::new());
                for (tp, &n) in terms.iter().zip(&counts) {
                    if src.packs(tp, n) {
                        packs.push(tp)
                    } else {
                        plain.push(tp)
                    }
                }
                let data = shard_json(&plain, docs)?;
                fs::write(dir.join(format!("{name}.json")), &data)?;
                fs::write(dir.join(format!("{name}.f.bin")), &lists)?;
                let mut side = lists.len() as u64;
                for (i, (tp, &n)) in terms.iter().zip(&counts).enumerate() {
                    if n as usize > max {
                        let head = shard_json(&[head(tp, src, docs)], docs)?;
                        fs::write(dir.join(format!("{name}.h{i}.json")), &head)?;
                        side += head.len() as u64;
                    }
                }
                if !packs.is_empty() {
                    let data = packed::encode(&packs, facets, docs);
                    fs::write(dir.join(format!("{name}.p.bin")), &data)?;
                    side += data.len() as u64;
                }
                let names = packs.iter().map(|tp| tp.term.clone()).collect();
                Ok((*k, data.len() as u64, side, names))
            })
            .collect()
    }
}

/// Streams terms into shard files.
pub struct ShardWriter {
    out: GroupWriter,
    cutter: Cutter,
    current: Vec<TermPostings>,
    current_bytes: usize,
    /// Closed shards not yet written, written in parallel in groups.
    pending: Group,
    pending_bytes: usize,
    /// Whether full groups wait for [`Self::take_group`] instead of being written at once.
    deferred: bool,
    /// Estimated JSON bytes of a group ([`PENDING_BYTES`] but in tests).
    group_bytes: usize,
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
            out: GroupWriter {
                dir,
                docs,
                facets: Arc::new(FacetSource::default()),
            },
            cutter: Cutter::new(target),
            current: Vec::new(),
            current_bytes: 0,
            pending: Vec::new(),
            pending_bytes: 0,
            deferred: false,
            group_bytes: PENDING_BYTES,
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
        self.out.facets = facets;
        self
    }

    /// Full groups of shards are no longer written by [`Self::add`]: the caller takes them
    /// with [`Self::take_group`], writes them with [`Self::group_writer`] (while it cuts
    /// the next group) and hands the result to [`Self::record`], as [`write_stream`] does.
    pub fn deferring(mut self) -> Self {
        self.deferred = true;
        self
    }

    /// Groups of `bytes` (estimated JSON) instead of [`PENDING_BYTES`].
    #[cfg(test)]
    pub fn with_group_bytes(mut self, bytes: usize) -> Self {
        self.group_bytes = bytes;
        self
    }

    /// What writes groups of this writer's shards.
    pub fn group_writer(&self) -> GroupWriter {
        self.out.clone()
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

    /// Closes the current shard; writes the pending ones once they hold enough postings
    /// (unless [`Self::deferring`]).
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
        if self.pending_bytes >= self.group_bytes && !self.deferred {
            let group = self.take_pending();
            let written = self.out.write(group)?;
            self.record(written);
        }
        Ok(())
    }

    fn take_pending(&mut self) -> Group {
        self.pending_bytes = 0;
        std::mem::take(&mut self.pending)
    }

    /// The closed shards waiting to be written, once they hold enough postings.
    pub fn take_group(&mut self) -> Option<Group> {
        (self.pending_bytes >= self.group_bytes).then(|| self.take_pending())
    }

    /// Counts a group's shards as written.
    pub fn record(&mut self, written: Vec<Written>) {
        for (k, n, f, names) in written {
            self.bytes += n + f;
            self.written.push((k, n));
            if !names.is_empty() {
                self.packed.insert(k, names);
            }
        }
    }

    /// Closes and writes the open shard and everything pending. With no terms at all and
    /// `empty_ok`, writes one valid, empty shard.
    pub fn finish(&mut self, empty_ok: bool) -> io::Result<()> {
        let (dir, docs, src) = (&self.out.dir, self.out.docs, &*self.out.facets);
        if empty_ok && self.current.is_empty() && self.firsts.is_empty() {
            let data = shard_json::<TermPostings>(&[], docs)?;
            let name = shard_name(self.next, "");
            fs::write(dir.join(format!("{name}.json")), &data)?;
            let (lists, _) = facet_lists(&[], &src.table, src.list_max);
            fs::write(dir.join(format!("{name}.f.bin")), &lists)?;
            self.bytes += (data.len() + lists.len()) as u64;
            self.written.push((self.next, data.len() as u64));
            self.firsts.push(String::new());
            self.next += 1;
            return Ok(());
        }
        self.flush()?;
        let group = self.take_pending();
        let written = self.out.write(group)?;
        self.record(written);
        Ok(())
    }
}

/// Writes the terms `next` yields (in byte order) with a [`ShardWriter::deferring`] writer,
/// then closes it ([`ShardWriter::finish`] with `empty_ok`). Merging terms and cutting the
/// next group of shards (this thread) goes on while the previous group is formatted and
/// written (the pool, which this thread joins once its group is cut): otherwise one of two
/// cores idles whenever the cutting runs alone.
pub fn write_stream<E: Send>(
    w: &mut ShardWriter,
    mut next: impl FnMut() -> Result<Option<TermPostings>, E> + Send,
    io_err: impl Fn(io::Error) -> E + Sync,
    empty_ok: bool,
) -> Result<(), E> {
    let writer = w.group_writer();
    let mut in_flight: Option<Group> = None;
    loop {
        let (cut, written) = rayon::join(
            || -> Result<Option<Group>, E> {
                while let Some(tp) = next()? {
                    w.add(tp).map_err(&io_err)?;
                    if let Some(group) = w.take_group() {
                        return Ok(Some(group));
                    }
                }
                Ok(None)
            },
            || {
                in_flight
                    .take()
                    .map(|group| writer.write(group))
                    .transpose()
            },
        );
        if let Some(written) = written.map_err(&io_err)? {
            w.record(written);
        }
        match cut? {
            Some(group) => in_flight = Some(group),
            None => break,
        }
    }
    w.finish(empty_ok).map_err(&io_err)
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
        let (data, docs) = facet_lists(&terms, &table, 2);
        assert_eq!(docs, [2, 3]);
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
    fn terms_in_many_documents_go_to_the_packed_file_not_the_json() {
        let docs = 20u32;
        let mut table = FacetTable::default();
        for d in 0..docs {
            table.push(2000, &[(d % 2) as u16], &[]);
        }
        let src = Arc::new(FacetSource {
            table,
            list_max: 15,
            boosts: [5, 2, 1, 2],
            head: 4,
            json_max: 5,
        });
        let term = |t: &str, n: u32| TermPostings {
            term: t.into(),
            postings: (0..n)
                .map(|doc| Posting {
                    doc,
                    field: 2,
                    count: 1,
                })
                .collect(),
        };
        // Too long for the packed file's header: stays in the JSON however common.
        let long = "x".repeat(300);
        let dir = tempfile::tempdir().unwrap();
        let mut w = ShardWriter::new(dir.path(), usize::MAX, docs as usize, 0)
            .unwrap()
            .with_facets(src);
        for tp in [term("a", 5), term("b", 6), term("c", 18), term(&long, 9)] {
            w.add(tp).unwrap();
        }
        w.finish(true).unwrap();
        let t = dir.path().join("t");
        let name = shard_name(0, "");
        let json = fs::read(t.join(format!("{name}.json"))).unwrap();
        let in_json = crate::search::incremental::parse_shard(&json).unwrap();
        assert_eq!(in_json, [term("a", 5), term(&long, 9)]);
        let packed = fs::read(t.join(format!("{name}.p.bin"))).unwrap();
        assert_eq!(packed::terms(&packed).unwrap(), ["b", "c"]);
        assert_eq!(w.packed[&0], ["b", "c"]);
        let back = packed::decode_all(&packed, docs as usize).unwrap();
        assert_eq!(back, [term("b", 6), term("c", 18)]);
        // Only the term beyond `list_max` has a head (file names count every term).
        assert!(t.join(format!("{name}.h2.json")).exists());
        assert!(!t.join(format!("{name}.h1.json")).exists());
    }

    /// Terms "t000".. with pseudo-random postings over `docs` documents (sorted by document,
    /// as the build makes them), some common enough for heads and packed postings.
    fn stream_terms(n: usize, docs: u32) -> Vec<TermPostings> {
        let mut rng = crate::bench::generate::Rng::new(7);
        let mut next = move || rng.next_u64() as u32;
        (0..n)
            .map(|i| {
                let every = if i % 7 == 0 { 1 } else { 2 + next() % 9 };
                let postings = (0..docs)
                    .filter(|d| d % every == 0)
                    .flat_map(|doc| {
                        let field = (next() % 4) as u8;
                        let mut p = vec![Posting {
                            doc,
                            field,
                            count: 1 + next() % 3,
                        }];
                        if field != 2 && next() % 2 == 0 {
                            p.push(Posting {
                                doc,
                                field: 2,
                                count: 1 + next() % 5,
                            });
                        }
                        p.sort_by_key(|p| p.field);
                        p
                    })
                    .collect();
                TermPostings {
                    term: format!("t{i:03}"),
                    postings,
                }
            })
            .collect()
    }

    fn files_of(dir: &Path) -> BTreeMap<String, Vec<u8>> {
        fs::read_dir(dir.join("t"))
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let name = e.file_name().into_string().unwrap();
                (name, fs::read(e.path()).unwrap())
            })
            .collect()
    }

    #[test]
    fn streamed_groups_write_what_one_writer_writes() {
        let docs = 40;
        let terms = stream_terms(120, docs);
        let table = |n: u32| {
            let mut t = FacetTable::default();
            for d in 0..n {
                t.push(1990 + (d % 5) as u16, &[(d % 3) as u16], &[(d % 2) as u16]);
            }
            t
        };
        let src = || {
            Arc::new(FacetSource {
                table: table(docs),
                list_max: 12,
                boosts: [5, 2, 1, 2],
                head: 4,
                json_max: 8,
            })
        };
        let plain = tempfile::tempdir().unwrap();
        let mut a = ShardWriter::new(plain.path(), 2000, docs as usize, 0)
            .unwrap()
            .with_facets(src());
        for tp in terms.clone() {
            a.add(tp).unwrap();
        }
        a.finish(true).unwrap();
        // Groups of a few shards each, cut while the previous group is written.
        let streamed = tempfile::tempdir().unwrap();
        let mut b = ShardWriter::new(streamed.path(), 2000, docs as usize, 0)
            .unwrap()
            .with_facets(src())
            .deferring()
            .with_group_bytes(6000);
        let mut it = terms.into_iter();
        write_stream(&mut b, || Ok::<_, io::Error>(it.next()), |e| e, true).unwrap();
        assert!(a.firsts.len() > 10, "{} shards", a.firsts.len());
        assert!(!a.packed.is_empty());
        assert_eq!(a.firsts, b.firsts);
        assert_eq!(a.written, b.written);
        assert_eq!(a.packed, b.packed);
        assert_eq!(a.bytes, b.bytes);
        assert_eq!(files_of(plain.path()), files_of(streamed.path()));
        // An error from the stream stops it and is returned.
        let failed = tempfile::tempdir().unwrap();
        let mut c = ShardWriter::new(failed.path(), 2000, docs as usize, 0)
            .unwrap()
            .deferring()
            .with_group_bytes(6000);
        let mut left = stream_terms(120, docs).into_iter().take(60);
        let r = write_stream(
            &mut c,
            || match left.next() {
                Some(tp) => Ok(Some(tp)),
                None => Err("merge failed"),
            },
            |_| "io",
            true,
        );
        assert_eq!(r, Err("merge failed"));
    }

    #[test]
    fn head_selection_equals_sorting_every_document() {
        // The head as a full sort by score picks it, for postings in any order.
        let src = FacetSource {
            boosts: [5, 2, 1, 2],
            head: 6,
            ..FacetSource::default()
        };
        for tp in stream_terms(30, 200) {
            let docs = 200;
            let h = head(&tp, &src, docs);
            // Reference: score every document, sort them all, keep the best and the lowest ids.
            let dfs = field_dfs(&tp);
            let mut by_doc: BTreeMap<u32, [u32; 4]> = BTreeMap::new();
            for p in &tp.postings {
                by_doc.entry(p.doc).or_default()[usize::from(p.field)] = p.count;
            }
            let mut scored: Vec<(f64, u32)> = by_doc
                .iter()
                .map(|(&doc, c)| {
                    let s = (0..4)
                        .filter(|&f| c[f] > 0)
                        .map(|f| {
                            let idf = 1.0 + (docs as f64 / (f64::from(dfs[f]) + 1.0)).ln();
                            f64::from(src.boosts[f]) * idf * f64::from(c[f]).sqrt()
                        })
                        .sum::<f64>();
                    (s, doc)
                })
                .collect();
            scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            let mut keep: Vec<u32> = scored.iter().take(6).map(|x| x.1).collect();
            keep.extend(by_doc.keys().take(6));
            keep.sort_unstable();
            keep.dedup();
            let want: Vec<Posting> = (tp.postings.iter())
                .filter(|p| keep.contains(&p.doc))
                .copied()
                .collect();
            assert_eq!(h.postings, want, "{}", tp.term);
            // Postings out of document order give the same head (in their own order).
            let mut shuffled = tp.clone();
            shuffled.postings.reverse();
            let mut got = head(&shuffled, &src, docs).postings;
            got.reverse();
            assert_eq!(got, want, "{} reversed", tp.term);
        }
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
