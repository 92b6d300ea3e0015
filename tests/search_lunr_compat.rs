//! Proves the streaming shard writer emits exactly elasticlunr-rs's JSON: the fixture archive
//! indexed by `elasticlunr::Index` (with our Language) and by `build_index` must agree byte
//! for byte (one shard), and the union of many shards and their packed postings (terms in
//! more than `json_list_max` articles) must equal the one index.

#[path = "search_support/mod.rs"]
mod support;

use std::collections::BTreeMap;

use elasticlunr::IndexBuilder;
use folio::search::lunr_json::{DocStore, FIELDS, Posting, TermPostings, write_index_json};
use folio::search::{FolioLanguage, SearchOptions, analyze, build_index, decode_packed};
use serde_json::Value;

fn reference_json() -> String {
    let mut index = IndexBuilder::with_language(Box::new(FolioLanguage))
        .save_docs(false)
        .add_fields(FIELDS)
        .build();
    for d in support::archive() {
        index.add_doc(
            &d.id.to_string(),
            [&d.title, &d.kicker, &d.body, &d.authors],
        );
    }
    index.to_json()
}

#[test]
fn writer_with_full_document_store_equals_index_to_json() {
    let docs = support::archive();
    let mut terms: BTreeMap<String, Vec<Posting>> = BTreeMap::new();
    let mut lengths = Vec::new();
    for d in &docs {
        let t = analyze(d);
        lengths.push(t.lengths);
        for (term, counts) in t.terms {
            for (field, &count) in counts.iter().enumerate() {
                if count > 0 {
                    let p = Posting {
                        doc: d.id,
                        field: field as u8,
                        count,
                    };
                    terms.entry(term.clone()).or_default().push(p);
                }
            }
        }
    }
    let terms: Vec<TermPostings> = terms
        .into_iter()
        .map(|(term, postings)| TermPostings { term, postings })
        .collect();
    let mut out = Vec::new();
    write_index_json(&mut out, &terms, DocStore::Full(&lengths)).unwrap();
    let ours = String::from_utf8(out).unwrap();
    let reference = reference_json();
    assert!(
        reference.len() > 100_000,
        "fixture archive too small to mean much"
    );
    assert_eq!(ours, reference);
}

#[test]
fn single_shard_build_equals_index_except_document_store() {
    let dir = tempfile::tempdir().unwrap();
    let opts = SearchOptions {
        shard_bytes: usize::MAX,
        ..Default::default()
    };
    let stats = build_index(support::archive().into_iter(), dir.path(), None, &opts).unwrap();
    assert_eq!(stats.shards, 1);
    let name = folio::search::shard_name(0, "");
    let shard = std::fs::read_to_string(dir.path().join(format!("t/{name}.json"))).unwrap();
    let reference = reference_json();
    let (head, rest) = reference.split_once(",\"documentStore\":").unwrap();
    let (_, tail) = rest.split_once(",\"lang\":").unwrap();
    let expected = format!(
        "{head},\"documentStore\":{{\"save\":false,\"docs\":{{}},\"docInfo\":{{}},\"length\":{}}},\"lang\":{tail}",
        stats.documents
    );
    assert_eq!(shard, expected);
}

fn merge(into: &mut Value, from: &Value) {
    let (Value::Object(a), Value::Object(b)) = (into, from) else {
        panic!("trie nodes must be objects");
    };
    for (k, v) in b {
        match a.get_mut(k) {
            Some(existing) if k != "docs" && k != "df" => merge(existing, v),
            Some(existing) if k == "docs" && v.as_object().is_some_and(|o| !o.is_empty()) => {
                assert!(
                    existing.as_object().unwrap().is_empty(),
                    "term in two shards"
                );
                *existing = v.clone();
            }
            Some(existing) if k == "df" && v.as_i64() != Some(0) => *existing = v.clone(),
            Some(_) => {}
            None => {
                a.insert(k.clone(), v.clone());
            }
        }
    }
}

#[test]
fn union_of_many_shards_equals_the_single_index() {
    let dir = tempfile::tempdir().unwrap();
    let opts = support::fixture_options();
    let stats = build_index(support::archive().into_iter(), dir.path(), None, &opts).unwrap();
    assert!(
        stats.shards > 8,
        "want several directory groups, got {} shards",
        stats.shards
    );
    let reference: Value = serde_json::from_str(&reference_json()).unwrap();
    let mut merged = reference["index"].clone();
    for field in merged.as_object_mut().unwrap().values_mut() {
        field["root"] = serde_json::json!({"docs": {}, "df": 0});
    }
    let mut shards = 0;
    let mut packed_terms = 0;
    for entry in std::fs::read_dir(dir.path().join("t")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if let Some(stem) = name.strip_suffix(".p.bin") {
            // Packed postings, written back as elasticlunr JSON and merged like a shard.
            let data = std::fs::read(dir.path().join("t").join(&name)).unwrap();
            let terms = decode_packed(&data, stats.documents as usize).unwrap();
            assert!(!terms.is_empty(), "{stem}: empty packed file");
            packed_terms += terms.len();
            let mut out = Vec::new();
            write_index_json(&mut out, &terms, DocStore::CountOnly(0)).unwrap();
            let packed: Value = serde_json::from_slice(&out).unwrap();
            merge(&mut merged, &packed["index"]);
            continue;
        }
        // Shards, not their heads (`<name>.h<i>.json`) nor the directories (`d<g>.json`).
        let Some(stem) = name.strip_suffix(".json") else {
            continue;
        };
        if stem.contains('.') || stem.len() != 16 {
            continue;
        }
        shards += 1;
        let text = std::fs::read_to_string(dir.path().join("t").join(&name)).unwrap();
        let shard: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(shard["fields"], reference["fields"]);
        assert_eq!(shard["documentStore"]["length"], stats.documents);
        merge(&mut merged, &shard["index"]);
    }
    assert_eq!(shards, stats.shards);
    assert!(packed_terms > 10, "want packed terms, got {packed_terms}");
    assert_eq!(merged, reference["index"]);
}
