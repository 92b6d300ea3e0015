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
