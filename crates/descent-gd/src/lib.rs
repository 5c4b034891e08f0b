//! descent-gd: first-order optimisers, line searches and stochastic gradients.
//!
//! * [`GradientDescent`] (scalar η or any [`LearningRate`]) and
//!   [`PerParameterGradientDescent`] (a step size η_i per coordinate: the
//!   lecture's remedy for "one learning rate forced on all parameters").
//! * [`Momentum`]: heavy ball (Polyak 1964) and Nesterov (1983) in PyTorch's
//!   and the classic form ([`MomentumForm`]).
//! * [`Rprop`] (Riedmiller & Braun 1993; Rprop±, iRprop± of Igel & Hüsken 2000)
//!   and [`QuickProp`] (Fahlman 1988).
//! * [`Adagrad`], [`RmsProp`] (plain and centred), [`Adam`] / AdamW (AMSGrad
//!   option): every constant frameworks disagree on is a named setting
//!   ([`EpsilonPlacement`], [`WeightDecay`], initial accumulators, bias
//!   correction, dampening); defaults follow PyTorch's documented formulas.
//! * [`line_search`]: Armijo, strong Wolfe, exact on quadratics, Polyak,
//!   Barzilai–Borwein.
//! * Stochastic gradients: [`NoisyGradient`] around any objective, and
//!   [`MiniBatch`] over any [`SampledObjective`] with a seeded epoch sampler.
//! * [`StepSizeCheck`]: η against η_opt = 1/λ_max and the stability limit
//!   2/λ_max, before running.
//!
//! Every optimiser implements [`descent_core::Optimizer`], validates its
//! hyperparameters at construction, records the learning rate it used in its
//! [`Diagnostics`](descent_core::Diagnostics), allocates only in `init`, and never
//! panics on a NaN: non-finite numbers flow to the runner, which ends the run
//! with `Diverged`.
//!
//! **Must not know:** networks, files, or any particular data set (a
//! [`SampledObjective`] is any mean over samples; descent-data supplies only
//! the seeded [`EpochSampler`](descent_data::EpochSampler) that draws the
//! batches); second-order methods.

mod adaptive;
mod gradient_descent;
pub mod line_search;
mod momentum;
mod quickprop;
mod rprop;
mod stochastic;
mod theory;

#[cfg(test)]
mod tests;

pub use adaptive::{
    Adagrad, AdagradSettings, Adam, AdamSettings, EpsilonPlacement, RmsProp, RmsPropSettings,
    WeightDecay,
};
pub use descent_schedule::{LearningRate, Schedule};
pub use gradient_descent::{GradientDescent, PerParameterGradientDescent};
pub use momentum::{Momentum, MomentumForm, MomentumSettings};
pub use quickprop::{QuickProp, QuickPropSettings};
pub use rprop::{Rprop, RpropSettings, RpropVariant};
pub use stochastic::{MiniBatch, NoisyGradient, SampledObjective};
pub use theory::StepSizeCheck;

use descent_core::{Diagnostics, Error, Evaluator, State, StepOutcome};

/// Re-establish the state invariant at the new x (f and ∇f) and report η.
fn finish_step(
    eval: &mut Evaluator<'_>,
    state: &mut State,
    eta: f64,
) -> Result<StepOutcome, Error> {
    state.f = eval.value_and_gradient(&state.x, &mut state.grad);
    Ok(StepOutcome::Continue(Diagnostics::with_learning_rate(eta)))
}

/// `sign(v)` ∈ {−1, 0, 1}, with `sign(0) = sign(NaN) = 0` (unlike `f64::signum`,
/// which gives 1 for +0).
fn sign(v: f64) -> f64 {
    if v > 0.0 {
        1.0
    } else if v < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// Size `buffer` to `n` zeros (called from `init`, never from `step`).
fn reset_buffer(buffer: &mut Vec<f64>, n: usize, value: f64) {
    buffer.clear();
    buffer.resize(n, value);
}
