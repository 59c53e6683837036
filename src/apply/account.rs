//! Creating the forensic account the environment asks for (CreateAccount, then
//! MoveAccount into its OU), from the management account. A plan that needs the account
//! holds nothing else: what goes into it is planned once it exists.

use std::time::Duration;

use crate::addr::AccountId;
use crate::aws::{org, AccountSession, Aws, AwsResult};
use crate::config::Environment;
use crate::model::scope::PendingAccount;

/// Creates `account` with the environment's member role, places it in its OU and
/// returns its id. `management` acts in the management account.
pub async fn create(
    aws: &Aws,
    management: &AccountSession,
    env: &Environment,
    account: &PendingAccount,
    timeout: Duration,
) -> AwsResult<AccountId> {
    org::create_account(
        aws,
        management,
        &account.name,
        &account.email,
        &env.organization.member_role,
        &account.parent,
        timeout,
    )
    .await
}
