//! Grouping classified lines into stories: body paragraphs, section headings,
//! headline blocks (kicker, title, subtitle, byline, caption, banner) and
//! where each belongs — after the body in column text, before it in paragraph
//! and Markdown pages.
//!
//! It must NOT read files, know about front matter, or assign regions/topics.

use crate::ingest::byline::{is_institution, split_trailing_byline, tidy_credit};
use crate::ingest::byline::{
    opens_wrapped_dateline, parse_credit_line, parse_names, parse_paren_byline, split_dateline,
};
use crate::ingest::clean::{clean_body, clean_headline_spaces, collapse_doubled, visible_len};
use crate::ingest::layout::{Layout, local_widths};
use crate::ingest::lines::{
    Kind, Line, classify, column_label, ends_paragraph, heading_shape, is_sidebar_label, md_image,
    opens_introduction, split_leading_marker, split_trailing_marker,
};
use crate::ingest::{Page, Story, Unplaced, Warning};
use draft::{Draft, render_body};

mod draft;
mod heading;
mod headline;

/// How many lines (blanks included) look-ahead checks scan.
const LOOKAHEAD: usize = 40;

/// How far (in lines) the section-group look-ahead scans.
const GROUP_SCAN: usize = 400;

/// Most lines (blank ones included) a paragraph is looked ahead over.
const MAX_PARAGRAPH_LINES: usize = 24;

/// Most lines a text box (headline, section heading) spans.
const MAX_BOX: usize = 6;

struct Segmenter<'a> {
    lines: &'a [Line],
    kinds: Vec<(Kind, &'static str)>,
    widths: Vec<f32>,
    /// Whether this page prints paragraphs' first lines flush with the column (not indented):
    /// see [`paragraphs_flush`].
    flush_paragraphs: bool,
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
    /// An introduction's label ("编者按") ended the story above: the next story to start
    /// holds only its text so far (see `Draft::intro_only`).
    pending_intro: bool,
    /// Per finished story: its body is only one-line sentences (see
    /// `merge_caption_clusters`).
    caption_like: Vec<bool>,
    /// Per finished story: its byline was printed under its headline.
    byline_under: Vec<bool>,
    /// Why the headline block being handled was taken as a heading.
    block_reason: &'static str,
}

/// Result of segmentation, with one explanation note per line.
pub struct Segmented {
    pub page: Page,
    pub notes: Vec<String>,
    pub layout: Layout,
}

/// A row of a Markdown table: "| 指标 | 数值 |", "| --- | --- |".
fn is_table_row(text: &str) -> bool {
    let t = text.trim();
    t.len() >= 3 && t.starts_with('|') && t.ends_with('|') && t.matches('|').count() >= 3
}

/// The line break inside a stanza of verse: a Markdown hard break.
const VERSE_BREAK: &str = "\\\n";

/// Headings of a column of news briefs, each brief a "■…" paragraph with its own credit.
const BRIEFS_HEADINGS: &[&str] = &[
    "新闻速递",
    "简讯",
    "短讯",
    "快讯",
    "资讯",
    "新闻简报",
    "一周要闻",
    "速览",
    "动态",
    "要闻速览",
    "新闻快递",
    "本地新闻速递",
];

/// Endings of a briefs heading that names its beat: "市州动态", "县域快讯".
const BRIEFS_ENDINGS: &[&str] = &[
    "动态", "速递", "简讯", "短讯", "快讯", "速览", "简报", "快递",
];

/// The story is a column of news briefs: its headline is a briefs heading, or a short one
/// ending like one ("市州动态").
fn is_briefs_column(d: &draft::Draft) -> bool {
    let title: String = d
        .story
        .title
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    BRIEFS_HEADINGS.contains(&title.as_str())
        || (title.chars().count() <= 6 && BRIEFS_ENDINGS.iter().any(|e| title.ends_with(e)))
}

/// A paragraph opening with a bullet ("■5月7日，…") or with a place in 【】 ("【株洲】11月3日，…").
fn brief_item(text: &str) -> bool {
    let t = text.trim_start();
    t.starts_with(['■', '●', '◆', '▲', '□', '◎'])
        || t.strip_prefix('【').is_some_and(|r| {
            r.find('】')
                .is_some_and(|end| (2..=6).contains(&r[..end].chars().count()) && r.len() > end + 3)
        })
}

/// A Markdown list item: "1. …", "2) …", "- …", "* …".
fn is_list_item(text: &str) -> bool {
    let t = text.trim_start();
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    let rest = if (1..=3).contains(&digits) {
        t[digits..].strip_prefix(['.', ')'])
    } else {
        t.strip_prefix(['-', '*', '+'])
    };
    rest.is_some_and(|r| r.starts_with([' ', '\t']) && !r.trim().is_empty())
}

/// Whether the page prints paragraphs' first lines flush with the column: of the text lines
/// that follow a line ending a paragraph (and do not end one themselves), at least three are
/// as wide as the column and at most a quarter as many are two characters short (indented;
/// only lines a heading could not be, e.g. ending with a comma, count: the headings in
/// question are such lines). On such a page a heading-shaped line two characters short of
/// the column after a finished paragraph is a heading, not a paragraph's indented first line.
fn paragraphs_flush(lines: &[Line], kinds: &[(Kind, &'static str)], widths: &[f32]) -> bool {
    let (mut flush, mut indented) = (0usize, 0usize);
    let mut prev_ended = false;
    for (k, line) in lines.iter().enumerate() {
        match kinds[k].0 {
            Kind::Blank => continue,
            Kind::Text if !line.justified => {
                let (col, ends) = (widths[k], ends_paragraph(&line.text));
                if prev_ended && !ends {
                    if line.width >= col - 1.0 {
                        flush += 1;
                    } else if line.width >= col - 3.0 && !heading_shape(&line.text) {
                        indented += 1;
                    }
                }
                prev_ended = ends;
            }
            _ => prev_ended = false,
        }
    }
    flush >= 3 && indented * 4 <= flush
}

/// Segment decoded page text into stories.
pub fn segment(text: &str, layout_override: Option<Layout>) -> Segmented {
    let mut lines = crate::ingest::lines::split_lines(text);
    let layout = layout_override.unwrap_or_else(|| crate::ingest::layout::detect(&lines));
    if layout != Layout::Markdown {
        crate::ingest::lines::join_headings_split_at_comma(&mut lines);
        crate::ingest::lines::join_wrapped_captions(&mut lines);
    }
    let mut kinds: Vec<(Kind, &'static str)> = lines.iter().map(classify).collect();
    crate::ingest::lines::paper_names_beside_running_heads(&lines, &mut kinds);
    let is_text: Vec<bool> = kinds.iter().map(|k| k.0 == Kind::Text).collect();
    let widths = local_widths(&lines, &is_text);
    let mut s = Segmenter {
        flush_paragraphs: paragraphs_flush(&lines, &kinds, &widths),
        widths,
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
        pending_intro: false,
        caption_like: Vec::new(),
        byline_under: Vec::new(),
        block_reason: "",
    };
    s.run();
    // A line joined to the one above it belongs where that one went.
    for line in &lines {
        let Some(second) = line.joined_no else {
            continue;
        };
        for story in &mut s.stories {
            if story.lines.0 <= line.no && line.no <= story.lines.1 {
                story.lines.1 = story.lines.1.max(second);
            }
        }
        let what = if classify(line).0 == Kind::Caption {
            "caption (wrapped by the column)"
        } else {
            "heading (cut after its comma)"
        };
        for no in line.no + 1..=second {
            let moved = lines
                .get(no - 1)
                .is_some_and(|l| l.text.is_empty() && !l.raw.trim().is_empty());
            if let Some(note) = s.notes.get_mut(no - 1).filter(|_| moved) {
                *note = format!("read with line {} as one {what}", line.no);
            }
        }
    }
    // The running head states the date; other dates in the text may be
    // deadlines or anniversaries.
    let head_date = lines
        .iter()
        .zip(&s.kinds)
        .filter(|(_, k)| k.0 == Kind::Masthead)
        .find_map(|(l, _)| crate::ingest::lines::masthead_date(&l.text));
    let page = Page {
        stories: s.stories,
        unplaced: s.unplaced,
        warnings: s.warnings,
        removed: s.removed,
        date_from_head: head_date.is_some(),
        date: head_date.or_else(|| crate::ingest::date::newest_date(text)),
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
        self.place_bodiless_headlines();
        self.merge_caption_clusters();
        self.merge_body_after_first_headline();
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

    /// A photo caption from line `i`: the current story's, or kept for the next one.
    fn caption(&mut self, i: usize, cap: String, why: &str) {
        let no = self.lines[i].no;
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
                let marker = clean_body(&text);
                if let Some(d) = self.cur.as_mut() {
                    d.flush();
                    d.closed = true;
                    d.touch(no);
                    d.story.continued_on = jump_target(&marker);
                }
                self.place_unplaced(no, marker, "jump marker (continued elsewhere)");
                self.note(
                    i,
                    why,
                    "unplaced; the story above continues on another page (its `continued_on`)",
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
            Kind::Masthead => {
                self.place_unplaced(no, clean_body(&text), "page running head");
                self.note(i, why, "unplaced; a date it states is the page's date");
                i + 1
            }
            Kind::Label
                if is_sidebar_label(&text)
                    && self
                        .cur
                        .as_ref()
                        .is_some_and(|d| d.headline_above && d.has_body()) =>
            {
                // "相关链接" after a story headed above its text: a section of that story.
                let d = self.current();
                d.closed = false;
                d.touch(no);
                d.push_heading(clean_body(&text));
                self.note(i, why, "background after a story: a section of it");
                i + 1
            }
            Kind::Label => {
                let ends_story = self.cur.as_ref().is_some_and(|d| d.has_body() || d.closed);
                if ends_story {
                    self.finish_current(false);
                    self.pending_intro = opens_introduction(&text);
                }
                // A column label ("短评") names the piece below it: its column.
                let column = column_label(&text).filter(|_| {
                    self.cur
                        .as_ref()
                        .is_none_or(|d| !d.has_body() && d.story.column.is_none())
                });
                if let Some(col) = column {
                    self.place_unplaced(no, clean_body(&text), "label, used as column");
                    match self.cur.as_mut() {
                        Some(d) => d.story.column = Some(col.to_string()),
                        None => self.pending_column = Some(col.to_string()),
                    }
                    self.note(i, why, "column of the piece below it");
                    return i + 1;
                }
                self.place_unplaced(no, clean_body(&text), "label");
                self.note(
                    i,
                    why,
                    if ends_story {
                        "unplaced; it ends the story above, the text after it starts a new one"
                    } else {
                        "unplaced; the text after it belongs to the story being built"
                    },
                );
                i + 1
            }
            Kind::Rule => {
                let ends_story = self.cur.as_ref().is_some_and(|d| d.has_body() || d.closed);
                if ends_story {
                    self.finish_current(false);
                }
                self.place_unplaced(no, text.clone(), "horizontal rule");
                self.note(i, why, "unplaced; it ends the story above");
                i + 1
            }
            Kind::Image => {
                let (caption, file) = md_image(&text).unwrap_or_default();
                // What is not the caption (the file and the Markdown around it) is reported.
                self.place_unplaced(
                    no,
                    format!("![]({file})"),
                    "image file (not part of the archive; its text is a caption)",
                );
                if caption.is_empty() {
                    self.note(i, why, "unplaced (an image without a caption)");
                    return i + 1;
                }
                self.caption(i, clean_body(caption), why);
                i + 1
            }
            Kind::Affiliation => self.affiliation(i),
            Kind::Caption => {
                // Captions are sentences: no word separators kept.
                self.caption(i, clean_body(&text), why);
                i + 1
            }
            Kind::ParenByline => {
                let names = parse_paren_byline(&text).unwrap_or_default();
                let raw = tidy_credit(&text, &names);
                self.closing_credit(i, raw, names, why);
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
                let raw = tidy_credit(&text, &names);
                self.loose_credit(i, raw, names, why);
                i + 1
            }
            Kind::Text if is_table_row(&text) => self.table(i),
            Kind::Text => {
                if let Some(n) = self.verse_stanza(i) {
                    self.verse(i, n);
                    i + n
                } else if self.is_heading(i, true) {
                    self.headline_block(i)
                } else {
                    self.body_line(i, "body text");
                    i + 1
                }
            }
        }
    }

    /// A Markdown table starting at `i`: its rows, kept as printed, are one paragraph of the
    /// current story (a story starts if there is none). Returns the line after it.
    fn table(&mut self, i: usize) -> usize {
        let mut end = i;
        while end < self.lines.len()
            && self.kinds[end].0 == Kind::Text
            && is_table_row(&self.lines[end].text)
        {
            end += 1;
        }
        let rows: Vec<&str> = (i..end).map(|k| self.lines[k].text.trim()).collect();
        let text = rows.join("\n");
        if self.cur.as_ref().is_none_or(|d| d.closed) {
            self.start_story();
        }
        self.push_lines_kept(
            i..end,
            text,
            "a table row (| … |): the table is kept as printed",
        );
        end
    }

    /// Adds `text`, made of the lines `range` kept apart (a table, a stanza), to the current
    /// story as one paragraph of its own.
    fn push_lines_kept(&mut self, range: std::ops::Range<usize>, text: String, note: &str) {
        let nos: Vec<usize> = range.clone().map(|k| self.lines[k].no).collect();
        let d = self.current();
        d.flush();
        for no in &nos {
            d.touch(*no);
        }
        d.paras.push((text, false, nos.len()));
        for k in range {
            self.notes[k] = note.into();
        }
    }

    /// A stanza of a poem at `i`: its number of lines. On a page whose single newlines mark
    /// text boxes, under a headline (and byline) with no text yet, or after a stanza, a box
    /// of short lines (at most 20 characters, three or more; two after a stanza), none
    /// ending a sentence inside, none a byline: a poem's lines, each kept on its own.
    fn verse_stanza(&self, i: usize) -> Option<usize> {
        let d = self.cur.as_ref()?;
        let after_stanza = d.open.is_none()
            && d.paras
                .last()
                .is_some_and(|(t, heading, _)| !heading && t.contains(VERSE_BREAK));
        let under_headline = d.has_headline && d.headline_above && !d.has_body() && !d.closed;
        if !(under_headline || after_stanza) {
            return None;
        }
        let verse_line = |k: usize| {
            let l = &self.lines[k];
            let len = visible_len(&clean_body(&l.text));
            // In column text, lines as wide as the column are the column's, not verse.
            let col = self.widths[k];
            let short = self.layout != Layout::Column || col <= 0.0 || l.width < col - 4.0;
            self.kinds[k].0 == Kind::Text
                && l.md_level == 0
                && (2..=20).contains(&len)
                && short
                && !crate::ingest::lines::has_inner_sentence_end(&l.text)
        };
        // A box starts after a blank line, or right under the story's byline.
        let starts_box = !self.lines[i].joined_above
            || i.checked_sub(1).is_some_and(|k| {
                matches!(
                    self.kinds[k].0,
                    Kind::NameByline | Kind::CreditByline | Kind::Institution
                )
            });
        if !starts_box || !verse_line(i) {
            return None;
        }
        let mut n = 1;
        while i + n < self.lines.len() && self.lines[i + n].joined_above && verse_line(i + n) {
            n += 1;
        }
        let box_ends = self
            .lines
            .get(i + n)
            .is_none_or(|l| !l.joined_above || l.text.trim().is_empty());
        (box_ends && n >= if after_stanza { 2 } else { 3 }).then_some(n)
    }

    /// Adds the stanza of `n` lines at `i` to the current story as one paragraph whose lines
    /// are kept apart (Markdown hard line breaks).
    fn verse(&mut self, i: usize, n: usize) {
        let lines: Vec<String> = (i..i + n)
            .map(|k| clean_body(&self.lines[k].text))
            .collect();
        self.push_lines_kept(
            i..i + n,
            lines.join(VERSE_BREAK),
            "a box of short lines under a headline: a stanza, each line kept",
        );
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
        // An introduction on its own leads the story that starts now.
        let intro = match self.cur.as_mut() {
            Some(d) if d.intro_only && !d.has_headline => {
                d.flush();
                Some((std::mem::take(&mut d.paras), d.story.lines))
            }
            _ => None,
        };
        if intro.is_some() {
            self.cur = None;
        }
        self.finish_current(false);
        // Only the story started right after an introduction's label holds it.
        self.pending_intro = false;
        let mut d = Draft::default();
        if let Some((paras, (first, last))) = intro {
            d.paras = paras;
            d.touch(first);
            d.touch(last);
        }
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
            // Nothing but a kicker, subtitle, captions or credits: keep the
            // text, drop the story.
            for (text, what) in [
                (story.kicker, "kicker with no story"),
                (story.subtitle, "subtitle with no story"),
            ] {
                if let Some(t) = text.filter(|t| !t.is_empty()) {
                    self.place_unplaced(story.lines.0, t, what);
                }
            }
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
        self.byline_under.push(d.byline_under_headline);
        self.stories.push(story);
    }

    /// A body line: starts a new story when the current one has ended. Jump
    /// markers at its start ("（上接1版）…") or end ("…（下转2版）") are split off.
    fn body_line(&mut self, i: usize, why: &str) {
        let line = &self.lines[i];
        let (no, mut text) = (line.no, line.text.clone());
        if let Some((marker, rest)) = split_leading_marker(&text) {
            self.finish_current(false);
            self.pending_continuation = true;
            self.place_unplaced(no, clean_body(&marker), "continuation marker");
            text = rest;
        }
        let trailing = split_trailing_marker(&text);
        if let Some((rest, _)) = &trailing {
            text = rest.clone();
        }
        self.body_text(i, text, why);
        if let Some((_, marker)) = trailing {
            let marker = clean_body(&marker);
            if let Some(d) = self.cur.as_mut() {
                d.flush();
                d.closed = true;
                d.story.continued_on = jump_target(&marker);
            }
            self.place_unplaced(no, marker, "jump marker (continued elsewhere)");
        }
    }

    /// Place body text of line `i` (possibly without a split-off marker).
    fn body_text(&mut self, i: usize, text: String, why: &str) {
        let line = &self.lines[i];
        let no = line.no;
        let new_block = line.lead_space && line.joined_above;
        let box_start = self.layout.headline_first() && !line.joined_above && self.lead_box(i);
        // "编者按：…" after a story's text ends it and leads the next one.
        let intro = opens_introduction(&text)
            && self.cur.as_ref().is_some_and(|d| d.has_body() || d.closed);
        // "■…（王 静）", a news brief with its own credit, outside a briefs column: a story
        // of its own, not more of the text above.
        let own_brief = brief_item(&text)
            && self
                .cur
                .as_ref()
                .is_some_and(|d| d.has_body() && d.open.is_none() && !is_briefs_column(d))
            && self.paragraph_ends_with_credit(i, &text);
        // After photo captions, text ending with a closing credit ("（通讯员 舒 琴）") does not
        // continue a story bylined under its headline: no story has two bylines.
        let after_bylined_story = self.prev_kind(i) == Some(Kind::Caption)
            && self.cur.as_ref().is_some_and(|d| {
                d.byline_under_headline && d.has_body() && d.open.is_none() && !d.closed
            })
            && (split_trailing_byline(&text).is_some() || self.closing_byline_ahead(i));
        let must_start = intro
            || own_brief
            || after_bylined_story
            || match &self.cur {
                None => true,
                Some(d) => d.closed || ((new_block || box_start) && d.has_body()),
            };
        if must_start {
            if intro {
                // Not carried into the story it would end.
                self.finish_current(false);
            }
            let after_label = self.pending_intro;
            self.start_story();
            if let Some(d) = self.cur.as_mut() {
                d.intro_only = intro || after_label;
            }
        }
        let list_item = self.layout == Layout::Markdown && is_list_item(&self.lines[i].text);
        let d = self.current();
        if d.intro_only && !intro && d.open.is_none() && d.has_body() {
            // A new paragraph after the introduction: the story's own text.
            d.intro_only = false;
        }
        let mut body = text;
        let mut what = "body of the current story".to_string();
        // The line after a held-back dateline line completes its credit, if it closes it.
        let mut joined = false;
        if let Some((first, first_no)) = d.held_dateline.take() {
            if split_dateline(&format!("{first}{body}")).is_some() {
                body = format!("{first}{body}");
                joined = true;
            } else {
                d.push_body(&first, first_no);
            }
        }
        if !d.has_body() && !joined && opens_wrapped_dateline(&body) {
            // Held back until the next body line says whether it closes the credit.
            d.touch(no);
            d.held_dateline = Some((body, no));
            let what = if must_start {
                "dateline credit that goes on in the next line (starts a new story)"
            } else {
                "dateline credit that goes on in the next line"
            };
            self.note(i, why, what);
            return;
        }
        if !d.has_body()
            && let Some((credit, names, rest)) = split_dateline(&body)
        {
            d.story.credits.push(tidy_credit(&credit, &names));
            if d.story.authors.is_empty() {
                d.add_authors(names);
            }
            body = rest;
            what = "dateline credit + body".into();
        }
        let brief = brief_item(&body) && is_briefs_column(d);
        if brief || list_item {
            // A paragraph of its own: a news brief (it ends with its own credit "（周丽）",
            // and the column goes on) or an item of a Markdown list.
            if brief && let Some((_, _, names)) = split_trailing_byline(&body) {
                d.add_authors(names);
            }
            d.flush();
            d.push_body(&body, no);
            d.flush();
            what = if brief {
                "news brief: a paragraph of the briefs column"
            } else {
                "list item: a paragraph of its own"
            }
            .into();
        } else if let Some((text, credit, names)) = split_trailing_byline(&body) {
            d.push_body(&text, no);
            d.flush();
            d.story.credits.push(tidy_credit(&credit, &names));
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

    /// The paragraph whose first line is `i` (its text `first`) ends with a credit in
    /// parentheses ("…全覆盖。（王 静）"): on this line, or on a later one before any line that
    /// ends a paragraph without one.
    fn paragraph_ends_with_credit(&self, i: usize, first: &str) -> bool {
        let mut text = first.to_string();
        for k in i + 1..(i + MAX_PARAGRAPH_LINES).min(self.lines.len()) {
            if split_trailing_byline(&text).is_some() {
                return true;
            }
            if ends_paragraph(&text) {
                return false;
            }
            match self.kinds[k].0 {
                Kind::Blank => continue,
                Kind::Text => text.push_str(&self.lines[k].text),
                // A closing credit on a line of its own.
                Kind::ParenByline => return true,
                _ => return false,
            }
        }
        split_trailing_byline(&text).is_some()
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

    /// Column text that opens with the tail of an article, then its headline
    /// with the byline under it, then untitled, unsigned text: the headline
    /// sits inside one article (text wrapped around it), so the untitled text
    /// is the rest of the first story.
    fn merge_body_after_first_headline(&mut self) {
        if self.layout != Layout::Column || self.stories.len() < 2 {
            return;
        }
        let (first, second) = (&self.stories[0], &self.stories[1]);
        let split = self.byline_under[0]
            && !first.title.is_empty()
            && second.title.is_empty()
            && second.authors.is_empty()
            && second.kicker.is_none()
            && !second.continuation;
        if !split {
            return;
        }
        let s = self.remove_story(1);
        let prev = &mut self.stories[0];
        prev.body = [prev.body.as_str(), s.body.as_str()]
            .iter()
            .filter(|b| !b.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join("\n\n");
        prev.captions.extend(s.captions);
        prev.lines.1 = prev.lines.1.max(s.lines.1);
        prev.review.push("headline-inside-text".into());
        self.warnings
            .retain(|w| !(w.line == s.lines.0 && w.message == "no headline found"));
        self.warnings.push(Warning {
            line: s.lines.0,
            message: "headline printed inside the text: the text after it joined to that story"
                .into(),
        });
    }

    /// Removes story `k` and its per-story flags.
    fn remove_story(&mut self, k: usize) -> Story {
        self.caption_like.remove(k);
        self.byline_under.remove(k);
        self.stories.remove(k)
    }

    /// A headline block with no text of its own (no body, byline or caption) is not an
    /// article: its parts are listed as unplaced ("headline with no story"), with a warning,
    /// for the editor to place.
    fn place_bodiless_headlines(&mut self) {
        let bodiless = |s: &Story| {
            !s.title.is_empty()
                && s.body.is_empty()
                && s.authors.is_empty()
                && s.captions.is_empty()
                && s.credits.is_empty()
                && !s.continuation
        };
        let mut k = 0;
        while k < self.stories.len() {
            if !bodiless(&self.stories[k]) {
                k += 1;
                continue;
            }
            let s = self.remove_story(k);
            let line = s.lines.0;
            for no in s.lines.0..=s.lines.1 {
                let idx = self.line_idx(no);
                if !self.notes[idx].is_empty() {
                    self.notes[idx] = "heading block with no text below or above it → \
                        listed as unplaced (headline with no story)"
                        .into();
                }
            }
            for (text, what) in [
                (s.kicker, "kicker of a headline with no story"),
                (Some(s.title), "headline with no story"),
                (s.subtitle, "subtitle of a headline with no story"),
            ] {
                if let Some(t) = text.filter(|t| !t.is_empty()) {
                    self.place_unplaced(line, t, what);
                }
            }
            self.warnings.push(Warning {
                line,
                message: "headline with no text below or above it: listed as unplaced".into(),
            });
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
                let s = self.remove_story(k);
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

/// "（下转第4版）" → "下转第4版": a forward jump marker's words, without brackets or the
/// ▲/■ decoration around them; `None` if nothing is left.
fn jump_target(marker: &str) -> Option<String> {
    let inner: String = marker
        .trim_matches(|c: char| {
            c.is_whitespace()
                || matches!(
                    c,
                    '（' | '）' | '(' | ')' | '▲' | '△' | '▼' | '■' | '◆' | '●'
                )
        })
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    (!inner.is_empty()).then_some(inner)
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
    fn markdown_images_rules_and_list_items() {
        let text = "## 常宁：“红色物业”让居民舒心\n\n近年来，常宁市在老旧小区推行“红色物业”模式。\n\n\
                    1. 全县课后服务覆盖率100%；\n2. 开设特色课程380余门；\n\n\
                    ![图为党员志愿者清理小区垃圾。](images/a.jpg)\n\n---\n\n\
                    ## 泸溪县：“双减”落地\n\n泸溪县58所中小学课后服务实现全覆盖。\n";
        let seg = segment(text, None);
        assert_eq!(seg.layout, Layout::Markdown);
        let p = seg.page;
        assert_eq!(p.stories.len(), 2);
        let first = &p.stories[0];
        // The image's text is a caption; its file and the rule are reported, not published.
        assert_eq!(first.captions, ["图为党员志愿者清理小区垃圾。"]);
        assert!(!first.body.contains("images/") && !first.body.contains("---"));
        let reasons: Vec<(&str, &str)> = p
            .unplaced
            .iter()
            .map(|u| (u.text.as_str(), u.reason.as_str()))
            .collect();
        assert!(
            reasons.iter().any(|r| r.0 == "![](images/a.jpg)"),
            "{reasons:?}"
        );
        assert!(reasons.contains(&("---", "horizontal rule")), "{reasons:?}");
        // The rule gives the next story no subtitle; list items stay apart.
        assert_eq!(p.stories[1].subtitle, None);
        assert!(first.body.contains("100%；\n\n2."), "{}", first.body);
    }

    #[test]
    fn running_head_is_unplaced_and_dates_the_page() {
        let text = "湖南日报 2023年5月9日 星期二 区域新闻 第5版\n\n\
                    推进基层治理现代化\n\n娄星区“网格+”让小事不出社区\n\n\
                    5月8日一早，网格员走进辖区的老旧小区，逐户走访收集意见。\n\n\
                    确保2023年12月31日前实现全区城市社区“智慧网格”全覆盖。\n";
        let p = page(text);
        // The deadline in the text is newer; the running head's date is the page's.
        assert_eq!(p.date, Some((2023, 5, 9)));
        assert_eq!(p.unplaced[0].line, 1);
        assert_eq!(p.unplaced[0].reason, "page running head");
        assert!(p.stories.iter().all(|s| !s.title.contains("湖南日报")
            && s.kicker.as_deref().is_none_or(|k| !k.contains("湖南日报"))));
        // Without a running head, a deadline is no date of the page.
        let p = page(&text[text.find('推').unwrap()..]);
        assert_eq!(p.date, None);
    }

    #[test]
    fn heading_on_two_lines_cut_after_its_comma_is_one_heading() {
        // Column text, every line double-spaced: the story's headline follows its body on
        // two short lines, the first ending in a comma; nothing comes after it.
        let text = format!("{BODY_A}（张 伟）\n\n{BODY_B}山乡巨变，\n\n茶香飘出大山\n");
        let seg = segment(&text, None);
        let p = &seg.page;
        assert_eq!(p.stories.len(), 2, "{:?}", p.stories);
        let s = &p.stories[1];
        assert_eq!(s.title, "山乡巨变，茶香飘出大山");
        assert!(!s.body.contains("山乡"), "{}", s.body);
        // The story spans the heading's second line too, and explain says where it went.
        assert_eq!(s.lines.1, 13);
        assert!(seg.notes[12].contains("line 11"), "{:?}", seg.notes[12]);
        // A comma line that a sentence end follows is body text, read as before.
        let text = format!("{BODY_A}（张 伟）\n\n{BODY_B}山乡巨变，\n\n茶香飘出大山。\n");
        let p = page(&text);
        assert!(
            p.stories
                .iter()
                .all(|s| s.title != "山乡巨变，茶香飘出大山")
        );
        assert!(
            p.stories
                .iter()
                .any(|s| s.body.contains("山乡巨变，茶香飘出大山。"))
        );
    }

    #[test]
    fn text_box_opening_with_colon_line_is_kicker_and_title() {
        let text = format!(
            "{BODY_A}（张 伟）\n\n桑植县白石乡：\n“小蜜蜂”酿出“甜日子”\n\n{BODY_B}（李 强）\n\n某镇走访收集意见\n"
        );
        let p = page(&text);
        assert_eq!(p.stories[0].kicker.as_deref(), Some("桑植县白石乡："));
        assert_eq!(p.stories[0].title, "“小蜜蜂”酿出“甜日子”");
    }

    #[test]
    fn headline_of_untitled_story_before_a_jump_marker() {
        let text =
            format!("□ 欧阳晓\n\n{BODY_A}让“小切口”撬动“大民生”\n\n▲ ▲（上接1版②）\n\n{BODY_B}");
        let p = page(&text);
        assert_eq!(p.stories[0].authors, ["欧阳晓"]);
        assert_eq!(p.stories[0].title, "让“小切口”撬动“大民生”");
        assert!(p.stories[1].continuation);
    }

    #[test]
    fn last_line_cut_off_is_body_not_headline_in_paragraph_layout() {
        let text = "怀化打造数字乡村示范区\n\n本报记者 李娜\n\n5月20日，怀化市数字乡村建设现场推进会在鹤城区召开。\n\n近年来，怀化市加快推进农村宽带网络建设，全市行政村5G网络覆盖率达到92%。\n\n下一步，怀化市将重点推进智慧农业\n";
        let seg = segment(text, Some(Layout::Paragraph));
        let p = seg.page;
        assert_eq!(p.stories.len(), 1, "{:?}", seg.notes);
        assert!(
            p.stories[0]
                .body
                .ends_with("下一步，怀化市将重点推进智慧农业")
        );
    }

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
        assert_eq!(p.stories[0].continued_on.as_deref(), Some("下转2版"));
        assert_eq!(p.stories[1].continued_on, None);
        // On a line of its own, with decoration.
        let p = page(&format!(
            "{BODY_A}

▲（下转 第4版①）

{BODY_B}"
        ));
        assert_eq!(p.stories[0].continued_on.as_deref(), Some("下转第4版①"));
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
    fn markers_inside_body_lines_are_split_off() {
        let text = format!(
            "{BODY_A}（上接1版）会议要求，各级各部门要提高政治站位。\n\n\
             会议强调，要确保各项任务落地见效。（下转3版）\n"
        );
        let p = page(&text);
        assert_eq!(p.stories.len(), 2);
        assert!(p.stories[1].continuation);
        assert!(p.stories[1].body.starts_with("会议要求"));
        assert!(p.stories[1].body.ends_with("落地见效。"));
        assert_eq!(p.unplaced.len(), 2);
    }

    #[test]
    fn markdown_subheads_one_level_below_the_headline() {
        let long =
            "这是正文段落，内容比较长，用来说明这是一行一个段落的版式，不是栏文本，也不是标题。";
        let text = format!(
            "# 第一篇标题\n\n{long}\n\n## 一、小标题\n\n{long}\n\n## 第二篇标题\n\n\
             株洲日报(全媒体记者/刘平){long}\n"
        );
        let p = page(&text);
        let titles: Vec<&str> = p.stories.iter().map(|s| s.title.as_str()).collect();
        assert_eq!(titles, ["第一篇标题", "第二篇标题"]);
        assert!(p.stories[0].body.contains("## 一、小标题"));
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
    fn headline_inside_the_text_of_the_first_story() {
        let text = format!("{BODY_A}主标题写在这里\n——副题写在这里\n\n王 强\n\n{BODY_B}");
        let p = page(&text);
        assert_eq!(p.stories.len(), 1);
        let s = &p.stories[0];
        assert_eq!(s.title, "主标题写在这里");
        assert!(s.body.starts_with("今年以来") && s.body.ends_with("逐一交办落实。"));
        assert!(s.review.contains(&"headline-inside-text".to_string()));
    }

    #[test]
    fn headings_printed_apart_after_the_body_are_sections() {
        let text = format!("{BODY_A}{BODY_B}学习唱响铸魂歌\n\n创建唱响强基歌\n\n监管唱响清廉歌\n");
        let p = page(&text);
        assert_eq!(p.stories.len(), 1);
        let s = &p.stories[0];
        assert_eq!(s.title, "");
        assert!(
            s.body.ends_with("## 创建唱响强基歌\n\n## 监管唱响清廉歌"),
            "{}",
            s.body
        );
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

    const LONG_A: &str =
        "这是第一篇文章的正文段落，内容比较长，用来说明这是一行一个段落的版式，不是栏文本。";
    const LONG_B: &str =
        "这是第二篇文章的正文段落，同样比较长，用来说明这是一行一个段落的版式，没有截断。";

    #[test]
    fn lone_heading_after_a_body_starts_a_story() {
        let text = format!("第一篇标题\n\n张 伟\n\n{LONG_A}\n\n第二篇标题\n\n{LONG_B}\n");
        let p = page(&text);
        let titles: Vec<&str> = p.stories.iter().map(|s| s.title.as_str()).collect();
        assert_eq!(titles, ["第一篇标题", "第二篇标题"]);
    }

    #[test]
    fn headings_two_characters_short_are_sections_where_paragraphs_are_flush() {
        // 17-character column; every paragraph's first line is as wide as the column.
        let page_text = |heading_a: &str, heading_b: &str| {
            format!(
                "今年以来，某县纪委监委聚焦群众急难\n愁盼，把整治群众身边不正之风和腐败\n\
                 问题作为“一把手”工程，推动大治理。\n某县纪委监委建立问题线索快查快办机\n\
                 制，对涉及群众切身利益的问题线索优\n先处置、限时办结，受理线索八十七件。\n\
                 某县纪委监委还建立了问题线索台账制\n度，实行销号管理，确保件件有着落。\n\
                 {heading_a}\n全县共受理民生领域问题线索八十七件\n立案四十二件，给予党纪政务处分三十\n\
                 九人，督促退还群众资金一百五十万。\n某县纪委监委联合农业农村审计等部门\n\
                 对全县三百九十七个村的集体资产进行\n全面清查，清理规范合同一千二百份。\n\
                 {heading_b}\n某县纪委监委针对案件暴露出的问题向\n相关单位发出纪检监察建议书十五份，\n\
                 推动建章立制二十三项，督促职能部门\n开展惠民资金发放情况的回头看工作。\n\
                 小切口整治身边微腐败小切口整治身边微腐败\n（本报记者 彭程）\n"
            )
        };
        let p = page(&page_text(
            "精准发力，紧盯民生领域关键小事",
            "以案促改，织密制度建设的防护网",
        ));
        assert_eq!(p.stories.len(), 1, "{:#?}", p.stories);
        let s = &p.stories[0];
        assert_eq!(s.title, "小切口整治身边微腐败");
        assert!(
            s.body.contains("## 精准发力，紧盯民生领域关键小事"),
            "{}",
            s.body
        );
        assert!(
            s.body.contains("## 以案促改，织密制度建设的防护网"),
            "{}",
            s.body
        );

        // Where paragraphs start indented, such a line is a paragraph's first line.
        let indented = "今年以来，某县纪委监委聚焦群众急难\n愁盼，把整治群众身边不正之风和腐败\n\
             问题作为“一把手”工程，推动大治理。\n某县纪委监委建立问题线索快查\n\
             快办机制，对涉及群众切身利益的问题\n线索优先处置、限时办结，截至四月底\n\
             共受理线索八十七件。\n全县共受理民生领域问题线索八\n十七件，立案四十二件，给予党纪政务\n\
             处分三十九人，督促退还群众资金一百\n五十万元。\n某县纪委监委联合农业农村审\n\
             计等部门，对全县三百九十七个村的集\n体资产进行全面清查，清理规范合同一\n千二百余份。\n\
             小切口整治身边微腐败小切口整治身边微腐败\n（本报记者 彭程）\n";
        let p = page(indented);
        assert_eq!(p.stories.len(), 1, "{:#?}", p.stories);
        assert!(!p.stories[0].body.contains("## "), "{}", p.stories[0].body);
    }

    #[test]
    fn grouped_headings_are_sections() {
        let text =
            format!("第一篇标题\n\n{LONG_A}\n\n小标题一\n\n{LONG_B}\n\n小标题二\n\n{LONG_A}\n");
        let p = page(&text);
        assert_eq!(p.stories.len(), 1);
        assert!(
            p.stories[0].body.contains("## 小标题一") && p.stories[0].body.contains("## 小标题二")
        );
    }

    #[test]
    fn paragraph_page_headline_first() {
        let text = "标题在前\n\n——副题在这里\n\n王 强\n\n\
            这是第一段正文，内容比较长，用来说明这是一行一个段落的版式，不是栏文本，也不是标题。\n\n\
            小标题一\n\n\
            这是第二段正文，同样比较长，用来说明这是一行一个段落的版式，而且没有被截断，到此为止。\n\n\
            小标题二\n\n\
            这是第三段正文，同样比较长，用来说明这是一行一个段落的版式，而且没有被截断，到此为止。\n";
        let seg = segment(text, Some(Layout::Paragraph));
        let p = seg.page;
        assert_eq!(p.stories.len(), 1, "{:?}", seg.notes);
        let s = &p.stories[0];
        assert_eq!(s.title, "标题在前");
        assert_eq!(s.authors, ["王强"]);
        assert!(s.body.contains("\n\n## 小标题一\n\n"), "{}", s.body);
    }

    #[test]
    fn a_held_back_dateline_line_is_never_lost() {
        let story = |text: &str| {
            let p = page(text);
            assert_eq!(p.stories.len(), 1, "{:#?}", p.stories);
            p.stories[0].clone()
        };
        // The next line closes the credit: read whole.
        let s = story("本报讯 （记者 刘 洋 通讯员 王小\n\n红）5月16日，某县举行推介会。\n");
        assert_eq!(s.authors, ["刘洋", "王小红"]);
        assert_eq!(s.body, "5月16日，某县举行推介会。");
        // The next line does not close it: the held line goes into the text as printed.
        let s = story("本报讯 （记者 刘 洋 通讯员 王小\n\n红等人参加，某县举行推介会。\n");
        assert!(s.authors.is_empty(), "{:?}", s.authors);
        assert_eq!(
            s.body,
            "本报讯 （记者刘洋通讯员王小红等人参加，某县举行推介会。"
        );
        // The page ends on it: the line is the story's text.
        let p = page("标题在这里\n\n本报讯 （记者 刘 洋 通讯员 王小\n");
        let all: String = p.stories.iter().map(|s| s.body.clone()).collect();
        assert!(all.contains("记者刘洋通讯员王小"), "{p:#?}");
    }

    #[test]
    fn a_headline_with_no_text_is_not_an_article() {
        let text = "湘潭：一江碧水向北流湘潭：一江碧水向北流\n\n 7月11日，湘潭县花石镇的莲田里，\n\n\
            荷花竞相绽放，游客络绎不绝。今年，\n\n花石镇湘莲种植面积达2.8万亩，预计\n\n\
            产值超过6亿元。\n\n湘莲飘香富农家\n\n——湘潭县花石镇发展湘莲产业见闻\n";
        let p = page(text);
        assert_eq!(p.stories.len(), 1, "{:#?}", p.stories);
        assert_eq!(p.stories[0].title, "湘潭：一江碧水向北流");
        let unplaced: Vec<(&str, &str)> = (p.unplaced.iter())
            .map(|u| (u.text.as_str(), u.reason.as_str()))
            .collect();
        assert_eq!(
            unplaced,
            [
                ("湘莲飘香富农家", "headline with no story"),
                (
                    "湘潭县花石镇发展湘莲产业见闻",
                    "subtitle of a headline with no story"
                )
            ]
        );
        assert!(
            p.warnings
                .iter()
                .any(|w| w.message.starts_with("headline with no text")),
            "{:?}",
            p.warnings
        );
    }

    /// Every non-space character of `text` ends up somewhere in the page.
    fn all_kept(text: &str) {
        let p = page(text);
        let mut out = String::new();
        for s in &p.stories {
            out.push_str(&s.title);
            out.extend(s.kicker.iter().map(String::as_str));
            out.extend(s.subtitle.iter().map(String::as_str));
            out.push_str(&s.body);
        }
        for u in p.unplaced.iter().chain(&p.removed) {
            out.push_str(&u.text);
        }
        for c in ["上接", "本报讯", "一：", "实干担当·娄星篇"] {
            if text.contains(c) {
                assert!(out.contains(c), "{c} lost from {text:?}: {p:?}");
            }
        }
    }

    // Found by tests/reliability_fuzz.rs: these lost text.
    #[test]
    fn lone_subtitle_second_kicker_and_banner_in_sections_are_kept() {
        all_kept("——（上接1版①）");
        all_kept("——本报讯");
        all_kept("一：\n本报讯——\n一一一一一一一一一一一一一一一一一一一一一一本报讯本报讯");
        all_kept(
            "本报讯本报讯本报讯本报讯本报讯本报讯！\n（上接1版①） #\n本报讯\n实干担当·娄星篇\n",
        );
    }
}
