//! Unit tests of descent-core: the runner's stopping rules and divergence
//! handling on a 1-D quadratic with a test-only fixed-step method, evaluation
//! counting, validation messages, and the convergence analysis on synthetic
//! traces whose rates and orders are known by construction.

use crate::analysis::{self, ClassifyOptions, Regime};
use crate::*;

/// E(w) = ½ a (w − w*)², E' = a (w − w*), E'' = a.
struct Parabola {
    a: f64,
    w_star: f64,
}

impl Objective for Parabola {
    fn name(&self) -> String {
        "parabola".into()
    }
    fn dim(&self) -> usize {
        1
    }
    fn value(&mut self, x: &[f64]) -> f64 {
        0.5 * self.a * (x[0] - self.w_star).powi(2)
    }
    fn gradient(&mut self, x: &[f64], g: &mut [f64]) {
        g[0] = self.a * (x[0] - self.w_star);
    }
}

/// Test-only fixed step w ← w − η E'(w) (the real methods live in descent-gd).
struct FixedStep(f64);

impl Optimizer for FixedStep {
    fn name(&self) -> String {
        format!("fixed step η={}", self.0)
    }
    fn step(&mut self, eval: &mut Evaluator<'_>, state: &mut State) -> Result<StepOutcome, Error> {
        for (x, g) in state.x.iter_mut().zip(&state.grad) {
            *x -= self.0 * g;
        }
        state.f = eval.value_and_gradient(&state.x, &mut state.grad);
        Ok(StepOutcome::Continue(Diagnostics::with_learning_rate(
            self.0,
        )))
    }
}

/// A method that gives up at its third step.
struct GivesUp(usize);

impl Optimizer for GivesUp {
    fn name(&self) -> String {
        "gives up".into()
    }
    fn requirements(&self) -> Requirements {
        Requirements {
            hessian: self.0 == 99,
            ..Requirements::default()
        }
    }
    fn step(&mut self, eval: &mut Evaluator<'_>, state: &mut State) -> Result<StepOutcome, Error> {
        self.0 += 1;
        if self.0 == 3 {
            return Ok(StepOutcome::Stop {
                reason: "no descent direction".into(),
                diagnostics: Diagnostics::default(),
            });
        }
        FixedStep(0.1).step(eval, state)
    }
}

fn run(eta: f64, rules: StoppingRules) -> (RunResult, Trace) {
    let mut p = Parabola {
        a: 2.0,
        w_star: 1.0,
    };
    let mut trace = Trace::with_iterates();
    let result = minimize_with(
        &mut p,
        &mut FixedStep(eta),
        &[3.0],
        &rules,
        &mut [&mut trace],
    )
    .unwrap();
    (result, trace)
}

#[test]
fn fixed_step_on_a_parabola_contracts_by_one_minus_eta_a() {
    // a = 2, η = 0.25: w_k − w* = (1 − ηa)^k (w₀ − w*) = 0.5^k · 2.
    let (result, trace) = run(
        0.25,
        StoppingRules::default()
            .max_iterations(20)
            .gradient_tolerance(None),
    );
    assert_eq!(result.termination, Termination::MaxIterations);
    assert_eq!(result.iterations, 20);
    assert_eq!(trace.records.len(), 21);
    for (k, x) in trace.iterates.iter().enumerate() {
        assert_eq!(x[0] - 1.0, 2.0 * 0.5f64.powi(k as i32));
    }
    // One value_and_gradient at x₀ and one per step.
    assert_eq!(
        result.counts,
        EvaluationCounts {
            value: 21,
            gradient: 21,
            hessian: 0,
            hessian_vector_product: 0,
            ..EvaluationCounts::default()
        }
    );
    assert_eq!(trace.records[3].diagnostics.learning_rate, Some(0.25));
    assert_eq!(trace.records[3].step_norm, 2.0 * 0.5f64.powi(3));
}

#[test]
fn each_stopping_rule_names_itself() {
    use Convergence::*;
    let check = |rules: StoppingRules, expect: Termination, iterations: usize| {
        let (result, _) = run(0.25, rules);
        assert_eq!(
            (result.termination, result.iterations),
            (expect, iterations)
        );
    };
    let none = StoppingRules::default().gradient_tolerance(None);
    // |E'(w_k)| = 2 · 2 · 0.5^k = 4 · 0.5^k ≤ 1e-3 first at k = 12 (4/4096 < 1e-3 < 4/2048).
    check(
        StoppingRules::default().gradient_tolerance(1e-3),
        Termination::Converged(GradientNorm),
        12,
    );
    // Relative: 0.5^k ≤ 0.01 first at k = 7.
    check(
        none.clone().relative_gradient_tolerance(0.01),
        Termination::Converged(RelativeGradientNorm),
        7,
    );
    // E_k = 4 · 0.25^k; |E_k − E_{k−1}| = 12 · 0.25^k ≤ 1e-3 first at k = 7 (12/16384 = 7.3e-4).
    check(
        none.clone().function_tolerance(1e-3),
        Termination::Converged(FunctionChange),
        7,
    );
    // |Δw_k| = 2 · 0.5^k ≤ 0.01 first at k = 8 (2/256 = 0.0078).
    check(
        none.clone().step_tolerance(0.01),
        Termination::Converged(StepSize),
        8,
    );
    // E_k = 4 · 0.25^k ≤ 0.01 first at k = 5 (4/1024 = 0.0039; k = 4 gives 0.0156).
    check(
        none.clone().target_value(0.01),
        Termination::Converged(TargetValue),
        5,
    );
    // 2 evaluations at x₀ plus 2 per step: ≥ 10 after 4 steps.
    check(
        none.clone().max_evaluations(10),
        Termination::MaxEvaluations,
        4,
    );
    // Already converged at the start.
    check(
        StoppingRules::default().gradient_tolerance(100.0),
        Termination::Converged(GradientNorm),
        0,
    );
}

#[test]
fn divergence_ends_the_run_without_nan() {
    // η = 3/a: w_k − w* = (−2)^k · 2, f_k = 4 · 4^k, above 1e6 first at k = 9
    // (4 · 4^9 ≈ 1.05e6). The run keeps x_8 = 1 + 2 · 256 = 513.
    let (result, trace) = run(1.5, StoppingRules::default().divergence_bound(1e6));
    assert_eq!(result.termination, Termination::Diverged { iteration: 9 });
    assert_eq!((result.iterations, result.x[0]), (8, 513.0));
    assert_eq!(trace.records.len(), 9);
    assert!(trace.records.iter().all(|r| r.f.is_finite() && r.f <= 1e6));

    // Without a bound, f overflows to ∞: the run ends at the first non-finite
    // value. With w* = 0 and w₀ = 2 every iterate is a power of two, so this is
    // exact: w_k = 2 · (−2)^k, f_k = ½ · 2 · w_k² = 4^{k+1}, and f_511 = 2^1024
    // overflows while f_510 = 2^1022 does not.
    let mut p = Parabola {
        a: 2.0,
        w_star: 0.0,
    };
    let mut trace = Trace::new();
    let rules = StoppingRules::default().divergence_bound(f64::MAX);
    let result = minimize_with(
        &mut p,
        &mut FixedStep(1.5),
        &[2.0],
        &rules,
        &mut [&mut trace],
    )
    .unwrap();
    assert_eq!(result.termination, Termination::Diverged { iteration: 511 });
    assert_eq!(result.iterations, 510);
    assert_eq!((result.x[0], result.f), (2f64.powi(511), 2f64.powi(1022)));
    assert_eq!(trace.records.len(), 511);
    assert!(
        trace
            .records
            .iter()
            .all(|r| r.f.is_finite() && r.grad_norm.is_finite())
    );
}

#[test]
fn a_method_that_stops_ends_failed_with_its_reason() {
    let mut p = Parabola {
        a: 2.0,
        w_star: 1.0,
    };
    let r = minimize(&mut p, &mut GivesUp(0), &[3.0], &StoppingRules::default()).unwrap();
    assert_eq!(
        r.termination,
        Termination::Failed {
            iteration: 3,
            reason: FailureReason::Stopped("no descent direction".into())
        }
    );
}

#[test]
fn bad_input_is_an_error_naming_the_values() {
    let mut p = Parabola {
        a: 2.0,
        w_star: 1.0,
    };
    let rules = StoppingRules::default();
    let msg = |r: Result<RunResult, Error>| r.unwrap_err().to_string();
    assert_eq!(
        msg(minimize(&mut p, &mut FixedStep(0.1), &[1.0, 2.0], &rules)),
        "minimize parabola with fixed step η=0.1: starting point has 2 coordinates but the objective has dimension 1"
    );
    assert_eq!(
        msg(minimize(&mut p, &mut FixedStep(0.1), &[f64::NAN], &rules)),
        "minimize parabola with fixed step η=0.1: starting point x0[0] = NaN is not finite"
    );
    assert_eq!(
        msg(minimize(
            &mut p,
            &mut FixedStep(0.1),
            &[1.0],
            &rules.clone().gradient_tolerance(-1.0)
        )),
        "stopping rules: gradient tolerance must be finite and > 0, got -1"
    );
    assert_eq!(
        msg(minimize(&mut p, &mut GivesUp(99), &[1.0], &rules)),
        "gives up needs the Hessian, which parabola does not provide"
    );
    let mut huge = Parabola {
        a: 2.0,
        w_star: 0.0,
    };
    assert_eq!(
        msg(minimize(&mut huge, &mut FixedStep(0.1), &[1e300], &rules)),
        "minimize parabola with fixed step η=0.1: f(x0) = inf and ‖∇f(x0)‖ = 2e300: the starting point must give finite values"
    );
}

#[test]
fn validation_messages() {
    use crate::validate::*;
    let msg = |r: Result<f64, Error>| r.unwrap_err().to_string();
    assert_eq!(
        msg(positive("gradient descent", "η", 0.0)),
        "gradient descent: η must be finite and > 0, got 0"
    );
    assert_eq!(
        msg(positive("gradient descent", "η", f64::NAN)),
        "gradient descent: η must be finite and > 0, got NaN"
    );
    assert_eq!(
        msg(non_negative("Levenberg–Marquardt", "λ", -1.0)),
        "Levenberg–Marquardt: λ must be finite and ≥ 0, got -1"
    );
    assert_eq!(
        msg(in_open_unit("CG", "forcing term", 1.0)),
        "CG: forcing term must be in (0, 1), got 1"
    );
    assert_eq!(
        msg(in_unit_from_zero("Adam", "β₂", 1.0)),
        "Adam: β₂ must be in [0, 1), got 1"
    );
    assert_eq!(
        msg(finite("quadratic", "c", f64::INFINITY)),
        "quadratic: c must be finite, got inf"
    );
    assert_eq!(
        at_least("L-BFGS", "memory", 0, 1).unwrap_err().to_string(),
        "L-BFGS: memory must be ≥ 1, got 0"
    );
    assert_eq!(
        all_positive("GD", "η_i", &[1.0, -2.0])
            .unwrap_err()
            .to_string(),
        "GD: η_i must be finite and > 0 in every entry, got -2 at index 1"
    );
    assert_eq!(positive("GD", "η", 0.5), Ok(0.5));
}

#[test]
fn hessian_vector_product_defaults() {
    let mut p = Parabola {
        a: 2.0,
        w_star: 0.0,
    };
    let mut out = [0.0];
    assert_eq!(
        p.hessian_vector_product(&[0.0], &[1.0], &mut out)
            .unwrap_err()
            .to_string(),
        "this call needs Hessian-vector products, which parabola does not provide"
    );
}

#[test]
fn geometric_trace_has_linear_rate_one_half() {
    // e_k = 0.5^k: R_k = 0.5 exactly, order 1.
    let e: Vec<f64> = (0..30).map(|k| 0.5f64.powi(k)).collect();
    assert!(analysis::rates(&e).iter().all(|&r| r == 0.5));
    assert_eq!(analysis::tail_rate(&e, 10), Some(0.5));
    let q = analysis::tail_order(&e, 0.0).unwrap();
    assert!((q - 1.0).abs() < 1e-12, "{q}");
    assert_eq!(
        analysis::classify(&e, ClassifyOptions::default()),
        Some(Regime::ConvergingMonotonically)
    );
}

#[test]
fn squaring_trace_has_order_two() {
    // e_{k+1} = e_k², e₀ = 0.5: log e_k = 2^k log 0.5, so q_k = 2 exactly (up to rounding).
    let mut e = vec![0.5];
    for _ in 0..6 {
        let last = *e.last().unwrap();
        e.push(last * last);
    }
    let q = analysis::tail_order(&e, 0.0).unwrap();
    assert!((q - 2.0).abs() < 1e-12, "{q}");
}

#[test]
fn regimes_of_synthetic_traces() {
    let opts = ClassifyOptions::default();
    // Alternating signs, shrinking: d_k = (−0.5)^k.
    let osc: Vec<f64> = (0..30).map(|k| (-0.5f64).powi(k)).collect();
    assert_eq!(
        analysis::classify(&osc, opts),
        Some(Regime::ConvergingWithOscillation)
    );
    // Growing: d_k = 1.5^k (and oscillating growth (−1.5)^k) diverge.
    let grow: Vec<f64> = (0..30).map(|k| 1.5f64.powi(k)).collect();
    assert_eq!(analysis::classify(&grow, opts), Some(Regime::Diverging));
    let grow_osc: Vec<f64> = (0..30).map(|k| (-1.5f64).powi(k)).collect();
    assert_eq!(analysis::classify(&grow_osc, opts), Some(Regime::Diverging));
    // Constant error (η = 2/a on a parabola: d_k = (−1)^k d₀) is stalled.
    let stall: Vec<f64> = (0..30).map(|k| (-1f64).powi(k)).collect();
    assert_eq!(analysis::classify(&stall, opts), Some(Regime::Stalled));
    // Vector version: d_k = (0.5^k, −0.5^k)·(−1)^k flips direction every step.
    let vecs: Vec<Vec<f64>> = osc.iter().map(|&d| vec![d, -d]).collect();
    assert_eq!(
        analysis::classify_vectors(&vecs, opts),
        Some(Regime::ConvergingWithOscillation)
    );
}

#[test]
fn summary_of_a_run() {
    // η = 0.75, a = 2: 1 − ηa = −0.5, oscillating with rate 0.5 in x and 0.25 in f.
    let (_, trace) = run(
        0.75,
        StoppingRules::default()
            .max_iterations(30)
            .gradient_tolerance(None),
    );
    let s = analysis::summarize(&trace.values(), 0.0, Some((&trace.iterates, &[1.0])));
    assert!((s.rate_x.unwrap() - 0.5).abs() < 1e-12);
    assert!((s.rate_f.unwrap() - 0.25).abs() < 1e-12);
    assert!((s.order.unwrap() - 1.0).abs() < 1e-9);
    assert_eq!(s.regime, Some(Regime::ConvergingWithOscillation));
}

#[test]
fn rates_stop_at_zero_and_at_a_noise_floor() {
    // An exact zero at the end of a trace must not make the tail rate 0.
    let e = [1.0, 0.25, 0.0625, 0.0];
    assert_eq!(analysis::rates(&e), vec![0.25, 0.25]);
    assert_eq!(analysis::tail_rate(&e, 10), Some(0.25));
    // Round-off noise below a relative floor is cut off by `above`.
    let noisy = [1.0, 0.5, 0.25, 1e-17, 3e-17];
    assert_eq!(analysis::above(&noisy, 1e-12), &[1.0, 0.5, 0.25]);
    assert_eq!(
        analysis::tail_rate(analysis::above(&noisy, 1e-12), 10),
        Some(0.5)
    );
    // A NaN or ∞ error is divergence, never convergence.
    let opts = ClassifyOptions::default();
    assert_eq!(
        analysis::classify(&[1.0, 0.5, f64::NAN], opts),
        Some(Regime::Diverging)
    );
    assert_eq!(
        analysis::classify(&[1.0, 2.0, f64::INFINITY], opts),
        Some(Regime::Diverging)
    );
    assert_eq!(analysis::classify(&[1.0], opts), None);
}

#[test]
fn summary_ignores_round_off_at_the_end_of_a_run() {
    // η = 0.25, a = 2, w* = 1: R = 0.5 in x and 0.25 in f, until round-off.
    let (_, trace) = run(
        0.25,
        StoppingRules::default()
            .max_iterations(80)
            .gradient_tolerance(None),
    );
    let s = analysis::summarize(&trace.values(), 0.0, Some((&trace.iterates, &[1.0])));
    assert_eq!(s.rate_x, Some(0.5));
    assert_eq!(s.rate_f, Some(0.25));
    assert_eq!(s.regime, Some(Regime::ConvergingMonotonically));
}

#[test]
fn dense_hessian_fallback_is_counted_as_a_hessian() {
    struct WithHessian(Parabola);
    impl Objective for WithHessian {
        fn dim(&self) -> usize {
            1
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
        fn hessian(
            &mut self,
            _x: &[f64],
            mut h: descent_linalg::MatMut<'_, f64>,
        ) -> Result<(), Error> {
            h[(0, 0)] = self.0.a;
            Ok(())
        }
    }
    let mut p = WithHessian(Parabola {
        a: 2.0,
        w_star: 0.0,
    });
    let mut eval = Evaluator::new(&mut p);
    let mut out = [0.0];
    // H v = 2 · 3.
    eval.hessian_vector_product(&[0.0], &[3.0], &mut out)
        .unwrap();
    assert_eq!(out, [6.0]);
    assert_eq!(
        (eval.counts().hessian, eval.counts().hessian_vector_product),
        (1, 0)
    );
}

#[test]
fn linear_regimes_follow_the_factor() {
    use analysis::linear_regime;
    // r = 1 − ηa at η/η_opt = 0.5, 1, 1.5, 2, 2.5 and the two boundaries.
    let cases = [
        (0.5, Regime::ConvergingMonotonically),
        (0.0, Regime::OneStep),
        (-0.5, Regime::ConvergingWithOscillation),
        (-1.0, Regime::ConstantOscillation),
        (-1.5, Regime::DivergingWithOscillation),
        (1.0, Regime::Stalled),
        (1.5, Regime::Diverging),
    ];
    for (r, regime) in cases {
        assert_eq!(linear_regime(r), Some(regime), "r = {r}");
    }
    assert_eq!(linear_regime(f64::NAN), None);
    assert_eq!(
        Regime::DivergingWithOscillation.to_string(),
        "oscillating divergence"
    );
}

#[test]
fn measured_linear_regimes_of_exact_sequences() {
    use analysis::classify_linear;
    // d_k = r^k for each factor; the measured regime equals linear_regime(r).
    for r in [0.5f64, -0.5, -1.0, 1.0, 1.5, -1.5] {
        let d: Vec<f64> = (0..40).map(|k| r.powi(k)).collect();
        assert_eq!(
            classify_linear(&d, 1e-8),
            analysis::linear_regime(r),
            "r = {r}"
        );
    }
    assert_eq!(
        classify_linear(&[1.0, 0.0, 0.0], 1e-8),
        Some(Regime::OneStep)
    );
    assert_eq!(classify_linear(&[1.0], 1e-8), None);
    // Steps below the window do not vote: a tail of rounding noise that flips
    // sign does not make a monotone run oscillating.
    let mut d: Vec<f64> = (0..30).map(|k| 0.1f64.powi(k)).collect();
    d.extend([1e-31, -1e-31, 1e-31, -1e-31, 1e-31, -1e-31, 1e-31, -1e-31]);
    assert_eq!(
        classify_linear(&d, 1e-8),
        Some(Regime::ConvergingMonotonically)
    );
}

#[test]
fn statistics_of_no_data_are_nan() {
    assert_eq!(analysis::median(&[3.0, 1.0, 2.0]), 2.0);
    assert_eq!(analysis::median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
    assert!(analysis::median(&[]).is_nan());
    assert!(analysis::median(&[1.0, f64::NAN]).is_nan());
    assert_eq!(analysis::max_counted([1.0, 3.0, 2.0]), (3.0, 3));
    let (m, n) = analysis::max_counted(std::iter::empty());
    assert!(m.is_nan() && n == 0);
    assert!(analysis::max_or_nan([1.0, f64::NAN, 2.0]).is_nan());
    assert_eq!(analysis::min_or_nan([2.0, -1.5, 3.0]), -1.5);
    assert!(analysis::min_or_nan([1.0, f64::NAN, 2.0]).is_nan());
    assert!(analysis::min_or_nan(std::iter::empty()).is_nan());
    // 3-4-5 triangle.
    assert_eq!(analysis::distance(&[3.0, 0.0], &[0.0, 4.0]), 5.0);
    // e_k = 0.5^k: (e_10/e_2)^{1/8} = 0.5 exactly.
    let e: Vec<f64> = (0..12).map(|k| 0.5f64.powi(k)).collect();
    assert_eq!(analysis::window_rate(&e, 2, 10), Some(0.5));
    assert_eq!(analysis::window_rate(&e, 3, 3), None);
    assert_eq!(analysis::window_rate(&e, 3, 12), None);
    assert_eq!(analysis::window_rate(&[1.0, 0.0], 0, 1), None);
}
