//! The Hessian's spectrum: dense eigenvalues for small n; Lanczos with full
//! reorthogonalisation, power iteration, Hutchinson's trace and diagonal
//! estimates and stochastic Lanczos quadrature on operator products for large
//! n; classification of a stationary point and a second-order optimality
//! certificate.
//!
//! References: Golub & Van Loan, *Matrix Computations* (4th ed.), §10.1–10.3
//! (Lanczos, Ritz values, residual bounds `β_j |u_{j,i}|`); Hutchinson,
//! *Comm. Statist. Simul.* 19 (1990); Bekas, Kokiopoulou & Saad (2007) for the
//! diagonal; Ubaru, Chen & Saad, *SIAM J. Matrix Anal. Appl.* 38 (2017) and
//! Ghorbani, Krishnan & Xiao, ICML 2019 for stochastic Lanczos quadrature.

use descent_core::{Error, Evaluator, display_number, validate};
use descent_linalg::{Mat, MatRef, SymmetricEigen, matvec_add, norm_2, scale, vecmat};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::operator::{DenseOperator, HessianAt, SymmetricOperator};

/// All eigenvalues of a user's dense symmetric matrix, ascending.
///
/// # Errors
/// A non-square, non-finite or non-symmetric matrix, named with its values.
pub fn dense_eigenvalues(a: MatRef<'_, f64>) -> Result<Vec<f64>, Error> {
    DenseOperator::new(a)?;
    Ok(SymmetricEigen::values_of(a)?)
}

/// Fill `z` with independent Rademacher signs ±1.
fn rademacher(rng: &mut ChaCha8Rng, z: &mut [f64]) {
    for zi in z {
        *zi = if rng.random::<bool>() { 1.0 } else { -1.0 };
    }
}

/// The Lanczos tridiagonalisation `Q_jᵀ A Q_j = T_j` from a start vector, with
/// full reorthogonalisation (classical Gram–Schmidt, twice) against every
/// stored basis vector.
#[derive(Debug, Clone, PartialEq)]
pub struct Tridiagonal {
    /// Diagonal `α_1..α_j`.
    pub alpha: Vec<f64>,
    /// Off-diagonal `β_1..β_j` (`β_j` couples to the next, unbuilt, vector; 0 at breakdown).
    pub beta: Vec<f64>,
}

impl Tridiagonal {
    /// The eigendecomposition of `T_j` (Ritz values ascending, eigenvectors).
    fn eigen(&self) -> SymmetricEigen {
        let j = self.alpha.len();
        let t = Mat::from_fn(j, j, |r, c| {
            if r == c {
                self.alpha[r]
            } else if r + 1 == c {
                self.beta[r]
            } else if c + 1 == r {
                self.beta[c]
            } else {
                0.0
            }
        });
        // Every α, β was checked finite in `LanczosProcess::step`.
        SymmetricEigen::new(t.as_ref()).expect("a finite tridiagonal matrix is symmetric")
    }
}

/// The running Lanczos process over a stored basis that grows one column per
/// step (its storage doubles when full, so a run of j steps holds `O(j n)`
/// numbers, never `n × max_steps` up front).
struct LanczosProcess {
    basis: Mat<f64>,
    reserved_columns: usize,
    max_steps: usize,
    q: Vec<f64>,
    w: Vec<f64>,
    coefficients: Vec<f64>,
    t: Tridiagonal,
}

/// Basis columns reserved at the start (more are added by doubling).
const INITIAL_BASIS_COLUMNS: usize = 16;

impl LanczosProcess {
    /// Start from `start` (finite, nonzero, checked by the callers) for at most
    /// `max_steps ≤ n` steps.
    fn new(start: &[f64], max_steps: usize) -> Self {
        let n = start.len();
        let norm = norm_2(start);
        let mut basis = Mat::from_fn(n, 1, |i, _| start[i] / norm);
        let reserved_columns = INITIAL_BASIS_COLUMNS.min(max_steps).max(1);
        basis.reserve(n, reserved_columns);
        Self {
            basis,
            reserved_columns,
            max_steps,
            q: vec![0.0; n],
            w: vec![0.0; n],
            coefficients: Vec::with_capacity(reserved_columns),
            t: Tridiagonal {
                alpha: Vec::with_capacity(reserved_columns),
                beta: Vec::with_capacity(reserved_columns),
            },
        }
    }

    /// Append `w / β` as the next basis column.
    fn push_column(&mut self, beta: f64) {
        let n = self.w.len();
        let j = self.basis.ncols();
        if j == self.reserved_columns {
            self.reserved_columns = (2 * j).min(self.max_steps);
            self.basis.reserve(n, self.reserved_columns);
        }
        let w = &self.w;
        self.basis.resize_with(n, j + 1, |i, _| w[i] / beta);
    }

    /// One step: returns false at breakdown (an invariant subspace was found)
    /// or after `max_steps` steps.
    ///
    /// # Errors
    /// An operator failure, or a non-finite α or β (the operator returned NaN
    /// or ∞), named with the step.
    fn step(&mut self, op: &mut dyn SymmetricOperator) -> Result<bool, Error> {
        let j = self.t.alpha.len();
        let n = self.q.len();
        for i in 0..n {
            self.q[i] = self.basis[(i, j)];
        }
        op.apply(&self.q, &mut self.w)?;
        let alpha = descent_linalg::dot(&self.q, &self.w);
        if !alpha.is_finite() {
            return Err(Error::invalid(
                "Lanczos",
                format!(
                    "step {}: the operator's product gave α = qᵀAq = {} (not finite)",
                    j + 1,
                    display_number(alpha)
                ),
            ));
        }
        // Full reorthogonalisation: w ← w − Q (Qᵀ w), twice.
        self.coefficients.resize(j + 1, 0.0);
        let qj = self.basis.as_ref().subcols(0, j + 1);
        for _ in 0..2 {
            vecmat(&self.w, qj, &mut self.coefficients);
            matvec_add(-1.0, qj, &self.coefficients, &mut self.w);
        }
        let beta = norm_2(&self.w);
        if !beta.is_finite() {
            return Err(Error::invalid(
                "Lanczos",
                format!(
                    "step {}: the operator's product gave β = ‖w‖ = {} (not finite)",
                    j + 1,
                    display_number(beta)
                ),
            ));
        }
        self.t.alpha.push(alpha);
        let scale_t = self
            .t
            .alpha
            .iter()
            .map(|a| a.abs())
            .fold(0.0, f64::max)
            .max(1e-300);
        let breakdown = beta <= 1e-12 * scale_t || j + 1 == n;
        if breakdown || j + 1 == self.max_steps {
            self.t.beta.push(if j + 1 == n { 0.0 } else { beta });
            return Ok(false);
        }
        self.t.beta.push(beta);
        self.push_column(beta);
        Ok(true)
    }

    /// The Krylov space is invariant (breakdown or j = n): the Ritz values are
    /// exact eigenvalues.
    fn invariant(&self) -> bool {
        self.t.beta.last().is_some_and(|b| {
            let scale_t = self.t.alpha.iter().map(|a| a.abs()).fold(0.0, f64::max);
            *b <= 1e-12 * scale_t.max(1e-300)
        })
    }
}

/// Run `steps` Lanczos steps (fewer at breakdown) from `start`.
///
/// # Errors
/// `steps = 0`, a start vector of the wrong length or zero, an operator
/// failure, or a product that is not finite (naming the step).
pub fn lanczos(
    op: &mut dyn SymmetricOperator,
    start: &[f64],
    steps: usize,
) -> Result<Tridiagonal, Error> {
    validate::at_least("Lanczos", "steps", steps, 1)?;
    let n = op.dim();
    if start.len() != n || norm_2(start) == 0.0 || !norm_2(start).is_finite() {
        return Err(Error::invalid(
            "Lanczos",
            format!(
                "start vector must be finite, nonzero and of length {n}, got length {}",
                start.len()
            ),
        ));
    }
    let mut process = LanczosProcess::new(start, steps.min(n));
    while process.step(op)? {}
    Ok(process.t)
}

/// Which end of the spectrum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpectrumEnd {
    /// The k largest eigenvalues.
    Largest,
    /// The k smallest eigenvalues.
    Smallest,
}

/// Extreme eigenvalues from Lanczos.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExtremeEigenvalues {
    /// The k Ritz values, ascending for `Smallest`, descending for `Largest`
    /// (extreme first).
    pub values: Vec<f64>,
    /// Their residual bounds `‖A y − θ y‖ = β_j |u_{j,i}|`.
    pub residuals: Vec<f64>,
    /// Lanczos steps = operator applications.
    pub iterations: usize,
    /// Every residual bound met the tolerance (or the Krylov space is invariant).
    pub converged: bool,
}

/// Check the arguments shared by the extreme-eigenvalue functions.
fn check_extreme_arguments(
    owner: &'static str,
    n: usize,
    k: usize,
    tol: f64,
    max_steps: usize,
) -> Result<(), Error> {
    validate::at_least(owner, "k", k, 1)?;
    if k > n {
        return Err(Error::invalid(
            owner,
            format!("k = {k} eigenvalues asked of an operator of dimension {n}"),
        ));
    }
    validate::positive(owner, "tolerance", tol)?;
    if max_steps < k {
        return Err(Error::invalid(
            owner,
            format!("max steps = {max_steps} is below k = {k}"),
        ));
    }
    Ok(())
}

/// One Lanczos run from a seeded Rademacher start, stopped when the k wanted
/// Ritz values at every end in `ends` converged, at breakdown, or after
/// `max_steps` steps; one result per end, in the order of `ends`.
fn lanczos_extremes(
    owner: &'static str,
    op: &mut dyn SymmetricOperator,
    k: usize,
    ends: &[SpectrumEnd],
    tol: f64,
    max_steps: usize,
    seed: u64,
) -> Result<Vec<ExtremeEigenvalues>, Error> {
    let n = op.dim();
    check_extreme_arguments(owner, n, k, tol, max_steps)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut start = vec![0.0; n];
    rademacher(&mut rng, &mut start);
    let mut process = LanczosProcess::new(&start, max_steps.min(n));
    loop {
        let more = process.step(op)?;
        let j = process.t.alpha.len();
        if j < k && more {
            continue;
        }
        if j < k {
            // Breakdown before k steps: the start vector lies in an invariant
            // subspace of dimension j, which holds only j distinct eigenvalues.
            return Err(Error::invalid(
                owner,
                format!(
                    "k = {k} eigenvalues asked, but the Krylov space of the start vector is invariant at dimension {j}: only {j} distinct eigenvalues are visible from it (single-vector Lanczos cannot resolve repeated eigenvalues); ask for k ≤ {j}"
                ),
            ));
        }
        let eig = process.t.eigen();
        let beta_j = *process.t.beta.last().expect("one step taken");
        let invariant = process.invariant();
        let results: Vec<ExtremeEigenvalues> = ends
            .iter()
            .map(|end| {
                let pick: Vec<usize> = match end {
                    SpectrumEnd::Smallest => (0..k).collect(),
                    SpectrumEnd::Largest => (0..k).map(|i| j - 1 - i).collect(),
                };
                let values: Vec<f64> = pick.iter().map(|&i| eig.values[i]).collect();
                let residuals: Vec<f64> = pick
                    .iter()
                    .map(|&i| (beta_j * eig.vectors[(j - 1, i)]).abs())
                    .collect();
                let converged = invariant
                    || residuals
                        .iter()
                        .zip(&values)
                        .all(|(r, v)| *r <= tol * v.abs().max(1.0));
                ExtremeEigenvalues {
                    values,
                    residuals,
                    iterations: j,
                    converged,
                }
            })
            .collect();
        if !more || results.iter().all(|r| r.converged) {
            return Ok(results);
        }
    }
}

/// The k largest or smallest eigenvalues of a symmetric operator by Lanczos with
/// full reorthogonalisation from a seeded Rademacher start, stopping when every
/// wanted Ritz value has residual bound `β_j |u_{j,i}| ≤ tol · max(1, |θ_i|)`,
/// at breakdown, or after `max_steps` (≤ n) steps. For a well-separated end of
/// the spectrum the Ritz values' error is about the residual squared over the gap.
///
/// The basis grows one column per step (`O(j n)` memory for j steps). Always
/// returns exactly k values.
///
/// # Errors
/// `k = 0` or `k > n`, `tol ≤ 0`, `max_steps < k`, an operator failure or a
/// non-finite product (naming the Lanczos step), or a breakdown before k steps:
/// the start vector's Krylov space is invariant at a dimension j < k (repeated
/// eigenvalues, e.g. the identity), named with k and j.
pub fn extreme_eigenvalues(
    op: &mut dyn SymmetricOperator,
    k: usize,
    end: SpectrumEnd,
    tol: f64,
    max_steps: usize,
    seed: u64,
) -> Result<ExtremeEigenvalues, Error> {
    let mut results = lanczos_extremes(
        "Lanczos extreme eigenvalues",
        op,
        k,
        &[end],
        tol,
        max_steps,
        seed,
    )?;
    Ok(results.remove(0))
}

/// Both ends of the spectrum from one Lanczos run: `(smallest, largest)`, the
/// k smallest (ascending) and the k largest (descending), stopping when both
/// ends meet the tolerance of [`extreme_eigenvalues`] (so it costs the larger
/// of the two separate runs' steps, not their sum).
///
/// # Errors
/// As [`extreme_eigenvalues`].
pub fn spectrum_ends(
    op: &mut dyn SymmetricOperator,
    k: usize,
    tol: f64,
    max_steps: usize,
    seed: u64,
) -> Result<(ExtremeEigenvalues, ExtremeEigenvalues), Error> {
    let mut results = lanczos_extremes(
        "Lanczos spectrum ends",
        op,
        k,
        &[SpectrumEnd::Smallest, SpectrumEnd::Largest],
        tol,
        max_steps,
        seed,
    )?;
    let largest = results.pop().expect("two ends");
    let smallest = results.pop().expect("two ends");
    Ok((smallest, largest))
}

/// Result of [`power_iteration`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PowerIteration {
    /// The Rayleigh quotient `vᵀAv` of the last iterate: the eigenvalue of largest |λ|.
    pub value: f64,
    /// The last unit vector v.
    pub vector: Vec<f64>,
    /// Operator applications.
    pub iterations: usize,
    /// `‖Av − (vᵀAv) v‖ ≤ tol · |vᵀAv|` was reached.
    pub converged: bool,
}

/// Power iteration `v ← A v / ‖A v‖` from a seeded Rademacher start, for the
/// eigenvalue of largest magnitude; stops when the residual
/// `‖Av − θ v‖ ≤ tol |θ|` (θ the Rayleigh quotient) or after `max_iterations`.
/// Converges at the rate `|λ₂/λ₁|`. Reference: Golub & Van Loan §7.3.1.
///
/// # Errors
/// `tol ≤ 0`, `max_iterations = 0`, or an operator failure.
pub fn power_iteration(
    op: &mut dyn SymmetricOperator,
    max_iterations: usize,
    tol: f64,
    seed: u64,
) -> Result<PowerIteration, Error> {
    const OWNER: &str = "power iteration";
    validate::at_least(OWNER, "max iterations", max_iterations, 1)?;
    validate::positive(OWNER, "tolerance", tol)?;
    let n = op.dim();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut v = vec![0.0; n];
    rademacher(&mut rng, &mut v);
    scale(1.0 / (n as f64).sqrt(), &mut v);
    let mut av = vec![0.0; n];
    let mut theta = 0.0;
    for it in 1..=max_iterations {
        op.apply(&v, &mut av)?;
        theta = descent_linalg::dot(&v, &av);
        let residual = av
            .iter()
            .zip(&v)
            .map(|(a, b)| (a - theta * b).powi(2))
            .sum::<f64>()
            .sqrt();
        if residual <= tol * theta.abs() {
            return Ok(PowerIteration {
                value: theta,
                vector: v,
                iterations: it,
                converged: true,
            });
        }
        let norm = norm_2(&av);
        if norm == 0.0 {
            return Ok(PowerIteration {
                value: 0.0,
                vector: v,
                iterations: it,
                converged: true,
            });
        }
        for (vi, ai) in v.iter_mut().zip(&av) {
            *vi = ai / norm;
        }
    }
    Ok(PowerIteration {
        value: theta,
        vector: v,
        iterations: max_iterations,
        converged: false,
    })
}

/// Hutchinson's estimate of `tr A` with its standard error.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TraceEstimate {
    /// The sample mean of `zᵀAz`.
    pub estimate: f64,
    /// Sample standard deviation over `√samples`.
    pub standard_error: f64,
    /// Probe vectors used (= operator applications).
    pub samples: usize,
}

/// Hutchinson's trace estimator `tr A ≈ (1/S) Σ_s z_sᵀ A z_s` with seeded
/// Rademacher probes (`E[zzᵀ] = I`; variance `2 Σ_{i≠j} A_ij²` per probe, the
/// smallest among i.i.d. probe distributions). Reference: Hutchinson (1990).
///
/// # Errors
/// `samples < 2` (no standard error), or an operator failure.
pub fn hutchinson_trace(
    op: &mut dyn SymmetricOperator,
    samples: usize,
    seed: u64,
) -> Result<TraceEstimate, Error> {
    validate::at_least("Hutchinson trace", "samples", samples, 2)?;
    let n = op.dim();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (mut z, mut az) = (vec![0.0; n], vec![0.0; n]);
    let (mut mean, mut m2) = (0.0, 0.0);
    for s in 1..=samples {
        rademacher(&mut rng, &mut z);
        op.apply(&z, &mut az)?;
        let q = descent_linalg::dot(&z, &az);
        // Welford's running mean and variance.
        let delta = q - mean;
        mean += delta / s as f64;
        m2 += delta * (q - mean);
    }
    let variance = m2 / (samples - 1) as f64;
    Ok(TraceEstimate {
        estimate: mean,
        standard_error: (variance / samples as f64).sqrt(),
        samples,
    })
}

/// Hutchinson's diagonal estimate `diag A ≈ (1/S) Σ_s z_s ⊙ A z_s` (Rademacher
/// probes, seeded) into `out`; exact for a diagonal A. Reference: Bekas,
/// Kokiopoulou & Saad, *Appl. Numer. Math.* 57 (2007).
///
/// # Errors
/// `samples = 0`, `out` of the wrong length, or an operator failure.
pub fn hutchinson_diagonal(
    op: &mut dyn SymmetricOperator,
    samples: usize,
    seed: u64,
    out: &mut [f64],
) -> Result<(), Error> {
    validate::at_least("Hutchinson diagonal", "samples", samples, 1)?;
    let n = op.dim();
    if out.len() != n {
        return Err(Error::invalid(
            "Hutchinson diagonal",
            format!("output has length {} but n = {n}", out.len()),
        ));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (mut z, mut az) = (vec![0.0; n], vec![0.0; n]);
    out.fill(0.0);
    for _ in 0..samples {
        rademacher(&mut rng, &mut z);
        op.apply(&z, &mut az)?;
        for ((o, zi), ai) in out.iter_mut().zip(&z).zip(&az) {
            *o += zi * ai;
        }
    }
    scale(1.0 / samples as f64, out);
    Ok(())
}

/// A spectral density estimate: a discrete measure (nodes with weights
/// summing to 1) approximating `(1/n) Σ_i δ(λ − λ_i)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpectralDensity {
    /// Ritz values of every probe's Lanczos run.
    pub nodes: Vec<f64>,
    /// Gauss quadrature weights `(u_{1,i})² / probes`.
    pub weights: Vec<f64>,
    /// Operator applications used.
    pub applications: usize,
}

impl SpectralDensity {
    /// The density smoothed by a Gaussian of width σ, evaluated at `grid`:
    /// `φ(t) = Σ_i w_i exp(−(t − θ_i)²/2σ²) / (σ√(2π))`.
    ///
    /// # Errors
    /// σ not finite and > 0 (σ = 0 divides by zero, a negative σ gives a
    /// negative "density").
    pub fn smoothed(&self, grid: &[f64], sigma: f64) -> Result<Vec<f64>, Error> {
        validate::positive("smoothed spectral density", "width σ", sigma)?;
        let norm = 1.0 / (sigma * (2.0 * std::f64::consts::PI).sqrt());
        Ok(grid
            .iter()
            .map(|t| {
                self.nodes
                    .iter()
                    .zip(&self.weights)
                    .map(|(th, w)| w * norm * (-(t - th).powi(2) / (2.0 * sigma * sigma)).exp())
                    .sum()
            })
            .collect())
    }
    /// `∫ λ^p dμ = Σ_i w_i θ_i^p`, an estimate of `tr(A^p)/n` (exact in
    /// expectation for `p < 2·steps`).
    pub fn moment(&self, p: i32) -> f64 {
        self.nodes
            .iter()
            .zip(&self.weights)
            .map(|(t, w)| w * t.powi(p))
            .sum()
    }
}

/// Stochastic Lanczos quadrature: for each of `probes` seeded Rademacher
/// vectors, `steps` Lanczos steps give `T = U Θ Uᵀ`, and the Gauss rule with
/// nodes `θ_i` and weights `u_{1,i}²` approximates `vᵀ δ(λ − A) v`; the average
/// over probes estimates the spectral density. Reference: Ubaru, Chen & Saad
/// (2017); Ghorbani, Krishnan & Xiao (2019).
///
/// # Errors
/// `steps = 0`, `probes = 0`, or an operator failure.
pub fn spectral_density(
    op: &mut dyn SymmetricOperator,
    steps: usize,
    probes: usize,
    seed: u64,
) -> Result<SpectralDensity, Error> {
    const OWNER: &str = "stochastic Lanczos quadrature";
    validate::at_least(OWNER, "steps", steps, 1)?;
    validate::at_least(OWNER, "probes", probes, 1)?;
    let n = op.dim();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut z = vec![0.0; n];
    let mut density = SpectralDensity {
        nodes: Vec::new(),
        weights: Vec::new(),
        applications: 0,
    };
    for _ in 0..probes {
        rademacher(&mut rng, &mut z);
        let t = lanczos(op, &z, steps)?;
        density.applications += t.alpha.len();
        let eig = t.eigen();
        for (i, theta) in eig.values.iter().enumerate() {
            density.nodes.push(*theta);
            density
                .weights
                .push(eig.vectors[(0, i)].powi(2) / probes as f64);
        }
    }
    Ok(density)
}

/// What kind of stationary point the Hessian's signs say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PointKind {
    /// Every eigenvalue positive: a strict local minimum (if ∇f = 0).
    Minimum,
    /// Every eigenvalue negative: a strict local maximum.
    Maximum,
    /// Eigenvalues of both signs: a saddle.
    Saddle,
    /// Near-zero eigenvalues and no sign mix: the second-order test is inconclusive.
    Degenerate,
}

/// The inertia of a Hessian and the kind of point it makes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointClassification {
    /// Minimum, maximum, saddle or degenerate.
    pub kind: PointKind,
    /// Eigenvalues `> tol`.
    pub positive: usize,
    /// Eigenvalues `< −tol`.
    pub negative: usize,
    /// Eigenvalues in `[−tol, tol]`.
    pub near_zero: usize,
    /// The smallest eigenvalue.
    pub lambda_min: f64,
    /// The largest eigenvalue.
    pub lambda_max: f64,
}

/// Classify by the signs of `eigenvalues` (any order), `|λ| ≤ tol` counting as zero.
///
/// # Errors
/// `tol` negative or not finite (a NaN tolerance would count nothing as
/// positive, negative or zero consistently), or a NaN eigenvalue.
pub fn classify_eigenvalues(eigenvalues: &[f64], tol: f64) -> Result<PointClassification, Error> {
    validate::non_negative("classify eigenvalues", "tolerance", tol)?;
    if let Some(i) = eigenvalues.iter().position(|l| l.is_nan()) {
        return Err(Error::invalid(
            "classify eigenvalues",
            format!("eigenvalue {i} is NaN"),
        ));
    }
    let positive = eigenvalues.iter().filter(|&&l| l > tol).count();
    let negative = eigenvalues.iter().filter(|&&l| l < -tol).count();
    let near_zero = eigenvalues.len() - positive - negative;
    let kind = if positive > 0 && negative > 0 {
        PointKind::Saddle
    } else if near_zero > 0 || eigenvalues.is_empty() {
        PointKind::Degenerate
    } else if negative == 0 {
        PointKind::Minimum
    } else {
        PointKind::Maximum
    };
    Ok(PointClassification {
        kind,
        positive,
        negative,
        near_zero,
        lambda_min: eigenvalues.iter().copied().fold(f64::INFINITY, f64::min),
        lambda_max: eigenvalues
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max),
    })
}

/// The second-order optimality certificate `‖∇f‖ ≤ ε and λ_min(∇²f) ≥ −ε`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecondOrderCertificate {
    /// `‖∇f(x)‖₂`.
    pub grad_norm: f64,
    /// `λ_min(∇²f(x))`.
    pub lambda_min: f64,
    /// ε.
    pub epsilon: f64,
    /// Both conditions hold: x is an ε-second-order stationary point.
    pub holds: bool,
    /// The point's classification (tolerance ε).
    pub classification: PointClassification,
}

/// Check a user-given gradient and Hessian at a point: classification and the
/// ε-certificate, from the dense eigenvalues.
///
/// # Errors
/// A Hessian that is not `n×n` for a gradient of length n (naming both sizes),
/// not finite or not symmetric; `ε ≤ 0`.
pub fn certify_dense(
    grad: &[f64],
    hessian: MatRef<'_, f64>,
    epsilon: f64,
) -> Result<SecondOrderCertificate, Error> {
    validate::positive("second-order certificate", "ε", epsilon)?;
    let n = grad.len();
    if hessian.nrows() != n || hessian.ncols() != n {
        return Err(Error::invalid(
            "second-order certificate",
            format!(
                "Hessian is {}×{} but the gradient has length {n}",
                hessian.nrows(),
                hessian.ncols()
            ),
        ));
    }
    let values = dense_eigenvalues(hessian)?;
    let classification = classify_eigenvalues(&values, epsilon)?;
    let grad_norm = norm_2(grad);
    let lambda_min = classification.lambda_min;
    Ok(SecondOrderCertificate {
        grad_norm,
        lambda_min,
        epsilon,
        holds: grad_norm <= epsilon && lambda_min >= -epsilon,
        classification,
    })
}

/// Lanczos steps [`certify`] takes at most on Hessian-vector products: the
/// basis holds `min(n, 300)` vectors of length n (240 MB at n = 10⁵).
pub const CERTIFY_MAX_LANCZOS_STEPS: usize = 300;

/// Classify the point `x` of the evaluator's objective and certify it: from the
/// dense Hessian when the objective provides one, otherwise from one Lanczos
/// run on Hessian-vector products ([`spectrum_ends`] with `k = 1`, tolerance
/// `10⁻⁸`, at most `min(n, `[`CERTIFY_MAX_LANCZOS_STEPS`]`)` steps), with counts
/// taken from the two extremes only: a point is then reported as a saddle,
/// minimum or maximum from the extreme signs. If the step cap is reached first,
/// the extremes are the current Ritz values, which lie inside the spectrum
/// (`λ_min` is over-estimated, `λ_max` under-estimated).
///
/// # Errors
/// `x` of the wrong length, no second derivatives, a malformed Hessian, a
/// non-finite Hessian-vector product, `ε ≤ 0`.
pub fn certify(
    eval: &mut Evaluator<'_>,
    x: &[f64],
    epsilon: f64,
    seed: u64,
) -> Result<SecondOrderCertificate, Error> {
    let n = eval.dim();
    if x.len() != n {
        return Err(Error::invalid(
            format!("certify a point of {}", eval.name()),
            format!(
                "point has {} coordinates but the objective has dimension {n}",
                x.len()
            ),
        ));
    }
    let mut grad = vec![0.0; n];
    eval.gradient(x, &mut grad);
    if eval.capabilities().hessian {
        let mut h = Mat::zeros(n, n);
        eval.hessian(x, h.as_mut())?;
        return certify_dense(&grad, h.as_ref(), epsilon);
    }
    validate::positive("second-order certificate", "ε", epsilon)?;
    let mut op = HessianAt::new(eval, x)?;
    let (low, high) = spectrum_ends(&mut op, 1, 1e-8, n.min(CERTIFY_MAX_LANCZOS_STEPS), seed)?;
    let extremes = [low.values[0], high.values[0]];
    let classification = classify_eigenvalues(&extremes, epsilon)?;
    let grad_norm = norm_2(&grad);
    Ok(SecondOrderCertificate {
        grad_norm,
        lambda_min: extremes[0],
        epsilon,
        holds: grad_norm <= epsilon && extremes[0] >= -epsilon,
        classification,
    })
}
