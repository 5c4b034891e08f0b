//! Hessian-free (truncated) Newton: the Newton system `H p = −∇f` solved
//! approximately by conjugate gradients on curvature-vector products, with a
//! relative-residual forcing term, negative-curvature detection and an Armijo
//! line search. No Hessian is formed.
//!
//! The curvature is either the Hessian (counted Hessian-vector products) or a
//! Gauss–Newton product (Martens 2010's choice for networks, positive
//! semi-definite). References: Nocedal & Wright (2006), Alg. 7.1 (line-search
//! Newton–CG) and eq. 7.3 (forcing `η_k = min(η, √‖∇f‖)`, superlinear);
//! Martens, ICML 2010.

use descent_core::{
    Diagnostics, Error, Evaluator, Optimizer, Requirements, State, StepOutcome, validate,
};
use descent_gd::line_search::Armijo;
use descent_linalg::norm_2;

use crate::cg::{CgWorkspace, truncated_cg};
use crate::operator::{CountedGaussNewtonAt, GaussNewtonProduct, HessianAt};

/// Where CG's curvature products come from.
pub enum Curvature {
    /// `∇²f(x) v` from the objective (counted as Hessian-vector products).
    Hessian,
    /// `G(x) v` from a Gauss–Newton product, counted by the evaluator as
    /// Gauss–Newton products (one per CG iteration).
    GaussNewton(Box<dyn GaussNewtonProduct>),
}

impl std::fmt::Debug for Curvature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Hessian => "Hessian",
            Self::GaussNewton(_) => "GaussNewton",
        })
    }
}

/// Truncated Newton–CG: `p ≈ −H⁻¹∇f` by CG to relative residual
/// `η_k = min(η, √‖∇f‖)`, at most `max_cg` iterations (default n); on negative
/// curvature CG returns its current iterate (or `−∇f` on the first iteration);
/// then Armijo backtracking from α₀ = 1.
///
/// Records CG iterations, negative curvature, step length and backtracks (the
/// Armijo search's rejected trial steps). Every curvature product is counted
/// by the evaluator: Hessian-vector products or Gauss–Newton products, one per
/// CG iteration.
#[derive(Debug)]
pub struct HessianFree {
    forcing: f64,
    max_cg: Option<usize>,
    curvature: Curvature,
    line_search: Armijo,
    p: Vec<f64>,
    ws: CgWorkspace,
    x_new: Vec<f64>,
    g_new: Vec<f64>,
}

const OWNER: &str = "Hessian-free Newton";

impl HessianFree {
    /// Newton–CG on Hessian-vector products with forcing term `η ∈ (0, 1)`
    /// (Martens uses 5·10⁻⁴ in relative-progress form; 0.5 is a safe default).
    ///
    /// # Errors
    /// [`Error::Hyperparameter`] if η is outside (0, 1).
    pub fn new(forcing: f64) -> Result<Self, Error> {
        Self::with_curvature(forcing, Curvature::Hessian)
    }

    /// Gauss–Newton–CG (generalised Gauss–Newton) on a product `G(x) v`.
    ///
    /// # Errors
    /// [`Error::Hyperparameter`] if η is outside (0, 1).
    pub fn gauss_newton(
        forcing: f64,
        product: impl GaussNewtonProduct + 'static,
    ) -> Result<Self, Error> {
        Self::with_curvature(forcing, Curvature::GaussNewton(Box::new(product)))
    }

    fn with_curvature(forcing: f64, curvature: Curvature) -> Result<Self, Error> {
        validate::in_open_unit(OWNER, "CG forcing term η", forcing)?;
        Ok(Self {
            forcing,
            max_cg: None,
            curvature,
            line_search: Armijo::default(),
            p: Vec::new(),
            ws: CgWorkspace::default(),
            x_new: Vec::new(),
            g_new: Vec::new(),
        })
    }

    /// Cap the CG iterations per step.
    ///
    /// # Errors
    /// [`Error::Hyperparameter`] for 0.
    pub fn with_max_cg_iterations(mut self, max_cg: usize) -> Result<Self, Error> {
        self.max_cg = Some(validate::at_least(OWNER, "max CG iterations", max_cg, 1)?);
        Ok(self)
    }
}

impl Optimizer for HessianFree {
    fn name(&self) -> String {
        match self.curvature {
            Curvature::Hessian => format!("Newton-CG η={}", self.forcing),
            Curvature::GaussNewton(_) => format!("Gauss-Newton-CG η={}", self.forcing),
        }
    }

    fn requirements(&self) -> Requirements {
        Requirements {
            hessian: false,
            hessian_vector_product: matches!(self.curvature, Curvature::Hessian),
        }
    }

    fn init(&mut self, _eval: &mut Evaluator<'_>, state: &State) -> Result<(), Error> {
        let n = state.x.len();
        self.p = vec![0.0; n];
        self.ws = CgWorkspace::new(n);
        self.x_new = vec![0.0; n];
        self.g_new = vec![0.0; n];
        Ok(())
    }

    fn step(&mut self, eval: &mut Evaluator<'_>, state: &mut State) -> Result<StepOutcome, Error> {
        let n = state.x.len();
        let forcing = self.forcing.min(norm_2(&state.grad).sqrt());
        let max_cg = self.max_cg.unwrap_or(n).max(1);
        let cg = match &mut self.curvature {
            Curvature::Hessian => {
                let mut op = HessianAt::new(eval, &state.x)?;
                truncated_cg(
                    &mut op,
                    &state.grad,
                    forcing,
                    max_cg,
                    &mut self.p,
                    &mut self.ws,
                )?
            }
            Curvature::GaussNewton(product) => {
                let mut op = CountedGaussNewtonAt::new(eval, product.as_mut(), &state.x)?;
                truncated_cg(
                    &mut op,
                    &state.grad,
                    forcing,
                    max_cg,
                    &mut self.p,
                    &mut self.ws,
                )?
            }
        };
        let diag = Diagnostics {
            cg_iterations: Some(cg.iterations),
            negative_curvature: cg.negative_curvature,
            ..Diagnostics::default()
        };
        crate::globalise::armijo_descent_step(
            "CG",
            eval,
            state,
            &self.p,
            &self.line_search,
            &mut self.x_new,
            &mut self.g_new,
            diag,
        )
    }
}
