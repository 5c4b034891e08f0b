//! The error type of the linear-algebra layer.

use crate::shape::{Shape, ShapeError};

/// Why a linear-algebra operation on user-supplied data failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LinalgError {
    /// Operand shapes do not fit the operation.
    #[error(transparent)]
    Shape(#[from] ShapeError),
    /// The operation needs a square matrix.
    #[error("{op}: matrix must be square, got {shape}")]
    NotSquare {
        /// The operation that was asked for.
        op: &'static str,
        /// The shape it got.
        shape: Shape,
    },
    /// The operation needs a symmetric matrix.
    #[error("{op}: matrix is not symmetric: a[{i},{j}] = {a_ij:e} but a[{j},{i}] = {a_ji:e}")]
    NotSymmetric {
        /// The operation that was asked for.
        op: &'static str,
        /// Row of the offending entry.
        i: usize,
        /// Column of the offending entry.
        j: usize,
        /// `a[i, j]`.
        a_ij: f64,
        /// `a[j, i]`.
        a_ji: f64,
    },
    /// Cholesky met a non-positive pivot: the matrix is not positive definite.
    #[error("{op}: matrix is not positive definite (Cholesky pivot {pivot} is not positive)")]
    NotPositiveDefinite {
        /// The operation that was asked for.
        op: &'static str,
        /// Index of the first non-positive pivot.
        pivot: usize,
    },
    /// A solve produced non-finite numbers: the matrix is (numerically) singular.
    #[error("{op}: matrix is singular to working precision")]
    Singular {
        /// The operation that was asked for.
        op: &'static str,
    },
    /// An input entry is NaN or infinite.
    #[error("{op}: entry ({i}, {j}) is {value}, not a finite number")]
    NonFinite {
        /// The operation that was asked for.
        op: &'static str,
        /// Row.
        i: usize,
        /// Column.
        j: usize,
        /// The value found.
        value: f64,
    },
    /// A damping parameter is negative or not finite.
    #[error("{op}: damping λ must be finite and ≥ 0, got {lambda}")]
    InvalidDamping {
        /// The operation that was asked for.
        op: &'static str,
        /// The value given.
        lambda: f64,
    },
    /// The symmetric eigensolver did not converge.
    #[error("{op}: the symmetric eigensolver did not converge")]
    EigenNoConvergence {
        /// The operation that was asked for.
        op: &'static str,
    },
}
