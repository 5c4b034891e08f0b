//! E11 — rescaling the axes equals Newton's method; one step when η = 1;
//! the lecture's diagonal scaling is exact only for diagonal A; damped
//! Newton on a convex non-quadratic function.
//!
//! With `ŵ = S w`, `S = A^{1/2}`, the quadratic becomes `½ŵᵀŵ + …` and GD with
//! η = 1 solves it in one step; mapped back this is `w ← w − A⁻¹∇E`. Newton
//! with step η has `e_k = (1 − η)^k e_0` in every direction. With
//! `S = diag(√a_ii)` the step is `w ← w − ηD⁻¹∇E`, whose factor is
//! `max_i |1 − ημ_i|`, μ the eigenvalues of `D^{−1/2}AD^{−1/2}`.

use descent_core::analysis::{above, distance, max_or_nan, median, min_or_nan, tail_rate};
use descent_core::{Capabilities, Error, Objective, StoppingRules, Termination};
use descent_gd::GradientDescent;
use descent_gd::line_search::Armijo;
use descent_linalg::{Mat, MatMut, SymmetricEigen, inv_sqrt_spd, matvec, norm_2, sqrt_spd};
use descent_newton::{IndefiniteHessian, Newton};
use descent_problems::Quadratic;
use descent_problems::one_d::{sigmoid, softplus};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use super::common::{fixed_length, fmt_or_dash, indexed, run};
use crate::plot::{Axis, LineChart, Series, Style};
use crate::report::{Check, Report, Table};
use crate::{ROUNDOFF_FLOOR, fmt_below, fmt_list, fmt_num};

super::registry_entry!(
    "E11",
    "rescaling-is-newton",
    "Rescaling the axes equals Newton's method; one step at η = 1"
);

/// Settings of E11 (defaults: the setup of docs/claims.md).
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Dimension n.
    pub n: usize,
    /// Eigenvalues log-spaced in [1, this].
    pub kappa: f64,
    /// Seeds (each draws Q, b and w_0).
    pub seeds: Vec<u64>,
    /// Newton step sizes of (b).
    pub etas: Vec<f64>,
    /// Steps of (b).
    pub steps: usize,
    /// (d): steps of GD at η = 1 with the diagonal scaling.
    pub diagonal_steps: usize,
    /// (d): the measured rate is the geometric mean of the last this many ratios.
    pub diagonal_rate_window: usize,
    /// (c): number of softplus terms.
    pub softplus_terms: usize,
    /// (c): iteration budget.
    pub newton_budget: usize,
    /// (c): gradient tolerance.
    pub gradient_tolerance: f64,
    /// (c): Armijo c₁ and shrink factor.
    pub armijo: (f64, f64),
    /// (c): round-off tolerance ε_f of the Armijo search's approximate
    /// sufficient-decrease test ([`Armijo::with_roundoff_tolerance`]).
    pub roundoff_tolerance: f64,
    /// (c): damped Newton must reach the gradient tolerance within this many iterations.
    pub damped_budget: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            n: 10,
            kappa: 1e4,
            seeds: vec![0, 1, 2, 3, 4],
            etas: vec![0.5, 1.0, 1.5, 1.99, 2.01],
            steps: 30,
            diagonal_steps: 30,
            diagonal_rate_window: 10,
            softplus_terms: 20,
            newton_budget: 50,
            gradient_tolerance: 1e-12,
            armijo: (1e-4, 0.5),
            roundoff_tolerance: Armijo::DEFAULT_ROUNDOFF_TOLERANCE,
            damped_budget: 12,
        }
    }
}

/// The ratio ‖e_{k+1}‖/‖e_k‖ is compared with |1 − η| while ‖e_k‖ ≥ this·‖e_0‖:
/// below, the solve's rounding (≈ κ ε_mach ‖w‖) is more than 1e-10 of e_k.
const RATIO_WINDOW: f64 = 1e-2;

/// (d): relative tolerance of the measured rate against max_i |1 − μ_i|.
/// The tail rate over the last 10 of 30 steps differs from the dominant
/// factor ρ₁ by about the share of the next one, (ρ₂/ρ₁)^{20}; see
/// docs/claims.md.
const DIAGONAL_RATE_TOLERANCE: f64 = 1e-3;

/// `Ê(ŵ) = E(S⁻¹ŵ)`: the quadratic in rescaled coordinates `ŵ = S w`,
/// `∇Ê = S⁻¹ ∇E(S⁻¹ŵ)` (S symmetric), Hessian `S⁻¹ A S⁻¹`.
struct Rescaled<'a> {
    inner: &'a mut Quadratic,
    s_inv: &'a Mat<f64>,
    w: Vec<f64>,
    g: Vec<f64>,
}

impl Objective for Rescaled<'_> {
    fn name(&self) -> String {
        format!("rescaled {}", self.inner.name())
    }
    fn dim(&self) -> usize {
        self.inner.dim()
    }
    fn value(&mut self, x: &[f64]) -> f64 {
        matvec(self.s_inv.as_ref(), x, &mut self.w);
        self.inner.value(&self.w)
    }
    fn gradient(&mut self, x: &[f64], grad: &mut [f64]) {
        matvec(self.s_inv.as_ref(), x, &mut self.w);
        self.inner.gradient(&self.w, &mut self.g);
        matvec(self.s_inv.as_ref(), &self.g, grad);
    }
}

/// `f(w) = Σ_i softplus(c_iᵀw) + ½‖w‖²`: strictly convex, not quadratic.
/// `∇f = Σ σ(c_iᵀw) c_i + w`, `∇²f = Σ σ(1 − σ) c_i c_iᵀ + I`.
struct SoftplusRidge {
    c: Mat<f64>,
    z: Vec<f64>,
}

impl Objective for SoftplusRidge {
    fn name(&self) -> String {
        format!(
            "Σ softplus(c_iᵀw) + ½‖w‖² ({} terms, n = {})",
            self.c.nrows(),
            self.c.ncols()
        )
    }
    fn dim(&self) -> usize {
        self.c.ncols()
    }
    fn value(&mut self, x: &[f64]) -> f64 {
        matvec(self.c.as_ref(), x, &mut self.z);
        self.z.iter().map(|&z| softplus(z)).sum::<f64>() + 0.5 * descent_linalg::dot(x, x)
    }
    fn gradient(&mut self, x: &[f64], grad: &mut [f64]) {
        matvec(self.c.as_ref(), x, &mut self.z);
        for s in &mut self.z {
            *s = sigmoid(*s);
        }
        // ∇f = Cᵀσ + w
        descent_linalg::vecmat(&self.z, self.c.as_ref(), grad);
        descent_linalg::axpy(1.0, x, grad);
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            hessian: true,
            hessian_vector_product: false,
        }
    }
    fn hessian(&mut self, x: &[f64], mut hess: MatMut<'_, f64>) -> Result<(), Error> {
        matvec(self.c.as_ref(), x, &mut self.z);
        let n = self.dim();
        let weighted = Mat::from_fn(self.c.nrows(), n, |i, j| {
            let s = sigmoid(self.z[i]);
            s * (1.0 - s) * self.c[(i, j)]
        });
        descent_linalg::matmul(hess.as_mut(), self.c.transpose(), weighted.as_ref());
        for i in 0..n {
            hess[(i, i)] += 1.0;
        }
        Ok(())
    }
}

fn normals(rng: &mut ChaCha8Rng, n: usize) -> Vec<f64> {
    (0..n).map(|_| StandardNormal.sample(rng)).collect()
}

/// The quadratic runs of one seed: (a), (b) and (d).
#[derive(Debug, Clone, PartialEq)]
pub struct QuadraticRun {
    /// The seed.
    pub seed: u64,
    /// ‖e_k‖ of Newton with step η, one entry per η of the settings.
    pub newton_errors: Vec<Vec<f64>>,
    /// (a) against (b) at η = 1: max_k ‖w_k^(a) − w_k^(b)‖/max(‖w_k^(b)‖, ‖w_0‖) (NaN: no η = 1).
    pub agreement: f64,
    /// (d) ‖e_k‖ of GD at η = 1 scaled by S = diag(√a_ii), rotated A.
    pub diagonal_rotated: Vec<f64>,
    /// (d) the same on A = diag(λ) (same b and w_0), where diag(√a_ii) = A^{1/2}.
    pub diagonal_exact: Vec<f64>,
    /// Eigenvalues μ_i of M = D^{−1/2}AD^{−1/2}, D = diag(a_ii), rotated A.
    pub scaled_eigenvalues: Vec<f64>,
}

/// The softplus runs of one seed: (c).
#[derive(Debug, Clone, PartialEq)]
pub struct SoftplusRun {
    /// The seed.
    pub seed: u64,
    /// Undamped Newton: iterations, how it ended, final ‖∇f‖.
    pub undamped: (usize, String, f64),
    /// Damped Newton: iterations and final ‖∇f‖.
    pub damped: (usize, f64),
    /// The damped steps' α.
    pub alphas: Vec<f64>,
    /// ‖w_k − w_K‖ of the damped run (error against its final iterate).
    pub damped_errors: Vec<f64>,
}

/// Everything E11 measured, with the settings it was measured with.
#[derive(Debug, Clone, PartialEq)]
pub struct Measurements {
    /// The settings of the runs.
    pub settings: Settings,
    /// One per seed.
    pub quadratic: Vec<QuadraticRun>,
    /// One per seed.
    pub softplus: Vec<SoftplusRun>,
}

/// GD with η = 1 on `quad` in coordinates ŵ = S w (`s`, `s_inv` = S, S⁻¹),
/// `steps` steps from w_0; the iterates mapped back to w.
fn rescaled_gd(
    quad: &Quadratic,
    s: &Mat<f64>,
    s_inv: &Mat<f64>,
    w0: &[f64],
    steps: usize,
) -> Vec<Vec<f64>> {
    let n = w0.len();
    let mut hat0 = vec![0.0; n];
    matvec(s.as_ref(), w0, &mut hat0);
    let mut inner = quad.clone();
    let mut rescaled = Rescaled {
        inner: &mut inner,
        s_inv,
        w: vec![0.0; n],
        g: vec![0.0; n],
    };
    let mut gd = GradientDescent::new(1.0).expect("η = 1");
    let path = run(&mut rescaled, &mut gd, &hat0, &fixed_length(steps));
    path.iterates
        .iter()
        .map(|h| {
            let mut w = vec![0.0; n];
            matvec(s_inv.as_ref(), h, &mut w);
            w
        })
        .collect()
}

/// ‖w_k − w*‖ of GD at η = 1 scaled by S = diag(√a_ii) of `quad`.
fn diagonal_scaling_errors(quad: &Quadratic, w0: &[f64], steps: usize) -> Vec<f64> {
    let h = quad.hessian_matrix();
    let n = w0.len();
    let root = |i: usize| h[(i, i)].sqrt();
    let s = Mat::from_fn(n, n, |i, j| if i == j { root(i) } else { 0.0 });
    let s_inv = Mat::from_fn(n, n, |i, j| if i == j { 1.0 / root(i) } else { 0.0 });
    let w_star = quad.minimizer().expect("positive definite");
    rescaled_gd(quad, &s, &s_inv, w0, steps)
        .iter()
        .map(|w| distance(w, &w_star))
        .collect()
}

/// μ_i(D^{−1/2}AD^{−1/2}), D = diag(a_ii), ascending.
fn scaled_eigenvalues(quad: &Quadratic) -> Vec<f64> {
    let h = quad.hessian_matrix();
    let n = h.nrows();
    let m = Mat::from_fn(n, n, |i, j| h[(i, j)] / (h[(i, i)] * h[(j, j)]).sqrt());
    SymmetricEigen::values_of(m.as_ref()).expect("symmetric")
}

fn quadratic_run(s: &Settings, eigenvalues: &[f64], seed: u64) -> QuadraticRun {
    let n = s.n;
    let a = Quadratic::from_eigenvalues(eigenvalues, seed).expect("valid eigenvalues");
    let mut rng = ChaCha8Rng::seed_from_u64(seed + 100);
    let b = normals(&mut rng, n);
    let w0 = normals(&mut rng, n);
    let mut quad = Quadratic::dense(a.hessian_matrix(), &b, 0.0).expect("valid quadratic");
    let w_star = quad.minimizer().expect("positive definite");
    let s_half = sqrt_spd(quad.hessian_matrix()).expect("SPD");
    let s_inv = inv_sqrt_spd(quad.hessian_matrix()).expect("SPD");
    let mapped = rescaled_gd(&quad, &s_half, &s_inv, &w0, 3);
    let mut agreement = f64::NAN;
    let mut newton_errors = Vec::new();
    for &eta in &s.etas {
        let mut newton = Newton::new(eta, IndefiniteHessian::Fail).expect("valid η");
        let path = run(&mut quad, &mut newton, &w0, &fixed_length(s.steps));
        if eta == 1.0 {
            agreement = max_or_nan(
                mapped
                    .iter()
                    .zip(&path.iterates)
                    .map(|(wa, wb)| distance(wa, wb) / norm_2(wb).max(norm_2(&w0))),
            );
        }
        newton_errors.push(path.iterates.iter().map(|w| distance(w, &w_star)).collect());
    }
    let diagonal = Quadratic::diagonal(eigenvalues, &b, 0.0).expect("valid diagonal");
    QuadraticRun {
        seed,
        newton_errors,
        agreement,
        diagonal_rotated: diagonal_scaling_errors(&quad, &w0, s.diagonal_steps),
        diagonal_exact: diagonal_scaling_errors(&diagonal, &w0, s.diagonal_steps),
        scaled_eigenvalues: scaled_eigenvalues(&quad),
    }
}

/// How a run ended, in words.
fn ending(t: &Termination) -> String {
    match t {
        Termination::Converged(_) => "converged".to_owned(),
        Termination::MaxIterations => "iteration budget".to_owned(),
        Termination::Diverged { iteration } => format!("diverged at {iteration}"),
        Termination::Failed { iteration, .. } => format!("failed at {iteration}"),
        Termination::MaxEvaluations => "evaluation budget".to_owned(),
    }
}

fn softplus_run(s: &Settings, seed: u64) -> SoftplusRun {
    let n = s.n;
    let rules = StoppingRules::default()
        .max_iterations(s.newton_budget)
        .gradient_tolerance(s.gradient_tolerance);
    let armijo = Armijo::new(s.armijo.0, s.armijo.1, 50)
        .and_then(|a| a.with_roundoff_tolerance(s.roundoff_tolerance))
        .expect("valid Armijo");
    let mut rng = ChaCha8Rng::seed_from_u64(seed + 200);
    let c_entries = normals(&mut rng, s.softplus_terms * n);
    let c = Mat::from_fn(s.softplus_terms, n, |i, j| c_entries[i * n + j]);
    let w0 = normals(&mut rng, n);
    let mut f = SoftplusRidge {
        c,
        z: vec![0.0; s.softplus_terms],
    };
    let undamped = run(&mut f, &mut Newton::pure(), &w0, &rules);
    let mut damped_newton = Newton::pure().with_line_search(armijo);
    let damped = run(&mut f, &mut damped_newton, &w0, &rules);
    let w_end = &damped.result.x;
    SoftplusRun {
        seed,
        undamped: (
            undamped.result.iterations,
            ending(&undamped.result.termination),
            undamped.result.grad_norm,
        ),
        damped: (damped.result.iterations, damped.result.grad_norm),
        damped_errors: damped.iterates.iter().map(|w| distance(w, w_end)).collect(),
        alphas: damped.step_lengths,
    }
}

/// Run (a), (b), (d) on the quadratic and (c) on the softplus ridge, every seed.
pub fn measure(s: &Settings) -> Measurements {
    let n = s.n;
    let eigenvalues: Vec<f64> = (0..n)
        .map(|i| s.kappa.powf(i as f64 / (n - 1) as f64))
        .collect();
    Measurements {
        settings: s.clone(),
        quadratic: s
            .seeds
            .iter()
            .map(|&seed| quadratic_run(s, &eigenvalues, seed))
            .collect(),
        softplus: s.seeds.iter().map(|&seed| softplus_run(s, seed)).collect(),
    }
}

/// Run E11: measure, assess, present.
pub fn run_with(s: &Settings) -> Report {
    let m = measure(s);
    let checks = assess(&m);
    present(&m, checks)
}

/// ‖e_{k+1}‖/‖e_k‖ over the steps with ‖e_k‖ ≥ `RATIO_WINDOW`·‖e_0‖.
fn window_ratios(errors: &[f64]) -> Vec<f64> {
    errors
        .windows(2)
        .filter(|w| w[0] >= RATIO_WINDOW * errors[0])
        .map(|w| w[1] / w[0])
        .collect()
}

/// max_i |1 − μ_i|: the factor of w ← w − D⁻¹∇E (NaN: no eigenvalues).
fn diagonal_factor(mu: &[f64]) -> f64 {
    max_or_nan(mu.iter().map(|m| (1.0 - m).abs()))
}

/// The geometric-mean rate of the last `window` steps (NaN: fewer than two errors).
fn measured_rate(errors: &[f64], window: usize) -> f64 {
    tail_rate(above(errors, 0.0), window).unwrap_or(f64::NAN)
}

/// The checks of E11, judged from the measurements alone.
pub fn assess(m: &Measurements) -> Vec<Check> {
    let mut checks = quadratic_checks(m);
    checks.extend(diagonal_checks(m));
    let s = &m.settings;
    for r in &m.softplus {
        let (iterations, grad) = r.damped;
        checks.push(Check::at_most(
            format!(
                "(c) seed {}: damped Newton iterations to ‖∇f‖ < {}",
                r.seed,
                fmt_num(s.gradient_tolerance)
            ),
            if grad < s.gradient_tolerance {
                iterations as f64
            } else {
                f64::INFINITY
            },
            s.damped_budget as f64,
        ));
        let last_two = &r.alphas[r.alphas.len().saturating_sub(2)..];
        checks.push(Check::equal(
            format!("(c) seed {}: the last two damped steps have α = 1", r.seed),
            fmt_list(last_two),
            fmt_list(&[1.0, 1.0]),
        ));
    }
    checks
}

fn quadratic_checks(m: &Measurements) -> Vec<Check> {
    let s = &m.settings;
    let at = |eta_wanted: bool| {
        m.quadratic.iter().flat_map(move |r| {
            s.etas
                .iter()
                .zip(&r.newton_errors)
                .filter(move |(eta, _)| (**eta == 1.0) == eta_wanted)
        })
    };
    vec![
        Check::at_most(
            "(a) vs (b) at η = 1: max_k ‖w_k^(a) − w_k^(b)‖ / max(‖w_k^(b)‖, ‖w_0‖), every seed (NaN: no η = 1)",
            max_or_nan(m.quadratic.iter().map(|r| r.agreement)),
            1e-10,
        ),
        Check::at_most(
            "η = 1: max over seeds of ‖e_1‖/‖e_0‖ (NaN: no η = 1)",
            max_or_nan(at(true).map(|(_, e)| e[1] / e[0])),
            1e-9,
        ),
        Check::at_most(
            format!(
                "η ≠ 1: max over seeds, η and steps with ‖e_k‖ ≥ {}‖e_0‖ of |‖e_{{k+1}}‖/‖e_k‖ − |1 − η||",
                fmt_num(RATIO_WINDOW)
            ),
            max_or_nan(at(false).flat_map(|(eta, e)| {
                window_ratios(e)
                    .into_iter()
                    .map(move |r| (r - (1.0 - eta).abs()).abs())
            })),
            1e-9,
        ),
    ]
}

fn diagonal_checks(m: &Measurements) -> Vec<Check> {
    let s = &m.settings;
    let window = s.diagonal_rate_window;
    let q = &m.quadratic;
    vec![
        Check::at_most(
            "(d) S = diag(√a_ii), A = diag(λ), η = 1: max over seeds of ‖e_1‖/‖e_0‖ (one step)",
            max_or_nan(q.iter().map(|r| r.diagonal_exact[1] / r.diagonal_exact[0])),
            1e-9,
        ),
        Check::at_most(
            format!(
                "(d) S = diag(√a_ii), rotated A, η = 1: max over seeds of |measured rate (last {window} of {} steps) / max_i|1 − μ_i(D^{{−1/2}}AD^{{−1/2}})| − 1|",
                s.diagonal_steps
            ),
            max_or_nan(q.iter().map(|r| {
                (measured_rate(&r.diagonal_rotated, window)
                    / diagonal_factor(&r.scaled_eigenvalues)
                    - 1.0)
                    .abs()
            })),
            DIAGONAL_RATE_TOLERANCE,
        ),
        Check::greater_than(
            "(d) S = diag(√a_ii), rotated A, η = 1: min over seeds of the measured rate (> 1: not one step, it diverges)",
            min_or_nan(q.iter().map(|r| measured_rate(&r.diagonal_rotated, window))),
            1.0,
        ),
        Check::at_most(
            "(d) max over seeds of |Σ_i μ_i − n| / n (D^{−1/2}AD^{−1/2} has unit diagonal)",
            max_or_nan(q.iter().map(|r| {
                (r.scaled_eigenvalues.iter().sum::<f64>() - s.n as f64).abs() / s.n as f64
            })),
            1e-12,
        )
        .consistency(),
    ]
}

/// The report of E11 from its measurements and checks.
fn present(m: &Measurements, checks: Vec<Check>) -> Report {
    let mut report = Report::for_experiment(
        &EXPERIMENT,
        "Rescaling the axes by S = A^{1/2} makes η = 1 optimal in every direction; this is \
         w ← w − ηA⁻¹∇E, which converges in one step at η = 1; for a generic convex function use \
         the Hessian (damped, to converge globally).",
        "lecture notes",
    );
    setup(m, &mut report);
    notes(m, &mut report);
    report.tables.push(newton_table(m));
    report.tables.push(scaling_table(m));
    report.figure(
        "newton-eta",
        "‖e_k‖/‖e_0‖ of Newton with step η: the factor |1 − η| in every direction",
        newton_chart(m).to_svg(),
    );
    report.tables.push(softplus_table(m));
    report.tables.push(quadratic_phase_table(m));
    report.checks(checks);
    report
}

fn setup(m: &Measurements, report: &mut Report) {
    let s = &m.settings;
    report.setup(
        "A",
        format!(
            "Q diag(λ) Qᵀ, n = {}, λ log-spaced in [1, {}], Q Haar (seed s)",
            s.n,
            fmt_num(s.kappa)
        ),
    );
    report.setup(
        "b, w_0",
        "N(0, I), drawn from ChaCha8(seed s + 100) in that order",
    );
    let seeds: Vec<String> = s.seeds.iter().map(|x| x.to_string()).collect();
    report.setup("seeds s", seeds.join(", "));
    report.setup("(a)", "descent_gd::GradientDescent η = 1 on Ê(ŵ) = E(S⁻¹ŵ), S = A^{1/2} (descent_linalg::sqrt_spd), mapped back");
    report.setup("(b) Newton η", fmt_list(&s.etas));
    report.setup("(b) steps", s.steps.to_string());
    report.setup(
        "(d) the lecture's diagonal scaling",
        format!(
            "GD η = 1 on Ê with S = diag(√a_ii), {} steps, on the rotated A and on A = diag(λ) (same b, w_0)",
            s.diagonal_steps
        ),
    );
    report.setup(
        "(c) f(w)",
        format!("Σ_{{i ≤ {}}} softplus(c_iᵀw) + ½‖w‖², c_i ~ N(0, I), w_0 ~ N(0, I) (ChaCha8(seed s + 200))", s.softplus_terms),
    );
    report.setup(
        "(c) methods",
        format!(
            "Newton::pure() (η = 1), and with Armijo backtracking (c₁ = {}, ×{} from α = 1; a step failing the exact test is \
             still taken if f(w + αp) ≤ f(w) + ε_f|f(w)| and ∇f(w + αp)ᵀp ≤ (2c₁ − 1)∇f(w)ᵀp, ε_f = {}, after Hager–Zhang); \
             stop at ‖∇f‖ ≤ {} or {} iterations",
            fmt_num(s.armijo.0),
            fmt_num(s.armijo.1),
            fmt_num(s.roundoff_tolerance),
            fmt_num(s.gradient_tolerance),
            s.newton_budget
        ),
    );
}

fn notes(m: &Measurements, report: &mut Report) {
    let s = &m.settings;
    report.note(format!(
        "Theory: (a) = (b) at η = 1 and ‖w_1 − w*‖ = 0 in exact arithmetic (≈ κ ε_mach ‖w_0 − w*‖ in f64); \
         for general η, e_k = (1 − η)^k e_0 in every direction, converging iff 0 < η < 2. The ratio is \
         measured while ‖e_k‖ ≥ {}·‖e_0‖ (the solve's rounding ≈ κ ε_mach ‖w‖ stays below 1e-10 of e_k).",
        fmt_num(RATIO_WINDOW)
    ));
    report.note(format!(
        "(d) The lecture's scaling S = diag(√a_ii) turns GD into w ← w − ηD⁻¹∇E, D = diag(a_ii): e_{{k+1}} = \
         (I − ηD⁻¹A)e_k, and D⁻¹A is similar to M = D^{{−1/2}}AD^{{−1/2}} (unit diagonal). At η = 1 the factor \
         is max_i |1 − μ_i(M)|: 0 when A is diagonal (M = I, one step), but on the rotated A the off-diagonal \
         entries spread μ far from 1. The measured rate is the geometric mean of the last {} of {} ratios \
         (descent_core::analysis::tail_rate), compared with the factor to relative {}.",
        s.diagonal_rate_window,
        s.diagonal_steps,
        fmt_num(DIAGONAL_RATE_TOLERANCE)
    ));
    report.note(
        "(c) The undamped outcome is reported only: it depends on the random draws. Damped Newton's \
         quadratic phase shows as ‖e_{k+1}‖/‖e_k‖² staying bounded while ‖e_k‖ falls (the error is \
         measured against the final iterate; \"—\" where e_{k+1} = 0).",
    );
    report.note(
        "(c) Near the minimiser the exact Armijo test compares f(w + αp) − f(w), smaller than the rounding \
         of f, with c₁α∇fᵀp, and would halve perfect Newton steps by chance (how often depends on the \
         CPU's summation order). The approximate test, which reads the decrease off the directional \
         derivative instead, accepts them, so the last steps are unit steps on every CPU.",
    );
}

fn newton_table(m: &Measurements) -> Table {
    let s = &m.settings;
    let mut table = Table::new(
        format!(
            "(b) Newton with step η on the quadratic (seed {} shown; checks cover every seed)",
            s.seeds[0]
        ),
        &[
            "η",
            "‖e_1‖/‖e_0‖",
            "measured ratio ‖e_{k+1}‖/‖e_k‖ (median)",
            "predicted |1 − η|",
        ],
    );
    for (&eta, errors) in s.etas.iter().zip(&m.quadratic[0].newton_errors) {
        let ratio = if eta == 1.0 {
            f64::NAN
        } else {
            median(&window_ratios(errors))
        };
        table.push(vec![
            fmt_num(eta),
            fmt_below(errors[1] / errors[0], ROUNDOFF_FLOOR),
            fmt_or_dash(ratio),
            fmt_num((1.0 - eta).abs()),
        ]);
    }
    table
}

fn scaling_table(m: &Measurements) -> Table {
    let window = m.settings.diagonal_rate_window;
    let mut table = Table::new(
        "(a)/(d) GD with η = 1 after rescaling: full S = A^{1/2} (Newton) against the lecture's diagonal S = diag(√a_ii)",
        &[
            "seed",
            "scaling",
            "A",
            "‖e_1‖/‖e_0‖",
            "rate measured",
            "factor predicted max_i|1 − μ_i|",
        ],
    );
    for r in &m.quadratic {
        let one = m.settings.etas.iter().position(|&eta| eta == 1.0);
        let newton_first = one.map_or(f64::NAN, |i| r.newton_errors[i][1] / r.newton_errors[i][0]);
        let rows = [
            (
                "A^{1/2} (= Newton, η = 1)",
                "rotated",
                newton_first,
                f64::NAN,
                0.0,
            ),
            (
                "diag(√a_ii)",
                "diag(λ)",
                r.diagonal_exact[1] / r.diagonal_exact[0],
                f64::NAN,
                0.0,
            ),
            (
                "diag(√a_ii)",
                "rotated",
                r.diagonal_rotated[1] / r.diagonal_rotated[0],
                measured_rate(&r.diagonal_rotated, window),
                diagonal_factor(&r.scaled_eigenvalues),
            ),
        ];
        for (scaling, a, first, rate, factor) in rows {
            table.push(vec![
                r.seed.to_string(),
                scaling.to_owned(),
                a.to_owned(),
                fmt_below(first, ROUNDOFF_FLOOR),
                fmt_or_dash(rate),
                fmt_num(factor),
            ]);
        }
    }
    table
}

fn newton_chart(m: &Measurements) -> LineChart {
    let s = &m.settings;
    let mut chart = LineChart::new(
        format!(
            "Newton with step η on a κ = {} quadratic (seed {})",
            fmt_num(s.kappa),
            s.seeds[0]
        ),
        Axis::linear("iteration k"),
        Axis::log("‖e_k‖/‖e_0‖").range(1e-16, 1e3),
    );
    for (&eta, errors) in s.etas.iter().zip(&m.quadratic[0].newton_errors) {
        let rel: Vec<f64> = errors.iter().map(|x| x / errors[0]).collect();
        chart = chart.with(Series::new(
            format!("η = {}", fmt_num(eta)),
            indexed(&rel),
            Style::LineMarkers,
        ));
    }
    chart
}

fn softplus_table(m: &Measurements) -> Table {
    let mut table = Table::new(
        "(c) Newton on Σ softplus(c_iᵀw) + ½‖w‖²",
        &[
            "seed",
            "undamped: iterations",
            "undamped: end",
            "undamped: final ‖∇f‖",
            "damped: iterations",
            "damped: final ‖∇f‖",
            "damped: all α",
            "damped: last two α",
        ],
    );
    for r in &m.softplus {
        let last_two = &r.alphas[r.alphas.len().saturating_sub(2)..];
        table.push(vec![
            r.seed.to_string(),
            r.undamped.0.to_string(),
            r.undamped.1.clone(),
            fmt_below(r.undamped.2, ROUNDOFF_FLOOR),
            r.damped.0.to_string(),
            fmt_below(r.damped.1, ROUNDOFF_FLOOR),
            fmt_list(&r.alphas),
            fmt_list(last_two),
        ]);
    }
    table
}

fn quadratic_phase_table(m: &Measurements) -> Table {
    let r = &m.softplus[0];
    let mut table = Table::new(
        format!("(c) damped Newton, seed {}: quadratic convergence", r.seed),
        &["k", "‖e_k‖", "‖e_{k+1}‖/‖e_k‖²", "α_k"],
    );
    let errors = &r.damped_errors;
    for k in 0..errors.len().saturating_sub(1) {
        let ratio = if errors[k] > 0.0 && errors[k + 1] > 0.0 {
            errors[k + 1] / (errors[k] * errors[k])
        } else {
            f64::NAN
        };
        table.push(vec![
            k.to_string(),
            fmt_num(errors[k]),
            fmt_or_dash(ratio),
            fmt_num(r.alphas[k]),
        ]);
    }
    table
}

#[cfg(test)]
mod tests {
    use super::{Measurements as M, Settings, assess, measure};
    use crate::experiments::common::perturb::every_case_turns;

    /// Multiply the k-th value of `errors` by `f(k)`.
    fn scale(errors: &mut [f64], f: impl Fn(i32) -> f64) {
        for (k, e) in errors.iter_mut().enumerate() {
            *e *= f(k as i32);
        }
    }

    /// Every claim check of E11 turns when its measurement is perturbed.
    #[test]
    fn checks_can_fail() {
        every_case_turns(
            &measure(&Settings::default()),
            assess,
            &[
                // (a) and (b) differing by 1e-8 relative (≫ 1e-10).
                ("(a) vs (b) at η = 1", &|b: &mut M| {
                    b.quadratic[2].agreement = 1e-8
                }),
                // η = 1 (index 1 of the etas) leaving 1e-6 of the error after one step.
                ("‖e_0‖ (NaN: no η = 1)", &|b: &mut M| {
                    let e = &mut b.quadratic[0].newton_errors[1];
                    e[1] = 1e-6 * e[0];
                }),
                // η = 0.5: one error 1e-6 too large (relative); the ratio moves by 1e-6 ≫ 1e-9.
                ("η ≠ 1: max over seeds", &|b: &mut M| {
                    b.quadratic[1].newton_errors[0][2] *= 1.0 + 1e-6
                }),
                // The diagonal scaling on diagonal A leaving 1e-3 after one step.
                ("A = diag(λ), η = 1", &|b: &mut M| {
                    let e = &mut b.quadratic[3].diagonal_exact;
                    e[1] = 1e-3 * e[0];
                }),
                // A rotated run growing 1% faster per step than the factor:
                // the rate is off by 1e-2 ≫ 1e-3.
                ("|measured rate (last", &|b: &mut M| {
                    scale(&mut b.quadratic[4].diagonal_rotated, |k| 1.01f64.powi(k))
                }),
                // A rotated run replaced by one that converges (e_k = e_0·0.5^k,
                // rate 0.5 < 1): the lecture's scaling does not converge here.
                ("min over seeds of the measured rate", &|b: &mut M| {
                    let e = &mut b.quadratic[0].diagonal_rotated;
                    let e0 = e[0];
                    for (k, x) in e.iter_mut().enumerate() {
                        *x = e0 * 0.5f64.powi(k as i32);
                    }
                }),
                // (c) seed 1 needing 13 iterations (budget 12), and a last step halved.
                ("(c) seed 1: damped Newton iterations", &|b: &mut M| {
                    b.softplus[1].damped.0 = 13
                }),
                ("(c) seed 2: the last two damped steps", &|b: &mut M| {
                    *b.softplus[2].alphas.last_mut().unwrap() = 0.5
                }),
            ],
        );
    }
}
