//! Gradient checking by central differences, and dense curvature matrices for
//! small networks (Hessian, Gauss–Newton) with their eigenvalues.

use descent_core::{Error, Objective};
use descent_linalg::{Mat, SymmetricEigen};

use crate::objective::NetworkObjective;

/// The worst disagreement between an analytic gradient and central differences.
#[derive(Debug, Clone, PartialEq)]
pub struct GradientCheck {
    /// `max_i |g_i − ĝ_i| / max(1, |g_i|, |ĝ_i|)`.
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
/// `h_i = h · max(1, |x_i|)`, over every coordinate; the error is relative with an
/// absolute floor of 1 (`|g − ĝ| / max(1, |g|, |ĝ|)`), so gradients near 0 are judged absolutely.
/// The gradient is evaluated first, then the values (so a mini-batch objective is checked on one batch).
///
/// Truncation error is `O(h²)`, rounding `O(ε/h)`: `h = 1e-5` balances them for f64.
///
/// # Errors
/// If `x` has the wrong length, `h` is not finite and > 0, or a value is not finite.
pub fn gradient_check(
    objective: &mut dyn Objective,
    x: &[f64],
    h: f64,
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
    let mut xp = x.to_vec();
    let mut worst = GradientCheck {
        max_relative_error: 0.0,
        index: 0,
        name: String::new(),
        analytic: 0.0,
        numeric: 0.0,
    };
    for i in 0..n {
        let hi = h * x[i].abs().max(1.0);
        xp[i] = x[i] + hi;
        let fp = objective.value(&xp);
        xp[i] = x[i] - hi;
        let fm = objective.value(&xp);
        xp[i] = x[i];
        let numeric = (fp - fm) / (2.0 * hi);
        if !numeric.is_finite() {
            return Err(Error::invalid(
                "gradient check",
                format!("f is not finite near coordinate {i}: {fp}, {fm}"),
            ));
        }
        let err = (g[i] - numeric).abs() / 1f64.max(g[i].abs()).max(numeric.abs());
        if err > worst.max_relative_error || i == 0 {
            worst = GradientCheck {
                max_relative_error: err,
                index: i,
                name: format!("x[{i}]"),
                analytic: g[i],
                numeric,
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
        let mut c = gradient_check(self, w, h)?;
        c.name = self.network().param_name(c.index);
        Ok(c)
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
