//! Headless Chromium for the browser tests: finding it (or skipping), the flags every run
//! uses, and a loopback file server. Include with `#[path = "common/browser.rs"] mod browser;`.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;

/// The queries issue #6 names for the browser: the Chromium test asserts their results, the
/// browser benchmark times them.
pub const ISSUE_QUERIES: [&str; 7] = [
    "乡村振兴",
    "保靖",
    "微腐败",
    "2024",
    "UBE",
    "黄金茶",
    "湘西州",
];

/// Flags of every headless run: no sandbox (root in CI), no GPU, and no background
/// networking, which this machine's closed network would refuse.
pub const HEADLESS: [&str; 7] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/// `chromium` (or `chromium-browser`) on PATH. Without it the caller should skip: this
/// prints why, and fails when FOLIO_REQUIRE_BROWSER is set (CI), where it must be installed.
pub fn chromium_or_skip() -> Option<PathBuf> {
    let found = ["chromium", "chromium-browser"].iter().find_map(|name| {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|p| p.join(name))
                .find(|p| p.is_file())
        })
    });
    if found.is_none() {
        assert!(
            std::env::var_os("FOLIO_REQUIRE_BROWSER").is_none(),
            "FOLIO_REQUIRE_BROWSER is set (CI) but `chromium` is not installed"
        );
        eprintln!("SKIPPED: `chromium` is not installed (apt-get install -y chromium)");
    }
    found
}

/// Percent-encodes everything but ASCII letters and digits (for query strings).
pub fn percent_encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// An answer the server gives instead of a file: status, content type and body.
pub type Answer = (u16, &'static str, Vec<u8>);

/// Serves the files under `root` on 127.0.0.1 until the process ends (a folder serves its
/// `index.html`, nothing is cached); returns the port. `route` sees each request target
/// (path and query) first and may answer it; `on_file` sees each file served (path relative
/// to `root`, bytes).
pub fn serve(
    root: PathBuf,
    route: impl Fn(&str) -> Option<Answer> + Send + Sync + 'static,
    on_file: impl Fn(&str, &[u8]) + Send + Sync + 'static,
) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let (route, on_file) = (Arc::new(route), Arc::new(on_file));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (root, route, on_file) = (root.clone(), route.clone(), on_file.clone());
            std::thread::spawn(move || {
                let mut reader = BufReader::new(&stream);
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    return;
                }
                let mut header = String::new();
                while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
                    header.clear();
                }
                let target = line.split_whitespace().nth(1).unwrap_or("/");
                let (status, ctype, body) = route(target).unwrap_or_else(|| {
                    let rel = target
                        .split('?')
                        .next()
                        .unwrap_or("/")
                        .trim_start_matches('/');
                    let mut file = root.join(rel);
                    if file.is_dir() {
                        file = file.join("index.html");
                    }
                    match std::fs::read(&file) {
                        Ok(body) if !rel.contains("..") => {
                            on_file(rel, &body);
                            let ctype = match file.extension().and_then(|e| e.to_str()) {
                                Some("html") => "text/html; charset=utf-8",
                                Some("js") => "text/javascript; charset=utf-8",
                                Some("json") => "application/json",
                                _ => "application/octet-stream",
                            };
                            (200, ctype, body)
                        }
                        _ => (404, "text/plain", Vec::new()),
                    }
                });
                let reason = match status {
                    200 => "OK",
                    204 => "No Content",
                    _ => "Not Found",
                };
                let head = format!(
                    "HTTP/1.1 {status} {reason}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let mut out = &stream;
                let _ = out
                    .write_all(head.as_bytes())
                    .and_then(|_| out.write_all(&body));
            });
        }
    });
    port
}
