//! Histograms: counts of a sample in equal-width bins, with optional
//! overlays (a theory density scaled to counts, a measured mean).

use super::axis::{Axis, finite_bounds};
use super::canvas::{AxisFrame, Cell, Plot, render};
use super::layout::Layout;
use super::line::{Series, finite, trace};
use super::palette;
use crate::format::fmt_num;

/// Counts of `samples` in `bins` equal-width bins.
#[derive(Debug, Clone, PartialEq)]
pub struct Histogram {
    /// Title above the plot (math markup is rendered).
    pub title: String,
    /// Label of the value axis.
    pub x_label: String,
    /// Label of the count axis.
    pub y_label: String,
    /// Legend entry of the bars (empty: not in the legend).
    pub label: String,
    /// The sample; non-finite values are not counted.
    pub samples: Vec<f64>,
    /// Number of bins (at least 1).
    pub bins: usize,
    /// Binned range; `None`: `[min, max]` of the finite samples.
    pub range: Option<(f64, f64)>,
    /// Lines drawn over the bars, in count units.
    pub overlays: Vec<Series>,
}

impl Histogram {
    /// A histogram of `samples` in `bins` bins (y label "count").
    pub fn new(
        title: impl Into<String>,
        x_label: impl Into<String>,
        samples: Vec<f64>,
        bins: usize,
    ) -> Self {
        Self {
            title: title.into(),
            x_label: x_label.into(),
            y_label: "count".to_owned(),
            label: String::new(),
            samples,
            bins: bins.max(1),
            range: None,
            overlays: Vec::new(),
        }
    }
    /// Set the legend entry of the bars.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }
    /// Fix the binned range; samples outside it are counted in a legend note.
    pub fn range(mut self, lo: f64, hi: f64) -> Self {
        self.range = Some((lo, hi));
        self
    }
    /// Add a line over the bars (in count units, e.g. `n·width·density`).
    pub fn with(mut self, overlay: Series) -> Self {
        self.overlays.push(overlay);
        self
    }

    /// The binned range: the fixed one, else `[min, max]` of the finite
    /// samples (`[x − ½, x + ½]` if they are all equal, `[0, 1]` if none).
    fn bounds(&self) -> (f64, f64) {
        if let Some(r) = self.range {
            return r;
        }
        finite_bounds(&self.samples)
    }

    /// The `bins + 1` bin edges `lo + (hi − lo)·k/bins`.
    pub fn edges(&self) -> Vec<f64> {
        let (lo, hi) = self.bounds();
        (0..=self.bins)
            .map(|k| lo + (hi - lo) * k as f64 / self.bins as f64)
            .collect()
    }

    /// Count per bin: bin `k` holds `edge_k ≤ v < edge_{k+1}` (the last bin
    /// also `v = hi`), the index computed as `⌊bins·(v − lo)/(hi − lo)⌋`.
    /// Non-finite samples and samples outside the range are not counted.
    pub fn counts(&self) -> Vec<usize> {
        let (lo, hi) = self.bounds();
        let mut counts = vec![0; self.bins];
        for &v in &self.samples {
            if v.is_finite() && lo <= v && v <= hi {
                let k =
                    ((self.bins as f64 * (v - lo) / (hi - lo)).floor() as usize).min(self.bins - 1);
                counts[k] += 1;
            }
        }
        counts
    }

    /// The number of finite samples outside the binned range.
    fn outside(&self) -> usize {
        let (lo, hi) = self.bounds();
        self.samples
            .iter()
            .filter(|v| v.is_finite() && !(lo <= **v && **v <= hi))
            .count()
    }

    fn plot(&self) -> Plot {
        let edges = self.edges();
        let counts = self.counts();
        let x = Axis::linear(self.x_label.as_str());
        let traces: Vec<_> = self
            .overlays
            .iter()
            .enumerate()
            .map(|(i, s)| trace(s, i + 1, &x, &Axis::linear("")))
            .collect();
        let x_range = x.plot_range(edges.iter().copied().chain(finite(&traces, 0)));
        let top = counts.iter().copied().max().unwrap_or(0) as f64;
        let overlay_top = finite(&traces, 1).fold(top, f64::max);
        let y = Axis::linear(self.y_label.as_str()).range(0.0, (overlay_top * 1.08).max(1.0));
        let y_range = y.plot_range(std::iter::empty());
        let colour = palette(0);
        let bars = counts
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(k, &c)| Cell {
                x: (edges[k], edges[k + 1]),
                y: (0.0, c as f64),
                fill: colour,
            })
            .collect();
        let outside = self.outside();
        let notes = if outside > 0 {
            let (lo, hi) = self.bounds();
            vec![format!(
                "{outside} samples outside [{}, {}]",
                fmt_num(lo),
                fmt_num(hi)
            )]
        } else {
            Vec::new()
        };
        Plot {
            bars: Some((self.label.clone(), colour, bars)),
            traces,
            notes,
            ..Plot::new(
                &self.title,
                AxisFrame::new(&x, x_range),
                AxisFrame::new(&y, y_range),
            )
        }
    }

    /// Draw as an SVG document.
    pub fn to_svg(&self) -> String {
        render(&self.plot()).0
    }

    /// Where [`Histogram::to_svg`] puts the frame, the legend, the overlays
    /// and (last) the bars, in pixels.
    pub fn layout(&self) -> Layout {
        render(&self.plot()).1
    }
}
