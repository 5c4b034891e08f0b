//! Reduce-on-plateau: the stateful schedule driven by the observed loss.

use descent_core::{Error, display_number, validate};
use serde::{Deserialize, Serialize};

use crate::robbins_monro::{RobbinsMonro, Series};

/// How "better" is measured against the best loss so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThresholdMode {
    /// Better means `loss < best · (1 − threshold)` (PyTorch `"rel"`, the default).
    Relative,
    /// Better means `loss < best − threshold` (PyTorch `"abs"`).
    Absolute,
}

/// The settings of [`ReduceOnPlateau`]; defaults are PyTorch's
/// (`factor = 0.1`, `patience = 10`, `threshold = 1e-4` relative, `cooldown = 0`,
/// `min_eta = 0`, `eps = 1e-8`) with `eta0 = 0.1`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReduceOnPlateauSettings {
    /// η₀, the starting learning rate.
    pub eta0: f64,
    /// The factor η is multiplied by on a plateau, in (0, 1).
    pub factor: f64,
    /// Steps without improvement tolerated before reducing.
    pub patience: usize,
    /// Relative (in [0, 1)) or absolute (≥ 0) improvement needed to count as better.
    pub threshold: f64,
    /// How `threshold` is applied.
    pub threshold_mode: ThresholdMode,
    /// Steps after a reduction during which bad steps are not counted.
    pub cooldown: usize,
    /// η never goes below this (≥ 0, ≤ η₀).
    pub min_eta: f64,
    /// A reduction smaller than this is skipped (≥ 0).
    pub eps: f64,
}

impl Default for ReduceOnPlateauSettings {
    fn default() -> Self {
        Self {
            eta0: 0.1,
            factor: 0.1,
            patience: 10,
            threshold: 1e-4,
            threshold_mode: ThresholdMode::Relative,
            cooldown: 0,
            min_eta: 0.0,
            eps: 1e-8,
        }
    }
}

/// Reduce the learning rate when the loss stops improving (PyTorch
/// `ReduceLROnPlateau`, mode `"min"`).
///
/// For each observed loss L:
/// if L is better than the best so far (`L < best(1 − threshold)` relative, or
/// `L < best − threshold` absolute) then `best = L`, `bad = 0`, else `bad += 1`;
/// during cooldown the counter decrements and `bad = 0`; if `bad > patience`
/// then `η ← max(η · factor, min_eta)` (skipped if the change is ≤ eps),
/// cooldown restarts and `bad = 0`. A NaN loss is never better: it counts as a
/// bad step.
///
/// Serialises as its settings (the run-time state starts afresh on
/// deserialisation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "ReduceOnPlateauSettings", into = "ReduceOnPlateauSettings")]
pub struct ReduceOnPlateau {
    settings: ReduceOnPlateauSettings,
    eta: f64,
    best: f64,
    bad_steps: usize,
    cooldown_counter: usize,
}

impl TryFrom<ReduceOnPlateauSettings> for ReduceOnPlateau {
    type Error = Error;
    fn try_from(settings: ReduceOnPlateauSettings) -> Result<Self, Error> {
        Self::new(settings)
    }
}

impl From<ReduceOnPlateau> for ReduceOnPlateauSettings {
    fn from(p: ReduceOnPlateau) -> Self {
        p.settings
    }
}

impl ReduceOnPlateau {
    /// Validate `settings` and start at η₀.
    ///
    /// # Errors
    /// η₀ not > 0; factor outside (0, 1); a relative threshold outside [0, 1)
    /// (with threshold ≥ 1, `best · (1 − threshold)` is ≤ 0, or NaN against the
    /// initial best = ∞, so no loss could ever count as better); an absolute
    /// threshold, min_eta or eps negative or not finite; min_eta > η₀.
    pub fn new(settings: ReduceOnPlateauSettings) -> Result<Self, Error> {
        const OWNER: &str = "reduce-on-plateau";
        validate::positive(OWNER, "η₀", settings.eta0)?;
        validate::in_open_unit(OWNER, "factor", settings.factor)?;
        match settings.threshold_mode {
            ThresholdMode::Relative => {
                validate::in_unit_from_zero(OWNER, "relative threshold", settings.threshold)?;
            }
            ThresholdMode::Absolute => {
                validate::non_negative(OWNER, "absolute threshold", settings.threshold)?;
            }
        }
        validate::non_negative(OWNER, "η_min", settings.min_eta)?;
        validate::non_negative(OWNER, "eps", settings.eps)?;
        if settings.min_eta > settings.eta0 {
            return Err(Error::Hyperparameter {
                owner: OWNER,
                name: "η_min",
                requirement: "≤ η₀",
                value: format!(
                    "{} with η₀ = {}",
                    display_number(settings.min_eta),
                    display_number(settings.eta0)
                ),
            });
        }
        let eta = settings.eta0;
        Ok(Self {
            settings,
            eta,
            best: f64::INFINITY,
            bad_steps: 0,
            cooldown_counter: 0,
        })
    }

    /// The settings.
    pub fn settings(&self) -> &ReduceOnPlateauSettings {
        &self.settings
    }

    /// The current learning rate.
    pub fn learning_rate(&self) -> f64 {
        self.eta
    }

    /// The best loss observed so far (`+∞` before any).
    pub fn best(&self) -> f64 {
        self.best
    }

    /// Forget every observation and return to η₀.
    pub fn reset(&mut self) {
        self.eta = self.settings.eta0;
        self.best = f64::INFINITY;
        self.bad_steps = 0;
        self.cooldown_counter = 0;
    }

    fn is_better(&self, loss: f64) -> bool {
        match self.settings.threshold_mode {
            ThresholdMode::Relative => loss < self.best * (1.0 - self.settings.threshold),
            ThresholdMode::Absolute => loss < self.best - self.settings.threshold,
        }
    }

    /// Observe a loss and return the learning rate to use next (the update rule
    /// in the type's documentation).
    pub fn observe(&mut self, loss: f64) -> f64 {
        if self.is_better(loss) {
            self.best = loss;
            self.bad_steps = 0;
        } else {
            self.bad_steps += 1;
        }
        if self.cooldown_counter > 0 {
            self.cooldown_counter -= 1;
            self.bad_steps = 0;
        }
        if self.bad_steps > self.settings.patience {
            let reduced = (self.eta * self.settings.factor).max(self.settings.min_eta);
            if self.eta - reduced > self.settings.eps {
                self.eta = reduced;
            }
            self.cooldown_counter = self.settings.cooldown;
            self.bad_steps = 0;
        }
        self.eta
    }

    /// A positive lower bound on every learning rate this schedule can reach,
    /// whatever the losses: `max(η_min, min(η₀, eps · factor/(1 − factor)))`
    /// (0 only when both η_min and eps are 0).
    ///
    /// Why: a reduction from η happens only when `η − max(η·factor, η_min) > eps`.
    /// If it goes to `η·factor`, then `η(1 − factor) > eps`, so the new value
    /// `η·factor > eps·factor/(1 − factor)`; if it goes to η_min, then
    /// `η_min ≥ η·factor` and `η > eps + η_min` give
    /// `η_min > eps·factor/(1 − factor)` as well; and η never drops below η_min.
    pub fn eta_floor(&self) -> f64 {
        let ReduceOnPlateauSettings {
            eta0,
            factor,
            min_eta,
            eps,
            ..
        } = self.settings;
        min_eta.max(eta0.min(eps * factor / (1.0 - factor)))
    }

    /// The Robbins–Monro verdict. With `η_min > 0` or `eps > 0` every ηₖ is at
    /// least [`eta_floor`](Self::eta_floor) `> 0`, so Σηₖ and Σηₖ² both grow at
    /// least like K and diverge (PyTorch's default eps = 1e-8 makes this the
    /// usual case). Only with `η_min = 0` and `eps = 0` can η fall to 0, and
    /// then both sums depend on the losses observed ([`Series::Undecided`]).
    /// The total is `+∞` (or bounded only by `+∞` when undecided).
    pub fn robbins_monro(&self) -> RobbinsMonro {
        let floor = self.eta_floor();
        let (sum, sum_of_squares, reason) = if floor > 0.0 {
            (
                Series::Diverges,
                Series::Diverges,
                format!(
                    "reduce-on-plateau with η_min = {} and eps = {}: η_k ≥ max(η_min, min(η₀, eps·factor/(1 − factor))) = {} > 0, so Σ and Σ² grow at least like K",
                    display_number(self.settings.min_eta),
                    display_number(self.settings.eps),
                    display_number(floor)
                ),
            )
        } else {
            (
                Series::Undecided,
                Series::Undecided,
                "reduce-on-plateau with η_min = 0 and eps = 0: the sums depend on the losses observed"
                    .to_owned(),
            )
        };
        RobbinsMonro {
            sum,
            sum_of_squares,
            reason,
            total: f64::INFINITY,
            partial_sums: Vec::new(),
        }
    }
}
