//! The objective contract and the evaluation counter around it.

use descent_linalg::MatMut;
use serde::{Deserialize, Serialize};

use crate::Error;

/// Which derivatives beyond the gradient an objective provides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Capabilities {
    /// [`Objective::hessian`] fills the dense Hessian.
    pub hessian: bool,
    /// [`Objective::hessian_vector_product`] computes `∇²f(x) v`.
    pub hessian_vector_product: bool,
}

/// A function `f: ℝⁿ → ℝ` to minimise, with its gradient and optionally its
/// second derivatives.
///
/// Implementors provide [`dim`](Objective::dim), [`value`](Objective::value) and
/// [`gradient`](Objective::gradient); the others have defaults:
/// `value_and_gradient` calls both, `hessian` and `hessian_vector_product`
/// report "not provided" unless [`capabilities`](Objective::capabilities) says
/// otherwise, and a Hessian-vector product falls back to the dense Hessian when
/// only that is provided.
///
/// Inputs are slices of length `dim()`; past the boundary (the runner checks the
/// starting point) a wrong length is a bug and may panic.
pub trait Objective {
    /// A short human-readable name, used in error messages and reports.
    fn name(&self) -> String {
        "objective".to_owned()
    }
    /// The number of variables n.
    fn dim(&self) -> usize;
    /// `f(x)`.
    fn value(&mut self, x: &[f64]) -> f64;
    /// `∇f(x)` into `grad` (length n).
    fn gradient(&mut self, x: &[f64], grad: &mut [f64]);
    /// `f(x)`, and `∇f(x)` into `grad`; override when the two share work.
    fn value_and_gradient(&mut self, x: &[f64], grad: &mut [f64]) -> f64 {
        self.gradient(x, grad);
        self.value(x)
    }
    /// Which second derivatives are available.
    fn capabilities(&self) -> Capabilities {
        Capabilities::default()
    }
    /// The dense Hessian `∇²f(x)` into `hess` (n×n).
    ///
    /// # Errors
    /// [`Error::NotProvided`] by default.
    fn hessian(&mut self, x: &[f64], hess: MatMut<'_, f64>) -> Result<(), Error> {
        let _ = (x, hess);
        Err(Error::NotProvided {
            optimizer: "this call".to_owned(),
            objective: self.name(),
            what: "the Hessian",
        })
    }
    /// The Hessian-vector product `∇²f(x) v` into `out`.
    ///
    /// The default forms the dense Hessian if the objective provides one
    /// (`O(n²)` memory; override with an exact matrix-free product where possible).
    ///
    /// # Errors
    /// [`Error::NotProvided`] if neither is available.
    fn hessian_vector_product(
        &mut self,
        x: &[f64],
        v: &[f64],
        out: &mut [f64],
    ) -> Result<(), Error> {
        if self.capabilities().hessian {
            let n = self.dim();
            let mut h = descent_linalg::Mat::zeros(n, n);
            self.hessian(x, h.as_mut())?;
            descent_linalg::matvec(h.as_ref(), v, out);
            Ok(())
        } else {
            Err(Error::NotProvided {
                optimizer: "this call".to_owned(),
                objective: self.name(),
                what: "Hessian-vector products",
            })
        }
    }
}

impl<T: Objective + ?Sized> Objective for &mut T {
    fn name(&self) -> String {
        (**self).name()
    }
    fn dim(&self) -> usize {
        (**self).dim()
    }
    fn value(&mut self, x: &[f64]) -> f64 {
        (**self).value(x)
    }
    fn gradient(&mut self, x: &[f64], grad: &mut [f64]) {
        (**self).gradient(x, grad)
    }
    fn value_and_gradient(&mut self, x: &[f64], grad: &mut [f64]) -> f64 {
        (**self).value_and_gradient(x, grad)
    }
    fn capabilities(&self) -> Capabilities {
        (**self).capabilities()
    }
    fn hessian(&mut self, x: &[f64], hess: MatMut<'_, f64>) -> Result<(), Error> {
        (**self).hessian(x, hess)
    }
    fn hessian_vector_product(
        &mut self,
        x: &[f64],
        v: &[f64],
        out: &mut [f64],
    ) -> Result<(), Error> {
        (**self).hessian_vector_product(x, v, out)
    }
}

/// How many times each derivative was evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EvaluationCounts {
    /// Function values `f(x)` (a `value_and_gradient` call counts one here and one in `gradient`).
    pub value: usize,
    /// Gradients `∇f(x)`.
    pub gradient: usize,
    /// Dense Hessians `∇²f(x)`.
    pub hessian: usize,
    /// Hessian-vector products `∇²f(x) v`.
    pub hessian_vector_product: usize,
    /// Gauss–Newton products `G(x) v` ([`GaussNewtonProduct`]).
    pub gauss_newton_vector_product: usize,
    /// Residual-and-Jacobian evaluations of a least-squares problem
    /// (Gauss–Newton, Levenberg–Marquardt), reported by the method through
    /// [`Evaluator::count_jacobian`].
    pub jacobian: usize,
}

impl EvaluationCounts {
    /// The sum of every count: the total the `max_evaluations` stopping rule
    /// compares with.
    pub fn total(&self) -> usize {
        self.value
            + self.gradient
            + self.hessian
            + self.hessian_vector_product
            + self.gauss_newton_vector_product
            + self.jacobian
    }
}

/// The framework's view of an objective: it forwards every call and counts it.
///
/// Optimisers receive an `Evaluator`, never the objective itself, so evaluation
/// counts are kept in one place.
///
/// **The budget is a hard bound.** With a budget ([`Evaluator::with_budget`],
/// set by the runner from `StoppingRules::max_evaluations`) an evaluation that
/// would take [`EvaluationCounts::total`] past it is not made and not counted:
/// a value comes back as NaN, a gradient, Hessian or product is filled with
/// NaN. Every inner loop (line search, CG, trust-region subproblem) therefore
/// sees a non-finite trial, stops, and the runner ends the run with
/// `Termination::MaxEvaluations` at the last finite iterate; no loop can spend
/// evaluations beyond the budget, however it is written. Methods that loop may
/// also ask [`Evaluator::exhausted`] to stop early.
pub struct Evaluator<'a> {
    objective: &'a mut dyn Objective,
    counts: EvaluationCounts,
    budget: Option<usize>,
    refused: bool,
}

impl<'a> Evaluator<'a> {
    /// Wrap an objective with zeroed counters and no budget.
    pub fn new(objective: &'a mut dyn Objective) -> Self {
        Self::with_budget(objective, None)
    }
    /// Wrap an objective with zeroed counters and at most `budget` evaluations
    /// (`None`: unlimited); see the type's documentation for what happens at
    /// the bound.
    pub fn with_budget(objective: &'a mut dyn Objective, budget: Option<usize>) -> Self {
        Self {
            objective,
            counts: EvaluationCounts::default(),
            budget,
            refused: false,
        }
    }
    /// The counts so far.
    pub fn counts(&self) -> EvaluationCounts {
        self.counts
    }
    /// Evaluations left before the budget (`None`: no budget).
    pub fn remaining(&self) -> Option<usize> {
        self.budget.map(|b| b.saturating_sub(self.counts.total()))
    }
    /// Is the budget spent: fewer than two evaluations left (one `f` and `∇f`
    /// pair, the cost of a trial point), or an evaluation already refused?
    /// Inner loops stop when it is.
    pub fn exhausted(&self) -> bool {
        self.refused || self.remaining().is_some_and(|r| r < 2)
    }
    /// Was an evaluation refused because it did not fit the budget?
    pub fn refused(&self) -> bool {
        self.refused
    }
    /// May `cost` more evaluations be made? Records a refusal if not.
    fn affords(&mut self, cost: usize) -> bool {
        let fits = self.remaining().is_none_or(|r| r >= cost);
        self.refused |= !fits;
        fits
    }
    /// The objective's name.
    pub fn name(&self) -> String {
        self.objective.name()
    }
    /// The dimension n.
    pub fn dim(&self) -> usize {
        self.objective.dim()
    }
    /// The objective's capabilities.
    pub fn capabilities(&self) -> Capabilities {
        self.objective.capabilities()
    }
    /// `f(x)`, counted (NaN, uncounted, past the budget).
    pub fn value(&mut self, x: &[f64]) -> f64 {
        if !self.affords(1) {
            return f64::NAN;
        }
        self.counts.value += 1;
        self.objective.value(x)
    }
    /// `∇f(x)`, counted (NaN, uncounted, past the budget).
    pub fn gradient(&mut self, x: &[f64], grad: &mut [f64]) {
        if !self.affords(1) {
            grad.fill(f64::NAN);
            return;
        }
        self.counts.gradient += 1;
        self.objective.gradient(x, grad)
    }
    /// `f(x)` and `∇f(x)`, counted as one of each (NaN, uncounted, when the
    /// budget has fewer than two left).
    pub fn value_and_gradient(&mut self, x: &[f64], grad: &mut [f64]) -> f64 {
        if !self.affords(2) {
            grad.fill(f64::NAN);
            return f64::NAN;
        }
        self.counts.value += 1;
        self.counts.gradient += 1;
        self.objective.value_and_gradient(x, grad)
    }
    /// `∇²f(x)`, counted (NaN, uncounted, past the budget).
    ///
    /// # Errors
    /// As [`Objective::hessian`].
    pub fn hessian(&mut self, x: &[f64], mut hess: MatMut<'_, f64>) -> Result<(), Error> {
        if !self.affords(1) {
            for j in 0..hess.ncols() {
                for i in 0..hess.nrows() {
                    hess[(i, j)] = f64::NAN;
                }
            }
            return Ok(());
        }
        self.counts.hessian += 1;
        self.objective.hessian(x, hess)
    }
    /// `∇²f(x) v`, counted as one Hessian-vector product, or as one Hessian
    /// when the objective has no matrix-free product and the default forms the
    /// dense Hessian (so comparisons of methods see the true cost).
    ///
    /// # Errors
    /// As [`Objective::hessian_vector_product`].
    pub fn hessian_vector_product(
        &mut self,
        x: &[f64],
        v: &[f64],
        out: &mut [f64],
    ) -> Result<(), Error> {
        if !self.affords(1) {
            out.fill(f64::NAN);
            return Ok(());
        }
        let caps = self.objective.capabilities();
        if caps.hessian && !caps.hessian_vector_product {
            self.counts.hessian += 1;
        } else {
            self.counts.hessian_vector_product += 1;
        }
        self.objective.hessian_vector_product(x, v, out)
    }
    /// `G(x) v` from a Gauss–Newton product that lives beside the objective
    /// (Hessian-free Gauss–Newton), counted.
    ///
    /// # Errors
    /// As the product reports.
    pub fn gauss_newton_vector_product(
        &mut self,
        product: &mut dyn GaussNewtonProduct,
        x: &[f64],
        v: &[f64],
        out: &mut [f64],
    ) -> Result<(), Error> {
        if !self.affords(1) {
            out.fill(f64::NAN);
            return Ok(());
        }
        self.counts.gauss_newton_vector_product += 1;
        product.gauss_newton_vector_product(x, v, out)
    }
    /// Record one residual-and-Jacobian evaluation that a least-squares method
    /// made on its own copy of the problem (the objective interface has no
    /// residuals), so that comparisons see its cost. Call it *before*
    /// evaluating: it returns `false`, counting nothing, when the budget is
    /// spent, and the method must then not evaluate (fill its Jacobian with
    /// NaN instead).
    pub fn count_jacobian(&mut self) -> bool {
        if !self.affords(1) {
            return false;
        }
        self.counts.jacobian += 1;
        true
    }
}

/// The generalised Gauss–Newton product `G(x) v = Jᵀ H_L J v` of an objective
/// `f = L(F(x))` with convex loss `L` (Schraudolph 2002; Martens 2010): positive
/// semi-definite, so conjugate gradients on it never meet negative curvature.
///
/// Implemented by the network objective (descent-backprop) and used by
/// Hessian-free Gauss–Newton (descent-newton); a closure
/// `FnMut(x, v, out) -> Result<(), Error>` implements it too.
pub trait GaussNewtonProduct {
    /// `out ← G(x) v`.
    ///
    /// # Errors
    /// As the underlying computation reports.
    fn gauss_newton_vector_product(
        &mut self,
        x: &[f64],
        v: &[f64],
        out: &mut [f64],
    ) -> Result<(), Error>;
}

impl<F> GaussNewtonProduct for F
where
    F: FnMut(&[f64], &[f64], &mut [f64]) -> Result<(), Error>,
{
    fn gauss_newton_vector_product(
        &mut self,
        x: &[f64],
        v: &[f64],
        out: &mut [f64],
    ) -> Result<(), Error> {
        self(x, v, out)
    }
}
