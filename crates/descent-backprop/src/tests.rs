//! Unit tests of descent-backprop: the two backward paths against each other,
//! every derivative against central differences, curvature products against
//! dense matrices built independently, a hand-derived network, and bad input.

use descent_core::Objective;
use descent_graph::{Activation, Divergence, Init, LayerWeights, Network, NetworkBuilder};
use descent_linalg::{Mat, MatRef, symmetry_violation};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::{
    Backprop, NetworkObjective, curvature_eigenvalues, dense_hessian, teaching_backprop,
    teaching_gradient, teaching_vector_jacobian_product,
};

const ACTIVATIONS: [Activation; 11] = [
    Activation::Identity,
    Activation::Sigmoid,
    Activation::Tanh,
    Activation::Relu,
    Activation::LeakyRelu { alpha: 0.1 },
    Activation::Softplus,
    Activation::Softmax,
    Activation::Gelu,
    Activation::GeluTanh,
    Activation::Silu,
    Activation::Elu { alpha: 0.7 },
];
const DIVERGENCES: [Divergence; 4] = [
    Divergence::L2,
    Divergence::SoftmaxCrossEntropy,
    Divergence::SoftmaxKl,
    Divergence::SigmoidBinaryCrossEntropy,
];

/// `max_i |a_i − b_i| / max(‖a‖_∞, ‖b‖_∞)`.
fn rel_diff(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    let scale = descent_linalg::norm_inf(a)
        .max(descent_linalg::norm_inf(b))
        .max(f64::MIN_POSITIVE);
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
        / scale
}

/// Targets valid for `div`: any reals for L2, non-negative for cross-entropy,
/// distributions for KL, `[0, 1]` for BCE.
fn random_targets(rng: &mut ChaCha8Rng, div: Divergence, m: usize, n: usize) -> Mat<f64> {
    let mut t = Mat::from_fn(m, n, |_, _| match div {
        Divergence::L2 => rng.random_range(-1.0..1.0),
        _ => rng.random_range(0.0..1.0),
    });
    if div == Divergence::SoftmaxKl {
        for j in 0..n {
            let s: f64 = (0..m).map(|i| t[(i, j)]).sum();
            (0..m).for_each(|i| t[(i, j)] /= s);
        }
    }
    t
}

/// A random MLP with `depth` layers of widths in `1..=max_width` (≥ 2 outputs for a
/// softmax divergence), `act` on every layer
/// (the output too), uniform(0.6) parameters, `batch` random samples and targets.
fn random_case(
    rng: &mut ChaCha8Rng,
    act: Activation,
    div: Divergence,
    max_width: usize,
    depth: usize,
    batch: usize,
) -> (Network, Vec<f64>, Mat<f64>, Mat<f64>) {
    let mut sizes: Vec<usize> = (0..=depth)
        .map(|_| rng.random_range(1..=max_width))
        .collect();
    if matches!(div, Divergence::SoftmaxCrossEntropy | Divergence::SoftmaxKl) {
        // a softmax of one logit is 1: such a loss is identically 0 and rejected
        sizes[depth] = sizes[depth].max(2);
    }
    let mut activations = vec![act; depth];
    if act == Activation::Softmax
        && matches!(div, Divergence::SoftmaxCrossEntropy | Divergence::SoftmaxKl)
    {
        // the divergence applies the softmax itself: a softmax output is refused
        activations[depth - 1] = Activation::Identity;
    }
    let net = Network::mlp(&sizes, &activations).expect("valid sizes");
    let w = net
        .init(Init::Uniform { a: 0.6 }, rng.random())
        .expect("valid init");
    let x = Mat::from_fn(sizes[0], batch, |_, _| rng.random_range(-1.5..1.5));
    let t = random_targets(rng, div, sizes[depth], batch);
    (net, w, x, t)
}

/// Is some pre-activation of a ReLU-type network within `1e-4` of its kink?
fn near_kink(net: &Network, w: &[f64], x: MatRef<'_, f64>, act: Activation) -> bool {
    if !matches!(
        act,
        Activation::Relu | Activation::LeakyRelu { .. } | Activation::Elu { .. }
    ) {
        return false;
    }
    let mut ws = descent_graph::Workspace::new(net, x.ncols()).expect("capacity ≥ 1");
    net.forward(w, x, &mut ws).expect("valid batch");
    net.layers()
        .iter()
        .any(|l| ws.value_slice(l.node).iter().any(|z| z.abs() < 1e-4))
}

#[test]
fn fast_and_teaching_paths_agree_and_pass_the_gradient_check_on_random_networks() {
    let mut rng = ChaCha8Rng::seed_from_u64(20260101);
    let (mut checked, mut skipped) = (0, 0);
    for act in ACTIVATIONS {
        for div in DIVERGENCES {
            for _ in 0..2 {
                let depth = rng.random_range(1..=4);
                let (net, w, x, t) = random_case(&mut rng, act, div, 20, depth, 4);
                let (teach_loss, teach_grad) =
                    teaching_gradient(&net, &w, x.as_ref(), t.as_ref(), div).expect("valid");
                let mut obj = NetworkObjective::new(net.clone(), div, x.as_ref(), t.as_ref())
                    .expect("valid data");
                let mut grad = vec![0.0; w.len()];
                let loss = obj.value_and_gradient(&w, &mut grad);
                let what = format!(
                    "{} / {} / {:?}",
                    act.name(),
                    div.name(),
                    net.layers().iter().map(|l| l.rows).collect::<Vec<_>>()
                );
                assert!(
                    (loss - teach_loss).abs() <= 1e-12 * loss.abs().max(1e-300),
                    "{what}: loss {loss} vs {teach_loss}"
                );
                let agree = rel_diff(&grad, &teach_grad);
                assert!(
                    agree <= 1e-12,
                    "{what}: fast and teaching gradients differ by {agree:e}"
                );
                if near_kink(&net, &w, x.as_ref(), act) {
                    skipped += 1;
                    continue;
                }
                let check = obj.gradient_check(&w, 1e-5).expect("finite");
                assert!(
                    check.max_relative_error <= 1e-7,
                    "{what}: gradient check {check:?}"
                );
                checked += 1;
            }
        }
    }
    assert!(
        checked >= 50 && skipped <= 6,
        "checked {checked}, skipped {skipped}"
    );
}

#[test]
fn skip_connections_agree_across_paths_and_with_central_differences() {
    // y_0 (3) → z_1 (4) → tanh → z_2 (3) → sum with y_0 → softplus → z_3 (2)
    let mut b = NetworkBuilder::new(3).expect("dim ≥ 1");
    let z1 = b.affine(0, 4).expect("node 0 exists");
    let y1 = b.activation(z1, Activation::Tanh).expect("exists");
    let z2 = b.affine(y1, 3).expect("exists");
    let s = b.sum(&[z2, 0]).expect("both 3-dimensional");
    let u = b.activation(s, Activation::Softplus).expect("exists");
    let z3 = b.affine(u, 2).expect("exists");
    let y3 = b.activation(z3, Activation::Softmax).expect("exists");
    let _ = y3;
    let net = b.build().expect("every node used");
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let w = net.init(Init::Uniform { a: 0.8 }, 3).expect("valid");
    let x = Mat::from_fn(3, 5, |_, _| rng.random_range(-1.0..1.0));
    let t = random_targets(&mut rng, Divergence::L2, 2, 5);
    let (_, teach) =
        teaching_gradient(&net, &w, x.as_ref(), t.as_ref(), Divergence::L2).expect("valid");
    let mut obj =
        NetworkObjective::new(net, Divergence::L2, x.as_ref(), t.as_ref()).expect("valid");
    let mut grad = vec![0.0; w.len()];
    obj.gradient(&w, &mut grad);
    assert!(rel_diff(&grad, &teach) <= 1e-12);
    assert!(
        obj.gradient_check(&w, 1e-5)
            .expect("finite")
            .max_relative_error
            <= 1e-7
    );
    let h = dense_hessian(&mut obj, &w).expect("provided");
    let fd = hessian_by_gradient_differences(&mut obj, &w);
    for (j, col) in fd.iter().enumerate() {
        let hj: Vec<f64> = (0..w.len()).map(|i| h[(i, j)]).collect();
        let err = rel_diff(&hj, col);
        assert!(err <= 1e-6, "Hessian column {j}: {err:e}");
    }
}

/// Columns of the Hessian by central differences of the gradient, `(∇f(w + h e_j) − ∇f(w − h e_j)) / 2h`.
fn hessian_by_gradient_differences(obj: &mut NetworkObjective, w: &[f64]) -> Vec<Vec<f64>> {
    let n = w.len();
    let h = 1e-5;
    let (mut gp, mut gm) = (vec![0.0; n], vec![0.0; n]);
    let mut wp = w.to_vec();
    (0..n)
        .map(|j| {
            wp[j] = w[j] + h;
            obj.gradient(&wp, &mut gp);
            wp[j] = w[j] - h;
            obj.gradient(&wp, &mut gm);
            wp[j] = w[j];
            gp.iter()
                .zip(&gm)
                .map(|(a, b)| (a - b) / (2.0 * h))
                .collect()
        })
        .collect()
}

#[test]
fn hessian_vector_products_match_dense_hessian_and_gradient_differences() {
    let mut rng = ChaCha8Rng::seed_from_u64(99);
    for act in ACTIVATIONS {
        for div in DIVERGENCES {
            let depth = rng.random_range(1..=3);
            let (net, w, x, t) = random_case(&mut rng, act, div, 4, depth, 3);
            if near_kink(&net, &w, x.as_ref(), act) {
                continue;
            }
            let what = format!("{} / {}", act.name(), div.name());
            let mut obj = NetworkObjective::new(net, div, x.as_ref(), t.as_ref())
                .expect("valid")
                .with_weight_decay(0.01)
                .expect("λ ≥ 0");
            let n = w.len();
            let h = dense_hessian(&mut obj, &w).expect("provided");
            assert!(
                symmetry_violation(h.as_ref(), 1e-10).is_none(),
                "{what}: Hessian not symmetric"
            );
            let fd = hessian_by_gradient_differences(&mut obj, &w);
            for (j, col) in fd.iter().enumerate() {
                let hj: Vec<f64> = (0..n).map(|i| h[(i, j)]).collect();
                let err = hj
                    .iter()
                    .zip(col)
                    .map(|(a, b)| (a - b).abs() / a.abs().max(1.0))
                    .fold(0.0, f64::max);
                assert!(
                    err <= 1e-6,
                    "{what}: column {j} differs from gradient differences by {err:e}"
                );
            }
            // a random direction: Hv against central differences of the *teaching*
            // path's gradient along v, (∇L(w + h v) − ∇L(w − h v)) / 2h + λ v — an
            // independent code path (the dense H above is built from Hv products)
            let v: Vec<f64> = (0..n).map(|_| rng.random_range(-1.0..1.0)).collect();
            let mut hv = vec![0.0; n];
            obj.hessian_vector_product(&w, &v, &mut hv)
                .expect("lengths fit");
            let step = 1e-5;
            let shifted = |sign: f64| -> Vec<f64> {
                let ws: Vec<f64> = w.iter().zip(&v).map(|(a, b)| a + sign * step * b).collect();
                teaching_gradient(obj.network(), &ws, x.as_ref(), t.as_ref(), div)
                    .expect("valid")
                    .1
            };
            let (gp, gm) = (shifted(1.0), shifted(-1.0));
            let fd: Vec<f64> = gp
                .iter()
                .zip(&gm)
                .zip(&v)
                .map(|((a, b), vi)| (a - b) / (2.0 * step) + 0.01 * vi)
                .collect();
            let err = hv
                .iter()
                .zip(&fd)
                .map(|(a, b)| (a - b).abs() / a.abs().max(1.0))
                .fold(0.0, f64::max);
            assert!(
                err <= 1e-6,
                "{what}: Hv vs teaching-path differences: {err:e}"
            );
        }
    }
}

#[test]
fn gauss_newton_equals_jacobian_transpose_output_hessian_jacobian() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    for act in ACTIVATIONS {
        for div in DIVERGENCES {
            let depth = rng.random_range(1..=3);
            let (net, w, x, t) = random_case(&mut rng, act, div, 4, depth, 3);
            if near_kink(&net, &w, x.as_ref(), act) {
                continue;
            }
            let (n, m, batch) = (w.len(), net.output_dim(), x.ncols());
            let lambda = 0.02;
            // Per sample b: J_b (m×n) by central differences of the forward pass, then
            // G = (1/B) Σ_b J_bᵀ H_out(y_b, d_b) J_b + λ I.
            let mut ws = descent_graph::Workspace::new(&net, batch).expect("capacity");
            let mut jac = vec![Mat::<f64>::zeros(m, n); batch];
            let mut wp = w.clone();
            let h = 1e-6;
            for j in 0..n {
                wp[j] = w[j] + h;
                net.forward(&wp, x.as_ref(), &mut ws).expect("valid");
                let yp = ws.output().to_owned();
                wp[j] = w[j] - h;
                net.forward(&wp, x.as_ref(), &mut ws).expect("valid");
                let ym = ws.output().to_owned();
                wp[j] = w[j];
                for b in 0..batch {
                    for i in 0..m {
                        jac[b][(i, j)] = (yp[(i, b)] - ym[(i, b)]) / (2.0 * h);
                    }
                }
            }
            net.forward(&w, x.as_ref(), &mut ws).expect("valid");
            let mut g = Mat::<f64>::from_fn(n, n, |i, j| if i == j { lambda } else { 0.0 });
            for b in 0..batch {
                let y: Vec<f64> = (0..m).map(|i| ws.output()[(i, b)]).collect();
                let d: Vec<f64> = (0..m).map(|i| t[(i, b)]).collect();
                let hout = div.hessian(&y, &d);
                let jt_h = jac[b].transpose() * &hout;
                g += (jt_h * &jac[b]) * (1.0 / batch as f64);
            }
            let mut obj = NetworkObjective::new(net, div, x.as_ref(), t.as_ref())
                .expect("valid")
                .with_weight_decay(lambda)
                .expect("λ ≥ 0");
            let gn = obj.dense_gauss_newton(&w).expect("lengths fit");
            let scale = (0..n)
                .flat_map(|i| (0..n).map(move |j| (i, j)))
                .map(|(i, j)| g[(i, j)].abs())
                .fold(1.0, f64::max);
            for i in 0..n {
                for j in 0..n {
                    let err = (gn[(i, j)] - g[(i, j)]).abs() / scale;
                    assert!(
                        err <= 1e-7,
                        "{} / {}: G[{i},{j}] = {} but JᵀHJ = {}",
                        act.name(),
                        div.name(),
                        gn[(i, j)],
                        g[(i, j)]
                    );
                }
            }
            // G is positive semidefinite (every H_out is)
            let ev = curvature_eigenvalues(&gn).expect("finite");
            assert!(
                ev[0] >= lambda - 1e-10,
                "{} / {}: λ_min(G) = {}",
                act.name(),
                div.name(),
                ev[0]
            );
        }
    }
}

#[test]
fn logistic_regression_hessian_is_positive_semidefinite_at_its_minimum() {
    // No hidden layer, one sigmoid output through BCE: a convex problem. Two
    // overlapping Gaussian blobs (not separable), so a finite minimiser exists.
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let n = 40;
    let labels: Vec<usize> = (0..n).map(|j| j % 2).collect();
    let x = Mat::from_fn(2, n, |i, j| {
        let centre = if labels[j] == 1 { 0.5 } else { -0.5 };
        centre * (i as f64 + 1.0) + rng.random_range(-1.5..1.5)
    });
    let net = Network::mlp(&[2, 1], &[Activation::Identity]).expect("valid");
    let mut obj = NetworkObjective::from_labels(
        net,
        Divergence::SigmoidBinaryCrossEntropy,
        x.as_ref(),
        &labels,
    )
    .expect("valid");
    // Newton's method with the exact Hessian.
    let mut w = vec![0.0; 3];
    let mut g = vec![0.0; 3];
    for _ in 0..30 {
        obj.gradient(&w, &mut g);
        let h = dense_hessian(&mut obj, &w).expect("provided");
        let step = descent_linalg::solve_spd(h.as_ref(), &g).expect("H is SPD here");
        descent_linalg::axpy(-1.0, &step, &mut w);
    }
    obj.gradient(&w, &mut g);
    assert!(
        descent_linalg::norm_inf(&g) < 1e-10,
        "not at the minimum: ‖∇L‖ = {:e}",
        descent_linalg::norm_inf(&g)
    );
    let h = dense_hessian(&mut obj, &w).expect("provided");
    let ev = curvature_eigenvalues(&h).expect("finite");
    assert!(ev[0] > 0.0, "λ_min(H) = {} at the minimum", ev[0]);
    // with no hidden layer the Hessian is exactly the Gauss–Newton matrix
    let gn = obj.dense_gauss_newton(&w).expect("lengths fit");
    for i in 0..3 {
        for j in 0..3 {
            assert!(
                (gn[(i, j)] - h[(i, j)]).abs() <= 1e-14,
                "H ≠ G at ({i},{j})"
            );
        }
    }
}

#[test]
fn hand_derived_2_2_1_sigmoid_network() {
    // x = (1, 2), d = 1, L2 divergence.
    // W_1 = [[1, −1/2], [2, −1]], b_1 = (0, ln 3)
    //   z_1 = (1 − 1, 2 − 2 + ln 3) = (0, ln 3);  y_1 = σ(z_1) = (1/2, 1/(1 + 1/3)) = (1/2, 3/4)
    // W_2 = [[2, −4/3]], b_2 = −ln 3
    //   z_2 = 2·1/2 − 4/3·3/4 − ln 3 = −ln 3;  y_2 = σ(−ln 3) = 1/(1 + 3) = 1/4
    // Div = ½ (1/4 − 1)² = 9/32
    // Backward:
    //   ∇_{y_2}Div = y_2 − d = −3/4
    //   J_{y_2}(z_2) = y_2 (1 − y_2) = 3/16            ⇒ ∇_{z_2}Div = −3/4 · 3/16 = −9/64
    //   ∇_{W_2}Div = y_1 ∇_{z_2}Div = (1/2, 3/4)ᵀ (−9/64) = (−9/128, −27/256)ᵀ;  ∇_{b_2}Div = −9/64
    //   ∇_{y_1}Div = ∇_{z_2}Div · W_2 = −9/64 · (2, −4/3) = (−9/32, 3/16)
    //   J_{y_1}(z_1) = diag(1/2·1/2, 3/4·1/4) = diag(1/4, 3/16)
    //   ∇_{z_1}Div = (−9/32 · 1/4, 3/16 · 3/16) = (−9/128, 9/256)
    //   ∇_{W_1}Div (in W's shape, row i = ∇_{z_1,i} xᵀ) = [[−9/128, −9/64], [9/256, 9/128]]
    //   ∇_{b_1}Div = (−9/128, 9/256)
    // Only ln 3 and σ(±ln 3) are rounded, so every value holds to a few ulps.
    let ln3 = 3f64.ln();
    let w1 = Mat::from_fn(2, 2, |i, j| [[1.0, -0.5], [2.0, -1.0]][i][j]);
    let w2 = Mat::from_fn(1, 2, |_, j| [2.0, -4.0 / 3.0][j]);
    let b1 = [0.0, ln3];
    let b2 = [-ln3];
    let (net, w) = Network::mlp_from_weights(
        2,
        &[
            LayerWeights {
                weights: w1.as_ref(),
                bias: &b1,
                activation: Activation::Sigmoid,
            },
            LayerWeights {
                weights: w2.as_ref(),
                bias: &b2,
                activation: Activation::Sigmoid,
            },
        ],
    )
    .expect("shapes fit");
    let trace = teaching_backprop(&net, &w, &[1.0, 2.0], &[1.0], Divergence::L2).expect("valid");
    let close = |a: f64, b: f64| assert!((a - b).abs() <= 4.0 * f64::EPSILON, "{a} ≠ {b}");
    let value = |label: &str| {
        trace
            .forward
            .iter()
            .find(|(l, _)| l == label)
            .expect("labelled")
            .1
            .clone()
    };
    close(value("z_1")[0], 0.0);
    close(value("z_1")[1], ln3);
    close(value("y_1")[0], 0.5);
    close(value("y_1")[1], 0.75);
    close(value("y_2")[0], 0.25);
    close(trace.divergence.expect("a divergence"), 9.0 / 32.0);
    // flat layout: W_1 column-major (W11, W21, W12, W22), b_1, W_2 (W11, W12), b_2
    let expected = [
        -9.0 / 128.0,
        9.0 / 256.0,
        -9.0 / 64.0,
        9.0 / 128.0,
        -9.0 / 128.0,
        9.0 / 256.0,
        -9.0 / 128.0,
        -27.0 / 256.0,
        -9.0 / 64.0,
    ];
    for (i, (g, e)) in trace.gradient.iter().zip(expected).enumerate() {
        assert!(
            (g - e).abs() <= 4.0 * f64::EPSILON,
            "{} = {g}, derived {e}",
            net.param_name(i)
        );
    }
    // the fast path gives the same numbers
    let x = Mat::from_fn(2, 1, |i, _| [1.0, 2.0][i]);
    let t = Mat::from_fn(1, 1, |_, _| 1.0);
    let mut bp = Backprop::new(&net, 1).expect("differentiable");
    bp.load(&net, Divergence::L2, x.as_ref(), t.as_ref())
        .expect("valid");
    let mut grad = vec![0.0; 9];
    close(bp.gradient(&net, &w, Divergence::L2, &mut grad), 9.0 / 32.0);
    for (g, e) in grad.iter().zip(expected) {
        assert!((g - e).abs() <= 4.0 * f64::EPSILON);
    }
    // and the lecture's dimensionality check, step by step
    assert_eq!(
        trace.dimensionality_check(),
        "∇_{y_2}Div 1×1 = ∇_y Div(y_2, d) 1×1\n\
         ∇_{z_2}Div 1×1 = ∇_{y_2}Div 1×1 · J_{y_2}(z_2) 1×1\n\
         ∇_{W_2}Div 2×1 = y_1 2×1 · ∇_{z_2}Div 1×1\n\
         ∇_{b_2}Div 1×1 = ∇_{z_2}Div 1×1\n\
         ∇_{y_1}Div 1×2 = ∇_{z_2}Div 1×1 · W_2 1×2\n\
         ∇_{z_1}Div 1×2 = ∇_{y_1}Div 1×2 · J_{y_1}(z_1) 2×2\n\
         ∇_{W_1}Div 2×2 = y_0 2×1 · ∇_{z_1}Div 1×2\n\
         ∇_{b_1}Div 1×2 = ∇_{z_1}Div 1×2\n\
         ∇_{y_0}Div 1×2 = ∇_{z_1}Div 1×2 · W_1 2×2\n"
    );
    // ∇_{y_0}Div = ∇_{z_1}Div · W_1 = (−9/128, 9/256)·[[1, −1/2], [2, −1]]
    //            = (−9/128 + 9/128, 9/256 − 9/256) = (0, 0): y_2 depends on x only
    // through s = x_1 − x_2/2 (W_1 has rank one), and is stationary in s here.
    for g in &trace.input_gradient {
        assert!(g.abs() <= 4.0 * f64::EPSILON, "∇_x Div = {g}, derived 0");
    }
}

/// `uᵀ y_N(x; w)` summed over the columns: the scalar whose gradient a
/// vector–Jacobian product seeded with U computes.
fn seeded_output(net: &Network, w: &[f64], x: MatRef<'_, f64>, u: MatRef<'_, f64>) -> f64 {
    let mut ws = descent_graph::Workspace::new(net, x.ncols()).expect("capacity ≥ 1");
    net.forward(w, x, &mut ws).expect("valid batch");
    let y = ws.value(net.output_node());
    (0..x.ncols())
        .map(|j| (0..u.nrows()).map(|i| u[(i, j)] * y[(i, j)]).sum::<f64>())
        .sum()
}

/// Central difference of `f` along coordinate `i` of `v`, step `h·max(1, |v_i|)`.
fn central(v: &[f64], i: usize, h: f64, mut f: impl FnMut(&[f64]) -> f64) -> f64 {
    let step = h * v[i].abs().max(1.0);
    let (mut p, mut m) = (v.to_vec(), v.to_vec());
    p[i] += step;
    m[i] -= step;
    (f(&p) - f(&m)) / (2.0 * step)
}

#[test]
fn input_gradients_and_vector_jacobian_products_match_both_paths_and_differences() {
    let mut rng = ChaCha8Rng::seed_from_u64(909);
    let mut compared = 0;
    for act in ACTIVATIONS {
        for div in [Divergence::L2, Divergence::SoftmaxCrossEntropy] {
            let depth = rng.random_range(1..=3);
            let batch = 3;
            let (net, w, x, t) = random_case(&mut rng, act, div, 6, depth, batch);
            if near_kink(&net, &w, x.as_ref(), act) {
                continue;
            }
            let (d0, m) = (net.input_dim(), net.output_dim());
            let what = format!("{} / {}", act.name(), div.name());
            // Fast input gradient: column b = (1/B) ∇_{x_b} Div_b.
            let mut bp = Backprop::new(&net, batch).expect("differentiable");
            bp.load(&net, div, x.as_ref(), t.as_ref()).expect("valid");
            let mut gx = vec![0.0; d0 * batch];
            bp.input_gradient(&net, &w, div, &mut gx);
            // Against the teaching path, sample by sample, and against central
            // differences of the mean loss in each input entry.
            let xs: Vec<f64> = (0..d0 * batch).map(|k| x[(k % d0, k / d0)]).collect();
            let mean_loss = |xv: &[f64]| {
                let xm = Mat::from_fn(d0, batch, |i, j| xv[i + j * d0]);
                teaching_gradient(&net, &w, xm.as_ref(), t.as_ref(), div)
                    .expect("valid")
                    .0
            };
            let mut teach = vec![0.0; d0 * batch];
            for j in 0..batch {
                let d: Vec<f64> = (0..m).map(|i| t[(i, j)]).collect();
                let tr =
                    teaching_backprop(&net, &w, &xs[j * d0..(j + 1) * d0], &d, div).expect("valid");
                for i in 0..d0 {
                    teach[i + j * d0] = tr.input_gradient[i] / batch as f64;
                }
            }
            assert!(
                rel_diff(&gx, &teach) <= 1e-12,
                "{what}: fast vs teaching ∇_x"
            );
            let fd: Vec<f64> = (0..xs.len())
                .map(|k| central(&xs, k, 1e-5, mean_loss))
                .collect();
            assert!(
                rel_diff(&gx, &fd) <= 1e-6,
                "{what}: ∇_x vs differences {:e}",
                rel_diff(&gx, &fd)
            );

            // VJP with a random seed U: fast vs teaching vs differences of Σ uᵀy.
            let u = Mat::from_fn(m, batch, |_, _| rng.random_range(-1.0..1.0));
            let mut bp = Backprop::new(&net, batch).expect("differentiable");
            bp.load_inputs(x.as_ref()).expect("valid");
            let (mut gw, mut gin) = (vec![0.0; w.len()], vec![0.0; d0 * batch]);
            bp.vector_jacobian_product(&net, &w, u.as_ref(), &mut gw, Some(&mut gin))
                .expect("valid seed");
            let mut teach_w = vec![0.0; w.len()];
            let mut teach_x = vec![0.0; d0 * batch];
            for j in 0..batch {
                let uj: Vec<f64> = (0..m).map(|i| u[(i, j)]).collect();
                let tr = teaching_vector_jacobian_product(&net, &w, &xs[j * d0..(j + 1) * d0], &uj)
                    .expect("valid");
                descent_linalg::axpy(1.0, &tr.gradient, &mut teach_w);
                teach_x[j * d0..(j + 1) * d0].copy_from_slice(&tr.input_gradient);
                assert_eq!(tr.divergence, None);
            }
            assert!(
                rel_diff(&gw, &teach_w) <= 1e-12,
                "{what}: VJP ∂/∂w fast vs teaching"
            );
            assert!(
                rel_diff(&gin, &teach_x) <= 1e-12,
                "{what}: VJP ∂/∂x fast vs teaching"
            );
            let fd_w: Vec<f64> = (0..w.len())
                .map(|k| {
                    central(&w, k, 1e-5, |wv| {
                        seeded_output(&net, wv, x.as_ref(), u.as_ref())
                    })
                })
                .collect();
            assert!(
                rel_diff(&gw, &fd_w) <= 1e-6,
                "{what}: VJP ∂/∂w vs differences"
            );
            compared += 1;
        }
    }
    assert!(compared >= 15, "only {compared} cases away from kinks");
}

#[test]
fn a_bad_upstream_gradient_is_an_error_naming_it() {
    let net = Network::mlp(&[3, 4, 2], &[Activation::Tanh, Activation::Identity]).expect("sizes");
    let w = net.init(Init::Uniform { a: 0.5 }, 1).expect("init");
    let x = Mat::from_fn(3, 2, |i, j| (i + j) as f64 * 0.1);
    let mut bp = Backprop::new(&net, 2).expect("differentiable");
    bp.load_inputs(x.as_ref()).expect("valid");
    let mut gw = vec![0.0; w.len()];
    let u = Mat::from_fn(3, 2, |_, _| 1.0);
    let err = bp
        .vector_jacobian_product(&net, &w, u.as_ref(), &mut gw, None)
        .expect_err("3 rows for 2 outputs")
        .to_string();
    assert_eq!(
        err,
        "vector–Jacobian product: the upstream gradient is 3×2 but the network has 2 outputs and the batch 2 samples"
    );
    let u = Mat::from_fn(2, 2, |i, j| if (i, j) == (1, 0) { f64::NAN } else { 1.0 });
    let err = bp
        .vector_jacobian_product(&net, &w, u.as_ref(), &mut gw, None)
        .expect_err("NaN seed")
        .to_string();
    assert_eq!(
        err,
        "vector–Jacobian product: upstream entry (1, 0) is NaN, not finite"
    );
    let err = teaching_vector_jacobian_product(&net, &w, &[0.0; 3], &[1.0])
        .expect_err("one entry for two outputs")
        .to_string();
    assert_eq!(
        err,
        "teaching vector–Jacobian product: the upstream gradient has 1 entries but the network has 2 outputs"
    );
}

#[test]
fn mini_batch_mode_visits_every_sample_once_per_epoch() {
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let (net, w, x, t) = random_case(&mut rng, Activation::Sigmoid, Divergence::L2, 3, 1, 10);
    let mut obj = NetworkObjective::new(net, Divergence::L2, x.as_ref(), t.as_ref())
        .expect("valid")
        .with_mini_batches(3, 42)
        .expect("3 ≤ 10");
    let mut g = vec![0.0; w.len()];
    let mut seen = Vec::new();
    for _ in 0..4 {
        obj.gradient(&w, &mut g);
        seen.extend_from_slice(obj.current_batch());
    }
    seen.sort_unstable();
    assert_eq!(seen, (0..10).collect::<Vec<_>>());
    obj.gradient(&w, &mut g);
    assert_eq!(obj.sampler().expect("mini-batch mode").epoch(), 1);
}

#[test]
fn a_descent_data_set_becomes_an_objective() {
    let data = descent_data::synthetic::xor(5, 0.1, 1).expect("valid");
    let net = Network::mlp(&[2, 4, 2], &[Activation::Tanh, Activation::Identity]).expect("valid");
    let w = net.init(Init::GlorotUniform, 2).expect("valid");
    let mut obj = NetworkObjective::from_dataset(net, Divergence::SoftmaxCrossEntropy, &data)
        .expect("2 features, 2 classes");
    assert_eq!(obj.n_samples(), data.n_samples());
    assert!(
        obj.gradient_check(&w, 1e-5)
            .expect("finite")
            .max_relative_error
            <= 1e-7
    );
    let wide = Network::mlp(&[3, 2], &[Activation::Identity]).expect("valid");
    let err = NetworkObjective::from_dataset(wide, Divergence::SoftmaxCrossEntropy, &data)
        .expect_err("3 ≠ 2")
        .to_string();
    assert!(
        err.contains(data.name()) && err.contains("the data has 2 features"),
        "{err}"
    );
}

#[test]
fn a_mini_batch_gradient_is_the_full_gradient_of_its_samples() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let (net, w, x, t) = random_case(
        &mut rng,
        Activation::Tanh,
        Divergence::SoftmaxCrossEntropy,
        6,
        2,
        9,
    );
    let mut obj = NetworkObjective::new(
        net.clone(),
        Divergence::SoftmaxCrossEntropy,
        x.as_ref(),
        t.as_ref(),
    )
    .expect("valid")
    .with_mini_batches(4, 8)
    .expect("4 ≤ 9");
    let mut g = vec![0.0; w.len()];
    let loss = obj.value_and_gradient(&w, &mut g);
    let cols = obj.current_batch().to_vec();
    assert_eq!(cols.len(), 4);
    let xb = Mat::from_fn(x.nrows(), 4, |i, j| x[(i, cols[j])]);
    let tb = Mat::from_fn(t.nrows(), 4, |i, j| t[(i, cols[j])]);
    let (l, gb) = teaching_gradient(
        &net,
        &w,
        xb.as_ref(),
        tb.as_ref(),
        Divergence::SoftmaxCrossEntropy,
    )
    .expect("valid");
    assert!((loss - l).abs() <= 1e-12 * l);
    assert!(rel_diff(&g, &gb) <= 1e-12);
    // value() evaluates on the same batch
    assert!((obj.value(&w) - loss).abs() <= 1e-14 * loss);
}

fn expect_err<T: std::fmt::Debug>(r: Result<T, descent_core::Error>, contains: &str) {
    let msg = r.expect_err("must be rejected").to_string();
    assert!(msg.contains(contains), "message {msg:?} lacks {contains:?}");
}

#[test]
fn bad_input_is_an_error_naming_the_values() {
    let net = Network::mlp(&[2, 3, 10], &[Activation::Tanh, Activation::Identity]).expect("valid");
    let x = Mat::from_fn(3, 6, |i, j| (i + j) as f64);
    let labels = [0, 1, 2, 3, 4, 5];
    expect_err(
        NetworkObjective::from_labels(
            net.clone(),
            Divergence::SoftmaxCrossEntropy,
            x.as_ref(),
            &labels,
        ),
        "the data has 3 features (rows of X) but the input layer has 2",
    );
    let x = Mat::from_fn(2, 6, |i, j| if (i, j) == (1, 4) { f64::NAN } else { 1.0 });
    expect_err(
        NetworkObjective::from_labels(
            net.clone(),
            Divergence::SoftmaxCrossEntropy,
            x.as_ref(),
            &labels,
        ),
        "input (1, 4) is NaN, not finite",
    );
    let x = Mat::from_fn(2, 6, |i, j| (i * j) as f64);
    expect_err(
        NetworkObjective::from_labels(
            net.clone(),
            Divergence::SoftmaxCrossEntropy,
            x.as_ref(),
            &[0, 1, 12, 3, 4, 5],
        ),
        "label 12 of sample 2 is outside the output range 0..10",
    );
    expect_err(
        NetworkObjective::from_labels(
            net.clone(),
            Divergence::SoftmaxCrossEntropy,
            x.as_ref(),
            &[0, 1],
        ),
        "6 samples (columns of X) but 2 labels",
    );
    let t = Mat::from_fn(10, 6, |_, _| 2.0);
    expect_err(
        NetworkObjective::new(
            net.clone(),
            Divergence::SigmoidBinaryCrossEntropy,
            x.as_ref(),
            t.as_ref(),
        ),
        "is 2: outside [0, 1]",
    );
    let t = Mat::from_fn(4, 6, |_, _| 0.0);
    expect_err(
        NetworkObjective::new(net.clone(), Divergence::L2, x.as_ref(), t.as_ref()),
        "targets have 4 rows but the network output has 10",
    );
    let t = Mat::from_fn(10, 6, |_, _| 0.0);
    let obj =
        NetworkObjective::new(net.clone(), Divergence::L2, x.as_ref(), t.as_ref()).expect("valid");
    expect_err(
        obj.clone().with_mini_batches(7, 1),
        "batch size 7 exceeds the number of samples 6",
    );
    expect_err(
        obj.clone().with_weight_decay(-1.0),
        "weight decay λ must be finite and ≥ 0, got -1",
    );
    let mut obj = obj;
    let mut out = vec![0.0; 3];
    expect_err(
        obj.hessian_vector_product(&vec![0.0; net.n_params()], &[0.0; 3], &mut out),
        "lengths",
    );
    // a threshold unit: no gradient flows through a step
    let step =
        Network::mlp(&[2, 1], &[Activation::Threshold]).expect("a perceptron is a valid network");
    expect_err(
        Backprop::new(&step, 4),
        "train threshold units with the perceptron rule",
    );
    expect_err(
        teaching_backprop(&step, &[0.0; 3], &[1.0, 1.0], &[1.0], Divergence::L2),
        "no gradient passes through it",
    );
}

/// The exact diagonal of the Gauss–Newton matrix, `G_ii = e_iᵀ G e_i`, from n products.
fn gauss_newton_diagonal(obj: &mut NetworkObjective, w: &[f64]) -> Vec<f64> {
    let n = w.len();
    let (mut e, mut col, mut diag) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    for i in 0..n {
        e[i] = 1.0;
        obj.gauss_newton_vector_product(w, &e, &mut col)
            .expect("lengths fit");
        e[i] = 0.0;
        diag[i] = col[i];
    }
    diag
}

#[test]
fn becker_lecun_diagonal_is_the_exact_gauss_newton_diagonal_without_hidden_layers() {
    // With one affine layer z = W x + b, W_ij and b_i move only output i, so the
    // Jacobian column of W_ij is x_j f′(z_i) e_i and G's diagonal is
    // mean_b x_j² f′(z_i)² H_out,ii: nothing is dropped (even for softmax, whose
    // H_out is full, only its diagonal enters G's diagonal).
    let mut rng = ChaCha8Rng::seed_from_u64(21);
    let cases = [
        (Activation::Identity, Divergence::L2),
        (Activation::Sigmoid, Divergence::L2),
        (Activation::Identity, Divergence::SigmoidBinaryCrossEntropy),
        (Activation::Identity, Divergence::SoftmaxCrossEntropy),
        (Activation::Tanh, Divergence::L2),
    ];
    for (act, div) in cases {
        let net = Network::mlp(&[3, 4], &[act]).expect("valid sizes");
        let w = net.init(Init::Uniform { a: 0.8 }, 4).expect("valid init");
        let x = Mat::from_fn(3, 5, |_, _| rng.random_range(-1.5..1.5));
        let t = random_targets(&mut rng, div, 4, 5);
        let mut obj = NetworkObjective::new(net, div, x.as_ref(), t.as_ref())
            .expect("valid")
            .with_weight_decay(0.03)
            .expect("λ ≥ 0");
        let exact = gauss_newton_diagonal(&mut obj, &w);
        let mut bl = vec![0.0; w.len()];
        obj.becker_lecun_diagonal(&w, &mut bl).expect("supported");
        let err = rel_diff(&bl, &exact);
        assert!(err <= 1e-12, "{} / {}: {err:e}", act.name(), div.name());
    }
}

#[test]
fn becker_lecun_diagonal_is_non_negative_and_exact_on_the_last_layer() {
    // Dropping off-diagonal curvature only happens when it is propagated through
    // W_k ⊙ W_k to an earlier layer; the last layer's W_N,ij and b_N,i still move
    // only output i, so their entries are G's exact diagonal.
    let mut rng = ChaCha8Rng::seed_from_u64(22);
    let acts = [
        Activation::Tanh,
        Activation::Sigmoid,
        Activation::Softplus,
        Activation::Relu,
        Activation::Identity,
    ];
    for act in acts {
        for div in DIVERGENCES {
            let depth = rng.random_range(2..=3);
            let (net, w, x, t) = random_case(&mut rng, act, div, 4, depth, 4);
            if near_kink(&net, &w, x.as_ref(), act) {
                continue;
            }
            let last = *net.layers().last().expect("≥ 1 layer");
            let mut obj = NetworkObjective::new(net, div, x.as_ref(), t.as_ref()).expect("valid");
            let exact = gauss_newton_diagonal(&mut obj, &w);
            let mut bl = vec![0.0; w.len()];
            obj.becker_lecun_diagonal(&w, &mut bl).expect("supported");
            assert!(
                bl.iter().all(|d| *d >= 0.0),
                "{} / {}: {bl:?}",
                act.name(),
                div.name()
            );
            let range = last.w_offset..last.b_offset + last.rows;
            let err = rel_diff(&bl[range.clone()], &exact[range]);
            assert!(err <= 1e-12, "{} / {}: {err:e}", act.name(), div.name());
        }
    }
}

#[test]
fn becker_lecun_diagonal_of_a_hand_derived_1_1_1_identity_network() {
    // y = w2 (w1 x + b1) + b2, Div = ½(y − d)², H_out = 1, everything scalar so
    // dropping off-diagonal terms drops nothing: G_ii = mean_b (∂y/∂θ_i)².
    // w = (w1, b1, w2, b2) = (3, −1, 0.5, 0.25); samples x = 2 (h = 5) and x = 0 (h = −1):
    //   w1: mean (w2 x)² = (1 + 0)/2 = 0.5      b1: w2² = 0.25
    //   w2: mean h²      = (25 + 1)/2 = 13      b2: 1
    // plus λ = 0.5 on every entry.
    let net = Network::mlp(&[1, 1, 1], &[Activation::Identity, Activation::Identity])
        .expect("valid sizes");
    let w = [3.0, -1.0, 0.5, 0.25];
    let x = Mat::from_fn(1, 2, |_, j| [2.0, 0.0][j]);
    let t = Mat::from_fn(1, 2, |_, j| [1.0, -2.0][j]);
    let mut obj = NetworkObjective::new(net, Divergence::L2, x.as_ref(), t.as_ref())
        .expect("valid")
        .with_weight_decay(0.5)
        .expect("λ ≥ 0");
    let mut bl = [0.0; 4];
    obj.becker_lecun_diagonal(&w, &mut bl).expect("supported");
    assert_eq!(bl, [1.0, 0.75, 13.5, 1.5]);
}

#[test]
fn becker_lecun_diagonal_rejects_a_softmax_activation_node() {
    let net = Network::mlp(&[2, 3], &[Activation::Softmax]).expect("valid sizes");
    let w = net.init(Init::Uniform { a: 0.5 }, 1).expect("valid init");
    let x = Mat::from_fn(2, 2, |i, j| (i + j) as f64);
    let t = Mat::from_fn(3, 2, |i, _| (i == 0) as u8 as f64);
    let mut obj =
        NetworkObjective::new(net, Divergence::L2, x.as_ref(), t.as_ref()).expect("valid");
    let mut out = vec![0.0; w.len()];
    expect_err(
        obj.becker_lecun_diagonal(&w, &mut out),
        "node 2 (y_1) is a softmax activation",
    );
    expect_err(obj.becker_lecun_diagonal(&w[1..], &mut out), "parameters");
}

#[test]
fn becker_lecun_diagonal_passes_through_skip_connections() {
    // y_0 (3) → z_1 (3) → tanh → z_2 (3) → sum with y_1 → sigmoid → z_3 (2), BCE.
    // y_1 is read twice (by z_2 and the sum): its curvature accumulates both.
    let mut b = NetworkBuilder::new(3).expect("dim ≥ 1");
    let z1 = b.affine(0, 3).expect("node 0 exists");
    let y1 = b.activation(z1, Activation::Tanh).expect("exists");
    let z2 = b.affine(y1, 3).expect("exists");
    let s = b.sum(&[z2, y1]).expect("both 3-dimensional");
    let u = b.activation(s, Activation::Sigmoid).expect("exists");
    let _ = b.affine(u, 2).expect("exists");
    let net = b.build().expect("every node used");
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let w = net.init(Init::Uniform { a: 0.8 }, 5).expect("valid");
    let x = Mat::from_fn(3, 4, |_, _| rng.random_range(-1.0..1.0));
    let div = Divergence::SigmoidBinaryCrossEntropy;
    let t = random_targets(&mut rng, div, 2, 4);
    let last = *net.layers().last().expect("3 layers");
    let mut obj = NetworkObjective::new(net, div, x.as_ref(), t.as_ref()).expect("valid");
    let exact = gauss_newton_diagonal(&mut obj, &w);
    let mut bl = vec![0.0; w.len()];
    obj.becker_lecun_diagonal(&w, &mut bl).expect("supported");
    assert!(bl.iter().all(|d| *d > 0.0), "{bl:?}");
    let range = last.w_offset..last.b_offset + last.rows;
    let err = rel_diff(&bl[range.clone()], &exact[range]);
    assert!(err <= 1e-12, "last layer: {err:e}");
}

#[test]
fn becker_lecun_then_curvature_products_on_a_network_reading_the_raw_input() {
    // y_0 (3) → z_1 (3); tanh(y_0); sum of z_1, tanh(y_0) and y_0 → sigmoid → z (2), L2.
    // The affine z_1 reads y_0 (so the Becker–LeCun pass stores Y_0 ⊙ Y_0 in the
    // R-buffer of node 0), and an activation and a sum read y_0 directly, so
    // R{y_0} = 0 must hold in the R-pass after a Becker–LeCun pass on the same
    // object. The references are independent: central differences of the
    // teaching-path gradient and products on a fresh objective.
    let mut b = NetworkBuilder::new(3).expect("dim ≥ 1");
    let z1 = b.affine(0, 3).expect("node 0 exists");
    let a0 = b.activation(0, Activation::Tanh).expect("node 0 exists");
    let s = b.sum(&[z1, a0, 0]).expect("all 3-dimensional");
    let u = b.activation(s, Activation::Sigmoid).expect("exists");
    let _ = b.affine(u, 2).expect("exists");
    let net = b.build().expect("every node used");
    let mut rng = ChaCha8Rng::seed_from_u64(31);
    let w = net.init(Init::Uniform { a: 0.8 }, 6).expect("valid");
    let n = w.len();
    let x = Mat::from_fn(3, 4, |_, _| rng.random_range(-1.5..1.5));
    let t = random_targets(&mut rng, Divergence::L2, 2, 4);
    let v: Vec<f64> = (0..n).map(|_| rng.random_range(-1.0..1.0)).collect();
    let fresh = || {
        NetworkObjective::new(net.clone(), Divergence::L2, x.as_ref(), t.as_ref()).expect("valid")
    };
    let (mut hv_fresh, mut gv_fresh) = (vec![0.0; n], vec![0.0; n]);
    fresh()
        .hessian_vector_product(&w, &v, &mut hv_fresh)
        .expect("lengths fit");
    fresh()
        .gauss_newton_vector_product(&w, &v, &mut gv_fresh)
        .expect("lengths fit");
    let mut obj = fresh();
    let mut bl = vec![0.0; n];
    obj.becker_lecun_diagonal(&w, &mut bl).expect("supported");
    let (mut hv, mut gv) = (vec![0.0; n], vec![0.0; n]);
    obj.hessian_vector_product(&w, &v, &mut hv)
        .expect("lengths fit");
    obj.becker_lecun_diagonal(&w, &mut bl).expect("supported");
    obj.gauss_newton_vector_product(&w, &v, &mut gv)
        .expect("lengths fit");
    assert!(
        rel_diff(&hv, &hv_fresh) <= 1e-14,
        "Hv after B-L: {hv:?} vs {hv_fresh:?}"
    );
    assert!(
        rel_diff(&gv, &gv_fresh) <= 1e-14,
        "Gv after B-L: {gv:?} vs {gv_fresh:?}"
    );
    // Hv against (∇L(w + h v) − ∇L(w − h v)) / 2h on the teaching path
    let h = 1e-5;
    let wp: Vec<f64> = w.iter().zip(&v).map(|(a, b)| a + h * b).collect();
    let wm: Vec<f64> = w.iter().zip(&v).map(|(a, b)| a - h * b).collect();
    let (_, gp) =
        teaching_gradient(&net, &wp, x.as_ref(), t.as_ref(), Divergence::L2).expect("valid");
    let (_, gm) =
        teaching_gradient(&net, &wm, x.as_ref(), t.as_ref(), Divergence::L2).expect("valid");
    let fd: Vec<f64> = gp
        .iter()
        .zip(&gm)
        .map(|(a, b)| (a - b) / (2.0 * h))
        .collect();
    assert!(
        rel_diff(&hv, &fd) <= 1e-7,
        "Hv vs differences: {hv:?} vs {fd:?}"
    );
}

/// `f(x) = c Σ x_i²` with an analytic gradient whose entry `wrong` is multiplied by
/// `factor` (to plant an error of known size).
struct ScaledQuadratic {
    c: f64,
    wrong: usize,
    factor: f64,
}

impl Objective for ScaledQuadratic {
    fn dim(&self) -> usize {
        2
    }
    fn value(&mut self, x: &[f64]) -> f64 {
        self.c * x.iter().map(|v| v * v).sum::<f64>()
    }
    fn gradient(&mut self, x: &[f64], grad: &mut [f64]) {
        for (g, v) in grad.iter_mut().zip(x) {
            *g = 2.0 * self.c * v;
        }
        grad[self.wrong] *= self.factor;
    }
}

#[test]
fn the_gradient_check_is_scale_invariant_and_rejects_non_finite_derivatives() {
    // f = c (x_0² + x_1²) at x = (1, 2): ĝ = (2c, 4c) (exact for a quadratic up to
    // rounding ~ε f / h). Planting g_0 = 1.01 · 2c gives |g_0 − ĝ_0| = 0.02c and the
    // error 0.02c / (|ĝ_0| + ‖ĝ‖_∞) = 0.02c / 6c = 1/300, whatever c is: the old
    // metric |g − ĝ| / max(1, |g|, |ĝ|) gave 2e-10 for c = 1e-8 and passed it.
    for c in [1e-8, 1.0, 1e6] {
        let mut f = ScaledQuadratic {
            c,
            wrong: 0,
            factor: 1.01,
        };
        let check = crate::gradient_check(&mut f, &[1.0, 2.0], 1e-5).expect("finite");
        assert_eq!(check.index, 0);
        assert!(
            (check.max_relative_error - 1.0 / 300.0).abs() <= 1e-8,
            "c = {c}: {check:?}"
        );
        // and the correct gradient passes at 1e-7
        f.factor = 1.0;
        let check = crate::gradient_check(&mut f, &[1.0, 2.0], 1e-5).expect("finite");
        assert!(check.max_relative_error <= 1e-9, "c = {c}: {check:?}");
    }
    // A NaN analytic derivative is an error naming the coordinate, not a silent pass
    // (NaN > worst is false).
    let mut f = ScaledQuadratic {
        c: 1.0,
        wrong: 1,
        factor: f64::NAN,
    };
    expect_err(
        crate::gradient_check(&mut f, &[1.0, 2.0], 1e-5),
        "the analytic derivative of x[1] is NaN",
    );
    // through a network, the parameter is named by the network: w = (W_1[0,0], b_1[0])
    let net = Network::mlp(&[1, 1], &[Activation::Identity]).expect("valid sizes");
    let x = Mat::from_fn(1, 1, |_, _| 1.0);
    let t = Mat::from_fn(1, 1, |_, _| 0.0);
    let mut obj =
        NetworkObjective::new(net.clone(), Divergence::L2, x.as_ref(), t.as_ref()).expect("valid");
    // b = ∞: y = ∞ and ∂L/∂W = (y − d) x = ∞
    let named = format!("the analytic derivative of {} is inf", net.param_name(0));
    expect_err(obj.gradient_check(&[1.0, f64::INFINITY], 1e-5), &named);
}

#[test]
fn output_counts_that_cannot_fit_the_divergence_or_the_classes_are_errors() {
    // (d) softmax of a single logit is 1, so CE and KL would be identically 0
    let one = Network::mlp(&[2, 1], &[Activation::Identity]).expect("valid sizes");
    let x = Mat::from_fn(2, 3, |i, j| (i + j) as f64);
    let t = Mat::from_fn(1, 3, |_, _| 1.0);
    for div in [Divergence::SoftmaxCrossEntropy, Divergence::SoftmaxKl] {
        expect_err(
            NetworkObjective::new(one.clone(), div, x.as_ref(), t.as_ref()),
            &format!(
                "{} needs ≥ 2 outputs, the network has 1: the softmax of one logit is 1, \
                 so the loss is identically 0; for two classes use one output with sigmoid_bce",
                div.name()
            ),
        );
    }
    // (e) xor has K = 2 classes: 3 softmax outputs, or BCE with 1 output on 3 classes,
    // name both counts; BCE with 1 output on 2 classes and softmax with 2 are fine
    let xor = descent_data::synthetic::xor(3, 0.1, 1).expect("valid");
    let three = Network::mlp(&[2, 3], &[Activation::Identity]).expect("valid sizes");
    expect_err(
        NetworkObjective::from_dataset(three, Divergence::SoftmaxCrossEntropy, &xor),
        "the data set has 2 classes but the network has 3 outputs \
         (softmax_cross_entropy needs one output per class)",
    );
    let blobs = descent_data::synthetic::gaussian_blobs(
        &[vec![0.0, 0.0], vec![1.0, 0.0], vec![0.0, 1.0]],
        2,
        0.1,
        1,
    )
    .expect("valid");
    expect_err(
        NetworkObjective::from_dataset(one.clone(), Divergence::SigmoidBinaryCrossEntropy, &blobs),
        "the data set has 3 classes but the network has 1 outputs \
         (one output with sigmoid_bce needs 2 classes)",
    );
    NetworkObjective::from_dataset(one, Divergence::SigmoidBinaryCrossEntropy, &xor)
        .expect("1 output, 2 classes");
    let two = Network::mlp(&[2, 2], &[Activation::Identity]).expect("valid sizes");
    NetworkObjective::from_dataset(two, Divergence::SoftmaxKl, &xor).expect("2 outputs, 2 classes");
}

#[test]
fn a_value_before_the_first_gradient_shares_its_batch() {
    // The batches must come in the sampler's order 1, 2, 3, … whatever evaluation
    // draws first; the reference is an independent sampler with the same seed.
    let mut rng = ChaCha8Rng::seed_from_u64(8);
    let (net, w, x, t) = random_case(&mut rng, Activation::Tanh, Divergence::L2, 3, 1, 10);
    let mut obj = NetworkObjective::new(net, Divergence::L2, x.as_ref(), t.as_ref())
        .expect("valid")
        .with_mini_batches(4, 17)
        .expect("4 ≤ 10");
    let mut reference = descent_data::EpochSampler::new(10, 4, 17).expect("valid");
    let first = reference.next_batch().to_vec();
    let second = reference.next_batch().to_vec();
    let mut g = vec![0.0; w.len()];
    let value = obj.value(&w);
    assert_eq!(obj.current_batch(), first.as_slice());
    let loss = obj.value_and_gradient(&w, &mut g);
    assert_eq!(obj.current_batch(), first.as_slice(), "batch 1 was skipped");
    assert_eq!(loss, value, "value and gradient on the same batch");
    let mut hv = vec![0.0; w.len()];
    obj.hessian_vector_product(&w, &g, &mut hv)
        .expect("lengths fit");
    assert_eq!(obj.current_batch(), first.as_slice());
    obj.value_and_gradient(&w, &mut g);
    assert_eq!(obj.current_batch(), second.as_slice());
}

#[test]
fn logistic_regression_hessian_is_the_closed_form() {
    // One affine output z = wᵀx + b through sigmoid + BCE, weight decay λ:
    //   ∇²L = (1/N) Σ_n σ(z_n)(1 − σ(z_n)) x̃_n x̃_nᵀ + λ I,   x̃_n = (x_n, 1)
    // (Bishop 2006, eq. 4.97), formed here entry by entry without any backprop code.
    let mut rng = ChaCha8Rng::seed_from_u64(13);
    let (d, n, lambda) = (3, 7, 0.2);
    let x = Mat::from_fn(d, n, |_, _| rng.random_range(-2.0..2.0));
    let t = Mat::from_fn(1, n, |_, _| rng.random_range(0.0..1.0));
    let w: Vec<f64> = (0..=d).map(|_| rng.random_range(-1.0..1.0)).collect();
    let net = Network::mlp(&[d, 1], &[Activation::Identity]).expect("valid");
    let mut obj = NetworkObjective::new(
        net,
        Divergence::SigmoidBinaryCrossEntropy,
        x.as_ref(),
        t.as_ref(),
    )
    .expect("valid")
    .with_weight_decay(lambda)
    .expect("λ ≥ 0");
    // layout: W_1 (1 × d, column-major = w[0..d]), then b_1 = w[d]
    let mut closed = Mat::<f64>::zeros(d + 1, d + 1);
    for j in 0..n {
        let xt: Vec<f64> = (0..d)
            .map(|i| x[(i, j)])
            .chain(std::iter::once(1.0))
            .collect();
        let z: f64 = xt.iter().zip(&w).map(|(a, b)| a * b).sum();
        let s = 1.0 / (1.0 + (-z).exp());
        for a in 0..=d {
            for b in 0..=d {
                closed[(a, b)] += s * (1.0 - s) * xt[a] * xt[b] / n as f64;
            }
        }
    }
    (0..=d).for_each(|a| closed[(a, a)] += lambda);
    let v: Vec<f64> = (0..=d).map(|_| rng.random_range(-1.0..1.0)).collect();
    let mut hv = vec![0.0; d + 1];
    obj.hessian_vector_product(&w, &v, &mut hv)
        .expect("lengths fit");
    let mut want = vec![0.0; d + 1];
    for a in 0..=d {
        want[a] = (0..=d).map(|b| closed[(a, b)] * v[b]).sum();
    }
    assert!(
        rel_diff(&hv, &want) <= 1e-13,
        "Hv {hv:?} vs closed form {want:?}"
    );
    let h = dense_hessian(&mut obj, &w).expect("provided");
    for a in 0..=d {
        for b in 0..=d {
            assert!(
                (h[(a, b)] - closed[(a, b)]).abs() <= 1e-13 * closed[(a, a)].max(closed[(b, b)]),
                "H({a},{b}) = {} vs {}",
                h[(a, b)],
                closed[(a, b)]
            );
        }
    }
}

#[test]
fn per_sample_gradients_are_single_sample_gradients_and_average_to_the_gradient() {
    let mut rng = ChaCha8Rng::seed_from_u64(31);
    let div = Divergence::SoftmaxCrossEntropy;
    let (net, w, x, t) = random_case(&mut rng, Activation::Tanh, div, 5, 3, 4);
    let p = net.n_params();
    let mut bp = Backprop::new(&net, 4).expect("differentiable");
    bp.load(&net, div, x.as_ref(), t.as_ref()).expect("valid");
    let mut per = Mat::zeros(p, 4);
    let loss = bp.per_sample_gradients(&net, &w, div, per.as_mut());
    let mut grad = vec![0.0; p];
    assert_eq!(bp.gradient(&net, &w, div, &mut grad), loss);
    let mean: Vec<f64> = (0..p)
        .map(|i| (0..4).map(|s| per[(i, s)]).sum::<f64>() / 4.0)
        .collect();
    assert!(
        rel_diff(&mean, &grad) <= 1e-14,
        "mean of columns vs gradient"
    );
    // Column s against the teaching path on sample s alone.
    for s in 0..4 {
        let xs: Vec<f64> = (0..x.nrows()).map(|i| x[(i, s)]).collect();
        let ds: Vec<f64> = (0..t.nrows()).map(|i| t[(i, s)]).collect();
        let single = teaching_backprop(&net, &w, &xs, &ds, div).expect("valid");
        let col: Vec<f64> = (0..p).map(|i| per[(i, s)]).collect();
        assert!(rel_diff(&col, &single.gradient) <= 1e-12, "sample {s}");
    }
}

#[test]
fn accuracy_counts_argmax_hits_and_names_bad_labels() {
    // Identity 2-2 network with W = I, b = 0: the predicted class is the larger input.
    let w1 = Mat::from_fn(2, 2, |i, j| if i == j { 1.0 } else { 0.0 });
    let (net, w) = Network::mlp_from_weights(
        2,
        &[LayerWeights {
            weights: w1.as_ref(),
            bias: &[0.0, 0.0],
            activation: Activation::Identity,
        }],
    )
    .expect("shapes fit");
    // Samples (columns): (1, 0) → 0, (0, 1) → 1, (2, 3) → 1, (5, −1) → 0, (4, 4) → 0 (first on a tie).
    let x = Mat::from_fn(2, 5, |i, j| {
        [[1.0, 0.0], [0.0, 1.0], [2.0, 3.0], [5.0, -1.0], [4.0, 4.0]][j][i]
    });
    assert_eq!(
        crate::predict_classes(&net, &w, x.as_ref()).expect("valid"),
        [0, 1, 1, 0, 0]
    );
    // Labels agree on 3 of 5 samples.
    let acc = crate::accuracy(&net, &w, x.as_ref(), &[0, 1, 0, 0, 1]).expect("valid");
    assert_eq!(acc, 0.6);
    let err = crate::accuracy(&net, &w, x.as_ref(), &[0, 1, 2, 0, 1])
        .expect_err("label 2 of a 2-output network")
        .to_string();
    assert_eq!(
        err,
        "accuracy: label 2 of sample 2 is not a class of a network with 2 outputs (classes 0..1)"
    );
    let err = crate::accuracy(&net, &w, x.as_ref(), &[0, 1])
        .expect_err("2 labels")
        .to_string();
    assert_eq!(err, "accuracy: 2 labels for 5 samples");
}

#[test]
fn a_softmax_output_fed_to_a_softmax_divergence_is_refused() {
    // Issue 15, item 9: softmax twice is a silent mistake (the loss still
    // decreases, towards the wrong probabilities). Node 2 is the softmax.
    let net = Network::mlp(&[2, 3], &[Activation::Softmax]).unwrap();
    let x = Mat::from_fn(2, 2, |i, j| (i + 2 * j) as f64);
    let t = Mat::from_fn(3, 2, |i, j| if i == j { 1.0 } else { 0.0 });
    for div in [Divergence::SoftmaxCrossEntropy, Divergence::SoftmaxKl] {
        let Err(e) = NetworkObjective::new(net.clone(), div, x.as_ref(), t.as_ref()) else {
            panic!("a double softmax was accepted");
        };
        let e = e.to_string();
        assert_eq!(
            e,
            format!(
                "network objective: the output node 2 is a softmax and {} applies softmax to \
                 its input: softmax twice squeezes every probability towards 1/K; end the \
                 network with the affine layer (logits)",
                div.name()
            )
        );
    }
    // The same network ending in its logits is accepted.
    let logits = Network::mlp(&[2, 3], &[Activation::Identity]).unwrap();
    assert!(
        NetworkObjective::new(
            logits,
            Divergence::SoftmaxCrossEntropy,
            x.as_ref(),
            t.as_ref()
        )
        .is_ok()
    );
    // A network without parameters (issue 15, item 5) is refused too.
    let mut b = NetworkBuilder::new(3).unwrap();
    b.activation(0, Activation::Tanh).unwrap();
    let Err(e) = NetworkObjective::new(b.build().unwrap(), Divergence::L2, x.as_ref(), t.as_ref())
    else {
        panic!("a network without parameters was accepted");
    };
    let e = e.to_string();
    assert_eq!(
        e,
        "network objective: the network has no parameters: there is nothing to train"
    );
}
