//! The site model: loaded articles → everything the pages are made of.
//!
//! Orders articles (newest first), groups them by date, region (with the whole
//! province → prefecture → county tree) and topic, counts facets and finds
//! related articles. Holds indices into one article list, never bodies or HTML.
//! Must not read content files or render; the only files it touches are the
//! related-articles cache (`related.bin`, see [`RelatedMemo`]).

pub mod paginate;

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::classify::gazetteer::{DivisionId, Gazetteer};
use crate::classify::related::{Change, Related, RelatedInput, related, segment};
use crate::config::SiteConfig;
use crate::content::{Article, Date};

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

    /// [`Site::new`], bringing the related articles of the previous build up
    /// to date instead of computing them anew: from `memo` when a
    /// long-running process keeps one, else from the cache file
    /// `related_cache` (e.g. `.folio-cache/related.bin`; see [`RelatedMemo`]).
    pub fn new_cached(
        config: &'a SiteConfig,
        gazetteer: &'a Gazetteer,
        articles: Vec<Arc<Article>>,
        related_cache: Option<&std::path::Path>,
        memo: Option<&mut RelatedMemo>,
    ) -> Site<'a> {
        // Newest first, then by path (sorted as indices: comparisons look into the articles).
        // Dates copied beside the indices: only ties look into the articles.
        let mut order: Vec<(Option<Date>, u32)> = (articles.iter().enumerate())
            .map(|(i, a)| (a.meta.date, i as u32))
            .collect();
        order.par_sort_unstable_by(|x, y| {
            y.0.cmp(&x.0).then_with(|| {
                let (a, b) = (&articles[x.1 as usize], &articles[y.1 as usize]);
                a.rel_path.cmp(&b.rel_path)
            })
        });
        let articles: Vec<Arc<Article>> = order
            .iter()
            .map(|&(_, i)| articles[i as usize].clone())
            .collect();
        // The groups and the related articles are independent: built side by side,
        // the related articles (the longest) started first, the groups beside them.
        let (related, (((years, undated), regions), topics)) = rayon::join(
            || match (memo, related_cache) {
                (Some(memo), cache) => memo.lists(&articles, cache).0,
                (None, Some(cache)) => {
                    let mut memo = RelatedMemo::default();
                    let (lists, _) = memo.lists(&articles, Some(cache));
                    // Its state is ~0.1 GB at 100k articles.
                    free_in_background(memo);
                    lists
                }
                (None, None) => find_related(&articles),
            },
            || {
                rayon::join(
                    || {
                        rayon::join(
                            || group_by_date(&articles),
                            || group_by_region(&articles, gazetteer),
                        )
                    },
                    || group_by_topic(config, &articles, gazetteer),
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

    /// Frees the model on a thread of its own: at 100k articles that takes ~0.2 s, which
    /// neither the rest of a build nor a CLI build's exit need wait for (`serve` shares the
    /// articles with its memo and frees little).
    pub fn free_in_background(self) {
        // Everything but the borrowed configuration and gazetteer, moved out.
        let parts = (self.articles, self.years, self.undated, self.regions);
        free_in_background((parts, self.region_roots, self.topics, self.related));
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

/// The related articles of the previous build with everything they were
/// computed from ([`Related`]), and what each article's input was then. When
/// the next build has the same articles in the same order, only the changed
/// ones are updated in place ([`Related::update`]); otherwise everything is
/// computed again, segmenting only texts no article had before. Either way
/// the result is the one [`find_related`] gives. `folio serve` keeps it in
/// memory between builds; every build keeps it in the cache file `related.bin`
/// ([`RelatedMemo::lists`]), so `folio build` after one edit updates in place
/// too.
#[derive(Debug, Default)]
pub struct RelatedMemo {
    /// A hash of each article's content path, in site order.
    paths: Vec<u64>,
    /// A hash of each article's inputs (regions, topics, text).
    digests: Vec<u128>,
    related: Option<Related>,
}

/// How [`RelatedMemo::lists`] got its result (for tests and timing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelatedWork {
    /// Nothing changed: the lists were read back or kept.
    Reused,
    /// Some articles changed: updated in place.
    Updated,
    /// Computed over all articles.
    Computed,
}

impl RelatedMemo {
    /// True if no related state is held in memory (the next [`Self::lists`] reads it from
    /// its cache file or computes it).
    pub fn is_empty(&self) -> bool {
        self.related.is_none()
    }

    /// The related lists of `articles` (in site order), as ids, and how they
    /// were obtained. With a `cache` file, an empty memo starts from it and
    /// the result is saved there; a missing, stale or damaged file only
    /// costs the computation.
    pub fn lists(
        &mut self,
        articles: &[Arc<Article>],
        cache: Option<&std::path::Path>,
    ) -> (Vec<Vec<ArticleId>>, RelatedWork) {
        // The saved state (when there is none in memory) is read beside the digests.
        let ((paths, digests), saved): ((Vec<u64>, Vec<u128>), _) = rayon::join(
            || {
                articles
                    .par_iter()
                    .map(|a| {
                        (
                            xxhash_rust::xxh3::xxh3_64(a.rel_path.as_bytes()),
                            input_digest(a),
                        )
                    })
                    .unzip()
            },
            || {
                cache
                    .filter(|_| self.related.is_none())
                    .and_then(|path| std::fs::read(path).ok())
            },
        );
        // The changed articles' inputs and segmented texts, when found beside decoding.
        let mut segmented = None;
        if let Some(bytes) = saved
            && let Some((old_paths, old_digests, state)) = read_memo(&bytes)
        {
            if old_paths == paths
                && old_digests == digests
                && let Some(lists) = Related::decode_lists(state)
                && lists.len() == articles.len()
            {
                return (as_ids(lists), RelatedWork::Reused);
            }
            // Segmenting loads jieba's dictionary (~0.1 s): started on a thread of its
            // own now, done while the state is decoded.
            if old_digests != digests {
                let _ = std::thread::Builder::new()
                    .name("folio-jieba".into())
                    .spawn(|| crate::classify::segment::base_jieba().cut("", false).len());
            }
            let (related, changes) = rayon::join(
                || Related::decode(state),
                || (old_paths == paths).then(|| changed_inputs(articles, &old_digests, &digests)),
            );
            if let Some(related) = related
                && related.len() == old_paths.len()
            {
                self.paths = old_paths;
                self.digests = old_digests;
                self.related = Some(related);
                segmented = changes;
            }
        }
        let work = match self.related.as_mut() {
            Some(related) if self.paths == paths => {
                let (changed, inputs, words) =
                    segmented.unwrap_or_else(|| changed_inputs(articles, &self.digests, &digests));
                let changes: Vec<Change> = changed
                    .iter()
                    .zip(&inputs)
                    .zip(&words)
                    .map(|((&i, input), w)| (i, input, w.as_str()))
                    .collect();
                if changes.is_empty() {
                    RelatedWork::Reused
                } else if related.update(&changes) {
                    RelatedWork::Updated
                } else {
                    self.related = None;
                    RelatedWork::Computed
                }
            }
            _ => RelatedWork::Computed,
        };
        if work == RelatedWork::Computed {
            self.compute(articles, &digests);
        }
        self.paths = paths;
        self.digests = digests;
        let Some(related) = self.related.as_ref() else {
            return (Vec::new(), work);
        };
        if let (Some(path), true) = (cache, work != RelatedWork::Reused) {
            // A cache that cannot be written only costs time on the next build.
            let _ = crate::output::write_cache_with(path, |out| {
                write_memo(out, &self.paths, &self.digests, related)
            });
        }
        (as_ids(related.lists.clone()), work)
    }

    /// Computes anew; texts an article had before are not segmented again.
    fn compute(&mut self, articles: &[Arc<Article>], digests: &[u128]) {
        let mut inputs = related_inputs(articles);
        let previous: HashMap<u128, usize> = match &self.related {
            Some(_) => self
                .digests
                .iter()
                .enumerate()
                .map(|(i, &d)| (d, i))
                .collect(),
            None => HashMap::new(),
        };
        let old = self.related.take();
        let words: Vec<String> = inputs
            .par_iter()
            .zip(digests)
            .map(|(input, d)| {
                previous
                    .get(d)
                    .and_then(|&i| old.as_ref()?.words_of(i))
                    .unwrap_or_else(|| segment(&input.text))
            })
            .collect();
        drop(old);
        // Segmented, the texts are not read again: free them before the computation's peak.
        for input in &mut inputs {
            input.text = String::new();
        }
        self.related = Some(Related::new(&inputs, &words, RELATED_PER_ARTICLE));
    }
}

/// The articles whose digest differs (same length and order), their inputs
/// and their segmented texts.
fn changed_inputs(
    articles: &[Arc<Article>],
    before: &[u128],
    now: &[u128],
) -> (Vec<usize>, Vec<RelatedInput>, Vec<String>) {
    let changed: Vec<usize> = (0..now.len()).filter(|&i| before[i] != now[i]).collect();
    let inputs: Vec<RelatedInput> = changed
        .iter()
        .map(|&i| related_input(&articles[i]))
        .collect();
    let words = inputs.par_iter().map(|i| segment(&i.text)).collect();
    (changed, inputs, words)
}

/// Drops `value` on a thread of its own (or here, if none can be started).
fn free_in_background<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new()
        .name("folio-free".into())
        .spawn(move || drop(value));
}

/// What stands for an article's related-articles input (regions, topics and
/// [`related_text`]): its head hash, which changes with its front matter text
/// or summary and so whenever that input does, and costs nothing per build. An
/// article whose front matter changed elsewhere (a caption, a date) is updated
/// to the same vector, which changes no list.
fn input_digest(a: &Article) -> u128 {
    u128::from_le_bytes(a.head_hash)
}

/// `related.bin`: magic, program identity, article count n, n path hashes,
/// n input digests, then the [`Related::encode`]d state.
const MEMO_MAGIC: &[u8; 8] = b"FOLIORM1";

fn write_memo(
    out: &mut dyn Write,
    paths: &[u64],
    digests: &[u128],
    related: &Related,
) -> std::io::Result<()> {
    out.write_all(MEMO_MAGIC)?;
    out.write_all(&crate::program::identity())?;
    out.write_all(&(paths.len() as u64).to_le_bytes())?;
    for p in paths {
        out.write_all(&p.to_le_bytes())?;
    }
    for d in digests {
        out.write_all(&d.to_le_bytes())?;
    }
    related.encode(out)
}

/// The path hashes, input digests and encoded state of a `related.bin`
/// written by this program (`None` otherwise).
fn read_memo(bytes: &[u8]) -> Option<(Vec<u64>, Vec<u128>, &[u8])> {
    let rest = bytes.strip_prefix(MEMO_MAGIC.as_slice())?;
    let rest = rest.strip_prefix(crate::program::identity().as_slice())?;
    let n = u64::from_le_bytes(rest.get(..8)?.try_into().ok()?) as usize;
    let rest = &rest[8..];
    let paths_end = n.checked_mul(8)?;
    let digests_end = paths_end.checked_add(n.checked_mul(16)?)?;
    let paths = rest
        .get(..paths_end)?
        .chunks_exact(8)
        .map(|c| u64::from_le_bytes(c.try_into().unwrap_or_default()))
        .collect();
    let digests = rest
        .get(paths_end..digests_end)?
        .chunks_exact(16)
        .map(|c| u128::from_le_bytes(c.try_into().unwrap_or_default()))
        .collect();
    Some((paths, digests, &rest[digests_end..]))
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
    articles.par_iter().map(|a| related_input(a)).collect()
}

fn related_input(a: &Article) -> RelatedInput {
    RelatedInput {
        regions: a.meta.regions.clone(),
        topics: a.meta.topics.clone(),
        text: related_text(a),
    }
}

/// The text related articles are found by: title, kicker, subtitle and summary.
fn related_text(a: &Article) -> String {
    [
        a.meta.title.as_str(),
        a.meta.kicker.as_deref().unwrap_or(""),
        a.meta.subtitle.as_deref().unwrap_or(""),
        a.summary.as_str(),
    ]
    .join(" ")
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
    // Topics are counted by index (in order of first appearance), named at the end.
    let mut topic_ids: FxHashMap<&str, usize> = FxHashMap::default();
    let mut topic_names: Vec<&str> = Vec::new();
    let mut groups: BTreeMap<DivisionId, (Vec<ArticleId>, Vec<usize>)> = BTreeMap::new();
    // Per article, the divisions it is about and their ancestors, sorted, once each.
    let mut touched: Vec<DivisionId> = Vec::new();
    let mut topics: Vec<usize> = Vec::new();
    for (i, a) in articles.iter().enumerate() {
        touched.clear();
        for path in &a.meta.regions {
            if let Some(id) = gz.by_path(path) {
                touched.extend(gz.up(id));
            }
        }
        if touched.is_empty() {
            continue;
        }
        touched.sort_unstable();
        touched.dedup();
        topics.clear();
        for t in &a.meta.topics {
            let next = topic_names.len();
            let id = *topic_ids.entry(t.as_str()).or_insert(next);
            if id == next {
                topic_names.push(t);
            }
            topics.push(id);
        }
        for &id in &touched {
            let (ids, counts) = groups.entry(id).or_default();
            ids.push(i as ArticleId);
            for &t in &topics {
                if counts.len() <= t {
                    counts.resize(t + 1, 0);
                }
                counts[t] += 1;
            }
        }
    }
    let mut nodes: BTreeMap<DivisionId, RegionNode> = groups
        .into_iter()
        .map(|(id, (articles, counts))| {
            let topic_counts = (counts.iter().enumerate())
                .filter(|&(_, &n)| n > 0)
                .map(|(t, &n)| (topic_names[t].to_string(), n))
                .collect();
            let node = RegionNode {
                id,
                articles,
                children: Vec::new(),
                topic_counts,
            };
            (id, node)
        })
        .collect();
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
    let mut by: FxHashMap<&str, TopicNode> = FxHashMap::default();
    // Per article, its prefectures (sorted, once each) and the topics seen so far.
    let mut prefectures: Vec<DivisionId> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for (i, a) in articles.iter().enumerate() {
        prefectures.clear();
        for path in &a.meta.regions {
            if let Some(id) = gz.by_path(path) {
                prefectures.push(gz.prefecture_of(id).unwrap_or_else(|| gz.province_of(id)));
            }
        }
        prefectures.sort_unstable();
        prefectures.dedup();
        seen.clear();
        for t in &a.meta.topics {
            if seen.contains(&t.as_str()) {
                continue;
            }
            seen.push(t);
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
        let mut a = Article {
            rel_path: rel.into(),
            path: PathBuf::from(rel),
            permalink: crate::content::permalink(rel, None, Default::default()),
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
        };
        rehash(&mut a);
        a
    }

    /// Sets the head hash from the front matter and summary, as `content` does
    /// (what related-article updates notice).
    fn rehash(a: &mut Article) {
        a.head_hash = crate::content::head_hash(&format!("{:?}", a.meta), &a.summary);
    }

    /// `edit` applied to the article, its head hash following.
    fn edit(a: &mut Arc<Article>, edit: impl FnOnce(&mut Article)) {
        let a = Arc::make_mut(a);
        edit(a);
        rehash(a);
    }

    fn config() -> SiteConfig {
        SiteConfig::parse(
            "title = \"T\"\nbase_url = \"https://x.org/\"\n",
            Path::new("site.toml"),
        )
        .unwrap()
    }

    fn related_articles(n: u32) -> Vec<Arc<Article>> {
        (0..n)
            .map(|i| {
                let mut a = article(
                    &format!("a/{i:02}.md"),
                    Date::new(2024, 5, 1 + i % 28),
                    &["湖南省/岳阳市"],
                    &["economy"],
                );
                a.summary = format!(
                    "洞庭湖 渔民 第{}条 {}",
                    i % 3,
                    "乡村振兴 ".repeat(i as usize % 4)
                );
                rehash(&mut a);
                Arc::new(a)
            })
            .collect()
    }

    #[test]
    fn related_cache_gives_the_same_result_and_follows_inputs() {
        let arts = related_articles(12);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("related.bin");
        let lists = |arts: &[Arc<Article>]| RelatedMemo::default().lists(arts, Some(&path));
        let fresh = find_related(&arts);
        assert_eq!(lists(&arts), (fresh.clone(), RelatedWork::Computed));
        assert!(path.exists());
        // A second run reads the cache: same result.
        assert_eq!(lists(&arts), (fresh.clone(), RelatedWork::Reused));
        // Changed inputs (text, then topics) are updated in place from the file.
        let mut changed = arts.clone();
        edit(&mut changed[0], |a| {
            a.summary = "完全 不同 的 内容 洞庭湖".into()
        });
        assert_eq!(
            lists(&changed),
            (find_related(&changed), RelatedWork::Updated)
        );
        edit(&mut changed[3], |a| a.meta.topics = vec!["health".into()]);
        assert_eq!(
            lists(&changed),
            (find_related(&changed), RelatedWork::Updated)
        );
        // Another set of articles is computed again.
        let fewer = &changed[1..];
        assert_eq!(lists(fewer), (find_related(fewer), RelatedWork::Computed));
        // A corrupt or truncated cache is ignored.
        std::fs::write(&path, b"garbage").unwrap();
        assert_eq!(lists(&arts), (fresh.clone(), RelatedWork::Computed));
        let whole = std::fs::read(&path).unwrap();
        std::fs::write(&path, &whole[..400]).unwrap();
        assert_eq!(lists(&arts), (fresh.clone(), RelatedWork::Computed));
        // Damage past the lists: they still serve an unchanged build, and an
        // edit computes anew.
        std::fs::write(&path, &whole[..whole.len() - 1]).unwrap();
        assert_eq!(lists(&arts), (fresh, RelatedWork::Reused));
        assert_eq!(
            lists(&changed),
            (find_related(&changed), RelatedWork::Computed)
        );
    }

    #[test]
    fn related_memo_updates_in_memory_and_reuses_segmented_words() {
        let arts = related_articles(20);
        let mut memo = RelatedMemo::default();
        assert_eq!(memo.lists(&arts, None).1, RelatedWork::Computed);
        assert_eq!(
            memo.lists(&arts, None),
            (find_related(&arts), RelatedWork::Reused)
        );
        let mut edited = arts.clone();
        edit(&mut edited[5], |a| a.meta.title = "湘西 黄金茶 丰收".into());
        assert_eq!(
            memo.lists(&edited, None),
            (find_related(&edited), RelatedWork::Updated)
        );
        // A new article: computed again, the others' words taken from the memo.
        let mut more = edited.clone();
        more.push(Arc::new(article("b/01.md", None, &[], &["economy"])));
        let sorted = |w: String| {
            let mut v: Vec<String> = w.split('\n').map(str::to_string).collect();
            v.sort();
            v
        };
        let words_before: Vec<Vec<String>> = {
            let r = memo.related.as_ref().unwrap();
            (0..20).map(|i| sorted(r.words_of(i).unwrap())).collect()
        };
        assert_eq!(
            memo.lists(&more, None),
            (find_related(&more), RelatedWork::Computed)
        );
        let r = memo.related.as_ref().unwrap();
        for (i, w) in words_before.iter().enumerate() {
            assert_eq!(&sorted(r.words_of(i).unwrap()), w);
        }
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
            article("d/01.md", None, &["湖北省/仙桃市"], &["economy"]),
        ];
        let site = Site::new(&cfg, gz, arts);
        let order: Vec<&str> = site.articles.iter().map(|a| a.rel_path.as_str()).collect();
        assert_eq!(
            order,
            ["b/01.md", "a/01.md", "a/02.md", "c/01.md", "d/01.md"]
        );
        assert_eq!(site.years.len(), 2);
        assert_eq!(site.years[0].year, 2025);
        assert_eq!(site.undated, vec![3, 4]);
        let xiangxi = gz.by_path("湖南省/湘西土家族苗族自治州").unwrap();
        assert_eq!(site.regions[&xiangxi].articles, vec![0, 1]);
        assert_eq!(site.regions[&xiangxi].children.len(), 2);
        let hunan = gz.by_path("湖南省").unwrap();
        let hubei = gz.by_path("湖北省").unwrap();
        let mut roots = vec![hunan, hubei];
        roots.sort_unstable();
        assert_eq!(site.region_roots, roots);
        assert_eq!(site.regions[&hunan].articles.len(), 3);
        assert_eq!(site.regions[&hunan].topic_counts["health"], 2);
        let slugs: Vec<&str> = site.topics.iter().map(|t| t.slug.as_str()).collect();
        assert_eq!(slugs, ["health", "economy"]);
        assert_eq!(site.topics[0].region_counts[&xiangxi], 1);
        // A county under no prefecture is counted under its province.
        assert_eq!(site.topics[1].region_counts[&hubei], 1);
        assert_eq!(site.neighbours(0), (Some(1), None));
        assert_eq!(site.neighbours(4), (None, Some(3)));
    }
}
