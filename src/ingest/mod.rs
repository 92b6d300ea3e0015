//! Ingest engine: raw newspaper page text → stories (title, kicker, subtitle,
//! authors, captions, cleaned Markdown body), plus the text it could not place.
//!
//! The engine is pure functions: it must NOT do file I/O, know about front
//! matter, TOML or config, or assign regions/topics. The one exception is
//! [`run`], the `folio ingest` driver, which does all of that around the engine.
//!
//! Accounting contract (what `tests/ingest_no_loss.rs` proves): every
//! non-space character of the page text appears in exactly one of: a story's
//! `title`, `kicker`, `subtitle`, `credits`, `captions`, `body` (without the
//! `## ` heading markers), an `unplaced` entry, or a `removed` entry (text the
//! documented cleanup drops: doubled bold text, subtitle/kicker dashes).
//! `authors`, `author_affiliation`, `column` and `continued_on` are derived from counted
//! text (`credits`, unplaced banners and jump markers) and are not counted again. Punctuation is
//! compared after ASCII → full-width normalisation (straight and curly double
//! quotes count as one kind, "." as "。"); `#` Markdown markers and the `\` hard
//! line breaks that keep a poem's lines apart are not counted.

pub mod byline;
pub mod clean;
pub mod date;
pub mod decode;
pub mod explain;
pub mod layout;
pub mod lines;
pub mod run;
pub mod segment;

pub use clean::clean_text;
pub use decode::{DecodeError, decode};
pub use explain::explain;

/// The stories of one page and what could not be placed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Page {
    pub stories: Vec<Story>,
    /// Lines (or parts) that belong to no story: banners (also used as a
    /// column), continuation markers, labels, editor credits, fragments.
    pub unplaced: Vec<Unplaced>,
    /// "no headline found", "ambiguous headline placement", "article cut off…".
    pub warnings: Vec<Warning>,
    /// Text dropped by the documented cleanup (doubled bold text, the dashes
    /// of "——subtitle" and "kicker——"), with its line.
    pub removed: Vec<Unplaced>,
    /// The date (y, m, d) of the page's running head, else the newest complete date its text
    /// states (not a deadline or plan), if any.
    pub date: Option<(i32, u32, u32)>,
    /// `date` is the running head's (printed as the date), not one from the text.
    pub date_from_head: bool,
}

/// One article found on a page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Story {
    /// Main headline; "" when no visible headline (never invented).
    pub title: String,
    pub kicker: Option<String>,
    /// Subtitle without the leading "——".
    pub subtitle: Option<String>,
    /// Personal names (padding spaces removed) or institutions.
    pub authors: Vec<String>,
    /// From "（作者单位：…）".
    pub author_affiliation: Option<String>,
    /// Page or column banner, e.g. "实干担当·娄星篇".
    pub column: Option<String>,
    pub captions: Vec<String>,
    /// Jump fragment ("（上接1版①）"); title is then "".
    pub continuation: bool,
    /// Where the story goes on, as its jump marker prints it without brackets ("下转第4版"),
    /// derived from the marker (listed as unplaced text, so not counted again).
    pub continued_on: Option<String>,
    /// Markdown: one line per paragraph, blank line between paragraphs,
    /// "## heading" for in-article section headings.
    pub body: String,
    /// 1-based first and last seed line the story covers.
    pub lines: (usize, usize),
    /// Flags for editors: "no-headline", "ambiguous-headline", "cut-off".
    pub review: Vec<String>,
    /// Credit text as printed (cleaned): bylines, datelines, affiliation
    /// lines. `authors` and `author_affiliation` are parsed from these.
    pub credits: Vec<String>,
}

/// Text that belongs to no story.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unplaced {
    pub line: usize,
    pub text: String,
    pub reason: String,
}

/// Something an editor should look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub line: usize,
    pub message: String,
}

/// Parse one page of text into stories. Never panics.
pub fn parse_page(text: &str) -> Page {
    segment::segment(text, None).page
}
