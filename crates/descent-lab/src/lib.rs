//! The experiment lab: each claim of the lecture turned into a measurement,
//! a prediction from theory and a computed verdict.
//!
//! * An experiment is a pure function from its settings to a [`Report`]
//!   (claim, setup printed from the values used, tables of theory beside
//!   measurement, SVG figures, checks with verdicts). The [`registry`] lists
//!   them all; `xtask` runs them and writes the files.
//! * [`fmt_num`] is the one number formatter of the project (6 significant
//!   digits, `-0` → `0`, NaN/∞ spelled out): reports, figure labels and
//!   snapshots all go through it, so text is stable across CPUs.
//! * [`render_markdown`] and [`render_index`] are the one renderer.
//! * [`plot`] draws deterministic SVG with plotters.
//!
//! Optimisers, schedules and problems come from the crates below
//! (descent-gd, descent-newton, descent-schedule, descent-problems); the lab
//! only sets them up, measures and compares with closed forms.
//!
//! **Must not know:** files, printing, threads or the clock. Experiments never
//! do IO and never read the time: the same settings give the same bytes.

pub mod experiments;
mod format;
pub mod plot;
mod registry;
mod render;
mod report;

pub use format::{
    ROUNDOFF_FLOOR, Rounding, SIGNIFICANT_DIGITS, fmt_below, fmt_list, fmt_num, round_sig,
};
pub use registry::{Experiment, find, registry};
pub use render::{
    GENERATED_HEADER, IndexEntry, render_index, render_index_entries, render_markdown,
};
pub use report::{Check, CheckKind, Claim, Figure, Report, SetupItem, Summary, Table, Verdict};
