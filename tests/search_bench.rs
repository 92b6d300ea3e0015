//! Search build benchmark on generated archives (ignored by default; prints a table):
//!
//!   FOLIO_SEARCH_BENCH_N=2000 cargo test --release --test search_bench -- --ignored --nocapture
//!
//! FOLIO_SEARCH_BENCH_QUICK=1 skips the third (no-cache) build, FOLIO_SEARCH_BENCH_ONCE=1 the
//! second and third (for 1M articles, whose index alone is ~45 GB); FOLIO_SEARCH_BENCH_KEEP=<dir>
//! writes into <dir> and keeps it; FOLIO_SEARCH_BENCH_INDEX=<dir> (with `bench_cold_queries`)
//! only replays the cold queries against an index already built there.
//!
//! Articles of ~2,000 characters are assembled from the seed pages' sentences with a fixed
//! pseudo-random sequence (deterministic), spread over 14 Hunan prefectures, 11 topics and
//! dates 1950–2025, newest first. Reports build time (cold and with a warm token cache), peak
//! RSS, index size and the gzipped bytes a cold query downloads.

#[path = "search_support/mod.rs"]
mod support;

use std::time::Instant;

use folio::search::{SearchDoc, SearchOptions, build_index, cold_query_report};

const REGIONS: [&str; 14] = [
    "长沙市",
    "株洲市",
    "湘潭市",
    "衡阳市",
    "邵阳市",
    "岳阳市",
    "常德市",
    "张家界市",
    "益阳市",
    "郴州市",
    "永州市",
    "怀化市",
    "娄底市",
    "湘西土家族苗族自治州",
];
const TOPICS: [&str; 11] = [
    "党的建设",
    "乡村振兴",
    "清廉建设",
    "医疗卫生",
    "经济",
    "城市建设",
    "文化旅游",
    "教育",
    "基层治理",
    "公共安全",
    "生态环境",
];

struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as usize
    }
}

fn sentences() -> Vec<String> {
    let mut out = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir(support::root().join("seeds"))
        .expect("seeds")
        .map(|e| e.expect("entry").path())
        .collect();
    paths.sort();
    for p in paths {
        let text: String = std::fs::read_to_string(p)
            .expect("seed")
            .lines()
            .map(str::trim)
            .collect();
        let mut cur = String::new();
        for c in text.chars() {
            cur.push(c);
            if matches!(c, '。' | '！' | '？') {
                out.push(std::mem::take(&mut cur));
            }
        }
    }
    out
}

/// A deterministic generated archive of `n` articles (streamed, never all in memory).
fn generated(n: usize) -> impl Iterator<Item = SearchDoc> {
    let sents = sentences();
    let mut rng = Lcg(42);
    (0..n).map(move |i| {
        let mut body = String::new();
        let mut para = 0;
        let mut chars = 0;
        while chars < 2000 {
            let s = &sents[rng.next() % sents.len()];
            chars += s.chars().count();
            body.push_str(s);
            para += 1;
            if para % 4 == 0 {
                body.push('\n');
            }
        }
        let title: String = sents[rng.next() % sents.len()].chars().take(16).collect();
        let days = (i * 27_000 / n.max(1)) as i64; // spread over ~75 years, newest first
        let year = 2025 - days / 360;
        let date = format!("{year}-{:02}-{:02}", 12 - (days % 360) / 30, 28 - days % 28);
        let r = rng.next();
        SearchDoc {
            id: i as u32,
            url: format!("/articles/{i:07}/"),
            title,
            kicker: String::new(),
            body,
            authors: ["向科", "李明", "王芳", "张伟"][r % 4].to_string(),
            date: Some(date),
            regions: vec![REGIONS[r % 14].to_string()],
            topics: vec![TOPICS[(r / 14) % 11].to_string()],
        }
    })
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

const QUERIES: [&str; 17] = [
    "保靖",
    "黄金茶",
    "乡村振兴",
    "微腐败",
    "湘西州",
    "2024",
    "UBE",
    "发展",
    "工作",
    "中国",
    "湖南",
    "发展经济",
    "\"乡村振兴\"",
    "\"保靖\"",
    // Parts of a word and of a number (matched over the index's word suffixes).
    "BE",
    "024",
    "3月",
];

/// Prints what a cold query downloads from the index in `out`, per file family.
fn print_cold_queries(out: &std::path::Path) {
    println!("  cold query (gzipped, script included):");
    for q in QUERIES {
        let r = cold_query_report(out, q).expect("query");
        let kb_of = |keep: &dyn Fn(&str) -> bool| {
            let bytes: u64 = r
                .files
                .iter()
                .filter(|(f, _)| keep(f))
                .map(|(_, b)| b)
                .sum();
            bytes as f64 / 1024.0
        };
        let kb = |pre: &str| kb_of(&|f: &str| f.starts_with(pre));
        // Shard directories are `t/d<g>.json`; shard files are 16 hex digits, some starting
        // with "d" too.
        let is_dir = |f: &str| {
            f.strip_prefix("t/d")
                .and_then(|rest| rest.strip_suffix(".json"))
                .is_some_and(|g| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit()))
        };
        let dirs = kb_of(&is_dir);
        println!(
            "    {q:<6} {:>7.1} KB {:>4} files {:>7} hits | script+manifest {:.1} dirs {:.1} shards {:.1} facets {:.1} docs {:.1} text {:.1}",
            r.gzip_bytes as f64 / 1024.0,
            r.files.len(),
            r.candidates,
            kb("search.js") + kb("index.json"),
            dirs,
            kb("t/") - dirs,
            kb("facets/"),
            kb("docs/"),
            kb("text/"),
        );
    }
}

/// FOLIO_SEARCH_BENCH_INDEX=<public/search> replays the cold queries against an index a site
/// build wrote (e.g. of `folio bench-gen 100000`).
#[test]
#[ignore = "benchmark: run explicitly with --ignored"]
fn bench_cold_queries_of_built_index() {
    let Some(dir) = std::env::var_os("FOLIO_SEARCH_BENCH_INDEX") else {
        return;
    };
    println!(
        "\ncold queries against {}",
        std::path::Path::new(&dir).display()
    );
    print_cold_queries(std::path::Path::new(&dir));
}

#[test]
#[ignore = "benchmark: run explicitly with --ignored"]
fn bench_generated_archive() {
    let n: usize = std::env::var("FOLIO_SEARCH_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let tmp = tempfile::tempdir().expect("tempdir");
    // FOLIO_SEARCH_BENCH_KEEP=<dir> keeps the output there (e.g. to time queries in a browser).
    let keep = std::env::var_os("FOLIO_SEARCH_BENCH_KEEP").map(std::path::PathBuf::from);
    let work_dir = keep.unwrap_or_else(|| tmp.path().to_path_buf());
    // Each build writes a fresh directory, as the site build's staging directory is.
    let out = work_dir.join("search");
    let out2 = work_dir.join("search-warm");
    let out3 = work_dir.join("search-nocache");
    let cache = work_dir.join("cache");
    let opts = SearchOptions::default();

    let t = Instant::now();
    let cold = build_index(generated(n), &out, Some(&cache), &opts).expect("build");
    let cold_time = t.elapsed();
    let once = std::env::var_os("FOLIO_SEARCH_BENCH_ONCE").is_some();
    let quick = once || std::env::var_os("FOLIO_SEARCH_BENCH_QUICK").is_some();
    let t = Instant::now();
    let warm = if once {
        cold.clone()
    } else {
        let warm = build_index(generated(n), &out2, Some(&cache), &opts).expect("rebuild");
        assert_eq!(warm.cached_documents, n as u64);
        warm
    };
    let warm_time = t.elapsed();
    let t = Instant::now();
    let nocache = if quick {
        warm.clone()
    } else {
        build_index(generated(n), &out3, None, &opts).expect("build without cache")
    };
    let nocache_time = t.elapsed();

    println!("\nsearch bench, {n} generated articles (~2,000 chars each)");
    for (label, time, st) in [
        ("cold cache", cold_time, &cold),
        ("warm cache", warm_time, &warm),
        ("no cache", nocache_time, &nocache),
    ] {
        if (quick && label == "no cache") || (once && label == "warm cache") {
            continue;
        }
        println!(
            "  build ({label:<10})  {:>7.2} s   tokenize {:.2} s   merge+shards {:.2} s",
            time.as_secs_f64(),
            st.tokenize_time.as_secs_f64(),
            st.shard_time.as_secs_f64()
        );
    }
    println!(
        "  peak RSS             {:>8.0} MB (whole process)",
        peak_rss_mb()
    );
    println!(
        "  tokens {} terms {} postings {} spilled runs {}",
        cold.tokens, cold.terms, cold.postings, cold.spilled_runs
    );
    println!(
        "  shards {}  index {:.1} MB  total {:.1} MB",
        cold.shards,
        cold.index_bytes as f64 / 1e6,
        cold.total_bytes as f64 / 1e6
    );
    print_cold_queries(&out);
}
