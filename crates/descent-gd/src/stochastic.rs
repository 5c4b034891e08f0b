//! Stochastic gradients: additive Gaussian noise around any objective, and
//! mini-batches of a sum of per-sample terms.

use descent_core::{Capabilities, Error, Objective, validate};
use descent_data::EpochSampler;
use descent_linalg::MatMut;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

/// `f` with a noisy gradient: `g̃(x) = ∇f(x) + (σ/b) Σ_{j<b} z_j`, each
/// `z_j ~ N(0, I)` drawn afresh at every gradient evaluation from
/// `ChaCha8Rng::seed_from_u64(seed)`; b = 1 ([`NoisyGradient::new`]) unless a
/// mini-batch is asked for ([`NoisyGradient::with_batch`]).
///
/// The value and any second derivatives are exact; only the gradient is noisy
/// (an unbiased estimate with covariance σ²I/b: the mean of b independent
/// per-sample gradients each with covariance σ²I), the setting in which the
/// Robbins–Monro conditions matter: with a constant η the iterate stalls at a
/// noise floor of order ησ², with Σηₖ = ∞, Σηₖ² < ∞ it converges.
/// Reference: Robbins & Monro (1951); Bottou, Curtis & Nocedal (2018), §4.
#[derive(Debug, Clone)]
pub struct NoisyGradient<O> {
    objective: O,
    sigma: f64,
    batch: usize,
    rng: ChaCha8Rng,
}

impl<O: Objective> NoisyGradient<O> {
    /// Wrap `objective` with gradient noise of standard deviation σ per coordinate.
    ///
    /// # Errors
    /// σ not finite and ≥ 0 ("noisy gradient: σ must be finite and ≥ 0, got -1").
    pub fn new(objective: O, sigma: f64, seed: u64) -> Result<Self, Error> {
        Self::with_batch(objective, sigma, 1, seed)
    }

    /// Wrap `objective` with the gradient of a mini-batch of `batch` samples:
    /// `g̃(x) = ∇f(x) + (1/b) Σ_{j<b} σ z_j` with b independent `z_j ~ N(0, I)`
    /// per evaluation, so each coordinate's noise has variance σ²/b. The noise
    /// is a real average of b draws (b draws per coordinate per evaluation), not
    /// one draw rescaled by 1/√b: the 1/b law is then a property of the
    /// average, which an experiment can measure. Reference: Bottou, Curtis &
    /// Nocedal (2018), §4.2 (mini-batching divides the variance by b).
    ///
    /// # Errors
    /// σ not finite and ≥ 0, or b = 0 ("noisy gradient: batch size b must be ≥ 1, got 0").
    pub fn with_batch(objective: O, sigma: f64, batch: usize, seed: u64) -> Result<Self, Error> {
        validate::non_negative("noisy gradient", "σ", sigma)?;
        validate::at_least("noisy gradient", "batch size b", batch, 1)?;
        Ok(Self {
            objective,
            sigma,
            batch,
            rng: ChaCha8Rng::seed_from_u64(seed),
        })
    }

    /// σ, the standard deviation of one sample's gradient noise per coordinate.
    pub fn sigma(&self) -> f64 {
        self.sigma
    }

    /// b, the number of samples averaged per gradient (1 unless [`NoisyGradient::with_batch`]).
    pub fn batch(&self) -> usize {
        self.batch
    }

    /// The wrapped objective.
    pub fn inner(&mut self) -> &mut O {
        &mut self.objective
    }

    fn add_noise(&mut self, grad: &mut [f64]) {
        let b = self.batch as f64;
        for g in grad {
            let mut sum = 0.0;
            for _ in 0..self.batch {
                let z: f64 = self.rng.sample(StandardNormal);
                sum += z;
            }
            *g += self.sigma * (sum / b);
        }
    }
}

impl<O: Objective> Objective for NoisyGradient<O> {
    fn name(&self) -> String {
        if self.batch == 1 {
            format!(
                "{} with gradient noise σ={}",
                self.objective.name(),
                self.sigma
            )
        } else {
            format!(
                "{} with gradient noise σ={} averaged over b={}",
                self.objective.name(),
                self.sigma,
                self.batch
            )
        }
    }
    fn dim(&self) -> usize {
        self.objective.dim()
    }
    fn value(&mut self, x: &[f64]) -> f64 {
        self.objective.value(x)
    }
    fn gradient(&mut self, x: &[f64], grad: &mut [f64]) {
        self.objective.gradient(x, grad);
        self.add_noise(grad);
    }
    fn value_and_gradient(&mut self, x: &[f64], grad: &mut [f64]) -> f64 {
        let f = self.objective.value_and_gradient(x, grad);
        self.add_noise(grad);
        f
    }
    fn capabilities(&self) -> Capabilities {
        self.objective.capabilities()
    }
    fn hessian(&mut self, x: &[f64], hess: MatMut<'_, f64>) -> Result<(), Error> {
        self.objective.hessian(x, hess)
    }
    fn hessian_vector_product(
        &mut self,
        x: &[f64],
        v: &[f64],
        out: &mut [f64],
    ) -> Result<(), Error> {
        self.objective.hessian_vector_product(x, v, out)
    }
}

/// An objective that is a mean over samples, `f(x) = (1/N) Σᵢ fᵢ(x)`, and can
/// evaluate the mean over any batch of them: a network's loss over a data
/// set, a least-squares fit.
pub trait SampledObjective {
    /// A short name.
    fn name(&self) -> String {
        "sampled objective".to_owned()
    }
    /// The number of variables n.
    fn dim(&self) -> usize;
    /// N, the number of samples.
    fn n_samples(&self) -> usize;
    /// `f(x) = (1/N) Σᵢ fᵢ(x)` over all samples.
    fn value(&mut self, x: &[f64]) -> f64;
    /// `(1/|B|) Σ_{i∈B} fᵢ(x)`, and its gradient into `grad`, for the sample
    /// indices `batch` (non-empty, each `< N`).
    fn batch_value_and_gradient(&mut self, x: &[f64], batch: &[usize], grad: &mut [f64]) -> f64;
}

/// Mini-batch gradients of a [`SampledObjective`]: every gradient evaluation
/// takes the next batch of a seeded [`EpochSampler`] (without replacement
/// within an epoch, reshuffled each epoch; `⌈N/B⌉` batches per epoch).
///
/// `value(x)` is the full-data mean f(x); `gradient` and `value_and_gradient`
/// use the next batch, and `value_and_gradient` reports that batch's mean loss
/// (an unbiased estimate of f), so a trace of SGD shows batch losses as
/// practitioners log them. Reference: Bottou, Curtis & Nocedal (2018), §3.3.
///
/// **Not for line-search methods** (Armijo, strong Wolfe, and the quasi-Newton,
/// Newton–CG and Gauss–Newton methods built on them): they compare `f(x + αp)`
/// from `value` (the full data) with `f(x)` from `value_and_gradient` (one
/// batch), and every gradient they request draws a new batch, so their
/// sufficient-decrease and curvature tests compare numbers from different
/// functions. Use it with fixed-step or scheduled methods (gradient descent,
/// momentum, the adaptive methods).
#[derive(Debug, Clone)]
pub struct MiniBatch<O> {
    objective: O,
    sampler: EpochSampler,
}

impl<O: SampledObjective> MiniBatch<O> {
    /// Batches of `batch_size` samples, shuffled with `seed`.
    ///
    /// # Errors
    /// As [`EpochSampler::new`]: no samples, batch size 0 or larger than N.
    pub fn new(objective: O, batch_size: usize, seed: u64) -> Result<Self, Error> {
        let sampler = EpochSampler::new(objective.n_samples(), batch_size, seed)?;
        Ok(Self { objective, sampler })
    }

    /// The epoch the last batch belonged to (0-based).
    pub fn epoch(&self) -> usize {
        self.sampler.epoch()
    }

    /// Batches per epoch, `⌈N/B⌉`.
    pub fn batches_per_epoch(&self) -> usize {
        self.sampler.batches_per_epoch()
    }

    /// The wrapped objective.
    pub fn inner(&mut self) -> &mut O {
        &mut self.objective
    }
}

impl<O: SampledObjective> Objective for MiniBatch<O> {
    fn name(&self) -> String {
        format!(
            "{} in batches of {}",
            self.objective.name(),
            self.sampler.batch_size()
        )
    }
    fn dim(&self) -> usize {
        self.objective.dim()
    }
    fn value(&mut self, x: &[f64]) -> f64 {
        self.objective.value(x)
    }
    fn gradient(&mut self, x: &[f64], grad: &mut [f64]) {
        let batch = self.sampler.next_batch();
        self.objective.batch_value_and_gradient(x, batch, grad);
    }
    fn value_and_gradient(&mut self, x: &[f64], grad: &mut [f64]) -> f64 {
        let batch = self.sampler.next_batch();
        self.objective.batch_value_and_gradient(x, batch, grad)
    }
}
