//! Renders the fixture archive in `tests/fixtures/render/` and checks every
//! page type, links up and down the region tree, pagination boundaries,
//! escaping, feeds, sitemaps, determinism and template overrides.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use folio::classify::gazetteer::Gazetteer;
use folio::config::SiteConfig;
use folio::content::{self, LoadOptions};
use folio::output::Staging;
use folio::render::{RenderOptions, load_theme, render_site};
use folio::site::Site;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/render")
}

type Rendered = (tempfile::TempDir, folio::render::RenderStats);

/// Renders the site at `root` into a fresh temp dir.
fn render(root: &Path) -> Result<Rendered, String> {
    render_with(root, |_| {}, None, None)
}

/// Renders with a change to the site model, optionally another base URL and item memo budget.
fn render_with(
    root: &Path,
    tweak: impl FnOnce(&mut Site<'_>),
    base_url: Option<&str>,
    item_memo_bytes: Option<usize>,
) -> Result<Rendered, String> {
    let config = SiteConfig::load(&root.join("site.toml")).map_err(|e| e.to_string())?;
    let (articles, errors) = content::load(&root.join("content"), LoadOptions::default(), &|_| {
        Vec::new()
    });
    assert!(errors.is_empty(), "{errors:?}");
    let mut site = Site::new(&config, Gazetteer::builtin(), articles);
    tweak(&mut site);
    let theme = load_theme(root, &config).map_err(|e| e.to_string())?;
    let out = tempfile::tempdir().map_err(|e| e.to_string())?;
    let mut opts = RenderOptions::from_config(&config);
    if let Some(b) = base_url {
        opts.base_url = b.to_string();
    }
    if let Some(bytes) = item_memo_bytes {
        opts.item_memo_bytes = bytes;
    }
    let staging = Staging::begin(out.path(), false).map_err(|e| e.to_string())?;
    let stats = render_site(&site, &theme, &staging, &opts).map_err(|e| e.to_string())?;
    staging.commit().map_err(|e| e.to_string())?;
    Ok((out, stats))
}

fn read(out: &Path, rel: &str) -> String {
    std::fs::read_to_string(out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn region_dir(path: &str) -> String {
    let gz = Gazetteer::builtin();
    let id = gz.by_path(path).unwrap_or_else(|| panic!("{path}"));
    format!("regions/{}", gz.get(id).url_path)
}

fn region_href(path: &str) -> String {
    format!("/archive/{}/", region_dir(path))
}

fn count(hay: &str, needle: &str) -> usize {
    hay.matches(needle).count()
}

#[test]
fn every_page_type_exists() {
    let (out, stats) = render(&fixture()).unwrap();
    let o = out.path();
    for rel in [
        "index.html",
        "page/2.html",
        "page/5.html",
        "articles/2022a/01.html",
        "articles/2023a/02.html",
        "regions/index.html",
        "topics/index.html",
        "topics/health/index.html",
        "topics/education/page/2.html",
        "archive/index.html",
        "archive/2023/index.html",
        "archive/2023/06/index.html",
        "archive/undated/index.html",
        "search/index.html",
        "404.html",
        "robots.txt",
        "atom.xml",
        "topics/health/atom.xml",
        "sitemap.xml",
        "sitemap-1.xml",
        "static/style.css",
    ] {
        assert!(o.join(rel).is_file(), "missing {rel}");
    }
    for r in [
        "湖南省",
        "湖南省/岳阳市",
        "湖南省/岳阳市/平江县",
        "湖南省/湘西土家族苗族自治州/保靖县",
    ] {
        assert!(o.join(region_dir(r)).join("index.html").is_file(), "{r}");
        assert!(o.join(region_dir(r)).join("atom.xml").is_file(), "{r}");
    }
    assert!(!o.join("page/1").exists(), "no duplicate page 1");
    assert!(!o.join("page/6").exists());
    assert_eq!(stats.feeds, 1 + 7 + 9, "site + regions + topics");
    assert!(stats.pages > 40 && stats.bytes > 50_000, "{stats:?}");

    let search = read(o, "search/index.html");
    assert!(
        search.contains("<div id=\"folio-search\" data-index=\"/archive/search/\" data-strings='{")
    );
    assert!(search.contains("<noscript>"));
    assert!(search.contains("<script src=\"/archive/static/search.js\" defer></script>"));
    assert!(search.contains("&quot;placeholder&quot;"), "labels as JSON");
    assert!(read(o, "robots.txt").contains("Sitemap: https://example.org/archive/sitemap.xml"));
}

#[test]
fn article_page_has_everything() {
    let (out, _) = render(&fixture()).unwrap();
    let a = read(out.path(), "articles/2024b/01.html");
    assert!(a.contains("<html lang=\"zh-CN\">"));
    assert!(a.contains("<h1 class=\"headline\">湘西州与岳阳市结对帮扶三十年</h1>"));
    assert!(a.contains("洞庭碧波连酉水"), "subtitle");
    assert!(a.contains("<time datetime=\"2024-05-01\">2024年5月1日</time>"));
    assert!(a.contains("<meta property=\"og:type\" content=\"article\">"));
    assert!(a.contains(
        "<meta property=\"og:url\" content=\"https://example.org/archive/articles/2024b/01.html\">"
    ));
    assert!(a.contains("id=\"一-基本情况\""), "section anchors");
    assert!(a.contains("href=\"/archive/topics/economy/\""));
    assert!(a.contains(&format!(
        "href=\"{}\"",
        region_href("湖南省/湘西土家族苗族自治州/保靖县")
    )));
    assert!(a.contains("2024b.txt，第 10–18 行"), "source");
    assert!(
        a.contains("共有22项工作稳步推进"),
        "no space at CJK soft break"
    );
    // Site order (newest first, ties by content path): 2024a/04 shares the
    // date and sorts first, so it is the "newer" neighbour; 2024a/03 is older.
    assert!(
        a.contains("rel=\"prev\" href=\"/archive/articles/2024a/03.html\""),
        "{a}"
    );
    assert!(a.contains("rel=\"next\" href=\"/archive/articles/2024a/04.html\""));
    assert!(a.contains("class=\"skip-link\" href=\"#main\""));
    assert!(a.contains("<main id=\"main\""));

    let cont = read(out.path(), "articles/2023a/02.html");
    assert!(
        cont.contains("<h1 class=\"headline untitled\">（续前文）</h1>"),
        "{cont}"
    );
    let captions = read(out.path(), "articles/2024a/02.html");
    assert!(captions.contains("图为保靖县茶园。记者 李明 摄"));
}

#[test]
fn titles_and_bodies_are_escaped() {
    let (out, _) = render(&fixture()).unwrap();
    let o = out.path();
    let a = read(o, "articles/2023b/01.html");
    assert!(
        !a.contains("<script>alert"),
        "script in title or body must not run"
    );
    assert!(!a.contains("<b>测试"), "kicker escaped");
    assert!(
        a.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;")
            || a.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{a}"
    );
    assert!(a.contains("” &amp; 其他"));
    assert!(a.contains("a &lt; b"));
    assert!(
        a.contains("&lt;div onclick="),
        "raw HTML block shown as text"
    );
    assert!(!a.contains("<div onclick"));
    for list in [
        "archive/2023/06/index.html",
        "topics/public-safety/index.html",
    ] {
        let l = read(o, list);
        assert!(!l.contains("<script>alert"), "{list}");
        assert!(l.contains("&amp; 其他"), "{list}");
    }
    let feed = read(o, "topics/public-safety/atom.xml");
    assert!(feed.contains("&lt;script&gt;alert(1)&lt;/script&gt;” &amp; 其他"));
}

#[test]
fn region_links_go_up_and_down() {
    let (out, _) = render(&fixture()).unwrap();
    let o = out.path();
    let yueyang = read(o, &format!("{}/index.html", region_dir("湖南省/岳阳市")));
    assert!(
        yueyang.contains(&format!("href=\"{}\"", region_href("湖南省"))),
        "parent"
    );
    assert!(
        yueyang.contains(&format!("href=\"{}\"", region_href("湖南省/岳阳市/平江县"))),
        "child"
    );
    assert!(yueyang.contains(&format!(
        "href=\"{}\"",
        region_href("湖南省/岳阳市/岳阳楼区")
    )));
    assert!(
        yueyang.contains("href=\"/archive/topics/health/\""),
        "topic counts"
    );

    let pingjiang = read(
        o,
        &format!("{}/index.html", region_dir("湖南省/岳阳市/平江县")),
    );
    assert!(pingjiang.contains(&format!("href=\"{}\"", region_href("湖南省/岳阳市"))));
    assert!(!pingjiang.contains(&format!(
        "href=\"{}\"",
        region_href("湖南省/湘西土家族苗族自治州")
    )));
    assert_eq!(count(&pingjiang, "class=\"entry\""), 4);

    // A prefecture lists the articles of its counties too (5 + 6 = 11, paginated by 5).
    let xiangxi = format!("{}/", region_dir("湖南省/湘西土家族苗族自治州"));
    assert!(
        read(o, &format!("{xiangxi}index.html")).contains("保靖黄金茶走俏市场")
            || o.join(format!("{xiangxi}page/2.html")).is_file()
    );
    let total: usize = ["index.html", "page/2.html", "page/3.html"]
        .iter()
        .map(|p| count(&read(o, &format!("{xiangxi}{p}")), "class=\"entry\""))
        .sum();
    assert_eq!(
        total, 12,
        "湘西 own 3 + 保靖 5 + 吉首 4 = 12, the shared article once"
    );

    let tree = read(o, "regions/index.html");
    assert!(tree.contains(&region_href("湖南省/岳阳市")));
    assert!(tree.contains(&region_href("湖南省/湘西土家族苗族自治州/吉首市")));
    assert!(
        count(&tree, "<svg class=\"bar\"") >= 2,
        "a bar per prefecture"
    );

    let topic = read(o, "topics/health/index.html");
    assert!(
        topic.contains(&region_href("湖南省/岳阳市")),
        "region counts"
    );
}

#[test]
fn pagination_boundaries() {
    let (out, _) = render(&fixture()).unwrap();
    let o = out.path();
    // health: exactly `paginate` (5) articles → one page, no pager.
    let health = read(o, "topics/health/index.html");
    assert_eq!(count(&health, "class=\"entry\""), 5);
    assert!(!health.contains("rel=\"next\""));
    assert!(!o.join("topics/health/page/2").exists());
    // education: paginate + 1 → two pages, the second with one article.
    let e1 = read(o, "topics/education/index.html");
    let e2 = read(o, "topics/education/page/2.html");
    assert_eq!(count(&e1, "class=\"entry\""), 5);
    assert_eq!(count(&e2, "class=\"entry\""), 1);
    assert!(e1.contains("<link rel=\"next\" href=\"/archive/topics/education/page/2.html\">"));
    assert!(!e1.contains("<link rel=\"prev\""));
    assert!(e2.contains("<link rel=\"prev\" href=\"/archive/topics/education/\">"));
    assert!(!e2.contains("<link rel=\"next\""));
    assert!(!o.join("topics/education/page/3").exists());
    // Home: 25 articles → 5 full pages.
    assert_eq!(count(&read(o, "page/5.html"), "class=\"entry\""), 5);
    assert!(read(o, "page/2.html").contains("<link rel=\"prev\" href=\"/archive/\">"));
}

#[test]
fn feeds_and_sitemaps() {
    let (out, _) = render(&fixture()).unwrap();
    let o = out.path();
    let atom = read(o, "atom.xml");
    assert!(atom.starts_with(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\""
    ));
    assert_eq!(count(&atom, "<entry>"), 10, "feeds.limit");
    assert_eq!(count(&atom, "</entry>"), 10);
    assert!(
        atom.contains("<updated>2024-12-30T00:00:00Z</updated>"),
        "newest article date"
    );
    assert!(atom.contains("<link rel=\"self\" type=\"application/atom+xml\" href=\"https://example.org/archive/atom.xml\"/>"));
    let health = read(o, "topics/health/atom.xml");
    assert_eq!(count(&health, "<entry>"), 5);
    assert!(health.contains("<updated>2024-09-09T00:00:00Z</updated>"));

    let index = read(o, "sitemap.xml");
    assert!(index.contains("<sitemapindex"));
    assert!(index.contains("<loc>https://example.org/archive/sitemap-1.xml</loc>"));
    assert!(!index.contains("sitemap-2.xml"));
    let map = read(o, "sitemap-1.xml");
    assert_eq!(
        count(&map, "<loc>https://example.org/archive/articles/"),
        25
    );
    assert!(map.contains("<loc>https://example.org/archive/</loc>"));
    assert!(map.contains("<loc>https://example.org/archive/topics/education/page/2.html</loc>"));
    assert!(map.contains("<lastmod>2024-12-30</lastmod>"));
    assert!(!map.contains("404.html"));
}

/// Every file under `dir`, relative path → bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().strip_prefix(dir).unwrap().display().to_string(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// Asserts that two output folders hold the same files with the same bytes.
fn assert_same_files(a: &Path, b: &Path) {
    let (ta, tb) = (tree(a), tree(b));
    assert_eq!(ta.keys().collect::<Vec<_>>(), tb.keys().collect::<Vec<_>>());
    for (k, v) in &ta {
        assert!(v == &tb[k], "{k} differs");
    }
}

#[test]
fn items_made_once_render_as_items_made_each_time() {
    // The default budget memoizes the fixture's items; a zero budget makes them per use.
    let (a, _) = render(&fixture()).unwrap();
    let (b, _) = render_with(&fixture(), |_| {}, None, Some(0)).unwrap();
    assert_same_files(a.path(), b.path());
    assert!(count(&read(a.path(), "index.html"), "class=\"entry") > 0);
}

#[test]
fn second_render_is_identical() {
    let (a, _) = render(&fixture()).unwrap();
    let (b, _) = render(&fixture()).unwrap();
    assert_same_files(a.path(), b.path());
}

#[test]
fn every_internal_link_resolves() {
    let (out, _) = render(&fixture()).unwrap();
    let o = out.path();
    let files = tree(o);
    let mut checked = 0;
    for (rel, bytes) in &files {
        if !rel.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8_lossy(bytes);
        for attr in ["href=\"", "src=\""] {
            for part in html.split(attr).skip(1) {
                let url = part.split('"').next().unwrap_or("");
                if url.starts_with("http") || url.starts_with('#') || url.starts_with("mailto:") {
                    continue;
                }
                let path = url.split('#').next().unwrap_or("");
                assert!(
                    path.starts_with("/archive/"),
                    "{rel}: {url} lacks the base path"
                );
                // The search script comes from the search module.
                if path == "/archive/static/search.js" {
                    continue;
                }
                let target = o.join(folio::render::write::url_to_file(&path["/archive".len()..]));
                assert!(target.is_file(), "{rel}: broken link {url}");
                checked += 1;
            }
        }
    }
    assert!(checked > 500, "{checked}");
}

fn copy_fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for e in walkdir::WalkDir::new(fixture())
        .into_iter()
        .filter_map(Result::ok)
    {
        let rel = e.path().strip_prefix(fixture()).unwrap();
        let dest = dir.path().join(rel);
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
    dir
}

#[test]
fn site_template_overrides_one_template() {
    let site = copy_fixture();
    std::fs::create_dir_all(site.path().join("templates")).unwrap();
    std::fs::write(
        site.path().join("templates/404.html"),
        "{% extends \"base.html\" %}{% block main %}<p id=\"custom\">走失了：{{ site.title }}</p>{% endblock main %}",
    )
    .unwrap();
    let (out, _) = render(site.path()).unwrap();
    let nf = read(out.path(), "404.html");
    assert!(
        nf.contains("<p id=\"custom\">走失了：湘江晚报档案</p>"),
        "{nf}"
    );
    assert!(
        nf.contains("class=\"masthead\""),
        "base still from the default theme"
    );
    assert!(read(out.path(), "index.html").contains("class=\"article-list\""));
}

#[test]
fn entries_print_what_the_list_markup_they_replace_prints() {
    // The default list.html prints each article's entry.html, rendered once per build. A
    // site list.html with that markup inline (and no mention of entries, so none are made)
    // writes the same bytes. (An error in entry.html: `template_errors_name_file_and_line`.)
    let theme = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates");
    let list = std::fs::read_to_string(theme.join("list.html")).unwrap();
    let entry = std::fs::read_to_string(theme.join("entry.html")).unwrap();
    let entry_body = &entry[entry.find("#}").unwrap() + 2..];
    let list_body = &list[list.find("-#}").unwrap() + 3..];
    let inline = list_body.replace("{{ entries[loop.index0] }}", entry_body);
    assert!(!inline.contains("entries") && inline.contains("entry-summary"));
    let site = copy_fixture();
    std::fs::create_dir_all(site.path().join("templates")).unwrap();
    std::fs::write(
        site.path().join("templates/list.html"),
        format!("{{#- -#}}{inline}"),
    )
    .unwrap();
    let (a, _) = render(&fixture()).unwrap();
    let (b, _) = render(site.path()).unwrap();
    assert_same_files(a.path(), b.path());
    assert!(count(&read(a.path(), "index.html"), "class=\"entry-summary\"") > 1);
}

#[test]
fn theme_folder_overrides_and_site_wins() {
    let site = copy_fixture();
    let t = site.path().join("themes/paper/templates");
    std::fs::create_dir_all(&t).unwrap();
    std::fs::write(t.join("404.html"), "theme 404").unwrap();
    std::fs::write(t.join("search.html"), "theme search {{ search_strings }}").unwrap();
    std::fs::create_dir_all(site.path().join("themes/paper/static/img")).unwrap();
    std::fs::write(
        site.path().join("themes/paper/static/img/logo.svg"),
        "<svg/>",
    )
    .unwrap();
    std::fs::create_dir_all(site.path().join("templates")).unwrap();
    std::fs::write(site.path().join("templates/404.html"), "site 404").unwrap();
    let toml = std::fs::read_to_string(site.path().join("site.toml")).unwrap();
    std::fs::write(
        site.path().join("site.toml"),
        format!("theme = \"paper\"\n{toml}"),
    )
    .unwrap();
    let (out, _) = render(site.path()).unwrap();
    assert_eq!(read(out.path(), "404.html"), "site 404");
    assert!(read(out.path(), "search/index.html").starts_with("theme search {&quot;"));
    assert_eq!(read(out.path(), "static/img/logo.svg"), "<svg/>");
    assert!(
        out.path().join("static/style.css").is_file(),
        "default static kept"
    );
}

#[test]
fn template_errors_name_file_and_line() {
    let site = copy_fixture();
    std::fs::create_dir_all(site.path().join("templates")).unwrap();
    let file = site.path().join("templates/topic.html");
    std::fs::write(&file, "{% extends \"base.html\" %}\n{% block main %}\n{% if %}x{% endif %}\n{% endblock main %}\n").unwrap();
    let err = render(site.path()).err().unwrap();
    assert!(err.contains(&format!("{}:3:", file.display())), "{err}");

    std::fs::write(&file, "{% extends \"base.html\" %}\n{% block main %}\n\n{{ no_such_variable }}\n{% endblock main %}\n").unwrap();
    let err = render(site.path()).err().unwrap();
    assert!(err.contains(&format!("{}:4:", file.display())), "{err}");
    assert!(err.contains("/topics/"), "names the page: {err}");

    // A list entry (entry.html, rendered apart from the list page) names its own file.
    std::fs::remove_file(&file).unwrap();
    let entry = site.path().join("templates/entry.html");
    std::fs::write(&entry, "{{ a.title }}\n{{ no_such_variable }}\n").unwrap();
    let err = render(site.path()).err().unwrap();
    assert!(err.contains(&format!("{}:2:", entry.display())), "{err}");
}

#[test]
fn related_articles_are_listed() {
    let (out, _) = render_with(
        &fixture(),
        |site| {
            let id = site
                .articles
                .iter()
                .position(|a| a.rel_path == "2024b/01.md")
                .unwrap();
            site.related[id] = vec![0, 1];
            let lonely = site
                .articles
                .iter()
                .position(|a| a.rel_path == "2022a/01.md")
                .unwrap();
            site.related[lonely] = Vec::new();
        },
        None,
        None,
    )
    .unwrap();
    let a = read(out.path(), "articles/2024b/01.html");
    let related = a.split("id=\"related-h\"").nth(1).expect("related section");
    assert!(
        related.contains("href=\"/archive/articles/2024c/01.html\""),
        "{related}"
    );
    assert!(related.contains("湘西州年终经济盘点"));
    assert!(!read(out.path(), "articles/2022a/01.html").contains("related-h"));
}

#[test]
fn base_url_override_changes_every_link() {
    let (out, _) = render_with(&fixture(), |_| {}, Some("http://localhost:8000/"), None).unwrap();
    let home = read(out.path(), "index.html");
    assert!(home.contains("href=\"/regions/\""));
    assert!(!home.contains("/archive/regions/"));
    assert!(home.contains("<link rel=\"canonical\" href=\"http://localhost:8000/\">"));
    assert!(read(out.path(), "atom.xml").contains("<id>http://localhost:8000/atom.xml</id>"));
}

#[test]
fn english_interface() {
    let site = copy_fixture();
    let toml = std::fs::read_to_string(site.path().join("site.toml")).unwrap();
    std::fs::write(
        site.path().join("site.toml"),
        format!("language = \"en\"\n{toml}"),
    )
    .unwrap();
    let (out, _) = render(site.path()).unwrap();
    let a = read(out.path(), "articles/2024b/01.html");
    assert!(a.contains("<html lang=\"en\">"));
    assert!(a.contains(">1 May 2024</time>"), "date format");
    assert!(a.contains(">Skip to content</a>"));
    assert!(read(out.path(), "articles/2023a/02.html").contains("(Continued)"));
    let month = read(out.path(), "archive/2023/index.html");
    assert!(month.contains("Articles per month"));
    assert!(month.contains("Jun 2023"));
}

#[test]
fn empty_archive_still_renders() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("site.toml"),
        "title = \"空\"\nbase_url = \"https://x.org/\"\n",
    )
    .unwrap();
    let (out, stats) = render(dir.path()).unwrap();
    assert!(read(out.path(), "index.html").contains("暂无文章"));
    assert!(out.path().join("regions/index.html").is_file());
    assert!(out.path().join("archive/index.html").is_file());
    let atom = read(out.path(), "atom.xml");
    assert!(!atom.contains("<entry>"));
    assert!(atom.contains("<updated>1970-01-01T00:00:00Z</updated>"));
    assert_eq!(stats.feeds, 1);
}

/// Timing on a generated archive: `FOLIO_BENCH_ARTICLES=20000 cargo test
/// --release --test render_site large_archive -- --ignored --nocapture`.
#[test]
#[ignore]
fn large_archive() {
    let n: usize = std::env::var("FOLIO_BENCH_ARTICLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5000);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("site.toml"),
        "title = \"大档案\"\nbase_url = \"https://x.org/\"\n",
    )
    .unwrap();
    let regions = [
        "湖南省/岳阳市/平江县",
        "湖南省/湘西土家族苗族自治州/保靖县",
        "湖南省/长沙市",
        "湖南省/湘西土家族苗族自治州/吉首市",
    ];
    let topics = ["health", "economy", "education", "governance"];
    for i in 0..n {
        let d = dir.path().join(format!("content/{:04}", i / 100));
        std::fs::create_dir_all(&d).unwrap();
        let body = "本报讯　这是一篇用于测试渲染速度的文章，记述当地的新闻事实。\n\n## 小标题\n\n"
            .to_string()
            + &"第二段介绍背景与数据，各项工作稳步推进。".repeat(30);
        std::fs::write(
            d.join(format!("{:02}.md", i % 100)),
            format!(
                "+++\ntitle = \"第{i}篇文章\"\ndate = {}-{:02}-{:02}\nregions = [\"{}\"]\ntopics = [\"{}\"]\n+++\n{body}\n",
                2000 + i % 20,
                1 + i % 12,
                1 + i % 28,
                regions[i % 4],
                topics[i % 4]
            ),
        )
        .unwrap();
    }
    let start = std::time::Instant::now();
    let (_out, stats) = render(dir.path()).unwrap();
    eprintln!(
        "{n} articles: {stats:?} in {:.2}s (load + model + render)",
        start.elapsed().as_secs_f64()
    );
}
