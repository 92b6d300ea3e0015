//! Article bodies: Markdown → HTML with pulldown-cmark.
//!
//! Policy: headings get stable ids (their own text, CJK kept, deduplicated with
//! `-2`, `-3`…) and link to themselves; a soft line break next to a CJK
//! character disappears (no stray space inside Chinese text); raw HTML written
//! in a body is ESCAPED and shown as text, never executed; links with
//! `javascript:`/`vbscript:`/`data:` targets are neutralised. This module must
//! not read files or know about pages.

use std::collections::BTreeMap;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};

use crate::content::summary::is_cjk_text;

/// Renders a Markdown body to safe HTML (see the module policy).
pub fn markdown_to_html(md: &str) -> String {
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    opts.insert(Options::ENABLE_FOOTNOTES);
    let events: Vec<Event<'_>> = Parser::new_ext(md, opts).map(defuse).collect();
    let events = join_cjk_soft_breaks(events);
    let events = anchor_headings(events);
    let mut out = String::with_capacity(md.len() * 3 / 2);
    html::push_html(&mut out, events.into_iter());
    out
}

/// Raw HTML becomes text; dangerous link targets become `#`.
fn defuse(ev: Event<'_>) -> Event<'_> {
    match ev {
        Event::Html(s) | Event::InlineHtml(s) => Event::Text(s),
        Event::Start(Tag::HtmlBlock) => Event::Start(Tag::Paragraph),
        Event::End(TagEnd::HtmlBlock) => Event::End(TagEnd::Paragraph),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: safe_url(dest_url),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Image {
            link_type,
            dest_url: safe_url(dest_url),
            title,
            id,
        }),
        other => other,
    }
}

fn safe_url(url: CowStr<'_>) -> CowStr<'_> {
    let lower: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .take(12)
        .collect::<String>()
        .to_ascii_lowercase();
    if ["javascript:", "vbscript:", "data:"]
        .iter()
        .any(|s| lower.starts_with(s))
    {
        CowStr::Borrowed("#")
    } else {
        url
    }
}

/// Drops soft breaks that touch a CJK character; others become a space.
fn join_cjk_soft_breaks(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut out: Vec<Event<'_>> = Vec::with_capacity(events.len());
    let mut iter = events.into_iter().peekable();
    while let Some(ev) = iter.next() {
        if let Event::SoftBreak = ev {
            let prev = out.iter().rev().find_map(|e| match e {
                Event::Text(t) | Event::Code(t) => t.chars().next_back(),
                _ => None,
            });
            let next = match iter.peek() {
                Some(Event::Text(t)) | Some(Event::Code(t)) => t.chars().next(),
                _ => None,
            };
            let cjk = prev.is_some_and(is_cjk_text) || next.is_some_and(is_cjk_text);
            if !cjk {
                out.push(Event::Text(CowStr::Borrowed(" ")));
            }
            continue;
        }
        out.push(ev);
    }
    out
}

/// Gives every heading an id from its text and makes its text a link to itself.
fn anchor_headings(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut out = Vec::with_capacity(events.len());
    let mut used: BTreeMap<String, usize> = BTreeMap::new();
    let mut heading: Option<(HeadingLevel, String)> = None;
    for ev in events {
        match ev {
            Event::Start(Tag::Heading { level, .. }) => heading = Some((level, String::new())),
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, text)) = heading.take() {
                    let id = unique_id(&mut used, &slugify(&text));
                    let text = escape(text.trim());
                    out.push(Event::Html(CowStr::from(format!(
                        "<{level} id=\"{id}\"><a class=\"anchor\" href=\"#{id}\">{text}</a></{level}>\n"
                    ))));
                }
            }
            Event::Text(t) | Event::Code(t) if heading.is_some() => {
                if let Some((_, text)) = heading.as_mut() {
                    text.push_str(&t);
                }
            }
            Event::SoftBreak | Event::HardBreak if heading.is_some() => {
                if let Some((_, text)) = heading.as_mut() {
                    text.push(' ');
                }
            }
            _ if heading.is_some() => {}
            other => out.push(other),
        }
    }
    out
}

/// An id from heading text: CJK and ASCII letters/digits kept (ASCII
/// lowercased), runs of anything else become one `-`.
pub fn slugify(text: &str) -> String {
    let mut id = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            id.push(c.to_ascii_lowercase());
        } else if c.is_alphanumeric() && !c.is_ascii() && !is_cjk_punct(c) {
            id.push(c);
        } else if !id.ends_with('-') && !id.is_empty() {
            id.push('-');
        }
    }
    let id = id.trim_end_matches('-').to_string();
    if id.is_empty() { "section".into() } else { id }
}

fn is_cjk_punct(c: char) -> bool {
    matches!(c as u32, 0x3000..=0x303F | 0xFF00..=0xFF0F | 0xFF1A..=0xFF20 | 0xFF3B..=0xFF40 | 0xFF5B..=0xFF65)
}

fn unique_id(used: &mut BTreeMap<String, usize>, base: &str) -> String {
    let n = used.entry(base.to_string()).or_insert(0);
    *n += 1;
    if *n == 1 {
        base.to_string()
    } else {
        let id = format!("{base}-{n}");
        used.insert(id.clone(), 1);
        id
    }
}

/// HTML-escapes text for element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_into(&mut out, s);
    out
}

/// [`escape`], appended to `out`: runs without special characters are copied whole.
pub fn escape_into(out: &mut String, s: &str) {
    let mut from = 0;
    for (i, b) in s.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        // ASCII bytes are never inside a multi-byte character: `i` is a boundary.
        out.push_str(&s[from..i]);
        out.push_str(entity);
        from = i + 1;
    }
    out.push_str(&s[from..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_keeps_text_and_replaces_specials() {
        assert_eq!(escape(""), "");
        assert_eq!(escape("湖南"), "湖南");
        assert_eq!(escape("&甲<b>\"乙'&"), "&amp;甲&lt;b&gt;&quot;乙&#39;&amp;");
    }

    #[test]
    fn raw_html_is_shown_not_run() {
        let h =
            markdown_to_html("甲<script>alert(1)</script>乙 & 丙\n\n<div onclick=\"x\">块</div>\n");
        assert!(!h.contains("<script"), "{h}");
        assert!(h.contains("&lt;script&gt;"), "{h}");
        assert!(h.contains("&amp; 丙"), "{h}");
        assert!(!h.contains("<div"), "{h}");
    }

    #[test]
    fn cjk_soft_breaks_vanish_latin_ones_become_spaces() {
        let h = markdown_to_html("走进\n保靖，\nHello\nworld");
        assert_eq!(h.trim(), "<p>走进保靖，Hello world</p>");
    }

    #[test]
    fn headings_get_unique_cjk_ids_and_self_links() {
        let h = markdown_to_html("## 一、产业振兴\n\n文\n\n## 一、产业振兴\n\n### Hello World!\n");
        assert!(h.contains("<h2 id=\"一-产业振兴\"><a class=\"anchor\" href=\"#一-产业振兴\">一、产业振兴</a></h2>"), "{h}");
        assert!(h.contains("id=\"一-产业振兴-2\""), "{h}");
        assert!(h.contains("<h3 id=\"hello-world\">"), "{h}");
        assert_eq!(slugify("？！"), "section");
    }

    #[test]
    fn script_links_are_neutralised() {
        let h = markdown_to_html("[点](javascript:alert(1)) [好](https://example.org/)");
        assert!(h.contains("href=\"#\""), "{h}");
        assert!(h.contains("href=\"https://example.org/\""), "{h}");
    }
}
