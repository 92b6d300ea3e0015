//! Real articles laid out again: the titled stories of the annotated seeds are
//! re-typeset in each of the three layouts (column text with the headline
//! after the body, paragraph lines, Markdown-ish), several per page in a
//! pseudo-random order, and ingest must recover every field. This is the
//! "pages laid out from real articles" part of the measurement.

use folio::ingest::{Story, decode, parse_page};

/// A story as the truth for re-layout.
#[derive(Clone, Debug)]
struct Truth {
    title: String,
    kicker: Option<String>,
    subtitle: Option<String>,
    authors: Vec<String>,
    /// Paragraphs; `Err` is a section heading.
    paras: Vec<Result<String, String>>,
}

fn truths() -> Vec<Truth> {
    let mut out = Vec::new();
    for name in ["000_8ee1e14b781f4bbe", "001_83d4dd0e044e0b7b"] {
        let bytes = std::fs::read(format!("seeds/{name}.txt")).expect("seed");
        let page = parse_page(&decode(&bytes, false).expect("utf8"));
        for s in page.stories.into_iter().filter(|s| !s.title.is_empty()) {
            let paras = s
                .body
                .split("\n\n")
                .map(|p| match p.strip_prefix("## ") {
                    Some(h) => Err(h.to_string()),
                    None => Ok(p.to_string()),
                })
                .collect();
            out.push(Truth {
                title: s.title,
                kicker: s.kicker,
                subtitle: s.subtitle,
                authors: s.authors,
                paras,
            });
        }
    }
    assert!(out.len() >= 8, "expected the titled gold stories");
    out
}

/// Names as printed in column text: two-character names padded ("向 科").
fn padded(authors: &[String]) -> String {
    authors
        .iter()
        .map(|a| {
            if a.chars().count() == 2 {
                a.chars().map(String::from).collect::<Vec<_>>().join(" ")
            } else {
                a.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Wrap a paragraph into column lines of `width` ems (ASCII is half as wide
/// as CJK); the first line is indented by two characters, and closing
/// punctuation never starts a line.
fn wrap(par: &str, width: usize) -> Vec<String> {
    let chars: Vec<char> = par.chars().collect();
    let mut lines = Vec::new();
    let mut i = 0;
    let mut first = true;
    while i < chars.len() {
        let room = if first { width - 2 } else { width } as f32;
        let mut used = 0.0;
        let mut j = i;
        while j < chars.len() {
            let w = if chars[j].is_ascii() { 0.5 } else { 1.0 };
            if used + w > room {
                break;
            }
            used += w;
            j += 1;
        }
        while j < chars.len() && "，。、；：！？”）》".contains(chars[j]) {
            j += 1;
        }
        lines.push(chars[i..j].iter().collect());
        i = j;
        first = false;
    }
    lines
}

/// Byline styles of column text seen on real pages.
#[derive(Clone, Copy)]
enum ColumnByline {
    /// "（曾志峰 石思源）" on its own line after the body.
    Closing,
    /// "…。 （彭 婷）" at the end of the last body line.
    Inline,
    /// "陈 娜" in the headline box, under the title.
    UnderTitle,
}

fn column(t: &Truth, width: usize, style: ColumnByline, with_caption: bool) -> String {
    let mut blocks: Vec<String> = Vec::new();
    for p in &t.paras {
        match p {
            Ok(text) => blocks.extend(wrap(text, width)),
            Err(h) if h.contains(' ') || h.chars().count() < width - 4 => blocks.push(h.clone()),
            Err(h) => {
                let cut = h.chars().count() / 2;
                let (a, b): (String, String) =
                    (h.chars().take(cut).collect(), h.chars().skip(cut).collect());
                blocks.push(format!("{a}\n{b}"));
            }
        }
    }
    let byline = padded(&t.authors);
    match style {
        _ if t.authors.is_empty() => {}
        ColumnByline::Closing => blocks.push(format!("（{byline}）")),
        ColumnByline::Inline => {
            if let Some(last) = blocks.last_mut() {
                last.push_str(&format!(" （{byline}）"));
            }
        }
        ColumnByline::UnderTitle => {}
    }
    if let Some(k) = &t.kicker {
        blocks.push(format!("{k}——"));
    }
    let mut head = t.title.clone();
    if let Some(s) = &t.subtitle {
        head.push_str(&format!("\n——{s}"));
    }
    if matches!(style, ColumnByline::UnderTitle) && !t.authors.is_empty() {
        head.push_str(&format!("\n{byline}"));
    }
    blocks.push(head);
    if with_caption {
        blocks.push(format!(
            "{}现场。 李 明 摄",
            t.title.chars().take(4).collect::<String>()
        ));
    }
    blocks.join("\n\n")
}

fn paragraph(t: &Truth) -> String {
    let mut lines: Vec<String> = Vec::new();
    lines.extend(t.kicker.clone());
    lines.push(t.title.clone());
    if let Some(s) = &t.subtitle {
        lines.push(format!("——{s}"));
    }
    let top_byline = t.authors.len() > 2;
    if top_byline {
        lines.push(t.authors.join(" "));
    }
    for p in &t.paras {
        lines.push(match p {
            Ok(text) | Err(text) => text.clone(),
        });
    }
    if !top_byline && !t.authors.is_empty() {
        lines.push(format!("({})", t.authors.join(" ")));
    }
    lines.join("\n\n")
}

fn markdown(t: &Truth, dateline: bool) -> String {
    let mut lines: Vec<String> = Vec::new();
    lines.extend(t.kicker.clone());
    lines.push(format!("## {}", t.title));
    if let Some(s) = &t.subtitle {
        lines.push(format!("——{s}"));
    }
    let mut credit = String::new();
    if !t.authors.is_empty() {
        if dateline {
            let names: Vec<String> = t.authors.iter().map(|a| format!("记者/{a}")).collect();
            credit = format!("本报讯({})", names.join(" "));
        } else {
            lines.push(format!("本报记者 {}", t.authors.join(" ")));
        }
    }
    let mut first = true;
    for p in &t.paras {
        lines.push(match p {
            Ok(text) => {
                let ascii = text.replace('，', ",").replace('：', ":");
                if std::mem::take(&mut first) {
                    format!("{credit}{ascii}")
                } else {
                    ascii
                }
            }
            Err(h) => format!("### {h}"),
        });
    }
    lines.join("\n\n")
}

fn ends_sentence(p: &Result<String, String>) -> bool {
    match p {
        Ok(t) => t.ends_with(['。', '！', '？', '”', '…']),
        Err(_) => true,
    }
}

fn body_paras(s: &Story) -> Vec<&str> {
    s.body
        .split("\n\n")
        .filter(|p| !p.starts_with("## "))
        .collect()
}

fn sections(s: &Story) -> Vec<String> {
    s.body
        .split("\n\n")
        .filter_map(|p| p.strip_prefix("## "))
        .map(String::from)
        .collect()
}

fn check_page(layout: &str, text: &str, order: &[Truth]) -> Vec<String> {
    if let Ok(dir) = std::env::var("RELAYOUT_DUMP") {
        let n = std::fs::read_dir(&dir).map(|d| d.count()).unwrap_or(0);
        let _ = std::fs::write(format!("{dir}/{n:02}_{layout}.txt"), text);
    }
    let page = parse_page(text);
    let mut errors = Vec::new();
    for t in order {
        let first = t
            .paras
            .iter()
            .find_map(|p| p.as_ref().ok())
            .cloned()
            .unwrap_or_default();
        let last = t
            .paras
            .iter()
            .rev()
            .find_map(|p| p.as_ref().ok())
            .cloned()
            .unwrap_or_default();
        // Like the gold measurement: about 15 characters at each end.
        let head: String = first.chars().take(15).collect();
        let tail: String = {
            let n = last.chars().count();
            last.chars().skip(n.saturating_sub(15)).collect()
        };
        let Some(s) = page.stories.iter().find(|s| {
            let text: String = body_paras(s).concat();
            text.starts_with(&head) && text.ends_with(&tail)
        }) else {
            let near = page.stories.iter().find(|s| s.title == t.title).map(|s| {
                let ps = body_paras(s);
                let f: String = ps.first().unwrap_or(&"").chars().take(12).collect();
                let l: String = ps.last().unwrap_or(&"").chars().rev().take(12).collect();
                format!("got start {f:?} end(rev) {l:?}")
            });
            let want_l: String = last.chars().rev().take(12).collect();
            errors.push(format!(
                "{layout}: article {:?} not found (start/end); want end(rev) {want_l:?}; {near:?}",
                t.title
            ));
            continue;
        };
        let want_sections: Vec<String> = t.paras.iter().filter_map(|p| p.clone().err()).collect();
        let checks = [
            (
                "title",
                s.title == t.title,
                format!("{:?} vs {:?}", s.title, t.title),
            ),
            (
                "kicker",
                s.kicker == t.kicker,
                format!("{:?} vs {:?}", s.kicker, t.kicker),
            ),
            (
                "subtitle",
                s.subtitle == t.subtitle,
                format!("{:?} vs {:?}", s.subtitle, t.subtitle),
            ),
            (
                "authors",
                s.authors == t.authors,
                format!("{:?} vs {:?}", s.authors, t.authors),
            ),
            (
                "sections",
                sections(s) == want_sections,
                format!("{:?} vs {want_sections:?}", sections(s)),
            ),
        ];
        for (field, ok, detail) in checks {
            if !ok {
                errors.push(format!("{layout}: {:?}: {field}: {detail}", t.title));
            }
        }
    }
    if page.stories.len() != order.len() {
        errors.push(format!(
            "{layout}: {} stories found, {} laid out",
            page.stories.len(),
            order.len()
        ));
    }
    errors
}

#[test]
fn gold_articles_relaid_in_every_layout() {
    let all = truths();
    let mut state: u64 = 7;
    let mut errors = Vec::new();
    for round in 0..12 {
        let mut order = all.clone();
        for i in (1..order.len()).rev() {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            order.swap(i, (state >> 33) as usize % (i + 1));
        }
        order.truncate(4 + round % 3);
        // A story cut off mid-sentence can only end a page.
        order.sort_by_key(|t| t.paras.last().is_some_and(|p| !ends_sentence(p)));
        let width = 16 + round % 4;
        let style = [
            ColumnByline::Closing,
            ColumnByline::Inline,
            ColumnByline::UnderTitle,
        ][round % 3];
        let col: Vec<String> = order
            .iter()
            .map(|t| column(t, width, style, round % 4 == 0))
            .collect();
        errors.extend(check_page("column", &col.join("\n\n"), &order));
        let par: Vec<String> = order.iter().map(paragraph).collect();
        let banner = if round % 2 == 0 {
            "乡村振兴·桂阳篇\n\n"
        } else {
            ""
        };
        let par_page = format!("{banner}{}", par.join("\n\n"));
        errors.extend(check_page("paragraph", &par_page, &order));
        let first = parse_page(&par_page)
            .stories
            .into_iter()
            .next()
            .and_then(|s| s.column);
        if (first.as_deref() == Some("乡村振兴·桂阳篇")) != (round % 2 == 0) {
            errors.push(format!("paragraph: banner column {first:?}"));
        }
        if round % 4 == 0 {
            let captioned = parse_page(&col.join("\n\n"))
                .stories
                .iter()
                .filter(|s| s.captions.iter().any(|c| c.ends_with("现场。李明摄")))
                .count();
            if captioned != order.len() {
                errors.push(format!(
                    "column: {captioned} of {} captions placed",
                    order.len()
                ));
            }
        }
        let md: Vec<String> = order.iter().map(|t| markdown(t, round % 2 == 1)).collect();
        errors.extend(check_page("markdown", &md.join("\n\n"), &order));
    }
    for e in &errors {
        println!("{e}");
    }
    assert!(errors.is_empty(), "{} re-layout errors", errors.len());
}
