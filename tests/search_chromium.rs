//! End-to-end: search.js in headless Chromium against an index built from the seed fixture
//! archive, served over a loopback HTTP server. Skips (with a message) only when `chromium`
//! is not installed.

#[path = "search_support/mod.rs"]
mod support;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use folio::search::{SearchDoc, SearchOptions, build_index, normalize};

const HARNESS: &str = r#"<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>搜索</title></head><body>
<div id="folio-search" data-index="/search/" data-strings='{"count":"找到 {n} 篇"}'></div>
<noscript>搜索需要 JavaScript。</noscript>
<script src="/search.js"></script>
</body></html>"#;

fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser"].into_iter().find(|b| {
        Command::new(b)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// Serves `root` on 127.0.0.1 until the process ends; returns the port.
fn serve(root: PathBuf) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let root = root.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(&stream);
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    return;
                }
                let mut header = String::new();
                while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
                    header.clear();
                }
                let target = line.split_whitespace().nth(1).unwrap_or("/");
                let path = target
                    .split('?')
                    .next()
                    .unwrap_or("/")
                    .trim_start_matches('/');
                let mut file = root.join(path);
                if file.is_dir() {
                    file = file.join("index.html");
                }
                let mut out = &stream;
                match std::fs::read(&file) {
                    Ok(body) if !path.contains("..") => {
                        let ctype = match file.extension().and_then(|e| e.to_str()) {
                            Some("html") => "text/html; charset=utf-8",
                            Some("js") => "text/javascript; charset=utf-8",
                            Some("json") => "application/json",
                            _ => "application/octet-stream",
                        };
                        let head = format!(
                            "HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                            body.len()
                        );
                        let _ = out
                            .write_all(head.as_bytes())
                            .and_then(|_| out.write_all(&body));
                    }
                    _ => {
                        let _ = out.write_all(
                            b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                        );
                    }
                }
            });
        }
    });
    port
}

fn dump_dom(browser: &str, url: &str, profile: &Path) -> String {
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=360,800",
            "--virtual-time-budget=15000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(url)
        .output()
        .expect("run chromium");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn attr<'a>(dom: &'a str, name: &str) -> Option<&'a str> {
    let start = dom.find(&format!("{name}=\""))? + name.len() + 2;
    dom[start..].split('"').next()
}

fn result_urls(dom: &str) -> BTreeSet<String> {
    let list = dom.split("class=\"fs-results\"").nth(1).unwrap_or("");
    let list = list.split("</ol>").next().unwrap_or("");
    list.split("<a href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(String::from)
        .collect()
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn containing(docs: &[SearchDoc], q: &str) -> BTreeSet<String> {
    let n = normalize(q);
    docs.iter()
        .filter(|d| normalize(&[&*d.title, &d.kicker, &d.body, &d.authors].join("\n")).contains(&n))
        .map(|d| d.url.clone())
        .collect()
}

#[test]
fn search_page_finds_seed_queries_in_headless_chromium() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("FOLIO_REQUIRE_BROWSER").is_none(),
            "FOLIO_REQUIRE_BROWSER is set (CI) but `chromium` is not installed"
        );
        eprintln!("SKIPPED: `chromium` is not installed (apt-get install -y chromium)");
        return;
    };
    let site = tempfile::tempdir().expect("tempdir");
    let docs = support::archive();
    let opts = SearchOptions {
        page_size: 200,
        ..support::fixture_options()
    };
    build_index(
        docs.clone().into_iter(),
        &site.path().join("search"),
        None,
        &opts,
    )
    .expect("build");
    std::fs::write(site.path().join("search/index.html"), HARNESS).expect("harness");
    std::fs::copy(
        support::root().join("themes/default/static/search.js"),
        site.path().join("search.js"),
    )
    .expect("copy search.js");
    let port = serve(site.path().to_path_buf());
    let profile = tempfile::tempdir().expect("profile");

    let run = |query: &str, extra: &str| {
        let url = format!(
            "http://127.0.0.1:{port}/search/?q={}{extra}",
            percent_encode(query)
        );
        let dom = dump_dom(browser, &url, profile.path());
        assert_eq!(
            attr(&dom, "data-state"),
            Some("done"),
            "query {query}: page did not finish:\n{dom}"
        );
        let total: usize = attr(&dom, "data-total")
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
        (dom, total)
    };

    for q in [
        "乡村振兴",
        "保靖",
        "微腐败",
        "2024",
        "UBE",
        "黄金茶",
        "湘西州",
    ] {
        let want = containing(&docs, q);
        assert!(!want.is_empty(), "fixture lacks {q}");
        let (dom, total) = run(q, "");
        let got = result_urls(&dom);
        assert!(
            want.is_subset(&got),
            "{q}: missing {:?}",
            want.difference(&got).collect::<Vec<_>>()
        );
        assert_eq!(got.len(), total, "{q}: shown results vs count");
        assert!(
            dom.contains(&format!("找到 {total} 篇")),
            "{q}: count label from data-strings"
        );
        assert!(dom.contains("<mark>"), "{q}: highlighted snippet");
    }

    // A quoted query returns only (and all) articles containing the exact string.
    let phrase = "乡村振兴";
    let (dom, total) = run(&format!("\"{phrase}\""), "");
    assert_eq!(result_urls(&dom), containing(&docs, phrase));
    assert_eq!(total, containing(&docs, phrase).len());

    // Facet filter from a shared URL, with the date sort.
    let region = &docs
        .iter()
        .find(|d| containing(&docs, "保靖").contains(&d.url))
        .expect("hit")
        .regions[0];
    let (dom, _) = run(
        "保靖",
        &format!("&region={}&sort=date", percent_encode(region)),
    );
    let want: BTreeSet<String> = docs
        .iter()
        .filter(|d| d.regions.contains(region) && containing(&docs, "保靖").contains(&d.url))
        .map(|d| d.url.clone())
        .collect();
    let got = result_urls(&dom);
    assert!(
        !got.is_empty()
            && got.iter().all(|u| docs
                .iter()
                .any(|d| &d.url == u && d.regions.contains(region)))
    );
    assert!(want.is_subset(&got));
}

/// The search page with a script that, once the first page is shown, clicks "more" until every
/// hit is listed (or nothing changes) and then marks the root `data-clicked`.
const HARNESS_MORE: &str = r#"<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><title>搜索</title></head><body>
<div id="folio-search" data-index="/search/"></div>
<script src="/search.js"></script>
<script>
(function () {
  var root = document.getElementById('folio-search');
  var clicks = 0;
  var last = -1;
  function step() {
    var more = root.querySelector('.fs-more');
    var shown = root.querySelectorAll('.fs-results li').length;
    if (root.getAttribute('data-state') !== 'done' || (shown === last && more && !more.hidden)) {
      setTimeout(step, 50);
      return;
    }
    if (more && !more.hidden && clicks < 10) {
      last = shown;
      clicks++;
      more.click();
      setTimeout(step, 50);
      return;
    }
    root.setAttribute('data-clicked', String(clicks));
  }
  setTimeout(step, 50);
})();
</script>
</body></html>"#;

/// A common term's first page comes from its head; "more" then loads the full posting list and
/// lists every hit exactly once.
#[test]
fn more_results_after_a_head_answer_lists_every_hit() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("FOLIO_REQUIRE_BROWSER").is_none(),
            "FOLIO_REQUIRE_BROWSER is set (CI) but `chromium` is not installed"
        );
        eprintln!("SKIPPED: `chromium` is not installed (apt-get install -y chromium)");
        return;
    };
    let site = tempfile::tempdir().expect("tempdir");
    let docs = support::archive();
    let opts = support::fixture_options();
    build_index(
        docs.clone().into_iter(),
        &site.path().join("search"),
        None,
        &opts,
    )
    .expect("build");
    std::fs::write(site.path().join("search/index.html"), HARNESS_MORE).expect("harness");
    std::fs::copy(
        support::root().join("themes/default/static/search.js"),
        site.path().join("search.js"),
    )
    .expect("copy search.js");
    let port = serve(site.path().to_path_buf());
    let profile = tempfile::tempdir().expect("profile");
    let q = "发展";
    let want = containing(&docs, q);
    // More hits than one page and than the facet list limit: answered from a head.
    assert!(want.len() > opts.page_size && want.len() > opts.facet_list_max);
    let url = format!("http://127.0.0.1:{port}/search/?q={}", percent_encode(q));
    let dom = dump_dom(browser, &url, profile.path());
    assert!(
        attr(&dom, "data-clicked").is_some_and(|c| c != "0"),
        "{dom}"
    );
    assert_eq!(
        attr(&dom, "data-total"),
        Some(want.len().to_string().as_str())
    );
    let list = dom.split("class=\"fs-results\"").nth(1).unwrap_or("");
    let list = list.split("</ol>").next().unwrap_or("");
    assert_eq!(list.matches("<li>").count(), want.len(), "each hit once");
    assert_eq!(result_urls(&dom), want);
}
