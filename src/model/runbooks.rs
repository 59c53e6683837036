//! The containment runbooks (SSM Automation documents, `templates/runbooks/`) and the names
//! of what they run with: the automation role, the isolation profile, the evidence keys.
//! Render, check and respond read them from here. Pure.

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::component::Component;

/// One of irready's containment runbooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Runbook {
    IsolateInstance,
    ReleaseInstance,
    AcquireVolumes,
    DisableAccessKey,
    ContainPrincipal,
}

impl Runbook {
    pub const ALL: [Runbook; 5] = [
        Runbook::IsolateInstance,
        Runbook::ReleaseInstance,
        Runbook::AcquireVolumes,
        Runbook::DisableAccessKey,
        Runbook::ContainPrincipal,
    ];

    /// The runbook's file name in `templates/runbooks/` without `.yaml`, and the tail of
    /// its document name.
    pub fn slug(self) -> &'static str {
        match self {
            Self::IsolateInstance => "isolate-instance",
            Self::ReleaseInstance => "release-instance",
            Self::AcquireVolumes => "acquire-volumes",
            Self::DisableAccessKey => "disable-access-key",
            Self::ContainPrincipal => "contain-principal",
        }
    }

    /// The stack that holds the document.
    pub fn component(self) -> Component {
        match self {
            Self::IsolateInstance | Self::ReleaseInstance | Self::AcquireVolumes => {
                Component::InstanceRunbooks
            }
            Self::DisableAccessKey | Self::ContainPrincipal => Component::IdentityRunbooks,
        }
    }

    /// The runbooks a component holds.
    pub fn of(component: Component) -> impl Iterator<Item = Runbook> {
        Self::ALL
            .into_iter()
            .filter(move |r| r.component() == component)
    }

    /// The document's logical id in its stack: `IsolateInstanceDocument`.
    pub fn logical_id(self) -> String {
        let mut id: String = self
            .slug()
            .split('-')
            .map(|word| word[..1].to_ascii_uppercase() + &word[1..])
            .collect();
        id.push_str("Document");
        id
    }

    /// The document's name in environment `env`: `irready-<env>-isolate-instance`.
    pub fn document_name(self, env: &str) -> String {
        format!("{}{}", document_prefix(env), self.slug())
    }

    /// The document's source, as committed.
    pub fn source(self) -> &'static str {
        match self {
            Self::IsolateInstance => include_str!("../../templates/runbooks/isolate-instance.yaml"),
            Self::ReleaseInstance => include_str!("../../templates/runbooks/release-instance.yaml"),
            Self::AcquireVolumes => include_str!("../../templates/runbooks/acquire-volumes.yaml"),
            Self::DisableAccessKey => {
                include_str!("../../templates/runbooks/disable-access-key.yaml")
            }
            Self::ContainPrincipal => {
                include_str!("../../templates/runbooks/contain-principal.yaml")
            }
        }
    }

    /// The document's content as the template gives it (an object, keys in source order).
    pub fn content(self) -> Value {
        serde_yaml::from_str(self.source()).expect("the runbooks compiled in are valid YAML")
    }

    /// The SHA-256 Systems Manager reports as the document's `Hash`: over the content as
    /// stored, which for an object given in a template is its compact JSON text.
    pub fn content_sha256(self) -> String {
        content_sha256(&self.content())
    }

    /// The runbook `respond` runs for a request, with `--release` for isolate-instance.
    pub fn from_request(name: &str, release: bool) -> Option<Self> {
        match (name, release) {
            ("isolate-instance", false) => Some(Self::IsolateInstance),
            ("isolate-instance", true) => Some(Self::ReleaseInstance),
            (other, false) => Self::ALL
                .into_iter()
                .find(|r| r.slug() == other && *r != Self::ReleaseInstance),
            _ => None,
        }
    }
}

/// The SHA-256 Systems Manager reports as `Hash` for a document whose content a template
/// gives as the object `content`: over its compact JSON text, keys in template order.
pub fn content_sha256(content: &Value) -> String {
    let text = serde_json::to_string(content).expect("values serialize");
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// A runbook's document as Systems Manager holds it, against what irready renders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentState {
    Missing,
    /// The content irready renders: its `Hash` is the hash irready computes, or the
    /// content read back is the same JSON value.
    AsRendered,
    /// Another content (edited outside irready, or an older version).
    Changed,
}

/// Whether `stored` (a document's content as Systems Manager returns it) is `content`, as
/// JSON values: Systems Manager's serialization of the object a template gives may differ
/// from irready's (key order, spacing), so its `Hash` alone cannot say "changed".
pub fn same_content(stored: &str, content: &Value) -> bool {
    serde_json::from_str::<Value>(stored).is_ok_and(|value| value == *content)
}

/// The runbook named `name` in environment `env`.
pub fn by_document_name(env: &str, name: &str) -> Option<Runbook> {
    Runbook::ALL
        .into_iter()
        .find(|r| r.document_name(env) == name)
}

/// The prefix of every document name of environment `env`.
pub fn document_prefix(env: &str) -> String {
    format!("irready-{env}-")
}

/// The role the runbooks run as, in every target account.
pub fn automation_role_name(env: &str) -> String {
    format!("irready-automation-{env}")
}

/// The isolation role and instance profile: the automation role may pass only roles named
/// `irready-isolation*` to EC2.
pub fn isolation_name(env: &str) -> String {
    format!("irready-isolation-{env}")
}

/// The alias of the forensic account's evidence key in each region.
pub fn evidence_key_alias(env: &str) -> String {
    format!("alias/irready-{env}-ebs-evidence")
}

/// The output of the evidence-keys stack holding the key's ARN.
pub const EVIDENCE_KEY_OUTPUT: &str = "EvidenceKeyArn";
/// The outputs of the access stack the runbooks need.
pub const AUTOMATION_ROLE_OUTPUT: &str = "AutomationRoleArn";
pub const ISOLATION_PROFILE_OUTPUT: &str = "IsolationInstanceProfileName";
pub const DENY_ALL_OUTPUT: &str = "DenyAllPolicyArn";

/// The automation role's permissions policy, with the deny-all policy's name the
/// environment chose in place of the default the policy file names.
pub fn automation_policy(deny_all_policy_name: &str) -> Value {
    let source = include_str!("../../templates/runbooks/automation-role-policy.yaml");
    let source = source.replace(
        "policy/irready-deny-all\"",
        &format!("policy/{deny_all_policy_name}\""),
    );
    serde_yaml::from_str(&source).expect("the automation role's policy is valid YAML")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_runbook_parses_and_names_itself() {
        for runbook in Runbook::ALL {
            let content = runbook.content();
            assert_eq!(content["schemaVersion"], "0.3", "{}", runbook.slug());
            assert!(runbook.logical_id().ends_with("Document"));
            assert_eq!(runbook.content_sha256().len(), 64);
        }
        assert_eq!(
            Runbook::IsolateInstance.logical_id(),
            "IsolateInstanceDocument"
        );
        assert_eq!(
            Runbook::from_request("isolate-instance", true),
            Some(Runbook::ReleaseInstance)
        );
        assert_eq!(Runbook::from_request("release-instance", false), None);
        assert_eq!(Runbook::from_request("acquire-volumes", true), None);
    }

    #[test]
    fn content_is_compared_as_values_whatever_the_key_order() {
        let content = Runbook::DisableAccessKey.content();
        let mut reordered: Vec<(String, Value)> = content
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        reordered.reverse();
        let text =
            serde_json::to_string_pretty(&reordered.into_iter().collect::<serde_json::Map<_, _>>())
                .unwrap();
        assert!(same_content(&text, &content));
        let mut edited = content.clone();
        edited["description"] = Value::from("edited");
        assert!(!same_content(&edited.to_string(), &content));
        assert!(!same_content("schemaVersion: '0.3'", &content));
        assert_eq!(
            by_document_name("t", "irready-t-contain-principal"),
            Some(Runbook::ContainPrincipal)
        );
    }

    #[test]
    fn the_automation_policy_names_the_environments_deny_all_policy() {
        let text = automation_policy("custom-deny").to_string();
        assert!(text.contains("policy/custom-deny"), "{text}");
        assert!(!text.contains("irready-deny-all"), "{text}");
    }
}
