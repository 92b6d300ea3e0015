//! CI smoke test of the benchmark case: `folio bench-gen 1000` and a build of
//! it in the debug build, with no timing assertions (the numbers are recorded
//! in README from `folio bench` in release builds on a known machine).

mod common;

use common::*;

#[test]
fn generated_1k_archive_builds_and_rebuilds_without_rewriting() {
    let work = tempfile::tempdir().unwrap();
    let site = work.path().join("1000");
    let out = folio(
        &project(),
        &["bench-gen", "1000", "--out", &site.display().to_string()],
    );
    assert!(out.status.success(), "{}", stderr(&out));

    let out = folio(&site, &["build", "--no-ingest", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["articles"], 1000);
    assert!(summary["files"].as_u64().unwrap() > 1000, "{summary}");
    assert!(summary["peak_rss_kb"].as_u64().is_some(), "{summary}");

    // A no-change rebuild keeps every page and writes no file.
    let out = folio(&site, &["build", "--no-ingest", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let again: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(again["pages_reused"], summary["pages"]);
    assert_eq!(again["files_written"], 0);
    assert_eq!(again["files_removed"], 0);
}
