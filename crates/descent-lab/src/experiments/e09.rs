//! E9 — diagonal quadratic: η_i,opt = 1/a_ii per direction, the limit
//! η < 2·min η_i,opt, and the condition-number slowdown.
//!
//! `E = ½ wᵀ diag(1, κ) w`, `w* = 0`: `e_{i,k} = (1 − ηa_i)^k e_{i,0}`; the best
//! fixed η = 2/(1 + κ) gives `‖e_k‖ = ((κ − 1)/(κ + 1))^k ‖e_0‖`.

use descent_gd::GradientDescent;
use descent_problems::Quadratic;

use descent_core::analysis::{classify_linear, linear_regime};

use super::common::{
    MEDIAN_WINDOW, first_below, fixed_length, fmt_count, fmt_regime, iterations_to, run,
};
use crate::plot::{ContourChart, Series, Style};
use crate::registry::Experiment;
use crate::report::{Check, Report, Table};
use crate::{fmt_list, fmt_num};

/// The registry entry.
pub(crate) const EXPERIMENT: Experiment = Experiment {
    id: "E9",
    slug: "diagonal-quadratic-conditioning",
    title: "Diagonal quadratic: per-direction η_opt, η < 2·min η_i,opt, and the κ slowdown",
    run: || run_with(&Settings::default()),
};

/// Settings of E9 (defaults: the catalogue's).
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Condition numbers κ of A = diag(1, κ).
    pub kappas: Vec<f64>,
    /// The κ of the step-size sweep (a).
    pub sweep_kappa: f64,
    /// The step sizes of the sweep.
    pub sweep_etas: Vec<f64>,
    /// The start w_0.
    pub w0: [f64; 2],
    /// Iterations of a sweep run.
    pub sweep_iterations: usize,
    /// The tolerance of the iteration counts (‖e_k‖ ≤ ε‖e_0‖).
    pub epsilon: f64,
    /// Step sizes drawn over the contours.
    pub plotted_etas: Vec<f64>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            kappas: vec![1.0, 10.0, 100.0, 1000.0],
            sweep_kappa: 10.0,
            sweep_etas: vec![
                0.05,
                0.1,
                0.15,
                0.18,
                2.0 / 11.0,
                0.19,
                0.199,
                0.2,
                0.201,
                0.25,
            ],
            w0: [1.0, 1.0],
            sweep_iterations: 2000,
            epsilon: 1e-6,
            plotted_etas: vec![0.05, 2.0 / 11.0, 0.19, 0.201],
        }
    }
}

/// The measured overall rate of (a) uses the steps with ‖e_k‖ above this
/// multiple of ‖e_0‖: w* = 0, so iterates are exact down to the normal range,
/// and the window ends deep in the asymptotic regime.
const ASYMPTOTIC_FLOOR: f64 = 1e-150;

/// Steps of the geometric mean of the measured overall rate of (a).
const ASYMPTOTIC_STEPS: usize = 100;

fn problem(kappa: f64) -> Quadratic {
    Quadratic::diagonal(&[1.0, kappa], &[0.0, 0.0], 0.0).expect("valid diagonal quadratic")
}

/// Iterations for GD with step η on diag(1, κ) to reach ‖e_k‖ ≤ ε‖e_0‖, from w_0.
fn measured_iterations(kappa: f64, eta: f64, w0: &[f64], epsilon: f64, budget: usize) -> f64 {
    let mut q = problem(kappa);
    let mut gd = GradientDescent::new(eta).expect("valid η");
    let path = run(&mut q, &mut gd, w0, &fixed_length(budget));
    first_below(&path.distances(&[0.0, 0.0]), epsilon).map_or(f64::INFINITY, |k| k as f64)
}

/// Run E9.
pub fn run_with(s: &Settings) -> Report {
    let e = &EXPERIMENT;
    let mut report = Report::new(
        e.id,
        e.slug,
        e.title,
        "With a diagonal Hessian the directions decouple with η_i,opt = 1/a_ii; one η must satisfy \
         η < 2·min_i η_i,opt, and convergence is slow when max/min a_ii is large.",
        "lecture notes; F20 lecture 6 chat (\"a11 and a22\", \"between n_opt and 2n_opt across all dimensions\")",
    );
    report.setup("E(w)", "½ wᵀ diag(1, κ) w, w* = 0");
    report.setup("w_0", fmt_list(&s.w0));
    report.setup("κ", fmt_list(&s.kappas));
    report.setup("sweep (a): κ", fmt_num(s.sweep_kappa));
    report.setup("sweep (a): η", fmt_list(&s.sweep_etas));
    report.setup("sweep (a): iterations", s.sweep_iterations.to_string());
    report.setup("ε of the iteration counts", fmt_num(s.epsilon));
    report.setup("optimiser", "descent_gd::GradientDescent, fixed η");
    let sweep_a_max = problem(s.sweep_kappa).hessian_matrix()[(1, 1)];
    report.note(format!(
        "Theory: direction i oscillates iff η > 1/a_i and diverges iff η > 2/a_i; the run diverges iff \
         η > 2/a_max (κ = {}: η > {}, constant oscillation at {}). The best fixed η = 2/(a_min + a_max) \
         contracts both directions by (κ − 1)/(κ + 1); η = 1/a_max solves direction 2 in one step and \
         contracts direction 1 by 1 − 1/κ: about twice as many iterations.",
        fmt_num(s.sweep_kappa),
        fmt_num(2.0 / sweep_a_max),
        fmt_num(2.0 / sweep_a_max),
    ));
    report.note(format!(
        "(a) Rate measured: the geometric mean of ‖e_{{k+1}}‖/‖e_k‖ over the last {ASYMPTOTIC_STEPS} steps before \
         ‖e_k‖ < {}·‖e_0‖ (or the end of the run). Since w* = 0 the iterates carry no rounding floor, and \
         this window is asymptotic: the faster direction's share, which decays as (r_fast/r_slow)^k, has died \
         out, whereas a window just after the start would mix the two rates.",
        fmt_num(ASYMPTOTIC_FLOOR)
    ));

    // (a) the sweep.
    let kappa = s.sweep_kappa;
    let q = problem(kappa);
    let a = [q.hessian_matrix()[(0, 0)], q.hessian_matrix()[(1, 1)]];
    let mut sweep = Table::new(
        format!("(a) κ = {}: regime of each direction", fmt_num(kappa)),
        &[
            "η",
            "ηa_1",
            "ηa_2",
            "dim 1 (theory)",
            "dim 1 (measured)",
            "dim 2 (theory)",
            "dim 2 (measured)",
            "rate max|1 − ηa_i|",
            "rate measured",
            "converged (‖e_K‖ ≤ ε)",
        ],
    );
    let mut mismatches = Vec::new();
    let mut contour = ContourChart::new(
        format!("GD on ½(w₁² + {}w₂²)", fmt_num(kappa)),
        ("w₁", "w₂"),
        (-1.2, 1.2),
        (-1.2, 1.2),
        121,
        |x, y| 0.5 * (x * x + kappa * y * y),
    )
    .with_levels(vec![0.01, 0.05, 0.15, 0.3, 0.5, 0.8, 1.2, 2.0, 3.0, 5.0]);
    for &eta in &s.sweep_etas {
        let mut obj = problem(kappa);
        let mut gd = GradientDescent::new(eta).expect("valid η");
        let path = run(&mut obj, &mut gd, &s.w0, &fixed_length(s.sweep_iterations));
        let mut cells = vec![fmt_num(eta), fmt_num(eta * a[0]), fmt_num(eta * a[1])];
        for (i, &ai) in a.iter().enumerate() {
            let errors: Vec<f64> = path.iterates.iter().map(|w| w[i]).collect();
            let theory = linear_regime(1.0 - eta * ai);
            let measured = classify_linear(&errors, MEDIAN_WINDOW);
            if theory != measured {
                mismatches.push(format!("η = {}, dim {}", fmt_num(eta), i + 1));
            }
            cells.push(fmt_regime(theory));
            cells.push(fmt_regime(measured));
        }
        let dist = path.distances(&[0.0, 0.0]);
        let rate = a
            .iter()
            .map(|ai| (1.0 - eta * ai).abs())
            .fold(0.0, f64::max);
        // Measured overall rate: geometric mean of the last ASYMPTOTIC_STEPS ratios
        // above the asymptotic floor.
        let usable: Vec<f64> = dist
            .iter()
            .copied()
            .take_while(|d| *d >= ASYMPTOTIC_FLOOR * dist[0])
            .collect();
        let tail = usable.len().saturating_sub(ASYMPTOTIC_STEPS + 1);
        let measured_rate = if usable.len() > 1 {
            (usable[usable.len() - 1] / usable[tail]).powf(1.0 / (usable.len() - 1 - tail) as f64)
        } else {
            0.0
        };
        cells.push(fmt_num(rate));
        cells.push(fmt_num(measured_rate));
        cells.push((dist.last().copied().unwrap_or(f64::NAN) <= s.epsilon * dist[0]).to_string());
        sweep.push(cells);
        if s.plotted_etas.contains(&eta) {
            let pts = path
                .iterates
                .iter()
                .take(60)
                .map(|w| (w[0], w[1]))
                .collect();
            contour = contour.with(Series::new(
                format!("η = {}", fmt_num(eta)),
                pts,
                Style::LineMarkers,
            ));
        }
    }
    report.tables.push(sweep);
    report.figure(
        "trajectories",
        "Trajectories over the elliptical contours (first 60 iterates)",
        contour.to_svg(),
    );
    report.check(Check::equal(
        "(a) measured regime of every direction = the inequalities' label (mismatches)",
        if mismatches.is_empty() {
            "none".to_owned()
        } else {
            mismatches.join("; ")
        },
        "none".to_owned(),
    ));

    // (b) iteration counts.
    let mut counts = Table::new(
        format!("(b) iterations to ‖e_k‖ ≤ {}‖e_0‖", fmt_num(s.epsilon)),
        &[
            "κ",
            "best η = 2/(1+κ)",
            "rate (κ−1)/(κ+1)",
            "predicted",
            "measured",
            "η = 1/κ: predicted",
            "η = 1/κ: measured",
        ],
    );
    for &kappa in &s.kappas {
        let best = 2.0 / (1.0 + kappa);
        let rate = (kappa - 1.0) / (kappa + 1.0);
        let argument = (1.0 / s.epsilon).ln() / (1.0 / rate).ln();
        let predicted = iterations_to(s.epsilon, rate);
        let budget = 3 * predicted.min(1e6) as usize + 10;
        let measured = measured_iterations(kappa, best, &s.w0, s.epsilon, budget);
        let slow_rate = 1.0 - 1.0 / kappa;
        // Direction 2 is solved in one step; direction 1 alone must reach ε‖e_0‖.
        let norm0 = (s.w0[0] * s.w0[0] + s.w0[1] * s.w0[1]).sqrt();
        let slow_predicted = iterations_to(s.epsilon * norm0 / s.w0[0].abs(), slow_rate).max(1.0);
        let slow_measured = measured_iterations(
            kappa,
            1.0 / kappa,
            &s.w0,
            s.epsilon,
            3 * slow_predicted.min(1e6) as usize + 10,
        );
        counts.push(vec![
            fmt_num(kappa),
            fmt_num(best),
            fmt_num(rate),
            fmt_count(predicted),
            fmt_count(measured),
            fmt_count(slow_predicted),
            fmt_count(slow_measured),
        ]);
        let near_integer = (argument - argument.round()).abs() < 1e-9;
        let tolerance = if near_integer { 1.0 } else { 0.0 };
        report.check(Check::within(
            format!(
                "(b) κ = {}: measured iterations at η = 2/(1+κ) = ⌈ln(1/ε)/ln((κ+1)/(κ−1))⌉{}",
                fmt_num(kappa),
                if near_integer {
                    " (argument within 1e-9 of an integer: ±1)"
                } else {
                    ""
                }
            ),
            measured,
            predicted,
            tolerance,
        ));
        report.check(Check::within(
            format!(
                "(b) κ = {}: measured iterations at η = 1/κ = max(1, ⌈ln(|e_1,0|/(ε‖e_0‖))/ln(1/(1 − 1/κ))⌉) ± 1",
                fmt_num(kappa)
            ),
            slow_measured,
            slow_predicted,
            1.0,
        ));
    }
    report.tables.push(counts);
    report
}
