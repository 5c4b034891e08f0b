//! The one number formatter of the project.
//!
//! Every number that reaches a report, a figure label or a snapshot goes
//! through [`fmt_num`], so the text is stable across CPUs and libm versions as
//! long as results agree to six significant digits.

/// Significant digits kept by [`fmt_num`].
pub const SIGNIFICANT_DIGITS: usize = 6;

/// Format `x` with [`SIGNIFICANT_DIGITS`] significant digits, trailing zeros
/// removed.
///
/// * `1e-4 ≤ |x| < 1e6` is written positionally (`0.5`, `70`, `-0.000123457`),
///   anything else in scientific notation (`1.78412e-3`, `6.02214e23`);
/// * `0` and `-0` are both `0`;
/// * NaN is `NaN`, infinities are `∞` and `−∞` (U+2212);
/// * the digits come from Rust's exact decimal conversion (`{:.5e}`), rounded
///   once, so the result depends only on the bits of `x`.
pub fn fmt_num(x: f64) -> String {
    if x.is_nan() {
        return "NaN".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 {
            "∞".to_owned()
        } else {
            "−∞".to_owned()
        };
    }
    if x == 0.0 {
        return "0".to_owned();
    }
    let sci = format!("{:.*e}", SIGNIFICANT_DIGITS - 1, x.abs());
    let (mantissa, exponent) = sci.split_once('e').expect("`{:e}` output has an exponent");
    let exponent: i32 = exponent.parse().expect("`{:e}` exponent is an integer");
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if x < 0.0 { "-" } else { "" };
    if (-4..6).contains(&exponent) {
        let body = if exponent < 0 {
            let zeros = "0".repeat((-exponent - 1) as usize);
            format!("0.{zeros}{digits}")
        } else {
            let point = exponent as usize + 1;
            format!("{}.{}", &digits[..point], &digits[point..])
        };
        format!("{sign}{}", strip_zeros(&body))
    } else {
        let body = format!("{}.{}", &digits[..1], &digits[1..]);
        format!("{sign}{}e{exponent}", strip_zeros(&body))
    }
}

/// Round-off floor for residuals shown in tables: differences from a closed
/// form below this are rounding, whose last bits depend on the CPU's SIMD
/// width, so [`fmt_below`] prints them all as `< 1e-12`.
pub const ROUNDOFF_FLOOR: f64 = 1e-12;

/// Format a residual (an error, a deviation from theory): `< floor` when
/// `|x| < floor` (0 included), else [`fmt_num`]. Values that are rounding noise
/// then print the same on every CPU, and a snapshot diff means a real change.
pub fn fmt_below(x: f64, floor: f64) -> String {
    if x.abs() < floor {
        format!("< {}", fmt_num(floor))
    } else {
        fmt_num(x)
    }
}

/// Format a list as `a, b, c` with [`fmt_num`].
pub fn fmt_list(xs: &[f64]) -> String {
    xs.iter()
        .map(|&x| fmt_num(x))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The direction of [`round_sig`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rounding {
    /// To the nearest decimal with the given digits (an exact tie, rare in
    /// binary, is broken as Rust's `{:e}` formatting breaks it).
    Nearest,
    /// To the largest such decimal that is ≤ x (towards −∞): a lower bound.
    Down,
    /// To the smallest such decimal that is ≥ x (towards +∞): an upper bound.
    Up,
}

/// `x` rounded to `digits` significant decimal digits in the direction
/// `rounding` (the f64 nearest to that decimal).
///
/// For quoting a measured value coarsely (a deviation whose last digits
/// depend on where a window ends) or turning a measurement into a bound
/// (`Up` for an upper bound, `Down` for a lower one). The comparison with `x`
/// is made between f64 values, so a decimal whose nearest f64 is `x` itself
/// (0.3 = 0.29999999999999998…) is returned unchanged in every direction.
/// `0`, NaN and ±∞ are returned as they are; `digits = 0` is taken as 1.
///
/// The decimal digits come from Rust's exact conversion (`{:e}`), as in
/// [`fmt_num`], so the result depends only on the bits of `x`.
pub fn round_sig(x: f64, digits: u32, rounding: Rounding) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    if x < 0.0 {
        let mirrored = match rounding {
            Rounding::Nearest => Rounding::Nearest,
            Rounding::Down => Rounding::Up,
            Rounding::Up => Rounding::Down,
        };
        return -round_sig(-x, digits, mirrored);
    }
    let digits = digits.max(1) as usize;
    let sci = format!("{:.*e}", digits - 1, x);
    let (mantissa, exponent) = sci.split_once('e').expect("`{:e}` output has an exponent");
    let exponent: i32 = exponent.parse().expect("`{:e}` exponent is an integer");
    let m: u64 = mantissa
        .chars()
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .expect("mantissa digits");
    // x ≈ m · 10^scale with m a `digits`-digit integer.
    let scale = exponent - digits as i32 + 1;
    let value = |m: u64, scale: i32| -> f64 {
        format!("{m}e{scale}")
            .parse()
            .expect("a decimal parses as f64")
    };
    let nearest = value(m, scale);
    match rounding {
        Rounding::Nearest => nearest,
        Rounding::Down if nearest > x => {
            let smallest = 10u64.pow(digits as u32 - 1);
            if m - 1 < smallest {
                value(10 * smallest - 1, scale - 1)
            } else {
                value(m - 1, scale)
            }
        }
        Rounding::Up if nearest < x => value(m + 1, scale),
        Rounding::Down | Rounding::Up => nearest,
    }
}

/// Remove trailing zeros after a decimal point, and the point if nothing is left.
fn strip_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::{Rounding, fmt_num, round_sig};

    #[test]
    fn rounds_to_significant_digits_in_each_direction() {
        use Rounding::{Down, Nearest, Up};
        // 0.00423 to two digits: 0.0042 nearest and down, 0.0043 up.
        assert_eq!(round_sig(0.004_23, 2, Nearest), 0.0042);
        assert_eq!(round_sig(0.004_23, 2, Down), 0.0042);
        assert_eq!(round_sig(0.004_23, 2, Up), 0.0043);
        // A decimal that is already the f64 of x stays, in every direction.
        for r in [Nearest, Down, Up] {
            assert_eq!(round_sig(0.3, 1, r), 0.3);
            assert_eq!(round_sig(1200.0, 2, r), 1200.0);
        }
        // Nearest rounding carries into a new digit (9.96 → 10); down then
        // steps back to 9.9, the largest two-digit decimal below 9.96.
        assert_eq!(round_sig(9.96, 2, Nearest), 10.0);
        assert_eq!(round_sig(9.96, 2, Down), 9.9);
        assert_eq!(round_sig(9.96, 2, Up), 10.0);
        // 99.4 up to two digits is 100 (one digit more in the result).
        assert_eq!(round_sig(99.4, 2, Up), 100.0);
        // Negative values mirror: down is towards −∞.
        assert_eq!(round_sig(-0.004_23, 2, Down), -0.0043);
        assert_eq!(round_sig(-0.004_23, 2, Up), -0.0042);
        assert_eq!(round_sig(-1.26e-8, 2, Nearest), -1.3e-8);
        // Large and tiny exponents.
        assert_eq!(round_sig(6.022_140_76e23, 3, Nearest), 6.02e23);
        assert_eq!(round_sig(1.234e-300, 2, Up), 1.3e-300);
        // 0, NaN and ∞ pass through; 0 digits is one digit.
        assert_eq!(round_sig(0.0, 2, Up), 0.0);
        assert!(round_sig(f64::NAN, 2, Down).is_nan());
        assert_eq!(round_sig(f64::INFINITY, 2, Down), f64::INFINITY);
        assert_eq!(round_sig(0.047, 0, Nearest), 0.05);
    }

    fn check(x: f64, expect: &str) {
        assert_eq!(fmt_num(x), expect, "fmt_num({x:e})");
    }

    #[test]
    fn residuals_below_the_floor_print_as_a_bound() {
        assert_eq!(super::fmt_below(2.2e-16, 1e-12), "< 1e-12");
        assert_eq!(super::fmt_below(0.0, 1e-12), "< 1e-12");
        assert_eq!(super::fmt_below(-3e-13, 1e-12), "< 1e-12");
        assert_eq!(super::fmt_below(1.5e-12, 1e-12), "1.5e-12");
        assert_eq!(super::fmt_below(f64::NAN, 1e-12), "NaN");
    }

    #[test]
    fn formats_fixed_significant_digits() {
        check(0.5, "0.5");
        check(70.0, "70");
        check(1.0, "1");
        check(0.052_631_578_947, "0.0526316");
        check(1.784_122_3e-3, "0.00178412");
        check(3.323_986e-6, "3.32399e-6");
        check(-0.000_123_456_7, "-0.000123457");
        check(123_456.7, "123457");
        check(999_999.5, "1e6");
        check(6.022_140_76e23, "6.02214e23");
        check(1e-300, "1e-300");
        check(0.1 + 0.2, "0.3");
    }

    #[test]
    fn spells_out_special_values() {
        check(-0.0, "0");
        check(0.0, "0");
        check(f64::NAN, "NaN");
        check(f64::INFINITY, "∞");
        check(f64::NEG_INFINITY, "−∞");
    }
}
