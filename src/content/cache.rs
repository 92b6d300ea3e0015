//! The load cache: lets a rebuild skip reading and summarizing article files
//! that did not change since the previous build.
//!
//! One entry per article file, keyed by its path and checked against the
//! file's length, modification time and inode: the parsed front matter
//! (validated again on every build against the current config; a file with a
//! problem is read again to report its line), the summary and the hashes. Files modified in the last two
//! seconds are not cached (their timestamp could hide a second edit in the
//! same tick).
//!
//! On disk: `.folio-cache/content/`, one binary file per top-level content
//! folder (named by a hash of the folder name), so that the loader handles
//! folders in parallel and an edit rewrites one folder's file, not the whole
//! archive's. A file starts with a header naming the format, the `folio`
//! program that wrote it and its folder; then each entry as its path and its
//! `postcard` encoding, sorted by path. A kept entry is written back as the
//! bytes it was read as. A file with another header, or that does not decode,
//! counts as empty. Deleting the folder only costs time, and a cache file that
//! cannot be read or written is ignored. This module decides nothing about
//! content.

use std::collections::BTreeSet;
use std::fs;
use std::ops::Range;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::FrontMatter;

/// What identifies a file's version without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    len: u64,
    mtime_ns: u128,
    ino: u64,
}

impl Stamp {
    /// The stamp of `meta`, unless the file is too fresh to be trusted.
    pub fn of(meta: &fs::Metadata) -> Option<Stamp> {
        let modified = meta.modified().ok()?;
        let age = SystemTime::now()
            .duration_since(modified)
            .unwrap_or_default();
        if age < Duration::from_secs(2) {
            return None;
        }
        Some(Stamp {
            len: meta.len(),
            mtime_ns: modified.duration_since(UNIX_EPOCH).ok()?.as_nanos(),
            ino: meta.ino(),
        })
    }
}

/// What the loader keeps of an unchanged file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub stamp: Stamp,
    /// The parsed front matter (validated again on every build).
    pub meta: FrontMatter,
    #[serde(deserialize_with = "super::front_matter::fast_str::string")]
    pub summary: String,
    pub hash: String,
    pub head_hash: [u8; 16],
}

/// An [`Entry`] by reference: encodes exactly as the entry would, without
/// copying what the loaded article already holds.
#[derive(Serialize)]
pub struct EntryRef<'a> {
    pub stamp: Stamp,
    pub meta: &'a FrontMatter,
    pub summary: &'a str,
    pub hash: &'a str,
    pub head_hash: [u8; 16],
}

impl EntryRef<'_> {
    /// The entry's bytes in a cache file (`None`: it cannot be encoded, and is
    /// left out: its file is read again next time).
    pub fn encode(&self) -> Option<Vec<u8>> {
        postcard::to_stdvec(self).ok()
    }
}

/// The format of the files; part of their header.
const MAGIC: &[u8; 12] = b"folio-load-5";

/// The header of the cache file of `folder`.
fn header(folder: &str) -> Vec<u8> {
    let mut h = Vec::with_capacity(MAGIC.len() + 16 + 4 + folder.len());
    h.extend_from_slice(MAGIC);
    h.extend_from_slice(&crate::program::identity());
    h.extend_from_slice(&(folder.len() as u32).to_le_bytes());
    h.extend_from_slice(folder.as_bytes());
    h
}

/// The top-level content folder of `rel` (`""` for a file at the top).
pub fn folder_of(rel: &str) -> &str {
    rel.split_once('/').map_or("", |(first, _)| first)
}

/// The cache file of a top-level folder's entries.
fn file_name(folder: &str) -> String {
    format!("{}.bin", &blake3::hash(folder.as_bytes()).to_hex()[..16])
}

/// The cache folder of one load.
pub struct LoadCache {
    dir: PathBuf,
    /// Cache files found when opened, by name.
    files: Vec<String>,
    /// Files that hold entries after this load.
    wanted: Mutex<BTreeSet<String>>,
}

/// What the load did with a file's entry, for [`FolderCache::finish`].
pub enum Record {
    /// Used the entry [`FolderCache::take`] gave, as it was (its bytes in the file).
    Kept(Range<usize>),
    /// Read the file: its new entry, encoded ([`EntryRef::encode`]).
    New(Vec<u8>),
}

/// The entries of one top-level folder, read from its cache file. Entries are
/// decoded only when asked for, and only if their stamp still matches: a
/// rebuild decodes each entry once, straight into its article.
pub struct FolderCache<'c> {
    cache: &'c LoadCache,
    folder: String,
    /// The file as read (kept entries are written back from it).
    bytes: Vec<u8>,
    /// Each entry's path and encoding as ranges of `bytes`, sorted by path.
    entries: Vec<(Range<usize>, Range<usize>)>,
}

/// The entries of a cache file of `folder`: `(path, encoding)` ranges sorted by
/// path, or `None` if the file is not one (another format, program or folder;
/// truncated; out of order).
fn entries_of(bytes: &[u8], folder: &str) -> Option<Vec<(Range<usize>, Range<usize>)>> {
    let header = header(folder);
    if !bytes.starts_with(&header) {
        return None;
    }
    let mut at = header.len();
    let mut out: Vec<(Range<usize>, Range<usize>)> = Vec::new();
    let take = |at: &mut usize| -> Option<Range<usize>> {
        let len = u32::from_le_bytes(bytes.get(*at..*at + 4)?.try_into().ok()?) as usize;
        let range = *at + 4..*at + 4 + len;
        bytes.get(range.clone())?;
        *at = range.end;
        Some(range)
    };
    while at < bytes.len() {
        let rel = take(&mut at)?;
        let path = std::str::from_utf8(&bytes[rel.clone()]).ok()?;
        if folder_of(path) != folder
            || out
                .last()
                .is_some_and(|(prev, _)| bytes[prev.clone()] >= bytes[rel.clone()])
        {
            return None;
        }
        out.push((rel, take(&mut at)?));
    }
    Some(out)
}

impl LoadCache {
    /// Opens the cache folder `dir` (it may not exist). Files are read per folder.
    pub fn open(dir: &Path) -> LoadCache {
        let files: Vec<String> = fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .filter_map(|e| e.file_name().into_string().ok())
                    .collect()
            })
            .unwrap_or_default();
        LoadCache {
            dir: dir.to_path_buf(),
            files,
            wanted: Mutex::new(BTreeSet::new()),
        }
    }

    /// Reads the entries of the top-level folder `folder` (none if its file is
    /// missing or not valid).
    pub fn folder(&self, folder: &str) -> FolderCache<'_> {
        let name = file_name(folder);
        let bytes = if self.files.contains(&name) {
            fs::read(self.dir.join(&name)).unwrap_or_default()
        } else {
            Vec::new()
        };
        let entries = entries_of(&bytes, folder).unwrap_or_default();
        FolderCache {
            cache: self,
            folder: folder.to_string(),
            entries,
            bytes,
        }
    }

    /// Removes the cache files no folder's entries are in any more (those of
    /// folders gone or left without entries, and files of other formats).
    /// Call once every folder of the load is [`FolderCache::finish`]ed.
    pub fn close(self) -> std::io::Result<()> {
        let wanted = self.wanted.into_inner().unwrap_or_default();
        for name in &self.files {
            if !wanted.contains(name) {
                fs::remove_file(self.dir.join(name))?;
            }
        }
        Ok(())
    }
}

impl FolderCache<'_> {
    /// The entry of `rel` if the file still has `stamp`, with the range of its
    /// bytes (for [`Record::Kept`]); `None` if there is none, its stamp differs
    /// or it does not decode.
    pub fn get(&self, rel: &str, stamp: Stamp) -> Option<(Entry, Range<usize>)> {
        let at = self
            .entries
            .binary_search_by(|(path, _)| self.bytes[path.clone()].cmp(rel.as_bytes()))
            .ok()?;
        let range = self.entries[at].1.clone();
        let data = &self.bytes[range.clone()];
        // The stamp is the entry's first field: checked before decoding the rest.
        let (old, _) = postcard::take_from_bytes::<Stamp>(data).ok()?;
        if old != stamp {
            return None;
        }
        let entry = postcard::from_bytes::<Entry>(data).ok()?;
        Some((entry, range))
    }

    /// Ends the folder's load: `records` are its files' entries this load. The
    /// file is written again only if they differ from those read (sorted by path).
    pub fn finish(self, mut records: Vec<(String, Record)>) -> std::io::Result<()> {
        let name = file_name(&self.folder);
        if records.is_empty() {
            return Ok(());
        }
        if let Ok(mut w) = self.cache.wanted.lock() {
            w.insert(name.clone());
        }
        let unchanged = records.len() == self.entries.len()
            && records.iter().all(|(_, r)| matches!(r, Record::Kept(_)));
        if unchanged {
            return Ok(());
        }
        records.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out = header(&self.folder);
        for (rel, record) in &records {
            let bytes = match record {
                Record::Kept(range) => &self.bytes[range.clone()],
                Record::New(bytes) => bytes.as_slice(),
            };
            out.extend_from_slice(&(rel.len() as u32).to_le_bytes());
            out.extend_from_slice(rel.as_bytes());
            out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
            out.extend_from_slice(bytes);
        }
        fs::create_dir_all(&self.cache.dir)?;
        crate::output::write_cache(&self.cache.dir.join(name), &out).map_err(std::io::Error::other)
    }
}

/// The cache file holding the entry of `rel`.
#[cfg(test)]
fn file_of(rel: &str) -> String {
    file_name(folder_of(rel))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(n: u64) -> Stamp {
        Stamp {
            len: n,
            mtime_ns: 1,
            ino: 1,
        }
    }

    fn entry(title: &str) -> Entry {
        Entry {
            stamp: stamp(1),
            meta: FrontMatter {
                title: title.into(),
                ..Default::default()
            },
            summary: format!("{title} 的摘要"),
            hash: "h".into(),
            head_hash: [7; 16],
        }
    }

    fn encode(e: &Entry) -> Vec<u8> {
        EntryRef {
            stamp: e.stamp,
            meta: &e.meta,
            summary: &e.summary,
            hash: &e.hash,
            head_hash: e.head_hash,
        }
        .encode()
        .unwrap()
    }

    /// Writes `entries` (all of one folder) as a load would.
    fn save(dir: &Path, folder: &str, entries: &[(&str, Entry)]) {
        let c = LoadCache::open(dir);
        let fc = c.folder(folder);
        let records = entries
            .iter()
            .map(|(rel, e)| (rel.to_string(), Record::New(encode(e))))
            .collect();
        fc.finish(records).unwrap();
    }

    #[test]
    fn stamps_of_fresh_files_are_not_trusted() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.md");
        fs::write(&file, "+++\ntitle = \"x\"\n+++\nbody").unwrap();
        assert_eq!(Stamp::of(&fs::metadata(&file).unwrap()), None);
        let old = SystemTime::now() - Duration::from_secs(60);
        fs::File::options()
            .write(true)
            .open(&file)
            .unwrap()
            .set_modified(old)
            .unwrap();
        let s = Stamp::of(&fs::metadata(&file).unwrap()).unwrap();
        assert_eq!(s.len, 24);
    }

    #[test]
    fn entries_survive_a_round_trip_and_stamps_must_match() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache/content");
        let mut e = entry("x");
        e.meta.date = super::super::Date::new(2024, 2, 29);
        e.meta.authors = vec!["张三".into()];
        e.meta.source = Some(super::super::Source {
            seed: "s.txt".into(),
            lines: [3, 9],
            ingested_hash: "abc".into(),
        });
        // Unknown fields of any TOML type survive.
        e.meta.extra = toml::from_str(
            "printed = 1998-07-01T08:00:00+08:00\npage = 3\nratio = 0.5\n[press]\nname = \"湖南日报\"\n",
        )
        .unwrap();
        save(
            &path,
            "2024",
            &[("2024/b.md", entry("b")), ("2024/a.md", e.clone())],
        );
        let c = LoadCache::open(&path);
        let fc = c.folder("2024");
        assert!(fc.get("2024/a.md", stamp(2)).is_none(), "another stamp");
        let (got, _) = fc.get("2024/a.md", stamp(1)).unwrap();
        assert_eq!(got, e);
        assert!(c.folder("2025").get("2025/a.md", stamp(1)).is_none());

        // A file of another folder's entries, of another format or truncated is empty.
        let file = path.join(file_of("2024/a.md"));
        let bytes = fs::read(&file).unwrap();
        fs::rename(&file, path.join(file_of("2023/a.md"))).unwrap();
        let c = LoadCache::open(&path);
        assert!(c.folder("2023").get("2024/a.md", stamp(1)).is_none());
        for bad in [&bytes[..bytes.len() - 3], b"not a cache".as_slice()] {
            fs::write(&file, bad).unwrap();
            let c = LoadCache::open(&path);
            assert!(c.folder("2024").get("2024/b.md", stamp(1)).is_none());
        }
        let mut other_program = bytes.clone();
        other_program[MAGIC.len()] ^= 1;
        fs::write(&file, other_program).unwrap();
        assert!(
            LoadCache::open(&path)
                .folder("2024")
                .get("2024/b.md", stamp(1))
                .is_none()
        );
    }

    #[test]
    fn a_folder_is_rewritten_only_when_its_entries_change() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("content");
        save(
            &path,
            "a",
            &[("a/1.md", entry("1")), ("a/2.md", entry("2"))],
        );
        save(&path, "", &[("top.md", entry("top"))]);
        let file = path.join(file_of("a/1.md"));
        let ino = || fs::metadata(&file).unwrap().ino();
        let first = ino();

        // Every entry kept: the file stays as it is.
        let c = LoadCache::open(&path);
        let fc = c.folder("a");
        let records = ["a/1.md", "a/2.md"]
            .iter()
            .map(|rel| {
                (
                    rel.to_string(),
                    Record::Kept(fc.get(rel, stamp(1)).unwrap().1),
                )
            })
            .collect();
        fc.finish(records).unwrap();
        assert_eq!(ino(), first);
        // `top.md`'s folder was not loaded: its file is removed on close.
        c.close().unwrap();
        assert!(!path.join(file_of("top.md")).exists());
        assert!(file.exists());

        // One entry kept, one new: rewritten, the kept one from its bytes.
        let c = LoadCache::open(&path);
        let fc = c.folder("a");
        let kept = fc.get("a/1.md", stamp(1)).unwrap().1;
        let records = vec![
            ("a/2.md".to_string(), Record::New(encode(&entry("changed")))),
            ("a/1.md".to_string(), Record::Kept(kept)),
        ];
        fc.finish(records).unwrap();
        c.close().unwrap();
        assert_ne!(ino(), first);
        let c = LoadCache::open(&path);
        let fc = c.folder("a");
        assert_eq!(fc.get("a/1.md", stamp(1)).unwrap().0, entry("1"));
        assert_eq!(fc.get("a/2.md", stamp(1)).unwrap().0, entry("changed"));

        // An entry dropped (its file is gone): rewritten without it.
        let c = LoadCache::open(&path);
        let fc = c.folder("a");
        let kept = fc.get("a/1.md", stamp(1)).unwrap().1;
        fc.finish(vec![("a/1.md".to_string(), Record::Kept(kept))])
            .unwrap();
        c.close().unwrap();
        let c = LoadCache::open(&path);
        assert!(c.folder("a").get("a/2.md", stamp(1)).is_none());
        assert_eq!(fs::read_dir(&path).unwrap().count(), 1);
    }
}
