//! Carries a plan out: one change set per changed stack, checked against the plan before
//! it is executed, stacks in dependency order, independent stacks concurrently.
//!
//! The only module that calls mutating AWS APIs. It acts on what the plan says and never
//! on its display-only fields. A stack's failure stops the stacks that depend on it and
//! nothing else.

pub mod account;
mod approve;
pub mod change_set;
pub mod exercise;
pub mod lock;
pub mod progress;
pub mod workloads;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use futures::stream::{FuturesUnordered, StreamExt};
use serde::Serialize;

use crate::addr::{AccountId, StackAddr, Target};
use crate::aws::cfn::{self, ChangeSetKind};
use crate::aws::ec2;
use crate::aws::wait::{self, Poll};
use crate::aws::{AccountSession, Aws, AwsError};
use crate::discover::{TAG_ENVIRONMENT, TAG_IMAGE, TAG_IMAGE_SOURCE, TAG_MANAGED};
use crate::plan::drift::Repair;
use crate::plan::{
    adopt, ImageAction, Plan, PlannedTemplate, ResourceAction, ResourceChange, ResourceImport,
    StackAction, StackPlan, ValueSource,
};
use crate::render::Component;
pub use approve::{Approved, Gates, Refused};
use change_set::{ChangeSet, Runner};
use progress::Progress;

#[derive(Debug, Clone)]
pub struct ApplyOptions {
    /// How many stacks are worked on at once.
    pub parallelism: usize,
    /// How long one stack operation may take before apply stops waiting for it.
    pub stack_timeout: Duration,
}

/// How one stack's operation ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    Applied {
        changes: usize,
    },
    /// The change set held no change: the stack already matched.
    AlreadyCurrent,
    Failed {
        error: String,
        events: Vec<String>,
    },
    /// Not attempted because a stack it depends on failed.
    Skipped {
        reason: String,
    },
}

impl Outcome {
    pub fn is_failure(&self) -> bool {
        match self {
            Self::Failed { .. } | Self::Skipped { .. } => true,
            Self::Applied { .. } | Self::AlreadyCurrent => false,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct StackResult {
    pub addr: StackAddr,
    pub action: StackAction,
    pub outcome: Outcome,
}

/// How copying one analysis image into one region ended.
#[derive(Debug, Clone, Serialize)]
pub struct ImageResult {
    pub target: Target,
    pub image: String,
    /// The copy's id, once CopyImage answered.
    pub image_id: Option<String>,
    pub outcome: Outcome,
}

/// How repairing one resource changed outside irready ended.
#[derive(Debug, Clone, Serialize)]
pub struct RepairResult {
    pub stack: StackAddr,
    pub logical_id: String,
    pub outcome: Outcome,
}

#[derive(Debug, Default, Serialize)]
pub struct ApplyReport {
    /// Trusted access enabled in the organization, before anything else.
    pub trusted_access: Vec<TrustedAccessResult>,
    pub images: Vec<ImageResult>,
    pub results: Vec<StackResult>,
    pub repairs: Vec<RepairResult>,
    /// The workload settings configured, after the stacks.
    pub configured: Vec<workloads::ConfigureResult>,
}

impl ApplyReport {
    /// Stacks and image copies that failed or were skipped.
    pub fn failed(&self) -> usize {
        self.results
            .iter()
            .map(|r| &r.outcome)
            .chain(self.images.iter().map(|i| &i.outcome))
            .chain(self.repairs.iter().map(|r| &r.outcome))
            .chain(self.configured.iter().map(|c| &c.outcome))
            .chain(self.trusted_access.iter().map(|t| &t.outcome))
            .filter(|o| o.is_failure())
            .count()
    }
}

/// How enabling one service's trusted access ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrustedAccessResult {
    pub service: String,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// Enables the trusted access the plan lists, from the management account. A failure is
/// reported; the stacks that need it then fail with the service's own error.
async fn enable_trusted_access(
    aws: &Aws,
    sessions: &dyn Sessions,
    plan: &Plan,
) -> Vec<TrustedAccessResult> {
    let mut results = Vec::new();
    for access in &plan.trusted_access {
        let outcome = match sessions.session(&access.account) {
            Some(session) => {
                match crate::aws::org::enable_trusted_access(aws, &session, &access.service).await {
                    Ok(()) => Outcome::Applied { changes: 1 },
                    Err(err) => failed(err),
                }
            }
            None => failed(format!(
                "no session in the management account {}",
                access.account
            )),
        };
        results.push(TrustedAccessResult {
            service: access.service.clone(),
            outcome,
        });
    }
    results
}

/// Gives the session that acts in an account.
pub trait Sessions: Sync {
    fn session(&self, account: &AccountId) -> Option<AccountSession>;
}

/// Stacks a changing stack must wait for: the changing stacks it depends on; for a
/// deletion, the deletions of the stacks that depend on it. Stacks that do not change
/// are already in place and wait for nothing.
fn dependencies(plan: &Plan) -> BTreeMap<StackAddr, BTreeSet<StackAddr>> {
    let changing: BTreeMap<&StackAddr, &StackPlan> = plan
        .stacks
        .iter()
        .filter(|s| s.action.is_change())
        .map(|s| (&s.addr, s))
        .collect();
    let mut deps: BTreeMap<StackAddr, BTreeSet<StackAddr>> = changing
        .keys()
        .map(|a| ((*a).clone(), BTreeSet::new()))
        .collect();
    for stack in changing.values() {
        for needed in &stack.depends_on {
            let Some(other) = changing.get(needed) else {
                continue;
            };
            let deleting = stack.action == StackAction::Delete;
            if deleting != (other.action == StackAction::Delete) {
                continue;
            }
            let (waits, first) = if deleting {
                (&other.addr, &stack.addr)
            } else {
                (&stack.addr, &other.addr)
            };
            deps.get_mut(waits).expect("changing").insert(first.clone());
        }
    }
    deps
}

/// Applies every changing stack of `plan`.
pub async fn apply(
    aws: &Aws,
    sessions: &dyn Sessions,
    approved: &Approved,
    options: &ApplyOptions,
    progress: &dyn Progress,
) -> ApplyReport {
    let plan = approved.plan();
    let deps = dependencies(plan);
    let by_addr: BTreeMap<&StackAddr, &StackPlan> =
        plan.stacks.iter().map(|s| (&s.addr, s)).collect();
    let mut pending: BTreeSet<StackAddr> = deps.keys().cloned().collect();
    let mut done: BTreeMap<StackAddr, bool> = BTreeMap::new();
    let mut results = Vec::new();
    // Organization prerequisites before anything: the stacks that need them fail without.
    let trusted_access = enable_trusted_access(aws, sessions, plan).await;
    // Images first: the stacks that launch them need their ids.
    let images = copy_images(aws, sessions, plan, options, progress).await;
    let copied: BTreeMap<(Target, String), String> = images
        .iter()
        .filter(|i| !i.outcome.is_failure())
        .filter_map(|i| Some(((i.target.clone(), i.image.clone()), i.image_id.clone()?)))
        .collect();
    let mut running = FuturesUnordered::new();

    loop {
        // Start what is ready, up to the bound.
        let ready: Vec<StackAddr> = pending
            .iter()
            .filter(|a| deps[*a].iter().all(|d| done.contains_key(d)))
            .cloned()
            .collect();
        for addr in ready {
            if running.len() >= options.parallelism.max(1) {
                break;
            }
            pending.remove(&addr);
            let stack = by_addr[&addr];
            if let Some(failed) = deps[&addr].iter().find(|d| !done[*d]) {
                let reason = format!("{failed} did not apply");
                progress.finish(&addr, false, &format!("skipped: {reason}"));
                done.insert(addr.clone(), false);
                results.push(StackResult {
                    addr,
                    action: stack.action,
                    outcome: Outcome::Skipped { reason },
                });
                continue;
            }
            let session = sessions.session(&addr.account);
            let copied = &copied;
            running.push(async move {
                let outcome = match session {
                    Some(session) => {
                        let context = StackContext {
                            runner: Runner {
                                aws,
                                session: &session,
                                options,
                                progress,
                            },
                            aws,
                            sessions,
                            copied,
                            progress,
                        };
                        apply_stack(&context, stack).await
                    }
                    None => Outcome::Failed {
                        error: format!("no session for account {}", addr.account),
                        events: Vec::new(),
                    },
                };
                (addr, stack.action, outcome)
            });
        }
        let Some((addr, action, outcome)) = running.next().await else {
            if pending.is_empty() {
                break;
            }
            // Nothing runs and nothing is ready: only skips remain, handled above.
            continue;
        };
        let ok = !outcome.is_failure();
        match &outcome {
            Outcome::Applied { changes } => {
                progress.finish(&addr, true, &format!("{changes} resource changes applied"))
            }
            Outcome::AlreadyCurrent => progress.finish(&addr, true, "already up to date"),
            Outcome::Failed { error, .. } => progress.finish(&addr, false, error),
            Outcome::Skipped { reason } => progress.finish(&addr, false, reason),
        }
        done.insert(addr.clone(), ok);
        results.push(StackResult {
            addr,
            action,
            outcome,
        });
    }
    results.sort_by(|a, b| a.addr.cmp(&b.addr));
    // Repairs last: on stacks that now match their template, put back what was changed
    // outside irready. A stack that failed is not repaired.
    let failed_stacks: BTreeSet<&StackAddr> = results
        .iter()
        .filter(|r| r.outcome.is_failure())
        .map(|r| &r.addr)
        .collect();
    let mut repairs = Vec::new();
    let mut recreate: BTreeMap<&StackAddr, Vec<String>> = BTreeMap::new();
    for drift in &plan.drift {
        let outcome = if failed_stacks.contains(&drift.stack) {
            Outcome::Skipped {
                reason: format!("{} did not apply", drift.stack),
            }
        } else {
            match &drift.repair {
                Repair::Recreate => {
                    recreate
                        .entry(&drift.stack)
                        .or_default()
                        .push(drift.logical_id.clone());
                    continue;
                }
                Repair::Manual { .. } => continue,
                repair => match sessions.session(&drift.stack.account) {
                    Some(session) => {
                        progress.step(&drift.stack, &repair.describe());
                        match repair_in_place(aws, &session, &drift.stack, repair).await {
                            Ok(()) => Outcome::Applied { changes: 1 },
                            Err(err) => failed(err),
                        }
                    }
                    None => failed(format!("no session for account {}", drift.stack.account)),
                },
            }
        };
        repairs.push(RepairResult {
            stack: drift.stack.clone(),
            logical_id: drift.logical_id.clone(),
            outcome,
        });
    }
    for (stack, logical_ids) in recreate {
        let outcome = match (sessions.session(&stack.account), by_addr.get(stack)) {
            (Some(session), Some(planned)) => {
                let context = StackContext {
                    runner: Runner {
                        aws,
                        session: &session,
                        options,
                        progress,
                    },
                    aws,
                    sessions,
                    copied: &copied,
                    progress,
                };
                recreate_resources(&context, planned, &logical_ids).await
            }
            _ => failed(format!("{stack} is not in the plan")),
        };
        for logical_id in logical_ids {
            repairs.push(RepairResult {
                stack: stack.clone(),
                logical_id,
                outcome: outcome.clone(),
            });
        }
    }
    let configured = workloads::configure(
        aws,
        sessions,
        &plan.environment.name,
        &plan.workloads.configure,
        &failed_stacks,
        progress,
    )
    .await;
    ApplyReport {
        trusted_access,
        images,
        results,
        repairs,
        configured,
    }
}

/// Puts back a setting changed outside irready through the service's API.
async fn repair_in_place(
    aws: &Aws,
    session: &AccountSession,
    stack: &StackAddr,
    repair: &Repair,
) -> Result<(), AwsError> {
    match repair {
        Repair::StartLogging { trail } => {
            crate::aws::cloudtrail::start_logging(aws, session, &stack.region, trail).await
        }
        Repair::EnableDetector { detector_id } => {
            crate::aws::guardduty::enable_detector(aws, session, &stack.region, detector_id).await
        }
        Repair::SetTrustPolicy { role, document } => {
            crate::aws::iam::set_trust_policy(aws, session, role, document).await
        }
        Repair::SetKeyPolicy { key_id, document } => {
            crate::aws::kms::put_key_policy(aws, session, &stack.region, key_id, document).await
        }
        Repair::SetBucketPolicy { bucket, document } => {
            crate::aws::s3::put_bucket_policy(aws, session, &stack.region, bucket, document).await
        }
        Repair::Recreate | Repair::Manual { .. } => Ok(()),
    }
}

/// Creates again resources deleted outside irready: one change set without them, one
/// with the stack's template again, each checked against what it should change.
async fn recreate_resources(
    context: &StackContext<'_>,
    planned: &StackPlan,
    logical_ids: &[String],
) -> Outcome {
    let Some(template) = &planned.template else {
        return failed("the plan holds no template for this stack");
    };
    let Ok(parsed) = crate::plan::diff::parse_template(&template.body) else {
        return failed("the planned template does not parse");
    };
    let stripped = crate::plan::drift::without_resources(&parsed, logical_ids);
    let change = |action| {
        logical_ids
            .iter()
            .map(|id| ResourceChange {
                logical_id: id.clone(),
                resource_type: String::new(),
                action,
                properties: Vec::new(),
                data_bearing: false,
            })
            .collect()
    };
    let step = |body: String, resources| StackPlan {
        action: StackAction::Update,
        template: Some(PlannedTemplate {
            sha256: template.sha256.clone(),
            body,
        }),
        resources,
        deferred: Vec::new(),
        imports: Vec::new(),
        ..planned.clone()
    };
    let without = step(
        serde_json::to_string_pretty(&stripped).expect("templates serialize"),
        change(ResourceAction::Remove),
    );
    let outcome = apply_stack(context, &without).await;
    if outcome.is_failure() {
        return outcome;
    }
    apply_stack(
        context,
        &step(template.body.clone(), change(ResourceAction::Add)),
    )
    .await
}

/// Copies every image the plan copies, concurrently, and waits until each is available.
async fn copy_images(
    aws: &Aws,
    sessions: &dyn Sessions,
    plan: &Plan,
    options: &ApplyOptions,
    progress: &dyn Progress,
) -> Vec<ImageResult> {
    let env = &plan.environment.name;
    let copies = plan.images.iter().filter_map(|image| match &image.action {
        ImageAction::Copy {
            source_region,
            source_image_id,
            ..
        } => Some((image, source_region, source_image_id)),
        ImageAction::Use { .. } => None,
    });
    let mut results: Vec<ImageResult> = futures::stream::iter(copies)
        .map(|(image, source_region, source_id)| async move {
            let target = &image.target;
            let at = StackAddr::new(target, Component::ForensicVpc.stack_name(env));
            let result = |image_id, outcome| ImageResult {
                target: target.clone(),
                image: image.image.clone(),
                image_id,
                outcome,
            };
            let Some(session) = sessions.session(&target.account) else {
                return result(
                    None,
                    failed(format!("no session for account {}", target.account)),
                );
            };
            progress.step(
                &at,
                &format!(
                    "copying image {} ({source_id}) from {source_region}",
                    image.image
                ),
            );
            let tags = BTreeMap::from([
                (TAG_MANAGED.to_owned(), "true".to_owned()),
                (TAG_ENVIRONMENT.to_owned(), env.clone()),
                (TAG_IMAGE.to_owned(), image.image.clone()),
                (TAG_IMAGE_SOURCE.to_owned(), source_id.clone()),
            ]);
            let name = format!("irready-{env}-{}-{source_id}", image.image);
            let copy = ec2::copy_image(
                aws,
                &session,
                &target.region,
                source_region,
                source_id,
                &name,
                &tags,
            )
            .await;
            let id = match copy {
                Ok(id) => id,
                Err(err) => return result(None, failed(err)),
            };
            let outcome = match wait_image(aws, &session, target, &id, options).await {
                Ok(()) => Outcome::Applied { changes: 1 },
                Err(error) => failed(error),
            };
            result(Some(id), outcome)
        })
        .buffer_unordered(options.parallelism.max(1))
        .collect()
        .await;
    results.sort_by(|a, b| (&a.target, &a.image).cmp(&(&b.target, &b.image)));
    results
}

/// Waits until a copied image is available.
async fn wait_image(
    aws: &Aws,
    session: &AccountSession,
    target: &Target,
    id: &str,
    options: &ApplyOptions,
) -> Result<(), String> {
    wait::until(
        "ec2:DescribeImages",
        options.stack_timeout,
        || async {
            let state = ec2::image_state(aws, session, &target.region, id).await?;
            match state.as_deref() {
                Some("available") => Ok(Poll::Ready(())),
                Some("pending") => Ok(Poll::Pending(format!("the copy {id} pending"))),
                Some(other) => Err(AwsError::other(
                    "ec2:DescribeImages",
                    format!("the copy {id} ended {other}"),
                )),
                None => Err(AwsError::other(
                    "ec2:DescribeImages",
                    format!("the copy {id} disappeared"),
                )),
            }
        },
        |_| {},
    )
    .await
    .map_err(|e| e.to_string())
}

fn failed(error: impl ToString) -> Outcome {
    Outcome::Failed {
        error: error.to_string(),
        events: Vec::new(),
    }
}

/// What applying one stack needs besides the stack's plan.
struct StackContext<'a> {
    /// Runs the stack's change sets and deletions.
    runner: Runner<'a>,
    aws: &'a Aws,
    /// Sessions in every account, for reading the outputs of stacks elsewhere.
    sessions: &'a dyn Sessions,
    /// Image ids apply copied, by target and image name.
    copied: &'a BTreeMap<(Target, String), String>,
    progress: &'a dyn Progress,
}

/// The planned template with every deferred value filled in, and its fingerprint
/// recomputed so that the next plan, which knows those values, sees the stack as current.
async fn fill_deferred(
    context: &StackContext<'_>,
    stack: &StackPlan,
    template: &PlannedTemplate,
) -> Result<String, String> {
    if stack.deferred.is_empty() {
        return Ok(template.body.clone());
    }
    let mut body = template.body.clone();
    for value in &stack.deferred {
        let known = match &value.source {
            ValueSource::StackOutput {
                stack: source,
                output,
            } => {
                let session = context
                    .sessions
                    .session(&source.account)
                    .ok_or_else(|| format!("no session for account {}", source.account))?;
                let deployed =
                    cfn::describe_stack(context.aws, &session, &source.region, &source.stack)
                        .await
                        .map_err(|e| e.to_string())?;
                deployed
                    .and_then(|s| s.outputs.get(output).cloned())
                    .ok_or_else(|| format!("{source} has no output {output}"))?
            }
            ValueSource::CopiedImage { target, image } => context
                .copied
                .get(&(target.clone(), image.clone()))
                .cloned()
                .ok_or_else(|| format!("image {image} was not copied to {target}"))?,
        };
        body = body.replace(&value.placeholder, &known);
    }
    let sha256 = crate::render::fingerprint(&body)?;
    Ok(body.replace(&template.sha256, &sha256))
}

async fn apply_stack(context: &StackContext<'_>, stack: &StackPlan) -> Outcome {
    let runner = &context.runner;
    let addr = &stack.addr;
    match stack.action {
        StackAction::NoOp => return Outcome::AlreadyCurrent,
        StackAction::Delete => {
            runner.progress.step(addr, "deleting stack");
            return match runner.delete(addr).await {
                Ok(()) => Outcome::Applied {
                    changes: stack.resources.len(),
                },
                Err(outcome) => outcome,
            };
        }
        StackAction::Recreate => {
            runner.progress.step(addr, "deleting the failed stack");
            if let Err(outcome) = runner.delete(addr).await {
                return outcome;
            }
        }
        StackAction::Create | StackAction::Update => {}
    }
    let Some(template) = &stack.template else {
        return failed("the plan holds no template for this stack");
    };
    let body = match fill_deferred(context, stack, template).await {
        Ok(body) => body,
        Err(err) => return failed(format!("a value the template needs is missing: {err}")),
    };
    let imports = match stack.action {
        StackAction::Create | StackAction::Recreate => stack.imports.as_slice(),
        StackAction::NoOp | StackAction::Update | StackAction::Delete => &[],
    };
    if imports.is_empty() {
        let kind = match stack.action {
            StackAction::Update => ChangeSetKind::Update,
            _ => ChangeSetKind::Create,
        };
        return run_change_set(context, stack, kind, &body, &stack.resources, &[]).await;
    }
    import_then_update(context, stack, &body, imports).await
}

/// One change set on the stack, as the plan expects it.
async fn run_change_set(
    context: &StackContext<'_>,
    stack: &StackPlan,
    kind: ChangeSetKind,
    body: &str,
    expected: &[ResourceChange],
    imports: &[ResourceImport],
) -> Outcome {
    context
        .runner
        .run(&ChangeSet {
            addr: &stack.addr,
            kind,
            body,
            tags: &stack.tags,
            description: "irready apply",
            expected,
            imports,
        })
        .await
}

/// Creates a stack that takes over existing resources. CloudFormation imports only in a
/// change set of its own, whose template holds nothing but the resources imported: first
/// that (nothing is created), then an update to the full template, checked like any
/// change set against what the plan's template adds to the imported resources.
async fn import_then_update(
    context: &StackContext<'_>,
    stack: &StackPlan,
    body: &str,
    imports: &[ResourceImport],
) -> Outcome {
    let Ok(full) = crate::plan::diff::parse_template(body) else {
        return failed("the planned template does not parse");
    };
    let import = adopt::import_template(&full, imports);
    let import_body = serde_json::to_string_pretty(&import).expect("templates serialize");
    context.progress.step(
        &stack.addr,
        &format!("importing {} existing resources", imports.len()),
    );
    let imported = match run_change_set(
        context,
        stack,
        ChangeSetKind::Import,
        &import_body,
        &[],
        imports,
    )
    .await
    {
        Outcome::Applied { changes } => changes,
        other => return other,
    };
    let rest = crate::plan::diff::diff_templates(Some(&import), Some(&full));
    match run_change_set(context, stack, ChangeSetKind::Update, body, &rest, &[]).await {
        Outcome::Applied { changes } => Outcome::Applied {
            changes: imported + changes,
        },
        Outcome::AlreadyCurrent => Outcome::Applied { changes: imported },
        other => other,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::addr::Target;
    use crate::plan::Fingerprint;
    use crate::render::Component;

    pub(super) fn addr(account: &str, region: &str, stack: &str) -> StackAddr {
        StackAddr::new(
            &Target::new(account.parse().unwrap(), region.parse().unwrap()),
            stack,
        )
    }

    pub(super) fn stack(
        at: &StackAddr,
        action: StackAction,
        depends_on: &[&StackAddr],
    ) -> StackPlan {
        StackPlan {
            addr: at.clone(),
            component: Component::RegionalBaseline,
            action,
            reason: None,
            before: Fingerprint::Absent,
            template: None,
            tags: BTreeMap::new(),
            depends_on: depends_on.iter().map(|a| (*a).clone()).collect(),
            deferred: Vec::new(),
            imports: Vec::new(),
            resources: Vec::new(),
        }
    }

    pub(super) fn plan(stacks: Vec<StackPlan>) -> Plan {
        Plan::of_stacks(stacks)
    }

    #[test]
    fn creates_wait_for_their_dependencies_across_accounts() {
        let core = addr("111111111111", "us-east-1", "core");
        let east = addr("222222222222", "us-east-1", "baseline");
        let west = addr("222222222222", "eu-west-1", "baseline");
        let deps = dependencies(&plan(vec![
            stack(&core, StackAction::Create, &[]),
            stack(&east, StackAction::Create, &[&core]),
            stack(&west, StackAction::Update, &[&core, &east]),
        ]));
        assert!(deps[&core].is_empty());
        assert_eq!(deps[&east], BTreeSet::from([core.clone()]));
        assert_eq!(deps[&west], BTreeSet::from([core, east]));
    }

    #[test]
    fn unchanged_dependencies_are_already_in_place() {
        let core = addr("111111111111", "us-east-1", "core");
        let east = addr("222222222222", "us-east-1", "baseline");
        let deps = dependencies(&plan(vec![
            stack(&core, StackAction::NoOp, &[]),
            stack(&east, StackAction::Create, &[&core]),
        ]));
        assert_eq!(deps.len(), 1);
        assert!(deps[&east].is_empty());
    }

    #[test]
    fn deletions_go_in_reverse_order() {
        let core = addr("111111111111", "us-east-1", "core");
        let east = addr("222222222222", "us-east-1", "baseline");
        let deps = dependencies(&plan(vec![
            stack(&core, StackAction::Delete, &[]),
            stack(&east, StackAction::Delete, &[&core]),
        ]));
        assert_eq!(deps[&core], BTreeSet::from([east.clone()]));
        assert!(deps[&east].is_empty());
    }
}
