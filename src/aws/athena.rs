//! Athena and the Glue Data Catalog: the analysis component's workgroup and tables, read
//! by check.

use std::collections::BTreeMap;

use crate::addr::Region;

use super::{AccountSession, Aws, AwsError, AwsResult};

/// A Glue table as GetTables reports it: what check compares with the rendered table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableFact {
    pub name: String,
    pub parameters: BTreeMap<String, String>,
    pub location: Option<String>,
}

/// Every table of `database`, or `None` when the database does not exist.
pub async fn tables(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    database: &str,
) -> AwsResult<Option<Vec<TableFact>>> {
    let client = aws.glue(session, region);
    let mut pages = client
        .get_tables()
        .database_name(database)
        .into_paginator()
        .send();
    let mut out = Vec::new();
    while let Some(page) = pages.next().await {
        let page = match page {
            Ok(page) => page,
            Err(err) => {
                return AwsError::from_sdk("glue:GetTables", err)
                    .absent(&["EntityNotFoundException"])
            }
        };
        out.extend(page.table_list().iter().map(|t| {
            TableFact {
                name: t.name().to_owned(),
                parameters: t
                    .parameters()
                    .map(|p| p.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                    .unwrap_or_default(),
                location: t
                    .storage_descriptor()
                    .and_then(|s| s.location())
                    .map(str::to_owned),
            }
        }));
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Some(out))
}

/// An Athena workgroup's settings, as GetWorkGroup reports them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkGroupFact {
    pub name: String,
    pub enabled: bool,
    pub enforced: bool,
    pub output_location: Option<String>,
    /// `SSE_KMS`, `CSE_KMS`, `SSE_S3`, or `None` when results are not encrypted.
    pub encryption: Option<String>,
    pub kms_key: Option<String>,
    pub scan_cutoff_bytes: Option<i64>,
}

/// The workgroup `name`, or `None` when it does not exist.
pub async fn workgroup(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    name: &str,
) -> AwsResult<Option<WorkGroupFact>> {
    let result = aws
        .athena(session, region)
        .get_work_group()
        .work_group(name)
        .send()
        .await;
    let out = match result {
        Ok(out) => out,
        // Athena answers a missing workgroup with InvalidRequestException.
        Err(err) => {
            return AwsError::from_sdk("athena:GetWorkGroup", err)
                .absent(&["InvalidRequestException"])
        }
    };
    let Some(group) = out.work_group() else {
        return Ok(None);
    };
    let config = group.configuration();
    let results = config.and_then(|c| c.result_configuration());
    let encryption = results.and_then(|r| r.encryption_configuration());
    Ok(Some(WorkGroupFact {
        name: group.name().to_owned(),
        enabled: group.state().map(|s| s.as_str()) == Some("ENABLED"),
        enforced: config
            .and_then(|c| c.enforce_work_group_configuration())
            .unwrap_or(false),
        output_location: results.and_then(|r| r.output_location()).map(str::to_owned),
        encryption: encryption.map(|e| e.encryption_option().as_str().to_owned()),
        kms_key: encryption.and_then(|e| e.kms_key()).map(str::to_owned),
        scan_cutoff_bytes: config.and_then(|c| c.bytes_scanned_cutoff_per_query()),
    }))
}
