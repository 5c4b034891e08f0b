//! Non-convex 2-D surfaces for the loss-surface discussion: a saddle, a monkey
//! saddle, a tilted double well, Himmelblau's function and the six-hump camel.
//!
//! Each is an [`Objective`] with exact gradient and Hessian and lists its
//! critical points, each classified from the Hessian's eigenvalues
//! ([`classify`]) with f at the point. Where no closed form exists the points
//! are found by a documented root solve of `∇f = 0` (Newton's method on the
//! 2×2 system from a grid of starts, polished until `‖∇f‖ ≤ 1e-13` or no
//! further progress, then de-duplicated).

use descent_core::{Capabilities, Error, Objective};
use descent_linalg::{Mat, MatMut, MatRef, SymmetricEigen};
use serde::Serialize;

/// What a critical point is, read from the signs of the Hessian's eigenvalues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CriticalKind {
    /// Every eigenvalue `> tol`: a strict local minimum.
    Minimum,
    /// Eigenvalues `> tol` and `< −tol` both occur.
    Saddle,
    /// Every eigenvalue `< −tol`: a strict local maximum.
    Maximum,
    /// Some `|λ| ≤ tol` and no mixed signs: the second-order test is silent.
    Degenerate,
}

/// A point where `∇f = 0`, with its Hessian's eigenvalues and its kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CriticalPoint {
    /// The point.
    pub x: Vec<f64>,
    /// `f(x)`.
    pub value: f64,
    /// The Hessian's eigenvalues, ascending.
    pub eigenvalues: Vec<f64>,
    /// The classification by [`classify`].
    pub kind: CriticalKind,
}

/// The default eigenvalue tolerance used to classify critical points.
pub const CLASSIFY_TOL: f64 = 1e-9;

/// Classify a symmetric Hessian by its eigenvalues (computed with
/// [`SymmetricEigen`]): all `> tol` → minimum, all `< −tol` → maximum, both
/// signs → saddle, otherwise degenerate. Returns the kind and the eigenvalues.
///
/// # Errors
/// If the Hessian is not square, finite and symmetric.
pub fn classify(hessian: MatRef<'_, f64>, tol: f64) -> Result<(CriticalKind, Vec<f64>), Error> {
    let values = SymmetricEigen::values_of(hessian)?;
    let positive = values.iter().any(|&l| l > tol);
    let negative = values.iter().any(|&l| l < -tol);
    let all_positive = values.iter().all(|&l| l > tol);
    let all_negative = values.iter().all(|&l| l < -tol);
    let kind = if all_positive {
        CriticalKind::Minimum
    } else if all_negative {
        CriticalKind::Maximum
    } else if positive && negative {
        CriticalKind::Saddle
    } else {
        CriticalKind::Degenerate
    };
    Ok((kind, values))
}

/// A smooth function of two variables with exact derivatives.
pub trait Surface {
    /// A short name.
    fn name(&self) -> String;
    /// `f(x, y)`.
    fn f(&self, x: f64, y: f64) -> f64;
    /// `(∂f/∂x, ∂f/∂y)`.
    fn grad(&self, x: f64, y: f64) -> [f64; 2];
    /// `[[f_xx, f_xy], [f_xy, f_yy]]`.
    fn hess(&self, x: f64, y: f64) -> [[f64; 2]; 2];
    /// Every critical point, classified.
    fn critical_points(&self) -> Vec<CriticalPoint>;
}

/// Classify the critical point `(x, y)` of `s`.
fn critical_point<S: Surface + ?Sized>(s: &S, x: f64, y: f64) -> CriticalPoint {
    let h = s.hess(x, y);
    let m = Mat::from_fn(2, 2, |i, j| h[i][j]);
    // The Hessian is finite and symmetric by construction.
    let (kind, eigenvalues) = classify(m.as_ref(), CLASSIFY_TOL).unwrap_or_else(|e| panic!("{e}"));
    CriticalPoint {
        x: vec![x, y],
        value: s.f(x, y),
        eigenvalues,
        kind,
    }
}

/// Newton's method on `∇f = 0` from `(x, y)`: at most 100 steps, stopping when
/// `‖∇f‖∞ ≤ 1e-13` after at least one further step has not reduced it.
fn newton_root<S: Surface + ?Sized>(s: &S, mut x: f64, mut y: f64) -> Option<(f64, f64)> {
    let norm = |g: [f64; 2]| g[0].abs().max(g[1].abs());
    for _ in 0..100 {
        let g = s.grad(x, y);
        let h = s.hess(x, y);
        let det = h[0][0] * h[1][1] - h[0][1] * h[1][0];
        if det == 0.0 || !det.is_finite() {
            return None;
        }
        // (dx, dy) = −H⁻¹ g by Cramer's rule
        let dx = -(h[1][1] * g[0] - h[0][1] * g[1]) / det;
        let dy = -(h[0][0] * g[1] - h[1][0] * g[0]) / det;
        let (nx, ny) = (x + dx, y + dy);
        if !(nx.is_finite() && ny.is_finite()) {
            return None;
        }
        let done = norm(s.grad(nx, ny)) >= norm(g) && norm(g) <= 1e-13;
        if done {
            return Some((x, y));
        }
        (x, y) = (nx, ny);
    }
    (norm(s.grad(x, y)) <= 1e-10).then_some((x, y))
}

/// All critical points reachable by Newton from a `k×k` grid of starts over
/// `[x_lo, x_hi] × [y_lo, y_hi]`, kept if inside the box, de-duplicated to 1e-7,
/// sorted by (x, y).
fn grid_critical_points<S: Surface + ?Sized>(
    s: &S,
    bounds: [f64; 4],
    k: usize,
) -> Vec<CriticalPoint> {
    let [x_lo, x_hi, y_lo, y_hi] = bounds;
    let mut found: Vec<(f64, f64)> = Vec::new();
    for i in 0..k {
        for j in 0..k {
            let x0 = x_lo + (x_hi - x_lo) * i as f64 / (k - 1) as f64;
            let y0 = y_lo + (y_hi - y_lo) * j as f64 / (k - 1) as f64;
            if let Some((x, y)) = newton_root(s, x0, y0) {
                let inside = x >= x_lo && x <= x_hi && y >= y_lo && y <= y_hi;
                let new = found
                    .iter()
                    .all(|&(a, b)| (a - x).abs() > 1e-7 || (b - y).abs() > 1e-7);
                if inside && new {
                    found.push((x, y));
                }
            }
        }
    }
    found.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    found
        .into_iter()
        .map(|(x, y)| critical_point(s, x, y))
        .collect()
}

/// An [`Objective`] view of a [`Surface`] (n = 2, exact Hessian and
/// Hessian-vector product).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SurfaceObjective<S>(pub S);

impl<S: Surface> Objective for SurfaceObjective<S> {
    fn name(&self) -> String {
        self.0.name()
    }
    fn dim(&self) -> usize {
        2
    }
    fn value(&mut self, x: &[f64]) -> f64 {
        self.0.f(x[0], x[1])
    }
    fn gradient(&mut self, x: &[f64], grad: &mut [f64]) {
        grad.copy_from_slice(&self.0.grad(x[0], x[1]));
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            hessian: true,
            hessian_vector_product: true,
        }
    }
    fn hessian(&mut self, x: &[f64], mut hess: MatMut<'_, f64>) -> Result<(), Error> {
        let h = self.0.hess(x[0], x[1]);
        for i in 0..2 {
            for j in 0..2 {
                hess[(i, j)] = h[i][j];
            }
        }
        Ok(())
    }
    fn hessian_vector_product(
        &mut self,
        x: &[f64],
        v: &[f64],
        out: &mut [f64],
    ) -> Result<(), Error> {
        let h = self.0.hess(x[0], x[1]);
        out[0] = h[0][0] * v[0] + h[0][1] * v[1];
        out[1] = h[1][0] * v[0] + h[1][1] * v[1];
        Ok(())
    }
}

/// The saddle `f(x, y) = x² − y²`: one critical point, the origin, with Hessian
/// eigenvalues ±2 (a saddle, f = 0). Unbounded below.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Saddle;

impl Surface for Saddle {
    fn name(&self) -> String {
        "saddle x² − y²".into()
    }
    fn f(&self, x: f64, y: f64) -> f64 {
        x * x - y * y
    }
    fn grad(&self, x: f64, y: f64) -> [f64; 2] {
        [2.0 * x, -2.0 * y]
    }
    fn hess(&self, _x: f64, _y: f64) -> [[f64; 2]; 2] {
        [[2.0, 0.0], [0.0, -2.0]]
    }
    fn critical_points(&self) -> Vec<CriticalPoint> {
        vec![critical_point(self, 0.0, 0.0)]
    }
}

/// The monkey saddle `f(x, y) = x³ − 3xy²`: one critical point, the origin,
/// where the Hessian vanishes (degenerate; three descending valleys, f = 0).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MonkeySaddle;

impl Surface for MonkeySaddle {
    fn name(&self) -> String {
        "monkey saddle x³ − 3xy²".into()
    }
    fn f(&self, x: f64, y: f64) -> f64 {
        x * x * x - 3.0 * x * y * y
    }
    fn grad(&self, x: f64, y: f64) -> [f64; 2] {
        [3.0 * x * x - 3.0 * y * y, -6.0 * x * y]
    }
    fn hess(&self, x: f64, y: f64) -> [[f64; 2]; 2] {
        [[6.0 * x, -6.0 * y], [-6.0 * y, -6.0 * x]]
    }
    fn critical_points(&self) -> Vec<CriticalPoint> {
        vec![critical_point(self, 0.0, 0.0)]
    }
}

/// The tilted double well `f(x, y) = (x² − 1)² + t x + y²`.
///
/// Critical points: `y = 0` and `4x³ − 4x + t = 0`, which has three real roots
/// iff `|t| < 8/√27`; they are computed in closed form (the trigonometric
/// solution of the depressed cubic `x³ − x + t/4 = 0`) and polished by Newton
/// to machine precision. For `t > 0` the left minimum is the deeper one; the
/// middle root is a saddle (`f_xx = 12x² − 4 < 0`, `f_yy = 2`). Default
/// `t = 0.3`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DoubleWell {
    tilt: f64,
}

impl Default for DoubleWell {
    fn default() -> Self {
        Self { tilt: 0.3 }
    }
}

impl DoubleWell {
    /// The double well with tilt t.
    ///
    /// # Errors
    /// Unless `|t| < 8/√27 ≈ 1.5396` (two minima of different depth need three
    /// real critical points) and t is finite.
    pub fn new(tilt: f64) -> Result<Self, Error> {
        let limit = 8.0 / 27f64.sqrt();
        if !(tilt.is_finite() && tilt.abs() < limit) {
            return Err(Error::Hyperparameter {
                owner: "double well",
                name: "tilt t",
                requirement: "finite with |t| < 8/√27 ≈ 1.5396 (two minima)",
                value: tilt.to_string(),
            });
        }
        Ok(Self { tilt })
    }

    /// The tilt t.
    pub fn tilt(&self) -> f64 {
        self.tilt
    }

    /// The three roots of `4x³ − 4x + t = 0`, ascending.
    pub fn critical_xs(&self) -> [f64; 3] {
        // x³ + p x + q = 0 with p = −1, q = t/4:
        // x_k = 2√(−p/3) cos(⅓ arccos((3q/(2p))√(−3/p)) − 2πk/3)
        let (p, q) = (-1.0f64, self.tilt / 4.0);
        let r = 2.0 * (-p / 3.0).sqrt();
        let phi = ((3.0 * q / (2.0 * p)) * (-3.0 / p).sqrt()).acos() / 3.0;
        let mut xs = [0.0; 3];
        for (k, x) in xs.iter_mut().enumerate() {
            let mut v = r * (phi - 2.0 * std::f64::consts::PI * k as f64 / 3.0).cos();
            for _ in 0..3 {
                let g = 4.0 * v * v * v - 4.0 * v + self.tilt;
                let d = 12.0 * v * v - 4.0;
                v -= g / d;
            }
            *x = v;
        }
        xs.sort_by(f64::total_cmp);
        xs
    }
}

impl Surface for DoubleWell {
    fn name(&self) -> String {
        format!("double well (x² − 1)² + {}x + y²", self.tilt)
    }
    fn f(&self, x: f64, y: f64) -> f64 {
        (x * x - 1.0).powi(2) + self.tilt * x + y * y
    }
    fn grad(&self, x: f64, y: f64) -> [f64; 2] {
        [4.0 * x * (x * x - 1.0) + self.tilt, 2.0 * y]
    }
    fn hess(&self, x: f64, _y: f64) -> [[f64; 2]; 2] {
        [[12.0 * x * x - 4.0, 0.0], [0.0, 2.0]]
    }
    fn critical_points(&self) -> Vec<CriticalPoint> {
        self.critical_xs()
            .iter()
            .map(|&x| critical_point(self, x, 0.0))
            .collect()
    }
}

/// Himmelblau's function `f(x, y) = (x² + y − 11)² + (x + y² − 7)²`
/// (Himmelblau 1972, *Applied Nonlinear Programming*).
///
/// Nine critical points: four global minima with f = 0, at `(3, 2)` and near
/// `(−2.805118, 3.131312)`, `(−3.779310, −3.283186)`, `(3.584428, −1.848126)`;
/// a local maximum near `(−0.270845, −0.923039)` with f ≈ 181.617; four
/// saddles. Found by the grid Newton solve over `[−6, 6]²`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Himmelblau;

impl Surface for Himmelblau {
    fn name(&self) -> String {
        "Himmelblau".into()
    }
    fn f(&self, x: f64, y: f64) -> f64 {
        (x * x + y - 11.0).powi(2) + (x + y * y - 7.0).powi(2)
    }
    fn grad(&self, x: f64, y: f64) -> [f64; 2] {
        let (a, b) = (x * x + y - 11.0, x + y * y - 7.0);
        [4.0 * x * a + 2.0 * b, 2.0 * a + 4.0 * y * b]
    }
    fn hess(&self, x: f64, y: f64) -> [[f64; 2]; 2] {
        let (a, b) = (x * x + y - 11.0, x + y * y - 7.0);
        let fxy = 4.0 * x + 4.0 * y;
        [
            [4.0 * a + 8.0 * x * x + 2.0, fxy],
            [fxy, 2.0 + 4.0 * b + 8.0 * y * y],
        ]
    }
    fn critical_points(&self) -> Vec<CriticalPoint> {
        grid_critical_points(self, [-6.0, 6.0, -6.0, 6.0], 49)
    }
}

/// The six-hump camel function
/// `f(x, y) = (4 − 2.1x² + x⁴/3)x² + xy + (−4 + 4y²)y²`
/// (Dixon & Szegő 1978, *Towards Global Optimisation 2*).
///
/// Six local minima, two of them global with `f* = −1.0316284535` near
/// `(±0.0898420, ∓0.7126564)`; the critical points are found by the grid
/// Newton solve over `[−2.5, 2.5] × [−1.5, 1.5]`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SixHumpCamel;

impl Surface for SixHumpCamel {
    fn name(&self) -> String {
        "six-hump camel".into()
    }
    fn f(&self, x: f64, y: f64) -> f64 {
        let x2 = x * x;
        (4.0 - 2.1 * x2 + x2 * x2 / 3.0) * x2 + x * y + (-4.0 + 4.0 * y * y) * y * y
    }
    fn grad(&self, x: f64, y: f64) -> [f64; 2] {
        // ∂/∂x (4x² − 2.1x⁴ + x⁶/3) = 8x − 8.4x³ + 2x⁵
        [
            8.0 * x - 8.4 * x.powi(3) + 2.0 * x.powi(5) + y,
            x - 8.0 * y + 16.0 * y.powi(3),
        ]
    }
    fn hess(&self, x: f64, y: f64) -> [[f64; 2]; 2] {
        [
            [8.0 - 25.2 * x * x + 10.0 * x.powi(4), 1.0],
            [1.0, -8.0 + 48.0 * y * y],
        ]
    }
    fn critical_points(&self) -> Vec<CriticalPoint> {
        grid_critical_points(self, [-2.5, 2.5, -1.5, 1.5], 61)
    }
}
