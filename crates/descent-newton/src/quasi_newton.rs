//! Quasi-Newton methods: BFGS, DFP and SR1 on a dense matrix, and L-BFGS's
//! two-loop recursion in O(mn), each paired with the strong-Wolfe line search.
//!
//! With `s = x_{k+1} − x_k` and `y = ∇f_{k+1} − ∇f_k`, every update makes the
//! approximation satisfy the secant equation (`H y = s` for an inverse
//! approximation H, `B s = y` for a direct one B). BFGS and DFP keep H
//! symmetric positive definite exactly when the curvature condition `sᵀy > 0`
//! holds; otherwise the update is skipped or Powell-damped (recorded).
//!
//! References: Nocedal & Wright (2006), §6.1 (BFGS, eq. 6.17, scaling 6.20),
//! §6.2 (SR1, skip rule 6.26), §7.2 (L-BFGS, Alg. 7.4–7.5), §18.3 (Powell's
//! damping, Procedure 18.2); Davidon (1959), Fletcher & Powell (1963) for DFP.

use descent_core::{
    Diagnostics, Error, Evaluator, Optimizer, State, StepOutcome, display_number, validate,
};
use descent_gd::line_search::{LineSearchReport, Ray, StrongWolfe};
use descent_linalg::{Cholesky, Mat, MatMut, axpy, dot, matvec, norm_2, outer_add, sub};

/// `H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ` with `ρ = 1/yᵀs` (N&W eq. 6.17),
/// expanded as `H − ρ(s (Hy)ᵀ + (Hy) sᵀ) + (ρ² yᵀHy + ρ) s sᵀ`; `hy` is an
/// n-vector of workspace. Keeps H SPD when H is SPD and `yᵀs > 0`.
///
/// # Panics
/// On mismatched lengths (buffers the caller sized).
pub fn bfgs_inverse_update(mut h: MatMut<'_, f64>, s: &[f64], y: &[f64], hy: &mut [f64]) {
    let rho = 1.0 / dot(y, s);
    matvec(h.as_ref(), y, hy);
    let yhy = dot(y, hy);
    outer_add(-rho, s, hy, h.as_mut());
    outer_add(-rho, hy, s, h.as_mut());
    outer_add(rho * rho * yhy + rho, s, s, h);
}

/// DFP: `H ← H − (Hy)(Hy)ᵀ / yᵀHy + s sᵀ / yᵀs` (Davidon–Fletcher–Powell; N&W
/// eq. 6.15). Keeps H SPD when H is SPD and `yᵀs > 0`.
///
/// # Panics
/// On mismatched lengths.
pub fn dfp_inverse_update(mut h: MatMut<'_, f64>, s: &[f64], y: &[f64], hy: &mut [f64]) {
    matvec(h.as_ref(), y, hy);
    let yhy = dot(y, hy);
    outer_add(-1.0 / yhy, hy, hy, h.as_mut());
    outer_add(1.0 / dot(y, s), s, s, h);
}

/// The SR1 skip threshold r of N&W eq. 6.26.
pub const SR1_SKIP_THRESHOLD: f64 = 1e-8;

/// Symmetric rank one on a direct approximation:
/// `B ← B + (y − Bs)(y − Bs)ᵀ / (y − Bs)ᵀs`, skipped when
/// `|sᵀ(y − Bs)| < r ‖s‖ ‖y − Bs‖` (N&W eq. 6.24, 6.26). `v` is workspace and
/// holds `y − Bs` on return. Returns whether the update was applied (`y = Bs`
/// already: nothing to add, counted as applied).
///
/// # Panics
/// On mismatched lengths.
pub fn sr1_update(b: MatMut<'_, f64>, s: &[f64], y: &[f64], r: f64, v: &mut [f64]) -> bool {
    matvec(b.as_ref(), s, v);
    for (vi, yi) in v.iter_mut().zip(y) {
        *vi = yi - *vi;
    }
    let denominator = dot(s, v);
    let v_norm = norm_2(v);
    if denominator.abs() < r * norm_2(s) * v_norm {
        return false;
    }
    if v_norm > 0.0 {
        outer_add(1.0 / denominator, v, v, b);
    }
    true
}

/// Which dense quasi-Newton update.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuasiNewtonUpdate {
    /// BFGS on the inverse Hessian H.
    Bfgs,
    /// DFP on the inverse Hessian H.
    Dfp,
    /// SR1 on the Hessian B; the direction solves `B p = −∇f` by Cholesky, and
    /// falls back to `−∇f` (recorded) when B is not positive definite.
    Sr1,
}

/// How BFGS and DFP keep the approximation positive definite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CurvatureSafeguard {
    /// Skip the update when the curvature condition `sᵀy > ε ‖s‖ ‖y‖` fails
    /// (recorded as `skipped_update`).
    Skip,
    /// Powell's damping (N&W Procedure 18.2), applied whenever
    /// `sᵀy < 0.2 sᵀBs` (not only when the curvature condition fails: under
    /// the strong Wolfe conditions `sᵀy > 0` always holds, and damping would
    /// otherwise never fire): replace y by `r = θ y + (1 − θ) B s` with
    /// `θ = 0.8 sᵀBs / (sᵀBs − sᵀy)` ([`powell_damping_factor`]), so that
    /// `sᵀr = 0.2 sᵀBs > 0`. Here B = H⁻¹ is the approximation that produced
    /// the step, and `B s = −α ∇f_k` since `s = α p = −α H ∇f_k`: no solve is
    /// needed. Recorded as fallback `"Powell damping"`. The skip test still
    /// guards against a non-finite or non-positive `sᵀr`. (L-BFGS always skips.)
    PowellDamping,
}

/// Powell's damping factor (N&W Procedure 18.2, eq. 18.15):
/// `θ = 1` if `sᵀy ≥ 0.2 sᵀBs`, else `θ = 0.8 sᵀBs / (sᵀBs − sᵀy)`; then
/// `r = θ y + (1 − θ) B s` has `sᵀr = 0.2 sᵀBs` in the damped case. Returns 1
/// (no damping) when `sᵀBs` is not finite and positive.
pub fn powell_damping_factor(s_dot_y: f64, s_dot_bs: f64) -> f64 {
    if !(s_dot_bs.is_finite() && s_dot_bs > 0.0) || s_dot_y >= 0.2 * s_dot_bs {
        1.0
    } else {
        0.8 * s_dot_bs / (s_dot_bs - s_dot_y)
    }
}

/// The curvature threshold ε of the skip test `sᵀy ≤ ε ‖s‖ ‖y‖`.
pub const CURVATURE_EPSILON: f64 = 1e-10;

/// A dense quasi-Newton method (BFGS, DFP or SR1) with the strong-Wolfe line
/// search (c₁ = 10⁻⁴, c₂ = 0.9).
///
/// The first approximation is the identity; after the first step it is scaled
/// to `(yᵀs / yᵀy) I` (N&W eq. 6.20) before the first update (`(yᵀy / yᵀs) I`
/// for SR1's B). The first trial step is `min(1, 1/‖∇f‖)` on the identity, 1
/// after. If the line search finds no step, the approximation is reset to the
/// identity once and the search retried along `−∇f` (fallback
/// `"reset to steepest descent"`). The record's `backtracks` counts the line
/// searches' rejected trial steps ([`LineSearchReport::rejected_trials`]).
/// O(n²) memory and work per step.
#[derive(Debug, Clone)]
pub struct QuasiNewton {
    update: QuasiNewtonUpdate,
    safeguard: CurvatureSafeguard,
    line_search: StrongWolfe,
    matrix: Mat<f64>,
    scaled: bool,
    p: Vec<f64>,
    s: Vec<f64>,
    y: Vec<f64>,
    work: Vec<f64>,
    x_new: Vec<f64>,
    g_new: Vec<f64>,
}

impl QuasiNewton {
    /// BFGS with skipping.
    pub fn bfgs() -> Self {
        Self::new(QuasiNewtonUpdate::Bfgs, CurvatureSafeguard::Skip)
    }
    /// DFP with skipping.
    pub fn dfp() -> Self {
        Self::new(QuasiNewtonUpdate::Dfp, CurvatureSafeguard::Skip)
    }
    /// SR1 with the skip rule r = 10⁻⁸.
    pub fn sr1() -> Self {
        Self::new(QuasiNewtonUpdate::Sr1, CurvatureSafeguard::Skip)
    }
    /// Any update with any safeguard (the safeguard does not apply to SR1,
    /// which has its own skip rule).
    pub fn new(update: QuasiNewtonUpdate, safeguard: CurvatureSafeguard) -> Self {
        Self {
            update,
            safeguard,
            line_search: StrongWolfe::default(),
            matrix: Mat::zeros(0, 0),
            scaled: false,
            p: Vec::new(),
            s: Vec::new(),
            y: Vec::new(),
            work: Vec::new(),
            x_new: Vec::new(),
            g_new: Vec::new(),
        }
    }
    /// Use another strong-Wolfe search (e.g. other c₁, c₂).
    pub fn with_line_search(mut self, search: StrongWolfe) -> Self {
        self.line_search = search;
        self
    }
    /// The current approximation: the inverse Hessian H (BFGS, DFP) or the
    /// Hessian B (SR1).
    pub fn approximation(&self) -> &Mat<f64> {
        &self.matrix
    }

    fn reset(&mut self) {
        let n = self.matrix.nrows();
        self.matrix = Mat::identity(n, n);
        self.scaled = false;
    }

    /// `p = −H g`, or `B p = −g` for SR1; `false` if it is not a descent direction.
    fn direction(&mut self, grad: &[f64], diag: &mut Diagnostics) -> bool {
        match self.update {
            QuasiNewtonUpdate::Bfgs | QuasiNewtonUpdate::Dfp => {
                matvec(self.matrix.as_ref(), grad, &mut self.p);
                for pi in &mut self.p {
                    *pi = -*pi;
                }
            }
            QuasiNewtonUpdate::Sr1 => {
                for (pi, gi) in self.p.iter_mut().zip(grad) {
                    *pi = -gi;
                }
                match Cholesky::factor(self.matrix.as_ref()) {
                    Ok(chol) => chol.solve_in_place(&mut self.p),
                    Err(_) => {
                        diag.fallback = Some("steepest descent (SR1 matrix not positive definite)");
                        diag.negative_curvature = true;
                    }
                }
            }
        }
        let slope = dot(grad, &self.p);
        slope < 0.0 && slope.is_finite()
    }

    /// The stop when even −∇f is no descent direction (∇f = 0 with the
    /// gradient tolerance off, or ‖∇f‖ overflowing).
    fn no_descent(&self, grad: &[f64], diagnostics: Diagnostics) -> StepOutcome {
        StepOutcome::Stop {
            reason: format!(
                "{}: −∇f is not a descent direction: ∇fᵀp = {}",
                self.name(),
                display_number(dot(grad, &self.p))
            ),
            diagnostics,
        }
    }

    fn search(
        &mut self,
        eval: &mut Evaluator<'_>,
        state: &State,
    ) -> Result<LineSearchReport, Error> {
        let alpha0 = if self.scaled {
            1.0
        } else {
            first_trial_step(&state.grad)
        };
        let ray = Ray {
            x: &state.x,
            f: state.f,
            grad: &state.grad,
            direction: &self.p,
        };
        self.line_search
            .search(eval, &ray, alpha0, &mut self.x_new, &mut self.g_new)
    }

    fn update_matrix(&mut self, grad_old: &[f64], alpha: f64, diag: &mut Diagnostics) {
        let (s, y) = (&self.s, &mut self.y);
        let sy = dot(s, y);
        match self.update {
            QuasiNewtonUpdate::Sr1 => {
                if !self.scaled && sy > 0.0 {
                    let gamma = dot(y, y) / sy;
                    self.matrix =
                        Mat::from_fn(s.len(), s.len(), |i, j| if i == j { gamma } else { 0.0 });
                    self.scaled = true;
                }
                self.scaled = true;
                diag.skipped_update = !sr1_update(
                    self.matrix.as_mut(),
                    s,
                    y,
                    SR1_SKIP_THRESHOLD,
                    &mut self.work,
                );
            }
            QuasiNewtonUpdate::Bfgs | QuasiNewtonUpdate::Dfp => {
                if self.safeguard == CurvatureSafeguard::PowellDamping {
                    // B s = −α ∇f_k, sᵀBs = −α sᵀ∇f_k > 0 for a descent step.
                    let sbs = -alpha * dot(s, grad_old);
                    let theta = powell_damping_factor(sy, sbs);
                    if theta < 1.0 {
                        // y ← θ y + (1 − θ) B s.
                        for (yi, gi) in y.iter_mut().zip(grad_old) {
                            *yi = theta * *yi - (1.0 - theta) * alpha * gi;
                        }
                        diag.fallback = Some("Powell damping");
                    }
                }
                let sy = dot(s, y);
                let threshold = CURVATURE_EPSILON * norm_2(s) * norm_2(y);
                if sy.is_nan() || sy <= threshold {
                    diag.skipped_update = true;
                    return;
                }
                if !self.scaled {
                    let gamma = sy / dot(y, y);
                    for i in 0..s.len() {
                        self.matrix[(i, i)] = gamma;
                    }
                    self.scaled = true;
                }
                match self.update {
                    QuasiNewtonUpdate::Bfgs => {
                        bfgs_inverse_update(self.matrix.as_mut(), s, y, &mut self.work)
                    }
                    _ => dfp_inverse_update(self.matrix.as_mut(), s, y, &mut self.work),
                }
            }
        }
    }
}

impl Optimizer for QuasiNewton {
    fn name(&self) -> String {
        match self.update {
            QuasiNewtonUpdate::Bfgs => "BFGS".to_owned(),
            QuasiNewtonUpdate::Dfp => "DFP".to_owned(),
            QuasiNewtonUpdate::Sr1 => "SR1".to_owned(),
        }
    }

    fn init(&mut self, _eval: &mut Evaluator<'_>, state: &State) -> Result<(), Error> {
        let n = state.x.len();
        self.matrix = Mat::identity(n, n);
        self.scaled = false;
        for v in [
            &mut self.p,
            &mut self.s,
            &mut self.y,
            &mut self.work,
            &mut self.x_new,
            &mut self.g_new,
        ] {
            *v = vec![0.0; n];
        }
        Ok(())
    }

    fn step(&mut self, eval: &mut Evaluator<'_>, state: &mut State) -> Result<StepOutcome, Error> {
        let mut diag = Diagnostics::default();
        if !self.direction(&state.grad, &mut diag) {
            self.reset();
            diag.fallback = Some("reset to steepest descent");
            if !self.direction(&state.grad, &mut diag) {
                return Ok(self.no_descent(&state.grad, diag));
            }
        }
        let mut report = self.search(eval, state)?;
        // Trial steps evaluated and not taken, over both searches when the first failed.
        let mut rejected = 0;
        if !report.sufficient_decrease && self.scaled && !eval.exhausted() {
            rejected += report.rejected_trials();
            self.reset();
            diag.fallback = Some("reset to steepest descent");
            if !self.direction(&state.grad, &mut diag) {
                return Ok(self.no_descent(&state.grad, diag));
            }
            report = self.search(eval, state)?;
        }
        diag.learning_rate = Some(report.step);
        diag.backtracks = Some(rejected + report.rejected_trials());
        if !report.sufficient_decrease {
            let reason = format!(
                "strong Wolfe line search found no acceptable step (last α = {:e})",
                report.step
            );
            return Ok(StepOutcome::Stop {
                reason,
                diagnostics: diag,
            });
        }
        sub(&self.x_new, &state.x, &mut self.s);
        sub(&self.g_new, &state.grad, &mut self.y);
        self.update_matrix(&state.grad, report.step, &mut diag);
        state.x.copy_from_slice(&self.x_new);
        state.grad.copy_from_slice(&self.g_new);
        state.f = report.value;
        Ok(StepOutcome::Continue(diag))
    }
}

/// Limited-memory BFGS (N&W Alg. 7.4–7.5): the product `H ∇f` by the two-loop
/// recursion over the last m pairs `(s_i, y_i)`, with `H₀ = γ I`,
/// `γ = sᵀy / yᵀy` of the newest pair; pairs failing `sᵀy > ε ‖s‖ ‖y‖` are not
/// stored (recorded as `skipped_update`). Strong-Wolfe line search, first trial
/// `min(1, 1/‖∇f‖)` while the memory is empty, 1 after. The record's
/// `backtracks` counts the line search's rejected trial steps
/// ([`LineSearchReport::rejected_trials`]).
///
/// O(mn) work and memory; the 2m vectors are allocated in `init` and reused
/// as a ring (no allocation per step). Reference: Liu & Nocedal,
/// *Math. Programming* 45 (1989).
#[derive(Debug, Clone)]
pub struct Lbfgs {
    memory: usize,
    line_search: StrongWolfe,
    s: Vec<Vec<f64>>,
    y: Vec<Vec<f64>>,
    rho: Vec<f64>,
    alpha: Vec<f64>,
    len: usize,
    newest: usize,
    p: Vec<f64>,
    s_new: Vec<f64>,
    y_new: Vec<f64>,
    x_new: Vec<f64>,
    g_new: Vec<f64>,
}

impl Lbfgs {
    /// L-BFGS with memory `m ≥ 1` (typically 5–20).
    ///
    /// # Errors
    /// [`Error::Hyperparameter`] for `m = 0`: "L-BFGS: memory m must be ≥ 1, got 0".
    pub fn new(memory: usize) -> Result<Self, Error> {
        validate::at_least("L-BFGS", "memory m", memory, 1)?;
        Ok(Self {
            memory,
            line_search: StrongWolfe::default(),
            s: Vec::new(),
            y: Vec::new(),
            rho: Vec::new(),
            alpha: Vec::new(),
            len: 0,
            newest: 0,
            p: Vec::new(),
            s_new: Vec::new(),
            y_new: Vec::new(),
            x_new: Vec::new(),
            g_new: Vec::new(),
        })
    }

    /// Use another strong-Wolfe search.
    pub fn with_line_search(mut self, search: StrongWolfe) -> Self {
        self.line_search = search;
        self
    }

    /// Pairs currently stored (≤ m).
    pub fn stored_pairs(&self) -> usize {
        self.len
    }

    /// `out ← H_k v` by the two-loop recursion (N&W Alg. 7.4) over the stored
    /// pairs, with `H₀ = γ I`, `γ = sᵀy / yᵀy` of the newest pair (`H = I` while
    /// the memory is empty). Equal to the dense BFGS inverse built from the same
    /// `H₀` by [`bfgs_inverse_update`] over the same pairs, oldest first.
    ///
    /// # Panics
    /// If `v` or `out` is not of the length `init` sized (the run's dimension).
    pub fn apply_inverse_hessian(&mut self, v: &[f64], out: &mut [f64]) {
        // `p` is scratch between steps (each step recomputes it).
        self.two_loop(v);
        assert_eq!(
            out.len(),
            self.p.len(),
            "L-BFGS: output of the wrong length"
        );
        for (o, pi) in out.iter_mut().zip(&self.p) {
            *o = -pi;
        }
    }

    /// `p = −H g` by the two-loop recursion.
    fn two_loop(&mut self, grad: &[f64]) {
        let q = &mut self.p;
        q.copy_from_slice(grad);
        let m = self.memory;
        // Newest to oldest.
        for k in 0..self.len {
            let i = (self.newest + m - k) % m;
            let a = self.rho[i] * dot(&self.s[i], q);
            self.alpha[i] = a;
            axpy(-a, &self.y[i], q);
        }
        if self.len > 0 {
            let i = self.newest;
            let gamma = 1.0 / (self.rho[i] * dot(&self.y[i], &self.y[i]));
            for qi in q.iter_mut() {
                *qi *= gamma;
            }
        }
        // Oldest to newest.
        for k in (0..self.len).rev() {
            let i = (self.newest + m - k) % m;
            let b = self.rho[i] * dot(&self.y[i], q);
            axpy(self.alpha[i] - b, &self.s[i], q);
        }
        for qi in q.iter_mut() {
            *qi = -*qi;
        }
    }
}

impl Optimizer for Lbfgs {
    fn name(&self) -> String {
        format!("L-BFGS m={}", self.memory)
    }

    fn init(&mut self, _eval: &mut Evaluator<'_>, state: &State) -> Result<(), Error> {
        let n = state.x.len();
        self.s = vec![vec![0.0; n]; self.memory];
        self.y = vec![vec![0.0; n]; self.memory];
        self.rho = vec![0.0; self.memory];
        self.alpha = vec![0.0; self.memory];
        self.len = 0;
        self.newest = self.memory - 1;
        for v in [
            &mut self.p,
            &mut self.s_new,
            &mut self.y_new,
            &mut self.x_new,
            &mut self.g_new,
        ] {
            *v = vec![0.0; n];
        }
        Ok(())
    }

    fn step(&mut self, eval: &mut Evaluator<'_>, state: &mut State) -> Result<StepOutcome, Error> {
        let mut diag = Diagnostics::default();
        self.two_loop(&state.grad);
        let mut slope = dot(&state.grad, &self.p);
        let mut report = None;
        // Trial steps evaluated and not taken, over both searches when the first failed.
        let mut rejected = 0;
        if slope < 0.0 && slope.is_finite() {
            let alpha0 = if self.len > 0 {
                1.0
            } else {
                first_trial_step(&state.grad)
            };
            let ray = Ray {
                x: &state.x,
                f: state.f,
                grad: &state.grad,
                direction: &self.p,
            };
            let r =
                self.line_search
                    .search(eval, &ray, alpha0, &mut self.x_new, &mut self.g_new)?;
            if r.sufficient_decrease || self.len == 0 {
                report = Some(r);
            } else {
                rejected += r.rejected_trials();
            }
        }
        let report = match report {
            Some(r) => r,
            None => {
                // Forget the memory and search along −∇f.
                self.len = 0;
                diag.fallback = Some("reset to steepest descent");
                self.two_loop(&state.grad);
                slope = dot(&state.grad, &self.p);
                if !(slope < 0.0 && slope.is_finite()) {
                    return Ok(StepOutcome::Stop {
                        reason: format!("∇fᵀp = {} is not negative", display_number(slope)),
                        diagnostics: diag,
                    });
                }
                let alpha0 = first_trial_step(&state.grad);
                let ray = Ray {
                    x: &state.x,
                    f: state.f,
                    grad: &state.grad,
                    direction: &self.p,
                };
                self.line_search
                    .search(eval, &ray, alpha0, &mut self.x_new, &mut self.g_new)?
            }
        };
        diag.learning_rate = Some(report.step);
        diag.backtracks = Some(rejected + report.rejected_trials());
        if !report.sufficient_decrease {
            let reason = format!(
                "strong Wolfe line search found no acceptable step (last α = {:e})",
                report.step
            );
            return Ok(StepOutcome::Stop {
                reason,
                diagnostics: diag,
            });
        }
        sub(&self.x_new, &state.x, &mut self.s_new);
        sub(&self.g_new, &state.grad, &mut self.y_new);
        let sy = dot(&self.s_new, &self.y_new);
        if sy > CURVATURE_EPSILON * norm_2(&self.s_new) * norm_2(&self.y_new) {
            let slot = (self.newest + 1) % self.memory;
            std::mem::swap(&mut self.s[slot], &mut self.s_new);
            std::mem::swap(&mut self.y[slot], &mut self.y_new);
            self.rho[slot] = 1.0 / sy;
            self.newest = slot;
            self.len = (self.len + 1).min(self.memory);
        } else {
            diag.skipped_update = true;
        }
        state.x.copy_from_slice(&self.x_new);
        state.grad.copy_from_slice(&self.g_new);
        state.f = report.value;
        Ok(StepOutcome::Continue(diag))
    }
}

/// The first trial step along −∇f without curvature information,
/// `min(1, 1/‖∇f‖)`, kept positive when ‖∇f‖ overflows to ∞ (then the
/// smallest positive normal number, which the line search rejects as a step
/// that no longer moves x unless x is tiny).
fn first_trial_step(grad: &[f64]) -> f64 {
    let alpha = (1.0 / norm_2(grad)).min(1.0);
    if alpha > 0.0 {
        alpha
    } else {
        f64::MIN_POSITIVE
    }
}
