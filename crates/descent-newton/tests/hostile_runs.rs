//! Every public optimiser against objectives that misbehave (issue 15): no
//! panic, no `Err` once the run has started, no non-finite iterate returned,
//! and never more evaluations than the budget.
//!
//! The regression tests rebuild the cases the issue reports (BFGS, L-BFGS, SR1
//! and Newton + Armijo on `½wᵀAw` with eigenvalues −1 and 1; a direction with
//! slope −∞; a strong-Wolfe search whose step underflows under a budget of
//! 5 000; zero-dimensional objectives). The property test draws random
//! quadratics (indefinite, unbounded below) with injected faults (NaN, ±∞,
//! huge values, asymmetric Hessians) from a fixed seed; it runs
//! `DESCENT_FUZZ_CASES` cases (default 300, a few seconds).

use descent_core::{
    Capabilities, Error, EvaluationCounts, FailureReason, Objective, Optimizer, StoppingRules,
    Termination, minimize,
};
use descent_gd::line_search::StrongWolfe;
use descent_gd::{
    Adagrad, AdagradSettings, Adam, AdamSettings, GradientDescent, Momentum, MomentumForm,
    MomentumSettings, PerParameterGradientDescent, QuickProp, QuickPropSettings, RmsProp,
    RmsPropSettings, Rprop, RpropSettings,
};
use descent_linalg::MatMut;
use descent_newton::{
    DiagonalNewton, DiagonalSource, HessianFree, IndefiniteHessian, Lbfgs, Newton, QuasiNewton,
    TrustRegion,
};
use descent_problems::Quadratic;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestRunner};
use std::cell::RefCell;
use std::collections::BTreeMap;

/// Every public optimiser that minimises an [`Objective`] (Gauss–Newton and
/// Levenberg–Marquardt take a least-squares problem instead), built for
/// dimension `n`.
fn all_methods(n: usize) -> Vec<Box<dyn Optimizer>> {
    let newton = |strategy| Box::new(Newton::new(1.0, strategy).unwrap()) as Box<dyn Optimizer>;
    vec![
        Box::new(GradientDescent::new(0.1).unwrap()),
        Box::new(PerParameterGradientDescent::new(vec![0.1; n.max(1)]).unwrap()),
        Box::new(Momentum::new(MomentumSettings::default()).unwrap()),
        Box::new(
            Momentum::new(MomentumSettings {
                form: MomentumForm::Nesterov,
                ..MomentumSettings::default()
            })
            .unwrap(),
        ),
        Box::new(Rprop::new(RpropSettings::default()).unwrap()),
        Box::new(QuickProp::new(QuickPropSettings::default()).unwrap()),
        Box::new(Adagrad::new(AdagradSettings::default()).unwrap()),
        Box::new(RmsProp::new(RmsPropSettings::default()).unwrap()),
        Box::new(Adam::new(AdamSettings::default()).unwrap()),
        Box::new(Adam::new(AdamSettings::adamw()).unwrap()),
        Box::new(Newton::pure()),
        Box::new(Newton::safeguarded()),
        newton(IndefiniteHessian::SolveIndefinite),
        newton(IndefiniteHessian::LevenbergMarquardt {
            initial_damping: 1e-3,
        }),
        newton(IndefiniteHessian::FixedDamping { lambda: 0.5 }),
        newton(IndefiniteHessian::EigenvalueModification { floor: 1e-6 }),
        Box::new(QuasiNewton::bfgs()),
        Box::new(QuasiNewton::dfp()),
        Box::new(QuasiNewton::sr1()),
        Box::new(Lbfgs::new(5).unwrap()),
        Box::new(HessianFree::new(0.5).unwrap()),
        Box::new(TrustRegion::dogleg(1.0).unwrap()),
        Box::new(TrustRegion::steihaug(1.0, 0.1).unwrap()),
        Box::new(DiagonalNewton::new(1.0, 1e-8, DiagonalSource::Exact).unwrap()),
        Box::new(
            DiagonalNewton::new(
                0.5,
                1e-8,
                DiagonalSource::Hutchinson {
                    samples: 3,
                    seed: 1,
                },
            )
            .unwrap(),
        ),
    ]
}

/// What the hostile objective does wrong, from call `trigger` on, every
/// `period`-th call.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Fault {
    Nothing,
    NanValue,
    InfValue,
    NegInfValue,
    NanGradient,
    InfGradient,
    NanHessian,
    HugeValue,
}

const FAULTS: [Fault; 8] = [
    Fault::Nothing,
    Fault::NanValue,
    Fault::InfValue,
    Fault::NegInfValue,
    Fault::NanGradient,
    Fault::InfGradient,
    Fault::NanHessian,
    Fault::HugeValue,
];

/// `f(x) = ½ xᵀAx + bᵀx` (A symmetric, possibly indefinite or singular: then
/// unbounded below), whose Hessian is reported as `A + E` (E an asymmetric
/// perturbation) and which misbehaves as its [`Fault`] says.
#[derive(Debug, Clone)]
struct Hostile {
    n: usize,
    a: Vec<f64>,
    b: Vec<f64>,
    asymmetry: Vec<f64>,
    fault: Fault,
    trigger: usize,
    period: usize,
    calls: usize,
}

impl Hostile {
    fn faulty(&mut self) -> bool {
        self.calls += 1;
        self.fault != Fault::Nothing
            && self.calls > self.trigger
            && (self.calls - self.trigger) % self.period == 0
    }
    fn clean_gradient(&self, x: &[f64], g: &mut [f64]) {
        for i in 0..self.n {
            g[i] = self.b[i]
                + (0..self.n)
                    .map(|j| self.a[i * self.n + j] * x[j])
                    .sum::<f64>();
        }
    }
}

impl Objective for Hostile {
    fn name(&self) -> String {
        format!("hostile quadratic ({:?})", self.fault)
    }
    fn dim(&self) -> usize {
        self.n
    }
    fn value(&mut self, x: &[f64]) -> f64 {
        let mut ax = vec![0.0; self.n];
        self.clean_gradient(x, &mut ax);
        // ½xᵀAx + bᵀx = ½xᵀ(Ax + b) + ½bᵀx.
        let v: f64 = (0..self.n).map(|i| 0.5 * x[i] * (ax[i] + self.b[i])).sum();
        if !self.faulty() {
            return v;
        }
        match self.fault {
            Fault::NanValue => f64::NAN,
            Fault::InfValue => f64::INFINITY,
            Fault::NegInfValue => f64::NEG_INFINITY,
            Fault::HugeValue => -1e300,
            _ => v,
        }
    }
    fn gradient(&mut self, x: &[f64], g: &mut [f64]) {
        self.clean_gradient(x, g);
        if self.faulty() {
            match self.fault {
                Fault::NanGradient => g[0] = f64::NAN,
                Fault::InfGradient => g[self.n - 1] = f64::NEG_INFINITY,
                Fault::HugeValue => g[0] = 1e300,
                _ => {}
            }
        }
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            hessian: true,
            hessian_vector_product: true,
        }
    }
    fn hessian(&mut self, _x: &[f64], mut h: MatMut<'_, f64>) -> Result<(), Error> {
        let bad = self.faulty();
        for i in 0..self.n {
            for j in 0..self.n {
                h[(i, j)] = self.a[i * self.n + j] + self.asymmetry[i * self.n + j];
            }
        }
        if bad && self.fault == Fault::NanHessian {
            h[(0, 0)] = f64::NAN;
        }
        Ok(())
    }
}

/// A test-only objective of dimension 0.
struct Empty;
impl Objective for Empty {
    fn dim(&self) -> usize {
        0
    }
    fn value(&mut self, _x: &[f64]) -> f64 {
        0.0
    }
    fn gradient(&mut self, _x: &[f64], _g: &mut [f64]) {}
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            hessian: true,
            hessian_vector_product: true,
        }
    }
    fn hessian(&mut self, _x: &[f64], _h: MatMut<'_, f64>) -> Result<(), Error> {
        Ok(())
    }
}

/// The invariants every run keeps, whatever the objective did.
fn assert_sound(method: &str, run: &descent_core::RunResult, budget: Option<usize>) {
    assert!(
        run.x.iter().all(|v| v.is_finite()) && run.f.is_finite() && run.grad_norm.is_finite(),
        "{method}: non-finite result {run:?}"
    );
    if let Some(b) = budget {
        assert!(
            run.counts.total() <= b,
            "{method}: {} evaluations under a budget of {b}",
            run.counts.total()
        );
    }
}

/// The method said at step 1 that it cannot go on (no `Err`, no step taken).
fn assert_stopped_at_step_one(method: &str, run: &descent_core::RunResult) {
    assert!(
        matches!(
            run.termination,
            Termination::Failed {
                iteration: 1,
                reason: FailureReason::Stopped(_)
            }
        ),
        "{method}: {:?}",
        run.termination
    );
}

#[test]
fn indefinite_quadratic_runs_end_in_a_termination_not_an_err() {
    // ½wᵀAw with eigenvalues −1 and 1 (issue 15, item 1): unbounded below along
    // one eigenvector, a saddle at 0. From the saddle itself (∇f = 0, gradient
    // tolerance off) every direction has slope 0.
    let methods = || -> Vec<Box<dyn Optimizer>> {
        vec![
            Box::new(QuasiNewton::bfgs()),
            Box::new(Lbfgs::new(5).unwrap()),
            Box::new(QuasiNewton::sr1()),
            Box::new(Newton::new(1.0, IndefiniteHessian::Fail).unwrap()),
            Box::new(Newton::safeguarded()),
            Box::new(
                Newton::new(1.0, IndefiniteHessian::SolveIndefinite)
                    .unwrap()
                    .with_line_search(Default::default()),
            ),
        ]
    };
    let rules = StoppingRules::default()
        .gradient_tolerance(None)
        .max_iterations(200)
        .max_evaluations(5_000);
    for x0 in [[0.0, 0.0], [1.0, 0.5], [1e-3, -2.0]] {
        for mut method in methods() {
            let mut q = Quadratic::from_eigenvalues(&[-1.0, 1.0], 3).unwrap();
            let name = method.name();
            let run = minimize(&mut q, method.as_mut(), &x0, &rules)
                .unwrap_or_else(|e| panic!("{name} from {x0:?}: Err after the start: {e}"));
            assert_sound(&name, &run, Some(5_000));
            if x0 == [0.0, 0.0] {
                // No descent direction at the saddle: the method stops at step 1
                // with its reason and x₀.
                assert_stopped_at_step_one(&name, &run);
                assert_eq!(run.x, vec![0.0, 0.0], "{name}");
            }
        }
    }
}

/// `f(x) = c·(x₁ + x₂)` with `c = 10²⁰⁰`: ∇f is finite but `∇fᵀ(−∇f) =
/// −2·10⁴⁰⁰` overflows to −∞.
struct SteepPlane;
impl Objective for SteepPlane {
    fn dim(&self) -> usize {
        2
    }
    fn value(&mut self, x: &[f64]) -> f64 {
        1e200 * (x[0] + x[1])
    }
    fn gradient(&mut self, _x: &[f64], g: &mut [f64]) {
        g.fill(1e200);
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            hessian: true,
            hessian_vector_product: true,
        }
    }
    fn hessian(&mut self, _x: &[f64], mut h: MatMut<'_, f64>) -> Result<(), Error> {
        for i in 0..2 {
            for j in 0..2 {
                h[(i, j)] = 0.0;
            }
        }
        Ok(())
    }
}

#[test]
fn a_direction_with_slope_minus_infinity_is_a_stop_not_an_err() {
    let rules = StoppingRules::default().max_iterations(50);
    for mut method in all_methods(2) {
        let name = method.name();
        let run = minimize(&mut SteepPlane, method.as_mut(), &[0.0, 0.0], &rules)
            .unwrap_or_else(|e| panic!("{name}: Err after the start: {e}"));
        assert_sound(&name, &run, None);
    }
}

/// A function that is NaN everywhere but at its starting point, so every
/// line-search trial fails and the step halves towards 0.
struct NanOffStart {
    x0: Vec<f64>,
}
impl Objective for NanOffStart {
    fn dim(&self) -> usize {
        self.x0.len()
    }
    fn value(&mut self, x: &[f64]) -> f64 {
        if x == self.x0.as_slice() {
            x.iter().sum()
        } else {
            f64::NAN
        }
    }
    fn gradient(&mut self, _x: &[f64], g: &mut [f64]) {
        g.fill(1.0);
    }
}

#[test]
fn a_strong_wolfe_search_whose_step_underflows_stops_within_the_budget() {
    // Issue 15, item 3: a search allowed 10⁸ trials, a run allowed 5 000
    // evaluations, and a start of magnitude 10⁻³⁰⁰ so that α p keeps changing
    // x until α ≈ 10⁻³²³ (about 1 070 halvings of α from 1).
    let x0 = vec![1e-300, -1e-300];
    let search = StrongWolfe::new(1e-4, 0.9, 1e10, 100_000_000).unwrap();
    for (budget, expected) in [(5_000, None), (200, Some(Termination::MaxEvaluations))] {
        let mut obj = NanOffStart { x0: x0.clone() };
        let mut method = Lbfgs::new(5).unwrap().with_line_search(search);
        let rules = StoppingRules::default().max_evaluations(budget);
        let run = minimize(&mut obj, &mut method, &x0, &rules).unwrap();
        assert_sound("L-BFGS", &run, Some(budget));
        assert_eq!(run.x, x0);
        match expected {
            Some(t) => assert_eq!(run.termination, t),
            // The search stops by itself once α p no longer changes x: far
            // fewer trials than the budget (each trial is f and ∇f).
            None => {
                assert_stopped_at_step_one("L-BFGS", &run);
                assert!(run.counts.total() < 2 * 1_200, "{:?}", run.counts);
            }
        }
    }
}

#[test]
fn the_budget_bounds_every_method_exactly() {
    // A 3-D ill-conditioned quadratic no method solves in 7 evaluations: every
    // run stops at the budget and never past it.
    for budget in [2, 3, 7, 20] {
        for mut method in all_methods(3) {
            let mut q = Quadratic::from_eigenvalues(&[1e-3, 1.0, 1e3], 5).unwrap();
            let name = method.name();
            let rules = StoppingRules::default()
                .gradient_tolerance(1e-300)
                .max_iterations(10_000)
                .max_evaluations(budget);
            let run = minimize(&mut q, method.as_mut(), &[1.0, -2.0, 3.0], &rules).unwrap();
            assert_sound(&name, &run, Some(budget));
        }
    }
}

#[test]
fn zero_dimensional_objectives_are_refused_the_same_way_by_every_method() {
    // Issue 15, item 5: saddle-free Newton used to panic here.
    for mut method in all_methods(0) {
        let name = method.name();
        let e = minimize(&mut Empty, method.as_mut(), &[], &StoppingRules::default())
            .expect_err(&name)
            .to_string();
        assert_eq!(
            e,
            format!(
                "minimize objective with {name}: the objective has dimension 0: there is nothing to minimise"
            )
        );
    }
}

/// Case count: `DESCENT_FUZZ_CASES` (the long run), else `default`.
fn fuzz_config(default: u32) -> Config {
    let cases = std::env::var("DESCENT_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    Config {
        cases,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(15),
        ..Config::default()
    }
}

fn hostile() -> impl Strategy<Value = (Hostile, Vec<f64>)> {
    (1usize..=4)
        .prop_flat_map(|n| {
            (
                Just(n),
                proptest::collection::vec(-3.0f64..3.0, n * n),
                proptest::collection::vec(-2.0f64..2.0, n),
                prop_oneof![Just(0.0), Just(1e-9), Just(1e-6), Just(1.0)],
                proptest::collection::vec(-1.0f64..1.0, n * n),
                0..FAULTS.len(),
                2usize..40,
                1usize..5,
                proptest::collection::vec(-5.0f64..5.0, n),
            )
        })
        .prop_map(|(n, raw, b, scale, e, fault, trigger, period, x0)| {
            // A = ½(R + Rᵀ): symmetric, of either sign.
            let a = (0..n * n)
                .map(|k| 0.5 * (raw[k] + raw[(k % n) * n + k / n]))
                .collect();
            let asymmetry = e.iter().map(|v| scale * v).collect();
            let obj = Hostile {
                n,
                a,
                b,
                asymmetry,
                fault: FAULTS[fault],
                trigger,
                period,
                calls: 0,
            };
            (obj, x0)
        })
}

/// Print the tally of a long run (`DESCENT_FUZZ_CASES` set) for the record.
#[allow(clippy::print_stderr)]
fn report_tally(tally: &BTreeMap<String, usize>) {
    if std::env::var_os("DESCENT_FUZZ_CASES").is_some() {
        let total: usize = tally.values().sum();
        eprintln!("hostile optimiser runs: {total} cases, 0 panics, 0 Err, 0 budget overruns");
        for (kind, count) in tally {
            eprintln!("  {kind}: {count}");
        }
    }
}

#[test]
fn every_optimiser_survives_a_hostile_objective() {
    let tally = RefCell::new(BTreeMap::<String, usize>::new());
    let cases = (hostile(), 0usize..25, 2usize..400, 1usize..150);
    TestRunner::new(fuzz_config(300))
        .run(
            &cases,
            |((objective, x0), method, budget, max_iterations)| {
                let mut obj = objective;
                let mut methods = all_methods(obj.n);
                let count = methods.len();
                let optimizer = methods[method % count].as_mut();
                let rules = StoppingRules::default()
                    .max_iterations(max_iterations)
                    .max_evaluations(budget);
                let name = optimizer.name();
                // The first two calls (∇f and f at x₀) are clean, so the run must start.
                let run = minimize(&mut obj, optimizer, &x0, &rules)
                    .unwrap_or_else(|e| panic!("{name} on {obj:?}: Err: {e}"));
                assert_sound(&name, &run, Some(budget));
                prop_assert!(run.counts != EvaluationCounts::default());
                let kind = match &run.termination {
                    Termination::Failed { reason, .. } => match reason {
                        FailureReason::Stopped(_) => "Failed (stopped)".to_owned(),
                        FailureReason::StepError(m) => format!("Failed (step error: {m})"),
                    },
                    Termination::Diverged { .. } => "Diverged".to_owned(),
                    other => format!("{other:?}"),
                };
                *tally.borrow_mut().entry(kind).or_default() += 1;
                Ok(())
            },
        )
        .unwrap();
    report_tally(&tally.borrow());
}

/// The Moré–Garbow–Hillstrom Rosenbrock function `(1 − x)² + 100 (y − x²)²`
/// whose Hessian is formed by forward differences of its exact gradient
/// (step 10⁻⁷): asymmetric at about 10⁻⁸ relative, above the 10⁻¹⁰ the
/// symmetric factorisations accept.
struct DifferencedRosenbrock(descent_problems::mgh::MghProblem);
impl Objective for DifferencedRosenbrock {
    fn dim(&self) -> usize {
        2
    }
    fn value(&mut self, x: &[f64]) -> f64 {
        self.0.value(x)
    }
    fn gradient(&mut self, x: &[f64], g: &mut [f64]) {
        self.0.gradient(x, g)
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            hessian: true,
            hessian_vector_product: false,
        }
    }
    fn hessian(&mut self, x: &[f64], mut h: MatMut<'_, f64>) -> Result<(), Error> {
        let step = 1e-7;
        let (mut g0, mut g1) = (vec![0.0; 2], vec![0.0; 2]);
        self.gradient(x, &mut g0);
        for j in 0..2 {
            let mut xs = x.to_vec();
            xs[j] += step;
            self.gradient(&xs, &mut g1);
            for i in 0..2 {
                h[(i, j)] = (g1[i] - g0[i]) / step;
            }
        }
        Ok(())
    }
}

#[test]
fn finite_difference_hessians_are_symmetrised_and_newton_and_dogleg_converge() {
    // Issue 15, item 4: the 10⁻¹⁰ symmetry check used to abort these runs
    // partway. With ½(H + Hᵀ) both reach the minimiser (1, 1), f* = 0.
    let methods: Vec<Box<dyn Optimizer>> = vec![
        Box::new(Newton::safeguarded()),
        Box::new(TrustRegion::dogleg(1.0).unwrap()),
    ];
    let rules = StoppingRules::default()
        .gradient_tolerance(1e-6)
        .max_iterations(500);
    for mut method in methods {
        let name = method.name();
        let mut trace = descent_core::Trace::new();
        let run = descent_core::minimize_with(
            &mut DifferencedRosenbrock(descent_problems::mgh::rosenbrock()),
            method.as_mut(),
            &[-1.2, 1.0],
            &rules,
            &mut [&mut trace],
        )
        .unwrap();
        assert!(run.termination.converged(), "{name}: {:?}", run.termination);
        assert!(
            (run.x[0] - 1.0).abs() < 1e-5 && (run.x[1] - 1.0).abs() < 1e-5,
            "{name}: {:?}",
            run.x
        );
        assert!(
            trace.records.iter().any(|r| r.diagnostics.symmetrized),
            "{name}: the differenced Hessian was never asymmetric enough to need it"
        );
    }
}
