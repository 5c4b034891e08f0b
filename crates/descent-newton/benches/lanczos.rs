//! Lanczos on a network's Hessian: the k = 5 largest eigenvalues of the
//! training loss of a 64-300-256-10 tanh network (99,126 parameters) on 256
//! UCI digits, by exact Hessian-vector products (descent-backprop's
//! R-operator). The Hessian (99,126² entries, 79 GB) is never formed.
//!
//! Claim measured: the cost of Lanczos ≈ (its iterations) × (one Hv). The
//! bench prints the iteration count; criterion times one Hv and the whole run.
//!
//! Run: `cargo bench -p descent-newton --bench lanczos -- --warm-up-time 1 --measurement-time 5`.

#![allow(clippy::print_stdout, missing_docs)]

use criterion::{Criterion, criterion_group, criterion_main};
use descent_backprop::NetworkObjective;
use descent_core::{Evaluator, Objective};
use descent_graph::{Activation, Divergence, Init, Network};
use descent_newton::HessianAt;
use descent_newton::spectrum::{SpectrumEnd, extreme_eigenvalues};

const K: usize = 5;
const TOL: f64 = 1e-6;
const MAX_STEPS: usize = 300;

fn objective() -> (NetworkObjective, Vec<f64>) {
    let digits = descent_data::digits();
    let indices: Vec<usize> = (0..256).collect();
    let data = digits.subset(&indices).expect("256 of 1797 samples");
    let net = Network::mlp(
        &[64, 300, 256, 10],
        &[Activation::Tanh, Activation::Tanh, Activation::Identity],
    )
    .expect("valid sizes");
    let w = net.init(Init::GlorotUniform, 5).expect("valid init");
    let objective = NetworkObjective::from_dataset(net, Divergence::SoftmaxCrossEntropy, &data)
        .expect("valid data");
    (objective, w)
}

fn lanczos(c: &mut Criterion) {
    let (mut objective, w) = objective();
    let n = objective.dim();
    let v: Vec<f64> = (0..n).map(|i| ((i % 7) as f64 - 3.0) / 3.0).collect();
    let mut out = vec![0.0; n];

    {
        let mut eval = Evaluator::new(&mut objective);
        let mut op = HessianAt::new(&mut eval, &w).expect("dimension matches");
        let top = extreme_eigenvalues(&mut op, K, SpectrumEnd::Largest, TOL, MAX_STEPS, 1)
            .expect("finite products");
        println!(
            "lanczos k={K} on n={n}: {} iterations (= Hv products), converged = {}, λ = {:?}",
            top.iterations, top.converged, top.values
        );
    }

    let mut group = c.benchmark_group(format!("lanczos/64-300-256-10/tanh/n{n}"));
    group.sample_size(10);
    group.bench_function("hvp", |b| {
        b.iter(|| {
            objective
                .hessian_vector_product(&w, &v, &mut out)
                .expect("provided")
        })
    });
    group.bench_function("lanczos_k5_largest", |b| {
        b.iter(|| {
            let mut eval = Evaluator::new(&mut objective);
            let mut op = HessianAt::new(&mut eval, &w).expect("dimension matches");
            extreme_eigenvalues(&mut op, K, SpectrumEnd::Largest, TOL, MAX_STEPS, 1)
                .expect("finite products")
        })
    });
    group.finish();
}

criterion_group!(benches, lanczos);
criterion_main!(benches);
