//! Region assignment: which divisions an article is principally about.
//!
//! Rules (each a principle, not a list of cases):
//! - Mentions come from the alias index (full names anywhere, short forms as
//!   whole words only; see aliases.rs). A short form that is a common
//!   non-place word counts only for prefectures of the home province, whose
//!   names readers of the paper know.
//! - Weight by position: title 4, kicker/subtitle/column 3 (and full names in
//!   an institutional byline 3, see [`assign_regions_with_byline`]; the place
//!   of a newspaper dateline, "株洲日报（记者…）", 3 as well; a paper named later, "据株洲日报
//!   报道", is a citation and scores nothing), the body's first
//!   [`LEAD_CHARS`] characters 2, the rest of the body 1 per mention.
//! - An alias naming several divisions (永定区 in Hunan and Fujian) goes to
//!   the candidate best supported by context: other places named in the
//!   article (same prefecture or an ancestor), then the home province, then
//!   the higher level (海南 is the province, not 海南州). A tie drops the mention.
//! - A name directly followed by one of its own divisions ("张家界市永定区")
//!   only qualifies it: it helps resolve ambiguity but scores nothing itself.
//! - A county outside the home province counts only when its prefecture or
//!   province is named too (guards generic full names such as 新城区).
//! - A report naming its place once in the lead: when no place passes the test below, the
//!   one place scoring at least a lead mention, strictly ahead of every other, is kept.
//! - Principal places: a prefecture (with its counties' mentions added) is
//!   kept when named in a headline or when its score reaches both
//!   [`MIN_SCORE`] and [`RELATIVE_SHARE`] of the best prefecture's score;
//!   within it, counties pass the same test on their own score. A kept county
//!   stands for its prefecture; the prefecture is listed separately only when
//!   it is a subject in its own right (headline, or as strong as its best
//!   county). The home province itself is implied and never listed; another
//!   province is listed only when named in a headline and no place in it is.
//!
//! This module must NOT read files or know about site pages.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use super::aliases::{AliasIndex, Mention};
use super::gazetteer::{DivisionId, Gazetteer, Level};
use super::segment::{base_jieba, place_jieba};

/// The parts of an article that classification reads.
#[derive(Debug, Clone, Copy, Default)]
pub struct ArticleText<'a> {
    /// Main headline.
    pub title: &'a str,
    /// 引题, the line above the headline.
    pub kicker: &'a str,
    /// 副题, the line below the headline.
    pub subtitle: &'a str,
    /// Page or column banner.
    pub column: &'a str,
    /// Markdown-ish body, paragraphs separated by blank lines.
    pub body: &'a str,
}

/// Characters at the start of the body that count as the lead.
pub const LEAD_CHARS: usize = 200;
/// Weight of a mention in the lead (the body's first [`LEAD_CHARS`] characters).
pub const LEAD_WEIGHT: f32 = 2.0;
/// Minimum score for a place named only in the body to be principal.
pub const MIN_SCORE: f32 = 3.0;
/// Share of the best place's score that another place must reach.
pub const RELATIVE_SHARE: f32 = 0.3;
/// A dateline ("株洲日报讯") counts only this close to the start of the body.
pub const DATELINE_CHARS: usize = 20;
/// Weight of a full place name in the byline, or of a dateline place.
pub const BYLINE_WEIGHT: f32 = 3.0;
/// At most this many paths are returned.
pub const MAX_REGIONS: usize = 6;

fn builtin_index() -> &'static AliasIndex {
    static I: OnceLock<AliasIndex> = OnceLock::new();
    I.get_or_init(|| AliasIndex::new(Gazetteer::builtin(), base_jieba()))
}

/// Removes all whitespace: names never contain any, and seed text has
/// layout spaces between CJK characters.
fn compact(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// One weighted mention of an article.
struct Weighted {
    mention: Mention,
    weight: f32,
    /// Found in a headline zone (title, kicker, subtitle, column, byline).
    headline: bool,
    /// Directly followed by one of its own descendants ("张家界市永定区"):
    /// it only qualifies that name and is not a subject by itself.
    qualifier: bool,
}

/// Mentions of one zone, with qualifiers marked.
fn zone_mentions(
    gz: &Gazetteer,
    found: Vec<Mention>,
    weight: impl Fn(&Mention) -> f32,
    headline: bool,
) -> Vec<Weighted> {
    let qualifiers: Vec<bool> = found
        .iter()
        .enumerate()
        .map(|(k, m)| {
            found.get(k + 1).is_some_and(|next| {
                next.start == m.end
                    && next
                        .candidates
                        .iter()
                        .any(|&c| m.candidates.iter().any(|&a| a != c && gz.is_within(c, a)))
            })
        })
        .collect();
    found
        .into_iter()
        .zip(qualifiers)
        .map(|(mention, qualifier)| Weighted {
            weight: weight(&mention),
            mention,
            headline,
            qualifier,
        })
        .collect()
}

/// Scored mentions of one article, zone by zone.
fn weighted_mentions(
    gz: &Gazetteer,
    index: &AliasIndex,
    text: &ArticleText,
    byline: &str,
) -> Vec<Weighted> {
    let mut out = Vec::new();
    let (seg, dict) = (place_jieba(), base_jieba());
    // Bylines: full names ("芦淞区委组织部") and datelines ("株洲日报"); other
    // short forms collide with personal names.
    let byline = compact(byline);
    let found = index.find(&byline, seg, dict);
    let found: Vec<Mention> = found
        .into_iter()
        .filter(|m| m.full || is_dateline(&byline, m))
        .collect();
    out.extend(zone_mentions(gz, found, |_| BYLINE_WEIGHT, true));
    for (zone, w) in [
        (text.title, 4.0),
        (text.kicker, 3.0),
        (text.subtitle, 3.0),
        (text.column, 3.0),
    ] {
        out.extend(zone_mentions(
            gz,
            index.find(&compact(zone), seg, dict),
            |_| w,
            true,
        ));
    }
    let body = compact(text.body);
    let weight = |m: &Mention| {
        if is_dateline(&body, m) {
            // The paper's own name: the filing place at the start, a citation after it.
            if m.start < DATELINE_CHARS {
                BYLINE_WEIGHT
            } else {
                0.0
            }
        } else if m.start < LEAD_CHARS {
            LEAD_WEIGHT
        } else {
            1.0
        }
    };
    out.extend(zone_mentions(
        gz,
        index.find(&body, seg, dict),
        weight,
        false,
    ));
    out
}

/// True when the mention is the place of a newspaper dateline: the name is
/// directly followed by 日报 or 晚报 ("株洲日报（全媒体记者…）"), which says
/// where the story was filed.
fn is_dateline(text: &str, m: &Mention) -> bool {
    let rest: String = text.chars().skip(m.end).take(2).collect();
    rest == "日报" || rest == "晚报"
}

/// Assigns the divisions `text` is principally about, as paths of official
/// names ("湖南省/湘西土家族苗族自治州/保靖县"), most central first. A county
/// path implies its prefecture and province. `home_province` is the paper's
/// province, full or short name ("湖南省" or "湖南"); unknown names mean none.
/// Fast with [`Gazetteer::builtin`] (its alias index is built once); any other
/// gazetteer rebuilds the index on every call.
pub fn assign_regions(gz: &Gazetteer, home_province: &str, text: &ArticleText) -> Vec<String> {
    assign_regions_with_byline(gz, home_province, text, "")
}

/// Like [`assign_regions`], also reading the byline (authors and
/// institutions, e.g. "芦淞区委组织部" or "保靖县委宣传部", joined by spaces).
/// Only official full names count there, as strongly as a kicker: a local
/// institution signing a report is about its own place.
pub fn assign_regions_with_byline(
    gz: &Gazetteer,
    home_province: &str,
    text: &ArticleText,
    byline: &str,
) -> Vec<String> {
    let owned;
    let index = if std::ptr::eq(gz, Gazetteer::builtin()) {
        builtin_index()
    } else {
        owned = AliasIndex::new(gz, base_jieba());
        &owned
    };
    let home = gz.province_named(home_province);
    let in_home = |id: DivisionId| Some(gz.province_of(id)) == home;
    let mentions = weighted_mentions(gz, index, text, byline);

    // Drop ordinary-word readings except home-province prefectures.
    let mentions: Vec<(Vec<DivisionId>, f32, bool, bool)> = mentions
        .into_iter()
        .map(|w| {
            let m = &w.mention;
            let c: Vec<DivisionId> = m
                .candidates
                .iter()
                .copied()
                .filter(|&c| !m.ordinary || (gz.get(c).level == Level::Prefecture && in_home(c)))
                .collect();
            (c, w.weight, w.headline, w.qualifier)
        })
        .filter(|(c, ..)| !c.is_empty())
        .collect();

    // Resolve ambiguous aliases by context.
    let sure: BTreeSet<DivisionId> = mentions
        .iter()
        .filter(|(c, ..)| c.len() == 1)
        .map(|(c, ..)| c[0])
        .collect();
    let support = |c: DivisionId| -> u32 {
        let mut s = if in_home(c) { 2 } else { 0 };
        for &u in &sure {
            let same_prefecture =
                gz.prefecture_of(c).is_some() && gz.prefecture_of(c) == gz.prefecture_of(u);
            if gz.is_within(c, u) || gz.is_within(u, c) || same_prefecture {
                s += 3;
            } else if gz.province_of(c) == gz.province_of(u) {
                s += 1;
            }
        }
        s
    };
    let mut score: BTreeMap<DivisionId, f32> = BTreeMap::new();
    let mut headline: BTreeSet<DivisionId> = BTreeSet::new();
    let mut named: BTreeSet<DivisionId> = BTreeSet::new();
    for (cands, w, h, qualifier) in &mentions {
        let chosen = if cands.len() == 1 {
            Some(cands[0])
        } else {
            let scored: Vec<(u32, DivisionId)> = cands.iter().map(|&c| (support(c), c)).collect();
            let best = scored.iter().map(|s| s.0).max().unwrap_or(0);
            let top: Vec<DivisionId> = scored.iter().filter(|s| s.0 == best).map(|s| s.1).collect();
            // A tie goes to the single highest-level candidate (海南: the
            // province over 海南藏族自治州), else the mention is dropped.
            let highest = top.iter().map(|&c| gz.get(c).level).min();
            let high: Vec<DivisionId> = top
                .into_iter()
                .filter(|&c| Some(gz.get(c).level) == highest)
                .collect();
            (high.len() == 1).then(|| high[0])
        };
        if let Some(c) = chosen {
            named.insert(c);
        }
        if let Some(c) = chosen.filter(|_| !qualifier) {
            *score.entry(c).or_default() += w;
            if *h {
                headline.insert(c);
            }
        }
    }

    // Counties outside the home province need their prefecture or province named.
    score.retain(|&id, _| {
        let d = gz.get(id);
        d.level != Level::County
            || in_home(id)
            || gz
                .ancestors(id)
                .iter()
                .any(|&a| a != id && named.contains(&a))
    });

    // Aggregate per prefecture-level unit (a county directly under a province is its own unit).
    let unit_of = |id: DivisionId| -> Option<DivisionId> {
        match gz.get(id).level {
            Level::Province => None,
            _ => Some(gz.prefecture_of(id).unwrap_or(id)),
        }
    };
    let mut unit_score: BTreeMap<DivisionId, f32> = BTreeMap::new();
    let mut unit_headline: BTreeSet<DivisionId> = BTreeSet::new();
    for (&id, &s) in &score {
        if let Some(u) = unit_of(id) {
            *unit_score.entry(u).or_default() += s;
            if headline.contains(&id) {
                unit_headline.insert(u);
            }
        }
    }
    let best = unit_score.values().copied().fold(0.0f32, f32::max);
    let passes = |s: f32, best: f32| s >= MIN_SCORE && s >= RELATIVE_SHARE * best;
    let mut units: Vec<(DivisionId, f32)> = unit_score
        .iter()
        .filter(|(u, s)| unit_headline.contains(u) || passes(**s, best))
        .map(|(&u, &s)| (u, s))
        .collect();
    units.sort_by(|a, b| {
        b.1.total_cmp(&a.1)
            .then_with(|| gz.get(a.0).code.cmp(&gz.get(b.0).code))
    });
    if units.is_empty() {
        // A short report names its place once, in the lead: when no place passes, the one
        // place named in the lead (or twice in the body), ahead of every other, is the subject.
        if let Some(place) = sole_lead_place(&score, &unit_score, gz, &unit_of) {
            return vec![gz.get(place).path.clone()];
        }
    }

    let mut out: Vec<String> = Vec::new();
    for &(u, _) in &units {
        if gz.get(u).level == Level::County {
            out.push(gz.get(u).path.clone());
            continue;
        }
        let mut counties: Vec<(DivisionId, f32)> = score
            .iter()
            .filter(|(id, _)| **id != u && gz.is_within(**id, u))
            .filter(|(id, s)| headline.contains(id) || passes(**s, best))
            .map(|(&id, &s)| (id, s))
            .collect();
        counties.sort_by(|a, b| {
            b.1.total_cmp(&a.1)
                .then_with(|| gz.get(a.0).code.cmp(&gz.get(b.0).code))
        });
        let own = score.get(&u).copied().unwrap_or(0.0);
        let top_county = counties.first().map_or(0.0, |c| c.1);
        if counties.is_empty() || headline.contains(&u) || (own >= MIN_SCORE && own >= top_county) {
            out.push(gz.get(u).path.clone());
        }
        out.extend(counties.iter().map(|&(c, _)| gz.get(c).path.clone()));
    }
    // Other provinces named in a headline, with nothing inside them kept.
    for &p in gz.provinces() {
        if Some(p) != home
            && headline.contains(&p)
            && !units.iter().any(|&(u, _)| gz.province_of(u) == p)
        {
            out.push(gz.get(p).path.clone());
        }
    }
    out.truncate(MAX_REGIONS);
    out
}

/// The place of an article where none passes [`MIN_SCORE`]: the prefecture-level unit scoring
/// at least a lead mention and strictly ahead of every other (on equal scores, one named down to
/// a county is ahead of one named only by itself), then within it the county
/// strictly ahead of its others (a county stands for its prefecture). `None` on a tie.
fn sole_lead_place(
    score: &BTreeMap<DivisionId, f32>,
    unit_score: &BTreeMap<DivisionId, f32>,
    gz: &Gazetteer,
    unit_of: &dyn Fn(DivisionId) -> Option<DivisionId>,
) -> Option<DivisionId> {
    /// The key with the highest value, when it is strictly ahead of the rest.
    fn sole_best(it: impl Iterator<Item = (DivisionId, f32)>) -> Option<(DivisionId, f32)> {
        let mut v: Vec<(DivisionId, f32)> = it.collect();
        v.sort_by(|a, b| b.1.total_cmp(&a.1));
        match v.as_slice() {
            [first, second, ..] if first.1 > second.1 => Some(*first),
            [only] => Some(*only),
            _ => None,
        }
    }
    // On equal scores, a unit named down to a county ("花垣县") is more specific than a bare
    // city name ("来自长沙、株洲").
    let names_county = |u: DivisionId| {
        score
            .iter()
            .any(|(&id, &s)| s > 0.0 && id != u && unit_of(id) == Some(u))
    };
    let (unit, _) = sole_best(
        unit_score
            .iter()
            .filter(|(_, s)| **s >= LEAD_WEIGHT)
            .map(|(&u, &s)| (u, if names_county(u) { s + 0.5 } else { s })),
    )?;
    let county = sole_best(
        score
            .iter()
            .filter(|(id, _)| **id != unit && unit_of(**id) == Some(unit))
            .map(|(&id, &s)| (id, s)),
    );
    // The prefecture named as often as its best county is the subject itself.
    let own = score.get(&unit).copied().unwrap_or(0.0);
    Some(match county {
        Some((c, cs)) if cs > own && gz.get(c).level == Level::County => c,
        _ => unit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(title: &str, body: &str) -> Vec<String> {
        let text = ArticleText {
            title,
            body,
            ..Default::default()
        };
        assign_regions(Gazetteer::builtin(), "湖南省", &text)
    }

    #[test]
    fn a_place_named_once_in_the_lead_of_a_short_report_is_its_place() {
        assert_eq!(
            run(
                "十八洞村迎来研学高峰",
                "5月以来，花垣县双龙镇十八洞村迎来研学旅行高峰，中小学生走进苗寨。"
            ),
            vec!["湖南省/湘西土家族苗族自治州/花垣县"]
        );
        // Two places named once each: neither is ahead, none is kept.
        assert_eq!(
            run("研学高峰", "花垣县和桑植县的学生走进苗寨，体验苗绣。"),
            Vec::<String>::new()
        );
        // A county named in full is ahead of cities named only by their short names.
        assert_eq!(
            run("研学高峰", "花垣县十八洞村迎来来自长沙、株洲等地的学生。"),
            vec!["湖南省/湘西土家族苗族自治州/花垣县"]
        );
        // A place named once past the lead is not enough.
        let far = format!("{}花垣县。", "学生走进苗寨，体验苗绣。".repeat(20));
        assert_eq!(run("研学高峰", &far), Vec::<String>::new());
    }

    #[test]
    fn two_character_county_names_are_found_as_words_only() {
        assert_eq!(
            run(
                "道县小小脐橙撬动大产业",
                "近年来，道县把脐橙产业作为乡村振兴的主导产业，道县脐橙远销全国。"
            ),
            vec!["湖南省/永州市/道县"]
        );
        // "知道县里…": the two characters are not the county.
        assert_eq!(
            run(
                "村民说政策好",
                "大家都知道县里出台了新政策，知道县委的决心，日子越过越好。"
            ),
            Vec::<String>::new()
        );
    }

    #[test]
    fn county_in_headline_implies_prefecture() {
        assert_eq!(
            run("苏仙区以戏宣传交通安全", "今天过瘾了。"),
            vec!["湖南省/郴州市/苏仙区"]
        );
    }

    #[test]
    fn institution_byline_names_the_place_but_person_names_do_not() {
        let text = ArticleText {
            title: "党建引领老旧小区逆龄生长",
            body: "洗煤小区始建于20世纪50年代。",
            ..Default::default()
        };
        let gz = Gazetteer::builtin();
        assert_eq!(
            assign_regions_with_byline(gz, "湖南", &text, "芦淞区委组织部"),
            vec!["湖南省/株洲市/芦淞区"]
        );
        assert!(assign_regions_with_byline(gz, "湖南", &text, "李江华").is_empty());
        assert!(assign_regions(gz, "湖南", &text).is_empty());
    }

    #[test]
    fn dateline_names_the_filing_place() {
        let body = "株洲日报（全媒体记者/刘平）近日，市中医科医院3名医护人员来到患者家中。";
        assert_eq!(run("专业护理服务延伸到患者家", body), vec!["湖南省/株洲市"]);
        // A paper named later in the body is only a citation.
        let body = "近日，市中医科医院3名医护人员来到患者家中，据株洲日报报道，效果很好。";
        assert!(run("专业护理服务延伸到患者家", body).is_empty());
    }

    #[test]
    fn qualifying_prefecture_is_not_listed_separately() {
        assert_eq!(
            run(
                "张家界市永定区：清廉村居赋能乡村振兴",
                "近日，永定区召开会议。"
            ),
            vec!["湖南省/张家界市/永定区"]
        );
    }

    #[test]
    fn ambiguous_short_name_prefers_the_higher_level() {
        assert_eq!(run("海南自贸港建设提速", "海南"), vec!["海南省"]);
    }

    #[test]
    fn traps_give_nothing() {
        assert!(run("巍巍武陵", "巍巍武陵，滔滔酉水。买了一张长沙发。").is_empty());
    }

    #[test]
    fn passing_mentions_do_not_count() {
        let body = format!(
            "{}岳阳市的经验。",
            "邵阳市中心医院开展帮扶。邵阳的医生说很好。".repeat(3)
        );
        assert_eq!(run("一切为了百姓健康", &body), vec!["湖南省/邵阳市"]);
    }

    #[test]
    fn yongding_resolves_by_context() {
        assert_eq!(
            run("永定区新貌", "永定区位于张家界市中部。"),
            vec!["湖南省/张家界市/永定区"]
        );
        assert_eq!(
            run("永定区新貌", "永定区隶属福建省龙岩市。"),
            vec!["福建省/龙岩市/永定区"]
        );
        let text = ArticleText {
            title: "永定区新貌",
            body: "永定区的新变化。",
            ..Default::default()
        };
        assert_eq!(
            assign_regions(Gazetteer::builtin(), "福建省", &text),
            vec!["福建省/龙岩市/永定区"]
        );
    }

    #[test]
    fn xiangxi_forms_and_two_places() {
        let body = "岳阳保靖一家亲。岳阳市对口帮扶保靖县。保靖人民感谢岳阳。湘西州领导出席。";
        let mut got = run("洞庭碧波连酉水", body);
        got.sort();
        assert_eq!(
            got,
            vec!["湖南省/岳阳市", "湖南省/湘西土家族苗族自治州/保靖县"]
        );
    }

    #[test]
    fn outside_county_without_context_is_dropped() {
        assert!(run("推进新城区建设", "新城区建设加快。新城区面貌一新。").is_empty());
    }
}
