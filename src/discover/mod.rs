//! Current state: reads the organization, resolves the environment against it, enters
//! every account and lists irready's stacks and the facts templates depend on, per
//! account × region.
//!
//! Read-only. A target that cannot be read (role cannot be assumed, access denied) is
//! recorded as an error for that target; the others are still read.

pub mod existing;
pub use crate::model::{organization, scope};
mod read;
pub mod workloads;

use std::collections::{BTreeMap, BTreeSet};

use futures::stream::{self, StreamExt};

use crate::addr::{AccountId, Region, StackAddr, Target};
use crate::aws::cfn::{self, DeployedStack, StackResource};
use crate::aws::ec2::{ImageFact, ImageQuery, VpcFact};
use crate::aws::iam::RoleFact;
use crate::aws::{ec2, iam, kms, org, s3, ssm, AccountSession, Aws, AwsError};
use crate::config::{AmiSource, Diagnostic, Environment, RegionSelection};
pub use existing::{Existing, ExistingNeeds, Listed};
pub use organization::Organization;

use crate::model::component::Component;
use crate::model::covered::{Covered, CoveringTrail};
use crate::model::outputs::{
    COVERED_OUTPUT, NO_VPCS, S3_PREFIX_LIST_OUTPUT, TRAIL_OUTPUT, VPCS_OUTPUT,
};
use crate::model::runbooks::{self, DocumentState};
pub use scope::Scope;

pub use crate::model::tags::{
    TAG_COMPONENT, TAG_ENVIRONMENT, TAG_EXERCISE, TAG_EXPIRES, TAG_MANAGED,
};

#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    #[error("reading the caller's identity")]
    Identity(#[source] AwsError),
    #[error("reading the organization")]
    Organization(#[source] AwsError),
    #[error("reading the enabled regions")]
    Regions(#[source] AwsError),
    #[error("{}", render(.0))]
    Unresolved(Vec<Diagnostic>),
}

fn render(diagnostics: &[Diagnostic]) -> String {
    let lines: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
    format!(
        "the environment does not match the organization:\n  {}",
        lines.join("\n  ")
    )
}

/// What one target holds.
#[derive(Debug, Clone)]
pub struct TargetState {
    /// irready's stacks of this environment in the target, by stack name.
    pub stacks: BTreeMap<String, DeployedStack>,
    /// The stacks of this environment's tabletop exercises in the target, by stack name:
    /// not planned (no component places them), deleted by `destroy`.
    pub exercises: BTreeMap<String, DeployedStack>,
    /// The id of the regional S3 managed prefix list, read where the forensic VPC needs it.
    pub s3_prefix_list: Option<String>,
    /// How many availability zones the region has, read where the forensic VPC goes: its
    /// subnets, one per zone, cannot outnumber them.
    pub availability_zones: Option<usize>,
    /// The target's VPCs, read where the regional baseline goes.
    pub vpcs: Vec<VpcFact>,
    /// Whether AWS Config's service-linked role exists, read in the home region of
    /// accounts that record with Config: the baseline creates it only where it is missing.
    pub config_role_exists: Option<bool>,
    /// The analysis images seen here, by image name: read in the forensic account's
    /// analysis regions.
    pub images: BTreeMap<String, ImageSighting>,
    /// What exists outside irready that the environment's controls could count.
    pub existing: Existing,
    /// Everything those reads listed, irready's own resources included.
    pub listed: Listed,
    /// The resources of irready's own stacks here (org logging, regional baseline,
    /// access), by stack and logical id: watched for changes made outside irready.
    pub own_resources: BTreeMap<String, BTreeMap<String, StackResource>>,
    /// The breakglass role as it is, where irready's access stack holds it.
    pub breakglass: Option<RoleFact>,
    /// The live policies of the forensic core's keys and buckets, by the logical id of
    /// the key or bucket (`None` inside: it has none), watched for drift.
    pub policies: BTreeMap<String, Option<String>>,
    /// Each document of irready's runbooks stacks here, by document name, against what
    /// irready renders: watched for drift.
    pub documents: BTreeMap<String, DocumentState>,
    /// What irready's stacks recorded of the facts they were rendered from, where
    /// `--refresh=false` trusted them instead of reading them: empty otherwise.
    pub recorded: Recorded,
    /// The workloads whose logs the environment wants on, where workload logging goes.
    pub workloads: Vec<crate::workload::Workload>,
}

/// What discovery saw of one analysis image in one region.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImageSighting {
    /// Images matching the environment's description here, newest first: the owner and
    /// name filter's matches, or the image with that id in its own region.
    pub matches: Vec<ImageFact>,
    /// Copies irready made here earlier, newest first.
    pub copies: Vec<ImageFact>,
}

/// Tags on the image copies irready makes.
pub const TAG_IMAGE: &str = "irready:image";
pub const TAG_IMAGE_SOURCE: &str = "irready:source-image";

/// The facts a target needs read besides its stacks.
///
/// This is the one list of the per-target reads a plan makes beyond DescribeStacks, and
/// [`Needs::trusting`] says, for each, whether `--refresh=false` skips it: a new field
/// does not compile until it has decided.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Needs {
    pub s3_prefix_list: bool,
    /// The region's availability zones, where the forensic VPC goes.
    pub zones: bool,
    pub vpcs: bool,
    pub config_role: bool,
    pub images: bool,
    /// Resources outside irready that could stand for its own, and irready's own
    /// resources of the same kinds as they are (for drift).
    pub existing: ExistingNeeds,
    /// The breakglass role and the access stack's resources, watched for drift.
    pub breakglass: bool,
    /// The key and bucket policies of the forensic core, watched for drift.
    pub policies: bool,
    /// The workloads whose logging the environment manages, with their settings.
    pub workloads: bool,
    /// The runbooks' documents as Systems Manager holds them, watched for drift.
    pub documents: bool,
}

/// Whether discovery reads the live state of every target (the default), or trusts what
/// irready's deployed stacks recorded about the facts they were rendered from
/// (`--refresh=false`, like Terraform's `-refresh=false`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Refresh {
    #[default]
    Live,
    Trust,
}

/// What a target's deployed stacks recorded, in their outputs, about the facts their
/// templates were rendered from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recorded {
    /// The VPCs the regional baseline covers.
    pub vpcs: Option<Vec<String>>,
    /// The S3 prefix list the forensic VPC uses.
    pub s3_prefix_list: Option<String>,
    /// Whether a regional baseline is deployed here: it then says, by its output
    /// `IrreadyOwnsConfigServiceRole`, whether it holds Config's role, and without the
    /// output the role existed before it.
    pub baseline: bool,
    /// What resources outside irready covered when the regional baseline was rendered:
    /// its detector, recorder, flow logs and query logs.
    pub baseline_covered: Option<Covered>,
    /// Whether an existing trail stood for irready's when org logging was rendered, and
    /// which: `Some(None)` when none did.
    pub trail: Option<Option<CoveringTrail>>,
}

impl Recorded {
    pub fn from_stacks(env_name: &str, stacks: &BTreeMap<String, DeployedStack>) -> Self {
        let baseline = stacks.get(&Component::RegionalBaseline.stack_name(env_name));
        let vpcs = baseline
            .and_then(|s| s.outputs.get(VPCS_OUTPUT))
            .map(|ids| match ids.as_str() {
                NO_VPCS => Vec::new(),
                ids => ids.split_whitespace().map(str::to_owned).collect(),
            });
        let s3_prefix_list = stacks
            .get(&Component::ForensicVpc.stack_name(env_name))
            .and_then(|s| s.outputs.get(S3_PREFIX_LIST_OUTPUT))
            .cloned();
        let baseline_covered = baseline
            .and_then(|s| s.outputs.get(COVERED_OUTPUT))
            .map(|record| Covered::from_baseline_record(record));
        let trail = stacks
            .get(&Component::OrgLogging.stack_name(env_name))
            .and_then(|s| s.outputs.get(TRAIL_OUTPUT))
            .map(|record| CoveringTrail::from_record(record));
        Self {
            vpcs,
            s3_prefix_list,
            baseline: baseline.is_some(),
            baseline_covered,
            trail,
        }
    }
}

impl Needs {
    /// The reads left under `--refresh=false`: a fact the target's stacks recorded is
    /// trusted, one they did not (a new account, a stack from an older irready) is still
    /// read. What resources outside irready cover is a recorded fact like the others;
    /// reads that serve only live state are never left: drift (the breakglass role, the
    /// resources of irready's own stacks) and the logging settings of the workloads.
    ///
    /// Analysis images are always read: their lookup decides copies, and it happens only
    /// in the forensic account's analysis regions, whatever the organization's size.
    pub fn trusting(self, recorded: &Recorded) -> Self {
        let Self {
            s3_prefix_list,
            zones,
            vpcs,
            config_role,
            images,
            existing,
            breakglass: _,
            policies: _,
            workloads: _,
            documents: _,
        } = self;
        let baseline_trusted = recorded.baseline_covered.is_some();
        let ExistingNeeds {
            trails,
            detector,
            recorder,
            flow_logs,
            query_logs,
        } = existing;
        Self {
            s3_prefix_list: s3_prefix_list && recorded.s3_prefix_list.is_none(),
            // One call, only in the forensic account's analysis regions: always read, so
            // that a region with fewer zones than asked is refused before any change.
            zones,
            vpcs: vpcs && recorded.vpcs.is_none(),
            config_role: config_role && !recorded.baseline,
            images,
            existing: ExistingNeeds {
                trails: trails && recorded.trail.is_none(),
                detector: detector && !baseline_trusted,
                recorder: recorder && !baseline_trusted,
                flow_logs: flow_logs && !baseline_trusted,
                query_logs: query_logs && !baseline_trusted,
            },
            breakglass: false,
            policies: false,
            workloads: false,
            documents: false,
        }
    }
}

/// The name of AWS Config's service-linked role.
pub const CONFIG_SERVICE_ROLE: &str = "AWSServiceRoleForConfig";

/// Everything discovery read.
#[derive(Debug)]
pub struct Discovery {
    pub caller: AccountId,
    pub scope: Scope,
    /// Every target read, or the error that stopped it.
    pub targets: BTreeMap<Target, Result<TargetState, AwsError>>,
    /// Whether live state was read, or irready's stacks trusted.
    pub refresh: Refresh,
    sessions: BTreeMap<AccountId, AccountSession>,
}

impl Discovery {
    pub fn session(&self, account: &AccountId) -> Option<&AccountSession> {
        self.sessions.get(account)
    }

    /// The deployed stack at `addr`, if discovery saw one.
    pub fn stack(&self, addr: &StackAddr) -> Option<&DeployedStack> {
        match self.targets.get(&addr.target()) {
            Some(Ok(state)) => state.stacks.get(&addr.stack),
            _ => None,
        }
    }

    /// Every target read without error, with what it holds.
    pub fn ok_targets(&self) -> impl Iterator<Item = (&Target, &TargetState)> {
        self.targets
            .iter()
            .filter_map(|(t, r)| r.as_ref().ok().map(|s| (t, s)))
    }

    /// Targets that could not be read, with why.
    pub fn failed_targets(&self) -> Vec<(&Target, &AwsError)> {
        self.targets
            .iter()
            .filter_map(|(t, r)| r.as_ref().err().map(|e| (t, e)))
            .collect()
    }
}

/// The targets irready reads for `env`: every target account in every region and in
/// us-east-1, and the forensic account in its analysis regions.
///
/// us-east-1 is read even when the environment does not list it, because the breakglass
/// alerts go there; and read whether or not they are wanted, so that the plan sees (and
/// deletes) alert stacks an earlier environment placed there.
pub fn scanned_targets(env: &Environment, scope: &Scope) -> BTreeSet<Target> {
    let mut targets = BTreeSet::new();
    for account in &scope.accounts {
        for region in scope.regions.iter().chain([&Region::us_east_1()]) {
            targets.insert(Target::new(account.clone(), region.clone()));
        }
    }
    if let (Some(account), Some(forensic)) = (&scope.forensic_account, &env.forensic) {
        for region in scope.regions.iter().chain(&forensic.analysis_regions) {
            targets.insert(Target::new(account.clone(), region.clone()));
        }
    }
    targets
}

/// Reads the organization and resolves `env` against it. Needs only the caller's
/// credentials.
pub async fn resolve_scope(
    aws: &Aws,
    env: &Environment,
) -> Result<(AccountId, Scope), DiscoverError> {
    let caller = aws
        .caller_account()
        .await
        .map_err(DiscoverError::Identity)?;
    let session = aws.caller_session(caller.clone());
    let mut organization = org::read_organization(aws, &session)
        .await
        .map_err(DiscoverError::Organization)?
        .unwrap_or_else(|| Organization::single_account(caller.clone()));
    // Trusted access is read only where the environment needs it (an organization
    // trail), and only the management account can read it.
    let needs_trusted_access = organization.enabled
        && caller == organization.management_account
        && env
            .logging
            .as_ref()
            .and_then(|l| l.cloudtrail.as_ref())
            .is_some_and(|t| t.organization)
        && env.forensic.is_some();
    if needs_trusted_access {
        organization.trusted_services = Some(
            org::trusted_services(aws, &session)
                .await
                .map_err(DiscoverError::Organization)?,
        );
    }
    let enabled = match env.regions {
        RegionSelection::AllEnabled => Some(
            ec2::enabled_regions(aws, &session, &env.home_region)
                .await
                .map_err(DiscoverError::Regions)?,
        ),
        RegionSelection::List(_) => None,
    };
    let scope = scope::resolve(env, organization, enabled).map_err(DiscoverError::Unresolved)?;
    Ok((caller, scope))
}

/// Discovers the current state of every target, `parallelism` targets at a time.
pub async fn discover(
    aws: &Aws,
    env: &Environment,
    parallelism: usize,
    refresh: Refresh,
) -> Result<Discovery, DiscoverError> {
    let (caller, scope) = resolve_scope(aws, env).await?;
    let (session_map, account_errors) =
        enter_accounts(aws, env, &caller, scope.all_accounts(), parallelism).await;

    let needs = needs(env, &scope);
    let targets = scanned_targets(env, &scope);
    let results: Vec<(Target, Result<TargetState, AwsError>)> = stream::iter(targets)
        .map(|target| {
            let session = &session_map[&target.account];
            let account_error = account_errors.get(&target.account).cloned();
            let target_needs = needs.get(&target).copied().unwrap_or_default();
            async move {
                let state = match account_error {
                    Some(err) => Err(err),
                    None => {
                        read::read_target(aws, env, session, &target.region, target_needs, refresh)
                            .await
                    }
                };
                (target, state)
            }
        })
        .buffer_unordered(parallelism.max(1))
        .collect()
        .await;

    Ok(Discovery {
        caller,
        scope,
        targets: results.into_iter().collect(),
        refresh,
        sessions: session_map,
    })
}

/// Enters every account once, `parallelism` at a time: the caller's own credentials in
/// its account, the member role assumed in the others. Returns every session, and the
/// error of each account whose role cannot be assumed (all its targets fail with it).
pub async fn enter_accounts(
    aws: &Aws,
    env: &Environment,
    caller: &AccountId,
    accounts: Vec<AccountId>,
    parallelism: usize,
) -> (
    BTreeMap<AccountId, AccountSession>,
    BTreeMap<AccountId, AwsError>,
) {
    let session_name = format!("irready-{}", env.name);
    let sessions: Vec<(AccountId, AccountSession, Result<(), AwsError>)> = stream::iter(accounts)
        .map(|account| {
            let (member_role, session_name) = (&env.organization.member_role, &session_name);
            async move {
                let session = aws
                    .session(caller, &account, member_role, session_name)
                    .await;
                let verified = aws.verify(&session).await;
                (account, session, verified)
            }
        })
        .buffer_unordered(parallelism.max(1))
        .collect()
        .await;
    let mut errors = BTreeMap::new();
    let mut map = BTreeMap::new();
    for (account, session, verified) in sessions {
        if let Err(err) = verified {
            errors.insert(account.clone(), err);
        }
        map.insert(account, session);
    }
    (map, errors)
}

/// What each target must have read, from where the components go.
fn needs(env: &Environment, scope: &Scope) -> BTreeMap<Target, Needs> {
    let mut needs: BTreeMap<Target, Needs> = BTreeMap::new();
    for placement in crate::model::component::placements(env, scope) {
        let entry = needs.entry(placement.target.clone()).or_default();
        match placement.component {
            Component::ForensicVpc => {
                entry.s3_prefix_list = true;
                entry.zones = true;
                entry.images = env.forensic.as_ref().is_some_and(|f| !f.amis.is_empty());
            }
            Component::RegionalBaseline => {
                entry.vpcs = true;
                let records = env.logging.as_ref().is_some_and(|l| l.config.is_some());
                entry.config_role = records && placement.target.region == env.home_region;
                if let Some(logging) = &env.logging {
                    entry.existing.detector = logging.guardduty.is_some();
                    entry.existing.recorder = logging.config.is_some();
                    entry.existing.flow_logs = logging.flow_logs.is_some();
                    entry.existing.query_logs = logging.dns_query_logs;
                }
            }
            Component::OrgLogging => entry.existing.trails = true,
            Component::Access => entry.breakglass = true,
            Component::ForensicCore => entry.policies = true,
            // Read wherever workload logging goes, destination stack or not (below).
            Component::WorkloadLogging
            | Component::Alarms
            | Component::BreakglassAlerts
            | Component::Analysis
            | Component::EvidenceKeys => {}
            Component::InstanceRunbooks | Component::IdentityRunbooks => entry.documents = true,
        }
    }
    if let Some(spec) = &env.workload_logging {
        for target in workloads::targets(spec, scope) {
            needs.entry(target).or_default().workloads = true;
        }
    }
    needs
}

/// VPCs the regional baseline covers: every VPC but irready's own forensic VPC, which
/// has its own flow log and security groups.
pub fn covered_vpcs(facts: &TargetState) -> impl Iterator<Item = &crate::aws::ec2::VpcFact> {
    covered_vpcs_of(&facts.vpcs).into_iter()
}

/// The same, from a list of VPCs.
pub fn covered_vpcs_of(vpcs: &[crate::aws::ec2::VpcFact]) -> Vec<&crate::aws::ec2::VpcFact> {
    vpcs.iter()
        .filter(|v| {
            v.tags.get(TAG_COMPONENT).map(String::as_str) != Some(Component::ForensicVpc.name())
        })
        .collect()
}

/// How the runbook document `name` of environment `env` stands against what irready
/// renders: by its `Hash` first, and where that differs (Systems Manager may serialize
/// a template's object otherwise than irready), by its content read back.
pub async fn runbook_state(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    env: &str,
    name: &str,
) -> Result<DocumentState, AwsError> {
    let Some(found) = ssm::document(aws, session, region, name).await? else {
        return Ok(DocumentState::Missing);
    };
    let Some(runbook) = runbooks::by_document_name(env, name) else {
        return Ok(DocumentState::Changed);
    };
    if found.hash.as_deref() == Some(runbook.content_sha256().as_str()) {
        return Ok(DocumentState::AsRendered);
    }
    Ok(
        match ssm::document_content(aws, session, region, name).await? {
            None => DocumentState::Missing,
            Some(stored) if runbooks::same_content(&stored, &runbook.content()) => {
                DocumentState::AsRendered
            }
            Some(_) => DocumentState::Changed,
        },
    )
}

/// The breakglass role's logical id in the access template.
pub const BREAKGLASS_LOGICAL_ID: &str = "BreakglassRole";

/// Whether irready manages `stack` for environment `env_name`: only such stacks are ever
/// updated or deleted.
pub fn is_managed_by(stack: &DeployedStack, env_name: &str) -> bool {
    stack.tags.get(TAG_MANAGED).map(String::as_str) == Some("true")
        && stack.tags.get(TAG_ENVIRONMENT).map(String::as_str) == Some(env_name)
}

/// Whether `stack` holds a tabletop exercise of environment `env_name`. Exercise stacks
/// are not `irready:managed` (no plan places or deletes them); `tabletop down` and
/// `destroy` remove them.
pub fn is_exercise_of(stack: &DeployedStack, env_name: &str) -> bool {
    stack.tags.contains_key(TAG_EXERCISE)
        && stack.tags.get(TAG_ENVIRONMENT).map(String::as_str) == Some(env_name)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::render::{placements, Component};

    fn resolved(yaml: &str) -> (Environment, Scope) {
        let env = crate::config::parse(Path::new("env.yaml"), yaml).expect("valid file");
        let scope = scope::resolve(&env, scope::tests::org(), None).expect("resolves");
        (env, scope)
    }

    const EUROPE: &str = "name: t\nhome_region: eu-west-1\nregions: [eu-west-1]\n\
                          organization:\n  targets:\n    accounts: [prod-app]\n";

    #[test]
    fn breakglass_alerts_go_to_every_region_and_us_east_1_and_it_is_read() {
        let (env, scope) = resolved(&format!(
            "{EUROPE}access:\n  security_principals: [security]\n  \
             isolation_security_group: false\n"
        ));
        let placed: Vec<String> = placements(&env, &scope)
            .iter()
            .map(|p| format!("{}/{}", p.target, p.component))
            .collect();
        assert_eq!(
            placed,
            [
                "444444444444/eu-west-1/access",
                "444444444444/eu-west-1/breakglass-alerts",
                "444444444444/eu-west-1/instance-runbooks",
                "444444444444/eu-west-1/identity-runbooks",
                "444444444444/us-east-1/breakglass-alerts"
            ]
        );
        let scanned: Vec<String> = scanned_targets(&env, &scope)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            scanned,
            ["444444444444/eu-west-1", "444444444444/us-east-1"]
        );
    }

    #[test]
    fn refresh_false_reads_only_what_no_stack_recorded() {
        let existing = ExistingNeeds {
            trails: true,
            detector: true,
            recorder: true,
            flow_logs: true,
            query_logs: true,
        };
        let all = Needs {
            s3_prefix_list: true,
            zones: true,
            vpcs: true,
            config_role: true,
            images: true,
            existing,
            breakglass: true,
            policies: true,
            workloads: true,
            documents: true,
        };
        // A new account: nothing recorded, every fact still read; live state never.
        assert_eq!(
            all.trusting(&Recorded::default()),
            Needs {
                breakglass: false,
                policies: false,
                workloads: false,
                documents: false,
                ..all
            }
        );
        let recorded = Recorded {
            vpcs: Some(vec!["vpc-1".into()]),
            s3_prefix_list: Some("pl-1".into()),
            baseline: true,
            baseline_covered: Some(Covered::default()),
            trail: Some(None),
        };
        assert_eq!(
            all.trusting(&recorded),
            Needs {
                images: true,
                zones: true,
                ..Needs::default()
            }
        );
        // A baseline from before coverage was recorded: what exists is read again.
        let older = Recorded {
            baseline_covered: None,
            ..recorded
        };
        assert_eq!(
            all.trusting(&older).existing,
            ExistingNeeds {
                trails: false,
                ..existing
            }
        );
    }

    #[test]
    fn recorded_facts_are_read_from_the_outputs_of_the_stacks() {
        let stack = |name: &str, outputs: &[(&str, &str)]| DeployedStack {
            name: name.to_owned(),
            id: format!("arn:{name}"),
            status: crate::aws::cfn::StackStatus::CreateComplete,
            status_reason: None,
            tags: BTreeMap::new(),
            created: chrono::DateTime::default(),
            last_updated: None,
            outputs: outputs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        };
        let trail = "arn:aws:cloudtrail:us-east-1:111111111111:trail/org";
        let stacks: BTreeMap<String, DeployedStack> = [
            stack(
                "irready-t-regional-baseline",
                &[
                    ("IrreadyInputVpcs", "vpc-1 vpc-2"),
                    ("IrreadyInputCovered", "detector flow-log:vpc-2"),
                ],
            ),
            stack(
                "irready-t-forensic-vpc",
                &[("IrreadyInputS3PrefixList", "pl-63a5400a")],
            ),
            stack(
                "irready-t-org-logging",
                &[("IrreadyInputTrail", &format!("{trail} /aws/trail"))],
            ),
        ]
        .into_iter()
        .map(|s| (s.name.clone(), s))
        .collect();
        let recorded = Recorded::from_stacks("t", &stacks);
        assert_eq!(
            recorded,
            Recorded {
                vpcs: Some(vec!["vpc-1".into(), "vpc-2".into()]),
                s3_prefix_list: Some("pl-63a5400a".into()),
                baseline: true,
                baseline_covered: Some(Covered {
                    detector: true,
                    flow_logs: BTreeSet::from(["vpc-2".to_owned()]),
                    ..Covered::default()
                }),
                trail: Some(Some(CoveringTrail {
                    arn: trail.into(),
                    log_group: Some("/aws/trail".into()),
                    missing_data_events: Vec::new(),
                })),
            }
        );
        let none = stack(
            "irready-t-regional-baseline",
            &[
                ("IrreadyInputVpcs", "none"),
                ("IrreadyInputCovered", "none"),
            ],
        );
        let stacks = BTreeMap::from([(none.name.clone(), none)]);
        let recorded = Recorded::from_stacks("t", &stacks);
        assert_eq!(recorded.vpcs, Some(Vec::new()));
        assert_eq!(recorded.baseline_covered, Some(Covered::default()));
        assert_eq!(
            recorded.trail, None,
            "no org logging stack, nothing recorded"
        );
    }

    #[test]
    fn us_east_1_is_read_without_access_so_that_old_alerts_are_deleted() {
        let (env, scope) = resolved(EUROPE);
        assert!(placements(&env, &scope)
            .iter()
            .all(|p| p.component != Component::BreakglassAlerts));
        assert!(scanned_targets(&env, &scope).contains(&Target::new(
            "444444444444".parse().unwrap(),
            Region::us_east_1()
        )));
    }
}
