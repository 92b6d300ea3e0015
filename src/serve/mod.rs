//! `folio serve`: a small local preview server with live reload, and a file watcher.
//!
//! [`Server`] serves the files of an already built `public/` directory over HTTP on
//! loopback (by default), injects a live-reload script into HTML responses only (never
//! on disk), pushes `reload` and `error` events to open tabs over server-sent events,
//! and shows a build-error overlay while an error is set. [`watch`] reports debounced
//! changes of source paths.
//!
//! This module must NOT build the site, read config, content or templates, or write
//! anything to disk: the CLI composes it with the build pipeline.

mod events;
mod http;
mod inject;
mod resolve;
mod server;
mod watch;

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use thiserror::Error;

pub use inject::{EVENTS_PATH, escape_html};
pub use server::Server;
pub use watch::{Watcher, watch, watch_ignoring};

/// Where the preview server listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServeOptions {
    /// Interface to bind; loopback unless the user asks otherwise.
    pub interface: IpAddr,
    /// Port to bind; 0 lets the system pick any free port.
    pub port: u16,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            interface: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 1111,
        }
    }
}

/// Errors starting the preview server or the watcher.
#[derive(Debug, Error)]
pub enum ServeError {
    #[error("cannot serve {path}: {source}")]
    PublicDir { path: PathBuf, source: io::Error },
    #[error(
        "cannot listen on {addr}: the address is already in use (is another `folio serve` running?); \
         choose another port with --port <PORT>, or --port 0 for any free port"
    )]
    AddrInUse { addr: SocketAddr },
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: io::Error },
    #[error("cannot start a server thread: {0}")]
    Thread(io::Error),
    #[error("cannot start the file watcher: {0}")]
    WatcherStart(String),
    #[error("cannot watch {path}: {message}")]
    Watch { path: PathBuf, message: String },
}
