//! E10 — non-diagonal A: the eigen-directions set the rate, plain GD is
//! rotation-equivariant, and the diagonal entries do not set the step limit.
//!
//! With `A = Q D Qᵀ`, GD on A from w_0 and GD on D from Qᵀw_0 satisfy
//! `w_k^(A) = Q w_k^(D)` exactly; the rate is `max_i |1 − ηλ_i|`, so the
//! largest stable step is 2/λ_max, not 2/max_i a_ii.

use descent_core::analysis::{above, distance, max_or_nan, min_or_nan, tail_rate};
use descent_gd::GradientDescent;
use descent_linalg::{Mat, matvec, vecmat};
use descent_problems::Quadratic;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use super::common::{fixed_length, indexed, run};
use crate::plot::{Axis, LineChart, Series};
use crate::report::{Check, Report, Table};
use crate::{ROUNDOFF_FLOOR, Rounding, fmt_below, fmt_list, fmt_num, round_sig};

super::registry_entry!(
    "E10",
    "rotation-equivariance",
    "Non-diagonal A: eigen-directions set the rate; GD is rotation-equivariant"
);

/// The prototype's end of the rate window, ‖e‖ < this (docs/claims.md,
/// "Earlier prototype values"; reported beside the deeper window used here).
const PROTOTYPE_FLOOR: f64 = 1e-12;

/// Settings of E10 (defaults: the setup of docs/claims.md).
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Dimensions n.
    pub dims: Vec<usize>,
    /// Condition numbers κ (eigenvalues log-spaced in [1, κ]).
    pub kappas: Vec<f64>,
    /// Seed of Q (Haar) and of w_0 (seed + 1).
    pub seed: u64,
    /// Iterations.
    pub iterations: usize,
    /// Steps in the rate's geometric mean.
    pub rate_window: usize,
    /// The error above which the rate window ends.
    pub rate_floor: f64,
    /// The dimensions whose rotated A (every κ) test the step limit: their
    /// diagonal entries are all well below λ_max.
    pub limit_dims: Vec<usize>,
    /// The step limit test runs η = this/max_i a_ii (the diagonal reading's
    /// "safe" side, just below 2/max_i a_ii) and η = this/λ_max.
    pub limit_fraction: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            dims: vec![2, 50],
            kappas: vec![10.0, 100.0, 1000.0],
            seed: 10,
            iterations: 10_000,
            rate_window: 100,
            rate_floor: 1e-140,
            limit_dims: vec![50],
            limit_fraction: 1.9,
        }
    }
}

/// One rotated quadratic of E10 and its runs.
#[derive(Debug, Clone, PartialEq)]
pub struct RotatedRun {
    /// Dimension.
    pub n: usize,
    /// Condition number.
    pub kappa: f64,
    /// Eigenvalues of A, ascending.
    pub eigenvalues: Vec<f64>,
    /// Diagonal entries a_ii of A.
    pub diagonal: Vec<f64>,
    /// max_k ‖w_k^(A) − Q w_k^(D)‖/‖w_0‖ at η = 2/(1 + κ).
    pub equivariance: f64,
    /// ‖e_k‖ = ‖w_k‖ of GD on A at η = 2/(1 + κ) (w* = 0).
    pub distances: Vec<f64>,
    /// Tail rate over the last `rate_window` steps with ‖e_k‖ above `rate_floor` (NaN: none).
    pub rate: f64,
    /// The same with the window ending above `PROTOTYPE_FLOOR`.
    pub prototype_rate: f64,
    /// Step-limit runs (only for `limit_dims`): tail rate of ‖e_k‖ at
    /// η = f/max_i a_ii and at η = f/λ_max, f = `limit_fraction`.
    pub limit_rates: Option<(f64, f64)>,
}

/// Everything E10 measured, with the settings it was measured with.
#[derive(Debug, Clone, PartialEq)]
pub struct Measurements {
    /// The settings of the runs.
    pub settings: Settings,
    /// One entry per (n, κ), n outer.
    pub runs: Vec<RotatedRun>,
}

/// ‖e_k‖ of GD with step η on `a` from `w0` (w* = 0).
fn distances(a: &mut Quadratic, eta: f64, w0: &[f64], iterations: usize) -> Vec<f64> {
    let mut gd = GradientDescent::new(eta).expect("valid η");
    let path = run(a, &mut gd, w0, &fixed_length(iterations));
    path.distances(&vec![0.0; w0.len()])
}

/// Tail rate over the last `window` steps above `floor` (NaN: fewer than two errors).
fn rate_above(errors: &[f64], floor: f64, window: usize) -> f64 {
    tail_rate(above(errors, floor), window).unwrap_or(f64::NAN)
}

/// max_k ‖w_k^(A) − Q w_k^(D)‖/‖w_0‖ over two recorded runs.
fn equivariance(q: &Mat<f64>, on_a: &[Vec<f64>], on_d: &[Vec<f64>]) -> f64 {
    let norm0 = descent_linalg::norm_2(&on_a[0]);
    let mut rotated = vec![0.0; on_a[0].len()];
    max_or_nan(on_a.iter().zip(on_d).map(|(wa, wd)| {
        matvec(q.as_ref(), wd, &mut rotated);
        distance(wa, &rotated) / norm0
    }))
}

fn rotated_run(s: &Settings, n: usize, kappa: f64) -> RotatedRun {
    let mut a = Quadratic::with_condition_number(n, kappa, s.seed).expect("valid κ");
    let q = a.rotation().expect("built from eigenvalues").to_owned();
    let eigenvalues = a.eigenvalues().to_vec();
    let mut d = Quadratic::diagonal(&eigenvalues, &vec![0.0; n], 0.0).expect("valid diagonal");
    let mut rng = ChaCha8Rng::seed_from_u64(s.seed + 1);
    let w0: Vec<f64> = (0..n).map(|_| StandardNormal.sample(&mut rng)).collect();
    let mut v0 = vec![0.0; n];
    vecmat(&w0, q.as_ref(), &mut v0); // v0ᵀ = w0ᵀ Q, i.e. v0 = Qᵀ w0
    let eta = 2.0 / (1.0 + kappa);
    let rules = fixed_length(s.iterations);
    let gd = || GradientDescent::new(eta).expect("valid η");
    let path_a = run(&mut a, &mut gd(), &w0, &rules);
    let path_d = run(&mut d, &mut gd(), &v0, &rules);
    let equivariance = equivariance(&q, &path_a.iterates, &path_d.iterates);
    let dist = path_a.distances(&vec![0.0; n]);
    let diagonal: Vec<f64> = (0..n).map(|i| a.hessian_matrix()[(i, i)]).collect();
    let limit_rates = s.limit_dims.contains(&n).then(|| {
        let max_diag = max_or_nan(diagonal.iter().copied());
        let lambda_max = eigenvalues[n - 1];
        let mut at = |eta: f64| {
            let errors = distances(&mut a, eta, &w0, s.iterations);
            rate_above(&errors, s.rate_floor, s.rate_window)
        };
        (
            at(s.limit_fraction / max_diag),
            at(s.limit_fraction / lambda_max),
        )
    });
    RotatedRun {
        n,
        kappa,
        rate: rate_above(&dist, s.rate_floor, s.rate_window),
        prototype_rate: rate_above(&dist, PROTOTYPE_FLOOR, s.rate_window),
        eigenvalues,
        diagonal,
        equivariance,
        distances: dist,
        limit_rates,
    }
}

/// Run every (n, κ) of the settings.
pub fn measure(s: &Settings) -> Measurements {
    Measurements {
        settings: s.clone(),
        runs: s
            .dims
            .iter()
            .flat_map(|&n| s.kappas.iter().map(move |&kappa| rotated_run(s, n, kappa)))
            .collect(),
    }
}

/// Run E10: measure, assess, present.
pub fn run_with(s: &Settings) -> Report {
    let m = measure(s);
    let checks = assess(&m);
    present(&m, checks)
}

/// The spectral radius max_i |1 − ηλ_i| of I − ηA: the per-step factor of GD.
fn spectral_factor(eigenvalues: &[f64], eta: f64) -> f64 {
    eigenvalues
        .iter()
        .map(|l| (1.0 - eta * l).abs())
        .fold(0.0, f64::max)
}

/// The step-limit quantities of one run: (max_i a_ii, λ_max, η_diag, η_eig).
fn limit_steps(s: &Settings, r: &RotatedRun) -> (f64, f64, f64, f64) {
    let max_diag = max_or_nan(r.diagonal.iter().copied());
    let lambda_max = r.eigenvalues[r.eigenvalues.len() - 1];
    (
        max_diag,
        lambda_max,
        s.limit_fraction / max_diag,
        s.limit_fraction / lambda_max,
    )
}

/// The checks of E10, judged from the measurements alone.
pub fn assess(m: &Measurements) -> Vec<Check> {
    let mut checks: Vec<Check> = m
        .runs
        .iter()
        .map(|r| {
            Check::within(
                format!(
                    "κ = {}, n = {}: measured asymptotic rate = (κ − 1)/(κ + 1)",
                    fmt_num(r.kappa),
                    r.n
                ),
                r.rate,
                (r.kappa - 1.0) / (r.kappa + 1.0),
                1e-6,
            )
        })
        .collect();
    checks.push(Check::at_most(
        "max over all runs of max_k ‖w_k^(A) − Q w_k^(D)‖/‖w_0‖",
        max_or_nan(m.runs.iter().map(|r| r.equivariance)),
        1e-12,
    ));
    checks.extend(limit_checks(m));
    checks
}

/// The step-limit checks: the diagonal entries do not set it, λ_max does.
fn limit_checks(m: &Measurements) -> Vec<Check> {
    let s = &m.settings;
    let mut checks = Vec::new();
    let limit: Vec<&RotatedRun> = m.runs.iter().filter(|r| r.limit_rates.is_some()).collect();
    let rates = |pick: fn((f64, f64)) -> f64| {
        limit
            .iter()
            .map(move |r| r.limit_rates.map_or(f64::NAN, pick))
    };
    let f = fmt_num(s.limit_fraction);
    let n = s
        .limit_dims
        .iter()
        .map(|n| n.to_string())
        .collect::<Vec<_>>();
    let text = |claim: &str, step: String, stat: &str, meaning: &str| {
        format!(
            "{claim}: n = {}, every κ, {step}: {stat} measured ‖e_{{k+1}}‖/‖e_k‖ ({meaning}; NaN: no run)",
            n.join(", ")
        )
    };
    checks.push(Check::greater_than(
        text(
            "diagonal entries irrelevant",
            format!("η = {f}/max_i a_ii (below the diagonal reading's limit 2/max_i a_ii)"),
            "min",
            "> 1: diverges",
        ),
        min_or_nan(rates(|r| r.0)),
        1.0,
    ));
    checks.push(Check::less_than(
        text(
            "eigenvalues decide",
            format!("η = {f}/λ_max (below 2/λ_max)"),
            "max",
            "< 1: converges",
        ),
        max_or_nan(rates(|r| r.1)),
        1.0,
    ));
    checks.push(
        Check::at_most(
            format!(
                "the step limit test is sharp: max over its problems of (2/λ_max)/({f}/max_i a_ii), i.e. η = {f}/max_i a_ii exceeds 2/λ_max where ≤ 1 (NaN: no problem)"
            ),
            max_or_nan(limit.iter().map(|r| {
                let (_, lambda_max, eta_diag, _) = limit_steps(s, r);
                (2.0 / lambda_max) / eta_diag
            })),
            1.0,
        )
        .consistency(),
    );
    checks
}

/// The report of E10 from its measurements and checks.
fn present(m: &Measurements, checks: Vec<Check>) -> Report {
    let s = &m.settings;
    let mut report = Report::for_experiment(
        &EXPERIMENT,
        "A diagonal A decouples the problem; in general GD behaves as in the eigen-basis of A, with \
         condition number λ_max/λ_min, and the diagonal entries a_ii are irrelevant.",
        "lecture notes (multivariate quadratic)",
    );
    report.setup("A", "Q diag(λ) Qᵀ, λ log-spaced in [1, κ], Q Haar-random (descent_problems::Quadratic::with_condition_number)");
    let dims = |ds: &[usize]| ds.iter().map(|n| n.to_string()).collect::<Vec<_>>();
    report.setup("n", dims(&s.dims).join(", "));
    report.setup("κ", fmt_list(&s.kappas));
    report.setup(
        "seeds",
        format!("Q: {}, w_0 ~ N(0, I): {}", s.seed, s.seed + 1),
    );
    report.setup("η", "2/(1 + κ) (descent_gd::GradientDescent)");
    report.setup("iterations", s.iterations.to_string());
    report.setup(
        "measured rate",
        format!(
            "geometric mean of ‖e_{{k+1}}‖/‖e_k‖ over the last {} steps with ‖e_k‖ above {} (or to the run's end; descent_core::analysis::tail_rate)",
            s.rate_window,
            fmt_num(s.rate_floor)
        ),
    );
    report.setup(
        "step limit test",
        format!(
            "n = {}, every κ: η = {f}/max_i a_ii and η = {f}/λ_max, same w_0 and iterations",
            dims(&s.limit_dims).join(", "),
            f = fmt_num(s.limit_fraction)
        ),
    );
    report.note(window_note(m));
    report.note("Theory: e_k^(A) = Q e_k^(D) exactly in exact arithmetic; the rate is max_i |1 − ηλ_i| = (κ − 1)/(κ + 1) at η = 2/(1 + κ), set by the eigenvalues only.");
    report.note(format!(
        "The diagonal entries a_ii = Σ_j Q_ij²λ_j are convex combinations of the eigenvalues, so max_i a_ii ≤ λ_max. \
         Read per coordinate, the lecture's limit would be η < 2/max_i a_ii; the step η = {f}/max_i a_ii is below it, \
         yet exceeds 2/λ_max wherever max_i a_ii < ({f}/2)·λ_max, and then grows the error along the top \
         eigenvector by |1 − ηλ_max| = {f}λ_max/max_i a_ii − 1 > 1 per step. The step η = {f}/λ_max < 2/λ_max \
         converges with rate max_i |1 − ηλ_i|. A diverging run stops when E exceeds 1e100 (the runner's \
         divergence test), so its measured rate is a mean over the whole run, transient included, and lies a \
         little below the factor.",
        f = fmt_num(s.limit_fraction)
    ));
    report.tables.push(rate_table(m));
    report.tables.push(limit_table(m));
    report.figure(
        "error",
        "Relative distance to the minimum vs iteration: slopes set by (κ − 1)/(κ + 1)",
        error_chart(m).to_svg(),
    );
    report.checks(checks);
    report
}

/// The note on the prototype's rate window, with the largest deviation it gives.
fn window_note(m: &Measurements) -> String {
    let s = &m.settings;
    let worst = m
        .runs
        .iter()
        .map(|r| {
            (
                (r.prototype_rate - (r.kappa - 1.0) / (r.kappa + 1.0)).abs(),
                r,
            )
        })
        .max_by(|a, b| a.0.total_cmp(&b.0));
    let n_max = s.dims.iter().copied().max().unwrap_or(0);
    let (deviation, kappa, n) = worst.map_or((f64::NAN, f64::NAN, 0), |(d, r)| (d, r.kappa, r.n));
    format!(
        "A window ending at ‖e‖ < {} (the prototype's, docs/claims.md) is too early: with n = {n_max} the \
         eigenvalues next to 1 and κ (κ^(1/{m}) and κ^({l}/{m})) decay almost as slowly as the extreme ones, \
         and their share there still moves the mean ratio: measured with that window end, the largest \
         deviation from (κ − 1)/(κ + 1) is {} (κ = {}, n = {n}; two significant digits). Since w* = 0 \
         exactly, the iterates carry no rounding floor, so the window here runs down to {} (squares stay \
         normal numbers; or the run's end), where only the extreme directions remain.",
        fmt_num(PROTOTYPE_FLOOR),
        fmt_num(round_sig(deviation, 2, Rounding::Nearest)),
        fmt_num(kappa),
        fmt_num(s.rate_floor),
        m = n_max.saturating_sub(1),
        l = n_max.saturating_sub(2),
    )
}

fn rate_table(m: &Measurements) -> Table {
    let mut table = Table::new(
        "Equivariance and rate",
        &[
            "κ",
            "n",
            "a_ii range",
            "max_k ‖w_k^(A) − Q w_k^(D)‖/‖w_0‖",
            "rate predicted",
            "rate measured",
            "|measured − predicted|",
        ],
    );
    for r in &m.runs {
        let predicted = spectral_factor(&r.eigenvalues, 2.0 / (1.0 + r.kappa));
        let lo = min_or_nan(r.diagonal.iter().copied());
        let hi = max_or_nan(r.diagonal.iter().copied());
        table.push(vec![
            fmt_num(r.kappa),
            r.n.to_string(),
            format!("[{}, {}]", fmt_num(lo), fmt_num(hi)),
            fmt_below(r.equivariance, ROUNDOFF_FLOOR),
            fmt_num(predicted),
            fmt_num(r.rate),
            fmt_below((r.rate - predicted).abs(), ROUNDOFF_FLOOR),
        ]);
    }
    table
}

fn limit_table(m: &Measurements) -> Table {
    let s = &m.settings;
    let f = fmt_num(s.limit_fraction);
    let eta_diag = format!("η_d = {f}/max_i a_ii");
    let eta_eig = format!("η_λ = {f}/λ_max");
    let mut table = Table::new(
        "The step limit is set by λ_max, not by the diagonal entries",
        &[
            "κ",
            "n",
            "max_i a_ii",
            "2/max_i a_ii",
            "λ_max",
            "2/λ_max",
            &eta_diag,
            "max_i|1 − η_dλ_i|",
            "rate measured at η_d",
            &eta_eig,
            "max_i|1 − η_λλ_i|",
            "rate measured at η_λ",
        ],
    );
    for r in m.runs.iter() {
        let Some((diag_rate, eig_rate)) = r.limit_rates else {
            continue;
        };
        let (max_diag, lambda_max, eta_d, eta_e) = limit_steps(s, r);
        table.push(vec![
            fmt_num(r.kappa),
            r.n.to_string(),
            fmt_num(max_diag),
            fmt_num(2.0 / max_diag),
            fmt_num(lambda_max),
            fmt_num(2.0 / lambda_max),
            fmt_num(eta_d),
            fmt_num(spectral_factor(&r.eigenvalues, eta_d)),
            fmt_num(diag_rate),
            fmt_num(eta_e),
            fmt_num(spectral_factor(&r.eigenvalues, eta_e)),
            fmt_num(eig_rate),
        ]);
    }
    table
}

fn error_chart(m: &Measurements) -> LineChart {
    let n_max = m.settings.dims.iter().copied().max().unwrap_or(0);
    let mut chart = LineChart::new(
        "‖w_k − w*‖/‖w_0‖ on A = QDQᵀ (GD, η = 2/(1+κ))",
        Axis::linear("iteration k"),
        Axis::log("‖e_k‖/‖e_0‖").range(1e-16, 10.0),
    );
    for r in m.runs.iter().filter(|r| r.n == n_max) {
        chart = chart.with(Series::line(
            format!("n = {}, κ = {}", r.n, fmt_num(r.kappa)),
            indexed(
                &r.distances
                    .iter()
                    .map(|d| d / r.distances[0])
                    .collect::<Vec<_>>(),
            ),
        ));
    }
    chart
}

#[cfg(test)]
mod tests {
    use super::{Measurements, Settings, assess, measure};
    use crate::experiments::common::perturb::{every_case_turns, turns};

    /// Every claim check of E10 turns when its measurement (or, for the step
    /// limit, a setting) is perturbed.
    #[test]
    fn checks_can_fail() {
        let limited = |b: &Measurements| b.runs.iter().position(|r| r.limit_rates.is_some());
        let m = measure(&Settings::default());
        every_case_turns(
            &m,
            assess,
            &[
                // A rate off by 1e-5 (ten times the 1e-6 tolerance), κ = 100, n = 2.
                (
                    "κ = 100, n = 2: measured asymptotic rate",
                    &|b: &mut Measurements| b.runs[1].rate += 1e-5,
                ),
                // An equivariance error of 1e-10: a rotation applied with 1e-10 error.
                ("max over all runs of max_k", &|b: &mut Measurements| {
                    b.runs[4].equivariance = 1e-10
                }),
                // A converging run at η = 1.9/λ_max read as growing by 1.01 per step.
                ("eigenvalues decide", &|b: &mut Measurements| {
                    let i = limited(b).unwrap();
                    b.runs[i].limit_rates = b.runs[i].limit_rates.map(|(d, _)| (d, 1.01));
                }),
            ],
        );
        // A setting: f = 0.5 (κ = 10, n = 50) gives η = 0.5/max a_ii =
        // 0.5/4.79 = 0.104 < 2/λ_max = 0.2, so the diagonal-side run
        // converges (factor max|1 − ηλ_i| = 0.9) and "diverges" fails.
        let mild = measure(&Settings {
            dims: vec![50],
            kappas: vec![10.0],
            iterations: 2000,
            limit_fraction: 0.5,
            ..Settings::default()
        });
        turns(&assess(&m), &assess(&mild), "diagonal entries irrelevant");
    }
}
