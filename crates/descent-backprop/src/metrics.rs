//! Classification metrics of a network: predicted classes, accuracy and error
//! rate on labelled samples.
//!
//! The predicted class of a sample is `argmax_i y_N,i` (the first index on a
//! tie); a network with one output is a binary classifier whose class is 1
//! when its output (a logit, as sigmoid + BCE trains it) is ≥ 0.

use descent_core::Error;
use descent_data::Dataset;
use descent_graph::{Network, Workspace};
use descent_linalg::MatRef;

/// The largest batch evaluated at once, so memory stays bounded on big data sets.
const CHUNK: usize = 1024;

/// The predicted class of every column of `x` (`D_0 × N`).
///
/// # Errors
/// If `w` does not fit the network, `x` has the wrong number of rows, no
/// columns or a non-finite entry (as [`Network::forward`]).
pub fn predict_classes(net: &Network, w: &[f64], x: MatRef<'_, f64>) -> Result<Vec<usize>, Error> {
    net.check_params(w)?;
    let n = x.ncols();
    let mut ws = Workspace::new(net, n.clamp(1, CHUNK))?;
    let mut out = Vec::with_capacity(n);
    let mut start = 0;
    while start < n {
        let end = (start + CHUNK).min(n);
        net.forward(w, x.subcols(start, end - start), &mut ws)?;
        let y = ws.value(net.output_node());
        for j in 0..end - start {
            out.push(if y.nrows() == 1 {
                usize::from(y[(0, j)] >= 0.0)
            } else {
                (0..y.nrows()).fold(0, |best, i| if y[(i, j)] > y[(best, j)] { i } else { best })
            });
        }
        start = end;
    }
    Ok(out)
}

/// The fraction of samples whose predicted class equals their label:
/// `accuracy = (1/N) Σ_n [ĉ_n = c_n]`.
///
/// # Errors
/// As [`predict_classes`]; a label count other than N, or a label outside the
/// network's classes (`≥ D_N`, or `≥ 2` for a one-output network), naming it.
pub fn accuracy(
    net: &Network,
    w: &[f64],
    x: MatRef<'_, f64>,
    labels: &[usize],
) -> Result<f64, Error> {
    let classes = net.output_dim().max(2);
    if labels.len() != x.ncols() {
        return Err(Error::invalid(
            "accuracy",
            format!("{} labels for {} samples", labels.len(), x.ncols()),
        ));
    }
    if let Some(n) = labels.iter().position(|&c| c >= classes) {
        return Err(Error::invalid(
            "accuracy",
            format!(
                "label {} of sample {n} is not a class of a network with {} outputs (classes 0..{})",
                labels[n],
                net.output_dim(),
                classes - 1
            ),
        ));
    }
    let predicted = predict_classes(net, w, x)?;
    let hits = predicted.iter().zip(labels).filter(|(p, c)| p == c).count();
    Ok(hits as f64 / labels.len() as f64)
}

/// `1 − accuracy` on a labelled data set.
///
/// # Errors
/// As [`accuracy`], and a data set without labels.
pub fn error_rate(net: &Network, w: &[f64], dataset: &Dataset) -> Result<f64, Error> {
    let labels = dataset.labels().ok_or_else(|| {
        Error::invalid(
            format!("error rate on dataset {}", dataset.name()),
            "the data set has no class labels",
        )
    })?;
    Ok(1.0 - accuracy(net, w, dataset.inputs(), labels)?)
}
