//! Tests of descent-study: bad input (each message's parts), grids, closed
//! forms, divergence as a result, and a property test of the parser.

use descent_core::Termination;
use descent_core::analysis::Regime;
use proptest::prelude::*;

use crate::{Study, render, run_cell};

const QUADRATIC: &str =
    "[problem]\nkind = \"quadratic\"\neigenvalues = [1.0, 10.0]\ndiagonal = true\n";
const GD: &str = "[[optimizer]]\nkind = \"gradient_descent\"\neta = 0.05\n";

fn no_files(path: &str) -> Result<String, String> {
    Err(format!("no such file {path}"))
}

/// The error of loading `spec`; fails the test if it loads.
fn bad(spec: &str) -> String {
    match Study::load(spec, &mut no_files) {
        Ok(_) => panic!("spec was accepted:\n{spec}"),
        Err(e) => e.0,
    }
}

fn assert_parts(message: &str, parts: &[&str]) {
    for p in parts {
        assert!(message.contains(p), "`{p}` not in: {message}");
    }
}

fn with(problem: &str, optimizer: &str, rest: &str) -> String {
    format!("{problem}{optimizer}{rest}")
}

// ---------------------------------------------------------------- bad input

#[test]
fn malformed_toml_names_line_and_column() {
    let e = bad("name = \"x\"\n[problem]\nkind = \"quadratic\"\neigenvalues = [1.0,, 2.0]\n");
    assert_parts(&e, &["spec is not valid TOML", "line 4, column"]);
}

#[test]
fn unknown_top_level_key_lists_valid_keys() {
    let e = bad(&with(QUADRATIC, GD, "[stoping]\nmax_iterations = 3\n"));
    assert_parts(
        &e,
        &[
            "unknown field `stoping`",
            "valid fields are: name, description, problem, optimizer, stopping, measure",
        ],
    );
}

#[test]
fn unknown_problem_kind_lists_kinds() {
    let e = bad(&with("[problem]\nkind = \"quadratik\"\n", GD, ""));
    assert_parts(
        &e,
        &[
            "unknown problem kind `quadratik`",
            "quadratic, mgh, surface, one_d, network",
        ],
    );
}

#[test]
fn unknown_optimizer_kind_lists_kinds() {
    let e = bad(&with(QUADRATIC, "[[optimizer]]\nkind = \"sgd\"\n", ""));
    assert_parts(
        &e,
        &[
            "optimizer[0]: unknown kind `sgd`",
            "gradient_descent, momentum, adam, adagrad, rmsprop, rprop, quickprop, newton, lbfgs",
        ],
    );
}

#[test]
fn unknown_mgh_problem_lists_names() {
    let e = bad(&with(
        "[problem]\nkind = \"mgh\"\nname = \"rosenbrok\"\n",
        GD,
        "",
    ));
    assert_parts(
        &e,
        &[
            "unknown MGH problem `rosenbrok`",
            "rosenbrock, freudenstein_roth",
        ],
    );
}

#[test]
fn unknown_surface_lists_names() {
    let e = bad(&with(
        "[problem]\nkind = \"surface\"\nname = \"camel\"\nx0 = [0.1, 0.2]\n",
        GD,
        "",
    ));
    assert_parts(
        &e,
        &[
            "unknown surface `camel`",
            "saddle, monkey_saddle, double_well, himmelblau, six_hump_camel",
        ],
    );
}

#[test]
fn unknown_one_d_function_lists_names() {
    let e = bad(&with(
        "[problem]\nkind = \"one_d\"\nname = \"cosh\"\nx0 = [1.0]\n",
        GD,
        "",
    ));
    assert_parts(
        &e,
        &[
            "unknown 1-D function `cosh`",
            "exp_linear, log_cosh, quartic_double_well, sharp_wide_well",
        ],
    );
}

#[test]
fn unknown_data_set_lists_names() {
    let e = bad(&with(
        "[problem]\nkind = \"network\"\ndata = \"mnist\"\n",
        GD,
        "",
    ));
    assert_parts(&e, &["unknown data set `mnist`", "digits, breast_cancer"]);
}

#[test]
fn unknown_schedule_lists_families() {
    let e = bad(&with(
        QUADRATIC,
        "[[optimizer]]\nkind = \"gradient_descent\"\nschedule = { kind = \"cosin\", eta_max = 0.1, eta_min = 0.0, period = 10 }\n",
        "",
    ));
    assert_parts(
        &e,
        &[
            "optimizer[0] gradient_descent",
            "unknown variant `cosin`",
            "`cosine`",
        ],
    );
}

#[test]
fn zero_learning_rate_names_field_value_and_range() {
    let e = bad(&with(
        QUADRATIC,
        "[[optimizer]]\nkind = \"gradient_descent\"\neta = 0\n",
        "",
    ));
    assert_parts(
        &e,
        &[
            "optimizer[0] gradient_descent",
            "η must be finite and > 0, got 0",
        ],
    );
}

#[test]
fn a_bad_grid_value_names_its_cell() {
    let e = bad(&with(
        QUADRATIC,
        "[[optimizer]]\nkind = \"gradient_descent\"\neta = [0.1, -0.2]\n",
        "",
    ));
    assert_parts(
        &e,
        &[
            "η must be finite and > 0, got -0.2",
            "(in cell 1: eta = -0.2)",
        ],
    );
}

#[test]
fn momentum_out_of_range_names_range() {
    let e = bad(&with(
        QUADRATIC,
        "[[optimizer]]\nkind = \"momentum\"\neta = 0.01\nmomentum = 1.5\n",
        "",
    ));
    assert_parts(
        &e,
        &["optimizer[0] momentum", "μ must be in [0, 1), got 1.5"],
    );
}

#[test]
fn adam_beta1_out_of_range_names_range() {
    let e = bad(&with(
        QUADRATIC,
        "[[optimizer]]\nkind = \"adam\"\nbeta1 = 1.0\n",
        "",
    ));
    assert_parts(&e, &["optimizer[0] adam", "β₁ must be in [0, 1), got 1"]);
}

#[test]
fn unknown_optimizer_field_lists_the_settings_fields() {
    let e = bad(&with(
        QUADRATIC,
        "[[optimizer]]\nkind = \"momentum\"\nmomentun = 0.9\n",
        "",
    ));
    assert_parts(
        &e,
        &[
            "unknown field `momentun`",
            "learning_rate",
            "momentum",
            "dampening",
            "form",
            "eta, schedule",
        ],
    );
}

#[test]
fn unknown_problem_field_is_named() {
    let e = bad(&with(
        "[problem]\nkind = \"quadratic\"\neigenvalue = [1.0]\n",
        GD,
        "",
    ));
    assert_parts(
        &e,
        &["[problem]", "unknown field `eigenvalue`", "eigenvalues"],
    );
}

#[test]
fn unknown_stopping_field_lists_rules() {
    let e = bad(&with(QUADRATIC, GD, "[stopping]\nmax_iteration = 10\n"));
    assert_parts(
        &e,
        &[
            "[stopping]: unknown field `max_iteration`",
            "max_iterations",
        ],
    );
}

#[test]
fn negative_tolerance_names_rule_and_range() {
    let e = bad(&with(
        QUADRATIC,
        GD,
        "[stopping]\ngradient_tolerance = -1.0\n",
    ));
    assert_parts(
        &e,
        &["stopping rules: gradient tolerance must be finite and > 0, got -1"],
    );
}

#[test]
fn log_range_needs_positive_ends() {
    let e = bad(&with(
        QUADRATIC,
        "[[optimizer]]\nkind = \"gradient_descent\"\neta = { log = [0.0, 1.0, 5] }\n",
        "",
    ));
    assert_parts(
        &e,
        &[
            "optimizer[0].eta",
            "log",
            "has an end ≤ 0 (a log range needs a, b > 0)",
        ],
    );
}

#[test]
fn range_needs_two_points() {
    let e = bad(&with(
        QUADRATIC,
        "[[optimizer]]\nkind = \"gradient_descent\"\neta = { lin = [0.1, 1.0, 1] }\n",
        "",
    ));
    assert_parts(
        &e,
        &["optimizer[0].eta", "has 1 points, allowed are 2 to 1000000"],
    );
}

#[test]
fn empty_list_is_refused() {
    let e = bad(&with(
        QUADRATIC,
        "[[optimizer]]\nkind = \"gradient_descent\"\neta = []\n",
        "",
    ));
    assert_parts(&e, &["optimizer[0].eta: the list of values is empty"]);
}

#[test]
fn a_billion_cells_are_refused_before_expansion() {
    let e = bad(&with(
        QUADRATIC,
        "[[optimizer]]\nkind = \"momentum\"\neta = { log = [1e-3, 1.0, 1000] }\nmomentum = { lin = [0.0, 0.9, 1000] }\ndampening = { lin = [0.0, 0.5, 1000] }\n",
        "",
    ));
    assert_parts(
        &e,
        &["the grid has 1000000000 cells; at most 100000 are allowed"],
    );
}

#[test]
fn too_many_iterations_in_all_are_refused() {
    let e = bad(&with(
        QUADRATIC,
        "[[optimizer]]\nkind = \"gradient_descent\"\neta = { lin = [0.01, 0.1, 10] }\n",
        "[stopping]\nmax_iterations = 100000000\n",
    ));
    assert_parts(
        &e,
        &[
            "up to 1000000000 iterations in all (10 cells",
            "at most 100000000 are allowed",
        ],
    );
}

#[test]
fn a_dense_hessian_of_a_million_parameters_is_refused_with_its_size() {
    // 64·15000 + 15000 + 15000·10 + 10 = 1 125 010 parameters; n²·8 bytes.
    let e = bad(&with(
        "[problem]\nkind = \"network\"\ndata = \"digits\"\nhidden = [15000]\n",
        "[[optimizer]]\nkind = \"newton\"\n",
        "",
    ));
    assert_parts(
        &e,
        &[
            "newton: a dense Hessian of 1125010 parameters needs 10125180000800 bytes",
            "at most 2147483648 bytes",
        ],
    );
}

#[test]
fn a_trillion_unit_layer_is_refused_with_its_size() {
    // (64 + 1)·10¹² + (10¹² + 1)·10 = 7.5e13 parameters.
    let e = bad(&with(
        "[problem]\nkind = \"network\"\ndata = \"digits\"\nhidden = [1000000000000]\n",
        GD,
        "",
    ));
    assert_parts(
        &e,
        &[
            "layers [64, 1000000000000, 10] have 7.5e13 parameters",
            "at most 100000000 are allowed",
        ],
    );
}

#[test]
fn a_huge_dense_quadratic_is_refused_with_its_size() {
    let e = bad(&with(
        "[problem]\nkind = \"quadratic\"\nn = 1000000\ncondition_number = 100.0\n",
        GD,
        "",
    ));
    assert_parts(
        &e,
        &["a dense 1000000×1000000 matrix needs 8000000000000 bytes"],
    );
}

#[test]
fn a_bad_csv_value_names_file_line_column_and_value() {
    let spec = with(
        "[problem]\nkind = \"network\"\ndata = { csv = \"mine.csv\" }\n",
        GD,
        "",
    );
    let mut read = |_: &str| Ok("1.0,2.0,0\n3.0,abc,1\n".to_owned());
    let e = Study::load(&spec, &mut read).unwrap_err().0;
    assert_parts(&e, &["mine.csv line 2", "column 2", "\"abc\""]);
}

#[test]
fn a_missing_csv_file_is_named() {
    let e = bad(&with(
        "[problem]\nkind = \"network\"\ndata = { csv = \"gone.csv\" }\n",
        GD,
        "",
    ));
    assert_parts(&e, &["data csv gone.csv", "no such file gone.csv"]);
}

#[test]
fn a_single_optimizer_table_asks_for_the_array_form() {
    let e = bad(&with(QUADRATIC, "[optimizer]\nkind = \"adam\"\n", ""));
    assert_parts(&e, &["write [[optimizer]], not [optimizer]"]);
}

#[test]
fn eta_and_schedule_together_are_refused() {
    let e = bad(&with(
        QUADRATIC,
        "[[optimizer]]\nkind = \"gradient_descent\"\neta = 0.1\nschedule = { kind = \"constant\", eta = 0.1 }\n",
        "",
    ));
    assert_parts(
        &e,
        &["give one of eta, schedule and learning_rate, got eta and schedule"],
    );
}

#[test]
fn gradient_descent_needs_a_learning_rate() {
    let e = bad(&with(
        QUADRATIC,
        "[[optimizer]]\nkind = \"gradient_descent\"\n",
        "",
    ));
    assert_parts(
        &e,
        &["needs a learning rate: eta, schedule or learning_rate"],
    );
}

#[test]
fn unknown_activation_and_divergence_list_names() {
    let e = bad(&with(
        "[problem]\nkind = \"network\"\ndata = \"digits\"\nactivation = \"gelu\"\n",
        GD,
        "",
    ));
    assert_parts(
        &e,
        &[
            "unknown activation `gelu`",
            "identity, sigmoid, tanh, relu, softplus",
        ],
    );
    let e = bad(&with(
        "[problem]\nkind = \"network\"\ndata = \"digits\"\ndivergence = \"hinge\"\n",
        GD,
        "",
    ));
    assert_parts(
        &e,
        &["unknown divergence `hinge`", "l2, softmax_cross_entropy"],
    );
}

#[test]
fn lambda_max_every_zero_is_refused() {
    let e = bad(&with(QUADRATIC, GD, "[measure]\nlambda_max_every = 0\n"));
    assert_parts(&e, &["lambda_max_every must be ≥ 1", "got 0"]);
}

#[test]
fn a_fixed_size_mgh_problem_refuses_another_n() {
    let e = bad(&with(
        "[problem]\nkind = \"mgh\"\nname = \"rosenbrock\"\nn = 3\n",
        GD,
        "",
    ));
    assert_parts(&e, &["mgh rosenbrock: n is fixed at 2, got n = 3"]);
}

#[test]
fn starting_points_of_the_wrong_length_are_refused() {
    let e = bad(&with(
        "[problem]\nkind = \"surface\"\nname = \"himmelblau\"\nx0 = [1.0]\n",
        GD,
        "",
    ));
    assert_parts(&e, &["x0 must have 2 coordinates, got 1"]);
    let e = bad(&with(
        "[problem]\nkind = \"quadratic\"\neigenvalues = [1.0, 2.0]\nx0 = [1.0, 2.0, 3.0]\n",
        GD,
        "",
    ));
    assert_parts(
        &e,
        &["x0 has 3 coordinates but the quadratic has dimension 2"],
    );
}

#[test]
fn unknown_newton_strategy_lists_strategies() {
    let e = bad(&with(
        QUADRATIC,
        "[[optimizer]]\nkind = \"newton\"\nindefinite = \"shift\"\n",
        "",
    ));
    assert_parts(
        &e,
        &[
            "unknown indefinite `shift`",
            "fail, solve_indefinite, modified_cholesky",
        ],
    );
}

#[test]
fn a_string_where_a_number_belongs_is_an_error() {
    let e = bad(&with(
        QUADRATIC,
        "[[optimizer]]\nkind = \"gradient_descent\"\neta = \"fast\"\n",
        "",
    ));
    assert_parts(
        &e,
        &[
            "optimizer[0] gradient_descent",
            "invalid type: string \"fast\"",
        ],
    );
}

// ---------------------------------------------------------------- grids

#[test]
fn cells_are_the_cross_product_in_spec_order_last_axis_fastest() {
    let spec = with(
        "[problem]\nkind = \"quadratic\"\nn = 3\ncondition_number = 10.0\nseed = [1, 2]\n",
        "[[optimizer]]\nkind = \"gradient_descent\"\neta = { lin = [0.1, 0.3, 3] }\n[[optimizer]]\nkind = \"adam\"\n",
        "",
    );
    let study = Study::parse(&spec).unwrap();
    let text: Vec<String> = study
        .cells()
        .iter()
        .map(|c| format!("{} {}", c.optimizer_label, c.grid_text()))
        .collect();
    assert_eq!(
        text,
        [
            "gradient_descent problem.seed = 1, eta = 0.1",
            "gradient_descent problem.seed = 1, eta = 0.2",
            "gradient_descent problem.seed = 1, eta = 0.3",
            "gradient_descent problem.seed = 2, eta = 0.1",
            "gradient_descent problem.seed = 2, eta = 0.2",
            "gradient_descent problem.seed = 2, eta = 0.3",
            "adam problem.seed = 1",
            "adam problem.seed = 2",
        ]
    );
}

#[test]
fn log_ranges_hit_both_ends_exactly() {
    let spec = with(
        QUADRATIC,
        "[[optimizer]]\nkind = \"gradient_descent\"\neta = { log = [1e-3, 1.0, 13] }\n",
        "",
    );
    let study = Study::parse(&spec).unwrap();
    let v: Vec<f64> = study.axes[0][0]
        .values
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(v.len(), 13);
    assert_eq!(v[0], 1e-3);
    assert_eq!(v[12], 1.0);
    // 10^(−3 + i/4): i = 4 is 10⁻².
    assert!((v[4] - 1e-2).abs() < 1e-15, "{}", v[4]);
}

// ---------------------------------------------------------------- closed forms

fn run_gd(eta: f64, max_iterations: usize) -> crate::CellResult {
    let spec = format!(
        "{QUADRATIC}[[optimizer]]\nkind = \"gradient_descent\"\neta = {eta}\n[stopping]\nmax_iterations = {max_iterations}\ngradient_tolerance = 1e-300\n"
    );
    let study = Study::parse(&spec).unwrap();
    run_cell(&study, 0)
}

#[test]
fn gd_on_a_diagonal_quadratic_has_rate_max_abs_one_minus_eta_lambda() {
    // λ ∈ {1, 10}, x0 = (1, 1): e_k = ((1 − η)^k, (1 − 10η)^k), so the tail
    // rate of ‖x_k‖ is max|1 − ηλ| once the faster mode has died out.
    for (eta, rate) in [(0.05, 0.95), (0.15, 0.85), (0.19, 0.9)] {
        let r = run_gd(eta, 400);
        assert_eq!(r.termination, Termination::MaxIterations);
        let measured = r.rate.unwrap();
        assert!(
            (measured - rate).abs() < 1e-9,
            "η = {eta}: {measured} vs {rate}"
        );
        // f − f* = ½ Σ λ_i e_i², by hand.
        let k = 400;
        let gap = 0.5 * (1.0 - eta).powi(2 * k) + 5.0 * (1.0 - 10.0 * eta).powi(2 * k);
        assert!(
            (r.gap.unwrap() - gap).abs() <= 1e-12 * gap,
            "{} vs {gap}",
            r.gap.unwrap()
        );
    }
    // η = 0.19: 1 − 10η = −0.9 flips sign, but the slow mode (0.81 vs 0.9)… the
    // dominant mode is −0.9, so the regime is oscillating convergence.
    assert_eq!(
        run_gd(0.19, 200).regime,
        Some(Regime::ConvergingWithOscillation)
    );
    assert_eq!(
        run_gd(0.05, 200).regime,
        Some(Regime::ConvergingMonotonically)
    );
}

#[test]
fn a_divergent_run_is_a_result_with_its_iteration() {
    // η = 0.25: the λ = 10 mode grows by |1 − 2.5| = 1.5 per step, so
    // f_k ≈ 5·2.25^k passes the divergence bound 1e100 first at
    // k = ⌈log(2e99)/log(2.25)⌉ = 282.
    let r = run_gd(0.25, 1000);
    assert_eq!(r.termination, Termination::Diverged { iteration: 282 });
    assert_eq!(r.iterations, 281);
    assert!(r.error.is_none());
    assert!(r.f.is_finite() && r.f > 1e99);
}

#[test]
fn lbfgs_finds_the_rosenbrock_minimum_and_measures_the_gaps() {
    let spec = "[problem]\nkind = \"mgh\"\nname = \"rosenbrock\"\n[[optimizer]]\nkind = \"lbfgs\"\n[stopping]\nmax_iterations = 200\ngradient_tolerance = 1e-10\n";
    let study = Study::parse(spec).unwrap();
    let r = run_cell(&study, 0);
    assert!(r.termination.converged(), "{:?}", r.termination);
    assert_eq!(r.f_star, Some(0.0));
    assert!(r.gap.unwrap() < 1e-18, "{:?}", r.gap);
    // x* = (1, 1).
    assert!(r.distance.unwrap() < 1e-8, "{:?}", r.distance);
}

#[test]
fn results_survive_json_and_render_the_same() {
    let spec = with(
        QUADRATIC,
        "[[optimizer]]\nkind = \"gradient_descent\"\neta = [0.05, 0.25]\n",
        "[stopping]\nmax_iterations = 300\n",
    );
    let study = Study::parse(&spec).unwrap();
    let results: Vec<_> = (0..2).map(|k| run_cell(&study, k)).collect();
    let back: Vec<crate::CellResult> = results
        .iter()
        .map(|r| serde_json::from_str(&serde_json::to_string(r).unwrap()).unwrap())
        .collect();
    assert_eq!(back, results);
    let files = render(&study, &results).unwrap();
    assert_eq!(files, render(&study, &back).unwrap());
    let names: Vec<&str> = files.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(
        names,
        [
            "cells/cell-00000.json",
            "cells/cell-00001.json",
            "figures/final-0.svg",
            "figures/loss-0.svg",
            "report.md",
            "traces/cell-00000.csv",
            "traces/cell-00001.csv",
        ]
    );
    let report = String::from_utf8(files[4].1.clone()).unwrap();
    assert!(
        report.contains("| 1 | gradient_descent | eta = 0.25 | diverged at iteration 282 |"),
        "{report}"
    );
    // A result missing is named.
    let e = render(&study, &results[..1]).unwrap_err();
    assert_eq!(
        e.0,
        "the study has 2 cells but 1 results were given; missing cells: 1"
    );
}

#[test]
fn a_network_on_the_digits_learns() {
    let spec = "[problem]\nkind = \"network\"\ndata = \"digits\"\nhidden = [8]\nseed = 3\n[[optimizer]]\nkind = \"lbfgs\"\n[stopping]\nmax_iterations = 60\n";
    let study = Study::parse(spec).unwrap();
    let r = run_cell(&study, 0);
    // 10 classes: chance is 0.1; 60 L-BFGS steps on a 64-8-10 network reach far beyond it.
    let acc = r.test_accuracy.unwrap();
    assert!(acc > 0.8, "{acc}");
    assert!(r.f < r.trace[0].f);
}

// ---------------------------------------------------------------- properties

fn spec_strategy() -> impl Strategy<Value = String> {
    let kinds = prop::sample::select(vec![
        "gradient_descent",
        "momentum",
        "adam",
        "rmsprop",
        "newton",
        "lbfgs",
        "bogus",
    ]);
    let value = prop_oneof![
        (-2.0f64..2.0).prop_map(|v| format!("{v}")),
        Just("0".to_owned()),
        Just("\"x\"".to_owned()),
        Just("[]".to_owned()),
        (-1.0f64..1.0, -1.0f64..2.0, 0u32..6)
            .prop_map(|(a, b, n)| format!("{{ log = [{a}, {b}, {n}] }}")),
        (-1.0f64..1.0, -1.0f64..2.0, 0u32..6)
            .prop_map(|(a, b, n)| format!("{{ lin = [{a}, {b}, {n}] }}")),
        prop::collection::vec(-1.0f64..1.0, 0..4).prop_map(|v| format!("{v:?}")),
    ];
    let key = prop::sample::select(vec![
        "eta", "momentum", "beta1", "memory", "epsilon", "nonsense",
    ]);
    let problem = prop::sample::select(vec![
        "kind = \"quadratic\"\neigenvalues = [1.0, 4.0]",
        "kind = \"quadratic\"\nn = 3\ncondition_number = 10.0\nseed = [1, 2]",
        "kind = \"mgh\"\nname = \"beale\"",
        "kind = \"surface\"\nname = \"himmelblau\"\nx0 = [0.5, 0.5]",
        "kind = \"one_d\"\nname = \"log_cosh\"\nx0 = [2.0]",
        "kind = \"nope\"",
    ]);
    (problem, kinds, key, value, 0usize..50).prop_map(|(p, k, key, v, iters)| {
        format!(
            "[problem]\n{p}\n[[optimizer]]\nkind = \"{k}\"\n{key} = {v}\n[stopping]\nmax_iterations = {iters}\n"
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic_the_parser(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let text = String::from_utf8_lossy(&bytes);
        if let Err(e) = Study::parse(&text) {
            prop_assert!(!e.0.is_empty());
        }
    }

    #[test]
    fn valid_looking_specs_parse_or_explain_and_run(spec in spec_strategy()) {
        match Study::parse(&spec) {
            Ok(study) => {
                prop_assert!(!study.cells().is_empty());
                // Every accepted cell runs to a result without panicking.
                let r = run_cell(&study, 0);
                prop_assert_eq!(r.cell, 0);
            }
            Err(e) => prop_assert!(!e.0.is_empty()),
        }
    }
}

#[test]
fn a_two_dimensional_grid_gets_a_heat_map_averaged_over_seeds() {
    let spec = "[problem]\nkind = \"quadratic\"\nn = 2\ncondition_number = 10.0\nseed = [1, 2]\n[[optimizer]]\nkind = \"momentum\"\neta = [0.01, 0.1]\nmomentum = [0.0, 0.5, 0.9]\n[stopping]\nmax_iterations = 50\n";
    let study = Study::parse(spec).unwrap();
    assert_eq!(study.cells().len(), 2 * 2 * 3);
    let results: Vec<_> = (0..12).map(|k| run_cell(&study, k)).collect();
    let files = render(&study, &results).unwrap();
    let (_, svg) = files
        .iter()
        .find(|f| f.0 == "figures/grid-0.svg")
        .expect("a heat map");
    let svg = String::from_utf8(svg.clone()).unwrap();
    // The background and one rectangle per (η, μ) pair: 1 + 2·3.
    assert_eq!(svg.matches("<rect").count(), 1 + 6);
    let report =
        String::from_utf8(files.iter().find(|f| f.0 == "report.md").unwrap().1.clone()).unwrap();
    assert!(
        report.contains("![momentum: final f − f*, mean over problem.seed](figures/grid-0.svg)"),
        "{report}"
    );
}

#[test]
fn an_entry_may_bring_its_own_problem_and_a_spec_without_any_is_refused() {
    // No [problem] and an entry without one of its own.
    let e = bad("[[optimizer]]\nkind = \"gradient_descent\"\neta = 0.1\n");
    assert_parts(
        &e,
        &[
            "missing [problem] table",
            "optimizer[0] has no problem of its own",
        ],
    );
    // Entry 1 runs on its own 1-D quadratic E = ½·4(w − 0)² from the default
    // start, entry 0 on the shared diag(1, 10): their cells carry different
    // problems, and an own problem's grid axis is labelled by its path.
    let spec = "[problem]\nkind = \"quadratic\"\neigenvalues = [1.0, 10.0]\ndiagonal = true\n\
                [[optimizer]]\nkind = \"gradient_descent\"\neta = 0.05\n\
                [[optimizer]]\nkind = \"gradient_descent\"\neta = 0.1\n\
                [optimizer.problem]\nkind = \"quadratic\"\neigenvalues = [[4.0], [2.0]]\ndiagonal = true\n";
    let study = Study::load(spec, &mut no_files).expect("valid");
    assert_eq!(study.cells().len(), 3);
    assert_eq!(
        study.cells()[2].grid_text(),
        "optimizer[1].problem.eigenvalues = [2]"
    );
    // GD with η = 0.1 on E = ½·2w²: the error shrinks by exactly 1 − 0.2 = 0.8 per step.
    let r = run_cell(&study, 2);
    assert!(
        (r.rate.expect("a rate") - 0.8).abs() < 1e-12,
        "{:?}",
        r.rate
    );
    // The shared problem's largest curvature is 10: |1 − 0.05·10| = 0.5 and
    // |1 − 0.05| = 0.95, so the tail rate is 0.95.
    let r = run_cell(&study, 0);
    assert!(
        (r.rate.expect("a rate") - 0.95).abs() < 1e-9,
        "{:?}",
        r.rate
    );
}
