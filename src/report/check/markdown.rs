//! The check report as Markdown for a pull-request comment: a summary line, a table of the
//! failing findings (most severe first), the targets that could not be read, then the
//! passing controls folded away in `<details>`.

use std::fmt::Write;

use super::{count, counts_phrase, listed_findings, summaries, target_label};
use crate::check::{CheckReport, Finding, Status};

/// The report as GitHub-flavoured Markdown.
pub fn render(report: &CheckReport) -> String {
    let mut out = String::new();
    let summaries = summaries(report);
    let totals = count(listed_findings(report));
    let failing_controls = summaries
        .iter()
        .filter(|s| s.worst == Some(Status::Fail))
        .count();
    let mark = if totals.fail > 0 {
        "❌"
    } else if totals.error > 0 {
        "⚠️"
    } else {
        "✅"
    };
    let _ = writeln!(
        out,
        "### {mark} irready check: `{}`\n\n{} of {} controls failing: {} failing, {} could not be \
         evaluated, {} passing, {} not applicable.\n",
        cell(&report.environment),
        failing_controls,
        report.controls.len(),
        totals.fail,
        totals.error,
        totals.pass,
        totals.not_applicable,
    );

    let mut failing: Vec<&Finding> = listed_findings(report)
        .filter(|f| f.status == Status::Fail)
        .collect();
    // Most severe first; the sort is stable, so report order (control, target) otherwise.
    failing.sort_by_key(|f| std::cmp::Reverse(report.control(f.control).map(|c| c.severity)));
    if !failing.is_empty() {
        findings_table(&mut out, report, &failing);
    }

    let errors: Vec<&Finding> = listed_findings(report)
        .filter(|f| f.status == Status::Error)
        .collect();
    if !errors.is_empty() {
        let _ = writeln!(out, "**Could not be evaluated**\n");
        findings_table(&mut out, report, &errors);
    }

    let passing: Vec<_> = summaries
        .iter()
        .filter(|s| !matches!(s.worst, Some(Status::Fail) | Some(Status::Error)))
        .collect();
    if !passing.is_empty() {
        let _ = writeln!(
            out,
            "<details>\n<summary>{} passing controls</summary>\n",
            passing.len()
        );
        let _ = writeln!(out, "| Control | Severity | Title | Targets |");
        let _ = writeln!(out, "|---|---|---|---|");
        for s in passing {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} |",
                s.control.id,
                s.control.severity,
                cell(s.control.title),
                counts_phrase(&s.counts, ", ")
            );
        }
        let _ = writeln!(out, "\n</details>");
    }
    out
}

fn findings_table(out: &mut String, report: &CheckReport, findings: &[&Finding]) {
    let _ = writeln!(out, "| Control | Severity | Target | Message |");
    let _ = writeln!(out, "|---|---|---|---|");
    for f in findings {
        let severity = report
            .control(f.control)
            .map(|c| c.severity.name())
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} |",
            cell(f.control.as_str()),
            severity,
            cell(&target_label(report, &f.target)),
            cell(&f.message)
        );
    }
    let _ = writeln!(out);
}

/// Text made safe for a table cell: GitHub renders inline HTML, a `|` ends the cell, a
/// newline the row, and a backtick could open a code span that swallows the rest.
fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' => out.push_str("\\|"),
            '`' => out.push_str("\\`"),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::fixture;
    use super::*;

    #[test]
    fn lists_the_failing_findings_then_folds_the_passing_controls() {
        let md = render(&fixture::report());
        assert!(md.starts_with("### ❌ irready check: `prod`"), "{md}");
        assert!(md.contains("1 of 4 controls failing: 2 failing, 1 could not be evaluated, 8 passing, 2 not applicable."), "{md}");
        assert!(md.contains(
            "| `IR-GD-1` | high | prod-app (111111111111)/eu-west-1 | no detector &lt;b&gt;\"here\"&lt;/b&gt; &amp; there |"
        ), "{md}");
        assert!(md.contains(
            "| `IR-GD-1` | high | dev &amp; test (222222222222)/us-east-1 | detector suspended &lt;/script&gt; |"
        ), "{md}");
        assert!(md.contains("**Could not be evaluated**"), "{md}");
        assert!(md.contains("AccessDenied: cannot assume role"), "{md}");
        let details = md.find("<details>").expect("details");
        assert!(
            md[details..].contains("<summary>3 passing controls</summary>"),
            "{md}"
        );
        assert!(md[details..].contains("| `IR-VPC-1` | high | Every VPC has a flow log recording all traffic | 2 pass, 2 n/a |"), "{md}");
        assert!(!md[..details].contains("IR-CONFIG-1"), "{md}");
    }

    #[test]
    fn pipes_stay_inside_their_cell() {
        let mut report = fixture::report();
        for f in &mut report.findings {
            if f.status == Status::Fail {
                f.message = "a | b\nc".to_owned();
            }
        }
        let md = render(&report);
        assert!(md.contains("| a \\| b c |"), "{md}");
    }

    #[test]
    fn all_passing_has_no_failure_table() {
        let mut report = fixture::report();
        report.findings.retain(|f| f.status == Status::Pass);
        let md = render(&report);
        assert!(md.starts_with("### ✅"), "{md}");
        assert!(
            !md.contains("| Control | Severity | Target | Message |"),
            "{md}"
        );
    }
}
