//! Incremental shard updates. Every build for an output folder records what it wrote in
//! `state-<output tag>.new` in the cache (options fingerprint, each document's content key,
//! each shard's first term and byte length); the caller promotes it to `.bin` once the output
//! is committed ([`super::commit_state`]). A later build whose documents keep their ids and count diffs the
//! old and new tokens of the changed documents (old tokens from the token cache), reads only
//! the previous shards around the changed terms back from the previous output, re-cuts from
//! one shard before the first changed term until the cuts fall back on old boundaries, and
//! keeps every other shard file as it is. Anything unexpected (no state, other options,
//! another document count, a missing cache entry or shard file) answers "do a full build".
//! The result equals a clean build byte for byte (tests/search_build.rs proves it). This
//! module must NOT decide shard boundaries itself (it replays [`super::shards::Cutter`]) nor
//! format JSON (it uses the writer of `lunr_json`).

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use super::analyze::DocTokens;
use super::lunr_json::{FIELDS, Posting, TermPostings};
use super::shards::{FacetSource, ShardWriter, estimate, shard_name};
use super::token_cache::Key;

const MAGIC: &[u8; 8] = b"FOLIOSS3";

/// What a build wrote, for the next build to diff against.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct State {
    /// Fingerprint of the options (and formats) the index was built with.
    pub fingerprint: Key,
    /// Content key of every document, by id.
    pub keys: Vec<Key>,
    /// Source key of every document, by id (see [`super::DocSource::sources`]); empty when
    /// the build was given documents without them.
    pub sources: Vec<super::SourceKey>,
    /// Each shard's real first term and file length, in order.
    pub shards: Vec<(String, u64)>,
    /// Record, text and facet files: relative path, 128-bit content hash, length.
    pub files: Vec<(String, [u8; 16], u64)>,
    /// Region and topic names in the order of the ids the facet files use.
    pub regions: Vec<String>,
    pub topics: Vec<String>,
}

/// Writes a count, then each string as its length and bytes.
fn write_strings<W: Write>(w: &mut W, list: &[String]) -> io::Result<()> {
    w.write_all(&(list.len() as u32).to_le_bytes())?;
    for s in list {
        w.write_all(&(s.len() as u32).to_le_bytes())?;
        w.write_all(s.as_bytes())?;
    }
    Ok(())
}

/// Reads what [`write_strings`] wrote.
fn read_strings<R: Read>(r: &mut R) -> io::Result<Vec<String>> {
    let n = read_u32(r)? as usize;
    let mut out = Vec::with_capacity(n.min(1 << 16));
    for _ in 0..n {
        let len = read_u32(r)? as usize;
        let mut s = vec![0u8; len.min(1 << 20)];
        r.read_exact(&mut s)?;
        out.push(String::from_utf8(s).map_err(io::Error::other)?);
    }
    Ok(out)
}

/// A count, then that many `N`-byte keys.
fn read_keys<R: Read, const N: usize>(r: &mut R) -> io::Result<Vec<[u8; N]>> {
    let n = read_u32(r)? as usize;
    let mut keys = Vec::with_capacity(n.min(1 << 24));
    for _ in 0..n {
        let mut k = [0u8; N];
        r.read_exact(&mut k)?;
        keys.push(k);
    }
    Ok(keys)
}

fn read_u32<R: Read>(r: &mut R) -> io::Result<u32> {
    let mut b = [0u8; 4];
    r.read_exact(&mut b)?;
    Ok(u32::from_le_bytes(b))
}

impl State {
    /// Writes the state to `path` (through a temporary file).
    pub fn save(&self, path: &Path) -> io::Result<()> {
        let tmp = path.with_extension("tmp");
        let mut w = BufWriter::with_capacity(1 << 20, File::create(&tmp)?);
        w.write_all(MAGIC)?;
        w.write_all(&self.fingerprint)?;
        w.write_all(&(self.keys.len() as u32).to_le_bytes())?;
        for k in &self.keys {
            w.write_all(k)?;
        }
        w.write_all(&(self.sources.len() as u32).to_le_bytes())?;
        for k in &self.sources {
            w.write_all(k)?;
        }
        w.write_all(&(self.shards.len() as u32).to_le_bytes())?;
        for (first, len) in &self.shards {
            w.write_all(&(first.len() as u32).to_le_bytes())?;
            w.write_all(first.as_bytes())?;
            w.write_all(&len.to_le_bytes())?;
        }
        w.write_all(&(self.files.len() as u32).to_le_bytes())?;
        for (rel, hash, len) in &self.files {
            w.write_all(&(rel.len() as u32).to_le_bytes())?;
            w.write_all(rel.as_bytes())?;
            w.write_all(hash)?;
            w.write_all(&len.to_le_bytes())?;
        }
        write_strings(&mut w, &self.regions)?;
        write_strings(&mut w, &self.topics)?;
        w.flush()?;
        drop(w);
        fs::rename(tmp, path)
    }

    /// Reads a state written by [`State::save`].
    pub fn load(path: &Path) -> io::Result<State> {
        let mut r = BufReader::with_capacity(1 << 20, File::open(path)?);
        let mut magic = [0u8; 8];
        r.read_exact(&mut magic)?;
        if &magic != MAGIC {
            return Err(io::Error::other("not a search state"));
        }
        let mut fingerprint = [0u8; 32];
        r.read_exact(&mut fingerprint)?;
        let keys = read_keys::<_, 32>(&mut r)?;
        let sources = read_keys::<_, 16>(&mut r)?;
        let s = read_u32(&mut r)? as usize;
        let mut shards = Vec::with_capacity(s.min(1 << 24));
        for _ in 0..s {
            let len = read_u32(&mut r)? as usize;
            let mut first = vec![0u8; len.min(1 << 20)];
            r.read_exact(&mut first)?;
            let first = String::from_utf8(first).map_err(io::Error::other)?;
            let mut b = [0u8; 8];
            r.read_exact(&mut b)?;
            shards.push((first, u64::from_le_bytes(b)));
        }
        let f = read_u32(&mut r)? as usize;
        let mut files = Vec::with_capacity(f.min(1 << 24));
        for _ in 0..f {
            let len = read_u32(&mut r)? as usize;
            let mut rel = vec![0u8; len.min(4096)];
            r.read_exact(&mut rel)?;
            let rel = String::from_utf8(rel).map_err(io::Error::other)?;
            let mut hash = [0u8; 16];
            r.read_exact(&mut hash)?;
            let mut b = [0u8; 8];
            r.read_exact(&mut b)?;
            files.push((rel, hash, u64::from_le_bytes(b)));
        }
        let regions = read_strings(&mut r)?;
        let topics = read_strings(&mut r)?;
        Ok(State {
            fingerprint,
            keys,
            sources,
            shards,
            files,
            regions,
            topics,
        })
    }
}

/// A changed document's postings of one term: the new per-field counts (all zero if the
/// term left the document).
type Change = (u32, [u32; 4]);

/// Diffs the old and new tokens of changed documents into the affected terms.
pub fn diff(changed: &[(u32, DocTokens, DocTokens)]) -> BTreeMap<String, Vec<Change>> {
    let mut out: BTreeMap<String, Vec<Change>> = BTreeMap::new();
    for (doc, old, new) in changed {
        let (a, b) = (&old.terms, &new.terms);
        let (mut i, mut j) = (0, 0);
        while i < a.len() || j < b.len() {
            let (term, counts) = match (a.get(i), b.get(j)) {
                (Some(x), Some(y)) if x.0 == y.0 => {
                    i += 1;
                    j += 1;
                    if x.1 == y.1 {
                        continue;
                    }
                    (&y.0, y.1)
                }
                (Some(x), Some(y)) if x.0 < y.0 => {
                    i += 1;
                    (&x.0, [0; 4])
                }
                (Some(x), None) => {
                    i += 1;
                    (&x.0, [0; 4])
                }
                (_, Some(y)) => {
                    j += 1;
                    (&y.0, y.1)
                }
                (None, None) => break,
            };
            out.entry(term.clone()).or_default().push((*doc, counts));
        }
    }
    out
}

/// Reads a shard written by `lunr_json` back into terms with postings (counts recovered from
/// `tf`, the square root of the count), postings by document, then field. Only the `index`
/// tries are read, by a small parser of its own ([`ShardParser`]): serde_json's maps of
/// strings were most of a shard update's time. `None` if the data is not such a shard.
pub fn parse_shard(data: &[u8]) -> Option<Vec<TermPostings>> {
    let mut p = ShardParser { data, at: 0 };
    let mut found: Vec<FieldTerm> = Vec::new();
    p.object(|p, key| match key {
        "index" => p.object(|p, name| {
            let field = FIELDS.iter().position(|x| *x == name)? as u8;
            p.object(|p, key| match key {
                "root" => p.node(&mut String::new(), field, &mut found, 0),
                _ => p.skip_value(),
            })
        }),
        _ => p.skip_value(),
    })?;
    p.ws();
    if p.at != data.len() {
        return None;
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    let mut terms: Vec<TermPostings> = Vec::new();
    for (term, field, docs) in found {
        if term.is_empty() {
            continue;
        }
        let postings = docs
            .into_iter()
            .map(|(doc, count)| Posting { doc, field, count });
        match terms.last_mut() {
            Some(last) if last.term == term => last.postings.extend(postings),
            _ => terms.push(TermPostings {
                term,
                postings: postings.collect(),
            }),
        }
    }
    for tp in &mut terms {
        tp.postings
            .sort_unstable_by_key(|p| (u64::from(p.doc) << 8) | u64::from(p.field));
    }
    Some(terms)
}

/// A term of one field's trie: (term, field, postings as (doc, count)).
type FieldTerm = (String, u8, Vec<(u32, u32)>);

/// Deepest trie a shard may hold (one level per character of a term).
const MAX_TERM_DEPTH: usize = 4096;

/// A reader of the JSON that [`parse_shard`] needs: objects, strings, numbers, and
/// skipping of any other value. Each method answers `None` for anything unexpected.
struct ShardParser<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> ShardParser<'a> {
    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.data.get(self.at) {
            self.at += 1;
        }
    }

    /// The next byte after whitespace, consumed.
    fn next(&mut self) -> Option<u8> {
        self.ws();
        let b = *self.data.get(self.at)?;
        self.at += 1;
        Some(b)
    }

    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.data.get(self.at).copied()
    }

    fn expect(&mut self, want: u8) -> Option<()> {
        (self.next()? == want).then_some(())
    }

    /// An object, calling `member` with each key with the reader at its value.
    fn object(&mut self, mut member: impl FnMut(&mut Self, &str) -> Option<()>) -> Option<()> {
        self.expect(b'{')?;
        if self.peek()? == b'}' {
            self.at += 1;
            return Some(());
        }
        loop {
            let key = self.string()?;
            self.expect(b':')?;
            member(self, &key)?;
            match self.next()? {
                b',' => {}
                b'}' => return Some(()),
                _ => return None,
            }
        }
    }

    /// A string, unescaped.
    fn string(&mut self) -> Option<std::borrow::Cow<'a, str>> {
        self.expect(b'"')?;
        let start = self.at;
        let data = self.data;
        let end = start
            + data
                .get(start..)?
                .iter()
                .position(|&b| b == b'"' || b == b'\\')?;
        if data[end] == b'"' {
            self.at = end + 1;
            return std::str::from_utf8(&data[start..end]).ok().map(Into::into);
        }
        let mut out: Vec<u8> = data[start..end].to_vec();
        self.at = end;
        loop {
            let b = *data.get(self.at)?;
            self.at += 1;
            match b {
                b'"' => return String::from_utf8(out).ok().map(Into::into),
                b'\\' => {
                    let e = *data.get(self.at)?;
                    self.at += 1;
                    let c = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi) {
                                (data.get(self.at..self.at + 2)? == b"\\u").then_some(())?;
                                self.at += 2;
                                let lo = self.hex4()?;
                                (0xDC00..0xE000).contains(&lo).then_some(())?;
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            char::from_u32(code)?
                        }
                        _ => return None,
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                b => out.push(b),
            }
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = std::str::from_utf8(self.data.get(self.at..self.at + 4)?).ok()?;
        self.at += 4;
        u32::from_str_radix(digits, 16).ok()
    }

    /// A number's text.
    fn number(&mut self) -> Option<&'a str> {
        self.ws();
        let start = self.at;
        while let Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') = self.data.get(self.at) {
            self.at += 1;
        }
        (self.at > start).then_some(())?;
        std::str::from_utf8(&self.data[start..self.at]).ok()
    }

    /// Any value, skipped.
    fn skip_value(&mut self) -> Option<()> {
        match self.peek()? {
            b'{' => self.object(|p, _| p.skip_value()),
            b'[' => {
                self.at += 1;
                if self.peek()? == b']' {
                    self.at += 1;
                    return Some(());
                }
                loop {
                    self.skip_value()?;
                    match self.next()? {
                        b',' => {}
                        b']' => return Some(()),
                        _ => return None,
                    }
                }
            }
            b'"' => self.string().map(drop),
            b't' | b'f' | b'n' => {
                let rest = &self.data[self.at..];
                let word: &[u8] = [&b"true"[..], b"false", b"null"]
                    .into_iter()
                    .find(|w| rest.starts_with(w))?;
                self.at += word.len();
                Some(())
            }
            _ => self.number().map(drop),
        }
    }

    /// A trie node for `term`: its `docs` (`{"<id>":{"tf":<√count>},…}`), its `df`, and one
    /// child per next character.
    fn node(
        &mut self,
        term: &mut String,
        field: u8,
        out: &mut Vec<FieldTerm>,
        depth: usize,
    ) -> Option<()> {
        (depth < MAX_TERM_DEPTH).then_some(())?;
        self.object(|p, key| match key {
            "docs" => {
                let mut docs: Vec<(u32, u32)> = Vec::new();
                p.object(|p, id| {
                    let doc: u32 = id.parse().ok()?;
                    let mut tf: Option<f64> = None;
                    p.object(|p, key| match key {
                        "tf" => {
                            tf = Some(p.number()?.parse().ok()?);
                            Some(())
                        }
                        _ => p.skip_value(),
                    })?;
                    docs.push((doc, (tf? * tf?).round() as u32));
                    Some(())
                })?;
                if !docs.is_empty() {
                    out.push((term.clone(), field, docs));
                }
                Some(())
            }
            "df" => p.skip_value(),
            next => {
                let len = term.len();
                term.push_str(next);
                p.node(term, field, out, depth + 1)?;
                term.truncate(len);
                Some(())
            }
        })
    }
}

/// Applies the changes of one term to its postings (sorted by document, then field).
fn apply(postings: &mut Vec<Posting>, changes: &[Change]) {
    let docs: BTreeSet<u32> = changes.iter().map(|c| c.0).collect();
    postings.retain(|p| !docs.contains(&p.doc));
    for (doc, counts) in changes {
        for (field, &count) in counts.iter().enumerate() {
            if count > 0 {
                postings.push(Posting {
                    doc: *doc,
                    field: field as u8,
                    count,
                });
            }
        }
    }
    postings.sort_unstable_by_key(|p| (p.doc, p.field));
}

/// What an incremental shard update did.
pub struct Update {
    /// Every shard's first term and length, in order (the new state).
    pub shards: Vec<(String, u64)>,
    /// Shards kept from the previous output: (old position, new position).
    pub kept: Vec<(usize, usize)>,
    /// Positions of the shards written.
    pub written: Vec<usize>,
    /// Terms in the index.
    pub terms_written: u64,
    /// Packed terms of the shards written, by position (see `shards::ShardWriter::packed`).
    pub packed: BTreeMap<usize, Vec<String>>,
}

/// Index of the shard that holds `term` (the last whose first term is `<= term`, else 0).
fn shard_of(shards: &[(String, u64)], term: &str) -> usize {
    shards
        .partition_point(|(f, _)| f.as_str() <= term)
        .saturating_sub(1)
}

/// Rewrites the shards around `affected` terms into `out_dir/t/`, reading old shards from
/// `prev_dir/t/` (whose files `prev_files` lists). `None` if a previous shard is missing or
/// not as recorded (full build).
pub fn update_shards(
    (prev_dir, prev_files): (&Path, &crate::output::Manifest),
    out_dir: &Path,
    old: &[(String, u64)],
    affected: &BTreeMap<String, Vec<Change>>,
    target: usize,
    docs: usize,
    facets: &Arc<FacetSource>,
) -> io::Result<Option<Update>> {
    // Old shard j: the terms of its JSON and, if the previous output has one, of its packed
    // file (terms in more than `json_list_max` documents), in term order.
    let read = |j: usize| -> Option<Vec<TermPostings>> {
        let name = shard_name(j, &old[j].0);
        let data = fs::read(prev_dir.join(format!("t/{name}.json"))).ok()?;
        (data.len() as u64 == old[j].1).then_some(())?;
        let mut terms = parse_shard(&data)?;
        let packed_rel = format!("t/{name}.p.bin");
        if let Some(len) = prev_files.len_of(&packed_rel) {
            let data = fs::read(prev_dir.join(&packed_rel)).ok()?;
            (data.len() as u64 == len).then_some(())?;
            terms.extend(super::packed::decode_all(&data, docs).ok()?);
            terms.sort_unstable_by(|a, b| a.term.cmp(&b.term));
        }
        Some(terms)
    };
    // The shards that hold a changed term and the ones before them are nearly always
    // re-read (the loop below starts one shard early): read in parallel up front, up to
    // `PREFETCH` of them; any other is read when the loop reaches it.
    const PREFETCH: usize = 64;
    let mut wanted: Vec<usize> = (affected.keys())
        .flat_map(|t| {
            let s = shard_of(old, t);
            [s.saturating_sub(1), s]
        })
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    wanted.truncate(PREFETCH);
    let mut early: std::collections::HashMap<usize, Option<Vec<TermPostings>>> =
        wanted.par_iter().map(|&j| (j, read(j))).collect();
    let mut load = |j: usize| early.remove(&j).unwrap_or_else(|| read(j));
    let mut up = Update {
        shards: Vec::new(),
        kept: Vec::new(),
        written: Vec::new(),
        terms_written: 0,
        packed: BTreeMap::new(),
    };
    let mut aff = affected.iter().peekable();
    let mut k = 0; // next old shard not handled yet
    while let Some((t, _)) = aff.peek() {
        let start = shard_of(old, t).saturating_sub(1).max(k);
        for (j, shard) in old.iter().enumerate().take(start).skip(k) {
            up.kept.push((j, up.shards.len()));
            up.shards.push(shard.clone());
        }
        let first_position = up.shards.len();
        let mut w =
            ShardWriter::new(out_dir, target, docs, first_position)?.with_facets(facets.clone());
        let mut j = start;
        let mut stopped = false;
        while j < old.len() {
            let Some(mut terms) = load(j) else {
                return Ok(None);
            };
            // Affected terms that belong to old shard j (below the next shard's first term).
            let upper = old.get(j + 1).map(|s| s.0.as_str());
            let in_j = |t: &str| upper.is_none_or(|u| t < u);
            let changed = aff.peek().is_some_and(|(t, _)| in_j(t));
            if j > start
                && !changed
                && let Some(first) = terms.first()
                && first.term == old[j].0
            {
                // If the new cuts also start a shard here, shard j and the ones up to the next
                // change are what a clean build writes, under the same names (a name follows
                // the first term, whatever the shard's position): keep them.
                let mut probe = w.cutter().clone();
                if probe.cut_before(&first.term, estimate(first)) {
                    stopped = true;
                    break;
                }
            }
            let mut extra: Vec<TermPostings> = Vec::new();
            while let Some((t, changes)) = aff.peek() {
                if !in_j(t) {
                    break;
                }
                match terms.binary_search_by(|tp| tp.term.as_str().cmp(t)) {
                    Ok(i) => apply(&mut terms[i].postings, changes),
                    Err(_) => {
                        let mut postings = Vec::new();
                        apply(&mut postings, changes);
                        extra.push(TermPostings {
                            term: (*t).clone(),
                            postings,
                        });
                    }
                }
                aff.next();
            }
            if !extra.is_empty() {
                terms.append(&mut extra);
                terms.sort_unstable_by(|a, b| a.term.cmp(&b.term));
            }
            for tp in terms.into_iter().filter(|tp| !tp.postings.is_empty()) {
                w.add(tp)?;
            }
            j += 1;
        }
        w.finish(false)?;
        for (n, (&(num, len), first)) in w.written.iter().zip(&w.firsts).enumerate() {
            debug_assert_eq!(num, first_position + n);
            up.written.push(num);
            up.shards.push((first.clone(), len));
        }
        up.terms_written += w.terms;
        up.packed.append(&mut w.packed);
        k = j;
        if !stopped {
            k = old.len();
        }
    }
    for (j, shard) in old.iter().enumerate().skip(k) {
        up.kept.push((j, up.shards.len()));
        up.shards.push(shard.clone());
    }
    // Every kept shard must be in the previous output as recorded.
    for &(j, _) in &up.kept {
        let rel = format!("t/{}.json", shard_name(j, &old[j].0));
        if prev_files.len_of(&rel) != Some(old[j].1) {
            return Ok(None);
        }
    }
    Ok(Some(up))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(list: &[(&str, u32)]) -> DocTokens {
        DocTokens {
            lengths: [0; 4],
            terms: list
                .iter()
                .map(|(t, c)| (t.to_string(), [0, 0, *c, 0]))
                .collect(),
        }
    }

    #[test]
    fn diff_finds_added_removed_and_changed_terms() {
        let d = diff(&[(
            3,
            toks(&[("a", 1), ("b", 2), ("c", 1)]),
            toks(&[("b", 3), ("c", 1), ("d", 1)]),
        )]);
        let keys: Vec<&str> = d.keys().map(String::as_str).collect();
        assert_eq!(keys, ["a", "b", "d"]);
        assert_eq!(d["a"], [(3, [0; 4])]);
        assert_eq!(d["b"], [(3, [0, 0, 3, 0])]);
    }

    #[test]
    fn state_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let s = State {
            fingerprint: [7; 32],
            keys: vec![[1; 32], [2; 32]],
            sources: vec![[4; 16], [5; 16]],
            shards: vec![("".into(), 10), ("保靖".into(), 20)],
            files: vec![("docs/0.json".into(), [3; 16], 99)],
            regions: vec!["长沙市".into(), "湘西州".into()],
            topics: vec!["教育".into()],
        };
        let p = dir.path().join("state.bin");
        s.save(&p).unwrap();
        assert_eq!(State::load(&p).unwrap(), s);
        fs::write(&p, b"junk").unwrap();
        assert!(State::load(&p).is_err());
    }

    #[test]
    fn parse_shard_reads_back_what_the_writer_wrote() {
        let terms = vec![
            TermPostings {
                term: "乡村".into(),
                postings: vec![
                    Posting {
                        doc: 2,
                        field: 0,
                        count: 1,
                    },
                    Posting {
                        doc: 10,
                        field: 2,
                        count: 7,
                    },
                ],
            },
            TermPostings {
                term: "乡镇".into(),
                postings: vec![Posting {
                    doc: 1,
                    field: 3,
                    count: 300,
                }],
            },
        ];
        let json = super::super::shards::shard_json(&terms, 11).unwrap();
        let back = parse_shard(&json).unwrap();
        assert_eq!(back, terms);
    }

    #[test]
    fn parse_shard_reads_escapes_long_terms_and_any_json_layout() {
        let posting = |doc, field, count| Posting { doc, field, count };
        let mut terms: Vec<TermPostings> = [
            "\"q\\/",
            "a\u{1}\n\t",
            "𠀀字",
            "é",
            &"x".repeat(300),
            "乡村",
        ]
        .iter()
        .enumerate()
        .map(|(i, t)| TermPostings {
            term: t.to_string(),
            postings: vec![
                posting(i as u32, 1, 1 + i as u32),
                posting(10 + i as u32, 0, 2),
                posting(10 + i as u32, 2, 400),
            ],
        })
        .collect();
        terms.sort_by(|a, b| a.term.cmp(&b.term));
        let json = super::super::shards::shard_json(&terms, 20).unwrap();
        assert_eq!(parse_shard(&json).unwrap(), terms);
        // (serde_json itself stops at 128 levels: the long term is left out below.)
        terms.retain(|tp| tp.term.len() < 100);
        let json = super::super::shards::shard_json(&terms, 20).unwrap();
        // The same index laid out by another writer (whitespace, escaped non-ASCII).
        let value: serde_json::Value = serde_json::from_slice(&json).unwrap();
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        let escaped: String = pretty
            .chars()
            .map(|c| match c as u32 {
                0..0x80 => c.to_string(),
                _ => c
                    .encode_utf16(&mut [0; 2])
                    .iter()
                    .map(|u| format!("\\u{u:04x}"))
                    .collect(),
            })
            .collect();
        assert_eq!(parse_shard(escaped.as_bytes()).unwrap(), terms);
        // Anything else is not a shard.
        for bad in [&json[..json.len() - 1], b"{\"index\":{\"body\":[]}}", b"[]"] {
            assert_eq!(parse_shard(bad), None);
        }
    }
}
