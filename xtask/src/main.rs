//! `cargo xtask`: project automation, one module per subcommand.
//!
//! * `cargo xtask report [IDS…] [--check] [--list] [--jobs N]` regenerates
//!   `docs/reports/` from the experiments of `descent-lab` (see `report.rs`).
//! * `cargo xtask run SPEC.toml [--out DIR] [--jobs N] [--force] [--cell K]`
//!   and `cargo xtask run --merge DIR…` run a user-defined study of
//!   `descent-study` (see `run.rs` and docs/guide/specs.md).
//!
//! This binary is the only place in the workspace that prints or touches the
//! file system; the lab below it is pure. Printing is its job, so the
//! workspace's `print_stdout`/`print_stderr` lints are allowed here.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod report;
mod run;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Project automation for descent.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Regenerate docs/reports/ (all experiments, or the ones named).
    Report(report::Args),
    /// Run a user-defined study from a TOML spec (docs/guide/specs.md).
    Run(run::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Report(args) => report::run(&args),
        Command::Run(args) => run::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

/// The workspace root: the parent of this crate's manifest directory.
pub(crate) fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}
