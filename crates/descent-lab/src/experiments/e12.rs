//! E12 — input normalisation removes ill-conditioning.
//!
//! Linear regression without bias on features of scales 1 and 100: the
//! Hessian `H = XᵀX/N` has κ ≈ 10⁴; after standardising the columns κ ≈ 1.
//! GD with η = 2/(λ_min + λ_max) needs `⌈ln(1/ε)/ln((κ+1)/(κ−1))⌉` iterations.

use descent_data::Standardizer;
use descent_gd::GradientDescent;
use descent_linalg::{Mat, SymmetricEigen, matmul};
use descent_problems::Quadratic;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use super::common::{first_below, fixed_length, fmt_count, iterations_to, log_spaced, run};
use crate::plot::{Axis, LineChart, Series};
use crate::report::{Check, Report, Table};
use crate::{fmt_list, fmt_num};

super::registry_entry!(
    "E12",
    "input-normalisation",
    "Input normalisation removes ill-conditioning"
);

/// Settings of E12 (defaults: the setup of docs/claims.md).
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Number of samples N.
    pub samples: usize,
    /// Standard deviations of the two features.
    pub feature_scales: [f64; 2],
    /// The true weights.
    pub w_true: [f64; 2],
    /// Noise standard deviation.
    pub noise: f64,
    /// Seed of the data.
    pub seed: u64,
    /// Tolerance ε of the iteration counts.
    pub epsilon: f64,
    /// κ_std must be below this.
    pub kappa_std_bound: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            samples: 1000,
            feature_scales: [1.0, 100.0],
            w_true: [2.0, -0.03],
            noise: 0.5,
            seed: 0,
            epsilon: 1e-6,
            kappa_std_bound: 1.5,
        }
    }
}

/// One variant of the data (raw or standardised) and its GD run.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    /// "raw" or "standardised".
    pub name: &'static str,
    /// λ_min, λ_max of H = XᵀX/N.
    pub lambda: [f64; 2],
    /// κ = λ_max/λ_min.
    pub kappa: f64,
    /// ⌈ln(1/ε)/ln((κ+1)/(κ−1))⌉.
    pub predicted: f64,
    /// First k with ‖w_k − w*‖ ≤ ε‖w_0 − w*‖ (∞ if none).
    pub measured: f64,
    /// E(w_k) − E* up to the measured count.
    pub gaps: Vec<f64>,
}

/// Everything E12 measured, with the settings it was measured with.
#[derive(Debug, Clone, PartialEq)]
pub struct Measurements {
    /// The settings of the runs.
    pub settings: Settings,
    /// The raw variant, then the standardised one.
    pub variants: [Variant; 2],
}

/// Least squares `½/N ‖Xw − y‖²` as the quadratic `½wᵀHw − (Xᵀy/N)ᵀw + ½‖y‖²/N`, GD from
/// `w* + v₁ + v₂` with η = 2/(λ_min + λ_max).
fn variant(name: &'static str, x: &Mat<f64>, y: &[f64], epsilon: f64) -> Variant {
    let n = x.nrows() as f64;
    let mut h = Mat::zeros(2, 2);
    matmul(h.as_mut(), x.transpose(), x.as_ref());
    let h = Mat::from_fn(2, 2, |i, j| 0.5 * (h[(i, j)] + h[(j, i)]) / n);
    let mut xty = vec![0.0; 2];
    descent_linalg::vecmat(y, x.as_ref(), &mut xty);
    let b: Vec<f64> = xty.iter().map(|v| -v / n).collect();
    let c = 0.5 * descent_linalg::dot(y, y) / n;
    let mut quad = Quadratic::dense(h.as_ref(), &b, c).expect("valid least squares");
    let eig = SymmetricEigen::new(h.as_ref()).expect("symmetric");
    let (lmin, lmax) = (eig.values[0], eig.values[1]);
    let kappa = lmax / lmin;
    let w_star = quad.minimizer().expect("positive definite");
    let f_star = quad.minimum_value().expect("positive definite");
    let w0: Vec<f64> = (0..2)
        .map(|i| w_star[i] + eig.vectors[(i, 0)] + eig.vectors[(i, 1)])
        .collect();
    let predicted = iterations_to(epsilon, (kappa - 1.0) / (kappa + 1.0));
    let budget = (2.0 * predicted.min(1e6)) as usize + 10;
    let eta = 2.0 / (lmin + lmax);
    let path = run(
        &mut quad,
        &mut GradientDescent::new(eta).expect("valid η"),
        &w0,
        &fixed_length(budget),
    );
    let measured =
        first_below(&path.distances(&w_star), epsilon).map_or(f64::INFINITY, |k| k as f64);
    let stop = (measured.min(budget as f64) as usize).max(1) + 1;
    let gaps = path.iterates[..stop.min(path.iterates.len())]
        .iter()
        .map(|w| descent_core::Objective::value(&mut quad, w) - f_star)
        .collect();
    Variant {
        name,
        lambda: [lmin, lmax],
        kappa,
        predicted,
        measured,
        gaps,
    }
}

/// The seeded data: raw features (N × 2) and targets.
fn data(s: &Settings) -> (Mat<f64>, Vec<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(s.seed);
    let n = s.samples;
    let mut raw = Mat::zeros(n, 2);
    let mut y = vec![0.0; n];
    for i in 0..n {
        for j in 0..2 {
            let z: f64 = StandardNormal.sample(&mut rng);
            raw[(i, j)] = s.feature_scales[j] * z;
        }
        let z: f64 = StandardNormal.sample(&mut rng);
        y[i] = raw[(i, 0)] * s.w_true[0] + raw[(i, 1)] * s.w_true[1] + s.noise * z;
    }
    (raw, y)
}

/// Generate the data, standardise it with `descent_data::Standardizer`
/// (population σ), and run GD on both variants.
pub fn measure(s: &Settings) -> Measurements {
    let (raw, y) = data(s);
    // The standardizer takes features × samples.
    let by_feature = Mat::from_fn(2, raw.nrows(), |i, j| raw[(j, i)]);
    let standardizer = Standardizer::fit(by_feature.as_ref()).expect("finite, non-empty data");
    let std_t = standardizer
        .transform(by_feature.as_ref())
        .expect("fitted on these features");
    let std = Mat::from_fn(raw.nrows(), 2, |i, j| std_t[(j, i)]);
    let y_mean = y.iter().sum::<f64>() / y.len() as f64;
    let y_centred: Vec<f64> = y.iter().map(|v| v - y_mean).collect();
    Measurements {
        settings: s.clone(),
        variants: [
            variant("raw", &raw, &y, s.epsilon),
            variant("standardised", &std, &y_centred, s.epsilon),
        ],
    }
}

/// The checks of E12, judged from the measurements alone.
pub fn assess(m: &Measurements) -> Vec<Check> {
    let mut checks: Vec<Check> = m
        .variants
        .iter()
        .map(|v| {
            Check::within(
                format!("{}: measured iterations = predicted (±1)", v.name),
                v.measured,
                v.predicted,
                1.0,
            )
        })
        .collect();
    checks.push(Check::less_than(
        "κ after standardisation",
        m.variants[1].kappa,
        m.settings.kappa_std_bound,
    ));
    checks
}

/// Run E12: measure, assess, present.
pub fn run_with(s: &Settings) -> Report {
    let m = measure(s);
    let checks = assess(&m);
    present(&m, checks)
}

/// The report of E12 from its measurements and checks.
fn present(m: &Measurements, checks: Vec<Check>) -> Report {
    let s = &m.settings;
    let mut report = Report::for_experiment(
        &EXPERIMENT,
        "Normalising the inputs makes a single learning rate work for every direction: it removes \
         the ill-conditioning that makes GD slow.",
        "F20 lecture 6 chat (\"is this why some algorithms require normalization?\"); lecture notes",
    );
    report.setup("model", "linear regression, no bias, loss ½/N ‖Xw − y‖² (a descent_problems::Quadratic with H = XᵀX/N)");
    report.setup(
        "features",
        format!(
            "x₁ ~ N(0, {}²), x₂ ~ N(0, {}²), independent",
            fmt_num(s.feature_scales[0]),
            fmt_num(s.feature_scales[1])
        ),
    );
    report.setup("N, seed", format!("{}, {}", s.samples, s.seed));
    report.setup(
        "y",
        format!(
            "X w_true + {}·N(0, 1), w_true = ({})",
            fmt_num(s.noise),
            fmt_list(&s.w_true)
        ),
    );
    report.setup(
        "standardised",
        "descent_data::Standardizer: each column minus its mean, divided by its (population) standard deviation; y minus its mean",
    );
    report.setup(
        "GD",
        "descent_gd::GradientDescent, η = 2/(λ_min + λ_max), from w* + v₁ + v₂ (both eigenvectors)",
    );
    report.setup("ε", fmt_num(s.epsilon));
    report.note("Theory: iterations to ε are exactly ⌈ln(1/ε)/ln((κ+1)/(κ−1))⌉ with κ = λ_max/λ_min of the empirical H; standardising leaves only the sample correlation, κ ≈ 1.");
    report.tables.push(table(m));
    report.figure("loss", "Loss gap vs iteration (log-log): raw features crawl, standardised ones converge in a few steps", figure(m));
    report.checks(checks);
    report
}

fn table(m: &Measurements) -> Table {
    let mut table = Table::new(
        "Conditioning and iterations",
        &[
            "variant",
            "λ_max",
            "λ_min",
            "κ",
            "predicted iterations",
            "measured iterations",
        ],
    );
    for v in &m.variants {
        table.push(vec![
            v.name.to_owned(),
            fmt_num(v.lambda[1]),
            fmt_num(v.lambda[0]),
            fmt_num(v.kappa),
            fmt_count(v.predicted),
            fmt_count(v.measured),
        ]);
    }
    table
}

fn figure(m: &Measurements) -> String {
    let mut chart = LineChart::new(
        "Loss gap E(w_k) − E* (GD, η = 2/(λ_min+λ_max))",
        Axis::log("iteration k + 1"),
        Axis::log("E(w_k) − E*"),
    );
    for v in &m.variants {
        let pts = log_spaced(v.gaps.len())
            .into_iter()
            .map(|k| ((k + 1) as f64, v.gaps[k]))
            .collect();
        chart = chart.with(Series::line(
            format!("{} (κ = {})", v.name, fmt_num(v.kappa)),
            pts,
        ));
    }
    chart.to_svg()
}

#[cfg(test)]
mod tests {
    use super::{Settings, assess, measure};
    use crate::experiments::common::perturb::turns_when;

    /// Every claim check of E12 turns when its measurement or setting is perturbed.
    #[test]
    fn checks_can_fail() {
        let m = measure(&Settings::default());
        // Two iterations more (or fewer) than ⌈ln(1/ε)/ln((κ+1)/(κ−1))⌉ is outside ±1.
        turns_when(&m, assess, "raw: measured iterations", |bad| {
            bad.variants[0].measured = bad.variants[0].predicted + 2.0;
        });
        turns_when(&m, assess, "standardised: measured iterations", |bad| {
            bad.variants[1].measured = bad.variants[1].predicted - 2.0;
        });
        // A setting: standardising features 1 and 100 leaves κ ≈ 1.014 (ρ ≈ 0.007);
        // κ of a correlation matrix is (1 + |ρ|)/(1 − |ρ|) ≥ 1, so a bound of 1 fails.
        turns_when(&m, assess, "κ after standardisation", |bad| {
            bad.settings.kappa_std_bound = 1.0;
        });
    }
}
