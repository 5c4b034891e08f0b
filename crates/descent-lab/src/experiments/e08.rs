//! E8 — a generic smooth 1-D function: the local η_opt = 1/f″ is Newton;
//! a fixed η gives a linear rate.
//!
//! `f(w) = e^w − 2w`, `w* = ln 2`, `f″(w*) = f‴(w*) = 2`. Fixed-step GD has
//! `e_{k+1}/e_k → 1 − ηf″(w*) = 1 − 2η`; Newton has `e_{k+1}/e_k² → f‴/(2f″) = ½`.

use descent_gd::GradientDescent;
use descent_newton::Newton;
use descent_problems::one_d::{ExpLinear, OneD, OneDObjective};

use super::common::{fixed_length, indexed, max_of, run};
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

/// The window of |e_{k−1}| in which the GD ratio is measured (catalogue).
const GD_WINDOW: (f64, f64) = (1e-9, 1e-4);
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
    let (f2, f3) = (f.d2e(w_star), f.d2e(w_star)); // f‴ = f″ = e^w for e^w − cw
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
        "The GD ratio is read at the last step with {} < |e_{{k−1}}| < {} (deepest in the window, \
         where the O(e) correction ηf‴e/2 is smallest). Newton's ratios are every e_{{k+1}}/e_k² with \
         {} < |e_k| < {}.",
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
    let mut gd_deviation: f64 = 0.0;
    let mut late_max = Vec::new();
    for &eta in &s.etas {
        let mut obj = OneDObjective(f);
        let mut gd = GradientDescent::new(eta).expect("valid η");
        let path = run(&mut obj, &mut gd, &[s.w0], &fixed_length(s.iterations));
        let errors: Vec<f64> = path.scalars().iter().map(|w| w - w_star).collect();
        let predicted = 1.0 - eta * f2;
        let measured = errors
            .windows(2)
            .filter(|w| GD_WINDOW.0 < w[0].abs() && w[0].abs() < GD_WINDOW.1)
            .map(|w| w[1] / w[0])
            .next_back();
        let late = max_of(errors.iter().skip(4001).map(|e| e.abs()));
        let last = errors.last().copied().unwrap_or(f64::NAN).abs();
        if eta * f2 < 2.0 {
            gd_deviation =
                gd_deviation.max(measured.map_or(f64::INFINITY, |m| (m - predicted).abs()));
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
        .filter(|w| NEWTON_WINDOW.0 < w[0].abs() && w[0].abs() < NEWTON_WINDOW.1)
        .map(|w| w[1] / (w[0] * w[0]))
        .collect();
    let all_newton_ratios: Vec<f64> = errors
        .windows(2)
        .take_while(|w| w[0].abs() > 1e-15)
        .map(|w| w[1] / (w[0] * w[0]))
        .collect();
    let last = errors.last().copied().unwrap_or(f64::NAN).abs();
    table.push(vec![
        "Newton".into(),
        "1/f″(w_k)".into(),
        fmt_num(f3 / (2.0 * f2)),
        newton_ratios.last().map_or("—".into(), |r| fmt_num(*r)),
        fmt_num(last),
        "—".into(),
        (last < 1e-12).to_string(),
    ]);
    report.tables.push(table);
    let mut newton_table = Table::new(
        "Newton: e_{k+1}/e_k² at every step",
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
            "GD with ηf″(w*) < 2: max |measured ratio − (1 − 2η)| (window {} < |e_{{k−1}}| < {})",
            fmt_num(GD_WINDOW.0),
            fmt_num(GD_WINDOW.1)
        ),
        gd_deviation,
        1e-6,
    ));
    for (eta, late) in late_max.iter().filter(|(eta, _)| *eta < 1.2) {
        report.check(Check::greater_than(
            format!(
                "GD η = {}: max_{{k > 4000}} |e_k| (bounded, not converging)",
                fmt_num(*eta)
            ),
            *late,
            1e-3,
        ));
    }
    report.check(Check::equal(
        "Newton: number of ratios in the window",
        newton_ratios.len().min(1),
        1,
    ));
    report.check(Check::in_range(
        format!(
            "Newton: min e_{{k+1}}/e_k² over {} < |e_k| < {}",
            fmt_num(NEWTON_WINDOW.0),
            fmt_num(NEWTON_WINDOW.1)
        ),
        newton_ratios.iter().copied().fold(f64::INFINITY, f64::min),
        0.45,
        0.55,
    ));
    report.check(Check::in_range(
        format!(
            "Newton: max e_{{k+1}}/e_k² over {} < |e_k| < {}",
            fmt_num(NEWTON_WINDOW.0),
            fmt_num(NEWTON_WINDOW.1)
        ),
        max_of(newton_ratios.iter().copied()),
        0.45,
        0.55,
    ));
    report
}
