//! The workload logging part of the plan as text: one `~ configure` line per setting
//! apply changes, then the resources left alone and why.

use std::fmt::Write;

use console::style;

use crate::plan::workloads::LeftAlone;
use crate::plan::Plan;

pub fn render(out: &mut String, plan: &Plan) {
    let workloads = &plan.workloads;
    if workloads.is_empty() {
        return;
    }
    let _ = writeln!(out, "{}", style("Workload logging:").bold());
    for action in &workloads.configure {
        let account = plan.account_label(&action.target.account);
        let _ = writeln!(
            out,
            "  {} {}",
            style("~").yellow(),
            style(action.describe(&account)).yellow()
        );
    }
    for action in &workloads.by_stack {
        let account = plan.account_label(&action.target.account);
        let _ = writeln!(
            out,
            "  {} {}",
            style("+").green(),
            style(format!(
                "{}, through the workload-logging stack",
                action.describe(&account).trim_start_matches("configure ")
            ))
            .green()
        );
    }
    let left = |out: &mut String, mark: &str, item: &LeftAlone| {
        let _ = writeln!(
            out,
            "  {mark} {} {} in {}/{}: {}",
            item.resource_type.label(),
            item.name,
            plan.account_label(&item.target.account),
            item.target.region,
            item.reason
        );
    };
    for item in &workloads.kept {
        left(out, "=", item);
    }
    for item in &workloads.excluded {
        left(out, "-", item);
    }
    out.push('\n');
}
