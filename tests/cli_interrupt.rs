//! Killing `folio build` at any moment leaves `public/` as it was, or complete.

mod common;

use common::*;
use std::process::{Command, Stdio};
use std::time::Duration;

#[test]
fn killed_builds_never_leave_a_half_written_public() {
    let site = site(false);
    let out = Command::new(env!("CARGO_BIN_EXE_folio"))
        .arg("--root")
        .arg(project())
        .args(["bench-gen", "600", "--out"])
        .arg(site.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(folio(site.path(), &["build"]).status.success());
    let old = snapshot(&site.path().join("public"));
    // Change every page (a new site title) so a new build rewrites everything.
    let toml = std::fs::read_to_string(site.path().join("site.toml")).unwrap();
    std::fs::write(
        site.path().join("site.toml"),
        toml.replace("基准档案", "基准档案（新）"),
    )
    .unwrap();
    let mut saw_old = false;
    for delay_ms in [5u64, 30, 80, 150, 300, 600] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_folio"))
            .arg("--root")
            .arg(site.path())
            .arg("build")
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        let now = snapshot(&site.path().join("public"));
        if now == old {
            saw_old = true;
            continue;
        }
        // Otherwise the build finished: it must equal a complete fresh build.
        assert!(folio(site.path(), &["build"]).status.success());
        assert_eq!(
            now,
            snapshot(&site.path().join("public")),
            "killed after {delay_ms} ms: public/ is neither old nor complete"
        );
        break;
    }
    assert!(
        saw_old,
        "at least the earliest kill must leave the old site"
    );
    // And the next build recovers from any leftovers.
    assert!(folio(site.path(), &["build"]).status.success());
}
