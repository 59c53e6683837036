//! Saved plans: reading a plan file back, checking that it is whole and belongs to the
//! environment it is applied with, and telling which of its targets changed since it was
//! made. Pure apart from reading the file: what exists now is read by the caller.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::model::{Fingerprint, Plan, StackPlan, ValueSource, FORMAT_VERSION};
use super::ImagePlan;
use crate::addr::{StackAddr, Target};
use crate::config::Environment;
use crate::discover::scope::PendingAccount;

#[derive(Debug, thiserror::Error)]
pub enum PlanFileError {
    #[error("reading the plan {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not an irready plan")]
    Parse {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error(
        "{path} is a plan of format version {found}, and this irready reads version \
         {FORMAT_VERSION}: make the plan again"
    )]
    Version { path: PathBuf, found: u64 },
    #[error(
        "the template of {addr} in {path} does not match its fingerprint: the plan file was \
         changed after it was made"
    )]
    Tampered { path: PathBuf, addr: StackAddr },
    #[error(
        "the plan was made from environment `{planned}` ({planned_file}), not from `{given}` \
         ({given_file})"
    )]
    OtherEnvironment {
        planned: String,
        planned_file: String,
        given: String,
        given_file: String,
    },
    #[error(
        "the environment file {file} changed since the plan was made from it: make the plan \
         again"
    )]
    EnvironmentChanged { file: String },
}

/// Reads a saved plan, refusing another format version and templates that do not match
/// their recorded fingerprint (a hand-edited plan would otherwise deploy something nobody
/// reviewed under a fingerprint that says otherwise).
pub fn load(path: &Path) -> Result<Plan, PlanFileError> {
    let text = std::fs::read_to_string(path).map_err(|source| PlanFileError::Read {
        path: path.to_owned(),
        source,
    })?;
    let parse = |source| PlanFileError::Parse {
        path: path.to_owned(),
        source,
    };
    let value: Value = serde_json::from_str(&text).map_err(parse)?;
    let found = value
        .get("format_version")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    if found != u64::from(FORMAT_VERSION) {
        return Err(PlanFileError::Version {
            path: path.to_owned(),
            found,
        });
    }
    let plan: Plan = serde_json::from_value(value).map_err(parse)?;
    for stack in &plan.stacks {
        let Some(template) = &stack.template else {
            continue;
        };
        if crate::render::fingerprint(&template.body).ok().as_ref() != Some(&template.sha256) {
            return Err(PlanFileError::Tampered {
                path: path.to_owned(),
                addr: stack.addr.clone(),
            });
        }
    }
    Ok(plan)
}

/// Refuses a plan made from another environment, or from another version of its file.
pub fn check_environment(plan: &Plan, env: &Environment) -> Result<(), PlanFileError> {
    if plan.environment.name != env.name {
        return Err(PlanFileError::OtherEnvironment {
            planned: plan.environment.name.clone(),
            planned_file: plan.environment.file.clone(),
            given: env.name.clone(),
            given_file: env.file.display().to_string(),
        });
    }
    if plan.environment.file_sha256 != env.file_sha256 {
        return Err(PlanFileError::EnvironmentChanged {
            file: env.file.display().to_string(),
        });
    }
    Ok(())
}

/// What exists now, read again before a saved plan is applied or shown.
#[derive(Debug, Clone, Default)]
pub struct Current {
    /// Every stack of the environment in the targets read, by address.
    pub stacks: BTreeMap<StackAddr, Fingerprint>,
    /// The targets that could be read.
    pub read: BTreeSet<Target>,
    /// The analysis images as they would be planned now.
    pub images: Vec<ImagePlan>,
    /// The forensic account still to be created, if any.
    pub create_account: Option<PendingAccount>,
    /// The workload logging as it would be planned now.
    pub workloads: super::workloads::WorkloadPlan,
}

/// Something a saved plan saw that is no longer so.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum StaleItem {
    Stack(StackAddr),
    Image {
        target: Target,
        image: String,
    },
    Account(String),
    /// A workload setting the plan configures.
    Workload {
        target: Target,
        resource_id: String,
        name: String,
    },
}

impl fmt::Display for StaleItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Stack(addr) => write!(f, "{addr}"),
            Self::Image { target, image } => write!(f, "image {image} in {target}"),
            Self::Account(name) => write!(f, "forensic account {name}"),
            Self::Workload { target, name, .. } => write!(f, "workload {name} in {target}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Stale {
    pub item: StaleItem,
    pub why: String,
}

fn describe(fingerprint: &Fingerprint) -> String {
    match fingerprint {
        Fingerprint::Absent => "absent".to_owned(),
        Fingerprint::Present {
            status,
            last_updated,
            template_sha256,
            ..
        } => {
            let mut text = status.to_string();
            if let Some(at) = last_updated {
                text.push_str(&format!(", updated {}", at.format("%Y-%m-%dT%H:%M:%SZ")));
            }
            if let Some(sha) = template_sha256 {
                text.push_str(&format!(", template {}", &sha[..sha.len().min(12)]));
            }
            text
        }
    }
}

/// The parts of `plan` that changed since it was made: stacks whose fingerprint differs
/// (created, deleted, updated or in another state), stacks the plan did not see, image
/// copies that would now be made differently (or twice), and the forensic account it
/// creates if it exists by now.
pub fn staleness(plan: &Plan, now: &Current) -> Vec<Stale> {
    let mut stale = Vec::new();
    // Targets and stacks the plan could not read: it plans nothing there.
    let unread: BTreeSet<(&Target, Option<&String>)> = plan
        .errors
        .iter()
        .map(|e| (&e.target, e.stack.as_ref()))
        .collect();
    let ignored = |addr: &StackAddr| {
        let target = addr.target();
        unread.contains(&(&target, None)) || unread.contains(&(&target, Some(&addr.stack)))
    };
    let planned: BTreeMap<&StackAddr, &StackPlan> =
        plan.stacks.iter().map(|s| (&s.addr, s)).collect();
    for stack in &plan.stacks {
        if !now.read.contains(&stack.addr.target()) {
            stale.push(Stale {
                item: StaleItem::Stack(stack.addr.clone()),
                why: "its target cannot be read now".to_owned(),
            });
            continue;
        }
        let current = now.stacks.get(&stack.addr).unwrap_or(&Fingerprint::Absent);
        if *current != stack.before {
            stale.push(Stale {
                item: StaleItem::Stack(stack.addr.clone()),
                why: format!(
                    "planned when {}, now {}",
                    describe(&stack.before),
                    describe(current)
                ),
            });
        }
    }
    for (addr, current) in &now.stacks {
        if planned.contains_key(addr) || ignored(addr) {
            continue;
        }
        stale.push(Stale {
            item: StaleItem::Stack(addr.clone()),
            why: format!("not in the plan, now {}", describe(current)),
        });
    }
    let images: BTreeMap<(&Target, &String), &ImagePlan> = now
        .images
        .iter()
        .map(|i| ((&i.target, &i.image), i))
        .collect();
    for image in plan.images.iter().filter(|i| i.is_change()) {
        if images.get(&(&image.target, &image.image)) != Some(&image) {
            stale.push(Stale {
                item: StaleItem::Image {
                    target: image.target.clone(),
                    image: image.image.clone(),
                },
                why: "the copy the plan makes is no longer needed or comes from elsewhere"
                    .to_owned(),
            });
        }
    }
    // A configure action is applied only over the setting it was planned from.
    for action in &plan.workloads.configure {
        let item = StaleItem::Workload {
            target: action.target.clone(),
            resource_id: action.resource_id.clone(),
            name: action.name.clone(),
        };
        let why = if !now.read.contains(&action.target) {
            Some("its target cannot be read now".to_owned())
        } else {
            match now
                .workloads
                .configure
                .iter()
                .find(|c| c.target == action.target && c.resource_id == action.resource_id)
            {
                None => Some(format!(
                    "{} was {} when planned, and needs no change now",
                    action.setting, action.before
                )),
                Some(current) if current.before != action.before => Some(format!(
                    "{} was {} when planned, now {}",
                    action.setting, action.before, current.before
                )),
                Some(_) => None,
            }
        };
        if let Some(why) = why {
            stale.push(Stale { item, why });
        }
    }
    if let Some(account) = &plan.create_account {
        if now.create_account.as_ref() != Some(account) {
            stale.push(Stale {
                item: StaleItem::Account(account.name.clone()),
                why: "the account exists now, or is no longer asked for".to_owned(),
            });
        }
    }
    stale.sort();
    stale
}

/// The plan without its stale parts, and the changing stacks left out because they need
/// one of them (a stack they depend on, an output or image copy they read).
pub fn without_stale(plan: &Plan, stale: &[Stale]) -> (Plan, Vec<Stale>) {
    let mut gone_stacks: BTreeSet<StackAddr> = BTreeSet::new();
    let mut gone_images: BTreeSet<(Target, String)> = BTreeSet::new();
    let mut gone_workloads: BTreeSet<(Target, String)> = BTreeSet::new();
    for s in stale {
        match &s.item {
            StaleItem::Stack(addr) => {
                gone_stacks.insert(addr.clone());
            }
            StaleItem::Image { target, image } => {
                gone_images.insert((target.clone(), image.clone()));
            }
            StaleItem::Account(_) => {}
            StaleItem::Workload {
                target,
                resource_id,
                ..
            } => {
                gone_workloads.insert((target.clone(), resource_id.clone()));
            }
        }
    }
    let changing: BTreeSet<&StackAddr> = plan
        .stacks
        .iter()
        .filter(|s| s.action.is_change())
        .map(|s| &s.addr)
        .collect();
    let mut dependents = Vec::new();
    loop {
        let mut more = Vec::new();
        for stack in plan.stacks.iter().filter(|s| s.action.is_change()) {
            if gone_stacks.contains(&stack.addr) {
                continue;
            }
            let needs = stack
                .depends_on
                .iter()
                .find(|d| changing.contains(d) && gone_stacks.contains(*d))
                .map(ToString::to_string)
                .or_else(|| {
                    stack.deferred.iter().find_map(|d| match &d.source {
                        ValueSource::StackOutput { stack: source, .. } => {
                            gone_stacks.contains(source).then(|| source.to_string())
                        }
                        ValueSource::CopiedImage { target, image } => gone_images
                            .contains(&(target.clone(), image.clone()))
                            .then(|| format!("image {image} in {target}")),
                    })
                });
            if let Some(needed) = needs {
                more.push(Stale {
                    item: StaleItem::Stack(stack.addr.clone()),
                    why: format!("needs {needed}, which is stale"),
                });
            }
        }
        if more.is_empty() {
            break;
        }
        for s in &more {
            if let StaleItem::Stack(addr) = &s.item {
                gone_stacks.insert(addr.clone());
            }
        }
        dependents.extend(more);
    }
    let mut fresh = plan.clone();
    fresh.stacks.retain(|s| !gone_stacks.contains(&s.addr));
    fresh.hazards.retain(|h| !gone_stacks.contains(&h.addr));
    fresh
        .images
        .retain(|i| !gone_images.contains(&(i.target.clone(), i.image.clone())));
    fresh
        .workloads
        .configure
        .retain(|c| !gone_workloads.contains(&(c.target.clone(), c.resource_id.clone())));
    if stale
        .iter()
        .any(|s| matches!(s.item, StaleItem::Account(_)))
    {
        fresh.create_account = None;
    }
    (fresh, dependents)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::StackAction;
    use crate::render::Component;

    fn addr(stack: &str) -> StackAddr {
        StackAddr::new(
            &Target::new(
                "111111111111".parse().unwrap(),
                "us-east-1".parse().unwrap(),
            ),
            stack,
        )
    }

    fn present(id: &str) -> Fingerprint {
        Fingerprint::Present {
            stack_id: id.to_owned(),
            status: crate::aws::cfn::StackStatus::CreateComplete,
            last_updated: None,
            template_sha256: Some("abc".to_owned()),
        }
    }

    fn stack(name: &str, action: StackAction, before: Fingerprint, deps: &[&str]) -> StackPlan {
        StackPlan {
            addr: addr(name),
            component: Component::Access,
            action,
            reason: None,
            before,
            template: None,
            tags: BTreeMap::new(),
            depends_on: deps.iter().map(|d| addr(d)).collect(),
            resources: Vec::new(),
            deferred: Vec::new(),
            imports: Vec::new(),
        }
    }

    fn plan(stacks: Vec<StackPlan>) -> Plan {
        Plan::of_stacks(stacks)
    }

    fn now(stacks: &[(&str, Fingerprint)]) -> Current {
        Current {
            stacks: stacks.iter().map(|(n, f)| (addr(n), f.clone())).collect(),
            read: BTreeSet::from([addr("x").target()]),
            ..Current::default()
        }
    }

    fn names(stale: &[Stale]) -> Vec<String> {
        stale.iter().map(|s| s.item.to_string()).collect()
    }

    #[test]
    fn an_unchanged_organization_leaves_the_plan_fresh() {
        let p = plan(vec![
            stack("a", StackAction::Create, Fingerprint::Absent, &[]),
            stack("b", StackAction::NoOp, present("b1"), &[]),
        ]);
        assert!(staleness(&p, &now(&[("b", present("b1"))])).is_empty());
    }

    #[test]
    fn a_created_updated_or_unplanned_stack_makes_it_stale() {
        let p = plan(vec![
            stack("a", StackAction::Create, Fingerprint::Absent, &[]),
            stack("b", StackAction::Update, present("b1"), &[]),
        ]);
        let updated = Fingerprint::Present {
            stack_id: "b1".into(),
            status: crate::aws::cfn::StackStatus::UpdateComplete,
            last_updated: None,
            template_sha256: Some("def".into()),
        };
        let stale = staleness(
            &p,
            &now(&[("a", present("a1")), ("b", updated), ("c", present("c1"))]),
        );
        let base = "111111111111/us-east-1";
        assert_eq!(
            names(&stale),
            [
                format!("{base}/a"),
                format!("{base}/b"),
                format!("{base}/c")
            ]
        );
        assert_eq!(
            stale[0].why,
            "planned when absent, now CREATE_COMPLETE, template abc"
        );
    }

    #[test]
    fn skipping_stale_stacks_skips_what_depends_on_them() {
        let p = plan(vec![
            stack("core", StackAction::Update, present("c"), &[]),
            stack("base", StackAction::Create, Fingerprint::Absent, &["core"]),
            stack("other", StackAction::Create, Fingerprint::Absent, &[]),
        ]);
        let stale = vec![Stale {
            item: StaleItem::Stack(addr("core")),
            why: String::new(),
        }];
        let (fresh, dependents) = without_stale(&p, &stale);
        let left: Vec<&str> = fresh.stacks.iter().map(|s| s.addr.stack.as_str()).collect();
        assert_eq!(left, ["other"]);
        assert_eq!(names(&dependents), ["111111111111/us-east-1/base"]);
    }
}
