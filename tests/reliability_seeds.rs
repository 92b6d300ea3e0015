//! Reliability of `folio ingest` on hostile seeds, and of `content/` when
//! ingest is killed or run twice at once: errors name the seed and byte
//! offset, exit codes are 0 (ingested, maybe with warnings) or 1 (a seed could
//! not be decoded), and no content file is ever lost or half-written.

mod common;

use common::*;
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A site with no seeds but `seeds/<name>` holding `bytes`.
fn site_with_seed(name: &str, bytes: &[u8]) -> tempfile::TempDir {
    let site = site(false);
    fs::write(site.path().join("seeds").join(name), bytes).unwrap();
    site
}

fn articles(content: &Path) -> Vec<(String, Vec<u8>)> {
    snapshot(content)
        .into_iter()
        .filter(|(p, _)| p.ends_with(".md"))
        .collect()
}

/// The text of the project's seeds, concatenated.
fn sample_text() -> String {
    let mut names: Vec<_> = fs::read_dir(project().join("seeds"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    names.sort();
    names
        .iter()
        .map(|p| fs::read_to_string(p).unwrap())
        .collect::<Vec<_>>()
        .join("\n\n")
}

#[test]
fn ten_megabyte_seed_is_ingested() {
    let sample = sample_text();
    let mut text = String::new();
    while text.len() < 10 * 1024 * 1024 {
        text.push_str(&sample);
        text.push_str("\n\n");
    }
    let site = site_with_seed("big.txt", text.as_bytes());
    let start = Instant::now();
    let out = folio(site.path(), &["ingest"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        start.elapsed() < Duration::from_secs(300),
        "{:?}",
        start.elapsed()
    );
    let n = articles(&site.path().join("content")).len();
    assert!(n > 100, "only {n} articles from a 10 MB seed");
    assert!(
        stderr(&out).contains("ingested big.txt:"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn page_with_no_headline_is_ingested_and_flagged() {
    let body = "会议要求，各级各部门要提高政治站位，切实把思想和行动统一到决策部署上来，\
                确保各项工作落到实处。会议强调，要坚持问题导向，抓好整改落实。\n\n\
                会议指出，今年以来全市经济运行总体平稳，稳中有进，主要指标好于预期，\
                为完成全年目标任务打下了坚实基础。\n";
    let site = site_with_seed("nohead.txt", body.as_bytes());
    let out = folio(site.path(), &["ingest"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("nohead.txt:1: no headline found"), "{err}");
    let files = articles(&site.path().join("content"));
    assert_eq!(files.len(), 1, "{files:?}");
    let text = String::from_utf8(files[0].1.clone()).unwrap();
    assert!(
        text.contains("title = \"\""),
        "no headline is invented: {text}"
    );
    assert!(text.contains("review = [\"no-headline\"]"), "{text}");
    assert!(
        text.contains("会议要求") && text.contains("坚实基础"),
        "{text}"
    );
    // And the article builds: an empty title is allowed when flagged.
    let out = folio(site.path(), &["build", "--no-ingest"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// A seed in GB18030 with an invalid UTF-8 byte at a known offset.
fn gb18030_seed() -> (Vec<u8>, usize) {
    let text = "娄底日报\n\n春耕备耕正当时\n\n本报讯　连日来，各地抓住晴好天气，组织农户开展春耕备耕，确保粮食生产开好局。\n";
    let (bytes, _, had_errors) = encoding_rs::GB18030.encode(text);
    assert!(!had_errors);
    let offset = std::str::from_utf8(&bytes).unwrap_err().valid_up_to();
    (bytes.into_owned(), offset)
}

#[test]
fn gb18030_seed_is_rejected_with_byte_offset_unless_allowed() {
    let (bytes, offset) = gb18030_seed();
    let site = site_with_seed("gb.txt", &bytes);
    // Another, good seed still gets ingested: ingest what it can.
    fs::copy(
        project().join("seeds/004_a7e1f55fe3067108.txt"),
        site.path().join("seeds/004_a7e1f55fe3067108.txt"),
    )
    .unwrap();
    let out = folio(site.path(), &["ingest"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!(
            "gb.txt: invalid UTF-8 at byte offset {offset} (line 1)"
        )),
        "{err}"
    );
    let content = site.path().join("content");
    assert!(
        !content.join("gb").exists(),
        "nothing written for a bad seed"
    );
    assert!(content.join("004_a7e1f55fe3067108/01.md").is_file());

    fs::write(
        site.path().join("site.toml"),
        "title = \"测试\"\nbase_url = \"https://example.org/\"\n\n[ingest]\nallow_gb18030 = true\n",
    )
    .unwrap();
    let out = folio(site.path(), &["ingest"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let all: String = articles(&content.join("gb"))
        .into_iter()
        .map(|(_, b)| String::from_utf8(b).unwrap())
        .collect();
    assert!(all.contains("春耕备耕正当时"), "{all}");
    assert!(all.contains("确保粮食生产开好局"), "{all}");
}

#[test]
fn two_ingests_at_once_serialize_or_fail_clearly() {
    let site = site(true);
    let reference = common::site(true);
    assert!(folio(reference.path(), &["ingest"]).status.success());
    let a = Command::new(env!("CARGO_BIN_EXE_folio"))
        .arg("--root")
        .arg(site.path())
        .arg("ingest")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let b = folio(site.path(), &["ingest"]);
    let a = a.wait_with_output().unwrap();
    let ok = [a.status.success(), b.status.success()];
    assert!(ok.iter().any(|&x| x), "at least one ingest succeeds");
    for (out, success) in [(&a, ok[0]), (&b, ok[1])] {
        if !success {
            assert_eq!(out.status.code(), Some(1));
            assert!(stderr(out).contains("lock"), "{}", stderr(out));
        }
    }
    assert_eq!(
        articles(&reference.path().join("content")),
        articles(&site.path().join("content")),
        "content equals one clean ingest"
    );
}

#[test]
fn ingest_refuses_while_the_site_lock_is_held() {
    let site = site(true);
    let _held = folio::output::BuildLock::acquire(&site.path().join(".folio-cache")).unwrap();
    let out = folio(site.path(), &["ingest"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("another folio build is running"),
        "{}",
        stderr(&out)
    );
    assert!(articles(&site.path().join("content")).is_empty());
}

#[test]
fn killed_ingest_leaves_every_article_old_or_new() {
    // Old state: the sample seeds ingested. New state: every seed changed.
    let site = site(true);
    assert!(folio(site.path(), &["ingest"]).status.success());
    let old: BTreeMap<_, _> = articles(&site.path().join("content")).into_iter().collect();
    let change = |root: &Path| {
        for e in fs::read_dir(root.join("seeds")).unwrap() {
            let p = e.unwrap().path();
            let t = fs::read_to_string(&p).unwrap();
            fs::write(&p, t.replace('，', "、")).unwrap();
        }
    };
    let reference = common::site(true);
    change(reference.path());
    assert!(folio(reference.path(), &["ingest"]).status.success());
    let new: BTreeMap<_, _> = articles(&reference.path().join("content"))
        .into_iter()
        .collect();
    change(site.path());
    let mut finished = 0;
    for delay_ms in [0u64, 5, 10, 20, 40, 80, 160, 320] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_folio"))
            .arg("--root")
            .arg(site.path())
            .arg("ingest")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let status = child.wait().unwrap();
        if status.success() {
            finished += 1;
        }
        for (path, bytes) in articles(&site.path().join("content")) {
            let is_old = old.get(&path) == Some(&bytes);
            let is_new = new.get(&path) == Some(&bytes);
            assert!(
                is_old || is_new,
                "{path} is neither old nor new after a kill at {delay_ms} ms"
            );
        }
    }
    // A later ingest completes the work.
    let out = folio(site.path(), &["ingest"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let now: BTreeMap<_, _> = articles(&site.path().join("content")).into_iter().collect();
    assert_eq!(now, new, "after {finished} uninterrupted runs");
    // Temporary files a kill may leave behind never break a build.
    let out = folio(site.path(), &["build", "--no-ingest"]);
    assert!(out.status.success(), "{}", stderr(&out));
}
