//! Organization-wide prerequisites: the services that need trusted access in
//! AWS Organizations before a stack that uses them can be created. Pure: decided from the
//! environment and the organization as discovery read it.

use serde::{Deserialize, Serialize};

use crate::addr::AccountId;
use crate::config::Environment;
use crate::discover::Scope;

/// CloudTrail's service principal. An organization trail is refused with
/// `CloudTrailAccessNotEnabledException` until the organization enables trusted access
/// for it (CloudTrail user guide, "Prepare for creating a trail for your organization",
/// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/creating-an-organizational-trail-prepare.html;
/// AWS Organizations user guide, "AWS CloudTrail and AWS Organizations",
/// https://docs.aws.amazon.com/organizations/latest/userguide/services-that-can-integrate-cloudtrail.html).
pub const CLOUDTRAIL: &str = "cloudtrail.amazonaws.com";

/// A service whose trusted access apply enables in the organization, from the management
/// account, before any stack.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TrustedAccess {
    /// The service principal, e.g. `cloudtrail.amazonaws.com`.
    pub service: String,
    /// The management account, where apply enables it.
    pub account: AccountId,
    /// What needs it. For display only: apply never reads it.
    pub needed_by: String,
}

/// The services the environment uses organization-wide. irready deploys every other
/// component into each account through its member role, which needs no trusted access.
pub fn wanted(env: &Environment, scope: &Scope) -> Vec<TrustedAccess> {
    let organization_trail = env.forensic.is_some()
        && scope.organization.enabled
        && env
            .logging
            .as_ref()
            .and_then(|l| l.cloudtrail.as_ref())
            .is_some_and(|t| t.organization);
    if organization_trail {
        vec![TrustedAccess {
            service: CLOUDTRAIL.to_owned(),
            account: scope.organization.management_account.clone(),
            needed_by: "the organization trail".to_owned(),
        }]
    } else {
        Vec::new()
    }
}

/// The wanted services whose trusted access is not enabled yet: what apply enables.
/// Nothing when the organization's trusted services were not read.
pub fn missing(env: &Environment, scope: &Scope) -> Vec<TrustedAccess> {
    let Some(enabled) = &scope.organization.trusted_services else {
        return Vec::new();
    };
    wanted(env, scope)
        .into_iter()
        .filter(|t| !enabled.contains(&t.service))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    use super::*;

    fn resolved(yaml: &str, enabled: Option<&[&str]>) -> (Environment, Scope) {
        let env = crate::config::parse(Path::new("env.yaml"), yaml).expect("valid file");
        let mut org = crate::discover::scope::tests::org();
        org.trusted_services =
            enabled.map(|s| s.iter().map(|s| (*s).to_owned()).collect::<BTreeSet<_>>());
        let scope = crate::discover::scope::resolve(&env, org, None).expect("resolves");
        (env, scope)
    }

    const TRAIL: &str = "name: t\nhome_region: us-east-1\nregions: [us-east-1]\n\
                         organization:\n  targets:\n    all: true\n\
                         forensic:\n  account: forensics\n\
                         logging:\n  cloudtrail: { organization: true }\n";

    #[test]
    fn an_organization_trail_needs_cloudtrail_trusted_access_until_it_is_enabled() {
        let (env, scope) = resolved(TRAIL, Some(&[]));
        let missing = missing(&env, &scope);
        assert_eq!(missing.len(), 1);
        assert_eq!(missing[0].service, CLOUDTRAIL);

        let (env, scope) = resolved(TRAIL, Some(&[CLOUDTRAIL, "config.amazonaws.com"]));
        assert!(super::missing(&env, &scope).is_empty());

        // Not read: nothing is claimed either way.
        let (env, scope) = resolved(TRAIL, None);
        assert!(super::missing(&env, &scope).is_empty());
    }

    #[test]
    fn an_account_trail_needs_no_trusted_access() {
        let account_trail = TRAIL.replace("organization: true", "organization: false");
        let (env, scope) = resolved(&account_trail, Some(&[]));
        assert!(wanted(&env, &scope).is_empty());
    }
}
