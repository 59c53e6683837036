//! CloudFront: list the account's distributions (global) with their tags and standard
//! logging, and set a distribution's standard logging, the rest of its configuration
//! unchanged.

use std::collections::BTreeMap;

use aws_sdk_cloudfront::types::LoggingConfig;

use crate::workload::LogSetting;

use super::{AccountSession, Aws, AwsError, AwsResult};

/// One distribution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistributionFact {
    pub id: String,
    /// Its domain name, how people know it.
    pub domain: String,
    pub tags: BTreeMap<String, String>,
    /// `destination` is the bucket's domain (`bucket.s3.amazonaws.com`), as CloudFront
    /// takes it.
    pub logging: LogSetting,
}

/// Every distribution of the account.
pub async fn distributions(
    aws: &Aws,
    session: &AccountSession,
) -> AwsResult<Vec<DistributionFact>> {
    let client = aws.cloudfront(session);
    let mut found = Vec::new();
    let mut pages = client.list_distributions().into_paginator().send();
    while let Some(page) = pages.next().await {
        let out = page.map_err(|e| AwsError::from_sdk("cloudfront:ListDistributions", e))?;
        for item in out
            .distribution_list()
            .map(|l| l.items())
            .unwrap_or_default()
        {
            found.push((
                item.id().to_owned(),
                item.domain_name().to_owned(),
                item.arn().to_owned(),
            ));
        }
    }
    found.sort();
    let mut facts = Vec::new();
    for (id, domain, arn) in found {
        let tags = client
            .list_tags_for_resource()
            .resource(&arn)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("cloudfront:ListTagsForResource", e))?
            .tags()
            .map(|t| {
                t.items()
                    .iter()
                    .map(|t| (t.key().to_owned(), t.value().unwrap_or_default().to_owned()))
                    .collect()
            })
            .unwrap_or_default();
        let out = client
            .get_distribution_config()
            .id(&id)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("cloudfront:GetDistributionConfig", e))?;
        let logging = out
            .distribution_config()
            .and_then(|c| c.logging())
            .map(|l| LogSetting {
                enabled: l.enabled(),
                destination: Some(l.bucket())
                    .filter(|b| !b.is_empty())
                    .map(str::to_owned),
                prefix: Some(l.prefix())
                    .filter(|p| !p.is_empty())
                    .map(str::to_owned),
                types: Vec::new(),
            })
            .unwrap_or_else(LogSetting::off);
        facts.push(DistributionFact {
            id,
            domain,
            tags,
            logging,
        });
    }
    Ok(facts)
}

/// Sets the distribution's standard logging and nothing else: its configuration is read
/// with its ETag and written back with only `Logging` changed.
pub async fn set_logging(
    aws: &Aws,
    session: &AccountSession,
    id: &str,
    setting: &LogSetting,
) -> AwsResult<()> {
    let client = aws.cloudfront(session);
    let out = client
        .get_distribution_config()
        .id(id)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("cloudfront:GetDistributionConfig", e))?;
    let mut config = out
        .distribution_config()
        .cloned()
        .ok_or_else(|| AwsError::other("cloudfront:GetDistributionConfig", "no configuration"))?;
    config.logging = Some(
        LoggingConfig::builder()
            .enabled(setting.enabled)
            .include_cookies(false)
            .bucket(setting.destination.clone().unwrap_or_default())
            .prefix(setting.prefix.clone().unwrap_or_default())
            .build(),
    );
    client
        .update_distribution()
        .id(id)
        .set_if_match(out.e_tag().map(str::to_owned))
        .distribution_config(config)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| AwsError::from_sdk("cloudfront:UpdateDistribution", e))
}
