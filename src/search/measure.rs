//! Benchmark helper: which files a cold query downloads, replaying what `search.js` fetches
//! (the script itself, `index.json`, shard directories, the shards of the query's terms, the
//! facets of the hits — facet lists of the term with the fewest documents, the counts of a
//! very common single term, or else the facet blocks; for a one-term query of a very common
//! term only its facet lists and head — the record chunks of the first page's results, and for multi-token
//! quoted phrases the full-text chunks of up to `verifyLimit` best-ranked candidates), and
//! their gzipped size. Query planning mirrors search.js:
//! quoted parts are phrases, CJK runs of one character match by prefix, longer runs by
//! bigrams, and words (letters/digits) by prefix over the index's word suffixes, except a
//! one-character word followed by more of the query, which matches exactly. This module must
//! NOT write anything.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::write::GzEncoder;
use serde_json::Value;

use super::packed;
use super::shards::{Directory, shard_name};
use super::tokenize::{Run, normalize, runs};
use super::{Manifest, SearchError};

/// The browser script, measured as part of every cold query.
const SEARCH_JS: &str = include_str!("../../themes/default/static/search.js");

/// What a cold query downloaded.
#[derive(Debug, Clone, PartialEq)]
pub struct ColdQuery {
    /// Sum of gzipped sizes of every file fetched (script included).
    pub gzip_bytes: u64,
    /// Sum of raw sizes.
    pub raw_bytes: u64,
    /// Files fetched, relative to `out_dir` (the script as "search.js"), with gzipped sizes.
    pub files: Vec<(String, u64)>,
    /// Number of documents matching all terms (before phrase verification).
    pub candidates: usize,
}

/// One term of a query plan.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct QueryTerm {
    pub term: String,
    pub prefix: bool,
}

/// Splits a query into quoted phrases and the free text, and plans the terms every match
/// must contain. Returns (terms, phrases that need text verification).
pub(crate) fn plan(query: &str) -> (Vec<QueryTerm>, Vec<String>) {
    let mut free = String::new();
    let mut phrases = Vec::new();
    let mut current: Option<(char, String)> = None;
    for c in query.chars() {
        match &mut current {
            Some((close, text)) if c == *close => {
                phrases.push(std::mem::take(text));
                current = None;
                free.push(' ');
            }
            Some((_, text)) => text.push(c),
            None => match c {
                '"' => current = Some(('"', String::new())),
                '“' => current = Some(('”', String::new())),
                '「' => current = Some(('」', String::new())),
                _ => free.push(c),
            },
        }
    }
    let open_phrase = current.map(|(_, t)| t);
    if let Some(t) = &open_phrase {
        free.push(' ');
        free.push_str(t);
    }
    let mut terms = Vec::new();
    let mut verify = Vec::new();
    let free_runs = runs(&free);
    let n_free = free_runs.len();
    for (i, run) in free_runs.into_iter().enumerate() {
        push_run(&mut terms, run, i + 1 == n_free);
    }
    for p in phrases {
        let mut pterms = Vec::new();
        let pruns = runs(&p);
        let n = pruns.len();
        for (i, run) in pruns.into_iter().enumerate() {
            push_run(&mut pterms, run, i + 1 == n);
        }
        // One term spelling the whole phrase finds exactly the texts containing it.
        let single_exact = pterms.len() == 1 && pterms[0].term == normalize(&p);
        if !single_exact && !pterms.is_empty() {
            verify.push(p);
        }
        terms.extend(pterms);
    }
    terms.sort();
    terms.dedup();
    (terms, verify)
}

fn push_run(terms: &mut Vec<QueryTerm>, run: Run, last: bool) {
    match run {
        Run::Cjk(chars) if chars.len() == 1 => {
            terms.push(QueryTerm {
                term: chars[0].to_string(),
                prefix: true,
            });
        }
        Run::Cjk(chars) => {
            for pair in chars.windows(2) {
                terms.push(QueryTerm {
                    term: pair.iter().collect(),
                    prefix: false,
                });
            }
        }
        Run::Word(w) => {
            let prefix = last || w.chars().nth(1).is_some();
            terms.push(QueryTerm { term: w, prefix })
        }
    }
}

/// Whether a lone query term may be answered from a common term's head (mirror of
/// `headable` in search.js): an exact term, or a word's prefix.
fn headable(qt: &QueryTerm) -> bool {
    !qt.prefix || qt.term.chars().nth(1).is_some()
}

struct Fetcher<'a> {
    out_dir: &'a Path,
    seen: BTreeSet<String>,
    result: ColdQuery,
}

fn gzip_len(data: &[u8]) -> u64 {
    let mut enc = GzEncoder::new(Vec::new(), Compression::default());
    // Writing to a Vec cannot fail.
    let _ = enc.write_all(data);
    enc.finish()
        .map(|v| v.len() as u64)
        .unwrap_or(data.len() as u64)
}

impl Fetcher<'_> {
    fn count(&mut self, name: &str, data: &[u8]) {
        if self.seen.insert(name.to_string()) {
            let gz = gzip_len(data);
            self.result.raw_bytes += data.len() as u64;
            self.result.gzip_bytes += gz;
            self.result.files.push((name.to_string(), gz));
        }
    }

    fn fetch(&mut self, rel: &str) -> Result<Vec<u8>, SearchError> {
        let path = self.out_dir.join(rel);
        let data = fs::read(&path).map_err(|source| SearchError::Io { path, source })?;
        self.count(rel, &data);
        Ok(data)
    }

    fn fetch_json(&mut self, rel: &str) -> Result<Value, SearchError> {
        let data = self.fetch(rel)?;
        serde_json::from_slice(&data).map_err(|e| SearchError::Format {
            path: PathBuf::from(rel),
            message: e.to_string(),
        })
    }
}

/// Index of the last entry `<= key` (0 if none).
fn last_le(list: &[String], key: &str) -> usize {
    list.partition_point(|f| f.as_str() <= key)
        .saturating_sub(1)
}

/// Shards that can hold `term` (or, for a prefix, any term starting with it), and the
/// matching terms held in packed files instead of the JSON: (shard, term), in order.
type Shards = (Vec<String>, Vec<(String, String)>);

/// See [`Shards`].
fn shards_for(f: &mut Fetcher<'_>, m: &Manifest, qt: &QueryTerm) -> Result<Shards, SearchError> {
    let upper = if qt.prefix {
        format!("{}{}", qt.term, char::MAX)
    } else {
        qt.term.clone()
    };
    let (g_lo, g_hi) = (last_le(&m.groups, &qt.term), last_le(&m.groups, &upper));
    let mut out = Vec::new();
    let mut packs = Vec::new();
    for g in g_lo..=g_hi {
        let dir = f.fetch_json(&format!("t/d{g}.json"))?;
        let Directory {
            firsts,
            packed: terms,
        } = serde_json::from_value(dir).map_err(|e| SearchError::Format {
            path: PathBuf::from(format!("t/d{g}.json")),
            message: e.to_string(),
        })?;
        let base = g * m.dir_group;
        for t in terms {
            let matches = if qt.prefix {
                t.starts_with(&qt.term)
            } else {
                t == qt.term
            };
            if matches && !firsts.is_empty() {
                let k = last_le(&firsts, &t);
                packs.push((shard_name(base + k, &firsts[k]), t));
            }
        }
        let lo = if g == g_lo {
            last_le(&firsts, &qt.term)
        } else {
            0
        };
        let hi = if g == g_hi {
            last_le(&firsts, &upper)
        } else {
            firsts.len().saturating_sub(1)
        };
        out.extend((lo..=hi).map(|k| shard_name(base + k, &firsts[k])));
    }
    Ok((out, packs))
}

/// Adds `boost * tf * idf` of every doc under `node` (the trie node of `term`; for prefixes,
/// also its descendants) to `scores`, and each term's docs to `seen`.
fn collect(
    node: &Value,
    term: &str,
    prefix: bool,
    n: f64,
    boost: f64,
    scores: &mut BTreeMap<u32, f64>,
    seen: &mut BTreeMap<String, BTreeSet<u32>>,
) {
    if let Some(docs) = node.get("docs").and_then(Value::as_object)
        && !docs.is_empty()
    {
        let df = node.get("df").and_then(Value::as_f64).unwrap_or(0.0);
        let idf = 1.0 + (n / (df + 1.0)).ln();
        let set = seen.entry(term.to_string()).or_default();
        for (r, v) in docs {
            if let (Ok(id), Some(tf)) = (r.parse::<u32>(), v.get("tf").and_then(Value::as_f64)) {
                *scores.entry(id).or_default() += boost * tf * idf;
                set.insert(id);
            }
        }
    }
    if prefix && let Some(obj) = node.as_object() {
        for (k, child) in obj {
            if k != "docs" && k != "df" {
                collect(child, &format!("{term}{k}"), true, n, boost, scores, seen);
            }
        }
    }
}

/// The terms a query term matched: (shard, term, number of documents, whether its packed
/// postings carry the facets of the documents without it).
type Entries = Vec<(String, String, usize, bool)>;

/// How the facets of the hits are found (mirror of `facetsFor` in search.js): the facet
/// lists of the query term with the fewest documents if all its terms have lists, nothing more
/// when every term is packed with the facets of the documents lacking it, the counts of a
/// one-term query's only term, or the facet blocks of the hits.
fn facet_files(m: &Manifest, infos: &[Entries], verify: bool) -> Option<Vec<String>> {
    let listed = |e: &Entries| !e.is_empty() && e.iter().all(|x| x.2 <= m.facet_list_max);
    let best = infos
        .iter()
        .filter(|e| listed(e))
        .min_by_key(|e| e.iter().map(|x| x.2).sum::<usize>());
    let shards: BTreeSet<&str> = match best {
        Some(e) => e.iter().map(|x| x.0.as_str()).collect(),
        None if !verify && infos.iter().all(|e| matches!(e.as_slice(), [x] if x.3)) => {
            BTreeSet::new()
        }
        None if infos.len() == 1 && infos[0].len() == 1 && !verify => {
            [infos[0][0].0.as_str()].into()
        }
        None => return None,
    };
    Some(shards.iter().map(|k| format!("t/{k}.f.bin")).collect())
}

/// Replays a cold query against a built index; see [`ColdQuery`].
pub fn cold_query_report(out_dir: &Path, query: &str) -> Result<ColdQuery, SearchError> {
    let mut f = Fetcher {
        out_dir,
        seen: BTreeSet::new(),
        result: ColdQuery {
            gzip_bytes: 0,
            raw_bytes: 0,
            files: Vec::new(),
            candidates: 0,
        },
    };
    f.count("search.js", SEARCH_JS.as_bytes());
    let manifest_value = f.fetch_json("index.json")?;
    let m: Manifest = serde_json::from_value(manifest_value).map_err(|e| SearchError::Format {
        path: out_dir.join("index.json"),
        message: e.to_string(),
    })?;
    let (terms, verify) = plan(query);
    if terms.is_empty() {
        return Ok(f.result);
    }
    if let [qt] = terms.as_slice()
        && headable(qt)
        && verify.is_empty()
        && head_query(&mut f, &m, qt)?
    {
        return Ok(f.result);
    }
    let mut total: Option<BTreeMap<u32, f64>> = None;
    let n = m.docs as f64;
    let mut infos: Vec<Entries> = Vec::new();
    for qt in &terms {
        let mut scores = BTreeMap::new();
        let mut entries = Entries::new();
        let (mut ks, packs) = shards_for(&mut f, &m, qt)?;
        if !qt.prefix && !packs.is_empty() {
            // An exact packed term: its packed file only, not the JSON.
            ks.clear();
        }
        for k in ks {
            let shard = f.fetch_json(&format!("t/{k}.json"))?;
            let mut seen = BTreeMap::new();
            for (fi, field) in m.fields.iter().enumerate() {
                let mut node = &shard["index"][field.as_str()]["root"];
                for c in qt.term.chars() {
                    node = &node[c.to_string().as_str()];
                }
                let boost = f64::from(m.boosts.get(fi).copied().unwrap_or(1));
                collect(node, &qt.term, qt.prefix, n, boost, &mut scores, &mut seen);
            }
            entries.extend(
                seen.into_iter()
                    .map(|(t, docs)| (k.clone(), t, docs.len(), false)),
            );
        }
        for (k, t) in packs {
            let rel = format!("t/{k}.p.bin");
            let data = f.fetch(&rel)?;
            let format = |message: String| SearchError::Format {
                path: PathBuf::from(&rel),
                message,
            };
            let term = packed::decode(&data, &t, m.docs as usize)
                .map_err(|e| format(e.to_string()))?
                .ok_or_else(|| format(format!("no term {t}")))?;
            let mut docs = BTreeSet::new();
            for (fi, postings) in term.fields.iter().enumerate() {
                let boost = f64::from(m.boosts.get(fi).copied().unwrap_or(1));
                let idf = 1.0 + (n / (postings.len() as f64 + 1.0)).ln();
                for &(id, count) in postings {
                    *scores.entry(id).or_default() += boost * f64::from(count).sqrt() * idf;
                    docs.insert(id);
                }
            }
            if !docs.is_empty() {
                entries.push((k, t, docs.len(), term.complement.is_some()));
            }
        }
        infos.push(entries);
        total = Some(intersect(total, scores));
    }
    let hits = total.unwrap_or_default();
    f.result.candidates = hits.len();
    let mut ranked: Vec<(u32, f64)> = hits.into_iter().collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    if !verify.is_empty() {
        // search.js verifies at most verifyLimit best-ranked candidates (text assumed to match).
        ranked.truncate(m.verify_limit.max(1));
        let text_chunk = m.text_chunk.max(1) as u32;
        for (id, _) in &ranked {
            f.fetch(&super::store::text_file((id / text_chunk) as usize))?;
        }
    }
    match facet_files(&m, &infos, !verify.is_empty()) {
        _ if ranked.is_empty() => {}
        Some(files) => {
            for file in files {
                f.fetch(&file)?;
            }
        }
        None => {
            let block = m.facet_block.max(1) as u32;
            let blocks: BTreeSet<u32> = ranked.iter().map(|(id, _)| id / block).collect();
            for b in blocks {
                f.fetch(&format!("facets/{b}.bin"))?;
            }
        }
    }
    fetch_page(&mut f, &m, &ranked, &terms)?;
    Ok(f.result)
}

/// Scores of the documents in both (summed); `None` is everything.
fn intersect(total: Option<BTreeMap<u32, f64>>, scores: BTreeMap<u32, f64>) -> BTreeMap<u32, f64> {
    match total {
        None => scores,
        Some(prev) => prev
            .into_iter()
            .filter_map(|(id, s)| scores.get(&id).map(|t| (id, s + t)))
            .collect(),
    }
}

/// The entry of `term` in a facet lists file if it is a common term (kind 1): its index in
/// the shard, its document count and its postings per field.
fn common_entry(data: &[u8], term: &str) -> Option<(usize, usize, [u32; 4])> {
    let u32_at = |at: usize| -> Option<u32> {
        Some(u32::from_le_bytes(data.get(at..at + 4)?.try_into().ok()?))
    };
    let count = u32_at(0)? as usize;
    let lens = data.get(4..4 + count)?;
    let mut at = 4 + count;
    let mut index = None;
    for (i, &len) in lens.iter().enumerate() {
        if data.get(at..at + usize::from(len))? == term.as_bytes() {
            index = Some(i);
        }
        at += usize::from(len);
    }
    let i = index?;
    let kinds = data.get(at..at + count)?;
    at += count;
    let df = u32_at(at + 4 * i)? as usize;
    let sizes = at + 4 * count;
    let mut payload = sizes + 4 * count;
    for j in 0..i {
        payload += u32_at(sizes + 4 * j)? as usize;
    }
    let mut dfs = [0u32; 4];
    for (f, d) in dfs.iter_mut().enumerate() {
        *d = u32_at(payload + 4 * f)?;
    }
    (kinds[i] == 1).then_some((i, df, dfs))
}

/// Whether a facet lists file names a term that starts with `prefix` and is longer.
fn has_longer_term(data: &[u8], prefix: &str) -> bool {
    let Some(count) = data.get(0..4).and_then(|b| b.try_into().ok()) else {
        return false;
    };
    let count = u32::from_le_bytes(count) as usize;
    let Some(lens) = data.get(4..4 + count) else {
        return false;
    };
    let mut at = 4 + count;
    for &len in lens {
        let term = data.get(at..at + usize::from(len)).unwrap_or_default();
        if term.len() > prefix.len() && term.starts_with(prefix.as_bytes()) {
            return true;
        }
        at += usize::from(len);
    }
    false
}

/// A one-term query of a common term answered from its head (mirror of `headSearch` in
/// search.js): the shard's facet lists, the head, and the first page's records. False if the
/// term has no head (the files fetched so far are needed by the full query too).
fn head_query(f: &mut Fetcher<'_>, m: &Manifest, qt: &QueryTerm) -> Result<bool, SearchError> {
    let (ks, _) = shards_for(f, m, qt)?;
    let [k] = ks.as_slice() else {
        return Ok(false);
    };
    let lists = f.fetch(&format!("t/{k}.f.bin"))?;
    let Some((index, df, dfs)) = common_entry(&lists, &qt.term) else {
        return Ok(false);
    };
    if qt.prefix && has_longer_term(&lists, &qt.term) {
        return Ok(false);
    }
    let head = f.fetch_json(&format!("t/{k}.h{index}.json"))?;
    let n = m.docs as f64;
    let mut scores: BTreeMap<u32, f64> = BTreeMap::new();
    for (fi, field) in m.fields.iter().enumerate() {
        let mut node = &head["index"][field.as_str()]["root"];
        for c in qt.term.chars() {
            node = &node[c.to_string().as_str()];
        }
        let Some(docs) = node.get("docs").and_then(Value::as_object) else {
            continue;
        };
        let boost = f64::from(m.boosts.get(fi).copied().unwrap_or(1).max(1));
        let idf = 1.0 + (n / (f64::from(dfs.get(fi).copied().unwrap_or(0)) + 1.0)).ln();
        for (r, v) in docs {
            if let (Ok(id), Some(tf)) = (r.parse::<u32>(), v.get("tf").and_then(Value::as_f64)) {
                *scores.entry(id).or_default() += boost * idf * tf;
            }
        }
    }
    f.result.candidates = df;
    let mut ranked: Vec<(u32, f64)> = scores.into_iter().collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    fetch_page(f, m, &ranked, std::slice::from_ref(qt))?;
    Ok(true)
}

/// The record chunks of the first page of `ranked` and, for a hit whose title, kicker and
/// lead lack every term, its full text (the snippet source search.js then fetches).
fn fetch_page(
    f: &mut Fetcher<'_>,
    m: &Manifest,
    ranked: &[(u32, f64)],
    terms: &[QueryTerm],
) -> Result<(), SearchError> {
    let chunk = m.doc_chunk.max(1) as u32;
    for (id, _) in ranked.iter().take(m.page_size) {
        let records = f.fetch_json(&format!("docs/{}.json", id / chunk))?;
        // A shown hit matched neither in title, kicker nor lead gets its snippet from its
        // full text (search.js fetches it then).
        let r = &records[(id % chunk) as usize];
        let shown = ["title", "kicker", "lead"]
            .iter()
            .map(|k| r[*k].as_str().unwrap_or(""))
            .collect::<Vec<_>>()
            .join("\n");
        let shown = normalize(&shown);
        if !terms.iter().any(|t| shown.contains(t.term.as_str())) {
            let text_chunk = m.text_chunk.max(1) as u32;
            f.fetch(&super::store::text_file((id / text_chunk) as usize))?;
        }
    }
    Ok(())
}

/// Gzipped bytes a cold `query` downloads from the index in `out_dir`, script included.
pub fn cold_query_bytes(out_dir: &Path, query: &str) -> Result<u64, SearchError> {
    cold_query_report(out_dir, query).map(|r| r.gzip_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(term: &str, prefix: bool) -> QueryTerm {
        QueryTerm {
            term: term.into(),
            prefix,
        }
    }

    #[test]
    fn plans_bigrams_prefixes_and_phrases() {
        assert_eq!(plan("保靖").0, [t("保靖", false)]);
        assert_eq!(plan("州").0, [t("州", true)]);
        assert_eq!(plan("UB").0, [t("ub", true)]);
        // Words match by prefix (over the index's suffixes) typed or not, quoted or not.
        assert_eq!(plan("UBE ").0, [t("ube", true)]);
        assert_eq!(plan("\"be\"").0, [t("be", true)]);
        assert!(plan("\"be\"").1.is_empty());
        // A one-character word followed by more of the query matches exactly.
        assert_eq!(plan("3月").0, [t("3", false), t("月", true)]);
        assert_eq!(plan("月3").0, [t("3", true), t("月", true)]);
        assert!(plan("“州”").1.is_empty());
        assert_eq!(plan("\"UBE 2\"").1, ["UBE 2"]);
        let (terms, verify) = plan("\"乡村振兴\" 2024");
        assert_eq!(
            terms,
            [
                t("2024", true),
                t("乡村", false),
                t("振兴", false),
                t("村振", false)
            ]
        );
        assert_eq!(verify, ["乡村振兴"]);
        assert!(plan("“保靖”").1.is_empty());
    }
}
