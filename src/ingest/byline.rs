//! Recognising author credits: personal names ("向 科", "王鹏基 段铭柯"),
//! institutions ("芦淞区委组织部"), role-prefixed credits
//! ("株洲日报全媒体记者/董介 廖智勇"), closing bylines in parentheses and
//! inline datelines ("株洲日报(全媒体记者/刘琼 通讯员/黎婕妤)3月29日,…").
//!
//! Works on single strings; it must NOT decide where a byline sits in a story.

use super::clean::{is_cjk, is_wide_punct};

/// Common Chinese surnames (single character).
const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由";

/// Compound surnames (two characters).
const COMPOUND_SURNAMES: &[&str] = &[
    "欧阳", "上官", "司马", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
    "令狐", "夏侯", "端木", "独孤", "南宫", "西门", "万俟", "申屠", "澹台", "轩辕",
];

/// Role words that precede names in credits; they are not names.
const ROLES: &[&str] = &[
    "本报记者",
    "全媒体记者",
    "见习记者",
    "特约记者",
    "融媒体记者",
    "记者",
    "通讯员",
    "实习生",
    "特约撰稿人",
    "撰稿",
    "摄影",
    "摄影报道",
    "报道",
    // After the names: "（本报记者 唐 文 整理）".
    "整理",
    "执笔",
    "采写",
    "编译",
    "文图",
    "文/图",
    "图文",
    "文",
    "图",
    "摄",
];

/// Marks printed before a commentary byline ("□ 欧阳晓").
const BYLINE_MARKS: &[char] = &['□', '■', '◎', '●', '○', '◆', '◇', '★', '☆'];

/// Endings that mark an institution credit ("芦淞区委组织部").
const INSTITUTION_ENDINGS: &[&str] = &[
    "部",
    "委",
    "局",
    "办",
    "院",
    "厅",
    "中心",
    "协会",
    "学会",
    "学校",
    "大学",
    "党校",
    "政府",
    "公司",
    "集团",
    "支队",
    "大队",
    "派出所",
    "纪委监委",
    "委员会",
    "研究所",
    "工作站",
    "小组",
    // Commentary signed by the paper: "本报评论员", "本报特约评论员".
    "评论员",
];

/// A personal name: 2–4 CJK characters (or with "·" for minority names),
/// starting with a known surname.
pub fn is_personal_name(s: &str) -> bool {
    let n = s.chars().count();
    if s.contains('·') {
        return (3..=12).contains(&n) && s.chars().all(|c| is_cjk(c) || c == '·');
    }
    if !(2..=4).contains(&n) || !s.chars().all(is_cjk) {
        return false;
    }
    if COMPOUND_SURNAMES.iter().any(|p| s.starts_with(p)) {
        return n >= 3;
    }
    let first = s.chars().next().unwrap_or(' ');
    n <= 3 && SURNAMES.contains(first)
}

/// An institution credit line: short, CJK only, with an institutional ending.
pub fn is_institution(s: &str) -> bool {
    let n = s.chars().count();
    (4..=10).contains(&n)
        && s.chars().all(is_cjk)
        && INSTITUTION_ENDINGS.iter().any(|e| s.ends_with(e))
}

/// Join justification-split names: runs of single characters pair up
/// ("武 剑 谭茜纯" → 武剑, 谭茜纯; "黄 鹂 徐俊武" → 黄鹂, 徐俊武).
fn merge_single_chars(tokens: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    let mut run: Vec<&str> = Vec::new();
    let flush = |run: &mut Vec<&str>, out: &mut Vec<String>| {
        match run.len() {
            0 => {}
            3 => out.push(run.concat()),
            _ => out.extend(run.chunks(2).map(|c| c.concat())),
        }
        run.clear();
    };
    for t in tokens {
        if t.chars().count() == 1 {
            run.push(t);
        } else {
            flush(&mut run, &mut out);
            out.push((*t).to_string());
        }
    }
    flush(&mut run, &mut out);
    out
}

/// Strip role prefixes from a credit token ("全媒体记者/董介" → "董介";
/// "记者" → ""). Returns the remaining name part.
fn strip_role(token: &str) -> &str {
    if let Some(pos) = token.rfind(['/', '／']) {
        let after = token[pos..].chars().next().map_or(1, char::len_utf8);
        return strip_role(&token[pos + after..]);
    }
    let is_role = |r: &&str| token == *r || (r.chars().count() >= 2 && token.ends_with(*r));
    if ROLES.iter().any(is_role) {
        return "";
    }
    for role in ROLES.iter().filter(|r| r.chars().count() >= 2) {
        if let Some(rest) = token.strip_prefix(role)
            && is_personal_name(rest)
        {
            return rest;
        }
    }
    token
}

/// Parse a names-only credit ("曾志峰 石思源 赵四清", "武 剑 谭茜纯",
/// "全媒体记者/董介 通讯员/黄隆辉"). `None` when anything is not a name.
pub fn parse_names(s: &str) -> Option<Vec<String>> {
    // Commentary bylines open with a box or dot: "□ 欧阳晓", "■ 张 伟".
    let s = s.trim_start().trim_start_matches(BYLINE_MARKS);
    if s.chars().count() > 80 {
        return None;
    }
    // "张三、李四" lists names with a comma; in space-separated text a
    // comma or other punctuation means this is not a byline.
    let spaced = s.trim().contains(char::is_whitespace);
    let bad_punct = |c: char| {
        (is_wide_punct(c) && c != '·' && (spaced || !"、，".contains(c)))
            || (c.is_ascii_punctuation() && c != '/')
    };
    if s.chars().any(bad_punct) {
        return None;
    }
    let raw: Vec<&str> = s
        .split(|c: char| c.is_whitespace() || c == '\u{3000}' || c == '、' || c == '，')
        .filter(|t| !t.is_empty())
        .collect();
    let had_roles = raw.iter().any(|t| strip_role(t) != *t);
    // A one-character role word ("文", "图") right after a one-character
    // token is the second half of a padded name ("曹 文"), not a role.
    let single = |t: &str| t.chars().count() == 1;
    let stripped: Vec<&str> = raw
        .iter()
        .enumerate()
        .map(|(k, t)| {
            let padded_half =
                single(t) && k > 0 && single(raw[k - 1]) && strip_role(raw[k - 1]) == raw[k - 1];
            if padded_half { t } else { strip_role(t) }
        })
        .filter(|t| !t.is_empty())
        .collect();
    if stripped.is_empty() || stripped.len() > 12 {
        return None;
    }
    let names = merge_single_chars(&stripped);
    let ok = names
        .iter()
        .all(|n| is_personal_name(n) || (had_roles && (2..=4).contains(&n.chars().count())));
    (ok && names
        .iter()
        .all(|n| n.chars().all(|c| is_cjk(c) || c == '·')))
    .then_some(names)
}

/// A credit line with role words ("株洲日报全媒体记者/董介 廖智勇",
/// "本报记者 张三 通讯员 李四"): the names it gives.
pub fn parse_credit_line(s: &str) -> Option<Vec<String>> {
    // "作者：刘晓明", "文：王 鹏", "撰文:张三": a role with a colon.
    for role in ["作者", "撰文", "文", "记者", "通讯员"] {
        if let Some(rest) = s.trim().strip_prefix(role)
            && let Some(rest) = rest.strip_prefix(['：', ':'])
        {
            // "作者：李 军　来源：岳阳日报": the names end where the next field starts.
            let names = ["来源", "编辑", "责任编辑", "摄影", "校对"]
                .iter()
                .filter_map(|field| {
                    let at = rest.find(field)?;
                    rest[at + field.len()..]
                        .trim_start()
                        .starts_with(['：', ':'])
                        .then_some(at)
                })
                .min()
                .map_or(rest, |at| &rest[..at]);
            return parse_names(names.trim());
        }
    }
    let has_role = s.contains("记者") || s.contains("通讯员") || s.contains('/');
    if !has_role || s.chars().count() > 40 || s.chars().any(|c| "。！？，".contains(c)) {
        return None;
    }
    let first = s.split_whitespace().next()?;
    let rest = s[first.len()..].trim();
    let head = strip_role(first);
    let mut tokens: Vec<String> = Vec::new();
    if !head.is_empty() && head != first || is_personal_name(head) {
        tokens.push(head.to_string());
    }
    if !rest.is_empty() {
        tokens.extend(parse_names(rest)?);
    }
    (!tokens.is_empty() && tokens.iter().all(|t| (2..=4).contains(&t.chars().count())))
        .then_some(tokens)
}

/// Content of a whole-line parenthesised credit "（曾志峰 石思源）".
pub fn paren_content(s: &str) -> Option<&str> {
    let inner = s
        .strip_prefix(['（', '('])?
        .strip_suffix(['）', ')'])?
        .trim();
    (!inner.is_empty() && !inner.contains(['（', '(', '）', ')'])).then_some(inner)
}

/// A closing byline in parentheses: names inside.
pub fn parse_paren_byline(s: &str) -> Option<Vec<String>> {
    let inner = paren_content(s.trim())?;
    parse_names(inner).or_else(|| is_institution(inner).then(|| vec![inner.to_string()]))
}

/// A body line ending with a byline after the last sentence:
/// "罗先生就能自由活动。 （彭 婷）" → (body part, byline part, names).
pub fn split_trailing_byline(s: &str) -> Option<(String, String, Vec<String>)> {
    let t = s.trim_end();
    if !(t.ends_with('）') || t.ends_with(')')) {
        return None;
    }
    let open = t.rfind(['（', '('])?;
    let (body, credit) = t.split_at(open);
    let last = body.trim_end().chars().last()?;
    if !(is_wide_punct(last) && "。！？…”」』".contains(last)) {
        return None;
    }
    let names = parse_paren_byline(credit)?;
    Some((body.trim_end().to_string(), credit.to_string(), names))
}

/// A credit as printed, tidied: runs of spaces become one, names padded for justification
/// are closed up ("本报记者 肖 洁 通讯员 唐 敏" → "本报记者 肖洁 通讯员 唐敏", given the names),
/// spaces just inside brackets and around "/" go, and punctuation is made full-width as in
/// body text ("(记者 王 磊)" → "（记者 王磊）").
pub fn tidy_credit(text: &str, names: &[String]) -> String {
    let is_space = |c: char| c.is_whitespace() || c == '\u{3000}';
    let mut t = text
        .split(is_space)
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    for name in names {
        let spaced = name.chars().map(String::from).collect::<Vec<_>>().join(" ");
        if name.chars().count() > 1 {
            t = t.replace(&spaced, name);
        }
    }
    for (from, to) in [
        (" （", "（"),
        (" (", "("),
        ("（ ", "（"),
        (" ）", "）"),
        ("( ", "("),
        (" )", ")"),
        (" /", "/"),
        ("/ ", "/"),
    ] {
        t = t.replace(from, to);
    }
    super::clean::normalize_punct(&t)
}

/// An inline dateline at the start of a body line:
/// "株洲日报(全媒体记者/刘平)“马叔叔…" → (credit, names, rest of line).
pub fn split_dateline(s: &str) -> Option<(String, Vec<String>, String)> {
    let open = dateline_head(s)?;
    let after = &s[open..];
    let close = after.find(['）', ')'])?;
    let close_len = after[close..].chars().next()?.len_utf8();
    let inner = &after[after.chars().next()?.len_utf8()..close];
    if !(inner.contains("记者") || inner.contains("通讯员")) {
        return None;
    }
    let names = parse_names(inner)?;
    let credit = s[..open + close + close_len].to_string();
    let rest = s[open + close + close_len..].to_string();
    (!rest.trim().is_empty()).then_some((credit, names, rest))
}

/// Where the bracket of an inline dateline's credit opens: after a head of 2–24 CJK
/// characters or digits ("本报讯", "株洲日报"), which a space may set apart.
fn dateline_head(s: &str) -> Option<usize> {
    let open = s.find(['（', '('])?;
    let head = s[..open].trim_end_matches(|c: char| c.is_whitespace() || c == '\u{3000}');
    let head_len = head.chars().count();
    ((2..=24).contains(&head_len) && head.chars().all(|c| is_cjk(c) || c.is_ascii_digit()))
        .then_some(open)
}

/// A body line that opens an inline dateline whose credit the column wrapped onto the next
/// line ("本报讯 （记者 刘 洋 通讯员 王小" / "红）5月16日，…"): a dateline head, a bracket with
/// a reporter's role word in it, and no closing bracket yet.
pub fn opens_wrapped_dateline(s: &str) -> bool {
    let Some(open) = dateline_head(s) else {
        return false;
    };
    let inner = &s[open..];
    !inner.contains(['）', ')'])
        && inner.chars().count() <= 40
        && (inner.contains("记者") || inner.contains("通讯员"))
}

/// A paragraph opening with a bare dateline set apart by a space ("本报讯　3月10日，…",
/// "本报长沙3月10日讯 …", "新华社北京3月5日电 …", "据新华社北京9月2日电 …", "赫山讯 区纪委…")
/// → (dateline, rest). The
/// space is the printed separator, not justification: the body keeps one.
pub fn split_bare_dateline(s: &str) -> Option<(&str, &str)> {
    static LEAD: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"^((?:本报|本刊)[\p{Han}\d]{0,10}讯|据?(?:新华社|中新社|中新网)[\p{Han}\d]{0,10}电|\p{Han}{2,4}讯)[\s\u{3000}]+\S",
        )
        .expect("static regex")
    });
    // Words ending in 讯 that open ordinary sentences.
    const WORDS: [&str; 6] = [
        "新闻资讯",
        "网络通讯",
        "移动通讯",
        "无线通讯",
        "卫星通讯",
        "最新资讯",
    ];
    let s = s.trim_start();
    let lead = LEAD.captures(s)?.get(1)?.as_str();
    if WORDS.contains(&lead) {
        return None;
    }
    Some((lead, s[lead.len()..].trim_start()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colon_credit_lines_end_at_the_next_field() {
        assert_eq!(
            parse_credit_line("作者：李 军　来源：岳阳日报"),
            Some(vec!["李军".to_string()])
        );
        assert_eq!(
            parse_credit_line("文：王 鹏 编辑：赵丽"),
            Some(vec!["王鹏".to_string()])
        );
        assert_eq!(
            parse_credit_line("作者：刘晓明"),
            Some(vec!["刘晓明".to_string()])
        );
    }

    #[test]
    fn credits_are_tidied_not_squashed() {
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            tidy_credit("本报记者 肖 洁 通讯员 唐 敏", &names(&["肖洁", "唐敏"])),
            "本报记者 肖洁 通讯员 唐敏"
        );
        assert_eq!(
            tidy_credit("(记者 王 磊)", &names(&["王磊"])),
            "（记者 王磊）"
        );
        assert_eq!(
            tidy_credit("株洲日报(全媒体记者/刘平)", &names(&["刘平"])),
            "株洲日报（全媒体记者/刘平）"
        );
        assert_eq!(
            tidy_credit("□ 本报记者　杨 柳", &names(&["杨柳"])),
            "□ 本报记者 杨柳"
        );
    }

    #[test]
    fn bare_datelines_keep_their_space() {
        assert_eq!(
            split_bare_dateline("　　本报讯　3月10日，记者走进"),
            Some(("本报讯", "3月10日，记者走进"))
        );
        assert_eq!(
            split_bare_dateline("本报长沙3月10日讯 昨日"),
            Some(("本报长沙3月10日讯", "昨日"))
        );
        assert_eq!(
            split_bare_dateline("新华社北京3月5日电　（记者 张三）"),
            Some(("新华社北京3月5日电", "（记者 张三）"))
        );
        assert_eq!(
            split_bare_dateline("据新华社北京9月2日电　记者从"),
            Some(("据新华社北京9月2日电", "记者从"))
        );
        assert_eq!(
            split_bare_dateline("赫山讯 区纪委"),
            Some(("赫山讯", "区纪委"))
        );
        for body in [
            "本报讯3月10日",
            "本 报 讯 3 月",
            "通讯 员张三",
            "最新资讯 一览",
            "会上，他说 好",
        ] {
            assert_eq!(split_bare_dateline(body), None, "{body}");
        }
    }

    #[test]
    fn padded_names_merge() {
        assert_eq!(parse_names("武 剑 谭茜纯").unwrap(), vec!["武剑", "谭茜纯"]);
        assert_eq!(parse_names("向 科").unwrap(), vec!["向科"]);
        assert_eq!(parse_names("姚智慧 李 晖").unwrap(), vec!["姚智慧", "李晖"]);
        assert_eq!(
            parse_names("王鹏基 段铭柯 李梅花").unwrap(),
            vec!["王鹏基", "段铭柯", "李梅花"]
        );
        assert_eq!(
            parse_names("上官智慧 董明勤").unwrap(),
            vec!["上官智慧", "董明勤"]
        );
    }

    #[test]
    fn non_names_rejected() {
        assert!(parse_names("高位推动织密监督").is_none());
        assert!(parse_names("爱在人间").is_none());
        assert!(parse_names("编者按").is_none());
        assert!(parse_names("险 、文 化 体 验 、").is_none());
        assert_eq!(parse_names("张三、李四").unwrap(), vec!["张三", "李四"]);
    }

    #[test]
    fn paren_bylines() {
        assert_eq!(
            parse_paren_byline("(唐颖 李文娟 阳娟 陆益平)").unwrap(),
            vec!["唐颖", "李文娟", "阳娟", "陆益平"]
        );
        assert_eq!(parse_paren_byline("（田贵学）").unwrap(), vec!["田贵学"]);
        assert!(parse_paren_byline("（所）").is_none());
    }

    #[test]
    fn credit_lines_with_roles() {
        assert_eq!(
            parse_credit_line("株洲日报全媒体记者/董介 廖智勇").unwrap(),
            vec!["董介", "廖智勇"]
        );
        assert_eq!(
            parse_credit_line("本报记者 张三 通讯员 李四").unwrap(),
            vec!["张三", "李四"]
        );
    }

    #[test]
    fn institutions() {
        assert!(is_institution("芦淞区委组织部"));
        assert!(is_institution("本报评论员"));
        assert!(is_institution("本报特约评论员"));
        assert!(!is_institution("爱在人间"));
        // A role word after the names is not a name.
        assert_eq!(
            parse_names("本报记者 唐 文 整理"),
            Some(vec!["唐文".to_string()])
        );
    }

    #[test]
    fn trailing_byline_split() {
        let (body, credit, names) =
            split_trailing_byline("罗先生就能自由活动。 （彭 婷）").unwrap();
        assert_eq!(body, "罗先生就能自由活动。");
        assert_eq!(credit, "（彭 婷）");
        assert_eq!(names, vec!["彭婷"]);
        assert!(split_trailing_byline("建设新时代文明实践中心站（所）").is_none());
    }

    #[test]
    fn datelines() {
        let (credit, names, rest) =
            split_dateline("株洲日报(全媒体记者/刘琼 通讯员/黎婕妤)3月29日,第三届").unwrap();
        assert_eq!(credit, "株洲日报(全媒体记者/刘琼 通讯员/黎婕妤)");
        assert_eq!(names, vec!["刘琼", "黎婕妤"]);
        assert_eq!(rest, "3月29日,第三届");
        assert!(split_dateline("洗煤小区(始建于1950年)").is_none());
        // A space may set the head apart.
        let (credit, names, rest) =
            split_dateline("本报讯 （记者 刘 洋 通讯员 王小红）5月16日，衡阳").unwrap();
        assert_eq!(credit, "本报讯 （记者 刘 洋 通讯员 王小红）");
        assert_eq!(names, vec!["刘洋", "王小红"]);
        assert_eq!(rest, "5月16日，衡阳");
    }

    #[test]
    fn datelines_wrapped_by_the_column() {
        assert!(opens_wrapped_dateline("本报讯 （记者 刘 洋 通讯员 王小"));
        assert!(opens_wrapped_dateline("株洲日报(全媒体记者/刘琼"));
        // Closed, without a reporter, or not a dateline head.
        assert!(!opens_wrapped_dateline("本报讯（记者 刘洋）5月16日，"));
        assert!(!opens_wrapped_dateline("本报讯（5月16日"));
        assert!(!opens_wrapped_dateline("近日，记者在现场看到（记者"));
    }

    #[test]
    fn role_with_colon() {
        assert_eq!(parse_credit_line("作者:刘晓明").unwrap(), vec!["刘晓明"]);
        assert_eq!(parse_credit_line("文：王 鹏").unwrap(), vec!["王鹏"]);
        assert!(parse_credit_line("文：近年来，各地加快发展。").is_none());
    }

    #[test]
    fn padded_name_ending_in_a_role_character() {
        assert_eq!(
            parse_names("本报记者 曹 文 通讯员 段小军").unwrap(),
            vec!["曹文", "段小军"]
        );
        assert_eq!(parse_names("文 王五").unwrap(), vec!["王五"]);
    }

    #[test]
    fn commentary_marks_and_report_suffix() {
        assert_eq!(parse_names("□ 欧阳晓").unwrap(), vec!["欧阳晓"]);
        assert_eq!(parse_names("■ 张 伟").unwrap(), vec!["张伟"]);
        assert_eq!(
            parse_credit_line("记者 李晓燕 报道").unwrap(),
            vec!["李晓燕"]
        );
        assert_eq!(
            parse_credit_line("本报记者 杨 帆 通讯员 吴晓军").unwrap(),
            vec!["杨帆", "吴晓军"]
        );
        assert!(parse_names("□ 民生无小事，枝叶总关情。").is_none());
    }
}
