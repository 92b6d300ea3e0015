//! Themes: the default theme embedded in the binary, plus per-template
//! overrides from `themes/<name>/` and the site's own `templates/`.
//!
//! Loads templates into tera (reporting syntax errors as `file:line`), the
//! interface strings table for the site's language, and static files. Must not
//! build page contexts or write output.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use tera::Tera;

use super::RenderError;
use crate::config::SiteConfig;

/// Templates of the default theme, embedded at compile time.
const DEFAULT_TEMPLATES: &[(&str, &str)] = &[
    (
        "base.html",
        include_str!("../../themes/default/templates/base.html"),
    ),
    (
        "chart.html",
        include_str!("../../themes/default/templates/chart.html"),
    ),
    (
        "index.html",
        include_str!("../../themes/default/templates/index.html"),
    ),
    (
        "article.html",
        include_str!("../../themes/default/templates/article.html"),
    ),
    (
        "list.html",
        include_str!("../../themes/default/templates/list.html"),
    ),
    (
        "entry.html",
        include_str!("../../themes/default/templates/entry.html"),
    ),
    (
        "regions.html",
        include_str!("../../themes/default/templates/regions.html"),
    ),
    (
        "region.html",
        include_str!("../../themes/default/templates/region.html"),
    ),
    (
        "topics.html",
        include_str!("../../themes/default/templates/topics.html"),
    ),
    (
        "topic.html",
        include_str!("../../themes/default/templates/topic.html"),
    ),
    (
        "archive.html",
        include_str!("../../themes/default/templates/archive.html"),
    ),
    (
        "archive_year.html",
        include_str!("../../themes/default/templates/archive_year.html"),
    ),
    (
        "archive_month.html",
        include_str!("../../themes/default/templates/archive_month.html"),
    ),
    (
        "search.html",
        include_str!("../../themes/default/templates/search.html"),
    ),
    (
        "404.html",
        include_str!("../../themes/default/templates/404.html"),
    ),
];

/// Interface strings of the default theme, by language.
const DEFAULT_STRINGS: &[(&str, &str)] = &[
    (
        "zh-CN",
        include_str!("../../themes/default/strings/zh-CN.toml"),
    ),
    ("en", include_str!("../../themes/default/strings/en.toml")),
];

/// Static files of the default theme, copied to `/static/`.
const DEFAULT_STATIC: &[(&str, &[u8])] = &[
    (
        "search.js",
        include_bytes!("../../themes/default/static/search.js"),
    ),
    (
        "style.css",
        include_bytes!("../../themes/default/static/style.css"),
    ),
];

/// A loaded theme: templates ready to render, strings, static files.
pub struct Theme {
    pub(crate) tera: Tera,
    /// Template name → where it came from (for error messages).
    origins: BTreeMap<String, String>,
    /// The interface strings table for the site's language.
    pub strings: toml::Table,
    /// Static files, name → bytes, sorted.
    pub statics: BTreeMap<String, Vec<u8>>,
    /// Hash of every template source and the strings table (see `cache`).
    pub fingerprint: [u8; 32],
    /// Whether a template other than `entry.html` mentions `entries`: only then do list
    /// pages get each article's rendered `entry.html` (no other template can print them).
    pub uses_entries: bool,
    /// Whether a template could print `site.article_count` ([`may_print_article_count`]):
    /// only then does every page's render key include the number of articles, so that
    /// adding a day's articles re-renders only the pages they change.
    pub uses_article_count: bool,
}

impl Theme {
    /// Where a template came from (`themes/default/templates/x.html` for
    /// embedded ones, else the file path).
    pub fn origin(&self, template: &str) -> String {
        origin_of(&self.origins, template)
    }

    /// Names of all templates, sorted.
    pub fn template_names(&self) -> Vec<String> {
        self.origins.keys().cloned().collect()
    }

    /// Turns a tera error into a `RenderError` naming the template file and line.
    pub(crate) fn error(&self, err: tera::Error, while_rendering: &str) -> RenderError {
        tera_error(&self.origins, err, while_rendering)
    }
}

fn origin_of(origins: &BTreeMap<String, String>, template: &str) -> String {
    origins
        .get(template)
        .cloned()
        .unwrap_or_else(|| template.to_string())
}

fn tera_error(
    origins: &BTreeMap<String, String>,
    err: tera::Error,
    while_rendering: &str,
) -> RenderError {
    match err.kind() {
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => {
            RenderError::Template {
                file: origin_of(origins, r.filename()),
                line: r.span().start_line,
                message: r.message().to_string(),
                page: while_rendering.to_string(),
            }
        }
        _ => RenderError::Theme(if while_rendering.is_empty() {
            err.to_string()
        } else {
            format!("{err} (while rendering {while_rendering})")
        }),
    }
}

/// Loads the theme named in `config` (see the module docs for the override order).
pub fn load_theme(site_root: &Path, config: &SiteConfig) -> Result<Theme, RenderError> {
    let theme_dir = site_root.join("themes").join(&config.theme);
    if config.theme != "default" && !theme_dir.is_dir() {
        return Err(RenderError::Theme(format!(
            "theme {:?} not found: no folder {}",
            config.theme,
            theme_dir.display()
        )));
    }
    let mut sources: BTreeMap<String, (String, String)> = DEFAULT_TEMPLATES
        .iter()
        .map(|(name, src)| {
            (
                name.to_string(),
                (format!("themes/default/templates/{name}"), src.to_string()),
            )
        })
        .collect();
    for dir in [theme_dir.join("templates"), site_root.join("templates")] {
        for (name, path) in html_files(&dir)? {
            let src = read(&path)?;
            sources.insert(name, (path.display().to_string(), src));
        }
    }
    let origins: BTreeMap<String, String> = sources
        .iter()
        .map(|(name, (origin, _))| (name.clone(), origin.clone()))
        .collect();
    let mut tera = Tera::new();
    tera.set_escape_fn(escape_html);
    tera.add_raw_templates(
        sources
            .iter()
            .map(|(name, (_, src))| (name.as_str(), src.as_str())),
    )
    .map_err(|e| tera_error(&origins, e, ""))?;

    let strings = load_strings(&config.language, &theme_dir)?;
    let mut statics: BTreeMap<String, Vec<u8>> = DEFAULT_STATIC
        .iter()
        .map(|(n, b)| (n.to_string(), b.to_vec()))
        .collect();
    for dir in [theme_dir.join("static"), site_root.join("static")] {
        for (name, path) in files_under(&dir)? {
            let bytes = std::fs::read(&path).map_err(|e| io_error(&path, e))?;
            statics.insert(name, bytes);
        }
    }
    let mut h = blake3::Hasher::new();
    for (name, (_, src)) in &sources {
        for part in [name.as_str(), src.as_str()] {
            h.update(&(part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
    }
    h.update(strings.to_string().as_bytes());
    let uses_entries =
        (sources.iter()).any(|(name, (_, src))| name != "entry.html" && src.contains("entries"));
    let uses_article_count = (sources.values()).any(|(_, src)| may_print_article_count(src));
    Ok(Theme {
        tera,
        origins,
        strings,
        statics,
        fingerprint: *h.finalize().as_bytes(),
        uses_entries,
        uses_article_count,
    })
}

/// Whether the template `src` could print `site.article_count`: it names `article_count`, or
/// a tag uses `site` other than as `site.<field>` (`{{ site | json_encode() }}`,
/// `{% set s = site %}`), which could print every field. Comments and text outside tags
/// do not count.
fn may_print_article_count(src: &str) -> bool {
    src.contains("article_count") || tag_bodies(src).any(uses_whole_site)
}

/// The insides of `{{ … }}` and `{% … %}` tags (an unclosed tag runs to the end).
fn tag_bodies(src: &str) -> impl Iterator<Item = &str> {
    let mut rest = src;
    std::iter::from_fn(move || {
        loop {
            let open = rest.find('{')?;
            let after = &rest[open + 1..];
            let close = match after.as_bytes().first() {
                Some(b'{') => "}}",
                Some(b'%') => "%}",
                _ => {
                    rest = after;
                    continue;
                }
            };
            let body = &after[1..];
            let end = body.find(close).unwrap_or(body.len());
            rest = &body[end..];
            return Some(&body[..end]);
        }
    })
}

/// Whether a tag's inside names the variable `site` other than to read one of its fields.
fn uses_whole_site(body: &str) -> bool {
    let ident = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    body.match_indices("site").any(|(i, _)| {
        let before = body[..i].chars().next_back();
        let after = body[i + "site".len()..].chars().next();
        !ident(before) && before != Some('.') && !ident(after) && after != Some('.')
    })
}

/// The strings for `language`: the default theme's table (exact tag, else
/// same primary language, else English), overlaid by the theme's own
/// `strings/<language>.toml` when it has one.
fn load_strings(language: &str, theme_dir: &Path) -> Result<toml::Table, RenderError> {
    let primary = language.split('-').next().unwrap_or(language);
    let (name, text) = DEFAULT_STRINGS
        .iter()
        .find(|(tag, _)| tag.eq_ignore_ascii_case(language))
        .or_else(|| {
            DEFAULT_STRINGS
                .iter()
                .find(|(tag, _)| tag.split('-').next() == Some(primary))
        })
        .or_else(|| DEFAULT_STRINGS.iter().find(|(tag, _)| *tag == "en"))
        .copied()
        .unwrap_or(DEFAULT_STRINGS[0]);
    let mut table = parse_strings(text, &format!("themes/default/strings/{name}.toml"))?;
    let own = theme_dir.join("strings").join(format!("{language}.toml"));
    if own.is_file() {
        let text = read(&own)?;
        let overlay = parse_strings(&text, &own.display().to_string())?;
        merge(&mut table, overlay);
    }
    Ok(table)
}

fn parse_strings(text: &str, origin: &str) -> Result<toml::Table, RenderError> {
    text.parse::<toml::Table>()
        .map_err(|e| RenderError::Template {
            file: origin.to_string(),
            line: e
                .span()
                .map(|s| crate::config::line_of(text, s.start))
                .unwrap_or(1),
            message: e.message().trim().to_string(),
            page: String::new(),
        })
}

fn merge(base: &mut toml::Table, overlay: toml::Table) {
    for (k, v) in overlay {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

fn read(path: &Path) -> Result<String, RenderError> {
    std::fs::read_to_string(path).map_err(|e| io_error(path, e))
}

fn io_error(path: &Path, e: std::io::Error) -> RenderError {
    RenderError::Io {
        path: path.to_path_buf(),
        source: e,
    }
}

/// `*.html` files directly in `dir`, sorted by name.
fn html_files(dir: &Path) -> Result<Vec<(String, PathBuf)>, RenderError> {
    let mut out = Vec::new();
    if !dir.is_dir() {
        return Ok(out);
    }
    for entry in std::fs::read_dir(dir).map_err(|e| io_error(dir, e))? {
        let path = entry.map_err(|e| io_error(dir, e))?.path();
        if path.is_file() && path.extension().is_some_and(|x| x == "html") {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            out.push((name, path));
        }
    }
    out.sort();
    Ok(out)
}

/// All files under `dir` as (`a/b.css`, path), sorted; hidden ones skipped.
fn files_under(dir: &Path) -> Result<Vec<(String, PathBuf)>, RenderError> {
    let mut out = Vec::new();
    if !dir.is_dir() {
        return Ok(out);
    }
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        let entry = entry.map_err(|e| RenderError::Theme(format!("{}: {e}", dir.display())))?;
        if entry.file_type().is_file() {
            let rel = entry
                .path()
                .strip_prefix(dir)
                .unwrap_or(entry.path())
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            out.push((rel, entry.path().to_path_buf()));
        }
    }
    Ok(out)
}

/// Tera's autoescape (`tera::escape_html`: the same five entities, the same bytes), written a
/// run of plain bytes at a time rather than one `write_all` per byte, which was ~4 % of a
/// first build's CPU at 100k articles. Text with nothing to escape (nearly all Chinese text)
/// is skipped 16 bytes at a time: the test of a whole block compiles to vector compares.
fn escape_html(input: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    const BLOCK: usize = 16;
    fn special(b: u8) -> bool {
        (b == b'&') | (b == b'<') | (b == b'>') | (b == b'"') | (b == b'\'')
    }
    let bytes = input.as_bytes();
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        if let Some(block) = bytes.get(i..i + BLOCK)
            && !block.iter().fold(false, |any, &b| any | special(b))
        {
            i += BLOCK;
            continue;
        }
        let entity: &[u8] = match bytes[i] {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'"' => b"&quot;",
            b'\'' => b"&#39;",
            _ => {
                i += 1;
                continue;
            }
        };
        out.write_all(&bytes[start..i])?;
        out.write_all(entity)?;
        i += 1;
        start = i;
    }
    out.write_all(&bytes[start..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_that_could_print_the_article_count() {
        for could in [
            "<p>{{ site.article_count }}</p>",
            "{{ site[\"article_count\"] }}",
            "<script>{{ site | json_encode() | safe }}</script>",
            "{% set s = site %}{{ s.title }}",
            "{{site}}",
            "{% for k, v in site %}{{ v }}{% endfor %}",
        ] {
            assert!(may_print_article_count(could), "{could}");
        }
        for cannot in [
            "<h1>{{ site.title }}</h1>{% if site.feeds %}x{% endif %}",
            "{#- Variables: site, t, nav, page. -#}<meta property=\"og:type\" content=\"website\">",
            "<p>This site is an archive.</p>{{ page.site }}{{ website }}",
            "{ site } {% if site_name %}{% endif %}",
        ] {
            assert!(!may_print_article_count(cannot), "{cannot}");
        }
        // The default theme reads named fields only.
        for (name, src) in DEFAULT_TEMPLATES {
            assert!(!may_print_article_count(src), "{name}");
        }
    }

    #[test]
    fn escape_writes_what_teras_escape_writes() {
        for input in [
            "",
            "plain",
            "&",
            "<a href=\"x\">Tom's & Jerry's</a>",
            "乡村振兴<b>\"引号\"</b>'",
            "trailing >",
            "&&<<>>\"\"''",
        ]
        .into_iter()
        .map(String::from)
        // Longer than a block, a character to escape at each place around block edges.
        .chain((0..40).flat_map(|at| {
            ['&', '<', '>', '"', '\''].map(|c| {
                let mut s: String = "乡村振兴abcdefghijklmnopqrstuvwxyz0123".chars().collect();
                s.insert(s.char_indices().nth(at).map_or(s.len(), |(i, _)| i), c);
                s
            })
        })) {
            let input = input.as_str();
            let (mut ours, mut tera) = (Vec::new(), Vec::new());
            escape_html(input, &mut ours).unwrap();
            tera::escape_html(input, &mut tera).unwrap();
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                String::from_utf8(tera).unwrap()
            );
        }
    }

    fn config(extra: &str) -> SiteConfig {
        SiteConfig::parse(
            &format!("title = \"T\"\nbase_url = \"https://x.org/\"\n{extra}"),
            Path::new("site.toml"),
        )
        .unwrap()
    }

    #[test]
    fn default_theme_loads_in_both_languages() {
        let dir = tempfile::tempdir().unwrap();
        let zh = load_theme(dir.path(), &config("")).unwrap();
        assert_eq!(zh.strings["regions"].as_str(), Some("地区"));
        let en = load_theme(dir.path(), &config("language = \"en-GB\"\n")).unwrap();
        assert_eq!(en.strings["regions"].as_str(), Some("Regions"));
        assert!(zh.statics.contains_key("style.css"));
        // Every key of one table is in the other.
        let keys = |t: &toml::Table| -> Vec<String> {
            let mut k: Vec<String> = t.keys().cloned().collect();
            if let Some(toml::Value::Table(s)) = t.get("search") {
                k.extend(s.keys().map(|x| format!("search.{x}")));
            }
            k.sort();
            k
        };
        assert_eq!(keys(&zh.strings), keys(&en.strings));
    }

    #[test]
    fn missing_theme_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let err = load_theme(dir.path(), &config("theme = \"paper\"\n"))
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("\"paper\""), "{err}");
    }

    #[test]
    fn strings_overlay_from_theme() {
        let dir = tempfile::tempdir().unwrap();
        let s = dir.path().join("themes/paper/strings");
        std::fs::create_dir_all(&s).unwrap();
        std::fs::write(
            s.join("zh-CN.toml"),
            "regions = \"地方\"\n[search]\nloading = \"稍候\"\n",
        )
        .unwrap();
        let t = load_theme(dir.path(), &config("theme = \"paper\"\n")).unwrap();
        assert_eq!(t.strings["regions"].as_str(), Some("地方"));
        assert_eq!(t.strings["search"]["loading"].as_str(), Some("稍候"));
        assert!(t.strings["search"].get("placeholder").is_some());
    }
}
