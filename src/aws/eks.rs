//! EKS control-plane logging: list a region's clusters with their tags and enabled log
//! types, and set which types are on.

use std::collections::BTreeMap;

use aws_sdk_eks::types::{LogSetup, LogType, Logging};

use crate::addr::Region;
use crate::workload::{LogSetting, EKS_LOG_TYPES};

use super::{AccountSession, Aws, AwsError, AwsResult};

/// One EKS cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterFact {
    pub name: String,
    pub tags: BTreeMap<String, String>,
    pub control_plane_logs: LogSetting,
}

/// The region's clusters, each with its tags and enabled log types.
pub async fn clusters(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
) -> AwsResult<Vec<ClusterFact>> {
    let client = aws.eks(session, region);
    let mut names = Vec::new();
    let mut pages = client.list_clusters().into_paginator().send();
    while let Some(page) = pages.next().await {
        let out = page.map_err(|e| AwsError::from_sdk("eks:ListClusters", e))?;
        names.extend(out.clusters().iter().cloned());
    }
    names.sort();
    let mut facts = Vec::new();
    for name in names {
        let out = client
            .describe_cluster()
            .name(&name)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("eks:DescribeCluster", e))?;
        let Some(cluster) = out.cluster() else {
            continue;
        };
        let mut types: Vec<String> = cluster
            .logging()
            .map(|l| l.cluster_logging())
            .unwrap_or_default()
            .iter()
            .filter(|setup| setup.enabled() == Some(true))
            .flat_map(|setup| setup.types().iter().map(|t| t.as_str().to_owned()))
            .collect();
        types.sort();
        types.dedup();
        facts.push(ClusterFact {
            tags: cluster
                .tags()
                .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default(),
            control_plane_logs: LogSetting {
                enabled: !types.is_empty(),
                destination: None,
                prefix: None,
                types,
            },
            name,
        });
    }
    Ok(facts)
}

/// Sets which control-plane log types are on: those of `setting` (none when it is off),
/// every other type off.
pub async fn set_logging(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    cluster: &str,
    setting: &LogSetting,
) -> AwsResult<()> {
    let on: Vec<LogType> = if setting.enabled {
        setting
            .types
            .iter()
            .map(|t| LogType::from(t.as_str()))
            .collect()
    } else {
        Vec::new()
    };
    let off: Vec<LogType> = EKS_LOG_TYPES
        .iter()
        .map(|t| LogType::from(*t))
        .filter(|t| !on.contains(t))
        .collect();
    let mut logging = Logging::builder();
    for (types, enabled) in [(on, true), (off, false)] {
        if !types.is_empty() {
            logging = logging.cluster_logging(
                LogSetup::builder()
                    .set_types(Some(types))
                    .enabled(enabled)
                    .build(),
            );
        }
    }
    aws.eks(session, region)
        .update_cluster_config()
        .name(cluster)
        .logging(logging.build())
        .send()
        .await
        .map(|_| ())
        .map_err(|e| AwsError::from_sdk("eks:UpdateClusterConfig", e))
}
