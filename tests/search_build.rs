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
    build_index(docs.clone().into_iter(), &warm, Some(&cache), &opts).unwrap();
    assert!(support::snapshot(&plain) == support::snapshot(&warm));

    // Tiny batches: each batch is analyzed (reading the cache) while the previous one is
    // added (appending to it); a new cache fills and the next build reads it all back.
    let small = SearchOptions {
        batch_docs: 2,
        ..opts.clone()
    };
    let cache2 = base.path().join("cache2");
    let (a, b) = (base.path().join("a"), base.path().join("b"));
    let s5 = build_index(docs.clone().into_iter(), &a, Some(&cache2), &small).unwrap();
    let s6 = build_index(docs.clone().into_iter(), &b, Some(&cache2), &small).unwrap();
    assert_eq!(
        (s5.cached_documents, s6.cached_documents),
        (0, docs.len() as u64)
    );
    assert!(support::snapshot(&plain) == support::snapshot(&a));
    assert!(support::snapshot(&plain) == support::snapshot(&b));
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
        .filter(|f| {
            f.starts_with("t/")
                && !f.starts_with("t/d")
                && f.ends_with(".json")
                && !f.contains(".h")
        })
        .count();
    assert_eq!(shards, 1, "one bigram needs one shard: {names:?}");
    // The facets of its hits come from that shard's facet lists, not from facet blocks.
    assert!(names.iter().any(|f| f.ends_with(".f.bin")), "{names:?}");
    assert!(!names.iter().any(|f| f.starts_with("facets/")), "{names:?}");
    assert!((shards as u64) < stats.shards);
    assert!(r.gzip_bytes < r.raw_bytes);
    assert_eq!(r.gzip_bytes, r.files.iter().map(|(_, gz)| gz).sum::<u64>());
    let records = |r: &folio::search::ColdQuery, dir: &str| {
        r.files.iter().filter(|(f, _)| f.starts_with(dir)).count()
    };
    // The first page's records come in chunks; without a phrase, a full text is fetched only
    // as the snippet source of a shown hit whose title, kicker and lead lack the term.
    let shown = r.candidates.min(opts.page_size);
    assert!(records(&r, "docs/") >= shown.div_ceil(opts.doc_chunk));
    assert!(records(&r, "docs/") <= shown);
    assert!(
        records(&r, "text/") < shown,
        "most hits have the term in their lead"
    );
    let title = cold_query_report(tmp.path(), "乡村振兴").unwrap();
    assert!(records(&title, "text/") <= title.candidates.min(opts.page_size));
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

/// The files of an incremental build: what it wrote plus what it kept from `prev`.
fn assembled(
    out: &std::path::Path,
    prev: &std::path::Path,
    stats: &folio::search::SearchStats,
) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut snap = support::snapshot(out);
    for (rel, len) in &stats.kept_files {
        let data = fs::read(prev.join(rel)).unwrap();
        assert_eq!(data.len() as u64, *len, "{rel}");
        assert!(
            snap.insert(rel.clone(), data).is_none(),
            "{rel} both kept and written"
        );
    }
    snap
}

/// The first term of every shard of a built index, in order, from its directory files.
fn firsts(dir: &std::path::Path) -> Vec<String> {
    let m: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.join("index.json")).unwrap()).unwrap();
    let shards = m["shards"].as_u64().unwrap() as usize;
    let group = m["dirGroup"].as_u64().unwrap() as usize;
    let mut firsts: Vec<String> = Vec::new();
    for g in 0..shards.div_ceil(group) {
        let d: serde_json::Value =
            serde_json::from_slice(&fs::read(dir.join(format!("t/d{g}.json"))).unwrap()).unwrap();
        let d: Vec<String> = serde_json::from_value(d["firsts"].clone()).unwrap();
        firsts.extend(d);
    }
    firsts
}

/// Every packed term of a built index, from its directory files.
fn packed_terms(dir: &std::path::Path) -> std::collections::BTreeSet<String> {
    let mut out = std::collections::BTreeSet::new();
    for g in 0.. {
        let Ok(data) = fs::read(dir.join(format!("t/d{g}.json"))) else {
            break;
        };
        let d: serde_json::Value = serde_json::from_slice(&data).unwrap();
        let list: Vec<String> = serde_json::from_value(d["packed"].clone()).unwrap();
        out.extend(list);
    }
    out
}

/// Position of the shard holding `term`, from a built index's directory files.
fn shard_of(dir: &std::path::Path, term: &str) -> usize {
    firsts(dir)
        .partition_point(|f| f.as_str() <= term)
        .saturating_sub(1)
}

/// Positions of the shards whose files `out` holds, in the index built in `clean`.
fn written_positions(out: &std::path::Path, clean: &std::path::Path) -> Vec<usize> {
    let by_name: std::collections::HashMap<String, usize> = firsts(clean)
        .iter()
        .enumerate()
        .map(|(k, f)| (folio::search::shard_name(k, f), k))
        .collect();
    let mut written: Vec<usize> = support::snapshot(out)
        .keys()
        .filter_map(|f| by_name.get(f.strip_prefix("t/")?.strip_suffix(".json")?))
        .copied()
        .collect();
    written.sort_unstable();
    written
}

/// The documents of `docs`, counting the bodies read into `reads`.
fn counting<'a>(
    docs: &'a [folio::search::SearchDoc],
    reads: &'a std::sync::atomic::AtomicUsize,
) -> folio::search::DocSource<'a> {
    let sources = folio::search::DocSource::in_memory(docs).sources;
    folio::search::DocSource::new(sources, move |id| {
        reads.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(docs[id as usize].clone())
    })
}

#[test]
fn incremental_update_equals_clean_build_and_rewrites_only_changed_shards() {
    use folio::search::{DocSource, analyze, build_index_incremental, commit_state};
    let docs = support::archive();
    let opts = support::fixture_options();
    let base = tempfile::tempdir().unwrap();
    let cache = base.path().join("cache");
    let public = base.path().join("public");
    let clean = |docs: &[folio::search::SearchDoc], name: &str| {
        let dir = base.path().join(name);
        build_index(docs.iter().cloned(), &dir, None, &opts).unwrap();
        support::snapshot(&dir)
    };

    // One incremental build of `source` into `out`, the previous output being in `prev`.
    let update = |source: &DocSource, out: &std::path::Path, prev: &std::path::Path| {
        let listed = folio::output::Manifest::scan(prev);
        build_index_incremental(source, out, &cache, prev, &listed, &public, &opts).unwrap()
    };

    // No state yet: a full build.
    let v0 = base.path().join("v0");
    let s0 = update(&DocSource::in_memory(&docs), &v0, &base.path().join("none"));
    assert!(!s0.incremental && s0.kept_files.is_empty());
    assert!(s0.shards > 10, "fixture needs many shards: {}", s0.shards);
    assert!(support::snapshot(&v0) == clean(&docs, "c0"));
    commit_state(&cache, &public).unwrap();

    // Nothing changed, but the previous files are not where the state says: a full build.
    let vx = base.path().join("vx");
    let sx = update(
        &DocSource::in_memory(&docs),
        &vx,
        &base.path().join("empty"),
    );
    assert!(!sx.incremental);
    // Nothing changed and the files are there: every shard is kept.
    let reads = std::sync::atomic::AtomicUsize::new(0);
    let sy = update(&counting(&docs, &reads), &vx, &v0);
    assert!(sy.incremental && sy.shards_written == 0);
    assert_eq!(
        reads.load(std::sync::atomic::Ordering::Relaxed),
        0,
        "no document read"
    );
    let kept_shards = sy
        .kept_files
        .iter()
        .filter(|(f, _)| f.starts_with("t/") && f.ends_with(".json") && !f.contains(".h"))
        .count();
    assert_eq!(kept_shards as u64, s0.shards);
    let kept_lists = sy
        .kept_files
        .iter()
        .filter(|(f, _)| f.ends_with(".f.bin"))
        .count();
    assert_eq!(kept_lists as u64, s0.shards);
    // So are the record, text and facet files: only directories and the manifest are written.
    assert!(
        support::snapshot(&vx)
            .keys()
            .all(|f| f == "index.json" || f.starts_with("t/d")),
        "{:?}",
        support::snapshot(&vx).keys().collect::<Vec<_>>()
    );

    // One article's body grows by a sentence: only shards of its changed terms are written.
    let mut v1_docs = docs.clone();
    v1_docs[3]
        .body
        .push_str("新增一段文字，保靖黄金茶再获丰收乡村。");
    let v1 = base.path().join("v1");
    let reads = std::sync::atomic::AtomicUsize::new(0);
    let s1 = update(&counting(&v1_docs, &reads), &v1, &v0);
    assert!(s1.incremental);
    // Only the documents of the edited article's record chunk (2) and text chunk (3) are read.
    let read = reads.load(std::sync::atomic::Ordering::Relaxed);
    assert!((1..=4).contains(&read), "read {read} bodies");
    let expected = clean(&v1_docs, "c1");
    let got = assembled(&v1, &v0, &s1);
    let differ: Vec<&String> = (got.keys().chain(expected.keys()))
        .filter(|k| got.get(*k) != expected.get(*k))
        .collect();
    let missing: Vec<&&String> = differ.iter().filter(|k| !got.contains_key(**k)).collect();
    assert!(
        differ.is_empty(),
        "incremental != clean: {differ:?} missing {missing:?}"
    );
    let (old_t, new_t) = (analyze(&docs[3]), analyze(&v1_docs[3]));
    let changed: Vec<&String> = new_t
        .terms
        .iter()
        .filter(|t| !old_t.terms.contains(t))
        .map(|t| &t.0)
        .collect();
    assert!(!changed.is_empty());
    // Some of its changed terms are packed (postings in `t/<k>.p.bin`, not the JSON): the
    // update read them back from the previous packed files.
    let packed = packed_terms(&base.path().join("c1"));
    assert!(
        changed.iter().any(|t| packed.contains(*t)),
        "no changed term is packed: {changed:?}"
    );
    let near: std::collections::BTreeSet<usize> = changed
        .iter()
        .map(|t| shard_of(&base.path().join("c1"), t))
        .flat_map(|k| [k.saturating_sub(1), k, k + 1])
        .collect();
    let written: std::collections::BTreeSet<usize> =
        written_positions(&v1, &base.path().join("c1"))
            .into_iter()
            .collect();
    assert_eq!(written.len() as u64, s1.shards_written);
    // Shards are re-cut from a changed term on until the cuts meet the old boundaries, so
    // each run of consecutive written shards starts next to a changed term.
    let mut run_starts = written
        .iter()
        .filter(|&&k| k == 0 || !written.contains(&(k - 1)));
    assert!(
        run_starts.all(|k| near.contains(k)),
        "wrote {written:?}, changed terms near {near:?}"
    );
    assert!(s1.shards_written < s0.shards / 2);

    // Chained: a second update on top of the first (a title edit and a removed paragraph).
    commit_state(&cache, &public).unwrap();
    let mut prev = expected;
    let v1_full = base.path().join("v1-full");
    for (rel, data) in &prev {
        let p = v1_full.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, data).unwrap();
    }
    let mut v2_docs = v1_docs.clone();
    v2_docs[0].title.push_str("（更新）");
    let cut = v2_docs[7].body.find('\n').unwrap_or(0);
    v2_docs[7].body.replace_range(..cut, "");
    let v2 = base.path().join("v2");
    let s2 = update(&DocSource::in_memory(&v2_docs), &v2, &v1_full);
    assert!(s2.incremental);
    prev = assembled(&v2, &v1_full, &s2);
    assert!(
        prev == clean(&v2_docs, "c2"),
        "chained incremental != clean"
    );

    // Without a committed state (the last build was not committed) or with a different
    // document count: a full build, still equal to a clean one.
    let v3 = base.path().join("v3");
    let s3 = update(&DocSource::in_memory(&v2_docs), &v3, &v2);
    assert!(!s3.incremental);
    commit_state(&cache, &public).unwrap();
    let fewer = &v2_docs[..v2_docs.len() - 1];
    let v4 = base.path().join("v4");
    let s4 = update(&DocSource::in_memory(fewer), &v4, &v3);
    assert!(!s4.incremental);
    assert!(support::snapshot(&v4) == clean(fewer, "c4"));

    // A changed region changes facet lists of shards no term change touches: a full build.
    commit_state(&cache, &public).unwrap();
    let mut v5_docs = fewer.to_vec();
    v5_docs[2].regions = vec!["怀化市".into()];
    let v5 = base.path().join("v5");
    let s5 = update(&DocSource::in_memory(&v5_docs), &v5, &v4);
    assert!(!s5.incremental);
    assert!(support::snapshot(&v5) == clean(&v5_docs, "c5"));
    // Many new numbers (terms that sort before every word) add shards near the start: the
    // shards after them keep their files, named by first term, not by position.
    commit_state(&cache, &public).unwrap();
    let v5_full = base.path().join("v5-full");
    for (rel, data) in &support::snapshot(&v5) {
        let p = v5_full.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, data).unwrap();
    }
    let mut v6_docs = v5_docs.clone();
    for i in 0..400u64 {
        v6_docs[5]
            .body
            .push_str(&format!(" 0{:07}", i * 7919 % 1_000_003));
    }
    let v6 = base.path().join("v6");
    let s6 = update(&DocSource::in_memory(&v6_docs), &v6, &v5_full);
    assert!(s6.incremental);
    assert!(
        assembled(&v6, &v5_full, &s6) == clean(&v6_docs, "c6"),
        "incremental != clean after new shards"
    );
    assert!(
        s6.shards > s5.shards,
        "{} → {} shards",
        s5.shards,
        s6.shards
    );
    let written = written_positions(&v6, &base.path().join("c6"));
    assert_eq!(written.len() as u64, s6.shards_written);
    assert!(
        s6.shards_written * 3 < s6.shards && written.last() < Some(&(s6.shards as usize / 2)),
        "wrote shards {written:?} of {}",
        s6.shards
    );

    // A changed year, the article keeping its id: the facet files hold no years (the manifest
    // does), but the facet counts of common terms in untouched shards do: a full build.
    commit_state(&cache, &public).unwrap();
    let v6_full = base.path().join("v6-full");
    for (rel, data) in &assembled(&v6, &v5_full, &s6) {
        let p = v6_full.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, data).unwrap();
    }
    let mut v7_docs = v6_docs.clone();
    let old_date = v7_docs[2].date.clone().unwrap();
    v7_docs[2].date = Some(format!("1901{}", &old_date[4..]));
    let v7 = base.path().join("v7");
    let s7 = update(&DocSource::in_memory(&v7_docs), &v7, &v6_full);
    assert!(!s7.incremental);
    assert!(support::snapshot(&v7) == clean(&v7_docs, "c7"));
    let manifest: serde_json::Value =
        serde_json::from_slice(&support::snapshot(&v7)["index.json"]).unwrap();
    assert!(
        (manifest["yearRuns"].as_array().unwrap().iter()).any(|r| r[0] == 2 && r[1] == 1901),
        "{}",
        manifest["yearRuns"]
    );
}

/// A term whose document count crosses `json_list_max` moves between a shard's JSON and its
/// packed file: an incremental update must write what a clean build writes, both ways.
#[test]
fn incremental_update_moves_terms_between_json_and_packed_files() {
    use folio::search::{DocSource, analyze, build_index_incremental, commit_state};
    let docs = support::archive();
    let opts = support::fixture_options();
    let base = tempfile::tempdir().unwrap();
    let cache = base.path().join("cache");
    let public = base.path().join("public");
    let update =
        |docs: &[folio::search::SearchDoc], out: &std::path::Path, prev: &std::path::Path| {
            let listed = folio::output::Manifest::scan(prev);
            build_index_incremental(
                &DocSource::in_memory(docs),
                out,
                &cache,
                prev,
                &listed,
                &public,
                &opts,
            )
            .unwrap()
        };
    // Bigrams in exactly `json_list_max` documents (JSON) and in one more (packed).
    let has = |d: &folio::search::SearchDoc, t: &str| analyze(d).terms.iter().any(|x| x.0 == t);
    let mut holders: std::collections::BTreeMap<String, Vec<usize>> = Default::default();
    for (i, d) in docs.iter().enumerate() {
        for (term, _) in analyze(d).terms {
            if term.chars().count() == 2 {
                holders.entry(term).or_default().push(i);
            }
        }
    }
    let max = opts.json_list_max;
    let mut v1_docs = docs.clone();
    // One more document holds `rising`.
    let (rising, _) = holders.iter().find(|(_, h)| h.len() == max).unwrap();
    let outsider = (0..docs.len())
        .find(|i| !holders[rising].contains(i))
        .unwrap();
    v1_docs[outsider].body.push_str(&format!("\n{rising}。"));
    // One fewer holds `falling`: a document where it is only in the body, taken out there.
    let (falling, shrink) = holders
        .iter()
        .filter(|(t, h)| h.len() == max + 1 && !h.contains(&outsider) && *t != rising)
        .find_map(|(t, h)| {
            h.iter()
                .copied()
                .find(|&i| {
                    let mut d = docs[i].clone();
                    d.body = d.body.replace(t.as_str(), "，");
                    !has(&d, t)
                })
                .map(|i| (t.clone(), i))
        })
        .unwrap();
    v1_docs[shrink].body = v1_docs[shrink].body.replace(falling.as_str(), "，");
    assert!(has(&v1_docs[outsider], rising) && !has(&v1_docs[shrink], &falling));

    let v0 = base.path().join("v0");
    let s0 = update(&docs, &v0, &base.path().join("none"));
    assert!(!s0.incremental);
    commit_state(&cache, &public).unwrap();
    assert!(!packed_terms(&v0).contains(rising) && packed_terms(&v0).contains(&falling));

    let v1 = base.path().join("v1");
    let s1 = update(&v1_docs, &v1, &v0);
    assert!(s1.incremental);
    let clean = base.path().join("c1");
    build_index(v1_docs.iter().cloned(), &clean, None, &opts).unwrap();
    assert!(packed_terms(&clean).contains(rising) && !packed_terms(&clean).contains(&falling));
    assert!(
        assembled(&v1, &v0, &s1) == support::snapshot(&clean),
        "incremental != clean after {rising} rose and {falling} fell"
    );
}
