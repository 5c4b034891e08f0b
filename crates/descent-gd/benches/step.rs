//! One optimiser step over n = 10⁶ parameters, against a plain `axpy` on the
//! same machine, as memory bandwidth.
//!
//! Every method here is memory-bound, so the figure of merit is bytes moved per
//! second: `(vectors read + vectors written) · 8 · n / time`. The count for each
//! method is written beside it and includes the objective's evaluation
//! (`f = ½‖x‖²`, fused into one pass: read x, write ∇f = x — 2 vectors). The
//! reference is `axpy` (`y ← y + αx`: read x, read y, write y — 3 vectors); the
//! summary prints each step's GB/s and its ratio to axpy's (target ≥ 0.6).
//!
//! Run: `cargo bench -p descent-gd --bench step -- --warm-up-time 1 --measurement-time 3`.

#![allow(missing_docs, clippy::print_stderr)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use descent_core::{Evaluator, Objective, Optimizer, State};
use descent_gd::{
    Adagrad, AdagradSettings, Adam, AdamSettings, GradientDescent, LearningRate, Momentum,
    MomentumForm, MomentumSettings, PerParameterGradientDescent, QuickProp, QuickPropSettings,
    RmsProp, RmsPropSettings, Rprop, RpropSettings,
};

const N: usize = 1_000_000;

/// `f(x) = ½‖x‖²`, value and gradient in one pass.
struct HalfSquaredNorm;

impl Objective for HalfSquaredNorm {
    fn dim(&self) -> usize {
        N
    }
    fn value(&mut self, x: &[f64]) -> f64 {
        0.5 * x.iter().map(|v| v * v).sum::<f64>()
    }
    fn gradient(&mut self, x: &[f64], grad: &mut [f64]) {
        grad.copy_from_slice(x);
    }
    fn value_and_gradient(&mut self, x: &[f64], grad: &mut [f64]) -> f64 {
        // Eight independent partial sums, so the reduction does not serialise on
        // the latency of one add chain (and the loop vectorises).
        let mut lanes = [0.0; 8];
        let mut x_chunks = x.chunks_exact(8);
        let mut g_chunks = grad.chunks_exact_mut(8);
        for (xc, gc) in (&mut x_chunks).zip(&mut g_chunks) {
            gc.copy_from_slice(xc);
            for (lane, v) in lanes.iter_mut().zip(xc) {
                *lane += v * v;
            }
        }
        for (g, v) in g_chunks
            .into_remainder()
            .iter_mut()
            .zip(x_chunks.remainder())
        {
            *g = *v;
            lanes[0] += v * v;
        }
        0.5 * lanes.iter().sum::<f64>()
    }
}

fn lr(eta: f64) -> LearningRate {
    LearningRate::constant(eta).expect("valid learning rate")
}

/// Each method with the number of n-vectors one step reads plus writes
/// (method + the 2 of the evaluation).
fn methods() -> Vec<(&'static str, usize, Box<dyn Optimizer>)> {
    let momentum = |form| {
        Momentum::new(MomentumSettings {
            learning_rate: lr(1e-3),
            form,
            ..Default::default()
        })
        .expect("valid")
    };
    vec![
        // x ← x − ηg: r x, g; w x.
        (
            "gd",
            3 + 2,
            Box::new(GradientDescent::new(1e-3).expect("valid")),
        ),
        // r x, g, η; w x.
        (
            "gd_per_parameter",
            4 + 2,
            Box::new(PerParameterGradientDescent::new(vec![1e-3; N]).expect("valid")),
        ),
        // r x, g, b; w x, b.
        (
            "heavy_ball",
            5 + 2,
            Box::new(momentum(MomentumForm::HeavyBall)),
        ),
        (
            "nesterov",
            5 + 2,
            Box::new(momentum(MomentumForm::Nesterov)),
        ),
        // y = x + μv (r x, v; w y), ∇f(y) (r y; w g_y), v, x (r x, v, g_y, y; w v, x).
        (
            "nesterov_classic",
            3 + 2 + 6 + 2,
            Box::new(momentum(MomentumForm::NesterovClassic)),
        ),
        // r x, g, g_prev, Δ, Δw_prev; w x, g_prev, Δ, Δw_prev.
        (
            "rprop",
            9 + 2,
            Box::new(Rprop::new(RpropSettings::default()).expect("valid")),
        ),
        // r x, g, g_prev, Δw_prev; w x, g_prev, Δw_prev.
        (
            "quickprop",
            7 + 2,
            Box::new(QuickProp::new(QuickPropSettings::default()).expect("valid")),
        ),
        // r x, g, s; w x, s.
        (
            "adagrad",
            5 + 2,
            Box::new(Adagrad::new(AdagradSettings::default()).expect("valid")),
        ),
        // r x, g, v; w x, v.
        (
            "rmsprop",
            5 + 2,
            Box::new(RmsProp::new(RmsPropSettings::default()).expect("valid")),
        ),
        // r x, g, v, ḡ; w x, v, ḡ.
        (
            "rmsprop_centred",
            7 + 2,
            Box::new(
                RmsProp::new(RmsPropSettings {
                    centered: true,
                    ..Default::default()
                })
                .expect("valid"),
            ),
        ),
        // r x, g, m, v; w x, m, v.
        (
            "adam",
            7 + 2,
            Box::new(Adam::new(AdamSettings::default()).expect("valid")),
        ),
        (
            "adamw",
            7 + 2,
            Box::new(Adam::new(AdamSettings::adamw()).expect("valid")),
        ),
        // + r/w v̄.
        (
            "amsgrad",
            9 + 2,
            Box::new(
                Adam::new(AdamSettings {
                    amsgrad: true,
                    ..Default::default()
                })
                .expect("valid"),
            ),
        ),
    ]
}

fn start() -> State {
    let x: Vec<f64> = (0..N).map(|i| 1.0 + (i % 7) as f64).collect();
    let mut grad = vec![0.0; N];
    let f = HalfSquaredNorm.value_and_gradient(&x, &mut grad);
    State {
        iteration: 0,
        x,
        f,
        grad,
    }
}

/// The median wall time of `reps` calls of `f` (after one warm-up call).
fn median_time(reps: usize, mut f: impl FnMut()) -> Duration {
    f();
    let mut times: Vec<Duration> = (0..reps)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[reps / 2]
}

fn bench_steps(c: &mut Criterion) {
    let bytes = |vectors: usize| (vectors * 8 * N) as u64;
    let mut group = c.benchmark_group("step_1e6");
    group.sample_size(10);

    let x = vec![1.0; N];
    let mut y = vec![0.5; N];
    group.throughput(Throughput::Bytes(bytes(3)));
    group.bench_function("axpy", |b| {
        b.iter(|| descent_linalg::axpy(black_box(1e-9), &x, &mut y))
    });

    for (name, vectors, mut opt) in methods() {
        let mut objective = HalfSquaredNorm;
        let mut eval = Evaluator::new(&mut objective);
        let mut state = start();
        opt.init(&mut eval, &state).expect("init");
        group.throughput(Throughput::Bytes(bytes(vectors)));
        group.bench_function(name, |b| {
            b.iter(|| {
                let outcome = opt.step(&mut eval, &mut state).expect("step");
                state.iteration += 1;
                black_box(outcome)
            })
        });
    }
    group.finish();

    // Side-by-side summary: medians of 15 runs, measured back to back.
    let axpy = median_time(15, || descent_linalg::axpy(black_box(1e-9), &x, &mut y));
    let axpy_rate = bytes(3) as f64 / axpy.as_secs_f64() / 1e9;
    eprintln!("\nstep over n = 10⁶ (bytes = vectors · 8 · n; ratio = GB/s ÷ axpy's GB/s)");
    eprintln!(
        "{:<18} {:>7} {:>10} {:>8} {:>6}",
        "method", "vectors", "time", "GB/s", "ratio"
    );
    eprintln!(
        "{:<18} {:>7} {:>10.3?} {:>8.2} {:>6.2}",
        "axpy", 3, axpy, axpy_rate, 1.0
    );
    for (name, vectors, mut opt) in methods() {
        let mut objective = HalfSquaredNorm;
        let mut eval = Evaluator::new(&mut objective);
        let mut state = start();
        opt.init(&mut eval, &state).expect("init");
        let t = median_time(15, || {
            black_box(opt.step(&mut eval, &mut state).expect("step"));
            state.iteration += 1;
        });
        let rate = bytes(vectors) as f64 / t.as_secs_f64() / 1e9;
        eprintln!(
            "{name:<18} {vectors:>7} {t:>10.3?} {rate:>8.2} {:>6.2}",
            rate / axpy_rate
        );
    }
}

criterion_group!(benches, bench_steps);
criterion_main!(benches);
