//! The [`Dataset`] type: inputs with samples as columns, class labels and/or
//! real-valued targets, a name and a provenance; one-hot encoding, subsets,
//! seeded train/test splits and allocation-free gathering of mini-batches.

use descent_core::Error;
use descent_core::validate;
use descent_linalg::{Mat, MatMut, MatRef};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

/// A data set of `N` samples with `d` features.
///
/// **Layout: samples are columns.** The inputs are a `d × N` matrix `X` whose
/// column `n` is the sample `x_n ∈ ℝ^d`, the layout the network crates use for
/// a batch (`Z = W X + b 1ᵀ`). Targets follow the same convention:
/// * class labels `c_n ∈ {0, …, K−1}` with the number of classes `K`
///   ([`labels`](Self::labels), [`n_classes`](Self::n_classes)), turned into a
///   `K × N` one-hot matrix by [`one_hot`](Self::one_hot);
/// * and/or real-valued targets, a `k × N` matrix `D` whose column `n` is the
///   desired output `d_n` ([`targets`](Self::targets)).
///
/// A data set has at least one of the two. Every constructor checks that the
/// sizes agree, that `N ≥ 1` and `d ≥ 1`, that every value is finite and every
/// label is below `K`; past construction the fields are read-only.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    name: String,
    provenance: String,
    inputs: Mat<f64>,
    labels: Option<Vec<usize>>,
    n_classes: usize,
    targets: Option<Mat<f64>>,
}

/// A train/test partition of a [`Dataset`] (see [`Dataset::train_test_split`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    /// The training part.
    pub train: Dataset,
    /// The test part.
    pub test: Dataset,
    /// For each training sample, its column in the original data set.
    pub train_indices: Vec<usize>,
    /// For each test sample, its column in the original data set.
    pub test_indices: Vec<usize>,
}

fn check_inputs(context: &str, inputs: MatRef<'_, f64>) -> Result<(), Error> {
    if inputs.ncols() == 0 || inputs.nrows() == 0 {
        return Err(Error::invalid(
            context,
            format!(
                "inputs are {}×{} (features × samples); at least one feature and one sample are needed",
                inputs.nrows(),
                inputs.ncols()
            ),
        ));
    }
    check_finite(context, "input", inputs)
}

fn check_finite(context: &str, what: &str, m: MatRef<'_, f64>) -> Result<(), Error> {
    for j in 0..m.ncols() {
        for i in 0..m.nrows() {
            let v = m[(i, j)];
            if !v.is_finite() {
                return Err(Error::invalid(
                    context,
                    format!("{what} ({i}, {j}) (feature {i} of sample {j}) is {v}, not finite"),
                ));
            }
        }
    }
    Ok(())
}

/// The most classes a data set may have: 2²⁰ (a one-hot matrix of that many
/// rows already takes 8 MiB per sample).
pub const MAX_CLASSES: usize = 1 << 20;

fn check_labels(
    context: &str,
    labels: &[usize],
    n_classes: usize,
    n_samples: usize,
) -> Result<(), Error> {
    if n_classes == 0 {
        return Err(Error::invalid(
            context,
            "the number of classes must be ≥ 1, got 0",
        ));
    }
    if n_classes > MAX_CLASSES {
        return Err(Error::invalid(
            context,
            format!("{n_classes} classes exceed the limit of {MAX_CLASSES}"),
        ));
    }
    if labels.len() != n_samples {
        return Err(Error::invalid(
            context,
            format!("{} labels for {n_samples} samples", labels.len()),
        ));
    }
    if let Some(n) = labels.iter().position(|&c| c >= n_classes) {
        return Err(Error::invalid(
            context,
            format!(
                "label {} of sample {n} is outside 0..{n_classes} ({n_classes} classes)",
                labels[n]
            ),
        ));
    }
    Ok(())
}

fn check_targets(context: &str, targets: MatRef<'_, f64>, n_samples: usize) -> Result<(), Error> {
    if targets.ncols() != n_samples || targets.nrows() == 0 {
        return Err(Error::invalid(
            context,
            format!(
                "targets are {}×{}, expected k×{n_samples} with k ≥ 1 (one column per sample)",
                targets.nrows(),
                targets.ncols()
            ),
        ));
    }
    check_finite(context, "target", targets)
}

/// The `K × N` one-hot matrix of class labels: `T[c, n] = 1` if `labels[n] = c`,
/// else `0` (the hard targets of softmax + cross-entropy).
///
/// # Errors
/// [`Error::Invalid`] if `n_classes = 0` or a label is `≥ n_classes`, naming the
/// sample and the label.
pub fn one_hot(labels: &[usize], n_classes: usize) -> Result<Mat<f64>, Error> {
    check_labels("one-hot encoding", labels, n_classes, labels.len())?;
    let mut t = Mat::zeros(n_classes, labels.len());
    for (n, &c) in labels.iter().enumerate() {
        t[(c, n)] = 1.0;
    }
    Ok(t)
}

impl Dataset {
    /// A classification data set: inputs `X` (`d × N`, samples as columns),
    /// labels `c_n ∈ {0, …, K−1}` and the number of classes `K`.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the data set if `X` is empty, holds a non-finite
    /// value, the number of labels differs from `N`, `K = 0` or a label is `≥ K`.
    pub fn classification(
        name: impl Into<String>,
        provenance: impl Into<String>,
        inputs: Mat<f64>,
        labels: Vec<usize>,
        n_classes: usize,
    ) -> Result<Self, Error> {
        let name = name.into();
        let context = format!("dataset {name}");
        check_inputs(&context, inputs.as_ref())?;
        check_labels(&context, &labels, n_classes, inputs.ncols())?;
        Ok(Self {
            name,
            provenance: provenance.into(),
            inputs,
            labels: Some(labels),
            n_classes,
            targets: None,
        })
    }

    /// A regression data set: inputs `X` (`d × N`) and real targets `D` (`k × N`),
    /// column `n` of each being one sample.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the data set if `X` is empty, `D` does not have
    /// `N` columns and at least one row, or either holds a non-finite value.
    pub fn regression(
        name: impl Into<String>,
        provenance: impl Into<String>,
        inputs: Mat<f64>,
        targets: Mat<f64>,
    ) -> Result<Self, Error> {
        let name = name.into();
        let context = format!("dataset {name}");
        check_inputs(&context, inputs.as_ref())?;
        check_targets(&context, targets.as_ref(), inputs.ncols())?;
        Ok(Self {
            name,
            provenance: provenance.into(),
            inputs,
            labels: None,
            n_classes: 0,
            targets: Some(targets),
        })
    }

    /// [`Dataset::classification`] from samples as rows (`N × d`, the layout
    /// of NumPy, PyTorch and JAX arrays and of CSV files): row n is sample n.
    ///
    /// # Errors
    /// As [`Dataset::classification`].
    pub fn classification_from_rows(
        name: impl Into<String>,
        provenance: impl Into<String>,
        rows: MatRef<'_, f64>,
        labels: Vec<usize>,
        n_classes: usize,
    ) -> Result<Self, Error> {
        let inputs = rows.transpose().to_owned();
        Self::classification(name, provenance, inputs, labels, n_classes)
    }

    /// [`Dataset::regression`] from samples as rows: inputs `N × d` and
    /// targets `N × k`, row n of each being sample n.
    ///
    /// # Errors
    /// As [`Dataset::regression`].
    pub fn regression_from_rows(
        name: impl Into<String>,
        provenance: impl Into<String>,
        rows: MatRef<'_, f64>,
        target_rows: MatRef<'_, f64>,
    ) -> Result<Self, Error> {
        Self::regression(
            name,
            provenance,
            rows.transpose().to_owned(),
            target_rows.transpose().to_owned(),
        )
    }

    /// The same data set with real-valued targets `D` (`k × N`) attached (or
    /// replaced), e.g. the ±1 targets of an LMS fit next to the class labels.
    ///
    /// # Errors
    /// As for [`regression`](Self::regression).
    pub fn with_targets(mut self, targets: Mat<f64>) -> Result<Self, Error> {
        check_targets(
            &format!("dataset {}", self.name),
            targets.as_ref(),
            self.n_samples(),
        )?;
        self.targets = Some(targets);
        Ok(self)
    }

    /// The same samples with new inputs (same `N`) and provenance; the inputs
    /// are validated again (a transform may have overflowed).
    pub(crate) fn with_inputs(&self, inputs: Mat<f64>, provenance: String) -> Result<Self, Error> {
        let context = format!("dataset {}", self.name);
        check_inputs(&context, inputs.as_ref())?;
        assert_eq!(
            inputs.ncols(),
            self.n_samples(),
            "with_inputs: the number of samples changed"
        );
        Ok(Self {
            provenance,
            inputs,
            ..self.clone_without_inputs()
        })
    }

    fn clone_without_inputs(&self) -> Self {
        Self {
            name: self.name.clone(),
            provenance: String::new(),
            inputs: Mat::zeros(0, 0),
            labels: self.labels.clone(),
            n_classes: self.n_classes,
            targets: self.targets.clone(),
        }
    }

    /// The same data set under another name and provenance.
    pub fn renamed(mut self, name: impl Into<String>, provenance: impl Into<String>) -> Self {
        self.name = name.into();
        self.provenance = provenance.into();
        self
    }

    /// The data set's short name ("digits", "xor").
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Where the data come from: a file and its source, or a generator with its
    /// parameters and seed.
    pub fn provenance(&self) -> &str {
        &self.provenance
    }

    /// `N`, the number of samples (columns of [`inputs`](Self::inputs)).
    pub fn n_samples(&self) -> usize {
        self.inputs.ncols()
    }

    /// `d`, the number of features (rows of [`inputs`](Self::inputs)).
    pub fn n_features(&self) -> usize {
        self.inputs.nrows()
    }

    /// The inputs `X`, `d × N`, sample `n` in column `n`.
    pub fn inputs(&self) -> MatRef<'_, f64> {
        self.inputs.as_ref()
    }

    /// The class labels `c_n`, if this is a classification set.
    pub fn labels(&self) -> Option<&[usize]> {
        self.labels.as_deref()
    }

    /// `K`, the number of classes, if this is a classification set.
    pub fn n_classes(&self) -> Option<usize> {
        self.labels.as_ref().map(|_| self.n_classes)
    }

    /// The real-valued targets `D`, `k × N`, if any.
    pub fn targets(&self) -> Option<MatRef<'_, f64>> {
        self.targets.as_ref().map(Mat::as_ref)
    }

    /// How many samples each class has: entry `c` counts `{n : c_n = c}`.
    pub fn class_counts(&self) -> Option<Vec<usize>> {
        let labels = self.labels.as_ref()?;
        let mut counts = vec![0; self.n_classes];
        for &c in labels {
            counts[c] += 1;
        }
        Some(counts)
    }

    /// The `K × N` one-hot matrix of the labels (see [`one_hot`]).
    ///
    /// # Errors
    /// [`Error::Invalid`] if the data set has no class labels.
    pub fn one_hot(&self) -> Result<Mat<f64>, Error> {
        match &self.labels {
            Some(labels) => one_hot(labels, self.n_classes),
            None => Err(self.no_labels("one-hot encoding")),
        }
    }

    fn no_labels(&self, operation: &str) -> Error {
        Error::invalid(
            format!("{operation} of dataset {}", self.name),
            "it has no class labels",
        )
    }

    fn check_indices(&self, operation: &str, indices: &[usize]) -> Result<(), Error> {
        if let Some(k) = indices.iter().position(|&i| i >= self.n_samples()) {
            return Err(Error::invalid(
                format!("{operation} of dataset {}", self.name),
                format!(
                    "index {} (entry {k}) is out of range for {} samples",
                    indices[k],
                    self.n_samples()
                ),
            ));
        }
        Ok(())
    }

    /// The data set made of the samples `indices` (in that order; repeats
    /// allowed), with the same name and provenance.
    ///
    /// # Errors
    /// [`Error::Invalid`] if `indices` is empty or an index is `≥ N`.
    pub fn subset(&self, indices: &[usize]) -> Result<Self, Error> {
        self.check_indices("subset", indices)?;
        if indices.is_empty() {
            return Err(Error::invalid(
                format!("subset of dataset {}", self.name),
                "no indices given",
            ));
        }
        let inputs = Mat::from_fn(self.n_features(), indices.len(), |i, j| {
            self.inputs[(i, indices[j])]
        });
        let labels = self
            .labels
            .as_ref()
            .map(|l| indices.iter().map(|&i| l[i]).collect());
        let targets = self
            .targets
            .as_ref()
            .map(|t| Mat::from_fn(t.nrows(), indices.len(), |i, j| t[(i, indices[j])]));
        Ok(Self {
            name: self.name.clone(),
            provenance: self.provenance.clone(),
            inputs,
            labels,
            n_classes: self.n_classes,
            targets,
        })
    }

    /// Split into a training and a test part by a seeded shuffle.
    ///
    /// The permutation π of `0..N` is `ChaCha8Rng::seed_from_u64(seed)`'s
    /// Fisher–Yates shuffle (`rand::seq::SliceRandom::shuffle`); the test part is
    /// the first `N_test = round(test_fraction · N)` entries of π, the training
    /// part the remaining `N − N_test`, each in the order of π. The parts are
    /// disjoint and together hold every sample once. No stratification.
    ///
    /// # Errors
    /// [`Error::Hyperparameter`] if `test_fraction ∉ (0, 1)`; [`Error::Invalid`]
    /// if either part would be empty (e.g. `N = 1`, or `0.1 · 3` rounds to 0).
    pub fn train_test_split(&self, test_fraction: f64, seed: u64) -> Result<Split, Error> {
        validate::in_open_unit("train/test split", "test fraction", test_fraction)?;
        let n = self.n_samples();
        let n_test = (test_fraction * n as f64).round() as usize;
        if n_test == 0 || n_test == n {
            return Err(Error::invalid(
                format!("train/test split of dataset {}", self.name),
                format!(
                    "test fraction {test_fraction} of {n} samples gives {n_test} test and {} training samples; both must be ≥ 1",
                    n - n_test
                ),
            ));
        }
        let mut permutation: Vec<usize> = (0..n).collect();
        permutation.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
        let (test_indices, train_indices) = permutation.split_at(n_test);
        Ok(Split {
            train: self.subset(train_indices)?,
            test: self.subset(test_indices)?,
            train_indices: train_indices.to_vec(),
            test_indices: test_indices.to_vec(),
        })
    }

    /// Copy the input columns `indices` into `out` (`d × indices.len()`), for a
    /// mini-batch without allocation: `out[:, j] = X[:, indices[j]]`.
    ///
    /// # Panics
    /// If `out` is not `d × indices.len()` or an index is `≥ N` (the caller sizes
    /// both; indices come from an [`EpochSampler`](crate::EpochSampler) over this set).
    pub fn gather_inputs(&self, indices: &[usize], out: MatMut<'_, f64>) {
        gather_columns(self.inputs.as_ref(), indices, out);
    }

    /// Copy the one-hot columns of the labels `indices` into `out`
    /// (`K × indices.len()`): `out[c, j] = 1` if `c = c_{indices[j]}`, else 0.
    ///
    /// # Panics
    /// If the set has no labels, `out` has the wrong shape or an index is `≥ N`.
    pub fn gather_one_hot(&self, indices: &[usize], mut out: MatMut<'_, f64>) {
        let labels = self
            .labels
            .as_ref()
            .expect("gather_one_hot: the dataset has no class labels");
        assert_eq!(
            (out.nrows(), out.ncols()),
            (self.n_classes, indices.len()),
            "gather_one_hot: out must be K × batch"
        );
        for (j, &n) in indices.iter().enumerate() {
            for c in 0..self.n_classes {
                out[(c, j)] = 0.0;
            }
            out[(labels[n], j)] = 1.0;
        }
    }

    /// Copy the target columns `indices` into `out` (`k × indices.len()`).
    ///
    /// # Panics
    /// If the set has no real targets, `out` has the wrong shape or an index is `≥ N`.
    pub fn gather_targets(&self, indices: &[usize], out: MatMut<'_, f64>) {
        let targets = self
            .targets
            .as_ref()
            .expect("gather_targets: the dataset has no real targets");
        gather_columns(targets.as_ref(), indices, out);
    }
}

fn gather_columns(src: MatRef<'_, f64>, indices: &[usize], mut out: MatMut<'_, f64>) {
    assert_eq!(
        (out.nrows(), out.ncols()),
        (src.nrows(), indices.len()),
        "gather: out must be rows × batch"
    );
    for (j, &n) in indices.iter().enumerate() {
        for i in 0..src.nrows() {
            out[(i, j)] = src[(i, n)];
        }
    }
}
