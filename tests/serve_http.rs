//! Whole-component tests of the preview server over real HTTP on 127.0.0.1.

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use folio::serve::{ServeError, ServeOptions, Server};

const TIMEOUT: Duration = Duration::from_secs(5);

struct Reply {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().skip(1).find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect_timeout(&addr, TIMEOUT).unwrap();
    s.set_read_timeout(Some(TIMEOUT)).unwrap();
    s.set_write_timeout(Some(TIMEOUT)).unwrap();
    s
}

/// Send raw bytes, read the whole reply (the server closes every connection).
fn raw(addr: SocketAddr, request: &[u8]) -> Reply {
    let mut s = connect(addr);
    s.write_all(request).unwrap();
    let mut bytes = Vec::new();
    s.read_to_end(&mut bytes).unwrap();
    let split = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete response head");
    let head = String::from_utf8(bytes[..split].to_vec()).unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    Reply {
        status,
        head,
        body: bytes[split + 4..].to_vec(),
    }
}

fn get(addr: SocketAddr, target: &str) -> Reply {
    raw(
        addr,
        format!("GET {target} HTTP/1.1\r\nHost: localhost\r\n\r\n").as_bytes(),
    )
}

/// A temp dir with `public/` (the served site) and a `secret` file beside it.
fn site() -> (tempfile::TempDir, Server) {
    let dir = tempfile::tempdir().unwrap();
    let public = dir.path().join("public");
    let write = |rel: &str, body: &str| {
        let p = public.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, body).unwrap();
    };
    write("index.html", "<html><body><h1>Home</h1></body></html>");
    write("404.html", "<html><body><h1>Lost page</h1></body></html>");
    write("style.css", "body{}");
    write("app.js", "1");
    write("data.json", "{}");
    write("feed.xml", "<rss/>");
    write("logo.svg", "<svg/>");
    write("pic.png", "png");
    write("pic.jpg", "jpg");
    write("font.woff2", "w2");
    write("robots.txt", "ok");
    write("articles/专题/01/index.html", "<body>专题文章</body>");
    fs::write(dir.path().join("secret"), "TOP SECRET").unwrap();
    fs::write(dir.path().join("site.toml"), "SECRET CONFIG").unwrap();
    let opts = ServeOptions {
        port: 0,
        ..ServeOptions::default()
    };
    let server = Server::start(public, &opts).unwrap();
    (dir, server)
}

#[test]
fn binds_loopback_by_default() {
    let opts = ServeOptions::default();
    assert_eq!(opts.interface, IpAddr::V4(Ipv4Addr::LOCALHOST));
    assert_eq!(opts.port, 1111);
    let (_d, server) = site();
    assert!(server.addr().ip().is_loopback());
    assert_ne!(server.addr().port(), 0);
}

#[test]
fn serves_files_with_content_types() {
    let (_d, server) = site();
    let addr = server.addr();
    for (path, ty) in [
        ("/style.css", "text/css; charset=utf-8"),
        ("/app.js", "text/javascript; charset=utf-8"),
        ("/data.json", "application/json"),
        ("/feed.xml", "application/xml; charset=utf-8"),
        ("/logo.svg", "image/svg+xml"),
        ("/pic.png", "image/png"),
        ("/pic.jpg", "image/jpeg"),
        ("/font.woff2", "font/woff2"),
        ("/robots.txt", "text/plain; charset=utf-8"),
        ("/", "text/html; charset=utf-8"),
    ] {
        let r = get(addr, path);
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.header("content-type").as_deref(), Some(ty), "{path}");
    }
    let css = get(addr, "/style.css");
    assert_eq!(css.body, b"body{}");
    assert_eq!(css.header("content-length").as_deref(), Some("6"));
}

#[test]
fn resolves_index_and_chinese_paths() {
    let (_d, server) = site();
    let addr = server.addr();
    assert!(get(addr, "/").text().contains("<h1>Home</h1>"));
    assert!(get(addr, "/index.html").text().contains("<h1>Home</h1>"));
    let r = get(addr, "/articles/%E4%B8%93%E9%A2%98/01/");
    assert_eq!(r.status, 200);
    assert!(r.text().contains("专题文章"));
    // Some clients send raw UTF-8 instead of percent-encoding it.
    let r = get(addr, "/articles/专题/01/");
    assert_eq!(r.status, 200);
    assert!(r.text().contains("专题文章"));
    let r = get(addr, "/articles/%E4%B8%93%E9%A2%98/01?page=2");
    assert_eq!(r.status, 302);
    assert_eq!(
        r.header("location").as_deref(),
        Some("/articles/%E4%B8%93%E9%A2%98/01/?page=2")
    );
}

#[test]
fn head_has_headers_but_no_body() {
    let (_d, server) = site();
    let r = raw(
        server.addr(),
        b"HEAD /style.css HTTP/1.1\r\nHost: x\r\n\r\n",
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-length").as_deref(), Some("6"));
    assert!(r.body.is_empty());
}

#[test]
fn missing_file_serves_404_page_with_status() {
    let (_d, server) = site();
    let r = get(server.addr(), "/no/such/page/");
    assert_eq!(r.status, 404);
    assert!(r.text().contains("Lost page"));
}

#[test]
fn path_traversal_is_refused() {
    let (_d, server) = site();
    let addr = server.addr();
    for target in [
        "/../secret",
        "/%2e%2e/secret",
        "/..%2fsecret",
        "/%2e%2e%5csecret",
        "/../site.toml",
        "/%2E%2E/%2E%2E/secret",
        "/articles/../../secret",
        "/secret%00.html",
        "//secret",
        "http://evil/../secret",
    ] {
        let r = get(addr, target);
        assert!(r.status == 403 || r.status == 404, "{target}: {}", r.status);
        assert!(!r.text().contains("SECRET"), "{target} leaked the file");
    }
}

#[cfg(unix)]
#[test]
fn symlink_out_of_public_is_refused() {
    let (dir, server) = site();
    std::os::unix::fs::symlink(dir.path().join("secret"), dir.path().join("public/s.txt")).unwrap();
    let r = get(server.addr(), "/s.txt");
    assert_eq!(r.status, 403);
    assert!(!r.text().contains("SECRET"));
}

#[test]
fn survives_malformed_requests() {
    let (_d, server) = site();
    let addr = server.addr();
    assert_eq!(raw(addr, b"\x16\x03\x01\x00garbage\r\n\r\n").status, 400);
    assert_eq!(raw(addr, b"POST / HTTP/1.1\r\n\r\n").status, 405);
    let mut huge = b"GET / HTTP/1.1\r\nX-Big: ".to_vec();
    huge.extend(std::iter::repeat_n(b'a', 64 * 1024));
    huge.extend(b"\r\n\r\n");
    let mut s = connect(addr);
    // The server may close while we are still sending: either way it must answer 431 or hang up.
    let _ = s.write_all(&huge);
    let mut reply = Vec::new();
    let _ = s.read_to_end(&mut reply);
    assert!(reply.is_empty() || reply.starts_with(b"HTTP/1.1 431"));
    // Clients that connect and send nothing, and one that hangs up mid-request.
    let idle: Vec<TcpStream> = (0..20).map(|_| connect(addr)).collect();
    let mut half = connect(addr);
    half.write_all(b"GET /inde").unwrap();
    drop(half);
    // Still serving.
    let r = get(addr, "/style.css");
    assert_eq!(r.status, 200);
    drop(idle);
}

#[test]
fn random_garbage_never_stops_the_server() {
    let (_d, server) = site();
    let addr = server.addr();
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    for round in 0..200 {
        let mut bytes = Vec::new();
        for _ in 0..(state % 300) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            bytes.push(if round % 2 == 0 {
                state as u8
            } else {
                b"GET /%.\\\r\n:"[(state % 11) as usize]
            });
        }
        let mut s = connect(addr);
        let _ = s.write_all(&bytes);
        let _ = s.shutdown(std::net::Shutdown::Write);
        let mut sink = Vec::new();
        let _ = s.read_to_end(&mut sink);
    }
    assert_eq!(get(addr, "/style.css").status, 200);
}

#[test]
fn too_many_connections_are_refused_then_recovered() {
    let (_d, server) = site();
    let addr = server.addr();
    let idle: Vec<TcpStream> = (0..256).map(|_| connect(addr)).collect();
    // Every slot is taken: the next client is told so instead of waiting.
    let deadline = Instant::now() + TIMEOUT;
    loop {
        let r = get(addr, "/style.css");
        if r.status == 503 {
            break;
        }
        assert!(Instant::now() < deadline, "never refused");
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(idle);
    let deadline = Instant::now() + TIMEOUT;
    while get(addr, "/style.css").status != 200 {
        assert!(Instant::now() < deadline, "never recovered");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn busy_port_gives_a_clear_error() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let opts = ServeOptions {
        port,
        ..ServeOptions::default()
    };
    let err = match Server::start(dir.path().to_path_buf(), &opts) {
        Err(e) => e,
        Ok(_) => panic!("bound a busy port"),
    };
    assert!(matches!(err, ServeError::AddrInUse { .. }));
    let msg = err.to_string();
    assert!(msg.contains(&format!("127.0.0.1:{port}")), "{msg}");
    assert!(msg.contains("--port"), "{msg}");
}

#[test]
fn public_dir_may_appear_and_be_swapped_later() {
    let dir = tempfile::tempdir().unwrap();
    let public = dir.path().join("public");
    let opts = ServeOptions {
        port: 0,
        ..ServeOptions::default()
    };
    // The first build failed: nothing to serve yet, but the error overlay shows.
    let server = Server::start(public.clone(), &opts).unwrap();
    server.set_error(Some("first build failed".into()));
    let r = get(server.addr(), "/");
    assert_eq!(r.status, 404);
    assert!(r.text().contains("first build failed"));
    // A build appears, then is replaced by a staged directory renamed into place.
    fs::create_dir_all(&public).unwrap();
    fs::write(public.join("index.html"), "<body>v1</body>").unwrap();
    assert!(get(server.addr(), "/").text().contains("v1"));
    let staged = dir.path().join("public.staged");
    fs::create_dir_all(&staged).unwrap();
    fs::write(staged.join("index.html"), "<body>v2</body>").unwrap();
    fs::rename(&public, dir.path().join("public.old")).unwrap();
    fs::rename(&staged, &public).unwrap();
    assert!(get(server.addr(), "/").text().contains("v2"));
    // A file where the directory should be is refused at start.
    let file = dir.path().join("file");
    fs::write(&file, "x").unwrap();
    let err = Server::start(file, &opts).err().unwrap();
    assert!(err.to_string().contains("file"), "{err}");
}

#[test]
fn reload_script_is_served_but_not_on_disk() {
    let (dir, server) = site();
    let served = get(server.addr(), "/").text();
    assert!(served.contains("data-folio-live-reload"));
    assert!(served.contains("/__folio/events"));
    let script = served.find("<script data-folio-live-reload>").unwrap();
    assert!(script < served.find("</body>").unwrap());
    let on_disk = fs::read_to_string(dir.path().join("public/index.html")).unwrap();
    assert!(!on_disk.contains("folio-live-reload"));
    assert!(!get(server.addr(), "/style.css").text().contains("script"));
}

/// Open the event stream and read past its head and `retry:` line.
fn events(addr: SocketAddr) -> BufReader<TcpStream> {
    let mut s = connect(addr);
    s.write_all(b"GET /__folio/events HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut r = BufReader::new(s);
    let mut line = String::new();
    r.read_line(&mut line).unwrap();
    assert!(line.starts_with("HTTP/1.1 200"), "{line}");
    let mut saw_type = false;
    loop {
        line.clear();
        r.read_line(&mut line).unwrap();
        if line == "\r\n" {
            break;
        }
        saw_type |= line.eq_ignore_ascii_case("content-type: text/event-stream\r\n");
    }
    assert!(saw_type);
    line.clear();
    r.read_line(&mut line).unwrap();
    assert_eq!(line, "retry: 1000\n");
    line.clear();
    r.read_line(&mut line).unwrap();
    assert_eq!(line, "\n");
    r
}

/// Read one event (`event:` and `data:` lines up to the blank line), skipping comments.
fn next_event(r: &mut BufReader<TcpStream>) -> (String, String) {
    let deadline = Instant::now() + TIMEOUT;
    let (mut name, mut data) = (String::new(), String::new());
    loop {
        assert!(Instant::now() < deadline, "no event in time");
        let mut line = String::new();
        assert!(r.read_line(&mut line).unwrap() > 0, "stream closed");
        let line = line.trim_end_matches('\n');
        if let Some(v) = line.strip_prefix("event: ") {
            name = v.to_string();
        } else if let Some(v) = line.strip_prefix("data: ") {
            data = v.to_string();
        } else if line.is_empty() && !name.is_empty() {
            return (name, data);
        }
    }
}

#[test]
fn sse_delivers_reload() {
    let (_d, server) = site();
    let mut stream = events(server.addr());
    let mut other = events(server.addr());
    server.notify_reload();
    assert_eq!(next_event(&mut stream).0, "reload");
    assert_eq!(next_event(&mut other).0, "reload");
    // The server still serves pages while streams are open.
    assert_eq!(get(server.addr(), "/").status, 200);
}

#[test]
fn build_error_overlay_and_event() {
    let (_d, server) = site();
    let mut stream = events(server.addr());
    let message = "template article.html line 3: <unknown> & \"bad\"";
    server.set_error(Some(message.to_string()));
    let (name, data) = next_event(&mut stream);
    assert_eq!(name, "error");
    assert_eq!(
        data,
        serde_json::Value::String(message.to_string()).to_string()
    );
    for path in ["/", "/articles/%E4%B8%93%E9%A2%98/01/", "/missing/"] {
        let page = get(server.addr(), path).text();
        assert!(
            page.contains("template article.html line 3: &lt;unknown&gt; &amp; &quot;bad&quot;"),
            "{path}: {page}"
        );
        assert!(!page.contains("<unknown>"), "{path}");
    }
    // A tab that opens while the error is set gets it at once.
    let mut late = events(server.addr());
    assert_eq!(next_event(&mut late).0, "error");
    server.set_error(None);
    assert_eq!(next_event(&mut stream).0, "clear");
    assert!(!get(server.addr(), "/").text().contains("&lt;unknown&gt;"));
}

#[test]
fn stop_releases_the_port() {
    let (_d, server) = site();
    let addr = server.addr();
    let mut stream = events(addr);
    server.stop();
    // The event stream ends, and the port can be bound again.
    let mut rest = String::new();
    let _ = stream.read_to_string(&mut rest);
    assert!(!rest.contains("reload"));
    TcpListener::bind(addr).unwrap();
}
