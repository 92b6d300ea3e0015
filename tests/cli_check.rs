//! Whole-command tests of `folio check`: one fixture site per kind of problem, each
//! run with and without `--json`. Every problem must name file:line, errors exit 1,
//! warnings alone exit 0, and the check leaves content/ and public/ untouched.

mod common;

use common::*;
use std::fs;
use std::path::Path;
use std::time::SystemTime;

/// A valid site with one article, already built (so public/ exists and can be
/// compared before and after the check).
fn good_site() -> tempfile::TempDir {
    let site = site(false);
    article(
        site.path(),
        "a/01.md",
        "title = \"第一篇\"\ndate = 2024-01-02\n",
        "第一段正文。\n\n## 小节\n\n第二段。",
    );
    let out = folio(site.path(), &["build", "--no-ingest"]);
    assert!(out.status.success(), "{}", stderr(&out));
    site
}

/// Writes `content/<rel>` verbatim (for broken front matter the helper cannot make).
fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

/// Every entry under `dir` (folders too) with kind, size, mtime and bytes.
fn listing(dir: &Path) -> Vec<(String, bool, u64, SystemTime, Vec<u8>)> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|e| {
            let e = e.unwrap();
            let meta = e.metadata().unwrap();
            let bytes = if meta.is_file() {
                fs::read(e.path()).unwrap()
            } else {
                Vec::new()
            };
            (
                e.path().strip_prefix(dir).unwrap().display().to_string(),
                meta.is_dir(),
                meta.len(),
                meta.modified().unwrap(),
                bytes,
            )
        })
        .collect()
}

/// One expected problem: severity, the end of the file path, line, a part of the message.
type Expected<'a> = (&'a str, &'a str, usize, &'a str);

/// Runs `folio check` and `folio check --json` on `root`; asserts the exit code, that
/// exactly the `expected` problems are reported both ways, and that neither content/
/// nor public/ changed. Returns the human output.
fn assert_check(root: &Path, code: i32, expected: &[Expected<'_>]) -> String {
    let content = listing(&root.join("content"));
    let public_exists = root.join("public").exists();
    let public = if public_exists {
        listing(&root.join("public"))
    } else {
        Vec::new()
    };

    let out = folio(root, &["check"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(code), "{text}{}", stderr(&out));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), expected.len(), "{text}");
    for (severity, file, line, needle) in expected {
        let prefix = format!("{file}:{line}: {severity}: ");
        assert!(
            lines
                .iter()
                .any(|l| l.contains(&prefix) && l.contains(needle)),
            "no `{prefix}…{needle}…` in:\n{text}"
        );
    }
    let errors = expected.iter().filter(|e| e.0 == "error").count();
    assert!(
        stderr(&out).contains(&format!(
            "check: {errors} error(s), {} warning(s)",
            expected.len() - errors
        )),
        "{}",
        stderr(&out)
    );

    let out = folio(root, &["check", "--json"]);
    assert_eq!(out.status.code(), Some(code), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("--json parses");
    let problems = json.as_array().expect("an array of problems");
    assert_eq!(problems.len(), expected.len(), "{json:#}");
    for (severity, file, line, needle) in expected {
        assert!(
            problems.iter().any(|p| {
                p["severity"] == *severity
                    && p["file"].as_str().is_some_and(|f| f.ends_with(file))
                    && p["line"] == *line
                    && p["message"].as_str().is_some_and(|m| m.contains(needle))
            }),
            "no {severity} at {file}:{line} with `{needle}` in {json:#}"
        );
    }

    assert_eq!(
        content,
        listing(&root.join("content")),
        "check modified content/"
    );
    assert_eq!(public_exists, root.join("public").exists());
    if public_exists {
        assert_eq!(
            public,
            listing(&root.join("public")),
            "check modified public/"
        );
    }
    text
}

/// The default article template with `insert` right after `{% block main %}`, and
/// the line it lands on.
fn template_with(insert: &str) -> (String, usize) {
    let good = fs::read_to_string(project().join("themes/default/templates/article.html")).unwrap();
    let line = good
        .lines()
        .position(|l| l.contains("{% block main %}"))
        .unwrap()
        + 1;
    let broken = good.replacen(
        "{% block main %}",
        &format!("{{% block main %}}{insert}"),
        1,
    );
    (broken, line)
}

#[test]
fn a_clean_site_has_no_problems() {
    let site = good_site();
    let text = assert_check(site.path(), 0, &[]);
    assert!(text.is_empty());
    // A site never built gets no public/ from a check either.
    fs::remove_dir_all(site.path().join("public")).unwrap();
    assert_check(site.path(), 0, &[]);
    assert!(!site.path().join("public").exists());
}

#[test]
fn site_toml_unknown_key() {
    let site = good_site();
    write(
        site.path(),
        "site.toml",
        "title = \"t\"\nbase_url = \"https://example.org/\"\nthemee = \"dark\"\n",
    );
    assert_check(site.path(), 1, &[("error", "/site.toml", 3, "themee")]);
}

#[test]
fn site_toml_bad_type() {
    let site = good_site();
    write(
        site.path(),
        "site.toml",
        "title = \"t\"\nbase_url = \"https://example.org/\"\n\n[search]\nenabled = \"yes\"\n",
    );
    assert_check(
        site.path(),
        1,
        &[("error", "/site.toml", 5, "expected a boolean")],
    );
}

#[test]
fn front_matter_bad_toml() {
    let site = good_site();
    write(
        site.path(),
        "content/a/02.md",
        "+++\ntitle = \"没有结束引号\ndate = 2024-01-03\n+++\n\n正文。\n",
    );
    assert_check(
        site.path(),
        1,
        &[("error", "/content/a/02.md", 2, "string")],
    );
}

#[test]
fn front_matter_bad_date() {
    let site = good_site();
    article(
        site.path(),
        "a/02.md",
        "title = \"日期\"\ndate = 2024-02-30\n",
        "正文。",
    );
    assert_check(
        site.path(),
        1,
        &[("error", "/content/a/02.md", 3, "invalid date")],
    );
}

#[test]
fn region_not_in_the_gazetteer() {
    let site = good_site();
    article(
        site.path(),
        "a/02.md",
        "title = \"地区\"\ndate = 2024-01-03\nregions = [\"湖南省/不存在县\"]\n",
        "正文。",
    );
    assert_check(
        site.path(),
        1,
        &[("error", "/content/a/02.md", 4, "unknown region path")],
    );
}

#[test]
fn unknown_topic_slug() {
    let site = good_site();
    article(
        site.path(),
        "a/02.md",
        "title = \"专题\"\ndate = 2024-01-03\ntopics = [\"no-such-topic\"]\n",
        "正文。",
    );
    assert_check(
        site.path(),
        1,
        &[(
            "error",
            "/content/a/02.md",
            4,
            "unknown topic slug \"no-such-topic\"",
        )],
    );
}

#[test]
fn duplicate_permalinks() {
    let site = good_site();
    article(
        site.path(),
        "a/02.md",
        "title = \"甲\"\nslug = \"same\"\n",
        "正文。",
    );
    article(
        site.path(),
        "b/03.md",
        "title = \"乙\"\ndate = 2024-01-04\nslug = \"same\"\n",
        "正文。",
    );
    let text = assert_check(
        site.path(),
        1,
        &[(
            "error",
            "/content/b/03.md",
            4,
            "duplicate permalink /articles/same.html",
        )],
    );
    assert!(text.contains("a/02.md"), "names both files: {text}");
}

#[test]
fn template_syntax_error() {
    let site = good_site();
    let (broken, line) = template_with("{% if %}");
    write(site.path(), "templates/article.html", &broken);
    assert_check(
        site.path(),
        1,
        &[("error", "/templates/article.html", line, "expected")],
    );
}

#[test]
fn template_unknown_variable_at_render() {
    let site = good_site();
    let (broken, line) = template_with("{{ no_such_variable }}");
    write(site.path(), "templates/article.html", &broken);
    assert_check(
        site.path(),
        1,
        &[(
            "error",
            "/templates/article.html",
            line,
            "`no_such_variable` is not defined",
        )],
    );
}

#[test]
fn template_unknown_filter_in_a_theme() {
    let site = good_site();
    let (broken, line) = template_with("{{ page.title | no_such_filter }}");
    write(site.path(), "themes/mine/templates/article.html", &broken);
    let config = fs::read_to_string(site.path().join("site.toml")).unwrap();
    write(
        site.path(),
        "site.toml",
        &format!("{config}theme = \"mine\"\n"),
    );
    assert_check(
        site.path(),
        1,
        &[(
            "error",
            "/themes/mine/templates/article.html",
            line,
            "Unknown filter `no_such_filter`",
        )],
    );
}

#[test]
fn broken_internal_link_in_markdown() {
    let site = good_site();
    article(
        site.path(),
        "a/02.md",
        "title = \"链接\"\ndate = 2024-01-03\n",
        "第一段。\n\n见[第一篇](/articles/a/01.html)和[不存在](/articles/a/99.html)。\n\n也见[相对](09.html)。",
    );
    assert_check(
        site.path(),
        1,
        &[
            ("error", "/content/a/02.md", 8, "`/articles/a/99.html`"),
            ("error", "/content/a/02.md", 10, "`09.html`"),
        ],
    );
}

#[test]
fn broken_anchors_in_markdown() {
    let site = good_site();
    // The heading `## 小节` of a/01 has the anchor `小节`; `#不存在` does not exist.
    article(
        site.path(),
        "a/02.md",
        "title = \"锚点\"\ndate = 2024-01-03\n",
        "第一段。\n\n见[小节](/articles/a/01.html#小节)和[坏锚点](/articles/a/01.html#不存在)。\n\n[本页](#nowhere)\n\n## 本节",
    );
    assert_check(
        site.path(),
        1,
        &[
            (
                "error",
                "/content/a/02.md",
                8,
                "no element with id \"不存在\"",
            ),
            (
                "error",
                "/content/a/02.md",
                10,
                "no element with id \"nowhere\"",
            ),
        ],
    );
}

/// `content/a/02.md`: an untitled article ingest flagged for review (line 4: `review`).
fn untitled_flagged_article(root: &std::path::Path) {
    article(
        root,
        "a/02.md",
        "title = \"\"\ndate = 2024-01-03\nreview = [\"no-headline\"]\n",
        "没有标题的文章。",
    );
}

#[test]
fn warnings_alone_exit_0() {
    let site = good_site();
    // An article ingest flagged for an editor, and an unresolved ingest conflict.
    untitled_flagged_article(site.path());
    write(
        site.path(),
        "content/a/01.md.new",
        "+++\ntitle = \"新版\"\n+++\n\n正文。\n",
    );
    assert_check(
        site.path(),
        0,
        &[
            ("warning", "/content/a/02.md", 4, "no-headline"),
            ("warning", "/content/a/01.md.new", 1, "ingest conflict"),
        ],
    );
}

#[test]
fn errors_and_warnings_together_exit_1() {
    let site = good_site();
    untitled_flagged_article(site.path());
    article(
        site.path(),
        "a/03.md",
        "title = \"专题\"\ntopics = [\"nope\"]\n",
        "正文。",
    );
    assert_check(
        site.path(),
        1,
        &[
            ("warning", "/content/a/02.md", 4, "no-headline"),
            ("error", "/content/a/03.md", 3, "unknown topic slug"),
        ],
    );
}

#[test]
fn broken_link_in_a_template_names_the_built_page() {
    let site = good_site();
    let (broken, _) = template_with("<a href=\"/nowhere/\">x</a>");
    write(site.path(), "templates/article.html", &broken);
    // Links that come from templates have no Markdown line: the checked build's page is named.
    let first = folio(site.path(), &["check"]);
    assert_eq!(first.status.code(), Some(1), "{}", stdout(&first));
    let page = ".folio-cache/check/public/articles/a/01.html";
    let built = fs::read_to_string(site.path().join(page)).unwrap();
    let line = built
        .lines()
        .position(|l| l.contains("href=\"/nowhere/\""))
        .unwrap()
        + 1;
    assert_check(site.path(), 1, &[("error", page, line, "`/nowhere/`")]);
}

#[test]
fn paths_are_shown_as_typed_from_the_site_folder() {
    let site = good_site();
    untitled_flagged_article(site.path());
    // Run in the site folder with the default `--root .`: `content/…`, not `./content/…`.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_folio"))
        .arg("check")
        .current_dir(site.path())
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(
        text.lines()
            .any(|l| l.starts_with("content/a/02.md:4: warning:")),
        "{text}"
    );
}
