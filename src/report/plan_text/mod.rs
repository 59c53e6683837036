//! The plan as text, in the manner of `terraform plan`: per stack, per resource, per
//! property, then a summary line.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use console::style;

mod stack;

use crate::addr::{AccountId, Region};
use crate::plan::{
    ExistingFinding, Hazard, HazardKind, ImageAction, ImagePlan, Plan, ResourceAction, StackAction,
    StackPlan, Verdict,
};
pub(crate) use stack::stack_text;

/// Values longer than this, or structured, are shown as a line diff rather than inline.
const INLINE_LIMIT: usize = 60;

pub fn render(plan: &Plan, verbose: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "irready plan for environment {} ({})",
        style(&plan.environment.name).bold(),
        plan.environment.file
    );
    let _ = writeln!(
        out,
        "Read {} accounts × {} regions ({} targets).",
        plan.scanned.accounts, plan.scanned.regions, plan.scanned.targets
    );
    if plan.scanned.trusted {
        let _ = writeln!(
            out,
            "--refresh=false: the facts irready's stacks recorded are trusted; drift, \
             resources made outside irready and the workloads' logging were not read."
        );
    }
    out.push('\n');

    hazards_text(&mut out, plan);

    if let Some(account) = &plan.create_account {
        let _ = writeln!(out, "{}", style("# organization").bold());
        let _ = writeln!(
            out,
            "{}",
            style(format!(
                "+ create forensic account {} ({}) in {}",
                account.name, account.email, account.parent_path
            ))
            .green()
        );
        let _ = writeln!(
            out,
            "  Its stacks and every stack that names it are planned once it exists: apply \
             creates it, then plans again.\n"
        );
    }

    if !plan.trusted_access.is_empty() {
        let _ = writeln!(out, "{}", style("# organization").bold());
        for access in &plan.trusted_access {
            let _ = writeln!(
                out,
                "{}",
                style(format!(
                    "+ enable trusted access for {} (needed by {})",
                    access.service, access.needed_by
                ))
                .green()
            );
        }
        let _ = writeln!(
            out,
            "  Apply enables it from the management account before any stack \
             (aws organizations enable-aws-service-access --service-principal ...).\n"
        );
    }

    if !plan.drift.is_empty() {
        let _ = writeln!(out, "{}", style("Changed outside irready:").bold());
        for drift in &plan.drift {
            let mark = if drift.repair.is_automatic() {
                style("~").yellow()
            } else {
                style("!").red().bold()
            };
            let _ = writeln!(
                out,
                "  {mark} {}/{}/{} {} ({}{}): {}",
                plan.account_label(&drift.stack.account),
                drift.stack.region,
                drift.stack.stack,
                drift.logical_id,
                drift.resource_type,
                drift
                    .physical_id
                    .as_deref()
                    .map(|id| format!(" {id}"))
                    .unwrap_or_default(),
                drift.change
            );
            let _ = writeln!(out, "      → {}", drift.repair.describe());
        }
        out.push('\n');
    }

    let changing = plan.stacks.iter().filter(|s| s.action.is_change()).count();
    if verbose || changing <= DETAIL_LIMIT {
        for stack in &plan.stacks {
            if stack.action.is_change() || verbose {
                stack_text(&mut out, plan, stack);
            }
        }
    } else {
        summary_text(&mut out, plan, changing);
    }

    images_text(&mut out, plan, verbose);
    if !plan.existing.is_empty() {
        existing_text(&mut out, plan);
    }
    super::workloads_text::render(&mut out, plan);

    if !plan.errors.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            style("Errors (nothing is planned for these):").red().bold()
        );
        // An account that refuses the role fails each of its regions with the same
        // error: one line per account and error, naming the regions.
        let mut grouped: BTreeMap<(&AccountId, Option<&String>, &String), Vec<&Region>> =
            BTreeMap::new();
        for error in &plan.errors {
            grouped
                .entry((&error.target.account, error.stack.as_ref(), &error.message))
                .or_default()
                .push(&error.target.region);
        }
        for ((account, stack, message), mut regions) in grouped {
            regions.sort();
            let regions: Vec<String> = regions.iter().map(ToString::to_string).collect();
            let mut place = format!("{}/{}", plan.account_label(account), regions.join(","));
            if let Some(stack) = stack {
                let _ = write!(place, "/{stack}");
            }
            let _ = writeln!(out, "  {} {place}: {message}", style("!").red().bold());
        }
        out.push('\n');
    }
    let _ = writeln!(out, "{}", summary_line(plan));
    out
}

/// Beyond this many changing stacks the text shows a summary per component and per
/// account rather than every stack: 1,000 targets stay readable. `--verbose` and the
/// JSON plan have every stack, resource and property.
pub const DETAIL_LIMIT: usize = 30;

/// Counts of one group of changing stacks.
#[derive(Default)]
struct Tally {
    stacks: [usize; 4],
    add: usize,
    change: usize,
    destroy: usize,
    regions: BTreeSet<Region>,
}

impl Tally {
    fn count(&mut self, stack: &StackPlan) {
        let slot = match stack.action {
            StackAction::NoOp => return,
            StackAction::Create => 0,
            StackAction::Update => 1,
            StackAction::Delete => 2,
            StackAction::Recreate => 3,
        };
        self.stacks[slot] += 1;
        self.regions.insert(stack.addr.region.clone());
        for resource in &stack.resources {
            match resource.action {
                ResourceAction::Add => self.add += 1,
                ResourceAction::Modify => self.change += 1,
                ResourceAction::Remove => self.destroy += 1,
                ResourceAction::Replace => {
                    self.add += 1;
                    self.destroy += 1;
                }
            }
        }
    }

    /// `5 stacks (4 create, 1 update)`.
    fn stacks(&self) -> String {
        let verbs = ["create", "update", "delete", "recreate"];
        let stacks: Vec<String> = (self.stacks.iter().zip(verbs))
            .filter(|(n, _)| **n > 0)
            .map(|(n, verb)| format!("{n} {verb}"))
            .collect();
        format!(
            "{} stacks ({})",
            self.stacks.iter().sum::<usize>(),
            stacks.join(", ")
        )
    }

    /// `12 resources to add, 1 to change, 0 to destroy`.
    fn resources(&self) -> String {
        format!(
            "{} resources to add, {} to change, {} to destroy",
            self.add, self.change, self.destroy
        )
    }
}

/// The changes of a large plan: one line per component, one per account that changes.
fn summary_text(out: &mut String, plan: &Plan, changing: usize) {
    let mut components: BTreeMap<String, Tally> = BTreeMap::new();
    let mut accounts: BTreeMap<&AccountId, Tally> = BTreeMap::new();
    for stack in plan.stacks.iter().filter(|s| s.action.is_change()) {
        components
            .entry(stack.component.to_string())
            .or_default()
            .count(stack);
        accounts
            .entry(&stack.addr.account)
            .or_default()
            .count(stack);
    }
    let _ = writeln!(
        out,
        "{} {changing} stacks change: a summary by component and by account (every stack, \
         resource and property: --verbose or --format json)\n",
        style("#").dim()
    );
    let _ = writeln!(out, "{}", style("By component:").bold());
    let width = components.keys().map(String::len).max().unwrap_or(0);
    for (component, tally) in &components {
        let _ = writeln!(
            out,
            "  {component:<width$}  {}: {}",
            tally.stacks(),
            tally.resources()
        );
    }
    let _ = writeln!(out, "\n{}", style("By account:").bold());
    let labels: Vec<(String, &Tally)> = accounts
        .iter()
        .map(|(account, tally)| (plan.account_label(account), tally))
        .collect();
    let width = labels
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(0);
    for (label, tally) in labels {
        let regions: Vec<String> = tally.regions.iter().map(ToString::to_string).collect();
        let _ = writeln!(
            out,
            "  {label:<width$}  {} in {}: {}",
            tally.stacks(),
            regions.join(", "),
            tally.resources()
        );
    }
    out.push('\n');
}

/// `Plan: X to add, Y to change, Z to destroy across N stacks in A accounts × R regions.`
pub fn summary_line(plan: &Plan) -> String {
    let s = plan.summary();
    if !plan.has_changes() {
        return format!(
            "No changes. {} stacks in {} accounts × {} regions are up to date.",
            s.stacks_total, plan.scanned.accounts, plan.scanned.regions
        );
    }
    let replace = if s.replace > 0 {
        format!(" ({} replaced)", s.replace)
    } else {
        String::new()
    };
    if let Some(account) = &plan.create_account {
        return format!(
            "{} create forensic account {}, then plan again.",
            style("Plan:").bold(),
            account.name
        );
    }
    let mut images = match s.images_to_copy {
        0 => String::new(),
        1 => ", 1 image to copy".to_owned(),
        n => format!(", {n} images to copy"),
    };
    match s.repairs {
        0 => {}
        1 => images.push_str(", 1 repair"),
        n => images.push_str(&format!(", {n} repairs")),
    }
    match plan.trusted_access.len() {
        0 => {}
        1 => images.push_str(", 1 trusted access to enable"),
        n => images.push_str(&format!(", {n} trusted accesses to enable")),
    }
    match plan.workloads.configure.len() {
        0 => {}
        1 => images.push_str(", 1 workload setting to configure"),
        n => images.push_str(&format!(", {n} workload settings to configure")),
    }
    let import = match s.import {
        0 => String::new(),
        n => format!(", {} to import", style(n).cyan()),
    };
    format!(
        "{} {} to add{import}, {} to change, {} to destroy{replace} across {} stacks{images} in {} accounts × {} regions.",
        style("Plan:").bold(),
        style(s.add).green(),
        style(s.change).yellow(),
        style(s.destroy).red(),
        s.stacks_changed,
        plan.scanned.accounts,
        plan.scanned.regions
    )
}

/// What a hazard is, in words: `replaced; the old bucket is retained outside the stack`.
pub fn describe_hazard(kind: &HazardKind) -> String {
    match kind {
        HazardKind::DataLoss { action, retained } => {
            let what = match action {
                ResourceAction::Replace => "replaced",
                ResourceAction::Remove => "removed",
                ResourceAction::Add | ResourceAction::Modify => "changed",
            };
            if *retained {
                format!("{what}; the old one and its data stay, outside the stack and unmanaged")
            } else {
                format!("{what}; the resource and its data are deleted")
            }
        }
        HazardKind::NewTrustedPrincipals { principals } => {
            format!("newly trusts {}", principals.join(", "))
        }
        HazardKind::WiderIngress { rules } => format!("newly lets in {}", rules.join(", ")),
    }
}

/// Where a hazard is, with the account's name.
pub fn hazard_place(plan: &Plan, hazard: &Hazard) -> String {
    format!(
        "{}/{}/{}",
        plan.account_label(&hazard.addr.account),
        hazard.addr.region,
        hazard.addr.stack
    )
}

/// Data losses and access widenings, before everything else and in red.
fn hazards_text(out: &mut String, plan: &Plan) {
    if plan.hazards.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "{}",
        style("Data safety: review these changes first")
            .red()
            .bold()
    );
    for hazard in &plan.hazards {
        let label = if hazard.kind.is_data_loss() {
            "data loss"
        } else {
            "widens access"
        };
        let _ = writeln!(
            out,
            "  {} {}",
            style(format!("! {label}:")).red().bold(),
            style(format!(
                "{} {} {}: {}",
                hazard_place(plan, hazard),
                hazard.logical_id,
                hazard.resource_type,
                describe_hazard(&hazard.kind)
            ))
            .red()
        );
    }
    if plan.has_data_loss() {
        let _ = writeln!(
            out,
            "  {}",
            style("apply refuses data losses without --allow-data-loss").red()
        );
    }
    out.push('\n');
}

/// The analysis images: copies always, images already in place only when verbose.
fn images_text(out: &mut String, plan: &Plan, verbose: bool) {
    let shown: Vec<&ImagePlan> = plan
        .images
        .iter()
        .filter(|i| verbose || i.is_change())
        .collect();
    if shown.is_empty() {
        return;
    }
    let _ = writeln!(out, "{}", style("# analysis images").bold());
    for image in shown {
        let place = format!(
            "{}/{}",
            plan.account_label(&image.target.account),
            image.target.region
        );
        let line = match &image.action {
            ImageAction::Copy {
                source_region,
                source_image_id,
                source_name,
            } => style(format!(
                "+ copy {} into {place}: {source_image_id} ({source_name}) from {source_region}",
                image.image
            ))
            .green()
            .to_string(),
            ImageAction::Use {
                image_id,
                copied_earlier,
            } => format!(
                "  {} in {place}: {image_id}{}",
                image.image,
                if *copied_earlier {
                    " (irready's copy)"
                } else {
                    ""
                }
            ),
        };
        let _ = writeln!(out, "{line}");
    }
    out.push('\n');
}

/// Resources made outside irready, one line each with the gaps and what happens:
/// `=` satisfied (irready plans nothing for it), `~` falls short, `!` conflict.
fn existing_text(out: &mut String, plan: &Plan) {
    let _ = writeln!(
        out,
        "{}",
        style("Existing resources outside irready:").bold()
    );
    for finding in &plan.existing {
        existing_line(out, plan, finding);
    }
    out.push('\n');
}

fn existing_line(out: &mut String, plan: &Plan, finding: &ExistingFinding) {
    let mut subject = format!(
        "{} / {}  {}",
        plan.account_label(&finding.target.account),
        finding.target.region,
        finding.control.noun()
    );
    if let Some(vpc) = &finding.vpc {
        let _ = write!(subject, " on {vpc}");
    }
    let id = &finding.resource_id;
    match &finding.verdict {
        Verdict::Satisfied { note } => {
            let mut line = format!("{subject}: satisfied by existing {id}");
            if let Some(note) = note {
                let _ = write!(line, " ({note})");
            }
            let _ = writeln!(out, "  {} {line}", style("=").green());
        }
        Verdict::FallsShort { gaps, remedy } => {
            let _ = writeln!(
                out,
                "  {} {subject}: existing {id} falls short: {}",
                style("~").yellow(),
                gaps.join("; ")
            );
            let _ = writeln!(out, "      → {remedy}");
        }
        // The instruction names the gaps itself.
        Verdict::Conflict { instruction, .. } => {
            let _ = writeln!(
                out,
                "  {} {subject}: conflict with existing {id}",
                style("!").red().bold(),
            );
            let _ = writeln!(out, "      → {instruction}");
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::addr::{StackAddr, Target};
    use crate::plan::Fingerprint;
    use crate::plan::{Scanned, TargetError};
    use crate::render::Component;

    fn plan(accounts: usize) -> Plan {
        let mut stacks = Vec::new();
        let mut errors = Vec::new();
        for n in 0..accounts {
            let account: AccountId = format!("{:012}", 100_000_000_000 + n).parse().unwrap();
            for region in ["us-east-1", "eu-west-1"] {
                let target = Target::new(account.clone(), region.parse().unwrap());
                if n == 0 {
                    errors.push(TargetError {
                        target,
                        stack: None,
                        message: "sts:AssumeRole: AccessDenied: no".into(),
                    });
                    continue;
                }
                stacks.push(StackPlan {
                    addr: StackAddr::new(&target, "irready-t-regional-baseline"),
                    component: Component::RegionalBaseline,
                    action: StackAction::Create,
                    reason: None,
                    before: Fingerprint::Absent,
                    template: None,
                    tags: BTreeMap::new(),
                    depends_on: Vec::new(),
                    deferred: Vec::new(),
                    resources: Vec::new(),
                    imports: Vec::new(),
                });
            }
        }
        Plan {
            scanned: Scanned {
                accounts,
                regions: 2,
                targets: accounts * 2,
                trusted: false,
            },
            errors,
            ..Plan::of_stacks(stacks)
        }
    }

    #[test]
    fn a_large_plan_is_summarised_by_component_and_account_and_detailed_when_verbose() {
        console::set_colors_enabled(false);
        let large = plan(500);
        let text = render(&large, false);
        assert!(!text.contains("create stack"), "{text}");
        assert!(text.contains(
            "  regional-baseline  998 stacks (998 create): 0 resources to add, 0 to change, 0 to destroy"
        ), "{text}");
        assert!(
            text.contains(
                "  100000000001  2 stacks (2 create) in eu-west-1, us-east-1: 0 resources"
            ),
            "{text}"
        );
        // One line per account and error, whatever the number of regions.
        assert!(
            text.contains(
                "  ! 100000000000/eu-west-1,us-east-1: sts:AssumeRole: AccessDenied: no\n"
            ),
            "{text}"
        );
        assert!(text.lines().count() < 520, "{} lines", text.lines().count());
        assert_eq!(render(&large, true).matches("create stack").count(), 998);

        let small = plan(DETAIL_LIMIT / 2);
        assert!(render(&small, false).contains("create stack"));
    }
}
