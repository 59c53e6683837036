//! The workload logging controls, one finding per resource: reads the workloads of
//! `workload_logging`'s accounts and regions (as discovery does) and judges each with the
//! plan's own rule (`workload::judge`), so that check and plan agree.

use std::collections::BTreeMap;

use futures::stream::{self, StreamExt};

use crate::addr::{AccountId, Target};
use crate::aws::{AccountSession, Aws, AwsError};
use crate::config::Environment;
use crate::discover::{workloads, Scope};
use crate::workload::{judge, Judgement, ResourceType, Workload, WorkloadKind};

use super::model::{Control, Finding, Status, Verdict};

/// Every target's workloads, or why they could not be read.
pub type Observed = BTreeMap<Target, Result<Vec<Workload>, AwsError>>;

/// Reads the workloads of every workload target, `parallelism` at a time.
pub async fn observe(
    aws: &Aws,
    env: &Environment,
    scope: &Scope,
    sessions: &BTreeMap<AccountId, Result<AccountSession, AwsError>>,
    parallelism: usize,
) -> Observed {
    let Some(spec) = &env.workload_logging else {
        return BTreeMap::new();
    };
    stream::iter(workloads::targets(spec, scope))
        .map(|target| async move {
            let read = match sessions.get(&target.account) {
                Some(Ok(session)) => {
                    workloads::read(aws, session, &target, &env.home_region, spec).await
                }
                Some(Err(err)) => Err(err.clone()),
                None => Err(AwsError::other(
                    "sts:AssumeRole",
                    format!("no session for account {}", target.account),
                )),
            };
            (target, read)
        })
        .buffer_unordered(parallelism.max(1))
        .collect()
        .await
}

fn kind_of(control: &Control) -> Option<WorkloadKind> {
    WorkloadKind::ALL
        .into_iter()
        .find(|k| crate::workload::control_of(*k) == control.id)
}

/// One finding per workload resource of each control's kind; a target without any is
/// one "not applicable" finding, a target that could not be read one error.
pub fn evaluate(env: &Environment, controls: &[&Control], observed: &Observed) -> Vec<Finding> {
    let Some(spec) = &env.workload_logging else {
        return Vec::new();
    };
    let mut findings = Vec::new();
    for control in controls {
        let Some(kind) = kind_of(control) else {
            continue;
        };
        for (target, read) in observed {
            let finding = |status, message: String, evidence, resource| {
                Verdict::of(status, message, evidence).finding(control.id, target.clone(), resource)
            };
            let workloads = match read {
                Err(err) => {
                    findings.push(finding(
                        Status::Error,
                        format!("could not be read: {err}"),
                        Vec::new(),
                        None,
                    ));
                    continue;
                }
                Ok(all) => all,
            };
            if !spec.wants(kind) {
                findings.push(finding(
                    Status::NotApplicable,
                    format!("workload_logging.kinds leaves out {kind}"),
                    Vec::new(),
                    None,
                ));
                continue;
            }
            let mine: Vec<&Workload> = workloads
                .iter()
                .filter(|w| w.resource_type.kind() == kind)
                .collect();
            if mine.is_empty() {
                findings.push(finding(
                    Status::NotApplicable,
                    format!("no {} here", labels(kind)),
                    Vec::new(),
                    None,
                ));
            }
            for workload in mine {
                let setting = workload.resource_type.setting();
                let what = workload.describe();
                let (status, message) = match judge(env, spec, workload) {
                    Judgement::Logging => (
                        Status::Pass,
                        format!("{what} has {setting} {}", workload.logging),
                    ),
                    Judgement::LoggingElsewhere => (
                        Status::Pass,
                        format!(
                            "{what} has {setting} {}, set outside irready",
                            workload.logging
                        ),
                    ),
                    Judgement::Configure(_) if workload.resource_type == ResourceType::WebAcl => {
                        (Status::Fail, format!("{what} has no logging configuration"))
                    }
                    Judgement::Configure(_)
                        if workload.resource_type == ResourceType::ApiGatewayAccount =>
                    {
                        (Status::Fail, format!("{what} has no CloudWatch role"))
                    }
                    Judgement::Configure(_) if workload.logging.enabled => (
                        Status::Fail,
                        format!(
                            "{what} has {setting} {}, not into irready's destination",
                            workload.logging
                        ),
                    ),
                    Judgement::Configure(_) => (Status::Fail, format!("{what} has {setting} off")),
                    Judgement::Excluded(reason) => {
                        (Status::NotApplicable, format!("{what}: {reason}"))
                    }
                };
                findings.push(finding(
                    status,
                    message,
                    vec![workload.id.clone()],
                    Some(workload.name.clone()),
                ));
            }
        }
    }
    findings
}

fn labels(kind: WorkloadKind) -> String {
    let types: Vec<&str> = ResourceType::ALL
        .into_iter()
        .filter(|t| t.kind() == kind)
        .map(ResourceType::label)
        .collect();
    types.join(" or ")
}
