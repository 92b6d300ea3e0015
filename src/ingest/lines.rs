//! Line classification: what a single seed line looks like on its own
//! (continuation marker, caption, byline, subtitle, banner, label…) and the
//! shape tests used to tell headings from body text.
//!
//! It must NOT group lines into stories (that is `segment.rs`) and must not
//! decide between section heading and headline.

use super::byline::{is_institution, parse_credit_line, parse_names, parse_paren_byline};
use super::clean::{clean_body, halfwidth_alnum, is_cjk, is_justified, is_wide, visible_len};
use regex::Regex;
use std::sync::LazyLock;

/// One seed line with the facts every later step needs.
#[derive(Debug, Clone)]
pub struct Line {
    /// 1-based line number in the seed.
    pub no: usize,
    /// The line as in the seed.
    pub raw: String,
    /// Trimmed text with Markdown heading markers ("## ") removed.
    pub text: String,
    /// Number of leading '#' (0 when none).
    pub md_level: usize,
    /// The line starts with a space: a new text block in the extraction.
    pub lead_space: bool,
    /// The previous line is not blank (single newline: same text box).
    pub joined_above: bool,
    /// Visual width in ems (CJK = 1, ASCII = 0.5), spaces not counted.
    pub width: f32,
    /// The line is space-justified ("走 进 保 靖"), so it is a full column line.
    pub justified: bool,
    /// The seed line whose text was joined to this one (a heading printed on two lines,
    /// see [`join_headings_split_at_comma`]); that line reads as blank.
    pub joined_no: Option<usize>,
}

/// What a line is, judged on the line alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Blank,
    /// Jump marker "（上接1版①）" / "（下转2版）".
    Marker,
    /// "责任编辑：…" and similar page credits.
    Editor,
    /// The page's running head: paper, date, weekday, page number, page name
    /// ("团结报 2023年5月8日 星期一 综合新闻 3", "第4版 要闻").
    Masthead,
    /// "前言：", "编者按": a label, not body text.
    Label,
    /// A Markdown horizontal rule ("---", "***"): a separator between stories.
    Rule,
    /// A Markdown image "![caption](file.jpg)": its text is a caption, the file is not
    /// part of the archive.
    Image,
    /// "（作者单位：…" (may continue on the next line).
    Affiliation,
    /// Photo caption ("… 王朝阳 摄", "（…提供）", "…供图").
    Caption,
    /// Whole-line byline in parentheses "（曾志峰 石思源）".
    ParenByline,
    /// Credit with role words "株洲日报全媒体记者/董介 廖智勇".
    CreditByline,
    /// Bare names "王鹏基 段铭柯 李梅花".
    NameByline,
    /// Institution credit "芦淞区委组织部".
    Institution,
    /// "——…" subtitle line.
    Subtitle,
    /// Page or column banner "实干担当·娄星篇", "生命·周刊".
    Banner,
    /// A single character on its own line (vertical headline fragment).
    Fragment,
    /// Anything else: body text or a heading, decided in context.
    Text,
}

static MARKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^[▲△▼■◆●\s]*[（(]\s*(上接|接上|紧接|下转|转第|转下|接第|续)[^）)]{0,12}[）)][▲△▼■◆●\s]*$",
    )
    .expect("static regex")
});
static LEADING_MARKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[▲△▼■◆●\s]*[（(]\s*(上接|接上|紧接|接第)[^）)]{0,12}[）)]").expect("static regex")
});
static TRAILING_MARKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[（(]\s*(下转|转第|转下)[^）)]{0,12}[）)][▲△▼■◆●\s]*$").expect("static regex")
});
static MASTHEAD_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\d{4}年\d{1,2}月\d{1,2}日|\d{4}[-./]\d{1,2}[-./]\d{1,2}").expect("static regex")
});
static MASTHEAD_WEEKDAY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(星期|礼拜)[一二三四五六日天]|农历").expect("static regex"));
/// A page number: "第5版", "5版", "A3版".
static MASTHEAD_PAGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"第[0-9０-９一二三四五六七八九十A-Za-z]{1,4}版|[A-Za-z]?[0-9０-９]{1,2}版")
        .expect("static regex")
});
/// A paper's name opening the line, set apart from the date after it: "湖南日报 2023年…",
/// "团结报　2023年…" (a bare "…报" only as a three-character name: not "群众举报").
static MASTHEAD_PAPER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(\p{Han}{1,8}(日报|晚报|早报|时报|商报|周报|导报)|\p{Han}{2}报)\s+\d{4}\s*年")
        .expect("static regex")
});
/// A paper's name alone on a line: "邵阳日报", "团结报".
static PAPER_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\p{Han}{1,8}(日报|晚报|早报|时报|商报|周报|导报)|\p{Han}{2}报)$")
        .expect("static regex")
});

/// A running head printed over several lines ("邵阳日报" / "2024年7月22日 星期一" / "第2版
/// 综合新闻"): a paper's name alone on a text line next to a running-head line is part of it.
pub fn paper_names_beside_running_heads(lines: &[Line], kinds: &mut [(Kind, &'static str)]) {
    // The nearest non-blank line within two lines before (`-1`) or after (`1`) `from`.
    let near = |kinds: &[(Kind, &str)], from: usize, step: isize| -> Option<Kind> {
        (1..=2)
            .map(|d| from as isize + step * d)
            .take_while(|k| *k >= 0 && (*k as usize) < kinds.len())
            .map(|k| kinds[k as usize].0)
            .find(|k| *k != Kind::Blank)
    };
    for i in 0..lines.len() {
        let compact: String = lines[i]
            .text
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if kinds[i].0 != Kind::Text || !PAPER_NAME.is_match(&compact) {
            continue;
        }
        if [near(kinds, i, -1), near(kinds, i, 1)].contains(&Some(Kind::Masthead)) {
            kinds[i] = (
                Kind::Masthead,
                "a paper's name next to a running-head line: part of the running head",
            );
        }
    }
}

/// A page name with its number and nothing else: "综合新闻3", "第4版要闻", "要闻A2版".
static PAGE_NAME_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(第?[A-Za-z]?[0-9０-９]{1,2}版?)?([\p{Han}·]{2,8}?)(第?[A-Za-z]?[0-9０-９]{1,2}版?)?$",
    )
    .expect("static regex")
});

static MD_IMAGE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^!\[([^\]]*)\]\(([^)]*)\)$").expect("static regex"));

/// A Markdown image line, as (caption, file): "![图为…](a.jpg)" → ("图为…", "a.jpg").
pub fn md_image(text: &str) -> Option<(&str, &str)> {
    let c = MD_IMAGE.captures(text.trim())?;
    Some((c.get(1)?.as_str().trim(), c.get(2)?.as_str().trim()))
}

static EDITOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(本版|本期|本刊)?(责任编辑|本版编辑|编辑|校对|美编|版式|版面设计|审核|值班编委)\s*[:：]",
    )
    .expect("static regex")
});
/// Editor credits without a colon, nothing else on the line: "本版责任编辑　刘 红",
/// "责任编辑 张敏 版式设计 李华".
static EDITOR_SPACED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:(?:本版|本期|本刊)?(?:责任编辑|本版编辑|编辑|责任校对|校对|美编|版式设计|版式|版面设计|值班编委)[\s\u{3000}]+\p{Han}{1,4}(?:[\s\u{3000}]\p{Han}{1,3})?[\s\u{3000}]*)+$",
    )
    .expect("static regex")
});
/// An editor credit in brackets closing a page: "（责任编辑：陈静）".
static EDITOR_BRACKETED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^[（(](本版|本期|本刊)?(责任编辑|本版编辑|编辑|校对|美编|版式|版面设计|审核|值班编委)\s*[:：][^（()）。，！？；,;!?]{1,20}[）)]$",
    )
    .expect("static regex")
});
static CAPTION_CREDIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\s\S{2,4}(\s\S{1,4})*\s*摄$|供图$|[（(][^（()）]{2,30}(提供|供图|摄)[）)]$|^(图为|图：|图:|图[①-⑳]|图\d{1,2}\s*[：:])|。\s*[（(]?(资料图片|资料图|新华社发|视觉中国)[）)]?$)")
        .expect("static regex")
});

/// [`EDITOR_SPACED`], alone or in brackets: "本版责任编辑　刘 红", "（责任编辑　龙 丽）".
fn is_spaced_editor_credit(t: &str) -> bool {
    let t = t.trim();
    let inner = t
        .strip_prefix(['（', '('])
        .and_then(|r| r.strip_suffix(['）', ')']))
        .unwrap_or(t);
    EDITOR_SPACED.is_match(inner.trim())
}

const LABELS: &[&str] = &[
    "前言",
    "编者按",
    "编者的话",
    "引言",
    "导读",
    "核心提示",
    "（完）",
    "(完)",
    "（全文完）",
    "(全文完)",
];

/// Labels of comment printed as a piece of its own ("短评" above a commentary): the column of
/// the piece below them. Lines of these, like [`LABELS`], are labels.
const COMMENT_LABELS: &[&str] = &["短评", "时评", "快评", "微评"];

/// Labels of background printed beside a story ("相关链接", "延伸阅读"): after a story headed
/// above its text, a section of that story; else the column of the piece below them. Lines of
/// these, like [`LABELS`], are labels.
const SIDEBAR_LABELS: &[&str] = &[
    "链接",
    "相关链接",
    "新闻链接",
    "背景链接",
    "知识链接",
    "延伸阅读",
    "小贴士",
];

/// `text` is one of [`SIDEBAR_LABELS`] (spaces, brackets, marks and a colon aside).
pub fn is_sidebar_label(text: &str) -> bool {
    column_label(text).is_some_and(|l| SIDEBAR_LABELS.contains(&l))
}

/// The column named by a [`COMMENT_LABELS`] or [`SIDEBAR_LABELS`] label line ("短评",
/// "【相关链接】", "■链接："), without its brackets, marks and colon.
pub fn column_label(text: &str) -> Option<&'static str> {
    column_named(&label_name(text))
}

/// The [`COMMENT_LABELS`] or [`SIDEBAR_LABELS`] entry equal to a [`label_name`].
fn column_named(name: &str) -> Option<&'static str> {
    COMMENT_LABELS
        .iter()
        .chain(SIDEBAR_LABELS)
        .find(|l| **l == name)
        .copied()
}

/// A label line's name: its text without spaces, brackets, marks and a trailing colon
/// ("【相关链接】" → "相关链接", "■链接：" → "链接").
fn label_name(text: &str) -> String {
    let compact: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && !"【】[]〔〕■●◆▲□◎".contains(*c))
        .collect();
    compact.trim_end_matches([':', '：']).to_string()
}

/// Labels of an introduction printed above a story (its editor's note, its summary): the
/// text they head leads the story that follows, whether or not its headline comes first.
const INTRO_LABELS: &[&str] = &[
    "编者按",
    "编者按语",
    "编者的话",
    "引言",
    "导读",
    "核心提示",
    "前言",
];

/// `text` opens an introduction: an [`INTRO_LABELS`] label alone ("编者按", "【编者按】") or
/// heading its text ("编者按：基层是…").
pub fn opens_introduction(text: &str) -> bool {
    let compact: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .skip_while(|c| "【[〔■●◆▲□◎".contains(*c))
        .collect();
    INTRO_LABELS.iter().any(|label| {
        compact
            .strip_prefix(label)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['：', ':', '】', ']', '〕']))
    })
}

/// Labels that head the last part of a story, written by its reporter or editor after the
/// report ("记者手记", "编后"): unlike [`LABELS`], a section of the story above.
const STORY_PART_LABELS: &[&str] = &[
    "记者手记",
    "采访手记",
    "采访札记",
    "记者札记",
    "记者观察",
    "记者感言",
    "编后",
    "编后语",
    "编后记",
];

/// `text` is one of [`STORY_PART_LABELS`] (spaces, brackets and a trailing colon aside), or a
/// short label in 【】 brackets alone on its line ("【人物名片】", "【背景】"): a box of the
/// story it is printed in.
pub fn is_story_part_label(text: &str) -> bool {
    let boxed = text
        .trim()
        .strip_prefix('【')
        .and_then(|r| r.strip_suffix('】'))
        .is_some_and(|inner| {
            (2..=8).contains(&inner.chars().count()) && inner.chars().all(|c| is_cjk(c) || c == '·')
        });
    boxed || STORY_PART_LABELS.contains(&label_name(text).as_str())
}

/// Names of newspaper pages printed as a heading of their own ("# 要闻").
const PAGE_NAMES: &[&str] = &[
    "要闻",
    "综合",
    "时政",
    "经济",
    "社会",
    "文化",
    "副刊",
    "国内",
    "国际",
    "体育",
    "评论",
    "理论",
    "专版",
    "专题",
    "特刊",
    "地方",
    "县域",
    "民生",
    "法治",
    "健康",
    "教育",
    "文旅",
    "科技",
    "视觉",
    "综合新闻",
    "地方新闻",
    "本地新闻",
    "要闻版",
    "综合版",
];

const BANNER_ENDINGS: &[&str] = &[
    "篇",
    "刊",
    "版",
    "专栏",
    "专题",
    "特刊",
    "行",
    "关注",
    "视点",
    "观察",
    "聚焦",
    "一线",
    "时评",
    "纪实",
    "速递",
    "故事",
    "人物",
    "广角",
    "纵横",
    "天地",
    "论坛",
    "热线",
    "风采",
    "巡礼",
    "前沿",
    "新闻",
    "要闻",
    "在线",
    "之窗",
    "大家谈",
];

/// Theme words that open a page or column banner ("民生·关注",
/// "乡村振兴·三湘行"); a "·" line starting with one is not a minority name.
const BANNER_THEMES: &[&str] = &[
    "民生",
    "乡村振兴",
    "法治",
    "健康",
    "文化",
    "教育",
    "经济",
    "生态",
    "党建",
    "时政",
    "社会",
    "城市",
    "基层",
    "三湘",
    "湖湘",
    "廉政",
    "清廉",
    "文旅",
    "科技",
    "体育",
    "生命",
    "非凡",
    "实干",
    "奋进",
    "聚焦",
    "走进",
    "理论",
    "评论",
    "副刊",
    "县域",
    "产业",
    "新时代",
];

/// "（上接1版）会议要求…" → ("（上接1版）", "会议要求…").
pub fn split_leading_marker(text: &str) -> Option<(String, String)> {
    let m = LEADING_MARKER.find(text)?;
    let rest = text[m.end()..].to_string();
    (!rest.trim().is_empty()).then(|| (m.as_str().to_string(), rest))
}

/// "…落地见效。（下转3版）" → ("…落地见效。", "（下转3版）").
pub fn split_trailing_marker(text: &str) -> Option<(String, String)> {
    let m = TRAILING_MARKER.find(text)?;
    let rest = text[..m.start()].to_string();
    (!rest.trim().is_empty()).then(|| (rest, m.as_str().to_string()))
}

/// Split a seed into lines.
pub fn split_lines(text: &str) -> Vec<Line> {
    let mut out: Vec<Line> = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        let trimmed = raw.trim();
        let md_level = trimmed.chars().take_while(|c| *c == '#').count();
        let md_level = if md_level > 0 && trimmed[md_level..].starts_with([' ', '\t']) {
            md_level
        } else {
            0
        };
        let printed = strip_line_emphasis(trimmed[md_level..].trim());
        let joined_above = out.last().is_some_and(|l| !l.raw.trim().is_empty());
        out.push(Line {
            no: i + 1,
            lead_space: raw.starts_with([' ', '\u{3000}', '\t']) && !trimmed.is_empty(),
            joined_above,
            // Widths as printed: a full-width digit takes a whole column cell.
            width: line_width(printed),
            justified: is_justified(printed),
            raw: raw.to_string(),
            text: halfwidth_alnum(printed).into_owned(),
            md_level,
            joined_no: None,
        });
    }
    forget_boxes_without_blank_lines(&mut out);
    out
}

/// A line set in bold or italics as a whole on a Markdown-ish page ("**本报记者 周华**"):
/// its text without the markers, so that it is classified like any other line.
fn strip_line_emphasis(text: &str) -> &str {
    for mark in ["**", "__", "*", "_"] {
        if let Some(inner) = text.strip_prefix(mark).and_then(|t| t.strip_suffix(mark))
            && !inner.is_empty()
            && !inner.contains(mark)
            && !inner.starts_with([' ', '*', '_'])
        {
            return inner.trim();
        }
    }
    text
}

/// A heading printed on two short lines, cut after a comma ("强链补链，" / "做大产业“朋友圈”"), is
/// one line: the second line's text moves up into the first, which then spans both
/// (`joined_no`); the second becomes blank. (Lines in one text box, with no blank line
/// between them on a page that has blank lines, are already read together.) Body lines fill the column, and a paragraph's last
/// line ends a sentence, so a short line ending in a comma (outside Markdown) is never body
/// text. Both lines must be plain text, the pair heading-shaped, and the line before them
/// must end a paragraph or not be text at all (a byline, a marker, the page's start).
pub fn join_headings_split_at_comma(lines: &mut [Line]) {
    let plain = |l: &Line| l.md_level == 0 && classify(l).0 == Kind::Text;
    let mut prev_ends = true;
    let mut i = 0;
    while i < lines.len() {
        if lines[i].text.is_empty() {
            i += 1;
            continue;
        }
        let a = clean_body(&lines[i].text);
        let j = i + 1 + usize::from(lines.get(i + 1).is_some_and(|l| l.text.is_empty()));
        let joins = prev_ends
            && plain(&lines[i])
            && a.ends_with(['，', '、', ','])
            && (2..=12).contains(&visible_len(&a))
            && lines.get(j).is_some_and(|b| {
                let b_text = clean_body(&b.text);
                // Lines already in one text box are read together as they are.
                !b.joined_above
                    && plain(b)
                    && !b_text.is_empty()
                    && visible_len(&b_text) <= 20
                    && !ends_paragraph(&b_text)
                    && heading_shape(&format!("{a}{b_text}"))
            });
        if joins {
            let second = std::mem::take(&mut lines[j].text);
            lines[i].joined_no = Some(lines[j].no);
            lines[i].text.push_str(&second);
            lines[i].width = line_width(&lines[i].text);
            lines[i].justified = false;
            lines[j].width = 0.0;
            lines[j].justified = false;
            prev_ends = true;
            i = j + 1;
            continue;
        }
        prev_ends = !plain(&lines[i]) || ends_paragraph(&lines[i].text);
        i += 1;
    }
}

/// A line naming where the story comes from: "来源：湖南日报", "稿件来源：新华社".
static SOURCE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^\s*(来源|稿件来源|本文来源|信息来源)\s*[：:]\s*[\p{Han}A-Za-z0-9·／/ 　]{2,24}\s*$",
    )
    .expect("static regex")
});

static CAPTION_OPENER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(图为|图：|图:|图[①-⑳]|图\d{1,2}\s*[：:])").expect("static regex")
});

/// A photo caption wrapped by the column ("图为游客在温泉小镇游" / "玩。　通讯员　朱 红　摄"): a
/// line opening a caption that does not end one, then up to two more lines (one blank line
/// between each allowed, as on double-spaced pages), the last ending with a photo credit, is
/// read as one line on the first (`joined_no`: the last line joined); the others become
/// blank. Nothing is joined unless the credit closes it, so a caption line above body text
/// stays as it is.
pub fn join_wrapped_captions(lines: &mut [Line]) {
    let mut i = 0;
    while i < lines.len() {
        let first = lines[i].text.trim();
        if lines[i].md_level > 0 || !CAPTION_OPENER.is_match(first) || caption_ends(first) {
            i += 1;
            continue;
        }
        let mut parts = Vec::new();
        let mut j = i + 1;
        let mut closed = false;
        while parts.len() < 2 {
            if lines.get(j).is_some_and(|l| l.text.is_empty()) {
                j += 1;
            }
            let Some(next) = lines.get(j) else { break };
            let t = next.text.trim();
            // A credit set apart to the right ("　　　　李 明　摄") may be indented.
            let short_credit = caption_ends(t) && visible_len(t) <= 14;
            if t.is_empty()
                || next.md_level > 0
                || (next.lead_space && !short_credit)
                || CAPTION_OPENER.is_match(t)
                || !(short_credit
                    || matches!(
                        classify(next).0,
                        Kind::Text | Kind::Caption | Kind::Fragment
                    ))
            {
                break;
            }
            parts.push(j);
            if caption_ends(t) {
                closed = true;
                break;
            }
            j += 1;
        }
        if !closed {
            i += 1;
            continue;
        }
        let Some(&last) = parts.last() else {
            i += 1;
            continue;
        };
        for &k in &parts {
            let more = std::mem::take(&mut lines[k].text);
            lines[i].text.push_str(&more);
            lines[k].width = 0.0;
            lines[k].justified = false;
        }
        lines[i].joined_no = Some(lines[last].no);
        lines[i].width = line_width(&lines[i].text);
        lines[i].justified = false;
        i = last + 1;
    }
}

/// The line ends with a photo credit ("… 摄", "…供图", "（资料图片）").
fn caption_ends(t: &str) -> bool {
    let compact: String = t.chars().filter(|c| !c.is_whitespace()).collect();
    photo_credit_end(compact.trim_end_matches(['）', ')']))
        || (compact.ends_with(['）', ')']) && CAPTION_CREDIT.is_match(t.trim()))
}

/// Spaceless text ends with a photo credit's last word: "摄", "供图", "资料图片"…
fn photo_credit_end(compact: &str) -> bool {
    compact.ends_with('摄')
        || compact.ends_with("供图")
        || ["资料图片", "资料图", "新华社发", "视觉中国"]
            .iter()
            .any(|e| compact.ends_with(e))
}

/// Single newlines mark text boxes only on pages that separate lines with
/// blank lines; on pages without (or with few) blank lines they mean nothing.
fn forget_boxes_without_blank_lines(lines: &mut [Line]) {
    let blank = lines.iter().filter(|l| l.text.is_empty()).count();
    if blank * 4 < lines.len() {
        for l in lines.iter_mut() {
            l.joined_above = false;
            l.lead_space = false;
        }
    }
}

/// Visual width in ems: wide characters count 1, ASCII (digits, Latin) 0.5.
pub fn visual_width(s: &str) -> f32 {
    s.trim()
        .chars()
        .map(|c| {
            if is_wide(c) || c == '\u{3000}' {
                1.0
            } else {
                0.5
            }
        })
        .sum()
}

/// The line is a bold headline extracted twice, whole: "洞庭碧波连酉水洞庭碧波连酉水" (the
/// repeated text at least four characters, spaces not counted).
pub fn printed_twice(text: &str) -> bool {
    once_of_twice(text).is_some()
}

/// The text once, when the line is [`printed_twice`] (spaces removed).
fn once_of_twice(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
    let half = chars.len() / 2;
    (chars.len().is_multiple_of(2) && half >= 4 && chars[..half] == chars[half..])
        .then(|| chars[..half].iter().collect())
}

/// Width of a seed line in ems, spaces left out (in column text they are
/// justification or digit padding added by the extraction, not printed width). A line
/// [`printed_twice`] is as wide as it was printed, once.
fn line_width(text: &str) -> f32 {
    match once_of_twice(text) {
        Some(once) => visual_width(&once),
        None => visual_width(&text.replace([' ', '\u{3000}', '\t'], "")),
    }
}

/// Classify a line on its own, with the reason.
pub fn classify(line: &Line) -> (Kind, &'static str) {
    let t = line.text.as_str();
    let compact: String = t.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.is_empty() {
        return (Kind::Blank, "blank line");
    }
    if MARKER.is_match(t) {
        return (Kind::Marker, "jump marker (上接/下转 … 版)");
    }
    if compact.chars().count() >= 3
        && ['-', '*', '_']
            .iter()
            .any(|&c| compact.chars().all(|x| x == c))
    {
        return (
            Kind::Rule,
            "a line of only '-', '*' or '_': horizontal rule",
        );
    }
    if md_image(t).is_some() {
        return (Kind::Image, "Markdown image ![caption](file)");
    }
    if EDITOR.is_match(t) || EDITOR_BRACKETED.is_match(t) || is_spaced_editor_credit(t) {
        return (Kind::Editor, "page editor credit");
    }
    if is_masthead(t) {
        return (
            Kind::Masthead,
            "page running head: a date with a weekday, page number or paper name, or a page name with its number",
        );
    }
    let name = label_name(t);
    if LABELS.contains(&name.as_str()) || column_named(&name).is_some() {
        return (Kind::Label, "label line (前言/编者按…)");
    }
    if [
        "（作者单位",
        "(作者单位",
        "（作者系",
        "(作者系",
        "（作者为",
        "(作者为",
    ]
    .iter()
    .any(|p| compact.starts_with(p))
    {
        return (Kind::Affiliation, "author affiliation （作者单位：…）");
    }
    if line.md_level == 0 && looks_like_caption(t, &compact) {
        return (
            Kind::Caption,
            "photo caption (ends with a photo credit: 摄 / 提供 / 供图 / 资料图片, or starts with 图为)",
        );
    }
    if parse_paren_byline(t).is_some() {
        return (Kind::ParenByline, "names in parentheses: closing byline");
    }
    if (compact.starts_with("——") || compact.starts_with("--"))
        && !compact.ends_with(['。', '！', '？'])
    {
        return (Kind::Subtitle, "starts with a dash: subtitle");
    }
    if line.md_level > 0 {
        return md_kind(&compact);
    }
    if is_banner(&compact) {
        return (
            Kind::Banner,
            "short line with '·' and a banner word (…篇, …刊, 民生·…): page/column banner",
        );
    }
    if parse_credit_line(t).is_some() {
        return (Kind::CreditByline, "credit with role words (记者/通讯员/…)");
    }
    if SOURCE_LINE.is_match(t) {
        return (
            Kind::CreditByline,
            "source line (来源：…): a credit without names",
        );
    }
    if parse_names(t).is_some() {
        return (Kind::NameByline, "only personal names: byline");
    }
    if is_institution(&compact) {
        return (Kind::Institution, "institution name: possible byline");
    }
    if compact.chars().count() == 1 && compact.chars().all(is_cjk) {
        return (
            Kind::Fragment,
            "single character: vertical headline fragment",
        );
    }
    (
        Kind::Text,
        "ordinary text: no marker, caption, byline, banner or label shape",
    )
}

/// A caption ends with a photo credit ("… 王朝阳 摄", "（…提供）", "…供图")
/// or starts with "图为".
fn looks_like_caption(t: &str, compact: &str) -> bool {
    let n = compact.chars().count();
    let credit_end = photo_credit_end(compact) || compact.ends_with(['）', ')']);
    (6..=200).contains(&n)
        && (credit_end || compact.starts_with('图'))
        && (CAPTION_CREDIT.is_match(t) || photo_credit_tail(t))
}

/// "…。 张 伟 摄", "…。记者 张三 摄": after the last sentence end, a short
/// credit (names, roles) ending in "摄".
fn photo_credit_tail(t: &str) -> bool {
    let Some(before) = t.trim_end().strip_suffix('摄') else {
        return false;
    };
    let Some(pos) = before.rfind(['。', '！', '？', '）', ')']) else {
        return false;
    };
    let tail = &before[pos..];
    let tail = tail
        .trim_start_matches(['。', '！', '？', '）', ')'])
        .trim();
    let visible = tail.chars().filter(|c| !c.is_whitespace()).count();
    !before[..pos].trim().is_empty()
        && (2..=14).contains(&visible)
        && !tail.contains(['，', ',', '、'])
}

fn md_kind(compact: &str) -> (Kind, &'static str) {
    if is_banner(compact) {
        return (Kind::Banner, "Markdown heading shaped like a banner");
    }
    (Kind::Text, "Markdown heading")
}

/// The running head of a page, with no sentence punctuation: a full date with a weekday, a
/// page number, or the paper's name set apart before it ("团结报　2023年5月8日　星期一　综合新闻
/// 3"); or a page name ("综合新闻", "要闻") with its page number and nothing else ("综合新闻 3").
pub fn is_masthead(text: &str) -> bool {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let n = compact.chars().count();
    if !(3..=48).contains(&n)
        || compact.contains(['，', '。', '！', '？', '；', '：', ',', ';', '“', '”'])
    {
        return false;
    }
    if MASTHEAD_DATE.is_match(&compact) {
        return MASTHEAD_WEEKDAY.is_match(&compact)
            || MASTHEAD_PAGE.is_match(&compact)
            || MASTHEAD_PAPER.is_match(text);
    }
    let Some(c) = PAGE_NAME_LINE.captures(&compact) else {
        return false;
    };
    match (c.get(1).or(c.get(3)), c.get(2)) {
        (Some(_), Some(name)) => {
            PAGE_NAMES.contains(&name.as_str()) || name.as_str().ends_with("新闻")
        }
        _ => false,
    }
}

/// The date a line classified [`Kind::Masthead`] states, if it states a valid one.
pub fn masthead_date(text: &str) -> Option<(i32, u32, u32)> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let m = MASTHEAD_DATE.find(&compact)?;
    let digits: Vec<u32> = m
        .as_str()
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.parse().ok())
        .collect();
    match digits[..] {
        [y, mo, d] => super::date::valid(y as i32, mo, d).then_some((y as i32, mo, d)),
        _ => None,
    }
}

fn is_banner(compact: &str) -> bool {
    if compact.chars().count() > 48 {
        return false;
    }
    if PAGE_NAMES.contains(&compact) {
        return true;
    }
    let (collapsed, _) = super::clean::collapse_doubled(compact);
    let n = collapsed.chars().count();
    collapsed.contains('·')
        && (4..=24).contains(&n)
        && !collapsed.contains(['，', '。', '！', '？', ','])
        && (BANNER_ENDINGS.iter().any(|e| collapsed.ends_with(e))
            || BANNER_THEMES.iter().any(|w| collapsed.starts_with(w)))
}

/// The text ends a paragraph: sentence-final punctuation (optionally followed
/// by closing quotes/brackets), a colon or a trailing dash.
pub fn ends_paragraph(text: &str) -> bool {
    let t = text.trim_end();
    let core = t.trim_end_matches(['”', '’', '」', '』', '）', ')', '》', '】', '"']);
    let closers = t.len() != core.len();
    match core.chars().last() {
        Some('。' | '！' | '？' | '!' | '?' | '…') => true,
        Some('：' | ':') => !closers,
        Some('—') => core.ends_with("——") && !closers,
        // "（略）": the editor left the rest out.
        _ => {
            quote_attribution_end(t)
                || credit_after_sentence_end(t)
                || t.ends_with("（略）")
                || t.ends_with("(略)")
        }
    }
}

/// A sentence end followed by a credit in brackets: "…的比赛。（邓 伟）".
fn credit_after_sentence_end(t: &str) -> bool {
    static CREDIT_END: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"[。！？!?…][”’」』]?[\s\u{3000}]*[（(][^（()）。！？]{1,24}[）)]$")
            .expect("static regex")
    });
    CREDIT_END.is_match(t)
}

/// A paragraph-long line ending with the attribution of a quote whose final
/// "。" was left out: "“……。”护江志愿者李大爷说". Column lines (16–20
/// characters) are too short to be taken for one.
fn quote_attribution_end(t: &str) -> bool {
    static ATTRIBUTION: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"[。！？]”[^“”。，]{1,14}(说|表示|介绍|坦言|感慨|笑着说)$")
            .expect("static regex")
    });
    t.chars().count() > 24 && ATTRIBUTION.is_match(t)
}

/// The line has a sentence end inside (not only at the end).
pub fn has_inner_sentence_end(text: &str) -> bool {
    let t = text.trim_end();
    let mut chars: Vec<char> = t.chars().collect();
    while chars
        .last()
        .is_some_and(|c| "。！？!?…”’」』）)".contains(*c))
    {
        chars.pop();
    }
    chars.iter().any(|c| "。！？!?".contains(*c))
}

/// Quotes and brackets open on the line are closed on it.
pub fn balanced(text: &str) -> bool {
    let pairs = [
        ('“', '”'),
        ('《', '》'),
        ('（', '）'),
        ('(', ')'),
        ('「', '」'),
        ('‘', '’'),
    ];
    pairs.iter().all(|(o, c)| {
        let mut depth = 0i32;
        for ch in text.chars() {
            if ch == *o {
                depth += 1;
            } else if ch == *c {
                depth -= 1;
            }
        }
        depth == 0
    })
}

/// A deliberate word separator: a space between two runs of ≥2 CJK characters
/// on a line that is not space-justified.
pub fn has_word_separator(text: &str) -> bool {
    text.chars().count() <= 80
        && !is_justified(text)
        && super::clean::clean_text(text).contains(' ')
        && {
            let cleaned = super::clean::clean_text(text);
            cleaned
                .split(' ')
                .all(|part| part.chars().filter(|c| is_cjk(*c)).count() >= 2)
        }
}

/// Shape of a heading: no sentence end, no dangling comma, balanced quotes.
/// A short numbered heading that asks or exclaims: "一、血脂偏高怎么办？",
/// "（二）结节一定要手术吗？". Numbered body sentences end with "。".
fn numbered_question(cleaned: &str) -> bool {
    let numerals = "一二三四五六七八九十";
    let mut chars = cleaned.chars();
    let numbered = match chars.next() {
        Some(c) if numerals.contains(c) => chars.next() == Some('、'),
        Some('（') => {
            chars.next().is_some_and(|c| numerals.contains(c)) && chars.next() == Some('）')
        }
        _ => false,
    };
    numbered
        && cleaned.chars().count() <= 24
        && cleaned.ends_with(['？', '！'])
        && !cleaned.contains(['。', '，'])
}

pub fn heading_shape(text: &str) -> bool {
    if text.chars().count() > 160 {
        return false;
    }
    let cleaned = clean_body(text);
    let core = cleaned.trim_end_matches('—').trim_end_matches(['：', ':']);
    let dash_or_colon = core.len() < cleaned.len() && !core.is_empty();
    let last = core.chars().last().unwrap_or(' ');
    (dash_or_colon || !ends_paragraph(&cleaned) || numbered_question(&cleaned))
        && !has_inner_sentence_end(&cleaned)
        && balanced(&cleaned)
        && !"，、；,;（(“".contains(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn introductions_are_told_by_their_label() {
        for text in [
            "编者按",
            "【编者按】",
            "编者按：基层是…",
            "■核心提示：今年",
            "导读 : 本期",
        ] {
            assert!(opens_introduction(text), "{text}");
        }
        for text in ["编者按照要求", "链接：", "前言不搭后语", "本报讯 编者按"]
        {
            assert!(!opens_introduction(text), "{text}");
        }
    }

    #[test]
    fn headings_cut_after_a_comma_are_joined_and_nothing_else_is() {
        let texts =
            |lines: &[Line]| -> Vec<String> { lines.iter().map(|l| l.text.clone()).collect() };
        // Double-spaced: after a finished paragraph, a short comma line and a short line.
        let mut lines =
            split_lines("发展。\n\n强链补链，\n\n做大产业“朋友圈”\n\n长沙县围绕产业链精准招商。");
        join_headings_split_at_comma(&mut lines);
        assert_eq!(
            texts(&lines),
            [
                "发展。",
                "",
                "强链补链，做大产业“朋友圈”",
                "",
                "",
                "",
                "长沙县围绕产业链精准招商。"
            ]
        );
        assert_eq!(lines[2].joined_no, Some(5));
        assert!(lines[2].width > 12.0);
        // Single-spaced pages (no text boxes): the next line.
        let mut lines =
            split_lines("发展。\n强链补链，\n做大产业“朋友圈”\n长沙县围绕产业链精准招商。");
        join_headings_split_at_comma(&mut lines);
        assert_eq!(lines[1].text, "强链补链，做大产业“朋友圈”");
        // Left alone: lines already one text box; a comma line inside a paragraph; a second
        // line that ends a sentence; a comma line too long for a heading.
        for text in [
            "发展。\n\n强链补链，\n做大产业“朋友圈”\n\n长沙县围绕产业链精准招商。",
            "长沙县围绕工程机械产业链关\n\n键环节，\n\n精准招商",
            "发展。\n\n强链补链，\n\n做大了产业。",
            "发展。\n\n长沙县围绕工程机械产业链关键环节，\n\n精准招商",
        ] {
            let mut lines = split_lines(text);
            let before = texts(&lines);
            join_headings_split_at_comma(&mut lines);
            assert_eq!(texts(&lines), before, "{text}");
        }
    }

    #[test]
    fn captions_wrapped_by_the_column_are_joined_up_to_their_credit() {
        let mut lines = split_lines(
            "图为游客在温泉小镇游\n玩。　　　　通讯员　朱 红　摄\n　　正文第一段。\n图为村民在采茶\n　　这是正文，没有署名。\n",
        );
        join_wrapped_captions(&mut lines);
        assert_eq!(
            lines[0].text,
            "图为游客在温泉小镇游玩。　　　　通讯员　朱 红　摄"
        );
        assert_eq!(lines[0].joined_no, Some(2));
        assert_eq!(lines[1].text, "");
        assert_eq!(classify(&lines[0]).0, Kind::Caption);
        // No credit ends it: the caption line and the body below stay apart.
        assert_eq!(lines[3].joined_no, None);
        assert_eq!(lines[4].text, "这是正文，没有署名。");
        // A credit set apart on an indented line of its own is the caption's.
        let mut lines = split_lines("图为村民在茶园采茶。\n　　　　　李 明　摄\n");
        join_wrapped_captions(&mut lines);
        assert_eq!(lines[0].joined_no, Some(2));
    }

    fn kind(s: &str) -> Kind {
        let lines = split_lines(s);
        classify(&lines[0]).0
    }

    #[test]
    fn running_heads_are_told_from_headlines_and_body_lines() {
        for head in [
            "团结报　2023年5月8日　星期一　　综 合 新 闻　3",
            "湖南日报 2023年5月9日 星期二 区域新闻 第5版",
            "第 4 版 文旅·经济 2023 年 5 月 8 日",
            "益阳日报 2023年5月10日 星期三 第2版",
            "2023年5月8日 星期一 农历三月十九",
            "综 合 新 闻　3",
            "第4版 要闻",
            "要闻 A2版",
        ] {
            assert_eq!(kind(head), Kind::Masthead, "{head}");
        }
        for not_head in [
            // Sentences, headlines and wrapped body lines with dates.
            "2023年5月8日，长沙县召开推进会",
            "截至2023年5月8日共有12",
            "据湖南日报2023年5月8日报道",
            "2023年5月8日",
            "综合新闻",
            "要闻",
            "群众举报 2023年5月8日起",
            "本报5月8日讯（记者 王敏）",
            "新闻速递",
        ] {
            assert_ne!(kind(not_head), Kind::Masthead, "{not_head}");
        }
        assert_eq!(
            masthead_date("团结报　2023年5月8日　星期一　　综 合 新 闻　3"),
            Some((2023, 5, 8))
        );
        assert_eq!(masthead_date("综 合 新 闻　3"), None);
        assert_eq!(masthead_date("2023年2月30日 星期一"), None);
        assert_eq!(kind("本版责任编辑：向 阳"), Kind::Editor);
    }

    #[test]
    fn banners_by_theme_word_or_ending_not_minority_names() {
        assert_eq!(kind("民生·关注"), Kind::Banner);
        assert_eq!(kind("乡村振兴·三湘行"), Kind::Banner);
        assert_eq!(kind("法治·视点"), Kind::Banner);
        assert_eq!(kind("# 要闻"), Kind::Banner);
        assert_eq!(kind("(完)"), Kind::Label);
        assert!(ends_paragraph(
            "“现在江里经常能看到江豚，这是我小时候的记忆。”护江志愿者李大爷说"
        ));
        assert!(!ends_paragraph("“这是我小时候的记忆。”李大爷说"));
        assert_eq!(kind("游客在古镇游玩。资料图片"), Kind::Caption);
        assert_eq!(kind("工人在车间忙碌。（新华社发）"), Kind::Caption);
        assert_eq!(kind("这是一份资料图片"), Kind::Text);
        assert_eq!(kind("买买提·艾力"), Kind::NameByline);
    }

    #[test]
    fn markdown_dash_line_is_a_subtitle() {
        assert_eq!(kind("### ——靖州县推进传统村落保护利用纪实"), Kind::Subtitle);
    }

    #[test]
    fn recognises_line_kinds() {
        assert_eq!(kind(" ▲ ▲（上接1版①）"), Kind::Marker);
        assert_eq!(kind("（下转2版）"), Kind::Marker);
        assert_eq!(kind("责任编辑:王建设"), Kind::Editor);
        assert_eq!(kind("（责任编辑：陈静）"), Kind::Editor);
        assert_eq!(kind("(本版编辑: 陈静)"), Kind::Editor);
        assert_ne!(
            kind("（编辑：这是一句很长的话，不是编辑署名，而是正文里的一段说明文字。）"),
            Kind::Editor
        );
        // A whole line in bold is read as its text: here a byline.
        assert_eq!(
            split_lines("**本报记者 周华 通讯员 唐亮**")[0].text,
            "本报记者 周华 通讯员 唐亮"
        );
        assert_eq!(
            split_lines("**加粗**与**加粗**")[0].text,
            "**加粗**与**加粗**"
        );
        assert_eq!(split_lines("***")[0].text, "***");
        assert_eq!(kind("前言："), Kind::Label);
        assert_eq!(kind("编者按"), Kind::Label);
        assert_eq!(kind("【编者按】"), Kind::Label);
        assert_eq!(kind("本版责任编辑　刘 红"), Kind::Editor);
        assert_eq!(kind("责任编辑 张敏 版式设计 李华"), Kind::Editor);
        assert_eq!(kind("（责任编辑　龙 丽）"), Kind::Editor);
        assert_eq!(kind("(编辑 王敏)"), Kind::Editor);
        assert_eq!(kind("（编辑 是一种职业）"), Kind::Text);
        assert_eq!(kind("编辑 是一种职业"), Kind::Text);
        assert_eq!(kind("■链接："), Kind::Label);
        assert_eq!(column_label("■链接："), Some("链接"));
        assert_eq!(column_label("【短评】"), Some("短评"));
        assert_eq!(column_label("编者按"), None);
        assert_eq!(column_label("（完）"), None);
        assert!(is_sidebar_label("【相关链接】"));
        assert!(!is_sidebar_label("短评"));
        assert_eq!(
            kind("（作者单位：湖南中医药大学第一附属"),
            Kind::Affiliation
        );
        assert_eq!(
            kind("桥头河镇屋场会宣讲党的二十大精神。 王朝阳 摄"),
            Kind::Caption
        );
        assert_eq!(
            kind("岳阳市·湘西州对口帮扶工作会在岳阳市召开。 （保靖县委宣传部提供）"),
            Kind::Caption
        );
        assert_eq!(kind("献血现场。通讯员供图"), Kind::Caption);
        assert_eq!(kind("图①：市民使用手机办理业务。"), Kind::Caption);
        assert_eq!(kind("图2：村民在晒谷。"), Kind::Caption);
        assert_eq!(kind("（武 剑 谭茜纯）"), Kind::ParenByline);
        assert_eq!(kind("株洲日报全媒体记者/董介 廖智勇"), Kind::CreditByline);
        assert_eq!(kind("来源：湖南日报"), Kind::CreditByline);
        assert_eq!(kind("稿件来源: 新华社"), Kind::CreditByline);
        assert_ne!(
            kind("来源：群众反映强烈的问题，我们要认真解决。"),
            Kind::CreditByline
        );
        assert_eq!(kind("王鹏基 段铭柯 李梅花"), Kind::NameByline);
        assert_eq!(kind("芦淞区委组织部"), Kind::Institution);
        assert_eq!(
            kind("——娄星区持续整治群众身边不正之风和腐败问题"),
            Kind::Subtitle
        );
        assert_eq!(kind("实干担当·娄星篇"), Kind::Banner);
        assert_eq!(kind("## 生命·周刊"), Kind::Banner);
        assert_eq!(kind("非凡十年看湘中· （四）涟源篇涟源篇"), Kind::Banner);
        assert_eq!(kind("以"), Kind::Fragment);
        assert_eq!(kind("高度重视 尽岳阳所能，帮保靖所需"), Kind::Text);
    }

    #[test]
    fn paragraph_ends() {
        assert!(ends_paragraph("花开幸福保靖”的华美乐章。"));
        assert!(ends_paragraph("参加28个项目的比赛。（邓 伟）"));
        assert!(ends_paragraph("减负。”（记者 陈红）"));
        assert!(!ends_paragraph("参加28个项目的比赛（邓 伟）"));
        assert!(!ends_paragraph("比赛。（下转"));
        assert!(ends_paragraph("附：重点项目清单（略）"));
        assert!(ends_paragraph("发展贡献智慧和力量……”"));
        assert!(ends_paragraph("见证硬核实力——"));
        assert!(!ends_paragraph("“施工员”，与群众“面对面”“手牵手”"));
        assert!(!ends_paragraph("人民政府“真抓实干表扬激励”表彰；"));
    }

    #[test]
    fn heading_shapes() {
        assert!(heading_shape("高位推动，织密监督“一张网”"));
        assert!(!heading_shape("委领导带头调度线索案件办理，定期“一对"));
        assert!(!heading_shape("“减肥不是百米冲刺,是终身马拉松。”市中"));
        assert!(!heading_shape("强筋健骨，"));
        assert!(has_word_separator("高度重视 尽岳阳所能，帮保靖所需"));
        assert!(!has_word_separator(
            "罗 玲 还 将 对“ 严 、忍 ”等 汉 字 进 行 解"
        ));
    }
}
