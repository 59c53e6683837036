//! Deploys and removes a tabletop exercise's stack (see `tabletop`). The exercise stack is
//! not in any plan, so these are the only calls that touch it; they go through the same
//! change-set runner as apply, which executes a change set only when it holds exactly
//! what the template adds.

use std::collections::BTreeMap;

use super::change_set::{ChangeSet, Runner};
use super::Outcome;
use crate::addr::StackAddr;
use crate::aws::cfn::ChangeSetKind;

/// Creates the exercise stack `addr` from `body`: one CREATE change set, executed only if
/// it adds every resource of the template and nothing else.
pub async fn deploy(
    runner: &Runner<'_>,
    addr: &StackAddr,
    body: &str,
    tags: &BTreeMap<String, String>,
) -> Result<(), String> {
    let template = crate::plan::diff::parse_template(body)
        .map_err(|e| format!("the exercise template does not parse: {e}"))?;
    let expected = crate::plan::diff::diff_templates(None, Some(&template));
    let outcome = runner
        .run(&ChangeSet {
            addr,
            kind: ChangeSetKind::Create,
            body,
            tags,
            description: "irready tabletop exercise",
            expected: &expected,
            imports: &[],
        })
        .await;
    match outcome {
        Outcome::Applied { .. } => Ok(()),
        other => Err(describe(other)),
    }
}

/// Deletes the exercise stack `addr` and waits until it is gone.
pub async fn remove(runner: &Runner<'_>, addr: &StackAddr) -> Result<(), String> {
    runner.delete(addr).await.map_err(describe)
}

fn describe(outcome: Outcome) -> String {
    match outcome {
        Outcome::Failed { error, events } if events.is_empty() => error,
        Outcome::Failed { error, events } => format!("{error}: {}", events.join("; ")),
        other => format!("{other:?}"),
    }
}
