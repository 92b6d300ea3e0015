//! The site model: loaded articles → everything the pages are made of.
//!
//! Orders articles (newest first), groups them by date, region (with the whole
//! province → prefecture → county tree) and topic, counts facets and finds
//! related articles. Holds indices into one article list, never bodies or HTML.
//! Must not read content files or render; the only files it touches are the
//! related-articles caches (`related.bin`, `related-words.bin`).

pub mod paginate;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use rayon::prelude::*;

use crate::classify::gazetteer::{DivisionId, Gazetteer, Level};
use crate::classify::related::{Related, RelatedInput, related, related_segmented, segment};
use crate::config::SiteConfig;
use crate::content::Article;

/// Index of an article in [`Site::articles`].
pub type ArticleId = u32;

/// Articles of one month.
#[derive(Debug, Clone)]
pub struct Month {
    pub month: u32,
    pub articles: Vec<ArticleId>,
}

/// Articles of one year, by month (ascending).
#[derive(Debug, Clone)]
pub struct Year {
    pub year: i32,
    pub months: Vec<Month>,
    pub count: usize,
}

/// A division that has articles (itself or below it).
#[derive(Debug, Clone)]
pub struct RegionNode {
    pub id: DivisionId,
    /// Articles about this division or any division below it, site order.
    pub articles: Vec<ArticleId>,
    /// Children of this division that have articles, by code.
    pub children: Vec<DivisionId>,
    /// Topic slug → article count, for cross-filtering.
    pub topic_counts: BTreeMap<String, usize>,
}

/// A topic that has articles.
#[derive(Debug, Clone)]
pub struct TopicNode {
    pub slug: String,
    pub articles: Vec<ArticleId>,
    /// Prefecture-level division (or province, for articles only about a
    /// province) → article count.
    pub region_counts: BTreeMap<DivisionId, usize>,
}

/// Everything the renderer needs, as indices.
pub struct Site<'a> {
    pub config: &'a SiteConfig,
    pub gazetteer: &'a Gazetteer,
    /// Newest first; undated last; ties by content path.
    pub articles: Vec<Arc<Article>>,
    pub years: Vec<Year>,
    pub undated: Vec<ArticleId>,
    /// Division → node, for every division with articles at or below it.
    pub regions: BTreeMap<DivisionId, RegionNode>,
    /// Provinces with articles, by code.
    pub region_roots: Vec<DivisionId>,
    /// Topics with articles, in vocabulary order.
    pub topics: Vec<TopicNode>,
    /// For each article, up to [`RELATED_PER_ARTICLE`] related articles.
    pub related: Vec<Vec<ArticleId>>,
}

impl<'a> Site<'a> {
    /// Builds the model. Articles must already be validated (regions known to
    /// the gazetteer, topics in the vocabulary); unknown ones are skipped here.
    pub fn new<A: Into<Arc<Article>>>(
        config: &'a SiteConfig,
        gazetteer: &'a Gazetteer,
        articles: Vec<A>,
    ) -> Site<'a> {
        let articles = articles.into_iter().map(Into::into).collect();
        Site::new_cached(config, gazetteer, articles, None, None)
    }

    /// [`Site::new`], reusing the related articles computed by the previous
    /// build when their inputs did not change (cache file `related_cache`,
    /// e.g. `.folio-cache/related.bin`; see [`related_cached`]), or, with a
    /// `memo` kept by a long-running process, updating them in place.
    pub fn new_cached(
        config: &'a SiteConfig,
        gazetteer: &'a Gazetteer,
        articles: Vec<Arc<Article>>,
        related_cache: Option<&std::path::Path>,
        memo: Option<&mut RelatedMemo>,
    ) -> Site<'a> {
        // Newest first, then by path (sorted as indices: comparisons look into the articles).
        let mut order: Vec<u32> = (0..articles.len() as u32).collect();
        order.par_sort_unstable_by(|&x, &y| {
            let (a, b) = (&articles[x as usize], &articles[y as usize]);
            b.meta
                .date
                .cmp(&a.meta.date)
                .then_with(|| a.rel_path.cmp(&b.rel_path))
        });
        let articles: Vec<Arc<Article>> = order
            .iter()
            .map(|&i| articles[i as usize].clone())
            .collect();
        // The groups and the related articles are independent: built side by side.
        let (((years, undated), regions), (topics, related)) = rayon::join(
            || {
                rayon::join(
                    || group_by_date(&articles),
                    || group_by_region(&articles, gazetteer),
                )
            },
            || {
                rayon::join(
                    || group_by_topic(config, &articles, gazetteer),
                    || match memo {
                        Some(memo) => as_ids(memo.lists(&articles, related_cache)),
                        None => related_cached(&articles, related_cache),
                    },
                )
            },
        );
        let region_roots = regions
            .keys()
            .copied()
            .filter(|&id| gazetteer.get(id).parent.is_none())
            .collect();
        Site {
            config,
            gazetteer,
            articles,
            years,
            undated,
            regions,
            region_roots,
            topics,
            related,
        }
    }

    /// All article ids in site order.
    pub fn all(&self) -> Vec<ArticleId> {
        (0..self.articles.len() as ArticleId).collect()
    }

    /// Previous (older) and next (newer) article in date order.
    pub fn neighbours(&self, id: ArticleId) -> (Option<ArticleId>, Option<ArticleId>) {
        let older = (id as usize + 1 < self.articles.len()).then_some(id + 1);
        let newer = id.checked_sub(1);
        (older, newer)
    }

    /// Division ids of an article's regions (unknown paths skipped).
    pub fn article_regions(&self, id: ArticleId) -> Vec<DivisionId> {
        self.articles[id as usize]
            .meta
            .regions
            .iter()
            .filter_map(|p| self.gazetteer.by_path(p))
            .collect()
    }
}

/// The related articles of the previous build, kept in memory by a
/// long-running process (`folio serve`) with everything they were computed
/// from ([`Related`]). When the next build has the same articles in the same
/// order and only some of their texts changed, the lists are updated in place
/// ([`Related::update`]); otherwise computed again. Either way the result is
/// the one [`find_related`] gives.
#[derive(Debug, Default)]
pub struct RelatedMemo {
    /// Content paths, in site order.
    order: Vec<String>,
    inputs: Vec<RelatedInput>,
    /// [`segment`] of each input's text.
    words: Vec<String>,
    related: Option<Related>,
}

impl RelatedMemo {
    /// The related lists of `articles` (in site order), as indices. Texts not
    /// in the memo are segmented through the cache file next to `cache`.
    fn lists(
        &mut self,
        articles: &[Arc<Article>],
        cache: Option<&std::path::Path>,
    ) -> Vec<Vec<usize>> {
        let inputs = related_inputs(articles);
        let same_order = self.order.len() == articles.len()
            && self
                .order
                .iter()
                .zip(articles)
                .all(|(a, b)| *a == b.rel_path);
        if let (true, Some(related)) = (same_order, self.related.as_mut()) {
            let changed: Vec<usize> = (0..inputs.len())
                .filter(|&i| inputs[i] != self.inputs[i])
                .collect();
            let fresh: Vec<String> = changed
                .par_iter()
                .map(|&i| segment(&inputs[i].text))
                .collect();
            for (&i, w) in changed.iter().zip(fresh) {
                self.words[i] = w;
            }
            if !related.update(&inputs, &self.words, &changed) {
                *related = Related::new(&inputs, &self.words, RELATED_PER_ARTICLE);
            }
            self.inputs = inputs;
            return related.lists.clone();
        }
        self.words = match cache {
            Some(path) => segmented_cached(&inputs, &path.with_file_name("related-words.bin")),
            None => inputs.par_iter().map(|i| segment(&i.text)).collect(),
        };
        let related = Related::new(&inputs, &self.words, RELATED_PER_ARTICLE);
        let lists = related.lists.clone();
        self.related = Some(related);
        self.order = articles.iter().map(|a| a.rel_path.clone()).collect();
        self.inputs = inputs;
        lists
    }
}

/// [`find_related`] through a cache file: the result is stored with a hash
/// of every input (each article's regions, topics, title, kicker, subtitle and
/// summary, in site order) and reused while that hash is unchanged, which is
/// the common case of an edit below an article's lead. A missing, stale or
/// unreadable cache only costs the computation; the result is the same.
fn related_cached(
    articles: &[Arc<Article>],
    cache: Option<&std::path::Path>,
) -> Vec<Vec<ArticleId>> {
    let Some(path) = cache else {
        return find_related(articles);
    };
    // The key: a digest of each article's inputs (computed in parallel, without
    // building them: a hit, the common case, needs no more).
    let digests: Vec<[u8; 16]> = articles
        .par_iter()
        .map(|a| {
            let mut h = xxhash_rust::xxh3::Xxh3Default::new();
            for part in a.meta.regions.iter().chain(&a.meta.topics) {
                h.update(&(part.len() as u64).to_le_bytes());
                h.update(part.as_bytes());
            }
            let text = related_text(a);
            h.update(&(text.len() as u64).to_le_bytes());
            h.update(text.as_bytes());
            h.digest128().to_le_bytes()
        })
        .collect();
    let mut h = blake3::Hasher::new();
    h.update(b"folio-related v3\0");
    h.update(&(articles.len() as u64).to_le_bytes());
    for d in &digests {
        h.update(d);
    }
    let key = *h.finalize().as_bytes();
    if let Some(found) = read_related(path, &key, articles.len()) {
        return found;
    }
    let mut inputs = related_inputs(articles);
    let words = segmented_cached(&inputs, &path.with_file_name("related-words.bin"));
    // Segmented, the texts are not read again: free them before the computation's peak.
    for input in &mut inputs {
        input.text = String::new();
    }
    let related = as_ids(related_segmented(&inputs, &words, RELATED_PER_ARTICLE));
    drop((words, inputs));
    let mut out = Vec::with_capacity(32 + related.len() * 24);
    out.extend_from_slice(&key);
    for list in &related {
        out.push(list.len() as u8);
        for id in list {
            out.extend_from_slice(&id.to_le_bytes());
        }
    }
    // A cache that cannot be written only costs time on the next build.
    let _ = crate::output::write_cache(path, &out);
    related
}

/// Each input's [`segment`]ed text through the cache file `path` (entries keyed
/// by a hash of the text, in input order), so that a rebuild after an edit
/// segments only the texts that changed. The file is rewritten with exactly
/// the entries of this build when anything changed.
fn segmented_cached(inputs: &[RelatedInput], path: &std::path::Path) -> Vec<String> {
    let keys: Vec<[u8; 16]> = inputs
        .par_iter()
        .map(|i| {
            let mut k = [0u8; 16];
            k.copy_from_slice(&blake3::hash(i.text.as_bytes()).as_bytes()[..16]);
            k
        })
        .collect();
    let previous = read_segmented(path).unwrap_or_default();
    let words: Vec<String> = keys
        .par_iter()
        .zip(inputs)
        .map(|(k, input)| {
            previous
                .get(k)
                .cloned()
                .unwrap_or_else(|| segment(&input.text))
        })
        .collect();
    let wanted: HashSet<&[u8; 16]> = keys.iter().collect();
    let stale = previous.keys().any(|k| !wanted.contains(k));
    let missing = keys.iter().any(|k| !previous.contains_key(k));
    drop(previous);
    if stale || missing {
        // Streamed: at 1M articles the words are ~0.4 GB, not worth a second copy.
        // A cache that cannot be written only costs time on the next build.
        let _ = crate::output::write_cache_with(path, |out| {
            out.write_all(SEGMENTED_MAGIC)?;
            let mut seen = HashSet::new();
            for (k, w) in keys.iter().zip(&words) {
                if seen.insert(k) {
                    out.write_all(k)?;
                    out.write_all(&(w.len() as u32).to_le_bytes())?;
                    out.write_all(w.as_bytes())?;
                }
            }
            Ok(())
        });
    }
    words
}

const SEGMENTED_MAGIC: &[u8; 8] = b"FOLIOSG1";

fn read_segmented(path: &std::path::Path) -> Option<HashMap<[u8; 16], String>> {
    let data = std::fs::read(path).ok()?;
    let mut rest = data.strip_prefix(SEGMENTED_MAGIC.as_slice())?;
    let mut map = HashMap::new();
    while !rest.is_empty() {
        let key: [u8; 16] = rest.get(..16)?.try_into().ok()?;
        let len = u32::from_le_bytes(rest.get(16..20)?.try_into().ok()?) as usize;
        let text = std::str::from_utf8(rest.get(20..20 + len)?).ok()?;
        map.insert(key, text.to_string());
        rest = &rest[20 + len..];
    }
    Some(map)
}

fn read_related(path: &std::path::Path, key: &[u8; 32], n: usize) -> Option<Vec<Vec<ArticleId>>> {
    let data = std::fs::read(path).ok()?;
    let rest = data.strip_prefix(key.as_slice())?;
    let mut related = Vec::with_capacity(n);
    let mut pos = 0;
    for _ in 0..n {
        let count = *rest.get(pos)? as usize;
        pos += 1;
        let mut list = Vec::with_capacity(count);
        for _ in 0..count {
            let bytes: [u8; 4] = rest.get(pos..pos + 4)?.try_into().ok()?;
            let id = ArticleId::from_le_bytes(bytes);
            if id as usize >= n {
                return None;
            }
            list.push(id);
            pos += 4;
        }
        related.push(list);
    }
    (pos == rest.len()).then_some(related)
}

/// Up to [`RELATED_PER_ARTICLE`] related articles each: shared regions and topics plus TF-IDF
/// similarity of title, kicker and summary (bodies stay on disk).
fn find_related(articles: &[Arc<Article>]) -> Vec<Vec<ArticleId>> {
    as_ids(related(&related_inputs(articles), RELATED_PER_ARTICLE))
}

/// Related articles listed per article.
const RELATED_PER_ARTICLE: usize = 5;

fn as_ids(lists: Vec<Vec<usize>>) -> Vec<Vec<ArticleId>> {
    lists
        .into_iter()
        .map(|v| v.into_iter().map(|i| i as ArticleId).collect())
        .collect()
}

fn related_inputs(articles: &[Arc<Article>]) -> Vec<RelatedInput> {
    articles
        .par_iter()
        .map(|a| RelatedInput {
            regions: a.meta.regions.clone(),
            topics: a.meta.topics.clone(),
            text: related_text(a),
        })
        .collect()
}

/// The text related articles are found by: title, kicker, subtitle and summary.
fn related_text(a: &Article) -> String {
    format!(
        "{} {} {} {}",
        a.meta.title,
        a.meta.kicker.as_deref().unwrap_or(""),
        a.meta.subtitle.as_deref().unwrap_or(""),
        a.summary
    )
}

fn group_by_date(articles: &[Arc<Article>]) -> (Vec<Year>, Vec<ArticleId>) {
    let mut by: BTreeMap<i32, BTreeMap<u32, Vec<ArticleId>>> = BTreeMap::new();
    let mut undated = Vec::new();
    for (i, a) in articles.iter().enumerate() {
        match a.meta.date {
            Some(d) => by
                .entry(d.year)
                .or_default()
                .entry(d.month)
                .or_default()
                .push(i as ArticleId),
            None => undated.push(i as ArticleId),
        }
    }
    let years = by
        .into_iter()
        .rev()
        .map(|(year, months)| {
            let months: Vec<Month> = months
                .into_iter()
                .map(|(month, articles)| Month { month, articles })
                .collect();
            let count = months.iter().map(|m| m.articles.len()).sum();
            Year {
                year,
                months,
                count,
            }
        })
        .collect();
    (years, undated)
}

fn group_by_region(articles: &[Arc<Article>], gz: &Gazetteer) -> BTreeMap<DivisionId, RegionNode> {
    let mut nodes: BTreeMap<DivisionId, RegionNode> = BTreeMap::new();
    for (i, a) in articles.iter().enumerate() {
        let mut touched = BTreeSet::new();
        for path in &a.meta.regions {
            if let Some(id) = gz.by_path(path) {
                touched.extend(gz.ancestors(id));
            }
        }
        for id in touched {
            let node = nodes.entry(id).or_insert_with(|| RegionNode {
                id,
                articles: Vec::new(),
                children: Vec::new(),
                topic_counts: BTreeMap::new(),
            });
            node.articles.push(i as ArticleId);
            for t in &a.meta.topics {
                match node.topic_counts.get_mut(t) {
                    Some(n) => *n += 1,
                    None => {
                        node.topic_counts.insert(t.clone(), 1);
                    }
                }
            }
        }
    }
    let ids: Vec<DivisionId> = nodes.keys().copied().collect();
    for id in ids {
        if let Some(parent) = gz.get(id).parent
            && let Some(p) = nodes.get_mut(&parent)
        {
            p.children.push(id);
        }
    }
    for node in nodes.values_mut() {
        node.children
            .sort_by(|a, b| gz.get(*a).code.cmp(&gz.get(*b).code));
    }
    nodes
}

fn group_by_topic(
    config: &SiteConfig,
    articles: &[Arc<Article>],
    gz: &Gazetteer,
) -> Vec<TopicNode> {
    let mut by: BTreeMap<&str, TopicNode> = BTreeMap::new();
    for (i, a) in articles.iter().enumerate() {
        let mut prefectures = BTreeSet::new();
        for path in &a.meta.regions {
            if let Some(id) = gz.by_path(path) {
                let chain = gz.ancestors(id);
                let pick = chain
                    .iter()
                    .copied()
                    .find(|&d| gz.get(d).level == Level::Prefecture)
                    .unwrap_or(chain[0]);
                prefectures.insert(pick);
            }
        }
        let mut seen = BTreeSet::new();
        for t in &a.meta.topics {
            if !seen.insert(t.as_str()) {
                continue;
            }
            let node = by.entry(t.as_str()).or_insert_with(|| TopicNode {
                slug: t.clone(),
                articles: Vec::new(),
                region_counts: BTreeMap::new(),
            });
            node.articles.push(i as ArticleId);
            for &p in &prefectures {
                *node.region_counts.entry(p).or_default() += 1;
            }
        }
    }
    config
        .topics
        .iter()
        .filter_map(|t| by.remove(t.slug.as_str()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{Date, FrontMatter};
    use std::path::{Path, PathBuf};

    fn article(rel: &str, date: Option<Date>, regions: &[&str], topics: &[&str]) -> Article {
        Article {
            rel_path: rel.into(),
            path: PathBuf::from(rel),
            permalink: crate::content::permalink(rel, None),
            meta: FrontMatter {
                title: rel.into(),
                date,
                regions: regions.iter().map(|s| s.to_string()).collect(),
                topics: topics.iter().map(|s| s.to_string()).collect(),
                ..Default::default()
            },
            summary: String::new(),
            hash: String::new(),
            head_hash: [0; 16],
        }
    }

    fn config() -> SiteConfig {
        SiteConfig::parse(
            "title = \"T\"\nbase_url = \"https://x.org/\"\n",
            Path::new("site.toml"),
        )
        .unwrap()
    }

    #[test]
    fn related_cache_gives_the_same_result_and_follows_inputs() {
        let arts: Vec<Arc<Article>> = (0..12)
            .map(|i| {
                let mut a = article(
                    &format!("a/{i:02}.md"),
                    Date::new(2024, 5, 1 + i),
                    &["湖南省/岳阳市"],
                    &["economy"],
                );
                a.summary = format!(
                    "洞庭湖 渔民 第{}条 {}",
                    i % 3,
                    "乡村振兴 ".repeat(i as usize % 4)
                );
                Arc::new(a)
            })
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("related.bin");
        let fresh = find_related(&arts);
        assert_eq!(related_cached(&arts, Some(&path)), fresh);
        assert!(path.exists());
        // A second run reads the cache: same result.
        assert_eq!(related_cached(&arts, Some(&path)), fresh);
        // Changed inputs are not served from the cache.
        let mut changed = arts.clone();
        Arc::make_mut(&mut changed[0]).summary = "完全 不同 的 内容".into();
        assert_eq!(
            related_cached(&changed, Some(&path)),
            find_related(&changed)
        );
        // A corrupt cache is ignored.
        std::fs::write(&path, b"garbage").unwrap();
        assert_eq!(related_cached(&arts, Some(&path)), fresh);
        let mut truncated = std::fs::read(&path).unwrap();
        truncated.pop();
        std::fs::write(&path, truncated).unwrap();
        assert_eq!(related_cached(&arts, Some(&path)), fresh);
    }

    #[test]
    fn segmented_words_are_cached_by_text_and_pruned() {
        let inputs: Vec<RelatedInput> = ["洞庭湖渔民上岸", "乡村振兴看保靖", "洞庭湖渔民上岸"]
            .iter()
            .map(|t| RelatedInput {
                text: t.to_string(),
                ..Default::default()
            })
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("related-words.bin");
        let direct: Vec<String> = inputs.iter().map(|i| segment(&i.text)).collect();
        assert_eq!(segmented_cached(&inputs, &path), direct);
        let map = read_segmented(&path).unwrap();
        assert_eq!(map.len(), 2, "one entry per distinct text");
        // Entries are served from the file: a doctored entry shows it was read.
        let key = |t: &str| {
            let mut k = [0u8; 16];
            k.copy_from_slice(&blake3::hash(t.as_bytes()).as_bytes()[..16]);
            k
        };
        let mut doctored = map.clone();
        doctored.insert(key("乡村振兴看保靖"), "x".into());
        let mut out = SEGMENTED_MAGIC.to_vec();
        for (k, w) in &doctored {
            out.extend_from_slice(k);
            out.extend_from_slice(&(w.len() as u32).to_le_bytes());
            out.extend_from_slice(w.as_bytes());
        }
        std::fs::write(&path, out).unwrap();
        assert_eq!(segmented_cached(&inputs, &path)[1], "x");
        // A changed text is segmented again and the unused entry dropped.
        let mut changed = inputs.clone();
        changed[1].text = "湘西州黄金茶".into();
        assert_eq!(
            segmented_cached(&changed, &path)[1],
            segment("湘西州黄金茶")
        );
        let map = read_segmented(&path).unwrap();
        assert!(!map.contains_key(&key("乡村振兴看保靖")));
        assert_eq!(map.len(), 2);
    }

    #[test]
    fn orders_groups_and_counts() {
        let cfg = config();
        let gz = Gazetteer::builtin();
        let arts = vec![
            article(
                "a/01.md",
                Date::new(2024, 5, 1),
                &["湖南省/湘西土家族苗族自治州/保靖县"],
                &["economy"],
            ),
            article(
                "a/02.md",
                Date::new(2024, 5, 1),
                &["湖南省/岳阳市"],
                &["economy", "health"],
            ),
            article(
                "b/01.md",
                Date::new(2025, 1, 2),
                &["湖南省/湘西土家族苗族自治州/吉首市"],
                &["health"],
            ),
            article("c/01.md", None, &[], &[]),
        ];
        let site = Site::new(&cfg, gz, arts);
        let order: Vec<&str> = site.articles.iter().map(|a| a.rel_path.as_str()).collect();
        assert_eq!(order, ["b/01.md", "a/01.md", "a/02.md", "c/01.md"]);
        assert_eq!(site.years.len(), 2);
        assert_eq!(site.years[0].year, 2025);
        assert_eq!(site.undated, vec![3]);
        let xiangxi = gz.by_path("湖南省/湘西土家族苗族自治州").unwrap();
        assert_eq!(site.regions[&xiangxi].articles, vec![0, 1]);
        assert_eq!(site.regions[&xiangxi].children.len(), 2);
        let hunan = gz.by_path("湖南省").unwrap();
        assert_eq!(site.region_roots, vec![hunan]);
        assert_eq!(site.regions[&hunan].articles.len(), 3);
        assert_eq!(site.regions[&hunan].topic_counts["health"], 2);
        let slugs: Vec<&str> = site.topics.iter().map(|t| t.slug.as_str()).collect();
        assert_eq!(slugs, ["health", "economy"]);
        assert_eq!(site.topics[0].region_counts[&xiangxi], 1);
        assert_eq!(site.neighbours(0), (Some(1), None));
        assert_eq!(site.neighbours(3), (None, Some(2)));
    }
}
