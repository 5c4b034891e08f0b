//! Running one cell and measuring it.

use descent_core::analysis::{self, Regime};
use descent_core::{EvaluationCounts, Evaluator, Termination, Trace, minimize_with};
use descent_newton::HessianAt;
use descent_newton::spectrum::power_iteration;
use serde::{Deserialize, Serialize};

use crate::problem::accuracy;
use crate::spec::{Study, build_optimizer};

/// One recorded iteration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TracePoint {
    /// k.
    pub iteration: usize,
    /// f(x_k).
    pub f: f64,
    /// ‖∇f(x_k)‖.
    pub grad_norm: f64,
    /// ‖x_k − x_{k−1}‖ (0 at k = 0).
    pub step_norm: f64,
    /// Evaluations of f, ∇f, ∇²f and products so far (their sum).
    pub evaluations: usize,
    /// η_k, when the optimiser reports one.
    pub learning_rate: Option<f64>,
}

/// What one cell measured; serialisable, so `--cell` outputs can be merged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellResult {
    /// The cell's number.
    pub cell: usize,
    /// Its optimiser entry (0-based) and label.
    pub optimizer_index: usize,
    /// The optimiser entry's label.
    pub optimizer: String,
    /// The grid values, `eta = 0.1, …`.
    pub grid: String,
    /// How the run ended (`Diverged { iteration }` when f, ∇f or x became
    /// non-finite or f exceeded the divergence bound at that iteration).
    pub termination: Termination,
    /// Why the run could not start, if it could not (then nothing else is measured).
    pub error: Option<String>,
    /// Iterations done.
    pub iterations: usize,
    /// Evaluation counts.
    pub counts: EvaluationCounts,
    /// The final (best finite) f.
    pub f: f64,
    /// f*, when known.
    pub f_star: Option<f64>,
    /// f − f*, when f* is known.
    pub gap: Option<f64>,
    /// ‖∇f‖ at the end.
    pub grad_norm: f64,
    /// ‖x − x*‖ to the nearest known minimiser.
    pub distance: Option<f64>,
    /// Test accuracy of a network.
    pub test_accuracy: Option<f64>,
    /// The tail rate (10 steps) of ‖x_k − x*‖, or of |f_k − f*| without x*.
    pub rate: Option<f64>,
    /// The empirical order of convergence.
    pub order: Option<f64>,
    /// The regime of `descent_core::analysis`.
    pub regime: Option<Regime>,
    /// (iteration, λ_max) along the run, when `[measure] lambda_max_every` is set.
    pub lambda_max: Vec<(usize, f64)>,
    /// Every iteration.
    pub trace: Vec<TracePoint>,
}

fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite())
}

/// Run cell `k` of `study` (built by [`Study::load`]) to the end.
///
/// A run that fails after it started is a result: [`Termination::Diverged`]
/// with its iteration, or [`Termination::Failed`] with the reason; a setup
/// failure fills [`CellResult::error`].
///
/// # Panics
/// If `k` is not a cell of the study.
pub fn run_cell(study: &Study, k: usize) -> CellResult {
    let cell = &study.cells()[k];
    let mut result = CellResult {
        cell: k,
        optimizer_index: cell.optimizer_index,
        optimizer: cell.optimizer_label.clone(),
        grid: cell.grid_text(),
        termination: Termination::Failed {
            iteration: 0,
            reason: descent_core::FailureReason::Stopped(String::new()),
        },
        error: None,
        iterations: 0,
        counts: EvaluationCounts::default(),
        f: f64::NAN,
        f_star: None,
        gap: None,
        grad_norm: f64::NAN,
        distance: None,
        test_accuracy: None,
        rate: None,
        order: None,
        regime: None,
        lambda_max: Vec::new(),
        trace: Vec::new(),
    };
    let fail = |mut r: CellResult, why: String| {
        r.termination = Termination::Failed {
            iteration: 0,
            reason: descent_core::FailureReason::Stopped(why.clone()),
        };
        r.error = Some(why);
        r.f = 0.0;
        r.grad_norm = 0.0;
        r
    };
    let mut built = match cell.problem.build(&study.files) {
        Ok(b) => b,
        Err(e) => return fail(result, e.0),
    };
    let mut optimizer = match build_optimizer(&cell.optimizer, cell.optimizer_index) {
        Ok(o) => o,
        Err(e) => return fail(result, e.0),
    };
    let keep = !built.minimizers.is_empty() || study.measure.lambda_max_every.is_some();
    let mut trace = if keep {
        Trace::with_iterates()
    } else {
        Trace::new()
    };
    let run = minimize_with(
        built.objective.as_mut(),
        optimizer.as_mut(),
        &built.x0,
        cell.stopping(),
        &mut [&mut trace],
    );
    let run = match run {
        Ok(r) => r,
        Err(e) => return fail(result, e.to_string()),
    };
    result.termination = run.termination.clone();
    result.iterations = run.iterations;
    result.counts = run.counts;
    result.f = run.f;
    result.grad_norm = run.grad_norm;
    result.trace = trace
        .records
        .iter()
        .map(|r| TracePoint {
            iteration: r.iteration,
            f: r.f,
            grad_norm: r.grad_norm,
            step_norm: r.step_norm,
            evaluations: r.counts.total(),
            learning_rate: finite(r.diagnostics.learning_rate),
        })
        .collect();
    let nearest = built
        .minimizers
        .iter()
        .map(|(x, f)| (analysis::distance(&run.x, x), x, *f))
        .min_by(|a, b| a.0.total_cmp(&b.0));
    let f_star = nearest.map(|n| n.2).or(built.f_star);
    result.f_star = f_star;
    result.gap = f_star.map(|fs| run.f - fs);
    result.distance = nearest.map(|n| n.0);
    if let Some(fs) = f_star {
        let values = trace.values();
        let summary = match nearest {
            Some((_, x_star, _)) => {
                analysis::summarize(&values, fs, Some((&trace.iterates, x_star)))
            }
            None => analysis::summarize(&values, fs, None),
        };
        result.rate = finite(summary.rate_x.or(summary.rate_f));
        result.order = finite(summary.order);
        result.regime = summary.regime;
    }
    if let Some((network, test)) = &built.test {
        result.test_accuracy = accuracy(network, test, &run.x);
    }
    if let Some(every) = study.measure.lambda_max_every {
        let n = trace.iterates.len();
        let mut at: Vec<usize> = (0..n).step_by(every).collect();
        if n > 0 && at.last() != Some(&(n - 1)) {
            at.push(n - 1);
        }
        let mut eval = Evaluator::new(built.objective.as_mut());
        for i in at {
            let x = &trace.iterates[i];
            let lambda = HessianAt::new(&mut eval, x)
                .and_then(|mut op| power_iteration(&mut op, 100, 1e-6, 0))
                .map(|p| p.value);
            if let Ok(l) = lambda {
                if l.is_finite() {
                    result.lambda_max.push((trace.records[i].iteration, l));
                }
            }
        }
    }
    result
}
