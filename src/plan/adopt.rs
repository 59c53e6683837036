//! Taking retained resources back into new stacks (CloudFormation resource import).
//! Pure: no I/O, no AWS. Discovery probes the candidates [`candidates`] names; apply
//! imports with the template [`import_template`] makes.
//!
//! `destroy` leaves the buckets and log groups with `DeletionPolicy: Retain` in place,
//! under the names irready gives them. Creating the stack again would ask for the same
//! names and fail, so a stack being created takes over those that exist instead.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::model::ResourceImport;

/// The property that names a resource of each type irready may import, which is also
/// the identifier `ResourcesToImport` takes. Keys have no name (their aliases go with
/// the stack): a new stack makes new keys.
const NAMED_TYPES: &[(&str, &str)] = &[
    ("AWS::S3::Bucket", "BucketName"),
    ("AWS::Logs::LogGroup", "LogGroupName"),
];

/// The resources of a template that a destroy would leave behind under a fixed name:
/// `DeletionPolicy: Retain`, a type in [`NAMED_TYPES`], and the name written literally.
/// Sorted by logical id.
pub fn candidates(template: &Value) -> Vec<ResourceImport> {
    let Some(resources) = template.get("Resources").and_then(Value::as_object) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for (logical_id, resource) in resources {
        if resource.get("DeletionPolicy").and_then(Value::as_str) != Some("Retain") {
            continue;
        }
        let resource_type = resource.get("Type").and_then(Value::as_str).unwrap_or("");
        let Some((_, key)) = NAMED_TYPES.iter().find(|(t, _)| *t == resource_type) else {
            continue;
        };
        let Some(name) = resource
            .pointer(&format!("/Properties/{key}"))
            .and_then(Value::as_str)
        else {
            continue;
        };
        found.push(ResourceImport {
            logical_id: logical_id.clone(),
            resource_type: resource_type.to_owned(),
            identifier: BTreeMap::from([((*key).to_owned(), name.to_owned())]),
        });
    }
    found.sort();
    found
}

/// The template of the import step: only the resources imported, as the full template
/// declares them but without the properties that refer to other resources (those do not
/// exist yet; the update that follows sets them), nor `DependsOn`. No outputs: an import
/// may add nothing but the resources it imports, and a stack without irready's
/// fingerprint output is planned as out of date should the update not follow.
pub fn import_template(template: &Value, imports: &[ResourceImport]) -> Value {
    let resources = template
        .get("Resources")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let imported: BTreeSet<&str> = imports.iter().map(|i| i.logical_id.as_str()).collect();
    let others: BTreeSet<&str> = resources
        .keys()
        .map(String::as_str)
        .filter(|id| !imported.contains(id))
        .collect();
    let mut kept = Map::new();
    for id in &imported {
        let Some(resource) = resources.get(*id).and_then(Value::as_object) else {
            continue;
        };
        let mut resource = resource.clone();
        resource.remove("DependsOn");
        if let Some(Value::Object(properties)) = resource.get_mut("Properties") {
            properties.retain(|_, value| {
                let mut refs = BTreeSet::new();
                references(value, &mut refs);
                refs.iter().all(|r| !others.contains(r.as_str()))
            });
        }
        kept.insert((*id).to_owned(), Value::Object(resource));
    }
    let mut out = Map::new();
    if let Some(version) = template.get("AWSTemplateFormatVersion") {
        out.insert("AWSTemplateFormatVersion".to_owned(), version.clone());
    }
    out.insert("Resources".to_owned(), Value::Object(kept));
    Value::Object(out)
}

/// Every name a value refers to through `Ref`, `Fn::GetAtt` or `Fn::Sub`.
fn references(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner) {
                    ("Ref", Value::String(name)) => {
                        out.insert(name.clone());
                    }
                    ("Fn::GetAtt", Value::Array(parts)) => {
                        if let Some(Value::String(name)) = parts.first() {
                            out.insert(name.clone());
                        }
                    }
                    ("Fn::GetAtt", Value::String(dotted)) => {
                        out.insert(dotted.split('.').next().unwrap_or("").to_owned());
                    }
                    ("Fn::Sub", Value::String(text)) => sub_references(text, out),
                    ("Fn::Sub", Value::Array(parts)) => {
                        if let Some(Value::String(text)) = parts.first() {
                            sub_references(text, out);
                        }
                    }
                    _ => {}
                }
                references(inner, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| references(v, out)),
        _ => {}
    }
}

/// The names `${Name}` and `${Name.Attr}` of a `Fn::Sub` string (`${!Literal}` is text).
fn sub_references(text: &str, out: &mut BTreeSet<String>) {
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        rest = &rest[start + 2..];
        let Some(end) = rest.find('}') else { break };
        let name = &rest[..end];
        if !name.starts_with('!') {
            out.insert(name.split('.').next().unwrap_or("").to_owned());
        }
        rest = &rest[end + 1..];
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn template() -> Value {
        json!({
            "AWSTemplateFormatVersion": "2010-09-09",
            "Resources": {
                "Key": {"Type": "AWS::KMS::Key", "DeletionPolicy": "Retain"},
                "Bucket": {
                    "Type": "AWS::S3::Bucket",
                    "DeletionPolicy": "Retain",
                    "UpdateReplacePolicy": "Retain",
                    "DependsOn": "Key",
                    "Properties": {
                        "BucketName": "evidence",
                        "ObjectLockEnabled": true,
                        "BucketEncryption": {"KMSMasterKeyID": {"Fn::GetAtt": ["Key", "Arn"]}},
                        "Tags": [{"Key": "at", "Value": {"Fn::Sub": "${AWS::Region}"}}]
                    }
                },
                "Scratch": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "scratch"}},
                "Named": {
                    "Type": "AWS::S3::Bucket",
                    "DeletionPolicy": "Retain",
                    "Properties": {"BucketName": {"Fn::Sub": "x-${AWS::AccountId}"}}
                },
                "Group": {
                    "Type": "AWS::Logs::LogGroup",
                    "DeletionPolicy": "Retain",
                    "Properties": {"LogGroupName": "/flow", "KmsKeyId": {"Fn::Sub": "${Key.Arn}"}}
                }
            },
            "Outputs": {"Name": {"Value": {"Ref": "Bucket"}}}
        })
    }

    #[test]
    fn candidates_are_retained_resources_named_literally() {
        let ids: Vec<(String, String)> = candidates(&template())
            .into_iter()
            .map(|c| (c.logical_id.clone(), c.label()))
            .collect();
        assert_eq!(
            ids,
            [
                ("Bucket".to_owned(), "evidence".to_owned()),
                ("Group".to_owned(), "/flow".to_owned())
            ]
        );
    }

    #[test]
    fn the_import_template_holds_the_imported_resources_without_references_to_others() {
        let imports = candidates(&template());
        assert_eq!(
            import_template(&template(), &imports),
            json!({
                "AWSTemplateFormatVersion": "2010-09-09",
                "Resources": {
                    "Bucket": {
                        "Type": "AWS::S3::Bucket",
                        "DeletionPolicy": "Retain",
                        "UpdateReplacePolicy": "Retain",
                        "Properties": {
                            "BucketName": "evidence",
                            "ObjectLockEnabled": true,
                            "Tags": [{"Key": "at", "Value": {"Fn::Sub": "${AWS::Region}"}}]
                        }
                    },
                    "Group": {
                        "Type": "AWS::Logs::LogGroup",
                        "DeletionPolicy": "Retain",
                        "Properties": {"LogGroupName": "/flow"}
                    }
                }
            })
        );
    }
}
