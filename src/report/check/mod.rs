//! Views over a `CheckReport`, one module per output format: text for a terminal, JSON,
//! JUnit XML and SARIF for CI systems, Markdown for a pull-request comment, and one HTML
//! page with a coverage matrix. Each renders the data it is given and decides nothing: which
//! findings fail the run is the `check` command's business.
//!
//! Every view lists controls in the order of `CheckReport::controls` and shows only the
//! findings of those controls (evaluation produces no others).

pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;
pub mod text;

use crate::addr::Target;
use crate::check::{CheckReport, Control, ControlId, Finding, Status, Totals};

/// The output formats of `irready check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Junit,
    Sarif,
    Markdown,
    Html,
}

impl Format {
    pub const ALL: [Format; 6] = [
        Self::Text,
        Self::Json,
        Self::Junit,
        Self::Sarif,
        Self::Markdown,
        Self::Html,
    ];

    /// The name `--format` takes.
    pub fn name(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Json => "json",
            Self::Junit => "junit",
            Self::Sarif => "sarif",
            Self::Markdown => "markdown",
            Self::Html => "html",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// What some formats need beyond the report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RenderOptions {
    /// Text: list the targets of passing controls too, with evidence.
    pub verbose: bool,
    /// SARIF: the environment file, relative to the repository root, as the results'
    /// physical location. Code scanning services place an alert on a file, and the
    /// environment file is where the fix goes.
    pub environment_file: Option<String>,
}

/// The report in `format`.
pub fn render(report: &CheckReport, format: Format, options: &RenderOptions) -> String {
    match format {
        Format::Text => text::render(report, options.verbose),
        Format::Json => json::render(report),
        Format::Junit => junit::render(report),
        Format::Sarif => sarif::render(report, options.environment_file.as_deref()),
        Format::Markdown => markdown::render(report),
        Format::Html => html::render(report),
    }
}

/// One control with the counts of its findings, as the summary views list it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ControlSummary<'a> {
    pub control: &'a Control,
    pub counts: Totals,
    /// The worst status among its findings (`Status` sorts failing first); `None` when the
    /// control was evaluated nowhere.
    pub worst: Option<Status>,
}

/// The controls, those with failures first, then those with errors, then the rest; more
/// severe first within each group, then in report order.
pub(crate) fn summaries(report: &CheckReport) -> Vec<ControlSummary<'_>> {
    let mut out: Vec<ControlSummary<'_>> = report
        .controls
        .iter()
        .map(|control| {
            let findings = findings_of(report, control.id);
            ControlSummary {
                control,
                counts: count(findings.iter().copied()),
                worst: findings.iter().map(|f| f.status).min(),
            }
        })
        .collect();
    // Stable: equal keys keep report order. Not evaluated sorts after every status.
    out.sort_by_key(|s| {
        let group = match s.worst {
            Some(Status::Fail) => 0,
            Some(Status::Error) => 1,
            Some(Status::Pass) | Some(Status::NotApplicable) | None => 2,
        };
        (group, std::cmp::Reverse(s.control.severity))
    });
    out
}

/// The findings of one control, in report order (by target).
pub(crate) fn findings_of(report: &CheckReport, control: ControlId) -> Vec<&Finding> {
    report
        .findings
        .iter()
        .filter(|f| f.control == control)
        .collect()
}

/// Totals over some findings.
pub(crate) fn count<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Totals {
    let mut t = Totals::default();
    for f in findings {
        match f.status {
            Status::Pass => t.pass += 1,
            Status::Fail => t.fail += 1,
            Status::Error => t.error += 1,
            Status::NotApplicable => t.not_applicable += 1,
        }
    }
    t
}

/// The findings of the report's controls only (see the module doc).
pub(crate) fn listed_findings(report: &CheckReport) -> impl Iterator<Item = &Finding> {
    report
        .findings
        .iter()
        .filter(|f| report.control(f.control).is_some())
}

/// A target for people: `prod-app (123456789012)/eu-west-1`.
pub(crate) fn target_label(report: &CheckReport, target: &Target) -> String {
    format!(
        "{}/{}",
        report.account_label(&target.account),
        target.region
    )
}

/// The status as a machine-readable key (the JSON form), safe in HTML attributes and CSS
/// class names.
pub(crate) fn status_key(status: Status) -> &'static str {
    match status {
        Status::Fail => "fail",
        Status::Error => "error",
        Status::Pass => "pass",
        Status::NotApplicable => "not_applicable",
    }
}

/// Counts such as `2 fail / 1 error / 8 pass`, leaving out zeros.
pub(crate) fn counts_phrase(t: &Totals, separator: &str) -> String {
    let parts: Vec<String> = [
        (t.fail, "fail"),
        (t.error, "error"),
        (t.pass, "pass"),
        (t.not_applicable, "n/a"),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect();
    if parts.is_empty() {
        "not evaluated".to_owned()
    } else {
        parts.join(separator)
    }
}

#[cfg(test)]
pub(crate) mod fixture {
    //! A small report for the views' tests: four controls, two accounts × two regions,
    //! every status, and messages with characters each format must escape.

    use std::collections::BTreeMap;

    use chrono::{TimeZone, Utc};

    use crate::addr::{AccountId, Region, Target};
    use crate::check::controls::{self, ControlId};
    use crate::check::{CheckReport, Finding, Status, CHECK_FORMAT_VERSION};

    pub const PROD: &str = "111111111111";
    pub const DEV: &str = "222222222222";

    pub fn target(account: &str, region: &str) -> Target {
        Target::new(
            account.parse::<AccountId>().expect("fixture account"),
            region.parse::<Region>().expect("fixture region"),
        )
    }

    fn finding(control: ControlId, t: Target, status: Status, message: &str) -> Finding {
        Finding {
            control,
            target: t,
            status,
            message: message.to_owned(),
            evidence: vec![format!("arn:aws:example:::{control}")],
            resource: None,
        }
    }

    pub fn report() -> CheckReport {
        let ids = [
            controls::ControlId::Trail,
            controls::ControlId::GuardDuty,
            controls::ControlId::Config,
            controls::ControlId::FlowLogs,
        ];
        let controls = ids.iter().map(|id| controls::of(*id).clone()).collect();
        let home = target(PROD, "eu-west-1");
        let targets = [
            target(PROD, "eu-west-1"),
            target(PROD, "us-east-1"),
            target(DEV, "eu-west-1"),
            target(DEV, "us-east-1"),
        ];
        let mut findings = vec![finding(
            controls::ControlId::Trail,
            home,
            Status::Pass,
            "org trail logging",
        )];
        for t in &targets {
            let (status, message) = match (t.account.as_str(), t.region.as_str()) {
                (PROD, "eu-west-1") => (Status::Fail, "no detector <b>\"here\"</b> & there"),
                (DEV, "us-east-1") => (Status::Fail, "detector suspended </script>"),
                (DEV, "eu-west-1") => (Status::Error, "AccessDenied: cannot assume role"),
                _ => (Status::Pass, "detector enabled"),
            };
            findings.push(finding(
                controls::ControlId::GuardDuty,
                t.clone(),
                status,
                message,
            ));
        }
        for t in &targets {
            findings.push(finding(
                controls::ControlId::Config,
                t.clone(),
                Status::Pass,
                "recorder on",
            ));
        }
        for t in &targets {
            let (status, message) = match t.region.as_str() {
                "us-east-1" => (Status::NotApplicable, "no VPC"),
                _ => (Status::Pass, "every VPC has a flow log | all traffic"),
            };
            findings.push(finding(
                controls::ControlId::FlowLogs,
                t.clone(),
                status,
                message,
            ));
        }
        findings.sort_by(|a, b| (&a.control, &a.target).cmp(&(&b.control, &b.target)));
        CheckReport {
            format_version: CHECK_FORMAT_VERSION,
            irready_version: "0.1.0".to_owned(),
            environment: "prod".to_owned(),
            checked_at: Utc
                .with_ymd_and_hms(2025, 3, 14, 9, 26, 53)
                .single()
                .expect("fixture time"),
            account_names: BTreeMap::from([
                (
                    PROD.parse().expect("fixture account"),
                    "prod-app".to_owned(),
                ),
                (
                    DEV.parse().expect("fixture account"),
                    "dev & test".to_owned(),
                ),
            ]),
            controls,
            findings,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::controls;

    #[test]
    fn summaries_put_failures_first_then_errors() {
        let report = fixture::report();
        let order: Vec<ControlId> = summaries(&report).iter().map(|s| s.control.id).collect();
        // GuardDuty fails; the trail (critical) passes, before the high flow logs and the
        // medium Config.
        assert_eq!(
            order,
            [
                controls::ControlId::GuardDuty,
                controls::ControlId::Trail,
                controls::ControlId::FlowLogs,
                controls::ControlId::Config
            ]
        );
        let gd = summaries(&report)[0];
        assert_eq!((gd.counts.fail, gd.counts.error, gd.counts.pass), (2, 1, 1));
        assert_eq!(gd.worst, Some(Status::Fail));
    }

    #[test]
    fn formats_have_one_name_each() {
        for f in Format::ALL {
            assert_eq!(Format::from_name(f.name()), Some(f));
        }
    }
}
