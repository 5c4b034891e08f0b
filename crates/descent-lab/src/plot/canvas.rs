//! The one renderer behind every chart: clipping with edge marks, the log
//! floor, dash patterns and thinned markers, the legend placed where no data
//! is, and the [`Layout`] that records where everything landed.
//!
//! Charts translate themselves into a [`Plot`] (traces in plotting
//! coordinates, i.e. after `log₁₀` on log axes); [`render`] maps them to
//! pixels, decides the legend position from the pixels actually drawn, then
//! draws with plotters' SVG backend in pixel coordinates. Everything is
//! integer pixels or fixed formatting, so the output is a function of the
//! input alone.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axis::{Axis, Coord, Ticked, tick_label, to_pixel};
use super::layout::{Layout, Rect, SeriesLayout};
use super::math::{finish_svg, markup, text_units};
use super::{DRAW, FIGURE_SIZE};

/// A marker glyph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    CircleFilled,
    SquareHollow,
    TriangleUpFilled,
    DiamondHollow,
    Cross,
    SquareFilled,
    TriangleDownHollow,
    DiamondFilled,
    Plus,
    TriangleUpHollow,
}

/// The marker cycle: series `i` gets `SHAPES[i % 10]`.
/// Outlines are not filled, so markers of coinciding series show through each
/// other; only the first series and the last three of the cycle are filled.
pub(crate) const SHAPES: [Shape; 10] = [
    Shape::CircleFilled,
    Shape::SquareHollow,
    Shape::TriangleUpHollow,
    Shape::DiamondHollow,
    Shape::Cross,
    Shape::Plus,
    Shape::TriangleDownHollow,
    Shape::DiamondFilled,
    Shape::SquareFilled,
    Shape::TriangleUpFilled,
];

/// The dash cycle (on, off, … in pixels; empty = solid): series `i` gets
/// `DASHES[i % 8]`.
pub(crate) const DASHES: [&[u32]; 8] = [
    &[],
    &[9, 4],
    &[2, 3],
    &[10, 3, 2, 3],
    &[16, 5],
    &[3, 6],
    &[10, 3, 2, 3, 2, 3],
    &[6, 2],
];

/// The dash of theory ("predicted") lines: long dashes, long gaps.
pub(crate) const THEORY_DASH: &[u32] = &[12, 7];

/// Marker half-size in pixels.
const MARKER_R: i32 = 4;

/// Where a trace puts its markers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Markers {
    /// None.
    Off,
    /// At the data points, skipping one closer than `gap` pixels to the last drawn.
    AtData { gap: i32 },
    /// Every `spacing` pixels of drawn line, the first at `phase`.
    Along { spacing: f64, phase: f64 },
}

/// A series in plotting coordinates.
#[derive(Debug, Clone)]
pub(crate) struct Trace {
    pub(crate) label: String,
    pub(crate) colour: RGBColor,
    /// Dash pattern of the line; `None`: no line.
    pub(crate) dash: Option<&'static [u32]>,
    pub(crate) width: u32,
    pub(crate) shape: Shape,
    pub(crate) markers: Markers,
    pub(crate) points: Vec<(Coord, Coord)>,
    /// Error bar ends `(y − se, y + se)` per point, if any.
    pub(crate) errors: Vec<Option<(Coord, Coord)>>,
}

/// A filled rectangle in plotting coordinates (histogram bar, heat-map cell).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cell {
    pub(crate) x: (f64, f64),
    pub(crate) y: (f64, f64),
    pub(crate) fill: RGBColor,
}

/// The colour bar of a heat map: value range, ticks, label, colour function.
pub(crate) struct ColourBar {
    pub(crate) label: String,
    pub(crate) range: (f64, f64),
    pub(crate) ticks: Vec<(f64, String)>,
    pub(crate) colour: Box<dyn Fn(f64) -> RGBColor>,
}

/// One axis as drawn: label, plotting range, ticks.
pub(crate) struct AxisFrame {
    pub(crate) label: String,
    pub(crate) range: (f64, f64),
    pub(crate) ticks: Vec<(f64, String)>,
}

impl AxisFrame {
    /// `axis` drawn over the plotting range `range`.
    pub(crate) fn new(axis: &Axis, range: (f64, f64)) -> Self {
        Self {
            label: axis.label.clone(),
            range,
            ticks: axis.ticks(range),
        }
    }
}

/// Everything a chart draws.
pub(crate) struct Plot {
    pub(crate) title: String,
    pub(crate) x: AxisFrame,
    pub(crate) y: AxisFrame,
    /// Grey lines under everything (contours), not data.
    pub(crate) background: Vec<(Vec<(f64, f64)>, RGBColor)>,
    /// Heat-map cells, under the traces and not data for the legend.
    pub(crate) cells: Vec<Cell>,
    /// Histogram bars: `(label, bars)`; data for the legend's placement.
    pub(crate) bars: Option<(String, RGBColor, Vec<Cell>)>,
    pub(crate) traces: Vec<Trace>,
    /// Extra legend lines (text only).
    pub(crate) notes: Vec<String>,
    pub(crate) colour_bar: Option<ColourBar>,
    pub(crate) grid: RGBColor,
}

impl Plot {
    /// A plot with only a title and axes; a chart fills in what it draws.
    pub(crate) fn new(title: &str, x: AxisFrame, y: AxisFrame) -> Self {
        Self {
            title: title.to_owned(),
            x,
            y,
            background: Vec::new(),
            cells: Vec::new(),
            bars: None,
            traces: Vec::new(),
            notes: Vec::new(),
            colour_bar: None,
            grid: RGBColor(225, 225, 225),
        }
    }
}

/// Pixel rectangle of the plotting area and the maps into it.
#[derive(Debug, Clone, Copy)]
struct Frame {
    rect: Rect,
    x: (f64, f64),
    y: (f64, f64),
}

impl Frame {
    fn px(&self, (x, y): (f64, f64)) -> (i32, i32) {
        (
            to_pixel(x, self.x, (self.rect.left, self.rect.right)),
            to_pixel(y, self.y, (self.rect.bottom, self.rect.top)),
        )
    }
}

/// Which frame edge a clipped point left through (the mark points that way).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edge {
    Left,
    Right,
    Bottom,
    Top,
}

/// A series mapped to pixels.
#[derive(Debug, Default)]
struct Drawn {
    lines: Vec<Vec<(i32, i32)>>,
    markers: Vec<(i32, i32)>,
    floor: Vec<(i32, i32)>,
    clipped: Vec<((i32, i32), Edge)>,
    bars: Vec<[(i32, i32); 2]>,
}

/// Clip the segment `p → q` to the box (Liang–Barsky): parameters of entry
/// and exit and the edges crossed there (`None` if the segment starts/ends inside).
/// Where a clipped segment meets the box: its parameter and the edge crossed.
type Crossing = (f64, Option<Edge>);

fn clip(
    p: (f64, f64),
    q: (f64, f64),
    xr: (f64, f64),
    yr: (f64, f64),
) -> Option<(Crossing, Crossing)> {
    let (dx, dy) = (q.0 - p.0, q.1 - p.1);
    let (mut t0, mut t1) = (0.0, 1.0);
    let (mut e0, mut e1) = (None, None);
    for (den, num, edge) in [
        (-dx, p.0 - xr.0, Edge::Left),
        (dx, xr.1 - p.0, Edge::Right),
        (-dy, p.1 - yr.0, Edge::Bottom),
        (dy, yr.1 - p.1, Edge::Top),
    ] {
        if den == 0.0 {
            if num < 0.0 {
                return None;
            }
            continue;
        }
        let t = num / den;
        if den < 0.0 {
            if t > t1 {
                return None;
            }
            if t > t0 {
                t0 = t;
                e0 = Some(edge);
            }
        } else {
            if t < t0 {
                return None;
            }
            if t < t1 {
                t1 = t;
                e1 = Some(edge);
            }
        }
    }
    Some(((t0, e0), (t1, e1)))
}

/// The point clamped into the box and the edge it is beyond (`None`: inside).
fn clamp(p: (f64, f64), xr: (f64, f64), yr: (f64, f64)) -> ((f64, f64), Option<Edge>) {
    let edge = if p.1 > yr.1 {
        Some(Edge::Top)
    } else if p.1 < yr.0 {
        Some(Edge::Bottom)
    } else if p.0 > xr.1 {
        Some(Edge::Right)
    } else if p.0 < xr.0 {
        Some(Edge::Left)
    } else {
        None
    };
    ((p.0.clamp(xr.0, xr.1), p.1.clamp(yr.0, yr.1)), edge)
}

/// The runs of drawable points of a trace (`Missing` breaks a run), with the
/// floor substituted and flagged.
fn runs(trace: &Trace, frame: &Frame) -> Vec<Vec<((f64, f64), bool)>> {
    let mut out = vec![Vec::new()];
    let resolve = |c: Coord, lo: f64| match c {
        Coord::At(v) => Some((v, false)),
        Coord::Floor => Some((lo, true)),
        Coord::Missing => None,
    };
    for &(cx, cy) in &trace.points {
        match (resolve(cx, frame.x.0), resolve(cy, frame.y.0)) {
            (Some((x, fx)), Some((y, fy))) => {
                out.last_mut().expect("non-empty").push(((x, y), fx || fy))
            }
            _ => out.push(Vec::new()),
        }
    }
    out.retain(|r| !r.is_empty());
    out
}

/// Map one trace to pixels: clipped polylines, markers, floor and edge marks, error bars.
fn draw_trace(trace: &Trace, frame: &Frame) -> Drawn {
    let (xr, yr) = (frame.x, frame.y);
    let mut d = Drawn::default();
    let mark = |d: &mut Drawn, p: (f64, f64)| {
        let (c, edge) = clamp(p, xr, yr);
        if let Some(edge) = edge {
            let px = frame.px(c);
            if !d.clipped.iter().any(|(q, e)| *q == px && *e == edge) {
                d.clipped.push((px, edge));
            }
        }
    };
    for run in runs(trace, frame) {
        let before = (d.lines.len(), d.clipped.len());
        if trace.dash.is_some() {
            let mut current: Vec<(i32, i32)> = Vec::new();
            let push = |line: &mut Vec<(i32, i32)>, p: (i32, i32)| {
                if line.last() != Some(&p) {
                    line.push(p);
                }
            };
            if run.len() == 1 && clamp(run[0].0, xr, yr).1.is_none() {
                d.lines.push(vec![frame.px(run[0].0)]);
            }
            for w in run.windows(2) {
                let (p, q) = (w[0].0, w[1].0);
                let lerp = |t: f64| (p.0 + t * (q.0 - p.0), p.1 + t * (q.1 - p.1));
                match clip(p, q, xr, yr) {
                    None => {
                        if !current.is_empty() {
                            d.lines.push(std::mem::take(&mut current));
                        }
                    }
                    Some(((t0, e0), (t1, e1))) => {
                        if let Some(edge) = e0 {
                            if !current.is_empty() {
                                d.lines.push(std::mem::take(&mut current));
                            }
                            let a = frame.px(lerp(t0));
                            d.clipped.push((a, edge));
                        }
                        push(&mut current, frame.px(lerp(t0)));
                        push(&mut current, frame.px(lerp(t1)));
                        if let Some(edge) = e1 {
                            d.clipped.push((frame.px(lerp(t1)), edge));
                            d.lines.push(std::mem::take(&mut current));
                        }
                    }
                }
            }
            if !current.is_empty() {
                d.lines.push(current);
            }
        }
        let mut last: Option<(i32, i32)> = None;
        let mut on_floor = false;
        for &(p, at_floor) in &run {
            if clamp(p, xr, yr).1.is_some() {
                if trace.dash.is_none() {
                    mark(&mut d, p);
                }
                continue;
            }
            let px = frame.px(p);
            if at_floor {
                // One ring where the series reaches the floor; the line runs on along it.
                if !on_floor {
                    d.floor.push(px);
                }
                on_floor = true;
                continue;
            }
            on_floor = false;
            if let Markers::AtData { gap } = trace.markers {
                let far = last.is_none_or(|q| {
                    let (a, b) = ((q.0 - px.0) as f64, (q.1 - px.1) as f64);
                    a.hypot(b) >= gap as f64 && q != px
                });
                if far {
                    d.markers.push(px);
                    last = Some(px);
                }
            }
        }
        // A run that left no trace at all (wholly beyond the range, never crossing in) is marked.
        if (d.lines.len(), d.clipped.len()) == before && d.markers.is_empty() && d.floor.is_empty()
        {
            mark(&mut d, run[0].0);
        }
    }
    if let Markers::Along { spacing, phase } = trace.markers {
        for line in &d.lines {
            if line.len() == 1 {
                d.markers.push(line[0]);
                continue;
            }
            d.markers.extend(along(line, spacing, phase));
        }
    }
    for (k, err) in trace.errors.iter().enumerate() {
        let (Some((lo, hi)), Some(&(Coord::At(x), _))) = (err, trace.points.get(k)) else {
            continue;
        };
        if x < xr.0.min(xr.1) || x > xr.1.max(xr.0) {
            continue;
        }
        let y = |c: &Coord| match c {
            Coord::At(v) => Some(v.clamp(yr.0, yr.1)),
            Coord::Floor => Some(yr.0),
            Coord::Missing => None,
        };
        if let (Some(a), Some(b)) = (y(lo), y(hi)) {
            d.bars.push([frame.px((x, a)), frame.px((x, b))]);
        }
    }
    d
}

/// Points every `spacing` pixels along a polyline, the first at `phase`.
fn along(line: &[(i32, i32)], spacing: f64, phase: f64) -> Vec<(i32, i32)> {
    let mut out = Vec::new();
    let mut next = phase;
    let mut walked = 0.0;
    for w in line.windows(2) {
        let (a, b) = (w[0], w[1]);
        let len = ((b.0 - a.0) as f64).hypot((b.1 - a.1) as f64);
        while next <= walked + len && len > 0.0 {
            let t = (next - walked) / len;
            out.push((
                (a.0 as f64 + t * (b.0 - a.0) as f64).round() as i32,
                (a.1 as f64 + t * (b.1 - a.1) as f64).round() as i32,
            ));
            next += spacing;
        }
        walked += len;
    }
    out
}

/// Dashes of a polyline: `(from, to)` pieces for the on-parts of `dash`.
fn dashes(line: &[(i32, i32)], dash: &[u32]) -> Vec<[(i32, i32); 2]> {
    let total: u32 = dash.iter().sum();
    let mut out = Vec::new();
    let mut phase = 0.0f64; // position inside the pattern
    for w in line.windows(2) {
        let (a, b) = (
            (w[0].0 as f64, w[0].1 as f64),
            (w[1].0 as f64, w[1].1 as f64),
        );
        let len = (b.0 - a.0).hypot(b.1 - a.1);
        let at = |s: f64| {
            let t = if len > 0.0 { s / len } else { 0.0 };
            (
                (a.0 + t * (b.0 - a.0)).round() as i32,
                (a.1 + t * (b.1 - a.1)).round() as i32,
            )
        };
        let mut s = 0.0;
        while s < len {
            let mut acc = 0.0;
            let mut piece = 0;
            for (k, &d) in dash.iter().enumerate() {
                acc += d as f64;
                if phase < acc {
                    piece = k;
                    break;
                }
            }
            let step = (acc - phase).min(len - s);
            if piece % 2 == 0 {
                out.push([at(s), at(s + step)]);
            }
            s += step;
            phase = (phase + step) % total as f64;
        }
    }
    out
}

/// Points every 2 pixels along a polyline (its vertices included).
fn samples(line: &[(i32, i32)]) -> Vec<(i32, i32)> {
    let mut out = vec![line[0]];
    for w in line.windows(2) {
        let (a, b) = (w[0], w[1]);
        let n = ((b.0 - a.0).abs().max((b.1 - a.1).abs()) / 2).max(1);
        for k in 1..=n {
            out.push((a.0 + (b.0 - a.0) * k / n, a.1 + (b.1 - a.1) * k / n));
        }
    }
    out
}

/// A legend row.
struct Entry {
    text: String,
    colour: RGBColor,
    dash: Option<&'static [u32]>,
    shape: Option<Shape>,
    kind: EntryKind,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum EntryKind {
    Series,
    Swatch,
    Clipped,
    Floor,
    Note,
}

/// Legend text: 12-px sans-serif, about 6.2 px per character.
const CHAR_W: f64 = 6.2;
const ROW_H: i32 = 17;
const SAMPLE_W: i32 = 30;

fn legend_size(entries: &[Entry]) -> (i32, i32) {
    let widest = entries
        .iter()
        .map(|e| text_units(&e.text))
        .fold(0.0, f64::max);
    let w = 8 + SAMPLE_W + 6 + (widest * CHAR_W).ceil() as i32 + 8;
    let h = 6 + ROW_H * entries.len() as i32 + 2;
    (w, h)
}

/// The probe/real chart builder: caption, margins, label areas, and a right
/// margin grown by `right` pixels (room for the legend or colour bar outside the frame).
fn build<'a, 'b>(
    root: &'a DrawingArea<SVGBackend<'b>, Shift>,
    title: &str,
    right: u32,
    x: Ticked,
    y: Ticked,
) -> ChartContext<'a, SVGBackend<'b>, Cartesian2d<Ticked, Ticked>> {
    ChartBuilder::on(root)
        .caption(markup(title), ("sans-serif", 20))
        .margin(12)
        .margin_right(12 + right)
        .x_label_area_size(44)
        .y_label_area_size(64)
        .build_cartesian_2d(x, y)
        .expect(DRAW)
}

fn frame_rect(title: &str, right: u32) -> Rect {
    let mut svg = String::new();
    let root = SVGBackend::with_string(&mut svg, FIGURE_SIZE).into_drawing_area();
    let dummy = || Ticked::new((0.0, 1.0), &[]);
    let chart = build(&root, title, right, dummy(), dummy());
    let (xs, ys) = chart.plotting_area().get_pixel_range();
    Rect {
        left: xs.start,
        top: ys.start,
        right: xs.end - 1,
        bottom: ys.end - 1,
    }
}

/// Everything mapped for one frame: drawn traces and all occupied pixels.
struct Mapped {
    /// The right label area the frame was built with.
    right: u32,
    frame: Frame,
    drawn: Vec<Drawn>,
    bars: Vec<[(i32, i32); 2]>,
    occupied: Vec<(i32, i32)>,
    per_series: Vec<Vec<(i32, i32)>>,
}

fn map_all(plot: &Plot, right: u32) -> Mapped {
    let rect = frame_rect(&plot.title, right);
    let frame = Frame {
        rect,
        x: plot.x.range,
        y: plot.y.range,
    };
    let drawn: Vec<Drawn> = plot.traces.iter().map(|t| draw_trace(t, &frame)).collect();
    let bars: Vec<[(i32, i32); 2]> = plot
        .bars
        .iter()
        .flat_map(|(_, _, cells)| cells)
        .map(|c| [frame.px((c.x.0, c.y.0)), frame.px((c.x.1, c.y.1))])
        .collect();
    let mut per_series: Vec<Vec<(i32, i32)>> = drawn
        .iter()
        .map(|d| {
            let mut px: Vec<(i32, i32)> = d.lines.iter().flat_map(|l| samples(l)).collect();
            for &m in d.markers.iter().chain(&d.floor) {
                px.extend([
                    m,
                    (m.0 - MARKER_R, m.1 - MARKER_R),
                    (m.0 + MARKER_R, m.1 + MARKER_R),
                    (m.0 - MARKER_R, m.1 + MARKER_R),
                    (m.0 + MARKER_R, m.1 - MARKER_R),
                ]);
            }
            px.extend(d.clipped.iter().map(|c| c.0));
            px.extend(d.bars.iter().flat_map(|b| samples(b)));
            px
        })
        .collect();
    if plot.bars.is_some() {
        let mut px = Vec::new();
        for b in &bars {
            let (x0, x1) = (b[0].0.min(b[1].0), b[0].0.max(b[1].0));
            let (y0, y1) = (b[0].1.min(b[1].1), b[0].1.max(b[1].1));
            for x in (x0..=x1).step_by(3) {
                for y in (y0..=y1).step_by(3) {
                    px.push((x, y));
                }
            }
        }
        per_series.push(px);
    }
    let occupied = per_series.iter().flatten().copied().collect();
    Mapped {
        right,
        frame,
        drawn,
        bars,
        occupied,
        per_series,
    }
}

/// Candidate legend boxes inside the frame, in order of preference:
/// the four corners, then the middles of the right, left, top and bottom edges.
fn candidates(frame: Rect, (w, h): (i32, i32)) -> Vec<Rect> {
    let inset = 8;
    let (l, r) = (frame.left + inset, frame.right - inset - w);
    let (t, b) = (frame.top + inset, frame.bottom - inset - h);
    let (cx, cy) = (
        (frame.left + frame.right - w) / 2,
        (frame.top + frame.bottom - h) / 2,
    );
    [
        (r, t),
        (l, t),
        (r, b),
        (l, b),
        (r, cy),
        (l, cy),
        (cx, t),
        (cx, b),
    ]
    .into_iter()
    .map(|(x, y)| Rect {
        left: x,
        top: y,
        right: x + w,
        bottom: y + h,
    })
    .collect()
}

/// How many occupied pixels fall in the box grown by 3 pixels.
fn covered(rect: Rect, occupied: &[(i32, i32)]) -> usize {
    let grown = Rect {
        left: rect.left - 3,
        top: rect.top - 3,
        right: rect.right + 3,
        bottom: rect.bottom + 3,
    };
    occupied.iter().filter(|p| grown.contains(**p)).count()
}

/// Render a plot: SVG and its layout.
pub(crate) fn render(plot: &Plot) -> (String, Layout) {
    const COLOUR_BAR_W: u32 = 110;
    let (mapped, legend, entries) = if plot.colour_bar.is_some() {
        let mapped = map_all(plot, COLOUR_BAR_W);
        let rect = mapped.frame.rect;
        let bar = Rect {
            left: rect.right + 14,
            top: rect.top + 24,
            right: rect.right + 34,
            bottom: rect.bottom,
        };
        (mapped, Some(bar), Vec::new())
    } else {
        let base = map_all(plot, 0);
        let entries = legend_entries(plot, &base);
        let size = legend_size(&entries);
        let free = candidates(base.frame.rect, size)
            .into_iter()
            .map(|c| (covered(c, &base.occupied), c))
            .min_by_key(|(n, _)| *n)
            .filter(|(n, _)| *n == 0);
        match free {
            _ if entries.is_empty() => (base, None, entries),
            Some((_, c)) => (base, Some(c), entries),
            None => {
                let mapped = map_all(plot, size.0 as u32 + 12);
                let rect = mapped.frame.rect;
                let left = rect.right + 12;
                let c = Rect {
                    left,
                    top: rect.top,
                    right: left + size.0,
                    bottom: rect.top + size.1,
                };
                (mapped, Some(c), entries)
            }
        }
    };
    let svg = draw(plot, &mapped, legend, &entries);
    let mut series: Vec<SeriesLayout> = plot
        .traces
        .iter()
        .zip(&mapped.drawn)
        .zip(&mapped.per_series)
        .map(|((t, d), px)| SeriesLayout {
            label: t.label.clone(),
            pixels: px.clone(),
            clipped: d.clipped.iter().map(|c| c.0).collect(),
            at_floor: d.floor.clone(),
        })
        .collect();
    if let Some((label, _, _)) = &plot.bars {
        series.push(SeriesLayout {
            label: label.clone(),
            pixels: mapped.per_series.last().cloned().unwrap_or_default(),
            clipped: Vec::new(),
            at_floor: Vec::new(),
        });
    }
    let layout = Layout {
        title: plot.title.clone(),
        frame: mapped.frame.rect,
        legend,
        series,
    };
    super::layout::record(&layout);
    (svg, layout)
}

/// The legend rows: series with a label, then notes for edge marks and the
/// log floor if `mapped` has any, then the plot's own notes.
fn legend_entries(plot: &Plot, mapped: &Mapped) -> Vec<Entry> {
    let mut entries = Vec::new();
    if let Some((label, colour, _)) = &plot.bars
        && !label.is_empty()
    {
        entries.push(Entry {
            text: markup(label),
            colour: *colour,
            dash: None,
            shape: None,
            kind: EntryKind::Swatch,
        });
    }
    for t in plot.traces.iter().filter(|t| !t.label.is_empty()) {
        entries.push(Entry {
            text: markup(&t.label),
            colour: t.colour,
            dash: t.dash,
            shape: (t.markers != Markers::Off).then_some(t.shape),
            kind: EntryKind::Series,
        });
    }
    let note = |text: &str, kind| Entry {
        text: text.to_owned(),
        colour: RGBColor(60, 60, 60),
        dash: None,
        shape: None,
        kind,
    };
    if mapped.drawn.iter().any(|d| !d.clipped.is_empty()) {
        entries.push(note("beyond axis range", EntryKind::Clipped));
    }
    if mapped.drawn.iter().any(|d| !d.floor.is_empty()) {
        entries.push(note("0 drawn at floor", EntryKind::Floor));
    }
    for n in &plot.notes {
        entries.push(note(&markup(n), EntryKind::Note));
    }
    entries
}

fn draw(plot: &Plot, mapped: &Mapped, legend: Option<Rect>, entries: &[Entry]) -> String {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, FIGURE_SIZE).into_drawing_area();
        root.fill(&WHITE).expect(DRAW);
        let right = mapped.right;
        let mut chart = build(
            &root,
            &plot.title,
            right,
            Ticked::new(plot.x.range, &plot.x.ticks),
            Ticked::new(plot.y.range, &plot.y.ticks),
        );
        let x_fmt = |v: &f64| tick_label(&plot.x.ticks, *v);
        let y_fmt = |v: &f64| tick_label(&plot.y.ticks, *v);
        chart
            .configure_mesh()
            .x_desc(markup(&plot.x.label))
            .y_desc(markup(&plot.y.label))
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .label_style(("sans-serif", 13))
            .axis_desc_style(("sans-serif", 15))
            .light_line_style(WHITE)
            .bold_line_style(plot.grid)
            .draw()
            .expect(DRAW);
        let frame = mapped.frame;
        for cell in &plot.cells {
            let (a, b) = (
                frame.px((cell.x.0, cell.y.0)),
                frame.px((cell.x.1, cell.y.1)),
            );
            root.draw(&Rectangle::new([a, b], cell.fill.filled()))
                .expect(DRAW);
        }
        for (line, colour) in &plot.background {
            let px: Vec<(i32, i32)> = line.iter().map(|p| frame.px(*p)).collect();
            root.draw(&PathElement::new(px, colour.stroke_width(1)))
                .expect(DRAW);
        }
        if let Some((_, colour, _)) = &plot.bars {
            for b in &mapped.bars {
                root.draw(&Rectangle::new(*b, colour.mix(0.55).filled()))
                    .expect(DRAW);
                root.draw(&Rectangle::new(*b, colour.stroke_width(1)))
                    .expect(DRAW);
            }
        }
        for (t, d) in plot.traces.iter().zip(&mapped.drawn) {
            draw_drawn(&root, t, d);
        }
        if let Some(rect) = legend {
            match &plot.colour_bar {
                Some(bar) => draw_colour_bar(&root, bar, rect),
                None => draw_legend(&root, rect, entries),
            }
        }
        root.present().expect(DRAW);
    }
    finish_svg(&svg)
}

type Root<'a> = DrawingArea<SVGBackend<'a>, Shift>;

fn draw_drawn(root: &Root<'_>, t: &Trace, d: &Drawn) {
    let style = t.colour.stroke_width(t.width);
    for b in &d.bars {
        root.draw(&PathElement::new(b.to_vec(), t.colour.stroke_width(1)))
            .expect(DRAW);
        for end in b {
            root.draw(&PathElement::new(
                vec![(end.0 - 3, end.1), (end.0 + 3, end.1)],
                t.colour.stroke_width(1),
            ))
            .expect(DRAW);
        }
    }
    if let Some(dash) = t.dash {
        for line in &d.lines {
            if dash.is_empty() {
                root.draw(&PathElement::new(line.clone(), style))
                    .expect(DRAW);
            } else {
                for piece in dashes(line, dash) {
                    root.draw(&PathElement::new(piece.to_vec(), style))
                        .expect(DRAW);
                }
            }
        }
    }
    if t.markers != Markers::Off {
        for &m in &d.markers {
            draw_marker(root, t.shape, m, t.colour);
        }
    }
    for &f in &d.floor {
        draw_floor(root, f, t.colour);
    }
    for &(c, edge) in &d.clipped {
        draw_edge_mark(root, c, edge, t.colour);
    }
}

fn draw_marker(root: &Root<'_>, shape: Shape, (x, y): (i32, i32), colour: RGBColor) {
    let r = MARKER_R;
    let fill = colour.filled();
    let line = colour.stroke_width(2);
    let closed = |pts: Vec<(i32, i32)>| {
        let mut p = pts.clone();
        p.push(pts[0]);
        p
    };
    let up = vec![(x, y - r - 1), (x + r + 1, y + r), (x - r - 1, y + r)];
    let down = vec![(x, y + r + 1), (x + r + 1, y - r), (x - r - 1, y - r)];
    let diamond = vec![
        (x, y - r - 1),
        (x + r + 1, y),
        (x, y + r + 1),
        (x - r - 1, y),
    ];
    let square = [(x - r, y - r), (x + r, y + r)];
    let small = [(x - r + 1, y - r + 1), (x + r - 1, y + r - 1)];
    let result = match shape {
        Shape::CircleFilled => root.draw(&Circle::new((x, y), r, fill)),
        Shape::SquareFilled => root.draw(&Rectangle::new(small, fill)),
        Shape::SquareHollow => root.draw(&Rectangle::new(square, line)),
        Shape::TriangleUpFilled => root.draw(&Polygon::new(up, fill)),
        Shape::TriangleUpHollow => root.draw(&PathElement::new(closed(up), line)),
        Shape::TriangleDownHollow => root.draw(&PathElement::new(closed(down), line)),
        Shape::DiamondFilled => root.draw(&Polygon::new(diamond, fill)),
        Shape::DiamondHollow => root.draw(&PathElement::new(closed(diamond), line)),
        Shape::Cross => root
            .draw(&PathElement::new(
                vec![(x - r, y - r), (x + r, y + r)],
                line,
            ))
            .and_then(|_| {
                root.draw(&PathElement::new(
                    vec![(x - r, y + r), (x + r, y - r)],
                    line,
                ))
            }),
        Shape::Plus => root
            .draw(&PathElement::new(
                vec![(x - r - 1, y), (x + r + 1, y)],
                line,
            ))
            .and_then(|_| {
                root.draw(&PathElement::new(
                    vec![(x, y - r - 1), (x, y + r + 1)],
                    line,
                ))
            }),
    };
    result.expect(DRAW);
}

/// Zero on a log axis: a ring on the floor with a bar through it.
fn draw_floor(root: &Root<'_>, (x, y): (i32, i32), colour: RGBColor) {
    root.draw(&Circle::new((x, y), 5, WHITE.filled()))
        .expect(DRAW);
    root.draw(&Circle::new((x, y), 5, colour.stroke_width(2)))
        .expect(DRAW);
    root.draw(&PathElement::new(
        vec![(x - 7, y), (x + 7, y)],
        colour.stroke_width(2),
    ))
    .expect(DRAW);
}

/// A point beyond the range: a triangle on the frame edge pointing outward.
fn draw_edge_mark(root: &Root<'_>, (x, y): (i32, i32), edge: Edge, colour: RGBColor) {
    let pts = match edge {
        Edge::Top => vec![(x, y - 7), (x - 5, y + 2), (x + 5, y + 2)],
        Edge::Bottom => vec![(x, y + 7), (x - 5, y - 2), (x + 5, y - 2)],
        Edge::Right => vec![(x + 7, y), (x - 2, y - 5), (x - 2, y + 5)],
        Edge::Left => vec![(x - 7, y), (x + 2, y - 5), (x + 2, y + 5)],
    };
    root.draw(&Polygon::new(pts.clone(), colour.filled()))
        .expect(DRAW);
    let mut outline = pts.clone();
    outline.push(pts[0]);
    root.draw(&PathElement::new(outline, BLACK.stroke_width(1)))
        .expect(DRAW);
}

fn draw_legend(root: &Root<'_>, rect: Rect, entries: &[Entry]) {
    root.draw(&Rectangle::new(
        [(rect.left, rect.top), (rect.right, rect.bottom)],
        WHITE.mix(0.9).filled(),
    ))
    .expect(DRAW);
    root.draw(&Rectangle::new(
        [(rect.left, rect.top), (rect.right, rect.bottom)],
        RGBColor(160, 160, 160).stroke_width(1),
    ))
    .expect(DRAW);
    for (k, e) in entries.iter().enumerate() {
        let y = rect.top + 6 + ROW_H * k as i32 + ROW_H / 2;
        let (x0, x1) = (rect.left + 8, rect.left + 8 + SAMPLE_W);
        let mid = (x0 + x1) / 2;
        match e.kind {
            EntryKind::Series => {
                if let Some(dash) = e.dash {
                    let line = vec![(x0, y), (x1, y)];
                    let style = e.colour.stroke_width(2);
                    if dash.is_empty() {
                        root.draw(&PathElement::new(line, style)).expect(DRAW);
                    } else {
                        for piece in dashes(&line, dash) {
                            root.draw(&PathElement::new(piece.to_vec(), style))
                                .expect(DRAW);
                        }
                    }
                }
                if let Some(shape) = e.shape {
                    draw_marker(root, shape, (mid, y), e.colour);
                }
            }
            EntryKind::Swatch => {
                root.draw(&Rectangle::new(
                    [(x0 + 6, y - 5), (x1 - 6, y + 5)],
                    e.colour.mix(0.55).filled(),
                ))
                .expect(DRAW);
            }
            EntryKind::Clipped => draw_edge_mark(root, (mid, y + 3), Edge::Top, e.colour),
            EntryKind::Floor => draw_floor(root, (mid, y), e.colour),
            EntryKind::Note => {}
        }
        root.draw(&Text::new(
            e.text.clone(),
            (x1 + 6, y),
            TextStyle::from(("sans-serif", 12).into_font())
                .pos(Pos::new(HPos::Left, VPos::Center))
                .color(&BLACK),
        ))
        .expect(DRAW);
    }
}

fn draw_colour_bar(root: &Root<'_>, bar: &ColourBar, rect: Rect) {
    const STEPS: i32 = 64;
    let h = rect.bottom - rect.top;
    for k in 0..STEPS {
        let (y0, y1) = (
            rect.bottom - h * k / STEPS,
            rect.bottom - h * (k + 1) / STEPS,
        );
        let v = bar.range.0 + (bar.range.1 - bar.range.0) * (k as f64 + 0.5) / STEPS as f64;
        root.draw(&Rectangle::new(
            [(rect.left, y1), (rect.right, y0)],
            (bar.colour)(v).filled(),
        ))
        .expect(DRAW);
    }
    root.draw(&Rectangle::new(
        [(rect.left, rect.top), (rect.right, rect.bottom)],
        RGBColor(120, 120, 120).stroke_width(1),
    ))
    .expect(DRAW);
    let font = || {
        TextStyle::from(("sans-serif", 12).into_font())
            .pos(Pos::new(HPos::Left, VPos::Center))
            .color(&BLACK)
    };
    for (v, label) in &bar.ticks {
        let y = to_pixel(*v, bar.range, (rect.bottom, rect.top));
        root.draw(&PathElement::new(
            vec![(rect.right, y), (rect.right + 4, y)],
            BLACK.stroke_width(1),
        ))
        .expect(DRAW);
        root.draw(&Text::new(label.clone(), (rect.right + 6, y), font()))
            .expect(DRAW);
    }
    root.draw(&Text::new(
        markup(&bar.label),
        (rect.left, rect.top - 12),
        font(),
    ))
    .expect(DRAW);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn liang_barsky_entry_and_exit() {
        // Segment (−1, 0.5) → (2, 0.5) through the unit box: enters at x = 0
        // (t = 1/3) through the left edge, leaves at x = 1 (t = 2/3) through the right.
        let ((t0, e0), (t1, e1)) =
            clip((-1.0, 0.5), (2.0, 0.5), (0.0, 1.0), (0.0, 1.0)).expect("crosses the box");
        assert!((t0 - 1.0 / 3.0).abs() < 1e-15 && (t1 - 2.0 / 3.0).abs() < 1e-15);
        assert_eq!((e0, e1), (Some(Edge::Left), Some(Edge::Right)));
        // A segment above the box never enters.
        assert!(clip((0.0, 2.0), (1.0, 3.0), (0.0, 1.0), (0.0, 1.0)).is_none());
    }

    #[test]
    fn dashes_follow_the_pattern() {
        // A 20-px horizontal line with pattern [4, 2]: on 0–4, 6–10, 12–16, 18–20.
        let pieces = dashes(&[(0, 0), (20, 0)], &[4, 2]);
        let xs: Vec<(i32, i32)> = pieces.iter().map(|p| (p[0].0, p[1].0)).collect();
        assert_eq!(xs, vec![(0, 4), (6, 10), (12, 16), (18, 20)]);
    }

    #[test]
    fn markers_along_a_line_are_evenly_spaced() {
        // 100 px, every 30 px from 10: at 10, 40, 70, 100.
        let m = along(&[(0, 0), (100, 0)], 30.0, 10.0);
        assert_eq!(m, vec![(10, 0), (40, 0), (70, 0), (100, 0)]);
    }
}
