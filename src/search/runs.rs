//! Bounded-memory posting accumulation: postings gather in memory until a byte budget is
//! reached, are then spilled as a run file sorted by term, and all runs are k-way merged into
//! one stream of terms in byte order. Documents arrive in id order, so concatenating a term's
//! postings run by run keeps them in id order. This module must NOT tokenize or format JSON.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;

use super::analyze::DocTokens;
use super::lunr_json::{Posting, TermPostings};

/// Approximate bytes a term entry costs in the in-memory map, besides its postings.
const TERM_OVERHEAD: usize = 64;

/// Collects postings, spilling sorted runs to `dir` when `budget` bytes are exceeded.
pub struct PostingSink {
    mem: FxHashMap<Box<str>, Vec<Posting>>,
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
            mem: FxHashMap::default(),
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

    /// Adds one document's postings.
    pub fn add(&mut self, doc: u32, tokens: &DocTokens) -> io::Result<()> {
        for (term, counts) in &tokens.terms {
            let list = match self.mem.get_mut(term.as_str()) {
                Some(list) => list,
                None => {
                    self.mem_bytes += TERM_OVERHEAD + term.len();
                    self.mem.entry(term.as_str().into()).or_default()
                }
            };
            for (field, &count) in counts.iter().enumerate() {
                if count > 0 {
                    list.push(Posting {
                        doc,
                        field: field as u8,
                        count,
                    });
                    self.mem_bytes += std::mem::size_of::<Posting>();
                    self.postings += 1;
                }
            }
        }
        self.peak_bytes = self.peak_bytes.max(self.mem_bytes);
        if self.mem_bytes >= self.budget {
            self.spill()?;
        }
        Ok(())
    }

    fn take_sorted(&mut self) -> Vec<(Box<str>, Vec<Posting>)> {
        let mut terms: Vec<(Box<str>, Vec<Posting>)> = self.mem.drain().collect();
        terms.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        self.mem_bytes = 0;
        terms
    }

    fn spill(&mut self) -> io::Result<()> {
        fs::create_dir_all(&self.dir)?;
        let path = self.dir.join(format!("run-{:05}.bin", self.runs.len()));
        let mut w = BufWriter::new(File::create(&path)?);
        for (term, postings) in self.take_sorted() {
            write_group(&mut w, &term, &postings)?;
        }
        w.flush()?;
        self.runs.push(path);
        Ok(())
    }

    /// Finishes accumulation and returns all terms in byte order.
    pub fn finish(mut self) -> io::Result<MergedTerms> {
        if self.runs.is_empty() {
            let terms = self.take_sorted();
            return Ok(MergedTerms::Memory(terms.into_iter()));
        }
        if !self.mem.is_empty() {
            self.spill()?;
        }
        let mut readers = Vec::with_capacity(self.runs.len());
        let mut heap = BinaryHeap::new();
        for (i, path) in self.runs.iter().enumerate() {
            let mut r = BufReader::with_capacity(1 << 16, File::open(path)?);
            if let Some(group) = read_group(&mut r)? {
                heap.push(Reverse((group.0.clone(), i)));
                readers.push((r, Some(group)));
            } else {
                readers.push((r, None));
            }
        }
        Ok(MergedTerms::Runs { readers, heap })
    }
}

fn write_group<W: Write>(w: &mut W, term: &str, postings: &[Posting]) -> io::Result<()> {
    w.write_all(&(term.len() as u32).to_le_bytes())?;
    w.write_all(term.as_bytes())?;
    w.write_all(&(postings.len() as u32).to_le_bytes())?;
    for p in postings {
        w.write_all(&p.doc.to_le_bytes())?;
        w.write_all(&[p.field])?;
        w.write_all(&p.count.to_le_bytes())?;
    }
    Ok(())
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
    let mut term = vec![0u8; u32::from_le_bytes(b) as usize];
    r.read_exact(&mut term)?;
    let term = String::from_utf8(term).map_err(io::Error::other)?;
    let n = read_u32(r)? as usize;
    let mut postings = Vec::with_capacity(n);
    let mut rec = [0u8; 9];
    for _ in 0..n {
        r.read_exact(&mut rec)?;
        postings.push(Posting {
            doc: u32::from_le_bytes([rec[0], rec[1], rec[2], rec[3]]),
            field: rec[4],
            count: u32::from_le_bytes([rec[5], rec[6], rec[7], rec[8]]),
        });
    }
    Ok(Some((term, postings)))
}

/// A term and its postings as read back from a run.
type Group = (String, Vec<Posting>);

/// All terms with their postings, in byte order of the term.
pub enum MergedTerms {
    /// Nothing was spilled.
    Memory(std::vec::IntoIter<(Box<str>, Vec<Posting>)>),
    /// A k-way merge over spilled runs.
    Runs {
        /// Each run's reader and its next group.
        readers: Vec<(BufReader<File>, Option<Group>)>,
        /// Next term of each run, smallest first (ties: earlier run first).
        heap: BinaryHeap<Reverse<(String, usize)>>,
    },
}

impl MergedTerms {
    /// The next term, or `None` at the end.
    pub fn next_term(&mut self) -> io::Result<Option<TermPostings>> {
        match self {
            MergedTerms::Memory(it) => Ok(it.next().map(|(term, postings)| TermPostings {
                term: term.into(),
                postings,
            })),
            MergedTerms::Runs { readers, heap } => {
                let Some(Reverse((term, _))) = heap.peek().cloned() else {
                    return Ok(None);
                };
                let mut postings = Vec::new();
                while let Some(Reverse((t, i))) = heap.peek().cloned() {
                    if t != term {
                        break;
                    }
                    heap.pop();
                    let (reader, slot) = &mut readers[i];
                    if let Some((_, mut p)) = slot.take() {
                        postings.append(&mut p);
                    }
                    if let Some(next) = read_group(reader)? {
                        heap.push(Reverse((next.0.clone(), i)));
                        *slot = Some(next);
                    }
                }
                Ok(Some(TermPostings { term, postings }))
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

    fn toks(terms: &[(&str, u32)]) -> DocTokens {
        DocTokens {
            lengths: [0; 4],
            terms: terms
                .iter()
                .map(|(t, c)| (t.to_string(), [0, 0, *c, 0]))
                .collect(),
        }
    }

    fn collect(mut m: MergedTerms) -> Vec<(String, Vec<u32>)> {
        let mut out = Vec::new();
        while let Some(tp) = m.next_term().unwrap() {
            out.push((tp.term, tp.postings.iter().map(|p| p.doc).collect()));
        }
        out
    }

    #[test]
    fn spilled_merge_equals_in_memory() {
        let docs = [
            toks(&[("b", 1), ("a", 2)]),
            toks(&[("a", 1), ("c", 1)]),
            toks(&[("b", 3)]),
        ];
        let dir = tempfile::tempdir().unwrap();
        let mut small = PostingSink::new(dir.path().join("runs"), 1);
        let mut big = PostingSink::new(dir.path().join("unused"), usize::MAX);
        for (i, d) in docs.iter().enumerate() {
            small.add(i as u32, d).unwrap();
            big.add(i as u32, d).unwrap();
        }
        assert_eq!(small.spilled_runs(), 3);
        let a = collect(small.finish().unwrap());
        let b = collect(big.finish().unwrap());
        assert_eq!(a, b);
        assert_eq!(a[0], ("a".to_string(), vec![0, 1]));
    }
}
