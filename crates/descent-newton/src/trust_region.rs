//! Trust-region Newton: minimise the quadratic model
//! `m(p) = f + ∇fᵀp + ½ pᵀBp` within `‖p‖ ≤ Δ`, accept the step by the gain
//! ratio `ρ = (f(x) − f(x + p)) / (m(0) − m(p))`, and adapt Δ.
//!
//! Subproblems: the dogleg (dense Hessian, N&W §4.1) and CG–Steihaug (Hessian-
//! vector products, N&W Alg. 7.2). Radius update (N&W Alg. 4.1): `ρ < ¼` →
//! `Δ ← ¼Δ`; `ρ > ¾` with the step on the boundary → `Δ ← min(2Δ, Δ_max)`;
//! the step is accepted when `ρ > 10⁻⁴`.

use descent_core::{
    Diagnostics, Error, Evaluator, Optimizer, Requirements, State, StepOutcome, display_number,
    validate,
};
use descent_linalg::{Cholesky, LinalgError, Mat, dot, matvec, norm_2};

use crate::cg::{CgWorkspace, steihaug_cg};
use crate::newton::prepare_hessian;
use crate::operator::{HessianAt, SymmetricOperator};

/// How the trust-region subproblem is solved.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Subproblem {
    /// The dogleg path from the Cauchy point `−(gᵀg/gᵀBg) g` to the Newton point
    /// `−B⁻¹g` (dense Hessian; when B is not positive definite, the Cauchy point
    /// `−τ Δ g/‖g‖`, recorded as a fallback).
    Dogleg,
    /// CG–Steihaug on Hessian-vector products to relative residual
    /// `min(η, √‖g‖)`.
    SteihaugCg {
        /// η ∈ (0, 1).
        forcing: f64,
    },
}

/// Trust-region Newton method.
///
/// With the dogleg, a Hessian with a NaN or infinite entry at an iterate
/// stops the run (naming the entry); a non-symmetric one is an error; only a
/// non-positive Cholesky pivot selects the Cauchy point.
#[derive(Debug, Clone)]
pub struct TrustRegion {
    subproblem: Subproblem,
    initial_radius: f64,
    max_radius: f64,
    radius: f64,
    h: Mat<f64>,
    p: Vec<f64>,
    bp: Vec<f64>,
    p_u: Vec<f64>,
    ws: CgWorkspace,
    x_new: Vec<f64>,
}

const OWNER: &str = "trust region";
/// Smallest gain ratio at which a step is accepted.
pub const ACCEPTANCE: f64 = 1e-4;

impl TrustRegion {
    /// A trust-region method with the given subproblem solver, initial radius
    /// `Δ₀ > 0` and largest radius `Δ_max ≥ Δ₀`.
    ///
    /// # Errors
    /// [`Error::Hyperparameter`] for `Δ₀ ≤ 0`, `Δ_max < Δ₀` or a forcing term
    /// outside (0, 1).
    pub fn new(
        subproblem: Subproblem,
        initial_radius: f64,
        max_radius: f64,
    ) -> Result<Self, Error> {
        validate::positive(OWNER, "initial radius Δ₀", initial_radius)?;
        validate::positive(OWNER, "max radius Δ_max", max_radius)?;
        if max_radius < initial_radius {
            return Err(Error::Hyperparameter {
                owner: OWNER,
                name: "max radius Δ_max",
                requirement: "≥ Δ₀",
                value: format!(
                    "{} with Δ₀ = {}",
                    display_number(max_radius),
                    display_number(initial_radius)
                ),
            });
        }
        if let Subproblem::SteihaugCg { forcing } = subproblem {
            validate::in_open_unit(OWNER, "CG forcing term η", forcing)?;
        }
        Ok(Self {
            subproblem,
            initial_radius,
            max_radius,
            radius: initial_radius,
            h: Mat::zeros(0, 0),
            p: Vec::new(),
            bp: Vec::new(),
            p_u: Vec::new(),
            ws: CgWorkspace::default(),
            x_new: Vec::new(),
        })
    }

    /// Dogleg with `Δ_max = 10¹⁰`.
    ///
    /// # Errors
    /// As [`TrustRegion::new`].
    pub fn dogleg(initial_radius: f64) -> Result<Self, Error> {
        Self::new(
            Subproblem::Dogleg,
            initial_radius,
            1e10f64.max(initial_radius),
        )
    }

    /// CG–Steihaug with `Δ_max = 10¹⁰`.
    ///
    /// # Errors
    /// As [`TrustRegion::new`].
    pub fn steihaug(initial_radius: f64, forcing: f64) -> Result<Self, Error> {
        Self::new(
            Subproblem::SteihaugCg { forcing },
            initial_radius,
            1e10f64.max(initial_radius),
        )
    }

    /// The current radius Δ.
    pub fn radius(&self) -> f64 {
        self.radius
    }

    /// Dogleg step into `p` (B in `h`, finite, `bp` as workspace); returns
    /// whether the Cauchy-point fallback fired (B not positive definite).
    ///
    /// # Errors
    /// A Hessian that is not symmetric (cannot happen after `prepare_hessian`
    /// symmetrised it); only a non-positive Cholesky pivot means "not
    /// positive definite".
    fn dogleg_step(&mut self, g: &[f64]) -> Result<bool, Error> {
        let delta = self.radius;
        let g_norm = norm_2(g);
        matvec(self.h.as_ref(), g, &mut self.bp);
        let gbg = dot(g, &self.bp);
        let newton = match Cholesky::factor(self.h.as_ref()) {
            Ok(chol) => Some(chol),
            Err(LinalgError::NotPositiveDefinite { .. }) => None,
            Err(e) => return Err(e.into()),
        };
        let Some(chol) = newton else {
            // Cauchy point (N&W eq. 4.11–4.12).
            let tau = if gbg <= 0.0 {
                1.0
            } else {
                (g_norm.powi(3) / (delta * gbg)).min(1.0)
            };
            for (pi, gi) in self.p.iter_mut().zip(g) {
                *pi = -tau * delta * gi / g_norm;
            }
            return Ok(true);
        };
        for (pi, gi) in self.p.iter_mut().zip(g) {
            *pi = -gi;
        }
        chol.solve_in_place(&mut self.p);
        if norm_2(&self.p) <= delta {
            return Ok(false);
        }
        let unconstrained = g_norm * g_norm / gbg;
        if unconstrained * g_norm >= delta {
            for (pi, gi) in self.p.iter_mut().zip(g) {
                *pi = -delta * gi / g_norm;
            }
            return Ok(false);
        }
        // p = p_U + s (p_B − p_U), s ∈ [0, 1], ‖p‖ = Δ; bp holds p_B − p_U temporarily.
        for (pu, gi) in self.p_u.iter_mut().zip(g) {
            *pu = -unconstrained * gi;
        }
        let p_u = &self.p_u;
        for ((d, pb), pu) in self.bp.iter_mut().zip(&self.p).zip(p_u) {
            *d = pb - pu;
        }
        let (dd, ud, uu) = (dot(&self.bp, &self.bp), dot(p_u, &self.bp), dot(p_u, p_u));
        let s = (-ud + (ud * ud + dd * (delta * delta - uu)).max(0.0).sqrt()) / dd;
        for ((pi, pu), d) in self.p.iter_mut().zip(p_u).zip(&self.bp) {
            *pi = pu + s * d;
        }
        Ok(false)
    }
}

impl Optimizer for TrustRegion {
    fn name(&self) -> String {
        match self.subproblem {
            Subproblem::Dogleg => format!("trust region (dogleg) Δ₀={}", self.initial_radius),
            Subproblem::SteihaugCg { forcing } => {
                format!(
                    "trust region (Steihaug-CG η={forcing}) Δ₀={}",
                    self.initial_radius
                )
            }
        }
    }

    fn requirements(&self) -> Requirements {
        match self.subproblem {
            Subproblem::Dogleg => Requirements {
                hessian: true,
                hessian_vector_product: false,
            },
            Subproblem::SteihaugCg { .. } => Requirements {
                hessian: false,
                hessian_vector_product: true,
            },
        }
    }

    fn init(&mut self, _eval: &mut Evaluator<'_>, state: &State) -> Result<(), Error> {
        let n = state.x.len();
        self.radius = self.initial_radius;
        if self.subproblem == Subproblem::Dogleg {
            self.h = Mat::zeros(n, n);
        }
        self.p = vec![0.0; n];
        self.bp = vec![0.0; n];
        self.p_u = vec![0.0; n];
        self.ws = CgWorkspace::new(n);
        self.x_new = vec![0.0; n];
        Ok(())
    }

    fn step(&mut self, eval: &mut Evaluator<'_>, state: &mut State) -> Result<StepOutcome, Error> {
        let mut diag = Diagnostics::default();
        let on_boundary;
        match self.subproblem {
            Subproblem::Dogleg => {
                eval.hessian(&state.x, self.h.as_mut())?;
                if let Some(reason) = prepare_hessian(self.h.as_mut(), &mut diag) {
                    return Ok(StepOutcome::Stop {
                        reason,
                        diagnostics: diag,
                    });
                }
                if self.dogleg_step(&state.grad)? {
                    diag.fallback = Some("Cauchy point (Hessian not positive definite)");
                    diag.negative_curvature = true;
                }
                matvec(self.h.as_ref(), &self.p, &mut self.bp);
                on_boundary = (norm_2(&self.p) - self.radius).abs() <= 1e-8 * self.radius;
            }
            Subproblem::SteihaugCg { forcing } => {
                let forcing = forcing.min(norm_2(&state.grad).sqrt());
                let n = state.x.len();
                let mut op = HessianAt::new(eval, &state.x)?;
                let cg = steihaug_cg(
                    &mut op,
                    &state.grad,
                    forcing,
                    self.radius,
                    n,
                    &mut self.p,
                    &mut self.ws,
                )?;
                op.apply(&self.p, &mut self.bp)?;
                diag.cg_iterations = Some(cg.iterations);
                diag.negative_curvature = cg.negative_curvature;
                on_boundary = cg.on_boundary;
            }
        }
        let predicted = -(dot(&state.grad, &self.p) + 0.5 * dot(&self.p, &self.bp));
        for ((xn, xi), pi) in self.x_new.iter_mut().zip(&state.x).zip(&self.p) {
            *xn = xi + pi;
        }
        let f_new = eval.value(&self.x_new);
        let rho = if predicted > 0.0 {
            (state.f - f_new) / predicted
        } else {
            f64::NEG_INFINITY
        };
        diag.gain_ratio = Some(rho);
        if rho.is_nan() || rho < 0.25 {
            self.radius *= 0.25;
        } else if rho > 0.75 && on_boundary {
            self.radius = (2.0 * self.radius).min(self.max_radius);
        }
        diag.trust_radius = Some(self.radius);
        if rho.is_nan() || rho <= ACCEPTANCE || !f_new.is_finite() {
            diag.rejected = true;
            if self.radius <= 1e-15 * (1.0 + norm_2(&state.x)) {
                let reason = format!("trust radius collapsed to {:e}", self.radius);
                return Ok(StepOutcome::Stop {
                    reason,
                    diagnostics: diag,
                });
            }
            return Ok(StepOutcome::Continue(diag));
        }
        diag.learning_rate = Some(1.0);
        state.x.copy_from_slice(&self.x_new);
        eval.gradient(&state.x, &mut state.grad);
        state.f = f_new;
        Ok(StepOutcome::Continue(diag))
    }
}
