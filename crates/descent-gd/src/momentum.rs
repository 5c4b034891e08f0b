//! Momentum: heavy ball and Nesterov's accelerated gradient.

use descent_core::{Error, Evaluator, Optimizer, State, StepOutcome, display_number, validate};
use descent_schedule::LearningRate;
use serde::{Deserialize, Serialize};

use crate::{finish_step, reset_buffer};

/// Which momentum update.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MomentumForm {
    /// Heavy ball (Polyak 1964), PyTorch's form:
    /// `b_k = μ b_{k−1} + (1 − τ) g_k` (`b_0 = g_0`), `x_{k+1} = x_k − η b_k`.
    /// With τ = 0 and fixed η this is `x_{k+1} = x_k − η g_k + μ (x_k − x_{k−1})`.
    HeavyBall,
    /// Nesterov in PyTorch's form (Sutskever et al. 2013, reparametrised):
    /// `b_k = μ b_{k−1} + g_k` (`b_0 = g_0`), `x_{k+1} = x_k − η (g_k + μ b_k)`.
    /// Its iterates are the classic form's look-ahead points `y_k`.
    Nesterov,
    /// Nesterov's classic form (Nesterov 1983; Sutskever et al. 2013, eq. 3–4):
    /// `v_{k+1} = μ v_k − η ∇f(x_k + μ v_k)`, `x_{k+1} = x_k + v_{k+1}`, `v_0 = 0`.
    /// Costs one extra gradient per step (at the look-ahead point).
    NesterovClassic,
}

/// Settings of [`Momentum`]. Defaults: η = 0.01, μ = 0.9, τ = 0, heavy ball,
/// no weight decay (PyTorch `SGD` with `momentum = 0.9`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MomentumSettings {
    /// η_k.
    pub learning_rate: LearningRate,
    /// μ ∈ [0, 1).
    pub momentum: f64,
    /// Dampening τ ∈ [0, 1) (heavy ball only; must be 0 for Nesterov).
    pub dampening: f64,
    /// The update.
    pub form: MomentumForm,
    /// L2 weight decay λ ≥ 0: the gradient used is `g + λ x`.
    pub weight_decay: f64,
}

impl Default for MomentumSettings {
    fn default() -> Self {
        Self {
            learning_rate: LearningRate::constant(0.01).expect("0.01 is a valid learning rate"),
            momentum: 0.9,
            dampening: 0.0,
            form: MomentumForm::HeavyBall,
            weight_decay: 0.0,
        }
    }
}

/// Gradient descent with momentum; the update is the [`MomentumForm`]'s.
///
/// On a 1-D quadratic `½ a w²` with fixed η and τ = 0, heavy ball follows the
/// two-term recurrence `e_{k+1} = (1 + μ − ηa) e_k − μ e_{k−1}`,
/// `e_1 = (1 − ηa) e_0`. References: Polyak, "Some methods of speeding up the
/// convergence of iteration methods" (1964); Nesterov (1983); Sutskever,
/// Martens, Dahl & Hinton, "On the importance of initialization and momentum in
/// deep learning" (ICML 2013); PyTorch `torch.optim.SGD` documentation.
#[derive(Debug, Clone)]
pub struct Momentum {
    settings: MomentumSettings,
    buffer: Vec<f64>,
    lookahead: Vec<f64>,
    lookahead_grad: Vec<f64>,
    steps: usize,
}

impl Momentum {
    /// Validate the settings.
    ///
    /// # Errors
    /// μ or τ outside [0, 1); τ ≠ 0 with a Nesterov form; weight decay negative
    /// or not finite.
    pub fn new(settings: MomentumSettings) -> Result<Self, Error> {
        const OWNER: &str = "momentum";
        validate::in_unit_from_zero(OWNER, "μ", settings.momentum)?;
        validate::in_unit_from_zero(OWNER, "dampening", settings.dampening)?;
        validate::non_negative(OWNER, "weight decay", settings.weight_decay)?;
        if settings.form != MomentumForm::HeavyBall && settings.dampening != 0.0 {
            return Err(Error::Hyperparameter {
                owner: OWNER,
                name: "dampening",
                requirement: "0 with Nesterov's update",
                value: display_number(settings.dampening),
            });
        }
        Ok(Self {
            settings,
            buffer: Vec::new(),
            lookahead: Vec::new(),
            lookahead_grad: Vec::new(),
            steps: 0,
        })
    }

    /// Heavy ball with fixed η and μ (no dampening, no weight decay).
    ///
    /// # Errors
    /// η not > 0, μ outside [0, 1).
    pub fn heavy_ball(eta: f64, momentum: f64) -> Result<Self, Error> {
        validate::positive("momentum", "η", eta)?;
        Self::new(MomentumSettings {
            learning_rate: LearningRate::constant(eta)?,
            momentum,
            ..MomentumSettings::default()
        })
    }

    /// The settings.
    pub fn settings(&self) -> &MomentumSettings {
        &self.settings
    }
}

impl Optimizer for Momentum {
    fn name(&self) -> String {
        let form = match self.settings.form {
            MomentumForm::HeavyBall => "heavy ball",
            MomentumForm::Nesterov => "Nesterov",
            MomentumForm::NesterovClassic => "Nesterov (classic)",
        };
        format!(
            "{form} {} μ={}",
            self.settings.learning_rate, self.settings.momentum
        )
    }
    fn init(&mut self, _eval: &mut Evaluator<'_>, state: &State) -> Result<(), Error> {
        let n = state.x.len();
        reset_buffer(&mut self.buffer, n, 0.0);
        if self.settings.form == MomentumForm::NesterovClassic {
            reset_buffer(&mut self.lookahead, n, 0.0);
            reset_buffer(&mut self.lookahead_grad, n, 0.0);
        }
        self.steps = 0;
        self.settings.learning_rate.reset();
        Ok(())
    }
    fn step(&mut self, eval: &mut Evaluator<'_>, state: &mut State) -> Result<StepOutcome, Error> {
        let eta = self.settings.learning_rate.at(state.iteration, state.f);
        let MomentumSettings {
            momentum: mu,
            dampening,
            weight_decay: wd,
            form,
            ..
        } = self.settings;
        let first = self.steps == 0;
        self.steps += 1;
        match form {
            MomentumForm::HeavyBall | MomentumForm::Nesterov => {
                let nesterov = form == MomentumForm::Nesterov;
                for ((x, g), b) in state.x.iter_mut().zip(&state.grad).zip(&mut self.buffer) {
                    let g = g + wd * *x;
                    *b = if first {
                        g
                    } else {
                        mu * *b + (1.0 - dampening) * g
                    };
                    *x -= eta * if nesterov { g + mu * *b } else { *b };
                }
            }
            MomentumForm::NesterovClassic => {
                // y = x + μ v; ∇f(y); v ← μ v − η (∇f(y) + λ y); x ← x + v.
                for ((y, x), v) in self.lookahead.iter_mut().zip(&state.x).zip(&self.buffer) {
                    *y = x + mu * v;
                }
                eval.gradient(&self.lookahead, &mut self.lookahead_grad);
                for (((x, v), gy), y) in state
                    .x
                    .iter_mut()
                    .zip(&mut self.buffer)
                    .zip(&self.lookahead_grad)
                    .zip(&self.lookahead)
                {
                    *v = mu * *v - eta * (gy + wd * y);
                    *x += *v;
                }
            }
        }
        finish_step(eval, state, eta)
    }
}
