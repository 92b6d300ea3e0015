//! Minimal, defensive HTTP/1.x framing: read one request head with hard limits on size
//! and time (parsed by `httparse`), and write one response.
//!
//! It must NOT decide what to serve (see `resolve`) and must never panic on client bytes.

use std::io::{self, Read, Write};
use std::time::Instant;

/// Largest request head accepted (request line plus headers).
pub const MAX_HEAD: usize = 16 * 1024;
/// Most header fields accepted.
const MAX_HEADERS: usize = 64;

/// Methods the server answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Head,
}

/// A parsed request head: only what a static server needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: Method,
    /// The request target as sent (still percent-encoded).
    pub target: String,
}

/// Why a request could not be read; each maps to a status, or to a silent close.
#[derive(Debug, PartialEq, Eq)]
pub enum RequestError {
    /// The client went away or the socket failed: close without answering.
    Closed,
    /// Too slow: 408.
    Timeout,
    /// Head larger than [`MAX_HEAD`] or too many headers: 431.
    TooLarge,
    /// Not HTTP: 400.
    Malformed,
    /// Not GET or HEAD: 405.
    Method,
}

impl RequestError {
    /// The status to answer with, if any.
    pub fn status(&self) -> Option<u16> {
        match self {
            RequestError::Closed => None,
            RequestError::Timeout => Some(408),
            RequestError::TooLarge => Some(431),
            RequestError::Malformed => Some(400),
            RequestError::Method => Some(405),
        }
    }
}

/// Read and parse one request head, giving up at `deadline` or past [`MAX_HEAD`] bytes.
/// Per-read timeouts must be set on the socket by the caller.
pub fn read_request(stream: &mut impl Read, deadline: Instant) -> Result<Request, RequestError> {
    let mut buf: Vec<u8> = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    loop {
        if Instant::now() > deadline {
            return Err(RequestError::Timeout);
        }
        let n = match stream.read(&mut chunk) {
            Ok(0) => return Err(RequestError::Closed),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Err(RequestError::Timeout);
            }
            Err(_) => return Err(RequestError::Closed),
        };
        buf.extend_from_slice(&chunk[..n]);
        match parse(&buf) {
            Ok(Some(request)) => return Ok(request),
            Ok(None) if buf.len() >= MAX_HEAD => return Err(RequestError::TooLarge),
            Ok(None) => {}
            Err(e) => return Err(e),
        }
    }
}

/// Parse a complete head; `Ok(None)` while more bytes are needed.
fn parse(buf: &[u8]) -> Result<Option<Request>, RequestError> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    match req.parse(buf) {
        Ok(httparse::Status::Partial) => Ok(None),
        Ok(httparse::Status::Complete(_)) => {
            let method = match req.method {
                Some("GET") => Method::Get,
                Some("HEAD") => Method::Head,
                _ => return Err(RequestError::Method),
            };
            let target = req.path.ok_or(RequestError::Malformed)?.to_string();
            Ok(Some(Request { method, target }))
        }
        Err(httparse::Error::TooManyHeaders) => Err(RequestError::TooLarge),
        Err(_) => Err(RequestError::Malformed),
    }
}

/// The reason phrase of the statuses this server uses.
pub fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        302 => "Found",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "Internal Server Error",
    }
}

/// A response body: bytes in memory or an open file streamed from disk.
pub enum Body {
    Bytes(Vec<u8>),
    File(std::fs::File, u64),
}

impl Body {
    fn len(&self) -> u64 {
        match self {
            Body::Bytes(b) => b.len() as u64,
            Body::File(_, len) => *len,
        }
    }
}

/// One response; `Connection: close` is always sent (one request per connection).
pub struct Response {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Body,
}

impl Response {
    /// A short plain-text response, e.g. for errors.
    pub fn text(status: u16, text: &str) -> Response {
        Response {
            status,
            headers: vec![("Content-Type", "text/plain; charset=utf-8".to_string())],
            body: Body::Bytes(text.as_bytes().to_vec()),
        }
    }

    /// Write status line, headers and (unless `head_only`) the body.
    pub fn write_to(self, stream: &mut impl Write, head_only: bool) -> io::Result<()> {
        let mut out = io::BufWriter::new(stream);
        write!(out, "HTTP/1.1 {} {}\r\n", self.status, reason(self.status))?;
        for (name, value) in &self.headers {
            write!(out, "{name}: {value}\r\n")?;
        }
        write!(
            out,
            "Content-Length: {}\r\nCache-Control: no-cache\r\nX-Content-Type-Options: nosniff\r\n\
             Connection: close\r\n\r\n",
            self.body.len()
        )?;
        if !head_only {
            match self.body {
                Body::Bytes(bytes) => out.write_all(&bytes)?,
                Body::File(file, len) => {
                    io::copy(&mut file.take(len), &mut out)?;
                }
            }
        }
        out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn read(bytes: &[u8]) -> Result<Request, RequestError> {
        let deadline = Instant::now() + Duration::from_secs(5);
        read_request(&mut &bytes[..], deadline)
    }

    #[test]
    fn parses_get_and_head() {
        let r = read(b"GET /a%20b/?q=1 HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        assert_eq!(r.method, Method::Get);
        assert_eq!(r.target, "/a%20b/?q=1");
        let r = read(b"HEAD / HTTP/1.0\r\n\r\n").unwrap();
        assert_eq!(r.method, Method::Head);
    }

    #[test]
    fn rejects_bad_input() {
        assert_eq!(
            read(b"\x00\x01\x02garbage\r\n\r\n"),
            Err(RequestError::Malformed)
        );
        assert_eq!(read(b"POST / HTTP/1.1\r\n\r\n"), Err(RequestError::Method));
        assert_eq!(read(b"GET / HTTP/1.1\r\nHost"), Err(RequestError::Closed));
        let mut huge = b"GET / HTTP/1.1\r\nX-Big: ".to_vec();
        huge.extend(std::iter::repeat_n(b'a', MAX_HEAD * 2));
        assert_eq!(read(&huge), Err(RequestError::TooLarge));
        let mut many = b"GET / HTTP/1.1\r\n".to_vec();
        for i in 0..100 {
            many.extend(format!("X-{i}: 1\r\n").as_bytes());
        }
        many.extend(b"\r\n");
        assert_eq!(read(&many), Err(RequestError::TooLarge));
    }

    #[test]
    fn slow_clients_time_out() {
        let past = Instant::now() - Duration::from_millis(1);
        let bytes = b"GET / HTTP/1.1\r\n\r\n";
        assert_eq!(
            read_request(&mut &bytes[..], past),
            Err(RequestError::Timeout)
        );
    }

    #[test]
    fn writes_head_without_body() {
        let mut out = Vec::new();
        Response::text(404, "nope")
            .write_to(&mut out, true)
            .unwrap();
        let s = String::from_utf8(out).unwrap();
        assert!(s.starts_with("HTTP/1.1 404 Not Found\r\n"));
        assert!(s.contains("Content-Length: 4\r\n"));
        assert!(s.ends_with("\r\n\r\n"));
    }
}
