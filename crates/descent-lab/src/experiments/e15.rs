//! E15 — η > 2η_opt can escape a sharp local minimum.
//!
//! `f(w) = 0.05(w − 4)² − 0.5·exp(−w²/(2·0.2²))`: a sharp local minimum near 0
//! (`2/f″ ≈ 0.165`) and a flat global minimum at 4 (`2/f″ = 20`).

use descent_core::Termination;
use descent_core::analysis::window_rate;
use descent_gd::GradientDescent;
use descent_problems::one_d::{OneD, OneDObjective, SharpWideWell};
use descent_problems::surfaces::CriticalKind;

use super::common::{fixed_length, fmt_mismatches, run};
use crate::plot::{Axis, LineChart, Series, Style};
use crate::report::{Check, Report, Table};
use crate::{Rounding, fmt_list, fmt_num, round_sig};

super::registry_entry!(
    "E15",
    "escape-sharp-minimum",
    "η > 2η_opt can escape a sharp local minimum"
);

/// Settings of E15 (defaults: the setup and claim checks of docs/claims.md).
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Offset of the start from the sharp minimum.
    pub offset: f64,
    /// Iterations.
    pub iterations: usize,
    /// Step sizes.
    pub etas: Vec<f64>,
    /// η that must end within [`AT_MINIMUM`] of w_loc (below 2/f″(w_loc)).
    pub local_etas: Vec<f64>,
    /// η that must not end at w_loc (above 2/f″(w_loc)).
    pub unstable_etas: Vec<f64>,
    /// η that must end within [`AT_MINIMUM`] of w_glob (escaped, below 2/f″(w_glob)).
    pub global_etas: Vec<f64>,
    /// η that must diverge (above 2/f″(w_glob)).
    pub divergent_etas: Vec<f64>,
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
            local_etas: vec![0.05, 0.1, 0.15, 0.16],
            unstable_etas: vec![0.17, 0.2],
            global_etas: vec![0.5, 1.0, 2.0, 5.0, 10.0, 15.0, 19.0],
            divergent_etas: vec![21.0],
        }
    }
}

/// Iterates at the end of a run over which a bounded run's slow contraction
/// (and a chaotic run's band) is measured.
const TAIL: usize = 1000;

/// A run is at a minimum when its last iterate is within this of it.
const AT_MINIMUM: f64 = 1e-9;

/// A run has diverged when |w| exceeds this (or the runner stopped it).
const DIVERGED: f64 = 1e6;

/// Iterates drawn per run in the figure.
const DRAWN: usize = 16;

/// Where a run ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Final {
    /// Within [`AT_MINIMUM`] of the sharp minimum.
    Local,
    /// Within [`AT_MINIMUM`] of the wide minimum.
    Global,
    /// `|w| >` [`DIVERGED`] or the runner stopped it.
    Diverged,
    /// The last iterates repeat with period p to 1e-9.
    Cycle(usize),
    /// Still approaching `w_min` with measured contraction `rate < 1` per step.
    ConvergingSlowly {
        /// Geometric-mean |e_{k+1}/e_k| over the last [`TAIL`] steps.
        rate: f64,
    },
    /// Bounded and irregular: its iterates depend on the last bits (chaos),
    /// so only the band they fill is reported, rounded outward.
    Bounded {
        /// Lower end of the band.
        lo: f64,
        /// Upper end of the band.
        hi: f64,
    },
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

/// The critical points and curvatures of the problem.
#[derive(Debug, Clone, PartialEq)]
pub struct Minima {
    /// The sharp local minimum w_loc (the minimum nearest 0).
    pub w_loc: f64,
    /// The wide global minimum w_glob (the largest minimum).
    pub w_glob: f64,
    /// f″(w_loc).
    pub c_loc: f64,
    /// f″(w_glob).
    pub c_glob: f64,
}

fn minima(f: &SharpWideWell) -> Minima {
    let xs: Vec<f64> = f
        .critical_points()
        .into_iter()
        .filter(|p| p.kind == CriticalKind::Minimum)
        .map(|p| p.x[0])
        .collect();
    let w_loc = xs
        .iter()
        .copied()
        .fold(f64::INFINITY, |a, b| if b.abs() < a.abs() { b } else { a });
    let w_glob = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    Minima {
        w_loc,
        w_glob,
        c_loc: f.d2e(w_loc),
        c_glob: f.d2e(w_glob),
    }
}

fn classify(path: &[f64], diverged: bool, m: &Minima) -> Final {
    let last = *path.last().expect("at least x0");
    if diverged || last.abs() > DIVERGED {
        return Final::Diverged;
    }
    if (last - m.w_loc).abs() < AT_MINIMUM {
        return Final::Local;
    }
    if (last - m.w_glob).abs() < AT_MINIMUM {
        return Final::Global;
    }
    let n = path.len();
    for p in 1..=64.min(n - 1) {
        if (1..=p.max(8)).all(|j| j + p < n && (path[n - j] - path[n - j - p]).abs() < 1e-9) {
            return Final::Cycle(p);
        }
    }
    // Contraction towards the nearer minimum over the last TAIL steps: every
    // two-step ratio below 1 (monotone shrinking of |e| across oscillations),
    // rate the geometric mean of |e_{k+1}/e_k|.
    let w_min = if (last - m.w_loc).abs() < (last - m.w_glob).abs() {
        m.w_loc
    } else {
        m.w_glob
    };
    let tail = &path[n.saturating_sub(TAIL + 1)..];
    let e: Vec<f64> = tail.iter().map(|w| (w - w_min).abs()).collect();
    if e.len() > 2 && e.windows(3).all(|w| w[2] < w[0]) {
        if let Some(rate) = window_rate(&e, 0, e.len() - 1) {
            return Final::ConvergingSlowly { rate };
        }
    }
    let (lo, hi) = tail
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &w| {
            (a.min(w), b.max(w))
        });
    Final::Bounded {
        lo: round_sig(lo, 2, Rounding::Down),
        hi: round_sig(hi, 2, Rounding::Up),
    }
}

/// One run at one η.
#[derive(Debug, Clone, PartialEq)]
pub struct EtaRun {
    /// The step size.
    pub eta: f64,
    /// Where it ended.
    pub state: Final,
    /// The last (finite) iterate.
    pub last: f64,
    /// The last [`DRAWN`] iterates, newest first.
    pub tail: Vec<f64>,
}

/// Everything E15 measured, with the settings it was measured with.
#[derive(Debug, Clone, PartialEq)]
pub struct Measurements {
    /// The settings of the runs.
    pub settings: Settings,
    /// The problem's minima and curvatures.
    pub minima: Minima,
    /// One run per η of the settings.
    pub runs: Vec<EtaRun>,
}

/// Run GD at every η from w_loc + offset.
pub fn measure(s: &Settings) -> Measurements {
    let f = SharpWideWell::default();
    let minima = minima(&f);
    let runs = s
        .etas
        .iter()
        .map(|&eta| {
            let path = run(
                &mut OneDObjective(f),
                &mut GradientDescent::new(eta).expect("valid η"),
                &[minima.w_loc + s.offset],
                &fixed_length(s.iterations),
            );
            let diverged = matches!(path.result.termination, Termination::Diverged { .. });
            let ws = path.scalars();
            EtaRun {
                eta,
                state: classify(&ws, diverged, &minima),
                last: *ws.last().expect("x0"),
                tail: ws.iter().rev().take(DRAWN).copied().collect(),
            }
        })
        .collect();
    Measurements {
        settings: s.clone(),
        minima,
        runs,
    }
}

/// Run E15: measure, assess, present.
pub fn run_with(s: &Settings) -> Report {
    let m = measure(s);
    let checks = assess(&m);
    present(&m, checks)
}

/// The η of `set` whose run fails `ok` (or was not run), as "η = x (state)".
fn exceptions(m: &Measurements, set: &[f64], ok: &dyn Fn(&EtaRun) -> bool) -> String {
    let bad: Vec<String> = set
        .iter()
        .filter_map(|eta| match m.runs.iter().find(|r| r.eta == *eta) {
            None => Some(format!("η = {} (not run)", fmt_num(*eta))),
            Some(r) if !ok(r) => Some(format!("η = {} ({})", fmt_num(*eta), r.state.label())),
            Some(_) => None,
        })
        .collect();
    fmt_mismatches(&bad)
}

/// The checks of E15, judged from the measurements alone.
pub fn assess(m: &Measurements) -> Vec<Check> {
    let s = &m.settings;
    let mn = &m.minima;
    let near = |r: &EtaRun, w: f64| (r.last - w).abs() < AT_MINIMUM;
    vec![
        Check::equal(
            format!(
                "local (|w − w_loc| < {}) for η ∈ {{{}}}: exceptions",
                fmt_num(AT_MINIMUM),
                fmt_list(&s.local_etas)
            ),
            exceptions(m, &s.local_etas, &|r| near(r, mn.w_loc)),
            "none".into(),
        ),
        Check::equal(
            format!(
                "not converged to w_loc for η ∈ {{{}}}: exceptions",
                fmt_list(&s.unstable_etas)
            ),
            exceptions(m, &s.unstable_etas, &|r| !near(r, mn.w_loc)),
            "none".into(),
        ),
        Check::equal(
            format!(
                "global (|w − {}| < {}) for η ∈ {{{}}}: exceptions",
                fmt_num(mn.w_glob),
                fmt_num(AT_MINIMUM),
                fmt_list(&s.global_etas)
            ),
            exceptions(m, &s.global_etas, &|r| near(r, mn.w_glob)),
            "none".into(),
        ),
        Check::equal(
            format!(
                "diverged (|w| at the end > {}, last finite iterate) for η ∈ {{{}}}: exceptions",
                fmt_num(DIVERGED),
                fmt_list(&s.divergent_etas)
            ),
            exceptions(m, &s.divergent_etas, &|r| r.last.abs() > DIVERGED),
            "none".into(),
        ),
        Check::within("2/f″(w_loc)", 2.0 / mn.c_loc, 0.165010, 1e-5).consistency(),
        Check::within("2/f″(w_glob)", 2.0 / mn.c_glob, 20.0, 1e-5).consistency(),
    ]
}

/// The report of E15 from its measurements and checks.
fn present(m: &Measurements, checks: Vec<Check>) -> Report {
    let s = &m.settings;
    let mn = &m.minima;
    let f = SharpWideWell::default();
    let mut report = Report::for_experiment(
        &EXPERIMENT,
        "A learning rate above 2η_opt of a sharp local minimum makes it unstable, so GD may escape \
         to a flatter (here global) minimum that is still stable at that η.",
        "lecture notes",
    );
    report.setup("f(w)", OneD::name(&f));
    report.setup(
        "w_loc, f(w_loc), f″(w_loc)",
        format!(
            "{}, {}, {}",
            fmt_num(mn.w_loc),
            fmt_num(f.e(mn.w_loc)),
            fmt_num(mn.c_loc)
        ),
    );
    report.setup(
        "w_glob, f″(w_glob)",
        format!("{}, {}", fmt_num(mn.w_glob), fmt_num(mn.c_glob)),
    );
    report.setup("w_0", format!("w_loc + {}", fmt_num(s.offset)));
    report.setup("iterations", s.iterations.to_string());
    report.setup("η", fmt_list(&s.etas));
    report.setup("optimiser", "descent_gd::GradientDescent, fixed η");
    report.note(format!(
        "Theory: w_loc is linearly stable iff η < 2/f″(w_loc) = {}; w_glob iff η < 2/f″(w_glob) = {}. \
         The escape threshold itself depends on w_0 and has no closed form.",
        fmt_num(2.0 / mn.c_loc),
        fmt_num(2.0 / mn.c_glob)
    ));
    report.note(format!(
        "Final state: local/global if |w_K − w_min| < {}; cycle(p) if the last iterates repeat with period p ≤ 64 \
         to 1e-9; diverged if the run diverged or |w| > {}; converging slowly if, over the last {TAIL} steps, \
         |w_k − w_min| shrinks at every second step (rate: the geometric mean of |e_{{k+1}}/e_k| over them, \
         descent_core::analysis::window_rate; linear theory |1 − ηf″(w_min)|); otherwise bounded, irregular. An \
         irregular run is chaotic (one ulp changes its iterates), so only the band its last {TAIL} iterates fill \
         is shown, rounded outward to two significant digits.",
        fmt_num(AT_MINIMUM),
        fmt_num(DIVERGED)
    ));
    report.tables.push(table(m));
    report.figure(
        "basins",
        "Where GD ends vs η (log axis): sharp well, oscillation in it, escape to the wide well, \
         divergence (drawn at the frame)",
        figure(m),
    );
    report.checks(checks);
    report
}

fn table(m: &Measurements) -> Table {
    let mn = &m.minima;
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
    for r in &m.runs {
        let final_w = match r.state {
            Final::Bounded { lo, hi } => format!("bounded in [{}, {}]", fmt_num(lo), fmt_num(hi)),
            _ => fmt_num(r.last),
        };
        table.push(vec![
            fmt_num(r.eta),
            fmt_num(r.eta * mn.c_loc / 2.0),
            fmt_num(r.eta * mn.c_glob / 2.0),
            r.state.label(),
            fmt_num((1.0 - r.eta * mn.c_loc).abs()),
            final_w,
        ]);
    }
    table
}

fn figure(m: &Measurements) -> String {
    let mn = &m.minima;
    // Headroom above the wide well (w = 4) keeps the legend off the points.
    let (lo, hi) = (-1.0, 6.5);
    let mut regular = Vec::new();
    let mut extra = Vec::new();
    for r in &m.runs {
        match r.state {
            Final::Bounded { lo: a, hi: b } => extra.push(Series::line(
                format!("η = {}: band of an irregular run", fmt_num(r.eta)),
                vec![(r.eta, a), (r.eta, b)],
            )),
            Final::Diverged => {
                let largest = r.tail.iter().fold(0.0, |a: f64, w| a.max(w.abs()));
                extra.push(Series::new(
                    format!(
                        "η = {}: diverged, last {DRAWN} iterates (|w| up to {}) at the frame",
                        fmt_num(r.eta),
                        fmt_num(largest)
                    ),
                    r.tail.iter().map(|w| (r.eta, w.clamp(lo, hi))).collect(),
                    Style::Markers,
                ));
            }
            _ => regular.extend(r.tail.iter().map(|&w| (r.eta, w))),
        }
    }
    let mut chart = LineChart::new(
        format!("Final iterates (last {DRAWN}) vs η"),
        Axis::log("η"),
        Axis::linear("w").range(lo, hi),
    )
    .with(Series::new(
        format!("last {DRAWN} iterates (regular runs)"),
        regular,
        Style::Markers,
    ))
    .with_vertical_line(
        2.0 / mn.c_loc,
        format!("2/f″(w_loc) = {}", fmt_num(2.0 / mn.c_loc)),
    )
    .with_vertical_line(
        2.0 / mn.c_glob,
        format!("2/f″(w_glob) = {}", fmt_num(2.0 / mn.c_glob)),
    );
    for series in extra {
        chart = chart.with(series);
    }
    chart.to_svg()
}

#[cfg(test)]
mod tests {
    use super::{EtaRun, Final, Measurements, Settings, assess, measure};
    use crate::experiments::common::perturb::turns_when;

    /// The run at `eta`.
    fn at(m: &mut Measurements, eta: f64) -> &mut EtaRun {
        let found = m.runs.iter_mut().find(|r| r.eta == eta);
        found.expect("a run of the default settings")
    }

    /// Every claim check of E15 turns when one measurement or setting is perturbed.
    #[test]
    fn checks_can_fail() {
        // 20 one-dimensional runs of 20,000 steps: fast enough in full.
        let m = measure(&Settings::default());
        // η = 0.1 ending 1e-6 from w_loc: 1e-6 > 1e-9.
        turns_when(&m, assess, "local (|w − w_loc|", |bad| {
            at(bad, 0.1).last += 1e-6
        });
        // η = 0.2 ending on w_loc exactly.
        turns_when(&m, assess, "not converged to w_loc", |bad| {
            let w_loc = bad.minima.w_loc;
            at(bad, 0.2).last = w_loc;
        });
        // η = 5 ending at w_loc: |w_loc − 4| ≈ 3.97 > 1e-9.
        turns_when(&m, assess, "global (|w − 4|", |bad| {
            let w_loc = bad.minima.w_loc;
            let r = at(bad, 5.0);
            (r.last, r.state) = (w_loc, Final::Local);
        });
        // η = 21 ending bounded at 4: |4| < 1e6.
        turns_when(&m, assess, "diverged (|w| at the end", |bad| {
            at(bad, 21.0).last = 4.0
        });
        // A setting: an η that was not run is an exception.
        turns_when(&m, assess, "global (|w − 4|", |bad| {
            bad.settings.global_etas.push(7.0)
        });
    }
}
