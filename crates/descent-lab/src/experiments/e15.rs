//! E15 — η > 2η_opt can escape a sharp local minimum.
//!
//! `f(w) = 0.05(w − 4)² − 0.5·exp(−w²/(2·0.2²))`: a sharp local minimum near 0
//! (`2/f″ ≈ 0.165`) and a flat global minimum at 4 (`2/f″ = 20`).

use descent_core::Termination;
use descent_gd::GradientDescent;
use descent_problems::one_d::{OneD, OneDObjective, SharpWideWell};
use descent_problems::surfaces::CriticalKind;

use super::common::{fixed_length, run};
use crate::plot::{Axis, LineChart, Series, Style};
use crate::registry::Experiment;
use crate::report::{Check, Report, Table};
use crate::{fmt_list, fmt_num};

/// The registry entry.
pub(crate) const EXPERIMENT: Experiment = Experiment {
    id: "E15",
    slug: "escape-sharp-minimum",
    title: "η > 2η_opt can escape a sharp local minimum",
    run: || run_with(&Settings::default()),
};

/// Settings of E15 (defaults: the catalogue's).
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Offset of the start from the sharp minimum.
    pub offset: f64,
    /// Iterations.
    pub iterations: usize,
    /// Step sizes.
    pub etas: Vec<f64>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            offset: 1e-3,
            iterations: 20_000,
            etas: vec![
                0.05, 0.1, 0.15, 0.16, 0.165, 0.17, 0.2, 0.25, 0.3, 0.32, 0.34, 0.4, 0.5, 1.0, 2.0,
                5.0, 10.0, 15.0, 19.0, 21.0,
            ],
        }
    }
}

fn classify(path: &[f64], diverged: bool, w_loc: f64, w_glob: f64) -> String {
    let last = *path.last().expect("at least x0");
    if diverged || last.abs() > 1e6 {
        return "diverged".into();
    }
    if (last - w_loc).abs() < 1e-9 {
        return "local".into();
    }
    if (last - w_glob).abs() < 1e-9 {
        return "global".into();
    }
    let n = path.len();
    for p in 1..=64.min(n - 1) {
        if (1..=p.max(8)).all(|j| j + p < n && (path[n - j] - path[n - j - p]).abs() < 1e-9) {
            return format!("cycle({p})");
        }
    }
    "bounded, irregular".into()
}

/// Run E15.
pub fn run_with(s: &Settings) -> Report {
    let e = &EXPERIMENT;
    let mut report = Report::new(
        e.id,
        e.slug,
        e.title,
        "A learning rate above 2η_opt of a sharp local minimum makes it unstable, so GD may escape \
         to a flatter (here global) minimum that is still stable at that η.",
        "lecture notes",
    );
    let f = SharpWideWell::default();
    let minima: Vec<_> = f
        .critical_points()
        .into_iter()
        .filter(|p| p.kind == CriticalKind::Minimum)
        .collect();
    let w_loc = minima
        .iter()
        .map(|p| p.x[0])
        .fold(f64::INFINITY, |a, b| if b.abs() < a.abs() { b } else { a });
    let w_glob = minima
        .iter()
        .map(|p| p.x[0])
        .fold(f64::NEG_INFINITY, f64::max);
    let (c_loc, c_glob) = (f.d2e(w_loc), f.d2e(w_glob));
    report.setup("f(w)", OneD::name(&f));
    report.setup(
        "w_loc, f(w_loc), f″(w_loc)",
        format!(
            "{}, {}, {}",
            fmt_num(w_loc),
            fmt_num(f.e(w_loc)),
            fmt_num(c_loc)
        ),
    );
    report.setup(
        "w_glob, f″(w_glob)",
        format!("{}, {}", fmt_num(w_glob), fmt_num(c_glob)),
    );
    report.setup("w_0", format!("w_loc + {}", fmt_num(s.offset)));
    report.setup("iterations", s.iterations.to_string());
    report.setup("η", fmt_list(&s.etas));
    report.setup("optimiser", "descent_gd::GradientDescent, fixed η");
    report.note(format!(
        "Theory: w_loc is linearly stable iff η < 2/f″(w_loc) = {}; w_glob iff η < 2/f″(w_glob) = {}. \
         The escape threshold itself depends on w_0 and has no closed form.",
        fmt_num(2.0 / c_loc),
        fmt_num(2.0 / c_glob)
    ));
    report.note("Final state: local/global if |w_K − w_min| < 1e-9; cycle(p) if the last iterates repeat with period p ≤ 64 to 1e-9; diverged if the run diverged or |w| > 1e6.");

    let mut table = Table::new(
        "Final state by η",
        &[
            "η",
            "η·f″(w_loc)/2",
            "η·f″(w_glob)/2",
            "final state",
            "final w",
        ],
    );
    let mut finals = Vec::new();
    let mut tails = Vec::new();
    for &eta in &s.etas {
        let mut obj = OneDObjective(f);
        let path = run(
            &mut obj,
            &mut GradientDescent::new(eta).expect("valid η"),
            &[w_loc + s.offset],
            &fixed_length(s.iterations),
        );
        let diverged = matches!(path.result.termination, Termination::Diverged { .. });
        let ws = path.scalars();
        let state = classify(&ws, diverged, w_loc, w_glob);
        let last = *ws.last().expect("x0");
        table.push(vec![
            fmt_num(eta),
            fmt_num(eta * c_loc / 2.0),
            fmt_num(eta * c_glob / 2.0),
            state.clone(),
            fmt_num(last),
        ]);
        for w in ws.iter().rev().take(16) {
            tails.push((eta, *w));
        }
        finals.push((eta, state, last));
    }
    report.tables.push(table);
    let chart = LineChart::new(
        "Final iterates (last 16) vs η",
        Axis::log("η"),
        // Headroom above the wide well (w = 4) keeps the legend off the points.
        Axis::linear("w").range(-1.0, 6.5),
    )
    .with(Series::new("last 16 iterates", tails, Style::Markers))
    .with_vertical_line(
        2.0 / c_loc,
        format!("2/f″(w_loc) = {}", fmt_num(2.0 / c_loc)),
    )
    .with_vertical_line(
        2.0 / c_glob,
        format!("2/f″(w_glob) = {}", fmt_num(2.0 / c_glob)),
    );
    report.figure("basins", "Where GD ends vs η (log axis): sharp well, oscillation in it, escape to the wide well, divergence", chart.to_svg());

    let list = |set: &[f64], f: &dyn Fn(&(f64, String, f64)) -> bool| {
        let bad: Vec<String> = finals
            .iter()
            .filter(|x| set.contains(&x.0))
            .filter(|x| !f(x))
            .map(|(eta, st, _)| format!("η = {} ({st})", fmt_num(*eta)))
            .collect();
        if bad.is_empty() {
            "none".to_owned()
        } else {
            bad.join("; ")
        }
    };
    report.check(Check::equal(
        "local (|w − w_loc| < 1e-9) for η ∈ {0.05, 0.1, 0.15, 0.16}: exceptions",
        list(&[0.05, 0.1, 0.15, 0.16], &|x| (x.2 - w_loc).abs() < 1e-9),
        "none".into(),
    ));
    report.check(Check::equal(
        "not converged to w_loc for η ∈ {0.17, 0.2}: exceptions",
        list(&[0.17, 0.2], &|x| (x.2 - w_loc).abs() >= 1e-9),
        "none".into(),
    ));
    report.check(Check::equal(
        "global (|w − 4| < 1e-9) for η ∈ {0.5, 1, 2, 5, 10, 15, 19}: exceptions",
        list(&[0.5, 1.0, 2.0, 5.0, 10.0, 15.0, 19.0], &|x| {
            (x.2 - w_glob).abs() < 1e-9
        }),
        "none".into(),
    ));
    report.check(Check::greater_than(
        "η = 21: |w| at the end (last finite iterate)",
        finals
            .iter()
            .filter(|x| x.0 == 21.0)
            .map(|x| x.2.abs())
            .fold(0.0, f64::max),
        1e6,
    ));
    report.check(Check::within("2/f″(w_loc)", 2.0 / c_loc, 0.165010, 1e-5));
    report.check(Check::within("2/f″(w_glob)", 2.0 / c_glob, 20.0, 1e-5));
    report
}
