//! Bounded-memory posting accumulation. Terms are interned to dense `u32` ids ([`Interner`]);
//! postings gather in one list per term id, delta-encoded ([`encode_post`]: ~2–3 bytes a
//! posting instead of 8), until a byte budget is reached, are then spilled as they are, as a
//! run file in term (string) order, and all runs are k-way merged into one stream of
//! terms in byte order (runs compare by each term's rank in the final order, an integer).
//! Documents arrive in id order, so concatenating a term's postings run by run keeps them in
//! id order. This module must NOT tokenize or format JSON.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;

use super::analyze::{DocTerms, unpack};
use super::varint;

/// Approximate bytes a term costs in memory besides its postings (list header, growth).
const TERM_OVERHEAD: usize = 48;

/// Postings gathered before they are sorted into the per-term lists: the more articles one
/// sort covers, the fewer times each common term's list is visited (a cache miss each). 2 M
/// postings (~1 500 generated articles) take 24 MB, and as much again to sort them.
pub const SORT_BATCH_POSTINGS: usize = 2 << 20;

/// Marks a term id not yet interned (see [`Interner::lookup`]).
pub const UNKNOWN: u32 = u32::MAX;

/// Dense ids for terms, in first-seen order; names kept in one string arena.
#[derive(Default)]
pub struct Interner {
    short: FxHashMap<u64, u32>,
    long: FxHashMap<Box<str>, u32>,
    text: String,
    spans: Vec<(u32, u32)>,
}

impl Interner {
    /// Number of terms.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// The term of `id`.
    pub fn name(&self, id: u32) -> &str {
        let (start, len) = self.spans[id as usize];
        &self.text[start as usize..(start + len) as usize]
    }

    fn push_name(&mut self, f: impl FnOnce(&mut String)) -> u32 {
        let id = self.spans.len() as u32;
        let start = self.text.len();
        f(&mut self.text);
        self.spans
            .push((start as u32, (self.text.len() - start) as u32));
        id
    }

    /// Ids of a document's terms (short terms first, then long), [`UNKNOWN`] for terms not
    /// interned yet. Read-only, so batches look up in parallel.
    pub fn lookup(&self, terms: &DocTerms) -> Vec<u32> {
        let mut ids = Vec::with_capacity(terms.len());
        ids.extend(
            terms
                .short
                .iter()
                .map(|(k, _)| self.short.get(k).copied().unwrap_or(UNKNOWN)),
        );
        ids.extend(
            terms
                .long
                .iter()
                .map(|(s, _)| self.long.get(s.as_str()).copied().unwrap_or(UNKNOWN)),
        );
        ids
    }

    /// Interns the terms [`Interner::lookup`] left [`UNKNOWN`].
    pub fn resolve(&mut self, terms: &DocTerms, ids: &mut [u32]) {
        let n_short = terms.short.len();
        for (i, id) in ids.iter_mut().enumerate() {
            if *id != UNKNOWN {
                continue;
            }
            *id = if i < n_short {
                let key = terms.short[i].0;
                match self.short.get(&key) {
                    Some(&id) => id,
                    None => {
                        let id = self.push_name(|s| unpack(key, s));
                        self.short.insert(key, id);
                        id
                    }
                }
            } else {
                let term = terms.long[i - n_short].0.as_str();
                match self.long.get(term) {
                    Some(&id) => id,
                    None => {
                        let id = self.push_name(|s| s.push_str(term));
                        self.long.insert(term.into(), id);
                        id
                    }
                }
            };
        }
    }

    /// Sorts term ids by their names.
    pub fn sort_ids(&self, ids: &mut [u32]) {
        ids.sort_unstable_by(|&a, &b| self.name(a).cmp(self.name(b)));
    }
}

/// One posting in the sink: document id and field (2 bits) with count (30 bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Post {
    /// Document id.
    pub doc: u32,
    /// `field << 30 | count` (count saturates at 2^30 - 1).
    pub fc: u32,
}

impl Post {
    /// Field index.
    pub fn field(self) -> u8 {
        (self.fc >> 30) as u8
    }

    /// Occurrences in the field.
    pub fn count(self) -> u32 {
        self.fc & ((1 << 30) - 1)
    }
}

/// Appends `p` to a term's encoded list whose previous posting was in document `last` (0
/// for the list's first): the document gap as a LEB128 varint, then a byte holding the
/// field (2 bits) and the count (6 bits; 63 means a varint of `count - 63` follows).
fn encode_post(out: &mut Vec<u8>, last: u32, p: Post) {
    debug_assert!(p.doc >= last, "postings come in document order");
    varint::put(out, u64::from(p.doc - last));
    let count = p.count();
    out.push((p.field() << 6) | count.min(63) as u8);
    if count >= 63 {
        varint::put(out, u64::from(count - 63));
    }
}

/// The postings of an encoded list ([`encode_post`]), appended to `out`; `None` if `bytes`
/// is not one.
fn decode_posts(bytes: &[u8], out: &mut Vec<Post>) -> Option<()> {
    out.reserve(bytes.len() / 2);
    let (mut at, mut doc) = (0, 0u32);
    while at < bytes.len() {
        doc = doc.checked_add(varint::get_u32(bytes, &mut at)?)?;
        let b = *bytes.get(at)?;
        at += 1;
        let mut count = u32::from(b & 63);
        if count == 63 {
            count = count.checked_add(varint::get_u32(bytes, &mut at)?)?;
        }
        let fc = (u32::from(b >> 6) << 30) | count.min((1 << 30) - 1);
        out.push(Post { doc, fc });
    }
    Some(())
}

fn corrupt_run() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, "corrupt posting run")
}

/// One term's postings since the last spill, encoded ([`encode_post`]), and its last
/// document (the base of the next gap): side by side, as they are used.
#[derive(Default)]
pub struct TermList {
    bytes: Vec<u8>,
    last: u32,
}

/// Collects postings, spilling sorted runs to `dir` when `budget` bytes are exceeded.
/// Postings of a batch of documents are first appended to one flat list (sequential writes),
/// then moved term by term into the per-term lists ([`PostingSink::end_batch`]), encoded.
pub struct PostingSink {
    /// Each term's postings since the last spill, by term id.
    lists: Vec<TermList>,
    active: Vec<u32>,
    batch: Vec<(u32, Post)>,
    hist: Vec<u32>,
    touched: Vec<u32>,
    scratch: Vec<Post>,
    mem_bytes: usize,
    budget: usize,
    dir: PathBuf,
    runs: Vec<PathBuf>,
    /// Largest in-memory size reached, in (estimated) bytes.
    pub peak_bytes: usize,
    /// Total postings added.
    pub postings: u64,
}

impl PostingSink {
    /// A sink spilling into `dir` (created on first spill) once `budget` bytes are held.
    pub fn new(dir: PathBuf, budget: usize) -> Self {
        PostingSink {
            lists: Vec::new(),
            active: Vec::new(),
            batch: Vec::new(),
            hist: Vec::new(),
            touched: Vec::new(),
            scratch: Vec::new(),
            mem_bytes: 0,
            budget,
            dir,
            runs: Vec::new(),
            peak_bytes: 0,
            postings: 0,
        }
    }

    /// Number of runs spilled so far.
    pub fn spilled_runs(&self) -> usize {
        self.runs.len()
    }

    /// Adds one document's postings: `ids[i]` is the term id of the i-th entry of `counts`
    /// (per-field counts). Call [`PostingSink::end_batch`] after a batch of documents.
    pub fn add(&mut self, doc: u32, ids: &[u32], counts: impl Iterator<Item = [u32; 4]>) {
        for (&id, counts) in ids.iter().zip(counts) {
            for (field, &count) in counts.iter().enumerate() {
                if count > 0 {
                    self.batch.push((
                        id,
                        Post {
                            doc,
                            fc: ((field as u32) << 30) | count.min((1 << 30) - 1),
                        },
                    ));
                }
            }
        }
    }

    /// Whether the postings added since the last [`PostingSink::end_batch`] should be sorted
    /// into the lists now: at [`SORT_BATCH_POSTINGS`], or sooner when they (and the scratch
    /// space to sort them) would take a tenth of the memory budget.
    pub fn batch_full(&self) -> bool {
        let n = self.batch.len();
        n >= SORT_BATCH_POSTINGS || 2 * n * std::mem::size_of::<(u32, Post)>() >= self.budget / 10
    }

    /// Moves the batch's postings into the per-term lists (a counting sort by term, so each
    /// list grows once per batch); spills when over budget. `names` orders spilled terms.
    pub fn end_batch(&mut self, names: &Interner) -> io::Result<()> {
        if self.hist.len() < names.len() {
            self.hist.resize(names.len(), 0);
        }
        if self.lists.len() < names.len() {
            self.lists.resize_with(names.len(), TermList::default);
        }
        self.touched.clear();
        for &(id, _) in &self.batch {
            let h = &mut self.hist[id as usize];
            if *h == 0 {
                self.touched.push(id);
            }
            *h += 1;
        }
        // hist becomes each touched term's start offset in `scratch`.
        let mut at = 0u32;
        for &id in &self.touched {
            let n = self.hist[id as usize];
            self.hist[id as usize] = at;
            at += n;
        }
        self.scratch.clear();
        self.scratch
            .resize(self.batch.len(), Post { doc: 0, fc: 0 });
        for &(id, p) in &self.batch {
            let slot = &mut self.hist[id as usize];
            self.scratch[*slot as usize] = p;
            *slot += 1;
        }
        let mut start = 0usize;
        for &id in &self.touched {
            let end = self.hist[id as usize] as usize;
            self.hist[id as usize] = 0;
            let TermList { bytes, last } = &mut self.lists[id as usize];
            if bytes.is_empty() {
                self.active.push(id);
                self.mem_bytes += TERM_OVERHEAD;
            }
            // The budget counts what the lists hold allocated, not only their bytes in use.
            let before = bytes.capacity();
            for &p in &self.scratch[start..end] {
                encode_post(bytes, *last, p);
                *last = p.doc;
            }
            self.mem_bytes += bytes.capacity() - before;
            start = end;
        }
        self.postings += self.batch.len() as u64;
        self.batch.clear();
        self.peak_bytes = self.peak_bytes.max(self.mem_bytes);
        if self.mem_bytes >= self.budget && !self.active.is_empty() {
            self.spill(names)?;
        }
        Ok(())
    }

    fn spill(&mut self, names: &Interner) -> io::Result<()> {
        fs::create_dir_all(&self.dir)?;
        let path = self.dir.join(format!("run-{:05}.bin", self.runs.len()));
        let mut w = BufWriter::with_capacity(1 << 20, File::create(&path)?);
        let mut active = std::mem::take(&mut self.active);
        names.sort_ids(&mut active);
        for id in active {
            let list = std::mem::take(&mut self.lists[id as usize]).bytes;
            w.write_all(&id.to_le_bytes())?;
            w.write_all(&(list.len() as u32).to_le_bytes())?;
            w.write_all(&list)?;
        }
        w.flush()?;
        self.mem_bytes = 0;
        self.runs.push(path);
        Ok(())
    }

    /// Finishes accumulation and returns all terms in byte order of their names.
    pub fn finish(mut self, names: &Interner) -> io::Result<MergedTerms> {
        self.end_batch(names)?;
        self.batch = Vec::new();
        self.scratch = Vec::new();
        self.hist = Vec::new();
        if self.runs.is_empty() {
            let mut order = std::mem::take(&mut self.active);
            names.sort_ids(&mut order);
            return Ok(MergedTerms::Memory {
                order: order.into_iter(),
                lists: self.lists,
            });
        }
        if !self.active.is_empty() {
            self.spill(names)?;
        }
        let mut order: Vec<u32> = (0..names.len() as u32).collect();
        names.sort_ids(&mut order);
        let mut rank = vec![0u32; order.len()];
        for (r, &id) in order.iter().enumerate() {
            rank[id as usize] = r as u32;
        }
        let mut readers = Vec::with_capacity(self.runs.len());
        let mut heap = BinaryHeap::new();
        for (i, path) in self.runs.iter().enumerate() {
            let mut r = BufReader::with_capacity(1 << 16, File::open(path)?);
            let group = read_group(&mut r)?;
            if let Some((id, _)) = &group {
                heap.push(Reverse((rank[*id as usize], i)));
            }
            readers.push((r, group));
        }
        Ok(MergedTerms::Runs {
            readers,
            heap,
            rank,
        })
    }
}

fn read_u32<R: Read>(r: &mut R) -> io::Result<u32> {
    let mut b = [0u8; 4];
    r.read_exact(&mut b)?;
    Ok(u32::from_le_bytes(b))
}

fn read_group<R: Read>(r: &mut R) -> io::Result<Option<Group>> {
    let mut b = [0u8; 4];
    match r.read_exact(&mut b) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let id = u32::from_le_bytes(b);
    let len = read_u32(r)? as usize;
    let mut raw = vec![0u8; len];
    r.read_exact(&mut raw)?;
    let mut postings = Vec::new();
    decode_posts(&raw, &mut postings).ok_or_else(corrupt_run)?;
    Ok(Some((id, postings)))
}

/// A term id and its postings as read back from a run.
type Group = (u32, Vec<Post>);

/// All terms with their postings, in byte order of the term.
pub enum MergedTerms {
    /// Nothing was spilled.
    Memory {
        /// Term ids in name order.
        order: std::vec::IntoIter<u32>,
        /// Encoded postings by term id.
        lists: Vec<TermList>,
    },
    /// A k-way merge over spilled runs.
    Runs {
        /// Each run's reader and its next group.
        readers: Vec<(BufReader<File>, Option<Group>)>,
        /// Rank of the next term of each run, smallest first (ties: earlier run first).
        heap: BinaryHeap<Reverse<(u32, usize)>>,
        /// Rank of each term id in name order.
        rank: Vec<u32>,
    },
}

impl MergedTerms {
    /// The next term id with its postings (in document order), or `None` at the end.
    pub fn next_term(&mut self) -> io::Result<Option<(u32, Vec<Post>)>> {
        match self {
            MergedTerms::Memory { order, lists } => {
                let Some(id) = order.next() else {
                    return Ok(None);
                };
                let list = std::mem::take(&mut lists[id as usize]).bytes;
                let mut postings = Vec::new();
                decode_posts(&list, &mut postings).ok_or_else(corrupt_run)?;
                Ok(Some((id, postings)))
            }
            MergedTerms::Runs {
                readers,
                heap,
                rank,
            } => {
                let Some(&Reverse((first, _))) = heap.peek() else {
                    return Ok(None);
                };
                let mut term = UNKNOWN;
                let mut postings = Vec::new();
                while let Some(&Reverse((r, i))) = heap.peek() {
                    if r != first {
                        break;
                    }
                    heap.pop();
                    let (reader, slot) = &mut readers[i];
                    if let Some((id, mut p)) = slot.take() {
                        term = id;
                        if postings.is_empty() {
                            postings = p;
                        } else {
                            postings.append(&mut p);
                        }
                    }
                    if let Some(next) = read_group(reader)? {
                        heap.push(Reverse((rank[next.0 as usize], i)));
                        *slot = Some(next);
                    }
                }
                Ok(Some((term, postings)))
            }
        }
    }
}

/// Removes the spill directory (ignores a missing one).
pub fn remove_spill_dir(dir: &Path) -> io::Result<()> {
    match fs::remove_dir_all(dir) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_is_full_at_its_size_or_a_tenth_of_the_budget() {
        let dir = tempfile::tempdir().unwrap();
        let mut roomy = PostingSink::new(dir.path().join("a"), 512 << 20);
        let mut tight = PostingSink::new(dir.path().join("b"), 0);
        assert!(!roomy.batch_full());
        roomy.add(0, &[0], std::iter::once([0, 0, 1, 0]));
        tight.add(0, &[0], std::iter::once([0, 0, 1, 0]));
        assert!(!roomy.batch_full());
        assert!(tight.batch_full());
        let ids: Vec<u32> = (0..SORT_BATCH_POSTINGS as u32).collect();
        roomy.add(1, &ids, std::iter::repeat([0, 0, 1, 0]));
        assert!(roomy.batch_full());
    }

    fn terms(list: &[(&str, u32)]) -> DocTerms {
        DocTerms {
            lengths: [0; 4],
            short: Vec::new(),
            long: list
                .iter()
                .map(|(t, c)| (t.to_string(), [0, 0, *c, 0]))
                .collect(),
        }
    }

    fn collect(mut m: MergedTerms, names: &Interner) -> Vec<(String, Vec<u32>)> {
        let mut out = Vec::new();
        while let Some((id, p)) = m.next_term().unwrap() {
            out.push((
                names.name(id).to_string(),
                p.iter().map(|p| p.doc).collect(),
            ));
        }
        out
    }

    #[test]
    fn spilled_merge_equals_in_memory() {
        let docs = [
            terms(&[("bbb", 1), ("aaa", 2)]),
            terms(&[("aaa", 1), ("ccc", 1)]),
            terms(&[("bbb", 3)]),
        ];
        let dir = tempfile::tempdir().unwrap();
        let mut names = Interner::default();
        let mut small = PostingSink::new(dir.path().join("runs"), 1);
        let mut big = PostingSink::new(dir.path().join("unused"), usize::MAX);
        for (i, d) in docs.iter().enumerate() {
            let mut ids = names.lookup(d);
            names.resolve(d, &mut ids);
            let counts = || d.long.iter().map(|(_, c)| *c);
            small.add(i as u32, &ids, counts());
            small.end_batch(&names).unwrap();
            big.add(i as u32, &ids, counts());
            big.end_batch(&names).unwrap();
        }
        assert_eq!(small.spilled_runs(), 3);
        assert_eq!(names.len(), 3);
        let a = collect(small.finish(&names).unwrap(), &names);
        let b = collect(big.finish(&names).unwrap(), &names);
        assert_eq!(a, b);
        assert_eq!(a[0], ("aaa".to_string(), vec![0, 1]));
        assert_eq!(a[1], ("bbb".to_string(), vec![0, 2]));
    }

    #[test]
    fn encoded_lists_decode_to_their_postings() {
        let post = |doc: u32, field: u32, count: u32| Post {
            doc,
            fc: (field << 30) | count,
        };
        let posts = [
            post(0, 0, 1),
            post(0, 2, 62),
            post(0, 3, 63),
            post(127, 1, 64),
            post(128, 2, (1 << 30) - 1),
            post(20_000, 0, 1),
            post(u32::MAX, 3, 200),
        ];
        let mut bytes = Vec::new();
        let mut last = 0;
        for &p in &posts {
            encode_post(&mut bytes, last, p);
            last = p.doc;
        }
        // Gaps of one byte where they fit, a byte for field and small count.
        assert_eq!(bytes[..4], [0, 1, 0, (2 << 6) | 62]);
        let mut back = Vec::new();
        decode_posts(&bytes, &mut back).unwrap();
        assert_eq!(back, posts);
        // A list cut inside a varint or before its field byte is refused.
        assert!(decode_posts(&bytes[..bytes.len() - 1], &mut Vec::new()).is_none());
        assert!(decode_posts(&[0x80], &mut Vec::new()).is_none());
        assert!(decode_posts(&[5], &mut Vec::new()).is_none());
    }

    #[test]
    fn post_packs_field_and_count() {
        let p = Post {
            doc: 7,
            fc: (3 << 30) | 12,
        };
        assert_eq!((p.field(), p.count()), (3, 12));
    }
}
