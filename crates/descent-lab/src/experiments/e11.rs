//! E11 — rescaling the axes equals Newton's method; one step when η = 1;
//! damped Newton on a convex non-quadratic function.
//!
//! With `ŵ = S w`, `S = A^{1/2}`, the quadratic becomes `½ŵᵀŵ + …` and GD with
//! η = 1 solves it in one step; mapped back this is `w ← w − A⁻¹∇E`. Newton
//! with step η has `e_k = (1 − η)^k e_0` in every direction.

use descent_core::{Capabilities, Error, Objective, StoppingRules, Termination};
use descent_gd::GradientDescent;
use descent_gd::line_search::Armijo;
use descent_linalg::{Mat, MatMut, inv_sqrt_spd, matvec, norm_2, sqrt_spd};
use descent_newton::{IndefiniteHessian, Newton};
use descent_problems::Quadratic;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use descent_core::analysis::{max_or_nan as max_of, median};

use super::common::{fixed_length, indexed, run};
use crate::plot::{Axis, LineChart, Series, Style};
use crate::registry::Experiment;
use crate::report::{Check, Report, Table};
use crate::{ROUNDOFF_FLOOR, fmt_below, fmt_list, fmt_num};

/// The registry entry.
pub(crate) const EXPERIMENT: Experiment = Experiment {
    id: "E11",
    slug: "rescaling-is-newton",
    title: "Rescaling the axes equals Newton's method; one step at η = 1",
    run: || run_with(&Settings::default()),
};

/// Settings of E11 (defaults: the catalogue's).
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
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            n: 10,
            kappa: 1e4,
            seeds: vec![0, 1, 2, 3, 4],
            etas: vec![0.5, 1.0, 1.5, 1.99, 2.01],
            steps: 30,
            softplus_terms: 20,
            newton_budget: 50,
            gradient_tolerance: 1e-12,
            armijo: (1e-4, 0.5),
            roundoff_tolerance: Armijo::DEFAULT_ROUNDOFF_TOLERANCE,
        }
    }
}

/// The ratio ‖e_{k+1}‖/‖e_k‖ is compared with |1 − η| while ‖e_k‖ ≥ this·‖e_0‖:
/// below, the solve's rounding (≈ κ ε_mach ‖w‖) is more than 1e-10 of e_k.
const RATIO_WINDOW: f64 = 1e-2;

/// `Ê(ŵ) = E(S⁻¹ŵ)`: the quadratic in rescaled coordinates `ŵ = S w`,
/// `∇Ê = S⁻¹ ∇E(S⁻¹ŵ)` (S symmetric), Hessian `S⁻¹ A S⁻¹ = I`.
struct Rescaled<'a> {
    inner: &'a mut Quadratic,
    s_inv: Mat<f64>,
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

fn softplus(z: f64) -> f64 {
    z.max(0.0) + (-z.abs()).exp().ln_1p()
}

fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        z.exp() / (1.0 + z.exp())
    }
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

fn dist(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y) * (x - y))
        .sum::<f64>()
        .sqrt()
}

/// Run E11.
pub fn run_with(s: &Settings) -> Report {
    let e = &EXPERIMENT;
    let mut report = Report::new(
        e.id,
        e.slug,
        e.title,
        "Rescaling the axes by S = A^{1/2} makes η = 1 optimal in every direction; this is \
         w ← w − ηA⁻¹∇E, which converges in one step at η = 1; for a generic convex function use \
         the Hessian (damped, to converge globally).",
        "lecture notes",
    );
    let n = s.n;
    let eigenvalues: Vec<f64> = (0..n)
        .map(|i| s.kappa.powf(i as f64 / (n - 1) as f64))
        .collect();
    report.setup(
        "A",
        format!(
            "Q diag(λ) Qᵀ, n = {n}, λ log-spaced in [1, {}], Q Haar (seed s)",
            fmt_num(s.kappa)
        ),
    );
    report.setup(
        "b, w_0",
        "N(0, I), drawn from ChaCha8(seed s + 100) in that order",
    );
    report.setup(
        "seeds s",
        s.seeds
            .iter()
            .map(|x| x.to_string())
            .collect::<Vec<_>>()
            .join(", "),
    );
    report.setup("(a)", "descent_gd::GradientDescent η = 1 on Ê(ŵ) = E(S⁻¹ŵ), S = A^{1/2} (descent_linalg::sqrt_spd), mapped back");
    report.setup("(b) Newton η", fmt_list(&s.etas));
    report.setup("(b) steps", s.steps.to_string());
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
    report.note(format!(
        "Theory: (a) = (b) at η = 1 and ‖w_1 − w*‖ = 0 in exact arithmetic (≈ κ ε_mach ‖w_0 − w*‖ in f64); \
         for general η, e_k = (1 − η)^k e_0 in every direction, converging iff 0 < η < 2. The ratio is \
         measured while ‖e_k‖ ≥ {}·‖e_0‖ (the solve's rounding ≈ κ ε_mach ‖w‖ stays below 1e-10 of e_k).",
        fmt_num(RATIO_WINDOW)
    ));

    let mut agreement: f64 = 0.0;
    let mut one_step: f64 = 0.0;
    let mut ratio_dev: f64 = 0.0;
    let mut table_b = Table::new(
        "(b) Newton with step η on the quadratic (seed 0 shown; checks cover every seed)",
        &[
            "η",
            "‖e_1‖/‖e_0‖",
            "measured ratio ‖e_{k+1}‖/‖e_k‖ (median)",
            "predicted |1 − η|",
        ],
    );
    let mut chart = LineChart::new(
        "Newton with step η on a κ = 1e4 quadratic (seed 0)",
        Axis::linear("iteration k"),
        Axis::log("‖e_k‖/‖e_0‖").range(1e-16, 1e3),
    );
    for &seed in &s.seeds {
        let a = Quadratic::from_eigenvalues(&eigenvalues, seed).expect("valid eigenvalues");
        let mut rng = ChaCha8Rng::seed_from_u64(seed + 100);
        let b = normals(&mut rng, n);
        let w0 = normals(&mut rng, n);
        let mut quad = Quadratic::dense(a.hessian_matrix(), &b, 0.0).expect("valid quadratic");
        let w_star = quad.minimizer().expect("positive definite");
        let e0 = dist(&w0, &w_star);

        // (a) GD with η = 1 in rescaled coordinates.
        let s_half = sqrt_spd(quad.hessian_matrix()).expect("SPD");
        let s_inv = inv_sqrt_spd(quad.hessian_matrix()).expect("SPD");
        let mut hat0 = vec![0.0; n];
        matvec(s_half.as_ref(), &w0, &mut hat0);
        let mut quad_a = quad.clone();
        let mut rescaled = Rescaled {
            inner: &mut quad_a,
            s_inv: s_inv.clone(),
            w: vec![0.0; n],
            g: vec![0.0; n],
        };
        let path_a = run(
            &mut rescaled,
            &mut GradientDescent::new(1.0).expect("η = 1"),
            &hat0,
            &fixed_length(3),
        );
        let mapped: Vec<Vec<f64>> = path_a
            .iterates
            .iter()
            .map(|h| {
                let mut w = vec![0.0; n];
                matvec(s_inv.as_ref(), h, &mut w);
                w
            })
            .collect();

        for &eta in &s.etas {
            let mut newton = Newton::new(eta, IndefiniteHessian::Fail).expect("valid η");
            let path = run(&mut quad, &mut newton, &w0, &fixed_length(s.steps));
            let errors: Vec<f64> = path.iterates.iter().map(|w| dist(w, &w_star)).collect();
            let ratios: Vec<f64> = errors
                .windows(2)
                .filter(|w| w[0] >= RATIO_WINDOW * e0)
                .map(|w| w[1] / w[0])
                .collect();
            let predicted = (1.0 - eta).abs();
            if eta == 1.0 {
                one_step = one_step.max(errors[1] / e0);
                for (wa, wb) in mapped.iter().zip(&path.iterates) {
                    agreement = agreement.max(dist(wa, wb) / norm_2(wb).max(norm_2(&w0)));
                }
            } else {
                ratio_dev = ratio_dev.max(max_of(ratios.iter().map(|r| (r - predicted).abs())));
            }
            if seed == s.seeds[0] {
                table_b.push(vec![
                    fmt_num(eta),
                    fmt_below(errors[1] / e0, ROUNDOFF_FLOOR),
                    if eta == 1.0 {
                        "—".into()
                    } else {
                        fmt_num(median(&ratios))
                    },
                    fmt_num(predicted),
                ]);
                let rel: Vec<f64> = errors.iter().map(|x| x / e0).collect();
                chart = chart.with(Series::new(
                    format!("η = {}", fmt_num(eta)),
                    indexed(&rel),
                    Style::LineMarkers,
                ));
            }
        }
    }
    report.tables.push(table_b);
    report.figure(
        "newton-eta",
        "‖e_k‖/‖e_0‖ of Newton with step η: the factor |1 − η| in every direction",
        chart.to_svg(),
    );
    report.check(Check::at_most(
        "(a) vs (b) at η = 1: max_k ‖w_k^(a) − w_k^(b)‖ / max(‖w_k^(b)‖, ‖w_0‖), every seed",
        agreement,
        1e-10,
    ));
    report.check(Check::at_most(
        "η = 1: max over seeds of ‖e_1‖/‖e_0‖",
        one_step,
        1e-9,
    ));
    report.check(Check::at_most(
        format!("η ≠ 1: max over seeds, η and steps with ‖e_k‖ ≥ {}‖e_0‖ of |‖e_{{k+1}}‖/‖e_k‖ − |1 − η||", fmt_num(RATIO_WINDOW)),
        ratio_dev,
        1e-9,
    ));

    // (c) Newton on the softplus ridge.
    let mut table_c = Table::new(
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
    let mut quad_table = Table::new(
        "(c) damped Newton, seed 0: quadratic convergence",
        &["k", "‖e_k‖", "‖e_{k+1}‖/‖e_k‖²", "α_k"],
    );
    let rules = StoppingRules::default()
        .max_iterations(s.newton_budget)
        .gradient_tolerance(s.gradient_tolerance);
    let armijo = Armijo::new(s.armijo.0, s.armijo.1, 50)
        .and_then(|a| a.with_roundoff_tolerance(s.roundoff_tolerance))
        .expect("valid Armijo");
    for &seed in &s.seeds {
        let mut rng = ChaCha8Rng::seed_from_u64(seed + 200);
        let c_entries = normals(&mut rng, s.softplus_terms * n);
        let c = Mat::from_fn(s.softplus_terms, n, |i, j| c_entries[i * n + j]);
        let w0 = normals(&mut rng, n);
        let mut f = SoftplusRidge {
            c,
            z: vec![0.0; s.softplus_terms],
        };
        let undamped = run(&mut f, &mut Newton::pure(), &w0, &rules);
        let damped = run(
            &mut f,
            &mut Newton::pure().with_line_search(armijo),
            &w0,
            &rules,
        );
        let steps = &damped.step_lengths;
        let last_two: Vec<f64> = steps[steps.len().saturating_sub(2)..].to_vec();
        let end = |t: &Termination| match t {
            Termination::Converged(_) => "converged".to_owned(),
            Termination::MaxIterations => "iteration budget".to_owned(),
            Termination::Diverged { iteration } => format!("diverged at {iteration}"),
            Termination::Failed { iteration, .. } => format!("failed at {iteration}"),
            Termination::MaxEvaluations => "evaluation budget".to_owned(),
        };
        table_c.push(vec![
            seed.to_string(),
            undamped.result.iterations.to_string(),
            end(&undamped.result.termination),
            fmt_below(undamped.result.grad_norm, ROUNDOFF_FLOOR),
            damped.result.iterations.to_string(),
            fmt_below(damped.result.grad_norm, ROUNDOFF_FLOOR),
            fmt_list(steps),
            fmt_list(&last_two),
        ]);
        report.check(Check::at_most(
            format!(
                "(c) seed {seed}: damped Newton iterations to ‖∇f‖ < {}",
                fmt_num(s.gradient_tolerance)
            ),
            if damped.result.grad_norm < s.gradient_tolerance {
                damped.result.iterations as f64
            } else {
                f64::INFINITY
            },
            12.0,
        ));
        report.check(Check::equal(
            format!("(c) seed {seed}: the last two damped steps have α = 1"),
            fmt_list(&last_two),
            fmt_list(&[1.0, 1.0]),
        ));
        if seed == s.seeds[0] {
            let w_star = &damped.result.x;
            let errors: Vec<f64> = damped.iterates.iter().map(|w| dist(w, w_star)).collect();
            for k in 0..errors.len().saturating_sub(1) {
                let ratio = if errors[k] > 0.0 && errors[k + 1] > 0.0 {
                    errors[k + 1] / (errors[k] * errors[k])
                } else {
                    f64::NAN
                };
                quad_table.push(vec![
                    k.to_string(),
                    fmt_num(errors[k]),
                    fmt_num(ratio),
                    fmt_num(steps[k]),
                ]);
            }
        }
    }
    report.note(
        "(c) The undamped outcome is reported only: it depends on the random draws. Damped Newton's \
         quadratic phase shows as ‖e_{k+1}‖/‖e_k‖² staying bounded while ‖e_k‖ falls (the error is \
         measured against the final iterate).",
    );
    report.note(
        "(c) Near the minimiser the exact Armijo test compares f(w + αp) − f(w), smaller than the rounding \
         of f, with c₁α∇fᵀp, and would halve perfect Newton steps by chance (how often depends on the \
         CPU's summation order). The approximate test, which reads the decrease off the directional \
         derivative instead, accepts them, so the last steps are unit steps on every CPU.",
    );
    report.tables.push(table_c);
    report.tables.push(quad_table);
    report
}
