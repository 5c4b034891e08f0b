//! Backpropagation in the lecture's vector form, and the second-order
//! quantities built on it.
//!
//! * [`teaching_backprop`]: one sample, explicit Jacobians, every step recorded
//!   with its shapes ("∇_{z_2}Div 1×10 = ∇_{y_2}Div 1×10 · J_{y_2}(z_2) 10×10").
//! * [`Backprop`]: the fast path — the whole batch at once, no Jacobian formed,
//!   every product a faer matmul, buffers allocated once; also the exact
//!   Hessian-vector product by Pearlmutter's R-operator
//!   ([`Backprop::hessian_vector_product`]) and the generalised Gauss–Newton
//!   product ([`Backprop::gauss_newton_vector_product`], Schraudolph 2002), and
//!   Becker & LeCun's (1988) back-propagated diagonal Gauss–Newton
//!   approximation ([`Backprop::becker_lecun_diagonal`]).
//! * [`NetworkObjective`]: network + data + divergence as a
//!   `descent_core::Objective` (value, gradient, Hv, dense Hessian) with
//!   optional weight decay, full-batch or mini-batch (descent-data's
//!   `EpochSampler`), built from matrices or a descent-data `Dataset`.
//! * [`gradient_check`], [`dense_hessian`], [`curvature_eigenvalues`]: central
//!   differences and dense curvature for small networks.
//!
//! Both paths follow the lecture's recursion with gradients as row vectors:
//! `∇_{z_k}Div = ∇_{y_k}Div · J_{y_k}(z_k)`, `∇_{y_{k−1}}Div = ∇_{z_k}Div · W_k`,
//! `∇_{W_k}Div = y_{k−1} ∇_{z_k}Div` (stored in W_k's shape), `∇_{b_k}Div = ∇_{z_k}Div`.
//! Divergences are in descent-graph (see its crate doc for why).
//!
//! **Must not know:** optimisers, schedules, data files (descent-data reads
//! them), printing.

mod check;
mod fast;
mod metrics;
mod objective;
mod teaching;

#[cfg(test)]
mod tests;

pub use check::{GradientCheck, curvature_eigenvalues, dense_hessian, gradient_check};
pub use fast::Backprop;
pub use metrics::{accuracy, error_rate, predict_classes};
pub use objective::NetworkObjective;
pub use teaching::{
    TeachingStep, TeachingTrace, teaching_backprop, teaching_gradient,
    teaching_vector_jacobian_product,
};
