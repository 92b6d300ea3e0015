//! `folio check`: everything a CI job verifies before publishing.
//!
//! Validates site.toml, every article's front matter, region paths against the
//! gazetteer, topic slugs against the vocabulary, duplicate permalinks and the
//! templates (by building into a scratch folder under `.folio-cache/`, never
//! into `public/`), then every internal link and anchor of that build. Reports
//! problems as `file:line: message` at the file the user edits: the `slug` line of
//! a duplicate permalink, the template behind a tera error, the Markdown line of a
//! broken link in an article body (links from templates name the checked page).
//! Warnings (articles ingest flagged for an editor, unresolved `NN.md.new`
//! conflicts) do not fail the check. Must not modify content or the published site.

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;

use super::links::{self, LinkProblem};
use super::source;
use crate::build::{self, BuildError, BuildOptions, SitePaths};
use crate::config::{ConfigError, SiteConfig};
use crate::content::{self, Article, ContentError, LoadOptions};
use crate::render::RenderError;

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Problem {
    pub severity: Severity,
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{}:{}: {sev}: {}", self.file, self.line, self.message)
    }
}

/// A path as the user typed it: `content/a.md`, not `./content/a.md` (the default `--root .`).
fn shown(path: String) -> String {
    match path.strip_prefix("./") {
        Some(rest) => rest.to_string(),
        None => path,
    }
}

fn error(file: impl Into<String>, line: usize, message: impl Into<String>) -> Problem {
    Problem {
        severity: Severity::Error,
        file: file.into(),
        line,
        message: message.into(),
    }
}

fn from_content(e: &ContentError) -> Problem {
    match e {
        ContentError::FrontMatter(fm) => error(fm.path.display().to_string(), fm.line, &fm.message),
        // Two articles with one permalink: point at the `slug` that makes them collide.
        ContentError::File { path, message } if message.starts_with("duplicate permalink") => {
            let line = source::front_matter_key_line(Path::new(path), "slug").unwrap_or(1);
            error(path.clone(), line, message)
        }
        ContentError::File { path, message } => error(path.clone(), 1, message),
    }
}

fn from_config(e: &ConfigError) -> Problem {
    match e {
        ConfigError::Read { path, source } => error(
            path.display().to_string(),
            1,
            format!("cannot read: {source}"),
        ),
        ConfigError::Invalid {
            path,
            line,
            message,
        } => error(path.display().to_string(), *line, message),
    }
}

/// Runs every check; problems sorted errors first, then by file and line.
pub fn check_site(paths: &SitePaths) -> Vec<Problem> {
    let mut problems = find_problems(paths);
    for p in &mut problems {
        p.file = shown(std::mem::take(&mut p.file));
    }
    problems
}

fn find_problems(paths: &SitePaths) -> Vec<Problem> {
    let mut problems = Vec::new();
    let config = match SiteConfig::load(&paths.config) {
        Ok(c) => c,
        Err(e) => return vec![from_config(&e)],
    };
    // Content, regions, topics and permalinks — all of it, including drafts.
    let validate = build::validator(&config);
    let options = LoadOptions {
        drafts: true,
        urls: config.page_urls,
    };
    let (articles, errors) = content::load(&paths.content(), options, &validate);
    problems.extend(errors.iter().map(from_content));
    for a in &articles {
        for flag in &a.meta.review {
            problems.push(Problem {
                severity: Severity::Warning,
                file: a.path.display().to_string(),
                line: source::front_matter_key_line(&a.path, "review").unwrap_or(1),
                message: format!("flagged for review by ingest: {flag}"),
            });
        }
    }
    problems.extend(conflict_files(&paths.content()));
    if problems.iter().any(|p| p.severity == Severity::Error) {
        problems.sort();
        return problems;
    }
    // Templates and links: build into a scratch folder.
    let scratch = paths.cache().join("check");
    let options = BuildOptions {
        drafts: true,
        no_ingest: true,
        output_dir: Some(scratch.join("public")),
        ..Default::default()
    };
    let public = scratch.join("public");
    match build::build(paths, &options, &|_| {}) {
        Ok(_) => match links::check_links(&public, &config.base_path()) {
            Ok(broken) => problems.extend(link_problems(&public, &articles, broken)),
            Err(e) => problems.push(error(
                public.display().to_string(),
                1,
                format!("cannot read the built site: {e}"),
            )),
        },
        Err(BuildError::Content(errs)) => problems.extend(errs.iter().map(from_content)),
        Err(BuildError::Config(e)) => problems.push(from_config(&e)),
        Err(BuildError::Render(RenderError::Template {
            file,
            line,
            message,
            page,
        })) => problems.push(error(
            file,
            line,
            if page.is_empty() {
                message
            } else {
                format!("{message} (while rendering {page})")
            },
        )),
        // Unknown filters, tests and functions are found when the theme loads and
        // come as text reports naming the template and line.
        Err(BuildError::Render(RenderError::Theme(text)))
            if !source::template_reports(&text).is_empty() =>
        {
            problems.extend(source::template_reports(&text).into_iter().map(|r| {
                error(
                    source::template_file(&paths.root, &config.theme, &r.template),
                    r.line,
                    r.message,
                )
            }))
        }
        Err(e) => problems.push(error(paths.root.display().to_string(), 1, e.to_string())),
    }
    problems.sort();
    problems.dedup();
    problems
}

/// Broken links of the built site, reported at the Markdown line of the article that
/// holds the link when there is one, else at the line of the built page.
fn link_problems(
    public: &Path,
    articles: &[std::sync::Arc<Article>],
    broken: Vec<LinkProblem>,
) -> Vec<Problem> {
    let pages: HashMap<String, &Article> = articles
        .iter()
        .map(|a| (crate::render::write::url_to_file(&a.permalink), &**a))
        .collect();
    broken
        .into_iter()
        .map(|l| {
            let message = format!("broken link `{}`: {}", links::decode(&l.target), l.message);
            let source = pages
                .get(&l.file)
                .and_then(|a| source::markdown_link_line(&a.path, &l.target).map(|line| (a, line)));
            match source {
                Some((a, line)) => error(
                    a.path.display().to_string(),
                    line,
                    format!("{message} (on page /{})", l.file),
                ),
                None => error(public.join(&l.file).display().to_string(), l.line, message),
            }
        })
        .collect()
}

/// `NN.md.new` files left by ingest conflicts are warnings until an editor resolves them.
fn conflict_files(content_dir: &Path) -> Vec<Problem> {
    walkdir::WalkDir::new(content_dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.file_name().to_string_lossy().ends_with(".md.new"))
        .map(|e| Problem {
            severity: Severity::Warning,
            file: e.path().display().to_string(),
            line: 1,
            message: "ingest conflict: a newer ingest of an edited article waits here; merge it by hand and delete this file".into(),
        })
        .collect()
}
