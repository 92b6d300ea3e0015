//! TEMPORARY (replaced by the classify branch).
use serde::{Deserialize, Serialize};
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Topic {
    pub slug: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub keywords: Vec<Keyword>,
}
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Keyword {
    pub term: String,
    pub weight: f32,
}
pub fn default_topics() -> Vec<Topic> {
    [
        ("party-building", "党建"),
        ("rural-revitalization", "乡村振兴"),
        ("integrity", "纪检监察"),
        ("health", "医疗卫生"),
        ("economy", "产业经济"),
        ("urban-development", "城市建设"),
        ("culture-tourism", "文化旅游"),
        ("education", "教育"),
        ("governance", "基层治理"),
        ("public-safety", "平安建设"),
        ("environment", "生态环保"),
    ]
    .iter()
    .map(|(s, n)| Topic {
        slug: s.to_string(),
        name: n.to_string(),
        description: String::new(),
        keywords: vec![],
    })
    .collect()
}
