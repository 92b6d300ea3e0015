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
    // The CPU time it took: a thousand articles take some user time.
    assert!(
        summary["cpu_user_ms"].as_u64().is_some_and(|ms| ms > 0),
        "{summary}"
    );
    assert!(summary["cpu_sys_ms"].as_u64().is_some(), "{summary}");
    // The human summary (on stderr) says the same.
    let out = folio(&site, &["build", "--no-ingest", "--clean"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out)
            .lines()
            .any(|l| l.starts_with("cpu: ") && l.ends_with("ms kernel")),
        "{}",
        stderr(&out)
    );

    // A no-change rebuild keeps every page and writes no file.
    let out = folio(&site, &["build", "--no-ingest", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let again: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(again["pages_reused"], summary["pages"]);
    assert_eq!(again["files_written"], 0);
    assert_eq!(again["files_removed"], 0);
}

/// The last four cells of the table row for `n` articles (the rebuild columns).
fn rebuild_cells(table: &str, n: usize) -> Vec<String> {
    let row = table
        .lines()
        .find(|l| l.starts_with(&format!("| {n} |")))
        .unwrap_or_else(|| panic!("no row for {n} in\n{table}"));
    let cells: Vec<String> = row.split('|').map(|c| c.trim().to_string()).collect();
    // Leading and trailing `|` give empty first and last cells.
    cells[cells.len() - 5..cells.len() - 1].to_vec()
}

#[test]
fn bench_measures_rebuilds_unless_first_only() {
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("work");
    let baseline = tmp.path().join("baseline.json");
    let args = |sizes: &str, first_only: bool| {
        let mut a = vec![
            "bench".to_string(),
            "--sizes".into(),
            sizes.into(),
            "--work".into(),
            work.display().to_string(),
            "--baseline".into(),
            baseline.display().to_string(),
            "--save-baseline".into(),
        ];
        if first_only {
            a.push("--first-only".into());
        }
        a
    };
    let run = |a: Vec<String>| {
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let out = folio(&project(), &a);
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out)
    };

    // First build only, three times (the default): no rebuild times, no output twin beside
    // the output, and the median run with the fastest and slowest.
    let table = run(args("120", true));
    assert_eq!(rebuild_cells(&table, 120), ["—", "—", "—", "—"], "{table}");
    assert!(table.contains(", median of 3 ("), "{table}");
    assert!(work.join("120/public/index.html").is_file());
    assert!(!work.join("120/.public.folio-twin").exists());
    // Every run's output is deleted at the end.
    assert!(!work.join(".trash").exists());

    // With rebuilds: every rebuild column has a time.
    let mut once = args("150", false);
    once.extend(["--runs".into(), "1".into()]);
    let table = run(once);
    for cell in rebuild_cells(&table, 150) {
        assert!(cell.ends_with(" s"), "{cell:?} in\n{table}");
    }
    // The new day's articles are removed again: the cached archive keeps its 150.
    assert!(!work.join("150/content/2026").exists());
    assert_eq!(
        walkdir::WalkDir::new(work.join("150/content"))
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
            .count(),
        150
    );

    // The baseline keeps both sizes: the first-only one without rebuild times.
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&baseline).unwrap()).unwrap();
    let rows = saved.as_array().unwrap();
    assert_eq!(rows.len(), 2, "{saved}");
    assert_eq!(rows[0]["articles"], 120);
    assert!(rows[0]["noop_rebuild_ms"].is_null(), "{saved}");
    let median = rows[0]["full_build_ms"].as_u64().unwrap();
    let times: Vec<u64> = (rows[0]["full_build_runs_ms"].as_array().unwrap().iter())
        .map(|t| t.as_u64().unwrap())
        .collect();
    assert_eq!(times.len(), 3, "{saved}");
    assert!(
        times.is_sorted() && times[1] == median && median > 0,
        "{saved}"
    );
    assert_eq!(rows[1]["articles"], 150);
    assert!(rows[1]["new_day_rebuild_ms"].as_u64().is_some(), "{saved}");
    // The CPU column: user and kernel seconds of the reported run, as the baseline keeps them.
    let row = table.lines().find(|l| l.starts_with("| 150 |")).unwrap();
    let user = rows[1]["cpu_user_ms"].as_u64().unwrap() as f64 / 1000.0;
    let sys = rows[1]["cpu_sys_ms"].as_u64().unwrap() as f64 / 1000.0;
    assert!(
        row.contains(&format!("| {user:.2} + {sys:.2} s |")),
        "{row}"
    );
    // One run: no list of runs.
    assert!(rows[1].get("full_build_runs_ms").is_none(), "{saved}");
    assert!(
        rows[1]["lead_edit_rebuild_ms"].as_u64().is_some(),
        "{saved}"
    );
}
