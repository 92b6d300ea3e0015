//! Whole-component tests of `build_index`: the committed fixture index (read by the node
//! tests in tests/js/) is up to date, output is byte-identical across builds, with spilled
//! runs and with a warm token cache, and the cold-query measurement works.
//!
//! Regenerate the committed fixture with `FOLIO_UPDATE_FIXTURES=1 cargo test --test search_build`.

#[path = "search_support/mod.rs"]
mod support;

use std::fs;

use folio::search::{SearchOptions, build_index, cold_query_report};

#[test]
fn committed_fixture_index_is_up_to_date() {
    let tmp = tempfile::tempdir().unwrap();
    build_index(
        support::archive().into_iter(),
        tmp.path(),
        None,
        &support::fixture_options(),
    )
    .unwrap();
    let fixture = support::root().join("tests/fixtures/search/index");
    if std::env::var_os("FOLIO_UPDATE_FIXTURES").is_some() {
        let _ = fs::remove_dir_all(&fixture);
        for (rel, data) in support::snapshot(tmp.path()) {
            let path = fixture.join(rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, data).unwrap();
        }
    }
    assert!(
        support::snapshot(tmp.path()) == support::snapshot(&fixture),
        "tests/fixtures/search/index is stale: rerun with FOLIO_UPDATE_FIXTURES=1"
    );
}

#[test]
fn output_is_identical_with_spills_and_with_cache() {
    let docs = support::archive();
    let base = tempfile::tempdir().unwrap();
    let opts = support::fixture_options();
    let plain = base.path().join("plain");
    let s1 = build_index(docs.clone().into_iter(), &plain, None, &opts).unwrap();
    assert_eq!(s1.spilled_runs, 0);

    // A zero budget with tiny batches spills a sorted run after every batch.
    let spilled = base.path().join("spilled");
    let tight = SearchOptions {
        memory_mb: 0,
        batch_docs: 3,
        ..opts.clone()
    };
    let s2 = build_index(docs.clone().into_iter(), &spilled, None, &tight).unwrap();
    assert!(
        s2.spilled_runs >= 1,
        "expected a spill, got {}",
        s2.spilled_runs
    );
    assert!(
        !spilled.join(".runs").exists(),
        "spill files must be removed"
    );

    let cache = base.path().join("cache");
    let cold = base.path().join("cold");
    let warm = base.path().join("warm");
    let s3 = build_index(docs.clone().into_iter(), &cold, Some(&cache), &opts).unwrap();
    assert_eq!(s3.cached_documents, 0);
    // Edit one article: only it is re-tokenized.
    let mut edited = docs.clone();
    edited[3].body.push_str("新增一段文字。");
    let s4 = build_index(edited.clone().into_iter(), &warm, Some(&cache), &opts).unwrap();
    assert_eq!(s4.cached_documents, docs.len() as u64 - 1);

    let fresh = base.path().join("fresh");
    build_index(edited.into_iter(), &fresh, None, &opts).unwrap();
    assert!(support::snapshot(&plain) == support::snapshot(&spilled));
    assert!(support::snapshot(&plain) == support::snapshot(&cold));
    assert!(support::snapshot(&fresh) == support::snapshot(&warm));
    assert!(support::snapshot(&plain) != support::snapshot(&warm));

    // Rebuilding into a used directory leaves no stale files.
    build_index(docs.into_iter(), &warm, Some(&cache), &opts).unwrap();
    assert!(support::snapshot(&plain) == support::snapshot(&warm));
}

#[test]
fn empty_archive_builds_a_valid_empty_index() {
    let tmp = tempfile::tempdir().unwrap();
    let stats = build_index(
        std::iter::empty(),
        tmp.path(),
        None,
        &SearchOptions::default(),
    )
    .unwrap();
    assert_eq!((stats.documents, stats.shards), (0, 1));
    let r = cold_query_report(tmp.path(), "保靖").unwrap();
    assert_eq!(r.candidates, 0);
}

#[test]
fn cold_query_downloads_only_what_the_query_needs() {
    let tmp = tempfile::tempdir().unwrap();
    let opts = support::fixture_options();
    let stats = build_index(support::archive().into_iter(), tmp.path(), None, &opts).unwrap();
    let r = cold_query_report(tmp.path(), "保靖").unwrap();
    assert!(r.candidates > 0);
    let names: Vec<&str> = r.files.iter().map(|(f, _)| f.as_str()).collect();
    assert!(names.contains(&"search.js") && names.contains(&"index.json"));
    let shards = names
        .iter()
        .filter(|f| f.starts_with("t/") && !f.starts_with("t/d"))
        .count();
    assert_eq!(shards, 1, "one bigram needs one shard: {names:?}");
    assert!((shards as u64) < stats.shards);
    assert!(r.gzip_bytes < r.raw_bytes);
    assert_eq!(r.gzip_bytes, r.files.iter().map(|(_, gz)| gz).sum::<u64>());
    let records = |r: &folio::search::ColdQuery, dir: &str| {
        r.files.iter().filter(|(f, _)| f.starts_with(dir)).count()
    };
    // The first page's records come in chunks; no full text is needed without a phrase.
    let shown = r.candidates.min(opts.page_size);
    assert!(records(&r, "docs/") >= shown.div_ceil(opts.doc_chunk));
    assert!(records(&r, "docs/") <= shown);
    assert_eq!(records(&r, "text/"), 0);
    // A phrase of several bigrams fetches the full text of all candidates for verification.
    let p = cold_query_report(tmp.path(), "\"乡村振兴\"").unwrap();
    assert!(p.candidates > 0);
    assert!(
        records(&p, "text/")
            >= p.candidates
                .min(opts.verify_limit)
                .div_ceil(opts.text_chunk)
    );
}
