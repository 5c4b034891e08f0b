//! Products in the lecture's conventions, all through faer, none allocating
//! except the ones that return a new matrix ([`outer`]).
//!
//! Vectors are slices; whether a slice is read as a column (`A x`) or a row
//! (`g A`) is said by the function's name. Every function here panics on a shape
//! mismatch with the message [`check_shapes`](crate::check_shapes) gives: the
//! operands are buffers the program sized itself.

use faer::linalg::matmul::matmul as faer_matmul;
use faer::{Accum, ColMut, ColRef, Mat, MatMut, MatRef, RowMut, RowRef};

use crate::parallelism::PAR;
use crate::shape::{Op, Shape, assert_shapes};

/// `y ← A x`: matrix `m×n` times column vector `n`, into `y` of length `m`.
///
/// # Panics
/// If `x.len() != A.ncols()` or `y.len() != A.nrows()`.
#[track_caller]
pub fn matvec(a: MatRef<'_, f64>, x: &[f64], y: &mut [f64]) {
    gemv(a, x, y, Accum::Replace, 1.0);
}

/// `y ← y + α A x`.
///
/// # Panics
/// If `x.len() != A.ncols()` or `y.len() != A.nrows()`.
#[track_caller]
pub fn matvec_add(alpha: f64, a: MatRef<'_, f64>, x: &[f64], y: &mut [f64]) {
    gemv(a, x, y, Accum::Add, alpha);
}

#[track_caller]
fn gemv(a: MatRef<'_, f64>, x: &[f64], y: &mut [f64], accum: Accum, alpha: f64) {
    let out = assert_shapes(Op::MatVec, Shape::of(a), Shape::col(x.len()));
    assert_shapes(Op::Elementwise, Shape::col(y.len()), out);
    let x = ColRef::from_slice(x);
    let y = ColMut::from_slice_mut(y);
    faer_matmul(y.as_mat_mut(), accum, a, x.as_mat(), alpha, PAR);
}

/// `r ← g A`: row vector `1×m` times matrix `m×n`, into the row `r` of length `n`.
///
/// This is the backward pass's product: `∇_{y_{k−1}}Div = ∇_{z_k}Div · W_k`.
/// It equals `Aᵀ gᵀ` and is computed as such by faer, without forming `Aᵀ`.
///
/// # Panics
/// If `g.len() != A.nrows()` or `r.len() != A.ncols()`.
#[track_caller]
pub fn vecmat(g: &[f64], a: MatRef<'_, f64>, r: &mut [f64]) {
    gevm(g, a, r, Accum::Replace, 1.0);
}

/// `r ← r + α g A`.
///
/// # Panics
/// If `g.len() != A.nrows()` or `r.len() != A.ncols()`.
#[track_caller]
pub fn vecmat_add(alpha: f64, g: &[f64], a: MatRef<'_, f64>, r: &mut [f64]) {
    gevm(g, a, r, Accum::Add, alpha);
}

#[track_caller]
fn gevm(g: &[f64], a: MatRef<'_, f64>, r: &mut [f64], accum: Accum, alpha: f64) {
    let out = assert_shapes(Op::VecMat, Shape::row(g.len()), Shape::of(a));
    assert_shapes(Op::Elementwise, Shape::row(r.len()), out);
    let g = RowRef::from_slice(g);
    let r = RowMut::from_slice_mut(r);
    faer_matmul(r.as_mat_mut(), accum, g.as_mat(), a, alpha, PAR);
}

/// `C ← A B`.
///
/// # Panics
/// If the inner dimensions differ or `C` is not `A.nrows() × B.ncols()`.
#[track_caller]
pub fn matmul(c: MatMut<'_, f64>, a: MatRef<'_, f64>, b: MatRef<'_, f64>) {
    let out = assert_shapes(Op::MatMul, Shape::of(a), Shape::of(b));
    assert_shapes(Op::Elementwise, Shape::new(c.nrows(), c.ncols()), out);
    faer_matmul(c, Accum::Replace, a, b, 1.0, PAR);
}

/// `C ← C + α A B`.
///
/// # Panics
/// If the inner dimensions differ or `C` is not `A.nrows() × B.ncols()`.
#[track_caller]
pub fn matmul_add(alpha: f64, c: MatMut<'_, f64>, a: MatRef<'_, f64>, b: MatRef<'_, f64>) {
    let out = assert_shapes(Op::MatMul, Shape::of(a), Shape::of(b));
    assert_shapes(Op::Elementwise, Shape::new(c.nrows(), c.ncols()), out);
    faer_matmul(c, Accum::Add, a, b, alpha, PAR);
}

/// The outer product `u vᵀ` (`m×n` from `u` of length m and `v` of length n).
///
/// The lecture's weight gradient `∇_{W_k}Div = y_{k−1} ∇_{z_k}Div` is an outer
/// product of this form (transposed to W's shape by the caller's convention).
pub fn outer(u: &[f64], v: &[f64]) -> Mat<f64> {
    let mut a = Mat::zeros(u.len(), v.len());
    outer_add(1.0, u, v, a.as_mut());
    a
}

/// Rank-one update `A ← A + α u vᵀ`, in place.
///
/// # Panics
/// If `A` is not `u.len() × v.len()`.
#[track_caller]
pub fn outer_add(alpha: f64, u: &[f64], v: &[f64], a: MatMut<'_, f64>) {
    let out = assert_shapes(Op::Outer, Shape::col(u.len()), Shape::row(v.len()));
    assert_shapes(Op::Elementwise, Shape::new(a.nrows(), a.ncols()), out);
    let u = ColRef::from_slice(u);
    let v = RowRef::from_slice(v);
    faer_matmul(a, Accum::Add, u.as_mat(), v.as_mat(), alpha, PAR);
}

/// The dot product `xᵀ y = Σ x_i y_i`.
///
/// # Panics
/// If the lengths differ.
#[track_caller]
pub fn dot(x: &[f64], y: &[f64]) -> f64 {
    assert_shapes(Op::Elementwise, Shape::col(x.len()), Shape::col(y.len()));
    RowRef::from_slice(x) * ColRef::from_slice(y)
}

/// The 1-norm `‖x‖₁ = Σ |x_i|`.
pub fn norm_1(x: &[f64]) -> f64 {
    ColRef::from_slice(x).norm_l1()
}

/// The Euclidean norm `‖x‖₂ = (Σ x_i²)^{1/2}`, computed by faer with scaling so
/// that it neither overflows nor underflows for representable results.
pub fn norm_2(x: &[f64]) -> f64 {
    ColRef::from_slice(x).norm_l2()
}

/// The max-norm `‖x‖_∞ = max |x_i|` (0 for an empty vector).
pub fn norm_inf(x: &[f64]) -> f64 {
    ColRef::from_slice(x).norm_max()
}

/// `y ← y + α x` (BLAS `axpy`), in place, without allocation.
///
/// # Panics
/// If the lengths differ.
#[track_caller]
pub fn axpy(alpha: f64, x: &[f64], y: &mut [f64]) {
    assert_shapes(Op::Elementwise, Shape::col(x.len()), Shape::col(y.len()));
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += alpha * xi;
    }
}

/// `x ← α x`, in place.
pub fn scale(alpha: f64, x: &mut [f64]) {
    for xi in x {
        *xi *= alpha;
    }
}

/// `y ← x`.
///
/// # Panics
/// If the lengths differ.
#[track_caller]
pub fn copy(x: &[f64], y: &mut [f64]) {
    assert_shapes(Op::Elementwise, Shape::col(x.len()), Shape::col(y.len()));
    y.copy_from_slice(x);
}

/// `d ← x − y`.
///
/// # Panics
/// If the lengths differ.
#[track_caller]
pub fn sub(x: &[f64], y: &[f64], d: &mut [f64]) {
    assert_shapes(Op::Elementwise, Shape::col(x.len()), Shape::col(y.len()));
    assert_shapes(Op::Elementwise, Shape::col(x.len()), Shape::col(d.len()));
    for ((di, xi), yi) in d.iter_mut().zip(x).zip(y) {
        *di = xi - yi;
    }
}
