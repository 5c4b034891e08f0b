//! Unit tests of descent-newton against closed forms and hand-derived values.

use descent_core::{
    Capabilities, Evaluator, Objective, Optimizer, StoppingRules, Termination, Trace, analysis,
    minimize, minimize_with,
};
use descent_linalg::{
    Cholesky, Mat, MatMut, SymmetricEigen, dot, matvec, norm_2, symmetry_violation,
};
use descent_problems::surfaces::{Saddle, SurfaceObjective};
use descent_problems::{Quadratic, mgh, random_orthogonal};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use crate::cg::{CgWorkspace, steihaug_cg, truncated_cg};
use crate::harness::{Method, Problem, compare};
use crate::spectrum::{
    PointKind, SpectrumEnd, certify, certify_dense, classify_eigenvalues, dense_eigenvalues,
    extreme_eigenvalues, hutchinson_diagonal, hutchinson_trace, lanczos, power_iteration,
    spectral_density,
};
use crate::*;

fn rules(max_iterations: usize) -> StoppingRules {
    StoppingRules::default()
        .max_iterations(max_iterations)
        .gradient_tolerance(1e-10)
}

fn random_vector(rng: &mut ChaCha8Rng, n: usize) -> Vec<f64> {
    (0..n).map(|_| StandardNormal.sample(rng)).collect()
}

/// `A = Q diag(λ) Qᵀ` with a Haar-random Q.
fn matrix_with_spectrum(eigenvalues: &[f64], seed: u64) -> Mat<f64> {
    let n = eigenvalues.len();
    let q = random_orthogonal(n, seed);
    let scaled = Mat::from_fn(n, n, |i, j| q[(i, j)] * eigenvalues[j]);
    let mut a = Mat::zeros(n, n);
    descent_linalg::matmul(a.as_mut(), scaled.as_ref(), q.transpose());
    Mat::from_fn(n, n, |i, j| 0.5 * (a[(i, j)] + a[(j, i)]))
}

fn random_spd(rng: &mut ChaCha8Rng, n: usize) -> Mat<f64> {
    let eig: Vec<f64> = (0..n).map(|_| rng.random_range(0.1..10.0)).collect();
    matrix_with_spectrum(&eig, rng.random())
}

// ---------- Newton ----------

#[test]
fn newton_reaches_the_minimiser_of_spd_quadratics_in_one_step() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    for n in [1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 200] {
        let eig: Vec<f64> = (0..n).map(|_| rng.random_range(0.5..5.0)).collect();
        let w_star = random_vector(&mut rng, n);
        let mut q = Quadratic::from_eigenvalues(&eig, rng.random())
            .unwrap()
            .with_minimizer(&w_star)
            .unwrap();
        let x0 = random_vector(&mut rng, n);
        let mut newton = Newton::pure();
        let run = minimize(
            &mut q,
            &mut newton,
            &x0,
            &StoppingRules::default()
                .max_iterations(1)
                .gradient_tolerance(None),
        )
        .unwrap();
        assert_eq!(run.iterations, 1);
        let err = run
            .x
            .iter()
            .zip(&w_star)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(
            err <= 1e-12 * (1.0 + descent_linalg::norm_inf(&w_star)),
            "n = {n}: error {err:e}"
        );
        assert_eq!(run.counts.hessian, 1);
    }
}

fn rosenbrock_run(newton: Newton) -> (Trace, descent_core::RunResult) {
    let mut obj = mgh::rosenbrock();
    let mut trace = Trace::with_iterates();
    let mut newton = newton;
    let run = minimize_with(
        &mut obj,
        &mut newton,
        &[-1.2, 1.0],
        &rules(100),
        &mut [&mut trace],
    )
    .unwrap();
    (trace, run)
}

#[test]
fn newton_on_rosenbrock_converges_with_order_two() {
    // Safeguarded Newton (modified Cholesky + Armijo): the foundation's order
    // estimator on |f_k − f*| (the affine-invariant error ½‖x − x*‖²_H, f* = 0).
    let (trace, run) = rosenbrock_run(Newton::safeguarded());
    assert!(run.termination.converged(), "{:?}", run.termination);
    assert!((run.x[0] - 1.0).abs() < 1e-10 && (run.x[1] - 1.0).abs() < 1e-10);
    let summary = analysis::summarize(&trace.values(), 0.0, None);
    let q = summary.order.expect("enough iterates");
    assert!(
        (1.7..=2.5).contains(&q),
        "order {q}, values {:?}",
        trace.values()
    );
    // The last few full-step iterations all have order near 2.
    let usable: Vec<f64> = trace
        .values()
        .into_iter()
        .take_while(|&f| f > 0.0)
        .collect();
    let orders = analysis::orders(&usable);
    for q in &orders[orders.len() - 3..] {
        assert!((1.7..=2.5).contains(q), "orders {orders:?}");
    }
    // Pure Newton converges too (in 7 steps from this start), with quadratic
    // contraction ‖e_{k+1}‖ ≤ ‖e_k‖² in the tail.
    let (trace, run) = rosenbrock_run(Newton::pure());
    assert!(
        run.termination.converged() && run.iterations <= 10,
        "{:?}",
        run.termination
    );
    let e: Vec<f64> = trace
        .iterates
        .iter()
        .map(|x| ((x[0] - 1.0).powi(2) + (x[1] - 1.0).powi(2)).sqrt())
        .collect();
    let k = e.len() - 2; // e[k + 1] = 0 exactly; use the two steps before it
    assert!(
        e[k] <= e[k - 1] * e[k - 1] && e[k - 1] <= e[k - 2] * e[k - 2],
        "{e:?}"
    );
}

#[test]
fn pure_newton_jumps_to_the_saddle_and_classification_says_saddle() {
    // f = x² − y², ∇f = (2x, −2y), H = diag(2, −2): p = −H⁻¹∇f = −(x, y).
    let mut obj = SurfaceObjective(Saddle);
    let mut newton = Newton::new(1.0, IndefiniteHessian::SolveIndefinite).unwrap();
    let run = minimize(&mut obj, &mut newton, &[1.0, 0.5], &rules(1)).unwrap();
    assert_eq!(run.iterations, 1);
    assert!(
        run.x[0].abs() < 1e-15 && run.x[1].abs() < 1e-15,
        "{:?}",
        run.x
    );
    let mut eval = Evaluator::new(&mut obj);
    let cert = certify(&mut eval, &run.x, 1e-8, 1).unwrap();
    assert_eq!(cert.classification.kind, PointKind::Saddle);
    assert_eq!(
        (cert.classification.positive, cert.classification.negative),
        (1, 1)
    );
    assert!(!cert.holds);
    assert_eq!(cert.lambda_min, -2.0);

    // Pure Newton that refuses to solve stops and names the pivot.
    let run = minimize(&mut obj, &mut Newton::pure(), &[1.0, 0.5], &rules(5)).unwrap();
    match run.termination {
        Termination::Failed {
            iteration: 1,
            reason,
        } => assert!(reason.contains("pivot 1"), "{reason}"),
        other => panic!("expected failure, got {other:?}"),
    }
    assert_eq!(run.x, vec![1.0, 0.5]);
}

#[test]
fn saddle_free_and_damped_newton_move_away_from_the_saddle_and_decrease_f() {
    let x0 = [1.0, 0.5];
    let f0 = 1.0 - 0.25;
    let strategies = [
        Newton::new(
            1.0,
            IndefiniteHessian::EigenvalueModification { floor: 1e-8 },
        )
        .unwrap(),
        Newton::new(
            1.0,
            IndefiniteHessian::LevenbergMarquardt {
                initial_damping: 0.0,
            },
        )
        .unwrap(),
        Newton::new(1.0, IndefiniteHessian::ModifiedCholesky { beta: 1e-3 })
            .unwrap()
            .with_line_search(descent_gd::line_search::Armijo::default()),
    ];
    for newton in strategies {
        let name = newton.name();
        let mut obj = SurfaceObjective(Saddle);
        let mut trace = Trace::with_iterates();
        let mut newton = newton;
        let stop = StoppingRules::default()
            .max_iterations(3)
            .divergence_bound(1e300);
        let run = minimize_with(&mut obj, &mut newton, &x0, &stop, &mut [&mut trace]).unwrap();
        assert!(run.f < f0, "{name}: f = {}", run.f);
        assert!(run.x[1].abs() > 0.5, "{name}: moved to {:?}", run.x);
        let first = &trace.records[1].diagnostics;
        assert!(
            first.fallback.is_some() && first.negative_curvature,
            "{name}: {first:?}"
        );
    }
    // Saddle-free Newton by hand: p = −|H|⁻¹∇f = −(2/2, −1/2) → (0, 1), f = −1.
    let mut obj = SurfaceObjective(Saddle);
    let mut sfn = Newton::new(
        1.0,
        IndefiniteHessian::EigenvalueModification { floor: 1e-8 },
    )
    .unwrap();
    let run = minimize(&mut obj, &mut sfn, &x0, &rules(1)).unwrap();
    assert!(
        (run.x[0]).abs() < 1e-15 && (run.x[1] - 1.0).abs() < 1e-15,
        "{:?}",
        run.x
    );
}

#[test]
fn levenberg_marquardt_newton_rejects_bad_steps_and_converges() {
    let mut obj = mgh::rosenbrock();
    let mut newton = Newton::new(
        1.0,
        IndefiniteHessian::LevenbergMarquardt {
            initial_damping: 1.0,
        },
    )
    .unwrap();
    let mut trace = Trace::new();
    let run = minimize_with(
        &mut obj,
        &mut newton,
        &[-1.2, 1.0],
        &rules(200),
        &mut [&mut trace],
    )
    .unwrap();
    assert!(run.termination.converged(), "{:?}", run.termination);
    assert!(
        trace
            .records
            .iter()
            .skip(1)
            .all(|r| r.diagnostics.damping.is_some() && r.diagnostics.gain_ratio.is_some())
    );
}

// ---------- quasi-Newton ----------

#[test]
fn bfgs_and_dfp_updates_keep_the_inverse_hessian_spd_under_the_curvature_condition() {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    for trial in 0..200 {
        let n = 1 + trial % 9;
        let h0 = random_spd(&mut rng, n);
        let s = random_vector(&mut rng, n);
        let mut y = random_vector(&mut rng, n);
        if dot(&s, &y) <= 0.0 {
            // Reflect y so that sᵀy > 0 (the curvature condition).
            for v in &mut y {
                *v = -*v;
            }
        }
        if dot(&s, &y) <= 1e-8 {
            continue;
        }
        let mut work = vec![0.0; n];
        for update in [bfgs_inverse_update, dfp_inverse_update] {
            let mut h = h0.clone();
            update(h.as_mut(), &s, &y, &mut work);
            assert!(symmetry_violation(h.as_ref(), 1e-9).is_none());
            assert!(
                Cholesky::factor(h.as_ref()).is_ok(),
                "trial {trial}: lost positive definiteness"
            );
            // Secant equation H y = s.
            matvec(h.as_ref(), &y, &mut work);
            let err = work
                .iter()
                .zip(&s)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f64::max);
            assert!(
                err <= 1e-8 * (1.0 + descent_linalg::norm_inf(&s)),
                "trial {trial}: secant error {err:e}"
            );
        }
    }
}

#[test]
fn sr1_skips_exactly_when_its_denominator_test_fails() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let r = SR1_SKIP_THRESHOLD;
    let mut skipped = 0;
    for trial in 0..300 {
        let n = 2 + trial % 5;
        let b0 = random_spd(&mut rng, n);
        let s = random_vector(&mut rng, n);
        // v = y − Bs with a chosen component along s: v = w + c s/‖s‖², w ⟂ s, so sᵀv = c.
        let mut w = random_vector(&mut rng, n);
        let ws = dot(&w, &s) / dot(&s, &s);
        for (wi, si) in w.iter_mut().zip(&s) {
            *wi -= ws * si;
        }
        let scale = r * norm_2(&s) * norm_2(&w);
        let c = match trial % 3 {
            0 => 0.0,
            1 => scale * rng.random_range(-0.9..0.9),
            _ => scale * rng.random_range(2.0..1e6) * if rng.random::<bool>() { 1.0 } else { -1.0 },
        };
        let mut bs = vec![0.0; n];
        matvec(b0.as_ref(), &s, &mut bs);
        let ss = dot(&s, &s);
        let y: Vec<f64> = (0..n).map(|i| bs[i] + w[i] + c * s[i] / ss).collect();
        // Independent evaluation of the test.
        let v: Vec<f64> = (0..n).map(|i| y[i] - bs[i]).collect();
        let expect_skip = dot(&s, &v).abs() < r * norm_2(&s) * norm_2(&v);
        let mut b = b0.clone();
        let mut work = vec![0.0; n];
        let applied = sr1_update(b.as_mut(), &s, &y, r, &mut work);
        assert_eq!(
            applied,
            !expect_skip,
            "trial {trial}: sᵀv = {}",
            dot(&s, &v)
        );
        if applied {
            matvec(b.as_ref(), &s, &mut work);
            let err = work
                .iter()
                .zip(&y)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f64::max);
            assert!(
                err <= 1e-6 * (1.0 + descent_linalg::norm_inf(&y)),
                "secant error {err:e}"
            );
        } else {
            skipped += 1;
            assert_eq!(b, b0);
        }
    }
    assert!(
        skipped >= 150,
        "the cases above skip about two thirds of the time, got {skipped}"
    );
}

#[test]
fn quasi_newton_methods_converge_on_rosenbrock_and_keep_h_spd_on_quadratics() {
    let methods: Vec<Box<dyn Optimizer>> = vec![
        Box::new(QuasiNewton::bfgs()),
        Box::new(QuasiNewton::dfp()),
        Box::new(QuasiNewton::sr1()),
        Box::new(QuasiNewton::new(
            QuasiNewtonUpdate::Bfgs,
            CurvatureSafeguard::PowellDamping,
        )),
        Box::new(Lbfgs::new(5).unwrap()),
    ];
    for mut method in methods {
        let mut obj = mgh::rosenbrock();
        let run = minimize(&mut obj, &mut method, &[-1.2, 1.0], &rules(2000)).unwrap();
        assert!(
            run.termination.converged(),
            "{}: {:?} at f = {}",
            method.name(),
            run.termination,
            run.f
        );
        assert!(run.f < 1e-14, "{}: f = {}", method.name(), run.f);
    }
    // Along runs on seeded convex quadratics the BFGS inverse stays SPD.
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    for _ in 0..10 {
        let n = rng.random_range(2..12);
        let eig: Vec<f64> = (0..n).map(|_| rng.random_range(0.1..100.0)).collect();
        let mut q = Quadratic::from_eigenvalues(&eig, rng.random()).unwrap();
        let x0 = random_vector(&mut rng, n);
        for k in 1..6 {
            let mut bfgs = QuasiNewton::bfgs();
            minimize(
                &mut q,
                &mut bfgs,
                &x0,
                &StoppingRules::default()
                    .max_iterations(k)
                    .gradient_tolerance(1e-12),
            )
            .unwrap();
            assert!(Cholesky::factor(bfgs.approximation().as_ref()).is_ok());
        }
    }
}

#[test]
fn lbfgs_and_bfgs_converge_on_an_ill_conditioned_quadratic() {
    // Both reach ‖∇f‖ ≤ 1e-10 on a 20-dimensional quadratic with κ = 100
    // within 200 steps (gradient descent at the best fixed step would need
    // about κ/2 · ln(10¹⁰) ≈ 1150).
    let mut q = Quadratic::with_condition_number(20, 100.0, 9).unwrap();
    let x0 = vec![1.0; 20];
    for mut method in [
        Box::new(Lbfgs::new(20).unwrap()) as Box<dyn Optimizer>,
        Box::new(QuasiNewton::bfgs()),
    ] {
        let run = minimize(&mut q, &mut method, &x0, &rules(200)).unwrap();
        assert!(
            run.termination.converged(),
            "{}: {:?}",
            method.name(),
            run.termination
        );
    }
}

// ---------- CG, Hessian-free, trust regions ----------

#[test]
fn truncated_cg_solves_spd_systems_and_steihaug_stops_on_the_boundary() {
    let mut rng = ChaCha8Rng::seed_from_u64(21);
    let n = 30;
    let a = random_spd(&mut rng, n);
    let g = random_vector(&mut rng, n);
    let mut op = DenseOperator::new(a.as_ref()).unwrap();
    let mut p = vec![0.0; n];
    let mut ws = CgWorkspace::new(n);
    let report = truncated_cg(&mut op, &g, 1e-10, 200, &mut p, &mut ws).unwrap();
    let exact = descent_linalg::solve_spd(a.as_ref(), &g).unwrap();
    let err = p
        .iter()
        .zip(&exact)
        .map(|(a, b)| (a + b).abs())
        .fold(0.0, f64::max);
    assert!(err < 1e-8, "error {err:e}");
    assert!(report.relative_residual <= 1e-10 && !report.negative_curvature);

    let radius = 0.1 * norm_2(&exact);
    let report = steihaug_cg(&mut op, &g, 1e-10, radius, 200, &mut p, &mut ws).unwrap();
    assert!(report.on_boundary);
    assert!((norm_2(&p) - radius).abs() <= 1e-12 * radius);
    assert!(dot(&p, &g) < 0.0);

    // Indefinite: negative curvature detected on the first direction −g, so
    // truncated CG returns −g and Steihaug goes to the boundary along it.
    let b = matrix_with_spectrum(&[-3.0, -1.0, 2.0], 4);
    let mut op = DenseOperator::new(b.as_ref()).unwrap();
    let g = [0.0, 0.0, 0.0];
    let report = truncated_cg(&mut op, &g, 0.5, 10, &mut p[..3], &mut ws).unwrap();
    assert_eq!(report.iterations, 0);
    let eig = SymmetricEigen::new(b.as_ref()).unwrap();
    let g: Vec<f64> = (0..3).map(|i| eig.vectors[(i, 0)]).collect(); // gᵀBg = −3 < 0
    let report = truncated_cg(&mut op, &g, 0.5, 10, &mut p[..3], &mut ws).unwrap();
    assert!(report.negative_curvature && report.iterations == 1);
    assert!(p[..3].iter().zip(&g).all(|(a, b)| (a + b).abs() < 1e-15));
    let report = steihaug_cg(&mut op, &g, 0.5, 2.0, 10, &mut p[..3], &mut ws).unwrap();
    assert!(report.negative_curvature && report.on_boundary);
    assert!((norm_2(&p[..3]) - 2.0).abs() < 1e-12);
}

#[test]
fn hessian_free_and_trust_regions_converge_on_rosenbrock() {
    let methods: Vec<Box<dyn Optimizer>> = vec![
        Box::new(HessianFree::new(0.5).unwrap()),
        Box::new(TrustRegion::dogleg(1.0).unwrap()),
        Box::new(TrustRegion::steihaug(1.0, 0.5).unwrap()),
    ];
    for mut method in methods {
        let mut obj = mgh::rosenbrock();
        let mut trace = Trace::new();
        let run = minimize_with(
            &mut obj,
            &mut method,
            &[-1.2, 1.0],
            &rules(500),
            &mut [&mut trace],
        )
        .unwrap();
        assert!(
            run.termination.converged(),
            "{}: {:?}",
            method.name(),
            run.termination
        );
        assert!(run.f < 1e-16, "{}: f = {}", method.name(), run.f);
        let d = &trace.records[1].diagnostics;
        assert!(
            d.cg_iterations.is_some() || d.trust_radius.is_some(),
            "{d:?}"
        );
    }
    // No Hessian is formed by the matrix-free methods.
    let mut obj = mgh::rosenbrock();
    let run = minimize(
        &mut obj,
        &mut HessianFree::new(0.5).unwrap(),
        &[-1.2, 1.0],
        &rules(500),
    )
    .unwrap();
    assert_eq!(run.counts.hessian, 0);
    assert!(run.counts.hessian_vector_product > 0);
}

#[test]
fn trust_region_radius_follows_the_gain_ratio_rule() {
    let mut obj = mgh::rosenbrock();
    let mut trace = Trace::new();
    let mut tr = TrustRegion::dogleg(10.0).unwrap();
    minimize_with(
        &mut obj,
        &mut tr,
        &[-1.2, 1.0],
        &rules(200),
        &mut [&mut trace],
    )
    .unwrap();
    let mut radius = 10.0;
    for r in trace.records.iter().skip(1) {
        let rho = r.diagnostics.gain_ratio.unwrap();
        let new = r.diagnostics.trust_radius.unwrap();
        if rho < 0.25 {
            assert_eq!(new, 0.25 * radius);
        } else {
            assert!(
                new == radius || new == 2.0 * radius,
                "ρ = {rho}: {radius} → {new}"
            );
        }
        assert_eq!(r.diagnostics.rejected, rho <= ACCEPTANCE);
        radius = new;
    }
}

#[test]
fn gauss_newton_cg_on_a_product_closure_solves_linear_least_squares() {
    // f(x) = Σ_i (Jx − b)_i² with J 8×4: ∇f = 2Jᵀ(Jx − b), G = 2JᵀJ, minimiser by normal equations.
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let j = Mat::from_fn(8, 4, |_, _| StandardNormal.sample(&mut rng));
    let b = random_vector(&mut rng, 8);
    struct Linear {
        j: Mat<f64>,
        b: Vec<f64>,
    }
    impl Objective for Linear {
        fn dim(&self) -> usize {
            4
        }
        fn value(&mut self, x: &[f64]) -> f64 {
            let mut r = vec![0.0; 8];
            matvec(self.j.as_ref(), x, &mut r);
            r.iter().zip(&self.b).map(|(a, b)| (a - b) * (a - b)).sum()
        }
        fn gradient(&mut self, x: &[f64], g: &mut [f64]) {
            let mut r = vec![0.0; 8];
            matvec(self.j.as_ref(), x, &mut r);
            for (ri, bi) in r.iter_mut().zip(&self.b) {
                *ri = 2.0 * (*ri - bi);
            }
            descent_linalg::vecmat(&r, self.j.as_ref(), g);
        }
    }
    let jj = j.clone();
    let product = move |_x: &[f64], v: &[f64], out: &mut [f64]| {
        let mut jv = vec![0.0; 8];
        matvec(jj.as_ref(), v, &mut jv);
        descent_linalg::vecmat(&jv, jj.as_ref(), out);
        out.iter_mut().for_each(|o| *o *= 2.0);
        Ok(())
    };
    let mut gncg = HessianFree::gauss_newton(1e-3, product).unwrap();
    assert!(!gncg.requirements().hessian_vector_product);
    let mut obj = Linear {
        j: j.clone(),
        b: b.clone(),
    };
    let run = minimize(&mut obj, &mut gncg, &[0.0; 4], &rules(50)).unwrap();
    let mut jtj = Mat::zeros(4, 4);
    descent_linalg::matmul(jtj.as_mut(), j.as_ref().transpose(), j.as_ref());
    let mut jtb = vec![0.0; 4];
    descent_linalg::vecmat(&b, j.as_ref(), &mut jtb);
    let x_star = descent_linalg::solve_spd(jtj.as_ref(), &jtb).unwrap();
    assert!(
        run.x.iter().zip(&x_star).all(|(a, b)| (a - b).abs() < 1e-8),
        "{:?} vs {x_star:?}",
        run.x
    );
}

#[test]
fn gauss_newton_and_levenberg_marquardt_solve_zero_residual_mgh_problems() {
    for make in [
        mgh::rosenbrock,
        mgh::helical_valley,
        mgh::powell_singular,
        mgh::wood,
    ] {
        let mut obj = make();
        let x0 = obj.x0().to_vec();
        let mut lm = LevenbergMarquardt::new(make(), 1e-3).unwrap();
        let run = minimize(&mut obj, &mut lm, &x0, &rules(500)).unwrap();
        assert!(
            run.f < 1e-12,
            "LM on {}: f = {} ({:?})",
            obj.name(),
            run.f,
            run.termination
        );
        let mut gn = GaussNewton::new(make());
        let run = minimize(&mut obj, &mut gn, &x0, &rules(500)).unwrap();
        assert!(
            run.f < 1e-12,
            "GN on {}: f = {} ({:?})",
            obj.name(),
            run.f,
            run.termination
        );
        assert!(gn.jacobian_evaluations() >= run.iterations);
    }
}

// ---------- diagonal ----------

#[test]
fn diagonal_newton_is_exact_on_a_diagonal_quadratic_with_either_source() {
    // A = diag(1, 10, 100): η_i = 1/A_ii reaches w* in one step; Hutchinson
    // is exact on a diagonal matrix since z_i² = 1.
    for source in [
        DiagonalSource::Exact,
        DiagonalSource::Hutchinson {
            samples: 1,
            seed: 4,
        },
    ] {
        let mut q = Quadratic::diagonal(&[1.0, 10.0, 100.0], &[1.0, -2.0, 3.0], 0.0).unwrap();
        let w_star = q.minimizer().unwrap();
        let mut opt = DiagonalNewton::new(1.0, 1e-8, source).unwrap();
        let run = minimize(&mut q, &mut opt, &[5.0, 5.0, 5.0], &rules(1)).unwrap();
        assert!(
            run.x
                .iter()
                .zip(&w_star)
                .all(|(a, b)| (a - b).abs() < 1e-14),
            "{source:?}: {:?}",
            run.x
        );
    }
}

// ---------- spectrum ----------

#[test]
fn lanczos_extremes_match_the_dense_eigendecomposition() {
    let mut rng = ChaCha8Rng::seed_from_u64(17);
    for trial in 0..4 {
        let n = 40 + 20 * trial;
        // Known spectrum: well-separated ends, a cluster in the middle, both signs.
        let mut eig: Vec<f64> = (0..n).map(|_| rng.random_range(-1.0..1.0)).collect();
        eig[0] = 9.0;
        eig[1] = 7.5;
        eig[2] = 6.0;
        eig[3] = -8.0;
        eig[4] = -5.0;
        let a = matrix_with_spectrum(&eig, rng.random());
        let dense = dense_eigenvalues(a.as_ref()).unwrap();
        let mut op = DenseOperator::new(a.as_ref()).unwrap();
        let top =
            extreme_eigenvalues(&mut op, 3, SpectrumEnd::Largest, 1e-10, n, trial as u64).unwrap();
        let bottom =
            extreme_eigenvalues(&mut op, 2, SpectrumEnd::Smallest, 1e-10, n, trial as u64).unwrap();
        assert!(top.converged && bottom.converged);
        for (got, want) in top.values.iter().zip([9.0, 7.5, 6.0]) {
            assert!((got - want).abs() < 1e-8, "top {got} vs {want}");
        }
        for (got, want) in bottom.values.iter().zip([-8.0, -5.0]) {
            assert!((got - want).abs() < 1e-8, "bottom {got} vs {want}");
        }
        assert!((dense[n - 1] - 9.0).abs() < 1e-12 && (dense[0] + 8.0).abs() < 1e-12);
        assert!(
            top.iterations < n,
            "Lanczos used {} of {n} steps",
            top.iterations
        );
    }
}

#[test]
fn lanczos_through_hessian_vector_products_of_an_objective() {
    let eig = [0.5, 1.0, 2.0, 4.0, 8.0, 16.0];
    let mut q = Quadratic::from_eigenvalues(&eig, 3).unwrap();
    let mut eval = Evaluator::new(&mut q);
    let x = [0.0; 6];
    let mut op = HessianAt::new(&mut eval, &x).unwrap();
    let top = extreme_eigenvalues(&mut op, 2, SpectrumEnd::Largest, 1e-12, 6, 1).unwrap();
    assert!((top.values[0] - 16.0).abs() < 1e-10 && (top.values[1] - 8.0).abs() < 1e-10);
    assert_eq!(eval.counts().hessian_vector_product, top.iterations);
}

#[test]
fn power_iteration_finds_the_dominant_eigenvalue() {
    let a = matrix_with_spectrum(&[10.0, 5.0, 2.0, 1.0, -3.0], 8);
    let mut op = DenseOperator::new(a.as_ref()).unwrap();
    let result = power_iteration(&mut op, 1000, 1e-12, 3).unwrap();
    assert!(result.converged);
    assert!((result.value - 10.0).abs() < 1e-10, "{}", result.value);
}

#[test]
fn hutchinson_trace_is_within_three_standard_errors() {
    let mut rng = ChaCha8Rng::seed_from_u64(99);
    for seed in 0..5 {
        let n = 50;
        let eig: Vec<f64> = (0..n).map(|_| rng.random_range(-2.0..5.0)).collect();
        let trace: f64 = eig.iter().sum();
        let a = matrix_with_spectrum(&eig, rng.random());
        let mut op = DenseOperator::new(a.as_ref()).unwrap();
        let est = hutchinson_trace(&mut op, 100, seed).unwrap();
        assert!(est.standard_error > 0.0);
        assert!(
            (est.estimate - trace).abs() <= 3.0 * est.standard_error,
            "{est:?} vs {trace}"
        );
    }
    // A diagonal matrix has zero-variance Rademacher probes: exact.
    let d = Mat::from_fn(4, 4, |i, j| if i == j { (i + 1) as f64 } else { 0.0 });
    let est = hutchinson_trace(&mut DenseOperator::new(d.as_ref()).unwrap(), 3, 0).unwrap();
    assert_eq!((est.estimate, est.standard_error), (10.0, 0.0));
    let mut diag = vec![0.0; 4];
    hutchinson_diagonal(
        &mut DenseOperator::new(d.as_ref()).unwrap(),
        2,
        0,
        &mut diag,
    )
    .unwrap();
    assert_eq!(diag, vec![1.0, 2.0, 3.0, 4.0]);
}

#[test]
fn stochastic_lanczos_quadrature_weights_moments_and_nodes() {
    let eig = [-1.0, 0.5, 2.0, 3.0, 7.0];
    let n = eig.len();
    let a = matrix_with_spectrum(&eig, 6);
    let mut op = DenseOperator::new(a.as_ref()).unwrap();
    let density = spectral_density(&mut op, n, 4, 12).unwrap();
    let total: f64 = density.weights.iter().sum();
    assert!((total - 1.0).abs() < 1e-12);
    // With n steps the Gauss rule is exact for polynomials of degree < 2n and
    // Rademacher probes have ‖z‖² = n, so every moment is (1/probes) Σ zᵀAᵖz / n;
    // the zeroth and first moments: 1 and the Hutchinson mean / n.
    let hutch = hutchinson_trace(&mut op, 4, 12).unwrap();
    assert!((density.moment(1) - hutch.estimate / n as f64).abs() < 1e-12);
    // Nodes are the eigenvalues (full Krylov space).
    for node in &density.nodes {
        assert!(eig.iter().any(|e| (e - node).abs() < 1e-8), "node {node}");
    }
    let smooth = density.smoothed(&[-1.0, 7.0, 20.0], 0.1);
    assert!(smooth[0] > 0.1 && smooth[1] > 0.1 && smooth[2] < 1e-100);
    let t = lanczos(&mut op, &[1.0; 5], 3).unwrap();
    assert_eq!(t.alpha.len(), 3);
}

#[test]
fn classification_counts_signs() {
    let c = classify_eigenvalues(&[-1.0, 0.0, 2.0], 1e-8);
    assert_eq!(
        (c.kind, c.positive, c.negative, c.near_zero),
        (PointKind::Saddle, 1, 1, 1)
    );
    assert_eq!(
        classify_eigenvalues(&[1.0, 2.0], 1e-8).kind,
        PointKind::Minimum
    );
    assert_eq!(
        classify_eigenvalues(&[-1.0, -2.0], 1e-8).kind,
        PointKind::Maximum
    );
    assert_eq!(
        classify_eigenvalues(&[1e-10, 2.0], 1e-8).kind,
        PointKind::Degenerate
    );
    // Certificate at Rosenbrock's minimiser holds.
    let mut obj = mgh::rosenbrock();
    let mut eval = Evaluator::new(&mut obj);
    let cert = certify(&mut eval, &[1.0, 1.0], 1e-8, 0).unwrap();
    assert!(cert.holds && cert.classification.kind == PointKind::Minimum);
}

// ---------- harness ----------

/// `f = Σ x_i²` with no Hessian (for the "not provided" row).
struct Sphere;
impl Objective for Sphere {
    fn name(&self) -> String {
        "sphere".into()
    }
    fn dim(&self) -> usize {
        3
    }
    fn value(&mut self, x: &[f64]) -> f64 {
        dot(x, x)
    }
    fn gradient(&mut self, x: &[f64], g: &mut [f64]) {
        for (gi, xi) in g.iter_mut().zip(x) {
            *gi = 2.0 * xi;
        }
    }
}

#[test]
fn harness_runs_every_method_on_every_problem_and_serialises() {
    let methods = vec![
        Method::new("Newton", || Box::new(Newton::safeguarded())),
        Method::new("L-BFGS", || Box::new(Lbfgs::new(5).unwrap())),
    ];
    let mut problems = vec![
        Problem::new(Box::new(mgh::rosenbrock()), vec![-1.2, 1.0], 0.0).unwrap(),
        Problem::new(Box::new(Sphere), vec![1.0, 2.0, 3.0], 0.0).unwrap(),
    ];
    let mut tick = 0.0;
    let clock = std::cell::Cell::new(0.0);
    let c = || {
        clock.set(clock.get() + 0.5);
        clock.get()
    };
    tick += 1.0;
    let table = compare(&methods, &mut problems, &rules(500), 1e-8, Some(&c)).unwrap();
    assert_eq!(table.rows.len(), 4);
    assert!(
        table.rows[1].termination.starts_with("error:")
            && table.rows[1].termination.contains("the Hessian")
    );
    assert!(table.rows[0].reached && table.rows[2].reached && table.rows[3].reached);
    assert_eq!(table.rows[0].wall_time_seconds, 0.5 * tick);
    assert_eq!(table.success_rate("L-BFGS"), 1.0);
    assert_eq!(table.failures().count(), 1);
    let json = serde_json::to_string(&table).unwrap();
    let back: crate::harness::ComparisonTable = serde_json::from_str(&json).unwrap();
    assert_eq!(back.rows.len(), 4);
    assert!(
        table
            .render_markdown()
            .contains("| Newton | Rosenbrock (MGH 1) |")
    );
}

// ---------- bad input ----------

#[test]
fn bad_input_is_rejected_with_the_value_named() {
    let msg = |e: descent_core::Error| e.to_string();
    let e = msg(Lbfgs::new(0).unwrap_err());
    assert!(e.contains("memory m") && e.contains("got 0"), "{e}");
    let e = msg(Newton::new(
        1.0,
        IndefiniteHessian::LevenbergMarquardt {
            initial_damping: -0.5,
        },
    )
    .unwrap_err());
    assert!(e.contains("damping") && e.contains("-0.5"), "{e}");
    let e = msg(LevenbergMarquardt::new(mgh::rosenbrock(), -2.0).unwrap_err());
    assert!(e.contains("τ") && e.contains("-2"), "{e}");
    for radius in [0.0, -1.0] {
        let e = msg(TrustRegion::dogleg(radius).unwrap_err());
        assert!(e.contains("Δ₀") && e.contains(&radius.to_string()), "{e}");
    }
    for forcing in [0.0, 1.0, 1.5] {
        let e = msg(HessianFree::new(forcing).unwrap_err());
        assert!(
            e.contains("forcing") && e.contains(&forcing.to_string()),
            "{e}"
        );
        let e = msg(TrustRegion::steihaug(1.0, forcing).unwrap_err());
        assert!(
            e.contains("forcing") && e.contains(&forcing.to_string()),
            "{e}"
        );
    }
    let e = msg(Newton::new(0.0, IndefiniteHessian::Fail).unwrap_err());
    assert!(e.contains("η") && e.contains('0'), "{e}");
    // A Hessian of the wrong size for the gradient.
    let h = Mat::<f64>::identity(3, 3);
    let e = msg(certify_dense(&[0.0, 0.0], h.as_ref(), 1e-8).unwrap_err());
    assert!(e.contains("3×3") && e.contains("length 2"), "{e}");
    let e = msg(DenseOperator::new(Mat::<f64>::zeros(2, 3).as_ref()).unwrap_err());
    assert!(e.contains("2×3"), "{e}");
    // A least-squares problem that is not the objective's.
    let mut obj = mgh::rosenbrock();
    let e = msg(minimize(
        &mut obj,
        &mut GaussNewton::new(mgh::helical_valley()),
        &[-1.2, 1.0],
        &rules(5),
    )
    .unwrap_err());
    assert!(e.contains("n = 3") && e.contains("dimension 2"), "{e}");
}

/// A user objective whose Hessian is not symmetric: Newton reports it.
struct Lopsided;
impl Objective for Lopsided {
    fn dim(&self) -> usize {
        2
    }
    fn value(&mut self, x: &[f64]) -> f64 {
        dot(x, x)
    }
    fn gradient(&mut self, x: &[f64], g: &mut [f64]) {
        g[0] = 2.0 * x[0];
        g[1] = 2.0 * x[1];
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            hessian: true,
            hessian_vector_product: false,
        }
    }
    fn hessian(&mut self, _x: &[f64], mut h: MatMut<'_, f64>) -> Result<(), descent_core::Error> {
        h[(0, 0)] = 2.0;
        h[(1, 1)] = 2.0;
        h[(0, 1)] = 1.0;
        h[(1, 0)] = 0.0;
        Ok(())
    }
}

#[test]
fn a_malformed_user_hessian_is_an_error_naming_the_entries() {
    let e = minimize(&mut Lopsided, &mut Newton::pure(), &[1.0, 1.0], &rules(3))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("not symmetric") && e.contains("1e0") || e.contains('1'),
        "{e}"
    );
}
