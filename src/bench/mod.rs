//! Benchmarks on generated archives (`folio bench`, `folio bench-gen`).
//!
//! For each size N: generate an archive (cached between runs), run a first
//! `folio build` (no output, no caches, nothing left to write back) in a child process
//! (`--runs` times: the median run is reported, with the fastest and slowest), then — after one
//! warm-up rebuild that starts the output twin — a no-change rebuild, a
//! rebuild after appending a sentence to one article, one after putting a
//! sentence before another article's lead and one after adding a new day's paper (what a
//! nightly publishing run sees), and report wall time, per-phase times, peak RSS,
//! output bytes and files. Results are compared with a baseline file so
//! regressions show. Measures only; must not change how builds work.

pub mod generate;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

/// One measured archive size.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct BenchRow {
    pub articles: usize,
    pub full_build_ms: u64,
    /// Per-phase times of the full build, `name` → ms.
    pub phases: Vec<(String, u64)>,
    pub peak_rss_mb: f64,
    /// CPU time of the full build in user code and in the kernel, ms (as the build reports
    /// it); on a 2-core machine their sum is up to twice the wall time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_user_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_sys_ms: Option<u64>,
    pub output_bytes: u64,
    pub output_files: usize,
    /// Every first build's wall time, ascending, when more than one ran (`--runs`);
    /// `full_build_ms` and the other fields are the median run's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub full_build_runs_ms: Vec<u64>,
    /// The rebuilds, `None` when only the first build was measured (`--first-only`).
    #[serde(default)]
    pub noop_rebuild_ms: Option<u64>,
    #[serde(default)]
    pub one_edit_rebuild_ms: Option<u64>,
    /// A rebuild after a sentence was put at the start of an article's body: its
    /// lead, and so its list entries and related-article input, change too.
    #[serde(default)]
    pub lead_edit_rebuild_ms: Option<u64>,
    /// A rebuild after [`NEW_DAY_ARTICLES`] articles dated the day after the archive's last
    /// were added: a nightly publishing run. Every list the new articles join gains entries
    /// at its head and the search index gains documents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_day_rebuild_ms: Option<u64>,
}

/// Articles in the "new day" rebuild: a regional paper's stories of one day.
pub const NEW_DAY_ARTICLES: usize = 50;

/// The new day's date and where its articles go (`content/2026/01/`); the generator's dates
/// end in 2025, so the folder is the bench's own.
const NEW_DAY_DATE: &str = "2026-01-01";
const NEW_DAY_YEAR: &str = "2026";
const NEW_DAY_MONTH: &str = "01";

/// Generates (or reuses) the archive of `n` articles under `work/n/`.
pub fn ensure_archive(work: &Path, n: usize, corpus: &str) -> Result<PathBuf> {
    let dir = work.join(n.to_string());
    let marker = dir.join(".generated");
    let want = format!("folio-bench v2 n={n} seed=42\n");
    if fs::read_to_string(&marker).ok().as_deref() == Some(want.as_str()) {
        return Ok(dir);
    }
    let _ = fs::remove_dir_all(&dir);
    generate::generate(&dir, n, 42, corpus).context("generating the archive")?;
    fs::write(&marker, want)?;
    Ok(dir)
}

fn run_build(exe: &Path, dir: &Path) -> Result<(u64, serde_json::Value)> {
    let mut cmd = Command::new(exe);
    cmd.arg("--root")
        .arg(dir)
        .arg("build")
        .arg("--json")
        .arg("--no-ingest");
    let start = Instant::now();
    let out = cmd.output().context("running folio build")?;
    let ms = start.elapsed().as_millis() as u64;
    if !out.status.success() {
        bail!(
            "build of {} failed: {}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let summary: serde_json::Value =
        serde_json::from_slice(&out.stdout).context("reading the build summary")?;
    Ok((ms, summary))
}

/// First builds per size when `--runs` is not given: three (the median is steadier than one
/// run on a shared machine) up to 100 000 articles; one above, where every run's output (~30
/// GB at 1M) would stay on disk until the end.
pub fn default_runs(articles: usize) -> usize {
    if articles <= 100_000 { 3 } else { 1 }
}

/// Where [`measure`] moves the output of earlier runs (under the work folder).
const TRASH: &str = ".trash";

/// Deletes what [`measure`] moved aside; call after the last measurement.
pub fn empty_trash(work: &Path) -> Result<()> {
    let trash = work.join(TRASH);
    if trash.exists() {
        fs::remove_dir_all(&trash).with_context(|| format!("deleting {}", trash.display()))?;
    }
    Ok(())
}

/// Moves the output and caches of an earlier build in `dir` (archive size `n`) aside, under
/// the work folder's trash.
fn move_aside(work: &Path, dir: &Path, n: usize) -> Result<()> {
    // Deleted by [`empty_trash`] once every size is measured: on some file systems
    // (ext4 without a journal) creating files within minutes of deleting many is several
    // times slower, which a fresh clone never sees.
    let trash = (0..)
        .map(|i| work.join(TRASH).join(format!("{n}-{i}")))
        .find(|t| !t.exists())
        .context("no free trash folder name")?;
    fs::create_dir_all(&trash)?;
    for leftover in [
        "public",
        ".public.folio-twin",
        ".folio-cache",
        ".public.folio-twin.list",
    ] {
        let _ = fs::rename(dir.join(leftover), trash.join(leftover));
    }
    Ok(())
}

/// Measures the archive of `n` articles: `runs` first builds (the median one is reported),
/// then (unless `first_only`) the rebuilds.
pub fn measure(
    exe: &Path,
    work: &Path,
    n: usize,
    corpus: &str,
    first_only: bool,
    runs: usize,
) -> Result<BenchRow> {
    let dir = ensure_archive(work, n, corpus)?;
    // The full build is a first build, as in CI from a fresh clone: no output,
    // no twin, no caches.
    let mut firsts = Vec::new();
    for _ in 0..runs.max(1) {
        move_aside(work, &dir, n)?;
        // What the generator or the previous run left for the kernel to write back is
        // written first, so that its write-back does not slow the build measured next.
        rustix::fs::sync();
        firsts.push(run_build(exe, &dir)?);
    }
    let mut times: Vec<u64> = firsts.iter().map(|f| f.0).collect();
    times.sort_unstable();
    let median = times[(times.len() - 1) / 2];
    let Some((full_ms, summary)) = firsts.into_iter().find(|f| f.0 == median) else {
        bail!("no first build of {n} articles was measured");
    };
    // The rebuilds start from the last first build's output.
    let rebuilds = if first_only {
        None
    } else {
        Some(rebuilds(exe, &dir)?)
    };
    let phases = summary["phases"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|p| {
                    (
                        p["name"].as_str().unwrap_or("?").to_string(),
                        p["ms"].as_u64().unwrap_or(0),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(BenchRow {
        articles: n,
        full_build_ms: full_ms,
        phases,
        peak_rss_mb: summary["peak_rss_kb"].as_u64().unwrap_or(0) as f64 / 1024.0,
        cpu_user_ms: summary["cpu_user_ms"].as_u64(),
        cpu_sys_ms: summary["cpu_sys_ms"].as_u64(),
        output_bytes: summary["bytes"].as_u64().unwrap_or(0),
        output_files: summary["files"].as_u64().unwrap_or(0) as usize,
        full_build_runs_ms: if times.len() > 1 { times } else { Vec::new() },
        noop_rebuild_ms: rebuilds.map(|r| r.0),
        one_edit_rebuild_ms: rebuilds.map(|r| r.1),
        lead_edit_rebuild_ms: rebuilds.map(|r| r.2),
        new_day_rebuild_ms: rebuilds.map(|r| r.3),
    })
}

/// After a first build in `dir`: a warm-up rebuild, then the no-op, one-edit, lead-edit and
/// new-day rebuilds' wall times (ms).
fn rebuilds(exe: &Path, dir: &Path) -> Result<(u64, u64, u64, u64)> {
    // The first rebuild clones the output once to start the twin (see
    // `output`); rebuilds after it are what an editing session sees. That
    // session starts long after the first build's gigabytes reached the disk:
    // they are flushed first, so that their write-back does not slow the
    // rebuilds measured next.
    run_build(exe, dir)?;
    rustix::fs::sync();
    let (noop_ms, _) = run_build(exe, dir)?;
    // Edit one article (the first file in sorted order) and rebuild.
    let mut errors = Vec::new();
    let files = crate::content::list_files(&dir.join("content"), &mut errors);
    let (first, _) = files.first().context("generated archive is empty")?;
    let mut text = fs::read_to_string(first)?;
    text.push_str("\n编辑修订：基准测试追加的一句话。\n");
    fs::write(first, text)?;
    let (edit_ms, _) = run_build(exe, dir)?;
    // Then put a sentence before the lead of the second file and rebuild.
    let (second, _) = files.get(1).unwrap_or(&files[0]);
    let text = fs::read_to_string(second)?;
    let edited = prepend_to_body(&text, "编辑修订：导语前加的一句话。")
        .with_context(|| format!("{}: no front matter", second.display()))?;
    fs::write(second, edited)?;
    let (lead_ms, _) = run_build(exe, dir)?;
    let day_ms = new_day_rebuild(exe, dir, &files)?;
    Ok((noop_ms, edit_ms, lead_ms, day_ms))
}

/// Adds a new day's paper to the archive in `dir` (copies of the last
/// [`NEW_DAY_ARTICLES`] of `files`, dated [`NEW_DAY_DATE`]), rebuilds, and removes the
/// articles again so that the cached archive keeps its size. Returns the rebuild's wall time.
fn new_day_rebuild(exe: &Path, dir: &Path, files: &[(PathBuf, String)]) -> Result<u64> {
    let year = dir.join("content").join(NEW_DAY_YEAR);
    let folder = year.join(NEW_DAY_MONTH);
    // Left by an interrupted bench, if it exists.
    let _ = fs::remove_dir_all(&year);
    fs::create_dir_all(&folder).with_context(|| format!("creating {}", folder.display()))?;
    let sources = &files[files.len().saturating_sub(NEW_DAY_ARTICLES)..];
    for (i, (source, _)) in sources.iter().enumerate() {
        let text = fs::read_to_string(source)?;
        let dated = with_date(&text, NEW_DAY_DATE)
            .with_context(|| format!("{}: no date in the front matter", source.display()))?;
        fs::write(folder.join(format!("{:02}.md", i + 1)), dated)?;
    }
    let built = run_build(exe, dir);
    let removed = fs::remove_dir_all(&year).with_context(|| format!("removing {}", year.display()));
    let (ms, _) = built?;
    removed?;
    Ok(ms)
}

/// `text` (an article with `+++` front matter) with its `date = …` line set to `date`;
/// `None` when the front matter has no such line.
fn with_date(text: &str, date: &str) -> Option<String> {
    let front_end = text.strip_prefix("+++\n")?.find("\n+++\n")? + "+++\n".len();
    let line_start = text[..front_end]
        .match_indices('\n')
        .map(|(i, _)| i + 1)
        .find(|&i| text[i..].starts_with("date = "))?;
    let line_end = line_start + text[line_start..].find('\n')?;
    Some(format!(
        "{}date = {date}{}",
        &text[..line_start],
        &text[line_end..]
    ))
}

/// `text` (an article with `+++` front matter) with `sentence` as the first
/// paragraph of its body; `None` without front matter.
fn prepend_to_body(text: &str, sentence: &str) -> Option<String> {
    let rest = text.strip_prefix("+++\n")?;
    let end = rest.find("\n+++\n")? + "\n+++\n".len();
    let (front, body) = rest.split_at(end);
    Some(format!(
        "+++\n{front}\n{sentence}\n\n{}",
        body.trim_start_matches('\n')
    ))
}

/// A rebuild's time for the table: seconds, or "—" when it was not measured.
fn seconds(ms: Option<u64>) -> String {
    ms.map_or_else(
        || "—".to_string(),
        |ms| format!("{:.2} s", ms as f64 / 1000.0),
    )
}

/// A Markdown table of rows, with the change against `baseline` where known.
pub fn table(rows: &[BenchRow], baseline: &[BenchRow]) -> String {
    let mut out = String::from(
        "| articles | full build | phases (ms) | CPU user + kernel | peak RSS | output | files | no-op rebuild | 1-edit rebuild | lead-edit rebuild | new-day rebuild |\n|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for r in rows {
        let delta = baseline
            .iter()
            .find(|b| b.articles == r.articles)
            .map(|b| {
                let pct = (r.full_build_ms as f64 / b.full_build_ms.max(1) as f64 - 1.0) * 100.0;
                format!(" ({pct:+.0}% vs baseline)")
            })
            .unwrap_or_default();
        let phases: Vec<String> = r.phases.iter().map(|(n, ms)| format!("{n} {ms}")).collect();
        let spread = match (r.full_build_runs_ms.first(), r.full_build_runs_ms.last()) {
            (Some(low), Some(high)) => format!(
                ", median of {} ({:.2}–{:.2} s)",
                r.full_build_runs_ms.len(),
                *low as f64 / 1000.0,
                *high as f64 / 1000.0
            ),
            _ => String::new(),
        };
        let cpu = match (r.cpu_user_ms, r.cpu_sys_ms) {
            (Some(user), Some(sys)) => {
                format!("{:.2} + {:.2} s", user as f64 / 1000.0, sys as f64 / 1000.0)
            }
            _ => "—".to_string(),
        };
        out.push_str(&format!(
            "| {} | {:.2} s{}{} | {} | {} | {:.0} MB | {:.1} MB | {} | {} | {} | {} | {} |\n",
            r.articles,
            r.full_build_ms as f64 / 1000.0,
            spread,
            delta,
            phases.join(", "),
            cpu,
            r.peak_rss_mb,
            r.output_bytes as f64 / 1e6,
            r.output_files,
            seconds(r.noop_rebuild_ms),
            seconds(r.one_edit_rebuild_ms),
            seconds(r.lead_edit_rebuild_ms),
            seconds(r.new_day_rebuild_ms),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_runs_by_default_up_to_100k_one_above() {
        assert_eq!(default_runs(1_000), 3);
        assert_eq!(default_runs(100_000), 3);
        assert_eq!(default_runs(100_001), 1);
        assert_eq!(default_runs(1_000_000), 1);
    }

    #[test]
    fn sentence_goes_before_the_lead() {
        let text = "+++\ntitle = \"甲\"\n+++\n\n导语。\n\n正文。\n";
        assert_eq!(
            prepend_to_body(text, "新句。").unwrap(),
            "+++\ntitle = \"甲\"\n+++\n\n新句。\n\n导语。\n\n正文。\n"
        );
        assert_eq!(prepend_to_body("no front matter", "x"), None);
    }

    #[test]
    fn new_day_articles_take_the_new_date() {
        let text =
            "+++\ntitle = \"甲\"\ndate = 1988-03-04\ntopics = [\"a\"]\n+++\n\ndate = 正文。\n";
        assert_eq!(
            with_date(text, "2026-01-01").unwrap(),
            "+++\ntitle = \"甲\"\ndate = 2026-01-01\ntopics = [\"a\"]\n+++\n\ndate = 正文。\n"
        );
        // A body line that looks like a date is not the front matter's.
        assert_eq!(
            with_date("+++\ntitle = \"甲\"\n+++\ndate = 1\n", "2026-01-01"),
            None
        );
    }
}
