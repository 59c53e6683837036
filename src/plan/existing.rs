//! Weighs what exists outside irready against the environment's settings. Pure: the
//! facts come from discovery (`discover::Existing`), the verdicts go into the plan
//! (`ExistingFinding`) and tell the renderer what to leave out (`render::Covered`).
//!
//! The rules, per control:
//! - trail: an existing trail that meets every setting stands for irready's own, which is
//!   then not made (duplicate trails cost money); otherwise irready makes its own and says
//!   what each existing trail lacks.
//! - GuardDuty, Config: one detector and one recorder per account and region, so irready
//!   never plans a second. One that meets the settings is "satisfied"; one that does not
//!   is a conflict with an instruction, or, where the environment says `adopt: true`,
//!   accepted as it is with its gaps reported.
//! - flow logs, DNS query logs: an existing one on a VPC that meets the settings stands
//!   for irready's on that VPC; one that does not gets irready's beside it.

use std::collections::{BTreeMap, BTreeSet};

use crate::addr::Target;
use crate::aws::cloudtrail::TrailFact;
use crate::aws::configservice::RecorderFact;
use crate::aws::ec2::FlowLogFact;
use crate::aws::guardduty::DetectorFact;
use crate::aws::resolver::QueryLogAssociationFact;
use crate::config::{
    CloudTrailSpec, ConfigRecorderSpec, DataEvents, Environment, FlowLogSpec, GuardDutySpec,
};
use crate::discover::{Scope, TargetState};
use crate::render::{self, Component, Covered, CoveringTrail, ForensicNames};

use super::model::{ControlId, ExistingFinding, Verdict};

/// The findings for the plan, and per target what the templates leave out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Evaluation {
    pub findings: Vec<ExistingFinding>,
    pub covered: BTreeMap<Target, Covered>,
}

/// Weighs the existing resources of every target that was read.
pub fn evaluate<'a>(
    env: &Environment,
    scope: &Scope,
    states: impl IntoIterator<Item = (&'a Target, &'a TargetState)>,
) -> Evaluation {
    let states: BTreeMap<&Target, &TargetState> = states.into_iter().collect();
    let Some(logging) = &env.logging else {
        return Evaluation::default();
    };
    let log_archive = scope.forensic_account.as_ref().map(|account| {
        let names = ForensicNames::new(env, &Target::new(account.clone(), env.home_region.clone()));
        format!("arn:aws:s3:::{}", names.log_archive_bucket)
    });
    let mut evaluation = Evaluation::default();
    for placement in render::placements(env, scope) {
        let target = &placement.target;
        let Some(state) = states.get(target) else {
            continue;
        };
        let existing = &state.existing;
        let mut findings = Vec::new();
        let mut covered = Covered::default();
        match placement.component {
            // Under `plan --refresh=false`, what the stacks recorded stands for what
            // existed when they were rendered: nothing was read, nothing is weighed.
            Component::OrgLogging if state.recorded.trail.is_some() => {
                covered.trail = state.recorded.trail.clone().flatten();
            }
            Component::RegionalBaseline if state.recorded.baseline_covered.is_some() => {
                covered = state.recorded.baseline_covered.clone().unwrap_or_default();
            }
            Component::OrgLogging => {
                if let Some(spec) = &logging.cloudtrail {
                    let (found, trail) = trail(
                        spec,
                        scope.organization.enabled,
                        logging.cis_alarms,
                        target,
                        &existing.trails,
                    );
                    findings.extend(found);
                    covered.trail = trail;
                }
            }
            Component::RegionalBaseline => {
                let home = target.region == env.home_region;
                if let (Some(spec), Some(found)) = (&logging.guardduty, &existing.detector) {
                    findings.push(detector(spec, target, found));
                    covered.detector = true;
                }
                if let (Some(spec), Some(found)) = (&logging.config, &existing.recorder) {
                    findings.push(recorder(spec, home, target, found));
                    covered.recorder = true;
                }
                if let (Some(spec), Some(archive)) = (&logging.flow_logs, &log_archive) {
                    let (found, vpcs) = flow_logs(spec, archive, target, &existing.flow_logs);
                    findings.extend(found);
                    covered.flow_logs = vpcs;
                }
                if let (true, Some(archive)) = (logging.dns_query_logs, &log_archive) {
                    let (found, vpcs) =
                        query_logs(archive, target, &existing.query_log_associations);
                    findings.extend(found);
                    covered.query_logs = vpcs;
                }
            }
            Component::Access
            | Component::Alarms
            | Component::Analysis
            | Component::BreakglassAlerts
            | Component::ForensicCore
            | Component::ForensicVpc
            | Component::WorkloadLogging
            | Component::InstanceRunbooks
            | Component::IdentityRunbooks
            | Component::EvidenceKeys => {}
        }
        evaluation.findings.extend(findings);
        if covered != Covered::default() {
            let entry = evaluation.covered.entry(target.clone()).or_default();
            merge(entry, covered);
        }
    }
    evaluation.findings.sort_by(|a, b| {
        (&a.target, a.control, &a.vpc, &a.resource_id).cmp(&(
            &b.target,
            b.control,
            &b.vpc,
            &b.resource_id,
        ))
    });
    evaluation
}

fn merge(into: &mut Covered, from: Covered) {
    into.trail = into.trail.take().or(from.trail);
    into.detector |= from.detector;
    into.recorder |= from.recorder;
    into.flow_logs.extend(from.flow_logs);
    into.query_logs.extend(from.query_logs);
}

fn finding(target: &Target, control: ControlId, id: &str, verdict: Verdict) -> ExistingFinding {
    ExistingFinding {
        target: target.clone(),
        control,
        resource_id: id.to_owned(),
        vpc: None,
        verdict,
    }
}

/// What a trail lacks against the trail settings, in the order a reader checks them.
pub fn trail_gaps(spec: &CloudTrailSpec, organization: bool, trail: &TrailFact) -> Vec<String> {
    let mut gaps = management_gaps(spec, organization, trail);
    let missing = missing_data_events(spec, trail);
    if !missing.is_empty() && trail.data_event_types.is_empty() {
        gaps.push("no data events".to_owned());
    } else {
        for kind in missing {
            gaps.push(match kind {
                DataEvents::S3 => "no S3 data events".to_owned(),
                DataEvents::Lambda => "no Lambda data events".to_owned(),
            });
        }
    }
    gaps
}

/// The data events the environment asks for that `trail` does not record.
pub fn missing_data_events(spec: &CloudTrailSpec, trail: &TrailFact) -> Vec<DataEvents> {
    spec.data_events
        .iter()
        .copied()
        .filter(|kind| !trail.data_event_types.contains(kind.resource_type()))
        .collect()
}

/// What `trail` lacks as the organization's record of management events: everything
/// [`trail_gaps`] checks but the data events.
pub fn management_gaps(
    spec: &CloudTrailSpec,
    organization: bool,
    trail: &TrailFact,
) -> Vec<String> {
    let mut gaps = Vec::new();
    let mut lacks = |missing: bool, gap: &str| {
        if missing {
            gaps.push(gap.to_owned());
        }
    };
    lacks(
        spec.organization && organization && !trail.is_organization,
        "not an organization trail",
    );
    lacks(!trail.is_multi_region, "single-region");
    lacks(!trail.include_global_events, "no global service events");
    lacks(!trail.log_file_validation, "log file validation off");
    lacks(!trail.is_logging, "not logging");
    lacks(trail.kms_key_id.is_none(), "not encrypted with KMS");
    lacks(!trail.management_events, "not every management event");
    if trail.log_group_arn.is_none() {
        gaps.push("no CloudWatch Logs group".to_owned());
    }
    gaps
}

/// The name of a CloudWatch Logs group from its ARN, when it lives in `target` (the
/// alarms' metric filters must be in the group's own account and region).
pub fn log_group_in(arn: &str, target: &Target) -> Option<String> {
    // arn:PARTITION:logs:REGION:ACCOUNT:log-group:NAME[:*]
    let parts: Vec<&str> = arn.splitn(7, ':').collect();
    let [_, _, "logs", region, account, "log-group", name] = parts.as_slice() else {
        return None;
    };
    let name = name.strip_suffix(":*").unwrap_or(name);
    (*region == target.region.as_str() && *account == target.account.as_str() && !name.is_empty())
        .then(|| name.to_owned())
}

/// The trail control in the management account's home region: the first trail (by ARN)
/// that meets every setting stands for irready's own. Failing that, the first that meets
/// every setting but some data events (a Control Tower trail records no data events)
/// stands for it for management events, and irready's own trail records only the missing
/// data events.
pub fn trail(
    spec: &CloudTrailSpec,
    organization: bool,
    alarms: bool,
    target: &Target,
    trails: &[TrailFact],
) -> (Vec<ExistingFinding>, Option<CoveringTrail>) {
    if let Some(meets) = trails
        .iter()
        .find(|t| trail_gaps(spec, organization, t).is_empty())
    {
        let log_group = meets
            .log_group_arn
            .as_deref()
            .and_then(|arn| log_group_in(arn, target));
        let mut findings = Vec::new();
        let note = match (&log_group, alarms) {
            (Some(group), true) => Some(format!("the CIS alarms go on its log group {group}")),
            (None, true) => {
                findings.push(finding(
                    target,
                    ControlId::Alarms,
                    &meets.arn,
                    Verdict::Conflict {
                        gaps: vec![format!(
                            "its CloudWatch Logs group {} is not in {} of account {}",
                            meets.log_group_arn.as_deref().unwrap_or_default(),
                            target.region,
                            target.account
                        )],
                        instruction: format!(
                            "the CIS alarms cannot be placed: metric filters must be in the log \
                             group's account and region. Deliver trail {} to a CloudWatch Logs \
                             group in {} of account {}, or turn the alarms off \
                             (`logging.alarms: false`)",
                            meets.name, target.region, target.account
                        ),
                    },
                ));
                None
            }
            (_, false) => None,
        };
        findings.push(finding(
            target,
            ControlId::Trail,
            &meets.arn,
            Verdict::Satisfied { note },
        ));
        let covering = CoveringTrail {
            arn: meets.arn.clone(),
            log_group,
            missing_data_events: Vec::new(),
        };
        return (findings, Some(covering));
    }
    let complemented = trails.iter().find(|t| {
        management_gaps(spec, organization, t).is_empty()
            && t.log_group_arn
                .as_deref()
                .is_some_and(|arn| log_group_in(arn, target).is_some())
    });
    if let Some(base) = complemented {
        let missing = missing_data_events(spec, base);
        let kinds: Vec<&str> = missing.iter().map(|k| k.name()).collect();
        let mut note = format!(
            "for management events; irready's trail records only the data events it lacks ({}), \
             without management events",
            kinds.join(", ")
        );
        if alarms {
            note.push_str("; the CIS alarms go on its log group");
        }
        let findings = vec![finding(
            target,
            ControlId::Trail,
            &base.arn,
            Verdict::Satisfied { note: Some(note) },
        )];
        let covering = CoveringTrail {
            arn: base.arn.clone(),
            log_group: base
                .log_group_arn
                .as_deref()
                .and_then(|arn| log_group_in(arn, target)),
            missing_data_events: missing,
        };
        return (findings, Some(covering));
    }
    let findings = trails
        .iter()
        .map(|t| {
            finding(
                target,
                ControlId::Trail,
                &t.arn,
                Verdict::FallsShort {
                    gaps: trail_gaps(spec, organization, t),
                    remedy: format!(
                        "irready makes its own trail; close these gaps on {} and plan again to \
                         have it count instead (two trails cost twice)",
                        t.name
                    ),
                },
            )
        })
        .collect();
    (findings, None)
}

/// How the environment file and the GuardDuty console name a feature.
fn feature_label(feature: &str) -> &'static str {
    match feature {
        "S3_DATA_EVENTS" => "S3 protection",
        "EKS_AUDIT_LOGS" => "EKS audit log monitoring",
        "EBS_MALWARE_PROTECTION" => "EBS malware protection",
        "RDS_LOGIN_EVENTS" => "RDS login activity monitoring",
        "RUNTIME_MONITORING" => "runtime monitoring",
        "LAMBDA_NETWORK_LOGS" => "Lambda network activity monitoring",
        _ => "protection plan",
    }
}

/// The frequency irready's detectors publish findings at.
const FINDING_FREQUENCY: &str = "FIFTEEN_MINUTES";

pub fn detector_gaps(spec: &GuardDutySpec, detector: &DetectorFact) -> Vec<String> {
    let mut gaps = Vec::new();
    if !detector.enabled {
        gaps.push("is suspended".to_owned());
    }
    for feature in &spec.features {
        let on = detector.features.get(*feature).map(String::as_str) == Some("ENABLED");
        if !on {
            gaps.push(format!("lacks {} ({feature})", feature_label(feature)));
        }
    }
    match detector.finding_frequency.as_deref() {
        Some(FINDING_FREQUENCY) => {}
        other => gaps.push(format!(
            "publishes findings every {}, not {FINDING_FREQUENCY}",
            other.unwrap_or("(unknown)")
        )),
    }
    gaps
}

/// The GuardDuty control where a detector exists outside irready.
pub fn detector(spec: &GuardDutySpec, target: &Target, found: &DetectorFact) -> ExistingFinding {
    let gaps = detector_gaps(spec, found);
    let id = &found.id;
    let verdict = if gaps.is_empty() {
        Verdict::Satisfied { note: None }
    } else if spec.adopt {
        Verdict::FallsShort {
            remedy: format!(
                "adopted as it is (`logging.guardduty.adopt: true`): irready plans no detector \
                 here and leaves {id} alone; close the gaps on it yourself"
            ),
            gaps,
        }
    } else {
        Verdict::Conflict {
            instruction: format!(
                "detector {id} exists and {}: enable that on it (aws guardduty update-detector \
                 --detector-id {id} --region {}), or set `logging.guardduty.adopt: true` to accept \
                 it as it is. GuardDuty allows one detector per account and region, so irready \
                 plans none here",
                gaps.join(", "),
                target.region
            ),
            gaps,
        }
    };
    finding(target, ControlId::GuardDuty, id, verdict)
}

pub fn recorder_gaps(
    spec: &ConfigRecorderSpec,
    home: bool,
    recorder: &RecorderFact,
) -> Vec<String> {
    let mut gaps = Vec::new();
    if !recorder.recording {
        gaps.push("is not recording".to_owned());
    }
    if spec.all_supported && !recorder.all_supported {
        gaps.push("records only some resource types".to_owned());
    }
    if home && !recorder.include_global_types {
        gaps.push("leaves out global resource types (IAM) in the home region".to_owned());
    }
    if !recorder.has_delivery_channel {
        gaps.push("has no delivery channel".to_owned());
    }
    gaps
}

/// The Config control where a recorder exists outside irready.
pub fn recorder(
    spec: &ConfigRecorderSpec,
    home: bool,
    target: &Target,
    found: &RecorderFact,
) -> ExistingFinding {
    let gaps = recorder_gaps(spec, home, found);
    let name = &found.name;
    let verdict = if gaps.is_empty() {
        Verdict::Satisfied { note: None }
    } else if spec.adopt {
        Verdict::FallsShort {
            remedy: format!(
                "adopted as it is (`logging.config.adopt: true`): irready plans no recorder \
                 here and leaves {name} alone; close the gaps on it yourself"
            ),
            gaps,
        }
    } else {
        Verdict::Conflict {
            instruction: format!(
                "recorder {name} exists and {}: fix it, or set `logging.config.adopt: true` to \
                 accept it as it is. AWS Config allows one recorder per account and region, so \
                 irready plans none here",
                gaps.join(", ")
            ),
            gaps,
        }
    };
    finding(target, ControlId::Config, name, verdict)
}

/// Whether `destination` is the log archive bucket or a prefix in it.
fn into_archive(destination: Option<&str>, archive: &str) -> bool {
    destination.is_some_and(|d| {
        d == archive
            || d.strip_prefix(archive)
                .is_some_and(|rest| rest.starts_with('/'))
    })
}

pub fn flow_log_gaps(spec: &FlowLogSpec, archive: &str, flow_log: &FlowLogFact) -> Vec<String> {
    let mut gaps = Vec::new();
    // ALL covers ACCEPT and REJECT; otherwise the traffic types must match.
    if flow_log.traffic != "ALL" && flow_log.traffic != spec.traffic {
        gaps.push(format!(
            "traffic {}, not {}",
            flow_log.traffic, spec.traffic
        ));
    }
    if flow_log.destination_type != "s3" || !into_archive(flow_log.destination.as_deref(), archive)
    {
        gaps.push(format!(
            "delivers to {}, not the log archive {archive}",
            flow_log.destination.as_deref().unwrap_or("(nowhere)")
        ));
    }
    let interval = flow_log.aggregation_seconds.unwrap_or(600);
    if u32::try_from(interval).map_or(true, |i| i > spec.aggregation_seconds) {
        gaps.push(format!(
            "aggregates over {interval} s, not {} s",
            spec.aggregation_seconds
        ));
    }
    gaps
}

/// The flow log control on each VPC with existing flow logs. Returns the findings and the
/// VPCs an existing flow log covers.
pub fn flow_logs(
    spec: &FlowLogSpec,
    archive: &str,
    target: &Target,
    flow_logs: &[FlowLogFact],
) -> (Vec<ExistingFinding>, BTreeSet<String>) {
    let mut by_vpc: BTreeMap<&str, Vec<&FlowLogFact>> = BTreeMap::new();
    for flow_log in flow_logs {
        by_vpc
            .entry(&flow_log.resource_id)
            .or_default()
            .push(flow_log);
    }
    let mut findings = Vec::new();
    let mut covered = BTreeSet::new();
    for (vpc, logs) in by_vpc {
        let with_vpc = |mut f: ExistingFinding| {
            f.vpc = Some(vpc.to_owned());
            f
        };
        if let Some(meets) = logs
            .iter()
            .find(|f| flow_log_gaps(spec, archive, f).is_empty())
        {
            covered.insert(vpc.to_owned());
            findings.push(with_vpc(finding(
                target,
                ControlId::FlowLogs,
                &meets.id,
                Verdict::Satisfied { note: None },
            )));
            continue;
        }
        for flow_log in logs {
            findings.push(with_vpc(finding(
                target,
                ControlId::FlowLogs,
                &flow_log.id,
                Verdict::FallsShort {
                    gaps: flow_log_gaps(spec, archive, flow_log),
                    remedy: format!("irready adds its own flow log on {vpc}"),
                },
            )));
        }
    }
    (findings, covered)
}

pub fn query_log_gaps(archive: &str, association: &QueryLogAssociationFact) -> Vec<String> {
    let mut gaps = Vec::new();
    if !matches!(association.status.as_str(), "ACTIVE" | "CREATING") {
        gaps.push(format!("is {}", association.status));
    }
    if !into_archive(association.destination.as_deref(), archive) {
        gaps.push(format!(
            "delivers to {}, not the log archive {archive}",
            association.destination.as_deref().unwrap_or("(unknown)")
        ));
    }
    gaps
}

/// The DNS query log control on each VPC with existing associations. Returns the
/// findings and the VPCs an existing association covers.
pub fn query_logs(
    archive: &str,
    target: &Target,
    associations: &[QueryLogAssociationFact],
) -> (Vec<ExistingFinding>, BTreeSet<String>) {
    let mut by_vpc: BTreeMap<&str, Vec<&QueryLogAssociationFact>> = BTreeMap::new();
    for association in associations {
        by_vpc
            .entry(&association.vpc_id)
            .or_default()
            .push(association);
    }
    let mut findings = Vec::new();
    let mut covered = BTreeSet::new();
    for (vpc, associations) in by_vpc {
        let with_vpc = |mut f: ExistingFinding| {
            f.vpc = Some(vpc.to_owned());
            f
        };
        if let Some(meets) = associations
            .iter()
            .find(|a| query_log_gaps(archive, a).is_empty())
        {
            covered.insert(vpc.to_owned());
            findings.push(with_vpc(finding(
                target,
                ControlId::DnsLogs,
                &meets.id,
                Verdict::Satisfied { note: None },
            )));
            continue;
        }
        for association in associations {
            findings.push(with_vpc(finding(
                target,
                ControlId::DnsLogs,
                &association.id,
                Verdict::FallsShort {
                    gaps: query_log_gaps(archive, association),
                    remedy: format!("irready adds its own query log association on {vpc}"),
                },
            )));
        }
    }
    (findings, covered)
}

#[cfg(test)]
mod tests;
