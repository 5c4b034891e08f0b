//! The list of all experiments, in report order.

use crate::experiments;
use crate::report::Report;

/// An experiment: its stable names and the function that runs it with the
/// settings of docs/claims.md.
#[derive(Debug, Clone, Copy)]
pub struct Experiment {
    /// Stable id ("E7").
    pub id: &'static str,
    /// File-name slug.
    pub slug: &'static str,
    /// Title.
    pub title: &'static str,
    /// Run with the default (catalogue) settings. Pure: no IO, no clock.
    pub run: fn() -> Report,
}

/// Every experiment, in report order (E7, E8, …).
pub fn registry() -> &'static [Experiment] {
    experiments::ALL
}

/// The experiment with this id (case-insensitive, `E7` or `e7`).
pub fn find(id: &str) -> Option<&'static Experiment> {
    registry().iter().find(|e| e.id.eq_ignore_ascii_case(id))
}
