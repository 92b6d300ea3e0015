//! Whole-command tests of `folio ingest`: editors' work is never lost.

mod common;

use common::*;
use std::fs;
use std::os::unix::fs::MetadataExt;

const SEED: &str = "001_83d4dd0e044e0b7b";

fn mtimes(dir: &std::path::Path) -> Vec<(String, i64, i64)> {
    let mut v: Vec<_> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let m = e.metadata().unwrap();
            (e.path().display().to_string(), m.mtime(), m.mtime_nsec())
        })
        .collect();
    v.sort();
    v
}

#[test]
fn ingest_writes_articles_and_report_and_reingest_changes_nothing() {
    let site = site(true);
    let out = folio(site.path(), &["ingest"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let content = site.path().join("content");
    assert!(content.join(SEED).join("01.md").is_file());
    assert!(content.join(".ingest-report.toml").is_file());
    let text = fs::read_to_string(content.join(SEED).join("01.md")).unwrap();
    assert!(text.starts_with("+++\ntitle = "), "{text}");
    assert!(text.contains("[source]") && text.contains("ingested_hash = \""));
    let before = mtimes(&content);
    let snap = snapshot(&content);
    let out = folio(site.path(), &["ingest"]);
    assert!(out.status.success());
    assert_eq!(snap, snapshot(&content));
    assert_eq!(
        before,
        mtimes(&content),
        "re-ingest of unchanged seeds touches no file"
    );
}

#[test]
fn printed_credits_are_kept_and_shown_when_they_say_more_than_the_names() {
    let site = site(true);
    let out = folio(site.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // "株洲日报(全媒体记者/刘平)" opens the story's text: its names are the authors, and the
    // credit as printed (paper and role) is kept beside them.
    let text = fs::read_to_string(site.path().join("content/002_079d793a3125e5cb/04.md")).unwrap();
    assert!(text.contains("authors = [\"刘平\"]"), "{text}");
    assert!(
        text.contains("credits = [\"株洲日报（全媒体记者/刘平）\"]"),
        "{text}"
    );
    // A byline that is only names adds nothing: no credits.
    let first = fs::read_to_string(site.path().join("content/000_8ee1e14b781f4bbe/01.md")).unwrap();
    assert!(
        first.contains("authors = [\"向科\"]") && !first.contains("credits"),
        "{first}"
    );
    let page = fs::read_to_string(
        site.path()
            .join("public/articles/002_079d793a3125e5cb/04.html"),
    )
    .unwrap();
    assert!(
        page.contains("<p class=\"credits\">株洲日报（全媒体记者/刘平）</p>"),
        "{page}"
    );
}

#[test]
fn a_bullet_before_a_byline_is_not_part_of_the_credit() {
    let site = site(false);
    fs::copy(
        project().join("tests/fixtures/ingest/qa/qa_i_column_mixed.txt"),
        site.path().join("seeds/page.txt"),
    )
    .unwrap();
    let out = folio(site.path(), &["ingest"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = fs::read_to_string(site.path().join("content/page/02.md")).unwrap();
    assert!(text.contains("credits = [\"本报记者 杨柳\"]"), "{text}");
}

#[test]
fn edited_articles_are_never_overwritten() {
    let site = site(true);
    assert!(folio(site.path(), &["ingest"]).status.success());
    let path = site.path().join("content").join(SEED).join("01.md");
    let edited = fs::read_to_string(&path)
        .unwrap()
        .replace("+++\n\n", "+++\n\n编者修订：");
    fs::write(&path, &edited).unwrap();
    // The seed changes too, so ingest has a new version to offer.
    let seed = site.path().join("seeds").join(format!("{SEED}.txt"));
    let mut s = fs::read_to_string(&seed).unwrap();
    s = s.replacen(
        "整治群众身边不正之风和腐败问题，是老百姓期盼的实事",
        "整治群众身边不正之风和腐败问题，是人民群众期盼的实事",
        1,
    );
    fs::write(&seed, s).unwrap();
    let out = folio(site.path(), &["ingest"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(fs::read_to_string(&path).unwrap(), edited, "edit kept");
    let new = fs::read_to_string(path.with_extension("md.new")).unwrap();
    assert!(new.contains("人民群众期盼"));
    assert!(stderr(&out).contains("conflict"), "{}", stderr(&out));
    // `folio build` ingests the changed seed the same careful way.
    let out = folio(site.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(fs::read_to_string(&path).unwrap(), edited);
    // --force overwrites but keeps the edited version.
    let out = folio(site.path(), &["ingest", "--force"]);
    assert!(out.status.success());
    assert!(fs::read_to_string(&path).unwrap().contains("人民群众期盼"));
    assert_eq!(
        fs::read_to_string(path.with_extension("md.orig")).unwrap(),
        edited
    );
}

#[test]
fn an_edit_alone_is_no_conflict_and_a_settled_one_clears() {
    let site = site(true);
    assert!(folio(site.path(), &["ingest"]).status.success());
    let path = site.path().join("content").join(SEED).join("01.md");
    let new_path = path.with_extension("md.new");
    let edited = fs::read_to_string(&path)
        .unwrap()
        .replace("+++\n\n", "+++\n\n编者修订：");
    fs::write(&path, &edited).unwrap();
    // The seed is unchanged: ingest has nothing new for the edited article.
    let out = folio(site.path(), &["ingest"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("conflict:"), "{}", stderr(&out));
    assert!(!new_path.exists());
    assert_eq!(fs::read_to_string(&path).unwrap(), edited);

    // The seed changes: a conflict. Then the seed is put back: the `.new` is stale and goes.
    let seed = site.path().join("seeds").join(format!("{SEED}.txt"));
    let original = fs::read_to_string(&seed).unwrap();
    fs::write(&seed, original.replacen("老百姓期盼", "人民群众期盼", 1)).unwrap();
    let out = folio(site.path(), &["ingest"]);
    assert!(stderr(&out).contains("conflict:"), "{}", stderr(&out));
    assert!(new_path.exists());
    fs::write(&seed, &original).unwrap();
    let out = folio(site.path(), &["ingest"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("conflict:"), "{}", stderr(&out));
    assert!(!new_path.exists());
    assert_eq!(fs::read_to_string(&path).unwrap(), edited, "edit kept");

    // A forced ingest takes the seed's version and leaves no `.new` behind.
    fs::write(&seed, original.replacen("老百姓期盼", "人民群众期盼", 1)).unwrap();
    assert!(folio(site.path(), &["ingest"]).status.success());
    assert!(new_path.exists());
    assert!(folio(site.path(), &["ingest", "--force"]).status.success());
    assert!(!new_path.exists());
    assert!(fs::read_to_string(&path).unwrap().contains("人民群众期盼"));
}

#[test]
fn unedited_articles_follow_a_changed_seed() {
    let site = site(true);
    assert!(folio(site.path(), &["ingest"]).status.success());
    let path = site.path().join("content").join(SEED).join("01.md");
    let seed = site.path().join("seeds").join(format!("{SEED}.txt"));
    let s = fs::read_to_string(&seed)
        .unwrap()
        .replacen("老百姓期盼", "百姓期盼", 1);
    fs::write(&seed, s).unwrap();
    assert!(folio(site.path(), &["build"]).status.success());
    assert!(
        fs::read_to_string(&path)
            .unwrap()
            .contains("是百姓期盼的实事")
    );
}

#[test]
fn broken_seeds_are_reported_and_the_rest_ingested() {
    let site = site(false);
    let seeds = site.path().join("seeds");
    fs::write(seeds.join("a_empty.txt"), "").unwrap();
    fs::write(seeds.join("b_invalid.txt"), b"\xe6\xb9\x98\xff\xfe bad").unwrap();
    fs::write(
        seeds.join("c_bom_crlf.txt"),
        "\u{feff}标题一则\r\n\r\n正文第一段，写得很长很长很长很长很长。\r\n",
    )
    .unwrap();
    fs::write(seeds.join("d_binary.txt"), [0u8, 159, 146, 150, 0, 1, 2, 3]).unwrap();
    fs::write(
        seeds.join("e_banners.txt"),
        "非凡十年看湘中·（四）涟源篇\n\n实干担当·娄星篇\n",
    )
    .unwrap();
    fs::write(seeds.join("f_longline.txt"), "好".repeat(350_000)).unwrap();
    let out = folio(site.path(), &["ingest", "--json"]);
    assert_eq!(out.status.code(), Some(1), "a seed could not be decoded");
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let seeds = report["seeds"].as_array().unwrap();
    let by = |name: &str| seeds.iter().find(|s| s["seed"] == name).unwrap().clone();
    assert!(
        by("b_invalid.txt")["error"]
            .as_str()
            .unwrap()
            .contains("byte offset 3"),
        "{}",
        by("b_invalid.txt")
    );
    assert!(by("d_binary.txt")["error"].is_string());
    assert!(by("c_bom_crlf.txt")["error"].is_null());
    let c = fs::read_to_string(site.path().join("content/c_bom_crlf/01.md")).unwrap();
    assert!(!c.contains('\r') && !c.contains('\u{feff}'));
    assert!(by("f_longline.txt")["error"].is_null());
}

#[test]
fn explain_tells_how_a_line_was_read() {
    let site = site(true);
    let out = folio(
        site.path(),
        &["ingest", "--explain", &format!("{SEED}.txt:5")],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stdout(&out).trim().is_empty());
    // Usage errors: a malformed argument, a line the page does not have (exit 2).
    let out = folio(site.path(), &["ingest", "--explain", "nope"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("SEED:LINE"), "{}", stderr(&out));
    let out = folio(
        site.path(),
        &["ingest", "--explain", &format!("{SEED}.txt:99999")],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("out of range"), "{}", stderr(&out));
    // A seed that is not there is an error reading it (exit 1).
    let out = folio(site.path(), &["ingest", "--explain", "missing.txt:3"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}

#[test]
fn a_seed_without_articles_is_not_ingested_again_by_every_build() {
    let site = site(false);
    fs::write(
        site.path().join("seeds").join("banner_only.txt"),
        "团结报　2023年5月8日　星期一\n\n综 合 新 闻　3\n",
    )
    .unwrap();
    let out = folio(site.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("ingested banner_only.txt: 0 articles"),
        "{}",
        stderr(&out)
    );
    let out = folio(site.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("ingested"), "{}", stderr(&out));
}

#[test]
fn temporary_files_of_a_killed_run_are_removed_and_articles_kept() {
    let site = site(true);
    let out = folio(site.path(), &["ingest"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let dir = site.path().join("content").join(SEED);
    // What a run killed between writing and renaming leaves behind.
    let leftover = dir.join(".01.md.4242.folio-tmp");
    fs::write(&leftover, "+++\ntitle = \"half\"\n").unwrap();
    let article = fs::read(dir.join("01.md")).unwrap();
    let out = folio(site.path(), &["ingest"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!leftover.exists(), "leftover removed");
    assert_eq!(
        fs::read(dir.join("01.md")).unwrap(),
        article,
        "article untouched"
    );
}

#[test]
fn seeds_folder_entries_that_are_not_read_are_named() {
    let site = site(false);
    let seeds = site.path().join("seeds");
    let page = "标题一则\n\n正文第一段，写得很长很长很长很长很长。\n";
    fs::write(seeds.join("A_UPPER.TXT"), page).unwrap();
    fs::write(seeds.join("notes.docx"), "x").unwrap();
    let out = folio(site.path(), &["ingest"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    // An upper-case extension is still a page file.
    assert!(site.path().join("content/A_UPPER/01.md").is_file(), "{err}");
    assert!(
        err.contains("ignored  seeds/notes.docx: not a page file"),
        "{err}"
    );

    // Two seeds with one stem would write into one folder: an error naming both, nothing written.
    fs::write(seeds.join("dup.txt"), page).unwrap();
    fs::write(seeds.join("dup.md"), page).unwrap();
    let out = folio(site.path(), &["ingest"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("dup.md and dup.txt share the name \"dup\""),
        "{err}"
    );
    assert!(!site.path().join("content/dup").exists());
}

#[test]
fn seeds_in_subfolders_are_ingested_under_their_path() {
    let site = site(false);
    let seeds = site.path().join("seeds");
    let page = "标题一则\n\n正文第一段，写得很长很长很长很长很长。\n";
    let day = seeds.join("团结报").join("2023");
    fs::create_dir_all(&day).unwrap();
    fs::write(day.join("05-08.txt"), page).unwrap();
    fs::write(day.join("scan.jpg"), "x").unwrap();
    // Hidden folders (a VCS's, an editor's) are not looked into.
    fs::create_dir_all(seeds.join(".git")).unwrap();
    fs::write(seeds.join(".git").join("HEAD.txt"), page).unwrap();
    fs::write(
        seeds.join("manifest.toml"),
        "[\"团结报/2023/05-08.txt\"]\ndate = 2023-05-08\npaper = \"团结报\"\n\n\
         [\"05-08.txt\"]\ndate = 2023-05-09\n",
    )
    .unwrap();
    let out = folio(site.path(), &["ingest"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    let article = site.path().join("content/团结报/2023/05-08/01.md");
    let text = fs::read_to_string(&article).unwrap_or_else(|e| panic!("{e}: {err}"));
    assert!(text.contains("seed = \"团结报/2023/05-08.txt\""), "{text}");
    // The manifest entry is found by the seed's path.
    assert!(text.contains("date = 2023-05-08"), "{text}");
    assert!(text.contains("paper = \"团结报\""), "{text}");
    assert!(
        err.contains("ignored  seeds/团结报/2023/scan.jpg: not a page file"),
        "{err}"
    );
    assert!(!err.contains(".git"), "{err}");
    // A key that names no seed is reported with its line, and the likely name.
    assert!(
        err.contains(
            "ignored  seeds/manifest.toml:5: entry \"05-08.txt\" names no seed (did you mean \
             \"团结报/2023/05-08.txt\"?"
        ),
        "{err}"
    );
    assert!(!site.path().join("content/.git").exists());

    // A build finds the seed ingested already and does not ingest it again.
    let out = folio(site.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        site.path()
            .join("public/articles/团结报/2023/05-08/01.html")
            .is_file()
    );
    let report = fs::read_to_string(site.path().join("content/.ingest-report.toml")).unwrap();
    assert!(
        report.contains("seed = \"团结报/2023/05-08.txt\""),
        "{report}"
    );
    let before = fs::metadata(&article).unwrap().modified().unwrap();
    let out = folio(site.path(), &["build", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(summary.contains("\"ingested_seeds\": 0,"), "{summary}");
    assert_eq!(fs::metadata(&article).unwrap().modified().unwrap(), before);

    // A symlinked folder (a mounted folder of scans, say) is followed.
    let elsewhere = site.path().join("scans");
    fs::create_dir_all(&elsewhere).unwrap();
    fs::write(elsewhere.join("p9.txt"), page).unwrap();
    std::os::unix::fs::symlink(&elsewhere, seeds.join("linked")).unwrap();
    let out = folio(site.path(), &["ingest"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        site.path().join("content/linked/p9/01.md").is_file(),
        "{}",
        stderr(&out)
    );

    // Two seeds with one path but the extension clash even when other names sort between them.
    fs::write(day.join("05-08.md"), page).unwrap();
    fs::write(day.join("05-08.a.txt"), page).unwrap();
    let out = folio(site.path(), &["ingest"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("share the name \"团结报/2023/05-08\""),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_page_without_a_running_head_is_dated_by_its_file_name() {
    let site = site(false);
    let dir = site.path().join("seeds/益阳日报/2024");
    fs::create_dir_all(&dir).unwrap();
    let page = "安化黑茶产业综合产值突破250亿元\n本报记者　周 红\n今年以来，安化县黑茶产业综合产值突破250亿元，较2023年5月1日统计时增长一成。\n";
    fs::write(dir.join("2024-06-18.txt"), page).unwrap();
    // The same page named by a hash is dated by the text, as before.
    fs::write(site.path().join("seeds/8ee1e14b.txt"), page).unwrap();
    let out = folio(site.path(), &["ingest"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let named =
        fs::read_to_string(site.path().join("content/益阳日报/2024/2024-06-18/01.md")).unwrap();
    assert!(
        named.contains("date = 2024-06-18\ndate_source = \"inferred\""),
        "{named}"
    );
    let hashed = fs::read_to_string(site.path().join("content/8ee1e14b/01.md")).unwrap();
    assert!(hashed.contains("date = 2023-05-01"), "{hashed}");
}

#[test]
fn a_story_continued_on_another_page_records_where_and_its_page_says_so() {
    let site = site(false);
    fs::copy(
        project().join("tests/fixtures/ingest/qa/qa_q_jumps.txt"),
        site.path().join("seeds/2024-07-02-01.txt"),
    )
    .unwrap();
    let out = folio(site.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let dir = site.path().join("content/2024-07-02-01");
    let first = fs::read_to_string(dir.join("01.md")).unwrap();
    assert!(
        first.contains("title = \"衡阳高新区新增规上企业23家\"")
            && first.contains("continued_on = \"下转第4版\""),
        "{first}"
    );
    let second = fs::read_to_string(dir.join("02.md")).unwrap();
    assert!(!second.contains("continued_on"), "{second}");
    let page =
        fs::read_to_string(site.path().join("public/articles/2024-07-02-01/01.html")).unwrap();
    assert!(
        page.contains("<p class=\"jump\">（下转第4版）</p>"),
        "{page}"
    );
}

#[test]
fn a_photo_story_takes_its_place_from_its_caption() {
    let site = site(false);
    fs::copy(
        project().join("tests/fixtures/ingest/qa/qa_ae_photo_news.txt"),
        site.path().join("seeds/2025-03-21-huaihua.txt"),
    )
    .unwrap();
    let out = folio(site.path(), &["ingest"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let dir = site.path().join("content/2025-03-21-huaihua");
    // "图片新闻" has no text but its caption, which names 中方县.
    let photo = fs::read_to_string(dir.join("02.md")).unwrap();
    assert!(photo.contains("title = \"图片新闻\""), "{photo}");
    assert!(
        photo.contains("regions = [\"湖南省/怀化市/中方县\"]"),
        "{photo}"
    );
    // A story with text keeps its place from its text.
    let first = fs::read_to_string(dir.join("01.md")).unwrap();
    assert!(
        first.contains("regions = [\"湖南省/怀化市/通道侗族自治县\"]"),
        "{first}"
    );
    assert!(first.contains("kicker = \"通道侗族自治县：\""), "{first}");
}
