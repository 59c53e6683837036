//! Resolves the environment's references (accounts and OUs by name or id, principals,
//! regions) against the discovered organization. Pure: no I/O.

use std::collections::BTreeSet;

use crate::addr::{AccountId, Region};
use crate::config::{
    AccountRef, Diagnostic, Environment, ForensicAccount, Located, OuRef, PrincipalRef,
    RegionSelection,
};

use super::organization::{OrgAccount, Organization};

/// What the environment means in this organization: which accounts and regions, which
/// account is the forensic account, which principals the breakglass role trusts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub organization: Organization,
    pub regions: Vec<Region>,
    /// Target accounts, sorted by id.
    pub accounts: Vec<AccountId>,
    pub forensic_account: Option<AccountId>,
    /// The forensic account the environment asks to create, while it does not exist.
    pub pending_forensic: Option<PendingAccount>,
    /// Resolved ARNs, sorted and without duplicates.
    pub security_principals: Vec<String>,
    /// The target accounts whose workloads' logs irready turns on (`workload_logging`),
    /// sorted; empty without that section.
    pub workload_accounts: Vec<AccountId>,
}

/// An account apply creates before anything is deployed into it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PendingAccount {
    pub name: String,
    pub email: String,
    /// The OU (or root) id it is moved into.
    pub parent: String,
    /// The same as a path from the root, for display.
    pub parent_path: String,
}

impl Scope {
    /// Every account discovery must enter: the targets and the forensic account.
    pub fn all_accounts(&self) -> Vec<AccountId> {
        let mut all: BTreeSet<AccountId> = self.accounts.iter().cloned().collect();
        all.extend(self.forensic_account.clone());
        all.into_iter().collect()
    }
}

/// Resolves `env` against `organization`. `enabled_regions` is the management account's
/// enabled regions, needed only for `regions: all-enabled`.
pub fn resolve(
    env: &Environment,
    organization: Organization,
    enabled_regions: Option<Vec<Region>>,
) -> Result<Scope, Vec<Diagnostic>> {
    let mut problems = Vec::new();
    let org = &organization;

    if let Some(expected) = &env.organization.management_account {
        if let Some(account) = account(org, expected, &mut problems) {
            if account.id != org.management_account {
                problems.push(diag(
                    expected,
                    format!(
                        "the credentials in use belong to {}, not to the management account {}",
                        org.label(&org.management_account),
                        org.label(&account.id)
                    ),
                ));
            }
        }
    }

    let targets = &env.organization.targets;
    let mut selected: BTreeSet<AccountId> = BTreeSet::new();
    if targets.selects_all() {
        selected.extend(
            org.accounts
                .iter()
                .filter(|a| a.is_active())
                .map(|a| a.id.clone()),
        );
    }
    for ou in &targets.include_ous {
        if let Some(ou_id) = unit(org, ou, &mut problems) {
            selected.extend(
                org.accounts
                    .iter()
                    .filter(|a| a.is_active() && org.is_under(a, &ou_id))
                    .map(|a| a.id.clone()),
            );
        }
    }
    for reference in &targets.accounts {
        if let Some(a) = account(org, reference, &mut problems) {
            if a.is_active() {
                selected.insert(a.id.clone());
            } else {
                problems.push(diag(
                    reference,
                    format!("account {} is {}, not ACTIVE", org.label(&a.id), a.status),
                ));
            }
        }
    }
    for ou in &targets.exclude_ous {
        if let Some(ou_id) = unit(org, ou, &mut problems) {
            selected.retain(|id| org.account(id).is_none_or(|a| !org.is_under(a, &ou_id)));
        }
    }
    for reference in &targets.exclude_accounts {
        if let Some(a) = account(org, reference, &mut problems) {
            selected.remove(&a.id);
        }
    }

    let mut pending_forensic = None;
    let forensic_account = env.forensic.as_ref().and_then(|f| match &f.account {
        ForensicAccount::Existing(reference) => {
            let a = account(org, reference, &mut problems)?;
            if !a.is_active() {
                problems.push(diag(
                    reference,
                    format!("account {} is {}, not ACTIVE", org.label(&a.id), a.status),
                ));
            }
            Some(a.id.clone())
        }
        ForensicAccount::Create(new) => {
            // Created by an earlier apply: from then on it is found by its name.
            if let Some(existing) = org.accounts.iter().find(|a| a.name == new.name.value) {
                return Some(existing.id.clone());
            }
            if !org.enabled {
                problems.push(diag(
                    &new.name,
                    "creating the forensic account needs AWS Organizations, and the caller's \
                     account is in none: name an existing account instead"
                        .to_owned(),
                ));
                return None;
            }
            let parent = match &new.ou {
                Some(ou) => unit(org, ou, &mut problems)?,
                None => org.root_id().to_owned(),
            };
            let parent_path = org
                .units
                .iter()
                .find(|u| u.id == parent)
                .map_or_else(|| parent.clone(), |u| u.path.join("/"));
            pending_forensic = Some(PendingAccount {
                name: new.name.value.clone(),
                email: new.email.clone(),
                parent,
                parent_path,
            });
            None
        }
    });

    let mut principals = BTreeSet::new();
    for principal in env.access.iter().flat_map(|a| &a.security_principals) {
        match &principal.value {
            PrincipalRef::Arn(arn) => {
                principals.insert(arn.clone());
            }
            PrincipalRef::AccountRoot(reference) => {
                let located = Located {
                    value: reference.clone(),
                    at: principal.at.clone(),
                };
                if let Some(a) = account(org, &located, &mut problems) {
                    principals.insert(format!("arn:aws:iam::{}:root", a.id));
                }
            }
        }
    }

    let mut workload_accounts = BTreeSet::new();
    if let Some(spec) = &env.workload_logging {
        let mut chosen: BTreeSet<AccountId> = BTreeSet::new();
        for ou in &spec.ous {
            if let Some(ou_id) = unit(org, ou, &mut problems) {
                chosen.extend(
                    org.accounts
                        .iter()
                        .filter(|a| org.is_under(a, &ou_id))
                        .map(|a| a.id.clone()),
                );
            }
        }
        for reference in &spec.accounts {
            if let Some(a) = account(org, reference, &mut problems) {
                if selected.contains(&a.id) {
                    chosen.insert(a.id.clone());
                } else {
                    problems.push(diag(
                        reference,
                        format!(
                            "account {} is not a target of the environment \
                             (organization.targets)",
                            org.label(&a.id)
                        ),
                    ));
                }
            }
        }
        let everywhere = spec.accounts.is_empty() && spec.ous.is_empty();
        workload_accounts = selected
            .iter()
            .filter(|id| everywhere || chosen.contains(*id))
            .cloned()
            .collect();
    }

    let regions = match &env.regions {
        RegionSelection::List(list) => list.clone(),
        RegionSelection::AllEnabled => {
            enabled_regions.unwrap_or_else(|| vec![env.home_region.clone()])
        }
    };

    if selected.is_empty() && problems.is_empty() {
        problems.push(Diagnostic {
            at: crate::config::Location {
                file: env.file.clone(),
                position: crate::config::Position { line: 1, column: 1 },
                field: "organization.targets".to_owned(),
            },
            message: "selects no active account of the organization".to_owned(),
        });
    }

    if problems.is_empty() {
        Ok(Scope {
            organization,
            regions,
            accounts: selected.into_iter().collect(),
            forensic_account,
            pending_forensic,
            security_principals: principals.into_iter().collect(),
            workload_accounts: workload_accounts.into_iter().collect(),
        })
    } else {
        Err(problems)
    }
}

fn diag<T>(at: &Located<T>, message: String) -> Diagnostic {
    Diagnostic {
        at: at.at.clone(),
        message,
    }
}

fn account<'o>(
    org: &'o Organization,
    reference: &Located<AccountRef>,
    problems: &mut Vec<Diagnostic>,
) -> Option<&'o OrgAccount> {
    match &reference.value {
        AccountRef::Id(id) => {
            let found = org.account(id);
            if found.is_none() {
                problems.push(diag(
                    reference,
                    format!("account {id} is not in the organization"),
                ));
            }
            found
        }
        AccountRef::Name(name) => {
            let matches: Vec<&OrgAccount> =
                org.accounts.iter().filter(|a| &a.name == name).collect();
            match matches.as_slice() {
                [one] => Some(one),
                [] => {
                    let mut names: Vec<&str> =
                        org.accounts.iter().map(|a| a.name.as_str()).collect();
                    names.sort_unstable();
                    problems.push(diag(
                        reference,
                        format!(
                            "no account named `{name}` in the organization (accounts: {})",
                            names.join(", ")
                        ),
                    ));
                    None
                }
                several => {
                    let ids: Vec<String> = several.iter().map(|a| a.id.to_string()).collect();
                    problems.push(diag(
                        reference,
                        format!(
                            "{} accounts are named `{name}` ({}): name it by id",
                            several.len(),
                            ids.join(", ")
                        ),
                    ));
                    None
                }
            }
        }
    }
}

fn unit(
    org: &Organization,
    reference: &Located<OuRef>,
    problems: &mut Vec<Diagnostic>,
) -> Option<String> {
    let found = match &reference.value {
        OuRef::Id(id) => org.unit(id),
        OuRef::Path(path) => org.units.iter().find(|u| &u.path == path),
    };
    if found.is_none() {
        let mut paths: Vec<String> = org.units.iter().map(|u| u.path.join("/")).collect();
        paths.sort();
        problems.push(diag(
            reference,
            format!(
                "no OU `{}` in the organization (OUs: {})",
                reference.value,
                paths.join(", ")
            ),
        ));
    }
    found.map(|u| u.id.clone())
}

#[cfg(test)]
pub(crate) mod tests {
    use std::path::Path;

    use super::*;
    use crate::model::organization::OrgUnit;

    /// The test organization resolved against environment text.
    pub(crate) fn resolved(yaml: &str) -> Scope {
        let env = crate::config::parse(Path::new("t.yaml"), yaml).expect("valid environment");
        resolve(&env, org(), None).expect("resolves")
    }

    pub(crate) fn org() -> Organization {
        let unit = |id: &str, parent: Option<&str>, path: &[&str]| OrgUnit {
            id: id.into(),
            name: path.last().unwrap().to_string(),
            parent: parent.map(Into::into),
            path: path.iter().map(|s| s.to_string()).collect(),
        };
        let account = |id: &str, name: &str, parent: &str, status: &str| OrgAccount {
            id: id.parse().unwrap(),
            name: name.into(),
            status: status.into(),
            parent: parent.into(),
        };
        Organization {
            id: Some("o-test".into()),
            management_account: "111111111111".parse().unwrap(),
            enabled: true,
            trusted_services: None,
            units: vec![
                unit("r-root", None, &["Root"]),
                unit("ou-root-security", Some("r-root"), &["Root", "Security"]),
                unit("ou-root-workloads", Some("r-root"), &["Root", "Workloads"]),
                unit(
                    "ou-root-prod",
                    Some("ou-root-workloads"),
                    &["Root", "Workloads", "Prod"],
                ),
            ],
            accounts: vec![
                account("111111111111", "management", "r-root", "ACTIVE"),
                account("222222222222", "forensics", "ou-root-security", "ACTIVE"),
                account("333333333333", "security", "ou-root-security", "ACTIVE"),
                account("444444444444", "prod-app", "ou-root-prod", "ACTIVE"),
                account("555555555555", "dev-app", "ou-root-workloads", "ACTIVE"),
                account("666666666666", "old-app", "ou-root-workloads", "SUSPENDED"),
            ],
        }
    }

    fn scope(yaml: &str) -> Result<Scope, Vec<String>> {
        let env = crate::config::parse(Path::new("env.yaml"), yaml).expect("valid file");
        resolve(&env, org(), None).map_err(|d| {
            d.iter()
                .map(|d| format!("{}:{}: {}", d.at.position.line, d.at.field, d.message))
                .collect()
        })
    }

    fn ids(accounts: &[AccountId]) -> Vec<&str> {
        accounts.iter().map(AccountId::as_str).collect()
    }

    const HEAD: &str = "name: t\nhome_region: us-east-1\nregions: [us-east-1]\n";

    #[test]
    fn all_selects_every_active_account() {
        let s = scope(HEAD).unwrap();
        assert_eq!(
            ids(&s.accounts),
            [
                "111111111111",
                "222222222222",
                "333333333333",
                "444444444444",
                "555555555555"
            ]
        );
    }

    #[test]
    fn ou_paths_include_nested_ous_and_exclusions_apply() {
        let s = scope(&format!(
            "{HEAD}organization:\n  targets:\n    include_ous: [Root/Workloads]\n    \
             accounts: [security]\n    exclude_accounts: [\"555555555555\"]\n"
        ))
        .unwrap();
        assert_eq!(ids(&s.accounts), ["333333333333", "444444444444"]);
    }

    #[test]
    fn names_resolve_for_forensic_account_and_principals() {
        let s = scope(&format!(
            "{HEAD}forensic: {{ account: forensics }}\naccess:\n  security_principals: [security, \"arn:aws:iam::999999999999:role/ir\"]\n"
        ))
        .unwrap();
        assert_eq!(s.forensic_account.unwrap().as_str(), "222222222222");
        assert_eq!(
            s.security_principals,
            [
                "arn:aws:iam::333333333333:root",
                "arn:aws:iam::999999999999:role/ir"
            ]
        );
    }

    #[test]
    fn unknown_names_are_reported_where_they_are_written() {
        let errors = scope(&format!(
            "{HEAD}organization:\n  targets:\n    include_ous: [Root/Nowhere]\nforensic: {{ account: forensix }}\n"
        ))
        .unwrap_err();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(
            errors[0].starts_with("6:organization.targets.include_ous[0]: no OU `Root/Nowhere`")
        );
        assert!(errors[1].starts_with("7:forensic.account: no account named `forensix`"));
    }

    #[test]
    fn a_suspended_account_cannot_be_named_as_target() {
        let errors = scope(&format!(
            "{HEAD}organization:\n  targets:\n    accounts: [old-app]\n"
        ))
        .unwrap_err();
        assert!(errors[0].contains("SUSPENDED"), "{errors:?}");
    }

    #[test]
    fn the_management_account_is_checked_against_the_caller() {
        let errors = scope(&format!(
            "{HEAD}organization:\n  management_account: security\n"
        ))
        .unwrap_err();
        assert!(
            errors[0].contains("not to the management account security (333333333333)"),
            "{errors:?}"
        );
    }
}
