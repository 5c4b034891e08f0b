//! The batched forward pass and the workspace that keeps every node's value
//! (`z_k` and `y_k`) for the backward pass.
//!
//! **Layout:** samples are COLUMNS. A batch of B inputs is the `D_0 × B` matrix
//! `X = [x_1 … x_B]`, and node i's value is the `D_i × B` matrix `Y_i`, stored
//! column-major in a buffer allocated once for a batch capacity; batches of any
//! size up to the capacity reuse it.

use descent_core::Error;
use descent_linalg::{MatMut, MatRef, matmul};

use crate::network::{Network, Node};

/// Every node's value on one batch, in buffers allocated once.
#[derive(Debug, Clone)]
pub struct Workspace {
    capacity: usize,
    batch: usize,
    dims: Vec<usize>,
    values: Vec<Vec<f64>>,
}

impl Workspace {
    /// The most numbers a workspace may hold: 2²⁸ (2 GiB of `f64`).
    pub const MAX_FLOATS: usize = 1 << 28;

    /// Was this workspace made for `network` (the same node widths)?
    pub fn fits(&self, network: &Network) -> bool {
        self.dims.len() == network.nodes().len()
            && self
                .dims
                .iter()
                .zip(network.nodes())
                .all(|(d, n)| *d == n.dim())
    }

    /// Buffers for batches of up to `capacity` samples: `Σ_i D_i · capacity` floats.
    ///
    /// # Errors
    /// If `capacity == 0`, or the buffers would hold more than
    /// [`Workspace::MAX_FLOATS`] numbers (computed with checked arithmetic; the
    /// message gives the size needed).
    pub fn new(network: &Network, capacity: usize) -> Result<Self, Error> {
        descent_core::validate::at_least("forward workspace", "batch capacity", capacity, 1)?;
        let dims: Vec<usize> = network.nodes().iter().map(Node::dim).collect();
        let units: usize = dims.iter().sum();
        if units
            .checked_mul(capacity)
            .is_none_or(|floats| floats > Self::MAX_FLOATS)
        {
            return Err(Error::invalid(
                "forward workspace",
                format!(
                    "{units} units × a batch capacity of {capacity} = {} numbers exceed the limit \
                     of {} (2 GiB of f64)",
                    units as u128 * capacity as u128,
                    Self::MAX_FLOATS
                ),
            ));
        }
        let values = dims.iter().map(|d| vec![0.0; d * capacity]).collect();
        Ok(Self {
            capacity,
            batch: 0,
            dims,
            values,
        })
    }
    /// The largest batch the buffers hold.
    pub fn capacity(&self) -> usize {
        self.capacity
    }
    /// The size B of the batch currently loaded.
    pub fn batch(&self) -> usize {
        self.batch
    }
    /// Node i's value on the current batch, `D_i × B` (`z_k` for an affine node, `y_k` for an activation).
    pub fn value(&self, node: usize) -> MatRef<'_, f64> {
        MatRef::from_column_major_slice(self.value_slice(node), self.dims[node], self.batch)
    }
    /// Node i's value as a column-major slice of length `D_i · B`.
    pub fn value_slice(&self, node: usize) -> &[f64] {
        &self.values[node][..self.dims[node] * self.batch]
    }
    /// The output `Y_N`, `D_N × B`.
    pub fn output(&self) -> MatRef<'_, f64> {
        self.value(self.values.len() - 1)
    }

    /// Copy the batch `X` (`D_0 × B`) into the input buffer.
    ///
    /// # Errors
    /// If X's row count is not the input dimension, B is 0 or above the capacity,
    /// or an entry is not finite (named by row and column). On an error nothing is
    /// written: the previously loaded batch stays loaded.
    pub fn load(&mut self, x: MatRef<'_, f64>) -> Result<(), Error> {
        let d = self.dims[0];
        if x.nrows() != d {
            return Err(Error::invalid(
                "forward pass",
                format!(
                    "the data has {} features (rows of X) but the input layer has {d}",
                    x.nrows()
                ),
            ));
        }
        let b = x.ncols();
        if b == 0 || b > self.capacity {
            return Err(Error::invalid(
                "forward pass",
                format!(
                    "the batch has {b} samples; the workspace holds 1..={}",
                    self.capacity
                ),
            ));
        }
        // validate everything before writing, so a rejected batch leaves the
        // loaded one intact
        for j in 0..b {
            for i in 0..d {
                let v = x[(i, j)];
                if !v.is_finite() {
                    return Err(Error::invalid(
                        "forward pass",
                        format!("input ({i}, {j}) is {v}, not finite"),
                    ));
                }
            }
        }
        for j in 0..b {
            for i in 0..d {
                self.values[0][i + j * d] = x[(i, j)];
            }
        }
        self.batch = b;
        Ok(())
    }

    /// Copy the columns `columns` of `X` (a mini-batch) into the input buffer, without checks.
    ///
    /// # Panics
    /// If X's row count is not the input dimension, a column index is out of
    /// range, or there are more columns than the capacity (the caller validated X).
    pub fn load_columns(&mut self, x: MatRef<'_, f64>, columns: &[usize]) {
        let d = self.dims[0];
        assert_eq!(
            x.nrows(),
            d,
            "load_columns: X has {} rows, input layer {d}",
            x.nrows()
        );
        assert!(
            !columns.is_empty() && columns.len() <= self.capacity,
            "load_columns: batch size"
        );
        for (b, &j) in columns.iter().enumerate() {
            for i in 0..d {
                self.values[0][i + b * d] = x[(i, j)];
            }
        }
        self.batch = columns.len();
    }
}

/// Split the node buffers into node `i`'s (mutable) and the earlier ones (shared).
pub(crate) fn split(values: &mut [Vec<f64>], i: usize) -> (&[Vec<f64>], &mut Vec<f64>) {
    let (before, after) = values.split_at_mut(i);
    (before, &mut after[0])
}

impl Network {
    /// Load `X` (`D_0 × B`, samples as columns) and run the forward pass.
    ///
    /// # Errors
    /// As [`Workspace::load`]; if `w` has the wrong length; if `ws` was made
    /// for another network.
    pub fn forward(&self, w: &[f64], x: MatRef<'_, f64>, ws: &mut Workspace) -> Result<(), Error> {
        if !ws.fits(self) {
            return Err(Error::invalid(
                "forward pass",
                format!(
                    "the workspace was made for a network with node widths {:?}, this one has {:?}",
                    ws.dims,
                    self.nodes().iter().map(Node::dim).collect::<Vec<_>>()
                ),
            ));
        }
        if w.len() != self.n_params() {
            return Err(Error::invalid(
                "forward pass",
                format!(
                    "w has {} entries but the network has {} parameters",
                    w.len(),
                    self.n_params()
                ),
            ));
        }
        ws.load(x)?;
        self.forward_loaded(w, ws);
        Ok(())
    }

    /// The forward pass on the batch already in `ws`, in topological order:
    /// affine `Z = W Y + b 1ᵀ` (one matmul), activation `Y = f(Z)` column by column,
    /// sum `Y = Σ U_i`. No allocation.
    ///
    /// # Panics
    /// If `w.len() != n_params()` or `ws` was made for another network.
    pub fn forward_loaded(&self, w: &[f64], ws: &mut Workspace) {
        assert_eq!(w.len(), self.n_params(), "forward: parameter vector length");
        assert!(ws.fits(self), "forward: workspace of another network");
        let b = ws.batch;
        for (i, node) in self.nodes().iter().enumerate().skip(1) {
            let (before, out) = split(&mut ws.values, i);
            let d = node.dim();
            let out = &mut out[..d * b];
            match node {
                Node::Input { .. } => unreachable!("only node 0 is the input"),
                Node::Affine { input, in_dim, .. } => {
                    let layout = self
                        .layers()
                        .iter()
                        .find(|l| l.node == i)
                        .expect("affine node has a layout");
                    let y =
                        MatRef::from_column_major_slice(&before[*input][..in_dim * b], *in_dim, b);
                    // z = W y + b  (D_k × B) = (D_k × D_{k−1}) (D_{k−1} × B) + b 1ᵀ
                    matmul(
                        MatMut::from_column_major_slice_mut(out, d, b),
                        layout.weights(w),
                        y,
                    );
                    let bias = layout.bias(w);
                    for col in out.chunks_exact_mut(d) {
                        for (zi, bi) in col.iter_mut().zip(bias) {
                            *zi += bi;
                        }
                    }
                }
                Node::Activation {
                    input, activation, ..
                } => {
                    let z = &before[*input][..d * b];
                    for (zc, yc) in z.chunks_exact(d).zip(out.chunks_exact_mut(d)) {
                        activation.apply(zc, yc);
                    }
                }
                Node::Sum { inputs, .. } => {
                    out.copy_from_slice(&before[inputs[0]][..d * b]);
                    for &u in &inputs[1..] {
                        for (o, v) in out.iter_mut().zip(&before[u][..d * b]) {
                            *o += v;
                        }
                    }
                }
            }
        }
    }
}
