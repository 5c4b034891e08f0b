//! Figures show what they claim to show: every series of every registered
//! experiment's figures is visible (inside the frame, not under the legend),
//! and each plotting primitive — legend placement, edge marks for clipped
//! points, the log floor, math labels, error bars, histogram counts, heat-map
//! colours — does what its documentation says, judged from the pixel
//! [`Layout`] the renderer reports rather than by parsing SVG.

use descent_lab::plot::{
    Axis, HeatMap, Histogram, Layout, LineChart, Rect, Series, Style, colour_scale, math_svg,
    record_layouts,
};

/// The renderer's data → pixel map (plotters' `RangedCoordf64`, documented
/// in `plot::axis::to_pixel`): `limit.0 + ⌊(limit.1 − limit.0)·t + 10⁻³⌋`
/// with `t = (v − lo)/(hi − lo)`.
fn pixel(v: f64, (lo, hi): (f64, f64), limit: (i32, i32)) -> i32 {
    let t = (v - lo) / (hi - lo);
    limit.0 + ((limit.1 - limit.0) as f64 * t + 1e-3).floor() as i32
}

/// Pixel of data point `(x, y)` on a linear chart with ranges `xr`, `yr`.
fn at(layout: &Layout, (x, y): (f64, f64), xr: (f64, f64), yr: (f64, f64)) -> (i32, i32) {
    let f = layout.frame;
    (
        pixel(x, xr, (f.left, f.right)),
        pixel(y, yr, (f.bottom, f.top)),
    )
}

/// Strictly inside: a pixel on the border of the legend box is not covered.
fn strictly_inside(r: &Rect, (x, y): (i32, i32)) -> bool {
    r.left < x && x < r.right && r.top < y && y < r.bottom
}

#[test]
fn every_figure_of_every_experiment_shows_every_series_of_its_legend() {
    for experiment in descent_lab::registry() {
        let (report, layouts) = record_layouts(experiment.run);
        assert_eq!(
            layouts.len(),
            report.figures.len(),
            "{}: one recorded layout per figure",
            experiment.id
        );
        for layout in &layouts {
            let name = format!("{} figure `{}`", experiment.id, layout.title);
            for series in layout.series.iter().filter(|s| !s.label.is_empty()) {
                let visible = series.pixels.iter().filter(|p| {
                    layout.frame.contains(**p) && !layout.legend.is_some_and(|l| l.contains(**p))
                });
                assert!(
                    visible.count() > 0,
                    "{name}: series `{}` has no drawn point inside the frame and outside the legend",
                    series.label
                );
                // The legend covers no data at all, of any series.
                if let Some(legend) = layout.legend {
                    let covered = series
                        .pixels
                        .iter()
                        .filter(|p| strictly_inside(&legend, **p))
                        .count();
                    assert_eq!(
                        covered, 0,
                        "{name}: the legend covers {covered} drawn points of `{}`",
                        series.label
                    );
                }
            }
        }
    }
}

#[test]
fn legend_goes_to_the_one_empty_corner() {
    // Data on [0, 10]²: a line along y = 9.5 occupies the top (both upper
    // corners and the top middle), a line along x = 9.5 the right side (both
    // right corners and the right middle); only the lower left is free.
    let (xr, yr) = ((0.0, 10.0), (0.0, 10.0));
    let chart = LineChart::new(
        "corners",
        Axis::linear("x").range(xr.0, xr.1),
        Axis::linear("y").range(yr.0, yr.1),
    )
    .with(Series::line("top", vec![(0.0, 9.5), (10.0, 9.5)]))
    .with(Series::line("right", vec![(9.5, 0.0), (9.5, 10.0)]));
    let layout = chart.layout();
    let legend = layout.legend.expect("labelled series have a legend");
    // Lower-left candidate: 8 px inset from the frame's left and bottom edges.
    assert_eq!(legend.left, layout.frame.left + 8);
    assert_eq!(legend.bottom, layout.frame.bottom - 8);
    let corner = at(&layout, (0.0, 0.0), xr, yr);
    assert!(legend.left > corner.0 && legend.bottom < corner.1);
}

#[test]
fn legend_goes_outside_when_no_corner_is_free() {
    // A scatter on a 21×21 lattice covers the whole frame: the legend goes
    // to the right of the frame.
    let lattice: Vec<(f64, f64)> = (0..21)
        .flat_map(|i| (0..21).map(move |j| (i as f64 / 2.0, j as f64 / 2.0)))
        .collect();
    let layout = LineChart::new("full", Axis::linear("x"), Axis::linear("y"))
        .with(Series::new("lattice", lattice, Style::Markers))
        .layout();
    let legend = layout.legend.expect("legend");
    assert!(
        legend.left > layout.frame.right,
        "legend {legend:?} frame {:?}",
        layout.frame
    );
}

#[test]
fn points_beyond_the_range_are_marked_at_the_frame_edge() {
    // y range [0, 1]; the line (0, 0.5) → (1, 2) → (2, 0.5) leaves through
    // the top at x = 1/3 (0.5 + 1.5t = 1 ⇒ t = 1/3) and comes back at
    // x = 2 − 1/3; a scatter point at (1, −3) is marked on the bottom edge.
    let (xr, yr) = ((0.0, 2.0), (0.0, 1.0));
    let chart = LineChart::new(
        "clip",
        Axis::linear("x").range(xr.0, xr.1),
        Axis::linear("y").range(yr.0, yr.1),
    )
    .with(Series::line(
        "peak",
        vec![(0.0, 0.5), (1.0, 2.0), (2.0, 0.5)],
    ))
    .with(Series::new("low", vec![(1.0, -3.0)], Style::Markers));
    let layout = chart.layout();
    let peak = &layout.series[0];
    let top = layout.frame.top;
    let expected = [
        at(&layout, (1.0 / 3.0, 1.0), xr, yr),
        at(&layout, (2.0 - 1.0 / 3.0, 1.0), xr, yr),
    ];
    assert_eq!(peak.clipped.len(), 2, "{:?}", peak.clipped);
    for (mark, want) in peak.clipped.iter().zip(expected) {
        assert_eq!(mark.1, top);
        assert!((mark.0 - want.0).abs() <= 1, "{mark:?} vs {want:?}");
    }
    let low = &layout.series[1];
    assert_eq!(
        low.clipped,
        vec![at(&layout, (1.0, 0.0), xr, yr)],
        "the point below is marked at (x, bottom)"
    );
    assert!(chart.to_svg().contains("beyond axis range"));
}

#[test]
fn zero_on_a_log_axis_is_drawn_at_the_floor_with_a_note() {
    // y log range [1e-3, 1]: the floor is 1e-3 (the frame's bottom row);
    // the zero at k = 2 is drawn there, once.
    let chart = LineChart::new(
        "floor",
        Axis::linear("k").range(0.0, 3.0),
        Axis::log("e").range(1e-3, 1.0),
    )
    .with(Series::line(
        "run",
        vec![(0.0, 1.0), (1.0, 0.1), (2.0, 0.0), (3.0, 0.0)],
    ));
    let layout = chart.layout();
    let x2 = pixel(2.0, (0.0, 3.0), (layout.frame.left, layout.frame.right));
    assert_eq!(layout.series[0].at_floor, vec![(x2, layout.frame.bottom)]);
    assert!(layout.series[0].clipped.is_empty());
    assert!(chart.to_svg().contains("0 drawn at floor"));
}

#[test]
fn coinciding_series_get_different_markers_and_dashes() {
    // Two identical lines: both in the legend, both drawn, with their
    // thinned markers at different places (offset by index), and the SVG
    // holds two different marker glyphs (a filled circle, a hollow square).
    let points: Vec<(f64, f64)> = (0..50).map(|k| (k as f64, k as f64)).collect();
    let chart = LineChart::new("twins", Axis::linear("x"), Axis::linear("y"))
        .with(Series::line("a", points.clone()))
        .with(Series::line("b", points));
    let layout = chart.layout();
    assert_eq!(layout.series.len(), 2);
    assert_ne!(layout.series[0].pixels, layout.series[1].pixels);
    let svg = chart.to_svg();
    assert!(svg.contains("<circle"));
    assert!(svg.contains("<rect") && svg.contains("fill=\"none\""));
}

#[test]
fn error_bars_span_y_plus_minus_se() {
    // Point (1, 5) with SE 1 on [0, 2] × [0, 10]: the bar runs from y = 4 to y = 6.
    let (xr, yr) = ((0.0, 2.0), (0.0, 10.0));
    let layout = LineChart::new(
        "se",
        Axis::linear("x").range(xr.0, xr.1),
        Axis::linear("y").range(yr.0, yr.1),
    )
    .with(Series::new("mean", vec![(1.0, 5.0)], Style::Markers).with_error_bars(vec![1.0]))
    .layout();
    let px = &layout.series[0].pixels;
    assert!(px.contains(&at(&layout, (1.0, 4.0), xr, yr)));
    assert!(px.contains(&at(&layout, (1.0, 6.0), xr, yr)));
}

#[test]
fn theory_overlay_is_a_legend_entry_without_markers() {
    let chart = LineChart::new("theory", Axis::linear("x"), Axis::linear("y"))
        .with(Series::line("measured", vec![(0.0, 0.0), (1.0, 1.0)]))
        .with(Series::theory("predicted", vec![(0.0, 0.1), (1.0, 1.1)]));
    assert_eq!(chart.series[1].style, Style::Theory);
    let layout = chart.layout();
    assert_eq!(layout.series[1].label, "predicted");
    assert!(chart.to_svg().contains(">\npredicted\n</text>"));
}

#[test]
fn math_markup_is_rendered_in_titles_axes_and_legends() {
    let svg = LineChart::new(
        "decay e^{−βk}",
        Axis::linear("η_opt"),
        Axis::linear("x^0.75"),
    )
    .with(Series::line("λ_{max}", vec![(0.0, 1.0), (1.0, 2.0)]))
    .to_svg();
    assert!(svg.contains("decay e⁻ᵝᵏ"));
    assert!(svg.contains("ηₒₚₜ"));
    assert!(svg.contains("λₘₐₓ"));
    assert!(svg.contains(&math_svg("x^0.75")));
    assert!(svg.contains("<tspan baseline-shift=\"super\" font-size=\"75%\">0.75</tspan>"));
    assert!(!svg.contains("^{") && !svg.contains("_{") && !svg.contains("^0.75"));
}

#[test]
fn histogram_counts_match_a_hand_count() {
    // Bins of [0, 1] with width 1/4; bin k holds ⌊4v⌋ (v = 1 in the last):
    // 0, 0.1 → bin 0; 0.25 → 1; 0.5, 0.5, 0.74 → 2; 0.75, 0.99, 1 → 3.
    // NaN and 1.5 are not counted; 1.5 is reported in a legend note.
    let samples = vec![
        0.0,
        0.1,
        0.25,
        0.5,
        0.5,
        0.74,
        0.75,
        0.99,
        1.0,
        f64::NAN,
        1.5,
    ];
    let h = Histogram::new("h", "v", samples, 4).range(0.0, 1.0);
    assert_eq!(h.edges(), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
    assert_eq!(h.counts(), vec![2, 1, 3, 3]);
    assert!(h.to_svg().contains("1 samples outside [0, 1]"));
    // Fitted range [1, 4] in 3 bins: 1 → 0, 2 → 1, 3 and 4 → 2.
    let fitted = Histogram::new("f", "v", vec![1.0, 2.0, 3.0, 4.0], 3);
    assert_eq!(fitted.counts(), vec![1, 1, 2]);
    // The bars are drawn: the tallest (3 samples) reaches 3/(3·1.08) of the frame.
    let layout = h.label("sample").layout();
    let bars = layout.series.last().expect("bars");
    assert_eq!(bars.label, "sample");
    let top = bars.pixels.iter().map(|p| p.1).min().expect("drawn");
    let expected = pixel(
        3.0,
        (0.0, 3.0 * 1.08),
        (layout.frame.bottom, layout.frame.top),
    );
    assert!((top - expected).abs() <= 3, "{top} vs {expected}");
}

/// Relative luminance of an sRGB triple (Rec. 709 weights on the coded values).
fn luminance((r, g, b): (u8, u8, u8)) -> f64 {
    0.2126 * r as f64 + 0.7152 * g as f64 + 0.0722 * b as f64
}

#[test]
fn heat_map_colours_are_monotone_in_value() {
    // Ends of viridis, and luminance non-decreasing over 201 values, strictly
    // between the ends.
    assert_eq!(colour_scale(0.0), (68, 1, 84));
    assert_eq!(colour_scale(1.0), (253, 231, 37));
    let lum: Vec<f64> = (0..=200)
        .map(|k| luminance(colour_scale(k as f64 / 200.0)))
        .collect();
    assert!(lum.windows(2).all(|w| w[0] <= w[1]), "{lum:?}");
    assert!(lum[0] < lum[100] && lum[100] < lum[200]);
    // A map of f(x, y) = x + y: colours follow the values through the map's range.
    let map = HeatMap::from_fn("m", ("x", "y"), (0.0, 1.0), (0.0, 1.0), (4, 4), |x, y| {
        x + y
    });
    // Cell centres are 1/8, 3/8, …: values from 1/4 to 7/4.
    assert_eq!(map.values[0], 0.25);
    assert_eq!(map.values[15], 1.75);
    assert_eq!(map.colour(0.25), colour_scale(0.0));
    assert_eq!(map.colour(1.75), colour_scale(1.0));
    assert!(luminance(map.colour(0.5)) < luminance(map.colour(1.0)));
    let layout = map.layout();
    let bar = layout.legend.expect("colour bar");
    assert!(bar.left > layout.frame.right);
    assert!(map.to_svg().starts_with("<svg"));
}
