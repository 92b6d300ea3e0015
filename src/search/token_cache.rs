//! Per-article token cache in one append-only pack file, `cache_dir/tokens.pack`, so an
//! unchanged article is not re-tokenized and a build does not create a file per article.
//!
//! Layout: the magic `FOLIOTK1`, then records `[32-byte content hash][u32 LE length][payload]`.
//! Opening scans the record headers into an index (a torn tail from a crashed build is cut
//! off); lookups read payloads with positioned reads from any thread; new entries are appended
//! by the build loop; `finish` rewrites the pack with only this build's entries when dead ones
//! dominate. The cache never changes the index output: an unreadable or corrupt entry is a
//! miss. This module must NOT tokenize or know the payload format.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use rustc_hash::{FxHashMap, FxHashSet};

const MAGIC: &[u8; 8] = b"FOLIOTK1";
const HEADER: u64 = 36;

/// A 32-byte content hash.
pub type Key = [u8; 32];

/// Where each entry's payload is: key → (offset, length).
type Index = FxHashMap<Key, (u64, u32)>;

/// An open token cache.
pub struct TokenCache {
    path: PathBuf,
    file: File,
    index: Index,
    end: u64,
    appender: Option<BufWriter<File>>,
    live: FxHashSet<Key>,
}

fn scan(file: &File) -> io::Result<(Index, u64)> {
    let mut r = BufReader::with_capacity(1 << 16, file);
    r.seek(SeekFrom::Start(0))?;
    let mut magic = [0u8; 8];
    let len = file.metadata()?.len();
    if len < 8 || r.read_exact(&mut magic).is_err() || &magic != MAGIC {
        return Ok((FxHashMap::default(), 0));
    }
    let mut index = FxHashMap::default();
    let mut pos = 8u64;
    let mut head = [0u8; HEADER as usize];
    while pos + HEADER <= len {
        r.read_exact(&mut head)?;
        let mut key = [0u8; 32];
        key.copy_from_slice(&head[..32]);
        let size = u32::from_le_bytes([head[32], head[33], head[34], head[35]]);
        if pos + HEADER + u64::from(size) > len {
            break;
        }
        index.insert(key, (pos + HEADER, size));
        r.seek_relative(i64::from(size))?;
        pos += HEADER + u64::from(size);
    }
    Ok((index, pos))
}

impl TokenCache {
    /// Opens (or creates) the cache in `dir`.
    pub fn open(dir: &Path) -> io::Result<Self> {
        fs::create_dir_all(dir)?;
        let path = dir.join("tokens.pack");
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)?;
        let (index, mut end) = scan(&file)?;
        if end == 0 {
            file.set_len(0)?;
            file.write_all_at(MAGIC, 0)?;
            end = 8;
        } else if end < file.metadata()?.len() {
            file.set_len(end)?; // cut a torn tail
        }
        Ok(TokenCache {
            path,
            file,
            index,
            end,
            appender: None,
            live: FxHashSet::default(),
        })
    }

    /// The cached payload for `key`, if present and readable.
    pub fn get(&self, key: &Key) -> Option<Vec<u8>> {
        let &(offset, size) = self.index.get(key)?;
        let mut buf = vec![0u8; size as usize];
        self.file.read_exact_at(&mut buf, offset).ok()?;
        Some(buf)
    }

    /// Marks `key` as used by this build (kept by compaction).
    pub fn touch(&mut self, key: Key) {
        self.live.insert(key);
    }

    /// Appends a new entry (ignored if the key is already stored).
    pub fn put(&mut self, key: Key, payload: &[u8]) -> io::Result<()> {
        self.live.insert(key);
        if self.index.contains_key(&key) {
            return Ok(());
        }
        let size = u32::try_from(payload.len()).map_err(io::Error::other)?;
        if self.appender.is_none() {
            let mut f = OpenOptions::new().append(true).open(&self.path)?;
            f.seek(SeekFrom::End(0))?;
            self.appender = Some(BufWriter::with_capacity(1 << 20, f));
        }
        if let Some(w) = self.appender.as_mut() {
            w.write_all(&key)?;
            w.write_all(&size.to_le_bytes())?;
            w.write_all(payload)?;
        }
        self.index.insert(key, (self.end + HEADER, size));
        self.end += HEADER + u64::from(size);
        Ok(())
    }

    /// Flushes appends; rewrites the pack with only this build's entries when more than half
    /// of it is dead.
    pub fn finish(mut self) -> io::Result<()> {
        if let Some(mut w) = self.appender.take() {
            w.flush()?;
        }
        if self.index.len() <= 2 * self.live.len() + 1024 {
            return Ok(());
        }
        let tmp = self
            .path
            .with_extension(format!("tmp{}", std::process::id()));
        let mut w = BufWriter::with_capacity(1 << 20, File::create(&tmp)?);
        w.write_all(MAGIC)?;
        let mut keys: Vec<&Key> = self.live.iter().collect();
        keys.sort_unstable();
        for key in keys {
            if let Some(payload) = self.get(key) {
                w.write_all(key)?;
                w.write_all(&(payload.len() as u32).to_le_bytes())?;
                w.write_all(&payload)?;
            }
        }
        w.flush()?;
        drop(w);
        fs::rename(&tmp, &self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_get_reopen_torn_tail_and_compaction() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = TokenCache::open(dir.path()).unwrap();
        c.put([1; 32], b"one").unwrap();
        c.put([2; 32], b"two!").unwrap();
        c.finish().unwrap();

        let pack = dir.path().join("tokens.pack");
        let mut bytes = fs::read(&pack).unwrap();
        bytes.extend_from_slice(&[9; 20]); // torn record
        fs::write(&pack, &bytes).unwrap();
        let mut c = TokenCache::open(dir.path()).unwrap();
        assert_eq!(c.get(&[1; 32]).as_deref(), Some(&b"one"[..]));
        assert_eq!(c.get(&[2; 32]).as_deref(), Some(&b"two!"[..]));
        assert_eq!(c.get(&[3; 32]), None);
        c.put([3; 32], b"three").unwrap();
        c.finish().unwrap();
        let c = TokenCache::open(dir.path()).unwrap();
        assert_eq!(c.get(&[3; 32]).as_deref(), Some(&b"three"[..]));

        // 2,000 dead entries and one live: compaction keeps only the live one.
        let mut c = TokenCache::open(dir.path()).unwrap();
        for i in 0..2000u32 {
            let mut k = [0u8; 32];
            k[..4].copy_from_slice(&i.to_le_bytes());
            k[31] = 7;
            c.put(k, b"x").unwrap();
        }
        c.finish().unwrap();
        let mut c = TokenCache::open(dir.path()).unwrap();
        c.touch([1; 32]);
        c.finish().unwrap();
        let c = TokenCache::open(dir.path()).unwrap();
        assert_eq!(c.index.len(), 1);
        assert_eq!(c.get(&[1; 32]).as_deref(), Some(&b"one"[..]));
    }

    #[test]
    fn garbage_file_is_an_empty_cache() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("tokens.pack"), b"not a pack").unwrap();
        let c = TokenCache::open(dir.path()).unwrap();
        assert!(c.index.is_empty());
    }
}
