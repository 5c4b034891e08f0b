//! Moving parameters between descent and PyTorch / JAX without an index
//! permutation.
//!
//! descent stores a network's parameters as one flat vector, per layer `W_k`
//! column-major then `b_k` (see [`LayerLayout`]). PyTorch's `nn.Linear` (and
//! the usual JAX/NumPy dumps of it) store `weight` as an `(out, in)` row-major
//! array and `bias` as `(out,)`. This module converts both ways:
//!
//! * [`Network::export_tensors`] / [`Network::import_tensors`]: a named map of
//!   [`Tensor`]s, `"{k}.weight"` (shape `[out, in]`, row-major) and
//!   `"{k}.bias"` (shape `[out]`) for layer k = 0, 1, … in order — the keys of
//!   `torch.nn.Sequential(Linear, act, Linear, …).state_dict()` up to the
//!   module index;
//! * [`Network::to_row_major`] / [`Network::from_row_major`]: the same numbers
//!   as one flat vector, per layer `W` row-major then `b`, which is what
//!   `torch.cat([p.flatten() for p in model.parameters()])` and
//!   `jax.flatten_util.ravel_pytree` of `(W, b)` pairs give.
//!
//! Tensors serialise with serde (e.g. to JSON as `{"shape": [3, 4], "data": […]}`).

use std::collections::BTreeMap;

use descent_core::Error;
use serde::{Deserialize, Serialize};

use crate::network::{LayerLayout, Network};

/// A dense array of `f64` in row-major (C) order with its shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tensor {
    /// The extent of each axis (`[out, in]` for a weight matrix, `[out]` for a bias).
    pub shape: Vec<usize>,
    /// The entries, last axis fastest.
    pub data: Vec<f64>,
}

/// The key of layer `k`'s (0-based) weight tensor.
fn weight_key(k: usize) -> String {
    format!("{k}.weight")
}

/// The key of layer `k`'s (0-based) bias tensor.
fn bias_key(k: usize) -> String {
    format!("{k}.bias")
}

/// `W_k` row-major then `b_k`, appended to `out`.
fn push_row_major(layer: &LayerLayout, w: &[f64], out: &mut Vec<f64>) {
    let wk = layer.weights(w);
    for i in 0..layer.rows {
        for j in 0..layer.cols {
            out.push(wk[(i, j)]);
        }
    }
    out.extend_from_slice(layer.bias(w));
}

/// Check a tensor's shape, length and values against what layer `k` needs.
fn check_tensor(key: &str, tensor: &Tensor, shape: &[usize]) -> Result<(), Error> {
    let context = format!("import tensor {key}");
    if tensor.shape != shape {
        return Err(Error::invalid(
            context,
            format!(
                "shape {:?} but the layer needs {shape:?} (PyTorch layout: weight [out, in], bias [out])",
                tensor.shape
            ),
        ));
    }
    let expected: usize = shape.iter().product();
    if tensor.data.len() != expected {
        return Err(Error::invalid(
            context,
            format!(
                "shape {shape:?} holds {expected} entries but data has {}",
                tensor.data.len()
            ),
        ));
    }
    if let Some(i) = tensor.data.iter().position(|v| !v.is_finite()) {
        return Err(Error::invalid(
            context,
            format!("entry {i} is {}, not finite", tensor.data[i]),
        ));
    }
    Ok(())
}

impl Network {
    /// The parameters as PyTorch-style named tensors: `"{k}.weight"` with
    /// shape `[out, in]` (row-major) and `"{k}.bias"` with shape `[out]`, for
    /// layer k = 0, 1, … (descent's layer k + 1).
    ///
    /// # Errors
    /// If `w` does not fit the network or holds a non-finite value.
    pub fn export_tensors(&self, w: &[f64]) -> Result<BTreeMap<String, Tensor>, Error> {
        self.check_params(w)?;
        let mut out = BTreeMap::new();
        for (k, layer) in self.layers().iter().enumerate() {
            let mut flat = Vec::with_capacity(layer.n_params());
            push_row_major(layer, w, &mut flat);
            let bias = flat.split_off(layer.rows * layer.cols);
            out.insert(
                weight_key(k),
                Tensor {
                    shape: vec![layer.rows, layer.cols],
                    data: flat,
                },
            );
            out.insert(
                bias_key(k),
                Tensor {
                    shape: vec![layer.rows],
                    data: bias,
                },
            );
        }
        Ok(out)
    }

    /// The flat parameter vector from PyTorch-style named tensors (the inverse
    /// of [`Network::export_tensors`]).
    ///
    /// # Errors
    /// A missing or unexpected key, a shape other than the layer's, a data
    /// length that does not match the shape, or a non-finite entry — each
    /// naming the tensor and the values.
    pub fn import_tensors(&self, tensors: &BTreeMap<String, Tensor>) -> Result<Vec<f64>, Error> {
        let n_layers = self.layers().len();
        let known = |key: &str| (0..n_layers).any(|k| key == weight_key(k) || key == bias_key(k));
        if let Some(key) = tensors.keys().find(|key| !known(key)) {
            return Err(Error::invalid(
                "import tensors",
                format!(
                    "unexpected tensor {key:?}; a network of {n_layers} layers takes \"0.weight\", \"0.bias\" … \"{}.bias\"",
                    n_layers.saturating_sub(1)
                ),
            ));
        }
        let mut w = vec![0.0; self.n_params()];
        for (k, layer) in self.layers().iter().enumerate() {
            let (wk, bk) = (weight_key(k), bias_key(k));
            let missing =
                |key: &str| Error::invalid("import tensors", format!("tensor {key:?} is missing"));
            let weight = tensors.get(&wk).ok_or_else(|| missing(&wk))?;
            let bias = tensors.get(&bk).ok_or_else(|| missing(&bk))?;
            check_tensor(&wk, weight, &[layer.rows, layer.cols])?;
            check_tensor(&bk, bias, &[layer.rows])?;
            let mut view = layer.weights_mut(&mut w);
            for i in 0..layer.rows {
                for j in 0..layer.cols {
                    view[(i, j)] = weight.data[i * layer.cols + j];
                }
            }
            layer.bias_mut(&mut w).copy_from_slice(&bias.data);
        }
        Ok(w)
    }

    /// The parameters as one flat vector in PyTorch/JAX order: per layer `W`
    /// row-major (`[out, in]`), then `b`.
    ///
    /// # Errors
    /// If `w` does not fit the network or holds a non-finite value.
    pub fn to_row_major(&self, w: &[f64]) -> Result<Vec<f64>, Error> {
        self.check_params(w)?;
        let mut out = Vec::with_capacity(w.len());
        for layer in self.layers() {
            push_row_major(layer, w, &mut out);
        }
        Ok(out)
    }

    /// The flat parameter vector from PyTorch/JAX order (the inverse of
    /// [`Network::to_row_major`]).
    ///
    /// # Errors
    /// If the length is not the network's parameter count or an entry is not finite.
    pub fn from_row_major(&self, flat: &[f64]) -> Result<Vec<f64>, Error> {
        if flat.len() != self.n_params() {
            return Err(Error::invalid(
                "import row-major parameters",
                format!(
                    "{} entries but the network has {} parameters",
                    flat.len(),
                    self.n_params()
                ),
            ));
        }
        if let Some(i) = flat.iter().position(|v| !v.is_finite()) {
            return Err(Error::invalid(
                "import row-major parameters",
                format!("entry {i} is {}, not finite", flat[i]),
            ));
        }
        let mut w = vec![0.0; flat.len()];
        let mut next = flat.iter().copied();
        for layer in self.layers() {
            let mut view = layer.weights_mut(&mut w);
            for i in 0..layer.rows {
                for j in 0..layer.cols {
                    view[(i, j)] = next.next().expect("length checked");
                }
            }
            for b in layer.bias_mut(&mut w) {
                *b = next.next().expect("length checked");
            }
        }
        Ok(w)
    }
}
