//! Is a line a heading? The shape and look-ahead tests the segmenter uses to
//! tell section headings and headlines from body text (column width, boxes,
//! kickers, subtitles and bylines that follow, groups of section headings).
//!
//! It must NOT change segmentation state: every function here only reads.

use super::{GROUP_SCAN, LOOKAHEAD, MAX_BOX, Segmenter};
use crate::ingest::byline::{split_bare_dateline, split_dateline, split_trailing_byline};
use crate::ingest::clean::{clean_body, visible_len};
use crate::ingest::layout::Layout;
use crate::ingest::lines::{Kind, ends_paragraph, has_word_separator, heading_shape};

impl Segmenter<'_> {
    /// Number of consecutive single-newline Text lines starting at `i` that could make up a
    /// heading. Outside column text a line is a paragraph: one that ends a sentence is not
    /// part of a heading's box.
    pub(super) fn body_box_len(&self, i: usize) -> usize {
        self.box_len(i, self.layout != Layout::Column)
    }

    /// Number of consecutive single-newline Text lines starting at `i`; with
    /// `stop_at_sentence_end`, up to the first later one that ends a sentence.
    fn box_len(&self, i: usize, stop_at_sentence_end: bool) -> usize {
        let mut n = 1;
        while let Some(next) = self.lines.get(i + n) {
            if n >= MAX_BOX
                || !next.joined_above
                || next.lead_space
                || self.kinds[i + n].0 != Kind::Text
                || (stop_at_sentence_end && ends_paragraph(&next.text))
            {
                break;
            }
            n += 1;
        }
        n
    }

    /// Is the Text line at `i` the start of a heading (section or headline)?
    /// `after_credit` allows a full-width line right after a closing credit
    /// (the headline of the story above in column text).
    pub(super) fn is_heading(&self, i: usize, after_credit: bool) -> bool {
        self.heading_reason(i, after_credit).is_some()
    }

    /// Why the Text line at `i` starts a heading, or `None` when it is body.
    pub(super) fn heading_reason(&self, i: usize, after_credit: bool) -> Option<&'static str> {
        let line = &self.lines[i];
        if line.md_level > 0 {
            return Some("Markdown heading");
        }
        let n = self.body_box_len(i);
        let joined: String = (i..i + n).map(|k| self.lines[k].text.as_str()).collect();
        if !heading_shape(&joined) || self.next_line_continues(i + n) {
            return None;
        }
        let len = visible_len(&clean_body(&joined));
        if self.cur.as_ref().is_some_and(|d| d.open.is_some()) {
            // After a paragraph cut mid-sentence only a clear headline block
            // interrupts it.
            let clear = self.subtitle_follows(i + n)
                || self.byline_follows(i + n)
                || self.kicker_above_heading(&joined, len, i + n)
                || (self.layout.headline_first() && self.next_is_heading_line(i + n));
            return (len <= 30 && clear).then_some("headline block after a cut paragraph");
        }
        if len <= 40 && self.md_headline_follows(i + n) {
            return Some("line above a Markdown headline (kicker)");
        }
        if n == 1 && len <= 60 && crate::ingest::lines::printed_twice(&line.text) {
            // Body text never repeats itself whole; bold type extracted twice does.
            return Some("printed twice (bold type extracted twice)");
        }
        if self.subtitle_follows(i + n) {
            return Some("a \"——\" subtitle follows");
        }
        if len <= 40 && self.byline_follows(i + n) {
            return Some("a byline follows");
        }
        if self.kicker_above_heading(&joined, len, i + n) {
            return Some("kicker (ends with \"——\" or \"：\") above a heading");
        }
        let titled_open = self
            .cur
            .as_ref()
            .is_some_and(|d| d.has_headline && !d.closed);
        if (self.layout.headline_first() || titled_open) && self.page_ends_after(i + n) {
            // A headline printed above its story is followed by it; a short
            // last line with nothing after it, inside a story that already
            // has its headline, is a paragraph cut off by the page.
            return None;
        }
        let closed = self.cur.as_ref().is_none_or(|d| d.closed);
        match self.layout {
            Layout::Column => self.column_heading_reason(i, n, len, after_credit),
            Layout::Paragraph => {
                // Long headlines rarely have commas; a line cut mid-sentence
                // by a page break usually does.
                let no_commas = !clean_body(&joined).contains(['，', '、', '；']);
                if len <= 24 {
                    Some("short line without sentence end")
                } else {
                    (len <= 40 && (closed || no_commas))
                        .then_some("headline-length line without sentence end")
                }
            }
            Layout::Markdown => {
                (len <= 20 || (closed && len <= 40)).then_some("short line without sentence end")
            }
        }
    }

    /// Heading tests for column text: a text box, a line clearly shorter than
    /// the column, a word separator, or a headline right after a credit.
    fn column_heading_reason(
        &self,
        i: usize,
        n: usize,
        len: usize,
        after_credit: bool,
    ) -> Option<&'static str> {
        let line = &self.lines[i];
        // Paragraph first lines are indented by two characters, so "short"
        // means clearly shorter than that.
        let col = self.widths[i];
        let clearly_short = line.width < (col - 4.0).min(col * 0.8);
        if line.justified {
            // Spaces spread a line to the full column width: running text. A spaced
            // line that stops well short of it is letter-spaced display type
            // ("走 进 保 靖") after a finished paragraph.
            let closed = self.cur.as_ref().is_none_or(|d| d.closed);
            return (n == 1 && clearly_short && closed)
                .then_some("letter-spaced and clearly shorter than the column");
        }
        let short =
            clearly_short || (line.width < col - 2.5 && self.next_starts_paragraph(i + n, col));
        let after_credit = after_credit
            && self
                .cur
                .as_ref()
                .is_some_and(|d| d.closed && !d.has_headline);
        if n >= 2 {
            Some("text box (lines joined by single newlines)")
        } else if short {
            Some("clearly shorter than the column")
        } else if self.short_on_flush_page(i) {
            Some(
                "shorter than the column after a finished paragraph, on a page whose paragraphs start flush",
            )
        } else if len <= 40 && self.between_paragraphs(i, n) {
            Some("not indented, right after a finished paragraph and right before an indented one")
        } else if has_word_separator(&line.text) {
            Some("words separated by a deliberate space")
        } else if len <= 30 && place_colon_headline(&line.text) {
            Some("a place, a colon and a headline (\"新邵县：…\") after a finished paragraph")
        } else if after_credit && len <= 40 {
            Some("right after a closing credit")
        } else {
            let untitled_done = self
                .cur
                .as_ref()
                .is_some_and(|d| !d.has_headline && !d.story.continuation && d.has_body());
            (untitled_done && len <= 40 && self.nothing_to_continue(i + n)).then_some(
                "after a finished story without headline, and no text follows (marker, caption or page end)",
            )
        }
    }

    /// From `j` on, no body text could continue a paragraph: the next
    /// non-blank line is a jump marker, caption, banner or page credit, or
    /// the page ends.
    fn nothing_to_continue(&self, j: usize) -> bool {
        self.page_ends_after(j)
            || (j..self.lines.len())
                .take(LOOKAHEAD)
                .find(|k| self.kinds[*k].0 != Kind::Blank)
                .is_some_and(|k| {
                    matches!(
                        self.kinds[k].0,
                        Kind::Marker | Kind::Caption | Kind::Banner | Kind::Editor | Kind::Masthead
                    )
                })
    }

    /// Section headings come in groups: the current story already has one, or
    /// another section-like heading follows before the story ends.
    pub(super) fn in_section_group(&self, first: usize) -> bool {
        if self
            .cur
            .as_ref()
            .is_some_and(|d| d.paras.iter().any(|p| p.1))
        {
            return true;
        }
        // The candidate itself ends what comes before the next line.
        let mut prev_ended = true;
        let mut k = first + 1;
        let end = (first + GROUP_SCAN).min(self.lines.len());
        // Skip the candidate's own box.
        while k < end && self.lines[k].joined_above && self.kinds[k].0 == Kind::Text {
            k += 1;
        }
        while k < end {
            let (kind, _) = self.kinds[k];
            let line = &self.lines[k];
            match kind {
                Kind::Blank => {}
                Kind::Text => {
                    if prev_ended && self.section_like(k) {
                        return true;
                    }
                    prev_ended = ends_paragraph(&line.text);
                }
                Kind::Caption | Kind::Fragment | Kind::Editor | Kind::Masthead => {}
                _ => return false,
            }
            k += 1;
        }
        false
    }

    /// A rough, state-free heading test used when looking ahead.
    pub(super) fn section_like(&self, k: usize) -> bool {
        let line = &self.lines[k];
        if line.md_level > 0 {
            return line.md_level >= 3;
        }
        let n = self.body_box_len(k);
        let joined: String = (k..k + n).map(|x| self.lines[x].text.as_str()).collect();
        if !heading_shape(&joined) || self.next_line_continues(k + n) {
            return false;
        }
        let len = visible_len(&clean_body(&joined));
        match self.layout {
            Layout::Column => {
                let col = self.widths[k];
                !line.justified
                    && (n >= 2
                        || line.width < (col - 4.0).min(col * 0.8)
                        || self.short_on_flush_page(k)
                        || has_word_separator(&line.text))
            }
            Layout::Paragraph => len <= 24,
            Layout::Markdown => len <= 20,
        }
    }

    /// "…——" or a short "…：" line right above a heading or subtitle: a kicker.
    pub(super) fn kicker_above_heading(&self, joined: &str, len: usize, j: usize) -> bool {
        let t = joined.trim_end();
        let kicker_end = (t.ends_with("——") && len <= 40)
            || ((t.ends_with('：') || t.ends_with(':')) && len <= 20);
        if !kicker_end {
            return false;
        }
        let Some(k) = (j..self.lines.len())
            .take(LOOKAHEAD)
            .find(|k| self.kinds[*k].0 != Kind::Blank)
        else {
            return false;
        };
        match self.kinds[k].0 {
            Kind::Subtitle => true,
            Kind::Text => {
                let n = self.body_box_len(k);
                let next: String = (k..k + n).map(|x| self.lines[x].text.as_str()).collect();
                let next_len = visible_len(&clean_body(&next));
                heading_shape(&next)
                    && next_len <= 40
                    && (self.subtitle_follows(k + n)
                        || self.byline_follows(k + n)
                        || n >= 2
                        || self.page_ends_after(k + n))
            }
            _ => false,
        }
    }

    /// The next text line from `j` looks like a paragraph start in column text:
    /// indented (clearly shorter than the column) or a whole paragraph.
    pub(super) fn next_starts_paragraph(&self, j: usize, col: f32) -> bool {
        (j..self.lines.len())
            .take(LOOKAHEAD)
            .find(|k| self.kinds[*k].0 != Kind::Blank)
            .is_some_and(|k| {
                let l = &self.lines[k];
                self.kinds[k].0 == Kind::Text
                    && !l.justified
                    && (l.width < col - 1.5 || ends_paragraph(&l.text))
            })
    }

    /// On a page whose paragraphs start flush, the line at `i` is two characters short of
    /// the column right after a finished paragraph: not an indented first line.
    fn short_on_flush_page(&self, i: usize) -> bool {
        self.flush_paragraphs
            && self.lines[i].width <= self.widths[i] - 1.75
            && self.follows_paragraph_end(i)
    }

    /// On a page whose paragraphs are indented, the lines `i..i + n` are not, the text line
    /// before them ends a paragraph and the one after them starts one (indented): they belong
    /// to no paragraph. (Indents are read from the raw lines: they count even where
    /// single newlines mean nothing.)
    fn between_paragraphs(&self, i: usize, n: usize) -> bool {
        let indented = |k: usize| self.lines[k].raw.starts_with(['\u{3000}', ' ', '\t']);
        !self.flush_paragraphs
            && !indented(i)
            && self.follows_paragraph_end(i)
            && (i + n..self.lines.len())
                .take(LOOKAHEAD)
                .find(|k| self.kinds[*k].0 != Kind::Blank)
                .is_some_and(|k| self.kinds[k].0 == Kind::Text && indented(k))
    }

    /// The text line before `i` (blank lines skipped) ends a paragraph.
    fn follows_paragraph_end(&self, i: usize) -> bool {
        (0..i)
            .rev()
            .find(|k| self.kinds[*k].0 != Kind::Blank)
            .is_some_and(|k| self.kinds[k].0 == Kind::Text && ends_paragraph(&self.lines[k].text))
    }

    /// Nothing but blank lines, captions or banners from `j` to the end.
    pub(super) fn page_ends_after(&self, j: usize) -> bool {
        self.kinds[j.min(self.kinds.len())..]
            .iter()
            .take(LOOKAHEAD)
            .all(|k| {
                matches!(
                    k.0,
                    Kind::Blank | Kind::Caption | Kind::Banner | Kind::Masthead | Kind::Editor
                )
            })
            && self.kinds.len().saturating_sub(j) <= LOOKAHEAD
    }

    /// The next non-blank line from `j` opens with a dateline credit
    /// ("株洲日报(全媒体记者/刘平)…") or is a byline.
    pub(super) fn dateline_follows(&self, j: usize) -> bool {
        self.byline_follows(j)
            || (j..self.lines.len())
                .take(LOOKAHEAD)
                .find(|k| self.kinds[*k].0 != Kind::Blank)
                .is_some_and(|k| {
                    let t = &self.lines[k].text;
                    split_dateline(t).is_some() || split_bare_dateline(t).is_some()
                })
    }

    /// The next non-blank line from `j` is a Markdown headline ("#" or "##").
    pub(super) fn md_headline_follows(&self, j: usize) -> bool {
        (j..self.lines.len())
            .take(LOOKAHEAD)
            .find(|k| self.kinds[*k].0 != Kind::Blank)
            .is_some_and(|k| (1..=2).contains(&self.lines[k].md_level))
    }

    /// From `first`, a closing byline comes before any further heading: the
    /// text after the heading is a story of its own (its byline at the end).
    pub(super) fn closing_byline_ahead(&self, first: usize) -> bool {
        let end = (first + GROUP_SCAN).min(self.lines.len());
        let mut prev_ended = false;
        for k in first + 1..end {
            match self.kinds[k].0 {
                Kind::Blank | Kind::Caption => {}
                Kind::ParenByline => return true,
                Kind::Text => {
                    let t = &self.lines[k].text;
                    // Another heading comes first (a "新邵县：…" headline counts here).
                    if prev_ended
                        && (self.section_like(k)
                            || (visible_len(&clean_body(t)) <= 30 && place_colon_headline(t)))
                    {
                        return false;
                    }
                    if split_trailing_byline(t).is_some() {
                        return true;
                    }
                    prev_ended = ends_paragraph(t);
                }
                _ => return false,
            }
        }
        false
    }

    /// The next non-blank line from `j` is short heading-shaped text (the
    /// second line of a kicker + title pair).
    pub(super) fn next_is_heading_line(&self, j: usize) -> bool {
        (j..self.lines.len())
            .take(LOOKAHEAD)
            .find(|k| self.kinds[*k].0 != Kind::Blank)
            .is_some_and(|k| {
                let t = &self.lines[k].text;
                self.kinds[k].0 == Kind::Text
                    && (self.lines[k].md_level > 0
                        || (heading_shape(t) && visible_len(&clean_body(t)) <= 30))
            })
    }

    /// A lead box on a headline-first page: two or more single-newline lines,
    /// each a short complete sentence ("“城，所以盛民也。”" / "创造…。").
    pub(super) fn lead_box(&self, i: usize) -> bool {
        let n = self.box_len(i, false);
        n >= 2
            && (i..i + n).all(|k| {
                let t = &self.lines[k].text;
                ends_paragraph(t) && visible_len(t) <= 40
            })
    }

    /// The next non-blank line from `j` is a bare-name or role byline.
    pub(super) fn byline_follows(&self, j: usize) -> bool {
        (j..self.lines.len())
            .take(LOOKAHEAD)
            .find(|k| self.kinds[*k].0 != Kind::Blank)
            .is_some_and(|k| matches!(self.kinds[k].0, Kind::NameByline | Kind::CreditByline))
    }

    /// The next non-blank line from `j` is a closing byline in parentheses ("（记者 田野）").
    pub(super) fn closing_credit_follows(&self, j: usize) -> bool {
        (j..self.lines.len())
            .take(LOOKAHEAD)
            .find(|k| self.kinds[*k].0 != Kind::Blank)
            .is_some_and(|k| self.kinds[k].0 == Kind::ParenByline)
    }

    /// The next non-blank line from `j` is a "——" subtitle.
    pub(super) fn subtitle_follows(&self, j: usize) -> bool {
        (j..self.lines.len())
            .take(LOOKAHEAD)
            .find(|k| self.kinds[*k].0 != Kind::Blank)
            .is_some_and(|k| self.kinds[k].0 == Kind::Subtitle)
    }

    /// The next text line (from `j`) starts with the end of a sentence
    /// ("力。抓…"): the line before it was cut mid-sentence.
    pub(super) fn next_line_continues(&self, j: usize) -> bool {
        let Some(next) = self.lines[j.min(self.lines.len())..]
            .iter()
            .take(LOOKAHEAD)
            .find(|l| !l.text.trim().is_empty())
        else {
            return false;
        };
        // "产，近年来…" / "会。": a line whose first word is one character
        // long before a comma or sentence end finishes a word of the line above.
        let head: String = clean_body(&next.text).chars().take(3).collect();
        head.chars().skip(1).any(|c| "。！？".contains(c))
            || head.chars().nth(1).is_some_and(|c| "，、；".contains(c))
    }
}

/// "新邵县：稻虾共养鼓起农民“钱袋子”": a place name ending in a division word, a colon, and
/// a headline without sentence punctuation. A column line that merely wraps a sentence
/// does not open with a place and a colon.
fn place_colon_headline(text: &str) -> bool {
    static PLACE_COLON: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"^\p{Han}{1,8}(省|市|县|区|州|旗|镇|乡|村|街道|社区)[：:]\s*\S")
            .expect("static regex")
    });
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    PLACE_COLON.is_match(&compact) && !compact.contains(['。', '！', '？', '，', '；', ',', ';'])
}
