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
use std::sync::Arc;

use rayon::prelude::*;
use thiserror::Error;

use crate::config::PageUrls;

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
    /// Hash of the front matter text and the summary: what list items show of
    /// the article, for incremental builds (an edit below the summary keeps it).
    pub head_hash: [u8; 16],
}

/// Options for loading content.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoadOptions {
    /// Include `draft = true` articles.
    pub drafts: bool,
    /// How article URLs are named (`page_urls` in `site.toml`).
    pub urls: PageUrls,
}

/// Checks front matter against site knowledge (regions, topics): returns `(key, message)` problems.
pub type Validator<'a> = &'a (dyn Fn(&FrontMatter) -> Vec<(&'static str, String)> + Sync);

/// Loads all articles under `dir`. Returns the articles (sorted by `rel_path`)
/// and every error found; an error in one file does not hide the others.
pub fn load(
    dir: &Path,
    options: LoadOptions,
    validate: Validator<'_>,
) -> (Vec<Arc<Article>>, Vec<ContentError>) {
    load_cached(dir, options, validate, None)
}

/// [`load`], taking unchanged files from the load cache folder `cache_dir`
/// (see [`cache`]) and writing the entries of the folders that changed.
pub fn load_cached(
    dir: &Path,
    options: LoadOptions,
    validate: Validator<'_>,
    cache_dir: Option<&Path>,
) -> (Vec<Arc<Article>>, Vec<ContentError>) {
    load_inner(dir, options, validate, cache_dir, None)
}

/// The articles of the previous load, kept in memory by a long-running process
/// (`folio serve`) between builds: a file whose stamp ([`cache::Stamp`]: length,
/// modification time, inode) is unchanged is taken from here as it was — not
/// read, parsed or validated again. Entries are valid only for the rules they
/// were validated with: [`load_memo`] forgets them all when its `rules` differ.
///
/// When the process is told which paths changed since the last load
/// ([`LoadMemo::note_changes`], from a file watcher), and that load listed every
/// file without an error, the next load looks at those paths only (and at files
/// too fresh to have had a trusted stamp), without listing the folder.
#[derive(Debug, Default)]
pub struct LoadMemo {
    rules: String,
    /// Every loaded article by `rel_path`, with its stamp (`None`: too fresh to trust).
    articles: std::collections::HashMap<String, (Option<cache::Stamp>, Arc<Article>)>,
    /// The last load listed the whole folder and found no error.
    complete: bool,
    /// What is known of the changes since the last load.
    changed: Changes,
}

/// What a [`LoadMemo`] was told of the changes since the last load.
#[derive(Debug, Default)]
enum Changes {
    /// Nothing: list everything.
    #[default]
    Untold,
    /// Exactly these paths changed.
    Paths(Vec<PathBuf>),
    /// Anything may have changed: list everything.
    Anything,
}

impl LoadMemo {
    /// Adds paths reported changed since the last load (`None`: anything may
    /// have changed). Paths outside the content folder are ignored by the load.
    /// A load that was told nothing lists every file.
    pub fn note_changes(&mut self, paths: Option<Vec<PathBuf>>) {
        self.changed = match (std::mem::take(&mut self.changed), paths) {
            (Changes::Untold, Some(paths)) => Changes::Paths(paths),
            (Changes::Paths(mut known), Some(more)) => {
                known.extend(more);
                Changes::Paths(known)
            }
            _ => Changes::Anything,
        };
    }
}

/// [`load_cached`] through `memo`, which it updates; `rules` names everything
/// validation and loading depend on (configuration, options). The load cache
/// file is used only while the memo is empty (the first build of a process).
pub fn load_memo(
    dir: &Path,
    options: LoadOptions,
    validate: Validator<'_>,
    cache_dir: Option<&Path>,
    memo: &mut LoadMemo,
    rules: &str,
) -> (Vec<Arc<Article>>, Vec<ContentError>) {
    if memo.rules != rules {
        memo.articles.clear();
        memo.complete = false;
        memo.rules = rules.to_string();
    }
    let changed = std::mem::take(&mut memo.changed);
    if memo.complete
        && let Changes::Paths(changed) = changed
        && let Some(loaded) = load_changed(dir, options, validate, memo, &changed)
    {
        memo.complete = loaded.1.is_empty();
        return loaded;
    }
    let cache_dir = cache_dir.filter(|_| memo.articles.is_empty());
    let loaded = load_inner(dir, options, validate, cache_dir, Some(memo));
    memo.complete = loaded.1.is_empty();
    loaded
}

/// The load of [`load_memo`] when only `changed` paths (and memo entries
/// without a trusted stamp) can differ from the memo. `None` when that cannot
/// be decided from the paths alone (a folder or link appeared, the content
/// folder itself changed): the caller lists everything instead.
fn load_changed(
    dir: &Path,
    options: LoadOptions,
    validate: Validator<'_>,
    memo: &mut LoadMemo,
    changed: &[PathBuf],
) -> Option<(Vec<Arc<Article>>, Vec<ContentError>)> {
    let root = dir.canonicalize().ok()?;
    let mut rels: Vec<String> = memo
        .articles
        .iter()
        .filter(|(_, (stamp, _))| stamp.is_none())
        .map(|(rel, _)| rel.clone())
        .collect();
    for path in changed {
        let Ok(inside) = path.strip_prefix(&root) else {
            continue;
        };
        let rel = rel_path(inside);
        if rel.is_empty() {
            return None;
        }
        // What `list_files` skips.
        if rel.split('/').any(|p| p.starts_with('.')) {
            continue;
        }
        match std::fs::symlink_metadata(path) {
            Ok(m) if m.is_file() => {
                if path.extension().is_some_and(|x| x == "md") {
                    rels.push(rel);
                }
            }
            // A new folder or link: only a listing tells what it holds or means.
            Ok(_) => return None,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                // A deleted file, or a deleted folder with everything in it.
                let prefix = format!("{rel}/");
                memo.articles
                    .retain(|r, _| r != &rel && !r.starts_with(&prefix));
            }
            Err(_) => return None,
        }
    }
    rels.sort();
    rels.dedup();
    // Per path: gone (`Ok(None)` with no stamp), or loaded; `None` if it is no longer a file.
    let results: Option<Vec<_>> = rels
        .par_iter()
        .map(|rel| {
            let path = dir.join(rel);
            match std::fs::symlink_metadata(&path) {
                Ok(m) if m.is_file() => Some((
                    load_one(&path, rel, options, validate, None, None).0,
                    cache::Stamp::of(&m),
                )),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some((Ok(None), None)),
                _ => None,
            }
        })
        .collect();
    let results = results?;
    let mut errors = Vec::new();
    for (rel, (result, stamp)) in rels.iter().zip(results) {
        match result {
            Ok(Some(a)) => {
                memo.articles.insert(rel.clone(), (stamp, a));
            }
            Ok(None) => {
                memo.articles.remove(rel);
            }
            Err(e) => {
                memo.articles.remove(rel);
                errors.push(e);
            }
        }
    }
    let mut articles: Vec<&(Option<cache::Stamp>, Arc<Article>)> = memo.articles.values().collect();
    articles.sort_unstable_by(|a, b| a.1.rel_path.cmp(&b.1.rel_path));
    let articles: Vec<Arc<Article>> = articles.into_iter().map(|(_, a)| a.clone()).collect();
    errors.extend(duplicate_permalinks(&articles));
    Some((articles, errors))
}

fn load_inner(
    dir: &Path,
    options: LoadOptions,
    validate: Validator<'_>,
    cache_dir: Option<&Path>,
    memo: Option<&mut LoadMemo>,
) -> (Vec<Arc<Article>>, Vec<ContentError>) {
    let mut errors = Vec::new();
    let cache = cache_dir.map(cache::LoadCache::open);
    let previous = memo.as_ref().map(|m| &m.articles);
    let stamped = cache.is_some() || previous.is_some();
    let (files, stamps): (Vec<(PathBuf, String)>, Vec<Option<cache::Stamp>>) =
        list_entries(dir, stamped, &mut errors)
            .into_iter()
            .map(|f| ((f.path, f.rel), f.stamp))
            .unzip();
    // The files of each top-level folder (the unit of the load cache), loaded
    // folder by folder in parallel, and in parallel within a folder.
    let mut by_name: std::collections::HashMap<&str, usize> = Default::default();
    let mut folders: Vec<(&str, Vec<usize>)> = Vec::new();
    for (i, (_, rel)) in files.iter().enumerate() {
        let folder = cache::folder_of(rel);
        let k = *by_name.entry(folder).or_insert_with(|| {
            folders.push((folder, Vec::new()));
            folders.len() - 1
        });
        folders[k].1.push(i);
    }
    // In the order of their first files: concatenated, the folders' files are in
    // the listing's order unless files at the top are interleaved with folders.
    let loaded: Vec<Vec<(usize, Loaded)>> = with_reading_threads(|| {
        folders
            .par_iter()
            .map(|(folder, indexes)| {
                let folder_cache = cache.as_ref().map(|c| c.folder(folder));
                let results: Vec<(usize, Loaded, Option<cache::Record>)> = indexes
                    .par_iter()
                    .map(|&i| {
                        let (path, rel) = &files[i];
                        let stamp = stamps[i];
                        if let (Some(previous), Some(stamp)) = (previous, stamp)
                            && let Some((Some(s), a)) = previous.get(rel)
                            && *s == stamp
                        {
                            return (i, (Ok(Some(a.clone())), Some(stamp)), None);
                        }
                        // The cached entry, if the file kept its stamp.
                        let cached = folder_cache
                            .as_ref()
                            .zip(stamp)
                            .and_then(|(c, s)| c.get(rel, s));
                        let caching = stamp.filter(|_| cache.is_some());
                        let (result, record) =
                            load_one(path, rel, options, validate, cached, caching);
                        (i, (result, stamp), record)
                    })
                    .collect();
                let mut records = Vec::new();
                let mut out = Vec::with_capacity(results.len());
                for (i, loaded, record) in results {
                    if let Some(r) = record {
                        records.push((files[i].1.clone(), r));
                    }
                    out.push((i, loaded));
                }
                if let Some(fc) = folder_cache {
                    // A cache that cannot be saved only costs time on the next build.
                    let _ = fc.finish(records);
                }
                out
            })
            .collect()
    });
    if let Some(c) = cache {
        let _ = c.close();
    }
    let mut results: Vec<(usize, Loaded)> = loaded.into_iter().flatten().collect();
    if !results.is_sorted_by_key(|r| r.0) {
        results.sort_unstable_by_key(|r| r.0);
    }
    if let Some(memo) = memo {
        // Updated in place: entries of files gone or unmemoisable go, loaded ones come in.
        let listed: std::collections::HashSet<&str> =
            files.iter().map(|(_, rel)| rel.as_str()).collect();
        memo.articles.retain(|rel, _| listed.contains(rel.as_str()));
        for ((_, rel), (_, (r, stamp))) in files.iter().zip(&results) {
            match r {
                // A file without a trusted stamp is kept too: a load of changed
                // paths only reads it again (see `load_changed`).
                Ok(Some(a)) => {
                    if stamp.is_none() || memo.articles.get(rel).is_none_or(|(old, _)| old != stamp)
                    {
                        memo.articles.insert(rel.clone(), (*stamp, a.clone()));
                    }
                }
                _ => {
                    memo.articles.remove(rel);
                }
            }
        }
    }
    let mut articles = Vec::with_capacity(results.len());
    for (_, (r, _)) in results {
        match r {
            Ok(Some(a)) => articles.push(a),
            Ok(None) => {}
            Err(e) => errors.push(e),
        }
    }
    errors.extend(duplicate_permalinks(&articles));
    (articles, errors)
}

/// Runs `f` (a parallel read of article files) on more threads than cores. An archive that is
/// not in the page cache (a nightly build on a busy machine) is read from disk: with a thread
/// per core, each core waits on one read at a time; with several, the disk has many reads in
/// flight. Parsing the files costs the same CPU either way.
fn with_reading_threads<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    static POOL: std::sync::LazyLock<Option<rayon::ThreadPool>> = std::sync::LazyLock::new(|| {
        let threads = (rayon::current_num_threads() * 4).clamp(8, 32);
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("folio-read-{i}"))
            .build()
            .ok()
    });
    match POOL.as_ref() {
        Some(pool) => pool.install(f),
        None => f(),
    }
}

/// One file's load result, with its stamp when it has a trusted one.
type Loaded = (
    Result<Option<Arc<Article>>, ContentError>,
    Option<cache::Stamp>,
);

/// Sorted list of `(path, rel_path)` of the article files under `dir`.
/// Hidden files and folders (`.ingest-report.toml`, `.git`) are skipped; links
/// are not followed, so a symlink loop cannot hang the build. Top-level
/// folders are listed in parallel.
pub fn list_files(dir: &Path, errors: &mut Vec<ContentError>) -> Vec<(PathBuf, String)> {
    list_entries(dir, false, errors)
        .into_iter()
        .map(|f| (f.path, f.rel))
        .collect()
}

/// An article file found by [`list_entries`].
struct Listed {
    path: PathBuf,
    rel: String,
    /// Its stamp (symbolic links not followed), if asked for, readable and
    /// trusted: read through its folder's open handle, without looking up the
    /// path again.
    stamp: Option<cache::Stamp>,
}

/// [`list_files`], with each file's stamp if `with_meta`.
fn list_entries(dir: &Path, with_meta: bool, errors: &mut Vec<ContentError>) -> Vec<Listed> {
    if !dir.exists() {
        return Vec::new();
    }
    let top = match sorted_entries(dir) {
        Ok((entries, errs)) => {
            errors.extend(errs);
            entries
        }
        Err(e) => {
            errors.push(e);
            return Vec::new();
        }
    };
    // Each top-level entry walked on its own, in name order as one walk would.
    let listed: Vec<(Vec<Listed>, Vec<ContentError>)> = with_reading_threads(|| {
        top.par_iter()
            .map(|entry| {
                let mut files = Vec::new();
                let mut errors = Vec::new();
                visit(dir, entry, with_meta, &mut files, &mut errors);
                (files, errors)
            })
            .collect()
    });
    let mut files = Vec::new();
    for (f, e) in listed {
        files.extend(f);
        errors.extend(e);
    }
    files
}

/// The entries of `dir` but hidden ones, sorted by name, and the errors of
/// entries that could not be read.
fn sorted_entries(dir: &Path) -> Result<(Vec<std::fs::DirEntry>, Vec<ContentError>), ContentError> {
    let cannot_read =
        |e: &dyn std::fmt::Display| ContentError::file(dir, format!("cannot read: {e}"));
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| cannot_read(&e))? {
        match entry {
            Ok(e) if e.file_name().as_encoded_bytes().starts_with(b".") => {}
            Ok(e) => entries.push(e),
            Err(e) => errors.push(cannot_read(&e)),
        }
    }
    entries.sort_by_cached_key(std::fs::DirEntry::file_name);
    Ok((entries, errors))
}

/// Lists `entry` (a file, or a folder walked depth first in name order) into
/// `files`; a symbolic link is an error, never followed.
fn visit(
    root: &Path,
    entry: &std::fs::DirEntry,
    with_meta: bool,
    files: &mut Vec<Listed>,
    errors: &mut Vec<ContentError>,
) {
    let path = entry.path();
    let file_type = match entry.file_type() {
        Ok(t) => t,
        Err(e) => {
            errors.push(ContentError::file(&path, format!("cannot read: {e}")));
            return;
        }
    };
    if file_type.is_dir() {
        match sorted_entries(&path) {
            Ok((entries, errs)) => {
                errors.extend(errs);
                for e in &entries {
                    visit(root, e, with_meta, files, errors);
                }
            }
            Err(e) => errors.push(e),
        }
    } else if file_type.is_symlink() {
        errors.push(ContentError::file(
            &path,
            "symbolic links are not followed in content/; copy the file instead",
        ));
    } else if file_type.is_file() && path.extension().is_some_and(|x| x == "md") {
        let rel = rel_path(path.strip_prefix(root).unwrap_or(&path));
        let stamp = if with_meta {
            entry.metadata().ok().as_ref().and_then(cache::Stamp::of)
        } else {
            None
        };
        files.push(Listed { path, rel, stamp });
    }
}

/// A path inside the content folder as a `rel_path`: components joined by `/`.
fn rel_path(inside: &Path) -> String {
    // A listed path is usually `/`-joined already, with nothing for
    // `components` to drop (empty or `.` parts): then it is its own answer.
    if let Some(s) = inside.to_str()
        && s.split('/').all(|part| !part.is_empty() && part != ".")
    {
        return s.to_string();
    }
    inside
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Loads one file: from its `cached` entry when there is one whose front matter
/// is still valid, else by reading it. With `caching` (the file's trusted
/// stamp, when a load cache is in use), also says what the cache keeps of it.
fn load_one(
    path: &Path,
    rel: &str,
    options: LoadOptions,
    validate: Validator<'_>,
    cached: Option<(cache::Entry, std::ops::Range<usize>)>,
    caching: Option<cache::Stamp>,
) -> (
    Result<Option<Arc<Article>>, ContentError>,
    Option<cache::Record>,
) {
    if let Some((entry, range)) = cached
        // A front matter with a problem is read again below, to report it with its line.
        && validate(&entry.meta).is_empty()
    {
        let cache::Entry {
            meta,
            summary,
            hash,
            head_hash,
            ..
        } = entry;
        return (
            Ok(article(path, rel, options, meta, summary, hash, head_hash)),
            Some(cache::Record::Kept(range)),
        );
    }
    match read_one(path, validate) {
        Ok((meta, summary, hash, head_hash)) => {
            let record = caching.and_then(|stamp| {
                cache::EntryRef {
                    stamp,
                    meta: &meta,
                    summary: &summary,
                    hash: &hash,
                    head_hash,
                }
                .encode()
                .map(cache::Record::New)
            });
            let a = article(path, rel, options, meta, summary, hash, head_hash);
            (Ok(a), record)
        }
        Err(e) => (Err(e), None),
    }
}

/// Reads, parses and validates one file: its front matter, summary, hash and head hash.
fn read_one(
    path: &Path,
    validate: Validator<'_>,
) -> Result<(FrontMatter, String, String, [u8; 16]), ContentError> {
    let bytes =
        std::fs::read(path).map_err(|e| ContentError::file(path, format!("cannot read: {e}")))?;
    let text = utf8(&bytes, path)?;
    let (meta, body) = front_matter::parse(text, path)?;
    let front = &text[..text.len() - body.len()];
    if let Some((key, message)) = validate(&meta).into_iter().next() {
        let fm_end = front.find("\n+++").unwrap_or(front.len());
        return Err(FrontMatterError {
            path: path.to_path_buf(),
            line: crate::config::line_of_key(&front[..fm_end], key),
            message,
        }
        .into());
    }
    let summary = summary::summarize(body, 100);
    let hash = blake3::hash(text.as_bytes()).to_hex()[..16].to_string();
    let head_hash = head_hash(front, &summary);
    Ok((meta, summary, hash, head_hash))
}

/// The article of a valid file, or `None` for a draft the build leaves out.
fn article(
    path: &Path,
    rel: &str,
    options: LoadOptions,
    meta: FrontMatter,
    summary: String,
    hash: String,
    head_hash: [u8; 16],
) -> Option<Arc<Article>> {
    if meta.draft && !options.drafts {
        return None;
    }
    Some(Arc::new(Article {
        rel_path: rel.to_string(),
        path: path.to_path_buf(),
        permalink: permalink(rel, meta.slug.as_deref(), options.urls),
        summary,
        hash,
        head_hash,
        meta,
    }))
}

/// See [`Article::head_hash`].
pub fn head_hash(front: &str, summary: &str) -> [u8; 16] {
    let mut h = blake3::Hasher::new();
    h.update(&(front.len() as u64).to_le_bytes());
    h.update(front.as_bytes());
    h.update(summary.as_bytes());
    let mut out = [0u8; 16];
    out.copy_from_slice(&h.finalize().as_bytes()[..16]);
    out
}

/// The permalink scheme: `/articles/<path without .md>.html`, or `/articles/<slug>.html`
/// when front matter sets `slug` (with `urls` = [`PageUrls::Folder`], `/articles/<…>/`).
/// Content paths come from the seed file and the article's place in it
/// (`000_8ee1e14b781f4bbe/01.md`), so URLs survive rebuilds, re-ingest and growth of the
/// archive.
pub fn permalink(rel_path: &str, slug: Option<&str>, urls: PageUrls) -> String {
    let stem = rel_path.strip_suffix(".md").unwrap_or(rel_path);
    let stem = stem.strip_suffix("/index").unwrap_or(stem);
    match slug {
        Some(s) => urls.page(&format!("/articles/{s}")),
        None => urls.page(&format!("/articles/{}", url_path(stem))),
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

fn duplicate_permalinks(articles: &[Arc<Article>]) -> Vec<ContentError> {
    // Sorted by permalink (stable: equal ones stay in listing order), in parallel.
    let mut order: Vec<&Article> = articles.iter().map(|a| &**a).collect();
    order.par_sort_by(|a, b| a.permalink.cmp(&b.permalink));
    order
        .chunk_by(|a, b| a.permalink == b.permalink)
        .filter(|v| v.len() > 1)
        .map(|v| {
            let files: Vec<String> = v.iter().map(|a| a.path.display().to_string()).collect();
            ContentError::file(
                &v[1].path,
                format!(
                    "duplicate permalink {}: shared by {}; change `slug` in one of them",
                    v[0].permalink,
                    files.join(" and ")
                ),
            )
        })
        .collect()
}

/// A file's bytes as text (checked with SIMD: most of an article is CJK, which
/// the standard check walks byte by byte).
fn utf8<'a>(bytes: &'a [u8], path: &Path) -> Result<&'a str, ContentError> {
    simdutf8::compat::from_utf8(bytes).map_err(|e| {
        let offset = e.valid_up_to();
        ContentError::file(
            path,
            format!("not valid UTF-8 at byte {offset}; save the file as UTF-8"),
        )
    })
}

/// Reads an article's body again (later phases keep only metadata in memory).
/// The front matter was parsed and validated when the article was loaded: here
/// it is only skipped.
pub fn read_body(article: &Article) -> Result<String, ContentError> {
    let bytes = std::fs::read(&article.path)
        .map_err(|e| ContentError::file(&article.path, format!("cannot read: {e}")))?;
    let body = front_matter::body(utf8(&bytes, &article.path)?, &article.path)?;
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
        let (file, folder) = (PageUrls::File, PageUrls::Folder);
        assert_eq!(
            permalink("000_abc/01.md", None, file),
            "/articles/000_abc/01.html"
        );
        assert_eq!(
            permalink("000_abc/01.md", Some("dongting"), file),
            "/articles/dongting.html"
        );
        assert_eq!(
            permalink("专题/a b.md", None, file),
            "/articles/专题/a%20b.html"
        );
        assert_eq!(permalink("x/index.md", None, file), "/articles/x.html");
        assert_eq!(
            permalink("000_abc/01.md", None, folder),
            "/articles/000_abc/01/"
        );
        assert_eq!(
            permalink("000_abc/01.md", Some("dongting"), folder),
            "/articles/dongting/"
        );
        assert_eq!(
            permalink("专题/a b.md", None, folder),
            "/articles/专题/a%20b/"
        );
    }

    /// Writes `text` to `path` and dates it a minute back (old enough to be memoised).
    fn write_old(path: &Path, text: &str, minutes_ago: u64) {
        std::fs::write(path, text).unwrap();
        let t = std::time::SystemTime::now() - std::time::Duration::from_secs(60 * minutes_ago);
        std::fs::File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(t)
            .unwrap();
    }

    #[test]
    fn files_are_read_on_the_reading_threads_and_loaded_in_order() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..40 {
            let folder = dir.path().join(format!("p{}", i % 7));
            std::fs::create_dir_all(&folder).unwrap();
            std::fs::write(
                folder.join(format!("{i:02}.md")),
                format!("+++\ntitle = \"第{i}篇\"\n+++\n正文。\n"),
            )
            .unwrap();
        }
        let threads = std::sync::Mutex::new(std::collections::BTreeSet::new());
        let record = |_: &FrontMatter| {
            let name = std::thread::current().name().unwrap_or("").to_string();
            threads.lock().unwrap().insert(name);
            Vec::new()
        };
        let (arts, errs) = load(dir.path(), LoadOptions::default(), &record);
        assert!(errs.is_empty(), "{errs:?}");
        let rels: Vec<&str> = arts.iter().map(|a| a.rel_path.as_str()).collect();
        let mut sorted = rels.clone();
        sorted.sort();
        assert_eq!(rels, sorted);
        assert_eq!(rels.len(), 40);
        let threads = threads.into_inner().unwrap();
        assert!(
            threads.iter().all(|t| t.starts_with("folio-read-")),
            "{threads:?}"
        );
    }

    #[test]
    fn memo_reuses_unchanged_files_and_rereads_changed_ones() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write_old(&d.join("a.md"), "+++\ntitle = \"甲\"\n+++\n正文。\n", 5);
        write_old(&d.join("b.md"), "+++\ntitle = \"乙\"\n+++\n正文。\n", 5);
        let mut memo = LoadMemo::default();
        let opts = LoadOptions::default();
        let (arts, errs) = load_memo(d, opts, &none, None, &mut memo, "r1");
        assert!(errs.is_empty());
        assert_eq!(arts.len(), 2);
        // Same length and modification time: the memo answers without reading (as a
        // stamp-checked cache must; a real edit changes the stamp).
        let a_meta = std::fs::metadata(d.join("a.md")).unwrap();
        std::fs::write(d.join("a.md"), "+++\ntitle = \"丙\"\n+++\n正文。\n").unwrap();
        std::fs::File::options()
            .write(true)
            .open(d.join("a.md"))
            .unwrap()
            .set_modified(a_meta.modified().unwrap())
            .unwrap();
        // A real edit (new length and time) is read again.
        write_old(&d.join("b.md"), "+++\ntitle = \"乙改\"\n+++\n正文。\n", 3);
        let (arts, _) = load_memo(d, opts, &none, None, &mut memo, "r1");
        let titles: Vec<&str> = arts.iter().map(|a| a.meta.title.as_str()).collect();
        assert_eq!(titles, ["甲", "乙改"]);
        // Other rules (configuration): everything is loaded again.
        let (arts, _) = load_memo(d, opts, &none, None, &mut memo, "r2");
        let titles: Vec<&str> = arts.iter().map(|a| a.meta.title.as_str()).collect();
        assert_eq!(titles, ["丙", "乙改"]);
        // A removed file is gone, and a fresh file (too new to memoise) is loaded.
        std::fs::remove_file(d.join("a.md")).unwrap();
        std::fs::write(d.join("c.md"), "+++\ntitle = \"丁\"\n+++\n").unwrap();
        let (arts, _) = load_memo(d, opts, &none, None, &mut memo, "r2");
        let titles: Vec<&str> = arts.iter().map(|a| a.meta.title.as_str()).collect();
        assert_eq!(titles, ["乙改", "丁"]);
        // The fresh file is kept without a stamp: it is read again next time.
        assert_eq!(memo.articles.len(), 2);
        assert!(memo.articles["c.md"].0.is_none());
        assert!(memo.articles["b.md"].0.is_some());
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
        assert_eq!(arts[0].permalink, "/articles/s/01.html");
        assert_eq!(errs.len(), 2, "{errs:?}");
        let options = LoadOptions {
            drafts: true,
            ..LoadOptions::default()
        };
        let (arts, _) = load(d, options, &none);
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
        let cache = dir.path().join("cache/content");
        let dump = |arts: &[Arc<Article>]| format!("{arts:?}");
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
                .contains("duplicate permalink /articles/x.html")
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
