//! The render cache: lets a rebuild skip pages whose inputs did not change.
//!
//! Every templated page gets a key: a 128-bit hash (XXH3) of everything that can
//! change its bytes — the site fingerprint (all template sources, the strings
//! table, the global template variables such as `site` and `nav`, the whole
//! configuration and the identity of the `folio` program), the template name,
//! the page URL, its `page` metadata and every variable passed to the template,
//! or what the variable is made of: an article's own values enter as the hash
//! of its file, each listed article (neighbour, related article, list item) as
//! a digest of its front matter and summary, a pager as its numbers. A page is
//! skipped when the previous
//! build recorded the same key for its URL and the output file (cloned from the
//! current output) still has the recorded length; otherwise it is rendered.
//!
//! On disk: `.folio-cache/render/<hash of the output folder>.bin`: a format line,
//! then per page, sorted by a 64-bit XXH3 hash of its file's path, that hash,
//! the key (16 bytes) and the page's length (u64), little-endian: 32 bytes a
//! page, looked up by number, not by comparing paths. Two paths with the same
//! hash (about one chance in 10⁹ at a million pages) are left out, so those
//! pages are always rendered. A rebuild that keeps
//! a page marks it in a bit set (no lock, no copy of its path); only pages
//! with new keys are collected. The file is removed when a build
//! starts and written again only after the output was swapped into place, so a
//! failed or killed build leaves no cache that could disagree with the output.
//! Deleting it only costs one full render; `--clean` ignores it.
//!
//! This module decides nothing about what a page contains and writes no pages.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

/// A page's cache key.
pub type Key = [u8; 16];

/// Template variables of one page, and what its key is computed from: the
/// variables' JSON forms (or what stands for them), gathered as they are
/// inserted and hashed once, by [`PageContext::key`].
pub struct PageContext {
    pub(crate) ctx: tera::Context,
    material: Vec<u8>,
}

impl Default for PageContext {
    fn default() -> Self {
        PageContext::new()
    }
}

impl PageContext {
    pub fn new() -> PageContext {
        PageContext {
            ctx: tera::Context::new(),
            material: Vec::with_capacity(256),
        }
    }

    /// A context with no template variables whose key so far is this one's:
    /// for pages that share variables, serialized once (see `lists::paginated`);
    /// the variables themselves must be inserted again where it renders.
    pub fn fork(&self) -> PageContext {
        PageContext {
            ctx: tera::Context::new(),
            material: self.material.clone(),
        }
    }

    /// Adds a template variable (and feeds its JSON form to the key).
    pub fn insert<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) {
        self.hash_value(key, value);
        self.ctx.insert(key, value);
    }

    /// Feeds the JSON form of `value` to the key under `name`, as
    /// [`PageContext::insert`] does, without building the template value (set
    /// it with [`PageContext::insert_unhashed`] when the page is rendered).
    pub fn hash_value<T: Serialize + ?Sized>(&mut self, name: &'static str, value: &T) {
        self.material.extend_from_slice(name.as_bytes());
        self.material.push(0);
        let start = self.material.len();
        if serde_json::to_writer(&mut self.material, value).is_err() {
            self.material.truncate(start);
            self.material.extend_from_slice(b"\xff-unserializable");
        }
        self.material.push(0);
    }

    /// Feeds `bytes` to the key under `name` without adding a template
    /// variable (an input that stands for a variable filled in later, e.g.
    /// the hash of an article's Markdown for its HTML body).
    pub fn hash_only(&mut self, name: &'static str, bytes: &[u8]) {
        self.material.extend_from_slice(name.as_bytes());
        self.material.push(0);
        self.material.extend_from_slice(bytes);
        self.material.push(0);
    }

    /// Sets a template variable without feeding it to the key: only for a value
    /// fully determined by inputs already hashed (see [`PageContext::hash_only`]).
    pub fn insert_unhashed<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) {
        self.ctx.insert(key, value);
    }

    /// The key of this page: the site fingerprint, template, URL, `page` metadata
    /// and every inserted variable.
    pub fn key<M: Serialize>(&mut self, site: &Key, template: &str, url: &str, meta: &M) -> Key {
        let end = self.material.len();
        self.material.extend_from_slice(site);
        for part in [template, url] {
            self.material.extend_from_slice(part.as_bytes());
            self.material.push(0);
        }
        let _ = serde_json::to_writer(&mut self.material, meta);
        // A fast 128-bit hash: keys only need to tell apart what one site
        // renders (BLAKE3 cost a tenth of a one-edit rebuild at 100k pages).
        let key = xxhash_rust::xxh3::xxh3_128(&self.material).to_le_bytes();
        self.material.truncate(end);
        key
    }
}

fn truncate(hash: blake3::Hash) -> Key {
    let mut key = [0u8; 16];
    key.copy_from_slice(&hash.as_bytes()[..16]);
    key
}

/// The fingerprint of everything every page depends on.
pub fn site_fingerprint(parts: &[&[u8]]) -> Key {
    let mut h = blake3::Hasher::new();
    h.update(b"folio-render-cache v1\0");
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    // A rebuilt `folio` may render differently.
    h.update(&crate::program::identity());
    for p in parts {
        h.update(&(p.len() as u64).to_le_bytes());
        h.update(p);
    }
    truncate(h.finalize())
}

/// Keys of the previous build and those of the current one.
pub struct RenderCache {
    path: PathBuf,
    /// The previous build's pages, sorted by path hash: (hash of the file's path, key, length).
    previous: Vec<(u64, Key, u64)>,
    /// One bit per previous page: recorded again by this build with the same key and length.
    same: Vec<AtomicU64>,
    /// Pages recorded with a new key or length.
    changed: Mutex<Vec<(u64, Key, u64)>>,
}

/// A page [`RenderCache::hit_at`] found with its key unchanged.
#[derive(Debug, Clone, Copy)]
pub struct Hit {
    index: usize,
    /// The length of the page the previous build wrote.
    pub len: u64,
}

/// The first bytes of the file: its format.
const MAGIC: &[u8] = b"folio-render-3\n";

/// The number a page's file is looked up by.
fn path_hash(file: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(file.as_bytes())
}

impl RenderCache {
    /// Loads the cache of the output folder `output` from `cache_dir` and removes
    /// the file (it is written again by [`RenderCache::save`] after a successful
    /// build). With `clean`, the previous keys are ignored.
    pub fn open(cache_dir: &Path, output: &Path, clean: bool) -> RenderCache {
        let abs = crate::output::stable_path(output);
        let id = blake3::hash(abs.to_string_lossy().as_bytes()).to_hex();
        let path = cache_dir.join("render").join(format!("{}.bin", &id[..16]));
        let previous = if clean {
            Vec::new()
        } else {
            fs::read(&path)
                .ok()
                .and_then(|bytes| parse(&bytes))
                .unwrap_or_default()
        };
        let _ = fs::remove_file(&path);
        RenderCache {
            path,
            same: (0..previous.len().div_ceil(64))
                .map(|_| AtomicU64::new(0))
                .collect(),
            previous,
            changed: Mutex::new(Vec::new()),
        }
    }

    fn position(&self, file: &str) -> Option<usize> {
        let h = path_hash(file);
        self.previous.binary_search_by_key(&h, |p| p.0).ok()
    }

    /// The length of the output recorded for `file` if its key is still `key`.
    #[cfg(test)]
    pub fn hit(&self, file: &str, key: &Key) -> Option<u64> {
        self.hit_at(file, key).map(|h| h.len)
    }

    /// [`Self::hit`], for a page that may then be kept with [`Self::reuse`].
    pub fn hit_at(&self, file: &str, key: &Key) -> Option<Hit> {
        let index = self.position(file)?;
        let (_, k, len) = &self.previous[index];
        (k == key).then_some(Hit { index, len: *len })
    }

    /// Records a page kept as the previous build made it: [`Self::record`] of its
    /// key and length, without looking it up again.
    pub fn reuse(&self, hit: Hit) {
        let i = hit.index;
        self.same[i / 64].fetch_or(1 << (i % 64), Ordering::Relaxed);
    }

    /// Records the key and output length of a page of this build.
    pub fn record(&self, file: &str, key: Key, len: u64) {
        if let Some(i) = self.position(file)
            && self.previous[i].1 == key
            && self.previous[i].2 == len
        {
            self.same[i / 64].fetch_or(1 << (i % 64), Ordering::Relaxed);
        } else if let Ok(mut v) = self.changed.lock() {
            v.push((path_hash(file), key, len));
        }
    }

    /// Writes this build's keys (call only once the output is in place).
    pub fn save(self) -> std::io::Result<()> {
        let mut changed = self.changed.into_inner().unwrap_or_default();
        changed.sort_unstable_by_key(|c| c.0);
        let same = |i: usize| self.same[i / 64].load(Ordering::Relaxed) & (1 << (i % 64)) != 0;
        // Both lists are sorted by path hash: merged, the file is too.
        let mut pages: Vec<&(u64, Key, u64)> =
            Vec::with_capacity(self.previous.len() + changed.len());
        let mut fresh = changed.iter().peekable();
        for (i, page) in self.previous.iter().enumerate() {
            if !same(i) {
                continue;
            }
            while let Some(c) = fresh.next_if(|c| c.0 < page.0) {
                pages.push(c);
            }
            pages.push(page);
        }
        pages.extend(fresh);
        if let Some(parent) = self.path.parent() {
            fs::create_dir_all(parent)?;
        }
        let mut out = Vec::with_capacity(MAGIC.len() + pages.len() * 32);
        out.extend_from_slice(MAGIC);
        for (i, (hash, key, len)) in pages.iter().copied().enumerate() {
            // Pages whose paths share a hash are left out (rendered every time).
            let shared = |j: usize| pages.get(j).is_some_and(|p| p.0 == *hash);
            if shared(i + 1) || (i > 0 && shared(i - 1)) {
                continue;
            }
            out.extend_from_slice(&hash.to_le_bytes());
            out.extend_from_slice(key);
            out.extend_from_slice(&len.to_le_bytes());
        }
        crate::output::write_cache(&self.path, &out).map_err(std::io::Error::other)
    }
}

/// The pages of a cache file, or `None` if it is not one (another format,
/// truncated, out of order).
fn parse(bytes: &[u8]) -> Option<Vec<(u64, Key, u64)>> {
    let rest = bytes.strip_prefix(MAGIC)?;
    if rest.len() % 32 != 0 {
        return None;
    }
    let pages: Vec<(u64, Key, u64)> = rest
        .chunks_exact(32)
        .map(|c| {
            let hash = u64::from_le_bytes(c[..8].try_into().unwrap_or_default());
            let key: Key = c[8..24].try_into().unwrap_or_default();
            let len = u64::from_le_bytes(c[24..].try_into().unwrap_or_default());
            (hash, key, len)
        })
        .collect();
    pages.is_sorted_by(|a, b| a.0 < b.0).then_some(pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_change_with_any_input() {
        let site = site_fingerprint(&[b"templates"]);
        let mk = |v: &str| {
            let mut c = PageContext::new();
            c.insert("a", v);
            c
        };
        let k = mk("x").key(&site, "t.html", "/a/", &"meta");
        assert_eq!(k, mk("x").key(&site, "t.html", "/a/", &"meta"));
        assert_ne!(k, mk("y").key(&site, "t.html", "/a/", &"meta"));
        assert_ne!(k, mk("x").key(&site, "u.html", "/a/", &"meta"));
        assert_ne!(k, mk("x").key(&site, "t.html", "/b/", &"meta"));
        assert_ne!(k, mk("x").key(&site, "t.html", "/a/", &"other"));
        let other = site_fingerprint(&[b"templates!"]);
        assert_ne!(k, mk("x").key(&other, "t.html", "/a/", &"meta"));
    }

    #[test]
    fn forks_and_repeated_keys_agree() {
        let site = site_fingerprint(&[b"templates"]);
        let mut shared = PageContext::new();
        shared.insert("items", &["甲", "乙"]);
        let mut forked = shared.fork();
        forked.hash_only("pager", b"1/3");
        let mut fresh = PageContext::new();
        fresh.insert("items", &["甲", "乙"]);
        fresh.hash_only("pager", b"1/3");
        let k = forked.key(&site, "list.html", "/a/", &"meta");
        assert_eq!(k, fresh.key(&site, "list.html", "/a/", &"meta"));
        // A key leaves the context as it was: asked again, it is the same.
        assert_eq!(k, forked.key(&site, "list.html", "/a/", &"meta"));
        forked.hash_only("more", b"x");
        assert_ne!(k, forked.key(&site, "list.html", "/a/", &"meta"));
        assert_ne!(k, shared.key(&site, "list.html", "/a/", &"meta"));
    }

    #[test]
    fn saved_keys_are_hits_once_and_the_file_goes_while_building() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let c = RenderCache::open(tmp.path(), &out, false);
        assert_eq!(c.hit("index.html", &[1; 16]), None);
        c.record("index.html", [1; 16], 42);
        c.record("a b/index.html", [2; 16], 7);
        c.save().unwrap();
        let c = RenderCache::open(tmp.path(), &out, false);
        assert_eq!(c.hit("index.html", &[1; 16]), Some(42));
        assert_eq!(c.hit("a b/index.html", &[2; 16]), Some(7));
        assert_eq!(c.hit("index.html", &[2; 16]), None);
        // Opened for a build: the file is gone until that build saves.
        let again = RenderCache::open(tmp.path(), &out, false);
        assert_eq!(again.hit("index.html", &[1; 16]), None);
        // Another output folder has its own cache; clean ignores it.
        c.record("index.html", [1; 16], 42);
        c.save().unwrap();
        let other = RenderCache::open(tmp.path(), &tmp.path().join("x"), false);
        assert_eq!(other.hit("index.html", &[1; 16]), None);
        let clean = RenderCache::open(tmp.path(), &out, true);
        assert_eq!(clean.hit("index.html", &[1; 16]), None);
    }

    #[test]
    fn a_rebuild_keeps_recorded_pages_only_with_their_new_keys() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let c = RenderCache::open(tmp.path(), &out, false);
        for (i, file) in ["b/index.html", "a/index.html", "c/index.html"]
            .iter()
            .enumerate()
        {
            c.record(file, [i as u8; 16], 10);
        }
        c.save().unwrap();
        // Same key for b, a new key for c, a new page d, a not recorded.
        let c = RenderCache::open(tmp.path(), &out, false);
        c.record("b/index.html", [0; 16], 10);
        c.record("d/index.html", [9; 16], 4);
        c.record("c/index.html", [7; 16], 11);
        c.save().unwrap();
        let c = RenderCache::open(tmp.path(), &out, false);
        assert_eq!(c.hit("a/index.html", &[1; 16]), None);
        assert_eq!(c.hit("b/index.html", &[0; 16]), Some(10));
        assert_eq!(c.hit("c/index.html", &[2; 16]), None);
        assert_eq!(c.hit("c/index.html", &[7; 16]), Some(11));
        assert_eq!(c.hit("d/index.html", &[9; 16]), Some(4));
        let mut files: Vec<u64> = ["b/index.html", "c/index.html", "d/index.html"]
            .iter()
            .map(|f| path_hash(f))
            .collect();
        files.sort_unstable();
        let kept: Vec<u64> = c.previous.iter().map(|p| p.0).collect();
        assert_eq!(kept, files);
    }

    #[test]
    fn pages_whose_paths_share_a_hash_are_left_out() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let c = RenderCache::open(tmp.path(), &out, false);
        c.record("a/index.html", [1; 16], 10);
        // As if another path had the hash of `a/index.html`.
        let h = path_hash("a/index.html");
        c.changed.lock().unwrap().push((h, [2; 16], 20));
        c.record("b/index.html", [3; 16], 30);
        c.save().unwrap();
        let c = RenderCache::open(tmp.path(), &out, false);
        assert_eq!(c.hit("a/index.html", &[1; 16]), None);
        assert_eq!(c.hit("a/index.html", &[2; 16]), None);
        assert_eq!(c.hit("b/index.html", &[3; 16]), Some(30));
    }
}
