//! Topic assignment: 1–3 topics per article from a weighted keyword
//! vocabulary (shipped default in topics_default.rs, editable in site.toml).
//!
//! Text is segmented with jieba (default dictionary, Folio's user
//! dictionary and every keyword of the vocabulary), and a keyword counts only
//! as a whole token, never inside a longer word. The score of a topic sums,
//! over its keywords, weight times zone factor: headline zones count each
//! occurrence (title 4, kicker and subtitle 3, column 2); the body counts
//! `1 + ln(occurrences)` so that long bodies do not drown the headline.
//! The best topic is kept, then others reaching [`SECONDARY_SHARE`] of its
//! score and [`MIN_TOPIC_SCORE`], at most [`MAX_TOPICS`].
//!
//! This module must NOT parse configuration files (config embeds [`Topic`]).

use std::collections::HashMap;

use jieba_rs::Jieba;
use serde::{Deserialize, Serialize};

use super::regions::ArticleText;
use super::segment::base_jieba;

pub use super::topics_default::default_topics;

/// At most this many topics per article.
pub const MAX_TOPICS: usize = 3;
/// A secondary topic needs this share of the best topic's score.
pub const SECONDARY_SHARE: f32 = 0.4;
/// Minimum score for any topic to be assigned.
pub const MIN_TOPIC_SCORE: f32 = 3.0;

/// One topic of the vocabulary (`[[topics]]` in site.toml).
#[derive(Debug, Serialize, Deserialize, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Topic {
    /// URL slug, e.g. "rural-revitalization".
    pub slug: String,
    /// Display name, e.g. "乡村振兴".
    pub name: String,
    /// One-line description for the topic page.
    #[serde(default)]
    pub description: String,
    /// Weighted keywords that signal the topic.
    pub keywords: Vec<Keyword>,
}

/// A keyword and its weight.
#[derive(Debug, Serialize, Deserialize, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Keyword {
    /// The word as it appears in text, e.g. "对口帮扶".
    pub term: String,
    /// Its weight (default 1).
    #[serde(default = "one")]
    pub weight: f32,
}

fn one() -> f32 {
    1.0
}

/// Assigns topics from a vocabulary. Build once, use for every article.
#[derive(Debug, Clone)]
pub struct TopicClassifier {
    jieba: Jieba,
    slugs: Vec<String>,
    /// keyword → (topic index, weight) pairs.
    keywords: HashMap<String, Vec<(usize, f32)>>,
}

impl TopicClassifier {
    /// Prepares a classifier for `topics` (keywords are added to the segmenter).
    pub fn new(topics: &[Topic]) -> Self {
        let mut jieba = base_jieba().clone();
        let mut keywords: HashMap<String, Vec<(usize, f32)>> = HashMap::new();
        for (i, t) in topics.iter().enumerate() {
            for k in &t.keywords {
                let term = k.term.trim();
                if term.is_empty() || !k.weight.is_finite() {
                    continue;
                }
                if !jieba.has_word(term) {
                    jieba.add_word(term, None, None);
                }
                keywords
                    .entry(term.to_string())
                    .or_default()
                    .push((i, k.weight));
            }
        }
        TopicClassifier {
            jieba,
            slugs: topics.iter().map(|t| t.slug.clone()).collect(),
            keywords,
        }
    }

    /// Per-topic scores of `text`, in vocabulary order.
    pub fn scores(&self, text: &ArticleText) -> Vec<f32> {
        let mut scores = vec![0.0f32; self.slugs.len()];
        for (zone, factor) in [
            (text.title, 4.0),
            (text.kicker, 3.0),
            (text.subtitle, 3.0),
            (text.column, 2.0),
        ] {
            for (kw, n) in self.count(zone) {
                for &(t, w) in &self.keywords[kw] {
                    scores[t] += w * factor * n as f32;
                }
            }
        }
        for (kw, n) in self.count(text.body) {
            for &(t, w) in &self.keywords[kw] {
                scores[t] += w * (1.0 + (n as f32).ln());
            }
        }
        scores
    }

    /// Keyword occurrences in `text`, sorted by keyword.
    fn count<'a>(&'a self, text: &str) -> Vec<(&'a str, usize)> {
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let mut counts: HashMap<&'a str, usize> = HashMap::new();
        for tok in self.jieba.cut(&compact, false) {
            if let Some((k, _)) = self.keywords.get_key_value(tok.word) {
                *counts.entry(k.as_str()).or_default() += 1;
            }
        }
        let mut v: Vec<(&str, usize)> = counts.into_iter().collect();
        v.sort_unstable();
        v
    }

    /// 1–3 topic slugs, most central first; empty when no keyword scores
    /// [`MIN_TOPIC_SCORE`]. Ties keep vocabulary order.
    pub fn assign(&self, text: &ArticleText) -> Vec<String> {
        let scores = self.scores(text);
        let mut order: Vec<usize> = (0..scores.len()).collect();
        order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
        let best = order.first().map_or(0.0, |&i| scores[i]);
        order
            .into_iter()
            .filter(|&i| scores[i] >= MIN_TOPIC_SCORE && scores[i] >= SECONDARY_SHARE * best)
            .take(MAX_TOPICS)
            .map(|i| self.slugs[i].clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classifier() -> TopicClassifier {
        TopicClassifier::new(&default_topics())
    }

    #[test]
    fn default_vocabulary_has_the_eleven_slugs() {
        let slugs: Vec<String> = default_topics().into_iter().map(|t| t.slug).collect();
        assert_eq!(
            slugs,
            [
                "party-building",
                "rural-revitalization",
                "integrity",
                "health",
                "economy",
                "urban-development",
                "culture-tourism",
                "education",
                "governance",
                "public-safety",
                "environment"
            ]
        );
    }

    #[test]
    fn headline_decides_the_first_topic() {
        let text = ArticleText {
            title: "苏仙区以“戏”宣传交通安全",
            body: "今天过瘾了，不光看戏了，还学了交通安全知识。交警走进村里，提醒村民注意出行安全。",
            ..Default::default()
        };
        assert_eq!(classifier().assign(&text)[0], "public-safety");
        let text = ArticleText {
            title: "亮剑“微腐败”护民生",
            subtitle: "娄星区持续整治群众身边不正之风和腐败问题",
            body: "区纪委监委严查蝇贪蚁腐。社区网格员走访群众。",
            ..Default::default()
        };
        assert_eq!(classifier().assign(&text)[0], "integrity");
    }

    #[test]
    fn harvest_news_is_rural() {
        let text = ArticleText {
            title: "澧县：稻谷飘香丰收忙",
            body: "万亩稻田里，收割机来回穿梭，一派丰收景象。今年全县种植中稻68万亩。\
                   “今年风调雨顺，亩产比去年多了50多斤。”种粮大户说。",
            ..Default::default()
        };
        assert_eq!(classifier().assign(&text), ["rural-revitalization"]);
    }

    #[test]
    fn tourism_joined_to_another_trade_is_tourism() {
        let text = ArticleText {
            title: "南岳茶旅融合签约8.6亿元",
            body: "南岳区坚持“以茶促旅、以旅兴茶”，推动茶旅融合发展，签约金额达8.6亿元。",
            ..Default::default()
        };
        assert_eq!(classifier().assign(&text), ["culture-tourism"]);
    }

    #[test]
    fn archaeology_and_online_sales_find_their_topics() {
        let dig = ArticleText {
            title: "城头山遗址考古取得新发现",
            body: "考古人员在遗址东部发现一处大型建筑基址，为研究史前文明提供了新材料。",
            ..Default::default()
        };
        assert_eq!(classifier().assign(&dig), ["culture-tourism"]);
        let shop = ArticleText {
            title: "茶叶搭上“电商快车”",
            body: "县里组织企业参加直播带货培训，今年前5个月，网络销售额达1.2亿元。",
            ..Default::default()
        };
        assert_eq!(classifier().assign(&shop), ["economy"]);
    }

    #[test]
    fn the_metro_is_the_city_and_migrating_birds_the_environment() {
        let metro = ArticleText {
            title: "长沙地铁6号线东延段开通运营",
            body: "长沙地铁运营里程增至209公里。",
            ..Default::default()
        };
        assert_eq!(classifier().assign(&metro), ["urban-development"]);
        let birds = ArticleText {
            title: "洞庭湖区迎来越冬候鸟",
            body: "大批候鸟飞抵东洞庭湖国家级自然保护区。",
            ..Default::default()
        };
        assert_eq!(classifier().assign(&birds), ["environment"]);
    }

    #[test]
    fn one_to_three_topics_or_none() {
        let text = ArticleText {
            title: "乡村振兴路上的医院与学校",
            body: "乡村振兴。医院。学校。党建。旅游。林业。",
            ..Default::default()
        };
        let got = classifier().assign(&text);
        assert!((1..=3).contains(&got.len()));
        assert!(
            classifier()
                .assign(&ArticleText {
                    body: "今天天气很好。",
                    ..Default::default()
                })
                .is_empty()
        );
    }

    #[test]
    fn toml_round_trip_with_default_weight() {
        let t: Topic = toml::from_str("slug = \"x\"\nname = \"X\"\nkeywords = [{ term = \"甲\" }]")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.keywords[0].weight, 1.0);
        assert!(
            toml::from_str::<Topic>("slug = \"x\"\nname = \"X\"\nkeywords = []\nextra = 1")
                .is_err()
        );
    }
}
