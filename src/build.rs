//! `folio build`: the whole pipeline, from seeds and content to `public/`.
//!
//! Runs the phases in order — ingest changed seeds, load content, build the
//! site model, then render pages and build the search index side by side —
//! into a staging folder, then swaps it into place (see `output`). Collects every content error before
//! giving up, times each phase, and returns a summary. Holds no page logic
//! itself: each phase belongs to its module.

use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;
use thiserror::Error;

use crate::classify::gazetteer::Gazetteer;
use crate::config::{ConfigError, SiteConfig};
use crate::content::{self, ContentError, FrontMatter, LoadOptions};
use crate::ingest::run::{self as ingest_run, IngestError, IngestOptions, IngestReport};
use crate::output::{BuildLock, OutputError, Staging};
use crate::render::{self, RenderError, RenderOptions};
use crate::search::{self, SearchDoc, SearchError};
use crate::site::Site;

/// Where a site lives.
#[derive(Debug, Clone)]
pub struct SitePaths {
    pub root: PathBuf,
    pub config: PathBuf,
}

impl SitePaths {
    pub fn new(root: &Path, config: &Path) -> SitePaths {
        SitePaths {
            root: root.to_path_buf(),
            config: if config.is_absolute() {
                config.to_path_buf()
            } else {
                root.join(config)
            },
        }
    }
    pub fn content(&self) -> PathBuf {
        self.root.join("content")
    }
    pub fn cache(&self) -> PathBuf {
        self.root.join(".folio-cache")
    }
    pub fn seeds(&self, config: &SiteConfig) -> PathBuf {
        self.root.join(&config.ingest.seeds_dir)
    }
    pub fn output(&self, config: &SiteConfig) -> PathBuf {
        self.root.join(&config.output_dir)
    }
}

/// Options of `folio build`.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Overrides `base_url` (preview deploys).
    pub base_url: Option<String>,
    /// Include `draft = true` articles.
    pub drafts: bool,
    /// Ignore the previous output and caches: a from-scratch build.
    pub clean: bool,
    /// Do not ingest new or changed seeds first.
    pub no_ingest: bool,
    /// Write here instead of the configured output folder (check, serve).
    pub output_dir: Option<PathBuf>,
}

/// Why a build failed. Content errors are all listed.
#[derive(Debug, Error)]
pub enum BuildError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("{} content error(s):\n{}", .0.len(), .0.iter().map(|e| {
        // A path as the user typed it: `content/a.md`, not `./content/a.md` (`--root .`).
        let e = e.to_string();
        format!("  {}", e.strip_prefix("./").unwrap_or(&e))
    }).collect::<Vec<_>>().join("\n"))]
    Content(Vec<ContentError>),
    #[error(transparent)]
    Ingest(#[from] IngestError),
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error(transparent)]
    Search(#[from] SearchError),
    #[error(transparent)]
    Output(#[from] OutputError),
}

impl BuildError {
    /// Exit code: 1 for problems in the user's files, 2 never (that is usage).
    pub fn exit_code(&self) -> i32 {
        1
    }
}

/// Where the search index is built inside the staging folder before it
/// replaces `search/` there.
const SEARCH_FRESH: &str = ".search.folio-new";

/// `f`'s result and how long it took in ms, `before` included.
fn timed<T, E: Into<BuildError>>(
    before: std::time::Duration,
    f: impl FnOnce() -> Result<T, E>,
) -> Result<(T, u64), BuildError> {
    let start = Instant::now();
    let value = f().map_err(Into::into)?;
    Ok((value, (before + start.elapsed()).as_millis() as u64))
}

/// Timing of one phase.
#[derive(Debug, Clone, Serialize)]
pub struct Phase {
    pub name: &'static str,
    pub ms: u64,
}

/// What a build did, printed at the end and available as JSON.
#[derive(Debug, Clone, Serialize, Default)]
pub struct BuildSummary {
    pub ingested_seeds: usize,
    pub articles: usize,
    pub pages: usize,
    /// Pages whose inputs were unchanged, kept without rendering.
    pub pages_reused: usize,
    pub feeds: usize,
    pub search_shards: usize,
    pub search_bytes: u64,
    pub files: usize,
    pub files_written: usize,
    pub files_removed: usize,
    pub bytes: u64,
    pub phases: Vec<Phase>,
    pub total_ms: u64,
    /// Peak resident memory of the process, where the OS tells (Linux).
    pub peak_rss_kb: Option<u64>,
    /// CPU time of the process so far, in user code and in the kernel (file creation,
    /// copies into the page cache), in ms; where the OS tells (Unix).
    pub cpu_user_ms: Option<u64>,
    pub cpu_sys_ms: Option<u64>,
}

/// Peak resident set size of this process in KiB (Linux `VmHWM`).
pub fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// CPU time this process has used, `(user, kernel)` in ms (`getrusage`).
pub fn cpu_times_ms() -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
        // SAFETY: `getrusage` fills the struct it is given; on failure it is not read.
        let ok = unsafe { libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) } == 0;
        if !ok {
            return None;
        }
        // SAFETY: initialised by the successful call above (and zeroed before it).
        let usage = unsafe { usage.assume_init() };
        let ms = |t: libc::timeval| t.tv_sec as u64 * 1000 + t.tv_usec as u64 / 1000;
        Some((ms(usage.ru_utime), ms(usage.ru_stime)))
    }
    #[cfg(not(unix))]
    {
        None
    }
}

impl BuildSummary {
    /// One line per fact, `key: value`, stable order (easy to grep in CI logs).
    pub fn human(&self) -> String {
        let mut out = format!(
            "built {} articles: {} pages ({} unchanged), {} feeds, {} search shards ({} bytes)\n\
             output: {} files ({} written, {} removed), {} bytes\n\
             time: {}ms ({})\n",
            self.articles,
            self.pages,
            self.pages_reused,
            self.feeds,
            self.search_shards,
            self.search_bytes,
            self.files,
            self.files_written,
            self.files_removed,
            self.bytes,
            self.total_ms,
            self.phase_times()
        );
        if let (Some(user), Some(sys)) = (self.cpu_user_ms, self.cpu_sys_ms) {
            out.push_str(&format!("cpu: {user}ms user, {sys}ms kernel\n"));
        }
        out
    }

    /// `load 120ms, model 40ms, …`.
    pub fn phase_times(&self) -> String {
        let phases: Vec<String> = self
            .phases
            .iter()
            .map(|p| format!("{} {}ms", p.name, p.ms))
            .collect();
        phases.join(", ")
    }
}

/// Checks an article's regions and topics against the gazetteer and vocabulary.
pub fn validator(
    config: &SiteConfig,
) -> impl Fn(&FrontMatter) -> Vec<(&'static str, String)> + Sync + '_ {
    move |fm: &FrontMatter| {
        let gz = Gazetteer::builtin();
        let mut problems = Vec::new();
        for r in &fm.regions {
            if gz.by_path(r).is_none() {
                problems.push((
                    "regions",
                    format!("unknown region path {r:?}: use official names from the province down, e.g. \"湖南省/湘西土家族苗族自治州/保靖县\""),
                ));
            }
        }
        for t in &fm.topics {
            if config.topic(t).is_none() {
                let known: Vec<&str> = config.topics.iter().map(|t| t.slug.as_str()).collect();
                problems.push((
                    "topics",
                    format!("unknown topic slug {t:?}; known: {}", known.join(", ")),
                ));
            }
        }
        problems
    }
}

/// What a long-running process (`folio serve`) keeps in memory from one build
/// to the next, so that a rebuild skips work the on-disk caches would only
/// redo more slowly. Holds metadata, never bodies or pages.
#[derive(Debug, Default)]
pub struct BuildMemo {
    load: content::LoadMemo,
    related: crate::site::RelatedMemo,
}

impl BuildMemo {
    /// Tells the next build which paths changed since the last one (a file
    /// watcher's report; `None`: anything may have). With an exact report, the
    /// next load reads only changed article files instead of listing `content/`.
    pub fn note_changes(&mut self, paths: Option<Vec<PathBuf>>) {
        self.load.note_changes(paths);
    }
}

/// Runs a whole build. `progress` receives phase names as they start.
pub fn build(
    paths: &SitePaths,
    options: &BuildOptions,
    progress: &dyn Fn(&str),
) -> Result<(BuildSummary, Option<IngestReport>), BuildError> {
    build_with(paths, options, progress, None)
}

/// [`build`], keeping what the next build of the same process can reuse in
/// `memo`. The output is the same with or without it.
pub fn build_with(
    paths: &SitePaths,
    options: &BuildOptions,
    progress: &dyn Fn(&str),
    mut memo: Option<&mut BuildMemo>,
) -> Result<(BuildSummary, Option<IngestReport>), BuildError> {
    let start = Instant::now();
    let mut config = SiteConfig::load(&paths.config)?;
    if let Some(url) = &options.base_url {
        config.base_url = url.clone();
    }
    let _lock = BuildLock::acquire(&paths.cache())?;
    let mut summary = BuildSummary::default();
    let mut phase_start = Instant::now();
    // Ends the phase `name` now.
    let phase = |summary: &mut BuildSummary, name: &'static str, start: &mut Instant| {
        summary.phases.push(Phase {
            name,
            ms: start.elapsed().as_millis() as u64,
        });
        *start = Instant::now();
    };

    let mut ingest_report = None;
    if !options.no_ingest {
        progress("ingest");
        let seeds_dir = paths.seeds(&config);
        let pending = ingest_run::seeds_needing_ingest(&seeds_dir, &paths.content())?;
        if !pending.is_empty() {
            let report = ingest_run::ingest(
                &seeds_dir,
                &paths.content(),
                &config,
                IngestOptions {
                    only_changed: true,
                    ..Default::default()
                },
            )?;
            summary.ingested_seeds = pending.len();
            ingest_report = Some(report);
            if let Some(memo) = memo.as_deref_mut() {
                // Ingest wrote articles no watcher has reported yet.
                memo.note_changes(None);
            }
        }
        phase(&mut summary, "ingest", &mut phase_start);
    }

    progress("load");
    // The gazetteer (built once per process, ~50 ms) validates every article:
    // built beside the listing of `content/` rather than holding up the first check.
    let _ = std::thread::Builder::new()
        .name("folio-gazetteer".into())
        .spawn(|| Gazetteer::builtin().all().len());
    let related_cache = (!options.clean).then(|| paths.cache().join("related.bin"));
    // Without a related state (in memory or saved) the model segments every text with
    // jieba, whose dictionary takes ~0.1 s of one core to load: loaded beside the listing,
    // not while the other core waits for it.
    let first_related = options.clean
        || (memo.as_ref().is_none_or(|m| m.related.is_empty())
            && related_cache.as_ref().is_none_or(|p| !p.exists()));
    if first_related {
        let _ = std::thread::Builder::new()
            .name("folio-jieba".into())
            .spawn(|| crate::classify::segment::base_jieba().cut("", false).len());
    }
    let validate = validator(&config);
    let load_cache = (!options.clean).then(|| paths.cache().join("content"));
    let load_options = LoadOptions {
        drafts: options.drafts,
        urls: config.page_urls,
    };
    if options.clean {
        // A clean build uses nothing from before.
        memo = None;
    }
    let (articles, errors) = match memo.as_deref_mut() {
        Some(memo) => {
            // Loaded articles depend on the configuration (validation) and the options.
            let rules = format!("{}\n{load_options:?}", config.fingerprint());
            content::load_memo(
                &paths.content(),
                load_options,
                &validate,
                load_cache.as_deref(),
                &mut memo.load,
                &rules,
            )
        }
        None => content::load_cached(
            &paths.content(),
            load_options,
            &validate,
            load_cache.as_deref(),
        ),
    };
    if !errors.is_empty() {
        return Err(BuildError::Content(errors));
    }
    summary.articles = articles.len();
    phase(&mut summary, "load", &mut phase_start);

    progress("model");
    let output_dir = options
        .output_dir
        .clone()
        .unwrap_or_else(|| paths.output(&config));
    if options.clean {
        let _ = std::fs::remove_dir_all(paths.cache().join("search"));
    }
    // The theme, the staging folder and the render cache do not depend on the model:
    // prepared beside it (the "model" phase covers both).
    let (site, ready) = rayon::join(
        || {
            Site::new_cached(
                &config,
                Gazetteer::builtin(),
                articles,
                related_cache.as_deref(),
                memo.map(|m| &mut m.related),
            )
        },
        || -> Result<_, BuildError> {
            let theme = render::load_theme(&paths.root, &config)?;
            let staging = Staging::begin(&output_dir, !options.clean)?;
            let cache = render::RenderCache::open(&paths.cache(), &output_dir, options.clean);
            Ok((theme, staging, cache))
        },
    );
    let (theme, staging, cache) = ready?;
    phase(&mut summary, "model", &mut phase_start);

    progress(if config.search.enabled {
        "render, search"
    } else {
        "render"
    });
    let prepared = phase_start.elapsed();
    // Pages and the search index depend on the site model only, never on each
    // other: they are built at the same time (and so are timed apart, overlapping).
    let (rendered, indexed) = rayon::join(
        || {
            timed(prepared, || {
                render::render_site_cached(
                    &site,
                    &theme,
                    &staging,
                    &RenderOptions::from_config(&config),
                    Some(&cache),
                )
            })
        },
        || {
            config.search.enabled.then(|| {
                timed(prepared, || {
                    // Built beside the output, then only changed files replace the old
                    // ones. The staging folder starts as a copy of the previous output:
                    // an incremental update reads the old shards there and keeps those
                    // its changes do not touch.
                    search::build_index_incremental(
                        &search_source(&site),
                        &staging.dir().join(SEARCH_FRESH),
                        &paths.cache().join("search"),
                        &staging.dir().join("search"),
                        &staging.previous_under("search/"),
                        &output_dir.join("search"),
                        &config.search,
                    )
                })
            })
        },
    );
    let (render_stats, render_ms) = rendered?;
    summary.pages = render_stats.pages;
    summary.pages_reused = render_stats.reused;
    summary.feeds = render_stats.feeds;
    summary.phases.push(Phase {
        name: "render",
        ms: render_ms,
    });
    if let Some(indexed) = indexed {
        let (stats, search_ms) = indexed?;
        // Adopted only now: the pages include `search/index.html`, and a first build
        // moves the index's folder into place whole.
        let t = Instant::now();
        staging.adopt_tree(&staging.dir().join(SEARCH_FRESH), "search")?;
        for (rel, len) in &stats.kept_files {
            if !staging.keep(&format!("search/{rel}"), *len) {
                return Err(SearchError::Format {
                    path: staging.dir().join("search").join(rel),
                    message: "a kept shard vanished during the build".into(),
                }
                .into());
            }
        }
        summary.search_shards = stats.shards as usize;
        summary.search_bytes = stats.total_bytes;
        summary.phases.push(Phase {
            name: "search",
            ms: search_ms + t.elapsed().as_millis() as u64,
        });
    }
    site.free_in_background();
    phase_start = Instant::now();

    progress("write");
    let out = staging.commit()?;
    // Only now does the output match the cache; a cache that cannot be saved
    // costs one full render next time.
    let _ = cache.save();
    if config.search.enabled {
        // Likewise, the search state now describes the committed index.
        let _ = search::commit_state(&paths.cache().join("search"), &output_dir.join("search"));
    }
    summary.files = out.files;
    summary.files_written = out.written;
    summary.files_removed = out.removed;
    summary.bytes = out.bytes;
    phase(&mut summary, "write", &mut phase_start);
    summary.total_ms = start.elapsed().as_millis() as u64;
    summary.peak_rss_kb = peak_rss_kb();
    if let Some((user, sys)) = cpu_times_ms() {
        summary.cpu_user_ms = Some(user);
        summary.cpu_sys_ms = Some(sys);
    }
    Ok((summary, ingest_report))
}

/// The site's articles as search documents: each one's source key from what determines all
/// its fields (so an update reads only the bodies of changed articles, and builds no document
/// for an unchanged one), and the document itself, body read on demand.
fn search_source<'s>(site: &'s Site<'s>) -> search::DocSource<'s> {
    // A document's fields are the article's front matter (in its file), its permalink, and
    // names from the gazetteer (part of the program) and the topics of the configuration.
    let mut settings = blake3::Hasher::new();
    settings.update(&crate::program::identity());
    settings.update(site.config.base_path().as_bytes());
    for t in &site.config.topics {
        for part in [&t.slug, &t.name] {
            settings.update(&(part.len() as u64).to_le_bytes());
            settings.update(part.as_bytes());
        }
    }
    let settings = settings.finalize();
    let sources = site
        .articles
        .par_iter()
        .enumerate()
        .map(|(i, a)| {
            search::DocSource::key_of_parts(
                i as u32,
                &[
                    settings.as_bytes(),
                    a.hash.as_bytes(),
                    a.permalink.as_bytes(),
                ],
            )
        })
        .collect();
    search::DocSource::new(sources, move |id| {
        let i = id as usize;
        let Some(a) = site.articles.get(i) else {
            return Err(SearchError::Document(format!("no article number {id}")));
        };
        let kicker = [a.meta.kicker.as_deref(), a.meta.subtitle.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        let body = content::read_body(a).map_err(|e| SearchError::Document(e.to_string()))?;
        // Photo captions are part of what the piece says (a photo-only piece has nothing
        // else): searched as the body's last paragraphs.
        let mut text = content::summary::plain_blocks(&body, true);
        text.extend(
            a.meta
                .captions
                .iter()
                .filter(|c| !c.trim().is_empty())
                .cloned(),
        );
        Ok(SearchDoc {
            url: format!("{}{}", site.config.base_path(), a.permalink),
            title: a.meta.title.clone(),
            kicker,
            body: text.join("\n"),
            authors: a.meta.authors.join(" "),
            ..search_doc_facets(site, i)
        })
    })
}

/// The search document of the `i`-th article with only its id and facets (date, regions,
/// topics), the rest of its fields empty.
fn search_doc_facets(site: &Site<'_>, i: usize) -> SearchDoc {
    let gz = site.gazetteer;
    let a = &site.articles[i];
    let mut regions: Vec<String> = Vec::new();
    for path in &a.meta.regions {
        if let Some(id) = gz.by_path(path) {
            let chain = gz.ancestors(id);
            let pick = chain.get(1).or(chain.first()).copied().unwrap_or(id);
            let name = &gz.get(pick).name;
            if !regions.contains(name) {
                regions.push(name.clone());
            }
        }
    }
    let topics = a
        .meta
        .topics
        .iter()
        .map(|t| {
            site.config
                .topic(t)
                .map_or_else(|| t.clone(), |t| t.name.clone())
        })
        .collect();
    SearchDoc {
        id: i as u32,
        date: a.meta.date.map(|d| d.iso()),
        regions,
        topics,
        ..SearchDoc::default()
    }
}
