//! Tests for descent-gd: closed forms on quadratics, hand-derived first steps,
//! divergence without NaN, stochastic gradients and validation messages.

use descent_core::{
    Capabilities, Error, Objective, Optimizer, StoppingRules, Termination, Trace, minimize,
    minimize_with,
};
use descent_linalg::{Mat, MatMut};
use descent_schedule::{LearningRate, Schedule};

use crate::{
    Adagrad, AdagradSettings, Adam, AdamSettings, EpsilonPlacement, GradientDescent, MiniBatch,
    Momentum, MomentumForm, MomentumSettings, NoisyGradient, PerParameterGradientDescent,
    QuickProp, QuickPropSettings, RmsProp, RmsPropSettings, Rprop, RpropSettings, RpropVariant,
    SampledObjective, StepSizeCheck, WeightDecay,
};

/// `f(x) = ½ Σ a_i x_i²`, `∇f = a ⊙ x`, `∇²f = diag(a)`; minimum 0 at x* = 0.
struct DiagonalQuadratic {
    a: Vec<f64>,
}

impl DiagonalQuadratic {
    fn new(a: &[f64]) -> Self {
        Self { a: a.to_vec() }
    }
}

impl Objective for DiagonalQuadratic {
    fn name(&self) -> String {
        "diagonal quadratic".to_owned()
    }
    fn dim(&self) -> usize {
        self.a.len()
    }
    fn value(&mut self, x: &[f64]) -> f64 {
        0.5 * self.a.iter().zip(x).map(|(a, x)| a * x * x).sum::<f64>()
    }
    fn gradient(&mut self, x: &[f64], grad: &mut [f64]) {
        for ((g, a), x) in grad.iter_mut().zip(&self.a).zip(x) {
            *g = a * x;
        }
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            hessian: true,
            hessian_vector_product: false,
        }
    }
    fn hessian(&mut self, _x: &[f64], mut hess: MatMut<'_, f64>) -> Result<(), Error> {
        hess.fill(0.0);
        for (i, a) in self.a.iter().enumerate() {
            hess[(i, i)] = *a;
        }
        Ok(())
    }
}

/// `f(x) = −Σ x_i` while every `x_i < 2`, NaN (value and gradient) beyond: a
/// slope every method climbs until the numbers break.
struct NanCliff;

impl Objective for NanCliff {
    fn dim(&self) -> usize {
        2
    }
    fn value(&mut self, x: &[f64]) -> f64 {
        if x.iter().all(|v| *v < 2.0) {
            -x.iter().sum::<f64>()
        } else {
            f64::NAN
        }
    }
    fn gradient(&mut self, x: &[f64], grad: &mut [f64]) {
        let v = if x.iter().all(|v| *v < 2.0) {
            -1.0
        } else {
            f64::NAN
        };
        grad.fill(v);
    }
}

/// Run `steps` steps from `x0` (no tolerance can stop it) and return the iterates x_0 … x_steps.
fn iterates(
    objective: &mut dyn Objective,
    optimizer: &mut dyn Optimizer,
    x0: &[f64],
    steps: usize,
) -> Vec<Vec<f64>> {
    let rules = StoppingRules::default()
        .max_iterations(steps)
        .gradient_tolerance(None);
    let mut trace = Trace::with_iterates();
    let result = minimize_with(objective, optimizer, x0, &rules, &mut [&mut trace]).unwrap();
    assert_eq!(result.termination, Termination::MaxIterations);
    trace.iterates
}

/// The first three iterates of a 1-D run against hand-derived values, to 1e-14 relative.
fn check_first_steps(
    objective: &mut dyn Objective,
    optimizer: &mut dyn Optimizer,
    x0: f64,
    expected: [f64; 3],
) {
    let xs = iterates(objective, optimizer, &[x0], 3);
    for (k, want) in expected.iter().enumerate() {
        let got = xs[k + 1][0];
        assert!(
            (got - want).abs() <= 1e-14 * want.abs().max(1e-300),
            "{}: x_{} = {got}, expected {want}",
            optimizer.name(),
            k + 1
        );
    }
}

fn message<T>(result: Result<T, Error>) -> String {
    match result {
        Ok(_) => "accepted".to_owned(),
        Err(e) => e.to_string(),
    }
}

// ---------------------------------------------------------------- gradient descent

#[test]
fn gd_on_1d_quadratic_follows_closed_form() {
    // f = ½ a w², a = 4, w* = 0 (w* = 0 so that w_k − w* carries no cancellation:
    // 0.5^50 · 2 ≈ 1.8e-15 could not be resolved next to w* = 1).
    // Closed form: w_k − w* = (1 − ηa)^k (w₀ − w*); at η = 2.5/a it grows like 1.5^k.
    let a = 4.0;
    for factor in [0.5, 1.0, 1.5, 2.0, 2.5] {
        let eta = factor / a;
        let mut problem = DiagonalQuadratic::new(&[a]);
        let mut gd = GradientDescent::new(eta).unwrap();
        let xs = iterates(&mut problem, &mut gd, &[3.0], 50);
        for (k, x) in xs.iter().enumerate() {
            let expected = (1.0 - eta * a).powi(k as i32) * 3.0;
            assert!(
                (x[0] - expected).abs() <= 1e-12 * expected.abs(),
                "η = {factor}/a, k = {k}: {} vs {expected}",
                x[0]
            );
        }
    }
}

#[test]
fn gd_contracts_each_coordinate_by_its_factor() {
    // a = (1, 3, 10), η = 0.15: x_{k+1,i} = (1 − η a_i) x_{k,i}, factors 0.85, 0.55, −0.5.
    let a = [1.0, 3.0, 10.0];
    let eta = 0.15;
    let xs = iterates(
        &mut DiagonalQuadratic::new(&a),
        &mut GradientDescent::new(eta).unwrap(),
        &[1.0, -2.0, 0.5],
        20,
    );
    for w in xs.windows(2) {
        for i in 0..3 {
            let ratio = w[1][i] / w[0][i];
            assert!(
                (ratio - (1.0 - eta * a[i])).abs() <= 1e-12,
                "coordinate {i}: ratio {ratio}"
            );
        }
    }
}

#[test]
fn per_parameter_steps_solve_a_diagonal_quadratic_in_one_step() {
    // η_i = 1/a_ii: x_1 = x_0 − (1/a) ⊙ (a ⊙ x_0) = 0.
    let a = [1.0, 3.0, 10.0];
    let mut gd = PerParameterGradientDescent::new(a.iter().map(|a| 1.0 / a).collect()).unwrap();
    let xs = iterates(
        &mut DiagonalQuadratic::new(&a),
        &mut gd,
        &[1.0, -2.0, 0.5],
        1,
    );
    for (x1, x0) in xs[1].iter().zip(&xs[0]) {
        assert!(x1.abs() <= 1e-15 * x0.abs());
    }
    // A wrong number of step sizes is refused at init.
    let mut gd = PerParameterGradientDescent::new(vec![1.0, 1.0]).unwrap();
    let err = minimize(
        &mut DiagonalQuadratic::new(&a),
        &mut gd,
        &[1.0; 3],
        &StoppingRules::default(),
    );
    assert_eq!(
        message(err),
        "per-parameter gradient descent: 2 step sizes for a problem of dimension 3"
    );
}

#[test]
fn gd_uses_and_records_the_schedule() {
    // η_k = 1/(k+1) on f = ½ w²: w_{k+1} = (1 − 1/(k+1)) w_k, so w_1 = 0 and the record's
    // learning rates are 1, ½, ⅓.
    let mut gd = GradientDescent::with_learning_rate(Schedule::harmonic(1.0).unwrap());
    let rules = StoppingRules::default()
        .max_iterations(3)
        .gradient_tolerance(None);
    let mut trace = Trace::new();
    minimize_with(
        &mut DiagonalQuadratic::new(&[1.0]),
        &mut gd,
        &[5.0],
        &rules,
        &mut [&mut trace],
    )
    .unwrap();
    let etas: Vec<Option<f64>> = trace.records[1..]
        .iter()
        .map(|r| r.diagnostics.learning_rate)
        .collect();
    assert_eq!(etas, [Some(1.0), Some(0.5), Some(1.0 / 3.0)]);
    assert_eq!(trace.records[1].f, 0.0);
}

#[test]
fn too_large_a_step_diverges_without_nan() {
    // η = 3/a, a = 4, w₀ = 1: w_k = (−2)^k, f_k = 2·4^k exceeds the bound 1e100 first at
    // k = 166 (2·4^165 ≈ 4.4e99, 2·4^166 ≈ 1.75e100).
    let mut trace = Trace::new();
    let rules = StoppingRules::default().max_iterations(1000);
    let result = minimize_with(
        &mut DiagonalQuadratic::new(&[4.0]),
        &mut GradientDescent::new(0.75).unwrap(),
        &[1.0],
        &rules,
        &mut [&mut trace],
    )
    .unwrap();
    assert_eq!(result.termination, Termination::Diverged { iteration: 166 });
    assert!(
        trace
            .records
            .iter()
            .all(|r| r.f.is_finite() && r.grad_norm.is_finite() && r.step_norm.is_finite())
    );
}

#[test]
fn every_optimizer_ends_diverged_on_nan_without_panicking() {
    let optimizers: Vec<Box<dyn Optimizer>> = vec![
        Box::new(GradientDescent::new(0.3).unwrap()),
        Box::new(PerParameterGradientDescent::new(vec![0.3, 0.2]).unwrap()),
        Box::new(Momentum::heavy_ball(0.1, 0.9).unwrap()),
        Box::new(momentum(0.1, 0.9, MomentumForm::Nesterov)),
        Box::new(momentum(0.1, 0.9, MomentumForm::NesterovClassic)),
        Box::new(
            Rprop::new(RpropSettings {
                variant: RpropVariant::RpropPlus,
                ..Default::default()
            })
            .unwrap(),
        ),
        Box::new(
            Rprop::new(RpropSettings {
                variant: RpropVariant::IRpropPlus,
                ..Default::default()
            })
            .unwrap(),
        ),
        Box::new(Rprop::new(RpropSettings::default()).unwrap()),
        Box::new(QuickProp::new(QuickPropSettings::default()).unwrap()),
        Box::new(
            Adagrad::new(AdagradSettings {
                learning_rate: lr(0.5),
                ..Default::default()
            })
            .unwrap(),
        ),
        Box::new(
            RmsProp::new(RmsPropSettings {
                centered: true,
                momentum: 0.5,
                ..Default::default()
            })
            .unwrap(),
        ),
        Box::new(
            Adam::new(AdamSettings {
                learning_rate: lr(0.1),
                amsgrad: true,
                ..Default::default()
            })
            .unwrap(),
        ),
        Box::new(
            Adam::new(AdamSettings {
                learning_rate: lr(0.1),
                ..AdamSettings::adamw()
            })
            .unwrap(),
        ),
    ];
    for mut opt in optimizers {
        let mut trace = Trace::new();
        let rules = StoppingRules::default().max_iterations(10_000);
        let result = minimize_with(
            &mut NanCliff,
            &mut opt,
            &[0.0, 0.0],
            &rules,
            &mut [&mut trace],
        )
        .unwrap();
        assert!(
            matches!(result.termination, Termination::Diverged { .. }),
            "{}: {:?}",
            opt.name(),
            result.termination
        );
        assert!(result.x.iter().all(|v| v.is_finite()));
        assert!(
            trace
                .records
                .iter()
                .all(|r| r.f.is_finite() && r.grad_norm.is_finite()),
            "{}",
            opt.name()
        );
    }
}

fn lr(eta: f64) -> LearningRate {
    LearningRate::constant(eta).unwrap()
}

fn momentum(eta: f64, mu: f64, form: MomentumForm) -> Momentum {
    Momentum::new(MomentumSettings {
        learning_rate: lr(eta),
        momentum: mu,
        form,
        ..Default::default()
    })
    .unwrap()
}

// ---------------------------------------------------------------- momentum

#[test]
fn heavy_ball_follows_its_two_term_recurrence() {
    // f = ½ a w², a = 2, η = 0.1, μ = 0.5: e_1 = (1 − ηa) e_0, e_{k+1} = (1 + μ − ηa) e_k − μ e_{k−1}.
    // By hand: e_1 = 0.8, e_2 = 1.3·0.8 − 0.5 = 0.54.
    let (a, eta, mu) = (2.0, 0.1, 0.5);
    let xs = iterates(
        &mut DiagonalQuadratic::new(&[a]),
        &mut Momentum::heavy_ball(eta, mu).unwrap(),
        &[1.0],
        40,
    );
    let mut e = vec![1.0, 1.0 - eta * a];
    for k in 1..40 {
        e.push((1.0 + mu - eta * a) * e[k] - mu * e[k - 1]);
    }
    assert!((xs[2][0] - 0.54).abs() < 1e-15);
    for (x, e) in xs.iter().zip(&e) {
        assert!(
            (x[0] - e).abs() <= 1e-12 * e.abs().max(1e-300),
            "{} vs {e}",
            x[0]
        );
    }
}

#[test]
fn nesterov_forms_first_steps() {
    // f = ½·2w², η = 0.1, μ = 0.5, w₀ = 1.
    // PyTorch form: b = μb + g (b₁ = g), w ← w − η(g + μb):
    //   g=2, b=2, w = 1 − 0.1·3 = 0.7; g=1.4, b=2.4, w = 0.7 − 0.1·2.6 = 0.44;
    //   g=0.88, b=2.08, w = 0.44 − 0.1·1.92 = 0.248.
    check_first_steps(
        &mut DiagonalQuadratic::new(&[2.0]),
        &mut momentum(0.1, 0.5, MomentumForm::Nesterov),
        1.0,
        [0.7, 0.44, 0.248],
    );
    // Classic: v ← μv − η∇f(w + μv), w ← w + v:
    //   y=1, v=−0.2, w=0.8; y=0.7, v=−0.1−0.14=−0.24, w=0.56; y=0.44, v=−0.12−0.088=−0.208, w=0.352.
    // (The PyTorch iterates are the classic look-ahead points y.)
    check_first_steps(
        &mut DiagonalQuadratic::new(&[2.0]),
        &mut momentum(0.1, 0.5, MomentumForm::NesterovClassic),
        1.0,
        [0.8, 0.56, 0.352],
    );
    // Heavy ball with dampening τ = 0.5: b₁ = g = 2 (no dampening on the first step), w = 0.8;
    // g = 1.6, b = 1 + 0.8 = 1.8, w = 0.62; g = 1.24, b = 0.9 + 0.62 = 1.52, w = 0.468.
    let mut damped = Momentum::new(MomentumSettings {
        learning_rate: lr(0.1),
        momentum: 0.5,
        dampening: 0.5,
        ..Default::default()
    })
    .unwrap();
    check_first_steps(
        &mut DiagonalQuadratic::new(&[2.0]),
        &mut damped,
        1.0,
        [0.8, 0.62, 0.468],
    );
}

// ---------------------------------------------------------------- Rprop and QuickProp

fn rprop(variant: RpropVariant, initial_step: f64) -> Rprop {
    Rprop::new(RpropSettings {
        initial_step,
        variant,
        ..Default::default()
    })
    .unwrap()
}

#[test]
fn rprop_variants_first_steps() {
    // f = ½w², w₀ = 0.15, Δ₀ = 0.1, η⁺ = 1.2, η⁻ = 0.5.
    // Step 1 (no previous g): w = 0.15 − 0.1 = 0.05. Step 2 (g keeps sign): Δ = 0.12, w = −0.07.
    // Step 3, g = −0.07 flips sign, Δ = 0.06:
    //   iRprop−: store g = 0, no move: w = −0.07; step 4 steps by Δ: −0.01.
    //   Rprop−: step anyway: w = −0.01; step 4: g = −0.01 same sign as −0.07, Δ = 0.072, w = 0.062.
    //   Rprop+: revert Δw₂ = −0.12: w = 0.05; step 4: w = 0.05 − 0.06 = −0.01.
    //   iRprop+: f rose (½·0.07² > ½·0.05²), so revert as Rprop+.
    let run = |variant| {
        let xs = iterates(
            &mut DiagonalQuadratic::new(&[1.0]),
            &mut rprop(variant, 0.1),
            &[0.15],
            4,
        );
        xs[1..].iter().map(|x| x[0]).collect::<Vec<_>>()
    };
    let check = |variant, expected: [f64; 4]| {
        let got = run(variant);
        for (g, e) in got.iter().zip(expected) {
            assert!(
                (g - e).abs() < 1e-15,
                "{variant:?}: {got:?} vs {expected:?}"
            );
        }
    };
    check(RpropVariant::IRpropMinus, [0.05, -0.07, -0.07, -0.01]);
    check(RpropVariant::RpropMinus, [0.05, -0.07, -0.01, 0.062]);
    check(RpropVariant::RpropPlus, [0.05, -0.07, 0.05, -0.01]);
    check(RpropVariant::IRpropPlus, [0.05, -0.07, 0.05, -0.01]);

    // Where the error fell, iRprop+ does not revert: w₀ = 0.15, Δ₀ = 0.25: step 1 w = −0.1
    // (f: 0.01125 → 0.005); step 2 flips sign, Δ = 0.125: Rprop+ reverts to 0.15, iRprop+
    // stays at −0.1 with g stored 0; step 3: iRprop+ moves +0.125 to 0.025.
    let xs = iterates(
        &mut DiagonalQuadratic::new(&[1.0]),
        &mut rprop(RpropVariant::IRpropPlus, 0.25),
        &[0.15],
        3,
    );
    assert!(
        (xs[2][0] + 0.1).abs() < 1e-15 && (xs[3][0] - 0.025).abs() < 1e-15,
        "{xs:?}"
    );
    let xs = iterates(
        &mut DiagonalQuadratic::new(&[1.0]),
        &mut rprop(RpropVariant::RpropPlus, 0.25),
        &[0.15],
        2,
    );
    assert!((xs[2][0] - 0.15).abs() < 1e-15);
}

#[test]
fn quickprop_first_steps() {
    // f = w² (g = 2w), w₀ = 1, η = 0.3, μ = 1.75.
    // Step 1: Δw = −ηg = −0.6, w = 0.4.
    // Step 2: g = 0.8, previous 2, same sign: r = 0.8/(2 − 0.8) = ⅔ ≤ μ, secant Δw = ⅔·(−0.6) = −0.4;
    //   with the gradient term −ηg = −0.24: w = −0.24; without: w = 0 (the secant is exact).
    // Step 3 (with term): g = −0.48, previous 0.8, sign flip: r = −0.48/1.28 = −0.375,
    //   Δw = −0.375·(−0.64) = 0.24, w = 0 exactly at the minimum.
    let quickprop = |gradient_term| {
        QuickProp::new(QuickPropSettings {
            learning_rate: lr(0.3),
            max_growth: 1.75,
            gradient_term,
        })
        .unwrap()
    };
    let xs = iterates(
        &mut DiagonalQuadratic::new(&[2.0]),
        &mut quickprop(true),
        &[1.0],
        3,
    );
    let got: Vec<f64> = xs[1..].iter().map(|x| x[0]).collect();
    for (g, e) in got.iter().zip([0.4, -0.24, 0.0]) {
        assert!((g - e).abs() < 1e-15, "{got:?}");
    }
    let xs = iterates(
        &mut DiagonalQuadratic::new(&[2.0]),
        &mut quickprop(false),
        &[1.0],
        3,
    );
    assert!(
        (xs[1][0] - 0.4).abs() < 1e-15 && xs[2][0].abs() < 1e-15 && xs[3][0].abs() < 1e-15,
        "{xs:?}"
    );
    // Growth limit: f = w²/200 (g = w/100), η = 1: Δw₁ = −0.01, g barely changes, r ≫ μ,
    // so Δw₂ = μΔw₁ − ηg₁ = −0.0175 − 0.0099 = −0.0274.
    let xs = iterates(
        &mut DiagonalQuadratic::new(&[0.01]),
        &mut QuickProp::new(QuickPropSettings {
            learning_rate: lr(1.0),
            ..Default::default()
        })
        .unwrap(),
        &[1.0],
        2,
    );
    assert!((xs[2][0] - (0.99 - 0.0274)).abs() < 1e-15, "{xs:?}");
}

// ---------------------------------------------------------------- adaptive methods

#[test]
fn adagrad_first_steps() {
    // f = ½w², w₀ = 1, η = 0.1, ε = 1e-10 outside the root, s₀ = 0.
    // 1: g = 1, s = 1, w = 1 − 0.1/(1 + 1e-10) = 0.90000000001.
    // 2: g = 0.90000000001, s = 1.81000000001800, w = 0.9 − 0.1·0.9/(√1.81 + ε) = 0.8331035268523168.
    // 3: g = 0.8331035268523168, s = 2.5040614864717687, w = 0.7804561813655163.
    let mut opt = Adagrad::new(AdagradSettings {
        learning_rate: lr(0.1),
        ..Default::default()
    })
    .unwrap();
    check_first_steps(
        &mut DiagonalQuadratic::new(&[1.0]),
        &mut opt,
        1.0,
        [0.90000000001, 0.8331035268523168, 0.7804561813655163],
    );
    // Constant gradient g = −1 (f = −w): steps η/√k: 0.1, 0.1/√2, 0.1/√3 (ε = 1e-10 inside the root
    // changes them by < 1e-11 relative).
    let mut opt = Adagrad::new(AdagradSettings {
        learning_rate: lr(0.1),
        epsilon_placement: EpsilonPlacement::InsideSqrt,
        ..Default::default()
    })
    .unwrap();
    let xs = iterates(&mut NanCliff, &mut opt, &[0.0, 0.0], 3);
    let expected = [
        0.1,
        0.1 + 0.1 / 2f64.sqrt(),
        0.1 + 0.1 / 2f64.sqrt() + 0.1 / 3f64.sqrt(),
    ];
    for (x, e) in xs[1..].iter().zip(expected) {
        assert!((x[0] - e).abs() < 1e-11);
    }
}

#[test]
fn rmsprop_first_steps() {
    // f = ½w², w₀ = 1, η = 0.01, α = 0.99, ε = 1e-8.
    // Plain: v₁ = 0.01, w₁ = 1 − 0.01·1/(0.1 + 1e-8) = 0.9000000099999991;
    //   v₂ = 0.99·0.01 + 0.01·w₁² = 0.018000000180000003, w₂ = 0.8329179752650593;
    //   v₃ = 0.024757523713396467, w₃ = 0.7799822819823541.
    check_first_steps(
        &mut DiagonalQuadratic::new(&[1.0]),
        &mut RmsProp::new(RmsPropSettings::default()).unwrap(),
        1.0,
        [0.9000000099999991, 0.8329179752650593, 0.7799822819823541],
    );
    // Centred: ḡ₁ = 0.01, ṽ₁ = 0.01 − 0.0001 = 0.0099, w₁ = 1 − 0.01/(√0.0099 + ε) = 0.8994962285750879;
    //   v₂ = 0.017990934652208086, ḡ₂ = 0.018894962285750896, ṽ₂ = 0.017633915052428138,
    //   w₂ = 0.8317593871030315; ṽ₃ = 0.023998986775925796, w₃ = 0.7780684196313441.
    check_first_steps(
        &mut DiagonalQuadratic::new(&[1.0]),
        &mut RmsProp::new(RmsPropSettings {
            centered: true,
            ..Default::default()
        })
        .unwrap(),
        1.0,
        [0.8994962285750879, 0.8317593871030315, 0.7780684196313441],
    );
}

#[test]
fn adam_and_adamw_first_steps() {
    // f = ½w², w₀ = 1, η = 0.1, β₁ = 0.9, β₂ = 0.999, ε = 1e-8.
    // 1: m = 0.1, v = 0.001, m̂ = 1, v̂ = 1, w = 1 − 0.1/(1 + 1e-8) = 0.900000001.
    // 2: g = 0.900000001, m = 0.1800000001, v = 0.0018090000018, m̂ = m/0.19 = 0.9473684215789473,
    //    v̂ = v/0.001999 = 0.9049524771385824, w = 0.8004122297123382.
    // 3: m̂ = 0.893141044506398, v̂ = 0.8167667409090887, w = 0.701586274504415.
    check_first_steps(
        &mut DiagonalQuadratic::new(&[1.0]),
        &mut Adam::with_eta(0.1).unwrap(),
        1.0,
        [0.900000001, 0.8004122297123382, 0.701586274504415],
    );
    // AdamW, λ = 0.1 decoupled: w ← w(1 − ηλ) = 0.99 w before each step, the moments see the
    // raw gradient: w₁ = 0.99 − 0.1/(1 + 1e-8) = 0.890000001; w₂ = 0.7815718569541611 (m̂ =
    // 0.9421052636842105, v̂ = 0.895997999889958); w₃ = 0.6751012231892007.
    let mut adamw = Adam::new(AdamSettings {
        learning_rate: lr(0.1),
        weight_decay: WeightDecay::Decoupled(0.1),
        ..Default::default()
    })
    .unwrap();
    check_first_steps(
        &mut DiagonalQuadratic::new(&[1.0]),
        &mut adamw,
        1.0,
        [0.890000001, 0.7815718569541611, 0.6751012231892007],
    );
    assert_eq!(adamw.name(), "AdamW η=0.1");
}

#[test]
fn amsgrad_keeps_the_running_maximum_of_v() {
    // f = ½w², w₀ = 1, η = ½, β₁ = 0 (m = g), β₂ = ½, no bias correction, ε = 1e-8.
    // v₁ = ½·1 = ½ = v̄₁; v₂ = ¼ + ½w₁² ≈ 0.2929 < v̄ = ½; v₃ ≈ 0.1501 < ½: v̄ stays ½,
    // so every step is w ← w − ½ w/(√½ + ε) and w_k = r^k with r = 1 − ½/(√½ + ε)
    // = 0.2928932288134525 (closed form; plain Adam divides by √v_k instead and
    // reaches w₂ = 0.022295175854548988, w₃ = −0.006810187133096189).
    let settings = AdamSettings {
        learning_rate: lr(0.5),
        beta1: 0.0,
        beta2: 0.5,
        bias_correction: false,
        amsgrad: true,
        ..Default::default()
    };
    let r = 1.0 - 0.5 / (0.5f64.sqrt() + 1e-8);
    check_first_steps(
        &mut DiagonalQuadratic::new(&[1.0]),
        &mut Adam::new(settings.clone()).unwrap(),
        1.0,
        [r, r * r, r * r * r],
    );
    check_first_steps(
        &mut DiagonalQuadratic::new(&[1.0]),
        &mut Adam::new(AdamSettings {
            amsgrad: false,
            ..settings
        })
        .unwrap(),
        1.0,
        [r, 0.022295175854548988, -0.006810187133096189],
    );
}

#[test]
fn rmsprop_with_momentum_first_steps() {
    // f = ½w², w₀ = 1, η = 0.01, α = 0.99, ε = 1e-8, μ = 0.9: b_k = μ b_{k−1} + g_k/(√v_k + ε).
    // 1: v₁ = 0.01, b₁ = 1/(0.1 + 1e-8) = 9.999999000000097, w₁ = 0.9000000099999991.
    // 2: v₂ = 0.99·0.01 + 0.01 w₁² = 0.018000000180000003, g/(√v₂ + ε) = 6.7082034734939775,
    //    b₂ = 0.9·b₁ + 6.7082… = 15.708202573494065, w₂ = w₁ − 0.01 b₂ = 0.7429179842650584.
    // 3: v₃ = 0.023339271491644584, g/(√v₃ + ε) = 4.862920786920386,
    //    b₃ = 19.000303103065043, w₃ = 0.552914953234408.
    check_first_steps(
        &mut DiagonalQuadratic::new(&[1.0]),
        &mut RmsProp::new(RmsPropSettings {
            momentum: 0.9,
            ..Default::default()
        })
        .unwrap(),
        1.0,
        [0.9000000099999991, 0.7429179842650584, 0.552914953234408],
    );
}

#[test]
fn l2_weight_decay_adds_lambda_x_to_the_gradient() {
    // L2 weight decay λ on f = ½ a w² uses g + λw = (a + λ)w: the same numbers as no decay on
    // f = ½ (a + λ) w² (with a = 1, λ = ½, w + ½w and 1.5·w round identically), so the
    // iterates must agree bit for bit, and differ from the undecayed run.
    fn same_as_stiffer(make: &dyn Fn(f64) -> Box<dyn Optimizer>) {
        let decayed = iterates(
            &mut DiagonalQuadratic::new(&[1.0]),
            make(0.5).as_mut(),
            &[1.0],
            5,
        );
        let stiffer = iterates(
            &mut DiagonalQuadratic::new(&[1.5]),
            make(0.0).as_mut(),
            &[1.0],
            5,
        );
        let plain = iterates(
            &mut DiagonalQuadratic::new(&[1.0]),
            make(0.0).as_mut(),
            &[1.0],
            5,
        );
        assert_eq!(decayed, stiffer);
        assert_ne!(decayed, plain);
    }
    same_as_stiffer(&|l| {
        Box::new(
            Adam::new(AdamSettings {
                learning_rate: lr(0.1),
                weight_decay: WeightDecay::L2(l),
                ..Default::default()
            })
            .unwrap(),
        )
    });
    same_as_stiffer(&|l| {
        Box::new(
            Adagrad::new(AdagradSettings {
                learning_rate: lr(0.1),
                weight_decay: WeightDecay::L2(l),
                ..Default::default()
            })
            .unwrap(),
        )
    });
    same_as_stiffer(&|l| {
        Box::new(
            Momentum::new(MomentumSettings {
                learning_rate: lr(0.1),
                momentum: 0.5,
                weight_decay: l,
                ..Default::default()
            })
            .unwrap(),
        )
    });
    // Hand values. Adagrad, η = 0.1, λ = 1 on ½w² (g = 2w), w₀ = 1:
    // s₁ = 4, w₁ = 1 − 0.1·2/(2 + 1e-10) = 0.90000000001.
    check_first_steps(
        &mut DiagonalQuadratic::new(&[1.0]),
        &mut Adagrad::new(AdagradSettings {
            learning_rate: lr(0.1),
            weight_decay: WeightDecay::L2(1.0),
            ..Default::default()
        })
        .unwrap(),
        1.0,
        [
            1.0 - 0.1 * 2.0 / (2.0 + 1e-10),
            // s₂ = 4 + 4w₁², w₂ = w₁ − 0.1·2w₁/(√s₂ + 1e-10).
            {
                let w1: f64 = 1.0 - 0.1 * 2.0 / (2.0 + 1e-10);
                w1 - 0.1 * 2.0 * w1 / ((4.0 + 4.0 * w1 * w1).sqrt() + 1e-10)
            },
            {
                let w1: f64 = 1.0 - 0.1 * 2.0 / (2.0 + 1e-10);
                let s2 = 4.0 + 4.0 * w1 * w1;
                let w2 = w1 - 0.1 * 2.0 * w1 / (s2.sqrt() + 1e-10);
                w2 - 0.1 * 2.0 * w2 / ((s2 + 4.0 * w2 * w2).sqrt() + 1e-10)
            },
        ],
    );
    // Heavy ball, η = 0.1, μ = 0.5, λ = 1 on ½w²: the recurrence of ½(1 + λ)w² = w²,
    // e₁ = (1 − ηa) e₀ = 0.8, e_{k+1} = (1 + μ − ηa) e_k − μ e_{k−1} = 1.3 e_k − 0.5 e_{k−1}:
    // e₂ = 1.04 − 0.5 = 0.54, e₃ = 0.702 − 0.4 = 0.302.
    check_first_steps(
        &mut DiagonalQuadratic::new(&[1.0]),
        &mut Momentum::new(MomentumSettings {
            learning_rate: lr(0.1),
            momentum: 0.5,
            weight_decay: 1.0,
            ..Default::default()
        })
        .unwrap(),
        1.0,
        [0.8, 0.54, 0.302],
    );
    // Adam, η = 0.1, λ = 1: the first step is η·(2w)/(|2w| + ε) = 0.1·2/(2 + 1e-8).
    let xs = iterates(
        &mut DiagonalQuadratic::new(&[1.0]),
        &mut Adam::new(AdamSettings {
            learning_rate: lr(0.1),
            weight_decay: WeightDecay::L2(1.0),
            ..Default::default()
        })
        .unwrap(),
        &[1.0],
        1,
    );
    assert_eq!(xs[1][0], 1.0 - 0.1 * 2.0 / (2.0 + 1e-8));
}

#[test]
fn adam_first_step_is_eta_sign_g() {
    // Step 1: m̂ = g, v̂ = g², Δx = −η g/(|g| + ε) → −η sign(g) as ε → 0 (here ε/|g| ≤ 1e-9).
    let a = [3.0, 0.5, 1e-3];
    let x0 = [1.0, -1.0, 1.0];
    let eta = 0.01;
    for amsgrad in [false, true] {
        let mut adam = Adam::new(AdamSettings {
            learning_rate: lr(eta),
            epsilon: 1e-12,
            amsgrad,
            ..Default::default()
        })
        .unwrap();
        let xs = iterates(&mut DiagonalQuadratic::new(&a), &mut adam, &x0, 1);
        for i in 0..3 {
            let step = xs[1][i] - x0[i];
            let sign_g = (a[i] * x0[i]).signum();
            assert!(
                (step + eta * sign_g).abs() <= 1e-8 * eta,
                "coordinate {i}: {step}"
            );
        }
    }
}

#[test]
fn adam_without_bias_correction_starts_small() {
    // Without bias correction: m₁ = 0.1 g, v₁ = 0.001 g², step = η·0.1/(√0.001 + ε) ≈ 3.162 η for g = 1.
    let mut adam = Adam::new(AdamSettings {
        learning_rate: lr(0.01),
        bias_correction: false,
        ..Default::default()
    })
    .unwrap();
    let xs = iterates(&mut DiagonalQuadratic::new(&[1.0]), &mut adam, &[1.0], 1);
    let expected = 1.0 - 0.01 * 0.1 / (0.001f64.sqrt() + 1e-8);
    assert!((xs[1][0] - expected).abs() < 1e-15);
}

// ---------------------------------------------------------------- stochastic gradients

/// `fᵢ(x) = ½‖x − cᵢ‖²` for samples cᵢ ∈ ℝ²; the batch gradient is `x − mean_B(c)`.
struct Centres {
    centres: Vec<[f64; 2]>,
}

impl SampledObjective for Centres {
    fn dim(&self) -> usize {
        2
    }
    fn n_samples(&self) -> usize {
        self.centres.len()
    }
    fn value(&mut self, x: &[f64]) -> f64 {
        let all: Vec<usize> = (0..self.centres.len()).collect();
        let mut g = [0.0; 2];
        self.batch_value_and_gradient(x, &all, &mut g)
    }
    fn batch_value_and_gradient(&mut self, x: &[f64], batch: &[usize], grad: &mut [f64]) -> f64 {
        grad.fill(0.0);
        let mut f = 0.0;
        for &i in batch {
            let c = self.centres[i];
            for j in 0..2 {
                f += 0.5 * (x[j] - c[j]).powi(2);
                grad[j] += x[j] - c[j];
            }
        }
        let n = batch.len() as f64;
        grad.iter_mut().for_each(|g| *g /= n);
        f / n
    }
}

fn centres() -> Centres {
    Centres {
        centres: (0..10).map(|i| [i as f64, (i * i) as f64 / 10.0]).collect(),
    }
}

#[test]
fn mini_batches_cover_each_epoch_once_and_are_seeded() {
    // N = 10, B = 3: 4 batches per epoch (3 + 3 + 3 + 1). Σ_batches |B|·∇f_B = Σᵢ (x − cᵢ) = N ∇f.
    let x = [0.5, -1.0];
    let mut full = [0.0; 2];
    centres().batch_value_and_gradient(&x, &(0..10).collect::<Vec<_>>(), &mut full);
    let mut mb = MiniBatch::new(centres(), 3, 7).unwrap();
    assert_eq!(mb.batches_per_epoch(), 4);
    let mut sum = [0.0; 2];
    for size in [3.0, 3.0, 3.0, 1.0] {
        let mut g = [0.0; 2];
        mb.gradient(&x, &mut g);
        sum[0] += size * g[0];
        sum[1] += size * g[1];
    }
    assert!((sum[0] - 10.0 * full[0]).abs() < 1e-12 && (sum[1] - 10.0 * full[1]).abs() < 1e-12);
    assert_eq!(mb.epoch(), 0);
    // Same seed, same batches; the value is the full-data mean.
    let (mut a, mut b) = (
        MiniBatch::new(centres(), 3, 11).unwrap(),
        MiniBatch::new(centres(), 3, 11).unwrap(),
    );
    for _ in 0..9 {
        let (mut ga, mut gb) = ([0.0; 2], [0.0; 2]);
        a.gradient(&x, &mut ga);
        b.gradient(&x, &mut gb);
        assert_eq!(ga, gb);
    }
    assert_eq!(a.value(&x), centres().value(&x));
    assert_eq!(
        message(MiniBatch::new(centres(), 0, 1)),
        "epoch sampler: batch size must be ≥ 1, got 0"
    );
}

#[test]
fn noisy_gradient_is_unbiased_with_variance_sigma_squared() {
    // ∇f(x) = (1, 3) at x = (1, 1) for a = (1, 3); noise N(0, σ² = 0.25); over 20 000 draws the
    // mean is within 4σ/√n = 0.014 and the variance within 5 % of σ².
    let mut noisy = NoisyGradient::new(DiagonalQuadratic::new(&[1.0, 3.0]), 0.5, 42).unwrap();
    let n = 20_000;
    let (mut mean, mut sq) = ([0.0; 2], [0.0; 2]);
    let mut g = [0.0; 2];
    for _ in 0..n {
        noisy.gradient(&[1.0, 1.0], &mut g);
        for j in 0..2 {
            mean[j] += g[j] / n as f64;
            sq[j] += g[j] * g[j] / n as f64;
        }
    }
    for (j, exact) in [1.0, 3.0].iter().enumerate() {
        assert!((mean[j] - exact).abs() < 0.014, "mean {mean:?}");
        let var = sq[j] - mean[j] * mean[j];
        assert!((var / 0.25 - 1.0).abs() < 0.05, "variance {var}");
    }
    assert_eq!(noisy.value(&[1.0, 1.0]), 2.0);
    // Same seed, same noise.
    let mut again = NoisyGradient::new(DiagonalQuadratic::new(&[1.0, 3.0]), 0.5, 42).unwrap();
    let mut first = NoisyGradient::new(DiagonalQuadratic::new(&[1.0, 3.0]), 0.5, 42).unwrap();
    let (mut g1, mut g2) = ([0.0; 2], [0.0; 2]);
    first.gradient(&[0.0, 0.0], &mut g1);
    again.gradient(&[0.0, 0.0], &mut g2);
    assert_eq!(g1, g2);
    assert_eq!(
        message(NoisyGradient::new(DiagonalQuadratic::new(&[1.0]), -1.0, 0)),
        "noisy gradient: σ must be finite and ≥ 0, got -1"
    );
}

#[test]
fn robbins_monro_schedule_beats_constant_under_noise() {
    // f = ½w², σ = 1. Constant η = 0.1: w_{k+1} = 0.9 w_k − 0.1 z_k, stationary variance
    // η²σ²/(1 − (1 − η)²) = 0.01/0.19 ≈ 0.053. η_k = 1/(k+1): w_K = −(1/K) Σ z_k, variance 1/K.
    let mean_square_tail = |learning_rate: LearningRate| {
        let mut noisy = NoisyGradient::new(DiagonalQuadratic::new(&[1.0]), 1.0, 3).unwrap();
        let mut gd = GradientDescent::with_learning_rate(learning_rate);
        let xs = iterates(&mut noisy, &mut gd, &[1.0], 20_000);
        xs[10_000..].iter().map(|x| x[0] * x[0]).sum::<f64>() / 10_001.0
    };
    let constant = mean_square_tail(lr(0.1));
    let decaying = mean_square_tail(Schedule::harmonic(1.0).unwrap().into());
    assert!(
        (constant / (0.01 / 0.19) - 1.0).abs() < 0.2,
        "constant: {constant}"
    );
    assert!(decaying < 1e-3, "decaying: {decaying}");
}

// ---------------------------------------------------------------- theory check

#[test]
fn step_size_check_against_the_spectrum() {
    // H = diag(1, 4): λ_max = 4, η_opt = 0.25. η = 0.25: ratio 1, stable, contraction
    // max(|1 − 0.25|, |1 − 1|) = 0.75. η = 0.5 = 2/λ_max: not stable (strict), ratio 2.
    let mut h = Mat::zeros(2, 2);
    h[(0, 0)] = 1.0;
    h[(1, 1)] = 4.0;
    let c = StepSizeCheck::from_hessian(0.25, h.as_ref()).unwrap();
    assert_eq!(
        (c.eta_opt, c.ratio, c.stable, c.contraction, c.lambda_min),
        (0.25, 1.0, true, Some(0.75), Some(1.0))
    );
    let c = StepSizeCheck::from_hessian(0.5, h.as_ref()).unwrap();
    assert_eq!((c.ratio, c.stable, c.contraction), (2.0, false, Some(1.0)));
    let c = StepSizeCheck::new(0.3, 4.0).unwrap();
    assert!(c.stable && (c.ratio - 1.2).abs() < 1e-15);
    assert_eq!(
        message(StepSizeCheck::new(0.3, 0.0)),
        "step-size check: λ_max must be finite and > 0, got 0"
    );
    assert_eq!(
        message(StepSizeCheck::new(-0.3, 1.0)),
        "step-size check: η must be finite and > 0, got -0.3"
    );
    // An indefinite Hessian is never stable, whatever η: H = diag(−1, 4), η = 0.1 has
    // contraction max(|1 + 0.1|, |1 − 0.4|) = 1.1 (the error grows along e₁), though
    // η < 2/λ_max = 0.5. A singular one, diag(0, 4), keeps the error along e₁: factor 1.
    let mut indefinite = Mat::zeros(2, 2);
    indefinite[(0, 0)] = -1.0;
    indefinite[(1, 1)] = 4.0;
    let c = StepSizeCheck::from_hessian(0.1, indefinite.as_ref()).unwrap();
    assert_eq!((c.stable, c.lambda_min), (false, Some(-1.0)));
    assert!((c.contraction.unwrap() - 1.1).abs() < 1e-15);
    indefinite[(0, 0)] = 0.0;
    let c = StepSizeCheck::from_hessian(0.1, indefinite.as_ref()).unwrap();
    assert_eq!((c.stable, c.contraction), (false, Some(1.0)));
    let mut neg = Mat::zeros(1, 1);
    neg[(0, 0)] = -1.0;
    assert_eq!(
        message(StepSizeCheck::from_hessian(0.1, neg.as_ref())),
        "step-size check: λ_max = -1: the Hessian has no positive curvature, so no η is stable"
    );
}

// ---------------------------------------------------------------- validation

#[test]
fn rejected_hyperparameters_name_themselves() {
    let adam = |s: AdamSettings| message(Adam::new(s));
    let cases: Vec<(String, &str)> = vec![
        (
            message(GradientDescent::new(0.0)),
            "gradient descent: η must be finite and > 0, got 0",
        ),
        (
            message(GradientDescent::new(f64::NAN)),
            "gradient descent: η must be finite and > 0, got NaN",
        ),
        (
            message(PerParameterGradientDescent::new(vec![1.0, -1.0])),
            "per-parameter gradient descent: η_i must be finite and > 0 in every entry, got -1 at index 1",
        ),
        (
            message(Momentum::heavy_ball(0.1, 1.0)),
            "momentum: μ must be in [0, 1), got 1",
        ),
        (
            message(Momentum::heavy_ball(-0.1, 0.5)),
            "momentum: η must be finite and > 0, got -0.1",
        ),
        (
            message(Momentum::new(MomentumSettings {
                dampening: 0.1,
                form: MomentumForm::Nesterov,
                ..Default::default()
            })),
            "momentum: dampening must be 0 with Nesterov's update, got 0.1",
        ),
        (
            message(Momentum::new(MomentumSettings {
                weight_decay: -1.0,
                ..Default::default()
            })),
            "momentum: weight decay must be finite and ≥ 0, got -1",
        ),
        (
            message(Rprop::new(RpropSettings {
                increase: 1.0,
                ..Default::default()
            })),
            "Rprop: η⁺ must be finite and > 1, got 1",
        ),
        (
            message(Rprop::new(RpropSettings {
                decrease: 1.0,
                ..Default::default()
            })),
            "Rprop: η⁻ must be in (0, 1), got 1",
        ),
        (
            message(Rprop::new(RpropSettings {
                min_step: 60.0,
                ..Default::default()
            })),
            "Rprop: Δ_min must be ≤ Δ_max, got 60 with Δ_max = 50",
        ),
        (
            message(Rprop::new(RpropSettings {
                initial_step: 100.0,
                ..Default::default()
            })),
            "Rprop: Δ₀ must be in [Δ_min, Δ_max], got 100 with [Δ_min, Δ_max] = [1e-6, 50]",
        ),
        (
            message(QuickProp::new(QuickPropSettings {
                max_growth: 0.0,
                ..Default::default()
            })),
            "QuickProp: μ must be finite and > 0, got 0",
        ),
        (
            message(Adagrad::new(AdagradSettings {
                epsilon: 0.0,
                ..Default::default()
            })),
            "Adagrad: ε must be finite and > 0, got 0",
        ),
        (
            message(Adagrad::new(AdagradSettings {
                initial_accumulator: -0.1,
                ..Default::default()
            })),
            "Adagrad: initial accumulator must be finite and ≥ 0, got -0.1",
        ),
        (
            message(RmsProp::new(RmsPropSettings {
                alpha: 1.0,
                ..Default::default()
            })),
            "RMSprop: α must be in [0, 1), got 1",
        ),
        (
            message(RmsProp::new(RmsPropSettings {
                momentum: -0.5,
                ..Default::default()
            })),
            "RMSprop: μ must be in [0, 1), got -0.5",
        ),
        (
            adam(AdamSettings {
                beta1: 1.0,
                ..Default::default()
            }),
            "Adam: β₁ must be in [0, 1), got 1",
        ),
        (
            adam(AdamSettings {
                beta2: f64::NAN,
                ..Default::default()
            }),
            "Adam: β₂ must be in [0, 1), got NaN",
        ),
        (
            adam(AdamSettings {
                epsilon: -1e-8,
                ..Default::default()
            }),
            "Adam: ε must be finite and > 0, got -1e-8",
        ),
        (
            adam(AdamSettings {
                weight_decay: WeightDecay::Decoupled(-0.1),
                ..Default::default()
            }),
            "AdamW: weight decay λ must be finite and ≥ 0, got -0.1",
        ),
        (
            message(Adam::with_eta(f64::INFINITY)),
            "Adam: η must be finite and > 0, got inf",
        ),
    ];
    for (got, expected) in cases {
        assert_eq!(got, expected);
    }
}

#[test]
fn settings_deserialise_with_validated_schedules() {
    let s: AdamSettings = serde_json::from_str(
        r#"{"learning_rate": {"schedule": {"kind": "inverse_time", "eta0": 0.1, "tau": 10, "power": 0.5}}, "amsgrad": true}"#,
    )
    .unwrap();
    assert!(s.amsgrad && s.beta1 == 0.9);
    assert_eq!(
        Adam::new(s).unwrap().name(),
        "Adam (AMSGrad) η₀/(1+k/10)^0.5, η₀=0.1"
    );
    let err = serde_json::from_str::<MomentumSettings>(
        r#"{"learning_rate": {"schedule": {"kind": "constant", "eta": -1}}}"#,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "constant schedule: η must be finite and > 0, got -1 at line 1 column 63"
    );
}

#[test]
fn batched_noise_averages_b_draws_so_its_variance_is_sigma2_over_b() {
    // At a fixed x the noise g̃ − ∇f is the mean of b independent N(0, σ²) draws, variance σ²/b.
    // The sample variance s² of n Gaussian values has standard error σ²_b·√(2/(n − 1)), so
    // s² must lie within ±4 SE of σ²/b (fails by chance with probability ≈ 6e-5 per coordinate).
    let sigma = 0.5;
    let n = 20_000;
    for (b, seed) in [(1usize, 7u64), (4, 8), (16, 9)] {
        let mut noisy =
            NoisyGradient::with_batch(DiagonalQuadratic::new(&[1.0, 3.0]), sigma, b, seed).unwrap();
        assert_eq!(noisy.batch(), b);
        let exact = [1.0, 3.0]; // ∇f(1, 1) = a
        let (mut sum, mut sq) = ([0.0; 2], [0.0; 2]);
        let mut g = [0.0; 2];
        for _ in 0..n {
            noisy.gradient(&[1.0, 1.0], &mut g);
            for j in 0..2 {
                let z = g[j] - exact[j];
                sum[j] += z;
                sq[j] += z * z;
            }
        }
        let expected = sigma * sigma / b as f64;
        let se = expected * (2.0 / (n as f64 - 1.0)).sqrt();
        for j in 0..2 {
            let mean = sum[j] / n as f64;
            let var = (sq[j] - n as f64 * mean * mean) / (n as f64 - 1.0);
            assert!(
                (var - expected).abs() <= 4.0 * se,
                "b = {b}, coordinate {j}: variance {var}, expected {expected} ± 4·{se}"
            );
            // The mean is unbiased: within 4 standard errors √(σ²/(b n)).
            assert!(
                mean.abs() <= 4.0 * (expected / n as f64).sqrt(),
                "mean {mean}"
            );
        }
    }
    // b = 1 is `new`, draw for draw.
    let (mut g1, mut g2) = ([0.0; 2], [0.0; 2]);
    NoisyGradient::new(DiagonalQuadratic::new(&[1.0, 3.0]), 0.5, 3)
        .unwrap()
        .gradient(&[0.0, 0.0], &mut g1);
    NoisyGradient::with_batch(DiagonalQuadratic::new(&[1.0, 3.0]), 0.5, 1, 3)
        .unwrap()
        .gradient(&[0.0, 0.0], &mut g2);
    assert_eq!(g1, g2);
    assert_eq!(
        message(NoisyGradient::with_batch(
            DiagonalQuadratic::new(&[1.0]),
            1.0,
            0,
            0
        )),
        "noisy gradient: batch size b must be ≥ 1, got 0"
    );
}
