//! User-defined studies: a TOML spec in, a report out, without writing Rust.
//!
//! * [`Study::parse`]: the spec (problem, optimisers, stopping rules,
//!   measurements) checked at the boundary — unknown keys, names and
//!   out-of-range hyperparameters are errors naming the field, the value and
//!   what is allowed; requests too large for the machine are refused, with the
//!   size they would need, before anything is allocated.
//! * Grids ([`grid`]): any scalar setting may be a list, `{ lin = [a, b, n] }`
//!   or `{ log = [a, b, n] }`; a study is the cross product per optimiser, its
//!   cells numbered deterministically ([`Study::cells`]).
//! * [`Study::load`]: [`Study::parse`] plus the user's CSV files (read by the
//!   caller) and a trial build of every distinct problem.
//! * [`run_cell`]: one cell, start to finish, as a serialisable [`CellResult`]
//!   (termination — a divergence is a result —, counts, final gaps, the
//!   measured rate and regime of `descent_core::analysis`, λ_max, the trace).
//! * [`render`]: the Markdown report, the SVG figures and every trace as CSV
//!   and JSON, as `(relative path, bytes)` pairs.
//!
//! Library settings are not copied: where an optimiser's settings type
//! deserialises (momentum, Adam, Adagrad, RMSprop, Rprop, QuickProp), the spec's
//! table *is* that type, and every constructor's validation runs on it.
//!
//! **Must not know:** files, printing, clocks or threads (`xtask run` does
//! those); this crate is a pure function from spec text to files.

pub mod grid;
mod problem;
mod render;
mod run;
mod spec;

#[cfg(test)]
mod tests;

pub use problem::{DATA_SETS, MGH, ONE_D, PROBLEMS, SURFACES};
pub use render::{cell_json_path, render, termination_text, trace_csv};
pub use run::{CellResult, TracePoint, run_cell};
pub use spec::{
    Cell, MAX_BYTES, MAX_CELLS, MAX_PARAMETERS, MAX_TOTAL_ITERATIONS, Measure, OPTIMIZERS, Study,
    StudyError,
};
