//! `cargo xtask report`: run the experiments, render, write `docs/reports/`.
//!
//! * Experiments run on `--jobs` threads (`std::thread::scope`, default: the
//!   available cores); results are collected in registry order, so every file
//!   is independent of the thread count.
//! * Files are written atomically: every changed file is first written to a
//!   temporary file in the same directory, and only when all of them are on
//!   disk are they renamed over the old ones. An error (an unwritable
//!   directory) leaves every existing report as it was.
//! * `--check` renders in memory and fails, naming the stale files, when
//!   `docs/reports/` differs.
//! * The index `README.md` is rendered from `index.json` (one entry per
//!   experiment), so regenerating a subset keeps the index complete.
//! * Exit code 0: everything holds; 1: a verdict fails or (with `--check`) a
//!   file is stale; 2: an error (unknown experiment, IO).

use std::collections::BTreeMap;
use std::fs;
use std::io::IsTerminal;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use descent_lab::{
    Experiment, IndexEntry, Report, Verdict, registry, render_index_entries, render_markdown,
};
use indicatif::{ProgressBar, ProgressStyle};

/// Arguments of `cargo xtask report`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Experiments to regenerate (E7 E9 …); all when none are given.
    ids: Vec<String>,
    /// Render in memory and fail if docs/reports/ is stale.
    #[arg(long)]
    check: bool,
    /// List the experiments and exit.
    #[arg(long)]
    list: bool,
    /// Worker threads (default: the available cores).
    #[arg(long)]
    jobs: Option<usize>,
    /// Output directory (default: docs/reports under the project root).
    #[arg(long)]
    out: Option<PathBuf>,
}

const INDEX_JSON: &str = "index.json";
const INDEX_MD: &str = "README.md";
const STALE_HINT: &str = "run `cargo xtask report` locally and commit";

/// Run the subcommand.
pub(crate) fn run(args: &Args) -> Result<ExitCode, String> {
    if args.list {
        for e in registry() {
            println!("{:<4} {:<36} {}", e.id, e.slug, e.title);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let selected = select(&args.ids)?;
    let full = args.ids.is_empty();
    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| crate::project_root().join("docs").join("reports"));
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);

    let start = Instant::now();
    let results = run_experiments(&selected, jobs)?;
    let run_time = start.elapsed();

    let files = render_files(&results, &out_dir, full)?;
    let status = if args.check {
        check_files(&files, &out_dir, full)?
    } else {
        write_files(&files, &out_dir, full)?;
        true
    };

    print_summary(&results, run_time, start.elapsed(), jobs);
    let verdicts_hold = print_failures(&results);
    Ok(if status && verdicts_hold {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The experiments named on the command line, in registry order; all if none.
fn select(ids: &[String]) -> Result<Vec<&'static Experiment>, String> {
    let unknown: Vec<&str> = ids
        .iter()
        .filter(|id| descent_lab::find(id).is_none())
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        let valid: Vec<&str> = registry().iter().map(|e| e.id).collect();
        return Err(format!(
            "unknown experiment{} {}; valid experiments are: {}",
            if unknown.len() > 1 { "s" } else { "" },
            unknown.join(", "),
            valid.join(", ")
        ));
    }
    Ok(registry()
        .iter()
        .filter(|e| ids.is_empty() || ids.iter().any(|id| id.eq_ignore_ascii_case(e.id)))
        .collect())
}

/// A finished experiment and its wall time, or why it panicked.
type Outcome = Result<(Report, Duration), String>;

/// Run the experiments on `jobs` threads; results in the order given.
fn run_experiments(
    selected: &[&'static Experiment],
    jobs: usize,
) -> Result<Vec<(Report, Duration)>, String> {
    let n = selected.len();
    let next = AtomicUsize::new(0);
    let slots: Mutex<Vec<Option<Outcome>>> = Mutex::new(vec![None; n]);
    let progress = Progress::new(n);
    std::thread::scope(|scope| {
        for _ in 0..jobs.min(n.max(1)) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        break;
                    }
                    let experiment = selected[i];
                    let t0 = Instant::now();
                    let outcome = catch_unwind(AssertUnwindSafe(experiment.run))
                        .map(|report| (report, t0.elapsed()))
                        .map_err(|panic| {
                            let what = panic
                                .downcast_ref::<String>()
                                .cloned()
                                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                                .unwrap_or_default();
                            format!("experiment {} panicked: {what}", experiment.id)
                        });
                    progress.finished(experiment.id, &outcome);
                    slots
                        .lock()
                        .expect("no worker panics while holding the lock")[i] = Some(outcome);
                }
            });
        }
    });
    progress.close();
    slots
        .into_inner()
        .expect("workers are done")
        .into_iter()
        .map(|slot| slot.expect("every experiment ran"))
        .collect()
}

/// A progress bar on a terminal, plain lines otherwise.
struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    fn new(n: usize) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(n as u64);
            bar.set_style(
                ProgressStyle::with_template("{elapsed:>4} [{bar:30}] {pos}/{len} {msg}")
                    .expect("a valid template")
                    .progress_chars("=> "),
            );
            bar
        });
        Self { bar }
    }
    fn finished(&self, id: &str, outcome: &Outcome) {
        let line = match outcome {
            Ok((report, time)) => {
                format!(
                    "{id} {} in {:.2} s",
                    report.verdict().as_str(),
                    time.as_secs_f64()
                )
            }
            Err(message) => message.clone(),
        };
        match &self.bar {
            Some(bar) => {
                bar.set_message(line);
                bar.inc(1);
            }
            None => println!("{line}"),
        }
    }
    fn close(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Every file the run produces: name (relative to the output directory) → contents.
fn render_files(
    results: &[(Report, Duration)],
    out_dir: &Path,
    full: bool,
) -> Result<BTreeMap<String, String>, String> {
    let mut files = BTreeMap::new();
    for (report, _) in results {
        files.insert(report.file_name(), render_markdown(report));
        for figure in &report.figures {
            files.insert(report.figure_file_name(figure), figure.svg.clone());
        }
    }
    // The index: fresh entries for what ran, the stored ones for the rest.
    let mut entries: BTreeMap<String, IndexEntry> = BTreeMap::new();
    if !full {
        if let Ok(text) = fs::read_to_string(out_dir.join(INDEX_JSON)) {
            let stored: Vec<IndexEntry> = serde_json::from_str(&text).map_err(|e| {
                format!(
                    "{} is not a valid index ({e}); regenerate everything with `cargo xtask report`",
                    out_dir.join(INDEX_JSON).display()
                )
            })?;
            entries.extend(stored.into_iter().map(|e| (e.id.clone(), e)));
        }
    }
    for (report, _) in results {
        entries.insert(report.id.clone(), IndexEntry::of(report));
    }
    let ordered: Vec<IndexEntry> = registry()
        .iter()
        .filter_map(|e| entries.remove(e.id))
        .collect();
    let json = serde_json::to_string_pretty(&ordered)
        .map_err(|e| format!("serialising the index: {e}"))?;
    files.insert(INDEX_JSON.to_owned(), json + "\n");
    files.insert(INDEX_MD.to_owned(), render_index_entries(&ordered));
    Ok(files)
}

/// Generated files present on disk that the run would not produce: reports
/// and figures of experiments renamed or removed (only on a full run).
fn extra_files(files: &BTreeMap<String, String>, out_dir: &Path) -> Vec<String> {
    let Ok(dir) = fs::read_dir(out_dir) else {
        return Vec::new();
    };
    let mut extra: Vec<String> = dir
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter(|name| {
            name.starts_with('E')
                && (name.ends_with(".md") || name.ends_with(".svg"))
                && !files.contains_key(name)
        })
        .collect();
    extra.sort();
    extra
}

fn changed<'a>(
    files: &'a BTreeMap<String, String>,
    out_dir: &Path,
) -> Vec<(&'a String, &'a String)> {
    files
        .iter()
        .filter(|(name, contents)| {
            fs::read_to_string(out_dir.join(name)).ok().as_ref() != Some(*contents)
        })
        .collect()
}

/// `--check`: compare with the disk; `Ok(false)` and a message if stale.
fn check_files(
    files: &BTreeMap<String, String>,
    out_dir: &Path,
    full: bool,
) -> Result<bool, String> {
    let stale = changed(files, out_dir);
    let extra = if full {
        extra_files(files, out_dir)
    } else {
        Vec::new()
    };
    if stale.is_empty() && extra.is_empty() {
        println!(
            "{} files in {} are up to date",
            files.len(),
            out_dir.display()
        );
        return Ok(true);
    }
    for (name, _) in &stale {
        eprintln!("stale: {}", out_dir.join(name).display());
    }
    for name in &extra {
        eprintln!("not generated any more: {}", out_dir.join(name).display());
    }
    eprintln!("{} is out of date: {STALE_HINT}", out_dir.display());
    Ok(false)
}

/// Write the changed files atomically (all temporaries first, then renames).
fn write_files(files: &BTreeMap<String, String>, out_dir: &Path, full: bool) -> Result<(), String> {
    let write_error = |path: &Path, e: std::io::Error| {
        format!(
            "cannot write {}: {e}; nothing was replaced, the existing reports are intact",
            path.display()
        )
    };
    fs::create_dir_all(out_dir).map_err(|e| write_error(out_dir, e))?;
    let todo = changed(files, out_dir);
    let mut temps: Vec<(PathBuf, PathBuf)> = Vec::new();
    for (name, contents) in &todo {
        let target = out_dir.join(name);
        let temp = out_dir.join(format!(".{name}.tmp-{}", std::process::id()));
        if let Err(e) = fs::write(&temp, contents.as_bytes()) {
            for (t, _) in &temps {
                let _ = fs::remove_file(t);
            }
            let _ = fs::remove_file(&temp);
            return Err(write_error(&temp, e));
        }
        temps.push((temp, target));
    }
    for (temp, target) in &temps {
        fs::rename(temp, target).map_err(|e| {
            format!(
                "cannot move {} to {}: {e}",
                temp.display(),
                target.display()
            )
        })?;
        println!("wrote {}", target.display());
    }
    if full {
        for name in extra_files(files, out_dir) {
            let path = out_dir.join(&name);
            fs::remove_file(&path).map_err(|e| format!("cannot remove {}: {e}", path.display()))?;
            println!("removed {} (no longer generated)", path.display());
        }
    }
    println!(
        "{} files in {}: {} written, {} unchanged",
        files.len(),
        out_dir.display(),
        temps.len(),
        files.len() - temps.len()
    );
    Ok(())
}

fn print_summary(results: &[(Report, Duration)], run_time: Duration, total: Duration, jobs: usize) {
    println!();
    println!(
        "{:<5} {:<7} {:>7} {:>9}  title",
        "id", "verdict", "checks", "time"
    );
    for (report, time) in results {
        let held = report.checks.iter().filter(|c| c.holds()).count();
        println!(
            "{:<5} {:<7} {:>7} {:>7.2} s  {}",
            report.id,
            report.verdict().as_str(),
            format!("{held}/{}", report.checks.len()),
            time.as_secs_f64(),
            report.title
        );
    }
    let holds = results
        .iter()
        .filter(|(r, _)| r.verdict() == Verdict::Holds)
        .count();
    println!(
        "{holds} of {} experiments hold; experiments took {:.2} s on {jobs} thread{}, {:.2} s in all",
        results.len(),
        run_time.as_secs_f64(),
        if jobs == 1 { "" } else { "s" },
        total.as_secs_f64()
    );
}

/// Print every failing check with its numbers; `true` if none fails.
fn print_failures(results: &[(Report, Duration)]) -> bool {
    let mut ok = true;
    for (report, _) in results {
        for check in report.failures() {
            ok = false;
            eprintln!(
                "FAILS {}: {} — measured {}, expected {}",
                report.id, check.description, check.measured, check.expected
            );
        }
    }
    ok
}
