//! The Robbins–Monro conditions for a schedule: Σηₖ = ∞ (the iterate can reach
//! any optimum) and Σηₖ² < ∞ (the noise it injects stays bounded).
//!
//! Robbins & Monro, "A stochastic approximation method", Ann. Math. Statist. 22
//! (1951); the lecture's decay-schedule discussion and its reachability bound:
//! with |f′| < B the iterate travels at most B·Σηₖ.

use descent_core::{Error, validate};
use serde::Serialize;

use crate::schedule::{Schedule, ScheduleSpec};

/// The numbers of terms K at which partial sums are reported: 10, 10², …, 10⁶.
pub const PARTIAL_SUM_TERMS: [usize; 6] = [10, 100, 1_000, 10_000, 100_000, 1_000_000];

/// Whether an infinite series of non-negative terms converges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Series {
    /// The sum is finite.
    Converges,
    /// The sum is infinite.
    Diverges,
    /// Cannot be decided from the schedule alone (reduce-on-plateau with
    /// η_min = 0: it depends on the losses observed).
    Undecided,
}

/// `Σ_{k<K} ηₖ` and `Σ_{k<K} ηₖ²` for one K.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PartialSums {
    /// K, the number of terms (k = 0, …, K − 1).
    pub terms: usize,
    /// `Σ_{k<K} ηₖ`.
    pub sum: f64,
    /// `Σ_{k<K} ηₖ²`.
    pub sum_of_squares: f64,
}

/// The Robbins–Monro verdict on a schedule, with the numbers beside it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RobbinsMonro {
    /// Σηₖ: must diverge.
    pub sum: Series,
    /// Σηₖ²: must converge.
    pub sum_of_squares: Series,
    /// The rule that decided it ("p-series with p = 0.75: Σ diverges (p ≤ 1), Σ² converges (2p > 1)").
    pub reason: String,
    /// `Σ_{k≥0} ηₖ`: finite when `sum` converges, `+∞` otherwise (and when undecided).
    pub total: f64,
    /// Partial sums at K ∈ [`PARTIAL_SUM_TERMS`] (empty when the schedule
    /// depends on observed losses).
    pub partial_sums: Vec<PartialSums>,
}

impl RobbinsMonro {
    /// Both conditions hold: Σηₖ = ∞ and Σηₖ² < ∞.
    pub fn satisfied(&self) -> bool {
        self.sum == Series::Diverges && self.sum_of_squares == Series::Converges
    }

    /// The lecture's reachability bound `B · Σηₖ`: with `|f′| < B` the iterate
    /// can travel at most this far from x₀ (`+∞` when Σηₖ diverges).
    ///
    /// # Errors
    /// B not finite and > 0.
    pub fn reach_bound(&self, gradient_bound: f64) -> Result<f64, Error> {
        validate::positive("reachability bound", "B", gradient_bound)?;
        Ok(gradient_bound * self.total)
    }
}

/// Neumaier's compensated sum, so 10⁶ terms lose nothing to rounding.
#[derive(Default, Clone, Copy)]
struct CompensatedSum {
    sum: f64,
    compensation: f64,
}

impl CompensatedSum {
    fn add(&mut self, x: f64) {
        let t = self.sum + x;
        if self.sum.abs() >= x.abs() {
            self.compensation += (self.sum - t) + x;
        } else {
            self.compensation += (x - t) + self.sum;
        }
        self.sum = t;
    }
    fn value(&self) -> f64 {
        self.sum + self.compensation
    }
}

/// `S(τ, p) = Σ_{k≥0} (1 + k/τ)^{−p}` for p > 1, τ > 0, computed in the scaled
/// variable `u_k = 1 + k/τ` so that no factor can overflow or underflow on its
/// own (the closed form `τ^p ζ(p, τ)` with the Hurwitz zeta function is `0·∞`
/// for τ = 0.01, p = 200 and `∞` for τ = 10³, p = 103).
///
/// Terms `g(k) = u_k^{−p} ≤ 1` are summed directly (compensated) up to
/// `N = max(20, ⌈2(p + 12) − τ⌉)`, or until the remaining tail, bounded by
/// `g(k)(1 + (τ + k)/(p − 1))`, is below 10⁻¹⁷ of the sum. The tail from N on is
/// Euler–Maclaurin in the same variable, with `x = τ + N = τ u_N`:
/// `Σ_{k≥N} g(k) = g(N) [x/(p − 1) + ½ + Σ_{j=1}^{6} B_{2j}/(2j)! · (p)_{2j−1} / x^{2j−1}] + R`,
/// where `(p)_m` is the rising factorial. Since `x ≥ 2(p + 12)`, each
/// `(p)_{2j−1}/x^{2j−1} ≤ 2^{1−2j}` and the remainder R is below 10⁻¹⁵ of the
/// tail. Reference: DLMF 2.10.1 (Euler–Maclaurin), 25.11 (Hurwitz zeta).
pub(crate) fn inverse_time_sum(tau: f64, p: f64) -> f64 {
    // B_{2j} / (2j)!, j = 1..6.
    const BERNOULLI_OVER_FACTORIAL: [f64; 6] = [
        1.0 / 12.0,
        -1.0 / 720.0,
        1.0 / 30_240.0,
        -1.0 / 1_209_600.0,
        1.0 / 47_900_160.0,
        -691.0 / 1_307_674_368_000.0,
    ];
    let term = |k: f64| (1.0 + k / tau).powf(-p);
    let direct_terms = (2.0 * (p + 12.0) - tau).ceil().max(20.0);
    let mut head = CompensatedSum::default();
    let mut k = 0.0;
    while k < direct_terms {
        let g = term(k);
        head.add(g);
        // Everything from k + 1 on is at most g(k)(1 + (τ + k)/(p − 1)).
        if g * (1.0 + (tau + k) / (p - 1.0)) <= 1e-17 * head.value() {
            return head.value();
        }
        k += 1.0;
    }
    let x = tau + direct_terms;
    let mut bracket = x / (p - 1.0) + 0.5;
    // (p)_{2j−1} / x^{2j−1}, built up factor by factor.
    let mut ratio = p / x;
    for (j, c) in BERNOULLI_OVER_FACTORIAL.iter().enumerate() {
        bracket += c * ratio;
        let m = 2.0 * j as f64;
        ratio *= (p + m + 1.0) / x * ((p + m + 2.0) / x);
    }
    head.value() + term(direct_terms) * bracket
}

impl ScheduleSpec {
    /// `(Σηₖ, Σηₖ², reason)` decided analytically.
    fn series(&self) -> (Series, Series, String) {
        use Series::{Converges, Diverges};
        let constant_tail = |what: &str| {
            (
                Diverges,
                Diverges,
                format!("{what}: η_k → const > 0, so Σ and Σ² both grow like K"),
            )
        };
        let finite = |what: &str| (Converges, Converges, format!("{what}: both sums finite"));
        match self {
            Self::Constant { .. } => constant_tail("constant"),
            Self::InverseTime { power, .. } => {
                let sum = if *power <= 1.0 { Diverges } else { Converges };
                let squares = if 2.0 * power > 1.0 { Converges } else { Diverges };
                (
                    sum,
                    squares,
                    format!(
                        "p-series with p = {power}: Σ {} (diverges iff p ≤ 1), Σ² {} (converges iff 2p > 1)",
                        verb(sum),
                        verb(squares)
                    ),
                )
            }
            Self::Exponential { beta, .. } => {
                if *beta > 0.0 {
                    finite("geometric series with ratio e^{−β} < 1")
                } else {
                    constant_tail("exponential with β = 0")
                }
            }
            Self::StepDecay { gamma, .. } => {
                if *gamma < 1.0 {
                    finite("step decay with γ < 1 (geometric in blocks)")
                } else {
                    constant_tail("step decay with γ = 1")
                }
            }
            Self::PiecewiseConstant { .. } => constant_tail("piecewise constant, last value > 0"),
            Self::Polynomial { eta_end, .. } => {
                if *eta_end > 0.0 {
                    constant_tail("polynomial decay to η_end > 0")
                } else {
                    finite("polynomial decay to 0: finitely many non-zero terms")
                }
            }
            Self::Cosine { eta_min, .. } => {
                if *eta_min > 0.0 {
                    constant_tail("cosine annealing to η_min > 0")
                } else {
                    finite("cosine annealing to η_min = 0: finitely many non-zero terms")
                }
            }
            Self::CosineWarmRestarts { .. } => (
                Diverges,
                Diverges,
                "cosine with warm restarts: every cycle starts at η_max > 0, so Σ and Σ² gain ≥ η_max, η_max² per cycle"
                    .to_owned(),
            ),
            Self::Warmup { then, .. } => {
                let (s, q, reason) = then.series();
                (s, q, format!("warm-up changes finitely many terms; decided by the schedule after it: {reason}"))
            }
            Self::Sequence { schedules, .. } => {
                let last = &schedules[schedules.len() - 1];
                let (s, q, reason) = last.series();
                (s, q, format!("a sequence is decided by its last schedule: {reason}"))
            }
        }
    }

    /// `Σ_{k≥0} ηₖ` (`+∞` when it diverges), by closed form where one exists.
    fn total(&self) -> f64 {
        if self.series().0 == Series::Diverges {
            return f64::INFINITY;
        }
        match self {
            // η₀ Σ (1 + k/τ)^{−p} (= η₀ τ^p ζ(p, τ), summed in the scaled variable).
            Self::InverseTime { eta0, tau, power } => eta0 * inverse_time_sum(*tau, *power),
            // η₀ / (1 − e^{−β}).
            Self::Exponential { eta0, beta } => eta0 / -(-beta).exp_m1(),
            // Each block of s steps sums to s η₀ γ^i: s η₀ / (1 − γ).
            Self::StepDecay {
                eta0,
                gamma,
                step_size,
            } => *step_size as f64 * eta0 / (1.0 - gamma),
            // Σ_{k<T} (η_max/2)(1 + cos(πk/T)) = η_max (T + 1)/2, since Σ_{k<T} cos(πk/T) = 1.
            Self::Cosine {
                eta_max, period, ..
            } => eta_max * (*period as f64 + 1.0) / 2.0,
            Self::Polynomial { horizon, .. } => self.sum_first(*horizon).0,
            Self::Warmup { steps, then, .. } => self.sum_first(*steps).0 + then.total(),
            Self::Sequence {
                schedules,
                milestones,
            } => {
                let last_start = milestones.last().copied().unwrap_or(0);
                self.sum_first(last_start).0 + schedules[schedules.len() - 1].total()
            }
            // Every other family diverges.
            _ => f64::INFINITY,
        }
    }

    /// `(Σ_{k<n} ηₖ, Σ_{k<n} ηₖ²)` by compensated summation.
    fn sum_first(&self, n: usize) -> (f64, f64) {
        let (mut s, mut q) = (CompensatedSum::default(), CompensatedSum::default());
        for k in 0..n {
            let eta = self.eta(k);
            s.add(eta);
            q.add(eta * eta);
        }
        (s.value(), q.value())
    }

    fn partial_sums(&self) -> Vec<PartialSums> {
        match self {
            // Closed forms: Kη and Kη².
            Self::Constant { eta } => PARTIAL_SUM_TERMS
                .iter()
                .map(|&k| PartialSums {
                    terms: k,
                    sum: k as f64 * eta,
                    sum_of_squares: k as f64 * eta * eta,
                })
                .collect(),
            // Geometric: η₀ (1 − r^K)/(1 − r) with r = e^{−β}, and r² for the squares.
            Self::Exponential { eta0, beta } if *beta > 0.0 => PARTIAL_SUM_TERMS
                .iter()
                .map(|&k| {
                    let kf = k as f64;
                    let geometric = |b: f64| (-b * kf).exp_m1() / (-b).exp_m1();
                    PartialSums {
                        terms: k,
                        sum: eta0 * geometric(*beta),
                        sum_of_squares: eta0 * eta0 * geometric(2.0 * beta),
                    }
                })
                .collect(),
            // One pass over 10⁶ terms, read off at each K.
            _ => {
                let mut out = Vec::with_capacity(PARTIAL_SUM_TERMS.len());
                let (mut s, mut q) = (CompensatedSum::default(), CompensatedSum::default());
                let mut next = 0;
                for k in 0..PARTIAL_SUM_TERMS[PARTIAL_SUM_TERMS.len() - 1] {
                    let eta = self.eta(k);
                    s.add(eta);
                    q.add(eta * eta);
                    if k + 1 == PARTIAL_SUM_TERMS[next] {
                        out.push(PartialSums {
                            terms: k + 1,
                            sum: s.value(),
                            sum_of_squares: q.value(),
                        });
                        next += 1;
                    }
                }
                out
            }
        }
    }
}

fn verb(series: Series) -> &'static str {
    match series {
        Series::Converges => "converges",
        Series::Diverges => "diverges",
        Series::Undecided => "undecided",
    }
}

impl Schedule {
    /// The Robbins–Monro analysis: Σηₖ and Σηₖ² decided analytically per family
    /// (p-series rule for inverse time: Σ diverges iff p ≤ 1, Σ² converges iff
    /// p > ½; geometric sums are finite; a constant tail fails Σ² < ∞; a periodic
    /// schedule fails it too; warm-up is decided by the schedule it wraps and a
    /// sequence by its last schedule), with partial sums at K = 10, …, 10⁶
    /// (closed forms for constant and exponential, otherwise one compensated
    /// pass over 10⁶ terms) and the total Σηₖ.
    pub fn robbins_monro(&self) -> RobbinsMonro {
        let (sum, sum_of_squares, reason) = self.spec().series();
        RobbinsMonro {
            sum,
            sum_of_squares,
            reason,
            total: self.total_sum(),
            partial_sums: self.spec().partial_sums(),
        }
    }

    /// `Σ_{k≥0} ηₖ`: `+∞` when it diverges, otherwise by closed form (inverse
    /// time with p > 1: `η₀ Σ (1 + k/τ)^{−p} = η₀ τ^p ζ(p, τ)`, the Hurwitz zeta
    /// function, evaluated in the scaled variable by direct terms and an
    /// Euler–Maclaurin tail so it is finite for every valid τ and p;
    /// exponential: `η₀/(1 − e^{−β})`; step decay: `s η₀/(1 − γ)`; cosine to 0:
    /// `η_max (T + 1)/2`) or by summing the finitely many leading terms.
    pub fn total_sum(&self) -> f64 {
        self.spec().total()
    }

    /// `(Σ_{k<n} ηₖ, Σ_{k<n} ηₖ²)`, by compensated summation (O(n)).
    pub fn partial_sum(&self, n: usize) -> (f64, f64) {
        self.spec().sum_first(n)
    }

    /// The lecture's reachability bound `B · Σηₖ`: with `|f′| < B` the iterate
    /// can move at most this far from x₀, so an optimum farther away is out of
    /// reach; `+∞` when Σηₖ diverges.
    ///
    /// # Errors
    /// B not finite and > 0.
    pub fn reach_bound(&self, gradient_bound: f64) -> Result<f64, Error> {
        validate::positive("reachability bound", "B", gradient_bound)?;
        Ok(gradient_bound * self.total_sum())
    }
}
