//! What an optimiser takes as its learning rate: a schedule or reduce-on-plateau.

use std::fmt;

use descent_core::Error;
use serde::{Deserialize, Serialize};

use crate::plateau::ReduceOnPlateau;
use crate::robbins_monro::RobbinsMonro;
use crate::schedule::Schedule;

/// The learning rate of an optimiser: η_k from a [`Schedule`] (a fixed η is
/// [`Schedule::constant`]), or from [`ReduceOnPlateau`] driven by the loss.
///
/// Serialised externally tagged: `{"schedule": {"kind": "constant", "eta": 0.1}}`
/// or `{"reduce_on_plateau": {…}}`; both validate on deserialisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LearningRate {
    /// η_k depends on k only.
    Schedule(Schedule),
    /// η_k depends on the losses observed so far.
    ReduceOnPlateau(ReduceOnPlateau),
}

impl LearningRate {
    /// A fixed learning rate η.
    ///
    /// # Errors
    /// η not finite and > 0 ("constant schedule: η must be finite and > 0, got 0").
    pub fn constant(eta: f64) -> Result<Self, Error> {
        Ok(Self::Schedule(Schedule::constant(eta)?))
    }

    /// The learning rate for step k, taken at a point with loss `loss`:
    /// `Schedule` gives η_k; `ReduceOnPlateau` first observes `loss`.
    pub fn at(&mut self, k: usize, loss: f64) -> f64 {
        match self {
            Self::Schedule(s) => s.learning_rate(k),
            Self::ReduceOnPlateau(p) => p.observe(loss),
        }
    }

    /// η₀, the first learning rate.
    pub fn initial(&self) -> f64 {
        match self {
            Self::Schedule(s) => s.learning_rate(0),
            Self::ReduceOnPlateau(p) => p.settings().eta0,
        }
    }

    /// Forget any observed losses (a no-op for a schedule).
    pub fn reset(&mut self) {
        if let Self::ReduceOnPlateau(p) = self {
            p.reset();
        }
    }

    /// The Robbins–Monro analysis of the schedule.
    pub fn robbins_monro(&self) -> RobbinsMonro {
        match self {
            Self::Schedule(s) => s.robbins_monro(),
            Self::ReduceOnPlateau(p) => p.robbins_monro(),
        }
    }
}

impl From<Schedule> for LearningRate {
    fn from(s: Schedule) -> Self {
        Self::Schedule(s)
    }
}

impl From<ReduceOnPlateau> for LearningRate {
    fn from(p: ReduceOnPlateau) -> Self {
        Self::ReduceOnPlateau(p)
    }
}

impl fmt::Display for LearningRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Schedule(s) => s.fmt(f),
            Self::ReduceOnPlateau(p) => write!(
                f,
                "plateau η₀={} ×{}",
                p.settings().eta0,
                p.settings().factor
            ),
        }
    }
}
