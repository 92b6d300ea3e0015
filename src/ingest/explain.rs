//! Human-readable explanation of how one seed line was classified and where it
//! went (for `folio ingest --explain LINE`).
//!
//! It must NOT change any decision: it re-runs the same segmentation and reads
//! the notes it left.

use super::Story;
use super::clean::clean_body;
use super::layout::local_widths;
use super::lines::{
    Kind, Line, balanced, classify, ends_paragraph, has_inner_sentence_end, heading_shape,
    split_lines,
};
use super::segment::segment;

/// Explain the classification of 1-based `line` in `text`.
pub fn explain(text: &str, line: usize) -> String {
    let lines = split_lines(text);
    let Some(l) = line.checked_sub(1).and_then(|i| lines.get(i)) else {
        return format!(
            "line {line}: out of range (the page has {} lines)",
            lines.len()
        );
    };
    let seg = segment(text, None);
    let is_text: Vec<bool> = lines
        .iter()
        .map(|l| classify(l).0 == super::lines::Kind::Text)
        .collect();
    let (kind, why) = classify(l);
    let note = &seg.notes[line - 1];
    // A line listed as unplaced is outside every story even when it lies
    // between a story's first and last line (a label, a page credit).
    let unplaced = seg.page.unplaced.iter().find(|u| u.line == line);
    let story = seg
        .page
        .stories
        .iter()
        .position(|s| s.lines.0 <= line && line <= s.lines.1)
        .filter(|_| unplaced.is_none());
    let place = match story {
        Some(k) => {
            let s = &seg.page.stories[k];
            let title = if s.title.is_empty() {
                "(no headline)"
            } else {
                &s.title
            };
            format!(
                "inside story {} «{}» (lines {}–{})",
                k + 1,
                title,
                s.lines.0,
                s.lines.1
            )
        }
        None => match unplaced {
            Some(u) => format!("unplaced (kept in the ingest report): {}", u.reason),
            None => "outside every story".to_string(),
        },
    };
    let mut extra = String::new();
    if kind == Kind::Text && note.starts_with("body text") {
        extra = format!("\n  not a heading because: {}", not_heading_reason(l));
    }
    if let Some(k) = story {
        extra.push_str(&format!(
            "\n  ended up as: {}",
            role_in_story(&seg.page.stories[k], l)
        ));
    }
    // Column width only means something in column text.
    let column = if seg.layout == super::layout::Layout::Column {
        format!(
            " (column here: {:.1})",
            local_widths(&lines, &is_text)[line - 1]
        )
    } else {
        String::new()
    };
    format!(
        "line {line}: {:?}\n  layout: {:?}\n  line kind: {kind:?} ({why})\n  width: {:.1} ems{column}, justified: {}, leading space: {}\n  decision: {}\n  {place}{extra}",
        l.raw,
        seg.layout,
        l.width,
        l.justified,
        l.lead_space,
        if note.is_empty() {
            "(no decision recorded: blank or skipped)"
        } else {
            note
        },
    )
}

/// Why a text line was not taken as a heading, in plain words.
fn not_heading_reason(l: &Line) -> &'static str {
    let cleaned = clean_body(&l.text);
    if ends_paragraph(&cleaned) {
        "it ends a sentence (。！？ or a closing quote after one); headings do not"
    } else if has_inner_sentence_end(&cleaned) {
        "a sentence ends inside it; headings are a single phrase"
    } else if !balanced(&cleaned) {
        "its quotes or brackets are unbalanced, so it continues on the next line"
    } else if !heading_shape(&l.text) {
        "it ends with a comma, enumeration mark or opening bracket, so the sentence goes on"
    } else if l.justified {
        "it is space-justified like running text (a spaced headline is clearly shorter than the column and follows a finished paragraph)"
    } else {
        "it has a heading's shape, but nothing marks it as one (no subtitle or byline next to it, not clearly shorter than the column, not in a text box, or a paragraph is still open)"
    }
}

/// Which part of the story the line's text went into.
fn role_in_story(s: &Story, l: &Line) -> &'static str {
    let text: String = clean_body(&l.text)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if text.is_empty() {
        return "nothing (blank)";
    }
    let has = |field: &str| {
        let f: String = field.chars().filter(|c| !c.is_whitespace()).collect();
        !f.is_empty() && (f.contains(&text) || text.contains(&f))
    };
    if has(&s.title) {
        "the title"
    } else if s.kicker.as_deref().is_some_and(has) {
        "the kicker (引题)"
    } else if s.subtitle.as_deref().is_some_and(has) {
        "the subtitle (副题)"
    } else if s.captions.iter().any(|c| has(c)) {
        "a photo caption"
    } else if s.credits.iter().any(|c| has(c)) {
        "a credit (byline / dateline / affiliation)"
    } else if s
        .body
        .split("\n\n")
        .filter_map(|p| p.strip_prefix("## "))
        .any(has)
    {
        "a section heading (## in the body)"
    } else {
        "body text"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explains_a_byline() {
        let text = "正文第一句话写在这里。\n\n（曾志峰 石思源 赵四清）\n\n践行理念的致富带头人\n";
        let out = explain(text, 3);
        assert!(out.contains("ParenByline"), "{out}");
        assert!(out.contains("closing byline"), "{out}");
        assert!(explain(text, 99).contains("out of range"));
        let body = explain(text, 1);
        assert!(
            body.contains("not a heading because: it ends a sentence"),
            "{body}"
        );
        assert!(body.contains("ended up as: body text"), "{body}");
        assert!(explain(text, 5).contains("ended up as: the title"));
    }
}
