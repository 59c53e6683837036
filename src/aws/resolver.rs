//! Route 53 Resolver reads used by discovery: which VPCs have DNS query logging, and
//! where it goes.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::addr::Region;

use super::{AccountSession, Aws, AwsError, AwsResult};

/// A query log config association, with the config it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryLogAssociationFact {
    pub id: String,
    pub vpc_id: String,
    pub config_id: String,
    pub config_name: Option<String>,
    /// Where the config delivers (an S3 bucket, log group or Firehose ARN).
    pub destination: Option<String>,
    /// `CREATING`, `ACTIVE`, `ACTION_NEEDED`, `DELETING`, `FAILED`.
    pub status: String,
    /// The error of a failed association (`ACCESS_DENIED: ...`); `None` otherwise.
    #[serde(default)]
    pub error: Option<String>,
}

/// The query log config associations of the target on `vpcs`, but those in `leave_out`
/// (irready's own), sorted by id. The configs are read only when there is an association
/// to describe.
pub async fn query_log_associations(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    vpcs: &BTreeSet<String>,
    leave_out: &BTreeSet<String>,
) -> AwsResult<Vec<QueryLogAssociationFact>> {
    let client = aws.route53resolver(session, region);
    let mut raw = Vec::new();
    let mut pages = client
        .list_resolver_query_log_config_associations()
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| {
            AwsError::from_sdk("route53resolver:ListResolverQueryLogConfigAssociations", e)
        })?;
        raw.extend(
            page.resolver_query_log_config_associations()
                .iter()
                .cloned(),
        );
    }
    raw.retain(|a| {
        a.resource_id().is_some_and(|v| vpcs.contains(v))
            && a.id().is_some_and(|id| !leave_out.contains(id))
    });
    if raw.is_empty() {
        return Ok(Vec::new());
    }
    let mut configs = BTreeMap::new();
    let mut pages = client
        .list_resolver_query_log_configs()
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page =
            page.map_err(|e| AwsError::from_sdk("route53resolver:ListResolverQueryLogConfigs", e))?;
        for config in page.resolver_query_log_configs() {
            if let Some(id) = config.id() {
                configs.insert(
                    id.to_owned(),
                    (
                        config.name().map(str::to_owned),
                        config.destination_arn().map(str::to_owned),
                    ),
                );
            }
        }
    }
    let mut associations: Vec<QueryLogAssociationFact> = raw
        .iter()
        .map(|a| {
            let config_id = a
                .resolver_query_log_config_id()
                .unwrap_or_default()
                .to_owned();
            let (config_name, destination) = configs.get(&config_id).cloned().unwrap_or_default();
            QueryLogAssociationFact {
                id: a.id().unwrap_or_default().to_owned(),
                vpc_id: a.resource_id().unwrap_or_default().to_owned(),
                config_id,
                config_name,
                destination,
                status: a
                    .status()
                    .map(|s| s.as_str().to_owned())
                    .unwrap_or_default(),
                error: a.error().filter(|e| e.as_str() != "NONE").map(|e| {
                    match a.error_message() {
                        Some(message) => format!("{}: {message}", e.as_str()),
                        None => e.as_str().to_owned(),
                    }
                }),
            }
        })
        .collect();
    associations.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(associations)
}
