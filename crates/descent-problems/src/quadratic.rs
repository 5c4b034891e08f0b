//! Quadratics `E(w) = ½ wᵀ A w + bᵀ w + c`: the lecture's model problem, whose
//! step-size theory is exact.
//!
//! For symmetric A with eigenvalues `λ₁ ≤ … ≤ λ_n`:
//! * `∇E = A w + b`, `∇²E = A`;
//! * if A is positive definite, the minimiser is `w* = −A⁻¹ b` and
//!   `E* = c + ½ bᵀ w*`;
//! * gradient descent with step η multiplies the error along eigen-direction i
//!   by `1 − ηλ_i`: one step along i when `η = η_i,opt = 1/λ_i`, and it
//!   converges iff `η < 2/λ_max`;
//! * `κ = λ_max/λ_min` sets the best fixed-step rate `(κ − 1)/(κ + 1)`.
//!
//! When w* is known the objective is evaluated in the centred form
//! `½ (w − w*)ᵀ A (w − w*) + E*` (see [`Quadratic`]).
//!
//! Reference: the lecture notes (1-D, diagonal and general quadratics);
//! Nocedal & Wright, *Numerical Optimization*, 2nd ed., §3.3.

use descent_core::{Capabilities, Error, Objective};
use std::sync::OnceLock;

use descent_linalg::{Cholesky, Mat, MatMut, MatRef, SymmetricEigen, dot, matmul, matvec};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

const OWNER: &str = "quadratic";

/// How A was given: it decides what "per direction" means in
/// [`Quadratic::eta_opt_per_direction`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Structure {
    /// A diagonal A (1-D included): the directions are the coordinate axes.
    Diagonal,
    /// A general symmetric A: the directions are A's eigenvectors.
    Dense,
}

/// How `v ↦ A v` is applied: `O(n)` for a diagonal A, a dense product otherwise.
#[derive(Debug, Clone)]
enum Operator {
    Diagonal(Vec<f64>),
    Dense(Mat<f64>),
}

impl Operator {
    /// `out = A v`.
    fn apply(&self, v: &[f64], out: &mut [f64]) {
        match self {
            Operator::Diagonal(d) => {
                for ((o, a), x) in out.iter_mut().zip(d).zip(v) {
                    *o = a * x;
                }
            }
            Operator::Dense(a) => matvec(a.as_ref(), v, out),
        }
    }
}

/// A known stationary point `w*` and its value `E* = E(w*)`: with it, E is
/// evaluated in the centred form `½ (w − w*)ᵀ A (w − w*) + E*`.
#[derive(Debug, Clone)]
struct Centre {
    point: Vec<f64>,
    value: f64,
}

/// `E(w) = ½ wᵀ A w + bᵀ w + c` with symmetric A, its eigendecomposition and
/// the closed forms of the lecture.
///
/// **Evaluation in centred form.** Whenever the stationary point `w*` and
/// `E* = E(w*)` are known — always for [`one_d`](Self::one_d) and
/// [`with_minimizer`](Self::with_minimizer), and for every positive definite A
/// given to [`diagonal`](Self::diagonal), [`dense`](Self::dense) and
/// [`from_eigenvalues`](Self::from_eigenvalues) (computed once at
/// construction) — the objective evaluates
/// `E(w) = ½ (w − w*)ᵀ A (w − w*) + E*` and `∇E = A (w − w*)`. The expanded
/// form `½ wᵀAw + bᵀw + c` cancels catastrophically near w*: it cannot
/// resolve `E − E*` below about `ε λ_max ‖w*‖²` (e.g. `one_d(2, 3.7)` gave
/// `E < E*` after a few dozen gradient steps), while the centred form resolves
/// it down to the rounding of `w − w*` itself, so rates
/// `(E_{k+1} − E*)/(E_k − E*)` can be measured on E. For a dense A with a given
/// b the computed `ŵ* = −A⁻¹b` (Cholesky) is the centre: the objective is then
/// the quadratic with linear term `−A ŵ*`, which differs from b by the
/// solve's residual (about `ε ‖A‖ ‖ŵ*‖`). Without a known centre (A not
/// positive definite) the expanded form is used.
///
/// A diagonal A is applied in `O(n)`; its dense matrix (for
/// [`hessian_matrix`](Self::hessian_matrix) and the Hessian) and its
/// eigenvector matrix are built once, on first request.
#[derive(Debug, Clone)]
pub struct Quadratic {
    operator: Operator,
    /// The dense A of a diagonal quadratic, built on first request.
    dense_diagonal: OnceLock<Mat<f64>>,
    b: Vec<f64>,
    c: f64,
    structure: Structure,
    eigenvalues: Vec<f64>,
    /// Eigenvectors: computed at construction for a dense A, built on first
    /// request (a permutation of the axes) for a diagonal A.
    eigenvectors: OnceLock<Mat<f64>>,
    rotation: Option<Mat<f64>>,
    centre: Option<Centre>,
    /// Work buffers: `w − w*` and `A (w − w*)` (or `A w`).
    shifted: Vec<f64>,
    aw: Vec<f64>,
}

fn invalid(message: String) -> Error {
    Error::invalid(OWNER, message)
}

fn check_finite_vec(name: &str, v: &[f64]) -> Result<(), Error> {
    match v.iter().position(|x| !x.is_finite()) {
        Some(i) => Err(invalid(format!("{name}[{i}] = {} is not finite", v[i]))),
        None => Ok(()),
    }
}

/// The indices of `values` in ascending order of value.
fn ascending_order(values: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&i, &j| values[i].total_cmp(&values[j]));
    order
}

impl Quadratic {
    fn build(
        operator: Operator,
        b: Vec<f64>,
        c: f64,
        structure: Structure,
        eigenvalues: Vec<f64>,
        eigenvectors: Option<Mat<f64>>,
    ) -> Self {
        let n = b.len();
        let vectors = OnceLock::new();
        if let Some(v) = eigenvectors {
            let _ = vectors.set(v);
        }
        Self {
            operator,
            dense_diagonal: OnceLock::new(),
            b,
            c,
            structure,
            eigenvalues,
            eigenvectors: vectors,
            rotation: None,
            centre: None,
            shifted: vec![0.0; n],
            aw: vec![0.0; n],
        }
    }

    /// A diagonal quadratic from validated parts, without a centre.
    fn diagonal_unchecked(a_diag: &[f64], b: Vec<f64>, c: f64) -> Self {
        let values = ascending_order(a_diag).iter().map(|&i| a_diag[i]).collect();
        Self::build(
            Operator::Diagonal(a_diag.to_vec()),
            b,
            c,
            Structure::Diagonal,
            values,
            None,
        )
    }

    /// The 1-D quadratic `E(w) = ½ a (w − w*)²`, so `E'' = a`, `η_opt = 1/a`,
    /// `E* = 0`; evaluated in exactly this centred form.
    ///
    /// # Errors
    /// If `a` is not finite and `> 0`, or `w*` is not finite.
    pub fn one_d(a: f64, w_star: f64) -> Result<Self, Error> {
        descent_core::validate::positive(OWNER, "a = E''", a)?;
        descent_core::validate::finite(OWNER, "w*", w_star)?;
        // ½a(w − w*)² = ½ a w² − a w* w + ½ a w*²
        let mut quad = Self::diagonal_unchecked(&[a], vec![-a * w_star], 0.5 * a * w_star * w_star);
        quad.centre = Some(Centre {
            point: vec![w_star],
            value: 0.0,
        });
        Ok(quad)
    }

    /// Diagonal `A = diag(a₁₁, …, a_nn)` with linear term b and constant c.
    /// If every `a_ii > 0`, `w*_i = −b_i/a_ii` and `E* = c + ½ bᵀw*` are
    /// computed here and E is evaluated in centred form (see the type's doc).
    ///
    /// # Errors
    /// If the lengths differ, n = 0, or an entry is not finite.
    pub fn diagonal(a_diag: &[f64], b: &[f64], c: f64) -> Result<Self, Error> {
        let n = a_diag.len();
        if n == 0 {
            return Err(invalid("A must have at least one entry, got 0".into()));
        }
        if b.len() != n {
            return Err(invalid(format!(
                "b has length {} but A is {n}×{n}",
                b.len()
            )));
        }
        check_finite_vec("A diagonal", a_diag)?;
        check_finite_vec("b", b)?;
        descent_core::validate::finite(OWNER, "c", c)?;
        let mut quad = Self::diagonal_unchecked(a_diag, b.to_vec(), c);
        if a_diag.iter().all(|&a| a > 0.0) {
            let point: Vec<f64> = a_diag.iter().zip(b).map(|(a, b)| -b / a).collect();
            let value = c + 0.5 * dot(b, &point);
            if point.iter().all(|w| w.is_finite()) && value.is_finite() {
                quad.centre = Some(Centre { point, value });
            }
        }
        Ok(quad)
    }

    /// A general symmetric A (n×n), b (n) and c. If A is positive definite,
    /// `w* = −A⁻¹b` (Cholesky) and `E* = c + ½ bᵀw*` are computed here and E
    /// is evaluated in centred form (see the type's doc).
    ///
    /// # Errors
    /// If A is not square, b's length differs from n, an entry is not finite,
    /// or A is not symmetric (relative tolerance 1e-12); each message names the
    /// offending entries.
    pub fn dense(a: MatRef<'_, f64>, b: &[f64], c: f64) -> Result<Self, Error> {
        let n = a.nrows();
        if a.ncols() != n || n == 0 {
            return Err(invalid(format!(
                "A must be square and non-empty, got {}×{}",
                a.nrows(),
                a.ncols()
            )));
        }
        if b.len() != n {
            return Err(invalid(format!(
                "b has length {} but A is {n}×{n}",
                b.len()
            )));
        }
        for j in 0..n {
            for i in 0..n {
                if !a[(i, j)].is_finite() {
                    return Err(invalid(format!("A[{i},{j}] = {} is not finite", a[(i, j)])));
                }
            }
        }
        check_finite_vec("b", b)?;
        descent_core::validate::finite(OWNER, "c", c)?;
        if let Some((i, j)) = descent_linalg::symmetry_violation(a, 1e-12) {
            return Err(invalid(format!(
                "A is not symmetric: A[{i},{j}] = {} but A[{j},{i}] = {}",
                a[(i, j)],
                a[(j, i)]
            )));
        }
        let SymmetricEigen { values, vectors } = SymmetricEigen::new(a)?;
        let mut quad = Self::build(
            Operator::Dense(a.to_owned()),
            b.to_vec(),
            c,
            Structure::Dense,
            values,
            Some(vectors),
        );
        if quad.check_positive_definite().is_ok() {
            // a Cholesky failure (A numerically semidefinite) leaves the expanded form
            if let Ok(chol) = Cholesky::factor(a) {
                let mut point: Vec<f64> = b.iter().map(|v| -v).collect();
                chol.solve_in_place(&mut point);
                let value = c + 0.5 * dot(b, &point);
                if point.iter().all(|w| w.is_finite()) && value.is_finite() {
                    quad.centre = Some(Centre { point, value });
                }
            }
        }
        Ok(quad)
    }

    /// `A = Q diag(λ) Qᵀ` with `Q` a Haar-random orthogonal matrix
    /// ([`random_orthogonal`] with this seed), `b = 0`, `c = 0`: the minimiser
    /// (if A is positive definite) is the origin. The eigenvalues are kept
    /// exactly as given (sorted), and [`rotation`](Self::rotation) returns Q.
    ///
    /// # Errors
    /// If the list is empty or an eigenvalue is not finite.
    pub fn from_eigenvalues(eigenvalues: &[f64], seed: u64) -> Result<Self, Error> {
        let n = eigenvalues.len();
        if n == 0 {
            return Err(invalid("need at least one eigenvalue, got 0".into()));
        }
        check_finite_vec("λ", eigenvalues)?;
        let q = random_orthogonal(n, seed);
        let scaled = Mat::from_fn(n, n, |i, j| q[(i, j)] * eigenvalues[j]);
        let mut a = Mat::zeros(n, n);
        matmul(a.as_mut(), scaled.as_ref(), q.transpose());
        // make A symmetric to the last bit: A ← (A + Aᵀ)/2
        let a = Mat::from_fn(n, n, |i, j| 0.5 * (a[(i, j)] + a[(j, i)]));
        let order = ascending_order(eigenvalues);
        let values = order.iter().map(|&k| eigenvalues[k]).collect();
        let vectors = Mat::from_fn(n, n, |i, k| q[(i, order[k])]);
        let mut quad = Self::build(
            Operator::Dense(a),
            vec![0.0; n],
            0.0,
            Structure::Dense,
            values,
            Some(vectors),
        );
        quad.rotation = Some(q);
        if quad.check_positive_definite().is_ok() {
            quad.centre = Some(Centre {
                point: vec![0.0; n],
                value: 0.0,
            });
        }
        Ok(quad)
    }

    /// An n-dimensional positive definite quadratic with condition number κ:
    /// eigenvalues log-spaced from 1 to κ, `λ_i = κ^{(i−1)/(n−1)}` (λ = 1 for
    /// n = 1), rotated by a Haar-random Q ([`from_eigenvalues`](Self::from_eigenvalues)).
    ///
    /// # Errors
    /// If n = 0, or κ is NaN, infinite or `< 1`.
    pub fn with_condition_number(n: usize, kappa: f64, seed: u64) -> Result<Self, Error> {
        if n == 0 {
            return Err(invalid("n must be ≥ 1, got 0".into()));
        }
        if !(kappa.is_finite() && kappa >= 1.0) {
            return Err(Error::Hyperparameter {
                owner: OWNER,
                name: "condition number κ",
                requirement: "finite and ≥ 1",
                value: kappa.to_string(),
            });
        }
        let values: Vec<f64> = if n == 1 {
            vec![1.0]
        } else {
            (0..n)
                .map(|i| kappa.powf(i as f64 / (n - 1) as f64))
                .collect()
        };
        Self::from_eigenvalues(&values, seed)
    }

    /// The same A, moved so that its stationary point is `w*`:
    /// `E(w) = ½ (w − w*)ᵀ A (w − w*)`, i.e. `b = −A w*`, `c = ½ w*ᵀ A w*`
    /// (what [`linear_term`](Self::linear_term) and [`constant`](Self::constant)
    /// report); evaluated in exactly this centred form, with `E(w*) = 0`.
    ///
    /// # Errors
    /// If `w*` has the wrong length or a non-finite entry.
    pub fn with_minimizer(mut self, w_star: &[f64]) -> Result<Self, Error> {
        let n = self.dim();
        if w_star.len() != n {
            return Err(invalid(format!(
                "w* has length {} but A is {n}×{n}",
                w_star.len()
            )));
        }
        check_finite_vec("w*", w_star)?;
        let mut aw = vec![0.0; n];
        self.operator.apply(w_star, &mut aw);
        self.c = 0.5 * dot(w_star, &aw);
        self.b = aw.iter().map(|v| -v).collect();
        self.centre = Some(Centre {
            point: w_star.to_vec(),
            value: 0.0,
        });
        Ok(self)
    }

    /// `self` if A is positive definite (every `λ_i > 0`), otherwise an error
    /// naming the first non-positive eigenvalue, e.g.
    /// `"quadratic: eigenvalue λ_1 = -1 is not positive; a minimiser needs A positive definite"`.
    ///
    /// # Errors
    /// As above.
    pub fn require_positive_definite(self) -> Result<Self, Error> {
        self.check_positive_definite()?;
        Ok(self)
    }

    fn check_positive_definite(&self) -> Result<(), Error> {
        match self.eigenvalues.iter().position(|&l| l <= 0.0) {
            None => Ok(()),
            Some(i) => Err(invalid(format!(
                "eigenvalue λ_{} = {} is not positive; a minimiser needs A positive definite",
                i + 1,
                self.eigenvalues[i]
            ))),
        }
    }

    /// The Hessian `∇²E = A` as a dense matrix (for a diagonal A, built on
    /// the first call and kept).
    pub fn hessian_matrix(&self) -> MatRef<'_, f64> {
        match &self.operator {
            Operator::Dense(a) => a.as_ref(),
            Operator::Diagonal(d) => self
                .dense_diagonal
                .get_or_init(|| {
                    let n = d.len();
                    Mat::from_fn(n, n, |i, j| if i == j { d[i] } else { 0.0 })
                })
                .as_ref(),
        }
    }

    /// The linear term b of the expanded form.
    pub fn linear_term(&self) -> &[f64] {
        &self.b
    }

    /// The constant c of the expanded form.
    pub fn constant(&self) -> f64 {
        self.c
    }

    /// Diagonal or dense (see [`Structure`]).
    pub fn structure(&self) -> Structure {
        self.structure
    }

    /// The eigenvalues of A, ascending (exact for diagonal A and for A built
    /// from eigenvalues; computed by faer otherwise).
    pub fn eigenvalues(&self) -> &[f64] {
        &self.eigenvalues
    }

    /// Orthonormal eigenvectors of A, column k belonging to `eigenvalues()[k]`
    /// (for a diagonal A the matching coordinate axes, built on the first call).
    pub fn eigenvectors(&self) -> MatRef<'_, f64> {
        self.eigenvectors
            .get_or_init(|| match &self.operator {
                Operator::Diagonal(d) => {
                    let n = d.len();
                    let order = ascending_order(d);
                    Mat::from_fn(n, n, |i, k| if i == order[k] { 1.0 } else { 0.0 })
                }
                Operator::Dense(a) => {
                    // set at construction for every dense A; recomputing is a fallback
                    SymmetricEigen::new(a.as_ref())
                        .expect("a validated symmetric matrix decomposes")
                        .vectors
                }
            })
            .as_ref()
    }

    /// The rotation Q of `A = Q diag(λ) Qᵀ` when A was built from eigenvalues
    /// (columns in the order the eigenvalues were given).
    pub fn rotation(&self) -> Option<MatRef<'_, f64>> {
        self.rotation.as_ref().map(|q| q.as_ref())
    }

    /// The minimiser `w* = −A⁻¹ b`: the centre the objective is evaluated
    /// around (see the type's doc), computed at construction.
    ///
    /// # Errors
    /// If A is not positive definite (message names the eigenvalue).
    pub fn minimizer(&self) -> Result<Vec<f64>, Error> {
        self.check_positive_definite()?;
        if let Some(centre) = &self.centre {
            return Ok(centre.point.clone());
        }
        let a = self.hessian_matrix();
        let chol = Cholesky::factor(a)?;
        let mut w: Vec<f64> = self.b.iter().map(|v| -v).collect();
        chol.solve_in_place(&mut w);
        Ok(w)
    }

    /// The minimum value `E* = E(w*) = c + ½ bᵀ w*` (0 for
    /// [`one_d`](Self::one_d) and [`with_minimizer`](Self::with_minimizer)),
    /// computed at construction; the objective's value at
    /// [`minimizer`](Self::minimizer) is exactly this number.
    ///
    /// # Errors
    /// As [`minimizer`](Self::minimizer).
    pub fn minimum_value(&self) -> Result<f64, Error> {
        self.check_positive_definite()?;
        if let Some(centre) = &self.centre {
            return Ok(centre.value);
        }
        let w = self.minimizer()?;
        Ok(self.c + 0.5 * dot(&self.b, &w))
    }

    /// The step that solves each direction in one gradient step:
    /// `1/a_ii` per coordinate for diagonal A (coordinate order), `1/λ_i` per
    /// eigen-direction otherwise (in the order of [`eigenvalues`](Self::eigenvalues)).
    ///
    /// # Errors
    /// If A is not positive definite.
    pub fn eta_opt_per_direction(&self) -> Result<Vec<f64>, Error> {
        self.check_positive_definite()?;
        Ok(match &self.operator {
            Operator::Diagonal(d) => d.iter().map(|a| 1.0 / a).collect(),
            Operator::Dense(_) => self.eigenvalues.iter().map(|l| 1.0 / l).collect(),
        })
    }

    /// `η_opt = 1/E'' = 1/a` of a 1-D quadratic.
    ///
    /// # Errors
    /// If n ≠ 1, or a ≤ 0.
    pub fn eta_opt(&self) -> Result<f64, Error> {
        if self.dim() != 1 {
            return Err(invalid(format!(
                "a single η_opt = 1/E'' exists only in 1-D, this quadratic has n = {}; use eta_opt_per_direction",
                self.dim()
            )));
        }
        self.check_positive_definite()?;
        Ok(1.0 / self.eigenvalues[0])
    }

    /// `2/λ_max`: gradient descent with a fixed step converges iff `η < 2/λ_max`.
    ///
    /// # Errors
    /// If A is not positive definite.
    pub fn largest_stable_step(&self) -> Result<f64, Error> {
        self.check_positive_definite()?;
        Ok(2.0 / self.lambda_max())
    }

    /// `κ = λ_max/λ_min`.
    ///
    /// # Errors
    /// If A is not positive definite.
    pub fn condition_number(&self) -> Result<f64, Error> {
        self.check_positive_definite()?;
        Ok(self.lambda_max() / self.eigenvalues[0])
    }

    fn lambda_max(&self) -> f64 {
        self.eigenvalues[self.eigenvalues.len() - 1]
    }

    /// `shifted = w − w*`.
    fn shift(shifted: &mut [f64], w: &[f64], centre: &[f64]) {
        for ((s, w), c) in shifted.iter_mut().zip(w).zip(centre) {
            *s = w - c;
        }
    }
}

impl Objective for Quadratic {
    fn name(&self) -> String {
        format!("quadratic (n = {})", self.dim())
    }
    fn dim(&self) -> usize {
        self.b.len()
    }
    /// `E(w) = ½ (w − w*)ᵀ A (w − w*) + E*` when the centre is known,
    /// `½ wᵀ A w + bᵀ w + c` otherwise.
    fn value(&mut self, w: &[f64]) -> f64 {
        match &self.centre {
            Some(centre) => {
                Self::shift(&mut self.shifted, w, &centre.point);
                self.operator.apply(&self.shifted, &mut self.aw);
                0.5 * dot(&self.shifted, &self.aw) + centre.value
            }
            None => {
                self.operator.apply(w, &mut self.aw);
                0.5 * dot(w, &self.aw) + dot(&self.b, w) + self.c
            }
        }
    }
    /// `∇E = A (w − w*)` when the centre is known, `A w + b` otherwise.
    fn gradient(&mut self, w: &[f64], grad: &mut [f64]) {
        match &self.centre {
            Some(centre) => {
                Self::shift(&mut self.shifted, w, &centre.point);
                self.operator.apply(&self.shifted, grad);
            }
            None => {
                self.operator.apply(w, grad);
                grad.iter_mut().zip(&self.b).for_each(|(g, b)| *g += b);
            }
        }
    }
    fn value_and_gradient(&mut self, w: &[f64], grad: &mut [f64]) -> f64 {
        match &self.centre {
            Some(centre) => {
                Self::shift(&mut self.shifted, w, &centre.point);
                self.operator.apply(&self.shifted, grad);
                0.5 * dot(&self.shifted, grad) + centre.value
            }
            None => {
                self.operator.apply(w, grad);
                let value = 0.5 * dot(w, grad) + dot(&self.b, w) + self.c;
                grad.iter_mut().zip(&self.b).for_each(|(g, b)| *g += b);
                value
            }
        }
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            hessian: true,
            hessian_vector_product: true,
        }
    }
    /// `∇²E = A`.
    fn hessian(&mut self, _w: &[f64], mut hess: MatMut<'_, f64>) -> Result<(), Error> {
        match &self.operator {
            Operator::Dense(a) => hess.copy_from(a.as_ref()),
            Operator::Diagonal(d) => {
                hess.fill(0.0);
                for (i, a) in d.iter().enumerate() {
                    hess[(i, i)] = *a;
                }
            }
        }
        Ok(())
    }
    /// `∇²E v = A v` (`O(n)` for a diagonal A).
    fn hessian_vector_product(
        &mut self,
        _w: &[f64],
        v: &[f64],
        out: &mut [f64],
    ) -> Result<(), Error> {
        self.operator.apply(v, out);
        Ok(())
    }
}

/// A Haar-distributed random orthogonal n×n matrix: `Q` of the QR
/// factorisation of a matrix of independent N(0, 1) entries, with the signs
/// fixed so that R has a positive diagonal (Mezzadri 2007, "How to generate
/// random matrices from the classical compact groups", *Notices AMS* 54).
///
/// Computed by modified Gram–Schmidt with one re-orthogonalisation pass (which
/// yields exactly that sign convention), from `ChaCha8Rng::seed_from_u64(seed)`.
pub fn random_orthogonal(n: usize, seed: u64) -> Mat<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut columns: Vec<Vec<f64>> = (0..n)
        .map(|_| (0..n).map(|_| StandardNormal.sample(&mut rng)).collect())
        .collect();
    for j in 0..n {
        for _pass in 0..2 {
            for k in 0..j {
                let (done, rest) = columns.split_at_mut(j);
                let proj = dot(&done[k], &rest[0]);
                descent_linalg::axpy(-proj, &done[k], &mut rest[0]);
            }
        }
        let norm = descent_linalg::norm_2(&columns[j]);
        descent_linalg::scale(1.0 / norm, &mut columns[j]);
    }
    Mat::from_fn(n, n, |i, j| columns[j][i])
}
