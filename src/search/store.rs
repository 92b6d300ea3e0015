//! The per-article data kept OUT of the inverted index, written as documents stream by:
//! - `docs/<chunk>.json`: a JSON array of small result records (url, title, kicker, date,
//!   regions, topics, authors and `lead`, the body's first `lead_chars` characters as snippet
//!   source), `doc_chunk` docs per file, so showing a hit downloads only a small chunk;
//! - `text/<chunk>.bin`: each document's indexed text (title, kicker, body, authors joined by
//!   newlines) in UTF-16, `text_chunk` docs per file, fetched only to verify quoted phrases
//!   (and as the snippet source of a hit whose lead lacks the query). Layout: u32 LE n; n
//!   u32 LE lengths in UTF-16 code units; the texts' code units, little-endian, one after the
//!   other. UTF-16 takes two bytes a Chinese character where UTF-8 takes three: the files
//!   are ~30 % smaller than as JSON strings (`TextDecoder("utf-16le")` reads them);
//! - `facets/<block>.bin`: compact facet values of `facet_block` docs per file, fetched only
//!   for blocks that hold hits. Columns, so gzip packs them well: u32 LE doc count n; a byte
//!   of flags (bit 1: region ids narrow; bit 2: topic ids narrow; bit 3: counts packed); the
//!   counts: packed, one byte per document, its region count × 16 + its topic count, else
//!   the region counts ×n then the topic counts ×n, a byte each; the region ids (R = sum of
//!   region counts), narrow one byte each, else the low bytes then the high bytes; the topic
//!   ids the same way. Ids index the `regions`/`topics` lists of `index.json` (first-seen
//!   order). A document's year is not stored: the manifest's `yearRuns` give it by id (the
//!   documents are in date order, so there is one run per year; [`FacetTable::year_runs`]).
//!   Nearly always every column is narrow and the counts packed: 4 bytes for a document with
//!   a region and two topics (index format 10; 6 before, with a year and two count bytes).
//!
//! It also keeps every document's facet values in a [`FacetTable`], from which the shard
//! writer encodes per-term facet lists (`t/<k>.f.bin`, see `shards`) in the same block
//! format.
//!
//! This module must NOT tokenize or touch the inverted index.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use rustc_hash::FxHashMap;
use serde::Serialize;

use super::SearchDoc;

/// One result record as stored in `docs/<chunk>.json`.
#[derive(Serialize)]
struct DocRecord<'a> {
    url: &'a str,
    title: &'a str,
    kicker: &'a str,
    date: Option<&'a str>,
    regions: &'a [String],
    topics: &'a [String],
    authors: &'a str,
    lead: &'a str,
}

/// The first `chars` characters of `text` (all of it for 0).
fn lead(text: &str, chars: usize) -> &str {
    if chars == 0 {
        return text;
    }
    match text.char_indices().nth(chars) {
        Some((at, _)) => &text[..at],
        None => text,
    }
}

/// The JSON result record and the indexed text (title, kicker, body and authors joined by
/// newlines) as UTF-16LE bytes of a document (encoded in parallel by the build).
pub fn record_and_text(doc: &SearchDoc, lead_chars: usize) -> (Vec<u8>, Vec<u8>) {
    let record = DocRecord {
        url: &doc.url,
        title: &doc.title,
        kicker: &doc.kicker,
        date: doc.date.as_deref(),
        regions: &doc.regions,
        topics: &doc.topics,
        authors: &doc.authors,
        lead: lead(&doc.body, lead_chars),
    };
    // Serializing plain strings into a Vec cannot fail.
    (
        serde_json::to_vec(&record).unwrap_or_default(),
        utf16_text(&[&doc.title, &doc.kicker, &doc.body, &doc.authors]),
    )
}

/// `parts` joined by newlines, as UTF-16LE bytes.
fn utf16_text(parts: &[&str]) -> Vec<u8> {
    let len: usize = parts.iter().map(|p| p.len() + 1).sum();
    let mut out = Vec::with_capacity(2 * len);
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(&u16::from(b'\n').to_le_bytes());
        }
        for unit in part.encode_utf16() {
            out.extend_from_slice(&unit.to_le_bytes());
        }
    }
    out
}

/// The texts of a `text/<c>.bin` chunk; `None` if `data` is not one (search.js reads them).
#[cfg(test)]
pub fn decode_texts(data: &[u8]) -> Option<Vec<String>> {
    let u32_at = |at: usize| -> Option<u32> {
        Some(u32::from_le_bytes(
            data.get(at..at.checked_add(4)?)?.try_into().ok()?,
        ))
    };
    let n = u32_at(0)? as usize;
    let mut at = 4usize.checked_add(n.checked_mul(4)?)?;
    let mut texts = Vec::with_capacity(n.min(data.len() / 4));
    for i in 0..n {
        let bytes = 2 * u32_at(4 + 4 * i)? as usize;
        let part = data.get(at..at.checked_add(bytes)?)?;
        at += bytes;
        let units: Vec<u16> = part
            .chunks_exact(2)
            .map(|u| u16::from_le_bytes([u[0], u[1]]))
            .collect();
        texts.push(String::from_utf16(&units).ok()?);
    }
    (at == data.len()).then_some(texts)
}

/// Assigns dense ids to facet values in first-seen order.
#[derive(Default)]
pub struct Vocab {
    ids: HashMap<String, u16>,
    /// Names in id order.
    pub names: Vec<String>,
}

impl Vocab {
    fn id(&mut self, name: &str) -> Option<u16> {
        if let Some(&id) = self.ids.get(name) {
            return Some(id);
        }
        let id = u16::try_from(self.names.len()).ok()?;
        self.ids.insert(name.to_string(), id);
        self.names.push(name.to_string());
        Some(id)
    }
}

/// How a series of chunks joins its items.
#[derive(Clone, Copy)]
enum ChunkFormat {
    /// `docs/<c>.json`: a JSON array of the items (each a JSON value).
    JsonArray,
    /// `text/<c>.bin`: u32 LE n, n u32 LE item lengths in UTF-16 code units, the items
    /// (each UTF-16LE bytes).
    Utf16Table,
}

/// One series of chunked files (`docs/<c>.json` or `text/<c>.bin`): items come in order,
/// `size` per file; an item without data stands for "unchanged since the previous output",
/// and a chunk of such items keeps the previous file.
struct Chunks {
    dir: &'static str,
    format: ChunkFormat,
    size: usize,
    buf: Vec<u8>,
    /// Lengths of the open chunk's items in UTF-16 code units ([`ChunkFormat::Utf16Table`]).
    lens: Vec<u32>,
    len: usize,
    unchanged: usize,
    no: usize,
}

/// A closed chunk: its relative path and its bytes (`None`: keep the previous file).
type Closed = (String, Option<Vec<u8>>);

impl Chunks {
    fn new(dir: &'static str, format: ChunkFormat, size: usize) -> Chunks {
        Chunks {
            dir,
            format,
            size: size.max(1),
            buf: Vec::new(),
            lens: Vec::new(),
            len: 0,
            unchanged: 0,
            no: 0,
        }
    }

    /// The relative path of chunk `no` of the series in `dir`.
    fn file(dir: &str, format: ChunkFormat, no: usize) -> String {
        match format {
            ChunkFormat::JsonArray => format!("{dir}/{no}.json"),
            ChunkFormat::Utf16Table => format!("{dir}/{no}.bin"),
        }
    }

    /// Adds an item; returns the chunk it completes, if any.
    fn push(&mut self, item: Option<&[u8]>) -> io::Result<Option<Closed>> {
        match (item, self.format) {
            (Some(data), ChunkFormat::JsonArray) => {
                self.buf.push(if self.len == 0 { b'[' } else { b',' });
                self.buf.extend_from_slice(data);
            }
            (Some(data), ChunkFormat::Utf16Table) => {
                let units = u32::try_from(data.len() / 2)
                    .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "a text over 4 GB"))?;
                self.lens.push(units);
                self.buf.extend_from_slice(data);
            }
            (None, _) => self.unchanged += 1,
        }
        self.len += 1;
        if self.len == self.size {
            self.close()
        } else {
            Ok(None)
        }
    }

    /// Closes the open chunk, if it holds anything.
    fn close(&mut self) -> io::Result<Option<Closed>> {
        if self.len == 0 {
            return Ok(None);
        }
        let data = match (self.unchanged, self.format) {
            (0, ChunkFormat::JsonArray) => {
                self.buf.push(b']');
                Some(std::mem::take(&mut self.buf))
            }
            (0, ChunkFormat::Utf16Table) => {
                let mut data = Vec::with_capacity(4 + 4 * self.lens.len() + self.buf.len());
                data.extend_from_slice(&(self.lens.len() as u32).to_le_bytes());
                for len in self.lens.drain(..) {
                    data.extend_from_slice(&len.to_le_bytes());
                }
                data.append(&mut self.buf);
                Some(data)
            }
            (u, _) if u == self.len => None,
            _ => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("a {} chunk mixes changed and unchanged documents", self.dir),
                ));
            }
        };
        let rel = Chunks::file(self.dir, self.format, self.no);
        self.no += 1;
        self.len = 0;
        self.unchanged = 0;
        Ok(Some((rel, data)))
    }
}

/// Relative path of result-record chunk `no`.
pub fn record_file(no: usize) -> String {
    Chunks::file("docs", ChunkFormat::JsonArray, no)
}

/// Relative path of full-text chunk `no`.
pub fn text_file(no: usize) -> String {
    Chunks::file("text", ChunkFormat::Utf16Table, no)
}

/// Streams doc chunks and facet blocks to disk.
pub struct StoreWriter {
    out_dir: PathBuf,
    facet_block: usize,
    records: Chunks,
    texts: Chunks,
    /// Facet values of every document added so far, by id.
    pub facets: FacetTable,
    block_start: usize,
    block_no: usize,
    /// Region names by id.
    pub regions: Vocab,
    /// Topic names by id.
    pub topics: Vocab,
    /// Bytes written so far.
    pub bytes: u64,
    /// Files written so far.
    pub files: u64,
    /// Every file produced (relative path, 128-bit content hash, length), written or kept.
    pub produced: Vec<(String, [u8; 16], u64)>,
    /// Files left as they were in a previous output (relative path, length).
    pub kept: Vec<(String, u64)>,
    previous: FxHashMap<String, ([u8; 16], u64)>,
}

/// The year of a "YYYY-MM-DD" date, if it has one.
pub fn year_of(date: Option<&str>) -> Option<u16> {
    let y = date?.get(..4)?;
    if y.bytes().all(|b| b.is_ascii_digit()) {
        y.parse().ok()
    } else {
        None
    }
}

/// Flags of a facet block (the byte after its document count): region ids a byte each,
/// topic ids a byte each, each document's two counts in one byte.
const NARROW_REGIONS: u8 = 1 << 1;
const NARROW_TOPICS: u8 = 1 << 2;
const PACKED_COUNTS: u8 = 1 << 3;

/// The year of document `id` by [`FacetTable::year_runs`] (0: none, or not covered).
fn year_at(runs: &[(u32, u16)], id: u32) -> u16 {
    match runs.partition_point(|&(start, _)| start <= id) {
        0 => 0,
        i => runs[i - 1].1,
    }
}

/// Facet values of every document, by id: year (0 = none), region ids and topic ids.
/// Row by row (a document's row and its ids sit together: encoding facet lists looks up
/// documents scattered over the whole table).
#[derive(Debug, Default, Clone)]
pub struct FacetTable {
    rows: Vec<FacetRow>,
    /// Each document's region ids, then its topic ids.
    ids: Vec<u16>,
    /// The highest region or topic id held.
    max_id: u16,
    /// The most regions or topics a document holds.
    max_count: u8,
    /// Counts over every row, once asked for (reset by [`Self::push`]).
    totals: OnceLock<Counts>,
}

/// One document of a [`FacetTable`]: its year, how many regions and topics (at most 255
/// each: a facet block stores the count as a byte) and where its ids start.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct FacetRow {
    year: u16,
    regions: u8,
    topics: u8,
    start: u32,
}

/// Tables are equal when they hold the same rows (whether their totals were counted yet
/// does not matter).
impl PartialEq for FacetTable {
    fn eq(&self, other: &Self) -> bool {
        (self.rows == other.rows && self.ids == other.ids)
            && (self.max_id == other.max_id && self.max_count == other.max_count)
    }
}

impl Eq for FacetTable {}

/// Facet counts by value: region ids, topic ids, years.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Counts {
    regions: Vec<i64>,
    topics: Vec<i64>,
    years: Vec<i64>,
}

impl Counts {
    /// Adds `by` to the counts of a document's values (year 0 left out).
    fn add(&mut self, (year, regions, topics): (u16, &[u16], &[u16]), by: i64) {
        fn bump(counts: &mut Vec<i64>, value: u16, by: i64) {
            let i = usize::from(value);
            if counts.len() <= i {
                counts.resize(i + 1, 0);
            }
            counts[i] += by;
        }
        for &id in regions {
            bump(&mut self.regions, id, by);
        }
        for &id in topics {
            bump(&mut self.topics, id, by);
        }
        if year != 0 {
            bump(&mut self.years, year, by);
        }
    }

    /// [`FacetTable::encode_counts`]'s format: the values counted at least once.
    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for counts in [&self.regions, &self.topics, &self.years] {
            let held: Vec<(u16, u32)> = (counts.iter().enumerate())
                .filter(|&(_, &n)| n > 0)
                .map(|(value, &n)| (value as u16, n as u32))
                .collect();
            out.extend_from_slice(&(held.len() as u16).to_le_bytes());
            for (value, _) in &held {
                out.extend_from_slice(&value.to_le_bytes());
            }
            for (_, n) in &held {
                out.extend_from_slice(&n.to_le_bytes());
            }
        }
        out
    }
}

impl FacetTable {
    /// Documents held.
    fn len(&self) -> usize {
        self.rows.len()
    }

    /// Appends the next document's values (at most 255 regions and 255 topics are kept).
    pub fn push(&mut self, year: u16, regions: &[u16], topics: &[u16]) {
        let (regions, topics) = (
            &regions[..regions.len().min(255)],
            &topics[..topics.len().min(255)],
        );
        self.totals = OnceLock::new();
        self.rows.push(FacetRow {
            year,
            regions: regions.len() as u8,
            topics: topics.len() as u8,
            start: self.ids.len() as u32,
        });
        self.ids.extend_from_slice(regions);
        self.ids.extend_from_slice(topics);
        let ids = regions.iter().chain(topics);
        self.max_id = ids.fold(self.max_id, |a, &b| a.max(b));
        self.max_count = (self.max_count)
            .max(regions.len() as u8)
            .max(topics.len() as u8);
    }

    /// Where each year starts in id order: (first id, year) whenever the year differs from
    /// the previous document's (year 0: none). The site orders documents by date, so there
    /// is one run per year (and one for the undated at the end); facet columns leave the
    /// years out and readers take them from these runs (the manifest's `yearRuns`).
    pub fn year_runs(&self) -> Vec<(u32, u16)> {
        let mut runs: Vec<(u32, u16)> = Vec::new();
        for (id, row) in self.rows.iter().enumerate() {
            if runs.last().is_none_or(|&(_, year)| year != row.year) {
                runs.push((id as u32, row.year));
            }
        }
        runs
    }

    /// Whether every block of this table has all its columns narrow and its counts packed:
    /// then [`Self::encode_into`] writes them in one pass.
    fn all_narrow(&self) -> bool {
        self.max_id < 256 && self.max_count <= 15
    }

    /// (year, regions, topics) of a row.
    fn values(&self, row: FacetRow) -> (u16, &[u16], &[u16]) {
        let start = row.start as usize;
        let mid = start + usize::from(row.regions);
        let end = mid + usize::from(row.topics);
        (row.year, &self.ids[start..mid], &self.ids[mid..end])
    }

    /// (year, regions, topics) of `doc`; a document not in the table has none.
    pub fn get(&self, doc: u32) -> (u16, &[u16], &[u16]) {
        match self.rows.get(doc as usize) {
            Some(&row) => self.values(row),
            None => (0, &[], &[]),
        }
    }

    /// Appends the documents of a facet block ([`Self::encode`]'s format), their years from
    /// `year_runs` ([`Self::year_runs`] of the table the block came from); `None` if `data`
    /// is not a block (nothing is appended then).
    pub fn decode_block(&mut self, data: &[u8], year_runs: &[(u32, u16)]) -> Option<()> {
        let n = u32::from_le_bytes(data.get(..4)?.try_into().ok()?) as usize;
        let mut at = 4usize;
        let mut take = |len: usize| -> Option<&[u8]> {
            let part = data.get(at..at.checked_add(len)?)?;
            at += len;
            Some(part)
        };
        let flags = *take(1)?.first()?;
        if flags & !(NARROW_REGIONS | NARROW_TOPICS | PACKED_COUNTS) != 0 {
            return None;
        }
        let mut column = |len: usize, narrow: bool| -> Option<Vec<u16>> {
            if narrow {
                return Some(take(len)?.iter().map(|&b| u16::from(b)).collect());
            }
            let (low, high) = take(2 * len)?.split_at(len);
            Some(
                low.iter()
                    .zip(high)
                    .map(|(&l, &h)| u16::from_le_bytes([l, h]))
                    .collect(),
            )
        };
        let (region_counts, topic_counts): (Vec<u16>, Vec<u16>) = if flags & PACKED_COUNTS != 0 {
            column(n, true)?.iter().map(|&c| (c >> 4, c & 15)).unzip()
        } else {
            (column(n, true)?, column(n, true)?)
        };
        let total = |counts: &[u16]| counts.iter().map(|&c| usize::from(c)).sum::<usize>();
        let regions = column(total(&region_counts), flags & NARROW_REGIONS != 0)?;
        let topics = column(total(&topic_counts), flags & NARROW_TOPICS != 0)?;
        if at != data.len() {
            return None;
        }
        let (mut r, mut t) = (0, 0);
        for i in 0..n {
            let (rc, tc) = (usize::from(region_counts[i]), usize::from(topic_counts[i]));
            let year = year_at(year_runs, self.len() as u32);
            self.push(year, &regions[r..r + rc], &topics[t..t + tc]);
            r += rc;
            t += tc;
        }
        Some(())
    }

    /// The facet block of `docs` (in that order), in the `facets/<b>.bin` format.
    pub fn encode(&self, docs: &[u32]) -> Vec<u8> {
        let mut data = Vec::new();
        self.encode_into(docs, &mut data);
        data
    }

    /// [`Self::encode`], appended to `out`: column by column, each column narrow when its
    /// values fit a byte, the counts packed when they fit four bits.
    pub fn encode_into(&self, docs: &[u32], out: &mut Vec<u8>) {
        if self.all_narrow() {
            self.encode_narrow_into(docs, out);
        } else {
            self.encode_columns_into(docs, out);
        }
    }

    /// The rows of `docs` (a document not in the table has none), each looked up once: the
    /// table is large and the documents scattered.
    fn rows_of(&self, docs: &[u32]) -> Vec<FacetRow> {
        docs.iter()
            .map(|&d| self.rows.get(d as usize).copied().unwrap_or_default())
            .collect()
    }

    /// [`Self::encode_into`] for a table whose every block is narrow with packed counts
    /// (nearly always: fewer than 256 regions and topics, at most 15 of each a document):
    /// each document is looked up once for the column sizes, then every column is filled in
    /// one pass.
    fn encode_narrow_into(&self, docs: &[u32], out: &mut Vec<u8>) {
        let n = docs.len();
        let rows = self.rows_of(docs);
        let (mut regions, mut topics) = (0usize, 0usize);
        for row in &rows {
            regions += usize::from(row.regions);
            topics += usize::from(row.topics);
        }
        out.extend_from_slice(&(n as u32).to_le_bytes());
        out.push(NARROW_REGIONS | NARROW_TOPICS | PACKED_COUNTS);
        let start = out.len();
        out.resize(start + n + regions + topics, 0);
        let (counts, rest) = out[start..].split_at_mut(n);
        let (region_ids, topic_ids) = rest.split_at_mut(regions);
        let (mut r_at, mut t_at) = (0, 0);
        for (i, &row) in rows.iter().enumerate() {
            let (_, r, t) = self.values(row);
            counts[i] = (row.regions << 4) | row.topics;
            for (slot, &id) in region_ids[r_at..r_at + r.len()].iter_mut().zip(r) {
                *slot = id as u8;
            }
            for (slot, &id) in topic_ids[t_at..t_at + t.len()].iter_mut().zip(t) {
                *slot = id as u8;
            }
            r_at += r.len();
            t_at += t.len();
        }
    }

    /// [`Self::encode_into`] for any table, column by column.
    fn encode_columns_into(&self, docs: &[u32], out: &mut Vec<u8>) {
        // The columns' widths are found from the rows; the columns are then written from them.
        let n = docs.len();
        let rows = self.rows_of(docs);
        let (mut high_id, mut high_count) = ([0u16; 2], 0u8);
        let (mut regions, mut topics) = (0usize, 0usize);
        for &row in &rows {
            let (_, r, t) = self.values(row);
            high_id[0] = r.iter().fold(high_id[0], |a, &b| a.max(b));
            high_id[1] = t.iter().fold(high_id[1], |a, &b| a.max(b));
            high_count = high_count.max(row.regions).max(row.topics);
            regions += r.len();
            topics += t.len();
        }
        let [narrow_regions, narrow_topics] = high_id.map(|id| id < 256);
        let packed = high_count <= 15;
        out.extend_from_slice(&(n as u32).to_le_bytes());
        let flag = |on: bool, bit: u8| if on { bit } else { 0 };
        out.push(
            flag(narrow_regions, NARROW_REGIONS)
                | flag(narrow_topics, NARROW_TOPICS)
                | flag(packed, PACKED_COUNTS),
        );
        if packed {
            out.extend(rows.iter().map(|r| (r.regions << 4) | r.topics));
        } else {
            out.extend(rows.iter().map(|r| r.regions));
            out.extend(rows.iter().map(|r| r.topics));
        }
        // Region ids, then topic ids (a wide column: its low bytes, then its high bytes).
        for (topic, narrow, total) in [
            (false, narrow_regions, regions),
            (true, narrow_topics, topics),
        ] {
            let span = |&row: &FacetRow| {
                let (_, r, t) = self.values(row);
                if topic { t } else { r }
            };
            out.reserve(if narrow { total } else { 2 * total });
            for r in &rows {
                out.extend(span(r).iter().map(|&v| v as u8));
            }
            if !narrow {
                for r in &rows {
                    out.extend(span(r).iter().map(|&v| (v >> 8) as u8));
                }
            }
        }
    }

    /// Facet counts over every document held ([`Self::encode_counts`] format).
    pub fn encode_all_counts(&self) -> Vec<u8> {
        self.totals().encode()
    }

    /// Facet counts over every document, counted once per table (a build asks for them for
    /// every common term).
    fn totals(&self) -> &Counts {
        self.totals.get_or_init(|| {
            let mut all = Counts::default();
            for &row in &self.rows {
                all.add(self.values(row), 1);
            }
            all
        })
    }

    /// Facet counts over `docs` (ascending, no repeats): for regions, topics and years (year
    /// 0 left out) in turn, u16 k, then k value ids (u16, ascending), then k counts (u32), all
    /// little-endian. For a term in more than half of the documents, the counts of all
    /// minus those of the documents it lacks: fewer rows to read.
    pub fn encode_counts(&self, docs: &[u32]) -> Vec<u8> {
        let n = self.len();
        let held = docs.iter().all(|&d| (d as usize) < n);
        if held && docs.len() * 2 > n && docs.is_sorted_by(|a, b| a < b) {
            let mut counts = self.totals().clone();
            let mut next = docs.iter().peekable();
            for id in 0..n as u32 {
                if next.next_if_eq(&&id).is_none() {
                    counts.add(self.get(id), -1);
                }
            }
            return counts.encode();
        }
        let mut counts = Counts::default();
        for &d in docs {
            counts.add(self.get(d), 1);
        }
        counts.encode()
    }
}

impl StoreWriter {
    /// Creates `docs/`, `text/` and `facets/` under `out_dir`.
    pub fn new(
        out_dir: &Path,
        doc_chunk: usize,
        text_chunk: usize,
        facet_block: usize,
    ) -> io::Result<Self> {
        for dir in ["docs", "text", "facets"] {
            fs::create_dir_all(out_dir.join(dir))?;
        }
        Ok(StoreWriter {
            out_dir: out_dir.to_path_buf(),
            facet_block: facet_block.max(1),
            records: Chunks::new("docs", ChunkFormat::JsonArray, doc_chunk),
            texts: Chunks::new("text", ChunkFormat::Utf16Table, text_chunk),
            facets: FacetTable::default(),
            block_start: 0,
            block_no: 0,
            regions: Vocab::default(),
            topics: Vocab::default(),
            bytes: 0,
            files: 0,
            produced: Vec::new(),
            kept: Vec::new(),
            previous: FxHashMap::default(),
        })
    }

    /// Files a previous output holds (relative path → hash and length, from
    /// [`StoreWriter::produced`]): files whose bytes equal them are kept, not written.
    pub fn set_previous(&mut self, files: &[(String, [u8; 16], u64)]) {
        self.previous = files
            .iter()
            .map(|(rel, hash, len)| (rel.clone(), (*hash, *len)))
            .collect();
    }

    /// Writes `data` at `rel` (relative to the output folder) unless the previous output
    /// holds exactly these bytes there.
    fn write_file(&mut self, rel: String, data: &[u8]) -> io::Result<()> {
        let mut hash = [0u8; 16];
        hash.copy_from_slice(&blake3::hash(data).as_bytes()[..16]);
        let len = data.len() as u64;
        self.bytes += len;
        if self.previous.get(&rel) == Some(&(hash, len)) {
            self.kept.push((rel.clone(), len));
        } else {
            fs::write(self.out_dir.join(&rel), data)?;
            self.files += 1;
        }
        self.produced.push((rel, hash, len));
        Ok(())
    }

    /// Appends one document (documents must come in id order); `record` and `body` are its
    /// [`record_and_text`].
    pub fn add(&mut self, doc: &SearchDoc, record: &[u8], body: &[u8]) -> io::Result<()> {
        self.add_parts(doc, Some(record), Some(body))
    }

    /// [`StoreWriter::add`] where a missing `record` or `body` means "unchanged since the
    /// previous output" (see [`StoreWriter::set_previous`]); `doc` needs a body only for
    /// neither. Every document of a record (or text) chunk must come with its record (text)
    /// or every one without; a chunk of unchanged documents keeps the previous file, which
    /// must be listed there (an error otherwise).
    pub fn add_parts(
        &mut self,
        doc: &SearchDoc,
        record: Option<&[u8]>,
        body: Option<&[u8]>,
    ) -> io::Result<()> {
        let closed = self.records.push(record)?;
        self.emit(closed)?;
        let closed = self.texts.push(body)?;
        self.emit(closed)?;
        self.add_facets(doc)
    }

    /// Writes a closed chunk, or keeps the previous file for an unchanged one.
    fn emit(&mut self, closed: Option<Closed>) -> io::Result<()> {
        match closed {
            Some((rel, Some(data))) => self.write_file(rel, &data),
            Some((rel, None)) => self.keep_previous(rel),
            None => Ok(()),
        }
    }

    /// Records the previous output's file `rel` as produced again, unwritten.
    fn keep_previous(&mut self, rel: String) -> io::Result<()> {
        let Some(&(hash, len)) = self.previous.get(&rel) else {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("{rel}: not in the previous output"),
            ));
        };
        self.bytes += len;
        self.kept.push((rel.clone(), len));
        self.produced.push((rel, hash, len));
        Ok(())
    }

    /// Starts the region and topic ids from a previous build's names (in id order), so
    /// that documents with the same facets get the same ids again.
    pub fn set_vocab(&mut self, regions: &[String], topics: &[String]) {
        for name in regions {
            self.regions.id(name);
        }
        for name in topics {
            self.topics.id(name);
        }
    }

    /// Appends a document unchanged since the previous output (see [`Self::add_parts`]),
    /// with its facet values as that output's facet blocks hold them.
    pub fn add_kept(&mut self, year: u16, regions: &[u16], topics: &[u16]) -> io::Result<()> {
        let closed = self.records.push(None)?;
        self.emit(closed)?;
        let closed = self.texts.push(None)?;
        self.emit(closed)?;
        self.push_facets(year, regions, topics)
    }

    fn add_facets(&mut self, doc: &SearchDoc) -> io::Result<()> {
        let year = year_of(doc.date.as_deref()).unwrap_or(0);
        let regions: Vec<u16> = doc
            .regions
            .iter()
            .filter_map(|n| self.regions.id(n))
            .take(255)
            .collect();
        let topics: Vec<u16> = doc
            .topics
            .iter()
            .filter_map(|n| self.topics.id(n))
            .take(255)
            .collect();
        self.push_facets(year, &regions, &topics)
    }

    fn push_facets(&mut self, year: u16, regions: &[u16], topics: &[u16]) -> io::Result<()> {
        self.facets.push(year, regions, topics);
        if self.facets.len() - self.block_start == self.facet_block {
            self.flush_block()?;
        }
        Ok(())
    }

    fn flush_block(&mut self) -> io::Result<()> {
        let end = self.facets.len();
        if end == self.block_start {
            return Ok(());
        }
        let docs: Vec<u32> = (self.block_start as u32..end as u32).collect();
        let data = self.facets.encode(&docs);
        self.write_file(format!("facets/{}.bin", self.block_no), &data)?;
        self.block_no += 1;
        self.block_start = end;
        Ok(())
    }

    /// Writes the last partial chunk and block.
    pub fn finish(&mut self) -> io::Result<()> {
        let closed = self.records.close()?;
        self.emit(closed)?;
        let closed = self.texts.close()?;
        self.emit(closed)?;
        self.flush_block()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_and_vocab() {
        assert_eq!(year_of(Some("2024-05-01")), Some(2024));
        assert_eq!(year_of(Some("20x4")), None);
        assert_eq!(year_of(None), None);
        let mut t = FacetTable::default();
        t.push(2020, &[1], &[0, 2]);
        t.push(0, &[], &[2]);
        assert_eq!(t.get(1), (0, &[][..], &[2][..]));
        assert_eq!(t.get(9), (0, &[][..], &[][..]));
        assert_eq!(
            t.encode_counts(&[0, 1]),
            [
                1, 0, 1, 0, 1, 0, 0, 0, // regions: {1: 1}
                2, 0, 0, 0, 2, 0, 1, 0, 0, 0, 2, 0, 0, 0, // topics: {0: 1, 2: 2}
                1, 0, 0xE4, 0x07, 1, 0, 0, 0 // years: {2020: 1}
            ]
        );
        let mut v = Vocab::default();
        assert_eq!(v.id("b"), Some(0));
        assert_eq!(v.id("a"), Some(1));
        assert_eq!(v.id("b"), Some(0));
    }

    #[test]
    fn chunks_and_blocks() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = StoreWriter::new(dir.path(), 2, 3, 2).unwrap();
        for i in 0..3 {
            let d = SearchDoc {
                id: i,
                date: Some("2023-01-02".into()),
                regions: vec!["保靖".into()],
                body: format!("第{i}篇正文"),
                ..SearchDoc::default()
            };
            let (record, body) = record_and_text(&d, 2);
            w.add(&d, &record, &body).unwrap();
        }
        w.finish().unwrap();
        let c1 = fs::read_to_string(dir.path().join("docs/1.json")).unwrap();
        let v: serde_json::Value = serde_json::from_str(&c1).unwrap();
        assert_eq!(v.as_array().map(Vec::len), Some(1));
        assert_eq!(v[0]["lead"], "第2");
        assert_eq!(w.produced.len(), 5);
        assert_eq!(w.produced[0].0, "docs/0.json");
        let t0 = fs::read(dir.path().join("text/0.bin")).unwrap();
        let text = |i: usize| format!("\n\n第{i}篇正文\n");
        let mut want = 3u32.to_le_bytes().to_vec();
        for i in 0..3 {
            want.extend((text(i).encode_utf16().count() as u32).to_le_bytes());
        }
        for i in 0..3 {
            want.extend(text(i).encode_utf16().flat_map(u16::to_le_bytes));
        }
        assert_eq!(t0, want);
        assert_eq!(decode_texts(&t0), Some((0..3).map(text).collect()));
        let b0 = fs::read(dir.path().join("facets/0.bin")).unwrap();
        assert_eq!(
            b0,
            // n = 2, narrow ids, packed counts: one region (id 0) and no topic each
            [2, 0, 0, 0, 0b1110, 0x10, 0x10, 0, 0]
        );
    }

    #[test]
    fn facet_blocks_decode_to_the_table_they_encode() {
        let mut t = FacetTable::default();
        t.push(2023, &[1, 300], &[2]);
        t.push(0, &[], &[]);
        t.push(1950, &[7], &[0, 1, 9]);
        t.push(1950, &[], &(0..16).collect::<Vec<u16>>()); // 16 topics: counts not packed
        let runs = t.year_runs();
        assert_eq!(runs, [(0, 2023), (1, 0), (2, 1950)]);
        let mut back = FacetTable::default();
        back.decode_block(&t.encode(&[0, 1]), &runs).unwrap();
        back.decode_block(&t.encode(&[2, 3]), &runs).unwrap();
        assert_eq!(back, t);
        assert_eq!(t.encode(&[2, 3])[4], NARROW_REGIONS | NARROW_TOPICS);
        let data = t.encode(&[0, 1, 2]);
        for bad in [
            &data[..data.len() - 1],
            &[data.as_slice(), &[0]].concat()[..],
            b"xy",
        ] {
            let mut none = FacetTable::default();
            assert!(none.decode_block(bad, &runs).is_none());
            assert_eq!(none, FacetTable::default());
        }
    }

    #[test]
    fn narrow_tables_encode_in_one_pass_as_column_by_column() {
        // Pseudo-random tables, narrow and not, and documents in and out of them: the one-pass
        // encoding of a narrow table is the column-by-column one.
        let mut rng = crate::bench::generate::Rng::new(7);
        let mut next = move |m: u32| rng.below(m as usize) as u32;
        let mut narrow_seen = 0;
        for case in 0..200 {
            let mut t = FacetTable::default();
            let (counts, ids) = [(4, 200), (4, 255), (17, 40), (4, 300), (1, 1)][case % 5];
            for _ in 0..next(40) {
                let year = if next(5) == 0 {
                    0
                } else {
                    1900 + next(60) as u16
                };
                let r: Vec<u16> = (0..next(counts)).map(|_| next(ids + 1) as u16).collect();
                let tp: Vec<u16> = (0..next(3)).map(|_| next(ids + 1) as u16).collect();
                t.push(year, &r, &tp);
            }
            let docs: Vec<u32> = (0..next(30)).map(|_| next(45)).collect();
            let (mut a, mut b) = (vec![9], vec![9]);
            t.encode_columns_into(&docs, &mut a);
            t.encode_into(&docs, &mut b);
            assert_eq!(a, b, "case {case}");
            if t.all_narrow() {
                narrow_seen += 1;
                let mut c = vec![9];
                t.encode_narrow_into(&docs, &mut c);
                assert_eq!(a, c, "case {case}");
            }
        }
        assert!((40..200).contains(&narrow_seen), "{narrow_seen}");
        // The table's bounds follow what was pushed.
        let mut t = FacetTable::default();
        assert!(t.all_narrow());
        t.push(0, &[255], &[3]);
        t.push(1990, &[], &(0..15).collect::<Vec<u16>>());
        assert!(t.all_narrow(), "15 topics fit four bits");
        t.push(2245, &(0..16).collect::<Vec<u16>>(), &[]);
        assert!(!t.all_narrow(), "16 regions do not");
        let mut u = FacetTable::default();
        u.push(2000, &[], &[256]);
        assert!(!u.all_narrow());
    }

    #[test]
    fn counts_of_most_documents_equal_counts_taken_one_by_one() {
        let mut table = FacetTable::default();
        for d in 0..40u16 {
            let year = if d % 7 == 0 { 0 } else { 1990 + d % 5 };
            table.push(year, &[d % 3, 3 + d % 2], &[d % 4]);
        }
        // Naive counts in the same format: values in ascending order, each with its count.
        fn naive(table: &FacetTable, docs: &[u32]) -> Vec<u8> {
            let mut out = Vec::new();
            for dim in 0..3 {
                let mut counts = std::collections::BTreeMap::<u16, u32>::new();
                for &d in docs {
                    let (y, r, t) = table.get(d);
                    let values: Vec<u16> = match dim {
                        0 => r.to_vec(),
                        1 => t.to_vec(),
                        _ => (y != 0).then_some(y).into_iter().collect(),
                    };
                    for v in values {
                        *counts.entry(v).or_default() += 1;
                    }
                }
                out.extend((counts.len() as u16).to_le_bytes());
                out.extend(counts.keys().flat_map(|v| v.to_le_bytes()));
                out.extend(counts.values().flat_map(|n| n.to_le_bytes()));
            }
            out
        }
        // Fewer than half (counted directly), more than half (all minus the rest), all.
        for keep in [
            |d: u32| d.is_multiple_of(3),
            |d: u32| d % 5 != 2,
            |d: u32| d != 39,
            |_| true,
        ] {
            let docs: Vec<u32> = (0..40).filter(|&d| keep(d)).collect();
            assert_eq!(table.encode_counts(&docs), naive(&table, &docs), "{docs:?}");
        }
        let all: Vec<u32> = (0..40).collect();
        assert_eq!(table.encode_all_counts(), naive(&table, &all));
        // A row pushed after the totals were counted is in the next totals.
        table.push(2001, &[9], &[]);
        let all: Vec<u32> = (0..41).collect();
        assert_eq!(table.encode_all_counts(), naive(&table, &all));
    }

    #[test]
    fn facet_block_columns_are_narrow_when_their_values_fit_a_byte() {
        let mut t = FacetTable::default();
        t.push(1950, &[3], &[1, 2]); // 0
        t.push(0, &[255], &[]); // 1
        t.push(2025, &[256], &[4]); // 2: a region id over a byte
        t.push(1600, &[1], &[300]); // 3: a topic id over a byte
        t.push(1949, &[2], &[0]); // 4
        t.push(1949, &[], &(0..16).collect::<Vec<u16>>()); // 5: 16 topics, over four bits
        let all = NARROW_REGIONS | NARROW_TOPICS | PACKED_COUNTS;
        let cases: [(&[u32], u8, usize); 6] = [
            // documents, flags, bytes: n, flags, counts, region ids, topic ids
            (&[0, 1], all, 4 + 1 + 2 + 2 + 2),
            (&[0, 1, 2], all & !NARROW_REGIONS, 4 + 1 + 3 + 2 * 3 + 3),
            (&[0, 3], all & !NARROW_TOPICS, 4 + 1 + 2 + 2 + 2 * 3),
            (&[1], all, 4 + 1 + 1 + 1),
            (&[4, 0], all, 4 + 1 + 2 + 2 + 3),
            (&[5, 0], all & !PACKED_COUNTS, 4 + 1 + 2 * 2 + 1 + 18),
        ];
        for (docs, flags, len) in cases {
            let data = t.encode(docs);
            assert_eq!((data[4], data.len()), (flags, len), "{docs:?}");
            let mut back = FacetTable::default();
            back.decode_block(&data, &[]).unwrap();
            for (i, &d) in docs.iter().enumerate() {
                let ((_, r, tp), (_, want_r, want_t)) = (back.get(i as u32), t.get(d));
                assert_eq!((r, tp), (want_r, want_t), "{docs:?}");
            }
        }
        // Unknown flags (bit 0 held years before index format 10) are refused.
        for flag in [1, 16] {
            let mut data = t.encode(&[0]);
            data[4] |= flag;
            assert!(FacetTable::default().decode_block(&data, &[]).is_none());
        }
    }
}
