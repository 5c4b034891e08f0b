//! The study's files: Markdown report, SVG figures, traces as CSV and JSON.

use std::fmt::Write as _;

use descent_core::{Convergence, Termination};
use descent_lab::fmt_num;
use descent_lab::plot::{Axis as PlotAxis, LineChart, Series, Style};
use plotters::prelude::*;
use serde_json::Value;

use crate::grid::{self, Axis};
use crate::run::CellResult;
use crate::spec::{Study, StudyError};

/// The file of cell `k`'s full result (and trace) as JSON.
pub fn cell_json_path(k: usize) -> String {
    format!("cells/cell-{k:05}.json")
}

fn trace_csv_path(k: usize) -> String {
    format!("traces/cell-{k:05}.csv")
}

fn opt(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_owned(), fmt_num)
}

/// A termination in words: `converged (gradient norm)`, `diverged at 12`.
pub fn termination_text(t: &Termination) -> String {
    match t {
        Termination::Converged(c) => format!(
            "converged ({})",
            match c {
                Convergence::TargetValue => "target value",
                Convergence::GradientNorm => "gradient norm",
                Convergence::RelativeGradientNorm => "relative gradient norm",
                Convergence::FunctionChange => "function change",
                Convergence::StepSize => "step size",
            }
        ),
        Termination::MaxIterations => "max iterations".into(),
        Termination::MaxEvaluations => "max evaluations".into(),
        Termination::Diverged { iteration } => format!("diverged at iteration {iteration}"),
        Termination::Failed { iteration, reason } => {
            format!("failed at iteration {iteration}: {reason}")
        }
    }
}

fn escape(s: &str) -> String {
    s.replace('|', "\\|")
}

/// Render every file of the study from its cells' results (in any order;
/// sorted by cell here): `report.md`, `figures/*.svg`, `cells/cell-K.json`,
/// `traces/cell-K.csv`. The bytes depend only on the spec and the results.
///
/// # Errors
/// A missing or duplicated cell, or a result that does not belong to the study.
pub fn render(study: &Study, results: &[CellResult]) -> Result<Vec<(String, Vec<u8>)>, StudyError> {
    let n = study.cells().len();
    let mut sorted: Vec<&CellResult> = results.iter().collect();
    sorted.sort_by_key(|r| r.cell);
    let have: Vec<usize> = sorted.iter().map(|r| r.cell).collect();
    let missing: Vec<usize> = (0..n).filter(|k| have.binary_search(k).is_err()).collect();
    if !missing.is_empty() || have.len() != n {
        let shown: Vec<String> = missing.iter().take(20).map(usize::to_string).collect();
        return Err(StudyError::new(format!(
            "the study has {n} cells but {} results were given; missing cells: {}{}",
            have.len(),
            shown.join(", "),
            if missing.len() > 20 { ", …" } else { "" }
        )));
    }
    for (r, cell) in sorted.iter().zip(study.cells()) {
        if r.grid != cell.grid_text() || r.optimizer != cell.optimizer_label {
            return Err(StudyError::new(format!(
                "cell {}: the result is for `{} {}` but the spec's cell is `{} {}`; was it run from another spec?",
                r.cell,
                r.optimizer,
                r.grid,
                cell.optimizer_label,
                cell.grid_text()
            )));
        }
    }
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut figures: Vec<(String, String)> = Vec::new();
    for (i, label) in study.optimizer_labels.iter().enumerate() {
        let cells: Vec<&CellResult> = sorted
            .iter()
            .copied()
            .filter(|r| r.optimizer_index == i)
            .collect();
        let path = format!("figures/loss-{i}.svg");
        files.push((path.clone(), loss_chart(label, &cells).into_bytes()));
        figures.push((format!("{label}: loss against iteration"), path));
    }
    for (name, path, svg) in grid_charts(study, &sorted) {
        files.push((path.clone(), svg.into_bytes()));
        figures.push((name, path));
    }
    files.push((
        "report.md".into(),
        markdown(study, &sorted, &figures).into_bytes(),
    ));
    for r in &sorted {
        let json = serde_json::to_string_pretty(r)
            .map_err(|e| StudyError::new(format!("cell {}: {e}", r.cell)))?;
        files.push((cell_json_path(r.cell), (json + "\n").into_bytes()));
        files.push((trace_csv_path(r.cell), trace_csv(r).into_bytes()));
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(files)
}

/// The trace of a cell as CSV (`iteration,f,grad_norm,step_norm,evaluations,learning_rate`);
/// numbers in Rust's shortest round-trip form.
pub fn trace_csv(r: &CellResult) -> String {
    let mut s = String::from("iteration,f,grad_norm,step_norm,evaluations,learning_rate\n");
    for p in &r.trace {
        let _ = writeln!(
            s,
            "{},{:e},{:e},{:e},{},{}",
            p.iteration,
            p.f,
            p.grad_norm,
            p.step_norm,
            p.evaluations,
            p.learning_rate.map_or(String::new(), |v| format!("{v:e}"))
        );
    }
    s
}

fn markdown(study: &Study, results: &[&CellResult], figures: &[(String, String)]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# {}\n", study.name);
    if !study.description.is_empty() {
        let _ = writeln!(s, "{}\n", study.description);
    }
    let diverged = results
        .iter()
        .filter(|r| matches!(r.termination, Termination::Diverged { .. }))
        .count();
    let converged = results.iter().filter(|r| r.termination.converged()).count();
    let _ = writeln!(
        s,
        "{} cells: {converged} converged, {diverged} diverged, {} other.\n",
        results.len(),
        results.len() - converged - diverged
    );
    let any = |f: &dyn Fn(&CellResult) -> bool| results.iter().any(|r| f(r));
    let has_gap = any(&|r| r.gap.is_some());
    let has_dist = any(&|r| r.distance.is_some());
    let has_acc = any(&|r| r.test_accuracy.is_some());
    let has_rate = any(&|r| r.rate.is_some() || r.regime.is_some());
    let has_lambda = any(&|r| !r.lambda_max.is_empty());
    let mut head = vec![
        "cell",
        "optimizer",
        "grid",
        "termination",
        "iterations",
        "evaluations",
    ];
    head.push(if has_gap { "f − f*" } else { "f" });
    head.push("‖∇f‖");
    if has_dist {
        head.push("‖x − x*‖");
    }
    if has_acc {
        head.push("test accuracy");
    }
    if has_rate {
        head.extend(["rate", "order", "regime"]);
    }
    if has_lambda {
        head.push("λ_max (last)");
    }
    let _ = writeln!(s, "## Summary\n");
    let _ = writeln!(s, "| {} |", head.join(" | "));
    let _ = writeln!(s, "|{}", "---|".repeat(head.len()));
    for r in results {
        let mut row = vec![
            r.cell.to_string(),
            escape(&r.optimizer),
            escape(&r.grid),
            escape(&termination_text(&r.termination)),
            r.iterations.to_string(),
            r.counts.total().to_string(),
            if has_gap { opt(r.gap) } else { fmt_num(r.f) },
            fmt_num(r.grad_norm),
        ];
        if has_dist {
            row.push(opt(r.distance));
        }
        if has_acc {
            row.push(opt(r.test_accuracy));
        }
        if has_rate {
            row.push(opt(r.rate));
            row.push(opt(r.order));
            row.push(r.regime.map_or("–".into(), |g| g.to_string()));
        }
        if has_lambda {
            row.push(opt(r.lambda_max.last().map(|l| l.1)));
        }
        let _ = writeln!(s, "| {} |", row.join(" | "));
    }
    let _ = writeln!(
        s,
        "\nf* is the known minimum (the nearest known minimiser's value for problems with several); \
         rate is the tail rate (last 10 steps) of ‖x_k − x*‖ (of |f_k − f*| without x*), order the \
         empirical order, regime the classification of `descent_core::analysis`.\n"
    );
    let _ = writeln!(s, "## Figures\n");
    for (name, path) in figures {
        let _ = writeln!(s, "![{name}]({path})\n");
    }
    let _ = writeln!(s, "## Files\n");
    let _ = writeln!(
        s,
        "Each cell's full result and trace: `cells/cell-KKKKK.json`; its trace as CSV: \
         `traces/cell-KKKKK.csv` (iteration, f, ‖∇f‖, ‖Δx‖, evaluations, η).\n"
    );
    let _ = writeln!(s, "## Spec\n\n```toml\n{}\n```", study.text.trim_end());
    s
}

fn loss_chart(label: &str, cells: &[&CellResult]) -> String {
    let use_gap = cells.iter().all(|r| r.f_star.is_some());
    let y_label = if use_gap { "f − f*" } else { "f" };
    let positive = cells.iter().all(|r| {
        r.trace
            .iter()
            .all(|p| if use_gap { true } else { p.f > 0.0 })
    });
    let y = if positive {
        PlotAxis::log(y_label)
    } else {
        PlotAxis::linear(y_label)
    };
    let mut chart = LineChart::new(
        format!("{label}: {y_label} against iteration"),
        PlotAxis::linear("iteration"),
        y,
    );
    for r in cells {
        let fs = r.f_star.unwrap_or(0.0);
        let points = r
            .trace
            .iter()
            .map(|p| (p.iteration as f64, if use_gap { p.f - fs } else { p.f }))
            .collect();
        let name = if r.grid.is_empty() {
            r.optimizer.clone()
        } else {
            r.grid.clone()
        };
        chart = chart.with(Series::new(name, points, Style::Line));
    }
    chart.to_svg()
}

/// The final metric plotted over the grid: f − f* (or test accuracy for
/// networks, or the final f), diverged cells left out.
fn final_metric(r: &CellResult) -> Option<f64> {
    if matches!(r.termination, Termination::Diverged { .. }) || r.error.is_some() {
        return None;
    }
    r.test_accuracy.or(r.gap).or(Some(r.f))
}

fn metric_name(cells: &[&CellResult]) -> &'static str {
    if cells.iter().any(|r| r.test_accuracy.is_some()) {
        "test accuracy"
    } else if cells.iter().any(|r| r.gap.is_some()) {
        "final f − f*"
    } else {
        "final f"
    }
}

/// The axes that vary within optimiser `i`'s cells (two or more values, numeric).
fn varying(study: &Study, i: usize) -> Vec<&Axis> {
    study.axes[i]
        .iter()
        .filter(|a| a.values.len() > 1 && a.values.iter().all(Value::is_number))
        .collect()
}

fn axis_label(i: usize, axis: &Axis) -> String {
    if axis.path.starts_with(&format!("optimizer[{i}]")) {
        axis.keys.join(".")
    } else {
        axis.path.clone()
    }
}

/// A chart over a 1-D grid: its name, whether the axis is logarithmic, and
/// one (optimiser label, points) series per optimiser.
type LinePlot = (String, bool, Vec<(String, Vec<(f64, f64)>)>);

/// Line plots over 1-D grids (one series per optimiser sharing the axis) and
/// heat maps over 2-D grids.
fn grid_charts(study: &Study, results: &[&CellResult]) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let mut lines: Vec<LinePlot> = Vec::new();
    for i in 0..study.optimizer_labels.len() {
        let cells: Vec<(&CellResult, &crate::Cell)> = results
            .iter()
            .copied()
            .zip(study.cells())
            .filter(|(r, _)| r.optimizer_index == i)
            .collect();
        let own: Vec<&CellResult> = cells.iter().map(|c| c.0).collect();
        let metric = metric_name(&own);
        let all = varying(study, i);
        // Seeds are averaged over, never an axis of a figure.
        let plot: Vec<&Axis> = all.iter().copied().filter(|a| a.name() != "seed").collect();
        let averaged: Vec<String> = study.axes[i]
            .iter()
            .filter(|a| a.values.len() > 1 && !plot[plot.len().saturating_sub(2)..].contains(a))
            .map(|a| axis_label(i, a))
            .collect();
        let mean_note = if averaged.is_empty() {
            String::new()
        } else {
            format!(", mean over {}", averaged.join(", "))
        };
        // The index of a cell's value on `axis`.
        let index_on = |c: &crate::Cell, axis: &Axis| -> usize {
            let pos = study.axes[i]
                .iter()
                .position(|x| x == axis)
                .expect("own axis");
            axis.values
                .iter()
                .position(|v| *v == c.assignments[pos].1)
                .unwrap_or(0)
        };
        // The mean of the non-diverged cells' metric in each group.
        let mean_by = |key: &dyn Fn(&crate::Cell) -> (usize, usize)| {
            let mut groups: std::collections::BTreeMap<(usize, usize), Vec<f64>> =
                std::collections::BTreeMap::new();
            for (r, c) in &cells {
                let g = groups.entry(key(c)).or_default();
                if let Some(v) = final_metric(r).filter(|v| v.is_finite()) {
                    g.push(v);
                }
            }
            groups
                .into_iter()
                .map(|(k, v)| {
                    (
                        k,
                        (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64),
                    )
                })
                .collect::<Vec<_>>()
        };
        if plot.len() == 1 {
            let axis = plot[0];
            let points: Vec<(f64, f64)> = mean_by(&|c| (index_on(c, axis), 0))
                .into_iter()
                .filter_map(|((ix, _), v)| Some((axis.values[ix].as_f64()?, v.unwrap_or(f64::NAN))))
                .collect();
            let name = format!("{} ({metric}{mean_note})", axis_label(i, axis));
            match lines.iter_mut().find(|l| l.0 == name) {
                Some(l) => l.2.push((study.optimizer_labels[i].clone(), points)),
                None => lines.push((
                    name,
                    axis.log,
                    vec![(study.optimizer_labels[i].clone(), points)],
                )),
            }
        } else if plot.len() >= 2 {
            let (a, b) = (plot[plot.len() - 2], plot[plot.len() - 1]);
            let values: Vec<(usize, usize, Option<f64>)> =
                mean_by(&|c| (index_on(c, a), index_on(c, b)))
                    .into_iter()
                    .map(|((ia, ib), v)| (ia, ib, v))
                    .collect();
            let title = format!("{}: {metric}{mean_note}", study.optimizer_labels[i]);
            let svg = heat_map(
                &title,
                (&axis_label(i, a), a),
                (&axis_label(i, b), b),
                &values,
                metric != "test accuracy",
            );
            out.push((title, format!("figures/grid-{i}.svg"), svg));
        }
    }
    for (k, (name, log, series)) in lines.into_iter().enumerate() {
        let metric_is_acc = name.contains("(test accuracy");
        let y_name = name
            .split_once(" (")
            .map_or(name.as_str(), |(_, m)| m.trim_end_matches(')'))
            .to_owned();
        let all_positive = series
            .iter()
            .flat_map(|s| s.1.iter())
            .all(|p| !p.1.is_finite() || p.1 > 0.0);
        let y_axis = if !metric_is_acc && all_positive {
            PlotAxis::log(y_name.clone())
        } else {
            PlotAxis::linear(y_name.clone())
        };
        let x_name = name.split(" (").next().unwrap_or("").to_owned();
        let x_axis = if log {
            PlotAxis::log(x_name)
        } else {
            PlotAxis::linear(x_name)
        };
        let mut chart = LineChart::new(format!("{name} over the grid"), x_axis, y_axis);
        for (label, points) in series {
            chart = chart.with(Series::new(label, points, Style::LineMarkers));
        }
        out.push((
            format!("{name} over the grid (diverged cells left out)"),
            format!("figures/final-{k}.svg"),
            chart.to_svg(),
        ));
    }
    out
}

/// The tick label of a segment's centre (cell `i` of the axis), empty elsewhere.
fn label(values: &[String], v: &SegmentValue<i32>) -> String {
    match v {
        SegmentValue::CenterOf(i) => values.get(*i as usize).cloned().unwrap_or_default(),
        _ => String::new(),
    }
}

/// A coloured-cell grid: one rectangle per cell, colour from the metric
/// (log scale when `log`), grey where the cell diverged.
fn heat_map(
    title: &str,
    (a_name, a): (&str, &Axis),
    (b_name, b): (&str, &Axis),
    values: &[(usize, usize, Option<f64>)],
    log: bool,
) -> String {
    let t = |v: f64| if log { v.max(1e-300).log10() } else { v };
    let finite: Vec<f64> = values
        .iter()
        .filter_map(|v| v.2)
        .map(t)
        .filter(|v| v.is_finite())
        .collect();
    let lo = finite.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (nx, ny) = (a.values.len(), b.values.len());
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (720, 560)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(48)
            .y_label_area_size(64)
            .build_cartesian_2d(
                (0..nx as i32 - 1).into_segmented(),
                (0..ny as i32 - 1).into_segmented(),
            );
        if let Ok(mut chart) = chart {
            let xs: Vec<String> = a.values.iter().map(grid::show).collect();
            let ys: Vec<String> = b.values.iter().map(grid::show).collect();
            let _ = chart
                .configure_mesh()
                .disable_mesh()
                .x_desc(a_name)
                .y_desc(b_name)
                .x_labels(nx.min(12))
                .y_labels(ny.min(12))
                .x_label_formatter(&|v| label(&xs, v))
                .y_label_formatter(&|v| label(&ys, v))
                .draw();
            let rects = values.iter().map(|&(i, j, v)| {
                let colour = match v.map(t).filter(|v| v.is_finite()) {
                    Some(v) => {
                        let s = if hi > lo { (v - lo) / (hi - lo) } else { 0.5 };
                        RGBColor(
                            (68.0 + s * (253.0 - 68.0)) as u8,
                            (1.0 + s * (231.0 - 1.0)) as u8,
                            (84.0 + s * (37.0 - 84.0)) as u8,
                        )
                    }
                    None => RGBColor(200, 200, 200),
                };
                let (i, j) = (i as i32, j as i32);
                Rectangle::new(
                    [
                        (SegmentValue::Exact(i), SegmentValue::Exact(j)),
                        (SegmentValue::Exact(i + 1), SegmentValue::Exact(j + 1)),
                    ],
                    colour.filled(),
                )
            });
            let _ = chart.draw_series(rects);
        }
        let caption = if finite.is_empty() {
            "grey: diverged".to_owned()
        } else {
            format!(
                "colour: {}{} (dark) to {} (light); grey: diverged",
                if log {
                    "log10 of the metric, "
                } else {
                    "metric "
                },
                fmt_num(lo),
                fmt_num(hi)
            )
        };
        let _ = root.draw(&Text::new(caption, (12, 546), ("sans-serif", 12)));
        let _ = root.present();
    }
    svg
}
