//! The problem of a spec: by name, a quadratic, or a network on data.

use std::collections::BTreeMap;

use descent_backprop::NetworkObjective;
use descent_core::Objective;
use descent_data::{CsvOptions, Dataset, LabelColumn};
use descent_graph::{Activation, Divergence, Init, Network};
use descent_linalg::MatRef;
use descent_problems::Quadratic;
use descent_problems::mgh::{self, MghProblem};
use descent_problems::one_d::{
    ExpLinear, LogCosh, OneD, OneDObjective, QuarticDoubleWell, SharpWideWell,
};
use descent_problems::surfaces::{
    CriticalKind, DoubleWell, Himmelblau, MonkeySaddle, Saddle, SixHumpCamel, Surface,
    SurfaceObjective,
};
use serde::Deserialize;
use serde_json::Value;

use crate::spec::{MAX_BYTES, MAX_PARAMETERS, StudyError};

/// The problem kinds.
pub const PROBLEMS: &[&str] = &["quadratic", "mgh", "surface", "one_d", "network"];
/// The MGH problems by name.
pub const MGH: &[&str] = &[
    "rosenbrock",
    "freudenstein_roth",
    "powell_badly_scaled",
    "brown_badly_scaled",
    "beale",
    "jennrich_sampson",
    "helical_valley",
    "bard",
    "gaussian",
    "meyer",
    "gulf",
    "box_3d",
    "powell_singular",
    "wood",
    "kowalik_osborne",
    "brown_dennis",
    "biggs_exp6",
    "watson",
    "extended_rosenbrock",
    "extended_powell_singular",
    "penalty_i",
    "penalty_ii",
    "variably_dimensioned",
    "trigonometric",
    "brown_almost_linear",
    "discrete_boundary_value",
    "discrete_integral_equation",
    "broyden_tridiagonal",
    "broyden_banded",
    "linear_full_rank",
    "linear_rank_one",
    "linear_rank_one_zero_columns_rows",
    "chebyquad",
];
/// The 2-D surfaces by name.
pub const SURFACES: &[&str] = &[
    "saddle",
    "monkey_saddle",
    "double_well",
    "himmelblau",
    "six_hump_camel",
];
/// The 1-D functions by name.
pub const ONE_D: &[&str] = &[
    "exp_linear",
    "log_cosh",
    "quartic_double_well",
    "sharp_wide_well",
];
/// The built-in data sets.
pub const DATA_SETS: &[&str] = &["digits", "breast_cancer"];
const ACTIVATIONS: &[&str] = &["identity", "sigmoid", "tanh", "relu", "softplus"];
const DIVERGENCES: &[&str] = &[
    "l2",
    "softmax_cross_entropy",
    "softmax_kl",
    "sigmoid_binary_cross_entropy",
];
const INITS: &[&str] = &[
    "zero",
    "uniform",
    "glorot_uniform",
    "glorot_normal",
    "he",
    "lecun",
];

fn err(message: impl Into<String>) -> StudyError {
    StudyError::new(message)
}

fn unknown(what: &str, plural: &str, name: &str, valid: &[&str]) -> StudyError {
    err(format!(
        "[problem]: unknown {what} `{name}`; valid {plural} are: {}",
        valid.join(", ")
    ))
}

fn lib(e: descent_core::Error) -> StudyError {
    err(format!("[problem]: {e}"))
}

fn default_one() -> f64 {
    1.0
}
fn default_tanh() -> String {
    "tanh".into()
}
fn default_identity() -> String {
    "identity".into()
}
fn default_divergence() -> String {
    "softmax_cross_entropy".into()
}
fn default_init() -> String {
    "glorot_uniform".into()
}
fn default_test_fraction() -> f64 {
    0.2
}
fn default_true() -> bool {
    true
}
fn default_init_scale() -> f64 {
    0.1
}

/// A problem, every field concrete (one cell's).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum ProblemSpec {
    /// `½ (x − x*)ᵀ A (x − x*)` with x* = 0: A from `eigenvalues` (rotated by a
    /// seeded Haar-random Q, or diagonal) or from `n` and `condition_number`.
    Quadratic {
        #[serde(default)]
        eigenvalues: Option<Vec<f64>>,
        #[serde(default)]
        n: Option<usize>,
        #[serde(default)]
        condition_number: Option<f64>,
        #[serde(default)]
        seed: u64,
        #[serde(default)]
        diagonal: bool,
        /// The start; default all ones.
        #[serde(default)]
        x0: Option<Vec<f64>>,
    },
    /// A Moré–Garbow–Hillstrom problem from its standard start × `start_factor`.
    Mgh {
        name: String,
        #[serde(default)]
        n: Option<usize>,
        #[serde(default)]
        m: Option<usize>,
        #[serde(default = "default_one")]
        start_factor: f64,
    },
    /// A 2-D surface from `x0`.
    Surface {
        name: String,
        #[serde(default)]
        tilt: Option<f64>,
        x0: Vec<f64>,
    },
    /// A 1-D function from `x0`.
    OneD {
        name: String,
        #[serde(default)]
        c: Option<f64>,
        #[serde(default)]
        mu: Option<f64>,
        #[serde(default)]
        alpha: Option<f64>,
        #[serde(default)]
        center: Option<f64>,
        #[serde(default)]
        beta: Option<f64>,
        #[serde(default)]
        sigma: Option<f64>,
        x0: Vec<f64>,
    },
    /// An MLP on a data set.
    Network {
        data: Value,
        #[serde(default)]
        hidden: Vec<usize>,
        #[serde(default = "default_tanh")]
        activation: String,
        #[serde(default = "default_identity")]
        output_activation: String,
        #[serde(default = "default_divergence")]
        divergence: String,
        #[serde(default = "default_init")]
        init: String,
        #[serde(default = "default_init_scale")]
        init_scale: f64,
        #[serde(default)]
        weight_decay: f64,
        #[serde(default = "default_test_fraction")]
        test_fraction: f64,
        #[serde(default = "default_true")]
        standardize: bool,
        #[serde(default)]
        seed: u64,
        #[serde(default)]
        batch_size: Option<usize>,
    },
}

/// Where a network's data come from.
#[derive(Debug, Clone, PartialEq)]
enum DataSpec {
    Builtin(&'static str),
    Csv { path: String, options: CsvOptions },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CsvSpec {
    csv: String,
    #[serde(default)]
    header: bool,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    n_classes: Option<usize>,
}

fn data_spec(value: &Value) -> Result<DataSpec, StudyError> {
    match value {
        Value::String(name) => DATA_SETS
            .iter()
            .find(|d| **d == name)
            .map(|d| DataSpec::Builtin(d))
            .ok_or_else(|| {
                err(format!(
                    "[problem]: unknown data set `{name}`; valid data sets are: {} (or a table {{ csv = \"file.csv\", label = \"last\" }})",
                    DATA_SETS.join(", ")
                ))
            }),
        Value::Object(_) => {
            let spec: CsvSpec = serde_json::from_value(value.clone())
                .map_err(|e| err(format!("[problem] data: {e}")))?;
            let label = match spec.label.as_deref() {
                None | Some("last") => LabelColumn::Last,
                Some("first") => LabelColumn::First,
                Some(other) => {
                    return Err(err(format!(
                        "[problem] data: unknown label column `{other}`; valid label columns are: first, last"
                    )));
                }
            };
            Ok(DataSpec::Csv {
                path: spec.csv,
                options: CsvOptions {
                    header: spec.header,
                    label,
                    n_classes: spec.n_classes,
                    n_targets: 0,
                },
            })
        }
        other => Err(err(format!(
            "[problem]: data must be a data set name ({}) or a table {{ csv = \"file.csv\" }}, got {other}",
            DATA_SETS.join(", ")
        ))),
    }
}

fn activation(name: &str) -> Result<Activation, StudyError> {
    Ok(match name {
        "identity" => Activation::Identity,
        "sigmoid" => Activation::Sigmoid,
        "tanh" => Activation::Tanh,
        "relu" => Activation::Relu,
        "softplus" => Activation::Softplus,
        other => return Err(unknown("activation", "activations", other, ACTIVATIONS)),
    })
}

fn divergence(name: &str) -> Result<Divergence, StudyError> {
    Ok(match name {
        "l2" => Divergence::L2,
        "softmax_cross_entropy" => Divergence::SoftmaxCrossEntropy,
        "softmax_kl" => Divergence::SoftmaxKl,
        "sigmoid_binary_cross_entropy" => Divergence::SigmoidBinaryCrossEntropy,
        other => return Err(unknown("divergence", "divergences", other, DIVERGENCES)),
    })
}

fn init(name: &str, scale: f64) -> Result<Init, StudyError> {
    Ok(match name {
        "zero" => Init::Zero,
        "uniform" => Init::Uniform { a: scale },
        "glorot_uniform" => Init::GlorotUniform,
        "glorot_normal" => Init::GlorotNormal,
        "he" => Init::He,
        "lecun" => Init::LeCun,
        other => return Err(unknown("init", "initialisations", other, INITS)),
    })
}

/// A problem ready to run: the objective, the start and what is known about it.
pub(crate) struct Built {
    pub objective: Box<dyn Objective>,
    pub x0: Vec<f64>,
    /// `f*`, when known.
    pub f_star: Option<f64>,
    /// The known minimisers (the nearest to the final iterate is used).
    pub minimizers: Vec<(Vec<f64>, f64)>,
    /// The test part of a network's data, for the accuracy.
    pub test: Option<(Network, Dataset)>,
}

/// The parameters of an MLP with these layer sizes, in checked arithmetic.
fn mlp_parameters(sizes: &[u64]) -> Option<u128> {
    sizes.windows(2).try_fold(0u128, |acc, w| {
        (u128::from(w[0]) + 1)
            .checked_mul(u128::from(w[1]))
            .and_then(|p| acc.checked_add(p))
    })
}

fn builtin(name: &str) -> Dataset {
    match name {
        "digits" => descent_data::digits(),
        _ => descent_data::breast_cancer(),
    }
}

impl ProblemSpec {
    /// Parse and check names and sizes (no data read, nothing large allocated).
    pub(crate) fn from_value(value: &Value) -> Result<Self, StudyError> {
        if let Some(kind) = value.get("kind").and_then(Value::as_str) {
            if !PROBLEMS.contains(&kind) {
                return Err(unknown("problem kind", "kinds", kind, PROBLEMS));
            }
        } else {
            return Err(err(format!(
                "[problem]: missing kind; valid kinds are: {}",
                PROBLEMS.join(", ")
            )));
        }
        let spec: Self =
            serde_json::from_value(value.clone()).map_err(|e| err(format!("[problem]: {e}")))?;
        match &spec {
            Self::Quadratic {
                eigenvalues,
                n,
                condition_number,
                diagonal,
                x0,
                ..
            } => {
                match (eigenvalues, n, condition_number) {
                    (Some(_), None, None) => {}
                    (None, Some(_), Some(_)) if !diagonal => {}
                    (None, Some(_), Some(_)) => {
                        return Err(err(
                            "[problem] quadratic: diagonal = true needs eigenvalues, not n and condition_number",
                        ));
                    }
                    _ => {
                        return Err(err(
                            "[problem] quadratic: give either eigenvalues or both n and condition_number",
                        ));
                    }
                }
                let dim = spec.dim_bound()?;
                if !diagonal {
                    let bytes = u128::from(dim) * u128::from(dim) * 8;
                    if bytes > u128::from(MAX_BYTES) {
                        return Err(err(format!(
                            "[problem] quadratic: a dense {dim}×{dim} matrix needs {bytes} bytes; at most {MAX_BYTES} are allowed (use diagonal = true with eigenvalues)"
                        )));
                    }
                }
                if let Some(x0) = x0 {
                    if x0.len() as u64 != dim {
                        return Err(err(format!(
                            "[problem] quadratic: x0 has {} coordinates but the quadratic has dimension {dim}",
                            x0.len()
                        )));
                    }
                }
            }
            Self::Mgh { name, .. } => {
                if !MGH.contains(&name.as_str()) {
                    return Err(unknown("MGH problem", "MGH problems", name, MGH));
                }
            }
            Self::Surface { name, x0, .. } => {
                if !SURFACES.contains(&name.as_str()) {
                    return Err(unknown("surface", "surfaces", name, SURFACES));
                }
                if x0.len() != 2 {
                    return Err(err(format!(
                        "[problem] surface: x0 must have 2 coordinates, got {}",
                        x0.len()
                    )));
                }
            }
            Self::OneD { name, x0, .. } => {
                if !ONE_D.contains(&name.as_str()) {
                    return Err(unknown("1-D function", "1-D functions", name, ONE_D));
                }
                if x0.len() != 1 {
                    return Err(err(format!(
                        "[problem] one_d: x0 must have 1 coordinate, got {}",
                        x0.len()
                    )));
                }
            }
            Self::Network {
                data,
                activation: a,
                output_activation,
                divergence: d,
                init: i,
                init_scale,
                ..
            } => {
                data_spec(data)?;
                activation(a)?;
                activation(output_activation)?;
                divergence(d)?;
                init(i, *init_scale)?;
                spec.dim_bound()?;
            }
        }
        Ok(spec)
    }

    /// The dimension, or a lower bound for a network on a CSV file not yet read.
    pub(crate) fn dim_bound(&self) -> Result<u64, StudyError> {
        Ok(match self {
            Self::Quadratic { eigenvalues, n, .. } => {
                eigenvalues.as_ref().map_or(n.unwrap_or(0), Vec::len) as u64
            }
            Self::Mgh { n, .. } => n.unwrap_or(2) as u64,
            Self::Surface { .. } => 2,
            Self::OneD { .. } => 1,
            Self::Network { data, hidden, .. } => {
                let (d, k) = match data_spec(data)? {
                    DataSpec::Builtin("digits") => (64, 10),
                    DataSpec::Builtin(_) => (30, 2),
                    DataSpec::Csv { .. } => (1, 1),
                };
                let mut sizes = vec![d];
                sizes.extend(hidden.iter().map(|&h| h as u64));
                sizes.push(k);
                let p = mlp_parameters(&sizes);
                match p {
                    Some(p) if p <= u128::from(MAX_PARAMETERS) => p as u64,
                    _ => {
                        let p = p.map_or("more than 3.4e38".to_owned(), |p| {
                            descent_lab::fmt_num(p as f64)
                        });
                        return Err(err(format!(
                            "[problem] network: layers {sizes:?} have {p} parameters ({} bytes per copy of the parameters); at most {MAX_PARAMETERS} are allowed",
                            p.parse::<f64>()
                                .map_or("too many".to_owned(), |v| descent_lab::fmt_num(v * 8.0))
                        )));
                    }
                }
            }
        })
    }

    /// Whether a minimiser is known, so the iterates are kept for ‖x − x*‖.
    pub(crate) fn keeps_iterates(&self) -> bool {
        !matches!(self, Self::Network { .. })
    }

    /// The CSV file a network reads, as written in the spec.
    pub(crate) fn csv_file(&self) -> Option<String> {
        match self {
            Self::Network { data, .. } => match data_spec(data) {
                Ok(DataSpec::Csv { path, .. }) => Some(path),
                _ => None,
            },
            _ => None,
        }
    }

    /// Build the objective (CSV contents from `files`).
    pub(crate) fn build(&self, files: &BTreeMap<String, String>) -> Result<Built, StudyError> {
        match self {
            Self::Quadratic {
                eigenvalues,
                n,
                condition_number,
                seed,
                diagonal,
                x0,
            } => {
                let q = match (eigenvalues, n, condition_number) {
                    (Some(e), _, _) if *diagonal => {
                        Quadratic::diagonal(e, &vec![0.0; e.len()], 0.0).map_err(lib)?
                    }
                    (Some(e), _, _) => Quadratic::from_eigenvalues(e, *seed).map_err(lib)?,
                    (None, Some(n), Some(k)) => {
                        Quadratic::with_condition_number(*n, *k, *seed).map_err(lib)?
                    }
                    _ => {
                        return Err(err(
                            "[problem] quadratic: give either eigenvalues or both n and condition_number",
                        ));
                    }
                };
                let dim = q.dim();
                let (f_star, minimizers) = match (q.minimum_value(), q.minimizer()) {
                    (Ok(f), Ok(x)) => (Some(f), vec![(x, f)]),
                    _ => (None, Vec::new()),
                };
                Ok(Built {
                    objective: Box::new(q),
                    x0: x0.clone().unwrap_or_else(|| vec![1.0; dim]),
                    f_star,
                    minimizers,
                    test: None,
                })
            }
            Self::Mgh {
                name,
                n,
                m,
                start_factor,
            } => {
                let p = mgh_problem(name, *n, *m)?;
                let x0 = p.starting_point(*start_factor).map_err(lib)?;
                let f_star = p
                    .minima()
                    .iter()
                    .map(|m| m.value)
                    .fold(None, |a: Option<f64>, v| Some(a.map_or(v, |a| a.min(v))));
                let minimizers = p
                    .minima()
                    .iter()
                    .filter_map(|m| m.minimizer.clone().map(|x| (x, m.value)))
                    .collect();
                Ok(Built {
                    objective: Box::new(p),
                    x0,
                    f_star,
                    minimizers,
                    test: None,
                })
            }
            Self::Surface { name, tilt, x0 } => {
                fn surface<S: Surface + 'static>(s: S, x0: &[f64]) -> Built {
                    let minimizers: Vec<(Vec<f64>, f64)> = s
                        .critical_points()
                        .into_iter()
                        .filter(|c| c.kind == CriticalKind::Minimum)
                        .map(|c| (c.x, c.value))
                        .collect();
                    Built {
                        objective: Box::new(SurfaceObjective(s)),
                        x0: x0.to_vec(),
                        f_star: minimizers.iter().map(|m| m.1).reduce(f64::min),
                        minimizers,
                        test: None,
                    }
                }
                Ok(match name.as_str() {
                    "saddle" => surface(Saddle, x0),
                    "monkey_saddle" => surface(MonkeySaddle, x0),
                    "double_well" => {
                        surface(DoubleWell::new(tilt.unwrap_or(0.0)).map_err(lib)?, x0)
                    }
                    "himmelblau" => surface(Himmelblau, x0),
                    _ => surface(SixHumpCamel, x0),
                })
            }
            Self::OneD {
                name,
                c,
                mu,
                alpha,
                center,
                beta,
                sigma,
                x0,
            } => {
                fn one<F: OneD + 'static>(f: F, x0: &[f64]) -> Built {
                    let minimizers: Vec<(Vec<f64>, f64)> = f
                        .critical_points()
                        .into_iter()
                        .filter(|c| c.kind == CriticalKind::Minimum)
                        .map(|c| (c.x, c.value))
                        .collect();
                    Built {
                        objective: Box::new(OneDObjective(f)),
                        x0: x0.to_vec(),
                        f_star: minimizers.iter().map(|m| m.1).reduce(f64::min),
                        minimizers,
                        test: None,
                    }
                }
                let need = |v: &Option<f64>, field: &str| {
                    v.ok_or_else(|| err(format!("[problem] one_d {name}: needs {field}")))
                };
                Ok(match name.as_str() {
                    "exp_linear" => one(ExpLinear::new(c.unwrap_or(1.0)).map_err(lib)?, x0),
                    "log_cosh" => one(LogCosh::new(mu.unwrap_or(0.1)).map_err(lib)?, x0),
                    "quartic_double_well" => one(QuarticDoubleWell, x0),
                    _ => one(
                        SharpWideWell::new(
                            need(alpha, "alpha")?,
                            need(center, "center")?,
                            need(beta, "beta")?,
                            need(sigma, "sigma")?,
                        )
                        .map_err(lib)?,
                        x0,
                    ),
                })
            }
            Self::Network {
                data,
                hidden,
                activation: act,
                output_activation,
                divergence: div,
                init: ini,
                init_scale,
                weight_decay,
                test_fraction,
                standardize,
                seed,
                batch_size,
            } => {
                let dataset = match data_spec(data)? {
                    DataSpec::Builtin(name) => builtin(name),
                    DataSpec::Csv { path, options } => {
                        let text = files.get(&path).ok_or_else(|| {
                            err(format!("[problem] data: the file {path} was not loaded"))
                        })?;
                        descent_data::parse_csv(text, &path, &options).map_err(lib)?
                    }
                };
                let split = dataset
                    .train_test_split(*test_fraction, *seed)
                    .map_err(lib)?;
                let split = if *standardize {
                    split.standardized().map_err(lib)?.0
                } else {
                    split
                };
                let k = match divergence(div)? {
                    Divergence::SigmoidBinaryCrossEntropy if dataset.n_classes() == Some(2) => 1,
                    _ => dataset.n_classes().unwrap_or(1),
                };
                let mut sizes = vec![dataset.n_features()];
                sizes.extend(hidden);
                sizes.push(k);
                let sizes64: Vec<u64> = sizes.iter().map(|&s| s as u64).collect();
                if mlp_parameters(&sizes64).is_none_or(|p| p > u128::from(MAX_PARAMETERS)) {
                    return Err(err(format!(
                        "[problem] network: layers {sizes:?} have more than {MAX_PARAMETERS} parameters"
                    )));
                }
                let mut acts = vec![activation(act)?; hidden.len()];
                acts.push(activation(output_activation)?);
                let network = Network::mlp(&sizes, &acts).map_err(lib)?;
                let x0 = network.init(init(ini, *init_scale)?, *seed).map_err(lib)?;
                let mut objective =
                    NetworkObjective::from_dataset(network.clone(), divergence(div)?, &split.train)
                        .map_err(lib)?
                        .with_weight_decay(*weight_decay)
                        .map_err(lib)?;
                if let Some(b) = batch_size {
                    objective = objective.with_mini_batches(*b, *seed).map_err(lib)?;
                }
                Ok(Built {
                    objective: Box::new(objective),
                    x0,
                    f_star: None,
                    minimizers: Vec::new(),
                    test: Some((network, split.test)),
                })
            }
        }
    }
}

fn mgh_problem(name: &str, n: Option<usize>, m: Option<usize>) -> Result<MghProblem, StudyError> {
    let fixed = |p: MghProblem| -> Result<MghProblem, StudyError> {
        match n {
            Some(n) if n != mgh_dim(&p) => Err(err(format!(
                "[problem] mgh {name}: n is fixed at {}, got n = {n}",
                mgh_dim(&p)
            ))),
            _ => Ok(p),
        }
    };
    let n_or = |d: usize| n.unwrap_or(d);
    let m_or = |d: usize| m.unwrap_or(d);
    let r = match name {
        "rosenbrock" => return fixed(mgh::rosenbrock()),
        "freudenstein_roth" => return fixed(mgh::freudenstein_roth()),
        "powell_badly_scaled" => return fixed(mgh::powell_badly_scaled()),
        "brown_badly_scaled" => return fixed(mgh::brown_badly_scaled()),
        "beale" => return fixed(mgh::beale()),
        "helical_valley" => return fixed(mgh::helical_valley()),
        "bard" => return fixed(mgh::bard()),
        "gaussian" => return fixed(mgh::gaussian()),
        "meyer" => return fixed(mgh::meyer()),
        "powell_singular" => return fixed(mgh::powell_singular()),
        "wood" => return fixed(mgh::wood()),
        "kowalik_osborne" => return fixed(mgh::kowalik_osborne()),
        "jennrich_sampson" => mgh::jennrich_sampson(m_or(10)),
        "gulf" => mgh::gulf(m_or(99)),
        "box_3d" => mgh::box_3d(m_or(10)),
        "brown_dennis" => mgh::brown_dennis(m_or(20)),
        "biggs_exp6" => mgh::biggs_exp6(m_or(13)),
        "watson" => mgh::watson(n_or(6)),
        "extended_rosenbrock" => mgh::extended_rosenbrock(n_or(10)),
        "extended_powell_singular" => mgh::extended_powell_singular(n_or(12)),
        "penalty_i" => mgh::penalty_i(n_or(10)),
        "penalty_ii" => mgh::penalty_ii(n_or(10)),
        "variably_dimensioned" => mgh::variably_dimensioned(n_or(10)),
        "trigonometric" => mgh::trigonometric(n_or(10)),
        "brown_almost_linear" => mgh::brown_almost_linear(n_or(10)),
        "discrete_boundary_value" => mgh::discrete_boundary_value(n_or(10)),
        "discrete_integral_equation" => mgh::discrete_integral_equation(n_or(10)),
        "broyden_tridiagonal" => mgh::broyden_tridiagonal(n_or(10)),
        "broyden_banded" => mgh::broyden_banded(n_or(10)),
        "linear_full_rank" => mgh::linear_full_rank(n_or(5), m_or(10)),
        "linear_rank_one" => mgh::linear_rank_one(n_or(5), m_or(10)),
        "linear_rank_one_zero_columns_rows" => {
            mgh::linear_rank_one_zero_columns_rows(n_or(5), m_or(10))
        }
        "chebyquad" => mgh::chebyquad(n_or(8), m_or(8)),
        other => return Err(unknown("MGH problem", "MGH problems", other, MGH)),
    };
    r.map_err(lib)
}

fn mgh_dim(p: &MghProblem) -> usize {
    p.x0().len()
}

/// The fraction of test samples a network classifies correctly: the largest
/// output (one output: its sign) against the label.
pub(crate) fn accuracy(network: &Network, test: &Dataset, w: &[f64]) -> Option<f64> {
    let labels = test.labels()?;
    let mut ws = descent_graph::Workspace::new(network, test.n_samples()).ok()?;
    network.forward(w, test.inputs(), &mut ws).ok()?;
    let y: MatRef<'_, f64> = ws.output();
    let correct = (0..test.n_samples())
        .filter(|&j| {
            let predicted = if y.nrows() == 1 {
                usize::from(y[(0, j)] > 0.0)
            } else {
                (0..y.nrows())
                    .max_by(|&a, &b| y[(a, j)].total_cmp(&y[(b, j)]))
                    .unwrap_or(0)
            };
            predicted == labels[j]
        })
        .count();
    Some(correct as f64 / test.n_samples() as f64)
}
