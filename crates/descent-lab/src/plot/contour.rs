//! Contour charts: trajectories over the contour lines of a 2-D surface,
//! computed by marching squares.

use plotters::prelude::*;

use super::axis::Axis;
use super::canvas::{AxisFrame, Plot, render};
use super::layout::Layout;
use super::line::{Series, trace};

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

    /// The plot: contour lines in a grey ramp under the trajectories.
    fn plot(&self) -> Plot {
        let x_axis = Axis::linear(self.x_label.as_str()).range(self.x_range.0, self.x_range.1);
        let y_axis = Axis::linear(self.y_label.as_str()).range(self.y_range.0, self.y_range.1);
        let n_levels = self.levels.len().max(1);
        let mut background = Vec::new();
        for (l, &level) in self.levels.iter().enumerate() {
            // Grey ramp: low levels dark, high levels light.
            let shade = (60.0 + 150.0 * l as f64 / n_levels as f64) as u8;
            for line in self.contour_lines(level) {
                background.push((line, RGBColor(shade, shade, shade)));
            }
        }
        Plot {
            background,
            traces: self
                .trajectories
                .iter()
                .enumerate()
                .map(|(i, s)| trace(s, i, &x_axis, &y_axis))
                .collect(),
            grid: RGBColor(235, 235, 235),
            ..Plot::new(
                &self.title,
                AxisFrame::new(&x_axis, self.x_range),
                AxisFrame::new(&y_axis, self.y_range),
            )
        }
    }

    /// Draw as an SVG document; trajectory points beyond the ranges are
    /// clipped to the frame and marked at its edge.
    pub fn to_svg(&self) -> String {
        render(&self.plot()).0
    }

    /// Where [`ContourChart::to_svg`] puts the frame, the legend and each
    /// trajectory's points, in pixels.
    pub fn layout(&self) -> Layout {
        render(&self.plot()).1
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
