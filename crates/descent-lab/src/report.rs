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
    /// from docs/claims.md.
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

/// What a check is about.
///
/// A report's verdict and the index count only [`CheckKind::Claim`] checks;
/// consistency checks are shown apart (and must hold too: a failing one is a
/// bug in a closed form, a constant or a helper, which `cargo xtask report`
/// and the tests report as a failure).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckKind {
    /// The lecture's statement against a measurement.
    Claim,
    /// A closed form against a typed reference value, a problem constant, a
    /// finite-difference check of a helper: bookkeeping that makes the claim
    /// checks trustworthy but is not itself the claim.
    Consistency,
}

/// A pass check: what was compared, with the numbers, and the verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    /// Claim or consistency check (constructors make claim checks; see
    /// [`Check::consistency`]).
    pub kind: CheckKind,
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
    ///
    /// The expected side also shows the deviation `|measured − expected|`
    /// (through [`fmt_below`](crate::fmt_below) with floor `tolerance/1000`,
    /// see `deviation_floor`), so a reader sees how close the two are even
    /// when both print with the same six digits.
    pub fn within(
        description: impl Into<String>,
        measured: f64,
        expected: f64,
        tolerance: f64,
    ) -> Self {
        let deviation = (measured - expected).abs();
        let ok = deviation <= tolerance;
        Self {
            kind: CheckKind::Claim,
            description: description.into(),
            measured: fmt_num(measured),
            expected: format!(
                "{} ± {} (deviation {})",
                fmt_num(expected),
                fmt_num(tolerance),
                crate::fmt_below(deviation, deviation_floor(tolerance))
            ),
            verdict: Verdict::from_bool(ok),
        }
    }

    /// `|measured − expected| ≤ tolerance · |expected|`.
    ///
    /// The expected side also shows the relative deviation
    /// `|measured − expected| / |expected|` (floor `tolerance/1000`, as in
    /// [`Check::within`]).
    pub fn within_relative(
        description: impl Into<String>,
        measured: f64,
        expected: f64,
        tolerance: f64,
    ) -> Self {
        let deviation = (measured - expected).abs();
        let ok = deviation <= tolerance * expected.abs();
        Self {
            kind: CheckKind::Claim,
            description: description.into(),
            measured: fmt_num(measured),
            expected: format!(
                "{} (relative tolerance {}, relative deviation {})",
                fmt_num(expected),
                fmt_num(tolerance),
                crate::fmt_below(deviation / expected.abs(), deviation_floor(tolerance))
            ),
            verdict: Verdict::from_bool(ok),
        }
    }

    /// `measured ≤ bound`, the measured side shown as `fmt_bounded` shows it (round-off bounds, `ROUNDOFF_BOUND` = 1e-9, print a holding value as `< bound`).
    pub fn at_most(description: impl Into<String>, measured: f64, bound: f64) -> Self {
        let ok = measured <= bound;
        Self {
            kind: CheckKind::Claim,
            description: description.into(),
            measured: fmt_bounded(measured, bound, ok),
            expected: format!("≤ {}", fmt_num(bound)),
            verdict: Verdict::from_bool(ok),
        }
    }

    /// `measured < bound`, shown as [`Check::at_most`] shows it.
    pub fn less_than(description: impl Into<String>, measured: f64, bound: f64) -> Self {
        let ok = measured < bound;
        Self {
            kind: CheckKind::Claim,
            description: description.into(),
            measured: fmt_bounded(measured, bound, ok),
            expected: format!("< {}", fmt_num(bound)),
            verdict: Verdict::from_bool(ok),
        }
    }

    /// `measured > bound`.
    pub fn greater_than(description: impl Into<String>, measured: f64, bound: f64) -> Self {
        Self {
            kind: CheckKind::Claim,
            description: description.into(),
            measured: fmt_num(measured),
            expected: format!("> {}", fmt_num(bound)),
            verdict: Verdict::from_bool(measured > bound),
        }
    }

    /// `lower ≤ measured ≤ upper`.
    pub fn in_range(description: impl Into<String>, measured: f64, lower: f64, upper: f64) -> Self {
        Self {
            kind: CheckKind::Claim,
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
            kind: CheckKind::Claim,
            description: description.into(),
            verdict: Verdict::from_bool(measured == expected),
            measured: measured.to_string(),
            expected: expected.to_string(),
        }
    }

    /// The same check, marked as a consistency check (shown apart from the
    /// claim checks, not counted in the verdict).
    #[must_use]
    pub fn consistency(mut self) -> Self {
        self.kind = CheckKind::Consistency;
        self
    }

    /// Whether this is a claim check.
    pub fn is_claim(&self) -> bool {
        self.kind == CheckKind::Claim
    }

    /// The check holds.
    pub fn holds(&self) -> bool {
        self.verdict == Verdict::Holds
    }
}

/// Bounds at or below this are round-off tolerances: a residual checked
/// against them (an equivariance error, (a) vs (b) of E11, a ratio's deviation
/// from `1 − ηa`) is a sum of a few hundred rounding errors of size
/// `ε_mach ≈ 2.2e-16`, so its digits depend on faer's SIMD path (AVX2 vs
/// AVX-512 change the summation order) and on libm. Above it a bound is a
/// modelling tolerance and the measured value carries information.
pub(crate) const ROUNDOFF_BOUND: f64 = 1e-9;

/// The measured side of [`Check::at_most`] / [`Check::less_than`].
///
/// * A failing value is always printed in full ([`fmt_num`]): the reader must
///   see by how much it missed.
/// * A holding value against a round-off bound (`0 < |bound| ≤ ROUNDOFF_BOUND`)
///   is printed as `< bound` ([`fmt_below`](crate::fmt_below) with floor
///   `|bound|`; a value equal to the bound prints in full): its digits are
///   rounding noise that differs between CPUs, and "below the bound" is all it
///   says. A zero bound is an exact check, whose value prints in full.
/// * Otherwise a value below `|bound|/1000` prints as `< bound/1000`
///   ([`fmt_below`](crate::fmt_below)), anything larger in full.
pub(crate) fn fmt_bounded(measured: f64, bound: f64, holds: bool) -> String {
    if !holds {
        fmt_num(measured)
    } else if bound != 0.0 && bound.abs() <= ROUNDOFF_BOUND {
        crate::fmt_below(measured, bound.abs())
    } else {
        crate::fmt_below(measured, bound.abs() * 1e-3)
    }
}

/// Floor under which [`Check::within`] / [`Check::within_relative`] print the
/// deviation as `< floor`: a thousandth of the tolerance, so a deviation far
/// inside the tolerance (rounding) prints the same on every CPU.
fn deviation_floor(tolerance: f64) -> f64 {
    tolerance.abs() * 1e-3
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

    /// An empty report of a registered experiment (its id, slug and title).
    pub fn for_experiment(
        experiment: &crate::Experiment,
        claim: impl Into<String>,
        source: impl Into<String>,
    ) -> Self {
        Self::new(
            experiment.id,
            experiment.slug,
            experiment.title,
            claim,
            source,
        )
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

    /// Add checks.
    pub fn checks(&mut self, checks: impl IntoIterator<Item = Check>) {
        self.checks.extend(checks);
    }

    /// The verdict on the claim: `Holds` iff every claim check holds (and
    /// there is at least one). Consistency checks do not enter it.
    pub fn verdict(&self) -> Verdict {
        let mut claims = self.checks.iter().filter(|c| c.is_claim()).peekable();
        Verdict::from_bool(claims.peek().is_some() && claims.all(Check::holds))
    }

    /// `(held, total)` over the checks of one kind.
    pub fn tally(&self, kind: CheckKind) -> (usize, usize) {
        let of_kind = self.checks.iter().filter(|c| c.kind == kind);
        let total = of_kind.clone().count();
        (of_kind.filter(|c| c.holds()).count(), total)
    }

    /// Every check that fails, of either kind.
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

#[cfg(test)]
mod tests {
    use super::{Check, Verdict, fmt_bounded};

    #[test]
    fn roundoff_bounds_print_a_holding_value_as_below_the_bound() {
        // 1.37e-14 against 1e-12: rounding noise, printed as the bound only.
        assert_eq!(fmt_bounded(1.37e-14, 1e-12, true), "< 1e-12");
        // 4.29e-13 against 1e-10 would print in full under the bound/1000 rule.
        assert_eq!(fmt_bounded(4.29e-13, 1e-10, true), "< 1e-10");
        assert_eq!(fmt_bounded(5e-10, 1e-9, true), "< 1e-9");
        // An exact check (bound 0) shows the value itself.
        assert_eq!(fmt_bounded(0.0, 0.0, true), "0");
        assert_eq!(fmt_bounded(1e-12, 1e-12, true), "1e-12");
        // Just above the round-off level: the bound/1000 floor applies.
        assert_eq!(fmt_bounded(2e-9, 1e-8, true), "2e-9");
        assert_eq!(fmt_bounded(2e-12, 1e-8, true), "< 1e-11");
        assert_eq!(fmt_bounded(0.5, 1.0, true), "0.5");
        // A failing value is printed in full whatever the bound.
        assert_eq!(fmt_bounded(3e-12, 1e-12, false), "3e-12");
        let c = Check::at_most("e", 3e-12, 1e-12);
        assert_eq!((c.measured.as_str(), c.verdict), ("3e-12", Verdict::Fails));
        let c = Check::less_than("e", 9.49e-14, 1e-12);
        assert_eq!(
            (c.measured.as_str(), c.verdict),
            ("< 1e-12", Verdict::Holds)
        );
        // Equal to a strict bound fails and shows the value.
        let c = Check::less_than("e", 1e-12, 1e-12);
        assert_eq!((c.measured.as_str(), c.verdict), ("1e-12", Verdict::Fails));
    }

    #[test]
    fn within_shows_the_deviation() {
        // |0.0017841201 − 0.00178412| = 1e-10 ≥ 1e-12 · 1e-3: printed.
        let c = Check::within("x", 0.001_784_120_1, 0.001_784_12, 1e-9);
        assert_eq!(c.verdict, Verdict::Holds);
        assert_eq!(c.expected, "0.00178412 ± 1e-9 (deviation 1e-10)");
        // A deviation below tolerance/1000 prints as a bound.
        let c = Check::within("x", 1.0, 1.0, 1e-6);
        assert_eq!(c.expected, "1 ± 1e-6 (deviation < 1e-9)");
        // Relative: |2.000002 − 2|/2 = 1e-6 ≤ 1e-5.
        let c = Check::within_relative("x", 2.000_002, 2.0, 1e-5);
        assert_eq!(c.verdict, Verdict::Holds);
        assert_eq!(
            c.expected,
            "2 (relative tolerance 1e-5, relative deviation 1e-6)"
        );
        let c = Check::within_relative("x", 2.1, 2.0, 1e-5);
        assert_eq!(c.verdict, Verdict::Fails);
        assert_eq!(
            c.expected,
            "2 (relative tolerance 1e-5, relative deviation 0.05)"
        );
    }
}
