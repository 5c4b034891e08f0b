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
#[serde(rename_all = "snake_case", deny_unknown_fields)]
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
    /// GELU, exact form: `f(z) = z Φ(z)` with the standard normal CDF
    /// `Φ(z) = ½ erfc(−z/√2)`; `f' = Φ(z) + z φ(z)`, `f'' = φ(z)(2 − z²)`,
    /// `φ(z) = e^{−z²/2}/√(2π)`.
    ///
    /// Reference: Hendrycks & Gimpel (2016), "Gaussian Error Linear Units (GELUs)", arXiv:1606.08415.
    Gelu,
    /// GELU, tanh approximation: `f(z) = ½ z (1 + tanh u)`,
    /// `u = √(2/π)(z + 0.044715 z³)`; with `t = tanh u`,
    /// `f' = ½(1 + t) + ½ z (1 − t²) u'` and
    /// `f'' = (1 − t²)(u' + ½ z (u'' − 2 t u'²))`, `u' = √(2/π)(1 + 0.134145 z²)`,
    /// `u'' = √(2/π)·0.26829 z`. (PyTorch's `approximate="tanh"`.)
    ///
    /// Reference: Hendrycks & Gimpel (2016), §2.
    GeluTanh,
    /// SiLU / swish: `f(z) = z σ(z)`; `f' = σ(1 + z(1 − σ))`,
    /// `f'' = σ(1 − σ)(2 + z(1 − 2σ))`.
    ///
    /// Reference: Elfwing, Uchibe & Doya (2018), "Sigmoid-weighted linear units", Neural Networks 107.
    Silu,
    /// ELU: `z` for `z > 0`, `α(e^z − 1)` otherwise; `f' = 1` or `α e^z`,
    /// `f'' = 0` or `α e^z` (the left branch at `z = 0`). Build it with
    /// [`Activation::elu`], which validates α.
    ///
    /// Reference: Clevert, Unterthiner & Hochreiter (2016), "Fast and accurate deep network
    /// learning by exponential linear units (ELUs)", ICLR.
    Elu {
        /// The scale α of the negative branch.
        alpha: f64,
    },
}

/// `1/√(2π)`, the standard normal density at 0.
const INV_SQRT_2PI: f64 = 0.398_942_280_401_432_7;
/// `√(2/π)`, the scale of the tanh approximation of GELU.
const SQRT_2_OVER_PI: f64 = 0.797_884_560_802_865_4;
/// The cubic coefficient of the tanh approximation of GELU.
const GELU_CUBIC: f64 = 0.044_715;

/// The standard normal CDF `Φ(z) = ½ erfc(−z/√2)`, accurate in both tails.
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * libm::erfc(-z * std::f64::consts::FRAC_1_SQRT_2)
}

/// The standard normal density `φ(z) = e^{−z²/2}/√(2π)`.
pub fn normal_pdf(z: f64) -> f64 {
    INV_SQRT_2PI * (-0.5 * z * z).exp()
}

/// `u(z) = √(2/π)(z + 0.044715 z³)` and its first two derivatives (GELU, tanh form).
fn gelu_tanh_argument(z: f64) -> (f64, f64, f64) {
    (
        SQRT_2_OVER_PI * (z + GELU_CUBIC * z * z * z),
        SQRT_2_OVER_PI * (1.0 + 3.0 * GELU_CUBIC * z * z),
        SQRT_2_OVER_PI * 6.0 * GELU_CUBIC * z,
    )
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

    /// ELU with scale `alpha` for `z ≤ 0`.
    ///
    /// # Errors
    /// [`Error::Hyperparameter`] if `alpha` is not finite.
    pub fn elu(alpha: f64) -> Result<Self, Error> {
        descent_core::validate::finite("ELU", "α", alpha)?;
        Ok(Self::Elu { alpha })
    }

    /// Check the parameters of a value built without its constructor (a
    /// struct literal or a deserialised network).
    ///
    /// # Errors
    /// As [`Activation::leaky_relu`] and [`Activation::elu`].
    pub fn validated(self) -> Result<Self, Error> {
        match self {
            Self::LeakyRelu { alpha } => Self::leaky_relu(alpha),
            Self::Elu { alpha } => Self::elu(alpha),
            other => Ok(other),
        }
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
            Self::Gelu => "gelu".into(),
            Self::GeluTanh => "gelu_tanh".into(),
            Self::Silu => "silu".into(),
            Self::Elu { alpha } => format!("elu({alpha})"),
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
            Self::Gelu => z * normal_cdf(z),
            Self::GeluTanh => 0.5 * z * (1.0 + tanh(gelu_tanh_argument(z).0)),
            Self::Silu => z * sigmoid(z),
            Self::Elu { alpha } => {
                if z > 0.0 {
                    z
                } else {
                    alpha * z.exp_m1()
                }
            }
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
            Self::Gelu => normal_cdf(z) + z * normal_pdf(z),
            Self::GeluTanh => {
                let (u, du, _) = gelu_tanh_argument(z);
                let t = tanh(u);
                0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * du
            }
            Self::Silu => {
                let s = sigmoid(z);
                s * (1.0 + z * (1.0 - s))
            }
            Self::Elu { alpha } => {
                if z > 0.0 {
                    1.0
                } else {
                    alpha * z.exp()
                }
            }
            Self::Threshold => 0.0,
            Self::Softmax => panic!("softmax is a vector activation, not element-wise"),
        }
    }

    /// `f''(z)` of an element-wise activation, given `z` and `y = f(z)`:
    /// sigmoid `y(1 − y)(1 − 2y)`, tanh `−2y(1 − y²)`, softplus `σ(z)(1 − σ(z))`,
    /// GELU, SiLU and ELU as in their variants' docs, 0 for the piecewise-linear
    /// ones. Used by the R-operator.
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
            Self::Gelu => normal_pdf(z) * (2.0 - z * z),
            Self::GeluTanh => {
                let (u, du, d2u) = gelu_tanh_argument(z);
                let t = tanh(u);
                (1.0 - t * t) * (du + 0.5 * z * (d2u - 2.0 * t * du * du))
            }
            Self::Silu => {
                let s = sigmoid(z);
                s * (1.0 - s) * (2.0 + z * (1.0 - 2.0 * s))
            }
            Self::Elu { alpha } => {
                if z > 0.0 {
                    0.0
                } else {
                    alpha * z.exp()
                }
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
