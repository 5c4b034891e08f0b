//! Second-order methods: Newton and its safeguards, Gauss–Newton and
//! Levenberg–Marquardt, quasi-Newton (BFGS, L-BFGS, SR1, DFP), diagonal
//! Hessian step sizes, Hessian-free Newton–CG, trust regions, spectrum tools
//! and a comparison harness.
//!
//! The lecture derives Newton's method as "rescale the axes so one step size
//! fits every direction" (`w ← w − η A⁻¹∇E`, one step when η = 1) and names its
//! problems: the Hessian is too large to form for a network, and it is not
//! positive definite on non-convex surfaces, so Newton heads for saddles and
//! maxima. This crate is that story:
//!
//! * [`Newton`] with an explicit [`IndefiniteHessian`] choice: fail, solve the
//!   indefinite system anyway, Levenberg–Marquardt damping, modified Cholesky,
//!   or saddle-free eigenvalue modification; optional Armijo line search.
//! * [`GaussNewton`], [`LevenbergMarquardt`] on [`descent_problems::LeastSquares`]
//!   residual maps; [`HessianFree::gauss_newton`] on any [`GaussNewtonProduct`].
//! * [`QuasiNewton`] (BFGS, DFP, SR1) and [`Lbfgs`], with the strong-Wolfe line
//!   search of `descent_gd::line_search`.
//! * [`DiagonalNewton`]: exact, Hutchinson or caller-supplied diagonal (e.g. a
//!   network's Becker–LeCun diagonal from descent-backprop) as per-parameter steps.
//! * [`HessianFree`]: truncated Newton–CG; [`TrustRegion`] with dogleg or
//!   CG–Steihaug ([`cg`] holds both CG solvers).
//! * [`spectrum`]: dense eigenvalues, Lanczos, power iteration, Hutchinson
//!   trace/diagonal, stochastic Lanczos quadrature, point classification and
//!   the second-order certificate.
//! * [`harness`]: methods × problems → a serde table.
//!
//! Every method is a [`descent_core::Optimizer`], states its
//! [`Requirements`](descent_core::Requirements), records its diagnostics and
//! never inverts a matrix: it solves. Every evaluation it makes is counted by
//! the evaluator, Gauss–Newton products and least-squares Jacobians included.
//! In every method's diagnostics, `backtracks` is the number of line-search
//! trial steps that were evaluated and rejected (0 when the first trial is
//! taken, and for methods without a line search).
//!
//! **Must not know:** networks, data sets, schedules, reports or files. It
//! sees objectives through `descent_core::Evaluator` and curvature through
//! operator products.

pub mod cg;
mod diagonal;
mod globalise;
pub mod harness;
mod hessian_free;
mod least_squares;
mod newton;
pub mod operator;
mod quasi_newton;
pub mod spectrum;
mod trust_region;

#[cfg(test)]
mod tests;

pub use diagonal::{DiagonalNewton, DiagonalSource};
pub use hessian_free::{Curvature, HessianFree};
pub use least_squares::{GaussNewton, LevenbergMarquardt};
pub use newton::{IndefiniteHessian, Newton};
pub use operator::{
    CountedGaussNewtonAt, DenseOperator, FnOperator, GaussNewtonAt, GaussNewtonProduct, HessianAt,
    SymmetricOperator,
};
pub use quasi_newton::{
    CURVATURE_EPSILON, CurvatureSafeguard, Lbfgs, QuasiNewton, QuasiNewtonUpdate,
    SR1_SKIP_THRESHOLD, bfgs_inverse_update, dfp_inverse_update, powell_damping_factor, sr1_update,
};
pub use trust_region::{ACCEPTANCE, Subproblem, TrustRegion};
