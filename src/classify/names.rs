//! Name forms of administrative divisions: the short base of an official name
//! ("湘西土家族苗族自治州" → "湘西"), its display short name ("湘西州") and its
//! pinyin URL slug ("xiangxi").
//!
//! Pure string functions over one name at a time. This module must NOT know
//! about the division tree, sibling collisions or text matching: the
//! gazetteer and the alias index build on it.

use pinyin::ToPinyin;

/// Ethnic group names that appear in the official names of autonomous
/// divisions ("土家族苗族自治州"), longest first so that "土家" wins over "土".
const ETHNIC_GROUPS: &[&str] = &[
    "柯尔克孜",
    "乌孜别克",
    "维吾尔",
    "哈萨克",
    "俄罗斯",
    "鄂温克",
    "鄂伦春",
    "达斡尔",
    "塔吉克",
    "塔塔尔",
    "土家",
    "布依",
    "朝鲜",
    "哈尼",
    "傈僳",
    "高山",
    "拉祜",
    "东乡",
    "纳西",
    "景颇",
    "仫佬",
    "布朗",
    "撒拉",
    "毛南",
    "仡佬",
    "锡伯",
    "阿昌",
    "普米",
    "德昂",
    "保安",
    "裕固",
    "独龙",
    "赫哲",
    "门巴",
    "珞巴",
    "基诺",
    "蒙古",
    "各族",
    "苗",
    "侗",
    "瑶",
    "壮",
    "回",
    "藏",
    "彝",
    "满",
    "白",
    "傣",
    "黎",
    "佤",
    "畲",
    "水",
    "土",
    "羌",
    "怒",
    "京",
    "汉",
];

/// Suffixes that mark the kind of a division, longest first. Stripping one of
/// them from an official name leaves its base ("保靖县" → "保靖").
const SUFFIXES: &[&str] = &[
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "林区",
    "地区",
    "省",
    "市",
    "州",
    "县",
    "区",
    "盟",
    "旗",
];

/// Pinyin fixes for place names whose common reading differs from the first
/// dictionary reading of a character ("长沙" is chang-sha, not zhang-sha).
/// Applied longest match first, before the per-character fallback.
const PINYIN_OVERRIDES: &[(&str, &str)] = &[
    ("重庆", "chongqing"),
    ("厦门", "xiamen"),
    ("蚌埠", "bengbu"),
    ("六安", "luan"),
    ("六合", "luhe"),
    ("西藏", "xizang"),
    ("单县", "shanxian"),
    ("番禺", "panyu"),
    ("铅山", "yanshan"),
    ("涡阳", "guoyang"),
    ("乐亭", "laoting"),
    ("泌阳", "biyang"),
    ("黄陂", "huangpi"),
    ("长", "chang"),
    ("都", "du"),
];

/// The name split into its base and its kind suffix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameParts {
    /// The distinctive part: "湘西", "保靖", "内蒙古". May be a single
    /// character for generic names ("城区" → "城").
    pub base: String,
    /// The stripped kind suffix: "自治州", "县", "市", or "" when none.
    pub suffix: String,
    /// True when ethnic group names were stripped (an autonomous division).
    pub autonomous: bool,
}

/// Splits an official name into base and suffix, dropping ethnic group names
/// of autonomous divisions. The base keeps at least two characters where the
/// name allows it ("城区" keeps base "城" because nothing longer exists).
pub fn split_name(name: &str) -> NameParts {
    let mut base = name.to_string();
    let mut suffix = String::new();
    for s in SUFFIXES {
        if let Some(rest) = base.strip_suffix(s)
            && rest.chars().count() >= 1
        {
            suffix = (*s).to_string();
            base = rest.to_string();
            break;
        }
    }
    let mut autonomous = suffix.starts_with("自治") || suffix == "特别行政区";
    // Strip trailing ethnic names ("土家族苗族"), keeping a base of 2+ chars.
    loop {
        let mut stripped = false;
        for e in ETHNIC_GROUPS {
            // "土家族", or a name of two or more characters without "族" ("土家"),
            // which only an autonomous or suffixless name may end with.
            let with_zu = base.strip_suffix('族').and_then(|r| r.strip_suffix(e));
            let bare = (e.chars().count() > 1 && (autonomous || suffix.is_empty()))
                .then(|| base.strip_suffix(e))
                .flatten();
            if let Some(rest) = with_zu.or(bare)
                && rest.chars().count() >= 2
            {
                base = rest.to_string();
                stripped = true;
                autonomous = true;
                break;
            }
        }
        if !stripped {
            break;
        }
    }
    NameParts {
        base,
        suffix,
        autonomous,
    }
}

/// Display short name: the base, with "州" kept for autonomous prefectures
/// ("湘西州") and "盟"/"旗" kept because they are part of common usage.
/// Falls back to the full name when the base is a single character.
pub fn short_name(name: &str) -> String {
    let parts = split_name(name);
    if parts.base.chars().count() < 2 {
        return name.to_string();
    }
    match parts.suffix.as_str() {
        "自治州" => format!("{}州", parts.base),
        "盟" | "旗" | "自治旗" => {
            format!("{}{}", parts.base, parts.suffix.replace("自治", ""))
        }
        _ => parts.base,
    }
}

/// Lower-case ASCII pinyin of a Chinese string without tones or separators
/// ("湘西" → "xiangxi"); ü is written "v"; characters without pinyin are
/// dropped unless they are ASCII alphanumerics.
pub fn pinyin_slug(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    'outer: while let Some(ch) = rest.chars().next() {
        for (han, py) in PINYIN_OVERRIDES {
            if let Some(r) = rest.strip_prefix(han) {
                out.push_str(py);
                rest = r;
                continue 'outer;
            }
        }
        if let Some(p) = ch.to_pinyin() {
            out.push_str(&p.plain().replace('ü', "v"));
        } else if ch.is_ascii_alphanumeric() {
            out.push(ch.to_ascii_lowercase());
        }
        rest = &rest[ch.len_utf8()..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_autonomous_prefecture() {
        let p = split_name("湘西土家族苗族自治州");
        assert_eq!(p.base, "湘西");
        assert_eq!(p.suffix, "自治州");
        assert!(p.autonomous);
        assert_eq!(short_name("湘西土家族苗族自治州"), "湘西州");
        assert_eq!(split_name("伊犁哈萨克自治州").base, "伊犁");
        assert_eq!(split_name("城步苗族自治县").base, "城步");
        assert_eq!(split_name("广西壮族自治区").base, "广西");
        assert_eq!(split_name("内蒙古自治区").base, "内蒙古");
    }

    #[test]
    fn splits_plain_names() {
        assert_eq!(short_name("保靖县"), "保靖");
        assert_eq!(short_name("岳阳市"), "岳阳");
        assert_eq!(short_name("湖南省"), "湖南");
        assert_eq!(short_name("城区"), "城区");
        assert_eq!(short_name("阿拉善盟"), "阿拉善盟");
        // "白银市" is not an ethnic name: 白 needs 族 to be stripped.
        assert_eq!(short_name("白银市"), "白银");
    }

    #[test]
    fn pinyin_of_place_names() {
        assert_eq!(pinyin_slug("长沙"), "changsha");
        assert_eq!(pinyin_slug("重庆"), "chongqing");
        assert_eq!(pinyin_slug("湘西"), "xiangxi");
        assert_eq!(pinyin_slug("吕梁"), "lvliang");
        assert_eq!(pinyin_slug("成都"), "chengdu");
    }
}
