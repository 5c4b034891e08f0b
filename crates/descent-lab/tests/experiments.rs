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

/// The report of experiment `id` from the shared run.
fn report(id: &str) -> &'static Report {
    reports()
        .iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("{id} is not in the registry"))
}

/// One snapshot test per experiment, so a mismatch in one does not hide the
/// others. The snapshot keeps the experiment's id as its name (`E7`, …).
macro_rules! snapshot_tests {
    ($($test:ident => $id:literal),+ $(,)?) => {
        $(
            #[test]
            fn $test() {
                insta::assert_yaml_snapshot!($id, report($id).summary());
            }
        )+

        #[test]
        fn every_experiment_has_a_snapshot_test() {
            let covered: std::collections::BTreeSet<&str> = [$($id),+].into_iter().collect();
            let registered: std::collections::BTreeSet<&str> =
                registry().iter().map(|e| e.id).collect();
            assert_eq!(covered, registered, "snapshot tests and registry differ");
        }
    };
}

snapshot_tests! {
    snapshot_e07 => "E7",
    snapshot_e08 => "E8",
    snapshot_e09 => "E9",
    snapshot_e10 => "E10",
    snapshot_e11 => "E11",
    snapshot_e12 => "E12",
    snapshot_e13 => "E13",
    snapshot_e15 => "E15",
    snapshot_e16 => "E16",
    snapshot_e17 => "E17",
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

/// Run experiment `id` twice in sequence, on a second thread beside the
/// main one, and compare all of it with the shared two-worker registry run.
fn assert_deterministic(id: &str) {
    let experiment = descent_lab::find(id).unwrap_or_else(|| panic!("{id} is registered"));
    let once = rendered(&(experiment.run)());
    let again = rendered(&(experiment.run)());
    assert_eq!(once, again, "{id}: two sequential runs differ");
    let (left, right) = std::thread::scope(|scope| {
        let handle = scope.spawn(|| rendered(&(experiment.run)()));
        let right = rendered(&(experiment.run)());
        (handle.join().expect("no panic"), right)
    });
    assert_eq!(once, left, "{id}: a run on a second thread differs");
    assert_eq!(once, right, "{id}: a run beside another thread differs");
    assert_eq!(
        once,
        rendered(report(id)),
        "{id}: the multi-threaded registry run differs"
    );
}

#[test]
fn output_is_byte_identical_across_runs_and_thread_counts() {
    // E9: a contour figure and line charts' code paths, pure Rust arithmetic.
    assert_deterministic("E9");
    // E11: faer-backed (Cholesky, eigen-decomposition, products through
    // descent-linalg), so faer's kernels are covered too.
    assert_deterministic("E11");
}
