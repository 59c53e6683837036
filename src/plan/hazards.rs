//! Finds the changes a reviewer must not miss: removing or replacing a resource that holds
//! evidence or logs, and widening who may get in (a newly trusted principal, an ingress
//! rule that lets in more). Pure: reads the templates the planner already parsed.

use std::collections::BTreeSet;

use ipnet::IpNet;
use serde_json::Value;

use super::model::{Hazard, HazardKind, ResourceAction, ResourceChange, StackAction};
use crate::addr::StackAddr;

/// The hazards of one stack's changes. `before` is the deployed template (absent for a
/// stack being created), `after` the rendered one (absent for a deletion).
///
/// Access widening is looked for only in stacks that exist and are updated: a stack
/// being created grants what it grants as additions, which the plan lists one by one,
/// while a widening hidden in an update of a familiar stack is what slips through review.
pub fn find(
    addr: &StackAddr,
    action: StackAction,
    before: Option<&Value>,
    after: Option<&Value>,
    resources: &[ResourceChange],
) -> Vec<Hazard> {
    let mut hazards = Vec::new();
    for change in resources {
        let old = resource(before, &change.logical_id);
        let new = resource(after, &change.logical_id);
        let mut push = |kind| {
            hazards.push(Hazard {
                addr: addr.clone(),
                logical_id: change.logical_id.clone(),
                resource_type: change.resource_type.clone(),
                kind,
            })
        };
        if change.data_bearing && change.action.is_destructive() {
            // The policy that decides is the deployed one for a removal, the new one for
            // a replacement (CloudFormation reads the template it updates to).
            let policy = match change.action {
                ResourceAction::Remove => old.and_then(|r| r.get("DeletionPolicy")),
                ResourceAction::Replace => new.and_then(|r| r.get("UpdateReplacePolicy")),
                ResourceAction::Add | ResourceAction::Modify => None,
            };
            push(HazardKind::DataLoss {
                action: change.action,
                retained: policy.and_then(Value::as_str) == Some("Retain"),
            });
        }
        if action != StackAction::Update || change.action == ResourceAction::Remove {
            continue;
        }
        match change.resource_type.as_str() {
            "AWS::IAM::Role" => {
                let was = principals(property(old, "AssumeRolePolicyDocument"));
                let added: Vec<String> = principals(property(new, "AssumeRolePolicyDocument"))
                    .difference(&was)
                    .cloned()
                    .collect();
                if !added.is_empty() {
                    push(HazardKind::NewTrustedPrincipals { principals: added });
                }
            }
            "AWS::EC2::SecurityGroup" => {
                let was = rules(property(old, "SecurityGroupIngress"));
                let wider = uncovered(&rules(property(new, "SecurityGroupIngress")), &was);
                if !wider.is_empty() {
                    push(HazardKind::WiderIngress { rules: wider });
                }
            }
            "AWS::EC2::SecurityGroupIngress" => {
                let was: Vec<Rule> = properties(old).and_then(Rule::parse).into_iter().collect();
                let now: Vec<Rule> = properties(new).and_then(Rule::parse).into_iter().collect();
                let wider = uncovered(&now, &was);
                if !wider.is_empty() {
                    push(HazardKind::WiderIngress { rules: wider });
                }
            }
            _ => {}
        }
    }
    hazards
}

fn resource<'a>(template: Option<&'a Value>, id: &str) -> Option<&'a Value> {
    template?.get("Resources")?.get(id)
}

fn properties(resource: Option<&Value>) -> Option<&Value> {
    resource?.get("Properties")
}

fn property<'a>(resource: Option<&'a Value>, name: &str) -> Option<&'a Value> {
    properties(resource)?.get(name)
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => serde_json::to_string(other).expect("values serialize"),
    }
}

fn items(value: &Value) -> Vec<&Value> {
    match value {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    }
}

/// The principals a trust policy allows, as `AWS: arn:...`, `Service: ...` or `*`.
/// Intrinsic functions are kept as their JSON text: a changed expression counts as a
/// new principal, which errs on the side of showing it.
fn principals(document: Option<&Value>) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let Some(statements) = document.and_then(|d| d.get("Statement")) else {
        return found;
    };
    for statement in items(statements) {
        if statement.get("Effect").and_then(Value::as_str) != Some("Allow") {
            continue;
        }
        match statement.get("Principal") {
            Some(Value::Object(kinds)) => {
                for (kind, values) in kinds {
                    for value in items(values) {
                        found.insert(format!("{kind}: {}", text(value)));
                    }
                }
            }
            Some(other) => {
                found.insert(text(other));
            }
            None => {}
        }
    }
    found
}

/// One ingress rule, normalised enough to tell whether another covers it.
#[derive(Debug, Clone, PartialEq)]
struct Rule {
    /// `-1` (all), `tcp`, `udp`, `icmp`, or another protocol as written.
    protocol: String,
    from: i64,
    to: i64,
    source: Source,
}

#[derive(Debug, Clone, PartialEq)]
enum Source {
    Cidr(IpNet),
    /// A security group, a prefix list, or an address written as an expression.
    Other(String),
}

impl Rule {
    fn parse(value: &Value) -> Option<Rule> {
        let protocol = match value.get("IpProtocol").map(text)?.as_str() {
            "6" => "tcp".to_owned(),
            "17" => "udp".to_owned(),
            "1" => "icmp".to_owned(),
            other => other.to_lowercase(),
        };
        let port = |name: &str| -> Option<i64> {
            match value.get(name)? {
                Value::Number(n) => n.as_i64(),
                Value::String(s) => s.parse().ok(),
                _ => None,
            }
        };
        // No ports (or -1) means every port.
        let (from, to) = match (port("FromPort"), port("ToPort")) {
            (Some(from), Some(to)) if from >= 0 && to >= 0 && protocol != "-1" => (from, to),
            _ => (0, 65535),
        };
        let source = ["CidrIp", "CidrIpv6"]
            .iter()
            .find_map(|k| value.get(*k))
            .map(|v| match v.as_str().and_then(|s| s.parse::<IpNet>().ok()) {
                Some(net) => Source::Cidr(net),
                None => Source::Other(text(v)),
            })
            .or_else(|| {
                [
                    "SourceSecurityGroupId",
                    "SourceSecurityGroupName",
                    "SourcePrefixListId",
                ]
                .iter()
                .find_map(|k| {
                    value
                        .get(*k)
                        .map(|v| Source::Other(format!("{k} {}", text(v))))
                })
            })?;
        Some(Rule {
            protocol,
            from,
            to,
            source,
        })
    }

    fn covers(&self, other: &Rule) -> bool {
        let protocol = self.protocol == "-1" || self.protocol == other.protocol;
        let ports = self.from <= other.from && other.to <= self.to;
        let source = match (&self.source, &other.source) {
            (Source::Cidr(a), Source::Cidr(b)) => a.contains(b),
            (a, b) => a == b,
        };
        protocol && ports && source
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let protocol = if self.protocol == "-1" {
            "all traffic"
        } else {
            &self.protocol
        };
        let source = match &self.source {
            Source::Cidr(net) => net.to_string(),
            Source::Other(text) => text.clone(),
        };
        match (self.from, self.to) {
            _ if self.protocol == "-1" => write!(f, "{protocol} from {source}"),
            (0, 65535) => write!(f, "{protocol} all ports from {source}"),
            (from, to) if from == to => write!(f, "{protocol} {from} from {source}"),
            (from, to) => write!(f, "{protocol} {from}-{to} from {source}"),
        }
    }
}

fn rules(value: Option<&Value>) -> Vec<Rule> {
    value
        .map(|v| items(v).into_iter().filter_map(Rule::parse).collect())
        .unwrap_or_default()
}

/// The rules of `now` that no rule of `was` covers, for display.
fn uncovered(now: &[Rule], was: &[Rule]) -> Vec<String> {
    now.iter()
        .filter(|rule| !was.iter().any(|old| old.covers(rule)))
        .map(ToString::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Target;
    use crate::plan::diff::{diff_templates, parse_template};

    fn check(action: StackAction, before: &str, after: &str) -> Vec<String> {
        let before = (!before.is_empty()).then(|| parse_template(before).unwrap());
        let after = (!after.is_empty()).then(|| parse_template(after).unwrap());
        let resources = diff_templates(before.as_ref(), after.as_ref());
        let addr = StackAddr::new(
            &Target::new(
                "111111111111".parse().unwrap(),
                "us-east-1".parse().unwrap(),
            ),
            "s",
        );
        find(&addr, action, before.as_ref(), after.as_ref(), &resources)
            .into_iter()
            .map(|h| format!("{} {:?}", h.logical_id, h.kind))
            .collect()
    }

    const BUCKET: &str = "Resources:\n  Evidence:\n    Type: AWS::S3::Bucket\n    DeletionPolicy: Retain\n    UpdateReplacePolicy: Retain\n    Properties:\n      BucketName: a\n";

    #[test]
    fn replacing_or_removing_a_bucket_loses_data_even_when_retained() {
        assert_eq!(
            check(
                StackAction::Update,
                BUCKET,
                &BUCKET.replace("BucketName: a", "BucketName: b")
            ),
            ["Evidence DataLoss { action: Replace, retained: true }"]
        );
        assert_eq!(
            check(StackAction::Delete, BUCKET, ""),
            ["Evidence DataLoss { action: Remove, retained: true }"]
        );
        let unretained = BUCKET.replace("    DeletionPolicy: Retain\n", "");
        assert_eq!(
            check(StackAction::Delete, &unretained, ""),
            ["Evidence DataLoss { action: Remove, retained: false }"]
        );
    }

    #[test]
    fn modifying_a_bucket_in_place_is_no_hazard() {
        let versioned = BUCKET.replace(
            "      BucketName: a\n",
            "      BucketName: a\n      VersioningConfiguration: {Status: Enabled}\n",
        );
        assert!(check(StackAction::Update, BUCKET, &versioned).is_empty());
    }

    const ROLE: &str = "Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Statement:\n          - Effect: Allow\n            Principal: {AWS: [\"arn:aws:iam::111111111111:root\"]}\n            Action: sts:AssumeRole\n";

    #[test]
    fn a_new_principal_in_a_trust_policy_widens_access() {
        let wider = ROLE.replace(
            "[\"arn:aws:iam::111111111111:root\"]",
            "[\"arn:aws:iam::111111111111:root\", \"arn:aws:iam::222222222222:root\"]",
        );
        assert_eq!(
            check(StackAction::Update, ROLE, &wider),
            ["Role NewTrustedPrincipals { principals: [\"AWS: arn:aws:iam::222222222222:root\"] }"]
        );
        // Fewer principals, or a new stack, is not flagged.
        assert!(check(StackAction::Update, &wider, ROLE).is_empty());
        assert!(check(StackAction::Create, "", &wider).is_empty());
    }

    const GROUP: &str = "Resources:\n  Group:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: g\n      SecurityGroupIngress:\n        - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/16}\n";

    #[test]
    fn an_ingress_rule_that_lets_more_in_widens_access() {
        let wider = GROUP.replace("10.0.0.0/16", "0.0.0.0/0");
        assert_eq!(
            check(StackAction::Update, GROUP, &wider),
            ["Group WiderIngress { rules: [\"tcp 443 from 0.0.0.0/0\"] }"]
        );
        let all_ports = GROUP.replace("FromPort: 443", "FromPort: 0");
        assert_eq!(
            check(StackAction::Update, GROUP, &all_ports),
            ["Group WiderIngress { rules: [\"tcp 0-443 from 10.0.0.0/16\"] }"]
        );
        // A narrower rule is covered by the old one.
        let narrower = GROUP.replace("10.0.0.0/16", "10.0.1.0/24");
        assert!(check(StackAction::Update, GROUP, &narrower).is_empty());
    }

    #[test]
    fn a_standalone_ingress_rule_added_to_a_stack_widens_access() {
        let added = format!(
            "{GROUP}  Open:\n    Type: AWS::EC2::SecurityGroupIngress\n    Properties:\n      GroupId: sg-1\n      IpProtocol: \"-1\"\n      CidrIp: 0.0.0.0/0\n"
        );
        assert_eq!(
            check(StackAction::Update, GROUP, &added),
            ["Open WiderIngress { rules: [\"all traffic from 0.0.0.0/0\"] }"]
        );
    }
}
