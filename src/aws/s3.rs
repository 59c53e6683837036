//! S3 reads used by check: how a bucket protects what it holds.

use serde::{Deserialize, Serialize};

use crate::addr::Region;

use super::{AccountSession, Aws, AwsError, AwsResult, ErrorKind};

/// A bucket's protections as the evidence control needs them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BucketFact {
    pub name: String,
    /// Object Lock's default retention, e.g. `GOVERNANCE 365 days`; `None` when off.
    pub object_lock: Option<String>,
    pub versioning: bool,
    /// The default encryption algorithm, e.g. `aws:kms`.
    pub encryption: Option<String>,
    /// All four public access block settings on.
    pub public_access_blocked: bool,
}

/// The bucket's protections, or `None` when it does not exist.
pub async fn bucket(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    name: &str,
) -> AwsResult<Option<BucketFact>> {
    let client = aws.s3(session, region);
    let absent = |err: &AwsError| {
        err.kind == ErrorKind::NotFound || err.code.as_deref() == Some("NoSuchBucket")
    };
    let versioning = match client.get_bucket_versioning().bucket(name).send().await {
        Ok(out) => out.status().map(|s| s.as_str()) == Some("Enabled"),
        Err(err) => {
            let err = AwsError::from_sdk("s3:GetBucketVersioning", err);
            return if absent(&err) { Ok(None) } else { Err(err) };
        }
    };
    // Each of these answers "not configured" with an error code of its own.
    let object_lock = match client
        .get_object_lock_configuration()
        .bucket(name)
        .send()
        .await
    {
        Ok(out) => out.object_lock_configuration().and_then(|c| {
            let enabled = c.object_lock_enabled().map(|e| e.as_str()) == Some("Enabled");
            let retention = c.rule().and_then(|r| r.default_retention());
            enabled.then(|| match retention {
                Some(r) => format!(
                    "{} {} days",
                    r.mode().map_or("", |m| m.as_str()),
                    r.days().unwrap_or_default()
                ),
                None => "enabled, no default retention".to_owned(),
            })
        }),
        Err(err) => {
            let err = AwsError::from_sdk("s3:GetObjectLockConfiguration", err);
            if err.code.as_deref() == Some("ObjectLockConfigurationNotFoundError") {
                None
            } else {
                return Err(err);
            }
        }
    };
    let encryption = match client.get_bucket_encryption().bucket(name).send().await {
        Ok(out) => out
            .server_side_encryption_configuration()
            .and_then(|c| c.rules().first())
            .and_then(|r| r.apply_server_side_encryption_by_default())
            .map(|d| d.sse_algorithm().as_str().to_owned()),
        Err(err) => {
            let err = AwsError::from_sdk("s3:GetBucketEncryption", err);
            if err.code.as_deref() == Some("ServerSideEncryptionConfigurationNotFoundError") {
                None
            } else {
                return Err(err);
            }
        }
    };
    let public_access_blocked = match client.get_public_access_block().bucket(name).send().await {
        Ok(out) => out.public_access_block_configuration().is_some_and(|c| {
            c.block_public_acls() == Some(true)
                && c.ignore_public_acls() == Some(true)
                && c.block_public_policy() == Some(true)
                && c.restrict_public_buckets() == Some(true)
        }),
        Err(err) => {
            let err = AwsError::from_sdk("s3:GetPublicAccessBlock", err);
            if err.code.as_deref() == Some("NoSuchPublicAccessBlockConfiguration") {
                false
            } else {
                return Err(err);
            }
        }
    };
    Ok(Some(BucketFact {
        name: name.to_owned(),
        object_lock,
        versioning,
        encryption,
        public_access_blocked,
    }))
}

/// Whether a bucket name is free, the account's own in the region, or taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BucketPresence {
    Absent,
    /// The account's bucket, in the region asked about.
    Here,
    /// Another account's bucket, or the account's in another region: why, in words.
    Elsewhere(String),
}

/// Where the bucket `name` is (HeadBucket, expecting `account` as its owner): S3 names are
/// global, so a bucket of that name may be anyone's.
pub async fn bucket_presence(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    account: &crate::addr::AccountId,
    name: &str,
) -> AwsResult<BucketPresence> {
    let result = aws
        .s3(session, region)
        .head_bucket()
        .bucket(name)
        .expected_bucket_owner(account.as_str())
        .send()
        .await;
    match result {
        Ok(out) => Ok(match out.bucket_region() {
            Some(other) if other != region.as_str() => {
                BucketPresence::Elsewhere(format!("the bucket {name} is in {other}"))
            }
            _ => BucketPresence::Here,
        }),
        Err(err) => {
            let err = AwsError::from_sdk("s3:HeadBucket", err);
            match (err.kind, err.code.as_deref()) {
                (ErrorKind::NotFound, _) => Ok(BucketPresence::Absent),
                (ErrorKind::AccessDenied, _) | (_, Some("Forbidden")) => {
                    Ok(BucketPresence::Elsewhere(format!(
                        "the bucket name {name} belongs to another account"
                    )))
                }
                _ => Err(err),
            }
        }
    }
}

/// The bucket's policy, or `None` when it has none (or the bucket does not exist).
pub async fn bucket_policy(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    bucket: &str,
) -> AwsResult<Option<String>> {
    match aws
        .s3(session, region)
        .get_bucket_policy()
        .bucket(bucket)
        .send()
        .await
    {
        Ok(out) => Ok(out.policy().map(str::to_owned)),
        Err(err) => {
            let err = AwsError::from_sdk("s3:GetBucketPolicy", err);
            // NoSuchBucketPolicy, NoSuchBucket.
            if err.kind == ErrorKind::NotFound {
                Ok(None)
            } else {
                Err(err)
            }
        }
    }
}

/// Replaces the bucket's policy with `document`.
pub async fn put_bucket_policy(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    bucket: &str,
    document: &serde_json::Value,
) -> AwsResult<()> {
    aws.s3(session, region)
        .put_bucket_policy()
        .bucket(bucket)
        .policy(document.to_string())
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("s3:PutBucketPolicy", e))?;
    Ok(())
}

/// The last-modified time of one object under `prefix` in `bucket` (the first listed),
/// or `None` when nothing is there.
pub async fn any_object_under(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    bucket: &str,
    prefix: &str,
) -> AwsResult<Option<chrono::DateTime<chrono::Utc>>> {
    let out = aws
        .s3(session, region)
        .list_objects_v2()
        .bucket(bucket)
        .prefix(prefix)
        .max_keys(1)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("s3:ListObjectsV2", e))?;
    Ok(out.contents().first().map(|object| {
        object
            .last_modified()
            .and_then(|t| chrono::DateTime::from_timestamp(t.secs(), t.subsec_nanos()))
            .unwrap_or_default()
    }))
}
