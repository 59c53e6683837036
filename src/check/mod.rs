//! Readiness: whether the organization is ready for an incident, whoever made it so.
//! Unlike `plan`, which compares irready's stacks with the environment, `check` reads the
//! live state of every control through the service APIs and judges it.

pub mod controls;
pub mod evaluate;
pub mod model;
pub mod observe;
pub mod workloads;

pub use model::*;

use std::collections::BTreeMap;

use crate::addr::{AccountId, Region, Target};
use crate::aws::Aws;
use crate::config::Environment;
use crate::discover::{self, DiscoverError};

/// Which controls and targets to evaluate.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    pub parallelism: usize,
    /// Control ids; empty: all.
    pub controls: Vec<String>,
    /// Account ids or names; empty: all.
    pub accounts: Vec<String>,
    /// Regions; empty: all.
    pub regions: Vec<Region>,
}

#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error(transparent)]
    Discover(#[from] DiscoverError),
    #[error("unknown control `{0}`: `irready controls` lists them")]
    UnknownControl(String),
}

/// Reads the organization and every target's live state, and judges every control.
pub async fn check(
    aws: &Aws,
    env: &Environment,
    options: &CheckOptions,
) -> Result<CheckReport, CheckError> {
    let selected: Vec<&'static Control> = if options.controls.is_empty() {
        controls::CATALOG.iter().collect()
    } else {
        options
            .controls
            .iter()
            .map(|id| controls::find(id).ok_or_else(|| CheckError::UnknownControl(id.clone())))
            .collect::<Result<_, _>>()?
    };
    // Without `workload_logging` the per-resource controls judge nothing: leave them out
    // of the report unless asked for by id.
    let selected: Vec<&'static Control> = selected
        .into_iter()
        .filter(|c| {
            c.scope != ControlScope::Workload
                || env.workload_logging.is_some()
                || !options.controls.is_empty()
        })
        .collect();
    let (caller, scope) = discover::resolve_scope(aws, env).await?;
    let mut accounts = scope.all_accounts();
    if !accounts.contains(&scope.organization.management_account) {
        accounts.push(scope.organization.management_account.clone());
    }
    let (sessions, errors) =
        discover::enter_accounts(aws, env, &caller, accounts, options.parallelism).await;
    let sessions = sessions
        .into_iter()
        .map(|(account, session)| {
            let entered = match errors.get(&account) {
                Some(err) => Err(err.clone()),
                None => Ok(session),
            };
            (account, entered)
        })
        .collect();
    let postures = observe::observe(aws, env, &scope, &sessions, options.parallelism).await;
    let mut findings = evaluate::evaluate(env, &scope, &selected, &postures);
    let observed = workloads::observe(aws, env, &scope, &sessions, options.parallelism).await;
    findings.extend(workloads::evaluate(env, &selected, &observed));
    let order: BTreeMap<ControlId, usize> = controls::CATALOG
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id, i))
        .collect();
    // Stable: each control's findings keep their order by target, then resource.
    findings.sort_by(|a, b| {
        (order.get(&a.control), &a.target, &a.resource).cmp(&(
            order.get(&b.control),
            &b.target,
            &b.resource,
        ))
    });
    let account_names: BTreeMap<AccountId, String> = scope
        .organization
        .accounts
        .iter()
        .map(|a| (a.id.clone(), a.name.clone()))
        .collect();
    let wanted = |target: &Target| {
        let account_ok = options.accounts.is_empty()
            || options.accounts.iter().any(|a| {
                a == target.account.as_str() || account_names.get(&target.account) == Some(a)
            });
        let region_ok = options.regions.is_empty() || options.regions.contains(&target.region);
        account_ok && region_ok
    };
    findings.retain(|f| wanted(&f.target));
    Ok(CheckReport {
        format_version: CHECK_FORMAT_VERSION,
        irready_version: env!("CARGO_PKG_VERSION").to_owned(),
        environment: env.name.clone(),
        checked_at: chrono::Utc::now(),
        account_names,
        controls: selected.into_iter().cloned().collect(),
        findings,
    })
}
