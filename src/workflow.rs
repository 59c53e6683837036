//! The stages chained for the commands: discover, render, fetch the templates the
//! planner needs, plan. Commands call these; the stages themselves stay independent.

use std::collections::BTreeMap;

use futures::stream::{self, StreamExt};

use crate::addr::{AccountId, StackAddr, Target};
use crate::apply::Sessions;
use crate::aws::{cfn, AccountSession, Aws};
use crate::config::Environment;
use crate::discover::{self, DiscoverError, Discovery, Refresh};
use crate::plan::{self, diff, ImageAction, ImagePlan, Plan, PlanInput, Scanned, TargetError};
use crate::render::{self, Inputs, RenderedStack, Renderer};

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
) -> Result<Rendered, render::RenderError> {
    let renderer = Renderer::new();
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
    };
    let mut stacks = Vec::new();
    let mut errors = Vec::new();
    // Until the forensic account exists, nothing can name its buckets and keys.
    let placements = match discovery.scope.pending_forensic {
        Some(_) => Vec::new(),
        None => render::placements(env, &discovery.scope),
    };
    for placement in placements {
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
            stacks.push(renderer.render(env, &discovery.scope, &placement, state, &inputs)?);
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
    let Rendered {
        stacks: mut rendered,
        images,
        mut errors,
    } = render_all(env, &discovery)?;

    let mut deployed: BTreeMap<Target, BTreeMap<String, cfn::DeployedStack>> = discovery
        .targets
        .iter()
        .filter_map(|(t, r)| r.as_ref().ok().map(|s| (t.clone(), s.stacks.clone())))
        .collect();

    let needed = plan::templates_needed(&deployed, &rendered);
    let fetched: Vec<(StackAddr, Result<serde_json::Value, String>)> = stream::iter(needed)
        .map(|addr| {
            let discovery = &discovery;
            async move {
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
            }
        })
        .buffer_unordered(parallelism.max(1))
        .collect()
        .await;
    let mut deployed_templates = BTreeMap::new();
    for (addr, result) in fetched {
        match result {
            Ok(template) => {
                deployed_templates.insert(addr, template);
            }
            Err(message) => {
                // Without the deployed template the stack cannot be diffed: plan nothing
                // for it and say why.
                rendered.retain(|r| r.addr != addr);
                if let Some(stacks) = deployed.get_mut(&addr.target()) {
                    stacks.remove(&addr.stack);
                }
                errors.push(TargetError {
                    target: addr.target(),
                    stack: Some(addr.stack.clone()),
                    message,
                });
            }
        }
    }

    let scope = &discovery.scope;
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
    };
    let account_names = scope
        .organization
        .accounts
        .iter()
        .map(|a| (a.id.clone(), a.name.clone()))
        .collect();
    let plan = plan::build(PlanInput {
        env,
        account_names,
        scanned,
        deployed,
        rendered,
        deployed_templates,
        images,
        create_account: scope.pending_forensic.clone(),
        errors,
        now: chrono::Utc::now(),
    });
    Ok(Prepared { discovery, plan })
}
