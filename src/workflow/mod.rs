//! The stages chained for the commands: discover, render, fetch the templates the
//! planner needs, plan. Commands call these; the stages themselves stay independent.

pub mod destroy;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use futures::stream::{self, StreamExt};

use crate::addr::{AccountId, StackAddr, Target};
use crate::apply::Sessions;
use crate::aws::{cfn, monitoring, s3, AccountSession, Aws};
use crate::config::{Environment, Expiry};
use crate::discover::TAG_EXPIRES;
use crate::discover::{self, DiscoverError, Discovery, Refresh};
use crate::plan::existing::Evaluation;
use crate::plan::{self, diff, ImageAction, ImagePlan, Plan, PlanInput, Scanned, TargetError};
use crate::render::{self, Covered, Inputs, RenderedStack, Renderer};

impl Sessions for Discovery {
    fn session(&self, account: &AccountId) -> Option<AccountSession> {
        Discovery::session(self, account).cloned()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum WorkflowError {
    #[error(transparent)]
    Discover(#[from] DiscoverError),
    #[error(transparent)]
    Render(#[from] render::RenderError),
}

/// Weighs what exists outside irready in every target discovery could read.
pub fn weigh_existing(env: &Environment, discovery: &Discovery) -> Evaluation {
    let states = discovery
        .targets
        .iter()
        .filter_map(|(target, state)| state.as_ref().ok().map(|s| (target, s)));
    plan::existing::evaluate(env, &discovery.scope, states)
}

/// What rendering produced: a stack for every placement whose target discovery could
/// read, the analysis images each region uses, and an error for every target that could
/// not be read or rendered.
pub struct Rendered {
    pub stacks: Vec<RenderedStack>,
    pub images: Vec<ImagePlan>,
    pub errors: Vec<TargetError>,
}

pub fn render_all(
    env: &Environment,
    discovery: &Discovery,
    covered: &BTreeMap<Target, Covered>,
) -> Result<Rendered, render::RenderError> {
    let renderer = Renderer::new();
    let nothing = Covered::default();
    let (images, image_errors) = match &discovery.scope.forensic_account {
        Some(account) => plan::images::resolve(env, account, &discovery.targets),
        None => (Vec::new(), Vec::new()),
    };
    let inputs = Inputs {
        outputs: discovery
            .targets
            .iter()
            .filter_map(|(target, state)| state.as_ref().ok().map(|s| (target, s)))
            .flat_map(|(target, state)| {
                state
                    .stacks
                    .values()
                    .map(move |s| (StackAddr::new(target, s.name.clone()), s.outputs.clone()))
            })
            .collect(),
        images: images
            .iter()
            .map(|plan| {
                let known = match &plan.action {
                    ImageAction::Use { image_id, .. } => Some(image_id.clone()),
                    ImageAction::Copy { .. } => None,
                };
                ((plan.target.clone(), plan.image.clone()), known)
            })
            .collect(),
        expires: expiry(env, discovery, chrono::Utc::now()).map(|t| format_time(&t)),
    };
    let mut stacks = Vec::new();
    let mut errors = Vec::new();
    // Until the forensic account exists, nothing can name its buckets and keys.
    let placements = match discovery.scope.pending_forensic {
        Some(_) => Vec::new(),
        None => render::placements(env, &discovery.scope),
    };
    for placement in placements {
        let covered = covered.get(&placement.target).unwrap_or(&nothing);
        if !covered.places(placement.component) {
            continue;
        }
        let Some(Ok(state)) = discovery.targets.get(&placement.target) else {
            continue;
        };
        // Without its images the forensic VPC's launch templates cannot be written: plan
        // nothing for it and say why.
        let missing_image = image_errors
            .iter()
            .filter(|e| e.target == placement.target)
            .filter(|_| placement.component == render::Component::ForensicVpc);
        let mut blocked = false;
        for error in missing_image {
            blocked = true;
            errors.push(TargetError {
                stack: Some(placement.component.stack_name(&env.name)),
                ..error.clone()
            });
        }
        if !blocked {
            match renderer.render(env, &discovery.scope, &placement, state, &inputs, covered) {
                Ok(stack) => stacks.push(stack),
                // What the target cannot hold is an error for that stack only.
                Err(err @ render::RenderError::Unplaceable { .. }) => errors.push(TargetError {
                    target: placement.target.clone(),
                    stack: Some(placement.component.stack_name(&env.name)),
                    message: err.to_string(),
                }),
                Err(err) => return Err(err),
            }
        }
    }
    errors.extend(
        discovery
            .failed_targets()
            .into_iter()
            .map(|(target, err)| TargetError {
                target: target.clone(),
                stack: None,
                message: err.to_string(),
            }),
    );
    Ok(Rendered {
        stacks,
        images,
        errors,
    })
}

pub struct Prepared {
    pub discovery: Discovery,
    pub plan: Plan,
}

/// Discovers, renders and plans `env`.
pub async fn prepare_plan(
    aws: &Aws,
    env: &Environment,
    parallelism: usize,
    refresh: Refresh,
) -> Result<Prepared, WorkflowError> {
    let discovery = discover::discover(aws, env, parallelism, refresh).await?;
    let evaluation = weigh_existing(env, &discovery);
    let Rendered {
        stacks: mut rendered,
        images,
        mut errors,
    } = render_all(env, &discovery, &evaluation.covered)?;

    let mut deployed: BTreeMap<Target, BTreeMap<String, cfn::DeployedStack>> = discovery
        .targets
        .iter()
        .filter_map(|(t, r)| r.as_ref().ok().map(|s| (t.clone(), s.stacks.clone())))
        .collect();

    let needed = plan::templates_needed(&deployed, &rendered);
    let (deployed_templates, failed) = fetch_templates(aws, &discovery, needed, parallelism).await;
    for error in failed {
        // Without the deployed template the stack cannot be diffed: plan nothing for it
        // and say why.
        let addr = StackAddr::new(&error.target, error.stack.clone().unwrap_or_default());
        rendered.retain(|r| r.addr != addr);
        if let Some(stacks) = deployed.get_mut(&addr.target()) {
            stacks.remove(&addr.stack);
        }
        errors.push(error);
    }

    let (adoptable, failed) =
        find_adoptable(aws, &discovery, &deployed, &rendered, parallelism).await;
    for error in failed {
        // A retained resource's name is taken, or could not be checked: creating the
        // stack would fail. Plan nothing for it and say why.
        let addr = StackAddr::new(&error.target, error.stack.clone().unwrap_or_default());
        rendered.retain(|r| r.addr != addr);
        errors.push(error);
    }

    let rendered = Rendered {
        stacks: rendered,
        images,
        errors,
    };
    let mut plan = build(
        env,
        &discovery,
        deployed,
        deployed_templates,
        rendered,
        evaluation.findings,
        adoptable,
    );
    plan.workloads = crate::plan::workloads::plan(env, discovery.ok_targets());
    Ok(Prepared { discovery, plan })
}

/// The retained resources (`plan::adopt::candidates`) of every stack about to be created
/// that exist already: what a destroy left behind, which the new stack imports instead of
/// creating again. A bucket whose name is another account's, or in another region, is an
/// error for its stack, as is a probe that fails.
async fn find_adoptable(
    aws: &Aws,
    discovery: &Discovery,
    deployed: &BTreeMap<Target, BTreeMap<String, cfn::DeployedStack>>,
    rendered: &[RenderedStack],
    parallelism: usize,
) -> (
    BTreeMap<StackAddr, Vec<plan::ResourceImport>>,
    Vec<TargetError>,
) {
    let probes: Vec<(StackAddr, plan::ResourceImport)> = rendered
        .iter()
        .filter(|r| {
            let stack = deployed
                .get(&r.addr.target())
                .and_then(|s| s.get(&r.addr.stack));
            plan::created_anew(stack)
        })
        .filter_map(|r| Some((r, diff::parse_template(&r.body).ok()?)))
        .flat_map(|(r, template)| {
            plan::adopt::candidates(&template)
                .into_iter()
                .map(move |c| (r.addr.clone(), c))
        })
        .collect();
    let probed: Vec<(StackAddr, plan::ResourceImport, Result<bool, String>)> = stream::iter(probes)
        .map(|(addr, candidate)| async move {
            let found = probe(aws, discovery, &addr, &candidate).await;
            (addr, candidate, found)
        })
        .buffer_unordered(parallelism.max(1))
        .collect()
        .await;
    let mut adoptable: BTreeMap<StackAddr, Vec<plan::ResourceImport>> = BTreeMap::new();
    let mut errors: BTreeMap<StackAddr, Vec<String>> = BTreeMap::new();
    for (addr, candidate, found) in probed {
        match found {
            Ok(true) => adoptable.entry(addr).or_default().push(candidate),
            Ok(false) => {}
            Err(message) => errors
                .entry(addr)
                .or_default()
                .push(format!("{}: {message}", candidate.logical_id)),
        }
    }
    for imports in adoptable.values_mut() {
        imports.sort();
    }
    let errors = errors
        .into_iter()
        .map(|(addr, mut messages)| {
            adoptable.remove(&addr);
            messages.sort();
            TargetError {
                target: addr.target(),
                stack: Some(addr.stack.clone()),
                message: messages.join("; "),
            }
        })
        .collect();
    (adoptable, errors)
}

/// Whether the resource `candidate` names exists where its stack goes.
async fn probe(
    aws: &Aws,
    discovery: &Discovery,
    addr: &StackAddr,
    candidate: &plan::ResourceImport,
) -> Result<bool, String> {
    let session = discovery
        .session(&addr.account)
        .ok_or("no session for the account")?;
    let name = candidate.label();
    match candidate.resource_type.as_str() {
        "AWS::S3::Bucket" => {
            match s3::bucket_presence(aws, session, &addr.region, &addr.account, &name).await {
                Ok(s3::BucketPresence::Absent) => Ok(false),
                Ok(s3::BucketPresence::Here) => Ok(true),
                Ok(s3::BucketPresence::Elsewhere(why)) => Err(format!(
                    "{why}: the stack cannot create it, nor take it over"
                )),
                Err(err) => Err(err.to_string()),
            }
        }
        "AWS::Logs::LogGroup" => monitoring::log_group_retention(aws, session, &addr.region, &name)
            .await
            .map(|found| found.is_some())
            .map_err(|e| e.to_string()),
        other => Err(format!("irready cannot look for an existing {other}")),
    }
}

/// Reads the deployed templates of `needed`, parsed; a stack whose template cannot be
/// read or parsed is an error for that stack.
async fn fetch_templates(
    aws: &Aws,
    discovery: &Discovery,
    needed: Vec<StackAddr>,
    parallelism: usize,
) -> (BTreeMap<StackAddr, serde_json::Value>, Vec<TargetError>) {
    let fetched: Vec<(StackAddr, Result<serde_json::Value, String>)> = stream::iter(needed)
        .map(|addr| async move {
            let result = match discovery.session(&addr.account) {
                Some(session) => {
                    match cfn::get_template(aws, session, &addr.region, &addr.stack).await {
                        Ok(body) => diff::parse_template(&body)
                            .map_err(|e| format!("the deployed template does not parse: {e}")),
                        Err(err) => Err(err.to_string()),
                    }
                }
                None => Err("no session for the account".to_owned()),
            };
            (addr, result)
        })
        .buffer_unordered(parallelism.max(1))
        .collect()
        .await;
    let mut templates = BTreeMap::new();
    let mut errors = Vec::new();
    for (addr, result) in fetched {
        match result {
            Ok(template) => {
                templates.insert(addr, template);
            }
            Err(message) => errors.push(TargetError {
                target: addr.target(),
                stack: Some(addr.stack.clone()),
                message,
            }),
        }
    }
    (templates, errors)
}

fn build(
    env: &Environment,
    discovery: &Discovery,
    deployed: BTreeMap<Target, BTreeMap<String, cfn::DeployedStack>>,
    deployed_templates: BTreeMap<StackAddr, serde_json::Value>,
    rendered: Rendered,
    existing: Vec<plan::ExistingFinding>,
    adoptable: BTreeMap<StackAddr, Vec<plan::ResourceImport>>,
) -> Plan {
    let Rendered {
        stacks: rendered,
        images,
        errors,
    } = rendered;
    let scope = &discovery.scope;
    let mut drift = Vec::new();
    for (target, state) in &discovery.targets {
        let Ok(state) = state else { continue };
        let here: Vec<&RenderedStack> = rendered
            .iter()
            .filter(|r| &r.addr.target() == target)
            .collect();
        drift.extend(plan::drift::detect(env, scope, state, &here));
    }
    drift.sort_by(|a, b| (&a.stack, &a.logical_id).cmp(&(&b.stack, &b.logical_id)));
    let targets = discover::scanned_targets(env, scope);
    let scanned = Scanned {
        accounts: scope.all_accounts().len(),
        regions: {
            let mut regions: Vec<_> = targets.iter().map(|t| &t.region).collect();
            regions.sort();
            regions.dedup();
            regions.len()
        },
        targets: targets.len(),
        trusted: discovery.refresh == Refresh::Trust,
    };
    let account_names = scope
        .organization
        .accounts
        .iter()
        .map(|a| (a.id.clone(), a.name.clone()))
        .collect();
    plan::build(PlanInput {
        env,
        account_names,
        scanned,
        deployed,
        rendered,
        deployed_templates,
        images,
        drift,
        create_account: scope.pending_forensic.clone(),
        trusted_access: plan::trusted_access::missing(env, scope),
        errors,
        existing,
        adoptable,
        now: chrono::Utc::now(),
    })
}

/// How `irready:expires` is written: RFC 3339, whole seconds, UTC.
pub fn format_time(time: &DateTime<Utc>) -> String {
    time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The earliest `irready:expires` among the environment's deployed stacks (and its
/// exercise stacks): when the environment as applied expires.
pub fn deployed_expiry(discovery: &Discovery) -> Option<DateTime<Utc>> {
    discovery
        .targets
        .values()
        .filter_map(|state| state.as_ref().ok())
        .flat_map(|state| state.stacks.values().chain(state.exercises.values()))
        .filter_map(|stack| stack.tags.get(TAG_EXPIRES))
        .filter_map(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc))
        .min()
}

/// When an ephemeral environment expires: the time its file names, or, for a duration,
/// the time its first apply fixed (read back from its stacks), or `now` plus the duration
/// before anything is deployed.
pub fn expiry(
    env: &Environment,
    discovery: &Discovery,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    match env.ephemeral.as_ref()?.expires {
        Expiry::At(at) => Some(at),
        Expiry::After(duration) => Some(deployed_expiry(discovery).unwrap_or(now + duration)),
    }
}

/// A resource that stays when its stack is deleted (`DeletionPolicy: Retain`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retained {
    pub stack: StackAddr,
    pub logical_id: String,
    pub resource_type: String,
}

/// What destroying an environment deletes and keeps.
pub struct Destroy {
    pub discovery: Discovery,
    /// Every stack of the environment, deleted in the reverse of the order apply creates
    /// them in.
    pub plan: Plan,
    /// The resources the deletions leave in place, by stack.
    pub retained: Vec<Retained>,
}

/// Plans the deletion of every stack `env` manages, whatever the environment places
/// now: discovery lists only stacks tagged for this environment, and nothing is rendered,
/// so every one of them is a deletion. Dependencies come from the placements, so that a
/// regional baseline goes before the forensic core whose log archive it writes into.
pub async fn prepare_destroy(
    aws: &Aws,
    env: &Environment,
    parallelism: usize,
) -> Result<Destroy, WorkflowError> {
    let discovery = discover::discover(aws, env, parallelism, Refresh::Live).await?;
    let mut deployed: BTreeMap<Target, BTreeMap<String, cfn::DeployedStack>> = discovery
        .targets
        .iter()
        .filter_map(|(t, r)| r.as_ref().ok().map(|s| (t.clone(), s.stacks.clone())))
        .collect();
    let mut errors: Vec<TargetError> = discovery
        .failed_targets()
        .into_iter()
        .map(|(target, err)| TargetError {
            target: target.clone(),
            stack: None,
            message: err.to_string(),
        })
        .collect();
    let needed = plan::templates_needed(&deployed, &[]);
    let (templates, failed) = fetch_templates(aws, &discovery, needed, parallelism).await;
    for error in failed {
        if let (Some(stacks), Some(stack)) = (deployed.get_mut(&error.target), &error.stack) {
            stacks.remove(stack);
        }
        errors.push(error);
    }
    let nothing = Rendered {
        stacks: Vec::new(),
        images: Vec::new(),
        errors,
    };
    let mut plan = build(
        env,
        &discovery,
        deployed,
        templates.clone(),
        nothing,
        Vec::new(),
        BTreeMap::new(),
    );
    // The forensic account may not exist; nothing else may be placed then either.
    let placed: BTreeMap<StackAddr, Vec<StackAddr>> = match discovery.scope.pending_forensic {
        Some(_) => BTreeMap::new(),
        None => render::placements(env, &discovery.scope)
            .into_iter()
            .map(|p| {
                (
                    StackAddr::new(&p.target, p.component.stack_name(&env.name)),
                    p.depends_on,
                )
            })
            .collect(),
    };
    for stack in &mut plan.stacks {
        stack.depends_on = placed.get(&stack.addr).cloned().unwrap_or_default();
        stack.reason = Some("destroy".to_owned());
    }
    let mut retained = Vec::new();
    for stack in &plan.stacks {
        let Some(resources) = templates
            .get(&stack.addr)
            .and_then(|t| t.get("Resources"))
            .and_then(|r| r.as_object())
        else {
            continue;
        };
        for (id, resource) in resources {
            if resource.get("DeletionPolicy").and_then(|p| p.as_str()) == Some("Retain") {
                retained.push(Retained {
                    stack: stack.addr.clone(),
                    logical_id: id.clone(),
                    resource_type: resource
                        .get("Type")
                        .and_then(|t| t.as_str())
                        .unwrap_or_default()
                        .to_owned(),
                });
            }
        }
    }
    Ok(Destroy {
        discovery,
        plan,
        retained,
    })
}

/// What exists now, for comparing with a saved plan: the fingerprint of every stack of
/// the environment that discovery read, the image copies a plan would make now, and the
/// forensic account still to be created.
pub fn current(env: &Environment, discovery: &Discovery) -> plan::file::Current {
    let mut now = plan::file::Current {
        create_account: discovery.scope.pending_forensic.clone(),
        ..Default::default()
    };
    for (target, state) in &discovery.targets {
        let Ok(state) = state else { continue };
        now.read.insert(target.clone());
        for stack in state.stacks.values() {
            now.stacks.insert(
                StackAddr::new(target, stack.name.clone()),
                plan::fingerprint_of(Some(stack)),
            );
        }
    }
    if let Some(account) = &discovery.scope.forensic_account {
        now.images = plan::images::resolve(env, account, &discovery.targets).0;
    }
    now.workloads = plan::workloads::plan(env, discovery.ok_targets());
    now
}
