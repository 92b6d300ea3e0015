//! Whole-command tests of `folio build` on small sites.

mod common;

use common::*;
use std::fs;

#[test]
fn build_from_seeds_alone_makes_a_browsable_site() {
    let site = site(true);
    let out = folio(site.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let public = site.path().join("public");
    for page in [
        "index.html",
        "regions/index.html",
        "topics/index.html",
        "archive/index.html",
        "search/index.html",
        "404.html",
        "atom.xml",
        "sitemap.xml",
        "robots.txt",
    ] {
        assert!(public.join(page).is_file(), "missing {page}");
    }
    let articles = fs::read_dir(site.path().join("content")).unwrap().count();
    assert!(articles >= 5, "one folder per seed");
    assert!(stderr(&out).contains("built "), "{}", stderr(&out));
}

#[test]
fn two_builds_give_identical_bytes_and_clean_equals_incremental() {
    let site = site(true);
    assert!(folio(site.path(), &["build"]).status.success());
    let first = snapshot(&site.path().join("public"));
    assert!(folio(site.path(), &["build"]).status.success());
    assert_eq!(first, snapshot(&site.path().join("public")));
    assert!(folio(site.path(), &["build", "--clean"]).status.success());
    assert_eq!(first, snapshot(&site.path().join("public")));
    // A second, separate site from the same input gives the same bytes.
    let other = common::site(true);
    assert!(folio(other.path(), &["build"]).status.success());
    assert_eq!(first, snapshot(&other.path().join("public")));
}

#[test]
fn malformed_site_toml_is_reported_with_line_and_exit_1() {
    let site = site(false);
    fs::write(
        site.path().join("site.toml"),
        "title = \"x\"\nbase_url = \"https://example.org/\"\nthemee = \"dark\"\n",
    )
    .unwrap();
    let out = folio(site.path(), &["build"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("site.toml:3:") && err.contains("themee"),
        "{err}"
    );
    assert!(!site.path().join("public").exists());
}

#[test]
fn every_front_matter_error_is_listed_with_file_and_line() {
    let site = site(false);
    article(site.path(), "a/01.md", "title = \"好\"\n", "正文。");
    article(
        site.path(),
        "a/02.md",
        "title = \"坏\"\nauthors = \"张三\"\n",
        "正文。",
    );
    fs::write(site.path().join("content/a/03.md"), "没有前置元数据").unwrap();
    fs::write(site.path().join("content/a/04.md"), "+++\ntitle = \"x\"\n").unwrap();
    article(
        site.path(),
        "a/05.md",
        "title = \"日期\"\ndate = 2024-02-30\n",
        "正文。",
    );
    article(
        site.path(),
        "a/06.md",
        "title = \"地区\"\nregions = [\"湖南省/不存在市\"]\n",
        "正文。",
    );
    article(
        site.path(),
        "a/07.md",
        "title = \"主题\"\ntopics = [\"cooking\"]\n",
        "正文。",
    );
    let out = folio(site.path(), &["build"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    for needle in [
        "a/02.md:3:",
        "a/03.md:1:",
        "a/04.md:1:",
        "a/05.md:3:",
        "a/06.md:3:",
        "a/07.md:3:",
    ] {
        assert!(err.contains(needle), "missing {needle} in:\n{err}");
    }
    assert!(!err.contains("a/01.md"), "{err}");
    assert!(
        !site.path().join("public").exists(),
        "nothing published on error"
    );
    // Run from the site folder (`--root .`, the default), paths read as typed there.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_folio"))
        .arg("build")
        .current_dir(site.path())
        .output()
        .unwrap();
    let err = stderr(&out);
    assert!(err.contains("\n  content/a/05.md:3:"), "{err}");
    assert!(!err.contains("./content"), "{err}");
}

#[test]
fn a_failed_build_leaves_the_previous_public_untouched() {
    let site = site(false);
    article(
        site.path(),
        "a/01.md",
        "title = \"第一篇\"\ndate = 2024-01-02\n",
        "正文。",
    );
    assert!(folio(site.path(), &["build"]).status.success());
    let before = snapshot(&site.path().join("public"));
    article(site.path(), "a/02.md", "title = 5\n", "正文。");
    let out = folio(site.path(), &["build"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(before, snapshot(&site.path().join("public")));
}

#[test]
fn usage_errors_exit_2() {
    let site = site(false);
    let out = folio(site.path(), &["build", "--no-such-flag"]);
    assert_eq!(out.status.code(), Some(2));
    let out = folio(site.path(), &["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn json_summary_is_machine_readable() {
    let site = site(false);
    article(
        site.path(),
        "a/01.md",
        "title = \"第一篇\"\ndate = 2024-01-02\ntopics = [\"health\"]\nregions = [\"湖南省/长沙市\"]\n",
        "正文。",
    );
    let out = folio(site.path(), &["build", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["articles"], 1);
    assert!(v["pages"].as_u64().unwrap() > 5);
    assert!(v["phases"].as_array().unwrap().len() >= 4);
}

#[test]
fn drafts_only_with_flag_and_base_url_override() {
    let site = site(false);
    article(
        site.path(),
        "a/01.md",
        "title = \"公开\"\ndate = 2024-01-02\n",
        "正文。",
    );
    article(
        site.path(),
        "a/02.md",
        "title = \"草稿\"\ndate = 2024-01-03\ndraft = true\n",
        "正文。",
    );
    assert!(folio(site.path(), &["build"]).status.success());
    assert!(!site.path().join("public/articles/a/02.html").exists());
    let out = folio(
        site.path(),
        &[
            "build",
            "--drafts",
            "--base-url",
            "https://preview.example.net/pr-7/",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let page = fs::read_to_string(site.path().join("public/articles/a/02.html")).unwrap();
    assert!(
        page.contains("/pr-7/"),
        "links use the overridden base path"
    );
}

#[test]
fn concurrent_builds_fail_clearly_or_serialize() {
    let site = site(true);
    let a = std::process::Command::new(env!("CARGO_BIN_EXE_folio"))
        .arg("--root")
        .arg(site.path())
        .arg("build")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let b = folio(site.path(), &["build"]);
    let a = a.wait_with_output().unwrap();
    let ok = [a.status.success(), b.status.success()];
    assert!(ok.iter().any(|&x| x), "at least one build succeeds");
    for (out, success) in [(&a, ok[0]), (&b, ok[1])] {
        if !success {
            assert!(
                stderr(out).contains("another folio build is running"),
                "{}",
                stderr(out)
            );
        }
    }
}

#[test]
fn a_cached_article_made_invalid_by_a_config_change_is_reported_with_its_line() {
    let site = site(false);
    let root = site.path();
    article(
        root,
        "a/01.md",
        "title = \"甲\"\ndate = 2024-05-01\ntopics = [\"economy\"]\n",
        "正文。",
    );
    // Old enough for the load cache to keep it.
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
    fs::File::options()
        .write(true)
        .open(root.join("content/a/01.md"))
        .unwrap()
        .set_modified(old)
        .unwrap();
    let out = folio(root, &["build", "--no-ingest"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(root.join(".folio-cache/content").is_dir());
    // The vocabulary loses `economy`: the cached article is now wrong, at line 4.
    let mut config = fs::read_to_string(root.join("site.toml")).unwrap();
    config.push_str(
        "[[topics]]\nslug = \"culture\"\nname = \"文化\"\nkeywords = [{ term = \"文化\" }]\n",
    );
    fs::write(root.join("site.toml"), config).unwrap();
    let out = folio(root, &["build", "--no-ingest"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("01.md:4:") && err.contains("economy"), "{err}");
}

#[test]
fn photo_captions_are_searched_and_a_photo_only_piece_is_found() {
    let site = site(false);
    article(
        site.path(),
        "a/01.md",
        "title = \"图片新闻\"\ndate = 2024-05-01\ncaptions = [\"凤凰古城夜景灯火璀璨。（记者 田芳 摄）\"]\n",
        "",
    );
    article(
        site.path(),
        "a/02.md",
        "title = \"保靖黄金茶开采\"\ndate = 2024-05-02\ncaptions = [\"茶农在茶园里采摘新茶。\"]\n",
        "保靖县的黄金茶进入采摘季。",
    );
    let out = folio(site.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let index = site.path().join("public/search");
    // Each query is in one article, the first three only in a caption.
    for (query, hits) in [
        ("夜景灯火", 1),
        ("茶园", 1),
        ("\"采摘新茶\"", 1),
        ("黄金茶", 1),
    ] {
        let report = folio::search::cold_query_report(&index, query).unwrap();
        assert_eq!(report.candidates, hits, "{query}");
    }
    // The photo-only piece's result record has its caption as snippet source.
    let records: String = fs::read_dir(index.join("docs"))
        .unwrap()
        .map(|e| fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    assert!(records.contains("凤凰古城夜景灯火璀璨"), "{records}");
}

#[test]
fn page_urls_name_articles_and_list_pages_as_files_or_folders() {
    let site = site(false);
    for i in 1..=3 {
        article(
            site.path(),
            &format!("a/0{i}.md"),
            &format!("title = \"第{i}篇\"\ndate = 2024-01-0{i}\n"),
            "正文。\n\n见[第一篇](/articles/a/01.html)。",
        );
    }
    let base = "title = \"测试档案\"\nbase_url = \"https://example.org/\"\npaginate = 2\n";
    fs::write(site.path().join("site.toml"), base).unwrap();
    let out = folio(site.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let public = site.path().join("public");
    // The default: one file per article and per list page after the first, no folders.
    assert!(public.join("articles/a/02.html").is_file());
    assert!(public.join("page/2.html").is_file());
    assert!(!public.join("articles/a/02").exists());
    let home = fs::read_to_string(public.join("index.html")).unwrap();
    assert!(home.contains("href=\"/articles/a/03.html\""), "{home}");
    assert!(home.contains("href=\"/page/2.html\""), "{home}");
    let check = folio(site.path(), &["check"]);
    assert!(
        check.status.success(),
        "{}{}",
        String::from_utf8_lossy(&check.stdout),
        stderr(&check)
    );

    // Folders: every article and list page is `<url>/index.html`, links follow, and the
    // old file URLs are gone from the output (the Markdown link to one is now broken).
    fs::write(
        site.path().join("site.toml"),
        format!("{base}page_urls = \"folder\"\n"),
    )
    .unwrap();
    let out = folio(site.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(public.join("articles/a/02/index.html").is_file());
    assert!(public.join("page/2/index.html").is_file());
    assert!(!public.join("articles/a/02.html").exists());
    assert!(!public.join("page/2.html").exists());
    let home = fs::read_to_string(public.join("index.html")).unwrap();
    assert!(home.contains("href=\"/articles/a/03/\""), "{home}");
    assert!(home.contains("href=\"/page/2/\""), "{home}");
    let sitemap = fs::read_to_string(public.join("sitemap-1.xml")).unwrap();
    assert!(sitemap.contains("<loc>https://example.org/articles/a/01/</loc>"));
    let check = folio(site.path(), &["check"]);
    assert!(!check.status.success());
    let report = String::from_utf8_lossy(&check.stdout);
    assert!(
        report.contains("a/01.md:") && report.contains("`/articles/a/01.html`"),
        "{report}"
    );

    // Anything else is an error naming the file and line.
    fs::write(
        site.path().join("site.toml"),
        format!("{base}page_urls = \"dirs\"\n"),
    )
    .unwrap();
    let out = folio(site.path(), &["build"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("site.toml:4:"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("page_urls") || stderr(&out).contains("file"),
        "{}",
        stderr(&out)
    );
}
