//! The diagonal of the Hessian as per-parameter step sizes:
//! `x_i ← x_i − η ∇_i f / max(|H_ii|, δ)`, the lecture's "one step size per
//! direction" with the curvature of each coordinate axis.
//!
//! The diagonal is exact (from the dense Hessian, for small problems),
//! Hutchinson's estimate `E[z ⊙ Hz]` from Hessian-vector products with seeded
//! Rademacher probes, or supplied by the caller
//! ([`DiagonalNewton::with_diagonal`]). The last is how Becker & LeCun's (1988)
//! back-propagated diagonal Gauss–Newton approximation of a network's Hessian
//! drives this method: it needs the network's layer structure, which this crate
//! must not know, so it lives in descent-backprop
//! (`NetworkObjective::becker_lecun_diagonal`, `Backprop::becker_lecun_diagonal`)
//! and is passed in as a closure.

use descent_core::{
    Diagnostics, Error, Evaluator, Optimizer, Requirements, State, StepOutcome, display_number,
    validate,
};
use descent_linalg::Mat;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Where the diagonal comes from (for a caller-supplied diagonal see
/// [`DiagonalNewton::with_diagonal`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiagonalSource {
    /// `H_ii` from the dense Hessian (O(n²) memory).
    Exact,
    /// Hutchinson's estimate from `samples` Hessian-vector products per step.
    Hutchinson {
        /// Probes per step (≥ 1).
        samples: usize,
        /// Seed of the probe stream.
        seed: u64,
    },
}

/// Diagonal Newton: per-parameter steps `η / max(|d_i|, δ)` with `d ≈ diag ∇²f`,
/// d the exact diagonal or Hutchinson's estimate ([`DiagonalSource`]), or a
/// caller's diagonal `d(x)` ([`DiagonalNewton::with_diagonal`]).
///
/// Defaults used by [`DiagonalNewton::new`]'s callers: `η = 1`, `δ = 10⁻⁸`. A
/// NaN or infinite curvature `d_i` stops the run (naming i and the value)
/// before x moves: `max(|NaN|, δ)` would silently be δ.
///
/// The update is the one Becker & LeCun, *Improving the convergence of
/// back-propagation learning with second order methods* (1988) apply per
/// weight; their back-propagated Gauss–Newton diagonal is descent-backprop's
/// `NetworkObjective::becker_lecun_diagonal`, plugged in through
/// [`DiagonalNewton::with_diagonal`]. The diagonal estimator is Bekas,
/// Kokiopoulou & Saad (2007).
#[derive(Debug, Clone)]
pub struct DiagonalNewton {
    learning_rate: f64,
    floor: f64,
    source: Source,
    rng: ChaCha8Rng,
    d: Vec<f64>,
    z: Vec<f64>,
    hz: Vec<f64>,
    h: Mat<f64>,
}

const OWNER: &str = "diagonal Newton";

/// A caller's diagonal `d(x)`, cloneable behind a trait object.
trait DiagonalFn {
    fn diagonal(&mut self, x: &[f64], d: &mut [f64]) -> Result<(), Error>;
    fn clone_box(&self) -> Box<dyn DiagonalFn>;
}

impl<F> DiagonalFn for F
where
    F: FnMut(&[f64], &mut [f64]) -> Result<(), Error> + Clone + 'static,
{
    fn diagonal(&mut self, x: &[f64], d: &mut [f64]) -> Result<(), Error> {
        self(x, d)
    }
    fn clone_box(&self) -> Box<dyn DiagonalFn> {
        Box::new(self.clone())
    }
}

/// The built-in sources, or the caller's.
enum Source {
    Builtin(DiagonalSource),
    Provided(Box<dyn DiagonalFn>),
}

impl Clone for Source {
    fn clone(&self) -> Self {
        match self {
            Self::Builtin(s) => Self::Builtin(*s),
            Self::Provided(f) => Self::Provided(f.clone_box()),
        }
    }
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Builtin(s) => s.fmt(f),
            Self::Provided(_) => f.write_str("Provided"),
        }
    }
}

impl DiagonalNewton {
    /// Step `η > 0`, curvature floor `δ > 0`, diagonal from `source`.
    ///
    /// # Errors
    /// [`Error::Hyperparameter`] for `η ≤ 0`, `δ ≤ 0` or zero Hutchinson samples.
    pub fn new(learning_rate: f64, floor: f64, source: DiagonalSource) -> Result<Self, Error> {
        validate::positive(OWNER, "η", learning_rate)?;
        validate::positive(OWNER, "curvature floor δ", floor)?;
        let seed = match source {
            DiagonalSource::Hutchinson { samples, seed } => {
                validate::at_least(OWNER, "Hutchinson samples", samples, 1)?;
                seed
            }
            DiagonalSource::Exact => 0,
        };
        Ok(Self {
            learning_rate,
            floor,
            source: Source::Builtin(source),
            rng: ChaCha8Rng::seed_from_u64(seed),
            d: Vec::new(),
            z: Vec::new(),
            hz: Vec::new(),
            h: Mat::zeros(0, 0),
        })
    }

    /// Step `η > 0`, curvature floor `δ > 0`, and the diagonal `d(x)` written by
    /// `diagonal(x, d)` at every iterate: `x_i ← x_i − η ∇_i f / max(|d_i|, δ)`.
    ///
    /// Meant for curvature this crate cannot compute, above all a network's
    /// Becker & LeCun (1988) diagonal Gauss–Newton approximation
    /// (descent-backprop's `NetworkObjective::becker_lecun_diagonal`, from a clone
    /// of the objective captured by the closure). The closure must be `Clone` so
    /// that the method stays `Clone`; an `Err` it returns is the step's error
    /// (so `minimize` returns it). Its calls happen outside the [`Evaluator`], so the run's
    /// evaluation counts do not include them (Becker–LeCun costs about one
    /// gradient per step).
    ///
    /// # Errors
    /// [`Error::Hyperparameter`] for `η ≤ 0` or `δ ≤ 0`.
    pub fn with_diagonal(
        learning_rate: f64,
        floor: f64,
        diagonal: impl FnMut(&[f64], &mut [f64]) -> Result<(), Error> + Clone + 'static,
    ) -> Result<Self, Error> {
        let mut method = Self::new(learning_rate, floor, DiagonalSource::Exact)?;
        method.source = Source::Provided(Box::new(diagonal));
        Ok(method)
    }

    /// The diagonal used in the last step.
    pub fn diagonal(&self) -> &[f64] {
        &self.d
    }
}

impl Optimizer for DiagonalNewton {
    fn name(&self) -> String {
        match &self.source {
            Source::Builtin(DiagonalSource::Exact) => {
                format!("diagonal Newton (exact) η={}", self.learning_rate)
            }
            Source::Provided(_) => {
                format!(
                    "diagonal Newton (provided diagonal) η={}",
                    self.learning_rate
                )
            }
            Source::Builtin(DiagonalSource::Hutchinson { samples, .. }) => {
                format!(
                    "diagonal Newton (Hutchinson, {samples} probes) η={}",
                    self.learning_rate
                )
            }
        }
    }

    fn requirements(&self) -> Requirements {
        match self.source {
            Source::Builtin(DiagonalSource::Exact) => Requirements {
                hessian: true,
                hessian_vector_product: false,
            },
            Source::Builtin(DiagonalSource::Hutchinson { .. }) => Requirements {
                hessian: false,
                hessian_vector_product: true,
            },
            Source::Provided(_) => Requirements {
                hessian: false,
                hessian_vector_product: false,
            },
        }
    }

    fn init(&mut self, _eval: &mut Evaluator<'_>, state: &State) -> Result<(), Error> {
        let n = state.x.len();
        self.d = vec![0.0; n];
        self.z = vec![0.0; n];
        self.hz = vec![0.0; n];
        if let Source::Builtin(DiagonalSource::Exact) = self.source {
            self.h = Mat::zeros(n, n);
        }
        if let Source::Builtin(DiagonalSource::Hutchinson { seed, .. }) = self.source {
            self.rng = ChaCha8Rng::seed_from_u64(seed);
        }
        Ok(())
    }

    fn step(&mut self, eval: &mut Evaluator<'_>, state: &mut State) -> Result<StepOutcome, Error> {
        match &mut self.source {
            Source::Provided(diagonal) => diagonal.diagonal(&state.x, &mut self.d)?,
            Source::Builtin(DiagonalSource::Exact) => {
                eval.hessian(&state.x, self.h.as_mut())?;
                for i in 0..self.d.len() {
                    self.d[i] = self.h[(i, i)];
                }
            }
            Source::Builtin(DiagonalSource::Hutchinson { samples, .. }) => {
                let samples = *samples;
                self.d.fill(0.0);
                for _ in 0..samples {
                    if eval.exhausted() {
                        break;
                    }
                    for zi in &mut self.z {
                        *zi = if self.rng.random::<bool>() { 1.0 } else { -1.0 };
                    }
                    eval.hessian_vector_product(&state.x, &self.z, &mut self.hz)?;
                    for ((di, zi), hi) in self.d.iter_mut().zip(&self.z).zip(&self.hz) {
                        *di += zi * hi / samples as f64;
                    }
                }
            }
        }
        if let Some(i) = self.d.iter().position(|d| !d.is_finite()) {
            let reason = format!(
                "Hessian diagonal entry {i} is {} at the iterate",
                display_number(self.d[i])
            );
            return Ok(StepOutcome::Stop {
                reason,
                diagnostics: Diagnostics::default(),
            });
        }
        let mut floored = 0;
        for ((xi, gi), di) in state.x.iter_mut().zip(&state.grad).zip(&self.d) {
            let curvature = di.abs();
            if curvature < self.floor {
                floored += 1;
            }
            *xi -= self.learning_rate * gi / curvature.max(self.floor);
        }
        state.f = eval.value_and_gradient(&state.x, &mut state.grad);
        let mut diag = Diagnostics::with_learning_rate(self.learning_rate);
        if floored > 0 {
            diag.fallback = Some("curvature floored at δ");
        }
        if self.d.iter().any(|d| *d < 0.0) {
            diag.negative_curvature = true;
        }
        Ok(StepOutcome::Continue(diag))
    }
}
