//! The components of readiness, and where the environment places each: one stack per
//! placement. Pure.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::addr::{Region, StackAddr, Target};
use crate::config::{Environment, WorkloadLoggingSpec};

use super::scope::Scope;

/// The parts of readiness irready deploys, one stack per placement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Component {
    /// Breakglass, investigator and responder roles and the deny-all policy: every target
    /// account, home region.
    Access,
    /// Query tables over the log archive, an Athena workgroup, its results bucket and
    /// key, the hunting queries: forensic account, home region (beside the archive).
    Analysis,
    /// EventBridge rules on the breakglass role being assumed or used to sign in, and
    /// their topic: every target account, every region of the environment and us-east-1
    /// (where sign-in and global STS events are delivered).
    BreakglassAlerts,
    /// The isolated analysis network: forensic account, each analysis region.
    ForensicVpc,
    /// Evidence and log archive buckets, their keys, the alerts topic: forensic account,
    /// home region.
    ForensicCore,
    /// The organization trail (or an account trail) and its log group: management
    /// account, home region.
    OrgLogging,
    /// CIS metric filters and alarms on the trail's log group, and an alarm on the use of
    /// the breakglass role: management account, home region.
    Alarms,
    /// GuardDuty, AWS Config, flow logs and DNS query logs on every VPC, an isolation
    /// security group in every VPC: every target account, every region.
    RegionalBaseline,
    /// The destinations of the logs of the workloads that already run (S3 server access
    /// logs, load balancer access logs): every account × region of `workload_logging`.
    WorkloadLogging,
    /// The containment runbooks for instances (isolate, release, acquire volumes): every
    /// target account, every region.
    InstanceRunbooks,
    /// The containment runbooks for identities (disable an access key, contain a user or
    /// role): every target account, every region.
    IdentityRunbooks,
    /// A customer managed key per region that evidence copies of EBS snapshots are made
    /// under: forensic account, every region of the environment.
    EvidenceKeys,
}

impl Component {
    pub const ALL: [Component; 12] = [
        Component::Access,
        Component::Analysis,
        Component::Alarms,
        Component::BreakglassAlerts,
        Component::EvidenceKeys,
        Component::ForensicCore,
        Component::ForensicVpc,
        Component::IdentityRunbooks,
        Component::InstanceRunbooks,
        Component::OrgLogging,
        Component::RegionalBaseline,
        Component::WorkloadLogging,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Access => "access",
            Self::Analysis => "analysis",
            Self::BreakglassAlerts => "breakglass-alerts",
            Self::ForensicVpc => "forensic-vpc",
            Self::ForensicCore => "forensic-core",
            Self::OrgLogging => "org-logging",
            Self::Alarms => "alarms",
            Self::RegionalBaseline => "regional-baseline",
            Self::WorkloadLogging => "workload-logging",
            Self::InstanceRunbooks => "instance-runbooks",
            Self::IdentityRunbooks => "identity-runbooks",
            Self::EvidenceKeys => "evidence-keys",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.name() == name)
    }

    /// The stack name of this component in environment `env`.
    pub fn stack_name(self, env: &str) -> String {
        format!("irready-{env}-{}", self.name())
    }
}

impl fmt::Display for Component {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The components `env` asks for.
pub fn components(env: &Environment) -> Vec<Component> {
    Component::ALL
        .into_iter()
        .filter(|c| match c {
            Component::Access | Component::BreakglassAlerts => env.access.is_some(),
            Component::ForensicCore | Component::ForensicVpc => env.forensic.is_some(),
            Component::Analysis => super::analysis::wanted(env),
            Component::RegionalBaseline => baseline_wanted(env),
            Component::OrgLogging => trail_wanted(env),
            Component::Alarms => alarms_wanted(env),
            Component::WorkloadLogging => env.workload_logging.is_some(),
            Component::InstanceRunbooks | Component::IdentityRunbooks => env.access.is_some(),
            Component::EvidenceKeys => evidence_keys_wanted(env),
        })
        .collect()
}

fn trail_wanted(env: &Environment) -> bool {
    env.forensic.is_some() && env.logging.as_ref().is_some_and(|l| l.cloudtrail.is_some())
}

fn alarms_wanted(env: &Environment) -> bool {
    trail_wanted(env) && env.logging.as_ref().is_some_and(|l| l.cis_alarms)
}

/// The evidence keys serve the runbooks (access) and belong to the forensic account.
fn evidence_keys_wanted(env: &Environment) -> bool {
    env.access.is_some() && env.forensic.is_some()
}

fn baseline_wanted(env: &Environment) -> bool {
    env.logging.is_some()
        || env
            .access
            .as_ref()
            .is_some_and(|a| a.isolation_security_group)
}

/// One stack irready wants: which component, where, and the stacks that must be applied
/// before it (deleted after it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    pub component: Component,
    pub target: Target,
    pub depends_on: Vec<StackAddr>,
}

/// Where each component goes, sorted by target then component.
pub fn placements(env: &Environment, scope: &Scope) -> Vec<Placement> {
    let mut out = Vec::new();
    let place = |component, target| Placement {
        component,
        target,
        depends_on: Vec::new(),
    };
    if env.access.is_some() {
        for account in &scope.accounts {
            out.push(place(
                Component::Access,
                Target::new(account.clone(), env.home_region.clone()),
            ));
            // Console sign-in and the global STS endpoint's events reach EventBridge in
            // us-east-1, whatever region the environment calls home; AssumeRole through a
            // regional STS endpoint (what SDKs call) reaches it in the caller's region.
            for region in alert_regions(scope) {
                out.push(place(
                    Component::BreakglassAlerts,
                    Target::new(account.clone(), region),
                ));
            }
            // Automations run in the region of the instance they contain: the documents
            // are regional resources.
            for region in &scope.regions {
                for component in [Component::InstanceRunbooks, Component::IdentityRunbooks] {
                    out.push(place(
                        component,
                        Target::new(account.clone(), region.clone()),
                    ));
                }
            }
        }
    }
    let forensic_home = scope
        .forensic_account
        .as_ref()
        .map(|account| Target::new(account.clone(), env.home_region.clone()));
    if let (Some(forensic), Some(home)) = (&env.forensic, &forensic_home) {
        out.push(place(Component::ForensicCore, home.clone()));
        for region in &forensic.analysis_regions {
            out.push(place(
                Component::ForensicVpc,
                Target::new(home.account.clone(), region.clone()),
            ));
        }
        // KMS keys are regional: acquisition copies a snapshot under a key of its region.
        if evidence_keys_wanted(env) {
            for region in &scope.regions {
                out.push(place(
                    Component::EvidenceKeys,
                    Target::new(home.account.clone(), region.clone()),
                ));
            }
        }
    }
    if let (true, Some(home)) = (super::analysis::wanted(env), &forensic_home) {
        // The tables read the archive the core holds; the investigator role they grant
        // querying to is the access stack's.
        let mut depends_on = vec![StackAddr::new(
            home,
            Component::ForensicCore.stack_name(&env.name),
        )];
        if env.access.is_some() && scope.accounts.contains(&home.account) {
            depends_on.push(StackAddr::new(
                home,
                Component::Access.stack_name(&env.name),
            ));
        }
        out.push(Placement {
            component: Component::Analysis,
            target: home.clone(),
            depends_on,
        });
    }
    if let (true, Some(home)) = (trail_wanted(env), &forensic_home) {
        let management = Target::new(
            scope.organization.management_account.clone(),
            env.home_region.clone(),
        );
        let trail = StackAddr::new(&management, Component::OrgLogging.stack_name(&env.name));
        out.push(Placement {
            component: Component::OrgLogging,
            target: management.clone(),
            depends_on: vec![StackAddr::new(
                home,
                Component::ForensicCore.stack_name(&env.name),
            )],
        });
        // The metric filters need the trail's log group.
        if alarms_wanted(env) {
            out.push(Placement {
                component: Component::Alarms,
                target: management,
                depends_on: vec![trail],
            });
        }
    }
    if baseline_wanted(env) {
        let core = forensic_home
            .as_ref()
            .filter(|_| env.logging.is_some())
            .map(|home| StackAddr::new(home, Component::ForensicCore.stack_name(&env.name)));
        let records = env.logging.as_ref().is_some_and(|l| l.config.is_some());
        for account in &scope.accounts {
            let home = Target::new(account.clone(), env.home_region.clone());
            for region in &scope.regions {
                let target = Target::new(account.clone(), region.clone());
                let mut depends_on: Vec<StackAddr> = core.iter().cloned().collect();
                // Config's service-linked role is account-wide, made in the home region.
                if records && *region != env.home_region {
                    depends_on.push(StackAddr::new(
                        &home,
                        Component::RegionalBaseline.stack_name(&env.name),
                    ));
                }
                out.push(Placement {
                    component: Component::RegionalBaseline,
                    target,
                    depends_on,
                });
            }
        }
    }
    let destinations = env
        .workload_logging
        .as_ref()
        .filter(|spec| spec.kinds.iter().any(|k| k.has_destination()));
    if let Some(spec) = destinations {
        // Only where the stack holds something: a template without resources is refused.
        for target in workload_targets(spec, scope) {
            if spec
                .kinds
                .iter()
                .any(|k| k.has_destination_in(&target.region, &env.home_region))
            {
                out.push(place(Component::WorkloadLogging, target));
            }
        }
    }
    out.sort_by(|a, b| (&a.target, a.component).cmp(&(&b.target, b.component)));
    out
}

/// Where the breakglass alerts go: every region of the environment, and us-east-1.
fn alert_regions(scope: &Scope) -> BTreeSet<Region> {
    scope
        .regions
        .iter()
        .cloned()
        .chain([Region::us_east_1()])
        .collect()
}

/// The targets whose workloads are read: the workload accounts in the section's regions
/// (or all the environment's).
pub fn workload_targets(spec: &WorkloadLoggingSpec, scope: &Scope) -> Vec<Target> {
    let regions = if spec.regions.is_empty() {
        &scope.regions
    } else {
        &spec.regions
    };
    let mut out: Vec<Target> = scope
        .workload_accounts
        .iter()
        .flat_map(|a| regions.iter().map(|r| Target::new(a.clone(), r.clone())))
        .collect();
    out.sort();
    out.dedup();
    out
}
