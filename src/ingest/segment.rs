//! Grouping classified lines into stories: body paragraphs, section headings,
//! headline blocks (kicker, title, subtitle, byline, caption, banner) and
//! where each belongs — after the body in column text, before it in paragraph
//! and Markdown pages.
//!
//! It must NOT read files, know about front matter, or assign regions/topics.

use super::byline::{is_institution, split_trailing_byline};
use super::byline::{parse_credit_line, parse_names, parse_paren_byline, split_dateline};
use super::clean::{clean_body, clean_headline_spaces, collapse_doubled, visible_len};
use super::layout::{Layout, local_widths};
use super::lines::{Kind, Line, classify, ends_paragraph, has_word_separator, heading_shape};
use super::{Page, Story, Unplaced, Warning};

/// How many lines (blanks included) look-ahead checks scan.
const LOOKAHEAD: usize = 40;

/// How far (in lines) the section-group look-ahead scans.
const GROUP_SCAN: usize = 400;

/// Most lines a text box (headline, section heading) spans.
const MAX_BOX: usize = 6;

/// A story under construction.
#[derive(Default)]
struct Draft {
    story: Story,
    /// Paragraphs: (text, is_heading, number of source lines).
    paras: Vec<(String, bool, usize)>,
    /// Open paragraph: text and source line count.
    open: Option<(String, usize)>,
    /// The body has ended (closing credit or headline attached).
    closed: bool,
    has_headline: bool,
    /// The headline was printed before the body (headline-first story).
    headline_above: bool,
}

impl Draft {
    fn has_body(&self) -> bool {
        self.open.is_some() || self.paras.iter().any(|p| !p.1)
    }

    fn touch(&mut self, no: usize) {
        let (a, b) = self.story.lines;
        self.story.lines = if a == 0 {
            (no, no)
        } else {
            (a.min(no), b.max(no))
        };
    }

    fn flush(&mut self) {
        if let Some((text, n)) = self.open.take() {
            self.paras.push((text, false, n));
        }
    }

    fn push_body(&mut self, text: &str, no: usize) {
        self.touch(no);
        let cleaned = clean_body(text);
        if cleaned.is_empty() {
            return;
        }
        let joined = match self.open.take() {
            Some((mut prev, n)) => {
                let glue = prev.chars().last().is_some_and(|c| c.is_ascii_alphabetic())
                    && cleaned.starts_with(|c: char| c.is_ascii_alphabetic());
                if glue {
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

    fn push_heading(&mut self, text: String) {
        self.flush();
        self.paras.push((text, true, 1));
    }

    fn add_authors(&mut self, names: Vec<String>) {
        for n in names {
            if !self.story.authors.contains(&n) {
                self.story.authors.push(n);
            }
        }
    }
}

/// One unit of a headline block.
enum Unit {
    Heading {
        text: String,
        md: usize,
        lines: Vec<usize>,
    },
    Subtitle {
        text: String,
        lines: Vec<usize>,
    },
    Credit {
        raw: String,
        names: Vec<String>,
        line: usize,
    },
    Caption {
        text: String,
        line: usize,
    },
    Banner {
        text: String,
        line: usize,
    },
}

struct Segmenter<'a> {
    lines: &'a [Line],
    kinds: Vec<(Kind, &'static str)>,
    widths: Vec<f32>,
    layout: Layout,
    stories: Vec<Story>,
    cur: Option<Draft>,
    unplaced: Vec<Unplaced>,
    removed: Vec<Unplaced>,
    warnings: Vec<Warning>,
    notes: Vec<String>,
    pending_column: Option<String>,
    page_column: Option<String>,
    pending_continuation: bool,
    pending_captions: Vec<(String, usize)>,
    /// Per finished story: its body is only one-line sentences (see
    /// `merge_caption_clusters`).
    caption_like: Vec<bool>,
}

/// Result of segmentation, with one explanation note per line.
pub struct Segmented {
    pub page: Page,
    pub notes: Vec<String>,
    pub layout: Layout,
}

/// Segment decoded page text into stories.
pub fn segment(text: &str, layout_override: Option<Layout>) -> Segmented {
    let lines = super::lines::split_lines(text);
    let layout = layout_override.unwrap_or_else(|| super::layout::detect(&lines));
    let kinds: Vec<(Kind, &'static str)> = lines.iter().map(classify).collect();
    let is_text: Vec<bool> = kinds.iter().map(|k| k.0 == Kind::Text).collect();
    let mut s = Segmenter {
        widths: local_widths(&lines, &is_text),
        kinds,
        layout,
        lines: &lines,
        stories: Vec::new(),
        cur: None,
        unplaced: Vec::new(),
        removed: Vec::new(),
        warnings: Vec::new(),
        notes: vec![String::new(); lines.len()],
        pending_column: None,
        page_column: None,
        pending_continuation: false,
        pending_captions: Vec::new(),
        caption_like: Vec::new(),
    };
    s.run();
    let page = Page {
        stories: s.stories,
        unplaced: s.unplaced,
        warnings: s.warnings,
        removed: s.removed,
        date: super::date::newest_date(text),
    };
    Segmented {
        page,
        notes: s.notes,
        layout,
    }
}

impl Segmenter<'_> {
    fn run(&mut self) {
        let mut i = 0;
        while i < self.lines.len() {
            i = self.step(i);
        }
        self.finish_current(true);
        self.merge_caption_clusters();
        for (text, line) in std::mem::take(&mut self.pending_captions) {
            self.place_unplaced(line, text, "caption with no story");
        }
    }

    fn note(&mut self, idx: usize, why: &str, what: &str) {
        self.notes[idx] = format!("{why} → {what}");
    }

    fn place_unplaced(&mut self, line: usize, text: String, reason: &str) {
        self.unplaced.push(Unplaced {
            line,
            text,
            reason: reason.to_string(),
        });
    }

    /// Handle the line at `i`; returns the next index.
    fn step(&mut self, i: usize) -> usize {
        let (kind, why) = self.kinds[i];
        let line = &self.lines[i];
        let no = line.no;
        let text = line.text.clone();
        match kind {
            Kind::Blank => i + 1,
            Kind::Marker if is_forward_marker(&text) => {
                if let Some(d) = self.cur.as_mut() {
                    d.flush();
                    d.closed = true;
                    d.touch(no);
                }
                self.place_unplaced(no, clean_body(&text), "jump marker (continued elsewhere)");
                self.note(
                    i,
                    why,
                    "unplaced; the story above continues on another page",
                );
                i + 1
            }
            Kind::Marker => {
                self.finish_current(false);
                self.pending_continuation = true;
                self.place_unplaced(no, clean_body(&text), "continuation marker");
                self.note(i, why, "unplaced; the next body starts a continuation");
                i + 1
            }
            Kind::Editor => {
                self.place_unplaced(no, clean_body(&text), "page editor credit");
                self.note(i, why, "unplaced");
                i + 1
            }
            Kind::Label => {
                if self.cur.as_ref().is_some_and(|d| d.has_body() || d.closed) {
                    self.finish_current(false);
                }
                self.place_unplaced(no, clean_body(&text), "label");
                self.note(
                    i,
                    why,
                    "unplaced; the body after it belongs to the next story",
                );
                i + 1
            }
            Kind::Affiliation => self.affiliation(i),
            Kind::Caption => {
                let cap = clean_headline_spaces(&text);
                match self.cur.as_mut() {
                    Some(d) => {
                        d.story.captions.push(cap);
                        d.touch(no);
                        self.note(i, why, "caption of the current story");
                    }
                    None => {
                        self.pending_captions.push((cap, no));
                        self.note(i, why, "caption kept for the next story");
                    }
                }
                i + 1
            }
            Kind::ParenByline => {
                let names = parse_paren_byline(&text).unwrap_or_default();
                self.closing_credit(i, clean_headline_spaces(&text), names, why);
                i + 1
            }
            Kind::Banner => {
                self.banner(i, why);
                i + 1
            }
            Kind::Fragment => {
                self.place_unplaced(no, text, "vertical headline fragment");
                self.note(i, why, "unplaced");
                i + 1
            }
            Kind::Subtitle if self.cur.as_ref().is_some_and(|d| d.open.is_some()) => {
                self.body_line(i, "dash at the start of a line inside an open paragraph");
                i + 1
            }
            Kind::Subtitle => self.headline_block(i),
            Kind::Institution if !self.institution_fits() => {
                if self.is_heading(i, true) {
                    self.headline_block(i)
                } else {
                    self.body_line(i, "institution-like text outside a headline: body text");
                    i + 1
                }
            }
            Kind::NameByline | Kind::CreditByline | Kind::Institution => {
                if self.cur.as_ref().is_some_and(|d| d.open.is_some()) {
                    self.body_line(i, "names inside an open paragraph: body text");
                    return i + 1;
                }
                let names = credit_names(&text);
                self.loose_credit(i, clean_headline_spaces(&text), names, why);
                i + 1
            }
            Kind::Text => {
                if self.is_heading(i, true) {
                    self.headline_block(i)
                } else {
                    self.body_line(i, "body text");
                    i + 1
                }
            }
        }
    }

    /// An institution line is a byline only right under a headline that has
    /// no body yet (headline-first pages).
    fn institution_fits(&self) -> bool {
        self.layout.headline_first()
            && self
                .cur
                .as_ref()
                .is_some_and(|d| d.has_headline && !d.has_body())
    }

    fn current(&mut self) -> &mut Draft {
        if self.cur.is_none() {
            self.start_story();
        }
        self.cur.get_or_insert_with(Draft::default)
    }

    fn start_story(&mut self) {
        self.finish_current(false);
        let mut d = Draft::default();
        d.story.continuation = std::mem::take(&mut self.pending_continuation);
        d.story.column = self
            .pending_column
            .take()
            .or_else(|| self.page_column.clone());
        for (cap, no) in std::mem::take(&mut self.pending_captions) {
            d.story.captions.push(cap);
            d.touch(no);
        }
        self.cur = Some(d);
    }

    fn finish_current(&mut self, at_eof: bool) {
        let Some(mut d) = self.cur.take() else {
            return;
        };
        let cut = d.open.is_some() && at_eof;
        d.flush();
        let caption_like = self.layout == Layout::Column
            && d.paras.len() >= 2
            && d.paras.len() <= 6
            && d.paras.iter().all(|(t, heading, n)| {
                !heading && *n == 1 && visible_len(t) <= 40 && ends_paragraph(t)
            });
        let mut story = d.story;
        story.body = render_body(&d.paras);
        if story.body.is_empty() && story.title.is_empty() && story.authors.is_empty() {
            // Nothing but captions or credits: keep the text, drop the story.
            for cap in story.captions {
                self.place_unplaced(story.lines.0, cap, "caption with no story");
            }
            for credit in story.credits {
                self.place_unplaced(story.lines.0, credit, "credit with no story");
            }
            return;
        }
        if story.title.is_empty() && !story.continuation {
            story.review.push("no-headline".into());
            self.warnings.push(Warning {
                line: story.lines.0,
                message: "no headline found".into(),
            });
        }
        if cut {
            story.review.push("cut-off".into());
            self.warnings.push(Warning {
                line: story.lines.1,
                message: "article cut off at end of file".into(),
            });
        }
        self.caption_like.push(caption_like);
        self.stories.push(story);
    }

    /// A body line: starts a new story when the current one has ended.
    fn body_line(&mut self, i: usize, why: &str) {
        let line = &self.lines[i];
        let (no, text) = (line.no, line.text.clone());
        let new_block = line.lead_space && line.joined_above;
        let box_start = self.layout.headline_first() && !line.joined_above && self.lead_box(i);
        let must_start = match &self.cur {
            None => true,
            Some(d) => d.closed || ((new_block || box_start) && d.has_body()),
        };
        if must_start {
            self.start_story();
        }
        let d = self.current();
        let mut body = text;
        let mut what = "body of the current story".to_string();
        if !d.has_body()
            && let Some((credit, names, rest)) = split_dateline(&body)
        {
            d.story.credits.push(clean_headline_spaces(&credit));
            if d.story.authors.is_empty() {
                d.add_authors(names);
            }
            body = rest;
            what = "dateline credit + body".into();
        }
        if let Some((text, credit, names)) = split_trailing_byline(&body) {
            d.push_body(&text, no);
            d.flush();
            d.story.credits.push(clean_headline_spaces(&credit));
            d.add_authors(names);
            d.closed = true;
            what = "body ending with an inline byline; story body closed".into();
        } else {
            d.push_body(&body, no);
        }
        if must_start {
            what = format!("{what} (starts a new story)");
        }
        self.note(i, why, &what);
    }

    /// Number of consecutive single-newline Text lines starting at `i`.
    fn body_box_len(&self, i: usize) -> usize {
        let mut n = 1;
        while let Some(next) = self.lines.get(i + n) {
            if n >= MAX_BOX
                || !next.joined_above
                || next.lead_space
                || self.kinds[i + n].0 != Kind::Text
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
    fn is_heading(&self, i: usize, after_credit: bool) -> bool {
        let line = &self.lines[i];
        if line.md_level > 0 {
            return true;
        }
        let n = self.body_box_len(i);
        let joined: String = (i..i + n).map(|k| self.lines[k].text.as_str()).collect();
        if !heading_shape(&joined) || self.next_line_continues(i + n) {
            return false;
        }
        let len = visible_len(&clean_body(&joined));
        if self.cur.as_ref().is_some_and(|d| d.open.is_some()) {
            // After a paragraph cut mid-sentence only a clear headline block
            // interrupts it.
            let clear = self.subtitle_follows(i + n)
                || self.byline_follows(i + n)
                || self.kicker_above_heading(&joined, len, i + n)
                || (self.layout.headline_first() && self.next_is_heading_line(i + n));
            return len <= 30 && clear;
        }
        if len <= 40 && self.md_headline_follows(i + n) {
            return true;
        }
        if self.subtitle_follows(i + n) || (len <= 40 && self.byline_follows(i + n)) {
            return true;
        }
        let closed = self.cur.as_ref().is_none_or(|d| d.closed);
        if self.kicker_above_heading(&joined, len, i + n) {
            return true;
        }
        match self.layout {
            Layout::Column => {
                if line.justified {
                    return false;
                }
                // Paragraph first lines are indented by two characters, so
                // "short" means clearly shorter than that.
                let col = self.widths[i];
                let short = line.width < (col - 4.0).min(col * 0.8)
                    || (line.width < col - 2.5 && self.next_starts_paragraph(i + n, col));
                let after_credit = after_credit
                    && self
                        .cur
                        .as_ref()
                        .is_some_and(|d| d.closed && !d.has_headline);
                n >= 2 || short || has_word_separator(&line.text) || (after_credit && len <= 40)
            }
            Layout::Paragraph => len <= 24 || (closed && len <= 40),
            Layout::Markdown => len <= 20 || (closed && len <= 40),
        }
    }

    /// Section headings come in groups: the current story already has one, or
    /// another section-like heading follows before the story ends.
    fn in_section_group(&self, first: usize) -> bool {
        if self
            .cur
            .as_ref()
            .is_some_and(|d| d.paras.iter().any(|p| p.1))
        {
            return true;
        }
        let mut prev_ended = false;
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
                Kind::Caption | Kind::Fragment | Kind::Editor => {}
                _ => return false,
            }
            k += 1;
        }
        false
    }

    /// A rough, state-free heading test used when looking ahead.
    fn section_like(&self, k: usize) -> bool {
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
                        || has_word_separator(&line.text))
            }
            Layout::Paragraph => len <= 24,
            Layout::Markdown => len <= 20,
        }
    }

    /// "…——" or a short "…：" line right above a heading or subtitle: a kicker.
    fn kicker_above_heading(&self, joined: &str, len: usize, j: usize) -> bool {
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
    fn next_starts_paragraph(&self, j: usize, col: f32) -> bool {
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

    /// Nothing but blank lines, captions or banners from `j` to the end.
    fn page_ends_after(&self, j: usize) -> bool {
        self.kinds[j.min(self.kinds.len())..]
            .iter()
            .take(LOOKAHEAD)
            .all(|k| matches!(k.0, Kind::Blank | Kind::Caption | Kind::Banner))
            && self.kinds.len().saturating_sub(j) <= LOOKAHEAD
    }

    /// The next non-blank line from `j` is a Markdown headline ("#" or "##").
    fn md_headline_follows(&self, j: usize) -> bool {
        (j..self.lines.len())
            .take(LOOKAHEAD)
            .find(|k| self.kinds[*k].0 != Kind::Blank)
            .is_some_and(|k| (1..=2).contains(&self.lines[k].md_level))
    }

    /// From `first`, a closing byline comes before any further heading: the
    /// text after the heading is a story of its own (its byline at the end).
    fn closing_byline_ahead(&self, first: usize) -> bool {
        let end = (first + GROUP_SCAN).min(self.lines.len());
        let mut prev_ended = false;
        for k in first + 1..end {
            match self.kinds[k].0 {
                Kind::Blank | Kind::Caption => {}
                Kind::ParenByline => return true,
                Kind::Text => {
                    let t = &self.lines[k].text;
                    if prev_ended && self.section_like(k) {
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
    fn next_is_heading_line(&self, j: usize) -> bool {
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
    fn lead_box(&self, i: usize) -> bool {
        let n = self.body_box_len(i);
        n >= 2
            && (i..i + n).all(|k| {
                let t = &self.lines[k].text;
                ends_paragraph(t) && visible_len(t) <= 40
            })
    }

    /// The next non-blank line from `j` is a bare-name or role byline.
    fn byline_follows(&self, j: usize) -> bool {
        (j..self.lines.len())
            .take(LOOKAHEAD)
            .find(|k| self.kinds[*k].0 != Kind::Blank)
            .is_some_and(|k| matches!(self.kinds[k].0, Kind::NameByline | Kind::CreditByline))
    }

    /// The next non-blank line from `j` is a "——" subtitle.
    fn subtitle_follows(&self, j: usize) -> bool {
        (j..self.lines.len())
            .take(LOOKAHEAD)
            .find(|k| self.kinds[*k].0 != Kind::Blank)
            .is_some_and(|k| self.kinds[k].0 == Kind::Subtitle)
    }

    /// The next text line (from `j`) starts with the end of a sentence
    /// ("力。抓…"): the line before it was cut mid-sentence.
    fn next_line_continues(&self, j: usize) -> bool {
        let Some(next) = self.lines[j.min(self.lines.len())..]
            .iter()
            .take(LOOKAHEAD)
            .find(|l| !l.text.trim().is_empty())
        else {
            return false;
        };
        let head: String = clean_body(&next.text).chars().take(3).collect();
        head.chars().skip(1).any(|c| "。！？".contains(c))
    }

    /// Gather and interpret a headline block starting at `i`.
    fn headline_block(&mut self, i: usize) -> usize {
        let (units, end) = self.gather_units(i);
        self.interpret(units, i);
        end
    }

    fn gather_units(&mut self, start: usize) -> (Vec<Unit>, usize) {
        let mut units: Vec<Unit> = Vec::new();
        let mut j = start;
        let mut seen_tail = false;
        while j < self.lines.len() {
            let (kind, _) = self.kinds[j];
            let line = &self.lines[j];
            let (no, text) = (line.no, line.text.clone());
            match kind {
                Kind::Blank => {
                    j += 1;
                    continue;
                }
                Kind::Text
                    if !seen_tail
                        && (j == start
                            || (!line.lead_space
                                && ((self.layout.headline_first()
                                    && self.is_heading(j, false))
                                    || self.title_after_kicker(&units, j)))) =>
                {
                    let n = if line.md_level > 0 {
                        1
                    } else {
                        self.body_box_len(j)
                    };
                    let md = line.md_level;
                    let joined: String = (j..j + n).map(|k| self.lines[k].text.as_str()).collect();
                    let lines = (j..j + n).map(|k| self.lines[k].no).collect();
                    units.push(Unit::Heading {
                        text: joined,
                        md,
                        lines,
                    });
                    j += n;
                }
                Kind::Subtitle if !seen_tail => {
                    let n = self.body_box_len_any(j);
                    let joined: String = (j..j + n).map(|k| self.lines[k].text.as_str()).collect();
                    let lines = (j..j + n).map(|k| self.lines[k].no).collect();
                    units.push(Unit::Subtitle {
                        text: joined,
                        lines,
                    });
                    j += n;
                }
                Kind::NameByline | Kind::CreditByline | Kind::Institution => {
                    let names = credit_names(&text);
                    units.push(Unit::Credit {
                        raw: clean_headline_spaces(&text),
                        names,
                        line: no,
                    });
                    seen_tail = true;
                    j += 1;
                }
                Kind::Caption => {
                    units.push(Unit::Caption {
                        text: clean_headline_spaces(&text),
                        line: no,
                    });
                    seen_tail = true;
                    j += 1;
                }
                Kind::Banner if !self.layout.headline_first() => {
                    let (banner, removed) = clean_text_removed(&text);
                    for r in removed {
                        self.removed.push(Unplaced {
                            line: no,
                            text: r,
                            reason: "doubled bold text".into(),
                        });
                    }
                    units.push(Unit::Banner {
                        text: banner,
                        line: no,
                    });
                    j += 1;
                }
                _ => break,
            }
        }
        // Trailing blanks were skipped; hand back the first unconsumed line.
        (units, j)
    }

    /// After a kicker ("…——", "…：") or when a byline follows in the same
    /// text box, a heading-shaped line is the title whatever its width.
    fn title_after_kicker(&self, units: &[Unit], j: usize) -> bool {
        let after_kicker = matches!(units.last(), Some(Unit::Heading { text, .. })
            if text.trim_end().ends_with("——") || text.trim_end().ends_with('：'));
        let byline_below = self.lines.get(j + 1).is_some_and(|l| l.joined_above)
            && matches!(self.kinds.get(j + 1).map(|k| k.0), Some(Kind::NameByline));
        (after_kicker || byline_below) && heading_shape(&self.lines[j].text)
    }

    /// Subtitle plus following single-newline Text lines (a wrapped subtitle).
    fn body_box_len_any(&self, i: usize) -> usize {
        let mut n = 1;
        while let Some(next) = self.lines.get(i + n) {
            if n >= MAX_BOX
                || !next.joined_above
                || next.lead_space
                || self.kinds[i + n].0 != Kind::Text
            {
                break;
            }
            if !heading_shape(&next.text) {
                break;
            }
            n += 1;
        }
        n
    }

    fn interpret(&mut self, units: Vec<Unit>, first: usize) {
        let headings: Vec<&Unit> = units
            .iter()
            .filter(|u| matches!(u, Unit::Heading { .. }))
            .collect();
        let has_marker = units.iter().any(|u| match u {
            Unit::Subtitle { .. } => true,
            Unit::Heading { text, .. } => {
                let t = text.trim_end();
                t.ends_with("——") || t.ends_with('：') || t.ends_with(':')
            }
            _ => false,
        });
        let has_tail = units
            .iter()
            .any(|u| matches!(u, Unit::Credit { .. } | Unit::Caption { .. }));
        let md_levels: Vec<usize> = headings
            .iter()
            .map(|u| match u {
                Unit::Heading { md, .. } => *md,
                _ => 0,
            })
            .collect();
        let open_body = self
            .cur
            .as_ref()
            .is_some_and(|d| d.has_body() && !d.closed && !d.has_headline);
        let cur_has_content = self
            .cur
            .as_ref()
            .is_some_and(|d| (d.has_body() || d.has_headline) && !d.closed);
        let plain = !has_marker && !has_tail && !headings.is_empty();
        let section_md = md_levels.iter().all(|m| *m == 0 || *m >= 3);
        let after_caption = self.prev_kind(first) == Some(Kind::Caption);
        let headline_above_body = self
            .cur
            .as_ref()
            .is_some_and(|d| d.headline_above && d.has_body() && !d.closed);
        let grouped = headings.len() >= 2 || self.in_section_group(first);
        let sections = match self.layout {
            Layout::Column => {
                plain
                    && !after_caption
                    && grouped
                    && (open_body || (headline_above_body && headings.len() == 1))
            }
            _ => {
                let top_byline = self
                    .cur
                    .as_ref()
                    .is_some_and(|d| !d.story.authors.is_empty());
                plain
                    && headings.len() == 1
                    && section_md
                    && cur_has_content
                    && (md_levels[0] >= 3
                        || (grouped && !(top_byline && self.closing_byline_ahead(first))))
            }
        };
        if sections {
            self.attach_sections(units, first);
            return;
        }
        // Markdown: a heading directly followed by a more important heading is
        // a column name ("### 爱在人间" above "## …").
        let mut units = units;
        if md_levels.len() >= 2 && md_levels[0] > md_levels[1] && md_levels[1] > 0 {
            if let Some(Unit::Heading { text, lines, .. }) = units.first() {
                let col = clean_text_removed(text).0;
                self.place_unplaced(lines[0], col.clone(), "column name");
                let idx = self.line_idx(lines[0]);
                self.notes[idx] =
                    "Markdown heading above a more important heading → column name".into();
                self.finish_current(false);
                self.pending_column = Some(col);
            }
            units.remove(0);
        }
        let attach_to_current = !self.layout.headline_first()
            && self
                .cur
                .as_ref()
                .is_some_and(|d| d.has_body() && !d.has_headline);
        if !attach_to_current {
            self.start_story();
        }
        self.attach_headline(units, attach_to_current);
    }

    /// Kind of the last non-blank line before index `i`.
    fn prev_kind(&self, i: usize) -> Option<Kind> {
        self.kinds[..i.min(self.kinds.len())]
            .iter()
            .rev()
            .take(LOOKAHEAD)
            .map(|k| k.0)
            .find(|k| *k != Kind::Blank)
    }

    fn line_idx(&self, no: usize) -> usize {
        no.saturating_sub(1).min(self.lines.len().saturating_sub(1))
    }

    fn attach_sections(&mut self, units: Vec<Unit>, _first: usize) {
        for u in units {
            if let Unit::Heading { text, lines, .. } = u {
                let cleaned = self.clean_heading(&text, lines[0]);
                for no in &lines {
                    let idx = self.line_idx(*no);
                    self.notes[idx] =
                        "heading-shaped line inside an open story → section heading".into();
                }
                let d = self.current();
                for no in &lines {
                    d.touch(*no);
                }
                d.push_heading(cleaned);
            }
        }
    }

    /// Clean heading text, recording collapsed doubled text as removed.
    fn clean_heading(&mut self, text: &str, line: usize) -> String {
        let (cleaned, removed) = clean_text_removed(text);
        for r in removed {
            self.removed.push(Unplaced {
                line,
                text: r,
                reason: "doubled bold text".into(),
            });
        }
        cleaned
    }

    fn attach_headline(&mut self, units: Vec<Unit>, after_body: bool) {
        let mut plain: Vec<(String, usize)> = Vec::new();
        let mut kicker: Option<(String, usize)> = None;
        let mut subtitle: Option<(String, usize)> = None;
        let mut touched: Vec<usize> = Vec::new();
        let mut credits: Vec<(String, Vec<String>, usize)> = Vec::new();
        let mut captions: Vec<(String, usize)> = Vec::new();
        for u in units {
            match u {
                Unit::Heading { text, lines, .. } => {
                    touched.extend(&lines);
                    let t = text.trim_end();
                    if let Some(core) = t.strip_suffix("——") {
                        let core = core.trim_end_matches('—');
                        let dashes = &t[core.len()..];
                        self.removed.push(Unplaced {
                            line: lines[0],
                            text: dashes.into(),
                            reason: "kicker dash".into(),
                        });
                        kicker = Some((self.clean_heading(core, lines[0]), lines[0]));
                    } else if (t.ends_with('：') || t.ends_with(':')) && kicker.is_none() {
                        kicker = Some((self.clean_heading(t, lines[0]), lines[0]));
                    } else {
                        plain.push((self.clean_heading(t, lines[0]), lines[0]));
                    }
                }
                Unit::Subtitle { text, lines } => {
                    touched.extend(&lines);
                    let t = text.trim();
                    let core = t.trim_start_matches(['—', '-', '－', ' ']);
                    self.removed.push(Unplaced {
                        line: lines[0],
                        text: t[..t.len() - core.len()].into(),
                        reason: "subtitle dash".into(),
                    });
                    let cleaned = self.clean_heading(core, lines[0]);
                    match &mut subtitle {
                        Some((s, _)) => s.push_str(&cleaned),
                        None => subtitle = Some((cleaned, lines[0])),
                    }
                }
                Unit::Credit { raw, names, line } => credits.push((raw, names, line)),
                Unit::Caption { text, line } => captions.push((text, line)),
                Unit::Banner { text, line } => {
                    self.place_unplaced(line, text.clone(), "banner, used as column");
                    if let Some(d) = self.cur.as_mut() {
                        d.story.column = Some(text);
                    }
                    let idx = self.line_idx(line);
                    self.notes[idx] =
                        "banner in a headline block → column of that story (listed as unplaced)"
                            .into();
                }
            }
        }
        let ambiguous = plain.len() >= 2 && kicker.is_none() && subtitle.is_none();
        if kicker.is_none() && plain.len() >= 2 {
            kicker = Some(plain.remove(0));
        }
        let title = if plain.is_empty() {
            None
        } else {
            Some(plain.remove(0))
        };
        let extra = plain;
        let Some(d) = self.cur.as_mut() else {
            return;
        };
        for no in &touched {
            d.touch(*no);
        }
        if let Some((t, _)) = title {
            d.story.title = t;
        }
        if let Some((k, _)) = kicker {
            d.story.kicker = Some(k);
        }
        if let Some((s, _)) = subtitle {
            d.story.subtitle = Some(s);
        }
        if ambiguous {
            d.story.review.push("ambiguous-headline".into());
        }
        d.has_headline = true;
        d.headline_above = !after_body && !d.has_body();
        if after_body {
            d.flush();
            d.closed = true;
        }
        let first_line = d.story.lines.0;
        if ambiguous {
            self.warnings.push(Warning {
                line: first_line,
                message: "ambiguous headline placement: first line taken as kicker".into(),
            });
        }
        for (text, line) in extra {
            self.place_unplaced(line, text, "extra headline line");
        }
        for no in touched {
            let idx = self.line_idx(no);
            self.notes[idx] = if after_body {
                "heading block after a body (column layout) → headline of the story above".into()
            } else {
                "heading block → headline of a new story".into()
            };
        }
        for (text, line) in captions {
            if let Some(d) = self.cur.as_mut() {
                d.story.captions.push(text);
                d.touch(line);
            }
            let idx = self.line_idx(line);
            self.notes[idx] = "caption in a headline block".into();
        }
        for (raw, names, line) in credits {
            let idx = self.line_idx(line);
            let has_authors = self
                .cur
                .as_ref()
                .is_some_and(|d| !d.story.authors.is_empty());
            if has_authors && after_body {
                self.start_story();
                self.notes[idx] = "byline after a headline whose story already has one → byline of the next story".into();
            } else {
                self.notes[idx] = "byline in a headline block".into();
            }
            let d = self.current();
            d.story.credits.push(raw);
            d.add_authors(names);
            d.touch(line);
        }
    }

    /// A credit line outside a headline block.
    fn loose_credit(&mut self, i: usize, raw: String, names: Vec<String>, why: &str) {
        let no = self.lines[i].no;
        let (has_authors, closed, has_body, paras) = match &self.cur {
            Some(d) => (
                !d.story.authors.is_empty(),
                d.closed,
                d.has_body(),
                d.paras.len(),
            ),
            None => (false, true, false, 0),
        };
        let what;
        if self.cur.is_none() || (closed && has_authors) {
            self.start_story();
            what = "byline before a body → byline of a new story";
        } else if has_authors {
            what = "another byline of the current story";
        } else {
            what = "byline of the current story";
        }
        let layout = self.layout;
        let d = self.current();
        d.story.credits.push(raw);
        d.add_authors(names);
        d.touch(no);
        if has_body && (!layout.headline_first() || paras >= 3) {
            d.flush();
            d.closed = true;
        }
        self.note(i, why, what);
    }

    /// A closing credit "（曾志峰 石思源）": ends the current body.
    fn closing_credit(&mut self, i: usize, raw: String, names: Vec<String>, why: &str) {
        let no = self.lines[i].no;
        let new_story = self
            .cur
            .as_ref()
            .is_none_or(|d| d.closed && !d.story.authors.is_empty());
        if new_story {
            self.start_story();
        }
        let d = self.current();
        d.story.credits.push(raw);
        d.add_authors(names);
        d.touch(no);
        d.flush();
        d.closed = true;
        self.note(i, why, "closing byline of the current story");
    }

    fn affiliation(&mut self, i: usize) -> usize {
        let mut raw = clean_body(&self.lines[i].text);
        let mut j = i + 1;
        let mut last = i;
        while !raw.contains(['）', ')']) && j < self.lines.len() && j <= i + 4 {
            if self.kinds[j].0 != Kind::Blank {
                raw.push_str(&clean_body(&self.lines[j].text));
                last = j;
            }
            j += 1;
        }
        let inner: String = raw
            .trim_start_matches(['（', '('])
            .trim_end_matches(['）', ')'])
            .to_string();
        let value = affiliation_value(&inner);
        let kind_why = self.kinds[i].1;
        match self.cur.as_mut() {
            Some(d) => {
                d.story.credits.push(raw);
                d.story.author_affiliation = Some(value);
                d.flush();
                d.closed = true;
                d.touch(self.lines[i].no);
                d.touch(self.lines[last].no);
                for k in i..=last {
                    self.notes[k] = format!("{kind_why} → affiliation of the current story");
                }
            }
            None => {
                self.place_unplaced(self.lines[i].no, raw, "affiliation with no story");
                self.notes[i] = format!("{kind_why} → unplaced (no story yet)");
            }
        }
        last + 1
    }

    fn banner(&mut self, i: usize, why: &str) {
        let no = self.lines[i].no;
        let (text, removed) = clean_text_removed(&self.lines[i].text);
        for r in removed {
            self.removed.push(Unplaced {
                line: no,
                text: r,
                reason: "doubled bold text".into(),
            });
        }
        self.place_unplaced(no, text.clone(), "banner, used as column");
        let next_editor = self.lines[i + 1..]
            .iter()
            .zip(&self.kinds[i + 1..])
            .take(LOOKAHEAD)
            .find(|(_, k)| k.0 != Kind::Blank)
            .is_some_and(|(_, k)| k.0 == Kind::Editor);
        let attach_here = !self.layout.headline_first()
            && self
                .cur
                .as_ref()
                .is_some_and(|d| d.has_headline && d.closed);
        if attach_here {
            if let Some(d) = self.cur.as_mut() {
                d.story.column = Some(text);
            }
            self.note(i, why, "column of the story whose headline is just above");
        } else if next_editor {
            self.finish_current(false);
            self.page_column = Some(text);
            self.note(i, why, "page name: column of every following story");
        } else {
            self.finish_current(false);
            self.pending_column = Some(text);
            self.note(i, why, "column of the next story");
        }
    }

    /// Short headline-less stories made only of one-line sentences right
    /// after another story are photo captions of that story.
    fn merge_caption_clusters(&mut self) {
        let mut k = 1;
        while k < self.stories.len() {
            let s = &self.stories[k];
            let cluster = self.caption_like[k]
                && s.title.is_empty()
                && s.authors.is_empty()
                && !s.continuation
                && s.kicker.is_none();
            if cluster {
                let s = self.stories.remove(k);
                self.caption_like.remove(k);
                let prev = &mut self.stories[k - 1];
                prev.captions.extend(s.captions);
                prev.captions.extend(paras_owned(&s.body));
                prev.lines.1 = prev.lines.1.max(s.lines.1);
                self.warnings
                    .retain(|w| !(w.line == s.lines.0 && w.message == "no headline found"));
            } else {
                k += 1;
            }
        }
    }
}

/// The institution in "作者单位：…" / "作者系…" / "作者为…".
fn affiliation_value(inner: &str) -> String {
    if let Some((_, v)) = inner.split_once(['：', ':']) {
        return v.trim().to_string();
    }
    for prefix in ["作者系", "作者为"] {
        if let Some(v) = inner.strip_prefix(prefix) {
            return v.trim().to_string();
        }
    }
    inner.to_string()
}

/// "（下转2版）": the story above continues elsewhere (not a continuation start).
fn is_forward_marker(text: &str) -> bool {
    text.contains("下转") || text.contains("转第") || text.contains("转下")
}

fn paras_owned(body: &str) -> Vec<String> {
    body.split("\n\n")
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

fn credit_names(text: &str) -> Vec<String> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    parse_credit_line(text)
        .or_else(|| parse_names(text))
        .or_else(|| is_institution(&compact).then(|| vec![compact]))
        .unwrap_or_default()
}

/// Headline cleanup with the removed duplicates.
fn clean_text_removed(text: &str) -> (String, Vec<String>) {
    collapse_doubled(&clean_headline_spaces(text))
}

fn render_body(paras: &[(String, bool, usize)]) -> String {
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
    use super::*;

    fn page(text: &str) -> Page {
        segment(text, None).page
    }

    const BODY_A: &str =
        "今年以来，某县聚焦群众急难愁盼问题，\n\n扎实推进民生实事，取得明显成效。\n\n";
    const BODY_B: &str =
        "近日，某镇组织干部深入村组开展走访，\n\n收集意见建议两百余条，逐一交办落实。\n\n";

    #[test]
    fn column_headline_after_body_with_closing_byline() {
        let text = format!("{BODY_A}（张 伟）\n\n民生实事办到群众心坎上\n\n{BODY_B}");
        let p = page(&text);
        assert_eq!(p.stories.len(), 2);
        assert_eq!(p.stories[0].title, "民生实事办到群众心坎上");
        assert_eq!(p.stories[0].authors, ["张伟"]);
        assert_eq!(p.stories[1].title, "");
        assert!(p.stories[1].review.contains(&"no-headline".to_string()));
    }

    #[test]
    fn second_byline_after_headline_opens_the_next_story() {
        let text = format!("{BODY_A}（张 伟）\n\n民生实事办到群众心坎上\n\n李 强\n\n{BODY_B}");
        let p = page(&text);
        assert_eq!(p.stories.len(), 2);
        assert_eq!(p.stories[0].authors, ["张伟"]);
        assert_eq!(p.stories[1].authors, ["李强"]);
    }

    #[test]
    fn forward_marker_closes_without_continuation() {
        let text = format!("{BODY_A}（下转2版）\n\n{BODY_B}");
        let p = page(&text);
        assert_eq!(p.stories.len(), 2);
        assert!(p.stories.iter().all(|s| !s.continuation));
        assert_eq!(p.unplaced.len(), 1);
    }

    #[test]
    fn backward_marker_starts_a_continuation() {
        let text = format!("{BODY_A}▲（上接1版）\n\n{BODY_B}");
        let p = page(&text);
        assert_eq!(p.stories.len(), 2);
        assert!(p.stories[1].continuation);
        assert_eq!(p.stories[1].title, "");
        assert!(p.stories[1].review.is_empty());
    }

    #[test]
    fn kicker_with_dashes_and_subtitle() {
        let text = format!("{BODY_A}引题写在这里——\n\n主标题写在这里\n——副题写在这里\n\n{BODY_B}");
        let p = page(&text);
        let s = &p.stories[0];
        assert_eq!(s.kicker.as_deref(), Some("引题写在这里"));
        assert_eq!(s.title, "主标题写在这里");
        assert_eq!(s.subtitle.as_deref(), Some("副题写在这里"));
        assert!(p.removed.iter().any(|r| r.reason == "kicker dash"));
    }

    #[test]
    fn affiliation_spanning_two_lines() {
        let text = format!("{BODY_A}（作者单位：湖南某某大学\n\n马克思主义学院）\n\n标题一行\n\n");
        let p = page(&text);
        let s = &p.stories[0];
        assert_eq!(
            s.author_affiliation.as_deref(),
            Some("湖南某某大学马克思主义学院")
        );
        assert_eq!(s.title, "标题一行");
    }

    #[test]
    fn paragraph_page_headline_first() {
        let text = "标题在前\n\n——副题在这里\n\n王 强\n\n\
            这是第一段正文，内容比较长，用来说明这是一行一个段落的版式，不是栏文本，也不是标题。\n\n\
            小标题一\n\n\
            这是第二段正文，同样比较长，用来说明这是一行一个段落的版式，而且没有被截断，到此为止。\n\n\
            小标题二\n\n\
            这是第三段正文，同样比较长，用来说明这是一行一个段落的版式，而且没有被截断，到此为止。\n";
        let p = page(text);
        assert_eq!(p.stories.len(), 1);
        let s = &p.stories[0];
        assert_eq!(s.title, "标题在前");
        assert_eq!(s.authors, ["王强"]);
        assert!(s.body.contains("\n\n## 小标题一\n\n"), "{}", s.body);
    }
}
