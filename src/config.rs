//! `site.toml`: the site's configuration, parsed with serde into typed structs.
//!
//! Every key has a default except `title` and `base_url`, which a site must say.
//! Unknown keys are errors that name the key and its line. This module only
//! reads and validates configuration; it must not touch content or output.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use thiserror::Error;

use crate::classify::topics::{Topic, default_topics};
use crate::search::SearchOptions;

/// A configuration error, always with the file and (where known) line.
#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("{path}: cannot read: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}: {message}")]
    Invalid {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

/// The whole `site.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    /// Site title, shown in the header and feeds.
    pub title: String,
    /// Absolute URL the site is published at, e.g. `https://archive.example.org/`.
    pub base_url: String,
    /// One-line description for the home page, feeds and Open Graph.
    #[serde(default)]
    pub description: String,
    /// BCP 47 language tag of the site; selects the interface strings (`zh-CN` or `en`).
    #[serde(default = "default_language")]
    pub language: String,
    /// Theme folder name under `themes/`; the built-in default theme fills any gap.
    #[serde(default = "default_theme")]
    pub theme: String,
    /// Where `folio build` writes the site, relative to the site root.
    #[serde(default = "default_output_dir")]
    pub output_dir: PathBuf,
    /// Articles per list page (home, regions, topics, archive).
    #[serde(default = "default_paginate")]
    pub paginate: usize,
    /// The URLs of article pages and of list pages after the first: one `.html` file each
    /// (`"file"`, the default) or a folder holding `index.html` (`"folder"`).
    #[serde(default)]
    pub page_urls: PageUrls,
    /// The paper's home province, used to resolve ambiguous place names.
    #[serde(default = "default_home_province")]
    pub home_province: String,
    /// Atom feeds.
    #[serde(default)]
    pub feeds: FeedConfig,
    /// Client-side search.
    #[serde(default)]
    pub search: SearchOptions,
    /// Ingest of seed page text.
    #[serde(default)]
    pub ingest: IngestConfig,
    /// The topic vocabulary; the shipped default when absent.
    #[serde(default = "default_topics")]
    pub topics: Vec<Topic>,
}

/// `page_urls`: how a page that is not a section (an article, page N of a list) is named.
///
/// `File` (`/articles/1978/03/0018597.html`, `/topics/edu/page/2.html`) writes one file per
/// page; `Folder` (`/articles/1978/03/0018597/`, `/topics/edu/page/2/`) writes a folder and
/// its `index.html`. A folder costs the file system an inode and a 4 KiB block, so a
/// million-article archive in folders is ~4 GiB larger on disk and slower to write, copy and
/// upload. Sections (home, regions, topics, archive) are folders either way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PageUrls {
    #[default]
    File,
    Folder,
}

impl PageUrls {
    /// The URL of the page at `stem`, a site-relative path without a trailing slash
    /// (`/articles/a/01` → `/articles/a/01.html` or `/articles/a/01/`).
    pub fn page(self, stem: &str) -> String {
        match self {
            PageUrls::File => format!("{stem}.html"),
            PageUrls::Folder => format!("{stem}/"),
        }
    }
}

/// `[feeds]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FeedConfig {
    /// Write Atom feeds at all.
    pub enabled: bool,
    /// Newest N articles per feed.
    pub limit: usize,
}

impl Default for FeedConfig {
    fn default() -> Self {
        FeedConfig {
            enabled: true,
            limit: 20,
        }
    }
}

/// `[ingest]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IngestConfig {
    /// Folder of seed page text files, relative to the site root.
    pub seeds_dir: PathBuf,
    /// Accept seed files in GB18030/GBK when they are not valid UTF-8.
    pub allow_gb18030: bool,
}

impl Default for IngestConfig {
    fn default() -> Self {
        IngestConfig {
            seeds_dir: PathBuf::from("seeds"),
            allow_gb18030: false,
        }
    }
}

fn default_language() -> String {
    "zh-CN".into()
}
fn default_theme() -> String {
    "default".into()
}
fn default_output_dir() -> PathBuf {
    PathBuf::from("public")
}
fn default_paginate() -> usize {
    20
}
fn default_home_province() -> String {
    "湖南省".into()
}

impl SiteConfig {
    /// Reads and validates `path`.
    pub fn load(path: &Path) -> Result<SiteConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        SiteConfig::parse(&text, path)
    }

    /// Parses `text` (the contents of `path`, used in messages) and validates it.
    pub fn parse(text: &str, path: &Path) -> Result<SiteConfig, ConfigError> {
        let config: SiteConfig = toml::from_str(text).map_err(|e| ConfigError::Invalid {
            path: path.to_path_buf(),
            line: e.span().map(|s| line_of(text, s.start)).unwrap_or(1),
            message: e.message().trim().to_string(),
        })?;
        config.validate(text, path)?;
        Ok(config)
    }

    fn validate(&self, text: &str, path: &Path) -> Result<(), ConfigError> {
        let invalid = |key: &str, message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            line: line_of_key(text, key),
            message,
        };
        if !(self.base_url.starts_with("http://") || self.base_url.starts_with("https://")) {
            return Err(invalid(
                "base_url",
                format!(
                    "base_url must be an absolute http(s) URL, got {:?}",
                    self.base_url
                ),
            ));
        }
        if self.paginate == 0 {
            return Err(invalid("paginate", "paginate must be at least 1".into()));
        }
        if self.feeds.limit == 0 {
            return Err(invalid("limit", "feeds.limit must be at least 1".into()));
        }
        let mut seen = std::collections::BTreeSet::new();
        for topic in &self.topics {
            if !is_slug(&topic.slug) {
                return Err(invalid(
                    "slug",
                    format!(
                        "topic slug {:?} must be lowercase ASCII letters, digits and '-'",
                        topic.slug
                    ),
                ));
            }
            if !seen.insert(topic.slug.as_str()) {
                return Err(invalid(
                    "slug",
                    format!("topic slug {:?} is defined twice", topic.slug),
                ));
            }
        }
        Ok(())
    }

    /// The base URL without its trailing slash, e.g. `https://example.org/archive`.
    pub fn base_url_trimmed(&self) -> &str {
        self.base_url.trim_end_matches('/')
    }

    /// A text that differs whenever any setting differs: what caches key on when
    /// the whole configuration can shape their result.
    pub fn fingerprint(&self) -> String {
        format!("{self:?}")
    }

    /// The path part of the base URL (`""` or `/archive`), prefixed to every link.
    pub fn base_path(&self) -> String {
        let rest = self
            .base_url
            .split_once("://")
            .map(|(_, r)| r)
            .unwrap_or("");
        match rest.find('/') {
            Some(i) => rest[i..].trim_end_matches('/').to_string(),
            None => String::new(),
        }
    }

    /// Looks a topic up by slug.
    pub fn topic(&self, slug: &str) -> Option<&Topic> {
        self.topics.iter().find(|t| t.slug == slug)
    }
}

/// True for a URL-safe slug: lowercase ASCII letters, digits and inner dashes.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && !s.ends_with('-')
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// 1-based line number of byte offset `offset` in `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// 1-based line of the first line assigning `key` (`key = …`), or 1.
pub fn line_of_key(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| {
            let l = l.trim_start();
            l.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map(|i| i + 1)
        .unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<SiteConfig, ConfigError> {
        SiteConfig::parse(text, Path::new("site.toml"))
    }

    #[test]
    fn minimal_config_gets_defaults() {
        let c = parse("title = \"T\"\nbase_url = \"https://x.org/\"\n").unwrap();
        assert_eq!(c.language, "zh-CN");
        assert_eq!(c.paginate, 20);
        assert_eq!(c.output_dir, PathBuf::from("public"));
        assert_eq!(c.home_province, "湖南省");
        assert!(c.feeds.enabled);
        assert_eq!(c.topics.len(), 11);
        assert_eq!(c.base_path(), "");
    }

    #[test]
    fn unknown_key_names_key_and_line() {
        let err = parse("title = \"T\"\nbase_url = \"https://x.org/\"\ncolour = 1\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("site.toml:3:"), "{err}");
        assert!(err.contains("colour"), "{err}");
    }

    #[test]
    fn unknown_nested_key_is_an_error() {
        let err = parse("title = \"T\"\nbase_url = \"https://x.org/\"\n[feeds]\nlimt = 3\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("site.toml:4:"), "{err}");
        assert!(err.contains("limt"), "{err}");
    }

    #[test]
    fn wrong_type_and_missing_title() {
        let err = parse("title = \"T\"\nbase_url = \"https://x.org/\"\npaginate = \"ten\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("site.toml:3:"), "{err}");
        let err = parse("base_url = \"https://x.org/\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("title"), "{err}");
    }

    #[test]
    fn bad_toml_syntax_has_line() {
        let err = parse("title = \"T\"\nbase_url = \n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("site.toml:2:"), "{err}");
    }

    #[test]
    fn validation_names_line() {
        let err = parse("title = \"T\"\nbase_url = \"https://x.org/\"\npaginate = 0\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("site.toml:3:"), "{err}");
        let err = parse("title = \"T\"\nbase_url = \"x.org\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("site.toml:2:"), "{err}");
    }

    #[test]
    fn base_path_of_subdirectory_site() {
        let c = parse("title = \"T\"\nbase_url = \"https://x.org/archive/\"\n").unwrap();
        assert_eq!(c.base_path(), "/archive");
        assert_eq!(c.base_url_trimmed(), "https://x.org/archive");
    }
}
