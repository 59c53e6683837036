//! What the plan does about the logging of the workloads that already run: one
//! **configure** action per resource whose logging is off (or, where the environment
//! says `existing_destinations: replace`, points elsewhere), with the setting it had, and
//! the resources it leaves alone, with why. Pure: built from what discovery read.
//!
//! These settings are attributes of resources irready does not own, so they are not in
//! any template: apply sets them through the service API and records the setting it
//! found, which `destroy` puts back.

use serde::{Deserialize, Serialize};

use crate::addr::Target;
use crate::config::Environment;
use crate::discover::TargetState;
use crate::workload::{judge, Judgement, LogSetting, ResourceType, Workload};

/// One setting of one workload resource that apply changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Configure {
    pub target: Target,
    pub resource_type: ResourceType,
    /// What the service API takes: a bucket name, a load balancer ARN.
    pub resource_id: String,
    pub name: String,
    /// The setting, e.g. `access_logs`.
    pub setting: String,
    /// As discovery read it: what `destroy` puts back.
    pub before: LogSetting,
    pub after: LogSetting,
    /// The destination set outside irready that this replaces, when there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaces: Option<String>,
}

impl Configure {
    /// `configure ALB web in prod-app/eu-west-1: access_logs off → on (bucket …)`, with
    /// the account as `account` gives it.
    pub fn describe(&self, account: &str) -> String {
        let mut line = format!(
            "configure {} {} in {account}/{}: {} {} → {}",
            self.resource_type.label(),
            self.name,
            self.target.region,
            self.setting,
            self.before,
            self.after
        );
        if let Some(previous) = &self.replaces {
            line.push_str(&format!(
                " (replaces the destination {previous} set outside irready)"
            ));
        }
        line
    }
}

/// A workload resource the plan does not change, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeftAlone {
    pub target: Target,
    pub resource_type: ResourceType,
    pub resource_id: String,
    pub name: String,
    pub reason: String,
}

/// The workload part of a plan, sorted by target, type and name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkloadPlan {
    pub configure: Vec<Configure>,
    /// Settings irready's workload-logging stack makes (a WAF logging configuration, the
    /// API Gateway account's CloudWatch role), shown for what they change: the stack's own
    /// plan carries them out, apply makes no call for them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub by_stack: Vec<Configure>,
    /// Excluded by the environment (tag, name pattern): never touched.
    pub excluded: Vec<LeftAlone>,
    /// Logging into a destination set outside irready, kept as it is.
    pub kept: Vec<LeftAlone>,
}

impl WorkloadPlan {
    pub fn is_empty(&self) -> bool {
        self.configure.is_empty()
            && self.by_stack.is_empty()
            && self.excluded.is_empty()
            && self.kept.is_empty()
    }
}

fn left(workload: &Workload, reason: String) -> LeftAlone {
    LeftAlone {
        target: workload.target.clone(),
        resource_type: workload.resource_type,
        resource_id: workload.id.clone(),
        name: workload.name.clone(),
        reason,
    }
}

/// The workload plan of every target discovery read.
pub fn plan<'a>(
    env: &Environment,
    states: impl IntoIterator<Item = (&'a Target, &'a TargetState)>,
) -> WorkloadPlan {
    let mut out = WorkloadPlan::default();
    let Some(spec) = &env.workload_logging else {
        return out;
    };
    for (_, state) in states {
        for workload in &state.workloads {
            match judge(env, spec, workload) {
                Judgement::Logging => {}
                Judgement::LoggingElsewhere => out.kept.push(left(
                    workload,
                    format!(
                        "{} is {}, set outside irready: kept \
                         (workload_logging.existing_destinations: keep)",
                        workload.resource_type.setting(),
                        workload.logging
                    ),
                )),
                Judgement::Excluded(reason) => out.excluded.push(left(workload, reason)),
                Judgement::Configure(after) => {
                    let before = workload.logging.clone();
                    let replaces = before
                        .destination
                        .clone()
                        .filter(|_| before.enabled)
                        .filter(|d| Some(d) != after.destination.as_ref());
                    // The stack sets some (the CloudWatch role, web ACL logging).
                    let list = if workload.resource_type.configured() {
                        &mut out.configure
                    } else {
                        &mut out.by_stack
                    };
                    list.push(Configure {
                        target: workload.target.clone(),
                        resource_type: workload.resource_type,
                        resource_id: workload.id.clone(),
                        name: workload.name.clone(),
                        setting: workload.resource_type.setting().to_owned(),
                        before,
                        after,
                        replaces,
                    });
                }
            }
        }
    }
    let key =
        |t: &Target, r: ResourceType, n: &str, i: &str| (t.clone(), r, n.to_owned(), i.to_owned());
    for list in [&mut out.configure, &mut out.by_stack] {
        list.sort_by_key(|c| key(&c.target, c.resource_type, &c.name, &c.resource_id));
    }
    for list in [&mut out.excluded, &mut out.kept] {
        list.sort_by_key(|l| key(&l.target, l.resource_type, &l.name, &l.resource_id));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_replaced_destination_is_said_in_the_line() {
        let action = Configure {
            target: Target::new(
                "444444444444".parse().unwrap(),
                "eu-west-1".parse().unwrap(),
            ),
            resource_type: ResourceType::Alb,
            resource_id:
                "arn:aws:elasticloadbalancing:eu-west-1:444444444444:loadbalancer/app/web/1".into(),
            name: "web".into(),
            setting: "access_logs".into(),
            before: LogSetting::to_bucket("team-logs", "web"),
            after: LogSetting::to_bucket("irready-t-elb-logs-444444444444-eu-west-1", "web"),
            replaces: Some("team-logs".into()),
        };
        assert_eq!(
            action.describe("prod-app (444444444444)"),
            "configure ALB web in prod-app (444444444444)/eu-west-1: access_logs on (bucket \
             team-logs, prefix web) → on (bucket irready-t-elb-logs-444444444444-eu-west-1, \
             prefix web) (replaces the destination team-logs set outside irready)"
        );
    }
}
