//! Internal link and anchor check of a built site: every `href`/`src`/`srcset` in every
//! HTML file under the output directory must point at an existing file (`dir/` means
//! `dir/index.html`) and, for `#fragment` links into HTML, at an existing `id` (or
//! `<a name>`). External URLs (any scheme, `//host`) are not checked.
//!
//! Pages are scanned in parallel. Fragment links into other pages are checked in a
//! second pass, against the anchor lists kept from the first pass when they are small,
//! or by reading the target page again, so memory stays bounded by the file list.
//! This module must NOT modify the site or fetch anything remote.

mod scan;
mod url;

use std::collections::HashSet;
use std::fmt;
use std::io;
use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;
use walkdir::WalkDir;

pub(crate) use url::decode;
use url::{Target, normalize_base, resolve};

/// One broken link.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct LinkProblem {
    /// The page with the link, relative to the output dir, `/`-separated.
    pub file: String,
    /// 1-based line of the link in that page.
    pub line: usize,
    /// The link as written (character references decoded).
    pub target: String,
    pub message: String,
}

impl fmt::Display for LinkProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: broken link `{}`: {}",
            self.file, self.line, self.target, self.message
        )
    }
}

/// Check all internal links and anchors of the site built in `public_dir`, which is
/// published under `base_path` (`""` or e.g. `"/archive"`). Problems come sorted by
/// file, line, target. Errors only for unreadable files or directories.
pub fn check_links(public_dir: &Path, base_path: &str) -> Result<Vec<LinkProblem>, io::Error> {
    let base = normalize_base(base_path);
    let (files, pages) = list_files(public_dir)?;
    let site = Site {
        files: &files,
        pages: &pages,
        base: &base,
    };
    let scanned: Vec<Checked> = (0..pages.len())
        .into_par_iter()
        .map(|index| {
            let bytes = read(public_dir, &pages[index])?;
            Ok(check_page(&site, index, &bytes))
        })
        .collect::<Result<_, io::Error>>()?;
    let mut problems = Vec::new();
    let mut pending = Vec::new();
    let mut anchors = Vec::with_capacity(pages.len());
    for checked in scanned {
        problems.extend(checked.problems);
        pending.extend(checked.pending);
        anchors.push(checked.anchors);
    }
    // Second pass: the anchors of each page that fragment links point into, from the
    // compact copy kept in the first pass or, for pages with many anchors, re-read.
    pending.sort_unstable_by_key(|p| p.page);
    let groups: Vec<&[Pending]> = pending.chunk_by(|a, b| a.page == b.page).collect();
    let anchor_problems: Vec<Vec<LinkProblem>> = groups
        .into_par_iter()
        .map(|links| {
            let page = links[0].page as usize;
            Ok(match &anchors[page] {
                Some(kept) => missing_anchors(links, &pages, |f| kept.split('\0').any(|a| a == f)),
                None => {
                    let all: HashSet<String> = scan::scan(&read(public_dir, &pages[page])?)
                        .anchors
                        .into_iter()
                        .collect();
                    missing_anchors(links, &pages, |f| all.contains(f))
                }
            })
        })
        .collect::<Result<_, io::Error>>()?;
    problems.extend(anchor_problems.into_iter().flatten());
    problems.sort();
    problems.dedup();
    Ok(problems)
}

/// What every page check looks things up in.
struct Site<'a> {
    /// Every file, relative and `/`-separated.
    files: &'a HashSet<String>,
    /// The HTML pages, sorted.
    pages: &'a [String],
    /// The normalized base path.
    base: &'a str,
}

/// All files (relative, `/`-separated) and, sorted, the HTML pages among them.
fn list_files(public_dir: &Path) -> Result<(HashSet<String>, Vec<String>), io::Error> {
    let mut files = HashSet::new();
    let mut pages = Vec::new();
    for entry in WalkDir::new(public_dir).sort_by_file_name() {
        let entry = entry.map_err(|e| {
            let kind = e.io_error().map_or(io::ErrorKind::Other, io::Error::kind);
            io::Error::new(kind, e.to_string())
        })?;
        if entry.file_type().is_dir() {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(public_dir) else {
            continue;
        };
        let rel: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let rel = rel.join("/");
        if entry.file_type().is_file() && is_html(&rel) {
            pages.push(rel.clone());
        }
        files.insert(rel);
    }
    pages.sort();
    Ok((files, pages))
}

fn read(public_dir: &Path, rel: &str) -> Result<Vec<u8>, io::Error> {
    let path = public_dir.join(rel);
    std::fs::read(&path).map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))
}

fn is_html(rel: &str) -> bool {
    let lower = rel.to_ascii_lowercase();
    lower.ends_with(".html") || lower.ends_with(".htm")
}

/// A fragment link into another page, checked once that page's anchors are known.
/// Kept small (indexes into the page list), as a large site has millions.
struct Pending {
    file: u32,
    line: u32,
    page: u32,
    /// The link as written; its fragment is the part after the first `#`.
    target: Box<str>,
}

impl Pending {
    fn fragment(&self) -> &str {
        let fragment = self.target.split_once('#').map_or("", |(_, f)| f);
        fragment.trim_end_matches(|c: char| c.is_ascii_whitespace())
    }

    fn problem(&self, pages: &[String]) -> LinkProblem {
        let page = &pages[self.page as usize];
        LinkProblem {
            file: pages[self.file as usize].clone(),
            line: self.line as usize,
            target: self.target.to_string(),
            message: missing_anchor(self.fragment(), page),
        }
    }
}

fn missing_anchor(fragment: &str, page: &str) -> String {
    format!("no element with id \"{}\" in {page}", decode(fragment))
}

/// Anchors of one page kept for the second pass up to this many bytes; pages with more
/// are read again if a fragment link points into them. Bounds memory on huge sites.
const KEEP_ANCHOR_BYTES: usize = 128;

/// The first-pass result for one page.
struct Checked {
    problems: Vec<LinkProblem>,
    /// Fragment links into other pages.
    pending: Vec<Pending>,
    /// This page's anchors joined by NUL, if small enough to keep.
    anchors: Option<Box<str>>,
}

/// Check the links of page `index`; fragment links into other pages are returned pending.
fn check_page(site: &Site<'_>, index: usize, bytes: &[u8]) -> Checked {
    let rel = site.pages[index].as_str();
    let page = scan::scan(bytes);
    let mut own_anchors: Option<HashSet<&str>> = None;
    let mut problems = Vec::new();
    let mut pending = Vec::new();
    for reference in &page.references {
        let problem = |message: String| LinkProblem {
            file: rel.to_string(),
            line: reference.line,
            target: reference.url.clone(),
            message,
        };
        let (path, fragment) = match resolve(rel, site.base, &reference.url) {
            Target::External => continue,
            Target::Broken(message) => {
                problems.push(problem(message));
                continue;
            }
            Target::Local { path, fragment } => (path, fragment),
        };
        let target_page = if site.files.contains(&path) {
            path
        } else {
            let index = if path.is_empty() {
                "index.html".to_string()
            } else {
                format!("{path}/index.html")
            };
            if !site.files.contains(&index) {
                problems.push(problem(format!("no such file: {path}")));
                continue;
            }
            index
        };
        let Some(fragment) = fragment else { continue };
        if !is_html(&target_page) || fragment.is_empty() || fragment.eq_ignore_ascii_case("top") {
            continue;
        }
        if target_page == rel {
            let anchors = own_anchors
                .get_or_insert_with(|| page.anchors.iter().map(String::as_str).collect());
            if !has_anchor(&fragment, |f| anchors.contains(f)) {
                problems.push(problem(missing_anchor(&fragment, rel)));
            }
        } else if let Ok(target_index) = site.pages.binary_search(&target_page) {
            pending.push(Pending {
                file: index as u32,
                line: u32::try_from(reference.line).unwrap_or(u32::MAX),
                page: target_index as u32,
                target: reference.url.as_str().into(),
            });
        }
    }
    let kept: Vec<&str> = page
        .anchors
        .iter()
        .map(String::as_str)
        .filter(|a| !a.contains('\0'))
        .collect();
    let size: usize = kept.iter().map(|a| a.len() + 1).sum();
    Checked {
        problems,
        pending,
        anchors: (size <= KEEP_ANCHOR_BYTES).then(|| kept.join("\0").into()),
    }
}

/// The problems of the fragment links whose fragment (as written or percent-decoded)
/// is not an anchor by `has`.
fn missing_anchors(
    links: &[Pending],
    pages: &[String],
    has: impl Fn(&str) -> bool,
) -> Vec<LinkProblem> {
    links
        .iter()
        .filter(|p| !has_anchor(p.fragment(), &has))
        .map(|p| p.problem(pages))
        .collect()
}

fn has_anchor(fragment: &str, has: impl Fn(&str) -> bool) -> bool {
    has(fragment) || has(&decode(fragment))
}
