//! The load cache: lets a rebuild skip reading and summarizing article files
//! that did not change since the previous build.
//!
//! One entry per article file, keyed by its path and checked against the
//! file's length, modification time and inode: the parsed front matter
//! (validated again on every build against the current config; a file with a
//! problem is read again to report its line), the summary and the hashes. Files modified in the last two
//! seconds are not cached (their timestamp could hide a second edit in the
//! same tick). On disk: `.folio-cache/content/`, one JSON file per top-level
//! content folder (named by a hash of the folder name), read in parallel and
//! written after a successful load — only the files whose entries changed, so
//! an edit rewrites one folder's entries, not the whole archive's. Deleting it
//! only costs time, and a cache file that cannot be read or written is
//! ignored. This module decides nothing about content.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rayon::prelude::*;
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
    pub summary: String,
    pub hash: String,
    pub head_hash: [u8; 16],
}

#[derive(Serialize, Deserialize)]
struct OnDisk {
    version: u32,
    entries: Vec<(String, Entry)>,
}

const VERSION: u32 = 3;

/// Entries of the previous build and of this one.
pub struct LoadCache {
    dir: PathBuf,
    previous: HashMap<String, Entry>,
    /// Cache files found, by name.
    files: Vec<String>,
    /// Entries of files read by this build, as their JSON (~860 bytes against ~1.4 KB for a
    /// parsed [`Entry`]: at 1M articles a first build holds a million of them).
    current: Mutex<Vec<(String, Vec<u8>)>>,
    /// Files whose previous entry this build used as it was.
    kept: Mutex<Vec<String>>,
}

/// `serde_json` of an [`OnDisk`] holding `entries` (path, entry JSON), written from the
/// entries' JSON as it is.
fn on_disk_json(entries: &[(String, Vec<u8>)]) -> serde_json::Result<Vec<u8>> {
    let len = entries
        .iter()
        .map(|(r, e)| r.len() + e.len() + 8)
        .sum::<usize>();
    let mut out = Vec::with_capacity(len + 32);
    out.extend_from_slice(format!("{{\"version\":{VERSION},\"entries\":[").as_bytes());
    for (i, (rel, entry)) in entries.iter().enumerate() {
        out.extend_from_slice(if i == 0 { b"[" } else { b",[" });
        serde_json::to_writer(&mut out, rel)?;
        out.push(b',');
        out.extend_from_slice(entry);
        out.push(b']');
    }
    out.extend_from_slice(b"]}");
    Ok(out)
}

/// The top-level content folder of `rel` (`""` for a file at the top).
fn folder_of(rel: &str) -> &str {
    rel.split_once('/').map_or("", |(first, _)| first)
}

/// The cache file of a top-level folder's entries.
fn file_name(folder: &str) -> String {
    format!("{}.json", &blake3::hash(folder.as_bytes()).to_hex()[..16])
}

/// The cache file holding the entry of `rel`.
#[cfg(test)]
fn file_of(rel: &str) -> String {
    file_name(folder_of(rel))
}

impl LoadCache {
    /// Opens the cache folder `dir` (missing or unreadable files: no entries).
    pub fn open(dir: &Path) -> LoadCache {
        let mut files: Vec<String> = fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .filter_map(|e| e.file_name().into_string().ok())
                    .filter(|name| name.ends_with(".json"))
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        let previous = files
            .par_iter()
            .flat_map_iter(|name| {
                fs::read(dir.join(name))
                    .ok()
                    .and_then(|b| serde_json::from_slice::<OnDisk>(&b).ok())
                    .filter(|d| d.version == VERSION)
                    .map(|d| d.entries)
                    // Entries of one folder, in that folder's file (not a renamed one), or none.
                    .filter(|entries| {
                        entries.first().is_none_or(|(first, _)| {
                            let folder = folder_of(first);
                            file_name(folder) == *name
                                && entries.iter().all(|(rel, _)| folder_of(rel) == folder)
                        })
                    })
                    .unwrap_or_default()
            })
            .collect();
        LoadCache {
            dir: dir.to_path_buf(),
            previous,
            files,
            current: Mutex::new(Vec::new()),
            kept: Mutex::new(Vec::new()),
        }
    }

    /// The entry of `rel` if the file still has `stamp`.
    pub fn get(&self, rel: &str, stamp: Stamp) -> Option<&Entry> {
        self.previous.get(rel).filter(|e| e.stamp == stamp)
    }

    /// Records that this build used the entry [`Self::get`] gave for `rel` as it was.
    pub fn keep(&self, rel: &str) {
        if let Ok(mut v) = self.kept.lock() {
            v.push(rel.to_string());
        }
    }

    /// Records the entry of a file read by this build.
    pub fn put(&self, rel: &str, entry: Entry) {
        // An entry that cannot be encoded is left out: its file is read again next time.
        let Ok(json) = serde_json::to_vec(&entry) else {
            return;
        };
        if let Ok(mut v) = self.current.lock() {
            v.push((rel.to_string(), json));
        }
    }

    /// Writes the cache files whose entries differ from the previous ones
    /// (entries sorted by path) and removes those no entry needs any more.
    pub fn save(mut self) -> std::io::Result<()> {
        let mut before: HashMap<&str, usize> = HashMap::new();
        for rel in self.previous.keys() {
            *before.entry(folder_of(rel)).or_default() += 1;
        }
        let kept = self.kept.into_inner().unwrap_or_default();
        let current = self.current.into_inner().unwrap_or_default();
        // Per folder: entries this build has, and whether one was read anew.
        let mut folders: HashMap<&str, (usize, bool)> = HashMap::new();
        for rel in &kept {
            folders.entry(folder_of(rel)).or_default().0 += 1;
        }
        for (rel, _) in &current {
            let f = folders.entry(folder_of(rel)).or_default();
            f.0 += 1;
            f.1 = true;
        }
        let changed: HashMap<String, bool> = folders
            .iter()
            .map(|(folder, &(count, read))| {
                let had = before.get(folder).copied().unwrap_or(0);
                let file = file_name(folder);
                let changed = read || had != count || !self.dir.join(&file).exists();
                (folder.to_string(), changed)
            })
            .collect();
        // The cache file of every folder with an entry (the others are removed below).
        let names: BTreeSet<String> = changed.keys().map(|f| file_name(f)).collect();
        // Only the entries of changed folders are gathered (a no-op build moves none).
        let mut by_file: BTreeMap<String, Vec<(String, Vec<u8>)>> = BTreeMap::new();
        for rel in kept {
            let folder = folder_of(&rel);
            if changed.get(folder) == Some(&true)
                && let Some(entry) = self.previous.remove(&rel)
            {
                by_file
                    .entry(file_name(folder))
                    .or_default()
                    .push((rel, serde_json::to_vec(&entry)?));
            }
        }
        for (rel, entry) in current {
            let name = file_name(folder_of(&rel));
            by_file.entry(name).or_default().push((rel, entry));
        }
        fs::create_dir_all(&self.dir)?;
        let dir = &self.dir;
        by_file
            .par_iter_mut()
            .map(|(name, entries)| {
                entries.sort_by(|a, b| a.0.cmp(&b.0));
                let data = on_disk_json(entries)?;
                crate::output::write_cache(&dir.join(name.as_str()), &data)
                    .map_err(std::io::Error::other)
            })
            .collect::<std::io::Result<()>>()?;
        for name in &self.files {
            if !names.contains(name) {
                fs::remove_file(self.dir.join(name))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_survive_a_round_trip_and_stamps_must_match() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.md");
        fs::write(&file, "+++\ntitle = \"x\"\n+++\nbody").unwrap();
        let meta = fs::metadata(&file).unwrap();
        assert_eq!(
            Stamp::of(&meta),
            None,
            "a file written just now is not trusted"
        );
        let old = SystemTime::now() - Duration::from_secs(60);
        fs::File::options()
            .write(true)
            .open(&file)
            .unwrap()
            .set_modified(old)
            .unwrap();
        let stamp = Stamp::of(&fs::metadata(&file).unwrap()).unwrap();
        let path = dir.path().join("cache/content");
        let c = LoadCache::open(&path);
        assert!(c.get("a.md", stamp).is_none());
        let entry = Entry {
            stamp,
            meta: FrontMatter {
                title: "x".into(),
                date: super::super::Date::new(2024, 2, 29),
                ..Default::default()
            },
            summary: "body".into(),
            hash: "h".into(),
            head_hash: [7; 16],
        };
        let mut entry = entry;
        // Unknown fields of any TOML type survive the JSON form.
        entry.meta.extra = toml::from_str(
            "printed = 1998-07-01T08:00:00+08:00\npage = 3\nratio = 0.5\n[press]\nname = \"湖南日报\"\n",
        )
        .unwrap();
        c.put("a.md", entry.clone());
        c.save().unwrap();
        // The file assembled from each entry's JSON is exactly serde's JSON of the whole.
        let want = serde_json::to_vec(&OnDisk {
            version: VERSION,
            entries: vec![("a.md".to_string(), entry.clone())],
        })
        .unwrap();
        assert_eq!(fs::read(path.join(file_of("a.md"))).unwrap(), want);
        let c = LoadCache::open(&path);
        assert_eq!(c.get("a.md", stamp), Some(&entry));
        let other = Stamp { len: 1, ..stamp };
        assert!(c.get("a.md", other).is_none());
        let file = path.join(file_of("a.md"));
        assert!(file.is_file());
        // A file of another folder's entries is not trusted for this one.
        fs::rename(&file, path.join(file_of("b/a.md"))).unwrap();
        assert!(LoadCache::open(&path).get("a.md", stamp).is_none());
        fs::write(&file, "not json").unwrap();
        assert!(LoadCache::open(&path).get("a.md", stamp).is_none());
    }

    #[test]
    fn save_rewrites_only_the_folders_that_changed() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("content");
        let stamp = Stamp {
            len: 1,
            mtime_ns: 1,
            ino: 1,
        };
        let entry = |title: &str| Entry {
            stamp,
            meta: FrontMatter {
                title: title.into(),
                ..Default::default()
            },
            summary: String::new(),
            hash: "h".into(),
            head_hash: [0; 16],
        };
        let c = LoadCache::open(&path);
        for rel in ["a/1.md", "a/2.md", "b/1.md", "top.md"] {
            c.put(rel, entry(rel));
        }
        c.save().unwrap();
        let ino = |rel: &str| fs::metadata(path.join(file_of(rel))).unwrap().ino();
        let (a, b, top) = (ino("a/1.md"), ino("b/1.md"), ino("top.md"));
        assert_eq!(fs::read_dir(&path).unwrap().count(), 3);

        // `a/2.md` changed, `top.md` is gone: one file rewritten, one removed.
        let c = LoadCache::open(&path);
        assert_eq!(c.get("a/2.md", stamp), Some(&entry("a/2.md")));
        c.keep("a/1.md");
        c.put("a/2.md", entry("changed"));
        c.keep("b/1.md");
        c.save().unwrap();
        assert_ne!(ino("a/1.md"), a);
        assert_eq!(ino("b/1.md"), b);
        assert!(!path.join(file_of("top.md")).exists(), "{top}");
        let c = LoadCache::open(&path);
        assert_eq!(c.get("a/2.md", stamp), Some(&entry("changed")));
        assert_eq!(c.get("a/1.md", stamp), Some(&entry("a/1.md")));
        assert_eq!(c.get("top.md", stamp), None);
    }
}
