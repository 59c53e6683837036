//! CloudFormation calls: stack listing, templates, change sets, stack events.

use std::collections::BTreeMap;

use aws_sdk_cloudformation::types::{
    Capability, ChangeSetType, ResourceToImport, Tag, TemplateStage,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::addr::Region;

use super::{AccountSession, Aws, AwsError, AwsResult};

/// An enum over the strings a CloudFormation API returns: each documented value, and
/// `Other` for one this build does not know, so that nothing outside this module
/// compares status strings. Serialised as the API's own string.
macro_rules! api_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(from = "String", into = "String")]
        pub enum $name {
            $($variant,)+
            Other(String),
        }

        impl $name {
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $text,)+
                    Self::Other(text) => text,
                }
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                match text {
                    $($text => Self::$variant,)+
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        impl From<String> for $name {
            fn from(text: String) -> Self {
                Self::from(text.as_str())
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.as_str().to_owned()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

api_enum! {
    /// A stack's status (DescribeStacks `StackStatus`, CloudFormation API reference).
    StackStatus {
        CreateInProgress = "CREATE_IN_PROGRESS",
        CreateFailed = "CREATE_FAILED",
        CreateComplete = "CREATE_COMPLETE",
        RollbackInProgress = "ROLLBACK_IN_PROGRESS",
        RollbackFailed = "ROLLBACK_FAILED",
        RollbackComplete = "ROLLBACK_COMPLETE",
        DeleteInProgress = "DELETE_IN_PROGRESS",
        DeleteFailed = "DELETE_FAILED",
        DeleteComplete = "DELETE_COMPLETE",
        UpdateInProgress = "UPDATE_IN_PROGRESS",
        UpdateCompleteCleanupInProgress = "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
        UpdateComplete = "UPDATE_COMPLETE",
        UpdateFailed = "UPDATE_FAILED",
        UpdateRollbackInProgress = "UPDATE_ROLLBACK_IN_PROGRESS",
        UpdateRollbackFailed = "UPDATE_ROLLBACK_FAILED",
        UpdateRollbackCompleteCleanupInProgress = "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
        UpdateRollbackComplete = "UPDATE_ROLLBACK_COMPLETE",
        ReviewInProgress = "REVIEW_IN_PROGRESS",
        ImportInProgress = "IMPORT_IN_PROGRESS",
        ImportComplete = "IMPORT_COMPLETE",
        ImportRollbackInProgress = "IMPORT_ROLLBACK_IN_PROGRESS",
        ImportRollbackFailed = "IMPORT_ROLLBACK_FAILED",
        ImportRollbackComplete = "IMPORT_ROLLBACK_COMPLETE",
    }
}

impl StackStatus {
    /// An operation is still running on the stack.
    pub fn is_in_progress(&self) -> bool {
        self.as_str().ends_with("_IN_PROGRESS")
    }

    /// The operation that ran ended as asked: created, updated, imported or deleted,
    /// not rolled back.
    pub fn succeeded(&self) -> bool {
        matches!(
            self,
            Self::CreateComplete
                | Self::UpdateComplete
                | Self::ImportComplete
                | Self::DeleteComplete
        )
    }
}

api_enum! {
    /// A change set's status (DescribeChangeSet `Status`).
    ChangeSetStatus {
        CreatePending = "CREATE_PENDING",
        CreateInProgress = "CREATE_IN_PROGRESS",
        CreateComplete = "CREATE_COMPLETE",
        DeletePending = "DELETE_PENDING",
        DeleteInProgress = "DELETE_IN_PROGRESS",
        DeleteComplete = "DELETE_COMPLETE",
        DeleteFailed = "DELETE_FAILED",
        Failed = "FAILED",
    }
}

api_enum! {
    /// What a change set does to one resource (`ResourceChange.Action`).
    ChangeAction {
        Add = "Add",
        Modify = "Modify",
        Remove = "Remove",
        Import = "Import",
        Dynamic = "Dynamic",
    }
}

api_enum! {
    /// Whether a modification replaces the resource (`ResourceChange.Replacement`).
    Replacement {
        True = "True",
        False = "False",
        Conditional = "Conditional",
    }
}

/// A stack as DescribeStacks reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeployedStack {
    pub name: String,
    pub id: String,
    pub status: StackStatus,
    pub status_reason: Option<String>,
    pub tags: BTreeMap<String, String>,
    pub created: DateTime<Utc>,
    pub last_updated: Option<DateTime<Utc>>,
    pub outputs: BTreeMap<String, String>,
}

/// One resource change of a change set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeSetChange {
    pub logical_id: String,
    pub resource_type: String,
    pub action: ChangeAction,
    /// Absent where the service does not say.
    pub replacement: Option<Replacement>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeSetState {
    pub id: String,
    pub status: ChangeSetStatus,
    pub status_reason: Option<String>,
    pub changes: Vec<ChangeSetChange>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackEvent {
    pub timestamp: DateTime<Utc>,
    pub logical_id: String,
    pub resource_type: String,
    /// The resource's status (`ResourceStatus`: `CREATE_FAILED`, `UPDATE_COMPLETE`, ...).
    pub status: String,
    pub reason: Option<String>,
}

impl StackEvent {
    /// The event reports a failed resource operation.
    pub fn is_failure(&self) -> bool {
        self.status.ends_with("_FAILED")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeSetKind {
    Create,
    Update,
    /// Takes existing resources into the stack (new or not) without creating them.
    Import,
}

fn to_chrono(t: &aws_smithy_types::DateTime) -> DateTime<Utc> {
    DateTime::from_timestamp(t.secs(), t.subsec_nanos()).unwrap_or_default()
}

fn deployed(stack: &aws_sdk_cloudformation::types::Stack) -> DeployedStack {
    DeployedStack {
        name: stack.stack_name().unwrap_or_default().to_owned(),
        id: stack.stack_id().unwrap_or_default().to_owned(),
        status: StackStatus::from(stack.stack_status().map_or("", |s| s.as_str())),
        status_reason: stack.stack_status_reason().map(str::to_owned),
        tags: stack
            .tags()
            .iter()
            .map(|t| {
                (
                    t.key().unwrap_or_default().to_owned(),
                    t.value().unwrap_or_default().to_owned(),
                )
            })
            .collect(),
        created: stack.creation_time().map(to_chrono).unwrap_or_default(),
        last_updated: stack.last_updated_time().map(to_chrono),
        outputs: stack
            .outputs()
            .iter()
            .map(|o| {
                (
                    o.output_key().unwrap_or_default().to_owned(),
                    o.output_value().unwrap_or_default().to_owned(),
                )
            })
            .collect(),
    }
}

/// Every live stack of the target (DescribeStacks without a name): one paginated listing
/// that carries tags, status and outputs, so no per-stack read is needed.
pub async fn list_stacks(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
) -> AwsResult<Vec<DeployedStack>> {
    let client = aws.cloudformation(session, region);
    let mut pages = client.describe_stacks().into_paginator().send();
    let mut stacks = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| AwsError::from_sdk("cloudformation:DescribeStacks", e))?;
        stacks.extend(page.stacks().iter().map(deployed));
    }
    stacks.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(stacks)
}

/// One stack by name, or `None` when it does not exist (or was deleted).
pub async fn describe_stack(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    name: &str,
) -> AwsResult<Option<DeployedStack>> {
    let result = aws
        .cloudformation(session, region)
        .describe_stacks()
        .stack_name(name)
        .send()
        .await;
    match result {
        Ok(out) => Ok(out
            .stacks()
            .first()
            .map(deployed)
            .filter(|s| s.status != StackStatus::DeleteComplete)),
        Err(err) => {
            let err = AwsError::from_sdk("cloudformation:DescribeStacks", err);
            // CloudFormation says "Stack with id X does not exist" as a ValidationError.
            if err.message.contains("does not exist") {
                Ok(None)
            } else {
                Err(err)
            }
        }
    }
}

/// The template body as it was submitted.
pub async fn get_template(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    stack: &str,
) -> AwsResult<String> {
    let out = aws
        .cloudformation(session, region)
        .get_template()
        .stack_name(stack)
        .template_stage(TemplateStage::Original)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("cloudformation:GetTemplate", e))?;
    Ok(out.template_body().unwrap_or_default().to_owned())
}

pub struct ChangeSetRequest<'a> {
    pub stack: &'a str,
    pub name: &'a str,
    pub kind: ChangeSetKind,
    pub template_body: &'a str,
    pub tags: &'a BTreeMap<String, String>,
    pub description: &'a str,
    /// For `ChangeSetKind::Import`: the resources to take over, each as its logical id,
    /// type and identifier (`{"BucketName": "..."}`).
    pub imports: &'a [crate::model::deferred::ResourceImport],
}

/// Creates a change set and returns its id.
pub async fn create_change_set(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    request: &ChangeSetRequest<'_>,
) -> AwsResult<String> {
    let tags: Vec<Tag> = request
        .tags
        .iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect();
    let imports = request
        .imports
        .iter()
        .map(|i| {
            ResourceToImport::builder()
                .resource_type(&i.resource_type)
                .logical_resource_id(&i.logical_id)
                .set_resource_identifier(Some(
                    i.identifier
                        .iter()
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect(),
                ))
                .build()
        })
        .collect::<Vec<_>>();
    let out = aws
        .cloudformation(session, region)
        .create_change_set()
        .stack_name(request.stack)
        .change_set_name(request.name)
        .change_set_type(match request.kind {
            ChangeSetKind::Create => ChangeSetType::Create,
            ChangeSetKind::Update => ChangeSetType::Update,
            ChangeSetKind::Import => ChangeSetType::Import,
        })
        .set_resources_to_import((!imports.is_empty()).then_some(imports))
        .template_body(request.template_body)
        .set_tags(Some(tags))
        .capabilities(Capability::CapabilityNamedIam)
        .description(request.description)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("cloudformation:CreateChangeSet", e))?;
    Ok(out.id().unwrap_or_default().to_owned())
}

pub async fn describe_change_set(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    stack: &str,
    change_set: &str,
) -> AwsResult<ChangeSetState> {
    let client = aws.cloudformation(session, region);
    let mut next_token: Option<String> = None;
    let mut state: Option<ChangeSetState> = None;
    loop {
        let out = client
            .describe_change_set()
            .stack_name(stack)
            .change_set_name(change_set)
            .set_next_token(next_token.clone())
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("cloudformation:DescribeChangeSet", e))?;
        let state = state.get_or_insert_with(|| ChangeSetState {
            id: out.change_set_id().unwrap_or(change_set).to_owned(),
            status: ChangeSetStatus::from(out.status().map_or("", |s| s.as_str())),
            status_reason: out.status_reason().map(str::to_owned),
            changes: Vec::new(),
        });
        for change in out.changes() {
            if let Some(rc) = change.resource_change() {
                state.changes.push(ChangeSetChange {
                    logical_id: rc.logical_resource_id().unwrap_or_default().to_owned(),
                    resource_type: rc.resource_type().unwrap_or_default().to_owned(),
                    action: ChangeAction::from(rc.action().map_or("", |a| a.as_str())),
                    replacement: rc.replacement().map(|r| Replacement::from(r.as_str())),
                });
            }
        }
        next_token = out.next_token().map(str::to_owned);
        if next_token.is_none() {
            break;
        }
    }
    Ok(state.expect("at least one page"))
}

pub async fn execute_change_set(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    stack: &str,
    change_set: &str,
) -> AwsResult<()> {
    aws.cloudformation(session, region)
        .execute_change_set()
        .stack_name(stack)
        .change_set_name(change_set)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("cloudformation:ExecuteChangeSet", e))?;
    Ok(())
}

pub async fn delete_change_set(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    stack: &str,
    change_set: &str,
) -> AwsResult<()> {
    aws.cloudformation(session, region)
        .delete_change_set()
        .stack_name(stack)
        .change_set_name(change_set)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("cloudformation:DeleteChangeSet", e))?;
    Ok(())
}

pub async fn delete_stack(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    stack: &str,
) -> AwsResult<()> {
    aws.cloudformation(session, region)
        .delete_stack()
        .stack_name(stack)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("cloudformation:DeleteStack", e))?;
    Ok(())
}

/// The stack's events from `since` on, oldest first.
pub async fn stack_events(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    stack: &str,
    since: DateTime<Utc>,
) -> AwsResult<Vec<StackEvent>> {
    let client = aws.cloudformation(session, region);
    let mut pages = client
        .describe_stack_events()
        .stack_name(stack)
        .into_paginator()
        .send();
    let mut events = Vec::new();
    // Events come newest first: stop paging once they are older than the operation.
    'pages: while let Some(page) = pages.next().await {
        let page = page.map_err(|e| AwsError::from_sdk("cloudformation:DescribeStackEvents", e))?;
        for event in page.stack_events() {
            let timestamp = event.timestamp().map(to_chrono).unwrap_or_default();
            if timestamp < since {
                break 'pages;
            }
            events.push(StackEvent {
                timestamp,
                logical_id: event.logical_resource_id().unwrap_or_default().to_owned(),
                resource_type: event.resource_type().unwrap_or_default().to_owned(),
                status: event
                    .resource_status()
                    .map(|s| s.as_str().to_owned())
                    .unwrap_or_default(),
                reason: event.resource_status_reason().map(str::to_owned),
            });
        }
    }
    events.reverse();
    Ok(events)
}

/// The physical ids of a stack's resources (ListStackResources): what tells irready's own
/// detector, recorder, trail or flow log apart from one made outside it.
pub async fn physical_ids(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    stack: &str,
) -> AwsResult<std::collections::BTreeSet<String>> {
    Ok(stack_resources(aws, session, region, stack)
        .await?
        .into_values()
        .filter_map(|r| r.physical_id)
        .collect())
}

/// A resource of a deployed stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackResource {
    pub resource_type: String,
    pub physical_id: Option<String>,
}

/// The resources of a deployed stack, by logical id.
pub async fn stack_resources(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    stack: &str,
) -> AwsResult<BTreeMap<String, StackResource>> {
    let client = aws.cloudformation(session, region);
    let mut pages = client
        .list_stack_resources()
        .stack_name(stack)
        .into_paginator()
        .send();
    let mut resources = BTreeMap::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| AwsError::from_sdk("cloudformation:ListStackResources", e))?;
        for r in page.stack_resource_summaries() {
            resources.insert(
                r.logical_resource_id().unwrap_or_default().to_owned(),
                StackResource {
                    resource_type: r.resource_type().unwrap_or_default().to_owned(),
                    physical_id: r.physical_resource_id().map(str::to_owned),
                },
            );
        }
    }
    Ok(resources)
}
