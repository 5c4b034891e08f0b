//! The spec: parsing, grid expansion, validation and size refusal.

use std::collections::BTreeMap;

use descent_core::{Optimizer, StoppingRules};
use descent_gd::line_search::{Armijo, StrongWolfe};
use descent_gd::{
    Adagrad, AdagradSettings, Adam, AdamSettings, GradientDescent, LearningRate, Momentum,
    MomentumSettings, QuickProp, QuickPropSettings, RmsProp, RmsPropSettings, Rprop, RpropSettings,
};
use descent_newton::{IndefiniteHessian, Lbfgs, Newton};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::grid::{self, Axis};
use crate::problem::ProblemSpec;

/// Why a spec was refused: one message naming the field, the value and what
/// is allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudyError(pub String);

impl StudyError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

impl std::fmt::Display for StudyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StudyError {}

/// The most cells a study may have.
pub const MAX_CELLS: u64 = 100_000;
/// The most iterations all cells together may run (Σ max_iterations).
pub const MAX_TOTAL_ITERATIONS: u64 = 100_000_000;
/// The most bytes one dense matrix or one cell's stored iterates may take (2 GiB).
pub const MAX_BYTES: u64 = 1 << 31;
/// The most parameters a problem may have.
pub const MAX_PARAMETERS: u64 = 100_000_000;

/// The optimiser kinds, for "valid kinds are …".
pub const OPTIMIZERS: &[&str] = &[
    "gradient_descent",
    "momentum",
    "adam",
    "adagrad",
    "rmsprop",
    "rprop",
    "quickprop",
    "newton",
    "lbfgs",
];

const TOP_KEYS: &[&str] = &[
    "name",
    "description",
    "problem",
    "optimizer",
    "stopping",
    "measure",
];

/// What to measure beyond the defaults.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Measure {
    /// Estimate λ_max of the Hessian (power iteration on Hessian-vector
    /// products, 100 steps, relative tolerance 1e-6, seed 0) at every
    /// `lambda_max_every`-th iterate and at the last; `None`: never.
    pub lambda_max_every: Option<usize>,
}

/// One cell of the grid: an optimiser with concrete settings on a concrete problem.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// Its number, 0-based, in the study's order.
    pub index: usize,
    /// Which `[[optimizer]]` entry (0-based).
    pub optimizer_index: usize,
    /// That entry's label (its `label`, or its kind).
    pub optimizer_label: String,
    /// The grid values of this cell: (axis label, value), axes in spec order.
    pub assignments: Vec<(String, Value)>,
    pub(crate) problem: ProblemSpec,
    pub(crate) optimizer: Value,
    pub(crate) stopping: StoppingRules,
}

impl Cell {
    /// `eta = 0.1, problem.seed = 2` (empty without a grid).
    pub fn grid_text(&self) -> String {
        self.assignments
            .iter()
            .map(|(k, v)| format!("{k} = {}", grid::show(v)))
            .collect::<Vec<_>>()
            .join(", ")
    }
    /// The stopping rules of this cell.
    pub fn stopping(&self) -> &StoppingRules {
        &self.stopping
    }
}

/// A parsed, validated study: the spec text and its cells.
#[derive(Debug, Clone)]
pub struct Study {
    /// The study's `name`.
    pub name: String,
    /// Its `description`.
    pub description: String,
    /// The spec text, as given.
    pub text: String,
    /// What to measure.
    pub measure: Measure,
    /// The grid's axes per optimiser entry (problem, optimiser, stopping).
    pub axes: Vec<Vec<Axis>>,
    /// The optimiser labels, in spec order.
    pub optimizer_labels: Vec<String>,
    pub(crate) cells: Vec<Cell>,
    pub(crate) files: BTreeMap<String, String>,
}

fn err(message: impl Into<String>) -> StudyError {
    StudyError::new(message)
}

fn unknown_key(owner: &str, key: &str, valid: &[String]) -> StudyError {
    err(format!(
        "{owner}: unknown field `{key}`; valid fields are: {}",
        valid.join(", ")
    ))
}

/// Deserialise `user` over `T::default()`: keys not in the default's
/// serialisation are unknown (so even a type without `deny_unknown_fields`
/// rejects them), missing keys keep their defaults.
pub(crate) fn overlay<T: Default + Serialize + DeserializeOwned>(
    owner: &str,
    user: &Map<String, Value>,
    skip: &[&str],
) -> Result<T, StudyError> {
    let mut base = serde_json::to_value(T::default()).map_err(|e| err(format!("{owner}: {e}")))?;
    let map = base.as_object_mut().expect("settings serialise as tables");
    let valid: Vec<String> = grid::keys_of(map)
        .into_iter()
        .chain(skip.iter().map(|s| (*s).to_owned()))
        .collect();
    for (key, value) in user {
        if skip.contains(&key.as_str()) {
            continue;
        }
        if !map.contains_key(key) {
            return Err(unknown_key(owner, key, &valid));
        }
        map.insert(key.clone(), value.clone());
    }
    serde_json::from_value(base).map_err(|e| err(format!("{owner}: {e}")))
}

fn as_table<'a>(value: &'a Value, owner: &str) -> Result<&'a Map<String, Value>, StudyError> {
    value
        .as_object()
        .ok_or_else(|| err(format!("{owner}: expected a table, got {value}")))
}

impl Study {
    /// Parse and validate a spec without reading any data file: TOML syntax
    /// (errors name line and column), keys, names, every cell's settings
    /// (each library constructor's checks), and the sizes.
    ///
    /// # Errors
    /// A [`StudyError`] naming the field, the value and what is allowed.
    pub fn parse(text: &str) -> Result<Self, StudyError> {
        let table: toml::Table = toml::from_str(text).map_err(|e| {
            err(format!(
                "spec is not valid TOML: {}",
                e.to_string().trim_end()
            ))
        })?;
        let root = serde_json::to_value(&table).map_err(|e| err(format!("spec: {e}")))?;
        let map = root.as_object().expect("a TOML document is a table");
        let top: Vec<String> = TOP_KEYS.iter().map(|s| (*s).to_owned()).collect();
        for key in map.keys() {
            if !TOP_KEYS.contains(&key.as_str()) {
                return Err(unknown_key("spec", key, &top));
            }
        }
        let text_field = |key: &str, default: &str| -> Result<String, StudyError> {
            match map.get(key) {
                None => Ok(default.to_owned()),
                Some(Value::String(s)) => Ok(s.clone()),
                Some(other) => Err(err(format!("spec: {key} must be a string, got {other}"))),
            }
        };
        let name = text_field("name", "study")?;
        let description = text_field("description", "")?;
        let measure: Measure = match map.get("measure") {
            None => Measure::default(),
            Some(v) => {
                serde_json::from_value(v.clone()).map_err(|e| err(format!("[measure]: {e}")))?
            }
        };
        if measure.lambda_max_every == Some(0) {
            return Err(err(
                "[measure]: lambda_max_every must be ≥ 1 (every k-th iterate), got 0",
            ));
        }
        let shared_problem = map.get("problem");
        if let Some(problem) = shared_problem {
            as_table(problem, "[problem]")?;
        }
        let optimizers = match map.get("optimizer") {
            None => return Err(err("spec: missing [[optimizer]] entries")),
            Some(Value::Array(items)) if !items.is_empty() => items.clone(),
            Some(Value::Array(_)) => return Err(err("spec: [[optimizer]] has no entries")),
            Some(_) => {
                return Err(err(
                    "spec: optimizer must be a list of tables: write [[optimizer]], not [optimizer]",
                ));
            }
        };
        let stopping = map
            .get("stopping")
            .cloned()
            .unwrap_or(Value::Object(Map::new()));
        as_table(&stopping, "[stopping]")?;

        let stopping_axes = grid::find_axes(&stopping, "stopping")?;
        let mut axes = Vec::new();
        let mut labels = Vec::new();
        let mut total: u64 = 0;
        // Each entry runs on its own `problem` table if it has one, else on
        // the shared [problem]; the entry's table is kept without that key.
        let mut problems = Vec::new();
        let mut problem_axes = Vec::new();
        let mut optimizers = optimizers;
        for (i, opt) in optimizers.iter_mut().enumerate() {
            let owner = format!("optimizer[{i}]");
            let own = match opt {
                Value::Object(table) => table.remove("problem"),
                _ => None,
            };
            let (problem, path) = match (own, shared_problem) {
                (Some(p), _) => {
                    as_table(&p, &format!("{owner}.problem"))?;
                    (p, format!("{owner}.problem"))
                }
                (None, Some(p)) => (p.clone(), "problem".to_owned()),
                (None, None) => {
                    return Err(err(format!(
                        "spec: missing [problem] table ({owner} has no problem of its own either)"
                    )));
                }
            };
            problem_axes.push(grid::find_axes(&problem, &path)?);
            problems.push(problem);
        }
        for (i, opt) in optimizers.iter().enumerate() {
            let owner = format!("optimizer[{i}]");
            let table = as_table(opt, &owner)?;
            let label = match (table.get("label"), table.get("kind")) {
                (Some(Value::String(l)), _) => l.clone(),
                (Some(other), _) => {
                    return Err(err(format!("{owner}: label must be a string, got {other}")));
                }
                (None, Some(Value::String(k))) => k.clone(),
                (None, _) => {
                    return Err(err(format!(
                        "{owner}: missing kind; valid kinds are: {}",
                        OPTIMIZERS.join(", ")
                    )));
                }
            };
            let mut a = problem_axes[i].clone();
            a.extend(grid::find_axes(opt, &owner)?);
            a.extend(stopping_axes.iter().cloned());
            let n = grid::product_len(&a).ok_or_else(|| too_many_cells(u64::MAX))?;
            total = total
                .checked_add(n)
                .ok_or_else(|| too_many_cells(u64::MAX))?;
            axes.push(a);
            labels.push(label);
        }
        if total > MAX_CELLS {
            return Err(too_many_cells(total));
        }
        let mut study = Self {
            name,
            description,
            text: text.to_owned(),
            measure,
            axes,
            optimizer_labels: labels,
            cells: Vec::new(),
            files: BTreeMap::new(),
        };
        study.expand(
            &problems,
            &optimizers,
            &stopping,
            &problem_axes,
            &stopping_axes,
        )?;
        Ok(study)
    }

    fn expand(
        &mut self,
        problems_of: &[Value],
        optimizers: &[Value],
        stopping: &Value,
        problem_axes_of: &[Vec<Axis>],
        stopping_axes: &[Axis],
    ) -> Result<(), StudyError> {
        let mut problems: BTreeMap<String, ProblemSpec> = BTreeMap::new();
        let mut checked_optimizers: std::collections::BTreeSet<String> = Default::default();
        let mut iterations: u64 = 0;
        for (i, opt) in optimizers.iter().enumerate() {
            let (problem, problem_axes) = (&problems_of[i], &problem_axes_of[i]);
            let axes = &self.axes[i];
            let n_opt_axes = axes.len() - problem_axes.len() - stopping_axes.len();
            let n = grid::product_len(axes).expect("checked in parse") as usize;
            for k in 0..n {
                let index = self.cells.len();
                let idx = grid::point(axes, k);
                let (mut p, mut o, mut s) = (problem.clone(), opt.clone(), stopping.clone());
                let mut assignments = Vec::new();
                for (j, (axis, &v)) in axes.iter().zip(&idx).enumerate() {
                    let value = axis.values[v].clone();
                    let (target, label) = if j < problem_axes.len() {
                        (&mut p, axis.path.clone())
                    } else if j < problem_axes.len() + n_opt_axes {
                        (&mut o, axis.keys.join("."))
                    } else {
                        (&mut s, axis.path.clone())
                    };
                    grid::set(target, &axis.keys, value.clone());
                    assignments.push((label, value));
                }
                let context = |e: StudyError| {
                    let grid_text = assignments
                        .iter()
                        .map(|(k, v)| format!("{k} = {}", grid::show(v)))
                        .collect::<Vec<_>>()
                        .join(", ");
                    if grid_text.is_empty() {
                        e
                    } else {
                        err(format!("{} (in cell {index}: {grid_text})", e.0))
                    }
                };
                let key = p.to_string();
                let problem_spec = match problems.get(&key) {
                    Some(spec) => spec.clone(),
                    None => {
                        let spec = ProblemSpec::from_value(&p).map_err(context)?;
                        problems.insert(key, spec.clone());
                        spec
                    }
                };
                let rules: StoppingRules =
                    overlay("[stopping]", as_table(&s, "[stopping]")?, &[]).map_err(context)?;
                rules
                    .validate()
                    .map_err(|e| err(format!("[stopping]: {e}")))
                    .map_err(context)?;
                let key = o.to_string();
                if !checked_optimizers.contains(&key) {
                    build_optimizer(&o, i).map_err(context)?;
                    checked_optimizers.insert(key);
                }
                check_sizes(&problem_spec, &o, &rules, &self.measure, i).map_err(context)?;
                iterations = iterations.saturating_add(rules.max_iterations as u64);
                self.cells.push(Cell {
                    index,
                    optimizer_index: i,
                    optimizer_label: self.optimizer_labels[i].clone(),
                    assignments,
                    problem: problem_spec,
                    optimizer: o,
                    stopping: rules,
                });
            }
        }
        if iterations > MAX_TOTAL_ITERATIONS {
            return Err(err(format!(
                "the study would run up to {iterations} iterations in all ({} cells, Σ max_iterations); \
                 at most {MAX_TOTAL_ITERATIONS} are allowed: shrink the grid or stopping.max_iterations",
                self.cells.len()
            )));
        }
        Ok(())
    }

    /// [`Study::parse`], then read every CSV file the spec names through
    /// `read` (path as written in the spec → contents; the caller resolves it)
    /// and build every distinct problem once, so data errors (a bad CSV line,
    /// a network whose outputs do not fit the classes) appear before any run.
    ///
    /// # Errors
    /// As [`Study::parse`]; a file `read` cannot supply; a CSV or network error
    /// naming the file, line, column and value.
    pub fn load(
        text: &str,
        read: &mut dyn FnMut(&str) -> Result<String, String>,
    ) -> Result<Self, StudyError> {
        let mut study = Self::parse(text)?;
        for path in study.csv_files() {
            let contents =
                read(&path).map_err(|e| err(format!("[problem] data csv {path}: {e}")))?;
            study.files.insert(path, contents);
        }
        let mut built: std::collections::BTreeSet<String> = Default::default();
        for cell in &study.cells {
            if built.insert(format!("{:?}", cell.problem)) {
                cell.problem.build(&study.files)?;
            }
        }
        Ok(study)
    }

    /// The CSV files the spec names (as written), sorted, without duplicates.
    pub fn csv_files(&self) -> Vec<String> {
        let mut files: Vec<String> = self
            .cells
            .iter()
            .filter_map(|c| c.problem.csv_file())
            .collect();
        files.sort();
        files.dedup();
        files
    }

    /// The cells, in order.
    pub fn cells(&self) -> &[Cell] {
        &self.cells
    }
}

fn too_many_cells(n: u64) -> StudyError {
    let count = if n == u64::MAX {
        "more than 1.8e19".to_owned()
    } else {
        n.to_string()
    };
    err(format!(
        "the grid has {count} cells; at most {MAX_CELLS} are allowed: shorten the lists or ranges"
    ))
}

fn bytes_text(bytes: u128) -> String {
    format!(
        "{} bytes ({} GiB)",
        bytes,
        descent_lab::fmt_num(bytes as f64 / (1u64 << 30) as f64)
    )
}

/// Refuse cells whose memory would exceed [`MAX_BYTES`]: a dense Hessian
/// (Newton), a dense quadratic, the stored iterates of a run.
fn check_sizes(
    problem: &ProblemSpec,
    optimizer: &Value,
    rules: &StoppingRules,
    measure: &Measure,
    i: usize,
) -> Result<(), StudyError> {
    let n = problem.dim_bound()?;
    let kind = optimizer.get("kind").and_then(Value::as_str).unwrap_or("");
    if kind == "newton" {
        let bytes = u128::from(n) * u128::from(n) * 8;
        if bytes > u128::from(MAX_BYTES) {
            return Err(err(format!(
                "optimizer[{i}] newton: a dense Hessian of {n} parameters needs {}; at most {} are allowed",
                bytes_text(bytes),
                bytes_text(u128::from(MAX_BYTES))
            )));
        }
    }
    if problem.keeps_iterates() || measure.lambda_max_every.is_some() {
        let bytes = u128::from(n) * (rules.max_iterations as u128 + 1) * 8;
        if bytes > u128::from(MAX_BYTES) {
            return Err(err(format!(
                "storing the iterates of {n} parameters for {} iterations needs {}; at most {} are allowed: \
                 lower stopping.max_iterations",
                rules.max_iterations,
                bytes_text(bytes),
                bytes_text(u128::from(MAX_BYTES))
            )));
        }
    }
    Ok(())
}

/// The learning rate given by `eta` (a constant), `schedule` (a table of
/// descent-schedule's `ScheduleSpec`) or `learning_rate` (the library's own
/// form), as the library's `learning_rate` value.
fn learning_rate_value(
    owner: &str,
    table: &Map<String, Value>,
) -> Result<Option<Value>, StudyError> {
    let given: Vec<&str> = ["eta", "schedule", "learning_rate"]
        .into_iter()
        .filter(|k| table.contains_key(*k))
        .collect();
    if given.len() > 1 {
        return Err(err(format!(
            "{owner}: give one of eta, schedule and learning_rate, got {}",
            given.join(" and ")
        )));
    }
    Ok(match given.first() {
        Some(&"eta") => {
            let mut s = Map::new();
            s.insert("kind".into(), Value::from("constant"));
            s.insert("eta".into(), table["eta"].clone());
            Some(serde_json::json!({ "schedule": Value::Object(s) }))
        }
        Some(&"schedule") => Some(serde_json::json!({ "schedule": table["schedule"].clone() })),
        Some(_) => Some(table["learning_rate"].clone()),
        None => None,
    })
}

/// A library settings type from an optimiser table: `eta`/`schedule`
/// become its `learning_rate`, every other key must be one of its fields.
fn settings<T: Default + Serialize + DeserializeOwned>(
    owner: &str,
    table: &Map<String, Value>,
    has_learning_rate: bool,
) -> Result<T, StudyError> {
    let mut user = table.clone();
    user.remove("kind");
    user.remove("label");
    if has_learning_rate {
        let lr = learning_rate_value(owner, &user)?;
        user.remove("eta");
        user.remove("schedule");
        if let Some(lr) = lr {
            user.insert("learning_rate".into(), lr);
        }
        overlay(owner, &user, &[]).map_err(|e| {
            if e.0.contains("unknown field") {
                err(format!("{}, eta, schedule, label", e.0))
            } else {
                e
            }
        })
    } else {
        overlay(owner, &user, &[])
    }
}

fn lib(owner: &str) -> impl Fn(descent_core::Error) -> StudyError + '_ {
    move |e| err(format!("{owner}: {e}"))
}

fn number_field(
    owner: &str,
    table: &Map<String, Value>,
    key: &str,
    default: f64,
) -> Result<f64, StudyError> {
    match table.get(key) {
        None => Ok(default),
        Some(v) => v
            .as_f64()
            .ok_or_else(|| err(format!("{owner}: {key} must be a number, got {v}"))),
    }
}

fn only_keys(owner: &str, table: &Map<String, Value>, valid: &[&str]) -> Result<(), StudyError> {
    let valid_all: Vec<String> = valid.iter().map(|s| (*s).to_owned()).collect();
    for key in table.keys() {
        if !valid.contains(&key.as_str()) {
            return Err(unknown_key(owner, key, &valid_all));
        }
    }
    Ok(())
}

const INDEFINITE: &[&str] = &[
    "fail",
    "solve_indefinite",
    "modified_cholesky",
    "levenberg_marquardt",
    "eigenvalue_modification",
    "fixed_damping",
];

/// Build the optimiser of one cell's table (settings concrete, no axes).
///
/// # Errors
/// An unknown kind (listing the valid ones), an unknown field, or a value the
/// library's constructor refuses.
pub(crate) fn build_optimizer(value: &Value, i: usize) -> Result<Box<dyn Optimizer>, StudyError> {
    let table = as_table(value, &format!("optimizer[{i}]"))?;
    let kind = match table.get("kind") {
        Some(Value::String(k)) => k.as_str(),
        other => {
            return Err(err(format!(
                "optimizer[{i}]: kind must be one of {}, got {}",
                OPTIMIZERS.join(", "),
                other.map_or("nothing".to_owned(), Value::to_string)
            )));
        }
    };
    let owner = format!("optimizer[{i}] {kind}");
    let owner = owner.as_str();
    Ok(match kind {
        "gradient_descent" => {
            only_keys(
                owner,
                table,
                &["kind", "label", "eta", "schedule", "learning_rate"],
            )?;
            let lr = learning_rate_value(owner, table)?.ok_or_else(|| {
                err(format!(
                    "{owner}: needs a learning rate: eta, schedule or learning_rate"
                ))
            })?;
            let lr: LearningRate =
                serde_json::from_value(lr).map_err(|e| err(format!("{owner}: {e}")))?;
            Box::new(GradientDescent::with_learning_rate(lr))
        }
        "momentum" => {
            let s: MomentumSettings = settings(owner, table, true)?;
            Box::new(Momentum::new(s).map_err(lib(owner))?)
        }
        "adam" => {
            let s: AdamSettings = settings(owner, table, true)?;
            Box::new(Adam::new(s).map_err(lib(owner))?)
        }
        "adagrad" => {
            let s: AdagradSettings = settings(owner, table, true)?;
            Box::new(Adagrad::new(s).map_err(lib(owner))?)
        }
        "rmsprop" => {
            let s: RmsPropSettings = settings(owner, table, true)?;
            Box::new(RmsProp::new(s).map_err(lib(owner))?)
        }
        "quickprop" => {
            let s: QuickPropSettings = settings(owner, table, true)?;
            Box::new(QuickProp::new(s).map_err(lib(owner))?)
        }
        "rprop" => {
            let s: RpropSettings = settings(owner, table, false)?;
            Box::new(Rprop::new(s).map_err(lib(owner))?)
        }
        "newton" => {
            only_keys(
                owner,
                table,
                &[
                    "kind",
                    "label",
                    "eta",
                    "indefinite",
                    "indefinite_parameter",
                    "line_search",
                ],
            )?;
            let eta = number_field(owner, table, "eta", 1.0)?;
            let strategy_name = match table.get("indefinite") {
                None => "fail",
                Some(Value::String(s)) => s.as_str(),
                Some(v) => {
                    return Err(err(format!(
                        "{owner}: indefinite must be a string, got {v}"
                    )));
                }
            };
            let p = |default: f64| number_field(owner, table, "indefinite_parameter", default);
            let strategy = match strategy_name {
                "fail" => IndefiniteHessian::Fail,
                "solve_indefinite" => IndefiniteHessian::SolveIndefinite,
                "modified_cholesky" => IndefiniteHessian::ModifiedCholesky { beta: p(1e-3)? },
                "levenberg_marquardt" => IndefiniteHessian::LevenbergMarquardt {
                    initial_damping: p(1e-3)?,
                },
                "eigenvalue_modification" => {
                    IndefiniteHessian::EigenvalueModification { floor: p(1e-8)? }
                }
                "fixed_damping" => IndefiniteHessian::FixedDamping { lambda: p(1e-3)? },
                other => {
                    return Err(err(format!(
                        "{owner}: unknown indefinite `{other}`; valid strategies are: {}",
                        INDEFINITE.join(", ")
                    )));
                }
            };
            let newton = Newton::new(eta, strategy).map_err(lib(owner))?;
            match table.get("line_search") {
                None => Box::new(newton),
                Some(Value::String(s)) if s == "none" => Box::new(newton),
                Some(Value::String(s)) if s == "armijo" => {
                    Box::new(newton.with_line_search(Armijo::default()))
                }
                Some(v) => {
                    return Err(err(format!(
                        "{owner}: unknown line_search {v}; valid line searches are: none, armijo"
                    )));
                }
            }
        }
        "lbfgs" => {
            only_keys(owner, table, &["kind", "label", "memory", "c1", "c2"])?;
            let memory = match table.get("memory") {
                None => 10,
                Some(v) => v.as_u64().ok_or_else(|| {
                    err(format!("{owner}: memory must be an integer ≥ 1, got {v}"))
                })? as usize,
            };
            let wolfe = StrongWolfe::default();
            let (c1, c2) = wolfe.constants();
            let c1 = number_field(owner, table, "c1", c1)?;
            let c2 = number_field(owner, table, "c2", c2)?;
            let search = StrongWolfe::new(c1, c2, 1e10, 50).map_err(lib(owner))?;
            Box::new(
                Lbfgs::new(memory)
                    .map_err(lib(owner))?
                    .with_line_search(search),
            )
        }
        other => {
            return Err(err(format!(
                "optimizer[{i}]: unknown kind `{other}`; valid kinds are: {}",
                OPTIMIZERS.join(", ")
            )));
        }
    })
}
