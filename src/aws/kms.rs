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
