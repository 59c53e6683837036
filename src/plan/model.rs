//! The plan as data: serializable, versioned, diffable. Built by `plan::build`, read by
//! `apply` and `report`; neither changes it.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::addr::{AccountId, StackAddr, Target};
use crate::render::Component;

/// Version of the JSON form. Bumped on any change a reader could notice.
pub const FORMAT_VERSION: u32 = 1;

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
    /// The analysis images in each analysis region, sorted by target and name.
    #[serde(default)]
    pub images: Vec<super::ImagePlan>,
    /// Targets that could not be read or planned; their stacks are absent from `stacks`.
    pub errors: Vec<TargetError>,
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
        status: String,
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
}

/// A value known only after apply, such as the ARN of a key another stack creates.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DeferredValue {
    /// The text standing for the value in the planned template; also what the plan shows.
    pub placeholder: String,
    pub source: ValueSource,
}

/// Where a deferred value comes from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ValueSource {
    /// An output of another stack, applied before this one.
    StackOutput { stack: StackAddr, output: String },
    /// The id of an analysis image that apply copies into the target's region.
    CopiedImage { target: Target, image: String },
}

impl DeferredValue {
    pub fn new(source: ValueSource) -> Self {
        let placeholder = match &source {
            ValueSource::StackOutput { stack, output } => {
                format!("(known after apply: output {output} of {stack})")
            }
            ValueSource::CopiedImage { target, image } => {
                format!("(known after apply: image {image} copied to {target})")
            }
        };
        Self {
            placeholder,
            source,
        }
    }
}

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
}

impl Plan {
    pub fn summary(&self) -> Summary {
        let mut s = Summary {
            stacks_total: self.stacks.len(),
            images_to_copy: self.images.iter().filter(|i| i.is_change()).count(),
            ..Summary::default()
        };
        for stack in &self.stacks {
            if stack.action.is_change() {
                s.stacks_changed += 1;
            }
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
            || self.stacks.iter().any(|s| s.action.is_change())
            || self.images.iter().any(|i| i.is_change())
    }

    /// The account's display form: `name (id)` when the name is known.
    pub fn account_label(&self, account: &AccountId) -> String {
        match self.account_names.get(account) {
            Some(name) if name != account.as_str() => format!("{name} ({account})"),
            _ => account.to_string(),
        }
    }
}
