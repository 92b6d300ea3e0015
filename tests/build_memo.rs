//! `build_with` and its in-memory memo (what `folio serve` keeps between
//! builds): a memoised rebuild reuses every unchanged page and gives the same
//! bytes as a build without the memo.

mod common;

use common::*;
use folio::build::{BuildMemo, BuildOptions, SitePaths, build_with};
use std::path::Path;

/// Longer than a summary, so that an edit after it leaves list items alone.
const LEAD: &str = "岳阳市推进乡村振兴工作取得新进展。";

fn opts(out: &Path) -> BuildOptions {
    BuildOptions {
        no_ingest: true,
        output_dir: Some(out.to_path_buf()),
        ..Default::default()
    }
}

#[test]
fn memoised_rebuilds_reuse_every_unchanged_page_and_match_a_fresh_build() {
    let site = site(false);
    let root = site.path();
    for n in 1..=6 {
        article(
            root,
            &format!("a/{n:02}.md"),
            &format!(
                "title = \"第{n}篇\"\ndate = 2024-03-1{n}\nregions = [\"湖南省/岳阳市\"]\ntopics = [\"economy\"]\n"
            ),
            &format!("{}\n\n第{n}段正文。", LEAD.repeat(8)),
        );
    }
    // Loaded files must be old enough to be memoised (see content::cache::Stamp).
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let paths = SitePaths::new(root, Path::new("site.toml"));
    let out = root.join("preview");
    let mut memo = BuildMemo::default();
    let (first, _) = build_with(&paths, &opts(&out), &|_| {}, Some(&mut memo)).unwrap();
    let (second, _) = build_with(&paths, &opts(&out), &|_| {}, Some(&mut memo)).unwrap();
    assert_eq!(second.pages_reused, first.pages, "{second:?}");
    assert_eq!(second.files_written, 0);

    // An edit below the summary: only that article's page is rendered again.
    article(
        root,
        "a/03.md",
        "title = \"第3篇\"\ndate = 2024-03-13\nregions = [\"湖南省/岳阳市\"]\ntopics = [\"economy\"]\n",
        &format!("{}\n\n第3段正文。\n\n新增的尾段。", LEAD.repeat(8)),
    );
    let (third, _) = build_with(&paths, &opts(&out), &|_| {}, Some(&mut memo)).unwrap();
    assert_eq!(third.pages_reused, first.pages - 1, "{third:?}");
    let memoised = snapshot(&out);
    let fresh = root.join("fresh");
    build_with(&paths, &opts(&fresh), &|_| {}, None).unwrap();
    assert!(
        memoised == snapshot(&fresh),
        "memoised build != plain build"
    );
}

/// `folio serve` tells the memo which paths its watcher saw change; a build
/// then reads only those (deleted files and folders included), falls back to a
/// full listing for what paths alone cannot tell (a new folder), keeps
/// reporting a broken file until it is fixed, and always gives the bytes of a
/// build without the memo.
#[test]
fn noted_changes_are_all_a_memoised_load_reads() {
    let site = site(false);
    let root = site.path();
    let front = |n: u32| {
        format!(
            "title = \"第{n}篇\"\ndate = 2024-03-1{n}\nregions = [\"湖南省/岳阳市\"]\ntopics = [\"economy\"]\n"
        )
    };
    for n in 1..=4 {
        article(
            root,
            &format!("a/{n:02}.md"),
            &front(n),
            &format!("{LEAD}第{n}段。"),
        );
    }
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let paths = SitePaths::new(root, Path::new("site.toml"));
    let out = root.join("preview");
    let content = root.join("content").canonicalize().unwrap();
    let mut memo = BuildMemo::default();
    let same_as_fresh = |label: &str| {
        let fresh = root.join("fresh");
        let _ = std::fs::remove_dir_all(&fresh);
        build_with(&paths, &opts(&fresh), &|_| {}, None).unwrap();
        assert!(
            snapshot(&out) == snapshot(&fresh),
            "{label}: memoised != fresh"
        );
    };
    build_with(&paths, &opts(&out), &|_| {}, Some(&mut memo)).unwrap();

    // A file changed but not noted is not read: proof that only noted paths
    // are. (The home page lists both articles with their summaries.)
    article(root, "a/01.md", &front(1), "未报告的修改。");
    article(root, "a/02.md", &front(2), "报告过的修改。");
    memo.note_changes(Some(vec![content.join("a/02.md")]));
    build_with(&paths, &opts(&out), &|_| {}, Some(&mut memo)).unwrap();
    let home = || std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(home().contains("报告过的修改"));
    assert!(!home().contains("未报告的修改"));
    // Anything may have changed: everything is listed again.
    memo.note_changes(None);
    build_with(&paths, &opts(&out), &|_| {}, Some(&mut memo)).unwrap();
    assert!(home().contains("未报告的修改"));
    same_as_fresh("after a full listing");

    // A deleted file and a new folder with a file in it.
    std::fs::remove_file(root.join("content/a/03.md")).unwrap();
    article(root, "b/c/05.md", &front(5), "新文件夹里的新文章。");
    memo.note_changes(Some(vec![
        content.join("a/03.md"),
        content.join("b"),
        content.join(".hidden.md"),
    ]));
    let (summary, _) = build_with(&paths, &opts(&out), &|_| {}, Some(&mut memo)).unwrap();
    assert_eq!(summary.articles, 4);
    assert!(!out.join("articles/a/03.html").exists());
    same_as_fresh("after a deletion and a new folder");

    // A broken file fails the build and keeps failing it until it is fixed,
    // even when the next change noted is another file.
    std::fs::write(root.join("content/a/04.md"), "+++\ntitle = \n+++\n").unwrap();
    memo.note_changes(Some(vec![content.join("a/04.md")]));
    let err = build_with(&paths, &opts(&out), &|_| {}, Some(&mut memo)).unwrap_err();
    assert!(err.to_string().contains("04.md"), "{err}");
    article(root, "a/02.md", &front(2), "又改了一次。");
    memo.note_changes(Some(vec![content.join("a/02.md")]));
    let err = build_with(&paths, &opts(&out), &|_| {}, Some(&mut memo)).unwrap_err();
    assert!(err.to_string().contains("04.md"), "{err}");
    article(root, "a/04.md", &front(4), "修好了。");
    memo.note_changes(Some(vec![content.join("a/04.md")]));
    build_with(&paths, &opts(&out), &|_| {}, Some(&mut memo)).unwrap();
    same_as_fresh("after a fix");

    // A deleted folder takes its articles with it.
    std::fs::remove_dir_all(root.join("content/b")).unwrap();
    memo.note_changes(Some(vec![content.join("b")]));
    let (summary, _) = build_with(&paths, &opts(&out), &|_| {}, Some(&mut memo)).unwrap();
    assert_eq!(summary.articles, 3);
    same_as_fresh("after a deleted folder");
}
