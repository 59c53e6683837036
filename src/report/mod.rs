//! Views over plans, apply results and check reports: human text, Markdown, JSON and, for
//! check reports, the CI and browser formats of `report::check`. Reads the data it is given
//! and decides nothing.

pub mod check;
pub mod plan_markdown;
pub mod plan_text;
pub mod workloads_text;

use crate::plan::Plan;

/// The plan as its versioned JSON document.
pub fn plan_json(plan: &Plan) -> String {
    serde_json::to_string_pretty(plan).expect("plans serialize")
}
