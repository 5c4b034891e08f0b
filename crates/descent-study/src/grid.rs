//! Grid axes in a spec, and their cross product.
//!
//! A setting becomes an axis of the grid when its value is
//!
//! * a list of scalars, `eta = [0.1, 0.2]` (numbers, strings or booleans),
//! * `{ lin = [a, b, n] }`: `n ≥ 2` points `a + (b − a)·i/(n − 1)`,
//! * `{ log = [a, b, n] }`: `n ≥ 2` points `a·(b/a)^{i/(n−1)}` (`a, b > 0`),
//!   the last exactly `b`.
//!
//! Settings whose value is itself a list ([`VECTOR_FIELDS`]: eigenvalues,
//! starting points, layer sizes, milestones) take a list of lists to become
//! an axis. The cross product runs the last axis fastest.

use serde_json::{Map, Value};

use crate::spec::StudyError;

/// Settings whose single value is a list; a grid over them is a list of lists.
pub const VECTOR_FIELDS: &[&str] = &[
    "eigenvalues",
    "x0",
    "hidden",
    "milestones",
    "values",
    "schedules",
];

/// The most points one `lin`/`log` range may have.
pub const MAX_RANGE_POINTS: u64 = 1_000_000;

/// One axis of the grid: where it is in the spec and its values.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    /// The path of the setting, `problem.seed`, `optimizer[2].eta`.
    pub path: String,
    /// The path's segments below the root value it was found in.
    pub(crate) keys: Vec<String>,
    /// Its values, in the order given.
    pub values: Vec<Value>,
    /// Whether it came from `{ log = … }` (figures use a log axis).
    pub log: bool,
}

impl Axis {
    /// The last segment of the path (`eta`).
    pub fn name(&self) -> &str {
        self.keys.last().map_or("", String::as_str)
    }
}

/// A number as JSON: an integer when `v` is integral (so it also fits
/// integer settings such as `max_iterations`), a float otherwise.
pub fn number(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        Value::from(v as i64)
    } else {
        serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number)
    }
}

fn range_values(path: &str, kind: &str, spec: &Value) -> Result<Vec<Value>, StudyError> {
    let bad = |why: String| {
        StudyError::new(format!(
            "{path}: {{ {kind} = {spec} }} {why}; write {{ {kind} = [first, last, points] }} with points ≥ 2"
        ))
    };
    let Some(items) = spec.as_array().filter(|a| a.len() == 3) else {
        return Err(bad("is not a list of three numbers".into()));
    };
    let (Some(a), Some(b)) = (items[0].as_f64(), items[1].as_f64()) else {
        return Err(bad("has an end that is not a number".into()));
    };
    let Some(n) = items[2].as_u64() else {
        return Err(bad("has a point count that is not an integer ≥ 2".into()));
    };
    if !(2..=MAX_RANGE_POINTS).contains(&n) {
        return Err(bad(format!(
            "has {n} points, allowed are 2 to {MAX_RANGE_POINTS}"
        )));
    }
    if !a.is_finite() || !b.is_finite() {
        return Err(bad("has an end that is not finite".into()));
    }
    let last = (n - 1) as f64;
    let values = if kind == "log" {
        if !(a > 0.0 && b > 0.0) {
            return Err(bad("has an end ≤ 0 (a log range needs a, b > 0)".into()));
        }
        (0..n)
            .map(|i| {
                if i == n - 1 {
                    b
                } else {
                    a * (b / a).powf(i as f64 / last)
                }
            })
            .collect::<Vec<f64>>()
    } else {
        (0..n)
            .map(|i| {
                if i == n - 1 {
                    b
                } else {
                    a + (b - a) * (i as f64 / last)
                }
            })
            .collect()
    };
    Ok(values.into_iter().map(number).collect())
}

fn is_scalar(v: &Value) -> bool {
    matches!(v, Value::Number(_) | Value::String(_) | Value::Bool(_))
}

/// Find the axes below `value` (found at `path`), in key order.
///
/// # Errors
/// An empty list, a malformed `lin`/`log` range, or a list mixing kinds.
pub fn find_axes(value: &Value, path: &str) -> Result<Vec<Axis>, StudyError> {
    let mut out = Vec::new();
    walk(value, path, &mut Vec::new(), &mut out)?;
    Ok(out)
}

fn walk(
    value: &Value,
    path: &str,
    keys: &mut Vec<String>,
    out: &mut Vec<Axis>,
) -> Result<(), StudyError> {
    let Value::Object(map) = value else {
        return Ok(());
    };
    for (key, child) in map {
        keys.push(key.clone());
        let here = format!("{path}.{key}");
        let vector = VECTOR_FIELDS.contains(&key.as_str());
        match child {
            Value::Object(inner)
                if inner.len() == 1 && (inner.contains_key("lin") || inner.contains_key("log")) =>
            {
                let (kind, spec) = inner.iter().next().expect("one entry");
                out.push(Axis {
                    path: here.clone(),
                    keys: keys.clone(),
                    values: range_values(&here, kind, spec)?,
                    log: kind == "log",
                });
            }
            Value::Array(items) => {
                let grid = if vector {
                    !items.is_empty() && items.iter().all(Value::is_array)
                } else {
                    items.is_empty() || !items.iter().all(Value::is_object)
                };
                if grid {
                    if items.is_empty() {
                        return Err(StudyError::new(format!(
                            "{here}: the list of values is empty; give at least one"
                        )));
                    }
                    if !vector && !items.iter().all(is_scalar) {
                        return Err(StudyError::new(format!(
                            "{here}: a list of values must hold numbers, strings or booleans, got {child}"
                        )));
                    }
                    out.push(Axis {
                        path: here.clone(),
                        keys: keys.clone(),
                        values: items.clone(),
                        log: false,
                    });
                }
            }
            Value::Object(_) => walk(child, &here, keys, out)?,
            _ => {}
        }
        keys.pop();
    }
    Ok(())
}

/// The number of points of the cross product of `axes`, or `None` on overflow.
pub fn product_len(axes: &[Axis]) -> Option<u64> {
    axes.iter()
        .try_fold(1u64, |acc, a| acc.checked_mul(a.values.len() as u64))
}

/// The indices of point `k` of the cross product (last axis fastest).
pub fn point(axes: &[Axis], mut k: usize) -> Vec<usize> {
    let mut idx = vec![0; axes.len()];
    for (i, axis) in axes.iter().enumerate().rev() {
        let n = axis.values.len();
        idx[i] = k % n;
        k /= n;
    }
    idx
}

/// Replace the value at `keys` below `root` by `value`.
pub(crate) fn set(root: &mut Value, keys: &[String], value: Value) {
    let mut node = root;
    for key in &keys[..keys.len() - 1] {
        node = node
            .as_object_mut()
            .and_then(|m| m.get_mut(key))
            .expect("axis paths come from this value");
    }
    if let Some(map) = node.as_object_mut() {
        map.insert(keys[keys.len() - 1].clone(), value);
    }
}

/// A value as a short text for tables and legends (`0.1`, `nesterov`, `[1, 10]`).
pub fn show(value: &Value) -> String {
    match value {
        Value::Number(n) => n
            .as_f64()
            .map_or_else(|| n.to_string(), descent_lab::fmt_num),
        Value::String(s) => s.clone(),
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(show).collect::<Vec<_>>().join(", ")
        ),
        other => other.to_string(),
    }
}

/// The keys of an object, for "valid keys are …" messages.
pub(crate) fn keys_of(map: &Map<String, Value>) -> Vec<String> {
    map.keys().cloned().collect()
}
