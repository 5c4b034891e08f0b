//! E13 — Newton on a non-convex function: a non-PSD Hessian heads for maxima;
//! positive-definite modifications fix it.
//!
//! `f(w) = w⁴/4 − w²/2`: minima ±1, maximum 0, `f″ = 3w² − 1`. Newton's map
//! `N(w) = 2w³/(3w² − 1)` has `|N(w)| < |w| ⇔ 5w² < 1`, so from `|w_0| < 1/√5`
//! it converges (cubically) to the maximum.

use descent_gd::GradientDescent;
use descent_newton::{IndefiniteHessian, Newton};
use descent_problems::one_d::{OneD, OneDObjective, QuarticDoubleWell};

use super::common::{fixed_length, run_until_error};
use crate::plot::{Axis, LineChart, Series, Style};
use crate::registry::Experiment;
use crate::report::{Check, Report, Table};
use crate::{fmt_list, fmt_num};

/// The registry entry.
pub(crate) const EXPERIMENT: Experiment = Experiment {
    id: "E13",
    slug: "newton-nonconvex",
    title: "Newton on a non-convex function heads for the maximum; saddle-free, LM and GD do not",
    run: || run_with(&Settings::default()),
};

/// Settings of E13 (defaults: the catalogue's).
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// |w_0| values; each is run with both signs.
    pub starts: Vec<f64>,
    /// Iterations.
    pub iterations: usize,
    /// Levenberg–Marquardt's fixed damping λ (> max(−f″) = 1 keeps f″ + λ > 0).
    pub lm_damping: f64,
    /// GD step.
    pub gd_eta: f64,
    /// Eigenvalue floor δ of the saddle-free step.
    pub saddle_free_floor: f64,
    /// Runs stop once |f′(w_k)| ≤ this (a converged run stays put).
    pub gradient_tolerance: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            starts: vec![0.1, 0.3, 0.44, 0.45, 0.5, 0.6, 0.9, 1.5, 3.0],
            iterations: 100,
            lm_damping: 2.0,
            gd_eta: 0.1,
            saddle_free_floor: 1e-8,
            gradient_tolerance: 1e-15,
        }
    }
}

/// Starts whose Newton limit is the maximum 0 (|w_0| < 1/√5) or sign(w_0) (|w_0| > 1/√3), per the catalogue.
const TO_MAXIMUM: [f64; 3] = [0.1, 0.3, 0.44];
const TO_MINIMUM: [f64; 4] = [0.6, 0.9, 1.5, 3.0];

/// Builds a fresh optimiser for each run.
type MakeOptimizer<'a> = Box<dyn Fn() -> Box<dyn descent_core::Optimizer> + 'a>;

struct Outcome {
    limit: f64,
    iterations: usize,
    ratio: f64,
    path: Vec<f64>,
}

fn outcome(path: Vec<f64>) -> Outcome {
    let limit = *path.last().expect("at least x0");
    let iterations = path
        .iter()
        .position(|w| (w - limit).abs() <= 1e-12)
        .unwrap_or(path.len());
    // Asymptotic ratio: (w_{k+1} − L)/(w_k − L) at the last step with 1e-9 < |w_k − L| < 1e-3.
    let ratio = path
        .windows(2)
        .filter(|w| {
            let d = (w[0] - limit).abs();
            1e-9 < d && d < 1e-3
        })
        .map(|w| (w[1] - limit) / (w[0] - limit))
        .next_back()
        .unwrap_or(0.0);
    Outcome {
        limit,
        iterations,
        ratio,
        path,
    }
}

/// Run E13.
pub fn run_with(s: &Settings) -> Report {
    let e = &EXPERIMENT;
    let mut report = Report::new(
        e.id,
        e.slug,
        e.title,
        "For non-convex losses the Hessian is not positive definite and Newton's method heads for \
         maxima and saddles; modifications that make the curvature positive definite fix it.",
        "lecture notes",
    );
    let f = QuarticDoubleWell;
    report.setup("f(w)", OneD::name(&f));
    report.setup("w_0", format!("± each of {}", fmt_list(&s.starts)));
    report.setup(
        "iterations",
        format!(
            "at most {}, stopping once |f′(w_k)| ≤ {}",
            s.iterations,
            fmt_num(s.gradient_tolerance)
        ),
    );
    report.setup(
        "(i) Newton",
        "descent_newton::Newton, η = 1, IndefiniteHessian::SolveIndefinite (the raw step −f′/f″)",
    );
    report.setup(
        "(ii) saddle-free",
        format!(
            "Newton, IndefiniteHessian::EigenvalueModification {{ floor: {} }} (step −f′/|f″|)",
            fmt_num(s.saddle_free_floor)
        ),
    );
    report.setup(
        "(iii) Levenberg–Marquardt",
        format!(
            "Newton, IndefiniteHessian::FixedDamping {{ lambda: {} }} (step −f′/(f″ + λ))",
            fmt_num(s.lm_damping)
        ),
    );
    report.setup(
        "(iv) GD",
        format!("descent_gd::GradientDescent, η = {}", fmt_num(s.gd_eta)),
    );
    report.note(
        "Theory: (i) |N(w)| < |w| ⇔ 5w² < 1, so from |w_0| < 1/√5 ≈ 0.4472 Newton converges to the maximum \
         w = 0 (w_{k+1} ≈ −2w_k³) while f increases; from |w_0| > 1/√3 ≈ 0.5774 it converges to sign(w_0); \
         in between it jumps sign (N(0.5) = −1 exactly). (ii) converges to sign(w_0) for every w_0 ≠ 0. \
         (iv) converges to sign(w_0).",
    );
    // f″(±1) = 3·1 − 1 = 2: the fixed-damping ratio at either minimum.
    let lm_ratio = s.lm_damping / (2.0 + s.lm_damping);
    report.note(format!(
        "(iii) With λ fixed, w* − w_{{k+1}} ≈ (1 − f″(w*)/(f″(w*) + λ))(w* − w_k), a linear ratio \
         λ/(f″(w*) + λ) = {}/(2 + {}) = {}, measured at the last step with 1e-9 < |w_k − limit| < 1e-3.",
        fmt_num(s.lm_damping),
        fmt_num(s.lm_damping),
        fmt_num(lm_ratio)
    ));

    let methods: [(&str, MakeOptimizer<'_>); 4] = [
        (
            "(i) Newton",
            Box::new(|| {
                Box::new(Newton::new(1.0, IndefiniteHessian::SolveIndefinite).expect("valid"))
            }),
        ),
        (
            "(ii) saddle-free",
            Box::new(move || {
                Box::new(
                    Newton::new(
                        1.0,
                        IndefiniteHessian::EigenvalueModification {
                            floor: s.saddle_free_floor,
                        },
                    )
                    .expect("valid"),
                )
            }),
        ),
        (
            "(iii) LM",
            Box::new(move || {
                Box::new(
                    Newton::new(
                        1.0,
                        IndefiniteHessian::FixedDamping {
                            lambda: s.lm_damping,
                        },
                    )
                    .expect("valid"),
                )
            }),
        ),
        (
            "(iv) GD",
            Box::new(move || Box::new(GradientDescent::new(s.gd_eta).expect("valid"))),
        ),
    ];

    let mut table = Table::new(
        "Limits after the iterations",
        &[
            "w_0",
            "method",
            "limit",
            "f(limit)",
            "iterations to |w_k − limit| ≤ 1e-12",
            "asymptotic ratio",
        ],
    );
    let mut newton_max_dev: f64 = 0.0;
    let mut newton_min_dev: f64 = 0.0;
    let mut saddle_free_dev: f64 = 0.0;
    let mut lm_ratio_dev: f64 = 0.0;
    let mut chart = LineChart::new(
        "Limit after 100 iterations vs start w_0",
        Axis::linear("w_0"),
        Axis::linear("limit w_100").range(-1.3, 1.3),
    );
    let mut limits: Vec<Vec<(f64, f64)>> = vec![Vec::new(); methods.len()];
    let mut traces = Vec::new();
    let mut errors = Vec::new();
    for &magnitude in &s.starts {
        for w0 in [-magnitude, magnitude] {
            for (m, (name, make)) in methods.iter().enumerate() {
                let mut obj = OneDObjective(f);
                let mut opt = make();
                let rules = fixed_length(s.iterations).gradient_tolerance(s.gradient_tolerance);
                let (iterates, error) = run_until_error(&mut obj, &mut opt, &[w0], &rules);
                let o = outcome(iterates.iter().map(|w| w[0]).collect());
                if let Some(message) = error {
                    errors.push(format!(
                        "{name} from w_0 = {}: stopped after {} steps: {message}",
                        fmt_num(w0),
                        iterates.len() - 1
                    ));
                }
                table.push(vec![
                    fmt_num(w0),
                    (*name).to_owned(),
                    fmt_num(o.limit),
                    fmt_num(f.e(o.limit)),
                    o.iterations.to_string(),
                    fmt_num(o.ratio),
                ]);
                limits[m].push((w0, o.limit));
                let target = w0.signum();
                if m == 0 && TO_MAXIMUM.contains(&magnitude) {
                    newton_max_dev = newton_max_dev.max(o.limit.abs());
                }
                if m == 0 && TO_MINIMUM.contains(&magnitude) {
                    newton_min_dev = newton_min_dev.max((o.limit - target).abs());
                }
                if m == 1 {
                    saddle_free_dev = saddle_free_dev.max((o.limit - target).abs());
                }
                if m == 2 {
                    lm_ratio_dev = lm_ratio_dev.max((o.ratio - lm_ratio).abs());
                }
                if magnitude == 0.3 && w0 > 0.0 {
                    traces.push((name.to_owned(), o.path.clone()));
                }
            }
        }
    }
    for ((name, _), pts) in methods.iter().zip(limits) {
        chart = chart.with(Series::new(*name, pts, Style::Markers));
    }
    report.tables.push(table);
    if !errors.is_empty() {
        report.note(format!(
            "{} runs ended by an error of the optimiser (their last iterate is the limit above); first: {}",
            errors.len(),
            errors[0]
        ));
    }
    report.figure(
        "limits",
        "Where each method ends, by start: Newton lands on the maximum 0 for |w_0| < 1/√5",
        chart.to_svg(),
    );
    let mut trace_chart = LineChart::new(
        "Iterates from w_0 = 0.3",
        Axis::linear("iteration k").range(0.0, 30.0),
        Axis::linear("w_k").range(-0.2, 1.2),
    );
    for (name, path) in traces {
        trace_chart = trace_chart.with(Series::new(
            name,
            super::common::indexed(&path),
            Style::LineMarkers,
        ));
    }
    report.figure(
        "iterates",
        "From w_0 = 0.3 (inside 1/√5): Newton goes to the maximum, the others to the minimum",
        trace_chart.to_svg(),
    );

    report.check(Check::at_most(
        "(i) |w_0| ∈ {0.1, 0.3, 0.44}, both signs: max |limit − 0|",
        newton_max_dev,
        1e-12,
    ));
    report.check(Check::at_most(
        "(i) |w_0| ∈ {0.6, 0.9, 1.5, 3}, both signs: max |limit − sign(w_0)|",
        newton_min_dev,
        1e-12,
    ));
    report.check(Check::at_most(
        "(ii) every w_0: max |limit − sign(w_0)|",
        saddle_free_dev,
        1e-12,
    ));
    report.check(Check::at_most(
        format!(
            "(iii) every w_0: max |asymptotic ratio − λ/(f″(w*) + λ)| (= {})",
            fmt_num(lm_ratio)
        ),
        lm_ratio_dev,
        1e-6,
    ));
    report
}
