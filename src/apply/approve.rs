//! The gates a plan passes before apply carries it out, behind one type: [`apply`]
//! (super::apply) takes only an [`Approved`] plan, and the only ways to make one are the
//! gates below.

use crate::config::Environment;
use crate::plan::{file, Plan};

/// The gates a plan passes before apply carries it out, as the caller chose them.
#[derive(Debug, Clone, Copy, Default)]
pub struct Gates {
    /// Apply changes that remove or replace a bucket, log group, key or trail.
    pub allow_data_loss: bool,
    /// A saved plan: leave out the stale parts (and what depends on them) instead of
    /// refusing the whole plan.
    pub skip_stale: bool,
}

/// Why apply refused a plan: nothing was applied.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    #[error(
        "the plan loses data ({0}): nothing was applied; review the data-safety section \
         and pass --allow-data-loss to apply it"
    )]
    DataLoss(String),
    /// A saved plan made from another environment, or from an older version of its file.
    #[error(transparent)]
    Environment(#[from] file::PlanFileError),
    /// A saved plan whose stacks (images, workloads) changed since it was made.
    #[error(
        "stale plan: {names}\n  {lines}\nMake the plan again, or apply the rest with --skip-stale."
    )]
    Stale { names: String, lines: String },
}

/// A plan that passed apply's safety gates. [`apply`] takes nothing else, so that every
/// caller (the CLI, destroy, a scheduled job, the tabletop) gets the gates: the plan was
/// made from this environment file as it is now, no stack it saw changed since (or the
/// changed ones are left out, listed in `skipped`), and it loses no data unless allowed.
#[derive(Debug, Clone)]
pub struct Approved {
    plan: Plan,
    skipped: Vec<String>,
}

impl Approved {
    /// A plan made just now from `env`: only the data-loss gate applies.
    pub fn fresh(plan: Plan, gates: Gates) -> Result<Self, Refused> {
        Self::gate_data_loss(&plan, gates)?;
        Ok(Self {
            plan,
            skipped: Vec::new(),
        })
    }

    /// A plan saved earlier: it must come from `env` as the file is now, and every
    /// stack, image and workload setting it saw must be as `now` finds it; with
    /// `skip_stale`, the stale parts and what depends on them are left out instead.
    pub fn saved(
        plan: Plan,
        env: &Environment,
        now: &file::Current,
        gates: Gates,
    ) -> Result<Self, Refused> {
        file::check_environment(&plan, env)?;
        let stale = file::staleness(&plan, now);
        let describe = |list: &[file::Stale]| {
            list.iter()
                .map(|s| format!("{}: {}", s.item, s.why))
                .collect::<Vec<_>>()
        };
        let (plan, mut skipped) = if stale.is_empty() {
            (plan, Vec::new())
        } else if gates.skip_stale {
            let (fresh, dependents) = file::without_stale(&plan, &stale);
            let mut skipped = describe(&stale);
            skipped.extend(describe(&dependents));
            (fresh, skipped)
        } else {
            let names: Vec<String> = stale.iter().map(|s| s.item.to_string()).collect();
            return Err(Refused::Stale {
                names: names.join(", "),
                lines: describe(&stale).join("\n  "),
            });
        };
        skipped.sort();
        Self::gate_data_loss(&plan, gates)?;
        Ok(Self { plan, skipped })
    }

    fn gate_data_loss(plan: &Plan, gates: Gates) -> Result<(), Refused> {
        if plan.has_data_loss() && !gates.allow_data_loss {
            let losses: Vec<String> = plan
                .hazards
                .iter()
                .filter(|h| h.kind.is_data_loss())
                .map(|h| format!("{} {}", h.addr, h.logical_id))
                .collect();
            return Err(Refused::DataLoss(losses.join(", ")));
        }
        Ok(())
    }

    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// The stale parts of a saved plan left out (`skip_stale`), as readable lines.
    pub fn skipped(&self) -> &[String] {
        &self.skipped
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;
    use crate::addr::StackAddr;
    use crate::apply::tests::{addr, plan, stack};
    use crate::plan::{Fingerprint, ResourceAction, StackAction};

    fn losing_data(mut plan: Plan, at: &StackAddr) -> Plan {
        plan.hazards.push(crate::plan::Hazard {
            addr: at.clone(),
            logical_id: "EvidenceBucket".to_owned(),
            resource_type: "AWS::S3::Bucket".to_owned(),
            kind: crate::plan::HazardKind::DataLoss {
                action: ResourceAction::Replace,
                retained: true,
            },
        });
        plan
    }

    #[test]
    fn a_plan_that_loses_data_is_refused_unless_allowed() {
        let core = addr("111111111111", "us-east-1", "core");
        let safe = plan(vec![stack(&core, StackAction::Update, &[])]);
        assert!(Approved::fresh(safe.clone(), Gates::default()).is_ok());
        let losing = losing_data(safe, &core);
        let refused = Approved::fresh(losing.clone(), Gates::default()).expect_err("refused");
        assert!(
            refused
                .to_string()
                .contains(&format!("{core} EvidenceBucket")),
            "{refused}"
        );
        let allowed = Gates {
            allow_data_loss: true,
            ..Gates::default()
        };
        assert!(Approved::fresh(losing, allowed).is_ok());
    }

    /// A saved plan of environment `t`, seeing `core` as it was when planned.
    fn saved(core: &StackAddr) -> (Plan, crate::config::Environment, file::Current) {
        let env = crate::config::parse(
            std::path::Path::new("t.yaml"),
            "name: t\nhome_region: us-east-1\nregions: [us-east-1]\n\
             organization:\n  targets:\n    all: true\n",
        )
        .unwrap();
        let mut planned = stack(core, StackAction::Update, &[]);
        planned.before = Fingerprint::Present {
            stack_id: "arn:stack/core/1".to_owned(),
            status: crate::aws::cfn::StackStatus::UpdateComplete,
            last_updated: None,
            template_sha256: Some("aaa".to_owned()),
        };
        let mut plan = plan(vec![planned.clone()]);
        plan.environment = crate::plan::PlanEnvironment {
            name: env.name.clone(),
            file: env.file.display().to_string(),
            file_sha256: env.file_sha256.clone(),
        };
        let now = file::Current {
            stacks: BTreeMap::from([(core.clone(), planned.before.clone())]),
            read: BTreeSet::from([core.target()]),
            ..Default::default()
        };
        (plan, env, now)
    }

    #[test]
    fn a_saved_plan_is_applied_only_as_it_was_reviewed() {
        let core = addr("111111111111", "us-east-1", "core");
        let (plan, env, now) = saved(&core);
        assert!(Approved::saved(plan.clone(), &env, &now, Gates::default()).is_ok());

        // The stack changed since the plan was made: refused, or left out on request.
        let mut changed = now.clone();
        changed.stacks.insert(
            core.clone(),
            Fingerprint::Present {
                stack_id: "arn:stack/core/1".to_owned(),
                status: crate::aws::cfn::StackStatus::UpdateComplete,
                last_updated: None,
                template_sha256: Some("bbb".to_owned()),
            },
        );
        let refused = Approved::saved(plan.clone(), &env, &changed, Gates::default())
            .expect_err("a stale plan is refused");
        assert!(matches!(refused, Refused::Stale { .. }), "{refused}");
        assert!(refused.to_string().contains(&core.to_string()), "{refused}");
        let skipping = Gates {
            skip_stale: true,
            ..Gates::default()
        };
        let rest = Approved::saved(plan.clone(), &env, &changed, skipping).unwrap();
        assert!(rest.plan().stacks.iter().all(|s| s.addr != core));
        assert_eq!(rest.skipped().len(), 1, "{:?}", rest.skipped());

        // Another version of the environment file: refused.
        let mut edited = env.clone();
        edited.file_sha256 = "0".repeat(64);
        let refused = Approved::saved(plan.clone(), &edited, &now, Gates::default())
            .expect_err("the file changed");
        assert!(matches!(refused, Refused::Environment(_)), "{refused}");

        // Saved or not, a data loss needs its flag.
        let losing = losing_data(plan, &core);
        let refused =
            Approved::saved(losing.clone(), &env, &now, Gates::default()).expect_err("loses data");
        assert!(matches!(refused, Refused::DataLoss(_)), "{refused}");
        let allowed = Gates {
            allow_data_loss: true,
            ..Gates::default()
        };
        assert!(Approved::saved(losing, &env, &now, allowed).is_ok());
    }
}
