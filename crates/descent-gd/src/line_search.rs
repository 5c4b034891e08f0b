//! Line searches shared by first- and second-order methods.
//!
//! Every search starts from a point `x` with known `f(x)` and `∇f(x)` and looks
//! along a direction `p` at `φ(α) = f(x + α p)`, `φ'(α) = ∇f(x + α p)ᵀ p`. The
//! caller describes the start with a [`Ray`] and provides the two output
//! buffers `x_new` and `g_new` (length n, reused from step to step, so no
//! search allocates in steady state). On success `x_new = x + α p` and
//! `g_new = ∇f(x_new)`, and the [`LineSearchReport`] says how many trial
//! points were evaluated, how many backtracks were taken and which conditions
//! held at the accepted step.
//!
//! * [`Armijo`]: backtracking until the sufficient-decrease condition
//!   `φ(α) ≤ φ(0) + c₁ α φ'(0)` holds (N&W Alg. 3.1).
//! * [`StrongWolfe`]: bracketing and zoom with cubic interpolation until
//!   sufficient decrease and `|φ'(α)| ≤ c₂ |φ'(0)|` hold (N&W Alg. 3.5–3.6).
//! * [`exact_quadratic`]: the minimiser of a quadratic along `p`,
//!   `α = −gᵀp / pᵀAp` (`gᵀg / gᵀAg` for `p = −g`).
//! * [`polyak`]: Polyak's step `α = (f − f*) / (−gᵀp)` (`(f − f*)/‖∇f‖²` for `p = −g`).
//! * [`barzilai_borwein`]: BB1 `sᵀs/sᵀy` and BB2 `sᵀy/yᵀy`, and [`fixed_step`]
//!   to evaluate the point a precomputed step gives.
//!
//! References: Nocedal & Wright, *Numerical Optimization* (2nd ed., 2006),
//! §3.1 and §3.5; Polyak, *Introduction to Optimization* (1987), §5.3;
//! Barzilai & Borwein, *Two-point step size gradient methods*, IMA J. Numer.
//! Anal. 8 (1988).

use descent_core::{Error, Evaluator, display_number, validate};
use descent_linalg::{dot, norm_2};

/// Where a line search starts: `x`, `f(x)`, `∇f(x)` and the direction `p`.
#[derive(Debug, Clone, Copy)]
pub struct Ray<'a> {
    /// The current point x.
    pub x: &'a [f64],
    /// `f(x)`.
    pub f: f64,
    /// `∇f(x)`.
    pub grad: &'a [f64],
    /// The search direction p.
    pub direction: &'a [f64],
}

impl Ray<'_> {
    /// The directional derivative `φ'(0) = ∇f(x)ᵀ p`.
    pub fn slope(&self) -> f64 {
        dot(self.grad, self.direction)
    }

    /// Check that `p` is a descent direction (`φ'(0) < 0`, finite).
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the search and the slope.
    pub fn descent_slope(&self, search: &str) -> Result<f64, Error> {
        let slope = self.slope();
        if slope < 0.0 && slope.is_finite() {
            Ok(slope)
        } else {
            Err(Error::invalid(
                search,
                format!(
                    "direction is not a descent direction: ∇f(x)ᵀp = {}",
                    display_number(slope)
                ),
            ))
        }
    }

    /// Does the step α change x (some `x_i + α p_i ≠ x_i` in floating point)?
    /// A step below half an ulp of every coordinate is not worth an
    /// evaluation: every search stops there instead of evaluating f at x
    /// again and again.
    pub fn moves(&self, alpha: f64) -> bool {
        self.x
            .iter()
            .zip(self.direction)
            .any(|(xi, pi)| xi + alpha * pi != *xi)
    }

    fn trial(&self, alpha: f64, x_new: &mut [f64]) {
        for ((xn, xi), pi) in x_new.iter_mut().zip(self.x).zip(self.direction) {
            *xn = xi + alpha * pi;
        }
    }
}

/// What a line search did.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct LineSearchReport {
    /// The accepted step α (the last trial when the search failed).
    pub step: f64,
    /// `f(x + α p)` at that step.
    pub value: f64,
    /// Trial points evaluated (each a value, or a value and a gradient).
    pub evaluations: usize,
    /// Times the step was reduced (Armijo) or the bracket narrowed (zoom).
    pub backtracks: usize,
    /// The sufficient-decrease (Armijo) condition `φ(α) ≤ φ(0) + c₁ α φ'(0)` held,
    /// or, when [`approximate_decrease`](Self::approximate_decrease) is set,
    /// its round-off-tolerant approximation did.
    pub sufficient_decrease: bool,
    /// The step was accepted by [`Armijo`]'s approximate sufficient-decrease
    /// test ([`Armijo::with_roundoff_tolerance`]), not by the exact one.
    pub approximate_decrease: bool,
    /// The strong curvature condition `|φ'(α)| ≤ c₂ |φ'(0)|` held (`None`: not checked).
    pub curvature: Option<bool>,
    /// `g_new` holds `∇f(x_new)` (false only when a search failed).
    pub gradient_evaluated: bool,
}

impl LineSearchReport {
    /// Did the search meet every condition it tests?
    pub fn success(&self) -> bool {
        self.sufficient_decrease && self.curvature.unwrap_or(true) && self.gradient_evaluated
    }

    /// Trial steps that were evaluated and not taken when they were evaluated:
    /// `evaluations − 1` when a step was accepted (every trial but the last;
    /// for Armijo this is `backtracks`), `evaluations` when none was. This is
    /// what optimisers record as [`Diagnostics::backtracks`](descent_core::Diagnostics),
    /// so the number means the same for every line search: 0 when the first
    /// trial step is taken.
    pub fn rejected_trials(&self) -> usize {
        if self.sufficient_decrease && self.gradient_evaluated {
            self.evaluations.saturating_sub(1)
        } else {
            self.evaluations
        }
    }
}

/// Backtracking line search for the Armijo condition:
/// `α ← ρ α` from `α₀` until `f(x + α p) ≤ f(x) + c₁ α ∇f(x)ᵀp`.
///
/// Defaults `c₁ = 10⁻⁴`, `ρ = ½`, at most 50 backtracks, no round-off
/// tolerance. Values only are evaluated at the trial points; the gradient once,
/// at the accepted point. Reference: Nocedal & Wright (2006), Alg. 3.1.
///
/// Optionally ([`Armijo::with_roundoff_tolerance`]) a trial step that fails the
/// exact test is still accepted by an approximate test in the spirit of
/// Hager & Zhang's approximate Wolfe conditions, for steps so close to a
/// minimiser that `f(x + αp) − f(x)` is below the rounding error of `f`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Armijo {
    c1: f64,
    shrink: f64,
    max_backtracks: usize,
    roundoff_tolerance: Option<f64>,
}

impl Default for Armijo {
    fn default() -> Self {
        Self {
            c1: 1e-4,
            shrink: 0.5,
            max_backtracks: 50,
            roundoff_tolerance: None,
        }
    }
}

impl Armijo {
    /// The round-off tolerance `ε_f = 10⁻¹²` suggested for
    /// [`Armijo::with_roundoff_tolerance`]: about 4500 ulp of `|f|`, above the
    /// rounding error of a value summed over a few hundred terms, and far
    /// below any decrease a line search is meant to detect. (Hager & Zhang
    /// use `ε = 10⁻⁶` for their switch to the approximate conditions; here the
    /// test only has to absorb round-off.)
    pub const DEFAULT_ROUNDOFF_TOLERANCE: f64 = 1e-12;

    /// A backtracking search with sufficient-decrease constant `c₁ ∈ (0, 1)`,
    /// shrink factor `ρ ∈ (0, 1)` and at most `max_backtracks ≥ 1` reductions.
    ///
    /// # Errors
    /// [`Error::Hyperparameter`] naming the offending value.
    pub fn new(c1: f64, shrink: f64, max_backtracks: usize) -> Result<Self, Error> {
        const OWNER: &str = "Armijo line search";
        Ok(Self {
            c1: validate::in_open_unit(OWNER, "c₁", c1)?,
            shrink: validate::in_open_unit(OWNER, "shrink factor ρ", shrink)?,
            max_backtracks: validate::at_least(OWNER, "max backtracks", max_backtracks, 1)?,
            roundoff_tolerance: None,
        })
    }

    /// Also accept a trial step `α` that fails the exact Armijo test when it
    /// passes the approximate sufficient-decrease test (after Hager & Zhang,
    /// *A new conjugate gradient method with guaranteed descent and an
    /// efficient line search*, SIAM J. Optim. 16 (2005), eq. (23) with ε_k = ε_f|f(x)|):
    ///
    /// `φ(α) ≤ φ(0) + ε_f |φ(0)|`  and  `φ'(α) ≤ (2c₁ − 1) φ'(0)`.
    ///
    /// The second inequality is the Armijo condition written with derivatives:
    /// for a quadratic `φ`, `φ(α) − φ(0) = α (φ'(0) + φ'(α)) / 2`, so
    /// `φ(α) ≤ φ(0) + c₁ α φ'(0)` ⟺ `φ'(α) ≤ (2c₁ − 1) φ'(0)`. Unlike the
    /// difference of two values it does not cancel catastrophically near a
    /// minimiser, where `φ(α) − φ(0)` is below the rounding error of `f` and
    /// the exact test rejects good steps by chance. The first inequality keeps
    /// the value within round-off of `f(x)`; a real increase is still rejected.
    /// The gradient at the trial point is evaluated only when the exact test
    /// fails and the value inequality holds (one extra gradient if the step
    /// is then rejected; none if it is accepted, since it is the accepted
    /// point's gradient). Accepted steps set
    /// [`LineSearchReport::approximate_decrease`].
    ///
    /// `ε_f ≥ 0` finite; [`Armijo::DEFAULT_ROUNDOFF_TOLERANCE`] = 10⁻¹² is a
    /// good default. Off unless set, so existing searches are unchanged.
    ///
    /// # Errors
    /// [`Error::Hyperparameter`] if `ε_f` is negative or not finite.
    pub fn with_roundoff_tolerance(mut self, epsilon: f64) -> Result<Self, Error> {
        let epsilon =
            validate::non_negative("Armijo line search", "round-off tolerance ε_f", epsilon)?;
        self.roundoff_tolerance = Some(epsilon);
        Ok(self)
    }

    /// `c₁`.
    pub fn c1(&self) -> f64 {
        self.c1
    }

    /// The round-off tolerance `ε_f` of the approximate test (`None`: exact
    /// Armijo only).
    pub fn roundoff_tolerance(&self) -> Option<f64> {
        self.roundoff_tolerance
    }

    /// Search from `ray` with first trial `α₀ = initial_step`.
    ///
    /// On success `x_new = x + α p`, `g_new = ∇f(x_new)`. When no step within
    /// `max_backtracks` reductions satisfies the condition (or, with a
    /// round-off tolerance, its approximation) the report has
    /// `sufficient_decrease = false`, and `g_new` holds no meaningful gradient.
    ///
    /// # Errors
    /// If `p` is not a descent direction or `initial_step` is not finite and > 0.
    pub fn search(
        &self,
        eval: &mut Evaluator<'_>,
        ray: &Ray<'_>,
        initial_step: f64,
        x_new: &mut [f64],
        g_new: &mut [f64],
    ) -> Result<LineSearchReport, Error> {
        let slope = ray.descent_slope("Armijo line search")?;
        let mut alpha = validate::positive("Armijo line search", "initial step α₀", initial_step)?;
        let mut report = LineSearchReport::default();
        loop {
            if !ray.moves(alpha) || eval.exhausted() {
                // α p no longer changes x, or the run's budget is spent.
                report.step = alpha;
                return Ok(report);
            }
            ray.trial(alpha, x_new);
            let value = eval.value(x_new);
            report.evaluations += 1;
            report.step = alpha;
            report.value = value;
            if value <= ray.f + self.c1 * alpha * slope {
                report.sufficient_decrease = true;
                eval.gradient(x_new, g_new);
                report.gradient_evaluated = true;
                return Ok(report);
            }
            let within_roundoff = self
                .roundoff_tolerance
                .is_some_and(|epsilon| value <= ray.f + epsilon * ray.f.abs());
            if within_roundoff {
                eval.gradient(x_new, g_new);
                if dot(g_new, ray.direction) <= (2.0 * self.c1 - 1.0) * slope {
                    report.sufficient_decrease = true;
                    report.approximate_decrease = true;
                    report.gradient_evaluated = true;
                    return Ok(report);
                }
            }
            if report.backtracks == self.max_backtracks {
                return Ok(report);
            }
            alpha *= self.shrink;
            report.backtracks += 1;
        }
    }
}

/// Line search for the strong Wolfe conditions
/// `φ(α) ≤ φ(0) + c₁ α φ'(0)` and `|φ'(α)| ≤ c₂ |φ'(0)|`.
///
/// Bracketing phase (N&W Alg. 3.5): try `α₁ = α₀`, doubling up to `α_max`,
/// until a step violates sufficient decrease, fails to decrease `φ`, or has
/// `φ' ≥ 0`; then zoom (Alg. 3.6) on the bracket with the minimiser of the cubic
/// interpolating `φ` and `φ'` at its ends (N&W eq. 3.59), safeguarded to the
/// middle 80 % of the bracket, bisection otherwise.
///
/// Defaults `c₁ = 10⁻⁴`, `c₂ = 0.9` (quasi-Newton; use 0.1 for nonlinear CG),
/// `α_max = 10¹⁰`, at most 50 evaluations. Reference: Nocedal & Wright (2006),
/// §3.5.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StrongWolfe {
    c1: f64,
    c2: f64,
    max_step: f64,
    max_evaluations: usize,
}

impl Default for StrongWolfe {
    fn default() -> Self {
        Self {
            c1: 1e-4,
            c2: 0.9,
            max_step: 1e10,
            max_evaluations: 50,
        }
    }
}

/// `(α, φ(α), φ'(α))`.
#[derive(Debug, Clone, Copy)]
struct Sample {
    alpha: f64,
    phi: f64,
    slope: f64,
}

impl StrongWolfe {
    /// A strong-Wolfe search with `0 < c₁ < c₂ < 1`, largest step `α_max > 0`
    /// and at most `max_evaluations ≥ 1` trial points.
    ///
    /// # Errors
    /// [`Error::Hyperparameter`] naming the offending value (also when `c₂ ≤ c₁`).
    pub fn new(c1: f64, c2: f64, max_step: f64, max_evaluations: usize) -> Result<Self, Error> {
        const OWNER: &str = "strong Wolfe line search";
        validate::in_open_unit(OWNER, "c₁", c1)?;
        validate::in_open_unit(OWNER, "c₂", c2)?;
        if c2 <= c1 {
            return Err(Error::Hyperparameter {
                owner: OWNER,
                name: "c₂",
                requirement: "> c₁",
                value: format!("{} with c₁ = {}", display_number(c2), display_number(c1)),
            });
        }
        Ok(Self {
            c1,
            c2,
            max_step: validate::positive(OWNER, "α_max", max_step)?,
            max_evaluations: validate::at_least(OWNER, "max evaluations", max_evaluations, 1)?,
        })
    }

    /// `(c₁, c₂)`.
    pub fn constants(&self) -> (f64, f64) {
        (self.c1, self.c2)
    }

    /// Search from `ray` with first trial `α₁ = initial_step` (1 for Newton and
    /// quasi-Newton directions).
    ///
    /// On success both conditions hold, `x_new = x + α p` and
    /// `g_new = ∇f(x_new)`. When the evaluation budget runs out, the best step
    /// found that satisfies sufficient decrease (if any) is returned, re-evaluated
    /// into `x_new`, `g_new`, with `curvature = Some(false)`; if there is none,
    /// `sufficient_decrease = false`.
    ///
    /// # Errors
    /// If `p` is not a descent direction or `initial_step` is not finite and > 0.
    pub fn search(
        &self,
        eval: &mut Evaluator<'_>,
        ray: &Ray<'_>,
        initial_step: f64,
        x_new: &mut [f64],
        g_new: &mut [f64],
    ) -> Result<LineSearchReport, Error> {
        const NAME: &str = "strong Wolfe line search";
        let slope0 = ray.descent_slope(NAME)?;
        let alpha1 = validate::positive(NAME, "initial step α₁", initial_step)?.min(self.max_step);
        let mut report = LineSearchReport {
            curvature: Some(false),
            ..LineSearchReport::default()
        };
        // `None` (nothing evaluated, buffers untouched) when α p no longer
        // changes x or the run's evaluation budget is spent.
        let mut sample =
            |alpha: f64, report: &mut LineSearchReport, x_new: &mut [f64], g_new: &mut [f64]| {
                if !ray.moves(alpha) || eval.exhausted() {
                    return None;
                }
                ray.trial(alpha, x_new);
                let phi = eval.value_and_gradient(x_new, g_new);
                report.evaluations += 1;
                report.step = alpha;
                report.value = phi;
                report.gradient_evaluated = true;
                Some(Sample {
                    alpha,
                    phi,
                    slope: dot(g_new, ray.direction),
                })
            };
        let armijo = |s: &Sample| s.phi <= ray.f + self.c1 * s.alpha * slope0;
        let strong_curvature = |s: &Sample| s.slope.abs() <= -self.c2 * slope0;

        let start = Sample {
            alpha: 0.0,
            phi: ray.f,
            slope: slope0,
        };
        let mut prev = start;
        let mut alpha = alpha1;
        // The best point satisfying sufficient decrease, for a graceful failure.
        let mut best: Option<Sample> = None;
        'search: {
            let (mut lo, mut hi);
            loop {
                let Some(s) = sample(alpha, &mut report, x_new, g_new) else {
                    break 'search;
                };
                if !s.phi.is_finite()
                    || !armijo(&s)
                    || (report.evaluations > 1 && s.phi >= prev.phi)
                {
                    (lo, hi) = (prev, s);
                    break;
                }
                best = Some(s);
                if strong_curvature(&s) {
                    report.sufficient_decrease = true;
                    report.curvature = Some(true);
                    return Ok(report);
                }
                if s.slope >= 0.0 {
                    (lo, hi) = (s, prev);
                    break;
                }
                if report.evaluations >= self.max_evaluations || alpha >= self.max_step {
                    // Still descending at α_max: accept the sufficient decrease we have.
                    report.sufficient_decrease = true;
                    return Ok(report);
                }
                prev = s;
                alpha = (2.0 * alpha).min(self.max_step);
            }
            // Zoom: lo satisfies sufficient decrease and has the lowest φ so far;
            // hi is the other end of a bracket containing strong-Wolfe points.
            while report.evaluations < self.max_evaluations {
                let width = (hi.alpha - lo.alpha).abs();
                if width <= 1e-16 * lo.alpha.abs().max(hi.alpha.abs()) {
                    break;
                }
                let alpha = interpolate(&lo, &hi);
                let Some(s) = sample(alpha, &mut report, x_new, g_new) else {
                    break;
                };
                report.backtracks += 1;
                if !s.phi.is_finite() || !armijo(&s) || s.phi >= lo.phi {
                    hi = s;
                } else {
                    if strong_curvature(&s) {
                        report.sufficient_decrease = true;
                        report.curvature = Some(true);
                        return Ok(report);
                    }
                    if s.slope * (hi.alpha - lo.alpha) >= 0.0 {
                        hi = lo;
                    }
                    lo = s;
                    best = Some(s);
                }
            }
        }
        // The best point is in the buffers when it was the last one
        // evaluated; otherwise it is evaluated again, if the budget allows.
        let restored = best.filter(|b| b.alpha > 0.0).is_some_and(|b| {
            report.step == b.alpha && report.gradient_evaluated
                || sample(b.alpha, &mut report, x_new, g_new).is_some()
        });
        if restored {
            report.sufficient_decrease = true;
            report.curvature = Some(false);
        } else {
            report.sufficient_decrease = false;
            report.gradient_evaluated = false;
        }
        Ok(report)
    }
}

/// The minimiser of the cubic interpolating `φ` and `φ'` at both ends of the
/// bracket (N&W eq. 3.59), kept inside the middle 80 % of the bracket;
/// bisection when the cubic has no real minimiser there.
fn interpolate(a: &Sample, b: &Sample) -> f64 {
    let (left, right) = if a.alpha < b.alpha {
        (a.alpha, b.alpha)
    } else {
        (b.alpha, a.alpha)
    };
    let width = right - left;
    let d1 = a.slope + b.slope - 3.0 * (a.phi - b.phi) / (a.alpha - b.alpha);
    let disc = d1 * d1 - a.slope * b.slope;
    let mid = 0.5 * (left + right);
    if disc.is_nan() || disc < 0.0 || disc.is_infinite() {
        return mid;
    }
    let d2 = (b.alpha - a.alpha).signum() * disc.sqrt();
    let alpha =
        b.alpha - (b.alpha - a.alpha) * (b.slope + d2 - d1) / (b.slope - a.slope + 2.0 * d2);
    if alpha.is_finite() && alpha >= left + 0.1 * width && alpha <= right - 0.1 * width {
        alpha
    } else {
        mid
    }
}

/// Evaluate the point a precomputed step gives: `x_new = x + α p`,
/// `f(x_new)` and `g_new = ∇f(x_new)`, reporting whether sufficient decrease
/// with `c₁ = 10⁻⁴` happened to hold (nothing is enforced).
///
/// # Errors
/// If `alpha` is not finite.
pub fn fixed_step(
    eval: &mut Evaluator<'_>,
    ray: &Ray<'_>,
    alpha: f64,
    x_new: &mut [f64],
    g_new: &mut [f64],
) -> Result<LineSearchReport, Error> {
    validate::finite("fixed step", "α", alpha)?;
    ray.trial(alpha, x_new);
    let value = eval.value_and_gradient(x_new, g_new);
    Ok(LineSearchReport {
        step: alpha,
        value,
        evaluations: 1,
        backtracks: 0,
        sufficient_decrease: value <= ray.f + 1e-4 * alpha * ray.slope(),
        approximate_decrease: false,
        curvature: None,
        gradient_evaluated: true,
    })
}

/// The exact line search on a quadratic: the minimiser of `φ(α)` when `f` is
/// quadratic with Hessian `A`, `α = −gᵀp / pᵀAp` (for `p = −g`, `α = gᵀg / gᵀAg`;
/// Cauchy's steepest descent with exact steps, N&W eq. 3.26). `Ap` comes from
/// one Hessian-vector product at `x`, computed into `g_new` before `g_new` is
/// overwritten with `∇f(x_new)`.
///
/// # Errors
/// If `p` is not a descent direction, the objective provides no Hessian-vector
/// product, or `pᵀAp ≤ 0` (no minimiser along `p`).
pub fn exact_quadratic(
    eval: &mut Evaluator<'_>,
    ray: &Ray<'_>,
    x_new: &mut [f64],
    g_new: &mut [f64],
) -> Result<LineSearchReport, Error> {
    const NAME: &str = "exact quadratic line search";
    let slope = ray.descent_slope(NAME)?;
    eval.hessian_vector_product(ray.x, ray.direction, g_new)?;
    let curvature = dot(ray.direction, g_new);
    if curvature.is_nan() || curvature <= 0.0 {
        return Err(Error::invalid(
            NAME,
            format!(
                "pᵀAp = {} ≤ 0: f has no minimiser along p",
                display_number(curvature)
            ),
        ));
    }
    let mut report = fixed_step(eval, ray, -slope / curvature, x_new, g_new)?;
    report.sufficient_decrease = report.value <= ray.f + 1e-4 * report.step * slope;
    Ok(report)
}

/// Polyak's step for a known optimal value `f*`: the step at which the
/// linearisation `f(x) + α ∇f(x)ᵀp` reaches `f*`, `α = (f(x) − f*) / (−∇f(x)ᵀp)`,
/// which for `p = −∇f` is `(f − f*) / ‖∇f‖²`; then the point is evaluated as in
/// [`fixed_step`]. Reference: Polyak (1987), §5.3.
///
/// # Errors
/// If `f_star` is not finite, `f(x) < f*`, or `p` is not a descent direction.
pub fn polyak(
    eval: &mut Evaluator<'_>,
    ray: &Ray<'_>,
    f_star: f64,
    x_new: &mut [f64],
    g_new: &mut [f64],
) -> Result<LineSearchReport, Error> {
    const NAME: &str = "Polyak step";
    validate::finite(NAME, "f*", f_star)?;
    if ray.f < f_star {
        return Err(Error::invalid(
            NAME,
            format!(
                "f(x) = {} is below the given f* = {}",
                display_number(ray.f),
                display_number(f_star)
            ),
        ));
    }
    let slope = ray.descent_slope(NAME)?;
    fixed_step(eval, ray, (ray.f - f_star) / -slope, x_new, g_new)
}

/// Which Barzilai–Borwein step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BarzilaiBorwein {
    /// BB1, the "long" step `α = sᵀs / sᵀy` (a scalar secant `α⁻¹ s ≈ y` in least squares over α⁻¹).
    Long,
    /// BB2, the "short" step `α = sᵀy / yᵀy` (least squares over α).
    Short,
}

/// The Barzilai–Borwein step from `s = x_k − x_{k−1}` and `y = ∇f_k − ∇f_{k−1}`:
/// BB1 `sᵀs / sᵀy`, BB2 `sᵀy / yᵀy` (Barzilai & Borwein 1988). For a quadratic
/// with Hessian `A` both lie in `[1/λ_max, 1/λ_min]`.
///
/// Returns `None` when `sᵀy ≤ 0` or the step is not finite (no positive
/// curvature along s: the caller falls back to another step).
pub fn barzilai_borwein(variant: BarzilaiBorwein, s: &[f64], y: &[f64]) -> Option<f64> {
    let sy = dot(s, y);
    if sy.is_nan() || sy <= 0.0 {
        return None;
    }
    let alpha = match variant {
        BarzilaiBorwein::Long => dot(s, s) / sy,
        BarzilaiBorwein::Short => sy / dot(y, y),
    };
    (alpha.is_finite() && alpha > 0.0).then_some(alpha)
}

/// `‖∇f‖₂`, a helper for callers choosing a first step `α₀ = 1/‖∇f‖`.
pub fn gradient_norm(ray: &Ray<'_>) -> f64 {
    norm_2(ray.grad)
}

#[cfg(test)]
mod tests {
    //! Line searches on closed-form functions: a quadratic `½xᵀAx − bᵀx`
    //! (exact step known) and the Rosenbrock function.

    use super::*;
    use descent_core::{Capabilities, Objective};
    use descent_linalg::{Mat, MatMut, matvec};

    /// `f(x) = ½ xᵀAx − bᵀx`, `∇f = Ax − b`, `∇²f = A`.
    struct Quadratic {
        a: Mat<f64>,
        b: Vec<f64>,
    }

    impl Objective for Quadratic {
        fn dim(&self) -> usize {
            self.b.len()
        }
        fn value(&mut self, x: &[f64]) -> f64 {
            let mut ax = vec![0.0; x.len()];
            matvec(self.a.as_ref(), x, &mut ax);
            0.5 * dot(x, &ax) - dot(&self.b, x)
        }
        fn gradient(&mut self, x: &[f64], g: &mut [f64]) {
            matvec(self.a.as_ref(), x, g);
            for (gi, bi) in g.iter_mut().zip(&self.b) {
                *gi -= bi;
            }
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

    /// Rosenbrock `f = (1 − x)² + 100 (y − x²)²`, minimum 0 at (1, 1).
    struct Rosenbrock;

    impl Objective for Rosenbrock {
        fn dim(&self) -> usize {
            2
        }
        fn value(&mut self, x: &[f64]) -> f64 {
            (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2)
        }
        fn gradient(&mut self, x: &[f64], g: &mut [f64]) {
            let t = x[1] - x[0] * x[0];
            g[0] = -2.0 * (1.0 - x[0]) - 400.0 * x[0] * t;
            g[1] = 200.0 * t;
        }
    }

    fn quadratic() -> Quadratic {
        // A = [[3, 1], [1, 2]] (eigenvalues (5 ± √5)/2 > 0), b = (1, −1).
        Quadratic {
            a: Mat::from_fn(2, 2, |i, j| [[3.0, 1.0], [1.0, 2.0]][i][j]),
            b: vec![1.0, -1.0],
        }
    }

    fn check_strong_wolfe(
        obj: &mut dyn Objective,
        x: &[f64],
        direction: Option<&[f64]>,
        alpha0: f64,
    ) {
        let n = x.len();
        let mut eval = Evaluator::new(obj);
        let mut g = vec![0.0; n];
        let f = eval.value_and_gradient(x, &mut g);
        let p: Vec<f64> = direction.map_or_else(|| g.iter().map(|v| -v).collect(), <[f64]>::to_vec);
        let ray = Ray {
            x,
            f,
            grad: &g,
            direction: &p,
        };
        let (mut xn, mut gn) = (vec![0.0; n], vec![0.0; n]);
        let search = StrongWolfe::default();
        let r = search
            .search(&mut eval, &ray, alpha0, &mut xn, &mut gn)
            .unwrap();
        assert!(r.success(), "{r:?}");
        // Conditions checked independently at the returned point.
        let f_new = eval.value(&xn);
        let mut g_check = vec![0.0; n];
        eval.gradient(&xn, &mut g_check);
        assert_eq!(f_new, r.value);
        assert_eq!(g_check, gn);
        let slope0 = dot(&g, &p);
        assert!(f_new <= f + 1e-4 * r.step * slope0);
        assert!(dot(&g_check, &p).abs() <= 0.9 * slope0.abs());
        for i in 0..n {
            assert!((xn[i] - (x[i] + r.step * p[i])).abs() <= 1e-15 * (1.0 + xn[i].abs()));
        }
    }

    /// `f(x)`, `∇f(x)` and the steepest-descent direction `p = −∇f(x)` at a 2-D `x`.
    fn steepest_descent_start(eval: &mut Evaluator<'_>, x: &[f64; 2]) -> (f64, [f64; 2], [f64; 2]) {
        let mut g = [0.0; 2];
        let f = eval.value_and_gradient(x, &mut g);
        (f, g, [-g[0], -g[1]])
    }

    #[test]
    fn strong_wolfe_holds_on_rosenbrock_from_several_points() {
        for (x, alpha0) in [
            ([-1.2, 1.0], 1.0),
            ([-1.2, 1.0], 1e-4),
            ([0.0, 0.0], 1.0),
            ([2.0, -1.0], 0.5),
            ([0.5, 0.9], 10.0),
        ] {
            check_strong_wolfe(&mut Rosenbrock, &x, None, alpha0);
        }
        // Along a Newton-like direction pointing to the minimiser.
        check_strong_wolfe(&mut Rosenbrock, &[-1.2, 1.0], Some(&[0.0247, 0.3807]), 1.0);
    }

    #[test]
    fn strong_wolfe_holds_on_a_quadratic_for_small_and_large_first_steps() {
        for alpha0 in [1e-6, 0.1, 1.0, 100.0] {
            check_strong_wolfe(&mut quadratic(), &[2.0, 3.0], None, alpha0);
        }
    }

    #[test]
    fn armijo_condition_holds_on_return_and_backtracks_are_counted() {
        let mut obj = Rosenbrock;
        let mut eval = Evaluator::new(&mut obj);
        let x = [-1.2, 1.0];
        let (f, g, p) = steepest_descent_start(&mut eval, &x);
        let ray = Ray {
            x: &x,
            f,
            grad: &g,
            direction: &p,
        };
        let (mut xn, mut gn) = ([0.0; 2], [0.0; 2]);
        let r = Armijo::default()
            .search(&mut eval, &ray, 1.0, &mut xn, &mut gn)
            .unwrap();
        assert!(r.success());
        // ‖∇f(−1.2, 1)‖ ≈ 232.9: α = 2⁻ᵏ must fall to ≈ 10⁻³ before f decreases.
        assert_eq!(r.step, 0.5f64.powi(r.backtracks as i32));
        assert_eq!(r.evaluations, r.backtracks + 1);
        assert!(r.backtracks >= 8);
        assert!(r.value <= f + 1e-4 * r.step * dot(&g, &p));
        // The step before the accepted one violated the condition.
        let prev = 2.0 * r.step;
        let xp = [x[0] + prev * p[0], x[1] + prev * p[1]];
        assert!(Rosenbrock.value(&xp) > f + 1e-4 * prev * dot(&g, &p));
        let mut g_ref = [0.0; 2];
        Rosenbrock.gradient(&xn, &mut g_ref);
        assert_eq!(g_ref, gn);
    }

    #[test]
    fn armijo_reports_failure_when_budget_is_too_small() {
        let mut obj = Rosenbrock;
        let mut eval = Evaluator::new(&mut obj);
        let x = [-1.2, 1.0];
        let (f, g, p) = steepest_descent_start(&mut eval, &x);
        let ray = Ray {
            x: &x,
            f,
            grad: &g,
            direction: &p,
        };
        let (mut xn, mut gn) = ([0.0; 2], [0.0; 2]);
        let r = Armijo::new(1e-4, 0.5, 2)
            .unwrap()
            .search(&mut eval, &ray, 1.0, &mut xn, &mut gn)
            .unwrap();
        assert!(!r.success());
        assert_eq!(r.backtracks, 2);
        assert!(!r.gradient_evaluated);
    }

    #[test]
    fn exact_step_gives_orthogonal_successive_gradients() {
        let mut obj = quadratic();
        let mut eval = Evaluator::new(&mut obj);
        let mut x = vec![2.0, 3.0];
        let mut g = vec![0.0; 2];
        let mut f = eval.value_and_gradient(&x, &mut g);
        let (mut xn, mut gn) = (vec![0.0; 2], vec![0.0; 2]);
        for _ in 0..5 {
            let p: Vec<f64> = g.iter().map(|v| -v).collect();
            let ray = Ray {
                x: &x,
                f,
                grad: &g,
                direction: &p,
            };
            let r = exact_quadratic(&mut eval, &ray, &mut xn, &mut gn).unwrap();
            // α = gᵀg / gᵀAg by hand.
            let ag = [3.0 * g[0] + g[1], g[0] + 2.0 * g[1]];
            let expected = dot(&g, &g) / dot(&g, &ag);
            assert!((r.step - expected).abs() <= 1e-14 * expected);
            let cos = dot(&g, &gn) / (norm_2(&g) * norm_2(&gn));
            assert!(cos.abs() <= 1e-10, "cos = {cos}");
            x.copy_from_slice(&xn);
            g.copy_from_slice(&gn);
            f = r.value;
        }
    }

    #[test]
    fn polyak_step_on_a_one_dimensional_quadratic_lands_at_the_expected_point() {
        // f(x) = ½·3x² + x·(0) on the diagonal quadratic A = diag(3, 2), b = 0;
        // from x = (1, 0): f = 1.5, ∇f = (3, 0), α = 1.5/9 = 1/6, x_new = (0.5, 0).
        let mut obj = Quadratic {
            a: Mat::from_fn(2, 2, |i, j| if i == j { 3.0 - i as f64 } else { 0.0 }),
            b: vec![0.0; 2],
        };
        let mut eval = Evaluator::new(&mut obj);
        let x = [1.0, 0.0];
        let g = [3.0, 0.0];
        let p = [-3.0, 0.0];
        let ray = Ray {
            x: &x,
            f: 1.5,
            grad: &g,
            direction: &p,
        };
        let (mut xn, mut gn) = ([0.0; 2], [0.0; 2]);
        let r = polyak(&mut eval, &ray, 0.0, &mut xn, &mut gn).unwrap();
        assert!((r.step - 1.0 / 6.0).abs() < 1e-15);
        assert!((xn[0] - 0.5).abs() < 1e-15);
        assert!((r.value - 0.375).abs() < 1e-15);
        assert!(polyak(&mut eval, &ray, 2.0, &mut xn, &mut gn).is_err());
    }

    #[test]
    fn barzilai_borwein_steps_match_hand_values() {
        // s = (1, 1), y = A s = (4, 3) for A = [[3,1],[1,2]]: sᵀs = 2, sᵀy = 7, yᵀy = 25.
        let s = [1.0, 1.0];
        let y = [4.0, 3.0];
        assert_eq!(
            barzilai_borwein(BarzilaiBorwein::Long, &s, &y),
            Some(2.0 / 7.0)
        );
        assert_eq!(
            barzilai_borwein(BarzilaiBorwein::Short, &s, &y),
            Some(7.0 / 25.0)
        );
        assert_eq!(
            barzilai_borwein(BarzilaiBorwein::Long, &s, &[-1.0, 0.0]),
            None
        );
    }

    #[test]
    fn bad_settings_and_ascent_directions_are_rejected_with_their_values() {
        let msg = |e: Error| e.to_string();
        assert_eq!(
            msg(Armijo::new(1.5, 0.5, 10).unwrap_err()),
            "Armijo line search: c₁ must be in (0, 1), got 1.5"
        );
        assert_eq!(
            msg(Armijo::new(1e-4, 0.0, 10).unwrap_err()),
            "Armijo line search: shrink factor ρ must be in (0, 1), got 0"
        );
        assert_eq!(
            msg(Armijo::new(1e-4, 0.5, 0).unwrap_err()),
            "Armijo line search: max backtracks must be ≥ 1, got 0"
        );
        assert_eq!(
            msg(StrongWolfe::new(0.5, 0.4, 1.0, 10).unwrap_err()),
            "strong Wolfe line search: c₂ must be > c₁, got 0.4 with c₁ = 0.5"
        );
        assert_eq!(
            msg(StrongWolfe::new(1e-4, 0.9, -1.0, 10).unwrap_err()),
            "strong Wolfe line search: α_max must be finite and > 0, got -1"
        );
        let mut obj = quadratic();
        let mut eval = Evaluator::new(&mut obj);
        let x = [1.0, 1.0];
        let g = [1.0, 1.0];
        let ray = Ray {
            x: &x,
            f: 0.0,
            grad: &g,
            direction: &g,
        };
        let (mut xn, mut gn) = ([0.0; 2], [0.0; 2]);
        assert_eq!(
            msg(Armijo::default()
                .search(&mut eval, &ray, 1.0, &mut xn, &mut gn)
                .unwrap_err()),
            "Armijo line search: direction is not a descent direction: ∇f(x)ᵀp = 2"
        );
        assert_eq!(
            msg(StrongWolfe::default()
                .search(&mut eval, &ray, 1.0, &mut xn, &mut gn)
                .unwrap_err()),
            "strong Wolfe line search: direction is not a descent direction: ∇f(x)ᵀp = 2"
        );
        let descent = [-1.0, -1.0];
        let ray = Ray {
            x: &x,
            f: 0.0,
            grad: &g,
            direction: &descent,
        };
        assert_eq!(
            msg(Armijo::default()
                .search(&mut eval, &ray, 0.0, &mut xn, &mut gn)
                .unwrap_err()),
            "Armijo line search: initial step α₀ must be finite and > 0, got 0"
        );
        assert_eq!(
            msg(polyak(&mut eval, &ray, 2.0, &mut xn, &mut gn).unwrap_err()),
            "Polyak step: f(x) = 0 is below the given f* = 2"
        );
        assert_eq!(
            msg(fixed_step(&mut eval, &ray, f64::NAN, &mut xn, &mut gn).unwrap_err()),
            "fixed step: α must be finite, got NaN"
        );
        // Negative curvature along p: A = −I, x = (1, 0), b = 0: ∇f = (−1, 0), p = (1, 0),
        // pᵀAp = −1.
        let mut concave = Quadratic {
            a: Mat::from_fn(2, 2, |i, j| if i == j { -1.0 } else { 0.0 }),
            b: vec![0.0; 2],
        };
        let mut eval = Evaluator::new(&mut concave);
        let (x, g, p) = ([1.0, 0.0], [-1.0, 0.0], [1.0, 0.0]);
        let ray = Ray {
            x: &x,
            f: -0.5,
            grad: &g,
            direction: &p,
        };
        assert_eq!(
            msg(exact_quadratic(&mut eval, &ray, &mut xn, &mut gn).unwrap_err()),
            "exact quadratic line search: pᵀAp = -1 ≤ 0: f has no minimiser along p"
        );
    }

    /// `f(x) = x² − 2ax + (a² + 1)` with `a = 12.3`: minimum 1 at `x = a`. Written
    /// expanded so that, as in a sum of many terms, the value at the minimiser
    /// carries rounding error of a few ulp of `x²` (≈ 150), far above the true
    /// decrease `(x − a)²` of a step from `x = a + 2·10⁻⁹`.
    struct ExpandedQuadratic;

    const A: f64 = 12.3;

    impl Objective for ExpandedQuadratic {
        fn dim(&self) -> usize {
            1
        }
        fn value(&mut self, x: &[f64]) -> f64 {
            x[0] * x[0] - 2.0 * A * x[0] + (A * A + 1.0)
        }
        fn gradient(&mut self, x: &[f64], g: &mut [f64]) {
            g[0] = 2.0 * x[0] - 2.0 * A;
        }
    }

    /// Search from `x` along `p` with `search`, returning the report and `x_new`.
    fn search_expanded(search: Armijo, x: f64, p: f64) -> (LineSearchReport, f64, f64, usize) {
        let mut obj = ExpandedQuadratic;
        let mut eval = Evaluator::new(&mut obj);
        let mut g = [0.0];
        let f = eval.value_and_gradient(&[x], &mut g);
        let ray = Ray {
            x: &[x],
            f,
            grad: &g,
            direction: &[p],
        };
        let (mut xn, mut gn) = ([0.0], [0.0]);
        let before = eval.counts().gradient;
        let r = search
            .search(&mut eval, &ray, 1.0, &mut xn, &mut gn)
            .unwrap();
        let gradients = eval.counts().gradient - before;
        (r, xn[0], f, gradients)
    }

    #[test]
    fn roundoff_tolerance_accepts_a_newton_step_rejected_only_by_rounding() {
        // x = a + 2e-9, Newton step p = −f′/f″ = −(x − a) lands on x = a exactly:
        // the true change is −(x − a)² = −4e-18, but the computed f rises from
        // 1 − 2.84e-14 to 1 (one ulp of x² ≈ 151 is 2.84e-14), so the exact
        // Armijo test rejects α = 1.
        let x = A + 2e-9;
        let p = -(2.0 * x - 2.0 * A) / 2.0;
        assert_eq!(x + p, A);
        let (exact, _, f0, _) = search_expanded(Armijo::default(), x, p);
        assert!(ExpandedQuadratic.value(&[A]) > f0 + 1e-4 * p * (2.0 * x - 2.0 * A));
        assert!(exact.backtracks > 0 && exact.step < 1.0, "{exact:?}");
        assert!(!exact.approximate_decrease);
        // The approximate test: f(a) − f(x) = 2.84e-14 ≤ 1e-12·|f| and
        // φ′(1) = f′(a)·p = 0 ≤ (2c₁ − 1)φ′(0) = 0.9998·(x − a)²·2 > 0: α = 1 is taken,
        // and the gradient evaluated for the test is the accepted point's.
        let search = Armijo::default()
            .with_roundoff_tolerance(Armijo::DEFAULT_ROUNDOFF_TOLERANCE)
            .unwrap();
        assert_eq!(search.roundoff_tolerance(), Some(1e-12));
        let (r, xn, _, gradients) = search_expanded(search, x, p);
        assert_eq!((r.step, r.backtracks, xn), (1.0, 0, A));
        assert!(r.success() && r.approximate_decrease && r.sufficient_decrease);
        assert_eq!(gradients, 1);
    }

    #[test]
    fn roundoff_tolerance_still_rejects_a_genuine_increase() {
        // Overshoot by 2.2× from x = a + 4e-9: x + p = a − 4.8e-9. The true increase
        // (4.8² − 4²)·1e-18 = 7e-18 is far below round-off (the computed f rises by one
        // ulp, 2.84e-14, so the exact test rejects α = 1 and the value inequality
        // holds), but φ′(1) = 2(−4.8e-9)(−8.8e-9) = 8.45e-17 > (1 − 2c₁)|φ′(0)| =
        // 0.9998·7.04e-17: still rejected. α = ½ lands at a − 4e-10 and passes the
        // exact test.
        let search = Armijo::default()
            .with_roundoff_tolerance(Armijo::DEFAULT_ROUNDOFF_TOLERANCE)
            .unwrap();
        let x = A + 4e-9;
        let p = -2.2 * (x - A);
        let (exact, _, _, _) = search_expanded(Armijo::default(), x, p);
        assert_eq!(exact.step, 0.5);
        let (r, _, _, _) = search_expanded(search, x, p);
        assert!(r.success(), "{r:?}");
        assert_eq!((r.step, r.approximate_decrease), (0.5, false));
        // A large increase fails the value inequality: from x = a + 1 along p = −3,
        // α = 1 gives f = 1 + 4 > f(x) = 2; α = ½ gives 1 + 0.25 < 2 (exact test).
        let (r, xn, _, _) = search_expanded(search, A + 1.0, -3.0);
        assert_eq!((r.step, r.approximate_decrease, xn), (0.5, false, A - 0.5));
    }

    #[test]
    fn roundoff_tolerance_is_validated() {
        for bad in [-1e-12, f64::NAN, f64::INFINITY] {
            let e = Armijo::default().with_roundoff_tolerance(bad).unwrap_err();
            assert!(e.to_string().contains("round-off tolerance ε_f"), "{e}");
        }
        assert_eq!(Armijo::default().roundoff_tolerance(), None);
    }

    #[test]
    fn rejected_trials_count_every_trial_but_the_accepted_one() {
        // Armijo on Rosenbrock from (−1.2, 1) backtracks ≥ 8 times: all but the last trial
        // were rejected, which is exactly `backtracks`.
        let mut obj = Rosenbrock;
        let mut eval = Evaluator::new(&mut obj);
        let x = [-1.2, 1.0];
        let (f, g, p) = steepest_descent_start(&mut eval, &x);
        let ray = Ray {
            x: &x,
            f,
            grad: &g,
            direction: &p,
        };
        let (mut xn, mut gn) = ([0.0; 2], [0.0; 2]);
        let r = Armijo::default()
            .search(&mut eval, &ray, 1.0, &mut xn, &mut gn)
            .unwrap();
        assert_eq!(r.rejected_trials(), r.backtracks);
        // A failed search rejected every trial: 2 backtracks, 3 evaluations.
        let r = Armijo::new(1e-4, 0.5, 2)
            .unwrap()
            .search(&mut eval, &ray, 1.0, &mut xn, &mut gn)
            .unwrap();
        assert_eq!((r.evaluations, r.rejected_trials()), (3, 3));
        // Strong Wolfe on the quadratic along −∇f from a tiny α₁: it doubles (rejecting
        // each short step) and the accepted step is the last trial.
        let mut q = quadratic();
        let mut eval = Evaluator::new(&mut q);
        let x = [2.0, 3.0];
        let (f, g, p) = steepest_descent_start(&mut eval, &x);
        let ray = Ray {
            x: &x,
            f,
            grad: &g,
            direction: &p,
        };
        let r = StrongWolfe::default()
            .search(&mut eval, &ray, 1e-6, &mut xn, &mut gn)
            .unwrap();
        assert!(r.success() && r.evaluations > 1);
        assert_eq!(r.rejected_trials(), r.evaluations - 1);
        // From the exact step α* = gᵀg/gᵀAg the first trial is accepted: g = Ax − b = (8, 9),
        // Ag = (33, 26), α* = 145/498, and φ'(α*) = 0. Nothing was rejected.
        let r = StrongWolfe::default()
            .search(&mut eval, &ray, 145.0 / 498.0, &mut xn, &mut gn)
            .unwrap();
        assert_eq!((r.evaluations, r.rejected_trials()), (1, 0));
    }
}
