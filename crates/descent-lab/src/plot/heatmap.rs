//! Heat maps: a grid of values coloured by a perceptually ordered scale, with
//! a colour bar beside the frame as the legend.

use plotters::prelude::*;

use super::axis::{Axis, finite_bounds, nice_ticks};
use super::canvas::{AxisFrame, Cell, ColourBar, Plot, render};
use super::layout::Layout;
use crate::format::fmt_num;

/// Stops of the scale: viridis (van der Walt & Smith, matplotlib 2.0) at
/// t = 0, 1/9, …, 1. Their luminance increases strictly, so the colour of a
/// larger value is never darker.
const STOPS: [(u8, u8, u8); 10] = [
    (68, 1, 84),
    (72, 40, 120),
    (62, 74, 137),
    (49, 104, 142),
    (38, 130, 142),
    (31, 158, 137),
    (53, 183, 121),
    (109, 205, 89),
    (180, 222, 44),
    (253, 231, 37),
];

/// The colour of `t ∈ [0, 1]` (clamped): linear interpolation between the
/// viridis stops. NaN gives light grey `(220, 220, 220)`.
pub fn colour_scale(t: f64) -> (u8, u8, u8) {
    if t.is_nan() {
        return (220, 220, 220);
    }
    let s = t.clamp(0.0, 1.0) * (STOPS.len() - 1) as f64;
    let k = (s.floor() as usize).min(STOPS.len() - 2);
    let f = s - k as f64;
    let mix = |a: u8, b: u8| (a as f64 + f * (b as f64 - a as f64)).round() as u8;
    let (a, b) = (STOPS[k], STOPS[k + 1]);
    (mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Values on an `nx × ny` grid of cells over a rectangle.
#[derive(Debug, Clone, PartialEq)]
pub struct HeatMap {
    /// Title above the plot (math markup is rendered).
    pub title: String,
    /// Label of the horizontal axis.
    pub x_label: String,
    /// Label of the vertical axis.
    pub y_label: String,
    /// Label of the colour bar.
    pub value_label: String,
    /// Horizontal range covered by the cells.
    pub x_range: (f64, f64),
    /// Vertical range covered by the cells.
    pub y_range: (f64, f64),
    /// Cells per axis `(nx, ny)`.
    pub cells: (usize, usize),
    /// Row-major by y: `values[j·nx + i]` is the cell `i` from the left, `j` from the bottom.
    pub values: Vec<f64>,
    /// Value range of the colour scale; `None`: min and max of the finite values.
    pub value_range: Option<(f64, f64)>,
}

impl HeatMap {
    /// A heat map of given cell values.
    ///
    /// # Panics
    /// If `values.len() ≠ nx·ny` (a bug in the caller).
    pub fn new(
        title: impl Into<String>,
        (x_label, y_label): (&str, &str),
        x_range: (f64, f64),
        y_range: (f64, f64),
        (nx, ny): (usize, usize),
        values: Vec<f64>,
    ) -> Self {
        assert_eq!(
            values.len(),
            nx * ny,
            "heat map: {} values for a {nx}×{ny} grid",
            values.len()
        );
        Self {
            title: title.into(),
            x_label: x_label.to_owned(),
            y_label: y_label.to_owned(),
            value_label: String::new(),
            x_range,
            y_range,
            cells: (nx, ny),
            values,
            value_range: None,
        }
    }
    /// A heat map of `f` at the cell centres.
    pub fn from_fn(
        title: impl Into<String>,
        labels: (&str, &str),
        x_range: (f64, f64),
        y_range: (f64, f64),
        (nx, ny): (usize, usize),
        f: impl Fn(f64, f64) -> f64,
    ) -> Self {
        let centre =
            |(lo, hi): (f64, f64), k: usize, n: usize| lo + (hi - lo) * (k as f64 + 0.5) / n as f64;
        let values = (0..ny)
            .flat_map(|j| (0..nx).map(move |i| (i, j)))
            .map(|(i, j)| f(centre(x_range, i, nx), centre(y_range, j, ny)))
            .collect();
        Self::new(title, labels, x_range, y_range, (nx, ny), values)
    }
    /// Label the colour bar.
    pub fn value_label(mut self, label: impl Into<String>) -> Self {
        self.value_label = label.into();
        self
    }
    /// Fix the value range of the colour scale (values beyond it take the end colours).
    pub fn value_range(mut self, lo: f64, hi: f64) -> Self {
        self.value_range = Some((lo, hi));
        self
    }

    /// The colour scale's range.
    fn range(&self) -> (f64, f64) {
        if let Some(r) = self.value_range {
            return r;
        }
        finite_bounds(&self.values)
    }

    /// The colour of value `v`: [`colour_scale`] of `(v − lo)/(hi − lo)`.
    pub fn colour(&self, v: f64) -> (u8, u8, u8) {
        let (lo, hi) = self.range();
        colour_scale((v - lo) / (hi - lo))
    }

    fn plot(&self) -> Plot {
        let (nx, ny) = self.cells;
        let step = |(lo, hi): (f64, f64), k: usize, n: usize| lo + (hi - lo) * k as f64 / n as f64;
        let cells = (0..ny)
            .flat_map(|j| (0..nx).map(move |i| (i, j)))
            .map(|(i, j)| {
                let (r, g, b) = self.colour(self.values[j * nx + i]);
                Cell {
                    x: (step(self.x_range, i, nx), step(self.x_range, i + 1, nx)),
                    y: (step(self.y_range, j, ny), step(self.y_range, j + 1, ny)),
                    fill: RGBColor(r, g, b),
                }
            })
            .collect();
        let x = Axis::linear(self.x_label.as_str());
        let y = Axis::linear(self.y_label.as_str());
        let range = self.range();
        let (lo, hi) = range;
        Plot {
            cells,
            colour_bar: Some(ColourBar {
                label: self.value_label.clone(),
                range,
                ticks: nice_ticks(lo, hi)
                    .into_iter()
                    .map(|t| (t, fmt_num(t)))
                    .collect(),
                colour: Box::new(move |v| {
                    let (r, g, b) = colour_scale((v - lo) / (hi - lo));
                    RGBColor(r, g, b)
                }),
            }),
            ..Plot::new(
                &self.title,
                AxisFrame::new(&x, self.x_range),
                AxisFrame::new(&y, self.y_range),
            )
        }
    }

    /// Draw as an SVG document.
    pub fn to_svg(&self) -> String {
        render(&self.plot()).0
    }

    /// Where [`HeatMap::to_svg`] puts the frame and (as the legend) the colour bar.
    pub fn layout(&self) -> Layout {
        render(&self.plot()).1
    }
}
