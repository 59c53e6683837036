//! IAM reads used by discovery.

use super::{AccountSession, Aws, AwsError, AwsResult, ErrorKind};

/// Whether a role of that name exists in the session's account.
pub async fn role_exists(aws: &Aws, session: &AccountSession, name: &str) -> AwsResult<bool> {
    match aws.iam(session).get_role().role_name(name).send().await {
        Ok(_) => Ok(true),
        Err(err) => {
            let err = AwsError::from_sdk("iam:GetRole", err);
            if err.kind == ErrorKind::NotFound {
                Ok(false)
            } else {
                Err(err)
            }
        }
    }
}
