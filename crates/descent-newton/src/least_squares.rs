//! Gauss–Newton and Levenberg–Marquardt for `f(x) = Σ_i r_i(x)²` (the MGH
//! convention of [`descent_problems::LeastSquares`]: `∇f = 2Jᵀr`).
//!
//! Both drop the second-order term of `∇²f = 2(JᵀJ + Σ r_i ∇²r_i)` and solve
//! with `JᵀJ` (by Cholesky of the normal equations; never an inverse).
//!
//! The optimiser owns its own copy of the residual map (the [`Evaluator`]
//! exposes only the objective); the objective it runs on must be that map's
//! sum of squares, which `init` checks at `x₀` (one residual evaluation, a
//! check of the input rather than work of the method, not counted). Every
//! residual-and-Jacobian evaluation the method makes through that copy is
//! reported to the evaluator ([`Evaluator::count_jacobian`]), so it appears in
//! the run's `counts.jacobian`; `jacobian_evaluations` gives the same number.
//!
//! References: Nocedal & Wright (2006), §10.3; Madsen, Nielsen & Tingleff,
//! *Methods for non-linear least squares problems* (2004), §3.2 (damping
//! update, λ₀ = τ max (JᵀJ)_ii); Moré, *The Levenberg–Marquardt algorithm:
//! implementation and theory* (1978).

use descent_core::{
    Diagnostics, Error, Evaluator, Optimizer, State, StepOutcome, display_number, validate,
};
use descent_gd::line_search::Armijo;
use descent_linalg::{Cholesky, LinalgError, Mat, dot, matmul, matvec};
use descent_problems::LeastSquares;

/// Shared buffers: residuals, Jacobian, `JᵀJ`, the step.
#[derive(Debug, Clone)]
struct Normal {
    jac: Mat<f64>,
    jtj: Mat<f64>,
    damped: Mat<f64>,
    p: Vec<f64>,
    jp: Vec<f64>,
    x_new: Vec<f64>,
    g_new: Vec<f64>,
    jacobians: usize,
}

impl Normal {
    fn new(n: usize, m: usize) -> Self {
        Self {
            jac: Mat::zeros(m, n),
            jtj: Mat::zeros(n, n),
            damped: Mat::zeros(n, n),
            p: vec![0.0; n],
            jp: vec![0.0; m],
            x_new: vec![0.0; n],
            g_new: vec![0.0; n],
            jacobians: 0,
        }
    }

    /// `J(x)` and `JᵀJ`, counted by the evaluator.
    fn linearise(&mut self, eval: &mut Evaluator<'_>, problem: &dyn LeastSquares, x: &[f64]) {
        if eval.count_jacobian() {
            problem.jacobian(x, self.jac.as_mut());
            self.jacobians += 1;
        } else {
            // Past the budget: no evaluation; NaN ends the step and the runner
            // ends the run with `MaxEvaluations`.
            self.jac.fill(f64::NAN);
        }
        matmul(
            self.jtj.as_mut(),
            self.jac.as_ref().transpose(),
            self.jac.as_ref(),
        );
    }

    /// Solve `(JᵀJ + λI) p = −Jᵀr = −∇f/2`.
    fn solve(&mut self, lambda: f64, grad: &[f64]) -> Result<(), LinalgError> {
        self.damped.copy_from(self.jtj.as_ref());
        for i in 0..self.damped.nrows() {
            self.damped[(i, i)] += lambda;
        }
        let chol = Cholesky::factor(self.damped.as_ref())?;
        for (pi, gi) in self.p.iter_mut().zip(grad) {
            *pi = -0.5 * gi;
        }
        chol.solve_in_place(&mut self.p);
        Ok(())
    }
}

fn check_problem(owner: &str, problem: &dyn LeastSquares, state: &State) -> Result<(), Error> {
    let n = state.x.len();
    if problem.n() != n {
        return Err(Error::invalid(
            owner,
            format!(
                "least-squares problem {} has n = {} but the objective has dimension {n}",
                problem.name(),
                problem.n()
            ),
        ));
    }
    let mut r = vec![0.0; problem.m()];
    problem.residuals(&state.x, &mut r);
    let f = dot(&r, &r);
    if (f - state.f).abs() > 1e-10 * (1.0 + f.abs()) {
        return Err(Error::invalid(
            owner,
            format!(
                "the objective's f(x0) = {} but Σ r_i(x0)² = {} for {}: run it on that problem's sum of squares",
                display_number(state.f),
                display_number(f),
                problem.name()
            ),
        ));
    }
    Ok(())
}

/// Gauss–Newton with an Armijo line search: `JᵀJ p = −Jᵀr`, `x ← x + α p`
/// (α from 1). When `JᵀJ` is singular, a damping `10⁻¹⁰ max(1, max (JᵀJ)_ii)`
/// is added, ×10 until Cholesky succeeds (fallback `"rank-deficient
/// Jacobian: damped"`). Quadratic convergence on zero-residual problems,
/// linear otherwise.
#[derive(Debug, Clone)]
pub struct GaussNewton<P> {
    problem: P,
    line_search: Armijo,
    buffers: Option<Normal>,
}

impl<P: LeastSquares> GaussNewton<P> {
    /// Gauss–Newton on `problem` (the run's objective must be its sum of squares).
    pub fn new(problem: P) -> Self {
        Self {
            problem,
            line_search: Armijo::default(),
            buffers: None,
        }
    }
    /// Jacobian evaluations in the current run (also in the evaluator's
    /// `counts.jacobian`): one per step.
    pub fn jacobian_evaluations(&self) -> usize {
        self.buffers.as_ref().map_or(0, |b| b.jacobians)
    }
}

impl<P: LeastSquares> Optimizer for GaussNewton<P> {
    fn name(&self) -> String {
        "Gauss-Newton + Armijo".to_owned()
    }

    fn init(&mut self, _eval: &mut Evaluator<'_>, state: &State) -> Result<(), Error> {
        check_problem("Gauss-Newton", &self.problem, state)?;
        self.buffers = Some(Normal::new(self.problem.n(), self.problem.m()));
        Ok(())
    }

    fn step(&mut self, eval: &mut Evaluator<'_>, state: &mut State) -> Result<StepOutcome, Error> {
        let b = self.buffers.as_mut().expect("init sized the buffers");
        let mut diag = Diagnostics::default();
        b.linearise(eval, &self.problem, &state.x);
        let scale = (0..b.jtj.nrows())
            .map(|i| b.jtj[(i, i)])
            .fold(1.0, f64::max);
        let mut lambda = 0.0;
        loop {
            match b.solve(lambda, &state.grad) {
                Ok(()) => break,
                Err(LinalgError::NotPositiveDefinite { .. }) => {
                    lambda = if lambda == 0.0 {
                        1e-10 * scale
                    } else {
                        10.0 * lambda
                    };
                    diag.fallback = Some("rank-deficient Jacobian: damped");
                    diag.damping = Some(lambda);
                }
                Err(e) => return Err(e.into()),
            }
        }
        crate::globalise::armijo_descent_step(
            "Gauss-Newton",
            eval,
            state,
            &b.p,
            &self.line_search,
            &mut b.x_new,
            &mut b.g_new,
            diag,
        )
    }
}

/// Levenberg–Marquardt: `(JᵀJ + λI) p = −Jᵀr`, gain ratio
/// `ρ = (f(x) − f(x + p)) / (f(x) − ‖r + Jp‖²)`; accept when `ρ > 0` and
/// `λ ← λ max(⅓, 1 − (2ρ − 1)³)`, else reject and `λ ← νλ`, `ν ← 2ν`
/// (Nielsen's update). `λ₀ = τ max (JᵀJ)_ii` with `τ = 10⁻³` by default.
#[derive(Debug, Clone)]
pub struct LevenbergMarquardt<P> {
    problem: P,
    tau: f64,
    lambda: f64,
    nu: f64,
    buffers: Option<Normal>,
}

impl<P: LeastSquares> LevenbergMarquardt<P> {
    /// LM on `problem` with `λ₀ = τ max (JᵀJ)_ii`, `τ ≥ 0`.
    ///
    /// # Errors
    /// [`Error::Hyperparameter`] for a negative (or non-finite) τ.
    pub fn new(problem: P, tau: f64) -> Result<Self, Error> {
        validate::non_negative("Levenberg-Marquardt", "damping τ", tau)?;
        Ok(Self {
            problem,
            tau,
            lambda: 0.0,
            nu: 2.0,
            buffers: None,
        })
    }
    /// The current damping λ.
    pub fn damping(&self) -> f64 {
        self.lambda
    }
    /// Jacobian evaluations in the current run (also in the evaluator's
    /// `counts.jacobian`): one in `init` (for λ₀) and one per step.
    pub fn jacobian_evaluations(&self) -> usize {
        self.buffers.as_ref().map_or(0, |b| b.jacobians)
    }
}

impl<P: LeastSquares> Optimizer for LevenbergMarquardt<P> {
    fn name(&self) -> String {
        format!("Levenberg-Marquardt τ={}", self.tau)
    }

    fn init(&mut self, eval: &mut Evaluator<'_>, state: &State) -> Result<(), Error> {
        check_problem("Levenberg-Marquardt", &self.problem, state)?;
        let mut b = Normal::new(self.problem.n(), self.problem.m());
        b.linearise(eval, &self.problem, &state.x);
        let max_diag = (0..b.jtj.nrows())
            .map(|i| b.jtj[(i, i)])
            .fold(0.0, f64::max);
        self.lambda = self.tau * max_diag;
        self.nu = 2.0;
        self.buffers = Some(b);
        Ok(())
    }

    fn step(&mut self, eval: &mut Evaluator<'_>, state: &mut State) -> Result<StepOutcome, Error> {
        let b = self.buffers.as_mut().expect("init sized the buffers");
        let mut diag = Diagnostics::default();
        b.linearise(eval, &self.problem, &state.x);
        let scale = (0..b.jtj.nrows())
            .map(|i| b.jtj[(i, i)])
            .fold(1.0, f64::max);
        loop {
            match b.solve(self.lambda, &state.grad) {
                Ok(()) => break,
                Err(LinalgError::NotPositiveDefinite { .. }) => {
                    self.lambda = (10.0 * self.lambda).max(1e-10 * scale);
                    diag.fallback = Some("damping raised until positive definite");
                }
                Err(e) => return Err(e.into()),
            }
        }
        diag.damping = Some(self.lambda);
        // Predicted: f − ‖r + Jp‖² = −(2 pᵀJᵀr + ‖Jp‖²), with Jᵀr = ∇f/2.
        matvec(b.jac.as_ref(), &b.p, &mut b.jp);
        let predicted = -(dot(&b.p, &state.grad) + dot(&b.jp, &b.jp));
        for ((xn, xi), pi) in b.x_new.iter_mut().zip(&state.x).zip(&b.p) {
            *xn = xi + pi;
        }
        let f_new = eval.value(&b.x_new);
        let rho = if predicted > 0.0 {
            (state.f - f_new) / predicted
        } else {
            f64::NEG_INFINITY
        };
        diag.gain_ratio = Some(rho);
        diag.learning_rate = Some(1.0);
        if rho > 0.0 && f_new.is_finite() {
            self.lambda *= (1.0 - (2.0 * rho - 1.0).powi(3)).max(1.0 / 3.0);
            self.nu = 2.0;
            state.x.copy_from_slice(&b.x_new);
            eval.gradient(&state.x, &mut state.grad);
            state.f = f_new;
        } else {
            self.lambda = (self.lambda * self.nu).max(1e-300);
            self.nu *= 2.0;
            diag.rejected = true;
            if !self.lambda.is_finite() || self.lambda > 1e300 {
                let reason = format!(
                    "damping λ = {:e} grew without an acceptable step",
                    self.lambda
                );
                return Ok(StepOutcome::Stop {
                    reason,
                    diagnostics: diag,
                });
            }
        }
        Ok(StepOutcome::Continue(diag))
    }
}
