//! Activations: element-wise `y_i = f(z_i)` and the vector activation softmax,
//! each with its Jacobian `J_y(z)` (and, for the R-operator, its second
//! derivative).

use descent_core::Error;
use descent_linalg::Mat;
use serde::{Deserialize, Serialize};

/// An activation `y = f(z)`, `dim(y) = dim(z)`.
///
/// Element-wise activations have a diagonal Jacobian
/// `J_y(z) = diag(f'(z_1), …, f'(z_D))`; softmax is a vector activation with the
/// full Jacobian `J_y(z) = diag(y) − y yᵀ`. Threshold (the perceptron's step)
/// has derivative 0 almost everywhere and none at 0, so no gradient flows
/// through it: backpropagation refuses networks that contain one.
///
/// Reference: Goodfellow, Bengio & Courville, *Deep Learning* (2016), §6.3.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Activation {
    /// `f(z) = z`, `f' = 1`.
    Identity,
    /// `σ(z) = 1 / (1 + e^{−z})`, `σ' = σ(1 − σ)`, computed without overflow.
    Sigmoid,
    /// `tanh z`, `tanh' = 1 − tanh²` (computed by [`tanh`], a vectorisable form accurate to a few ulps).
    Tanh,
    /// `max(z, 0)`, `f' = 1` for `z > 0` and `0` for `z ≤ 0` (the convention at the kink).
    Relu,
    /// `z` for `z > 0`, `α z` otherwise; `f' = 1` or `α` (α at `z = 0`).
    /// Build it with [`Activation::leaky_relu`], which validates α.
    LeakyRelu {
        /// The slope α for `z ≤ 0`.
        alpha: f64,
    },
    /// `softplus(z) = ln(1 + e^z)`, `f' = σ(z)`, computed as `max(z, 0) + ln(1 + e^{−|z|})`.
    Softplus,
    /// `y_i = e^{z_i} / Σ_j e^{z_j}` (computed after subtracting `max z`);
    /// Jacobian `diag(y) − y yᵀ`.
    Softmax,
    /// The perceptron's step `f(z) = 1` if `z ≥ 0`, else `0`. Not differentiable.
    Threshold,
}

/// `σ(z)` without overflow for any finite `z`, and
/// `ln(1 + e^z) = max(z, 0) + ln(1 + e^{−|z|})`, exact for large `|z|`: the
/// scalar functions live in descent-problems (its 1-D functions), one copy
/// for the workspace.
pub use descent_problems::one_d::{sigmoid, softplus};

/// `tanh x`, accurate to a few ulps, written so that the compiler vectorises
/// a loop over it (no branches, no libm call): with `a = min(|x|, 20)` and
/// `u = −2a`, `e^u − 1` is computed as `2^k (e^r − 1) + (2^k − 1)` with
/// `u = k ln 2 + r`, `|r| ≤ ln2/2` and `e^r − 1` by its Taylor polynomial of
/// degree 13 (truncation below 2e-17 relative); then
/// `tanh a = −(e^u − 1) / (2 + (e^u − 1))` and the sign of x is restored.
/// `tanh(20) = 1 − 8·10⁻¹⁸` rounds to 1, hence the clamp.
///
/// Reference: Tang (1992), "Table-driven implementation of the expm1 function in
/// IEEE floating-point arithmetic", ACM TOMS 18(2) (the reduction), here without the table.
pub fn tanh(x: f64) -> f64 {
    const LOG2_E: f64 = std::f64::consts::LOG2_E;
    const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000); // fdlibm's ln2_hi
    const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76); // ln 2 − ln2_hi
    const ROUND: f64 = 6_755_399_441_055_744.0; // 1.5·2^52: adding it rounds to an integer
    // (not `min`, which would turn NaN into 20: NaN must propagate)
    let a = if x.abs() > 20.0 { 20.0 } else { x.abs() };
    let u = -2.0 * a;
    let shifted = u * LOG2_E + ROUND;
    let k = shifted - ROUND;
    let r = (u - k * LN2_HI) - k * LN2_LO;
    // the integer k sits in the low mantissa bits of `shifted` (two's complement)
    let two_k = f64::from_bits(shifted.to_bits().wrapping_add(1023) << 52);
    let mut p = 1.0 / 6_227_020_800.0;
    for c in [
        1.0 / 479_001_600.0,
        1.0 / 39_916_800.0,
        1.0 / 3_628_800.0,
        1.0 / 362_880.0,
        1.0 / 40_320.0,
        1.0 / 5_040.0,
        1.0 / 720.0,
        1.0 / 120.0,
        1.0 / 24.0,
        1.0 / 6.0,
        0.5,
        1.0,
    ] {
        p = p * r + c;
    }
    let em1 = two_k * (p * r) + (two_k - 1.0);
    (-em1 / (2.0 + em1)).copysign(x)
}

impl Activation {
    /// Leaky ReLU with slope `alpha` for `z ≤ 0`.
    ///
    /// # Errors
    /// [`Error::Hyperparameter`] if `alpha` is not finite.
    pub fn leaky_relu(alpha: f64) -> Result<Self, Error> {
        descent_core::validate::finite("leaky ReLU", "α", alpha)?;
        Ok(Self::LeakyRelu { alpha })
    }

    /// The activation's name as used in messages and benchmark ids ("tanh", "leaky_relu(0.01)").
    pub fn name(&self) -> String {
        match self {
            Self::Identity => "identity".into(),
            Self::Sigmoid => "sigmoid".into(),
            Self::Tanh => "tanh".into(),
            Self::Relu => "relu".into(),
            Self::LeakyRelu { alpha } => format!("leaky_relu({alpha})"),
            Self::Softplus => "softplus".into(),
            Self::Softmax => "softmax".into(),
            Self::Threshold => "threshold".into(),
        }
    }

    /// Does `y_i` depend on `z_i` only (diagonal Jacobian)? True for all but softmax.
    pub fn is_elementwise(&self) -> bool {
        !matches!(self, Self::Softmax)
    }

    /// Can a gradient pass through it? False only for [`Activation::Threshold`].
    pub fn is_differentiable(&self) -> bool {
        !matches!(self, Self::Threshold)
    }

    /// `f(z)` for an element-wise activation.
    ///
    /// # Panics
    /// For [`Activation::Softmax`], which is not element-wise (use [`Activation::apply`]).
    pub fn scalar(&self, z: f64) -> f64 {
        match *self {
            Self::Identity => z,
            Self::Sigmoid => sigmoid(z),
            Self::Tanh => tanh(z),
            Self::Relu => z.max(0.0),
            Self::LeakyRelu { alpha } => {
                if z > 0.0 {
                    z
                } else {
                    alpha * z
                }
            }
            Self::Softplus => softplus(z),
            Self::Threshold => {
                if z >= 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Self::Softmax => panic!("softmax is a vector activation, not element-wise"),
        }
    }

    /// `f'(z)` of an element-wise activation, given `z` and `y = f(z)`
    /// (sigmoid and tanh use `y`: `σ' = y(1 − y)`, `tanh' = 1 − y²`). Threshold gives 0.
    ///
    /// # Panics
    /// For [`Activation::Softmax`].
    pub fn derivative(&self, z: f64, y: f64) -> f64 {
        match *self {
            Self::Identity => 1.0,
            Self::Sigmoid => y * (1.0 - y),
            Self::Tanh => 1.0 - y * y,
            Self::Relu => {
                if z > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Self::LeakyRelu { alpha } => {
                if z > 0.0 {
                    1.0
                } else {
                    alpha
                }
            }
            Self::Softplus => sigmoid(z),
            Self::Threshold => 0.0,
            Self::Softmax => panic!("softmax is a vector activation, not element-wise"),
        }
    }

    /// `f''(z)` of an element-wise activation, given `z` and `y = f(z)`:
    /// sigmoid `y(1 − y)(1 − 2y)`, tanh `−2y(1 − y²)`, softplus `σ(z)(1 − σ(z))`,
    /// 0 for the piecewise-linear ones. Used by the R-operator.
    ///
    /// # Panics
    /// For [`Activation::Softmax`].
    pub fn second_derivative(&self, z: f64, y: f64) -> f64 {
        match *self {
            Self::Identity | Self::Relu | Self::LeakyRelu { .. } | Self::Threshold => 0.0,
            Self::Sigmoid => y * (1.0 - y) * (1.0 - 2.0 * y),
            Self::Tanh => -2.0 * y * (1.0 - y * y),
            Self::Softplus => {
                let s = sigmoid(z);
                s * (1.0 - s)
            }
            Self::Softmax => panic!("softmax is a vector activation, not element-wise"),
        }
    }

    /// `y ← f(z)` for one sample (a column `z` of length D).
    ///
    /// Softmax subtracts `max_i z_i` before exponentiating, so it never overflows.
    ///
    /// # Panics
    /// If the lengths differ.
    pub fn apply(&self, z: &[f64], y: &mut [f64]) {
        assert_eq!(z.len(), y.len(), "activation: z and y lengths differ");
        match self {
            Self::Softmax => {
                let m = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let mut s = 0.0;
                for (yi, zi) in y.iter_mut().zip(z) {
                    *yi = (zi - m).exp();
                    s += *yi;
                }
                let inv = 1.0 / s;
                for yi in y.iter_mut() {
                    *yi *= inv;
                }
            }
            Self::Tanh => {
                for (yi, zi) in y.iter_mut().zip(z) {
                    *yi = tanh(*zi);
                }
            }
            Self::Sigmoid => {
                for (yi, zi) in y.iter_mut().zip(z) {
                    *yi = sigmoid(*zi);
                }
            }
            _ => {
                for (yi, zi) in y.iter_mut().zip(z) {
                    *yi = self.scalar(*zi);
                }
            }
        }
    }

    /// The Jacobian `J_y(z)` (D×D, `J_ij = ∂y_i/∂z_j`) at `z`, with `y = f(z)`:
    /// `diag(f'(z))` for element-wise activations, `diag(y) − y yᵀ` for softmax.
    ///
    /// # Errors
    /// [`Error::Invalid`] for [`Activation::Threshold`], whose derivative is 0
    /// wherever it exists, so it passes no gradient.
    pub fn jacobian(&self, z: &[f64], y: &[f64]) -> Result<Mat<f64>, Error> {
        if !self.is_differentiable() {
            return Err(threshold_error("jacobian"));
        }
        let d = z.len();
        Ok(match self {
            Self::Softmax => Mat::from_fn(d, d, |i, j| {
                let diag = if i == j { y[i] } else { 0.0 };
                diag - y[i] * y[j]
            }),
            _ => Mat::from_fn(d, d, |i, j| {
                if i == j {
                    self.derivative(z[i], y[i])
                } else {
                    0.0
                }
            }),
        })
    }
}

/// The error for a gradient requested through a threshold unit.
pub(crate) fn threshold_error(context: impl Into<String>) -> Error {
    Error::invalid(
        context,
        "a threshold unit has derivative 0 wherever it is differentiable and none at z = 0, \
         so no gradient passes through it; train threshold units with the perceptron rule \
         (descent_graph::Perceptron) or replace the step by a sigmoid",
    )
}
