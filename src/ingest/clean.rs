//! Text cleanup for newspaper page text: justification spaces, doubled
//! ("fake bold") headline text, ASCII punctuation inside Chinese text.
//!
//! Works on single strings only. It must NOT decide what a line is (that is
//! `lines.rs`), must not join lines and must not rewrite anything beyond the
//! documented cleanup.

/// A CJK ideograph (the characters between which justification spaces are removed).
pub use crate::text::is_ideograph as is_cjk;

/// Full-width / typographic punctuation used in Chinese text.
pub fn is_wide_punct(c: char) -> bool {
    matches!(c,
        '\u{3001}'..='\u{303f}'
        | '\u{ff01}'..='\u{ff0f}'
        | '\u{ff1a}'..='\u{ff20}'
        | '\u{ff3b}'..='\u{ff40}'
        | '\u{ff5b}'..='\u{ff65}'
        | '\u{2010}'..='\u{2027}'
        | '\u{00b7}'
        | '\u{2460}'..='\u{24ff}'
        | '\u{25a0}'..='\u{25ff}'
        | '\u{2605}'..='\u{2606}')
}

/// CJK ideograph or Chinese punctuation: "wide" text.
pub fn is_wide(c: char) -> bool {
    is_cjk(c) || is_wide_punct(c)
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{3000}' || c == '\u{a0}'
}

/// Full-width digits and Latin letters ("２０２４年", "ＵＢＥ") as ASCII, as NFKC would have
/// them: the same number or word whichever way the page was typeset, for dates, search and
/// the reader. Full-width punctuation and spaces are left alone (they are Chinese
/// typography, and the layout reads the spaces).
pub fn halfwidth_alnum(s: &str) -> std::borrow::Cow<'_, str> {
    let wide = |c: char| matches!(c, '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ');
    if !s.chars().any(wide) {
        return std::borrow::Cow::Borrowed(s);
    }
    s.chars()
        .map(|c| {
            if wide(c) {
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            } else {
                c
            }
        })
        .collect::<String>()
        .into()
}

/// Full cleanup for headline-like text (titles, kickers, subtitles, section
/// headings, captions, banners): justification spaces removed, deliberate
/// separators between words kept, doubled bold text collapsed, ASCII
/// punctuation in Chinese text made full-width.
pub fn clean_text(s: &str) -> String {
    collapse_doubled(&clean_headline_spaces(s)).0
}

/// Cleanup of one body line: every space touching a CJK character or Chinese
/// punctuation is removed (real spaces between Latin words stay), ASCII
/// punctuation is normalised. Doubled text is NOT collapsed in body text.
pub fn clean_body(s: &str) -> String {
    settle(s, false)
}

/// Space removal then punctuation normalisation, repeated until nothing
/// changes (a mark turned wide can make a space removable or a neighbouring
/// mark wide), so cleanup is idempotent.
fn settle(s: &str, keep_words: bool) -> String {
    let mut cur = normalize_punct(&remove_spaces(s, keep_words));
    // Each pass only turns ASCII marks wide (never back), so this settles;
    // the cap bounds the work on hostile input.
    for _ in 0..8 {
        let next = normalize_punct(&remove_spaces(&cur, keep_words));
        if next == cur {
            break;
        }
        cur = next;
    }
    cur
}

/// Headline-mode space cleanup plus punctuation, without doubling collapse.
pub fn clean_headline_spaces(s: &str) -> String {
    settle(s, true)
}

/// Space-separated tokens of a line (runs of non-space characters).
fn tokens(s: &str) -> Vec<&str> {
    s.split(is_space).filter(|t| !t.is_empty()).collect()
}

/// A line is space-justified when many gaps sit next to single wide characters
/// ("走 进 保 靖"): then none of its CJK spaces is deliberate.
pub fn is_justified(s: &str) -> bool {
    let toks = tokens(s);
    if toks.len() < 4 {
        return false;
    }
    let single = toks
        .iter()
        .filter(|t| {
            let n = t.chars().filter(|c| is_wide(*c)).count();
            n == 1 || (n == 2 && t.chars().any(is_wide_punct))
        })
        .count();
    single * 5 >= toks.len() * 2
}

/// Remove justification spaces. With `keep_words`, a single space between two
/// runs of at least two CJK characters each is a deliberate separator and kept
/// ("文明守法 平安回家"), unless the whole line is space-justified.
pub fn remove_spaces(s: &str, keep_words: bool) -> String {
    let s = s.trim_matches(is_space);
    let justified = is_justified(s);
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if !is_space(c) {
            out.push(c);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && is_space(chars[i]) {
            i += 1;
        }
        let (Some(&a), Some(&b)) = (out.chars().last().as_ref(), chars.get(i)) else {
            continue;
        };
        if keep_gap(
            &chars,
            start,
            i,
            (a, b),
            keep_words && !justified,
            justified,
        ) {
            out.push(' ');
        }
    }
    out
}

/// Decide whether the gap chars[start..end] between `a` and `b` is kept.
fn keep_gap(
    chars: &[char],
    start: usize,
    end: usize,
    (a, b): (char, char),
    words: bool,
    justified_line: bool,
) -> bool {
    // A headline separator may sit after a closing quote or before an opening
    // one ("打造“15分钟健身圈” 让群众…"); each side must hold a word.
    let closing = |c: char| "”’」』》）".contains(c);
    let opening = |c: char| "“‘「『《（".contains(c);
    let quoted =
        (closing(a) || is_cjk(a)) && (opening(b) || is_cjk(b)) && !(is_cjk(a) && is_cjk(b));
    if is_wide_punct(a) || is_wide_punct(b) || matches!(b, '%' | '‰' | '℃') {
        return words && !justified_line && quoted && word_each_side(chars, start, end);
    }
    let decimal = (a == '.' && b.is_ascii_digit()) || (a.is_ascii_digit() && b == '.');
    if !is_wide(a) && !is_wide(b) {
        // Latin text keeps real spaces; "2. 3" is a padded decimal and a
        // space-justified line pads digits too ("4 2 0 家").
        let letters = a.is_ascii_alphabetic() && b.is_ascii_alphabetic();
        return !decimal && (letters || !justified_line);
    }
    if !(is_cjk(a) && is_cjk(b) && words) {
        return false;
    }
    word_each_side(chars, start, end)
}

/// At least two CJK characters in the space-free token on each side of the
/// gap `start..end`.
fn word_each_side(chars: &[char], start: usize, end: usize) -> bool {
    let left = chars[..start]
        .iter()
        .rev()
        .take_while(|c| !is_space(**c))
        .filter(|c| is_cjk(**c))
        .count();
    let right = chars[end..]
        .iter()
        .take_while(|c| !is_space(**c))
        .filter(|c| is_cjk(**c))
        .count();
    left >= 2 && right >= 2
}

/// ASCII marks [`normalize_punct`] may turn into full-width ones.
const MAPPED: &str = ",:;!?.\"()";

/// Normalise ASCII punctuation inside Chinese text to full-width forms. Numbers
/// keep theirs ("1,000", "2.63", "9:00").
pub fn normalize_punct(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut parens: Vec<bool> = Vec::new();
    let has_cjk = chars.iter().any(|c| is_cjk(*c));
    let mut quote_open = false;
    // Neighbours skip spaces and the ASCII marks this function may turn wide,
    // so a run like `""` is decided as one and a second pass changes nothing
    // (idempotent). Computed once each way: linear even on a 1 MB line.
    let seen = |c: char| !is_space(c) && !MAPPED.contains(c);
    let mut prevs = Vec::with_capacity(chars.len());
    let mut last = None;
    for &c in &chars {
        prevs.push(last);
        if seen(c) {
            last = Some(c);
        }
    }
    let mut nexts = vec![None; chars.len()];
    last = None;
    for (i, &c) in chars.iter().enumerate().rev() {
        nexts[i] = last;
        if seen(c) {
            last = Some(c);
        }
    }
    for (i, &c) in chars.iter().enumerate() {
        let (prev, next) = (prevs[i], nexts[i]);
        let wide_near = prev.is_some_and(is_wide) || next.is_some_and(is_wide);
        let digits_around =
            prev.is_some_and(|p| p.is_ascii_digit()) && next.is_some_and(|n| n.is_ascii_digit());
        let mapped = match c {
            ',' if digits_around => {
                let group = chars[i + 1..]
                    .iter()
                    .take_while(|c| c.is_ascii_digit())
                    .count();
                if group != 3 && has_cjk { '，' } else { ',' }
            }
            ',' if wide_near => '，',
            ':' if digits_around => ':',
            ':' if wide_near => '：',
            ';' if wide_near => '；',
            '!' if wide_near => '！',
            '?' if wide_near => '？',
            '.' if prev.is_some_and(is_cjk) && next.is_none_or(is_wide) => '。',
            '"' if wide_near => {
                quote_open = !quote_open;
                if quote_open { '“' } else { '”' }
            }
            '(' => {
                parens.push(wide_near);
                if wide_near { '（' } else { '(' }
            }
            ')' => match parens.pop() {
                Some(true) => '）',
                Some(false) => ')',
                None if wide_near => '）',
                None => ')',
            },
            other => other,
        };
        out.push(mapped);
    }
    out
}

/// Collapse doubled bold text ("洞庭碧波连酉水洞庭碧波连酉水",
/// "保靖县保靖县3030年侧记年侧记"). A repeat counts when the repeated piece has
/// at least three characters including a CJK one, or two characters right
/// after another collapsed piece. Returns the text and the removed duplicates.
/// Repeated until nothing collapses (tripled text, doubles left by a
/// collapse), so the result is stable.
pub fn collapse_doubled(s: &str) -> (String, Vec<String>) {
    let (mut out, mut removed) = collapse_once(s);
    // Each pass that changes the text shortens it; the cap bounds the work.
    for _ in 0..8 {
        let (next, more) = collapse_once(&out);
        if more.is_empty() {
            break;
        }
        out = next;
        removed.extend(more);
    }
    (out, removed)
}

fn collapse_once(s: &str) -> (String, Vec<String>) {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() > MAX_HEADLINE {
        return (s.to_string(), Vec::new());
    }
    let mut out = String::with_capacity(s.len());
    let mut removed = Vec::new();
    let mut i = 0;
    let mut after_collapse = false;
    while i < chars.len() {
        let min = if after_collapse { 2 } else { 3 };
        match longest_repeat(&chars, i, min) {
            Some(len) => {
                let piece: String = chars[i..i + len].iter().collect();
                out.push_str(&piece);
                removed.push(piece);
                i += 2 * len;
                after_collapse = true;
            }
            None => {
                out.push(chars[i]);
                after_collapse = after_collapse && !is_cjk(chars[i]) && is_space(chars[i]);
                i += 1;
            }
        }
    }
    (out, removed)
}

/// Longer text is no headline: doubling is not looked for.
const MAX_HEADLINE: usize = 400;

/// Longest doubled piece considered (keeps the scan linear on long lines).
const MAX_PIECE: usize = 60;

/// Longest `len >= min` with chars[i..i+len] == chars[i+len..i+2len], the
/// piece holding a CJK character (digits allowed for the short follow-up).
fn longest_repeat(chars: &[char], i: usize, min: usize) -> Option<usize> {
    let rest = chars.len().saturating_sub(i);
    (min..=(rest / 2).min(MAX_PIECE)).rev().find(|&len| {
        let piece = &chars[i..i + len];
        piece == &chars[i + len..i + 2 * len]
            && !piece.iter().any(|c| is_space(*c))
            && (piece.iter().any(|c| is_cjk(*c))
                || (min == 2 && piece.iter().all(|c| c.is_ascii_digit())))
    })
}

/// Number of visible (non-space) characters.
pub fn visible_len(s: &str) -> usize {
    s.chars().filter(|c| !is_space(*c)).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_digits_and_letters_become_ascii_and_nothing_else_does() {
        assert_eq!(
            halfwidth_alnum("２０２４年５月，ＵＢＥ技术ｘ"),
            "2024年5月，UBE技术x"
        );
        assert_eq!(halfwidth_alnum("（　）：；！"), "（　）：；！");
        assert!(matches!(
            halfwidth_alnum("本报讯"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn justification_spaces_between_cjk_removed() {
        assert_eq!(
            clean_body("走 进 保 靖 岳 阳 小 学 ，“ 先 天 下 之 忧 而"),
            "走进保靖岳阳小学，“先天下之忧而"
        );
        assert_eq!(clean_body("近 3 年，两地"), "近3年，两地");
        assert_eq!(clean_body("自 1994 年开始"), "自1994年开始");
        assert_eq!(clean_body("成功打造 AAA 级景区"), "成功打造AAA级景区");
        assert_eq!(clean_body("增长 6.8 %，居首"), "增长6.8%，居首");
    }

    #[test]
    fn separators_next_to_quotes_in_headlines_kept() {
        assert_eq!(
            clean_text("湘潭市打造“15分钟健身圈” 让群众家门口就能动起来"),
            "湘潭市打造“15分钟健身圈” 让群众家门口就能动起来"
        );
        assert_eq!(
            clean_text("持续用力 “清廉村居”赋能乡村振兴"),
            "持续用力 “清廉村居”赋能乡村振兴"
        );
        // Justification padding next to quotes still goes.
        assert_eq!(clean_text("借“ 语 言 文 字 ”助 力"), "借“语言文字”助力");
        assert_eq!(
            clean_body("“清廉村居” 赋能乡村振兴"),
            "“清廉村居”赋能乡村振兴"
        );
    }

    #[test]
    fn deliberate_separators_in_headlines_kept() {
        assert_eq!(
            clean_text("岳阳启动“文明守法 平安回家”主题宣传活动"),
            "岳阳启动“文明守法 平安回家”主题宣传活动"
        );
        assert_eq!(
            clean_text("高度重视 尽岳阳所能，帮保靖所需"),
            "高度重视 尽岳阳所能，帮保靖所需"
        );
        assert_eq!(
            clean_text("顽 瘴 痼 疾 整 治 办 主 任"),
            "顽瘴痼疾整治办主任"
        );
    }

    #[test]
    fn latin_spaces_kept() {
        assert_eq!(
            clean_body("about Hello world 和你"),
            "about Hello world和你"
        );
        assert_eq!(clean_body("G20 峰会"), "G20峰会");
    }

    #[test]
    fn ascii_punct_made_full_width_outside_numbers() {
        assert_eq!(
            normalize_punct("做大做强县域经济,关键在于产业。(作者单位:市委党校)"),
            "做大做强县域经济，关键在于产业。（作者单位：市委党校）"
        );
        assert_eq!(
            normalize_punct("增长到1,000元,增长2.63倍"),
            "增长到1,000元，增长2.63倍"
        );
        assert_eq!(
            normalize_punct("### 11:00,30分钟解决"),
            "### 11:00，30分钟解决"
        );
        assert_eq!(normalize_punct("Hello, world (ok)"), "Hello, world (ok)");
        assert_eq!(normalize_punct("值!上门"), "值！上门");
        assert_eq!(
            normalize_punct("他说\"好\"。我们来了."),
            "他说“好”。我们来了。"
        );
        assert_eq!(normalize_punct("版本 v2.1 和 3.5万"), "版本 v2.1 和 3.5万");
    }

    #[test]
    fn doubled_bold_text_collapsed() {
        assert_eq!(clean_text("洞庭碧波连酉水洞庭碧波连酉水"), "洞庭碧波连酉水");
        let (text, removed) =
            collapse_doubled("岳阳市持续对口帮扶保靖县岳阳市持续对口帮扶保靖县3030年侧记年侧记");
        assert_eq!(text, "岳阳市持续对口帮扶保靖县30年侧记");
        assert_eq!(removed, vec!["岳阳市持续对口帮扶保靖县", "30", "年侧记"]);
        assert_eq!(
            clean_text("非凡十年看湘中· （四）涟源篇涟源篇"),
            "非凡十年看湘中·（四）涟源篇"
        );
    }

    #[test]
    fn normal_repetition_not_collapsed() {
        assert_eq!(clean_text("谢谢大家"), "谢谢大家");
        assert_eq!(clean_text("2020年以来"), "2020年以来");
        assert_eq!(clean_text("一对一帮扶"), "一对一帮扶");
    }

    // Found by tests/reliability_fuzz.rs: cleanup must be idempotent.
    #[test]
    fn cleanup_is_idempotent_on_fuzz_finds() {
        for s in [
            "。\" ꀀ",
            "本报讯\"\"",
            "\")本报讯",
            "一.!a",
            "一.(a",
            "乡村振兴乡村振兴乡村振兴",
        ] {
            let once = clean_text(s);
            assert_eq!(clean_text(&once), once, "{s:?}");
        }
        assert_eq!(clean_text("乡村振兴乡村振兴乡村振兴"), "乡村振兴");
        assert_eq!(normalize_punct("本报讯\"\""), "本报讯“”");
    }
}
