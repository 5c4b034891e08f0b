//! The schedule families: their description ([`ScheduleSpec`]), validation and
//! evaluation ([`Schedule`]).

use std::f64::consts::PI;
use std::fmt;

use descent_core::{Error, display_number, validate};
use serde::{Deserialize, Serialize};

/// The description of a learning-rate schedule η_k, k = 0, 1, 2, …, as written
/// in an experiment spec (`{"kind": "inverse_time", "eta0": 0.1, "tau": 1, "power": 1}`).
///
/// A spec is unchecked; [`Schedule::try_from`] validates it (deserialising a
/// [`Schedule`] does so automatically).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ScheduleSpec {
    /// `η_k = η` (η > 0).
    Constant {
        /// η.
        eta: f64,
    },
    /// Inverse-time decay `η_k = η₀ / (1 + k/τ)^p` (η₀ > 0, τ > 0, p > 0).
    ///
    /// The lecture's "linear" schedule η₀/(k+1) is p = 1, τ = 1; its
    /// "quadratic" η₀/(k+1)² is p = 2, τ = 1; η₀/√(k+1) is p = ½, τ = 1.
    /// Source: Robbins & Monro (1951) for p = 1; Bottou, Curtis & Nocedal,
    /// "Optimization methods for large-scale machine learning" (2018), §4.
    InverseTime {
        /// η₀.
        eta0: f64,
        /// τ, the time scale: η halves (for p = 1) at k = τ.
        tau: f64,
        /// p, the power.
        power: f64,
    },
    /// Exponential decay `η_k = η₀ e^{−βk}` (η₀ > 0, β ≥ 0; β = 0 is constant).
    /// Source: the lecture; PyTorch `ExponentialLR` with γ = e^{−β}.
    Exponential {
        /// η₀.
        eta0: f64,
        /// β, the decay rate per step.
        beta: f64,
    },
    /// Step decay `η_k = η₀ γ^{⌊k/s⌋}` (η₀ > 0, 0 < γ ≤ 1, s ≥ 1).
    /// Source: PyTorch `StepLR`.
    StepDecay {
        /// η₀.
        eta0: f64,
        /// γ, the factor applied every `step_size` steps.
        gamma: f64,
        /// s, the number of steps between decays.
        step_size: usize,
    },
    /// Piecewise constant: `η_k = values[i]` for `milestones[i−1] ≤ k < milestones[i]`
    /// (with `milestones[−1] = 0`, `milestones[len] = ∞`; every value > 0,
    /// milestones strictly increasing and > 0, one more value than milestones).
    /// Source: PyTorch `MultiStepLR` (with explicit values instead of a factor).
    PiecewiseConstant {
        /// The learning rate on each piece.
        values: Vec<f64>,
        /// The steps at which the next piece starts.
        milestones: Vec<usize>,
    },
    /// Polynomial decay to an end value over a horizon T:
    /// `η_k = (η₀ − η_end)(1 − k/T)^p + η_end` for k < T, `η_end` after
    /// (η₀ > 0, 0 ≤ η_end ≤ η₀, T ≥ 1, p > 0). Source: PyTorch `PolynomialLR`,
    /// TensorFlow `PolynomialDecay`.
    Polynomial {
        /// η₀.
        eta0: f64,
        /// η_end, the value from step T on.
        eta_end: f64,
        /// T, the horizon in steps.
        horizon: usize,
        /// p, the power (1 = linear decay).
        power: f64,
    },
    /// Cosine annealing without restarts:
    /// `η_k = η_min + (η_max − η_min)(1 + cos(πk/T))/2` for k < T and `η_min` from
    /// k = T on (η_max > 0, 0 ≤ η_min ≤ η_max, T ≥ 1). Source: Loshchilov &
    /// Hutter, "SGDR: stochastic gradient descent with warm restarts" (ICLR 2017),
    /// eq. (5), one cycle. (PyTorch's `CosineAnnealingLR` instead continues the
    /// cosine periodically past T; use [`ScheduleSpec::CosineWarmRestarts`] for a
    /// periodic schedule.)
    Cosine {
        /// η_max = η₀.
        eta_max: f64,
        /// η_min, the final value.
        eta_min: f64,
        /// T, the annealing length in steps.
        period: usize,
    },
    /// Cosine annealing with warm restarts (SGDR, Loshchilov & Hutter 2017, eq. 5):
    /// `η_k = η_min + (η_max − η_min)(1 + cos(π T_cur/T_i))/2`, where cycle i has
    /// length `T_i = T₀ · mult^i` and `T_cur` counts steps since the last restart
    /// (η_max > 0, 0 ≤ η_min ≤ η_max, T₀ ≥ 1, mult ≥ 1). PyTorch
    /// `CosineAnnealingWarmRestarts`.
    CosineWarmRestarts {
        /// η_max.
        eta_max: f64,
        /// η_min.
        eta_min: f64,
        /// T₀, the length of the first cycle.
        first_period: usize,
        /// mult, the factor by which each cycle is longer than the previous.
        period_multiplier: usize,
    },
    /// Linear warm-up over W steps in front of another schedule:
    /// `η_k = η_then(0) · (s + (1 − s) k/W)` for k < W, then `η_k = η_then(k − W)`
    /// (W ≥ 1, 0 < s ≤ 1). Source: Goyal et al., "Accurate, large minibatch SGD"
    /// (2017), §2.2; PyTorch `LinearLR` followed by `SequentialLR`.
    Warmup {
        /// W, the warm-up length.
        steps: usize,
        /// s, the fraction of η_then(0) used at k = 0.
        start_factor: f64,
        /// The schedule that follows (its own step count starts at 0 after W).
        then: Box<ScheduleSpec>,
    },
    /// Schedules switched at milestones: schedule i runs on
    /// `milestones[i−1] ≤ k < milestones[i]` with its own count
    /// `k − milestones[i−1]` (one more schedule than milestones; milestones
    /// strictly increasing and > 0). Source: PyTorch `SequentialLR`.
    Sequence {
        /// The schedules in order.
        schedules: Vec<ScheduleSpec>,
        /// The steps at which the next schedule starts.
        milestones: Vec<usize>,
    },
}

/// A validated learning-rate schedule: η_k for k = 0, 1, 2, … (always finite
/// and ≥ 0, and > 0 at k = 0).
///
/// Build one with a constructor ([`Schedule::inverse_time`], …) or from a
/// [`ScheduleSpec`] with `Schedule::try_from(spec)`; deserialising validates
/// too. Serialises as its spec.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "ScheduleSpec", into = "ScheduleSpec")]
pub struct Schedule {
    spec: ScheduleSpec,
}

impl TryFrom<ScheduleSpec> for Schedule {
    type Error = Error;
    fn try_from(spec: ScheduleSpec) -> Result<Self, Error> {
        spec.validate()?;
        Ok(Self { spec })
    }
}

impl From<Schedule> for ScheduleSpec {
    fn from(schedule: Schedule) -> Self {
        schedule.spec
    }
}

fn strictly_increasing(owner: &'static str, milestones: &[usize]) -> Result<(), Error> {
    let increasing =
        milestones.first().is_none_or(|&m| m > 0) && milestones.windows(2).all(|w| w[0] < w[1]);
    if increasing {
        Ok(())
    } else {
        Err(Error::Hyperparameter {
            owner,
            name: "milestones",
            requirement: "strictly increasing and > 0",
            value: format!("{milestones:?}"),
        })
    }
}

/// `value ≤ bound`; the message names both ("η_min must be ≤ η_max, got 2 with η_max = 1").
fn at_most(
    owner: &'static str,
    name: &'static str,
    requirement: &'static str,
    bound_name: &'static str,
    value: f64,
    bound: f64,
) -> Result<(), Error> {
    if value <= bound {
        Ok(())
    } else {
        Err(Error::Hyperparameter {
            owner,
            name,
            requirement,
            value: format!(
                "{} with {bound_name} = {}",
                display_number(value),
                display_number(bound)
            ),
        })
    }
}

impl ScheduleSpec {
    /// The owner name used in this family's error messages.
    fn owner(&self) -> &'static str {
        match self {
            Self::Constant { .. } => "constant schedule",
            Self::InverseTime { .. } => "inverse-time schedule",
            Self::Exponential { .. } => "exponential schedule",
            Self::StepDecay { .. } => "step-decay schedule",
            Self::PiecewiseConstant { .. } => "piecewise-constant schedule",
            Self::Polynomial { .. } => "polynomial schedule",
            Self::Cosine { .. } => "cosine schedule",
            Self::CosineWarmRestarts { .. } => "cosine warm-restarts schedule",
            Self::Warmup { .. } => "warm-up schedule",
            Self::Sequence { .. } => "schedule sequence",
        }
    }

    /// Check every parameter (recursively for warm-up and sequences).
    ///
    /// # Errors
    /// [`Error::Hyperparameter`] naming the family, the parameter and its value
    /// ("inverse-time schedule: p must be finite and > 0, got -1"), or
    /// [`Error::Invalid`] when the numbers of values/schedules and milestones
    /// do not fit.
    pub fn validate(&self) -> Result<(), Error> {
        let owner = self.owner();
        match self {
            Self::Constant { eta } => {
                validate::positive(owner, "η", *eta)?;
            }
            Self::InverseTime { eta0, tau, power } => {
                validate::positive(owner, "η₀", *eta0)?;
                validate::positive(owner, "τ", *tau)?;
                validate::positive(owner, "p", *power)?;
            }
            Self::Exponential { eta0, beta } => {
                validate::positive(owner, "η₀", *eta0)?;
                validate::non_negative(owner, "β", *beta)?;
            }
            Self::StepDecay {
                eta0,
                gamma,
                step_size,
            } => {
                validate::positive(owner, "η₀", *eta0)?;
                if !(*gamma > 0.0 && *gamma <= 1.0) {
                    return Err(Error::Hyperparameter {
                        owner,
                        name: "γ",
                        requirement: "in (0, 1]",
                        value: display_number(*gamma),
                    });
                }
                validate::at_least(owner, "step size", *step_size, 1)?;
            }
            Self::PiecewiseConstant { values, milestones } => {
                validate::all_positive(owner, "values", values)?;
                strictly_increasing(owner, milestones)?;
                if values.len() != milestones.len() + 1 {
                    return Err(Error::invalid(
                        owner,
                        format!(
                            "needs one more value than milestones, got {} values and {} milestones",
                            values.len(),
                            milestones.len()
                        ),
                    ));
                }
            }
            Self::Polynomial {
                eta0,
                eta_end,
                horizon,
                power,
            } => {
                validate::positive(owner, "η₀", *eta0)?;
                validate::non_negative(owner, "η_end", *eta_end)?;
                at_most(owner, "η_end", "≤ η₀", "η₀", *eta_end, *eta0)?;
                validate::at_least(owner, "horizon", *horizon, 1)?;
                validate::positive(owner, "p", *power)?;
            }
            Self::Cosine {
                eta_max,
                eta_min,
                period,
            } => {
                validate::positive(owner, "η_max", *eta_max)?;
                validate::non_negative(owner, "η_min", *eta_min)?;
                at_most(owner, "η_min", "≤ η_max", "η_max", *eta_min, *eta_max)?;
                validate::at_least(owner, "period", *period, 1)?;
            }
            Self::CosineWarmRestarts {
                eta_max,
                eta_min,
                first_period,
                period_multiplier,
            } => {
                validate::positive(owner, "η_max", *eta_max)?;
                validate::non_negative(owner, "η_min", *eta_min)?;
                at_most(owner, "η_min", "≤ η_max", "η_max", *eta_min, *eta_max)?;
                validate::at_least(owner, "first period", *first_period, 1)?;
                validate::at_least(owner, "period multiplier", *period_multiplier, 1)?;
            }
            Self::Warmup {
                steps,
                start_factor,
                then,
            } => {
                validate::at_least(owner, "steps", *steps, 1)?;
                if !(*start_factor > 0.0 && *start_factor <= 1.0) {
                    return Err(Error::Hyperparameter {
                        owner,
                        name: "start factor",
                        requirement: "in (0, 1]",
                        value: display_number(*start_factor),
                    });
                }
                then.validate()?;
            }
            Self::Sequence {
                schedules,
                milestones,
            } => {
                if schedules.is_empty() {
                    return Err(Error::invalid(
                        owner,
                        "needs at least one schedule, got none",
                    ));
                }
                strictly_increasing(owner, milestones)?;
                if schedules.len() != milestones.len() + 1 {
                    return Err(Error::invalid(
                        owner,
                        format!(
                            "needs one more schedule than milestones, got {} schedules and {} milestones",
                            schedules.len(),
                            milestones.len()
                        ),
                    ));
                }
                for s in schedules {
                    s.validate()?;
                }
            }
        }
        Ok(())
    }

    /// η_k (the spec must be valid).
    pub(crate) fn eta(&self, k: usize) -> f64 {
        match self {
            Self::Constant { eta } => *eta,
            Self::InverseTime { eta0, tau, power } => eta0 / (1.0 + k as f64 / tau).powf(*power),
            Self::Exponential { eta0, beta } => eta0 * (-beta * k as f64).exp(),
            Self::StepDecay {
                eta0,
                gamma,
                step_size,
            } => {
                let n = k / step_size;
                eta0 * gamma.powi(i32::try_from(n).unwrap_or(i32::MAX))
            }
            Self::PiecewiseConstant { values, milestones } => {
                let i = milestones.partition_point(|&m| m <= k);
                values[i]
            }
            Self::Polynomial {
                eta0,
                eta_end,
                horizon,
                power,
            } => {
                if k < *horizon {
                    (eta0 - eta_end) * (1.0 - k as f64 / *horizon as f64).powf(*power) + eta_end
                } else {
                    *eta_end
                }
            }
            Self::Cosine {
                eta_max,
                eta_min,
                period,
            } => {
                if k < *period {
                    cosine(*eta_max, *eta_min, k, *period)
                } else {
                    *eta_min
                }
            }
            Self::CosineWarmRestarts {
                eta_max,
                eta_min,
                first_period,
                period_multiplier,
            } => {
                let (t_cur, t_i) = if *period_multiplier == 1 {
                    (k % first_period, *first_period)
                } else {
                    let (mut start, mut len) = (0usize, *first_period);
                    while k - start >= len {
                        start += len;
                        len = len.saturating_mul(*period_multiplier);
                    }
                    (k - start, len)
                };
                cosine(*eta_max, *eta_min, t_cur, t_i)
            }
            Self::Warmup {
                steps,
                start_factor,
                then,
            } => {
                if k < *steps {
                    then.eta(0) * (start_factor + (1.0 - start_factor) * k as f64 / *steps as f64)
                } else {
                    then.eta(k - steps)
                }
            }
            Self::Sequence {
                schedules,
                milestones,
            } => {
                let i = milestones.partition_point(|&m| m <= k);
                let start = if i == 0 { 0 } else { milestones[i - 1] };
                schedules[i].eta(k - start)
            }
        }
    }
}

/// `η_min + (η_max − η_min)(1 + cos(π t/T))/2`.
fn cosine(eta_max: f64, eta_min: f64, t: usize, period: usize) -> f64 {
    eta_min + (eta_max - eta_min) * (1.0 + (PI * t as f64 / period as f64).cos()) / 2.0
}

impl Schedule {
    /// `η_k = η` ([`ScheduleSpec::Constant`]).
    ///
    /// # Errors
    /// η not finite and > 0.
    pub fn constant(eta: f64) -> Result<Self, Error> {
        Self::try_from(ScheduleSpec::Constant { eta })
    }
    /// `η_k = η₀ / (1 + k/τ)^p` ([`ScheduleSpec::InverseTime`]).
    ///
    /// # Errors
    /// η₀, τ or p not finite and > 0.
    pub fn inverse_time(eta0: f64, tau: f64, power: f64) -> Result<Self, Error> {
        Self::try_from(ScheduleSpec::InverseTime { eta0, tau, power })
    }
    /// The lecture's "linear" schedule `η₀/(k+1)` (inverse time, p = 1, τ = 1).
    ///
    /// # Errors
    /// η₀ not finite and > 0.
    pub fn harmonic(eta0: f64) -> Result<Self, Error> {
        Self::inverse_time(eta0, 1.0, 1.0)
    }
    /// `η_k = η₀ e^{−βk}` ([`ScheduleSpec::Exponential`]).
    ///
    /// # Errors
    /// η₀ not finite and > 0, or β not finite and ≥ 0.
    pub fn exponential(eta0: f64, beta: f64) -> Result<Self, Error> {
        Self::try_from(ScheduleSpec::Exponential { eta0, beta })
    }
    /// `η_k = η₀ γ^{⌊k/s⌋}` ([`ScheduleSpec::StepDecay`]).
    ///
    /// # Errors
    /// η₀ not > 0, γ outside (0, 1], s = 0.
    pub fn step_decay(eta0: f64, gamma: f64, step_size: usize) -> Result<Self, Error> {
        Self::try_from(ScheduleSpec::StepDecay {
            eta0,
            gamma,
            step_size,
        })
    }
    /// Piecewise constant at milestones ([`ScheduleSpec::PiecewiseConstant`]).
    ///
    /// # Errors
    /// A value not > 0, milestones not strictly increasing, or counts that do
    /// not fit.
    pub fn piecewise_constant(values: Vec<f64>, milestones: Vec<usize>) -> Result<Self, Error> {
        Self::try_from(ScheduleSpec::PiecewiseConstant { values, milestones })
    }
    /// Polynomial decay to `eta_end` over `horizon` steps ([`ScheduleSpec::Polynomial`]).
    ///
    /// # Errors
    /// η₀ not > 0, η_end outside [0, η₀], horizon = 0, p not > 0.
    pub fn polynomial(eta0: f64, eta_end: f64, horizon: usize, power: f64) -> Result<Self, Error> {
        Self::try_from(ScheduleSpec::Polynomial {
            eta0,
            eta_end,
            horizon,
            power,
        })
    }
    /// Cosine annealing over `period` steps, then η_min ([`ScheduleSpec::Cosine`]).
    ///
    /// # Errors
    /// η_max not > 0, η_min outside [0, η_max], period = 0.
    pub fn cosine(eta_max: f64, eta_min: f64, period: usize) -> Result<Self, Error> {
        Self::try_from(ScheduleSpec::Cosine {
            eta_max,
            eta_min,
            period,
        })
    }
    /// SGDR: cosine annealing with warm restarts ([`ScheduleSpec::CosineWarmRestarts`]).
    ///
    /// # Errors
    /// η_max not > 0, η_min outside [0, η_max], T₀ = 0 or mult = 0.
    pub fn cosine_warm_restarts(
        eta_max: f64,
        eta_min: f64,
        first_period: usize,
        period_multiplier: usize,
    ) -> Result<Self, Error> {
        Self::try_from(ScheduleSpec::CosineWarmRestarts {
            eta_max,
            eta_min,
            first_period,
            period_multiplier,
        })
    }
    /// Linear warm-up over `steps` steps from `start_factor · η_then(0)`, then
    /// `then` ([`ScheduleSpec::Warmup`]).
    ///
    /// # Errors
    /// steps = 0 or start factor outside (0, 1].
    pub fn warmup(steps: usize, start_factor: f64, then: Schedule) -> Result<Self, Error> {
        Self::try_from(ScheduleSpec::Warmup {
            steps,
            start_factor,
            then: Box::new(then.spec),
        })
    }
    /// Schedules switched at milestones ([`ScheduleSpec::Sequence`]).
    ///
    /// # Errors
    /// No schedules, milestones not strictly increasing, or counts that do not fit.
    pub fn sequence(schedules: Vec<Schedule>, milestones: Vec<usize>) -> Result<Self, Error> {
        Self::try_from(ScheduleSpec::Sequence {
            schedules: schedules.into_iter().map(|s| s.spec).collect(),
            milestones,
        })
    }

    /// The learning rate η_k at step k = 0, 1, 2, … (the formula of the
    /// family, on [`ScheduleSpec`]).
    pub fn learning_rate(&self, k: usize) -> f64 {
        self.spec.eta(k)
    }

    /// The validated description.
    pub fn spec(&self) -> &ScheduleSpec {
        &self.spec
    }

    /// Re-check the parameters. Always `Ok` for a `Schedule` (construction and
    /// deserialisation validate); provided for symmetry with [`ScheduleSpec::validate`].
    ///
    /// # Errors
    /// As [`ScheduleSpec::validate`].
    pub fn validate(&self) -> Result<(), Error> {
        self.spec.validate()
    }
}

impl fmt::Display for ScheduleSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Constant { eta } => write!(f, "η={eta}"),
            Self::InverseTime { eta0, tau, power } => {
                write!(f, "η₀/(1+k/{tau})^{power}, η₀={eta0}")
            }
            Self::Exponential { eta0, beta } => write!(f, "η₀·exp(−{beta}k), η₀={eta0}"),
            Self::StepDecay {
                eta0,
                gamma,
                step_size,
            } => write!(f, "η₀·{gamma}^⌊k/{step_size}⌋, η₀={eta0}"),
            Self::PiecewiseConstant { values, milestones } => {
                write!(f, "piecewise {values:?} at {milestones:?}")
            }
            Self::Polynomial {
                eta0,
                eta_end,
                horizon,
                power,
            } => {
                write!(
                    f,
                    "polynomial η₀={eta0}→{eta_end} over {horizon}, p={power}"
                )
            }
            Self::Cosine {
                eta_max,
                eta_min,
                period,
            } => write!(f, "cosine {eta_max}→{eta_min} over {period}"),
            Self::CosineWarmRestarts {
                eta_max,
                eta_min,
                first_period,
                period_multiplier,
            } => {
                write!(
                    f,
                    "SGDR {eta_max}→{eta_min}, T₀={first_period}, ×{period_multiplier}"
                )
            }
            Self::Warmup {
                steps,
                start_factor,
                then,
            } => {
                write!(f, "warm-up {steps} from ×{start_factor}, then {then}")
            }
            Self::Sequence {
                schedules,
                milestones,
            } => {
                write!(f, "sequence [")?;
                for (i, s) in schedules.iter().enumerate() {
                    if i > 0 {
                        write!(f, " | at {} ", milestones[i - 1])?;
                    }
                    write!(f, "{s}")?;
                }
                write!(f, "]")
            }
        }
    }
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.spec.fmt(f)
    }
}
