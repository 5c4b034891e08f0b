//! The guide's example studies (docs/guide/*.toml), run in-process: the files
//! they produce and a few numbers against closed forms.

use descent_core::Termination;
use descent_study::{Study, render, run_cell};

fn load(name: &str) -> Study {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../docs/guide")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    Study::load(&text, &mut |p: &str| {
        Err(format!("the guide reads no file, asked for {p}"))
    })
    .unwrap()
}

#[test]
fn the_quadratic_example_produces_its_files_and_the_theorys_numbers() {
    let study = load("example.toml");
    // Three optimisers × 7 step sizes on the quadratic, and one L-BFGS cell
    // on its own problem (the digits network).
    assert_eq!(study.cells().len(), 22);
    let results: Vec<_> = (0..22).map(|k| run_cell(&study, k)).collect();
    let files = render(&study, &results).unwrap();
    let names: Vec<&str> = files.iter().map(|f| f.0.as_str()).collect();
    for expected in [
        "report.md",
        "figures/loss-0.svg",
        "figures/loss-1.svg",
        "figures/loss-2.svg",
        "figures/loss-3.svg",
        "figures/final-0.svg",
        "cells/cell-00000.json",
        "cells/cell-00020.json",
        "traces/cell-00021.csv",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }
    // 22 JSON + 22 CSV + report + 4 loss charts + 1 chart over η.
    assert_eq!(files.len(), 22 + 22 + 1 + 4 + 1);
    // GD is stable iff η < 2/λ_max = 0.02: cells 0–5 (η ≤ 0.017) converge
    // towards x* = 0, cell 6 (η = 0.03) diverges.
    for r in &results[..6] {
        assert!(
            !matches!(r.termination, Termination::Diverged { .. }),
            "{}",
            r.grid
        );
    }
    assert!(matches!(
        results[6].termination,
        Termination::Diverged { .. }
    ));
    // η_5 = 1e-3 · 30^(5/6) = 0.0170190: the modes shrink by |1 − ηλ| =
    // 0.98298, 0.94894, 0.82981, 0.48943, 0.70190 (λ = 1, 3, 10, 30, 100);
    // after 400 steps only λ = 1 is left, so the tail rate is 1 − η.
    let eta = 1e-3 * 30f64.powf(5.0 / 6.0);
    let rate = results[5].rate.unwrap();
    assert!((rate - (1.0 - eta)).abs() < 1e-5, "{rate} vs {}", 1.0 - eta);
    let report =
        String::from_utf8(files.iter().find(|f| f.0 == "report.md").unwrap().1.clone()).unwrap();
    assert!(report.starts_with("# Step sizes on an ill-conditioned quadratic"));
    assert!(report.contains("| 6 | gradient_descent | eta = 0.03 | diverged at iteration"));
    // The network entry ran on its own problem: 10 classes (chance 0.1).
    assert_eq!(results[21].optimizer, "L-BFGS on digits");
    let accuracy = results[21]
        .test_accuracy
        .expect("a network has a test accuracy");
    assert!(accuracy > 0.9, "{accuracy}");
    assert!(results[..21].iter().all(|r| r.test_accuracy.is_none()));
}

#[test]
fn the_network_example_learns_the_digits() {
    let study = load("network.toml");
    assert_eq!(study.cells().len(), 3);
    let r = run_cell(&study, 2);
    assert_eq!(r.optimizer, "lbfgs");
    // 10 classes (chance 0.1); 150 L-BFGS steps on a 64-16-10 network.
    assert!(r.test_accuracy.unwrap() > 0.9, "{:?}", r.test_accuracy);
    // λ_max at iterations 0, 50, 100 and the last.
    assert_eq!(r.lambda_max.len(), 4);
    assert!(r.lambda_max.iter().all(|l| l.1 > 0.0));
}
