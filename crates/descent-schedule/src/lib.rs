//! Learning-rate schedules η_k and their Robbins–Monro analysis.
//!
//! * [`ScheduleSpec`]: the plain, serde-(de)serialisable description of a
//!   schedule (as it appears in an experiment spec, tagged by `"kind"`), and
//!   [`Schedule`], the validated schedule built from it: every family's formula
//!   and source are on [`ScheduleSpec`]'s variants. A `Schedule` is pure and
//!   cheap: [`Schedule::learning_rate`] gives η_k for k = 0, 1, 2, …
//! * [`RobbinsMonro`]: whether Σηₖ diverges and Σηₖ² converges (Robbins & Monro
//!   1951), decided analytically per family, with numeric partial sums beside the
//!   verdict, and the lecture's reachability bound B·Σηₖ
//!   ([`Schedule::reach_bound`]).
//! * [`ReduceOnPlateau`]: the stateful schedule driven by the observed loss
//!   (PyTorch's `ReduceLROnPlateau`).
//! * [`LearningRate`]: what an optimiser takes — a schedule or reduce-on-plateau.
//!
//! Every constructor validates (η₀ > 0, β ≥ 0, p > 0, τ > 0, strictly increasing
//! milestones, finite numbers) and so does deserialisation, with the message
//! naming the parameter and value.
//!
//! **Must not know:** networks, optimisers, faer or any linear algebra; it uses
//! nothing of descent but the error type and its validators.

mod learning_rate;
mod plateau;
mod robbins_monro;
mod schedule;

#[cfg(test)]
mod tests;

pub use learning_rate::LearningRate;
pub use plateau::{ReduceOnPlateau, ReduceOnPlateauSettings, ThresholdMode};
pub use robbins_monro::{PARTIAL_SUM_TERMS, PartialSums, RobbinsMonro, Series};
pub use schedule::{Schedule, ScheduleSpec};
