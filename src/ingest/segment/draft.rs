//! A story under construction: its paragraphs, the open paragraph that is
//! still being joined line by line, and whether its body has ended.
//!
//! It must NOT decide where lines belong; the segmenter tells it.

use crate::ingest::Story;
use crate::ingest::clean::clean_body;
use crate::ingest::lines::ends_paragraph;

/// A story under construction.
#[derive(Default)]
pub(super) struct Draft {
    pub(super) story: Story,
    /// Paragraphs: (text, is_heading, number of source lines).
    pub(super) paras: Vec<(String, bool, usize)>,
    /// Open paragraph: text and source line count.
    pub(super) open: Option<(String, usize)>,
    /// The story's first body line, held back as printed because it opens an inline dateline
    /// whose credit goes on in the next line (see [`crate::ingest::byline::opens_wrapped_dateline`]):
    /// text and line number. Any later body text, heading or the story's end puts it into the
    /// body first, so it is never lost.
    pub(super) held_dateline: Option<(String, usize)>,
    /// The body has ended (closing credit or headline attached).
    pub(super) closed: bool,
    pub(super) has_headline: bool,
    /// The headline was printed before the body (headline-first story).
    pub(super) headline_above: bool,
    /// A byline was printed under the headline (in its block).
    pub(super) byline_under_headline: bool,
    /// Markdown level of the headline ("#" = 1), 0 when not Markdown.
    pub(super) headline_md: usize,
    /// All it holds so far is an introduction ("编者按：…") that ended the story above: it
    /// leads the next story to start, rather than being a story of its own.
    pub(super) intro_only: bool,
}

impl Draft {
    pub(super) fn has_body(&self) -> bool {
        self.held_dateline.is_some() || self.open.is_some() || self.paras.iter().any(|p| !p.1)
    }

    pub(super) fn touch(&mut self, no: usize) {
        let (a, b) = self.story.lines;
        self.story.lines = if a == 0 {
            (no, no)
        } else {
            (a.min(no), b.max(no))
        };
    }

    pub(super) fn flush(&mut self) {
        self.release_dateline();
        if let Some((text, n)) = self.open.take() {
            self.paras.push((text, false, n));
        }
    }

    /// Puts a held-back dateline line into the body as ordinary text.
    pub(super) fn release_dateline(&mut self) {
        if let Some((text, no)) = self.held_dateline.take() {
            self.push_body(&text, no);
        }
    }

    pub(super) fn push_body(&mut self, text: &str, no: usize) {
        self.release_dateline();
        self.touch(no);
        // A paragraph's bare dateline keeps the space that sets it apart ("本报讯 3月10日，…").
        let cleaned = match crate::ingest::byline::split_bare_dateline(text) {
            Some((lead, rest)) if self.open.is_none() => format!("{lead} {}", clean_body(rest)),
            _ => clean_body(text),
        };
        if cleaned.is_empty() {
            return;
        }
        let joined = match self.open.take() {
            Some((mut prev, n)) => {
                let glue = prev.chars().last().is_some_and(|c| c.is_ascii_alphabetic())
                    && cleaned.starts_with(|c: char| c.is_ascii_alphabetic());
                if glue && !acronym_split(&prev, &cleaned) {
                    prev.push(' ');
                }
                prev.push_str(&cleaned);
                (prev, n + 1)
            }
            None => (cleaned, 1),
        };
        if ends_paragraph(&joined.0) {
            self.paras.push((joined.0, false, joined.1));
        } else {
            self.open = Some(joined);
        }
    }

    pub(super) fn push_heading(&mut self, text: String) {
        self.flush();
        self.paras.push((text, true, 1));
    }

    pub(super) fn add_authors(&mut self, names: Vec<String>) {
        for n in names {
            if !self.story.authors.contains(&n) {
                self.story.authors.push(n);
            }
        }
    }
}

/// Latin words wrapped from one line to the next take a space between them, except a few
/// capitals on both sides: in Chinese text those are one acronym the column cut ("U" / "BE" is
/// "UBE"; "NEW" / "YORK" stays two words).
fn acronym_split(before: &str, after: &str) -> bool {
    let tail = before
        .chars()
        .rev()
        .take_while(char::is_ascii_alphabetic)
        .collect::<Vec<char>>();
    let head = after
        .chars()
        .take_while(char::is_ascii_alphabetic)
        .collect::<Vec<char>>();
    let upper = |w: &[char]| w.iter().all(char::is_ascii_uppercase);
    // The word before the break must not be an English word written out in the text.
    let preceded_by_latin_space = before
        .chars()
        .rev()
        .nth(tail.len())
        .is_some_and(|c| c == ' ' || c.is_ascii_alphanumeric());
    upper(&tail) && upper(&head) && tail.len() + head.len() <= 5 && !preceded_by_latin_space
}

pub(super) fn render_body(paras: &[(String, bool, usize)]) -> String {
    paras
        .iter()
        .filter(|p| !p.0.is_empty())
        .map(|(t, heading, _)| {
            if *heading {
                format!("## {t}")
            } else {
                t.clone()
            }
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::acronym_split;

    #[test]
    fn capitals_cut_by_the_column_are_one_acronym() {
        assert!(acronym_split("公司的U", "BE项目"));
        assert!(acronym_split("推动G", "DP增长"));
        assert!(!acronym_split("the quick", "brown fox"));
        assert!(!acronym_split("使用Wi", "Fi网络"));
        // Longer runs of capitals are words ("NEW YORK"), and so are capitals after a word.
        assert!(!acronym_split("来自NEW", "YORK的"));
        assert!(!acronym_split("the U", "N"));
    }
}
