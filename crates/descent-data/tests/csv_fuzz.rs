//! The CSV loader on random bytes (issue 15): it never panics, every
//! rejection names the file and quotes at most a short prefix of a field, and
//! every data set it accepts is consistent (finite features, labels below the
//! class count). Seeded; `DESCENT_FUZZ_CASES` cases per property (default
//! 500, well under a second); set `DESCENT_FUZZ_SECONDS` to run the byte
//! property for that long instead (the long fuzzing run).

use descent_data::{CsvOptions, LabelColumn, QUOTE_LIMIT, parse_csv_bytes};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngSeed, TestRunner};

fn config(default: u32) -> Config {
    let cases = std::env::var("DESCENT_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    Config {
        cases,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(15),
        ..Config::default()
    }
}

/// Bytes that look like CSV often enough to get past the first checks:
/// digits, separators, signs, exponents, labels, and any byte at all.
fn csv_bytes() -> impl Strategy<Value = Vec<u8>> {
    let token = prop_oneof![
        4 => proptest::sample::select(b"0123456789,,,\n\n.-+eE \r".to_vec()),
        1 => any::<u8>(),
    ];
    proptest::collection::vec(token, 0..300)
}

fn options() -> impl Strategy<Value = CsvOptions> {
    (
        any::<bool>(),
        prop_oneof![
            Just(LabelColumn::None),
            Just(LabelColumn::First),
            Just(LabelColumn::Last)
        ],
        prop_oneof![
            Just(None),
            (0usize..5).prop_map(Some),
            Just(Some(usize::MAX))
        ],
        0usize..3,
    )
        .prop_map(|(header, label, n_classes, n_targets)| CsvOptions {
            header,
            label,
            n_classes,
            n_targets,
        })
}

/// Parse and check what came back; returns whether it was accepted.
fn check(bytes: &[u8], options: &CsvOptions) -> bool {
    match parse_csv_bytes(bytes, "fuzz.csv", options) {
        Ok(d) => {
            let x = d.inputs();
            assert!(
                x.nrows() >= 1 && x.ncols() >= 1 && x.ncols() == d.n_samples(),
                "{bytes:?}"
            );
            for j in 0..x.ncols() {
                for i in 0..x.nrows() {
                    assert!(x[(i, j)].is_finite(), "{bytes:?}");
                }
            }
            if let (Some(labels), Some(k)) = (d.labels(), d.n_classes()) {
                assert!(labels.iter().all(|&c| c < k), "{bytes:?}");
            }
            true
        }
        Err(e) => {
            let message = e.to_string();
            assert!(
                message.contains("fuzz.csv"),
                "a message that does not name the file: {message} ({bytes:?})"
            );
            // A quote is at most QUOTE_LIMIT characters, plus the file name,
            // line, column and explanation.
            assert!(
                message.chars().count() < QUOTE_LIMIT + 250,
                "{message} ({bytes:?})"
            );
            false
        }
    }
}

/// Print the counts of a long run for the record.
#[allow(clippy::print_stderr)]
fn report(cases: u64, accepted: u64, seconds: f64) {
    if std::env::var_os("DESCENT_FUZZ_CASES").is_some()
        || std::env::var_os("DESCENT_FUZZ_SECONDS").is_some()
    {
        eprintln!(
            "CSV fuzz: {cases} cases in {seconds:.0} s, {accepted} accepted, {} rejected, 0 panics",
            cases - accepted
        );
    }
}

#[test]
fn random_bytes_never_panic_and_every_result_is_consistent() {
    let seconds: Option<u64> = std::env::var("DESCENT_FUZZ_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok());
    let mut runner = TestRunner::new(config(500));
    let max_cases = u64::from(runner.config().cases);
    let strategy = (csv_bytes(), options());
    let start = std::time::Instant::now();
    let (mut cases, mut accepted) = (0u64, 0u64);
    loop {
        let done = match seconds {
            Some(s) => start.elapsed().as_secs() >= s,
            None => cases >= max_cases,
        };
        if done {
            break;
        }
        let (bytes, options) = strategy.new_tree(&mut runner).unwrap().current();
        accepted += u64::from(check(&bytes, &options));
        cases += 1;
    }
    report(cases, accepted, start.elapsed().as_secs_f64());
    // The generator reaches both outcomes.
    assert!(
        accepted > 0 && accepted < cases,
        "{accepted} of {cases} accepted"
    );
}
