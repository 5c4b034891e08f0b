//! Small exact 1-D functions for the lab: a generic convex function whose
//! local `η_opt = 1/E''` changes with w, two double wells, and the
//! sharp-versus-wide well of "η > 2η_opt escapes a sharp minimum".
//!
//! Each implements [`Objective`] (n = 1) with exact `E'` and `E''`, and
//! [`OneD`] gives the derivatives as scalars and the classified critical points.
//! [`softplus`] and its derivative [`sigmoid`] are the scalar building blocks
//! of smooth convex objectives such as `Σ softplus(c_iᵀw) + ½‖w‖²`.

use descent_core::{Capabilities, Error, Objective, display_number};
use descent_linalg::MatMut;

use crate::surfaces::{CLASSIFY_TOL, CriticalKind, CriticalPoint};

/// A smooth `E: ℝ → ℝ` with exact first and second derivatives.
pub trait OneD {
    /// A short name.
    fn name(&self) -> String;
    /// `E(w)`.
    fn e(&self, w: f64) -> f64;
    /// `E'(w)`.
    fn de(&self, w: f64) -> f64;
    /// `E''(w)`.
    fn d2e(&self, w: f64) -> f64;
    /// Every critical point (`E'(w) = 0`), classified by the sign of `E''`.
    fn critical_points(&self) -> Vec<CriticalPoint>;
}

/// An [`Objective`] view of a [`OneD`] function (n = 1, exact Hessian).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OneDObjective<F>(pub F);

impl<F: OneD> Objective for OneDObjective<F> {
    fn name(&self) -> String {
        self.0.name()
    }
    fn dim(&self) -> usize {
        1
    }
    fn value(&mut self, x: &[f64]) -> f64 {
        self.0.e(x[0])
    }
    fn gradient(&mut self, x: &[f64], grad: &mut [f64]) {
        grad[0] = self.0.de(x[0]);
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            hessian: true,
            hessian_vector_product: true,
        }
    }
    fn hessian(&mut self, x: &[f64], mut hess: MatMut<'_, f64>) -> Result<(), Error> {
        hess[(0, 0)] = self.0.d2e(x[0]);
        Ok(())
    }
    fn hessian_vector_product(
        &mut self,
        x: &[f64],
        v: &[f64],
        out: &mut [f64],
    ) -> Result<(), Error> {
        out[0] = self.0.d2e(x[0]) * v[0];
        Ok(())
    }
}

fn point<F: OneD + ?Sized>(f: &F, w: f64) -> CriticalPoint {
    let c = f.d2e(w);
    let kind = if c > CLASSIFY_TOL {
        CriticalKind::Minimum
    } else if c < -CLASSIFY_TOL {
        CriticalKind::Maximum
    } else {
        CriticalKind::Degenerate
    };
    CriticalPoint {
        x: vec![w],
        value: f.e(w),
        eigenvalues: vec![c],
        kind,
    }
}

/// Roots of `E'` on `[lo, hi]`: sign changes on a uniform grid of `steps`
/// cells, each bisected to adjacent floats (`E'` continuous), ascending; a
/// root exactly on a grid point is reported once.
fn roots_of_derivative<F: OneD + ?Sized>(f: &F, lo: f64, hi: f64, steps: usize) -> Vec<f64> {
    let mut roots = Vec::new();
    let at = |k: usize| lo + (hi - lo) * k as f64 / steps as f64;
    for k in 0..steps {
        let (mut a, mut b) = (at(k), at(k + 1));
        let (mut fa, fb) = (f.de(a), f.de(b));
        if fa == 0.0 {
            roots.push(a);
            continue;
        }
        if fb == 0.0 {
            // a root on a grid point is the next cell's `a`; only the last cell reports its `b`
            if k + 1 == steps {
                roots.push(b);
            }
            continue;
        }
        if fa.signum() == fb.signum() {
            continue;
        }
        loop {
            let mid = 0.5 * (a + b);
            if mid <= a || mid >= b {
                break;
            }
            let fm = f.de(mid);
            if fm == 0.0 {
                (a, b) = (mid, mid);
                break;
            }
            if fm.signum() == fa.signum() {
                (a, fa) = (mid, fm);
            } else {
                b = mid;
            }
        }
        // the endpoint with the smaller |E'|
        roots.push(if f.de(a).abs() <= f.de(b).abs() { a } else { b });
    }
    roots
}

/// `E(w) = e^w − c w` (c > 0): convex, `w* = ln c`, `E''(w*) = c`,
/// `E'''(w*) = c` (default c = 2). Newton's error ratio
/// `e_{k+1}/e_k² → E'''/(2E'') = c/(2c) = ½` for **every** c: with
/// `e = w − ln c` the step `w ← w − 1 + c e^{−w}` is `e ← e − 1 + e^{−e}`,
/// which does not depend on c, so `e_{k+1}/e_k² = ½ − e_k/6 + O(e_k²)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExpLinear {
    c: f64,
}

impl Default for ExpLinear {
    fn default() -> Self {
        Self { c: 2.0 }
    }
}

impl ExpLinear {
    /// `e^w − c w`.
    ///
    /// # Errors
    /// If c is not finite and `> 0`.
    pub fn new(c: f64) -> Result<Self, Error> {
        Ok(Self {
            c: descent_core::validate::positive("exp-linear function", "c", c)?,
        })
    }
    /// The minimiser `w* = ln c`.
    pub fn minimizer(&self) -> f64 {
        self.c.ln()
    }
}

impl OneD for ExpLinear {
    fn name(&self) -> String {
        format!("e^w − {}w", self.c)
    }
    fn e(&self, w: f64) -> f64 {
        w.exp() - self.c * w
    }
    fn de(&self, w: f64) -> f64 {
        w.exp() - self.c
    }
    fn d2e(&self, w: f64) -> f64 {
        w.exp()
    }
    fn critical_points(&self) -> Vec<CriticalPoint> {
        vec![point(self, self.minimizer())]
    }
}

/// `E(w) = ln cosh w + μ w²` (μ > 0): convex and non-quadratic, `w* = 0`,
/// `E' = tanh w + 2μw`, `E'' = sech² w + 2μ` (from `1 + 2μ` at 0 down to `2μ`
/// far away, so the local `η_opt = 1/E''` grows with |w|). Default μ = 0.1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogCosh {
    mu: f64,
}

impl Default for LogCosh {
    fn default() -> Self {
        Self { mu: 0.1 }
    }
}

impl LogCosh {
    /// `ln cosh w + μ w²`.
    ///
    /// # Errors
    /// If μ is not finite and `> 0`.
    pub fn new(mu: f64) -> Result<Self, Error> {
        Ok(Self {
            mu: descent_core::validate::positive("log-cosh function", "μ", mu)?,
        })
    }
}

impl OneD for LogCosh {
    fn name(&self) -> String {
        format!("ln cosh w + {}w²", self.mu)
    }
    fn e(&self, w: f64) -> f64 {
        // ln cosh w = |w| + ln(1 + e^{−2|w|}) − ln 2, stable for large |w|
        let a = w.abs();
        a + (-2.0 * a).exp().ln_1p() - std::f64::consts::LN_2 + self.mu * w * w
    }
    fn de(&self, w: f64) -> f64 {
        w.tanh() + 2.0 * self.mu * w
    }
    fn d2e(&self, w: f64) -> f64 {
        let s = 1.0 / w.cosh();
        s * s + 2.0 * self.mu
    }
    fn critical_points(&self) -> Vec<CriticalPoint> {
        vec![point(self, 0.0)]
    }
}

/// The symmetric quartic double well `E(w) = w⁴/4 − w²/2`: minima at ±1 with
/// `E = −¼` and `E'' = 2`, a maximum at 0 with `E'' = −1`. Newton's iteration
/// is `w ← 2w³/(3w² − 1)`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct QuarticDoubleWell;

impl OneD for QuarticDoubleWell {
    fn name(&self) -> String {
        "w⁴/4 − w²/2".into()
    }
    fn e(&self, w: f64) -> f64 {
        w.powi(4) / 4.0 - w * w / 2.0
    }
    fn de(&self, w: f64) -> f64 {
        w * w * w - w
    }
    fn d2e(&self, w: f64) -> f64 {
        3.0 * w * w - 1.0
    }
    fn critical_points(&self) -> Vec<CriticalPoint> {
        [-1.0, 0.0, 1.0].iter().map(|&w| point(self, w)).collect()
    }
}

/// A wide quadratic bowl plus a narrow Gaussian dip:
/// `E(w) = α(w − c)² − β exp(−w²/(2σ²))`.
///
/// With the defaults α = 0.05, c = 4, β = 0.5, σ = 0.2 (the lab's E15) there
/// is a sharp local minimum near w = 0.0322 with `E'' ≈ 12.12` (so
/// `2/E'' ≈ 0.165`), a local maximum between the wells, and the wide global
/// minimum at w ≈ 4 with `E'' ≈ 2α = 0.1` (`2/E'' ≈ 20`): a step
/// `η > 2/E''(w_sharp)` cannot stay in the sharp well but is stable in the
/// wide one.
///
/// `E' = 2α(w − c) + (β w/σ²) g`, `E'' = 2α + (β/σ²)(1 − w²/σ²) g` with
/// `g = exp(−w²/(2σ²))`. Critical points are found by bisection of `E'` on a
/// fine grid over `[−10σ − |c|, |c| + 10σ]` to adjacent floats.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SharpWideWell {
    alpha: f64,
    center: f64,
    beta: f64,
    sigma: f64,
}

impl Default for SharpWideWell {
    fn default() -> Self {
        Self {
            alpha: 0.05,
            center: 4.0,
            beta: 0.5,
            sigma: 0.2,
        }
    }
}

impl SharpWideWell {
    /// The largest `|c|/σ` accepted: the critical-point search grids
    /// `[−|c| − 10σ, |c| + 10σ]` in cells of width σ/200, i.e.
    /// `400 |c|/σ + 4000` cells, at most about 4·10⁶.
    pub const MAX_CENTER_OVER_SIGMA: f64 = 1e4;

    /// `α(w − c)² − β exp(−w²/(2σ²))`.
    ///
    /// # Errors
    /// If α, β or σ is not finite and `> 0`, c is not finite, or the narrow
    /// well is too narrow to resolve next to the wide one:
    /// `|c|/σ > 10⁴` ([`MAX_CENTER_OVER_SIGMA`](Self::MAX_CENTER_OVER_SIGMA)),
    /// e.g. `"sharp-wide well: σ must be ≥ |c|/10⁴ = 0.0004 (the narrow well's
    /// width against the distance to the wide one), got σ = 1e-12 with c = 4"`.
    pub fn new(alpha: f64, center: f64, beta: f64, sigma: f64) -> Result<Self, Error> {
        const OWNER: &str = "sharp-wide well";
        let well = Self {
            alpha: descent_core::validate::positive(OWNER, "α", alpha)?,
            center: descent_core::validate::finite(OWNER, "c", center)?,
            beta: descent_core::validate::positive(OWNER, "β", beta)?,
            sigma: descent_core::validate::positive(OWNER, "σ", sigma)?,
        };
        let smallest = center.abs() / Self::MAX_CENTER_OVER_SIGMA;
        if sigma < smallest {
            return Err(Error::invalid(
                OWNER,
                format!(
                    "σ must be ≥ |c|/10⁴ = {} (the narrow well's width against the \
                     distance to the wide one), got σ = {} with c = {}",
                    display_number(smallest),
                    display_number(sigma),
                    display_number(center)
                ),
            ));
        }
        Ok(well)
    }

    fn gauss(&self, w: f64) -> f64 {
        (-w * w / (2.0 * self.sigma * self.sigma)).exp()
    }
}

impl OneD for SharpWideWell {
    fn name(&self) -> String {
        format!(
            "{}(w − {})² − {}·exp(−w²/(2·{}²))",
            self.alpha, self.center, self.beta, self.sigma
        )
    }
    fn e(&self, w: f64) -> f64 {
        self.alpha * (w - self.center).powi(2) - self.beta * self.gauss(w)
    }
    fn de(&self, w: f64) -> f64 {
        let s2 = self.sigma * self.sigma;
        2.0 * self.alpha * (w - self.center) + self.beta * w / s2 * self.gauss(w)
    }
    fn d2e(&self, w: f64) -> f64 {
        let s2 = self.sigma * self.sigma;
        2.0 * self.alpha + self.beta / s2 * (1.0 - w * w / s2) * self.gauss(w)
    }
    fn critical_points(&self) -> Vec<CriticalPoint> {
        let reach = self.center.abs() + 10.0 * self.sigma;
        // cells of width ≤ σ/200 resolve the narrow well: 400|c|/σ + 4000 of
        // them, at most ≈ 4·10⁶ since `new` bounds |c|/σ by 10⁴
        let steps = ((2.0 * reach) / (self.sigma / 200.0)).ceil() as usize;
        roots_of_derivative(self, -reach, reach, steps.max(1000))
            .into_iter()
            .map(|w| point(self, w))
            .collect()
    }
}

/// The logistic sigmoid `σ(z) = 1/(1 + e^{−z})`, the derivative of
/// [`softplus`], with `σ′ = σ(1 − σ)`; without overflow for any finite `z`
/// (for `z < 0` it is computed as `e^z/(1 + e^z)`), so `σ(−1000) = 0`,
/// `σ(1000) = 1`. NaN propagates.
///
/// Reference: Goodfellow, Bengio & Courville, *Deep Learning* (2016), §3.10.
pub fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// `softplus(z) = ln(1 + e^z)`, computed as `max(z, 0) + ln(1 + e^{−|z|})`:
/// exact for large `|z|` (`softplus(1000) = 1000`, `softplus(−1000) = 0`),
/// convex, with `softplus′ = σ` ([`sigmoid`]) and `softplus″ = σ(1 − σ)`.
///
/// Reference: Goodfellow, Bengio & Courville, *Deep Learning* (2016), §3.10.
pub fn softplus(z: f64) -> f64 {
    z.max(0.0) + (-z.abs()).exp().ln_1p()
}
