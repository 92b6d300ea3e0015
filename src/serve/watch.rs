//! Watch source paths (directories recursively, single files through their parent so
//! rename-on-save editors keep working) and report changes in debounced batches.
//!
//! Ignored: reads (the build itself opens every source), `.folio-cache/` and `.git/`,
//! editor temp and backup files, and any directory passed to [`watch_ignoring`] (the
//! output dir, if it lies under a watched path). It must NOT build or read files.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode};
use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher as _};

use super::ServeError;

/// Quiet time after the last change before a batch is reported.
const DEBOUNCE: Duration = Duration::from_millis(100);
/// A batch is reported after this long even if changes keep coming.
const MAX_DELAY: Duration = Duration::from_secs(2);
/// Directory names never reported.
const IGNORED_DIRS: [&str; 2] = [".folio-cache", ".git"];

/// Guard of a running watch; dropping it stops watching.
pub struct Watcher {
    _watcher: RecommendedWatcher,
}

/// What a watched path accepts.
#[derive(Debug, Clone)]
enum Rule {
    /// Anything under this directory.
    Dir(PathBuf),
    /// Exactly this file.
    File(PathBuf),
}

/// Watch `paths` (existing files or directories) and call `on_change` with the sorted,
/// de-duplicated absolute paths changed in each debounced batch (~100 ms of quiet).
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
    for path in paths {
        let fail = |message: String| ServeError::Watch {
            path: path.clone(),
            message,
        };
        let real = path.canonicalize().map_err(|e| fail(e.to_string()))?;
        let (target, mode, rule) = if real.is_dir() {
            (real.clone(), RecursiveMode::Recursive, Rule::Dir(real))
        } else {
            let parent = real
                .parent()
                .map(Path::to_path_buf)
                .ok_or_else(|| fail("no parent directory".into()))?;
            (parent, RecursiveMode::NonRecursive, Rule::File(real))
        };
        watcher.watch(&target, mode).map_err(|e| {
            fail(match e.kind {
                notify::ErrorKind::MaxFilesWatch => format!(
                    "{e} (on Linux raise it, e.g. `sysctl fs.inotify.max_user_watches=1048576`)"
                ),
                _ => e.to_string(),
            })
        })?;
        rules.push(rule);
    }
    let ignore: Vec<PathBuf> = ignore.iter().map(|p| absolute(p)).collect();
    let roots: Vec<PathBuf> = rules
        .iter()
        .map(|r| match r {
            Rule::Dir(p) | Rule::File(p) => p.clone(),
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
                    Ok(e) => e
                        .paths
                        .into_iter()
                        .filter(|p| accepted(p, &rules, &ignore))
                        .collect(),
                }
            };
            debounce_loop(&rx, relevant, &mut on_change);
        })
        .map_err(|e| ServeError::WatcherStart(e.to_string()))?;
    Ok(Watcher { _watcher: watcher })
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
