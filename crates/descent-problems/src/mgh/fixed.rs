//! MGH problems 1–16 and 18: fixed n (some with a configurable number m of
//! residuals). Formulas, starting points and minima from Moré, Garbow &
//! Hillstrom (1981), §3; indices in comments are the paper's (1-based), code is
//! 0-based.

use std::f64::consts::PI;

use descent_core::Error;
use descent_linalg::MatMut;

use super::variable::{ExtendedPowell, ExtendedRosenbrock};
use super::{MghProblem, PublishedMinimum, size_error};
use crate::least_squares::{LeastSquares, SymAdd};

/// (1) Rosenbrock: n = 2, m = 2, `r₁ = 10(x₂ − x₁²)`, `r₂ = 1 − x₁`.
/// `x0 = (−1.2, 1)`; `f* = 0` at `(1, 1)`.
pub fn rosenbrock() -> MghProblem {
    let p = ExtendedRosenbrock {
        n: 2,
        name: "Rosenbrock",
    };
    MghProblem::new(
        1,
        vec![-1.2, 1.0],
        vec![PublishedMinimum::exact(
            0.0,
            Some(vec![1.0, 1.0]),
            "global minimum",
        )],
        p,
    )
}

/// (13) Powell singular: n = 4, m = 4, `r₁ = x₁ + 10x₂`, `r₂ = √5(x₃ − x₄)`,
/// `r₃ = (x₂ − 2x₃)²`, `r₄ = √10(x₁ − x₄)²`. `x0 = (3, −1, 0, 1)`; `f* = 0` at
/// the origin, where the Hessian is singular.
pub fn powell_singular() -> MghProblem {
    MghProblem::new(
        13,
        vec![3.0, -1.0, 0.0, 1.0],
        vec![PublishedMinimum::exact(
            0.0,
            Some(vec![0.0; 4]),
            "global minimum (singular Hessian)",
        )],
        ExtendedPowell {
            n: 4,
            name: "Powell singular",
        },
    )
}

struct FreudensteinRoth;

impl LeastSquares for FreudensteinRoth {
    fn name(&self) -> String {
        "Freudenstein and Roth".into()
    }
    fn n(&self) -> usize {
        2
    }
    fn m(&self) -> usize {
        2
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        let (x1, x2) = (x[0], x[1]);
        r[0] = -13.0 + x1 + ((5.0 - x2) * x2 - 2.0) * x2;
        r[1] = -29.0 + x1 + ((x2 + 1.0) * x2 - 14.0) * x2;
    }
    fn jacobian(&self, x: &[f64], mut j: MatMut<'_, f64>) {
        let x2 = x[1];
        j[(0, 0)] = 1.0;
        j[(0, 1)] = 10.0 * x2 - 3.0 * x2 * x2 - 2.0;
        j[(1, 0)] = 1.0;
        j[(1, 1)] = 3.0 * x2 * x2 + 2.0 * x2 - 14.0;
    }
    fn add_residual_hessians(&self, x: &[f64], w: &[f64], h: MatMut<'_, f64>) {
        let x2 = x[1];
        // ∂²r₁/∂x₂² = 10 − 6x₂, ∂²r₂/∂x₂² = 6x₂ + 2
        SymAdd::new(h).add(1, 1, w[0] * (10.0 - 6.0 * x2) + w[1] * (6.0 * x2 + 2.0));
    }
}

/// (2) Freudenstein and Roth: n = 2, m = 2,
/// `r₁ = −13 + x₁ + ((5 − x₂)x₂ − 2)x₂`, `r₂ = −29 + x₁ + ((x₂ + 1)x₂ − 14)x₂`.
/// `x0 = (0.5, −2)`; `f* = 0` at `(5, 4)`, and a local minimum
/// `f = 48.9842…` at `(11.41…, −0.8968…)`.
pub fn freudenstein_roth() -> MghProblem {
    MghProblem::new(
        2,
        vec![0.5, -2.0],
        vec![
            PublishedMinimum::exact(0.0, Some(vec![5.0, 4.0]), "global minimum"),
            PublishedMinimum::printed(48.9842, 6, "local minimum at (11.41…, −0.8968…)"),
        ],
        FreudensteinRoth,
    )
}

struct PowellBadlyScaled;

impl LeastSquares for PowellBadlyScaled {
    fn name(&self) -> String {
        "Powell badly scaled".into()
    }
    fn n(&self) -> usize {
        2
    }
    fn m(&self) -> usize {
        2
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        r[0] = 1e4 * x[0] * x[1] - 1.0;
        r[1] = (-x[0]).exp() + (-x[1]).exp() - 1.0001;
    }
    fn jacobian(&self, x: &[f64], mut j: MatMut<'_, f64>) {
        j[(0, 0)] = 1e4 * x[1];
        j[(0, 1)] = 1e4 * x[0];
        j[(1, 0)] = -(-x[0]).exp();
        j[(1, 1)] = -(-x[1]).exp();
    }
    fn add_residual_hessians(&self, x: &[f64], w: &[f64], h: MatMut<'_, f64>) {
        let mut h = SymAdd::new(h);
        h.add(0, 1, w[0] * 1e4);
        h.add(0, 0, w[1] * (-x[0]).exp());
        h.add(1, 1, w[1] * (-x[1]).exp());
    }
}

/// (3) Powell badly scaled: n = 2, m = 2, `r₁ = 10⁴x₁x₂ − 1`,
/// `r₂ = exp(−x₁) + exp(−x₂) − 1.0001`. `x0 = (0, 1)`; `f* = 0` at
/// `(1.098…·10⁻⁵, 9.106…)` (no closed form).
pub fn powell_badly_scaled() -> MghProblem {
    MghProblem::new(
        3,
        vec![0.0, 1.0],
        vec![PublishedMinimum::exact(
            0.0,
            None,
            "global minimum at (1.098…e-5, 9.106…)",
        )],
        PowellBadlyScaled,
    )
}

struct BrownBadlyScaled;

impl LeastSquares for BrownBadlyScaled {
    fn name(&self) -> String {
        "Brown badly scaled".into()
    }
    fn n(&self) -> usize {
        2
    }
    fn m(&self) -> usize {
        3
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        r[0] = x[0] - 1e6;
        r[1] = x[1] - 2e-6;
        r[2] = x[0] * x[1] - 2.0;
    }
    fn jacobian(&self, x: &[f64], mut j: MatMut<'_, f64>) {
        j.fill(0.0);
        j[(0, 0)] = 1.0;
        j[(1, 1)] = 1.0;
        j[(2, 0)] = x[1];
        j[(2, 1)] = x[0];
    }
    fn add_residual_hessians(&self, _x: &[f64], w: &[f64], h: MatMut<'_, f64>) {
        SymAdd::new(h).add(0, 1, w[2]);
    }
}

/// (4) Brown badly scaled: n = 2, m = 3, `r₁ = x₁ − 10⁶`, `r₂ = x₂ − 2·10⁻⁶`,
/// `r₃ = x₁x₂ − 2`. `x0 = (1, 1)`; `f* = 0` at `(10⁶, 2·10⁻⁶)`.
pub fn brown_badly_scaled() -> MghProblem {
    MghProblem::new(
        4,
        vec![1.0, 1.0],
        vec![PublishedMinimum::exact(
            0.0,
            Some(vec![1e6, 2e-6]),
            "global minimum",
        )],
        BrownBadlyScaled,
    )
}

struct Beale;

const BEALE_Y: [f64; 3] = [1.5, 2.25, 2.625];

impl LeastSquares for Beale {
    fn name(&self) -> String {
        "Beale".into()
    }
    fn n(&self) -> usize {
        2
    }
    fn m(&self) -> usize {
        3
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        for i in 0..3 {
            r[i] = BEALE_Y[i] - x[0] * (1.0 - x[1].powi(i as i32 + 1));
        }
    }
    fn jacobian(&self, x: &[f64], mut j: MatMut<'_, f64>) {
        for i in 0..3 {
            let k = i as i32 + 1;
            j[(i, 0)] = -(1.0 - x[1].powi(k));
            j[(i, 1)] = x[0] * k as f64 * x[1].powi(k - 1);
        }
    }
    fn add_residual_hessians(&self, x: &[f64], w: &[f64], h: MatMut<'_, f64>) {
        let mut h = SymAdd::new(h);
        for i in 0..3 {
            let k = i as i32 + 1;
            let kf = k as f64;
            // ∂²r/∂x₁∂x₂ = k x₂^{k−1}, ∂²r/∂x₂² = x₁ k(k−1) x₂^{k−2}
            h.add(0, 1, w[i] * kf * x[1].powi(k - 1));
            if k >= 2 {
                h.add(1, 1, w[i] * x[0] * kf * (kf - 1.0) * x[1].powi(k - 2));
            }
        }
    }
}

/// (5) Beale: n = 2, m = 3, `r_i = y_i − x₁(1 − x₂^i)` with
/// `y = (1.5, 2.25, 2.625)`. `x0 = (1, 1)`; `f* = 0` at `(3, 0.5)`.
pub fn beale() -> MghProblem {
    MghProblem::new(
        5,
        vec![1.0, 1.0],
        vec![PublishedMinimum::exact(
            0.0,
            Some(vec![3.0, 0.5]),
            "global minimum",
        )],
        Beale,
    )
}

struct JennrichSampson {
    m: usize,
}

impl LeastSquares for JennrichSampson {
    fn name(&self) -> String {
        "Jennrich and Sampson".into()
    }
    fn n(&self) -> usize {
        2
    }
    fn m(&self) -> usize {
        self.m
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        for (k, ri) in r.iter_mut().enumerate() {
            let i = (k + 1) as f64;
            *ri = 2.0 + 2.0 * i - ((i * x[0]).exp() + (i * x[1]).exp());
        }
    }
    fn jacobian(&self, x: &[f64], mut j: MatMut<'_, f64>) {
        for k in 0..self.m {
            let i = (k + 1) as f64;
            j[(k, 0)] = -i * (i * x[0]).exp();
            j[(k, 1)] = -i * (i * x[1]).exp();
        }
    }
    fn add_residual_hessians(&self, x: &[f64], w: &[f64], h: MatMut<'_, f64>) {
        let mut h = SymAdd::new(h);
        for k in 0..self.m {
            let i = (k + 1) as f64;
            h.add(0, 0, -w[k] * i * i * (i * x[0]).exp());
            h.add(1, 1, -w[k] * i * i * (i * x[1]).exp());
        }
    }
}

/// (6) Jennrich and Sampson: n = 2, m ≥ 2 (the paper's runs use m = 10),
/// `r_i = 2 + 2i − (exp(i x₁) + exp(i x₂))`. `x0 = (0.3, 0.4)`;
/// `f* = 124.362` at `x₁ = x₂ = 0.2578` for m = 10 (no value for other m).
///
/// # Errors
/// [`Error::Invalid`] if `m < 2`.
pub fn jennrich_sampson(m: usize) -> Result<MghProblem, Error> {
    if m < 2 {
        return Err(size_error(
            "Jennrich and Sampson (MGH 6)",
            format!("m must be ≥ n = 2, got m = {m}"),
        ));
    }
    let minima = if m == 10 {
        vec![PublishedMinimum::printed(
            124.362,
            6,
            "at x₁ = x₂ = 0.2578 (m = 10)",
        )]
    } else {
        Vec::new()
    };
    Ok(MghProblem::new(
        6,
        vec![0.3, 0.4],
        minima,
        JennrichSampson { m },
    ))
}

struct HelicalValley;

impl HelicalValley {
    /// θ(x₁, x₂) = arctan(x₂/x₁)/(2π), plus ½ when x₁ < 0 (the paper's branch).
    fn theta(x1: f64, x2: f64) -> f64 {
        if x1 > 0.0 {
            (x2 / x1).atan() / (2.0 * PI)
        } else if x1 < 0.0 {
            (x2 / x1).atan() / (2.0 * PI) + 0.5
        } else {
            // the limit x₁ → 0⁺: ±¼
            0.25 * x2.signum()
        }
    }
}

impl LeastSquares for HelicalValley {
    fn name(&self) -> String {
        "Helical valley".into()
    }
    fn n(&self) -> usize {
        3
    }
    fn m(&self) -> usize {
        3
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        r[0] = 10.0 * (x[2] - 10.0 * Self::theta(x[0], x[1]));
        r[1] = 10.0 * (x[0].hypot(x[1]) - 1.0);
        r[2] = x[2];
    }
    fn jacobian(&self, x: &[f64], mut j: MatMut<'_, f64>) {
        let (x1, x2) = (x[0], x[1]);
        let rho2 = x1 * x1 + x2 * x2;
        let rho = rho2.sqrt();
        // ∂θ/∂x₁ = −x₂/(2πρ²), ∂θ/∂x₂ = x₁/(2πρ²)
        j[(0, 0)] = 100.0 * x2 / (2.0 * PI * rho2);
        j[(0, 1)] = -100.0 * x1 / (2.0 * PI * rho2);
        j[(0, 2)] = 10.0;
        j[(1, 0)] = 10.0 * x1 / rho;
        j[(1, 1)] = 10.0 * x2 / rho;
        j[(1, 2)] = 0.0;
        j[(2, 0)] = 0.0;
        j[(2, 1)] = 0.0;
        j[(2, 2)] = 1.0;
    }
    fn add_residual_hessians(&self, x: &[f64], w: &[f64], h: MatMut<'_, f64>) {
        let (x1, x2) = (x[0], x[1]);
        let rho2 = x1 * x1 + x2 * x2;
        let rho4 = rho2 * rho2;
        let rho3 = rho2 * rho2.sqrt();
        // θ₁₁ = x₁x₂/(πρ⁴), θ₁₂ = (x₂² − x₁²)/(2πρ⁴), θ₂₂ = −x₁x₂/(πρ⁴); r₁ = 10x₃ − 100θ
        let t11 = x1 * x2 / (PI * rho4);
        let t12 = (x2 * x2 - x1 * x1) / (2.0 * PI * rho4);
        let mut h = SymAdd::new(h);
        h.add(0, 0, w[0] * (-100.0 * t11) + w[1] * 10.0 * x2 * x2 / rho3);
        h.add(0, 1, w[0] * (-100.0 * t12) - w[1] * 10.0 * x1 * x2 / rho3);
        h.add(1, 1, w[0] * (100.0 * t11) + w[1] * 10.0 * x1 * x1 / rho3);
    }
}

/// (7) Helical valley: n = 3, m = 3, `r₁ = 10[x₃ − 10θ(x₁, x₂)]`,
/// `r₂ = 10[√(x₁² + x₂²) − 1]`, `r₃ = x₃`, with `2πθ = arctan(x₂/x₁)` for
/// x₁ > 0 and `arctan(x₂/x₁) + π` for x₁ < 0. `x0 = (−1, 0, 0)`; `f* = 0` at
/// `(1, 0, 0)`.
pub fn helical_valley() -> MghProblem {
    MghProblem::new(
        7,
        vec![-1.0, 0.0, 0.0],
        vec![PublishedMinimum::exact(
            0.0,
            Some(vec![1.0, 0.0, 0.0]),
            "global minimum",
        )],
        HelicalValley,
    )
}

struct Bard;

const BARD_Y: [f64; 15] = [
    0.14, 0.18, 0.22, 0.25, 0.29, 0.32, 0.35, 0.39, 0.37, 0.58, 0.73, 0.96, 1.34, 2.10, 4.39,
];

impl Bard {
    /// (u_i, v_i, w_i) = (i, 16 − i, min(u_i, v_i)).
    fn uvw(k: usize) -> (f64, f64, f64) {
        let u = (k + 1) as f64;
        let v = 16.0 - u;
        (u, v, u.min(v))
    }
}

impl LeastSquares for Bard {
    fn name(&self) -> String {
        "Bard".into()
    }
    fn n(&self) -> usize {
        3
    }
    fn m(&self) -> usize {
        15
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        for k in 0..15 {
            let (u, v, w) = Self::uvw(k);
            r[k] = BARD_Y[k] - (x[0] + u / (v * x[1] + w * x[2]));
        }
    }
    fn jacobian(&self, x: &[f64], mut j: MatMut<'_, f64>) {
        for k in 0..15 {
            let (u, v, w) = Self::uvw(k);
            let d = v * x[1] + w * x[2];
            j[(k, 0)] = -1.0;
            j[(k, 1)] = u * v / (d * d);
            j[(k, 2)] = u * w / (d * d);
        }
    }
    fn add_residual_hessians(&self, x: &[f64], wt: &[f64], h: MatMut<'_, f64>) {
        let mut h = SymAdd::new(h);
        for k in 0..15 {
            let (u, v, w) = Self::uvw(k);
            let d = v * x[1] + w * x[2];
            let c = -2.0 * u / (d * d * d) * wt[k];
            h.add(1, 1, c * v * v);
            h.add(1, 2, c * v * w);
            h.add(2, 2, c * w * w);
        }
    }
}

/// (8) Bard: n = 3, m = 15, `r_i = y_i − (x₁ + u_i/(v_i x₂ + w_i x₃))` with
/// `u_i = i`, `v_i = 16 − i`, `w_i = min(u_i, v_i)` and the paper's `y`.
/// `x0 = (1, 1, 1)`; `f* = 8.21487…·10⁻³`, and `f = 17.4286…` at
/// `(0.8406…, −∞, −∞)`.
pub fn bard() -> MghProblem {
    MghProblem::new(
        8,
        vec![1.0, 1.0, 1.0],
        vec![
            PublishedMinimum::printed(8.21487e-3, 6, "global minimum near (0.0824, 1.133, 2.344)"),
            PublishedMinimum::printed(17.4286, 6, "limit at (0.8406…, −∞, −∞)"),
        ],
        Bard,
    )
}

struct Gaussian;

const GAUSSIAN_Y: [f64; 15] = [
    0.0009, 0.0044, 0.0175, 0.0540, 0.1295, 0.2420, 0.3521, 0.3989, 0.3521, 0.2420, 0.1295, 0.0540,
    0.0175, 0.0044, 0.0009,
];

impl LeastSquares for Gaussian {
    fn name(&self) -> String {
        "Gaussian".into()
    }
    fn n(&self) -> usize {
        3
    }
    fn m(&self) -> usize {
        15
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        for k in 0..15 {
            let s = (7.0 - k as f64) / 2.0 - x[2];
            r[k] = x[0] * (-x[1] * s * s / 2.0).exp() - GAUSSIAN_Y[k];
        }
    }
    fn jacobian(&self, x: &[f64], mut j: MatMut<'_, f64>) {
        for k in 0..15 {
            let s = (7.0 - k as f64) / 2.0 - x[2];
            let e = (-x[1] * s * s / 2.0).exp();
            j[(k, 0)] = e;
            j[(k, 1)] = -x[0] * e * s * s / 2.0;
            j[(k, 2)] = x[0] * e * x[1] * s;
        }
    }
    fn add_residual_hessians(&self, x: &[f64], w: &[f64], h: MatMut<'_, f64>) {
        let mut h = SymAdd::new(h);
        let (x1, x2) = (x[0], x[1]);
        for k in 0..15 {
            // s = t − x₃, e = exp(−x₂s²/2)
            let s = (7.0 - k as f64) / 2.0 - x[2];
            let e = (-x2 * s * s / 2.0).exp() * w[k];
            h.add(0, 1, -e * s * s / 2.0);
            h.add(0, 2, e * x2 * s);
            h.add(1, 1, x1 * e * s.powi(4) / 4.0);
            h.add(1, 2, x1 * e * (s - x2 * s.powi(3) / 2.0));
            h.add(2, 2, x1 * x2 * e * (x2 * s * s - 1.0));
        }
    }
}

/// (9) Gaussian: n = 3, m = 15, `r_i = x₁ exp(−x₂(t_i − x₃)²/2) − y_i` with
/// `t_i = (8 − i)/2` and the paper's `y`. `x0 = (0.4, 1, 0)`;
/// `f* = 1.12793…·10⁻⁸`.
pub fn gaussian() -> MghProblem {
    MghProblem::new(
        9,
        vec![0.4, 1.0, 0.0],
        vec![PublishedMinimum::printed(
            1.12793e-8,
            6,
            "global minimum near (0.3990, 1.0000, 0)",
        )],
        Gaussian,
    )
}

struct Meyer;

const MEYER_Y: [f64; 16] = [
    34780.0, 28610.0, 23650.0, 19630.0, 16370.0, 13720.0, 11540.0, 9744.0, 8261.0, 7030.0, 6005.0,
    5147.0, 4427.0, 3820.0, 3307.0, 2872.0,
];

impl LeastSquares for Meyer {
    fn name(&self) -> String {
        "Meyer".into()
    }
    fn n(&self) -> usize {
        3
    }
    fn m(&self) -> usize {
        16
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        for k in 0..16 {
            let t = 45.0 + 5.0 * (k + 1) as f64;
            r[k] = x[0] * (x[1] / (t + x[2])).exp() - MEYER_Y[k];
        }
    }
    fn jacobian(&self, x: &[f64], mut j: MatMut<'_, f64>) {
        for k in 0..16 {
            let q = 1.0 / (45.0 + 5.0 * (k + 1) as f64 + x[2]);
            let e = (x[1] * q).exp();
            j[(k, 0)] = e;
            j[(k, 1)] = x[0] * e * q;
            j[(k, 2)] = -x[0] * e * x[1] * q * q;
        }
    }
    fn add_residual_hessians(&self, x: &[f64], w: &[f64], h: MatMut<'_, f64>) {
        let mut h = SymAdd::new(h);
        let (x1, x2) = (x[0], x[1]);
        for k in 0..16 {
            // q = 1/(t + x₃), e = exp(x₂ q)
            let q = 1.0 / (45.0 + 5.0 * (k + 1) as f64 + x[2]);
            let e = (x2 * q).exp() * w[k];
            h.add(0, 1, e * q);
            h.add(0, 2, -e * x2 * q * q);
            h.add(1, 1, x1 * e * q * q);
            h.add(1, 2, -x1 * e * q * q * (x2 * q + 1.0));
            h.add(2, 2, x1 * x2 * e * q.powi(3) * (x2 * q + 2.0));
        }
    }
}

/// (10) Meyer: n = 3, m = 16, `r_i = x₁ exp(x₂/(t_i + x₃)) − y_i` with
/// `t_i = 45 + 5i` and the paper's `y`. `x0 = (0.02, 4000, 250)`;
/// `f* = 87.9458…`.
pub fn meyer() -> MghProblem {
    MghProblem::new(
        10,
        vec![0.02, 4000.0, 250.0],
        vec![PublishedMinimum::printed(
            87.9458,
            6,
            "global minimum near (0.005610, 6181.35, 345.224)",
        )],
        Meyer,
    )
}

struct Gulf {
    m: usize,
}

/// `b^q (ln b)^k` for `b ≥ 0`, with its limit 0 at `b = 0` when `q > 0`
/// (`b^q` wins over any power of `ln b`); the plain product would be
/// `0 · ∞ = NaN` there.
fn pow_log(b: f64, q: f64, k: i32) -> f64 {
    if b == 0.0 && q > 0.0 {
        0.0
    } else {
        b.powf(q) * b.ln().powi(k)
    }
}

impl Gulf {
    /// `(t_i, y_i)` with `t_i = i/100`, `y_i = 25 + (−50 ln t_i)^{2/3}`.
    fn ty(k: usize) -> (f64, f64) {
        let t = (k + 1) as f64 / 100.0;
        (t, 25.0 + (-50.0 * t.ln()).powf(2.0 / 3.0))
    }
}

impl LeastSquares for Gulf {
    fn name(&self) -> String {
        "Gulf research and development".into()
    }
    fn n(&self) -> usize {
        3
    }
    fn m(&self) -> usize {
        self.m
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        for k in 0..self.m {
            let (t, y) = Self::ty(k);
            r[k] = (-(y - x[1]).abs().powf(x[2]) / x[0]).exp() - t;
        }
    }
    fn jacobian(&self, x: &[f64], mut j: MatMut<'_, f64>) {
        let (x1, x2, x3) = (x[0], x[1], x[2]);
        for k in 0..self.m {
            let (_, y) = Self::ty(k);
            let a = y - x2;
            let b = a.abs();
            let p = b.powf(x3);
            let e = (-p / x1).exp();
            // c = |y − x₂|^{x₃}/x₁, r = e^{−c} − t, ∂r = −e ∂c
            let c1 = -p / (x1 * x1);
            let c2 = -x3 * a.signum() * b.powf(x3 - 1.0) / x1;
            let c3 = pow_log(b, x3, 1) / x1;
            j[(k, 0)] = -e * c1;
            j[(k, 1)] = -e * c2;
            j[(k, 2)] = -e * c3;
        }
    }
    fn add_residual_hessians(&self, x: &[f64], w: &[f64], h: MatMut<'_, f64>) {
        let mut h = SymAdd::new(h);
        let (x1, x2, x3) = (x[0], x[1], x[2]);
        for k in 0..self.m {
            let (_, y) = Self::ty(k);
            if w[k] == 0.0 {
                // 0 · ∇²r_i = 0, also where ∇²r_i is unbounded (see `gulf`)
                continue;
            }
            let a = y - x2;
            let sa = a.signum();
            let b = a.abs();
            let p = b.powf(x3);
            let p_lb = pow_log(b, x3, 1);
            let bm1 = b.powf(x3 - 1.0);
            let e = (-p / x1).exp() * w[k];
            let c = [-p / (x1 * x1), -x3 * sa * bm1 / x1, p_lb / x1];
            // ∂²c
            let c11 = 2.0 * p / (x1 * x1 * x1);
            let c12 = x3 * sa * bm1 / (x1 * x1);
            let c13 = -p_lb / (x1 * x1);
            let c22 = x3 * (x3 - 1.0) * b.powf(x3 - 2.0) / x1;
            let c23 = -sa * (bm1 + x3 * pow_log(b, x3 - 1.0, 1)) / x1;
            let c33 = pow_log(b, x3, 2) / x1;
            // ∂²r = e^{−c}(∂c ∂cᵀ − ∂²c)
            h.add(0, 0, e * (c[0] * c[0] - c11));
            h.add(0, 1, e * (c[0] * c[1] - c12));
            h.add(0, 2, e * (c[0] * c[2] - c13));
            h.add(1, 1, e * (c[1] * c[1] - c22));
            h.add(1, 2, e * (c[1] * c[2] - c23));
            h.add(2, 2, e * (c[2] * c[2] - c33));
        }
    }
}

/// (11) Gulf research and development: n = 3, 3 ≤ m ≤ 100,
/// `r_i = exp(−|y_i − x₂|^{x₃}/x₁) − t_i` with `t_i = i/100`,
/// `y_i = 25 + (−50 ln t_i)^{2/3}` (the paper's printed "m i" is a minus sign).
/// `x0 = (5, 2.5, 0.15)`; `f* = 0` at `(50, 25, 1.5)`. The suite uses m = 99.
///
/// **m = 100 and the plane `x₂ = 25`.** `t₁₀₀ = 1` gives `y₁₀₀ = 25`, so on
/// `x₂ = 25` — which contains x* — `|y₁₀₀ − x₂| = 0` and `r₁₀₀ = 0`. There the
/// logarithmic terms of the derivatives take their limits
/// (`|y − x₂|^{x₃} ln|y − x₂| → 0` for `x₃ > 0`), so the Jacobian and gradient
/// are finite (row 100 of J is 0 for `x₃ > 1`). But `r₁₀₀` is **not twice
/// differentiable** there: `∂²r₁₀₀/∂x₂² ∝ |y₁₀₀ − x₂|^{x₃−2}` is unbounded for
/// `x₃ < 2` (x₃* = 1.5), so `Σ w_i ∇²r_i` has an infinite (2, 2) entry for
/// `w₁₀₀ ≠ 0`. A zero weight drops the term (`0 · ∇²r_i = 0`, the limit of
/// `r₁₀₀ ∇²r₁₀₀ ∝ |x₂ − 25|^{2x₃−2} → 0`), so `f = Σ r_i²` — whose
/// `r₁₀₀² ∝ |x₂ − 25|^{2x₃}` is twice differentiable for `x₃ > 1` — has the
/// finite Hessian `2JᵀJ` at x*. For m < 100 every `y_i > 25` near x* and the
/// problem is smooth there.
///
/// # Errors
/// [`Error::Invalid`] unless `3 ≤ m ≤ 100`.
pub fn gulf(m: usize) -> Result<MghProblem, Error> {
    if !(3..=100).contains(&m) {
        return Err(size_error(
            "Gulf research and development (MGH 11)",
            format!("m must be in 3..=100, got m = {m}"),
        ));
    }
    Ok(MghProblem::new(
        11,
        vec![5.0, 2.5, 0.15],
        vec![PublishedMinimum::exact(
            0.0,
            Some(vec![50.0, 25.0, 1.5]),
            "global minimum",
        )],
        Gulf { m },
    ))
}

struct Box3d {
    m: usize,
}

impl LeastSquares for Box3d {
    fn name(&self) -> String {
        "Box three-dimensional".into()
    }
    fn n(&self) -> usize {
        3
    }
    fn m(&self) -> usize {
        self.m
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        for k in 0..self.m {
            let t = 0.1 * (k + 1) as f64;
            r[k] = (-t * x[0]).exp() - (-t * x[1]).exp() - x[2] * ((-t).exp() - (-10.0 * t).exp());
        }
    }
    fn jacobian(&self, x: &[f64], mut j: MatMut<'_, f64>) {
        for k in 0..self.m {
            let t = 0.1 * (k + 1) as f64;
            j[(k, 0)] = -t * (-t * x[0]).exp();
            j[(k, 1)] = t * (-t * x[1]).exp();
            j[(k, 2)] = -((-t).exp() - (-10.0 * t).exp());
        }
    }
    fn add_residual_hessians(&self, x: &[f64], w: &[f64], h: MatMut<'_, f64>) {
        let mut h = SymAdd::new(h);
        for k in 0..self.m {
            let t = 0.1 * (k + 1) as f64;
            h.add(0, 0, w[k] * t * t * (-t * x[0]).exp());
            h.add(1, 1, -w[k] * t * t * (-t * x[1]).exp());
        }
    }
}

/// (12) Box three-dimensional: n = 3, m ≥ 3,
/// `r_i = exp(−t_i x₁) − exp(−t_i x₂) − x₃(exp(−t_i) − exp(−10 t_i))`,
/// `t_i = 0.1 i`. `x0 = (0, 10, 20)`; `f* = 0` at `(1, 10, 1)`, `(10, 1, −1)`
/// and wherever `x₁ = x₂`, `x₃ = 0`. The suite uses m = 10.
///
/// # Errors
/// [`Error::Invalid`] if `m < 3`.
pub fn box_3d(m: usize) -> Result<MghProblem, Error> {
    if m < 3 {
        return Err(size_error(
            "Box three-dimensional (MGH 12)",
            format!("m must be ≥ n = 3, got m = {m}"),
        ));
    }
    Ok(MghProblem::new(
        12,
        vec![0.0, 10.0, 20.0],
        vec![
            PublishedMinimum::exact(0.0, Some(vec![1.0, 10.0, 1.0]), "global minimum"),
            PublishedMinimum::exact(0.0, Some(vec![10.0, 1.0, -1.0]), "global minimum"),
            PublishedMinimum::exact(0.0, Some(vec![2.0, 2.0, 0.0]), "the line x₁ = x₂, x₃ = 0"),
        ],
        Box3d { m },
    ))
}

struct Wood;

impl LeastSquares for Wood {
    fn name(&self) -> String {
        "Wood".into()
    }
    fn n(&self) -> usize {
        4
    }
    fn m(&self) -> usize {
        6
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        r[0] = 10.0 * (x[1] - x[0] * x[0]);
        r[1] = 1.0 - x[0];
        r[2] = 90f64.sqrt() * (x[3] - x[2] * x[2]);
        r[3] = 1.0 - x[2];
        r[4] = 10f64.sqrt() * (x[1] + x[3] - 2.0);
        r[5] = (x[1] - x[3]) / 10f64.sqrt();
    }
    fn jacobian(&self, x: &[f64], mut j: MatMut<'_, f64>) {
        j.fill(0.0);
        j[(0, 0)] = -20.0 * x[0];
        j[(0, 1)] = 10.0;
        j[(1, 0)] = -1.0;
        j[(2, 2)] = -2.0 * 90f64.sqrt() * x[2];
        j[(2, 3)] = 90f64.sqrt();
        j[(3, 2)] = -1.0;
        j[(4, 1)] = 10f64.sqrt();
        j[(4, 3)] = 10f64.sqrt();
        j[(5, 1)] = 1.0 / 10f64.sqrt();
        j[(5, 3)] = -1.0 / 10f64.sqrt();
    }
    fn add_residual_hessians(&self, _x: &[f64], w: &[f64], h: MatMut<'_, f64>) {
        let mut h = SymAdd::new(h);
        h.add(0, 0, -20.0 * w[0]);
        h.add(2, 2, -2.0 * 90f64.sqrt() * w[2]);
    }
}

/// (14) Wood: n = 4, m = 6, `r₁ = 10(x₂ − x₁²)`, `r₂ = 1 − x₁`,
/// `r₃ = √90(x₄ − x₃²)`, `r₄ = 1 − x₃`, `r₅ = √10(x₂ + x₄ − 2)`,
/// `r₆ = (x₂ − x₄)/√10`. `x0 = (−3, −1, −3, −1)`; `f* = 0` at `(1, 1, 1, 1)`.
pub fn wood() -> MghProblem {
    MghProblem::new(
        14,
        vec![-3.0, -1.0, -3.0, -1.0],
        vec![PublishedMinimum::exact(
            0.0,
            Some(vec![1.0; 4]),
            "global minimum",
        )],
        Wood,
    )
}

struct KowalikOsborne;

const KOWALIK_Y: [f64; 11] = [
    0.1957, 0.1947, 0.1735, 0.1600, 0.0844, 0.0627, 0.0456, 0.0342, 0.0323, 0.0235, 0.0246,
];
const KOWALIK_U: [f64; 11] = [
    4.0, 2.0, 1.0, 0.5, 0.25, 0.167, 0.125, 0.1, 0.0833, 0.0714, 0.0625,
];

impl LeastSquares for KowalikOsborne {
    fn name(&self) -> String {
        "Kowalik and Osborne".into()
    }
    fn n(&self) -> usize {
        4
    }
    fn m(&self) -> usize {
        11
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        for k in 0..11 {
            let u = KOWALIK_U[k];
            r[k] = KOWALIK_Y[k] - x[0] * (u * u + u * x[1]) / (u * u + u * x[2] + x[3]);
        }
    }
    fn jacobian(&self, x: &[f64], mut j: MatMut<'_, f64>) {
        for k in 0..11 {
            let u = KOWALIK_U[k];
            let num = u * u + u * x[1];
            let den = u * u + u * x[2] + x[3];
            j[(k, 0)] = -num / den;
            j[(k, 1)] = -x[0] * u / den;
            j[(k, 2)] = x[0] * num * u / (den * den);
            j[(k, 3)] = x[0] * num / (den * den);
        }
    }
    fn add_residual_hessians(&self, x: &[f64], w: &[f64], h: MatMut<'_, f64>) {
        let mut h = SymAdd::new(h);
        let x1 = x[0];
        for k in 0..11 {
            // r = y − x₁ N/D with N = u² + u x₂, D = u² + u x₃ + x₄
            let u = KOWALIK_U[k];
            let num = u * u + u * x[1];
            let den = u * u + u * x[2] + x[3];
            let (d2, d3) = (den * den, den * den * den);
            let wk = w[k];
            h.add(0, 1, -wk * u / den);
            h.add(0, 2, wk * num * u / d2);
            h.add(0, 3, wk * num / d2);
            h.add(1, 2, wk * x1 * u * u / d2);
            h.add(1, 3, wk * x1 * u / d2);
            h.add(2, 2, -2.0 * wk * x1 * num * u * u / d3);
            h.add(2, 3, -2.0 * wk * x1 * num * u / d3);
            h.add(3, 3, -2.0 * wk * x1 * num / d3);
        }
    }
}

/// (15) Kowalik and Osborne: n = 4, m = 11,
/// `r_i = y_i − x₁(u_i² + u_i x₂)/(u_i² + u_i x₃ + x₄)` with the paper's `y`,
/// `u`. `x0 = (0.25, 0.39, 0.415, 0.39)`; `f* = 3.07505…·10⁻⁴`, and
/// `f = 1.02734…·10⁻³` at `(+∞, −14.07…, −∞, −∞)`.
pub fn kowalik_osborne() -> MghProblem {
    MghProblem::new(
        15,
        vec![0.25, 0.39, 0.415, 0.39],
        vec![
            PublishedMinimum::printed(
                3.07505e-4,
                6,
                "global minimum near (0.1928, 0.1913, 0.1231, 0.1361)",
            ),
            PublishedMinimum::printed(1.02734e-3, 6, "limit at (+∞, −14.07…, −∞, −∞)"),
        ],
        KowalikOsborne,
    )
}

struct BrownDennis {
    m: usize,
}

impl LeastSquares for BrownDennis {
    fn name(&self) -> String {
        "Brown and Dennis".into()
    }
    fn n(&self) -> usize {
        4
    }
    fn m(&self) -> usize {
        self.m
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        for k in 0..self.m {
            let t = (k + 1) as f64 / 5.0;
            let a = x[0] + t * x[1] - t.exp();
            let b = x[2] + x[3] * t.sin() - t.cos();
            r[k] = a * a + b * b;
        }
    }
    fn jacobian(&self, x: &[f64], mut j: MatMut<'_, f64>) {
        for k in 0..self.m {
            let t = (k + 1) as f64 / 5.0;
            let a = x[0] + t * x[1] - t.exp();
            let b = x[2] + x[3] * t.sin() - t.cos();
            j[(k, 0)] = 2.0 * a;
            j[(k, 1)] = 2.0 * t * a;
            j[(k, 2)] = 2.0 * b;
            j[(k, 3)] = 2.0 * t.sin() * b;
        }
    }
    fn add_residual_hessians(&self, _x: &[f64], w: &[f64], h: MatMut<'_, f64>) {
        let mut h = SymAdd::new(h);
        for k in 0..self.m {
            // ∇²r = 2 (1, t)(1, t)ᵀ ⊕ 2 (1, sin t)(1, sin t)ᵀ
            let t = (k + 1) as f64 / 5.0;
            let s = t.sin();
            let c = 2.0 * w[k];
            h.add(0, 0, c);
            h.add(0, 1, c * t);
            h.add(1, 1, c * t * t);
            h.add(2, 2, c);
            h.add(2, 3, c * s);
            h.add(3, 3, c * s * s);
        }
    }
}

/// (16) Brown and Dennis: n = 4, m ≥ 4,
/// `r_i = (x₁ + t_i x₂ − exp t_i)² + (x₃ + x₄ sin t_i − cos t_i)²`,
/// `t_i = i/5`. `x0 = (25, 5, −5, −1)`; `f* = 85822.2…` for m = 20 (the
/// suite's size; no value for other m).
///
/// # Errors
/// [`Error::Invalid`] if `m < 4`.
pub fn brown_dennis(m: usize) -> Result<MghProblem, Error> {
    if m < 4 {
        return Err(size_error(
            "Brown and Dennis (MGH 16)",
            format!("m must be ≥ n = 4, got m = {m}"),
        ));
    }
    let minima = if m == 20 {
        vec![PublishedMinimum::printed(
            85822.2,
            6,
            "global minimum near (−11.59, 13.20, −0.4034, 0.2368)",
        )]
    } else {
        Vec::new()
    };
    Ok(MghProblem::new(
        16,
        vec![25.0, 5.0, -5.0, -1.0],
        minima,
        BrownDennis { m },
    ))
}

struct BiggsExp6 {
    m: usize,
}

impl LeastSquares for BiggsExp6 {
    fn name(&self) -> String {
        "Biggs EXP6".into()
    }
    fn n(&self) -> usize {
        6
    }
    fn m(&self) -> usize {
        self.m
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        for k in 0..self.m {
            let t = 0.1 * (k + 1) as f64;
            let y = (-t).exp() - 5.0 * (-10.0 * t).exp() + 3.0 * (-4.0 * t).exp();
            r[k] =
                x[2] * (-t * x[0]).exp() - x[3] * (-t * x[1]).exp() + x[5] * (-t * x[4]).exp() - y;
        }
    }
    fn jacobian(&self, x: &[f64], mut j: MatMut<'_, f64>) {
        for k in 0..self.m {
            let t = 0.1 * (k + 1) as f64;
            let (e1, e2, e5) = ((-t * x[0]).exp(), (-t * x[1]).exp(), (-t * x[4]).exp());
            j[(k, 0)] = -t * x[2] * e1;
            j[(k, 1)] = t * x[3] * e2;
            j[(k, 2)] = e1;
            j[(k, 3)] = -e2;
            j[(k, 4)] = -t * x[5] * e5;
            j[(k, 5)] = e5;
        }
    }
    fn add_residual_hessians(&self, x: &[f64], w: &[f64], h: MatMut<'_, f64>) {
        let mut h = SymAdd::new(h);
        for k in 0..self.m {
            let t = 0.1 * (k + 1) as f64;
            let (e1, e2, e5) = ((-t * x[0]).exp(), (-t * x[1]).exp(), (-t * x[4]).exp());
            let wk = w[k];
            h.add(0, 0, wk * t * t * x[2] * e1);
            h.add(0, 2, -wk * t * e1);
            h.add(1, 1, -wk * t * t * x[3] * e2);
            h.add(1, 3, wk * t * e2);
            h.add(4, 4, wk * t * t * x[5] * e5);
            h.add(4, 5, -wk * t * e5);
        }
    }
}

/// (18) Biggs EXP6: n = 6, m ≥ 6,
/// `r_i = x₃e^{−t_i x₁} − x₄e^{−t_i x₂} + x₆e^{−t_i x₅} − y_i` with
/// `t_i = 0.1 i`, `y_i = e^{−t_i} − 5e^{−10 t_i} + 3e^{−4 t_i}`.
/// `x0 = (1, 2, 1, 1, 1, 1)`; `f* = 0` at `(1, 10, 1, 5, 4, 3)`, and (m = 13)
/// a local minimum `f = 5.65565…·10⁻³`. The suite uses m = 13.
///
/// # Errors
/// [`Error::Invalid`] if `m < 6`.
pub fn biggs_exp6(m: usize) -> Result<MghProblem, Error> {
    if m < 6 {
        return Err(size_error(
            "Biggs EXP6 (MGH 18)",
            format!("m must be ≥ n = 6, got m = {m}"),
        ));
    }
    let mut minima = vec![PublishedMinimum::exact(
        0.0,
        Some(vec![1.0, 10.0, 1.0, 5.0, 4.0, 3.0]),
        "global minimum",
    )];
    if m == 13 {
        minima.push(PublishedMinimum::printed(
            5.65565e-3,
            6,
            "local minimum (m = 13)",
        ));
    }
    Ok(MghProblem::new(
        18,
        vec![1.0, 2.0, 1.0, 1.0, 1.0, 1.0],
        minima,
        BiggsExp6 { m },
    ))
}
