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

/// Every item's words as (word id, count), ids in sorted word order, and each
/// word's document frequency.
fn term_counts(words: &[String]) -> (Vec<Vec<(u32, u32)>>, Vec<u32>) {
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
        .map(|ws| {
            let mut v: Vec<u32> = ws.into_iter().map(|w| rank[w as usize]).collect();
            v.sort_unstable();
            let mut out: Vec<(u32, u32)> = Vec::new();
            for w in v {
                match out.last_mut() {
                    Some(last) if last.0 == w => last.1 += 1,
                    _ => out.push((w, 1)),
                }
            }
            out
        })
        .collect();
    let mut df = vec![0u32; names.len()];
    for item in &counts {
        for &(w, _) in item {
            df[w as usize] += 1;
        }
    }
    (counts, df)
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
    assert_eq!(words.len(), items.len(), "one segmented text per item");
    if items.is_empty() || k == 0 {
        return vec![Vec::new(); items.len()];
    }
    // Word ids in sorted word order, then label ids in item order: both deterministic.
    let (counts, df) = term_counts(words);
    let mut labels: HashMap<String, u32> = HashMap::new();
    let mut n_features = df.len() as u32;
    let label_ids: Vec<Vec<(u32, f32)>> = items
        .iter()
        .map(|item| {
            label_features(item)
                .into_iter()
                .map(|(name, w)| {
                    let id = *labels.entry(name).or_insert_with(|| {
                        n_features += 1;
                        n_features - 1
                    });
                    (id, w)
                })
                .collect()
        })
        .collect();
    drop(labels);
    let vectors: Vec<Vec<(u32, f32)>> = counts
        .par_iter()
        .zip(label_ids)
        .map(|(counts, labels)| {
            let mut v = top_terms(counts, &df, items.len());
            for (id, w) in labels {
                match v.iter_mut().find(|e| e.0 == id) {
                    Some(e) => e.1 = e.1.max(w),
                    None => v.push((id, w)),
                }
            }
            v.sort_unstable_by_key(|e| e.0);
            v
        })
        .collect();
    drop(df);
    let mut postings: Vec<Vec<(u32, f32)>> = vec![Vec::new(); n_features as usize];
    for (i, v) in vectors.iter().enumerate() {
        for &(t, w) in v {
            postings[t as usize].push((i as u32, w));
        }
    }
    let n = vectors.len();
    vectors
        .par_iter()
        .enumerate()
        .map_init(
            // Per thread: a dense score per item and the items touched.
            || (vec![0f32; n], Vec::<u32>::new()),
            |(score, touched), (i, v)| {
                for &(t, w) in v {
                    let list = &postings[t as usize];
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
                let order =
                    |a: &(u32, f32), b: &(u32, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
                if best.len() > k {
                    best.select_nth_unstable_by(k, order);
                    best.truncate(k);
                }
                best.sort_unstable_by(order);
                best.into_iter().map(|e| e.0 as usize).collect()
            },
        )
        .collect()
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
}
