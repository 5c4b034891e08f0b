//! The runner: shared stopping rules, divergence detection, records and observers.

use serde::{Deserialize, Serialize};

use descent_linalg::norm_2;

use crate::optimizer::{Diagnostics, Optimizer, State, StepOutcome};
use crate::{Error, EvaluationCounts, Evaluator, Objective, validate};

/// When a run stops. Every rule is checked after every step, in the order of the
/// fields below; the first that fires names the [`Termination`].
///
/// Defaults: `max_iterations = 1000`, `gradient_tolerance = 1e-8`, everything
/// else off, `divergence_bound = 1e100`.
///
/// As a config file (serde): every field is optional and takes the default
/// above when absent; an unknown field (a typo) is an error naming it and the
/// valid ones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoppingRules {
    /// A value `f > divergence_bound` (or any non-finite f, x or ∇f) is divergence.
    pub divergence_bound: f64,
    /// Stop when `f ≤ target_value` (e.g. f* + ε when f* is known).
    pub target_value: Option<f64>,
    /// Stop when `‖∇f(x_k)‖₂ ≤ gradient_tolerance`.
    pub gradient_tolerance: Option<f64>,
    /// Stop when `‖∇f(x_k)‖₂ ≤ relative_gradient_tolerance · ‖∇f(x₀)‖₂`.
    pub relative_gradient_tolerance: Option<f64>,
    /// Stop when `|f_k − f_{k−1}| ≤ function_tolerance`.
    pub function_tolerance: Option<f64>,
    /// Stop when `‖x_k − x_{k−1}‖₂ ≤ step_tolerance` (rejected steps excepted).
    pub step_tolerance: Option<f64>,
    /// Stop after this many steps.
    pub max_iterations: usize,
    /// Stop once `f + ∇f + ∇²f + Hv + Gv + J` evaluations reach this many
    /// (≥ 2: the starting point costs f and ∇f). A hard bound: no evaluation
    /// past it is made, inside a step or out (see [`Evaluator`]).
    pub max_evaluations: Option<usize>,
}

impl Default for StoppingRules {
    fn default() -> Self {
        Self {
            divergence_bound: 1e100,
            target_value: None,
            gradient_tolerance: Some(1e-8),
            relative_gradient_tolerance: None,
            function_tolerance: None,
            step_tolerance: None,
            max_iterations: 1000,
            max_evaluations: None,
        }
    }
}

impl StoppingRules {
    /// Set `max_iterations`.
    pub fn max_iterations(mut self, n: usize) -> Self {
        self.max_iterations = n;
        self
    }
    /// Set (or with `None` switch off) the absolute gradient tolerance.
    pub fn gradient_tolerance(mut self, tol: impl Into<Option<f64>>) -> Self {
        self.gradient_tolerance = tol.into();
        self
    }
    /// Set the relative gradient tolerance.
    pub fn relative_gradient_tolerance(mut self, tol: f64) -> Self {
        self.relative_gradient_tolerance = Some(tol);
        self
    }
    /// Set the function-change tolerance.
    pub fn function_tolerance(mut self, tol: f64) -> Self {
        self.function_tolerance = Some(tol);
        self
    }
    /// Set the step-size tolerance.
    pub fn step_tolerance(mut self, tol: f64) -> Self {
        self.step_tolerance = Some(tol);
        self
    }
    /// Set the target value.
    pub fn target_value(mut self, f: f64) -> Self {
        self.target_value = Some(f);
        self
    }
    /// Set the evaluation budget.
    pub fn max_evaluations(mut self, n: usize) -> Self {
        self.max_evaluations = Some(n);
        self
    }
    /// Set the divergence bound.
    pub fn divergence_bound(mut self, bound: f64) -> Self {
        self.divergence_bound = bound;
        self
    }

    /// Check every tolerance is finite and positive.
    ///
    /// # Errors
    /// [`Error::Hyperparameter`] naming the rule and value.
    pub fn validate(&self) -> Result<(), Error> {
        const OWNER: &str = "stopping rules";
        validate::positive(OWNER, "divergence bound", self.divergence_bound)?;
        if let Some(t) = self.target_value {
            validate::finite(OWNER, "target value", t)?;
        }
        for (name, tol) in [
            ("gradient tolerance", self.gradient_tolerance),
            (
                "relative gradient tolerance",
                self.relative_gradient_tolerance,
            ),
            ("function tolerance", self.function_tolerance),
            ("step tolerance", self.step_tolerance),
        ] {
            if let Some(t) = tol {
                validate::positive(OWNER, name, t)?;
            }
        }
        if let Some(n) = self.max_evaluations {
            // The starting point alone costs f(x₀) and ∇f(x₀).
            validate::at_least(OWNER, "max evaluations", n, 2)?;
        }
        Ok(())
    }
}

/// Which tolerance was met.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Convergence {
    /// `f ≤ target`.
    TargetValue,
    /// `‖∇f‖ ≤ gtol`.
    GradientNorm,
    /// `‖∇f‖ ≤ gtol_rel ‖∇f₀‖`.
    RelativeGradientNorm,
    /// `|Δf| ≤ ftol`.
    FunctionChange,
    /// `‖Δx‖ ≤ xtol`.
    StepSize,
}

/// Why a run ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Termination {
    /// A tolerance was met.
    Converged(Convergence),
    /// `max_iterations` steps were taken.
    MaxIterations,
    /// The evaluation budget was spent.
    MaxEvaluations,
    /// Step `iteration` produced a non-finite value or one above the bound;
    /// the result holds the iterate before it.
    Diverged {
        /// The step that diverged (1-based: the first step is 1).
        iteration: usize,
    },
    /// The method could not go on; the result holds the last finite iterate
    /// before the failed step.
    Failed {
        /// The step that failed (1-based).
        iteration: usize,
        /// Why.
        reason: FailureReason,
    },
}

/// Why a method could not go on ([`Termination::Failed`]). Past the starting
/// point no failure is an `Err`: the run ends with this reason and keeps its
/// iterate and counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureReason {
    /// The method said it cannot go on ([`StepOutcome::Stop`]): no descent
    /// direction, no acceptable step, a Hessian its policy refuses, damping
    /// that overflowed. The message carries the numbers.
    Stopped(String),
    /// A computation inside the step failed on numbers the objective
    /// returned (a direction with slope 0 or −∞ handed to a line search, a
    /// factorisation of a matrix the objective supplied, a derivative the
    /// objective reported missing). The message is the error's.
    StepError(String),
}

impl FailureReason {
    /// The message, without the kind.
    pub fn message(&self) -> &str {
        match self {
            FailureReason::Stopped(m) | FailureReason::StepError(m) => m,
        }
    }
}

impl std::fmt::Display for FailureReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

impl Termination {
    /// Did a tolerance fire?
    pub fn converged(&self) -> bool {
        matches!(self, Termination::Converged(_))
    }
}

/// One row of a trace: the state after step `iteration` (0 = the start).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IterationRecord {
    /// k.
    pub iteration: usize,
    /// `f(x_k)`.
    pub f: f64,
    /// `‖∇f(x_k)‖₂`.
    pub grad_norm: f64,
    /// `‖x_k − x_{k−1}‖₂` (0 at k = 0).
    pub step_norm: f64,
    /// Evaluations so far.
    pub counts: EvaluationCounts,
    /// What the method reported for this step (learning rate, damping, …).
    pub diagnostics: Diagnostics,
}

/// Plug-in that sees a run as it goes. Every hook defaults to doing nothing.
pub trait Observer {
    /// Called once with the record of the starting point (k = 0) and x₀.
    fn on_init(&mut self, record: &IterationRecord, x: &[f64]) {
        let _ = (record, x);
    }
    /// Called after every step the run keeps, with its record and x_k: accepted
    /// steps, rejected ones (`diagnostics.rejected`, x unchanged) and the step a
    /// method ended with [`StepOutcome::Stop`]; never for a diverged step.
    fn on_iteration(&mut self, record: &IterationRecord, x: &[f64]) {
        let _ = (record, x);
    }
    /// Called once at the end.
    fn on_finish(&mut self, result: &RunResult) {
        let _ = result;
    }
}

/// The observer that records a run: every [`IterationRecord`], and the iterates
/// themselves if asked ([`Trace::with_iterates`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Trace {
    /// Records, k = 0, 1, …
    pub records: Vec<IterationRecord>,
    /// x_k for every record, if recording iterates.
    pub iterates: Vec<Vec<f64>>,
    keep_iterates: bool,
}

impl Trace {
    /// A trace of records only.
    pub fn new() -> Self {
        Self::default()
    }
    /// A trace that also keeps every iterate (memory `O(n)` per step).
    pub fn with_iterates() -> Self {
        Self {
            keep_iterates: true,
            ..Self::default()
        }
    }
    /// `f(x_k)` for every record.
    pub fn values(&self) -> Vec<f64> {
        self.records.iter().map(|r| r.f).collect()
    }
    fn push(&mut self, record: &IterationRecord, x: &[f64]) {
        self.records.push(record.clone());
        if self.keep_iterates {
            self.iterates.push(x.to_vec());
        }
    }
}

impl Observer for Trace {
    fn on_init(&mut self, record: &IterationRecord, x: &[f64]) {
        self.push(record, x);
    }
    fn on_iteration(&mut self, record: &IterationRecord, x: &[f64]) {
        self.push(record, x);
    }
}

/// The outcome of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    /// The method's name.
    pub optimizer: String,
    /// The last finite iterate.
    pub x: Vec<f64>,
    /// `f(x)`.
    pub f: f64,
    /// `‖∇f(x)‖₂`.
    pub grad_norm: f64,
    /// Steps taken and kept (accepted or rejected); a diverged step is not
    /// counted, so after `Diverged { iteration: k }` this is `k − 1`.
    pub iterations: usize,
    /// Why it stopped.
    pub termination: Termination,
    /// Evaluations used.
    pub counts: EvaluationCounts,
}

/// Minimise `objective` from `x0` with `optimizer` under `rules`.
///
/// Every check on the user's input happens before the first step; past it the
/// run always returns `Ok` with a [`Termination`]: an error inside a step (a
/// line search handed a non-descent direction, a factorisation of a matrix the
/// objective returned) ends it with [`Termination::Failed`] and
/// [`FailureReason::StepError`], keeping the last finite iterate and the
/// counts. `max_evaluations` is a hard bound ([`Evaluator`]'s budget): the
/// result's `counts.total()` never exceeds it.
///
/// # Errors
/// Before the first step only: invalid `rules`; an objective of dimension 0;
/// `x0` of the wrong length or not finite; `f(x₀)` or `∇f(x₀)` not finite; the
/// optimiser needs a derivative the objective lacks; or an error the
/// optimiser's `init` reports.
pub fn minimize(
    objective: &mut dyn Objective,
    optimizer: &mut dyn Optimizer,
    x0: &[f64],
    rules: &StoppingRules,
) -> Result<RunResult, Error> {
    minimize_with(objective, optimizer, x0, rules, &mut [])
}

/// [`minimize`], telling each observer about every step.
///
/// # Errors
/// As [`minimize`].
pub fn minimize_with(
    objective: &mut dyn Objective,
    optimizer: &mut dyn Optimizer,
    x0: &[f64],
    rules: &StoppingRules,
    observers: &mut [&mut dyn Observer],
) -> Result<RunResult, Error> {
    rules.validate()?;
    let n = objective.dim();
    if n == 0 {
        return Err(Error::invalid(
            format!("minimize {} with {}", objective.name(), optimizer.name()),
            "the objective has dimension 0: there is nothing to minimise",
        ));
    }
    if x0.len() != n {
        return Err(Error::invalid(
            format!("minimize {} with {}", objective.name(), optimizer.name()),
            format!(
                "starting point has {} coordinates but the objective has dimension {n}",
                x0.len()
            ),
        ));
    }
    if let Some(i) = x0.iter().position(|v| !v.is_finite()) {
        return Err(Error::invalid(
            format!("minimize {} with {}", objective.name(), optimizer.name()),
            format!("starting point x0[{i}] = {} is not finite", x0[i]),
        ));
    }
    let req = optimizer.requirements();
    let caps = objective.capabilities();
    let missing = if req.hessian && !caps.hessian {
        Some("the Hessian")
    } else if req.hessian_vector_product && !(caps.hessian_vector_product || caps.hessian) {
        Some("Hessian-vector products")
    } else {
        None
    };
    if let Some(what) = missing {
        return Err(Error::NotProvided {
            optimizer: optimizer.name(),
            objective: objective.name(),
            what,
        });
    }

    let objective_name = objective.name();
    let mut eval = Evaluator::with_budget(objective, rules.max_evaluations);
    let mut grad = vec![0.0; n];
    let f0 = eval.value_and_gradient(x0, &mut grad);
    let g0 = norm_2(&grad);
    if !f0.is_finite() || !g0.is_finite() {
        return Err(Error::invalid(
            format!("minimize {objective_name} with {}", optimizer.name()),
            format!(
                "f(x0) = {} and ‖∇f(x0)‖ = {}: the starting point must give finite values",
                crate::display_number(f0),
                crate::display_number(g0)
            ),
        ));
    }
    let mut state = State {
        iteration: 0,
        x: x0.to_vec(),
        f: f0,
        grad,
    };
    optimizer.init(&mut eval, &state)?;

    let record0 = IterationRecord {
        iteration: 0,
        f: f0,
        grad_norm: g0,
        step_norm: 0.0,
        counts: eval.counts(),
        diagnostics: Diagnostics::default(),
    };
    for obs in observers.iter_mut() {
        obs.on_init(&record0, &state.x);
    }

    let mut prev = state.clone();
    let mut step = vec![0.0; n];
    let mut grad_norm = g0;
    let mut termination = initial_termination(rules, f0, g0);
    while termination.is_none() {
        let k = state.iteration + 1;
        prev.x.copy_from_slice(&state.x);
        prev.grad.copy_from_slice(&state.grad);
        prev.f = state.f;
        prev.iteration = state.iteration;
        let outcome = optimizer.step(&mut eval, &mut state);
        state.iteration = k;
        let g = norm_2(&state.grad);
        let finite = state.f.is_finite() && g.is_finite() && state.x.iter().all(|v| v.is_finite());
        let (diagnostics, stop) = match outcome {
            Ok(StepOutcome::Continue(d)) => (d, None),
            Ok(StepOutcome::Stop {
                reason,
                diagnostics,
            }) => (diagnostics, Some(FailureReason::Stopped(reason))),
            Err(e) => (
                Diagnostics::default(),
                Some(FailureReason::StepError(e.to_string())),
            ),
        };
        if eval.refused() || (eval.exhausted() && (!finite || stop.is_some())) {
            // The budget ran out inside the step: the evaluator refused the
            // evaluations past it (or the method saw too few left to go on),
            // so whatever the step made of the refused (NaN) numbers is not a
            // result. Keep the last iterate.
            restore(&mut state, &prev);
            grad_norm = norm_2(&state.grad);
            termination = Some(Termination::MaxEvaluations);
            break;
        }
        if matches!(stop, Some(FailureReason::StepError(_))) {
            // The step may have moved the state before the error: keep the
            // last iterate that passed.
            restore(&mut state, &prev);
            grad_norm = norm_2(&state.grad);
            termination = stop.map(|reason| Termination::Failed {
                iteration: k,
                reason,
            });
            break;
        }
        if !finite || state.f > rules.divergence_bound {
            // The diverged iterate is neither recorded nor returned: the result
            // holds the last iterate that passed, and `iterations` counts it.
            restore(&mut state, &prev);
            grad_norm = norm_2(&state.grad);
            termination = Some(Termination::Diverged { iteration: k });
            break;
        }
        grad_norm = g;
        let step_norm = emit(
            observers,
            &state,
            &prev,
            &mut step,
            g,
            &eval,
            diagnostics.clone(),
        );
        termination = if let Some(reason) = stop {
            Some(Termination::Failed {
                iteration: k,
                reason,
            })
        } else {
            step_termination(
                rules,
                &state,
                prev.f,
                g,
                g0,
                step_norm,
                diagnostics.rejected,
                eval.counts(),
            )
        };
    }
    let result = RunResult {
        optimizer: optimizer.name(),
        x: state.x,
        f: state.f,
        grad_norm,
        iterations: state.iteration,
        termination: termination.unwrap_or(Termination::MaxIterations),
        counts: eval.counts(),
    };
    for obs in observers.iter_mut() {
        obs.on_finish(&result);
    }
    Ok(result)
}

fn restore(state: &mut State, prev: &State) {
    state.iteration = prev.iteration;
    state.x.copy_from_slice(&prev.x);
    state.grad.copy_from_slice(&prev.grad);
    state.f = prev.f;
}

/// Tell the observers about the step just taken; returns `‖x_k − x_{k−1}‖₂`
/// (computed in `step`, a buffer of length n, with faer's scaled norm).
fn emit(
    observers: &mut [&mut dyn Observer],
    state: &State,
    prev: &State,
    step: &mut [f64],
    grad_norm: f64,
    eval: &Evaluator<'_>,
    diagnostics: Diagnostics,
) -> f64 {
    descent_linalg::sub(&state.x, &prev.x, step);
    let step_norm = norm_2(step);
    if !observers.is_empty() {
        let record = IterationRecord {
            iteration: state.iteration,
            f: state.f,
            grad_norm,
            step_norm,
            counts: eval.counts(),
            diagnostics,
        };
        for obs in observers.iter_mut() {
            obs.on_iteration(&record, &state.x);
        }
    }
    step_norm
}

fn initial_termination(rules: &StoppingRules, f0: f64, g0: f64) -> Option<Termination> {
    if rules.target_value.is_some_and(|t| f0 <= t) {
        return Some(Termination::Converged(Convergence::TargetValue));
    }
    if rules.gradient_tolerance.is_some_and(|t| g0 <= t) {
        return Some(Termination::Converged(Convergence::GradientNorm));
    }
    if rules.max_iterations == 0 {
        return Some(Termination::MaxIterations);
    }
    None
}

fn step_termination(
    rules: &StoppingRules,
    state: &State,
    f_prev: f64,
    g: f64,
    g0: f64,
    step_norm: f64,
    rejected: bool,
    counts: EvaluationCounts,
) -> Option<Termination> {
    use Convergence::*;
    let converged = if rules.target_value.is_some_and(|t| state.f <= t) {
        Some(TargetValue)
    } else if rules.gradient_tolerance.is_some_and(|t| g <= t) {
        Some(GradientNorm)
    } else if rules
        .relative_gradient_tolerance
        .is_some_and(|t| g <= t * g0)
    {
        Some(RelativeGradientNorm)
    } else if !rejected
        && rules
            .function_tolerance
            .is_some_and(|t| (state.f - f_prev).abs() <= t)
    {
        Some(FunctionChange)
    } else if !rejected && rules.step_tolerance.is_some_and(|t| step_norm <= t) {
        Some(StepSize)
    } else {
        None
    };
    if let Some(c) = converged {
        return Some(Termination::Converged(c));
    }
    if state.iteration >= rules.max_iterations {
        return Some(Termination::MaxIterations);
    }
    if rules.max_evaluations.is_some_and(|m| counts.total() >= m) {
        return Some(Termination::MaxEvaluations);
    }
    None
}
