//! Speed of the fast backward pass: one SGD training step of the
//! 784-256-256-10 tanh MLP at batch 128 (f64) beside faer's own matmul rate for
//! the same products, the exact Hessian-vector product against one gradient,
//! and the fast path against the teaching path.
//!
//! Run: `cargo bench -p descent-backprop -- --warm-up-time 1 --measurement-time 3`.
//! The GFLOP/s lines are printed by this benchmark binary (printing is allowed
//! here: benches are front ends, like xtask).
#![allow(clippy::print_stdout, missing_docs)]

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use descent_backprop::{Backprop, teaching_gradient};
use descent_graph::{Activation, Divergence, Init, Network};
use descent_linalg::{Mat, matmul};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

const SIZES: [usize; 4] = [784, 256, 256, 10];
const BATCH: usize = 128;

struct Setup {
    net: Network,
    w: Vec<f64>,
    x: Mat<f64>,
    t: Mat<f64>,
}

fn setup() -> Setup {
    let net = Network::mlp(
        &SIZES,
        &[Activation::Tanh, Activation::Tanh, Activation::Identity],
    )
    .expect("valid sizes");
    let w = net.init(Init::GlorotUniform, 1).expect("init");
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let x = Mat::from_fn(SIZES[0], BATCH, |_, _| StandardNormal.sample(&mut rng));
    let labels: Vec<usize> = (0..BATCH).map(|j| j % 10).collect();
    let t = Divergence::SoftmaxCrossEntropy
        .targets_from_labels(&labels, 10)
        .expect("labels < 10");
    Setup { net, w, x, t }
}

/// Flops of the step's products: forward `2·B·Σ D_k D_{k−1}`, backward the weight
/// gradients (same) plus `∇_{y_{k−1}}` for k ≥ 2 (the input needs none).
fn step_flops() -> f64 {
    let fwd: usize = SIZES.windows(2).map(|p| p[0] * p[1]).sum();
    let back_y: usize = SIZES[1..].windows(2).map(|p| p[0] * p[1]).sum();
    (2 * BATCH * (2 * fwd + back_y)) as f64
}

/// The same products as one step, on preallocated buffers: faer's own rate.
struct Products {
    w: Vec<Mat<f64>>,
    y: Vec<Mat<f64>>,
    g: Vec<Mat<f64>>,
    dw: Vec<Mat<f64>>,
}

impl Products {
    fn new() -> Self {
        let w = SIZES
            .windows(2)
            .map(|p| Mat::from_fn(p[1], p[0], |i, j| ((i + 2 * j) % 7) as f64 * 0.01))
            .collect();
        let y = SIZES
            .iter()
            .map(|&d| Mat::from_fn(d, BATCH, |i, j| ((i * j) % 5) as f64 * 0.1))
            .collect();
        let g = SIZES
            .iter()
            .map(|&d| Mat::from_fn(d, BATCH, |i, j| ((i + j) % 3) as f64 * 0.1))
            .collect();
        let dw = SIZES.windows(2).map(|p| Mat::zeros(p[1], p[0])).collect();
        Self { w, y, g, dw }
    }
    fn run(&mut self) {
        for k in 0..3 {
            let (lo, hi) = self.y.split_at_mut(k + 1);
            matmul(hi[0].as_mut(), self.w[k].as_ref(), lo[k].as_ref());
        }
        for k in (0..3).rev() {
            matmul(
                self.dw[k].as_mut(),
                self.g[k + 1].as_ref(),
                self.y[k].transpose(),
            );
            if k > 0 {
                let (lo, hi) = self.g.split_at_mut(k + 1);
                matmul(lo[k].as_mut(), self.w[k].transpose(), hi[0].as_ref());
            }
        }
    }
}

fn time_per_call(mut f: impl FnMut(), reps: usize) -> f64 {
    f();
    let start = Instant::now();
    for _ in 0..reps {
        f();
    }
    start.elapsed().as_secs_f64() / reps as f64
}

fn report_rates(s: &Setup) {
    let flops = step_flops();
    let mut bp = Backprop::new(&s.net, BATCH).expect("no threshold");
    bp.load(
        &s.net,
        Divergence::SoftmaxCrossEntropy,
        s.x.as_ref(),
        s.t.as_ref(),
    )
    .expect("valid batch");
    let mut w = s.w.clone();
    let mut grad = vec![0.0; w.len()];
    let mut products = Products::new();
    let mut v = vec![0.0; w.len()];
    v.iter_mut()
        .enumerate()
        .for_each(|(i, x)| *x = ((i % 11) as f64 - 5.0) * 1e-3);
    let mut hv = vec![0.0; w.len()];
    // Interleave so that machine noise hits both alike.
    let (mut t_step, mut t_mm, mut t_hv) = (f64::INFINITY, f64::INFINITY, f64::INFINITY);
    for _ in 0..5 {
        t_mm = t_mm.min(time_per_call(|| products.run(), 20));
        t_step = t_step.min(time_per_call(
            || {
                bp.gradient(&s.net, &w, Divergence::SoftmaxCrossEntropy, &mut grad);
                descent_linalg::axpy(-0.01, &grad, &mut w);
            },
            20,
        ));
        t_hv = t_hv.min(time_per_call(
            || {
                bp.hessian_vector_product(&s.net, &w, Divergence::SoftmaxCrossEntropy, &v, &mut hv);
            },
            20,
        ));
    }
    println!(
        "train_step 784-256-256-10 tanh batch128: {:.3} ms, {:.1} GFLOP/s; faer matmul alone on the same shapes: \
         {:.3} ms, {:.1} GFLOP/s; ratio {:.0} % (target ≥ 70 %); JAX (PERF.md) 3.9 ms",
        t_step * 1e3,
        flops / t_step * 1e-9,
        t_mm * 1e3,
        flops / t_mm * 1e-9,
        100.0 * t_mm / t_step
    );
    println!(
        "hvp / gradient (forward+backward only, same batch): {:.2} (target ≤ 3; JAX ≈ 1.7)",
        t_hv / t_step
    );
}

fn benches(c: &mut Criterion) {
    let s = setup();
    report_rates(&s);
    let div = Divergence::SoftmaxCrossEntropy;

    let mut bp = Backprop::new(&s.net, BATCH).expect("no threshold");
    bp.load(&s.net, div, s.x.as_ref(), s.t.as_ref())
        .expect("valid batch");
    let mut w = s.w.clone();
    let mut grad = vec![0.0; w.len()];
    c.bench_function("train_step/784-256-256-10/tanh/batch128", |b| {
        b.iter(|| {
            let loss = bp.gradient(&s.net, &w, div, &mut grad);
            descent_linalg::axpy(-1e-3, &grad, &mut w);
            black_box(loss)
        })
    });
    let mut products = Products::new();
    c.bench_function("faer_matmul/784-256-256-10/batch128", |b| {
        b.iter(|| products.run())
    });

    let w = s.w.clone();
    let v: Vec<f64> = (0..w.len())
        .map(|i| ((i % 11) as f64 - 5.0) * 1e-3)
        .collect();
    let mut hv = vec![0.0; w.len()];
    c.bench_function("hvp/784-256-256-10/tanh/batch128/gradient", |b| {
        b.iter(|| black_box(bp.gradient(&s.net, &w, div, &mut grad)))
    });
    c.bench_function("hvp/784-256-256-10/tanh/batch128/hv", |b| {
        b.iter(|| black_box(bp.hessian_vector_product(&s.net, &w, div, &v, &mut hv)))
    });
    c.bench_function("hvp/784-256-256-10/tanh/batch128/gauss_newton", |b| {
        b.iter(|| black_box(bp.gauss_newton_vector_product(&s.net, &w, div, &v, &mut hv)))
    });

    let mut group = c.benchmark_group("teaching_vs_fast/784-256-256-10/tanh/batch128");
    group.sample_size(10);
    group.bench_function("fast", |b| {
        b.iter(|| black_box(bp.gradient(&s.net, &w, div, &mut grad)))
    });
    group.bench_function("teaching", |b| {
        b.iter(|| {
            black_box(
                teaching_gradient(&s.net, &w, s.x.as_ref(), s.t.as_ref(), div).expect("valid"),
            )
        })
    });
    group.finish();
}

criterion_group!(train_step, benches);
criterion_main!(train_step);
