//! The theory check before a run: the learning rate against the curvature.

use descent_core::{Error, display_number, validate};
use descent_linalg::{MatRef, SymmetricEigen};
use serde::Serialize;

/// η against the curvature of the problem, computed before running.
///
/// On a quadratic with Hessian A (or near a minimum, with A = ∇²f(x*)) gradient
/// descent's error obeys `e_{k+1} = (I − ηA) e_k`, so
/// `η_opt = 1/λ_max` takes the stiffest direction to its minimum in one step,
/// and, when every eigenvalue is positive, the iteration is stable iff
/// `η < 2/λ_max` (the lecture's `η < 2 η_opt`). With the whole spectrum the
/// contraction factor is `max_i |1 − η λ_i| = max(|1 − ηλ_min|, |1 − ηλ_max|)`,
/// and stability is exactly `contraction < 1`, i.e. `λ_min > 0` and
/// `η < 2/λ_max`: along an eigenvector with `λ_i ≤ 0` the factor
/// `1 − ηλ_i ≥ 1` grows (or keeps) the error for every η.
/// Reference: the lecture; Nocedal & Wright (2006), §3.3; Bishop (1995), §7.5.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StepSizeCheck {
    /// η.
    pub eta: f64,
    /// λ_max, the largest Hessian eigenvalue.
    pub lambda_max: f64,
    /// λ_min, when the whole Hessian was given.
    pub lambda_min: Option<f64>,
    /// `η_opt = 1/λ_max`.
    pub eta_opt: f64,
    /// `η/η_opt = η λ_max`.
    pub ratio: f64,
    /// The iteration contracts: `η < 2/λ_max` from λ_max alone
    /// ([`StepSizeCheck::new`], which assumes the rest of the spectrum is
    /// positive); with the whole Hessian ([`StepSizeCheck::from_hessian`])
    /// `λ_min > 0 and η < 2/λ_max`, i.e. `contraction < 1`.
    pub stable: bool,
    /// `max_i |1 − ηλ_i|`, the per-step contraction of ‖x − x*‖ on the
    /// quadratic, when the whole Hessian was given.
    pub contraction: Option<f64>,
}

impl StepSizeCheck {
    /// From η and the largest Hessian eigenvalue λ_max.
    ///
    /// # Errors
    /// η or λ_max not finite and > 0.
    pub fn new(eta: f64, lambda_max: f64) -> Result<Self, Error> {
        validate::positive("step-size check", "η", eta)?;
        validate::positive("step-size check", "λ_max", lambda_max)?;
        let eta_opt = 1.0 / lambda_max;
        Ok(Self {
            eta,
            lambda_max,
            lambda_min: None,
            eta_opt,
            ratio: eta * lambda_max,
            stable: eta < 2.0 * eta_opt,
            contraction: None,
        })
    }

    /// From η and a symmetric Hessian (its eigenvalues via descent-linalg);
    /// `stable` is `λ_min > 0 && η < 2/λ_max` (an indefinite or singular
    /// Hessian is never stable: diag(−1, 4) with η = 0.1 has contraction 1.1).
    ///
    /// # Errors
    /// η not > 0; the matrix not square or not finite; λ_max ≤ 0 (no positive
    /// curvature: no step size is stable).
    pub fn from_hessian(eta: f64, hessian: MatRef<'_, f64>) -> Result<Self, Error> {
        validate::positive("step-size check", "η", eta)?;
        let values = SymmetricEigen::values_of(hessian)?;
        let (lambda_min, lambda_max) = match (values.first(), values.last()) {
            (Some(&lo), Some(&hi)) => (lo, hi),
            _ => return Err(Error::invalid("step-size check", "the Hessian is empty")),
        };
        if lambda_max.is_nan() || lambda_max <= 0.0 {
            return Err(Error::invalid(
                "step-size check",
                format!(
                    "λ_max = {}: the Hessian has no positive curvature, so no η is stable",
                    display_number(lambda_max)
                ),
            ));
        }
        let mut check = Self::new(eta, lambda_max)?;
        let contraction = (1.0 - eta * lambda_min)
            .abs()
            .max((1.0 - eta * lambda_max).abs());
        check.lambda_min = Some(lambda_min);
        check.contraction = Some(contraction);
        check.stable = lambda_min > 0.0 && check.stable;
        Ok(check)
    }
}
