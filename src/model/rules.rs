//! Judgements both plan and check make, as pure functions of plain values.

use std::collections::BTreeSet;

use serde_json::Value;

/// What a breakglass trust policy allows beyond `allowed` principals with MFA: every
/// other principal it trusts, and statements that do not require MFA.
pub fn trust_gaps(policy: &Value, allowed: &BTreeSet<&str>) -> Vec<String> {
    let mut gaps = Vec::new();
    for statement in statements(policy) {
        if statement.get("Effect").and_then(Value::as_str) != Some("Allow") {
            continue;
        }
        for principal in principals(statement) {
            if principal == "*" || !allowed.contains(principal.as_str()) {
                gaps.push(format!("trusts {principal}"));
            }
        }
        let mfa = statement
            .pointer("/Condition/Bool/aws:MultiFactorAuthPresent")
            .is_some_and(|v| v == "true" || v == &Value::Bool(true));
        if !mfa {
            gaps.push("a statement does not require MFA".to_owned());
        }
    }
    gaps
}

pub fn statements(policy: &Value) -> Vec<&Value> {
    match policy.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => Vec::new(),
    }
}

/// Every principal a statement names, whatever its kind (`AWS`, `Service`, `*`).
pub fn principals(statement: &Value) -> Vec<String> {
    let strings = |v: &Value| -> Vec<String> {
        match v {
            Value::String(s) => vec![s.clone()],
            Value::Array(items) => items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        }
    };
    match statement.get("Principal") {
        Some(Value::Object(kinds)) => kinds.values().flat_map(strings).collect(),
        Some(other) => strings(other),
        None => Vec::new(),
    }
}
