//! Figures as deterministic SVG, drawn with plotters.
//!
//! Two chart types cover the catalogue: [`LineChart`] (error vs iteration on a
//! log axis, rates vs η/η_opt against a theory curve, basins vs η) and
//! [`ContourChart`] (trajectories over the contour lines of a 2-D surface,
//! computed by marching squares).
//!
//! Determinism: logarithmic axes are drawn as linear axes over `log₁₀` of the
//! data with tick labels `1e-3`, ticks are chosen here (never by plotters'
//! heuristics), every tick label goes through [`fmt_num`], and the SVG backend
//! writes integer pixel coordinates and no ids or timestamps. Text is emitted
//! as SVG `<text>` elements (plotters without its `ttf` feature needs no fonts).

use plotters::prelude::*;

use crate::format::fmt_num;

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

/// The legend box every figure uses: upper right, on a translucent white
/// background so lines behind it stay visible.
fn draw_legend<'a, DB, CT>(chart: &mut ChartContext<'a, DB, CT>)
where
    DB: DrawingBackend + 'a,
    CT: CoordTranslate,
{
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .label_font(("sans-serif", 12))
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(160, 160, 160))
        .draw()
        .expect(DRAW);
}

/// The colour of series number `i` in the cycle.
fn palette(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Linear or base-10 logarithmic axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// Linear.
    Linear,
    /// Logarithmic, base 10; non-positive values are not drawn.
    Log,
}

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// A solid line.
    Line,
    /// A dashed line (theory curves).
    Dashed,
    /// Markers only.
    Markers,
    /// A solid line with markers.
    LineMarkers,
}

/// A named sequence of points.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend entry (empty: not in the legend).
    pub label: String,
    /// The points (x, y); non-finite points, and non-positive ones on a log axis, break the line.
    pub points: Vec<(f64, f64)>,
    /// How to draw it.
    pub style: Style,
}

impl Series {
    /// A series with a style.
    pub fn new(label: impl Into<String>, points: Vec<(f64, f64)>, style: Style) -> Self {
        Self {
            label: label.into(),
            points,
            style,
        }
    }
    /// A solid line.
    pub fn line(label: impl Into<String>, points: Vec<(f64, f64)>) -> Self {
        Self::new(label, points, Style::Line)
    }
}

/// One axis: label, scale and optional fixed range (in data units; points
/// outside a fixed range are not drawn, and break their line).
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    /// The label.
    pub label: String,
    /// Linear or log.
    pub scale: Scale,
    /// Fixed range; `None` fits the data.
    pub range: Option<(f64, f64)>,
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
    /// Data value → plotting coordinate (`log₁₀` on a log axis); `None` if not drawable.
    fn map(&self, v: f64) -> Option<f64> {
        let inside = self.range.is_none_or(|(lo, hi)| lo <= v && v <= hi);
        match self.scale {
            Scale::Linear if v.is_finite() && inside => Some(v),
            Scale::Log if v.is_finite() && v > 0.0 && inside => Some(v.log10()),
            _ => None,
        }
    }
    /// The plotting range: the fixed one, or the data's with 4% padding.
    fn plot_range(&self, data: impl Iterator<Item = f64>) -> (f64, f64) {
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
    fn ticks(&self, (lo, hi): (f64, f64)) -> Vec<(f64, String)> {
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

/// About six "nice" ticks (1, 2 or 5 × 10^k apart) inside `[lo, hi]`.
fn nice_ticks(lo: f64, hi: f64) -> Vec<f64> {
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

/// Map a series' points through both axes, split into drawable runs.
fn segments(series: &Series, x: &Axis, y: &Axis) -> Vec<Vec<(f64, f64)>> {
    let mut out = vec![Vec::new()];
    for &(px, py) in &series.points {
        match (x.map(px), y.map(py)) {
            (Some(a), Some(b)) => out.last_mut().expect("non-empty").push((a, b)),
            _ => {
                if !out.last().expect("non-empty").is_empty() {
                    out.push(Vec::new());
                }
            }
        }
    }
    out.retain(|s| !s.is_empty());
    for run in &mut out {
        thin(run);
    }
    out
}

/// Most points one line keeps; longer runs are thinned to every ⌈len/MAX⌉-th
/// point (plus the last), which a 760-pixel-wide figure cannot tell apart.
const MAX_POINTS_PER_RUN: usize = 600;

fn thin(run: &mut Vec<(f64, f64)>) {
    if run.len() <= MAX_POINTS_PER_RUN {
        return;
    }
    let stride = run.len().div_ceil(MAX_POINTS_PER_RUN);
    let last = *run.last().expect("non-empty");
    let mut kept: Vec<(f64, f64)> = run.iter().step_by(stride).copied().collect();
    if kept.last() != Some(&last) {
        kept.push(last);
    }
    *run = kept;
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
    /// Title above the plot.
    pub title: String,
    /// Horizontal axis.
    pub x: Axis,
    /// Vertical axis.
    pub y: Axis,
    /// The series, coloured in order.
    pub series: Vec<Series>,
    /// Dashed vertical reference lines, coloured after the series.
    pub vertical_lines: Vec<VerticalLine>,
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

    /// Draw as an SVG document.
    pub fn to_svg(&self) -> String {
        let segs: Vec<Vec<Vec<(f64, f64)>>> = self
            .series
            .iter()
            .map(|s| segments(s, &self.x, &self.y))
            .collect();
        let all = || segs.iter().flatten().flatten();
        let x_range = self.x.plot_range(
            all()
                .map(|p| p.0)
                .chain(self.vertical_lines.iter().filter_map(|v| self.x.map(v.x))),
        );
        let y_range = self.y.plot_range(all().map(|p| p.1));
        let x_ticks = self.x.ticks(x_range);
        let y_ticks = self.y.ticks(y_range);

        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, FIGURE_SIZE).into_drawing_area();
            root.fill(&WHITE).expect(DRAW);
            let mut chart = ChartBuilder::on(&root)
                .caption(&self.title, ("sans-serif", 20))
                .margin(12)
                .x_label_area_size(44)
                .y_label_area_size(64)
                .build_cartesian_2d(
                    Ticked::new(x_range, &x_ticks),
                    Ticked::new(y_range, &y_ticks),
                )
                .expect(DRAW);
            let x_fmt = |v: &f64| tick_label(&x_ticks, *v);
            let y_fmt = |v: &f64| tick_label(&y_ticks, *v);
            chart
                .configure_mesh()
                .x_desc(self.x.label.as_str())
                .y_desc(self.y.label.as_str())
                .x_label_formatter(&x_fmt)
                .y_label_formatter(&y_fmt)
                .label_style(("sans-serif", 13))
                .axis_desc_style(("sans-serif", 15))
                .light_line_style(WHITE)
                .bold_line_style(RGBColor(225, 225, 225))
                .draw()
                .expect(DRAW);

            for (i, (series, runs)) in self.series.iter().zip(&segs).enumerate() {
                draw_series(&mut chart, series, runs, palette(i));
            }
            for (j, line) in self.vertical_lines.iter().enumerate() {
                let Some(x) = self.x.map(line.x) else {
                    continue;
                };
                let color = palette(self.series.len() + j);
                let drawn = chart
                    .draw_series(DashedLineSeries::new(
                        [(x, y_range.0), (x, y_range.1)],
                        6,
                        4,
                        color.stroke_width(2),
                    ))
                    .expect(DRAW);
                if !line.label.is_empty() {
                    drawn.label(line.label.as_str()).legend(move |(px, py)| {
                        PathElement::new(vec![(px, py), (px + 18, py)], color.stroke_width(2))
                    });
                }
            }
            if self.series.iter().any(|s| !s.label.is_empty())
                || self.vertical_lines.iter().any(|v| !v.label.is_empty())
            {
                draw_legend(&mut chart);
            }
            root.present().expect(DRAW);
        }
        svg
    }
}

/// A linear coordinate over `[lo, hi]` whose tick marks are exactly `ticks`
/// (plotters' own tick heuristics are bypassed so figures are reproducible).
#[derive(Debug, Clone)]
struct Ticked {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
}

impl Ticked {
    fn new((lo, hi): (f64, f64), ticks: &[(f64, String)]) -> Self {
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

    /// The same affine map as plotters' `RangedCoordf64`.
    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let logic = (*value - self.lo) / (self.hi - self.lo);
        let actual = limit.1 - limit.0;
        if actual == 0 {
            return limit.1;
        }
        limit.0 + (actual as f64 * logic + 1e-3).floor() as i32
    }

    fn key_points<Hint: plotters::coord::ranged1d::KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }
}

/// Message of the `expect`s on drawing into an in-memory string, which cannot fail.
const DRAW: &str = "drawing an SVG into a String cannot fail";

/// The label of the tick at `v` (plotters calls back with the key points we gave).
fn tick_label(ticks: &[(f64, String)], v: f64) -> String {
    ticks
        .iter()
        .find(|t| (t.0 - v).abs() <= 1e-9 * (1.0 + v.abs()))
        .map(|t| t.1.clone())
        .unwrap_or_default()
}

type Chart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<Ticked, Ticked>>;

fn draw_series(
    chart: &mut Chart<'_, '_>,
    series: &Series,
    runs: &[Vec<(f64, f64)>],
    color: RGBColor,
) {
    let style = series.style;
    let mut needs_label = !series.label.is_empty();
    for run in runs {
        let path = |d: &mut plotters::chart::SeriesAnno<'_, SVGBackend<'_>>, label: &str| {
            d.label(label).legend(move |(px, py)| {
                PathElement::new(vec![(px, py), (px + 18, py)], color.stroke_width(2))
            });
        };
        match style {
            Style::Line | Style::LineMarkers => {
                let d = chart
                    .draw_series(LineSeries::new(run.iter().copied(), color.stroke_width(2)))
                    .expect(DRAW);
                if needs_label {
                    path(d, &series.label);
                    needs_label = false;
                }
            }
            Style::Dashed => {
                let d = chart
                    .draw_series(DashedLineSeries::new(
                        run.iter().copied(),
                        8,
                        5,
                        color.stroke_width(2),
                    ))
                    .expect(DRAW);
                if needs_label {
                    path(d, &series.label);
                    needs_label = false;
                }
            }
            Style::Markers => {}
        }
        if matches!(style, Style::Markers | Style::LineMarkers) {
            let d = chart
                .draw_series(run.iter().map(|&p| Circle::new(p, 3, color.filled())))
                .expect(DRAW);
            if needs_label {
                d.label(series.label.as_str())
                    .legend(move |(px, py)| Circle::new((px + 9, py), 3, color.filled()));
                needs_label = false;
            }
        }
    }
}

/// Contour lines of a 2-D surface with trajectories drawn over them.
#[derive(Debug, Clone, PartialEq)]
pub struct ContourChart {
    /// Title above the plot.
    pub title: String,
    /// Label of the horizontal axis.
    pub x_label: String,
    /// Label of the vertical axis.
    pub y_label: String,
    /// Horizontal range.
    pub x_range: (f64, f64),
    /// Vertical range.
    pub y_range: (f64, f64),
    /// Grid resolution per axis (nodes).
    pub resolution: usize,
    /// Function values on the grid, row-major by y: `grid[j * resolution + i] = f(x_i, y_j)`.
    pub grid: Vec<f64>,
    /// The levels at which contour lines are drawn.
    pub levels: Vec<f64>,
    /// Trajectories (drawn as lines with markers, clipped to the ranges).
    pub trajectories: Vec<Series>,
}

impl ContourChart {
    /// Sample `f` on a `resolution × resolution` grid over the ranges.
    pub fn new(
        title: impl Into<String>,
        (x_label, y_label): (&str, &str),
        x_range: (f64, f64),
        y_range: (f64, f64),
        resolution: usize,
        f: impl Fn(f64, f64) -> f64,
    ) -> Self {
        let n = resolution.max(2);
        let mut grid = Vec::with_capacity(n * n);
        for j in 0..n {
            let y = lerp(y_range, j, n);
            for i in 0..n {
                grid.push(f(lerp(x_range, i, n), y));
            }
        }
        Self {
            title: title.into(),
            x_label: x_label.to_owned(),
            y_label: y_label.to_owned(),
            x_range,
            y_range,
            resolution: n,
            grid,
            levels: Vec::new(),
            trajectories: Vec::new(),
        }
    }
    /// Set the contour levels.
    pub fn with_levels(mut self, levels: Vec<f64>) -> Self {
        self.levels = levels;
        self
    }
    /// Add a trajectory.
    pub fn with(mut self, series: Series) -> Self {
        self.trajectories.push(series);
        self
    }

    /// Draw as an SVG document.
    pub fn to_svg(&self) -> String {
        let x_axis = Axis::linear(self.x_label.as_str());
        let y_axis = Axis::linear(self.y_label.as_str());
        let x_ticks = x_axis.ticks(self.x_range);
        let y_ticks = y_axis.ticks(self.y_range);
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, FIGURE_SIZE).into_drawing_area();
            root.fill(&WHITE).expect(DRAW);
            let mut chart = ChartBuilder::on(&root)
                .caption(&self.title, ("sans-serif", 20))
                .margin(12)
                .x_label_area_size(44)
                .y_label_area_size(64)
                .build_cartesian_2d(
                    Ticked::new(self.x_range, &x_ticks),
                    Ticked::new(self.y_range, &y_ticks),
                )
                .expect(DRAW);
            let x_fmt = |v: &f64| tick_label(&x_ticks, *v);
            let y_fmt = |v: &f64| tick_label(&y_ticks, *v);
            chart
                .configure_mesh()
                .x_desc(self.x_label.as_str())
                .y_desc(self.y_label.as_str())
                .x_label_formatter(&x_fmt)
                .y_label_formatter(&y_fmt)
                .label_style(("sans-serif", 13))
                .axis_desc_style(("sans-serif", 15))
                .light_line_style(WHITE)
                .bold_line_style(RGBColor(235, 235, 235))
                .draw()
                .expect(DRAW);

            let n_levels = self.levels.len().max(1);
            for (l, &level) in self.levels.iter().enumerate() {
                // Grey ramp: low levels dark, high levels light.
                let shade = (60.0 + 150.0 * l as f64 / n_levels as f64) as u8;
                let color = RGBColor(shade, shade, shade);
                for line in self.contour_lines(level) {
                    chart
                        .draw_series(LineSeries::new(line, color.stroke_width(1)))
                        .expect(DRAW);
                }
            }
            let clip = |s: &Series| Series {
                label: s.label.clone(),
                points: s
                    .points
                    .iter()
                    .map(|&(a, b)| {
                        let inside = (self.x_range.0..=self.x_range.1).contains(&a)
                            && (self.y_range.0..=self.y_range.1).contains(&b);
                        if inside { (a, b) } else { (f64::NAN, f64::NAN) }
                    })
                    .collect(),
                style: s.style,
            };
            for (i, s) in self.trajectories.iter().enumerate() {
                let clipped = clip(s);
                let runs = segments(&clipped, &x_axis, &y_axis);
                draw_series(&mut chart, &clipped, &runs, palette(i));
            }
            if self.trajectories.iter().any(|s| !s.label.is_empty()) {
                draw_legend(&mut chart);
            }
            root.present().expect(DRAW);
        }
        svg
    }

    /// The contour lines `f = level` as polylines, by marching squares with the
    /// segments joined end to end (so an SVG holds a few long polylines, not
    /// thousands of segments). Saddle cells are resolved by the cell average.
    pub fn contour_lines(&self, level: f64) -> Vec<Vec<(f64, f64)>> {
        let n = self.resolution;
        let v = |i: usize, j: usize| self.grid[j * n + i] - level;
        // Edge ids: horizontal edge (i,j)-(i+1,j) = 2*(j*n+i), vertical (i,j)-(i,j+1) = 2*(j*n+i)+1.
        let h_edge = |i: usize, j: usize| 2 * (j * n + i);
        let v_edge = |i: usize, j: usize| 2 * (j * n + i) + 1;
        let mut segs: Vec<(usize, usize)> = Vec::new();
        for j in 0..n - 1 {
            for i in 0..n - 1 {
                let c = [v(i, j), v(i + 1, j), v(i + 1, j + 1), v(i, j + 1)];
                if c.iter().any(|x| !x.is_finite()) {
                    continue;
                }
                // Edges of the cell in order bottom, right, top, left.
                let edges = [
                    h_edge(i, j),
                    v_edge(i + 1, j),
                    h_edge(i, j + 1),
                    v_edge(i, j),
                ];
                let crosses = |a: f64, b: f64| (a < 0.0) != (b < 0.0);
                let cut: Vec<usize> = (0..4).filter(|&e| crosses(c[e], c[(e + 1) % 4])).collect();
                match cut.len() {
                    2 => segs.push((edges[cut[0]], edges[cut[1]])),
                    4 => {
                        let centre = (c[0] + c[1] + c[2] + c[3]) / 4.0;
                        // Pair each edge with its neighbour so the centre's sign separates corners.
                        if (centre < 0.0) == (c[0] < 0.0) {
                            segs.push((edges[0], edges[1]));
                            segs.push((edges[2], edges[3]));
                        } else {
                            segs.push((edges[3], edges[0]));
                            segs.push((edges[1], edges[2]));
                        }
                    }
                    _ => {}
                }
            }
        }
        let point = |edge: usize| -> (f64, f64) {
            let cell = edge / 2;
            let (i, j) = (cell % n, cell / n);
            let (i2, j2) = if edge % 2 == 0 {
                (i + 1, j)
            } else {
                (i, j + 1)
            };
            let (a, b) = (v(i, j), v(i2, j2));
            let t = if a == b { 0.5 } else { a / (a - b) };
            let x = lerp(self.x_range, i, n)
                + t * (lerp(self.x_range, i2, n) - lerp(self.x_range, i, n));
            let y = lerp(self.y_range, j, n)
                + t * (lerp(self.y_range, j2, n) - lerp(self.y_range, j, n));
            (x, y)
        };
        // Join segments sharing an edge point into polylines.
        let mut at_edge: std::collections::BTreeMap<usize, Vec<usize>> =
            std::collections::BTreeMap::new();
        for (s, &(a, b)) in segs.iter().enumerate() {
            at_edge.entry(a).or_default().push(s);
            at_edge.entry(b).or_default().push(s);
        }
        let mut used = vec![false; segs.len()];
        let mut lines = Vec::new();
        for start in 0..segs.len() {
            if used[start] {
                continue;
            }
            used[start] = true;
            let mut chain = std::collections::VecDeque::from([segs[start].0, segs[start].1]);
            for forward in [true, false] {
                loop {
                    let end = if forward {
                        *chain.back().expect("non-empty")
                    } else {
                        chain[0]
                    };
                    let next = at_edge[&end].iter().copied().find(|&s| !used[s]);
                    let Some(s) = next else { break };
                    used[s] = true;
                    let other = if segs[s].0 == end {
                        segs[s].1
                    } else {
                        segs[s].0
                    };
                    if forward {
                        chain.push_back(other)
                    } else {
                        chain.push_front(other)
                    }
                }
            }
            lines.push(chain.into_iter().map(point).collect());
        }
        lines
    }
}

/// The `k`-th of `n` equally spaced nodes of `[lo, hi]`.
fn lerp((lo, hi): (f64, f64), k: usize, n: usize) -> f64 {
    lo + (hi - lo) * k as f64 / (n - 1) as f64
}

/// `n` levels spaced geometrically between `lo` and `hi` above `base`
/// (`base + lo·r^k`): contour levels that resolve both the bottom of a narrow
/// valley and the walls.
pub fn geometric_levels(base: f64, lo: f64, hi: f64, n: usize) -> Vec<f64> {
    let n = n.max(2);
    let (a, b) = (lo.ln(), hi.ln());
    (0..n)
        .map(|k| base + (a + (b - a) * k as f64 / (n - 1) as f64).exp())
        .collect()
}
