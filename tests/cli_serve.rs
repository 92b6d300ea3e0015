//! Whole-command tests of `folio serve`: the real binary on a temporary site,
//! HTTP and server-sent events on 127.0.0.1 with bounded timeouts.

mod common;

use common::*;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use folio::serve::EVENTS_PATH;

const IO_TIMEOUT: Duration = Duration::from_secs(10);
/// Generous: debug builds on a shared two-core machine.
const BUILD_TIMEOUT: Duration = Duration::from_secs(60);

/// A running `folio serve`; killed when dropped.
struct Serving {
    child: Child,
    addr: SocketAddr,
    stderr: Receiver<String>,
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Serving {
    fn start(root: &Path) -> Serving {
        let mut child = Command::new(env!("CARGO_BIN_EXE_folio"))
            .arg("--root")
            .arg(root)
            .args(["serve", "--port", "0"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start folio serve");
        let (tx, stderr) = mpsc::channel();
        let pipe = child.stderr.take().expect("stderr");
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut serving = Serving {
            child,
            addr: "127.0.0.1:1".parse().unwrap(),
            stderr,
        };
        let line = serving
            .wait_line(|l| l.contains("serving at http://"))
            .expect("the server announces its address");
        let url = line.split("serving at http://").nth(1).unwrap();
        let host = url.split('/').next().unwrap();
        serving.addr = host.parse().expect("an address");
        serving
    }

    /// Waits for a stderr line matching `pred`; `None` on timeout or exit.
    fn wait_line(&self, pred: impl Fn(&str) -> bool) -> Option<String> {
        let deadline = Instant::now() + BUILD_TIMEOUT;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.stderr.recv_timeout(left) {
                Ok(l) if pred(&l) => return Some(l),
                Ok(_) => {}
                Err(_) => return None,
            }
        }
        None
    }
}

fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect_timeout(&addr, IO_TIMEOUT).unwrap();
    s.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
    s.set_write_timeout(Some(IO_TIMEOUT)).unwrap();
    s
}

/// GET `target`; status and body (the server closes every plain connection).
fn get(addr: SocketAddr, target: &str) -> (u16, String) {
    let mut s = connect(addr);
    write!(s, "GET {target} HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
    let mut bytes = Vec::new();
    s.read_to_end(&mut bytes).unwrap();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").expect("a response head");
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, body.to_string())
}

/// An open server-sent-events stream.
struct Events(BufReader<TcpStream>);

impl Events {
    fn open(addr: SocketAddr) -> Events {
        let mut s = connect(addr);
        write!(s, "GET {EVENTS_PATH} HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
        let mut r = BufReader::new(s);
        let mut line = String::new();
        r.read_line(&mut line).unwrap();
        assert!(line.contains(" 200 "), "{line}");
        loop {
            line.clear();
            r.read_line(&mut line).unwrap();
            if line.trim().is_empty() {
                break;
            }
        }
        Events(r)
    }

    /// The next event (name, data) within `within`, skipping comments/keep-alives.
    fn next(&mut self, within: Duration) -> Option<(String, String)> {
        self.0.get_ref().set_read_timeout(Some(within)).unwrap();
        let (mut name, mut data) = (String::new(), String::new());
        let mut line = String::new();
        loop {
            line.clear();
            match self.0.read_line(&mut line) {
                Ok(0) | Err(_) => return None,
                Ok(_) => {}
            }
            let l = line.trim_end_matches(['\r', '\n']);
            if let Some(v) = l.strip_prefix("event:") {
                name = v.trim().to_string();
            } else if let Some(v) = l.strip_prefix("data:") {
                data = v.trim().to_string();
            } else if l.is_empty() && !name.is_empty() {
                return Some((name, data));
            }
        }
    }

    /// Waits for an event called `want`, returning its data.
    fn wait_for(&mut self, want: &str) -> String {
        let deadline = Instant::now() + BUILD_TIMEOUT;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.next(left) {
                Some((name, data)) if name == want => return data,
                Some(_) => {}
                None => break,
            }
        }
        panic!("no `{want}` event within {BUILD_TIMEOUT:?}");
    }
}

/// Saves like most editors: a temporary file renamed over the original, so the
/// watcher never sees a half-written file.
fn save(path: &Path, text: &str) {
    let tmp = path.with_extension("tmp");
    fs::write(&tmp, text).unwrap();
    fs::rename(&tmp, path).unwrap();
}

/// GETs `target` until its body satisfies `ok` (a reload event may belong to an
/// earlier batch of changes); panics after the build timeout.
fn poll_page(addr: SocketAddr, target: &str, ok: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + BUILD_TIMEOUT;
    loop {
        let (status, page) = get(addr, target);
        if status == 200 && ok(&page) {
            return page;
        }
        assert!(Instant::now() < deadline, "{target} never changed: {page}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn small_site() -> tempfile::TempDir {
    let site = site(false);
    article(
        site.path(),
        "a/01.md",
        "title = \"初版标题\"\ndate = 2024-01-02\n",
        "第一段正文。",
    );
    article(
        site.path(),
        "a/02.md",
        "title = \"另一篇\"\ndate = 2024-01-03\n",
        "第二篇正文。",
    );
    site
}

fn html_files_contain(dir: &Path, needle: &str) -> Vec<String> {
    snapshot(dir)
        .into_iter()
        .filter(|(p, bytes)| {
            p.ends_with(".html") && String::from_utf8_lossy(bytes).contains(needle)
        })
        .map(|(p, _)| p)
        .collect()
}

#[test]
fn serve_reloads_after_an_edit_and_leaves_public_alone() {
    let site = small_site();
    let built = folio(site.path(), &["build"]);
    assert!(built.status.success(), "{}", stderr(&built));
    let public = site.path().join("public");
    let published = snapshot(&public);
    assert!(
        html_files_contain(&public, EVENTS_PATH).is_empty(),
        "folio build output never carries the reload script"
    );

    let serving = Serving::start(site.path());
    let addr = serving.addr;
    assert!(addr.ip().is_loopback());
    let (status, page) = get(addr, "/articles/a/01.html");
    assert_eq!(status, 200);
    assert!(page.contains("初版标题"), "{page}");
    assert!(
        page.contains(EVENTS_PATH),
        "served HTML carries the reload script"
    );

    // The preview lives in the cache, built for the local address, without the script on disk.
    let preview = site.path().join(".folio-cache/serve/public");
    let on_disk = fs::read_to_string(preview.join("articles/a/01.html")).unwrap();
    assert!(
        on_disk.contains(&format!("http://{addr}/")),
        "local base URL"
    );
    assert!(!on_disk.contains(EVENTS_PATH));

    let mut events = Events::open(addr);
    save(
        &site.path().join("content/a/01.md"),
        "+++\ntitle = \"修订标题\"\ndate = 2024-01-02\n+++\n\n第一段正文，已修订。\n",
    );
    events.wait_for("reload");
    let page = poll_page(addr, "/articles/a/01.html", |p| p.contains("修订标题"));
    assert!(!page.contains("初版标题"), "{page}");

    // Builds write only into ignored folders: no rebuild retriggers itself.
    if let Some((name, _)) = events.next(Duration::from_millis(2500)) {
        panic!("unexpected `{name}` event without any edit");
    }
    assert_eq!(published, snapshot(&public), "public/ untouched by serve");
}

#[test]
fn a_broken_template_shows_the_error_and_the_server_recovers() {
    let site = small_site();
    let templates = site.path().join("templates");
    fs::create_dir_all(&templates).unwrap();
    let good = fs::read_to_string(project().join("themes/default/templates/article.html")).unwrap();
    fs::write(templates.join("article.html"), &good).unwrap();

    let serving = Serving::start(site.path());
    let addr = serving.addr;
    assert_eq!(get(addr, "/articles/a/01.html").0, 200);
    let mut events = Events::open(addr);

    save(
        &templates.join("article.html"),
        &good.replacen("{% block main %}", "{% block main %}{% if %}", 1),
    );
    let message = events.wait_for("error");
    assert!(message.contains("article.html"), "{message}");
    assert!(
        serving.wait_line(|l| l.starts_with("error:")).is_some(),
        "the terminal shows the error too"
    );
    // The server survives and shows the error over every page.
    let (status, page) = get(addr, "/articles/a/01.html");
    assert_eq!(status, 200);
    assert!(
        page.contains("id=\"__folio_error\""),
        "error overlay: {page}"
    );
    assert!(page.contains("article.html"));
    assert_eq!(get(addr, "/").0, 200);

    save(&templates.join("article.html"), &good);
    events.wait_for("reload");
    let page = poll_page(addr, "/articles/a/01.html", |p| {
        !p.contains("id=\"__folio_error\"")
    });
    assert!(page.contains("初版标题"), "recovered: {page}");
}

#[test]
fn a_busy_port_is_refused_with_a_clear_message() {
    let site = small_site();
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let mut child = Command::new(env!("CARGO_BIN_EXE_folio"))
        .arg("--root")
        .arg(site.path())
        .args(["serve", "--port", &port])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + BUILD_TIMEOUT;
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("folio serve did not exit on a busy port");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(!status.success());
    assert_eq!(status.code(), Some(1));
    assert!(
        err.contains("already in use") && err.contains("--port"),
        "{err}"
    );
}

#[test]
fn folders_created_while_serving_are_built_and_reloaded() {
    // No templates/ folder when serve starts.
    let site = small_site();
    assert!(!site.path().join("templates").exists());
    let serving = Serving::start(site.path());
    let addr = serving.addr;
    assert_eq!(get(addr, "/articles/2026/12/01.html").0, 404);
    let mut events = Events::open(addr);

    // A new month folder with a new article.
    article(
        site.path(),
        "2026/12/01.md",
        "title = \"新文件夹里的文章\"\ndate = 2026-12-01\n",
        "十二月的正文。",
    );
    events.wait_for("reload");
    poll_page(addr, "/articles/2026/12/01.html", |p| {
        p.contains("新文件夹里的文章")
    });

    // A theme override folder created after the start, then edited inside.
    let templates = site.path().join("templates");
    let good = fs::read_to_string(project().join("themes/default/templates/article.html")).unwrap();
    let marked = |m: &str| {
        good.replacen(
            "{% block main %}",
            &format!("{{% block main %}}<p>{m}</p>"),
            1,
        )
    };
    fs::create_dir_all(&templates).unwrap();
    fs::write(templates.join("article.html"), marked("override-one")).unwrap();
    events.wait_for("reload");
    poll_page(addr, "/articles/a/01.html", |p| p.contains("override-one"));
    save(&templates.join("article.html"), &marked("override-two"));
    events.wait_for("reload");
    let page = poll_page(addr, "/articles/2026/12/01.html", |p| {
        p.contains("override-two")
    });
    assert!(page.contains("新文件夹里的文章"), "{page}");
}
