//! The optimisation contracts of descent: what an objective is, what an
//! optimiser is, and the runner that drives one on the other.
//!
//! * [`Objective`]: dimension, value and gradient; optionally a dense Hessian and
//!   a Hessian-vector product. Evaluation methods take `&mut self` so that an
//!   objective may reuse buffers (a network) or draw random numbers (a noisy
//!   gradient) without interior mutability.
//! * [`Evaluator`]: the framework's wrapper that counts evaluations (f, ∇f, ∇²f,
//!   Hv), so no optimiser keeps its own counters.
//! * [`Optimizer`]: a state machine with one `step`; it says which derivatives it
//!   needs ([`Requirements`]) and reports per-step [`Diagnostics`].
//! * [`minimize`] with [`StoppingRules`]: the shared stopping rules, including
//!   divergence, which ends a run with [`Termination::Diverged`] and never lets a
//!   NaN flow on.
//! * [`Observer`]s see every [`IterationRecord`]; [`Trace`] is the one that
//!   records them.
//! * [`analysis`]: the lecture's convergence rate `R_k`, the empirical order `q`
//!   and the regime (monotone, oscillating, stalled, diverging) of a trace.
//! * [`validate`]: the hyperparameter checks every constructor uses, and
//!   [`Error`], the workspace's error type for user-supplied input.
//!
//! **Must not know:** any particular optimiser, problem, network or schedule,
//! and nothing about files or printing.

pub mod analysis;
mod error;
mod objective;
mod optimizer;
mod runner;
pub mod validate;

#[cfg(test)]
mod tests;

pub use error::{Error, display_number};
pub use objective::{Capabilities, EvaluationCounts, Evaluator, GaussNewtonProduct, Objective};
pub use optimizer::{Diagnostics, Optimizer, Requirements, State, StepOutcome};
pub use runner::{
    Convergence, FailureReason, IterationRecord, Observer, RunResult, StoppingRules, Termination,
    Trace, minimize, minimize_with,
};
