//! The check report as one self-contained HTML page: a header with the totals and a
//! coverage matrix, targets (account × region) down, controls across, one cell per control ×
//! target coloured by its status. Clicking a cell shows its message, evidence and remediation
//! in a side panel.
//!
//! The matrix is written here, as HTML, so that the page reads without JavaScript and its
//! content can be checked without a browser. The script only shows details: it reads them
//! from a JSON block embedded in the page and sets `data-ready="true"` on the body once it
//! has run. Nothing is fetched: the page works from a file, an artifact store or an email.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use quick_xml::escape::escape;
use serde::Serialize;

use super::{count, listed_findings, status_key, target_label};
use crate::addr::{AccountId, Target};
use crate::check::{CheckReport, ControlScope, Status};

/// The report as an HTML document.
pub fn render(report: &CheckReport) -> String {
    let mut out = String::new();
    let title = format!("irready check: {}", report.environment);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        escape(&title)
    );
    header(&mut out, report);
    let _ = writeln!(out, "<main>");
    matrix(&mut out, report);
    let _ = writeln!(
        out,
        "<aside id=\"details\" aria-live=\"polite\"><p class=\"hint\">Select a cell to see \
         what was found there and what to do.</p></aside>\n</main>"
    );
    let _ = writeln!(
        out,
        "<script type=\"application/json\" id=\"irready-data\">{}</script>",
        script_json(&data(report))
    );
    let _ = writeln!(out, "<script>{SCRIPT}</script>\n</body>\n</html>");
    out
}

fn header(out: &mut String, report: &CheckReport) {
    let totals = count(listed_findings(report));
    let _ = writeln!(
        out,
        "<header>\n<h1>irready check: <span class=\"env\">{}</span></h1>\n\
         <p class=\"meta\">Checked {} · irready {} · {} controls in {} targets</p>",
        escape(&report.environment),
        report.checked_at.format("%Y-%m-%d %H:%M:%S UTC"),
        escape(&report.irready_version),
        report.controls.len(),
        targets(report).len(),
    );
    let _ = writeln!(out, "<ul class=\"totals\">");
    for (status, n) in [
        (Status::Fail, totals.fail),
        (Status::Error, totals.error),
        (Status::Pass, totals.pass),
        (Status::NotApplicable, totals.not_applicable),
    ] {
        let _ = writeln!(
            out,
            "<li class=\"total s-{}\" data-total=\"{}\"><b>{n}</b> {}</li>",
            status_key(status),
            status_key(status),
            status.name()
        );
    }
    let _ = writeln!(
        out,
        "<li class=\"total s-absent\"><span class=\"swatch\"></span> not evaluated</li>\n</ul>\n</header>"
    );
}

/// The targets that have a finding of a listed control, in address order.
fn targets(report: &CheckReport) -> BTreeSet<&Target> {
    listed_findings(report).map(|f| &f.target).collect()
}

fn matrix(out: &mut String, report: &CheckReport) {
    // The finding shown in each cell, by index into `report.findings`: the worst one, should
    // a control have been evaluated twice in the same target.
    let mut cells: BTreeMap<(&str, &Target), usize> = BTreeMap::new();
    for (i, f) in report.findings.iter().enumerate() {
        cells
            .entry((f.control.as_str(), &f.target))
            .and_modify(|j| {
                if f.status < report.findings[*j].status {
                    *j = i;
                }
            })
            .or_insert(i);
    }

    let _ = writeln!(
        out,
        "<div class=\"matrix-wrap\">\n<table class=\"matrix\">\n<thead><tr>\
         <th scope=\"col\">Account</th><th scope=\"col\">Region</th>"
    );
    for c in &report.controls {
        let _ = write!(
            out,
            "<th scope=\"col\" class=\"control sev-{}\" data-control=\"{}\" title=\"{}\">{}<small>{}</small></th>",
            c.severity.name(),
            escape(c.id.as_str()),
            escape(c.title),
            escape(c.id.as_str()),
            c.severity.name(),
        );
    }
    let _ = writeln!(out, "</tr></thead>\n<tbody>");

    let targets = targets(report);
    let mut by_account: BTreeMap<&AccountId, Vec<&Target>> = BTreeMap::new();
    for t in &targets {
        by_account.entry(&t.account).or_default().push(t);
    }
    for (account, regions) in by_account {
        for (row, target) in regions.iter().enumerate() {
            let key = target.to_string();
            let _ = write!(out, "<tr data-target=\"{}\">", escape(&key));
            if row == 0 {
                let name = report.account_names.get(account);
                let _ = write!(
                    out,
                    "<th scope=\"rowgroup\" rowspan=\"{}\" class=\"account\">{}<small>{}</small></th>",
                    regions.len(),
                    escape(name.map_or(account.as_str(), String::as_str)),
                    if name.is_some() { account.as_str() } else { "" },
                );
            }
            let _ = write!(
                out,
                "<th scope=\"row\" class=\"region\">{}</th>",
                target.region
            );
            for c in &report.controls {
                let label = target_label(report, target);
                match cells.get(&(c.id.as_str(), *target)) {
                    Some(&i) => {
                        let status = report.findings[i].status;
                        let _ = write!(
                            out,
                            "<td class=\"cell s-{s}\" data-status=\"{s}\" data-control=\"{}\" \
                             data-target=\"{}\" data-finding=\"{i}\" tabindex=\"0\" \
                             title=\"{}: {} in {}\">{}</td>",
                            escape(c.id.as_str()),
                            escape(&key),
                            escape(c.id.as_str()),
                            status.name(),
                            escape(&label),
                            symbol(status),
                            s = status_key(status),
                        );
                    }
                    None => {
                        let _ = write!(
                            out,
                            "<td class=\"cell s-absent\" data-status=\"absent\" data-control=\"{}\" \
                             data-target=\"{}\" tabindex=\"0\" title=\"{}: not evaluated in {}\"></td>",
                            escape(c.id.as_str()),
                            escape(&key),
                            escape(c.id.as_str()),
                            escape(&label),
                        );
                    }
                }
            }
            let _ = writeln!(out, "</tr>");
        }
    }
    let _ = writeln!(out, "</tbody>\n</table>\n</div>");
}

/// A mark besides the colour, for readers who cannot tell red from green.
fn symbol(status: Status) -> &'static str {
    match status {
        Status::Fail => "✗",
        Status::Error => "!",
        Status::Pass => "✓",
        Status::NotApplicable => "–",
    }
}

/// What the script needs to show a cell's details.
#[derive(Serialize)]
struct Data<'a> {
    controls: BTreeMap<&'a str, ControlData<'a>>,
    findings: Vec<FindingData<'a>>,
}

#[derive(Serialize)]
struct ControlData<'a> {
    title: &'a str,
    severity: &'static str,
    scope: ControlScope,
    reads: &'a [&'a str],
    remediation: &'a str,
}

#[derive(Serialize)]
struct FindingData<'a> {
    control: &'a str,
    target: String,
    status: &'static str,
    message: &'a str,
    evidence: &'a [String],
}

fn data(report: &CheckReport) -> Data<'_> {
    Data {
        controls: report
            .controls
            .iter()
            .map(|c| {
                (
                    c.id.as_str(),
                    ControlData {
                        title: c.title,
                        severity: c.severity.name(),
                        scope: c.scope,
                        reads: c.reads,
                        remediation: c.remediation,
                    },
                )
            })
            .collect(),
        // Every finding, so that `data-finding` indexes into `report.findings` directly.
        findings: report
            .findings
            .iter()
            .map(|f| FindingData {
                control: f.control.as_str(),
                target: target_label(report, &f.target),
                status: f.status.name(),
                message: &f.message,
                evidence: &f.evidence,
            })
            .collect(),
    }
}

/// JSON that is safe inside a `<script>` element: a message holding `</script>` or `<!--`
/// would otherwise end the element or change how the browser parses it. JSON strings may
/// spell any character as `\uXXXX`, and these characters occur only inside strings.
fn script_json<T: Serialize>(value: &T) -> String {
    // Plain data with string keys: serializing cannot fail.
    let json = serde_json::to_string(value).expect("page data serializes");
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
:root { --fail: #cf222e; --error: #e16f24; --pass: #2da44e; --na: #8c959f; --line: #d0d7de;
  --text: #1f2328; --muted: #59636e; --panel: #f6f8fa; font-family: system-ui, -apple-system,
  "Segoe UI", Roboto, sans-serif; color: var(--text); }
body { margin: 0; }
header { padding: 1rem 1.5rem; border-bottom: 1px solid var(--line); }
h1 { font-size: 1.3rem; margin: 0 0 .25rem; }
.meta { color: var(--muted); margin: 0 0 .75rem; }
.totals { list-style: none; display: flex; gap: 1.25rem; padding: 0; margin: 0; flex-wrap: wrap; }
.total::before, .swatch { content: ""; display: inline-block; width: .8rem; height: .8rem;
  border-radius: 2px; margin-right: .35rem; vertical-align: -1px; background: var(--c); }
.swatch { margin-right: 0; }
.total.s-absent::before { display: none; }
.s-fail { --c: var(--fail); } .s-error { --c: var(--error); } .s-pass { --c: var(--pass); }
.s-not_applicable { --c: var(--na); }
.s-absent { --c: transparent; } .s-absent .swatch { border: 1px dashed var(--na); }
main { display: flex; gap: 1.5rem; padding: 1rem 1.5rem; align-items: flex-start; }
.matrix-wrap { overflow: auto; flex: 1 1 auto; }
.matrix { border-collapse: collapse; font-size: .85rem; }
.matrix th { font-weight: 600; text-align: left; padding: .25rem .5rem; white-space: nowrap; }
.matrix thead th { position: sticky; top: 0; background: #fff; border-bottom: 1px solid var(--line);
  vertical-align: bottom; }
.matrix th small { display: block; font-weight: 400; color: var(--muted); }
.matrix th.control { text-align: center; cursor: help; }
.matrix tbody th { border-top: 1px solid var(--line); }
.matrix th.region { font-weight: 400; }
.cell { width: 2.6rem; height: 1.8rem; text-align: center; color: #fff; font-weight: 700;
  background: var(--c); border: 2px solid #fff; cursor: pointer; border-radius: 4px; }
.cell.s-absent { background: repeating-linear-gradient(45deg, #fff, #fff 4px, #eef1f4 4px, #eef1f4 8px); }
.cell:hover, .cell:focus { outline: 2px solid var(--text); outline-offset: -2px; }
.cell.selected { outline: 3px solid var(--text); outline-offset: -3px; }
aside { flex: 0 0 24rem; max-width: 40vw; position: sticky; top: 1rem; background: var(--panel);
  border: 1px solid var(--line); border-radius: 6px; padding: 1rem; overflow-wrap: anywhere; }
aside h2 { font-size: 1rem; margin: 0 0 .25rem; }
aside h3 { font-size: .85rem; margin: 1rem 0 .25rem; color: var(--muted); text-transform: uppercase; }
aside .status { display: inline-block; color: #fff; background: var(--c); padding: 0 .5rem;
  border-radius: 3px; font-weight: 600; }
aside .status.s-absent { color: var(--text); border: 1px dashed var(--na); }
aside ul { margin: 0; padding-left: 1.2rem; } aside code { font-size: .8rem; }
.hint { color: var(--muted); margin: 0; }
"#;

const SCRIPT: &str = r#"
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("irready-data").textContent);
  var panel = document.getElementById("details");
  var selected = null;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function section(title, content) {
    panel.appendChild(el("h3", "", title));
    panel.appendChild(content);
  }

  function list(items, asCode) {
    var ul = el("ul");
    items.forEach(function (item) {
      var li = el("li");
      li.appendChild(asCode ? el("code", "", item) : document.createTextNode(item));
      ul.appendChild(li);
    });
    return ul;
  }

  function show(cell) {
    if (selected) { selected.classList.remove("selected"); }
    selected = cell;
    cell.classList.add("selected");
    var id = cell.dataset.control;
    var control = data.controls[id];
    var finding = cell.dataset.finding === undefined ? null : data.findings[Number(cell.dataset.finding)];
    var status = cell.dataset.status;

    panel.replaceChildren();
    panel.appendChild(el("h2", "", id + " · " + control.severity));
    panel.appendChild(el("p", "", control.title));
    var badge = el("span", "status s-" + status, finding ? finding.status : "not evaluated");
    var where = el("p");
    where.appendChild(badge);
    where.appendChild(document.createTextNode(" " + (finding ? finding.target : cell.dataset.target)));
    panel.appendChild(where);
    if (finding) {
      section("Message", el("p", "", finding.message));
      if (finding.evidence.length) { section("Evidence", list(finding.evidence, true)); }
    } else {
      section("Message", el("p", "", "This control was not evaluated in this target (its scope: " + control.scope + ")."));
    }
    if (status === "fail" || status === "error") {
      section("Remediation", el("p", "", control.remediation));
    }
    section("Reads", list(control.reads, true));
  }

  var matrix = document.querySelector(".matrix");
  matrix.addEventListener("click", function (event) {
    var cell = event.target.closest("td.cell");
    if (cell) { show(cell); }
  });
  matrix.addEventListener("keydown", function (event) {
    var cell = event.target.closest("td.cell");
    if (cell && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      show(cell);
    }
  });

  // By class: the page's own text must not hold the attributes its cells are counted by.
  var first = document.querySelector("td.cell.s-fail, td.cell.s-error");
  if (first) { show(first); }
  document.body.dataset.ready = "true";
})();
"#;

#[cfg(test)]
mod tests {
    use super::super::fixture;
    use super::*;

    #[test]
    fn one_cell_per_control_and_target() {
        let report = fixture::report();
        let html = render(&report);
        let controls = report.controls.len();
        assert_eq!(html.matches("<td class=\"cell").count(), controls * 4);
        assert_eq!(html.matches("data-status=\"fail\"").count(), 2);
        assert_eq!(html.matches("data-status=\"error\"").count(), 1);
        assert_eq!(html.matches("data-status=\"pass\"").count(), 8);
        assert_eq!(html.matches("data-status=\"not_applicable\"").count(), 2);
        // The trail is evaluated in one target of four.
        assert_eq!(html.matches("data-status=\"absent\"").count(), 3);
        assert!(html.contains(
            "data-status=\"fail\" data-control=\"IR-GD-1\" data-target=\"111111111111/eu-west-1\""
        ));
    }

    #[test]
    fn messages_cannot_leave_the_data_block() {
        let html = render(&fixture::report());
        // The only `</script>` are the two that close the page's own scripts.
        assert_eq!(html.matches("</script>").count(), 2, "{html}");
        assert!(html.contains("detector suspended \\u003c/script\\u003e"));
        // Account names are escaped in the matrix.
        assert!(html.contains("dev &amp; test"));
        assert!(!html.contains("dev & test"));
    }

    #[test]
    fn embedded_data_reads_back() {
        let report = fixture::report();
        let html = render(&report);
        let start = html.find("id=\"irready-data\">").expect("data block") + 18;
        let end = start + html[start..].find("</script>").expect("end of data");
        let value: serde_json::Value = serde_json::from_str(&html[start..end]).expect("JSON");
        assert_eq!(
            value["findings"].as_array().map(Vec::len),
            Some(report.findings.len())
        );
        assert_eq!(value["controls"]["IR-GD-1"]["severity"], "high");
    }

    #[test]
    fn nothing_is_fetched() {
        let html = render(&fixture::report());
        for needle in ["src=", "href=", "<link", "@import", "url("] {
            assert!(!html.contains(needle), "the page refers to {needle}");
        }
    }
}
