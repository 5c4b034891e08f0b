//! The teaching path: one sample at a time, every Jacobian an explicit matrix,
//! every step of the backward recursion recorded with its shapes, so the
//! lecture's dimensionality check can be printed line by line:
//!
//! ```text
//! ∇_{y_2}Div 1×10 = ∇_y Div(y_2, d) 1×10
//! ∇_{z_2}Div 1×10 = ∇_{y_2}Div 1×10 · J_{y_2}(z_2) 10×10
//! ∇_{W_2}Div 5×10 = y_1 5×1 · ∇_{z_2}Div 1×10
//! ```
//!
//! It is slow on purpose (a D×D Jacobian per activation and sample); the fast
//! path in [`crate::Backprop`] must agree with it to rounding.

use std::fmt;

use descent_core::Error;
use descent_graph::{Divergence, Network, Node};
use descent_linalg::{Mat, MatRef, Shape, outer, vecmat};

/// One recorded step `result = lhs · rhs` of the backward recursion.
#[derive(Debug, Clone)]
pub struct TeachingStep {
    /// The quantity computed, e.g. `∇_{z_2}Div`.
    pub result: String,
    /// Its shape, e.g. 1×10 (a row vector) or `dim(y_{k−1}) × dim(z_k)` for `∇_{W_k}Div`.
    pub shape: Shape,
    /// Whether it was added to an earlier contribution (a node read by several nodes).
    pub accumulated: bool,
    /// The operands with their shapes (one for a copy, two for a product).
    pub operands: Vec<(String, Shape)>,
    /// The value (a `1×n` matrix for a row vector).
    pub value: Mat<f64>,
}

impl fmt::Display for TeachingStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let eq = if self.accumulated { "+=" } else { "=" };
        write!(f, "{} {} {eq} ", self.result, self.shape)?;
        for (k, (name, shape)) in self.operands.iter().enumerate() {
            if k > 0 {
                write!(f, " · ")?;
            }
            write!(f, "{name} {shape}")?;
        }
        Ok(())
    }
}

/// Everything the teaching path computed for one sample.
#[derive(Debug, Clone)]
pub struct TeachingTrace {
    /// Every node's value, in topological order, with its label (`y_0`, `z_1`, `y_1`, …).
    pub forward: Vec<(String, Vec<f64>)>,
    /// `Div(y_N, d)`; `None` for a vector–Jacobian product, which has no divergence.
    pub divergence: Option<f64>,
    /// The backward steps in the order they ran.
    pub steps: Vec<TeachingStep>,
    /// Every Jacobian used, e.g. `("J_{y_1}(z_1)", 5×5 matrix)`.
    pub jacobians: Vec<(String, Mat<f64>)>,
    /// `∇_w Div` in the network's flat layout (for a vector–Jacobian product
    /// seeded with `u`: `uᵀ ∂y_N/∂w`).
    pub gradient: Vec<f64>,
    /// `∇_{y_0}Div`, the gradient with respect to the input sample (for a
    /// vector–Jacobian product: `uᵀ ∂y_N/∂x`).
    pub input_gradient: Vec<f64>,
}

impl TeachingTrace {
    /// The dimensionality check of every step, one line each.
    pub fn dimensionality_check(&self) -> String {
        self.steps.iter().map(|s| format!("{s}\n")).collect()
    }
}

fn row(v: &[f64]) -> Mat<f64> {
    Mat::from_fn(1, v.len(), |_, j| v[j])
}

fn grad_name(label: &str) -> String {
    format!("∇_{{{label}}}Div")
}

/// Backpropagation for one sample `x` with target `d`, with explicit Jacobians,
/// exactly as the lecture writes it:
///
/// * `∇_{y_N}Div = ∇_y Div(y_N, d)`;
/// * past an activation, postmultiply by its Jacobian: `∇_{z_k}Div = ∇_{y_k}Div · J_{y_k}(z_k)`;
/// * past an affine map, postmultiply by the weights: `∇_{y_{k−1}}Div = ∇_{z_k}Div · W_k`;
/// * in between, `∇_{W_k}Div = y_{k−1} ∇_{z_k}Div` (a `dim(y_{k−1}) × dim(z_k)` outer
///   product, stored transposed in W_k's layout) and `∇_{b_k}Div = ∇_{z_k}Div`.
///
/// # Errors
/// Wrong lengths of `w`, `x` or `d`, non-finite input, targets the divergence
/// rejects, or a threshold unit in the network.
pub fn teaching_backprop(
    net: &Network,
    w: &[f64],
    x: &[f64],
    d: &[f64],
    divergence: Divergence,
) -> Result<TeachingTrace, Error> {
    check_sample(net, w, x, "teaching backprop")?;
    divergence.check_targets(
        MatRef::from_column_major_slice(d, d.len(), 1),
        net.output_dim(),
    )?;

    let values = teaching_forward(net, w, x);
    let out = net.output_node();
    let div_value = divergence.value(&values[out], d);
    // ∇_{y_N}Div from the divergence
    let mut g_out = vec![0.0; net.output_dim()];
    divergence.gradient(&values[out], d, &mut g_out);
    let seed = format!("∇_y Div({}, d)", net.node_label(out));
    let mut trace = teaching_backward(net, w, values, g_out, seed)?;
    trace.divergence = Some(div_value);
    Ok(trace)
}

/// The vector–Jacobian product `uᵀ J` of the network's output `y_N(x; w)` for
/// one sample, on the teaching path: the backward recursion of
/// [`teaching_backprop`] seeded with an arbitrary upstream row vector `u`
/// (`1 × D_N`, e.g. the gradient of a loss the network does not know) in place
/// of `∇_y Div`. The trace's `gradient` is `uᵀ ∂y_N/∂w` and its
/// `input_gradient` is `uᵀ ∂y_N/∂x`.
///
/// # Errors
/// Wrong lengths of `w`, `x` or `u`, non-finite input or upstream values, or
/// a threshold unit in the network — each naming the values.
pub fn teaching_vector_jacobian_product(
    net: &Network,
    w: &[f64],
    x: &[f64],
    upstream: &[f64],
) -> Result<TeachingTrace, Error> {
    check_sample(net, w, x, "teaching vector–Jacobian product")?;
    check_upstream(
        upstream,
        net.output_dim(),
        "teaching vector–Jacobian product",
    )?;
    let values = teaching_forward(net, w, x);
    teaching_backward(net, w, values, upstream.to_vec(), "u".to_owned())
}

/// Refuse a non-finite upstream vector or one whose length is not `dim`.
fn check_upstream(upstream: &[f64], dim: usize, context: &str) -> Result<(), Error> {
    if upstream.len() != dim {
        return Err(Error::invalid(
            context,
            format!(
                "the upstream gradient has {} entries but the network has {dim} outputs",
                upstream.len()
            ),
        ));
    }
    if let Some(i) = upstream.iter().position(|v| !v.is_finite()) {
        return Err(Error::invalid(
            context,
            format!("upstream entry {i} is {}, not finite", upstream[i]),
        ));
    }
    Ok(())
}

/// Validate `w` and one sample `x` for the teaching path.
fn check_sample(net: &Network, w: &[f64], x: &[f64], context: &str) -> Result<(), Error> {
    net.check_differentiable()?;
    net.check_params(w)?;
    if x.len() != net.input_dim() {
        return Err(Error::invalid(
            context,
            format!(
                "the sample has {} features but the input layer has {}",
                x.len(),
                net.input_dim()
            ),
        ));
    }
    if let Some(i) = x.iter().position(|v| !v.is_finite()) {
        return Err(Error::invalid(
            context,
            format!("input {i} is {}, not finite", x[i]),
        ));
    }
    Ok(())
}

/// Every node's value for one sample: `y_0 = x`, `z_k = W_k y_{k−1} + b_k`,
/// `y_k = f(z_k)`, sums.
fn teaching_forward(net: &Network, w: &[f64], x: &[f64]) -> Vec<Vec<f64>> {
    let nodes = net.nodes();
    let mut values: Vec<Vec<f64>> = Vec::with_capacity(nodes.len());
    for (i, node) in nodes.iter().enumerate() {
        let v = match node {
            Node::Input { .. } => x.to_vec(),
            Node::Affine { input, dim, .. } => {
                let l = net.layers().iter().find(|l| l.node == i).expect("layout");
                let mut z = l.bias(w).to_vec();
                descent_linalg::matvec_add(1.0, l.weights(w), &values[*input], &mut z);
                debug_assert_eq!(z.len(), *dim);
                z
            }
            Node::Activation {
                input,
                activation,
                dim,
            } => {
                let mut y = vec![0.0; *dim];
                activation.apply(&values[*input], &mut y);
                y
            }
            Node::Sum { inputs, dim } => {
                let mut s = vec![0.0; *dim];
                for &u in inputs {
                    descent_linalg::axpy(1.0, &values[u], &mut s);
                }
                s
            }
        };
        values.push(v);
    }
    values
}

/// The backward recursion from the output gradient `g_out` (named `seed` in
/// the dimensionality check) down to the input, recording every step.
fn teaching_backward(
    net: &Network,
    w: &[f64],
    values: Vec<Vec<f64>>,
    g_out: Vec<f64>,
    seed: String,
) -> Result<TeachingTrace, Error> {
    let nodes = net.nodes();
    let out = net.output_node();
    let label = |i: usize| net.node_label(i);
    let mut steps = Vec::new();
    let mut jacobians = Vec::new();
    let mut grads: Vec<Option<Vec<f64>>> = vec![None; nodes.len()];
    let mut gradient = vec![0.0; net.n_params()];

    steps.push(TeachingStep {
        result: grad_name(&label(out)),
        shape: Shape::row(g_out.len()),
        accumulated: false,
        operands: vec![(seed, Shape::row(g_out.len()))],
        value: row(&g_out),
    });
    grads[out] = Some(g_out);

    let add_to = |grads: &mut Vec<Option<Vec<f64>>>, node: usize, g: Vec<f64>| -> bool {
        match &mut grads[node] {
            Some(acc) => {
                descent_linalg::axpy(1.0, &g, acc);
                true
            }
            slot @ None => {
                *slot = Some(g);
                false
            }
        }
    };

    for (i, node) in nodes.iter().enumerate().skip(1).rev() {
        let g = grads[i]
            .clone()
            .expect("every node feeds the output, so its gradient is set");
        let gname = grad_name(&label(i));
        let gshape = Shape::row(g.len());
        match node {
            Node::Input { .. } => unreachable!("only node 0 is the input"),
            Node::Activation {
                input, activation, ..
            } => {
                // ∇_{z_k}Div = ∇_{y_k}Div · J_{y_k}(z_k)
                let jac = activation.jacobian(&values[*input], &values[i])?;
                let jname = format!("J_{{{}}}({})", label(i), label(*input));
                let mut gz = vec![0.0; values[*input].len()];
                vecmat(&g, jac.as_ref(), &mut gz);
                let value = row(&gz);
                let acc = add_to(&mut grads, *input, gz);
                steps.push(TeachingStep {
                    result: grad_name(&label(*input)),
                    shape: Shape::row(value.ncols()),
                    accumulated: acc,
                    operands: vec![(gname, gshape), (jname.clone(), Shape::of(jac.as_ref()))],
                    value,
                });
                jacobians.push((jname, jac));
            }
            Node::Affine { input, layer, .. } => {
                let l = net.layers().iter().find(|l| l.node == i).expect("layout");
                let y_prev = &values[*input];
                // ∇_{W_k}Div = y_{k−1} ∇_{z_k}Div  (dim(y_{k−1}) × dim(z_k)), stored as W_k's transpose
                let gw = outer(y_prev, &g);
                let mut gw_view = l.weights_mut(&mut gradient);
                for r in 0..l.rows {
                    for c in 0..l.cols {
                        gw_view[(r, c)] = gw[(c, r)];
                    }
                }
                steps.push(TeachingStep {
                    result: format!("∇_{{W_{layer}}}Div"),
                    shape: Shape::of(gw.as_ref()),
                    accumulated: false,
                    operands: vec![
                        (label(*input), Shape::col(y_prev.len())),
                        (gname.clone(), gshape),
                    ],
                    value: gw,
                });
                // ∇_{b_k}Div = ∇_{z_k}Div
                l.bias_mut(&mut gradient).copy_from_slice(&g);
                steps.push(TeachingStep {
                    result: format!("∇_{{b_{layer}}}Div"),
                    shape: gshape,
                    accumulated: false,
                    operands: vec![(gname.clone(), gshape)],
                    value: row(&g),
                });
                {
                    // ∇_{y_{k−1}}Div = ∇_{z_k}Div · W_k (for k = 1: the input gradient)
                    let mut gy = vec![0.0; y_prev.len()];
                    vecmat(&g, l.weights(w), &mut gy);
                    let value = row(&gy);
                    let acc = add_to(&mut grads, *input, gy);
                    steps.push(TeachingStep {
                        result: grad_name(&label(*input)),
                        shape: Shape::row(value.ncols()),
                        accumulated: acc,
                        operands: vec![
                            (gname, gshape),
                            (format!("W_{layer}"), Shape::new(l.rows, l.cols)),
                        ],
                        value,
                    });
                }
            }
            Node::Sum { inputs, .. } => {
                // y = Σ u_j ⇒ ∇_{u_j}Div = ∇_y Div
                for &u in inputs {
                    let acc = add_to(&mut grads, u, g.clone());
                    steps.push(TeachingStep {
                        result: grad_name(&label(u)),
                        shape: gshape,
                        accumulated: acc,
                        operands: vec![(gname.clone(), gshape)],
                        value: row(&g),
                    });
                }
            }
        }
    }

    let forward = values
        .into_iter()
        .enumerate()
        .map(|(i, v)| (label(i), v))
        .collect();
    let input_gradient = grads[0]
        .take()
        .expect("the input feeds the output, so its gradient is set");
    Ok(TeachingTrace {
        forward,
        divergence: None,
        steps,
        jacobians,
        gradient,
        input_gradient,
    })
}

/// The mean divergence `(1/N) Σ_n Div_n` and its gradient over the columns of `X`
/// (`D_0 × N`) and `T` (`D_N × N`), one [`teaching_backprop`] per sample.
///
/// # Errors
/// As [`teaching_backprop`], and if X and T have different column counts or none.
pub fn teaching_gradient(
    net: &Network,
    w: &[f64],
    x: MatRef<'_, f64>,
    t: MatRef<'_, f64>,
    divergence: Divergence,
) -> Result<(f64, Vec<f64>), Error> {
    if x.ncols() != t.ncols() || x.ncols() == 0 {
        return Err(Error::invalid(
            "teaching gradient",
            format!(
                "{} input columns and {} target columns (need equal and ≥ 1)",
                x.ncols(),
                t.ncols()
            ),
        ));
    }
    let n = x.ncols();
    let mut loss = 0.0;
    let mut grad = vec![0.0; net.n_params()];
    let (mut xs, mut ds) = (vec![0.0; x.nrows()], vec![0.0; t.nrows()]);
    for j in 0..n {
        xs.iter_mut().enumerate().for_each(|(i, v)| *v = x[(i, j)]);
        ds.iter_mut().enumerate().for_each(|(i, v)| *v = t[(i, j)]);
        let trace = teaching_backprop(net, w, &xs, &ds, divergence)?;
        loss += trace
            .divergence
            .expect("teaching_backprop sets the divergence");
        descent_linalg::axpy(1.0, &trace.gradient, &mut grad);
    }
    descent_linalg::scale(1.0 / n as f64, &mut grad);
    Ok((loss / n as f64, grad))
}
