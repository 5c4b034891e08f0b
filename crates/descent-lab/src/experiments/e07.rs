//! E7 — 1-D quadratic: the rate R and the four step-size regimes.
//!
//! `E(w) = ½a(w − w*)²`, gradient descent with `η = x·η_opt`, `η_opt = 1/a`:
//! `w_k − w* = (1 − ηa)^k (w_0 − w*)`, so the distance ratio is `|1 − x|`,
//! the f-gap ratio `(1 − x)²`, and `k* = ⌈ln(1/ε)/ln(1/|1 − x|)⌉`.

use descent_core::Objective;
use descent_core::analysis::{self, Regime, classify_linear, linear_regime, max_counted, median};
use descent_gd::GradientDescent;
use descent_problems::Quadratic;

use super::common::{
    MEDIAN_WINDOW, first_below, fixed_length, fmt_count, fmt_mismatches, fmt_regime, indexed,
    iterations_to, run,
};
use crate::plot::{Axis, LineChart, Series, Style};
use crate::report::{Check, Report, Table};
use crate::{fmt_list, fmt_num};

super::registry_entry!(
    "E7",
    "quadratic-1d-regimes",
    "1-D quadratic: the rate R and the four step-size regimes"
);

/// Settings of E7 (defaults: the setup of docs/claims.md).
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Curvatures a = E''; the first is the main run, the others show that only ηa matters.
    pub curvatures: Vec<f64>,
    /// The minimiser w*.
    pub w_star: f64,
    /// The start w_0.
    pub w0: f64,
    /// Step sizes as multiples of η_opt = 1/a.
    pub eta_ratios: Vec<f64>,
    /// Iterations per run.
    pub iterations: usize,
    /// The tolerance ε of k* (first k with |e_k| ≤ ε|e_0|).
    pub epsilon: f64,
    /// Start of the extra runs centred at w* = 0 (every a and η/η_opt): there
    /// w_k itself is the error, so it carries no rounding floor of w* and the
    /// ratio check of docs/claims.md applies literally down to |e_k| = 1e-300.
    pub origin_w0: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            curvatures: vec![2.0, 0.5, 10.0],
            w_star: 1.0,
            w0: 0.0,
            eta_ratios: vec![0.25, 0.5, 0.9, 1.0, 1.2, 1.5, 1.9, 1.99, 2.0, 2.01, 2.5],
            iterations: 3000,
            epsilon: 2e-9,
            origin_w0: 1.0,
        }
    }
}

/// Ratios e_{k+1}/e_k are compared with 1 − ηa to 1e-12 only while
/// |e_k| ≥ this · |e_0|: below, the rounding of w_k ≈ w* (ulp(1) = 2.2e-16)
/// is more than 1e-13 of e_k.
const CLEAN_WINDOW: f64 = 1e-3;

/// One gradient-descent run of E7 and what was measured on it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunOutcome {
    /// η/η_opt = ηa.
    pub ratio: f64,
    /// The curvature a.
    pub a: f64,
    /// Signed errors e_k = w_k − w*.
    pub errors: Vec<f64>,
    /// The iterates w_k.
    pub iterates: Vec<f64>,
    /// Median of |e_{k+1}/e_k| over the steps with |e_k| ≥ `MEDIAN_WINDOW`·|e_0|.
    pub median_rate: f64,
    /// Median over the same window of (f(w_{k+1}) − f*)/(f(w_k) − f*).
    pub median_f_rate: f64,
    /// First k with |e_k| ≤ ε|e_0| (∞ if none).
    pub k_star: f64,
    /// The regime read off the errors.
    pub regime: Option<Regime>,
}

/// Everything E7 measured, with the settings it was measured with.
#[derive(Debug, Clone, PartialEq)]
pub struct Measurements {
    /// The settings of the runs.
    pub settings: Settings,
    /// One run per curvature (outer) and η/η_opt (inner); the first curvature is the main run.
    pub runs: Vec<Vec<RunOutcome>>,
    /// The same runs centred at w* = 0 from `origin_w0` (no rounding floor of w*).
    pub origin: Vec<RunOutcome>,
}

/// The largest of several `(max, count)` pairs and the total count (NaN if none).
fn combine(parts: impl IntoIterator<Item = (f64, usize)>) -> (f64, usize) {
    let mut total = 0;
    let m = analysis::max_or_nan(parts.into_iter().filter(|p| p.1 > 0).map(|(m, n)| {
        total += n;
        m
    }));
    (if total == 0 { f64::NAN } else { m }, total)
}

/// max over the steps with |e_k| ≥ `CLEAN_WINDOW`·|e_0| of |e_{k+1}/e_k − (1 − ηa)|, and the count.
fn clean_deviation(r: &RunOutcome) -> (f64, usize) {
    let e0 = r.errors[0].abs();
    max_counted(
        r.errors
            .windows(2)
            .filter(|w| w[0].abs() >= CLEAN_WINDOW * e0)
            .map(|w| (w[1] / w[0] - (1.0 - r.ratio)).abs()),
    )
}

/// max over k with |e_k| > 1e-300 of |e_{k+1} − (1−ηa)e_k| / (1e-12|e_k| +
/// 2ε_mach(1 + ηa)·max(|w_k|, |w_{k+1}|, |w*|)) — the recursion up to two
/// roundings (gradient and update) at the scale of the iterate — and the count.
fn rounding_excess(r: &RunOutcome, w_star: f64) -> (f64, usize) {
    let factor = 1.0 - r.ratio;
    max_counted(
        r.errors
            .windows(2)
            .zip(r.iterates.iter().skip(1))
            .filter(|(w, _)| w[0].abs() > 1e-300)
            .map(|(w, &w_next)| {
                let scale = w_next.abs().max((w[0] + w_star).abs()).max(w_star.abs());
                let bound = 1e-12 * w[0].abs() + 2.0 * f64::EPSILON * scale * (1.0 + r.ratio);
                (w[1] - factor * w[0]).abs() / bound
            }),
    )
}

/// max over k with |e_k| > 1e-300 of |e_{k+1}/e_k − (1 − ηa)|, and the count.
fn literal_deviation(r: &RunOutcome) -> (f64, usize) {
    max_counted(
        r.errors
            .windows(2)
            .filter(|w| w[0].abs() > 1e-300)
            .map(|w| (w[1] / w[0] - (1.0 - r.ratio)).abs()),
    )
}

fn run_centred(s: &Settings, a: f64, ratio: f64, w_star: f64, w0: f64) -> RunOutcome {
    let mut problem = Quadratic::one_d(a, w_star).expect("valid quadratic");
    let eta = ratio / a;
    let mut gd = GradientDescent::new(eta).expect("valid η");
    let path = run(&mut problem, &mut gd, &[w0], &fixed_length(s.iterations));
    let iterates = path.scalars();
    let errors: Vec<f64> = iterates.iter().map(|w| w - w_star).collect();
    let f_star = problem.value(&[w_star]);
    let gaps: Vec<f64> = iterates
        .iter()
        .map(|&w| problem.value(&[w]) - f_star)
        .collect();
    let e0 = errors[0].abs();
    let in_window = |w: &&[f64]| w[0].abs() >= MEDIAN_WINDOW * e0;
    let ratios: Vec<f64> = errors
        .windows(2)
        .filter(in_window)
        .map(|w| (w[1] / w[0]).abs())
        .collect();
    let f_ratios: Vec<f64> = errors
        .windows(2)
        .zip(gaps.windows(2))
        .filter(|(w, _)| in_window(w))
        .map(|(_, g)| g[1] / g[0])
        .collect();
    let abs: Vec<f64> = errors.iter().map(|e| e.abs()).collect();
    RunOutcome {
        ratio,
        a,
        median_rate: median(&ratios),
        median_f_rate: median(&f_ratios),
        k_star: first_below(&abs, s.epsilon).map_or(f64::INFINITY, |k| k as f64),
        regime: classify_linear(&errors, MEDIAN_WINDOW),
        errors,
        iterates,
    }
}

/// Run every (a, η/η_opt) pair of the settings, from w_0 towards w* and
/// centred at w* = 0.
pub fn measure(s: &Settings) -> Measurements {
    let pairs = || {
        s.curvatures
            .iter()
            .flat_map(|&a| s.eta_ratios.iter().map(move |&x| (a, x)))
    };
    Measurements {
        settings: s.clone(),
        runs: s
            .curvatures
            .iter()
            .map(|&a| {
                s.eta_ratios
                    .iter()
                    .map(|&x| run_centred(s, a, x, s.w_star, s.w0))
                    .collect()
            })
            .collect(),
        origin: pairs()
            .map(|(a, x)| run_centred(s, a, x, 0.0, s.origin_w0))
            .collect(),
    }
}

/// The regime the lecture predicts for η/η_opt = x: that of e_{k+1} = (1 − x)e_k.
fn predicted_regime(x: f64) -> Option<Regime> {
    linear_regime(1.0 - x)
}

/// Run E7: measure, assess, present.
pub fn run_with(s: &Settings) -> Report {
    let m = measure(s);
    let checks = assess(&m);
    present(&m, checks)
}

/// The checks of E7, judged from the measurements alone.
pub fn assess(m: &Measurements) -> Vec<Check> {
    let s = &m.settings;
    let all = || m.runs.iter().flatten();
    let mut checks = Vec::new();
    let (clean, clean_n) = combine(all().map(clean_deviation));
    checks.push(Check::at_most(
        format!(
            "max over runs and the {clean_n} steps with |e_k| ≥ {}|e_0| of |e_{{k+1}}/e_k − (1 − ηa)|",
            fmt_num(CLEAN_WINDOW)
        ),
        clean,
        1e-12,
    ));
    let (excess, excess_n) = combine(all().map(|r| rounding_excess(r, s.w_star)));
    checks.push(Check::at_most(
        format!("max over runs and the {excess_n} steps with |e_k| > 1e-300 of |e_{{k+1}} − (1 − ηa)e_k| / (1e-12|e_k| + 2ε_mach(1 + ηa)·max(|w_k|, |w_{{k+1}}|, |w*|))"),
        excess,
        1.0,
    ));
    // The ratio check literally, on runs centred at w* = 0 (no rounding floor).
    let (literal, literal_n) = combine(m.origin.iter().map(literal_deviation));
    checks.push(Check::at_most(
        format!(
            "w* = 0, w_0 = {}, every a and η: max over the {literal_n} steps with |e_k| > 1e-300 of |e_{{k+1}}/e_k − (1 − ηa)|",
            fmt_num(s.origin_w0)
        ),
        literal,
        1e-12,
    ));
    let theory_k: Vec<String> = s
        .eta_ratios
        .iter()
        .map(|&x| fmt_count(iterations_to(s.epsilon, (1.0 - x).abs())))
        .collect();
    for (runs_a, &a) in m.runs.iter().zip(&s.curvatures) {
        let measured: Vec<String> = runs_a.iter().map(|r| fmt_count(r.k_star)).collect();
        checks.push(Check::equal(
            format!("k* row matches the formula exactly (a = {})", fmt_num(a)),
            measured.join(", "),
            theory_k.join(", "),
        ));
    }
    let at = |x: f64| all().filter(move |r| r.ratio == x);
    checks.push(Check::at_most(
        "η = 2η_opt, every a: max_{k ≤ K} ||e_k| − |e_0|| (NaN: no such run)",
        max_counted(at(2.0).flat_map(|r| {
            let e0 = r.errors[0].abs();
            r.errors.iter().map(move |e| (e.abs() - e0).abs())
        }))
        .0,
        0.0,
    ));
    checks.push(
        Check::equal(
            "η = 2η_opt: the runs last all K iterations",
            at(2.0).map(|r| r.errors.len() - 1).min().unwrap_or(0),
            s.iterations,
        )
        .consistency(),
    );
    checks.push(Check::at_most(
        "η = η_opt, every a: max |e_1| (NaN: no such run)",
        max_counted(at(1.0).map(|r| r.errors[1].abs())).0,
        1e-16,
    ));
    let mismatched: Vec<String> = all()
        .filter(|r| predicted_regime(r.ratio) != r.regime)
        .map(|r| format!("a = {}, η/η_opt = {}", fmt_num(r.a), fmt_num(r.ratio)))
        .collect();
    checks.push(Check::equal(
        "measured regime = predicted regime for every run (mismatches)",
        fmt_mismatches(&mismatched),
        "none".to_owned(),
    ));
    checks
}

/// The report of E7 from its measurements and checks.
fn present(m: &Measurements, checks: Vec<Check>) -> Report {
    let s = &m.settings;
    let mut report = Report::for_experiment(
        &EXPERIMENT,
        "On a quadratic, gradient descent converges linearly with rate R = |1 − ηE''|: monotonically \
         for η < η_opt = 1/E'', in one step at η_opt, with oscillation up to 2η_opt, with constant \
         oscillation at 2η_opt, and diverges beyond.",
        "lecture, gradient descent on a quadratic",
    );
    report.setup("E(w)", format!("½a(w − w*)², w* = {}", fmt_num(s.w_star)));
    report.setup("w_0", fmt_num(s.w0));
    report.setup("a = E'' (first: main run)", fmt_list(&s.curvatures));
    report.setup("η/η_opt", fmt_list(&s.eta_ratios));
    report.setup(
        "optimiser",
        "descent_gd::GradientDescent, fixed η = (η/η_opt)/a",
    );
    report.setup("iterations", s.iterations.to_string());
    report.setup("ε (k*: first k with |e_k| ≤ ε|e_0|)", fmt_num(s.epsilon));
    let a0 = s.curvatures[0];
    report.note(format!(
        "Theory: w_k − w* = (1 − ηa)^k (w_0 − w*); R_dist = |1 − ηa|, R_f = (1 − ηa)², \
         k* = ⌈ln(1/ε)/ln(1/|1 − ηa|)⌉; the error changes sign at every step iff η > η_opt. \
         For a = {}, η_opt = {}.",
        fmt_num(a0),
        fmt_num(1.0 / a0)
    ));
    report.note(format!(
        "Measured R (R_dist) is the median of |e_{{k+1}}/e_k|, measured R_f the median of \
         (f(w_{{k+1}}) − f*)/(f(w_k) − f*) (values from the objective), over the steps with |e_k| ≥ {}·|e_0|; the \
         ratio check to 1e-12 uses the steps with |e_k| ≥ {}·|e_0|, where the rounding of \
         w_k ≈ w* (half an ulp of 1, 1.1e-16) is below 1e-13 of e_k. Over all steps down to \
         1e-300 the recursion is checked to 1e-12·|e_k| plus two roundings (gradient and update) at the scale of the iterate.",
        fmt_num(MEDIAN_WINDOW),
        fmt_num(CLEAN_WINDOW)
    ));
    report.tables.push(theory_table(m));
    report.tables.push(invariance_table(m));
    for (stem, caption, svg) in figures(m) {
        report.figure(stem, caption, svg);
    }
    report.checks(checks);
    report
}

fn theory_table(m: &Measurements) -> Table {
    let s = &m.settings;
    let mut table = Table::new(
        format!("Theory vs measurement, a = {}", fmt_num(s.curvatures[0])),
        &[
            "η/η_opt",
            "η",
            "R_dist theory",
            "R_dist measured",
            "R_f theory",
            "R_f measured",
            "k* theory",
            "k* measured",
            "regime (theory)",
            "regime (measured)",
        ],
    );
    for r in &m.runs[0] {
        let rate = (1.0 - r.ratio).abs();
        table.push(vec![
            fmt_num(r.ratio),
            fmt_num(r.ratio / r.a),
            fmt_num(rate),
            fmt_num(r.median_rate),
            fmt_num(rate * rate),
            fmt_num(r.median_f_rate),
            fmt_count(iterations_to(s.epsilon, rate)),
            fmt_count(r.k_star),
            fmt_regime(predicted_regime(r.ratio)),
            fmt_regime(r.regime),
        ]);
    }
    table
}

fn invariance_table(m: &Measurements) -> Table {
    let s = &m.settings;
    let mut header = vec!["η/η_opt".to_owned()];
    for &a in &s.curvatures {
        header.push(format!("k* (a = {})", fmt_num(a)));
        header.push(format!("R measured (a = {})", fmt_num(a)));
    }
    let mut table = Table {
        title: "Only ηa matters: the same η/η_opt on other curvatures".to_owned(),
        header,
        rows: Vec::new(),
    };
    for (i, &x) in s.eta_ratios.iter().enumerate() {
        let mut row = vec![fmt_num(x)];
        for runs_a in &m.runs {
            row.push(fmt_count(runs_a[i].k_star));
            row.push(fmt_num(runs_a[i].median_rate));
        }
        table.push(row);
    }
    table
}

fn figures(m: &Measurements) -> Vec<(&'static str, &'static str, String)> {
    let s = &m.settings;
    let main = &m.runs[0];
    let mut err_chart = LineChart::new(
        format!("|w_k − w*| on E = ½·{}(w − 1)²", fmt_num(s.curvatures[0])),
        Axis::linear("iteration k").range(0.0, 200.0),
        Axis::log("|w_k − w*|").range(1e-16, 1e8),
    );
    for r in main {
        let abs: Vec<f64> = r.errors.iter().map(|e| e.abs()).collect();
        err_chart = err_chart.with(Series::line(
            format!("η = {}·η_opt", fmt_num(r.ratio)),
            indexed(&abs),
        ));
    }
    let mut path_chart = LineChart::new(
        "Iterates w_k",
        Axis::linear("iteration k").range(0.0, 20.0),
        Axis::linear("w_k").range(-2.0, 4.0),
    );
    for r in main
        .iter()
        .filter(|r| [0.5, 1.0, 1.5, 2.0, 2.5].contains(&r.ratio))
    {
        path_chart = path_chart.with(Series::new(
            format!("η = {}·η_opt", fmt_num(r.ratio)),
            indexed(&r.iterates),
            Style::LineMarkers,
        ));
    }
    let theory_curve: Vec<(f64, f64)> = (0..=300)
        .map(|i| i as f64 / 100.0)
        .map(|x| (x, (1.0 - x).abs()))
        .collect();
    let mut rate_chart = LineChart::new(
        "Rate R vs η/η_opt",
        Axis::linear("η/η_opt"),
        Axis::linear("R = |e_{k+1}/e_k|"),
    )
    .with(Series::new(
        "theory |1 − η/η_opt|",
        theory_curve,
        Style::Dashed,
    ));
    for (runs_a, &a) in m.runs.iter().zip(&s.curvatures) {
        let pts = runs_a.iter().map(|r| (r.ratio, r.median_rate)).collect();
        rate_chart = rate_chart.with(Series::new(
            format!("measured, a = {}", fmt_num(a)),
            pts,
            Style::Markers,
        ));
    }
    vec![
        (
            "error",
            "Distance to the minimum vs iteration, one line per η (log scale)",
            err_chart.to_svg(),
        ),
        (
            "iterates",
            "w_k vs k: monotone, one step, oscillating, constant oscillation, divergence",
            path_chart.to_svg(),
        ),
        (
            "rate",
            "Measured rate against the theory curve |1 − η/η_opt|",
            rate_chart.to_svg(),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use descent_core::analysis::Regime;

    use super::{Settings, assess, measure};
    use crate::experiments::common::perturb::turns;

    /// Every claim check of E7 turns when its measurement is perturbed.
    #[test]
    fn checks_can_fail() {
        let m = measure(&Settings::default());
        let before = assess(&m);

        // One error of the η = 0.25·η_opt run off by one part in 10⁹: the
        // ratio e_{k+1}/e_k moves by ~1e-9 ≫ 1e-12.
        let mut bad = m.clone();
        bad.runs[0][0].errors[3] *= 1.0 + 1e-9;
        turns(&before, &assess(&bad), "|e_k| ≥ 0.001|e_0| of");

        // The same on a run centred at w* = 0 (the literal ratio check).
        let mut bad = m.clone();
        bad.origin[0].errors[100] *= 1.0 + 1e-9;
        turns(&before, &assess(&bad), "w* = 0, w_0 = 1, every a and η");

        // A run read as oscillating where the theory says monotone.
        let mut bad = m.clone();
        bad.runs[1][0].regime = Some(Regime::ConvergingWithOscillation);
        turns(&before, &assess(&bad), "measured regime = predicted regime");

        // A one-step run that left a residual of 1e-15 > 1e-16.
        let mut bad = m.clone();
        let one = bad.runs[0].iter().position(|r| r.ratio == 1.0).unwrap();
        bad.runs[0][one].errors[1] = 1e-15;
        turns(&before, &assess(&bad), "η = η_opt, every a: max |e_1|");

        // k* one iteration later than ⌈ln(1/ε)/ln(1/|1 − ηa|)⌉ (a = 10, η = 1.2η_opt).
        let mut bad = m.clone();
        bad.runs[2][4].k_star += 1.0;
        turns(
            &before,
            &assess(&bad),
            "k* row matches the formula exactly (a = 10)",
        );

        // A setting: at η = 2η_opt the amplitude must stay |e_0|; a run at
        // 2.02·η_opt read as if it were 2η_opt grows by 1.01^k.
        let mut bad = m.clone();
        let two = bad.runs[0].iter().position(|r| r.ratio == 2.0).unwrap();
        let grow = measure(&Settings {
            curvatures: vec![2.0],
            eta_ratios: vec![2.02],
            ..Settings::default()
        });
        bad.runs[0][two].errors = grow.runs[0][0].errors.clone();
        turns(&before, &assess(&bad), "η = 2η_opt, every a: max_{k ≤ K}");
    }
}
