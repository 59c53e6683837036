//! Deploys and removes a tabletop exercise's stack (see `tabletop`): a CREATE change set
//! executed and awaited, or a deletion awaited. The exercise stack is not in any plan, so
//! these are the only calls that touch it.

use std::collections::BTreeMap;

use chrono::Utc;

use super::{delete_and_wait, failed_events, wait_change_set, wait_stack, ApplyOptions, Outcome};
use crate::addr::StackAddr;
use crate::aws::cfn::{self, ChangeSetKind, ChangeSetRequest};
use crate::aws::{AccountSession, Aws};

/// Creates the exercise stack `addr` from `body`.
pub async fn deploy(
    aws: &Aws,
    session: &AccountSession,
    addr: &StackAddr,
    body: &str,
    tags: &BTreeMap<String, String>,
    options: &ApplyOptions,
    progress: &dyn super::Progress,
) -> Result<(), String> {
    let region = &addr.region;
    let started = Utc::now() - chrono::Duration::seconds(5);
    let name = format!("irready-{}", Utc::now().format("%Y%m%d%H%M%S%3f"));
    progress.step(addr, "creating change set");
    let request = ChangeSetRequest {
        stack: &addr.stack,
        name: &name,
        kind: ChangeSetKind::Create,
        template_body: body,
        tags,
        description: "irready tabletop exercise",
        imports: &[],
    };
    cfn::create_change_set(aws, session, region, &request)
        .await
        .map_err(|e| e.to_string())?;
    let state = wait_change_set(aws, session, addr, &name, options)
        .await
        .map_err(|e| e.to_string())?;
    if state.status == "FAILED" {
        let _ = cfn::delete_change_set(aws, session, region, &addr.stack, &name).await;
        let _ = cfn::delete_stack(aws, session, region, &addr.stack).await;
        return Err(format!(
            "change set failed: {}",
            state.status_reason.unwrap_or_default()
        ));
    }
    progress.step(addr, &format!("executing {} changes", state.changes.len()));
    let executed = cfn::execute_change_set(aws, session, region, &addr.stack, &name).await;
    let status = match executed {
        Ok(()) => wait_stack(aws, session, addr, options, progress)
            .await
            .map_err(|e| e.to_string())?,
        Err(err) => err.to_string(),
    };
    if status.ends_with("_COMPLETE") && !status.contains("ROLLBACK") {
        return Ok(());
    }
    let events = failed_events(aws, session, addr, started).await;
    Err(format!(
        "the exercise stack ended {status}: {}",
        events.join("; ")
    ))
}

/// Deletes the exercise stack `addr` and waits until it is gone.
pub async fn remove(
    aws: &Aws,
    session: &AccountSession,
    addr: &StackAddr,
    options: &ApplyOptions,
    progress: &dyn super::Progress,
) -> Result<(), String> {
    delete_and_wait(aws, session, addr, options, progress)
        .await
        .map_err(|outcome| match outcome {
            Outcome::Failed { error, events } if events.is_empty() => error,
            Outcome::Failed { error, events } => format!("{error}: {}", events.join("; ")),
            other => format!("{other:?}"),
        })
}
