//! `cargo xtask run SPEC.toml`: run a user-defined study (see docs/guide/specs.md).
//!
//! * `cargo xtask run SPEC.toml [--out DIR] [--jobs N] [--force]` parses the
//!   spec (descent-study), runs every cell on `--jobs` threads (scoped
//!   threads, results collected in cell order, so every file is the same for
//!   every thread count), renders and writes DIR (default: `study-out/<spec
//!   file stem>` beside the spec).
//! * `--cell K` runs one cell and writes `DIR/spec.toml` and its
//!   `DIR/cells/cell-K.json`; `cargo xtask run --merge DIR…` reads the cell
//!   results of every DIR and writes the full output into the first (or
//!   `--out`). This is what a batch scheduler's job array needs.
//! * Files are written atomically (temporary beside the target, then rename,
//!   as `report.rs` does); an existing DIR is only added to: files the run
//!   produces are replaced, nothing else is touched, unless `--force`, which
//!   first removes the files this tool generates there (`report.md`,
//!   `spec.toml`, `figures/`, `cells/`, `traces/`).

use std::fs;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use descent_study::{CellResult, Study, cell_json_path, render, run_cell, termination_text};
use indicatif::{ProgressBar, ProgressStyle};

/// Arguments of `cargo xtask run`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The spec file (TOML); with --merge, the directories to merge.
    paths: Vec<PathBuf>,
    /// Output directory (default: study-out/<spec stem> beside the spec; with --merge the first DIR).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Worker threads (default: the available cores).
    #[arg(long)]
    jobs: Option<usize>,
    /// Remove the files this tool generated in the output directory first.
    #[arg(long)]
    force: bool,
    /// Run only this cell and write its result (for job arrays).
    #[arg(long)]
    cell: Option<usize>,
    /// Assemble the report from the cell results in the given directories.
    #[arg(long)]
    merge: bool,
}

const SPEC_COPY: &str = "spec.toml";
const GENERATED_DIRS: &[&str] = &["figures", "cells", "traces"];
const GENERATED_FILES: &[&str] = &["report.md", SPEC_COPY];

/// Run the subcommand.
pub(crate) fn run(args: &Args) -> Result<ExitCode, String> {
    if args.merge {
        return merge(args);
    }
    let [spec_path] = args.paths.as_slice() else {
        return Err(format!(
            "give one spec file (got {}); `cargo xtask run --merge DIR…` merges cell outputs",
            args.paths.len()
        ));
    };
    let text = fs::read_to_string(spec_path)
        .map_err(|e| format!("cannot read {}: {e}", spec_path.display()))?;
    let base = spec_path.parent().unwrap_or(Path::new(".")).to_path_buf();
    let mut read = |p: &str| {
        let path = base.join(p);
        fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    };
    let study =
        Study::load(&text, &mut read).map_err(|e| format!("{}: {e}", spec_path.display()))?;
    let out = args.out.clone().unwrap_or_else(|| {
        let stem = spec_path
            .file_stem()
            .map_or("study".into(), |s| s.to_string_lossy().into_owned());
        base.join("study-out").join(stem)
    });
    let n = study.cells().len();
    if let Some(k) = args.cell {
        if k >= n {
            return Err(format!(
                "--cell {k}: the study has {n} cells, numbered 0 to {}",
                n - 1
            ));
        }
        prepare(&out, args.force)?;
        let t0 = Instant::now();
        let result = run_cell(&study, k);
        let json = serde_json::to_string_pretty(&result)
            .map_err(|e| format!("serialising cell {k}: {e}"))?;
        write_files(
            &[
                (SPEC_COPY.to_owned(), text.into_bytes()),
                (cell_json_path(k), (json + "\n").into_bytes()),
            ],
            &out,
        )?;
        print_summary(&[result], &[t0.elapsed()], t0.elapsed(), 1);
        return Ok(ExitCode::SUCCESS);
    }
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    prepare(&out, args.force)?;
    let start = Instant::now();
    let (results, times) = run_cells(&study, jobs);
    let run_time = start.elapsed();
    let mut files = render(&study, &results).map_err(|e| e.to_string())?;
    files.push((SPEC_COPY.to_owned(), text.into_bytes()));
    write_files(&files, &out)?;
    print_summary(&results, &times, run_time, jobs);
    println!("report: {}", out.join("report.md").display());
    Ok(ExitCode::SUCCESS)
}

/// `--merge DIR…`: the spec from the first DIR, the cells from all.
fn merge(args: &Args) -> Result<ExitCode, String> {
    let Some(first) = args.paths.first() else {
        return Err("--merge needs at least one directory of cell outputs".into());
    };
    let spec_path = first.join(SPEC_COPY);
    let text = fs::read_to_string(&spec_path)
        .map_err(|e| format!("cannot read {}: {e}", spec_path.display()))?;
    let study = Study::parse(&text).map_err(|e| format!("{}: {e}", spec_path.display()))?;
    let mut results: Vec<CellResult> = Vec::new();
    for dir in &args.paths {
        let other = dir.join(SPEC_COPY);
        if let Ok(t) = fs::read_to_string(&other) {
            if t != text {
                return Err(format!(
                    "{} differs from {}: the directories come from different specs",
                    other.display(),
                    spec_path.display()
                ));
            }
        }
        let cells = dir.join("cells");
        let entries =
            fs::read_dir(&cells).map_err(|e| format!("cannot read {}: {e}", cells.display()))?;
        let mut names: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("cell-"))
                    && p.extension().is_some_and(|e| e == "json")
            })
            .collect();
        names.sort();
        for path in names {
            let json = fs::read_to_string(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let r: CellResult = serde_json::from_str(&json)
                .map_err(|e| format!("{} is not a cell result: {e}", path.display()))?;
            if !results.iter().any(|x| x.cell == r.cell) {
                results.push(r);
            }
        }
    }
    let out = args.out.clone().unwrap_or_else(|| first.clone());
    prepare(&out, args.force)?;
    let mut files = render(&study, &results).map_err(|e| e.to_string())?;
    files.push((SPEC_COPY.to_owned(), text.into_bytes()));
    write_files(&files, &out)?;
    println!(
        "merged {} cells into {}",
        results.len(),
        out.join("report.md").display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Create `out`; with `force`, remove what this tool generated there before.
fn prepare(out: &Path, force: bool) -> Result<(), String> {
    if force {
        for d in GENERATED_DIRS {
            let p = out.join(d);
            if p.exists() {
                fs::remove_dir_all(&p)
                    .map_err(|e| format!("cannot remove {}: {e}", p.display()))?;
            }
        }
        for f in GENERATED_FILES {
            let p = out.join(f);
            if p.exists() {
                fs::remove_file(&p).map_err(|e| format!("cannot remove {}: {e}", p.display()))?;
            }
        }
    }
    fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))
}

/// Run every cell on `jobs` threads; results and wall times in cell order.
fn run_cells(study: &Study, jobs: usize) -> (Vec<CellResult>, Vec<Duration>) {
    let n = study.cells().len();
    let next = AtomicUsize::new(0);
    let slots: Mutex<Vec<Option<(CellResult, Duration)>>> = Mutex::new(vec![None; n]);
    let progress = Progress::new(n);
    std::thread::scope(|scope| {
        for _ in 0..jobs.min(n.max(1)) {
            scope.spawn(|| {
                loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    if k >= n {
                        break;
                    }
                    let t0 = Instant::now();
                    let result = run_cell(study, k);
                    let time = t0.elapsed();
                    progress.finished(&result, time);
                    slots.lock().expect("no worker panics holding the lock")[k] =
                        Some((result, time));
                }
            });
        }
    });
    progress.close();
    slots
        .into_inner()
        .expect("workers are done")
        .into_iter()
        .map(|s| s.expect("every cell ran"))
        .unzip()
}

/// A progress bar (cells done / total, ETA) on a terminal, plain lines otherwise.
struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    fn new(n: usize) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(n as u64);
            bar.set_style(
                ProgressStyle::with_template(
                    "{elapsed:>4} [{bar:30}] {pos}/{len} cells, ETA {eta} {msg}",
                )
                .expect("a valid template")
                .progress_chars("=> "),
            );
            bar
        });
        Self { bar }
    }
    fn finished(&self, r: &CellResult, time: Duration) {
        let line = format!(
            "cell {} {} {}: {} in {:.3} s",
            r.cell,
            r.optimizer,
            r.grid,
            termination_text(&r.termination),
            time.as_secs_f64()
        );
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

fn print_summary(results: &[CellResult], times: &[Duration], total: Duration, jobs: usize) {
    println!();
    println!(
        "{:>6} {:<16} {:<32} {:>10} {:>9}  termination",
        "cell", "optimizer", "grid", "iterations", "time"
    );
    for (r, t) in results.iter().zip(times) {
        println!(
            "{:>6} {:<16} {:<32} {:>10} {:>7.3} s  {}",
            r.cell,
            r.optimizer,
            r.grid,
            r.iterations,
            t.as_secs_f64(),
            termination_text(&r.termination)
        );
    }
    let cpu: f64 = times.iter().map(Duration::as_secs_f64).sum();
    println!(
        "{} cells in {:.2} s on {jobs} thread{} ({:.4} s per cell on average)",
        results.len(),
        total.as_secs_f64(),
        if jobs == 1 { "" } else { "s" },
        cpu / results.len().max(1) as f64
    );
}

/// The temporary name of `path`'s file for this process, beside it.
fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}

/// Write every changed file atomically: all to temporaries first (synced),
/// then each renamed over its target; a failure while writing leaves every
/// existing file as it was.
pub(crate) fn write_files(files: &[(String, Vec<u8>)], out: &Path) -> Result<(), String> {
    use std::io::Write;
    let mut temps: Vec<(PathBuf, PathBuf)> = Vec::new();
    let cleanup = |temps: &[(PathBuf, PathBuf)]| {
        for (t, _) in temps {
            let _ = fs::remove_file(t);
        }
    };
    let mut unchanged = 0;
    for (name, bytes) in files {
        let target = out.join(name);
        if fs::read(&target).ok().as_deref() == Some(bytes.as_slice()) {
            unchanged += 1;
            continue;
        }
        let temp = temp_path(&target);
        let written = target
            .parent()
            .map_or(Ok(()), fs::create_dir_all)
            .and_then(|()| {
                let mut f = fs::File::create(&temp)?;
                f.write_all(bytes)?;
                f.sync_all()
            });
        if let Err(e) = written {
            cleanup(&temps);
            let _ = fs::remove_file(&temp);
            return Err(format!(
                "cannot write {}: {e}; nothing was replaced",
                target.display()
            ));
        }
        temps.push((temp, target));
    }
    for (i, (temp, target)) in temps.iter().enumerate() {
        if let Err(e) = fs::rename(temp, target) {
            cleanup(&temps[i..]);
            return Err(format!(
                "cannot replace {}: {e}; {i} of {} changed files were replaced",
                target.display(),
                temps.len()
            ));
        }
    }
    println!(
        "{} files in {}: {} written, {unchanged} unchanged",
        files.len(),
        out.display(),
        temps.len()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("descent-run-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    const SPEC: &str = r#"
name = "determinism"
[problem]
kind = "quadratic"
eigenvalues = [1.0, 10.0]
diagonal = true
[[optimizer]]
kind = "gradient_descent"
eta = { log = [0.01, 0.25, 5] }
[[optimizer]]
kind = "adam"
eta = [0.01, 0.1]
[stopping]
max_iterations = 200
"#;

    fn files_of(jobs: usize) -> Vec<(String, Vec<u8>)> {
        let study = Study::parse(SPEC).unwrap();
        let (results, _) = run_cells(&study, jobs);
        render(&study, &results).unwrap()
    }

    #[test]
    fn output_is_byte_identical_for_one_and_two_threads() {
        let one = files_of(1);
        let two = files_of(2);
        assert_eq!(one.len(), two.len());
        // 7 cells: 7 JSON + 7 CSV + report + 2 loss charts + 1 grid chart.
        assert_eq!(one.len(), 7 + 7 + 1 + 2 + 1);
        assert!(one == two, "jobs 1 and 2 render different bytes");
    }

    #[test]
    fn cells_run_apart_and_merged_give_the_same_files_as_one_run() {
        let dir = scratch("merge");
        let spec = dir.join("s.toml");
        fs::write(&spec, SPEC).unwrap();
        let (a, b) = (dir.join("a"), dir.join("b"));
        for k in 0..7 {
            let out = if k % 2 == 0 { &a } else { &b };
            let args = Args {
                paths: vec![spec.clone()],
                out: Some(out.clone()),
                jobs: None,
                force: false,
                cell: Some(k),
                merge: false,
            };
            run(&args).unwrap();
        }
        let merged = dir.join("merged");
        let args = Args {
            paths: vec![a.clone(), b.clone()],
            out: Some(merged.clone()),
            jobs: None,
            force: false,
            cell: None,
            merge: true,
        };
        run(&args).unwrap();
        for (name, bytes) in files_of(1) {
            assert_eq!(fs::read(merged.join(&name)).unwrap(), bytes, "{name}");
        }
        // A user's own file survives a rerun with --force; generated ones are redone.
        fs::write(merged.join("notes.md"), "mine").unwrap();
        let args = Args {
            paths: vec![spec.clone()],
            out: Some(merged.clone()),
            jobs: Some(2),
            force: true,
            cell: None,
            merge: false,
        };
        run(&args).unwrap();
        assert_eq!(fs::read_to_string(merged.join("notes.md")).unwrap(), "mine");
        assert!(merged.join("report.md").exists());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_missing_cell_is_named_by_merge() {
        let dir = scratch("missing");
        let spec = dir.join("s.toml");
        fs::write(&spec, SPEC).unwrap();
        let a = dir.join("a");
        let args = Args {
            paths: vec![spec.clone()],
            out: Some(a.clone()),
            jobs: None,
            force: false,
            cell: Some(3),
            merge: false,
        };
        run(&args).unwrap();
        let args = Args {
            paths: vec![a.clone()],
            out: None,
            jobs: None,
            force: false,
            cell: None,
            merge: true,
        };
        let e = run(&args).unwrap_err();
        assert!(
            e.contains(
                "the study has 7 cells but 1 results were given; missing cells: 0, 1, 2, 4, 5, 6"
            ),
            "{e}"
        );
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_out_of_range_cell_names_the_range() {
        let dir = scratch("range");
        let spec = dir.join("s.toml");
        fs::write(&spec, SPEC).unwrap();
        let args = Args {
            paths: vec![spec.clone()],
            out: Some(dir.join("o")),
            jobs: None,
            force: false,
            cell: Some(7),
            merge: false,
        };
        assert_eq!(
            run(&args).unwrap_err(),
            "--cell 7: the study has 7 cells, numbered 0 to 6"
        );
        fs::remove_dir_all(&dir).unwrap();
    }
}
