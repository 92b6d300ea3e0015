//! Headline blocks: gathering the lines of a block (kicker, title, subtitle,
//! byline, caption, banner), deciding whether it heads a story or is a
//! section heading, and assigning its parts to the right story.
//!
//! It must NOT decide whether a single line looks like a heading (that is
//! `heading.rs`).

use super::{MAX_BOX, Segmenter, clean_text_removed, credit_names};
use crate::ingest::Unplaced;
use crate::ingest::Warning;
use crate::ingest::byline::tidy_credit;
use crate::ingest::clean::{clean_body, clean_headline_spaces, collapse_doubled, visible_len};
use crate::ingest::layout::Layout;
use crate::ingest::lines::{Kind, ends_paragraph, heading_shape, is_story_part_label};

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

/// The parts of a headline block, each with its first line number.
#[derive(Default)]
struct Parts {
    plain: Vec<(String, usize)>,
    kicker: Option<(String, usize)>,
    subtitle: Option<(String, usize)>,
    touched: Vec<usize>,
    credits: Vec<(String, Vec<String>, usize)>,
    captions: Vec<(String, usize)>,
}

impl Segmenter<'_> {
    /// Gather and interpret a headline block starting at `i`.
    pub(super) fn headline_block(&mut self, i: usize) -> usize {
        self.block_reason = match self.kinds[i].0 {
            Kind::Subtitle => "a \"——\" subtitle line",
            _ => self.heading_reason(i, true).unwrap_or("heading"),
        };
        let (units, end) = self.gather_units(i);
        self.interpret(units, i, end);
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
                                    || self.title_after_kicker(&units, j)
                                    || self.further_deck_line(&units, j)
                                    // Bold type extracted twice: the headline itself.
                                    || crate::ingest::lines::printed_twice(&line.text)
                                    || repeats_heading(&units, &line.text)))) =>
                {
                    let n = if line.md_level > 0
                        || (j != start && repeats_heading(&units, &line.text))
                    {
                        1
                    } else {
                        self.body_box_len(j)
                    };
                    let md = line.md_level;
                    // A text box opening with a short "…：" line holds a
                    // kicker above the title ("桑植县白石乡：" / "“小蜜蜂”…").
                    let first = self.lines[j].text.trim_end();
                    if n >= 2
                        && first.ends_with(['：', ':'])
                        && visible_len(&clean_body(first)) <= 20
                    {
                        units.push(Unit::Heading {
                            text: self.lines[j].text.clone(),
                            md,
                            lines: vec![self.lines[j].no],
                        });
                        j += 1;
                        continue;
                    }
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
                        raw: tidy_credit(&text, &names),
                        names,
                        line: no,
                    });
                    seen_tail = true;
                    j += 1;
                }
                Kind::Caption => {
                    units.push(Unit::Caption {
                        // Captions are sentences: no word separators kept.
                        text: clean_body(&text),
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

    /// Column text: a further line of a headline printed over several short lines after the
    /// text it heads ("以温泉为媒" / "汝城热水镇" / "奏响富民曲"). Each line is short and clearly
    /// shorter than the column, and no text follows the block (a caption, a credit, a marker
    /// or the page end does): a short line above text may be the next story's headline.
    fn further_deck_line(&self, units: &[Unit], j: usize) -> bool {
        let closes_above = !self.layout.headline_first()
            && self
                .cur
                .as_ref()
                .is_some_and(|d| d.has_body() && !d.has_headline && !d.story.continuation);
        let only_short_headings = units.len() < 3
            && units.iter().all(|u| {
                matches!(u, Unit::Heading { text, lines, .. }
                    if lines.len() == 1 && visible_len(&clean_body(text)) <= 12)
            });
        if !closes_above || units.is_empty() || !only_short_headings {
            return false;
        }
        let deck = |k: usize| {
            let line = &self.lines[k];
            let col = self.widths[k];
            self.kinds[k].0 == Kind::Text
                && !line.lead_space
                && !line.justified
                && line.md_level == 0
                && line.width < (col - 4.0).min(col * 0.8)
                && (2..=12).contains(&visible_len(&clean_body(&line.text)))
                && heading_shape(&line.text)
        };
        if !deck(j) {
            return false;
        }
        // The rest of the block (up to three lines in all), then what follows it.
        let mut k = j + 1;
        let mut lines_in_block = units.len() + 1;
        loop {
            while k < self.lines.len() && self.kinds[k].0 == Kind::Blank {
                k += 1;
            }
            if k < self.lines.len() && lines_in_block < 3 && deck(k) {
                lines_in_block += 1;
                k += 1;
                continue;
            }
            break;
        }
        k >= self.lines.len() || self.kinds[k].0 != Kind::Text
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
            // The last character of a full-width line, wrapped onto a line of its own
            // ("——郴州…消费季启" / "动").
            let prev = &self.lines[i + n - 1];
            if self.kinds[i + n].0 == Kind::Fragment
                && !next.lead_space
                && prev.width >= self.widths[i + n - 1] - 1.5
                && !ends_paragraph(&prev.text)
            {
                n += 1;
                break;
            }
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

    fn interpret(&mut self, units: Vec<Unit>, first: usize, end: usize) {
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
        // "###" is a section heading; so is "##" under a "#" headline when no
        // byline or dateline follows it (Markdown levels are used loosely).
        let story_md = self.cur.as_ref().map_or(0, |d| d.headline_md);
        let below_headline = story_md >= 1
            && md_levels.first().is_some_and(|m| *m > story_md)
            && !self.dateline_follows(end);
        let section_md = md_levels.iter().all(|m| *m == 0 || *m >= 3) || below_headline;
        let after_caption = self.prev_kind(first) == Some(Kind::Caption);
        let headline_above_body = self
            .cur
            .as_ref()
            .is_some_and(|d| d.headline_above && d.has_body() && !d.closed);
        let grouped = headings.len() >= 2 || self.in_section_group(first);
        // A story bylined at its top whose text after the heading ends with a closing byline:
        // that text is a story of its own (no story has two bylines).
        let next_story_bylined = self
            .cur
            .as_ref()
            .is_some_and(|d| !d.story.authors.is_empty())
            && self.closing_byline_ahead(first);
        let sections = match self.layout {
            Layout::Column => {
                plain
                    && !after_caption
                    && grouped
                    && (open_body || (headline_above_body && headings.len() == 1))
                    // Section headings lead into more text; a block followed by a closing
                    // byline is the headline of the story above.
                    && !self.closing_credit_follows(end)
                    && !next_story_bylined
            }
            _ => {
                plain
                    && headings.len() == 1
                    && section_md
                    && cur_has_content
                    && (md_levels[0] >= 3
                        || below_headline
                        || (grouped
                            // A dateline ("本报5月8日讯（记者…）") or byline opens a story,
                            // never a section.
                            && !self.dateline_follows(end)
                            && !next_story_bylined))
            }
        };
        // "记者手记" and the like head a part of the story above, never a story of their own.
        let story_part_label = headings.len() == 1
            && cur_has_content
            && !has_tail
            && matches!(headings[0], Unit::Heading { text, .. } if is_story_part_label(text));
        if sections || story_part_label {
            self.attach_sections(units);
            return;
        }
        // Markdown: a heading directly followed by a more important heading is
        // a column name ("### 爱在人间" above "## …"), unless it ends with a
        // colon or dash ("### 衡东县：" is a kicker, kept in the block).
        let mut units = units;
        let kicker_shaped = matches!(units.first(), Some(Unit::Heading { text, .. })
            if text.trim_end().ends_with(['：', ':']) || text.trim_end().ends_with("——"));
        if md_levels.len() >= 2 && md_levels[0] > md_levels[1] && md_levels[1] > 0 && !kicker_shaped
        {
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
        // A story continued from another page ("（上接1版）…") has its headline there: a block
        // after its text heads the text that follows.
        let attach_to_current = !self.layout.headline_first()
            && self
                .cur
                .as_ref()
                .is_some_and(|d| d.has_body() && !d.has_headline && !d.story.continuation);
        if !attach_to_current {
            self.take_lone_kicker(&mut units);
            self.start_story();
        }
        self.attach_headline(units, attach_to_current);
    }

    /// A story that is nothing but a one-line headline, followed directly by another
    /// headline block, was that block's kicker printed apart ("聚焦县域经济高质量发展" above
    /// "长沙县：…" and its byline): the story is dropped and its line leads `units`.
    fn take_lone_kicker(&mut self, units: &mut Vec<Unit>) {
        let lone = self.cur.as_ref().is_some_and(|d| {
            let s = &d.story;
            d.has_headline
                && !d.has_body()
                && !s.title.is_empty()
                && visible_len(&s.title) <= 24
                && s.lines.0 == s.lines.1
                && s.kicker.is_none()
                && s.subtitle.is_none()
                && s.authors.is_empty()
                && s.credits.is_empty()
                && s.captions.is_empty()
                && !s.continuation
        });
        if !lone || !matches!(units.first(), Some(Unit::Heading { .. })) {
            return;
        }
        let Some(d) = self.cur.take() else {
            return;
        };
        // The column the dropped story took goes to the next one.
        if d.story.column.is_some() && d.story.column != self.page_column {
            self.pending_column = d.story.column;
        }
        units.insert(
            0,
            Unit::Heading {
                text: d.story.title,
                md: d.headline_md,
                lines: vec![d.story.lines.0],
            },
        );
    }

    fn attach_sections(&mut self, units: Vec<Unit>) {
        for u in units {
            let (text, lines) = match u {
                Unit::Heading { text, lines, .. } => (text, lines),
                // Only headings become section headings; any other unit of
                // the block is kept as unplaced text, never dropped.
                Unit::Subtitle { text, lines } => {
                    let line = lines.first().copied().unwrap_or(0);
                    self.place_unplaced(line, text, "not a section heading");
                    continue;
                }
                Unit::Credit {
                    raw: text, line, ..
                }
                | Unit::Caption { text, line }
                | Unit::Banner { text, line } => {
                    self.place_unplaced(line, text, "not a section heading");
                    continue;
                }
            };
            let cleaned = self.clean_heading(&text, lines[0]);
            for no in &lines {
                let idx = self.line_idx(*no);
                self.notes[idx] = format!(
                    "heading ({}) inside an open story → section heading",
                    self.block_reason
                );
            }
            let d = self.current();
            for no in &lines {
                d.touch(*no);
            }
            d.push_heading(cleaned);
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

    /// Sort the units of a headline block into kicker, plain headline lines,
    /// subtitle, credits and captions (banners become the current story's
    /// column right away). Dashes and doubled text removed are recorded.
    fn split_parts(&mut self, units: Vec<Unit>) -> Parts {
        let mut parts = Parts::default();
        let Parts {
            plain,
            kicker,
            subtitle,
            touched,
            credits,
            captions,
        } = &mut parts;
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
                        let new = (self.clean_heading(core, lines[0]), lines[0]);
                        // A second kicker: the first one becomes a plain line
                        // (never dropped).
                        if let Some(old) = kicker.replace(new) {
                            plain.push(old);
                        }
                    } else if (t.ends_with('：') || t.ends_with(':')) && kicker.is_none() {
                        *kicker = Some((self.clean_heading(t, lines[0]), lines[0]));
                    } else {
                        plain.push((self.clean_heading(t, lines[0]), lines[0]));
                    }
                }
                Unit::Subtitle { text, lines } => {
                    touched.extend(&lines);
                    // Doubled bold type doubles the dash too ("——X——X").
                    let (undoubled, doubled) = collapse_doubled(&clean_headline_spaces(&text));
                    for r in doubled {
                        self.removed.push(Unplaced {
                            line: lines[0],
                            text: r,
                            reason: "doubled bold text".into(),
                        });
                    }
                    let t = undoubled.trim();
                    let core = t.trim_start_matches(['—', '-', '－', ' ']);
                    self.removed.push(Unplaced {
                        line: lines[0],
                        text: t[..t.len() - core.len()].into(),
                        reason: "subtitle dash".into(),
                    });
                    let cleaned = self.clean_heading(core, lines[0]);
                    match subtitle {
                        Some((s, _)) => s.push_str(&cleaned),
                        None => *subtitle = Some((cleaned, lines[0])),
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
        parts
    }

    fn attach_headline(&mut self, units: Vec<Unit>, after_body: bool) {
        let md = units
            .iter()
            .find_map(|u| match u {
                Unit::Heading { md, .. } if *md > 0 => Some(*md),
                _ => None,
            })
            .unwrap_or(0);
        if let Some(d) = self.cur.as_mut() {
            d.headline_md = md;
        }
        let Parts {
            mut plain,
            mut kicker,
            subtitle,
            touched,
            credits,
            captions,
        } = self.split_parts(units);
        // A headline printed twice on lines of its own (bold type extracted twice): once.
        let mut k = 1;
        while k < plain.len() {
            if plain[k].0 == plain[k - 1].0 {
                let (text, line) = plain.remove(k);
                self.removed.push(Unplaced {
                    line,
                    text,
                    reason: "doubled bold text".into(),
                });
            } else {
                k += 1;
            }
        }
        let ambiguous = plain.len() >= 2 && kicker.is_none() && subtitle.is_none();
        if kicker.is_none() && plain.len() >= 2 {
            kicker = Some(plain.remove(0));
        }
        let mut title = if plain.is_empty() {
            None
        } else {
            Some(plain.remove(0))
        };
        // More plain lines than a kicker and a title: a headline printed over several
        // short lines; the rest continues the title.
        let short = |t: &str| visible_len(t) <= 12;
        let mut extra = plain;
        if let Some((t, _)) = title.as_mut()
            && short(t)
            && extra.iter().all(|(e, _)| short(e))
        {
            for (e, _) in extra.drain(..) {
                t.push(' ');
                t.push_str(&e);
            }
        }
        // A headline block with no story to attach to (e.g. a lone
        // "——subtitle" line) starts one: dropping it would lose text.
        let d = self.current();
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
                format!(
                    "heading block ({}) after a body (column layout) → headline of the story above",
                    self.block_reason
                )
            } else {
                format!(
                    "heading block ({}) → headline of a new story",
                    self.block_reason
                )
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
            d.byline_under_headline = d.has_headline;
        }
    }
}

/// The line repeats a heading line already in the block: bold type extracted twice, the copy
/// on a line of its own (read once, the copy listed as removed).
fn repeats_heading(units: &[Unit], line: &str) -> bool {
    let line = clean_body(line);
    !line.is_empty()
        && units
            .iter()
            .any(|u| matches!(u, Unit::Heading { text, .. } if clean_body(text) == line))
}
