//! `cargo xtask`: project automation, one module per subcommand.
//!
//! * `cargo xtask report [IDS…] [--check] [--list] [--jobs N]` regenerates
//!   `docs/reports/` from the experiments of `descent-lab` (see `report.rs`).
//!
//! This binary is the only place in the workspace that prints or touches the
//! file system; the lab below it is pure. Printing is its job, so the
//! workspace's `print_stdout`/`print_stderr` lints are allowed here.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod report;

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Report(args) => report::run(&args),
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
