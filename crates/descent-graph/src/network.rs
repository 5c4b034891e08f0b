//! The network: a list of nodes in topological order, its parameter layout
//! (one flat vector `w`) and its initialisations.

use descent_core::Error;
use descent_linalg::{MatMut, MatRef, Op, Shape, check_shapes};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal, Uniform};
use serde::{Deserialize, Serialize};

use crate::activation::{Activation, threshold_error};

/// One node of the graph. Inputs are indices of earlier nodes, so the node
/// list is a topological order of a directed acyclic graph.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Node {
    /// The network input `y_0 = x` (always node 0).
    Input {
        /// `dim(x)`.
        dim: usize,
    },
    /// The affine map `z = W y + b`, `W` of shape `dim(z) × dim(y)` as in the lecture.
    Affine {
        /// The node `y` it reads.
        input: usize,
        /// `dim(y)`, W's column count.
        in_dim: usize,
        /// `dim(z)`, W's row count.
        dim: usize,
        /// The layer number k (1-based, counting affine nodes): the parameters are `W_k`, `b_k`.
        layer: usize,
        /// Offset of `W_k` in the flat parameter vector; `b_k` follows at `offset + dim·in_dim`.
        offset: usize,
    },
    /// An activation `y = f(z)`.
    Activation {
        /// The node `z` it reads.
        input: usize,
        /// `f`.
        activation: Activation,
        /// `dim(y) = dim(z)`.
        dim: usize,
    },
    /// The sum `y = Σ_i u_i` of equally sized nodes (skip connections).
    Sum {
        /// The nodes added (at least two).
        inputs: Vec<usize>,
        /// Their common dimension.
        dim: usize,
    },
}

impl Node {
    /// The dimension of the node's value.
    pub fn dim(&self) -> usize {
        match self {
            Node::Input { dim }
            | Node::Affine { dim, .. }
            | Node::Activation { dim, .. }
            | Node::Sum { dim, .. } => *dim,
        }
    }
    /// The nodes it reads.
    pub fn inputs(&self) -> &[usize] {
        match self {
            Node::Input { .. } => &[],
            Node::Affine { input, .. } | Node::Activation { input, .. } => {
                std::slice::from_ref(input)
            }
            Node::Sum { inputs, .. } => inputs,
        }
    }
}

/// Where layer k's parameters live in the flat vector `w`.
///
/// **Flattening order:** layers in order k = 1, 2, …; within a layer first
/// `W_k` in column-major order (`W_k[i, j]` at `w_offset + i + j·rows`), then `b_k`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayerLayout {
    /// k (1-based).
    pub layer: usize,
    /// The affine node's index.
    pub node: usize,
    /// `dim(z_k)`: rows of `W_k`, length of `b_k`.
    pub rows: usize,
    /// `dim(y_{k−1})`: columns of `W_k`.
    pub cols: usize,
    /// Offset of `W_k` in `w`.
    pub w_offset: usize,
    /// Offset of `b_k` in `w` (`w_offset + rows·cols`).
    pub b_offset: usize,
}

impl LayerLayout {
    /// `W_k` as a `rows × cols` view into `w`.
    ///
    /// # Panics
    /// If `w` is shorter than the layer's end (`b_offset + rows`): a vector
    /// not of [`Network::n_params`] length. Check it with
    /// [`Network::check_params`] at the boundary.
    #[track_caller]
    pub fn weights<'a>(&self, w: &'a [f64]) -> MatRef<'a, f64> {
        self.check_length(w.len());
        MatRef::from_column_major_slice(&w[self.w_offset..self.b_offset], self.rows, self.cols)
    }
    #[track_caller]
    fn check_length(&self, len: usize) {
        let end = self.b_offset.saturating_add(self.rows);
        assert!(
            len >= end,
            "layer {}: the parameter vector has {len} entries, the layer ends at {end}",
            self.layer
        );
    }
    /// `W_k` as a mutable view into `w`.
    ///
    /// # Panics
    /// As [`LayerLayout::weights`].
    #[track_caller]
    pub fn weights_mut<'a>(&self, w: &'a mut [f64]) -> MatMut<'a, f64> {
        self.check_length(w.len());
        MatMut::from_column_major_slice_mut(
            &mut w[self.w_offset..self.b_offset],
            self.rows,
            self.cols,
        )
    }
    /// `b_k` as a slice of `w`.
    ///
    /// # Panics
    /// As [`LayerLayout::weights`].
    #[track_caller]
    pub fn bias<'a>(&self, w: &'a [f64]) -> &'a [f64] {
        self.check_length(w.len());
        &w[self.b_offset..self.b_offset + self.rows]
    }
    /// `b_k` as a mutable slice of `w`.
    ///
    /// # Panics
    /// As [`LayerLayout::weights`].
    #[track_caller]
    pub fn bias_mut<'a>(&self, w: &'a mut [f64]) -> &'a mut [f64] {
        self.check_length(w.len());
        &mut w[self.b_offset..self.b_offset + self.rows]
    }
    /// The number of parameters of the layer, `rows·cols + rows` (saturating;
    /// a layout of a built network is within [`MAX_PARAMS`]).
    pub fn n_params(&self) -> usize {
        self.rows
            .saturating_mul(self.cols)
            .saturating_add(self.rows)
    }
}

/// How to draw the initial parameters. Fan-in `n_in = dim(y_{k−1})`, fan-out `n_out = dim(z_k)`.
/// Biases start at 0 except under [`Init::Uniform`], which draws them too.
///
/// References: Glorot & Bengio (2010), He et al. (2015), LeCun et al. (1998, "Efficient BackProp").
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Init {
    /// All parameters 0 (every hidden unit then computes the same function: the symmetry problem).
    Zero,
    /// Every weight and bias `~ U(−a, a)`.
    Uniform {
        /// Half-width a > 0.
        a: f64,
    },
    /// Glorot/Xavier uniform: `W ~ U(−r, r)`, `r = √(6 / (n_in + n_out))`.
    GlorotUniform,
    /// Glorot/Xavier normal: `W ~ N(0, 2 / (n_in + n_out))`.
    GlorotNormal,
    /// He (Kaiming) normal, for ReLU: `W ~ N(0, 2 / n_in)`.
    He,
    /// LeCun normal, for tanh/SELU: `W ~ N(0, 1 / n_in)`.
    LeCun,
}

impl Init {
    /// The scheme's name ("glorot_uniform", …).
    pub fn name(&self) -> String {
        match self {
            Init::Zero => "zero".into(),
            Init::Uniform { a } => format!("uniform({a})"),
            Init::GlorotUniform => "glorot_uniform".into(),
            Init::GlorotNormal => "glorot_normal".into(),
            Init::He => "he".into(),
            Init::LeCun => "lecun".into(),
        }
    }
}

/// One layer given by its weights, for [`Network::mlp_from_weights`].
#[derive(Debug, Clone, Copy)]
pub struct LayerWeights<'a> {
    /// `W_k`, `dim(z_k) × dim(y_{k−1})`.
    pub weights: MatRef<'a, f64>,
    /// `b_k`, length `dim(z_k)`.
    pub bias: &'a [f64],
    /// The activation applied to `z_k`.
    pub activation: Activation,
}

/// A feed-forward network: nodes in topological order, the last one is the output.
///
/// Built by [`NetworkBuilder`] (any DAG of affine, activation and sum nodes) or
/// [`Network::mlp`] (the common chain `z_k = W_k y_{k−1} + b_k`, `y_k = f_k(z_k)`).
/// Every dimension is checked at construction; afterwards shapes are invariants.
/// The network owns no parameters: they live in a flat vector `w` of length
/// [`Network::n_params`] laid out as [`LayerLayout`] says.
///
/// Deserialisation goes through the same validation as [`NetworkBuilder`]: the
/// nodes are rebuilt one by one (dimensions, node references, parameter offsets),
/// and a stored layout or parameter count must agree with the rebuilt one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "NetworkSpec")]
pub struct Network {
    nodes: Vec<Node>,
    layers: Vec<LayerLayout>,
    n_params: usize,
}

/// The serialised form of a [`Network`], validated by rebuilding it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NetworkSpec {
    nodes: Vec<Node>,
    #[serde(default)]
    layers: Option<Vec<LayerLayout>>,
    #[serde(default)]
    n_params: Option<usize>,
}

impl TryFrom<NetworkSpec> for Network {
    type Error = Error;

    fn try_from(spec: NetworkSpec) -> Result<Self, Error> {
        const CTX: &str = "network (deserialised)";
        let input_dim = match spec.nodes.first() {
            Some(Node::Input { dim }) => *dim,
            other => {
                return Err(Error::invalid(
                    CTX,
                    format!("node 0 must be the input, got {other:?}"),
                ));
            }
        };
        let mut b = NetworkBuilder::new(input_dim)?;
        for (i, node) in spec.nodes.iter().enumerate().skip(1) {
            match node {
                Node::Input { .. } => {
                    return Err(Error::invalid(
                        CTX,
                        format!("node {i} is an input; only node 0 may be"),
                    ));
                }
                Node::Affine { input, dim, .. } => b.affine(*input, *dim)?,
                Node::Activation {
                    input, activation, ..
                } => b.activation(*input, *activation)?,
                Node::Sum { inputs, .. } => b.sum(inputs)?,
            };
            if b.nodes[i] != *node {
                return Err(Error::invalid(
                    CTX,
                    format!(
                        "node {i} is {node:?}, but its inputs make it {:?}",
                        b.nodes[i]
                    ),
                ));
            }
        }
        let net = b.build()?;
        if let Some(n) = spec.n_params {
            if n != net.n_params {
                return Err(Error::invalid(
                    CTX,
                    format!("n_params is {n}, but the nodes have {}", net.n_params),
                ));
            }
        }
        if let Some(layers) = spec.layers {
            if layers != net.layers {
                return Err(Error::invalid(
                    CTX,
                    format!(
                        "the stored layer layout {layers:?} differs from the nodes' {:?}",
                        net.layers
                    ),
                ));
            }
        }
        Ok(net)
    }
}

/// Builds a [`Network`] node by node; each method validates its operands and
/// returns the new node's index.
#[derive(Debug, Clone)]
pub struct NetworkBuilder {
    nodes: Vec<Node>,
    n_params: usize,
    n_layers: usize,
}

const BUILD: &str = "network";

/// The most parameters a network may have: 2²⁸ ≈ 2.7·10⁸ (2 GiB of `f64`).
/// Larger networks are refused at construction with the count they would
/// need, instead of aborting the process at the first allocation.
pub const MAX_PARAMS: usize = 1 << 28;

/// The most units a node may have: 2²⁴ ≈ 1.7·10⁷ (one sample's value of such
/// a node is 128 MiB).
pub const MAX_UNITS: usize = 1 << 24;

/// Refuse a node width above [`MAX_UNITS`].
fn check_units(what: &str, units: usize) -> Result<(), Error> {
    if units > MAX_UNITS {
        return Err(Error::invalid(
            format!("{BUILD}: {what}"),
            format!("{units} units exceed the limit of {MAX_UNITS} units per node"),
        ));
    }
    Ok(())
}

impl NetworkBuilder {
    /// A graph with the input node 0 of dimension `input_dim`.
    ///
    /// # Errors
    /// If `input_dim == 0` or above [`MAX_UNITS`].
    pub fn new(input_dim: usize) -> Result<Self, Error> {
        if input_dim == 0 {
            return Err(Error::invalid(
                BUILD,
                "the input dimension must be ≥ 1, got 0",
            ));
        }
        check_units("input", input_dim)?;
        Ok(Self {
            nodes: vec![Node::Input { dim: input_dim }],
            n_params: 0,
            n_layers: 0,
        })
    }

    fn check_node(&self, what: &str, input: usize) -> Result<usize, Error> {
        match self.nodes.get(input) {
            Some(n) => Ok(n.dim()),
            None => Err(Error::invalid(
                BUILD,
                format!(
                    "{what} reads node {input}, but only nodes 0..{} exist (inputs must come earlier: \
                     the node list is a topological order)",
                    self.nodes.len()
                ),
            )),
        }
    }

    /// Add `z = W y + b` with `dim(z) = out_dim`, reading node `input`.
    ///
    /// # Errors
    /// If `input` is not an existing node, `out_dim == 0` or above
    /// [`MAX_UNITS`], or the network's parameter count (computed with checked
    /// arithmetic, `out·in + out` per layer) would exceed [`MAX_PARAMS`].
    pub fn affine(&mut self, input: usize, out_dim: usize) -> Result<usize, Error> {
        let layer = self.n_layers + 1;
        let in_dim = self.check_node(&format!("layer {layer}"), input)?;
        if out_dim == 0 {
            return Err(Error::invalid(
                format!("{BUILD}: layer {layer}"),
                "the output dimension must be ≥ 1, got 0",
            ));
        }
        check_units(&format!("layer {layer}"), out_dim)?;
        let total = out_dim
            .checked_mul(in_dim)
            .and_then(|p| p.checked_add(out_dim))
            .and_then(|p| p.checked_add(self.n_params))
            .filter(|&p| p <= MAX_PARAMS);
        let Some(total) = total else {
            return Err(Error::invalid(
                format!("{BUILD}: layer {layer}"),
                format!(
                    "W is {out_dim}×{in_dim} plus {out_dim} biases: the network would need {} \
                     parameters, above the limit of {MAX_PARAMS}",
                    (out_dim as u128) * (in_dim as u128) + out_dim as u128 + self.n_params as u128
                ),
            ));
        };
        self.nodes.push(Node::Affine {
            input,
            in_dim,
            dim: out_dim,
            layer,
            offset: self.n_params,
        });
        self.n_params = total;
        self.n_layers = layer;
        Ok(self.nodes.len() - 1)
    }

    /// Add `y = f(z)` reading node `input`.
    ///
    /// # Errors
    /// If `input` is not an existing node, or a leaky ReLU's or ELU's `α` is not finite.
    pub fn activation(&mut self, input: usize, activation: Activation) -> Result<usize, Error> {
        activation.validated()?;
        let dim = self.check_node(&format!("{} activation", activation.name()), input)?;
        self.nodes.push(Node::Activation {
            input,
            activation,
            dim,
        });
        Ok(self.nodes.len() - 1)
    }

    /// Add `y = Σ u_i` over the nodes `inputs` (a skip connection).
    ///
    /// # Errors
    /// Fewer than two inputs, an unknown node, or dimensions that differ
    /// ("sum node 5: elementwise: left operand is 4×1, right operand is 3×1").
    pub fn sum(&mut self, inputs: &[usize]) -> Result<usize, Error> {
        let index = self.nodes.len();
        if inputs.len() < 2 {
            return Err(Error::invalid(
                format!("{BUILD}: sum node {index}"),
                format!("needs at least two inputs, got {}", inputs.len()),
            ));
        }
        let dim = self.check_node(&format!("sum node {index}"), inputs[0])?;
        for &i in &inputs[1..] {
            let d = self.check_node(&format!("sum node {index}"), i)?;
            check_shapes(Op::Elementwise, Shape::col(dim), Shape::col(d)).map_err(|e| {
                Error::invalid(
                    format!("{BUILD}: sum node {index}"),
                    format!(
                        "node {} has {dim} features but node {i} has {d} ({e})",
                        inputs[0]
                    ),
                )
            })?;
        }
        self.nodes.push(Node::Sum {
            inputs: inputs.to_vec(),
            dim,
        });
        Ok(index)
    }

    /// Finish: the last node is the output.
    ///
    /// # Errors
    /// If the graph has no node besides the input, or a node other than the
    /// output feeds nothing (it could not influence the loss).
    pub fn build(self) -> Result<Network, Error> {
        if self.nodes.len() < 2 {
            return Err(Error::invalid(
                BUILD,
                "the network has no node besides its input",
            ));
        }
        let mut used = vec![false; self.nodes.len()];
        for node in &self.nodes {
            for &i in node.inputs() {
                used[i] = true;
            }
        }
        if let Some(i) = (0..self.nodes.len() - 1).find(|&i| !used[i]) {
            return Err(Error::invalid(
                BUILD,
                format!(
                    "node {i} feeds no other node, so it cannot influence the output (node {})",
                    self.nodes.len() - 1
                ),
            ));
        }
        let layers = self
            .nodes
            .iter()
            .enumerate()
            .filter_map(|(node, n)| match *n {
                Node::Affine {
                    in_dim,
                    dim,
                    layer,
                    offset,
                    ..
                } => Some(LayerLayout {
                    layer,
                    node,
                    rows: dim,
                    cols: in_dim,
                    w_offset: offset,
                    b_offset: offset + dim * in_dim,
                }),
                _ => None,
            })
            .collect();
        Ok(Network {
            nodes: self.nodes,
            layers,
            n_params: self.n_params,
        })
    }
}

impl Network {
    /// The multilayer perceptron with layer widths `sizes = [D_0, D_1, …, D_N]` and
    /// activation `activations[k−1]` after layer k: `z_k = W_k y_{k−1} + b_k`, `y_k = f_k(z_k)`,
    /// `W_k ∈ ℝ^{D_k × D_{k−1}}`.
    ///
    /// Use [`Activation::Identity`] on the last layer when the divergence takes
    /// logits (softmax + cross-entropy, sigmoid + BCE).
    ///
    /// # Errors
    /// Fewer than two sizes, a zero size, `activations.len() != sizes.len() − 1`, or a
    /// leaky ReLU whose `α` is not finite.
    pub fn mlp(sizes: &[usize], activations: &[Activation]) -> Result<Self, Error> {
        if sizes.len() < 2 {
            return Err(Error::invalid(
                "mlp",
                format!("needs at least two sizes (input and output), got {sizes:?}"),
            ));
        }
        if activations.len() != sizes.len() - 1 {
            return Err(Error::invalid(
                "mlp",
                format!(
                    "sizes {sizes:?} describe {} layers but {} activations were given",
                    sizes.len() - 1,
                    activations.len()
                ),
            ));
        }
        if let Some(k) = sizes.iter().position(|&s| s == 0) {
            return Err(Error::invalid(
                "mlp",
                format!("size {k} is 0 in {sizes:?}; every layer needs ≥ 1 unit"),
            ));
        }
        let mut b = NetworkBuilder::new(sizes[0])?;
        let mut last = 0;
        for (k, act) in activations.iter().enumerate() {
            last = b.affine(last, sizes[k + 1])?;
            if *act != Activation::Identity {
                last = b.activation(last, *act)?;
            }
        }
        b.build()
    }

    /// An MLP from given weights, returning the network and its flat parameter vector.
    ///
    /// Checks the lecture's dimensionality rule at every layer: `W_k` must have
    /// `dim(y_{k−1})` columns and `b_k` must have `W_k`'s row count, and all entries must be finite.
    ///
    /// # Errors
    /// "layer 2: W is 3×5 but the input has 4 features (matvec: matrix is 3×5, column vector is 4×1)";
    /// likewise for the bias, an empty layer list, or a non-finite entry.
    pub fn mlp_from_weights(
        input_dim: usize,
        layers: &[LayerWeights<'_>],
    ) -> Result<(Self, Vec<f64>), Error> {
        if layers.is_empty() {
            return Err(Error::invalid("mlp_from_weights", "no layers given"));
        }
        let mut sizes = vec![input_dim];
        for (i, l) in layers.iter().enumerate() {
            let k = i + 1;
            let prev = sizes[i];
            let ws = Shape::of(l.weights);
            check_shapes(Op::MatVec, ws, Shape::col(prev)).map_err(|e| {
                Error::invalid(
                    format!("layer {k}"),
                    format!("W is {ws} but the input has {prev} features ({e})"),
                )
            })?;
            check_shapes(
                Op::Elementwise,
                Shape::col(ws.rows),
                Shape::col(l.bias.len()),
            )
            .map_err(|e| {
                Error::invalid(
                    format!("layer {k}"),
                    format!(
                        "W is {ws} but b has {} entries ({})",
                        l.bias.len(),
                        e.in_context("bias")
                    ),
                )
            })?;
            for j in 0..ws.cols {
                for r in 0..ws.rows {
                    let v = l.weights[(r, j)];
                    if !v.is_finite() {
                        return Err(Error::invalid(
                            format!("layer {k}"),
                            format!("W[{r},{j}] is {v}, not finite"),
                        ));
                    }
                }
            }
            if let Some(r) = l.bias.iter().position(|v| !v.is_finite()) {
                return Err(Error::invalid(
                    format!("layer {k}"),
                    format!("b[{r}] is {}, not finite", l.bias[r]),
                ));
            }
            sizes.push(ws.rows);
        }
        let acts: Vec<Activation> = layers.iter().map(|l| l.activation).collect();
        let net = Self::mlp(&sizes, &acts)?;
        let mut w = vec![0.0; net.n_params()];
        for (layout, l) in net.layers.iter().zip(layers) {
            layout.weights_mut(&mut w).copy_from(l.weights);
            layout.bias_mut(&mut w).copy_from_slice(l.bias);
        }
        Ok((net, w))
    }

    /// The nodes, in topological order.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }
    /// The parameter layout of each layer k = 1, 2, … (index k − 1).
    pub fn layers(&self) -> &[LayerLayout] {
        &self.layers
    }
    /// The number of parameters n = Σ_k (D_k D_{k−1} + D_k).
    pub fn n_params(&self) -> usize {
        self.n_params
    }
    /// `dim(x)`.
    pub fn input_dim(&self) -> usize {
        self.nodes[0].dim()
    }
    /// `dim(y_N)`, the output node's dimension.
    pub fn output_dim(&self) -> usize {
        self.nodes[self.nodes.len() - 1].dim()
    }
    /// The output node's index.
    pub fn output_node(&self) -> usize {
        self.nodes.len() - 1
    }

    /// `Ok` if a gradient can flow through every node.
    ///
    /// # Errors
    /// Names the first threshold node and explains why backpropagation cannot use it.
    pub fn check_differentiable(&self) -> Result<(), Error> {
        for (i, n) in self.nodes.iter().enumerate() {
            if let Node::Activation { activation, .. } = n
                && !activation.is_differentiable()
            {
                return Err(threshold_error(format!(
                    "backpropagation through node {i} ({})",
                    self.node_label(i)
                )));
            }
        }
        Ok(())
    }

    /// The lecture's name of node i's value: `y_0` for the input, `z_k` for layer k's
    /// affine node, `y_k` for the activation reading `z_k`, `u_i` otherwise.
    pub fn node_label(&self, i: usize) -> String {
        match &self.nodes[i] {
            Node::Input { .. } => "y_0".into(),
            Node::Affine { layer, .. } => format!("z_{layer}"),
            Node::Activation { input, .. } => match self.nodes[*input] {
                Node::Affine { layer, .. } => format!("y_{layer}"),
                _ => format!("u_{i}"),
            },
            Node::Sum { .. } => format!("u_{i}"),
        }
    }

    /// The name of parameter `index` of `w`: `"W_2[3,1]"` or `"b_1[0]"`.
    ///
    /// # Panics
    /// If `index ≥ n_params()`.
    pub fn param_name(&self, index: usize) -> String {
        assert!(
            index < self.n_params,
            "parameter {index} of {}",
            self.n_params
        );
        let l = self
            .layers
            .iter()
            .rfind(|l| l.w_offset <= index)
            .expect("layer 1 starts at 0");
        if index < l.b_offset {
            let r = index - l.w_offset;
            format!("W_{}[{},{}]", l.layer, r % l.rows, r / l.rows)
        } else {
            format!("b_{}[{}]", l.layer, index - l.b_offset)
        }
    }

    /// Check that `w` has length `n_params()` and finite entries.
    ///
    /// # Errors
    /// Naming the length or the first non-finite entry by its parameter name.
    pub fn check_params(&self, w: &[f64]) -> Result<(), Error> {
        if w.len() != self.n_params {
            return Err(Error::invalid(
                "network parameters",
                format!(
                    "w has {} entries but the network has {} parameters",
                    w.len(),
                    self.n_params
                ),
            ));
        }
        if let Some(i) = w.iter().position(|v| !v.is_finite()) {
            return Err(Error::invalid(
                "network parameters",
                format!("{} = {} is not finite", self.param_name(i), w[i]),
            ));
        }
        Ok(())
    }

    /// A fresh parameter vector drawn by `init` from `ChaCha8Rng::seed_from_u64(seed)`,
    /// layers in order, each `W_k` in its column-major order, then `b_k`.
    ///
    /// # Errors
    /// If `Init::Uniform { a }` has `a` not finite and > 0, or so large that `2a`
    /// overflows (no uniform distribution on `[−a, a]` exists in f64).
    pub fn init(&self, init: Init, seed: u64) -> Result<Vec<f64>, Error> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut w = vec![0.0; self.n_params];
        for l in &self.layers {
            let (fan_in, fan_out) = (l.cols as f64, l.rows as f64);
            let weights = &mut w[l.w_offset..l.b_offset];
            match init {
                Init::Zero => {}
                Init::Uniform { a } => {
                    descent_core::validate::positive("uniform initialisation", "a", a)?;
                    // rand samples low + (high − low)·u, so 2a must be finite too
                    let u = Uniform::new_inclusive(-a, a).map_err(|e| {
                        Error::invalid(
                            "uniform initialisation",
                            format!("a = {a:e} gives no uniform distribution on [−a, a] ({e})"),
                        )
                    })?;
                    for v in w[l.w_offset..l.b_offset + l.rows].iter_mut() {
                        *v = u.sample(&mut rng);
                    }
                }
                Init::GlorotUniform => {
                    let r = (6.0 / (fan_in + fan_out)).sqrt();
                    let u = Uniform::new_inclusive(-r, r).expect("r > 0");
                    weights.iter_mut().for_each(|v| *v = u.sample(&mut rng));
                }
                Init::GlorotNormal | Init::He | Init::LeCun => {
                    let var = match init {
                        Init::GlorotNormal => 2.0 / (fan_in + fan_out),
                        Init::He => 2.0 / fan_in,
                        _ => 1.0 / fan_in,
                    };
                    let n = Normal::new(0.0, var.sqrt()).expect("variance > 0");
                    weights.iter_mut().for_each(|v| *v = n.sample(&mut rng));
                }
            }
        }
        Ok(w)
    }
}
