//! Cold-query timing of the search page in headless Chromium (ignored by default):
//!
//!   FOLIO_SEARCH_BROWSER_SITE=/tmp/sc100k/public \
//!     cargo test --release --test search_browser_bench -- --ignored --nocapture
//!
//! Serves a built site (`folio build` output) on a loopback HTTP server and, for each query
//! (the issue's list, or FOLIO_SEARCH_BROWSER_QUERIES=a,b,c), starts a fresh headless Chromium
//! (new profile, so nothing is cached) on a page that mounts the site's `/static/search.js`,
//! waits until the empty page is ready, then types the query and submits it. It reports the
//! milliseconds from the submit to the results being in the DOM and to the next frame after
//! it, the result count, and the files the query fetched (raw and gzipped bytes; search.js is
//! counted too, as in `search_bench`). FOLIO_SEARCH_BROWSER_RUNS=n repeats each query n times
//! (each cold) and reports the median; FOLIO_SEARCH_BROWSER_VERBOSE=1 also prints each fetch
//! with its start and end in ms after the submit.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use flate2::Compression;
use flate2::write::GzEncoder;

/// The issue's queries, then two of the most common words (their heads).
fn default_queries() -> Vec<&'static str> {
    let mut all = browser::ISSUE_QUERIES.to_vec();
    all.extend(["发展", "工作"]);
    all
}

/// The page: the search widget, the site's script, and a driver that submits `?bq=` once the
/// widget is ready and reports timings to `/__report`.
const PAGE: &str = r#"<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>bench</title></head><body>
<div id="folio-search" data-index="/search/"></div>
<script src="/static/search.js"></script>
<script>
(function () {
  var q = new URLSearchParams(location.search).get('bq') || '';
  var root = document.getElementById('folio-search');
  function go() {
    var input = root.querySelector('input[type=search]');
    var form = root.querySelector('form');
    if (!input || !form || root.getAttribute('data-state') !== 'done') { setTimeout(go, 20); return; }
    root.removeAttribute('data-state');
    var t0 = 0;
    var obs = new MutationObserver(function () {
      var st = root.getAttribute('data-state');
      if (st !== 'done' && st !== 'error') return;
      obs.disconnect();
      var t1 = performance.now();
      requestAnimationFrame(function () {
        setTimeout(function () {
          var t2 = performance.now();
          var shown = root.querySelectorAll('.fs-results li').length;
          var res = performance.getEntriesByType('resource').filter(function (r) { return r.startTime >= t0; })
            .map(function (r) { return r.name.replace(/^.*\/search\//, '') + '@' + (r.startTime - t0).toFixed(0) + '-' + (r.responseEnd - t0).toFixed(0); });
          fetch('/__report?state=' + st + '&dom=' + (t1 - t0).toFixed(1) + '&frame=' + (t2 - t0).toFixed(1) +
            '&total=' + (root.getAttribute('data-total') || '') + '&shown=' + shown +
            '&fetches=' + encodeURIComponent(res.join(' ')));
        }, 0);
      });
    });
    obs.observe(root, { attributes: true, attributeFilter: ['data-state'] });
    input.value = q;
    t0 = performance.now();
    form.dispatchEvent(new Event('submit', { cancelable: true }));
  }
  go();
})();
</script>
</body></html>"#;

#[path = "common/browser.rs"]
mod browser;

struct Server {
    port: u16,
    /// Files served since the last reset: path -> raw bytes.
    served: Arc<Mutex<BTreeMap<String, Vec<u8>>>>,
    reports: mpsc::Receiver<String>,
}

/// Serves the site at `root`, the bench page at `/__bench/` and takes the page's reports
/// at `/__report`, logging every file served.
fn serve(root: PathBuf) -> Server {
    let served: Arc<Mutex<BTreeMap<String, Vec<u8>>>> = Arc::default();
    let (tx, reports) = mpsc::channel();
    let tx = Mutex::new(tx);
    let log = served.clone();
    let port = browser::serve(
        root,
        move |target| {
            let (path, query) = target.split_once('?').unwrap_or((target, ""));
            match path {
                "/__bench/" => Some((200, "text/html; charset=utf-8", PAGE.as_bytes().to_vec())),
                "/__report" => {
                    if let Ok(tx) = tx.lock() {
                        let _ = tx.send(query.to_string());
                    }
                    Some((204, "text/plain", Vec::new()))
                }
                _ => None,
            }
        },
        move |rel, body| {
            if let Ok(mut l) = log.lock() {
                l.insert(rel.to_string(), body.to_vec());
            }
        },
    );
    Server {
        port,
        served,
        reports,
    }
}

fn gzip_len(data: &[u8]) -> usize {
    let mut enc = GzEncoder::new(Vec::new(), Compression::default());
    enc.write_all(data).expect("gzip");
    enc.finish().expect("gzip").len()
}

/// One cold run: a fresh Chromium on the bench page for `query`; returns the report fields.
fn run_once(
    chromium: &Path,
    server: &Server,
    query: &str,
    profile: &Path,
) -> BTreeMap<String, String> {
    if let Ok(mut l) = server.served.lock() {
        l.clear();
    }
    while server.reports.try_recv().is_ok() {}
    let _ = std::fs::remove_dir_all(profile);
    let url = format!(
        "http://127.0.0.1:{}/__bench/?bq={}",
        server.port,
        browser::percent_encode(query)
    );
    let mut child = Command::new(chromium)
        .args(browser::HEADLESS)
        .arg("--window-size=1000,800")
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(url)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let report = server.reports.recv_timeout(Duration::from_secs(120));
    let _ = child.kill();
    let _ = child.wait();
    let report = report.expect("no report from the page within 120 s");
    report
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
#[ignore = "benchmark: run explicitly with --ignored"]
fn bench_browser_cold_queries() {
    let Some(site) = std::env::var_os("FOLIO_SEARCH_BROWSER_SITE") else {
        eprintln!("set FOLIO_SEARCH_BROWSER_SITE=<public dir of a built site>");
        return;
    };
    let chromium = browser::chromium_or_skip().expect("chromium is needed");
    let queries: Vec<String> = match std::env::var("FOLIO_SEARCH_BROWSER_QUERIES") {
        Ok(list) => list.split(',').map(String::from).collect(),
        Err(_) => default_queries().iter().map(|q| q.to_string()).collect(),
    };
    let runs: usize = std::env::var("FOLIO_SEARCH_BROWSER_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
        .max(1);
    let server = serve(PathBuf::from(&site));
    let tmp = tempfile::tempdir().expect("tempdir");
    let profile = tmp.path().join("profile");
    // Warm-up: Chromium's own start-up files into the OS cache (not reported).
    run_once(&chromium, &server, "湖南", &profile);
    println!(
        "\ncold queries in headless Chromium against {} (median of {runs}):",
        Path::new(&site).display()
    );
    println!("  query      results   ms to DOM  ms to frame   files   raw KB   gzip KB");
    for q in &queries {
        let mut doms = Vec::new();
        let mut frames = Vec::new();
        let mut last = BTreeMap::new();
        let mut files = BTreeMap::new();
        for _ in 0..runs {
            last = run_once(&chromium, &server, q, &profile);
            assert_eq!(
                last.get("state").map(String::as_str),
                Some("done"),
                "{q}: {last:?}"
            );
            let num = |k: &str| {
                last.get(k)
                    .and_then(|v| v.parse::<f64>().ok())
                    .unwrap_or(0.0)
            };
            doms.push(num("dom"));
            frames.push(num("frame"));
            files = server.served.lock().map(|l| l.clone()).unwrap_or_default();
        }
        doms.sort_by(f64::total_cmp);
        frames.sort_by(f64::total_cmp);
        // The page itself is not part of the query; search.js is.
        files.retain(|p, _| p.starts_with("search/") || p == "static/search.js");
        let raw: usize = files.values().map(Vec::len).sum();
        let gz: usize = files.values().map(|b| gzip_len(b)).sum();
        if std::env::var_os("FOLIO_SEARCH_BROWSER_VERBOSE").is_some() {
            // Each fetch as file@start-end in ms after the submit (last run).
            let fetches = last.get("fetches").cloned().unwrap_or_default();
            println!(
                "    {}",
                percent_encoding::percent_decode_str(&fetches).decode_utf8_lossy()
            );
        }
        println!(
            "  {q:<8} {:>9} {:>11.0} {:>12.0} {:>7} {:>8.1} {:>9.1}",
            last.get("total").cloned().unwrap_or_default(),
            doms[doms.len() / 2],
            frames[frames.len() / 2],
            files.len(),
            raw as f64 / 1024.0,
            gz as f64 / 1024.0,
        );
    }
}
