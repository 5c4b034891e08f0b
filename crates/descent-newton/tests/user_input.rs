//! What a user supplies through config files and specs (issue 15, items 5, 7
//! and 9): settings accept partial input with their defaults and reject
//! unknown fields, every serde name is snake_case and the names messages print
//! are ones the parser accepts; random JSON never panics the network or
//! settings parsers; and `docs/bad-input.md`, the table of bad inputs and the
//! errors users see, is generated here so it cannot drift (run with
//! `DESCENT_BLESS=1` to rewrite it after an intended change).

use descent_backprop::NetworkObjective;
use descent_core::{StoppingRules, minimize};
use descent_data::{CsvOptions, parse_csv, parse_csv_bytes};
use descent_gd::{GradientDescent, MomentumSettings};
use descent_graph::{Activation, Divergence, Init, Network, Workspace};
use descent_linalg::Mat;
use descent_newton::{QuasiNewton, TrustRegion};
use descent_problems::Quadratic;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngSeed, TestRunner};

#[test]
fn stopping_rules_accept_partial_input_and_reject_typos() {
    // Absent fields take the documented defaults.
    let rules: StoppingRules = serde_json::from_str(r#"{"max_iterations": 50}"#).unwrap();
    assert_eq!(rules, StoppingRules::default().max_iterations(50));
    let rules: StoppingRules = serde_json::from_str("{}").unwrap();
    assert_eq!(rules, StoppingRules::default());
    // A typo used to be ignored silently (issue 15, item 7).
    let e = serde_json::from_str::<StoppingRules>(r#"{"max_iteration": 50}"#)
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("unknown field `max_iteration`, expected one of `divergence_bound`"),
        "{e}"
    );
    let e = serde_json::from_str::<MomentumSettings>(r#"{"momentun": 0.5}"#)
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("unknown field `momentun`"), "{e}");
}

#[test]
fn serde_names_are_snake_case_and_the_names_messages_print_parse() {
    for d in [
        Divergence::L2,
        Divergence::SoftmaxCrossEntropy,
        Divergence::SoftmaxKl,
        Divergence::SigmoidBinaryCrossEntropy,
    ] {
        let json = serde_json::to_string(&d).unwrap();
        assert_eq!(json, format!("\"{}\"", d.name()));
        assert_eq!(serde_json::from_str::<Divergence>(&json).unwrap(), d);
    }
    for a in [
        Activation::Identity,
        Activation::Sigmoid,
        Activation::Tanh,
        Activation::Relu,
        Activation::Softplus,
        Activation::Softmax,
        Activation::Threshold,
    ] {
        let json = format!("\"{}\"", a.name());
        assert_eq!(serde_json::from_str::<Activation>(&json).unwrap(), a);
    }
    assert_eq!(
        serde_json::to_string(&Activation::LeakyRelu { alpha: 0.5 }).unwrap(),
        r#"{"leaky_relu":{"alpha":0.5}}"#
    );
    assert_eq!(
        serde_json::to_string(&Init::GlorotUniform).unwrap(),
        "\"glorot_uniform\""
    );
    let net = Network::mlp(&[2, 2], &[Activation::Tanh]).unwrap();
    let json = serde_json::to_string(&net).unwrap();
    assert!(
        json.starts_with(r#"{"nodes":[{"input":{"dim":2}},{"affine":"#),
        "{json}"
    );
    assert_eq!(serde_json::from_str::<Network>(&json).unwrap(), net);
    let typo = json.replacen("\"in_dim\"", "\"indim\"", 1);
    let e = serde_json::from_str::<Network>(&typo)
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("unknown field `indim`"), "{e}");
}

fn fuzz_cases(default: u32) -> u32 {
    std::env::var("DESCENT_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// JSON-like text from the tokens of network specs and settings, and any
/// character: mostly malformed, sometimes valid.
fn json_text() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        8 => proptest::sample::select(vec![
            "{", "}", "[", "]", ",", ":", "\"nodes\"", "\"input\"", "\"affine\"",
            "\"activation\"", "\"sum\"", "\"inputs\"", "\"dim\"", "\"in_dim\"", "\"layer\"",
            "\"offset\"", "\"tanh\"", "\"softmax\"", "\"n_params\"", "\"layers\"",
            "\"max_iterations\"", "\"max_evaluations\"", "\"gradient_tolerance\"",
            "\"momentum\"", "\"learning_rate\"", "0", "1", "2", "3", "-1", "1e12",
            "1000000000000", "18446744073709551615", "0.5", "null", "true",
        ]).prop_map(str::to_owned),
        1 => any::<char>().prop_map(String::from),
    ];
    proptest::collection::vec(token, 0..40).prop_map(|t| t.concat())
}

#[test]
fn random_json_never_panics_the_network_and_settings_parsers() {
    let mut runner = TestRunner::new(Config {
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(15),
        ..Config::default()
    });
    let strategy = json_text();
    // Valid specs seed the mutations, so that deep validation is reached too.
    let valid = serde_json::to_string(
        &Network::mlp(&[3, 4, 2], &[Activation::Relu, Activation::Identity]).unwrap(),
    )
    .unwrap();
    let mut accepted = 0;
    let cases = fuzz_cases(2_000);
    for case in 0..cases {
        let noise = strategy.new_tree(&mut runner).unwrap().current();
        let text = if case % 2 == 0 {
            noise
        } else {
            // Splice the noise into the valid spec at a position it determines.
            let at = noise.len() * 7 % valid.len();
            let at = (0..=at)
                .rev()
                .find(|&i| valid.is_char_boundary(i))
                .unwrap_or(0);
            format!("{}{noise}{}", &valid[..at], &valid[at..])
        };
        if let Ok(net) = serde_json::from_str::<Network>(&text) {
            accepted += 1;
            // An accepted network is usable: its parameters fit the limit and
            // a forward pass runs.
            let w = net.init(Init::GlorotUniform, 1).unwrap();
            let mut ws = Workspace::new(&net, 1).unwrap();
            let x = Mat::from_fn(net.input_dim(), 1, |i, _| i as f64);
            net.forward(&w, x.as_ref(), &mut ws).unwrap();
        }
        let _ = serde_json::from_str::<StoppingRules>(&text);
        let _ = serde_json::from_str::<MomentumSettings>(&text);
    }
    assert!(
        accepted > 0,
        "no random spec was valid: the test reaches no deep check"
    );
}

/// One row of the bad-input table: the input class, the example, and the
/// error (or termination) the user sees.
fn bad_input_rows() -> Vec<(&'static str, String, String)> {
    let err = |r: Result<_, descent_core::Error>| -> String {
        match r {
            Ok(()) => "accepted".to_owned(),
            Err(e) => e.to_string(),
        }
    };
    let csv =
        |text: &str, options: &CsvOptions| err(parse_csv(text, "data.csv", options).map(|_| ()));
    let mut rows = Vec::new();
    let text = "0.5,1.5,0\n0.25,2,1\n1,1,1000000000000\n";
    rows.push((
        "CSV: a stray huge label",
        format!("{text:?}"),
        csv(text, &CsvOptions::default()),
    ));
    let long = format!("1,{},0\n", "x".repeat(1_000));
    rows.push((
        "CSV: a 1 000-character field",
        "\"1,xxx…(1000 x)…,0\\n\"".to_owned(),
        csv(&long, &CsvOptions::default()),
    ));
    rows.push((
        "CSV: bytes that are not UTF-8",
        "b\"0,1,0\\n1,\\xff,0\\n\"".to_owned(),
        err(parse_csv_bytes(b"0,1,0\n1,\xff,0\n", "data.csv", &CsvOptions::default()).map(|_| ())),
    ));
    rows.push((
        "CSV: a non-finite feature",
        "\"1,inf,0\\n\"".to_owned(),
        csv("1,inf,0\n", &CsvOptions::default()),
    ));
    let spec = r#"{"nodes":[{"input":{"dim":3}},{"affine":{"input":0,"in_dim":3,"dim":1000000000000,"layer":1,"offset":0}}]}"#;
    rows.push((
        "network JSON: a layer of 10¹² units",
        format!("`{spec}`"),
        serde_json::from_str::<Network>(spec)
            .map(|_| ())
            .unwrap_err()
            .to_string(),
    ));
    let spec = r#"{"nodes":[{"input":{"dim":2}},{"affine":{"input":0,"in_dim":2,"dim":1,"layr":1,"offset":0}}]}"#;
    rows.push((
        "network JSON: a misspelt field",
        format!("`{spec}`"),
        serde_json::from_str::<Network>(spec)
            .map(|_| ())
            .unwrap_err()
            .to_string(),
    ));
    rows.push((
        "stopping rules JSON: a misspelt field",
        "`{\"max_iteration\": 50}`".to_owned(),
        serde_json::from_str::<StoppingRules>(r#"{"max_iteration": 50}"#)
            .map(|_| ())
            .unwrap_err()
            .to_string(),
    ));
    rows.push((
        "stopping rules: a budget below the start's cost",
        "`StoppingRules::default().max_evaluations(1)`".to_owned(),
        err(StoppingRules::default().max_evaluations(1).validate()),
    ));
    rows.push((
        "hyperparameter: a negative learning rate",
        "`GradientDescent::new(-1.0)`".to_owned(),
        err(GradientDescent::new(-1.0).map(|_| ())),
    ));
    let mut q = Quadratic::from_eigenvalues(&[1.0, 2.0], 1).unwrap();
    rows.push((
        "starting point: not finite",
        "`minimize(.., &[1.0, NaN], ..)`".to_owned(),
        err(minimize(
            &mut q,
            &mut QuasiNewton::bfgs(),
            &[1.0, f64::NAN],
            &StoppingRules::default(),
        )
        .map(|_| ())),
    ));
    let net = Network::mlp(&[2, 3], &[Activation::Softmax]).unwrap();
    let x = Mat::from_fn(2, 1, |i, _| i as f64);
    let t = Mat::from_fn(3, 1, |i, _| if i == 0 { 1.0 } else { 0.0 });
    rows.push((
        "network objective: double softmax",
        "softmax output layer + `SoftmaxCrossEntropy`".to_owned(),
        err(NetworkObjective::new(
            net.clone(),
            Divergence::SoftmaxCrossEntropy,
            x.as_ref(),
            t.as_ref(),
        )
        .map(|_| ())),
    ));
    let other = Network::mlp(&[2, 5], &[Activation::Tanh]).unwrap();
    let mut ws = Workspace::new(&other, 1).unwrap();
    let w = vec![0.0; net.n_params()];
    rows.push((
        "forward pass: another network's workspace",
        "`net.forward(&w, x, &mut workspace_of_other)`".to_owned(),
        err(net.forward(&w, x.as_ref(), &mut ws)),
    ));
    rows.push((
        "workspace: a huge batch capacity",
        "`Workspace::new(&net, 1 << 40)`".to_owned(),
        err(Workspace::new(&net, 1 << 40).map(|_| ())),
    ));
    // Past the start nothing is an Err: the run ends with a termination.
    let mut saddle = Quadratic::from_eigenvalues(&[-1.0, 1.0], 3).unwrap();
    let rules = StoppingRules::default().gradient_tolerance(None);
    let run = minimize(&mut saddle, &mut QuasiNewton::bfgs(), &[0.0, 0.0], &rules).unwrap();
    rows.push((
        "mid-run: no descent direction (BFGS at a saddle)",
        "½wᵀAw, eigenvalues −1 and 1, from w = 0".to_owned(),
        format!("Ok, termination {:?}", run.termination),
    ));
    let mut q = Quadratic::from_eigenvalues(&[1e-3, 1.0], 1).unwrap();
    let run = minimize(
        &mut q,
        &mut TrustRegion::dogleg(1.0).unwrap(),
        &[1.0, 1.0],
        &StoppingRules::default()
            .gradient_tolerance(1e-300)
            .max_evaluations(5),
    )
    .unwrap();
    rows.push((
        "mid-run: the evaluation budget runs out",
        "dogleg with `max_evaluations(5)`".to_owned(),
        format!(
            "Ok, termination {:?} after {} evaluations",
            run.termination,
            run.counts.total()
        ),
    ));
    rows
}

fn bad_input_table() -> String {
    let mut out = String::from(
        "# Bad input and what a user sees\n\n\
         Generated by `crates/descent-newton/tests/user_input.rs`\n\
         (`bad_input_table_in_docs_is_current`); do not edit by hand. Every row is\n\
         computed by calling the library with the example, so the table cannot\n\
         drift from the messages. Before the first step every bad input is an\n\
         `Err` naming the operation and the values; after it, a run always returns\n\
         `Ok` with a `Termination` and its last finite iterate.\n\n\
         | input class | example | what the user sees |\n|---|---|---|\n",
    );
    for (class, example, error) in bad_input_rows() {
        let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
        out.push_str(&format!(
            "| {} | {} | {} |\n",
            cell(class),
            cell(&example),
            cell(&error)
        ));
    }
    out
}

#[test]
fn bad_input_table_in_docs_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/bad-input.md");
    let expected = bad_input_table();
    if std::env::var_os("DESCENT_BLESS").is_some() {
        std::fs::write(path, &expected).unwrap();
    }
    let actual = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/bad-input.md is stale; rerun with DESCENT_BLESS=1. Expected:\n{expected}"
    );
}
