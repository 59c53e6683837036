//! Organizations: reading the accounts and OU tree, and creating the forensic account.

use std::collections::VecDeque;

use crate::addr::AccountId;
use crate::model::organization::{OrgAccount, OrgUnit, Organization};

use super::wait::Poll;
use super::{AccountSession, Aws, AwsError, AwsResult};
use aws_sdk_organizations::types::CreateAccountState;

/// Reads the whole organization from the management account: two paginated listings
/// per OU (child OUs and accounts), walked breadth-first from the root. Returns `None`
/// when the caller's account is not in an organization.
pub async fn read_organization(
    aws: &Aws,
    session: &AccountSession,
) -> AwsResult<Option<Organization>> {
    let client = aws.organizations(session);
    let described = match client.describe_organization().send().await {
        Ok(out) => out,
        Err(err) => {
            let err = AwsError::from_sdk("organizations:DescribeOrganization", err);
            if err.code.as_deref() == Some("AWSOrganizationsNotInUseException") {
                return Ok(None);
            }
            return Err(err);
        }
    };
    let organization_id = described
        .organization()
        .and_then(|o| o.id())
        .map(str::to_owned);
    let management: AccountId = described
        .organization()
        .and_then(|o| o.master_account_id())
        .unwrap_or_default()
        .parse()
        .map_err(|e: String| AwsError::other("organizations:DescribeOrganization", e))?;

    let roots = client
        .list_roots()
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("organizations:ListRoots", e))?;
    let mut units = Vec::new();
    let mut queue = VecDeque::new();
    for root in roots.roots() {
        let id = root.id().unwrap_or_default().to_owned();
        units.push(OrgUnit {
            id: id.clone(),
            name: "Root".to_owned(),
            parent: None,
            path: vec!["Root".to_owned()],
        });
        queue.push_back((id, vec!["Root".to_owned()]));
    }

    let mut accounts = Vec::new();
    while let Some((parent, path)) = queue.pop_front() {
        let mut children = client
            .list_organizational_units_for_parent()
            .parent_id(&parent)
            .into_paginator()
            .send();
        while let Some(page) = children.next().await {
            let page = page.map_err(|e| {
                AwsError::from_sdk("organizations:ListOrganizationalUnitsForParent", e)
            })?;
            for ou in page.organizational_units() {
                let name = ou.name().unwrap_or_default().to_owned();
                let mut child_path = path.clone();
                child_path.push(name.clone());
                let id = ou.id().unwrap_or_default().to_owned();
                units.push(OrgUnit {
                    id: id.clone(),
                    name,
                    parent: Some(parent.clone()),
                    path: child_path.clone(),
                });
                queue.push_back((id, child_path));
            }
        }
        let mut members = client
            .list_accounts_for_parent()
            .parent_id(&parent)
            .into_paginator()
            .send();
        while let Some(page) = members.next().await {
            let page =
                page.map_err(|e| AwsError::from_sdk("organizations:ListAccountsForParent", e))?;
            for account in page.accounts() {
                let Ok(id) = account.id().unwrap_or_default().parse::<AccountId>() else {
                    continue;
                };
                accounts.push(OrgAccount {
                    id,
                    name: account.name().unwrap_or_default().to_owned(),
                    status: account
                        .status()
                        .map(|s| s.as_str().to_owned())
                        .unwrap_or_else(|| "ACTIVE".to_owned()),
                    parent: parent.clone(),
                });
            }
        }
    }
    accounts.sort_by(|a, b| a.id.cmp(&b.id));
    units.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Some(Organization {
        id: organization_id,
        management_account: management,
        enabled: true,
        accounts,
        units,
        trusted_services: None,
    }))
}

/// The service principals with trusted access in the organization
/// (ListAWSServiceAccessForOrganization, from the management account).
pub async fn trusted_services(
    aws: &Aws,
    session: &AccountSession,
) -> AwsResult<std::collections::BTreeSet<String>> {
    let client = aws.organizations(session);
    let mut pages = client
        .list_aws_service_access_for_organization()
        .into_paginator()
        .send();
    let mut services = std::collections::BTreeSet::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| {
            AwsError::from_sdk("organizations:ListAWSServiceAccessForOrganization", e)
        })?;
        services.extend(
            page.enabled_service_principals()
                .iter()
                .filter_map(|p| p.service_principal().map(str::to_owned)),
        );
    }
    Ok(services)
}

/// Enables trusted access for `service` in the organization (EnableAWSServiceAccess,
/// from the management account). Enabling it again changes nothing.
pub async fn enable_trusted_access(
    aws: &Aws,
    session: &AccountSession,
    service: &str,
) -> AwsResult<()> {
    aws.organizations(session)
        .enable_aws_service_access()
        .service_principal(service)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("organizations:EnableAWSServiceAccess", e))?;
    Ok(())
}

/// Creates an account with `role` as its administrative role for the management account,
/// waits until Organizations reports it created (up to `timeout`), moves it from the
/// root into `parent` and returns its id.
pub async fn create_account(
    aws: &Aws,
    session: &AccountSession,
    name: &str,
    email: &str,
    role: &str,
    parent: &str,
    timeout: std::time::Duration,
) -> AwsResult<AccountId> {
    let client = aws.organizations(session);
    let started = client
        .create_account()
        .account_name(name)
        .email(email)
        .role_name(role)
        .iam_user_access_to_billing(aws_sdk_organizations::types::IamUserAccessToBilling::Deny)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("organizations:CreateAccount", e))?;
    let request = started
        .create_account_status()
        .and_then(|s| s.id())
        .ok_or_else(|| AwsError::other("organizations:CreateAccount", "no request id"))?
        .to_owned();
    let account = super::wait::until(
        "organizations:CreateAccount",
        timeout,
        || async {
            let status = client
                .describe_create_account_status()
                .create_account_request_id(&request)
                .send()
                .await
                .map_err(|e| AwsError::from_sdk("organizations:DescribeCreateAccountStatus", e))?;
            let status = status.create_account_status();
            match status.and_then(|s| s.state()) {
                Some(CreateAccountState::Succeeded) => status
                    .and_then(|s| s.account_id())
                    .unwrap_or_default()
                    .parse::<AccountId>()
                    .map(Poll::Ready)
                    .map_err(|e| AwsError::other("organizations:DescribeCreateAccountStatus", e)),
                Some(CreateAccountState::Failed) => {
                    let reason = status
                        .and_then(|s| s.failure_reason())
                        .map_or("unknown", |r| r.as_str());
                    Err(AwsError::other(
                        "organizations:CreateAccount",
                        format!("creating account {name} failed: {reason}"),
                    ))
                }
                _ => Ok(Poll::Pending(format!("account {name} being created"))),
            }
        },
        |_| {},
    )
    .await?;
    let parents = client
        .list_parents()
        .child_id(account.as_str())
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("organizations:ListParents", e))?;
    let current = parents
        .parents()
        .first()
        .and_then(|p| p.id())
        .unwrap_or_default()
        .to_owned();
    if current != parent {
        client
            .move_account()
            .account_id(account.as_str())
            .source_parent_id(current)
            .destination_parent_id(parent)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("organizations:MoveAccount", e))?;
    }
    Ok(account)
}
