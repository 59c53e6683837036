//! Redshift audit logging: list a region's clusters with their tags and logging status,
//! and turn a cluster's audit logging on or off.

use std::collections::BTreeMap;

use aws_sdk_redshift::types::LogDestinationType;

use crate::addr::Region;
use crate::workload::LogSetting;

use super::{AccountSession, Aws, AwsError, AwsResult};

/// One Redshift cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterFact {
    pub id: String,
    pub tags: BTreeMap<String, String>,
    pub audit_logging: LogSetting,
}

/// The region's clusters, each with its tags and audit logging.
pub async fn clusters(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
) -> AwsResult<Vec<ClusterFact>> {
    let client = aws.redshift(session, region);
    let mut found = Vec::new();
    let mut pages = client.describe_clusters().into_paginator().send();
    while let Some(page) = pages.next().await {
        let out = page.map_err(|e| AwsError::from_sdk("redshift:DescribeClusters", e))?;
        for cluster in out.clusters() {
            if let Some(id) = cluster.cluster_identifier() {
                let tags = cluster
                    .tags()
                    .iter()
                    .filter_map(|t| Some((t.key()?.to_owned(), t.value()?.to_owned())))
                    .collect();
                found.push((id.to_owned(), tags));
            }
        }
    }
    found.sort();
    let mut facts = Vec::new();
    for (id, tags) in found {
        let audit_logging = logging_status(aws, session, region, &id).await?;
        facts.push(ClusterFact {
            id,
            tags,
            audit_logging,
        });
    }
    Ok(facts)
}

/// The cluster's audit logging.
pub async fn logging_status(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    cluster: &str,
) -> AwsResult<LogSetting> {
    let out = aws
        .redshift(session, region)
        .describe_logging_status()
        .cluster_identifier(cluster)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("redshift:DescribeLoggingStatus", e))?;
    let enabled = out.logging_enabled().unwrap_or(false);
    Ok(LogSetting {
        enabled,
        destination: out
            .bucket_name()
            .filter(|b| !b.is_empty())
            .map(str::to_owned),
        prefix: out
            .s3_key_prefix()
            .filter(|p| !p.is_empty())
            .map(str::to_owned),
        types: Vec::new(),
    })
}

/// Turns the cluster's audit logging on into a bucket, or off.
pub async fn set_logging(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    cluster: &str,
    setting: &LogSetting,
) -> AwsResult<()> {
    let client = aws.redshift(session, region);
    match (setting.enabled, &setting.destination) {
        (true, Some(bucket)) => client
            .enable_logging()
            .cluster_identifier(cluster)
            .log_destination_type(LogDestinationType::S3)
            .bucket_name(bucket)
            .set_s3_key_prefix(setting.prefix.clone())
            .send()
            .await
            .map(|_| ())
            .map_err(|e| AwsError::from_sdk("redshift:EnableLogging", e)),
        _ => client
            .disable_logging()
            .cluster_identifier(cluster)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| AwsError::from_sdk("redshift:DisableLogging", e)),
    }
}
