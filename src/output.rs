//! Output: writes a build into a staging folder and swaps it into place.
//!
//! A build never writes into `public/` directly. It starts from a hard-link
//! clone of the current `public/` (cheap, and unchanged files keep their inode
//! and mtime), replaces only files whose bytes changed (temp file + rename, so
//! the old `public/` is never touched), deletes files the build no longer
//! produced, then exchanges the staging folder with `public/` in one atomic
//! rename. Killing a build at any moment leaves `public/` as it was. A lock file
//! serializes concurrent builds of one site. This module knows nothing about
//! pages or content.

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

/// A staging folder being filled; [`Staging::commit`] swaps it into place.
pub struct Staging {
    target: PathBuf,
    dir: PathBuf,
    produced: Mutex<HashSet<String>>,
    written: AtomicUsize,
    bytes: AtomicU64,
}

impl Staging {
    /// Prepares `<parent>/.<name>.folio-staging` next to `target`
    /// (removing leftovers of a killed build), as a hard-link clone of `target`
    /// when `clone` is true, else empty (a from-scratch build).
    pub fn begin(target: &Path, clone: bool) -> Result<Staging, OutputError> {
        let dir = sibling(target, "folio-staging");
        remove_dir_if_exists(&dir)?;
        remove_dir_if_exists(&sibling(target, "folio-old"))?;
        fs::create_dir_all(&dir).map_err(io_err(&dir))?;
        if clone && target.is_dir() {
            clone_tree(target, &dir)?;
        }
        Ok(Staging {
            target: target.to_path_buf(),
            dir,
            produced: Mutex::new(HashSet::new()),
            written: AtomicUsize::new(0),
            bytes: AtomicU64::new(0),
        })
    }

    /// The staging folder (for code that must write there itself).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes `bytes` at `rel` (a `/`-separated path inside the output) unless
    /// the file already holds exactly these bytes. Safe to call from many threads.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), OutputError> {
        if rel.is_empty()
            || rel.starts_with('/')
            || rel
                .split('/')
                .any(|c| c == ".." || c == "." || c.is_empty())
            || rel.contains('\\')
        {
            return Err(OutputError::BadPath(rel.to_string()));
        }
        let path = self.dir.join(rel);
        self.bytes.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        if let Ok(mut produced) = self.produced.lock() {
            produced.insert(rel.to_string());
        }
        if let Ok(meta) = fs::metadata(&path)
            && meta.len() == bytes.len() as u64
            && fs::read(&path).is_ok_and(|old| old == bytes)
        {
            return Ok(());
        }
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(io_err(parent))?;
        }
        write_replace(&path, bytes)?;
        self.written.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Keeps the file at `rel` as it is (a page whose inputs did not change) if
    /// it exists with length `len`; returns whether it was kept.
    pub fn keep(&self, rel: &str, len: u64) -> bool {
        let ok =
            fs::symlink_metadata(self.dir.join(rel)).is_ok_and(|m| m.is_file() && m.len() == len);
        if ok {
            self.bytes.fetch_add(len, Ordering::Relaxed);
            if let Ok(mut produced) = self.produced.lock() {
                produced.insert(rel.to_string());
            }
        }
        ok
    }

    /// Moves every file of `src_dir` (a folder a phase filled on its own, on
    /// the same file system, e.g. inside [`Staging::dir`]) to `rel_dir` in the
    /// output: a file whose bytes equal the current one is dropped (the old
    /// file and its inode stay), a changed or new one is renamed into place
    /// (never written into, so the live output is untouched). Every file is
    /// recorded as produced; `src_dir` is removed.
    pub fn adopt_tree(&self, src_dir: &Path, rel_dir: &str) -> Result<(), OutputError> {
        let walk_err = |e: walkdir::Error| OutputError::Io {
            path: src_dir.to_path_buf(),
            source: io::Error::other(e.to_string()),
        };
        let files: Vec<PathBuf> = WalkDir::new(src_dir)
            .sort_by_file_name()
            .into_iter()
            .filter(|e| e.as_ref().map_or(true, |e| e.file_type().is_file()))
            .map(|e| e.map(|e| e.into_path()).map_err(walk_err))
            .collect::<Result<_, _>>()?;
        files.par_iter().try_for_each(|src| {
            let sub = src
                .strip_prefix(src_dir)
                .unwrap_or(src)
                .to_string_lossy()
                .replace('\\', "/");
            let rel = format!("{}/{sub}", rel_dir.trim_end_matches('/'));
            let dest = self.dir.join(&rel);
            let new_len = fs::metadata(src).map_err(io_err(src))?.len();
            self.bytes.fetch_add(new_len, Ordering::Relaxed);
            if let Ok(mut produced) = self.produced.lock() {
                produced.insert(rel);
            }
            let same = fs::metadata(&dest).is_ok_and(|m| m.len() == new_len)
                && match (fs::read(src), fs::read(&dest)) {
                    (Ok(a), Ok(b)) => a == b,
                    _ => false,
                };
            if same {
                return fs::remove_file(src).map_err(io_err(src));
            }
            if let Some(parent) = dest.parent() {
                fs::create_dir_all(parent).map_err(io_err(parent))?;
            }
            fs::rename(src, &dest).map_err(io_err(&dest))?;
            self.written.fetch_add(1, Ordering::Relaxed);
            Ok(())
        })?;
        remove_dir_if_exists(src_dir)
    }

    /// Removes files not produced by this build, then swaps the staging folder
    /// into place atomically.
    pub fn commit(self) -> Result<OutputStats, OutputError> {
        let produced = self.produced.into_inner().unwrap_or_default();
        let mut removed = 0;
        let mut stale = Vec::new();
        for entry in WalkDir::new(&self.dir).sort_by_file_name() {
            let entry = entry.map_err(|e| OutputError::Io {
                path: self.dir.clone(),
                source: io::Error::other(e.to_string()),
            })?;
            if entry.file_type().is_dir() {
                continue;
            }
            let rel = entry
                .path()
                .strip_prefix(&self.dir)
                .unwrap_or(entry.path())
                .to_string_lossy()
                .replace('\\', "/");
            if !produced.contains(&rel) {
                stale.push(entry.path().to_path_buf());
            }
        }
        for path in stale {
            fs::remove_file(&path).map_err(io_err(&path))?;
            removed += 1;
        }
        remove_empty_dirs(&self.dir)?;
        swap_into_place(&self.dir, &self.target)?;
        Ok(OutputStats {
            files: produced.len(),
            written: self.written.load(Ordering::Relaxed),
            removed,
            bytes: self.bytes.load(Ordering::Relaxed),
        })
    }
}

/// Replaces `path` by a new file (temporary file + rename, never writing into
/// the existing file, which may be a hard link into the live output). Not
/// flushed to disk: a killed build is safe (the swap has not happened), but
/// unlike [`write_atomic`] a power cut right after a build may lose pages of
/// it; one `fsync` per page made builds several times slower on slow disks.
fn write_replace(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.{}.folio-tmp", std::process::id()));
    let result = fs::write(&tmp, bytes).and_then(|()| fs::rename(&tmp, path));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(io_err(path))
}

/// Writes `path` through a temporary file and a rename, so readers see the
/// old or the new file, never half of one; flushed to disk before the rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.{}.folio-tmp", std::process::id()));
    let result = (|| {
        let mut f = File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_data()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(io_err(path))
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

/// Recreates `from`'s tree under `to` with hard links (copies where links fail).
fn clone_tree(from: &Path, to: &Path) -> Result<(), OutputError> {
    for entry in WalkDir::new(from).follow_links(false) {
        let entry = entry.map_err(|e| OutputError::Io {
            path: from.to_path_buf(),
            source: io::Error::other(e.to_string()),
        })?;
        let rel = entry.path().strip_prefix(from).unwrap_or(entry.path());
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            fs::create_dir_all(&dest).map_err(io_err(&dest))?;
        } else if entry.file_type().is_file() && fs::hard_link(entry.path(), &dest).is_err() {
            fs::copy(entry.path(), &dest).map_err(io_err(&dest))?;
        }
    }
    Ok(())
}

fn remove_empty_dirs(root: &Path) -> Result<(), OutputError> {
    let dirs: Vec<PathBuf> = WalkDir::new(root)
        .contents_first(true)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_dir() && e.path() != root)
        .map(|e| e.path().to_path_buf())
        .collect();
    for d in dirs {
        if fs::read_dir(&d)
            .map(|mut it| it.next().is_none())
            .unwrap_or(false)
        {
            fs::remove_dir(&d).map_err(io_err(&d))?;
        }
    }
    Ok(())
}

/// Puts `staging` at `target`: an atomic exchange where the OS supports it,
/// else two renames (a crash between them leaves the complete staging folder).
fn swap_into_place(staging: &Path, target: &Path) -> Result<(), OutputError> {
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
            // `staging` now holds the previous output.
            return remove_dir_if_exists(staging);
        }
        let old = sibling(target, "folio-old");
        fs::rename(target, &old).map_err(io_err(target))?;
        fs::rename(staging, target).map_err(io_err(target))?;
        remove_dir_if_exists(&old)
    } else {
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(io_err(parent))?;
        }
        fs::rename(staging, target).map_err(io_err(target))
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
        let leftovers: Vec<_> = fs::read_dir(tmp.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "only public/ remains");
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
        assert_eq!(s.commit().unwrap().written, 3);
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
