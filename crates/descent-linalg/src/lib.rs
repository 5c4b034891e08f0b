//! Linear algebra for descent: the one crate that talks to faer.
//!
//! Everything else in the workspace does its dense linear algebra through this
//! crate, so the conventions of the lecture live in one place:
//!
//! * vectors are plain `&[f64]` / `&mut [f64]` slices (the optimisers update them
//!   element-wise; the caller owns and reuses the storage);
//! * matrices are faer's column-major [`Mat`] and its views [`MatRef`]/[`MatMut`],
//!   re-exported here unchanged (faer's API is already the right one: views are
//!   `Copy`, shapes are checked, decompositions return typed errors);
//! * gradients are *row* vectors, so the product the backward pass needs is
//!   [`vecmat`] (`∇_{y_{k−1}}Div = ∇_{z_k}Div · W_k`), next to [`matvec`];
//! * a shape is a first-class value ([`Shape`]) and [`check_shapes`] produces the
//!   dimensionality check the lecture asks for, as an error naming the operation
//!   and both shapes ("vecmat: row vector is 1×5, matrix is 3×4");
//! * factorisations never invert: [`Cholesky`], [`SymmetricIndefinite`] and
//!   [`SymmetricEigen`] solve, and report numerical failure as a
//!   [`LinalgError`] (`NotPositiveDefinite { pivot }`), never as a panic.
//!
//! **Must not know:** optimisers, objectives, networks, reports. It knows matrices.
//!
//! **Parallelism** is set in one place, [`parallelism`]: faer is built without
//! its `rayon` feature, so every faer kernel runs sequentially. The products
//! here pass [`parallelism::PAR`] = `Par::Seq` explicitly; the decompositions
//! (`llt`, `lblt`, `self_adjoint_eigen`) and norms use faer's global setting,
//! which without rayon can only be sequential. A result therefore does not
//! depend on the number of threads. Parallelism in descent is across
//! independent work (experiments, grid cells), never inside one product.
//!
//! **Panics vs errors.** Functions whose operands come from a user
//! (factorisations of a user's matrix) validate and return `Result`. Products
//! between buffers the program itself sized panic on a mismatch, with the same
//! message [`check_shapes`] would give, as faer does (`# Panics` sections).

mod decompose;
mod error;
mod products;
mod shape;

#[cfg(test)]
mod tests;

pub use decompose::{
    Cholesky, SymmetricEigen, SymmetricIndefinite, condition_number_spd, inv_sqrt_spd,
    largest_eigenvalue, smallest_eigenvalue, solve_damped, solve_spd, sqrt_spd,
};
pub use error::LinalgError;
pub use faer::{Col, ColMut, ColRef, Mat, MatMut, MatRef, Row, RowMut, RowRef, Side};
pub use products::{
    axpy, copy, dot, matmul, matmul_add, matvec, matvec_add, norm_1, norm_2, norm_inf, outer,
    outer_add, scale, sub, vecmat, vecmat_add,
};
pub use shape::{Op, Shape, ShapeError, check_shapes};

/// Where the workspace's parallelism is decided.
///
/// faer is compiled without its `rayon` feature, so the only parallelism it can
/// use is [`PAR`](parallelism::PAR) = `Par::Seq`. This keeps every product and
/// factorisation bit-reproducible for a given binary and CPU, independent of the
/// thread count. Work that is embarrassingly parallel (independent experiments)
/// is spread over threads by its caller (`xtask`), never inside faer.
pub mod parallelism {
    /// The parallelism passed to every faer kernel in descent.
    pub const PAR: faer::Par = faer::Par::Seq;
}

/// Is the square matrix `a` symmetric to within `tol`, relative to its largest
/// entry: `|a_ij − a_ji| ≤ tol · max_kl |a_kl|`?
///
/// Returns the first offending `(i, j)` pair (with `i > j`) if not. The scale is
/// the whole matrix's, so a matrix of tiny entries is judged as strictly as one
/// of large entries.
///
/// # Panics
/// If `a` is not square (check the shape first; the factorisations do).
#[track_caller]
pub fn symmetry_violation(a: MatRef<'_, f64>, tol: f64) -> Option<(usize, usize)> {
    assert_eq!(
        a.nrows(),
        a.ncols(),
        "symmetry_violation: matrix must be square"
    );
    let scale = a.norm_max();
    for j in 0..a.ncols() {
        for i in j + 1..a.nrows() {
            if (a[(i, j)] - a[(j, i)]).abs() > tol * scale {
                return Some((i, j));
            }
        }
    }
    None
}

/// The relative tolerance of [`symmetry_violation`] under which the
/// factorisations accept a user's matrix as symmetric (they read one
/// triangle): `|a_ij − a_ji| ≤ 10⁻¹⁰ · max_kl |a_kl|`.
pub const SYMMETRY_TOLERANCE: f64 = 1e-10;

/// Replace a square matrix by its symmetric part `½(A + Aᵀ)` when it is not
/// symmetric to [`SYMMETRY_TOLERANCE`]; returns whether it did. A Hessian by
/// finite differences (asymmetric at the level of the differencing error,
/// about `√ε ≈ 10⁻⁸` relative) or a slightly wrong analytic one is thereby made
/// usable by the symmetric factorisations, whose symmetry check would refuse
/// it; `½(A + Aᵀ)` is the symmetric matrix nearest to `A` in the Frobenius
/// norm (Higham, *Accuracy and Stability of Numerical Algorithms*, 2002,
/// §10.5.1), and the quadratic model `sᵀAs` is the same for both. A matrix
/// already symmetric to the tolerance is left untouched, so exact Hessians
/// give bit-identical results.
///
/// # Panics
/// If `a` is not square (a buffer the program sized).
#[track_caller]
pub fn symmetrize(mut a: MatMut<'_, f64>) -> bool {
    if symmetry_violation(a.as_ref(), SYMMETRY_TOLERANCE).is_none() {
        return false;
    }
    for j in 0..a.ncols() {
        for i in j + 1..a.nrows() {
            let mean = 0.5 * (a[(i, j)] + a[(j, i)]);
            a[(i, j)] = mean;
            a[(j, i)] = mean;
        }
    }
    true
}
