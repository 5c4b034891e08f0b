//! Feature standardisation (z-scores) fitted on a training set and applied,
//! unchanged, to any other set with the same features.

use crate::dataset::{Dataset, Split};
use descent_core::Error;
use descent_linalg::{Mat, MatRef};

/// Per-feature affine map `x_i ↦ (x_i − μ_i) / s_i` with
/// `s_i = σ_i` if `σ_i > 0` and `s_i = 1` if `σ_i = 0`.
///
/// `μ_i` and `σ_i` are the mean and the *population* standard deviation
/// (divisor `N`, as scikit-learn's `StandardScaler`) of feature `i` over the
/// samples it was [`fit`](Self::fit) on. A constant feature (`σ_i = 0`, e.g. the
/// always-blank corner pixels of the digits) is only centred, so it becomes 0
/// rather than NaN.
///
/// "Constant" is decided up to rounding: a feature whose values are all
/// equal gets `μ_i` = that value exactly and `σ_i = 0`, and a computed
/// `σ_i ≤ N ε max_n |X[i, n]|` (N samples, ε = `f64::EPSILON`) is set to 0.
/// The summed mean of N values has a rounding error of at most
/// `(N − 1)(ε/2) Σ_n |X[i, n]| / N < N ε max|X[i, ·]|` (Higham, *Accuracy and
/// Stability of Numerical Algorithms*, 2nd ed., §4.2), and for a feature
/// constant in exact arithmetic that error is all the two-pass σ sees: e.g.
/// N copies of 0.1 have a computed mean 0.10000000000000002 and σ ≈ 1.4e-17,
/// which would scale the feature by 7·10¹⁶. A real spread is kept however
/// small its absolute size (the test is relative to the feature's magnitude).
///
/// Fit it on the training part only and apply the same map to the test part
/// ([`Split::standardized`]); fitting on the test part would leak it.
#[derive(Debug, Clone, PartialEq)]
pub struct Standardizer {
    mean: Vec<f64>,
    std: Vec<f64>,
}

impl Standardizer {
    /// Fit to the inputs `X` (`d × N`, samples as columns):
    /// `μ_i = (1/N) Σ_n X[i, n]`, `σ_i = √((1/N) Σ_n (X[i, n] − μ_i)²)` (two-pass,
    /// the squares scaled by `max_n |X[i, n]|` so they neither underflow nor
    /// overflow), with `σ_i` set to 0 when it is within rounding of 0 (see the
    /// type's doc).
    ///
    /// # Errors
    /// [`Error::Invalid`] if `X` has no rows or no columns, or a non-finite entry.
    pub fn fit(inputs: MatRef<'_, f64>) -> Result<Self, Error> {
        let (d, n) = (inputs.nrows(), inputs.ncols());
        if d == 0 || n == 0 {
            return Err(Error::invalid(
                "standardizer fit",
                format!("inputs are {d}×{n} (features × samples); at least one of each is needed"),
            ));
        }
        let mut mean = vec![0.0; d];
        let mut std = vec![0.0; d];
        for i in 0..d {
            if let Some(j) = (0..n).find(|&j| !inputs[(i, j)].is_finite()) {
                return Err(Error::invalid(
                    "standardizer fit",
                    format!("input ({i}, {j}) is {}, not finite", inputs[(i, j)]),
                ));
            }
            let first = inputs[(i, 0)];
            if (1..n).all(|j| inputs[(i, j)] == first) {
                (mean[i], std[i]) = (first, 0.0);
                continue;
            }
            let mu = (0..n).map(|j| inputs[(i, j)]).sum::<f64>() / n as f64;
            // not all equal, so largest > 0; squares of (x − μ)/largest neither
            // underflow (features of size 1e-300) nor overflow (1e300)
            let largest = (0..n).map(|j| inputs[(i, j)].abs()).fold(0.0, f64::max);
            let scaled_var = (0..n)
                .map(|j| ((inputs[(i, j)] - mu) / largest).powi(2))
                .sum::<f64>()
                / n as f64;
            let sigma = largest * scaled_var.sqrt();
            mean[i] = mu;
            // constant up to the rounding of the mean (see the type's doc)
            std[i] = if sigma <= n as f64 * f64::EPSILON * largest.max(mu.abs()) {
                0.0
            } else {
                sigma
            };
        }
        Ok(Self { mean, std })
    }

    /// Fit to a data set's inputs (see [`fit`](Self::fit)).
    pub fn fit_dataset(dataset: &Dataset) -> Self {
        Self::fit(dataset.inputs()).expect("a Dataset's inputs are non-empty and finite")
    }

    /// The feature means `μ_i`.
    pub fn mean(&self) -> &[f64] {
        &self.mean
    }

    /// The feature standard deviations `σ_i` (population form; 0 for a constant feature).
    pub fn std(&self) -> &[f64] {
        &self.std
    }

    /// `(X[i, n] − μ_i) / s_i` for every entry (with `s_i` as in the type's doc).
    ///
    /// # Errors
    /// [`Error::Invalid`] if `X` does not have as many rows as features were fitted.
    pub fn transform(&self, inputs: MatRef<'_, f64>) -> Result<Mat<f64>, Error> {
        if inputs.nrows() != self.mean.len() {
            return Err(Error::invalid(
                "standardize",
                format!(
                    "inputs have {} features, the standardizer was fitted on {}",
                    inputs.nrows(),
                    self.mean.len()
                ),
            ));
        }
        Ok(Mat::from_fn(inputs.nrows(), inputs.ncols(), |i, j| {
            let s = if self.std[i] > 0.0 { self.std[i] } else { 1.0 };
            (inputs[(i, j)] - self.mean[i]) / s
        }))
    }

    /// The data set with standardised inputs (labels, targets, name kept; the
    /// provenance notes the standardisation).
    ///
    /// # Errors
    /// As for [`transform`](Self::transform).
    pub fn transform_dataset(&self, dataset: &Dataset) -> Result<Dataset, Error> {
        let inputs = self.transform(dataset.inputs())?;
        dataset.with_inputs(inputs, format!("{}; standardized", dataset.provenance()))
    }
}

impl Split {
    /// Standardise both parts with a [`Standardizer`] fitted on the training part
    /// only; returns the standardised split and the fitted map.
    ///
    /// # Errors
    /// None in practice (both parts have the same features); the `Result` is
    /// that of [`Standardizer::transform_dataset`].
    pub fn standardized(self) -> Result<(Split, Standardizer), Error> {
        let standardizer = Standardizer::fit_dataset(&self.train);
        let split = Split {
            train: standardizer.transform_dataset(&self.train)?,
            test: standardizer.transform_dataset(&self.test)?,
            train_indices: self.train_indices,
            test_indices: self.test_indices,
        };
        Ok((split, standardizer))
    }
}
