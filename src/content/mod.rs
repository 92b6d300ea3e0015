//! The content model: article files in `content/` → typed, in-memory metadata.
//!
//! Loads every `content/**/*.md` in sorted order (in parallel), parses front
//! matter, derives permalinks and summaries, and reports *all* problems with
//! file:line. Bodies are not kept in memory: later phases re-read them one at a
//! time. With a load cache (`cache`), unchanged files are not read again. This
//! module must not render, classify or write anything but that cache.

pub mod cache;
pub mod front_matter;
pub mod summary;

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use thiserror::Error;
use walkdir::WalkDir;

pub use front_matter::{Date, DateSource, FrontMatter, FrontMatterError, Source};

/// A problem with one content file.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ContentError {
    #[error(transparent)]
    FrontMatter(#[from] FrontMatterError),
    #[error("{path}: {message}")]
    File { path: String, message: String },
}

impl ContentError {
    fn file(path: &Path, message: impl Into<String>) -> ContentError {
        ContentError::File {
            path: path.display().to_string(),
            message: message.into(),
        }
    }
}

/// One article's metadata, everything but its body.
#[derive(Debug, Clone)]
pub struct Article {
    /// Path relative to the content folder with `/` separators, e.g. `000_8ee1/01.md`.
    pub rel_path: String,
    /// Path on disk (for re-reading the body).
    pub path: PathBuf,
    /// Site-relative URL, e.g. `/articles/000_8ee1/01/`.
    pub permalink: String,
    pub meta: FrontMatter,
    /// The first ~100 characters of the body, cut at a sentence end.
    pub summary: String,
    /// Hash of the whole file, for incremental builds.
    pub hash: String,
}

/// Options for loading content.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoadOptions {
    /// Include `draft = true` articles.
    pub drafts: bool,
}

/// Checks front matter against site knowledge (regions, topics): returns `(key, message)` problems.
pub type Validator<'a> = &'a (dyn Fn(&FrontMatter) -> Vec<(&'static str, String)> + Sync);

/// Loads all articles under `dir`. Returns the articles (sorted by `rel_path`)
/// and every error found; an error in one file does not hide the others.
pub fn load(
    dir: &Path,
    options: LoadOptions,
    validate: Validator<'_>,
) -> (Vec<Article>, Vec<ContentError>) {
    load_cached(dir, options, validate, None)
}

/// [`load`], taking unchanged files from the load cache file `cache_file`
/// (see [`cache`]) and saving it again when every file loaded without error.
pub fn load_cached(
    dir: &Path,
    options: LoadOptions,
    validate: Validator<'_>,
    cache_file: Option<&Path>,
) -> (Vec<Article>, Vec<ContentError>) {
    let mut errors = Vec::new();
    let files = list_files(dir, &mut errors);
    let cache = cache_file.map(cache::LoadCache::open);
    let results: Vec<Result<Option<Article>, ContentError>> = files
        .par_iter()
        .map(|(path, rel)| load_one(path, rel, options, validate, cache.as_ref()))
        .collect();
    let all_ok = errors.is_empty() && results.iter().all(Result::is_ok);
    if let (Some(c), true) = (cache, all_ok) {
        // A cache that cannot be saved only costs time on the next build.
        let _ = c.save();
    }
    let mut articles = Vec::with_capacity(results.len());
    for r in results {
        match r {
            Ok(Some(a)) => articles.push(a),
            Ok(None) => {}
            Err(e) => errors.push(e),
        }
    }
    errors.extend(duplicate_permalinks(&articles));
    (articles, errors)
}

/// Sorted list of `(path, rel_path)` of the article files under `dir`.
/// Hidden files and folders (`.ingest-report.toml`, `.git`) are skipped; links
/// are not followed, so a symlink loop cannot hang the build.
pub fn list_files(dir: &Path, errors: &mut Vec<ContentError>) -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    if !dir.exists() {
        return files;
    }
    let walker = WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        match entry {
            Ok(e) => {
                let p = e.path();
                if e.file_type().is_file() && p.extension().is_some_and(|x| x == "md") {
                    let rel = p
                        .strip_prefix(dir)
                        .unwrap_or(p)
                        .components()
                        .map(|c| c.as_os_str().to_string_lossy())
                        .collect::<Vec<_>>()
                        .join("/");
                    files.push((p.to_path_buf(), rel));
                } else if e.path_is_symlink() {
                    errors.push(ContentError::file(
                        p,
                        "symbolic links are not followed in content/; copy the file instead",
                    ));
                }
            }
            Err(e) => {
                let path = e
                    .path()
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| dir.to_path_buf());
                errors.push(ContentError::file(&path, format!("cannot read: {e}")));
            }
        }
    }
    files
}

fn load_one(
    path: &Path,
    rel: &str,
    options: LoadOptions,
    validate: Validator<'_>,
    cache: Option<&cache::LoadCache>,
) -> Result<Option<Article>, ContentError> {
    let stamp = cache
        .and_then(|_| std::fs::symlink_metadata(path).ok())
        .and_then(|m| cache::Stamp::of(&m));
    if let (Some(c), Some(stamp)) = (cache, stamp)
        && let Some(entry) = c.get(rel, stamp)
    {
        let (meta, _) = front_matter::parse(&entry.front, path)?;
        let article = finish_one(path, rel, options, validate, &entry.front, meta, || {
            (entry.summary.clone(), entry.hash.clone())
        })?;
        c.put(rel, entry.clone());
        return Ok(article);
    }
    let bytes =
        std::fs::read(path).map_err(|e| ContentError::file(path, format!("cannot read: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        ContentError::file(
            path,
            format!("not valid UTF-8 at byte {offset}; save the file as UTF-8"),
        )
    })?;
    let (meta, body) = front_matter::parse(&text, path)?;
    let summary = summary::summarize(body, 100);
    let hash = blake3::hash(text.as_bytes()).to_hex()[..16].to_string();
    if let (Some(c), Some(stamp)) = (cache, stamp) {
        let front = &text[..text.len() - body.len()];
        c.put(
            rel,
            cache::Entry {
                stamp,
                front: front.to_string(),
                summary: summary.clone(),
                hash: hash.clone(),
            },
        );
    }
    finish_one(path, rel, options, validate, &text, meta, || {
        (summary, hash)
    })
}

/// Validation, drafts and permalink of a parsed file (`text` holds at least its front matter).
fn finish_one(
    path: &Path,
    rel: &str,
    options: LoadOptions,
    validate: Validator<'_>,
    text: &str,
    meta: FrontMatter,
    summary_and_hash: impl FnOnce() -> (String, String),
) -> Result<Option<Article>, ContentError> {
    let problems = validate(&meta);
    if let Some((key, message)) = problems.into_iter().next() {
        let fm_end = text.find("\n+++").unwrap_or(text.len());
        return Err(FrontMatterError {
            path: path.to_path_buf(),
            line: crate::config::line_of_key(&text[..fm_end], key),
            message,
        }
        .into());
    }
    if meta.draft && !options.drafts {
        return Ok(None);
    }
    let permalink = permalink(rel, meta.slug.as_deref());
    let (summary, hash) = summary_and_hash();
    Ok(Some(Article {
        rel_path: rel.to_string(),
        path: path.to_path_buf(),
        permalink,
        summary,
        hash,
        meta,
    }))
}

/// The permalink scheme: `/articles/<path without .md>/`, or `/articles/<slug>/`
/// when front matter sets `slug`. Content paths come from the seed file and the
/// article's place in it (`000_8ee1e14b781f4bbe/01.md`), so URLs survive rebuilds,
/// re-ingest and growth of the archive.
pub fn permalink(rel_path: &str, slug: Option<&str>) -> String {
    let stem = rel_path.strip_suffix(".md").unwrap_or(rel_path);
    let stem = stem.strip_suffix("/index").unwrap_or(stem);
    match slug {
        Some(s) => format!("/articles/{s}/"),
        None => format!("/articles/{}/", url_path(stem)),
    }
}

/// Percent-encodes what a URL path may not hold (keeps `/`, ASCII word
/// characters and non-ASCII text, which browsers show readably).
pub fn url_path(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '-' | '_' | '.' | '/' | '~' => out.push(ch),
            c if !c.is_ascii() && !c.is_whitespace() => out.push(c),
            c => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
        }
    }
    out
}

fn duplicate_permalinks(articles: &[Article]) -> Vec<ContentError> {
    let mut by_url: std::collections::BTreeMap<&str, Vec<&Article>> = Default::default();
    for a in articles {
        by_url.entry(a.permalink.as_str()).or_default().push(a);
    }
    by_url
        .into_iter()
        .filter(|(_, v)| v.len() > 1)
        .map(|(url, v)| {
            let files: Vec<String> = v.iter().map(|a| a.path.display().to_string()).collect();
            ContentError::file(
                &v[1].path,
                format!(
                    "duplicate permalink {url}: shared by {}; change `slug` in one of them",
                    files.join(" and ")
                ),
            )
        })
        .collect()
}

/// Reads an article's body again (later phases keep only metadata in memory).
pub fn read_body(article: &Article) -> Result<String, ContentError> {
    let text = std::fs::read_to_string(&article.path)
        .map_err(|e| ContentError::file(&article.path, format!("cannot read: {e}")))?;
    let (_, body) = front_matter::parse(&text, &article.path)?;
    Ok(body.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none(_: &FrontMatter) -> Vec<(&'static str, String)> {
        Vec::new()
    }

    #[test]
    fn permalinks_are_readable_and_stable() {
        assert_eq!(permalink("000_abc/01.md", None), "/articles/000_abc/01/");
        assert_eq!(
            permalink("000_abc/01.md", Some("dongting")),
            "/articles/dongting/"
        );
        assert_eq!(permalink("专题/a b.md", None), "/articles/专题/a%20b/");
    }

    #[test]
    fn load_lists_all_errors_and_skips_drafts() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("s")).unwrap();
        std::fs::write(d.join("s/01.md"), "+++\ntitle = \"甲\"\n+++\n正文。\n").unwrap();
        std::fs::write(d.join("s/02.md"), "+++\ntitle = 3\n+++\n").unwrap();
        std::fs::write(d.join("s/03.md"), "no front matter").unwrap();
        std::fs::write(
            d.join("s/04.md"),
            "+++\ntitle = \"草稿\"\ndraft = true\n+++\n",
        )
        .unwrap();
        std::fs::write(d.join(".ingest-report.toml"), "x").unwrap();
        let (arts, errs) = load(d, LoadOptions::default(), &none);
        assert_eq!(arts.len(), 1);
        assert_eq!(arts[0].permalink, "/articles/s/01/");
        assert_eq!(errs.len(), 2, "{errs:?}");
        let (arts, _) = load(d, LoadOptions { drafts: true }, &none);
        assert_eq!(arts.len(), 2);
    }

    #[test]
    fn the_load_cache_gives_the_same_articles_and_sees_edits() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().join("content");
        std::fs::create_dir_all(d.join("s")).unwrap();
        let age = |p: &Path| {
            let old = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
            let f = std::fs::File::options().write(true).open(p).unwrap();
            f.set_modified(old).unwrap();
        };
        let a = d.join("s/01.md");
        std::fs::write(
            &a,
            "\u{feff}+++\ntitle = \"甲\"\ntopics = [\"x\"]\n+++\n\n正文。第二句。\n",
        )
        .unwrap();
        std::fs::write(d.join("s/02.md"), "+++\ntitle = \"乙\"\n+++\n").unwrap();
        age(&a);
        age(&d.join("s/02.md"));
        let cache = dir.path().join("cache/content.json");
        let dump = |arts: &[Article]| format!("{arts:?}");
        let (plain, _) = load(&d, LoadOptions::default(), &none);
        let (first, e1) = load_cached(&d, LoadOptions::default(), &none, Some(&cache));
        assert!(e1.is_empty() && cache.exists());
        // The second load reads the unchanged files from the cache: same articles.
        std::fs::remove_file(d.join("s/02.md")).ok();
        std::fs::write(d.join("s/02.md"), "+++\ntitle = \"乙\"\n+++\n").unwrap();
        age(&d.join("s/02.md"));
        let (second, _) = load_cached(&d, LoadOptions::default(), &none, Some(&cache));
        assert_eq!(dump(&plain), dump(&first));
        assert_eq!(dump(&plain), dump(&second));
        // Validation runs on cached entries too (the config may have changed).
        let strict = |fm: &FrontMatter| {
            fm.topics
                .iter()
                .map(|_| ("topics", "unknown topic".to_string()))
                .collect::<Vec<_>>()
        };
        let (_, errs) = load_cached(&d, LoadOptions::default(), &strict, Some(&cache));
        assert_eq!(errs.len(), 1);
        assert!(errs[0].to_string().contains(":3:"), "{}", errs[0]);
        // An edit (new length and time) is seen.
        std::fs::write(&a, "+++\ntitle = \"丙\"\n+++\n新正文。\n").unwrap();
        let (third, _) = load_cached(&d, LoadOptions::default(), &none, Some(&cache));
        assert_eq!(third[0].meta.title, "丙");
        assert_eq!(third[0].summary, "新正文。");
    }

    #[test]
    fn duplicate_permalinks_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("a.md"), "+++\ntitle = \"甲\"\nslug = \"x\"\n+++\n").unwrap();
        std::fs::write(d.join("b.md"), "+++\ntitle = \"乙\"\nslug = \"x\"\n+++\n").unwrap();
        let (_, errs) = load(d, LoadOptions::default(), &none);
        assert_eq!(errs.len(), 1);
        assert!(
            errs[0]
                .to_string()
                .contains("duplicate permalink /articles/x/")
        );
    }

    #[test]
    fn validator_errors_name_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(
            d.join("a.md"),
            "+++\ntitle = \"甲\"\ntopics = [\"nope\"]\n+++\n",
        )
        .unwrap();
        let v = |fm: &FrontMatter| -> Vec<(&'static str, String)> {
            fm.topics
                .iter()
                .map(|t| ("topics", format!("unknown topic slug {t:?}")))
                .collect()
        };
        let (_, errs) = load(d, LoadOptions::default(), &v);
        assert_eq!(errs.len(), 1);
        assert!(
            errs[0]
                .to_string()
                .ends_with("a.md:3: unknown topic slug \"nope\""),
            "{}",
            errs[0]
        );
    }
}
