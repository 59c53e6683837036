//! Judges every control on what `observe` read. Pure: no I/O, tested with plain values.

use std::collections::{BTreeMap, BTreeSet};

use crate::addr::Target;
use crate::aws::AwsError;
use crate::config::{Environment, ForensicAccount};
use crate::discover::Scope;
use crate::model::runbooks::{DocumentState, Runbook};
use crate::plan::existing::{
    detector_gaps, management_gaps, missing_data_events, recorder_gaps, trail_gaps,
};
use crate::render::covered_vpcs_of;

use super::controls::CATALOG;
use super::model::{Control, ControlId, ControlScope, Finding, Verdict};
use super::observe::TargetPosture;
use crate::model::analysis::{self, AnalysisNames};
use crate::render::ForensicNames;

/// Interface endpoints the forensic VPC must have (and the S3 gateway endpoint).
const FORENSIC_ENDPOINTS: &[&str] = &[
    "ec2",
    "ec2messages",
    "kms",
    "logs",
    "s3",
    "ssm",
    "ssmmessages",
    "sts",
];

/// The CIS alarms irready names, and its breakglass alarm.
fn expected_alarms(env: &Environment) -> Vec<String> {
    crate::render::cis_alarm_names()
        .into_iter()
        .map(|name| format!("irready-{}-{name}", env.name))
        .collect()
}

/// Where each control is evaluated.
pub fn targets_of(control: &Control, env: &Environment, scope: &Scope) -> Vec<Target> {
    let home =
        |account: &crate::addr::AccountId| Target::new(account.clone(), env.home_region.clone());
    match control.scope {
        ControlScope::Organization => vec![home(&scope.organization.management_account)],
        ControlScope::Account => scope.accounts.iter().map(home).collect(),
        ControlScope::AccountRegion => scope
            .accounts
            .iter()
            .flat_map(|a| {
                scope
                    .regions
                    .iter()
                    .map(|r| Target::new(a.clone(), r.clone()))
            })
            .collect(),
        ControlScope::Forensic => {
            // Without the account the control still has a place to fail: the
            // management account's home region, where it would be created.
            let account = scope
                .forensic_account
                .as_ref()
                .unwrap_or(&scope.organization.management_account);
            vec![home(account)]
        }
        // Judged per resource by `check::workloads`, in its own targets.
        ControlScope::Workload => Vec::new(),
        ControlScope::AnalysisRegion => match (&scope.forensic_account, &env.forensic) {
            (Some(account), Some(forensic)) => forensic
                .analysis_regions
                .iter()
                .map(|r| Target::new(account.clone(), r.clone()))
                .collect(),
            _ => Vec::new(),
        },
    }
}

/// Every control of `controls` in every target it applies to, sorted by control (catalog
/// order) then target.
pub fn evaluate(
    env: &Environment,
    scope: &Scope,
    controls: &[&Control],
    postures: &BTreeMap<Target, Result<TargetPosture, AwsError>>,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    for control in controls {
        for target in targets_of(control, env, scope) {
            let verdict = match postures.get(&target) {
                Some(Ok(posture)) => judge(control.id, env, scope, &target, posture),
                Some(Err(err)) => Verdict::error(format!("could not be read: {err}")),
                None => Verdict::error("was not read"),
            };
            findings.push(verdict.finding(control.id, target, None));
        }
    }
    let order: BTreeMap<ControlId, usize> =
        CATALOG.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
    findings.sort_by(|a, b| {
        (order.get(&a.control), &a.target).cmp(&(order.get(&b.control), &b.target))
    });
    findings
}

/// One control in one target: every control has its own judge, and the match is
/// exhaustive, so a new control does not compile until it has one.
fn judge(
    id: ControlId,
    env: &Environment,
    scope: &Scope,
    target: &Target,
    p: &TargetPosture,
) -> Verdict {
    match id {
        ControlId::Trail => trail(env, scope, p),
        ControlId::TrailLogs => trail_logs(env, scope, target, p),
        ControlId::TrailDelivery => trail_delivery(env, scope, p),
        ControlId::LogDelivery => log_delivery(env, p),
        ControlId::LogsLanding => logs_landing(p, true),
        ControlId::ActivityLogsLanding => logs_landing(p, false),
        ControlId::GuardDuty => guardduty(env, p),
        ControlId::Config => config(env, target, p),
        ControlId::FlowLogs => flow_logs(env, p),
        ControlId::DnsLogs => dns_logs(env, p),
        ControlId::Isolation => isolation(env, p),
        ControlId::Breakglass => breakglass(env, scope, p),
        ControlId::ResponseRoles => response_roles(env, p),
        ControlId::ForensicAccount => forensic_account(env, scope),
        ControlId::QueryTables => query_tables(env, scope, target, p),
        ControlId::QueryWorkgroup => query_workgroup(env, target, p),
        ControlId::ForensicVpc => forensic_vpc(p),
        ControlId::EvidenceBucket => evidence_bucket(p),
        ControlId::AnalysisImages => analysis_images(p),
        ControlId::Alarms => alarms(env, p),
        ControlId::Runbooks => runbooks_present(env, p),
        ControlId::AutomationRole => automation_role(env, p),
        ControlId::EvidenceKey => evidence_key(env, scope, target, p),
        ControlId::EbsDefaultKey => ebs_default_key(env, p),
        // Judged per resource, in their own targets, by `check::workloads`.
        ControlId::WorkloadS3
        | ControlId::WorkloadElb
        | ControlId::WorkloadRedshift
        | ControlId::WorkloadEks
        | ControlId::WorkloadApiGateway
        | ControlId::WorkloadWaf
        | ControlId::WorkloadCloudFront => Verdict::error(format!(
            "{id} is judged per workload resource, not per target"
        )),
    }
}

/// IR-RUN-1: every runbook document is here with the content irready renders.
fn runbooks_present(env: &Environment, p: &TargetPosture) -> Verdict {
    if env.access.is_none() {
        return Verdict::not_applicable("no `access` section: no runbooks");
    }
    let Some(found) = &p.runbooks else {
        return Verdict::error("the runbooks were not read");
    };
    let (mut missing, mut changed, mut present) = (Vec::new(), Vec::new(), Vec::new());
    for runbook in Runbook::ALL {
        let name = runbook.document_name(&env.name);
        match found.get(&name) {
            None | Some(DocumentState::Missing) => missing.push(name),
            Some(DocumentState::Changed) => changed.push(name),
            Some(DocumentState::AsRendered) => present.push(name),
        }
    }
    if missing.is_empty() && changed.is_empty() {
        return Verdict::pass(
            format!(
                "{} runbooks with the content irready renders",
                present.len()
            ),
            present,
        );
    }
    let mut gaps = Vec::new();
    if !missing.is_empty() {
        gaps.push(format!("missing: {}", missing.join(", ")));
    }
    if !changed.is_empty() {
        gaps.push(format!(
            "content differs from what irready renders: {}",
            changed.join(", ")
        ));
    }
    missing.extend(changed);
    Verdict::fail(gaps.join("; "), missing)
}

/// IR-RUN-2: the automation role exists and only Systems Manager may assume it.
fn automation_role(env: &Environment, p: &TargetPosture) -> Verdict {
    if env.access.is_none() {
        return Verdict::not_applicable("no `access` section: no automation role");
    }
    let name = crate::model::runbooks::automation_role_name(&env.name);
    let Some(role) = p.automation_role.as_ref() else {
        return Verdict::error("the automation role was not read");
    };
    let Some(role) = role else {
        return Verdict::fail(format!("role {name} missing"), Vec::new());
    };
    let others = trusted_besides_ssm(&role.trust_policy);
    if others.is_empty() {
        Verdict::pass(
            format!("role {name} trusted by ssm.amazonaws.com only"),
            vec![role.arn.clone()],
        )
    } else {
        Verdict::fail(
            format!("role {name} also trusts {}", others.join(", ")),
            vec![role.arn.clone()],
        )
    }
}

/// The principals an Allow statement of `trust` admits other than Systems Manager.
fn trusted_besides_ssm(trust: &serde_json::Value) -> Vec<String> {
    let statements = match &trust["Statement"] {
        serde_json::Value::Array(items) => items.clone(),
        other => vec![other.clone()],
    };
    let mut others = Vec::new();
    for statement in statements.iter().filter(|s| s["Effect"] == "Allow") {
        match &statement["Principal"] {
            serde_json::Value::Object(kinds) => {
                for (kind, value) in kinds {
                    let values = match value {
                        serde_json::Value::Array(items) => items.clone(),
                        other => vec![other.clone()],
                    };
                    for v in values {
                        let text = v.as_str().unwrap_or_default().to_owned();
                        if !(kind == "Service" && text == "ssm.amazonaws.com") {
                            others.push(format!("{kind}:{text}"));
                        }
                    }
                }
            }
            other => others.push(other.to_string()),
        }
    }
    others
}

/// IR-RUN-3: the forensic account's key of the region exists, is enabled and admits the
/// account for the EBS copy (CreateGrant and Decrypt/ReEncrypt through EC2).
fn evidence_key(env: &Environment, scope: &Scope, target: &Target, p: &TargetPosture) -> Verdict {
    if env.access.is_none() || env.forensic.is_none() {
        return Verdict::not_applicable("no `access` or `forensic` section: no evidence key");
    }
    let alias = crate::model::runbooks::evidence_key_alias(&env.name);
    let Some(key) = &p.evidence_key else {
        return Verdict::error(format!(
            "the forensic account's key {alias} in {} was not read",
            target.region
        ));
    };
    let Some(key) = key else {
        return Verdict::fail(
            format!(
                "no evidence key {alias} in the forensic account in {}",
                target.region
            ),
            Vec::new(),
        );
    };
    if !key.enabled {
        return Verdict::fail(format!("{} is disabled", key.arn), vec![key.arn.clone()]);
    }
    let forensic = scope.forensic_account.as_ref() == Some(&target.account);
    let policy: serde_json::Value = key
        .policy
        .as_deref()
        .and_then(|p| serde_json::from_str(p).ok())
        .unwrap_or_default();
    let admitted = ["kms:CreateGrant", "kms:Decrypt", "kms:ReEncryptTo"]
        .iter()
        .all(|action| {
            key_admits(
                &policy,
                action,
                &target.account,
                p.organization_id.as_deref(),
            )
        });
    if forensic || admitted {
        Verdict::pass(
            format!("{} admits account {}", key.arn, target.account),
            vec![key.arn.clone()],
        )
    } else {
        Verdict::fail(
            format!(
                "{} does not admit account {} for EBS copies (kms:CreateGrant, kms:Decrypt, kms:ReEncrypt*)",
                key.arn, target.account
            ),
            vec![key.arn.clone()],
        )
    }
}

/// Whether an Allow statement of key policy `policy` gives `action` to `account`: naming
/// it (its root or id), or any principal of the organization `org` (aws:PrincipalOrgID).
fn key_admits(
    policy: &serde_json::Value,
    action: &str,
    account: &crate::addr::AccountId,
    org: Option<&str>,
) -> bool {
    let list = |v: &serde_json::Value| -> Vec<String> {
        match v {
            serde_json::Value::Array(items) => items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_owned))
                .collect(),
            serde_json::Value::String(s) => vec![s.clone()],
            _ => Vec::new(),
        }
    };
    let statements = match &policy["Statement"] {
        serde_json::Value::Array(items) => items.clone(),
        other => vec![other.clone()],
    };
    statements.iter().any(|s| {
        let allows = s["Effect"] == "Allow"
            && list(&s["Action"]).iter().any(|a| {
                a == "kms:*"
                    || a == action
                    || a.strip_suffix('*').is_some_and(|p| action.starts_with(p))
            });
        let principals = match &s["Principal"] {
            serde_json::Value::String(star) => vec![star.clone()],
            other => list(&other["AWS"]),
        };
        let root = format!("arn:aws:iam::{account}:root");
        let named = principals
            .iter()
            .any(|p| *p == root || *p == account.to_string());
        let in_org = principals.iter().any(|p| p == "*")
            && org.is_some_and(|org| {
                s.pointer("/Condition/StringEquals/aws:PrincipalOrgID")
                    .is_some_and(|v| list(v).iter().any(|o| o == org))
            });
        allows && (named || in_org)
    })
}

/// IR-RUN-4 (low): the region's default EBS key is a customer managed key.
fn ebs_default_key(env: &Environment, p: &TargetPosture) -> Verdict {
    if env.access.is_none() {
        return Verdict::not_applicable("no `access` section: no runbooks");
    }
    match &p.ebs_default_key {
        None => Verdict::error("the default EBS key was not read"),
        Some(Some(key)) if !key.ends_with("alias/aws/ebs") => {
            Verdict::pass(format!("default EBS key {key}"), vec![key.clone()])
        }
        Some(key) => Verdict::fail(
            "the default EBS key is aws/ebs: snapshots under it cannot be shared, so every \
             acquisition makes a full re-encrypting copy under the forensic key",
            key.iter().cloned().collect(),
        ),
    }
}

/// IR-GD-1: a detector with every configured protection plan.
fn guardduty(env: &Environment, p: &TargetPosture) -> Verdict {
    let logging = env.logging.as_ref();
    match logging.and_then(|l| l.guardduty.as_ref()) {
        None => Verdict::not_applicable("GuardDuty is turned off in the environment"),
        Some(spec) => match p.detectors.first() {
            None => Verdict::fail("no detector", Vec::new()),
            Some(d) => {
                let gaps = detector_gaps(spec, d);
                if gaps.is_empty() {
                    Verdict::pass(
                        format!("detector {} enabled with every feature", d.id),
                        vec![d.id.clone()],
                    )
                } else {
                    Verdict::fail(
                        format!("detector {} {}", d.id, gaps.join(", ")),
                        vec![d.id.clone()],
                    )
                }
            }
        },
    }
}

/// IR-CONFIG-1: a recorder recording as the environment asks (global types in the home region).
fn config(env: &Environment, target: &Target, p: &TargetPosture) -> Verdict {
    let logging = env.logging.as_ref();
    let home = target.region == env.home_region;
    match logging.and_then(|l| l.config.as_ref()) {
        None => Verdict::not_applicable("AWS Config is turned off in the environment"),
        Some(spec) => match p.recorders.first() {
            None => Verdict::fail("no configuration recorder", Vec::new()),
            Some(r) => {
                let gaps = recorder_gaps(spec, home, r);
                if gaps.is_empty() {
                    Verdict::pass(
                        format!("recorder {} recording", r.name),
                        vec![r.name.clone()],
                    )
                } else {
                    Verdict::fail(
                        format!("recorder {} {}", r.name, gaps.join(", ")),
                        vec![r.name.clone()],
                    )
                }
            }
        },
    }
}

/// IR-VPC-1: every VPC has a flow log recording all traffic.
fn flow_logs(env: &Environment, p: &TargetPosture) -> Verdict {
    let logging = env.logging.as_ref();
    if logging.is_none_or(|l| l.flow_logs.is_none()) {
        return Verdict::not_applicable("flow logs are turned off in the environment");
    }
    per_vpc(&p.vpcs.iter().collect::<Vec<_>>(), "flow log", |vpc| {
        p.flow_logs
            .iter()
            .find(|f| f.resource_id == vpc && f.traffic == "ALL")
            .map(|f| f.id.clone())
    })
}

/// IR-VPC-2: every VPC irready covers has Resolver query logging.
fn dns_logs(env: &Environment, p: &TargetPosture) -> Verdict {
    let logging = env.logging.as_ref();
    if !logging.is_some_and(|l| l.dns_query_logs) {
        return Verdict::not_applicable("DNS query logs are turned off in the environment");
    }
    per_vpc(&covered_vpcs_of(&p.vpcs), "query log association", |vpc| {
        p.query_logs
            .iter()
            .find(|a| a.vpc_id == vpc && matches!(a.status.as_str(), "ACTIVE" | "CREATING"))
            .map(|a| a.id.clone())
    })
}

/// IR-VPC-3: every covered VPC has an empty isolation group.
fn isolation(env: &Environment, p: &TargetPosture) -> Verdict {
    if !env
        .access
        .as_ref()
        .is_some_and(|a| a.isolation_security_group)
    {
        return Verdict::not_applicable("isolation groups are turned off in the environment");
    }
    let vpcs = covered_vpcs_of(&p.vpcs);
    let open: Vec<String> = p
        .isolation_groups
        .iter()
        .filter(|g| g.ingress_rules > 0 || g.egress_rules > 0)
        .map(|g| {
            format!(
                "{} ({} ingress, {} egress rules)",
                g.id, g.ingress_rules, g.egress_rules
            )
        })
        .collect();
    if !open.is_empty() {
        return Verdict::fail(
            format!("isolation group not empty: {}", open.join(", ")),
            open,
        );
    }
    per_vpc(&vpcs, "isolation group", |vpc| {
        p.isolation_groups
            .iter()
            .find(|g| g.vpc_id == vpc)
            .map(|g| g.id.clone())
    })
}

/// IR-IAM-2: the investigator and responder roles exist.
fn response_roles(env: &Environment, p: &TargetPosture) -> Verdict {
    let Some(access) = &env.access else {
        return Verdict::not_applicable("no `access` section");
    };
    let roles = p.roles.as_ref();
    let missing: Vec<&str> = [&access.investigator.role_name, &access.responder.role_name]
        .into_iter()
        .filter(|name| roles.and_then(|r| r.get(*name)).is_none_or(Option::is_none))
        .map(String::as_str)
        .collect();
    let present: Vec<String> = roles
        .into_iter()
        .flat_map(|r| r.values().flatten())
        .filter(|r| r.name != access.breakglass.role_name)
        .map(|r| r.arn.clone())
        .collect();
    if missing.is_empty() {
        Verdict::pass("investigator and responder roles present", present)
    } else {
        Verdict::fail(format!("missing: {}", missing.join(", ")), present)
    }
}

/// IR-FOR-2: the forensic VPC has no way out and every endpoint it needs.
fn forensic_vpc(p: &TargetPosture) -> Verdict {
    match &p.forensic_vpc {
        None | Some(None) => Verdict::fail(
            "no forensic VPC (tagged irready:component=forensic-vpc)",
            Vec::new(),
        ),
        Some(Some((vpc, exposure))) => {
            let mut gaps = Vec::new();
            let mut evidence = vec![vpc.id.clone()];
            for (what, ids) in [
                ("internet gateway", &exposure.internet_gateways),
                ("NAT gateway", &exposure.nat_gateways),
                ("subnet with public addresses", &exposure.public_subnets),
            ] {
                if !ids.is_empty() {
                    gaps.push(format!("{what} {}", ids.join(", ")));
                    evidence.extend(ids.iter().cloned());
                }
            }
            let missing: Vec<&str> = FORENSIC_ENDPOINTS
                .iter()
                .filter(|s| {
                    !exposure
                        .endpoints
                        .iter()
                        .any(|e| e.rsplit('.').next() == Some(**s))
                })
                .copied()
                .collect();
            if !missing.is_empty() {
                gaps.push(format!("no endpoint for {}", missing.join(", ")));
            }
            if gaps.is_empty() {
                Verdict::pass(
                    format!(
                        "{} isolated, {} endpoints",
                        vpc.id,
                        exposure.endpoints.len()
                    ),
                    evidence,
                )
            } else {
                Verdict::fail(format!("{}: {}", vpc.id, gaps.join("; ")), evidence)
            }
        }
    }
}

/// IR-FOR-3: Object Lock, versioning, KMS and blocked public access.
fn evidence_bucket(p: &TargetPosture) -> Verdict {
    match &p.evidence_bucket {
        None | Some(None) => Verdict::fail("no evidence bucket", Vec::new()),
        Some(Some(b)) => {
            let mut gaps = Vec::new();
            if b.object_lock.is_none() {
                gaps.push("Object Lock off");
            }
            if !b.versioning {
                gaps.push("versioning off");
            }
            if b.encryption.as_deref() != Some("aws:kms") {
                gaps.push("not encrypted with KMS");
            }
            if !b.public_access_blocked {
                gaps.push("public access not fully blocked");
            }
            if gaps.is_empty() {
                Verdict::pass(
                    format!(
                        "{}: Object Lock {}",
                        b.name,
                        b.object_lock.as_deref().unwrap_or("")
                    ),
                    vec![b.name.clone()],
                )
            } else {
                Verdict::fail(
                    format!("{}: {}", b.name, gaps.join(", ")),
                    vec![b.name.clone()],
                )
            }
        }
    }
}

/// IR-FOR-4: every image pinned and available.
fn analysis_images(p: &TargetPosture) -> Verdict {
    if p.images.is_empty() {
        return Verdict::not_applicable("no analysis image in `forensic.amis`");
    }
    let mut gaps = Vec::new();
    let mut evidence = Vec::new();
    for (name, (pinned, state)) in &p.images {
        match (pinned, state.as_deref()) {
            (None, _) => gaps.push(format!("{name}: no SSM parameter")),
            (Some(id), Some("available")) => evidence.push(id.clone()),
            (Some(id), other) => gaps.push(format!("{name}: {id} is {}", other.unwrap_or("gone"))),
        }
    }
    if gaps.is_empty() {
        Verdict::pass(format!("{} images available", evidence.len()), evidence)
    } else {
        Verdict::fail(gaps.join("; "), evidence)
    }
}

/// IR-ALARM-1: every alarm exists, acts, and its topic has a confirmed subscriber.
fn alarms(env: &Environment, p: &TargetPosture) -> Verdict {
    let logging = env.logging.as_ref();
    if !logging.is_some_and(|l| l.cis_alarms && l.cloudtrail.is_some()) {
        return Verdict::not_applicable("CIS alarms are turned off in the environment");
    }
    let found: BTreeMap<&str, &crate::aws::monitoring::AlarmFact> = p
        .alarms
        .iter()
        .flatten()
        .map(|a| (a.name.as_str(), a))
        .collect();
    let expected = expected_alarms(env);
    let missing: Vec<&str> = expected
        .iter()
        .filter(|n| !found.contains_key(n.as_str()))
        .map(String::as_str)
        .collect();
    let silent: Vec<&str> = expected
        .iter()
        .filter_map(|n| found.get(n.as_str()))
        .filter(|a| a.actions.is_empty() || !a.actions_enabled)
        .map(|a| a.name.as_str())
        .collect();
    let evidence: Vec<String> = expected
        .iter()
        .filter(|n| found.contains_key(n.as_str()))
        .cloned()
        .collect();
    // Alarms whose topics notify no one reach no one.
    let unheard: Vec<String> = p
        .alarm_topics
        .iter()
        .filter(|(_, subscribers)| {
            subscribers
                .as_ref()
                .is_none_or(|(confirmed, _)| confirmed.is_empty())
        })
        .map(|(topic, subscribers)| match subscribers {
            None => format!("{topic} does not exist"),
            Some((_, 0)) => format!("{topic} has no subscription"),
            Some((_, pending)) => {
                format!("{topic} has {pending} subscription(s) waiting for confirmation")
            }
        })
        .collect();
    match (missing.is_empty(), silent.is_empty()) {
        (true, true) if !unheard.is_empty() => Verdict::fail(
            format!(
                "the alarms reach no one: {} (subscribe responders with \
                         logging.alarm_emails)",
                unheard.join("; ")
            ),
            evidence,
        ),
        (true, true) => Verdict::pass(
            format!("{} alarms notify a subscribed topic", expected.len()),
            evidence,
        ),
        _ => {
            let mut gaps = Vec::new();
            if !missing.is_empty() {
                gaps.push(format!("missing {}", missing.join(", ")));
            }
            if !silent.is_empty() {
                gaps.push(format!("no action on {}", silent.join(", ")));
            }
            Verdict::fail(gaps.join("; "), evidence)
        }
    }
}

/// IR-QUERY-1: every table of the logs irready delivers exists, projects every target
/// account (or takes the account from each query) and every region it should, and reads
/// where irready delivers.
fn query_tables(env: &Environment, scope: &Scope, target: &Target, p: &TargetPosture) -> Verdict {
    if !analysis::wanted(env) {
        return Verdict::not_applicable("forensic.analysis is off, or there is no log archive");
    }
    let names = AnalysisNames::new(env, target);
    let found = match &p.query_tables {
        None => return Verdict::error("the tables were not read"),
        Some(None) => {
            return Verdict::fail(format!("no Glue database {}", names.database), Vec::new())
        }
        Some(Some(found)) => found,
    };
    let archive = ForensicNames::new(env, target).log_archive_bucket;
    let mut gaps = Vec::new();
    let mut evidence = Vec::new();
    for table in analysis::tables(env) {
        let Some(fact) = found.iter().find(|f| f.name == table.name) else {
            gaps.push(format!("no table {}", table.name));
            continue;
        };
        evidence.push(format!("{}.{}", names.database, table.name));
        let param = |key: &str| fact.parameters.get(key).map(String::as_str);
        let listed = |key: &str| -> BTreeSet<&str> {
            param(&format!("projection.{key}.values"))
                .map(|v| v.split(',').map(str::trim).collect())
                .unwrap_or_default()
        };
        if param("projection.enabled") != Some("true") {
            gaps.push(format!("{}: partition projection off", table.name));
        }
        let keys: Vec<&str> = table
            .partition_keys
            .iter()
            .map(|k| k.name.as_str())
            .collect();
        if keys.contains(&"account") && param("projection.account.type") != Some("injected") {
            let values = listed("account");
            let missing: Vec<String> = scope
                .accounts
                .iter()
                .filter(|a| !values.contains(a.as_str()))
                .map(ToString::to_string)
                .collect();
            if !missing.is_empty() {
                gaps.push(format!(
                    "{}: accounts {} not projected",
                    table.name,
                    missing.join(", ")
                ));
            }
        }
        if keys.contains(&"region") {
            let values = listed("region");
            let missing: Vec<String> = analysis::projected_regions(table, scope)
                .iter()
                .filter(|r| !values.contains(r.as_str()))
                .map(ToString::to_string)
                .collect();
            if !missing.is_empty() {
                gaps.push(format!(
                    "{}: regions {} not projected",
                    table.name,
                    missing.join(", ")
                ));
            }
        }
        let expected = analysis::location_template(table, env, scope, &archive);
        if param("storage.location.template") != Some(expected.as_str()) {
            gaps.push(format!(
                "{}: reads {}, not {expected}",
                table.name,
                param("storage.location.template").unwrap_or("nothing")
            ));
        }
    }
    if gaps.is_empty() {
        Verdict::pass(
            format!(
                "{} tables project every target account and region",
                evidence.len()
            ),
            evidence,
        )
    } else {
        Verdict::fail(gaps.join("; "), evidence)
    }
}

/// IR-QUERY-2: the workgroup is on, enforces its settings, encrypts results with KMS in a
/// place no table reads, and cancels queries past the cutoff.
fn query_workgroup(env: &Environment, target: &Target, p: &TargetPosture) -> Verdict {
    if !analysis::wanted(env) {
        return Verdict::not_applicable("forensic.analysis is off, or there is no log archive");
    }
    let names = AnalysisNames::new(env, target);
    let group = match &p.workgroup {
        None => return Verdict::error("the workgroup was not read"),
        Some(None) => {
            return Verdict::fail(format!("no workgroup {}", names.workgroup), Vec::new())
        }
        Some(Some(group)) => group,
    };
    let archive = ForensicNames::new(env, target).log_archive_bucket;
    let mut gaps = Vec::new();
    if !group.enabled {
        gaps.push("disabled".to_owned());
    }
    if !group.enforced {
        gaps.push("clients may override its settings".to_owned());
    }
    match (group.encryption.as_deref(), &group.kms_key) {
        (Some("SSE_KMS" | "CSE_KMS"), Some(_)) => {}
        (other, _) => gaps.push(format!(
            "results encrypted {}, not with a KMS key",
            other.unwrap_or("not at all")
        )),
    }
    match &group.output_location {
        None => gaps.push("no results location".to_owned()),
        Some(location) if location.starts_with(&format!("s3://{archive}/")) => {
            gaps.push(format!("results go into the log archive ({location})"))
        }
        Some(_) => {}
    }
    if group.scan_cutoff_bytes.is_none() {
        gaps.push("no limit on the data one query scans".to_owned());
    }
    let evidence = vec![group.name.clone()];
    if gaps.is_empty() {
        Verdict::pass(
            format!(
                "{} enforced, results SSE-KMS in {}",
                group.name,
                group.output_location.as_deref().unwrap_or_default()
            ),
            evidence,
        )
    } else {
        Verdict::fail(format!("{}: {}", group.name, gaps.join(", ")), evidence)
    }
}

/// A per-VPC control: pass when every VPC has what `has` finds, fail naming the others.
fn per_vpc(
    vpcs: &[&crate::aws::ec2::VpcFact],
    what: &str,
    has: impl Fn(&str) -> Option<String>,
) -> Verdict {
    if vpcs.is_empty() {
        return Verdict::not_applicable("no VPC");
    }
    let mut evidence = Vec::new();
    let mut missing = Vec::new();
    for vpc in vpcs {
        match has(&vpc.id) {
            Some(id) => evidence.push(format!("{}: {id}", vpc.id)),
            None => missing.push(vpc.id.clone()),
        }
    }
    if missing.is_empty() {
        Verdict::pass(format!("{} VPCs, each with a {what}", vpcs.len()), evidence)
    } else {
        Verdict::fail(format!("no {what} on {}", missing.join(", ")), evidence)
    }
}

fn trail(env: &Environment, scope: &Scope, p: &TargetPosture) -> Verdict {
    let trails = p.trails.as_deref().unwrap_or_default();
    let Some(spec) = env.logging.as_ref().and_then(|l| l.cloudtrail.as_ref()) else {
        return Verdict::not_applicable("the trail is turned off in the environment");
    };
    let organization = scope.organization.enabled;
    // The trail with the fewest gaps stands for the organization's.
    let best = trails
        .iter()
        .map(|t| (trail_gaps(spec, organization, t), t))
        .min_by(|(a, ta), (b, tb)| a.len().cmp(&b.len()).then(ta.arn.cmp(&tb.arn)));
    // A trail such as Control Tower's records every management event, and irready's own
    // records only the data events it lacks: together they meet the control.
    let complemented = trails
        .iter()
        .filter(|t| management_gaps(spec, organization, t).is_empty())
        .find_map(|base| {
            let missing = missing_data_events(spec, base);
            let others: Vec<_> = trails
                .iter()
                .filter(|o| o.arn != base.arn && o.is_logging && o.is_multi_region)
                .filter(|o| !organization || !spec.organization || o.is_organization)
                .filter(|o| {
                    missing
                        .iter()
                        .any(|k| o.data_event_types.contains(k.resource_type()))
                })
                .collect();
            let covered = missing.iter().all(|k| {
                others
                    .iter()
                    .any(|o| o.data_event_types.contains(k.resource_type()))
            });
            (!missing.is_empty() && covered).then_some((base, others))
        });
    match best {
        None => Verdict::fail("no trail", Vec::new()),
        Some((gaps, t)) if gaps.is_empty() => Verdict::pass(
            format!(
                "{}: organization trail, every region, logging, validated, KMS",
                t.name
            ),
            vec![t.arn.clone()],
        ),
        Some(_) if complemented.is_some() => {
            let (base, others) = complemented.expect("checked");
            let names: Vec<&str> = others.iter().map(|o| o.name.as_str()).collect();
            let mut evidence = vec![base.arn.clone()];
            evidence.extend(others.iter().map(|o| o.arn.clone()));
            Verdict::pass(
                format!(
                    "{}: management events, every region, logging, validated, KMS; data events \
                     recorded by {}",
                    base.name,
                    names.join(", ")
                ),
                evidence,
            )
        }
        Some((gaps, t)) => Verdict::fail(
            format!("trail {}: {}", t.name, gaps.join("; ")),
            vec![t.arn.clone()],
        ),
    }
}

/// The trails that record the organization (multi-region, logging, organization trails
/// where there is an organization) and what CloudTrail reports of their last deliveries.
fn trail_delivery(env: &Environment, scope: &Scope, p: &TargetPosture) -> Verdict {
    let Some(spec) = env.logging.as_ref().and_then(|l| l.cloudtrail.as_ref()) else {
        return Verdict::not_applicable("the trail is turned off in the environment");
    };
    let organization = scope.organization.enabled;
    let trails: Vec<_> = p
        .trails
        .as_deref()
        .unwrap_or_default()
        .iter()
        .filter(|t| t.is_multi_region)
        .filter(|t| !organization || !spec.organization || t.is_organization)
        .collect();
    // A trail that does not log (IR-TRAIL-1) reports the errors of its last deliveries.
    if trails.is_empty() {
        return Verdict::fail("no trail records the organization", Vec::new());
    }
    let evidence: Vec<String> = trails.iter().map(|t| t.arn.clone()).collect();
    let failing: Vec<String> = trails
        .iter()
        .filter(|t| !t.delivery_errors.is_empty())
        .map(|t| format!("trail {}: {}", t.name, t.delivery_errors.join("; ")))
        .collect();
    if failing.is_empty() {
        let names: Vec<&str> = trails.iter().map(|t| t.name.as_str()).collect();
        Verdict::pass(
            format!("{}: last deliveries succeeded", names.join(", ")),
            evidence,
        )
    } else {
        Verdict::fail(failing.join(" | "), evidence)
    }
}

/// What the delivering services report of their last deliveries here.
fn log_delivery(env: &Environment, p: &TargetPosture) -> Verdict {
    if env.logging.is_none() {
        return Verdict::not_applicable("logging is turned off in the environment");
    }
    let mut checked = Vec::new();
    let mut failures = Vec::new();
    for flow_log in &p.flow_logs {
        checked.push(flow_log.id.clone());
        if let Some(error) = &flow_log.delivery_error {
            failures.push(format!(
                "flow log {} of {}: {error}",
                flow_log.id, flow_log.resource_id
            ));
        }
    }
    for association in &p.query_logs {
        checked.push(association.id.clone());
        if let Some(error) = &association.error {
            failures.push(format!(
                "DNS query logging of {} ({}): {error}",
                association.vpc_id, association.id
            ));
        }
    }
    for destination in &p.publishing {
        checked.push(destination.id.clone());
        if destination.status != "PUBLISHING" {
            failures.push(format!(
                "GuardDuty findings export {} to {}: {}",
                destination.id,
                destination.destination_arn.as_deref().unwrap_or("?"),
                destination.status
            ));
        }
    }
    for recorder in &p.recorders {
        checked.push(recorder.name.clone());
    }
    failures.extend(p.config_delivery.iter().map(|f| format!("AWS Config {f}")));
    if checked.is_empty() {
        return Verdict::not_applicable("nothing delivers logs here");
    }
    if failures.is_empty() {
        Verdict::pass(
            format!("{} deliveries report no error", checked.len()),
            checked,
        )
    } else {
        Verdict::fail(failures.join(" | "), checked)
    }
}

/// Whether each log delivered into the archive from here, scheduled or driven by
/// activity, has a recent object.
fn logs_landing(p: &TargetPosture, scheduled: bool) -> Verdict {
    let Some(landing) = &p.landing else {
        return Verdict::not_applicable("no forensic account: there is no archive to look in");
    };
    let landing: Vec<_> = landing
        .iter()
        .filter(|l| l.scheduled == scheduled)
        .collect();
    if landing.is_empty() {
        return Verdict::not_applicable("no such log is delivered into the archive from here");
    }
    let evidence: Vec<String> = landing
        .iter()
        .map(|l| match &l.found {
            Some(folder) => format!("s3://{}/{folder}", l.bucket),
            None => format!("s3://{}/{}", l.bucket, l.prefix),
        })
        .collect();
    let missing: Vec<String> = landing
        .iter()
        .filter(|l| l.found.is_none())
        .map(|l| {
            format!(
                "{}: nothing under s3://{}/{}",
                l.log,
                l.bucket,
                l.looked_in.join(" or ")
            )
        })
        .collect();
    if missing.is_empty() {
        let logs: Vec<&str> = landing.iter().map(|l| l.log.as_str()).collect();
        Verdict::pass(format!("recent objects of {}", logs.join(", ")), evidence)
    } else {
        Verdict::fail(missing.join(" | "), evidence)
    }
}

fn trail_logs(env: &Environment, scope: &Scope, target: &Target, p: &TargetPosture) -> Verdict {
    let Some(spec) = env.logging.as_ref().and_then(|l| l.cloudtrail.as_ref()) else {
        return Verdict::not_applicable("the trail is turned off in the environment");
    };
    let trails = p.trails.as_deref().unwrap_or_default();
    let organization = scope.organization.enabled;
    let candidates: Vec<_> = trails
        .iter()
        .filter(|t| t.is_multi_region && (!organization || !spec.organization || t.is_organization))
        .collect();
    for t in &candidates {
        let Some(group) = t
            .log_group_arn
            .as_deref()
            .and_then(|arn| crate::plan::existing::log_group_in(arn, target))
        else {
            continue;
        };
        match p.log_retention.get(&group) {
            Some(None) => {
                return Verdict::pass(format!("{group}: never expires"), vec![group.clone()])
            }
            Some(Some(days)) if *days >= 365 => {
                return Verdict::pass(format!("{group}: {days} days"), vec![group.clone()])
            }
            Some(Some(days)) => {
                return Verdict::fail(
                    format!("{group}: retained {days} days, less than 365"),
                    vec![group.clone()],
                )
            }
            None => return Verdict::fail(format!("{group} does not exist"), vec![group.clone()]),
        }
    }
    Verdict::fail(
        "no organization trail delivers to CloudWatch Logs in this account and region",
        Vec::new(),
    )
}

fn breakglass(env: &Environment, scope: &Scope, p: &TargetPosture) -> Verdict {
    let Some(access) = &env.access else {
        return Verdict::not_applicable("no `access` section");
    };
    let name = &access.breakglass.role_name;
    let Some(role) = p
        .roles
        .as_ref()
        .and_then(|r| r.get(name))
        .and_then(Option::as_ref)
    else {
        return Verdict::fail(format!("no role {name}"), Vec::new());
    };
    let allowed: BTreeSet<&str> = scope
        .security_principals
        .iter()
        .map(String::as_str)
        .collect();
    let gaps = trust_gaps(&role.trust_policy, &allowed);
    if gaps.is_empty() {
        Verdict::pass(
            format!("{name}: MFA, trusts only the security principals"),
            vec![role.arn.clone()],
        )
    } else {
        Verdict::fail(
            format!("{name}: {}", gaps.join("; ")),
            vec![role.arn.clone()],
        )
    }
}

pub use crate::model::rules::trust_gaps;
#[cfg(test)]
use crate::model::rules::{principals, statements};

fn forensic_account(env: &Environment, scope: &Scope) -> Verdict {
    let Some(forensic) = &env.forensic else {
        return Verdict::not_applicable("no `forensic` section");
    };
    let Some(id) = &scope.forensic_account else {
        return Verdict::fail("the forensic account does not exist yet", Vec::new());
    };
    let org = &scope.organization;
    let Some(account) = org.account(id) else {
        return Verdict::fail(
            format!("{id} is not in the organization"),
            vec![id.to_string()],
        );
    };
    if !account.is_active() {
        return Verdict::fail(format!("{id} is {}", account.status), vec![id.to_string()]);
    }
    if let ForensicAccount::Create(new) = &forensic.account {
        if let Some(ou) = &new.ou {
            let expected = org
                .units
                .iter()
                .find(|u| match &ou.value {
                    crate::config::OuRef::Id(ou_id) => &u.id == ou_id,
                    crate::config::OuRef::Path(path) => &u.path == path,
                })
                .map(|u| u.id.clone());
            if expected.as_deref() != Some(account.parent.as_str()) {
                return Verdict::fail(
                    format!("{id} is in {}, not in {}", account.parent, ou.value),
                    vec![id.to_string()],
                );
            }
        }
    }
    Verdict::pass(
        format!("{} ({id}) is active in {}", account.name, account.parent),
        vec![id.to_string()],
    )
}

#[cfg(test)]
mod tests;
