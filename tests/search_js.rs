//! Runs the search script's own tests under Node (`node --test tests/js/`):
//! the JavaScript tokenizer against the shared vectors, and queries against
//! an index written by the Rust builder. Skips with a message when `node` is
//! missing, unless `FOLIO_REQUIRE_BROWSER` is set (CI).

#[path = "search_support/mod.rs"]
mod support;

use std::process::Command;

/// Runs `node --test <target>` from the crate root with `env` set, asserts it
/// succeeded and returns its output; `None` (skipped) when `node` is missing.
fn node_test(target: &str, env: &[(&str, &std::path::Path)]) -> Option<String> {
    let mut command = Command::new("node");
    command
        .args(["--test", target])
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    for (key, value) in env {
        command.env(key, value);
    }
    let Ok(out) = command.output() else {
        assert!(
            std::env::var_os("FOLIO_REQUIRE_BROWSER").is_none(),
            "FOLIO_REQUIRE_BROWSER is set (CI) but `node` is not installed"
        );
        eprintln!("SKIPPED: `node` is not installed");
        return None;
    };
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "node --test failed:\n{text}");
    Some(text)
}

/// Runs a test file that skips unless `env` points it at its input (written by the caller),
/// and asserts its one test ran and passed (unless `node` is missing).
fn one_node_test(target: &str, env: (&str, &std::path::Path)) {
    let Some(text) = node_test(target, &[env]) else {
        return;
    };
    assert!(text.contains("# pass 1"), "{text}");
    assert!(
        text.contains("# fail 0") && text.contains("# skipped 0"),
        "{text}"
    );
}

#[test]
fn javascript_tests_pass_under_node() {
    let Some(text) = node_test("tests/js/", &[]) else {
        return;
    };
    assert!(text.contains("# pass"), "no test ran:\n{text}");
    assert!(text.contains("# fail 0"), "{text}");
}

/// Word prefixes and heads (`tests/js/prefix_heads.test.js`) on an index written here: every
/// article holds "UBE" and "2024", some also "best" and "Unesco 10245", so "ube", "2024" and
/// (a suffix) "sco" are common terms that no longer term starts with; "be" ("best") and "024"
/// ("0245") are not.
#[test]
fn word_prefix_queries_use_heads_only_for_a_single_term() {
    use folio::search::{SearchDoc, SearchOptions, build_index};
    let dir = tempfile::tempdir().expect("tempdir");
    let regions = ["长沙市", "岳阳市", "湘西土家族苗族自治州"];
    let docs: Vec<SearchDoc> = (0..40u32)
        .map(|i| SearchDoc {
            id: i,
            url: format!("/articles/{i}/"),
            title: format!("第{i}篇 UBE 手术"),
            body: format!(
                "2024年，医院开展 UBE 手术。{}{}",
                if i % 3 == 0 { "best practice. " } else { "" },
                if i % 4 == 0 { "Unesco 10245" } else { "" }
            ),
            date: Some(format!("20{:02}-01-01", 10 + i % 15)),
            regions: vec![regions[i as usize % 3].to_string()],
            ..SearchDoc::default()
        })
        .collect();
    let opts = SearchOptions {
        facet_list_max: 8,
        page_size: 3,
        shard_bytes: 4096,
        ..SearchOptions::default()
    };
    build_index(
        docs.iter().cloned(),
        &dir.path().join("search"),
        None,
        &opts,
    )
    .expect("build");
    let json: Vec<serde_json::Value> = docs
        .iter()
        .map(|d| {
            serde_json::json!({"id": d.id, "title": d.title, "kicker": d.kicker,
                "body": d.body, "authors": d.authors})
        })
        .collect();
    std::fs::write(
        dir.path().join("docs.json"),
        serde_json::to_vec(&json).expect("json"),
    )
    .expect("write docs");
    one_node_test(
        "tests/js/prefix_heads.test.js",
        ("FOLIO_SEARCH_PREFIX_INDEX", dir.path()),
    );
}

/// Packed postings (`tests/js/packed.test.js`): the fixture archive indexed as the committed
/// fixture is (terms in more than a few articles only in packed files) and with every term in
/// the JSON shards; queries must answer the same from both.
#[test]
fn packed_postings_answer_as_json_shards_do() {
    use folio::search::{SearchOptions, build_index};
    let dir = tempfile::tempdir().expect("tempdir");
    let packed = support::fixture_options();
    let json = SearchOptions {
        json_list_max: usize::MAX,
        ..packed.clone()
    };
    for (sub, opts) in [("packed", &packed), ("json", &json)] {
        build_index(
            support::archive().into_iter(),
            &dir.path().join(sub),
            None,
            opts,
        )
        .expect("build");
    }
    one_node_test(
        "tests/js/packed.test.js",
        ("FOLIO_SEARCH_PACKED_DIR", dir.path()),
    );
}
