//! Rprop: resilient backpropagation, sign-based steps with per-weight step sizes.

use descent_core::{Error, Evaluator, Optimizer, State, StepOutcome, display_number, validate};
use serde::{Deserialize, Serialize};

use crate::{finish_step, reset_buffer, sign};

/// The Rprop variant (Igel & Hüsken 2000 name them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RpropVariant {
    /// Rprop+ (Riedmiller & Braun 1993): on a sign change, revert the previous
    /// step (weight backtracking) and zero the stored derivative.
    RpropPlus,
    /// Rprop−: no backtracking; on a sign change, shrink Δ and step anyway.
    RpropMinus,
    /// iRprop+: like Rprop+, but revert only if the error went up (f_k > f_{k−1}).
    IRpropPlus,
    /// iRprop− (PyTorch's `Rprop`): on a sign change, shrink Δ, zero the stored
    /// derivative and do not move that weight this step.
    IRpropMinus,
}

/// Settings of [`Rprop`]; defaults are PyTorch's: Δ₀ = 0.01, η⁺ = 1.2,
/// η⁻ = 0.5, Δ ∈ [1e-6, 50], iRprop−.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RpropSettings {
    /// Δ₀, the initial step size of every weight (PyTorch's `lr`).
    pub initial_step: f64,
    /// η⁺ > 1, the growth factor while the derivative keeps its sign.
    pub increase: f64,
    /// η⁻ ∈ (0, 1), the shrink factor on a sign change.
    pub decrease: f64,
    /// Δ_min > 0.
    pub min_step: f64,
    /// Δ_max ≥ Δ_min.
    pub max_step: f64,
    /// The variant.
    pub variant: RpropVariant,
}

impl Default for RpropSettings {
    fn default() -> Self {
        Self {
            initial_step: 0.01,
            increase: 1.2,
            decrease: 0.5,
            min_step: 1e-6,
            max_step: 50.0,
            variant: RpropVariant::IRpropMinus,
        }
    }
}

/// Rprop: each weight has its own step Δ_i, adapted by the sign of
/// `g_{k−1,i} · g_{k,i}` only (the gradient's magnitude is ignored):
///
/// * product > 0: `Δ ← min(η⁺Δ, Δ_max)`, `Δw = −sign(g)Δ`, `w ← w + Δw`;
/// * product < 0: `Δ ← max(η⁻Δ, Δ_min)`, then per variant: Rprop+ reverts
///   `w ← w − Δw_{k−1}` and stores g = 0; iRprop+ does so only if
///   `f_k > f_{k−1}` (and stores g = 0 either way); Rprop− steps
///   `w ← w − sign(g)Δ`; iRprop− stores g = 0 and does not move;
/// * product = 0: `Δw = −sign(g)Δ`, `w ← w + Δw`.
///
/// The record's learning rate is the mean step size Δ̄ after the update.
/// References: Riedmiller & Braun, "A direct adaptive method for faster
/// backpropagation learning: the RPROP algorithm" (ICNN 1993); Igel & Hüsken,
/// "Improving the Rprop learning algorithm" (NC 2000), figs. 1–4.
#[derive(Debug, Clone)]
pub struct Rprop {
    settings: RpropSettings,
    step_sizes: Vec<f64>,
    previous_grad: Vec<f64>,
    previous_step: Vec<f64>,
    previous_f: f64,
}

impl Rprop {
    /// Validate the settings.
    ///
    /// # Errors
    /// Δ₀, Δ_min or Δ_max not > 0; η⁺ ≤ 1; η⁻ outside (0, 1); Δ_min > Δ_max;
    /// Δ₀ outside [Δ_min, Δ_max].
    pub fn new(settings: RpropSettings) -> Result<Self, Error> {
        const OWNER: &str = "Rprop";
        validate::positive(OWNER, "Δ₀", settings.initial_step)?;
        validate::positive(OWNER, "Δ_min", settings.min_step)?;
        validate::positive(OWNER, "Δ_max", settings.max_step)?;
        validate::in_open_unit(OWNER, "η⁻", settings.decrease)?;
        if !(settings.increase.is_finite() && settings.increase > 1.0) {
            return Err(Error::Hyperparameter {
                owner: OWNER,
                name: "η⁺",
                requirement: "finite and > 1",
                value: display_number(settings.increase),
            });
        }
        if settings.min_step > settings.max_step {
            return Err(Error::Hyperparameter {
                owner: OWNER,
                name: "Δ_min",
                requirement: "≤ Δ_max",
                value: format!(
                    "{} with Δ_max = {}",
                    display_number(settings.min_step),
                    display_number(settings.max_step)
                ),
            });
        }
        if !(settings.min_step..=settings.max_step).contains(&settings.initial_step) {
            return Err(Error::Hyperparameter {
                owner: OWNER,
                name: "Δ₀",
                requirement: "in [Δ_min, Δ_max]",
                value: format!(
                    "{} with [Δ_min, Δ_max] = [{}, {}]",
                    display_number(settings.initial_step),
                    display_number(settings.min_step),
                    display_number(settings.max_step)
                ),
            });
        }
        Ok(Self {
            settings,
            step_sizes: Vec::new(),
            previous_grad: Vec::new(),
            previous_step: Vec::new(),
            previous_f: f64::INFINITY,
        })
    }

    /// The settings.
    pub fn settings(&self) -> &RpropSettings {
        &self.settings
    }

    /// The current step sizes Δ_i.
    pub fn step_sizes(&self) -> &[f64] {
        &self.step_sizes
    }
}

impl Optimizer for Rprop {
    fn name(&self) -> String {
        let variant = match self.settings.variant {
            RpropVariant::RpropPlus => "Rprop+",
            RpropVariant::RpropMinus => "Rprop−",
            RpropVariant::IRpropPlus => "iRprop+",
            RpropVariant::IRpropMinus => "iRprop−",
        };
        format!("{variant} Δ₀={}", self.settings.initial_step)
    }
    fn init(&mut self, _eval: &mut Evaluator<'_>, state: &State) -> Result<(), Error> {
        let n = state.x.len();
        reset_buffer(&mut self.step_sizes, n, self.settings.initial_step);
        reset_buffer(&mut self.previous_grad, n, 0.0);
        reset_buffer(&mut self.previous_step, n, 0.0);
        self.previous_f = f64::INFINITY;
        Ok(())
    }
    fn step(&mut self, eval: &mut Evaluator<'_>, state: &mut State) -> Result<StepOutcome, Error> {
        let RpropSettings {
            increase,
            decrease,
            min_step,
            max_step,
            variant,
            ..
        } = self.settings;
        let error_rose = state.f > self.previous_f;
        let mut step_sum = 0.0;
        for i in 0..state.x.len() {
            let g = state.grad[i];
            let product = self.previous_grad[i] * g;
            let delta = &mut self.step_sizes[i];
            if product > 0.0 {
                *delta = (*delta * increase).min(max_step);
            } else if product < 0.0 {
                *delta = (*delta * decrease).max(min_step);
            }
            if product < 0.0 {
                match variant {
                    RpropVariant::RpropPlus | RpropVariant::IRpropPlus => {
                        if variant == RpropVariant::RpropPlus || error_rose {
                            state.x[i] -= self.previous_step[i];
                        }
                        self.previous_step[i] = 0.0;
                        self.previous_grad[i] = 0.0;
                    }
                    RpropVariant::RpropMinus => {
                        let dw = -sign(g) * *delta;
                        state.x[i] += dw;
                        self.previous_step[i] = dw;
                        self.previous_grad[i] = g;
                    }
                    RpropVariant::IRpropMinus => {
                        self.previous_step[i] = 0.0;
                        self.previous_grad[i] = 0.0;
                    }
                }
            } else {
                let dw = -sign(g) * *delta;
                state.x[i] += dw;
                self.previous_step[i] = dw;
                self.previous_grad[i] = g;
            }
            step_sum += *delta;
        }
        self.previous_f = state.f;
        let mean_step = step_sum / state.x.len().max(1) as f64;
        finish_step(eval, state, mean_step)
    }
}
