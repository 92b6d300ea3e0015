//! Helpers for whole-command tests: temporary sites and running the binary.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The project folder (holds seeds/ and the default theme).
pub fn project() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `folio --root <root> <args…>`.
pub fn folio(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_folio"))
        .arg("--root")
        .arg(root)
        .args(args)
        .output()
        .expect("run folio")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A temporary site: `site.toml`, and `seeds/` copied from the project when asked.
pub fn site(with_seeds: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(
        dir.path().join("site.toml"),
        "title = \"测试档案\"\nbase_url = \"https://example.org/\"\n",
    )
    .unwrap();
    fs::create_dir_all(dir.path().join("content")).unwrap();
    fs::create_dir_all(dir.path().join("seeds")).unwrap();
    if with_seeds {
        for e in fs::read_dir(project().join("seeds")).unwrap() {
            let e = e.unwrap();
            fs::copy(e.path(), dir.path().join("seeds").join(e.file_name())).unwrap();
        }
    }
    dir
}

/// Writes an article file under content/.
pub fn article(root: &Path, rel: &str, front: &str, body: &str) {
    let path = root.join("content").join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, format!("+++\n{front}+++\n\n{body}\n")).unwrap();
}

/// Every file under `dir` with its bytes, sorted by path.
pub fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().strip_prefix(dir).unwrap().display().to_string(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}
