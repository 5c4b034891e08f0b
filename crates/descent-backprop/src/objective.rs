//! Network + data + divergence as a `descent_core::Objective`, full-batch or
//! mini-batch with a seeded sampler.

use descent_core::{Capabilities, Error, GaussNewtonProduct, Objective};
use descent_data::{Dataset, EpochSampler};
use descent_graph::{Divergence, Network};
use descent_linalg::{Mat, MatMut, MatRef};

use crate::fast::Backprop;

/// The training loss of a network on a data set,
/// `L(w) = (1/N) Σ_n Div(y_N(x_n; w), d_n) + (λ/2) ‖w‖²`,
/// as a [`descent_core::Objective`] with value, gradient (fast backprop), exact
/// Hessian-vector products (R-operator), the dense Hessian (n Hv products) and
/// Gauss–Newton products ([`NetworkObjective::gauss_newton_vector_product`]) and
/// Becker & LeCun's diagonal Gauss–Newton approximation
/// ([`NetworkObjective::becker_lecun_diagonal`]).
///
/// Data: inputs `X` (`D_0 × N`) and targets `T` (`D_N × N`), **samples as columns**.
/// The weight decay λ applies to every parameter, biases included.
///
/// **Mini-batch mode** ([`NetworkObjective::with_mini_batches`], batches drawn by
/// descent-data's [`EpochSampler`]: a seeded permutation per epoch, so an epoch
/// visits every sample once). Every evaluation is the mean over **the current
/// batch** `𝓑`: `L_𝓑(w) = (1/B) Σ_{b∈𝓑} Div_b + (λ/2)‖w‖²` — so `value` is a
/// stochastic estimate too, unlike descent-gd's `MiniBatch`, whose value is the
/// full-data mean (use [`NetworkObjective::full_loss`] for that). The batch changes
/// only at a gradient:
///
/// * `gradient` / `value_and_gradient` move to the next batch and evaluate on it
///   (the stochastic gradient of SGD) — except that the first gradient after a batch
///   was drawn by another evaluation uses that batch, so no batch is skipped and the
///   value and gradient of one step agree;
/// * `value`, `hessian_vector_product`, [`NetworkObjective::gauss_newton_vector_product`]
///   and [`NetworkObjective::becker_lecun_diagonal`] evaluate on the current batch,
///   drawing the first one if none has been drawn.
///
/// So `value(w)` then `value_and_gradient(w)` evaluate both on batch 1, and each
/// further `value_and_gradient` on batches 2, 3, ….
#[derive(Debug, Clone)]
pub struct NetworkObjective {
    network: Network,
    divergence: Divergence,
    inputs: Mat<f64>,
    targets: Mat<f64>,
    weight_decay: f64,
    sampler: Option<EpochSampler>,
    batch: Vec<usize>,
    /// A batch is loaded (always true in full-batch mode).
    drawn: bool,
    /// A gradient has been evaluated on the loaded batch, so the next gradient draws.
    used_by_gradient: bool,
    backprop: Backprop,
}

impl NetworkObjective {
    /// The full-batch training loss on `X` (`D_0 × N`) and `T` (`D_N × N`).
    ///
    /// # Errors
    /// A softmax divergence on a network with one output (identically 0) or
    /// whose output node is already a softmax (double softmax); a network
    /// without parameters;
    /// "the data has 3 features (rows of X) but the input layer has 2"; a target row
    /// count different from the output layer; N = 0 or column counts that differ; a
    /// non-finite input (named by row, column and value); targets outside the
    /// divergence's range; a threshold unit in the network.
    pub fn new(
        network: Network,
        divergence: Divergence,
        inputs: MatRef<'_, f64>,
        targets: MatRef<'_, f64>,
    ) -> Result<Self, Error> {
        let ctx = "network objective";
        if matches!(
            divergence,
            Divergence::SoftmaxCrossEntropy | Divergence::SoftmaxKl
        ) && network.output_dim() == 1
        {
            return Err(Error::invalid(
                ctx,
                format!(
                    "{} needs ≥ 2 outputs, the network has 1: the softmax of one logit is 1, \
                     so the loss is identically 0; for two classes use one output with {}",
                    divergence.name(),
                    Divergence::SigmoidBinaryCrossEntropy.name()
                ),
            ));
        }
        let output = &network.nodes()[network.output_node()];
        if matches!(
            divergence,
            Divergence::SoftmaxCrossEntropy | Divergence::SoftmaxKl
        ) && matches!(
            output,
            descent_graph::Node::Activation {
                activation: descent_graph::Activation::Softmax,
                ..
            }
        ) {
            return Err(Error::invalid(
                ctx,
                format!(
                    "the output node {} is a softmax and {} applies softmax to its input: \
                     softmax twice squeezes every probability towards 1/K; end the network \
                     with the affine layer (logits)",
                    network.output_node(),
                    divergence.name()
                ),
            ));
        }
        if network.n_params() == 0 {
            return Err(Error::invalid(
                ctx,
                "the network has no parameters: there is nothing to train",
            ));
        }
        if inputs.ncols() == 0 {
            return Err(Error::invalid(ctx, "the data set has no samples"));
        }
        if inputs.ncols() != targets.ncols() {
            return Err(Error::invalid(
                ctx,
                format!(
                    "{} samples (columns of X) but {} targets (columns of T)",
                    inputs.ncols(),
                    targets.ncols()
                ),
            ));
        }
        let mut backprop = Backprop::new(&network, inputs.ncols())?;
        // validates widths, finiteness and targets
        backprop.load(&network, divergence, inputs, targets)?;
        Ok(Self {
            inputs: inputs.to_owned(),
            targets: targets.to_owned(),
            network,
            divergence,
            weight_decay: 0.0,
            sampler: None,
            batch: Vec::new(),
            drawn: true,
            used_by_gradient: false,
            backprop,
        })
    }

    /// A classifier's loss from class labels: targets by [`Divergence::targets_from_labels`].
    ///
    /// # Errors
    /// As [`NetworkObjective::new`], and a label outside the output range
    /// ("label 12 of sample 5 is outside the output range 0..10") or a label count ≠ N.
    pub fn from_labels(
        network: Network,
        divergence: Divergence,
        inputs: MatRef<'_, f64>,
        labels: &[usize],
    ) -> Result<Self, Error> {
        if labels.len() != inputs.ncols() {
            return Err(Error::invalid(
                "network objective",
                format!(
                    "{} samples (columns of X) but {} labels",
                    inputs.ncols(),
                    labels.len()
                ),
            ));
        }
        let targets = divergence.targets_from_labels(labels, network.output_dim())?;
        Self::new(network, divergence, inputs, targets.as_ref())
    }

    /// The loss on a descent-data [`Dataset`]: from its class labels if it has them
    /// ([`NetworkObjective::from_labels`]), otherwise from its real-valued targets.
    ///
    /// For a classification set with K classes the network must have K outputs
    /// (one-hot targets), except [`Divergence::SigmoidBinaryCrossEntropy`] with one
    /// output, which needs K = 2 (the label is the target).
    ///
    /// # Errors
    /// As [`NetworkObjective::new`] / [`NetworkObjective::from_labels`], and an output
    /// count that does not fit the number of classes (naming both), prefixed with
    /// the data set's name.
    pub fn from_dataset(
        network: Network,
        divergence: Divergence,
        dataset: &Dataset,
    ) -> Result<Self, Error> {
        let named = |e: Error| Error::invalid(format!("dataset {}", dataset.name()), e.to_string());
        match (dataset.labels(), dataset.targets()) {
            (Some(labels), _) => {
                let (m, k) = (network.output_dim(), dataset.n_classes().unwrap_or(0));
                let binary = divergence == Divergence::SigmoidBinaryCrossEntropy && m == 1;
                if (binary && k != 2) || (!binary && m != k) {
                    let want = if binary {
                        "one output with sigmoid_bce needs 2 classes".to_string()
                    } else {
                        format!("{} needs one output per class", divergence.name())
                    };
                    return Err(named(Error::invalid(
                        "network objective",
                        format!(
                            "the data set has {k} classes but the network has {m} outputs ({want})"
                        ),
                    )));
                }
                Self::from_labels(network, divergence, dataset.inputs(), labels).map_err(named)
            }
            (None, Some(targets)) => {
                Self::new(network, divergence, dataset.inputs(), targets).map_err(named)
            }
            (None, None) => Err(Error::invalid(
                format!("dataset {}", dataset.name()),
                "has neither labels nor targets",
            )),
        }
    }

    /// Add the L2 weight decay `(λ/2)‖w‖²`.
    ///
    /// # Errors
    /// If λ is negative or not finite.
    pub fn with_weight_decay(mut self, lambda: f64) -> Result<Self, Error> {
        self.weight_decay =
            descent_core::validate::non_negative("network objective", "weight decay λ", lambda)?;
        Ok(self)
    }

    /// Switch to mini-batches of `batch_size`, drawn by an [`EpochSampler`] seeded with `seed`.
    ///
    /// # Errors
    /// If `batch_size` is 0 or above N.
    pub fn with_mini_batches(mut self, batch_size: usize, seed: u64) -> Result<Self, Error> {
        self.sampler = Some(EpochSampler::new(self.inputs.ncols(), batch_size, seed)?);
        self.backprop = Backprop::new(&self.network, batch_size)?;
        self.batch = Vec::with_capacity(batch_size);
        self.drawn = false;
        self.used_by_gradient = false;
        Ok(self)
    }

    /// The network.
    pub fn network(&self) -> &Network {
        &self.network
    }
    /// The divergence.
    pub fn divergence(&self) -> Divergence {
        self.divergence
    }
    /// The sampler, in mini-batch mode.
    pub fn sampler(&self) -> Option<&EpochSampler> {
        self.sampler.as_ref()
    }
    /// The sample indices of the current mini-batch (empty in full-batch mode or before the first draw).
    pub fn current_batch(&self) -> &[usize] {
        &self.batch
    }
    /// The number of samples N.
    pub fn n_samples(&self) -> usize {
        self.inputs.ncols()
    }
    /// The backprop buffers (node values and gradients of the last evaluation).
    pub fn backprop(&self) -> &Backprop {
        &self.backprop
    }

    /// Make sure a batch is loaded; `for_gradient`: move to the next batch unless
    /// the loaded one has not served a gradient yet (see the type's docs).
    fn draw(&mut self, for_gradient: bool) {
        if let Some(s) = self.sampler.as_mut() {
            let next = for_gradient && self.used_by_gradient;
            self.used_by_gradient |= for_gradient;
            if next || !self.drawn {
                self.batch.clear();
                self.batch.extend_from_slice(s.next_batch());
                self.backprop.load_columns(
                    self.inputs.as_ref(),
                    self.targets.as_ref(),
                    &self.batch,
                );
                self.drawn = true;
            }
        }
    }

    fn decay_value(&self, w: &[f64]) -> f64 {
        if self.weight_decay == 0.0 {
            0.0
        } else {
            0.5 * self.weight_decay * descent_linalg::dot(w, w)
        }
    }

    /// The Gauss–Newton product `G v = (1/B) Σ_b J_bᵀ H_out,b J_b v + λ v` (see
    /// [`Backprop::gauss_newton_vector_product`]) on the current batch.
    ///
    /// # Errors
    /// If `w`, `v` or `out` does not have length n.
    pub fn gauss_newton_vector_product(
        &mut self,
        w: &[f64],
        v: &[f64],
        out: &mut [f64],
    ) -> Result<(), Error> {
        self.check_lengths(w, v, out)?;
        self.draw(false);
        self.backprop
            .gauss_newton_vector_product(&self.network, w, self.divergence, v, out);
        descent_linalg::axpy(self.weight_decay, v, out);
        Ok(())
    }

    /// Becker & LeCun's diagonal Gauss–Newton approximation of `∇²L(w)` on the current
    /// batch, plus the weight decay: `out_i ≈ G_ii + λ`, every entry ≥ 0
    /// (see [`Backprop::becker_lecun_diagonal`] for the back-propagated recursion
    /// `∂²E/∂z_k² ≈ f′(z_k)² ⊙ ((W_{k+1} ⊙ W_{k+1})ᵀ ∂²E/∂z_{k+1}²)`,
    /// `diag H_{W_k,ij} ≈ mean_b y_{k−1,j}² ∂²E/∂z_{k,i}²`, `diag H_{b_k,i} ≈ mean_b ∂²E/∂z_{k,i}²`).
    /// Meant as per-parameter step sizes `η / max(out_i, δ)` (descent-newton's
    /// `DiagonalNewton::with_diagonal`).
    ///
    /// References: Becker & LeCun, "Improving the convergence of back-propagation
    /// learning with second order methods" (1988); LeCun, Bottou, Orr & Müller,
    /// "Efficient BackProp" (1998), §9.1.
    ///
    /// # Errors
    /// If `w` or `out` does not have length n, or the network has a softmax
    /// activation node (named in the message).
    pub fn becker_lecun_diagonal(&mut self, w: &[f64], out: &mut [f64]) -> Result<(), Error> {
        self.check_lengths(w, w, out)?;
        self.draw(false);
        self.backprop
            .becker_lecun_diagonal(&self.network, w, self.divergence, out)?;
        out.iter_mut().for_each(|o| *o += self.weight_decay);
        Ok(())
    }

    fn check_lengths(&self, w: &[f64], v: &[f64], out: &[f64]) -> Result<(), Error> {
        let n = self.network.n_params();
        if w.len() != n || v.len() != n || out.len() != n {
            return Err(Error::invalid(
                "network objective",
                format!(
                    "w, v, out have lengths {}, {}, {} but the network has {n} parameters",
                    w.len(),
                    v.len(),
                    out.len()
                ),
            ));
        }
        Ok(())
    }

    /// The mean divergence on the whole data set (ignoring mini-batches and weight decay),
    /// e.g. to report the training loss of an SGD run.
    ///
    /// # Panics
    /// If `w.len() != n_params`.
    pub fn full_loss(&self, w: &[f64]) -> f64 {
        let mut ws = descent_graph::Workspace::new(&self.network, self.n_samples()).expect("N ≥ 1");
        ws.load(self.inputs.as_ref()).expect("validated data");
        self.network.forward_loaded(w, &mut ws);
        let y = ws.output();
        let m = self.network.output_dim();
        let (mut ycol, mut dcol) = (vec![0.0; m], vec![0.0; m]);
        let mut s = 0.0;
        for j in 0..self.n_samples() {
            for i in 0..m {
                ycol[i] = y[(i, j)];
                dcol[i] = self.targets[(i, j)];
            }
            s += self.divergence.value(&ycol, &dcol);
        }
        s / self.n_samples() as f64
    }
}

impl Objective for NetworkObjective {
    fn name(&self) -> String {
        let sizes: Vec<String> = std::iter::once(self.network.input_dim())
            .chain(self.network.layers().iter().map(|l| l.rows))
            .map(|s| s.to_string())
            .collect();
        format!("network {} / {}", sizes.join("-"), self.divergence.name())
    }
    fn dim(&self) -> usize {
        self.network.n_params()
    }
    /// `L(w)` on the current batch (the whole set in full-batch mode).
    fn value(&mut self, w: &[f64]) -> f64 {
        self.draw(false);
        self.backprop.loss(&self.network, w, self.divergence) + self.decay_value(w)
    }
    /// `∇L(w) = (1/B) Σ_b ∇_w Div_b + λ w` by the fast backward pass.
    fn gradient(&mut self, w: &[f64], grad: &mut [f64]) {
        self.value_and_gradient(w, grad);
    }
    fn value_and_gradient(&mut self, w: &[f64], grad: &mut [f64]) -> f64 {
        self.draw(true);
        let loss = self
            .backprop
            .gradient(&self.network, w, self.divergence, grad);
        descent_linalg::axpy(self.weight_decay, w, grad);
        loss + self.decay_value(w)
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            hessian: true,
            hessian_vector_product: true,
        }
    }
    /// The dense Hessian, column j = `H e_j` by the R-operator (n products).
    fn hessian(&mut self, w: &[f64], mut hess: MatMut<'_, f64>) -> Result<(), Error> {
        let n = self.dim();
        let mut e = vec![0.0; n];
        let mut col = vec![0.0; n];
        for j in 0..n {
            e[j] = 1.0;
            self.hessian_vector_product(w, &e, &mut col)?;
            e[j] = 0.0;
            for i in 0..n {
                hess[(i, j)] = col[i];
            }
        }
        Ok(())
    }
    /// The exact `H v = ∇²L(w) v` by Pearlmutter's R-operator, plus `λ v`.
    fn hessian_vector_product(
        &mut self,
        w: &[f64],
        v: &[f64],
        out: &mut [f64],
    ) -> Result<(), Error> {
        self.check_lengths(w, v, out)?;
        self.draw(false);
        self.backprop
            .hessian_vector_product(&self.network, w, self.divergence, v, out);
        descent_linalg::axpy(self.weight_decay, v, out);
        Ok(())
    }
}

/// The network objective's Gauss–Newton product, for Hessian-free Gauss–Newton
/// (descent-newton): forwards to [`NetworkObjective::gauss_newton_vector_product`].
impl GaussNewtonProduct for NetworkObjective {
    fn gauss_newton_vector_product(
        &mut self,
        w: &[f64],
        v: &[f64],
        out: &mut [f64],
    ) -> Result<(), Error> {
        NetworkObjective::gauss_newton_vector_product(self, w, v, out)
    }
}
