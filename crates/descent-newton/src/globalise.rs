//! The globalisation shared by the Newton-type methods (Newton, Gauss–Newton,
//! Hessian-free): the search direction p must be a descent direction
//! (`∇fᵀp < 0`), an Armijo backtracking search picks the step α, and the state
//! moves to the accepted point. Nocedal & Wright (2006), §3.1 and Alg. 3.1.

use descent_core::{Diagnostics, Error, Evaluator, State, StepOutcome, display_number};
use descent_gd::line_search::{Armijo, LineSearchReport, Ray};

/// The step outcome that ends a run with `reason`.
pub(crate) fn stop(reason: String, diagnostics: Diagnostics) -> StepOutcome {
    StepOutcome::Stop {
        reason,
        diagnostics,
    }
}

/// Why `ray`'s direction cannot be searched along, if it cannot: `∇fᵀp` must
/// be negative and finite (NaN and −∞, an overflowed product, count as not:
/// no line search can work with them).
pub(crate) fn not_a_descent_direction(method: &str, ray: &Ray<'_>) -> Option<String> {
    let slope = ray.slope();
    (!(slope < 0.0 && slope.is_finite())).then(|| {
        format!(
            "{method} direction is not a descent direction: ∇fᵀp = {}",
            display_number(slope)
        )
    })
}

/// Why the search gave no point to move to, if it did not.
pub(crate) fn no_acceptable_step(report: &LineSearchReport) -> Option<String> {
    (!report.gradient_evaluated).then(|| {
        format!(
            "Armijo line search found no acceptable step (last α = {:e})",
            report.step
        )
    })
}

/// Record the search in `diag` and move `state` to the accepted point.
pub(crate) fn accept(
    state: &mut State,
    report: &LineSearchReport,
    x_new: &[f64],
    g_new: &[f64],
    diag: &mut Diagnostics,
) {
    diag.learning_rate = Some(report.step);
    diag.backtracks = Some(report.rejected_trials());
    state.x.copy_from_slice(x_new);
    state.grad.copy_from_slice(g_new);
    state.f = report.value;
}

/// One globalised step along `direction`: stop if it is not a descent
/// direction, search from α = 1 with `search`, stop if no step is acceptable,
/// otherwise move the state. `x_new` and `g_new` are the caller's buffers.
///
/// # Errors
/// As the objective's evaluations report.
pub(crate) fn armijo_descent_step(
    method: &str,
    eval: &mut Evaluator<'_>,
    state: &mut State,
    direction: &[f64],
    search: &Armijo,
    x_new: &mut [f64],
    g_new: &mut [f64],
    mut diag: Diagnostics,
) -> Result<StepOutcome, Error> {
    let ray = Ray {
        x: &state.x,
        f: state.f,
        grad: &state.grad,
        direction,
    };
    if let Some(reason) = not_a_descent_direction(method, &ray) {
        return Ok(stop(reason, diag));
    }
    let report = search.search(eval, &ray, 1.0, x_new, g_new)?;
    if let Some(reason) = no_acceptable_step(&report) {
        diag.learning_rate = Some(report.step);
        diag.backtracks = Some(report.rejected_trials());
        return Ok(stop(reason, diag));
    }
    accept(state, &report, x_new, g_new, &mut diag);
    Ok(StepOutcome::Continue(diag))
}
