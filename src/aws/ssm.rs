//! Systems Manager reads used by check: the pinned analysis images.

use crate::addr::Region;

use super::{AccountSession, Aws, AwsError, AwsResult, ErrorKind};

/// The value of parameter `name`, or `None` when it does not exist.
pub async fn parameter(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    name: &str,
) -> AwsResult<Option<String>> {
    match aws
        .ssm(session, region)
        .get_parameter()
        .name(name)
        .send()
        .await
    {
        Ok(out) => Ok(out.parameter().and_then(|p| p.value()).map(str::to_owned)),
        Err(err) => {
            let err = AwsError::from_sdk("ssm:GetParameter", err);
            if err.kind == ErrorKind::NotFound || err.code.as_deref() == Some("ParameterNotFound") {
                Ok(None)
            } else {
                Err(err)
            }
        }
    }
}
