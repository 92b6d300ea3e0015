//! End-to-end: search.js in headless Chromium against an index built from the seed fixture
//! archive, served over a loopback HTTP server. Skips (with a message) only when `chromium`
//! is not installed.

#[path = "common/browser.rs"]
mod browser;
#[path = "search_support/mod.rs"]
mod support;

use std::collections::BTreeSet;
use std::path::Path;

use std::process::Command;
use tempfile::TempDir;

use folio::search::{SearchDoc, SearchOptions, build_index, normalize};

const HARNESS: &str = r#"<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>搜索</title></head><body>
<div id="folio-search" data-index="/search/" data-strings='{"count":"找到 {n} 篇"}'></div>
<noscript>搜索需要 JavaScript。</noscript>
<script src="/search.js"></script>
</body></html>"#;

/// A site holding the index of `docs` with the search page `harness` at `/search/` and the
/// theme's `search.js`, served on 127.0.0.1: the site folder (keep it alive) and the port.
fn fixture_site(docs: &[SearchDoc], opts: &SearchOptions, harness: &str) -> (TempDir, u16) {
    let site = tempfile::tempdir().expect("tempdir");
    build_index(
        docs.iter().cloned(),
        &site.path().join("search"),
        None,
        opts,
    )
    .expect("build");
    std::fs::write(site.path().join("search/index.html"), harness).expect("harness");
    std::fs::copy(
        support::root().join("themes/default/static/search.js"),
        site.path().join("search.js"),
    )
    .expect("copy search.js");
    let port = browser::serve(site.path().to_path_buf(), |_| None, |_, _| {});
    (site, port)
}

fn dump_dom(browser: &Path, url: &str, profile: &Path) -> String {
    let out = Command::new(browser)
        .args(browser::HEADLESS)
        .args([
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

fn containing(docs: &[SearchDoc], q: &str) -> BTreeSet<String> {
    let n = normalize(q);
    docs.iter()
        .filter(|d| normalize(&[&*d.title, &d.kicker, &d.body, &d.authors].join("\n")).contains(&n))
        .map(|d| d.url.clone())
        .collect()
}

#[test]
fn search_page_finds_seed_queries_in_headless_chromium() {
    let Some(browser) = browser::chromium_or_skip() else {
        return;
    };
    let docs = support::archive();
    let opts = SearchOptions {
        page_size: 200,
        ..support::fixture_options()
    };
    let (_site, port) = fixture_site(&docs, &opts, HARNESS);
    let profile = tempfile::tempdir().expect("profile");

    let run = |query: &str, extra: &str| {
        let url = format!(
            "http://127.0.0.1:{port}/search/?q={}{extra}",
            browser::percent_encode(query)
        );
        let dom = dump_dom(&browser, &url, profile.path());
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

    for q in browser::ISSUE_QUERIES {
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

    // Parts of Latin words and numbers (inside "UBE" and "2024"), in either case, quoted or
    // not: exactly the articles containing them, the part highlighted.
    for q in ["BE", "ub", "02", "024", "\"BE\"", "\"024\""] {
        let bare = q.trim_matches('"');
        let want = containing(&docs, bare);
        assert!(
            !want.is_empty() && want.len() < docs.len(),
            "fixture: {bare} must be in some articles"
        );
        let (dom, total) = run(q, "");
        assert_eq!(result_urls(&dom), want, "{q}");
        assert_eq!(total, want.len(), "{q}");
        let marked = format!("<mark>{}</mark>", bare.to_uppercase());
        let marked_lower = format!("<mark>{bare}</mark>");
        assert!(
            dom.contains(&marked) || dom.contains(&marked_lower),
            "{q}: matched part highlighted"
        );
    }

    // Facet filter from a shared URL, with the date sort.
    let region = &docs
        .iter()
        .find(|d| containing(&docs, "保靖").contains(&d.url))
        .expect("hit")
        .regions[0];
    let (dom, _) = run(
        "保靖",
        &format!("&region={}&sort=date", browser::percent_encode(region)),
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
    let Some(browser) = browser::chromium_or_skip() else {
        return;
    };
    let docs = support::archive();
    let opts = support::fixture_options();
    let (_site, port) = fixture_site(&docs, &opts, HARNESS_MORE);
    let profile = tempfile::tempdir().expect("profile");
    let q = "发展";
    let want = containing(&docs, q);
    // More hits than one page and than the facet list limit: answered from a head.
    assert!(want.len() > opts.page_size && want.len() > opts.facet_list_max);
    let url = format!(
        "http://127.0.0.1:{port}/search/?q={}",
        browser::percent_encode(q)
    );
    let dom = dump_dom(&browser, &url, profile.path());
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
