//! `check_links` on fixture sites written to temp dirs.

use std::fs;
use std::path::Path;

use folio::check::links::{LinkProblem, check_links};

fn write(root: &Path, rel: &str, body: &str) {
    let p = root.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, body).unwrap();
}

fn problem(file: &str, line: usize, target: &str, message: &str) -> LinkProblem {
    LinkProblem {
        file: file.into(),
        line,
        target: target.into(),
        message: message.into(),
    }
}

/// A small site with good links of every kind, plus the broken ones asserted below.
fn fixture(base: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "index.html",
        &format!(
            "<!doctype html>\n<html><head>\n\
             <link rel=\"stylesheet\" href=\"{base}/style.css\">\n\
             </head><body>\n\
             <a href=\"{base}/articles/x/01/\">good</a>\n\
             <a href=\"{base}/articles/x/02/\">missing page</a>\n\
             <a href=\"{base}/articles/x/01/#p2\">good anchor</a>\n\
             <a href=\"{base}/articles/x/01/#p9\">missing anchor</a>\n\
             <a href=\"{base}/articles/%E4%B8%93%E9%A2%98/\">chinese</a>\n\
             <a href=\"{base}/articles/%E4%B8%93%E9%A2%98/#%E7%AC%AC%E4%B8%80\">chinese anchor</a>\n\
             <a href=\"{base}/articles/%E4%B8%93%E9%A2%98/%E7%BC%BA/\">missing chinese</a>\n\
             <a href=\"https://example.com/nope\">external</a> <a href=\"mailto:x@y.z\">m</a>\n\
             <a href=\"#top\">top</a> <a href=\"#main\">self</a> <a href=\"#nomain\">self missing</a>\n\
             <main id=\"main\"></main>\n\
             </body></html>\n"
        ),
    );
    write(root, "style.css", "body{}");
    write(
        root,
        "articles/x/01/index.html",
        "<html><body>\n<p id=\"p1\">one</p>\n<p id=\"p2\">two</p>\n\
         <a href=\"../../../\">home (relative)</a>\n\
         <a href=\"../03/\">missing relative</a>\n\
         <img src=\"scan.png\" srcset=\"scan.png 1x, scan@2x.png 2x\">\n\
         </body></html>",
    );
    write(root, "articles/x/01/scan.png", "png");
    write(
        root,
        "articles/专题/index.html",
        "<body><h2 id=\"第一\">一</h2><a href=\"../x/01/#p1\">rel anchor</a></body>",
    );
    dir
}

#[test]
fn reports_missing_pages_and_anchors_with_lines() {
    let dir = fixture("");
    let problems = check_links(dir.path(), "").unwrap();
    assert_eq!(
        problems,
        vec![
            problem(
                "articles/x/01/index.html",
                5,
                "../03/",
                "no such file: articles/x/03/index.html"
            ),
            problem(
                "articles/x/01/index.html",
                6,
                "scan@2x.png",
                "no such file: articles/x/01/scan@2x.png"
            ),
            problem(
                "index.html",
                6,
                "/articles/x/02/",
                "no such file: articles/x/02/index.html"
            ),
            problem(
                "index.html",
                8,
                "/articles/x/01/#p9",
                "no element with id \"p9\" in articles/x/01/index.html"
            ),
            problem(
                "index.html",
                11,
                "/articles/%E4%B8%93%E9%A2%98/%E7%BC%BA/",
                "no such file: articles/专题/缺/index.html"
            ),
            problem(
                "index.html",
                13,
                "#nomain",
                "no element with id \"nomain\" in index.html"
            ),
        ]
    );
    assert_eq!(
        problems[0].to_string(),
        "articles/x/01/index.html:5: broken link `../03/`: no such file: articles/x/03/index.html"
    );
}

#[test]
fn base_path_prefixed_links() {
    let dir = fixture("/archive");
    let problems = check_links(dir.path(), "/archive").unwrap();
    let targets: Vec<&str> = problems.iter().map(|p| p.target.as_str()).collect();
    assert_eq!(
        targets,
        vec![
            "../03/",
            "scan@2x.png",
            "/archive/articles/x/02/",
            "/archive/articles/x/01/#p9",
            "/archive/articles/%E4%B8%93%E9%A2%98/%E7%BC%BA/",
            "#nomain"
        ]
    );
    // The same site checked without its base path: every rooted link is broken.
    let unprefixed = check_links(dir.path(), "").unwrap();
    assert!(unprefixed.iter().any(|p| p.target == "/archive/style.css"));
    // And a link that forgets the base path is reported.
    write(dir.path(), "extra.html", "<a href=\"/style.css\">x</a>");
    let problems = check_links(dir.path(), "/archive").unwrap();
    let extra = problems.iter().find(|p| p.file == "extra.html").unwrap();
    assert_eq!(extra.message, "outside the site's base path /archive");
}

#[test]
fn clean_site_has_no_problems_and_output_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "index.html",
        "<a href=\"a/\">a</a><a href=\"a\">a without slash</a><a href=\"a/#x\">x</a>",
    );
    write(
        dir.path(),
        "a/index.html",
        "<b id=x></b><a href=\"..\">up</a>",
    );
    assert_eq!(check_links(dir.path(), "").unwrap(), vec![]);
    let (one, two) = (fixture(""), fixture(""));
    let first = check_links(one.path(), "").unwrap();
    let again = check_links(two.path(), "").unwrap();
    assert!(!first.is_empty());
    assert_eq!(first, again);
}

#[test]
fn pages_with_many_anchors_are_checked_too() {
    let dir = tempfile::tempdir().unwrap();
    let ids: String = (0..200)
        .map(|i| format!("<p id=\"paragraph-{i}\">{i}</p>\n"))
        .collect();
    write(
        dir.path(),
        "long/index.html",
        &format!("<body>{ids}</body>"),
    );
    write(
        dir.path(),
        "index.html",
        "<a href=\"long/#paragraph-199\">ok</a>\n<a href=\"long/#paragraph-200\">missing</a>",
    );
    let problems = check_links(dir.path(), "").unwrap();
    assert_eq!(
        problems,
        vec![problem(
            "index.html",
            2,
            "long/#paragraph-200",
            "no element with id \"paragraph-200\" in long/index.html"
        )]
    );
}

#[test]
fn missing_dir_is_an_io_error() {
    let dir = tempfile::tempdir().unwrap();
    assert!(check_links(&dir.path().join("public"), "").is_err());
}

/// Scale check, run on demand: `FOLIO_LINK_PAGES=100000 cargo test --release --test
/// serve_check_links -- --ignored --nocapture`.
#[test]
#[ignore]
fn scales_to_many_pages() {
    let pages: usize = std::env::var("FOLIO_LINK_PAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let dir = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let nav: String = (0..20)
        .map(|i| format!("<li><a href=\"/topics/t{i}/\">topic {i}</a></li>\n"))
        .collect();
    for i in 0..pages {
        let links: String = (1..=10)
            .map(|k| {
                let j = (i + k * 7919) % pages;
                format!(
                    "<a href=\"../../{:03}/{j}/#p1\">related {j}</a>\n",
                    j % 1000
                )
            })
            .collect();
        let body = format!(
            "<!doctype html><html><head><link rel=stylesheet href=\"/style.css\"></head>\n\
             <body><nav><ul>{nav}</ul></nav><main><h1 id=\"top-title\">第{i}篇</h1>\n\
             <p id=\"p1\">{}</p>\n<a href=\"#p1\">p1</a>\n{links}</main></body></html>\n",
            "正文".repeat(200)
        );
        write(
            dir.path(),
            &format!("articles/{:03}/{i}/index.html", i % 1000),
            &body,
        );
    }
    for i in 0..20 {
        write(dir.path(), &format!("topics/t{i}/index.html"), "<p>t</p>");
    }
    write(dir.path(), "style.css", "");
    let generated = started.elapsed();
    let started = std::time::Instant::now();
    let mut bytes = 0;
    for entry in walkdir::WalkDir::new(dir.path()) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            bytes += fs::read(entry.path()).unwrap().len();
        }
    }
    let read_all = started.elapsed();
    let started = std::time::Instant::now();
    let problems = check_links(dir.path(), "").unwrap();
    let first = started.elapsed();
    let started = std::time::Instant::now();
    check_links(dir.path(), "").unwrap();
    println!(
        "{pages} pages ({bytes} bytes): generated in {generated:?}, read serially in \
         {read_all:?}, checked in {first:?}, again in {:?}, {} problems",
        started.elapsed(),
        problems.len()
    );
    assert!(problems.is_empty(), "{:?}", problems.first());
}
