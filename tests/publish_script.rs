//! `scripts/publish.sh`: the CI recipe's steps as plain shell, run for real.

mod common;

use common::*;
use std::process::Command;

fn publish(site: &std::path::Path, dest: &std::path::Path) -> std::process::Output {
    Command::new(project().join("scripts/publish.sh"))
        .arg(site)
        .arg(dest)
        .env("FOLIO", env!("CARGO_BIN_EXE_folio"))
        .output()
        .expect("run publish.sh")
}

#[test]
fn publishes_a_good_site_and_refuses_a_broken_one() {
    let site = site(false);
    article(
        site.path(),
        "a/01.md",
        "title = \"第一篇\"\ndate = 2024-01-02\n",
        "正文。",
    );
    let out_dir = tempfile::tempdir().unwrap();
    let dest = out_dir.path().join("www");
    let out = publish(site.path(), &dest);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("publish: done"));
    assert!(dest.join("articles/a/01.html").is_file());
    let before = snapshot(&dest);

    article(site.path(), "a/02.md", "title = 7\n", "正文。");
    let out = publish(site.path(), &dest);
    assert!(!out.status.success());
    assert_eq!(
        before,
        snapshot(&dest),
        "DEST untouched after a failed check"
    );
}
