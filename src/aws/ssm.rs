//! SSM Parameter Store calls: the apply lock is one parameter, created only if absent;
//! the analysis images are pinned in others, read by check.

use aws_sdk_ssm::types::ParameterType;

use crate::addr::Region;

use super::{AccountSession, Aws, AwsError, AwsResult, ErrorKind};

/// Creates the parameter unless it exists. `Ok(false)`: it exists already.
pub async fn create_if_absent(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    name: &str,
    value: &str,
    description: &str,
) -> AwsResult<bool> {
    let result = aws
        .ssm(session, region)
        .put_parameter()
        .name(name)
        .value(value)
        .description(description)
        .r#type(ParameterType::String)
        .overwrite(false)
        .send()
        .await;
    match result {
        Ok(_) => Ok(true),
        Err(err) => {
            let err = AwsError::from_sdk("ssm:PutParameter", err);
            if err.code.as_deref() == Some("ParameterAlreadyExists") {
                Ok(false)
            } else {
                Err(err)
            }
        }
    }
}

/// The parameter's value, or `None` when it does not exist.
pub async fn get(
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

/// Deletes the parameter; one already gone is not an error.
pub async fn delete(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    name: &str,
) -> AwsResult<()> {
    match aws
        .ssm(session, region)
        .delete_parameter()
        .name(name)
        .send()
        .await
    {
        Ok(_) => Ok(()),
        Err(err) => {
            let err = AwsError::from_sdk("ssm:DeleteParameter", err);
            if err.code.as_deref() == Some("ParameterNotFound") {
                Ok(())
            } else {
                Err(err)
            }
        }
    }
}

/// Every parameter under `path` (recursively), as name and value, sorted by name.
pub async fn parameters_by_path(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    path: &str,
) -> AwsResult<Vec<(String, String)>> {
    let client = aws.ssm(session, region);
    let mut found = Vec::new();
    let mut pages = client
        .get_parameters_by_path()
        .path(path.trim_end_matches('/'))
        .recursive(true)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let out = page.map_err(|e| AwsError::from_sdk("ssm:GetParametersByPath", e))?;
        found.extend(
            out.parameters()
                .iter()
                .filter_map(|p| Some((p.name()?.to_owned(), p.value()?.to_owned()))),
        );
    }
    found.sort();
    Ok(found)
}
