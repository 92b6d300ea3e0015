//! The article file format: TOML front matter between `+++` lines, then a Markdown body.
//!
//! Parses and writes front matter with typed fields (the contract other tools rely
//! on) and keeps unknown fields under `extra`. Errors carry the file and line.
//! This module knows nothing about sites, URLs or rendering.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::config::{line_of, line_of_key};

/// A front-matter problem in one article file.
#[derive(Debug, Error, Clone, PartialEq)]
#[error("{}:{line}: {message}", path.display())]
pub struct FrontMatterError {
    pub path: PathBuf,
    pub line: usize,
    pub message: String,
}

/// Where an article's date came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DateSource {
    /// From `seeds/manifest.toml`.
    Manifest,
    /// Inferred by ingest from dates stated in the page text.
    Inferred,
    /// Set by an editor.
    Editor,
}

/// A calendar date, validated (no 2024-02-30).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// A checked date.
    pub fn new(year: i32, month: u32, day: u32) -> Option<Date> {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (day >= 1 && day <= days && (1..=9999).contains(&year)).then_some(Date { year, month, day })
    }

    /// `YYYY-MM-DD`.
    pub fn iso(&self) -> String {
        self.to_string()
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse_iso(s: &str) -> Option<Date> {
        let mut it = s.trim().splitn(3, '-');
        let y = it.next()?.parse().ok()?;
        let m = it.next()?.parse().ok()?;
        let d = it.next()?.parse().ok()?;
        Date::new(y, m, d)
    }
}

/// `YYYY-MM-DD` (what [`Date::iso`] gives), written without an intermediate string.
impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// The `[source]` table: where ingest took the article from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Seed file name, e.g. `000_8ee1e14b781f4bbe.txt`.
    pub seed: String,
    /// First and last line numbers (1-based) in the seed.
    pub lines: [usize; 2],
    /// Hash of the article file as ingest wrote it, front matter and body
    /// (see [`crate::content::hash_article`]); an article whose hash differs was edited.
    pub ingested_hash: String,
}

/// Typed front matter. Field names are a documented contract (README). The
/// serde form is only the load cache's (files are parsed by [`parse`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FrontMatter {
    #[serde(deserialize_with = "fast_str::string")]
    pub title: String,
    #[serde(deserialize_with = "fast_str::opt_string")]
    pub kicker: Option<String>,
    #[serde(deserialize_with = "fast_str::opt_string")]
    pub subtitle: Option<String>,
    #[serde(deserialize_with = "fast_str::strings")]
    pub authors: Vec<String>,
    /// Bylines, datelines and affiliation lines as printed ("本报记者 王伟 通讯员 李娜"):
    /// `authors` are the names in them.
    #[serde(deserialize_with = "fast_str::strings")]
    pub credits: Vec<String>,
    #[serde(deserialize_with = "fast_str::opt_string")]
    pub author_affiliation: Option<String>,
    #[serde(deserialize_with = "fast_str::opt_string")]
    pub column: Option<String>,
    pub date: Option<Date>,
    pub date_source: Option<DateSource>,
    #[serde(deserialize_with = "fast_str::strings")]
    pub regions: Vec<String>,
    #[serde(deserialize_with = "fast_str::strings")]
    pub topics: Vec<String>,
    #[serde(deserialize_with = "fast_str::strings")]
    pub captions: Vec<String>,
    pub continuation: bool,
    /// Where the story goes on, as its jump marker prints it ("下转第4版").
    #[serde(deserialize_with = "fast_str::opt_string")]
    pub continued_on: Option<String>,
    #[serde(deserialize_with = "fast_str::opt_string")]
    pub slug: Option<String>,
    pub draft: bool,
    /// Flags for editors set by ingest, e.g. `no-headline`.
    #[serde(deserialize_with = "fast_str::strings")]
    pub review: Vec<String>,
    pub source: Option<Source>,
    /// Fields Folio does not know: kept, passed to templates as `extra`.
    #[serde(with = "extra_as_json")]
    pub extra: toml::Table,
}

impl FrontMatter {
    /// The credits that say more than the authors' names and the affiliation: with the names,
    /// spaces and brackets taken out, something (a role, a paper) is left ("本报记者 王伟
    /// 通讯员 李娜" is kept, "（彭 婷）" is not).
    pub fn credits_beyond_names(&self) -> Vec<String> {
        self.credits
            .iter()
            .filter(|c| {
                if let Some(aff) = &self.author_affiliation
                    && c.contains(aff.as_str())
                {
                    return false;
                }
                let mut rest: String = c
                    .chars()
                    .filter(|ch| !ch.is_whitespace() && !"（）()【】[]".contains(*ch))
                    .collect();
                for name in &self.authors {
                    rest = rest.replace(name.as_str(), "");
                }
                !rest.is_empty()
            })
            .cloned()
            .collect()
    }
}

/// Strings of the serde form read as bytes and checked with SIMD (`simdutf8`):
/// postcard's own check (`core::str::from_utf8`) of every title, summary and
/// list was ~40 % of decoding the load cache. The encoding is unchanged
/// (postcard writes strings and bytes alike); a value that is not UTF-8 is
/// still an error, so a damaged entry is not used.
pub(crate) mod fast_str {
    use serde::de::{self, DeserializeSeed, Deserializer, SeqAccess, Visitor};
    use std::fmt;

    struct Str;

    impl<'de> Visitor<'de> for Str {
        type Value = String;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a string")
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
            Ok(v.to_owned())
        }

        fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
            Ok(v)
        }

        fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<String, E> {
            match simdutf8::basic::from_utf8(v) {
                Ok(s) => Ok(s.to_owned()),
                Err(_) => Err(E::invalid_value(de::Unexpected::Bytes(v), &self)),
            }
        }
    }

    impl<'de> DeserializeSeed<'de> for Str {
        type Value = String;

        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
            d.deserialize_bytes(Str)
        }
    }

    /// A `String`.
    pub fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        d.deserialize_bytes(Str)
    }

    struct Opt;

    impl<'de> Visitor<'de> for Opt {
        type Value = Option<String>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an optional string")
        }

        fn visit_none<E: de::Error>(self) -> Result<Option<String>, E> {
            Ok(None)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Option<String>, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<String>, D::Error> {
            string(d).map(Some)
        }
    }

    /// An `Option<String>`.
    pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        d.deserialize_option(Opt)
    }

    struct List;

    impl<'de> Visitor<'de> for List {
        type Value = Vec<String>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list of strings")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<String>, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
            while let Some(s) = seq.next_element_seed(Str)? {
                out.push(s);
            }
            Ok(out)
        }
    }

    /// A `Vec<String>`.
    pub fn strings<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
        d.deserialize_seq(List)
    }
}

/// The serde form of [`FrontMatter::extra`]: a JSON string (empty for no
/// fields), so that formats that cannot describe themselves (the load cache's
/// `postcard`) store any TOML value.
mod extra_as_json {
    use serde::{Deserialize, Deserializer, Serializer, de::Error as _, ser::Error as _};

    pub fn serialize<S: Serializer>(table: &toml::Table, s: S) -> Result<S::Ok, S::Error> {
        if table.is_empty() {
            return s.serialize_str("");
        }
        s.serialize_str(&serde_json::to_string(table).map_err(S::Error::custom)?)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<toml::Table, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        if text.is_empty() {
            return Ok(toml::Table::new());
        }
        serde_json::from_str(&text).map_err(D::Error::custom)
    }
}

/// Splits a file into (front matter text, line of its first line, body).
fn split<'a>(text: &'a str, path: &Path) -> Result<(String, &'a str), FrontMatterError> {
    let err = |line, message: &str| FrontMatterError {
        path: path.to_path_buf(),
        line,
        message: message.to_string(),
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.split_inclusive('\n');
    match lines.next() {
        Some(first) if first.trim_end() == "+++" => {}
        _ => {
            return Err(err(
                1,
                "missing front matter: the file must start with a line `+++`",
            ));
        }
    }
    let mut offset = text.split_inclusive('\n').next().map_or(0, str::len);
    let start = offset;
    for line in lines {
        if line.trim_end() == "+++" {
            let fm = text[start..offset].replace("\r\n", "\n");
            let body = &text[offset + line.len()..];
            return Ok((fm, body));
        }
        offset += line.len();
    }
    Err(err(
        1,
        "unterminated front matter: no closing `+++` line after the opening one",
    ))
}

/// The body of a whole article file (borrowed), its front matter skipped, not parsed.
pub fn body<'a>(text: &'a str, path: &Path) -> Result<&'a str, FrontMatterError> {
    split(text, path).map(|(_, body)| body)
}

/// Parses a whole article file into front matter and the body (borrowed).
pub fn parse<'a>(text: &'a str, path: &Path) -> Result<(FrontMatter, &'a str), FrontMatterError> {
    let (fm_text, body) = split(text, path)?;
    let err = |line: usize, message: String| FrontMatterError {
        path: path.to_path_buf(),
        line,
        message,
    };
    // Line 1 is the opening `+++`, so front matter line N is file line N + 1.
    let mut table: toml::Table = toml::from_str(&fm_text).map_err(|e| {
        let line = e.span().map(|s| line_of(&fm_text, s.start)).unwrap_or(1);
        err(line + 1, e.message().trim().to_string())
    })?;
    let key_line = |key: &str| line_of_key(&fm_text, key) + 1;

    fn take<T: for<'de> Deserialize<'de>>(
        table: &mut toml::Table,
        key: &str,
        expected: &str,
        line: usize,
        path: &Path,
    ) -> Result<Option<T>, FrontMatterError> {
        match table.remove(key) {
            None => Ok(None),
            Some(v) => {
                let shown = short(&v);
                T::deserialize(v).map(Some).map_err(|_| FrontMatterError {
                    path: path.to_path_buf(),
                    line,
                    message: format!("`{key}` must be {expected}, found {shown}"),
                })
            }
        }
    }
    macro_rules! field {
        ($key:literal, $expected:literal) => {
            take(&mut table, $key, $expected, key_line($key), path)?
        };
    }

    let mut fm = FrontMatter {
        title: field!("title", "a string").unwrap_or_default(),
        kicker: field!("kicker", "a string"),
        subtitle: field!("subtitle", "a string"),
        authors: field!("authors", "an array of strings").unwrap_or_default(),
        credits: field!("credits", "an array of strings").unwrap_or_default(),
        author_affiliation: field!("author_affiliation", "a string"),
        column: field!("column", "a string"),
        date: None,
        date_source: field!(
            "date_source",
            "one of \"manifest\", \"inferred\", \"editor\""
        ),
        regions: field!("regions", "an array of region paths").unwrap_or_default(),
        topics: field!("topics", "an array of topic slugs").unwrap_or_default(),
        captions: field!("captions", "an array of strings").unwrap_or_default(),
        continuation: field!("continuation", "true or false").unwrap_or(false),
        continued_on: field!("continued_on", "a string"),
        slug: field!("slug", "a string"),
        draft: field!("draft", "true or false").unwrap_or(false),
        review: field!("review", "an array of strings").unwrap_or_default(),
        source: field!(
            "source",
            "a table with seed, lines = [first, last] and ingested_hash"
        ),
        extra: toml::Table::new(),
    };
    if let Some(v) = table.remove("date") {
        fm.date = Some(parse_date(&v).ok_or_else(|| {
            err(
                key_line("date"),
                format!(
                    "`date` must be a real calendar date like 2024-10-12, found {}",
                    short(&v)
                ),
            )
        })?);
    }
    if fm.title.trim().is_empty()
        && !fm.continuation
        && !fm.review.iter().any(|r| r == "no-headline")
    {
        return Err(err(
            key_line("title"),
            "`title` is empty: only a continuation (`continuation = true`) or an article flagged `review = [\"no-headline\"]` may have no title".into(),
        ));
    }
    if let Some(slug) = &fm.slug
        && !crate::config::is_slug(slug)
    {
        return Err(err(
            key_line("slug"),
            format!("`slug` {slug:?} must be lowercase ASCII letters, digits and '-'"),
        ));
    }
    // The fields above were taken out of the table; an emptied map still holds its node
    // (~0.6 KB, kept for the whole build by every article), so only a non-empty one is kept.
    if !table.is_empty() {
        fm.extra = table;
    }
    Ok((fm, body))
}

fn parse_date(v: &toml::Value) -> Option<Date> {
    match v {
        toml::Value::Datetime(dt) => {
            if dt.time.is_some() || dt.offset.is_some() {
                return None;
            }
            let d = dt.date?;
            Date::new(d.year as i32, d.month as u32, d.day as u32)
        }
        toml::Value::String(s) => Date::parse_iso(s),
        _ => None,
    }
}

fn short(v: &toml::Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s
    }
}

/// Writes front matter and body as an article file, fields in contract order.
pub fn write(fm: &FrontMatter, body: &str) -> String {
    let mut out = String::from("+++\n");
    let q = |s: &str| toml::Value::String(s.to_string()).to_string();
    let arr = |v: &[String]| {
        let items: Vec<String> = v.iter().map(|s| q(s)).collect();
        format!("[{}]", items.join(", "))
    };
    let _ = writeln!(out, "title = {}", q(&fm.title));
    for (key, value) in [("kicker", &fm.kicker), ("subtitle", &fm.subtitle)] {
        if let Some(v) = value {
            let _ = writeln!(out, "{key} = {}", q(v));
        }
    }
    if !fm.authors.is_empty() {
        let _ = writeln!(out, "authors = {}", arr(&fm.authors));
    }
    if !fm.credits.is_empty() {
        let _ = writeln!(out, "credits = {}", arr(&fm.credits));
    }
    for (key, value) in [
        ("author_affiliation", &fm.author_affiliation),
        ("column", &fm.column),
    ] {
        if let Some(v) = value {
            let _ = writeln!(out, "{key} = {}", q(v));
        }
    }
    if let Some(d) = fm.date {
        let _ = writeln!(out, "date = {}", d.iso());
    }
    if let Some(ds) = fm.date_source {
        let s = match ds {
            DateSource::Manifest => "manifest",
            DateSource::Inferred => "inferred",
            DateSource::Editor => "editor",
        };
        let _ = writeln!(out, "date_source = {}", q(s));
    }
    let _ = writeln!(out, "regions = {}", arr(&fm.regions));
    let _ = writeln!(out, "topics = {}", arr(&fm.topics));
    if !fm.captions.is_empty() {
        let _ = writeln!(out, "captions = {}", arr(&fm.captions));
    }
    if fm.continuation {
        let _ = writeln!(out, "continuation = true");
    }
    if let Some(s) = &fm.continued_on {
        let _ = writeln!(out, "continued_on = {}", q(s));
    }
    if let Some(s) = &fm.slug {
        let _ = writeln!(out, "slug = {}", q(s));
    }
    if fm.draft {
        let _ = writeln!(out, "draft = true");
    }
    if !fm.review.is_empty() {
        let _ = writeln!(out, "review = {}", arr(&fm.review));
    }
    for (k, v) in &fm.extra {
        if !matches!(v, toml::Value::Table(_)) {
            let _ = writeln!(out, "{} = {}", toml_key(k), v);
        }
    }
    if let Some(src) = &fm.source {
        let _ = writeln!(out, "\n[source]");
        let _ = writeln!(out, "seed = {}", q(&src.seed));
        let _ = writeln!(out, "lines = [{}, {}]", src.lines[0], src.lines[1]);
        let _ = writeln!(out, "ingested_hash = {}", q(&src.ingested_hash));
    }
    for (k, v) in &fm.extra {
        if let toml::Value::Table(t) = v {
            let _ = writeln!(out, "\n[{}]", toml_key(k));
            out.push_str(&toml::to_string(t).unwrap_or_default());
        }
    }
    out.push_str("+++\n\n");
    out.push_str(body.trim_end());
    out.push('\n');
    out
}

fn toml_key(k: &str) -> String {
    if !k.is_empty()
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        k.to_string()
    } else {
        toml::Value::String(k.to_string()).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credits_beyond_names_are_those_that_say_more_than_the_names() {
        let fm = FrontMatter {
            title: "标题".into(),
            authors: vec!["王伟".into(), "李娜".into(), "彭婷".into()],
            credits: vec![
                "本报记者 王伟 通讯员 李娜".into(),
                "（彭 婷）".into(),
                "（作者单位：市委党校）".into(),
            ],
            author_affiliation: Some("市委党校".into()),
            ..Default::default()
        };
        assert_eq!(fm.credits_beyond_names(), ["本报记者 王伟 通讯员 李娜"]);
        // Written and read back.
        let text = write(&fm, "正文。\n");
        let back = parse(&text, Path::new("a.md")).unwrap();
        assert_eq!(back.0.credits, fm.credits);
    }

    fn p(text: &str) -> Result<(FrontMatter, &str), FrontMatterError> {
        parse(text, Path::new("content/a.md"))
    }

    #[test]
    fn round_trip_keeps_every_field() {
        let mut extra = toml::Table::new();
        extra.insert("editor_note".into(), toml::Value::String("checked".into()));
        let fm = FrontMatter {
            title: "洞庭碧波连酉水".into(),
            kicker: Some("引题".into()),
            subtitle: Some("岳阳市持续对口帮扶保靖县30年侧记".into()),
            authors: vec!["向科".into()],
            credits: vec!["本报记者 向 科".into()],
            author_affiliation: Some("某单位".into()),
            column: Some("实干担当·娄星篇".into()),
            date: Date::new(2024, 10, 12),
            date_source: Some(DateSource::Inferred),
            regions: vec!["湖南省/岳阳市".into()],
            topics: vec!["economy".into()],
            captions: vec!["图说 \"引号\"".into()],
            continuation: false,
            continued_on: Some("下转第4版".into()),
            slug: Some("dongting".into()),
            draft: true,
            review: vec![],
            source: Some(Source {
                seed: "000.txt".into(),
                lines: [1, 280],
                ingested_hash: "abc".into(),
            }),
            extra,
        };
        let text = write(&fm, "第一段。\n\n## 小标题\n\n第二段。");
        let (back, body) = p(&text).unwrap();
        assert_eq!(back, fm);
        assert_eq!(body.trim(), "第一段。\n\n## 小标题\n\n第二段。");
    }

    #[test]
    fn cache_form_round_trips_and_rejects_bad_utf8() {
        let fm = FrontMatter {
            title: "洞庭碧波连酉水".into(),
            kicker: Some("引题".into()),
            authors: vec!["向科".into(), "李四".into()],
            regions: vec!["湖南省/岳阳市".into()],
            captions: vec![String::new()],
            slug: None,
            ..Default::default()
        };
        let bytes = postcard::to_stdvec(&fm).unwrap();
        assert_eq!(postcard::from_bytes::<FrontMatter>(&bytes).unwrap(), fm);
        // The title's first byte made a lone continuation byte: not UTF-8.
        let at = bytes.windows(3).position(|w| w == "洞".as_bytes()).unwrap();
        let mut bad = bytes.clone();
        bad[at] = 0x80;
        assert!(postcard::from_bytes::<FrontMatter>(&bad).is_err());
    }

    #[test]
    fn missing_and_unterminated_front_matter() {
        let e = p("title = \"x\"\n").unwrap_err();
        assert_eq!(e.line, 1);
        assert!(e.message.contains("missing front matter"));
        let e = p("+++\ntitle = \"x\"\nbody").unwrap_err();
        assert!(e.message.contains("unterminated"));
    }

    #[test]
    fn errors_point_at_the_file_line() {
        let e = p("+++\ntitle = \"x\"\nauthors = \"张三\"\n+++\nbody").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("authors"), "{}", e.message);
        assert_eq!(e.to_string().split(':').next(), Some("content/a.md"));
        let e = p("+++\ntitle = \"x\"\n\ndate = 2024-02-30\n+++\n").unwrap_err();
        assert_eq!(e.line, 4, "{e}");
        let e = p("+++\ntitle = \"x\"\ntopics = [\n+++\n").unwrap_err();
        assert!(e.line >= 3, "{e}");
    }

    #[test]
    fn empty_title_only_for_continuations_or_flagged() {
        assert!(p("+++\ntitle = \"\"\n+++\n").is_err());
        assert!(p("+++\ntitle = \"\"\ncontinuation = true\n+++\n").is_ok());
        assert!(p("+++\ntitle = \"\"\nreview = [\"no-headline\"]\n+++\n").is_ok());
    }

    #[test]
    fn dates_as_toml_dates_or_strings() {
        let (fm, _) = p("+++\ntitle = \"x\"\ndate = 2024-02-29\n+++\n").unwrap();
        assert_eq!(fm.date, Date::new(2024, 2, 29));
        let (fm, _) = p("+++\ntitle = \"x\"\ndate = \"2023-01-05\"\n+++\n").unwrap();
        assert_eq!(fm.date.map(|d| d.iso()), Some("2023-01-05".into()));
        assert!(p("+++\ntitle = \"x\"\ndate = 2023-02-29\n+++\n").is_err());
    }

    #[test]
    fn unknown_fields_are_kept() {
        let (fm, _) = p("+++\ntitle = \"x\"\nphotographer = \"王\"\n+++\n").unwrap();
        assert_eq!(
            fm.extra.get("photographer").and_then(|v| v.as_str()),
            Some("王")
        );
    }

    #[test]
    fn crlf_and_bom_are_accepted() {
        let (fm, body) = p("\u{feff}+++\r\ntitle = \"x\"\r\n+++\r\nbody\r\n").unwrap();
        assert_eq!(fm.title, "x");
        assert_eq!(body.trim(), "body");
    }
}
