//! Unit tests of descent-data: constructors and their messages, splits and
//! standardisation, the CSV reader's rejections, the shipped sets' sizes, the
//! generators' rules and statistics, and the epoch sampler.

use crate::synthetic::{
    brady_lms_one_added_point, brady_lms_separable, brady_sigmoid_one_added_point,
    brady_sigmoid_separable, concentric_circles, gaussian_blobs, linearly_separable, two_spirals,
    xor,
};
use crate::{
    CsvOptions, Dataset, EpochSampler, LabelColumn, Standardizer, breast_cancer, digits, load_csv,
    one_hot, parse_csv, parse_csv_bytes,
};
use descent_core::Error;
use descent_linalg::Mat;
use std::f64::consts::PI;

/// Assert that `result` is an error whose message is exactly `expected`.
#[track_caller]
fn check_err<T: std::fmt::Debug>(result: Result<T, Error>, expected: &str) {
    match result {
        Ok(value) => panic!("expected the error {expected:?}, got Ok({value:?})"),
        Err(e) => assert_eq!(e.to_string(), expected),
    }
}

fn column(d: &Dataset, n: usize) -> Vec<f64> {
    (0..d.n_features()).map(|i| d.inputs()[(i, n)]).collect()
}

fn small_classification() -> Dataset {
    // 2 features × 4 samples; sample n = (n, 10 n); labels 0, 2, 1, 2.
    let x = Mat::from_fn(2, 4, |i, j| if i == 0 { j as f64 } else { 10.0 * j as f64 });
    Dataset::classification("small", "by hand", x, vec![0, 2, 1, 2], 3).unwrap()
}

// ---------------------------------------------------------------- Dataset

#[test]
fn dataset_accessors_and_one_hot() {
    let d = small_classification();
    assert_eq!((d.n_features(), d.n_samples()), (2, 4));
    assert_eq!(d.name(), "small");
    assert_eq!(d.provenance(), "by hand");
    assert_eq!(d.labels(), Some(&[0, 2, 1, 2][..]));
    assert_eq!(d.n_classes(), Some(3));
    assert_eq!(d.class_counts(), Some(vec![1, 1, 2]));
    assert!(d.targets().is_none());
    let t = d.one_hot().unwrap();
    // Column n has its single 1 in row labels[n].
    let expected = [
        [1.0, 0.0, 0.0, 0.0],
        [0.0, 0.0, 1.0, 0.0],
        [0.0, 1.0, 0.0, 1.0],
    ];
    assert_eq!((t.nrows(), t.ncols()), (3, 4));
    for c in 0..3 {
        for n in 0..4 {
            assert_eq!(t[(c, n)], expected[c][n]);
        }
    }
}

#[test]
fn dataset_constructors_reject_bad_input() {
    let x = Mat::from_fn(2, 3, |i, j| (i + j) as f64);
    check_err(
        Dataset::classification("s", "", x.clone(), vec![0, 1], 2),
        "dataset s: 2 labels for 3 samples",
    );
    check_err(
        Dataset::classification("s", "", x.clone(), vec![0, 1, 2], 2),
        "dataset s: label 2 of sample 2 is outside 0..2 (2 classes)",
    );
    check_err(
        Dataset::classification("s", "", x.clone(), vec![0, 0, 0], 0),
        "dataset s: the number of classes must be ≥ 1, got 0",
    );
    let mut bad = x.clone();
    bad[(1, 2)] = f64::NAN;
    check_err(
        Dataset::classification("s", "", bad, vec![0, 1, 1], 2),
        "dataset s: input (1, 2) (feature 1 of sample 2) is NaN, not finite",
    );
    check_err(
        Dataset::classification("s", "", Mat::zeros(2, 0), vec![], 2),
        "dataset s: inputs are 2×0 (features × samples); at least one feature and one sample are needed",
    );
    check_err(
        Dataset::regression("r", "", x.clone(), Mat::zeros(1, 2)),
        "dataset r: targets are 1×2, expected k×3 with k ≥ 1 (one column per sample)",
    );
    let mut targets = Mat::zeros(1, 3);
    targets[(0, 1)] = f64::INFINITY;
    check_err(
        Dataset::regression("r", "", x.clone(), targets),
        "dataset r: target (0, 1) (feature 0 of sample 1) is inf, not finite",
    );
    check_err(
        one_hot(&[0, 3], 3),
        "one-hot encoding: label 3 of sample 1 is outside 0..3 (3 classes)",
    );
    let r = Dataset::regression("r", "", x, Mat::zeros(1, 3)).unwrap();
    assert_eq!(r.n_classes(), None);
    check_err(
        r.one_hot(),
        "one-hot encoding of dataset r: it has no class labels",
    );
}

#[test]
fn subset_and_gather_copy_the_named_columns() {
    let d = small_classification()
        .with_targets(Mat::from_fn(1, 4, |_, j| 100.0 + j as f64))
        .unwrap();
    let s = d.subset(&[3, 1, 3]).unwrap();
    assert_eq!(s.n_samples(), 3);
    assert_eq!(column(&s, 0), vec![3.0, 30.0]);
    assert_eq!(column(&s, 1), vec![1.0, 10.0]);
    assert_eq!(s.labels(), Some(&[2, 2, 2][..]));
    assert_eq!(s.targets().unwrap()[(0, 1)], 101.0);
    check_err(
        d.subset(&[0, 4]),
        "subset of dataset small: index 4 (entry 1) is out of range for 4 samples",
    );
    check_err(d.subset(&[]), "subset of dataset small: no indices given");

    let mut x = Mat::from_fn(2, 2, |_, _| -1.0);
    d.gather_inputs(&[2, 0], x.as_mut());
    assert_eq!(
        [x[(0, 0)], x[(1, 0)], x[(0, 1)], x[(1, 1)]],
        [2.0, 20.0, 0.0, 0.0]
    );
    let mut t = Mat::from_fn(3, 2, |_, _| 7.0);
    d.gather_one_hot(&[2, 0], t.as_mut());
    // labels[2] = 1, labels[0] = 0.
    assert_eq!([t[(0, 0)], t[(1, 0)], t[(2, 0)]], [0.0, 1.0, 0.0]);
    assert_eq!([t[(0, 1)], t[(1, 1)], t[(2, 1)]], [1.0, 0.0, 0.0]);
    let mut y = Mat::zeros(1, 2);
    d.gather_targets(&[2, 0], y.as_mut());
    assert_eq!([y[(0, 0)], y[(0, 1)]], [102.0, 100.0]);
}

#[test]
fn split_sizes_disjointness_and_seed() {
    let d = gaussian_blobs(&[vec![0.0, 0.0], vec![3.0, 3.0]], 50, 1.0, 7).unwrap();
    let split = d.train_test_split(0.25, 11).unwrap();
    // round(0.25 · 100) = 25 test samples, 75 training samples.
    assert_eq!((split.train.n_samples(), split.test.n_samples()), (75, 25));
    let mut all: Vec<usize> = split
        .train_indices
        .iter()
        .chain(&split.test_indices)
        .copied()
        .collect();
    all.sort_unstable();
    assert_eq!(all, (0..100).collect::<Vec<_>>(), "disjoint and covering");
    for (k, &n) in split.test_indices.iter().enumerate() {
        assert_eq!(column(&split.test, k), column(&d, n));
        assert_eq!(split.test.labels().unwrap()[k], d.labels().unwrap()[n]);
    }
    assert_eq!(
        d.train_test_split(0.25, 11).unwrap(),
        split,
        "same seed, same split"
    );
    assert_ne!(
        d.train_test_split(0.25, 12).unwrap().test_indices,
        split.test_indices
    );

    check_err(
        d.train_test_split(0.0, 1),
        "train/test split: test fraction must be in (0, 1), got 0",
    );
    check_err(
        d.train_test_split(1.0, 1),
        "train/test split: test fraction must be in (0, 1), got 1",
    );
    check_err(
        d.train_test_split(f64::NAN, 1),
        "train/test split: test fraction must be in (0, 1), got NaN",
    );
    check_err(
        d.train_test_split(0.001, 1),
        "train/test split of dataset gaussian_blobs: test fraction 0.001 of 100 samples gives 0 test and 100 training samples; both must be ≥ 1",
    );
}

// ---------------------------------------------------------------- Standardizer

#[test]
fn standardizer_by_hand() {
    // Feature 0: 1, 2, 3 → μ = 2, σ = √(2/3) (population); feature 1 constant 5.
    let x = Mat::from_fn(2, 3, |i, j| if i == 0 { 1.0 + j as f64 } else { 5.0 });
    let s = Standardizer::fit(x.as_ref()).unwrap();
    assert_eq!(s.mean(), &[2.0, 5.0]);
    assert!((s.std()[0] - (2.0f64 / 3.0).sqrt()).abs() < 1e-15);
    assert_eq!(s.std()[1], 0.0);
    let z = s.transform(x.as_ref()).unwrap();
    let r = (1.5f64).sqrt(); // 1/√(2/3)
    for (j, expected) in [-r, 0.0, r].into_iter().enumerate() {
        assert!((z[(0, j)] - expected).abs() < 1e-15);
        assert_eq!(z[(1, j)], 0.0, "a constant feature is centred, not NaN");
    }
    // Another set: (x − μ)/σ with the fitted μ, σ: feature 0 = 4 → 2/√(2/3) = √6.
    let other = Mat::from_fn(2, 1, |i, _| if i == 0 { 4.0 } else { 7.0 });
    let z = s.transform(other.as_ref()).unwrap();
    assert!((z[(0, 0)] - 6f64.sqrt()).abs() < 1e-15);
    assert_eq!(z[(1, 0)], 2.0);
    check_err(
        Standardizer::fit(Mat::zeros(2, 0).as_ref()),
        "standardizer fit: inputs are 2×0 (features × samples); at least one of each is needed",
    );
    let mut bad = x.clone();
    bad[(0, 1)] = f64::NAN;
    check_err(
        Standardizer::fit(bad.as_ref()),
        "standardizer fit: input (0, 1) is NaN, not finite",
    );
    check_err(
        s.transform(Mat::zeros(3, 1).as_ref()),
        "standardize: inputs have 3 features, the standardizer was fitted on 2",
    );
}

#[test]
fn standardizer_constant_up_to_rounding() {
    // Feature 0: three copies of 0.1 (not a double: the summed mean is
    // 0.30000000000000004/3 = 0.10000000000000002 and the two-pass
    // σ = 1.3877787807814457e-17). It is constant, so μ = 0.1, σ = 0, and
    // 0.1 + 1e-9 maps to ≈ 1e-9 instead of 1e-9/1.39e-17 ≈ 7.2·10⁷.
    // Feature 1: 0.1, 0.1 + ulp, 0.1 — σ = ulp·√2/3 ≈ 6.5e-18, below
    // N ε max|x| = 3 · 2.2e-16 · 0.1 ≈ 6.7e-17: constant too.
    // Feature 2: 1, 2, 3 → μ = 2, σ = √(2/3).
    // Feature 3: (1, 2, 3)·1e-300 → μ = 2e-300, σ = √(2/3)·1e-300: tiny but real.
    let next_up = f64::from_bits(0.1f64.to_bits() + 1);
    let x = Mat::from_fn(4, 3, |i, j| match i {
        0 => 0.1,
        1 => {
            if j == 1 {
                next_up
            } else {
                0.1
            }
        }
        2 => 1.0 + j as f64,
        _ => (1.0 + j as f64) * 1e-300,
    });
    let s = Standardizer::fit(x.as_ref()).unwrap();
    let sigma = (2.0f64 / 3.0).sqrt();
    assert_eq!(s.mean()[0], 0.1);
    assert_eq!(s.std()[0], 0.0);
    assert_eq!(s.std()[1], 0.0);
    assert_eq!(s.mean()[2], 2.0);
    assert!((s.std()[2] - sigma).abs() <= 1e-15);
    assert!((s.std()[3] - sigma * 1e-300).abs() <= 1e-15 * 1e-300);
    let z = s.transform(x.as_ref()).unwrap();
    for j in 0..3 {
        assert_eq!(z[(0, j)], 0.0);
        assert!(z[(1, j)].abs() <= 1e-16, "feature 1: {}", z[(1, j)]);
    }
    let other = Mat::from_fn(4, 1, |i, _| [0.1 + 1e-9, 0.1, 2.0 + sigma, 3e-300][i]);
    let z = s.transform(other.as_ref()).unwrap();
    assert!((z[(0, 0)] - 1e-9).abs() <= 1e-15, "{}", z[(0, 0)]);
    assert!((z[(2, 0)] - 1.0).abs() <= 1e-15);
    // (3 − 2)/√(2/3) = √1.5
    assert!((z[(3, 0)] - 1.5f64.sqrt()).abs() <= 1e-14);
}

#[test]
fn standardized_split_is_fitted_on_train_only() {
    // Two blob features and a constant third feature (3.0).
    let blobs = gaussian_blobs(&[vec![10.0, -4.0], vec![12.0, 6.0]], 40, 2.0, 3).unwrap();
    let x = Mat::from_fn(
        3,
        80,
        |i, j| if i < 2 { blobs.inputs()[(i, j)] } else { 3.0 },
    );
    let d = Dataset::classification(
        "blobs+constant",
        "test",
        x,
        blobs.labels().unwrap().to_vec(),
        2,
    )
    .unwrap();
    let split = d.train_test_split(0.3, 5).unwrap();
    let raw_test = split.test.clone();
    let (standardized, s) = split.standardized().unwrap();
    let train = standardized.train.inputs();
    for i in 0..3 {
        let n = train.ncols() as f64;
        let mean = (0..train.ncols()).map(|j| train[(i, j)]).sum::<f64>() / n;
        let var = (0..train.ncols())
            .map(|j| (train[(i, j)] - mean).powi(2))
            .sum::<f64>()
            / n;
        assert!(mean.abs() < 1e-12, "feature {i}: mean {mean}");
        // Feature 2 is constant 0 (σ = 0): centred, variance 0, no NaN.
        let expected_var = if i == 2 { 0.0 } else { 1.0 };
        assert!(
            (var - expected_var).abs() < 1e-12,
            "feature {i}: variance {var}"
        );
    }
    // The fitted map is the training part's: its test part has other statistics.
    assert_eq!(s.mean()[2], 3.0);
    assert_eq!(s.std()[2], 0.0);
    assert_eq!(standardized.test.labels(), raw_test.labels());
    assert!(standardized.train.provenance().ends_with("; standardized"));
}

#[test]
fn standardized_split_maps_the_test_part_with_training_statistics() {
    // Training part (features × samples), by hand:
    //   feature 0: 1, 3, 5, 7     → μ = 4,  σ = √((9 + 1 + 1 + 9)/4) = √5
    //   feature 1: 2, 2, 2, 2     → μ = 2,  σ = 0 (constant: centred only)
    //   feature 2: 10, 20, 30, 40 → μ = 25, σ = √((225 + 25 + 25 + 225)/4) = 5√5
    // Test part: (9, 2.5, 50) → ((9 − 4)/√5, 0.5, 25/(5√5)) = (√5, 0.5, √5),
    //            (4, 2, 25)   → (0, 0, 0).
    // (Fitted on the test part instead, feature 0 would have μ = 6.5.)
    let train_x = Mat::from_fn(3, 4, |i, j| {
        [[1.0, 3.0, 5.0, 7.0], [2.0; 4], [10.0, 20.0, 30.0, 40.0]][i][j]
    });
    let test_x = Mat::from_fn(3, 2, |i, j| [[9.0, 4.0], [2.5, 2.0], [50.0, 25.0]][i][j]);
    let split = crate::Split {
        train: Dataset::classification("hand", "test", train_x, vec![0, 1, 0, 1], 2).unwrap(),
        test: Dataset::classification("hand", "test", test_x, vec![1, 0], 2).unwrap(),
        train_indices: vec![0, 1, 2, 3],
        test_indices: vec![4, 5],
    };
    let (standardized, s) = split.standardized().unwrap();
    let root5 = 5f64.sqrt();
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-15 * b.abs().max(1.0);
    let expected_mean = [4.0, 2.0, 25.0];
    let expected_std = [root5, 0.0, 5.0 * root5];
    for i in 0..3 {
        assert!(
            close(s.mean()[i], expected_mean[i]),
            "μ_{i} = {}",
            s.mean()[i]
        );
        assert!(close(s.std()[i], expected_std[i]), "σ_{i} = {}", s.std()[i]);
    }
    let test = standardized.test.inputs();
    let expected = [[root5, 0.0], [0.5, 0.0], [root5, 0.0]];
    for i in 0..3 {
        for j in 0..2 {
            assert!(
                close(test[(i, j)], expected[i][j]),
                "test ({i}, {j}) = {}, by hand {}",
                test[(i, j)],
                expected[i][j]
            );
        }
    }
    assert_eq!(standardized.test_indices, vec![4, 5]);
}

// ---------------------------------------------------------------- CSV

fn csv(text: &str, options: &CsvOptions) -> Result<Dataset, Error> {
    parse_csv(text, "digits.csv", options)
}

fn digits_like_lines(n: usize) -> String {
    // n lines of 64 pixels (value = line index) and a label (line index mod 10).
    (0..n)
        .map(|k| {
            let mut fields: Vec<String> = (0..64).map(|_| k.to_string()).collect();
            fields.push((k % 10).to_string());
            fields.join(",") + "\n"
        })
        .collect()
}

#[test]
fn csv_parses_labels_targets_and_header() {
    // Labels 3 and 1 without a class count: two distinct labels must be 0..2
    // (issue 15, item 6: the count is never 1 + the largest label).
    check_err(
        csv("1, 2 ,3\r\n\n4,5.5,1\n", &CsvOptions::default()),
        "digits.csv line 1: label in column 3 is 3, but the file has 2 distinct labels, so \
         they must be 0..2; give the number of classes if some class has no sample",
    );
    let options = CsvOptions {
        n_classes: Some(4),
        ..CsvOptions::default()
    };
    let d = csv("1, 2 ,3\r\n\n4,5.5,1\n", &options).unwrap();
    assert_eq!((d.n_features(), d.n_samples()), (2, 2));
    assert_eq!(column(&d, 1), vec![4.0, 5.5]);
    assert_eq!(d.labels(), Some(&[3, 1][..]));
    assert_eq!(d.n_classes(), Some(4), "given");
    let d = csv("1,2,1\n3,4,0\n5,6,1\n", &CsvOptions::default()).unwrap();
    assert_eq!(d.n_classes(), Some(2), "two distinct labels 0 and 1");
    assert_eq!(d.name(), "digits.csv");

    let options = CsvOptions {
        header: true,
        label: LabelColumn::First,
        n_classes: Some(5),
        n_targets: 1,
    };
    let d = csv("label,a,b,target\n2,1,2,0.5\n0.0,3,4,-1\n", &options).unwrap();
    assert_eq!((d.n_features(), d.n_samples()), (2, 2));
    assert_eq!(d.labels(), Some(&[2, 0][..]));
    assert_eq!(d.n_classes(), Some(5));
    assert_eq!(column(&d, 1), vec![3.0, 4.0]);
    assert_eq!(
        [d.targets().unwrap()[(0, 0)], d.targets().unwrap()[(0, 1)]],
        [0.5, -1.0]
    );

    let options = CsvOptions {
        label: LabelColumn::None,
        n_targets: 2,
        ..CsvOptions::default()
    };
    let d = csv("1,2,3\n", &options).unwrap();
    assert_eq!((d.n_features(), d.targets().unwrap().nrows()), (1, 2));
    assert_eq!(d.labels(), None);
}

#[test]
fn csv_rejects_bad_files_naming_file_line_and_value() {
    let options = CsvOptions {
        n_classes: Some(10),
        ..CsvOptions::default()
    };
    // 16 good lines of 65 fields, then a bad line 17.
    let mut text = digits_like_lines(16);
    let mut bad: Vec<String> = (0..65).map(|_| "1".to_string()).collect();
    bad[64] = "abc".into();
    bad.push("3".into());
    // 66 fields on line 17: the width is wrong.
    let wide = text.clone() + &bad.join(",") + "\n";
    check_err(
        csv(&wide, &options),
        "digits.csv line 17: has 66 columns, expected 65 (as on the first data line)",
    );
    // 65 fields, pixel column 64 is "abc".
    bad.pop();
    bad[63] = "abc".into();
    bad[64] = "3".into();
    text.push_str(&bad.join(","));
    check_err(
        csv(&text, &options),
        "digits.csv line 17: column 64 is \"abc\", not a number",
    );
    // The exact example of the issue: a non-numeric label column 65.
    let text = digits_like_lines(16) + &format!("{},abc\n", vec!["0"; 64].join(","));
    check_err(
        csv(&text, &options),
        "digits.csv line 17: label in column 65 is \"abc\", not a non-negative integer",
    );
    let text = digits_like_lines(3) + &format!("{},12\n", vec!["0"; 64].join(","));
    check_err(
        csv(&text, &options),
        "digits.csv line 4: label in column 65 is 12, outside 0..10 (10 classes)",
    );
    check_err(
        csv("1,2,-1\n", &options),
        "digits.csv line 1: label in column 3 is \"-1\", not a non-negative integer",
    );
    check_err(
        csv("1,2,1.5\n", &options),
        "digits.csv line 1: label in column 3 is \"1.5\", not a non-negative integer",
    );
    check_err(
        csv("1,NaN,1\n", &options),
        "digits.csv line 1: column 2 is \"NaN\", not a finite number",
    );
    check_err(
        csv("1,2,1\n\n-inf,2,1\n", &options),
        "digits.csv line 3: column 1 is \"-inf\", not a finite number",
    );
    check_err(
        csv("1,,1\n", &options),
        "digits.csv line 1: column 2 is \"\", not a number",
    );
    check_err(csv("", &options), "digits.csv: is empty: no data lines");
    check_err(
        csv("\n  \n", &options),
        "digits.csv: is empty: no data lines",
    );
    let with_header = CsvOptions {
        header: true,
        ..options.clone()
    };
    check_err(
        csv("a,b,label\n", &with_header),
        "digits.csv: is empty: no data lines",
    );
    check_err(
        csv("3\n", &options),
        "digits.csv line 1: has 1 columns, but 1 label and 0 target columns leave no feature",
    );
    let neither = CsvOptions {
        label: LabelColumn::None,
        ..CsvOptions::default()
    };
    check_err(
        csv("1,2\n", &neither),
        "parse_csv digits.csv: the options give neither a label column nor target columns",
    );
}

#[test]
fn load_csv_reads_a_file_and_names_a_missing_one() {
    let dir = std::env::temp_dir().join(format!("descent-data-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("tiny.csv");
    std::fs::write(&path, "0.5,1\n1.5,0\n").unwrap();
    let d = load_csv(&path, &CsvOptions::default()).unwrap();
    assert_eq!(d.name(), "tiny.csv");
    assert_eq!(d.provenance(), path.display().to_string());
    assert_eq!(d.labels(), Some(&[1, 0][..]));
    std::fs::write(&path, "0.5,1\n1.5,x\n").unwrap();
    check_err(
        load_csv(&path, &CsvOptions::default()),
        "tiny.csv line 2: label in column 2 is \"x\", not a non-negative integer",
    );
    std::fs::remove_dir_all(&dir).unwrap();
    let missing = dir.join("missing.csv");
    let message = load_csv(&missing, &CsvOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        message.starts_with(&format!("load_csv: cannot read {}: ", missing.display())),
        "{message}"
    );
}

// ---------------------------------------------------------------- shipped sets

#[test]
fn digits_has_the_published_sizes() {
    let d = digits();
    assert_eq!(
        (d.n_features(), d.n_samples(), d.n_classes()),
        (64, 1797, Some(10))
    );
    assert_eq!(
        d.class_counts().unwrap(),
        vec![178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    );
    let x = d.inputs();
    for j in 0..x.ncols() {
        for i in 0..64 {
            let v = x[(i, j)];
            assert!(
                (0.0..=16.0).contains(&v) && v.fract() == 0.0,
                "pixel ({i}, {j}) = {v}"
            );
        }
    }
    // First line of digits.csv: 0,0,5,13,9,1,0,0,0,0,13,15,… and label 0.
    assert_eq!(
        column(&d, 0)[..12],
        [
            0.0, 0.0, 5.0, 13.0, 9.0, 1.0, 0.0, 0.0, 0.0, 0.0, 13.0, 15.0
        ]
    );
    assert_eq!(d.labels().unwrap()[..3], [0, 1, 2]);
    assert_eq!(d.name(), "digits");
}

#[test]
fn breast_cancer_has_the_published_sizes() {
    let d = breast_cancer();
    assert_eq!(
        (d.n_features(), d.n_samples(), d.n_classes()),
        (30, 569, Some(2))
    );
    // 0 = malignant, 1 = benign.
    assert_eq!(d.class_counts().unwrap(), vec![212, 357]);
    // First data line: 17.99,10.38,122.8,1001,… label 0.
    assert_eq!(column(&d, 0)[..4], [17.99, 10.38, 122.8, 1001.0]);
    assert_eq!(d.labels().unwrap()[0], 0);
    // Largest "area (worst)" (field 23) in the published summary: 4254.
    let max_area = (0..569)
        .map(|j| d.inputs()[(23, j)])
        .fold(f64::MIN, f64::max);
    assert_eq!(max_area, 4254.0);
}

// ---------------------------------------------------------------- generators

#[test]
fn blobs_are_deterministic_with_the_right_statistics() {
    let means = [vec![0.0, 0.0], vec![4.0, -2.0], vec![-3.0, 5.0]];
    let n = 2000;
    let sigma = 0.5;
    let d = gaussian_blobs(&means, n, sigma, 42).unwrap();
    assert_eq!(d, gaussian_blobs(&means, n, sigma, 42).unwrap());
    assert_ne!(d, gaussian_blobs(&means, n, sigma, 43).unwrap());
    assert_eq!(
        (d.n_features(), d.n_samples(), d.class_counts()),
        (2, 3 * n, Some(vec![n; 3]))
    );
    for (c, mean) in means.iter().enumerate() {
        assert!(
            d.labels().unwrap()[c * n..(c + 1) * n]
                .iter()
                .all(|&l| l == c)
        );
        for i in 0..2 {
            let values: Vec<f64> = (c * n..(c + 1) * n).map(|j| d.inputs()[(i, j)]).collect();
            let m = values.iter().sum::<f64>() / n as f64;
            let s = (values.iter().map(|v| (v - m).powi(2)).sum::<f64>() / n as f64).sqrt();
            // Standard error of the mean σ/√n = 0.011: allow 5 of them.
            assert!(
                (m - mean[i]).abs() < 5.0 * sigma / (n as f64).sqrt(),
                "class {c} feature {i}: {m}"
            );
            // Standard error of s ≈ σ/√(2n) = 0.0079: allow 5 of them.
            assert!(
                (s - sigma).abs() < 5.0 * sigma / (2.0 * n as f64).sqrt(),
                "class {c} feature {i}: {s}"
            );
        }
    }
    let exact = gaussian_blobs(&means, 2, 0.0, 1).unwrap();
    assert_eq!(column(&exact, 3), means[1]);
}

#[test]
fn blobs_reject_bad_parameters() {
    let means = [vec![0.0, 0.0]];
    check_err(
        gaussian_blobs(&means, 0, 1.0, 0),
        "Gaussian blobs: samples per class must be ≥ 1, got 0",
    );
    check_err(
        gaussian_blobs(&means, 5, -1.0, 0),
        "Gaussian blobs: σ must be finite and ≥ 0, got -1",
    );
    check_err(
        gaussian_blobs(&means, 5, f64::NAN, 0),
        "Gaussian blobs: σ must be finite and ≥ 0, got NaN",
    );
    check_err(
        gaussian_blobs(&[], 5, 1.0, 0),
        "Gaussian blobs: no class means given; at least one is needed",
    );
    check_err(
        gaussian_blobs(&[vec![]], 5, 1.0, 0),
        "Gaussian blobs: mean 0 has no coordinates",
    );
    check_err(
        gaussian_blobs(&[vec![0.0, 0.0], vec![1.0, 2.0, 3.0]], 5, 1.0, 0),
        "Gaussian blobs: mean 1 has 3 coordinates, mean 0 has 2",
    );
    check_err(
        gaussian_blobs(&[vec![0.0, f64::INFINITY]], 5, 1.0, 0),
        "Gaussian blobs: mean 0 has the non-finite coordinate inf",
    );
}

#[test]
fn xor_follows_the_sign_rule() {
    let d = xor(100, 0.1, 9).unwrap();
    assert_eq!(d, xor(100, 0.1, 9).unwrap());
    assert_eq!(
        (d.n_features(), d.n_samples(), d.class_counts()),
        (2, 400, Some(vec![200, 200]))
    );
    // σ = 0.1: every point stays in its quadrant (a 10σ excursion would be
    // needed to leave), so the label is [x₁ x₂ < 0].
    for n in 0..400 {
        let x = column(&d, n);
        assert_eq!(
            d.labels().unwrap()[n],
            usize::from(x[0] * x[1] < 0.0),
            "sample {n}: {x:?}"
        );
    }
    let corners = xor(1, 0.0, 0).unwrap();
    assert_eq!(column(&corners, 2), vec![-1.0, 1.0]);
    assert_eq!(corners.labels(), Some(&[0, 0, 1, 1][..]));
    check_err(
        xor(0, 0.1, 0),
        "XOR: samples per quadrant must be ≥ 1, got 0",
    );
    check_err(
        xor(1, f64::INFINITY, 0),
        "XOR: σ must be finite and ≥ 0, got inf",
    );
}

#[test]
fn spirals_lie_on_their_curves() {
    let turns = 1.75;
    let d = two_spirals(200, turns, 0.0, 4).unwrap();
    assert_eq!(d, two_spirals(200, turns, 0.0, 4).unwrap());
    assert_eq!(
        (d.n_features(), d.n_samples(), d.class_counts()),
        (2, 400, Some(vec![200, 200]))
    );
    for n in 0..400 {
        let x = column(&d, n);
        let r = x[0].hypot(x[1]);
        assert!(r > 0.0 && r <= 1.0);
        // Class 0: x = r (cos θ, sin θ) with θ = 2π·turns·r; class 1: −x.
        let sign = if d.labels().unwrap()[n] == 0 {
            1.0
        } else {
            -1.0
        };
        let theta = 2.0 * PI * turns * r;
        assert!((x[0] - sign * r * theta.cos()).abs() < 1e-12, "sample {n}");
        assert!((x[1] - sign * r * theta.sin()).abs() < 1e-12, "sample {n}");
    }
    let noisy = two_spirals(200, turns, 0.05, 4).unwrap();
    assert_ne!(noisy, d);
    check_err(
        two_spirals(5, 0.0, 0.0, 0),
        "two spirals: turns must be finite and > 0, got 0",
    );
    check_err(
        two_spirals(5, 1.0, -0.1, 0),
        "two spirals: σ must be finite and ≥ 0, got -0.1",
    );
}

#[test]
fn circles_have_their_radii() {
    let d = concentric_circles(150, 0.5, 2.0, 0.0, 8).unwrap();
    assert_eq!(d, concentric_circles(150, 0.5, 2.0, 0.0, 8).unwrap());
    assert_eq!(
        (d.n_samples(), d.class_counts()),
        (300, Some(vec![150, 150]))
    );
    for n in 0..300 {
        let x = column(&d, n);
        let r = if d.labels().unwrap()[n] == 0 {
            0.5
        } else {
            2.0
        };
        assert!((x[0].hypot(x[1]) - r).abs() < 1e-14, "sample {n}");
    }
    // Noisy: the label is still [‖x‖ > midpoint 1.25] for σ = 0.05 (15σ margin).
    let noisy = concentric_circles(150, 0.5, 2.0, 0.05, 8).unwrap();
    for n in 0..300 {
        let x = column(&noisy, n);
        assert_eq!(
            noisy.labels().unwrap()[n],
            usize::from(x[0].hypot(x[1]) > 1.25)
        );
    }
    check_err(
        concentric_circles(5, 2.0, 2.0, 0.0, 0),
        "concentric circles: inner radius 2 must be < outer radius 2",
    );
    check_err(
        concentric_circles(5, -1.0, 2.0, 0.0, 0),
        "concentric circles: inner radius must be finite and ≥ 0, got -1",
    );
}

#[test]
fn separable_set_is_separated_by_its_hyperplane_with_margin() {
    let (w, b, margin) = ([3.0, -4.0], 2.0, 0.25);
    let d = linearly_separable(100, w, b, margin, 6).unwrap();
    assert_eq!(d, linearly_separable(100, w, b, margin, 6).unwrap());
    assert_eq!(
        (d.n_samples(), d.class_counts()),
        (200, Some(vec![100, 100]))
    );
    // The explicit separator: (wᵀx + b)/‖w‖ with ‖w‖ = 5 exceeds γ for class 1
    // and is below −γ for class 0; and no point is more than γ + 1 away.
    for n in 0..200 {
        let x = column(&d, n);
        let distance = (w[0] * x[0] + w[1] * x[1] + b) / 5.0;
        let s = if d.labels().unwrap()[n] == 1 {
            1.0
        } else {
            -1.0
        };
        assert!(
            s * distance > margin - 1e-12 && s * distance <= margin + 1.0 + 1e-12,
            "sample {n}: {distance}"
        );
    }
    check_err(
        linearly_separable(5, [0.0, 0.0], 1.0, 0.1, 0),
        "linearly separable set: the normal vector w is (0, 0); it must be non-zero",
    );
    check_err(
        linearly_separable(5, [1.0, 0.0], 0.0, -0.1, 0),
        "linearly separable set: margin γ must be finite and ≥ 0, got -0.1",
    );
    check_err(
        linearly_separable(5, [1.0, f64::NAN], 0.0, 0.1, 0),
        "linearly separable set: w₂ must be finite, got NaN",
    );
}

/// Least squares of `d ≈ w x + b` in closed form (normal equations of the
/// 2×2 system): `w = (N Σxd − Σx Σd)/(N Σx² − (Σx)²)`, `b = (Σd − w Σx)/N`.
fn least_squares_line(d: &Dataset) -> (f64, f64) {
    let n = d.n_samples() as f64;
    let x: Vec<f64> = (0..d.n_samples()).map(|j| d.inputs()[(0, j)]).collect();
    let t: Vec<f64> = (0..d.n_samples())
        .map(|j| d.targets().unwrap()[(0, j)])
        .collect();
    let sx: f64 = x.iter().sum();
    let st: f64 = t.iter().sum();
    let sxx: f64 = x.iter().map(|v| v * v).sum();
    let sxt: f64 = x.iter().zip(&t).map(|(a, b)| a * b).sum();
    let w = (n * sxt - sx * st) / (n * sxx - sx * sx);
    (w, (st - w * sx) / n)
}

#[test]
fn brady_lms_sets_match_their_definition() {
    let d0 = brady_lms_separable();
    assert_eq!(
        (d0.n_features(), d0.n_samples(), d0.class_counts()),
        (1, 20, Some(vec![10, 10]))
    );
    // A: 9.55 … 10.45, B: −1.45 … −0.55.
    assert!(
        (d0.inputs()[(0, 0)] - 9.55).abs() < 1e-12 && (d0.inputs()[(0, 19)] + 0.55).abs() < 1e-12
    );
    // By hand: Σx = 90, Σd = 0, Σxd = 110, Σx² = 1011.65 (Σδ² = 0.825 per class),
    // so w = 2200/12133 = 0.181324, b = −4.5 w = −0.815956, threshold 4.5.
    let (w, b) = least_squares_line(&d0);
    assert!((w - 2200.0 / 12133.0).abs() < 1e-14);
    assert!((w - 0.181324).abs() < 1e-6 && (b + 0.815956).abs() < 1e-6);
    assert!((-b / w - 4.5).abs() < 1e-12);

    let d1 = brady_lms_one_added_point();
    assert_eq!(
        (d1.n_samples(), d1.class_counts()),
        (21, Some(vec![10, 11]))
    );
    assert_eq!(column(&d1, 20), vec![0.0]);
    assert_eq!(
        (d1.labels().unwrap()[20], d1.targets().unwrap()[(0, 20)]),
        (1, 1.0)
    );
    // By hand: N = 21, Σd = 1 → w = 2220/13144.65 = 0.168890, b = (1 − 90 w)/21.
    let (w, b) = least_squares_line(&d1);
    assert!((w - 2220.0 / 13144.65).abs() < 1e-14);
    assert!((w - 0.168890).abs() < 1e-6 && (b + 0.676195).abs() < 1e-6);
    let threshold = -b / w;
    assert!((threshold - 4.003761).abs() < 1e-6, "threshold {threshold}");
    // The LMS rule sign(w x + b) misclassifies exactly the added point.
    let wrong: Vec<usize> = (0..21)
        .filter(|&j| usize::from(w * d1.inputs()[(0, j)] + b > 0.0) != d1.labels().unwrap()[j])
        .collect();
    assert_eq!(wrong, vec![20]);
    // D1 is separable: the max-margin separator in augmented space [x, 1] is
    // bound by x = 0 (+1) and x = −0.55 (−1): b = 0.275 w, γ = 0.275/√(1 + 0.275²)
    // = 0.2651565 (an earlier prototype printed 0.26514, a slip), and
    // R = √(10.45² + 1).
    let gamma = 0.275 / (1.0f64 + 0.275 * 0.275).sqrt();
    let margin_of = |beta: f64| {
        (0..21)
            .map(|j| {
                let s = if d1.labels().unwrap()[j] == 1 {
                    1.0
                } else {
                    -1.0
                };
                s * (d1.inputs()[(0, j)] + beta) / (1.0 + beta * beta).sqrt()
            })
            .fold(f64::INFINITY, f64::min)
    };
    assert!((margin_of(0.275) - gamma).abs() < 1e-14);
    assert!((gamma - 0.265156).abs() < 5e-7, "γ = {gamma}");
    // No other threshold (on a fine grid) does better.
    assert!((0..=20_000).all(|k| margin_of(-1.0 + 1e-4 * f64::from(k)) <= gamma + 1e-15));
    let r = (10.45f64 * 10.45 + 1.0).sqrt();
    assert!((r - 10.4977).abs() < 1e-4);
    assert!(
        ((r / gamma).powi(2) - 1567.4).abs() < 0.1,
        "Novikoff bound ≈ 1568"
    );
}

#[test]
fn brady_sigmoid_sets_match_their_definition() {
    let d0 = brady_sigmoid_separable();
    assert_eq!(
        (d0.n_samples(), d0.class_counts()),
        (50, Some(vec![40, 10]))
    );
    let d1 = brady_sigmoid_one_added_point();
    assert_eq!(
        (d1.n_samples(), d1.class_counts()),
        (51, Some(vec![40, 11]))
    );
    let x: Vec<f64> = (0..51).map(|j| d1.inputs()[(0, j)]).collect();
    let t: Vec<f64> = (0..51).map(|j| d1.targets().unwrap()[(0, j)]).collect();
    // B: 40 points evenly spaced from −1.45 to −0.55 (step 0.9/39); P = −0.5.
    assert!((x[10] + 1.45).abs() < 1e-15 && (x[49] + 0.55).abs() < 1e-15);
    assert!((x[11] - x[10] - 0.9 / 39.0).abs() < 1e-15);
    assert_eq!((x[50], t[50], d1.labels().unwrap()[50]), (-0.5, 0.9, 1));
    assert!(t[..10].iter().all(|&v| v == 0.9) && t[10..50].iter().all(|&v| v == 0.1));
    // The shallow minimum of L(w, b) = (1/N) Σ (σ(w x + b) − d)²
    // is (1.889372, −0.276776) with L = 0.0127937: at the 6-digit rounded point
    // the gradient ∂L/∂w = (2/N) Σ (y − d) y (1 − y) x (and ∂L/∂b without x)
    // vanishes to rounding, which pins down the set (spacing of B, P, targets).
    let (w, b) = (1.889372, -0.276776);
    let sigmoid = |z: f64| 1.0 / (1.0 + (-z).exp());
    let (mut loss, mut gw, mut gb) = (0.0, 0.0, 0.0);
    for (xi, di) in x.iter().zip(&t) {
        let y = sigmoid(w * xi + b);
        loss += (y - di).powi(2) / 51.0;
        gw += 2.0 * (y - di) * y * (1.0 - y) * xi / 51.0;
        gb += 2.0 * (y - di) * y * (1.0 - y) / 51.0;
    }
    assert!((loss - 0.0127937).abs() < 1e-7, "loss {loss}");
    assert!(gw.abs() < 1e-8 && gb.abs() < 1e-8, "gradient ({gw}, {gb})");
    // P is misclassified there (σ(w·(−0.5) + b) < 0.5), and only a threshold
    // in (−0.55, −0.5) separates D1.
    assert!(sigmoid(w * -0.5 + b) < 0.5);
    let separates =
        |threshold: f64| (0..51).all(|j| usize::from(x[j] > threshold) == d1.labels().unwrap()[j]);
    assert!(separates(-0.525) && !separates(-0.56) && !separates(-0.49));
}

// ---------------------------------------------------------------- sampler

#[test]
fn epoch_sampler_visits_every_index_once_per_epoch() {
    let (n, batch) = (10, 3);
    let mut sampler = EpochSampler::new(n, batch, 99).unwrap();
    assert_eq!(
        (
            sampler.batches_per_epoch(),
            sampler.batch_size(),
            sampler.n_samples()
        ),
        (4, 3, 10)
    );
    let mut epochs = Vec::new();
    for epoch in 0..5 {
        let mut seen = Vec::new();
        let mut sizes = Vec::new();
        for _ in 0..sampler.batches_per_epoch() {
            let indices = sampler.next_batch();
            sizes.push(indices.len());
            seen.extend_from_slice(indices);
            assert_eq!(sampler.epoch(), epoch);
        }
        assert_eq!(sizes, vec![3, 3, 3, 1]);
        let order = seen.clone();
        seen.sort_unstable();
        assert_eq!(seen, (0..n).collect::<Vec<_>>(), "epoch {epoch}");
        epochs.push(order);
    }
    assert!(
        epochs.windows(2).any(|w| w[0] != w[1]),
        "the order is reshuffled between epochs"
    );
    let mut again = EpochSampler::new(n, batch, 99).unwrap();
    let first: Vec<usize> = (0..4).flat_map(|_| again.next_batch().to_vec()).collect();
    assert_eq!(first, epochs[0], "same seed, same sequence");

    check_err(
        EpochSampler::new(0, 1, 0),
        "epoch sampler: number of samples must be ≥ 1, got 0",
    );
    check_err(
        EpochSampler::new(5, 0, 0),
        "epoch sampler: batch size must be ≥ 1, got 0",
    );
    check_err(
        EpochSampler::new(5, 6, 0),
        "epoch sampler: batch size 6 exceeds the number of samples 5",
    );
}

#[test]
fn data_sets_from_samples_as_rows_transpose_once() {
    // Three samples of two features as rows (NumPy's X[n, i]); sample 1 is (3, 4).
    let rows = Mat::from_fn(3, 2, |n, i| [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]][n][i]);
    let ds = Dataset::classification_from_rows("rows", "test", rows.as_ref(), vec![0, 1, 0], 2)
        .expect("valid");
    assert_eq!((ds.n_features(), ds.n_samples()), (2, 3));
    assert_eq!((ds.inputs()[(0, 1)], ds.inputs()[(1, 1)]), (3.0, 4.0));
    let targets = Mat::from_fn(3, 1, |n, _| 10.0 * n as f64);
    let reg = Dataset::regression_from_rows("rows", "test", rows.as_ref(), targets.as_ref())
        .expect("valid");
    assert_eq!(reg.targets().expect("regression")[(0, 2)], 20.0);
    // A target matrix with the wrong number of rows (samples) is named.
    let short = Mat::from_fn(2, 1, |_, _| 0.0);
    let err = Dataset::regression_from_rows("rows", "test", rows.as_ref(), short.as_ref())
        .expect_err("2 target rows for 3 samples")
        .to_string();
    assert!(err.starts_with("dataset rows:"), "{err}");
}

#[test]
fn replacement_sampler_draws_uniformly_with_repeats() {
    use crate::ReplacementSampler;
    let mut a = ReplacementSampler::new(10, 4, 3).expect("valid");
    let mut b = ReplacementSampler::new(10, 4, 3).expect("valid");
    let mut counts = [0usize; 10];
    let mut repeated_batches = 0;
    let batches = 25_000;
    for _ in 0..batches {
        let batch = a.next_batch().to_vec();
        assert_eq!(batch, b.next_batch(), "same seed, same sequence");
        let mut sorted = batch.clone();
        sorted.sort_unstable();
        sorted.dedup();
        repeated_batches += usize::from(sorted.len() < 4);
        for i in batch {
            counts[i] += 1;
        }
    }
    // 100 000 draws, each index expected 10 000 times with standard deviation
    // √(10⁵·0.1·0.9) ≈ 95: every count within 5 SD.
    for (i, &c) in counts.iter().enumerate() {
        assert!(c.abs_diff(10_000) < 475, "index {i} drawn {c} times");
    }
    // P(a batch of 4 from 10 repeats an index) = 1 − 10·9·8·7/10⁴ = 0.496;
    // over 25 000 batches the SD of the count is ≈ 79: within 5 SD of 12 400.
    assert!(
        repeated_batches.abs_diff(12_400) < 400,
        "{repeated_batches}"
    );
    let err = ReplacementSampler::new(0, 4, 1)
        .expect_err("no samples")
        .to_string();
    assert_eq!(
        err,
        "replacement sampler: number of samples must be ≥ 1, got 0"
    );
}

// ---------- issue 15, item 6: labels, long fields, bytes that are not UTF-8 ----------

#[test]
fn a_stray_huge_label_is_an_error_naming_its_line_not_an_allocation() {
    // Used to infer 10¹² + 1 classes and allocate terabytes for the one-hot targets.
    let text = "0.5,1.5,0\n0.25,2,1\n1,1,1000000000000\n3,3,0\n";
    check_err(
        csv(text, &CsvOptions::default()),
        "digits.csv line 3: label in column 3 is 1000000000000, but the file has 3 distinct \
         labels, so they must be 0..3; give the number of classes if some class has no sample",
    );
    let given = CsvOptions {
        n_classes: Some(2),
        ..CsvOptions::default()
    };
    check_err(
        csv(text, &given),
        "digits.csv line 3: label in column 3 is 1000000000000, outside 0..2 (2 classes)",
    );
    let huge = CsvOptions {
        n_classes: Some(1 << 40),
        ..CsvOptions::default()
    };
    let e = csv("1,0\n", &huge).unwrap_err().to_string();
    assert!(
        e.ends_with("1099511627776 classes exceed the limit of 1048576"),
        "{e}"
    );
}

#[test]
fn error_messages_quote_a_short_prefix_of_a_long_field() {
    // A 100 000-character field is quoted by its first 40 characters and its length.
    let field = "x".repeat(100_000);
    let text = format!("1,{field},0\n");
    check_err(
        csv(&text, &CsvOptions::default()),
        &format!(
            "digits.csv line 1: column 2 is \"{}\"… (100000 bytes), not a number",
            "x".repeat(40)
        ),
    );
}

#[test]
fn bytes_that_are_not_utf8_are_reported_by_line_and_offset() {
    // Line 2 is "1,\xff,0": the bad byte is byte 3 of the line, offset 8 of the file (counted from 0).
    let bytes = b"0,1,0\n1,\xff,0\n";
    check_err(
        parse_csv_bytes(bytes, "data.csv", &CsvOptions::default()),
        "data.csv line 2: byte 3 of the line (offset 8 in the file) is not valid UTF-8",
    );
}
