//! The plan as Markdown for a pull-request comment: the summary, the data-safety section
//! first, a table of changing stacks, and each stack's changes folded in a diff block.

use std::fmt::Write;

use super::plan_text;
use crate::plan::{Plan, StackAction};

/// `stale` lists the parts of a saved plan that changed since it was made, as
/// `what: why` lines; they are shown as a warning at the top.
pub fn render(plan: &Plan, stale: &[String]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "### irready plan: `{}` ({})\n",
        plan.environment.name, plan.environment.file
    );
    if !stale.is_empty() {
        let _ = writeln!(
            out,
            "> [!WARNING]\n> **Stale plan**: these changed since the plan was made; apply \
             refuses it (or skips them with `--skip-stale`).\n>"
        );
        for line in stale {
            let _ = writeln!(out, "> - {line}");
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "**{}**\n",
        plain(&plan_text::summary_line(plan)).trim_end()
    );
    if !plan.hazards.is_empty() {
        let _ = writeln!(
            out,
            "#### :warning: Data safety\n\n| | where | resource | change |\n|---|---|---|---|"
        );
        for hazard in &plan.hazards {
            let label = if hazard.kind.is_data_loss() {
                ":red_circle: data loss"
            } else {
                ":orange_circle: widens access"
            };
            let _ = writeln!(
                out,
                "| {label} | `{}` | `{}` {} | {} |",
                plan_text::hazard_place(plan, hazard),
                hazard.logical_id,
                hazard.resource_type,
                plan_text::describe_hazard(&hazard.kind).replace('|', "\\|")
            );
        }
        if plan.has_data_loss() {
            let _ = writeln!(
                out,
                "\nApply refuses the data losses without `--allow-data-loss`."
            );
        }
        out.push('\n');
    }
    if let Some(account) = &plan.create_account {
        let _ = writeln!(
            out,
            "Creates the forensic account **{}** ({}) in `{}`; its stacks are planned once it \
             exists.\n",
            account.name, account.email, account.parent_path
        );
    }
    for access in &plan.trusted_access {
        let _ = writeln!(
            out,
            "Enables trusted access for `{}` in the organization (needed by {}).\n",
            access.service, access.needed_by
        );
    }
    let changing: Vec<_> = plan
        .stacks
        .iter()
        .filter(|s| s.action.is_change())
        .collect();
    if !changing.is_empty() {
        let _ = writeln!(
            out,
            "| stack | account | region | action | resources |\n|---|---|---|---|---|"
        );
        for stack in &changing {
            let action = match stack.action {
                StackAction::NoOp => "unchanged",
                StackAction::Create => "create",
                StackAction::Update => "update",
                StackAction::Delete => "delete",
                StackAction::Recreate => "delete and create again",
            };
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {action} | {} |",
                stack.addr.stack,
                plan.account_label(&stack.addr.account),
                stack.addr.region,
                stack.resources.len()
            );
        }
        out.push('\n');
        for stack in &changing {
            let mut text = String::new();
            plan_text::stack_text(&mut text, plan, stack);
            let _ = writeln!(
                out,
                "<details><summary><code>{}</code> in {} / {}</summary>\n\n```diff\n{}```\n\n</details>\n",
                stack.addr.stack,
                plan.account_label(&stack.addr.account),
                stack.addr.region,
                // Lines of a diff block start with their marker: move it to the front.
                diff_lines(&plain(&text))
            );
        }
    }
    if !plan.errors.is_empty() {
        let _ = writeln!(out, "#### Not planned\n");
        for error in &plan.errors {
            let place = match &error.stack {
                Some(stack) => format!("{}/{stack}", error.target),
                None => error.target.to_string(),
            };
            let _ = writeln!(out, "- `{place}`: {}", error.message);
        }
    }
    if !plan.workloads.is_empty() {
        let mut text = String::new();
        super::workloads_text::render(&mut text, plan);
        let _ = writeln!(
            out,
            "\n#### Workload logging\n\n```\n{}```",
            plain(&text).trim_start_matches("Workload logging:\n")
        );
    }
    out
}

fn plain(text: &str) -> String {
    console::strip_ansi_codes(text).into_owned()
}

/// Text plan lines with their `+` or `-` marker moved to the first column, where a diff
/// block looks for it; other lines get a space there.
fn diff_lines(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let first = line.trim_start().chars().next();
        let shown = match first {
            // `-/+` (replace) reads as a removal first.
            Some(m @ ('+' | '-')) => format!("{m}{}", line.replacen(m, " ", 1)),
            _ => format!(" {line}"),
        };
        let _ = writeln!(out, "{}", shown.trim_end());
    }
    out
}
