//! Gradient descent with one learning rate, or with one per parameter.

use descent_core::{Error, Evaluator, Optimizer, State, StepOutcome, validate};
use descent_schedule::LearningRate;

use crate::finish_step;

/// Gradient descent `x_{k+1} = x_k − η_k ∇f(x_k)`.
///
/// η_k is fixed ([`GradientDescent::new`]) or comes from any schedule or
/// reduce-on-plateau ([`GradientDescent::with_learning_rate`]). On a quadratic
/// with Hessian A the error obeys `e_{k+1} = (I − ηA) e_k`: stable iff
/// `η < 2/λ_max`, fastest for one eigen-direction at `η = 1/λ` (the lecture's
/// η_opt). Reference: Cauchy (1847); Nocedal & Wright (2006), §3.3.
#[derive(Debug, Clone)]
pub struct GradientDescent {
    learning_rate: LearningRate,
}

impl GradientDescent {
    /// Fixed learning rate η.
    ///
    /// # Errors
    /// η not finite and > 0 ("gradient descent: η must be finite and > 0, got 0").
    pub fn new(eta: f64) -> Result<Self, Error> {
        validate::positive("gradient descent", "η", eta)?;
        Ok(Self {
            learning_rate: LearningRate::constant(eta)?,
        })
    }

    /// Learning rate from a (validated) schedule or reduce-on-plateau.
    pub fn with_learning_rate(learning_rate: impl Into<LearningRate>) -> Self {
        Self {
            learning_rate: learning_rate.into(),
        }
    }

    /// The learning rate.
    pub fn learning_rate(&self) -> &LearningRate {
        &self.learning_rate
    }
}

impl Optimizer for GradientDescent {
    fn name(&self) -> String {
        format!("GD {}", self.learning_rate)
    }
    fn init(&mut self, _eval: &mut Evaluator<'_>, _state: &State) -> Result<(), Error> {
        self.learning_rate.reset();
        Ok(())
    }
    fn step(&mut self, eval: &mut Evaluator<'_>, state: &mut State) -> Result<StepOutcome, Error> {
        let eta = self.learning_rate.at(state.iteration, state.f);
        descent_linalg::axpy(-eta, &state.grad, &mut state.x);
        finish_step(eval, state, eta)
    }
}

/// Gradient descent with a step size per coordinate:
/// `x_{k+1,i} = x_{k,i} − η_i ∂_i f(x_k)`.
///
/// The lecture's remedy for "forcing one learning rate on all parameters": on a
/// diagonal quadratic `½ Σ a_ii x_i²`, `η_i = 1/a_ii` reaches the minimum in one
/// step (each coordinate contracts by `|1 − η_i a_ii|`).
#[derive(Debug, Clone)]
pub struct PerParameterGradientDescent {
    step_sizes: Vec<f64>,
}

impl PerParameterGradientDescent {
    /// Step sizes η_i, one per coordinate.
    ///
    /// # Errors
    /// An η_i not finite and > 0 ("per-parameter gradient descent: η_i must be
    /// finite and > 0 in every entry, got -1 at index 2"), or an empty vector.
    pub fn new(step_sizes: Vec<f64>) -> Result<Self, Error> {
        const OWNER: &str = "per-parameter gradient descent";
        validate::at_least(OWNER, "number of step sizes", step_sizes.len(), 1)?;
        validate::all_positive(OWNER, "η_i", &step_sizes)?;
        Ok(Self { step_sizes })
    }

    /// The step sizes η_i.
    pub fn step_sizes(&self) -> &[f64] {
        &self.step_sizes
    }
}

impl Optimizer for PerParameterGradientDescent {
    fn name(&self) -> String {
        format!("GD with {} per-parameter step sizes", self.step_sizes.len())
    }
    fn init(&mut self, _eval: &mut Evaluator<'_>, state: &State) -> Result<(), Error> {
        if self.step_sizes.len() != state.x.len() {
            return Err(Error::invalid(
                "per-parameter gradient descent",
                format!(
                    "{} step sizes for a problem of dimension {}",
                    self.step_sizes.len(),
                    state.x.len()
                ),
            ));
        }
        Ok(())
    }
    fn step(&mut self, eval: &mut Evaluator<'_>, state: &mut State) -> Result<StepOutcome, Error> {
        for ((x, g), eta) in state.x.iter_mut().zip(&state.grad).zip(&self.step_sizes) {
            *x -= eta * g;
        }
        // The record's learning rate is the largest η_i (the one that sets stability).
        let eta_max = self.step_sizes.iter().copied().fold(0.0, f64::max);
        finish_step(eval, state, eta_max)
    }
}
