//! The command line: parses arguments (clap) and runs a command.
//!
//! This is the application edge: library errors become `anyhow` errors with
//! context, printed once, and exit codes are decided here (0 ok, 1 problems in
//! the site's files, 2 usage). Progress bars appear only when stderr is a
//! terminal; in CI the output is quiet and line-oriented. No pipeline logic
//! lives here.

use std::io::IsTerminal;
use std::net::IpAddr;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};

use crate::build::{self, BuildOptions, SitePaths};
use crate::config::SiteConfig;
use crate::ingest::run::{self as ingest_run, IngestOptions};

/// Folio: a static-site generator for digital newspaper archives.
#[derive(Debug, Parser)]
#[command(name = "folio", version, about, long_about = None)]
pub struct Cli {
    /// The site folder (holds site.toml, seeds/, content/, themes/).
    #[arg(long, global = true, default_value = ".")]
    pub root: PathBuf,
    /// The configuration file, relative to --root unless absolute.
    #[arg(long, global = true, default_value = "site.toml")]
    pub config: PathBuf,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Turn newspaper page text in seeds/ into Markdown articles in content/.
    ///
    /// Seeds are the .txt and .md files in seeds/ and its subfolders; a seed's
    /// articles go to content/<its path without extension>/. One article per story, with TOML front matter (title, kicker, subtitle,
    /// authors, date, regions, topics, captions, source lines). Articles an
    /// editor changed are never overwritten: the new version is written beside
    /// them as NN.md.new and reported. Lines that fit no story are listed in
    /// content/.ingest-report.toml.
    Ingest(IngestArgs),
    /// Build the site into public/ (ingesting new or changed seeds first).
    ///
    /// Writes into a staging folder and swaps it into place, so a failed or
    /// interrupted build never leaves a half-written public/. Prints a summary
    /// (articles, pages, feeds, search shards, bytes, time per phase).
    Build(BuildArgs),
    /// Build, serve public/ locally and rebuild + reload the browser on changes.
    Serve(ServeArgs),
    /// Validate config, content, regions, topics, templates and internal links.
    ///
    /// Prints every problem as file:line: message. Exit 1 on any error, 0 with warnings only.
    Check(CheckArgs),
    /// Generate a synthetic archive of N articles for benchmarks.
    ///
    /// Bodies are assembled from the sentences of the seed pages in seeds/;
    /// regions spread over Hunan, the 11 default topics, dates 1950–2025.
    /// Deterministic for a given --seed.
    BenchGen(BenchGenArgs),
    /// Benchmark first and incremental builds on generated archives.
    ///
    /// Prints a Markdown table (first build without output or caches, its
    /// phases, CPU time in user code and in the kernel, peak RSS, output size;
    /// a no-op rebuild, one after appending a sentence to an article, one after
    /// putting a sentence before another article's lead and one after adding a
    /// new day's articles) compared with the baseline file.
    Bench(BenchArgs),
}

#[derive(Debug, Args)]
pub struct BenchGenArgs {
    /// Number of articles.
    pub articles: usize,
    /// Folder to write the site into (site.toml + content/).
    #[arg(long)]
    pub out: PathBuf,
    /// Random seed: the same seed gives the same archive.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Archive sizes to measure, comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = vec![1000usize, 10000, 100000])]
    pub sizes: Vec<usize>,
    /// Where generated archives are kept between runs.
    #[arg(long, default_value = "target/bench")]
    pub work: PathBuf,
    /// Baseline file to compare with.
    #[arg(long, default_value = "bench/baseline.json")]
    pub baseline: PathBuf,
    /// Write this run's numbers to the baseline file (other sizes in it are kept).
    #[arg(long)]
    pub save_baseline: bool,
    /// Measure the first build only, without the rebuilds: the disk then holds one copy of the
    /// output, not two (rebuilds keep the output twin beside it). 1M articles need ~50 GB
    /// instead of ~85 GB.
    #[arg(long)]
    pub first_only: bool,
    /// First builds per size (each from scratch): the table shows the median run, with the
    /// fastest and slowest; on a shared machine one run can be a third off the next. Every
    /// run's output stays on disk until the end. Default: 3 up to 100 000 articles, 1 above
    /// (one 1M output is ~30 GB).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub runs: Option<u32>,
}

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Overwrite articles edited since ingest (the edited file is kept as NN.md.orig).
    #[arg(long)]
    pub force: bool,
    /// Print the report as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// Explain how one line of a seed was classified, e.g. `000_8ee1e14b781f4bbe.txt:273`
    /// (a seed in a subfolder by its path inside seeds/: `团结报/2023/05-08.txt:12`).
    #[arg(long, value_name = "SEED:LINE")]
    pub explain: Option<String>,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Override base_url from site.toml (for preview deploys).
    #[arg(long)]
    pub base_url: Option<String>,
    /// Include articles marked `draft = true`.
    #[arg(long)]
    pub drafts: bool,
    /// Build from scratch, ignoring the previous output and caches (same bytes as an incremental build).
    #[arg(long)]
    pub clean: bool,
    /// Do not ingest new or changed seeds before building.
    #[arg(long)]
    pub no_ingest: bool,
    /// Print the build summary as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Interface to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub interface: IpAddr,
    /// Port to listen on (0 picks a free one).
    #[arg(long, short, default_value_t = 1111)]
    pub port: u16,
    /// Include articles marked `draft = true`.
    #[arg(long)]
    pub drafts: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Print problems as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Runs the CLI and returns the process exit code.
pub fn main() -> i32 {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", error_chain(&e));
            1
        }
    }
}

/// An error and its causes on one line, `a: b: c`, each cause once: many of our errors
/// already name their cause in their own message (`x.toml: cannot read: <io error>`).
fn error_chain(e: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in e.chain() {
        let message = cause.to_string();
        if text.is_empty() {
            text = message;
        } else if !text.contains(&message) {
            text.push_str(": ");
            text.push_str(&message);
        }
    }
    text
}

fn run(cli: Cli) -> Result<i32> {
    let paths = SitePaths::new(&cli.root, &cli.config);
    match cli.command {
        Command::Ingest(args) => ingest(&paths, args),
        Command::Build(args) => build_cmd(&paths, args),
        Command::Serve(args) => {
            crate::serve_cmd::run(&paths, args.interface, args.port, args.drafts)
        }
        Command::Check(args) => check(&paths, args.json),
        Command::BenchGen(args) => {
            let corpus = seed_corpus(&paths)?;
            crate::bench::generate::generate(&args.out, args.articles, args.seed, &corpus)
                .with_context(|| format!("writing {}", args.out.display()))?;
            eprintln!(
                "generated {} articles in {}",
                args.articles,
                args.out.display()
            );
            Ok(0)
        }
        Command::Bench(args) => bench(&paths, args),
    }
}

fn check(paths: &SitePaths, json: bool) -> Result<i32> {
    use crate::check::site::{Severity, check_site};
    let problems = check_site(paths);
    let errors = problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .count();
    if json {
        println!("{}", serde_json::to_string_pretty(&problems)?);
    } else {
        for p in &problems {
            println!("{p}");
        }
        eprintln!(
            "check: {errors} error(s), {} warning(s)",
            problems.len() - errors
        );
    }
    Ok(if errors > 0 { 1 } else { 0 })
}

/// The text of every seed page, the corpus generated archives are built from.
fn seed_corpus(paths: &SitePaths) -> Result<String> {
    let seeds = paths.root.join("seeds");
    let mut corpus = String::new();
    let list = ingest_run::list_seeds(&seeds).with_context(|| {
        format!(
            "the generator takes its sentences from the sample pages in {}: run it in the \
             Folio repository, or point --root at it",
            seeds.display()
        )
    })?;
    for seed in list {
        let bytes = std::fs::read(&seed.path)
            .with_context(|| format!("reading {}", seed.path.display()))?;
        corpus.push_str(&String::from_utf8_lossy(&bytes));
        corpus.push('\n');
    }
    Ok(corpus)
}

fn bench(paths: &SitePaths, args: BenchArgs) -> Result<i32> {
    let corpus = seed_corpus(paths)?;
    let exe = std::env::current_exe().context("locating the folio binary")?;
    let baseline_path = paths.root.join(&args.baseline);
    let baseline: Vec<crate::bench::BenchRow> = std::fs::read_to_string(&baseline_path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    let mut rows = Vec::new();
    for n in args.sizes {
        eprintln!("measuring {n} articles…");
        rows.push(crate::bench::measure(
            &exe,
            &paths.root.join(&args.work),
            n,
            &corpus,
            args.first_only,
            args.runs
                .map_or(crate::bench::default_runs(n), |r| r as usize),
        )?);
    }
    crate::bench::empty_trash(&paths.root.join(&args.work))?;
    println!("{}", crate::bench::table(&rows, &baseline));
    if args.save_baseline {
        if let Some(parent) = baseline_path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        // Sizes not measured this time keep their previous baseline.
        let mut merged: Vec<crate::bench::BenchRow> = baseline
            .into_iter()
            .filter(|b| !rows.iter().any(|r| r.articles == b.articles))
            .collect();
        merged.extend(rows);
        merged.sort_by_key(|r| r.articles);
        std::fs::write(
            &baseline_path,
            serde_json::to_string_pretty(&merged)? + "\n",
        )?;
        eprintln!("baseline written to {}", baseline_path.display());
    }
    Ok(0)
}

fn ingest(paths: &SitePaths, args: IngestArgs) -> Result<i32> {
    let config = SiteConfig::load(&paths.config)?;
    let seeds_dir = paths.seeds(&config);
    if let Some(spec) = args.explain {
        // A malformed argument is a usage error (exit 2), like clap's own.
        let Some((seed, line)) = spec
            .rsplit_once(':')
            .and_then(|(s, l)| Some((s, l.parse::<usize>().ok()?)))
        else {
            eprintln!(
                "error: --explain takes SEED:LINE, e.g. 000_8ee1e14b781f4bbe.txt:273 (got {spec:?})"
            );
            return Ok(2);
        };
        let path = seeds_dir.join(seed);
        let bytes =
            std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let text = crate::ingest::decode::decode(&bytes, config.ingest.allow_gb18030)
            .with_context(|| format!("{}", path.display()))?;
        let lines = text.split('\n').count();
        if !(1..=lines).contains(&line) {
            eprintln!(
                "error: {}: line {line} is out of range (the page has {lines} lines)",
                path.display()
            );
            return Ok(2);
        }
        println!("{}", crate::ingest::explain(&text, line));
        return Ok(0);
    }
    // Same lock as `folio build`: two writers of content/ never overlap.
    let _lock = crate::output::BuildLock::acquire(&paths.cache())?;
    let report = ingest_run::ingest(
        &seeds_dir,
        &paths.content(),
        &config,
        IngestOptions {
            force: args.force,
            only_changed: false,
        },
    )?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        eprint!("{}", report.summary());
    }
    Ok(if report.has_errors() { 1 } else { 0 })
}

/// Reports phases on a spinner when stderr is a terminal; silent otherwise.
pub fn progress() -> impl Fn(&str) {
    let bar = if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    move |phase: &str| {
        bar.set_message(phase.to_string());
        if phase == "write" {
            bar.finish_and_clear();
        }
    }
}

fn build_cmd(paths: &SitePaths, args: BuildArgs) -> Result<i32> {
    let options = BuildOptions {
        base_url: args.base_url,
        drafts: args.drafts,
        clean: args.clean,
        no_ingest: args.no_ingest,
        output_dir: None,
    };
    let progress = progress();
    match build::build(paths, &options, &progress) {
        Ok((summary, ingest_report)) => {
            if let Some(r) = ingest_report {
                eprint!("{}", r.summary());
            }
            if args.json {
                println!("{}", serde_json::to_string_pretty(&summary)?);
            } else {
                eprint!("{}", summary.human());
            }
            Ok(0)
        }
        Err(e) => {
            eprintln!("error: {e}");
            Ok(e.exit_code())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("site.toml: cannot read: {source}")]
    struct Naming {
        source: std::io::Error,
    }

    #[test]
    fn error_chain_names_each_cause_once() {
        let io = || std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        // The cause is in the message already: not repeated.
        let e = anyhow::Error::new(Naming { source: io() }).context("loading the site");
        assert_eq!(
            error_chain(&e),
            "loading the site: site.toml: cannot read: no such file"
        );
        // A cause the message does not name is added.
        let e = anyhow::Error::new(io()).context("reading seeds/a.txt");
        assert_eq!(error_chain(&e), "reading seeds/a.txt: no such file");
    }
}
