//! Where a rendered figure put things, in pixels: the frame, the legend box
//! and every drawn point of every series. Tests judge figures from this
//! instead of parsing SVG.
//!
//! [`record_layouts`] collects the layouts of every chart rendered by a
//! closure on the current thread, so a test can run an experiment (which
//! keeps only SVG text) and still see its figures' layouts.

use std::cell::RefCell;

/// A pixel rectangle, edges inclusive; `y` grows downwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rect {
    /// Leftmost pixel column.
    pub left: i32,
    /// Topmost pixel row.
    pub top: i32,
    /// Rightmost pixel column.
    pub right: i32,
    /// Bottom pixel row.
    pub bottom: i32,
}

impl Rect {
    /// `left ≤ x ≤ right` and `top ≤ y ≤ bottom`.
    pub fn contains(&self, (x, y): (i32, i32)) -> bool {
        self.left <= x && x <= self.right && self.top <= y && y <= self.bottom
    }
}

/// One series as drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesLayout {
    /// Its legend entry (empty: not in the legend).
    pub label: String,
    /// Every drawn pixel that carries data: points along its lines at most
    /// 2 px apart, marker centres and corners, error bars, edge marks, floor
    /// marks (histogram bars: a 3-px grid over the bars).
    pub pixels: Vec<(i32, i32)>,
    /// The edge marks of points beyond the axis range (on the frame edge).
    pub clipped: Vec<(i32, i32)>,
    /// The marks of zero or negative values on a log axis (on the floor).
    pub at_floor: Vec<(i32, i32)>,
}

/// Where a figure put its frame, legend and series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// The figure's title (as given, before math rendering).
    pub title: String,
    /// The plotting area.
    pub frame: Rect,
    /// The legend box (heat maps: the colour bar), if any.
    pub legend: Option<Rect>,
    /// The series in drawing order (histogram bars last).
    pub series: Vec<SeriesLayout>,
}

thread_local! {
    static RECORDED: RefCell<Option<Vec<Layout>>> = const { RefCell::new(None) };
}

/// Run `f` and return, beside its result, the layout of every chart it
/// rendered on this thread, in order. Nested calls each see their own charts.
pub fn record_layouts<R>(f: impl FnOnce() -> R) -> (R, Vec<Layout>) {
    let outer = RECORDED.with(|r| r.borrow_mut().replace(Vec::new()));
    let result = f();
    let inner = RECORDED.with(|r| std::mem::replace(&mut *r.borrow_mut(), outer));
    (result, inner.unwrap_or_default())
}

/// Append a rendered layout to the recording, if one is running.
pub(crate) fn record(layout: &Layout) {
    RECORDED.with(|r| {
        if let Some(list) = r.borrow_mut().as_mut() {
            list.push(layout.clone());
        }
    });
}
