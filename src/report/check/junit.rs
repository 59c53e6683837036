//! The check report as JUnit XML, which most CI systems show as test results: one
//! `<testsuite>` per control, one `<testcase>` per control × target (× resource, for the
//! per-resource controls). A failing finding is a
//! `<failure>` (its type the control's severity), a target that could not be read an
//! `<error>`, a control that does not apply there `<skipped>`.
//!
//! Test case names are the bare `account/region`: CI systems track a test's history by its
//! name, and account names can change. The account name goes into the failure's text.

use std::io;

use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;

use super::{count, findings_of, listed_findings, target_label};
use crate::check::{CheckReport, Control, Finding, Status, Totals};

/// The report as a JUnit XML document.
pub fn render(report: &CheckReport) -> String {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    // Writing into a Vec cannot fail.
    document(&mut writer, report).expect("writing to memory");
    let mut xml = String::from_utf8(writer.into_inner()).expect("quick-xml writes UTF-8");
    xml.push('\n');
    xml
}

fn document(w: &mut Writer<Vec<u8>>, report: &CheckReport) -> io::Result<()> {
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let totals = count(listed_findings(report));
    let name = format!("irready check {}", report.environment);
    let timestamp = report.checked_at.format("%Y-%m-%dT%H:%M:%S").to_string();
    let mut suites = w.create_element("testsuites");
    for (key, value) in counts(&totals) {
        suites = suites.with_attribute((key, value.as_str()));
    }
    suites
        .with_attribute(("name", xml_safe(&name).as_str()))
        .with_attribute(("timestamp", timestamp.as_str()))
        .write_inner_content(|w| {
            for control in &report.controls {
                suite(w, report, control, &timestamp)?;
            }
            Ok(())
        })?;
    Ok(())
}

/// The count attributes JUnit readers expect on suites.
fn counts(t: &Totals) -> [(&'static str, String); 4] {
    [
        (
            "tests",
            (t.pass + t.fail + t.error + t.not_applicable).to_string(),
        ),
        ("failures", t.fail.to_string()),
        ("errors", t.error.to_string()),
        ("skipped", t.not_applicable.to_string()),
    ]
}

fn suite(
    w: &mut Writer<Vec<u8>>,
    report: &CheckReport,
    control: &Control,
    timestamp: &str,
) -> io::Result<()> {
    let findings = findings_of(report, control.id);
    let totals = count(findings.iter().copied());
    let mut element = w
        .create_element("testsuite")
        .with_attribute(("name", control.id.as_str()));
    for (key, value) in counts(&totals) {
        element = element.with_attribute((key, value.as_str()));
    }
    element
        .with_attribute(("timestamp", timestamp))
        .write_inner_content(|w| {
            w.create_element("properties").write_inner_content(|w| {
                for (name, value) in [
                    ("title", control.title),
                    ("severity", control.severity.name()),
                    ("remediation", control.remediation),
                ] {
                    w.create_element("property")
                        .with_attribute(("name", name))
                        .with_attribute(("value", xml_safe(value).as_str()))
                        .write_empty()?;
                }
                Ok(())
            })?;
            for finding in findings {
                case(w, report, control, finding)?;
            }
            Ok(())
        })?;
    Ok(())
}

fn case(
    w: &mut Writer<Vec<u8>>,
    report: &CheckReport,
    control: &Control,
    finding: &Finding,
) -> io::Result<()> {
    // Per-resource controls have several findings per target: the resource tells them apart.
    let name = match &finding.resource {
        Some(resource) => format!("{} {resource}", finding.target),
        None => finding.target.to_string(),
    };
    let element = w
        .create_element("testcase")
        .with_attribute(("classname", control.id.as_str()))
        .with_attribute(("name", name.as_str()));
    let message = xml_safe(&finding.message);
    let (tag, kind) = match finding.status {
        Status::Pass => {
            element.write_empty()?;
            return Ok(());
        }
        Status::Fail => ("failure", control.severity.name()),
        Status::Error => ("error", "error"),
        Status::NotApplicable => ("skipped", ""),
    };
    element.write_inner_content(|w| {
        let inner = w
            .create_element(tag)
            .with_attribute(("message", message.as_str()));
        if finding.status == Status::NotApplicable {
            inner.write_empty()?;
        } else {
            let body = xml_safe(&details(report, control, finding));
            inner
                .with_attribute(("type", kind))
                .write_text_content(BytesText::new(&body))?;
        }
        Ok(())
    })?;
    Ok(())
}

/// The failure's text: where, what, the evidence, and what to do.
fn details(report: &CheckReport, control: &Control, finding: &Finding) -> String {
    let mut text = format!(
        "{}: {}\n{}",
        target_label(report, &finding.target),
        finding.message,
        control.title
    );
    for evidence in &finding.evidence {
        text.push_str("\n  ");
        text.push_str(evidence);
    }
    if finding.status == Status::Fail {
        text.push_str("\nRemediation: ");
        text.push_str(control.remediation);
    }
    text
}

/// XML 1.0 cannot carry most control characters, even escaped; a message from a service
/// could hold one. They become U+FFFD. Escaping of markup is left to quick-xml.
fn xml_safe(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => '\u{FFFD}',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use quick_xml::events::{BytesStart, Event};
    use quick_xml::{Reader, XmlVersion};

    use super::super::fixture;
    use super::*;
    use crate::check::controls;

    /// The elements of a document with their attributes, in order, read back by a parser.
    fn elements(xml: &str) -> Vec<(String, Vec<(String, String)>)> {
        let mut reader = Reader::from_str(xml);
        let mut out = Vec::new();
        let attrs = |e: &BytesStart<'_>| -> Vec<(String, String)> {
            e.attributes()
                .map(|a| {
                    let a = a.expect("well-formed attribute");
                    let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
                    (
                        key,
                        a.normalized_value(XmlVersion::default())
                            .expect("escaped value")
                            .into_owned(),
                    )
                })
                .collect()
        };
        loop {
            match reader.read_event().expect("well-formed XML") {
                Event::Start(e) | Event::Empty(e) => {
                    let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                    out.push((name, attrs(&e)));
                }
                Event::Eof => break,
                _ => {}
            }
        }
        out
    }

    fn attr<'a>(attrs: &'a [(String, String)], key: &str) -> &'a str {
        attrs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("no attribute {key} in {attrs:?}"))
    }

    fn named<'a>(
        elements: &'a [(String, Vec<(String, String)>)],
        name: &str,
    ) -> Vec<&'a [(String, String)]> {
        elements
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, a)| a.as_slice())
            .collect()
    }

    #[test]
    fn parses_with_the_right_counts() {
        let report = fixture::report();
        let xml = render(&report);
        let elements = elements(&xml);

        assert_eq!(named(&elements, "testcase").len(), report.findings.len());
        assert_eq!(named(&elements, "failure").len(), 2);
        assert_eq!(named(&elements, "error").len(), 1);
        assert_eq!(named(&elements, "skipped").len(), 2);

        let root = named(&elements, "testsuites")[0];
        assert_eq!(attr(root, "tests"), "13");
        assert_eq!(attr(root, "failures"), "2");
        assert_eq!(attr(root, "errors"), "1");
        assert_eq!(attr(root, "skipped"), "2");

        let suites = named(&elements, "testsuite");
        assert_eq!(suites.len(), report.controls.len());
        let gd = suites
            .iter()
            .find(|s| attr(s, "name") == controls::ControlId::GuardDuty.as_str())
            .expect("GuardDuty suite");
        assert_eq!(
            [
                attr(gd, "tests"),
                attr(gd, "failures"),
                attr(gd, "errors"),
                attr(gd, "skipped")
            ],
            ["4", "2", "1", "0"]
        );
    }

    #[test]
    fn failures_carry_message_and_severity_escaped() {
        let xml = render(&fixture::report());
        let elements = elements(&xml);
        let failure = named(&elements, "failure")[0];
        assert_eq!(
            attr(failure, "message"),
            "no detector <b>\"here\"</b> & there"
        );
        assert_eq!(attr(failure, "type"), "high");
        let case = named(&elements, "testcase")
            .into_iter()
            .find(|c| attr(c, "classname") == controls::ControlId::GuardDuty.as_str())
            .expect("GuardDuty case");
        assert_eq!(attr(case, "name"), "111111111111/eu-west-1");
        assert!(xml.contains("prod-app (111111111111)/eu-west-1: no detector &lt;b&gt;"));
        assert!(xml.contains("Remediation: Apply the regional-baseline component"));
    }

    #[test]
    fn control_characters_do_not_break_the_document() {
        let mut report = fixture::report();
        report.findings[0].message = "bad \u{1b}[31m byte \u{0}".to_owned();
        let xml = render(&report);
        assert!(!xml.contains('\u{1b}') && !xml.contains('\u{0}'), "{xml}");
        assert!(!elements(&xml).is_empty());
    }
}
