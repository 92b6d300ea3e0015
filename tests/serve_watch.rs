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
fn missing_path_is_an_error_naming_it() {
    let (_d, root) = setup();
    let err = watch(&[root.join("seeds")], |_| {}).err().unwrap();
    assert!(err.to_string().contains("seeds"), "{err}");
}
