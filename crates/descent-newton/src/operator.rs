//! Symmetric linear operators `v ↦ A v`: what conjugate gradients, Lanczos,
//! power iteration and Hutchinson's estimators need, and nothing more.
//!
//! An operator is a dense matrix ([`DenseOperator`]), the Hessian of an
//! objective at a point through counted Hessian-vector products
//! ([`HessianAt`]), a Gauss–Newton product (counted: [`CountedGaussNewtonAt`];
//! direct: [`GaussNewtonAt`]) or any closure
//! ([`FnOperator`]). None of them forms a matrix that was not given.

use descent_core::{Error, Evaluator, display_number};
use descent_linalg::{MatRef, matvec, symmetry_violation};

/// A symmetric linear map `ℝⁿ → ℝⁿ`, applied as `out ← A v`.
pub trait SymmetricOperator {
    /// The dimension n.
    fn dim(&self) -> usize;
    /// `out ← A v` (both of length n).
    ///
    /// # Errors
    /// When the underlying product is not available (an objective without
    /// Hessian-vector products).
    fn apply(&mut self, v: &[f64], out: &mut [f64]) -> Result<(), Error>;
}

impl<T: SymmetricOperator + ?Sized> SymmetricOperator for &mut T {
    fn dim(&self) -> usize {
        (**self).dim()
    }
    fn apply(&mut self, v: &[f64], out: &mut [f64]) -> Result<(), Error> {
        (**self).apply(v, out)
    }
}

/// A user's dense symmetric matrix as an operator, `A v` by one faer product.
#[derive(Debug, Clone, Copy)]
pub struct DenseOperator<'a> {
    a: MatRef<'a, f64>,
}

impl<'a> DenseOperator<'a> {
    /// Wrap a square, finite, symmetric (to `10⁻¹⁰` relative) matrix.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the shape or the offending entries.
    pub fn new(a: MatRef<'a, f64>) -> Result<Self, Error> {
        const CONTEXT: &str = "dense symmetric operator";
        if a.nrows() != a.ncols() {
            return Err(Error::invalid(
                CONTEXT,
                format!("matrix must be square, got {}×{}", a.nrows(), a.ncols()),
            ));
        }
        for j in 0..a.ncols() {
            for i in 0..a.nrows() {
                if !a[(i, j)].is_finite() {
                    return Err(Error::invalid(
                        CONTEXT,
                        format!("entry ({i}, {j}) is {}", display_number(a[(i, j)])),
                    ));
                }
            }
        }
        if let Some((i, j)) = symmetry_violation(a, 1e-10) {
            return Err(Error::invalid(
                CONTEXT,
                format!(
                    "matrix is not symmetric: a[{i},{j}] = {} but a[{j},{i}] = {}",
                    display_number(a[(i, j)]),
                    display_number(a[(j, i)])
                ),
            ));
        }
        Ok(Self { a })
    }

    /// The matrix.
    pub fn matrix(&self) -> MatRef<'a, f64> {
        self.a
    }
}

impl SymmetricOperator for DenseOperator<'_> {
    fn dim(&self) -> usize {
        self.a.nrows()
    }
    fn apply(&mut self, v: &[f64], out: &mut [f64]) -> Result<(), Error> {
        matvec(self.a, v, out);
        Ok(())
    }
}

/// `v ↦ ∇²f(x) v` through the evaluator (each application is one counted
/// Hessian-vector product).
pub struct HessianAt<'e, 'o, 'x> {
    eval: &'e mut Evaluator<'o>,
    x: &'x [f64],
}

impl<'e, 'o, 'x> HessianAt<'e, 'o, 'x> {
    /// The Hessian of the evaluator's objective at `x`.
    ///
    /// # Errors
    /// [`Error::Invalid`] if `x.len()` is not the objective's dimension.
    pub fn new(eval: &'e mut Evaluator<'o>, x: &'x [f64]) -> Result<Self, Error> {
        if x.len() != eval.dim() {
            return Err(Error::invalid(
                format!("Hessian operator of {}", eval.name()),
                format!(
                    "point has {} coordinates but the objective has dimension {}",
                    x.len(),
                    eval.dim()
                ),
            ));
        }
        Ok(Self { eval, x })
    }
}

impl SymmetricOperator for HessianAt<'_, '_, '_> {
    fn dim(&self) -> usize {
        self.x.len()
    }
    fn apply(&mut self, v: &[f64], out: &mut [f64]) -> Result<(), Error> {
        self.eval.hessian_vector_product(self.x, v, out)
    }
}

/// The generalised Gauss–Newton product, defined in descent-core so that the
/// network objective (descent-backprop, a lower layer) can implement it.
pub use descent_core::GaussNewtonProduct;

/// `v ↦ G(x) v` for a [`GaussNewtonProduct`] at a fixed point, applied
/// directly (not counted by any evaluator; an optimiser uses
/// [`CountedGaussNewtonAt`] so the products appear in the run's counts).
pub struct GaussNewtonAt<'g, 'x> {
    product: &'g mut dyn GaussNewtonProduct,
    x: &'x [f64],
}

impl<'g, 'x> GaussNewtonAt<'g, 'x> {
    /// The Gauss–Newton matrix of `product` at `x`.
    pub fn new(product: &'g mut dyn GaussNewtonProduct, x: &'x [f64]) -> Self {
        Self { product, x }
    }
}

impl SymmetricOperator for GaussNewtonAt<'_, '_> {
    fn dim(&self) -> usize {
        self.x.len()
    }
    fn apply(&mut self, v: &[f64], out: &mut [f64]) -> Result<(), Error> {
        self.product.gauss_newton_vector_product(self.x, v, out)
    }
}

/// `v ↦ G(x) v` through the evaluator: each application is one counted
/// Gauss–Newton product ([`Evaluator::gauss_newton_vector_product`]), so
/// Hessian-free Gauss–Newton's cost shows in `EvaluationCounts`.
pub struct CountedGaussNewtonAt<'e, 'o, 'g, 'x> {
    eval: &'e mut Evaluator<'o>,
    product: &'g mut dyn GaussNewtonProduct,
    x: &'x [f64],
}

impl<'e, 'o, 'g, 'x> CountedGaussNewtonAt<'e, 'o, 'g, 'x> {
    /// The Gauss–Newton matrix of `product` at `x`, counted by `eval`.
    ///
    /// # Errors
    /// [`Error::Invalid`] if `x.len()` is not the objective's dimension.
    pub fn new(
        eval: &'e mut Evaluator<'o>,
        product: &'g mut dyn GaussNewtonProduct,
        x: &'x [f64],
    ) -> Result<Self, Error> {
        if x.len() != eval.dim() {
            return Err(Error::invalid(
                format!("Gauss-Newton operator of {}", eval.name()),
                format!(
                    "point has {} coordinates but the objective has dimension {}",
                    x.len(),
                    eval.dim()
                ),
            ));
        }
        Ok(Self { eval, product, x })
    }
}

impl SymmetricOperator for CountedGaussNewtonAt<'_, '_, '_, '_> {
    fn dim(&self) -> usize {
        self.x.len()
    }
    fn apply(&mut self, v: &[f64], out: &mut [f64]) -> Result<(), Error> {
        self.eval
            .gauss_newton_vector_product(self.product, self.x, v, out)
    }
}

/// A closure `(v, out) ↦ out ← A v` of a stated dimension as an operator.
pub struct FnOperator<F> {
    n: usize,
    f: F,
}

impl<F: FnMut(&[f64], &mut [f64])> FnOperator<F> {
    /// Wrap `f` acting on vectors of length `n`.
    pub fn new(n: usize, f: F) -> Self {
        Self { n, f }
    }
}

impl<F: FnMut(&[f64], &mut [f64])> SymmetricOperator for FnOperator<F> {
    fn dim(&self) -> usize {
        self.n
    }
    fn apply(&mut self, v: &[f64], out: &mut [f64]) -> Result<(), Error> {
        (self.f)(v, out);
        Ok(())
    }
}
