//! The values each template receives, computed in Rust so that templates stay plain.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use std::collections::BTreeSet;

use crate::addr::{Region, StackAddr, Target};
use crate::config::Environment;
use crate::discover::{Scope, TargetState};

use super::{Component, Covered, Inputs, RenderError};
use crate::model::deferred::DeferredValue;
use crate::model::runbooks::{self, Runbook};

/// The interface endpoints of the forensic VPC: what SSM sessions, snapshots, keys, logs
/// and role credentials need without a route to the internet.
const INTERFACE_ENDPOINTS: &[(&str, &str)] = &[
    ("Ec2Endpoint", "ec2"),
    ("Ec2MessagesEndpoint", "ec2messages"),
    ("KmsEndpoint", "kms"),
    ("LogsEndpoint", "logs"),
    ("SsmEndpoint", "ssm"),
    ("SsmMessagesEndpoint", "ssmmessages"),
    ("StsEndpoint", "sts"),
];

pub fn build(
    env: &Environment,
    scope: &Scope,
    placement: &super::Placement,
    facts: &TargetState,
    inputs: &Inputs,
    deferred: &mut Vec<DeferredValue>,
    covered: &Covered,
) -> Result<Value, RenderError> {
    let (component, target) = (placement.component, &placement.target);
    let common = json!({
        "environment": env.name,
        "account": target.account,
        "region": target.region,
        "template_sha256": super::FINGERPRINT_PLACEHOLDER,
        "expires": inputs.expires,
    });
    let specific = match component {
        Component::Access => access(env, scope),
        Component::Analysis => super::analysis_context::build(env, scope, target),
        Component::InstanceRunbooks | Component::IdentityRunbooks => runbooks(env, component),
        Component::EvidenceKeys => evidence_keys(env, scope, target),
        Component::BreakglassAlerts => breakglass_alerts(env),
        Component::ForensicVpc => forensic_vpc(env, target, facts, inputs, deferred)?,
        Component::ForensicCore => forensic_core(env, scope, target),
        Component::RegionalBaseline => {
            regional_baseline(env, scope, target, facts, inputs, deferred, covered)
        }
        Component::OrgLogging => org_logging(env, scope, target, covered),
        Component::Alarms => alarms(env, covered),
        Component::WorkloadLogging => super::workload_context::build(env, scope, target, facts),
    };
    let mut data = common;
    if let (Value::Object(base), Value::Object(extra)) = (&mut data, specific) {
        base.extend(extra);
    }
    Ok(data)
}

fn access(env: &Environment, scope: &Scope) -> Value {
    let access = env
        .access
        .as_ref()
        .expect("placed only with an access section");
    json!({
        "security_principals": scope.security_principals,
        "deny_all_policy_name": access.deny_all_policy_name,
        "forensic_account": scope.forensic_account,
        "breakglass": {
            "role_name": access.breakglass.role_name,
            "max_session_seconds": access.breakglass.max_session_seconds,
            "external_id": access.breakglass.external_id,
        },
        "investigator": {
            "role_name": access.investigator.role_name,
            "max_session_seconds": access.investigator.max_session_seconds,
        },
        "responder": {
            "role_name": access.responder.role_name,
            "max_session_seconds": access.responder.max_session_seconds,
        },
        "runbook_prefix": runbooks::document_prefix(&env.name),
        "automation_role_name": runbooks::automation_role_name(&env.name),
        "automation_policy": runbooks::automation_policy(&access.deny_all_policy_name),
        "isolation_name": runbooks::isolation_name(&env.name),
    })
}

/// The documents of a runbooks stack, their content as objects.
fn runbooks(env: &Environment, component: Component) -> Value {
    let documents: Vec<Value> = Runbook::of(component)
        .map(|runbook| {
            json!({
                "logical_id": runbook.logical_id(),
                "name": runbook.document_name(&env.name),
                "content": runbook.content(),
            })
        })
        .collect();
    json!({ "component": component.name(), "documents": documents })
}

/// The evidence key of one region: the target accounts use it through EBS in that region.
fn evidence_keys(env: &Environment, scope: &Scope, target: &Target) -> Value {
    let members: Vec<String> = scope
        .accounts
        .iter()
        .filter(|a| **a != target.account)
        .map(|a| format!("arn:aws:iam::{a}:root"))
        .collect();
    let via_ec2 = json!({ "kms:ViaService": format!("ec2.{}.amazonaws.com", target.region) });
    let (principal, condition) = match &scope.organization.id {
        Some(org) if !members.is_empty() => {
            let mut equals = via_ec2.clone();
            equals["aws:PrincipalOrgID"] = json!(org);
            (json!("*"), json!({ "StringEquals": equals }))
        }
        _ => (json!(members), json!({ "StringEquals": via_ec2 })),
    };
    let mut grant_condition = condition.clone();
    grant_condition["Bool"] = json!({ "kms:GrantIsForAWSResource": "true" });
    json!({
        "description": format!("irready {}: evidence copies of EBS snapshots in {}", env.name, target.region),
        "key_alias": runbooks::evidence_key_alias(&env.name),
        "member_roots": !members.is_empty(),
        "member_principal": principal,
        "member_condition": condition,
        "member_grant_condition": grant_condition,
    })
}

fn breakglass_alerts(env: &Environment) -> Value {
    let access = env
        .access
        .as_ref()
        .expect("placed only with an access section");
    let prefix = format!("irready-{}-breakglass", env.name);
    let emails = email_subscriptions(&access.breakglass.alert_emails);
    json!({
        "role_name": access.breakglass.role_name,
        "topic_name": format!("{prefix}-alerts"),
        "key_alias": format!("alias/{prefix}-alerts"),
        "assume_rule_name": format!("{prefix}-assume-role"),
        "sign_in_rule_name": format!("{prefix}-console-sign-in"),
        "alert_emails": emails,
    })
}

/// One email subscription per address, each named after the address, so that adding or
/// removing one leaves the others alone.
fn email_subscriptions(addresses: &[String]) -> Vec<Value> {
    addresses
        .iter()
        .map(|address| {
            let digest = hex::encode(Sha256::digest(address.to_lowercase().as_bytes()));
            json!({ "address": address, "logical_id": format!("AlertEmail{}", &digest[..12]) })
        })
        .collect()
}

fn forensic_vpc(
    env: &Environment,
    target: &Target,
    facts: &TargetState,
    inputs: &Inputs,
    deferred: &mut Vec<DeferredValue>,
) -> Result<Value, RenderError> {
    let forensic = env
        .forensic
        .as_ref()
        .expect("placed only with a forensic section");
    let prefix = format!("irready-{}-forensic", env.name);
    // A subnet per zone: more zones than the region has fails at deploy time.
    if let Some(zones) = facts.availability_zones {
        if forensic.vpc.subnets.len() > zones {
            return Err(RenderError::Unplaceable {
                component: Component::ForensicVpc,
                target: target.clone(),
                message: format!(
                    "forensic.vpc.azs asks for {} subnets, one per availability zone, and {} has {zones}",
                    forensic.vpc.subnets.len(), target.region
                ),
            });
        }
    }
    let s3_prefix_list =
        facts
            .s3_prefix_list
            .as_deref()
            .ok_or_else(|| RenderError::MissingFact {
                component: Component::ForensicVpc,
                target: target.clone(),
                missing: "the S3 managed prefix list",
            })?;
    let subnets: Vec<Value> = forensic
        .vpc
        .subnets
        .iter()
        .enumerate()
        .map(|(index, cidr)| {
            json!({
                "index": index,
                "cidr": cidr.to_string(),
                "name": format!("{prefix}-private-{index}"),
            })
        })
        .collect();
    // One SSM parameter and launch template per analysis image resolved here.
    let images: Vec<Value> = forensic
        .amis
        .iter()
        .filter_map(|ami| {
            let image_id = inputs.image(target, &ami.name, deferred)?;
            Some(json!({
                "name": ami.name,
                "logical": logical_id(&ami.name),
                "image_id": image_id,
                "parameter": format!("/irready/{}/analysis-images/{}", env.name, ami.name),
                "launch_template": format!("irready-{}-{}", env.name, ami.name),
            }))
        })
        .collect();
    let evidence = ForensicNames::new(
        env,
        &Target::new(target.account.clone(), env.home_region.clone()),
    );
    let endpoints: Vec<Value> = INTERFACE_ENDPOINTS
        .iter()
        .map(|(logical_id, service)| json!({ "logical_id": logical_id, "service": service }))
        .collect();
    Ok(json!({
        "vpc_cidr": forensic.vpc.cidr.to_string(),
        "subnets": subnets,
        "interface_endpoints": endpoints,
        "s3_prefix_list": s3_prefix_list,
        "flow_log_group": format!("/irready/{}/forensic-vpc/flow-logs", env.name),
        "query_log_group": format!("/irready/{}/forensic-vpc/dns-queries", env.name),
        "flow_log_retention_days": forensic.vpc.flow_log_retention_days,
        "images": images,
        "evidence": {
            "bucket": evidence.evidence_bucket,
            "key_alias": evidence.evidence_key_alias,
            "region": env.home_region,
        },
        "names": {
            "vpc": prefix,
            "route_table": format!("{prefix}-private"),
            "query_log_config": format!("{prefix}-dns-queries"),
            "analysis_group": format!("{prefix}-analysis"),
            "endpoint_group": format!("{prefix}-endpoints"),
        },
    }))
}

/// A CloudFormation logical id from a name of lowercase words joined by `-`:
/// `sift-workstation` -> `SiftWorkstation`.
fn logical_id(name: &str) -> String {
    name.split('-')
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// Names of the forensic core's resources, derived from the environment and the forensic
/// account so that other stacks can name them without waiting for outputs.
pub struct ForensicNames {
    pub evidence_bucket: String,
    pub log_archive_bucket: String,
    /// AWS Config's own bucket: Config does not deliver into a bucket with Object Lock.
    pub config_bucket: String,
    /// The server access logs of the evidence and log archive buckets.
    pub access_log_bucket: String,
    pub evidence_key_alias: String,
    pub log_archive_key_alias: String,
}

impl ForensicNames {
    pub fn new(env: &Environment, forensic: &Target) -> Self {
        let (name, account, region) = (&env.name, &forensic.account, &forensic.region);
        Self {
            evidence_bucket: format!("irready-{name}-evidence-{account}-{region}"),
            log_archive_bucket: format!("irready-{name}-logs-{account}-{region}"),
            config_bucket: format!("irready-{name}-config-{account}-{region}"),
            access_log_bucket: format!("irready-{name}-access-{account}-{region}"),
            evidence_key_alias: format!("alias/irready-{name}-evidence"),
            log_archive_key_alias: format!("alias/irready-{name}-logs"),
        }
    }
}

fn forensic_core(env: &Environment, scope: &Scope, target: &Target) -> Value {
    let forensic = env
        .forensic
        .as_ref()
        .expect("placed only with a forensic section");
    let names = ForensicNames::new(env, target);
    let members: Vec<String> = scope
        .accounts
        .iter()
        .filter(|a| **a != target.account)
        .map(|a| format!("arn:aws:iam::{a}:root"))
        .collect();
    // With an organization, its accounts are named by aws:PrincipalOrgID rather than
    // listed: a key policy holds at most 32 KB, which a list of roots outgrows at a few
    // hundred accounts. The principal "*" is bounded by that condition.
    let grant_for_aws = json!({ "Bool": { "kms:GrantIsForAWSResource": "true" } });
    let (member_principal, member_condition, member_grant_condition) = match &scope.organization.id
    {
        Some(org) if !members.is_empty() => {
            let in_org = json!({ "aws:PrincipalOrgID": org });
            (
                json!("*"),
                json!({ "StringEquals": in_org }),
                json!({ "StringEquals": in_org, "Bool": grant_for_aws["Bool"] }),
            )
        }
        _ => (json!(members), Value::Null, grant_for_aws),
    };
    // Log delivery services write on behalf of the organization's accounts only; without
    // an organization, of the target accounts.
    let (source_condition, outsider_condition) = match &scope.organization.id {
        Some(org) => (
            json!({ "StringEquals": { "aws:SourceOrgID": org } }),
            json!({
                "StringNotEqualsIfExists": { "aws:PrincipalOrgID": org },
                "BoolIfExists": { "aws:PrincipalIsAWSService": "false" },
            }),
        ),
        None => (
            json!({ "StringEquals": { "aws:SourceAccount": scope.accounts } }),
            json!({
                "StringNotEqualsIfExists": { "aws:PrincipalAccount": scope.accounts },
                "BoolIfExists": { "aws:PrincipalIsAWSService": "false" },
            }),
        ),
    };
    // Config sets the canned ACL bucket-owner-full-control on every object it delivers
    // (AWS Config developer guide, "Permissions for the Amazon S3 bucket").
    let mut config_put_condition = source_condition.clone();
    config_put_condition["StringEquals"]["s3:x-amz-acl"] = json!("bucket-owner-full-control");
    let lock = |l: &crate::config::ObjectLock| json!({ "mode": l.mode.as_str(), "days": l.days });
    json!({
        "evidence_bucket": names.evidence_bucket,
        "log_archive_bucket": names.log_archive_bucket,
        "config_bucket": names.config_bucket,
        "access_log_bucket": names.access_log_bucket,
        "archive_principals": archive_principals(env, scope),
        // CloudTrail checks the bucket's ACL before it delivers, as the others do.
        "archive_checkers": std::iter::once("cloudtrail.amazonaws.com".to_owned())
            .chain(archive_principals(env, scope))
            .collect::<Vec<_>>(),
        "delivery_principals": delivery_principals(env, scope),
        "config_put_condition": config_put_condition,
        "member_principal": member_principal,
        "member_condition": member_condition,
        "member_grant_condition": member_grant_condition,
        "evidence_key_alias": names.evidence_key_alias,
        "log_archive_key_alias": names.log_archive_key_alias,
        "evidence_lock": lock(&forensic.evidence_lock),
        "log_archive_lock": lock(&forensic.log_archive_lock),
        "member_roots": !members.is_empty(),
        "management_account": scope.organization.management_account,
        "source_condition": source_condition,
        "outsider_condition": outsider_condition,
    })
}

/// GuardDuty's service principal in `region`: in a Region that must be enabled (opt-in),
/// GuardDuty acts as `guardduty.<region>.amazonaws.com` (GuardDuty user guide,
/// "Exporting findings", https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_exportfindings.html).
pub fn guardduty_principal(region: &Region) -> String {
    if region.is_opt_in() {
        format!("guardduty.{region}.amazonaws.com")
    } else {
        "guardduty.amazonaws.com".to_owned()
    }
}

/// The services that write into the log archive: flow logs and Resolver query logs
/// (`delivery.logs`) and GuardDuty, under each principal its regions use.
fn archive_principals(env: &Environment, scope: &Scope) -> Vec<String> {
    let mut principals = vec!["delivery.logs.amazonaws.com".to_owned()];
    if env.logging.as_ref().is_some_and(|l| l.guardduty.is_some()) {
        let guardduty: BTreeSet<String> = scope.regions.iter().map(guardduty_principal).collect();
        principals.extend(guardduty);
    }
    principals
}

/// The services that use the log archive key: those writing into the archive, and AWS
/// Config writing into its own bucket.
fn delivery_principals(env: &Environment, scope: &Scope) -> Vec<String> {
    let mut principals = archive_principals(env, scope);
    principals.push("config.amazonaws.com".to_owned());
    principals.sort();
    principals
}

/// Every field of VPC flow log records, versions 2 to 5.
const FLOW_LOG_FORMAT: &str = "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} \
${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status} \
${vpc-id} ${subnet-id} ${instance-id} ${tcp-flags} ${type} ${pkt-srcaddr} ${pkt-dstaddr} \
${region} ${az-id} ${sublocation-type} ${sublocation-id} ${pkt-src-aws-service} \
${pkt-dst-aws-service} ${flow-direction} ${traffic-path}";

pub use crate::discover::{covered_vpcs, covered_vpcs_of};

/// The names of the alarms the alarms component makes (before the environment prefix).
pub fn cis_alarm_names() -> Vec<&'static str> {
    super::cis::CIS_ALARMS
        .iter()
        .map(|a| a.name)
        .chain([BREAKGLASS_ALARM])
        .collect()
}

const BREAKGLASS_ALARM: &str = "BreakglassRoleUsed";

pub use crate::model::outputs::{
    CONFIG_ROLE_OUTPUT, COVERED_OUTPUT, NO_VPCS, S3_PREFIX_LIST_OUTPUT, TRAIL_OUTPUT, VPCS_OUTPUT,
};

/// Whether the home-region baseline makes (or keeps) the account's Config role: only
/// where the role does not exist yet, or where this stack already made it.
fn owns_config_role(env: &Environment, facts: &TargetState) -> bool {
    let stack = Component::RegionalBaseline.stack_name(&env.name);
    let owned = facts
        .stacks
        .get(&stack)
        .is_some_and(|s| s.outputs.contains_key(CONFIG_ROLE_OUTPUT));
    owned || facts.config_role_exists == Some(false)
}

fn regional_baseline(
    env: &Environment,
    scope: &Scope,
    target: &Target,
    facts: &TargetState,
    inputs: &Inputs,
    deferred: &mut Vec<DeferredValue>,
    covered: &Covered,
) -> Value {
    let home = target.region == env.home_region;
    let isolation = env
        .access
        .as_ref()
        .is_some_and(|a| a.isolation_security_group);
    let logging = env.logging.as_ref();
    let forensic_home = scope
        .forensic_account
        .as_ref()
        .map(|account| Target::new(account.clone(), env.home_region.clone()));
    let forensic_names = forensic_home
        .as_ref()
        .map(|home| ForensicNames::new(env, home));
    let log_archive = forensic_names
        .as_ref()
        .map(|n| n.log_archive_bucket.clone());
    let config_bucket = forensic_names.as_ref().map(|n| n.config_bucket.clone());
    // A VPC whose existing flow log or association meets the settings gets none from
    // irready: duplicates cost money and record nothing new.
    let flow_logs_on = logging.is_some_and(|l| l.flow_logs.is_some());
    let query_logs_on = logging.is_some_and(|l| l.dns_query_logs);
    let vpcs: Vec<Value> = covered_vpcs(facts)
        .map(|vpc| {
            json!({
                "id": vpc.id,
                "logical": vpc.id.trim_start_matches("vpc-"),
                "flow_log": flow_logs_on && !covered.flow_logs.contains(&vpc.id),
                "query_log": query_logs_on && !covered.query_logs.contains(&vpc.id),
            })
        })
        .collect();
    let recorded_vpcs = match covered_vpcs(facts)
        .map(|v| v.id.as_str())
        .collect::<Vec<_>>()
    {
        ids if ids.is_empty() => NO_VPCS.to_owned(),
        ids => ids.join(" "),
    };
    // GuardDuty and Config allow one detector and one recorder per account and region:
    // where one exists outside irready, irready makes none. Findings are exported into the
    // log archive, encrypted with its key: GuardDuty takes only a key ARN, whose id exists
    // once the forensic core stack does.
    let guardduty = logging
        .and_then(|l| l.guardduty.as_ref())
        .filter(|_| !covered.detector)
        .map(|g| {
            let export = forensic_home
                .as_ref()
                .zip(log_archive.as_ref())
                .map(|(home, bucket)| {
                    let core = StackAddr::new(home, Component::ForensicCore.stack_name(&env.name));
                    // No prefix: GuardDuty then writes under AWSLogs/<account>/GuardDuty/<region>/,
                    // where the archive's policy lets it, and needs no existing prefix object,
                    // which CreatePublishingDestination checks for (GuardDuty user guide,
                    // "Exporting findings").
                    json!({
                        "destination_arn": format!("arn:aws:s3:::{bucket}"),
                        "key_arn": inputs.output(&core, "LogArchiveKeyArn", deferred),
                    })
                });
            json!({ "features": g.features, "export": export })
        });
    let config = logging.and_then(|l| l.config.as_ref()).map(|c| {
        json!({
            "recorder": !covered.recorder,
            "recorder_name": format!("irready-{}", env.name),
            "all_supported": c.all_supported,
            "include_global": home,
            "create_service_role": home && owns_config_role(env, facts),
        })
    });
    let flow_logs = logging.and_then(|l| l.flow_logs.as_ref()).map(|f| {
        json!({
            "traffic": f.traffic,
            "aggregation_seconds": f.aggregation_seconds,
            "format": FLOW_LOG_FORMAT,
        })
    });
    let dns_query_logs = logging
        .filter(|l| l.dns_query_logs)
        .map(|_| json!({ "name": format!("irready-{}", env.name) }));
    json!({
        "home": home,
        "isolation": isolation,
        "vpcs": vpcs,
        "recorded_vpcs": recorded_vpcs,
        "recorded_covered": covered.baseline_record(),
        "guardduty": guardduty,
        "config": config,
        "flow_logs": flow_logs,
        "dns_query_logs": dns_query_logs,
        "log_archive_arn": log_archive.as_ref().map(|b| format!("arn:aws:s3:::{b}")),
        "config_bucket": config_bucket,
    })
}

fn org_logging(env: &Environment, scope: &Scope, target: &Target, covered: &Covered) -> Value {
    let trail = env
        .logging
        .as_ref()
        .and_then(|l| l.cloudtrail.as_ref())
        .expect("placed only with a trail");
    let forensic = scope
        .forensic_account
        .as_ref()
        .expect("placed only with a forensic account");
    let names = ForensicNames::new(env, &Target::new(forensic.clone(), env.home_region.clone()));
    // Objects written into irready's own log buckets are the deliveries themselves.
    let own_buckets: Vec<String> = [&names.log_archive_bucket, &names.config_bucket]
        .iter()
        .map(|bucket| format!("arn:aws:s3:::{bucket}/"))
        .collect();
    // Beside a trail that records management events, only the data events it lacks.
    let kinds = match &covered.trail {
        Some(existing) if existing.complemented() => &existing.missing_data_events,
        _ => &trail.data_events,
    };
    let data_events: Vec<Value> = kinds
        .iter()
        .map(|kind| match kind {
            crate::config::DataEvents::S3 => json!({
                "name": "S3 object data events, except irready's log buckets",
                "type": "AWS::S3::Object",
                "excluded": own_buckets,
            }),
            crate::config::DataEvents::Lambda => json!({
                "name": "Lambda invocations",
                "type": "AWS::Lambda::Function",
                "excluded": Value::Null,
            }),
        })
        .collect();
    json!({
        // An existing trail meets the control: the stack holds no trail of its own.
        "existing_trail": covered.trail.as_ref().filter(|t| !t.complemented()).map(|t| &t.arn),
        "complements": covered.trail.as_ref().filter(|t| t.complemented()).map(|t| &t.arn),
        "recorded_trail": super::CoveringTrail::record(covered.trail.as_ref()),
        "organization": trail.organization && scope.organization.enabled,
        "trail_name": format!("irready-{}", env.name),
        "log_group": format!("/irready/{}/cloudtrail", env.name),
        "retention_days": trail.cloudwatch_retention_days,
        "log_archive_bucket": names.log_archive_bucket,
        // An alias ARN: the key lives in the forensic account and its id is not known
        // before that account's stack exists; CloudTrail accepts alias ARNs.
        "log_archive_key": format!(
            "arn:aws:kms:{}:{forensic}:{}",
            target.region, names.log_archive_key_alias
        ),
        "data_events": data_events,
    })
}

fn alarms(env: &Environment, covered: &Covered) -> Value {
    let breakglass = env
        .access
        .as_ref()
        .map_or("irready-breakglass", |a| a.breakglass.role_name.as_str());
    // Assuming the role (API or console switch) in any account of the organization: the
    // organization trail brings every account's events into this log group.
    let breakglass_pattern = format!(
        "{{ (($.eventName = \"AssumeRole\") && ($.requestParameters.roleArn = \"*:role/{breakglass}\")) \
         || (($.eventName = \"SwitchRole\") && ($.additionalEventData.SwitchTo = \"*:role/{breakglass}\")) }}"
    );
    let entry = |name: &str, description: &str, pattern: &str| {
        json!({
            "name": name,
            "description": description,
            "pattern": pattern,
            "alarm_name": format!("irready-{}-{name}", env.name),
        })
    };
    let mut alarms: Vec<Value> = super::cis::CIS_ALARMS
        .iter()
        .map(|a| entry(a.name, a.description, a.pattern))
        .collect();
    alarms.push(entry(
        BREAKGLASS_ALARM,
        "The breakglass role was assumed",
        &breakglass_pattern,
    ));
    // On the existing trail's log group where an existing trail stands for irready's.
    let log_group = covered
        .trail
        .as_ref()
        .and_then(|t| t.log_group.clone())
        .unwrap_or_else(|| format!("/irready/{}/cloudtrail", env.name));
    json!({
        "topic_name": format!("irready-{}-alarms", env.name),
        "log_group": log_group,
        "namespace": format!("irready/{}", env.name),
        "alarms": alarms,
        "emails": email_subscriptions(
            env.logging.as_ref().map_or(&[][..], |l| l.alarm_emails.as_slice())
        ),
    })
}
