//! `cargo xtask report`: run the experiments, render, write `docs/reports/`.
//!
//! * Experiments run on `--jobs` threads (`std::thread::scope`, default: the
//!   available cores); results are collected in registry order, so every file
//!   is independent of the thread count.
//! * Files are written atomically: every changed file is first written to a
//!   temporary file in the same directory, and only when all of them are on
//!   disk are they renamed over the old ones. An error (an unwritable
//!   directory) leaves every existing report as it was.
//!   Temporaries are named `.<file>.tmp-<pid>` (ignored by git); a run sweeps
//!   only those whose process is gone, never another live run's.
//! * A lock file `.report.lock` (holding the pid) in the output directory
//!   makes a second concurrent run stop with "another report run is in
//!   progress" instead of clobbering the first; a lock whose process is gone
//!   is taken over.
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
    CheckKind, Experiment, IndexEntry, Report, Verdict, registry, render_index_entries,
    render_markdown,
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

    // Held until the files are written (dropped at the end of `run`).
    let _lock = if args.check {
        None
    } else {
        Some(RunLock::acquire(&out_dir)?)
    };
    let start = Instant::now();
    let results = run_experiments(&selected, jobs)?;
    let run_time = start.elapsed();

    let files = render_files(&results, &out_dir, full)?;
    let status = if args.check {
        check_files(&files, &out_dir, full)
    } else {
        write_files(&files, &out_dir, full).map(|()| true)
    };

    // The verdicts are worth seeing even when the files could not be written.
    print_summary(&results, run_time, start.elapsed(), jobs);
    let verdicts_hold = print_failures(&results);
    let status = status?;
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
        let stored = read_index(out_dir)?.ok_or_else(|| {
            format!(
                "{} does not exist, so a subset run cannot keep the index whole; \
                 run a full `cargo xtask report` first",
                out_dir.join(INDEX_JSON).display()
            )
        })?;
        entries.extend(stored.into_iter().map(|e| (e.id.clone(), e)));
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

/// The index entries stored by the last run, if there is an index.
fn read_index(out_dir: &Path) -> Result<Option<Vec<IndexEntry>>, String> {
    let path = out_dir.join(INDEX_JSON);
    let Ok(text) = fs::read_to_string(&path) else {
        return Ok(None);
    };
    serde_json::from_str(&text).map(Some).map_err(|e| {
        format!(
            "{} is not a valid index ({e}); regenerate everything with `cargo xtask report`",
            path.display()
        )
    })
}

/// The experiment id a generated file name starts with: `E7-….md` → `E7`.
/// Only names of the generated form `E<digits>-<slug>.md|svg` qualify.
fn generated_id(name: &str) -> Option<&str> {
    let stem = name
        .strip_suffix(".md")
        .or_else(|| name.strip_suffix(".svg"))?;
    let (id, slug) = stem.split_once('-')?;
    let digits = id.strip_prefix('E')?;
    let is_id = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    let is_slug = !slug.is_empty()
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    (is_id && is_slug).then_some(id)
}

/// Generated files present on disk that the run would not produce: reports
/// and figures of experiments renamed or removed (only on a full run). A file
/// counts only if its name has the generated form and its id is one this
/// project produces or produced (in the registry or the stored index), so a
/// user's own files in an `--out` directory are never touched.
fn extra_files(files: &BTreeMap<String, String>, out_dir: &Path) -> Vec<String> {
    let Ok(dir) = fs::read_dir(out_dir) else {
        return Vec::new();
    };
    let mut known: Vec<String> = registry().iter().map(|e| e.id.to_owned()).collect();
    if let Ok(Some(stored)) = read_index(out_dir) {
        known.extend(stored.into_iter().map(|e| e.id));
    }
    let mut extra: Vec<String> = dir
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter(|name| {
            generated_id(name).is_some_and(|id| known.iter().any(|k| k == id))
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

/// The temporary name of `name` for this process: hidden, beside its target
/// (so the rename stays on one file system and is atomic).
fn temp_name(name: &str) -> String {
    format!(".{name}.tmp-{}", std::process::id())
}

/// Is process `pid` running? Read from `/proc`; where there is none, every
/// process counts as running (a leftover is then removed by hand).
fn process_alive(pid: u32) -> bool {
    let proc = Path::new("/proc");
    !proc.is_dir() || proc.join(pid.to_string()).exists()
}

/// Remove temporaries an interrupted earlier run left behind: those whose
/// process (the pid in the name) is gone, never a live run's.
fn sweep_temps(out_dir: &Path) {
    let Ok(dir) = fs::read_dir(out_dir) else {
        return;
    };
    for entry in dir.filter_map(|e| e.ok()) {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let Some((_, pid)) = name.rsplit_once(".tmp-") else {
            continue;
        };
        let gone = pid
            .parse::<u32>()
            .is_ok_and(|pid| pid == std::process::id() || !process_alive(pid));
        if name.starts_with('.') && gone {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// The lock a writing report run holds on its output directory: the file
/// `.report.lock` holding the run's pid, removed when dropped.
struct RunLock {
    path: PathBuf,
}

const LOCK_FILE: &str = ".report.lock";

impl RunLock {
    /// Take the lock, or say who holds it. A lock whose process is gone (an
    /// interrupted run) is taken over.
    fn acquire(out_dir: &Path) -> Result<Self, String> {
        use std::io::Write;
        fs::create_dir_all(out_dir)
            .map_err(|e| format!("cannot create {}: {e}", out_dir.display()))?;
        let path = out_dir.join(LOCK_FILE);
        for _ in 0..2 {
            match fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(mut file) => {
                    write!(file, "{}", std::process::id())
                        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                    return Ok(Self { path });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let holder = fs::read_to_string(&path)
                        .ok()
                        .and_then(|s| s.trim().parse::<u32>().ok());
                    match holder {
                        Some(pid) if !process_alive(pid) => {
                            // An interrupted run's lock: take it over.
                            let _ = fs::remove_file(&path);
                        }
                        holder => {
                            let who =
                                holder.map_or_else(String::new, |p| format!(" (process {p})"));
                            return Err(format!(
                                "another report run is in progress{who}: {} exists; \
                                 remove it if no run is going on",
                                path.display()
                            ));
                        }
                    }
                }
                Err(e) => return Err(format!("cannot create {}: {e}", path.display())),
            }
        }
        Err(format!(
            "another report run is in progress: {} keeps reappearing",
            path.display()
        ))
    }
}

impl Drop for RunLock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

/// Write `contents` to `path` and flush it to disk before it is renamed.
fn write_synced(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut file = fs::File::create(path)?;
    file.write_all(contents.as_bytes())?;
    file.sync_all()
}

/// Write the changed files atomically: every changed file is first written
/// (and synced) to a temporary beside it, and only when all are written are
/// they renamed over their targets. A failure while writing leaves every
/// report as it was; each rename replaces one file whole, so an interrupted
/// run leaves each report old or new, never truncated.
fn write_files(files: &BTreeMap<String, String>, out_dir: &Path, full: bool) -> Result<(), String> {
    let intact =
        |what: String| format!("{what}; nothing was replaced, the existing reports are intact");
    fs::create_dir_all(out_dir)
        .map_err(|e| intact(format!("cannot create {}: {e}", out_dir.display())))?;
    sweep_temps(out_dir);
    let todo = changed(files, out_dir);
    let mut temps: Vec<(PathBuf, PathBuf)> = Vec::new();
    let remove_temps = |temps: &[(PathBuf, PathBuf)]| {
        for (t, _) in temps {
            let _ = fs::remove_file(t);
        }
    };
    for (name, contents) in &todo {
        let target = out_dir.join(name);
        let temp = out_dir.join(temp_name(name));
        if let Err(e) = write_synced(&temp, contents) {
            remove_temps(&temps);
            let _ = fs::remove_file(&temp);
            return Err(intact(format!(
                "cannot write to {}: {e}",
                out_dir.display()
            )));
        }
        temps.push((temp, target));
    }
    for (i, (temp, target)) in temps.iter().enumerate() {
        if let Err(e) = fs::rename(temp, target) {
            remove_temps(&temps[i..]);
            return Err(format!(
                "cannot replace {}: {e}; {i} of {} changed files were replaced, the others are as they were",
                target.display(),
                temps.len()
            ));
        }
        println!("wrote {}", target.display());
    }
    if let Ok(dir) = fs::File::open(out_dir) {
        // Persist the renames themselves (best effort: not every platform
        // can sync a directory).
        let _ = dir.sync_all();
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
        "{:<5} {:<7} {:>7} {:>11} {:>9}  title",
        "id", "verdict", "claims", "consistency", "time"
    );
    for (report, time) in results {
        let (claims_held, claims) = report.tally(CheckKind::Claim);
        let (consistency_held, consistency) = report.tally(CheckKind::Consistency);
        println!(
            "{:<5} {:<7} {:>7} {:>11} {:>7.2} s  {}",
            report.id,
            report.verdict().as_str(),
            format!("{claims_held}/{claims}"),
            format!("{consistency_held}/{consistency}"),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_of_the_generated_form_have_an_id() {
        assert_eq!(generated_id("E7-quadratic-1d-regimes.md"), Some("E7"));
        assert_eq!(generated_id("E13-limits.svg"), Some("E13"));
        for name in [
            "E-notes.md",
            "E7.md",
            "E7-Notes.md",
            "E7-x.txt",
            "notes.md",
            "Ex-y.md",
            "index.json",
        ] {
            assert_eq!(generated_id(name), None, "{name}");
        }
    }

    fn scratch_dir(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("descent-xtask-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn full_runs_replace_changed_files_and_remove_only_stale_generated_ones() {
        let dir = scratch_dir("write");
        let id = registry()[0].id;
        // A stale generated file of a known id, a user's files, and a temporary
        // left by an interrupted run.
        let stale = format!("{id}-old-name.md");
        fs::write(dir.join(&stale), "old").unwrap();
        fs::write(dir.join("E99-mine.md"), "mine").unwrap();
        fs::write(dir.join("notes.md"), "mine").unwrap();
        // Pid 2147483632 is above any pid_max (2²² on Linux): its process is gone.
        fs::write(dir.join(".x.md.tmp-2147483632"), "left over").unwrap();
        // Pid 1 (init) is alive: a running writer's temporary is left alone.
        fs::write(dir.join(".y.md.tmp-1"), "in flight").unwrap();
        let mut files = BTreeMap::new();
        files.insert(format!("{id}-new-name.md"), "new".to_owned());
        write_files(&files, &dir, true).unwrap();
        assert_eq!(
            fs::read_to_string(dir.join(format!("{id}-new-name.md"))).unwrap(),
            "new"
        );
        assert!(!dir.join(&stale).exists());
        assert!(!dir.join(".x.md.tmp-2147483632").exists());
        assert!(dir.join(".y.md.tmp-1").exists());
        assert_eq!(fs::read_to_string(dir.join("E99-mine.md")).unwrap(), "mine");
        assert_eq!(fs::read_to_string(dir.join("notes.md")).unwrap(), "mine");
        // --check agrees afterwards, and sees a changed file as stale.
        assert_eq!(check_files(&files, &dir, true), Ok(true));
        files.insert(format!("{id}-new-name.md"), "newer".to_owned());
        assert_eq!(check_files(&files, &dir, true), Ok(false));
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn git_ignores_the_temporaries_and_the_alias_shows_build_progress() {
        // Issue 15, items 8 and 10.
        let root = crate::project_root();
        let ignore = fs::read_to_string(root.join(".gitignore")).unwrap();
        let patterns: Vec<&str> = ignore.lines().map(str::trim).collect();
        assert!(patterns.contains(&".*.tmp-*"), "{ignore}");
        assert!(patterns.contains(&"/docs/reports/.report.lock"), "{ignore}");
        // The temporary name matches the ignored pattern `.*.tmp-*`.
        let temp = temp_name("E7-x.md");
        assert!(temp.starts_with('.') && temp.contains(".tmp-"), "{temp}");
        let config = fs::read_to_string(root.join(".cargo").join("config.toml")).unwrap();
        let alias = config
            .lines()
            .find(|l| l.trim_start().starts_with("xtask"))
            .unwrap();
        assert_eq!(alias.trim(), r#"xtask = "run --package xtask --""#);
    }

    #[test]
    fn a_second_run_on_the_same_directory_is_refused_and_a_dead_runs_lock_is_taken_over() {
        let dir = scratch_dir("lock");
        let first = RunLock::acquire(&dir).unwrap();
        let lock = dir.join(LOCK_FILE);
        assert_eq!(
            fs::read_to_string(&lock).unwrap(),
            std::process::id().to_string()
        );
        let err = RunLock::acquire(&dir).err().unwrap();
        assert_eq!(
            err,
            format!(
                "another report run is in progress (process {}): {} exists; remove it if no run \
                 is going on",
                std::process::id(),
                lock.display()
            )
        );
        drop(first);
        assert!(!lock.exists(), "released on drop");
        // A lock left by a process that is gone is taken over.
        fs::write(&lock, "2147483632").unwrap();
        let second = RunLock::acquire(&dir).unwrap();
        assert_eq!(
            fs::read_to_string(&lock).unwrap(),
            std::process::id().to_string()
        );
        drop(second);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_unwritable_directory_is_an_error_naming_it_and_nothing_changes() {
        // A path below a regular file can never be created, even as root.
        let dir = scratch_dir("blocked");
        let file = dir.join("a-file");
        fs::write(&file, "x").unwrap();
        let out = file.join("reports");
        let mut files = BTreeMap::new();
        files.insert("E7-x.md".to_owned(), "new".to_owned());
        let err = write_files(&files, &out, true).unwrap_err();
        assert!(
            err.starts_with(&format!("cannot create {}", out.display())),
            "{err}"
        );
        assert!(
            err.ends_with("nothing was replaced, the existing reports are intact"),
            "{err}"
        );
        assert_eq!(fs::read_to_string(&file).unwrap(), "x");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_subset_run_needs_the_stored_index() {
        let dir = scratch_dir("subset");
        let err = render_files(&[], &dir, false).unwrap_err();
        assert!(
            err.contains("run a full `cargo xtask report` first"),
            "{err}"
        );
        fs::remove_dir_all(&dir).unwrap();
    }
}
