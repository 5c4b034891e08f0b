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
///
/// [`classify`] distinguishes the four coarse regimes; [`linear_regime`] and
/// [`classify_linear`] also name the boundary cases of a linear iteration
/// `e_{k+1} = r·e_k` (one step at `r = 0`, constant oscillation at `r = −1`,
/// oscillating divergence for `r < −1`). `Display` prints the lecture's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
#[serde(rename_all = "snake_case")]
pub enum Regime {
    /// The error is exactly zero after one step (`r = 0`).
    OneStep,
    /// Errors shrink and `x_k − x*` keeps its sign (or direction).
    ConvergingMonotonically,
    /// Errors shrink and `x_k − x*` flips sign at most steps.
    ConvergingWithOscillation,
    /// `|e_k|` stays constant while its sign flips at every step (`r = −1`).
    ConstantOscillation,
    /// Errors neither shrink nor grow (tail rate within `1 ± tol`).
    Stalled,
    /// Errors grow (with [`classify`]: with or without sign flips; with
    /// [`classify_linear`]: keeping their sign).
    Diverging,
    /// Errors grow and flip sign at most steps (`r < −1`).
    DivergingWithOscillation,
}

impl std::fmt::Display for Regime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Regime::OneStep => "one step",
            Regime::ConvergingMonotonically => "monotone convergence",
            Regime::ConvergingWithOscillation => "oscillating convergence",
            Regime::ConstantOscillation => "constant oscillation",
            Regime::Stalled => "stalled",
            Regime::Diverging => "monotone divergence",
            Regime::DivergingWithOscillation => "oscillating divergence",
        })
    }
}

/// The regime of the linear iteration `e_{k+1} = r·e_k` (gradient descent on
/// a quadratic along an eigen-direction with curvature `a` has `r = 1 − ηa`):
///
/// | `r` | regime |
/// |---|---|
/// | `0` | [`Regime::OneStep`] |
/// | `(0, 1)` | [`Regime::ConvergingMonotonically`] |
/// | `(−1, 0)` | [`Regime::ConvergingWithOscillation`] |
/// | `−1` | [`Regime::ConstantOscillation`] |
/// | `1` | [`Regime::Stalled`] |
/// | `> 1` | [`Regime::Diverging`] |
/// | `< −1` | [`Regime::DivergingWithOscillation`] |
///
/// NaN has no regime (`None`). Reference: the lecture's four step-size
/// regimes around `η_opt = 1/a` and `2η_opt`.
pub fn linear_regime(r: f64) -> Option<Regime> {
    if r.is_nan() {
        None
    } else if r == 0.0 {
        Some(Regime::OneStep)
    } else if r == 1.0 {
        Some(Regime::Stalled)
    } else if r == -1.0 {
        Some(Regime::ConstantOscillation)
    } else if r > 1.0 {
        Some(Regime::Diverging)
    } else if r < -1.0 {
        Some(Regime::DivergingWithOscillation)
    } else if r > 0.0 {
        Some(Regime::ConvergingMonotonically)
    } else {
        Some(Regime::ConvergingWithOscillation)
    }
}

/// The regime of a scalar run read off its signed errors `d_k = w_k − w*`,
/// the measured counterpart of [`linear_regime`]:
///
/// * [`Regime::OneStep`] if `d_1 = 0` exactly;
/// * otherwise the median ratio `R = median |d_{k+1}/d_k|` and the sign flips
///   `d_{k+1}·d_k < 0` over the steps with `|d_k| ≥ window·|d_0|` (so the
///   rounding floor of an iterate near a non-zero `w*` never decides):
///   `R < 1 − 1e-9` converging, `R > 1 + 1e-9` diverging, otherwise constant
///   oscillation or stalled; oscillating when more than half of the steps flip.
///
/// `None` with fewer than two errors.
pub fn classify_linear(deviations: &[f64], window: f64) -> Option<Regime> {
    if deviations.len() < 2 {
        return None;
    }
    if deviations[1] == 0.0 {
        return Some(Regime::OneStep);
    }
    let d0 = deviations[0].abs();
    let steps: Vec<&[f64]> = deviations
        .windows(2)
        .filter(|w| w[0].abs() >= window * d0)
        .collect();
    let ratios: Vec<f64> = steps.iter().map(|w| (w[1] / w[0]).abs()).collect();
    let rate = median(&ratios);
    if rate.is_nan() {
        return None;
    }
    let flips = steps.iter().filter(|w| w[0] * w[1] < 0.0).count();
    let oscillates = 2 * flips > steps.len();
    Some(match (rate < 1.0 - 1e-9, rate > 1.0 + 1e-9, oscillates) {
        (true, _, false) => Regime::ConvergingMonotonically,
        (true, _, true) => Regime::ConvergingWithOscillation,
        (false, false, true) => Regime::ConstantOscillation,
        (false, false, false) => Regime::Stalled,
        (_, true, true) => Regime::DivergingWithOscillation,
        (_, true, false) => Regime::Diverging,
    })
}

/// The median of `xs` (the mean of the two middle values for an even count);
/// NaN if `xs` is empty or holds a NaN, so a statistic of no data never
/// passes a check.
pub fn median(xs: &[f64]) -> f64 {
    if xs.is_empty() || xs.iter().any(|x| x.is_nan()) {
        return f64::NAN;
    }
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        0.5 * (v[m - 1] + v[m])
    }
}

/// The largest value and how many values there were.
///
/// The maximum is NaN when there are no values or any value is NaN: a bound
/// checked on the maximum of nothing, or of a missing measurement, fails
/// instead of passing on −∞.
pub fn max_counted(xs: impl IntoIterator<Item = f64>) -> (f64, usize) {
    let mut count = 0;
    let mut max = f64::NEG_INFINITY;
    for x in xs {
        count += 1;
        max = if x.is_nan() || max.is_nan() {
            f64::NAN
        } else {
            max.max(x)
        };
    }
    (if count == 0 { f64::NAN } else { max }, count)
}

/// The largest value, NaN if there is none or any is NaN (see [`max_counted`]).
pub fn max_or_nan(xs: impl IntoIterator<Item = f64>) -> f64 {
    max_counted(xs).0
}

/// The smallest value, NaN if there is none or any is NaN (the mirror of
/// [`max_or_nan`]: a lower bound checked on the minimum of nothing fails).
pub fn min_or_nan(xs: impl IntoIterator<Item = f64>) -> f64 {
    -max_or_nan(xs.into_iter().map(|x| -x))
}

/// The Euclidean distance `‖x − y‖₂`.
///
/// # Panics
/// If the lengths differ (a bug in the caller).
pub fn distance(x: &[f64], y: &[f64]) -> f64 {
    assert_eq!(
        x.len(),
        y.len(),
        "distance: lengths {} and {}",
        x.len(),
        y.len()
    );
    x.iter()
        .zip(y)
        .map(|(a, b)| (a - b) * (a - b))
        .sum::<f64>()
        .sqrt()
}

/// The geometric-mean rate `(e_end / e_start)^{1/(end − start)}` over the
/// window `start..=end` of a sequence of errors (the average contraction per
/// step over that window). `None` if the window is empty or out of range, or
/// an end point is not a positive finite number.
pub fn window_rate(errors: &[f64], start: usize, end: usize) -> Option<f64> {
    if end <= start || end >= errors.len() {
        return None;
    }
    let (a, b) = (errors[start], errors[end]);
    if !(a > 0.0 && b > 0.0 && a.is_finite() && b.is_finite()) {
        return None;
    }
    Some((b / a).powf(1.0 / (end - start) as f64))
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
