//! Divergences `Div(y, d)` between the network output y and the target d, each
//! with its gradient (a row vector, `∇_y Div`) and its Hessian with respect to
//! y (needed by the Gauss–Newton product `G = Jᵀ H_out J`).
//!
//! The fused forms take logits: the network's last node is then affine
//! (identity output), and the divergence applies softmax or sigmoid itself,
//! which is what makes the log-sum-exp and `ln(1 + e^{−|z|})` forms stable and
//! gives the clean gradients `p − d` and `σ(z) − d`.

use descent_core::Error;
use descent_linalg::{Mat, MatRef};
use serde::{Deserialize, Serialize};

use crate::activation::sigmoid;

/// A divergence between the network output y (length m) and a target d.
///
/// References: Bishop, *Pattern Recognition and Machine Learning* (2006) §4.3 and §5.2;
/// Schraudolph (2002), "Fast curvature matrix-vector products", for the matching losses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Divergence {
    /// `Div = ½‖y − d‖²`; `∇ = (y − d)ᵀ`; `H = I`. Any finite target.
    L2,
    /// Softmax + cross-entropy on logits y: `p = softmax(y)`,
    /// `Div = −Σ d_i ln p_i = s·lse(y) − dᵀy` with `s = Σ d_i`, `lse(y) = max y + ln Σ e^{y_i − max y}`;
    /// `∇ = (s p − d)ᵀ`; `H = s (diag p − p pᵀ)`. Targets `d_i ≥ 0` (one-hot or soft).
    SoftmaxCrossEntropy,
    /// Softmax + KL divergence `KL(d ‖ p) = Σ d_i ln(d_i / p_i)` (with `0 ln 0 = 0`)
    /// = cross-entropy − entropy of d: the same gradient and Hessian as
    /// [`Divergence::SoftmaxCrossEntropy`], value 0 at `p = d`. Targets are distributions.
    SoftmaxKl,
    /// Sigmoid + binary cross-entropy on logits y, summed over outputs:
    /// `Div = Σ_i [softplus(y_i) − d_i y_i]` (= `−d ln σ − (1−d) ln(1−σ)`, stable for any y);
    /// `∇ = (σ(y) − d)ᵀ`; `H = diag(σ(1 − σ))`. Targets in `[0, 1]`.
    #[serde(rename = "sigmoid_bce", alias = "sigmoid_binary_cross_entropy")]
    SigmoidBinaryCrossEntropy,
}

impl Divergence {
    /// The name used in messages and reports ("l2", "softmax_cross_entropy", …).
    pub fn name(&self) -> &'static str {
        match self {
            Divergence::L2 => "l2",
            Divergence::SoftmaxCrossEntropy => "softmax_cross_entropy",
            Divergence::SoftmaxKl => "softmax_kl",
            Divergence::SigmoidBinaryCrossEntropy => "sigmoid_bce",
        }
    }

    /// `Div(y, d)` for one sample.
    pub fn value(&self, y: &[f64], d: &[f64]) -> f64 {
        debug_assert_eq!(y.len(), d.len());
        match self {
            Divergence::L2 => 0.5 * y.iter().zip(d).map(|(a, b)| (a - b) * (a - b)).sum::<f64>(),
            Divergence::SoftmaxCrossEntropy | Divergence::SoftmaxKl => {
                // −ln p_i = lse − y_i = (max y − y_i) + ln1p(r): a sum of two
                // non-negative terms, accurate even when p_i rounds to 1
                let (m, _, r) = softmax_parts(y);
                let l1 = r.ln_1p();
                let mut v = 0.0;
                for (yi, di) in y.iter().zip(d) {
                    if *di == 0.0 {
                        continue;
                    }
                    let neg_ln_p = (m - yi) + l1;
                    v += if *self == Divergence::SoftmaxKl {
                        di * (di.ln() + neg_ln_p)
                    } else {
                        di * neg_ln_p
                    };
                }
                v
            }
            // softplus(y) − d y = (max(y, 0) − d y) + ln1p(e^{−|y|}): for d = 1,
            // y ≫ 0 the first bracket is exactly 0 and the result e^{−y} keeps its digits
            Divergence::SigmoidBinaryCrossEntropy => y
                .iter()
                .zip(d)
                .map(|(yi, di)| (yi.max(0.0) - di * yi) + (-yi.abs()).exp().ln_1p())
                .sum(),
        }
    }

    /// `g ← (∇_y Div)ᵀ` for one sample (the row vector stored as a slice).
    pub fn gradient(&self, y: &[f64], d: &[f64], g: &mut [f64]) {
        match self {
            Divergence::L2 => {
                for ((gi, yi), di) in g.iter_mut().zip(y).zip(d) {
                    *gi = yi - di;
                }
            }
            Divergence::SoftmaxCrossEntropy | Divergence::SoftmaxKl => {
                // s p_i − d_i; at the arg max k, p_k = 1 − q with q = r / (1 + r), so
                // s p_k − d_k = Σ_{j≠k} d_j − s q, without the cancellation 1 − 1
                let (m, k, r) = softmax_parts(y);
                let s: f64 = d.iter().sum();
                let z = 1.0 + r;
                for ((gi, yi), di) in g.iter_mut().zip(y).zip(d) {
                    *gi = s * ((yi - m).exp() / z) - di;
                }
                let others: f64 = d
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != k)
                    .map(|(_, dj)| dj)
                    .sum();
                g[k] = others - s * (r / z);
            }
            Divergence::SigmoidBinaryCrossEntropy => {
                // σ(y) − d = (1 − d) σ(y) − d σ(−y): each term is accurate, so
                // d = 1, y ≫ 0 gives −σ(−y) ≈ −e^{−y} rather than 1 − 1 = 0
                for ((gi, yi), di) in g.iter_mut().zip(y).zip(d) {
                    *gi = (1.0 - di) * sigmoid(*yi) - di * sigmoid(-yi);
                }
            }
        }
    }

    /// `out ← H_out v` with `H_out = ∇²_y Div(y, d)`, for one sample, without forming H.
    pub fn hessian_vector(&self, y: &[f64], d: &[f64], v: &[f64], out: &mut [f64]) {
        match self {
            Divergence::L2 => out.copy_from_slice(v),
            Divergence::SoftmaxCrossEntropy | Divergence::SoftmaxKl => {
                // H v = s (p ⊙ v − p (pᵀ v))
                softmax_into(y, out);
                let s: f64 = d.iter().sum();
                let pv: f64 = out.iter().zip(v).map(|(p, vi)| p * vi).sum();
                for (o, vi) in out.iter_mut().zip(v) {
                    *o = s * *o * (vi - pv);
                }
            }
            Divergence::SigmoidBinaryCrossEntropy => {
                // σ(1 − σ) = σ(y) σ(−y), accurate for large |y|
                for ((o, yi), vi) in out.iter_mut().zip(y).zip(v) {
                    *o = sigmoid(*yi) * sigmoid(-yi) * vi;
                }
            }
        }
    }

    /// The dense Hessian `∇²_y Div(y, d)` (m×m), for teaching and tests.
    pub fn hessian(&self, y: &[f64], d: &[f64]) -> Mat<f64> {
        let m = y.len();
        let mut h = Mat::zeros(m, m);
        let mut e = vec![0.0; m];
        let mut col = vec![0.0; m];
        for j in 0..m {
            e[j] = 1.0;
            self.hessian_vector(y, d, &e, &mut col);
            for i in 0..m {
                h[(i, j)] = col[i];
            }
            e[j] = 0.0;
        }
        h
    }

    /// Validate a target matrix `D` (`m × N`, samples as columns) for this divergence.
    ///
    /// # Errors
    /// Wrong row count, a non-finite entry, a negative entry (softmax forms), a
    /// column of [`Divergence::SoftmaxKl`] not summing to 1 (within 1e-9), or an entry
    /// outside `[0, 1]` (BCE) — each naming the entry and its value.
    pub fn check_targets(&self, targets: MatRef<'_, f64>, output_dim: usize) -> Result<(), Error> {
        let ctx = format!("{} targets", self.name());
        if targets.nrows() != output_dim {
            return Err(Error::invalid(
                ctx,
                format!(
                    "targets have {} rows but the network output has {output_dim}",
                    targets.nrows()
                ),
            ));
        }
        for j in 0..targets.ncols() {
            let mut sum = 0.0;
            for i in 0..output_dim {
                let v = targets[(i, j)];
                let bad = match self {
                    _ if !v.is_finite() => Some("not finite"),
                    Divergence::L2 => None,
                    Divergence::SoftmaxCrossEntropy | Divergence::SoftmaxKl if v < 0.0 => {
                        Some("negative")
                    }
                    Divergence::SigmoidBinaryCrossEntropy if !(0.0..=1.0).contains(&v) => {
                        Some("outside [0, 1]")
                    }
                    _ => None,
                };
                if let Some(why) = bad {
                    return Err(Error::invalid(
                        ctx,
                        format!("target ({i}, {j}) is {v}: {why}"),
                    ));
                }
                sum += v;
            }
            if *self == Divergence::SoftmaxKl && (sum - 1.0).abs() > 1e-9 {
                return Err(Error::invalid(
                    ctx,
                    format!("target column {j} sums to {sum}, not 1"),
                ));
            }
        }
        Ok(())
    }

    /// Targets from class labels for a network with `output_dim` outputs:
    /// one-hot columns (`m × N`), except [`Divergence::SigmoidBinaryCrossEntropy`]
    /// with one output, where the label itself (0 or 1) is the target.
    ///
    /// # Errors
    /// "label 12 of sample 5 is outside the output range 0..10".
    pub fn targets_from_labels(
        &self,
        labels: &[usize],
        output_dim: usize,
    ) -> Result<Mat<f64>, Error> {
        let binary = *self == Divergence::SigmoidBinaryCrossEntropy && output_dim == 1;
        let classes = if binary { 2 } else { output_dim };
        if let Some(n) = labels.iter().position(|&l| l >= classes) {
            return Err(Error::invalid(
                format!("{} targets", self.name()),
                format!(
                    "label {} of sample {n} is outside the output range 0..{classes}",
                    labels[n]
                ),
            ));
        }
        Ok(if binary {
            Mat::from_fn(1, labels.len(), |_, j| labels[j] as f64)
        } else {
            Mat::from_fn(output_dim, labels.len(), |i, j| {
                if labels[j] == i { 1.0 } else { 0.0 }
            })
        })
    }
}

/// `ln Σ_i e^{y_i}`, computed as `max y + ln1p(Σ_{j≠k} e^{y_j − max y})` with `k` the
/// (first) arg max, so the correction keeps its digits when it is below ε.
/// `+∞` if some `y_i = +∞`; `−∞` for an empty slice or all `y_i = −∞`.
pub fn log_sum_exp(y: &[f64]) -> f64 {
    let (m, _, r) = softmax_parts(y);
    if m.is_infinite() { m } else { m + r.ln_1p() }
}

/// `(max y, k, r)` with `k` the first arg max and `r = Σ_{j≠k} e^{y_j − max y}`, so
/// `Σ_j e^{y_j} = e^{max y} (1 + r)` and `p_k = 1 / (1 + r)`.
fn softmax_parts(y: &[f64]) -> (f64, usize, f64) {
    let (mut m, mut k) = (f64::NEG_INFINITY, 0);
    for (j, v) in y.iter().enumerate() {
        if *v > m {
            (m, k) = (*v, j);
        }
    }
    let r = y
        .iter()
        .enumerate()
        .filter(|(j, _)| *j != k)
        .map(|(_, v)| (v - m).exp())
        .sum();
    (m, k, r)
}

fn softmax_into(y: &[f64], p: &mut [f64]) {
    crate::activation::Activation::Softmax.apply(y, p);
}
