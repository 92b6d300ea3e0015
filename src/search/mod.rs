//! Client-side full-text search: builds, at `folio build`, a term-sharded index in
//! elasticlunr-rs's JSON format that `themes/default/static/search.js` queries in the browser.
//!
//! Output layout under `out_dir` (`<staging>/search/`):
//! - `index.json`: manifest (document count, fields and boosts, shard directory groups, facet
//!   vocabularies, year runs, chunk sizes);
//! - `t/<k>.json`: shard k (`<k>` is its name, a hash of its first term: see
//!   `shards::shard_name`), an elasticlunr index holding all postings of the terms of a term
//!   range that are in at most `json_list_max` documents (terms: CJK bigrams and characters,
//!   words and numbers and their suffixes, see `tokenize`); `t/<k>.p.bin`: the postings of the
//!   range's more common terms, packed (see `packed`); `t/d<g>.json`: first terms of a group
//!   of shards and its packed terms; `t/<k>.f.bin`: the facet values of the documents of each
//!   term of shard k (or, for a very common term, their facet counts); for very common terms
//!   also `t/<k>.h<i>.json` (head: postings of the best and newest documents);
//! - `docs/<c>.json`: small result records with a lead of the body as snippet source;
//! - `text/<c>.bin`: full texts in UTF-16, fetched only to verify quoted phrases;
//! - `facets/<b>.bin`: compact region/topic values per document (years come from the
//!   manifest's year runs, the documents being in date order).
//!
//! Building streams: documents are tokenized in parallel batches (rayon), their postings are
//! spilled as sorted runs when a memory budget is exceeded and merged into shards at the end;
//! only one batch of bodies is ever held. This module must NOT render pages, read content
//! files or know about the theme beyond the file layout above.

mod analyze;
mod incremental;
pub mod lunr_json;
mod measure;
mod packed;
mod runs;
mod shards;
mod store;
mod token_cache;
mod tokenize;
mod varint;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

pub use analyze::{DocTokens, analyze};
pub use measure::{ColdQuery, cold_query_bytes, cold_query_report};
pub use packed::{PackedError, decode_all as decode_packed};
pub use shards::shard_name;
pub use tokenize::{FolioLanguage, MAX_SUFFIX_WORD, index_tokens, normalize, tokenize};

/// One article as the search index sees it (deserializable from JSON for fixtures and tools).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct SearchDoc {
    /// Dense id 0..n in the site's order (newest first); must arrive in this order.
    pub id: u32,
    /// Site-relative permalink, e.g. "/articles/000-8ee1e14b/01-dongting/".
    pub url: String,
    /// Headline (indexed, boosted).
    pub title: String,
    /// Kicker and subtitle (indexed).
    pub kicker: String,
    /// Plain text, paragraphs joined by "\n" (indexed; also the snippet source).
    pub body: String,
    /// Authors (indexed).
    pub authors: String,
    /// "YYYY-MM-DD" (facet "year", date sort).
    pub date: Option<String>,
    /// Display names of prefecture-level regions (facet).
    pub regions: Vec<String>,
    /// Topic display names (facet).
    pub topics: Vec<String>,
}

/// `[search]` in site.toml. Every key is optional.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct SearchOptions {
    /// Build the search index at all (default true).
    pub enabled: bool,
    /// Target size of one shard's JSON in bytes (default 262144); a term larger than this
    /// gets a shard of its own. Smaller shards: less downloaded per query, more files.
    pub shard_bytes: usize,
    /// Shards listed per directory file `t/d<g>.json` (default 512).
    pub dir_group: usize,
    /// Documents per result-record file `docs/<c>.json` (default 4).
    pub doc_chunk: usize,
    /// Characters of the body kept in the result record as snippet source (default 160;
    /// 0 keeps the whole body).
    pub lead_chars: usize,
    /// Documents per full-text file `text/<c>.bin` (default 4), fetched only to verify
    /// quoted phrases.
    pub text_chunk: usize,
    /// Documents per facet block `facets/<b>.bin` (default 8192).
    pub facet_block: usize,
    /// A term in more documents than this keeps only facet counts, not the facet values of
    /// each document, in its shard's facet lists `t/<k>.f.bin` (default 0: a quarter of the
    /// documents, at least 4096).
    pub facet_list_max: usize,
    /// A term in more documents than this is written only to its shard's packed postings
    /// `t/<k>.p.bin`, not to the shard's elasticlunr JSON (default 1000). There it costs 2–3
    /// bytes a posting instead of ~20, both on disk and in a query's download; the JSON
    /// shards keep the rarer terms, so an archive of at most this many articles is one plain
    /// elasticlunr index.
    pub json_list_max: usize,
    /// Documents tokenized per parallel batch (default 512); bounds bodies held at once (two
    /// batches: one being added while the next is tokenized). Each document of a batch holds
    /// ~80 KB meanwhile (2048 held ~110 MB more at 10k articles, with no gain in speed).
    pub batch_docs: usize,
    /// In-memory posting budget in MiB before a sorted run is spilled (default 512; the
    /// process may use up to about twice this for posting lists; 0 spills after every batch).
    pub memory_mb: usize,
    /// Relevance boost of the title field (default 5).
    pub boost_title: u32,
    /// Relevance boost of kicker/subtitle (default 2).
    pub boost_kicker: u32,
    /// Relevance boost of the body (default 1).
    pub boost_body: u32,
    /// Relevance boost of authors (default 2).
    pub boost_authors: u32,
    /// Characters of body shown around the first match in a result snippet (default 120).
    pub snippet_chars: usize,
    /// Results shown per page (default 10).
    pub page_size: usize,
    /// Most candidates of a quoted multi-token phrase whose text the browser downloads to
    /// verify the exact phrase (default 50); beyond it only the best-ranked are verified and
    /// the page says so.
    pub verify_limit: usize,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            enabled: true,
            shard_bytes: 256 * 1024,
            dir_group: 512,
            doc_chunk: 4,
            lead_chars: 160,
            text_chunk: 4,
            facet_block: 8192,
            facet_list_max: 0,
            json_list_max: 1000,
            batch_docs: 512,
            memory_mb: 512,
            boost_title: 5,
            boost_kicker: 2,
            boost_body: 1,
            boost_authors: 2,
            snippet_chars: 120,
            page_size: 10,
            verify_limit: 50,
        }
    }
}

/// What a build did, for the build summary.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchStats {
    /// Documents indexed.
    pub documents: u64,
    /// Documents whose tokens came from the cache.
    pub cached_documents: u64,
    /// Tokens produced (all fields).
    pub tokens: u64,
    /// Distinct terms.
    pub terms: u64,
    /// Postings (term, field, document).
    pub postings: u64,
    /// Shard files.
    pub shards: u64,
    /// Sorted runs spilled to disk (0 when postings fit the budget).
    pub spilled_runs: u64,
    /// Peak estimated bytes of in-memory postings.
    pub peak_posting_bytes: u64,
    /// Bytes of the inverted index (shards and directories).
    pub index_bytes: u64,
    /// Bytes of everything written under `out_dir`.
    pub total_bytes: u64,
    /// Time spent tokenizing (wall, summed over batches).
    pub tokenize_time: Duration,
    /// Time spent merging postings and writing shards.
    pub shard_time: Duration,
    /// Total wall time.
    pub time: Duration,
    /// True if only the shards of changed terms were rebuilt.
    pub incremental: bool,
    /// Shard files written by this build.
    pub shards_written: u64,
    /// Files (relative to `out_dir`) of the previous output that an incremental build left
    /// as they are, with their lengths: the caller keeps them.
    pub kept_files: Vec<(String, u64)>,
}

/// Errors of the search build.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// A document's source could not be read (the message names the file).
    #[error("search index: {0}")]
    Document(String),
    /// A file could not be written or read.
    #[error("search index: {path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Documents must come with ids 0, 1, 2, … in order.
    #[error("search index: document {url:?} has id {got}, expected {expected}")]
    DocOrder {
        /// The id expected next.
        expected: u32,
        /// The id received.
        got: u32,
        /// The document's URL.
        url: String,
    },
    /// `index.json` or a shard under `out_dir` is not what `build_index` writes.
    #[error("search index: {path}: {message}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> SearchError + '_ {
    move |source| SearchError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The manifest `index.json` read by search.js.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Manifest {
    /// 10: facet blocks and lists hold no years (read from `yearRuns`) and one byte of
    /// counts per document; 9: full texts are `text/<c>.bin`, UTF-16 (were `text/<c>.json`, JSON strings); 8:
    /// terms in more than `json_list_max` documents are only in `t/<k>.p.bin`, not in
    /// the shard JSON; 7: facet columns a byte per value when they fit; 6: shard files are named by a hash of their first term (`shards::shard_name`), not
    /// numbered; 5: shard directories are objects naming packed terms (`t/<k>.p.bin`); 4:
    /// words and numbers are also indexed by their suffixes (3: whole words only).
    pub format: u32,
    pub docs: u64,
    pub fields: Vec<String>,
    pub boosts: Vec<u32>,
    pub shards: u64,
    #[serde(rename = "dirGroup")]
    pub dir_group: usize,
    pub groups: Vec<String>,
    #[serde(rename = "docChunk")]
    pub doc_chunk: usize,
    #[serde(rename = "textChunk")]
    pub text_chunk: usize,
    #[serde(rename = "facetBlock")]
    pub facet_block: usize,
    /// Terms in more documents than this have facet counts, not lists, in `t/<k>.f.bin`.
    #[serde(rename = "facetListMax")]
    pub facet_list_max: usize,
    pub regions: Vec<String>,
    pub topics: Vec<String>,
    /// Each document's year, as runs: `[first id, year]` whenever the year changes in id
    /// order (year 0: undated). One run per year, the documents being in date order.
    #[serde(rename = "yearRuns")]
    pub year_runs: Vec<(u32, u16)>,
    #[serde(rename = "snippetChars")]
    pub snippet_chars: usize,
    #[serde(rename = "pageSize")]
    pub page_size: usize,
    #[serde(rename = "verifyLimit")]
    pub verify_limit: usize,
}

/// Documents must arrive with ids 0, 1, 2, …: checks `doc` is next and advances.
fn check_order(doc: &SearchDoc, next_id: &mut u32) -> Result<(), SearchError> {
    if doc.id != *next_id {
        return Err(SearchError::DocOrder {
            expected: *next_id,
            got: doc.id,
            url: doc.url.clone(),
        });
    }
    *next_id += 1;
    Ok(())
}

/// Removes what a previous build wrote, so stale shards never survive.
fn clear_previous(out_dir: &Path) -> Result<(), SearchError> {
    for sub in ["t", "docs", "text", "facets", ".runs"] {
        runs::remove_spill_dir(&out_dir.join(sub)).map_err(io_err(&out_dir.join(sub)))?;
    }
    let manifest = out_dir.join("index.json");
    if manifest.exists() {
        fs::remove_file(&manifest).map_err(io_err(&manifest))?;
    }
    Ok(())
}

/// An analyzed document with its result record and full text (see `store`).
type Prepared = (analyze::Analyzed, (Vec<u8>, Vec<u8>));

/// A batch of documents, analyzed, with the term ids known before it is added.
struct Batch {
    docs: Vec<SearchDoc>,
    prepared: Vec<Prepared>,
    ids: Vec<Vec<u32>>,
}

/// What [`add_batch`] writes to.
struct BatchSinks<'a> {
    names: &'a mut runs::Interner,
    sink: &'a mut runs::PostingSink,
    store: &'a mut store::StoreWriter,
    /// `None` once an append has failed: the build goes on without caching.
    cache: Option<&'a token_cache::TokenCache>,
    keys: &'a mut Vec<token_cache::Key>,
    stats: &'a mut SearchStats,
    next_id: &'a mut u32,
}

/// Adds an analyzed batch, in id order, to the postings, the record and text files and
/// the token cache; false if an append to the cache failed (the build then stops caching).
fn add_batch(
    batch: Batch,
    to: &mut BatchSinks<'_>,
    out_dir: &Path,
    spill_dir: &Path,
) -> Result<bool, SearchError> {
    let mut cached = true;
    let rows = batch.prepared.into_iter().zip(batch.ids);
    for (doc, ((a, (record, body)), mut ids)) in batch.docs.iter().zip(rows) {
        check_order(doc, to.next_id)?;
        to.stats.documents += 1;
        if let (Some(c), true) = (to.cache, cached) {
            match &a.new_entry {
                None => {
                    to.stats.cached_documents += 1;
                    c.touch(a.key);
                }
                // Stop caching, keep building.
                Some(entry) => cached = c.put(a.key, entry).is_ok(),
            }
            to.keys.push(a.key);
        }
        to.stats.tokens += a.terms.lengths.iter().map(|&l| u64::from(l)).sum::<u64>();
        to.names.resolve(&a.terms, &mut ids);
        let counts = a.terms.short.iter().map(|e| e.1);
        let counts = counts.chain(a.terms.long.iter().map(|e| e.1));
        to.sink.add(doc.id, &ids, counts);
        to.store.add(doc, &record, &body).map_err(io_err(out_dir))?;
    }
    if to.sink.batch_full() {
        to.sink.end_batch(to.names).map_err(io_err(spill_dir))?;
    }
    Ok(cached)
}

/// Builds the search index of `docs` into `out_dir` (`<staging>/search/`).
///
/// `docs` must yield ids 0, 1, 2, … in order; only two batches of `opts.batch_docs` bodies are
/// held at once.
/// With `opts.enabled == false` nothing is read or written.
/// `cache_dir` (e.g. `.folio-cache/search/`) keeps per-article tokens keyed by a content hash.
/// Output is byte-identical for identical input and options, whatever the cache holds.
pub fn build_index(
    docs: impl Iterator<Item = SearchDoc> + Send,
    out_dir: &Path,
    cache_dir: Option<&Path>,
    opts: &SearchOptions,
) -> Result<SearchStats, SearchError> {
    build_full(docs, out_dir, cache_dir, opts, None)
}

/// [`build_index`], also writing the state for the next incremental build to `state_new`.
fn build_full(
    mut docs: impl Iterator<Item = SearchDoc> + Send,
    out_dir: &Path,
    cache_dir: Option<&Path>,
    opts: &SearchOptions,
    state_new: Option<(&Path, &[SourceKey])>,
) -> Result<SearchStats, SearchError> {
    let start = Instant::now();
    if !opts.enabled {
        return Ok(SearchStats::default());
    }
    fs::create_dir_all(out_dir).map_err(io_err(out_dir))?;
    clear_previous(out_dir)?;
    let spill_dir = out_dir.join(".runs");
    let mut sink = runs::PostingSink::new(spill_dir.clone(), opts.memory_mb << 20);
    let mut store =
        store::StoreWriter::new(out_dir, opts.doc_chunk, opts.text_chunk, opts.facet_block)
            .map_err(io_err(out_dir))?;
    let mut stats = SearchStats::default();

    // The cache only saves time: if it cannot be opened the build goes on without it.
    let cache = cache_dir.and_then(|d| token_cache::TokenCache::open(d).ok());
    if let Some((path, _)) = state_new {
        let _ = fs::remove_file(path);
    }
    let mut cache_ok = cache.is_some();
    let mut keys: Vec<token_cache::Key> = Vec::new();
    let mut names = runs::Interner::default();
    let mut next_id: u32 = 0;
    let (lead_chars, cache_ref) = (opts.lead_chars, cache.as_ref());
    // A pipeline of two stages: while one thread adds batch k to the postings, the record
    // and text files and the cache (one writer each, in id order), the other threads read
    // and analyze batch k + 1. Term ids are looked up in parallel between the two, when the
    // interner is not being written.
    let mut pending: Option<Batch> = None;
    loop {
        let (next, added) = rayon::join(
            || {
                let batch: Vec<SearchDoc> = docs.by_ref().take(opts.batch_docs.max(1)).collect();
                let t0 = Instant::now();
                let prepared: Vec<Prepared> = batch
                    .par_iter()
                    .map_init(analyze::Scratch::default, |scratch, d| {
                        let a = analyze::analyze_cached(d, cache_ref, scratch);
                        (a, store::record_and_text(d, lead_chars))
                    })
                    .collect();
                (batch, prepared, t0.elapsed())
            },
            || -> Result<(), SearchError> {
                let Some(batch) = pending.take() else {
                    return Ok(());
                };
                let mut ctx = BatchSinks {
                    names: &mut names,
                    sink: &mut sink,
                    store: &mut store,
                    cache: cache_ref.filter(|_| cache_ok),
                    keys: &mut keys,
                    stats: &mut stats,
                    next_id: &mut next_id,
                };
                let cached = add_batch(batch, &mut ctx, out_dir, &spill_dir)?;
                cache_ok &= cached;
                Ok(())
            },
        );
        added?;
        let (batch, prepared, took) = next;
        stats.tokenize_time += took;
        if batch.is_empty() {
            break;
        }
        let ids: Vec<Vec<u32>> = prepared
            .par_iter()
            .map(|(a, _)| names.lookup(&a.terms))
            .collect();
        pending = Some(Batch {
            docs: batch,
            prepared,
            ids,
        });
    }
    if let Some(c) = cache.filter(|_| cache_ok) {
        // A cache that cannot be flushed only costs time on the next build.
        cache_ok &= c.finish().is_ok();
    }
    store.finish().map_err(io_err(out_dir))?;
    stats.postings = sink.postings;
    stats.spilled_runs = sink.spilled_runs() as u64;
    stats.peak_posting_bytes = sink.peak_bytes as u64;

    let t_shards = Instant::now();
    let mut merged = sink.finish(&names).map_err(io_err(&spill_dir))?;
    let shard_dir = out_dir.join("t");
    let year_runs = store.facets.year_runs();
    let facets = Arc::new(shards::FacetSource::new(
        std::mem::take(&mut store.facets),
        opts,
        next_id as usize,
    ));
    let mut shards = shards::ShardWriter::new(out_dir, opts.shard_bytes, next_id as usize, 0)
        .map_err(io_err(&shard_dir))?
        .with_facets(facets)
        .deferring();
    shards::write_stream(
        &mut shards,
        || -> Result<_, SearchError> {
            let Some((id, posts)) = merged.next_term().map_err(io_err(&spill_dir))? else {
                return Ok(None);
            };
            Ok(Some(lunr_json::TermPostings {
                term: names.name(id).to_string(),
                postings: (posts.iter())
                    .map(|p| lunr_json::Posting {
                        doc: p.doc,
                        field: p.field(),
                        count: p.count(),
                    })
                    .collect(),
            }))
        },
        |e| io_err(&shard_dir)(e),
        true,
    )?;
    drop(merged);
    let (groups, dir_bytes) =
        shards::write_dirs(out_dir, &shards.firsts, &shards.packed, opts.dir_group)
            .map_err(io_err(&shard_dir))?;
    shards.bytes += dir_bytes;
    runs::remove_spill_dir(&spill_dir).map_err(io_err(&spill_dir))?;
    stats.shard_time = t_shards.elapsed();

    let (regions, topics) = (store.regions.names.clone(), store.topics.names.clone());
    let data = write_manifest(
        out_dir,
        opts,
        stats.documents,
        shards.firsts.len() as u64,
        groups,
        year_runs,
        &mut store,
    )?;
    if let (Some((path, sources)), true) = (state_new, cache_ok)
        && sources.len() == keys.len()
    {
        let mut lens: Vec<(usize, u64)> = shards.written.clone();
        lens.sort_unstable();
        let state = incremental::State {
            fingerprint: fingerprint(opts),
            keys,
            sources: sources.to_vec(),
            shards: shards
                .firsts
                .iter()
                .cloned()
                .zip(lens.into_iter().map(|(_, n)| n))
                .collect(),
            files: std::mem::take(&mut store.produced),
            regions,
            topics,
        };
        // Without a state the next build is a full one; nothing else depends on it.
        let _ = state.save(path);
    }

    stats.terms = shards.terms;
    stats.shards = shards.firsts.len() as u64;
    stats.index_bytes = shards.bytes;
    stats.total_bytes = shards.bytes + store.bytes + data;
    stats.time = start.elapsed();
    Ok(stats)
}

/// The state a build for the output at `output` leaves for the next one, and the committed
/// state (promoted by [`commit_state`]). Each output folder (the site, a preview) has its own.
fn state_paths(cache_dir: &Path, output: &Path) -> (PathBuf, PathBuf) {
    let output = crate::output::stable_path(output);
    let hex = blake3::hash(output.to_string_lossy().as_bytes()).to_hex();
    let tag = &hex.as_str()[..16];
    (
        cache_dir.join(format!("state-{tag}.new")),
        cache_dir.join(format!("state-{tag}.bin")),
    )
}

/// Marks the index last built with `cache_dir` for `output` as committed to that output, so
/// the next build may update it incrementally. Call once the output is in place.
pub fn commit_state(cache_dir: &Path, output: &Path) -> Result<(), SearchError> {
    let (new, committed) = state_paths(cache_dir, output);
    if new.exists() {
        fs::rename(&new, &committed).map_err(io_err(&new))?;
    }
    Ok(())
}

/// The index format written (`index.json`'s `format`); see [`Manifest::format`].
const FORMAT: u32 = 10;

/// Fingerprint of everything besides the documents that the index bytes depend on.
fn fingerprint(opts: &SearchOptions) -> token_cache::Key {
    let mut h = blake3::Hasher::new();
    // Any change of the output format invalidates the state of a previous build.
    h.update(b"folio-search-index");
    h.update(&FORMAT.to_le_bytes());
    h.update(&serde_json::to_vec(opts).unwrap_or_default());
    h.update(elasticlunr::ELASTICLUNR_VERSION.as_bytes());
    *h.finalize().as_bytes()
}

fn write_manifest(
    out_dir: &Path,
    opts: &SearchOptions,
    docs: u64,
    shards: u64,
    groups: Vec<String>,
    year_runs: Vec<(u32, u16)>,
    store: &mut store::StoreWriter,
) -> Result<u64, SearchError> {
    let manifest = Manifest {
        format: FORMAT,
        docs,
        fields: lunr_json::FIELDS.iter().map(|f| f.to_string()).collect(),
        boosts: vec![
            opts.boost_title,
            opts.boost_kicker,
            opts.boost_body,
            opts.boost_authors,
        ],
        shards,
        dir_group: opts.dir_group.max(1),
        groups,
        doc_chunk: opts.doc_chunk.max(1),
        text_chunk: opts.text_chunk.max(1),
        facet_block: opts.facet_block.max(1),
        facet_list_max: shards::list_max(opts, docs as usize),
        regions: std::mem::take(&mut store.regions.names),
        topics: std::mem::take(&mut store.topics.names),
        year_runs,
        snippet_chars: opts.snippet_chars,
        page_size: opts.page_size.max(1),
        verify_limit: opts.verify_limit.max(1),
    };
    let manifest_path = out_dir.join("index.json");
    let data = serde_json::to_vec(&manifest).map_err(|e| SearchError::Format {
        path: manifest_path.clone(),
        message: e.to_string(),
    })?;
    fs::write(&manifest_path, &data).map_err(io_err(&manifest_path))?;
    Ok(data.len() as u64)
}

/// A key for one document that changes whenever anything the index derives from it changes
/// (its metadata or its body), computed without reading the body (see [`DocSource::key`]).
pub type SourceKey = [u8; 16];

/// The documents of an incremental build: how many, each one's [`SourceKey`] up front, and
/// each document on demand, so that an update reads only the documents that changed.
pub struct DocSource<'a> {
    /// One key per document, in id order.
    pub sources: Vec<SourceKey>,
    doc: Box<DocFn<'a>>,
}

/// Produces document `id`, body included.
type DocFn<'a> = dyn Fn(u32) -> Result<SearchDoc, SearchError> + Sync + 'a;

impl<'a> DocSource<'a> {
    /// Documents `0..sources.len()` produced by `doc(id)`.
    pub fn new(
        sources: Vec<SourceKey>,
        doc: impl Fn(u32) -> Result<SearchDoc, SearchError> + Sync + 'a,
    ) -> DocSource<'a> {
        DocSource {
            sources,
            doc: Box::new(doc),
        }
    }

    /// Documents held in memory (tests and tools); keys hash every field.
    pub fn in_memory(docs: &'a [SearchDoc]) -> DocSource<'a> {
        let sources = docs
            .iter()
            .map(|d| DocSource::key(d, d.body.as_bytes()))
            .collect();
        DocSource::new(sources, move |id| {
            docs.get(id as usize).cloned().ok_or(SearchError::DocOrder {
                expected: docs.len() as u32,
                got: id,
                url: String::new(),
            })
        })
    }

    /// The source key of a document from every field but the body, plus `body_key`, anything
    /// that changes with the body (the body itself, or a hash of the file it comes from).
    pub fn key(doc: &SearchDoc, body_key: &[u8]) -> SourceKey {
        let mut h = blake3::Hasher::new();
        h.update(b"folio-search-source v1\0");
        h.update(&doc.id.to_le_bytes());
        let date = doc.date.as_deref().unwrap_or("\u{1}");
        let lists = [doc.regions.join("\u{1}"), doc.topics.join("\u{1}")];
        for part in [&*doc.url, &doc.title, &doc.kicker, &doc.authors, date]
            .into_iter()
            .chain(lists.iter().map(String::as_str))
        {
            h.update(&(part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
        h.update(&(body_key.len() as u64).to_le_bytes());
        h.update(body_key);
        let mut key = [0u8; 16];
        key.copy_from_slice(&h.finalize().as_bytes()[..16]);
        key
    }

    /// A source key from `parts` that together determine every field of document `id` (its
    /// body included), for a caller that can name them more cheaply than it can build the
    /// document (Folio's build: the article file's hash, its permalink and the settings the
    /// document's fields are derived from).
    pub fn key_of_parts(id: u32, parts: &[&[u8]]) -> SourceKey {
        // A fast 128-bit hash: keys only tell apart what one site indexes.
        // One-shot: a streaming hasher costs more to set up than to run here.
        const TAG: &[u8] = b"folio-search-source parts v2\0";
        let len = parts.iter().map(|p| 8 + p.len()).sum::<usize>();
        let mut m = Vec::with_capacity(TAG.len() + 4 + len);
        m.extend_from_slice(TAG);
        m.extend_from_slice(&id.to_le_bytes());
        for part in parts {
            m.extend_from_slice(&(part.len() as u64).to_le_bytes());
            m.extend_from_slice(part);
        }
        xxhash_rust::xxh3::xxh3_128(&m).to_le_bytes()
    }

    /// Number of documents.
    pub fn len(&self) -> usize {
        self.sources.len()
    }

    /// Whether there are no documents.
    pub fn is_empty(&self) -> bool {
        self.sources.is_empty()
    }

    fn doc(&self, id: u32) -> Result<SearchDoc, SearchError> {
        (self.doc)(id)
    }

    /// Every document with its body, in id order, read in parallel batches of `batch`; the
    /// first error ends the stream and is left in `error`.
    fn full_docs<'s>(
        &'s self,
        batch: usize,
        error: &'s std::sync::Mutex<Option<SearchError>>,
    ) -> impl Iterator<Item = SearchDoc> + Send + 's {
        let n = self.len() as u32;
        let batch = batch.max(1) as u32;
        (0..n)
            .step_by(batch as usize)
            .map_while(move |start| {
                let end = (start + batch).min(n);
                match (start..end)
                    .into_par_iter()
                    .map(|id| self.doc(id))
                    .collect::<Result<Vec<_>, _>>()
                {
                    Ok(docs) => Some(docs),
                    Err(e) => {
                        if let Ok(mut slot) = error.lock() {
                            *slot = Some(e);
                        }
                        None
                    }
                }
            })
            .flatten()
    }
}

/// Like [`build_index`] with a cache, for an index published at `output` (an identity: the
/// final folder, e.g. `public/search`). When the previous build for `output`, whose files are
/// now under `prev_dir` (e.g. a copy of the old `search/` folder) and listed in `prev_files` (as
/// the output recorded them, so that kept files are not looked at on disk), left a committed state in
/// `cache_dir`, the documents keep their ids and few changed (by their source keys), only the
/// changed documents' bodies are read and only the shards of changed terms and the record and
/// text chunks of changed documents are written to `out_dir`; the others are listed in
/// [`SearchStats::kept_files`] for the caller to keep. Otherwise (or if anything does not
/// match) this is a full build. The files of `out_dir` plus the kept ones equal a clean build
/// byte for byte. Call [`commit_state`] once the result is published.
pub fn build_index_incremental(
    source: &DocSource<'_>,
    out_dir: &Path,
    cache_dir: &Path,
    prev_dir: &Path,
    prev_files: &crate::output::Manifest,
    output: &Path,
    opts: &SearchOptions,
) -> Result<SearchStats, SearchError> {
    if !opts.enabled {
        return Ok(SearchStats::default());
    }
    let start = Instant::now();
    let (state_new, state) = state_paths(cache_dir, output);
    let _ = fs::remove_file(&state_new);
    let paths = StatePaths {
        new: &state_new,
        committed: &state,
    };
    if let Some(mut stats) = try_incremental(
        source,
        out_dir,
        cache_dir,
        (prev_dir, prev_files),
        &paths,
        opts,
    )? {
        stats.time = start.elapsed();
        return Ok(stats);
    }
    let error = std::sync::Mutex::new(None);
    let stats = build_full(
        source.full_docs(opts.batch_docs, &error),
        out_dir,
        Some(cache_dir),
        opts,
        Some((&state_new, &source.sources)),
    );
    if let Some(e) = error.into_inner().ok().flatten() {
        let _ = fs::remove_file(&state_new);
        return Err(e);
    }
    stats
}

/// Where the incremental state is read from and written to.
struct StatePaths<'a> {
    new: &'a Path,
    committed: &'a Path,
}

/// The incremental update of [`build_index_incremental`]; `None` when a full build is needed.
/// Decides from the source keys alone, before any body is read.
fn try_incremental(
    source: &DocSource<'_>,
    out_dir: &Path,
    cache_dir: &Path,
    (prev_dir, prev_files): (&Path, &crate::output::Manifest),
    paths: &StatePaths<'_>,
    opts: &SearchOptions,
) -> Result<Option<SearchStats>, SearchError> {
    let Ok(state) = incremental::State::load(paths.committed) else {
        return Ok(None);
    };
    let n = source.len();
    if state.fingerprint != fingerprint(opts)
        || n == 0
        || state.keys.len() != n
        || state.sources.len() != n
    {
        return Ok(None);
    }
    let changed_ids: Vec<u32> = (0..n)
        .filter(|&i| source.sources[i] != state.sources[i])
        .map(|i| i as u32)
        .collect();
    // Beyond this many changed articles a full build is about as fast.
    let max_changed = (n / 20).max(64);
    if changed_ids.len() > max_changed {
        return Ok(None);
    }
    let (doc_chunk, text_chunk) = (opts.doc_chunk.max(1), opts.text_chunk.max(1));
    // Record and text chunks holding a changed document are assembled again in full; every
    // other chunk must be in the previous output.
    let record_chunks: BTreeSet<usize> = changed_ids
        .iter()
        .map(|&i| i as usize / doc_chunk)
        .collect();
    let text_chunks: BTreeSet<usize> = changed_ids
        .iter()
        .map(|&i| i as usize / text_chunk)
        .collect();
    let needs_record = |i: usize| record_chunks.contains(&(i / doc_chunk));
    let needs_text = |i: usize| text_chunks.contains(&(i / text_chunk));
    let needs_body = |i: usize| needs_record(i) || needs_text(i);
    let previous: rustc_hash::FxHashSet<&str> =
        state.files.iter().map(|(rel, _, _)| rel.as_str()).collect();
    let chunks_kept = (0..n.div_ceil(doc_chunk))
        .filter(|c| !record_chunks.contains(c))
        .all(|c| previous.contains(store::record_file(c).as_str()))
        && (0..n.div_ceil(text_chunk))
            .filter(|c| !text_chunks.contains(c))
            .all(|c| previous.contains(store::text_file(c).as_str()));
    if !chunks_kept {
        return Ok(None);
    }
    let Ok(cache) = token_cache::TokenCache::open(cache_dir) else {
        return Ok(None);
    };
    fs::create_dir_all(out_dir).map_err(io_err(out_dir))?;
    clear_previous(out_dir)?;
    let mut store =
        store::StoreWriter::new(out_dir, opts.doc_chunk, opts.text_chunk, opts.facet_block)
            .map_err(io_err(out_dir))?;
    store.set_previous(&state.files);
    let mut stats = SearchStats {
        incremental: true,
        ..SearchStats::default()
    };

    // The changed documents, and their chunk neighbours, with bodies.
    let t0 = Instant::now();
    let full_ids: Vec<u32> = (0..n)
        .filter(|&i| needs_body(i))
        .map(|i| i as u32)
        .collect();
    let full: Vec<SearchDoc> = full_ids
        .par_iter()
        .map(|&id| source.doc(id))
        .collect::<Result<_, _>>()?;
    let mut keys = state.keys.clone();
    let mut changed: Vec<(u32, DocTokens, DocTokens)> = Vec::new();
    for doc in full
        .iter()
        .filter(|d| changed_ids.binary_search(&d.id).is_ok())
    {
        let a = analyze::analyze_cached(doc, Some(&cache), &mut analyze::Scratch::default());
        let old_key = state.keys[doc.id as usize];
        if a.key == old_key {
            continue; // only fields outside the index changed
        }
        let Some(old) = cache.get(&old_key).and_then(|d| analyze::decode(&d)) else {
            return Ok(None);
        };
        let entry = a.new_entry.unwrap_or_else(|| analyze::encode(&a.terms));
        if cache.put(a.key, &entry).is_err() {
            return Ok(None);
        }
        changed.push((doc.id, old.to_tokens(), a.terms.to_tokens()));
        keys[doc.id as usize] = a.key;
    }
    stats.tokenize_time += t0.elapsed();

    // The facet values of the unchanged documents, from the previous output's facet blocks
    // (the ids there name the previous build's regions and topics, which this one starts from)
    // and its manifest's year runs.
    let Some(old_year_runs) = fs::read(prev_dir.join("index.json"))
        .ok()
        .and_then(|data| serde_json::from_slice::<Manifest>(&data).ok())
        .map(|m| m.year_runs)
    else {
        return Ok(None);
    };
    let mut old_facets = store::FacetTable::default();
    for b in 0..n.div_ceil(opts.facet_block.max(1)) {
        let rel = format!("facets/{b}.bin");
        if !previous.contains(rel.as_str()) {
            return Ok(None);
        }
        let Ok(data) = fs::read(prev_dir.join(&rel)) else {
            return Ok(None);
        };
        if old_facets.decode_block(&data, &old_year_runs).is_none() {
            return Ok(None);
        }
    }
    store.set_vocab(&state.regions, &state.topics);

    // Records, texts and facets of every document, in id order: the changed ones and their
    // chunk neighbours from their documents, the others as the previous output holds them.
    let mut full = full.into_iter();
    let mut next_id = 0u32;
    for id in 0..n as u32 {
        stats.documents += 1;
        cache.touch(keys[id as usize]);
        let i = id as usize;
        if needs_body(i) {
            // A source that yields fewer documents than it counts.
            let doc = full.next().ok_or(SearchError::DocOrder {
                expected: id,
                got: u32::MAX,
                url: String::new(),
            })?;
            check_order(&doc, &mut next_id)?;
            let (record, body) = store::record_and_text(&doc, opts.lead_chars);
            store
                .add_parts(
                    &doc,
                    needs_record(i).then_some(&record[..]),
                    needs_text(i).then_some(&body[..]),
                )
                .map_err(io_err(out_dir))?;
        } else {
            next_id = id + 1;
            stats.cached_documents += 1;
            let (year, regions, topics) = old_facets.get(id);
            store
                .add_kept(year, regions, topics)
                .map_err(io_err(out_dir))?;
        }
    }
    store.finish().map_err(io_err(out_dir))?;
    // Facet lists next to the kept shards hold the old facet values: any change to them
    // (a facet block written anew) needs a full build.
    let kept: std::collections::HashSet<&str> = store.kept.iter().map(|k| k.0.as_str()).collect();
    if store
        .produced
        .iter()
        .any(|f| f.0.starts_with("facets/") && !kept.contains(f.0.as_str()))
    {
        return Ok(None);
    }
    // Years are not in the facet files: the counts of common terms in kept shards hold the
    // old years, so any change of them needs a full build.
    let year_runs = store.facets.year_runs();
    if year_runs != old_year_runs {
        return Ok(None);
    }
    let facets = Arc::new(shards::FacetSource::new(
        std::mem::take(&mut store.facets),
        opts,
        keys.len(),
    ));
    let t_shards = Instant::now();
    let affected = incremental::diff(&changed);
    let shard_dir = out_dir.join("t");
    let Some(up) = incremental::update_shards(
        (prev_dir, prev_files),
        out_dir,
        &state.shards,
        &affected,
        opts.shard_bytes,
        keys.len(),
        &facets,
    )
    .map_err(io_err(&shard_dir))?
    else {
        return Ok(None);
    };
    // Side files of kept shards (`t/<name>.h<i>.json` heads, `t/<name>.p.bin` packed
    // postings) are kept with them; the packed terms go into the shard directories again.
    let mut side: std::collections::HashMap<&str, Vec<(String, u64)>> = Default::default();
    for (rel, len) in prev_files.under("t/") {
        let Some((name, rest)) = rel[2..].split_once('.') else {
            continue;
        };
        if (rest.starts_with('h') && rest.ends_with(".json")) || rest == "p.bin" {
            side.entry(name).or_default().push((rel.clone(), *len));
        }
    }
    let old_name = |j: usize| shards::shard_name(j, &state.shards[j].0);
    let mut packed = up.packed.clone();
    for &(j, position) in &up.kept {
        let rel = format!("t/{}.p.bin", old_name(j));
        if side
            .get(old_name(j).as_str())
            .is_some_and(|files| files.iter().any(|f| f.0 == rel))
        {
            let path = prev_dir.join(&rel);
            let data = fs::read(&path).map_err(io_err(&path))?;
            let Ok(terms) = packed::terms(&data) else {
                return Ok(None);
            };
            packed.insert(position, terms);
        }
    }
    let firsts: Vec<String> = up.shards.iter().map(|s| s.0.clone()).collect();
    let (groups, dir_bytes) = shards::write_dirs(out_dir, &firsts, &packed, opts.dir_group)
        .map_err(io_err(&shard_dir))?;
    stats.shard_time = t_shards.elapsed();
    let (regions, topics) = (store.regions.names.clone(), store.topics.names.clone());
    let data = write_manifest(
        out_dir,
        opts,
        stats.documents,
        firsts.len() as u64,
        groups,
        year_runs,
        &mut store,
    )?;
    if cache.finish().is_err() {
        return Ok(None);
    }
    // Kept record files must still be in the previous output as recorded.
    for (rel, len) in &store.kept {
        if prev_files.len_of(rel) != Some(*len) {
            return Ok(None);
        }
    }
    stats.kept_files = Vec::with_capacity(up.kept.len() * 2);
    for &(j, _) in &up.kept {
        let name = old_name(j);
        let lists = format!("t/{name}.f.bin");
        let Some(len) = prev_files.len_of(&lists) else {
            return Ok(None);
        };
        stats
            .kept_files
            .push((format!("t/{name}.json"), state.shards[j].1));
        stats.kept_files.push((lists, len));
        stats
            .kept_files
            .extend(side.remove(name.as_str()).unwrap_or_default());
    }
    stats.kept_files.append(&mut store.kept);
    stats.shards = firsts.len() as u64;
    stats.shards_written = up.written.len() as u64;
    stats.terms = up.terms_written;
    stats.index_bytes = up.shards.iter().map(|s| s.1).sum::<u64>() + dir_bytes;
    stats.total_bytes = stats.index_bytes + store.bytes + data;
    let new_state = incremental::State {
        fingerprint: state.fingerprint,
        keys,
        sources: source.sources.clone(),
        shards: up.shards,
        files: std::mem::take(&mut store.produced),
        regions,
        topics,
    };
    let _ = new_state.save(paths.new);
    Ok(Some(stats))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_parse_from_toml_with_defaults() {
        let o: SearchOptions = toml::from_str("shard_bytes = 1000\nenabled = false").unwrap();
        assert_eq!(o.shard_bytes, 1000);
        assert!(!o.enabled);
        assert_eq!(o.doc_chunk, SearchOptions::default().doc_chunk);
        assert!(toml::from_str::<SearchOptions>("bogus = 1").is_err());
    }

    #[test]
    fn disabled_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("search");
        let opts = SearchOptions {
            enabled: false,
            ..Default::default()
        };
        let stats = build_index(std::iter::empty(), &out, None, &opts).unwrap();
        assert_eq!(stats.documents, 0);
        assert!(!out.exists());
    }

    #[test]
    fn rejects_out_of_order_ids() {
        let dir = tempfile::tempdir().unwrap();
        let docs = vec![SearchDoc {
            id: 1,
            ..SearchDoc::default()
        }];
        let err = build_index(
            docs.into_iter(),
            dir.path(),
            None,
            &SearchOptions::default(),
        );
        assert!(matches!(
            err,
            Err(SearchError::DocOrder {
                expected: 0,
                got: 1,
                ..
            })
        ));
    }
}
