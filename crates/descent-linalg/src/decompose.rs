//! Factorisations of symmetric matrices: Cholesky, Bunch–Kaufman LBLᵀ and the
//! symmetric eigendecomposition, plus what the lecture builds from them
//! (condition number, extreme eigenvalues, `A^{1/2}` and `A^{−1/2}`).
//!
//! Every entry point here takes a *user's* matrix, so it validates (square,
//! finite, symmetric where the method needs it) and returns a [`LinalgError`]
//! instead of panicking. None of them inverts a matrix: they solve.

use faer::linalg::solvers::{Lblt, Llt, SelfAdjointEigen, Solve};
use faer::{ColMut, Mat, MatRef, Side};

use crate::error::LinalgError;
use crate::shape::Shape;

/// Relative tolerance used to decide that a user's matrix is symmetric.
const SYMMETRY_TOL: f64 = crate::SYMMETRY_TOLERANCE;

fn validate_square_finite(op: &'static str, a: MatRef<'_, f64>) -> Result<(), LinalgError> {
    if a.nrows() != a.ncols() {
        return Err(LinalgError::NotSquare {
            op,
            shape: Shape::of(a),
        });
    }
    for j in 0..a.ncols() {
        for i in 0..a.nrows() {
            let value = a[(i, j)];
            if !value.is_finite() {
                return Err(LinalgError::NonFinite { op, i, j, value });
            }
        }
    }
    Ok(())
}

fn validate_symmetric(op: &'static str, a: MatRef<'_, f64>) -> Result<(), LinalgError> {
    validate_square_finite(op, a)?;
    match crate::symmetry_violation(a, SYMMETRY_TOL) {
        None => Ok(()),
        Some((i, j)) => Err(LinalgError::NotSymmetric {
            op,
            i,
            j,
            a_ij: a[(i, j)],
            a_ji: a[(j, i)],
        }),
    }
}

fn validate_rhs(op: &'static str, n: usize, b: &[f64]) -> Result<(), LinalgError> {
    if b.len() != n {
        return Err(crate::shape::ShapeError {
            context: String::new(),
            op,
            lhs_role: "matrix",
            lhs: Shape::new(n, n),
            rhs_role: "right-hand side",
            rhs: Shape::col(b.len()),
        }
        .into());
    }
    Ok(())
}

/// The Cholesky factorisation `A = L Lᵀ` of a symmetric positive definite matrix.
///
/// Reads the lower triangle (after checking symmetry). Cost `n³/3` flops; each
/// solve `2n²`. Reference: Golub & Van Loan, *Matrix Computations*, §4.2.
#[derive(Debug, Clone)]
pub struct Cholesky {
    llt: Llt<f64>,
}

impl Cholesky {
    /// Factor `A = L Lᵀ`.
    ///
    /// # Errors
    /// `NotSquare`, `NonFinite`, `NotSymmetric` for a malformed `A`;
    /// `NotPositiveDefinite { pivot }` when pivot `pivot` of the factorisation is
    /// not positive (so `A` has a non-positive eigenvalue).
    pub fn factor(a: MatRef<'_, f64>) -> Result<Self, LinalgError> {
        validate_symmetric("cholesky", a)?;
        Self::factor_unchecked_symmetry("cholesky", a)
    }

    /// Factor a matrix already known to be square, finite and symmetric (for
    /// example one the program assembled itself): skips the `O(n²)` checks.
    pub(crate) fn factor_unchecked_symmetry(
        op: &'static str,
        a: MatRef<'_, f64>,
    ) -> Result<Self, LinalgError> {
        match a.llt(Side::Lower) {
            Ok(llt) => Ok(Self { llt }),
            Err(faer::linalg::cholesky::llt::factor::LltError::NonPositivePivot { index }) => {
                Err(LinalgError::NotPositiveDefinite { op, pivot: index })
            }
        }
    }

    /// Try to factor `A` and report only whether it is positive definite.
    pub fn is_positive_definite(a: MatRef<'_, f64>) -> bool {
        Self::factor(a).is_ok()
    }

    /// The dimension n.
    pub fn dim(&self) -> usize {
        self.llt.L().nrows()
    }

    /// The lower-triangular factor `L`.
    pub fn l(&self) -> MatRef<'_, f64> {
        self.llt.L()
    }

    /// Solve `A x = b` in place (`b` becomes `x`).
    ///
    /// # Panics
    /// If `b.len() != n` (the caller sized `b`).
    #[track_caller]
    pub fn solve_in_place(&self, b: &mut [f64]) {
        assert_eq!(
            b.len(),
            self.dim(),
            "cholesky solve: right-hand side has the wrong length"
        );
        self.llt
            .solve_in_place(ColMut::from_slice_mut(b).as_mat_mut());
    }

    /// Solve `A x = b`, returning `x`.
    ///
    /// # Errors
    /// A `Shape` error if `b.len() != n`.
    pub fn solve(&self, b: &[f64]) -> Result<Vec<f64>, LinalgError> {
        validate_rhs("cholesky solve", self.dim(), b)?;
        let mut x = b.to_vec();
        self.solve_in_place(&mut x);
        Ok(x)
    }

    /// `log det A = 2 Σ log L_ii`.
    pub fn log_det(&self) -> f64 {
        let l = self.l();
        (0..l.nrows()).map(|i| 2.0 * l[(i, i)].ln()).sum()
    }
}

/// Solve `A x = b` for symmetric positive definite `A` by Cholesky.
///
/// # Errors
/// As [`Cholesky::factor`], and a `Shape` error if `b.len() != n`.
pub fn solve_spd(a: MatRef<'_, f64>, b: &[f64]) -> Result<Vec<f64>, LinalgError> {
    Cholesky::factor(a)?.solve(b)
}

/// Solve the damped system `(A + λI) x = b` by Cholesky (Levenberg–Marquardt's
/// step; λ = 0 is the plain SPD solve).
///
/// # Errors
/// `InvalidDamping` if λ < 0 or λ is not finite; otherwise as [`solve_spd`]:
/// `NotPositiveDefinite` when λ is too small to make `A + λI` positive definite.
pub fn solve_damped(a: MatRef<'_, f64>, lambda: f64, b: &[f64]) -> Result<Vec<f64>, LinalgError> {
    const OP: &str = "damped solve";
    if !(lambda.is_finite() && lambda >= 0.0) {
        return Err(LinalgError::InvalidDamping { op: OP, lambda });
    }
    validate_symmetric(OP, a)?;
    validate_rhs(OP, a.nrows(), b)?;
    let n = a.nrows();
    let damped = Mat::from_fn(n, n, |i, j| {
        if i == j {
            a[(i, j)] + lambda
        } else {
            a[(i, j)]
        }
    });
    let chol = Cholesky::factor_unchecked_symmetry(OP, damped.as_ref())?;
    let mut x = b.to_vec();
    chol.solve_in_place(&mut x);
    Ok(x)
}

/// The Bunch–Kaufman factorisation `P A Pᵀ = L B Lᵀ` of a symmetric, possibly
/// indefinite matrix (`B` block diagonal with 1×1 and 2×2 blocks).
///
/// Use it to solve with a symmetric matrix that is not positive definite (a
/// Hessian at a saddle). Reference: Bunch & Kaufman (1977), *Math. Comp.* 31;
/// Golub & Van Loan §4.4.
#[derive(Debug, Clone)]
pub struct SymmetricIndefinite {
    lblt: Lblt<f64>,
    n: usize,
}

impl SymmetricIndefinite {
    /// Factor a symmetric matrix.
    ///
    /// # Errors
    /// `NotSquare`, `NonFinite`, `NotSymmetric` for a malformed `A`.
    pub fn factor(a: MatRef<'_, f64>) -> Result<Self, LinalgError> {
        validate_symmetric("bunch-kaufman", a)?;
        Ok(Self {
            lblt: a.lblt(Side::Lower),
            n: a.nrows(),
        })
    }

    /// Solve `A x = b`.
    ///
    /// # Errors
    /// `Shape` if `b.len() != n`; `Singular` if `A` is singular to working
    /// precision (the solution is not finite).
    pub fn solve(&self, b: &[f64]) -> Result<Vec<f64>, LinalgError> {
        validate_rhs("bunch-kaufman solve", self.n, b)?;
        let mut x = b.to_vec();
        self.lblt
            .solve_in_place(ColMut::from_slice_mut(&mut x).as_mat_mut());
        if x.iter().all(|v| v.is_finite()) {
            Ok(x)
        } else {
            Err(LinalgError::Singular {
                op: "bunch-kaufman solve",
            })
        }
    }
}

/// The symmetric eigendecomposition `A = V Λ Vᵀ`, eigenvalues in ascending order.
///
/// Reference: Golub & Van Loan §8.3 (faer's implementation: tridiagonalisation
/// followed by divide and conquer).
#[derive(Debug, Clone)]
pub struct SymmetricEigen {
    /// Eigenvalues λ₁ ≤ λ₂ ≤ … ≤ λ_n.
    pub values: Vec<f64>,
    /// Orthonormal eigenvectors, column i belonging to `values[i]`.
    pub vectors: Mat<f64>,
}

impl SymmetricEigen {
    /// Decompose a symmetric matrix.
    ///
    /// # Errors
    /// `NotSquare`, `NonFinite`, `NotSymmetric` for a malformed `A`;
    /// `EigenNoConvergence` if the eigensolver fails.
    pub fn new(a: MatRef<'_, f64>) -> Result<Self, LinalgError> {
        const OP: &str = "symmetric eigendecomposition";
        validate_symmetric(OP, a)?;
        let evd: SelfAdjointEigen<f64> = a
            .self_adjoint_eigen(Side::Lower)
            .map_err(|_| LinalgError::EigenNoConvergence { op: OP })?;
        let s = evd.S().column_vector();
        let values = (0..s.nrows()).map(|i| s[i]).collect();
        Ok(Self {
            values,
            vectors: evd.U().to_owned(),
        })
    }

    /// Only the eigenvalues, ascending.
    ///
    /// # Errors
    /// As [`SymmetricEigen::new`].
    pub fn values_of(a: MatRef<'_, f64>) -> Result<Vec<f64>, LinalgError> {
        const OP: &str = "symmetric eigenvalues";
        validate_symmetric(OP, a)?;
        a.self_adjoint_eigenvalues(Side::Lower)
            .map_err(|_| LinalgError::EigenNoConvergence { op: OP })
    }

    /// The matrix function `f(A) = V diag(f(λ_i)) Vᵀ`.
    pub fn map(&self, f: impl Fn(f64) -> f64) -> Mat<f64> {
        let n = self.values.len();
        let v = self.vectors.as_ref();
        let scaled = Mat::from_fn(n, n, |i, j| v[(i, j)] * f(self.values[j]));
        let mut out = Mat::zeros(n, n);
        crate::products::matmul(out.as_mut(), scaled.as_ref(), v.transpose());
        out
    }
}

/// The smallest eigenvalue λ_min of a symmetric matrix.
///
/// # Errors
/// As [`SymmetricEigen::new`]; `NotSquare` also for a 0×0 matrix.
pub fn smallest_eigenvalue(a: MatRef<'_, f64>) -> Result<f64, LinalgError> {
    extreme("smallest eigenvalue", a, |v| v[0])
}

/// The largest eigenvalue λ_max of a symmetric matrix.
///
/// # Errors
/// As [`smallest_eigenvalue`].
pub fn largest_eigenvalue(a: MatRef<'_, f64>) -> Result<f64, LinalgError> {
    extreme("largest eigenvalue", a, |v| v[v.len() - 1])
}

fn extreme(
    op: &'static str,
    a: MatRef<'_, f64>,
    pick: impl Fn(&[f64]) -> f64,
) -> Result<f64, LinalgError> {
    if a.nrows() == 0 {
        return Err(LinalgError::NotSquare {
            op,
            shape: Shape::of(a),
        });
    }
    Ok(pick(&SymmetricEigen::values_of(a)?))
}

/// The spectral condition number `κ(A) = λ_max / λ_min` of a symmetric positive
/// definite matrix: the ratio of the largest to the smallest curvature, which
/// sets gradient descent's rate `(κ − 1)/(κ + 1)` at the best fixed step.
///
/// # Errors
/// As [`SymmetricEigen::new`]; `NotPositiveDefinite { pivot }` if λ_min ≤ 0
/// (`pivot` is then the index of the first non-positive eigenvalue, 0).
pub fn condition_number_spd(a: MatRef<'_, f64>) -> Result<f64, LinalgError> {
    let values = SymmetricEigen::values_of(a)?;
    spd_values("condition number", &values)?;
    Ok(values[values.len() - 1] / values[0])
}

fn spd_values(op: &'static str, values: &[f64]) -> Result<(), LinalgError> {
    match values.iter().position(|&v| v <= 0.0) {
        Some(pivot) => Err(LinalgError::NotPositiveDefinite { op, pivot }),
        None if values.is_empty() => Err(LinalgError::NotSquare {
            op,
            shape: Shape::new(0, 0),
        }),
        None => Ok(()),
    }
}

/// The SPD square root `S = A^{1/2} = V diag(√λ_i) Vᵀ`, the unique SPD matrix
/// with `S S = A`: the lecture's axis rescaling, under which `E` becomes a
/// quadratic with identity Hessian.
///
/// # Errors
/// As [`condition_number_spd`].
pub fn sqrt_spd(a: MatRef<'_, f64>) -> Result<Mat<f64>, LinalgError> {
    let eig = SymmetricEigen::new(a)?;
    spd_values("matrix square root", &eig.values)?;
    Ok(eig.map(f64::sqrt))
}

/// The inverse square root `A^{−1/2} = V diag(1/√λ_i) Vᵀ` of an SPD matrix.
///
/// # Errors
/// As [`condition_number_spd`].
pub fn inv_sqrt_spd(a: MatRef<'_, f64>) -> Result<Mat<f64>, LinalgError> {
    let eig = SymmetricEigen::new(a)?;
    spd_values("inverse square root", &eig.values)?;
    Ok(eig.map(|l| 1.0 / l.sqrt()))
}
