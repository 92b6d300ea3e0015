//! Map a request target to a file under the served directory, refusing anything that
//! could escape it, and name the Content-Type of a file.
//!
//! It must NOT read file contents; it only looks at paths and metadata.

use std::path::{Path, PathBuf};

use percent_encoding::percent_decode_str;

/// What a request target refers to.
#[derive(Debug, PartialEq, Eq)]
pub enum Resolved {
    /// A regular file inside the root (canonical path).
    File(PathBuf),
    /// A directory asked for without its trailing slash: redirect here.
    Redirect(String),
    NotFound,
    Forbidden,
}

/// Resolve `target` (raw request target) against `root` (canonical directory).
pub fn resolve(root: &Path, target: &str) -> Resolved {
    let Some(raw_path) = path_of_target(target) else {
        return Resolved::Forbidden;
    };
    let Ok(decoded) = percent_decode_str(raw_path).decode_utf8() else {
        return Resolved::NotFound;
    };
    if decoded.contains(['\0', '\\']) {
        return Resolved::Forbidden;
    }
    let mut path = root.to_path_buf();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => return Resolved::Forbidden,
            s if Path::new(s).is_absolute() || (cfg!(windows) && s.contains(':')) => {
                return Resolved::Forbidden;
            }
            s => path.push(s),
        }
    }
    let Ok(meta) = std::fs::metadata(&path) else {
        return Resolved::NotFound;
    };
    if meta.is_dir() {
        if !raw_path.ends_with('/') {
            let query = target.find('?').map(|i| &target[i..]).unwrap_or("");
            return Resolved::Redirect(format!("{raw_path}/{query}"));
        }
        path.push("index.html");
    }
    inside(root, &path)
}

/// The file, if it is a regular file whose real location (symlinks followed) is in root.
pub fn inside(root: &Path, path: &Path) -> Resolved {
    match path.canonicalize() {
        Ok(real) if !real.starts_with(root) => Resolved::Forbidden,
        Ok(real) if real.is_file() => Resolved::File(real),
        _ => Resolved::NotFound,
    }
}

/// The path part of an origin-form or absolute-form target, without query or fragment.
fn path_of_target(target: &str) -> Option<&str> {
    let target = match target.find(['?', '#']) {
        Some(i) => &target[..i],
        None => target,
    };
    if target.starts_with('/') {
        return Some(target);
    }
    let rest = target
        .strip_prefix("http://")
        .or_else(|| target.strip_prefix("https://"))?;
    Some(rest.find('/').map_or("/", |i| &rest[i..]))
}

/// The Content-Type for a file name, by extension.
pub fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json",
        "xml" => "application/xml; charset=utf-8",
        "rss" => "application/rss+xml; charset=utf-8",
        "atom" => "application/atom+xml; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "pdf" => "application/pdf",
        "wasm" => "application/wasm",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "mp3" => "audio/mpeg",
        _ => "application/octet-stream",
    }
}

/// Whether a file is served as HTML (and so gets the live-reload script).
pub fn is_html(path: &Path) -> bool {
    content_type(path).starts_with("text/html")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn site() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("public");
        fs::create_dir_all(root.join("articles/专题/01")).unwrap();
        fs::write(root.join("index.html"), "home").unwrap();
        fs::write(root.join("articles/专题/01/index.html"), "a").unwrap();
        fs::write(dir.path().join("secret"), "s").unwrap();
        let root = root.canonicalize().unwrap();
        (dir, root)
    }

    #[test]
    fn resolves_index_and_encoded_paths() {
        let (_d, root) = site();
        assert_eq!(resolve(&root, "/"), Resolved::File(root.join("index.html")));
        let want = Resolved::File(root.join("articles/专题/01/index.html"));
        assert_eq!(
            resolve(&root, "/articles/%E4%B8%93%E9%A2%98/01/?x=1#y"),
            want
        );
        assert_eq!(
            resolve(&root, "http://localhost:1111/articles/专题/01/"),
            want
        );
        assert_eq!(
            resolve(&root, "/articles/%E4%B8%93%E9%A2%98/01?x=1"),
            Resolved::Redirect("/articles/%E4%B8%93%E9%A2%98/01/?x=1".into())
        );
        assert_eq!(resolve(&root, "/nope.html"), Resolved::NotFound);
    }

    #[test]
    fn refuses_traversal() {
        let (_d, root) = site();
        for t in [
            "/../secret",
            "/%2e%2e/secret",
            "/..%2fsecret",
            "/%2e%2e%5csecret",
            "/a\\..\\secret",
            "/x%00.html",
            "*",
            "../secret",
        ] {
            assert_eq!(resolve(&root, t), Resolved::Forbidden, "{t}");
        }
        // A doubled slash stays inside the root.
        assert_eq!(resolve(&root, "//secret"), Resolved::NotFound);
    }

    #[cfg(unix)]
    #[test]
    fn refuses_symlinks_out_of_root() {
        let (d, root) = site();
        std::os::unix::fs::symlink(d.path().join("secret"), root.join("link")).unwrap();
        assert_eq!(resolve(&root, "/link"), Resolved::Forbidden);
    }

    #[test]
    fn content_types() {
        assert_eq!(
            content_type(Path::new("a/B.HTML")),
            "text/html; charset=utf-8"
        );
        assert_eq!(content_type(Path::new("f.woff2")), "font/woff2");
        assert_eq!(content_type(Path::new("noext")), "application/octet-stream");
    }
}
