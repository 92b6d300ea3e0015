//! Renders the fixture archive, serves it on 127.0.0.1 and saves headless
//! Chromium screenshots of the home, an article, a region and the search page
//! at desktop (1280 px) and phone (360 px) widths into `target/screenshots/`.
//! Skips with a message when `chromium` is not installed.

#[path = "common/browser.rs"]
mod browser;

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use folio::classify::gazetteer::Gazetteer;
use folio::config::SiteConfig;
use folio::content::{self, LoadOptions};
use folio::output::Staging;
use folio::render::{RenderOptions, load_theme, render_site};
use folio::site::Site;

/// Answers one HTTP request with a file under `root` (URLs under `/archive/`).
fn serve(mut stream: TcpStream, root: &Path) {
    let mut line = String::new();
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    if reader.read_line(&mut line).is_err() {
        return;
    }
    loop {
        let mut header = String::new();
        match reader.read_line(&mut header) {
            Ok(0) | Err(_) => break,
            Ok(_) if header.trim().is_empty() => break,
            Ok(_) => {}
        }
    }
    let url = line.split_whitespace().nth(1).unwrap_or("/");
    let url = url.split(['?', '#']).next().unwrap_or("/");
    let rel = url.strip_prefix("/archive").unwrap_or(url);
    let path = root.join(folio::render::write::url_to_file(rel));
    let (status, body, kind) = match std::fs::read(&path) {
        Ok(b) => {
            let kind = match path.extension().and_then(|x| x.to_str()) {
                Some("html") => "text/html; charset=utf-8",
                Some("css") => "text/css",
                Some("js") => "text/javascript",
                Some("xml") => "application/xml",
                Some("json") => "application/json",
                _ => "application/octet-stream",
            };
            ("200 OK", b, kind)
        }
        Err(_) => (
            "404 Not Found",
            std::fs::read(root.join("404.html")).unwrap_or_default(),
            "text/html; charset=utf-8",
        ),
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(&body);
}

fn shoot(browser: &Path, url: &str, width: u32, height: u32, file: &Path) -> bool {
    let profile = match tempfile::tempdir() {
        Ok(p) => p,
        Err(_) => return false,
    };
    let child = Command::new(browser)
        .args(browser::HEADLESS)
        .arg("--hide-scrollbars")
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--window-size={width},{height}"))
        .arg(format!("--screenshot={}", file.display()))
        .arg(url)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let Ok(mut child) = child else { return false };
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(90) {
        if let Ok(Some(status)) = child.try_wait() {
            return status.success();
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    false
}

#[test]
fn screenshots_of_main_pages() {
    let Some(browser) = browser::chromium_or_skip() else {
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/render");
    let config = SiteConfig::load(&root.join("site.toml")).unwrap();
    let (articles, errors) = content::load(&root.join("content"), LoadOptions::default(), &|_| {
        Vec::new()
    });
    assert!(errors.is_empty(), "{errors:?}");
    let site = Site::new(&config, Gazetteer::builtin(), articles);
    let theme = load_theme(&root, &config).unwrap();
    // The rendered site is kept next to the screenshots for inspection.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    let out = dir.join("site");
    let _ = std::fs::remove_dir_all(&out);
    let staging = Staging::begin(&out, false).unwrap();
    render_site(
        &site,
        &theme,
        &staging,
        &RenderOptions::from_config(&config),
    )
    .unwrap();
    staging.commit().unwrap();

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let served = out.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let root = served.clone();
            std::thread::spawn(move || serve(stream, &root));
        }
    });

    let gz = Gazetteer::builtin();
    let region = gz
        .get(gz.by_path("湖南省/岳阳市").unwrap())
        .url_path
        .clone();
    let pages = [
        ("home", "/archive/".to_string()),
        ("article", "/archive/articles/2024b/01.html".to_string()),
        ("region", format!("/archive/regions/{region}/")),
        ("search", "/archive/search/".to_string()),
        ("regions", "/archive/regions/".to_string()),
        ("archive", "/archive/archive/2024/".to_string()),
    ];
    for (name, path) in &pages {
        for (width, height) in [(1280u32, 1400u32), (360, 1600)] {
            let file = dir.join(format!("{name}-{width}.png"));
            let _ = std::fs::remove_file(&file);
            let url = format!("http://127.0.0.1:{port}{path}");
            assert!(
                shoot(&browser, &url, width, height, &file),
                "chromium failed on {url}"
            );
            let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
            assert!(size > 10_000, "{} is only {size} bytes", file.display());
            let png = std::fs::read(&file).unwrap();
            assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{}", file.display());
        }
    }
}
