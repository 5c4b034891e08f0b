//! Unit tests of descent-linalg: products against hand-computed values, shape
//! errors and their messages, and the factorisations against closed forms.

use crate::*;

fn mat(rows: &[&[f64]]) -> Mat<f64> {
    Mat::from_fn(rows.len(), rows[0].len(), |i, j| rows[i][j])
}

fn assert_close(a: &[f64], b: &[f64], tol: f64) {
    assert_eq!(a.len(), b.len());
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert!(
            (x - y).abs() <= tol * (1.0 + y.abs()),
            "entry {i}: {x} vs {y}"
        );
    }
}

// A = [[1, 2, 3], [4, 5, 6]] (2×3).
fn a23() -> Mat<f64> {
    mat(&[&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]])
}

#[test]
fn matvec_and_vecmat_follow_the_lecture_conventions() {
    let a = a23();
    let mut y = [0.0; 2];
    // A x with x = (1, 0, −1): (1 − 3, 4 − 6) = (−2, −2).
    matvec(a.as_ref(), &[1.0, 0.0, -1.0], &mut y);
    assert_eq!(y, [-2.0, -2.0]);
    // y ← y + 2 A x = (−6, −6).
    matvec_add(2.0, a.as_ref(), &[1.0, 0.0, -1.0], &mut y);
    assert_eq!(y, [-6.0, -6.0]);
    // g A with the row g = (1, −1): (1 − 4, 2 − 5, 3 − 6) = (−3, −3, −3).
    let mut r = [0.0; 3];
    vecmat(&[1.0, -1.0], a.as_ref(), &mut r);
    assert_eq!(r, [-3.0, -3.0, -3.0]);
    vecmat_add(-1.0, &[1.0, -1.0], a.as_ref(), &mut r);
    assert_eq!(r, [0.0, 0.0, 0.0]);
}

#[test]
fn matmul_outer_dot_norms_axpy() {
    let a = a23();
    let mut c = Mat::zeros(2, 2);
    // A Aᵀ = [[14, 32], [32, 77]].
    matmul(c.as_mut(), a.as_ref(), a.as_ref().transpose());
    assert_eq!(
        (c[(0, 0)], c[(0, 1)], c[(1, 0)], c[(1, 1)]),
        (14.0, 32.0, 32.0, 77.0)
    );
    matmul_add(-1.0, c.as_mut(), a.as_ref(), a.as_ref().transpose());
    assert_eq!(norm_inf(&[c[(0, 0)], c[(0, 1)], c[(1, 0)], c[(1, 1)]]), 0.0);

    let o = outer(&[1.0, 2.0], &[3.0, 4.0, 5.0]);
    assert_eq!((o.nrows(), o.ncols()), (2, 3));
    assert_eq!((o[(1, 2)], o[(0, 1)]), (10.0, 4.0));

    assert_eq!(dot(&[1.0, 2.0, 3.0], &[4.0, -5.0, 6.0]), 12.0);
    assert_eq!(norm_1(&[3.0, -4.0]), 7.0);
    assert_eq!(norm_2(&[3.0, -4.0]), 5.0);
    assert_eq!(norm_inf(&[3.0, -4.0]), 4.0);
    // The scaled 2-norm neither overflows nor underflows.
    assert!((norm_2(&[3e200, 4e200]) / 5e200 - 1.0).abs() < 1e-15);
    assert!((norm_2(&[3e-200, 4e-200]) / 5e-200 - 1.0).abs() < 1e-15);

    let mut y = [1.0, 1.0];
    axpy(2.0, &[1.0, -1.0], &mut y);
    assert_eq!(y, [3.0, -1.0]);
    scale(0.5, &mut y);
    assert_eq!(y, [1.5, -0.5]);
    let mut d = [0.0; 2];
    sub(&[1.0, 1.0], &y, &mut d);
    assert_eq!(d, [-0.5, 1.5]);
}

#[test]
fn shape_errors_name_the_operation_and_both_shapes() {
    let check = |op, l, r, expect: &str| {
        assert_eq!(check_shapes(op, l, r).unwrap_err().to_string(), expect);
    };
    check(
        Op::VecMat,
        Shape::row(5),
        Shape::new(3, 4),
        "vecmat: row vector is 1×5, matrix is 3×4",
    );
    check(
        Op::MatVec,
        Shape::new(3, 4),
        Shape::col(5),
        "matvec: matrix is 3×4, column vector is 5×1",
    );
    check(
        Op::MatMul,
        Shape::new(2, 3),
        Shape::new(2, 3),
        "matmul: left matrix is 2×3, right matrix is 2×3",
    );
    check(
        Op::Elementwise,
        Shape::col(2),
        Shape::col(3),
        "elementwise: left operand is 2×1, right operand is 3×1",
    );
    let e = check_shapes(Op::MatVec, Shape::new(3, 5), Shape::col(4))
        .unwrap_err()
        .in_context("layer 2");
    assert_eq!(
        e.to_string(),
        "layer 2: matvec: matrix is 3×5, column vector is 4×1"
    );
    assert_eq!(
        check_shapes(Op::MatMul, Shape::new(2, 3), Shape::new(3, 7)),
        Ok(Shape::new(2, 7))
    );
    assert_eq!(
        check_shapes(Op::Outer, Shape::col(2), Shape::row(7)),
        Ok(Shape::new(2, 7))
    );
}

#[test]
fn product_with_wrong_shapes_panics_with_the_check_message() {
    let result = std::panic::catch_unwind(|| {
        let a = Mat::<f64>::zeros(3, 4);
        let mut r = [0.0; 4];
        vecmat(&[1.0; 5], a.as_ref(), &mut r);
    });
    let payload = result.unwrap_err();
    let msg = payload.downcast_ref::<String>().unwrap();
    assert_eq!(msg, "vecmat: row vector is 1×5, matrix is 3×4");
}

// A = [[4, 2], [2, 3]]: eigenvalues (7 ± √17)/2, det 8.
fn spd2() -> Mat<f64> {
    mat(&[&[4.0, 2.0], &[2.0, 3.0]])
}

#[test]
fn cholesky_solves_and_reports_log_det() {
    let a = spd2();
    // A x = (2, 1): x = A⁻¹ b = (1/8)[[3, −2], [−2, 4]] (2, 1) = (4/8, 0) = (0.5, 0).
    let x = solve_spd(a.as_ref(), &[2.0, 1.0]).unwrap();
    assert_close(&x, &[0.5, 0.0], 1e-15);
    let chol = Cholesky::factor(a.as_ref()).unwrap();
    assert!((chol.log_det() - 8f64.ln()).abs() < 1e-14);
    // L = [[2, 0], [1, √2]].
    assert_close(
        &[chol.l()[(0, 0)], chol.l()[(1, 0)], chol.l()[(1, 1)]],
        &[2.0, 1.0, 2f64.sqrt()],
        1e-15,
    );
    assert!(matches!(chol.solve(&[1.0]), Err(LinalgError::Shape(_))));
}

#[test]
fn cholesky_of_an_indefinite_matrix_is_an_error_naming_the_pivot() {
    // [[1, 2], [2, 1]] has eigenvalues 3 and −1; the second pivot is 1 − 4 = −3.
    let a = mat(&[&[1.0, 2.0], &[2.0, 1.0]]);
    let err = Cholesky::factor(a.as_ref()).unwrap_err();
    assert_eq!(
        err,
        LinalgError::NotPositiveDefinite {
            op: "cholesky",
            pivot: 1
        }
    );
    assert_eq!(
        err.to_string(),
        "cholesky: matrix is not positive definite (Cholesky pivot 1 is not positive)"
    );
    assert!(!Cholesky::is_positive_definite(a.as_ref()));
}

#[test]
fn malformed_matrices_are_errors() {
    let ns = mat(&[&[1.0, 2.0], &[0.0, 1.0]]);
    assert_eq!(
        Cholesky::factor(ns.as_ref()).unwrap_err().to_string(),
        "cholesky: matrix is not symmetric: a[1,0] = 0e0 but a[0,1] = 2e0"
    );
    let rect = Mat::<f64>::zeros(2, 3);
    assert_eq!(
        SymmetricEigen::new(rect.as_ref()).unwrap_err().to_string(),
        "symmetric eigendecomposition: matrix must be square, got 2×3"
    );
    let nan = mat(&[&[1.0, f64::NAN], &[f64::NAN, 1.0]]);
    assert_eq!(
        solve_spd(nan.as_ref(), &[1.0, 1.0])
            .unwrap_err()
            .to_string(),
        "cholesky: entry (1, 0) is NaN, not a finite number"
    );
}

#[test]
fn damped_solve_shifts_the_spectrum() {
    // (A + λI) with A = [[1, 2], [2, 1]] (eigenvalues 3, −1) is PD for λ > 1.
    let a = mat(&[&[1.0, 2.0], &[2.0, 1.0]]);
    assert!(matches!(
        solve_damped(a.as_ref(), 0.5, &[1.0, 0.0]),
        Err(LinalgError::NotPositiveDefinite { .. })
    ));
    // λ = 2: [[3, 2], [2, 3]] x = (1, 0) → x = (3, −2)/5.
    assert_close(
        &solve_damped(a.as_ref(), 2.0, &[1.0, 0.0]).unwrap(),
        &[0.6, -0.4],
        1e-15,
    );
    assert_eq!(
        solve_damped(a.as_ref(), -1.0, &[1.0, 0.0])
            .unwrap_err()
            .to_string(),
        "damped solve: damping λ must be finite and ≥ 0, got -1"
    );
}

#[test]
fn bunch_kaufman_solves_indefinite_systems() {
    // [[1, 2], [2, 1]] x = (3, 3) → x = (1, 1).
    let a = mat(&[&[1.0, 2.0], &[2.0, 1.0]]);
    let f = SymmetricIndefinite::factor(a.as_ref()).unwrap();
    assert_close(&f.solve(&[3.0, 3.0]).unwrap(), &[1.0, 1.0], 1e-14);
    // A saddle's Hessian diag(2, −2).
    let h = mat(&[&[2.0, 0.0], &[0.0, -2.0]]);
    let f = SymmetricIndefinite::factor(h.as_ref()).unwrap();
    assert_close(&f.solve(&[2.0, 2.0]).unwrap(), &[1.0, -1.0], 1e-15);
    let singular = mat(&[&[0.0, 0.0], &[0.0, 0.0]]);
    let f = SymmetricIndefinite::factor(singular.as_ref()).unwrap();
    assert_eq!(
        f.solve(&[1.0, 1.0]).unwrap_err(),
        LinalgError::Singular {
            op: "bunch-kaufman solve"
        }
    );
}

#[test]
fn eigen_tools_match_closed_forms() {
    let a = spd2();
    let (lo, hi) = ((7.0 - 17f64.sqrt()) / 2.0, (7.0 + 17f64.sqrt()) / 2.0);
    let eig = SymmetricEigen::new(a.as_ref()).unwrap();
    assert_close(&eig.values, &[lo, hi], 1e-14);
    // A v = λ v for each pair.
    for k in 0..2 {
        let v: Vec<f64> = (0..2).map(|i| eig.vectors[(i, k)]).collect();
        let mut av = [0.0; 2];
        matvec(a.as_ref(), &v, &mut av);
        assert_close(&av, &[eig.values[k] * v[0], eig.values[k] * v[1]], 1e-14);
    }
    assert!((smallest_eigenvalue(a.as_ref()).unwrap() - lo).abs() < 1e-14);
    assert!((largest_eigenvalue(a.as_ref()).unwrap() - hi).abs() < 1e-14);
    assert!((condition_number_spd(a.as_ref()).unwrap() - hi / lo).abs() < 1e-12);
    let indefinite = mat(&[&[1.0, 2.0], &[2.0, 1.0]]);
    assert!(matches!(
        condition_number_spd(indefinite.as_ref()),
        Err(LinalgError::NotPositiveDefinite { .. })
    ));
}

#[test]
fn square_root_and_inverse_square_root() {
    let a = spd2();
    let s = sqrt_spd(a.as_ref()).unwrap();
    let mut ss = Mat::zeros(2, 2);
    matmul(ss.as_mut(), s.as_ref(), s.as_ref());
    // S S = A, and S is symmetric.
    for (i, j) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
        assert!((ss[(i, j)] - a[(i, j)]).abs() < 1e-14);
    }
    assert!(symmetry_violation(s.as_ref(), 1e-14).is_none());
    let r = inv_sqrt_spd(a.as_ref()).unwrap();
    let mut rs = Mat::zeros(2, 2);
    matmul(rs.as_mut(), r.as_ref(), s.as_ref());
    // A^{-1/2} A^{1/2} = I.
    for (i, j) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
        let id = if i == j { 1.0 } else { 0.0 };
        assert!((rs[(i, j)] - id).abs() < 1e-14);
    }
    // diag(4, 9) has square root diag(2, 3).
    let d = mat(&[&[4.0, 0.0], &[0.0, 9.0]]);
    let sd = sqrt_spd(d.as_ref()).unwrap();
    assert_close(
        &[sd[(0, 0)], sd[(1, 1)], sd[(0, 1)]],
        &[2.0, 3.0, 0.0],
        1e-15,
    );
}

#[test]
fn symmetry_is_judged_relative_to_the_matrix_scale() {
    // Entries of size 1e-11 that differ by 100 %: not symmetric, whatever the scale.
    let tiny = mat(&[&[1e-11, 2e-11], &[0.0, 1e-11]]);
    assert_eq!(symmetry_violation(tiny.as_ref(), 1e-10), Some((1, 0)));
    assert!(matches!(
        Cholesky::factor(tiny.as_ref()),
        Err(LinalgError::NotSymmetric { i: 1, j: 0, .. })
    ));
    // A rounding-level difference on a large matrix is symmetric.
    let big = mat(&[&[1e6, 1.0], &[1.0 + 1e-12, 1e6]]);
    assert_eq!(symmetry_violation(big.as_ref(), 1e-10), None);
}
