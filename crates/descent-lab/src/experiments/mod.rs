//! The experiments of the lab, one module each (claims in docs/claims.md).
//!
//! Each module has a `Settings` struct whose `Default` is the experiment's
//! setup in docs/claims.md, `Measurements`, `measure` (runs only), `assess`
//! (judgement only: the checks, testable on perturbed measurements), a pure
//! `run_with(&Settings) -> Report`, and an `EXPERIMENT` constant for the registry.

use crate::registry::Experiment;

/// The registry entry of an experiment module: a constant `EXPERIMENT` with
/// the experiment's stable id, file slug and title, running the module's
/// `run_with(&Settings::default())`.
macro_rules! registry_entry {
    ($id:literal, $slug:literal, $title:literal) => {
        /// The registry entry.
        pub(crate) const EXPERIMENT: crate::registry::Experiment = crate::registry::Experiment {
            id: $id,
            slug: $slug,
            title: $title,
            run: || run_with(&Settings::default()),
        };
    };
}
use registry_entry;

mod common;
pub mod e07;
pub mod e08;
pub mod e09;
pub mod e10;
pub mod e11;
pub mod e12;
pub mod e13;
pub mod e15;
pub mod e16;
pub mod e17;

/// Every experiment, in report order.
pub(crate) static ALL: &[Experiment] = &[
    e07::EXPERIMENT,
    e08::EXPERIMENT,
    e09::EXPERIMENT,
    e10::EXPERIMENT,
    e11::EXPERIMENT,
    e12::EXPERIMENT,
    e13::EXPERIMENT,
    e15::EXPERIMENT,
    e16::EXPERIMENT,
    e17::EXPERIMENT,
];
