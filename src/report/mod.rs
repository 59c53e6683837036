//! Views over plans and apply results: human text, Markdown and JSON. Reads the data it is given
//! and decides nothing.

pub mod plan_markdown;
pub mod plan_text;

use crate::plan::Plan;

/// The plan as its versioned JSON document.
pub fn plan_json(plan: &Plan) -> String {
    serde_json::to_string_pretty(plan).expect("plans serialize")
}
