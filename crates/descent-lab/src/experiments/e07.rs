//! E7 — 1-D quadratic: the rate R and the four step-size regimes.
//!
//! `E(w) = ½a(w − w*)²`, gradient descent with `η = x·η_opt`, `η_opt = 1/a`:
//! `w_k − w* = (1 − ηa)^k (w_0 − w*)`, so the distance ratio is `|1 − x|`,
//! the f-gap ratio `(1 − x)²`, and `k* = ⌈ln(1/ε)/ln(1/|1 − x|)⌉`.

use descent_core::Objective;
use descent_gd::GradientDescent;
use descent_problems::Quadratic;

use super::common::{
    MEDIAN_WINDOW, first_below, fixed_length, fmt_count, indexed, iterations_to, max_of,
    measured_regime, median, run, theory_regime,
};
use crate::plot::{Axis, LineChart, Series, Style};
use crate::registry::Experiment;
use crate::report::{Check, Report, Table};
use crate::{fmt_list, fmt_num};

/// The registry entry.
pub(crate) const EXPERIMENT: Experiment = Experiment {
    id: "E7",
    slug: "quadratic-1d-regimes",
    title: "1-D quadratic: the rate R and the four step-size regimes",
    run: || run_with(&Settings::default()),
};

/// Settings of E7 (defaults: the catalogue's).
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
    /// catalogue's ratio check applies literally down to |e_k| = 1e-300.
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

struct RunOutcome {
    ratio: f64,
    a: f64,
    errors: Vec<f64>,
    iterates: Vec<f64>,
    median_rate: f64,
    /// median over the same window of (f(w_{k+1}) − f*)/(f(w_k) − f*)
    median_f_rate: f64,
    k_star: f64,
    /// max over the clean window of |e_{k+1}/e_k − (1 − ηa)|, and the number of ratios
    clean_deviation: (f64, usize),
    /// max over k with |e_k| > 1e-300 of |e_{k+1} − (1−ηa)e_k| / (1e-12|e_k| + 2ε_mach(1 + ηa)·max(|w_k|, |w_{k+1}|, |w*|)), and the count
    rounding_excess: (f64, usize),
}

/// The largest value and how many there were; NaN when there were none, so
/// that a bound check on an empty set fails instead of passing on −∞.
fn max_counted(xs: impl IntoIterator<Item = f64>) -> (f64, usize) {
    let mut count = 0;
    let m = max_of(xs.into_iter().inspect(|_| count += 1));
    (if count == 0 { f64::NAN } else { m }, count)
}

/// The largest of several `(max, count)` pairs and the total count (NaN if none).
fn combine(parts: impl IntoIterator<Item = (f64, usize)>) -> (f64, usize) {
    let mut total = 0;
    let m = max_of(parts.into_iter().filter(|p| p.1 > 0).map(|(m, n)| {
        total += n;
        m
    }));
    (if total == 0 { f64::NAN } else { m }, total)
}

fn run_one(s: &Settings, a: f64, ratio: f64) -> RunOutcome {
    run_centred(s, a, ratio, s.w_star, s.w0)
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
    let r = 1.0 - eta * a;
    let e0 = errors[0].abs();
    let clean_deviation = max_counted(
        errors
            .windows(2)
            .filter(|w| w[0].abs() >= CLEAN_WINDOW * e0)
            .map(|w| (w[1] / w[0] - r).abs()),
    );
    let rounding_excess = max_counted(
        errors
            .windows(2)
            .zip(iterates.iter().skip(1))
            .filter(|(w, _)| w[0].abs() > 1e-300)
            .map(|(w, &w_next)| {
                // two roundings (gradient and update) at the scale of the iterate
                let scale = w_next.abs().max((w[0] + w_star).abs()).max(w_star.abs());
                let bound = 1e-12 * w[0].abs() + 2.0 * f64::EPSILON * scale * (1.0 + eta * a);
                (w[1] - r * w[0]).abs() / bound
            }),
    );
    let ratios: Vec<f64> = errors
        .windows(2)
        .filter(|w| w[0].abs() >= MEDIAN_WINDOW * e0)
        .map(|w| (w[1] / w[0]).abs())
        .collect();
    let median_rate = median(&ratios);
    let f_ratios: Vec<f64> = errors
        .windows(2)
        .zip(gaps.windows(2))
        .filter(|(w, _)| w[0].abs() >= MEDIAN_WINDOW * e0)
        .map(|(_, g)| g[1] / g[0])
        .collect();
    let median_f_rate = median(&f_ratios);
    let abs: Vec<f64> = errors.iter().map(|e| e.abs()).collect();
    let k_star = first_below(&abs, s.epsilon).map_or(f64::INFINITY, |k| k as f64);
    RunOutcome {
        ratio,
        a,
        errors,
        iterates,
        median_rate,
        median_f_rate,
        k_star,
        clean_deviation,
        rounding_excess,
    }
}

/// Run E7.
pub fn run_with(s: &Settings) -> Report {
    let e = &EXPERIMENT;
    let mut report = Report::new(
        e.id,
        e.slug,
        e.title,
        "On a quadratic, gradient descent converges linearly with rate R = |1 − ηE''|: monotonically \
         for η < η_opt = 1/E'', in one step at η_opt, with oscillation up to 2η_opt, with constant \
         oscillation at 2η_opt, and diverges beyond.",
        "lecture notes; F20 lecture 6 chat",
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

    let runs: Vec<Vec<RunOutcome>> = s
        .curvatures
        .iter()
        .map(|&a| s.eta_ratios.iter().map(|&x| run_one(s, a, x)).collect())
        .collect();
    let main = &runs[0];
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

    let mut table = Table::new(
        format!("Theory vs measurement, a = {}", fmt_num(a0)),
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
    for r in main {
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
            theory_regime(r.ratio).to_owned(),
            measured_regime(&r.errors, r.median_rate).to_owned(),
        ]);
    }
    report.tables.push(table);

    let mut header = vec!["η/η_opt".to_owned()];
    for &a in &s.curvatures {
        header.push(format!("k* (a = {})", fmt_num(a)));
        header.push(format!("R measured (a = {})", fmt_num(a)));
    }
    let mut invariance = Table {
        title: "Only ηa matters: the same η/η_opt on other curvatures".to_owned(),
        header,
        rows: Vec::new(),
    };
    for (i, &x) in s.eta_ratios.iter().enumerate() {
        let mut row = vec![fmt_num(x)];
        for runs_a in &runs {
            row.push(fmt_count(runs_a[i].k_star));
            row.push(fmt_num(runs_a[i].median_rate));
        }
        invariance.push(row);
    }
    report.tables.push(invariance);

    // Figures.
    let mut err_chart = LineChart::new(
        format!("|w_k − w*| on E = ½·{}(w − 1)²", fmt_num(a0)),
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
    report.figure(
        "error",
        "Distance to the minimum vs iteration, one line per η (log scale)",
        err_chart.to_svg(),
    );

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
    report.figure(
        "iterates",
        "w_k vs k: monotone, one step, oscillating, constant oscillation, divergence",
        path_chart.to_svg(),
    );

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
    for (runs_a, &a) in runs.iter().zip(&s.curvatures) {
        let pts = runs_a.iter().map(|r| (r.ratio, r.median_rate)).collect();
        rate_chart = rate_chart.with(Series::new(
            format!("measured, a = {}", fmt_num(a)),
            pts,
            Style::Markers,
        ));
    }
    report.figure(
        "rate",
        "Measured rate against the theory curve |1 − η/η_opt|",
        rate_chart.to_svg(),
    );

    // Checks.
    let all = || runs.iter().flatten();
    let (clean, clean_n) = combine(all().map(|r| r.clean_deviation));
    report.check(Check::at_most(
        format!(
            "max over runs and the {clean_n} steps with |e_k| ≥ {}|e_0| of |e_{{k+1}}/e_k − (1 − ηa)|",
            fmt_num(CLEAN_WINDOW)
        ),
        clean,
        1e-12,
    ));
    let (excess, excess_n) = combine(all().map(|r| r.rounding_excess));
    report.check(Check::at_most(
        format!("max over runs and the {excess_n} steps with |e_k| > 1e-300 of |e_{{k+1}} − (1 − ηa)e_k| / (1e-12|e_k| + 2ε_mach(1 + ηa)·max(|w_k|, |w_{{k+1}}|, |w*|))"),
        excess,
        1.0,
    ));
    // The catalogue's check, literally, on runs centred at w* = 0 (no rounding floor).
    let origin: Vec<RunOutcome> = s
        .curvatures
        .iter()
        .flat_map(|&a| s.eta_ratios.iter().map(move |&x| (a, x)))
        .map(|(a, x)| run_centred(s, a, x, 0.0, s.origin_w0))
        .collect();
    let (literal, literal_n) = combine(origin.iter().map(|r| {
        max_counted(
            r.errors
                .windows(2)
                .filter(|w| w[0].abs() > 1e-300)
                .map(|w| (w[1] / w[0] - (1.0 - r.ratio)).abs()),
        )
    }));
    report.check(Check::at_most(
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
    for (runs_a, &a) in runs.iter().zip(&s.curvatures) {
        let measured: Vec<String> = runs_a.iter().map(|r| fmt_count(r.k_star)).collect();
        report.check(Check::equal(
            format!("k* row matches the formula exactly (a = {})", fmt_num(a)),
            measured.join(", "),
            theory_k.join(", "),
        ));
    }
    let at = |x: f64| all().filter(move |r| r.ratio == x);
    report.check(Check::at_most(
        "η = 2η_opt, every a: max_{k ≤ K} ||e_k| − |e_0|| (NaN: no such run)",
        max_counted(at(2.0).flat_map(|r| {
            let e0 = r.errors[0].abs();
            r.errors
                .iter()
                .map(move |e| (e.abs() - e0).abs())
                .collect::<Vec<_>>()
        }))
        .0,
        0.0,
    ));
    report.check(Check::equal(
        "η = 2η_opt: the runs last all K iterations",
        at(2.0).map(|r| r.errors.len() - 1).min().unwrap_or(0),
        s.iterations,
    ));
    report.check(Check::at_most(
        "η = η_opt, every a: max |e_1| (NaN: no such run)",
        max_counted(at(1.0).map(|r| r.errors[1].abs())).0,
        1e-16,
    ));
    let mismatched: Vec<String> = all()
        .filter(|r| theory_regime(r.ratio) != measured_regime(&r.errors, r.median_rate))
        .map(|r| format!("a = {}, η/η_opt = {}", fmt_num(r.a), fmt_num(r.ratio)))
        .collect();
    report.check(Check::equal(
        "measured regime = predicted regime for every run (mismatches)",
        if mismatched.is_empty() {
            "none".to_owned()
        } else {
            mismatched.join("; ")
        },
        "none".to_owned(),
    ));
    report
}
