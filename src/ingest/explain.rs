//! Human-readable explanation of how one seed line was classified and where it
//! went (for `folio ingest --explain LINE`).
//!
//! It must NOT change any decision: it re-runs the same segmentation and reads
//! the notes it left.

use super::layout::local_widths;
use super::lines::{classify, split_lines};
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
    let story = seg
        .page
        .stories
        .iter()
        .position(|s| s.lines.0 <= line && line <= s.lines.1);
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
        None => match seg.page.unplaced.iter().find(|u| u.line == line) {
            Some(u) => format!("unplaced: {}", u.reason),
            None => "outside every story".to_string(),
        },
    };
    format!(
        "line {line}: {:?}\n  layout: {:?}\n  line kind: {kind:?} ({why})\n  width: {:.1} ems (column here: {:.1}), justified: {}, leading space: {}\n  decision: {}\n  {place}",
        l.raw,
        seg.layout,
        l.width,
        local_widths(&lines, &is_text)[line - 1],
        l.justified,
        l.lead_space,
        if note.is_empty() {
            "(no decision recorded: blank or skipped)"
        } else {
            note
        },
    )
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
    }
}
