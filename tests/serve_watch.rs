//! The file watcher on a real temp directory: debounced, filtered, bounded in time.

use std::fs;
use std::path::PathBuf;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use folio::serve::{watch, watch_ignoring};

const WAIT: Duration = Duration::from_secs(5);
const QUIET: Duration = Duration::from_millis(600);

fn setup() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    fs::create_dir_all(root.join("content/a")).unwrap();
    fs::create_dir_all(root.join("public")).unwrap();
    fs::create_dir_all(root.join("content/.folio-cache")).unwrap();
    fs::write(root.join("content/a/x.md"), "old").unwrap();
    fs::write(root.join("site.toml"), "title = 'a'").unwrap();
    (dir, root)
}

#[test]
fn an_edit_triggers_one_debounced_callback() {
    let (_d, root) = setup();
    let (tx, rx) = mpsc::channel();
    let _guard = watch(
        &[root.join("content"), root.join("site.toml")],
        move |paths| {
            let _ = tx.send(paths);
        },
    )
    .unwrap();
    // Reading a file (as the build does) reports nothing.
    fs::read_to_string(root.join("content/a/x.md")).unwrap();
    assert!(rx.recv_timeout(QUIET).is_err(), "a read was reported");
    // One save (truncate, write, close: several events) is one change.
    let file = root.join("content/a/x.md");
    fs::write(&file, "newest").unwrap();
    let paths = rx.recv_timeout(WAIT).expect("no callback within 5 s");
    assert_eq!(paths, vec![file]);
    assert!(rx.recv_timeout(QUIET).is_err(), "called more than once");
}

#[test]
fn a_watched_file_survives_rename_on_save() {
    let (_d, root) = setup();
    let (tx, rx) = mpsc::channel();
    let _guard = watch(&[root.join("site.toml")], move |paths| {
        let _ = tx.send(paths);
    })
    .unwrap();
    for round in 0..2 {
        let tmp = root.join("site.toml.tmp");
        fs::write(&tmp, format!("title = '{round}'")).unwrap();
        fs::rename(&tmp, root.join("site.toml")).unwrap();
        let paths = rx.recv_timeout(WAIT).expect("no callback within 5 s");
        assert_eq!(paths, vec![root.join("site.toml")], "round {round}");
        thread::sleep(Duration::from_millis(200));
    }
    // A sibling file is not watched.
    fs::write(root.join("other.toml"), "x").unwrap();
    assert!(rx.recv_timeout(QUIET).is_err());
}

#[test]
fn ignored_paths_are_not_reported() {
    let (_d, root) = setup();
    let (tx, rx) = mpsc::channel();
    let _guard = watch_ignoring(
        std::slice::from_ref(&root),
        &[root.join("public")],
        move |paths| {
            let _ = tx.send(paths);
        },
    )
    .unwrap();
    fs::write(root.join("public/index.html"), "out").unwrap();
    fs::write(root.join("content/.folio-cache/state"), "c").unwrap();
    fs::write(root.join("content/a/.x.md.swp"), "swap").unwrap();
    fs::write(root.join("content/a/x.md~"), "backup").unwrap();
    assert!(rx.recv_timeout(QUIET).is_err(), "ignored change reported");
    fs::write(root.join("content/a/y.md"), "new article").unwrap();
    let paths = rx.recv_timeout(WAIT).expect("no callback within 5 s");
    assert_eq!(paths, vec![root.join("content/a/y.md")]);
}

#[test]
fn a_path_whose_parent_is_missing_is_an_error_naming_it() {
    let (_d, root) = setup();
    let err = watch(&[root.join("nope/seeds")], |_| {}).err().unwrap();
    assert!(err.to_string().contains("seeds"), "{err}");
}

/// Waits for callbacks until one reports `want`; panics after [`WAIT`].
fn wait_for(rx: &mpsc::Receiver<Vec<PathBuf>>, want: &PathBuf) -> Vec<Vec<PathBuf>> {
    let mut seen = Vec::new();
    let deadline = std::time::Instant::now() + WAIT;
    while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(paths) => {
                let done = paths.iter().any(|p| p == want || want.starts_with(p));
                seen.push(paths);
                if done {
                    return seen;
                }
            }
            Err(_) => break,
        }
    }
    panic!(
        "{} not reported within {WAIT:?}; got {seen:?}",
        want.display()
    );
}

#[test]
fn folders_created_after_the_start_are_watched() {
    let (_d, root) = setup();
    let (tx, rx) = mpsc::channel();
    let _guard = watch(&[root.join("content")], move |paths| {
        let _ = tx.send(paths);
    })
    .unwrap();
    // A new month folder with its first article: the creation is reported.
    let first = root.join("content/2026/12/01.md");
    fs::create_dir_all(first.parent().unwrap()).unwrap();
    fs::write(&first, "+++\ntitle = '新'\n+++\n").unwrap();
    wait_for(&rx, &first);
    while rx.recv_timeout(QUIET).is_ok() {}
    // A later save inside the new folder is reported exactly.
    let second = root.join("content/2026/12/02.md");
    fs::write(&second, "+++\ntitle = '又一篇'\n+++\n").unwrap();
    let paths = rx.recv_timeout(WAIT).expect("no callback within 5 s");
    assert_eq!(paths, vec![second]);
}

#[test]
fn a_watched_folder_that_does_not_exist_yet_is_picked_up() {
    let (_d, root) = setup();
    let (tx, rx) = mpsc::channel();
    let templates = root.join("templates");
    let _guard = watch(&[root.join("content"), templates.clone()], move |paths| {
        let _ = tx.send(paths);
    })
    .unwrap();
    // Other new entries of the parent folder are not reported.
    fs::write(root.join("notes.txt"), "x").unwrap();
    fs::create_dir_all(root.join("drafts")).unwrap();
    assert!(
        rx.recv_timeout(QUIET).is_err(),
        "unwatched sibling reported"
    );

    fs::create_dir_all(&templates).unwrap();
    fs::write(templates.join("article.html"), "一").unwrap();
    wait_for(&rx, &templates);
    while rx.recv_timeout(QUIET).is_ok() {}
    // Now watched recursively: a save inside, and a folder created inside it.
    fs::write(templates.join("article.html"), "二").unwrap();
    let paths = rx.recv_timeout(WAIT).expect("no callback within 5 s");
    assert_eq!(paths, vec![templates.join("article.html")]);
    thread::sleep(Duration::from_millis(200));
    let nested = templates.join("partials/nav.html");
    fs::create_dir_all(nested.parent().unwrap()).unwrap();
    thread::sleep(Duration::from_millis(200));
    fs::write(&nested, "三").unwrap();
    wait_for(&rx, &nested);
}

#[test]
fn a_watched_folder_deleted_and_created_again_stays_watched() {
    let (_d, root) = setup();
    let (tx, rx) = mpsc::channel();
    let content = root.join("content");
    let _guard = watch(std::slice::from_ref(&content), move |paths| {
        let _ = tx.send(paths);
    })
    .unwrap();
    fs::remove_dir_all(&content).unwrap();
    wait_for(&rx, &content);
    fs::create_dir_all(content.join("b")).unwrap();
    wait_for(&rx, &content);
    while rx.recv_timeout(QUIET).is_ok() {}
    let file = content.join("b/y.md");
    fs::write(&file, "again").unwrap();
    wait_for(&rx, &file);
}
