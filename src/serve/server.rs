//! The preview server: binds, accepts connections on a background thread, answers each
//! connection on its own short-lived thread (capped in number, with read/write
//! timeouts), serves files from the public directory and holds the event stream.
//!
//! It must NOT build or write anything; one bad connection must never stop it.

use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::RecvTimeoutError;
use std::sync::{Arc, RwLock};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::events::{Event, Hub};
use super::http::{Body, Method, Request, Response, read_request};
use super::inject::{EVENTS_PATH, inject};
use super::resolve::{Resolved, content_type, inside, is_html, resolve};
use super::{ServeError, ServeOptions};

/// Open connections allowed at once; more are answered 503 and closed.
const MAX_CONNECTIONS: usize = 256;
/// Connections beyond the limit that still get a polite 503 before hang-ups start.
const MAX_REFUSING: usize = 64;
/// Longest wait for one read or write on a socket.
const IO_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest time a client may take to send its whole request head.
const HEAD_DEADLINE: Duration = Duration::from_secs(15);
/// Interval of keep-alive comments on an idle event stream.
const KEEPALIVE: Duration = Duration::from_secs(15);

/// A running preview server; stops when [`Server::stop`] is called or it is dropped.
pub struct Server {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

struct Shared {
    /// The served directory as given, made absolute.
    public: PathBuf,
    error: RwLock<Option<String>>,
    hub: Hub,
    stopping: AtomicBool,
    connections: AtomicUsize,
}

impl Server {
    /// Bind `opts.interface:opts.port` and serve `public_dir` in background threads.
    /// `public_dir` may not exist yet (a first build that failed) and may be replaced
    /// by later builds: it is looked up again on every request.
    pub fn start(public_dir: PathBuf, opts: &ServeOptions) -> Result<Server, ServeError> {
        // The directory may not exist yet (the first build failed) and may be swapped
        // by each build, so it is resolved again for every request.
        let public = std::path::absolute(&public_dir).map_err(|source| ServeError::PublicDir {
            path: public_dir.clone(),
            source,
        })?;
        if public.exists() && !public.is_dir() {
            return Err(ServeError::PublicDir {
                path: public_dir,
                source: io::Error::other("not a directory"),
            });
        }
        let wanted = SocketAddr::new(opts.interface, opts.port);
        let listener = TcpListener::bind(wanted).map_err(|source| {
            if source.kind() == io::ErrorKind::AddrInUse {
                ServeError::AddrInUse { addr: wanted }
            } else {
                ServeError::Bind {
                    addr: wanted,
                    source,
                }
            }
        })?;
        let addr = listener.local_addr().map_err(|source| ServeError::Bind {
            addr: wanted,
            source,
        })?;
        let shared = Arc::new(Shared {
            public,
            error: RwLock::new(None),
            hub: Hub::default(),
            stopping: AtomicBool::new(false),
            connections: AtomicUsize::new(0),
        });
        let accept_shared = Arc::clone(&shared);
        let accept = thread::Builder::new()
            .name("folio-serve-accept".into())
            .spawn(move || accept_loop(&listener, &accept_shared))
            .map_err(ServeError::Thread)?;
        Ok(Server {
            addr,
            shared,
            accept: Some(accept),
        })
    }

    /// The address actually bound (useful with port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Tell every open tab to reload.
    pub fn notify_reload(&self) {
        self.shared.hub.broadcast(&Event::Reload);
    }

    /// Set (`Some`) or clear (`None`) the build error shown over every served HTML page;
    /// open tabs get an `error` (or `clear`) event at once.
    pub fn set_error(&self, message: Option<String>) {
        let event = match &message {
            Some(m) => Event::Error(m.clone()),
            None => Event::Clear,
        };
        *self.shared.error.write().unwrap_or_else(|e| e.into_inner()) = message;
        self.shared.hub.broadcast(&event);
    }

    /// Stop accepting, end event streams and wait for the accept thread.
    pub fn stop(self) {
        drop(self);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        self.shared.hub.close_all();
        // Wake the blocking accept() with a connection of our own.
        let wake = match self.addr.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        let woke = TcpStream::connect_timeout(
            &SocketAddr::new(wake, self.addr.port()),
            Duration::from_secs(2),
        )
        .is_ok();
        if let Some(handle) = self.accept.take()
            && woke
        {
            let _ = handle.join();
        }
    }
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    for stream in listener.incoming() {
        if shared.stopping.load(Ordering::SeqCst) {
            return;
        }
        let stream = match stream {
            Ok(s) => s,
            Err(_) => {
                // e.g. out of file descriptors: back off instead of spinning.
                thread::sleep(Duration::from_millis(50));
                continue;
            }
        };
        let _ = stream.set_read_timeout(Some(IO_TIMEOUT));
        let _ = stream.set_write_timeout(Some(IO_TIMEOUT));
        let open = shared.connections.fetch_add(1, Ordering::SeqCst);
        // The slot is given back when the thread ends, or at once if it cannot start.
        let slot = Slot(Arc::clone(shared));
        if open >= MAX_CONNECTIONS + MAX_REFUSING {
            continue; // flooded: hang up at once
        }
        let _ = thread::Builder::new()
            .name("folio-serve-conn".into())
            .spawn(move || {
                if open >= MAX_CONNECTIONS {
                    refuse(stream);
                } else {
                    handle_connection(stream, &slot.0);
                }
                drop(slot);
            });
    }
}

/// Tell a client over the connection limit to come back later.
fn refuse(mut stream: TcpStream) {
    let _ = Response::text(503, "too many connections\n").write_to(&mut stream, false);
    close(&mut stream);
}

/// One counted connection; dropping it (even while unwinding) frees the count.
struct Slot(Arc<Shared>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.connections.fetch_sub(1, Ordering::SeqCst);
    }
}

fn handle_connection(mut stream: TcpStream, shared: &Shared) {
    let request = match read_request(&mut stream, Instant::now() + HEAD_DEADLINE) {
        Ok(r) => r,
        Err(e) => {
            if let Some(status) = e.status() {
                let mut response = Response::text(status, &format!("{status}\n"));
                if status == 405 {
                    response.headers.push(("Allow", "GET, HEAD".into()));
                }
                let _ = response.write_to(&mut stream, false);
            }
            close(&mut stream);
            return;
        }
    };
    let head_only = request.method == Method::Head;
    if path_is(&request.target, EVENTS_PATH) {
        event_stream(stream, shared, head_only);
        return;
    }
    let response = respond(shared, &request);
    let _ = response.write_to(&mut stream, head_only);
    close(&mut stream);
}

/// Half-close and drain briefly so the client reads the whole response before the reset.
fn close(stream: &mut TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
    let mut sink = [0u8; 1024];
    for _ in 0..16 {
        match stream.read(&mut sink) {
            Ok(n) if n > 0 => {}
            _ => break,
        }
    }
}

fn path_is(target: &str, path: &str) -> bool {
    let p = target.split(['?', '#']).next().unwrap_or("");
    p == path
}

fn respond(shared: &Shared, request: &Request) -> Response {
    let Ok(root) = shared.public.canonicalize() else {
        return not_found(shared, None);
    };
    match resolve(&root, &request.target) {
        Resolved::File(path) => file_response(shared, 200, &path),
        Resolved::Redirect(location) => {
            let mut r = Response::text(302, "");
            r.headers.push(("Location", location));
            r
        }
        Resolved::Forbidden => Response::text(403, "403 forbidden\n"),
        Resolved::NotFound => not_found(shared, Some(&root)),
    }
}

/// The site's own `404.html` if there is one, else a minimal page; status 404 either way.
fn not_found(shared: &Shared, root: Option<&Path>) -> Response {
    if let Some(root) = root
        && let Resolved::File(page) = inside(root, &root.join("404.html"))
    {
        return file_response(shared, 404, &page);
    }
    let html = b"<!doctype html><title>404 Not Found</title><body><h1>404 Not Found</h1></body>";
    html_response(shared, 404, html)
}

fn file_response(shared: &Shared, status: u16, path: &Path) -> Response {
    if is_html(path) {
        return match std::fs::read(path) {
            Ok(bytes) => html_response(shared, status, &bytes),
            Err(_) => Response::text(500, "cannot read file\n"),
        };
    }
    let opened = std::fs::File::open(path).and_then(|f| {
        let len = f.metadata()?.len();
        Ok((f, len))
    });
    match opened {
        Ok((file, len)) => Response {
            status,
            headers: vec![("Content-Type", content_type(path).to_string())],
            body: Body::File(file, len),
        },
        Err(_) => Response::text(500, "cannot read file\n"),
    }
}

fn html_response(shared: &Shared, status: u16, html: &[u8]) -> Response {
    let error = shared.error.read().unwrap_or_else(|e| e.into_inner());
    Response {
        status,
        headers: vec![("Content-Type", "text/html; charset=utf-8".to_string())],
        body: Body::Bytes(inject(html, error.as_deref())),
    }
}

/// Hold the connection open and write events until the client leaves or the server stops.
fn event_stream(mut stream: TcpStream, shared: &Shared, head_only: bool) {
    let events = shared.hub.subscribe();
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n\
                X-Accel-Buffering: no\r\nConnection: close\r\n\r\n";
    if head_only {
        let _ = stream.write_all(head.as_bytes());
        close(&mut stream);
        return;
    }
    let mut first = format!("{head}retry: 1000\n\n");
    if let Some(message) = shared
        .error
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .clone()
    {
        first.push_str(&Event::Error(message).frame());
    }
    if stream.write_all(first.as_bytes()).is_err() {
        return;
    }
    loop {
        let frame = match events.recv_timeout(KEEPALIVE) {
            Ok(event) => event.frame(),
            Err(RecvTimeoutError::Timeout) => ": keep-alive\n\n".to_string(),
            Err(RecvTimeoutError::Disconnected) => break,
        };
        if stream.write_all(frame.as_bytes()).is_err() || stream.flush().is_err() {
            return;
        }
    }
    let _ = stream.shutdown(Shutdown::Both);
}
