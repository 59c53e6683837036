//! The plan as data: serializable, versioned, diffable. Built by `plan::build`, read by
//! `apply` and `report`; neither changes it.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::addr::{AccountId, StackAddr, Target};
use crate::render::Component;

/// Version of the JSON form. Bumped on any change a reader could notice: `apply` refuses
/// a saved plan of another version rather than guess what its fields meant.
pub const FORMAT_VERSION: u32 = 6;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub format_version: u32,
    pub irready_version: String,
    pub environment: PlanEnvironment,
    pub created_at: DateTime<Utc>,
    /// Account names by id. For display only: apply never reads it.
    pub account_names: BTreeMap<AccountId, String>,
    /// How much of the organization the plan looked at.
    pub scanned: Scanned,
    /// One entry per stack irready wants or manages, sorted by address.
    pub stacks: Vec<StackPlan>,
    /// The forensic account apply creates first. While it is planned, no stack is: they
    /// need its id, and apply plans them once the account exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_account: Option<crate::discover::scope::PendingAccount>,
    /// Services whose trusted access in the organization apply enables, from the
    /// management account, before any stack: the stacks that use them fail without it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trusted_access: Vec<super::trusted_access::TrustedAccess>,
    /// Resources of irready's stacks changed outside irready, with their repair.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub drift: Vec<super::drift::Drift>,
    /// The analysis images in each analysis region, sorted by target and name.
    #[serde(default)]
    pub images: Vec<super::ImagePlan>,
    /// Changes that lose data or widen access, sorted by address: shown first, and the
    /// data losses refused by apply unless allowed.
    #[serde(default)]
    pub hazards: Vec<Hazard>,
    /// Targets that could not be read or planned; their stacks are absent from `stacks`.
    pub errors: Vec<TargetError>,
    /// Resources made outside irready that the environment's controls count, and what
    /// the plan does about each; sorted by target, control, VPC and resource. Absent
    /// from plans written before irready read them.
    #[serde(default)]
    pub existing: Vec<ExistingFinding>,
    /// The logging of the workloads that already run: the settings apply changes through
    /// the service APIs, and the resources left alone.
    #[serde(
        default,
        skip_serializing_if = "super::workloads::WorkloadPlan::is_empty"
    )]
    pub workloads: super::workloads::WorkloadPlan,
}

pub use crate::model::controls::ControlId;

/// One existing resource weighed against the settings of a control.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExistingFinding {
    pub target: Target,
    pub control: ControlId,
    /// The existing resource: trail ARN, detector id, recorder name, flow log id or
    /// query log config association id.
    pub resource_id: String,
    /// The VPC concerned, for flow logs and DNS query logs.
    #[serde(default)]
    pub vpc: Option<String>,
    pub verdict: Verdict,
}

/// How an existing resource measures up, and what irready does about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Verdict {
    /// It meets the settings: irready leaves its own resource out of the template.
    Satisfied {
        /// What else follows from it (where the alarms go), for display.
        #[serde(default)]
        note: Option<String>,
    },
    /// It does not meet them; `remedy` says what irready does (adds its own beside it,
    /// or leaves an adopted one as it is).
    FallsShort { gaps: Vec<String>, remedy: String },
    /// It does not meet them and irready cannot add its own beside it (one detector or
    /// recorder per account and region): nothing is planned for the control here until
    /// someone follows `instruction`.
    Conflict {
        gaps: Vec<String>,
        instruction: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanEnvironment {
    pub name: String,
    pub file: String,
    pub file_sha256: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scanned {
    pub accounts: usize,
    pub regions: usize,
    pub targets: usize,
    /// `plan --refresh=false`: the facts irready's stacks recorded were trusted, and
    /// neither drift nor resources made outside irready were read.
    #[serde(default)]
    pub trusted: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetError {
    pub target: Target,
    /// The stack concerned, when the error is about one stack rather than the target.
    pub stack: Option<String>,
    pub message: String,
}

/// What apply does to a stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StackAction {
    /// The deployed stack matches the rendered template.
    NoOp,
    /// No stack exists: `resources` are all additions.
    Create,
    /// The stack exists and its template differs: `resources` lists what changes.
    Update,
    /// irready manages the stack but no longer wants it: `resources` are all removals.
    Delete,
    /// The stack is in a state that cannot be updated (a failed create): it is deleted
    /// and created again. `resources` are the additions of the new stack.
    Recreate,
}

impl StackAction {
    pub fn is_change(self) -> bool {
        match self {
            Self::NoOp => false,
            Self::Create | Self::Update | Self::Delete | Self::Recreate => true,
        }
    }
}

/// What the plan saw of a stack, re-read before applying a saved plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Fingerprint {
    Absent,
    Present {
        stack_id: String,
        status: crate::aws::cfn::StackStatus,
        last_updated: Option<DateTime<Utc>>,
        /// The fingerprint recorded in the stack's outputs, if any.
        template_sha256: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StackPlan {
    pub addr: StackAddr,
    pub component: Component,
    pub action: StackAction,
    /// Why the action was chosen, when it is not obvious (a failed stack, a removal).
    pub reason: Option<String>,
    pub before: Fingerprint,
    /// The template to deploy; `None` for a deletion.
    pub template: Option<PlannedTemplate>,
    pub tags: BTreeMap<String, String>,
    /// Stacks that must be applied before this one, and deleted after it.
    #[serde(default)]
    pub depends_on: Vec<StackAddr>,
    /// Resource changes, sorted by logical id. Empty for `NoOp`.
    pub resources: Vec<ResourceChange>,
    /// Values the template needs that exist only once an earlier step of the apply has
    /// run. The template holds each one's placeholder; apply substitutes them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deferred: Vec<DeferredValue>,
    /// Resources of a stack being created that exist already, kept by an earlier
    /// stack's `DeletionPolicy: Retain` (a destroy): apply takes them into the stack
    /// (CloudFormation resource import) instead of creating them, so that the evidence
    /// they hold stays under management. Sorted by logical id; absent from `resources`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub imports: Vec<ResourceImport>,
}

pub use crate::model::deferred::{DeferredValue, ResourceImport, ValueSource};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedTemplate {
    pub sha256: String,
    pub body: String,
}

/// What happens to one resource of a stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceAction {
    Add,
    Modify,
    Remove,
    /// A property that cannot change in place changed: delete and create, or for
    /// resources with `UpdateReplacePolicy: Retain`, create a new one and keep the old.
    Replace,
}

impl ResourceAction {
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Add => "+",
            Self::Modify => "~",
            Self::Remove => "-",
            Self::Replace => "-/+",
        }
    }

    /// Whether the resource as it exists stops existing (or stops being managed).
    pub fn is_destructive(self) -> bool {
        match self {
            Self::Remove | Self::Replace => true,
            Self::Add | Self::Modify => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceChange {
    pub logical_id: String,
    pub resource_type: String,
    pub action: ResourceAction,
    /// Property-level differences; empty for whole-resource additions and removals.
    pub properties: Vec<PropertyChange>,
    /// Buckets, log groups, keys, trails: resources whose loss loses evidence.
    pub data_bearing: bool,
}

/// One top-level property (or resource attribute such as `DeletionPolicy`) that differs.
/// `before` is absent for a property being set, `after` for one being removed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PropertyChange {
    pub path: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub forces_replacement: bool,
}

/// A resource change a reviewer must not miss.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Hazard {
    pub addr: StackAddr,
    pub logical_id: String,
    pub resource_type: String,
    pub kind: HazardKind,
}

/// What makes a change hazardous.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "hazard", rename_all = "snake_case")]
pub enum HazardKind {
    /// A data-bearing resource (bucket, log group, key, trail) is removed or replaced.
    /// `retained`: its `DeletionPolicy` (for a removal) or `UpdateReplacePolicy` (for a
    /// replacement) is `Retain`, so the old resource and its data stay, outside the stack
    /// and unmanaged; otherwise they are deleted.
    DataLoss {
        action: ResourceAction,
        retained: bool,
    },
    /// A role's trust policy lets principals assume it that could not before.
    NewTrustedPrincipals { principals: Vec<String> },
    /// A security group lets in traffic no rule let in before.
    WiderIngress { rules: Vec<String> },
}

impl HazardKind {
    /// Whether the change loses data (as opposed to widening access).
    pub fn is_data_loss(&self) -> bool {
        match self {
            Self::DataLoss { .. } => true,
            Self::NewTrustedPrincipals { .. } | Self::WiderIngress { .. } => false,
        }
    }
}

/// Totals over a plan.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub add: usize,
    pub change: usize,
    pub destroy: usize,
    pub replace: usize,
    pub stacks_changed: usize,
    pub stacks_total: usize,
    pub images_to_copy: usize,
    pub repairs: usize,
    /// Existing resources taken into new stacks.
    pub import: usize,
}

impl Plan {
    pub fn summary(&self) -> Summary {
        let mut s = Summary {
            stacks_total: self.stacks.len(),
            images_to_copy: self.images.iter().filter(|i| i.is_change()).count(),
            repairs: self
                .drift
                .iter()
                .filter(|d| d.repair.is_automatic())
                .count(),
            ..Summary::default()
        };
        for stack in &self.stacks {
            if stack.action.is_change() {
                s.stacks_changed += 1;
            }
            s.import += stack.imports.len();
            for r in &stack.resources {
                match r.action {
                    ResourceAction::Add => s.add += 1,
                    ResourceAction::Modify => s.change += 1,
                    ResourceAction::Remove => s.destroy += 1,
                    ResourceAction::Replace => {
                        s.replace += 1;
                        s.add += 1;
                        s.destroy += 1;
                    }
                }
            }
        }
        s
    }

    /// Whether some targets could not be read or planned while others were: the plan is
    /// complete for every target not named in `errors`.
    pub fn is_partial(&self) -> bool {
        let failed: std::collections::BTreeSet<&Target> =
            self.errors.iter().map(|e| &e.target).collect();
        !failed.is_empty() && failed.len() < self.scanned.targets
    }

    pub fn has_changes(&self) -> bool {
        self.create_account.is_some()
            || !self.trusted_access.is_empty()
            || !self.drift.is_empty()
            || self.stacks.iter().any(|s| s.action.is_change())
            || self.images.iter().any(|i| i.is_change())
            || !self.workloads.configure.is_empty()
    }

    pub fn has_data_loss(&self) -> bool {
        self.hazards.iter().any(|h| h.kind.is_data_loss())
    }

    pub fn widens_access(&self) -> bool {
        self.hazards.iter().any(|h| !h.kind.is_data_loss())
    }

    /// The account's display form: `name (id)` when the name is known.
    pub fn account_label(&self, account: &AccountId) -> String {
        match self.account_names.get(account) {
            Some(name) if name != account.as_str() => format!("{name} ({account})"),
            _ => account.to_string(),
        }
    }
}

#[cfg(test)]
impl Plan {
    /// A plan of `stacks` and nothing else, in a one-target environment `t`.
    pub(crate) fn of_stacks(stacks: Vec<StackPlan>) -> Self {
        Self {
            format_version: FORMAT_VERSION,
            irready_version: "test".into(),
            environment: PlanEnvironment {
                name: "t".into(),
                file: "t.yaml".into(),
                file_sha256: String::new(),
            },
            created_at: DateTime::default(),
            account_names: BTreeMap::new(),
            scanned: Scanned {
                accounts: 1,
                regions: 1,
                targets: 1,
                trusted: false,
            },
            stacks,
            create_account: None,
            trusted_access: Vec::new(),
            images: Vec::new(),
            drift: Vec::new(),
            existing: Vec::new(),
            hazards: Vec::new(),
            errors: Vec::new(),
            workloads: Default::default(),
        }
    }
}
