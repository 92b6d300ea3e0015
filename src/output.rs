//! Output: writes a build into a staging folder and swaps it into place.
//!
//! A build never writes into `public/` directly. The staging folder starts as
//! an exact copy of the current `public/` whose files are hard links (cheap;
//! unchanged files keep their inode and mtime): the *twin* — the output before
//! last, kept by the previous build — brought up to date by replaying what that
//! build changed, or else a fresh hard-link clone. The build replaces only
//! files whose bytes changed (new files, or temp file + rename, so the live
//! `public/` is never written into), deletes files it no longer produced, then
//! exchanges the staging folder with `public/` in one atomic rename; the
//! previous output becomes the next twin. Killing a build at any moment leaves
//! `public/` as it was. A lock file serializes concurrent builds of one site.
//! This module knows nothing about pages or content.

use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use rayon::prelude::*;
use thiserror::Error;
use walkdir::WalkDir;

/// An output problem, naming the path involved.
#[derive(Debug, Error)]
pub enum OutputError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error(
        "another folio build is running on this site (or an ingest; lock {path} is held); wait for it to finish"
    )]
    Locked { path: PathBuf },
    #[error("refusing to write outside the output folder: {0}")]
    BadPath(String),
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Holds the site's build lock for as long as it lives. `folio build` and
/// `folio ingest` both take it: they write the same `content/`.
pub struct BuildLock {
    _file: File,
}

impl BuildLock {
    /// Takes the lock `<cache_dir>/build.lock`, failing at once if another
    /// process holds it. The OS releases it if the holder dies.
    pub fn acquire(cache_dir: &Path) -> Result<BuildLock, OutputError> {
        fs::create_dir_all(cache_dir).map_err(io_err(cache_dir))?;
        let path = cache_dir.join("build.lock");
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io_err(&path))?;
        match file.try_lock() {
            Ok(()) => Ok(BuildLock { _file: file }),
            Err(fs::TryLockError::WouldBlock) => Err(OutputError::Locked { path }),
            Err(fs::TryLockError::Error(e)) => Err(OutputError::Io { path, source: e }),
        }
    }
}

/// What a finished build changed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct OutputStats {
    /// Files the build produced.
    pub files: usize,
    /// Of those, files whose bytes changed (or are new).
    pub written: usize,
    /// Files removed because the build no longer produces them.
    pub removed: usize,
    /// Total bytes of the produced files.
    pub bytes: u64,
}

/// The files of an output tree (`/`-separated relative paths) with their
/// lengths, sorted by path. Looked up through an index of 64-bit path hashes
/// built on the first lookup (no second copy of the paths; a path whose hash
/// another one has is found by binary search).
#[derive(Debug, Default, Clone)]
pub struct Manifest {
    files: Vec<(String, u64)>,
    index: std::sync::OnceLock<rustc_hash::FxHashMap<u64, u32>>,
}

impl Manifest {
    /// The manifest of `files` in any order (of a path listed twice, the last length counts).
    pub fn from_unsorted(mut files: Vec<(String, u64)>) -> Manifest {
        if !files.is_sorted_by(|a, b| a.0 < b.0) {
            files.sort_by(|a, b| a.0.cmp(&b.0));
            files.dedup_by(|later, earlier| {
                let same = later.0 == earlier.0;
                if same {
                    earlier.1 = later.1;
                }
                same
            });
        }
        Manifest {
            files,
            index: std::sync::OnceLock::new(),
        }
    }

    fn position(&self, rel: &str) -> Option<usize> {
        let hash = |path: &str| xxhash_rust::xxh3::xxh3_64(path.as_bytes());
        let index = self.index.get_or_init(|| {
            let mut index = rustc_hash::FxHashMap::default();
            index.reserve(self.files.len());
            for (i, (path, _)) in self.files.iter().enumerate() {
                index.insert(hash(path), i as u32);
            }
            index
        });
        match index.get(&hash(rel)) {
            Some(&i) if self.files[i as usize].0 == rel => Some(i as usize),
            // Not listed, or a path whose hash another one has.
            _ => self
                .files
                .binary_search_by(|(r, _)| r.as_str().cmp(rel))
                .ok(),
        }
    }

    /// The length of `rel`, if listed.
    pub fn len_of(&self, rel: &str) -> Option<u64> {
        self.position(rel).map(|i| self.files[i].1)
    }

    /// The files whose paths start with `prefix`, in order.
    pub fn under<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = &'a (String, u64)> + 'a {
        let start = self.files.partition_point(|(r, _)| r.as_str() < prefix);
        self.files[start..]
            .iter()
            .take_while(move |(r, _)| r.starts_with(prefix))
    }

    /// The files of the folder `dir` on disk (none if it does not exist).
    pub fn scan(dir: &Path) -> Manifest {
        let files = WalkDir::new(dir)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .filter_map(|e| {
                let rel = e.path().strip_prefix(dir).ok()?.to_string_lossy();
                Some((rel.replace('\\', "/"), e.metadata().ok()?.len()))
            })
            .collect();
        Manifest::from_unsorted(files)
    }
}

/// What a build produced, recorded from many threads without a lock on the
/// common case (a file the previous output had with the same length).
struct Produced {
    /// One bit per file of the previous manifest: produced by this build.
    seen: Vec<AtomicU64>,
    /// Files of the previous manifest produced with another length: (index, length).
    relength: Mutex<Vec<(usize, u64)>>,
    /// Files the previous manifest does not have.
    new: Mutex<Vec<(String, u64)>>,
}

/// A staging folder being filled; [`Staging::commit`] swaps it into place.
pub struct Staging {
    target: PathBuf,
    dir: PathBuf,
    /// Files the staging folder held when the build started (the current
    /// output's files when it was cloned or rebuilt from the twin; empty for
    /// a from-scratch build).
    previous: Manifest,
    /// Whether the previous output may be kept as the twin after the swap
    /// (only when the staging folder started as an exact copy of it).
    keep_twin: bool,
    produced: Produced,
    /// Files this build wrote (new inodes), for the twin record.
    written_files: Mutex<Vec<String>>,
    /// Folders known to exist in the staging folder.
    dirs: Mutex<HashSet<PathBuf>>,
    written: AtomicUsize,
    bytes: AtomicU64,
}

impl Staging {
    /// Prepares `<parent>/.<name>.folio-staging` next to `target` (removing
    /// leftovers of a killed build). With `clone`, it starts as a copy of
    /// `target`: the twin brought up to date when its record matches, else a
    /// hard-link clone. Without, it starts empty (a from-scratch build).
    pub fn begin(target: &Path, clone: bool) -> Result<Staging, OutputError> {
        let dir = sibling(target, "folio-staging");
        remove_dir_if_exists(&dir)?;
        remove_dir_if_exists(&sibling(target, "folio-old"))?;
        let twin = take_twin(target, &dir, clone);
        let (previous, keep_twin) = match twin {
            Some(previous) => (previous, true),
            None => {
                fs::create_dir_all(&dir).map_err(io_err(&dir))?;
                if clone && target.is_dir() {
                    (clone_tree(target, &dir)?, true)
                } else {
                    (Manifest::default(), false)
                }
            }
        };
        let produced = Produced {
            seen: (0..previous.files.len().div_ceil(64))
                .map(|_| AtomicU64::new(0))
                .collect(),
            relength: Mutex::new(Vec::new()),
            new: Mutex::new(Vec::new()),
        };
        Ok(Staging {
            target: target.to_path_buf(),
            dir,
            previous,
            keep_twin,
            produced,
            written_files: Mutex::new(Vec::new()),
            dirs: Mutex::new(HashSet::new()),
            written: AtomicUsize::new(0),
            bytes: AtomicU64::new(0),
        })
    }

    /// The staging folder (for code that must write there itself).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn record_produced(&self, rel: &str, len: u64) {
        self.bytes.fetch_add(len, Ordering::Relaxed);
        match self.previous.position(rel) {
            Some(i) => self.record_produced_at(i, len),
            None => {
                if let Ok(mut new) = self.produced.new.lock() {
                    new.push((rel.to_string(), len));
                }
            }
        }
    }

    /// [`Self::record_produced`] of the previous manifest's `i`-th file.
    fn record_produced_at(&self, i: usize, len: u64) {
        self.produced.seen[i / 64].fetch_or(1 << (i % 64), Ordering::Relaxed);
        if self.previous.files[i].1 != len
            && let Ok(mut r) = self.produced.relength.lock()
        {
            r.push((i, len));
        }
    }

    fn record_written(&self, rel: String) {
        self.written.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut w) = self.written_files.lock() {
            w.push(rel);
        }
    }

    /// Creates the parent folder of `path` unless this build already did.
    fn ensure_parent(&self, path: &Path) -> Result<(), OutputError> {
        let Some(parent) = path.parent() else {
            return Ok(());
        };
        if self.dirs.lock().is_ok_and(|d| d.contains(parent)) {
            return Ok(());
        }
        fs::create_dir_all(parent).map_err(io_err(parent))?;
        if let Ok(mut d) = self.dirs.lock() {
            let mut p = Some(parent);
            while let Some(dir) = p {
                if dir == self.dir || !d.insert(dir.to_path_buf()) {
                    break;
                }
                p = dir.parent();
            }
        }
        Ok(())
    }

    /// Writes `bytes` at `rel` (a `/`-separated path inside the output) unless
    /// the file already holds exactly these bytes. Safe to call from many threads.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), OutputError> {
        check_rel(rel)?;
        let path = self.dir.join(rel);
        self.record_produced(rel, bytes.len() as u64);
        match self.previous.len_of(rel) {
            Some(len) => {
                if len == bytes.len() as u64 && fs::read(&path).is_ok_and(|old| old == bytes) {
                    return Ok(());
                }
                // The old file may be a hard link into the live output.
                write_replace(&path, bytes)?;
            }
            None => {
                self.ensure_parent(&path)?;
                // New to this output; should a file be there anyway (put into the
                // output by hand), it is replaced, never written into.
                match File::options().write(true).create_new(true).open(&path) {
                    Ok(mut f) => f.write_all(bytes).map_err(io_err(&path))?,
                    Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                        write_replace(&path, bytes)?
                    }
                    Err(e) => return Err(OutputError::Io { path, source: e }),
                }
            }
        }
        self.record_written(rel.to_string());
        Ok(())
    }

    /// The files the staging folder started with under `prefix` (e.g. `search/`), paths
    /// relative to it, with their lengths, as the previous build recorded them.
    pub fn previous_under(&self, prefix: &str) -> Manifest {
        let files = self
            .previous
            .under(prefix)
            .map(|(r, len)| (r[prefix.len()..].to_string(), *len))
            .collect();
        Manifest::from_unsorted(files)
    }

    /// Keeps the file at `rel` as it is (a page whose inputs did not change) if
    /// the current output has it with length `len`; returns whether it was kept.
    pub fn keep(&self, rel: &str, len: u64) -> bool {
        match self.previous.position(rel) {
            Some(i) if self.previous.files[i].1 == len => {
                self.bytes.fetch_add(len, Ordering::Relaxed);
                self.record_produced_at(i, len);
                true
            }
            _ => false,
        }
    }

    /// Moves every file of `src_dir` (a folder a phase filled on its own, on
    /// the same file system, e.g. inside [`Staging::dir`]) to `rel_dir` in the
    /// output: a file whose bytes equal the current one is dropped (the old
    /// file and its inode stay), a changed or new one is renamed into place
    /// (never written into, so the live output is untouched). Every file is
    /// recorded as produced; `src_dir` is removed. With no previous file under
    /// `rel_dir` (a first build) the folder is renamed into place whole.
    pub fn adopt_tree(&self, src_dir: &Path, rel_dir: &str) -> Result<(), OutputError> {
        let walk_err = |e: walkdir::Error| OutputError::Io {
            path: src_dir.to_path_buf(),
            source: io::Error::other(e.to_string()),
        };
        // The listing gives each entry's type; the lengths take a `stat` each, done in
        // parallel (tens of thousands of files at the end of a build, nothing else running).
        let paths: Vec<PathBuf> = WalkDir::new(src_dir)
            .sort_by_file_name()
            .into_iter()
            .filter(|e| e.as_ref().map_or(true, |e| e.file_type().is_file()))
            .map(|e| e.map(walkdir::DirEntry::into_path).map_err(walk_err))
            .collect::<Result<_, OutputError>>()?;
        let files: Vec<(PathBuf, u64)> = paths
            .into_par_iter()
            .map(|path| {
                let len = fs::symlink_metadata(&path).map_err(io_err(&path))?.len();
                Ok((path, len))
            })
            .collect::<Result<_, OutputError>>()?;
        let rel_of = |src: &Path| {
            let sub = src
                .strip_prefix(src_dir)
                .unwrap_or(src)
                .to_string_lossy()
                .replace('\\', "/");
            format!("{}/{sub}", rel_dir.trim_end_matches('/'))
        };
        let prefix = format!("{}/", rel_dir.trim_end_matches('/'));
        let dest_dir = self.dir.join(rel_dir.trim_end_matches('/'));
        if self.previous.under(&prefix).next().is_none() {
            // Nothing to compare with (a first build): move whole folders, not file by file.
            let rels: Vec<String> = files.iter().map(|(src, _)| rel_of(src)).collect();
            for rel in &rels {
                check_rel(rel)?;
            }
            self.ensure_parent(&dest_dir)?;
            move_merging(src_dir, &dest_dir).map_err(io_err(&dest_dir))?;
            for (rel, (_, len)) in rels.into_iter().zip(&files) {
                self.record_produced(&rel, *len);
                self.record_written(rel);
            }
            return Ok(());
        }
        files.par_iter().try_for_each(|(src, new_len)| {
            let rel = rel_of(src);
            check_rel(&rel)?;
            let dest = self.dir.join(&rel);
            self.record_produced(&rel, *new_len);
            let same = self.previous.len_of(&rel) == Some(*new_len)
                && match (fs::read(src), fs::read(&dest)) {
                    (Ok(a), Ok(b)) => a == b,
                    _ => false,
                };
            if same {
                return fs::remove_file(src).map_err(io_err(src));
            }
            self.ensure_parent(&dest)?;
            fs::rename(src, &dest).map_err(io_err(&dest))?;
            self.record_written(rel);
            Ok(())
        })?;
        remove_dir_if_exists(src_dir)
    }

    /// Removes files not produced by this build, then swaps the staging folder
    /// into place atomically. The previous output is kept as the twin (the
    /// next build's starting point) when possible, else deleted.
    pub fn commit(self) -> Result<OutputStats, OutputError> {
        let Produced {
            seen,
            relength,
            new,
        } = self.produced;
        let seen = |i: usize| seen[i / 64].load(Ordering::Relaxed) & (1 << (i % 64)) != 0;
        let mut lengths: Vec<u64> = self.previous.files.iter().map(|f| f.1).collect();
        for (i, len) in relength.into_inner().unwrap_or_default() {
            lengths[i] = len;
        }
        let new = Manifest::from_unsorted(new.into_inner().unwrap_or_default());
        // Sorted, as the previous manifest is.
        let stale: Vec<&String> = (0..self.previous.files.len())
            .filter(|&i| !seen(i))
            .map(|i| &self.previous.files[i].0)
            .collect();
        // Every produced file, sorted: the previous ones produced again and the new ones.
        let mut produced: Vec<(&str, u64)> = Vec::with_capacity(lengths.len() + new.files.len());
        let mut fresh = new.files.iter().peekable();
        for (i, (rel, _)) in self.previous.files.iter().enumerate() {
            if !seen(i) {
                continue;
            }
            while let Some((n, len)) = fresh.next_if(|(n, _)| n < rel) {
                produced.push((n, *len));
            }
            produced.push((rel, lengths[i]));
        }
        produced.extend(fresh.map(|(n, len)| (n.as_str(), *len)));
        remove_files(&self.dir, stale.iter().copied()).map_err(io_err(&self.dir))?;
        let removed = stale.len();
        let had_target = self.target.is_dir();
        let exchanged = swap_into_place(&self.dir, &self.target)?;
        let twin = sibling(&self.target, "folio-twin");
        let record = twin_record_path(&self.target);
        let _ = fs::remove_file(&record);
        remove_dir_if_exists(&twin)?;
        if exchanged {
            // `self.dir` now holds the previous output.
            if self.keep_twin && fs::rename(&self.dir, &twin).is_ok() {
                let mut written = self.written_files.into_inner().unwrap_or_default();
                written.sort();
                let stale: Vec<String> = stale.into_iter().cloned().collect();
                if write_twin_record(&self.target, &twin, &written, &stale, &produced).is_err() {
                    let _ = fs::remove_file(&record);
                    remove_dir_if_exists(&twin)?;
                }
            } else {
                remove_dir_if_exists(&self.dir)?;
            }
        } else if had_target {
            remove_dir_if_exists(&sibling(&self.target, "folio-old"))?;
        }
        Ok(OutputStats {
            files: produced.len(),
            written: self.written.load(Ordering::Relaxed),
            removed,
            bytes: self.bytes.load(Ordering::Relaxed),
        })
    }
}

/// Moves `src` to `dest`: whole when `dest` does not exist; when both are folders, entry
/// by entry (each moved whole where it can be), then removes the emptied `src`. A file
/// replaces a file.
fn move_merging(src: &Path, dest: &Path) -> io::Result<()> {
    match fs::symlink_metadata(dest) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => fs::rename(src, dest),
        Ok(meta) if meta.is_dir() && fs::symlink_metadata(src)?.is_dir() => {
            for entry in fs::read_dir(src)? {
                let entry = entry?;
                move_merging(&entry.path(), &dest.join(entry.file_name()))?;
            }
            fs::remove_dir(src)
        }
        _ => fs::rename(src, dest),
    }
}

fn check_rel(rel: &str) -> Result<(), OutputError> {
    if rel.is_empty()
        || rel.starts_with('/')
        || rel
            .split('/')
            .any(|c| c == ".." || c == "." || c.is_empty())
        || rel.contains('\\')
        || rel.contains('\n')
    {
        return Err(OutputError::BadPath(rel.to_string()));
    }
    Ok(())
}

/// Removes the files `rels` under `root` (those already gone are fine), then
/// the folders they leave empty.
fn remove_files<'r>(root: &Path, rels: impl Iterator<Item = &'r String>) -> io::Result<()> {
    let mut parents = HashSet::new();
    for rel in rels {
        let path = root.join(rel);
        match fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(io::Error::new(e.kind(), format!("{}: {e}", path.display()))),
        }
        if let Some(p) = path.parent() {
            parents.insert(p.to_path_buf());
        }
    }
    remove_empty_parents(root, parents);
    Ok(())
}

/// Removes the folders in `dirs` and their parents (up to `root`, excluded)
/// that are empty.
fn remove_empty_parents(root: &Path, dirs: HashSet<PathBuf>) {
    let mut dirs: Vec<PathBuf> = dirs.into_iter().collect();
    // Deepest first, so a parent is tried after its children.
    dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
    let mut tried = HashSet::new();
    for d in dirs {
        let mut cur = Some(d.as_path());
        while let Some(dir) = cur {
            if dir == root || !dir.starts_with(root) || !tried.insert(dir.to_path_buf()) {
                break;
            }
            // Fails (and stops the climb) when the folder is not empty.
            if fs::remove_dir(dir).is_err() {
                break;
            }
            cur = dir.parent();
        }
    }
}

// --- The twin -------------------------------------------------------------
//
// After a swap, the staging folder holds the previous output. Instead of
// deleting it (on slow disks, unlinking a large tree costs more than the whole
// build), it is kept as `.<name>.folio-twin` with a record of what the build
// changed: the files it wrote and the files it removed, and the list of files
// of the new output. The next build renames the twin to staging and applies
// that change (hard links to the written files, removal of the removed ones):
// work proportional to what changed, not to the size of the archive. The
// record names the identities (device, inode) of both folders; if either
// differs (someone replaced public/ or the twin), or anything fails, the twin
// is discarded and the build falls back to cloning. Files put into `public/`
// by hand are not part of the record: Folio owns `public/`.

fn twin_record_path(target: &Path) -> PathBuf {
    let mut p = sibling(target, "folio-twin").into_os_string();
    p.push(".list");
    PathBuf::from(p)
}

fn identity(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    let m = fs::symlink_metadata(path).ok()?;
    m.is_dir().then(|| (m.dev(), m.ino()))
}

fn write_twin_record(
    target: &Path,
    twin: &Path,
    written: &[String],
    removed: &[String],
    files: &[(&str, u64)],
) -> io::Result<()> {
    let (Some(t), Some(w)) = (identity(target), identity(twin)) else {
        return Err(io::Error::other("output folders vanished"));
    };
    let mut out = Vec::with_capacity(64 * (files.len() + written.len()));
    writeln!(out, "folio-twin 1")?;
    writeln!(out, "target {} {}", t.0, t.1)?;
    writeln!(out, "twin {} {}", w.0, w.1)?;
    for rel in written {
        writeln!(out, "W {rel}")?;
    }
    for rel in removed {
        writeln!(out, "R {rel}")?;
    }
    for (rel, len) in files {
        writeln!(out, "F {len} {rel}")?;
    }
    let path = twin_record_path(target);
    let tmp = path.with_extension("list.folio-tmp");
    fs::write(&tmp, &out)?;
    fs::rename(&tmp, &path)
}

struct TwinRecord {
    target: (u64, u64),
    twin: (u64, u64),
    written: Vec<String>,
    removed: Vec<String>,
    /// In the record's order (sorted, as written).
    files: Vec<(String, u64)>,
}

fn parse_twin_record(text: &str) -> Option<TwinRecord> {
    let mut lines = text.lines();
    if lines.next()? != "folio-twin 1" {
        return None;
    }
    let id = |line: Option<&str>, tag: &str| -> Option<(u64, u64)> {
        let mut parts = line?.strip_prefix(tag)?.split_whitespace();
        Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
    };
    let target = id(lines.next(), "target ")?;
    let twin = id(lines.next(), "twin ")?;
    let mut rec = TwinRecord {
        target,
        twin,
        written: Vec::new(),
        removed: Vec::new(),
        files: Vec::new(),
    };
    for line in lines {
        if let Some(rel) = line.strip_prefix("W ") {
            rec.written.push(rel.to_string());
        } else if let Some(rel) = line.strip_prefix("R ") {
            rec.removed.push(rel.to_string());
        } else if let Some(rest) = line.strip_prefix("F ") {
            let (len, rel) = rest.split_once(' ')?;
            rec.files.push((rel.to_string(), len.parse().ok()?));
        } else {
            return None;
        }
    }
    let all_valid = [&rec.written, &rec.removed]
        .into_iter()
        .all(|list| list.par_iter().all(|r| check_rel(r).is_ok()))
        && rec.files.par_iter().all(|f| check_rel(&f.0).is_ok());
    all_valid.then_some(rec)
}

/// Turns the twin into the staging folder `dir`, brought up to date with
/// `target`; returns the manifest of `target`. On any mismatch or failure the
/// twin is discarded and `None` returned (the caller clones instead).
fn take_twin(target: &Path, dir: &Path, clone: bool) -> Option<Manifest> {
    let twin = sibling(target, "folio-twin");
    let record_path = twin_record_path(target);
    let record = fs::read_to_string(&record_path)
        .ok()
        .and_then(|t| parse_twin_record(&t));
    // The record describes one use of the twin only.
    let _ = fs::remove_file(&record_path);
    let usable = clone
        && record
            .as_ref()
            .is_some_and(|r| identity(target) == Some(r.target) && identity(&twin) == Some(r.twin));
    let (true, Some(record)) = (usable, record) else {
        let _ = remove_dir_if_exists(&twin);
        return None;
    };
    if fs::rename(&twin, dir).is_err() {
        let _ = remove_dir_if_exists(&twin);
        return None;
    }
    let applied = (|| -> io::Result<()> {
        remove_files(dir, record.removed.iter())?;
        record.written.par_iter().try_for_each(|rel| {
            let dest = dir.join(rel);
            match fs::remove_file(&dest) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    if let Some(parent) = dest.parent() {
                        fs::create_dir_all(parent)?;
                    }
                }
                Err(e) => return Err(e),
            }
            fs::hard_link(target.join(rel), &dest)
        })
    })();
    match applied {
        Ok(()) => Some(Manifest::from_unsorted(record.files)),
        Err(_) => {
            // The caller recreates `dir` and clones.
            let _ = remove_dir_if_exists(dir);
            None
        }
    }
}

/// Replaces `path` by a new file (temporary file + rename, never writing into
/// the existing file, which may be a hard link into the live output). Not
/// flushed to disk: a killed build is safe (the swap has not happened), but
/// unlike [`write_atomic`] a power cut right after a build may lose pages of
/// it; one `fsync` per page made builds several times slower on slow disks.
fn write_replace(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    replace_with(path, |f| f.write_all(bytes))
}

/// Creates a temporary file beside `path`, lets `fill` write it, then renames
/// it to `path`; on any error the temporary file is removed.
fn replace_with(
    path: &Path,
    fill: impl FnOnce(&mut File) -> io::Result<()>,
) -> Result<(), OutputError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.{}.folio-tmp", std::process::id()));
    let result = File::create(&tmp)
        .and_then(|mut f| fill(&mut f))
        .and_then(|()| fs::rename(&tmp, path));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(io_err(path))
}

/// Writes a cache file through a temporary file and a rename, like
/// [`write_atomic`] but not flushed to disk: for caches, which are checked when
/// read and only cost time when lost or cut short by a power cut.
pub fn write_cache(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    write_replace(path, bytes)
}

/// [`write_cache`] for a cache written piece by piece through `fill`, without
/// holding the whole file in memory.
pub fn write_cache_with(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), OutputError> {
    replace_with(path, |f| {
        let mut w = io::BufWriter::new(f);
        fill(&mut w)?;
        w.flush()
    })
}

/// Writes `path` through a temporary file and a rename, so readers see the
/// old or the new file, never half of one; flushed to disk before the rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    replace_with(path, |f| {
        f.write_all(bytes)?;
        f.sync_data()
    })
}

/// One spelling of `path` whatever the working folder and however it was
/// written (`./public`, `site/./public`, a symlinked root): the longest
/// existing ancestor canonicalized, the rest appended. Caches keyed by an
/// output folder use it, so `--root .` and `--root /abs/site` share them.
pub fn stable_path(path: &Path) -> PathBuf {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut rest = Vec::new();
    let mut cur = abs.as_path();
    loop {
        if let Ok(c) = fs::canonicalize(cur) {
            return rest
                .iter()
                .rev()
                .fold(c, |acc: PathBuf, part| acc.join(part));
        }
        match (cur.parent(), cur.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                cur = parent;
            }
            _ => return abs,
        }
    }
}

fn sibling(target: &Path, kind: &str) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    target.with_file_name(format!(".{name}.{kind}"))
}

fn remove_dir_if_exists(dir: &Path) -> Result<(), OutputError> {
    match fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(OutputError::Io {
            path: dir.to_path_buf(),
            source: e,
        }),
    }
}

/// Recreates `from`'s tree under `to` with hard links (copies where links
/// fail); returns its files.
fn clone_tree(from: &Path, to: &Path) -> Result<Manifest, OutputError> {
    let mut files = Vec::new();
    for entry in WalkDir::new(from).follow_links(false) {
        let entry = entry.map_err(|e| OutputError::Io {
            path: from.to_path_buf(),
            source: io::Error::other(e.to_string()),
        })?;
        let rel = entry.path().strip_prefix(from).unwrap_or(entry.path());
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            fs::create_dir_all(&dest).map_err(io_err(&dest))?;
        } else if entry.file_type().is_file() {
            if fs::hard_link(entry.path(), &dest).is_err() {
                fs::copy(entry.path(), &dest).map_err(io_err(&dest))?;
            }
            let len = entry.metadata().map(|m| m.len()).unwrap_or(u64::MAX);
            let rel = rel.to_string_lossy().replace('\\', "/");
            files.push((rel, len));
        }
    }
    Ok(Manifest::from_unsorted(files))
}

/// Puts `staging` at `target`: an atomic exchange where the OS supports it
/// (returns true: `staging` then holds the previous output), else two renames
/// (a crash between them leaves the complete staging folder; the previous
/// output is left at the `folio-old` sibling for the caller to remove).
fn swap_into_place(staging: &Path, target: &Path) -> Result<bool, OutputError> {
    if target.exists() {
        let exchanged = rustix::fs::renameat_with(
            rustix::fs::CWD,
            staging,
            rustix::fs::CWD,
            target,
            rustix::fs::RenameFlags::EXCHANGE,
        )
        .is_ok();
        if exchanged {
            return Ok(true);
        }
        let old = sibling(target, "folio-old");
        fs::rename(target, &old).map_err(io_err(target))?;
        fs::rename(staging, target).map_err(io_err(target))?;
        Ok(false)
    } else {
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(io_err(parent))?;
        }
        fs::rename(staging, target).map_err(io_err(target))?;
        Ok(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    #[test]
    fn unchanged_files_keep_their_inode_and_stale_ones_go() {
        let tmp = tempfile::tempdir().unwrap();
        let public = tmp.path().join("public");
        let s = Staging::begin(&public, true).unwrap();
        s.write("index.html", b"home").unwrap();
        s.write("a/index.html", b"a").unwrap();
        s.write("old/index.html", b"old").unwrap();
        let stats = s.commit().unwrap();
        assert_eq!((stats.files, stats.written, stats.removed), (3, 3, 0));
        let ino = fs::metadata(public.join("index.html")).unwrap().ino();
        let a_ino = fs::metadata(public.join("a/index.html")).unwrap().ino();

        let s = Staging::begin(&public, true).unwrap();
        s.write("index.html", b"home").unwrap();
        s.write("a/index.html", b"a2").unwrap();
        // Before commit, public/ is untouched.
        assert_eq!(fs::read(public.join("a/index.html")).unwrap(), b"a");
        let stats = s.commit().unwrap();
        assert_eq!((stats.files, stats.written, stats.removed), (2, 1, 1));
        assert_eq!(fs::metadata(public.join("index.html")).unwrap().ino(), ino);
        assert_ne!(
            fs::metadata(public.join("a/index.html")).unwrap().ino(),
            a_ino
        );
        assert_eq!(fs::read(public.join("a/index.html")).unwrap(), b"a2");
        assert!(!public.join("old").exists());
        let mut leftovers: Vec<String> = fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        leftovers.sort();
        assert_eq!(
            leftovers,
            [".public.folio-twin", ".public.folio-twin.list", "public"],
            "public/ and the twin of the previous output remain"
        );
    }

    #[test]
    fn abandoned_staging_leaves_public_intact() {
        let tmp = tempfile::tempdir().unwrap();
        let public = tmp.path().join("public");
        let s = Staging::begin(&public, true).unwrap();
        s.write("index.html", b"v1").unwrap();
        s.commit().unwrap();
        let s = Staging::begin(&public, true).unwrap();
        s.write("index.html", b"v2").unwrap();
        drop(s); // a failed or killed build
        assert_eq!(fs::read(public.join("index.html")).unwrap(), b"v1");
        // The next build cleans the leftovers.
        let s = Staging::begin(&public, true).unwrap();
        s.write("index.html", b"v3").unwrap();
        s.commit().unwrap();
        assert_eq!(fs::read(public.join("index.html")).unwrap(), b"v3");
    }

    #[test]
    fn adopted_trees_replace_only_changed_files() {
        let tmp = tempfile::tempdir().unwrap();
        let public = tmp.path().join("public");
        let fill = |s: &Staging, files: &[(&str, &str)]| {
            let src = s.dir().join(".new");
            for (name, data) in files {
                let p = src.join(name);
                fs::create_dir_all(p.parent().unwrap()).unwrap();
                fs::write(p, data).unwrap();
            }
            s.adopt_tree(&src, "search").unwrap();
            assert!(!src.exists());
        };
        let s = Staging::begin(&public, true).unwrap();
        fill(
            &s,
            &[("a.json", "a"), ("t/0.json", "zero"), ("t/1.json", "one")],
        );
        // A first build moves the folder whole.
        assert_eq!(s.commit().unwrap().written, 3);
        assert_eq!(fs::read(public.join("search/t/1.json")).unwrap(), b"one");
        let ino = |p: &str| fs::metadata(public.join(p)).unwrap().ino();
        let (a, zero) = (ino("search/a.json"), ino("search/t/0.json"));

        let s = Staging::begin(&public, true).unwrap();
        fill(&s, &[("a.json", "a"), ("t/0.json", "ZERO")]);
        assert_eq!(fs::read(public.join("search/t/0.json")).unwrap(), b"zero");
        let stats = s.commit().unwrap();
        assert_eq!((stats.files, stats.written, stats.removed), (2, 1, 1));
        assert_eq!(ino("search/a.json"), a);
        assert_ne!(ino("search/t/0.json"), zero);
        assert_eq!(fs::read(public.join("search/t/0.json")).unwrap(), b"ZERO");
        assert!(!public.join("search/t/1.json").exists());
    }

    #[test]
    fn a_first_build_moves_folders_whole_beside_pages_already_written() {
        let tmp = tempfile::tempdir().unwrap();
        let public = tmp.path().join("public");
        let s = Staging::begin(&public, true).unwrap();
        // The search page is rendered before the index is adopted beside it.
        s.write("search/index.html", b"page").unwrap();
        let src = s.dir().join(".new");
        for (name, data) in [
            ("index.json", "m"),
            ("t/0.json", "zero"),
            ("t/1.f.bin", "f"),
        ] {
            let p = src.join(name);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, data).unwrap();
        }
        let t_ino = fs::metadata(src.join("t")).unwrap().ino();
        s.adopt_tree(&src, "search").unwrap();
        assert!(!src.exists());
        // `t/` was renamed, not rebuilt file by file.
        assert_eq!(fs::metadata(s.dir().join("search/t")).unwrap().ino(), t_ino);
        let stats = s.commit().unwrap();
        assert_eq!((stats.files, stats.written), (4, 4));
        assert_eq!(
            tree(&public.join("search")),
            vec![
                ("index.html".to_string(), b"page".to_vec()),
                ("index.json".to_string(), b"m".to_vec()),
                ("t/0.json".to_string(), b"zero".to_vec()),
                ("t/1.f.bin".to_string(), b"f".to_vec()),
            ]
        );
    }

    /// Every file under `dir` with its bytes.
    fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
        let mut v: Vec<_> = WalkDir::new(dir)
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                let rel = e
                    .path()
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                (rel, fs::read(e.path()).unwrap())
            })
            .collect();
        v.sort();
        v
    }

    fn dirs(dir: &Path) -> Vec<String> {
        WalkDir::new(dir)
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_dir())
            .map(|e| {
                e.path()
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect()
    }

    #[test]
    fn the_twin_is_reused_and_kept_in_step_over_many_builds() {
        let tmp = tempfile::tempdir().unwrap();
        let public = tmp.path().join("public");
        let twin = sibling(&public, "folio-twin");
        // Each build's full set of files; a reference tree is built from scratch.
        let builds: Vec<Vec<(&str, &str)>> = vec![
            vec![
                ("index.html", "1"),
                ("a/x/index.html", "ax"),
                ("b/index.html", "b"),
            ],
            vec![
                ("index.html", "2"),
                ("a/x/index.html", "ax"),
                ("c/d/index.html", "cd"),
            ],
            vec![
                ("index.html", "2"),
                ("a/x/index.html", "AX"),
                ("c/d/index.html", "cd"),
            ],
            vec![("index.html", "3"), ("b/index.html", "b2")],
            vec![
                ("index.html", "3"),
                ("b/index.html", "b2"),
                ("a/x/index.html", "again"),
            ],
        ];
        for (n, files) in builds.iter().enumerate() {
            let s = Staging::begin(&public, true).unwrap();
            if n >= 2 {
                // Twin taken: the staging folder equals the current output.
                assert!(!twin.exists());
                assert_eq!(tree(s.dir()), tree(&public), "build {n} starts from a copy");
                assert_eq!(dirs(s.dir()), dirs(&public), "build {n}: same folders");
            }
            for (rel, data) in files {
                s.write(rel, data.as_bytes()).unwrap();
            }
            s.commit().unwrap();
            let reference = tmp.path().join(format!("ref{n}"));
            let r = Staging::begin(&reference, false).unwrap();
            for (rel, data) in files {
                r.write(rel, data.as_bytes()).unwrap();
            }
            r.commit().unwrap();
            assert_eq!(tree(&public), tree(&reference), "build {n}");
            assert_eq!(
                dirs(&public),
                dirs(&reference),
                "build {n}: no empty folders left"
            );
            if n >= 1 {
                assert!(twin.is_dir(), "the previous output is kept as the twin");
            }
        }
    }

    #[test]
    fn a_twin_that_does_not_match_is_discarded() {
        let tmp = tempfile::tempdir().unwrap();
        let public = tmp.path().join("public");
        let twin = sibling(&public, "folio-twin");
        for v in ["1", "2"] {
            let s = Staging::begin(&public, true).unwrap();
            s.write("index.html", v.as_bytes()).unwrap();
            s.commit().unwrap();
        }
        assert!(twin.is_dir());
        // Someone replaces public/ by hand: the record no longer matches.
        fs::remove_dir_all(&public).unwrap();
        fs::create_dir_all(public.join("other")).unwrap();
        fs::write(public.join("other/x.html"), "x").unwrap();
        let s = Staging::begin(&public, true).unwrap();
        assert!(!twin.exists(), "discarded");
        assert_eq!(tree(s.dir()), tree(&public), "cloned instead");
        s.write("index.html", b"3").unwrap();
        s.commit().unwrap();
        assert_eq!(
            tree(&public),
            vec![("index.html".to_string(), b"3".to_vec())]
        );

        // A corrupt record is ignored the same way.
        fs::write(twin_record_path(&public), "folio-twin 1\ngarbage").unwrap();
        let s = Staging::begin(&public, true).unwrap();
        assert!(!twin.exists());
        assert_eq!(tree(s.dir()), tree(&public));
        drop(s);

        // A from-scratch build does not use (and removes) the twin.
        let s = Staging::begin(&public, false).unwrap();
        assert!(tree(s.dir()).is_empty());
        assert!(!twin.exists());
    }

    #[test]
    fn stable_paths_do_not_depend_on_spelling() {
        let tmp = tempfile::tempdir().unwrap();
        let site = tmp.path().join("site");
        fs::create_dir_all(&site).unwrap();
        let a = stable_path(&site.join("public"));
        let b = stable_path(&site.join(".").join("public"));
        assert_eq!(a, b);
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(&site, &link).unwrap();
        assert_eq!(stable_path(&link.join("public")), a);
        assert_eq!(a, fs::canonicalize(&site).unwrap().join("public"));
        // Once the folder exists, the same.
        fs::create_dir_all(site.join("public")).unwrap();
        assert_eq!(stable_path(&site.join("public")), a);
    }

    #[test]
    fn an_unknown_file_in_staging_is_replaced_not_written_into() {
        let tmp = tempfile::tempdir().unwrap();
        let public = tmp.path().join("public");
        let s = Staging::begin(&public, true).unwrap();
        s.write("index.html", b"live").unwrap();
        s.commit().unwrap();
        let s = Staging::begin(&public, true).unwrap();
        // A file the manifest does not know, sharing its inode with the live output.
        fs::hard_link(public.join("index.html"), s.dir().join("extra.html")).unwrap();
        s.write("extra.html", b"new").unwrap();
        assert_eq!(fs::read(public.join("index.html")).unwrap(), b"live");
        assert_eq!(fs::read(s.dir().join("extra.html")).unwrap(), b"new");
    }

    #[test]
    fn paths_outside_the_output_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let s = Staging::begin(&tmp.path().join("public"), true).unwrap();
        for bad in ["../x", "/etc/x", "a/../../x", "a//b", ""] {
            assert!(
                matches!(s.write(bad, b""), Err(OutputError::BadPath(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn second_lock_fails_clearly() {
        let tmp = tempfile::tempdir().unwrap();
        let _held = BuildLock::acquire(tmp.path()).unwrap();
        let err = BuildLock::acquire(tmp.path()).err().unwrap();
        assert!(err.to_string().contains("another folio build is running"));
    }
}
