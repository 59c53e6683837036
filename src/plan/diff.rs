//! Resource- and property-level differences between a deployed and a rendered template.
//! Pure: both templates are parsed here and compared as values, so formatting and
//! comments never show as changes.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::create_only::CREATE_ONLY;
use super::model::{PropertyChange, ResourceAction, ResourceChange};

/// Resource types that hold evidence or logs; removing or replacing one loses data.
pub const DATA_BEARING_TYPES: &[&str] = &[
    "AWS::CloudTrail::Trail",
    "AWS::KMS::Key",
    "AWS::Logs::LogGroup",
    "AWS::S3::Bucket",
];

/// Resource attributes compared besides `Properties`.
const ATTRIBUTES: &[&str] = &[
    "Condition",
    "DeletionPolicy",
    "DependsOn",
    "Metadata",
    "UpdateReplacePolicy",
];

/// Parses a template body (YAML or JSON) into a value.
pub fn parse_template(body: &str) -> Result<Value, String> {
    serde_yaml::from_str::<Value>(body).map_err(|e| e.to_string())
}

fn resources(template: Option<&Value>) -> Map<String, Value> {
    template
        .and_then(|t| t.get("Resources"))
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

fn resource_type(resource: &Value) -> String {
    resource
        .get("Type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// Whether changing `property` of `resource_type` replaces the resource.
pub fn forces_replacement(resource_type: &str, property: &str) -> bool {
    CREATE_ONLY
        .iter()
        .find(|(t, _)| *t == resource_type)
        .is_some_and(|(_, props)| props.contains(&property))
}

pub fn is_data_bearing(resource_type: &str) -> bool {
    DATA_BEARING_TYPES.contains(&resource_type)
}

/// Properties that hold a whole definition in one object, whose changes are shown key by
/// key (`TableInput.Parameters.projection.account.values`) rather than as one value: a
/// Glue table's input holds its columns, location and projection.
const SHOWN_PER_KEY: &[(&str, &str)] = &[("AWS::Glue::Table", "TableInput")];

/// The changed leaves under `path`: objects are followed key by key, anything else
/// (arrays included) is one value.
fn leaf_changes(
    path: &str,
    before: Option<&Value>,
    after: Option<&Value>,
    out: &mut Vec<(String, Option<Value>, Option<Value>)>,
) {
    match (before, after) {
        (Some(Value::Object(a)), Some(Value::Object(b))) => {
            let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for key in keys {
                let (x, y) = (a.get(key), b.get(key));
                if x != y {
                    leaf_changes(&format!("{path}.{key}"), x, y, out);
                }
            }
        }
        (a, b) => out.push((path.to_owned(), a.cloned(), b.cloned())),
    }
}

/// The resource changes that turn `before` into `after`, sorted by logical id. `None`
/// stands for "no stack".
pub fn diff_templates(before: Option<&Value>, after: Option<&Value>) -> Vec<ResourceChange> {
    let old = resources(before);
    let new = resources(after);
    let ids: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    let mut changes = Vec::new();
    for id in ids {
        let change = match (old.get(id), new.get(id)) {
            (None, Some(added)) => Some(whole(id, added, ResourceAction::Add)),
            (Some(removed), None) => Some(whole(id, removed, ResourceAction::Remove)),
            (Some(a), Some(b)) => compare(id, a, b),
            (None, None) => None,
        };
        changes.extend(change);
    }
    changes
}

fn whole(id: &str, resource: &Value, action: ResourceAction) -> ResourceChange {
    let resource_type = resource_type(resource);
    ResourceChange {
        logical_id: id.to_owned(),
        data_bearing: is_data_bearing(&resource_type),
        resource_type,
        action,
        properties: Vec::new(),
    }
}

fn compare(id: &str, before: &Value, after: &Value) -> Option<ResourceChange> {
    let old_type = resource_type(before);
    let new_type = resource_type(after);
    let empty = Map::new();
    let old_props = before
        .get("Properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let new_props = after
        .get("Properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let names: BTreeSet<&String> = old_props.keys().chain(new_props.keys()).collect();
    let mut properties = Vec::new();
    for name in names {
        let (a, b) = (old_props.get(name), new_props.get(name));
        if a == b {
            continue;
        }
        let forces = forces_replacement(&new_type, name);
        if SHOWN_PER_KEY.contains(&(new_type.as_str(), name.as_str())) {
            let mut leaves = Vec::new();
            leaf_changes(name, a, b, &mut leaves);
            properties.extend(
                leaves
                    .into_iter()
                    .map(|(path, before, after)| PropertyChange {
                        path,
                        before,
                        after,
                        forces_replacement: forces,
                    }),
            );
            continue;
        }
        properties.push(PropertyChange {
            path: name.clone(),
            before: a.cloned(),
            after: b.cloned(),
            forces_replacement: forces,
        });
    }
    for attribute in ATTRIBUTES {
        let (a, b) = (before.get(*attribute), after.get(*attribute));
        if a != b {
            properties.push(PropertyChange {
                path: (*attribute).to_owned(),
                before: a.cloned(),
                after: b.cloned(),
                forces_replacement: false,
            });
        }
    }
    let type_changed = old_type != new_type;
    if type_changed {
        properties.insert(
            0,
            PropertyChange {
                path: "Type".to_owned(),
                before: Some(Value::String(old_type.clone())),
                after: Some(Value::String(new_type.clone())),
                forces_replacement: true,
            },
        );
    }
    if properties.is_empty() {
        return None;
    }
    let action = if properties.iter().any(|p| p.forces_replacement) {
        ResourceAction::Replace
    } else {
        ResourceAction::Modify
    };
    Some(ResourceChange {
        logical_id: id.to_owned(),
        data_bearing: is_data_bearing(&old_type) || is_data_bearing(&new_type),
        resource_type: new_type,
        action,
        properties,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(before: &str, after: &str, expected: &[&str]) {
        let before = (!before.is_empty()).then(|| parse_template(before).unwrap());
        let after = (!after.is_empty()).then(|| parse_template(after).unwrap());
        let changes = diff_templates(before.as_ref(), after.as_ref());
        let shown: Vec<String> = changes
            .iter()
            .map(|c| {
                let props: Vec<String> = c
                    .properties
                    .iter()
                    .map(|p| format!("{}{}", p.path, if p.forces_replacement { "!" } else { "" }))
                    .collect();
                format!(
                    "{} {} [{}]",
                    c.action.symbol(),
                    c.logical_id,
                    props.join(",")
                )
            })
            .collect();
        assert_eq!(shown, expected);
    }

    const ROLE: &str = "Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: r\n      MaxSessionDuration: 3600\n";

    #[test]
    fn a_runbooks_content_change_is_a_change_of_its_content_in_place() {
        let document = |step: &str| {
            format!(
                "Resources:\n  IsolateInstanceDocument:\n    Type: AWS::SSM::Document\n    \
                 Properties:\n      Name: irready-t-isolate-instance\n      DocumentType: \
                 Automation\n      UpdateMethod: NewVersion\n      Content: {{\"schemaVersion\": \
                 \"0.3\", \"mainSteps\": [{{\"name\": \"{step}\", \"action\": \"aws:sleep\"}}]}}\n"
            )
        };
        check(
            &document("Plan"),
            &document("Plan2"),
            &["~ IsolateInstanceDocument [Content]"],
        );
    }

    #[test]
    fn a_new_stack_adds_every_resource() {
        check("", ROLE, &["+ Role []"]);
    }

    #[test]
    fn a_removed_stack_removes_every_resource() {
        check(ROLE, "", &["- Role []"]);
    }

    #[test]
    fn formatting_and_comments_are_not_changes() {
        let reformatted = "# a comment\n{\"Resources\": {\"Role\": {\"Type\": \"AWS::IAM::Role\", \"Properties\": {\"MaxSessionDuration\": 3600, \"RoleName\": \"r\"}}}}";
        check(ROLE, reformatted, &[]);
    }

    #[test]
    fn an_in_place_property_change_is_a_modification() {
        check(
            ROLE,
            &ROLE.replace("3600", "7200"),
            &["~ Role [MaxSessionDuration]"],
        );
    }

    #[test]
    fn a_glue_tables_input_changes_key_by_key() {
        let table = |accounts: &str| {
            serde_json::json!({"Resources": {"T": {"Type": "AWS::Glue::Table", "Properties": {
                "DatabaseName": "d",
                "TableInput": {"Name": "t", "Parameters": {
                    "projection.account.values": accounts, "projection.enabled": "true"}}}}}})
        };
        let changes = diff_templates(Some(&table("1,2")), Some(&table("1,2,3")));
        let paths: Vec<&str> = changes[0]
            .properties
            .iter()
            .map(|p| p.path.as_str())
            .collect();
        assert_eq!(paths, ["TableInput.Parameters.projection.account.values"]);
        assert_eq!(changes[0].action, ResourceAction::Modify);
    }

    #[test]
    fn a_create_only_property_change_is_a_replacement() {
        check(
            ROLE,
            &ROLE.replace("RoleName: r", "RoleName: s"),
            &["-/+ Role [RoleName!]"],
        );
    }

    #[test]
    fn a_type_change_is_a_replacement() {
        let other = ROLE.replace("AWS::IAM::Role", "AWS::IAM::User");
        check(ROLE, &other, &["-/+ Role [Type!]"]);
    }

    #[test]
    fn resource_attributes_are_compared() {
        let group = "Resources:\n  Logs:\n    Type: AWS::Logs::LogGroup\n    DeletionPolicy: Retain\n    Properties:\n      RetentionInDays: 400\n";
        let changes = {
            let a = parse_template(group).unwrap();
            let b = parse_template(&group.replace("    DeletionPolicy: Retain\n", "")).unwrap();
            diff_templates(Some(&a), Some(&b))
        };
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].properties[0].path, "DeletionPolicy");
        assert!(changes[0].data_bearing);
    }

    #[test]
    fn added_and_removed_properties_have_one_side() {
        let with = ROLE.replace(
            "      MaxSessionDuration: 3600\n",
            "      MaxSessionDuration: 3600\n      Description: d\n",
        );
        let changes = diff_templates(
            Some(&parse_template(ROLE).unwrap()),
            Some(&parse_template(&with).unwrap()),
        );
        let p = &changes[0].properties[0];
        assert_eq!(
            (p.path.as_str(), p.before.is_none(), p.after.is_some()),
            ("Description", true, true)
        );
    }
}
