//! Related articles: for each article, up to k others that share regions and
//! topics and whose words are similar (TF-IDF over jieba-segmented words).
//!
//! Choice of input and memory bound: items carry their own `text`, which
//! callers should keep short (title + lead, or a space-separated list of key
//! terms; whitespace separates terms). Texts are segmented once ([`segment`],
//! cacheable by the caller) and only their word counts are kept, so memory
//! held here is bounded by the vocabulary plus about `items × (words +
//! TERMS_PER_ITEM + topics + regions)` ids and weights, independent of text
//! length.
//!
//! Every item becomes one sparse vector: its TF-IDF terms (L2-normalised),
//! its topics (first [`FIRST_TOPIC_WEIGHT`], others [`TOPIC_WEIGHT`]) and its
//! prefecture and county regions ([`REGION_WEIGHT`] for the path itself,
//! [`ANCESTOR_REGION_WEIGHT`] for its prefecture; the province is too broad
//! to count). IDF is rounded to steps of `1/`[`IDF_STEPS`], so one edit
//! changes other items' vectors only when a word's frequency crosses a step.
//! Relatedness is the dot product. Candidates come from an inverted index;
//! for a feature shared by many items only the [`POSTING_WINDOW`] items on
//! either side in input order (chronological at ingest) are visited, so the
//! work per item is bounded and the whole run is linear in the number of
//! items. Ties rank the lower index first; the same input gives the same
//! output, whatever order features were first met in (vectors are kept in the
//! order of a hash of each feature's name), so a [`Related`] brought up to
//! date by [`Related::update`] — or saved with [`Related::encode`] and read
//! back — gives exactly what a fresh computation gives.
//!
//! This module must NOT read or write files or know about articles on disk.

use std::io::{self, Write};

use rayon::prelude::*;
use rustc_hash::FxHashMap;

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
/// IDF is rounded to multiples of `1 / IDF_STEPS`. A word in `d` items moves
/// to another step about `IDF_STEPS / d` of the times one item gains or loses
/// it, so an edit re-weighs a handful of other items, not every item sharing
/// a common word.
pub const IDF_STEPS: f32 = 4.0;

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

/// The rounded IDF of a word in `d` of `n` items; `None` below two items (a
/// word only one item has cannot link it to anything).
fn idf(n: usize, d: u32) -> Option<f32> {
    (d >= 2).then(|| {
        let exact = (n as f32 / d as f32).ln().max(0.0);
        (exact * IDF_STEPS).round() / IDF_STEPS
    })
}

/// Words and labels (topics, regions), numbered in the order they were met:
/// ids mean nothing beyond one [`Related`], results never depend on them.
#[derive(Debug, Clone, Default)]
struct Features {
    names: Vec<String>,
    /// A hash of each name: the order vectors are kept and compared in.
    keys: Vec<u64>,
    ids: FxHashMap<String, u32>,
    /// Items having each word (0 for labels).
    df: Vec<u32>,
}

impl Features {
    fn id(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.push(name.to_string(), 0);
        id
    }

    fn push(&mut self, name: String, df: u32) {
        self.keys.push(xxhash_rust::xxh3::xxh3_64(name.as_bytes()));
        self.ids.insert(name.clone(), self.names.len() as u32);
        self.names.push(name);
        self.df.push(df);
    }

    fn len(&self) -> usize {
        self.names.len()
    }
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

/// An item's whole vector: its best TF-IDF terms (chosen by weight, then
/// feature key), normalised, and its label features; kept in key order.
fn vector(
    counts: &[(u32, u32)],
    labels: &[(u32, f32)],
    features: &Features,
    n: usize,
) -> Vec<(u32, f32)> {
    // (key, id, weight): comparisons never look the key up again.
    let mut v: Vec<(u64, u32, f32)> = counts
        .iter()
        .filter_map(|&(id, c)| {
            let idf = idf(n, features.df[id as usize])?;
            let w = (1.0 + (c as f32).ln()) * idf;
            (w > 0.0).then(|| (features.keys[id as usize], id, w))
        })
        .collect();
    // Best first; feature keys (with ids) are unique, so the order is total.
    let order = |a: &(u64, u32, f32), b: &(u64, u32, f32)| {
        b.2.total_cmp(&a.2).then((a.0, a.1).cmp(&(b.0, b.1)))
    };
    if v.len() > TERMS_PER_ITEM {
        v.select_nth_unstable_by(TERMS_PER_ITEM, order);
        v.truncate(TERMS_PER_ITEM);
    }
    v.sort_unstable_by(order);
    let norm = v.iter().map(|e| e.2 * e.2).sum::<f32>().sqrt();
    if norm > 0.0 {
        for e in &mut v {
            e.2 /= norm;
        }
    }
    for &(id, w) in labels {
        match v.iter_mut().find(|e| e.1 == id) {
            Some(e) => e.2 = e.2.max(w),
            None => v.push((features.keys[id as usize], id, w)),
        }
    }
    v.sort_unstable_by_key(|e| (e.0, e.1));
    v.into_iter().map(|(_, id, w)| (id, w)).collect()
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

/// [`related_segmented`]'s result with what it was computed from, so that it
/// can be brought up to date after a few items change ([`Related::update`])
/// with the same result as computing it anew, and saved and read back
/// ([`Related::encode`], [`Related::decode`]). Holds about `items × (words +
/// TERMS_PER_ITEM + labels)` ids and weights.
#[derive(Debug, Clone)]
pub struct Related {
    /// For each item, up to `k` related items, best first.
    pub lists: Vec<Vec<usize>>,
    k: usize,
    features: Features,
    /// Per item, its words as (feature id, occurrences), in id order; empty
    /// when computed for one use (then it cannot be updated or saved).
    counts: Vec<Vec<(u32, u32)>>,
    /// Per item, its label features with their weights.
    labels: Vec<Vec<(u32, f32)>>,
    vectors: Vec<Vec<(u32, f32)>>,
    /// Items having each feature, in item order, with its weight.
    postings: Vec<Vec<(u32, f32)>>,
}

/// One changed item for [`Related::update`]: its index, its new input and
/// [`segment`] of its new text.
pub type Change<'a> = (usize, &'a RelatedInput, &'a str);

impl Related {
    /// Computes the related lists of `items` (`words[i]` is [`segment`] of
    /// `items[i].text`).
    pub fn new(items: &[RelatedInput], words: &[String], k: usize) -> Related {
        Related::compute(items, words, k, true)
    }

    /// [`Related::new`]; without what updates need unless `updatable`.
    fn compute(items: &[RelatedInput], words: &[String], k: usize, updatable: bool) -> Related {
        assert_eq!(words.len(), items.len(), "one segmented text per item");
        let n = items.len();
        let mut features = Features::default();
        // Words first (counted in parallel after numbering), then labels.
        let mut ids: FxHashMap<&str, u32> = FxHashMap::default();
        let mut names: Vec<&str> = Vec::new();
        let numbered: Vec<Vec<u32>> = words
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
        drop(ids);
        let counts: Vec<Vec<(u32, u32)>> = numbered.into_par_iter().map(count_ids).collect();
        let mut df = vec![0u32; names.len()];
        for item in &counts {
            for &(w, _) in item {
                df[w as usize] += 1;
            }
        }
        for (name, d) in names.into_iter().zip(df) {
            features.push(name.to_string(), d);
        }
        let labels: Vec<Vec<(u32, f32)>> = items
            .iter()
            .map(|item| {
                label_features(item)
                    .into_iter()
                    .map(|(name, w)| (features.id(&name), w))
                    .collect()
            })
            .collect();
        // Scoring reads only the vectors and postings: a one-off computation frees each
        // item's counts and labels as soon as its vector is made (at 1M items, ~0.5 GB).
        let (vectors, counts, labels): (Vec<Vec<(u32, f32)>>, _, _) = if updatable {
            let vectors = counts
                .par_iter()
                .zip(&labels)
                .map(|(c, l)| vector(c, l, &features, n))
                .collect();
            (vectors, counts, labels)
        } else {
            let vectors = counts
                .into_par_iter()
                .zip(labels)
                .map(|(c, l)| vector(&c, &l, &features, n))
                .collect();
            (vectors, Vec::new(), Vec::new())
        };
        Related::assemble(k, features, counts, labels, vectors, None)
    }

    /// Builds the postings from the vectors, then scores every item unless
    /// `lists` are given.
    fn assemble(
        k: usize,
        features: Features,
        counts: Vec<Vec<(u32, u32)>>,
        labels: Vec<Vec<(u32, f32)>>,
        vectors: Vec<Vec<(u32, f32)>>,
        lists: Option<Vec<Vec<usize>>>,
    ) -> Related {
        let mut sizes = vec![0usize; features.len()];
        for &(t, _) in vectors.iter().flatten() {
            sizes[t as usize] += 1;
        }
        let mut postings: Vec<Vec<(u32, f32)>> =
            sizes.into_iter().map(Vec::with_capacity).collect();
        for (i, v) in vectors.iter().enumerate() {
            for &(t, w) in v {
                postings[t as usize].push((i as u32, w));
            }
        }
        let n = vectors.len();
        let mut related = Related {
            lists: Vec::new(),
            k,
            features,
            counts,
            labels,
            vectors,
            postings,
        };
        related.lists = match lists {
            Some(lists) => lists,
            None => (0..n)
                .into_par_iter()
                .map_init(|| Scratch::new(n), |scratch, i| related.score(i, scratch))
                .collect(),
        };
        related
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        self.lists.len()
    }

    /// Whether there are no items.
    pub fn is_empty(&self) -> bool {
        self.lists.is_empty()
    }

    /// Item `i`'s words as [`segment`] would give them (same words and
    /// counts, possibly in another order), or `None` when computed for one
    /// use.
    pub fn words_of(&self, i: usize) -> Option<String> {
        let counts = self.counts.get(i)?;
        let mut out = String::new();
        for &(w, c) in counts {
            for _ in 0..c {
                if !out.is_empty() {
                    out.push('\n');
                }
                out.push_str(&self.features.names[w as usize]);
            }
        }
        Some(out)
    }

    /// Brings the lists up to date after the items of `changed` changed (any
    /// of text, topics, regions): the result equals [`Related::new`] of the
    /// new items. Returns `false`, changing nothing, when computed for one
    /// use or given an item out of range.
    pub fn update(&mut self, changed: &[Change]) -> bool {
        let n = self.len();
        if self.counts.len() != n || changed.iter().any(|c| c.0 >= n) {
            return false;
        }
        let mut changed_items: Vec<u32> = Vec::with_capacity(changed.len());
        // Each touched word's document frequency before this update.
        let mut before: FxHashMap<u32, u32> = FxHashMap::default();
        for &(i, input, words) in changed {
            changed_items.push(i as u32);
            let ids: Vec<u32> = split_words(words).map(|w| self.features.id(w)).collect();
            let counts = count_ids(ids);
            let labels: Vec<(u32, f32)> = label_features(input)
                .into_iter()
                .map(|(name, w)| (self.features.id(&name), w))
                .collect();
            let df = &mut self.features.df;
            for &(w, _) in &self.counts[i] {
                before.entry(w).or_insert(df[w as usize]);
                df[w as usize] -= 1;
            }
            for &(w, _) in &counts {
                before.entry(w).or_insert(df[w as usize]);
                df[w as usize] += 1;
            }
            self.counts[i] = counts;
            self.labels[i] = labels;
        }
        self.postings.resize(self.features.len(), Vec::new());
        // Vectors that may change: the changed items' and those of every item
        // having a word whose rounded idf changed.
        let mut affected = vec![false; self.features.len()];
        let mut any_affected = false;
        for (&w, &d0) in &before {
            let d1 = self.features.df[w as usize];
            if idf(n, d0).map(f32::to_bits) != idf(n, d1).map(f32::to_bits) {
                affected[w as usize] = true;
                any_affected = true;
            }
        }
        let mut candidates = changed_items;
        if any_affected {
            candidates.par_extend(
                self.counts
                    .par_iter()
                    .enumerate()
                    .filter(|(_, c)| c.iter().any(|&(w, _)| affected[w as usize]))
                    .map(|(i, _)| i as u32),
            );
        }
        candidates.sort_unstable();
        candidates.dedup();
        let fresh: Vec<(u32, Vec<(u32, f32)>)> = candidates
            .par_iter()
            .map(|&i| {
                let i = i as usize;
                let v = vector(&self.counts[i], &self.labels[i], &self.features, n);
                (i as u32, v)
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

    /// Writes everything [`Related::decode`] needs (lists first, so
    /// [`Related::decode_lists`] reads only them). Fails with
    /// `InvalidInput` when computed for one use.
    pub fn encode(&self, out: &mut dyn Write) -> io::Result<()> {
        let n = self.len();
        if self.counts.len() != n {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "related articles computed for one use cannot be saved",
            ));
        }
        // Each part is gathered in `buf`, then written in one call.
        let mut buf: Vec<u8> = Vec::with_capacity(1 << 16);
        let u32s = |buf: &mut Vec<u8>, x: usize| buf.extend_from_slice(&(x as u32).to_le_bytes());
        buf.extend_from_slice(ENCODING_MAGIC);
        u32s(&mut buf, self.k);
        u32s(&mut buf, n);
        for list in &self.lists {
            u32s(&mut buf, list.len());
            for &j in list {
                u32s(&mut buf, j);
            }
            if buf.len() >= 1 << 16 {
                out.write_all(&buf)?;
                buf.clear();
            }
        }
        let f = &self.features;
        u32s(&mut buf, f.len());
        for (name, &df) in f.names.iter().zip(&f.df) {
            u32s(&mut buf, name.len());
            buf.extend_from_slice(name.as_bytes());
            u32s(&mut buf, df as usize);
            if buf.len() >= 1 << 16 {
                out.write_all(&buf)?;
                buf.clear();
            }
        }
        let pairs = |buf: &mut Vec<u8>, list: &mut dyn ExactSizeIterator<Item = (u32, u32)>| {
            buf.extend_from_slice(&(list.len() as u32).to_le_bytes());
            for (a, b) in list {
                buf.extend_from_slice(&a.to_le_bytes());
                buf.extend_from_slice(&b.to_le_bytes());
            }
        };
        for ((counts, labels), vector) in self.counts.iter().zip(&self.labels).zip(&self.vectors) {
            pairs(&mut buf, &mut counts.iter().copied());
            pairs(
                &mut buf,
                &mut labels.iter().map(|&(id, w)| (id, w.to_bits())),
            );
            pairs(
                &mut buf,
                &mut vector.iter().map(|&(id, w)| (id, w.to_bits())),
            );
            if buf.len() >= 1 << 16 {
                out.write_all(&buf)?;
                buf.clear();
            }
        }
        out.write_all(&buf)
    }

    /// Only the lists of an [`Related::encode`]d state (`None` if malformed).
    pub fn decode_lists(bytes: &[u8]) -> Option<Vec<Vec<usize>>> {
        let mut r = Reader::new(bytes.strip_prefix(ENCODING_MAGIC.as_slice())?);
        let (_, lists) = read_lists(&mut r)?;
        Some(lists)
    }

    /// A state written by [`Related::encode`], ready for updates (`None` if
    /// malformed: the caller computes anew).
    pub fn decode(bytes: &[u8]) -> Option<Related> {
        let mut r = Reader::new(bytes.strip_prefix(ENCODING_MAGIC.as_slice())?);
        let (k, lists) = read_lists(&mut r)?;
        let n = lists.len();
        let m = r.u32()? as usize;
        // The features' bytes, then each item's three lists' bytes, found first
        // so that the features and the items are decoded side by side, the
        // items in parallel.
        let mut names = r.clone();
        for _ in 0..m {
            let len = r.u32()? as usize;
            r.take(len)?;
            r.u32()?;
        }
        let items: Vec<Reader<'_>> = (0..n)
            .map(|_| {
                let start = r.clone();
                for _ in 0..3 {
                    let len = r.u32()? as usize;
                    r.take(len.checked_mul(8)?)?;
                }
                Some(start)
            })
            .collect::<Option<_>>()?;
        if r.rest() != 0 {
            return None;
        }
        type Item = (Vec<(u32, u32)>, Vec<(u32, f32)>, Vec<(u32, f32)>);
        let (features, items) = rayon::join(
            || -> Option<Features> {
                let mut features = Features::default();
                for _ in 0..m {
                    let len = names.u32()? as usize;
                    let name = std::str::from_utf8(names.take(len)?).ok()?;
                    let df = names.u32()?;
                    if features.ids.contains_key(name) || df as usize > n {
                        return None;
                    }
                    features.push(name.to_string(), df);
                }
                Some(features)
            },
            || -> Option<Vec<Item>> {
                items
                    .into_par_iter()
                    .map(|mut r| {
                        let c = r.pairs(m, |count| (count > 0).then_some(count))?;
                        if c.windows(2).any(|w| w[0].0 >= w[1].0) {
                            return None;
                        }
                        let weight = |bits| Some(f32::from_bits(bits)).filter(|w| w.is_finite());
                        let l = r.pairs(m, weight)?;
                        let v = r.pairs(m, weight)?;
                        Some((c, l, v))
                    })
                    .collect()
            },
        );
        let (features, items) = (features?, items?);
        // Vectors are in the order of their features' keys.
        let key = |e: &(u32, f32)| (features.keys[e.0 as usize], e.0);
        if items
            .par_iter()
            .any(|(_, _, v)| v.windows(2).any(|w| key(&w[0]) >= key(&w[1])))
        {
            return None;
        }
        let mut counts = Vec::with_capacity(n);
        let mut labels = Vec::with_capacity(n);
        let mut vectors = Vec::with_capacity(n);
        for (c, l, v) in items {
            counts.push(c);
            labels.push(l);
            vectors.push(v);
        }
        Some(Related::assemble(
            k,
            features,
            counts,
            labels,
            vectors,
            Some(lists),
        ))
    }
}

const ENCODING_MAGIC: &[u8; 8] = b"FOLIORL3";

/// `k` and the lists of an encoded state.
fn read_lists(r: &mut Reader) -> Option<(usize, Vec<Vec<usize>>)> {
    let k = r.u32()? as usize;
    let n = r.u32()? as usize;
    let mut lists = Vec::with_capacity(n.min(r.rest()));
    for _ in 0..n {
        let len = r.u32()? as usize;
        let mut list = Vec::with_capacity(len);
        for _ in 0..len {
            let j = r.u32()? as usize;
            if j >= n {
                return None;
            }
            list.push(j);
        }
        lists.push(list);
    }
    Some((k, lists))
}

/// Little-endian reads that answer `None` past the end.
#[derive(Clone)]
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes }
    }

    fn take(&mut self, len: usize) -> Option<&'a [u8]> {
        if len > self.bytes.len() {
            return None;
        }
        let (head, rest) = self.bytes.split_at(len);
        self.bytes = rest;
        Some(head)
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    /// A u32 count, then that many (id below `m`, value) pairs; `value`
    /// checks and converts each value.
    fn pairs<T>(&mut self, m: usize, value: impl Fn(u32) -> Option<T>) -> Option<Vec<(u32, T)>> {
        let len = self.u32()? as usize;
        let bytes = self.take(len.checked_mul(8)?)?;
        bytes
            .chunks_exact(8)
            .map(|c| {
                let id = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
                let x = u32::from_le_bytes([c[4], c[5], c[6], c[7]]);
                if id as usize >= m {
                    return None;
                }
                Some((id, value(x)?))
            })
            .collect()
    }

    fn rest(&self) -> usize {
        self.bytes.len()
    }
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
        let (mut updates, mut relabelled, mut reloaded) = (0, 0, 0);
        for _ in 0..40 {
            let n = 20 + rng.below(280);
            let mut items: Vec<RelatedInput> = (0..n)
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
                    if rng.below(4) == 0 {
                        // A new topic (one no item had), or another region.
                        items[i] = item(
                            &["z", topics[rng.below(topics.len())]],
                            &[regions[rng.below(regions.len())]],
                            "",
                        );
                        relabelled += 1;
                    }
                }
                if rng.below(3) == 0 {
                    // Saved and read back between builds.
                    let mut bytes = Vec::new();
                    related.encode(&mut bytes).unwrap();
                    related = Related::decode(&bytes).unwrap();
                    reloaded += 1;
                }
                let fresh = Related::new(&items, &words, 5);
                let changes: Vec<Change> = changed
                    .iter()
                    .map(|&i| (i, &items[i], words[i].as_str()))
                    .collect();
                assert!(related.update(&changes));
                assert_eq!(related.lists, fresh.lists);
                updates += 1;
            }
        }
        assert!(
            updates == 120 && relabelled > 20 && reloaded > 20,
            "{updates} updates, {relabelled} relabelled, {reloaded} reloaded"
        );
    }

    #[test]
    fn idf_steps_spare_other_items_most_edits() {
        // 400 items share a common word; one item gaining it again moves its
        // document frequency by one, which rarely crosses a step.
        let n = 1000;
        let moved = (2..400u32)
            .filter(|&d| idf(n, d).map(f32::to_bits) != idf(n, d + 1).map(f32::to_bits))
            .count();
        assert!(moved < 30, "{moved} of 398 steps moved the idf");
        assert_eq!(idf(n, 1), None);
        assert_eq!(idf(n, 1000), Some(0.0));
        let x = idf(n, 7).unwrap();
        assert_eq!(x * IDF_STEPS, (x * IDF_STEPS).round());
    }

    #[test]
    fn encoded_state_round_trips_and_rejects_damage() {
        let items = sample();
        let words: Vec<String> = items.iter().map(|i| segment(&i.text)).collect();
        let related = Related::new(&items, &words, 5);
        let mut bytes = Vec::new();
        related.encode(&mut bytes).unwrap();
        assert_eq!(Related::decode_lists(&bytes).unwrap(), related.lists);
        let back = Related::decode(&bytes).unwrap();
        assert_eq!(back.lists, related.lists);
        for (i, w) in words.iter().enumerate() {
            let mut a: Vec<&str> = w.split('\n').filter(|s| !s.is_empty()).collect();
            let again = back.words_of(i).unwrap();
            let mut b: Vec<&str> = again.split('\n').filter(|s| !s.is_empty()).collect();
            a.sort_unstable();
            b.sort_unstable();
            assert_eq!(a, b);
        }
        // Truncated, extended or foreign bytes are refused, never misread.
        assert!(Related::decode(&bytes[..bytes.len() - 1]).is_none());
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(Related::decode(&longer).is_none());
        assert!(Related::decode(b"FOLIORL1").is_none());
        assert!(Related::decode_lists(&bytes[..20]).is_none());
        // Computed for one use: neither updated nor saved.
        let mut once = Related::compute(&items, &words, 5, false);
        assert!(!once.update(&[(1, &items[1], words[1].as_str())]));
        assert!(once.encode(&mut Vec::new()).is_err());
        assert!(once.words_of(0).is_none());
    }

    #[test]
    fn update_follows_changed_labels() {
        let items = sample();
        let words: Vec<String> = items.iter().map(|i| segment(&i.text)).collect();
        let mut related = Related::new(&items, &words, 5);
        let mut moved = items.clone();
        moved[1].topics = vec!["health".into()];
        assert!(related.update(&[(1, &moved[1], words[1].as_str())]));
        assert_eq!(related.lists, related_segmented(&moved, &words, 5));
        assert!(!related.update(&[(9, &moved[1], "")]), "out of range");
    }
}
