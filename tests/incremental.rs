//! Incremental builds: a rebuild rewrites only the files whose bytes depend on
//! what changed, reuses unchanged pages from the render cache, and gives the
//! same bytes as a clean build.

mod common;

use common::*;
use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

const LEAD: &str = "湖南省岳阳市推进乡村振兴工作取得新进展，产业发展带动群众增收致富。";

fn write_article(root: &Path, n: usize, title: &str, tail: &str) {
    let region = if n.is_multiple_of(2) {
        "湖南省/岳阳市"
    } else {
        "湖南省/长沙市"
    };
    let topic = if n.is_multiple_of(3) {
        "economy"
    } else {
        "education"
    };
    let front = format!(
        "title = \"{title}\"\ndate = 2024-0{}-1{n}\nregions = [\"{region}\"]\ntopics = [\"{topic}\"]\n",
        1 + n % 3
    );
    let body = format!("{}\n\n{tail}", LEAD.repeat(6));
    article(root, &format!("a/{n:02}.md"), &front, &body);
}

fn make_site() -> tempfile::TempDir {
    let site = site(false);
    for n in 1..=8 {
        write_article(
            site.path(),
            n,
            &format!("第{n}篇报道"),
            &format!("尾段{n}。"),
        );
    }
    site
}

/// Path → inode of every output file (an unchanged file keeps its inode).
fn inodes(dir: &Path) -> BTreeMap<String, u64> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().display().to_string();
            (rel, e.metadata().unwrap().ino())
        })
        .collect()
}

fn rewritten(before: &BTreeMap<String, u64>, after: &BTreeMap<String, u64>) -> Vec<String> {
    after
        .iter()
        .filter(|(p, ino)| before.get(*p) != Some(ino))
        .map(|(p, _)| p.clone())
        .collect()
}

fn build(root: &Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["build", "--no-ingest", "--json"];
    args.extend_from_slice(extra);
    let out = folio(root, &args);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("summary JSON")
}

/// Builds a copy of the site from scratch and returns its output.
fn clean_copy(root: &Path) -> Vec<(String, Vec<u8>)> {
    let copy = tempfile::tempdir().unwrap();
    fs::copy(root.join("site.toml"), copy.path().join("site.toml")).unwrap();
    for e in walkdir::WalkDir::new(root.join("content"))
        .into_iter()
        .filter_map(Result::ok)
    {
        let rel = e.path().strip_prefix(root).unwrap();
        if e.file_type().is_dir() {
            fs::create_dir_all(copy.path().join(rel)).unwrap();
        } else {
            fs::copy(e.path(), copy.path().join(rel)).unwrap();
        }
    }
    if root.join("templates").is_dir() {
        fs::create_dir_all(copy.path().join("templates")).unwrap();
        for e in fs::read_dir(root.join("templates")).unwrap() {
            let e = e.unwrap();
            fs::copy(e.path(), copy.path().join("templates").join(e.file_name())).unwrap();
        }
    }
    build(copy.path(), &["--clean"]);
    snapshot(&copy.path().join("public"))
}

#[test]
fn editing_one_article_rewrites_only_its_dependents_and_equals_a_clean_build() {
    let site = make_site();
    let root = site.path();
    let public = root.join("public");
    let first = build(root, &[]);
    let pages = first["pages"].as_u64().unwrap();
    assert_eq!(first["pages_reused"], 0);

    // Nothing changed: every page comes from the cache, no file is written.
    let before = inodes(&public);
    let again = build(root, &[]);
    assert_eq!(again["pages_reused"].as_u64(), Some(pages));
    assert_eq!(again["files_written"], 0);
    assert!(rewritten(&before, &inodes(&public)).is_empty());

    // A body edit after the summary: the article page and search files only.
    write_article(root, 4, "第4篇报道", "尾段改写，新增洞庭湖生态保护内容。");
    let before = inodes(&public);
    let edit = build(root, &[]);
    let changed = rewritten(&before, &inodes(&public));
    let (search, pages_changed): (Vec<_>, Vec<_>) =
        changed.iter().partition(|p| p.starts_with("search/"));
    assert_eq!(pages_changed, ["articles/a/04.html"], "{changed:?}");
    assert!(!search.is_empty(), "the new terms' shards and the record");
    assert!(search.len() < 10, "only some search files: {search:?}");
    assert_eq!(edit["pages_reused"].as_u64(), Some(pages - 1));
    assert_eq!(snapshot(&public), clean_copy(root));

    // A title edit: the page, its neighbours, the lists and feeds it is in;
    // the sitemap (URLs and dates only) stays.
    write_article(
        root,
        4,
        "洞庭湖畔新气象",
        "尾段改写，新增洞庭湖生态保护内容。",
    );
    let before = inodes(&public);
    build(root, &[]);
    let changed = rewritten(&before, &inodes(&public));
    for must in [
        "articles/a/04.html",
        "index.html",
        "atom.xml",
        "topics/education/index.html",
        "archive/2024/02/index.html",
    ] {
        assert!(changed.iter().any(|c| c == must), "{must} in {changed:?}");
    }
    assert!(
        !changed.iter().any(|c| c.starts_with("sitemap")),
        "{changed:?}"
    );
    assert!(
        !changed.iter().any(|c| c == "topics/economy/atom.xml"),
        "a feed it is not in: {changed:?}"
    );
    assert_eq!(snapshot(&public), clean_copy(root));

    // A removed article: its page goes, the result still equals a clean build.
    fs::remove_file(root.join("content/a/07.md")).unwrap();
    build(root, &[]);
    assert!(!public.join("articles/a/07.html").exists());
    assert_eq!(snapshot(&public), clean_copy(root));
}

#[test]
fn template_and_config_changes_re_render_what_uses_them() {
    let site = make_site();
    let root = site.path();
    let public = root.join("public");
    build(root, &[]);

    // An overriding article template: every article page changes, lists do not.
    let theme_src = project().join("themes/default/templates/article.html");
    let src = fs::read_to_string(theme_src).unwrap();
    fs::create_dir_all(root.join("templates")).unwrap();
    fs::write(
        root.join("templates/article.html"),
        src.replacen(
            "{% endblock main %}",
            "<!-- local override -->{% endblock main %}",
            1,
        ),
    )
    .unwrap();
    let before = inodes(&public);
    let summary = build(root, &[]);
    assert_eq!(summary["pages_reused"], 0, "the theme is part of every key");
    let changed = rewritten(&before, &inodes(&public));
    let articles = changed
        .iter()
        .filter(|c| c.starts_with("articles/"))
        .count();
    assert_eq!(articles, 8, "{changed:?}");
    assert!(!changed.iter().any(|c| c == "index.html"), "{changed:?}");
    assert!(
        fs::read_to_string(public.join("articles/a/01.html"))
            .unwrap()
            .contains("local override")
    );
    assert_eq!(snapshot(&public), clean_copy(root));

    // A config change every page shows: every page is rendered and rewritten.
    fs::write(
        root.join("site.toml"),
        "title = \"新的档案\"\nbase_url = \"https://example.org/\"\n",
    )
    .unwrap();
    let before = inodes(&public);
    let summary = build(root, &[]);
    assert_eq!(summary["pages_reused"], 0);
    let changed = rewritten(&before, &inodes(&public));
    for must in ["index.html", "articles/a/01.html", "404.html", "atom.xml"] {
        assert!(changed.iter().any(|c| c == must), "{must} in {changed:?}");
    }
    assert_eq!(snapshot(&public), clean_copy(root));

    // A topic renamed: the search documents show topic names, so the index follows
    // (their source keys cover the topic table) and equals a clean build.
    let search_docs = |public: &Path| -> String {
        let mut all = String::new();
        for e in fs::read_dir(public.join("search/docs")).unwrap() {
            all += &fs::read_to_string(e.unwrap().path()).unwrap();
        }
        all
    };
    fs::write(
        root.join("site.toml"),
        "title = \"新的档案\"\nbase_url = \"https://example.org/\"\n\
         [[topics]]\nslug = \"economy\"\nname = \"经济发展\"\nkeywords = []\n\
         [[topics]]\nslug = \"education\"\nname = \"教育事业\"\nkeywords = []\n",
    )
    .unwrap();
    build(root, &[]);
    let docs = search_docs(&public);
    assert!(
        docs.contains("经济发展") && docs.contains("教育事业"),
        "{docs}"
    );
    assert_eq!(snapshot(&public), clean_copy(root));

    // The cache is safe to delete.
    fs::remove_dir_all(root.join(".folio-cache")).unwrap();
    build(root, &[]);
    assert_eq!(snapshot(&public), clean_copy(root));
}

#[test]
fn a_new_day_s_article_re_renders_only_the_pages_that_show_it() {
    let site = make_site();
    let root = site.path();
    let public = root.join("public");
    let pages = build(root, &[])["pages"].as_u64().unwrap();
    let new_day = |n: usize| {
        let front = format!(
            "title = \"新一天的报道{n}\"\ndate = 2025-01-0{n}\nregions = [\"湖南省/长沙市\"]\ntopics = [\"economy\"]\n"
        );
        article(root, &format!("b/{n:02}.md"), &front, &LEAD.repeat(3));
    };

    // The default theme never prints the article count, so pages the new article is not on
    // (the other region's and topic's lists, the 404 page, the oldest articles) are reused.
    new_day(1);
    let summary = build(root, &[]);
    let reused = summary["pages_reused"].as_u64().unwrap();
    assert!(reused >= 4, "{summary}");
    assert!(
        reused < pages,
        "the home page and its lists change: {summary}"
    );
    assert_eq!(snapshot(&public), clean_copy(root));

    // A theme that prints the count: every page shows the new one.
    fs::create_dir_all(root.join("templates")).unwrap();
    fs::write(
        root.join("templates/404.html"),
        "{% extends \"base.html\" %}{% block main %}<p>共 {{ site.article_count }} 篇</p>{% endblock main %}",
    )
    .unwrap();
    build(root, &[]);
    new_day(2);
    let summary = build(root, &[]);
    assert_eq!(summary["pages_reused"], 0, "{summary}");
    let not_found = fs::read_to_string(public.join("404.html")).unwrap();
    assert!(not_found.contains("共 10 篇"), "{not_found}");
    assert_eq!(snapshot(&public), clean_copy(root));
}
