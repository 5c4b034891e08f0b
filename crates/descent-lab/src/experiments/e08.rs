//! E8 — a generic smooth 1-D function: the local η_opt = 1/f″ is Newton;
//! a fixed η gives a linear rate.
//!
//! `f(w) = e^w − 2w`, `w* = ln 2`, `f″(w*) = f‴(w*) = 2`. Fixed-step GD has
//! `e_{k+1}/e_k → 1 − ηf″(w*) = 1 − 2η`; Newton has `e_{k+1}/e_k² → f‴/(2f″) = ½`.

use descent_gd::GradientDescent;
use descent_newton::Newton;
use descent_problems::one_d::{ExpLinear, OneD, OneDObjective};

use descent_core::analysis::{max_or_nan as max_of, median};

use super::common::{fixed_length, indexed, run};
use crate::plot::{Axis, LineChart, Series, Style};
use crate::registry::Experiment;
use crate::report::{Check, Report, Table};
use crate::{ROUNDOFF_FLOOR, fmt_below, fmt_list, fmt_num};

/// The registry entry.
pub(crate) const EXPERIMENT: Experiment = Experiment {
    id: "E8",
    slug: "generic-1d-newton",
    title: "Generic 1-D function: the local η_opt = 1/f″ is Newton",
    run: || run_with(&Settings::default()),
};

/// Settings of E8 (defaults: the catalogue's).
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// c in f(w) = e^w − c w.
    pub c: f64,
    /// The start.
    pub w0: f64,
    /// Fixed step sizes of gradient descent.
    pub etas: Vec<f64>,
    /// GD iterations.
    pub iterations: usize,
    /// Newton iterations.
    pub newton_iterations: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            c: 2.0,
            w0: 0.0,
            etas: vec![0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1.01, 1.1, 1.5],
            iterations: 5000,
            newton_iterations: 12,
        }
    }
}

/// The window of |e_{k−1}| in which the GD ratio is measured (the median over
/// it). Inside the catalogue's 1e-9..1e-4 but away from both ends: above, the
/// O(e) term ηf‴e/2 of the ratio exceeds 1e-7; below 1e-8, one ulp of
/// e^w (4.4e-16 near 2) moves e_{k+1} by ≳ 4e-8 relative, and at 1e-9 by 10×
/// more, so the ratio there is rounding.
const GD_WINDOW: (f64, f64) = (1e-8, 1e-6);
/// The GD step sizes at which w* is unstable yet the iterate stays bounded
/// (catalogue: |e_k| > 1e-3 for some k > 4000).
const BOUNDED_ETAS: [f64; 2] = [1.01, 1.1];

/// f‴(w) of f(w) = e^w − cw: d³/dw³ (e^w − cw) = e^w. A local closed form
/// (descent-problems' `OneD` has derivatives up to the second only); the
/// report cross-checks it against a central difference of `d2e`.
fn third_derivative(w: f64) -> f64 {
    w.exp()
}

/// The largest value, NaN if there is none (a check over no runs fails) or any is NaN.
fn worst(xs: &[f64]) -> f64 {
    if xs.is_empty() || xs.iter().any(|x| x.is_nan()) {
        f64::NAN
    } else {
        xs.iter().copied().fold(f64::NEG_INFINITY, f64::max)
    }
}
/// The window of |e_k| in which Newton's e_{k+1}/e_k² is measured (catalogue).
const NEWTON_WINDOW: (f64, f64) = (1e-7, 1e-2);

/// Run E8.
pub fn run_with(s: &Settings) -> Report {
    let e = &EXPERIMENT;
    let mut report = Report::new(
        e.id,
        e.slug,
        e.title,
        "For a non-quadratic function the optimal step is the inverse second derivative at the \
         current point — Newton's method, optimal only for the local quadratic model — while a \
         fixed η converges linearly with ratio 1 − ηf″(w*).",
        "lecture notes; F20 lecture 6 chat (\"second derivative inverse\", \"only in this quadratic case\")",
    );
    let f = ExpLinear::new(s.c).expect("valid c");
    let w_star = f.minimizer();
    let (f2, f3) = (f.d2e(w_star), third_derivative(w_star));
    // Central difference of f″ with h = 1e-4: truncation h²f⁗/6 ≈ 3.3e-9, rounding ≈ ulp(2)/h ≈ 4.4e-12.
    let h = 1e-4;
    let f3_difference = (f.d2e(w_star + h) - f.d2e(w_star - h)) / (2.0 * h);
    // Newton's table stops where |e_{k+1}| reaches the rounding of w* (1000 ulps).
    let ulp = f64::from_bits(w_star.to_bits() + 1) - w_star;
    let newton_floor = 1e3 * ulp;
    report.setup("f(w)", OneD::name(&f));
    report.setup(
        "w* = ln c, f″(w*), f‴(w*)",
        format!("{}, {}, {}", fmt_num(w_star), fmt_num(f2), fmt_num(f3)),
    );
    report.setup("w_0", fmt_num(s.w0));
    report.setup("GD step sizes η", fmt_list(&s.etas));
    report.setup("GD iterations", s.iterations.to_string());
    report.setup(
        "Newton",
        format!(
            "descent_newton::Newton::pure() (η = 1), {} iterations",
            s.newton_iterations
        ),
    );
    report.note(format!(
        "Theory: fixed η gives e_{{k+1}}/e_k → 1 − ηf″(w*) = 1 − {}η; w* is unstable for η > 2/f″(w*) = {}. \
         Newton gives e_{{k+1}}/e_k² → f‴/(2f″) = {}.",
        fmt_num(f2),
        fmt_num(2.0 / f2),
        fmt_num(f3 / (2.0 * f2))
    ));
    report.note(format!(
        "The GD ratio is the median of e_k/e_{{k−1}} over the steps with {} ≤ |e_{{k−1}}| ≤ {} (the O(e) \
         correction ηf‴e/2 is below 1e-6 there, and the rounding of e^w near w* is below 1e-7 relative). \
         Newton's ratios are every e_{{k+1}}/e_k² with {} < |e_k| < {} whose e_{{k+1}} is above \
         1000·ulp(w*) (below it e_{{k+1}} is rounding: one ulp is 0.1% of 1.1e-13).",
        fmt_num(GD_WINDOW.0),
        fmt_num(GD_WINDOW.1),
        fmt_num(NEWTON_WINDOW.0),
        fmt_num(NEWTON_WINDOW.1)
    ));

    let mut table = Table::new(
        "Asymptotic ratios",
        &[
            "method",
            "η",
            "ratio predicted",
            "ratio measured",
            "final |e_K|",
            "max |e_k|, k > 4000",
            "converged (|e_K| < 1e-12)",
        ],
    );
    let mut chart = LineChart::new(
        "|w_k − w*| for f(w) = e^w − 2w",
        Axis::linear("iteration k").range(0.0, 60.0),
        Axis::log("|w_k − w*|").range(1e-17, 10.0),
    );
    let mut gd_deviation = Vec::new();
    let mut late_max = Vec::new();
    for &eta in &s.etas {
        let mut obj = OneDObjective(f);
        let mut gd = GradientDescent::new(eta).expect("valid η");
        let path = run(&mut obj, &mut gd, &[s.w0], &fixed_length(s.iterations));
        let errors: Vec<f64> = path.scalars().iter().map(|w| w - w_star).collect();
        let predicted = 1.0 - eta * f2;
        let ratios: Vec<f64> = errors
            .windows(2)
            .filter(|w| GD_WINDOW.0 <= w[0].abs() && w[0].abs() <= GD_WINDOW.1)
            .map(|w| w[1] / w[0])
            .collect();
        let measured = (!ratios.is_empty()).then(|| median(&ratios));
        let late = max_of(errors.iter().skip(4001).map(|e| e.abs()));
        let last = errors.last().copied().unwrap_or(f64::NAN).abs();
        if eta * f2 < 2.0 {
            gd_deviation.push(measured.map_or(f64::INFINITY, |m| (m - predicted).abs()));
        } else {
            late_max.push((eta, late));
        }
        table.push(vec![
            "GD".into(),
            fmt_num(eta),
            fmt_num(predicted),
            measured.map_or("—".into(), fmt_num),
            fmt_below(last, ROUNDOFF_FLOOR),
            fmt_below(late, ROUNDOFF_FLOOR),
            (last < 1e-12).to_string(),
        ]);
        if [0.1, 0.5, 0.9, 0.99, 1.01].contains(&eta) {
            let abs: Vec<f64> = errors.iter().map(|e| e.abs()).collect();
            chart = chart.with(Series::line(
                format!("GD η = {}", fmt_num(eta)),
                indexed(&abs),
            ));
        }
    }

    let mut obj = OneDObjective(f);
    let mut newton = Newton::pure();
    let path = run(
        &mut obj,
        &mut newton,
        &[s.w0],
        &fixed_length(s.newton_iterations),
    );
    let errors: Vec<f64> = path.scalars().iter().map(|w| w - w_star).collect();
    let newton_ratios: Vec<f64> = errors
        .windows(2)
        .filter(|w| {
            NEWTON_WINDOW.0 < w[0].abs()
                && w[0].abs() < NEWTON_WINDOW.1
                && w[1].abs() >= newton_floor
        })
        .map(|w| w[1] / (w[0] * w[0]))
        .collect();
    let all_newton_ratios: Vec<f64> = errors
        .windows(2)
        .take_while(|w| w[1].abs() >= newton_floor)
        .map(|w| w[1] / (w[0] * w[0]))
        .collect();
    let last = errors.last().copied().unwrap_or(f64::NAN).abs();
    table.push(vec![
        "Newton".into(),
        "1/f″(w_k)".into(),
        fmt_num(f3 / (2.0 * f2)),
        newton_ratios.last().map_or("—".into(), |r| fmt_num(*r)),
        fmt_below(last, ROUNDOFF_FLOOR),
        "—".into(),
        (last < 1e-12).to_string(),
    ]);
    report.tables.push(table);
    let mut newton_table = Table::new(
        format!(
            "Newton: e_{{k+1}}/e_k² at every step while |e_{{k+1}}| ≥ 1000·ulp(w*) = {}",
            fmt_num(newton_floor)
        ),
        &["k", "|e_k|", "e_{k+1}/e_k²"],
    );
    for (k, r) in all_newton_ratios.iter().enumerate() {
        newton_table.push(vec![k.to_string(), fmt_num(errors[k].abs()), fmt_num(*r)]);
    }
    report.tables.push(newton_table);
    let abs: Vec<f64> = errors.iter().map(|e| e.abs()).collect();
    chart = chart.with(Series::new("Newton", indexed(&abs), Style::LineMarkers));
    report.figure(
        "error",
        "log|e_k| vs k: straight lines for fixed η (linear rate), a bending curve for Newton (quadratic)",
        chart.to_svg(),
    );

    report.check(Check::at_most(
        format!(
            "GD with ηf″(w*) < 2: max |median ratio − (1 − 2η)| (window {} ≤ |e_{{k−1}}| ≤ {}; NaN: no such run)",
            fmt_num(GD_WINDOW.0),
            fmt_num(GD_WINDOW.1)
        ),
        worst(&gd_deviation),
        1e-6,
    ));
    for eta in BOUNDED_ETAS {
        // NaN (the check fails) if the settings did not run this η.
        let late = late_max
            .iter()
            .find(|(e, _)| *e == eta)
            .map_or(f64::NAN, |(_, late)| *late);
        report.check(Check::greater_than(
            format!(
                "GD η = {}: max_{{k > 4000}} |e_k| (bounded, not converging)",
                fmt_num(eta)
            ),
            late,
            1e-3,
        ));
    }
    report.check(Check::at_most(
        "f‴(w*) = e^{w*} (closed form) vs central difference of f″ (h = 1e-4): |difference|",
        (f3 - f3_difference).abs(),
        1e-7,
    ));
    report.check(Check::equal(
        "Newton: number of ratios in the window",
        newton_ratios.len().min(1),
        1,
    ));
    report.check(Check::in_range(
        format!(
            "Newton: min e_{{k+1}}/e_k² over {} < |e_k| < {}, |e_{{k+1}}| ≥ 1000 ulp(w*)",
            fmt_num(NEWTON_WINDOW.0),
            fmt_num(NEWTON_WINDOW.1)
        ),
        newton_ratios.iter().copied().fold(f64::INFINITY, f64::min),
        0.45,
        0.55,
    ));
    report.check(Check::in_range(
        format!(
            "Newton: max e_{{k+1}}/e_k² over {} < |e_k| < {}, |e_{{k+1}}| ≥ 1000 ulp(w*)",
            fmt_num(NEWTON_WINDOW.0),
            fmt_num(NEWTON_WINDOW.1)
        ),
        max_of(newton_ratios.iter().copied()),
        0.45,
        0.55,
    ));
    report
}
