//! Newton's method `x ← x − η [∇²f(x)]⁻¹ ∇f(x)`, computed by solving, with an
//! explicit, recorded choice of what to do when the Hessian is not positive
//! definite.
//!
//! The lecture's derivation: rescale the axes by `A^{1/2}` so that one step
//! size fits every direction; on a quadratic with SPD Hessian, `η = 1` reaches
//! the minimiser in one step. Its two problems are cost (forming and factoring
//! an n×n Hessian) and indefiniteness (Newton heads for saddles and maxima).
//! [`IndefiniteHessian`] names the remedies.

use descent_core::{
    Diagnostics, Error, Evaluator, Optimizer, Requirements, State, StepOutcome, display_number,
    validate,
};
use descent_gd::line_search::{Armijo, Ray, fixed_step};
use descent_linalg::{
    Cholesky, LinalgError, Mat, MatMut, MatRef, SymmetricEigen, SymmetricIndefinite, dot, matvec,
    vecmat,
};

/// Make the Hessian the method just evaluated usable: refuse a non-finite
/// entry (the reason is returned), and replace an asymmetric matrix by its
/// symmetric part ½(H + Hᵀ), recording it in `diag.symmetrized`
/// ([`descent_linalg::symmetrize`]; finite-difference Hessians are asymmetric
/// at the level of their differencing error).
pub(crate) fn prepare_hessian(h: MatMut<'_, f64>, diag: &mut Diagnostics) -> Option<String> {
    if let Some(reason) = non_finite_hessian(h.as_ref()) {
        return Some(reason);
    }
    diag.symmetrized = descent_linalg::symmetrize(h);
    None
}

/// If the Hessian the objective returned at an iterate has a NaN or infinite
/// entry, the reason to stop, naming the first one (column by column).
///
/// A non-finite Hessian at an iterate is numerical trouble of the run (an
/// overflow far from the start), not malformed input, so the methods stop with
/// this reason and keep the run's result.
fn non_finite_hessian(h: MatRef<'_, f64>) -> Option<String> {
    for j in 0..h.ncols() {
        for i in 0..h.nrows() {
            let v = h[(i, j)];
            if !v.is_finite() {
                return Some(format!(
                    "the Hessian at the iterate has entry ({i}, {j}) = {}",
                    display_number(v)
                ));
            }
        }
    }
    None
}

/// What Newton does when `∇²f(x)` is not positive definite (the Cholesky
/// factorisation meets a non-positive pivot).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum IndefiniteHessian {
    /// Stop with [`StepOutcome::Stop`] naming the pivot (pure Newton, to show
    /// the failure).
    Fail,
    /// Solve `H p = −∇f` anyway by the Bunch–Kaufman factorisation: the raw
    /// Newton step, which jumps to the stationary point of the local quadratic
    /// model — a saddle or a maximum as readily as a minimum. Recorded as
    /// fallback `"indefinite solve"`.
    SolveIndefinite,
    /// Levenberg–Marquardt damping: solve `(H + λI) p = −∇f`, raising λ ×10
    /// until the factorisation succeeds, and adapt λ from the gain ratio
    /// `ρ = (f(x) − f(x + p)) / (m(0) − m(p))` by Nielsen's rule
    /// (`ρ > 0`: accept, `λ ← λ·max(⅓, 1 − (2ρ − 1)³)`; otherwise reject,
    /// `λ ← νλ`, `ν ← 2ν`). Reference: Nielsen (1999), IMM-REP-1999-05; Madsen,
    /// Nielsen & Tingleff, *Methods for non-linear least squares* (2004), §3.2.
    LevenbergMarquardt {
        /// λ₀ ≥ 0 (0: pure Newton while H stays positive definite).
        initial_damping: f64,
    },
    /// Fixed damping: always solve `(H + λI) p = −∇f` with the same λ, the
    /// lecture's Levenberg–Marquardt step `w ← w − f′/(f″ + λ)`. Near a minimum
    /// with Hessian `H*` it converges linearly, the error along eigenvector i
    /// shrinking by `λ/(λ_i + λ)` per step. Stops (naming the pivot) when
    /// `H + λI` is not positive definite.
    FixedDamping {
        /// λ ≥ 0.
        lambda: f64,
    },
    /// Modified Cholesky by added multiple of the identity (N&W Alg. 3.3):
    /// `τ₀ = 0` if `min H_ii > 0`, else `β − min H_ii`; factor `H + τI`,
    /// `τ ← max(2τ, β)` until it succeeds. Typically `β = 10⁻³`.
    ModifiedCholesky {
        /// β > 0.
        beta: f64,
    },
    /// Eigenvalue modification `|H| = V diag(max(|λ_i|, δ)) Vᵀ`: the
    /// saddle-free Newton step of Dauphin et al., *Identifying and attacking
    /// the saddle point problem*, NeurIPS 2014, which moves away from saddles
    /// along negative-curvature directions.
    EigenvalueModification {
        /// δ > 0, the floor on `|λ_i|`.
        floor: f64,
    },
}

impl IndefiniteHessian {
    fn label(&self) -> &'static str {
        match self {
            Self::Fail => "pure",
            Self::SolveIndefinite => "indefinite solve",
            Self::LevenbergMarquardt { .. } => "Levenberg–Marquardt",
            Self::FixedDamping { .. } => "fixed damping",
            Self::ModifiedCholesky { .. } => "modified Cholesky",
            Self::EigenvalueModification { .. } => "saddle-free",
        }
    }
}

/// Newton's method: solve `∇²f(x) p = −∇f(x)` by Cholesky, `x ← x + η p`
/// (`η = 1` by default), optionally with an Armijo backtracking line search
/// from `α₀ = η` for global convergence.
///
/// Requires the dense Hessian. Records the damping λ or τ, the step length,
/// backtracks (the Armijo search's rejected trial steps; 0 without a line
/// search) and which fallback fired. Never inverts `H`. A Hessian with a NaN or
/// infinite entry at an iterate stops the run with the entry named (the run's
/// result is kept); a non-symmetric one is an error.
///
/// References: Nocedal & Wright (2006), §3.3–3.4; Dauphin et al. (2014).
#[derive(Debug, Clone)]
pub struct Newton {
    learning_rate: f64,
    strategy: IndefiniteHessian,
    line_search: Option<Armijo>,
    lambda: f64,
    nu: f64,
    h: Mat<f64>,
    damped: Mat<f64>,
    p: Vec<f64>,
    work: Vec<f64>,
    x_new: Vec<f64>,
    g_new: Vec<f64>,
}

const OWNER: &str = "Newton";

/// Levenberg–Marquardt gives up when rejections have raised λ past this: the
/// step `−(H + λI)⁻¹∇f ≈ −∇f/λ` is then below rounding of any sane x.
const MAX_DAMPING: f64 = 1e100;

impl Newton {
    /// Pure Newton: `η = 1`, [`IndefiniteHessian::Fail`], no line search.
    pub fn pure() -> Self {
        Self::build(1.0, IndefiniteHessian::Fail, None)
    }

    /// Newton with step `η` and the given indefiniteness strategy.
    ///
    /// # Errors
    /// [`Error::Hyperparameter`] for `η ≤ 0`, a negative damping λ₀, `β ≤ 0` or
    /// `δ ≤ 0`.
    pub fn new(learning_rate: f64, strategy: IndefiniteHessian) -> Result<Self, Error> {
        validate::positive(OWNER, "η", learning_rate)?;
        match strategy {
            IndefiniteHessian::LevenbergMarquardt { initial_damping } => {
                validate::non_negative(OWNER, "damping λ₀", initial_damping)?;
            }
            IndefiniteHessian::FixedDamping { lambda } => {
                validate::non_negative(OWNER, "damping λ", lambda)?;
            }
            IndefiniteHessian::ModifiedCholesky { beta } => {
                validate::positive(OWNER, "modified-Cholesky β", beta)?;
            }
            IndefiniteHessian::EigenvalueModification { floor } => {
                validate::positive(OWNER, "eigenvalue floor δ", floor)?;
            }
            IndefiniteHessian::Fail | IndefiniteHessian::SolveIndefinite => {}
        }
        Ok(Self::build(learning_rate, strategy, None))
    }

    /// The safeguarded Newton method: modified Cholesky (β = 10⁻³) with an
    /// Armijo line search (c₁ = 10⁻⁴, ρ = ½) from α₀ = 1 — N&W Alg. 3.2.
    pub fn safeguarded() -> Self {
        Self::build(
            1.0,
            IndefiniteHessian::ModifiedCholesky { beta: 1e-3 },
            Some(Armijo::default()),
        )
    }

    /// Add an Armijo backtracking line search starting from `α₀ = η`.
    pub fn with_line_search(mut self, search: Armijo) -> Self {
        self.line_search = Some(search);
        self
    }

    /// The indefiniteness strategy.
    pub fn strategy(&self) -> IndefiniteHessian {
        self.strategy
    }

    fn build(learning_rate: f64, strategy: IndefiniteHessian, line_search: Option<Armijo>) -> Self {
        let lambda = match strategy {
            IndefiniteHessian::LevenbergMarquardt { initial_damping } => initial_damping,
            IndefiniteHessian::FixedDamping { lambda } => lambda,
            _ => 0.0,
        };
        Self {
            learning_rate,
            strategy,
            line_search,
            lambda,
            nu: 2.0,
            h: Mat::zeros(0, 0),
            damped: Mat::zeros(0, 0),
            p: Vec::new(),
            work: Vec::new(),
            x_new: Vec::new(),
            g_new: Vec::new(),
        }
    }

    /// Factor `H + shift·I` (into `damped` when shift > 0).
    fn factor_shifted(&mut self, shift: f64) -> Result<Cholesky, LinalgError> {
        if shift == 0.0 {
            return Cholesky::factor(self.h.as_ref());
        }
        self.damped.copy_from(self.h.as_ref());
        let n = self.damped.nrows();
        for j in 0..n {
            self.damped[(j, j)] += shift;
            // Mirror the lower triangle, which Cholesky reads, into the upper:
            // a shift that cancels large diagonal entries would otherwise make
            // rounding-level asymmetry of H fail the relative symmetry check.
            for i in j + 1..n {
                self.damped[(j, i)] = self.damped[(i, j)];
            }
        }
        Cholesky::factor(self.damped.as_ref())
    }

    /// Fill `p` with the search direction; `Ok(Err(reason))` asks to stop.
    fn direction(
        &mut self,
        grad: &[f64],
        diag: &mut Diagnostics,
    ) -> Result<Result<(), String>, Error> {
        for (pi, gi) in self.p.iter_mut().zip(grad) {
            *pi = -gi;
        }
        let chol = match self.strategy {
            IndefiniteHessian::Fail | IndefiniteHessian::SolveIndefinite => {
                match self.factor_shifted(0.0) {
                    Ok(c) => c,
                    Err(LinalgError::NotPositiveDefinite { pivot, .. }) => {
                        if self.strategy == IndefiniteHessian::Fail {
                            return Ok(Err(format!(
                                "Hessian is not positive definite (Cholesky pivot {pivot} is not positive)"
                            )));
                        }
                        diag.fallback = Some("indefinite solve");
                        diag.negative_curvature = true;
                        let p = SymmetricIndefinite::factor(self.h.as_ref())?.solve(&self.p);
                        match p {
                            Ok(p) => self.p.copy_from_slice(&p),
                            Err(e) => return Ok(Err(e.to_string())),
                        }
                        return Ok(Ok(()));
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            IndefiniteHessian::LevenbergMarquardt { .. } => {
                let scale = (0..self.h.nrows())
                    .map(|i| self.h[(i, i)].abs())
                    .fold(1.0, f64::max);
                let mut raised = false;
                let chol = loop {
                    match self.factor_shifted(self.lambda) {
                        Ok(c) => break c,
                        Err(LinalgError::NotPositiveDefinite { .. }) => {
                            raised = true;
                            self.lambda = (10.0 * self.lambda).max(1e-3 * scale);
                        }
                        Err(e) => return Err(e.into()),
                    }
                };
                if raised {
                    diag.fallback = Some("damping raised until positive definite");
                    diag.negative_curvature = true;
                }
                diag.damping = Some(self.lambda);
                chol
            }
            IndefiniteHessian::FixedDamping { lambda } => match self.factor_shifted(lambda) {
                Ok(c) => {
                    diag.damping = Some(lambda);
                    c
                }
                Err(LinalgError::NotPositiveDefinite { pivot, .. }) => {
                    return Ok(Err(format!(
                        "H + λI with λ = {} is not positive definite (Cholesky pivot {pivot} is not positive)",
                        display_number(lambda)
                    )));
                }
                Err(e) => return Err(e.into()),
            },
            IndefiniteHessian::ModifiedCholesky { beta } => {
                let min_diag = (0..self.h.nrows())
                    .map(|i| self.h[(i, i)])
                    .fold(f64::INFINITY, f64::min);
                let mut tau = if min_diag > 0.0 { 0.0 } else { beta - min_diag };
                let chol = loop {
                    match self.factor_shifted(tau) {
                        Ok(c) => break c,
                        Err(LinalgError::NotPositiveDefinite { .. }) => tau = (2.0 * tau).max(beta),
                        Err(e) => return Err(e.into()),
                    }
                };
                if tau > 0.0 {
                    // τ > 0 only when H is not positive definite.
                    diag.fallback = Some("modified Cholesky");
                    diag.negative_curvature = true;
                    diag.damping = Some(tau);
                }
                chol
            }
            IndefiniteHessian::EigenvalueModification { floor } => {
                // p = −V diag(1/max(|λ_i|, δ)) Vᵀ ∇f.
                let eig = SymmetricEigen::new(self.h.as_ref())?;
                if eig.values[0] <= 0.0 {
                    diag.fallback = Some("eigenvalue modification");
                    diag.negative_curvature = true;
                }
                vecmat(grad, eig.vectors.as_ref(), &mut self.work);
                for (t, l) in self.work.iter_mut().zip(&eig.values) {
                    *t = -*t / l.abs().max(floor);
                }
                matvec(eig.vectors.as_ref(), &self.work, &mut self.p);
                return Ok(Ok(()));
            }
        };
        chol.solve_in_place(&mut self.p);
        Ok(Ok(()))
    }
}

impl Optimizer for Newton {
    fn name(&self) -> String {
        let ls = if self.line_search.is_some() {
            " + Armijo"
        } else {
            ""
        };
        format!(
            "Newton ({}) η={}{ls}",
            self.strategy.label(),
            self.learning_rate
        )
    }

    fn requirements(&self) -> Requirements {
        Requirements {
            hessian: true,
            hessian_vector_product: false,
        }
    }

    fn init(&mut self, _eval: &mut Evaluator<'_>, state: &State) -> Result<(), Error> {
        let n = state.x.len();
        self.h = Mat::zeros(n, n);
        if matches!(
            self.strategy,
            IndefiniteHessian::LevenbergMarquardt { .. }
                | IndefiniteHessian::FixedDamping { .. }
                | IndefiniteHessian::ModifiedCholesky { .. }
        ) {
            self.damped = Mat::zeros(n, n);
        }
        self.p = vec![0.0; n];
        self.work = vec![0.0; n];
        self.x_new = vec![0.0; n];
        self.g_new = vec![0.0; n];
        if let IndefiniteHessian::LevenbergMarquardt { initial_damping } = self.strategy {
            self.lambda = initial_damping;
            self.nu = 2.0;
        }
        Ok(())
    }

    fn step(&mut self, eval: &mut Evaluator<'_>, state: &mut State) -> Result<StepOutcome, Error> {
        let mut diag = Diagnostics::default();
        eval.hessian(&state.x, self.h.as_mut())?;
        if let Some(reason) = prepare_hessian(self.h.as_mut(), &mut diag) {
            return Ok(StepOutcome::Stop {
                reason,
                diagnostics: diag,
            });
        }
        if let Err(reason) = self.direction(&state.grad, &mut diag)? {
            return Ok(StepOutcome::Stop {
                reason,
                diagnostics: diag,
            });
        }
        let ray = Ray {
            x: &state.x,
            f: state.f,
            grad: &state.grad,
            direction: &self.p,
        };
        let report = match &self.line_search {
            Some(search) => {
                if let Some(reason) = crate::globalise::not_a_descent_direction("Newton", &ray) {
                    return Ok(crate::globalise::stop(reason, diag));
                }
                search.search(
                    eval,
                    &ray,
                    self.learning_rate,
                    &mut self.x_new,
                    &mut self.g_new,
                )?
            }
            None => fixed_step(
                eval,
                &ray,
                self.learning_rate,
                &mut self.x_new,
                &mut self.g_new,
            )?,
        };
        diag.learning_rate = Some(report.step);
        diag.backtracks = Some(report.rejected_trials());
        if let Some(reason) = crate::globalise::no_acceptable_step(&report) {
            return Ok(crate::globalise::stop(reason, diag));
        }
        if let IndefiniteHessian::LevenbergMarquardt { .. } = self.strategy {
            // Gain ratio against the undamped quadratic model m(s) = gᵀs + ½ sᵀHs, s = α p.
            let alpha = report.step;
            matvec(self.h.as_ref(), &self.p, &mut self.work);
            let predicted = -(alpha * dot(&state.grad, &self.p)
                + 0.5 * alpha * alpha * dot(&self.p, &self.work));
            if (predicted <= 0.0 || predicted.is_nan()) && report.value <= state.f {
                // At a stationary point to working precision the model
                // predicts no decrease; the ratio is 0/0. The step did not
                // increase f, so take it and leave λ alone (rejecting it would
                // double λ on every step until it overflows).
                diag.damping = Some(self.lambda);
            } else {
                let rho = (state.f - report.value) / predicted;
                diag.gain_ratio = Some(rho);
                if rho > 0.0 && report.value.is_finite() {
                    self.lambda *= (1.0 - (2.0 * rho - 1.0).powi(3)).max(1.0 / 3.0);
                    self.nu = 2.0;
                } else {
                    self.lambda = (self.lambda * self.nu).max(1e-8);
                    self.nu *= 2.0;
                    diag.rejected = true;
                    diag.damping = Some(self.lambda);
                    if self.lambda > MAX_DAMPING || self.lambda.is_nan() {
                        let reason = format!(
                            "Levenberg–Marquardt: damping λ = {} exceeds {}, no step decreases f",
                            display_number(self.lambda),
                            display_number(MAX_DAMPING)
                        );
                        return Ok(StepOutcome::Stop {
                            reason,
                            diagnostics: diag,
                        });
                    }
                    return Ok(StepOutcome::Continue(diag));
                }
            }
        }
        state.x.copy_from_slice(&self.x_new);
        state.grad.copy_from_slice(&self.g_new);
        state.f = report.value;
        Ok(StepOutcome::Continue(diag))
    }
}
