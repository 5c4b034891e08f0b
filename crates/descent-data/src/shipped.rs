//! The real data sets compiled into the crate: the UCI handwritten digits and
//! the Wisconsin diagnostic breast-cancer set. Their files, source and licence
//! are in `crates/descent-data/data/` (`README.md` there); loading them reads
//! no path and downloads nothing.

use crate::csv::{CsvOptions, LabelColumn, parse_csv};
use crate::dataset::Dataset;

/// The text of `data/digits.csv` (1797 lines of 64 pixels and a digit).
pub const DIGITS_CSV: &str = include_str!("../data/digits.csv");

/// The text of `data/breast_cancer.csv` (scikit-learn's header line, then 569
/// lines of 30 features and a class).
pub const BREAST_CANCER_CSV: &str = include_str!("../data/breast_cancer.csv");

/// The names of the breast-cancer classes 0 and 1, as in the file's header.
pub const BREAST_CANCER_CLASS_NAMES: [&str; 2] = ["malignant", "benign"];

/// The UCI optical-recognition handwritten digits, test part (Alpaydin &
/// Kaynak 1998): `N = 1797` samples of `d = 64` features (the 8×8 image in
/// row-major order, integer pixels in 0..=16, not rescaled), `K = 10` classes
/// (the digit). Per-class counts 178, 182, 177, 183, 181, 182, 181, 179, 174, 180.
///
/// # Panics
/// Never in practice: the shipped file is parsed by the validating
/// [`parse_csv`], and the crate's tests check that it parses to these sizes.
pub fn digits() -> Dataset {
    let options = CsvOptions {
        header: false,
        label: LabelColumn::Last,
        n_classes: Some(10),
        n_targets: 0,
    };
    parse_csv(DIGITS_CSV, "digits.csv", &options)
        .expect("the shipped digits.csv is valid (checked by the crate's tests)")
        .renamed(
            "digits",
            "UCI optical recognition of handwritten digits (Alpaydin & Kaynak 1998), test part, \
             via scikit-learn 1.9.1 sklearn/datasets/data/digits.csv.gz; CC BY 4.0",
        )
}

/// The Wisconsin diagnostic breast-cancer set, WDBC (Street, Wolberg &
/// Mangasarian 1993; Mangasarian, Street & Wolberg 1995): `N = 569` samples of
/// `d = 30` real features (not rescaled: areas reach ~4000, fractal dimensions
/// ~0.05 — standardise before training), `K = 2` classes, 0 = malignant (212),
/// 1 = benign (357) ([`BREAST_CANCER_CLASS_NAMES`]).
///
/// # Panics
/// Never in practice: the shipped file is parsed by the validating
/// [`parse_csv`] and its header's counts are checked; the crate's tests load it.
pub fn breast_cancer() -> Dataset {
    let options = CsvOptions {
        header: true,
        label: LabelColumn::Last,
        n_classes: Some(2),
        n_targets: 0,
    };
    let dataset = parse_csv(BREAST_CANCER_CSV, "breast_cancer.csv", &options)
        .expect("the shipped breast_cancer.csv is valid (checked by the crate's tests)");
    let header = BREAST_CANCER_CSV.lines().next().unwrap_or_default();
    assert_eq!(
        header,
        format!(
            "{},{},malignant,benign",
            dataset.n_samples(),
            dataset.n_features()
        ),
        "breast_cancer.csv: the header's counts match the rows"
    );
    dataset.renamed(
        "breast_cancer",
        "UCI Breast Cancer Wisconsin (Diagnostic), Wolberg, Street & Mangasarian 1995, \
         via scikit-learn 1.9.1 sklearn/datasets/data/breast_cancer.csv; CC BY 4.0",
    )
}
