//! The comparison harness: every method on every problem under one set of
//! stopping rules, as a serialisable table.
//!
//! Methods are factories (a fresh optimiser per run); problems carry their
//! objective, starting point and known `f*`. A run that cannot start (the
//! method needs a derivative the problem lacks) becomes a row whose
//! termination names the error. Wall time is measured by the caller's clock
//! (or `std::time::Instant`) and kept in its own field, apart from the
//! reproducible numbers.

use descent_core::{Error, Objective, Optimizer, StoppingRules, Termination, minimize};
use serde::{Deserialize, Serialize};

/// A named optimiser factory.
pub struct Method {
    /// The row label.
    pub name: String,
    /// Builds a fresh optimiser for one run.
    pub build: Box<dyn Fn() -> Box<dyn Optimizer>>,
}

impl Method {
    /// A method from a name and a factory.
    pub fn new(name: impl Into<String>, build: impl Fn() -> Box<dyn Optimizer> + 'static) -> Self {
        Self {
            name: name.into(),
            build: Box::new(build),
        }
    }
}

/// A problem with its starting point and known optimal value.
///
/// The fields are validated by [`Problem::new`] and the `with_` builders
/// (x₀ of the objective's dimension and finite, f* and the other minima finite,
/// the tolerance ≥ 0), so they are private with getters.
pub struct Problem {
    name: String,
    objective: Box<dyn Objective>,
    x0: Vec<f64>,
    f_star: f64,
    other_minima: Vec<f64>,
    value_tolerance: f64,
}

impl Problem {
    /// A problem; the name is the objective's.
    ///
    /// # Errors
    /// `x0` of the wrong length or not finite, or `f*` not finite.
    pub fn new(objective: Box<dyn Objective>, x0: Vec<f64>, f_star: f64) -> Result<Self, Error> {
        let name = objective.name();
        if x0.len() != objective.dim() || x0.iter().any(|v| !v.is_finite()) {
            return Err(Error::invalid(
                format!("harness problem {name}"),
                format!(
                    "x0 must be finite with {} coordinates, got {} ({x0:?})",
                    objective.dim(),
                    x0.len()
                ),
            ));
        }
        descent_core::validate::finite("harness problem", "f*", f_star)?;
        Ok(Self {
            name,
            objective,
            x0,
            f_star,
            other_minima: Vec::new(),
            value_tolerance: 0.0,
        })
    }

    /// Also count reaching any of `values` (other published local minima).
    ///
    /// # Errors
    /// A value that is not finite.
    pub fn with_other_minima(mut self, values: Vec<f64>) -> Result<Self, Error> {
        for v in &values {
            descent_core::validate::finite("harness problem", "other minimum", *v)?;
        }
        self.other_minima = values;
        Ok(self)
    }

    /// Widen "reached" to `|f − f*| ≤ max(tol-based bound, value_tolerance)`.
    ///
    /// # Errors
    /// A negative or non-finite tolerance.
    pub fn with_value_tolerance(mut self, value_tolerance: f64) -> Result<Self, Error> {
        self.value_tolerance = descent_core::validate::non_negative(
            "harness problem",
            "value tolerance",
            value_tolerance,
        )?;
        Ok(self)
    }

    /// The column label (the objective's name).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The objective.
    pub fn objective(&self) -> &dyn Objective {
        self.objective.as_ref()
    }

    /// The starting point x₀.
    pub fn x0(&self) -> &[f64] {
        &self.x0
    }

    /// The known optimal value f*.
    pub fn f_star(&self) -> f64 {
        self.f_star
    }

    /// Other values that count as reached (further local minima the problem's
    /// source lists); empty by default.
    pub fn other_minima(&self) -> &[f64] {
        &self.other_minima
    }

    /// An absolute tolerance that widens "reached" (for an f* printed to few
    /// digits); 0 by default.
    pub fn value_tolerance(&self) -> f64 {
        self.value_tolerance
    }

    /// Does `f` reach f* (or one of the other minima) at relative tolerance `tol`?
    pub fn is_reached(&self, f: f64, tol: f64) -> bool {
        std::iter::once(self.f_star)
            .chain(self.other_minima.iter().copied())
            .any(|m| reached(f, m, tol) || (f - m).abs() <= self.value_tolerance)
    }
}

/// One run's numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComparisonRow {
    /// Method name.
    pub method: String,
    /// Problem name.
    pub problem: String,
    /// Steps taken.
    pub iterations: usize,
    /// Function evaluations.
    pub value_evaluations: usize,
    /// Gradient evaluations.
    pub gradient_evaluations: usize,
    /// Dense Hessian evaluations.
    pub hessian_evaluations: usize,
    /// Hessian-vector products.
    pub hessian_vector_products: usize,
    /// Gauss–Newton products `G(x) v` (Hessian-free Gauss–Newton).
    #[serde(default)]
    pub gauss_newton_vector_products: usize,
    /// Residual-and-Jacobian evaluations (Gauss–Newton, Levenberg–Marquardt).
    #[serde(default)]
    pub jacobian_evaluations: usize,
    /// `f(x_final) − f*` (`None` when the run could not start).
    pub f_error: Option<f64>,
    /// `‖∇f(x_final)‖` (`None` when the run could not start).
    pub grad_norm: Option<f64>,
    /// The termination, rendered ("Converged(GradientNorm)", "Failed at 3: …",
    /// or "error: …" when the run could not start).
    pub termination: String,
    /// Reached f* to the table's tolerance.
    pub reached: bool,
    /// Wall time in seconds (not reproducible; kept apart).
    pub wall_time_seconds: f64,
}

/// The whole comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComparisonTable {
    /// The stopping rules every run used.
    pub rules: StoppingRules,
    /// The tolerance of "reached": `|f − f*| ≤ tol · |f*|`, or `≤ tol` when
    /// `f* = 0` (widened by each problem's `value_tolerance` and other minima).
    pub tolerance: f64,
    /// One row per (method, problem), methods outer.
    pub rows: Vec<ComparisonRow>,
}

impl ComparisonTable {
    /// The fraction of a method's runs that reached f*.
    pub fn success_rate(&self, method: &str) -> f64 {
        let rows: Vec<_> = self.rows.iter().filter(|r| r.method == method).collect();
        if rows.is_empty() {
            return 0.0;
        }
        rows.iter().filter(|r| r.reached).count() as f64 / rows.len() as f64
    }

    /// The rows that did not reach f*.
    pub fn failures(&self) -> impl Iterator<Item = &ComparisonRow> {
        self.rows.iter().filter(|r| !r.reached)
    }

    /// A Markdown table of the rows (a pure rendering; wall times omitted so
    /// the text is reproducible).
    pub fn render_markdown(&self) -> String {
        let mut out = String::from(
            "| method | problem | iters | f | ∇f | ∇²f | Hv | Gv | J | f − f* | ‖∇f‖ | reached | termination |\n\
             |---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|---|\n",
        );
        for r in &self.rows {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
                r.method,
                r.problem,
                r.iterations,
                r.value_evaluations,
                r.gradient_evaluations,
                r.hessian_evaluations,
                r.hessian_vector_products,
                r.gauss_newton_vector_products,
                r.jacobian_evaluations,
                r.f_error
                    .map_or_else(|| "–".to_owned(), |v| format!("{v:.2e}")),
                r.grad_norm
                    .map_or_else(|| "–".to_owned(), |v| format!("{v:.2e}")),
                if r.reached { "yes" } else { "no" },
                r.termination.replace('|', "/"),
            ));
        }
        out
    }
}

/// Did `f` reach `f*`: `|f − f*| ≤ tol |f*|`, or `|f − f*| ≤ tol` when `f* = 0`.
pub fn reached(f: f64, f_star: f64, tol: f64) -> bool {
    let bound = if f_star == 0.0 {
        tol
    } else {
        tol * f_star.abs()
    };
    (f - f_star).abs() <= bound
}

fn render_termination(t: &Termination) -> String {
    match t {
        Termination::Failed { iteration, reason } => format!("Failed at {iteration}: {reason}"),
        other => format!("{other:?}"),
    }
}

/// Run every method on every problem from its `x0` under `rules`; "reached"
/// uses `tolerance`. `clock` returns seconds (defaults to `Instant`).
///
/// # Errors
/// Invalid `rules` or `tolerance ≤ 0` (per-run errors become rows).
pub fn compare(
    methods: &[Method],
    problems: &mut [Problem],
    rules: &StoppingRules,
    tolerance: f64,
    clock: Option<&dyn Fn() -> f64>,
) -> Result<ComparisonTable, Error> {
    rules.validate()?;
    descent_core::validate::positive("comparison harness", "tolerance", tolerance)?;
    let start = std::time::Instant::now();
    let now = || clock.map_or_else(|| start.elapsed().as_secs_f64(), |c| c());
    let mut rows = Vec::with_capacity(methods.len() * problems.len());
    for method in methods {
        for problem in problems.iter_mut() {
            let mut optimizer = (method.build)();
            let t0 = now();
            let result = minimize(
                problem.objective.as_mut(),
                optimizer.as_mut(),
                &problem.x0,
                rules,
            );
            let wall = now() - t0;
            rows.push(match result {
                Ok(run) => ComparisonRow {
                    method: method.name.clone(),
                    problem: problem.name.clone(),
                    iterations: run.iterations,
                    value_evaluations: run.counts.value,
                    gradient_evaluations: run.counts.gradient,
                    hessian_evaluations: run.counts.hessian,
                    hessian_vector_products: run.counts.hessian_vector_product,
                    gauss_newton_vector_products: run.counts.gauss_newton_vector_product,
                    jacobian_evaluations: run.counts.jacobian,
                    f_error: Some(run.f - problem.f_star),
                    grad_norm: Some(run.grad_norm),
                    termination: render_termination(&run.termination),
                    reached: problem.is_reached(run.f, tolerance),
                    wall_time_seconds: wall,
                },
                Err(e) => ComparisonRow {
                    method: method.name.clone(),
                    problem: problem.name.clone(),
                    iterations: 0,
                    value_evaluations: 0,
                    gradient_evaluations: 0,
                    hessian_evaluations: 0,
                    hessian_vector_products: 0,
                    gauss_newton_vector_products: 0,
                    jacobian_evaluations: 0,
                    f_error: None,
                    grad_norm: None,
                    termination: format!("error: {e}"),
                    reached: false,
                    wall_time_seconds: wall,
                },
            });
        }
    }
    Ok(ComparisonTable {
        rules: rules.clone(),
        tolerance,
        rows,
    })
}
