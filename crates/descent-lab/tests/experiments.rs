//! Every experiment of the registry: its verdicts hold, its structured results
//! match the committed snapshot, and its output is deterministic.
//!
//! The experiments run once per test binary (shared through a `OnceLock`,
//! two threads), so the verdict test and the snapshot test see the same
//! reports.

use std::sync::OnceLock;

use descent_lab::{Report, registry, render_markdown};

fn reports() -> &'static [Report] {
    static REPORTS: OnceLock<Vec<Report>> = OnceLock::new();
    REPORTS.get_or_init(|| {
        let experiments = registry();
        let mut out: Vec<Option<Report>> = vec![None; experiments.len()];
        std::thread::scope(|scope| {
            let (first, second) = out.split_at_mut(experiments.len() / 2);
            let (a, b) = experiments.split_at(experiments.len() / 2);
            scope.spawn(move || {
                for (slot, e) in first.iter_mut().zip(a) {
                    *slot = Some((e.run)());
                }
            });
            for (slot, e) in second.iter_mut().zip(b) {
                *slot = Some((e.run)());
            }
        });
        out.into_iter()
            .map(|r| r.expect("every experiment ran"))
            .collect()
    })
}

#[test]
fn every_verdict_holds() {
    let mut failures = Vec::new();
    for report in reports() {
        assert!(!report.checks.is_empty(), "{} has no checks", report.id);
        for check in report.failures() {
            failures.push(format!(
                "{}: {} — measured {}, expected {}",
                report.id, check.description, check.measured, check.expected
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "failing checks:\n{}",
        failures.join("\n")
    );
}

#[test]
fn structured_results_match_snapshots() {
    for report in reports() {
        insta::assert_yaml_snapshot!(report.id.as_str(), report.summary());
    }
}

#[test]
fn registry_ids_and_files_are_unique_and_consistent() {
    let mut names = std::collections::BTreeSet::new();
    for (experiment, report) in registry().iter().zip(reports()) {
        assert_eq!(experiment.id, report.id);
        assert_eq!(experiment.slug, report.slug);
        assert_eq!(experiment.title, report.title);
        assert!(
            names.insert(report.file_name()),
            "duplicate file {}",
            report.file_name()
        );
        for figure in &report.figures {
            assert!(
                names.insert(report.figure_file_name(figure)),
                "duplicate figure {}",
                figure.stem
            );
            assert!(
                figure.svg.starts_with("<svg"),
                "{} is not an SVG document",
                figure.stem
            );
            assert!(
                figure.svg.contains("<text"),
                "{}: labels are SVG <text> elements",
                figure.stem
            );
        }
        for table in &report.tables {
            for row in &table.rows {
                assert_eq!(
                    row.len(),
                    table.header.len(),
                    "{}: ragged table {}",
                    report.id,
                    table.title
                );
            }
        }
    }
}

/// Markdown and SVG bytes of one report.
fn rendered(report: &Report) -> (String, Vec<String>) {
    (
        render_markdown(report),
        report.figures.iter().map(|f| f.svg.clone()).collect(),
    )
}

#[test]
fn output_is_byte_identical_across_runs_and_thread_counts() {
    // E9 has a contour figure and line charts' code paths; run it alone, twice,
    // and on two threads at once.
    let experiment = descent_lab::find("E9").expect("E9 is registered");
    let once = rendered(&(experiment.run)());
    let again = rendered(&(experiment.run)());
    assert_eq!(once, again, "two sequential runs differ");
    let (left, right) = std::thread::scope(|scope| {
        let handle = scope.spawn(|| rendered(&(experiment.run)()));
        let right = rendered(&(experiment.run)());
        (handle.join().expect("no panic"), right)
    });
    assert_eq!(once, left, "a run on a second thread differs");
    assert_eq!(once, right, "a run beside another thread differs");
    // The shared run (two worker threads, all experiments) agrees as well.
    let shared = reports().iter().find(|r| r.id == "E9").expect("E9 ran");
    assert_eq!(
        once,
        rendered(shared),
        "the multi-threaded registry run differs"
    );
}
