//! Speed of a Newton step against faer's own Cholesky factor-and-solve on
//! dense SPD problems (n = 100, 500, 1000; target ≤ 1.15×), and of an L-BFGS
//! step at n = 10⁶, m = 10 (reported per parameter).
//!
//! Run: `cargo bench -p descent-newton -- --warm-up-time 1 --measurement-time 3`.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use descent_core::{Capabilities, Error, Evaluator, Objective, Optimizer, State};
use descent_linalg::{Cholesky, Mat, MatMut, dot, matvec};
use descent_newton::{Lbfgs, Newton};

/// `f = ½ xᵀAx − bᵀx` with a dense SPD A = M Mᵀ/n + I.
struct DenseQuadratic {
    a: Mat<f64>,
    b: Vec<f64>,
    ax: Vec<f64>,
}

impl DenseQuadratic {
    fn new(n: usize) -> Self {
        let m = Mat::from_fn(n, n, |i, j| (((i * 7 + j * 13) % 17) as f64 - 8.0) / 8.0);
        let mut a = Mat::zeros(n, n);
        descent_linalg::matmul(a.as_mut(), m.as_ref(), m.transpose());
        let a = Mat::from_fn(n, n, |i, j| {
            a[(i, j)] / n as f64 + if i == j { 1.0 } else { 0.0 }
        });
        let b = (0..n).map(|i| (i % 5) as f64 - 2.0).collect();
        Self {
            a,
            b,
            ax: vec![0.0; n],
        }
    }
}

impl Objective for DenseQuadratic {
    fn dim(&self) -> usize {
        self.b.len()
    }
    fn value(&mut self, x: &[f64]) -> f64 {
        matvec(self.a.as_ref(), x, &mut self.ax);
        0.5 * dot(x, &self.ax) - dot(&self.b, x)
    }
    fn gradient(&mut self, x: &[f64], g: &mut [f64]) {
        matvec(self.a.as_ref(), x, g);
        for (gi, bi) in g.iter_mut().zip(&self.b) {
            *gi -= bi;
        }
    }
    fn value_and_gradient(&mut self, x: &[f64], g: &mut [f64]) -> f64 {
        self.gradient(x, g);
        // f = ½ xᵀ(Ax − b) − ½ bᵀx
        0.5 * dot(x, g) - 0.5 * dot(&self.b, x)
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            hessian: true,
            hessian_vector_product: true,
        }
    }
    fn hessian(&mut self, _x: &[f64], mut h: MatMut<'_, f64>) -> Result<(), Error> {
        h.copy_from(self.a.as_ref());
        Ok(())
    }
}

/// `f = ½ Σ d_i x_i²`, d_i ∈ [1, 10].
struct Separable {
    d: Vec<f64>,
}

impl Objective for Separable {
    fn dim(&self) -> usize {
        self.d.len()
    }
    fn value(&mut self, x: &[f64]) -> f64 {
        0.5 * x.iter().zip(&self.d).map(|(x, d)| d * x * x).sum::<f64>()
    }
    fn gradient(&mut self, x: &[f64], g: &mut [f64]) {
        for ((gi, xi), di) in g.iter_mut().zip(x).zip(&self.d) {
            *gi = di * xi;
        }
    }
    fn value_and_gradient(&mut self, x: &[f64], g: &mut [f64]) -> f64 {
        let mut f = 0.0;
        for ((gi, xi), di) in g.iter_mut().zip(x).zip(&self.d) {
            *gi = di * xi;
            f += 0.5 * di * xi * xi;
        }
        f
    }
}

fn state_at(eval: &mut Evaluator<'_>, x: &[f64]) -> State {
    let mut grad = vec![0.0; x.len()];
    let f = eval.value_and_gradient(x, &mut grad);
    State {
        iteration: 0,
        x: x.to_vec(),
        f,
        grad,
    }
}

fn newton_step(c: &mut Criterion) {
    let mut group = c.benchmark_group("newton_step_vs_cholesky");
    group.sample_size(10);
    for n in [100, 500, 1000] {
        let mut q = DenseQuadratic::new(n);
        let a = q.a.clone();
        let rhs = q.b.clone();
        group.bench_with_input(
            BenchmarkId::new("cholesky_factor_solve", n),
            &n,
            |bench, _| {
                let mut x = rhs.clone();
                bench.iter(|| {
                    x.copy_from_slice(&rhs);
                    let chol = Cholesky::factor(a.as_ref()).expect("SPD");
                    chol.solve_in_place(&mut x);
                    x[0]
                });
            },
        );
        let x0 = vec![0.5; n];
        let mut eval = Evaluator::new(&mut q);
        let start = state_at(&mut eval, &x0);
        let mut newton = Newton::pure();
        newton.init(&mut eval, &start).expect("init");
        let mut state = start.clone();
        group.bench_with_input(BenchmarkId::new("newton_step", n), &n, |bench, _| {
            bench.iter(|| {
                state.x.copy_from_slice(&start.x);
                state.grad.copy_from_slice(&start.grad);
                state.f = start.f;
                newton.step(&mut eval, &mut state).expect("step");
                state.f
            });
        });
    }
    group.finish();
}

fn lbfgs_step(c: &mut Criterion) {
    let n = 1_000_000;
    let mut obj = Separable {
        d: (0..n).map(|i| 1.0 + (i % 10) as f64).collect(),
    };
    let mut eval = Evaluator::new(&mut obj);
    let x0: Vec<f64> = (0..n).map(|i| ((i % 7) as f64 - 3.0) / 3.0).collect();
    let mut state = state_at(&mut eval, &x0);
    let mut lbfgs = Lbfgs::new(10).expect("m = 10");
    lbfgs.init(&mut eval, &state).expect("init");
    // Fill the memory so every measured step runs the full two-loop recursion.
    for _ in 0..12 {
        lbfgs.step(&mut eval, &mut state).expect("step");
    }
    let mut group = c.benchmark_group("lbfgs_step");
    group.sample_size(10);
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function(BenchmarkId::new("m10", n), |bench| {
        bench.iter(|| {
            // Restart from x0 with full memory: each step is the two-loop
            // recursion (4mn flops) plus a line search from α = 1.
            state.x.copy_from_slice(&x0);
            state.f = eval.value_and_gradient(&state.x, &mut state.grad);
            lbfgs.step(&mut eval, &mut state).expect("step");
            state.f
        });
    });
    group.finish();
}

criterion_group!(benches, newton_step, lbfgs_step);
criterion_main!(benches);
