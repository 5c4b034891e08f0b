//! Hyperparameter validation: every constructor that takes a step size, a
//! tolerance, a memory size, … calls one of these, so every rejection reads the
//! same way: `"<owner>: <name> must be <requirement>, got <value>"`.

use crate::Error;

fn reject(
    owner: &'static str,
    name: &'static str,
    requirement: &'static str,
    value: String,
) -> Error {
    Error::Hyperparameter {
        owner,
        name,
        requirement,
        value,
    }
}

/// `value` must be finite and `> 0` (a learning rate η, a tolerance, a radius).
pub fn positive(owner: &'static str, name: &'static str, value: f64) -> Result<f64, Error> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(reject(
            owner,
            name,
            "finite and > 0",
            crate::display_number(value),
        ))
    }
}

/// `value` must be finite and `≥ 0` (a damping λ, a weight decay, a momentum).
pub fn non_negative(owner: &'static str, name: &'static str, value: f64) -> Result<f64, Error> {
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(reject(
            owner,
            name,
            "finite and ≥ 0",
            crate::display_number(value),
        ))
    }
}

/// `value` must lie in the open interval `(0, 1)` (a CG forcing term, an Armijo c₁).
pub fn in_open_unit(owner: &'static str, name: &'static str, value: f64) -> Result<f64, Error> {
    if value > 0.0 && value < 1.0 {
        Ok(value)
    } else {
        Err(reject(
            owner,
            name,
            "in (0, 1)",
            crate::display_number(value),
        ))
    }
}

/// `value` must lie in `[0, 1)` (a momentum β, Adam's β₁ and β₂).
pub fn in_unit_from_zero(
    owner: &'static str,
    name: &'static str,
    value: f64,
) -> Result<f64, Error> {
    if (0.0..1.0).contains(&value) {
        Ok(value)
    } else {
        Err(reject(
            owner,
            name,
            "in [0, 1)",
            crate::display_number(value),
        ))
    }
}

/// `value` must be finite (any sign: a bias, a target value).
pub fn finite(owner: &'static str, name: &'static str, value: f64) -> Result<f64, Error> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(reject(owner, name, "finite", crate::display_number(value)))
    }
}

/// A count must be `≥ min` (L-BFGS memory ≥ 1, a batch size ≥ 1).
pub fn at_least(
    owner: &'static str,
    name: &'static str,
    value: usize,
    min: usize,
) -> Result<usize, Error> {
    if value >= min {
        Ok(value)
    } else {
        let (requirement, value) = match min {
            1 => ("≥ 1", value.to_string()),
            2 => ("≥ 2", value.to_string()),
            _ => ("≥ the minimum", format!("{value} (the minimum is {min})")),
        };
        Err(reject(owner, name, requirement, value))
    }
}

/// Every entry of a vector must be finite and `> 0` (per-parameter step sizes η_i).
pub fn all_positive(owner: &'static str, name: &'static str, values: &[f64]) -> Result<(), Error> {
    match values.iter().position(|v| !(v.is_finite() && *v > 0.0)) {
        None => Ok(()),
        Some(i) => Err(Error::Hyperparameter {
            owner,
            name,
            requirement: "finite and > 0 in every entry",
            value: format!("{} at index {i}", crate::display_number(values[i])),
        }),
    }
}
