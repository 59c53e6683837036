//! Deploys and removes a tabletop exercise's stack (see `tabletop`). The exercise stack is
//! not in any plan, so these are the only calls that touch it; they go through the same
//! change-set runner as apply, which executes a change set only when it holds exactly
//! what the template adds.

use std::collections::BTreeMap;

use super::change_set::{ChangeSet, Runner};
use super::Outcome;
use crate::addr::StackAddr;
use crate::aws::cfn::{self, ChangeSetKind};
use crate::aws::ec2;

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

/// Deletes the exercise stack `addr` and waits until it is gone. An instance the
/// exercise planted and `irready respond isolate-instance` protected from termination
/// (which a release leaves on) is made terminable first: it is irready's own, and the
/// stack cannot be deleted otherwise.
pub async fn remove(runner: &Runner<'_>, addr: &StackAddr) -> Result<(), String> {
    let resources = cfn::stack_resources(runner.aws, runner.session, &addr.region, &addr.stack)
        .await
        .map_err(|e| e.to_string())?;
    for resource in resources.values() {
        if let ("AWS::EC2::Instance", Some(instance)) =
            (resource.resource_type.as_str(), &resource.physical_id)
        {
            ec2::allow_termination(runner.aws, runner.session, &addr.region, instance)
                .await
                .map_err(|e| format!("turning termination protection off on {instance}: {e}"))?;
        }
    }
    runner.delete(addr).await.map_err(describe)
}

fn describe(outcome: Outcome) -> String {
    match outcome {
        Outcome::Failed { error, events } if events.is_empty() => error,
        Outcome::Failed { error, events } => format!("{error}: {}", events.join("; ")),
        other => format!("{other:?}"),
    }
}
