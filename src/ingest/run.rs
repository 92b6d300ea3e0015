//! The ingest run: seed files on disk → article files in `content/`.
//!
//! Decodes each seed (the page files in `seeds/` and its subfolders), asks the page
//! parser for its stories, assigns regions and topics, dates them (manifest, else
//! inferred), and writes one Markdown file per story at
//! `content/<seed path without extension>/<NN>.md`. An article an editor changed since
//! ingest wrote it (its `source.ingested_hash` no longer matches) is never
//! overwritten: the new version goes beside it as `<NN>.md.new` and the conflict
//! is reported (`--force` overwrites, keeping the edited file as `<NN>.md.orig`).
//! Re-ingesting an unchanged seed changes no file. The report with every line
//! that could not be placed is written to `content/.ingest-report.toml`.
//! Understanding page text is `ingest::parse_page`'s job, not this module's.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use thiserror::Error;
use walkdir::WalkDir;

use crate::classify::gazetteer::Gazetteer;
use crate::classify::regions::{ArticleText, assign_regions_with_byline};
use crate::classify::topics::TopicClassifier;
use crate::config::SiteConfig;
use crate::content::front_matter::{self, Date, DateSource, FrontMatter, Source};
use crate::output::{OutputError, write_atomic};

/// Name of the report file inside the content folder.
pub const REPORT_FILE: &str = ".ingest-report.toml";
/// Name of the optional manifest inside the seeds folder.
pub const MANIFEST_FILE: &str = "manifest.toml";

/// A problem that stops an ingest run (a bad seed is reported, not fatal).
#[derive(Debug, Error)]
pub enum IngestError {
    #[error("{path}: cannot read: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}: {message}")]
    Manifest {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error(
        "{dir}: seeds {first} and {second} share the name {stem:?}: both would be ingested into \
         content/{stem}/; rename one"
    )]
    SameStem {
        dir: PathBuf,
        stem: String,
        first: String,
        second: String,
    },
    #[error(transparent)]
    Output(#[from] OutputError),
}

/// Options of one run.
#[derive(Debug, Clone, Copy, Default)]
pub struct IngestOptions {
    /// Overwrite edited articles (their edited version is kept as `.md.orig`).
    pub force: bool,
    /// Only seeds that are new or changed since the last run (what `folio build` does).
    pub only_changed: bool,
}

/// One seed's entry in `seeds/manifest.toml`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ManifestEntry {
    /// Newspaper name.
    #[serde(default)]
    pub paper: Option<String>,
    /// Issue date.
    #[serde(default)]
    pub date: Option<toml::value::Datetime>,
    /// Page number or name.
    #[serde(default)]
    pub page: Option<String>,
}

/// A line of a seed that belongs to no article, with the reason.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct UnplacedLine {
    pub line: usize,
    pub text: String,
    pub reason: String,
}

/// A warning about one line of a seed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LineWarning {
    pub line: usize,
    pub message: String,
}

/// What happened to one seed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct SeedReport {
    pub seed: String,
    /// blake3 of the seed's bytes: a changed seed is re-ingested by `folio build`.
    pub seed_hash: String,
    pub articles: usize,
    /// Article files written (new or changed), relative to content/.
    pub written: Vec<String>,
    /// Edited articles left alone; the new version is beside them as `.md.new`.
    pub conflicts: Vec<String>,
    /// Unedited articles removed because the seed no longer yields them.
    pub removed: Vec<String>,
    pub unplaced: Vec<UnplacedLine>,
    pub warnings: Vec<LineWarning>,
    /// Set when the seed could not be read or decoded; nothing was written for it.
    pub error: Option<String>,
}

/// The report of a run (also the state `folio build` consults).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct IngestReport {
    #[serde(default)]
    pub seeds: Vec<SeedReport>,
    /// Entries of the seeds folder that are not read, each with the reason.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignored: Vec<String>,
}

impl IngestReport {
    /// Reads the previous report, if any (a broken one counts as none).
    pub fn read(content_dir: &Path) -> IngestReport {
        fs::read_to_string(content_dir.join(REPORT_FILE))
            .ok()
            .and_then(|t| toml::from_str(&t).ok())
            .unwrap_or_default()
    }

    /// True when any seed failed to read or decode.
    pub fn has_errors(&self) -> bool {
        self.seeds.iter().any(|s| s.error.is_some())
    }

    /// A short human summary, one line per seed plus totals.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        for s in &self.seeds {
            if let Some(e) = &s.error {
                out.push_str(&format!("error    {}: {e}\n", s.seed));
                continue;
            }
            out.push_str(&format!(
                "ingested {}: {} articles, {} written, {} conflicts, {} unplaced lines, {} warnings\n",
                s.seed,
                s.articles,
                s.written.len(),
                s.conflicts.len(),
                s.unplaced.len(),
                s.warnings.len()
            ));
            for c in &s.conflicts {
                out.push_str(&format!(
                    "  conflict: {c} was edited since ingest; new version written to {c}.new\n"
                ));
            }
            for w in &s.warnings {
                out.push_str(&format!(
                    "  warning: {}:{}: {}\n",
                    s.seed, w.line, w.message
                ));
            }
        }
        for i in &self.ignored {
            out.push_str(&format!("ignored  {i}\n"));
        }
        out
    }
}

/// Reads `seeds/manifest.toml` if present.
pub fn read_manifest(seeds_dir: &Path) -> Result<BTreeMap<String, ManifestEntry>, IngestError> {
    let path = seeds_dir.join(MANIFEST_FILE);
    let text = match fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(source) => return Err(IngestError::Read { path, source }),
    };
    toml::from_str(&text).map_err(|e| IngestError::Manifest {
        line: e
            .span()
            .map(|s| crate::config::line_of(&text, s.start))
            .unwrap_or(1),
        message: e.message().trim().to_string(),
        path,
    })
}

/// A page file found in the seeds folder.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Seed {
    /// Its path inside the seeds folder, `/`-separated (`p1.txt`, `团结报/2023-05-08.txt`):
    /// reports, `source.seed` and manifest keys use it.
    pub name: String,
    /// Where it is on disk.
    pub path: PathBuf,
}

impl Seed {
    /// The name without its extension: where its articles go under `content/`.
    fn stem(&self) -> &str {
        match self.name.rsplit_once('.') {
            Some((stem, _)) if !stem.ends_with('/') && !stem.is_empty() => stem,
            _ => &self.name,
        }
    }
}

/// The page files in `seeds_dir` and its subfolders (hidden files and folders skipped),
/// sorted by name. A seed's articles go to `content/<name without extension>/`: two seeds
/// whose names differ only in extension are an error naming both.
pub fn list_seeds(seeds_dir: &Path) -> Result<Vec<Seed>, IngestError> {
    let read_err = |path: &Path, source: io::Error| IngestError::Read {
        path: path.to_path_buf(),
        source,
    };
    fs::read_dir(seeds_dir).map_err(|e| read_err(seeds_dir, e))?;
    let mut seeds: Vec<Seed> = Vec::new();
    // Symlinked folders are followed (a loop is an error naming it).
    let walk = WalkDir::new(seeds_dir)
        .follow_links(true)
        .min_depth(1)
        .into_iter()
        .filter_entry(|e| !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walk {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(seeds_dir).to_path_buf();
            read_err(&path, io::Error::other(e.to_string()))
        })?;
        let path = entry.into_path();
        if path.is_file() && is_seed_name(&path) {
            let name = seed_name(seeds_dir, &path);
            seeds.push(Seed { name, path });
        }
    }
    seeds.sort();
    let mut stems: BTreeMap<&str, &str> = BTreeMap::new();
    for seed in &seeds {
        if let Some(first) = stems.insert(seed.stem(), &seed.name) {
            return Err(IngestError::SameStem {
                dir: seeds_dir.to_path_buf(),
                stem: seed.stem().to_string(),
                first: first.to_string(),
                second: seed.name.clone(),
            });
        }
    }
    Ok(seeds)
}

/// The path of `seed` inside `seeds_dir`, `/`-separated: [`Seed::name`].
fn seed_name(seeds_dir: &Path, seed: &Path) -> String {
    let rel = seed.strip_prefix(seeds_dir).unwrap_or(seed);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// A page file: `.txt` or `.md` (any case), not hidden.
fn is_seed_name(p: &Path) -> bool {
    let ext = p
        .extension()
        .map(|x| x.to_string_lossy().to_ascii_lowercase());
    matches!(ext.as_deref(), Some("txt" | "md")) && !file_name(p).starts_with('.')
}

/// The files in `seeds_dir` and its subfolders that are not seeds (nor the manifest), with
/// why they are not read. Hidden files and folders are left out.
pub fn ignored_in_seeds(seeds_dir: &Path) -> Vec<String> {
    let top = file_name(seeds_dir);
    let mut out: Vec<String> = WalkDir::new(seeds_dir)
        .follow_links(true)
        .min_depth(1)
        .into_iter()
        .filter_entry(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .filter_map(Result::ok)
        .map(walkdir::DirEntry::into_path)
        .filter(|p| p.is_file() && !is_seed_name(p))
        .filter_map(|p| {
            let name = seed_name(seeds_dir, &p);
            (name != MANIFEST_FILE).then(|| format!("{top}/{name}: not a page file (.txt or .md)"))
        })
        .collect();
    out.sort();
    out
}

/// Entries of the manifest that name no seed (a typo, a moved page, a subfolder seed keyed by
/// its file name alone), each with its line and, where one seed has that file name, its name.
fn unmatched_manifest_keys(
    seeds_dir: &Path,
    manifest: &BTreeMap<String, ManifestEntry>,
    seeds: &[Seed],
) -> Vec<String> {
    let text = fs::read_to_string(seeds_dir.join(MANIFEST_FILE)).unwrap_or_default();
    let top = file_name(seeds_dir);
    manifest
        .keys()
        .filter(|k| !seeds.iter().any(|s| &s.name == *k))
        .map(|key| {
            let line = text
                .lines()
                .position(|l| {
                    l.contains(&format!("\"{key}\""))
                        || l.contains(&format!("'{key}'"))
                        || l.trim_start().starts_with(&format!("[{key}]"))
                })
                .map(|i| format!(":{}", i + 1))
                .unwrap_or_default();
            let same_file: Vec<&String> = seeds
                .iter()
                .map(|s| &s.name)
                .filter(|n| n.rsplit('/').next() == Some(key.as_str()))
                .collect();
            let hint = match same_file.as_slice() {
                [one] => {
                    format!(" (did you mean {one:?}? a seed's name is its path inside {top}/)")
                }
                _ => String::new(),
            };
            format!("{top}/{MANIFEST_FILE}{line}: entry {key:?} names no seed{hint}")
        })
        .collect()
}

/// Ingests the seeds in `seeds_dir` into `content_dir`.
///
/// Callers hold the site's build lock, so no other run is writing: temporary
/// files a killed run left in `content_dir` (`.NN.md.<pid>.folio-tmp`) are
/// removed first.
pub fn ingest(
    seeds_dir: &Path,
    content_dir: &Path,
    config: &SiteConfig,
    options: IngestOptions,
) -> Result<IngestReport, IngestError> {
    remove_leftover_temps(content_dir);
    let manifest = read_manifest(seeds_dir)?;
    let seeds = list_seeds(seeds_dir)?;
    let previous = IngestReport::read(content_dir);
    let gazetteer = Gazetteer::builtin();
    let topics = TopicClassifier::new(&config.topics);
    let ctx = Ctx {
        content_dir,
        config,
        options,
        gazetteer,
        topics: &topics,
        manifest: &manifest,
    };
    let mut reports: Vec<SeedReport> = seeds
        .par_iter()
        .map(|seed| {
            let old = previous.seeds.iter().find(|s| s.seed == seed.name);
            ingest_seed(&ctx, seed, old)
        })
        .collect::<Result<_, _>>()?;
    reports.sort_by(|a, b| a.seed.cmp(&b.seed));
    let mut ignored = ignored_in_seeds(seeds_dir);
    ignored.extend(unmatched_manifest_keys(seeds_dir, &manifest, &seeds));
    let report = IngestReport {
        seeds: reports,
        ignored,
    };
    fs::create_dir_all(content_dir).map_err(|source| IngestError::Read {
        path: content_dir.to_path_buf(),
        source,
    })?;
    // The file records state, not events: what this run wrote or removed is
    // only in the returned report, so a run that changes nothing rewrites nothing.
    let mut state = report.clone();
    for s in &mut state.seeds {
        s.written.clear();
        s.removed.clear();
    }
    let text = toml::to_string(&state).unwrap_or_default();
    let path = content_dir.join(REPORT_FILE);
    if fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
        write_atomic(&path, text.as_bytes())?;
    }
    Ok(report)
}

/// Removes `.*.folio-tmp` files under `content_dir` (never articles: only the
/// temporary names `output::write_atomic` uses). Failures are ignored: a
/// leftover costs nothing but clutter, and builds skip hidden files.
fn remove_leftover_temps(content_dir: &Path) {
    let leftovers = walkdir::WalkDir::new(content_dir)
        .follow_links(false)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name().to_string_lossy();
            e.file_type().is_file() && name.starts_with('.') && name.ends_with(".folio-tmp")
        });
    for e in leftovers {
        let _ = fs::remove_file(e.path());
    }
}

struct Ctx<'a> {
    content_dir: &'a Path,
    config: &'a SiteConfig,
    options: IngestOptions,
    gazetteer: &'a Gazetteer,
    topics: &'a TopicClassifier,
    manifest: &'a BTreeMap<String, ManifestEntry>,
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn ingest_seed(
    ctx: &Ctx,
    seed: &Seed,
    old: Option<&SeedReport>,
) -> Result<SeedReport, IngestError> {
    let name = seed.name.clone();
    let stem = seed.stem().to_string();
    let mut report = SeedReport {
        seed: name.clone(),
        ..Default::default()
    };
    let bytes = match fs::read(&seed.path) {
        Ok(b) => b,
        Err(e) => {
            report.error = Some(format!("cannot read: {e}"));
            return Ok(report);
        }
    };
    report.seed_hash = blake3::hash(&bytes).to_hex()[..16].to_string();
    let dir = ctx.content_dir.join(&stem);
    if ctx.options.only_changed
        && let Some(old) = old
        && old.seed_hash == report.seed_hash
        && old.error.is_none()
        && dir.is_dir()
    {
        return Ok(SeedReport {
            written: Vec::new(),
            removed: Vec::new(),
            ..old.clone()
        });
    }
    let text = match super::decode::decode(&bytes, ctx.config.ingest.allow_gb18030) {
        Ok(t) => t,
        Err(e) => {
            report.error = Some(e.to_string());
            return Ok(report);
        }
    };
    let page = super::parse_page(&text);
    let entry = ctx.manifest.get(&name);
    let (date, date_source) = match entry.and_then(|m| m.date).and_then(|d| d.date) {
        Some(d) => (
            Date::new(d.year as i32, d.month as u32, d.day as u32),
            Some(DateSource::Manifest),
        ),
        None => {
            // The running head, else the seed's name ("2024-06-18.txt"), else the text.
            let named = super::date::date_from_seed_name(&name);
            let inferred = match (page.date, named) {
                (Some(head), _) if page.date_from_head => Some(head),
                (_, Some(named)) => Some(named),
                (text, None) => text,
            };
            match inferred.and_then(|(y, m, d)| Date::new(y, m, d)) {
                Some(d) => (Some(d), Some(DateSource::Inferred)),
                None => (None, None),
            }
        }
    };
    let width = if page.stories.len() > 99 { 3 } else { 2 };
    let mut expected = Vec::new();
    for (i, story) in page.stories.iter().enumerate() {
        // A photo story ("图片新闻") has only its captions for text: they say where and what.
        // Other stories' captions are left out: one printed beside the wrong story would
        // add its place.
        let captions;
        let body = if story.body.trim().is_empty() {
            captions = story.captions.join("\n");
            &captions
        } else {
            &story.body
        };
        let text = ArticleText {
            title: &story.title,
            kicker: story.kicker.as_deref().unwrap_or(""),
            subtitle: story.subtitle.as_deref().unwrap_or(""),
            column: story.column.as_deref().unwrap_or(""),
            body,
        };
        let mut byline = story.authors.join(" ");
        if let Some(a) = &story.author_affiliation {
            byline.push(' ');
            byline.push_str(a);
        }
        let mut extra = toml::Table::new();
        if let Some(m) = entry {
            if let Some(p) = &m.paper {
                extra.insert("paper".into(), toml::Value::String(p.clone()));
            }
            if let Some(p) = &m.page {
                extra.insert("page".into(), toml::Value::String(p.clone()));
            }
        }
        let mut fm = FrontMatter {
            title: story.title.clone(),
            kicker: story.kicker.clone(),
            subtitle: story.subtitle.clone(),
            authors: story.authors.clone(),
            author_affiliation: story.author_affiliation.clone(),
            column: story.column.clone(),
            date,
            date_source,
            regions: assign_regions_with_byline(
                ctx.gazetteer,
                &ctx.config.home_province,
                &text,
                &byline,
            ),
            topics: ctx.topics.assign(&text),
            captions: story.captions.clone(),
            continuation: story.continuation,
            continued_on: story.continued_on.clone(),
            review: story.review.clone(),
            source: Some(Source {
                seed: name.clone(),
                lines: [story.lines.0, story.lines.1],
                ingested_hash: String::new(),
            }),
            extra,
            ..Default::default()
        };
        // Credits that are only the names in `authors` add nothing to them; a bullet in front
        // of a byline ("□ 本报记者 …") is decoration.
        fm.credits = (story.credits.iter())
            .map(|c| {
                c.trim_start_matches(['□', '■', '●', '◆', '▲', '◎', ' '])
                    .to_string()
            })
            .collect();
        fm.credits = fm.credits_beyond_names();
        let rel = format!("{stem}/{:0width$}.md", i + 1);
        let file = with_hash(&front_matter::write(&fm, &story.body));
        place(ctx, &rel, &file, &mut report)?;
        expected.push(rel);
    }
    remove_vanished(ctx, &dir, &stem, &expected, &mut report)?;
    report.articles = page.stories.len();
    report.unplaced = page
        .unplaced
        .iter()
        .map(|u| UnplacedLine {
            line: u.line,
            text: u.text.clone(),
            reason: u.reason.clone(),
        })
        .collect();
    report.warnings = page
        .warnings
        .iter()
        .map(|w| LineWarning {
            line: w.line,
            message: w.message.clone(),
        })
        .collect();
    Ok(report)
}

/// Writes one article file unless that would destroy an editor's work.
fn place(ctx: &Ctx, rel: &str, text: &str, report: &mut SeedReport) -> Result<(), IngestError> {
    let path = ctx.content_dir.join(rel);
    let new_path = PathBuf::from(format!("{}.new", path.display()));
    match fs::read_to_string(&path) {
        Err(_) => {
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).map_err(|source| IngestError::Read {
                    path: parent.to_path_buf(),
                    source,
                })?;
            }
            write_atomic(&path, text.as_bytes())?;
            report.written.push(rel.to_string());
        }
        Ok(old) if old == text => {
            let _ = fs::remove_file(&new_path);
        }
        Ok(old) if !is_edited(&old) => {
            write_atomic(&path, text.as_bytes())?;
            report.written.push(rel.to_string());
        }
        Ok(old) if ctx.options.force => {
            let orig = PathBuf::from(format!("{}.orig", path.display()));
            write_atomic(&orig, old.as_bytes())?;
            write_atomic(&path, text.as_bytes())?;
            let _ = fs::remove_file(&new_path);
            report.written.push(rel.to_string());
        }
        Ok(old) if recorded_hash(&old) == recorded_hash(text) => {
            // Edited, but from exactly what ingest yields now: nothing new to merge. A
            // `.new` left by an earlier conflict is stale once the seed is back to this.
            let _ = fs::remove_file(&new_path);
        }
        Ok(_) => {
            write_atomic(&new_path, text.as_bytes())?;
            report.conflicts.push(rel.to_string());
        }
    }
    Ok(())
}

/// Removes unedited articles of this seed that the seed no longer yields.
fn remove_vanished(
    ctx: &Ctx,
    dir: &Path,
    stem: &str,
    expected: &[String],
    report: &mut SeedReport,
) -> Result<(), IngestError> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(());
    };
    let mut vanished: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| format!("{stem}/{}", e.file_name().to_string_lossy()))
        .filter(|rel| {
            let digits = rel
                .rsplit('/')
                .next()
                .and_then(|f| f.strip_suffix(".md"))
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
            digits && !expected.contains(rel)
        })
        .collect();
    vanished.sort();
    for rel in vanished {
        let path = ctx.content_dir.join(&rel);
        let Ok(text) = fs::read_to_string(&path) else {
            continue;
        };
        if is_edited(&text) {
            report.conflicts.push(rel);
        } else {
            fs::remove_file(&path).map_err(|source| IngestError::Read { path, source })?;
            report.removed.push(rel);
        }
    }
    Ok(())
}

const HASH_KEY: &str = "ingested_hash = \"";

/// The hash of an article file with its own `ingested_hash` value blanked.
pub fn hash_article(text: &str) -> String {
    let blanked = blank_hash(text);
    blake3::hash(blanked.as_bytes()).to_hex()[..16].to_string()
}

fn blank_hash(text: &str) -> String {
    match text.find(HASH_KEY) {
        Some(i) => {
            let start = i + HASH_KEY.len();
            let end = text[start..].find('"').map_or(start, |j| start + j);
            format!("{}{}", &text[..start], &text[end..])
        }
        None => text.to_string(),
    }
}

fn recorded_hash(text: &str) -> Option<&str> {
    let start = text.find(HASH_KEY)? + HASH_KEY.len();
    let end = text[start..].find('"')? + start;
    Some(&text[start..end])
}

/// Fills in the `ingested_hash` of a freshly written article file.
fn with_hash(text: &str) -> String {
    let hash = hash_article(text);
    let blanked = blank_hash(text);
    blanked.replacen(&format!("{HASH_KEY}\""), &format!("{HASH_KEY}{hash}\""), 1)
}

/// True when the file was changed since ingest wrote it (or was never written by ingest).
pub fn is_edited(text: &str) -> bool {
    match recorded_hash(text) {
        Some(h) if !h.is_empty() => hash_article(text) != h,
        _ => true,
    }
}

/// The seeds `folio build` must ingest first: new, changed, or without articles.
pub fn seeds_needing_ingest(
    seeds_dir: &Path,
    content_dir: &Path,
) -> Result<Vec<String>, IngestError> {
    if !seeds_dir.is_dir() {
        return Ok(Vec::new());
    }
    let previous = IngestReport::read(content_dir);
    let mut out = Vec::new();
    for seed in list_seeds(seeds_dir)? {
        let hash = fs::read(&seed.path)
            .map(|b| blake3::hash(&b).to_hex()[..16].to_string())
            .ok();
        let known = previous
            .seeds
            .iter()
            .find(|s| s.seed == seed.name)
            .filter(|s| Some(&s.seed_hash) == hash.as_ref() && s.error.is_none());
        // A seed that yields no article (a page of banners only) has no folder to look for.
        let articles_there =
            |s: &SeedReport| s.articles == 0 || content_dir.join(seed.stem()).is_dir();
        if !known.is_some_and(articles_there) {
            out.push(seed.name);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_detects_any_edit() {
        let fm = FrontMatter {
            title: "标题".into(),
            source: Some(Source {
                seed: "s.txt".into(),
                lines: [1, 2],
                ingested_hash: String::new(),
            }),
            ..Default::default()
        };
        let text = with_hash(&front_matter::write(&fm, "正文。"));
        assert!(!is_edited(&text));
        assert!(is_edited(&text.replace("正文", "改文")));
        assert!(is_edited(&text.replace("标题", "新题")));
        assert!(is_edited("+++\ntitle = \"x\"\n+++\n"));
    }
}
