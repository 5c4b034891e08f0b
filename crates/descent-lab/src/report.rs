//! The report of one experiment: claim, setup, tables, figures and checks.
//!
//! A [`Report`] is plain data (serde). Numbers enter it already formatted by
//! [`fmt_num`], so the report, its Markdown rendering and its snapshot all show
//! the same digits. Checks keep their verdict next to the numbers that decided
//! it; the verdict is computed by the constructors of [`Check`], never typed.

use serde::{Deserialize, Serialize};

use crate::format::fmt_num;

/// What an experiment produced, ready to render.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Stable experiment name ("E7").
    pub id: String,
    /// File-name slug ("quadratic-1d-regimes").
    pub slug: String,
    /// Human title.
    pub title: String,
    /// The claim under test.
    pub claim: Claim,
    /// Every setting, seed and problem, printed from the values used.
    pub setup: Vec<SetupItem>,
    /// Free-text lines of theory or observation, each computed or quoted
    /// from the catalogue.
    pub notes: Vec<String>,
    /// Theory beside measurement.
    pub tables: Vec<Table>,
    /// SVG figures; the first is the key figure of the index.
    pub figures: Vec<Figure>,
    /// The pass checks, each with its verdict.
    pub checks: Vec<Check>,
}

/// The claim an experiment tests, in one sentence, with its source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    /// The claim.
    pub statement: String,
    /// Where it comes from ("lecture notes; F20 lec 6 chat").
    pub source: String,
}

/// One setting of the setup: a name and its value as used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetupItem {
    /// What it is ("η/η_opt", "seed").
    pub name: String,
    /// Its value, formatted.
    pub value: String,
}

/// A table of formatted cells.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    /// Caption above the table.
    pub title: String,
    /// Column headers.
    pub header: Vec<String>,
    /// Rows, each as long as the header.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// An empty table with the given title and headers.
    pub fn new(title: impl Into<String>, header: &[&str]) -> Self {
        Self {
            title: title.into(),
            header: header.iter().map(|h| (*h).to_owned()).collect(),
            rows: Vec::new(),
        }
    }

    /// Append a row.
    ///
    /// # Panics
    /// If the row's length differs from the header's (a bug in the experiment).
    pub fn push(&mut self, row: Vec<String>) {
        assert_eq!(
            row.len(),
            self.header.len(),
            "table `{}`: row has {} cells, header has {}",
            self.title,
            row.len(),
            self.header.len()
        );
        self.rows.push(row);
    }
}

/// An SVG figure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figure {
    /// File stem without extension; the file is `<id>-<stem>.svg`.
    pub stem: String,
    /// One-line caption (also the alt text).
    pub caption: String,
    /// The SVG document.
    pub svg: String,
}

/// Whether a check holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// The measurement satisfies the check.
    Holds,
    /// It does not.
    Fails,
}

impl Verdict {
    /// `Holds` if `ok`.
    pub fn from_bool(ok: bool) -> Self {
        if ok { Verdict::Holds } else { Verdict::Fails }
    }
    /// "holds" / "fails".
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Holds => "holds",
            Verdict::Fails => "fails",
        }
    }
}

/// A pass check: what was compared, with the numbers, and the verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    /// What is checked ("max_k |e_{k+1}/e_k − (1−ηa)| ≤ 1e-12").
    pub description: String,
    /// The measured side, formatted.
    pub measured: String,
    /// The expected side (a value, a bound or a set), formatted.
    pub expected: String,
    /// The verdict, computed from the unformatted numbers.
    pub verdict: Verdict,
}

impl Check {
    /// `|measured − expected| ≤ tolerance`.
    pub fn within(
        description: impl Into<String>,
        measured: f64,
        expected: f64,
        tolerance: f64,
    ) -> Self {
        let ok = (measured - expected).abs() <= tolerance;
        Self {
            description: description.into(),
            measured: fmt_num(measured),
            expected: format!("{} ± {}", fmt_num(expected), fmt_num(tolerance)),
            verdict: Verdict::from_bool(ok),
        }
    }

    /// `|measured − expected| ≤ tolerance · |expected|`.
    pub fn within_relative(
        description: impl Into<String>,
        measured: f64,
        expected: f64,
        tolerance: f64,
    ) -> Self {
        let ok = (measured - expected).abs() <= tolerance * expected.abs();
        Self {
            description: description.into(),
            measured: fmt_num(measured),
            expected: format!(
                "{} (relative tolerance {})",
                fmt_num(expected),
                fmt_num(tolerance)
            ),
            verdict: Verdict::from_bool(ok),
        }
    }

    /// `measured ≤ bound`. A measured value below a thousandth of the bound is
    /// shown as `< bound/1000` ([`fmt_below`](crate::fmt_below)): far inside the
    /// bound its last digits are rounding and would differ between CPUs.
    pub fn at_most(description: impl Into<String>, measured: f64, bound: f64) -> Self {
        Self {
            description: description.into(),
            measured: crate::fmt_below(measured, bound.abs() * 1e-3),
            expected: format!("≤ {}", fmt_num(bound)),
            verdict: Verdict::from_bool(measured <= bound),
        }
    }

    /// `measured < bound`, shown as [`Check::at_most`] shows it.
    pub fn less_than(description: impl Into<String>, measured: f64, bound: f64) -> Self {
        Self {
            description: description.into(),
            measured: crate::fmt_below(measured, bound.abs() * 1e-3),
            expected: format!("< {}", fmt_num(bound)),
            verdict: Verdict::from_bool(measured < bound),
        }
    }

    /// `measured > bound`.
    pub fn greater_than(description: impl Into<String>, measured: f64, bound: f64) -> Self {
        Self {
            description: description.into(),
            measured: fmt_num(measured),
            expected: format!("> {}", fmt_num(bound)),
            verdict: Verdict::from_bool(measured > bound),
        }
    }

    /// `lower ≤ measured ≤ upper`.
    pub fn in_range(description: impl Into<String>, measured: f64, lower: f64, upper: f64) -> Self {
        Self {
            description: description.into(),
            measured: fmt_num(measured),
            expected: format!("in [{}, {}]", fmt_num(lower), fmt_num(upper)),
            verdict: Verdict::from_bool(lower <= measured && measured <= upper),
        }
    }

    /// Two formatted values that must be equal (counts, labels, sets).
    pub fn equal<T: PartialEq + std::fmt::Display>(
        description: impl Into<String>,
        measured: T,
        expected: T,
    ) -> Self {
        Self {
            description: description.into(),
            verdict: Verdict::from_bool(measured == expected),
            measured: measured.to_string(),
            expected: expected.to_string(),
        }
    }

    /// The check holds.
    pub fn holds(&self) -> bool {
        self.verdict == Verdict::Holds
    }
}

impl Report {
    /// An empty report.
    pub fn new(
        id: impl Into<String>,
        slug: impl Into<String>,
        title: impl Into<String>,
        claim: impl Into<String>,
        source: impl Into<String>,
    ) -> Self {
        Self {
            id: id.into(),
            slug: slug.into(),
            title: title.into(),
            claim: Claim {
                statement: claim.into(),
                source: source.into(),
            },
            setup: Vec::new(),
            notes: Vec::new(),
            tables: Vec::new(),
            figures: Vec::new(),
            checks: Vec::new(),
        }
    }

    /// Record a setting.
    pub fn setup(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.setup.push(SetupItem {
            name: name.into(),
            value: value.into(),
        });
    }

    /// Add a note line.
    pub fn note(&mut self, line: impl Into<String>) {
        self.notes.push(line.into());
    }

    /// Add a figure.
    pub fn figure(&mut self, stem: impl Into<String>, caption: impl Into<String>, svg: String) {
        self.figures.push(Figure {
            stem: stem.into(),
            caption: caption.into(),
            svg,
        });
    }

    /// Add a check.
    pub fn check(&mut self, check: Check) {
        self.checks.push(check);
    }

    /// `Holds` iff every check holds (and there is at least one).
    pub fn verdict(&self) -> Verdict {
        Verdict::from_bool(!self.checks.is_empty() && self.checks.iter().all(Check::holds))
    }

    /// The checks that fail.
    pub fn failures(&self) -> Vec<&Check> {
        self.checks.iter().filter(|c| !c.holds()).collect()
    }

    /// The Markdown file name, `<id>-<slug>.md`.
    pub fn file_name(&self) -> String {
        format!("{}-{}.md", self.id, self.slug)
    }

    /// The SVG file name of a figure, `<id>-<stem>.svg`.
    pub fn figure_file_name(&self, figure: &Figure) -> String {
        format!("{}-{}.svg", self.id, figure.stem)
    }

    /// The structured results without SVG bodies: what the snapshots hold.
    pub fn summary(&self) -> Summary {
        Summary {
            id: self.id.clone(),
            title: self.title.clone(),
            setup: self.setup.clone(),
            notes: self.notes.clone(),
            tables: self.tables.clone(),
            figures: self
                .figures
                .iter()
                .map(|f| self.figure_file_name(f))
                .collect(),
            checks: self.checks.clone(),
        }
    }
}

/// A report's numbers and verdicts without the figures' SVG text, for snapshots.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Experiment id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Setup.
    pub setup: Vec<SetupItem>,
    /// Notes.
    pub notes: Vec<String>,
    /// Tables.
    pub tables: Vec<Table>,
    /// Figure file names.
    pub figures: Vec<String>,
    /// Checks with verdicts.
    pub checks: Vec<Check>,
}
