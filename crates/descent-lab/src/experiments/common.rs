//! Shared pieces of the experiments: running an optimiser with a recorded
//! path, and small closed forms used by several experiments.

use descent_core::{Objective, Optimizer, RunResult, StoppingRules, Trace, minimize_with};

/// A recorded run: every iterate and value, and how it ended.
#[derive(Debug, Clone)]
pub(crate) struct Path {
    /// x_0, x_1, … (the last finite iterate last).
    pub(crate) iterates: Vec<Vec<f64>>,
    /// Learning rate or step length of each step (from the diagnostics; NaN if not reported).
    pub(crate) step_lengths: Vec<f64>,
    /// The runner's result.
    pub(crate) result: RunResult,
}

impl Path {
    /// The first coordinate of every iterate (1-D problems).
    pub(crate) fn scalars(&self) -> Vec<f64> {
        self.iterates.iter().map(|x| x[0]).collect()
    }
    /// `‖x_k − x*‖₂` for every iterate.
    pub(crate) fn distances(&self, x_star: &[f64]) -> Vec<f64> {
        self.iterates
            .iter()
            .map(|x| {
                x.iter()
                    .zip(x_star)
                    .map(|(a, b)| (a - b) * (a - b))
                    .sum::<f64>()
                    .sqrt()
            })
            .collect()
    }
}

/// The stopping rules of a fixed-length run: exactly `iterations` steps
/// unless the iterate diverges (`f > 1e100` or non-finite); no tolerance fires.
pub(crate) fn fixed_length(iterations: usize) -> StoppingRules {
    StoppingRules::default()
        .max_iterations(iterations)
        .gradient_tolerance(None)
}

/// Run `optimizer` on `objective` from `x0` under `rules`, recording every iterate.
///
/// # Panics
/// If the runner refuses the setup (an experiment bug: settings are fixed
/// and valid).
pub(crate) fn run(
    objective: &mut dyn Objective,
    optimizer: &mut dyn Optimizer,
    x0: &[f64],
    rules: &StoppingRules,
) -> Path {
    let mut trace = Trace::with_iterates();
    let result = minimize_with(objective, optimizer, x0, rules, &mut [&mut trace])
        .unwrap_or_else(|e| panic!("experiment setup refused by the runner: {e}"));
    let step_lengths = trace
        .records
        .iter()
        .skip(1)
        .map(|r| r.diagnostics.learning_rate.unwrap_or(f64::NAN))
        .collect();
    Path {
        iterates: trace.iterates,
        step_lengths,
        result,
    }
}

/// Like [`run`], but an error of the objective or optimiser mid-run (a
/// non-finite Hessian, say) ends the run instead of panicking: the iterates
/// recorded so far are kept and the error's message returned beside them.
pub(crate) fn run_until_error(
    objective: &mut dyn Objective,
    optimizer: &mut dyn Optimizer,
    x0: &[f64],
    rules: &StoppingRules,
) -> (Vec<Vec<f64>>, Option<String>) {
    let mut trace = Trace::with_iterates();
    match minimize_with(objective, optimizer, x0, rules, &mut [&mut trace]) {
        Ok(_) => (trace.iterates, None),
        Err(e) => (trace.iterates, Some(e.to_string())),
    }
}

/// `⌈ln(1/ε) / ln(1/r)⌉`: iterations for a geometric error `r^k` to reach `ε`
/// (`∞` for `r ≥ 1`, 0 for `ε ≥ 1`, 1 for `r = 0`).
pub(crate) fn iterations_to(epsilon: f64, rate: f64) -> f64 {
    if rate >= 1.0 {
        f64::INFINITY
    } else if epsilon >= 1.0 {
        0.0
    } else if rate == 0.0 {
        1.0
    } else {
        ((1.0 / epsilon).ln() / (1.0 / rate).ln()).ceil()
    }
}

/// The first k with `errors[k] ≤ epsilon · errors[0]`, if any.
pub(crate) fn first_below(errors: &[f64], epsilon: f64) -> Option<usize> {
    errors.iter().position(|&e| e <= epsilon * errors[0])
}

/// `(k, y)` points of a sequence, for plotting against the iteration.
pub(crate) fn indexed(ys: &[f64]) -> Vec<(f64, f64)> {
    ys.iter().enumerate().map(|(k, &y)| (k as f64, y)).collect()
}

/// A regime in the lecture's words, "—" when there is none (no data).
pub(crate) fn fmt_regime(regime: Option<descent_core::analysis::Regime>) -> String {
    regime.map_or_else(|| "—".to_owned(), |r| r.to_string())
}

/// A list of mismatches, or "none".
pub(crate) fn fmt_mismatches(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        items.join("; ")
    }
}

/// A number with [`crate::fmt_num`], or "—" for NaN (a value that does not
/// exist, such as a ratio after an exact zero).
pub(crate) fn fmt_or_dash(x: f64) -> String {
    if x.is_nan() {
        "—".to_owned()
    } else {
        crate::fmt_num(x)
    }
}

/// Format an iteration count that may be infinite.
pub(crate) fn fmt_count(k: f64) -> String {
    crate::fmt_num(k)
}

/// Measured medians and sign flips use the ratios with |e_k| ≥ this · |e_0|
/// (well above the rounding floor of an iterate near a non-zero minimiser).
pub(crate) const MEDIAN_WINDOW: f64 = 1e-8;

/// Indices 0, 1, 2, … thinned geometrically (for log-x plots of long runs).
pub(crate) fn log_spaced(len: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut k = 0usize;
    while k < len {
        out.push(k);
        k = (k + 1).max((k as f64 * 1.02) as usize);
    }
    if out.last() != Some(&(len - 1)) && len > 0 {
        out.push(len - 1);
    }
    out
}

/// Add the figures `(stem, caption, svg)` and the checks to a report, last.
pub(crate) fn with_figures_and_checks<S: Into<String>, C: Into<String>>(
    mut report: crate::report::Report,
    figures: Vec<(S, C, String)>,
    checks: Vec<crate::report::Check>,
) -> crate::report::Report {
    for (stem, caption, svg) in figures {
        report.figure(stem, caption, svg);
    }
    report.checks(checks);
    report
}

/// Test support: every check can fail.
#[cfg(test)]
pub(crate) mod perturb {
    use crate::report::Check;

    /// The check whose description contains `needle` (exactly one must).
    pub(crate) fn named<'a>(checks: &'a [Check], needle: &str) -> &'a Check {
        let found: Vec<&Check> = checks
            .iter()
            .filter(|c| c.description.contains(needle))
            .collect();
        assert_eq!(
            found.len(),
            1,
            "expected exactly one check containing {needle:?}, found {}",
            found.len()
        );
        found[0]
    }

    /// The named check holds on `before` (the unperturbed measurements) and
    /// fails on `after` (one measurement or setting perturbed).
    pub(crate) fn turns(before: &[Check], after: &[Check], needle: &str) {
        let b = named(before, needle);
        assert!(
            b.holds(),
            "unperturbed: {} — measured {}, expected {}",
            b.description,
            b.measured,
            b.expected
        );
        let a = named(after, needle);
        assert!(
            !a.holds(),
            "perturbed, still holds: {} — measured {}, expected {}",
            a.description,
            a.measured,
            a.expected
        );
    }

    /// [`turns`] for a perturbed copy: the check named by `needle` holds on
    /// `m` and fails once `perturb` has changed a clone of it.
    pub(crate) fn turns_when<M: Clone>(
        m: &M,
        assess: impl Fn(&M) -> Vec<Check>,
        needle: &str,
        perturb: impl FnOnce(&mut M),
    ) {
        let mut bad = m.clone();
        perturb(&mut bad);
        turns(&assess(m), &assess(&bad), needle);
    }

    /// A perturbation of measurements `M`, and the check it must turn.
    pub(crate) type Case<'a, M> = (&'a str, &'a dyn Fn(&mut M));

    /// For every case: the check named by the case holds on `m` and fails on
    /// a copy of `m` perturbed by the case.
    pub(crate) fn every_case_turns<M: Clone>(
        m: &M,
        assess: fn(&M) -> Vec<Check>,
        cases: &[Case<'_, M>],
    ) {
        let before = assess(m);
        for (needle, perturb) in cases {
            let mut bad = m.clone();
            perturb(&mut bad);
            turns(&before, &assess(&bad), needle);
        }
    }
}
