//! Stochastic gradients: additive Gaussian noise around any objective, and
//! mini-batches of a sum of per-sample terms.

use descent_core::{Capabilities, Error, Objective, validate};
use descent_data::EpochSampler;
use descent_linalg::MatMut;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

/// `f` with a noisy gradient: `g̃(x) = ∇f(x) + σ z`, `z ~ N(0, I)` drawn afresh
/// at every gradient evaluation from `ChaCha8Rng::seed_from_u64(seed)`.
///
/// The value and any second derivatives are exact; only the gradient is noisy
/// (an unbiased estimate with covariance σ²I), the setting in which the
/// Robbins–Monro conditions matter: with a constant η the iterate stalls at a
/// noise floor of order ησ², with Σηₖ = ∞, Σηₖ² < ∞ it converges.
/// Reference: Robbins & Monro (1951); Bottou, Curtis & Nocedal (2018), §4.
#[derive(Debug, Clone)]
pub struct NoisyGradient<O> {
    objective: O,
    sigma: f64,
    rng: ChaCha8Rng,
}

impl<O: Objective> NoisyGradient<O> {
    /// Wrap `objective` with gradient noise of standard deviation σ per coordinate.
    ///
    /// # Errors
    /// σ not finite and ≥ 0 ("noisy gradient: σ must be finite and ≥ 0, got -1").
    pub fn new(objective: O, sigma: f64, seed: u64) -> Result<Self, Error> {
        validate::non_negative("noisy gradient", "σ", sigma)?;
        Ok(Self {
            objective,
            sigma,
            rng: ChaCha8Rng::seed_from_u64(seed),
        })
    }

    /// σ.
    pub fn sigma(&self) -> f64 {
        self.sigma
    }

    /// The wrapped objective.
    pub fn inner(&mut self) -> &mut O {
        &mut self.objective
    }

    fn add_noise(&mut self, grad: &mut [f64]) {
        for g in grad {
            let z: f64 = self.rng.sample(StandardNormal);
            *g += self.sigma * z;
        }
    }
}

impl<O: Objective> Objective for NoisyGradient<O> {
    fn name(&self) -> String {
        format!(
            "{} with gradient noise σ={}",
            self.objective.name(),
            self.sigma
        )
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
