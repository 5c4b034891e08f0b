//! Test problems with exact derivatives, for measuring optimisers against
//! known answers.
//!
//! * [`Quadratic`]: `E(w) = ½ wᵀ A w + bᵀ w + c` in 1-D, diagonal, dense and
//!   rotated (Haar-random Q, prescribed eigenvalues or condition number), with
//!   the closed forms of the lecture: minimiser, minimum, per-direction
//!   `η_opt`, the stability limit `2/λ_max`, the condition number; evaluated
//!   as `½ (w − w*)ᵀ A (w − w*) + E*` whenever w* is known, so `E − E*` is
//!   resolved far below `ε‖w*‖²`; a diagonal A is applied in O(n).
//! * [`LeastSquares`] and [`SumOfSquares`]: residual maps with exact Jacobians
//!   and residual Hessians (what Gauss–Newton and Levenberg–Marquardt read), and
//!   the objective `f = Σ r_i²` built on them.
//! * [`mgh`]: the Moré–Garbow–Hillstrom (1981) unconstrained test set (33 of
//!   its 35 problems) with standard starting points and published minima;
//!   [`mgh::mgh_suite`] lists them.
//! * [`surfaces`]: non-convex 2-D surfaces (saddle, monkey saddle, tilted double
//!   well, Himmelblau, six-hump camel) with classified critical points.
//! * [`one_d`]: small exact 1-D functions (convex non-quadratic, double wells,
//!   a sharp and a wide minimum).
//!
//! Every problem implements [`descent_core::Objective`] with an analytic
//! gradient, dense Hessian and exact Hessian-vector product, states its formula
//! and known minimum in its doc comment, and is checked against central finite
//! differences in the tests.
//!
//! **Must not know:** optimisers, networks, schedules, data sets or reports.
//! It knows functions and their derivatives.

mod least_squares;
pub mod mgh;
pub mod one_d;
mod quadratic;
pub mod surfaces;

#[cfg(test)]
mod tests;

pub use least_squares::{LeastSquares, SumOfSquares};
pub use quadratic::{Quadratic, Structure, random_orthogonal};
