//! Property-based fuzz harness (proptest) over the ingest engine and the
//! front-matter format: nothing panics on arbitrary input, the ingest no-loss
//! accounting holds, cleanup is idempotent and leaves no CJK–CJK space, and
//! written front matter parses back to the same value.
//!
//! Case counts are small by default so `cargo test` stays fast; set
//! `PROPTEST_CASES` to run long (see README, "Reliability"). This file must NOT
//! touch the file system beyond proptest's own failure persistence.

use folio::content::front_matter::{self, Date, DateSource, FrontMatter, Source};
use folio::ingest::clean::{clean_body, is_cjk};
use folio::ingest::{clean_text, decode, parse_page};
use proptest::prelude::*;
use std::path::Path;

mod ingest_support;
use ingest_support::imbalance;

/// Default cases per property; `PROPTEST_CASES` overrides.
fn config(default_cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default_cases);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Pieces that look like newspaper page text: CJK, justification spaces,
/// banners, bylines, dashes, continuation markers, dates, Markdown-ish marks.
const PIECES: &[&str] = &[
    "本报讯",
    "记者",
    "通讯员",
    "张　三",
    "李 四",
    "——",
    "（上接1版①）",
    "（下转2版）",
    "2024年3月5日",
    "星期二",
    "娄底日报",
    "实干担当·娄星篇",
    "（作者单位：娄底市第一中学）",
    "\n",
    "\n\n",
    " ",
    "　",
    "  ",
    "。",
    "，",
    "：",
    "“",
    "”",
    "\"",
    "(",
    ")",
    "、",
    "！",
    "？",
    ".",
    ",",
    "#",
    "## ",
    "**",
    "<script>",
    "&amp;",
    "图为",
    "摄",
    "编辑",
    "责任编辑：王五",
    "新闻",
    "改革",
    "发展",
    "乡村振兴",
    "娄星区",
    "涟源市",
    "ABC",
    "covid-19",
    "1",
    "2023",
    "①",
    "\t",
    "\r\n",
    "\u{feff}",
    "+++",
    "=",
    "[",
    "]",
];

fn page_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        6 => prop::sample::select(PIECES).prop_map(str::to_string),
        3 => "[\u{4e00}-\u{4e40}]{1,12}",
        1 => any::<char>().prop_map(|c| c.to_string()),
        1 => "[ -~]{0,8}",
    ];
    prop::collection::vec(piece, 0..120).prop_map(|v| v.concat())
}

/// A CJK character, spaces, then a CJK character.
fn has_cjk_gap(s: &str) -> bool {
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if is_cjk(chars[i]) {
            let mut j = i + 1;
            while j < chars.len() && (chars[j] == ' ' || chars[j] == '\u{3000}') {
                j += 1;
            }
            if j > i + 1 && j < chars.len() && is_cjk(chars[j]) {
                return true;
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    false
}

/// Headline cleanup keeps one ASCII space between two runs of at least two
/// CJK characters ("文明守法 平安回家"); any other space touching a CJK
/// character on both sides is a justification space left behind.
fn has_justification_gap(s: &str) -> bool {
    if s.contains('\u{3000}') {
        return true;
    }
    let toks: Vec<&str> = s.split(' ').collect();
    toks.windows(2).any(|w| {
        let (l, r) = (w[0], w[1]);
        let (Some(a), Some(b)) = (l.chars().last(), r.chars().next()) else {
            return l.is_empty() || r.is_empty();
        };
        let cjk_run = |t: &str| t.chars().filter(|c| is_cjk(*c)).count() >= 2;
        is_cjk(a) && is_cjk(b) && !(cjk_run(l) && cjk_run(r))
    })
}

fn opt_text() -> impl Strategy<Value = Option<String>> {
    prop::option::of(any::<String>())
}

/// A valid title: parse rejects an empty one on a normal article.
fn title() -> impl Strategy<Value = String> {
    ("[^\\s]", any::<String>()).prop_map(|(a, b)| format!("{a}{b}"))
}

fn front_matter_value() -> impl Strategy<Value = FrontMatter> {
    let date = prop::option::of((1i32..=9999, 1u32..=12, 1u32..=31))
        .prop_map(|d| d.and_then(|(y, m, dd)| Date::new(y, m, dd)));
    let date_source = prop::option::of(prop::sample::select(vec![
        DateSource::Manifest,
        DateSource::Inferred,
        DateSource::Editor,
    ]));
    let strings = || prop::collection::vec(any::<String>(), 0..3);
    let source = prop::option::of((
        any::<String>(),
        1usize..100_000,
        0usize..100,
        "[0-9a-f]{0,64}",
    ))
    .prop_map(|s| {
        s.map(|(seed, a, n, h)| Source {
            seed,
            lines: [a, a + n],
            ingested_hash: h,
        })
    });
    (
        (
            title(),
            opt_text(),
            opt_text(),
            strings(),
            opt_text(),
            opt_text(),
        ),
        (
            date,
            date_source,
            strings(),
            strings(),
            strings(),
            opt_text(),
        ),
        (
            any::<bool>(),
            prop::option::of("[a-z0-9]{1,6}(-[a-z0-9]{1,6})?"),
            any::<bool>(),
            strings(),
            source,
            strings(),
        ),
    )
        .prop_map(
            |(
                (title, kicker, subtitle, authors, author_affiliation, column),
                (date, date_source, regions, topics, captions, continued_on),
                (continuation, slug, draft, review, source, credits),
            )| FrontMatter {
                title,
                kicker,
                subtitle,
                authors,
                credits,
                author_affiliation,
                column,
                date,
                date_source,
                regions,
                topics,
                captions,
                continuation,
                continued_on,
                slug,
                draft,
                review,
                source,
                extra: toml::Table::new(),
            },
        )
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn parse_page_never_panics_and_loses_nothing(text in page_text()) {
        let page = parse_page(&text);
        let diff = imbalance(&text, &page);
        prop_assert!(diff.is_empty(), "accounting broken: {:?}\npage: {:?}", diff, page);
    }

    #[test]
    fn parse_page_on_any_string(text in any::<String>()) {
        let page = parse_page(&text);
        let diff = imbalance(&text, &page);
        prop_assert!(diff.is_empty(), "accounting broken: {:?}", diff);
    }

    #[test]
    fn clean_text_is_idempotent_and_closes_cjk_gaps(text in page_text()) {
        for line in text.lines() {
            let once = clean_text(line);
            let twice = clean_text(&once);
            prop_assert_eq!(&once, &twice, "not idempotent on {:?}", line);
            prop_assert!(!has_justification_gap(&once), "justification space left in {:?} from {:?}", once, line);
            let body = clean_body(line);
            prop_assert!(!has_cjk_gap(&body), "CJK–CJK space left in body {:?} from {:?}", body, line);
        }
    }

    #[test]
    fn decode_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512), gb in any::<bool>()) {
        match decode(&bytes, gb) {
            Ok(text) => {
                prop_assert!(!text.contains('\r'));
            }
            Err(e) => prop_assert!(e.to_string().contains("byte offset")),
        }
    }

    #[test]
    fn front_matter_parse_never_panics(text in page_text()) {
        let _ = front_matter::parse(&text, Path::new("a.md"));
        let framed = format!("+++\n{text}\n+++\nbody");
        let _ = front_matter::parse(&framed, Path::new("a.md"));
    }

    #[test]
    fn front_matter_parse_toml_like(lines in prop::collection::vec(
        "[a-z_]{1,12} = (\"[^\"\\\\\n]{0,10}\"|[0-9-]{1,12}|true|\\[\\]|\\[\"x\", 1\\]|\\{\\}|[a-z]{1,4})", 0..8)) {
        let framed = format!("+++\n{}\n+++\n", lines.join("\n"));
        if let Err(e) = front_matter::parse(&framed, Path::new("a.md")) {
            prop_assert!(e.line >= 1 && e.line <= lines.len() + 3, "line {} out of range: {}", e.line, e);
        }
    }

    #[test]
    fn front_matter_write_parse_round_trip(fm in front_matter_value(), body in any::<String>()) {
        let text = front_matter::write(&fm, &body);
        let parsed = front_matter::parse(&text, Path::new("a.md"));
        prop_assert!(parsed.is_ok(), "written front matter does not parse: {:?}\n{}", parsed.err(), text);
        if let Ok((back, back_body)) = parsed {
            prop_assert_eq!(back, fm);
            // `write` puts one blank line after `+++` and ends the body with
            // exactly one newline.
            prop_assert_eq!(back_body, format!("\n{}\n", body.trim_end()));
        }
    }
}
