//! S3 server access logging of the workloads' buckets: list a region's buckets with their
//! tags and logging, and set one bucket's logging.

use std::collections::BTreeMap;

use aws_sdk_s3::types::{
    BucketLoggingStatus, LoggingEnabled, PartitionDateSource, PartitionedPrefix,
    TargetObjectKeyFormat,
};

use crate::addr::Region;
use crate::workload::{LogSetting, PARTITIONED_BY_EVENT_TIME};

use super::{AccountSession, Aws, AwsError, AwsResult};

/// A bucket in one region, its tags and its server access logging.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketLoggingFact {
    pub name: String,
    pub tags: BTreeMap<String, String>,
    pub logging: LogSetting,
}

/// The account's buckets in `region` (ListBuckets filtered by region), each with its tags
/// and server access logging.
pub async fn buckets(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
) -> AwsResult<Vec<BucketLoggingFact>> {
    let client = aws.s3(session, region);
    let mut names = Vec::new();
    let mut token = None;
    loop {
        let out = client
            .list_buckets()
            .bucket_region(region.to_string())
            .set_continuation_token(token)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("s3:ListBuckets", e))?;
        names.extend(
            out.buckets()
                .iter()
                .filter(|b| b.bucket_region().is_none_or(|r| r == region.as_str()))
                .filter_map(|b| b.name().map(str::to_owned)),
        );
        token = out.continuation_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    names.sort();
    let mut facts = Vec::new();
    for name in names {
        let tags = match client.get_bucket_tagging().bucket(&name).send().await {
            Ok(out) => out
                .tag_set()
                .iter()
                .map(|t| (t.key().to_owned(), t.value().to_owned()))
                .collect(),
            Err(err) => {
                let err = AwsError::from_sdk("s3:GetBucketTagging", err);
                if err.code.as_deref() == Some("NoSuchTagSet") {
                    BTreeMap::new()
                } else {
                    return Err(err);
                }
            }
        };
        let logging = bucket_logging(aws, session, region, &name).await?;
        facts.push(BucketLoggingFact {
            name,
            tags,
            logging,
        });
    }
    Ok(facts)
}

/// The bucket's server access logging.
pub async fn bucket_logging(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    bucket: &str,
) -> AwsResult<LogSetting> {
    let out = aws
        .s3(session, region)
        .get_bucket_logging()
        .bucket(bucket)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("s3:GetBucketLogging", e))?;
    Ok(match out.logging_enabled() {
        Some(l) => LogSetting {
            enabled: true,
            destination: Some(l.target_bucket().to_owned()),
            prefix: Some(l.target_prefix().to_owned()),
            types: l
                .target_object_key_format()
                .and_then(|f| f.partitioned_prefix())
                .filter(|p| p.partition_date_source() == Some(&PartitionDateSource::EventTime))
                .map(|_| vec![PARTITIONED_BY_EVENT_TIME.to_owned()])
                .unwrap_or_default(),
        },
        None => LogSetting::off(),
    })
}

/// Sets the bucket's server access logging to `setting` (off, or into a bucket).
pub async fn set_bucket_logging(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    bucket: &str,
    setting: &LogSetting,
) -> AwsResult<()> {
    let mut status = BucketLoggingStatus::builder();
    if let (true, Some(target)) = (setting.enabled, &setting.destination) {
        let partitioned = setting
            .types
            .iter()
            .any(|t| t == PARTITIONED_BY_EVENT_TIME)
            .then(|| {
                TargetObjectKeyFormat::builder()
                    .partitioned_prefix(
                        PartitionedPrefix::builder()
                            .partition_date_source(PartitionDateSource::EventTime)
                            .build(),
                    )
                    .build()
            });
        status = status.logging_enabled(
            LoggingEnabled::builder()
                .target_bucket(target)
                .target_prefix(setting.prefix.clone().unwrap_or_default())
                .set_target_object_key_format(partitioned)
                .build()
                .map_err(|e| AwsError::other("s3:PutBucketLogging", e.to_string()))?,
        );
    }
    aws.s3(session, region)
        .put_bucket_logging()
        .bucket(bucket)
        .bucket_logging_status(status.build())
        .send()
        .await
        .map(|_| ())
        .map_err(|e| AwsError::from_sdk("s3:PutBucketLogging", e))
}
