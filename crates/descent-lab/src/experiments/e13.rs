//! E13 — Newton on a non-convex function: a non-PSD Hessian heads for maxima;
//! positive-definite modifications fix it.
//!
//! `f(w) = w⁴/4 − w²/2`: minima ±1, maximum 0, `f″ = 3w² − 1`. Newton's map
//! `N(w) = 2w³/(3w² − 1)` has `|N(w)| < |w| ⇔ 5w² < 1`, so from `|w_0| < 1/√5`
//! it converges (cubically) to the maximum.

use descent_core::analysis::{max_or_nan, median, tail_order};
use descent_gd::GradientDescent;
use descent_newton::{IndefiniteHessian, Newton};
use descent_problems::one_d::{OneD, OneDObjective, QuarticDoubleWell};

use super::common::{
    fixed_length, fmt_mismatches, indexed, run_until_error, with_figures_and_checks,
};
use crate::plot::{Axis, LineChart, Series, Style};
use crate::report::{Check, Report, Table};
use crate::{ROUNDOFF_FLOOR, fmt_below, fmt_list, fmt_num};

super::registry_entry!(
    "E13",
    "newton-nonconvex",
    "Newton on a non-convex function heads for the maximum; saddle-free, LM and GD do not"
);

/// Settings of E13 (defaults: the setup of docs/claims.md).
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

/// The four methods of E13.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// (i) Newton with the raw step −f′/f″.
    Newton,
    /// (ii) saddle-free Newton, step −f′/|f″|.
    SaddleFree,
    /// (iii) Levenberg–Marquardt with fixed damping.
    LevenbergMarquardt,
    /// (iv) gradient descent.
    GradientDescent,
}

impl Method {
    /// Every method, in the report's order.
    pub const ALL: [Method; 4] = [
        Method::Newton,
        Method::SaddleFree,
        Method::LevenbergMarquardt,
        Method::GradientDescent,
    ];

    fn label(self) -> &'static str {
        match self {
            Method::Newton => "(i) Newton",
            Method::SaddleFree => "(ii) saddle-free",
            Method::LevenbergMarquardt => "(iii) LM",
            Method::GradientDescent => "(iv) GD",
        }
    }

    fn optimizer(self, s: &Settings) -> Box<dyn descent_core::Optimizer> {
        let newton = |h| -> Box<dyn descent_core::Optimizer> {
            Box::new(Newton::new(1.0, h).expect("valid Newton settings"))
        };
        match self {
            Method::Newton => newton(IndefiniteHessian::SolveIndefinite),
            Method::SaddleFree => newton(IndefiniteHessian::EigenvalueModification {
                floor: s.saddle_free_floor,
            }),
            Method::LevenbergMarquardt => newton(IndefiniteHessian::FixedDamping {
                lambda: s.lm_damping,
            }),
            Method::GradientDescent => Box::new(GradientDescent::new(s.gd_eta).expect("valid η")),
        }
    }
}

/// The critical points of f: the minima ±1 and the maximum 0.
const CRITICAL_POINTS: [f64; 3] = [-1.0, 0.0, 1.0];

/// A run has reached its limit once |w_k − limit| ≤ this; orders are read
/// from the errors above this·|limit| (the rounding floor of w_k near ±1;
/// none at the maximum 0).
const REACHED: f64 = 1e-12;

/// A measured order at least this is called superlinear (a linear run's
/// orders are ≈ 1, Newton's 2 or 3).
const SUPERLINEAR_ORDER: f64 = 1.5;

/// The ratio window: e_{k+1}/e_k is read where `RATIO_WINDOW.0 ≤ |e_k| ≤ RATIO_WINDOW.1`.
/// Above it the ratio still carries the O(e) non-quadratic terms (for GD near ±1:
/// e_{k+1}/e_k = 1 − 2η − 3ηe_k − ηe_k²); below it the rounding of w_k near ±1
/// (ulp(1) ≈ 2.2e-16, a relative error ≤ 2.2e-10 of e_k at 1e-6) would show.
const RATIO_WINDOW: (f64, f64) = (1e-6, 1e-4);

/// One run of one method from one start.
#[derive(Debug, Clone, PartialEq)]
pub struct RunOutcome {
    /// The start w_0.
    pub w0: f64,
    /// The method.
    pub method: Method,
    /// The iterates w_0, w_1, …
    pub path: Vec<f64>,
    /// The exact critical point the run approaches: the nearest of −1, 0, 1 to w_K.
    pub limit: f64,
    /// The first k with |w_k − limit| ≤ [`REACHED`], if any.
    pub iterations: Option<usize>,
    /// Median of e_{k+1}/e_k over the steps with |e_k| in [`RATIO_WINDOW`], if any.
    pub ratio: Option<f64>,
    /// `tail_order` of |e_k| above [`REACHED`]·|limit| (None: fewer than three such errors).
    pub order: Option<f64>,
    /// The optimiser's error if it ended the run.
    pub error: Option<String>,
}

impl RunOutcome {
    /// The last iterate w_K.
    pub fn last(&self) -> f64 {
        *self.path.last().expect("at least w_0")
    }

    /// Superlinear: the measured order is at least [`SUPERLINEAR_ORDER`].
    fn superlinear(&self) -> bool {
        self.order.is_some_and(|q| q >= SUPERLINEAR_ORDER)
    }

    /// Landed exactly: reached the limit with fewer than three errors above the floor.
    fn landed(&self) -> bool {
        self.iterations.is_some() && self.order.is_none()
    }
}

/// Everything E13 measured, with the settings it was measured with.
#[derive(Debug, Clone, PartialEq)]
pub struct Measurements {
    /// The settings of the runs.
    pub settings: Settings,
    /// One run per start (each magnitude with − then +) and method.
    pub runs: Vec<RunOutcome>,
}

fn outcome(w0: f64, method: Method, path: Vec<f64>, error: Option<String>) -> RunOutcome {
    let last = *path.last().expect("at least w_0");
    let limit = CRITICAL_POINTS
        .into_iter()
        .min_by(|a, b| (a - last).abs().total_cmp(&(b - last).abs()))
        .expect("three candidates");
    let errors: Vec<f64> = path.iter().map(|w| (w - limit).abs()).collect();
    let ratios: Vec<f64> = path
        .windows(2)
        .filter(|w| {
            let d = (w[0] - limit).abs();
            RATIO_WINDOW.0 <= d && d <= RATIO_WINDOW.1
        })
        .map(|w| (w[1] - limit) / (w[0] - limit))
        .collect();
    RunOutcome {
        w0,
        method,
        iterations: errors.iter().position(|&e| e <= REACHED),
        ratio: (!ratios.is_empty()).then(|| median(&ratios)),
        order: tail_order(&errors, REACHED * limit.abs()),
        limit,
        path,
        error,
    }
}

/// Run every method from ±each start.
pub fn measure(s: &Settings) -> Measurements {
    let mut runs = Vec::new();
    for &magnitude in &s.starts {
        for w0 in [-magnitude, magnitude] {
            for method in Method::ALL {
                let mut obj = OneDObjective(QuarticDoubleWell);
                let mut opt = method.optimizer(s);
                let rules = fixed_length(s.iterations).gradient_tolerance(s.gradient_tolerance);
                let (iterates, error) = run_until_error(&mut obj, &mut opt, &[w0], &rules);
                let path = iterates.iter().map(|w| w[0]).collect();
                runs.push(outcome(w0, method, path, error));
            }
        }
    }
    Measurements {
        settings: s.clone(),
        runs,
    }
}

/// Run E13: measure, assess, present.
pub fn run_with(s: &Settings) -> Report {
    let m = measure(s);
    let checks = assess(&m);
    present(&m, checks)
}

/// The magnitudes |w_0| of the settings for which Newton converges to the
/// maximum (5w_0² < 1) and to sign(w_0) (3w_0² > 1).
fn newton_sets(s: &Settings) -> (Vec<f64>, Vec<f64>) {
    let to_max = s.starts.iter().copied().filter(|w| 5.0 * w * w < 1.0);
    let to_min = s.starts.iter().copied().filter(|w| 3.0 * w * w > 1.0);
    (to_max.collect(), to_min.collect())
}

/// f″(±1) = 3·1 − 1 = 2: the fixed-damping ratio λ/(f″ + λ) at either minimum.
fn lm_ratio(s: &Settings) -> f64 {
    s.lm_damping / (2.0 + s.lm_damping)
}

/// GD near ±1: e_{k+1} = (1 − 2η − 3ηe_k − ηe_k²)e_k, so the ratio is 1 − 2η up
/// to 3η|e_k| + ηe_k² inside the window, plus rounding (≤ 2ulp(1)/1e-6 ≈
/// 4.4e-10 < 1e-9): (ratio, tolerance).
fn gd_ratio(s: &Settings) -> (f64, f64) {
    let tolerance = 3.0 * s.gd_eta * RATIO_WINDOW.1 + s.gd_eta * RATIO_WINDOW.1.powi(2) + 1e-9;
    (1.0 - 2.0 * s.gd_eta, tolerance)
}

/// The runs of one method.
fn of(m: &Measurements, method: Method) -> impl Iterator<Item = &RunOutcome> + Clone {
    m.runs.iter().filter(move |r| r.method == method)
}

/// The claim checks of (i) Newton and (ii) saddle-free Newton.
fn newton_checks(m: &Measurements) -> Vec<Check> {
    let (to_max, to_min) = newton_sets(&m.settings);
    let newton_from = |set: &[f64]| {
        let set = set.to_vec();
        of(m, Method::Newton).filter(move |r| set.contains(&r.w0.abs()))
    };
    let not_superlinear: Vec<String> = of(m, Method::Newton)
        .chain(of(m, Method::SaddleFree))
        .filter(|r| !r.superlinear() && !r.landed())
        .map(|r| format!("{} from {}", r.method.label(), fmt_num(r.w0)))
        .collect();
    vec![
        Check::at_most(
            format!(
                "(i) |w_0| ∈ {{{}}} (below 1/√5), both signs: max |w_K − 0| (NaN: none run)",
                fmt_list(&to_max)
            ),
            max_or_nan(newton_from(&to_max).map(|r| r.last().abs())),
            REACHED,
        ),
        Check::at_most(
            format!(
                "(i) |w_0| ∈ {{{}}} (above 1/√3), both signs: max |w_K − sign(w_0)| (NaN: none run)",
                fmt_list(&to_min)
            ),
            max_or_nan(newton_from(&to_min).map(|r| (r.last() - r.w0.signum()).abs())),
            REACHED,
        ),
        Check::at_most(
            "(ii) every w_0: max |w_K − sign(w_0)|",
            max_or_nan(of(m, Method::SaddleFree).map(|r| (r.last() - r.w0.signum()).abs())),
            REACHED,
        ),
        Check::equal(
            format!(
                "(i), (ii): runs neither superlinear (measured order ≥ {}) nor landing exactly on their limit",
                fmt_num(SUPERLINEAR_ORDER)
            ),
            fmt_mismatches(&not_superlinear),
            "none".to_owned(),
        ),
    ]
}

/// The checks of E13, judged from the measurements alone.
pub fn assess(m: &Measurements) -> Vec<Check> {
    let s = &m.settings;
    let ratio_dev = |method, target: f64| {
        max_or_nan(of(m, method).map(|r| (r.ratio.unwrap_or(f64::NAN) - target).abs()))
    };
    let (gd_target, gd_tolerance) = gd_ratio(s);
    let gd_wrong = of(m, Method::GradientDescent)
        .filter(|r| r.limit != r.w0.signum())
        .count();
    let mut checks = newton_checks(m);
    checks.extend([
        Check::at_most(
            format!(
                "(iii) every w_0: max |asymptotic ratio − λ/(f″(w*) + λ)| (= {}; NaN: a run without ratio)",
                fmt_num(lm_ratio(s))
            ),
            ratio_dev(Method::LevenbergMarquardt, lm_ratio(s)),
            1e-6,
        ),
        Check::equal(
            "(iv) GD: runs whose limit is not sign(w_0) (of all runs)",
            format!("{gd_wrong} of {}", of(m, Method::GradientDescent).count()),
            format!("0 of {}", 2 * s.starts.len()),
        ),
        Check::at_most(
            format!(
                "(iv) GD, every w_0: max |asymptotic ratio − (1 − η f″(±1))| (= {}; tolerance 3η·{} + η·{}² + 1e-9 \
                 from the e_k terms and rounding; NaN: a run without ratio)",
                fmt_num(gd_target),
                fmt_num(RATIO_WINDOW.1),
                fmt_num(RATIO_WINDOW.1)
            ),
            ratio_dev(Method::GradientDescent, gd_target),
            gd_tolerance,
        ),
    ]);
    checks
}

/// The report of E13 from its measurements and checks.
fn present(m: &Measurements, checks: Vec<Check>) -> Report {
    let s = &m.settings;
    let mut report = Report::for_experiment(
        &EXPERIMENT,
        "For non-convex losses the Hessian is not positive definite and Newton's method heads for \
         maxima and saddles; modifications that make the curvature positive definite fix it.",
        "lecture notes",
    );
    setup(&mut report, s);
    notes(&mut report, s);
    report.tables.push(table(m));
    let errors: Vec<String> = m
        .runs
        .iter()
        .filter_map(|r| {
            r.error.as_ref().map(|message| {
                format!(
                    "{} from w_0 = {}: stopped after {} steps: {message}",
                    r.method.label(),
                    fmt_num(r.w0),
                    r.path.len() - 1
                )
            })
        })
        .collect();
    if let Some(first) = errors.first() {
        report.note(format!(
            "{} runs ended by an error of the optimiser (their last iterate is the limit above); first: {first}",
            errors.len()
        ));
    }
    with_figures_and_checks(report, figures(m), checks)
}

fn setup(report: &mut Report, s: &Settings) {
    report.setup("f(w)", OneD::name(&QuarticDoubleWell));
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
}

fn notes(report: &mut Report, s: &Settings) {
    report.note(
        "Theory: (i) |N(w)| < |w| ⇔ 5w² < 1, so from |w_0| < 1/√5 ≈ 0.4472 Newton converges to the maximum \
         w = 0 (w_{k+1} ≈ −2w_k³, order 3) while f increases; from |w_0| > 1/√3 ≈ 0.5774 it converges to sign(w_0) \
         (order 2); in between it jumps sign (N(0.5) = −1 exactly). (ii) converges to sign(w_0) for every w_0 ≠ 0 \
         (order 2). (iv) converges to sign(w_0).",
    );
    let (gd_target, _) = gd_ratio(s);
    report.note(format!(
        "(iii) With λ fixed, w* − w_{{k+1}} ≈ (1 − f″(w*)/(f″(w*) + λ))(w* − w_k), a linear ratio \
         λ/(f″(w*) + λ) = {}/(2 + {}) = {}. (iv) GD's ratio is 1 − η f″(±1) = 1 − 2·{} = {}.",
        fmt_num(s.lm_damping),
        fmt_num(s.lm_damping),
        fmt_num(lm_ratio(s)),
        fmt_num(s.gd_eta),
        fmt_num(gd_target)
    ));
    report.note(format!(
        "Limit: the exact critical point (−1, 0 or 1) nearest the last iterate w_K; e_k = w_k − limit. \
         Convergence: superlinear with the measured order (descent_core::analysis::tail_order of |e_k| above \
         {}·|limit|) when that order is ≥ {}; otherwise linear with the asymptotic ratio, the median of \
         e_{{k+1}}/e_k over the steps with {} ≤ |e_k| ≤ {}; \"exact after k steps\" when the run lands on its \
         limit before three errors are measured. Iterations: the first k with |e_k| ≤ {} (— if not within the run).",
        fmt_num(REACHED),
        fmt_num(SUPERLINEAR_ORDER),
        fmt_num(RATIO_WINDOW.0),
        fmt_num(RATIO_WINDOW.1),
        fmt_num(REACHED)
    ));
}

/// How a run converged, in words.
fn fmt_convergence(r: &RunOutcome) -> String {
    match (r.order, r.ratio, r.iterations) {
        (Some(q), _, _) if q >= SUPERLINEAR_ORDER => format!("superlinear, order {}", fmt_num(q)),
        (_, Some(ratio), _) => format!("linear, ratio {}", fmt_num(ratio)),
        (None, None, Some(1)) => "exact after 1 step".to_owned(),
        (None, None, Some(k)) => format!("exact after {k} steps"),
        (Some(q), None, _) => format!("order {}", fmt_num(q)),
        (None, None, None) => "—".to_owned(),
    }
}

fn table(m: &Measurements) -> Table {
    let f = QuarticDoubleWell;
    let mut table = Table::new(
        "Limits after the iterations",
        &[
            "w_0",
            "method",
            "limit",
            "|w_K − limit|",
            "f(w_0)",
            "f(limit)",
            "iterations to |w_k − limit| ≤ 1e-12",
            "convergence",
        ],
    );
    for r in &m.runs {
        table.push(vec![
            fmt_num(r.w0),
            r.method.label().to_owned(),
            fmt_num(r.limit),
            fmt_below((r.last() - r.limit).abs(), ROUNDOFF_FLOOR),
            fmt_num(f.e(r.w0)),
            fmt_num(f.e(r.limit)),
            r.iterations
                .map_or_else(|| "—".to_owned(), |k| k.to_string()),
            fmt_convergence(r),
        ]);
    }
    table
}

fn figures(m: &Measurements) -> Vec<(&'static str, String, String)> {
    let s = &m.settings;
    let mut chart = LineChart::new(
        format!("Last iterate w_K (K ≤ {}) vs start w_0", s.iterations),
        Axis::linear("w_0"),
        Axis::linear(format!("last iterate w_K (K ≤ {})", s.iterations)).range(-1.3, 1.3),
    );
    for method in Method::ALL {
        let pts = m
            .runs
            .iter()
            .filter(|r| r.method == method)
            .map(|r| (r.w0, r.last()))
            .collect();
        chart = chart.with(Series::new(method.label(), pts, Style::Markers));
    }
    let trace_start = s
        .starts
        .iter()
        .copied()
        .find(|&w| w == 0.3)
        .unwrap_or(s.starts[0]);
    let mut trace_chart = LineChart::new(
        format!("Iterates from w_0 = {}", fmt_num(trace_start)),
        Axis::linear("iteration k").range(0.0, 30.0),
        Axis::linear("w_k").range(-0.2, 1.2),
    );
    for r in m.runs.iter().filter(|r| r.w0 == trace_start) {
        trace_chart = trace_chart.with(Series::new(
            r.method.label(),
            indexed(&r.path),
            Style::LineMarkers,
        ));
    }
    vec![
        (
            "limits",
            "Where each method ends, by start: Newton lands on the maximum 0 for |w_0| < 1/√5"
                .to_owned(),
            chart.to_svg(),
        ),
        (
            "iterates",
            format!(
                "From w_0 = {} (inside 1/√5): Newton goes to the maximum, the others to the minimum",
                fmt_num(trace_start)
            ),
            trace_chart.to_svg(),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::{Measurements, Method, RunOutcome, Settings, assess, measure};
    use crate::experiments::common::perturb::turns_when;

    /// The run of `method` from `w0`.
    fn run(m: &mut Measurements, method: Method, w0: f64) -> &mut RunOutcome {
        let found = m.runs.iter_mut().find(|r| r.method == method && r.w0 == w0);
        found.expect("a run of the default settings")
    }

    /// Every claim check of E13 turns when one measurement is perturbed.
    #[test]
    fn checks_can_fail() {
        let m = measure(&Settings::default());
        // Newton from 0.3 ending at 1e-6 instead of the maximum: 1e-6 > 1e-12.
        turns_when(&m, assess, "(below 1/√5), both signs", |bad| {
            run(bad, Method::Newton, 0.3).path.push(1e-6);
        });
        // Newton from −3 ending at the maximum 0: |0 − (−1)| = 1 > 1e-12.
        turns_when(&m, assess, "(above 1/√3), both signs", |bad| {
            run(bad, Method::Newton, -3.0).path.push(0.0);
        });
        // Saddle-free from 0.1 ending at −1: |−1 − 1| = 2.
        turns_when(&m, assess, "(ii) every w_0", |bad| {
            run(bad, Method::SaddleFree, 0.1).path.push(-1.0);
        });
        // Newton from 0.9 measured at order 1.2 (linear-like, < 1.5).
        turns_when(&m, assess, "(i), (ii): runs neither superlinear", |bad| {
            run(bad, Method::Newton, 0.9).order = Some(1.2);
        });
        // LM from 1.5 at ratio 0.51: |0.51 − 0.5| = 0.01 > 1e-6.
        turns_when(&m, assess, "(iii) every w_0", |bad| {
            run(bad, Method::LevenbergMarquardt, 1.5).ratio = Some(0.51);
        });
        // GD from 0.6 with limit −1 instead of 1.
        turns_when(&m, assess, "(iv) GD: runs whose limit", |bad| {
            run(bad, Method::GradientDescent, 0.6).limit = -1.0;
        });
        // GD from −0.9 at ratio 0.801: 1e-3 > 3.0002e-5.
        turns_when(&m, assess, "(iv) GD, every w_0", |bad| {
            run(bad, Method::GradientDescent, -0.9).ratio = Some(0.801);
        });
    }
}
