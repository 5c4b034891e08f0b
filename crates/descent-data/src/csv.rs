//! A validating reader for numeric CSV files: one sample per line, the
//! features and (optionally) an integer class label, comma-separated.
//!
//! The format: lines are separated by `\n` (a trailing `\r` is dropped);
//! blank lines are skipped; an optional first line is a header and is not
//! parsed; every other line holds the same number of fields separated by `,`,
//! each a decimal number (surrounding spaces allowed) that must be finite. With
//! a label column, that field must be a non-negative integer below the number
//! of classes. Every rejection names the file, the line (1-based, counting
//! skipped lines) and the column (1-based) with the offending text, quoted up
//! to [`QUOTE_LIMIT`] characters:
//! `digits.csv line 17: column 65 is "abc", not a number`. Bytes that are not
//! UTF-8 are reported by line and byte offset.
//!
//! **The class count is never inferred from the largest label:** it is given
//! ([`CsvOptions::n_classes`]) or it is the number of distinct labels, which
//! must then be `0..K` (a stray label `10¹²` is an error naming its line, not
//! a request for 10¹² classes).

use crate::dataset::Dataset;
use descent_core::Error;
use descent_linalg::Mat;
use std::path::Path;

/// Which field of a line is the class label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelColumn {
    /// No label: every field is a feature (the data set then has no labels and
    /// no targets, which [`Dataset`] refuses; use it with `targets` columns).
    None,
    /// The first field is the label.
    First,
    /// The last field is the label (the layout of the shipped digits and WDBC files).
    Last,
}

/// How to read a CSV file (see the module docs for the format).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvOptions {
    /// Skip the first line as a header. Default `false`.
    pub header: bool,
    /// Where the class label is. Default [`LabelColumn::Last`].
    pub label: LabelColumn,
    /// The number of classes `K`; labels must lie in `0..K`. `None` (the
    /// default): `K` is the number of distinct labels, and the labels must be
    /// exactly `0..K` (give `K` when some class has no sample).
    pub n_classes: Option<usize>,
    /// The number of trailing feature columns that are real-valued targets
    /// rather than inputs (a regression file), counted before the label column
    /// if there is one. Default 0.
    pub n_targets: usize,
}

impl Default for CsvOptions {
    fn default() -> Self {
        Self {
            header: false,
            label: LabelColumn::Last,
            n_classes: None,
            n_targets: 0,
        }
    }
}

/// Read and parse the CSV file at `path` (see [`parse_csv`]); the data set is
/// named after the file's name and its provenance is the path.
///
/// # Errors
/// [`Error::Invalid`] if the file cannot be read (naming the path and the I/O
/// error) and every error of [`parse_csv`].
pub fn load_csv(path: impl AsRef<Path>, options: &CsvOptions) -> Result<Dataset, Error> {
    let path = path.as_ref();
    let bytes = std::fs::read(path)
        .map_err(|e| Error::invalid("load_csv", format!("cannot read {}: {e}", path.display())))?;
    let file_name = path.file_name().map_or_else(
        || path.display().to_string(),
        |f| f.to_string_lossy().into_owned(),
    );
    parse_csv_bytes(&bytes, &file_name, options)
        .map(|d| d.renamed(file_name.clone(), path.display().to_string()))
}

/// [`parse_csv`] on raw bytes, which must be UTF-8.
///
/// # Errors
/// Bytes that are not UTF-8, naming the line and the byte offset within it
/// (`"data.csv line 3: byte 7 of the line (offset 41 in the file) is not valid
/// UTF-8"`), and every error of [`parse_csv`].
pub fn parse_csv_bytes(
    bytes: &[u8],
    file_name: &str,
    options: &CsvOptions,
) -> Result<Dataset, Error> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let offset = e.valid_up_to();
        let before = &bytes[..offset];
        let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        line_error(
            file_name,
            line,
            format!(
                "byte {} of the line (offset {offset} in the file) is not valid UTF-8",
                offset - line_start + 1
            ),
        )
    })?;
    parse_csv(text, file_name, options)
}

/// The most characters of an offending field an error message quotes.
pub const QUOTE_LIMIT: usize = 40;

/// `field` quoted for a message: in full up to [`QUOTE_LIMIT`] characters,
/// else its first [`QUOTE_LIMIT`] characters and its length.
fn quote(field: &str) -> String {
    match field.char_indices().nth(QUOTE_LIMIT) {
        None => format!("{field:?}"),
        Some((end, _)) => format!("{:?}… ({} bytes)", &field[..end], field.len()),
    }
}

fn line_error(file_name: &str, line: usize, message: String) -> Error {
    Error::invalid(format!("{file_name} line {line}"), message)
}

/// Parse CSV text into a [`Dataset`] (samples as columns). `file_name` is used
/// in every message and as the data set's name.
///
/// # Errors
/// [`Error::Invalid`] naming `file_name` when: the text has no data line
/// (`"digits.csv: is empty: no data lines"`); a line has a different number of
/// fields from the first data line; a field is not a number or not finite; a
/// label is not a non-negative integer or is `≥ n_classes`; there are no
/// feature columns left once labels and targets are taken; or the options ask
/// for neither labels nor targets.
pub fn parse_csv(text: &str, file_name: &str, options: &CsvOptions) -> Result<Dataset, Error> {
    if options.label == LabelColumn::None && options.n_targets == 0 {
        return Err(Error::invalid(
            format!("parse_csv {file_name}"),
            "the options give neither a label column nor target columns",
        ));
    }
    let has_label = options.label != LabelColumn::None;
    let mut width: Option<usize> = None;
    let mut features: Vec<f64> = Vec::new();
    let mut targets: Vec<f64> = Vec::new();
    let mut labels: Vec<usize> = Vec::new();
    // Each distinct label with the line and column where it first appears.
    let mut first_seen: std::collections::BTreeMap<usize, (usize, usize)> =
        std::collections::BTreeMap::new();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for (index, raw) in text.split('\n').enumerate() {
        let line_number = index + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if (options.header && index == 0) || line.trim().is_empty() {
            continue;
        }
        let n_fields = line.split(',').count();
        let expected = *width.get_or_insert(n_fields);
        if n_fields != expected {
            return Err(line_error(
                file_name,
                line_number,
                format!("has {n_fields} columns, expected {expected} (as on the first data line)"),
            ));
        }
        let n_extra = options.n_targets + usize::from(has_label);
        if n_fields <= n_extra {
            return Err(line_error(
                file_name,
                line_number,
                format!(
                    "has {n_fields} columns, but {} label and {} target columns leave no feature",
                    usize::from(has_label),
                    options.n_targets
                ),
            ));
        }
        let label_column = match options.label {
            LabelColumn::None => None,
            LabelColumn::First => Some(0),
            LabelColumn::Last => Some(n_fields - 1),
        };
        let first_value = usize::from(options.label == LabelColumn::First);
        let first_target = first_value + n_fields - n_extra;
        for (column, field) in line.split(',').enumerate() {
            let field = field.trim();
            if Some(column) == label_column {
                let label = parse_label(file_name, line_number, column, field, options.n_classes)?;
                first_seen.entry(label).or_insert((line_number, column));
                labels.push(label);
                continue;
            }
            let value: f64 = field.parse().map_err(|_| {
                line_error(
                    file_name,
                    line_number,
                    format!("column {} is {}, not a number", column + 1, quote(field)),
                )
            })?;
            if !value.is_finite() {
                return Err(line_error(
                    file_name,
                    line_number,
                    format!(
                        "column {} is {}, not a finite number",
                        column + 1,
                        quote(field)
                    ),
                ));
            }
            if column >= first_target {
                targets.push(value);
            } else {
                features.push(value);
            }
        }
    }
    let Some(width) = width else {
        return Err(Error::invalid(file_name, "is empty: no data lines"));
    };
    let d = width - options.n_targets - usize::from(has_label);
    let n = features.len() / d;
    let inputs = Mat::from_fn(d, n, |i, j| features[j * d + i]);
    let provenance = format!("parsed from {file_name}");
    let k = options.n_targets;
    let target_matrix = (k > 0).then(|| Mat::from_fn(k, n, |i, j| targets[j * k + i]));
    match (has_label, target_matrix) {
        (true, targets) => {
            let n_classes = match options.n_classes {
                Some(k) => k,
                None => distinct_classes(file_name, &first_seen)?,
            };
            let dataset =
                Dataset::classification(file_name, provenance, inputs, labels, n_classes)?;
            match targets {
                Some(t) => dataset.with_targets(t),
                None => Ok(dataset),
            }
        }
        (false, Some(t)) => Dataset::regression(file_name, provenance, inputs, t),
        (false, None) => unreachable!("checked at entry: labels or targets"),
    }
}

fn parse_label(
    file_name: &str,
    line_number: usize,
    column: usize,
    field: &str,
    n_classes: Option<usize>,
) -> Result<usize, Error> {
    // Accept "3" and also "3.0" (some writers format integers as floats).
    let label = field.parse::<usize>().ok().or_else(|| {
        let v: f64 = field.parse().ok()?;
        (v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v < 1e15).then_some(v as usize)
    });
    let Some(label) = label else {
        return Err(line_error(
            file_name,
            line_number,
            format!(
                "label in column {} is {}, not a non-negative integer",
                column + 1,
                quote(field)
            ),
        ));
    };
    match n_classes {
        Some(k) if label >= k => Err(line_error(
            file_name,
            line_number,
            format!(
                "label in column {} is {label}, outside 0..{k} ({k} classes)",
                column + 1
            ),
        )),
        _ => Ok(label),
    }
}

/// The class count of a file without a given one: the number K of distinct
/// labels, which must be exactly `0..K`.
fn distinct_classes(
    file_name: &str,
    first_seen: &std::collections::BTreeMap<usize, (usize, usize)>,
) -> Result<usize, Error> {
    let k = first_seen.len();
    // The first label (in file order) at or above K is the stray one.
    let stray = first_seen
        .range(k..)
        .map(|(label, place)| (*place, *label))
        .min();
    match stray {
        None => Ok(k),
        Some(((line, column), label)) => Err(line_error(
            file_name,
            line,
            format!(
                "label in column {} is {label}, but the file has {k} distinct labels, so they \
                 must be 0..{k}; give the number of classes if some class has no sample",
                column + 1
            ),
        )),
    }
}
