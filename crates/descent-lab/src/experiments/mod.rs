//! The experiments of the catalogue, one module each.
//!
//! Each module has a `Settings` struct whose `Default` is the catalogue's
//! setup, a pure `run_with(&Settings) -> Report`, and an `EXPERIMENT`
//! constant for the registry.

use crate::registry::Experiment;

mod common;
pub mod e07;

/// Every experiment, in catalogue order.
pub(crate) static ALL: &[Experiment] = &[e07::EXPERIMENT];
