//! The Moré–Garbow–Hillstrom unconstrained test set.
//!
//! J. J. Moré, B. S. Garbow and K. E. Hillstrom, "Testing Unconstrained
//! Optimization Software", *ACM Trans. Math. Softw.* 7(1):17–41, 1981.
//!
//! Every problem is a least-squares problem `f(x) = Σ_{i=1}^m r_i(x)²` in the
//! paper's convention (**no ½**), with the paper's standard starting point `x0`
//! and the optimal values `f*` as printed there (six significant digits, or an
//! exact value where the paper gives a closed form). Residuals, Jacobians and
//! residual Hessians are exact (hand-derived; checked against central
//! differences in the tests).
//!
//! Implemented (paper numbers): 1–16, 18, 20–35 (33 of the 35; the Osborne
//! functions 17 and 19 are left out). Sizes are configurable where the paper
//! allows; an unsupported size returns [`Error::Invalid`] naming the value.
//!
//! [`mgh_suite`] lists the problems at their usual sizes.

mod fixed;
mod variable;

use descent_core::{Capabilities, Error, Objective};
use descent_linalg::MatMut;
use serde::Serialize;

use crate::least_squares::{LeastSquares, SumOfSquares};

pub use fixed::{
    bard, beale, biggs_exp6, box_3d, brown_badly_scaled, brown_dennis, freudenstein_roth, gaussian,
    gulf, helical_valley, jennrich_sampson, kowalik_osborne, meyer, powell_badly_scaled,
    powell_singular, rosenbrock, wood,
};
pub use variable::{
    brown_almost_linear, broyden_banded, broyden_tridiagonal, chebyquad, discrete_boundary_value,
    discrete_integral_equation, extended_powell_singular, extended_rosenbrock, linear_full_rank,
    linear_rank_one, linear_rank_one_zero_columns_rows, penalty_i, penalty_ii, trigonometric,
    variably_dimensioned, watson,
};

/// A minimum value `f*` as published by Moré, Garbow & Hillstrom (1981), with a
/// minimiser when one is known in closed form.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublishedMinimum {
    /// `f*`, as printed (a truncated decimal) or exact.
    pub value: f64,
    /// How many significant digits the paper prints; `None` when `value` is
    /// exact (0, or a closed form such as `m − n`).
    pub significant_digits: Option<u32>,
    /// A minimiser `x*` when known in closed form (or printed exactly).
    pub minimizer: Option<Vec<f64>>,
    /// Where it lies / what kind of minimum it is, as the paper describes it.
    pub note: &'static str,
}

impl PublishedMinimum {
    pub(crate) fn exact(value: f64, minimizer: Option<Vec<f64>>, note: &'static str) -> Self {
        Self {
            value,
            significant_digits: None,
            minimizer,
            note,
        }
    }
    pub(crate) fn printed(value: f64, digits: u32, note: &'static str) -> Self {
        Self {
            value,
            significant_digits: Some(digits),
            minimizer: None,
            note,
        }
    }

    /// How far a computed value may lie from `value` and still agree with the
    /// paper: one unit in the last printed digit, `10^(⌊log₁₀|f*|⌋ − digits + 1)`
    /// (the paper truncates), or `tol_exact` for an exact value.
    ///
    /// A value of 0 (or a non-finite one) has no last significant digit, so
    /// it is treated as exact whatever `significant_digits` says; the exponent
    /// is computed in f64, so no field value can overflow it (a huge digit
    /// count gives 0).
    pub fn tolerance(&self, tol_exact: f64) -> f64 {
        match self.significant_digits {
            Some(d) if self.value != 0.0 && self.value.is_finite() => {
                let exponent = self.value.abs().log10().floor();
                10f64.powf(exponent - f64::from(d) + 1.0)
            }
            _ => tol_exact,
        }
    }
}

/// One problem of the Moré–Garbow–Hillstrom set: its residual map, its number in
/// the paper, the standard starting point and the published minima.
///
/// It is an [`Objective`] (`f = Σ r_i²`, exact gradient, Hessian and
/// Hessian-vector product) and a [`LeastSquares`] problem (residuals and
/// Jacobian for Gauss–Newton and Levenberg–Marquardt).
pub struct MghProblem {
    number: u8,
    x0: Vec<f64>,
    minima: Vec<PublishedMinimum>,
    objective: SumOfSquares<Box<dyn LeastSquares + Send + Sync>>,
}

impl std::fmt::Debug for MghProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MghProblem")
            .field("number", &self.number)
            .field("name", &self.objective.problem().name())
            .field("n", &self.n())
            .field("m", &self.m())
            .finish()
    }
}

impl MghProblem {
    pub(crate) fn new(
        number: u8,
        x0: Vec<f64>,
        minima: Vec<PublishedMinimum>,
        problem: impl LeastSquares + Send + Sync + 'static,
    ) -> Self {
        debug_assert_eq!(x0.len(), problem.n());
        Self {
            number,
            x0,
            minima,
            objective: SumOfSquares::new(Box::new(problem)),
        }
    }

    /// `"<name> (MGH <number>)"`, e.g. `"Rosenbrock (MGH 1)"` (also what
    /// [`Objective::name`] returns; [`LeastSquares::name`] omits the number).
    pub fn name(&self) -> String {
        format!("{} (MGH {})", self.objective.problem().name(), self.number)
    }

    /// The problem's number in the paper (1–35).
    pub fn number(&self) -> u8 {
        self.number
    }

    /// The standard starting point `x0` (scaling factor 1).
    pub fn x0(&self) -> &[f64] {
        &self.x0
    }

    /// The starting point `factor · x0`; the paper also runs factors 10 and 100.
    ///
    /// # Errors
    /// [`Error::Hyperparameter`] if `factor` is not finite.
    pub fn starting_point(&self, factor: f64) -> Result<Vec<f64>, Error> {
        descent_core::validate::finite("MGH starting point", "scaling factor", factor)?;
        Ok(self.x0.iter().map(|v| factor * v).collect())
    }

    /// The published minima: the first is the one the paper lists first (the
    /// global minimum where known); others are further local minima or
    /// limits at infinity the paper mentions. Empty when the paper gives no
    /// value for this size.
    pub fn minima(&self) -> &[PublishedMinimum] {
        &self.minima
    }

    /// The residual map.
    pub fn least_squares(&self) -> &(dyn LeastSquares + Send + Sync) {
        self.objective.problem().as_ref()
    }
}

impl Objective for MghProblem {
    fn name(&self) -> String {
        MghProblem::name(self)
    }
    fn dim(&self) -> usize {
        self.objective.dim()
    }
    fn value(&mut self, x: &[f64]) -> f64 {
        self.objective.value(x)
    }
    fn gradient(&mut self, x: &[f64], grad: &mut [f64]) {
        self.objective.gradient(x, grad)
    }
    fn value_and_gradient(&mut self, x: &[f64], grad: &mut [f64]) -> f64 {
        self.objective.value_and_gradient(x, grad)
    }
    fn capabilities(&self) -> Capabilities {
        self.objective.capabilities()
    }
    fn hessian(&mut self, x: &[f64], hess: MatMut<'_, f64>) -> Result<(), Error> {
        self.objective.hessian(x, hess)
    }
    fn hessian_vector_product(
        &mut self,
        x: &[f64],
        v: &[f64],
        out: &mut [f64],
    ) -> Result<(), Error> {
        self.objective.hessian_vector_product(x, v, out)
    }
}

impl LeastSquares for MghProblem {
    fn name(&self) -> String {
        self.objective.problem().name()
    }
    fn n(&self) -> usize {
        self.objective.problem().n()
    }
    fn m(&self) -> usize {
        self.objective.problem().m()
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        self.objective.problem().residuals(x, r)
    }
    fn jacobian(&self, x: &[f64], jac: MatMut<'_, f64>) {
        self.objective.problem().jacobian(x, jac)
    }
    fn add_residual_hessians(&self, x: &[f64], weights: &[f64], h: MatMut<'_, f64>) {
        self.objective
            .problem()
            .add_residual_hessians(x, weights, h)
    }
}

/// The suite at the sizes most often used, in the paper's order:
///
/// 1–16 and 18 at their fixed sizes (6: m = 10; 11: m = 99; 12: m = 10;
/// 16: m = 20; 18: m = 13), Watson (20) with n = 6 and n = 9, extended
/// Rosenbrock (21) n = 10, extended Powell singular (22) n = 12, penalty I (23)
/// and penalty II (24) with n = 4 and n = 10, 25–31 with n = 10, the linear
/// functions 32–34 with n = 5, m = 10, and Chebyquad (35) with n = m = 8.
pub fn mgh_suite() -> Vec<MghProblem> {
    fn ok(p: Result<MghProblem, Error>) -> MghProblem {
        // The sizes below are all valid: a failure here is a bug in this list.
        p.unwrap_or_else(|e| panic!("mgh_suite: {e}"))
    }
    vec![
        rosenbrock(),
        freudenstein_roth(),
        powell_badly_scaled(),
        brown_badly_scaled(),
        beale(),
        ok(jennrich_sampson(10)),
        helical_valley(),
        bard(),
        gaussian(),
        meyer(),
        ok(gulf(99)),
        ok(box_3d(10)),
        powell_singular(),
        wood(),
        kowalik_osborne(),
        ok(brown_dennis(20)),
        ok(biggs_exp6(13)),
        ok(watson(6)),
        ok(watson(9)),
        ok(extended_rosenbrock(10)),
        ok(extended_powell_singular(12)),
        ok(penalty_i(4)),
        ok(penalty_i(10)),
        ok(penalty_ii(4)),
        ok(penalty_ii(10)),
        ok(variably_dimensioned(10)),
        ok(trigonometric(10)),
        ok(brown_almost_linear(10)),
        ok(discrete_boundary_value(10)),
        ok(discrete_integral_equation(10)),
        ok(broyden_tridiagonal(10)),
        ok(broyden_banded(10)),
        ok(linear_full_rank(5, 10)),
        ok(linear_rank_one(5, 10)),
        ok(linear_rank_one_zero_columns_rows(5, 10)),
        ok(chebyquad(8, 8)),
    ]
}

/// `Err` naming the problem and the rejected size.
pub(crate) fn size_error(problem: &str, message: String) -> Error {
    Error::invalid(problem.to_owned(), message)
}
