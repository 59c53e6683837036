//! Turns on the logging of workload resources (the plan's configure actions) through
//! the service APIs, and puts back what it found when the environment is destroyed.
//!
//! Before changing a setting, apply records the setting it found in an SSM parameter of
//! the resource's account and region, created only if absent: after a team turns a log
//! off and apply turns it on again, the record still holds the setting from before
//! irready. `destroy` reads the records, restores each setting and deletes the record.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::addr::{StackAddr, Target};
use crate::aws::{
    apigateway, apigatewayv2, cloudfront, eks, elb, elbv2, redshift, s3_logging, ssm,
    AccountSession, Aws, AwsError, AwsResult,
};
use crate::plan::workloads::Configure;
use crate::render::Component;
use crate::workload::{LogSetting, ResourceType};

use super::progress::Progress;
use super::{Outcome, Sessions};

/// How one configure action (or one restore) ended.
#[derive(Debug, Clone, Serialize)]
pub struct ConfigureResult {
    pub target: Target,
    pub resource_type: ResourceType,
    pub name: String,
    pub outcome: Outcome,
}

/// The setting apply found on a resource before changing it, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recorded {
    pub resource_type: ResourceType,
    pub resource_id: String,
    pub name: String,
    pub before: LogSetting,
}

/// Where the records of environment `env` live in each account and region.
pub fn record_path(env: &str) -> String {
    format!("/irready/{env}/workload-logging/")
}

/// The record of one resource: named by a digest of its id (ARNs hold characters SSM
/// names do not allow).
pub fn record_name(env: &str, resource_id: &str) -> String {
    let digest = hex::encode(Sha256::digest(resource_id.as_bytes()));
    format!("{}{}", record_path(env), &digest[..24])
}

/// The workload-logging stack of `target`, whose destinations a configure action needs.
fn destination_stack(env: &str, target: &Target) -> StackAddr {
    StackAddr::new(target, Component::WorkloadLogging.stack_name(env))
}

/// Sets one workload resource's logging.
pub async fn set(
    aws: &Aws,
    session: &AccountSession,
    target: &Target,
    resource_type: ResourceType,
    resource_id: &str,
    setting: &LogSetting,
) -> AwsResult<()> {
    let region = &target.region;
    match resource_type {
        ResourceType::S3Bucket => {
            s3_logging::set_bucket_logging(aws, session, region, resource_id, setting).await
        }
        ResourceType::Alb | ResourceType::Nlb => {
            elbv2::set_access_logs(aws, session, region, resource_id, setting).await
        }
        ResourceType::ClassicElb => {
            elb::set_access_logs(aws, session, region, resource_id, setting).await
        }
        ResourceType::RedshiftCluster => {
            redshift::set_logging(aws, session, region, resource_id, setting).await
        }
        ResourceType::EksCluster => {
            eks::set_logging(aws, session, region, resource_id, setting).await
        }
        ResourceType::RestApiStage => {
            let (api, stage) = resource_id.split_once('/').ok_or_else(|| {
                AwsError::other(
                    "apigateway:UpdateStage",
                    format!("`{resource_id}` is not api/stage"),
                )
            })?;
            apigateway::set_stage_logging(aws, session, region, api, stage, setting).await
        }
        ResourceType::HttpApiStage => {
            let (api, stage) = resource_id.split_once('/').ok_or_else(|| {
                AwsError::other(
                    "apigateway:UpdateStage",
                    format!("`{resource_id}` is not api/stage"),
                )
            })?;
            apigatewayv2::set_stage_access_logs(aws, session, region, api, stage, setting).await
        }
        ResourceType::Distribution => {
            cloudfront::set_logging(aws, session, resource_id, setting).await
        }
        ResourceType::ApiGatewayAccount | ResourceType::WebAcl => Err(AwsError::other(
            "workload logging",
            format!(
                "the {} of a {} is set by the workload-logging stack, not configured",
                resource_type.setting(),
                resource_type.label()
            ),
        )),
    }
}

/// Carries out every configure action, after the stacks: a resource whose destination
/// stack failed is skipped.
pub async fn configure(
    aws: &Aws,
    sessions: &dyn Sessions,
    env: &str,
    actions: &[Configure],
    failed_stacks: &BTreeSet<&StackAddr>,
    progress: &dyn Progress,
) -> Vec<ConfigureResult> {
    let mut results = Vec::new();
    for action in actions {
        let stack = destination_stack(env, &action.target);
        let outcome = if failed_stacks.contains(&stack) {
            Outcome::Skipped {
                reason: format!("{stack} did not apply"),
            }
        } else {
            match sessions.session(&action.target.account) {
                None => super::failed(format!("no session for account {}", action.target.account)),
                Some(session) => {
                    progress.step(
                        &stack,
                        &format!(
                            "configure {} {}: {}",
                            action.resource_type.label(),
                            action.name,
                            action.setting
                        ),
                    );
                    match configure_one(aws, &session, env, action).await {
                        Ok(()) => Outcome::Applied { changes: 1 },
                        Err(err) => super::failed(err),
                    }
                }
            }
        };
        results.push(ConfigureResult {
            target: action.target.clone(),
            resource_type: action.resource_type,
            name: action.name.clone(),
            outcome,
        });
    }
    results
}

async fn configure_one(
    aws: &Aws,
    session: &AccountSession,
    env: &str,
    action: &Configure,
) -> AwsResult<()> {
    let record = Recorded {
        resource_type: action.resource_type,
        resource_id: action.resource_id.clone(),
        name: action.name.clone(),
        before: action.before.clone(),
    };
    let value = serde_json::to_string(&record).expect("records serialize");
    ssm::create_if_absent(
        aws,
        session,
        &action.target.region,
        &record_name(env, &action.resource_id),
        &value,
        "irready: a workload's logging setting before irready changed it, put back by destroy",
    )
    .await?;
    set(
        aws,
        session,
        &action.target,
        action.resource_type,
        &action.resource_id,
        &action.after,
    )
    .await
}

/// Puts back every setting recorded in `target` and deletes the records. A resource that
/// no longer exists only loses its record.
pub async fn restore(
    aws: &Aws,
    session: &AccountSession,
    env: &str,
    target: &Target,
) -> AwsResult<Vec<ConfigureResult>> {
    let records = ssm::parameters_by_path(aws, session, &target.region, &record_path(env)).await?;
    let mut results = Vec::new();
    for (name, value) in records {
        let Ok(record) = serde_json::from_str::<Recorded>(&value) else {
            results.push(ConfigureResult {
                target: target.clone(),
                resource_type: ResourceType::S3Bucket,
                name: name.clone(),
                outcome: super::failed(format!("the record {name} does not parse: left as it is")),
            });
            continue;
        };
        let restored = set(
            aws,
            session,
            target,
            record.resource_type,
            &record.resource_id,
            &record.before,
        )
        .await;
        let outcome = match restored {
            Ok(()) => Outcome::Applied { changes: 1 },
            Err(err) if err.kind == crate::aws::ErrorKind::NotFound => Outcome::AlreadyCurrent,
            Err(err) => super::failed(err),
        };
        if !outcome.is_failure() {
            if let Err(err) = ssm::delete(aws, session, &target.region, &name).await {
                results.push(ConfigureResult {
                    target: target.clone(),
                    resource_type: record.resource_type,
                    name: record.name.clone(),
                    outcome: super::failed(err),
                });
                continue;
            }
        }
        results.push(ConfigureResult {
            target: target.clone(),
            resource_type: record.resource_type,
            name: record.name,
            outcome,
        });
    }
    Ok(results)
}

/// Puts back the recorded settings in every one of `targets`; a target whose records
/// cannot be read is one failure.
pub async fn restore_all(
    aws: &Aws,
    sessions: &dyn Sessions,
    env: &str,
    targets: &[Target],
    progress: &dyn Progress,
) -> Vec<ConfigureResult> {
    let mut results = Vec::new();
    for target in targets {
        let stack = destination_stack(env, target);
        let Some(session) = sessions.session(&target.account) else {
            continue;
        };
        progress.step(&stack, "put back the workloads' logging settings");
        match restore(aws, &session, env, target).await {
            Ok(done) => results.extend(done),
            Err(err) => results.push(ConfigureResult {
                target: target.clone(),
                resource_type: ResourceType::S3Bucket,
                name: record_path(env),
                outcome: super::failed(err),
            }),
        }
    }
    results
}
