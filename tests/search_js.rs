//! Runs the search script's own tests under Node (`node --test tests/js/`):
//! the JavaScript tokenizer against the shared vectors, and queries against
//! an index written by the Rust builder. Skips with a message when `node` is
//! missing, unless `FOLIO_REQUIRE_BROWSER` is set (CI).

use std::process::Command;

#[test]
fn javascript_tests_pass_under_node() {
    let root = env!("CARGO_MANIFEST_DIR");
    let Ok(out) = Command::new("node")
        .args(["--test", "tests/js/"])
        .current_dir(root)
        .output()
    else {
        assert!(
            std::env::var_os("FOLIO_REQUIRE_BROWSER").is_none(),
            "FOLIO_REQUIRE_BROWSER is set (CI) but `node` is not installed"
        );
        eprintln!("SKIPPED: `node` is not installed");
        return;
    };
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "node --test failed:\n{text}");
    assert!(text.contains("# pass"), "no test ran:\n{text}");
    assert!(text.contains("# fail 0"), "{text}");
}
