//! The fast path: the whole batch at once, no Jacobian materialised, every
//! product a faer matmul through descent-linalg, buffers allocated once.
//!
//! **Layout.** As in descent-graph, samples are columns. The gradient with
//! respect to node i is stored as the `D_i × B` matrix `G_i` whose column b is
//! sample b's row vector `∇_{y_i}Div` transposed; so the lecture's
//! `∇_{y_{k−1}}Div = ∇_{z_k}Div · W_k` becomes `G_{k−1} = W_kᵀ G_k` for the batch,
//! and `∇_{W_k}Div = y_{k−1}∇_{z_k}Div`, stored in W's shape, becomes
//! `G_k Y_{k−1}ᵀ` summed over the batch.
//!
//! The R-operator (Pearlmutter 1994) differentiates every line of the forward
//! and backward pass along a direction v: `R{·} = d/dr (·)(w + r v)|_{r=0}`. Its
//! result `R{∇_w L} = H v` is exact (no finite differences).

use descent_core::Error;
use descent_graph::{
    Activation, Divergence, LayerLayout, Network, Node, Workspace, log_sum_exp, sigmoid,
};
use descent_linalg::{MatMut, MatRef, matmul, matmul_add};

/// Buffers for forward, backward and R passes over batches of up to `capacity` samples.
///
/// Build once per network and batch capacity; every evaluation after that is allocation-free.
#[derive(Debug, Clone)]
pub struct Backprop {
    forward: Workspace,
    dims: Vec<usize>,
    targets: Vec<f64>,
    grads: Vec<Vec<f64>>,
    written: Vec<bool>,
    r_values: Vec<Vec<f64>>,
    r_grads: Vec<Vec<f64>>,
    r_written: Vec<bool>,
    w_squared: Vec<f64>,
}

fn mat(buf: &[f64], rows: usize, cols: usize) -> MatRef<'_, f64> {
    MatRef::from_column_major_slice(&buf[..rows * cols], rows, cols)
}

fn mat_mut(buf: &mut [f64], rows: usize, cols: usize) -> MatMut<'_, f64> {
    MatMut::from_column_major_slice_mut(&mut buf[..rows * cols], rows, cols)
}

fn layout_of(net: &Network, node: usize) -> &LayerLayout {
    net.layers()
        .iter()
        .find(|l| l.node == node)
        .expect("affine node has a layout")
}

/// `db ← G 1` (row sums of the `D × B` matrix G), or `db ← db + G 1`.
fn row_sums(g: &[f64], d: usize, db: &mut [f64], accumulate: bool) {
    if !accumulate {
        db.fill(0.0);
    }
    for col in g.chunks_exact(d) {
        for (s, v) in db.iter_mut().zip(col) {
            *s += v;
        }
    }
}

/// `C ← A B` or `C ← C + A B`.
fn product(accumulate: bool, c: MatMut<'_, f64>, a: MatRef<'_, f64>, b: MatRef<'_, f64>) {
    if accumulate {
        matmul_add(1.0, c, a, b);
    } else {
        matmul(c, a, b);
    }
}

/// `dst ← src` or `dst ← dst + src`: the first reader of a node writes its
/// gradient buffer, later readers (skip connections) add to it.
fn copy_or_add(accumulate: bool, dst: &mut [f64], src: &[f64]) {
    if accumulate {
        for (o, v) in dst.iter_mut().zip(src) {
            *o += v;
        }
    } else {
        dst.copy_from_slice(src);
    }
}

/// Split `bufs` into node `input`'s buffer (mutable) and node `i`'s (shared); `input < i`.
fn pair(bufs: &mut [Vec<f64>], input: usize, i: usize) -> (&mut Vec<f64>, &Vec<f64>) {
    let (lo, hi) = bufs.split_at_mut(i);
    (&mut lo[input], &hi[0])
}

/// `G_z (+)= G_y · J_y(z)` for one activation node, column by column:
/// element-wise `g_z = g_y ⊙ f'(z)`, softmax `g_z = y ⊙ (g_y − (yᵀ g_y) 1)`.
fn activation_backward(
    act: Activation,
    z: &[f64],
    y: &[f64],
    gy: &[f64],
    gz: &mut [f64],
    d: usize,
    acc: bool,
) {
    let put = |o: &mut f64, v: f64| if acc { *o += v } else { *o = v };
    match act {
        Activation::Softmax => {
            for (((yc, gyc), gzc), _) in y
                .chunks_exact(d)
                .zip(gy.chunks_exact(d))
                .zip(gz.chunks_exact_mut(d))
                .zip(0..)
            {
                let c: f64 = yc.iter().zip(gyc).map(|(a, b)| a * b).sum();
                for ((o, yi), gi) in gzc.iter_mut().zip(yc).zip(gyc) {
                    put(o, yi * (gi - c));
                }
            }
        }
        Activation::Tanh => {
            for ((o, yi), gi) in gz.iter_mut().zip(y).zip(gy) {
                put(o, gi * (1.0 - yi * yi));
            }
        }
        Activation::Sigmoid => {
            for ((o, yi), gi) in gz.iter_mut().zip(y).zip(gy) {
                put(o, gi * yi * (1.0 - yi));
            }
        }
        _ => {
            for (((o, zi), yi), gi) in gz.iter_mut().zip(z).zip(y).zip(gy) {
                put(o, gi * act.derivative(*zi, *yi));
            }
        }
    }
}

/// The reverse sweep, seeded with `G_out` already in `grads[out]` (`written[out] = true`,
/// all others false). Fills `param_grad` with `∇_w` (if given) and leaves `G_i` in `grads`;
/// `G_0`, the gradient with respect to the input, only if `input_gradient`
/// (an affine first layer otherwise skips the product `W_1ᵀ G_1`).
fn backward(
    net: &Network,
    w: &[f64],
    fwd: &Workspace,
    grads: &mut [Vec<f64>],
    written: &mut [bool],
    mut param_grad: Option<&mut [f64]>,
    input_gradient: bool,
) {
    let b = fwd.batch();
    for (i, node) in net.nodes().iter().enumerate().skip(1).rev() {
        let d = node.dim();
        match node {
            Node::Input { .. } => unreachable!("only node 0 is the input"),
            Node::Activation {
                input, activation, ..
            } => {
                // ∇_{z_k}Div = ∇_{y_k}Div · J_{y_k}(z_k)
                let acc = written[*input];
                let (gz, gy) = pair(grads, *input, i);
                let z = fwd.value_slice(*input);
                let y = fwd.value_slice(i);
                activation_backward(*activation, z, y, &gy[..d * b], &mut gz[..d * b], d, acc);
                written[*input] = true;
            }
            Node::Affine { input, in_dim, .. } => {
                let layout = layout_of(net, i);
                if let Some(pg) = param_grad.as_deref_mut() {
                    let gz = mat(&grads[i], d, b);
                    // ∇_{W_k}Div = y_{k−1} ∇_{z_k}Div, in W's shape: Σ_batch G_k Y_{k−1}ᵀ
                    matmul(layout.weights_mut(pg), gz, fwd.value(*input).transpose());
                    // ∇_{b_k}Div = ∇_{z_k}Div, summed over the batch
                    row_sums(&grads[i][..d * b], d, layout.bias_mut(pg), false);
                }
                if *input != 0 || input_gradient {
                    // ∇_{y_{k−1}}Div = ∇_{z_k}Div · W_k, for the batch G_{k−1} = W_kᵀ G_k
                    let acc = written[*input];
                    let (gin, gz) = pair(grads, *input, i);
                    product(
                        acc,
                        mat_mut(gin, *in_dim, b),
                        layout.weights(w).transpose(),
                        mat(gz, d, b),
                    );
                    written[*input] = true;
                }
            }
            Node::Sum { inputs, .. } => {
                // y = Σ u_j  ⇒  ∇_{u_j}Div = ∇_y Div
                for &u in inputs {
                    let acc = written[u];
                    let (gu, gy) = pair(grads, u, i);
                    copy_or_add(acc, &mut gu[..d * b], &gy[..d * b]);
                    written[u] = true;
                }
            }
        }
    }
}

impl Backprop {
    /// Buffers for `network` and batches of up to `capacity` samples.
    ///
    /// # Errors
    /// If the network contains a threshold unit (no gradient passes through a
    /// step function: the message says so), or `capacity == 0`.
    pub fn new(network: &Network, capacity: usize) -> Result<Self, Error> {
        network.check_differentiable()?;
        let forward = Workspace::new(network, capacity)?;
        let dims: Vec<usize> = network.nodes().iter().map(Node::dim).collect();
        let bufs = || {
            dims.iter()
                .map(|d| vec![0.0; d * capacity])
                .collect::<Vec<_>>()
        };
        Ok(Self {
            forward,
            targets: vec![0.0; network.output_dim() * capacity],
            grads: bufs(),
            written: vec![false; dims.len()],
            r_values: bufs(),
            r_grads: bufs(),
            r_written: vec![false; dims.len()],
            w_squared: vec![0.0; network.n_params()],
            dims,
        })
    }

    /// The forward workspace: every node's value on the current batch.
    pub fn workspace(&self) -> &Workspace {
        &self.forward
    }

    /// The gradient matrix `G_i` (`D_i × B`, column b = sample b's `(∇_{y_i}Div)ᵀ`,
    /// scaled by 1/B) left by the last [`Backprop::gradient`] or
    /// [`Backprop::hessian_vector_product`] (both compute it).
    ///
    /// After [`Backprop::gauss_newton_vector_product`] the buffer holds instead the
    /// back-propagated Gauss–Newton image `(∂y_N/∂y_i)ᵀ (1/B) H_out J v` (the same
    /// backward pass seeded with `H_out J v` in place of the output gradient), not a
    /// gradient; [`Backprop::loss`] and [`Backprop::becker_lecun_diagonal`] leave it
    /// unchanged.
    pub fn node_gradient(&self, node: usize) -> MatRef<'_, f64> {
        mat(&self.grads[node], self.dims[node], self.forward.batch())
    }

    /// Load a batch: inputs `X` (`D_0 × B`) and targets `T` (`D_N × B`), samples as columns.
    ///
    /// # Errors
    /// Mismatched widths, B above the capacity, non-finite inputs, or targets the
    /// divergence rejects ([`Divergence::check_targets`]) — each naming the values.
    pub fn load(
        &mut self,
        network: &Network,
        divergence: Divergence,
        x: MatRef<'_, f64>,
        t: MatRef<'_, f64>,
    ) -> Result<(), Error> {
        divergence.check_targets(t, network.output_dim())?;
        if t.ncols() != x.ncols() {
            return Err(Error::invalid(
                "backprop batch",
                format!(
                    "{} input columns but {} target columns",
                    x.ncols(),
                    t.ncols()
                ),
            ));
        }
        self.forward.load(x)?;
        let m = network.output_dim();
        for j in 0..t.ncols() {
            for i in 0..m {
                self.targets[i + j * m] = t[(i, j)];
            }
        }
        Ok(())
    }

    /// Load the columns `columns` of validated `X` and `T` (a mini-batch).
    ///
    /// # Panics
    /// On shapes that do not fit (the caller validated the data).
    pub fn load_columns(&mut self, x: MatRef<'_, f64>, t: MatRef<'_, f64>, columns: &[usize]) {
        self.forward.load_columns(x, columns);
        let m = t.nrows();
        assert_eq!(self.targets.len() % m, 0, "load_columns: target rows");
        for (b, &j) in columns.iter().enumerate() {
            for i in 0..m {
                self.targets[i + b * m] = t[(i, j)];
            }
        }
    }

    fn mean_divergence(&self, net: &Network, divergence: Divergence) -> f64 {
        let (m, b) = (net.output_dim(), self.forward.batch());
        let y = self.forward.value_slice(net.output_node());
        let s: f64 = y
            .chunks_exact(m)
            .zip(self.targets[..m * b].chunks_exact(m))
            .map(|(yc, dc)| divergence.value(yc, dc))
            .sum();
        s / b as f64
    }

    /// The mean divergence `L(w) = (1/B) Σ_b Div(y_N(x_b; w), d_b)` on the loaded batch.
    ///
    /// # Panics
    /// If `w.len() != n_params` or nothing is loaded.
    pub fn loss(&mut self, net: &Network, w: &[f64], divergence: Divergence) -> f64 {
        assert!(
            self.forward.batch() > 0,
            "Backprop: no batch loaded (call load or load_columns first)"
        );
        net.forward_loaded(w, &mut self.forward);
        self.mean_divergence(net, divergence)
    }

    fn seed_output_gradient(&mut self, net: &Network, divergence: Divergence) {
        let (m, b, out) = (net.output_dim(), self.forward.batch(), net.output_node());
        let scale = 1.0 / b as f64;
        let y = self.forward.value_slice(out);
        for ((yc, dc), gc) in y
            .chunks_exact(m)
            .zip(self.targets[..m * b].chunks_exact(m))
            .zip(self.grads[out][..m * b].chunks_exact_mut(m))
        {
            // ∇_{y_N}Div, scaled by 1/B for the mean
            divergence.gradient(yc, dc, gc);
            gc.iter_mut().for_each(|g| *g *= scale);
        }
        self.written.fill(false);
        self.written[out] = true;
    }

    /// Forward and backward pass: returns `L(w)` and writes `∇_w L` into `grad`.
    ///
    /// # Panics
    /// If `w` or `grad` has the wrong length or nothing is loaded.
    pub fn gradient(
        &mut self,
        net: &Network,
        w: &[f64],
        divergence: Divergence,
        grad: &mut [f64],
    ) -> f64 {
        assert_eq!(grad.len(), net.n_params(), "gradient buffer length");
        let loss = self.loss(net, w, divergence);
        self.seed_output_gradient(net, divergence);
        backward(
            net,
            w,
            &self.forward,
            &mut self.grads,
            &mut self.written,
            Some(grad),
            false,
        );
        loss
    }

    /// Per-sample gradients on the loaded batch: column b of `out` (`P × B`)
    /// gets `∇_w Div(y_N(x_b; w), d_b)`, so the mean of the columns is the
    /// gradient of [`Backprop::gradient`]. One backward pass: the parameter
    /// gradient of sample b is assembled from its column of `G_k` and of
    /// `Y_{k−1}` (`∇_{W_k}Div_b = g_{k,b} y_{k−1,b}ᵀ`, `∇_{b_k}Div_b = g_{k,b}`),
    /// which the batched pass sums over b. Returns `L(w)`.
    ///
    /// Reference: Goodfellow (2015), "Efficient per-example gradient computations", arXiv:1510.01799.
    ///
    /// # Panics
    /// If `out` is not `P × B` for the loaded batch, `w` has the wrong length
    /// or nothing is loaded.
    pub fn per_sample_gradients(
        &mut self,
        net: &Network,
        w: &[f64],
        divergence: Divergence,
        mut out: MatMut<'_, f64>,
    ) -> f64 {
        let b = self.forward.batch();
        assert_eq!(
            (out.nrows(), out.ncols()),
            (net.n_params(), b),
            "per-sample gradients: output shape"
        );
        let loss = self.loss(net, w, divergence);
        self.seed_output_gradient(net, divergence);
        backward(
            net,
            w,
            &self.forward,
            &mut self.grads,
            &mut self.written,
            None,
            false,
        );
        // G_k holds (1/B)·g_{k,b}; undo the mean's scaling per sample.
        let scale = b as f64;
        for layer in net.layers() {
            let (d, input) = match net.nodes()[layer.node] {
                Node::Affine { input, .. } => (layer.rows, input),
                _ => unreachable!("a layer is an affine node"),
            };
            let y = self.forward.value(input);
            for s in 0..b {
                let g = &self.grads[layer.node][s * d..(s + 1) * d];
                for j in 0..layer.cols {
                    let yj = y[(j, s)] * scale;
                    for (i, gi) in g.iter().enumerate() {
                        out[(layer.w_offset + i + j * layer.rows, s)] = gi * yj;
                    }
                }
                for (i, gi) in g.iter().enumerate() {
                    out[(layer.b_offset + i, s)] = gi * scale;
                }
            }
        }
        loss
    }

    /// The gradient of the mean divergence with respect to the inputs of the
    /// loaded batch: `out` (`D_0 × B`, column-major, length `D_0·B`) gets
    /// column b = `∂L/∂x_b = (1/B) (∇_{y_0}Div_b)ᵀ` — the backward pass carried
    /// one product further, `G_0 = W_1ᵀ G_1` (for inputs read by an affine
    /// layer), without the parameter gradient. Returns `L(w)`.
    ///
    /// # Panics
    /// If `w` or `out` has the wrong length or nothing is loaded.
    pub fn input_gradient(
        &mut self,
        net: &Network,
        w: &[f64],
        divergence: Divergence,
        out: &mut [f64],
    ) -> f64 {
        let n = net.input_dim() * self.forward.batch();
        assert_eq!(out.len(), n, "input gradient buffer length");
        let loss = self.loss(net, w, divergence);
        self.seed_output_gradient(net, divergence);
        backward(
            net,
            w,
            &self.forward,
            &mut self.grads,
            &mut self.written,
            None,
            true,
        );
        out.copy_from_slice(&self.grads[0][..n]);
        loss
    }

    /// Load the inputs of a batch without targets (`X`, `D_0 × B`, samples as
    /// columns), for [`Backprop::vector_jacobian_product`].
    ///
    /// # Errors
    /// A width other than the input dimension, B above the capacity or 0, or a
    /// non-finite input — each naming the values.
    pub fn load_inputs(&mut self, x: MatRef<'_, f64>) -> Result<(), Error> {
        self.forward.load(x)
    }

    /// The vector–Jacobian product of the network's output on the loaded
    /// batch, seeded with any upstream gradient: with `U` (`D_N × B`, column b
    /// = `u_b`, e.g. the gradient of a loss the network does not know),
    ///
    /// * `param_grad ← Σ_b u_bᵀ ∂y_N(x_b; w)/∂w` (no 1/B: the seed carries any scaling),
    /// * `input_grad` (if given; `D_0 × B` column-major) column b ← `(u_bᵀ ∂y_N(x_b; w)/∂x_b)ᵀ`.
    ///
    /// The same reverse sweep as [`Backprop::gradient`], seeded with `U` in
    /// place of `∇_y Div`; with `u_b = (1/B)∇_y Div(y_b, d_b)` it is the gradient.
    ///
    /// Reference: Griewank & Walther, *Evaluating Derivatives* (2008), §3.2 (reverse mode).
    ///
    /// # Errors
    /// If `U` is not `D_N × B` for the loaded batch or holds a non-finite
    /// value (a user's seed, validated), naming the shapes or the entry.
    ///
    /// # Panics
    /// If `w`, `param_grad` or `input_grad` has the wrong length or nothing is loaded.
    pub fn vector_jacobian_product(
        &mut self,
        net: &Network,
        w: &[f64],
        upstream: MatRef<'_, f64>,
        param_grad: &mut [f64],
        input_grad: Option<&mut [f64]>,
    ) -> Result<(), Error> {
        let (m, b) = (net.output_dim(), self.forward.batch());
        assert!(b > 0, "Backprop: no batch loaded (call load_inputs first)");
        if upstream.nrows() != m || upstream.ncols() != b {
            return Err(Error::invalid(
                "vector–Jacobian product",
                format!(
                    "the upstream gradient is {}×{} but the network has {m} outputs and the batch {b} samples",
                    upstream.nrows(),
                    upstream.ncols()
                ),
            ));
        }
        for j in 0..b {
            for i in 0..m {
                let u = upstream[(i, j)];
                if !u.is_finite() {
                    return Err(Error::invalid(
                        "vector–Jacobian product",
                        format!("upstream entry ({i}, {j}) is {u}, not finite"),
                    ));
                }
            }
        }
        assert_eq!(
            param_grad.len(),
            net.n_params(),
            "parameter gradient length"
        );
        net.forward_loaded(w, &mut self.forward);
        let out = net.output_node();
        for j in 0..b {
            for i in 0..m {
                self.grads[out][i + j * m] = upstream[(i, j)];
            }
        }
        self.written.fill(false);
        self.written[out] = true;
        let want_input = input_grad.is_some();
        backward(
            net,
            w,
            &self.forward,
            &mut self.grads,
            &mut self.written,
            Some(param_grad),
            want_input,
        );
        if let Some(ig) = input_grad {
            let n = net.input_dim() * b;
            assert_eq!(ig.len(), n, "input gradient buffer length");
            ig.copy_from_slice(&self.grads[0][..n]);
        }
        Ok(())
    }

    /// The directional derivative of every node value, `R{y_i} = J_{y_i}(w) v`
    /// (forward-mode pass along v), after a forward pass.
    fn r_forward(&mut self, net: &Network, w: &[f64], v: &[f64]) {
        let b = self.forward.batch();
        // R{y_0} = 0: the input does not depend on w. The buffer is shared with
        // other passes (the Becker–LeCun pass stores Y_0 ⊙ Y_0 there), so reset it
        // before an activation or a sum reads it.
        self.r_values[0].fill(0.0);
        let fwd = &self.forward;
        for (i, node) in net.nodes().iter().enumerate().skip(1) {
            let d = node.dim();
            let (before, after) = self.r_values.split_at_mut(i);
            let out = &mut after[0][..d * b];
            match node {
                Node::Input { .. } => unreachable!("only node 0 is the input"),
                Node::Affine { input, in_dim, .. } => {
                    let layout = layout_of(net, i);
                    // R{z_k} = V_k y_{k−1} + W_k R{y_{k−1}} + R{b_k}
                    matmul(mat_mut(out, d, b), layout.weights(v), fwd.value(*input));
                    if *input != 0 {
                        matmul_add(
                            1.0,
                            mat_mut(out, d, b),
                            layout.weights(w),
                            mat(&before[*input], *in_dim, b),
                        );
                    }
                    let vb = layout.bias(v);
                    for col in out.chunks_exact_mut(d) {
                        col.iter_mut().zip(vb).for_each(|(o, bi)| *o += bi);
                    }
                }
                Node::Activation {
                    input, activation, ..
                } => {
                    // R{y_k} = J_{y_k}(z_k) R{z_k}
                    let (z, y, rz) = (
                        fwd.value_slice(*input),
                        fwd.value_slice(i),
                        &before[*input][..d * b],
                    );
                    if *activation == Activation::Softmax {
                        for ((yc, rzc), oc) in y
                            .chunks_exact(d)
                            .zip(rz.chunks_exact(d))
                            .zip(out.chunks_exact_mut(d))
                        {
                            let c: f64 = yc.iter().zip(rzc).map(|(a, r)| a * r).sum();
                            for ((o, yi), ri) in oc.iter_mut().zip(yc).zip(rzc) {
                                *o = yi * (ri - c);
                            }
                        }
                    } else {
                        for (((o, zi), yi), ri) in out.iter_mut().zip(z).zip(y).zip(rz) {
                            *o = activation.derivative(*zi, *yi) * ri;
                        }
                    }
                }
                Node::Sum { inputs, .. } => {
                    // R{Σ u_j} = Σ R{u_j}
                    out.copy_from_slice(&before[inputs[0]][..d * b]);
                    for &u in &inputs[1..] {
                        out.iter_mut()
                            .zip(&before[u][..d * b])
                            .for_each(|(o, r)| *o += r);
                    }
                }
            }
        }
    }

    /// `dst col b ← (1/B) H_out(y_b, d_b) R{y_N}_b`, the R-image of the output gradient.
    fn output_curvature(&self, net: &Network, divergence: Divergence, dst: &mut [f64]) {
        let (m, b, out) = (net.output_dim(), self.forward.batch(), net.output_node());
        let scale = 1.0 / b as f64;
        let y = self.forward.value_slice(out);
        let ry = &self.r_values[out][..m * b];
        for (((yc, dc), rc), oc) in y
            .chunks_exact(m)
            .zip(self.targets[..m * b].chunks_exact(m))
            .zip(ry.chunks_exact(m))
            .zip(dst[..m * b].chunks_exact_mut(m))
        {
            divergence.hessian_vector(yc, dc, rc, oc);
            oc.iter_mut().for_each(|g| *g *= scale);
        }
    }

    /// The exact Hessian-vector product `H v = ∇²_w L(w) v` of the mean divergence on
    /// the loaded batch, by Pearlmutter's R-operator (forward-over-reverse): a forward
    /// pass, the forward R pass `R{y_i}`, the backward pass `G_i`, and the backward R pass
    /// `R{G_i}`, whose parameter part is `H v`. Returns `L(w)`.
    ///
    /// Cost: about twice a gradient (the first layer needs no `R{y_0}` terms).
    ///
    /// Reference: Pearlmutter (1994), "Fast exact multiplication by the Hessian", Neural Computation 6(1).
    ///
    /// # Panics
    /// On wrong lengths or nothing loaded.
    pub fn hessian_vector_product(
        &mut self,
        net: &Network,
        w: &[f64],
        divergence: Divergence,
        v: &[f64],
        out: &mut [f64],
    ) -> f64 {
        assert_eq!(v.len(), net.n_params(), "Hv: direction length");
        assert_eq!(out.len(), net.n_params(), "Hv: output length");
        let loss = self.loss(net, w, divergence);
        self.r_forward(net, w, v);
        self.seed_output_gradient(net, divergence);
        backward(
            net,
            w,
            &self.forward,
            &mut self.grads,
            &mut self.written,
            None,
            false,
        );
        let o = net.output_node();
        let mut seed = std::mem::take(&mut self.r_grads[o]);
        self.output_curvature(net, divergence, &mut seed);
        self.r_grads[o] = seed;
        self.r_written.fill(false);
        self.r_written[o] = true;
        self.r_backward(net, w, v, out);
        loss
    }

    /// The backward R pass: `R{G_i}` for every node and `R{∇_w L}` into `out`.
    fn r_backward(&mut self, net: &Network, w: &[f64], v: &[f64], out: &mut [f64]) {
        let b = self.forward.batch();
        let fwd = &self.forward;
        let (grads, rv) = (&self.grads, &self.r_values);
        for (i, node) in net.nodes().iter().enumerate().skip(1).rev() {
            let d = node.dim();
            match node {
                Node::Input { .. } => unreachable!("only node 0 is the input"),
                Node::Activation {
                    input, activation, ..
                } => {
                    let acc = self.r_written[*input];
                    let (rgz, rgy) = pair(&mut self.r_grads, *input, i);
                    let (z, y) = (fwd.value_slice(*input), fwd.value_slice(i));
                    let (gy, rz, ry) = (&grads[i][..d * b], &rv[*input][..d * b], &rv[i][..d * b]);
                    let put = |o: &mut f64, x: f64| if acc { *o += x } else { *o = x };
                    if *activation == Activation::Softmax {
                        // g_z = y ⊙ (g_y − c), c = yᵀg_y ⇒
                        // R{g_z} = R{y} ⊙ (g_y − c) + y ⊙ (R{g_y} − R{c}), R{c} = R{y}ᵀg_y + yᵀR{g_y}
                        for ((((oc, yc), gc), ryc), rgc) in rgz[..d * b]
                            .chunks_exact_mut(d)
                            .zip(y.chunks_exact(d))
                            .zip(gy.chunks_exact(d))
                            .zip(ry.chunks_exact(d))
                            .zip(rgy[..d * b].chunks_exact(d))
                        {
                            let c: f64 = yc.iter().zip(gc).map(|(a, g)| a * g).sum();
                            let rc: f64 = ryc.iter().zip(gc).map(|(a, g)| a * g).sum::<f64>()
                                + yc.iter().zip(rgc).map(|(a, g)| a * g).sum::<f64>();
                            for k in 0..d {
                                put(&mut oc[k], ryc[k] * (gc[k] - c) + yc[k] * (rgc[k] - rc));
                            }
                        }
                    } else {
                        // g_z = g_y ⊙ f'(z) ⇒ R{g_z} = R{g_y} ⊙ f'(z) + g_y ⊙ f''(z) ⊙ R{z}
                        for k in 0..d * b {
                            let x = rgy[k] * activation.derivative(z[k], y[k])
                                + gy[k] * activation.second_derivative(z[k], y[k]) * rz[k];
                            put(&mut rgz[k], x);
                        }
                    }
                    self.r_written[*input] = true;
                }
                Node::Affine { input, in_dim, .. } => {
                    let layout = layout_of(net, i);
                    let (gz, rgz) = (mat(&grads[i], d, b), mat(&self.r_grads[i], d, b));
                    // R{∇_{W_k}Div} = R{G_k} Y_{k−1}ᵀ + G_k R{Y_{k−1}}ᵀ
                    matmul(layout.weights_mut(out), rgz, fwd.value(*input).transpose());
                    if *input != 0 {
                        matmul_add(
                            1.0,
                            layout.weights_mut(out),
                            gz,
                            mat(&rv[*input], *in_dim, b).transpose(),
                        );
                    }
                    // R{∇_{b_k}Div} = R{G_k} 1
                    row_sums(&self.r_grads[i][..d * b], d, layout.bias_mut(out), false);
                    if *input != 0 {
                        // R{G_{k−1}} = V_kᵀ G_k + W_kᵀ R{G_k}
                        let acc = self.r_written[*input];
                        let (rgin, rgz) = pair(&mut self.r_grads, *input, i);
                        product(
                            acc,
                            mat_mut(rgin, *in_dim, b),
                            layout.weights(v).transpose(),
                            gz,
                        );
                        matmul_add(
                            1.0,
                            mat_mut(rgin, *in_dim, b),
                            layout.weights(w).transpose(),
                            mat(rgz, d, b),
                        );
                        self.r_written[*input] = true;
                    }
                }
                Node::Sum { inputs, .. } => {
                    for &u in inputs {
                        let acc = self.r_written[u];
                        let (ru, rg) = pair(&mut self.r_grads, u, i);
                        copy_or_add(acc, &mut ru[..d * b], &rg[..d * b]);
                        self.r_written[u] = true;
                    }
                }
            }
        }
    }

    /// The generalised Gauss–Newton product `G v = Jᵀ H_out J v` of the mean divergence
    /// on the loaded batch (J = ∂y_N/∂w per sample, `H_out = ∇²_y Div`): the forward R pass
    /// gives `J v`, the divergence's Hessian multiplies it, and an ordinary backward pass
    /// seeded with `(1/B) H_out J v` applies `Jᵀ`. G is positive semidefinite whenever
    /// every `H_out` is (all divergences here). Returns `L(w)`.
    ///
    /// Reference: Schraudolph (2002), "Fast curvature matrix-vector products for
    /// second-order gradient descent", Neural Computation 14(7).
    ///
    /// # Panics
    /// On wrong lengths or nothing loaded.
    pub fn gauss_newton_vector_product(
        &mut self,
        net: &Network,
        w: &[f64],
        divergence: Divergence,
        v: &[f64],
        out: &mut [f64],
    ) -> f64 {
        assert_eq!(v.len(), net.n_params(), "Gv: direction length");
        assert_eq!(out.len(), net.n_params(), "Gv: output length");
        let loss = self.loss(net, w, divergence);
        self.r_forward(net, w, v);
        let o = net.output_node();
        let mut seed = std::mem::take(&mut self.grads[o]);
        self.output_curvature(net, divergence, &mut seed);
        self.grads[o] = seed;
        self.written.fill(false);
        self.written[o] = true;
        backward(
            net,
            w,
            &self.forward,
            &mut self.grads,
            &mut self.written,
            Some(out),
            false,
        );
        loss
    }

    /// Becker & LeCun's diagonal Gauss–Newton approximation of the Hessian of the mean
    /// divergence on the loaded batch, in one forward and one backward-like pass.
    ///
    /// The pass back-propagates **diagonal second derivatives**, keeping only the
    /// Gauss–Newton part (the `f″ · ∂E/∂y` term is dropped, so every entry is ≥ 0)
    /// and only the diagonal at every node (off-diagonal terms are dropped):
    ///
    /// * seed, per sample: `∂²E/∂y_N² ≈ (1/B) diag H_out(y_N, d)` — for L2 the ones,
    ///   for sigmoid + BCE `σ(1 − σ)` (H_out is diagonal, so this is exact), for
    ///   softmax + cross-entropy / KL `s (p − p²)` with `s = Σ d_i`: the **diagonal of**
    ///   `H_out = s (diag p − p pᵀ)`, an approximation, since softmax couples the outputs;
    /// * activation `y = f(z)`: `∂²E/∂z² ≈ f′(z)² ⊙ ∂²E/∂y²`;
    /// * affine `z_k = W_k y_{k−1} + b_k`: `∂²E/∂y_{k−1}² ≈ (W_k ⊙ W_k)ᵀ ∂²E/∂z_k²`;
    /// * sum `y = Σ u_j`: `∂²E/∂u_j² ≈ ∂²E/∂y²`; a node read by several nodes
    ///   accumulates their contributions (again dropping cross terms);
    ///
    /// and then, summed over the batch (the 1/B is in the seed, so this is the mean),
    /// `diag H_{W_k,ij} ≈ Σ_b y_{k−1,j}² ∂²E/∂z_{k,i}²` (for the batch:
    /// `(∂²E/∂Z_k²)(Y_{k−1} ⊙ Y_{k−1})ᵀ`) and `diag H_{b_k,i} ≈ Σ_b ∂²E/∂z_{k,i}²`.
    /// For the last layer's parameters (and for a network with one affine layer) the
    /// result equals the diagonal of the Gauss–Newton matrix
    /// ([`Backprop::gauss_newton_vector_product`]) exactly, softmax divergences
    /// included: `W_N,ij` and `b_N,i` move output `i` only, so only `H_out,ii` enters
    /// their diagonal entry, and the diagonal seed is exact there.
    /// Returns `L(w)`.
    ///
    /// Cost: about one gradient (one product with `W_k ⊙ W_k` and one with
    /// `Y_{k−1} ⊙ Y_{k−1}` per layer, in buffers allocated by [`Backprop::new`]).
    ///
    /// References: Becker & LeCun, "Improving the convergence of back-propagation
    /// learning with second order methods", Proc. 1988 Connectionist Models Summer
    /// School; LeCun, Bottou, Orr & Müller, "Efficient BackProp" (1998), §9.1.
    ///
    /// # Errors
    /// If the network has a softmax activation node (its Jacobian is not diagonal, so
    /// no `f′(z)²` exists): the message names the node. Use linear outputs with a
    /// softmax divergence instead.
    ///
    /// # Panics
    /// On wrong lengths or nothing loaded.
    pub fn becker_lecun_diagonal(
        &mut self,
        net: &Network,
        w: &[f64],
        divergence: Divergence,
        out: &mut [f64],
    ) -> Result<f64, Error> {
        assert_eq!(w.len(), net.n_params(), "Becker–LeCun: parameter length");
        assert_eq!(out.len(), net.n_params(), "Becker–LeCun: output length");
        for (i, node) in net.nodes().iter().enumerate() {
            if let Node::Activation { activation, .. } = node {
                if !activation.is_elementwise() {
                    return Err(Error::invalid(
                        "Becker–LeCun diagonal",
                        format!(
                            "node {i} ({}) is a {} activation, whose Jacobian is not diagonal; \
                             use linear outputs with a softmax divergence instead",
                            net.node_label(i),
                            activation.name()
                        ),
                    ));
                }
            }
        }
        let loss = self.loss(net, w, divergence);
        for (s, wi) in self.w_squared.iter_mut().zip(w) {
            *s = wi * wi;
        }
        let (m, b, o) = (net.output_dim(), self.forward.batch(), net.output_node());
        let scale = 1.0 / b as f64;
        // The curvature of node i lives in r_grads[i]; r_values[i] holds Y_i ⊙ Y_i.
        let y = self.forward.value_slice(o);
        for ((yc, dc), hc) in y
            .chunks_exact(m)
            .zip(self.targets[..m * b].chunks_exact(m))
            .zip(self.r_grads[o][..m * b].chunks_exact_mut(m))
        {
            match divergence {
                Divergence::L2 => hc.fill(scale),
                Divergence::SigmoidBinaryCrossEntropy => {
                    // σ(1 − σ) = σ(y) σ(−y), accurate for large |y|
                    for (h, yi) in hc.iter_mut().zip(yc) {
                        *h = scale * sigmoid(*yi) * sigmoid(-yi);
                    }
                }
                Divergence::SoftmaxCrossEntropy | Divergence::SoftmaxKl => {
                    // diag of s (diag p − p pᵀ): s (p_i − p_i²)
                    let (lse, s) = (log_sum_exp(yc), dc.iter().sum::<f64>());
                    for (h, yi) in hc.iter_mut().zip(yc) {
                        let p = (yi - lse).exp();
                        *h = scale * s * (p - p * p);
                    }
                }
            }
        }
        self.r_written.fill(false);
        self.r_written[o] = true;
        let fwd = &self.forward;
        for (i, node) in net.nodes().iter().enumerate().skip(1).rev() {
            let d = node.dim();
            match node {
                Node::Input { .. } => unreachable!("only node 0 is the input"),
                Node::Activation {
                    input, activation, ..
                } => {
                    // ∂²E/∂z² ≈ f′(z)² ⊙ ∂²E/∂y²
                    let acc = self.r_written[*input];
                    let (hz, hy) = pair(&mut self.r_grads, *input, i);
                    let (z, yv) = (fwd.value_slice(*input), fwd.value_slice(i));
                    for (((o, zi), yi), hi) in
                        hz[..d * b].iter_mut().zip(z).zip(yv).zip(&hy[..d * b])
                    {
                        let f1 = activation.derivative(*zi, *yi);
                        let x = f1 * f1 * hi;
                        if acc { *o += x } else { *o = x }
                    }
                    self.r_written[*input] = true;
                }
                Node::Affine { input, in_dim, .. } => {
                    let layout = layout_of(net, i);
                    // Y_{k−1} ⊙ Y_{k−1}
                    let ysq = &mut self.r_values[*input][..in_dim * b];
                    for (s, yi) in ysq.iter_mut().zip(fwd.value_slice(*input)) {
                        *s = yi * yi;
                    }
                    let hz = mat(&self.r_grads[i], d, b);
                    // diag H_{W_k} ≈ (∂²E/∂Z_k²)(Y_{k−1} ⊙ Y_{k−1})ᵀ
                    matmul(
                        layout.weights_mut(out),
                        hz,
                        mat(&self.r_values[*input], *in_dim, b).transpose(),
                    );
                    // diag H_{b_k} ≈ Σ_b ∂²E/∂z_k²
                    row_sums(&self.r_grads[i][..d * b], d, layout.bias_mut(out), false);
                    if *input != 0 {
                        // ∂²E/∂y_{k−1}² ≈ (W_k ⊙ W_k)ᵀ ∂²E/∂z_k²
                        let acc = self.r_written[*input];
                        let (hin, hz) = pair(&mut self.r_grads, *input, i);
                        product(
                            acc,
                            mat_mut(hin, *in_dim, b),
                            layout.weights(&self.w_squared).transpose(),
                            mat(hz, d, b),
                        );
                        self.r_written[*input] = true;
                    }
                }
                Node::Sum { inputs, .. } => {
                    // ∂y/∂u_j = I ⇒ ∂²E/∂u_j² ≈ ∂²E/∂y²
                    for &u in inputs {
                        let acc = self.r_written[u];
                        let (hu, hy) = pair(&mut self.r_grads, u, i);
                        copy_or_add(acc, &mut hu[..d * b], &hy[..d * b]);
                        self.r_written[u] = true;
                    }
                }
            }
        }
        Ok(loss)
    }
}
