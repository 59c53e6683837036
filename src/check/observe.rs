//! The live state `check` judges, read through the service APIs in every account ×
//! region, concurrently. Read-only; each target reads only what its controls need.

use std::collections::{BTreeMap, BTreeSet};

use futures::stream::{self, StreamExt};

use crate::addr::{AccountId, Region, Target};
use crate::aws::cloudtrail::{self, TrailFact};
use crate::aws::configservice::{self, RecorderFact};
use crate::aws::ec2::{self, FlowLogFact, SecurityGroupFact, VpcExposure, VpcFact};
use crate::aws::guardduty::{self, DetectorFact};
use crate::aws::iam::{self, RoleFact};
use crate::aws::monitoring::{self, AlarmFact};
use crate::aws::resolver::{self, QueryLogAssociationFact};
use crate::aws::s3::{self, BucketFact};
use crate::aws::{ssm, AccountSession, Aws, AwsError};
use crate::config::Environment;
use crate::discover::Scope;
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
    /// The forensic account's home region: the evidence bucket (`Some(None)`: absent).
    pub evidence_bucket: Option<Option<BucketFact>>,
    /// The forensic account's analysis regions: the forensic VPC and what exposes it.
    pub forensic_vpc: Option<Option<(VpcFact, VpcExposure)>>,
    /// The analysis regions: per image, the pinned id and that image's state.
    pub images: BTreeMap<String, (Option<String>, Option<String>)>,
}

/// What to read in a target.
#[derive(Debug, Clone, Copy, Default)]
struct Reads {
    regional: bool,
    roles: bool,
    organization: bool,
    evidence: bool,
    analysis: bool,
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
        reads
            .entry(Target::new(account.clone(), env.home_region.clone()))
            .or_default()
            .evidence = true;
        for region in &forensic.analysis_regions {
            reads
                .entry(Target::new(account.clone(), region.clone()))
                .or_default()
                .analysis = true;
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
        .await
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
        posture.recorders = configservice::recorders(aws, session, region, &none).await?;
        if !vpc_ids.is_empty() {
            posture.flow_logs = ec2::flow_logs(aws, session, region).await?;
            posture.query_logs =
                resolver::query_log_associations(aws, session, region, &vpc_ids, &none).await?;
            posture.isolation_groups =
                ec2::tagged_security_groups(aws, session, region, "irready:isolation", "true")
                    .await?;
        }
    }
    if reads.roles {
        if let Some(access) = &env.access {
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
        posture.alarms = Some(
            monitoring::alarms(aws, session, region, &format!("irready-{}-", env.name)).await?,
        );
    }
    if reads.evidence {
        let bucket = ForensicNames::new(env, target).evidence_bucket;
        posture.evidence_bucket = Some(s3::bucket(aws, session, region, &bucket).await?);
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
