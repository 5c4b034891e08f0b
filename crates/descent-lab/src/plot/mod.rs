//! Figures as deterministic SVG, drawn with plotters.
//!
//! Four chart types: [`LineChart`] (error vs iteration on a log axis, rates vs
//! η/η_opt against a theory curve, basins vs η; with theory overlays and error
//! bars), [`ContourChart`] (trajectories over the contour lines of a 2-D
//! surface, by marching squares), [`Histogram`] and [`HeatMap`].
//!
//! What every figure guarantees:
//! * the legend never covers data: it goes to the first of the four corners
//!   (then the edge middles) of the frame with no drawn point under it, else
//!   outside the frame on the right;
//! * points beyond a fixed axis range are clipped to the frame and marked by a
//!   triangle on the edge pointing outward; zero or negative values on a log
//!   axis are drawn at the floor with a ring marker; either adds a legend note;
//! * series differ by colour, dash pattern and marker shape (cycles by index),
//!   so coinciding series stay visible;
//! * math markup in titles, axis labels and legend entries (`e^{−βk}`,
//!   `x^0.75`, `η_opt`) is rendered ([`math_svg`]), never shown raw;
//! * [`Layout`] reports where everything landed, in pixels
//!   ([`LineChart::layout`], [`record_layouts`]).
//!
//! Determinism: logarithmic axes are drawn as linear axes over `log₁₀` of the
//! data with tick labels `1e-3`, ticks are chosen here (never by plotters'
//! heuristics), every tick label goes through [`fmt_num`](crate::fmt_num), and
//! the SVG backend writes integer pixel coordinates and no ids or timestamps.
//! Text is emitted as SVG `<text>` elements (plotters without its `ttf`
//! feature needs no fonts), so text widths for the legend box are estimated
//! from character counts.

mod axis;
mod canvas;
mod contour;
mod heatmap;
mod histogram;
mod layout;
mod line;
mod math;

pub use axis::{Axis, Scale};
pub use contour::{ContourChart, geometric_levels};
pub use heatmap::{HeatMap, colour_scale};
pub use histogram::Histogram;
pub use layout::{Layout, Rect, SeriesLayout, record_layouts};
pub use line::{LineChart, Series, Style, VerticalLine};
pub use math::math_svg;

use plotters::style::RGBColor;

/// Width × height of every figure, in pixels.
pub const FIGURE_SIZE: (u32, u32) = (760, 480);

/// The colour cycle of series: Tableau 10, then black and wine, so the
/// eleven-line charts (E7) repeat no colour.
const PALETTE: [RGBColor; 12] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
    RGBColor(0, 0, 0),
    RGBColor(128, 0, 64),
];

/// The colour of series number `i` in the cycle.
fn palette(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Message of the `expect`s on drawing into an in-memory string, which cannot fail.
const DRAW: &str = "drawing an SVG into a String cannot fail";
