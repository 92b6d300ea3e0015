//! Rendering: the site model → HTML pages, Atom feeds, sitemaps and static
//! files in a staging folder, through tera 2 templates of a [`Theme`].
//!
//! # URL scheme
//! Every URL below is prefixed with the base path of `base_url` (a site may
//! live under `https://host/archive/`). Lists are paginated as `<list>page/N/`
//! for N ≥ 2; page 1 is the list's own URL (there is no `page/1/`).
//!
//! | URL | page | template |
//! | --- | --- | --- |
//! | `/`, `/page/N/` | newest articles | `index.html` |
//! | `/articles/<content path or slug>/` | one article | `article.html` |
//! | `/regions/` | the region tree with counts | `regions.html` |
//! | `/regions/<division url_path>/` (+ `page/N/`) | one division, its whole subtree | `region.html` |
//! | `/topics/` | all topics | `topics.html` |
//! | `/topics/<slug>/` (+ `page/N/`) | one topic | `topic.html` |
//! | `/archive/` | years, bar chart | `archive.html` |
//! | `/archive/<yyyy>/` | months of a year, bar chart | `archive_year.html` |
//! | `/archive/<yyyy>/<mm>/` (+ `page/N/`) | one month | `archive_month.html` |
//! | `/archive/undated/` (+ `page/N/`) | articles without a date | `archive_month.html` |
//! | `/search/` | search page (the search script builds the UI) | `search.html` |
//! | `/404.html` | not found | `404.html` |
//! | `/atom.xml`, `/regions/<p>/atom.xml`, `/topics/<slug>/atom.xml` | Atom feeds | (code) |
//! | `/sitemap.xml` + `/sitemap-N.xml`, `/robots.txt` | crawlers | (code) |
//! | `/static/…` | theme static files | |
//!
//! Division URLs use the gazetteer's `url_path` (stable, readable). Output is
//! deterministic: no timestamps, everything sorted. Article pages render in
//! parallel and read their bodies one at a time. This module must not load
//! content, classify, or decide what goes into `public/` (the output module
//! does the atomic swap).

mod article;
pub mod cache;
mod feeds;
mod items;
mod lists;
pub mod markdown;
pub mod theme;
pub mod write;

use std::path::PathBuf;
use std::sync::Mutex;

use rayon::prelude::*;
use serde::Serialize;
use thiserror::Error;

use crate::output::Staging;
use crate::site::Site;

pub use cache::{PageContext, RenderCache};
pub use markdown::markdown_to_html;
pub use theme::{Theme, load_theme};

/// A rendering problem, naming the file (template, content, output) and line.
#[derive(Debug, Error)]
pub enum RenderError {
    #[error("{file}:{line}: {message}{}", if page.is_empty() { String::new() } else { format!(" (while rendering {page})") })]
    Template {
        file: String,
        line: usize,
        message: String,
        page: String,
    },
    #[error("theme: {0}")]
    Theme(String),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Content(#[from] crate::content::ContentError),
    #[error(transparent)]
    Output(#[from] crate::output::OutputError),
}

/// How to render.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    /// Absolute URL of the site (config `base_url`, or `--base-url`).
    pub base_url: String,
    /// Memory the article items and list entries made once per build may take (see
    /// [`Renderer::item_value`], [`Renderer::entry_value`]); beyond it they are made each
    /// time they are shown.
    /// [`items::ITEM_MEMO_BYTES`] unless a test sets it.
    pub item_memo_bytes: usize,
}

impl RenderOptions {
    /// Options from the site configuration.
    pub fn from_config(config: &crate::config::SiteConfig) -> RenderOptions {
        RenderOptions {
            base_url: config.base_url.clone(),
            item_memo_bytes: items::ITEM_MEMO_BYTES,
        }
    }
}

/// What a render wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RenderStats {
    /// HTML pages (articles, lists, indexes, search, 404).
    pub pages: usize,
    /// Atom feeds.
    pub feeds: usize,
    /// Sitemap files (index included).
    pub sitemaps: usize,
    /// Static files copied.
    pub statics: usize,
    /// Pages whose inputs were unchanged, kept without rendering (render cache).
    pub reused: usize,
    /// Bytes of all files written.
    pub bytes: u64,
}

/// Shared state of one render: the model, the theme, URL prefixes.
pub struct Renderer<'a> {
    pub(crate) site: &'a Site<'a>,
    pub(crate) theme: &'a Theme,
    tera: tera::Tera,
    out: &'a Staging,
    /// `""` or `/archive`.
    base_path: String,
    /// `https://host/archive` (no trailing slash).
    base_url: String,
    /// Site-relative URLs of every list page written (for the sitemap).
    list_urls: Mutex<Vec<String>>,
    /// Pages kept from the previous build.
    reused: std::sync::atomic::AtomicUsize,
    /// Keys of unchanged pages, and the fingerprint every key includes.
    cache: Option<&'a RenderCache>,
    site_key: cache::Key,
    /// Per article, the digest of its list item (see [`Renderer::items_key`]).
    item_digests: Vec<std::sync::OnceLock<cache::Key>>,
    /// Per article, its list item as a template value, made once and shared by every list
    /// and article page showing it (a clone copies a pointer); empty when the archive's items
    /// would not fit [`RenderOptions::item_memo_bytes`] (see [`Renderer::item_value`]).
    item_values: Vec<std::sync::OnceLock<tera::Value>>,
    /// Each article's rendered `entry.html`, made once per build: as `item_values`.
    entry_values: Vec<std::sync::OnceLock<tera::Value>>,
    /// Links and date format shared by every article item.
    shared: items::SharedValues,
}

/// The `page` variable every template receives.
#[derive(Debug, Clone, Serialize, Default)]
pub struct PageMeta {
    /// This page's link (base path included).
    pub url: String,
    /// Absolute URL.
    pub canonical: String,
    /// For `<title>` and `og:title`.
    pub title: String,
    pub description: String,
    /// `home`, `article`, `regions`, `topics`, `archive`, `search` or `404`.
    pub section: String,
    /// Atom feed link or empty.
    pub feed: String,
    /// `rel=prev`/`rel=next` links or empty.
    pub prev: String,
    pub next: String,
}

impl<'a> Renderer<'a> {
    fn new(
        site: &'a Site<'a>,
        theme: &'a Theme,
        out: &'a Staging,
        opts: &RenderOptions,
        cache: Option<&'a RenderCache>,
    ) -> Self {
        let base_url = opts.base_url.trim_end_matches('/').to_string();
        let base_path = base_path_of(&base_url);
        let mut tera = theme.tera.clone();
        let cfg = site.config;
        let href = |p: &str| format!("{base_path}{p}");
        let site_json = serde_json::json!({
                "title": cfg.title,
                "description": cfg.description,
                "language": cfg.language,
                "base_url": base_url,
                "base_path": base_path,
                "feeds": cfg.feeds.enabled,
                "article_count": site.articles.len(),
        });
        let nav_json = serde_json::json!({
                "home": href("/"),
                "regions": href("/regions/"),
                "topics": href("/topics/"),
                "archive": href("/archive/"),
                "search": href("/search/"),
                "atom": if cfg.feeds.enabled { href("/atom.xml") } else { String::new() },
                "css": href("/static/style.css"),
                "search_js": href("/static/search.js"),
                "search_index": href("/search/"),
        });
        // The whole configuration counts too: article items and views are keyed by
        // their file alone (see `items_key`), and config values shape them.
        let config_text = site.config.fingerprint();
        // A theme that cannot print the count (see `Theme::uses_article_count`) keeps it out
        // of the key, or every new article would change every page's.
        let mut keyed_site = site_json.clone();
        if !theme.uses_article_count
            && let Some(fields) = keyed_site.as_object_mut()
        {
            fields.remove("article_count");
        }
        let site_key = cache::site_fingerprint(&[
            &theme.fingerprint,
            keyed_site.to_string().as_bytes(),
            nav_json.to_string().as_bytes(),
            config_text.as_bytes(),
        ]);
        let fits = items::memo_fits(site, opts.item_memo_bytes, theme.uses_entries);
        let memo = || -> Vec<std::sync::OnceLock<tera::Value>> {
            if fits {
                (0..site.articles.len())
                    .map(|_| std::sync::OnceLock::new())
                    .collect()
            } else {
                Vec::new()
            }
        };
        let g = tera.global_context();
        g.insert("site", &site_json);
        g.insert("t", &theme.strings);
        g.insert("nav", &nav_json);
        Renderer {
            site,
            theme,
            tera,
            out,
            base_path,
            base_url,
            list_urls: Mutex::new(Vec::new()),
            reused: Default::default(),
            cache,
            site_key,
            item_digests: (0..site.articles.len())
                .map(|_| std::sync::OnceLock::new())
                .collect(),
            item_values: memo(),
            entry_values: if theme.uses_entries {
                memo()
            } else {
                Vec::new()
            },
            shared: items::SharedValues::new(site, &theme.strings),
        }
    }

    /// A site-relative URL with the base path in front.
    pub fn href(&self, path: &str) -> String {
        format!("{}{}", self.base_path, path)
    }

    /// The absolute URL of a site-relative one.
    pub fn abs(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    /// A `PageMeta` for the site-relative `url`.
    pub fn meta(&self, url: &str, title: &str, section: &str) -> PageMeta {
        PageMeta {
            url: self.href(url),
            canonical: self.abs(url),
            title: title.to_string(),
            description: self.site.config.description.clone(),
            section: section.to_string(),
            ..PageMeta::default()
        }
    }

    /// Renders `template` with `ctx` (plus `page`) and writes it at `url`,
    /// unless the render cache shows the page's inputs unchanged (then the
    /// previous output is kept). Returns the page's bytes.
    fn page(
        &self,
        template: &str,
        url: &str,
        meta: &PageMeta,
        ctx: PageContext,
    ) -> Result<u64, RenderError> {
        self.page_with(template, url, meta, ctx, |_| Ok(()))
    }

    /// [`Renderer::page`], where `finish` completes the context only when the
    /// page must really be rendered (costly variables whose inputs were
    /// already fed to the key with [`PageContext::hash_only`]).
    fn page_with(
        &self,
        template: &str,
        url: &str,
        meta: &PageMeta,
        mut ctx: PageContext,
        finish: impl FnOnce(&mut PageContext) -> Result<(), RenderError>,
    ) -> Result<u64, RenderError> {
        let key = self
            .cache
            .map(|_| ctx.key(&self.site_key, template, url, meta));
        self.page_keyed(template, url, key, ctx, |ctx| {
            finish(ctx)?;
            Ok(meta.clone())
        })
    }

    /// [`Renderer::page_with`] for a page whose `page` metadata is a function of
    /// inputs already fed to its context's key (an article page: its file's
    /// hash): the metadata is built by `finish`, only if the page is rendered.
    fn page_lazy(
        &self,
        template: &str,
        url: &str,
        mut ctx: PageContext,
        finish: impl FnOnce(&mut PageContext) -> Result<PageMeta, RenderError>,
    ) -> Result<u64, RenderError> {
        let key = self.cache.map(|_| {
            ctx.key(
                &self.site_key,
                template,
                url,
                &"page: from the key's inputs",
            )
        });
        self.page_keyed(template, url, key, ctx, finish)
    }

    /// Keeps the page at `url` if its `key` is unchanged, else renders it.
    fn page_keyed(
        &self,
        template: &str,
        url: &str,
        key: Option<cache::Key>,
        mut ctx: PageContext,
        finish: impl FnOnce(&mut PageContext) -> Result<PageMeta, RenderError>,
    ) -> Result<u64, RenderError> {
        let rel = write::url_to_file(url);
        if let (Some(cache), Some(key)) = (self.cache, key)
            && let Some(hit) = cache.hit_at(&rel, &key)
            && self.out.keep(&rel, hit.len)
        {
            cache.reuse(hit);
            self.reused
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            return Ok(hit.len);
        }
        let meta = finish(&mut ctx)?;
        let mut ctx = ctx.ctx;
        ctx.insert("page", &meta);
        // Rendered as bytes: tera's `render` would check the whole page is UTF-8 again.
        let mut html = Vec::with_capacity(32 * 1024);
        self.tera
            .render_to(template, &ctx, &mut html)
            .map_err(|e| self.theme.error(e, url))?;
        self.out.write(&rel, &html)?;
        if let (Some(cache), Some(key)) = (self.cache, key) {
            cache.record(&rel, key, html.len() as u64);
        }
        Ok(html.len() as u64)
    }

    /// Writes bytes at a site-relative URL.
    fn write(&self, url: &str, bytes: &[u8]) -> Result<u64, RenderError> {
        let rel = write::url_to_file(url);
        self.out.write(&rel, bytes)?;
        Ok(bytes.len() as u64)
    }

    /// Remembers a list page for the sitemap.
    fn listed(&self, url: &str) {
        if let Ok(mut v) = self.list_urls.lock() {
            v.push(url.to_string());
        }
    }
}

/// The path part of an absolute URL without trailing slash (`""` or `/archive`).
fn base_path_of(base_url: &str) -> String {
    let rest = base_url.split_once("://").map_or(base_url, |(_, r)| r);
    match rest.find('/') {
        Some(i) => rest[i..].trim_end_matches('/').to_string(),
        None => String::new(),
    }
}

/// Renders the whole site into `out` (a staging folder, see `output`).
pub fn render_site(
    site: &Site<'_>,
    theme: &Theme,
    out: &Staging,
    opts: &RenderOptions,
) -> Result<RenderStats, RenderError> {
    render_site_cached(site, theme, out, opts, None)
}

/// [`render_site`], skipping pages whose key in `cache` is unchanged (see
/// [`cache`]); the caller saves the cache once the output is in place.
pub fn render_site_cached(
    site: &Site<'_>,
    theme: &Theme,
    out: &Staging,
    opts: &RenderOptions,
    cache: Option<&RenderCache>,
) -> Result<RenderStats, RenderError> {
    let r = Renderer::new(site, theme, out, opts, cache);
    let mut stats = RenderStats::default();

    let (pages, bytes) = (0..site.articles.len() as crate::site::ArticleId)
        .into_par_iter()
        .map(|id| article::render(&r, id).map(|b| (1usize, b)))
        .try_reduce(|| (0, 0), |a, b| Ok((a.0 + b.0, a.1 + b.1)))?;
    stats.pages += pages;
    stats.bytes += bytes;

    let (pages, bytes) = lists::render_all(&r)?;
    stats.pages += pages;
    stats.bytes += bytes;

    if site.config.feeds.enabled {
        let (feeds, bytes) = feeds::render_feeds(&r)?;
        stats.feeds += feeds;
        stats.bytes += bytes;
    }
    let mut list_urls = r.list_urls.lock().map(|v| v.clone()).unwrap_or_default();
    list_urls.sort();
    let (files, bytes) = feeds::render_sitemaps(&r, &list_urls)?;
    stats.sitemaps += files;
    stats.bytes += bytes;
    stats.bytes += r.write("/robots.txt", feeds::robots(&r).as_bytes())?;

    for (name, data) in &theme.statics {
        stats.bytes += r.write(&format!("/static/{name}"), data)?;
        stats.statics += 1;
    }
    stats.reused = r.reused.load(std::sync::atomic::Ordering::Relaxed);
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_paths() {
        assert_eq!(base_path_of("https://x.org"), "");
        assert_eq!(base_path_of("https://x.org/archive"), "/archive");
        assert_eq!(base_path_of("http://x.org/a/b"), "/a/b");
    }
}
