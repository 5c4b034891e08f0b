//! MGH problems 20–35: variable dimension n (and m for 32–35). Formulas,
//! starting points and minima from Moré, Garbow & Hillstrom (1981), §3;
//! indices in comments are the paper's (1-based), code is 0-based.

use descent_core::Error;
use descent_linalg::MatMut;

use super::{MghProblem, PublishedMinimum, size_error};
use crate::least_squares::{LeastSquares, SymAdd};

/// Extended Rosenbrock (21), and Rosenbrock (1) for n = 2.
pub(super) struct ExtendedRosenbrock {
    pub(super) n: usize,
    pub(super) name: &'static str,
}

impl LeastSquares for ExtendedRosenbrock {
    fn name(&self) -> String {
        self.name.into()
    }
    fn n(&self) -> usize {
        self.n
    }
    fn m(&self) -> usize {
        self.n
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        for b in 0..self.n / 2 {
            let (i, k) = (2 * b, 2 * b + 1);
            r[i] = 10.0 * (x[k] - x[i] * x[i]);
            r[k] = 1.0 - x[i];
        }
    }
    fn jacobian(&self, x: &[f64], mut j: MatMut<'_, f64>) {
        j.fill(0.0);
        for b in 0..self.n / 2 {
            let (i, k) = (2 * b, 2 * b + 1);
            j[(i, i)] = -20.0 * x[i];
            j[(i, k)] = 10.0;
            j[(k, i)] = -1.0;
        }
    }
    fn add_residual_hessians(&self, _x: &[f64], w: &[f64], h: MatMut<'_, f64>) {
        let mut h = SymAdd::new(h);
        for b in 0..self.n / 2 {
            let i = 2 * b;
            h.add(i, i, -20.0 * w[i]);
        }
    }
}

/// (21) Extended Rosenbrock: n even, m = n,
/// `r_{2i−1} = 10(x_{2i} − x_{2i−1}²)`, `r_{2i} = 1 − x_{2i−1}`.
/// `x0 = (−1.2, 1, −1.2, 1, …)`; `f* = 0` at `(1, …, 1)`.
///
/// # Errors
/// [`Error::Invalid`] if n is odd or zero.
pub fn extended_rosenbrock(n: usize) -> Result<MghProblem, Error> {
    if n == 0 || n % 2 != 0 {
        return Err(size_error(
            "extended Rosenbrock (MGH 21)",
            format!("n must be even and ≥ 2, got n = {n}"),
        ));
    }
    let x0 = (0..n)
        .map(|i| if i % 2 == 0 { -1.2 } else { 1.0 })
        .collect();
    Ok(MghProblem::new(
        21,
        x0,
        vec![PublishedMinimum::exact(
            0.0,
            Some(vec![1.0; n]),
            "global minimum",
        )],
        ExtendedRosenbrock {
            n,
            name: "extended Rosenbrock",
        },
    ))
}

/// Extended Powell singular (22), and Powell singular (13) for n = 4.
pub(super) struct ExtendedPowell {
    pub(super) n: usize,
    pub(super) name: &'static str,
}

impl LeastSquares for ExtendedPowell {
    fn name(&self) -> String {
        self.name.into()
    }
    fn n(&self) -> usize {
        self.n
    }
    fn m(&self) -> usize {
        self.n
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        let (s5, s10) = (5f64.sqrt(), 10f64.sqrt());
        for b in 0..self.n / 4 {
            let o = 4 * b;
            let (x1, x2, x3, x4) = (x[o], x[o + 1], x[o + 2], x[o + 3]);
            r[o] = x1 + 10.0 * x2;
            r[o + 1] = s5 * (x3 - x4);
            r[o + 2] = (x2 - 2.0 * x3).powi(2);
            r[o + 3] = s10 * (x1 - x4).powi(2);
        }
    }
    fn jacobian(&self, x: &[f64], mut j: MatMut<'_, f64>) {
        j.fill(0.0);
        let (s5, s10) = (5f64.sqrt(), 10f64.sqrt());
        for b in 0..self.n / 4 {
            let o = 4 * b;
            let (x1, x2, x3, x4) = (x[o], x[o + 1], x[o + 2], x[o + 3]);
            j[(o, o)] = 1.0;
            j[(o, o + 1)] = 10.0;
            j[(o + 1, o + 2)] = s5;
            j[(o + 1, o + 3)] = -s5;
            let d = 2.0 * (x2 - 2.0 * x3);
            j[(o + 2, o + 1)] = d;
            j[(o + 2, o + 2)] = -2.0 * d;
            let e = 2.0 * s10 * (x1 - x4);
            j[(o + 3, o)] = e;
            j[(o + 3, o + 3)] = -e;
        }
    }
    fn add_residual_hessians(&self, _x: &[f64], w: &[f64], h: MatMut<'_, f64>) {
        let mut h = SymAdd::new(h);
        let s10 = 10f64.sqrt();
        for b in 0..self.n / 4 {
            let o = 4 * b;
            // ∇²r₃ = 2 (e₂ − 2e₃)(e₂ − 2e₃)ᵀ, ∇²r₄ = 2√10 (e₁ − e₄)(e₁ − e₄)ᵀ
            let c3 = 2.0 * w[o + 2];
            h.add(o + 1, o + 1, c3);
            h.add(o + 1, o + 2, -2.0 * c3);
            h.add(o + 2, o + 2, 4.0 * c3);
            let c4 = 2.0 * s10 * w[o + 3];
            h.add(o, o, c4);
            h.add(o, o + 3, -c4);
            h.add(o + 3, o + 3, c4);
        }
    }
}

/// (22) Extended Powell singular: n a multiple of 4, m = n, Powell's singular
/// function (13) on each block of four. `x0 = (3, −1, 0, 1, 3, …)`; `f* = 0` at
/// the origin.
///
/// # Errors
/// [`Error::Invalid`] if n is not a positive multiple of 4.
pub fn extended_powell_singular(n: usize) -> Result<MghProblem, Error> {
    if n == 0 || n % 4 != 0 {
        return Err(size_error(
            "extended Powell singular (MGH 22)",
            format!("n must be a positive multiple of 4, got n = {n}"),
        ));
    }
    let x0 = (0..n).map(|i| [3.0, -1.0, 0.0, 1.0][i % 4]).collect();
    Ok(MghProblem::new(
        22,
        x0,
        vec![PublishedMinimum::exact(
            0.0,
            Some(vec![0.0; n]),
            "global minimum (singular Hessian)",
        )],
        ExtendedPowell {
            n,
            name: "extended Powell singular",
        },
    ))
}

struct Watson {
    n: usize,
}

impl LeastSquares for Watson {
    fn name(&self) -> String {
        "Watson".into()
    }
    fn n(&self) -> usize {
        self.n
    }
    fn m(&self) -> usize {
        31
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        for k in 0..29 {
            let t = (k + 1) as f64 / 29.0;
            let (mut s1, mut s2, mut tp) = (0.0, 0.0, 1.0);
            // tp = t^{j−1} (0-based j)
            for j in 0..self.n {
                if j >= 1 {
                    s1 += j as f64 * x[j] * tp / t;
                }
                s2 += x[j] * tp;
                tp *= t;
            }
            r[k] = s1 - s2 * s2 - 1.0;
        }
        r[29] = x[0];
        r[30] = x[1] - x[0] * x[0] - 1.0;
    }
    fn jacobian(&self, x: &[f64], mut j: MatMut<'_, f64>) {
        j.fill(0.0);
        for k in 0..29 {
            let t = (k + 1) as f64 / 29.0;
            let s2 = poly(x, t);
            let mut tp = 1.0;
            for c in 0..self.n {
                // ∂r/∂x_j = (j−1) t^{j−2} − 2 S₂ t^{j−1}
                let first = if c >= 1 { c as f64 * tp / t } else { 0.0 };
                j[(k, c)] = first - 2.0 * s2 * tp;
                tp *= t;
            }
        }
        j[(29, 0)] = 1.0;
        j[(30, 0)] = -2.0 * x[0];
        j[(30, 1)] = 1.0;
    }
    fn add_residual_hessians(&self, _x: &[f64], w: &[f64], mut h: MatMut<'_, f64>) {
        // ∇²r_i = −2 τ τᵀ with τ_j = t_i^{j−1}
        for k in 0..29 {
            let t = (k + 1) as f64 / 29.0;
            let mut ta = 1.0;
            for a in 0..self.n {
                let mut tb = 1.0;
                for b in 0..self.n {
                    h[(a, b)] -= 2.0 * w[k] * ta * tb;
                    tb *= t;
                }
                ta *= t;
            }
        }
        h[(0, 0)] -= 2.0 * w[30];
    }
}

/// `Σ_j x_j t^{j−1}`.
fn poly(x: &[f64], t: f64) -> f64 {
    x.iter().rev().fold(0.0, |acc, &c| acc * t + c)
}

/// (20) Watson: 2 ≤ n ≤ 31, m = 31,
/// `r_i = Σ_{j=2}^n (j−1)x_j t_i^{j−2} − (Σ_{j=1}^n x_j t_i^{j−1})² − 1` for
/// `t_i = i/29`, i ≤ 29; `r₃₀ = x₁`, `r₃₁ = x₂ − x₁² − 1`. `x0 = 0`;
/// `f* = 2.28767…·10⁻³` (n = 6), `1.39976…·10⁻⁶` (n = 9),
/// `4.72238…·10⁻¹⁰` (n = 12).
///
/// # Errors
/// [`Error::Invalid`] unless `2 ≤ n ≤ 31`.
pub fn watson(n: usize) -> Result<MghProblem, Error> {
    if !(2..=31).contains(&n) {
        return Err(size_error(
            "Watson (MGH 20)",
            format!("n must be in 2..=31, got n = {n}"),
        ));
    }
    let minima = match n {
        6 => vec![PublishedMinimum::printed(
            2.28767e-3,
            6,
            "global minimum (n = 6)",
        )],
        9 => vec![PublishedMinimum::printed(
            1.39976e-6,
            6,
            "global minimum (n = 9)",
        )],
        12 => vec![PublishedMinimum::printed(
            4.72238e-10,
            6,
            "global minimum (n = 12)",
        )],
        _ => Vec::new(),
    };
    Ok(MghProblem::new(20, vec![0.0; n], minima, Watson { n }))
}

/// The penalty weight `a = 10⁻⁵` of problems 23 and 24.
const PENALTY_A: f64 = 1e-5;

struct PenaltyI {
    n: usize,
}

impl LeastSquares for PenaltyI {
    fn name(&self) -> String {
        "penalty I".into()
    }
    fn n(&self) -> usize {
        self.n
    }
    fn m(&self) -> usize {
        self.n + 1
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        let sa = PENALTY_A.sqrt();
        for i in 0..self.n {
            r[i] = sa * (x[i] - 1.0);
        }
        r[self.n] = x.iter().map(|v| v * v).sum::<f64>() - 0.25;
    }
    fn jacobian(&self, x: &[f64], mut j: MatMut<'_, f64>) {
        j.fill(0.0);
        let sa = PENALTY_A.sqrt();
        for i in 0..self.n {
            j[(i, i)] = sa;
            j[(self.n, i)] = 2.0 * x[i];
        }
    }
    fn add_residual_hessians(&self, _x: &[f64], w: &[f64], mut h: MatMut<'_, f64>) {
        for i in 0..self.n {
            h[(i, i)] += 2.0 * w[self.n];
        }
    }
}

/// (23) Penalty I: n ≥ 1, m = n + 1, `r_i = √a(x_i − 1)` for i ≤ n,
/// `r_{n+1} = Σ x_j² − ¼`, `a = 10⁻⁵`. `x0_j = j`;
/// `f* = 2.24997…·10⁻⁵` (n = 4), `7.08765…·10⁻⁵` (n = 10).
///
/// # Errors
/// [`Error::Invalid`] if n = 0.
pub fn penalty_i(n: usize) -> Result<MghProblem, Error> {
    if n == 0 {
        return Err(size_error(
            "penalty I (MGH 23)",
            format!("n must be ≥ 1, got n = {n}"),
        ));
    }
    let minima = match n {
        4 => vec![PublishedMinimum::printed(
            2.24997e-5,
            6,
            "global minimum (n = 4)",
        )],
        10 => vec![PublishedMinimum::printed(
            7.08765e-5,
            6,
            "global minimum (n = 10)",
        )],
        _ => Vec::new(),
    };
    Ok(MghProblem::new(
        23,
        (1..=n).map(|j| j as f64).collect(),
        minima,
        PenaltyI { n },
    ))
}

struct PenaltyII {
    n: usize,
}

impl LeastSquares for PenaltyII {
    fn name(&self) -> String {
        "penalty II".into()
    }
    fn n(&self) -> usize {
        self.n
    }
    fn m(&self) -> usize {
        2 * self.n
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        let n = self.n;
        let sa = PENALTY_A.sqrt();
        r[0] = x[0] - 0.2;
        for i in 1..n {
            // paper's i+1: y = e^{(i+1)/10} + e^{i/10}
            let y = ((i + 1) as f64 / 10.0).exp() + (i as f64 / 10.0).exp();
            r[i] = sa * ((x[i] / 10.0).exp() + (x[i - 1] / 10.0).exp() - y);
        }
        for i in n..2 * n - 1 {
            r[i] = sa * ((x[i - n + 1] / 10.0).exp() - (-0.1f64).exp());
        }
        r[2 * n - 1] = (0..n).map(|j| (n - j) as f64 * x[j] * x[j]).sum::<f64>() - 1.0;
    }
    fn jacobian(&self, x: &[f64], mut j: MatMut<'_, f64>) {
        let n = self.n;
        let sa = PENALTY_A.sqrt();
        j.fill(0.0);
        j[(0, 0)] = 1.0;
        for i in 1..n {
            j[(i, i)] = sa * (x[i] / 10.0).exp() / 10.0;
            j[(i, i - 1)] = sa * (x[i - 1] / 10.0).exp() / 10.0;
        }
        for i in n..2 * n - 1 {
            let v = i - n + 1;
            j[(i, v)] = sa * (x[v] / 10.0).exp() / 10.0;
        }
        for c in 0..n {
            j[(2 * n - 1, c)] = 2.0 * (n - c) as f64 * x[c];
        }
    }
    fn add_residual_hessians(&self, x: &[f64], w: &[f64], mut h: MatMut<'_, f64>) {
        let n = self.n;
        let sa = PENALTY_A.sqrt();
        for i in 1..n {
            h[(i, i)] += w[i] * sa * (x[i] / 10.0).exp() / 100.0;
            h[(i - 1, i - 1)] += w[i] * sa * (x[i - 1] / 10.0).exp() / 100.0;
        }
        for i in n..2 * n - 1 {
            let v = i - n + 1;
            h[(v, v)] += w[i] * sa * (x[v] / 10.0).exp() / 100.0;
        }
        for c in 0..n {
            h[(c, c)] += w[2 * n - 1] * 2.0 * (n - c) as f64;
        }
    }
}

/// (24) Penalty II: n ≥ 1, m = 2n, `r₁ = x₁ − 0.2`,
/// `r_i = √a(e^{x_i/10} + e^{x_{i−1}/10} − y_i)` (2 ≤ i ≤ n),
/// `r_i = √a(e^{x_{i−n+1}/10} − e^{−1/10})` (n < i < 2n),
/// `r_{2n} = Σ_j (n − j + 1)x_j² − 1`, with `a = 10⁻⁵`,
/// `y_i = e^{i/10} + e^{(i−1)/10}`. `x0 = (½, …, ½)`;
/// `f* = 9.37629…·10⁻⁶` (n = 4), `2.93660…·10⁻⁴` (n = 10).
///
/// # Errors
/// [`Error::Invalid`] if n = 0.
pub fn penalty_ii(n: usize) -> Result<MghProblem, Error> {
    if n == 0 {
        return Err(size_error(
            "penalty II (MGH 24)",
            format!("n must be ≥ 1, got n = {n}"),
        ));
    }
    let minima = match n {
        4 => vec![PublishedMinimum::printed(
            9.37629e-6,
            6,
            "global minimum (n = 4)",
        )],
        10 => vec![PublishedMinimum::printed(
            2.93660e-4,
            6,
            "global minimum (n = 10)",
        )],
        _ => Vec::new(),
    };
    Ok(MghProblem::new(24, vec![0.5; n], minima, PenaltyII { n }))
}

struct VariablyDimensioned {
    n: usize,
}

impl LeastSquares for VariablyDimensioned {
    fn name(&self) -> String {
        "variably dimensioned".into()
    }
    fn n(&self) -> usize {
        self.n
    }
    fn m(&self) -> usize {
        self.n + 2
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        let n = self.n;
        let mut s = 0.0;
        for i in 0..n {
            r[i] = x[i] - 1.0;
            s += (i + 1) as f64 * (x[i] - 1.0);
        }
        r[n] = s;
        r[n + 1] = s * s;
    }
    fn jacobian(&self, x: &[f64], mut j: MatMut<'_, f64>) {
        let n = self.n;
        let s: f64 = (0..n).map(|i| (i + 1) as f64 * (x[i] - 1.0)).sum();
        j.fill(0.0);
        for c in 0..n {
            let jc = (c + 1) as f64;
            j[(c, c)] = 1.0;
            j[(n, c)] = jc;
            j[(n + 1, c)] = 2.0 * s * jc;
        }
    }
    fn add_residual_hessians(&self, _x: &[f64], w: &[f64], mut h: MatMut<'_, f64>) {
        // ∇²r_{n+2} = 2 j kᵀ
        let c = 2.0 * w[self.n + 1];
        for a in 0..self.n {
            for b in 0..self.n {
                h[(a, b)] += c * ((a + 1) * (b + 1)) as f64;
            }
        }
    }
}

/// (25) Variably dimensioned: n ≥ 1, m = n + 2, `r_i = x_i − 1` (i ≤ n),
/// `r_{n+1} = Σ j(x_j − 1)`, `r_{n+2} = (Σ j(x_j − 1))²`. `x0_j = 1 − j/n`;
/// `f* = 0` at `(1, …, 1)`.
///
/// # Errors
/// [`Error::Invalid`] if n = 0.
pub fn variably_dimensioned(n: usize) -> Result<MghProblem, Error> {
    if n == 0 {
        return Err(size_error(
            "variably dimensioned (MGH 25)",
            format!("n must be ≥ 1, got n = {n}"),
        ));
    }
    let x0 = (1..=n).map(|j| 1.0 - j as f64 / n as f64).collect();
    Ok(MghProblem::new(
        25,
        x0,
        vec![PublishedMinimum::exact(
            0.0,
            Some(vec![1.0; n]),
            "global minimum",
        )],
        VariablyDimensioned { n },
    ))
}

struct Trigonometric {
    n: usize,
}

impl LeastSquares for Trigonometric {
    fn name(&self) -> String {
        "trigonometric".into()
    }
    fn n(&self) -> usize {
        self.n
    }
    fn m(&self) -> usize {
        self.n
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        let n = self.n as f64;
        let sc: f64 = x.iter().map(|v| v.cos()).sum();
        for i in 0..self.n {
            let fi = (i + 1) as f64;
            r[i] = n - sc + fi * (1.0 - x[i].cos()) - x[i].sin();
        }
    }
    fn jacobian(&self, x: &[f64], mut j: MatMut<'_, f64>) {
        for i in 0..self.n {
            let fi = (i + 1) as f64;
            for c in 0..self.n {
                j[(i, c)] = x[c].sin();
            }
            j[(i, i)] += fi * x[i].sin() - x[i].cos();
        }
    }
    fn add_residual_hessians(&self, x: &[f64], w: &[f64], mut h: MatMut<'_, f64>) {
        // ∇²r_i = diag(cos x) + (i cos x_i + sin x_i) e_i e_iᵀ
        let wsum: f64 = w.iter().sum();
        for c in 0..self.n {
            let fc = (c + 1) as f64;
            h[(c, c)] += wsum * x[c].cos() + w[c] * (fc * x[c].cos() + x[c].sin());
        }
    }
}

/// (26) Trigonometric: n ≥ 1, m = n,
/// `r_i = n − Σ_j cos x_j + i(1 − cos x_i) − sin x_i`. `x0 = (1/n, …, 1/n)`;
/// `f* = 0` (minimiser not in closed form; local minima with `f > 0` exist).
///
/// # Errors
/// [`Error::Invalid`] if n = 0.
pub fn trigonometric(n: usize) -> Result<MghProblem, Error> {
    if n == 0 {
        return Err(size_error(
            "trigonometric (MGH 26)",
            format!("n must be ≥ 1, got n = {n}"),
        ));
    }
    Ok(MghProblem::new(
        26,
        vec![1.0 / n as f64; n],
        vec![PublishedMinimum::exact(
            0.0,
            None,
            "global minimum (no closed form)",
        )],
        Trigonometric { n },
    ))
}

struct BrownAlmostLinear {
    n: usize,
}

impl LeastSquares for BrownAlmostLinear {
    fn name(&self) -> String {
        "Brown almost-linear".into()
    }
    fn n(&self) -> usize {
        self.n
    }
    fn m(&self) -> usize {
        self.n
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        let n = self.n;
        let s: f64 = x.iter().sum();
        for i in 0..n - 1 {
            r[i] = x[i] + s - (n + 1) as f64;
        }
        r[n - 1] = x.iter().product::<f64>() - 1.0;
    }
    fn jacobian(&self, x: &[f64], mut j: MatMut<'_, f64>) {
        let n = self.n;
        for i in 0..n - 1 {
            for c in 0..n {
                j[(i, c)] = if i == c { 2.0 } else { 1.0 };
            }
        }
        for c in 0..n {
            // ∂(Π x)/∂x_c = Π_{l≠c} x_l
            j[(n - 1, c)] = (0..n).filter(|&l| l != c).map(|l| x[l]).product();
        }
    }
    fn add_residual_hessians(&self, x: &[f64], w: &[f64], mut h: MatMut<'_, f64>) {
        let n = self.n;
        let wn = w[n - 1];
        for a in 0..n {
            for b in 0..n {
                if a != b {
                    let p: f64 = (0..n).filter(|&l| l != a && l != b).map(|l| x[l]).product();
                    h[(a, b)] += wn * p;
                }
            }
        }
    }
}

/// (27) Brown almost-linear: n ≥ 1, m = n,
/// `r_i = x_i + Σ_j x_j − (n + 1)` (i < n), `r_n = Π_j x_j − 1`.
/// `x0 = (½, …, ½)`; `f* = 0` at `(α, …, α, α^{1−n})` with
/// `nαⁿ − (n+1)α^{n−1} + 1 = 0` (α = 1 is such a root), and `f = 1` at
/// `(0, …, 0, n + 1)`.
///
/// # Errors
/// [`Error::Invalid`] if n = 0.
pub fn brown_almost_linear(n: usize) -> Result<MghProblem, Error> {
    if n == 0 {
        return Err(size_error(
            "Brown almost-linear (MGH 27)",
            format!("n must be ≥ 1, got n = {n}"),
        ));
    }
    let mut other = vec![0.0; n];
    other[n - 1] = (n + 1) as f64;
    Ok(MghProblem::new(
        27,
        vec![0.5; n],
        vec![
            PublishedMinimum::exact(0.0, Some(vec![1.0; n]), "global minimum (α = 1)"),
            PublishedMinimum::exact(1.0, Some(other), "local minimum (0, …, 0, n + 1)"),
        ],
        BrownAlmostLinear { n },
    ))
}

/// `h = 1/(n + 1)` and `t_i = i h` of problems 28 and 29.
fn grid(n: usize, i: usize) -> (f64, f64) {
    let h = 1.0 / (n + 1) as f64;
    (h, (i + 1) as f64 * h)
}

struct DiscreteBoundaryValue {
    n: usize,
}

impl LeastSquares for DiscreteBoundaryValue {
    fn name(&self) -> String {
        "discrete boundary value".into()
    }
    fn n(&self) -> usize {
        self.n
    }
    fn m(&self) -> usize {
        self.n
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        let n = self.n;
        for i in 0..n {
            let (h, t) = grid(n, i);
            let left = if i > 0 { x[i - 1] } else { 0.0 };
            let right = if i + 1 < n { x[i + 1] } else { 0.0 };
            r[i] = 2.0 * x[i] - left - right + h * h * (x[i] + t + 1.0).powi(3) / 2.0;
        }
    }
    fn jacobian(&self, x: &[f64], mut j: MatMut<'_, f64>) {
        let n = self.n;
        j.fill(0.0);
        for i in 0..n {
            let (h, t) = grid(n, i);
            j[(i, i)] = 2.0 + 1.5 * h * h * (x[i] + t + 1.0).powi(2);
            if i > 0 {
                j[(i, i - 1)] = -1.0;
            }
            if i + 1 < n {
                j[(i, i + 1)] = -1.0;
            }
        }
    }
    fn add_residual_hessians(&self, x: &[f64], w: &[f64], mut h: MatMut<'_, f64>) {
        for i in 0..self.n {
            let (hh, t) = grid(self.n, i);
            h[(i, i)] += w[i] * 3.0 * hh * hh * (x[i] + t + 1.0);
        }
    }
}

/// (28) Discrete boundary value: n ≥ 1, m = n,
/// `r_i = 2x_i − x_{i−1} − x_{i+1} + h²(x_i + t_i + 1)³/2` with `h = 1/(n+1)`,
/// `t_i = ih`, `x₀ = x_{n+1} = 0`. `x0_j = t_j(t_j − 1)`; `f* = 0` (minimiser
/// not in closed form).
///
/// # Errors
/// [`Error::Invalid`] if n = 0.
pub fn discrete_boundary_value(n: usize) -> Result<MghProblem, Error> {
    if n == 0 {
        return Err(size_error(
            "discrete boundary value (MGH 28)",
            format!("n must be ≥ 1, got n = {n}"),
        ));
    }
    let x0 = (0..n)
        .map(|i| grid(n, i).1)
        .map(|t| t * (t - 1.0))
        .collect();
    Ok(MghProblem::new(
        28,
        x0,
        vec![PublishedMinimum::exact(
            0.0,
            None,
            "global minimum (no closed form)",
        )],
        DiscreteBoundaryValue { n },
    ))
}

struct DiscreteIntegralEquation {
    n: usize,
}

impl DiscreteIntegralEquation {
    /// The kernel weight `(1 − t_i)t_j` for j ≤ i, `t_i(1 − t_j)` for j > i.
    fn kernel(&self, i: usize, j: usize) -> f64 {
        let (_, ti) = grid(self.n, i);
        let (_, tj) = grid(self.n, j);
        if j <= i {
            (1.0 - ti) * tj
        } else {
            ti * (1.0 - tj)
        }
    }
}

impl LeastSquares for DiscreteIntegralEquation {
    fn name(&self) -> String {
        "discrete integral equation".into()
    }
    fn n(&self) -> usize {
        self.n
    }
    fn m(&self) -> usize {
        self.n
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        let n = self.n;
        for i in 0..n {
            let (h, _) = grid(n, i);
            let s: f64 = (0..n)
                .map(|j| self.kernel(i, j) * (x[j] + grid(n, j).1 + 1.0).powi(3))
                .sum();
            r[i] = x[i] + h * s / 2.0;
        }
    }
    fn jacobian(&self, x: &[f64], mut j: MatMut<'_, f64>) {
        let n = self.n;
        for i in 0..n {
            let (h, _) = grid(n, i);
            for c in 0..n {
                let u = x[c] + grid(n, c).1 + 1.0;
                j[(i, c)] = h / 2.0 * self.kernel(i, c) * 3.0 * u * u;
            }
            j[(i, i)] += 1.0;
        }
    }
    fn add_residual_hessians(&self, x: &[f64], w: &[f64], mut h: MatMut<'_, f64>) {
        let n = self.n;
        for c in 0..n {
            let (hh, tc) = grid(n, c);
            let u = x[c] + tc + 1.0;
            let s: f64 = (0..n).map(|i| w[i] * self.kernel(i, c)).sum();
            h[(c, c)] += hh / 2.0 * 6.0 * u * s;
        }
    }
}

/// (29) Discrete integral equation: n ≥ 1, m = n,
/// `r_i = x_i + h[(1 − t_i)Σ_{j≤i} t_j(x_j + t_j + 1)³ + t_i Σ_{j>i}(1 − t_j)(x_j + t_j + 1)³]/2`
/// with `h = 1/(n+1)`, `t_i = ih`. `x0_j = t_j(t_j − 1)`; `f* = 0`
/// (minimiser not in closed form).
///
/// # Errors
/// [`Error::Invalid`] if n = 0.
pub fn discrete_integral_equation(n: usize) -> Result<MghProblem, Error> {
    if n == 0 {
        return Err(size_error(
            "discrete integral equation (MGH 29)",
            format!("n must be ≥ 1, got n = {n}"),
        ));
    }
    let x0 = (0..n)
        .map(|i| grid(n, i).1)
        .map(|t| t * (t - 1.0))
        .collect();
    Ok(MghProblem::new(
        29,
        x0,
        vec![PublishedMinimum::exact(
            0.0,
            None,
            "global minimum (no closed form)",
        )],
        DiscreteIntegralEquation { n },
    ))
}

struct BroydenTridiagonal {
    n: usize,
}

impl LeastSquares for BroydenTridiagonal {
    fn name(&self) -> String {
        "Broyden tridiagonal".into()
    }
    fn n(&self) -> usize {
        self.n
    }
    fn m(&self) -> usize {
        self.n
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        let n = self.n;
        for i in 0..n {
            let left = if i > 0 { x[i - 1] } else { 0.0 };
            let right = if i + 1 < n { x[i + 1] } else { 0.0 };
            r[i] = (3.0 - 2.0 * x[i]) * x[i] - left - 2.0 * right + 1.0;
        }
    }
    fn jacobian(&self, x: &[f64], mut j: MatMut<'_, f64>) {
        let n = self.n;
        j.fill(0.0);
        for i in 0..n {
            j[(i, i)] = 3.0 - 4.0 * x[i];
            if i > 0 {
                j[(i, i - 1)] = -1.0;
            }
            if i + 1 < n {
                j[(i, i + 1)] = -2.0;
            }
        }
    }
    fn add_residual_hessians(&self, _x: &[f64], w: &[f64], mut h: MatMut<'_, f64>) {
        for i in 0..self.n {
            h[(i, i)] -= 4.0 * w[i];
        }
    }
}

/// (30) Broyden tridiagonal: n ≥ 1, m = n,
/// `r_i = (3 − 2x_i)x_i − x_{i−1} − 2x_{i+1} + 1`, `x₀ = x_{n+1} = 0`.
/// `x0 = (−1, …, −1)`; `f* = 0` (minimiser not in closed form).
///
/// # Errors
/// [`Error::Invalid`] if n = 0.
pub fn broyden_tridiagonal(n: usize) -> Result<MghProblem, Error> {
    if n == 0 {
        return Err(size_error(
            "Broyden tridiagonal (MGH 30)",
            format!("n must be ≥ 1, got n = {n}"),
        ));
    }
    Ok(MghProblem::new(
        30,
        vec![-1.0; n],
        vec![PublishedMinimum::exact(
            0.0,
            None,
            "global minimum (no closed form)",
        )],
        BroydenTridiagonal { n },
    ))
}

struct BroydenBanded {
    n: usize,
}

impl BroydenBanded {
    /// `J_i = {j ≠ i : max(1, i − 5) ≤ j ≤ min(n, i + 1)}` (m_l = 5, m_u = 1).
    fn band(&self, i: usize) -> impl Iterator<Item = usize> {
        let lo = i.saturating_sub(5);
        let hi = (i + 1).min(self.n - 1);
        (lo..=hi).filter(move |&j| j != i)
    }
}

impl LeastSquares for BroydenBanded {
    fn name(&self) -> String {
        "Broyden banded".into()
    }
    fn n(&self) -> usize {
        self.n
    }
    fn m(&self) -> usize {
        self.n
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        for i in 0..self.n {
            let s: f64 = self.band(i).map(|j| x[j] * (1.0 + x[j])).sum();
            r[i] = x[i] * (2.0 + 5.0 * x[i] * x[i]) + 1.0 - s;
        }
    }
    fn jacobian(&self, x: &[f64], mut j: MatMut<'_, f64>) {
        j.fill(0.0);
        for i in 0..self.n {
            j[(i, i)] = 2.0 + 15.0 * x[i] * x[i];
            for c in self.band(i) {
                j[(i, c)] = -(1.0 + 2.0 * x[c]);
            }
        }
    }
    fn add_residual_hessians(&self, x: &[f64], w: &[f64], mut h: MatMut<'_, f64>) {
        for i in 0..self.n {
            h[(i, i)] += w[i] * 30.0 * x[i];
            for c in self.band(i) {
                h[(c, c)] -= 2.0 * w[i];
            }
        }
    }
}

/// (31) Broyden banded: n ≥ 1, m = n,
/// `r_i = x_i(2 + 5x_i²) + 1 − Σ_{j∈J_i} x_j(1 + x_j)` with
/// `J_i = {j ≠ i : max(1, i − 5) ≤ j ≤ min(n, i + 1)}`. `x0 = (−1, …, −1)`;
/// `f* = 0` (minimiser not in closed form).
///
/// # Errors
/// [`Error::Invalid`] if n = 0.
pub fn broyden_banded(n: usize) -> Result<MghProblem, Error> {
    if n == 0 {
        return Err(size_error(
            "Broyden banded (MGH 31)",
            format!("n must be ≥ 1, got n = {n}"),
        ));
    }
    Ok(MghProblem::new(
        31,
        vec![-1.0; n],
        vec![PublishedMinimum::exact(
            0.0,
            None,
            "global minimum (no closed form)",
        )],
        BroydenBanded { n },
    ))
}

/// Checks `1 ≤ n ≤ m` for the linear functions and Chebyquad.
fn check_n_m(problem: &str, n: usize, m: usize, min_n: usize) -> Result<(), Error> {
    if n < min_n {
        return Err(size_error(
            problem,
            format!("n must be ≥ {min_n}, got n = {n}"),
        ));
    }
    if m < n {
        return Err(size_error(
            problem,
            format!("m must be ≥ n, got m = {m} < n = {n}"),
        ));
    }
    Ok(())
}

/// The three linear functions 32–34 share their structure: `r = A x − 1` with
/// a constant A (so every `∇²r_i = 0`).
struct Linear {
    name: &'static str,
    a: descent_linalg::Mat<f64>,
}

impl LeastSquares for Linear {
    fn name(&self) -> String {
        self.name.into()
    }
    fn n(&self) -> usize {
        self.a.ncols()
    }
    fn m(&self) -> usize {
        self.a.nrows()
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        descent_linalg::matvec(self.a.as_ref(), x, r);
        r.iter_mut().for_each(|v| *v -= 1.0);
    }
    fn jacobian(&self, _x: &[f64], mut j: MatMut<'_, f64>) {
        j.copy_from(self.a.as_ref());
    }
    fn add_residual_hessians(&self, _x: &[f64], _w: &[f64], _h: MatMut<'_, f64>) {}
}

/// (32) Linear function, full rank: 1 ≤ n ≤ m,
/// `r_i = x_i − (2/m)Σ_j x_j − 1` (i ≤ n), `r_i = −(2/m)Σ_j x_j − 1` (i > n).
/// `x0 = (1, …, 1)`; `f* = m − n` at `(−1, …, −1)`.
///
/// # Errors
/// [`Error::Invalid`] unless `1 ≤ n ≤ m`.
pub fn linear_full_rank(n: usize, m: usize) -> Result<MghProblem, Error> {
    check_n_m("linear function - full rank (MGH 32)", n, m, 1)?;
    let a = descent_linalg::Mat::from_fn(m, n, |i, j| {
        (if i == j { 1.0 } else { 0.0 }) - 2.0 / m as f64
    });
    Ok(MghProblem::new(
        32,
        vec![1.0; n],
        vec![PublishedMinimum::exact(
            (m - n) as f64,
            Some(vec![-1.0; n]),
            "global minimum f = m − n",
        )],
        Linear {
            name: "linear function - full rank",
            a,
        },
    ))
}

/// (33) Linear function, rank 1: 1 ≤ n ≤ m, `r_i = i(Σ_j j x_j) − 1`.
/// `x0 = (1, …, 1)`; `f* = m(m − 1)/(2(2m + 1))` wherever
/// `Σ_j j x_j = 3/(2m + 1)`.
///
/// # Errors
/// [`Error::Invalid`] unless `1 ≤ n ≤ m`.
pub fn linear_rank_one(n: usize, m: usize) -> Result<MghProblem, Error> {
    check_n_m("linear function - rank 1 (MGH 33)", n, m, 1)?;
    let a = descent_linalg::Mat::from_fn(m, n, |i, j| ((i + 1) * (j + 1)) as f64);
    let mf = m as f64;
    let mut x_star = vec![0.0; n];
    x_star[0] = 3.0 / (2.0 * mf + 1.0);
    Ok(MghProblem::new(
        33,
        vec![1.0; n],
        vec![PublishedMinimum::exact(
            mf * (mf - 1.0) / (2.0 * (2.0 * mf + 1.0)),
            Some(x_star),
            "global minimum on the hyperplane Σ j x_j = 3/(2m + 1)",
        )],
        Linear {
            name: "linear function - rank 1",
            a,
        },
    ))
}

/// (34) Linear function, rank 1 with zero columns and rows: 3 ≤ n ≤ m,
/// `r₁ = r_m = −1`, `r_i = (i − 1)(Σ_{j=2}^{n−1} j x_j) − 1` (1 < i < m).
/// `x0 = (1, …, 1)`; `f* = (m² + 3m − 6)/(2(2m − 3))` wherever
/// `Σ_{j=2}^{n−1} j x_j = 3/(2m − 3)`.
///
/// # Errors
/// [`Error::Invalid`] unless `3 ≤ n ≤ m` (for n < 3 the sum is empty).
pub fn linear_rank_one_zero_columns_rows(n: usize, m: usize) -> Result<MghProblem, Error> {
    check_n_m(
        "linear function - rank 1 with zero columns and rows (MGH 34)",
        n,
        m,
        3,
    )?;
    let a = descent_linalg::Mat::from_fn(m, n, |i, j| {
        if i == 0 || i == m - 1 || j == 0 || j == n - 1 {
            0.0
        } else {
            (i * (j + 1)) as f64
        }
    });
    let mf = m as f64;
    let mut x_star = vec![0.0; n];
    x_star[1] = 3.0 / (2.0 * mf - 3.0) / 2.0;
    Ok(MghProblem::new(
        34,
        vec![1.0; n],
        vec![PublishedMinimum::exact(
            (mf * mf + 3.0 * mf - 6.0) / (2.0 * (2.0 * mf - 3.0)),
            Some(x_star),
            "global minimum on the hyperplane Σ_{j=2}^{n−1} j x_j = 3/(2m − 3)",
        )],
        Linear {
            name: "linear function - rank 1 with zero columns and rows",
            a,
        },
    ))
}

struct Chebyquad {
    n: usize,
    m: usize,
}

impl Chebyquad {
    /// Shifted Chebyshev `T_k(x) = T_k(2x − 1)` on [0, 1] with its first two
    /// derivatives in x, for k = 1..=m, by the three-term recurrence
    /// `T_{k+1} = 2y T_k − T_{k−1}` (y = 2x − 1, dy/dx = 2).
    fn for_each_degree(&self, x: f64, mut f: impl FnMut(usize, f64, f64, f64)) {
        let y = 2.0 * x - 1.0;
        let (mut t0, mut d0, mut s0) = (1.0, 0.0, 0.0);
        let (mut t1, mut d1, mut s1) = (y, 2.0, 0.0);
        for k in 1..=self.m {
            f(k, t1, d1, s1);
            let t2 = 2.0 * y * t1 - t0;
            let d2 = 4.0 * t1 + 2.0 * y * d1 - d0;
            let s2 = 8.0 * d1 + 2.0 * y * s1 - s0;
            (t0, d0, s0, t1, d1, s1) = (t1, d1, s1, t2, d2, s2);
        }
    }

    /// `∫₀¹ T_k = 0` for odd k and `−1/(k² − 1)` for even k.
    fn integral(k: usize) -> f64 {
        if k % 2 == 1 {
            0.0
        } else {
            -1.0 / ((k * k) as f64 - 1.0)
        }
    }
}

impl LeastSquares for Chebyquad {
    fn name(&self) -> String {
        "Chebyquad".into()
    }
    fn n(&self) -> usize {
        self.n
    }
    fn m(&self) -> usize {
        self.m
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        let nf = self.n as f64;
        for (k, rk) in r.iter_mut().enumerate() {
            *rk = -Self::integral(k + 1);
        }
        for &xj in x {
            self.for_each_degree(xj, |k, t, _, _| r[k - 1] += t / nf);
        }
    }
    fn jacobian(&self, x: &[f64], mut j: MatMut<'_, f64>) {
        let nf = self.n as f64;
        for (c, &xc) in x.iter().enumerate() {
            self.for_each_degree(xc, |k, _, d, _| j[(k - 1, c)] = d / nf);
        }
    }
    fn add_residual_hessians(&self, x: &[f64], w: &[f64], mut h: MatMut<'_, f64>) {
        let nf = self.n as f64;
        for (c, &xc) in x.iter().enumerate() {
            let mut s = 0.0;
            self.for_each_degree(xc, |k, _, _, dd| s += w[k - 1] * dd / nf);
            h[(c, c)] += s;
        }
    }
}

/// (35) Chebyquad: 1 ≤ n ≤ m, `r_i = (1/n)Σ_j T_i(x_j) − ∫₀¹ T_i` with `T_i`
/// the Chebyshev polynomial shifted to [0, 1]. `x0_j = j/(n + 1)`;
/// `f* = 0` for m = n ∈ {1, …, 7, 9}, `3.51687…·10⁻³` for m = n = 8,
/// `6.50395…·10⁻³` for m = n = 10.
///
/// # Errors
/// [`Error::Invalid`] unless `1 ≤ n ≤ m`.
pub fn chebyquad(n: usize, m: usize) -> Result<MghProblem, Error> {
    check_n_m("Chebyquad (MGH 35)", n, m, 1)?;
    let minima = match (n, m) {
        (n, m) if n == m && (n <= 7 || n == 9) => {
            vec![PublishedMinimum::exact(
                0.0,
                None,
                "global minimum (m = n ≤ 7 or 9)",
            )]
        }
        (8, 8) => vec![PublishedMinimum::printed(
            3.51687e-3,
            6,
            "global minimum (m = n = 8)",
        )],
        (10, 10) => vec![PublishedMinimum::printed(
            6.50395e-3,
            6,
            "global minimum (m = n = 10)",
        )],
        _ => Vec::new(),
    };
    let x0 = (1..=n).map(|j| j as f64 / (n + 1) as f64).collect();
    Ok(MghProblem::new(35, x0, minima, Chebyquad { n, m }))
}
