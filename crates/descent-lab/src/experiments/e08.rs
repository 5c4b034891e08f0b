//! E8 — a generic smooth 1-D function: the local η_opt = 1/f″ is Newton;
//! a fixed η gives a linear rate.
//!
//! `f(w) = e^w − 2w`, `w* = ln 2`, `f″(w*) = f‴(w*) = 2`. Fixed-step GD has
//! `e_{k+1}/e_k → 1 − ηf″(w*) = 1 − 2η`; Newton has `e_{k+1}/e_k² → f‴/(2f″) = ½`
//! and order 2.

use descent_core::analysis::{above, max_or_nan, median, min_or_nan, orders, tail_order};
use descent_gd::GradientDescent;
use descent_newton::Newton;
use descent_problems::one_d::{ExpLinear, OneD, OneDObjective};

use super::common::{fixed_length, fmt_or_dash, indexed, run};
use crate::plot::{Axis, LineChart, Series, Style};
use crate::report::{Check, Report, Table};
use crate::{ROUNDOFF_FLOOR, fmt_below, fmt_list, fmt_num};

super::registry_entry!(
    "E8",
    "generic-1d-newton",
    "Generic 1-D function: the local η_opt = 1/f″ is Newton"
);

/// Settings of E8 (defaults: the setup of docs/claims.md).
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// c in f(w) = e^w − c w.
    pub c: f64,
    /// The start of the GD runs and of the main Newton run.
    pub w0: f64,
    /// Fixed step sizes of gradient descent.
    pub etas: Vec<f64>,
    /// The step sizes past 2/f″(w*) whose runs stay bounded without
    /// converging (they settle on a 2-cycle, docs/claims.md).
    pub bounded_etas: Vec<f64>,
    /// GD step sizes drawn in the figure.
    pub plotted_etas: Vec<f64>,
    /// GD iterations.
    pub iterations: usize,
    /// "Late" errors of GD are those with k > this.
    pub late_after: usize,
    /// Newton iterations (every start).
    pub newton_iterations: usize,
    /// Starts of the Newton runs whose order is measured (both sides of w*).
    pub newton_starts: Vec<f64>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            c: 2.0,
            w0: 0.0,
            etas: vec![0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1.01, 1.1, 1.5],
            bounded_etas: vec![1.01, 1.1],
            plotted_etas: vec![0.1, 0.5, 0.9, 0.99, 1.01],
            iterations: 5000,
            late_after: 4000,
            newton_iterations: 30,
            newton_starts: vec![-2.0, -1.0, 0.0, 1.5, 3.0],
        }
    }
}

/// The window of |e_{k−1}| in which the GD ratio is measured (the median over
/// it). Above, the O(e) term ηf‴e/2 of the ratio exceeds 1e-7; below 1e-8,
/// one ulp of e^w (4.4e-16 near 2) moves e_{k+1} by ≳ 4e-8 relative, and at
/// 1e-9 by 10× more, so the ratio there is rounding.
const GD_WINDOW: (f64, f64) = (1e-8, 1e-6);
/// The window of |e_k| in which Newton's e_{k+1}/e_k² is measured.
const NEWTON_WINDOW: (f64, f64) = (1e-7, 1e-2);
/// The band of e_{k+1}/e_k² in the window: ½ ± 10% (the exact ratio there is
/// ½ − e_k/6 + … ∈ [0.498, 0.5]).
const NEWTON_BAND: (f64, f64) = (0.45, 0.55);
/// Every start must give at least this many order estimates above the floor.
const MIN_ORDERS: usize = 3;
/// Step of the central difference of f″ that cross-checks f‴(w*).
const FD_STEP: f64 = 1e-4;

/// Tolerance of |q − 2| for the last order estimate of a start, derived in
/// docs/claims.md (E8): with e_{k+1} = ½e_k²(1 + δ_k), δ_k ≈ −e_k/3, the
/// estimate from (e_{k−1}, e_k, e_{k+1}) is q = 2 + (ln(1 + δ_k) −
/// ln(1 + δ_{k−1}))/ln(e_k/e_{k−1}). In the last triple above the floor
/// 1000·ulp(w*) = 1.1e-13, e_{k+2} ≈ ½e_{k+1}² is below it, so
/// e_{k+1} < 4.7e-7, e_k < 9.7e-4, e_{k−1} < 0.044: |q − 2| ≤
/// (0.044/3 + 1e-3 rounding of e_{k+1})/|ln 0.022| = 0.0041, rounded up.
const ORDER_TOLERANCE: f64 = 0.005;

/// f‴(w) of f(w) = e^w − cw: d³/dw³ (e^w − cw) = e^w. A local closed form
/// (descent-problems' `OneD` has derivatives up to the second only); the
/// report cross-checks it against a central difference of `d2e`.
fn third_derivative(w: f64) -> f64 {
    w.exp()
}

/// One gradient-descent run of E8.
#[derive(Debug, Clone, PartialEq)]
pub struct GdRun {
    /// The step size.
    pub eta: f64,
    /// Signed errors e_k = w_k − w*.
    pub errors: Vec<f64>,
    /// Median of e_k/e_{k−1} over the steps with |e_{k−1}| in `GD_WINDOW` (NaN if none).
    pub median_ratio: f64,
    /// max_{k > late_after} |e_k| (NaN if the run is shorter).
    pub late_max: f64,
}

/// One Newton run of E8.
#[derive(Debug, Clone, PartialEq)]
pub struct NewtonRun {
    /// The start.
    pub w0: f64,
    /// Signed errors e_k = w_k − w*.
    pub errors: Vec<f64>,
    /// e_{k+1}/e_k² for every step while |e_{k+1}| ≥ the floor.
    pub ratios: Vec<f64>,
    /// The ratios with |e_k| in `NEWTON_WINDOW` (and |e_{k+1}| ≥ the floor).
    pub window_ratios: Vec<f64>,
    /// Every order estimate q_k from the errors above the floor (`analysis::orders`).
    pub orders: Vec<f64>,
    /// The last of them (`analysis::tail_order`; NaN if none).
    pub tail_order: f64,
}

/// Everything E8 measured, with the settings it was measured with.
#[derive(Debug, Clone, PartialEq)]
pub struct Measurements {
    /// The settings of the runs.
    pub settings: Settings,
    /// w* = ln c.
    pub w_star: f64,
    /// f″(w*) from descent-problems.
    pub f2: f64,
    /// f‴(w*) by the closed form.
    pub f3: f64,
    /// f‴(w*) by a central difference of f″ with step `FD_STEP`.
    pub f3_difference: f64,
    /// 1000·ulp(w*): below it a computed error is mostly rounding.
    pub newton_floor: f64,
    /// One run per GD step size.
    pub gd: Vec<GdRun>,
    /// The main Newton run, from `w0`.
    pub newton: NewtonRun,
    /// One Newton run per start of `newton_starts`.
    pub starts: Vec<NewtonRun>,
}

fn gd_run(s: &Settings, f: ExpLinear, w_star: f64, eta: f64) -> GdRun {
    let mut gd = GradientDescent::new(eta).expect("valid η");
    let path = run(
        &mut OneDObjective(f),
        &mut gd,
        &[s.w0],
        &fixed_length(s.iterations),
    );
    let errors: Vec<f64> = path.scalars().iter().map(|w| w - w_star).collect();
    let in_window = |e: f64| GD_WINDOW.0 <= e.abs() && e.abs() <= GD_WINDOW.1;
    let ratios: Vec<f64> = errors
        .windows(2)
        .filter(|w| in_window(w[0]))
        .map(|w| w[1] / w[0])
        .collect();
    GdRun {
        eta,
        median_ratio: median(&ratios),
        late_max: max_or_nan(errors.iter().skip(s.late_after + 1).map(|e| e.abs())),
        errors,
    }
}

fn newton_run(s: &Settings, f: ExpLinear, w_star: f64, floor: f64, w0: f64) -> NewtonRun {
    let path = run(
        &mut OneDObjective(f),
        &mut Newton::pure(),
        &[w0],
        &fixed_length(s.newton_iterations),
    );
    let errors: Vec<f64> = path.scalars().iter().map(|w| w - w_star).collect();
    let steps = || errors.windows(2).take_while(|w| w[1].abs() >= floor);
    let ratio = |w: &[f64]| w[1] / (w[0] * w[0]);
    let in_window = |e: f64| NEWTON_WINDOW.0 < e.abs() && e.abs() < NEWTON_WINDOW.1;
    let abs: Vec<f64> = errors.iter().map(|e| e.abs()).collect();
    NewtonRun {
        w0,
        ratios: steps().map(ratio).collect(),
        window_ratios: steps().filter(|w| in_window(w[0])).map(ratio).collect(),
        orders: orders(above(&abs, floor)),
        tail_order: tail_order(&abs, floor).unwrap_or(f64::NAN),
        errors,
    }
}

/// Run every GD step size and every Newton start of the settings.
pub fn measure(s: &Settings) -> Measurements {
    let f = ExpLinear::new(s.c).expect("valid c");
    let w_star = f.minimizer();
    // Central difference of f″: truncation h²f⁗/6 ≈ 3.3e-9, rounding ≈ ulp(2)/h ≈ 4.4e-12.
    let h = FD_STEP;
    let ulp = f64::from_bits(w_star.to_bits() + 1) - w_star;
    let floor = 1e3 * ulp;
    Measurements {
        settings: s.clone(),
        w_star,
        f2: f.d2e(w_star),
        f3: third_derivative(w_star),
        f3_difference: (f.d2e(w_star + h) - f.d2e(w_star - h)) / (2.0 * h),
        newton_floor: floor,
        gd: s
            .etas
            .iter()
            .map(|&eta| gd_run(s, f, w_star, eta))
            .collect(),
        newton: newton_run(s, f, w_star, floor, s.w0),
        starts: s
            .newton_starts
            .iter()
            .map(|&w0| newton_run(s, f, w_star, floor, w0))
            .collect(),
    }
}

/// Run E8: measure, assess, present.
pub fn run_with(s: &Settings) -> Report {
    let m = measure(s);
    let checks = assess(&m);
    present(&m, checks)
}

/// The checks of E8, judged from the measurements alone.
pub fn assess(m: &Measurements) -> Vec<Check> {
    let mut checks = gd_checks(m);
    checks.extend(newton_checks(m));
    checks.push(
        Check::at_most(
            format!(
                "f‴(w*) = e^{{w*}} (closed form) vs central difference of f″ (h = {}): |difference|",
                fmt_num(FD_STEP)
            ),
            (m.f3 - m.f3_difference).abs(),
            1e-7,
        )
        .consistency(),
    );
    checks
}

fn gd_checks(m: &Measurements) -> Vec<Check> {
    let s = &m.settings;
    let stable = m.gd.iter().filter(|r| r.eta * m.f2 < 2.0);
    let mut checks = vec![Check::at_most(
        format!(
            "GD with ηf″(w*) < 2: max |median ratio − (1 − {}η)| (window {} ≤ |e_{{k−1}}| ≤ {}; NaN: no such run or no ratio)",
            fmt_num(m.f2),
            fmt_num(GD_WINDOW.0),
            fmt_num(GD_WINDOW.1)
        ),
        max_or_nan(stable.map(|r| (r.median_ratio - (1.0 - r.eta * m.f2)).abs())),
        1e-6,
    )];
    for &eta in &s.bounded_etas {
        // NaN (the check fails) if the settings did not run this η.
        let late =
            m.gd.iter()
                .find(|r| r.eta == eta)
                .map_or(f64::NAN, |r| r.late_max);
        checks.push(Check::greater_than(
            format!(
                "GD η = {}: max_{{k > {}}} |e_k| (bounded, not converging)",
                fmt_num(eta),
                s.late_after
            ),
            late,
            1e-3,
        ));
    }
    checks
}

fn newton_checks(m: &Measurements) -> Vec<Check> {
    let window: Vec<f64> = m
        .starts
        .iter()
        .flat_map(|r| r.window_ratios.iter().copied())
        .collect();
    let band = |which: &str, value: f64| {
        Check::in_range(
            format!(
                "Newton, every start: {which} e_{{k+1}}/e_k² over the {} ratios with {} < |e_k| < {} and |e_{{k+1}}| ≥ 1000 ulp(w*)",
                window.len(),
                fmt_num(NEWTON_WINDOW.0),
                fmt_num(NEWTON_WINDOW.1)
            ),
            value,
            NEWTON_BAND.0,
            NEWTON_BAND.1,
        )
    };
    let fewest = m.starts.iter().map(|r| r.orders.len()).min().unwrap_or(0);
    let total: usize = m.starts.iter().map(|r| r.orders.len()).sum();
    vec![
        band("min", min_or_nan(window.iter().copied())),
        band("max", max_or_nan(window.iter().copied())),
        Check::at_most(
            format!(
                "Newton's order, {} starts w_0 = {}: max |q − 2| of the last order estimate (analysis::tail_order) above 1000 ulp(w*) (NaN: a start without one)",
                m.starts.len(),
                fmt_list(&m.settings.newton_starts)
            ),
            max_or_nan(m.starts.iter().map(|r| (r.tail_order - 2.0).abs())),
            ORDER_TOLERANCE,
        ),
        Check::at_most(
            format!(
                "Newton's order, every start: the last {MIN_ORDERS} order estimates approach 2 (number of starts where |q_k − 2| does not shrink along them)"
            ),
            m.starts.iter().filter(|r| !approaches_two(&r.orders)).count() as f64,
            0.0,
        ),
        Check::in_range(
            format!(
                "Newton's order: fewest order estimates above 1000 ulp(w*) from one start ({total} from all {} starts)",
                m.starts.len()
            ),
            fewest as f64,
            MIN_ORDERS as f64,
            f64::INFINITY,
        )
        .consistency(),
    ]
}

/// Whether |q − 2| strictly shrinks along the last `MIN_ORDERS` estimates
/// (false with fewer).
fn approaches_two(orders: &[f64]) -> bool {
    orders.len() >= MIN_ORDERS
        && orders[orders.len() - MIN_ORDERS..]
            .windows(2)
            .all(|w| (w[1] - 2.0).abs() < (w[0] - 2.0).abs())
}

/// The report of E8 from its measurements and checks.
fn present(m: &Measurements, checks: Vec<Check>) -> Report {
    let s = &m.settings;
    let mut report = Report::for_experiment(
        &EXPERIMENT,
        "For a non-quadratic function the optimal step is the inverse second derivative at the \
         current point — Newton's method, optimal only for the local quadratic model — while a \
         fixed η converges linearly with ratio 1 − ηf″(w*).",
        "lecture notes; F20 lecture 6 chat (\"second derivative inverse\", \"only in this quadratic case\")",
    );
    let f = ExpLinear::new(s.c).expect("valid c");
    report.setup("f(w)", OneD::name(&f));
    report.setup(
        "w* = ln c, f″(w*), f‴(w*)",
        format!(
            "{}, {}, {}",
            fmt_num(m.w_star),
            fmt_num(m.f2),
            fmt_num(m.f3)
        ),
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
    report.setup("Newton starts (order)", fmt_list(&s.newton_starts));
    notes(m, &mut report);
    report.tables.push(ratio_table(m));
    report.tables.push(newton_table(m));
    report.tables.push(order_table(m));
    report.figure(
        "error",
        "log|e_k| vs k: straight lines for fixed η (linear rate), a bending curve for Newton (quadratic)",
        error_chart(m).to_svg(),
    );
    report.checks(checks);
    report
}

fn notes(m: &Measurements, report: &mut Report) {
    report.note(format!(
        "Theory: fixed η gives e_{{k+1}}/e_k → 1 − ηf″(w*) = 1 − {}η; w* is unstable for η > 2/f″(w*) = {}. \
         Newton gives e_{{k+1}}/e_k² → f‴/(2f″) = {}, i.e. order q_k = ln(e_{{k+1}}/e_k)/ln(e_k/e_{{k−1}}) → 2.",
        fmt_num(m.f2),
        fmt_num(2.0 / m.f2),
        fmt_num(m.f3 / (2.0 * m.f2))
    ));
    report.note(format!(
        "The GD ratio is the median of e_k/e_{{k−1}} over the steps with {} ≤ |e_{{k−1}}| ≤ {} (the O(e) \
         correction ηf‴e/2 is below 1e-6 there, and the rounding of e^w near w* is below 1e-7 relative). \
         Newton's ratios are every e_{{k+1}}/e_k² with {} < |e_k| < {} whose e_{{k+1}} is above \
         1000·ulp(w*) = {} (below it e_{{k+1}} is rounding: one ulp is 0.1% of it).",
        fmt_num(GD_WINDOW.0),
        fmt_num(GD_WINDOW.1),
        fmt_num(NEWTON_WINDOW.0),
        fmt_num(NEWTON_WINDOW.1),
        fmt_num(m.newton_floor)
    ));
    report.note(format!(
        "Newton's order is measured from every start with descent_core::analysis::orders on the errors above \
         1000·ulp(w*); the check takes the last estimate of each start (analysis::tail_order) against 2 \
         with tolerance {}: in the last triple above the floor e_{{k−1}} < 0.044, so |q − 2| ≤ \
         (e_{{k−1}}/3 + 1e-3)/|ln(e_{{k−1}}/2)| ≤ 0.0041 (docs/claims.md).",
        fmt_num(ORDER_TOLERANCE)
    ));
}

fn ratio_table(m: &Measurements) -> Table {
    let s = &m.settings;
    let late_header = format!("max |e_k|, k > {}", s.late_after);
    let mut table = Table::new(
        "Asymptotic ratios",
        &[
            "method",
            "η",
            "ratio predicted",
            "ratio measured",
            "final |e_K|",
            &late_header,
            "converged (|e_K| < 1e-12)",
        ],
    );
    let last = |errors: &[f64]| errors.last().copied().unwrap_or(f64::NAN).abs();
    for r in &m.gd {
        table.push(vec![
            "GD".into(),
            fmt_num(r.eta),
            fmt_num(1.0 - r.eta * m.f2),
            fmt_or_dash(r.median_ratio),
            fmt_below(last(&r.errors), ROUNDOFF_FLOOR),
            fmt_below(r.late_max, ROUNDOFF_FLOOR),
            (last(&r.errors) < 1e-12).to_string(),
        ]);
    }
    let newton_last = last(&m.newton.errors);
    table.push(vec![
        "Newton".into(),
        "1/f″(w_k)".into(),
        fmt_num(m.f3 / (2.0 * m.f2)),
        m.newton
            .window_ratios
            .last()
            .map_or("—".into(), |r| fmt_num(*r)),
        fmt_below(newton_last, ROUNDOFF_FLOOR),
        "—".into(),
        (newton_last < 1e-12).to_string(),
    ]);
    table
}

fn newton_table(m: &Measurements) -> Table {
    let mut table = Table::new(
        format!(
            "Newton from w_0 = {}: e_{{k+1}}/e_k² at every step while |e_{{k+1}}| ≥ 1000·ulp(w*) = {}",
            fmt_num(m.settings.w0),
            fmt_num(m.newton_floor)
        ),
        &["k", "|e_k|", "e_{k+1}/e_k²"],
    );
    for (k, r) in m.newton.ratios.iter().enumerate() {
        table.push(vec![
            k.to_string(),
            fmt_num(m.newton.errors[k].abs()),
            fmt_num(*r),
        ]);
    }
    table
}

fn order_table(m: &Measurements) -> Table {
    let mut table = Table::new(
        "Newton's order q_k = ln(e_{k+1}/e_k)/ln(e_k/e_{k−1}) from every start (errors above 1000·ulp(w*))",
        &[
            "w_0",
            "errors above the floor",
            "order estimates used",
            "q_k (all)",
            "last q (tail_order)",
            "|last q − 2|",
        ],
    );
    for r in &m.starts {
        let above_floor = above(
            &r.errors.iter().map(|e| e.abs()).collect::<Vec<_>>(),
            m.newton_floor,
        )
        .len();
        table.push(vec![
            fmt_num(r.w0),
            above_floor.to_string(),
            r.orders.len().to_string(),
            fmt_list(&r.orders),
            fmt_or_dash(r.tail_order),
            fmt_or_dash((r.tail_order - 2.0).abs()),
        ]);
    }
    table
}

fn error_chart(m: &Measurements) -> LineChart {
    let mut chart = LineChart::new(
        format!("|w_k − w*| for f(w) = e^w − {}w", fmt_num(m.settings.c)),
        Axis::linear("iteration k").range(0.0, 60.0),
        Axis::log("|w_k − w*|").range(1e-17, 10.0),
    );
    let abs = |errors: &[f64]| errors.iter().map(|e| e.abs()).collect::<Vec<f64>>();
    for r in
        m.gd.iter()
            .filter(|r| m.settings.plotted_etas.contains(&r.eta))
    {
        chart = chart.with(Series::line(
            format!("GD η = {}", fmt_num(r.eta)),
            indexed(&abs(&r.errors)),
        ));
    }
    chart.with(Series::new(
        "Newton",
        indexed(&abs(&m.newton.errors)),
        Style::LineMarkers,
    ))
}

#[cfg(test)]
mod tests {
    use super::{Measurements as M, Settings, assess, measure};
    use crate::experiments::common::perturb::every_case_turns;

    /// Every claim check of E8 turns when its measurement is perturbed.
    #[test]
    fn checks_can_fail() {
        let eta = |m: &M, eta: f64| m.gd.iter().position(|r| r.eta == eta).unwrap();
        every_case_turns(
            &measure(&Settings::default()),
            assess,
            &[
                // η = 0.1: median ratio 0.8 read as 0.8 + 1e-5, 10× the 1e-6 tolerance.
                ("GD with ηf″(w*) < 2", &|b: &mut M| {
                    b.gd[0].median_ratio += 1e-5
                }),
                // η = 1.01 settles on the 2-cycle {0.158, −0.188}; late errors
                // of 1e-4 (converging) fail the > 1e-3 bound.
                ("GD η = 1.01: max_{k > 4000}", &|b: &mut M| {
                    let i = eta(b, 1.01);
                    b.gd[i].late_max = 1e-4;
                }),
                // A window ratio of 0.6 or 0.4 leaves ½ ± 10%.
                ("every start: max e_{k+1}/e_k²", &|b: &mut M| {
                    b.starts[0].window_ratios.push(0.6)
                }),
                ("every start: min e_{k+1}/e_k²", &|b: &mut M| {
                    b.starts[0].window_ratios.push(0.4)
                }),
                // A linearly convergent run has tail order ≈ 1: |1 − 2| = 1 ≫ 0.005.
                ("max |q − 2| of the last order", &|b: &mut M| {
                    b.starts[1].tail_order = 1.0
                }),
                // Orders 1.9, 1.99, 1.95: the last moves away from 2.
                ("the last 3 order estimates approach 2", &|b: &mut M| {
                    b.starts[2].orders = vec![1.9, 1.99, 1.95]
                }),
            ],
        );
    }
}
