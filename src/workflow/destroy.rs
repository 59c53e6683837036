//! Destroy's orchestration, in the order that works: the tabletop exercise first (its
//! instance may sit in a baseline's isolation group, which cannot be deleted while an
//! instance uses it), then the workloads' own logging settings put back while their
//! destinations still exist, then every stack through apply, whose gates the deletion
//! plan passes. The ids of what stays are read while the stacks still say.

use std::collections::{BTreeMap, BTreeSet};

use crate::addr::{StackAddr, Target};
use crate::apply::change_set::Runner;
use crate::apply::progress::Progress;
use crate::apply::workloads::ConfigureResult;
use crate::apply::{self, ApplyOptions, ApplyReport};
use crate::aws::{cfn, Aws};
use crate::config::Environment;
use crate::discover::TAG_EXERCISE;
use crate::render::Component;

use super::Destroy;

/// What destroy did.
pub struct Destroyed {
    /// The settings of the workloads' own logs, put back.
    pub restored: Vec<ConfigureResult>,
    /// The stack deletions.
    pub report: ApplyReport,
    /// The physical id of each retained resource, by stack and logical id.
    pub retained_ids: BTreeMap<(StackAddr, String), String>,
    /// What could not be read on the way (the ids of a stack's resources).
    pub warnings: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum DestroyError {
    #[error("{addr}: no session for the account")]
    NoSession { addr: StackAddr },
    #[error("{addr}: removing exercise {scenario}: {error}")]
    Exercise {
        addr: StackAddr,
        scenario: String,
        error: String,
    },
    #[error(transparent)]
    Refused(#[from] apply::Refused),
}

impl Destroy {
    /// The tabletop exercise stacks of the environment, with their scenario.
    pub fn exercises(&self) -> Vec<(StackAddr, String)> {
        self.discovery
            .targets
            .iter()
            .filter_map(|(target, state)| state.as_ref().ok().map(|s| (target, s)))
            .flat_map(|(target, state)| {
                state.exercises.values().map(move |stack| {
                    let scenario = stack.tags.get(TAG_EXERCISE).cloned().unwrap_or_default();
                    (StackAddr::new(target, stack.name.clone()), scenario)
                })
            })
            .collect()
    }

    /// Nothing to delete and nothing to put back.
    pub fn is_empty(&self, env: &Environment) -> bool {
        self.plan.stacks.is_empty() && self.exercises().is_empty() && env.workload_logging.is_none()
    }
}

/// Carries out `destroy`, as confirmed.
pub async fn execute(
    aws: &Aws,
    env: &Environment,
    destroy: &Destroy,
    options: &ApplyOptions,
    progress: &dyn Progress,
) -> Result<Destroyed, DestroyError> {
    let plan = &destroy.plan;
    let mut warnings = Vec::new();
    let mut retained_ids = BTreeMap::new();
    let stacks: BTreeSet<&StackAddr> = destroy.retained.iter().map(|r| &r.stack).collect();
    for stack in stacks {
        let Some(session) = destroy.discovery.session(&stack.account) else {
            continue;
        };
        match cfn::stack_resources(aws, session, &stack.region, &stack.stack).await {
            Ok(resources) => {
                retained_ids.extend(resources.into_iter().filter_map(|(logical, resource)| {
                    Some(((stack.clone(), logical), resource.physical_id?))
                }));
            }
            Err(err) => warnings.push(format!("{stack}: the ids of its resources: {err}")),
        }
    }

    for (addr, scenario) in destroy.exercises() {
        let Some(session) = destroy.discovery.session(&addr.account) else {
            return Err(DestroyError::NoSession { addr });
        };
        let runner = Runner {
            aws,
            session,
            options,
            progress,
        };
        apply::exercise::remove(&runner, &addr)
            .await
            .map_err(|error| DestroyError::Exercise {
                addr: addr.clone(),
                scenario,
                error,
            })?;
        progress.finish(&addr, true, "exercise removed");
    }

    // Put back even where no destination stack is left.
    let mut targets: BTreeSet<Target> = plan
        .stacks
        .iter()
        .filter(|s| s.component == Component::WorkloadLogging)
        .map(|s| s.addr.target())
        .collect();
    if let Some(spec) = &env.workload_logging {
        targets.extend(crate::discover::workloads::targets(
            spec,
            &destroy.discovery.scope,
        ));
    }
    let targets: Vec<Target> = targets.into_iter().collect();
    let restored =
        apply::workloads::restore_all(aws, &destroy.discovery, &env.name, &targets, progress).await;

    // Removing every stack is what destroy was asked for: the data-bearing resources stay
    // (DeletionPolicy: Retain) and are listed; the gate lets the removals through.
    let approved = apply::Approved::fresh(
        plan.clone(),
        apply::Gates {
            allow_data_loss: true,
            ..apply::Gates::default()
        },
    )?;
    let report = apply::apply(aws, &destroy.discovery, &approved, options, progress).await;
    Ok(Destroyed {
        restored,
        report,
        retained_ids,
        warnings,
    })
}
