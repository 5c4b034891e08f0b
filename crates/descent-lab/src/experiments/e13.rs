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
use crate::{ROUNDOFF_FLOOR, fmt_below, fmt_list, fmt_num};

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

/// The critical points of f: the minima ±1 and the maximum 0.
const CRITICAL_POINTS: [f64; 3] = [-1.0, 0.0, 1.0];

/// The ratio window: e_{k+1}/e_k is read where `RATIO_WINDOW.0 ≤ |e_k| ≤ RATIO_WINDOW.1`.
/// Above it the ratio still carries the O(e) non-quadratic terms (for GD near ±1:
/// e_{k+1}/e_k = 1 − 2η − 3ηe_k − ηe_k²); below it the rounding of w_k near ±1
/// (ulp(1) ≈ 2.2e-16, a relative error ≤ 2.2e-10 of e_k at 1e-6) would show.
const RATIO_WINDOW: (f64, f64) = (1e-6, 1e-4);

struct Outcome {
    /// The last iterate w_K.
    last: f64,
    /// The exact critical point the run approaches: the nearest of −1, 0, 1 to w_K.
    limit: f64,
    /// The first k with |w_k − limit| ≤ 1e-12, if any.
    iterations: Option<usize>,
    /// Median of e_{k+1}/e_k over the steps with |e_k| in [`RATIO_WINDOW`], if any.
    ratio: Option<f64>,
    path: Vec<f64>,
}

fn outcome(path: Vec<f64>) -> Outcome {
    let last = *path.last().expect("at least x0");
    let limit = CRITICAL_POINTS
        .into_iter()
        .min_by(|a, b| (a - last).abs().total_cmp(&(b - last).abs()))
        .expect("three candidates");
    let iterations = path.iter().position(|w| (w - limit).abs() <= 1e-12);
    let ratios: Vec<f64> = path
        .windows(2)
        .filter(|w| {
            let d = (w[0] - limit).abs();
            RATIO_WINDOW.0 <= d && d <= RATIO_WINDOW.1
        })
        .map(|w| (w[1] - limit) / (w[0] - limit))
        .collect();
    let ratio = (!ratios.is_empty()).then(|| descent_core::analysis::median(&ratios));
    Outcome {
        last,
        limit,
        iterations,
        ratio,
        path,
    }
}

/// The largest value, NaN if there is none (so a check over no runs fails) or
/// if any value is NaN (a missing measurement fails too).
fn worst(xs: &[f64]) -> f64 {
    if xs.is_empty() || xs.iter().any(|x| x.is_nan()) {
        f64::NAN
    } else {
        xs.iter().copied().fold(f64::NEG_INFINITY, f64::max)
    }
}

/// "—" for a missing measurement.
fn fmt_opt(x: Option<f64>) -> String {
    x.map_or_else(|| "—".to_owned(), fmt_num)
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
    // GD near ±1: e_{k+1} = e_k − η f′(±1 + e_k) = (1 − 2η − 3ηe_k − ηe_k²) e_k, so the ratio is
    // 1 − η f″(±1) = 1 − 2η up to 3η|e_k| + η e_k² ≤ 3η·1e-4 + η·1e-8 inside the window, plus
    // rounding (≤ 2·ulp(1)/1e-6 ≈ 4.4e-10): the tolerance below.
    let gd_ratio = 1.0 - 2.0 * s.gd_eta;
    let gd_tolerance = 3.0 * s.gd_eta * RATIO_WINDOW.1 + s.gd_eta * RATIO_WINDOW.1.powi(2) + 1e-9;
    report.note(format!(
        "(iii) With λ fixed, w* − w_{{k+1}} ≈ (1 − f″(w*)/(f″(w*) + λ))(w* − w_k), a linear ratio \
         λ/(f″(w*) + λ) = {}/(2 + {}) = {}. (iv) GD's ratio is 1 − η f″(±1) = 1 − 2·{} = {}.",
        fmt_num(s.lm_damping),
        fmt_num(s.lm_damping),
        fmt_num(lm_ratio),
        fmt_num(s.gd_eta),
        fmt_num(gd_ratio)
    ));
    report.note(format!(
        "Limit: the exact critical point (−1, 0 or 1) nearest the last iterate w_K; e_k = w_k − limit. \
         Asymptotic ratio: the median of e_{{k+1}}/e_k over the steps with {} ≤ |e_k| ≤ {} \
         (— if the run has none: superlinear methods jump over the window). Iterations: the first k \
         with |e_k| ≤ 1e-12 (— if not within the run).",
        fmt_num(RATIO_WINDOW.0),
        fmt_num(RATIO_WINDOW.1)
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
            "|w_K − limit|",
            "f(limit)",
            "iterations to |w_k − limit| ≤ 1e-12",
            "asymptotic ratio",
        ],
    );
    // One entry per run that the check covers; `worst` fails a check with no entries.
    let mut newton_max_dev = Vec::new();
    let mut newton_min_dev = Vec::new();
    let mut saddle_free_dev = Vec::new();
    let mut lm_ratio_dev = Vec::new();
    let mut gd_wrong_limit = Vec::new();
    let mut gd_ratio_dev = Vec::new();
    let mut chart = LineChart::new(
        format!("Last iterate w_K (K ≤ {}) vs start w_0", s.iterations),
        Axis::linear("w_0"),
        Axis::linear(format!("last iterate w_K (K ≤ {})", s.iterations)).range(-1.3, 1.3),
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
                    fmt_below((o.last - o.limit).abs(), ROUNDOFF_FLOOR),
                    fmt_num(f.e(o.limit)),
                    o.iterations
                        .map_or_else(|| "—".to_owned(), |k| k.to_string()),
                    fmt_opt(o.ratio),
                ]);
                limits[m].push((w0, o.last));
                let target = w0.signum();
                let ratio = o.ratio.unwrap_or(f64::NAN);
                match m {
                    0 if TO_MAXIMUM.contains(&magnitude) => newton_max_dev.push(o.last.abs()),
                    0 if TO_MINIMUM.contains(&magnitude) => {
                        newton_min_dev.push((o.last - target).abs());
                    }
                    1 => saddle_free_dev.push((o.last - target).abs()),
                    2 => lm_ratio_dev.push((ratio - lm_ratio).abs()),
                    3 => {
                        gd_wrong_limit.push(if o.limit == target { 0.0 } else { 1.0 });
                        gd_ratio_dev.push((ratio - gd_ratio).abs());
                    }
                    _ => {}
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
        "(i) |w_0| ∈ {0.1, 0.3, 0.44}, both signs: max |w_K − 0| (NaN: none run)",
        worst(&newton_max_dev),
        1e-12,
    ));
    report.check(Check::at_most(
        "(i) |w_0| ∈ {0.6, 0.9, 1.5, 3}, both signs: max |w_K − sign(w_0)| (NaN: none run)",
        worst(&newton_min_dev),
        1e-12,
    ));
    report.check(Check::at_most(
        "(ii) every w_0: max |w_K − sign(w_0)|",
        worst(&saddle_free_dev),
        1e-12,
    ));
    report.check(Check::at_most(
        format!(
            "(iii) every w_0: max |asymptotic ratio − λ/(f″(w*) + λ)| (= {}; NaN: a run without ratio)",
            fmt_num(lm_ratio)
        ),
        worst(&lm_ratio_dev),
        1e-6,
    ));
    report.check(Check::equal(
        "(iv) GD: runs whose limit is not sign(w_0) (of all runs)",
        format!(
            "{} of {}",
            gd_wrong_limit.iter().filter(|&&x| x > 0.0).count(),
            gd_wrong_limit.len()
        ),
        format!("0 of {}", 2 * s.starts.len()),
    ));
    report.check(Check::at_most(
        format!(
            "(iv) GD, every w_0: max |asymptotic ratio − (1 − η f″(±1))| (= {}; tolerance 3η·{} + η·{}² + 1e-9 \
             from the e_k terms and rounding; NaN: a run without ratio)",
            fmt_num(gd_ratio),
            fmt_num(RATIO_WINDOW.1),
            fmt_num(RATIO_WINDOW.1)
        ),
        worst(&gd_ratio_dev),
        gd_tolerance,
    ));
    report
}
