//! Adaptive per-coordinate methods: Adagrad, RMSprop, Adam and AdamW.
//!
//! The constants frameworks disagree on are named settings:
//! [`EpsilonPlacement`] (ε outside or inside the square root), the initial
//! accumulator, bias correction, and [`WeightDecay`] (L2 in the gradient or
//! decoupled). Defaults follow the formulas in PyTorch's `torch.optim`
//! documentation.

use descent_core::{Error, Evaluator, Optimizer, State, StepOutcome, validate};
use descent_schedule::LearningRate;
use serde::{Deserialize, Serialize};

use crate::{finish_step, reset_buffer};

/// Where ε enters the denominator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EpsilonPlacement {
    /// `√v + ε` (PyTorch, the papers).
    OutsideSqrt,
    /// `√(v + ε)` (TensorFlow 1's `RMSPropOptimizer`, some Adagrad variants).
    InsideSqrt,
}

impl EpsilonPlacement {
    #[inline(always)]
    fn denominator(self, v: f64, eps: f64) -> f64 {
        match self {
            Self::OutsideSqrt => v.sqrt() + eps,
            Self::InsideSqrt => (v + eps).sqrt(),
        }
    }
}

/// Weight decay λ.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WeightDecay {
    /// None.
    None,
    /// L2 regularisation folded into the gradient: `g ← g + λ x` (PyTorch's
    /// `weight_decay` in Adagrad, RMSprop, Adam).
    L2(f64),
    /// Decoupled (AdamW, Loshchilov & Hutter 2019): `x ← x (1 − η λ)` before the
    /// adaptive step.
    Decoupled(f64),
}

impl WeightDecay {
    fn validate(self, owner: &'static str) -> Result<(), Error> {
        match self {
            Self::None => Ok(()),
            Self::L2(l) | Self::Decoupled(l) => {
                validate::non_negative(owner, "weight decay λ", l).map(|_| ())
            }
        }
    }
    /// `(λ_L2, λ_decoupled)`.
    fn split(self) -> (f64, f64) {
        match self {
            Self::None => (0.0, 0.0),
            Self::L2(l) => (l, 0.0),
            Self::Decoupled(l) => (0.0, l),
        }
    }
}

// ---------------------------------------------------------------- Adagrad

/// Settings of [`Adagrad`]; defaults are PyTorch's: η = 0.01, ε = 1e-10
/// outside the root, initial accumulator 0, no weight decay. (PyTorch's
/// `lr_decay` is the inverse-time schedule η/(1 + k·lr_decay) as the learning rate.)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AdagradSettings {
    /// η_k.
    pub learning_rate: LearningRate,
    /// ε > 0.
    pub epsilon: f64,
    /// Where ε goes.
    pub epsilon_placement: EpsilonPlacement,
    /// s₀ ≥ 0, the accumulator's starting value (TensorFlow uses 0.1).
    pub initial_accumulator: f64,
    /// Weight decay (L2 or decoupled).
    pub weight_decay: WeightDecay,
}

impl Default for AdagradSettings {
    fn default() -> Self {
        Self {
            learning_rate: LearningRate::constant(0.01).expect("0.01 is a valid learning rate"),
            epsilon: 1e-10,
            epsilon_placement: EpsilonPlacement::OutsideSqrt,
            initial_accumulator: 0.0,
            weight_decay: WeightDecay::None,
        }
    }
}

/// Adagrad (Duchi, Hazan & Singer, JMLR 2011):
/// `s_k = s_{k−1} + g_k²`, `x_{k+1} = x_k − η_k g_k / (√s_k + ε)` per
/// coordinate (ε inside the root with [`EpsilonPlacement::InsideSqrt`]).
/// With a constant gradient g the steps are η g/(√k |g| + ε): η/√k in size.
#[derive(Debug, Clone)]
pub struct Adagrad {
    settings: AdagradSettings,
    accumulator: Vec<f64>,
}

impl Adagrad {
    /// Validate the settings.
    ///
    /// # Errors
    /// ε not > 0; initial accumulator or weight decay negative or not finite.
    pub fn new(settings: AdagradSettings) -> Result<Self, Error> {
        const OWNER: &str = "Adagrad";
        validate::positive(OWNER, "ε", settings.epsilon)?;
        validate::non_negative(OWNER, "initial accumulator", settings.initial_accumulator)?;
        settings.weight_decay.validate(OWNER)?;
        Ok(Self {
            settings,
            accumulator: Vec::new(),
        })
    }

    /// The settings.
    pub fn settings(&self) -> &AdagradSettings {
        &self.settings
    }
}

impl Optimizer for Adagrad {
    fn name(&self) -> String {
        format!("Adagrad {}", self.settings.learning_rate)
    }
    fn init(&mut self, _eval: &mut Evaluator<'_>, state: &State) -> Result<(), Error> {
        reset_buffer(
            &mut self.accumulator,
            state.x.len(),
            self.settings.initial_accumulator,
        );
        self.settings.learning_rate.reset();
        Ok(())
    }
    fn step(&mut self, eval: &mut Evaluator<'_>, state: &mut State) -> Result<StepOutcome, Error> {
        let eta = self.settings.learning_rate.at(state.iteration, state.f);
        let (eps, placement) = (self.settings.epsilon, self.settings.epsilon_placement);
        let (l2, decoupled) = self.settings.weight_decay.split();
        for ((x, g), s) in state
            .x
            .iter_mut()
            .zip(&state.grad)
            .zip(&mut self.accumulator)
        {
            let g = g + l2 * *x;
            *x *= 1.0 - eta * decoupled;
            *s += g * g;
            *x -= eta * g / placement.denominator(*s, eps);
        }
        finish_step(eval, state, eta)
    }
}

// ---------------------------------------------------------------- RMSprop

/// Settings of [`RmsProp`]; defaults are PyTorch's: η = 0.01, α = 0.99,
/// ε = 1e-8 outside the root, no momentum, not centred, accumulator starting
/// at 0, no weight decay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RmsPropSettings {
    /// η_k.
    pub learning_rate: LearningRate,
    /// α ∈ [0, 1), the smoothing constant of the squared-gradient average.
    pub alpha: f64,
    /// ε > 0.
    pub epsilon: f64,
    /// Where ε goes.
    pub epsilon_placement: EpsilonPlacement,
    /// μ ∈ [0, 1): momentum on the scaled step (0 = none).
    pub momentum: f64,
    /// Centred (Graves 2013): divide by an estimate of the variance,
    /// `v − ḡ²`, instead of the raw second moment.
    pub centered: bool,
    /// v₀ ≥ 0 (TensorFlow 1 used 1).
    pub initial_accumulator: f64,
    /// Weight decay (L2 or decoupled).
    pub weight_decay: WeightDecay,
}

impl Default for RmsPropSettings {
    fn default() -> Self {
        Self {
            learning_rate: LearningRate::constant(0.01).expect("0.01 is a valid learning rate"),
            alpha: 0.99,
            epsilon: 1e-8,
            epsilon_placement: EpsilonPlacement::OutsideSqrt,
            momentum: 0.0,
            centered: false,
            initial_accumulator: 0.0,
            weight_decay: WeightDecay::None,
        }
    }
}

/// RMSprop (Tieleman & Hinton, Coursera lecture 6.5, 2012; centred: Graves,
/// "Generating sequences with recurrent neural networks", 2013, eq. 38–45):
///
/// `v_k = α v_{k−1} + (1 − α) g_k²`; centred: `ḡ_k = α ḡ_{k−1} + (1 − α) g_k`
/// and `ṽ = max(v_k − ḡ_k², 0)`, else `ṽ = v_k`; with momentum μ > 0:
/// `b_k = μ b_{k−1} + g_k/(√ṽ + ε)`, `x_{k+1} = x_k − η b_k`; without:
/// `x_{k+1} = x_k − η g_k/(√ṽ + ε)`. (The clamp at 0 guards rounding only.)
#[derive(Debug, Clone)]
pub struct RmsProp {
    settings: RmsPropSettings,
    square_average: Vec<f64>,
    gradient_average: Vec<f64>,
    buffer: Vec<f64>,
}

impl RmsProp {
    /// Validate the settings.
    ///
    /// # Errors
    /// α or μ outside [0, 1); ε not > 0; initial accumulator or weight decay
    /// negative or not finite.
    pub fn new(settings: RmsPropSettings) -> Result<Self, Error> {
        const OWNER: &str = "RMSprop";
        validate::in_unit_from_zero(OWNER, "α", settings.alpha)?;
        validate::positive(OWNER, "ε", settings.epsilon)?;
        validate::in_unit_from_zero(OWNER, "μ", settings.momentum)?;
        validate::non_negative(OWNER, "initial accumulator", settings.initial_accumulator)?;
        settings.weight_decay.validate(OWNER)?;
        Ok(Self {
            settings,
            square_average: Vec::new(),
            gradient_average: Vec::new(),
            buffer: Vec::new(),
        })
    }

    /// The settings.
    pub fn settings(&self) -> &RmsPropSettings {
        &self.settings
    }
}

impl Optimizer for RmsProp {
    fn name(&self) -> String {
        let centred = if self.settings.centered {
            " centred"
        } else {
            ""
        };
        format!(
            "RMSprop{centred} {} α={}",
            self.settings.learning_rate, self.settings.alpha
        )
    }
    fn init(&mut self, _eval: &mut Evaluator<'_>, state: &State) -> Result<(), Error> {
        let n = state.x.len();
        reset_buffer(
            &mut self.square_average,
            n,
            self.settings.initial_accumulator,
        );
        if self.settings.centered {
            reset_buffer(&mut self.gradient_average, n, 0.0);
        }
        if self.settings.momentum > 0.0 {
            reset_buffer(&mut self.buffer, n, 0.0);
        }
        self.settings.learning_rate.reset();
        Ok(())
    }
    fn step(&mut self, eval: &mut Evaluator<'_>, state: &mut State) -> Result<StepOutcome, Error> {
        let eta = self.settings.learning_rate.at(state.iteration, state.f);
        let RmsPropSettings {
            alpha,
            epsilon: eps,
            epsilon_placement: placement,
            momentum: mu,
            centered,
            ..
        } = self.settings;
        let (l2, decoupled) = self.settings.weight_decay.split();
        // One loop per configuration, so each is a branch-free pass the compiler can vectorise.
        let update =
            |x: &mut f64, g: f64, v: &mut f64, m: Option<&mut f64>, b: Option<&mut f64>| {
                let g = g + l2 * *x;
                *x *= 1.0 - eta * decoupled;
                *v = alpha * *v + (1.0 - alpha) * g * g;
                let variance = match m {
                    Some(m) => {
                        *m = alpha * *m + (1.0 - alpha) * g;
                        (*v - *m * *m).max(0.0)
                    }
                    None => *v,
                };
                let scaled = g / placement.denominator(variance, eps);
                match b {
                    Some(b) => {
                        *b = mu * *b + scaled;
                        *x -= eta * *b;
                    }
                    None => *x -= eta * scaled,
                }
            };
        let common = state
            .x
            .iter_mut()
            .zip(&state.grad)
            .zip(&mut self.square_average);
        match (centered, mu > 0.0) {
            (false, false) => common.for_each(|((x, g), v)| update(x, *g, v, None, None)),
            (true, false) => common
                .zip(&mut self.gradient_average)
                .for_each(|(((x, g), v), m)| update(x, *g, v, Some(m), None)),
            (false, true) => common
                .zip(&mut self.buffer)
                .for_each(|(((x, g), v), b)| update(x, *g, v, None, Some(b))),
            (true, true) => common
                .zip(&mut self.gradient_average)
                .zip(&mut self.buffer)
                .for_each(|((((x, g), v), m), b)| update(x, *g, v, Some(m), Some(b))),
        }
        finish_step(eval, state, eta)
    }
}

// ---------------------------------------------------------------- Adam

/// Settings of [`Adam`]; defaults are PyTorch's `Adam`: η = 1e-3,
/// β₁ = 0.9, β₂ = 0.999, ε = 1e-8 outside the root, bias correction on, no
/// AMSGrad, no weight decay. [`AdamSettings::adamw`] gives PyTorch's `AdamW`
/// defaults (decoupled λ = 0.01).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AdamSettings {
    /// η_k.
    pub learning_rate: LearningRate,
    /// β₁ ∈ [0, 1), the first-moment decay.
    pub beta1: f64,
    /// β₂ ∈ [0, 1), the second-moment decay.
    pub beta2: f64,
    /// ε > 0.
    pub epsilon: f64,
    /// Where ε goes.
    pub epsilon_placement: EpsilonPlacement,
    /// Divide m and v by `1 − β^k` (Kingma & Ba's bias correction).
    pub bias_correction: bool,
    /// AMSGrad (Reddi, Kale & Kumar, ICLR 2018): use the running maximum of v.
    pub amsgrad: bool,
    /// L2 (Adam) or decoupled (AdamW) weight decay.
    pub weight_decay: WeightDecay,
}

impl Default for AdamSettings {
    fn default() -> Self {
        Self {
            learning_rate: LearningRate::constant(1e-3).expect("1e-3 is a valid learning rate"),
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
            epsilon_placement: EpsilonPlacement::OutsideSqrt,
            bias_correction: true,
            amsgrad: false,
            weight_decay: WeightDecay::None,
        }
    }
}

impl AdamSettings {
    /// PyTorch's `AdamW` defaults: Adam's, with decoupled weight decay λ = 0.01.
    pub fn adamw() -> Self {
        Self {
            weight_decay: WeightDecay::Decoupled(0.01),
            ..Self::default()
        }
    }
}

/// Adam (Kingma & Ba, ICLR 2015, Alg. 1) and AdamW (Loshchilov & Hutter,
/// "Decoupled weight decay regularization", ICLR 2019, Alg. 2), in PyTorch's form:
///
/// `g ← g + λ x` (L2) or `x ← x (1 − η_k λ)` (decoupled);
/// `m_k = β₁ m_{k−1} + (1 − β₁) g`, `v_k = β₂ v_{k−1} + (1 − β₂) g²`;
/// AMSGrad: `v̄_k = max(v̄_{k−1}, v_k)` replaces v_k below;
/// `m̂ = m_k/(1 − β₁^k)`, `v̂ = v_k/(1 − β₂^k)` (k = 1, 2, … ; without bias
/// correction m̂ = m, v̂ = v); `x_{k+1} = x_k − η_k m̂/(√v̂ + ε)`.
///
/// The first step is `η g/(|g| + ε)`: η·sign(g) per coordinate as ε → 0.
#[derive(Debug, Clone)]
pub struct Adam {
    settings: AdamSettings,
    first_moment: Vec<f64>,
    second_moment: Vec<f64>,
    max_second_moment: Vec<f64>,
    steps: i32,
}

impl Adam {
    /// Validate the settings.
    ///
    /// # Errors
    /// β₁ or β₂ outside [0, 1); ε not > 0; weight decay negative or not finite.
    pub fn new(settings: AdamSettings) -> Result<Self, Error> {
        let owner = if matches!(settings.weight_decay, WeightDecay::Decoupled(_)) {
            "AdamW"
        } else {
            "Adam"
        };
        validate::in_unit_from_zero(owner, "β₁", settings.beta1)?;
        validate::in_unit_from_zero(owner, "β₂", settings.beta2)?;
        validate::positive(owner, "ε", settings.epsilon)?;
        settings.weight_decay.validate(owner)?;
        Ok(Self {
            settings,
            first_moment: Vec::new(),
            second_moment: Vec::new(),
            max_second_moment: Vec::new(),
            steps: 0,
        })
    }

    /// Adam with learning rate η and PyTorch's other defaults.
    ///
    /// # Errors
    /// η not finite and > 0.
    pub fn with_eta(eta: f64) -> Result<Self, Error> {
        validate::positive("Adam", "η", eta)?;
        Self::new(AdamSettings {
            learning_rate: LearningRate::constant(eta)?,
            ..AdamSettings::default()
        })
    }

    /// The settings.
    pub fn settings(&self) -> &AdamSettings {
        &self.settings
    }
}

impl Optimizer for Adam {
    fn name(&self) -> String {
        let base = if matches!(self.settings.weight_decay, WeightDecay::Decoupled(_)) {
            "AdamW"
        } else {
            "Adam"
        };
        let ams = if self.settings.amsgrad {
            " (AMSGrad)"
        } else {
            ""
        };
        format!("{base}{ams} {}", self.settings.learning_rate)
    }
    fn init(&mut self, _eval: &mut Evaluator<'_>, state: &State) -> Result<(), Error> {
        let n = state.x.len();
        reset_buffer(&mut self.first_moment, n, 0.0);
        reset_buffer(&mut self.second_moment, n, 0.0);
        if self.settings.amsgrad {
            reset_buffer(&mut self.max_second_moment, n, 0.0);
        }
        self.steps = 0;
        self.settings.learning_rate.reset();
        Ok(())
    }
    fn step(&mut self, eval: &mut Evaluator<'_>, state: &mut State) -> Result<StepOutcome, Error> {
        let eta = self.settings.learning_rate.at(state.iteration, state.f);
        let AdamSettings {
            beta1,
            beta2,
            epsilon: eps,
            epsilon_placement: placement,
            bias_correction,
            amsgrad,
            ..
        } = self.settings;
        let (l2, decoupled) = self.settings.weight_decay.split();
        self.steps = self.steps.saturating_add(1);
        let (c1, c2) = if bias_correction {
            (1.0 - beta1.powi(self.steps), 1.0 - beta2.powi(self.steps))
        } else {
            (1.0, 1.0)
        };
        let step_size = eta / c1;
        let moments = state
            .x
            .iter_mut()
            .zip(&state.grad)
            .zip(&mut self.first_moment)
            .zip(&mut self.second_moment);
        if amsgrad {
            for ((((x, g), m), v), vmax) in moments.zip(&mut self.max_second_moment) {
                let g = g + l2 * *x;
                *x *= 1.0 - eta * decoupled;
                *m = beta1 * *m + (1.0 - beta1) * g;
                *v = beta2 * *v + (1.0 - beta2) * g * g;
                *vmax = vmax.max(*v);
                *x -= step_size * *m / placement.denominator(*vmax / c2, eps);
            }
        } else {
            for (((x, g), m), v) in moments {
                let g = g + l2 * *x;
                *x *= 1.0 - eta * decoupled;
                *m = beta1 * *m + (1.0 - beta1) * g;
                *v = beta2 * *v + (1.0 - beta2) * g * g;
                *x -= step_size * *m / placement.denominator(*v / c2, eps);
            }
        }
        finish_step(eval, state, eta)
    }
}
