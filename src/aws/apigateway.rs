//! API Gateway (REST APIs): the account's CloudWatch role, a region's stages with their
//! tags, access logs and execution logging, and a stage's logging settings.

use std::collections::BTreeMap;

use aws_sdk_apigateway::types::{Op, PatchOperation};

use crate::addr::Region;
use crate::workload::LogSetting;

use super::{AccountSession, Aws, AwsError, AwsResult};

/// One stage of a REST API or an HTTP API (whose `logging.types` is always empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageFact {
    pub api_id: String,
    pub api_name: String,
    pub stage: String,
    pub tags: BTreeMap<String, String>,
    /// Access logs (destination, format in `prefix`) and the execution logging level of
    /// every method (`types`: `[ERROR]` or `[INFO]`; empty when off).
    pub logging: LogSetting,
}

/// The CloudWatch role API Gateway writes logs with in this account and region.
pub async fn account_role(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
) -> AwsResult<Option<String>> {
    let out = aws
        .apigateway(session, region)
        .get_account()
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("apigateway:GetAccount", e))?;
    Ok(out
        .cloudwatch_role_arn()
        .filter(|r| !r.is_empty())
        .map(str::to_owned))
}

/// Every stage of every REST API in the region.
pub async fn stages(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
) -> AwsResult<Vec<StageFact>> {
    let client = aws.apigateway(session, region);
    let mut apis = Vec::new();
    let mut pages = client.get_rest_apis().into_paginator().send();
    while let Some(page) = pages.next().await {
        let out = page.map_err(|e| AwsError::from_sdk("apigateway:GetRestApis", e))?;
        for api in out.items() {
            if let Some(id) = api.id() {
                apis.push((id.to_owned(), api.name().unwrap_or(id).to_owned()));
            }
        }
    }
    apis.sort();
    let mut facts = Vec::new();
    for (api_id, api_name) in apis {
        let out = client
            .get_stages()
            .rest_api_id(&api_id)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("apigateway:GetStages", e))?;
        for stage in out.item() {
            let Some(name) = stage.stage_name() else {
                continue;
            };
            let access = stage.access_log_settings();
            let destination = access
                .and_then(|a| a.destination_arn())
                .filter(|d| !d.is_empty())
                .map(str::to_owned);
            let level = stage
                .method_settings()
                .and_then(|m| m.get("*/*"))
                .and_then(|s| s.logging_level())
                .filter(|l| *l != "OFF")
                .map(str::to_owned);
            facts.push(StageFact {
                api_id: api_id.clone(),
                api_name: api_name.clone(),
                stage: name.to_owned(),
                tags: stage
                    .tags()
                    .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                    .unwrap_or_default(),
                logging: LogSetting {
                    enabled: destination.is_some(),
                    destination,
                    prefix: access.and_then(|a| a.format()).map(str::to_owned),
                    types: level.into_iter().collect(),
                },
            });
        }
    }
    facts.sort_by(|a, b| (&a.api_name, &a.stage).cmp(&(&b.api_name, &b.stage)));
    Ok(facts)
}

/// Sets a stage's access logs (off when `setting` has no destination) and the execution
/// logging level of every method (`OFF` when `setting.types` is empty). Nothing else.
pub async fn set_stage_logging(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    api_id: &str,
    stage: &str,
    setting: &LogSetting,
) -> AwsResult<()> {
    let op = |op: Op, path: &str, value: Option<&str>| {
        PatchOperation::builder()
            .op(op)
            .path(path)
            .set_value(value.map(str::to_owned))
            .build()
    };
    let mut operations = Vec::new();
    match (setting.enabled, &setting.destination) {
        (true, Some(destination)) => {
            operations.push(op(
                Op::Replace,
                "/accessLogSettings/destinationArn",
                Some(destination),
            ));
            operations.push(op(
                Op::Replace,
                "/accessLogSettings/format",
                Some(setting.prefix.as_deref().unwrap_or(ACCESS_LOG_FORMAT)),
            ));
        }
        _ => operations.push(op(Op::Remove, "/accessLogSettings", None)),
    }
    let level = setting.types.first().map_or("OFF", String::as_str);
    operations.push(op(Op::Replace, "/*/*/logging/loglevel", Some(level)));
    aws.apigateway(session, region)
        .update_stage()
        .rest_api_id(api_id)
        .stage_name(stage)
        .set_patch_operations(Some(operations))
        .send()
        .await
        .map(|_| ())
        .map_err(|e| AwsError::from_sdk("apigateway:UpdateStage", e))
}

pub use crate::workload::ACCESS_LOG_FORMAT;
