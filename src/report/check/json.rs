//! The check report as its versioned JSON document: the report's own fields (led by
//! `format_version`), then `totals`, so that a reader need not count findings itself.

use serde::Serialize;

use crate::check::{CheckReport, Totals};

#[derive(Serialize)]
struct Document<'a> {
    #[serde(flatten)]
    report: &'a CheckReport,
    totals: Totals,
}

/// The report as pretty-printed JSON.
pub fn render(report: &CheckReport) -> String {
    let document = Document {
        report,
        totals: report.totals(),
    };
    // Every map key is a string and every value plain data: serializing cannot fail.
    serde_json::to_string_pretty(&document).expect("check reports serialize")
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::Value;

    use super::super::fixture;
    use super::*;
    use crate::addr::AccountId;
    use crate::check::{Finding, CHECK_FORMAT_VERSION};

    #[test]
    fn round_trips() {
        let report = fixture::report();
        let value: Value = serde_json::from_str(&render(&report)).expect("valid JSON");

        assert_eq!(value["format_version"], CHECK_FORMAT_VERSION);
        let findings: Vec<Finding> =
            serde_json::from_value(value["findings"].clone()).expect("findings read back");
        assert_eq!(findings, report.findings);
        let names: BTreeMap<AccountId, String> =
            serde_json::from_value(value["account_names"].clone()).expect("names read back");
        assert_eq!(names, report.account_names);
        let ids: Vec<&str> = value["controls"]
            .as_array()
            .expect("controls")
            .iter()
            .filter_map(|c| c["id"].as_str())
            .collect();
        let expected: Vec<&str> = report.controls.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, expected);
        assert_eq!(
            value["totals"],
            serde_json::json!({ "pass": 8, "fail": 2, "error": 1, "not_applicable": 2 })
        );
        assert_eq!(value["checked_at"], "2025-03-14T09:26:53Z");
    }

    #[test]
    fn keys_keep_a_fixed_order() {
        let text = render(&fixture::report());
        let value: serde_json::Map<String, Value> = serde_json::from_str(&text).expect("object");
        let keys: Vec<&str> = value.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "format_version",
                "irready_version",
                "environment",
                "checked_at",
                "account_names",
                "controls",
                "findings",
                "totals"
            ]
        );
    }
}
