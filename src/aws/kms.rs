//! KMS: the key policies of irready's own keys, read to find changes made outside
//! irready and put back by their repair.

use crate::addr::Region;

use super::{AccountSession, Aws, AwsError, AwsResult, ErrorKind};

/// The key's policy (its only one, `default`), or `None` when the key does not exist.
pub async fn key_policy(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    key_id: &str,
) -> AwsResult<Option<String>> {
    match aws
        .kms(session, region)
        .get_key_policy()
        .key_id(key_id)
        .policy_name("default")
        .send()
        .await
    {
        Ok(out) => Ok(out.policy().map(str::to_owned)),
        Err(err) => {
            let err = AwsError::from_sdk("kms:GetKeyPolicy", err);
            if err.kind == ErrorKind::NotFound {
                Ok(None)
            } else {
                Err(err)
            }
        }
    }
}

/// Replaces the key's policy with `document`.
pub async fn put_key_policy(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    key_id: &str,
    document: &serde_json::Value,
) -> AwsResult<()> {
    aws.kms(session, region)
        .put_key_policy()
        .key_id(key_id)
        .policy_name("default")
        .policy(document.to_string())
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("kms:PutKeyPolicy", e))?;
    Ok(())
}

/// A key as the evidence-key controls need it: its ARN, whether it is enabled, and its
/// policy. `None` when `key_id` (an id, ARN or alias) names no key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyFact {
    pub arn: String,
    pub enabled: bool,
    pub policy: Option<String>,
}

pub async fn key(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    key_id: &str,
) -> AwsResult<Option<KeyFact>> {
    let described = match aws
        .kms(session, region)
        .describe_key()
        .key_id(key_id)
        .send()
        .await
    {
        Ok(out) => out.key_metadata().cloned(),
        Err(err) => {
            let err = AwsError::from_sdk("kms:DescribeKey", err);
            return if err.kind == ErrorKind::NotFound {
                Ok(None)
            } else {
                Err(err)
            };
        }
    };
    let Some(metadata) = described else {
        return Ok(None);
    };
    let arn = metadata.arn().unwrap_or_default().to_owned();
    let policy = key_policy(aws, session, region, metadata.key_id()).await?;
    Ok(Some(KeyFact {
        arn,
        enabled: metadata.enabled(),
        policy,
    }))
}
