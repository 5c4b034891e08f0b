//! Conjugate gradients on operator products for the Newton system
//! `H p = −g`: truncated (Newton–CG) and Steihaug's trust-region variant.
//!
//! Neither forms `H`; each iteration costs one operator application. Both
//! stop when the relative residual `‖H p + g‖ ≤ η ‖g‖` (the forcing term η),
//! and both detect negative curvature `dᵀH d ≤ 0`.
//!
//! References: Nocedal & Wright (2006), Alg. 7.1 (line-search Newton–CG) and
//! Alg. 7.2 (CG–Steihaug); Steihaug, *SIAM J. Numer. Anal.* 20 (1983);
//! Martens, *Deep learning via Hessian-free optimization*, ICML 2010.

use descent_core::Error;
use descent_linalg::{axpy, dot, norm_2};

use crate::operator::SymmetricOperator;

/// How a CG solve ended.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct CgReport {
    /// CG iterations (operator applications).
    pub iterations: usize,
    /// `dᵀH d ≤ 0` was met.
    pub negative_curvature: bool,
    /// The step was stopped on the trust-region boundary (Steihaug only).
    pub on_boundary: bool,
    /// `‖H p + g‖ / ‖g‖` when the loop ended (the last residual CG computed).
    pub relative_residual: f64,
}

/// Reusable CG vectors (residual r, direction d, product Hd), sized once.
#[derive(Debug, Clone, Default)]
pub struct CgWorkspace {
    r: Vec<f64>,
    d: Vec<f64>,
    hd: Vec<f64>,
}

impl CgWorkspace {
    /// Buffers for dimension n.
    pub fn new(n: usize) -> Self {
        Self {
            r: vec![0.0; n],
            d: vec![0.0; n],
            hd: vec![0.0; n],
        }
    }
    fn ensure(&mut self, n: usize) {
        if self.r.len() != n {
            *self = Self::new(n);
        }
    }
}

/// Truncated CG for `H p = −g` (N&W Alg. 7.1): from `p = 0`, stop when
/// `‖r‖ ≤ forcing · ‖g‖` or after `max_iterations`; on negative curvature
/// return the current `p`, or `−g` if it is met on the first iteration (so
/// `p` is always a descent direction when `g ≠ 0`).
///
/// # Errors
/// When the operator fails.
pub fn truncated_cg(
    op: &mut dyn SymmetricOperator,
    g: &[f64],
    forcing: f64,
    max_iterations: usize,
    p: &mut [f64],
    ws: &mut CgWorkspace,
) -> Result<CgReport, Error> {
    solve(op, g, forcing, None, max_iterations, p, ws)
}

/// CG–Steihaug for `min_p m(p) = gᵀp + ½ pᵀHp` subject to `‖p‖ ≤ Δ`
/// (N&W Alg. 7.2): CG from `p = 0` that stops on the boundary when an iterate
/// leaves the ball or negative curvature is met (then moving to the boundary
/// along `d`, to the end of lower model value), and inside when
/// `‖r‖ ≤ forcing · ‖g‖`.
///
/// # Errors
/// When the operator fails.
pub fn steihaug_cg(
    op: &mut dyn SymmetricOperator,
    g: &[f64],
    forcing: f64,
    radius: f64,
    max_iterations: usize,
    p: &mut [f64],
    ws: &mut CgWorkspace,
) -> Result<CgReport, Error> {
    solve(op, g, forcing, Some(radius), max_iterations, p, ws)
}

fn solve(
    op: &mut dyn SymmetricOperator,
    g: &[f64],
    forcing: f64,
    radius: Option<f64>,
    max_iterations: usize,
    p: &mut [f64],
    ws: &mut CgWorkspace,
) -> Result<CgReport, Error> {
    let n = g.len();
    ws.ensure(n);
    let CgWorkspace { r, d, hd } = ws;
    p.fill(0.0);
    // r = H p + g (the model's gradient), d = −r.
    r.copy_from_slice(g);
    for (di, ri) in d.iter_mut().zip(r.iter()) {
        *di = -ri;
    }
    let g_norm = norm_2(g);
    let mut report = CgReport {
        relative_residual: 1.0,
        ..CgReport::default()
    };
    if g_norm == 0.0 {
        report.relative_residual = 0.0;
        return Ok(report);
    }
    let tolerance = forcing * g_norm;
    let mut rr = g_norm * g_norm;
    for j in 0..max_iterations.max(1) {
        op.apply(d, hd)?;
        report.iterations += 1;
        let dhd = dot(d, hd);
        if dhd.is_nan() || dhd <= 0.0 {
            report.negative_curvature = true;
            match radius {
                None if j == 0 => {
                    for (pi, gi) in p.iter_mut().zip(g) {
                        *pi = -gi;
                    }
                }
                None => {}
                Some(delta) => {
                    // Both boundary points z + τ d; keep the one of lower model value
                    // m(z + τd) − m(z) = τ rᵀd + ½ τ² dᵀHd.
                    let (lo, hi) = boundary_roots(p, d, delta);
                    let rd = dot(r, d);
                    let change = |t: f64| t * rd + 0.5 * t * t * dhd;
                    let tau = if change(lo) < change(hi) { lo } else { hi };
                    axpy(tau, d, p);
                    report.on_boundary = true;
                }
            }
            return Ok(report);
        }
        let alpha = rr / dhd;
        if let Some(delta) = radius {
            // Would p + α d leave the ball? ‖p + αd‖² ≥ Δ².
            let pp = dot(p, p);
            let pd = dot(p, d);
            let dd = dot(d, d);
            if pp + 2.0 * alpha * pd + alpha * alpha * dd >= delta * delta {
                let (_, tau) = boundary_roots(p, d, delta);
                axpy(tau, d, p);
                report.on_boundary = true;
                return Ok(report);
            }
        }
        axpy(alpha, d, p);
        axpy(alpha, hd, r);
        let rr_next = dot(r, r);
        report.relative_residual = rr_next.sqrt() / g_norm;
        if rr_next.sqrt() <= tolerance {
            return Ok(report);
        }
        let beta = rr_next / rr;
        rr = rr_next;
        for (di, ri) in d.iter_mut().zip(r.iter()) {
            *di = -ri + beta * *di;
        }
    }
    Ok(report)
}

/// The roots `τ₋ ≤ 0 ≤ τ₊` of `‖z + τ d‖ = Δ` for `‖z‖ ≤ Δ`.
fn boundary_roots(z: &[f64], d: &[f64], delta: f64) -> (f64, f64) {
    let dd = dot(d, d);
    let zd = dot(z, d);
    let zz = dot(z, z);
    let disc = (zd * zd + dd * (delta * delta - zz)).max(0.0).sqrt();
    ((-zd - disc) / dd, (-zd + disc) / dd)
}
