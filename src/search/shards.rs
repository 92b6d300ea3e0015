//! Cuts the sorted term stream into shards by term range and writes them:
//! `t/<k>.json` is an elasticlunr index JSON holding every posting of the terms in
//! `[first_k, first_{k+1})`; `t/d<g>.json` lists the first terms of shards
//! `g*dir_group .. (g+1)*dir_group` so a query finds its shard with two tiny downloads
//! (`index.json` holds each group's first term). A shard closes once its estimated JSON size
//! reaches the target, so the shard count grows with the archive (one shard for a small site).
//! A term bigger than the target gets a shard of its own. This module must NOT tokenize or
//! merge runs.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::lunr_json::{DocStore, TermPostings, write_index_json};

/// Estimated JSON bytes of closed shards held before they are written in parallel.
const PENDING_BYTES: usize = 64 << 20;

/// Estimated JSON bytes of a term's postings (all fields).
fn estimate(tp: &TermPostings) -> usize {
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

/// Streams terms into shard files.
pub struct ShardWriter {
    dir: PathBuf,
    target: usize,
    docs: usize,
    current: Vec<TermPostings>,
    current_bytes: usize,
    /// Closed shards not yet written: (number, terms), written in parallel in groups.
    pending: Vec<(usize, Vec<TermPostings>)>,
    pending_bytes: usize,
    /// First term of every shard written, in order.
    pub firsts: Vec<String>,
    /// Bytes written.
    pub bytes: u64,
    /// Terms written.
    pub terms: u64,
}

impl ShardWriter {
    /// Writes shards under `out_dir/t/`, aiming at `target` bytes each.
    pub fn new(out_dir: &Path, target: usize, docs: usize) -> io::Result<Self> {
        let dir = out_dir.join("t");
        fs::create_dir_all(&dir)?;
        Ok(ShardWriter {
            dir,
            target: target.max(1),
            docs,
            current: Vec::new(),
            current_bytes: 0,
            pending: Vec::new(),
            pending_bytes: 0,
            firsts: Vec::new(),
            bytes: 0,
            terms: 0,
        })
    }

    /// Adds the next term (terms must come in byte order).
    pub fn add(&mut self, tp: TermPostings) -> io::Result<()> {
        let size = estimate(&tp);
        if !self.current.is_empty() && self.current_bytes + size > self.target {
            self.flush()?;
        }
        self.current_bytes += size;
        self.terms += 1;
        self.current.push(tp);
        Ok(())
    }

    /// Closes the current shard; writes the pending ones once they hold enough postings.
    fn flush(&mut self) -> io::Result<()> {
        let Some(first) = self.current.first() else {
            return Ok(());
        };
        self.firsts.push(first.term.clone());
        let terms = std::mem::take(&mut self.current);
        self.pending.push((self.firsts.len() - 1, terms));
        self.pending_bytes += self.current_bytes;
        self.current_bytes = 0;
        if self.pending_bytes >= PENDING_BYTES {
            self.write_pending()?;
        }
        Ok(())
    }

    /// Writes the pending shards in parallel (rayon).
    fn write_pending(&mut self) -> io::Result<()> {
        let pending = std::mem::take(&mut self.pending);
        self.pending_bytes = 0;
        let docs = self.docs;
        let dir = &self.dir;
        let sizes: Vec<io::Result<u64>> = pending
            .par_iter()
            .map(|(k, terms)| {
                let path = dir.join(format!("{k}.json"));
                let mut w = CountingWriter {
                    inner: BufWriter::with_capacity(1 << 16, File::create(path)?),
                    count: 0,
                };
                write_index_json(&mut w, terms, DocStore::CountOnly(docs))?;
                w.inner.flush()?;
                Ok(w.count)
            })
            .collect();
        for size in sizes {
            self.bytes += size?;
        }
        Ok(())
    }

    /// Writes the last shard (an empty index if there were no terms at all) and the shard
    /// directory files; returns each group's first term.
    pub fn finish(&mut self, dir_group: usize) -> io::Result<Vec<String>> {
        if self.current.is_empty() && self.firsts.is_empty() {
            // An empty archive still gets one valid, empty shard.
            let path = self.dir.join("0.json");
            let mut w = CountingWriter {
                inner: BufWriter::new(File::create(path)?),
                count: 0,
            };
            write_index_json(&mut w, &[], DocStore::CountOnly(self.docs))?;
            w.inner.flush()?;
            self.bytes += w.count;
            self.firsts.push(String::new());
        } else {
            self.flush()?;
            self.write_pending()?;
        }
        let mut groups = Vec::new();
        for (g, firsts) in self.firsts.chunks(dir_group.max(1)).enumerate() {
            let mut firsts = firsts.to_vec();
            if g == 0 {
                // Shard 0 covers everything below the second shard's first term.
                firsts[0] = String::new();
            }
            groups.push(firsts[0].clone());
            let data = serde_json::to_vec(&firsts).map_err(io::Error::other)?;
            fs::write(self.dir.join(format!("d{g}.json")), &data)?;
            self.bytes += data.len() as u64;
        }
        Ok(groups)
    }
}

struct CountingWriter<W: Write> {
    inner: W,
    count: u64,
}

impl<W: Write> Write for CountingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.count += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::lunr_json::Posting;

    #[test]
    fn shards_split_by_size_and_directory_lists_firsts() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = ShardWriter::new(dir.path(), 100, 3).unwrap();
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
        let groups = w.finish(3).unwrap();
        assert_eq!(w.firsts, ["a", "b", "c", "d"]);
        assert_eq!(groups, ["", "d"]);
        let d0 = fs::read_to_string(dir.path().join("t/d0.json")).unwrap();
        assert_eq!(d0, r#"["","b","c"]"#);
        let s1: serde_json::Value =
            serde_json::from_slice(&fs::read(dir.path().join("t/1.json")).unwrap()).unwrap();
        assert_eq!(s1["index"]["body"]["root"]["b"]["df"], 3);
    }
}
