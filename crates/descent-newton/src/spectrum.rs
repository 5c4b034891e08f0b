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

use descent_core::{Error, Evaluator, validate};
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
        SymmetricEigen::new(t.as_ref()).expect("a finite tridiagonal matrix is symmetric")
    }
}

/// The running Lanczos process over a stored basis.
struct LanczosProcess {
    basis: Mat<f64>,
    q: Vec<f64>,
    w: Vec<f64>,
    coefficients: Vec<f64>,
    t: Tridiagonal,
}

impl LanczosProcess {
    fn new(start: &[f64], capacity: usize) -> Self {
        let n = start.len();
        let mut basis = Mat::zeros(n, capacity);
        let norm = norm_2(start);
        for i in 0..n {
            basis[(i, 0)] = start[i] / norm;
        }
        Self {
            basis,
            q: vec![0.0; n],
            w: vec![0.0; n],
            coefficients: vec![0.0; capacity],
            t: Tridiagonal {
                alpha: Vec::with_capacity(capacity),
                beta: Vec::with_capacity(capacity),
            },
        }
    }

    /// One step: returns false at breakdown (an invariant subspace was found)
    /// or when the basis is full.
    fn step(&mut self, op: &mut dyn SymmetricOperator) -> Result<bool, Error> {
        let j = self.t.alpha.len();
        let capacity = self.basis.ncols();
        for i in 0..self.q.len() {
            self.q[i] = self.basis[(i, j)];
        }
        op.apply(&self.q, &mut self.w)?;
        let alpha = descent_linalg::dot(&self.q, &self.w);
        // Full reorthogonalisation: w ← w − Q (Qᵀ w), twice.
        let qj = self.basis.as_ref().subcols(0, j + 1);
        for _ in 0..2 {
            let c = &mut self.coefficients[..j + 1];
            vecmat(&self.w, qj, c);
            matvec_add(-1.0, qj, c, &mut self.w);
        }
        let beta = norm_2(&self.w);
        self.t.alpha.push(alpha);
        let scale_t = self
            .t
            .alpha
            .iter()
            .map(|a| a.abs())
            .fold(0.0, f64::max)
            .max(1e-300);
        if beta <= 1e-12 * scale_t || j + 1 == capacity || j + 1 == self.w.len() {
            self.t
                .beta
                .push(if j + 1 == self.w.len() { 0.0 } else { beta });
            return Ok(beta > 1e-12 * scale_t && j + 1 < capacity && j + 1 < self.w.len());
        }
        self.t.beta.push(beta);
        for i in 0..self.w.len() {
            self.basis[(i, j + 1)] = self.w[i] / beta;
        }
        Ok(true)
    }
}

/// Run `steps` Lanczos steps (fewer at breakdown) from `start`.
///
/// # Errors
/// `steps = 0`, a start vector of the wrong length or zero, or an operator failure.
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

/// The k largest or smallest eigenvalues of a symmetric operator by Lanczos with
/// full reorthogonalisation from a seeded Rademacher start, stopping when every
/// wanted Ritz value has residual bound `β_j |u_{j,i}| ≤ tol · max(1, |θ_i|)`,
/// at breakdown, or after `max_steps` (≤ n) steps. For a well-separated end of
/// the spectrum the Ritz values' error is about the residual squared over the gap.
///
/// # Errors
/// `k = 0` or `k > n`, `tol ≤ 0`, `max_steps < k`, or an operator failure.
pub fn extreme_eigenvalues(
    op: &mut dyn SymmetricOperator,
    k: usize,
    end: SpectrumEnd,
    tol: f64,
    max_steps: usize,
    seed: u64,
) -> Result<ExtremeEigenvalues, Error> {
    const OWNER: &str = "Lanczos extreme eigenvalues";
    let n = op.dim();
    validate::at_least(OWNER, "k", k, 1)?;
    if k > n {
        return Err(Error::invalid(
            OWNER,
            format!("k = {k} eigenvalues asked of an operator of dimension {n}"),
        ));
    }
    validate::positive(OWNER, "tolerance", tol)?;
    if max_steps < k {
        return Err(Error::invalid(
            OWNER,
            format!("max steps = {max_steps} is below k = {k}"),
        ));
    }
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
        let eig = process.t.eigen();
        let beta_j = *process.t.beta.last().expect("one step taken");
        let pick: Vec<usize> = match end {
            SpectrumEnd::Smallest => (0..k.min(j)).collect(),
            SpectrumEnd::Largest => (0..k.min(j)).map(|i| j - 1 - i).collect(),
        };
        let values: Vec<f64> = pick.iter().map(|&i| eig.values[i]).collect();
        let residuals: Vec<f64> = pick
            .iter()
            .map(|&i| (beta_j * eig.vectors[(j - 1, i)]).abs())
            .collect();
        let converged = residuals
            .iter()
            .zip(&values)
            .all(|(r, v)| *r <= tol * v.abs().max(1.0));
        if converged || !more {
            return Ok(ExtremeEigenvalues {
                values,
                residuals,
                iterations: j,
                converged: converged || beta_j == 0.0,
            });
        }
    }
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
    pub fn smoothed(&self, grid: &[f64], sigma: f64) -> Vec<f64> {
        let norm = 1.0 / (sigma * (2.0 * std::f64::consts::PI).sqrt());
        grid.iter()
            .map(|t| {
                self.nodes
                    .iter()
                    .zip(&self.weights)
                    .map(|(th, w)| w * norm * (-(t - th).powi(2) / (2.0 * sigma * sigma)).exp())
                    .sum()
            })
            .collect()
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
pub fn classify_eigenvalues(eigenvalues: &[f64], tol: f64) -> PointClassification {
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
    PointClassification {
        kind,
        positive,
        negative,
        near_zero,
        lambda_min: eigenvalues.iter().copied().fold(f64::INFINITY, f64::min),
        lambda_max: eigenvalues
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max),
    }
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
    let classification = classify_eigenvalues(&values, epsilon);
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

/// Classify the point `x` of the evaluator's objective and certify it: from the
/// dense Hessian when the objective provides one, otherwise from Lanczos on
/// Hessian-vector products (the `k = 1` smallest and largest eigenvalues to
/// `10⁻⁸`, with counts taken from those two only: a point is then reported as
/// a saddle, minimum or maximum from the extreme signs).
///
/// # Errors
/// `x` of the wrong length, no second derivatives, a malformed Hessian, `ε ≤ 0`.
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
    let low = extreme_eigenvalues(&mut op, 1, SpectrumEnd::Smallest, 1e-8, n, seed)?;
    let high = extreme_eigenvalues(&mut op, 1, SpectrumEnd::Largest, 1e-8, n, seed)?;
    let extremes = [low.values[0], high.values[0]];
    let classification = classify_eigenvalues(&extremes, epsilon);
    let grad_norm = norm_2(&grad);
    Ok(SecondOrderCertificate {
        grad_norm,
        lambda_min: extremes[0],
        epsilon,
        holds: grad_norm <= epsilon && extremes[0] >= -epsilon,
        classification,
    })
}
