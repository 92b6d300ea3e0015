//! The render cache: lets a rebuild skip pages whose inputs did not change.
//!
//! Every templated page gets a key: a BLAKE3 hash of everything that can
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
//! On disk: `.folio-cache/render/<hash of the output folder>.txt`, one line per
//! page, `key-hex<TAB>length<TAB>file`, sorted. The file is removed when a build
//! starts and written again only after the output was swapped into place, so a
//! failed or killed build leaves no cache that could disagree with the output.
//! Deleting it only costs one full render; `--clean` ignores it.
//!
//! This module decides nothing about what a page contains and writes no pages.

use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::Serialize;

/// A page's cache key.
pub type Key = [u8; 16];

/// Template variables of one page, hashed as they are inserted.
pub struct PageContext {
    pub(crate) ctx: tera::Context,
    hasher: blake3::Hasher,
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
            hasher: blake3::Hasher::new(),
        }
    }

    /// A context with no template variables whose key so far is this one's:
    /// for pages that share variables, hashed once (see `lists::paginated`);
    /// the variables themselves must be inserted again where it renders.
    pub fn fork(&self) -> PageContext {
        PageContext {
            ctx: tera::Context::new(),
            hasher: self.hasher.clone(),
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
        self.hasher.update(name.as_bytes());
        self.hasher.update(&[0]);
        if !hash_json(&mut self.hasher, value) {
            self.hasher.update(b"\xff-unserializable");
        }
        self.hasher.update(&[0]);
    }

    /// Feeds `bytes` to the key under `name` without adding a template
    /// variable (an input that stands for a variable filled in later, e.g.
    /// the hash of an article's Markdown for its HTML body).
    pub fn hash_only(&mut self, name: &'static str, bytes: &[u8]) {
        self.hasher.update(name.as_bytes());
        self.hasher.update(&[0]);
        self.hasher.update(bytes);
        self.hasher.update(&[0]);
    }

    /// Sets a template variable without feeding it to the key: only for a value
    /// fully determined by inputs already hashed (see [`PageContext::hash_only`]).
    pub fn insert_unhashed<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) {
        self.ctx.insert(key, value);
    }

    /// The key of this page: the site fingerprint, template, URL, `page` metadata
    /// and every inserted variable.
    pub fn key<M: Serialize>(&self, site: &Key, template: &str, url: &str, meta: &M) -> Key {
        let mut h = self.hasher.clone();
        h.update(site);
        for part in [template, url] {
            h.update(part.as_bytes());
            h.update(&[0]);
        }
        let _ = hash_json(&mut h, meta);
        truncate(h.finalize())
    }
}

/// Feeds the JSON form of `value` to `h` (buffered: serde writes in many small pieces, and
/// the hash of a byte stream does not depend on how it is cut); false if it has none.
fn hash_json<T: Serialize + ?Sized>(h: &mut blake3::Hasher, value: &T) -> bool {
    use std::io::Write;
    let mut w = std::io::BufWriter::with_capacity(4096, h);
    serde_json::to_writer(&mut w, value).is_ok() && w.flush().is_ok()
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
    // A rebuilt `folio` may render differently: its size and mtime count too.
    if let Ok(meta) = std::env::current_exe().and_then(fs::metadata) {
        h.update(&meta.len().to_le_bytes());
        if let Ok(t) = meta.modified()
            && let Ok(d) = t.duration_since(std::time::UNIX_EPOCH)
        {
            h.update(&d.as_nanos().to_le_bytes());
        }
    }
    for p in parts {
        h.update(&(p.len() as u64).to_le_bytes());
        h.update(p);
    }
    truncate(h.finalize())
}

/// Keys of the previous build and those of the current one.
pub struct RenderCache {
    path: PathBuf,
    previous: HashMap<String, (Key, u64)>,
    current: Mutex<Vec<(String, Key, u64)>>,
}

impl RenderCache {
    /// Loads the cache of the output folder `output` from `cache_dir` and removes
    /// the file (it is written again by [`RenderCache::save`] after a successful
    /// build). With `clean`, the previous keys are ignored.
    pub fn open(cache_dir: &Path, output: &Path, clean: bool) -> RenderCache {
        let abs = crate::output::stable_path(output);
        let id = blake3::hash(abs.to_string_lossy().as_bytes()).to_hex();
        let path = cache_dir.join("render").join(format!("{}.txt", &id[..16]));
        let previous = if clean {
            HashMap::new()
        } else {
            fs::read_to_string(&path)
                .map(|text| parse(&text))
                .unwrap_or_default()
        };
        let _ = fs::remove_file(&path);
        RenderCache {
            path,
            previous,
            current: Mutex::new(Vec::new()),
        }
    }

    /// The length of the output recorded for `file` if its key is still `key`.
    pub fn hit(&self, file: &str, key: &Key) -> Option<u64> {
        match self.previous.get(file) {
            Some((k, len)) if k == key => Some(*len),
            _ => None,
        }
    }

    /// Records the key and output length of a page of this build.
    pub fn record(&self, file: &str, key: Key, len: u64) {
        if let Ok(mut v) = self.current.lock() {
            v.push((file.to_string(), key, len));
        }
    }

    /// Writes this build's keys (call only once the output is in place).
    pub fn save(self) -> std::io::Result<()> {
        let mut entries = self.current.into_inner().unwrap_or_default();
        entries.sort();
        if let Some(parent) = self.path.parent() {
            fs::create_dir_all(parent)?;
        }
        let mut out = Vec::with_capacity(entries.len() * 80);
        for (file, key, len) in entries {
            for b in key {
                write!(out, "{b:02x}")?;
            }
            writeln!(out, "\t{len}\t{file}")?;
        }
        crate::output::write_cache(&self.path, &out).map_err(std::io::Error::other)
    }
}

fn parse(text: &str) -> HashMap<String, (Key, u64)> {
    text.lines()
        .filter_map(|line| {
            let mut parts = line.splitn(3, '\t');
            let hex = parts.next()?;
            let len = parts.next()?.parse().ok()?;
            let file = parts.next()?;
            let mut key = [0u8; 16];
            if hex.len() != 32 {
                return None;
            }
            for (i, k) in key.iter_mut().enumerate() {
                *k = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
            }
            Some((file.to_string(), (key, len)))
        })
        .collect()
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
    fn buffered_json_hashes_like_the_whole_text() {
        let value = serde_json::json!({"title": "洞庭碧波连酉水", "n": [1, 2, 3], "long": "x".repeat(10_000)});
        let mut a = blake3::Hasher::new();
        assert!(hash_json(&mut a, &value));
        let mut b = blake3::Hasher::new();
        b.update(&serde_json::to_vec(&value).unwrap());
        assert_eq!(a.finalize(), b.finalize());
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
}
