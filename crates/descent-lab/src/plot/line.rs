//! Line charts: series on linear or log axes, theory overlays, error bars and
//! vertical reference lines.

use super::axis::{Axis, Coord};
use super::canvas::{AxisFrame, DASHES, Markers, Plot, SHAPES, Shape, THEORY_DASH, Trace, render};
use super::layout::Layout;
use super::palette;

/// How a series is drawn. Every measured series also gets, by its index in
/// the chart, a dash pattern and a marker shape from fixed cycles, so series
/// that coincide stay distinguishable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// A line (dash pattern by index) with markers thinned to one every 64 px.
    Line,
    /// A dashed line without markers: the same as [`Style::Theory`].
    Dashed,
    /// Markers only, one per data point (points on the same pixel drawn once).
    Markers,
    /// A line with a marker at each data point, thinned to 8 px apart.
    LineMarkers,
    /// A theory ("predicted") overlay: long dashes, no markers.
    Theory,
}

/// A named sequence of points.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend entry (empty: not in the legend); math markup is rendered.
    pub label: String,
    /// The points (x, y); non-finite points break the line, points beyond a
    /// fixed axis range are clipped to the frame and marked at its edge, zero
    /// or negative values on a log axis are drawn at its floor.
    pub points: Vec<(f64, f64)>,
    /// How to draw it.
    pub style: Style,
    /// Standard errors of `y`, one per point (empty: no error bars).
    pub errors: Vec<f64>,
}

impl Series {
    /// A series with a style.
    pub fn new(label: impl Into<String>, points: Vec<(f64, f64)>, style: Style) -> Self {
        Self {
            label: label.into(),
            points,
            style,
            errors: Vec::new(),
        }
    }
    /// A solid line.
    pub fn line(label: impl Into<String>, points: Vec<(f64, f64)>) -> Self {
        Self::new(label, points, Style::Line)
    }
    /// A theory overlay: the predicted curve, long-dashed, drawn beside the
    /// measured series it predicts.
    pub fn theory(label: impl Into<String>, points: Vec<(f64, f64)>) -> Self {
        Self::new(label, points, Style::Theory)
    }
    /// Error bars `y ± se` (e.g. the standard error of a Monte-Carlo mean),
    /// one per point; a missing, negative or non-finite entry draws no bar.
    /// Ends beyond the axis range stop at the frame, a lower end at or below
    /// zero on a log axis at the floor.
    pub fn with_error_bars(mut self, se: Vec<f64>) -> Self {
        self.errors = se;
        self
    }
}

/// The trace of series number `index`: its colour, dash and marker from the
/// cycles, its points mapped through the axes.
pub(crate) fn trace(series: &Series, index: usize, x: &Axis, y: &Axis) -> Trace {
    let shape = SHAPES[index % SHAPES.len()];
    let dash = DASHES[index % DASHES.len()];
    let (dash, markers, shape): (Option<&'static [u32]>, Markers, Shape) = match series.style {
        Style::Line => (
            Some(dash),
            Markers::Along {
                spacing: 64.0,
                // Offset by index so coinciding lines show their markers apart.
                phase: (8 + 13 * index) as f64 % 64.0,
            },
            shape,
        ),
        Style::LineMarkers => (Some(dash), Markers::AtData { gap: 8 }, shape),
        Style::Markers => (None, Markers::AtData { gap: 0 }, shape),
        Style::Dashed | Style::Theory => (Some(THEORY_DASH), Markers::Off, shape),
    };
    let errors = series
        .points
        .iter()
        .zip(&series.errors)
        .map(|(&(_, py), &se)| {
            (se.is_finite() && se >= 0.0 && py.is_finite())
                .then(|| (y.coord(py - se), y.coord(py + se)))
        })
        .collect();
    Trace {
        label: series.label.clone(),
        colour: palette(index),
        dash,
        width: 2,
        shape,
        markers,
        points: series
            .points
            .iter()
            .map(|&(px, py)| (x.coord(px), y.coord(py)))
            .collect(),
        errors,
    }
}

/// A vertical reference line at a data x.
#[derive(Debug, Clone, PartialEq)]
pub struct VerticalLine {
    /// x in data units.
    pub x: f64,
    /// Legend entry.
    pub label: String,
}

/// Lines and markers on linear or log axes.
#[derive(Debug, Clone, PartialEq)]
pub struct LineChart {
    /// Title above the plot (math markup is rendered).
    pub title: String,
    /// Horizontal axis.
    pub x: Axis,
    /// Vertical axis.
    pub y: Axis,
    /// The series, coloured, dashed and marked in order.
    pub series: Vec<Series>,
    /// Dashed vertical reference lines, coloured after the series.
    pub vertical_lines: Vec<VerticalLine>,
}

/// The finite coordinates of a trace on one axis (0: x, 1: y).
pub(crate) fn finite(traces: &[Trace], axis: usize) -> impl Iterator<Item = f64> + '_ {
    traces.iter().flat_map(move |t| {
        t.points.iter().filter_map(move |p| match [p.0, p.1][axis] {
            Coord::At(v) => Some(v),
            _ => None,
        })
    })
}

impl LineChart {
    /// A chart with no series yet.
    pub fn new(title: impl Into<String>, x: Axis, y: Axis) -> Self {
        Self {
            title: title.into(),
            x,
            y,
            series: Vec::new(),
            vertical_lines: Vec::new(),
        }
    }
    /// Add a series.
    pub fn with(mut self, series: Series) -> Self {
        self.series.push(series);
        self
    }
    /// Add a vertical reference line.
    pub fn with_vertical_line(mut self, x: f64, label: impl Into<String>) -> Self {
        self.vertical_lines.push(VerticalLine {
            x,
            label: label.into(),
        });
        self
    }

    /// The plot: series traces, then the vertical lines as two-point traces.
    fn plot(&self) -> Plot {
        let mut traces: Vec<Trace> = self
            .series
            .iter()
            .enumerate()
            .map(|(i, s)| trace(s, i, &self.x, &self.y))
            .collect();
        let verticals: Vec<f64> = self
            .vertical_lines
            .iter()
            .filter_map(|v| match self.x.coord(v.x) {
                Coord::At(x) => Some(x),
                _ => None,
            })
            .collect();
        let x_range = self
            .x
            .plot_range(finite(&traces, 0).chain(verticals.iter().copied()));
        let y_range = self.y.plot_range(finite(&traces, 1));
        for (j, line) in self.vertical_lines.iter().enumerate() {
            traces.push(Trace {
                label: line.label.clone(),
                colour: palette(self.series.len() + j),
                dash: Some(&[6, 4]),
                width: 2,
                shape: Shape::CircleFilled,
                markers: Markers::Off,
                points: [y_range.0, y_range.1]
                    .map(|y| (self.x.coord(line.x), Coord::At(y)))
                    .to_vec(),
                errors: Vec::new(),
            });
        }
        Plot {
            traces,
            ..Plot::new(
                &self.title,
                AxisFrame::new(&self.x, x_range),
                AxisFrame::new(&self.y, y_range),
            )
        }
    }

    /// Draw as an SVG document.
    pub fn to_svg(&self) -> String {
        render(&self.plot()).0
    }

    /// Where [`LineChart::to_svg`] puts the frame, the legend and each
    /// series' points, in pixels (the vertical lines follow the series).
    pub fn layout(&self) -> Layout {
        render(&self.plot()).1
    }
}
