//! QuickProp: a per-weight secant (quadratic-model) step.

use descent_core::{Error, Evaluator, Optimizer, State, StepOutcome, validate};
use descent_schedule::LearningRate;
use serde::{Deserialize, Serialize};

use crate::{finish_step, reset_buffer};

/// Settings of [`QuickProp`]. Defaults: η = 0.01, μ = 1.75 (Fahlman's maximum
/// growth factor), gradient term on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QuickPropSettings {
    /// η_k: the gradient-descent step used to start (and restart) a weight, and
    /// the gradient term's factor.
    pub learning_rate: LearningRate,
    /// μ > 0, the maximum growth factor: `|Δw_k| ≤ μ |Δw_{k−1}|`.
    pub max_growth: f64,
    /// Add `−η g_k` to the secant step when `g_k` has the sign of `g_{k−1}`
    /// (Fahlman 1988 §4; some implementations never add it).
    pub gradient_term: bool,
}

impl Default for QuickPropSettings {
    fn default() -> Self {
        Self {
            learning_rate: LearningRate::constant(0.01).expect("0.01 is a valid learning rate"),
            max_growth: 1.75,
            gradient_term: true,
        }
    }
}

/// QuickProp (Fahlman 1988): each weight fits a parabola through its last two
/// derivatives and jumps towards its minimum:
///
/// * `Δw_{k−1} = 0` (first step, or a weight that stopped): `Δw_k = −η g_k`;
/// * otherwise `r = g_k / (g_{k−1} − g_k)` and `Δw_k = r Δw_{k−1}`, except
///   that when g keeps its sign and r > μ or |g_k| ≥ |g_{k−1}| (the parabola
///   opens downwards or its minimum is too far) `Δw_k = μ Δw_{k−1}`; when g
///   keeps its sign and `gradient_term` is on, `−η g_k` is added.
///
/// On a 1-D quadratic the secant step is exact: it lands on the minimum as soon
/// as `r ≤ μ`. Reference: Fahlman, "An empirical study of learning speed in
/// back-propagation networks", CMU-CS-88-162 (1988), §4.
#[derive(Debug, Clone)]
pub struct QuickProp {
    settings: QuickPropSettings,
    previous_grad: Vec<f64>,
    previous_step: Vec<f64>,
}

impl QuickProp {
    /// Validate the settings.
    ///
    /// # Errors
    /// μ not finite and > 0.
    pub fn new(settings: QuickPropSettings) -> Result<Self, Error> {
        validate::positive("QuickProp", "μ", settings.max_growth)?;
        Ok(Self {
            settings,
            previous_grad: Vec::new(),
            previous_step: Vec::new(),
        })
    }

    /// The settings.
    pub fn settings(&self) -> &QuickPropSettings {
        &self.settings
    }
}

impl Optimizer for QuickProp {
    fn name(&self) -> String {
        format!(
            "QuickProp {} μ={}",
            self.settings.learning_rate, self.settings.max_growth
        )
    }
    fn init(&mut self, _eval: &mut Evaluator<'_>, state: &State) -> Result<(), Error> {
        reset_buffer(&mut self.previous_grad, state.x.len(), 0.0);
        reset_buffer(&mut self.previous_step, state.x.len(), 0.0);
        self.settings.learning_rate.reset();
        Ok(())
    }
    fn step(&mut self, eval: &mut Evaluator<'_>, state: &mut State) -> Result<StepOutcome, Error> {
        let eta = self.settings.learning_rate.at(state.iteration, state.f);
        let (mu, gradient_term) = (self.settings.max_growth, self.settings.gradient_term);
        for (((x, &g), s), d) in state
            .x
            .iter_mut()
            .zip(&state.grad)
            .zip(&mut self.previous_grad)
            .zip(&mut self.previous_step)
        {
            let dw = if *d == 0.0 {
                -eta * g
            } else {
                let same_sign = g * *s > 0.0;
                let factor = if g == 0.0 {
                    0.0
                } else if same_sign && (g.abs() >= s.abs() || g / (*s - g) > mu) {
                    mu
                } else {
                    g / (*s - g)
                };
                let secant = factor * *d;
                if gradient_term && same_sign {
                    secant - eta * g
                } else {
                    secant
                }
            };
            *x += dw;
            *d = dw;
            *s = g;
        }
        finish_step(eval, state, eta)
    }
}
