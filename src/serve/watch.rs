//! Watch source paths (directories recursively, including folders created later;
//! single files through their parent so rename-on-save editors keep working; paths
//! that do not exist yet through their parent until they appear) and report changes
//! in debounced batches.
//!
//! Ignored: reads (the build itself opens every source), `.folio-cache/` and `.git/`,
//! editor temp and backup files, and any directory passed to [`watch_ignoring`] (the
//! output dir, if it lies under a watched path). It must NOT build or read files.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, Weak};
use std::thread;
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode, ModifyKind};
use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher as _};

use super::ServeError;

/// Quiet time after the last change before a batch is reported.
const DEBOUNCE: Duration = Duration::from_millis(50);
/// A batch is reported after this long even if changes keep coming.
const MAX_DELAY: Duration = Duration::from_secs(2);
/// Directory names never reported.
const IGNORED_DIRS: [&str; 2] = [".folio-cache", ".git"];

/// Guard of a running watch; dropping it stops watching.
pub struct Watcher {
    _watcher: Arc<Mutex<RecommendedWatcher>>,
}

/// What a watched path accepts.
#[derive(Debug, Clone)]
enum Rule {
    /// Anything under this directory (and the path itself, which may not exist yet).
    Dir(PathBuf),
    /// Exactly this file.
    File(PathBuf),
}

/// Watch `paths` and call `on_change` with the sorted, de-duplicated absolute paths
/// changed in each debounced batch (~50 ms of quiet). Directories are watched
/// recursively, folders created in them later included. A path that does not exist
/// yet is watched through its parent (which must exist) and, once it appears as a
/// directory, recursively; so is a watched directory deleted and created again.
/// Watched roots are canonicalized, so reported paths start with the canonical root.
pub fn watch(
    paths: &[PathBuf],
    on_change: impl FnMut(Vec<PathBuf>) + Send + 'static,
) -> Result<Watcher, ServeError> {
    watch_ignoring(paths, &[], on_change)
}

/// Like [`watch`], also ignoring everything under the `ignore` directories (e.g. the
/// output directory when the site root itself is watched).
pub fn watch_ignoring(
    paths: &[PathBuf],
    ignore: &[PathBuf],
    mut on_change: impl FnMut(Vec<PathBuf>) + Send + 'static,
) -> Result<Watcher, ServeError> {
    let (tx, rx) = mpsc::channel::<notify::Result<notify::Event>>();
    let mut watcher =
        notify::recommended_watcher(tx).map_err(|e| ServeError::WatcherStart(e.to_string()))?;
    let mut rules = Vec::new();
    // Directories watched recursively, and folders watched for their entries only
    // (the parents of watched files, of watched directories and of paths yet to come).
    let mut recursive = BTreeSet::new();
    let mut flat = BTreeSet::new();
    for path in paths {
        let fail = |message: String| ServeError::Watch {
            path: path.clone(),
            message,
        };
        match path.canonicalize() {
            Ok(real) if real.is_dir() => {
                flat.extend(real.parent().map(Path::to_path_buf));
                recursive.insert(real.clone());
                rules.push(Rule::Dir(real));
            }
            Ok(real) => {
                let parent = real
                    .parent()
                    .map(Path::to_path_buf)
                    .ok_or_else(|| fail("no parent directory".into()))?;
                flat.insert(parent);
                rules.push(Rule::File(real));
            }
            Err(e) => {
                let name = path.file_name().ok_or_else(|| fail(e.to_string()))?;
                let parent = match path.parent() {
                    Some(p) if !p.as_os_str().is_empty() => p,
                    _ => Path::new("."),
                };
                let parent = parent
                    .canonicalize()
                    .map_err(|e| fail(format!("{e} (nor does its parent folder exist)")))?;
                rules.push(Rule::Dir(parent.join(name)));
                flat.insert(parent);
            }
        }
    }
    // A folder inside a recursive watch is covered already (and watching it again
    // non-recursively would replace the recursive watch).
    flat.retain(|f| !recursive.iter().any(|r| f.starts_with(r)));
    let watches = recursive
        .iter()
        .map(|p| (p, RecursiveMode::Recursive))
        .chain(flat.iter().map(|p| (p, RecursiveMode::NonRecursive)));
    for (target, mode) in watches {
        watcher.watch(target, mode).map_err(|e| ServeError::Watch {
            path: target.clone(),
            message: match e.kind {
                notify::ErrorKind::MaxFilesWatch => format!(
                    "{e} (on Linux raise it, e.g. `sysctl fs.inotify.max_user_watches=1048576`)"
                ),
                _ => e.to_string(),
            },
        })?;
    }
    let watcher = Arc::new(Mutex::new(watcher));
    // The thread must not keep the watcher alive: dropping the guard ends it.
    let rewatch = Arc::downgrade(&watcher);
    let ignore: Vec<PathBuf> = ignore.iter().map(|p| absolute(p)).collect();
    let roots: Vec<PathBuf> = rules
        .iter()
        .map(|r| match r {
            Rule::Dir(p) | Rule::File(p) => p.clone(),
        })
        .collect();
    let dirs: Vec<PathBuf> = rules
        .iter()
        .filter_map(|r| match r {
            Rule::Dir(p) => Some(p.clone()),
            Rule::File(_) => None,
        })
        .collect();
    thread::Builder::new()
        .name("folio-watch".into())
        .spawn(move || {
            let relevant = |event: notify::Result<notify::Event>| -> Vec<PathBuf> {
                match event {
                    // The platform lost events: everything may have changed.
                    Err(_) => roots.clone(),
                    Ok(e) if e.need_rescan() => roots.clone(),
                    Ok(e) if is_read(&e.kind) => Vec::new(),
                    Ok(e) => {
                        if appears(&e.kind) {
                            watch_new_roots(&e.paths, &dirs, &rewatch);
                        }
                        e.paths
                            .into_iter()
                            .filter(|p| accepted(p, &rules, &ignore))
                            .collect()
                    }
                }
            };
            debounce_loop(&rx, relevant, &mut on_change);
        })
        .map_err(|e| ServeError::WatcherStart(e.to_string()))?;
    Ok(Watcher { _watcher: watcher })
}

/// Whether the event can mean that a path came into existence.
fn appears(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::Create(_) | EventKind::Modify(ModifyKind::Name(_)) | EventKind::Any
    )
}

/// Watch recursively each watched directory among `paths` that now exists (it was
/// created, or deleted and created again, after the watch started). What was written
/// into it before the watch took hold is covered by the rebuild its creation triggers.
fn watch_new_roots(paths: &[PathBuf], dirs: &[PathBuf], watcher: &Weak<Mutex<RecommendedWatcher>>) {
    for path in paths.iter().filter(|p| dirs.contains(p) && p.is_dir()) {
        if let Some(watcher) = watcher.upgrade()
            && let Ok(mut watcher) = watcher.lock()
        {
            // If this fails the folder's later changes go unseen; its creation is still
            // reported and rebuilt, so there is nothing better to do here.
            let _ = watcher.watch(path, RecursiveMode::Recursive);
        }
    }
}

/// Collect relevant paths until [`DEBOUNCE`] passes without one, then report; ends when
/// the watcher (the sending side) is dropped.
fn debounce_loop<E>(
    rx: &mpsc::Receiver<E>,
    relevant: impl Fn(E) -> Vec<PathBuf>,
    on_change: &mut impl FnMut(Vec<PathBuf>),
) {
    let mut batch = BTreeSet::new();
    let mut started = Instant::now();
    let mut last = started;
    loop {
        let received = if batch.is_empty() {
            rx.recv().map_err(|_| RecvTimeoutError::Disconnected)
        } else {
            let wait = (last + DEBOUNCE).min(started + MAX_DELAY);
            rx.recv_timeout(wait.saturating_duration_since(Instant::now()))
        };
        match received {
            Ok(event) => {
                let paths = relevant(event);
                if paths.is_empty() {
                    continue;
                }
                let now = Instant::now();
                if batch.is_empty() {
                    started = now;
                }
                last = now;
                batch.extend(paths);
            }
            Err(RecvTimeoutError::Timeout) => {
                on_change(std::mem::take(&mut batch).into_iter().collect());
            }
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

fn is_read(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => false,
        EventKind::Access(_) => true,
        _ => false,
    }
}

fn accepted(path: &Path, rules: &[Rule], ignore: &[PathBuf]) -> bool {
    let matched = rules.iter().any(|rule| match rule {
        Rule::Dir(dir) => path.starts_with(dir),
        Rule::File(file) => path == file,
    });
    matched
        && !ignore.iter().any(|dir| path.starts_with(dir))
        && !path.components().any(|c| {
            IGNORED_DIRS
                .iter()
                .any(|d| c.as_os_str() == std::ffi::OsStr::new(d))
        })
        && !path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(is_temp_file)
}

/// Editor swap, backup, lock and atomic-save temp files.
fn is_temp_file(name: &str) -> bool {
    name.ends_with('~')
        || name.starts_with(".#")
        || (name.starts_with('#') && name.ends_with('#'))
        || name == "4913"
        || name == ".DS_Store"
        || [
            ".swp",
            ".swo",
            ".swx",
            ".tmp",
            ".___jb_tmp___",
            ".___jb_old___",
        ]
        .iter()
        .any(|ext| name.ends_with(ext))
}

fn absolute(path: &Path) -> PathBuf {
    path.canonicalize()
        .or_else(|_| std::path::absolute(path))
        .unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_files() {
        for n in ["a.md~", ".#a.md", "#a.md#", "4913", ".a.md.swp", "x.tmp"] {
            assert!(is_temp_file(n), "{n}");
        }
        for n in ["a.md", "site.toml", "index.html", "#tag"] {
            assert!(!is_temp_file(n), "{n}");
        }
    }

    #[test]
    fn acceptance_rules() {
        let rules = vec![
            Rule::Dir(PathBuf::from("/s/content")),
            Rule::File(PathBuf::from("/s/site.toml")),
        ];
        let ignore = vec![PathBuf::from("/s/content/public")];
        let ok = |p: &str| accepted(Path::new(p), &rules, &ignore);
        assert!(ok("/s/content/a/b.md"));
        assert!(ok("/s/site.toml"));
        assert!(!ok("/s/other.toml"));
        assert!(!ok("/s/content/public/x.html"));
        assert!(!ok("/s/content/.folio-cache/x"));
        assert!(!ok("/s/content/a/.b.md.swp"));
    }

    #[test]
    fn debounce_batches_a_burst_into_one_call() {
        let (tx, rx) = mpsc::channel::<Vec<PathBuf>>();
        let feeder = thread::spawn(move || {
            for i in 0..5 {
                tx.send(vec![PathBuf::from(format!("/f{}", i % 2))])
                    .unwrap();
                thread::sleep(Duration::from_millis(10));
            }
            tx.send(Vec::new()).unwrap(); // irrelevant: does not extend the batch
            thread::sleep(Duration::from_millis(400));
            tx.send(vec![PathBuf::from("/g")]).unwrap();
            thread::sleep(Duration::from_millis(300));
        });
        let mut calls = Vec::new();
        debounce_loop(&rx, |e| e, &mut |paths| calls.push(paths));
        feeder.join().unwrap();
        assert_eq!(
            calls,
            vec![
                vec![PathBuf::from("/f0"), PathBuf::from("/f1")],
                vec![PathBuf::from("/g")]
            ]
        );
    }
}
