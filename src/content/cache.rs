//! The load cache: lets a rebuild skip reading and summarizing article files
//! that did not change since the previous build.
//!
//! One entry per article file, keyed by its path and checked against the
//! file's length, modification time and inode: the parsed front matter
//! (validated again on every build against the current config; a file with a
//! problem is read again to report its line), the summary and the hashes. Files modified in the last two
//! seconds are not cached (their timestamp could hide a second edit in the
//! same tick). On disk: `.folio-cache/content.json`, written after a
//! successful load; deleting it only costs time, and a cache that cannot be
//! read or written is ignored. This module decides nothing about content.

use std::collections::HashMap;
use std::fs;
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
    pub summary: String,
    pub hash: String,
    pub head_hash: [u8; 16],
}

#[derive(Serialize, Deserialize)]
struct OnDisk {
    version: u32,
    entries: Vec<(String, Entry)>,
}

const VERSION: u32 = 2;

/// Entries of the previous build and of this one.
pub struct LoadCache {
    path: PathBuf,
    previous: HashMap<String, Entry>,
    current: Mutex<Vec<(String, Entry)>>,
}

impl LoadCache {
    /// Opens the cache file `path` (missing or unreadable: empty).
    pub fn open(path: &Path) -> LoadCache {
        let previous = fs::read(path)
            .ok()
            .and_then(|b| serde_json::from_slice::<OnDisk>(&b).ok())
            .filter(|d| d.version == VERSION)
            .map(|d| d.entries.into_iter().collect())
            .unwrap_or_default();
        LoadCache {
            path: path.to_path_buf(),
            previous,
            current: Mutex::new(Vec::new()),
        }
    }

    /// The entry of `rel` if the file still has `stamp`.
    pub fn get(&self, rel: &str, stamp: Stamp) -> Option<&Entry> {
        self.previous.get(rel).filter(|e| e.stamp == stamp)
    }

    /// Records the entry of a file loaded by this build.
    pub fn put(&self, rel: &str, entry: Entry) {
        if let Ok(mut v) = self.current.lock() {
            v.push((rel.to_string(), entry));
        }
    }

    /// Writes this build's entries (sorted; replaces the previous file),
    /// unless they are exactly the previous ones.
    pub fn save(self) -> std::io::Result<()> {
        let mut entries = self.current.into_inner().unwrap_or_default();
        let unchanged = entries.len() == self.previous.len()
            && entries
                .iter()
                .all(|(rel, e)| self.previous.get(rel).is_some_and(|p| p == e));
        if unchanged && self.path.exists() {
            return Ok(());
        }
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let data = serde_json::to_vec(&OnDisk {
            version: VERSION,
            entries,
        })?;
        if let Some(parent) = self.path.parent() {
            fs::create_dir_all(parent)?;
        }
        crate::output::write_cache(&self.path, &data).map_err(std::io::Error::other)
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
        let path = dir.path().join("cache/content.json");
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
        let c = LoadCache::open(&path);
        assert_eq!(c.get("a.md", stamp), Some(&entry));
        let other = Stamp { len: 1, ..stamp };
        assert!(c.get("a.md", other).is_none());
        fs::write(&path, "not json").unwrap();
        assert!(LoadCache::open(&path).get("a.md", stamp).is_none());
    }
}
