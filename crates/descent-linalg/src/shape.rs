//! Shapes as values, and the lecture's dimensionality check.

use std::fmt;

/// The shape of a matrix or vector, `rows × cols`.
///
/// A column vector of length n is `n×1`, a row vector (a gradient, in the
/// lecture's convention) is `1×n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Shape {
    /// Number of rows.
    pub rows: usize,
    /// Number of columns.
    pub cols: usize,
}

impl Shape {
    /// `rows × cols`.
    pub const fn new(rows: usize, cols: usize) -> Self {
        Self { rows, cols }
    }
    /// A column vector `n×1`.
    pub const fn col(n: usize) -> Self {
        Self { rows: n, cols: 1 }
    }
    /// A row vector `1×n`.
    pub const fn row(n: usize) -> Self {
        Self { rows: 1, cols: n }
    }
    /// The shape of a faer matrix view.
    pub fn of(a: faer::MatRef<'_, f64>) -> Self {
        Self {
            rows: a.nrows(),
            cols: a.ncols(),
        }
    }
    /// The shape with rows and columns exchanged.
    pub const fn transpose(self) -> Self {
        Self {
            rows: self.cols,
            cols: self.rows,
        }
    }
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}×{}", self.rows, self.cols)
    }
}

/// A binary operation whose operand shapes must agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `A x`: matrix `m×n` times column vector `n×1` gives `m×1`.
    MatVec,
    /// `g A`: row vector `1×m` times matrix `m×n` gives `1×n`.
    VecMat,
    /// `A B`: `m×k` times `k×n` gives `m×n`.
    MatMul,
    /// `u vᵀ`: column `m×1` times row `1×n` gives `m×n`.
    Outer,
    /// Element-wise (sum, Hadamard product, axpy): shapes must be equal.
    Elementwise,
}

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::MatVec => "matvec",
            Op::VecMat => "vecmat",
            Op::MatMul => "matmul",
            Op::Outer => "outer",
            Op::Elementwise => "elementwise",
        }
    }
    fn roles(self) -> (&'static str, &'static str) {
        match self {
            Op::MatVec => ("matrix", "column vector"),
            Op::VecMat => ("row vector", "matrix"),
            Op::MatMul => ("left matrix", "right matrix"),
            Op::Outer => ("column vector", "row vector"),
            Op::Elementwise => ("left operand", "right operand"),
        }
    }
}

/// Operand shapes that do not fit an operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{context}{op}: {lhs_role} is {lhs}, {rhs_role} is {rhs}")]
pub struct ShapeError {
    /// Where the check was made (e.g. "layer 2: "), possibly empty.
    pub context: String,
    /// The operation's name.
    pub op: &'static str,
    /// What the left operand is.
    pub lhs_role: &'static str,
    /// The left operand's shape.
    pub lhs: Shape,
    /// What the right operand is.
    pub rhs_role: &'static str,
    /// The right operand's shape.
    pub rhs: Shape,
}

impl ShapeError {
    /// Prefix the message with where the check was made ("layer 2").
    pub fn in_context(mut self, context: impl fmt::Display) -> Self {
        self.context = format!("{context}: {}", self.context);
        self
    }
}

/// The lecture's dimensionality check: do `lhs` and `rhs` fit `op`, and what
/// shape does the result have?
///
/// | op | requires | result |
/// |---|---|---|
/// | `MatVec` | `m×n`, `n×1` | `m×1` |
/// | `VecMat` | `1×m`, `m×n` | `1×n` |
/// | `MatMul` | `m×k`, `k×n` | `m×n` |
/// | `Outer` | `m×1`, `1×n` | `m×n` |
/// | `Elementwise` | equal | the same |
///
/// ```
/// use descent_linalg::{check_shapes, Op, Shape};
/// let err = check_shapes(Op::VecMat, Shape::row(5), Shape::new(3, 4)).unwrap_err();
/// assert_eq!(err.to_string(), "vecmat: row vector is 1×5, matrix is 3×4");
/// assert_eq!(check_shapes(Op::VecMat, Shape::row(3), Shape::new(3, 4)), Ok(Shape::row(4)));
/// ```
pub fn check_shapes(op: Op, lhs: Shape, rhs: Shape) -> Result<Shape, ShapeError> {
    let result = match op {
        Op::MatVec if rhs.cols == 1 && lhs.cols == rhs.rows => Some(Shape::col(lhs.rows)),
        Op::VecMat if lhs.rows == 1 && lhs.cols == rhs.rows => Some(Shape::row(rhs.cols)),
        Op::MatMul if lhs.cols == rhs.rows => Some(Shape::new(lhs.rows, rhs.cols)),
        Op::Outer if lhs.cols == 1 && rhs.rows == 1 => Some(Shape::new(lhs.rows, rhs.cols)),
        Op::Elementwise if lhs == rhs => Some(lhs),
        _ => None,
    };
    result.ok_or_else(|| {
        let (lhs_role, rhs_role) = op.roles();
        ShapeError {
            context: String::new(),
            op: op.name(),
            lhs_role,
            lhs,
            rhs_role,
            rhs,
        }
    })
}

/// Panic with [`check_shapes`]' message if the shapes do not fit: for buffers the
/// program itself sized, where a mismatch is a bug.
#[track_caller]
pub(crate) fn assert_shapes(op: Op, lhs: Shape, rhs: Shape) -> Shape {
    match check_shapes(op, lhs, rhs) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    }
}
