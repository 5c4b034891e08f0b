//! The network of descent: nodes, parameters as one flat vector, the batched
//! forward pass, the divergences, and the perceptron.
//!
//! * [`Network`]: a directed acyclic graph given as a node list in topological
//!   order (every [`Node`] reads earlier nodes by index): the input, affine maps
//!   `z = W y + b` with `W ∈ ℝ^{dim(z) × dim(y)}` as in the lecture,
//!   [`Activation`]s (identity, sigmoid, tanh, ReLU, leaky ReLU, softplus,
//!   softmax with its full Jacobian `diag(y) − y yᵀ`, threshold), and sums (skip
//!   connections). [`NetworkBuilder`] builds any such graph; [`Network::mlp`] the
//!   chain `sizes = [784, 256, 256, 10]`. Every dimension is checked once, at
//!   construction, with errors naming the layer and both sizes.
//! * Parameters: one flat vector `w` (second-order methods work on `w`) with
//!   named views [`LayerLayout::weights`] (`W_k`) and [`LayerLayout::bias`]
//!   (`b_k`). Flattening order: layers k = 1, 2, …; per layer `W_k`
//!   column-major, then `b_k`. Seeded initialisations: [`Init`].
//! * [`Workspace`] + [`Network::forward`]: **samples are columns** — a batch is
//!   `X ∈ ℝ^{D_0 × B}` and every node keeps its value `Z_k`/`Y_k ∈ ℝ^{D_k × B}`
//!   for the backward pass, in buffers allocated once per batch capacity.
//! * [`Divergence`]: L2, softmax + cross-entropy / KL, sigmoid + BCE, each with
//!   value, gradient and Hessian with respect to the output.
//! * [`Perceptron`]: threshold units and Rosenblatt's rule, which needs no gradient.
//!
//! **Why the divergences live here and not in descent-backprop:** a divergence
//! is a function of the network's output and the target; evaluating a network
//! (the loss on a test set, a classifier's error, the perceptron comparison)
//! needs it without any backward pass. Its derivatives with respect to the
//! output (`∇_y Div`, `∇²_y Div`) are closed forms local to it, as an
//! activation's Jacobian is local to the activation; descent-backprop chains
//! them through the graph.
//!
//! **Must not know:** gradients with respect to parameters (descent-backprop),
//! optimisers, data files, printing.

mod activation;
mod divergence;
mod forward;
mod interop;
mod network;
mod perceptron;

#[cfg(test)]
mod tests;

pub use activation::{Activation, normal_cdf, normal_pdf, sigmoid, softplus, tanh};
pub use divergence::{Divergence, log_sum_exp};
pub use forward::Workspace;
pub use interop::Tensor;
pub use network::{
    Init, LayerLayout, LayerWeights, MAX_PARAMS, MAX_UNITS, Network, NetworkBuilder, Node,
};
pub use perceptron::{Perceptron, PerceptronRun};
