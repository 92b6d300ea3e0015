//! Per-article token cache in one append-only pack file, `cache_dir/tokens.pack`, so an
//! unchanged article is not re-tokenized and a build does not create a file per article.
//!
//! Layout: the magic `FOLIOTK1`, then records `[32-byte content hash][u32 LE length][payload]`.
//! Opening reads the record index that the last `finish` saved beside the pack
//! (`tokens.idx`: the pack's inode and length then, and every entry's key, offset and length)
//! and scans only the record headers appended after it; without a matching index file it scans
//! every header (a torn tail from a crashed build is cut off). Lookups read payloads with
//! positioned reads from any thread and check the record's header; new entries are appended by
//! the build loop; `finish` rewrites the pack with only this build's entries when dead ones
//! dominate. The cache never changes the index output: an unreadable or corrupt entry is a
//! miss. This module must NOT tokenize or know the payload format.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rustc_hash::{FxHashMap, FxHashSet};

const MAGIC: &[u8; 8] = b"FOLIOTK1";
const INDEX_MAGIC: &[u8; 8] = b"FOLIOTI1";
const HEADER: u64 = 36;
/// Bytes per entry in `tokens.idx`: key, offset, length.
const INDEX_ENTRY: usize = 32 + 8 + 4;

/// A 32-byte content hash.
pub type Key = [u8; 32];

/// Where each entry's payload is: key → (offset, length).
type Index = FxHashMap<Key, (u64, u32)>;

/// An open token cache. Lookups and appends both take `&self`, so a build can look up the
/// next batch's articles while it appends the entries of the previous one; entries appended
/// by this build are found by the next one.
pub struct TokenCache {
    path: PathBuf,
    file: File,
    /// The entries stored when the cache was opened.
    index: Index,
    appends: Mutex<Appends>,
}

/// What this build adds: appended entries and the keys it used.
struct Appends {
    /// The pack's length including this build's appends.
    end: u64,
    writer: Option<BufWriter<File>>,
    added: Index,
    live: FxHashSet<Key>,
}

fn scan(file: &File, saved: Option<(Index, u64)>) -> io::Result<(Index, u64)> {
    let mut r = BufReader::with_capacity(1 << 16, file);
    r.seek(SeekFrom::Start(0))?;
    let mut magic = [0u8; 8];
    let len = file.metadata()?.len();
    if len < 8 || r.read_exact(&mut magic).is_err() || &magic != MAGIC {
        return Ok((FxHashMap::default(), 0));
    }
    let (mut index, mut pos) = match saved {
        Some((index, end)) if end <= len => (index, end),
        _ => (FxHashMap::default(), 8u64),
    };
    r.seek(SeekFrom::Start(pos))?;
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

/// The index file beside the pack at `path`.
fn index_path(path: &Path) -> PathBuf {
    path.with_extension("idx")
}

/// The index saved for the pack `file` (at `path`), if it is the same pack (inode) and
/// the file is well formed: the entries and the pack length they cover.
fn read_index(path: &Path, file: &File) -> Option<(Index, u64)> {
    use std::os::unix::fs::MetadataExt;
    let data = fs::read(index_path(path)).ok()?;
    let rest = data.strip_prefix(INDEX_MAGIC.as_slice())?;
    let ino = u64::from_le_bytes(rest.get(..8)?.try_into().ok()?);
    let end = u64::from_le_bytes(rest.get(8..16)?.try_into().ok()?);
    if ino != file.metadata().ok()?.ino() {
        return None;
    }
    let entries = rest.get(16..)?;
    if entries.len() % INDEX_ENTRY != 0 {
        return None;
    }
    let mut index = FxHashMap::default();
    for e in entries.chunks_exact(INDEX_ENTRY) {
        let key: Key = e[..32].try_into().ok()?;
        let offset = u64::from_le_bytes(e[32..40].try_into().ok()?);
        let size = u32::from_le_bytes(e[40..44].try_into().ok()?);
        if offset + u64::from(size) > end {
            return None;
        }
        index.insert(key, (offset, size));
    }
    Some((index, end))
}

/// Saves `index` (covering the pack up to `end`) beside the pack at `path`.
fn write_index(path: &Path, index: &Index, end: u64) -> io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let ino = fs::metadata(path)?.ino();
    let mut entries: Vec<(&Key, &(u64, u32))> = index.iter().collect();
    entries.sort_unstable_by_key(|e| e.1.0);
    let mut out = Vec::with_capacity(24 + entries.len() * INDEX_ENTRY);
    out.extend_from_slice(INDEX_MAGIC);
    out.extend_from_slice(&ino.to_le_bytes());
    out.extend_from_slice(&end.to_le_bytes());
    for (key, &(offset, size)) in entries {
        out.extend_from_slice(key);
        out.extend_from_slice(&offset.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
    }
    let target = index_path(path);
    let tmp = target.with_extension(format!("idx.tmp{}", std::process::id()));
    fs::write(&tmp, &out)?;
    fs::rename(&tmp, &target)
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
        let saved = read_index(&path, &file);
        let (index, mut end) = scan(&file, saved)?;
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
            appends: Mutex::new(Appends {
                end,
                writer: None,
                added: Index::default(),
                live: FxHashSet::default(),
            }),
        })
    }

    /// The cached payload for `key`, if present and readable.
    pub fn get(&self, key: &Key) -> Option<Vec<u8>> {
        let &(offset, size) = self.index.get(key)?;
        // The record's header too: an index entry that does not match its record is a miss.
        let mut buf = vec![0u8; HEADER as usize + size as usize];
        self.file
            .read_exact_at(&mut buf, offset.checked_sub(HEADER)?)
            .ok()?;
        (buf[..32] == key[..] && buf[32..36] == size.to_le_bytes()).then_some(())?;
        buf.drain(..HEADER as usize);
        Some(buf)
    }

    /// Marks `key` as used by this build (kept by compaction).
    pub fn touch(&self, key: Key) {
        if let Ok(mut a) = self.appends.lock() {
            a.live.insert(key);
        }
    }

    /// Appends a new entry (ignored if the key is already stored).
    pub fn put(&self, key: Key, payload: &[u8]) -> io::Result<()> {
        let mut a = self
            .appends
            .lock()
            .map_err(|_| io::Error::other("token cache lock poisoned"))?;
        let a = &mut *a;
        a.live.insert(key);
        if self.index.contains_key(&key) || a.added.contains_key(&key) {
            return Ok(());
        }
        let size = u32::try_from(payload.len()).map_err(io::Error::other)?;
        if a.writer.is_none() {
            let mut f = OpenOptions::new().append(true).open(&self.path)?;
            f.seek(SeekFrom::End(0))?;
            a.writer = Some(BufWriter::with_capacity(1 << 20, f));
        }
        if let Some(w) = a.writer.as_mut() {
            w.write_all(&key)?;
            w.write_all(&size.to_le_bytes())?;
            w.write_all(payload)?;
        }
        a.added.insert(key, (a.end + HEADER, size));
        a.end += HEADER + u64::from(size);
        Ok(())
    }

    /// Flushes appends; rewrites the pack with only this build's entries when more than half
    /// of it is dead.
    pub fn finish(mut self) -> io::Result<()> {
        let appends = self
            .appends
            .get_mut()
            .map_err(|_| io::Error::other("token cache lock poisoned"))?;
        if let Some(mut w) = appends.writer.take() {
            w.flush()?;
        }
        let (end, live) = (appends.end, std::mem::take(&mut appends.live));
        self.index.extend(appends.added.drain());
        if self.index.len() <= 2 * live.len() + 1024 {
            return write_index(&self.path, &self.index, end);
        }
        let tmp = self
            .path
            .with_extension(format!("tmp{}", std::process::id()));
        let mut w = BufWriter::with_capacity(1 << 20, File::create(&tmp)?);
        w.write_all(MAGIC)?;
        let mut keys: Vec<&Key> = live.iter().collect();
        keys.sort_unstable();
        let mut index = Index::default();
        let mut end = MAGIC.len() as u64;
        for key in keys {
            if let Some(payload) = self.get(key) {
                w.write_all(key)?;
                w.write_all(&(payload.len() as u32).to_le_bytes())?;
                w.write_all(&payload)?;
                index.insert(*key, (end + HEADER, payload.len() as u32));
                end += HEADER + payload.len() as u64;
            }
        }
        w.flush()?;
        drop(w);
        fs::rename(&tmp, &self.path)?;
        write_index(&self.path, &index, end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_put_twice_in_a_build_is_stored_once() {
        let dir = tempfile::tempdir().unwrap();
        let c = TokenCache::open(dir.path()).unwrap();
        c.put([7; 32], b"seven").unwrap();
        c.put([7; 32], b"seven").unwrap();
        c.finish().unwrap();
        let pack = fs::metadata(dir.path().join("tokens.pack")).unwrap().len();
        assert_eq!(pack, 8 + HEADER + 5);
        let c = TokenCache::open(dir.path()).unwrap();
        assert_eq!(c.get(&[7; 32]).as_deref(), Some(&b"seven"[..]));
        // Known from the start: not appended again.
        c.put([7; 32], b"seven").unwrap();
        c.finish().unwrap();
        assert_eq!(
            fs::metadata(dir.path().join("tokens.pack")).unwrap().len(),
            pack
        );
    }

    #[test]
    fn put_get_reopen_torn_tail_and_compaction() {
        let dir = tempfile::tempdir().unwrap();
        let c = TokenCache::open(dir.path()).unwrap();
        c.put([1; 32], b"one").unwrap();
        c.put([2; 32], b"two!").unwrap();
        c.finish().unwrap();

        let pack = dir.path().join("tokens.pack");
        let mut bytes = fs::read(&pack).unwrap();
        bytes.extend_from_slice(&[9; 20]); // torn record
        fs::write(&pack, &bytes).unwrap();
        let c = TokenCache::open(dir.path()).unwrap();
        assert_eq!(c.get(&[1; 32]).as_deref(), Some(&b"one"[..]));
        assert_eq!(c.get(&[2; 32]).as_deref(), Some(&b"two!"[..]));
        assert_eq!(c.get(&[3; 32]), None);
        c.put([3; 32], b"three").unwrap();
        c.finish().unwrap();
        let c = TokenCache::open(dir.path()).unwrap();
        assert_eq!(c.get(&[3; 32]).as_deref(), Some(&b"three"[..]));

        // 2,000 dead entries and one live: compaction keeps only the live one.
        let c = TokenCache::open(dir.path()).unwrap();
        for i in 0..2000u32 {
            let mut k = [0u8; 32];
            k[..4].copy_from_slice(&i.to_le_bytes());
            k[31] = 7;
            c.put(k, b"x").unwrap();
        }
        c.finish().unwrap();
        let c = TokenCache::open(dir.path()).unwrap();
        c.touch([1; 32]);
        c.finish().unwrap();
        let c = TokenCache::open(dir.path()).unwrap();
        assert_eq!(c.index.len(), 1);
        assert_eq!(c.get(&[1; 32]).as_deref(), Some(&b"one"[..]));
    }

    #[test]
    fn saved_index_is_used_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let pack = dir.path().join("tokens.pack");
        let c = TokenCache::open(dir.path()).unwrap();
        c.put([1; 32], b"one").unwrap();
        c.put([2; 32], b"two!").unwrap();
        c.finish().unwrap();
        assert!(dir.path().join("tokens.idx").exists());

        // Appended after the index was saved (a build that stopped before `finish`):
        // found by scanning the tail.
        let c = TokenCache::open(dir.path()).unwrap();
        c.put([3; 32], b"three").unwrap();
        drop(c);
        let c = TokenCache::open(dir.path()).unwrap();
        assert_eq!(c.get(&[3; 32]).as_deref(), Some(&b"three"[..]));
        assert_eq!(c.get(&[1; 32]).as_deref(), Some(&b"one"[..]));

        // The index names the pack it was saved for: a pack replaced by another
        // file (another inode) is scanned, not looked up through the old index.
        let mut other = MAGIC.to_vec();
        other.extend_from_slice(&[2; 32]);
        other.extend_from_slice(&3u32.to_le_bytes());
        other.extend_from_slice(b"new");
        let tmp = dir.path().join("replacement");
        fs::write(&tmp, &other).unwrap();
        fs::rename(&tmp, &pack).unwrap();
        let c = TokenCache::open(dir.path()).unwrap();
        assert_eq!(c.get(&[2; 32]).as_deref(), Some(&b"new"[..]));
        assert_eq!(c.get(&[1; 32]), None);
        c.finish().unwrap();

        // An index entry that does not match its record's header is a miss.
        let mut c = TokenCache::open(dir.path()).unwrap();
        c.index.insert([5; 32], (HEADER + 8, 3));
        assert_eq!(c.get(&[5; 32]), None);
        assert_eq!(c.get(&[2; 32]).as_deref(), Some(&b"new"[..]));
    }

    #[test]
    fn garbage_file_is_an_empty_cache() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("tokens.pack"), b"not a pack").unwrap();
        let c = TokenCache::open(dir.path()).unwrap();
        assert!(c.index.is_empty());
    }
}
