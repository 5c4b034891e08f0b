//! The workspace's error type for input a user supplies.

use descent_linalg::LinalgError;

/// Why an operation on user-supplied input (a hyperparameter, a starting point,
/// a problem size, a data file) was refused.
///
/// Every message names the operation and the offending values, e.g.
/// `"L-BFGS: memory must be ≥ 1, got 0"`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// A hyperparameter outside its valid range.
    #[error("{owner}: {name} must be {requirement}, got {value}")]
    Hyperparameter {
        /// Who takes it ("gradient descent", "L-BFGS", "inverse-time schedule").
        owner: &'static str,
        /// The parameter's name ("η", "memory").
        name: &'static str,
        /// What it must be ("> 0", "in (0, 1)", "≥ 1").
        requirement: &'static str,
        /// The value given, formatted.
        value: String,
    },
    /// Input that does not fit (a wrong length, an unsupported size, a bad file).
    #[error("{context}: {message}")]
    Invalid {
        /// The operation ("minimize", "Watson function", "digits.csv line 17").
        context: String,
        /// What is wrong, with the values.
        message: String,
    },
    /// An optimiser needs a derivative the objective does not provide.
    #[error("{optimizer} needs {what}, which {objective} does not provide")]
    NotProvided {
        /// The optimiser.
        optimizer: String,
        /// The objective.
        objective: String,
        /// The missing derivative ("the Hessian", "Hessian-vector products").
        what: &'static str,
    },
    /// A linear-algebra failure on user input (a non-PD matrix, a shape mismatch).
    #[error(transparent)]
    Linalg(#[from] LinalgError),
}

impl Error {
    /// An [`Error::Invalid`] with the given context and message.
    pub fn invalid(context: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid {
            context: context.into(),
            message: message.into(),
        }
    }
}

/// Format a number for an error message: plain for moderate magnitudes
/// (`0.5`, `-1`, `1000`), scientific outside `[1e-4, 1e6)` (`2e300`), and
/// `NaN`, `inf`, `-inf` spelled as Rust does.
pub fn display_number(v: f64) -> String {
    let a = v.abs();
    if v.is_finite() && a != 0.0 && !(1e-4..1e6).contains(&a) {
        format!("{v:e}")
    } else {
        v.to_string()
    }
}
