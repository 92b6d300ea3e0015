//! Where a page's bytes go: site-relative URLs → file paths in the output.
//! The writing itself (only changed bytes, atomically) is `output::Staging`'s.
//! Must not decide what to write or where pages live.

use std::path::Path;

/// The file for a site-relative URL: `/a/b/` → `out/a/b/index.html`,
/// `/atom.xml` → `out/atom.xml`. Percent-escapes are decoded (the URL
/// `/articles/a%20b/` is the folder `articles/a b/`).
pub fn url_to_file(out: &Path, url: &str) -> std::path::PathBuf {
    let decoded = percent_decode(url.trim_start_matches('/'));
    let mut path = out.to_path_buf();
    for part in decoded
        .split('/')
        .filter(|p| !p.is_empty() && *p != "." && *p != "..")
    {
        path.push(part);
    }
    if url.ends_with('/') {
        path.push("index.html");
    }
    path
}

/// Decodes `%XX` escapes (invalid ones are kept as they are).
pub fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_map_to_files() {
        let out = Path::new("/o");
        assert_eq!(url_to_file(out, "/"), Path::new("/o/index.html"));
        assert_eq!(
            url_to_file(out, "/a/b%20c/"),
            Path::new("/o/a/b c/index.html")
        );
        assert_eq!(url_to_file(out, "/atom.xml"), Path::new("/o/atom.xml"));
        assert_eq!(url_to_file(out, "/../x/"), Path::new("/o/x/index.html"));
        assert_eq!(percent_decode("%E4%B8%AD%zz%4"), "中%zz%4");
    }
}
