//! IAM reads used by discovery and check.

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

/// A role as the access controls need it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RoleFact {
    pub name: String,
    pub arn: String,
    /// The trust policy, parsed (IAM returns it URL-encoded).
    pub trust_policy: serde_json::Value,
    pub max_session_seconds: Option<i32>,
}

/// The role of that name, or `None` when it does not exist.
pub async fn role(aws: &Aws, session: &AccountSession, name: &str) -> AwsResult<Option<RoleFact>> {
    let out = match aws.iam(session).get_role().role_name(name).send().await {
        Ok(out) => out,
        Err(err) => {
            let err = AwsError::from_sdk("iam:GetRole", err);
            return if err.kind == ErrorKind::NotFound {
                Ok(None)
            } else {
                Err(err)
            };
        }
    };
    let Some(role) = out.role() else {
        return Ok(None);
    };
    let document = role.assume_role_policy_document().unwrap_or("{}");
    let decoded = urlencoding::decode(document)
        .map(|d| d.into_owned())
        .unwrap_or_else(|_| document.to_owned());
    let trust_policy = serde_json::from_str(&decoded).map_err(|e| {
        AwsError::other(
            "iam:GetRole",
            format!("the trust policy of {name} does not parse: {e}"),
        )
    })?;
    Ok(Some(RoleFact {
        name: role.role_name().to_owned(),
        arn: role.arn().to_owned(),
        trust_policy,
        max_session_seconds: role.max_session_duration(),
    }))
}

/// Replaces the trust policy of role `name` with `document`.
pub async fn set_trust_policy(
    aws: &Aws,
    session: &AccountSession,
    name: &str,
    document: &serde_json::Value,
) -> AwsResult<()> {
    aws.iam(session)
        .update_assume_role_policy()
        .role_name(name)
        .policy_document(document.to_string())
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("iam:UpdateAssumeRolePolicy", e))?;
    Ok(())
}
