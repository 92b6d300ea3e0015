//! Layout detection: column text (short lines, headline after the body),
//! paragraph lines (one paragraph per line, headline first) or Markdown-ish
//! (`#` headings). Also the local column width used to spot short lines.
//!
//! It must NOT classify single lines or group them into stories.

use super::clean::is_wide_punct;
use super::lines::{Line, ends_paragraph};

/// The three page layouts ingest understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Every printed column line is its own line; headlines follow their body.
    Column,
    /// One paragraph per line; headline first.
    Paragraph,
    /// Paragraph lines with `#` headings.
    Markdown,
}

impl Layout {
    /// Headlines are printed before the body in this layout.
    pub fn headline_first(self) -> bool {
        self != Layout::Column
    }
}

/// Detect the layout of a page from its lines.
pub fn detect(lines: &[Line]) -> Layout {
    let text: Vec<&Line> = lines.iter().filter(|l| !l.text.is_empty()).collect();
    if text.iter().filter(|l| l.md_level > 0).count() >= 2 {
        return Layout::Markdown;
    }
    // Column lines hold 6–30 characters; only headlines, subtitles and
    // captions run longer. Paragraph pages have many long lines.
    let long = text.iter().filter(|l| l.width > 36.0).count();
    // A column never holds a whole long sentence on one line: two that end a paragraph make
    // a page of short paragraphs (an interview, briefs) paragraph text.
    let long_paragraphs = text
        .iter()
        .filter(|l| l.width > 36.0 && ends_paragraph(&l.text))
        .count();
    if !text.is_empty() && (long * 4 >= text.len() || long_paragraphs >= 2) {
        Layout::Paragraph
    } else {
        Layout::Column
    }
}

/// How far ahead (in lines, blanks included) the width scan looks.
const SCAN: usize = 40;

/// Typical column width at each line: the median width of the next eight
/// full text lines (lines that end a paragraph are short by nature and left
/// out, so are short lines without punctuation; the scan stops at anything
/// that is not text, e.g. a byline or subtitle); when there are too few,
/// the eight lines before. `is_text`
/// tells which lines are text (body or heading) rather than credits, markers…
pub fn local_widths(lines: &[Line], is_text: &[bool]) -> Vec<f32> {
    // Short lines without any punctuation are headings, not column lines
    // ("学习唱响铸魂歌").
    let column_line =
        |l: &Line| l.width >= 4.0 && (l.width >= 12.0 || l.text.chars().any(is_wide_punct));
    let idx: Vec<usize> = (0..lines.len())
        .filter(|i| column_line(&lines[*i]))
        .collect();
    (0..lines.len())
        .map(|i| {
            let pos = idx.partition_point(|j| *j <= i);
            let mut ahead: Vec<usize> = Vec::new();
            for (j, line) in lines.iter().enumerate().skip(i + 1).take(SCAN) {
                if line.text.is_empty() {
                    continue;
                }
                if !is_text.get(j).copied().unwrap_or(false) || ahead.len() == 8 {
                    break;
                }
                if column_line(line) && !ends_paragraph(&line.text) {
                    ahead.push(j);
                }
            }
            if ahead.len() >= 2 {
                median(&ahead, lines)
            } else {
                median(&idx[pos.saturating_sub(9)..pos.saturating_sub(1)], lines)
            }
        })
        .collect()
}

fn median(window: &[usize], lines: &[Line]) -> f32 {
    let mut w: Vec<f32> = window.iter().map(|j| lines[*j].width).collect();
    w.sort_by(f32::total_cmp);
    w.get(w.len() / 2).copied().unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::lines::split_lines;

    #[test]
    fn detects_layouts() {
        let column =
            "省委常委、市委书记谢卫江强调把保\n\n靖县作为岳阳市推进乡村全面振兴的\n\n工作。\n";
        assert_eq!(detect(&split_lines(column)), Layout::Column);
        let para = "整治群众身边不正之风和腐败问题，是老百姓期盼的实事，是关系党的执政根基的大事。\n\n这项由区委、区政府高位推动的整治工作，聚焦群众急难愁盼，通过办案开路、精准监督、系统治理。\n";
        assert_eq!(detect(&split_lines(para)), Layout::Paragraph);
        let md = "## 标题一\n\n正文。\n\n## 标题二\n\n正文。\n";
        assert_eq!(detect(&split_lines(md)), Layout::Markdown);
        // Mostly short paragraphs: two long lines that end sentences are enough; two long
        // lines that do not (a long headline, a caption) are not.
        let long = "整治群众身边不正之风和腐败问题，是老百姓期盼的实事，是关系党的执政根基的大事。";
        let short =
            "记者：下一步有何打算？\n刘芳：增设充电桩。\n记者：还有呢？\n刘芳：适老化设施。\n";
        let page = format!("{long}\n{short}{long}\n{short}");
        assert_eq!(detect(&split_lines(&page)), Layout::Paragraph);
        let unended = long.trim_end_matches('。');
        let page = format!("{unended}\n{short}{unended}\n{short}");
        assert_eq!(detect(&split_lines(&page)), Layout::Column);
    }

    #[test]
    fn local_width_is_median() {
        let text = "一二三四五\n一二三四，六七八九十\n一二三四，六七八九十\n一二三四，六七八九十\n";
        let lines = split_lines(text);
        assert_eq!(local_widths(&lines, &[true; 4])[0], 10.0);
    }
}
