//! The optimiser contract: a state machine with one `step`.

use serde::Serialize;

use crate::{Error, Evaluator};

/// The iterate an optimiser works on, owned by the runner.
///
/// Invariant between steps: `f == f(x)` and `grad == ∇f(x)`. The runner
/// establishes it at the starting point; each `step` must re-establish it at the
/// new `x` (most methods have both from their line search anyway).
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    /// Completed steps so far; step `k + 1` is taken with `iteration == k`
    /// (a schedule's η_k).
    pub iteration: usize,
    /// The current point x_k.
    pub x: Vec<f64>,
    /// `f(x_k)`.
    pub f: f64,
    /// `∇f(x_k)`.
    pub grad: Vec<f64>,
}

/// Which derivatives an optimiser needs beyond the gradient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Requirements {
    /// The dense Hessian (Newton).
    pub hessian: bool,
    /// Hessian-vector products (Hessian-free, Lanczos). A dense Hessian serves too.
    pub hessian_vector_product: bool,
}

/// What a step did, beyond moving x: method-specific numbers for the record.
/// Every field is optional; a method fills what it has.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Diagnostics {
    /// The learning rate or step length used (η_k, or the line search's α).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub learning_rate: Option<f64>,
    /// Line-search trial steps rejected before the accepted one (0 when the
    /// first trial passes; absent without a line search).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backtracks: Option<usize>,
    /// Damping λ added to the Hessian (Levenberg–Marquardt, modified Cholesky).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub damping: Option<f64>,
    /// Trust-region radius Δ after the step.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trust_radius: Option<f64>,
    /// Gain ratio ρ = actual / predicted reduction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gain_ratio: Option<f64>,
    /// Inner conjugate-gradient iterations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cg_iterations: Option<usize>,
    /// A quasi-Newton update was skipped (curvature or denominator test failed).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub skipped_update: bool,
    /// Negative curvature `pᵀHp ≤ 0` was met.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub negative_curvature: bool,
    /// Which safeguard fired, if any ("damping", "eigenvalue modification", …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fallback: Option<&'static str>,
    /// The user's Hessian was not symmetric to 10⁻¹⁰ relative and the method
    /// used its symmetric part `½(H + Hᵀ)` (`descent_linalg::symmetrize`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub symmetrized: bool,
    /// The step was rejected and x did not move (trust region shrink).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub rejected: bool,
}

impl Diagnostics {
    /// Diagnostics carrying only the learning rate used.
    pub fn with_learning_rate(eta: f64) -> Self {
        Self {
            learning_rate: Some(eta),
            ..Self::default()
        }
    }
}

/// How a step ended.
#[derive(Debug, Clone, PartialEq)]
pub enum StepOutcome {
    /// The state holds the new iterate; go on.
    Continue(Diagnostics),
    /// The method cannot go on (pure Newton met an indefinite Hessian, a line
    /// search found no acceptable step). The state is left at the last good
    /// iterate; the run ends with [`Termination::Failed`](crate::Termination::Failed).
    Stop {
        /// Why, with the numbers ("Hessian not positive definite (pivot 1)").
        reason: String,
        /// What the step had measured before stopping.
        diagnostics: Diagnostics,
    },
}

/// An optimisation method: a state machine driven by [`minimize`](crate::minimize).
///
/// A method is built from validated hyperparameters (its constructor returns
/// `Result`), declares what it [`requires`](Optimizer::requirements), sizes its
/// buffers in [`init`](Optimizer::init), and moves the [`State`] in
/// [`step`](Optimizer::step). It never does IO and never counts evaluations (the
/// [`Evaluator`] does). The runner, not the method, decides when to stop.
pub trait Optimizer {
    /// The method's name with its key settings ("GD η=0.1", "L-BFGS m=10").
    fn name(&self) -> String;
    /// The derivatives this method needs beyond the gradient.
    fn requirements(&self) -> Requirements {
        Requirements::default()
    }
    /// Prepare for a run from `state` (size buffers, reset memory). Called once
    /// before the first step, after the runner evaluated f and ∇f at x₀.
    ///
    /// # Errors
    /// When the problem does not fit the method (wrong dimension of a
    /// per-parameter setting, …).
    fn init(&mut self, eval: &mut Evaluator<'_>, state: &State) -> Result<(), Error> {
        let _ = (eval, state);
        Ok(())
    }
    /// Take one step from `state`, leaving `f`, `grad` at the new `x`.
    ///
    /// # Errors
    /// Only for errors the objective or a computation on its numbers reports
    /// (a derivative it does not provide, a factorisation of a matrix it
    /// returned). The runner turns such an error into
    /// [`Termination::Failed`](crate::Termination::Failed) with
    /// [`FailureReason::StepError`](crate::FailureReason::StepError), keeping
    /// the last iterate; expected numerical trouble is a
    /// [`StepOutcome::Stop`], and non-finite numbers are detected by the
    /// runner as divergence.
    fn step(&mut self, eval: &mut Evaluator<'_>, state: &mut State) -> Result<StepOutcome, Error>;
}

impl<T: Optimizer + ?Sized> Optimizer for Box<T> {
    fn name(&self) -> String {
        (**self).name()
    }
    fn requirements(&self) -> Requirements {
        (**self).requirements()
    }
    fn init(&mut self, eval: &mut Evaluator<'_>, state: &State) -> Result<(), Error> {
        (**self).init(eval, state)
    }
    fn step(&mut self, eval: &mut Evaluator<'_>, state: &mut State) -> Result<StepOutcome, Error> {
        (**self).step(eval, state)
    }
}
