//! API Gateway v2 (HTTP APIs): a region's stages with their tags and access logs, and a
//! stage's access logs.

use aws_sdk_apigatewayv2::types::AccessLogSettings;

use crate::addr::Region;
use crate::workload::LogSetting;

use super::apigateway::StageFact;
use super::{AccountSession, Aws, AwsError, AwsResult};

/// Every stage of every HTTP API in the region (WebSocket APIs are left out).
pub async fn stages(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
) -> AwsResult<Vec<StageFact>> {
    let client = aws.apigatewayv2(session, region);
    let mut apis = Vec::new();
    let mut token = None;
    loop {
        let out = client
            .get_apis()
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("apigateway:GetApis", e))?;
        for api in out.items() {
            let http = api.protocol_type().map(|p| p.as_str()) == Some("HTTP");
            if let (true, Some(id)) = (http, api.api_id()) {
                apis.push((id.to_owned(), api.name().unwrap_or(id).to_owned()));
            }
        }
        token = out.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    apis.sort();
    let mut facts = Vec::new();
    for (api_id, api_name) in apis {
        let out = client
            .get_stages()
            .api_id(&api_id)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("apigateway:GetStages", e))?;
        for stage in out.items() {
            let Some(name) = stage.stage_name() else {
                continue;
            };
            let access = stage.access_log_settings();
            let destination = access
                .and_then(|a| a.destination_arn())
                .filter(|d| !d.is_empty())
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
                    types: Vec::new(),
                },
            });
        }
    }
    facts.sort_by(|a, b| (&a.api_name, &a.stage).cmp(&(&b.api_name, &b.stage)));
    Ok(facts)
}

/// Sets a stage's access logs, or removes them when `setting` has no destination.
pub async fn set_stage_access_logs(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    api_id: &str,
    stage: &str,
    setting: &LogSetting,
) -> AwsResult<()> {
    let client = aws.apigatewayv2(session, region);
    match (setting.enabled, &setting.destination) {
        (true, Some(destination)) => client
            .update_stage()
            .api_id(api_id)
            .stage_name(stage)
            .access_log_settings(
                AccessLogSettings::builder()
                    .destination_arn(destination)
                    .format(
                        setting
                            .prefix
                            .as_deref()
                            .unwrap_or(super::apigateway::ACCESS_LOG_FORMAT),
                    )
                    .build(),
            )
            .send()
            .await
            .map(|_| ())
            .map_err(|e| AwsError::from_sdk("apigateway:UpdateStage", e)),
        _ => client
            .delete_access_log_settings()
            .api_id(api_id)
            .stage_name(stage)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| AwsError::from_sdk("apigateway:DeleteAccessLogSettings", e)),
    }
}
