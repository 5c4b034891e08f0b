//! Gradient checking by central differences, and dense curvature matrices for
//! small networks (Hessian, Gauss–Newton) with their eigenvalues.

use descent_core::{Error, Objective};
use descent_linalg::{Mat, SymmetricEigen};

use crate::objective::NetworkObjective;

/// The worst disagreement between an analytic gradient and central differences.
#[derive(Debug, Clone, PartialEq)]
pub struct GradientCheck {
    /// `max_i |g_i − ĝ_i| / (|ĝ_i| + ‖ĝ‖_∞ + η)`, the smallest `τ` with
    /// `|g_i − ĝ_i| ≤ τ |ĝ_i| + τ (‖ĝ‖_∞ + η)` for every `i` (see [`gradient_check`]).
    pub max_relative_error: f64,
    /// The parameter where it occurs.
    pub index: usize,
    /// Its name if known (`"W_2[3,1]"`).
    pub name: String,
    /// The analytic derivative there.
    pub analytic: f64,
    /// The central difference there.
    pub numeric: f64,
}

/// Compare `∇f(x)` with central differences `ĝ_i = (f(x + h_i e_i) − f(x − h_i e_i)) / (2 h_i)`,
/// `h_i = h · max(1, |x_i|)`, over every coordinate.
///
/// The error of coordinate `i` is `|g_i − ĝ_i| / (|ĝ_i| + ‖ĝ‖_∞ + η)`: a check
/// `error ≤ τ` is the mixed test `|g_i − ĝ_i| ≤ rtol·|ĝ_i| + atol·‖ĝ‖_∞` with
/// `rtol = atol = τ`, so it is invariant to scaling `f` (a loss near 0 is judged as
/// strictly as one near 1), each entry is judged relative to itself, and entries much
/// smaller than the largest are judged against the gradient's scale, where the
/// differences' error lives. `η = ε_mach · max_± |f(x ± h_i e_i)| / h` is the rounding
/// level of the differences, so a gradient that is 0 up to rounding (at a minimum)
/// does not divide by 0. The gradient is evaluated first, then the values (so a
/// mini-batch objective is checked on one batch).
///
/// Truncation error is `O(h²)`, rounding `O(ε/h)`: `h = 1e-5` balances them for f64.
///
/// # Errors
/// If `x` has the wrong length, `h` is not finite and > 0, a value is not finite, or
/// an analytic derivative is not finite (the message names the coordinate).
pub fn gradient_check(
    objective: &mut dyn Objective,
    x: &[f64],
    h: f64,
) -> Result<GradientCheck, Error> {
    check_named(objective, x, h, &|i| format!("x[{i}]"))
}

/// [`gradient_check`] naming coordinate `i` by `name(i)`.
fn check_named(
    objective: &mut dyn Objective,
    x: &[f64],
    h: f64,
    name: &dyn Fn(usize) -> String,
) -> Result<GradientCheck, Error> {
    descent_core::validate::positive("gradient check", "h", h)?;
    let n = objective.dim();
    if x.len() != n {
        return Err(Error::invalid(
            "gradient check",
            format!("x has {} entries, the objective {n}", x.len()),
        ));
    }
    let mut g = vec![0.0; n];
    objective.gradient(x, &mut g);
    if let Some(i) = g.iter().position(|gi| !gi.is_finite()) {
        return Err(Error::invalid(
            "gradient check",
            format!("the analytic derivative of {} is {}", name(i), g[i]),
        ));
    }
    let mut xp = x.to_vec();
    let mut numeric = vec![0.0; n];
    let mut f_max = 0.0f64;
    for i in 0..n {
        let hi = h * x[i].abs().max(1.0);
        xp[i] = x[i] + hi;
        let fp = objective.value(&xp);
        xp[i] = x[i] - hi;
        let fm = objective.value(&xp);
        xp[i] = x[i];
        numeric[i] = (fp - fm) / (2.0 * hi);
        if !numeric[i].is_finite() {
            return Err(Error::invalid(
                "gradient check",
                format!("f is not finite near {}: {fp}, {fm}", name(i)),
            ));
        }
        f_max = f_max.max(fp.abs()).max(fm.abs());
    }
    let scale = descent_linalg::norm_inf(&numeric) + f64::EPSILON * f_max / h;
    let mut worst = GradientCheck {
        max_relative_error: 0.0,
        index: 0,
        name: String::new(),
        analytic: 0.0,
        numeric: 0.0,
    };
    for i in 0..n {
        let err = (g[i] - numeric[i]).abs() / (numeric[i].abs() + scale).max(f64::MIN_POSITIVE);
        if err > worst.max_relative_error || i == 0 {
            worst = GradientCheck {
                max_relative_error: err,
                index: i,
                name: name(i),
                analytic: g[i],
                numeric: numeric[i],
            };
        }
    }
    Ok(worst)
}

impl NetworkObjective {
    /// [`gradient_check`] with the worst parameter named by the network (`"W_2[3,1]"`).
    ///
    /// # Errors
    /// As [`gradient_check`].
    pub fn gradient_check(&mut self, w: &[f64], h: f64) -> Result<GradientCheck, Error> {
        let network = self.network().clone();
        check_named(self, w, h, &|i| network.param_name(i))
    }

    /// The dense generalised Gauss–Newton matrix G (n products `G e_j`), for small networks.
    ///
    /// # Errors
    /// If `w` has the wrong length.
    pub fn dense_gauss_newton(&mut self, w: &[f64]) -> Result<Mat<f64>, Error> {
        let n = self.dim();
        let mut g = Mat::zeros(n, n);
        let (mut e, mut col) = (vec![0.0; n], vec![0.0; n]);
        for j in 0..n {
            e[j] = 1.0;
            self.gauss_newton_vector_product(w, &e, &mut col)?;
            e[j] = 0.0;
            for i in 0..n {
                g[(i, j)] = col[i];
            }
        }
        Ok(g)
    }
}

/// The dense Hessian of `objective` at `x` (n Hessian-vector products), for small networks.
///
/// # Errors
/// If the objective provides no Hessian or `x` has the wrong length.
pub fn dense_hessian(objective: &mut dyn Objective, x: &[f64]) -> Result<Mat<f64>, Error> {
    let n = objective.dim();
    if x.len() != n {
        return Err(Error::invalid(
            "dense Hessian",
            format!("x has {} entries, the objective {n}", x.len()),
        ));
    }
    let mut h = Mat::zeros(n, n);
    objective.hessian(x, h.as_mut())?;
    Ok(h)
}

/// The eigenvalues (ascending) of the symmetric part `(A + Aᵀ)/2` of a dense curvature matrix.
///
/// # Errors
/// If `a` is not square, has non-finite entries, or the eigensolver fails.
pub fn curvature_eigenvalues(a: &Mat<f64>) -> Result<Vec<f64>, Error> {
    if a.nrows() != a.ncols() {
        return Err(Error::invalid(
            "curvature eigenvalues",
            format!("matrix is {}×{}, not square", a.nrows(), a.ncols()),
        ));
    }
    let sym = Mat::from_fn(a.nrows(), a.ncols(), |i, j| 0.5 * (a[(i, j)] + a[(j, i)]));
    Ok(SymmetricEigen::new(sym.as_ref())?.values)
}
