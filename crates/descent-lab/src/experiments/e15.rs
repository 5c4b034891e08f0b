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

/// Iterates at the end of a run over which a bounded run's slow contraction
/// (and a chaotic run's band) is measured.
const TAIL: usize = 1000;

/// Where a run ended.
#[derive(Debug, Clone, PartialEq)]
enum Final {
    /// Within 1e-9 of the sharp minimum.
    Local,
    /// Within 1e-9 of the wide minimum.
    Global,
    /// `|w| > 10⁶` or the runner stopped it.
    Diverged,
    /// The last iterates repeat with period p to 1e-9.
    Cycle(usize),
    /// Still approaching `w_min` with measured contraction `rate < 1` per step.
    ConvergingSlowly { rate: f64 },
    /// Bounded and irregular: its iterates depend on the last bits (chaos),
    /// so only the band they fill is reported, rounded outward.
    Bounded { lo: f64, hi: f64 },
}

impl Final {
    fn label(&self) -> String {
        match self {
            Final::Local => "local".into(),
            Final::Global => "global".into(),
            Final::Diverged => "diverged".into(),
            Final::Cycle(p) => format!("cycle({p})"),
            Final::ConvergingSlowly { rate } => {
                format!("converging slowly (|e_{{k+1}}/e_k| ≈ {})", fmt_num(*rate))
            }
            Final::Bounded { .. } => "bounded, irregular".into(),
        }
    }
}

/// Round `x` down (`up = false`) or up to two significant digits.
fn round_2sig(x: f64, up: bool) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let unit = 10f64.powi(x.abs().log10().floor() as i32 - 1);
    let q = x / unit;
    (if up { q.ceil() } else { q.floor() }) * unit
}

fn classify(path: &[f64], diverged: bool, w_loc: f64, w_glob: f64) -> Final {
    let last = *path.last().expect("at least x0");
    if diverged || last.abs() > 1e6 {
        return Final::Diverged;
    }
    if (last - w_loc).abs() < 1e-9 {
        return Final::Local;
    }
    if (last - w_glob).abs() < 1e-9 {
        return Final::Global;
    }
    let n = path.len();
    for p in 1..=64.min(n - 1) {
        if (1..=p.max(8)).all(|j| j + p < n && (path[n - j] - path[n - j - p]).abs() < 1e-9) {
            return Final::Cycle(p);
        }
    }
    // Contraction towards the nearer minimum over the last TAIL steps: the
    // geometric mean of |e_{k+1}/e_k|, and every two-step ratio below 1
    // (monotone shrinking of |e| across oscillations).
    let w_min = if (last - w_loc).abs() < (last - w_glob).abs() {
        w_loc
    } else {
        w_glob
    };
    let tail = &path[n.saturating_sub(TAIL + 1)..];
    let e: Vec<f64> = tail.iter().map(|w| (w - w_min).abs()).collect();
    let shrinking = e.len() > 2 && e.windows(3).all(|w| w[2] < w[0]);
    if shrinking {
        let m = (e.len() - 1) as f64;
        let rate = (e[e.len() - 1] / e[0]).powf(1.0 / m);
        return Final::ConvergingSlowly { rate };
    }
    let (lo, hi) = tail
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &w| {
            (a.min(w), b.max(w))
        });
    Final::Bounded {
        lo: round_2sig(lo, false),
        hi: round_2sig(hi, true),
    }
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
    report.note(format!(
        "Final state: local/global if |w_K − w_min| < 1e-9; cycle(p) if the last iterates repeat with period p ≤ 64 \
         to 1e-9; diverged if the run diverged or |w| > 1e6; converging slowly if, over the last {TAIL} steps, \
         |w_k − w_min| shrinks at every second step (rate: the geometric mean of |e_{{k+1}}/e_k| over them; \
         linear theory |1 − ηf″(w_min)|); otherwise bounded, irregular. An irregular run is chaotic (one ulp \
         changes its iterates), so only the band its last {TAIL} iterates fill is shown, rounded outward to two \
         significant digits."
    ));

    let mut table = Table::new(
        "Final state by η",
        &[
            "η",
            "η·f″(w_loc)/2",
            "η·f″(w_glob)/2",
            "final state",
            "|1 − ηf″(w_loc)|",
            "final w",
        ],
    );
    let mut finals = Vec::new();
    let mut tails = Vec::new();
    let mut bands = Vec::new();
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
        let final_w = match state {
            Final::Bounded { lo, hi } => {
                bands.push(Series::line(
                    format!("η = {}: band of an irregular run", fmt_num(eta)),
                    vec![(eta, lo), (eta, hi)],
                ));
                format!("bounded in [{}, {}]", fmt_num(lo), fmt_num(hi))
            }
            _ => {
                for w in ws.iter().rev().take(16) {
                    tails.push((eta, *w));
                }
                fmt_num(last)
            }
        };
        table.push(vec![
            fmt_num(eta),
            fmt_num(eta * c_loc / 2.0),
            fmt_num(eta * c_glob / 2.0),
            state.label(),
            fmt_num((1.0 - eta * c_loc).abs()),
            final_w,
        ]);
        finals.push((eta, state, last));
    }
    report.tables.push(table);
    let mut chart = LineChart::new(
        "Final iterates (last 16) vs η",
        Axis::log("η"),
        // Headroom above the wide well (w = 4) keeps the legend off the points.
        Axis::linear("w").range(-1.0, 6.5),
    )
    .with(Series::new(
        "last 16 iterates (regular runs)",
        tails,
        Style::Markers,
    ))
    .with_vertical_line(
        2.0 / c_loc,
        format!("2/f″(w_loc) = {}", fmt_num(2.0 / c_loc)),
    )
    .with_vertical_line(
        2.0 / c_glob,
        format!("2/f″(w_glob) = {}", fmt_num(2.0 / c_glob)),
    );
    for band in bands {
        chart = chart.with(band);
    }
    report.figure("basins", "Where GD ends vs η (log axis): sharp well, oscillation in it, escape to the wide well, divergence", chart.to_svg());

    // Every η of a check's set must have been run: a missing one is listed as
    // an exception, so a check cannot pass on an empty set.
    let list = |set: &[f64], ok: &dyn Fn(&(f64, Final, f64)) -> bool| {
        let bad: Vec<String> = set
            .iter()
            .filter_map(|eta| match finals.iter().find(|x| x.0 == *eta) {
                None => Some(format!("η = {} (not run)", fmt_num(*eta))),
                Some(x) if !ok(x) => Some(format!("η = {} ({})", fmt_num(*eta), x.1.label())),
                Some(_) => None,
            })
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
        // NaN (fails the check) if η = 21 was not run.
        finals
            .iter()
            .find(|x| x.0 == 21.0)
            .map_or(f64::NAN, |x| x.2.abs()),
        1e6,
    ));
    report.check(Check::within("2/f″(w_loc)", 2.0 / c_loc, 0.165010, 1e-5));
    report.check(Check::within("2/f″(w_glob)", 2.0 / c_glob, 20.0, 1e-5));
    report
}
