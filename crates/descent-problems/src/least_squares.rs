//! Nonlinear least squares `f(x) = Σ_i r_i(x)²` with exact first and second
//! derivatives of the residuals.
//!
//! Convention (Moré, Garbow & Hillstrom 1981, §2): `f = Σ r_i²`, **without** the
//! factor ½ that Nocedal & Wright use. Hence
//!
//! * `∇f = 2 Jᵀ r`,
//! * `∇²f = 2 (Jᵀ J + Σ_i r_i ∇²r_i)`,
//!
//! where `J` (m×n, `J_ij = ∂r_i/∂x_j`) is the Jacobian. Gauss–Newton drops the
//! second term; Levenberg–Marquardt damps `JᵀJ`. Both read [`LeastSquares`]
//! directly; everything else sees the [`SumOfSquares`] objective.

use descent_core::{Capabilities, Error, Objective};
use descent_linalg::{Mat, MatMut, matmul_add, matvec, matvec_add, vecmat};

/// A residual map `r: ℝⁿ → ℝᵐ` with its Jacobian and the second derivatives of
/// its components, all exact.
///
/// Inputs are slices of length `n()`; outputs are sized by the caller
/// (`m()` residuals, an `m×n` Jacobian, an `n×n` Hessian accumulator). Past
/// construction a wrong length is a bug and may panic.
pub trait LeastSquares {
    /// A short name ("Rosenbrock").
    fn name(&self) -> String;
    /// The number of variables n.
    fn n(&self) -> usize;
    /// The number of residuals m.
    fn m(&self) -> usize;
    /// `r(x)` into `r` (length m).
    fn residuals(&self, x: &[f64], r: &mut [f64]);
    /// The Jacobian `J_ij = ∂r_i/∂x_j` into `jac` (m×n); every entry is written.
    fn jacobian(&self, x: &[f64], jac: MatMut<'_, f64>);
    /// `H ← H + Σ_i w_i ∇²r_i(x)` (both triangles), for weights `w` of length m.
    ///
    /// With `w = r(x)` this is the second-order term of `∇²f / 2`.
    fn add_residual_hessians(&self, x: &[f64], weights: &[f64], h: MatMut<'_, f64>);
}

impl<T: LeastSquares + ?Sized> LeastSquares for Box<T> {
    fn name(&self) -> String {
        (**self).name()
    }
    fn n(&self) -> usize {
        (**self).n()
    }
    fn m(&self) -> usize {
        (**self).m()
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        (**self).residuals(x, r)
    }
    fn jacobian(&self, x: &[f64], jac: MatMut<'_, f64>) {
        (**self).jacobian(x, jac)
    }
    fn add_residual_hessians(&self, x: &[f64], weights: &[f64], h: MatMut<'_, f64>) {
        (**self).add_residual_hessians(x, weights, h)
    }
}

/// Adds a symmetric contribution to a Hessian accumulator: `add(i, j, v)` adds
/// `v` to `H_ij` and, when `i ≠ j`, to `H_ji`.
pub(crate) struct SymAdd<'a> {
    h: MatMut<'a, f64>,
}

impl<'a> SymAdd<'a> {
    pub(crate) fn new(h: MatMut<'a, f64>) -> Self {
        Self { h }
    }
    /// `H_ij += v` and `H_ji += v` (once on the diagonal).
    #[inline]
    pub(crate) fn add(&mut self, i: usize, j: usize, v: f64) {
        self.h[(i, j)] += v;
        if i != j {
            self.h[(j, i)] += v;
        }
    }
}

/// The objective `f(x) = Σ_i r_i(x)²` of a [`LeastSquares`] problem (MGH
/// convention, no ½), with exact gradient `2Jᵀr`, Hessian
/// `2(JᵀJ + Σ r_i ∇²r_i)` and Hessian-vector product
/// `2(Jᵀ(Jv) + (Σ r_i ∇²r_i) v)`.
///
/// Holds its work buffers, so evaluations do not allocate.
#[derive(Debug, Clone)]
pub struct SumOfSquares<P> {
    problem: P,
    r: Vec<f64>,
    jac: Mat<f64>,
    second_order: Mat<f64>,
    jv: Vec<f64>,
}

impl<P: LeastSquares> SumOfSquares<P> {
    /// Wrap a residual map.
    pub fn new(problem: P) -> Self {
        let (n, m) = (problem.n(), problem.m());
        Self {
            problem,
            r: vec![0.0; m],
            jac: Mat::zeros(m, n),
            second_order: Mat::zeros(n, n),
            jv: vec![0.0; m],
        }
    }

    /// The residual map.
    pub fn problem(&self) -> &P {
        &self.problem
    }
}

impl<P: LeastSquares> Objective for SumOfSquares<P> {
    fn name(&self) -> String {
        self.problem.name()
    }
    fn dim(&self) -> usize {
        self.problem.n()
    }
    /// `f = Σ r_i²`.
    fn value(&mut self, x: &[f64]) -> f64 {
        self.problem.residuals(x, &mut self.r);
        self.r.iter().map(|r| r * r).sum()
    }
    /// `∇f = 2 Jᵀ r`.
    fn gradient(&mut self, x: &[f64], grad: &mut [f64]) {
        self.value_and_gradient(x, grad);
    }
    fn value_and_gradient(&mut self, x: &[f64], grad: &mut [f64]) -> f64 {
        self.problem.residuals(x, &mut self.r);
        self.problem.jacobian(x, self.jac.as_mut());
        // ∇f = 2 rᵀ J (a row vector)
        vecmat(&self.r, self.jac.as_ref(), grad);
        grad.iter_mut().for_each(|g| *g *= 2.0);
        self.r.iter().map(|r| r * r).sum()
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            hessian: true,
            hessian_vector_product: true,
        }
    }
    /// `∇²f = 2 (JᵀJ + Σ r_i ∇²r_i)`.
    fn hessian(&mut self, x: &[f64], mut hess: MatMut<'_, f64>) -> Result<(), Error> {
        self.problem.residuals(x, &mut self.r);
        self.problem.jacobian(x, self.jac.as_mut());
        hess.fill(0.0);
        self.problem
            .add_residual_hessians(x, &self.r, hess.as_mut());
        matmul_add(1.0, hess.as_mut(), self.jac.transpose(), self.jac.as_ref());
        // H ← H + Hᵀ (= 2H for symmetric H), so the result is symmetric to the last bit
        for j in 0..hess.ncols() {
            for i in j..hess.nrows() {
                let sum = hess[(i, j)] + hess[(j, i)];
                hess[(i, j)] = sum;
                hess[(j, i)] = sum;
            }
        }
        Ok(())
    }
    /// `∇²f v = 2 (Jᵀ(J v) + (Σ r_i ∇²r_i) v)`, exact.
    fn hessian_vector_product(
        &mut self,
        x: &[f64],
        v: &[f64],
        out: &mut [f64],
    ) -> Result<(), Error> {
        self.problem.residuals(x, &mut self.r);
        self.problem.jacobian(x, self.jac.as_mut());
        matvec(self.jac.as_ref(), v, &mut self.jv);
        vecmat(&self.jv, self.jac.as_ref(), out);
        self.second_order.fill(0.0);
        self.problem
            .add_residual_hessians(x, &self.r, self.second_order.as_mut());
        matvec_add(1.0, self.second_order.as_ref(), v, out);
        out.iter_mut().for_each(|o| *o *= 2.0);
        Ok(())
    }
}
