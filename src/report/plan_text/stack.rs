//! One stack of the plan as text: its action, the resources it changes and, per
//! resource, each property's old and new value (inline when short, a line diff when long
//! or structured).

use std::fmt::Write;

use console::{style, StyledObject};
use serde_json::Value;
use similar::{ChangeTag, TextDiff};

use super::INLINE_LIMIT;
use crate::plan::{
    Fingerprint, Plan, PropertyChange, ResourceAction, ResourceChange, StackAction, StackPlan,
};

fn action_style(action: ResourceAction, text: String) -> StyledObject<String> {
    match action {
        ResourceAction::Add => style(text).green(),
        ResourceAction::Modify => style(text).yellow(),
        ResourceAction::Remove | ResourceAction::Replace => style(text).red(),
    }
}

pub(crate) fn stack_text(out: &mut String, plan: &Plan, stack: &StackPlan) {
    let (symbol, verb) = match stack.action {
        StackAction::NoOp => (style("=".to_owned()).dim(), "unchanged"),
        StackAction::Create => (style("+".to_owned()).green(), "create"),
        StackAction::Update => (style("~".to_owned()).yellow(), "update"),
        StackAction::Delete => (style("-".to_owned()).red(), "delete"),
        StackAction::Recreate => (style("-/+".to_owned()).red(), "delete and create again"),
    };
    let _ = writeln!(
        out,
        "{} {} / {} / {}  [{}]",
        style("#").dim(),
        plan.account_label(&stack.addr.account),
        stack.addr.region,
        style(&stack.addr.stack).bold(),
        stack.component
    );
    let mut line = format!("{symbol} {verb} stack");
    if let Some(reason) = &stack.reason {
        let _ = write!(line, ": {reason}");
    }
    if let (StackAction::Update, Fingerprint::Present { stack_id, .. }) =
        (stack.action, &stack.before)
    {
        if stack.resources.is_empty() {
            let _ = write!(line, " (outputs or description only; {stack_id})");
        }
    }
    let _ = writeln!(out, "{line}");
    for import in &stack.imports {
        let line = format!(
            " <= import {} {} ({})",
            import.logical_id,
            import.resource_type,
            import.label()
        );
        let _ = writeln!(out, "    {}", style(line).cyan());
    }
    if !stack.imports.is_empty() {
        let _ = writeln!(
            out,
            "      (kept by an earlier destroy: taken into the stack with their data, not created)"
        );
        if stack
            .resources
            .iter()
            .any(|r| r.resource_type == "AWS::KMS::Key")
        {
            let _ = writeln!(
                out,
                "      (keys have no name to find them by: new ones are made; the old ones stay, \
                 and what they encrypted stays readable)"
            );
        }
    }
    let width = stack
        .resources
        .iter()
        .map(|r| r.logical_id.len())
        .max()
        .unwrap_or(0);
    for resource in &stack.resources {
        resource_text(out, resource, width);
    }
    out.push('\n');
}

fn resource_text(out: &mut String, resource: &ResourceChange, width: usize) {
    let head = format!(
        "{:>3} {:<width$}  {}",
        resource.action.symbol(),
        resource.logical_id,
        resource.resource_type
    );
    let mut notes = Vec::new();
    if resource.action == ResourceAction::Replace {
        let causes: Vec<&str> = resource
            .properties
            .iter()
            .filter(|p| p.forces_replacement)
            .map(|p| p.path.as_str())
            .collect();
        notes.push(format!(
            "replaced: {} cannot change in place",
            causes.join(", ")
        ));
    }
    if resource.data_bearing && resource.action.is_destructive() {
        notes.push("holds data".to_owned());
    }
    let notes = if notes.is_empty() {
        String::new()
    } else {
        format!("  ({})", notes.join("; "))
    };
    let _ = writeln!(
        out,
        "    {}{}",
        action_style(resource.action, head),
        style(notes).red()
    );
    for property in &resource.properties {
        property_text(out, property);
    }
}

fn compact(value: &Value) -> String {
    serde_json::to_string(value).expect("values serialize")
}

fn property_text(out: &mut String, p: &PropertyChange) {
    let indent = "          ";
    let marker = if p.forces_replacement {
        " # forces replacement"
    } else {
        ""
    };
    match (&p.before, &p.after) {
        (None, Some(after)) => {
            block(
                out,
                indent,
                &format!("+ {}", p.path),
                after,
                ChangeTag::Insert,
                marker,
            );
        }
        (Some(before), None) => {
            block(
                out,
                indent,
                &format!("- {}", p.path),
                before,
                ChangeTag::Delete,
                marker,
            );
        }
        (Some(before), Some(after)) => {
            let (b, a) = (compact(before), compact(after));
            let structured = !before.is_string() && !before.is_number() && !before.is_boolean()
                || !after.is_string() && !after.is_number() && !after.is_boolean();
            if !structured && b.len() + a.len() <= INLINE_LIMIT * 2 {
                let _ = writeln!(
                    out,
                    "{indent}{} {}: {} → {}{}",
                    style("~").yellow(),
                    p.path,
                    style(b).red(),
                    style(a).green(),
                    style(marker).red()
                );
            } else {
                let _ = writeln!(
                    out,
                    "{indent}{} {}:{}",
                    style("~").yellow(),
                    p.path,
                    style(marker).red()
                );
                let (old, new) = (pretty(before), pretty(after));
                let diff = TextDiff::from_lines(&old, &new);
                for group in diff.grouped_ops(3) {
                    for op in group {
                        for change in diff.iter_changes(&op) {
                            let text = change.value().trim_end_matches('\n');
                            let line = match change.tag() {
                                ChangeTag::Delete => style(format!("- {text}")).red(),
                                ChangeTag::Insert => style(format!("+ {text}")).green(),
                                ChangeTag::Equal => style(format!("  {text}")).dim(),
                            };
                            let _ = writeln!(out, "{indent}    {line}");
                        }
                    }
                }
            }
        }
        (None, None) => {}
    }
}

fn block(out: &mut String, indent: &str, head: &str, value: &Value, tag: ChangeTag, marker: &str) {
    let paint = |s: String| match tag {
        ChangeTag::Insert => style(s).green(),
        ChangeTag::Delete => style(s).red(),
        ChangeTag::Equal => style(s).dim(),
    };
    let text = compact(value);
    if text.len() <= INLINE_LIMIT {
        let _ = writeln!(
            out,
            "{indent}{}{}",
            paint(format!("{head}: {text}")),
            style(marker).red()
        );
    } else {
        let _ = writeln!(
            out,
            "{indent}{}{}",
            paint(format!("{head}:")),
            style(marker).red()
        );
        for line in pretty(value).lines() {
            let _ = writeln!(out, "{indent}    {}", paint(line.to_owned()));
        }
    }
}

fn pretty(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("values serialize");
    text.push('\n');
    text
}
