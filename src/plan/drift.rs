//! Changes made outside irready to resources of irready's own stacks: a trail whose
//! logging was stopped, a detector suspended, a flow log deleted, a breakglass trust
//! policy widened. CloudFormation still believes its template, so an unchanged template
//! would repair nothing: each drift carries the repair apply makes. Pure.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::addr::StackAddr;
use crate::config::Environment;
use crate::discover::{Scope, TargetState, BREAKGLASS_LOGICAL_ID};
use crate::model::rules::trust_gaps;
use crate::model::runbooks::DocumentState;
use crate::render::{Component, RenderedStack};

/// One resource changed outside irready.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Drift {
    pub stack: StackAddr,
    pub logical_id: String,
    pub resource_type: String,
    pub physical_id: Option<String>,
    /// What changed, in a line.
    pub change: String,
    pub repair: Repair,
}

/// How apply puts a drifted resource back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "repair", rename_all = "snake_case")]
pub enum Repair {
    /// CloudTrail StartLogging.
    StartLogging { trail: String },
    /// GuardDuty UpdateDetector with Enable.
    EnableDetector { detector_id: String },
    /// IAM UpdateAssumeRolePolicy with the document of the stack's template.
    SetTrustPolicy { role: String, document: Value },
    /// KMS PutKeyPolicy with the key policy of the stack's template.
    SetKeyPolicy { key_id: String, document: Value },
    /// S3 PutBucketPolicy with the bucket policy of the stack's template.
    SetBucketPolicy { bucket: String, document: Value },
    /// The resource is gone: a change set without it, then one with it again.
    Recreate,
    /// Nothing irready can do without losing data; the instruction says what to do.
    Manual { instruction: String },
}

impl Repair {
    pub fn describe(&self) -> String {
        match self {
            Self::StartLogging { trail } => format!("start logging on {trail}"),
            Self::EnableDetector { detector_id } => format!("enable detector {detector_id}"),
            Self::SetTrustPolicy { role, .. } => {
                format!("restore the trust policy of {role} from the template")
            }
            Self::SetKeyPolicy { key_id, .. } => {
                format!("restore the key policy of {key_id} from the template")
            }
            Self::SetBucketPolicy { bucket, .. } => {
                format!("restore the bucket policy of {bucket} from the template")
            }
            Self::Recreate => "remove it from its stack and create it again".to_owned(),
            Self::Manual { instruction } => instruction.clone(),
        }
    }

    /// Whether apply does something about it.
    pub fn is_automatic(&self) -> bool {
        !matches!(self, Self::Manual { .. })
    }
}

/// Drift in one target's own stacks. `rendered` holds what irready wants there: stacks it
/// no longer wants are not repaired.
pub fn detect(
    env: &Environment,
    scope: &Scope,
    state: &TargetState,
    rendered: &[&RenderedStack],
) -> Vec<Drift> {
    let mut drifts = Vec::new();
    for stack in rendered {
        let Some(resources) = state.own_resources.get(&stack.addr.stack) else {
            continue;
        };
        let template: Option<Value> = serde_yaml::from_str(&stack.body).ok();
        // Policies are compared with the template only while the stack is as rendered:
        // a stack about to be updated may change them itself, and the next plan sees
        // what is left.
        let unchanged = state
            .stacks
            .get(&stack.addr.stack)
            .and_then(|s| s.outputs.get(crate::render::FINGERPRINT_OUTPUT_KEY))
            == Some(&stack.sha256);
        let referenced =
            |logical: &str| template.as_ref().is_some_and(|t| is_referenced(t, logical));
        let drift =
            |logical: &str, physical: &Option<String>, kind: &str, change: String, repair| Drift {
                stack: stack.addr.clone(),
                logical_id: logical.to_owned(),
                resource_type: kind.to_owned(),
                physical_id: physical.clone(),
                change,
                repair,
            };
        let gone = |logical: &str, what: &str| {
            if referenced(logical) {
                Repair::Manual {
                    instruction: format!(
                        "{what} was deleted and other resources of the stack refer to it: \
                         delete the stack's dependents' references or the stack, and apply"
                    ),
                }
            } else {
                Repair::Recreate
            }
        };
        for (logical, resource) in resources {
            let physical = &resource.physical_id;
            let id = physical.as_deref().unwrap_or_default();
            let kind = resource.resource_type.as_str();
            match (stack.component, kind) {
                (Component::OrgLogging, "AWS::CloudTrail::Trail") => {
                    match state
                        .listed
                        .trails
                        .iter()
                        .find(|t| t.name == id || t.arn == id)
                    {
                        None => drifts.push(drift(
                            logical,
                            physical,
                            kind,
                            "deleted".to_owned(),
                            gone(logical, "the trail"),
                        )),
                        Some(trail) if !trail.is_logging => drifts.push(drift(
                            logical,
                            physical,
                            kind,
                            "logging stopped".to_owned(),
                            Repair::StartLogging {
                                trail: trail.name.clone(),
                            },
                        )),
                        Some(_) => {}
                    }
                }
                (Component::RegionalBaseline, "AWS::GuardDuty::Detector") => {
                    match state.listed.detectors.iter().find(|d| d.id == id) {
                        None => drifts.push(drift(
                            logical,
                            physical,
                            kind,
                            "deleted".to_owned(),
                            gone(logical, "the detector"),
                        )),
                        Some(detector) if !detector.enabled => drifts.push(drift(
                            logical,
                            physical,
                            kind,
                            "suspended".to_owned(),
                            Repair::EnableDetector {
                                detector_id: detector.id.clone(),
                            },
                        )),
                        Some(_) => {}
                    }
                }
                (Component::RegionalBaseline, "AWS::EC2::FlowLog") => {
                    let listed = env.logging.as_ref().is_some_and(|l| l.flow_logs.is_some())
                        && crate::render::covered_vpcs(state).next().is_some();
                    if listed && !state.listed.flow_logs.iter().any(|f| f.id == id) {
                        drifts.push(drift(
                            logical,
                            physical,
                            kind,
                            "deleted".to_owned(),
                            gone(logical, "the flow log"),
                        ));
                    }
                }
                (Component::Access, "AWS::IAM::Role") if logical == BREAKGLASS_LOGICAL_ID => {
                    let allowed: BTreeSet<&str> = scope
                        .security_principals
                        .iter()
                        .map(String::as_str)
                        .collect();
                    let document = template
                        .as_ref()
                        .and_then(|t| {
                            t.pointer(&format!(
                                "/Resources/{logical}/Properties/AssumeRolePolicyDocument"
                            ))
                        })
                        .cloned();
                    match (&state.breakglass, document) {
                        (None, _) => drifts.push(drift(
                            logical,
                            physical,
                            kind,
                            "deleted".to_owned(),
                            gone(logical, "the breakglass role"),
                        )),
                        (Some(role), Some(document)) => {
                            let gaps = trust_gaps(&role.trust_policy, &allowed);
                            if !gaps.is_empty() {
                                drifts.push(drift(
                                    logical,
                                    physical,
                                    kind,
                                    format!("trust policy widened: {}", gaps.join(", ")),
                                    Repair::SetTrustPolicy {
                                        role: role.name.clone(),
                                        document,
                                    },
                                ));
                            }
                        }
                        (Some(_), None) => {}
                    }
                }
                // A runbook deleted or edited outside irready: CloudFormation still holds
                // the document, so only taking it out of the stack and putting it back
                // restores the content irready renders.
                (
                    Component::InstanceRunbooks | Component::IdentityRunbooks,
                    "AWS::SSM::Document",
                ) => match state.documents.get(id) {
                    Some(DocumentState::Missing) => drifts.push(drift(
                        logical,
                        physical,
                        kind,
                        "deleted".to_owned(),
                        gone(logical, "the document"),
                    )),
                    Some(DocumentState::Changed) if unchanged => drifts.push(drift(
                        logical,
                        physical,
                        kind,
                        "content changed outside irready".to_owned(),
                        Repair::Recreate,
                    )),
                    _ => {}
                },
                // Key and bucket policies edited outside irready: a log delivery they
                // admit stops, and check shows it only once the service reports it.
                (Component::ForensicCore, "AWS::KMS::Key") if unchanged => {
                    let wanted = template
                        .as_ref()
                        .and_then(|t| {
                            t.pointer(&format!("/Resources/{logical}/Properties/KeyPolicy"))
                        })
                        .and_then(|p| super::policy::resolve(p, &stack.addr, resources));
                    if let (Some(wanted), Some(live)) = (wanted, state.policies.get(logical)) {
                        if let Some(change) = super::policy::difference(&wanted, live.as_deref()) {
                            drifts.push(drift(
                                logical,
                                physical,
                                kind,
                                format!("key policy changed outside irready: {change}"),
                                Repair::SetKeyPolicy {
                                    key_id: id.to_owned(),
                                    document: wanted,
                                },
                            ));
                        }
                    }
                }
                (Component::ForensicCore, "AWS::S3::BucketPolicy") if unchanged => {
                    let properties = template
                        .as_ref()
                        .and_then(|t| t.pointer(&format!("/Resources/{logical}/Properties")));
                    let bucket = properties
                        .and_then(|p| p.pointer("/Bucket/Ref"))
                        .and_then(Value::as_str);
                    let wanted = properties
                        .and_then(|p| p.get("PolicyDocument"))
                        .and_then(|p| super::policy::resolve(p, &stack.addr, resources));
                    let name = bucket
                        .and_then(|b| resources.get(b))
                        .and_then(|r| r.physical_id.clone());
                    let live = bucket.and_then(|b| state.policies.get(b));
                    if let (Some(wanted), Some(name), Some(live)) = (wanted, name, live) {
                        if let Some(change) = super::policy::difference(&wanted, live.as_deref()) {
                            drifts.push(drift(
                                logical,
                                physical,
                                kind,
                                format!(
                                    "bucket policy of {name} changed outside irready: {change}"
                                ),
                                Repair::SetBucketPolicy {
                                    bucket: name,
                                    document: wanted,
                                },
                            ));
                        }
                    }
                }
                (Component::WorkloadLogging, "AWS::WAFv2::LoggingConfiguration") => {
                    // The logging configuration's id is its web ACL's ARN.
                    let acl = state.workloads.iter().find(|w| {
                        w.resource_type == crate::workload::ResourceType::WebAcl && w.id == id
                    });
                    if let Some(acl) = acl {
                        let wanted = crate::workload::desired(&env.name, acl);
                        if !acl.logging.meets(&wanted) {
                            let change = if acl.logging.enabled {
                                format!("logging redirected ({})", acl.logging)
                            } else {
                                "logging configuration deleted".to_owned()
                            };
                            drifts.push(drift(logical, physical, kind, change, Repair::Recreate));
                        }
                    }
                }
                _ => {}
            }
        }
    }
    drifts
}

/// Whether another resource or an output of `template` refers to `logical` (Ref, GetAtt,
/// or `${logical}` / `${logical.Attr}` in a Sub).
pub fn is_referenced(template: &Value, logical: &str) -> bool {
    let resources = template.get("Resources").and_then(Value::as_object);
    resources.is_some_and(|all| {
        all.iter()
            .filter(|(id, _)| id.as_str() != logical)
            .any(|(_, r)| refers(r, logical))
    })
}

fn refers(value: &Value, logical: &str) -> bool {
    match value {
        Value::Object(map) => map.iter().any(|(k, v)| match (k.as_str(), v) {
            ("Ref", Value::String(s)) => s == logical,
            ("Fn::GetAtt", Value::Array(parts)) => {
                parts.first().and_then(Value::as_str) == Some(logical)
            }
            ("Fn::GetAtt", Value::String(s)) => s.split('.').next() == Some(logical),
            ("DependsOn", Value::String(s)) => s == logical,
            _ => refers(v, logical),
        }),
        Value::Array(items) => items.iter().any(|i| refers(i, logical)),
        Value::String(s) => {
            s.contains(&format!("${{{logical}}}")) || s.contains(&format!("${{{logical}."))
        }
        _ => false,
    }
}

/// The template without `logical_ids` and the outputs that refer to them, its
/// fingerprint output marked so that a plan made while it is deployed sees a change.
pub fn without_resources(template: &Value, logical_ids: &[String]) -> Value {
    let mut out = template.clone();
    if let Some(resources) = out.get_mut("Resources").and_then(Value::as_object_mut) {
        for id in logical_ids {
            resources.remove(id);
        }
    }
    if let Some(outputs) = out.get_mut("Outputs").and_then(Value::as_object_mut) {
        outputs.retain(|_, o| !logical_ids.iter().any(|id| refers(o, id)));
        if let Some(fingerprint) = outputs.get_mut(crate::render::FINGERPRINT_OUTPUT_KEY) {
            fingerprint["Value"] = Value::String("repairing".to_owned());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn references_are_found_in_every_intrinsic_form() {
        let template = json!({
            "Resources": {
                "Detector": { "Type": "AWS::GuardDuty::Detector" },
                "Export": { "Properties": { "DetectorId": { "Ref": "Detector" } } },
                "FlowLog": { "Type": "AWS::EC2::FlowLog" },
                "Other": { "Properties": { "X": { "Fn::Sub": "${Group.Arn}" } } },
                "Group": {}
            }
        });
        assert!(is_referenced(&template, "Detector"));
        assert!(is_referenced(&template, "Group"));
        assert!(!is_referenced(&template, "FlowLog"));
    }

    #[test]
    fn a_resource_is_removed_with_the_outputs_that_name_it() {
        let template = json!({
            "Resources": { "A": {}, "B": {} },
            "Outputs": {
                "AId": { "Value": { "Ref": "A" } },
                "BId": { "Value": { "Ref": "B" } },
                "IrreadyTemplateSha256": { "Value": "abc" }
            }
        });
        let stripped = without_resources(&template, &["A".to_owned()]);
        assert_eq!(stripped["Resources"], json!({ "B": {} }));
        assert!(stripped["Outputs"].get("AId").is_none());
        assert!(stripped["Outputs"].get("BId").is_some());
        assert_eq!(
            stripped["Outputs"]["IrreadyTemplateSha256"]["Value"],
            "repairing"
        );
    }
}
