//! The small serialisable pieces templates receive: links, article summaries
//! for lists, the pagination bar, dates in the site's language. Pure data
//! conversion; must not render or write.

use std::borrow::Cow;
use std::sync::OnceLock;

use serde::Serialize;

use crate::classify::gazetteer::DivisionId;
use crate::content::{Article, Date};
use crate::site::paginate::Pager;
use crate::site::{ArticleId, Site};

use super::{RenderError, Renderer};

/// A labelled link, optionally with a count.
#[derive(Debug, Clone, Serialize)]
pub struct Link {
    pub name: String,
    pub url: String,
    pub count: usize,
    /// The count in words (`12 篇`).
    pub count_text: String,
}

/// One article as list pages, prev/next and related lists show it. It borrows
/// the article's text and holds its tags as shared template values (see
/// [`SharedValues`]), so the many lists an article appears in copy little.
#[derive(Debug, Clone, Serialize)]
pub struct ArticleItem<'a> {
    pub url: String,
    /// The title, or the "untitled"/"continued" label when it is empty.
    pub title: Cow<'a, str>,
    /// True when `title` is a label, not the article's own title.
    pub untitled: bool,
    pub continuation: bool,
    pub kicker: &'a str,
    pub subtitle: &'a str,
    pub column: &'a str,
    pub authors: &'a [String],
    /// `YYYY-MM-DD` or empty.
    pub date: String,
    /// The date in the site's language, or the "undated" label.
    pub date_text: String,
    pub summary: &'a str,
    /// [`Link`]s (count 0) of the article's regions.
    pub regions: Vec<tera::Value>,
    /// [`Link`]s (count 0) of the article's topics that the vocabulary knows.
    pub topics: Vec<tera::Value>,
}

/// Memory the item memo ([`Renderer::item_value`]) and the entry memo
/// ([`Renderer::entry_value`]) may take by default: ~1.5 KB an article for its item (a map of
/// 14 values, the summary) and as much for its entry's HTML, so archives up to ~120k articles
/// memoize them and a 1M archive stays within its memory bound.
pub const ITEM_MEMO_BYTES: usize = 384 << 20;

/// Whether every article's item (and, with `entries`, its rendered entry) fits `budget`
/// bytes, estimated as the strings an item copies (summary, URL, title) and ~1 KB for its
/// map and short values, and for an entry the same strings and ~1 KB of markup.
pub fn memo_fits(site: &Site<'_>, budget: usize, entries: bool) -> bool {
    let copies = if entries { 2 } else { 1 };
    let estimate: usize = (site.articles.iter())
        .map(|a| copies * (1024 + a.summary.len() + a.permalink.len() + a.meta.title.len()))
        .sum();
    estimate <= budget
}

/// Template values made at most once per build and shared by every item that
/// shows them: the count-0 link of each division and topic (cloning a tera
/// value copies a pointer), and the date format taken apart once.
pub(super) struct SharedValues {
    regions: Vec<OnceLock<tera::Value>>,
    topics: Vec<OnceLock<tera::Value>>,
    date_format: DatePattern,
    month_names: Vec<String>,
}

impl SharedValues {
    pub(super) fn new(site: &Site<'_>, strings: &toml::Table) -> SharedValues {
        let month_names = (1..=12)
            .map(|m| {
                strings
                    .get("month_names")
                    .and_then(|v| v.as_array())
                    .and_then(|a| a.get(m - 1))
                    .and_then(|v| v.as_str())
                    .map_or_else(|| m.to_string(), str::to_string)
            })
            .collect();
        let format = strings.get("date_format").and_then(|v| v.as_str());
        SharedValues {
            regions: site
                .gazetteer
                .all()
                .iter()
                .map(|_| OnceLock::new())
                .collect(),
            topics: site.config.topics.iter().map(|_| OnceLock::new()).collect(),
            date_format: DatePattern::parse(format.unwrap_or_default()),
            month_names,
        }
    }
}

/// A date format (`{y}年{m}月{d}日`) split into literal text and fields once,
/// so filling it in costs one string.
#[derive(Debug, Clone, PartialEq)]
enum DatePiece {
    Text(String),
    Year,
    Month,
    Month2,
    Day,
    MonthName,
}

#[derive(Debug, Clone, PartialEq)]
struct DatePattern(Vec<DatePiece>);

impl DatePattern {
    /// Splits `fmt` at `{y}`, `{m}`, `{mm}`, `{d}` and `{month}`; anything else is text.
    fn parse(fmt: &str) -> DatePattern {
        const FIELDS: [(&str, DatePiece); 5] = [
            ("{y}", DatePiece::Year),
            ("{mm}", DatePiece::Month2),
            ("{m}", DatePiece::Month),
            ("{d}", DatePiece::Day),
            ("{month}", DatePiece::MonthName),
        ];
        let mut pieces = Vec::new();
        let mut text = String::new();
        let mut rest = fmt;
        while let Some(c) = rest.chars().next() {
            match FIELDS.iter().find(|(tag, _)| rest.starts_with(tag)) {
                Some((tag, piece)) => {
                    if !text.is_empty() {
                        pieces.push(DatePiece::Text(std::mem::take(&mut text)));
                    }
                    pieces.push(piece.clone());
                    rest = &rest[tag.len()..];
                }
                None => {
                    text.push(c);
                    rest = &rest[c.len_utf8()..];
                }
            }
        }
        if !text.is_empty() {
            pieces.push(DatePiece::Text(text));
        }
        DatePattern(pieces)
    }

    fn fill(&self, y: i32, m: u32, d: u32, month_names: &[String]) -> String {
        use std::fmt::Write;
        let mut out = String::with_capacity(24);
        for piece in &self.0 {
            // Writing into a String cannot fail.
            let _ = match piece {
                DatePiece::Text(t) => out.write_str(t),
                DatePiece::Year => write!(out, "{y}"),
                DatePiece::Month => write!(out, "{m}"),
                DatePiece::Month2 => write!(out, "{m:02}"),
                DatePiece::Day => write!(out, "{d}"),
                DatePiece::MonthName => match month_names.get((m as usize).wrapping_sub(1)) {
                    Some(name) => out.write_str(name),
                    None => write!(out, "{m}"),
                },
            };
        }
        out
    }
}

/// One entry of the page-number bar: a page or a gap (`…`).
#[derive(Debug, Clone, Serialize)]
pub struct PageLink {
    pub number: usize,
    pub url: String,
    pub current: bool,
    pub gap: bool,
}

/// The pagination bar of a list page.
#[derive(Debug, Clone, Serialize)]
pub struct PagerView {
    pub number: usize,
    pub total_pages: usize,
    pub total_items: usize,
    pub first_item: usize,
    pub last_item: usize,
    /// `第 1–20 篇，共 41 篇`.
    pub range_text: String,
    /// Links, empty when there is none.
    pub prev: String,
    pub next: String,
    /// A window of page numbers around the current one, with gaps.
    pub pages: Vec<PageLink>,
}

impl PagerView {
    pub fn new(r: &Renderer<'_>, p: &Pager, total_items: usize) -> PagerView {
        let base = p
            .url
            .rsplit_once("page/")
            .map_or(p.url.as_str(), |(b, _)| b);
        let pages = page_window(p.number, p.total_pages)
            .into_iter()
            .map(|n| match n {
                Some(n) => PageLink {
                    number: n,
                    url: r.href(&crate::site::paginate::page_url(
                        base,
                        n,
                        r.site.config.page_urls,
                    )),
                    current: n == p.number,
                    gap: false,
                },
                None => PageLink {
                    number: 0,
                    url: String::new(),
                    current: false,
                    gap: true,
                },
            })
            .collect();
        let first_item = if total_items == 0 { 0 } else { p.start + 1 };
        PagerView {
            range_text: r
                .s("showing")
                .replace("{from}", &first_item.to_string())
                .replace("{to}", &p.end.to_string())
                .replace("{total}", &total_items.to_string()),
            number: p.number,
            total_pages: p.total_pages,
            total_items,
            first_item,
            last_item: p.end,
            prev: p.prev.as_deref().map(|u| r.href(u)).unwrap_or_default(),
            next: p.next.as_deref().map(|u| r.href(u)).unwrap_or_default(),
            pages,
        }
    }
}

/// The page numbers to show for page `number` of `total`: the first, the
/// last and two either side of the current one; `None` marks a gap (`…`)
/// of two or more pages (a gap of one shows that page instead).
pub fn page_window(number: usize, total: usize) -> Vec<Option<usize>> {
    let mut wanted: Vec<usize> = vec![1, total];
    wanted.extend((number.saturating_sub(2)..=number + 2).filter(|&n| n >= 1 && n <= total));
    wanted.sort_unstable();
    wanted.dedup();
    let mut out = Vec::new();
    let mut last = 0;
    for n in wanted {
        if n == last + 2 {
            out.push(Some(last + 1));
        } else if n > last + 2 {
            out.push(None);
        }
        out.push(Some(n));
        last = n;
    }
    out
}

impl<'a> Renderer<'a> {
    /// A link with its count in words.
    pub fn link(&self, name: String, url: String, count: usize) -> Link {
        Link {
            count_text: self.count_text(count),
            name,
            url,
            count,
        }
    }

    /// `{n} 篇` (or the singular form for 1).
    pub fn count_text(&self, n: usize) -> String {
        let key = if n == 1 { "n_article" } else { "n_articles" };
        self.s(key).replace("{n}", &n.to_string())
    }

    /// A string from the strings table (empty when missing).
    pub fn s(&self, key: &str) -> String {
        self.theme
            .strings
            .get(key)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string()
    }

    /// `date_format` with `{y}`, `{m}`, `{d}` and `{month}` (month name) filled in.
    pub fn date_text(&self, d: Option<Date>) -> String {
        let shared = &self.shared;
        match d {
            Some(d) => (shared.date_format).fill(d.year, d.month, d.day, &shared.month_names),
            None => self.s("undated"),
        }
    }

    /// `month_format` for a year and month.
    pub fn month_text(&self, year: i32, month: u32) -> String {
        self.fill_date(&self.s("month_format"), year, month, 1)
    }

    /// `year_format` for a year.
    pub fn year_text(&self, year: i32) -> String {
        self.fill_date(&self.s("year_format"), year, 1, 1)
    }

    /// Short month label for charts.
    pub fn month_short(&self, month: u32) -> String {
        self.shared.month_names[month.clamp(1, 12) as usize - 1].clone()
    }

    fn fill_date(&self, fmt: &str, y: i32, m: u32, d: u32) -> String {
        DatePattern::parse(fmt).fill(y, m, d, &self.shared.month_names)
    }

    /// The link of a division's page.
    pub fn region_link(&self, id: DivisionId, count: usize) -> Link {
        let d = self.site.gazetteer.get(id);
        self.link(d.name.clone(), self.href(&region_url(&d.url_path)), count)
    }

    /// The link of a topic's page (its display name from the vocabulary).
    pub fn topic_link(&self, slug: &str, count: usize) -> Link {
        let name = self
            .site
            .config
            .topic(slug)
            .map_or_else(|| slug.to_string(), |t| t.name.clone());
        self.link(name, self.href(&topic_url(slug)), count)
    }

    /// Title shown for an article: its own, or a label when it has none.
    pub fn display_title(&self, a: &Article) -> (String, bool) {
        let (t, untitled) = self.title_of(a);
        (t.into_owned(), untitled)
    }

    /// [`Self::display_title`], borrowed.
    fn title_of<'b>(&self, a: &'b Article) -> (Cow<'b, str>, bool) {
        let t = a.meta.title.trim();
        if !t.is_empty() {
            (Cow::Borrowed(t), false)
        } else if a.meta.continuation {
            (Cow::Owned(self.s("continued_title")), true)
        } else {
            (Cow::Owned(self.s("untitled")), true)
        }
    }

    /// The shared count-0 link of a division, as a template value.
    pub(super) fn region_value(&self, id: DivisionId) -> tera::Value {
        self.shared.regions[id as usize]
            .get_or_init(|| tera::Value::from_serializable(&self.region_link(id, 0)))
            .clone()
    }

    /// The shared count-0 link of a topic of the vocabulary, as a template value.
    fn topic_value(&self, slug: &str) -> Option<tera::Value> {
        let topics = &self.site.config.topics;
        let i = topics.iter().position(|t| t.slug == slug)?;
        let value = self.shared.topics[i]
            .get_or_init(|| tera::Value::from_serializable(&self.topic_link(slug, 0)));
        Some(value.clone())
    }

    /// The list item of an article.
    pub fn item(&self, id: ArticleId) -> ArticleItem<'a> {
        let site: &'a Site<'a> = self.site;
        let a = &site.articles[id as usize];
        let (title, untitled) = self.title_of(a);
        let m = &a.meta;
        ArticleItem {
            url: self.href(&a.permalink),
            title,
            untitled,
            continuation: m.continuation,
            kicker: m.kicker.as_deref().unwrap_or_default(),
            subtitle: m.subtitle.as_deref().unwrap_or_default(),
            column: m.column.as_deref().unwrap_or_default(),
            authors: &m.authors,
            date: m.date.map(|d| d.iso()).unwrap_or_default(),
            date_text: self.date_text(m.date),
            summary: &a.summary,
            regions: (self.site.article_regions(id).into_iter())
                .map(|r| self.region_value(r))
                .collect(),
            topics: m
                .topics
                .iter()
                .filter_map(|t| self.topic_value(t))
                .collect(),
        }
    }

    /// The list item of article `id` as a template value: made once per build when the
    /// memo fits (an article is in ~6 lists and beside or related to ~7 other articles, so
    /// this saves a tenth of a first build's CPU at 100k articles), else made each time.
    pub fn item_value(&self, id: ArticleId) -> tera::Value {
        let make = || tera::Value::from_serializable(&self.item(id));
        match self.item_values.get(id as usize) {
            Some(memo) => memo.get_or_init(make).clone(),
            None => make(),
        }
    }

    /// The theme's `entry.html` rendered for article `id` (its item as `a`), as a safe
    /// string: made once per build when the memo fits, so a list page prints each entry
    /// instead of running the template's markup for it again (an article is in ~6 lists).
    /// `url` names the page being rendered in an error.
    pub fn entry_value(&self, id: ArticleId, url: &str) -> Result<tera::Value, RenderError> {
        let memo = self.entry_values.get(id as usize);
        if let Some(done) = memo.and_then(|m| m.get()) {
            return Ok(done.clone());
        }
        let mut ctx = tera::Context::new();
        ctx.insert("a", &self.item_value(id));
        let html = (self.tera)
            .render("entry.html", &ctx)
            .map_err(|e| self.theme.error(e, url))?;
        let value = tera::Value::safe_string(&html);
        Ok(match memo {
            Some(m) => m.get_or_init(|| value).clone(),
            None => value,
        })
    }

    /// The entries ([`Self::entry_value`]) of a slice of article ids, as one template value.
    pub fn entries(&self, ids: &[ArticleId], url: &str) -> Result<tera::Value, RenderError> {
        let entries = (ids.iter())
            .map(|&id| self.entry_value(id, url))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(tera::Value::from(entries))
    }

    /// List items of a slice of article ids, as one template value.
    pub fn items(&self, ids: &[ArticleId]) -> tera::Value {
        tera::Value::from(
            ids.iter()
                .map(|&id| self.item_value(id))
                .collect::<Vec<_>>(),
        )
    }

    /// What stands for `self.items(ids)` in a page's cache key: one digest
    /// per item, of what the item is made of — the article's front matter and
    /// summary ([`crate::content::Article::head_hash`]) and its permalink;
    /// everything else an item holds comes from the configuration, the strings
    /// and the gazetteer, which the site fingerprint covers — so an unchanged
    /// page costs neither items nor template values.
    pub fn items_key(&self, ids: &[ArticleId]) -> Vec<u8> {
        let mut out = Vec::with_capacity(ids.len() * 16);
        for &id in ids {
            let digest = self.item_digests[id as usize].get_or_init(|| {
                let a = &self.site.articles[id as usize];
                // One-shot: a streaming hasher costs more to set up than to run here.
                const TAG: &[u8] = b"folio-item v3\0";
                let mut m = Vec::with_capacity(TAG.len() + 16 + a.permalink.len());
                m.extend_from_slice(TAG);
                m.extend_from_slice(&a.head_hash);
                m.extend_from_slice(a.permalink.as_bytes());
                xxhash_rust::xxh3::xxh3_128(&m).to_le_bytes()
            });
            out.extend_from_slice(digest);
        }
        out
    }
}

/// Site-relative URL of a division's page.
pub fn region_url(url_path: &str) -> String {
    format!("/regions/{}/", crate::content::url_path(url_path))
}

/// Site-relative URL of a topic's page.
pub fn topic_url(slug: &str) -> String {
    format!("/topics/{}/", crate::content::url_path(slug))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_pattern_fills_every_field_once() {
        let months: Vec<String> = ["Jan", "Feb", "Mar"].map(String::from).to_vec();
        let fill = |fmt: &str| DatePattern::parse(fmt).fill(1987, 3, 7, &months);
        assert_eq!(fill("{y}年{m}月{d}日"), "1987年3月7日");
        assert_eq!(fill("{y}-{mm}-{d}"), "1987-03-7");
        assert_eq!(fill("{month} {d}, {y}"), "Mar 7, 1987");
        // Unknown or broken placeholders stay text.
        assert_eq!(fill("{x}{y}{"), "{x}1987{");
        assert_eq!(fill(""), "");
        assert_eq!(
            DatePattern::parse("第{d}日").0,
            vec![
                DatePiece::Text("第".into()),
                DatePiece::Day,
                DatePiece::Text("日".into())
            ]
        );
    }

    #[test]
    fn page_window_has_ends_and_gaps() {
        assert_eq!(page_window(1, 1), vec![Some(1)]);
        assert_eq!(
            page_window(1, 5),
            vec![Some(1), Some(2), Some(3), Some(4), Some(5)]
        );
        assert_eq!(
            page_window(1, 6),
            vec![Some(1), Some(2), Some(3), None, Some(6)]
        );
        assert_eq!(
            page_window(10, 50),
            vec![
                Some(1),
                None,
                Some(8),
                Some(9),
                Some(10),
                Some(11),
                Some(12),
                None,
                Some(50)
            ]
        );
        assert_eq!(
            page_window(4, 5),
            vec![Some(1), Some(2), Some(3), Some(4), Some(5)]
        );
    }
}
