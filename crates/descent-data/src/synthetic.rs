//! Seeded synthetic data sets (Gaussian blobs, XOR, two spirals, concentric
//! circles, a linearly separable set) and the exact 1-D sets of the
//! experiment E5, where adding one point makes least squares
//! misclassify a separable set that the perceptron separates (Brady, Raghavan
//! & Slawny 1989).
//!
//! Every generator draws from `ChaCha8Rng::seed_from_u64(seed)` with
//! `rand_distr::StandardNormal` for Gaussian noise, so a data set is a function
//! of its parameters and seed (for the pinned `rand_chacha`/`rand_distr`
//! versions). Samples are columns; samples of one class are contiguous, class
//! 0 first. Parameters are validated with errors naming the values.

use crate::dataset::Dataset;
use descent_core::{Error, validate};
use descent_linalg::Mat;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use std::f64::consts::PI;

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    rng.sample(StandardNormal)
}

/// A uniform draw from `(0, 1]` (so `1 − U` with `U ∈ [0, 1)`).
fn uniform_open_closed(rng: &mut ChaCha8Rng) -> f64 {
    1.0 - rng.random::<f64>()
}

fn from_columns(d: usize, columns: &[f64]) -> Mat<f64> {
    Mat::from_fn(d, columns.len() / d, |i, j| columns[j * d + i])
}

/// Gaussian blobs: `n_per_class` samples of each class `c = 0..K−1`, drawn as
/// `x = μ_c + σ ξ` with `ξ ~ N(0, I_d)`. Class `c` occupies samples
/// `c·n_per_class .. (c+1)·n_per_class`.
///
/// # Errors
/// [`Error::Hyperparameter`] if `n_per_class = 0` or `σ` is negative or not
/// finite; [`Error::Invalid`] if there are no means, a mean is empty or has a
/// different dimension from the first, or holds a non-finite value.
pub fn gaussian_blobs(
    means: &[Vec<f64>],
    n_per_class: usize,
    sigma: f64,
    seed: u64,
) -> Result<Dataset, Error> {
    const OWNER: &str = "Gaussian blobs";
    validate::at_least(OWNER, "samples per class", n_per_class, 1)?;
    validate::non_negative(OWNER, "σ", sigma)?;
    let Some(first) = means.first() else {
        return Err(Error::invalid(
            OWNER,
            "no class means given; at least one is needed",
        ));
    };
    let d = first.len();
    if d == 0 {
        return Err(Error::invalid(OWNER, "mean 0 has no coordinates"));
    }
    for (c, mean) in means.iter().enumerate() {
        if mean.len() != d {
            return Err(Error::invalid(
                OWNER,
                format!("mean {c} has {} coordinates, mean 0 has {d}", mean.len()),
            ));
        }
        if let Some(v) = mean.iter().find(|v| !v.is_finite()) {
            return Err(Error::invalid(
                OWNER,
                format!("mean {c} has the non-finite coordinate {v}"),
            ));
        }
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut columns = Vec::with_capacity(d * n_per_class * means.len());
    let mut labels = Vec::with_capacity(n_per_class * means.len());
    for (c, mean) in means.iter().enumerate() {
        for _ in 0..n_per_class {
            columns.extend(mean.iter().map(|m| m + sigma * normal(&mut rng)));
            labels.push(c);
        }
    }
    Dataset::classification(
        "gaussian_blobs",
        format!(
            "Gaussian blobs: {} classes × {n_per_class} samples, means {means:?}, σ = {sigma}, seed {seed}",
            means.len()
        ),
        from_columns(d, &columns),
        labels,
        means.len(),
    )
}

/// The centres of the XOR quadrants and their labels: `(s₁, s₂) ∈ {±1}²` with
/// label 1 iff `s₁ ≠ s₂` (the signs differ, `s₁ s₂ = −1`), else 0.
pub const XOR_CENTRES: [([f64; 2], usize); 4] = [
    ([1.0, 1.0], 0),
    ([-1.0, -1.0], 0),
    ([-1.0, 1.0], 1),
    ([1.0, -1.0], 1),
];

/// XOR: `n_per_quadrant` samples around each corner `(s₁, s₂) ∈ {±1}²` of
/// [`XOR_CENTRES`], `x = (s₁, s₂) + σ ξ` with `ξ ~ N(0, I₂)`, labelled 1 iff
/// `s₁ s₂ = −1`. For `σ` well below 1 the label is, with overwhelming
/// probability, `[x₁ x₂ < 0]`; no line separates the classes. Samples come in
/// the order of [`XOR_CENTRES`] (both class-0 quadrants first).
///
/// # Errors
/// [`Error::Hyperparameter`] if `n_per_quadrant = 0` or `σ` is negative or not finite.
pub fn xor(n_per_quadrant: usize, sigma: f64, seed: u64) -> Result<Dataset, Error> {
    const OWNER: &str = "XOR";
    validate::at_least(OWNER, "samples per quadrant", n_per_quadrant, 1)?;
    validate::non_negative(OWNER, "σ", sigma)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut columns = Vec::with_capacity(2 * 4 * n_per_quadrant);
    let mut labels = Vec::with_capacity(4 * n_per_quadrant);
    for (centre, label) in XOR_CENTRES {
        for _ in 0..n_per_quadrant {
            columns.push(centre[0] + sigma * normal(&mut rng));
            columns.push(centre[1] + sigma * normal(&mut rng));
            labels.push(label);
        }
    }
    Dataset::classification(
        "xor",
        format!(
            "XOR: 4 quadrants × {n_per_quadrant} samples around (±1, ±1), σ = {sigma}, seed {seed}"
        ),
        from_columns(2, &columns),
        labels,
        2,
    )
}

/// Two interleaved spirals (after Lang & Witbrock 1988): for each class
/// `c ∈ {0, 1}`, `n_per_class` samples with `t ~ U(0, 1]`, angle
/// `θ = 2π · turns · t` and
/// `x = (−1)^c · t (cos θ, sin θ) + σ ξ`, `ξ ~ N(0, I₂)`:
/// class 1 is class 0 rotated by π. Noise-free points lie at radius `r = t ≤ 1`
/// on the curve `θ = 2π · turns · r` (class 0) or `θ + π` (class 1).
///
/// # Errors
/// [`Error::Hyperparameter`] if `n_per_class = 0`, `turns` is not finite and
/// `> 0`, or `σ` is negative or not finite.
pub fn two_spirals(
    n_per_class: usize,
    turns: f64,
    sigma: f64,
    seed: u64,
) -> Result<Dataset, Error> {
    const OWNER: &str = "two spirals";
    validate::at_least(OWNER, "samples per class", n_per_class, 1)?;
    validate::positive(OWNER, "turns", turns)?;
    validate::non_negative(OWNER, "σ", sigma)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut columns = Vec::with_capacity(2 * 2 * n_per_class);
    let mut labels = Vec::with_capacity(2 * n_per_class);
    for (c, sign) in [(0, 1.0), (1, -1.0)] {
        for _ in 0..n_per_class {
            let t = uniform_open_closed(&mut rng);
            let theta = 2.0 * PI * turns * t;
            columns.push(sign * t * theta.cos() + sigma * normal(&mut rng));
            columns.push(sign * t * theta.sin() + sigma * normal(&mut rng));
            labels.push(c);
        }
    }
    Dataset::classification(
        "two_spirals",
        format!(
            "two spirals: 2 classes × {n_per_class} samples, {turns} turns, σ = {sigma}, seed {seed}"
        ),
        from_columns(2, &columns),
        labels,
        2,
    )
}

/// Concentric circles: class 0 on the circle of radius `inner_radius`, class 1
/// on the circle of radius `outer_radius`, `n_per_class` each, at angles
/// `φ ~ U[0, 2π)`: `x = r_c (cos φ, sin φ) + σ ξ`, `ξ ~ N(0, I₂)`. Noise-free,
/// `‖x‖ = r_c` exactly; no line separates the classes, the feature `‖x‖²` does.
///
/// # Errors
/// [`Error::Hyperparameter`] if `n_per_class = 0`, a radius is negative or not
/// finite, or `σ` is negative or not finite; [`Error::Invalid`] if
/// `inner_radius ≥ outer_radius`.
pub fn concentric_circles(
    n_per_class: usize,
    inner_radius: f64,
    outer_radius: f64,
    sigma: f64,
    seed: u64,
) -> Result<Dataset, Error> {
    const OWNER: &str = "concentric circles";
    validate::at_least(OWNER, "samples per class", n_per_class, 1)?;
    validate::non_negative(OWNER, "inner radius", inner_radius)?;
    validate::non_negative(OWNER, "outer radius", outer_radius)?;
    validate::non_negative(OWNER, "σ", sigma)?;
    if inner_radius >= outer_radius {
        return Err(Error::invalid(
            OWNER,
            format!("inner radius {inner_radius} must be < outer radius {outer_radius}"),
        ));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut columns = Vec::with_capacity(2 * 2 * n_per_class);
    let mut labels = Vec::with_capacity(2 * n_per_class);
    for (c, radius) in [(0, inner_radius), (1, outer_radius)] {
        for _ in 0..n_per_class {
            let phi = 2.0 * PI * rng.random::<f64>();
            columns.push(radius * phi.cos() + sigma * normal(&mut rng));
            columns.push(radius * phi.sin() + sigma * normal(&mut rng));
            labels.push(c);
        }
    }
    Dataset::classification(
        "concentric_circles",
        format!(
            "concentric circles: radii {inner_radius} and {outer_radius}, 2 classes × {n_per_class} samples, σ = {sigma}, seed {seed}"
        ),
        from_columns(2, &columns),
        labels,
        2,
    )
}

/// A linearly separable 2-D set with a known separating line `wᵀx + b = 0`
/// and margin `γ`.
///
/// With the unit normal `n̂ = w/‖w‖`, the tangent `t̂ = (−n̂₂, n̂₁)` and the foot
/// of the origin `x₀ = −b w/‖w‖²` (so `wᵀx₀ + b = 0`), each sample is
/// `x = x₀ + s u n̂ + v t̂` with `u ~ U(γ, γ + 1]`, `v ~ U[−1, 1)`, `s = +1` for
/// class 1 and `s = −1` for class 0. Its signed distance to the line is
/// `(wᵀx + b)/‖w‖ = s u`, so class 1 lies strictly on the positive side at
/// distance `> γ` and class 0 on the negative side: the line separates the
/// classes with margin at least `γ` (strictly, also for `γ = 0`).
///
/// # Errors
/// [`Error::Hyperparameter`] if `n_per_class = 0`, `γ` or `b` or an entry of
/// `w` is not finite, or `γ < 0`; [`Error::Invalid`] if `w = 0`.
pub fn linearly_separable(
    n_per_class: usize,
    normal_vector: [f64; 2],
    bias: f64,
    margin: f64,
    seed: u64,
) -> Result<Dataset, Error> {
    const OWNER: &str = "linearly separable set";
    validate::at_least(OWNER, "samples per class", n_per_class, 1)?;
    validate::finite(OWNER, "w₁", normal_vector[0])?;
    validate::finite(OWNER, "w₂", normal_vector[1])?;
    validate::finite(OWNER, "b", bias)?;
    validate::non_negative(OWNER, "margin γ", margin)?;
    let norm = normal_vector[0].hypot(normal_vector[1]);
    if norm == 0.0 {
        return Err(Error::invalid(
            OWNER,
            "the normal vector w is (0, 0); it must be non-zero",
        ));
    }
    let n_hat = [normal_vector[0] / norm, normal_vector[1] / norm];
    let t_hat = [-n_hat[1], n_hat[0]];
    let x0 = [-bias * n_hat[0] / norm, -bias * n_hat[1] / norm];
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut columns = Vec::with_capacity(2 * 2 * n_per_class);
    let mut labels = Vec::with_capacity(2 * n_per_class);
    for (c, s) in [(0, -1.0), (1, 1.0)] {
        for _ in 0..n_per_class {
            let u = margin + uniform_open_closed(&mut rng);
            let v = rng.random_range(-1.0..1.0);
            columns.push(x0[0] + s * u * n_hat[0] + v * t_hat[0]);
            columns.push(x0[1] + s * u * n_hat[1] + v * t_hat[1]);
            labels.push(c);
        }
    }
    Dataset::classification(
        "linearly_separable",
        format!(
            "linearly separable: w = {normal_vector:?}, b = {bias}, margin γ = {margin}, 2 classes × {n_per_class} samples, seed {seed}"
        ),
        from_columns(2, &columns),
        labels,
        2,
    )
}

/// The inputs of class A in experiment E5: `x_i = 10 + 0.1 (i − 4.5)`,
/// `i = 0..9`, i.e. 9.55, 9.65, …, 10.45.
fn brady_class_a() -> Vec<f64> {
    (0..10).map(|i| 10.0 + 0.1 * (f64::from(i) - 4.5)).collect()
}

/// Assemble a 1-D E5 set: inputs `1 × N` in the order A, B, added point;
/// label 1 for A and the added point (class +1), 0 for B (class −1); real
/// targets `target_a` / `target_b` likewise.
fn brady_set(
    name: &str,
    provenance: &str,
    b: &[f64],
    added: Option<f64>,
    target_a: f64,
    target_b: f64,
) -> Dataset {
    let a = brady_class_a();
    let mut x = a.clone();
    x.extend_from_slice(b);
    let mut labels = vec![1; a.len()];
    labels.extend(std::iter::repeat_n(0, b.len()));
    if let Some(p) = added {
        x.push(p);
        labels.push(1);
    }
    let targets = Mat::from_fn(
        1,
        x.len(),
        |_, j| if labels[j] == 1 { target_a } else { target_b },
    );
    Dataset::classification(
        name,
        provenance,
        Mat::from_fn(1, x.len(), |_, j| x[j]),
        labels,
        2,
    )
    .and_then(|d| d.with_targets(targets))
    .expect("the E5 sets are finite and well-formed")
}

/// Experiment E5, setup 1 (least squares vs perceptron), **D0**: 1-D inputs,
/// class A (label 1, target +1) at `x = 10 + 0.1(i − 4.5)` and class B (label
/// 0, target −1) at `x = −1 + 0.1(i − 4.5)`, `i = 0..9`: 20 samples in the
/// order A, B. Separable (any threshold in (−0.55, 9.55)); the least-squares
/// fit on the ±1 targets is `w = 0.181324, b = −0.815956`, threshold 4.5.
///
/// Reference: Brady, Raghavan & Slawny (1989), "Back propagation fails to
/// separate where perceptrons succeed", IEEE Trans. Circuits Syst. 36(5).
pub fn brady_lms_separable() -> Dataset {
    let b: Vec<f64> = (0..10).map(|i| -1.0 + 0.1 * (f64::from(i) - 4.5)).collect();
    brady_set(
        "brady_lms_d0",
        "experiment E5, setup 1, D0: A = {10 + 0.1(i − 4.5)}, B = {−1 + 0.1(i − 4.5)}, i = 0..9; targets ±1",
        &b,
        None,
        1.0,
        -1.0,
    )
}

/// Experiment E5, setup 1, **D1 = D0 ∪ {(0, +1)}**: [`brady_lms_separable`] with
/// the point `x = 0` of class A (label 1, target +1) appended as sample 20.
/// Still separable (any threshold in (−0.55, 0)), but the least-squares fit
/// is `w = 0.168890, b = −0.676195`, threshold 4.003761, which misclassifies
/// exactly the added point; the perceptron separates it (Novikoff bound
/// `(R/γ)² ≈ 1568` with `R = 10.4977`, `γ = 0.275/√(1 + 0.275²) = 0.265156`).
pub fn brady_lms_one_added_point() -> Dataset {
    let b: Vec<f64> = (0..10).map(|i| -1.0 + 0.1 * (f64::from(i) - 4.5)).collect();
    brady_set(
        "brady_lms_d1",
        "experiment E5, setup 1, D1 = D0 ∪ {(0, +1)}: A = {10 + 0.1(i − 4.5)}, B = {−1 + 0.1(i − 4.5)}, i = 0..9; targets ±1",
        &b,
        Some(0.0),
        1.0,
        -1.0,
    )
}

/// The 40 class-B inputs of E5 setup 2: evenly spaced in `[−1.45, −0.55]`,
/// `x_j = −1.45 + 0.9 j / 39`, `j = 0..39`.
fn brady_sigmoid_class_b() -> Vec<f64> {
    (0..40).map(|j| -1.45 + 0.9 * f64::from(j) / 39.0).collect()
}

/// Experiment E5, setup 2 (sigmoid + L2, a local minimum), without the added
/// point: class A as in setup 1 (10 points around 10, label 1, target 0.9) and
/// class B = 40 points evenly spaced in `[−1.45, −0.55]` (label 0, target 0.1);
/// 50 samples in the order A, B.
pub fn brady_sigmoid_separable() -> Dataset {
    brady_set(
        "brady_sigmoid_d0",
        "experiment E5, setup 2 without P: A = {10 + 0.1(i − 4.5)}, i = 0..9; B = 40 points evenly spaced in [−1.45, −0.55]; targets 0.9 / 0.1",
        &brady_sigmoid_class_b(),
        None,
        0.9,
        0.1,
    )
}

/// Experiment E5, setup 2 with the added point **P = (−0.5, +1)** (label 1,
/// target 0.9) appended as sample 50: separable only by a threshold in
/// (−0.55, −0.5) (midpoint −0.525). Gradient descent on the sigmoid + L2 loss
/// from `(w, b) = (0, 0)` converges to `w = 1.889372, b = −0.276776` (loss
/// 0.0127937) with P misclassified; a steep start converges to a separating
/// point of lower loss ≈ 0.00955.
pub fn brady_sigmoid_one_added_point() -> Dataset {
    brady_set(
        "brady_sigmoid_d1",
        "experiment E5, setup 2: A = {10 + 0.1(i − 4.5)}, i = 0..9; B = 40 points evenly spaced in [−1.45, −0.55]; P = (−0.5, +1); targets 0.9 / 0.1",
        &brady_sigmoid_class_b(),
        Some(-0.5),
        0.9,
        0.1,
    )
}
