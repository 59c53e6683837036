//! The organization as discovery sees it: accounts, OUs and their paths from the root.

use serde::Serialize;

use crate::addr::AccountId;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrgAccount {
    pub id: AccountId,
    pub name: String,
    /// `ACTIVE`, `SUSPENDED`, `PENDING_CLOSURE`: only active accounts are targets.
    pub status: String,
    /// The id of the OU (or root) that holds the account.
    pub parent: String,
}

impl OrgAccount {
    pub fn is_active(&self) -> bool {
        self.status == "ACTIVE"
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrgUnit {
    pub id: String,
    pub name: String,
    /// `None` for the root.
    pub parent: Option<String>,
    /// From the root, e.g. `["Root", "Workloads", "Prod"]`.
    pub path: Vec<String>,
}

/// The organization, or a single account when Organizations is not in use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Organization {
    /// The organization id (`o-…`), `None` without an organization.
    pub id: Option<String>,
    pub management_account: AccountId,
    /// False when the caller's account is not in an organization: then `accounts` holds
    /// that one account and `units` only a synthetic root.
    pub enabled: bool,
    pub accounts: Vec<OrgAccount>,
    pub units: Vec<OrgUnit>,
    /// The services with trusted access in the organization (EnableAWSServiceAccess),
    /// read only when the environment needs one; `None` when not read.
    pub trusted_services: Option<std::collections::BTreeSet<String>>,
}

impl Organization {
    /// The id of the root (`r-…`).
    pub fn root_id(&self) -> &str {
        self.units
            .iter()
            .find(|u| u.parent.is_none())
            .map_or("", |u| u.id.as_str())
    }

    /// The single-account case: no Organizations, the caller's account is the only one.
    pub fn single_account(account: AccountId) -> Self {
        Self {
            id: None,
            accounts: vec![OrgAccount {
                id: account.clone(),
                name: account.to_string(),
                status: "ACTIVE".to_owned(),
                parent: "r-none".to_owned(),
            }],
            units: vec![OrgUnit {
                id: "r-none".to_owned(),
                name: "Root".to_owned(),
                parent: None,
                path: vec!["Root".to_owned()],
            }],
            management_account: account,
            enabled: false,
            trusted_services: None,
        }
    }

    pub fn account(&self, id: &AccountId) -> Option<&OrgAccount> {
        self.accounts.iter().find(|a| &a.id == id)
    }

    pub fn unit(&self, id: &str) -> Option<&OrgUnit> {
        self.units.iter().find(|u| u.id == id)
    }

    /// The account's display name: `name (id)`.
    pub fn label(&self, id: &AccountId) -> String {
        match self.account(id) {
            Some(a) if a.name != a.id.as_str() => format!("{} ({})", a.name, a.id),
            _ => id.to_string(),
        }
    }

    /// Whether the OU `ancestor` holds `account`, directly or through nested OUs.
    pub fn is_under(&self, account: &OrgAccount, ancestor: &str) -> bool {
        let mut current = Some(account.parent.as_str());
        while let Some(id) = current {
            if id == ancestor {
                return true;
            }
            current = self.unit(id).and_then(|u| u.parent.as_deref());
        }
        false
    }
}
