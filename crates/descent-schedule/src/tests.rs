//! Tests for descent-schedule: each family against its formula, the
//! Robbins–Monro verdicts, partial sums against known series, validation
//! messages and serde.

use std::f64::consts::PI;

use crate::{
    LearningRate, PARTIAL_SUM_TERMS, ReduceOnPlateau, ReduceOnPlateauSettings, Schedule,
    ScheduleSpec, Series, ThresholdMode,
};

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()).max(1e-300)
}

/// The schedule's η_k at each `(k, expected)` pair, to 1e-14 relative.
fn check(schedule: &Schedule, expected: &[(usize, f64)]) {
    for &(k, want) in expected {
        let got = schedule.learning_rate(k);
        assert!(
            close(got, want, 1e-14),
            "{schedule}: η_{k} = {got}, expected {want}"
        );
    }
}

/// The error message of a rejected spec.
fn rejected(spec: ScheduleSpec) -> String {
    match Schedule::try_from(spec) {
        Ok(s) => panic!("{s} was accepted"),
        Err(e) => e.to_string(),
    }
}

// ---------------------------------------------------------------- formulas

#[test]
fn constant_is_constant() {
    check(
        &Schedule::constant(0.3).unwrap(),
        &[(0, 0.3), (1, 0.3), (1_000_000, 0.3)],
    );
}

#[test]
fn inverse_time_covers_the_lectures_schedules() {
    // η₀/(k+1): k = 0 → 2, k = 3 → 2/4 = 0.5, k = 9 → 0.2.
    check(
        &Schedule::harmonic(2.0).unwrap(),
        &[(0, 2.0), (3, 0.5), (9, 0.2)],
    );
    // η₀/(k+1)²: k = 1 → 1/4, k = 4 → 1/25.
    check(
        &Schedule::inverse_time(1.0, 1.0, 2.0).unwrap(),
        &[(0, 1.0), (1, 0.25), (4, 0.04)],
    );
    // η₀/√(k+1): k = 3 → 1/2, k = 99 → 1/10.
    check(
        &Schedule::inverse_time(1.0, 1.0, 0.5).unwrap(),
        &[(3, 0.5), (99, 0.1)],
    );
    // τ = 10, p = 1: η halves at k = τ: 1/(1 + 10/10) = 0.5; k = 30 → 1/4.
    check(
        &Schedule::inverse_time(1.0, 10.0, 1.0).unwrap(),
        &[(10, 0.5), (30, 0.25)],
    );
}

#[test]
fn exponential_matches_formula() {
    // β = ln 2: η₀ 2^{−k}.
    let s = Schedule::exponential(1.0, 2f64.ln()).unwrap();
    check(&s, &[(0, 1.0), (1, 0.5), (10, 1.0 / 1024.0)]);
    // β = 0 is constant.
    check(
        &Schedule::exponential(0.7, 0.0).unwrap(),
        &[(0, 0.7), (500, 0.7)],
    );
}

#[test]
fn step_decay_matches_formula() {
    // η₀ γ^⌊k/3⌋ with γ = ½: k = 0..2 → 1, 3..5 → ½, 6 → ¼.
    let s = Schedule::step_decay(1.0, 0.5, 3).unwrap();
    check(
        &s,
        &[
            (0, 1.0),
            (2, 1.0),
            (3, 0.5),
            (5, 0.5),
            (6, 0.25),
            (30, 1.0 / 1024.0),
        ],
    );
}

#[test]
fn piecewise_constant_switches_at_milestones() {
    let s = Schedule::piecewise_constant(vec![1.0, 0.1, 0.01], vec![5, 8]).unwrap();
    check(
        &s,
        &[
            (0, 1.0),
            (4, 1.0),
            (5, 0.1),
            (7, 0.1),
            (8, 0.01),
            (1000, 0.01),
        ],
    );
}

#[test]
fn polynomial_decays_to_end_value() {
    // (1 − 0.1)(1 − k/10)² + 0.1: k = 0 → 1; k = 5 → 0.9·0.25 + 0.1 = 0.325; k ≥ 10 → 0.1.
    let s = Schedule::polynomial(1.0, 0.1, 10, 2.0).unwrap();
    check(&s, &[(0, 1.0), (5, 0.325), (10, 0.1), (11, 0.1)]);
}

#[test]
fn cosine_annealing_matches_formula() {
    // η_min + (η_max − η_min)(1 + cos(πk/T))/2 with T = 4: k = 2 → middle 0.55;
    // k = 1 → 0.1 + 0.9(1 + √½)/2; k ≥ 4 → η_min.
    let s = Schedule::cosine(1.0, 0.1, 4).unwrap();
    let k1 = 0.1 + 0.9 * (1.0 + 0.5f64.sqrt()) / 2.0;
    check(&s, &[(0, 1.0), (1, k1), (2, 0.55), (4, 0.1), (100, 0.1)]);
}

#[test]
fn sgdr_restarts_with_growing_periods() {
    // T₀ = 2, mult = 2: cycles [0,2), [2,6), [6,14). At k = 2 and 6: restart to η_max.
    // k = 1: T_cur = 1, T = 2 → (1 + cos(π/2))/2 = ½; k = 4: T_cur = 2, T = 4 → ½;
    // k = 10: T_cur = 4, T = 8 → ½.
    let s = Schedule::cosine_warm_restarts(1.0, 0.0, 2, 2).unwrap();
    check(
        &s,
        &[
            (0, 1.0),
            (1, 0.5),
            (2, 1.0),
            (4, 0.5),
            (6, 1.0),
            (10, 0.5),
            (14, 1.0),
        ],
    );
    // mult = 1: period 3 exactly: k = 3, 6, 3000 restart.
    let s = Schedule::cosine_warm_restarts(1.0, 0.0, 3, 1).unwrap();
    check(&s, &[(3, 1.0), (6, 1.0), (3000, 1.0), (3001, 0.75)]);
}

#[test]
fn warmup_ramps_then_hands_over() {
    // W = 4, s = 0.25 in front of η₀/(k+1) with η₀ = 2:
    // k < 4: 2(0.25 + 0.75 k/4): 0.5, 0.875, 1.25, 1.625; then 2/(k − 4 + 1).
    let s = Schedule::warmup(4, 0.25, Schedule::harmonic(2.0).unwrap()).unwrap();
    check(
        &s,
        &[
            (0, 0.5),
            (1, 0.875),
            (2, 1.25),
            (3, 1.625),
            (4, 2.0),
            (5, 1.0),
            (7, 0.5),
        ],
    );
}

#[test]
fn sequence_restarts_each_schedule_count() {
    // constant 1 on [0, 3), then η₀ = 0.5 exponential with β = ln 2 from k = 3 (local k − 3).
    let s = Schedule::sequence(
        vec![
            Schedule::constant(1.0).unwrap(),
            Schedule::exponential(0.5, 2f64.ln()).unwrap(),
        ],
        vec![3],
    )
    .unwrap();
    check(&s, &[(0, 1.0), (2, 1.0), (3, 0.5), (4, 0.25), (6, 0.0625)]);
}

// ---------------------------------------------------------------- Robbins–Monro

/// The analytic verdict `(Σ, Σ²)` of a schedule.
fn check_verdict(schedule: &Schedule, sum: Series, squares: Series) {
    let rm = schedule.robbins_monro();
    assert_eq!(
        (rm.sum, rm.sum_of_squares),
        (sum, squares),
        "{schedule}: {}",
        rm.reason
    );
    assert_eq!(
        rm.satisfied(),
        sum == Series::Diverges && squares == Series::Converges
    );
    let terms: Vec<usize> = rm.partial_sums.iter().map(|p| p.terms).collect();
    assert_eq!(terms, PARTIAL_SUM_TERMS);
}

#[test]
fn p_series_rule() {
    use Series::*;
    // Σ diverges iff p ≤ 1, Σ² converges iff p > ½: only p = 0.75 and 1 satisfy both.
    let inverse = |p| Schedule::inverse_time(1.0, 1.0, p).unwrap();
    check_verdict(&inverse(0.25), Diverges, Diverges);
    check_verdict(&inverse(0.5), Diverges, Diverges);
    check_verdict(&inverse(0.75), Diverges, Converges);
    check_verdict(&inverse(1.0), Diverges, Converges);
    check_verdict(&inverse(2.0), Converges, Converges);
    assert!(inverse(1.0).robbins_monro().satisfied());
    assert!(!inverse(0.5).robbins_monro().satisfied());
}

#[test]
fn other_families_verdicts() {
    use Series::*;
    check_verdict(
        &Schedule::exponential(1.0, 0.1).unwrap(),
        Converges,
        Converges,
    );
    check_verdict(&Schedule::constant(0.1).unwrap(), Diverges, Diverges);
    check_verdict(
        &Schedule::cosine(1.0, 0.0, 100).unwrap(),
        Converges,
        Converges,
    );
    check_verdict(
        &Schedule::cosine(1.0, 0.01, 100).unwrap(),
        Diverges,
        Diverges,
    );
    check_verdict(
        &Schedule::cosine_warm_restarts(1.0, 0.0, 10, 2).unwrap(),
        Diverges,
        Diverges,
    );
    check_verdict(
        &Schedule::step_decay(1.0, 0.5, 10).unwrap(),
        Converges,
        Converges,
    );
    check_verdict(
        &Schedule::polynomial(1.0, 0.0, 10, 1.0).unwrap(),
        Converges,
        Converges,
    );
    check_verdict(
        &Schedule::piecewise_constant(vec![1.0, 0.5], vec![10]).unwrap(),
        Diverges,
        Diverges,
    );
    // A sequence is decided by its last schedule: constant then η₀/(k+1) satisfies both;
    // η₀/(k+1) then constant satisfies neither second condition.
    let good = Schedule::sequence(
        vec![
            Schedule::constant(1.0).unwrap(),
            Schedule::harmonic(1.0).unwrap(),
        ],
        vec![50],
    )
    .unwrap();
    check_verdict(&good, Diverges, Converges);
    let bad = Schedule::sequence(
        vec![
            Schedule::harmonic(1.0).unwrap(),
            Schedule::constant(1e-3).unwrap(),
        ],
        vec![50],
    )
    .unwrap();
    check_verdict(&bad, Diverges, Diverges);
    // Warm-up is decided by the schedule it wraps.
    check_verdict(
        &Schedule::warmup(10, 0.1, Schedule::harmonic(1.0).unwrap()).unwrap(),
        Diverges,
        Converges,
    );
}

#[test]
fn partial_sums_match_known_series() {
    // Harmonic: Σ_{k<10} 1/(k+1) = H₁₀ = 7381/2520; Σ 1/(k+1)² = 1.5497677311665408 (H₁₀^{(2)}).
    let rm = Schedule::harmonic(1.0).unwrap().robbins_monro();
    assert!(close(rm.partial_sums[0].sum, 7381.0 / 2520.0, 1e-14));
    assert!(close(
        rm.partial_sums[0].sum_of_squares,
        1.5497677311665408,
        1e-14
    ));
    // H_{10⁶} = ln 10⁶ + γ + 1/(2·10⁶) − 1/(12·10¹²) (Euler–Maclaurin), γ = 0.5772156649015329.
    let h = 1e6f64.ln() + 0.5772156649015329 + 0.5e-6 - 1.0 / 12e12;
    assert!(close(rm.partial_sums[5].sum, h, 1e-13));
    // Σ² → π²/6: the tail after 10⁶ terms is ≈ 1/10⁶.
    assert!(close(
        rm.partial_sums[5].sum_of_squares,
        PI * PI / 6.0 - 1e-6 + 0.5e-12,
        1e-12
    ));
    assert_eq!(rm.total, f64::INFINITY);

    // Constant η = 0.5: K η and K η².
    let rm = Schedule::constant(0.5).unwrap().robbins_monro();
    assert_eq!(rm.partial_sums[3].sum, 5_000.0);
    assert_eq!(rm.partial_sums[3].sum_of_squares, 2_500.0);

    // Exponential's closed form agrees with direct summation.
    let s = Schedule::exponential(1.0, 0.01).unwrap();
    let rm = s.robbins_monro();
    let (direct, direct_sq) = s.partial_sum(1000);
    assert!(close(rm.partial_sums[2].sum, direct, 1e-13));
    assert!(close(rm.partial_sums[2].sum_of_squares, direct_sq, 1e-13));
}

#[test]
fn totals_by_closed_form() {
    // η₀/(k+1)², η₀ = 2: 2 ζ(2) = π²/3.
    assert!(close(
        Schedule::inverse_time(2.0, 1.0, 2.0).unwrap().total_sum(),
        PI * PI / 3.0,
        1e-13
    ));
    // τ = 2, p = 2: Σ (1 + k/2)^{−2} = 4 Σ (k+2)^{−2} = 4(π²/6 − 1).
    assert!(close(
        Schedule::inverse_time(1.0, 2.0, 2.0).unwrap().total_sum(),
        4.0 * (PI * PI / 6.0 - 1.0),
        1e-13
    ));
    // p = 3: ζ(3) = 1.2020569031595942 (Apéry's constant).
    assert!(close(
        Schedule::inverse_time(1.0, 1.0, 3.0).unwrap().total_sum(),
        1.2020569031595942,
        1e-13
    ));
    // β = ln 2: Σ 2^{−k} = 2.
    assert!(close(
        Schedule::exponential(1.0, 2f64.ln()).unwrap().total_sum(),
        2.0,
        1e-14
    ));
    // Step decay, s = 3, γ = ½: 3(1 + ½ + ¼ + …) = 6.
    assert!(close(
        Schedule::step_decay(1.0, 0.5, 3).unwrap().total_sum(),
        6.0,
        1e-14
    ));
    // Cosine to 0 over T = 4: (T + 1)/2 = 2.5 = 1 + 0.8536 + 0.5 + 0.1464.
    let c = Schedule::cosine(1.0, 0.0, 4).unwrap();
    assert!(close(c.total_sum(), 2.5, 1e-14));
    assert!(close(c.partial_sum(4).0, 2.5, 1e-14));
    // Polynomial to 0, T = 4, p = 1: 1 + ¾ + ½ + ¼ = 2.5.
    assert!(close(
        Schedule::polynomial(1.0, 0.0, 4, 1.0).unwrap().total_sum(),
        2.5,
        1e-14
    ));
    // Sequence: constant 1 for 3 steps, then Σ 2^{−k} = 2: total 5.
    let seq = Schedule::sequence(
        vec![
            Schedule::constant(1.0).unwrap(),
            Schedule::exponential(1.0, 2f64.ln()).unwrap(),
        ],
        vec![3],
    )
    .unwrap();
    assert!(close(seq.total_sum(), 5.0, 1e-14));
    // Warm-up W = 2, s = ½ before Σ 2^{−k}: 0.5 + 0.75 + 2 = 3.25.
    let w = Schedule::warmup(2, 0.5, Schedule::exponential(1.0, 2f64.ln()).unwrap()).unwrap();
    assert!(close(w.total_sum(), 3.25, 1e-14));
}

/// `Σ_{k<K} (1 + k/τ)^{−p}` by brute force, summed smallest term first.
fn brute_force_inverse_time(tau: f64, p: f64, terms: usize) -> f64 {
    (0..terms)
        .rev()
        .map(|k| (1.0 + k as f64 / tau).powf(-p))
        .sum()
}

#[test]
fn inverse_time_totals_are_finite_and_accurate_for_extreme_tau_and_p() {
    let total = |tau: f64, p: f64| Schedule::inverse_time(1.0, tau, p).unwrap().total_sum();
    // τ = 0.01, p = 200: η₀ = 1 and every later term is ≤ 101^{−200} ≈ 1e-401 = 0 in f64.
    // (The closed form τ^p ζ(p, τ) = 0 · ∞ gave NaN.)
    assert_eq!(total(0.01, 200.0), 1.0);
    // τ = 10³, p = 103 (τ^p overflowed to ∞): terms ≈ e^{−0.103 k}, and 21^{−103} ≈ 1e-136
    // at k = 20 000, so 20 000 brute-force terms are the sum to rounding.
    let brute = brute_force_inverse_time(1e3, 103.0, 20_000);
    assert!(
        close(total(1e3, 103.0), brute, 1e-14),
        "{} vs {brute}",
        total(1e3, 103.0)
    );
    // τ = 10³, p = 2: 10⁶ ζ(2, 10³) = 10⁶ ψ′(10³), and the trigamma asymptotic series
    // ψ′(x) = 1/x + 1/(2x²) + 1/(6x³) − 1/(30x⁵) + … gives 1000.5001666666333.
    assert!(close(total(1e3, 2.0), 1000.5001666666333, 1e-14));
    // τ = ½, p = 2: Σ (1 + 2k)^{−2} = π²/8.
    assert!(close(total(0.5, 2.0), PI * PI / 8.0, 1e-14));
    // τ = 1, p = 4: ζ(4) = π⁴/90.
    assert!(close(total(1.0, 4.0), PI.powi(4) / 90.0, 1e-14));
    // p = 1.5 close to the divergence boundary, τ = 1: ζ(3/2) = 2.612375348685488.
    assert!(close(total(1.0, 1.5), 2.612375348685488, 1e-13));
    // A grid of τ and p against brute force where it is feasible (terms die off fast).
    for tau in [1e-3, 0.3, 7.0, 50.0] {
        for p in [8.0, 30.0, 120.0, 600.0] {
            let brute = brute_force_inverse_time(tau, p, 200_000);
            let got = total(tau, p);
            assert!(
                got.is_finite() && close(got, brute, 1e-13),
                "τ = {tau}, p = {p}: {got} vs {brute}"
            );
        }
    }
}

#[test]
fn reach_bound_is_b_times_total() {
    // Σ 2^{−k} = 2 and B = 3: the iterate moves at most 6.
    let s = Schedule::exponential(1.0, 2f64.ln()).unwrap();
    assert!(close(s.reach_bound(3.0).unwrap(), 6.0, 1e-14));
    assert!(close(
        s.robbins_monro().reach_bound(3.0).unwrap(),
        6.0,
        1e-14
    ));
    assert_eq!(
        Schedule::harmonic(1.0).unwrap().reach_bound(3.0).unwrap(),
        f64::INFINITY
    );
    assert_eq!(
        s.reach_bound(0.0).unwrap_err().to_string(),
        "reachability bound: B must be finite and > 0, got 0"
    );
}

// ---------------------------------------------------------------- validation

#[test]
fn rejected_parameters_name_themselves() {
    use ScheduleSpec::*;
    let cases: Vec<(ScheduleSpec, &str)> = vec![
        (
            Constant { eta: 0.0 },
            "constant schedule: η must be finite and > 0, got 0",
        ),
        (
            Constant { eta: f64::NAN },
            "constant schedule: η must be finite and > 0, got NaN",
        ),
        (
            Constant { eta: f64::INFINITY },
            "constant schedule: η must be finite and > 0, got inf",
        ),
        (
            InverseTime {
                eta0: -1.0,
                tau: 1.0,
                power: 1.0,
            },
            "inverse-time schedule: η₀ must be finite and > 0, got -1",
        ),
        (
            InverseTime {
                eta0: 1.0,
                tau: 0.0,
                power: 1.0,
            },
            "inverse-time schedule: τ must be finite and > 0, got 0",
        ),
        (
            InverseTime {
                eta0: 1.0,
                tau: 1.0,
                power: -0.5,
            },
            "inverse-time schedule: p must be finite and > 0, got -0.5",
        ),
        (
            InverseTime {
                eta0: 1.0,
                tau: 1.0,
                power: 0.0,
            },
            "inverse-time schedule: p must be finite and > 0, got 0",
        ),
        (
            Exponential {
                eta0: 1.0,
                beta: -0.1,
            },
            "exponential schedule: β must be finite and ≥ 0, got -0.1",
        ),
        (
            Exponential {
                eta0: 1.0,
                beta: f64::NAN,
            },
            "exponential schedule: β must be finite and ≥ 0, got NaN",
        ),
        (
            StepDecay {
                eta0: 1.0,
                gamma: 1.5,
                step_size: 2,
            },
            "step-decay schedule: γ must be in (0, 1], got 1.5",
        ),
        (
            StepDecay {
                eta0: 1.0,
                gamma: 0.5,
                step_size: 0,
            },
            "step-decay schedule: step size must be ≥ 1, got 0",
        ),
        (
            PiecewiseConstant {
                values: vec![1.0, 0.5, 0.1],
                milestones: vec![10, 10],
            },
            "piecewise-constant schedule: milestones must be strictly increasing and > 0, got [10, 10]",
        ),
        (
            PiecewiseConstant {
                values: vec![1.0, 0.5, 0.1],
                milestones: vec![10, 5],
            },
            "piecewise-constant schedule: milestones must be strictly increasing and > 0, got [10, 5]",
        ),
        (
            PiecewiseConstant {
                values: vec![1.0, -0.5],
                milestones: vec![10],
            },
            "piecewise-constant schedule: values must be finite and > 0 in every entry, got -0.5 at index 1",
        ),
        (
            PiecewiseConstant {
                values: vec![1.0],
                milestones: vec![10],
            },
            "piecewise-constant schedule: needs one more value than milestones, got 1 values and 1 milestones",
        ),
        (
            Polynomial {
                eta0: 1.0,
                eta_end: 2.0,
                horizon: 10,
                power: 1.0,
            },
            "polynomial schedule: η_end must be ≤ η₀, got 2 with η₀ = 1",
        ),
        (
            Cosine {
                eta_max: 1.0,
                eta_min: 1.5,
                period: 10,
            },
            "cosine schedule: η_min must be ≤ η_max, got 1.5 with η_max = 1",
        ),
        (
            CosineWarmRestarts {
                eta_max: 1e-5,
                eta_min: 2e-5,
                first_period: 10,
                period_multiplier: 1,
            },
            "cosine warm-restarts schedule: η_min must be ≤ η_max, got 2e-5 with η_max = 1e-5",
        ),
        (
            StepDecay {
                eta0: 1.0,
                gamma: 2e-7,
                step_size: 0,
            },
            "step-decay schedule: step size must be ≥ 1, got 0",
        ),
        (
            StepDecay {
                eta0: 1.0,
                gamma: 1e7,
                step_size: 1,
            },
            "step-decay schedule: γ must be in (0, 1], got 1e7",
        ),
        (
            Polynomial {
                eta0: 1.0,
                eta_end: 0.0,
                horizon: 0,
                power: 1.0,
            },
            "polynomial schedule: horizon must be ≥ 1, got 0",
        ),
        (
            Cosine {
                eta_max: 1.0,
                eta_min: -0.1,
                period: 10,
            },
            "cosine schedule: η_min must be finite and ≥ 0, got -0.1",
        ),
        (
            Cosine {
                eta_max: 1.0,
                eta_min: 0.0,
                period: 0,
            },
            "cosine schedule: period must be ≥ 1, got 0",
        ),
        (
            CosineWarmRestarts {
                eta_max: 1.0,
                eta_min: 0.0,
                first_period: 10,
                period_multiplier: 0,
            },
            "cosine warm-restarts schedule: period multiplier must be ≥ 1, got 0",
        ),
        (
            Warmup {
                steps: 5,
                start_factor: 0.0,
                then: Box::new(Constant { eta: 1.0 }),
            },
            "warm-up schedule: start factor must be in (0, 1], got 0",
        ),
        (
            Warmup {
                steps: 5,
                start_factor: 0.5,
                then: Box::new(Constant { eta: -1.0 }),
            },
            "constant schedule: η must be finite and > 0, got -1",
        ),
        (
            Sequence {
                schedules: vec![Constant { eta: 1.0 }, Constant { eta: 0.5 }],
                milestones: vec![0],
            },
            "schedule sequence: milestones must be strictly increasing and > 0, got [0]",
        ),
        (
            Sequence {
                schedules: vec![Constant { eta: 1.0 }],
                milestones: vec![3],
            },
            "schedule sequence: needs one more schedule than milestones, got 1 schedules and 1 milestones",
        ),
        (
            Sequence {
                schedules: vec![],
                milestones: vec![],
            },
            "schedule sequence: needs at least one schedule, got none",
        ),
    ];
    for (spec, message) in cases {
        assert_eq!(rejected(spec), message);
    }
}

// ---------------------------------------------------------------- serde

#[test]
fn serde_round_trip_and_validation() {
    let s = Schedule::warmup(
        5,
        0.1,
        Schedule::sequence(
            vec![
                Schedule::constant(1.0).unwrap(),
                Schedule::harmonic(0.5).unwrap(),
            ],
            vec![10],
        )
        .unwrap(),
    )
    .unwrap();
    let json = serde_json::to_string(&s).unwrap();
    let back: Schedule = serde_json::from_str(&json).unwrap();
    assert_eq!(back, s);

    let parsed: Schedule =
        serde_json::from_str(r#"{"kind": "inverse_time", "eta0": 0.1, "tau": 1, "power": 0.5}"#)
            .unwrap();
    assert_eq!(parsed, Schedule::inverse_time(0.1, 1.0, 0.5).unwrap());

    // Validation runs on deserialisation, also for nested schedules.
    let err =
        serde_json::from_str::<Schedule>(r#"{"kind": "exponential", "eta0": 1.0, "beta": -2}"#)
            .unwrap_err();
    assert_eq!(
        err.to_string(),
        "exponential schedule: β must be finite and ≥ 0, got -2"
    );
    let err = serde_json::from_str::<Schedule>(
        r#"{"kind": "sequence", "schedules": [{"kind": "constant", "eta": 1}, {"kind": "constant", "eta": 1}], "milestones": [5, 5]}"#,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "schedule sequence: milestones must be strictly increasing and > 0, got [5, 5]"
    );
    // A misspelt field is an error, not a silent default.
    assert!(
        serde_json::from_str::<Schedule>(r#"{"kind": "constant", "eta": 1, "etta": 2}"#).is_err()
    );

    let lr: LearningRate =
        serde_json::from_str(r#"{"schedule": {"kind": "constant", "eta": 0.25}}"#).unwrap();
    assert_eq!(lr, LearningRate::constant(0.25).unwrap());
    let lr: LearningRate =
        serde_json::from_str(r#"{"reduce_on_plateau": {"eta0": 0.5, "patience": 2}}"#).unwrap();
    assert_eq!(lr.initial(), 0.5);
    let err = serde_json::from_str::<LearningRate>(r#"{"reduce_on_plateau": {"factor": 1.5}}"#)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "reduce-on-plateau: factor must be in (0, 1), got 1.5"
    );
}

// ---------------------------------------------------------------- reduce on plateau

#[test]
fn plateau_follows_pytorch_semantics() {
    // patience 2, factor ½, absolute threshold 0.1, cooldown 1.
    let mut p = ReduceOnPlateau::new(ReduceOnPlateauSettings {
        eta0: 1.0,
        factor: 0.5,
        patience: 2,
        threshold: 0.1,
        threshold_mode: ThresholdMode::Absolute,
        cooldown: 1,
        min_eta: 0.2,
        eps: 1e-8,
    })
    .unwrap();
    // loss 10 (best, bad 0) → 1; 9.95 (not < 9.9: bad 1) → 1; 9.95 (bad 2) → 1;
    // 9.95 (bad 3 > 2: reduce to ½, cooldown 1, bad 0) → 0.5;
    // 9.95 (bad 1, cooldown → 0 and bad reset to 0) → 0.5; 9.95 (bad 1), 9.95 (bad 2) → 0.5;
    // NaN (bad 3: reduce to ¼, cooldown 1) → 0.25; 9.0 (better: best 9; cooldown → 0) → 0.25;
    // 9.0 ×3 (bad 1, 2, 3 → reduce to max(0.125, η_min 0.2) = 0.2); later reductions change
    // nothing (0.2 − max(0.1, 0.2) = 0 ≤ eps).
    let losses = [
        10.0,
        9.95,
        9.95,
        9.95,
        9.95,
        9.95,
        9.95,
        f64::NAN,
        9.0,
        9.0,
        9.0,
        9.0,
        9.0,
        9.0,
        9.0,
        9.0,
    ];
    let expected = [
        1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25, 0.2, 0.2, 0.2, 0.2, 0.2,
    ];
    let got: Vec<f64> = losses.iter().map(|&l| p.observe(l)).collect();
    assert_eq!(got, expected);
    assert_eq!(p.best(), 9.0);
    p.reset();
    assert_eq!(p.learning_rate(), 1.0);

    let rm = p.robbins_monro();
    assert_eq!(
        (rm.sum, rm.sum_of_squares),
        (Series::Diverges, Series::Diverges)
    );
    // PyTorch's defaults have eps = 1e-8 > 0: η stays ≥ 1e-9/0.9, so both diverge.
    let defaults = ReduceOnPlateau::new(ReduceOnPlateauSettings::default()).unwrap();
    assert_eq!(defaults.robbins_monro().sum, Series::Diverges);

    let err = ReduceOnPlateau::new(ReduceOnPlateauSettings {
        min_eta: 2.0,
        eta0: 1.0,
        ..Default::default()
    });
    assert_eq!(
        err.unwrap_err().to_string(),
        "reduce-on-plateau: η_min must be ≤ η₀, got 2 with η₀ = 1"
    );
}

#[test]
fn plateau_rejects_a_relative_threshold_of_one_or_more() {
    // With threshold ≥ 1, best·(1 − threshold) ≤ 0 (and ∞·0 = NaN at the start):
    // no positive loss could ever be better.
    for (threshold, shown) in [(1.0, "1"), (1.5, "1.5"), (f64::NAN, "NaN")] {
        let err = ReduceOnPlateau::new(ReduceOnPlateauSettings {
            threshold,
            ..Default::default()
        });
        assert_eq!(
            err.unwrap_err().to_string(),
            format!("reduce-on-plateau: relative threshold must be in [0, 1), got {shown}")
        );
    }
    // An absolute threshold may be ≥ 1.
    let absolute = ReduceOnPlateau::new(ReduceOnPlateauSettings {
        threshold: 5.0,
        threshold_mode: ThresholdMode::Absolute,
        ..Default::default()
    });
    assert!(absolute.is_ok());
    let err = ReduceOnPlateau::new(ReduceOnPlateauSettings {
        threshold: -1.0,
        threshold_mode: ThresholdMode::Absolute,
        ..Default::default()
    });
    assert_eq!(
        err.unwrap_err().to_string(),
        "reduce-on-plateau: absolute threshold must be finite and ≥ 0, got -1"
    );
}

#[test]
fn plateau_with_eps_never_lets_eta_fall_below_its_floor() {
    // PyTorch's defaults (η₀ = 0.1, factor 0.1, eps 1e-8, η_min = 0) with patience 0
    // on a loss that never improves: a reduction η → η/10 is taken only while
    // η − η/10 = 0.9η > 1e-8, i.e. η > 1.1e-8. So η = 0.1, 0.01, …, 1e-7, 1e-8
    // and then stays at 1e-8 for ever (0.9e-8 ≤ 1e-8): Σηₖ and Σηₖ² diverge.
    let mut p = ReduceOnPlateau::new(ReduceOnPlateauSettings {
        patience: 0,
        ..Default::default()
    })
    .unwrap();
    let steps = 10_000;
    for _ in 0..steps {
        p.observe(1.0);
    }
    let final_eta = p.learning_rate();
    assert!(close(final_eta, 1e-8, 1e-12), "{final_eta}");
    // The floor max(η_min, min(η₀, eps·factor/(1 − factor))) = 1e-9/0.9 is below it.
    assert!(close(p.eta_floor(), 1e-9 / 0.9, 1e-15));
    assert!(final_eta >= p.eta_floor());
    // The partial sums keep growing by 1e-8 and 1e-16 per step: no finite limit.
    let (mut sum, mut squares) = (0.0, 0.0);
    for _ in 0..steps {
        let eta = p.observe(1.0);
        sum += eta;
        squares += eta * eta;
    }
    assert!(close(sum, steps as f64 * 1e-8, 1e-9), "{sum}");
    assert!(close(squares, steps as f64 * 1e-16, 1e-9), "{squares}");
    let rm = p.robbins_monro();
    assert_eq!(
        (rm.sum, rm.sum_of_squares, rm.total),
        (Series::Diverges, Series::Diverges, f64::INFINITY),
        "{}",
        rm.reason
    );
    // Only η_min = 0 and eps = 0 leave the verdict to the losses.
    let free = ReduceOnPlateau::new(ReduceOnPlateauSettings {
        eps: 0.0,
        ..Default::default()
    })
    .unwrap();
    assert_eq!(free.eta_floor(), 0.0);
    assert_eq!(
        (
            free.robbins_monro().sum,
            free.robbins_monro().sum_of_squares
        ),
        (Series::Undecided, Series::Undecided)
    );
}

#[test]
fn learning_rate_drives_either() {
    let mut lr = LearningRate::from(Schedule::harmonic(1.0).unwrap());
    assert_eq!(lr.at(3, f64::NAN), 0.25);
    assert_eq!(
        LearningRate::constant(-1.0).unwrap_err().to_string(),
        "constant schedule: η must be finite and > 0, got -1"
    );
}
