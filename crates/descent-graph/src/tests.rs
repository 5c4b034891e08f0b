//! Unit tests of descent-graph: activations and divergences against central
//! differences, the forward pass against hand computation, construction errors,
//! parameter layout, initialisations, and the perceptron.

use descent_linalg::Mat;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::{
    Activation, Divergence, Init, LayerWeights, Network, NetworkBuilder, Perceptron, Workspace,
    log_sum_exp,
};

const ELEMENTWISE: [Activation; 10] = [
    Activation::Identity,
    Activation::Sigmoid,
    Activation::Tanh,
    Activation::Relu,
    Activation::LeakyRelu { alpha: 0.2 },
    Activation::Softplus,
    Activation::Gelu,
    Activation::GeluTanh,
    Activation::Silu,
    Activation::Elu { alpha: 0.7 },
];

#[test]
fn activation_derivatives_match_central_differences() {
    let h = 1e-5;
    for act in ELEMENTWISE {
        for z in [-3.0, -0.7, 0.3, 2.5] {
            let y = act.scalar(z);
            let d1 = (act.scalar(z + h) - act.scalar(z - h)) / (2.0 * h);
            let d2 = (act.derivative(z + h, act.scalar(z + h))
                - act.derivative(z - h, act.scalar(z - h)))
                / (2.0 * h);
            assert!(
                (act.derivative(z, y) - d1).abs() < 1e-9,
                "{} f'({z})",
                act.name()
            );
            assert!(
                (act.second_derivative(z, y) - d2).abs() < 1e-9,
                "{} f''({z})",
                act.name()
            );
        }
    }
    // softmax: full Jacobian diag(y) − y yᵀ against differences of apply
    let z = [0.3, -1.2, 2.0, 0.0];
    let mut y = [0.0; 4];
    Activation::Softmax.apply(&z, &mut y);
    let jac = Activation::Softmax
        .jacobian(&z, &y)
        .expect("differentiable");
    let (mut yp, mut ym) = ([0.0; 4], [0.0; 4]);
    for j in 0..4 {
        let (mut zp, mut zm) = (z, z);
        zp[j] += h;
        zm[j] -= h;
        Activation::Softmax.apply(&zp, &mut yp);
        Activation::Softmax.apply(&zm, &mut ym);
        for i in 0..4 {
            assert!((jac[(i, j)] - (yp[i] - ym[i]) / (2.0 * h)).abs() < 1e-10);
        }
    }
}

#[test]
fn new_activations_match_reference_values() {
    // Values from Python's math module (erf, erfc, tanh, exp, expm1), to the
    // last digit, and one from mpmath at 30 digits; within 8 ulp (libm's erfc
    // is accurate to a few ulp in the tail).
    let cases = [
        // GELU(1) = Φ(1) = ½(1 + erf(1/√2)); GELU'(0) = Φ(0) = ½; GELU''(0) = 2φ(0) = 2/√(2π).
        (Activation::Gelu.scalar(1.0), 0.841_344_746_068_542_9),
        (Activation::Gelu.derivative(0.0, 0.0), 0.5),
        (
            Activation::Gelu.second_derivative(0.0, 0.0),
            2.0 * 0.398_942_280_401_432_7,
        ),
        // Deep in the left tail: −3·Φ(−3) = −3·½erfc(3/√2), no cancellation
        // (mpmath: −0.00404969409489028357995…).
        (Activation::Gelu.scalar(-3.0), -0.004_049_694_094_890_283_6),
        // ½(1 + tanh(√(2/π)(1 + 0.044715))) — PyTorch's gelu(1, approximate="tanh").
        (Activation::GeluTanh.scalar(1.0), 0.841_191_990_608_276_8),
        // SiLU(1) = σ(1); SiLU'(0) = ½; SiLU''(0) = 2·σ(0)(1 − σ(0)) = ½.
        (Activation::Silu.scalar(1.0), 0.731_058_578_630_004_9),
        (Activation::Silu.derivative(0.0, 0.0), 0.5),
        (Activation::Silu.second_derivative(0.0, 0.0), 0.5),
        // ELU(−1), α = 1: e^{−1} − 1 by expm1.
        (
            Activation::Elu { alpha: 1.0 }.scalar(-1.0),
            -0.632_120_558_828_557_7,
        ),
    ];
    for (i, (got, want)) in cases.into_iter().enumerate() {
        assert!(
            (got - want).abs() <= 8.0 * f64::EPSILON * want.abs(),
            "case {i}: {got} vs {want}"
        );
    }
    assert_eq!(Activation::Gelu.scalar(-40.0), 0.0);
    assert_eq!(Activation::Silu.scalar(800.0), 800.0);
    assert!(Activation::elu(f64::INFINITY).is_err());
    let mut builder = NetworkBuilder::new(2).expect("dim ≥ 1");
    let err = builder
        .activation(0, Activation::Elu { alpha: f64::NAN })
        .expect_err("NaN α")
        .to_string();
    assert!(err.contains("ELU: α must be"), "{err}");
}

#[test]
fn activations_are_stable_for_large_arguments() {
    assert_eq!(crate::sigmoid(-800.0), 0.0);
    assert_eq!(crate::sigmoid(800.0), 1.0);
    assert_eq!(crate::softplus(800.0), 800.0);
    let mut y = [0.0; 2];
    Activation::Softmax.apply(&[1000.0, 0.0], &mut y);
    assert_eq!(y, [1.0, 0.0]);
    assert_eq!(log_sum_exp(&[1000.0, 1000.0]), 1000.0 + 2f64.ln());
    // Threshold: a step, and no Jacobian
    assert_eq!(Activation::Threshold.scalar(0.0), 1.0);
    assert_eq!(Activation::Threshold.scalar(-1e-9), 0.0);
    let err = Activation::Threshold
        .jacobian(&[0.0], &[1.0])
        .expect_err("no Jacobian")
        .to_string();
    assert!(err.contains("perceptron rule"), "{err}");
    assert!(Activation::leaky_relu(f64::NAN).is_err());
}

#[test]
fn divergence_gradients_and_hessians_match_central_differences() {
    let y = [0.4, -1.3, 2.1];
    let targets = [
        (Divergence::L2, [0.5, 0.2, -1.0]),
        (Divergence::SoftmaxCrossEntropy, [0.0, 1.0, 0.0]),
        (Divergence::SoftmaxKl, [0.2, 0.5, 0.3]),
        (Divergence::SigmoidBinaryCrossEntropy, [1.0, 0.0, 0.3]),
    ];
    let h = 1e-5;
    for (div, d) in targets {
        let mut g = [0.0; 3];
        div.gradient(&y, &d, &mut g);
        let hess = div.hessian(&y, &d);
        for j in 0..3 {
            let (mut yp, mut ym) = (y, y);
            yp[j] += h;
            ym[j] -= h;
            let fd = (div.value(&yp, &d) - div.value(&ym, &d)) / (2.0 * h);
            assert!((g[j] - fd).abs() < 1e-9, "{} ∂/∂y_{j}", div.name());
            let (mut gp, mut gm) = ([0.0; 3], [0.0; 3]);
            div.gradient(&yp, &d, &mut gp);
            div.gradient(&ym, &d, &mut gm);
            for i in 0..3 {
                assert!(
                    (hess[(i, j)] - (gp[i] - gm[i]) / (2.0 * h)).abs() < 1e-9,
                    "{} H[{i},{j}]",
                    div.name()
                );
            }
        }
    }
    // KL is 0 at p = d; cross-entropy of a confident wrong logit is the logit gap, not inf
    let d = [0.2, 0.5, 0.3];
    let logits: Vec<f64> = d.iter().map(|p: &f64| p.ln()).collect();
    assert!(Divergence::SoftmaxKl.value(&logits, &d).abs() < 1e-15);
    assert_eq!(
        Divergence::SoftmaxCrossEntropy.value(&[1000.0, 0.0], &[0.0, 1.0]),
        1000.0
    );
    assert_eq!(
        Divergence::SigmoidBinaryCrossEntropy.value(&[-800.0], &[1.0]),
        800.0
    );
}

#[test]
fn forward_pass_keeps_z_and_y_of_every_sample_as_columns() {
    // W_1 = [[1, 2], [0, −1], [3, 1]], b_1 = (0, 1, −1), ReLU; W_2 = [[1, 1, 1]], b_2 = 0.5
    // x = (1, 1): z_1 = (3, 0, 3), y_1 = (3, 0, 3), z_2 = 6.5
    // x = (−1, 0): z_1 = (−1, 1, −4), y_1 = (0, 1, 0), z_2 = 1.5
    let w1 = Mat::from_fn(3, 2, |i, j| [[1.0, 2.0], [0.0, -1.0], [3.0, 1.0]][i][j]);
    let w2 = Mat::from_fn(1, 3, |_, _| 1.0);
    let (net, w) = Network::mlp_from_weights(
        2,
        &[
            LayerWeights {
                weights: w1.as_ref(),
                bias: &[0.0, 1.0, -1.0],
                activation: Activation::Relu,
            },
            LayerWeights {
                weights: w2.as_ref(),
                bias: &[0.5],
                activation: Activation::Identity,
            },
        ],
    )
    .expect("shapes fit");
    let x = Mat::from_fn(2, 2, |i, j| [[1.0, -1.0], [1.0, 0.0]][i][j]);
    let mut ws = Workspace::new(&net, 4).expect("capacity ≥ 1");
    net.forward(&w, x.as_ref(), &mut ws).expect("valid");
    assert_eq!(ws.batch(), 2);
    assert_eq!(ws.value_slice(1), &[3.0, 0.0, 3.0, -1.0, 1.0, -4.0]);
    assert_eq!(ws.value_slice(2), &[3.0, 0.0, 3.0, 0.0, 1.0, 0.0]);
    assert_eq!(ws.value_slice(3), &[6.5, 1.5]);
    assert_eq!(net.node_label(1), "z_1");
    assert_eq!(net.node_label(2), "y_1");
    // buffers are reused: a one-sample batch in the same workspace
    net.forward(&w, x.as_ref().subcols(1, 1), &mut ws)
        .expect("valid");
    assert_eq!(ws.output()[(0, 0)], 1.5);
}

#[test]
fn parameters_are_flattened_layer_by_layer_w_column_major_then_b() {
    let net = Network::mlp(&[3, 2, 1], &[Activation::Tanh, Activation::Identity]).expect("valid");
    assert_eq!(net.n_params(), 2 * 3 + 2 + 2 + 1);
    let names: Vec<String> = (0..net.n_params()).map(|i| net.param_name(i)).collect();
    assert_eq!(
        names,
        [
            "W_1[0,0]", "W_1[1,0]", "W_1[0,1]", "W_1[1,1]", "W_1[0,2]", "W_1[1,2]", "b_1[0]",
            "b_1[1]", "W_2[0,0]", "W_2[0,1]", "b_2[0]"
        ]
    );
    let w: Vec<f64> = (0..11).map(f64::from).collect();
    let l1 = net.layers()[0];
    assert_eq!(l1.weights(&w)[(1, 2)], 5.0);
    assert_eq!(l1.bias(&w), &[6.0, 7.0]);
    assert_eq!(net.layers()[1].bias(&w), &[10.0]);
    let err = net
        .check_params(&[0.0; 3])
        .expect_err("wrong length")
        .to_string();
    assert!(
        err.contains("w has 3 entries but the network has 11 parameters"),
        "{err}"
    );
}

#[test]
fn initialisations_follow_their_scales_and_seeds() {
    let net =
        Network::mlp(&[100, 50, 10], &[Activation::Tanh, Activation::Identity]).expect("valid");
    assert_eq!(
        net.init(Init::He, 3).expect("valid"),
        net.init(Init::He, 3).expect("valid")
    );
    assert_ne!(
        net.init(Init::He, 3).expect("valid"),
        net.init(Init::He, 4).expect("valid")
    );
    assert!(
        net.init(Init::Zero, 1)
            .expect("valid")
            .iter()
            .all(|v| *v == 0.0)
    );
    let l = net.layers()[0];
    let w = net.init(Init::GlorotUniform, 1).expect("valid");
    let r = (6.0f64 / 150.0).sqrt();
    assert!(w[l.w_offset..l.b_offset].iter().all(|v| v.abs() <= r));
    assert!(l.bias(&w).iter().all(|v| *v == 0.0));
    // sample variances of the 5000 weights of layer 1 within 10 % of the scheme's
    let var = |init: Init| {
        let w = net.init(init, 9).expect("valid");
        let s = &w[l.w_offset..l.b_offset];
        s.iter().map(|v| v * v).sum::<f64>() / s.len() as f64
    };
    for (init, expected) in [
        (Init::He, 2.0 / 100.0),
        (Init::LeCun, 1.0 / 100.0),
        (Init::GlorotNormal, 2.0 / 150.0),
        (Init::GlorotUniform, 2.0 / 150.0),
    ] {
        let v = var(init);
        assert!(
            (v / expected - 1.0).abs() < 0.1,
            "{}: variance {v}, expected {expected}",
            init.name()
        );
    }
    assert!(net.init(Init::Uniform { a: -1.0 }, 1).is_err());
}

#[test]
fn construction_checks_every_dimension() {
    let msg =
        |r: Result<Network, descent_core::Error>| r.expect_err("must be rejected").to_string();
    let w1 = Mat::<f64>::zeros(4, 2);
    let w2 = Mat::<f64>::zeros(3, 5);
    let err = Network::mlp_from_weights(
        2,
        &[
            LayerWeights {
                weights: w1.as_ref(),
                bias: &[0.0; 4],
                activation: Activation::Tanh,
            },
            LayerWeights {
                weights: w2.as_ref(),
                bias: &[0.0; 3],
                activation: Activation::Identity,
            },
        ],
    )
    .expect_err("W_2 has 5 columns, y_1 has 4 entries")
    .to_string();
    assert!(
        err.starts_with("layer 2: W is 3×5 but the input has 4 features"),
        "{err}"
    );
    let err = Network::mlp_from_weights(
        2,
        &[LayerWeights {
            weights: w1.as_ref(),
            bias: &[0.0; 3],
            activation: Activation::Tanh,
        }],
    )
    .expect_err("b_1 too short")
    .to_string();
    assert!(
        err.contains("layer 1: W is 4×2 but b has 3 entries"),
        "{err}"
    );
    assert!(
        msg(Network::mlp(&[3, 2], &[Activation::Tanh, Activation::Tanh]))
            .contains("describe 1 layers but 2 activations")
    );
    assert!(msg(Network::mlp(&[3, 0, 2], &[Activation::Tanh; 2])).contains("size 1 is 0"));
    let mut b = NetworkBuilder::new(3).expect("dim ≥ 1");
    let z = b.affine(0, 4).expect("exists");
    let err = b.sum(&[z, 0]).expect_err("4 vs 3").to_string();
    assert!(
        err.contains("sum node 2: node 1 has 4 features but node 0 has 3"),
        "{err}"
    );
    assert!(
        b.affine(7, 2)
            .expect_err("no node 7")
            .to_string()
            .contains("reads node 7")
    );
    let mut b = NetworkBuilder::new(3).expect("dim ≥ 1");
    let z = b.affine(0, 4).expect("exists");
    b.affine(0, 2).expect("exists");
    let _ = z;
    assert!(msg(b.build()).contains("node 1 feeds no other node"));
}

#[test]
fn the_perceptron_rule_separates_separable_data() {
    // points above the line x_2 = 0.5 x_1 + 0.2 (with a margin) are class 1
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let mut cols = Vec::new();
    while cols.len() < 60 {
        let p: (f64, f64) = (rng.random_range(-1.0..1.0), rng.random_range(-1.0..1.0));
        let s = p.1 - 0.5 * p.0 - 0.2;
        if s.abs() > 0.05 {
            cols.push((p, if s > 0.0 { 1.0 } else { 0.0 }));
        }
    }
    let x = Mat::from_fn(2, cols.len(), |i, j| {
        if i == 0 { cols[j].0.0 } else { cols[j].0.1 }
    });
    let labels: Vec<f64> = cols.iter().map(|c| c.1).collect();
    let mut p = Perceptron::new(2, 1.0).expect("valid");
    let run = p.train(x.as_ref(), &labels, 1000).expect("valid data");
    assert!(run.converged, "{run:?}");
    assert_eq!(*run.mistakes_per_epoch.last().expect("ran"), 0);
    for (j, l) in labels.iter().enumerate() {
        assert_eq!(p.predict(&[x[(0, j)], x[(1, j)]]), *l);
    }
    assert!(
        p.train(x.as_ref(), &vec![0.5; cols.len()], 1)
            .expect_err("labels")
            .to_string()
            .contains("label 0.5 of sample 0 is not 0 or 1")
    );
    // a threshold network builds and runs forward, but is not differentiable
    let step = Network::mlp(&[2, 1], &[Activation::Threshold]).expect("valid");
    assert!(
        step.check_differentiable()
            .expect_err("threshold")
            .to_string()
            .contains("node 2 (y_1)")
    );
}

#[test]
fn the_vectorisable_tanh_is_within_a_few_ulps_of_libm() {
    let mut rng = ChaCha8Rng::seed_from_u64(8);
    let mut worst: f64 = 0.0;
    for k in 0..200_000 {
        let x: f64 = match k % 4 {
            0 => rng.random_range(-1e-3..1e-3),
            1 => rng.random_range(-1.0..1.0),
            2 => rng.random_range(-25.0..25.0),
            _ => rng.random_range(-1e-300..1e-300),
        };
        let (ours, libm) = (crate::tanh(x), x.tanh());
        if libm != 0.0 {
            worst = worst.max(((ours - libm) / libm).abs());
        } else {
            assert_eq!(ours, 0.0);
        }
    }
    assert!(worst <= 4.0 * f64::EPSILON, "max relative error {worst:e}");
    assert_eq!(crate::tanh(0.0), 0.0);
    assert_eq!(crate::tanh(-30.0), -1.0);
    assert_eq!(crate::tanh(f64::INFINITY), 1.0);
    assert!(crate::tanh(f64::NAN).is_nan());
}

/// `|a − b| ≤ tol |b|`.
fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs()
}

#[test]
#[allow(clippy::excessive_precision)] // the mpmath digits, quoted as computed
fn divergences_near_zero_keep_their_relative_accuracy() {
    // References from mpmath at 50 digits:
    //   softplus(−40) = ln1p(e^{−40})            = 4.2483542552915889863e-18
    //   σ(40) − 1 = −σ(−40)                      = −4.2483542552915889773e-18
    //   σ(40) σ(−40)                             = 4.2483542552915889592e-18
    //   logits (35, 0, −1): lse − 35             = 8.6246395903905550547e-16
    //     p − e_0 = (−8.6246395903905513355e-16, 6.3051167601469839477e-16,
    //                 2.3195228302435673878e-16)
    //     soft target (0.9, 0.1, 0): CE          = 3.5000000000000008625,
    //     p − d = (0.099999999999999137536, −0.099999999999999369488, 2.3195228302435673878e-16)
    let tol = 1e-14;
    let bce = Divergence::SigmoidBinaryCrossEntropy;
    let mut g = [0.0];
    for (y, d, value, grad) in [
        (
            40.0,
            1.0,
            4.2483542552915889863e-18,
            -4.2483542552915889773e-18,
        ),
        (
            -40.0,
            0.0,
            4.2483542552915889863e-18,
            4.2483542552915889773e-18,
        ),
    ] {
        assert!(close(bce.value(&[y], &[d]), value, tol), "BCE({y}, {d})");
        bce.gradient(&[y], &[d], &mut g);
        assert!(close(g[0], grad, tol), "BCE′({y}, {d}) = {}", g[0]);
        let mut hv = [0.0];
        bce.hessian_vector(&[y], &[d], &[1.0], &mut hv);
        assert!(close(hv[0], 4.2483542552915889592e-18, tol), "BCE″({y})");
    }
    let y = [35.0, 0.0, -1.0];
    // lse(0, −36) = ln1p(e^{−36}) = 2.3195228302435691193e-16 (mpmath); ln(1 + e^{−36})
    // would give ln(1 + 2ε) = 2.2204e-16, 4% off
    assert!(close(
        log_sum_exp(&[0.0, -36.0]),
        2.3195228302435691193e-16,
        tol
    ));
    let mut g = [0.0; 3];
    for div in [Divergence::SoftmaxCrossEntropy, Divergence::SoftmaxKl] {
        let d = [1.0, 0.0, 0.0];
        assert!(
            close(div.value(&y, &d), 8.6246395903905550547e-16, tol),
            "{}: {}",
            div.name(),
            div.value(&y, &d)
        );
        div.gradient(&y, &d, &mut g);
        let want = [
            -8.6246395903905513355e-16,
            6.3051167601469839477e-16,
            2.3195228302435673878e-16,
        ];
        for (a, b) in g.iter().zip(want) {
            assert!(close(*a, b, tol), "{}: {g:?}", div.name());
        }
    }
    let soft = [0.9, 0.1, 0.0];
    let ce = Divergence::SoftmaxCrossEntropy;
    assert!(close(ce.value(&y, &soft), 3.5000000000000008625, 1e-15));
    ce.gradient(&y, &soft, &mut g);
    let want = [
        0.099999999999999137536,
        -0.099999999999999369488,
        2.3195228302435673878e-16,
    ];
    for (a, b) in g.iter().zip(want) {
        assert!(close(*a, b, 1e-14), "soft target: {g:?}");
    }
}

#[test]
fn bad_activations_init_scales_and_serialised_networks_are_errors() {
    let msg =
        |r: Result<Network, descent_core::Error>| r.expect_err("must be rejected").to_string();
    // (a) leaky ReLU α = NaN built directly (bypassing Activation::leaky_relu)
    let nan = Activation::LeakyRelu { alpha: f64::NAN };
    let m = msg(Network::mlp(&[2, 3, 1], &[nan, Activation::Identity]));
    assert!(m.contains("leaky ReLU") && m.contains("NaN"), "{m}");
    let mut b = NetworkBuilder::new(2).expect("dim ≥ 1");
    let m = b.activation(0, nan).expect_err("NaN α").to_string();
    assert!(m.contains("α") && m.contains("NaN"), "{m}");
    // (c) a = 1e308 is finite, but 2a overflows: rand's uniform sampler cannot exist
    let net = Network::mlp(&[2, 1], &[Activation::Identity]).expect("valid sizes");
    let m = net
        .init(Init::Uniform { a: 1e308 }, 1)
        .expect_err("2a = ∞")
        .to_string();
    assert!(
        m.contains("uniform initialisation") && m.contains("1e308"),
        "{m}"
    );
    // (b) deserialisation rebuilds and validates: a round trip is the identity…
    let net =
        Network::mlp(&[3, 4, 2], &[Activation::Tanh, Activation::Identity]).expect("valid sizes");
    let json = serde_json::to_string(&net).expect("serialisable");
    let back: Network = serde_json::from_str(&json).expect("valid network");
    assert_eq!(back, net);
    // …while a dimension that does not match its input, a dangling reference or a
    // wrong parameter count is an error, not a network that panics later
    let bad_dim = json.replacen("\"in_dim\":3", "\"in_dim\":5", 1);
    let e = serde_json::from_str::<Network>(&bad_dim).expect_err("in_dim 5 vs 3");
    assert!(e.to_string().contains("node 1"), "{e}");
    let dangling =
        r#"{"nodes":[{"input":{"dim":2}},{"activation":{"input":7,"activation":"tanh","dim":2}}]}"#;
    let e = serde_json::from_str::<Network>(dangling).expect_err("node 7");
    assert!(e.to_string().contains("reads node 7"), "{e}");
    let bad_count = json.replacen("\"n_params\":26", "\"n_params\":27", 1);
    assert_ne!(bad_count, json, "3·4 + 4 + 4·2 + 2 = 26 parameters");
    let e = serde_json::from_str::<Network>(&bad_count).expect_err("27 vs 26");
    assert!(e.to_string().contains("n_params is 27"), "{e}");
}

#[test]
fn a_rejected_batch_leaves_the_loaded_one_intact() {
    // y = 2 x_0 − x_1 + 0.5 on the batch (1, 1), (3, 0): outputs 1.5 and 6.5 (by hand).
    let w1 = Mat::from_fn(1, 2, |_, j| [2.0, -1.0][j]);
    let (net, w) = Network::mlp_from_weights(
        2,
        &[LayerWeights {
            weights: w1.as_ref(),
            bias: &[0.5],
            activation: Activation::Identity,
        }],
    )
    .expect("consistent shapes");
    let mut ws = Workspace::new(&net, 2).expect("capacity ≥ 1");
    let good = Mat::from_fn(2, 2, |i, j| [[1.0, 3.0], [1.0, 0.0]][i][j]);
    ws.load(good.as_ref()).expect("finite");
    // NaN in the last column: the first column must not be overwritten
    let bad = Mat::from_fn(2, 2, |i, j| if (i, j) == (1, 1) { f64::NAN } else { 9.0 });
    let e = ws.load(bad.as_ref()).expect_err("NaN").to_string();
    assert!(e.contains("input (1, 1) is NaN"), "{e}");
    net.forward_loaded(&w, &mut ws);
    assert_eq!(ws.value_slice(net.output_node()), &[1.5, 6.5]);
}

#[test]
fn pytorch_layout_tensors_reproduce_a_hand_computed_forward_pass() {
    // A state_dict of nn.Sequential(Linear(2, 2), ReLU(), Linear(2, 1)) dumped to
    // JSON, weights as (out, in) row-major:
    //   W_1 = [[1, 2], [3, 4]], b_1 = (0.5, −1), W_2 = [[1, −1]], b_2 = 0.25.
    // For x = (2, 1): z_1 = (2 + 2 + 0.5, 6 + 4 − 1) = (4.5, 9), y_1 = relu = (4.5, 9),
    // y_2 = 4.5 − 9 + 0.25 = −4.25 (every step exact in binary).
    let json = r#"{
        "0.weight": {"shape": [2, 2], "data": [1, 2, 3, 4]},
        "0.bias": {"shape": [2], "data": [0.5, -1]},
        "1.weight": {"shape": [1, 2], "data": [1, -1]},
        "1.bias": {"shape": [1], "data": [0.25]}
    }"#;
    let tensors: std::collections::BTreeMap<String, crate::Tensor> =
        serde_json::from_str(json).expect("valid JSON");
    let net = Network::mlp(&[2, 2, 1], &[Activation::Relu, Activation::Identity]).expect("sizes");
    let w = net.import_tensors(&tensors).expect("fits");
    // descent's own layout: W_1 column-major, so W_1[0, 1] = 2 sits at index 2.
    assert_eq!(&w[..6], &[1.0, 3.0, 2.0, 4.0, 0.5, -1.0]);
    let x = Mat::from_fn(2, 1, |i, _| [2.0, 1.0][i]);
    let mut ws = Workspace::new(&net, 1).expect("capacity");
    net.forward(&w, x.as_ref(), &mut ws).expect("valid");
    assert_eq!(ws.value(net.output_node())[(0, 0)], -4.25);
    // Round trips: tensors and the flat row-major vector.
    assert_eq!(net.export_tensors(&w).expect("valid"), tensors);
    let flat = net.to_row_major(&w).expect("valid");
    assert_eq!(flat, [1.0, 2.0, 3.0, 4.0, 0.5, -1.0, 1.0, -1.0, 0.25]);
    assert_eq!(net.from_row_major(&flat).expect("valid"), w);
}

#[test]
fn parameter_round_trips_hold_on_random_networks_and_bad_tensors_are_named() {
    let net = Network::mlp(
        &[4, 3, 5, 2],
        &[Activation::Tanh, Activation::Relu, Activation::Identity],
    )
    .expect("sizes");
    let w = net.init(Init::GlorotNormal, 7).expect("init");
    let tensors = net.export_tensors(&w).expect("valid");
    assert_eq!(net.import_tensors(&tensors).expect("fits"), w);
    let flat = net.to_row_major(&w).expect("valid");
    assert_eq!(net.from_row_major(&flat).expect("valid"), w);
    // Layer 2's W (3 inputs, 5 outputs): PyTorch's [5, 3] row-major entry (i, j)
    // is descent's W_2[i, j].
    let l = net.layers()[1];
    assert_eq!(tensors["1.weight"].data[2 * 3 + 1], l.weights(&w)[(2, 1)]);

    let mut bad = tensors.clone();
    bad.get_mut("1.weight").expect("present").shape = vec![3, 5];
    let err = net
        .import_tensors(&bad)
        .expect_err("transposed")
        .to_string();
    assert_eq!(
        err,
        "import tensor 1.weight: shape [3, 5] but the layer needs [5, 3] (PyTorch layout: weight [out, in], bias [out])"
    );
    let mut bad = tensors.clone();
    bad.remove("2.bias");
    let err = net.import_tensors(&bad).expect_err("missing").to_string();
    assert_eq!(err, "import tensors: tensor \"2.bias\" is missing");
    let mut bad = tensors.clone();
    let t = bad.remove("0.bias").expect("present");
    bad.insert("0.b".into(), t);
    let err = net.import_tensors(&bad).expect_err("renamed").to_string();
    assert!(
        err.starts_with("import tensors: unexpected tensor \"0.b\""),
        "{err}"
    );
    let mut bad = tensors.clone();
    bad.get_mut("0.bias").expect("present").data.pop();
    let err = net.import_tensors(&bad).expect_err("short").to_string();
    assert_eq!(
        err,
        "import tensor 0.bias: shape [3] holds 3 entries but data has 2"
    );
    let mut bad = tensors;
    bad.get_mut("0.weight").expect("present").data[5] = f64::NAN;
    let err = net.import_tensors(&bad).expect_err("NaN").to_string();
    assert_eq!(err, "import tensor 0.weight: entry 5 is NaN, not finite");
    let err = net
        .from_row_major(&flat[1..])
        .expect_err("short")
        .to_string();
    assert_eq!(
        err,
        format!(
            "import row-major parameters: {} entries but the network has {} parameters",
            flat.len() - 1,
            flat.len()
        )
    );
}

// ---------- issue 15: sizes are checked, views and workspaces refuse misuse ----------

#[test]
fn a_layer_of_a_trillion_units_from_json_is_an_error_not_an_abort() {
    // Issue 15, item 2: this spec used to build and abort the process at the
    // first allocation (10¹² × 3 weights).
    let spec = r#"{"nodes": [{"input": {"dim": 3}},
        {"affine": {"input": 0, "in_dim": 3, "dim": 1000000000000, "layer": 1, "offset": 0}}]}"#;
    let e = serde_json::from_str::<Network>(spec)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains(
            "network: layer 1: 1000000000000 units exceed the limit of 16777216 units per node"
        ),
        "{e}"
    );
    // Within the unit limit but not the parameter limit: 2²⁴ × 2²⁴ weights plus
    // 2²⁴ biases = 281 474 976 710 656 + 16 777 216 = 281 474 993 487 872.
    let mut b = NetworkBuilder::new(crate::MAX_UNITS).unwrap();
    let e = b.affine(0, crate::MAX_UNITS).unwrap_err().to_string();
    assert_eq!(
        e,
        "network: layer 1: W is 16777216×16777216 plus 16777216 biases: the network would \
         need 281474993487872 parameters, above the limit of 268435456"
    );
    // The refused layer left the builder as it was.
    b.activation(0, Activation::Tanh).unwrap();
    assert_eq!(b.build().unwrap().n_params(), 0);
}

#[test]
fn workspaces_refuse_a_huge_capacity_and_another_network() {
    let net = Network::mlp(&[2, 3, 1], &[Activation::Tanh, Activation::Identity]).unwrap();
    // Nodes of widths 2, 3, 3, 1 (an identity output adds no node): 9 units ×
    // 2⁶² samples = 41 505 174 165 846 491 136 overflows usize.
    let e = Workspace::new(&net, 1 << 62).unwrap_err().to_string();
    assert_eq!(
        e,
        "forward workspace: 9 units × a batch capacity of 4611686018427387904 = \
         41505174165846491136 numbers exceed the limit of 268435456 (2 GiB of f64)"
    );
    let other = Network::mlp(&[2, 4, 1], &[Activation::Tanh, Activation::Identity]).unwrap();
    let mut ws = Workspace::new(&other, 2).unwrap();
    let w = vec![0.1; net.n_params()];
    let x = Mat::from_fn(2, 2, |i, j| (i + j) as f64);
    let e = net
        .forward(&w, x.as_ref(), &mut ws)
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "forward pass: the workspace was made for a network with node widths [2, 4, 4, 1], \
         this one has [2, 3, 3, 1]"
    );
}

#[test]
fn layer_views_on_a_short_vector_panic_with_the_documented_message() {
    // The views are a contract past the boundary (`# Panics`); the message
    // names the layer and both lengths.
    let net = Network::mlp(&[2, 3, 1], &[Activation::Tanh, Activation::Identity]).unwrap();
    let layer = net.layers()[1];
    let short = vec![0.0; 10];
    let message = std::panic::catch_unwind(|| {
        let _ = layer.bias(&short);
    })
    .unwrap_err();
    let message = message.downcast_ref::<String>().unwrap();
    // Layer 2: W₂ 1×3 at offset 9, b₂ at 12, ends at 13.
    assert_eq!(
        message,
        "layer 2: the parameter vector has 10 entries, the layer ends at 13"
    );
}
