//! Plain text from Markdown bodies: summaries for list pages and text for search.
//!
//! Soft line breaks between CJK characters vanish (Chinese has no spaces between
//! words); elsewhere they become one space. Section headings are left out of
//! summaries. Must not produce HTML.

use std::ops::ControlFlow;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

/// True for characters written without spaces between them (CJK ideographs,
/// kana, full-width punctuation).
pub fn is_cjk_text(c: char) -> bool {
    matches!(c as u32,
        0x3000..=0x303F | 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF |
        0xF900..=0xFAFF | 0xFF00..=0xFFEF | 0x20000..=0x2FA1F | 0x2E80..=0x2FDF |
        0x201C..=0x201D | 0x2018..=0x2019 | 0x2014 | 0x2026 | 0x00B7)
}

/// Joins two pieces of text across a soft line break: no space between CJK.
pub fn join_soft_break(out: &mut String, next: &str) {
    let prev = out.chars().next_back();
    let first = next.chars().next();
    match (prev, first) {
        (Some(a), Some(b)) if is_cjk_text(a) || is_cjk_text(b) => {}
        (Some(_), Some(_)) => out.push(' '),
        _ => {}
    }
}

/// The paragraphs of a Markdown body as plain text (headings included when
/// `headings` is true), one string per block.
pub fn plain_blocks(markdown: &str, headings: bool) -> Vec<String> {
    let mut blocks = Vec::new();
    for_each_block(markdown, headings, |block| {
        blocks.push(block);
        ControlFlow::Continue(())
    });
    blocks
}

/// Gives `f` the blocks of [`plain_blocks`] one by one, until it breaks (the
/// rest of the body is then not turned into text).
fn for_each_block(markdown: &str, headings: bool, mut f: impl FnMut(String) -> ControlFlow<()>) {
    let mut cur = String::new();
    let mut in_heading = false;
    let mut pending_break = false;
    for ev in Parser::new(markdown) {
        let mut done = None;
        match ev {
            Event::Start(Tag::Heading { .. }) => in_heading = true,
            Event::End(TagEnd::Heading(_)) => {
                in_heading = false;
                if headings && !cur.trim().is_empty() {
                    done = Some(std::mem::take(&mut cur));
                }
                cur.clear();
            }
            Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::CodeBlock) => {
                if !cur.trim().is_empty() {
                    done = Some(std::mem::take(&mut cur));
                }
                cur.clear();
            }
            Event::Text(t) | Event::Code(t) => {
                if in_heading && !headings {
                    continue;
                }
                if pending_break {
                    join_soft_break(&mut cur, &t);
                    pending_break = false;
                }
                cur.push_str(&t);
            }
            Event::SoftBreak => pending_break = true,
            // A line of verse ends: the next one follows after a space.
            Event::HardBreak if !cur.is_empty() && !cur.ends_with(' ') => cur.push(' '),
            _ => {}
        }
        if let Some(block) = done
            && f(block).is_break()
        {
            return;
        }
    }
    if !cur.trim().is_empty() {
        let _ = f(cur);
    }
}

/// The first ~`target` characters of the body, cut after a sentence end
/// (。！？!?) when one falls between half and twice the target; else cut at
/// `target` with an ellipsis.
pub fn summarize(markdown: &str, target: usize) -> String {
    // Blocks are taken while the text is at most twice the target (the rest of
    // the body is not even turned into text).
    let mut text = String::new();
    let mut count = 0;
    for_each_block(markdown, false, |block| {
        let block = block.trim();
        count += block.chars().count();
        text.push_str(block);
        match count > target * 2 {
            true => ControlFlow::Break(()),
            false => ControlFlow::Continue(()),
        }
    });
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= target {
        return text;
    }
    let is_end = |c: char| matches!(c, '。' | '！' | '？' | '!' | '?' | '…');
    let closes = |c: char| matches!(c, '”' | '’' | '」' | '』' | '）' | ')');
    // Of the sentence ends between half and twice the target, take the one
    // closest to the target (the shorter on a tie).
    let mut best: Option<usize> = None;
    for (i, &c) in chars.iter().enumerate().take(target * 2) {
        if is_end(c) {
            let mut end = i + 1;
            while end < chars.len() && (closes(chars[end]) || is_end(chars[end])) {
                end += 1;
            }
            if end >= target / 2 && best.is_none_or(|b| end.abs_diff(target) < b.abs_diff(target)) {
                best = Some(end);
            }
        }
    }
    match best {
        Some(end) => chars[..end].iter().collect(),
        None => {
            let mut s: String = chars[..target].iter().collect();
            s.push('…');
            s
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn soft_breaks_between_cjk_vanish() {
        assert_eq!(
            plain_blocks("走进\n保靖。\nHello\nworld", false),
            vec!["走进保靖。Hello world"]
        );
    }

    #[test]
    fn lines_of_verse_are_set_apart_by_a_space() {
        assert_eq!(
            plain_blocks("湘江水静静流淌\\\n载着落叶的金黄", false),
            vec!["湘江水静静流淌 载着落叶的金黄"]
        );
    }

    #[test]
    fn summary_cuts_at_sentence_end() {
        let body = format!("{}。{}。", "甲".repeat(70), "乙".repeat(70));
        let s = summarize(&body, 100);
        assert_eq!(s, format!("{}。", "甲".repeat(70)));
        let long = "丙".repeat(300);
        assert_eq!(summarize(&long, 100).chars().count(), 101);
        assert_eq!(summarize("短。", 100), "短。");
    }

    #[test]
    fn summary_skips_headings_and_keeps_closing_quotes() {
        let body = format!(
            "## 小标题\n\n{}“好！”后文{}",
            "甲".repeat(60),
            "乙".repeat(100)
        );
        let s = summarize(&body, 100);
        assert!(!s.contains("小标题"));
        assert!(s.ends_with("“好！”"), "{s}");
    }
}
