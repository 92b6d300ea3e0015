//! Resolution of one link found in a built page to a site-relative file path: external
//! URLs are recognized, the base path stripped, relative paths joined and normalized,
//! percent-encoding decoded.
//!
//! It must NOT touch the file system: whether the file exists is the caller's question.

use percent_encoding::percent_decode_str;

/// Where a link points.
#[derive(Debug, PartialEq, Eq)]
pub enum Target {
    /// Another site, another scheme, or nothing to check.
    External,
    /// A file of this site (relative, decoded, normalized; may name a directory) and
    /// the fragment as written, if any.
    Local {
        path: String,
        fragment: Option<String>,
    },
    /// Malformed or unreachable, with the reason.
    Broken(String),
}

/// `"/archive/"` → `"/archive"`, `"/"` or `""` → `""`.
pub fn normalize_base(base_path: &str) -> String {
    let trimmed = base_path.trim_matches('/');
    if trimmed.is_empty() {
        String::new()
    } else {
        format!("/{}", decode(trimmed))
    }
}

/// Resolve `url` found in page `rel` (relative path) of a site under `base`.
pub fn resolve(rel: &str, base: &str, url: &str) -> Target {
    let url = url.trim_matches(|c: char| c.is_ascii_whitespace());
    if url.is_empty() || url.starts_with("//") || has_scheme(url) {
        return Target::External;
    }
    let (before_fragment, fragment) = match url.split_once('#') {
        Some((b, f)) => (b, Some(f.to_string())),
        None => (url, None),
    };
    let raw_path = before_fragment
        .split_once('?')
        .map_or(before_fragment, |(p, _)| p);
    if raw_path.is_empty() {
        return Target::Local {
            path: rel.to_string(),
            fragment,
        };
    }
    let Ok(path) = percent_decode_str(raw_path).decode_utf8() else {
        return Target::Broken("percent-encoding is not valid UTF-8".into());
    };
    let joined = if let Some(rooted) = path.strip_prefix('/') {
        if base.is_empty() {
            rooted.to_string()
        } else if let Some(rest) = path
            .strip_prefix(base)
            .filter(|r| r.is_empty() || r.starts_with('/'))
        {
            rest.trim_start_matches('/').to_string()
        } else {
            return Target::Broken(format!("outside the site's base path {base}"));
        }
    } else {
        match rel.rfind('/') {
            Some(slash) => format!("{}/{path}", &rel[..slash]),
            None => path.to_string(),
        }
    };
    let mut segments: Vec<&str> = Vec::new();
    for segment in joined.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                if segments.pop().is_none() {
                    return Target::Broken("goes above the site root".into());
                }
            }
            s => segments.push(s),
        }
    }
    let is_dir = joined.is_empty()
        || joined.ends_with('/')
        || joined.ends_with("/.")
        || joined.ends_with("/..")
        || joined == "."
        || joined == "..";
    let mut path = segments.join("/");
    if is_dir {
        path = if path.is_empty() {
            "index.html".to_string()
        } else {
            format!("{path}/index.html")
        };
    }
    Target::Local { path, fragment }
}

/// `scheme:` per RFC 3986 (a letter, then letters, digits, `+`, `-`, `.`).
fn has_scheme(url: &str) -> bool {
    let Some(colon) = url.find([':', '/', '?', '#']) else {
        return false;
    };
    let scheme = &url[..colon];
    url[colon..].starts_with(':')
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// Percent-decode, replacing invalid UTF-8.
pub use crate::render::write::percent_decode as decode;

#[cfg(test)]
mod tests {
    use super::*;

    fn local(path: &str, fragment: Option<&str>) -> Target {
        Target::Local {
            path: path.into(),
            fragment: fragment.map(Into::into),
        }
    }

    #[test]
    fn external_urls_are_skipped() {
        for url in [
            "https://example.com/x",
            "//cdn.example.com/a.js",
            "mailto:a@b.c",
            "data:image/png;base64,xx",
            "javascript:void(0)",
            "tel:+86",
            "  ",
        ] {
            assert_eq!(resolve("a/index.html", "", url), Target::External, "{url}");
        }
        assert!(!has_scheme("a/b:c"));
        assert!(!has_scheme("1abc:x"));
    }

    #[test]
    fn relative_and_rooted() {
        let page = "articles/x/01/index.html";
        assert_eq!(
            resolve(page, "", "../02/"),
            local("articles/x/02/index.html", None)
        );
        assert_eq!(
            resolve(page, "", "img.png"),
            local("articles/x/01/img.png", None)
        );
        assert_eq!(resolve(page, "", "/"), local("index.html", None));
        assert_eq!(
            resolve(page, "", "."),
            local("articles/x/01/index.html", None)
        );
        assert_eq!(
            resolve(page, "", ".."),
            local("articles/x/index.html", None)
        );
        assert_eq!(resolve(page, "", "#n1"), local(page, Some("n1")));
        assert_eq!(resolve(page, "", "?p=2"), local(page, None));
        assert_eq!(
            resolve(page, "", "/articles/%E4%B8%93%E9%A2%98/?q#s"),
            local("articles/专题/index.html", Some("s"))
        );
        assert_eq!(resolve(page, "", "/tags"), local("tags", None));
        assert!(matches!(
            resolve(page, "", "../../../../x"),
            Target::Broken(_)
        ));
        assert!(matches!(resolve(page, "", "/%FF"), Target::Broken(_)));
    }

    #[test]
    fn base_path_is_stripped() {
        let base = normalize_base("/archive/");
        assert_eq!(base, "/archive");
        assert_eq!(
            resolve("index.html", &base, "/archive/"),
            local("index.html", None)
        );
        assert_eq!(
            resolve("index.html", &base, "/archive"),
            local("index.html", None)
        );
        assert_eq!(
            resolve("index.html", &base, "/archive/a.css"),
            local("a.css", None)
        );
        assert!(matches!(
            resolve("index.html", &base, "/archived/a.css"),
            Target::Broken(_)
        ));
        assert!(matches!(
            resolve("index.html", &base, "/a.css"),
            Target::Broken(_)
        ));
        assert_eq!(normalize_base("/"), "");
    }
}
