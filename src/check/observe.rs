//! The live state `check` judges, read through the service APIs in every account ×
//! region, concurrently. Read-only; each target reads only what its controls need.

use std::collections::{BTreeMap, BTreeSet};

use futures::stream::{self, StreamExt};

use crate::addr::{AccountId, Region, Target};
use crate::aws::athena::{self, TableFact, WorkGroupFact};
use crate::aws::cloudtrail::{self, TrailFact};
use crate::aws::configservice::{self, RecorderFact};
use crate::aws::ec2::{self, FlowLogFact, SecurityGroupFact, VpcExposure, VpcFact};
use crate::aws::guardduty::{self, DetectorFact, PublishingFact};
use crate::aws::iam::{self, RoleFact};
use crate::aws::kms::{self, KeyFact};
use crate::aws::monitoring::{self, AlarmFact};
use crate::aws::resolver::{self, QueryLogAssociationFact};
use crate::aws::s3::{self, BucketFact};
use crate::aws::{ssm, AccountSession, Aws, AwsError};
use crate::config::Environment;
use crate::discover::Scope;
use crate::model::analysis::AnalysisNames;
use crate::model::runbooks::{self, DocumentState, Runbook};
use crate::render::{Component, ForensicNames};

/// What one target holds, as far as its controls need it. `None` where not read.
#[derive(Debug, Clone, Default)]
pub struct TargetPosture {
    pub vpcs: Vec<VpcFact>,
    pub detectors: Vec<DetectorFact>,
    pub recorders: Vec<RecorderFact>,
    pub flow_logs: Vec<FlowLogFact>,
    pub query_logs: Vec<QueryLogAssociationFact>,
    pub isolation_groups: Vec<SecurityGroupFact>,
    /// The response roles by name, in the home region of each target account.
    pub roles: Option<BTreeMap<String, Option<RoleFact>>>,
    /// The management account's home region: trails, the trail's log retention, alarms.
    pub trails: Option<Vec<TrailFact>>,
    /// Retention of each trail's log group in this region, by group name (`None` inside:
    /// never expires).
    pub log_retention: BTreeMap<String, Option<i32>>,
    pub alarms: Option<Vec<AlarmFact>>,
    /// Who each topic the alarms notify reaches: confirmed subscriptions and how many
    /// wait for confirmation (`None` inside: the topic does not exist).
    pub alarm_topics: BTreeMap<String, Option<(Vec<String>, usize)>>,
    /// The forensic account's home region: the evidence bucket (`Some(None)`: absent).
    pub evidence_bucket: Option<Option<BucketFact>>,
    /// The forensic account's analysis regions: the forensic VPC and what exposes it.
    pub forensic_vpc: Option<Option<(VpcFact, VpcExposure)>>,
    /// The analysis regions: per image, the pinned id and that image's state.
    pub images: BTreeMap<String, (Option<String>, Option<String>)>,
    /// AWS Config's delivery failures here, as its delivery channel status reports them.
    pub config_delivery: Vec<String>,
    /// The findings exports of the detectors here.
    pub publishing: Vec<PublishingFact>,
    /// For each log that delivers into irready's archive from here, whether a recent
    /// object landed under its prefix (read in the forensic account); `None` where not
    /// read (no forensic account).
    pub landing: Option<Vec<Landing>>,
    /// The forensic account's home region: the analysis component's tables (`Some(None)`:
    /// no database).
    pub query_tables: Option<Option<Vec<TableFact>>>,
    /// The forensic account's home region: the analysis workgroup (`Some(None)`: absent).
    pub workgroup: Option<Option<WorkGroupFact>>,
    /// Each of irready's runbook documents here, by document name, against what irready
    /// renders; `None` where not read.
    pub runbooks: Option<BTreeMap<String, DocumentState>>,
    /// The automation role, in the home region of each target account.
    pub automation_role: Option<Option<RoleFact>>,
    /// The forensic account's evidence key of this target's region (read as the forensic
    /// account, copied to every target of the region); `None` where not read.
    pub evidence_key: Option<Option<KeyFact>>,
    /// The organization's id, to judge a key policy that admits it.
    pub organization_id: Option<String>,
    /// The region's default EBS key.
    pub ebs_default_key: Option<Option<String>>,
}

/// One log that delivers into irready's archive from a target, and what landed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Landing {
    /// What log: `CloudTrail`, `VPC flow logs of vpc-…`, ...
    pub log: String,
    /// Whether it delivers on a schedule whatever the activity (the trail's files, Config's
    /// snapshots), rather than only when there is something to record.
    pub scheduled: bool,
    pub bucket: String,
    /// The prefix up to the date folders (`AWSLogs/<account>/vpcflowlogs/<region>/`).
    pub prefix: String,
    /// The newest date folder looked in, with an object found there, if any.
    pub found: Option<String>,
    /// The date folders looked in (today's and yesterday's, UTC).
    pub looked_in: Vec<String>,
}

/// What to read in a target.
#[derive(Debug, Clone, Copy, Default)]
struct Reads {
    regional: bool,
    roles: bool,
    organization: bool,
    evidence: bool,
    analysis: bool,
    /// The query layer over the log archive (forensic account, home region).
    query: bool,
    /// The forensic account's evidence key of the region.
    evidence_key: bool,
}

/// Every target `check` looks at, with what to read there.
fn plan_reads(env: &Environment, scope: &Scope) -> BTreeMap<Target, Reads> {
    let mut reads: BTreeMap<Target, Reads> = BTreeMap::new();
    for account in &scope.accounts {
        for region in &scope.regions {
            let entry = reads
                .entry(Target::new(account.clone(), region.clone()))
                .or_default();
            entry.regional = true;
            entry.roles = *region == env.home_region && env.access.is_some();
        }
    }
    let management = Target::new(
        scope.organization.management_account.clone(),
        env.home_region.clone(),
    );
    reads.entry(management).or_default().organization = true;
    if let (Some(account), Some(forensic)) = (&scope.forensic_account, &env.forensic) {
        let home = reads
            .entry(Target::new(account.clone(), env.home_region.clone()))
            .or_default();
        home.evidence = true;
        home.query = crate::model::analysis::wanted(env);
        for region in &forensic.analysis_regions {
            reads
                .entry(Target::new(account.clone(), region.clone()))
                .or_default()
                .analysis = true;
        }
        if env.access.is_some() {
            for region in &scope.regions {
                reads
                    .entry(Target::new(account.clone(), region.clone()))
                    .or_default()
                    .evidence_key = true;
            }
        }
    }
    reads
}

/// Reads every target, `parallelism` at a time. A target whose account cannot be
/// entered is an error for that target only.
pub async fn observe(
    aws: &Aws,
    env: &Environment,
    scope: &Scope,
    sessions: &BTreeMap<AccountId, Result<AccountSession, AwsError>>,
    parallelism: usize,
) -> BTreeMap<Target, Result<TargetPosture, AwsError>> {
    let mut postures: BTreeMap<Target, Result<TargetPosture, AwsError>> =
        stream::iter(plan_reads(env, scope))
            .map(|(target, reads)| async move {
                let posture = match sessions.get(&target.account) {
                    Some(Ok(session)) => read(aws, env, session, &target, reads).await,
                    Some(Err(err)) => Err(err.clone()),
                    None => Err(AwsError::other(
                        "sts:AssumeRole",
                        format!("no session for account {}", target.account),
                    )),
                };
                (target, posture)
            })
            .buffer_unordered(parallelism.max(1))
            .collect()
            .await;
    if let Some(forensic) = &scope.forensic_account {
        if let Some(Ok(session)) = sessions.get(forensic) {
            landings(aws, env, scope, session, &mut postures, parallelism).await;
        }
        share_evidence_keys(forensic, scope, &mut postures);
    }
    postures
}

/// Gives every target the evidence key the forensic account holds in its region, as read
/// there: the key is judged for each account it must admit.
fn share_evidence_keys(
    forensic: &AccountId,
    scope: &Scope,
    postures: &mut BTreeMap<Target, Result<TargetPosture, AwsError>>,
) {
    let keys: BTreeMap<Region, Option<KeyFact>> = scope
        .regions
        .iter()
        .filter_map(|region| {
            let target = Target::new(forensic.clone(), region.clone());
            let key = postures.get(&target)?.as_ref().ok()?.evidence_key.clone()?;
            Some((region.clone(), key))
        })
        .collect();
    for (target, posture) in postures.iter_mut() {
        if let Ok(posture) = posture {
            if let Some(key) = keys.get(&target.region) {
                posture.evidence_key = Some(key.clone());
            }
            posture.organization_id = scope.organization.id.clone();
        }
    }
}

/// Looks, as the forensic account, for a recent object of every log that delivers into
/// irready's archive from each target: under today's or yesterday's date folder (UTC) of
/// the log's key layout. A listing that fails makes its target an error.
async fn landings(
    aws: &Aws,
    env: &Environment,
    scope: &Scope,
    session: &AccountSession,
    postures: &mut BTreeMap<Target, Result<TargetPosture, AwsError>>,
    parallelism: usize,
) {
    let home = Target::new(session.account.clone(), env.home_region.clone());
    let names = ForensicNames::new(env, &home);
    let own_trail = format!("irready-{}", env.name);
    // irready's trail delivers every target's events into the archive; a trail made
    // outside irready that stands for it delivers elsewhere, and is not looked for here.
    let management = Target::new(
        scope.organization.management_account.clone(),
        env.home_region.clone(),
    );
    let trail = postures
        .get(&management)
        .and_then(|p| p.as_ref().ok())
        .and_then(|p| p.trails.as_ref())
        .and_then(|trails| trails.iter().find(|t| t.name == own_trail).cloned());
    let today = chrono::Utc::now().date_naive();
    let days = [today, today - chrono::Duration::days(1)];
    let mut wanted: Vec<(Target, Landing, Vec<String>)> = Vec::new();
    for (target, posture) in postures.iter() {
        let Ok(posture) = posture else { continue };
        if !scope.accounts.contains(&target.account) || !scope.regions.contains(&target.region) {
            continue;
        }
        let (account, region) = (&target.account, &target.region);
        let archive = &names.log_archive_bucket;
        let into_archive = |destination: Option<&str>| {
            destination.is_some_and(|d| {
                d.trim_start_matches("arn:aws:s3:::")
                    .split('/')
                    .next()
                    .is_some_and(|bucket| bucket == archive)
            })
        };
        let padded = |prefix: &str| -> Vec<String> {
            days.iter()
                .map(|d| format!("{prefix}{}/", d.format("%Y/%m/%d")))
                .collect()
        };
        // `scheduled`: delivered whatever the activity (the trail's files, Config's
        // snapshots), rather than only when there is something to record.
        let mut add =
            |log: String, scheduled: bool, bucket: &str, prefix: String, folders: Vec<String>| {
                wanted.push((
                    target.clone(),
                    Landing {
                        log,
                        scheduled,
                        bucket: bucket.to_owned(),
                        prefix,
                        found: None,
                        looked_in: Vec::new(),
                    },
                    folders,
                ));
            };
        if let Some(trail) = &trail {
            let prefix = match (&scope.organization.id, trail.is_organization) {
                (Some(org), true) => Some(format!("AWSLogs/{org}/{account}/CloudTrail/{region}/")),
                _ if *account == scope.organization.management_account => {
                    Some(format!("AWSLogs/{account}/CloudTrail/{region}/"))
                }
                _ => None,
            };
            if let Some(prefix) = prefix {
                let folders = padded(&prefix);
                add("CloudTrail".to_owned(), true, archive, prefix, folders);
            }
        }
        if posture
            .flow_logs
            .iter()
            .any(|f| into_archive(f.destination.as_deref()))
        {
            let prefix = format!("AWSLogs/{account}/vpcflowlogs/{region}/");
            let folders = padded(&prefix);
            add("VPC flow logs".to_owned(), false, archive, prefix, folders);
        }
        if posture
            .publishing
            .iter()
            .any(|p| into_archive(p.destination_arn.as_deref()))
        {
            let prefix = format!("AWSLogs/{account}/GuardDuty/{region}/");
            let folders = padded(&prefix);
            add(
                "GuardDuty findings".to_owned(),
                false,
                archive,
                prefix,
                folders,
            );
        }
        if posture
            .recorders
            .iter()
            .any(|r| r.delivery_bucket.as_deref() == Some(names.config_bucket.as_str()))
        {
            // Config does not zero-pad the month and day of its date folders.
            let prefix = format!("AWSLogs/{account}/Config/{region}/");
            let folders = days
                .iter()
                .map(|d| format!("{prefix}{}/", d.format("%Y/%-m/%-d")))
                .collect();
            add(
                "AWS Config".to_owned(),
                true,
                &names.config_bucket,
                prefix,
                folders,
            );
        }
        for association in &posture.query_logs {
            if into_archive(association.destination.as_deref()) {
                let vpc = &association.vpc_id;
                let prefix = format!("AWSLogs/{account}/vpcdnsquerylogs/{vpc}/");
                let folders = padded(&prefix);
                add(
                    format!("DNS query logs of {vpc}"),
                    false,
                    archive,
                    prefix,
                    folders,
                );
            }
        }
    }
    let region = &env.home_region;
    let looked: Vec<(Target, Result<Landing, AwsError>)> = stream::iter(wanted)
        .map(|(target, mut landing, folders)| async move {
            for folder in &folders {
                landing.looked_in.push(folder.clone());
                match s3::any_object_under(aws, session, region, &landing.bucket, folder).await {
                    Ok(Some(_)) => {
                        landing.found = Some(folder.clone());
                        break;
                    }
                    Ok(None) => {}
                    Err(err) => return (target, Err(err)),
                }
            }
            (target, Ok(landing))
        })
        .buffer_unordered(parallelism.max(1))
        .collect()
        .await;
    for (target, landing) in looked {
        let Some(entry) = postures.get_mut(&target) else {
            continue;
        };
        match (entry.as_mut(), landing) {
            (Ok(posture), Ok(landing)) => {
                posture.landing.get_or_insert_with(Vec::new).push(landing);
            }
            (Ok(_), Err(err)) => *entry = Err(err),
            (Err(_), _) => {}
        }
    }
    for (target, posture) in postures.iter_mut() {
        if let Ok(posture) = posture {
            if scope.accounts.contains(&target.account) && scope.regions.contains(&target.region) {
                let landing = posture.landing.get_or_insert_with(Vec::new);
                landing.sort_by(|a, b| a.log.cmp(&b.log));
            }
        }
    }
}

async fn read(
    aws: &Aws,
    env: &Environment,
    session: &AccountSession,
    target: &Target,
    reads: Reads,
) -> Result<TargetPosture, AwsError> {
    let region = &target.region;
    let none = BTreeSet::new();
    let mut posture = TargetPosture::default();
    if reads.regional {
        posture.vpcs = ec2::vpcs(aws, session, region).await?;
        let vpc_ids: BTreeSet<String> = posture.vpcs.iter().map(|v| v.id.clone()).collect();
        posture.detectors = guardduty::detectors(aws, session, region, &none).await?;
        for detector in &posture.detectors {
            posture.publishing.extend(
                guardduty::publishing_destinations(aws, session, region, &detector.id).await?,
            );
        }
        posture.recorders = configservice::recorders(aws, session, region, &none).await?;
        if !posture.recorders.is_empty() {
            posture.config_delivery =
                configservice::delivery_failures(aws, session, region).await?;
        }
        if !vpc_ids.is_empty() {
            posture.flow_logs = ec2::flow_logs(aws, session, region).await?;
            posture.query_logs =
                resolver::query_log_associations(aws, session, region, &vpc_ids, &none).await?;
            posture.isolation_groups =
                ec2::tagged_security_groups(aws, session, region, "irready:isolation", "true")
                    .await?;
        }
    }
    if reads.regional && env.access.is_some() {
        let mut documents = BTreeMap::new();
        for runbook in Runbook::ALL {
            let name = runbook.document_name(&env.name);
            let state =
                crate::discover::runbook_state(aws, session, region, &env.name, &name).await?;
            documents.insert(name, state);
        }
        posture.runbooks = Some(documents);
        posture.ebs_default_key = Some(ec2::ebs_default_kms_key_id(aws, session, region).await?);
    }
    if reads.evidence_key {
        let alias = runbooks::evidence_key_alias(&env.name);
        posture.evidence_key = Some(kms::key(aws, session, region, &alias).await?);
    }
    if reads.roles {
        if let Some(access) = &env.access {
            let automation = runbooks::automation_role_name(&env.name);
            posture.automation_role = Some(iam::role(aws, session, &automation).await?);
            let mut roles = BTreeMap::new();
            for name in [
                &access.breakglass.role_name,
                &access.investigator.role_name,
                &access.responder.role_name,
            ] {
                roles.insert(name.clone(), iam::role(aws, session, name).await?);
            }
            posture.roles = Some(roles);
        }
    }
    if reads.organization {
        let trails = cloudtrail::trails(aws, session, region, &none).await?;
        for trail in &trails {
            if let Some(group) = trail
                .log_group_arn
                .as_deref()
                .and_then(|arn| crate::plan::existing::log_group_in(arn, target))
            {
                if let Some(retention) =
                    monitoring::log_group_retention(aws, session, region, &group).await?
                {
                    posture.log_retention.insert(group, retention);
                }
            }
        }
        posture.trails = Some(trails);
        let alarms =
            monitoring::alarms(aws, session, region, &format!("irready-{}-", env.name)).await?;
        let topics: BTreeSet<&String> = alarms
            .iter()
            .flat_map(|a| &a.actions)
            .filter(|arn| arn.starts_with("arn:aws:sns:"))
            .collect();
        for topic in topics {
            posture.alarm_topics.insert(
                topic.clone(),
                monitoring::topic_subscribers(aws, session, region, topic).await?,
            );
        }
        posture.alarms = Some(alarms);
    }
    if reads.evidence {
        let bucket = ForensicNames::new(env, target).evidence_bucket;
        posture.evidence_bucket = Some(s3::bucket(aws, session, region, &bucket).await?);
    }
    if reads.query {
        let names = AnalysisNames::new(env, target);
        posture.query_tables = Some(athena::tables(aws, session, region, &names.database).await?);
        posture.workgroup = Some(athena::workgroup(aws, session, region, &names.workgroup).await?);
    }
    if reads.analysis {
        // The regional reads may have listed the VPCs already.
        let vpcs = if reads.regional {
            posture.vpcs.clone()
        } else {
            ec2::vpcs(aws, session, region).await?
        };
        posture.forensic_vpc = Some(forensic_vpc(aws, session, region, vpcs).await?);
        if let Some(forensic) = &env.forensic {
            for ami in &forensic.amis {
                let name = format!("/irready/{}/analysis-images/{}", env.name, ami.name);
                let pinned = ssm::get(aws, session, region, &name).await?;
                let state = match &pinned {
                    Some(id) => ec2::image_state(aws, session, region, id).await?,
                    None => None,
                };
                posture.images.insert(ami.name.clone(), (pinned, state));
            }
        }
    }
    Ok(posture)
}

/// irready's forensic VPC among the region's `vpcs` (found by its component tag) and its
/// exposure.
async fn forensic_vpc(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    vpcs: Vec<VpcFact>,
) -> Result<Option<(VpcFact, VpcExposure)>, AwsError> {
    let Some(vpc) = vpcs.into_iter().find(|v| {
        v.tags
            .get(crate::discover::TAG_COMPONENT)
            .map(String::as_str)
            == Some(Component::ForensicVpc.name())
    }) else {
        return Ok(None);
    };
    let exposure = ec2::vpc_exposure(aws, session, region, &vpc.id).await?;
    Ok(Some((vpc, exposure)))
}
