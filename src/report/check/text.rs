//! The check report for a terminal: one line per control, failing first, the failing
//! targets under each failing control, then the totals. Colors go through `console`, which
//! leaves them out when NO_COLOR is set or the output is not a terminal.

use std::fmt::Write;

use console::{pad_str, style, Alignment, StyledObject};

use super::{
    count, counts_phrase, findings_of, listed_findings, summaries, target_label, ControlSummary,
};
use crate::check::{CheckReport, Finding, Status};

/// Titles are cut to this many columns so that the counts line up.
const TITLE_WIDTH: usize = 60;

/// The report as text. `verbose` lists every target of every control, with evidence;
/// otherwise only the failing and erroring targets are listed.
pub fn render(report: &CheckReport, verbose: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "irready check for environment {} ({})",
        style(&report.environment).bold(),
        report.checked_at.format("%Y-%m-%d %H:%M:%S UTC")
    );
    let summaries = summaries(report);
    let id_width = summaries
        .iter()
        .map(|s| s.control.id.as_str().len())
        .max()
        .unwrap_or(0);
    let _ = writeln!(out);

    for summary in &summaries {
        control_line(&mut out, summary, id_width);
        for finding in findings_of(report, summary.control.id) {
            if verbose || matches!(finding.status, Status::Fail | Status::Error) {
                finding_lines(&mut out, report, finding, verbose);
            }
        }
    }

    let totals = count(listed_findings(report));
    let targets: std::collections::BTreeSet<_> =
        listed_findings(report).map(|f| &f.target).collect();
    let _ = writeln!(
        out,
        "\n{} {}, {}, {}, {} not applicable ({} controls, {} targets)",
        style("Totals:").bold(),
        paint(Some(Status::Fail), format!("{} fail", totals.fail)),
        paint(Some(Status::Error), format!("{} error", totals.error)),
        paint(Some(Status::Pass), format!("{} pass", totals.pass)),
        totals.not_applicable,
        report.controls.len(),
        targets.len(),
    );
    out
}

fn control_line(out: &mut String, summary: &ControlSummary<'_>, id_width: usize) {
    let c = summary.control;
    let _ = writeln!(
        out,
        "{} {}  {}  {}  {}",
        paint(summary.worst, symbol(summary.worst).to_owned()).bold(),
        pad_str(c.id.as_str(), id_width, Alignment::Left, None),
        pad_str(c.severity.name(), 8, Alignment::Left, None),
        pad_str(c.title, TITLE_WIDTH, Alignment::Left, Some("…")),
        paint(summary.worst, counts_phrase(&summary.counts, " / ")),
    );
}

fn finding_lines(out: &mut String, report: &CheckReport, finding: &Finding, verbose: bool) {
    let place = target_label(report, &finding.target);
    // Failing targets are what the list is for; the others say what they are, which colour
    // alone would not under NO_COLOR.
    let head = match finding.status {
        Status::Fail => paint(Some(Status::Fail), place).to_string(),
        Status::Error | Status::Pass | Status::NotApplicable => format!(
            "{} {}",
            paint(Some(finding.status), finding.status.to_string()),
            paint(Some(finding.status), place)
        ),
    };
    let _ = writeln!(out, "    {head}: {}", finding.message);
    if verbose {
        for evidence in &finding.evidence {
            let _ = writeln!(out, "        {}", style(evidence).dim());
        }
    }
}

/// The mark of a control's worst status.
fn symbol(worst: Option<Status>) -> &'static str {
    match worst {
        Some(Status::Fail) => "✗",
        Some(Status::Error) => "!",
        Some(Status::Pass) => "✓",
        Some(Status::NotApplicable) => "–",
        None => "·",
    }
}

fn paint(status: Option<Status>, text: String) -> StyledObject<String> {
    match status {
        Some(Status::Fail) => style(text).red(),
        Some(Status::Error) => style(text).yellow(),
        Some(Status::Pass) => style(text).green(),
        Some(Status::NotApplicable) | None => style(text).dim(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture;
    use super::*;
    use crate::check::controls;

    fn plain(report: &CheckReport, verbose: bool) -> String {
        console::strip_ansi_codes(&render(report, verbose)).into_owned()
    }

    fn line_of(text: &str, needle: &str) -> usize {
        text.lines()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no line with {needle} in\n{text}"))
    }

    #[test]
    fn failing_controls_come_first_with_their_failing_targets() {
        let text = plain(&fixture::report(), false);
        let gd = line_of(&text, controls::ControlId::GuardDuty.as_str());
        assert!(
            gd < line_of(&text, controls::ControlId::Trail.as_str()),
            "{text}"
        );
        assert!(
            gd < line_of(&text, controls::ControlId::Config.as_str()),
            "{text}"
        );
        let line = text.lines().nth(gd).unwrap_or_default();
        assert!(line.starts_with("✗ IR-GD-1"), "{line}");
        assert!(line.contains("high"), "{line}");
        assert!(line.contains("2 fail / 1 error / 1 pass"), "{line}");
        assert!(
            text.contains("    prod-app (111111111111)/eu-west-1: no detector"),
            "{text}"
        );
        assert!(
            text.contains("    error dev & test (222222222222)/eu-west-1: AccessDenied"),
            "{text}"
        );
        // Passing targets are not listed unless verbose.
        assert!(!text.contains("recorder on"), "{text}");
        assert!(
            text.contains(
                "Totals: 2 fail, 1 error, 8 pass, 2 not applicable (4 controls, 4 targets)"
            ),
            "{text}"
        );
    }

    #[test]
    fn long_titles_are_cut_so_counts_line_up() {
        let text = plain(&fixture::report(), false);
        let trail = text
            .lines()
            .nth(line_of(&text, controls::ControlId::Trail.as_str()))
            .unwrap_or_default();
        assert!(trail.contains("…"), "{trail}");
        assert!(trail.ends_with("1 pass"), "{trail}");
    }

    #[test]
    fn verbose_lists_passing_targets_and_evidence() {
        let text = plain(&fixture::report(), true);
        assert!(
            text.contains("pass prod-app (111111111111)/us-east-1: recorder on"),
            "{text}"
        );
        assert!(
            text.contains("not applicable dev & test (222222222222)/us-east-1: no VPC"),
            "{text}"
        );
        assert!(
            text.contains("        arn:aws:example:::IR-CONFIG-1"),
            "{text}"
        );
    }

    #[test]
    fn a_control_evaluated_nowhere_says_so() {
        let mut report = fixture::report();
        report
            .findings
            .retain(|f| f.control != controls::ControlId::Config);
        let text = plain(&report, false);
        let config = text
            .lines()
            .nth(line_of(&text, controls::ControlId::Config.as_str()))
            .unwrap_or_default();
        assert!(config.starts_with("· IR-CONFIG-1"), "{config}");
        assert!(config.ends_with("not evaluated"), "{config}");
    }
}
