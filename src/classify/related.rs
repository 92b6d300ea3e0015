//! Related articles: for each article, up to k others that share regions and
//! topics and whose words are similar (TF-IDF over jieba-segmented words).
//!
//! Choice of input and memory bound: items carry their own `text`, which
//! callers should keep short (title + lead, or a space-separated list of key
//! terms; whitespace separates terms). The text is segmented twice, once to
//! count document frequencies and once to keep each item's
//! [`TERMS_PER_ITEM`] best TF-IDF terms, so memory held here is bounded by
//! the vocabulary plus about `items × (TERMS_PER_ITEM + topics + regions)`
//! feature weights twice over (vectors and postings), roughly 350 MB at 1M
//! items, independent of text length.
//!
//! Every item becomes one sparse vector: its TF-IDF terms (L2-normalised),
//! its topics (first [`FIRST_TOPIC_WEIGHT`], others [`TOPIC_WEIGHT`]) and its
//! prefecture and county regions ([`REGION_WEIGHT`] for the path itself,
//! [`ANCESTOR_REGION_WEIGHT`] for its prefecture; the province is too broad
//! to count). Relatedness is the dot product. Candidates come from an
//! inverted index; for a feature shared by many items only the
//! [`POSTING_WINDOW`] items on either side in input order (chronological at
//! ingest) are visited, so the work per item is bounded and the whole run is
//! linear in the number of items. Ties rank the lower index first; the same
//! input gives the same output.
//!
//! This module must NOT read files or know about articles on disk.

use std::collections::HashMap;

use rayon::prelude::*;

use super::segment::{base_jieba, is_cjk};

/// TF-IDF terms kept per item.
pub const TERMS_PER_ITEM: usize = 16;
/// Items visited on each side of an item in a feature's posting list.
pub const POSTING_WINDOW: usize = 32;
/// Weight of an item's first topic.
pub const FIRST_TOPIC_WEIGHT: f32 = 0.6;
/// Weight of an item's further topics.
pub const TOPIC_WEIGHT: f32 = 0.4;
/// Weight of an assigned region path.
pub const REGION_WEIGHT: f32 = 0.5;
/// Weight of the prefecture above an assigned county.
pub const ANCESTOR_REGION_WEIGHT: f32 = 0.35;

/// What `related` needs to know about one article.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RelatedInput {
    /// Assigned region paths ("湖南省/岳阳市").
    pub regions: Vec<String>,
    /// Assigned topic slugs.
    pub topics: Vec<String>,
    /// Title + lead, or a space-separated summary of key terms.
    pub text: String,
}

/// Segmented, filtered words of `text` (two characters or more, with a CJK
/// character or at least three ASCII alphanumerics).
fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for chunk in text.split_whitespace() {
        for tok in base_jieba().cut(chunk, false) {
            let w = tok.word;
            let n = w.chars().count();
            let cjk = w.chars().any(is_cjk);
            let alnum = n >= 3
                && w.chars().all(|c| c.is_ascii_alphanumeric())
                && !w.chars().all(|c| c.is_ascii_digit());
            if (cjk && n >= 2) || alnum {
                out.push(w.to_lowercase());
            }
        }
    }
    out
}

/// The words of `text` that [`related_segmented`] takes: segmented and
/// filtered as for TF-IDF, joined by newlines. Depends only on `text`, so
/// callers may cache it by the text's hash.
pub fn segment(text: &str) -> String {
    words(text).join("\n")
}

/// The words of a [`segment`] result.
fn split_words(segmented: &str) -> impl Iterator<Item = &str> {
    segmented.split('\n').filter(|w| !w.is_empty())
}

/// Per item, its words as (word id, occurrences), in id order.
type Counts = Vec<Vec<(u32, u32)>>;

/// Every item's words as (word id, count), ids in sorted word order, each
/// word's document frequency, and the words by id.
fn term_counts(words: &[String]) -> (Counts, Vec<u32>, Vec<&str>) {
    let mut ids: rustc_hash::FxHashMap<&str, u32> = rustc_hash::FxHashMap::default();
    let mut names: Vec<&str> = Vec::new();
    let first_seen: Vec<Vec<u32>> = words
        .iter()
        .map(|seg| {
            split_words(seg)
                .map(|w| {
                    *ids.entry(w).or_insert_with(|| {
                        names.push(w);
                        names.len() as u32 - 1
                    })
                })
                .collect()
        })
        .collect();
    let mut order: Vec<u32> = (0..names.len() as u32).collect();
    order.sort_unstable_by_key(|&i| names[i as usize]);
    let mut rank = vec![0u32; names.len()];
    for (r, &i) in order.iter().enumerate() {
        rank[i as usize] = r as u32;
    }
    let counts: Vec<Vec<(u32, u32)>> = first_seen
        .into_par_iter()
        .map(|ws| count_ids(ws.into_iter().map(|w| rank[w as usize]).collect()))
        .collect();
    let mut df = vec![0u32; names.len()];
    for item in &counts {
        for &(w, _) in item {
            df[w as usize] += 1;
        }
    }
    let sorted = order.iter().map(|&i| names[i as usize]).collect();
    (counts, df, sorted)
}

/// (id, occurrences) of a list of word ids, in id order.
fn count_ids(mut ids: Vec<u32>) -> Vec<(u32, u32)> {
    ids.sort_unstable();
    let mut out: Vec<(u32, u32)> = Vec::new();
    for w in ids {
        match out.last_mut() {
            Some(last) if last.0 == w => last.1 += 1,
            _ => out.push((w, 1)),
        }
    }
    out
}

/// The item's best TF-IDF terms as (feature id, weight), normalised, chosen
/// by weight then word (ids are in word order).
fn top_terms(counts: &[(u32, u32)], df: &[u32], n_items: usize) -> Vec<(u32, f32)> {
    let mut scored: Vec<(u32, f32)> = counts
        .iter()
        .filter_map(|&(id, n)| {
            let d = df[id as usize];
            // A word only this item has cannot link it to anything.
            (d >= 2).then(|| {
                let idf = (n_items as f32 / d as f32).ln().max(0.0);
                (id, (1.0 + (n as f32).ln()) * idf)
            })
        })
        .filter(|e| e.1 > 0.0)
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    scored.truncate(TERMS_PER_ITEM);
    let norm = scored.iter().map(|e| e.1 * e.1).sum::<f32>().sqrt();
    scored
        .into_iter()
        .map(|(id, w)| (id, if norm > 0.0 { w / norm } else { w }))
        .collect()
}

/// An item's whole vector: its TF-IDF terms and its label features, by id.
fn vector(counts: &[(u32, u32)], labels: &[(u32, f32)], df: &[u32], n: usize) -> Vec<(u32, f32)> {
    let mut v = top_terms(counts, df, n);
    for &(id, w) in labels {
        match v.iter_mut().find(|e| e.0 == id) {
            Some(e) => e.1 = e.1.max(w),
            None => v.push((id, w)),
        }
    }
    v.sort_unstable_by_key(|e| e.0);
    v
}

/// Topic and region features of an item (prefixed so they never clash with words).
fn label_features(item: &RelatedInput) -> Vec<(String, f32)> {
    let mut out = Vec::new();
    for (i, t) in item.topics.iter().enumerate() {
        out.push((
            format!("\u{1}t:{t}"),
            if i == 0 {
                FIRST_TOPIC_WEIGHT
            } else {
                TOPIC_WEIGHT
            },
        ));
    }
    for path in &item.regions {
        let parts: Vec<&str> = path.split('/').collect();
        out.push((format!("\u{1}r:{path}"), REGION_WEIGHT));
        if parts.len() >= 3 {
            out.push((
                format!("\u{1}r:{}", parts[..2].join("/")),
                ANCESTOR_REGION_WEIGHT,
            ));
        }
    }
    out
}

/// For each item, up to `k` indices of related items, best first (see module
/// docs). An item is never related to itself; items sharing nothing are never
/// listed.
pub fn related(items: &[RelatedInput], k: usize) -> Vec<Vec<usize>> {
    let words: Vec<String> = items.par_iter().map(|i| segment(&i.text)).collect();
    related_segmented(items, &words, k)
}

/// [`related`] with each item's text already segmented: `words[i]` is
/// [`segment`] of `items[i].text` (the text itself is not read).
pub fn related_segmented(items: &[RelatedInput], words: &[String], k: usize) -> Vec<Vec<usize>> {
    Related::compute(items, words, k, false).lists
}

/// [`related_segmented`]'s result with what it was computed from, so that
/// it can be brought up to date after a few items' texts change
/// ([`Related::update`]) with the same result as computing it anew. Holds
/// about `items × (words + TERMS_PER_ITEM + labels)` ids and weights: kept by
/// a long-running process (`folio serve`), never written anywhere.
#[derive(Debug, Clone)]
pub struct Related {
    /// For each item, up to `k` related items, best first.
    pub lists: Vec<Vec<usize>>,
    k: usize,
    /// What only [`Related::update`] needs; `None` when computed for one use.
    words: Option<WordIndex>,
    counts: Counts,
    df: Vec<u32>,
    /// Label (topic, region) name → feature id, numbered after the words.
    label_names: HashMap<String, u32>,
    labels: Vec<Vec<(u32, f32)>>,
    vectors: Vec<Vec<(u32, f32)>>,
    /// Items having each feature, in item order, with its weight.
    postings: Vec<Vec<(u32, f32)>>,
}

impl Related {
    /// Computes the related lists of `items` (`words[i]` is [`segment`] of
    /// `items[i].text`).
    pub fn new(items: &[RelatedInput], words: &[String], k: usize) -> Related {
        Related::compute(items, words, k, true)
    }

    /// [`Related::new`]; without what updates need unless `updatable`.
    fn compute(items: &[RelatedInput], words: &[String], k: usize, updatable: bool) -> Related {
        assert_eq!(words.len(), items.len(), "one segmented text per item");
        // Word ids in sorted word order, then label ids in item order: both deterministic.
        let (counts, df, names) = term_counts(words);
        let words = updatable.then(|| {
            let mut items: Vec<Vec<u32>> = vec![Vec::new(); df.len()];
            for (i, c) in counts.iter().enumerate() {
                for &(w, _) in c {
                    items[w as usize].push(i as u32);
                }
            }
            WordIndex {
                vocabulary: names
                    .iter()
                    .enumerate()
                    .map(|(i, w)| (w.to_string(), i as u32))
                    .collect(),
                items,
            }
        });
        let mut label_names: HashMap<String, u32> = HashMap::new();
        let mut n_features = df.len() as u32;
        let labels: Vec<Vec<(u32, f32)>> = items
            .iter()
            .map(|item| {
                label_features(item)
                    .into_iter()
                    .map(|(name, w)| {
                        let id = *label_names.entry(name).or_insert_with(|| {
                            n_features += 1;
                            n_features - 1
                        });
                        (id, w)
                    })
                    .collect()
            })
            .collect();
        let n = items.len();
        // Scoring reads only the vectors and postings: a one-off computation frees each
        // item's counts and labels as soon as its vector is made (at 1M items, ~0.5 GB).
        let (vectors, counts, labels): (Vec<Vec<(u32, f32)>>, _, _) = if updatable {
            let vectors = counts
                .par_iter()
                .zip(&labels)
                .map(|(counts, labels)| vector(counts, labels, &df, n))
                .collect();
            (vectors, counts, labels)
        } else {
            let vectors = counts
                .into_par_iter()
                .zip(labels)
                .map(|(counts, labels)| vector(&counts, &labels, &df, n))
                .collect();
            (vectors, Vec::new(), Vec::new())
        };
        let mut postings: Vec<Vec<(u32, f32)>> = vec![Vec::new(); n_features as usize];
        for (i, v) in vectors.iter().enumerate() {
            for &(t, w) in v {
                postings[t as usize].push((i as u32, w));
            }
        }
        let mut related = Related {
            lists: Vec::new(),
            k,
            words,
            counts,
            df,
            label_names,
            labels,
            vectors,
            postings,
        };
        related.lists = (0..n)
            .into_par_iter()
            .map_init(|| Scratch::new(n), |scratch, i| related.score(i, scratch))
            .collect();
        related
    }

    /// Brings the lists up to date after the items at `changed` changed their
    /// text to `items[i]` (segmented as `words[i]`): the result equals
    /// [`Related::new`] of the new items. Returns `false`, changing nothing,
    /// when that cannot be done in place: another number of items, a changed
    /// topic or region, or a word no item had before.
    pub fn update(&mut self, items: &[RelatedInput], words: &[String], changed: &[usize]) -> bool {
        let n = items.len();
        let Some(index) = self.words.as_mut() else {
            return false;
        };
        if n != self.counts.len() || words.len() != n || changed.iter().any(|&i| i >= n) {
            return false;
        }
        // Label ids are numbered by first appearance: only unchanged labels keep them.
        for &i in changed {
            let now: Vec<(String, f32)> = label_features(&items[i]);
            let before = &self.labels[i];
            if now.len() != before.len()
                || now
                    .iter()
                    .zip(before)
                    .any(|((name, w), (id, w0))| w != w0 || self.label_names.get(name) != Some(id))
            {
                return false;
            }
        }
        let mut new_counts = Vec::with_capacity(changed.len());
        for &i in changed {
            let Some(ids) = split_words(&words[i])
                .map(|w| index.vocabulary.get(w).copied())
                .collect::<Option<Vec<u32>>>()
            else {
                return false;
            };
            new_counts.push((i, count_ids(ids)));
        }
        // Document frequencies, and the items having each word.
        let mut touched_words: Vec<u32> = Vec::new();
        for (i, counts) in new_counts {
            for &(w, _) in &self.counts[i] {
                self.df[w as usize] -= 1;
                let list = &mut index.items[w as usize];
                if let Ok(p) = list.binary_search(&(i as u32)) {
                    list.remove(p);
                }
                touched_words.push(w);
            }
            for &(w, _) in &counts {
                self.df[w as usize] += 1;
                let list = &mut index.items[w as usize];
                if let Err(p) = list.binary_search(&(i as u32)) {
                    list.insert(p, i as u32);
                }
                touched_words.push(w);
            }
            self.counts[i] = counts;
        }
        // Vectors that may change: the changed items' and those of every item
        // having a word whose frequency changed.
        touched_words.sort_unstable();
        touched_words.dedup();
        let mut candidates: Vec<u32> = changed.iter().map(|&i| i as u32).collect();
        for &w in &touched_words {
            candidates.extend_from_slice(&index.items[w as usize]);
        }
        candidates.sort_unstable();
        candidates.dedup();
        let fresh: Vec<(u32, Vec<(u32, f32)>)> = candidates
            .par_iter()
            .map(|&i| {
                let i = i as usize;
                (
                    i as u32,
                    vector(&self.counts[i], &self.labels[i], &self.df, n),
                )
            })
            .filter(|(i, v)| *v != self.vectors[*i as usize])
            .collect();
        // Postings, and the items whose candidates may differ: those within a
        // window (plus one, for shifted positions) of a changed vector in any of
        // its old or new features' lists, before or after the change.
        let reach = POSTING_WINDOW + 1;
        let mut rescore: Vec<u32> = Vec::new();
        let near = |list: &[(u32, f32)], item: u32, out: &mut Vec<u32>| {
            let pos = list.partition_point(|e| e.0 < item);
            let lo = pos.saturating_sub(reach);
            let hi = (pos + reach + 1).min(list.len());
            out.extend(list[lo..hi].iter().map(|e| e.0));
        };
        for (i, v) in &fresh {
            rescore.push(*i);
            let old = std::mem::replace(&mut self.vectors[*i as usize], v.clone());
            for &(t, _) in &old {
                let list = &mut self.postings[t as usize];
                near(list, *i, &mut rescore);
                if let Ok(p) = list.binary_search_by_key(i, |e| e.0) {
                    list.remove(p);
                }
            }
            for &(t, w) in v {
                let list = &mut self.postings[t as usize];
                match list.binary_search_by_key(i, |e| e.0) {
                    Ok(p) => list[p].1 = w,
                    Err(p) => list.insert(p, (*i, w)),
                }
                near(list, *i, &mut rescore);
            }
        }
        rescore.sort_unstable();
        rescore.dedup();
        let lists: Vec<(u32, Vec<usize>)> = rescore
            .par_iter()
            .map_init(
                || Scratch::new(n),
                |scratch, &i| (i, self.score(i as usize, scratch)),
            )
            .collect();
        for (i, list) in lists {
            self.lists[i as usize] = list;
        }
        true
    }

    /// Up to `k` items related to item `i`, best first.
    fn score(&self, i: usize, scratch: &mut Scratch) -> Vec<usize> {
        let Scratch { score, touched } = scratch;
        if self.k == 0 {
            return Vec::new();
        }
        for &(t, w) in &self.vectors[i] {
            let list = &self.postings[t as usize];
            if list.len() < 2 {
                continue;
            }
            let pos = list.partition_point(|e| (e.0 as usize) < i);
            let lo = pos.saturating_sub(POSTING_WINDOW);
            let hi = (pos + POSTING_WINDOW + 1).min(list.len());
            for &(j, wj) in &list[lo..hi] {
                if j as usize == i {
                    continue;
                }
                let s = &mut score[j as usize];
                if *s == 0.0 {
                    touched.push(j);
                }
                *s += w * wj;
            }
        }
        let mut best: Vec<(u32, f32)> = touched
            .drain(..)
            .map(|j| (j, std::mem::take(&mut score[j as usize])))
            .filter(|e| e.1 > 0.0)
            .collect();
        let order = |a: &(u32, f32), b: &(u32, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
        if best.len() > self.k {
            best.select_nth_unstable_by(self.k, order);
            best.truncate(self.k);
        }
        best.sort_unstable_by(order);
        best.into_iter().map(|e| e.0 as usize).collect()
    }
}

/// The words of a [`Related`] that can be updated.
#[derive(Debug, Clone)]
struct WordIndex {
    /// Word → id, ids in sorted word order (words no item has any more keep theirs).
    vocabulary: HashMap<String, u32>,
    /// Items having each word.
    items: Vec<Vec<u32>>,
}

/// Per thread: a dense score per item and the items touched.
struct Scratch {
    score: Vec<f32>,
    touched: Vec<u32>,
}

impl Scratch {
    fn new(n: usize) -> Scratch {
        Scratch {
            score: vec![0.0; n],
            touched: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(topics: &[&str], regions: &[&str], text: &str) -> RelatedInput {
        RelatedInput {
            regions: regions.iter().map(|s| s.to_string()).collect(),
            topics: topics.iter().map(|s| s.to_string()).collect(),
            text: text.to_string(),
        }
    }

    fn sample() -> Vec<RelatedInput> {
        vec![
            item(
                &["health"],
                &["湖南省/湘潭市"],
                "湘潭市中心医院脊柱外科微创手术",
            ),
            item(&["education"], &["湖南省/岳阳市"], "岳阳学校开学典礼"),
            item(
                &["health"],
                &["湖南省/邵阳市"],
                "省肿瘤医院帮扶邵阳市中心医院",
            ),
            item(&["culture-tourism"], &[], "张家界古城影视拍摄"),
            item(
                &["health"],
                &["湖南省/湘潭市"],
                "湘潭市中心医院脊柱外科义诊",
            ),
        ]
    }

    #[test]
    fn deterministic_and_never_self() {
        let items = sample();
        let a = related(&items, 5);
        assert_eq!(a, related(&items, 5));
        for (i, r) in a.iter().enumerate() {
            assert!(!r.contains(&i));
            assert!(r.len() <= 5);
        }
    }

    #[test]
    fn shared_topic_ranks_above_unrelated() {
        let r = related(&sample(), 5);
        assert_eq!(r[0].first(), Some(&4), "{r:?}");
        assert!(r[0].contains(&2));
        assert!(!r[0].contains(&3));
        assert!(!r[0].contains(&1));
        assert!(r[3].is_empty());
        assert!(related(&sample(), 0).iter().all(Vec::is_empty));
        assert!(related(&[], 3).is_empty());
    }

    /// A small deterministic generator (no dependency needed for a test).
    struct Lcg(u64);
    impl Lcg {
        fn below(&mut self, n: usize) -> usize {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((self.0 >> 33) as usize) % n
        }
    }

    /// 2–11 words of `pool`, the first ones far more often (as in real text).
    fn random_words(rng: &mut Lcg, pool: &[String]) -> String {
        let n = 2 + rng.below(10);
        (0..n)
            .map(|_| {
                let bound = 1 + rng.below(pool.len());
                pool[rng.below(bound)].clone()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn update_equals_a_fresh_computation() {
        let pool: Vec<String> = (0..600).map(|i| format!("词{i:03}")).collect();
        let topics = ["a", "b", "c", "d", "e", "f", "g", "h"];
        let regions = [
            "湖南省/岳阳市/平江县",
            "湖南省/岳阳市/华容县",
            "湖南省/湘潭市/湘乡市",
            "湖南省/湘潭市/韶山市",
            "湖南省/邵阳市/隆回县",
            "湖南省/邵阳市/洞口县",
            "湖南省/常德市/桃源县",
            "湖南省/常德市/澧县",
        ];
        let mut rng = Lcg(7);
        let (mut updated, mut refused) = (0, 0);
        for _ in 0..40 {
            let n = 20 + rng.below(280);
            let items: Vec<RelatedInput> = (0..n)
                .map(|_| {
                    item(
                        &[topics[rng.below(topics.len())]],
                        &[regions[rng.below(regions.len())]],
                        "",
                    )
                })
                .collect();
            // The last pool words are left out at first: using one later is a new word.
            let early = &pool[..590];
            let mut words: Vec<String> = (0..n).map(|_| random_words(&mut rng, early)).collect();
            let mut related = Related::new(&items, &words, 5);
            for _ in 0..3 {
                let mut changed: Vec<usize> = (0..1 + rng.below(3)).map(|_| rng.below(n)).collect();
                changed.sort_unstable();
                changed.dedup();
                for &i in &changed {
                    words[i] = if rng.below(5) == 0 {
                        random_words(&mut rng, &pool)
                    } else {
                        // Words other items have: known to the vocabulary.
                        let a = words[rng.below(n)].clone();
                        let b = words[rng.below(n)]
                            .split('\n')
                            .next_back()
                            .unwrap_or("")
                            .to_string();
                        format!("{a}\n{b}")
                    };
                }
                let fresh = Related::new(&items, &words, 5);
                if related.update(&items, &words, &changed) {
                    updated += 1;
                    assert_eq!(related.lists, fresh.lists);
                } else {
                    refused += 1;
                    related = fresh;
                }
            }
        }
        assert!(
            updated > 60 && refused > 0,
            "{updated} updated, {refused} refused"
        );
    }

    #[test]
    fn update_refuses_changed_labels() {
        let items = sample();
        let words: Vec<String> = items.iter().map(|i| segment(&i.text)).collect();
        let mut related = Related::new(&items, &words, 5);
        let mut moved = items.clone();
        moved[1].topics = vec!["health".into()];
        assert!(!related.update(&moved, &words, &[1]));
        assert_eq!(related.lists, related_segmented(&items, &words, 5));
        // Computed for one use, without what updates need: never updated.
        assert!(!Related::compute(&items, &words, 5, false).update(&items, &words, &[1]));
    }
}
