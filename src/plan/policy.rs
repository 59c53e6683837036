//! Resource policies of irready's own stacks (key policies, bucket policies) as deployed,
//! compared with their templates: a policy edited outside irready shows as drift, and its
//! repair puts the template's policy back. Pure.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::addr::StackAddr;
use crate::aws::cfn::StackResource;

/// Resolves the intrinsic functions a policy in irready's templates uses (`Ref`,
/// `Fn::GetAtt [X, Arn]`, `Fn::Sub`) against the stack's deployed resources. `None` when
/// a reference cannot be resolved: then nothing is compared.
pub fn resolve(
    value: &Value,
    stack: &StackAddr,
    resources: &BTreeMap<String, StackResource>,
) -> Option<Value> {
    let context = Context { stack, resources };
    context.value(value)
}

struct Context<'a> {
    stack: &'a StackAddr,
    resources: &'a BTreeMap<String, StackResource>,
}

impl Context<'_> {
    fn value(&self, value: &Value) -> Option<Value> {
        match value {
            Value::Object(map) if map.len() == 1 => {
                let (key, inner) = map.iter().next().expect("one entry");
                match (key.as_str(), inner) {
                    ("Ref", Value::String(name)) => self.reference(name).map(Value::String),
                    ("Fn::GetAtt", Value::Array(parts)) => {
                        let logical = parts.first()?.as_str()?;
                        let attribute = parts.get(1)?.as_str()?;
                        self.attribute(logical, attribute).map(Value::String)
                    }
                    ("Fn::Sub", Value::String(text)) => self.substitute(text).map(Value::String),
                    _ => Some(Value::Object(self.object(map)?)),
                }
            }
            Value::Object(map) => Some(Value::Object(self.object(map)?)),
            Value::Array(items) => items
                .iter()
                .map(|item| self.value(item))
                .collect::<Option<Vec<_>>>()
                .map(Value::Array),
            other => Some(other.clone()),
        }
    }

    fn object(&self, map: &Map<String, Value>) -> Option<Map<String, Value>> {
        map.iter()
            .map(|(k, v)| Some((k.clone(), self.value(v)?)))
            .collect()
    }

    fn reference(&self, name: &str) -> Option<String> {
        match name {
            "AWS::AccountId" => Some(self.stack.account.to_string()),
            "AWS::Region" => Some(self.stack.region.to_string()),
            "AWS::Partition" => Some("aws".to_owned()),
            "AWS::URLSuffix" => Some("amazonaws.com".to_owned()),
            logical => self.resources.get(logical)?.physical_id.clone(),
        }
    }

    fn attribute(&self, logical: &str, attribute: &str) -> Option<String> {
        let resource = self.resources.get(logical)?;
        let id = resource.physical_id.as_deref()?;
        match (resource.resource_type.as_str(), attribute) {
            ("AWS::S3::Bucket", "Arn") => Some(format!("arn:aws:s3:::{id}")),
            ("AWS::KMS::Key", "Arn") => Some(format!(
                "arn:aws:kms:{}:{}:key/{id}",
                self.stack.region, self.stack.account
            )),
            ("AWS::SNS::Topic", "TopicArn") => Some(id.to_owned()),
            _ => None,
        }
    }

    fn substitute(&self, text: &str) -> Option<String> {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let end = rest[start..].find('}')? + start;
            let name = &rest[start + 2..end];
            let value = match name.split_once('.') {
                Some((logical, attribute)) if !name.starts_with("AWS::") => {
                    self.attribute(logical, attribute)?
                }
                _ => self.reference(name)?,
            };
            out.push_str(&value);
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        Some(out)
    }
}

/// A policy in a form where equal meaning compares equal: statements by Sid (or
/// position), single values as one-element sets, booleans and numbers as strings,
/// account ids as root ARNs in AWS principals (how IAM and KMS store them).
pub fn canonical(policy: &Value) -> BTreeMap<String, Value> {
    let statements = match policy.get("Statement") {
        Some(Value::Array(items)) => items.clone(),
        Some(single @ Value::Object(_)) => vec![single.clone()],
        _ => Vec::new(),
    };
    statements
        .iter()
        .enumerate()
        .map(|(i, statement)| {
            let sid = statement
                .get("Sid")
                .and_then(Value::as_str)
                .map_or_else(|| format!("#{i}"), str::to_owned);
            (sid, normalize(statement, None))
        })
        .collect()
}

fn normalize(value: &Value, key: Option<&str>) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), normalize(v, Some(k))))
                .collect(),
        ),
        Value::String(s) if matches!(key, Some("Sid" | "Effect" | "Version")) => {
            Value::String(s.clone())
        }
        Value::Null => Value::Null,
        scalar_or_list => {
            let mut set = BTreeSet::new();
            strings(scalar_or_list, key, &mut set);
            Value::Array(set.into_iter().map(Value::String).collect())
        }
    }
}

/// The values of a scalar or a list, as strings.
fn strings(value: &Value, key: Option<&str>, into: &mut BTreeSet<String>) {
    match value {
        Value::Array(items) => {
            for item in items {
                strings(item, key, into);
            }
        }
        Value::String(s)
            if key == Some("AWS") && s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) =>
        {
            into.insert(format!("arn:aws:iam::{s}:root"));
        }
        Value::String(s) => {
            into.insert(s.clone());
        }
        Value::Bool(b) => {
            into.insert(b.to_string());
        }
        Value::Number(n) => {
            into.insert(n.to_string());
        }
        other => {
            into.insert(other.to_string());
        }
    }
}

/// How the deployed policy differs from the wanted one, in a line; `None` when they mean
/// the same. A deployed policy that is not JSON counts as different.
pub fn difference(wanted: &Value, deployed: Option<&str>) -> Option<String> {
    let Some(text) = deployed else {
        return Some("the policy was removed".to_owned());
    };
    let Ok(deployed) = serde_json::from_str::<Value>(text) else {
        return Some("the policy is not JSON".to_owned());
    };
    let (wanted, deployed) = (canonical(wanted), canonical(&deployed));
    if wanted == deployed {
        return None;
    }
    let mut parts = Vec::new();
    let missing: Vec<&str> = wanted
        .keys()
        .filter(|sid| !deployed.contains_key(*sid))
        .map(String::as_str)
        .collect();
    let added: Vec<&str> = deployed
        .keys()
        .filter(|sid| !wanted.contains_key(*sid))
        .map(String::as_str)
        .collect();
    let changed: Vec<&str> = wanted
        .iter()
        .filter(|(sid, statement)| deployed.get(*sid).is_some_and(|d| d != *statement))
        .map(|(sid, _)| sid.as_str())
        .collect();
    for (label, sids) in [("removed", missing), ("added", added), ("changed", changed)] {
        if !sids.is_empty() {
            parts.push(format!("statement {label}: {}", sids.join(", ")));
        }
    }
    Some(parts.join("; "))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn stack() -> StackAddr {
        StackAddr::new(
            &crate::addr::Target::new(
                "222222222222".parse().unwrap(),
                "us-east-1".parse().unwrap(),
            ),
            "irready-t-forensic-core".to_owned(),
        )
    }

    fn resources() -> BTreeMap<String, StackResource> {
        BTreeMap::from([
            (
                "Bucket".to_owned(),
                StackResource {
                    resource_type: "AWS::S3::Bucket".to_owned(),
                    physical_id: Some("logs".to_owned()),
                },
            ),
            (
                "Key".to_owned(),
                StackResource {
                    resource_type: "AWS::KMS::Key".to_owned(),
                    physical_id: Some("1234".to_owned()),
                },
            ),
        ])
    }

    #[test]
    fn template_references_resolve_to_the_deployed_resources() {
        let template = json!({
            "Resource": [
                { "Fn::GetAtt": ["Bucket", "Arn"] },
                { "Fn::Sub": "${Bucket.Arn}/AWSLogs/*" },
                { "Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root" },
                { "Fn::GetAtt": ["Key", "Arn"] },
                { "Ref": "Bucket" }
            ]
        });
        let resolved = resolve(&template, &stack(), &resources()).unwrap();
        assert_eq!(
            resolved["Resource"],
            json!([
                "arn:aws:s3:::logs",
                "arn:aws:s3:::logs/AWSLogs/*",
                "arn:aws:iam::222222222222:root",
                "arn:aws:kms:us-east-1:222222222222:key/1234",
                "logs"
            ])
        );
        // An unknown resource resolves to nothing, rather than to a wrong value.
        assert_eq!(
            resolve(&json!({ "Ref": "Missing" }), &stack(), &resources()),
            None
        );
    }

    #[test]
    fn equal_meaning_is_no_difference_and_a_removed_statement_is_named() {
        let wanted = json!({
            "Version": "2012-10-17",
            "Statement": [
                { "Sid": "A", "Effect": "Allow", "Principal": { "AWS": "222222222222" },
                  "Action": ["kms:Decrypt", "kms:Encrypt"], "Resource": "*" },
                { "Sid": "Trail", "Effect": "Allow", "Principal": { "Service": "cloudtrail.amazonaws.com" },
                  "Action": "kms:DescribeKey", "Resource": "*",
                  "Condition": { "Bool": { "kms:GrantIsForAWSResource": true } } }
            ]
        });
        // As a service stores it: other order, account id as an ARN, strings for booleans.
        let stored = json!({
            "Version": "2012-10-17",
            "Statement": [
                { "Sid": "Trail", "Effect": "Allow", "Principal": { "Service": ["cloudtrail.amazonaws.com"] },
                  "Action": "kms:DescribeKey", "Resource": "*",
                  "Condition": { "Bool": { "kms:GrantIsForAWSResource": "true" } } },
                { "Sid": "A", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::222222222222:root" },
                  "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*" }
            ]
        });
        assert_eq!(difference(&wanted, Some(&stored.to_string())), None);

        let mut edited = stored.clone();
        edited["Statement"].as_array_mut().unwrap().remove(0);
        assert_eq!(
            difference(&wanted, Some(&edited.to_string())).as_deref(),
            Some("statement removed: Trail")
        );
        let mut widened = stored;
        widened["Statement"][1]["Action"] = json!("kms:*");
        assert_eq!(
            difference(&wanted, Some(&widened.to_string())).as_deref(),
            Some("statement changed: A")
        );
        assert_eq!(
            difference(&wanted, None).as_deref(),
            Some("the policy was removed")
        );
    }
}
