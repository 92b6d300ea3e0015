//! `folio serve`: build, serve, watch, rebuild, reload.
//!
//! Composes the build pipeline with the preview server: the preview is built
//! into `.folio-cache/serve/public` with the local address as base URL (so the
//! published `public/` is never touched), and every change under content/,
//! seeds/, themes/, templates/, static/ or site.toml (folders created while
//! serving included) triggers an incremental rebuild and
//! a browser reload. A failed rebuild shows its error in the browser and the
//! terminal; the server keeps running. No HTTP or build logic of its own.

use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Instant;

use anyhow::{Context, Result};

use crate::build::{self, BuildOptions, SitePaths};
use crate::config::SiteConfig;
use crate::serve::{self, ServeOptions, Server};

/// Runs until interrupted.
pub fn run(paths: &SitePaths, interface: IpAddr, port: u16, drafts: bool) -> Result<i32> {
    let public = paths.cache().join("serve").join("public");
    std::fs::create_dir_all(&public).with_context(|| format!("creating {}", public.display()))?;
    let server = Server::start(public.clone(), &ServeOptions { interface, port })?;
    let addr = server.addr();
    let options = BuildOptions {
        base_url: Some(format!("http://{addr}/")),
        drafts,
        output_dir: Some(public),
        ..Default::default()
    };
    // Watch before the first build, so no save made during it (or right after
    // the address is announced) is missed.
    let (tx, rx) = mpsc::channel();
    let (watched, ignored) = watch_lists(paths);
    let _watcher = serve::watch_ignoring(&watched, &ignored, move |changed| {
        let _ = tx.send(changed);
    })?;
    let mut memo = build::BuildMemo::default();
    rebuild(paths, &options, &server, &mut memo);
    // The first edit of an article's lead segments its text: load jieba's dictionary (a few
    // hundred ms) now, while nothing is waiting for it.
    std::thread::spawn(|| {
        crate::classify::segment::base_jieba();
    });
    eprintln!("serving at http://{addr}/ (Ctrl-C to stop)");
    while let Ok(mut changed) = rx.recv() {
        while let Ok(more) = rx.try_recv() {
            changed.extend(more);
        }
        eprintln!("{} change(s); rebuilding", changed.len());
        memo.note_changes(Some(changed));
        rebuild(paths, &options, &server, &mut memo);
    }
    Ok(0)
}

/// What to watch and what never to react to. Every source is watched whether it
/// exists yet or not (a `templates/` or `static/` folder created while serving is
/// picked up), as long as its parent folder exists. Ignored: the build cache (the
/// preview itself is written there) and the published output folder, in case a
/// site keeps either inside a watched folder.
fn watch_lists(paths: &SitePaths) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let config = SiteConfig::load(&paths.config).ok();
    let seeds = config
        .as_ref()
        .map_or_else(|| paths.root.join("seeds"), |c| paths.seeds(c));
    let mut watched: Vec<PathBuf> = [paths.content(), seeds, paths.config.clone()]
        .into_iter()
        .chain(
            ["themes", "templates", "static"]
                .iter()
                .map(|p| paths.root.join(p)),
        )
        .filter(|p| {
            p.exists()
                || p.parent()
                    .is_some_and(|d| d.as_os_str().is_empty() || d.is_dir())
        })
        .collect();
    watched.sort();
    watched.dedup();
    let mut ignored = vec![paths.cache()];
    if let Some(c) = &config {
        ignored.push(paths.output(c));
    }
    (watched, ignored)
}

fn rebuild(
    paths: &SitePaths,
    options: &BuildOptions,
    server: &Server,
    memo: &mut build::BuildMemo,
) {
    let start = Instant::now();
    match build::build_with(paths, options, &|_| {}, Some(memo)) {
        Ok((summary, _)) => {
            server.set_error(None);
            server.notify_reload();
            eprintln!(
                "rebuilt {} articles in {} ms ({} files written; {})",
                summary.articles,
                start.elapsed().as_millis(),
                summary.files_written,
                summary.phase_times()
            );
        }
        Err(e) => {
            let message = e.to_string();
            eprintln!("error: {message}");
            server.set_error(Some(message));
        }
    }
}
