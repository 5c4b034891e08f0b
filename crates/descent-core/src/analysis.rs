//! Convergence analysis of a trace: the lecture's rate, the empirical order,
//! and the regime.
//!
//! With errors `e_k` (either `|f(x_k) − f*|` or `‖x_k − x*‖`):
//!
//! * rate `R_k = e_{k+1} / e_k` (the lecture's convergence rate); linear
//!   convergence has `R_k → R < 1`;
//! * order `q_k = log(e_{k+1}/e_k) / log(e_k/e_{k−1})`, from
//!   `e_{k+1} ≈ C e_k^q` (≈ 1 linear, ≈ 2 Newton);
//! * regime: monotone, oscillating (the sign of `x_k − x*` flips), stalled or
//!   diverging.
//!
//! Reference: Nocedal & Wright, *Numerical Optimization* (2006), §2.2 (rates of
//! convergence).

use serde::{Deserialize, Serialize};

/// Errors at or below this are treated as "reached": rates and orders are
/// computed only from the steps before the error falls under it.
pub const ERROR_FLOOR: f64 = 1e-300;

/// The prefix of `errors` that lies above `floor` (and is finite): where a run
/// reaches round-off (say `1e-12 · e₀`), the errors after it are noise, and a
/// rate computed from them is meaningless. Pass the result to [`rates`],
/// [`tail_rate`] or [`orders`].
pub fn above(errors: &[f64], floor: f64) -> &[f64] {
    let end = errors
        .iter()
        .position(|&e| !(e > floor && e.is_finite()))
        .unwrap_or(errors.len());
    &errors[..end]
}

/// `R_k = e_{k+1} / e_k` for consecutive errors, over the prefix above
/// [`ERROR_FLOOR`] (see [`above`] for a relative noise floor).
pub fn rates(errors: &[f64]) -> Vec<f64> {
    above(errors, ERROR_FLOOR)
        .windows(2)
        .map(|w| w[1] / w[0])
        .collect()
}

/// The tail rate: the geometric mean of the last `window` rates,
/// `(e_n / e_{n−window})^{1/window}`. `None` with fewer than one rate.
pub fn tail_rate(errors: &[f64], window: usize) -> Option<f64> {
    let r = rates(errors);
    if r.is_empty() {
        return None;
    }
    let w = window.clamp(1, r.len());
    let tail = &r[r.len() - w..];
    Some(geometric_mean(tail))
}

fn geometric_mean(xs: &[f64]) -> f64 {
    (xs.iter().map(|x| x.ln()).sum::<f64>() / xs.len() as f64).exp()
}

/// The empirical orders `q_k = log(e_{k+1}/e_k) / log(e_k/e_{k−1})` over the
/// prefix above [`ERROR_FLOOR`], skipping steps where `e_k = e_{k−1}`.
pub fn orders(errors: &[f64]) -> Vec<f64> {
    let mut out = Vec::new();
    for w in above(errors, ERROR_FLOOR).windows(3) {
        let den = (w[1] / w[0]).ln();
        if den != 0.0 {
            out.push((w[2] / w[1]).ln() / den);
        }
    }
    out
}

/// The order estimated from the last usable triple of errors whose newest
/// error is still above `noise_floor` (so round-off at the end of a Newton run
/// does not spoil it). `None` if there is no such triple.
pub fn tail_order(errors: &[f64], noise_floor: f64) -> Option<f64> {
    let usable: Vec<f64> = errors
        .iter()
        .copied()
        .take_while(|&e| e > noise_floor)
        .collect();
    orders(&usable).last().copied()
}

/// How a sequence behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Regime {
    /// Errors shrink and `x_k − x*` keeps its sign (or direction).
    ConvergingMonotonically,
    /// Errors shrink and `x_k − x*` flips sign at most steps.
    ConvergingWithOscillation,
    /// Errors neither shrink nor grow (tail rate within `1 ± tol`).
    Stalled,
    /// Errors grow.
    Diverging,
}

/// Settings of [`classify`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClassifyOptions {
    /// Rates within `1 ± stall_tolerance` count as stalled.
    pub stall_tolerance: f64,
    /// Number of final rates that decide.
    pub window: usize,
}

impl Default for ClassifyOptions {
    fn default() -> Self {
        Self {
            stall_tolerance: 1e-3,
            window: 10,
        }
    }
}

/// Classify a sequence of *signed* deviations `d_k = x_k − x*` of a scalar
/// iterate (1-D problems) by the tail rate of `|d_k|` and the sign flips of
/// `d_k`: tail rate `> 1 + tol` diverging, within `1 ± tol` stalled, otherwise
/// converging, with oscillation when more than half of the steps in the window
/// flip the sign.
///
/// A non-finite deviation classifies as [`Regime::Diverging`]; fewer than two
/// deviations above [`ERROR_FLOOR`] give `None`. Truncate at a noise floor
/// first (see [`above`]) when the run reached round-off.
pub fn classify(deviations: &[f64], options: ClassifyOptions) -> Option<Regime> {
    let errors: Vec<f64> = deviations.iter().map(|d| d.abs()).collect();
    let products: Vec<f64> = deviations.windows(2).map(|w| w[0] * w[1]).collect();
    classify_from(&errors, &products, options)
}

/// [`classify`] for vector iterates: `d_k = x_k − x*`, with a sign flip meaning
/// `⟨d_{k+1}, d_k⟩ < 0`.
pub fn classify_vectors(deviations: &[Vec<f64>], options: ClassifyOptions) -> Option<Regime> {
    let errors: Vec<f64> = deviations
        .iter()
        .map(|d| descent_linalg::norm_2(d))
        .collect();
    let products: Vec<f64> = deviations
        .windows(2)
        .map(|w| descent_linalg::dot(&w[0], &w[1]))
        .collect();
    classify_from(&errors, &products, options)
}

fn classify_from(errors: &[f64], products: &[f64], options: ClassifyOptions) -> Option<Regime> {
    if errors.iter().any(|e| !e.is_finite()) {
        return Some(Regime::Diverging);
    }
    let rate = tail_rate(errors, options.window)?;
    let n_rates = rates(errors).len();
    let w = options.window.clamp(1, n_rates);
    let tail = &products[n_rates - w..n_rates];
    let flips = tail.iter().filter(|&&p| p < 0.0).count();
    Some(if rate > 1.0 + options.stall_tolerance {
        Regime::Diverging
    } else if rate >= 1.0 - options.stall_tolerance {
        Regime::Stalled
    } else if 2 * flips > w {
        Regime::ConvergingWithOscillation
    } else {
        Regime::ConvergingMonotonically
    })
}

/// Summary of a trace's convergence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConvergenceSummary {
    /// Tail rate of `|f_k − f*|`.
    pub rate_f: Option<f64>,
    /// Tail rate of `‖x_k − x*‖`, when x* is known.
    pub rate_x: Option<f64>,
    /// Tail order of `‖x_k − x*‖` (or of `|f_k − f*|` without x*).
    pub order: Option<f64>,
    /// Regime of `x_k − x*` (or of `f_k − f*` without x*).
    pub regime: Option<Regime>,
}

/// Analyse function values `f_k` against a known `f*`, and iterates against
/// `x*` when given. Orders ignore errors below `1e-12` relative to the first.
pub fn summarize(
    values: &[f64],
    f_star: f64,
    iterates: Option<(&[Vec<f64>], &[f64])>,
) -> ConvergenceSummary {
    let opts = ClassifyOptions::default();
    let ef: Vec<f64> = values.iter().map(|f| (f - f_star).abs()).collect();
    let rate_f = tail_rate(&ef, opts.window);
    match iterates {
        Some((xs, x_star)) => {
            let dev: Vec<Vec<f64>> = xs
                .iter()
                .map(|x| x.iter().zip(x_star).map(|(a, b)| a - b).collect())
                .collect();
            let ex: Vec<f64> = dev.iter().map(|d| descent_linalg::norm_2(d)).collect();
            let floor = ex.first().copied().unwrap_or(0.0) * 1e-12;
            ConvergenceSummary {
                rate_f,
                rate_x: tail_rate(&ex, opts.window),
                order: tail_order(&ex, floor),
                regime: classify_vectors(&dev, opts),
            }
        }
        None => {
            let floor = ef.first().copied().unwrap_or(0.0) * 1e-12;
            let signed: Vec<f64> = values.iter().map(|f| f - f_star).collect();
            ConvergenceSummary {
                rate_f,
                rate_x: None,
                order: tail_order(&ef, floor),
                regime: classify(&signed, opts),
            }
        }
    }
}
