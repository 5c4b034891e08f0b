//! Data sets for descent: the samples a network is trained on.
//!
//! * [`Dataset`]: inputs `X` as a `d × N` matrix with **samples as columns**
//!   (the layout of a batch in the network crates), class labels with their
//!   number of classes and/or real-valued targets (`k × N`), a name and a
//!   provenance; [`one_hot`] encoding, seeded [`Dataset::train_test_split`] and
//!   allocation-free mini-batch gathering ([`Dataset::gather_inputs`]).
//! * [`Standardizer`]: z-scores fitted on the training part only
//!   ([`Split::standardized`]); constant features are centred, never NaN.
//! * [`synthetic`]: seeded generators (Gaussian blobs, XOR, two spirals,
//!   concentric circles, a linearly separable set) and the exact 1-D sets of
//!   experiment E5 (docs/claims.md lists the lab.s experiments) (perceptron vs least squares when one point
//!   is added; Brady, Raghavan & Slawny 1989).
//! * Real data compiled into the crate ([`digits`], [`breast_cancer`]); files,
//!   source and licences in `crates/descent-data/data/README.md`. Loading never
//!   downloads anything.
//! * [`load_csv`] / [`parse_csv`]: a validating CSV reader whose every
//!   rejection names the file, line, column and value.
//! * [`EpochSampler`]: seeded mini-batch indices visiting every sample once
//!   per epoch.
//!
//! ```
//! use descent_data::{EpochSampler, breast_cancer};
//! use descent_linalg::Mat;
//!
//! let data = breast_cancer(); // 30 × 569, classes 0 = malignant, 1 = benign
//! let (split, _standardizer) = data.train_test_split(0.2, 7)?.standardized()?;
//! assert_eq!((split.train.n_samples(), split.test.n_samples()), (455, 114));
//!
//! let mut sampler = EpochSampler::new(split.train.n_samples(), 32, 7)?;
//! let mut x = Mat::zeros(30, 32);
//! let batch = sampler.next_batch();
//! split.train.gather_inputs(batch, x.as_mut());
//! # Ok::<(), descent_core::Error>(())
//! ```
//!
//! Every random draw takes an explicit seed (`ChaCha8Rng::seed_from_u64`).
//!
//! **Must not know:** networks, losses, optimisers or schedules; it hands out
//! matrices and indices, nothing more.

mod csv;
mod dataset;
mod sampler;
mod shipped;
mod standardize;
pub mod synthetic;

#[cfg(test)]
mod tests;

pub use csv::{CsvOptions, LabelColumn, QUOTE_LIMIT, load_csv, parse_csv, parse_csv_bytes};
pub use dataset::{Dataset, MAX_CLASSES, Split, one_hot};
pub use sampler::{EpochSampler, ReplacementSampler};
pub use shipped::{
    BREAST_CANCER_CLASS_NAMES, BREAST_CANCER_CSV, DIGITS_CSV, breast_cancer, digits,
};
pub use standardize::Standardizer;
