//! A small, forgiving HTML scanner: finds the URL-bearing attributes (`href`, `src`,
//! `srcset`, `poster`) with their line numbers, and the anchors (`id` on any element,
//! `name` on `<a>`) of one page. It skips comments, doctypes, and the raw text of
//! `<script>`, `<style>` and the like, decodes character references in attribute
//! values, and never fails: malformed markup just yields fewer attributes.
//!
//! It must NOT build a DOM, resolve URLs or touch the file system.

/// One URL found in a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// 1-based line of the attribute value.
    pub line: usize,
    /// The URL, character references decoded, surrounding whitespace kept.
    pub url: String,
}

/// What the link checker needs from a page.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Page {
    pub references: Vec<Reference>,
    pub anchors: Vec<String>,
}

/// Elements whose content is raw text, not markup.
const RAW_TEXT: [&str; 8] = [
    "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes",
];

/// Scan one HTML document.
pub fn scan(html: &[u8]) -> Page {
    let mut page = Page::default();
    let mut lines = Lines {
        html,
        pos: 0,
        line: 1,
    };
    let n = html.len();
    let mut i = 0;
    while let Some(lt) = find(html, i, b"<") {
        let rest = &html[lt..];
        if rest.starts_with(b"<!--") {
            i = find(html, lt + 4, b"-->").map_or(n, |e| e + 3);
        } else if rest.starts_with(b"</") || rest.starts_with(b"<!") || rest.starts_with(b"<?") {
            i = find(html, lt + 1, b">").map_or(n, |e| e + 1);
        } else if rest.get(1).is_some_and(u8::is_ascii_alphabetic) {
            let (name, end) = tag(html, lt + 1, &mut lines, &mut page);
            i = end;
            if let Some(raw) = RAW_TEXT.iter().find(|t| is(name, t)) {
                let close = format!("</{raw}");
                i = find_ignore_case(html, i, close.as_bytes()).unwrap_or(n);
            }
        } else {
            i = lt + 1;
        }
    }
    page
}

/// Read one start tag from just after `<`; record its attributes. Returns the tag name
/// (as written) and the position after the tag.
fn tag<'a>(
    html: &'a [u8],
    start: usize,
    lines: &mut Lines<'_>,
    page: &mut Page,
) -> (&'a [u8], usize) {
    let n = html.len();
    let mut j = start;
    while j < n && !html[j].is_ascii_whitespace() && html[j] != b'/' && html[j] != b'>' {
        j += 1;
    }
    let name = &html[start..j];
    loop {
        while j < n && (html[j].is_ascii_whitespace() || html[j] == b'/') {
            j += 1;
        }
        if j >= n {
            return (name, n);
        }
        if html[j] == b'>' {
            return (name, j + 1);
        }
        let attr_start = j;
        j += 1; // the first character may be anything, even '='
        while j < n && !html[j].is_ascii_whitespace() && !b"/>=".contains(&html[j]) {
            j += 1;
        }
        let attr = &html[attr_start..j];
        let mut k = j;
        while k < n && html[k].is_ascii_whitespace() {
            k += 1;
        }
        if k >= n || html[k] != b'=' {
            continue; // an attribute without a value
        }
        k += 1;
        while k < n && html[k].is_ascii_whitespace() {
            k += 1;
        }
        let (value_start, value_end, next) = match html.get(k) {
            Some(&q @ (b'"' | b'\'')) => {
                let end = find(html, k + 1, &[q]).unwrap_or(n);
                (k + 1, end, (end + 1).min(n))
            }
            _ => {
                let mut e = k;
                while e < n && !html[e].is_ascii_whitespace() && html[e] != b'>' {
                    e += 1;
                }
                (k, e, e)
            }
        };
        j = next;
        let line = lines.at(value_start);
        record(name, attr, &html[value_start..value_end], line, page);
    }
}

fn record(tag: &[u8], attr: &[u8], raw: &[u8], line: usize, page: &mut Page) {
    let value = || decode_references(&String::from_utf8_lossy(raw));
    if is(attr, "id") || (is(attr, "name") && is(tag, "a")) {
        page.anchors.push(value());
    } else if (is(attr, "href") && !is(tag, "base")) || is(attr, "src") || is(attr, "poster") {
        page.references.push(Reference { line, url: value() });
    } else if is(attr, "srcset") {
        for url in srcset_urls(&value()) {
            page.references.push(Reference { line, url });
        }
    }
}

/// Whether `name` (tag or attribute, as written) is `lowercase`, ignoring ASCII case.
fn is(name: &[u8], lowercase: &str) -> bool {
    name.eq_ignore_ascii_case(lowercase.as_bytes())
}

/// The image URLs of a `srcset` (per the HTML candidate-list grammar, simplified).
fn srcset_urls(value: &str) -> Vec<String> {
    let mut urls = Vec::new();
    let mut rest = value;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == ',');
        if rest.is_empty() {
            return urls;
        }
        let end = rest
            .find(|c: char| c.is_ascii_whitespace())
            .unwrap_or(rest.len());
        let url = &rest[..end];
        rest = &rest[end..];
        if url.ends_with(',') {
            urls.push(url.trim_end_matches(',').to_string());
        } else {
            urls.push(url.to_string());
            // Skip the descriptors up to the next candidate.
            rest = rest.find(',').map_or("", |c| &rest[c + 1..]);
        }
    }
}

/// Decode the character references that occur in URLs and ids; others stay as written.
pub fn decode_references(value: &str) -> String {
    if !value.contains('&') {
        return value.to_string();
    }
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let semi = rest.find(';').filter(|&s| s <= 12);
        let decoded = semi.and_then(|s| reference(&rest[1..s]));
        match (semi, decoded) {
            (Some(s), Some(c)) => {
                out.push(c);
                rest = &rest[s + 1..];
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn reference(name: &str) -> Option<char> {
    let numeric = |digits: &str, radix| u32::from_str_radix(digits, radix).ok();
    let code = match name {
        "amp" => Some('&' as u32),
        "lt" => Some('<' as u32),
        "gt" => Some('>' as u32),
        "quot" => Some('"' as u32),
        "apos" => Some('\'' as u32),
        "nbsp" => Some(0xa0),
        _ => match name.strip_prefix('#') {
            Some(hex) if hex.starts_with(['x', 'X']) => numeric(&hex[1..], 16),
            Some(dec) => numeric(dec, 10),
            None => None,
        },
    };
    code.and_then(char::from_u32)
}

/// Line numbers by position; positions must be asked in increasing order.
struct Lines<'a> {
    html: &'a [u8],
    pos: usize,
    line: usize,
}

impl Lines<'_> {
    fn at(&mut self, pos: usize) -> usize {
        let pos = pos.min(self.html.len());
        if pos > self.pos {
            self.line += memchr::memchr_iter(b'\n', &self.html[self.pos..pos]).count();
            self.pos = pos;
        }
        self.line
    }
}

fn find(haystack: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let hay = haystack.get(from..)?;
    match needle {
        [byte] => memchr::memchr(*byte, hay),
        _ => memchr::memmem::find(hay, needle),
    }
    .map(|p| p + from)
}

/// Find `needle` (which starts with `<`) ignoring ASCII case.
fn find_ignore_case(haystack: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let mut at = from;
    loop {
        let lt = find(haystack, at, b"<")?;
        let candidate = haystack.get(lt..lt + needle.len())?;
        if candidate.eq_ignore_ascii_case(needle) {
            return Some(lt);
        }
        at = lt + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(html: &str) -> Vec<(usize, String)> {
        scan(html.as_bytes())
            .references
            .into_iter()
            .map(|r| (r.line, r.url))
            .collect()
    }

    #[test]
    fn finds_urls_with_lines() {
        let html = "<!doctype html>\n<html><head><link rel=stylesheet href=/s.css>\n\
                    <script src='/a.js'>if (a<b) { x = '<a href=\"/no\">' }</script>\n\
                    </head><body>\n<A\n HREF = \"/x/?a=1&amp;b=2#top\" class=c>x</A>\n\
                    <!-- <a href=\"/commented\"> -->\n\
                    <img srcset=\"/a.png 1x, /b%20c.png 2x\" src=/a.png alt='a > b'>\n\
                    <style>a[href=\"/css\"]{}</style><base href=\"/base/\"></body>";
        assert_eq!(
            refs(html),
            vec![
                (2, "/s.css".to_string()),
                (3, "/a.js".to_string()),
                (6, "/x/?a=1&b=2#top".to_string()),
                (8, "/a.png".to_string()),
                (8, "/b%20c.png".to_string()),
                (8, "/a.png".to_string()),
            ]
        );
    }

    #[test]
    fn finds_anchors() {
        let page = scan(b"<h2 id=\"s&#49;\">x</h2><a name=old></a><div name=no id='\xe4\xb8\x80'>");
        assert_eq!(page.anchors, vec!["s1", "old", "\u{4e00}"]);
    }

    #[test]
    fn survives_broken_markup() {
        for html in [
            "<a href=\"/unterminated",
            "<a href=",
            "<",
            "<a",
            "</",
            "<!--",
            "<script>",
            "<a href='/x' <b>",
            "\u{0}<\u{0}>&#xFFFFFFFF;&#;&",
        ] {
            let _ = scan(html.as_bytes());
        }
        assert_eq!(
            refs("<a href=\"/unterminated"),
            vec![(1, "/unterminated".to_string())]
        );
    }

    #[test]
    fn srcset_candidates() {
        assert_eq!(srcset_urls("a.png 1x,b.png 2x"), vec!["a.png", "b.png"]);
        assert_eq!(srcset_urls(" a.png, b.png 480w "), vec!["a.png", "b.png"]);
        assert_eq!(srcset_urls(""), Vec::<String>::new());
    }

    #[test]
    fn character_references() {
        assert_eq!(
            decode_references("a&amp;b&#x41;&#66;&bogus;&"),
            "a&bAB&bogus;&"
        );
    }

    #[test]
    fn random_markup_never_panics() {
        let pieces: [&[u8]; 18] = [
            b"<",
            b">",
            b"a",
            b" href",
            b"=",
            b"\"",
            b"'",
            b"&#x",
            b";",
            b"<!--",
            b"-->",
            b"</script",
            b"<script",
            b"\n",
            "\u{e9}".as_bytes(),
            b" ",
            b"id",
            b"srcset=",
        ];
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..3000 {
            let mut doc = Vec::new();
            for _ in 0..(state % 40) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                doc.extend_from_slice(pieces[(state % pieces.len() as u64) as usize]);
            }
            let page = scan(&doc);
            let lines = doc.iter().filter(|&&b| b == b'\n').count() + 1;
            assert!(page.references.iter().all(|r| r.line <= lines));
        }
    }
}
