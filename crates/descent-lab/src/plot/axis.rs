//! Axes: linear or log scale, fixed or fitted range, reproducible ticks, and
//! the data → pixel map shared by the mesh and everything drawn on it.

use plotters::prelude::*;

use crate::format::fmt_num;

/// Linear or base-10 logarithmic axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// Linear.
    Linear,
    /// Logarithmic, base 10; zero and negative values are drawn at the axis
    /// floor with their own marker.
    Log,
}

/// One axis: label, scale and optional fixed range (in data units; points
/// outside a fixed range are clipped to the frame and marked there).
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    /// The label (math markup such as `e_{k+1}` or `x^0.75` is rendered).
    pub label: String,
    /// Linear or log.
    pub scale: Scale,
    /// Fixed range; `None` fits the data.
    pub range: Option<(f64, f64)>,
}

/// Where a data value lands on an axis, in plotting coordinates (`log₁₀` on a
/// log axis).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Coord {
    /// A finite coordinate, possibly outside the plotting range.
    At(f64),
    /// Zero or negative on a log axis: drawn at the floor of the range.
    Floor,
    /// NaN or infinite: breaks the line.
    Missing,
}

impl Axis {
    /// A linear axis fitted to the data.
    pub fn linear(label: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            scale: Scale::Linear,
            range: None,
        }
    }
    /// A log axis fitted to the data.
    pub fn log(label: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            scale: Scale::Log,
            range: None,
        }
    }
    /// Fix the range (data units).
    pub fn range(mut self, lo: f64, hi: f64) -> Self {
        self.range = Some((lo, hi));
        self
    }
    /// Data value → plotting coordinate.
    pub(crate) fn coord(&self, v: f64) -> Coord {
        match self.scale {
            _ if !v.is_finite() => Coord::Missing,
            Scale::Linear => Coord::At(v),
            Scale::Log if v > 0.0 => Coord::At(v.log10()),
            Scale::Log => Coord::Floor,
        }
    }
    /// The plotting range: the fixed one, or the data's (plotting
    /// coordinates) with 4% padding.
    pub(crate) fn plot_range(&self, data: impl Iterator<Item = f64>) -> (f64, f64) {
        if let Some((lo, hi)) = self.range {
            return match self.scale {
                Scale::Linear => (lo, hi),
                Scale::Log => (lo.log10(), hi.log10()),
            };
        }
        let (lo, hi) = data.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
        if !lo.is_finite() {
            return (0.0, 1.0);
        }
        if hi - lo < 1e-12 * (1.0 + lo.abs()) {
            return (lo - 0.5, hi + 0.5);
        }
        let pad = 0.04 * (hi - lo);
        (lo - pad, hi + pad)
    }
    /// Tick positions (plotting coordinates) and their labels.
    pub(crate) fn ticks(&self, (lo, hi): (f64, f64)) -> Vec<(f64, String)> {
        match self.scale {
            Scale::Linear => nice_ticks(lo, hi)
                .into_iter()
                .map(|t| (t, fmt_num(t)))
                .collect(),
            Scale::Log => {
                let (a, b) = (lo.ceil() as i64, hi.floor() as i64);
                if b < a {
                    return nice_ticks(lo, hi)
                        .into_iter()
                        .map(|t| (t, fmt_num(10f64.powf(t))))
                        .collect();
                }
                let step = ((b - a) / 8 + 1).max(1);
                (a..=b)
                    .filter(|k| (k - a) % step == 0)
                    .map(|k| (k as f64, format!("1e{k}")))
                    .collect()
            }
        }
    }
}

/// `[min, max]` of the finite values; `[x − ½, x + ½]` if they are all `x`,
/// `[0, 1]` if there are none (the binned range of a histogram, the value
/// range of a heat map).
pub(crate) fn finite_bounds(values: &[f64]) -> (f64, f64) {
    let (lo, hi) = values
        .iter()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    match (lo.is_finite(), lo < hi) {
        (false, _) => (0.0, 1.0),
        (true, false) => (lo - 0.5, lo + 0.5),
        (true, true) => (lo, hi),
    }
}

/// About six "nice" ticks (1, 2 or 5 × 10^k apart) inside `[lo, hi]`.
pub(crate) fn nice_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let raw = (hi - lo) / 6.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    // Multiply an integer by the step (not accumulate) so ticks carry no drift.
    (first..=last).map(|i| i as f64 * step).collect()
}

/// The affine map of plotters' `RangedCoordf64` from `[lo, hi]` onto the
/// pixels `limit.0 → limit.1`, used both by the mesh and by our own drawing.
pub(crate) fn to_pixel(value: f64, (lo, hi): (f64, f64), limit: (i32, i32)) -> i32 {
    let logic = (value - lo) / (hi - lo);
    let actual = limit.1 - limit.0;
    if actual == 0 {
        return limit.1;
    }
    limit.0 + (actual as f64 * logic + 1e-3).floor() as i32
}

/// A linear coordinate over `[lo, hi]` whose tick marks are exactly `ticks`
/// (plotters' own tick heuristics are bypassed so figures are reproducible).
#[derive(Debug, Clone)]
pub(crate) struct Ticked {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
}

impl Ticked {
    pub(crate) fn new((lo, hi): (f64, f64), ticks: &[(f64, String)]) -> Self {
        Self {
            lo,
            hi,
            ticks: ticks.iter().map(|t| t.0).collect(),
        }
    }
}

impl Ranged for Ticked {
    type ValueType = f64;
    type FormatOption = plotters::coord::ranged1d::DefaultFormatting;

    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        to_pixel(*value, (self.lo, self.hi), limit)
    }

    fn key_points<Hint: plotters::coord::ranged1d::KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }
}

/// The label of the tick at `v` (plotters calls back with the key points we gave).
pub(crate) fn tick_label(ticks: &[(f64, String)], v: f64) -> String {
    ticks
        .iter()
        .find(|t| (t.0 - v).abs() <= 1e-9 * (1.0 + v.abs()))
        .map(|t| t.1.clone())
        .unwrap_or_default()
}
