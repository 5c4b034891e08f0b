//! E16 — decaying step sizes on deterministic GD: closed-form limits.
//!
//! On `E = ½aw²`, `w_K = Π_{k<K}(1 − aη_k)` exactly. With `c = aη₀`:
//! η₀/(k+1) gives `Γ(K+1−c)/(Γ(1−c)Γ(K+1)) ~ K^{−c}/Γ(1−c)` (polynomial
//! convergence, also for a start above 2η_opt, c > 2); η₀/(k+1)² stalls at
//! `sin(π√c)/(π√c)`; η₀e^{−βk} stalls at `Π_{k≥0}(1 − c e^{−βk})`; a constant
//! gives `(1 − c)^K`. The iterate moves at most `B·Σηₖ` (B bounds |E′| on the path).

use descent_core::analysis::max_or_nan;
use descent_gd::{GradientDescent, Schedule};
use descent_problems::Quadratic;

use super::common::{fixed_length, log_spaced, run, with_figures_and_checks};
use crate::plot::{Axis, LineChart, Series};
use crate::report::{Check, Report, Table};
use crate::{ROUNDOFF_FLOOR, fmt_below, fmt_list, fmt_num};

super::registry_entry!(
    "E16",
    "decaying-schedules",
    "Decaying step sizes on deterministic GD: closed-form limits"
);

/// Settings of E16 (defaults: the setup of docs/claims.md).
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
    /// Values c = aη₀ > 2 (a first step above 2η_opt) of the harmonic schedule
    /// η₀/(k+1): non-integers, so no factor 1 − c/(k+1) is exactly 0.
    pub above_cs: Vec<f64>,
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
            above_cs: vec![2.5, 5.5],
            horizon: 100_000,
        }
    }
}

/// The schedule families of E16.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
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

/// The closed forms of docs/claims.md (E16, reference values) typed to 7
/// significant digits, as an independent cross-check:
/// (family, c, β, value at K = 10⁵ or the limit).
const REFERENCE: [(Family, f64, Option<f64>, f64); 9] = [
    (Family::Harmonic, 0.5, None, 1.784122e-3),
    (Family::Harmonic, 0.9, None, 3.323986e-6),
    (Family::Harmonic, 2.5, None, 1.338118e-13),
    (Family::Harmonic, 5.5, None, -5.269394e-27),
    (Family::InverseSquare, 0.5, None, 0.3581878),
    (Family::InverseSquare, 0.9, None, 0.05385854),
    (Family::Exponential, 0.5, Some(0.1), 2.076017e-3),
    (Family::Exponential, 0.5, Some(0.5), 0.2118669),
    (Family::Exponential, 0.9, Some(0.5), 0.01759068),
];

/// `ln |Γ(x)|` for x > 0 by the Lanczos approximation (g = 7, 9 terms;
/// relative error ≈ 1e-15), and for non-integer x < 0.5 by the reflection
/// `Γ(x)Γ(1 − x) = π / sin(πx)`. Reference: Press et al., *Numerical Recipes* §6.1.
fn ln_abs_gamma(x: f64) -> f64 {
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
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin())
            .abs()
            .ln()
            - ln_abs_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut sum = P[0];
    for (i, p) in P.iter().enumerate().skip(1) {
        sum += p / (x + i as f64);
    }
    let t = x + 7.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

/// The sign of Γ(x): +1 for x > 0; for non-integer x < 0 that of sin(πx)
/// (by the reflection formula, Γ(1 − x) > 0).
fn gamma_sign(x: f64) -> f64 {
    if x > 0.0 {
        1.0
    } else {
        (std::f64::consts::PI * x).sin().signum()
    }
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

/// One run of one schedule and what was measured on it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunOutcome {
    /// The schedule family.
    pub family: Family,
    /// c = aη₀.
    pub c: f64,
    /// β of the exponential schedule.
    pub beta: Option<f64>,
    /// Σ_{k<K} aη_k.
    pub sum: f64,
    /// w_K of the optimiser.
    pub measured: f64,
    /// w_0 Π_{k<K}(1 − aη_k), multiplied out.
    pub product: f64,
    /// The closed form at K.
    pub closed_form: f64,
    /// The K → ∞ limit.
    pub limit: f64,
    /// The reach B·Σ_{k<K}η_k with B = max_{k<K}|E′(w_k)| = a·max_{k<K}|w_k|.
    pub reach: f64,
    /// The distance travelled |w_K − w_0|.
    pub distance: f64,
    /// max_{k≤K} |w_k|.
    pub peak: f64,
    /// The product's prediction of the peak: |w_0| Π|1 − aη_k| over the
    /// leading steps with |1 − aη_k| > 1.
    pub predicted_peak: f64,
    /// (k + 1, |w_k|) at log-spaced k, for the figures.
    pub path: Vec<(f64, f64)>,
}

/// Everything E16 measured, with the settings it was measured with.
#[derive(Debug, Clone, PartialEq)]
pub struct Measurements {
    /// The settings of the runs.
    pub settings: Settings,
    /// Per c: (a), (b), (c) per β, (d); then (a) for every c of `above_cs`.
    pub runs: Vec<RunOutcome>,
}

/// The closed form at K and the K → ∞ limit of one schedule.
fn closed_form(s: &Settings, family: Family, c: f64, beta: Option<f64>) -> (f64, f64) {
    match family {
        Family::Harmonic => {
            let z = (s.horizon + 1) as f64;
            let magnitude = (ln_gamma_ratio(z, c) - ln_abs_gamma(1.0 - c)).exp();
            (s.w0 * gamma_sign(1.0 - c) * magnitude, 0.0)
        }
        Family::InverseSquare => {
            let r = std::f64::consts::PI * c.sqrt();
            (s.w0 * r.sin() / r, s.w0 * r.sin() / r)
        }
        Family::Exponential => {
            let beta = beta.expect("the exponential family carries β");
            (s.w0 * q_pochhammer(c, beta), s.w0 * q_pochhammer(c, beta))
        }
        Family::Constant => (s.w0 * (1.0 - c).powi(s.horizon as i32), 0.0),
    }
}

/// The schedules of the settings: (family, c, β, schedule).
fn schedules(s: &Settings) -> Vec<(Family, f64, Option<f64>, Schedule)> {
    let mut out = Vec::new();
    for &c in &s.cs {
        let eta0 = c / s.a;
        out.push((Family::Harmonic, c, None, Schedule::harmonic(eta0)));
        let inverse_square = Schedule::inverse_time(eta0, 1.0, 2.0);
        out.push((Family::InverseSquare, c, None, inverse_square));
        for &beta in &s.betas {
            let exponential = Schedule::exponential(eta0, beta);
            out.push((Family::Exponential, c, Some(beta), exponential));
        }
        out.push((Family::Constant, c, None, Schedule::constant(eta0)));
    }
    for &c in &s.above_cs {
        out.push((Family::Harmonic, c, None, Schedule::harmonic(c / s.a)));
    }
    out.into_iter()
        .map(|(f, c, b, schedule)| (f, c, b, schedule.expect("valid schedule")))
        .collect()
}

fn measure_one(
    s: &Settings,
    family: Family,
    c: f64,
    beta: Option<f64>,
    sch: &Schedule,
) -> RunOutcome {
    let k_max = s.horizon;
    let mut q = Quadratic::one_d(s.a, 0.0).expect("valid");
    let mut gd = GradientDescent::with_learning_rate(sch.clone());
    let ws = run(&mut q, &mut gd, &[s.w0], &fixed_length(k_max)).scalars();
    let factors: Vec<f64> = (0..k_max)
        .map(|k| 1.0 - s.a * sch.learning_rate(k))
        .collect();
    let growing = factors.iter().take_while(|f| f.abs() > 1.0);
    let (closed_form, limit) = closed_form(s, family, c, beta);
    let eta_sum = sch.partial_sum(k_max).0;
    let largest = max_or_nan(ws[..k_max].iter().map(|w| w.abs()));
    RunOutcome {
        family,
        c,
        beta,
        sum: s.a * eta_sum,
        measured: ws[k_max],
        product: s.w0 * factors.iter().product::<f64>(),
        closed_form,
        limit,
        reach: s.a * largest * eta_sum,
        distance: (ws[k_max] - s.w0).abs(),
        peak: max_or_nan(ws.iter().map(|w| w.abs())),
        predicted_peak: s.w0.abs() * growing.map(|f| f.abs()).product::<f64>(),
        path: log_spaced(ws.len())
            .into_iter()
            .map(|k| ((k + 1) as f64, ws[k].abs()))
            .collect(),
    }
}

/// Run GD under every schedule of the settings for K steps.
pub fn measure(s: &Settings) -> Measurements {
    Measurements {
        settings: s.clone(),
        runs: schedules(s)
            .iter()
            .map(|(family, c, beta, sch)| measure_one(s, *family, *c, *beta, sch))
            .collect(),
    }
}

/// Run E16: measure, assess, present.
pub fn run_with(s: &Settings) -> Report {
    let m = measure(s);
    let checks = assess(&m);
    present(&m, checks)
}

/// "(b) c = 0.5" / "(c) c = 0.5, β = 0.1" / "(a) c = 2.5".
fn case_name(r: &RunOutcome) -> String {
    let letter = match r.family {
        Family::Harmonic => "(a)",
        Family::InverseSquare => "(b)",
        Family::Exponential => "(c)",
        Family::Constant => "(d)",
    };
    match r.beta {
        Some(b) => format!("{letter} c = {}, β = {}", fmt_num(r.c), fmt_num(b)),
        None => format!("{letter} c = {}", fmt_num(r.c)),
    }
}

/// The claim checks of each run's closed form or limit.
fn limit_checks(m: &Measurements) -> Vec<Check> {
    let k_max = m.settings.horizon as f64;
    let mut checks = Vec::new();
    for r in &m.runs {
        match r.family {
            Family::Harmonic => checks.push(Check::within_relative(
                format!("{}: w_K vs the Γ formula", case_name(r)),
                r.measured,
                r.closed_form,
                1e-9,
            )),
            Family::InverseSquare | Family::Exponential => checks.push(Check::at_most(
                format!(
                    "{}: |w_K − limit| (bound 2c/K·|limit| + 1e-12)",
                    case_name(r)
                ),
                (r.measured - r.limit).abs(),
                2.0 * r.c / k_max * r.limit.abs() + 1e-12,
            )),
            Family::Constant => {}
        }
    }
    checks
}

/// The claim checks of the reach bound and of the start above 2η_opt.
fn reach_checks(m: &Measurements) -> Vec<Check> {
    let s = &m.settings;
    let distance_to_min = s.w0.abs();
    let short: Vec<&RunOutcome> = m
        .runs
        .iter()
        .filter(|r| r.reach < distance_to_min)
        .collect();
    let mut checks = vec![
        Check::at_most(
            "every run: max of |w_K − w_0| / (B·Σ_{k<K}η_k), B = max_{k<K}|E′(w_k)|",
            max_or_nan(m.runs.iter().map(|r| r.distance / r.reach)),
            1.0,
        ),
        Check::at_most(
            format!(
                "runs whose reach B·Σ_{{k<K}}η_k < |w_0 − w*| ({}: {}): max (|w_0 − w*| − reach)/|w_K − w*| \
                 (they stall short of the minimum; NaN: no such run)",
                short.len(),
                short
                    .iter()
                    .map(|r| case_name(r))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            max_or_nan(
                short
                    .iter()
                    .map(|r| (distance_to_min - r.reach) / r.measured.abs()),
            ),
            1.0,
        ),
    ];
    for r in m.runs.iter().filter(|r| s.above_cs.contains(&r.c)) {
        checks.push(Check::greater_than(
            format!(
                "{} (η₀ = {}·2η_opt): the first iterates grow, max_k |w_k|/|w_0|",
                case_name(r),
                fmt_num(r.c / 2.0)
            ),
            r.peak / s.w0.abs(),
            1.0,
        ));
        checks.push(Check::within_relative(
            format!(
                "{}: max_k |w_k| vs the product of the leading factors |1 − aη_k| > 1",
                case_name(r)
            ),
            r.peak,
            r.predicted_peak,
            1e-12,
        ));
    }
    checks
}

/// The checks of E16, judged from the measurements alone.
pub fn assess(m: &Measurements) -> Vec<Check> {
    let mut checks = limit_checks(m);
    checks.extend(reach_checks(m));
    let product_dev = max_or_nan(m.runs.iter().map(|r| {
        if r.product == 0.0 {
            r.measured.abs()
        } else {
            ((r.measured - r.product) / r.product).abs()
        }
    }));
    checks.push(
        Check::at_most(
            "max over runs of |w_K − Π(1 − aη_k)|/|Π(1 − aη_k)|",
            product_dev,
            1e-12,
        )
        .consistency(),
    );
    for (family, c, beta, value) in REFERENCE {
        // A reference case the settings did not run compares NaN, so its check fails.
        let closed_form = m
            .runs
            .iter()
            .find(|r| r.family == family && r.c == c && r.beta == beta)
            .map_or(f64::NAN, |r| r.closed_form);
        let name = format!(
            "closed form = the reference value {} of docs/claims.md ({}, c = {}{})",
            fmt_num(value),
            family.label(),
            fmt_num(c),
            beta.map_or(String::new(), |b| format!(", β = {}", fmt_num(b)))
        );
        checks.push(Check::within_relative(name, closed_form, value, 1e-6).consistency());
    }
    checks
}

/// The report of E16 from its measurements and checks.
fn present(m: &Measurements, checks: Vec<Check>) -> Report {
    let s = &m.settings;
    let mut report = Report::for_experiment(
        &EXPERIMENT,
        "Decaying schedules η₀/(k+1), η₀/(k+1)², η₀e^{−βk} on deterministic GD: with |E′| ≤ B the \
         iterate moves at most B·Σηₖ, so the summable ones stall at a closed-form limit while the \
         harmonic one converges, only polynomially, even when its first steps exceed 2η_opt.",
        "lecture notes",
    );
    report.setup("E(w)", format!("½aw², a = {}", fmt_num(s.a)));
    report.setup("w_0", fmt_num(s.w0));
    report.setup("c = aη₀", fmt_list(&s.cs));
    report.setup("β", fmt_list(&s.betas));
    report.setup("c = aη₀ > 2 (harmonic only)", fmt_list(&s.above_cs));
    report.setup("K", s.horizon.to_string());
    report.setup(
        "optimiser",
        "descent_gd::GradientDescent::with_learning_rate(descent_schedule::Schedule)",
    );
    report.note(
        "Theory: w_K = w_0 Π_{k<K}(1 − aη_k). (a) η₀/(k+1): Γ(K+1−c)/(Γ(1−c)Γ(K+1)) ~ K^{−c}/Γ(1−c), \
         evaluated as sign(Γ(1−c))·exp(lnΓ(K+1−c) − lnΓ(K+1) − ln|Γ(1−c)|) with a Stirling-series difference \
         for the large arguments and Lanczos (with the reflection formula for 1 − c < 0.5) for Γ(1−c). \
         (b) η₀/(k+1)²: Σηₖ < ∞, stalls at sin(π√c)/(π√c). (c) η₀e^{−βk}: stalls at the q-Pochhammer \
         product Π_{k≥0}(1 − c e^{−βk}). (d) constant: (1 − c)^K.",
    );
    report.note(
        "Reach: |w_K − w_0| ≤ Σ_{k<K}η_k|E′(w_k)| ≤ B·Σ_{k<K}η_k with B = max_{k<K}|E′(w_k)| = a·max_{k<K}|w_k| \
         (measured on the path); a run whose reach is below the distance |w_0 − w*| to the minimum cannot get \
         there. Start above 2η_opt (c > 2): |1 − c/(k+1)| > 1 while k + 1 < c/2, so |w| first grows by the \
         product of those factors, then the harmonic steps fall below 2/a and the Γ formula still holds \
         (non-integer c).",
    );
    report.tables.push(table(m));
    with_figures_and_checks(report, figures(m), checks)
}

fn table(m: &Measurements) -> Table {
    let mut table = Table::new(
        format!("w_K at K = {}", m.settings.horizon),
        &[
            "schedule",
            "c",
            "β",
            "Σ_{k<K} aη_k",
            "w_K (GD)",
            "Π(1 − aη_k)",
            "closed form",
            "K → ∞ limit",
            "max_k |w_k|",
            "reach B·Σ_{k<K}η_k",
            "|w_K − w_0|",
        ],
    );
    for r in &m.runs {
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
            fmt_num(r.peak),
            fmt_num(r.reach),
            fmt_num(r.distance),
        ]);
    }
    table
}

fn series_name(r: &RunOutcome) -> String {
    match r.beta {
        Some(b) => format!("{} (β = {})", r.family.label(), fmt_num(b)),
        None => format!("{} (c = {})", r.family.label(), fmt_num(r.c)),
    }
}

fn figures(m: &Measurements) -> Vec<(&'static str, String, String)> {
    let s = &m.settings;
    let c0 = s.cs[0];
    let mut chart = LineChart::new(
        format!("|w_k| under decaying schedules (c = {})", fmt_num(c0)),
        Axis::log("k + 1"),
        Axis::log("|w_k|").range(1e-12, 2.0),
    );
    for r in m.runs.iter().filter(|r| r.c == c0) {
        chart = chart.with(Series::line(series_name(r), r.path.clone()));
    }
    let mut above = LineChart::new(
        "|w_k| under η₀/(k+1) with a first step above 2η_opt",
        Axis::log("k + 1"),
        Axis::log("|w_k|"),
    );
    for r in m.runs.iter().filter(|r| s.above_cs.contains(&r.c)) {
        above = above.with(Series::line(series_name(r), r.path.clone()));
    }
    vec![
        (
            "decay",
            "log|w_k| vs log k: the harmonic schedule falls as a power of k, the summable ones level off"
                .to_owned(),
            chart.to_svg(),
        ),
        (
            "above",
            format!(
                "Harmonic schedule with c = aη₀ ∈ {{{}}}: |w| first grows (steps above 2η_opt), then falls as K^{{−c}}",
                fmt_list(&s.above_cs)
            ),
            above.to_svg(),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::{Family, Measurements, RunOutcome, Settings, assess, measure};
    use crate::experiments::common::perturb::turns_when;

    /// The run of `family` at c (and β).
    fn at(m: &mut Measurements, family: Family, c: f64, beta: Option<f64>) -> &mut RunOutcome {
        let found = m.runs.iter_mut();
        let mut found = found.filter(|r| r.family == family && r.c == c && r.beta == beta);
        found.next().expect("a run of the settings")
    }

    /// Every claim check of E16 turns when one measurement is perturbed.
    #[test]
    fn checks_can_fail() {
        // K = 10⁴ keeps the test fast; every check's bound scales with K.
        let s = Settings {
            horizon: 10_000,
            ..Settings::default()
        };
        let m = measure(&s);
        // w_K of (a) c = 0.9 off by 1e-6 relative > 1e-9.
        turns_when(&m, assess, "(a) c = 0.9: w_K vs the Γ formula", |bad| {
            at(bad, Family::Harmonic, 0.9, None).measured *= 1.0 + 1e-6;
        });
        // (b) c = 0.5 ending 1e-3 above its limit: 2c/K·limit = 3.6e-5 < 1e-3.
        turns_when(&m, assess, "(b) c = 0.5: |w_K − limit|", |bad| {
            at(bad, Family::InverseSquare, 0.5, None).measured += 1e-3;
        });
        // (c) c = 0.9, β = 0.5 ending at 0 (as if it had converged).
        turns_when(&m, assess, "(c) c = 0.9, β = 0.5: |w_K − limit|", |bad| {
            at(bad, Family::Exponential, 0.9, Some(0.5)).measured = 0.0;
        });
        // A run that travelled twice its reach.
        turns_when(&m, assess, "every run: max of |w_K − w_0|", |bad| {
            let r = at(bad, Family::Exponential, 0.5, Some(0.5));
            r.distance = 2.0 * r.reach;
        });
        // (b) c = 0.5 (reach 0.82 < 1) ending within 1e-3 of the minimum:
        // (1 − 0.82)/1e-3 ≈ 180 > 1.
        turns_when(&m, assess, "(they stall short of the minimum", |bad| {
            at(bad, Family::InverseSquare, 0.5, None).measured = 1e-3;
        });
        // c = 2.5 never growing (peak |w_0| = 1): not > 1.
        turns_when(&m, assess, "(a) c = 2.5 (η₀ = 1.25·2η_opt)", |bad| {
            at(bad, Family::Harmonic, 2.5, None).peak = 1.0;
        });
        // c = 5.5 peaking at 7.9 instead of 4.5·1.75 = 7.875.
        turns_when(
            &m,
            assess,
            "(a) c = 5.5: max_k |w_k| vs the product",
            |bad| {
                at(bad, Family::Harmonic, 5.5, None).peak = 7.9;
            },
        );
    }
}
