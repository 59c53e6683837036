//! One change set, run as the plan says: created, checked against the resource changes
//! the plan reviewed (`matches_plan`), executed only when it matches, and awaited. Every
//! stack operation irready makes goes through here: apply's creates, updates, imports
//! and deletions, and the tabletop exercise's stack.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use super::progress::Progress;
use super::{failed, ApplyOptions, Outcome};
use crate::addr::StackAddr;
use crate::aws::cfn::{
    self, ChangeAction, ChangeSetKind, ChangeSetRequest, ChangeSetState, ChangeSetStatus,
    Replacement, StackEvent, StackStatus,
};
use crate::aws::wait::{self, Poll};
use crate::aws::{AccountSession, Aws, AwsError};
use crate::plan::{ResourceAction, ResourceChange, ResourceImport};

/// Where and how stack operations run: the account's session, the timeouts, and who
/// hears about progress.
#[derive(Clone, Copy)]
pub struct Runner<'a> {
    pub aws: &'a Aws,
    pub session: &'a AccountSession,
    pub options: &'a ApplyOptions,
    pub progress: &'a dyn Progress,
}

/// One change set: what it is for and what the plan expects of it.
pub struct ChangeSet<'a> {
    pub addr: &'a StackAddr,
    pub kind: ChangeSetKind,
    pub body: &'a str,
    pub tags: &'a BTreeMap<String, String>,
    pub description: &'a str,
    /// The resource changes the plan reviewed: the change set must hold exactly these.
    pub expected: &'a [ResourceChange],
    pub imports: &'a [ResourceImport],
}

impl Runner<'_> {
    /// Creates the change set, checks it against the plan, executes it and waits for
    /// the stack. A change set that differs from the plan is deleted unexecuted.
    pub async fn run(&self, change: &ChangeSet<'_>) -> Outcome {
        let Runner {
            aws,
            session,
            progress,
            ..
        } = *self;
        let addr = change.addr;
        let region = &addr.region;
        let started = Utc::now() - chrono::Duration::seconds(5);
        let name = format!("irready-{}", Utc::now().format("%Y%m%d%H%M%S%3f"));
        progress.step(addr, "creating change set");
        let request = ChangeSetRequest {
            stack: &addr.stack,
            name: &name,
            kind: change.kind,
            template_body: change.body,
            tags: change.tags,
            description: change.description,
            imports: change.imports,
        };
        if let Err(err) = cfn::create_change_set(aws, session, region, &request).await {
            return failed(err);
        }
        let change_set = match self.wait_change_set(addr, &name).await {
            Ok(state) => state,
            Err(err) => return failed(err),
        };
        if change_set.status == ChangeSetStatus::Failed {
            let reason = change_set.status_reason.unwrap_or_default();
            let _ = cfn::delete_change_set(aws, session, region, &addr.stack, &name).await;
            if change.kind != ChangeSetKind::Update {
                // A never-executed CREATE change set leaves an empty REVIEW_IN_PROGRESS stack.
                let _ = cfn::delete_stack(aws, session, region, &addr.stack).await;
            }
            // An empty change set ends FAILED with "didn't contain changes": no change.
            if reason.contains("didn't contain changes") || reason.contains("No updates") {
                return Outcome::AlreadyCurrent;
            }
            return failed(format!("change set failed: {reason}"));
        }
        if let Err(mismatch) = matches_plan(change.expected, change.imports, &change_set) {
            let _ = cfn::delete_change_set(aws, session, region, &addr.stack, &name).await;
            if change.kind != ChangeSetKind::Update {
                let _ = cfn::delete_stack(aws, session, region, &addr.stack).await;
            }
            return failed(format!(
                "the change set does not match the plan, nothing was executed: {mismatch}"
            ));
        }
        progress.step(
            addr,
            &format!("executing {} changes", change_set.changes.len()),
        );
        if let Err(err) = cfn::execute_change_set(aws, session, region, &addr.stack, &name).await {
            return Outcome::Failed {
                error: err.to_string(),
                events: self.failed_events(addr, started).await,
            };
        }
        match self.wait_stack(addr).await {
            Ok(status) if status.succeeded() => Outcome::Applied {
                changes: change_set.changes.len(),
            },
            Ok(status) => Outcome::Failed {
                error: format!("the stack ended {status}"),
                events: self.failed_events(addr, started).await,
            },
            Err(err) => failed(err),
        }
    }

    /// Deletes the stack and waits until it is gone.
    pub async fn delete(&self, addr: &StackAddr) -> Result<(), Outcome> {
        let started = Utc::now() - chrono::Duration::seconds(5);
        cfn::delete_stack(self.aws, self.session, &addr.region, &addr.stack)
            .await
            .map_err(failed)?;
        match self.wait_stack(addr).await {
            Ok(StackStatus::DeleteComplete) => Ok(()),
            Ok(status) => Err(Outcome::Failed {
                error: format!("the stack ended {status}"),
                events: self.failed_events(addr, started).await,
            }),
            Err(err) => Err(failed(err)),
        }
    }

    async fn wait_change_set(
        &self,
        addr: &StackAddr,
        name: &str,
    ) -> Result<ChangeSetState, AwsError> {
        wait::until(
            "cloudformation:DescribeChangeSet",
            self.options.stack_timeout,
            || async {
                let state = cfn::describe_change_set(
                    self.aws,
                    self.session,
                    &addr.region,
                    &addr.stack,
                    name,
                )
                .await?;
                Ok(match state.status {
                    ChangeSetStatus::CreateComplete | ChangeSetStatus::Failed => Poll::Ready(state),
                    ref pending => Poll::Pending(format!("change set {pending}")),
                })
            },
            |_| {},
        )
        .await
    }

    /// Waits until the stack leaves its `*_IN_PROGRESS` state and returns the final
    /// status; a stack that is gone is `DELETE_COMPLETE`.
    async fn wait_stack(&self, addr: &StackAddr) -> Result<StackStatus, AwsError> {
        wait::until(
            "cloudformation:DescribeStacks",
            self.options.stack_timeout,
            || async {
                let status = cfn::describe_stack(self.aws, self.session, &addr.region, &addr.stack)
                    .await?
                    .map_or(StackStatus::DeleteComplete, |s| s.status);
                Ok(if status.is_in_progress() {
                    Poll::Pending(status.to_string())
                } else {
                    Poll::Ready(status)
                })
            },
            |status| self.progress.step(addr, status),
        )
        .await
    }

    /// The stack's failure events since `since`, as readable lines.
    async fn failed_events(&self, addr: &StackAddr, since: DateTime<Utc>) -> Vec<String> {
        match cfn::stack_events(self.aws, self.session, &addr.region, &addr.stack, since).await {
            Ok(events) => events
                .iter()
                .filter(|e| e.is_failure())
                .map(describe_event)
                .collect(),
            Err(err) => vec![format!("(stack events could not be read: {err})")],
        }
    }
}

/// Checks the change set against the plan: every planned resource change is there with
/// the same action, and nothing else is added or removed. Extra modifications are accepted
/// only where a planned replacement changes what other resources refer to.
pub(super) fn matches_plan(
    expected: &[ResourceChange],
    imports: &[ResourceImport],
    change_set: &ChangeSetState,
) -> Result<(), String> {
    let planned: BTreeMap<&str, ResourceAction> = expected
        .iter()
        .map(|r| (r.logical_id.as_str(), r.action))
        .collect();
    let has_replacement = planned.values().any(|a| *a == ResourceAction::Replace);
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    for change in &change_set.changes {
        seen.insert(change.logical_id.as_str());
        let expected = planned.get(change.logical_id.as_str());
        let modifies = matches!(change.action, ChangeAction::Modify | ChangeAction::Dynamic);
        let agrees = match (expected, &change.action) {
            (Some(ResourceAction::Add), ChangeAction::Add) => true,
            (Some(ResourceAction::Remove), ChangeAction::Remove) => true,
            (Some(ResourceAction::Modify), _) if modifies => {
                change.replacement != Some(Replacement::True)
            }
            (Some(ResourceAction::Replace), _) if modifies => true,
            (None, _) if modifies => has_replacement,
            (None, ChangeAction::Import) => {
                imports.iter().any(|i| i.logical_id == change.logical_id)
            }
            _ => false,
        };
        if !agrees {
            problems.push(format!(
                "{} {} (plan: {})",
                change.action,
                change.logical_id,
                expected.map_or("no change".to_owned(), |a| format!("{a:?}").to_lowercase())
            ));
        }
    }
    for import in imports {
        if !seen.contains(import.logical_id.as_str()) {
            problems.push(format!(
                "{}: planned import but absent from the change set",
                import.logical_id
            ));
        }
    }
    for (id, action) in &planned {
        if !seen.contains(id) {
            problems.push(format!(
                "{id}: planned {} but absent from the change set",
                format!("{action:?}").to_lowercase()
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

fn describe_event(event: &StackEvent) -> String {
    format!(
        "{} {} {} {}: {}",
        event.timestamp.format("%H:%M:%S"),
        event.logical_id,
        event.resource_type,
        event.status,
        event.reason.as_deref().unwrap_or("")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::cfn::ChangeSetChange;

    /// `matches_plan` on plain values: planned changes as `(logical id, action)`, the
    /// change set's as `(logical id, action, replacement)`, and whether it must pass.
    fn check(
        planned: &[(&str, ResourceAction)],
        imports: &[&str],
        changes: &[(&str, &str, Option<&str>)],
    ) -> Result<(), String> {
        let expected: Vec<ResourceChange> = planned
            .iter()
            .map(|(id, action)| ResourceChange {
                logical_id: (*id).to_owned(),
                resource_type: "AWS::S3::Bucket".to_owned(),
                action: *action,
                properties: Vec::new(),
                data_bearing: false,
            })
            .collect();
        let imports: Vec<ResourceImport> = imports
            .iter()
            .map(|id| ResourceImport {
                logical_id: (*id).to_owned(),
                resource_type: "AWS::S3::Bucket".to_owned(),
                identifier: BTreeMap::new(),
            })
            .collect();
        let change_set = ChangeSetState {
            id: "cs".to_owned(),
            status: ChangeSetStatus::CreateComplete,
            status_reason: None,
            changes: changes
                .iter()
                .map(|(id, action, replacement)| ChangeSetChange {
                    logical_id: (*id).to_owned(),
                    resource_type: "AWS::S3::Bucket".to_owned(),
                    action: ChangeAction::from(*action),
                    replacement: replacement.map(Replacement::from),
                })
                .collect(),
        };
        matches_plan(&expected, &imports, &change_set)
    }

    #[test]
    fn a_change_set_is_executed_only_when_it_is_what_was_reviewed() {
        use ResourceAction::{Add, Modify, Remove, Replace};
        type Case<'a> = (
            &'a str,
            &'a [(&'a str, ResourceAction)],
            &'a [&'a str],
            &'a [(&'a str, &'a str, Option<&'a str>)],
            Option<&'a str>,
        );
        let cases: &[Case] = &[
            (
                "as planned",
                &[("A", Add), ("B", Modify), ("C", Remove)],
                &[],
                &[
                    ("A", "Add", None),
                    ("B", "Modify", Some("False")),
                    ("C", "Remove", None),
                ],
                None,
            ),
            (
                "dynamic counts as modify",
                &[("B", Modify)],
                &[],
                &[("B", "Dynamic", None)],
                None,
            ),
            (
                "an unplanned addition",
                &[("A", Add)],
                &[],
                &[("A", "Add", None), ("X", "Add", None)],
                Some("Add X (plan: no change)"),
            ),
            (
                "an unplanned removal",
                &[],
                &[],
                &[("X", "Remove", None)],
                Some("Remove X (plan: no change)"),
            ),
            (
                "a modify that replaces",
                &[("B", Modify)],
                &[],
                &[("B", "Modify", Some("True"))],
                Some("Modify B (plan: modify)"),
            ),
            (
                "a planned change missing",
                &[("A", Add), ("B", Modify)],
                &[],
                &[("A", "Add", None)],
                Some("B: planned modify but absent from the change set"),
            ),
            (
                "another action than planned",
                &[("A", Modify)],
                &[],
                &[("A", "Remove", None)],
                Some("Remove A (plan: modify)"),
            ),
            (
                "a planned replacement",
                &[("B", Replace)],
                &[],
                &[("B", "Modify", Some("True"))],
                None,
            ),
            (
                "a planned replacement is not a removal",
                &[("B", Replace)],
                &[],
                &[("B", "Remove", None)],
                Some("Remove B (plan: replace)"),
            ),
            (
                "a replacement's dependents may change",
                &[("B", Replace)],
                &[],
                &[("B", "Modify", Some("True")), ("P", "Modify", None)],
                None,
            ),
            (
                "without a replacement they may not",
                &[("B", Modify)],
                &[],
                &[("B", "Modify", None), ("P", "Modify", None)],
                Some("Modify P (plan: no change)"),
            ),
            (
                "a planned import",
                &[],
                &["E"],
                &[("E", "Import", None)],
                None,
            ),
            (
                "an unplanned import",
                &[],
                &[],
                &[("E", "Import", None)],
                Some("Import E (plan: no change)"),
            ),
            (
                "a planned import missing",
                &[],
                &["E"],
                &[],
                Some("E: planned import but absent from the change set"),
            ),
        ];
        for (name, planned, imports, changes, problem) in cases {
            let result = check(planned, imports, changes);
            match problem {
                None => assert_eq!(result, Ok(()), "{name}"),
                Some(problem) => {
                    let err = result.expect_err(name);
                    assert!(err.contains(problem), "{name}: {err}");
                }
            }
        }
    }
}
