//! The check report as SARIF 2.1.0, the format code scanning services read: the controls
//! are the tool's rules, the failing findings its results.
//!
//! A finding has no place in a source file, so each result's location is logical: the
//! account × region it was found in. When the caller names the environment file, results
//! also point at it, since some services only show results that sit in a file.

use serde::Serialize;

use super::target_label;
use crate::check::{CheckReport, Control, Finding, Severity, Status};

/// The schema the document declares.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The report as a SARIF log with one run. `environment_file` is a path relative to the
/// repository root.
pub fn render(report: &CheckReport, environment_file: Option<&str>) -> String {
    let artifact = environment_file.map(|path| ArtifactLocation { uri: uri_of(path) });
    let results = report
        .findings
        .iter()
        .filter_map(|f| {
            let index = report.controls.iter().position(|c| c.id == f.control)?;
            let control = &report.controls[index];
            result(report, index, control, f, artifact.as_ref())
        })
        .collect();
    let log = Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "irready",
                    version: &report.irready_version,
                    rules: report.controls.iter().map(rule).collect(),
                },
            },
            automation_details: AutomationDetails {
                id: format!("irready-check/{}/", report.environment),
            },
            invocations: [Invocation {
                execution_successful: true,
                end_time_utc: report
                    .checked_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            }],
            results,
            properties: RunProperties {
                environment: &report.environment,
                format_version: report.format_version,
            },
        }],
    };
    // Plain data with string keys: serializing cannot fail.
    serde_json::to_string_pretty(&log).expect("SARIF logs serialize")
}

/// The level a failing result of this severity gets.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// The score code scanning services rank security alerts by (0.1 to 10): critical is above
/// 9, high 7 to 8.9, medium 4 to 6.9, low below 4.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

fn rule(control: &Control) -> Rule<'_> {
    Rule {
        id: control.id.as_str(),
        short_description: Text {
            text: control.title,
        },
        full_description: Text {
            text: control.title,
        },
        help: Text {
            text: control.remediation,
        },
        default_configuration: Configuration {
            level: level(control.severity),
        },
        properties: RuleProperties {
            security_severity: security_severity(control.severity),
            severity: control.severity.name(),
            tags: ["security", "incident-readiness"],
            reads: control.reads,
        },
    }
}

/// A result for a failing or erroring finding; none for the others.
///
/// A target that could not be read is not a failure of the control: SARIF calls a result
/// whose presence is unknown `open`, and then requires the level `none`.
fn result<'a>(
    report: &'a CheckReport,
    rule_index: usize,
    control: &'a Control,
    finding: &'a Finding,
    artifact: Option<&ArtifactLocation>,
) -> Option<SarifResult<'a>> {
    let (kind, level, text) = match finding.status {
        Status::Fail => ("fail", level(control.severity), finding.message.clone()),
        Status::Error => (
            "open",
            "none",
            format!("could not be evaluated: {}", finding.message),
        ),
        Status::Pass | Status::NotApplicable => return None,
    };
    let place = target_label(report, &finding.target);
    Some(SarifResult {
        rule_id: control.id.as_str(),
        rule_index,
        kind,
        level,
        message: OwnedText {
            text: format!("{place}: {text}"),
        },
        locations: [Location {
            physical_location: artifact.map(|a| PhysicalLocation {
                artifact_location: a.clone(),
            }),
            logical_locations: [LogicalLocation {
                name: finding.target.to_string(),
                fully_qualified_name: place,
                kind: "resource",
            }],
        }],
        partial_fingerprints: Fingerprints {
            irready: format!("{}/{}", control.id, finding.target),
        },
        properties: ResultProperties {
            account: finding.target.account.as_str(),
            account_name: report
                .account_names
                .get(&finding.target.account)
                .map(String::as_str),
            region: finding.target.region.as_str(),
            status: finding.status.name(),
            evidence: &finding.evidence,
        },
    })
}

/// A relative path as a URI reference: each segment percent-encoded, `/` between them.
fn uri_of(path: &str) -> String {
    path.split(['/', '\\'])
        .map(|segment| urlencoding::encode(segment).into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    automation_details: AutomationDetails,
    invocations: [Invocation; 1],
    results: Vec<SarifResult<'a>>,
    properties: RunProperties<'a>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
struct Driver<'a> {
    name: &'static str,
    version: &'a str,
    rules: Vec<Rule<'a>>,
}

#[derive(Serialize)]
struct AutomationDetails {
    id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    end_time_utc: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunProperties<'a> {
    environment: &'a str,
    format_version: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule<'a> {
    id: &'a str,
    short_description: Text<'a>,
    full_description: Text<'a>,
    help: Text<'a>,
    default_configuration: Configuration,
    properties: RuleProperties<'a>,
}

#[derive(Serialize)]
struct Text<'a> {
    text: &'a str,
}

#[derive(Serialize)]
struct OwnedText {
    text: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties<'a> {
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
    severity: &'static str,
    tags: [&'static str; 2],
    reads: &'a [&'a str],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    kind: &'static str,
    level: &'static str,
    message: OwnedText,
    locations: [Location; 1],
    partial_fingerprints: Fingerprints,
    properties: ResultProperties<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    physical_location: Option<PhysicalLocation>,
    logical_locations: [LogicalLocation; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
}

#[derive(Serialize, Clone)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation {
    name: String,
    fully_qualified_name: String,
    kind: &'static str,
}

/// What keeps a result's identity from one run to the next, so that a service tracks one
/// alert per control × target rather than a new one per run.
#[derive(Serialize)]
struct Fingerprints {
    #[serde(rename = "irready/v1")]
    irready: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultProperties<'a> {
    account: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    account_name: Option<&'a str>,
    region: &'a str,
    status: &'static str,
    evidence: &'a [String],
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::path::Path;
    use std::process::{Command, Stdio};

    use serde_json::Value;

    use super::super::fixture;
    use super::*;
    use crate::check::controls;

    /// The problems of `document` against the official SARIF 2.1.0 schema, vendored under
    /// tests/fixtures, found by Python's jsonschema (pinned in scripts/requirements.txt);
    /// empty when it is valid.
    fn schema_errors(document: &str) -> String {
        let schema =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sarif-schema-2.1.0.json");
        let script = r#"
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
validator = jsonschema.Draft7Validator(
    schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
document = json.load(sys.stdin)
for e in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path))):
    print("/".join(map(str, e.absolute_path)) + ": " + e.message)
"#;
        let mut child = Command::new("python3")
            .args(["-c", script])
            .arg(&schema)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("python3 runs");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(document.as_bytes())
            .expect("document written");
        let output = child.wait_with_output().expect("python3 finishes");
        assert!(
            output.status.success(),
            "the validator failed (is jsonschema installed? run scripts/setup):\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    #[test]
    fn matches_the_official_schema() {
        let report = fixture::report();
        for file in [None, Some("environments/prod env.yaml")] {
            let errors = schema_errors(&render(&report, file));
            assert!(errors.is_empty(), "not valid SARIF 2.1.0:\n{errors}");
        }
    }

    #[test]
    fn the_validation_rejects_what_breaks_the_schema() {
        // Without this, a validator that read nothing would pass every document.
        let mut value: Value =
            serde_json::from_str(&render(&fixture::report(), None)).expect("json");
        value["runs"][0]["results"][0]["level"] = "severe".into();
        let bad = serde_json::to_string(&value).expect("json");
        let errors = schema_errors(&bad);
        assert!(errors.contains("runs/0/results/0/level"), "{errors}");
    }

    #[test]
    fn rules_are_the_controls_and_results_the_failures() {
        let report = fixture::report();
        let value: Value =
            serde_json::from_str(&render(&report, Some("environments/prod env.yaml")))
                .expect("json");
        let run = &value["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
        assert_eq!(rules.len(), report.controls.len());
        let gd = &rules[1];
        assert_eq!(gd["id"], controls::ControlId::GuardDuty.as_str());
        assert_eq!(gd["properties"]["security-severity"], "8.0");
        assert_eq!(gd["defaultConfiguration"]["level"], "error");

        let results = run["results"].as_array().expect("results");
        let summary: Vec<(&str, &str, &str)> = results
            .iter()
            .map(|r| {
                (
                    r["kind"].as_str().unwrap_or_default(),
                    r["level"].as_str().unwrap_or_default(),
                    r["locations"][0]["logicalLocations"][0]["name"]
                        .as_str()
                        .unwrap_or_default(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("fail", "error", "111111111111/eu-west-1"),
                ("open", "none", "222222222222/eu-west-1"),
                ("fail", "error", "222222222222/us-east-1"),
            ]
        );
        assert_eq!(results[0]["ruleIndex"], 1);
        assert_eq!(
            results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "environments/prod%20env.yaml"
        );
        assert_eq!(
            results[0]["partialFingerprints"]["irready/v1"],
            "IR-GD-1/111111111111/eu-west-1"
        );
    }

    #[test]
    fn levels_follow_severity() {
        assert_eq!(level(Severity::Critical), "error");
        assert_eq!(level(Severity::High), "error");
        assert_eq!(level(Severity::Medium), "warning");
        assert_eq!(level(Severity::Low), "note");
    }
}
