//! Where a page's bytes go: site-relative URLs → file paths in the output.
//! The writing itself (only changed bytes, atomically) is `output::Staging`'s.
//! Must not decide what to write or where pages live.

use std::borrow::Cow;

/// The output file for a site-relative URL, relative to the output folder and
/// `/`-joined: `/a/b/` → `a/b/index.html`, `/atom.xml` → `atom.xml`.
/// Percent-escapes are decoded (the URL `/articles/a%20b/` is the folder
/// `articles/a b/`); empty, `.` and `..` parts are dropped.
pub fn url_to_file(url: &str) -> String {
    let trimmed = url.trim_start_matches('/');
    let decoded = match trimmed.contains('%') {
        true => Cow::Owned(percent_decode(trimmed)),
        false => Cow::Borrowed(trimmed),
    };
    let mut path = String::with_capacity(decoded.len() + 11);
    let parts = (decoded.split('/')).filter(|p| !p.is_empty() && *p != "." && *p != "..");
    for part in parts.chain(url.ends_with('/').then_some("index.html")) {
        if !path.is_empty() {
            path.push('/');
        }
        path.push_str(part);
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
        assert_eq!(url_to_file("/"), "index.html");
        assert_eq!(url_to_file("/a/b%20c/"), "a/b c/index.html");
        assert_eq!(url_to_file("/atom.xml"), "atom.xml");
        assert_eq!(url_to_file("/../x/./y//"), "x/y/index.html");
        assert_eq!(url_to_file("/专题/a/"), "专题/a/index.html");
        assert_eq!(percent_decode("%E4%B8%AD%zz%4"), "中%zz%4");
    }
}
