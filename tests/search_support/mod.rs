//! Shared helpers of the search tests: the fixture archive and a directory snapshot.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use folio::search::SearchDoc;

/// Repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The fixture archive built from the seed pages (tests/fixtures/search/archive.json).
pub fn archive() -> Vec<SearchDoc> {
    let path = root().join("tests/fixtures/search/archive.json");
    let text = std::fs::read_to_string(&path).expect("read archive.json");
    serde_json::from_str(&text).expect("parse archive.json")
}

/// Every file under `dir` (relative path → bytes), sorted.
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.expect("walk");
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(dir).expect("prefix");
            let rel = rel.to_string_lossy().replace('\\', "/");
            out.insert(rel, std::fs::read(entry.path()).expect("read"));
        }
    }
    out
}

/// Options used for the committed fixture index: small shards and directory groups so the
/// multi-shard and multi-group paths are exercised on a small archive.
pub fn fixture_options() -> folio::search::SearchOptions {
    folio::search::SearchOptions {
        shard_bytes: 24 * 1024,
        dir_group: 8,
        doc_chunk: 2,
        text_chunk: 3,
        facet_block: 8,
        // Small enough that common terms keep only facet counts (both kinds are tested).
        facet_list_max: 12,
        // Terms in more than 6 articles are packed: some with facet lists, some with counts.
        json_list_max: 6,
        ..Default::default()
    }
}
