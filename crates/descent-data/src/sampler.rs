//! [`EpochSampler`]: seeded mini-batch indices, every sample once per epoch.

use descent_core::{Error, validate};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

/// Mini-batch indices drawn without replacement within an epoch.
///
/// At the start of each epoch the index permutation π is shuffled in place
/// (Fisher–Yates with `ChaCha8Rng::seed_from_u64(seed)`, one generator for the
/// whole run); the epoch's batches are the consecutive slices
/// `π[0..B], π[B..2B], …` of length `B` = batch size, the last one holding the
/// `N mod B` remaining indices if `B` does not divide `N`. So every sample is
/// visited exactly once per epoch, there are `⌈N/B⌉` batches per epoch, and the
/// sequence is a function of `(N, B, seed)` only. No allocation after
/// construction.
#[derive(Debug, Clone)]
pub struct EpochSampler {
    permutation: Vec<usize>,
    batch_size: usize,
    position: usize,
    epoch: usize,
    rng: ChaCha8Rng,
}

impl EpochSampler {
    /// A sampler over `0..n_samples` with batches of `batch_size`.
    ///
    /// # Errors
    /// [`Error::Hyperparameter`] if `n_samples = 0` or `batch_size = 0`;
    /// [`Error::Invalid`] if `batch_size > n_samples`.
    pub fn new(n_samples: usize, batch_size: usize, seed: u64) -> Result<Self, Error> {
        validate::at_least("epoch sampler", "number of samples", n_samples, 1)?;
        validate::at_least("epoch sampler", "batch size", batch_size, 1)?;
        if batch_size > n_samples {
            return Err(Error::invalid(
                "epoch sampler",
                format!("batch size {batch_size} exceeds the number of samples {n_samples}"),
            ));
        }
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut permutation: Vec<usize> = (0..n_samples).collect();
        permutation.shuffle(&mut rng);
        Ok(Self {
            permutation,
            batch_size,
            position: 0,
            epoch: 0,
            rng,
        })
    }

    /// The next batch of sample indices. When the current epoch is exhausted the
    /// permutation is reshuffled and the epoch counter advances first.
    pub fn next_batch(&mut self) -> &[usize] {
        if self.position == self.permutation.len() {
            self.permutation.shuffle(&mut self.rng);
            self.position = 0;
            self.epoch += 1;
        }
        let start = self.position;
        let end = (start + self.batch_size).min(self.permutation.len());
        self.position = end;
        &self.permutation[start..end]
    }

    /// The number of the epoch the last returned batch belongs to (0-based; 0
    /// before the first batch).
    pub fn epoch(&self) -> usize {
        self.epoch
    }

    /// `⌈N / B⌉`, the number of batches in one epoch.
    pub fn batches_per_epoch(&self) -> usize {
        self.permutation.len().div_ceil(self.batch_size)
    }

    /// `B`, the batch size (the last batch of an epoch may be smaller).
    pub fn batch_size(&self) -> usize {
        self.batch_size
    }

    /// `N`, the number of samples.
    pub fn n_samples(&self) -> usize {
        self.permutation.len()
    }
}

/// Mini-batch indices drawn uniformly **with** replacement: each index of a
/// batch is an independent draw from `0..N`, so a batch may repeat a sample.
///
/// Drawn with `ChaCha8Rng::seed_from_u64(seed)` and `Uniform{0..N}` (rand's
/// unbiased integer sampling); the sequence is a function of `(N, B, seed)`.
/// A with-replacement batch mean of per-sample gradients has variance
/// `T/B` (T the population variance of the per-sample gradients), against
/// `(T/B)(N − B)/(N − 1)` without replacement (the finite-population factor).
/// No allocation after construction.
///
/// Reference: Cochran, *Sampling Techniques* (1977), §2.6.
#[derive(Debug, Clone)]
pub struct ReplacementSampler {
    batch: Vec<usize>,
    distribution: rand::distr::Uniform<usize>,
    rng: ChaCha8Rng,
}

impl ReplacementSampler {
    /// A sampler over `0..n_samples` with batches of `batch_size` (any size ≥ 1,
    /// also above `n_samples`).
    ///
    /// # Errors
    /// [`Error::Hyperparameter`] if `n_samples = 0` or `batch_size = 0`.
    pub fn new(n_samples: usize, batch_size: usize, seed: u64) -> Result<Self, Error> {
        validate::at_least("replacement sampler", "number of samples", n_samples, 1)?;
        validate::at_least("replacement sampler", "batch size", batch_size, 1)?;
        let distribution = rand::distr::Uniform::new(0, n_samples)
            .map_err(|e| Error::invalid("replacement sampler", e.to_string()))?;
        Ok(Self {
            batch: vec![0; batch_size],
            distribution,
            rng: ChaCha8Rng::seed_from_u64(seed),
        })
    }

    /// The next batch: `B` independent uniform draws from `0..N`.
    pub fn next_batch(&mut self) -> &[usize] {
        use rand::Rng;
        for slot in &mut self.batch {
            *slot = self.rng.sample(self.distribution);
        }
        &self.batch
    }
}
