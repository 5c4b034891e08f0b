//! Rosenblatt's perceptron: one threshold unit trained by the perceptron rule,
//! which needs no gradient (the step function has none).

use descent_core::Error;
use descent_linalg::{MatRef, dot};

/// One threshold unit `y = step(wᵀx + b)` (`step(z) = 1` if `z ≥ 0`, else 0),
/// trained by the perceptron rule
/// `w ← w + η (d − y) x`, `b ← b + η (d − y)` on each misclassified sample.
///
/// On linearly separable data the rule stops after at most `(R/γ)²` updates
/// (Novikoff 1962; R = max ‖x‖, γ the margin).
///
/// Reference: Rosenblatt (1958), "The perceptron: a probabilistic model for
/// information storage and organization in the brain".
#[derive(Debug, Clone, PartialEq)]
pub struct Perceptron {
    weights: Vec<f64>,
    bias: f64,
    learning_rate: f64,
}

/// What a perceptron training run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PerceptronRun {
    /// Epochs run (passes over the data in order).
    pub epochs: usize,
    /// Did an epoch pass without a mistake (the data are separated)?
    pub converged: bool,
    /// Mistakes (= updates) in each epoch.
    pub mistakes_per_epoch: Vec<usize>,
}

impl Perceptron {
    /// A unit with `dim` inputs, `w = 0`, `b = 0`, step size η.
    ///
    /// # Errors
    /// If `dim == 0` or η is not finite and > 0.
    pub fn new(dim: usize, learning_rate: f64) -> Result<Self, Error> {
        descent_core::validate::at_least("perceptron", "input dimension", dim, 1)?;
        descent_core::validate::positive("perceptron", "η", learning_rate)?;
        Ok(Self {
            weights: vec![0.0; dim],
            bias: 0.0,
            learning_rate,
        })
    }
    /// `w`.
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }
    /// `b`.
    pub fn bias(&self) -> f64 {
        self.bias
    }
    /// `step(wᵀx + b)` ∈ {0, 1}.
    ///
    /// # Panics
    /// If `x.len()` differs from the input dimension.
    pub fn predict(&self, x: &[f64]) -> f64 {
        if dot(&self.weights, x) + self.bias >= 0.0 {
            1.0
        } else {
            0.0
        }
    }

    /// Run the perceptron rule over the columns of `X` (`dim × N`, samples as
    /// columns) with labels `d_n ∈ {0, 1}`, epoch after epoch, until an epoch makes
    /// no mistake or `max_epochs` have run.
    ///
    /// # Errors
    /// If X's row count differs from the input dimension, the label count from N,
    /// a label is not 0 or 1, or an input is not finite.
    pub fn train(
        &mut self,
        x: MatRef<'_, f64>,
        labels: &[f64],
        max_epochs: usize,
    ) -> Result<PerceptronRun, Error> {
        let ctx = "perceptron training";
        if x.nrows() != self.weights.len() {
            return Err(Error::invalid(
                ctx,
                format!(
                    "the data has {} features but the perceptron has {} inputs",
                    x.nrows(),
                    self.weights.len()
                ),
            ));
        }
        if labels.len() != x.ncols() {
            return Err(Error::invalid(
                ctx,
                format!("{} labels for {} samples", labels.len(), x.ncols()),
            ));
        }
        if let Some(n) = labels.iter().position(|&l| l != 0.0 && l != 1.0) {
            return Err(Error::invalid(
                ctx,
                format!("label {} of sample {n} is not 0 or 1", labels[n]),
            ));
        }
        let mut sample = vec![0.0; x.nrows()];
        for j in 0..x.ncols() {
            for i in 0..x.nrows() {
                if !x[(i, j)].is_finite() {
                    return Err(Error::invalid(
                        ctx,
                        format!("input ({i}, {j}) is {}, not finite", x[(i, j)]),
                    ));
                }
            }
        }
        let mut run = PerceptronRun {
            epochs: 0,
            converged: false,
            mistakes_per_epoch: Vec::new(),
        };
        while run.epochs < max_epochs {
            let mut mistakes = 0;
            for (j, &d) in labels.iter().enumerate() {
                for (i, s) in sample.iter_mut().enumerate() {
                    *s = x[(i, j)];
                }
                let y = self.predict(&sample);
                if y != d {
                    // w ← w + η (d − y) x ; b ← b + η (d − y)
                    let step = self.learning_rate * (d - y);
                    descent_linalg::axpy(step, &sample, &mut self.weights);
                    self.bias += step;
                    mistakes += 1;
                }
            }
            run.epochs += 1;
            run.mistakes_per_epoch.push(mistakes);
            if mistakes == 0 {
                run.converged = true;
                break;
            }
        }
        Ok(run)
    }
}
