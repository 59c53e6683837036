//! SSM Parameter Store calls: the apply lock is one parameter, created only if absent;
//! the analysis images are pinned in others, read by check.

use aws_sdk_ssm::types::ParameterType;

use crate::addr::Region;

use super::{AccountSession, Aws, AwsError, AwsResult};

/// Creates the parameter unless it exists. `Ok(false)`: it exists already.
pub async fn create_if_absent(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    name: &str,
    value: &str,
    description: &str,
) -> AwsResult<bool> {
    let result = aws
        .ssm(session, region)
        .put_parameter()
        .name(name)
        .value(value)
        .description(description)
        .r#type(ParameterType::String)
        .overwrite(false)
        .send()
        .await;
    match result {
        Ok(_) => Ok(true),
        Err(err) => {
            let err = AwsError::from_sdk("ssm:PutParameter", err);
            if err.code.as_deref() == Some("ParameterAlreadyExists") {
                Ok(false)
            } else {
                Err(err)
            }
        }
    }
}

/// The parameter's value, or `None` when it does not exist.
pub async fn get(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    name: &str,
) -> AwsResult<Option<String>> {
    match aws
        .ssm(session, region)
        .get_parameter()
        .name(name)
        .send()
        .await
    {
        Ok(out) => Ok(out.parameter().and_then(|p| p.value()).map(str::to_owned)),
        Err(err) => AwsError::from_sdk("ssm:GetParameter", err).absent(&["ParameterNotFound"]),
    }
}

/// Deletes the parameter; one already gone is not an error.
pub async fn delete(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    name: &str,
) -> AwsResult<()> {
    match aws
        .ssm(session, region)
        .delete_parameter()
        .name(name)
        .send()
        .await
    {
        Ok(_) => Ok(()),
        Err(err) => {
            let err = AwsError::from_sdk("ssm:DeleteParameter", err);
            if err.code.as_deref() == Some("ParameterNotFound") {
                Ok(())
            } else {
                Err(err)
            }
        }
    }
}

/// Every parameter under `path` (recursively), as name and value, sorted by name.
pub async fn parameters_by_path(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    path: &str,
) -> AwsResult<Vec<(String, String)>> {
    let client = aws.ssm(session, region);
    let mut found = Vec::new();
    let mut pages = client
        .get_parameters_by_path()
        .path(path.trim_end_matches('/'))
        .recursive(true)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let out = page.map_err(|e| AwsError::from_sdk("ssm:GetParametersByPath", e))?;
        found.extend(
            out.parameters()
                .iter()
                .filter_map(|p| Some((p.name()?.to_owned(), p.value()?.to_owned()))),
        );
    }
    found.sort();
    Ok(found)
}

/// What Systems Manager says of a document: its hash (SHA-256 of the content as stored)
/// and the description its content gives. `None` when there is no such document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentFact {
    pub name: String,
    pub hash: Option<String>,
}

/// The document named `name`, or `None` when it does not exist.
pub async fn document(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    name: &str,
) -> AwsResult<Option<DocumentFact>> {
    match aws
        .ssm(session, region)
        .describe_document()
        .name(name)
        .send()
        .await
    {
        Ok(out) => Ok(out.document().map(|d| DocumentFact {
            name: d.name().unwrap_or(name).to_owned(),
            hash: d.hash().map(str::to_owned),
        })),
        Err(err) => AwsError::from_sdk("ssm:DescribeDocument", err).absent(&["InvalidDocument"]),
    }
}

/// The content of the document's default version, or `None` when there is no such
/// document.
pub async fn document_content(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    name: &str,
) -> AwsResult<Option<String>> {
    match aws
        .ssm(session, region)
        .get_document()
        .name(name)
        .send()
        .await
    {
        Ok(out) => Ok(out.content().map(str::to_owned)),
        Err(err) => AwsError::from_sdk("ssm:GetDocument", err).absent(&["InvalidDocument"]),
    }
}

/// Starts an automation of document `name` with `parameters`; returns its execution id.
pub async fn start_automation(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    name: &str,
    parameters: &[(String, Vec<String>)],
) -> AwsResult<String> {
    let mut request = aws
        .ssm(session, region)
        .start_automation_execution()
        .document_name(name);
    for (key, values) in parameters {
        request = request.parameters(key, values.clone());
    }
    let out = request
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("ssm:StartAutomationExecution", e))?;
    out.automation_execution_id()
        .map(str::to_owned)
        .ok_or_else(|| AwsError::other("ssm:StartAutomationExecution", "no execution id"))
}

/// An automation execution as it stands: its status, failure, outputs and steps.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AutomationFact {
    pub status: String,
    pub failure: Option<String>,
    /// Outputs by `Step.Output` name.
    pub outputs: std::collections::BTreeMap<String, Vec<String>>,
    pub steps: Vec<StepFact>,
}

impl AutomationFact {
    /// Whether the execution has ended (Success, Failed, Cancelled, TimedOut, ...).
    pub fn ended(&self) -> bool {
        !matches!(
            self.status.as_str(),
            "Pending" | "InProgress" | "Waiting" | "Cancelling" | "ChangeCalendarOverride"
        )
    }
}

/// One step of an automation execution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepFact {
    pub name: String,
    pub action: String,
    pub status: String,
    pub failure: Option<String>,
}

/// The execution `id`, with its step executions.
pub async fn automation(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    id: &str,
) -> AwsResult<AutomationFact> {
    let client = aws.ssm(session, region);
    let out = client
        .get_automation_execution()
        .automation_execution_id(id)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("ssm:GetAutomationExecution", e))?;
    let execution = out
        .automation_execution()
        .ok_or_else(|| AwsError::other("ssm:GetAutomationExecution", "no execution"))?;
    let outputs = execution
        .outputs()
        .map(|o| o.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    let steps = client
        .describe_automation_step_executions()
        .automation_execution_id(id)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("ssm:DescribeAutomationStepExecutions", e))?
        .step_executions()
        .iter()
        .map(|s| StepFact {
            name: s.step_name().unwrap_or_default().to_owned(),
            action: s.action().unwrap_or_default().to_owned(),
            status: s
                .step_status()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            failure: s.failure_message().map(str::to_owned),
        })
        .collect();
    Ok(AutomationFact {
        status: execution
            .automation_execution_status()
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        failure: execution.failure_message().map(str::to_owned),
        outputs,
        steps,
    })
}
