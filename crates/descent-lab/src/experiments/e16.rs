//! E16 — decaying step sizes on deterministic GD: closed-form limits.
//!
//! On `E = ½aw²`, `w_K = Π_{k<K}(1 − aη_k)` exactly. With `c = aη₀`:
//! η₀/(k+1) gives `Γ(K+1−c)/(Γ(1−c)Γ(K+1)) ~ K^{−c}/Γ(1−c)` (polynomial
//! convergence); η₀/(k+1)² stalls at `sin(π√c)/(π√c)`; η₀e^{−βk} stalls at
//! `Π_{k≥0}(1 − c e^{−βk})`; a constant gives `(1 − c)^K`.

use descent_gd::{GradientDescent, Schedule};
use descent_problems::Quadratic;

use super::common::{fixed_length, log_spaced, run};
use crate::plot::{Axis, LineChart, Series};
use crate::registry::Experiment;
use crate::report::{Check, Report, Table};
use crate::{ROUNDOFF_FLOOR, fmt_below, fmt_list, fmt_num};

/// The registry entry.
pub(crate) const EXPERIMENT: Experiment = Experiment {
    id: "E16",
    slug: "decaying-schedules",
    title: "Decaying step sizes on deterministic GD: closed-form limits",
    run: || run_with(&Settings::default()),
};

/// Settings of E16 (defaults: the catalogue's).
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Curvature a.
    pub a: f64,
    /// Start w_0.
    pub w0: f64,
    /// Values of c = aη₀.
    pub cs: Vec<f64>,
    /// Decay rates β of the exponential schedule.
    pub betas: Vec<f64>,
    /// Horizon K.
    pub horizon: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            a: 1.0,
            w0: 1.0,
            cs: vec![0.5, 0.9],
            betas: vec![0.1, 0.5],
            horizon: 100_000,
        }
    }
}

/// The schedule families of E16.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    /// (a) η₀/(k+1).
    Harmonic,
    /// (b) η₀/(k+1)².
    InverseSquare,
    /// (c) η₀e^{−βk}.
    Exponential,
    /// (d) a constant η₀.
    Constant,
}

impl Family {
    fn label(self) -> &'static str {
        match self {
            Family::Harmonic => "η₀/(k+1)",
            Family::InverseSquare => "η₀/(k+1)²",
            Family::Exponential => "η₀e^{−βk}",
            Family::Constant => "constant η₀",
        }
    }
}

/// Values printed in the catalogue (EXPERIMENTS.md, E16), as an independent cross-check:
/// (family, c, β, value at K = 10⁵ or the limit).
const CATALOGUE: [(Family, f64, Option<f64>, f64); 7] = [
    (Family::Harmonic, 0.5, None, 1.784122e-3),
    (Family::Harmonic, 0.9, None, 3.323986e-6),
    (Family::InverseSquare, 0.5, None, 0.3581878),
    (Family::InverseSquare, 0.9, None, 0.0538585),
    (Family::Exponential, 0.5, Some(0.1), 2.076017e-3),
    (Family::Exponential, 0.5, Some(0.5), 0.2118669),
    (Family::Exponential, 0.9, Some(0.5), 0.0175907),
];

/// `ln Γ(x)` for x > 0 by the Lanczos approximation (g = 7, 9 terms; relative
/// error ≈ 1e-15). Reference: Press et al., *Numerical Recipes* §6.1.
fn ln_gamma(x: f64) -> f64 {
    const P: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x)Γ(1 − x) = π / sin(πx).
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut sum = P[0];
    for (i, p) in P.iter().enumerate().skip(1) {
        sum += p / (x + i as f64);
    }
    let t = x + 7.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

/// `ln Γ(z − c) − ln Γ(z)` for large z by the difference of Stirling series,
/// written so no large terms cancel: `(z − c − ½) ln(1 − c/z) − c ln z + c
/// + 1/(12(z−c)) − 1/(12z) − 1/(360(z−c)³) + 1/(360z³)`.
fn ln_gamma_ratio(z: f64, c: f64) -> f64 {
    let z1 = z - c;
    (z1 - 0.5) * (-c / z).ln_1p() - c * z.ln() + c + 1.0 / (12.0 * z1)
        - 1.0 / (12.0 * z)
        - 1.0 / (360.0 * z1.powi(3))
        + 1.0 / (360.0 * z.powi(3))
}

/// `Π_{k≥0} (1 − c q^k)` with `q = e^{−β}` (the q-Pochhammer symbol `(c; q)_∞`), summed in logs
/// until the terms fall below 1e-18.
fn q_pochhammer(c: f64, beta: f64) -> f64 {
    let mut log = 0.0;
    let mut k = 0usize;
    loop {
        let t = c * (-beta * k as f64).exp();
        if t < 1e-18 {
            break;
        }
        log += (-t).ln_1p();
        k += 1;
    }
    log.exp()
}

struct Row {
    family: Family,
    c: f64,
    beta: Option<f64>,
    sum: f64,
    measured: f64,
    product: f64,
    closed_form: f64,
    limit: f64,
    path: Vec<(f64, f64)>,
}

/// Run E16.
pub fn run_with(s: &Settings) -> Report {
    let e = &EXPERIMENT;
    let mut report = Report::new(
        e.id,
        e.slug,
        e.title,
        "Decaying schedules η₀/(k+1), η₀/(k+1)², η₀e^{−βk} on deterministic GD: the harmonic one \
         converges but only polynomially, the summable ones stall at a closed-form limit.",
        "lecture notes",
    );
    let k_max = s.horizon;
    report.setup("E(w)", format!("½aw², a = {}", fmt_num(s.a)));
    report.setup("w_0", fmt_num(s.w0));
    report.setup("c = aη₀", fmt_list(&s.cs));
    report.setup("β", fmt_list(&s.betas));
    report.setup("K", k_max.to_string());
    report.setup(
        "optimiser",
        "descent_gd::GradientDescent::with_learning_rate(descent_schedule::Schedule)",
    );
    report.note(
        "Theory: w_K = w_0 Π_{k<K}(1 − aη_k). (a) η₀/(k+1): Γ(K+1−c)/(Γ(1−c)Γ(K+1)) ~ K^{−c}/Γ(1−c), \
         evaluated as exp(lnΓ(K+1−c) − lnΓ(K+1) − lnΓ(1−c)) with a Stirling-series difference for the \
         large arguments and Lanczos for Γ(1−c). (b) η₀/(k+1)²: Σηₖ < ∞, stalls at sin(π√c)/(π√c). \
         (c) η₀e^{−βk}: stalls at the q-Pochhammer product Π_{k≥0}(1 − c e^{−βk}). (d) constant: (1 − c)^K.",
    );

    let mut rows = Vec::new();
    for &c in &s.cs {
        let eta0 = c / s.a;
        let mut schedules: Vec<(Family, Option<f64>, Schedule)> = vec![
            (
                Family::Harmonic,
                None,
                Schedule::harmonic(eta0).expect("valid"),
            ),
            (
                Family::InverseSquare,
                None,
                Schedule::inverse_time(eta0, 1.0, 2.0).expect("valid"),
            ),
        ];
        for &beta in &s.betas {
            schedules.push((
                Family::Exponential,
                Some(beta),
                Schedule::exponential(eta0, beta).expect("valid"),
            ));
        }
        schedules.push((
            Family::Constant,
            None,
            Schedule::constant(eta0).expect("valid"),
        ));
        for (family, beta, schedule) in schedules {
            let mut q = Quadratic::one_d(s.a, 0.0).expect("valid");
            let mut gd = GradientDescent::with_learning_rate(schedule.clone());
            let path = run(&mut q, &mut gd, &[s.w0], &fixed_length(k_max));
            let ws = path.scalars();
            let measured = ws[k_max];
            let product = s.w0
                * (0..k_max)
                    .map(|k| 1.0 - s.a * schedule.learning_rate(k))
                    .product::<f64>();
            let (closed_form, limit) = match family {
                Family::Harmonic => {
                    let z = (k_max + 1) as f64;
                    (s.w0 * (ln_gamma_ratio(z, c) - ln_gamma(1.0 - c)).exp(), 0.0)
                }
                Family::InverseSquare => {
                    let r = std::f64::consts::PI * c.sqrt();
                    (s.w0 * r.sin() / r, s.w0 * r.sin() / r)
                }
                Family::Exponential => {
                    let beta = beta.expect("the exponential family carries β");
                    (s.w0 * q_pochhammer(c, beta), s.w0 * q_pochhammer(c, beta))
                }
                Family::Constant => (s.w0 * (1.0 - c).powi(k_max as i32), 0.0),
            };
            let sum = s.a * schedule.partial_sum(k_max).0;
            let path = log_spaced(ws.len())
                .into_iter()
                .map(|k| ((k + 1) as f64, ws[k].abs()))
                .collect();
            rows.push(Row {
                family,
                c,
                beta,
                sum,
                measured,
                product,
                closed_form,
                limit,
                path,
            });
        }
    }

    let mut table = Table::new(
        format!("w_K at K = {k_max}"),
        &[
            "schedule",
            "c",
            "β",
            "Σ_{k<K} aη_k",
            "w_K (GD)",
            "Π(1 − aη_k)",
            "closed form",
            "K → ∞ limit",
        ],
    );
    let mut chart = LineChart::new(
        format!("|w_k| under decaying schedules (c = {})", fmt_num(s.cs[0])),
        Axis::log("k + 1"),
        Axis::log("|w_k|").range(1e-12, 2.0),
    );
    // NaN until a run is compared (`f64::max` skips the NaN start): no runs fails the check.
    let mut product_dev: f64 = f64::NAN;
    for r in &rows {
        // Values below the round-off floor (the constant step's w_K sits on a
        // subnormal, or 0, depending on how the last steps underflow) print as `< 1e-12`.
        table.push(vec![
            r.family.label().to_owned(),
            fmt_num(r.c),
            r.beta.map_or("—".into(), fmt_num),
            fmt_num(r.sum),
            fmt_below(r.measured, ROUNDOFF_FLOOR),
            fmt_below(r.product, ROUNDOFF_FLOOR),
            fmt_below(r.closed_form, ROUNDOFF_FLOOR),
            fmt_num(r.limit),
        ]);
        let dev = if r.product == 0.0 {
            r.measured.abs()
        } else {
            ((r.measured - r.product) / r.product).abs()
        };
        product_dev = product_dev.max(dev);
        if r.c == s.cs[0] {
            let name = match r.beta {
                Some(b) => format!("{} (β = {})", r.family.label(), fmt_num(b)),
                None => r.family.label().to_owned(),
            };
            chart = chart.with(Series::line(name, r.path.clone()));
        }
    }
    report.tables.push(table);
    report.figure("decay", "log|w_k| vs log k: the harmonic schedule falls as a power of k, the summable ones level off", chart.to_svg());
    report.check(Check::at_most(
        "max over runs of |w_K − Π(1 − aη_k)|/|Π(1 − aη_k)|",
        product_dev,
        1e-12,
    ));
    for r in &rows {
        match r.family {
            Family::Harmonic => report.check(Check::within_relative(
                format!("(a) c = {}: w_K vs the Γ formula", fmt_num(r.c)),
                r.measured,
                r.closed_form,
                1e-9,
            )),
            Family::InverseSquare | Family::Exponential => {
                let name = match r.beta {
                    Some(b) => format!("(c) c = {}, β = {}", fmt_num(r.c), fmt_num(b)),
                    None => format!("(b) c = {}", fmt_num(r.c)),
                };
                report.check(Check::at_most(
                    format!("{name}: |w_K − limit| (bound 2c/K·|limit| + 1e-12)"),
                    (r.measured - r.limit).abs(),
                    2.0 * r.c / k_max as f64 * r.limit.abs() + 1e-12,
                ))
            }
            Family::Constant => {}
        }
    }
    for (family, c, beta, value) in CATALOGUE {
        // A catalogue case the settings did not run compares NaN, so its check fails.
        let closed_form = rows
            .iter()
            .find(|r| r.family == family && r.c == c && r.beta == beta)
            .map_or(f64::NAN, |r| r.closed_form);
        report.check(Check::within_relative(
            format!(
                "closed form = the catalogue's {} ({}, c = {}{})",
                fmt_num(value),
                family.label(),
                fmt_num(c),
                beta.map_or(String::new(), |b| format!(", β = {}", fmt_num(b)))
            ),
            closed_form,
            value,
            1e-6,
        ));
    }
    report
}
