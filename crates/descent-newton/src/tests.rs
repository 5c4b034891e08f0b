//! Unit tests of descent-newton against closed forms and hand-derived values.

use descent_core::{
    Capabilities, Evaluator, FailureReason, Objective, Optimizer, StoppingRules, Termination,
    Trace, analysis, minimize, minimize_with,
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
    self, PointKind, SpectrumEnd, certify, certify_dense, classify_eigenvalues, dense_eigenvalues,
    extreme_eigenvalues, hutchinson_diagonal, hutchinson_trace, lanczos, power_iteration,
    spectral_density, spectrum_ends,
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
        } => assert!(reason.message().contains("pivot 1"), "{reason}"),
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
    // Some step was rejected (ρ ≤ 0), and exactly those left x where it was.
    let rejected: Vec<usize> = trace
        .records
        .iter()
        .filter(|r| r.diagnostics.rejected)
        .map(|r| r.iteration)
        .collect();
    assert!(!rejected.is_empty(), "no step was rejected");
    for r in trace.records.iter().skip(1) {
        let rho = r.diagnostics.gain_ratio.unwrap();
        assert_eq!(
            r.diagnostics.rejected,
            rho.is_nan() || rho <= 0.0,
            "ρ = {rho}"
        );
        if r.diagnostics.rejected {
            assert_eq!(r.step_norm, 0.0);
        }
    }
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

#[test]
fn diagonal_newton_with_a_provided_diagonal_steps_by_it_and_reports_its_errors() {
    // f = ½ Σ a_i (x_i − c_i)², a = (1, 10, 100): the provided diagonal a gives
    // x − ∇f/a = c in one step; a half-size diagonal a/2 with η = 1/2 is the same step.
    let a = [1.0, 10.0, 100.0];
    let c = [1.0, -2.0, 3.0];
    // Quadratic's f = ½xᵀAx + bᵀx, so b = −A c.
    let b: Vec<f64> = a.iter().zip(&c).map(|(ai, ci)| -ai * ci).collect();
    for (eta, factor) in [(1.0, 1.0), (0.5, 0.5)] {
        let mut q = Quadratic::diagonal(&a, &b, 0.0).unwrap();
        let diagonal = move |_x: &[f64], d: &mut [f64]| {
            d.iter_mut().zip(&a).for_each(|(di, ai)| *di = factor * ai);
            Ok(())
        };
        let mut opt = DiagonalNewton::with_diagonal(eta, 1e-8, diagonal).unwrap();
        assert!(!opt.requirements().hessian);
        assert!(opt.name().contains("provided"), "{}", opt.name());
        let mut copy = opt.clone();
        for method in [&mut opt, &mut copy] {
            let run = minimize(&mut q, method, &[5.0, 5.0, 5.0], &rules(1)).unwrap();
            assert!(
                run.x.iter().zip(&c).all(|(x, ci)| (x - ci).abs() < 1e-14),
                "{:?}",
                run.x
            );
            assert_eq!(run.counts.hessian, 0);
        }
    }
    // A failing diagonal's error ends the run as a step error (issue 15,
    // item 1: never an `Err` past the start), keeping x₀ and its counts.
    let mut q = Quadratic::diagonal(&a, &b, 0.0).unwrap();
    let failing = |_x: &[f64], _d: &mut [f64]| {
        Err(descent_core::Error::invalid(
            "user diagonal",
            "no curvature here",
        ))
    };
    let mut opt = DiagonalNewton::with_diagonal(1.0, 1e-8, failing).unwrap();
    let run = minimize(&mut q, &mut opt, &[5.0, 5.0, 5.0], &rules(3)).unwrap();
    assert_eq!(
        run.termination,
        Termination::Failed {
            iteration: 1,
            reason: FailureReason::StepError("user diagonal: no curvature here".into())
        }
    );
    assert_eq!((run.x, run.iterations), (vec![5.0, 5.0, 5.0], 0));
    // A NaN entry stops before x moves.
    let nan = |_x: &[f64], d: &mut [f64]| {
        d.fill(1.0);
        d[1] = f64::NAN;
        Ok(())
    };
    let mut opt = DiagonalNewton::with_diagonal(1.0, 1e-8, nan).unwrap();
    let run = minimize(&mut q, &mut opt, &[5.0, 5.0, 5.0], &rules(3)).unwrap();
    assert_eq!(run.x, vec![5.0, 5.0, 5.0]);
    let ok = |_x: &[f64], _d: &mut [f64]| Ok(());
    let err = DiagonalNewton::with_diagonal(0.0, 1e-8, ok)
        .unwrap_err()
        .to_string();
    assert!(err.contains("η must be"), "{err}");
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
    let smooth = density.smoothed(&[-1.0, 7.0, 20.0], 0.1).unwrap();
    assert!(smooth[0] > 0.1 && smooth[1] > 0.1 && smooth[2] < 1e-100);
    let t = lanczos(&mut op, &[1.0; 5], 3).unwrap();
    assert_eq!(t.alpha.len(), 3);
}

#[test]
fn classification_counts_signs() {
    let c = classify_eigenvalues(&[-1.0, 0.0, 2.0], 1e-8).unwrap();
    assert_eq!(
        (c.kind, c.positive, c.negative, c.near_zero),
        (PointKind::Saddle, 1, 1, 1)
    );
    assert_eq!(
        classify_eigenvalues(&[1.0, 2.0], 1e-8).unwrap().kind,
        PointKind::Minimum
    );
    assert_eq!(
        classify_eigenvalues(&[-1.0, -2.0], 1e-8).unwrap().kind,
        PointKind::Maximum
    );
    assert_eq!(
        classify_eigenvalues(&[1e-10, 2.0], 1e-8).unwrap().kind,
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

/// A user objective whose Hessian is not symmetric: [[2, 1], [0, 2]] where the
/// true Hessian of `xᵀx` is 2I (issue 15, item 4).
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
fn an_asymmetric_user_hessian_is_symmetrised_and_recorded() {
    // ½(H + Hᵀ) = [[2, ½], [½, 2]]; from x₀ = (1, 1), ∇f = (2, 2) and
    // H_sym (1, 1) = (5/2)(1, 1), so the Newton step is −(4/5)(1, 1): x₁ = (0.2, 0.2).
    let mut trace = Trace::new();
    let run = minimize_with(
        &mut Lopsided,
        &mut Newton::pure(),
        &[1.0, 1.0],
        &rules(1),
        &mut [&mut trace],
    )
    .unwrap();
    assert_eq!(run.termination, Termination::MaxIterations);
    assert!(
        (run.x[0] - 0.2).abs() < 1e-15 && (run.x[1] - 0.2).abs() < 1e-15,
        "{:?}",
        run.x
    );
    assert!(trace.records[1].diagnostics.symmetrized);
    // An exactly symmetric Hessian is left alone and not recorded.
    let mut q = Quadratic::from_eigenvalues(&[1.0, 3.0], 2).unwrap();
    let mut trace = Trace::new();
    minimize_with(
        &mut q,
        &mut Newton::pure(),
        &[1.0, 1.0],
        &rules(1),
        &mut [&mut trace],
    )
    .unwrap();
    assert!(!trace.records[1].diagnostics.symmetrized);
}

// ---------- review follow-ups ----------

/// `f(x) = ½ Σ d_i x_i²`: `∇f = d ⊙ x`, `∇²f = diag(d)` (dense when `dense`,
/// otherwise only Hessian-vector products `d ⊙ v`). Any sign of d.
struct DiagonalObjective {
    d: Vec<f64>,
    dense: bool,
}

impl Objective for DiagonalObjective {
    fn name(&self) -> String {
        format!("diagonal quadratic (n = {})", self.d.len())
    }
    fn dim(&self) -> usize {
        self.d.len()
    }
    fn value(&mut self, x: &[f64]) -> f64 {
        0.5 * self.d.iter().zip(x).map(|(d, x)| d * x * x).sum::<f64>()
    }
    fn gradient(&mut self, x: &[f64], g: &mut [f64]) {
        for ((gi, d), xi) in g.iter_mut().zip(&self.d).zip(x) {
            *gi = d * xi;
        }
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            hessian: self.dense,
            hessian_vector_product: true,
        }
    }
    fn hessian(&mut self, _x: &[f64], mut h: MatMut<'_, f64>) -> Result<(), descent_core::Error> {
        h.fill(0.0);
        for (i, d) in self.d.iter().enumerate() {
            h[(i, i)] = *d;
        }
        Ok(())
    }
    fn hessian_vector_product(
        &mut self,
        _x: &[f64],
        v: &[f64],
        out: &mut [f64],
    ) -> Result<(), descent_core::Error> {
        for ((o, d), vi) in out.iter_mut().zip(&self.d).zip(v) {
            *o = d * vi;
        }
        Ok(())
    }
}

/// d = (−5, 0.5 + i/n …, 10): both ends well separated from a cluster in [0.5, 1.5].
fn separated_diagonal(n: usize) -> Vec<f64> {
    let mut d: Vec<f64> = (0..n).map(|i| 0.5 + i as f64 / n as f64).collect();
    d[0] = -5.0;
    d[n - 1] = 10.0;
    d
}

#[test]
fn lanczos_stores_only_the_steps_it_takes_and_both_ends_come_from_one_run() {
    // n = 10⁵ with max_steps = n: a basis allocated up front would be n² = 80 GB.
    // The ends −5 and 10 are separated from the cluster [0.5, 1.5], so a few dozen steps do.
    let n = 100_000;
    let d = separated_diagonal(n);
    let mut op = FnOperator::new(n, |v: &[f64], out: &mut [f64]| {
        for ((o, di), vi) in out.iter_mut().zip(&d).zip(v) {
            *o = di * vi;
        }
    });
    let top = extreme_eigenvalues(&mut op, 1, SpectrumEnd::Largest, 1e-10, n, 5).unwrap();
    let bottom = extreme_eigenvalues(&mut op, 1, SpectrumEnd::Smallest, 1e-10, n, 5).unwrap();
    assert!(top.converged && bottom.converged);
    assert!((top.values[0] - 10.0).abs() < 1e-9, "{:?}", top.values);
    assert!((bottom.values[0] + 5.0).abs() < 1e-9, "{:?}", bottom.values);
    assert!(top.iterations < 100 && bottom.iterations < 100);
    // One run for both ends, from the same seed: the same Krylov sequence, stopped when
    // the slower end converged.
    let (low, high) = spectrum_ends(&mut op, 1, 1e-10, n, 5).unwrap();
    assert!((low.values[0] - bottom.values[0]).abs() < 1e-12);
    assert!((high.values[0] - top.values[0]).abs() < 1e-12);
    assert_eq!(
        low.iterations,
        top.iterations.max(bottom.iterations),
        "one run costs the slower end's steps"
    );
    assert_eq!(high.iterations, low.iterations);
}

#[test]
fn certify_on_hessian_vector_products_caps_the_steps_and_runs_lanczos_once() {
    let n = 100_000;
    let d = separated_diagonal(n);
    let mut obj = DiagonalObjective {
        d: d.clone(),
        dense: false,
    };
    let x = vec![0.0; n];
    let mut eval = Evaluator::new(&mut obj);
    let cert = certify(&mut eval, &x, 1e-8, 9).unwrap();
    // At x = 0: ∇f = 0, λ_min = −5, λ_max = 10: a saddle; the certificate fails.
    assert_eq!(cert.classification.kind, PointKind::Saddle);
    assert!((cert.lambda_min + 5.0).abs() < 1e-8, "{}", cert.lambda_min);
    assert!(!cert.holds);
    // The Hessian-vector products are those of one Lanczos run (same seed, same operator).
    let mut op = FnOperator::new(n, |v: &[f64], out: &mut [f64]| {
        for ((o, di), vi) in out.iter_mut().zip(&d).zip(v) {
            *o = di * vi;
        }
    });
    let (low, _) = spectrum_ends(
        &mut op,
        1,
        1e-8,
        n.min(spectrum::CERTIFY_MAX_LANCZOS_STEPS),
        9,
    )
    .unwrap();
    assert_eq!(eval.counts().hessian_vector_product, low.iterations);
    assert!(low.iterations <= spectrum::CERTIFY_MAX_LANCZOS_STEPS);
}

#[test]
fn lanczos_reports_a_non_finite_product_and_too_few_distinct_eigenvalues() {
    // The operator returns NaN from its second application on.
    let mut calls = 0;
    let mut op = FnOperator::new(4, |v: &[f64], out: &mut [f64]| {
        calls += 1;
        for (i, (o, vi)) in out.iter_mut().zip(v).enumerate() {
            *o = if calls >= 2 {
                f64::NAN
            } else {
                (i + 1) as f64 * vi
            };
        }
    });
    assert_eq!(
        extreme_eigenvalues(&mut op, 1, SpectrumEnd::Largest, 1e-10, 4, 0)
            .unwrap_err()
            .to_string(),
        "Lanczos: step 2: the operator's product gave α = qᵀAq = NaN (not finite)"
    );
    // The identity: every start vector is an eigenvector, the Krylov space is invariant
    // after one step, and three eigenvalues cannot be told apart.
    let mut identity = FnOperator::new(5, |v: &[f64], out: &mut [f64]| out.copy_from_slice(v));
    assert_eq!(
        extreme_eigenvalues(&mut identity, 3, SpectrumEnd::Largest, 1e-10, 5, 0)
            .unwrap_err()
            .to_string(),
        "Lanczos extreme eigenvalues: k = 3 eigenvalues asked, but the Krylov space of the start \
         vector is invariant at dimension 1: only 1 distinct eigenvalues are visible from it \
         (single-vector Lanczos cannot resolve repeated eigenvalues); ask for k ≤ 1"
    );
    let one = extreme_eigenvalues(&mut identity, 1, SpectrumEnd::Largest, 1e-10, 5, 0).unwrap();
    assert_eq!(
        (one.values, one.iterations, one.converged),
        (vec![1.0], 1, true)
    );
}

#[test]
fn spectrum_tools_reject_bad_widths_and_tolerances() {
    let density = crate::spectrum::SpectralDensity {
        nodes: vec![1.0],
        weights: vec![1.0],
        applications: 1,
    };
    for (sigma, shown) in [(0.0, "0"), (-1.0, "-1"), (f64::NAN, "NaN")] {
        assert_eq!(
            density.smoothed(&[1.0], sigma).unwrap_err().to_string(),
            format!("smoothed spectral density: width σ must be finite and > 0, got {shown}")
        );
    }
    // σ = 1 at the node: 1/√(2π).
    let at_node = density.smoothed(&[1.0], 1.0).unwrap()[0];
    assert!((at_node - 1.0 / (2.0 * std::f64::consts::PI).sqrt()).abs() < 1e-16);
    assert_eq!(
        classify_eigenvalues(&[1.0], -1.0).unwrap_err().to_string(),
        "classify eigenvalues: tolerance must be finite and ≥ 0, got -1"
    );
    assert_eq!(
        classify_eigenvalues(&[1.0], f64::NAN)
            .unwrap_err()
            .to_string(),
        "classify eigenvalues: tolerance must be finite and ≥ 0, got NaN"
    );
    assert_eq!(
        classify_eigenvalues(&[1.0, f64::NAN], 0.0)
            .unwrap_err()
            .to_string(),
        "classify eigenvalues: eigenvalue 1 is NaN"
    );
}

#[test]
fn powell_damping_fires_whenever_s_y_is_below_a_fifth_of_s_b_s() {
    // The factor: sᵀy = 1, sᵀBs = 10 gives θ = 0.8·10/(10 − 1) = 8/9, and
    // sᵀr = θ·1 + (1 − θ)·10 = 8/9 + 10/9 = 2 = 0.2·10. No damping at sᵀy ≥ 2.
    assert!((powell_damping_factor(1.0, 10.0) - 8.0 / 9.0).abs() < 1e-16);
    assert_eq!(powell_damping_factor(2.0, 10.0), 1.0);
    assert_eq!(powell_damping_factor(-1.0, 0.0), 1.0);

    // BFGS on f = ½(0.1 x² + 0.05 y²) from (1, 1): the first step is α p with p = −g₀
    // (H = I, so B s = s = −α g₀) and sᵀy = α² g₀ᵀA g₀ ≪ 0.2 α² ‖g₀‖² since A ≤ 0.1 and
    // α ≤ 2 under the strong Wolfe conditions here. sᵀy > 0, so the old "damp only when
    // the curvature condition fails" rule never damped.
    let a = [0.1, 0.05];
    let x0 = [1.0, 1.0];
    let g0 = [a[0] * x0[0], a[1] * x0[1]];
    let mut obj = DiagonalObjective {
        d: a.to_vec(),
        dense: true,
    };
    let mut trace = Trace::new();
    let mut damped = QuasiNewton::new(QuasiNewtonUpdate::Bfgs, CurvatureSafeguard::PowellDamping);
    let one_step = StoppingRules::default()
        .max_iterations(1)
        .gradient_tolerance(None);
    minimize_with(&mut obj, &mut damped, &x0, &one_step, &mut [&mut trace]).unwrap();
    let diag = &trace.records[1].diagnostics;
    assert_eq!(diag.fallback, Some("Powell damping"));
    let alpha = diag.learning_rate.unwrap();
    let s = [-alpha * g0[0], -alpha * g0[1]];
    let y = [a[0] * s[0], a[1] * s[1]];
    let bs = s; // B = I on the first step.
    let (sy, sbs) = (dot(&s, &y), dot(&s, &bs));
    assert!(sy > 0.0 && sy < 0.2 * sbs, "sᵀy = {sy}, sᵀBs = {sbs}");
    let theta = 0.8 * sbs / (sbs - sy);
    let r = [
        theta * y[0] + (1.0 - theta) * bs[0],
        theta * y[1] + (1.0 - theta) * bs[1],
    ];
    assert!((dot(&s, &r) - 0.2 * sbs).abs() <= 1e-14 * sbs);
    // The update used r: the new H satisfies the secant equation H r = s, not H y = s.
    let mut hr = [0.0; 2];
    matvec(damped.approximation().as_ref(), &r, &mut hr);
    assert!(
        (hr[0] - s[0]).abs() <= 1e-12 * s[0].abs() && (hr[1] - s[1]).abs() <= 1e-12 * s[1].abs(),
        "H r = {hr:?}, s = {s:?}"
    );
    // Skipping instead leaves y alone: H y = s.
    let mut plain = QuasiNewton::bfgs();
    let mut trace = Trace::new();
    minimize_with(&mut obj, &mut plain, &x0, &one_step, &mut [&mut trace]).unwrap();
    let diag = &trace.records[1].diagnostics;
    assert_eq!((diag.fallback, diag.skipped_update), (None, false));
    matvec(plain.approximation().as_ref(), &y, &mut hr);
    assert!((hr[0] - s[0]).abs() <= 1e-12 * s[0].abs());
}

#[test]
fn gauss_newton_products_and_jacobians_are_counted() {
    // Hessian-free Gauss–Newton: one counted G v per CG iteration.
    let a = Mat::from_fn(6, 3, |i, j| ((i + 2 * j) % 5) as f64 - 1.5);
    let b: Vec<f64> = (0..6).map(|i| i as f64 * 0.3 - 1.0).collect();
    struct Linear {
        a: Mat<f64>,
        b: Vec<f64>,
    }
    impl Objective for Linear {
        fn dim(&self) -> usize {
            3
        }
        fn value(&mut self, x: &[f64]) -> f64 {
            let mut r = vec![0.0; 6];
            matvec(self.a.as_ref(), x, &mut r);
            r.iter().zip(&self.b).map(|(a, b)| (a - b) * (a - b)).sum()
        }
        fn gradient(&mut self, x: &[f64], g: &mut [f64]) {
            let mut r = vec![0.0; 6];
            matvec(self.a.as_ref(), x, &mut r);
            for (ri, bi) in r.iter_mut().zip(&self.b) {
                *ri = 2.0 * (*ri - bi);
            }
            descent_linalg::vecmat(&r, self.a.as_ref(), g);
        }
    }
    let aa = a.clone();
    let product = move |_x: &[f64], v: &[f64], out: &mut [f64]| {
        let mut av = vec![0.0; 6];
        matvec(aa.as_ref(), v, &mut av);
        descent_linalg::vecmat(&av, aa.as_ref(), out);
        out.iter_mut().for_each(|o| *o *= 2.0);
        Ok(())
    };
    let mut obj = Linear { a, b };
    let mut trace = Trace::new();
    let mut gncg = HessianFree::gauss_newton(1e-3, product).unwrap();
    let run = minimize_with(
        &mut obj,
        &mut gncg,
        &[0.0; 3],
        &rules(20),
        &mut [&mut trace],
    )
    .unwrap();
    let cg_total: usize = trace
        .records
        .iter()
        .filter_map(|r| r.diagnostics.cg_iterations)
        .sum();
    assert!(cg_total > 0);
    assert_eq!(run.counts.gauss_newton_vector_product, cg_total);
    assert_eq!(run.counts.hessian_vector_product, 0);

    // Gauss–Newton: one Jacobian per step; Levenberg–Marquardt: one in init for λ₀ and
    // one per step.
    let mut obj = mgh::rosenbrock();
    let mut gn = GaussNewton::new(mgh::rosenbrock());
    let run = minimize(&mut obj, &mut gn, &[-1.2, 1.0], &rules(100)).unwrap();
    assert_eq!(run.counts.jacobian, run.iterations);
    assert_eq!(gn.jacobian_evaluations(), run.iterations);
    let mut lm = LevenbergMarquardt::new(mgh::rosenbrock(), 1e-3).unwrap();
    let run = minimize(&mut obj, &mut lm, &[-1.2, 1.0], &rules(100)).unwrap();
    assert_eq!(run.counts.jacobian, run.iterations + 1);
    assert_eq!(lm.jacobian_evaluations(), run.iterations + 1);

    // The harness shows both.
    let methods = vec![Method::new("LM", || {
        Box::new(LevenbergMarquardt::new(mgh::rosenbrock(), 1e-3).unwrap())
    })];
    let mut problems =
        vec![Problem::new(Box::new(mgh::rosenbrock()), vec![-1.2, 1.0], 0.0).unwrap()];
    let table = compare(&methods, &mut problems, &rules(100), 1e-8, None).unwrap();
    let row = &table.rows[0];
    assert_eq!(row.jacobian_evaluations, row.iterations + 1);
    assert_eq!(row.gauss_newton_vector_products, 0);
    let rendered = table.render_markdown();
    assert!(
        rendered.starts_with(
            "| method | problem | iters | f | ∇f | ∇²f | Hv | Gv | J | f − f* | ‖∇f‖ | reached | termination |"
        ),
        "{rendered}"
    );
    assert!(
        rendered.contains(&format!(
            "| LM | Rosenbrock (MGH 1) | {} | {} | {} | 0 | 0 | 0 | {} |",
            row.iterations,
            row.value_evaluations,
            row.gradient_evaluations,
            row.iterations + 1
        )),
        "{rendered}"
    );
    assert_eq!(problems[0].name(), "Rosenbrock (MGH 1)");
    assert_eq!(
        (problems[0].x0(), problems[0].f_star()),
        (&[-1.2, 1.0][..], 0.0)
    );
}

/// `f = Σ x_i²` whose Hessian is NaN: what an overflowing second derivative looks like.
struct NanHessian;
impl Objective for NanHessian {
    fn name(&self) -> String {
        "NaN Hessian".into()
    }
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
            hessian_vector_product: true,
        }
    }
    fn hessian(&mut self, _x: &[f64], mut h: MatMut<'_, f64>) -> Result<(), descent_core::Error> {
        h.fill(0.0);
        h[(0, 0)] = 2.0;
        h[(1, 1)] = f64::NAN;
        Ok(())
    }
    fn hessian_vector_product(
        &mut self,
        _x: &[f64],
        v: &[f64],
        out: &mut [f64],
    ) -> Result<(), descent_core::Error> {
        out[0] = 2.0 * v[0];
        out[1] = f64::NAN * v[1];
        Ok(())
    }
}

#[test]
fn a_non_finite_hessian_at_an_iterate_stops_the_run_and_keeps_its_result() {
    let methods: Vec<(Box<dyn Optimizer>, &str)> = vec![
        (
            Box::new(Newton::pure()),
            "the Hessian at the iterate has entry (1, 1) = NaN",
        ),
        (
            Box::new(Newton::safeguarded()),
            "the Hessian at the iterate has entry (1, 1) = NaN",
        ),
        (
            Box::new(
                Newton::new(
                    1.0,
                    IndefiniteHessian::EigenvalueModification { floor: 1e-8 },
                )
                .unwrap(),
            ),
            "the Hessian at the iterate has entry (1, 1) = NaN",
        ),
        (
            Box::new(TrustRegion::dogleg(1.0).unwrap()),
            "the Hessian at the iterate has entry (1, 1) = NaN",
        ),
        (
            Box::new(DiagonalNewton::new(1.0, 1e-8, DiagonalSource::Exact).unwrap()),
            "Hessian diagonal entry 1 is NaN at the iterate",
        ),
        (
            Box::new(
                DiagonalNewton::new(
                    1.0,
                    1e-8,
                    DiagonalSource::Hutchinson {
                        samples: 2,
                        seed: 1,
                    },
                )
                .unwrap(),
            ),
            "Hessian diagonal entry 1 is NaN at the iterate",
        ),
    ];
    for (mut method, expected) in methods {
        let run = minimize(&mut NanHessian, &mut method, &[1.0, 0.5], &rules(5)).unwrap();
        assert_eq!(
            run.termination,
            Termination::Failed {
                iteration: 1,
                reason: FailureReason::Stopped(expected.to_owned())
            },
            "{}",
            method.name()
        );
        assert_eq!(run.x, vec![1.0, 0.5], "{}", method.name());
    }
}

#[test]
fn a_non_symmetric_hessian_is_symmetrised_by_the_dogleg_too() {
    // Lopsided's Hessian [[2, 1], [0, 2]]: its symmetric part is positive
    // definite, so the dogleg runs to the minimiser 0 of xᵀx.
    let mut trace = Trace::new();
    let run = minimize_with(
        &mut Lopsided,
        &mut TrustRegion::dogleg(1.0).unwrap(),
        &[1.0, 1.0],
        &rules(50),
        &mut [&mut trace],
    )
    .unwrap();
    assert!(run.termination.converged(), "{:?}", run.termination);
    assert!(run.f < 1e-12, "{}", run.f);
    assert!(trace.records[1..].iter().all(|r| r.diagnostics.symmetrized));
}

#[test]
fn lbfgs_applies_the_dense_bfgs_inverse_built_from_the_same_pairs_and_h0() {
    // With m ≥ k the two-loop recursion is exactly the BFGS inverse H_k obtained from
    // H₀ = γ I (γ = sᵀy/yᵀy of the newest pair) by k updates (N&W eq. 6.17), oldest
    // pair first. Pairs from the run's iterates; gradients from the objective.
    let mut q = Quadratic::from_eigenvalues(&[0.5, 1.0, 2.0, 3.0, 5.0, 8.0], 4).unwrap();
    let x0 = [1.0, -2.0, 0.5, 3.0, -1.0, 2.0];
    let k = 4;
    let mut lbfgs = Lbfgs::new(10).unwrap();
    let mut trace = Trace::with_iterates();
    let steps = StoppingRules::default()
        .max_iterations(k)
        .gradient_tolerance(None);
    minimize_with(&mut q, &mut lbfgs, &x0, &steps, &mut [&mut trace]).unwrap();
    assert_eq!(lbfgs.stored_pairs(), k);
    let n = x0.len();
    let grads: Vec<Vec<f64>> = trace
        .iterates
        .iter()
        .map(|x| {
            let mut g = vec![0.0; n];
            q.gradient(x, &mut g);
            g
        })
        .collect();
    let pairs: Vec<(Vec<f64>, Vec<f64>)> = (0..k)
        .map(|i| {
            let s: Vec<f64> = (0..n)
                .map(|j| trace.iterates[i + 1][j] - trace.iterates[i][j])
                .collect();
            let y: Vec<f64> = (0..n).map(|j| grads[i + 1][j] - grads[i][j]).collect();
            (s, y)
        })
        .collect();
    let (s_new, y_new) = &pairs[k - 1];
    let gamma = dot(s_new, y_new) / dot(y_new, y_new);
    let mut h = Mat::from_fn(n, n, |i, j| if i == j { gamma } else { 0.0 });
    let mut work = vec![0.0; n];
    for (s, y) in &pairs {
        bfgs_inverse_update(h.as_mut(), s, y, &mut work);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(8);
    for _ in 0..3 {
        let v = random_vector(&mut rng, n);
        let mut dense = vec![0.0; n];
        matvec(h.as_ref(), &v, &mut dense);
        let mut two_loop = vec![0.0; n];
        lbfgs.apply_inverse_hessian(&v, &mut two_loop);
        let err = dense
            .iter()
            .zip(&two_loop)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(
            err <= 1e-10 * descent_linalg::norm_inf(&dense),
            "error {err:e}: {dense:?} vs {two_loop:?}"
        );
    }
}

#[test]
fn dogleg_and_cauchy_points_match_hand_values() {
    // B = diag(1, 4), x₀ = (4, 1): g = (4, 4), Newton point p_B = −x₀ = (−4, −1) (‖p_B‖ = √17),
    // steepest-descent minimiser p_U = −(gᵀg/gᵀBg) g = −(32/80)(4, 4) = (−1.6, −1.6)
    // (‖p_U‖ = 1.6√2 ≈ 2.26). The model is exact, so ρ = 1 and every step is taken.
    let one_step = |delta: f64, d: &[f64], x0: &[f64]| {
        let mut obj = DiagonalObjective {
            d: d.to_vec(),
            dense: true,
        };
        let mut trace = Trace::with_iterates();
        let mut tr = TrustRegion::dogleg(delta).unwrap();
        let steps = StoppingRules::default()
            .max_iterations(1)
            .gradient_tolerance(None);
        minimize_with(&mut obj, &mut tr, x0, &steps, &mut [&mut trace]).unwrap();
        (
            trace.iterates[1].clone(),
            trace.records[1].diagnostics.clone(),
        )
    };
    let close = |got: &[f64], want: [f64; 2]| {
        assert!(
            (got[0] - want[0]).abs() < 1e-14 && (got[1] - want[1]).abs() < 1e-14,
            "{got:?} vs {want:?}"
        );
    };
    let r = 0.5f64.sqrt();
    // Δ = 1 < ‖p_U‖: along −g to the boundary, p = −(1/√2)(1, 1).
    let (x, d) = one_step(1.0, &[1.0, 4.0], &[4.0, 1.0]);
    close(&x, [4.0 - r, 1.0 - r]);
    assert_eq!((d.fallback, d.rejected), (None, false));
    // Δ = 3: p = p_U + s(p_B − p_U) with p_B − p_U = (−2.4, 0.6) and ‖p‖ = 3:
    // (1.6 + 2.4s)² + (1.6 − 0.6s)² = 9 ⇔ 6.12 s² + 5.76 s − 3.88 = 0,
    // s = (−5.76 + √128.16)/12.24.
    let s = (-5.76 + 128.16f64.sqrt()) / 12.24;
    let (x, _) = one_step(3.0, &[1.0, 4.0], &[4.0, 1.0]);
    close(&x, [4.0 - 1.6 - 2.4 * s, 1.0 - 1.6 + 0.6 * s]);
    // Δ = 5 > √17: the Newton point, the minimiser.
    let (x, _) = one_step(5.0, &[1.0, 4.0], &[4.0, 1.0]);
    close(&x, [0.0, 0.0]);
    // Indefinite B = diag(2, −1), x₀ = (1, 1): g = (2, −1), ‖g‖² = 5, gᵀBg = 8 − 1 = 7.
    // Cauchy point τ = min(1, ‖g‖³/(Δ gᵀBg)): Δ = 10 gives τ = 5√5/70 < 1 and
    // p = −(‖g‖²/gᵀBg) g = (−10/7, 5/7), x₁ = (−3/7, 12/7); Δ = 1 gives τ = 1,
    // p = −g/√5.
    let (x, d) = one_step(10.0, &[2.0, -1.0], &[1.0, 1.0]);
    close(&x, [-3.0 / 7.0, 12.0 / 7.0]);
    assert_eq!(
        d.fallback,
        Some("Cauchy point (Hessian not positive definite)")
    );
    let (x, _) = one_step(1.0, &[2.0, -1.0], &[1.0, 1.0]);
    let root5 = 5f64.sqrt();
    close(&x, [1.0 - 2.0 / root5, 1.0 + 1.0 / root5]);
}

#[test]
fn backtracks_count_rejected_line_search_trials_in_every_method() {
    // In a step with one line search and no fallback, every value evaluation is one trial
    // point (strong Wolfe, Armijo), so rejected trials = value evaluations in the step − 1,
    // read off the evaluator's counts.
    let methods: Vec<Box<dyn Optimizer>> = vec![
        Box::new(QuasiNewton::bfgs()),
        Box::new(Lbfgs::new(5).unwrap()),
        Box::new(Newton::safeguarded()),
        Box::new(HessianFree::new(0.5).unwrap()),
    ];
    for mut method in methods {
        let mut obj = mgh::rosenbrock();
        let mut trace = Trace::new();
        minimize_with(
            &mut obj,
            &mut method,
            &[-1.2, 1.0],
            &rules(200),
            &mut [&mut trace],
        )
        .unwrap();
        let mut some_rejected = false;
        for w in trace.records.windows(2) {
            let d = &w[1].diagnostics;
            if d.fallback.is_some() {
                continue;
            }
            let values = w[1].counts.value - w[0].counts.value;
            let backtracks = d
                .backtracks
                .expect("a line-search method records backtracks");
            assert_eq!(
                backtracks,
                values - 1,
                "{} at step {}",
                method.name(),
                w[1].iteration
            );
            some_rejected |= backtracks > 0;
        }
        assert!(
            some_rejected,
            "{}: no trial was ever rejected",
            method.name()
        );
    }
}

#[test]
fn fixed_damping_contracts_each_eigendirection_by_lambda_over_lambda_i_plus_lambda() {
    // E = ½(w₁² + 3w₂²), w* = 0, λ = 1: (H + λI)⁻¹∇E = (w₁/2, 3w₂/4), so
    // w₁ ← w₁/2 and w₂ ← w₂/4 exactly: ratios λ/(1 + λ) = ½ and λ/(3 + λ) = ¼.
    let mut q = Quadratic::diagonal(&[1.0, 3.0], &[0.0, 0.0], 0.0).unwrap();
    let mut newton = Newton::new(1.0, IndefiniteHessian::FixedDamping { lambda: 1.0 }).unwrap();
    let mut trace = Trace::with_iterates();
    let rules = StoppingRules::default()
        .gradient_tolerance(None)
        .max_iterations(10);
    minimize_with(&mut q, &mut newton, &[1.0, 1.0], &rules, &mut [&mut trace]).unwrap();
    // (to rounding: the Cholesky solve divides by √2·√2, not by 2).
    for (k, x) in trace.iterates.iter().enumerate() {
        let expect = [0.5f64.powi(k as i32), 0.25f64.powi(k as i32)];
        for (xi, ei) in x.iter().zip(expect) {
            assert!((xi / ei - 1.0).abs() < 1e-14, "k = {k}: {x:?}");
        }
    }
    assert!(
        trace.records[1..]
            .iter()
            .all(|r| r.diagnostics.damping == Some(1.0))
    );
}

#[test]
fn fixed_damping_too_small_for_an_indefinite_hessian_stops_naming_lambda() {
    // Saddle x² − y²: H = diag(2, −2); H + ½I = diag(2.5, −1.5) is not PD.
    let mut saddle = SurfaceObjective(Saddle);
    let mut newton = Newton::new(1.0, IndefiniteHessian::FixedDamping { lambda: 0.5 }).unwrap();
    let r = minimize(
        &mut saddle,
        &mut newton,
        &[1.0, 1.0],
        &StoppingRules::default(),
    )
    .unwrap();
    assert_eq!(
        r.termination,
        Termination::Failed {
            iteration: 1,
            reason: FailureReason::Stopped(
                "H + λI with λ = 0.5 is not positive definite (Cholesky pivot 1 is not positive)"
                    .into()
            )
        }
    );
    assert_eq!(
        Newton::new(1.0, IndefiniteHessian::FixedDamping { lambda: -1.0 })
            .unwrap_err()
            .to_string(),
        "Newton: damping λ must be finite and ≥ 0, got -1"
    );
}

#[test]
fn levenberg_marquardt_stays_put_at_a_minimum_instead_of_overflowing_lambda() {
    // Once x = x* to working precision the model predicts no decrease (0/0 gain
    // ratio). Rejecting such steps doubled λ until it overflowed after ~50
    // steps; now the run keeps going at the minimum with λ unchanged.
    let mut q = Quadratic::diagonal(&[1.0, 3.0], &[0.0, 0.0], 0.0).unwrap();
    let mut newton = Newton::new(
        1.0,
        IndefiniteHessian::LevenbergMarquardt {
            initial_damping: 1.0,
        },
    )
    .unwrap();
    let mut trace = Trace::new();
    let rules = StoppingRules::default()
        .gradient_tolerance(None)
        .max_iterations(300);
    let r = minimize_with(&mut q, &mut newton, &[1.0, 1.0], &rules, &mut [&mut trace]).unwrap();
    assert_eq!(r.termination, Termination::MaxIterations);
    assert_eq!(r.f, 0.0);
    let last = trace.records.last().unwrap().diagnostics.damping.unwrap();
    assert!(last.is_finite() && last < 1.0, "λ = {last}");
}
