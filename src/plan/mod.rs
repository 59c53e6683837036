//! Computes a [`Plan`] from rendered templates and the observed stacks. Pure: no I/O,
//! no AWS. The deployed templates it needs are fetched beforehand, only for the stacks
//! [`templates_needed`] names.

pub mod adopt;
mod create_only;
pub mod diff;
pub mod drift;
pub mod existing;
pub mod file;
pub mod hazards;
pub mod images;
pub mod model;
pub mod policy;
pub mod trusted_access;
pub mod workloads;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::addr::{StackAddr, Target};
use crate::aws::cfn::DeployedStack;
use crate::config::Environment;
use crate::discover::TAG_COMPONENT;
use crate::render::{Component, RenderedStack, FINGERPRINT_OUTPUT_KEY};
pub use images::{ImageAction, ImagePlan};
pub use model::*;

/// Everything the planner reads.
pub struct PlanInput<'a> {
    pub env: &'a Environment,
    pub account_names: BTreeMap<crate::addr::AccountId, String>,
    pub scanned: Scanned,
    /// irready's stacks in every target that was read.
    pub deployed: BTreeMap<Target, BTreeMap<String, DeployedStack>>,
    pub rendered: Vec<RenderedStack>,
    /// Parsed deployed templates, for the stacks `templates_needed` asked for.
    pub deployed_templates: BTreeMap<StackAddr, Value>,
    /// Where the analysis images are, and where apply copies them.
    pub images: Vec<ImagePlan>,
    /// Resources of irready's stacks changed outside irready.
    pub drift: Vec<drift::Drift>,
    /// The forensic account to create first, if the environment asks for one.
    pub create_account: Option<crate::discover::scope::PendingAccount>,
    /// Services whose trusted access in the organization apply enables first.
    pub trusted_access: Vec<trusted_access::TrustedAccess>,
    /// Targets that could not be read or rendered.
    pub errors: Vec<TargetError>,
    /// Existing resources weighed against the controls (`existing::evaluate`).
    pub existing: Vec<ExistingFinding>,
    /// Resources that exist under the names stacks about to be created give retained
    /// resources (`adopt::candidates`, probed by discovery): those stacks import them.
    pub adoptable: BTreeMap<StackAddr, Vec<ResourceImport>>,
    pub now: DateTime<Utc>,
}

/// How a deployed stack's status shapes the plan.
enum Health {
    /// Can be updated in place.
    Ready,
    /// A create that never finished or failed: delete and create again.
    Recreate(&'static str),
    /// Only a change set exists (a create that was never executed): create it.
    NeverCreated,
    /// An operation is running or the stack needs a hand: plan nothing for it.
    Blocked(String),
}

fn health(stack: &DeployedStack) -> Health {
    use crate::aws::cfn::StackStatus as S;
    match &stack.status {
        S::CreateComplete
        | S::UpdateComplete
        | S::UpdateRollbackComplete
        | S::ImportComplete
        | S::ImportRollbackComplete
        | S::UpdateFailed => Health::Ready,
        S::RollbackComplete | S::RollbackFailed | S::CreateFailed => {
            Health::Recreate("the stack's creation failed")
        }
        S::DeleteFailed => Health::Recreate("the stack's deletion failed"),
        S::ReviewInProgress => Health::NeverCreated,
        S::UpdateRollbackFailed => Health::Blocked(
            "the stack is UPDATE_ROLLBACK_FAILED: continue the rollback (aws cloudformation \
             continue-update-rollback) and plan again"
                .to_owned(),
        ),
        other => Health::Blocked(format!(
            "the stack is {other}: an operation is running; plan again when it ends"
        )),
    }
}

/// Whether the plan creates the stack anew: it does not exist, or only a failed or
/// never-executed creation does. Only such a stack imports retained resources.
pub fn created_anew(stack: Option<&DeployedStack>) -> bool {
    match stack.map(health) {
        None | Some(Health::Recreate(_) | Health::NeverCreated) => true,
        Some(Health::Ready | Health::Blocked(_)) => false,
    }
}

/// The fingerprint a deployed stack carries in its outputs.
pub fn deployed_fingerprint(stack: &DeployedStack) -> Option<&str> {
    stack
        .outputs
        .get(FINGERPRINT_OUTPUT_KEY)
        .map(String::as_str)
}

/// What a saved plan records of a stack, and compares again before it is applied.
pub fn fingerprint_of(stack: Option<&DeployedStack>) -> Fingerprint {
    match stack {
        None => Fingerprint::Absent,
        Some(s) => Fingerprint::Present {
            stack_id: s.id.clone(),
            status: s.status.clone(),
            last_updated: s.last_updated,
            template_sha256: deployed_fingerprint(s).map(str::to_owned),
        },
    }
}

/// The stacks whose deployed template the planner must read: those whose fingerprint
/// differs from the rendered one (or is unknown), and those about to be deleted. An
/// unchanged stack costs no download.
pub fn templates_needed(
    deployed: &BTreeMap<Target, BTreeMap<String, DeployedStack>>,
    rendered: &[RenderedStack],
) -> Vec<StackAddr> {
    let wanted: BTreeMap<&StackAddr, &RenderedStack> =
        rendered.iter().map(|r| (&r.addr, r)).collect();
    let mut needed = Vec::new();
    for (target, stacks) in deployed {
        for stack in stacks.values() {
            if !matches!(health(stack), Health::Ready) {
                continue;
            }
            let addr = StackAddr::new(target, stack.name.clone());
            let unchanged = wanted
                .get(&addr)
                .is_some_and(|r| deployed_fingerprint(stack) == Some(r.sha256.as_str()));
            if !unchanged {
                needed.push(addr);
            }
        }
    }
    needed
}

/// Builds the plan.
pub fn build(input: PlanInput<'_>) -> Plan {
    let mut stacks = Vec::new();
    let mut errors = input.errors;
    let mut seen: BTreeSet<StackAddr> = BTreeSet::new();
    let mut found = Vec::new();

    for rendered in &input.rendered {
        seen.insert(rendered.addr.clone());
        let deployed = input
            .deployed
            .get(&rendered.addr.target())
            .and_then(|s| s.get(&rendered.addr.stack));
        let after = diff::parse_template(&rendered.body).ok();
        let template = Some(PlannedTemplate {
            sha256: rendered.sha256.clone(),
            body: rendered.body.clone(),
        });
        let imports = input
            .adoptable
            .get(&rendered.addr)
            .cloned()
            .unwrap_or_default();
        // Imported resources are taken over, not added.
        let created = |resources: Vec<ResourceChange>| -> Vec<ResourceChange> {
            resources
                .into_iter()
                .filter(|r| !imports.iter().any(|i| i.logical_id == r.logical_id))
                .collect()
        };
        let base = |action, reason: Option<String>, resources| StackPlan {
            addr: rendered.addr.clone(),
            component: rendered.component,
            action,
            reason,
            before: fingerprint_of(deployed),
            template: template.clone(),
            tags: rendered.tags.clone(),
            depends_on: rendered.depends_on.clone(),
            resources,
            deferred: rendered.deferred.clone(),
            imports: match action {
                StackAction::Create | StackAction::Recreate => imports.clone(),
                StackAction::NoOp | StackAction::Update | StackAction::Delete => Vec::new(),
            },
        };
        let plan = match deployed {
            None => base(
                StackAction::Create,
                None,
                created(diff::diff_templates(None, after.as_ref())),
            ),
            Some(stack) => match health(stack) {
                Health::Blocked(message) => {
                    errors.push(TargetError {
                        target: rendered.addr.target(),
                        stack: Some(rendered.addr.stack.clone()),
                        message,
                    });
                    continue;
                }
                Health::NeverCreated => base(
                    StackAction::Create,
                    Some("the stack was never created (only a change set exists)".to_owned()),
                    created(diff::diff_templates(None, after.as_ref())),
                ),
                Health::Recreate(why) => base(
                    StackAction::Recreate,
                    Some(format!("{why} ({})", stack.status)),
                    created(diff::diff_templates(None, after.as_ref())),
                ),
                Health::Ready => {
                    if deployed_fingerprint(stack) == Some(rendered.sha256.as_str()) {
                        base(StackAction::NoOp, None, Vec::new())
                    } else {
                        let before = input.deployed_templates.get(&rendered.addr);
                        let resources = diff::diff_templates(before, after.as_ref());
                        found.extend(hazards::find(
                            &rendered.addr,
                            StackAction::Update,
                            before,
                            after.as_ref(),
                            &resources,
                        ));
                        base(StackAction::Update, None, resources)
                    }
                }
            },
        };
        stacks.push(plan);
    }

    // Stacks of this environment that nothing renders any more. While the forensic
    // account is still to be created nothing is rendered, and nothing is deleted either.
    let pending = input.create_account.is_some();
    for (target, deployed) in input.deployed.iter().filter(|_| !pending) {
        for stack in deployed.values() {
            let addr = StackAddr::new(target, stack.name.clone());
            if seen.contains(&addr) {
                continue;
            }
            let Some(component) = stack
                .tags
                .get(TAG_COMPONENT)
                .and_then(|c| Component::from_name(c))
            else {
                errors.push(TargetError {
                    target: target.clone(),
                    stack: Some(stack.name.clone()),
                    message: "the stack is tagged as irready's but names no known component; \
                              it is left alone"
                        .to_owned(),
                });
                continue;
            };
            if let Health::Blocked(message) = health(stack) {
                errors.push(TargetError {
                    target: target.clone(),
                    stack: Some(stack.name.clone()),
                    message,
                });
                continue;
            }
            let before = input.deployed_templates.get(&addr);
            let resources = diff::diff_templates(before, None);
            found.extend(hazards::find(
                &addr,
                StackAction::Delete,
                before,
                None,
                &resources,
            ));
            stacks.push(StackPlan {
                addr,
                component,
                action: StackAction::Delete,
                reason: Some("the environment no longer places this component here".to_owned()),
                before: fingerprint_of(Some(stack)),
                template: None,
                tags: stack.tags.clone(),
                // Deletions follow the reverse of dependencies the plan cannot see any
                // more; the stacks that remain are not affected by their order.
                depends_on: Vec::new(),
                resources,
                deferred: Vec::new(),
                imports: Vec::new(),
            });
        }
    }

    stacks.sort_by(|a, b| a.addr.cmp(&b.addr));
    errors.sort_by(|a, b| (&a.target, &a.stack).cmp(&(&b.target, &b.stack)));
    found.sort();
    Plan {
        format_version: FORMAT_VERSION,
        irready_version: env!("CARGO_PKG_VERSION").to_owned(),
        environment: PlanEnvironment {
            name: input.env.name.clone(),
            file: input.env.file.display().to_string(),
            file_sha256: input.env.file_sha256.clone(),
        },
        created_at: input.now,
        account_names: input.account_names,
        scanned: input.scanned,
        stacks,
        create_account: input.create_account,
        trusted_access: input.trusted_access,
        images: input.images,
        drift: input.drift,
        hazards: found,
        errors,
        existing: input.existing,
        workloads: workloads::WorkloadPlan::default(),
    }
}
