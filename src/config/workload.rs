//! `workload_logging:`: which logs of the workloads that already run irready turns on
//! (S3 server access logs, load balancer access logs, ...), where, what it leaves alone,
//! and how long its destinations keep them.

use std::collections::{BTreeMap, BTreeSet};

use schemars::JsonSchema;
use serde::Deserialize;

use super::{AccountRef, Located, OuRef, RegionSelection, Resolver};
use crate::addr::Region;
use crate::workload::WorkloadKind;

/// `workload_logging:` as written. Every part is optional: `workload_logging: {}` turns
/// every kind on in every target account and region.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawWorkloadLogging {
    /// Kinds to turn on; absent: all.
    pub kinds: Option<Vec<String>>,
    /// Only these target accounts (ids or names); absent: every target account.
    #[serde(default)]
    pub accounts: Vec<String>,
    /// Only the target accounts under these OUs.
    #[serde(default)]
    pub ous: Vec<String>,
    /// Only these of the environment's regions; absent: all of them.
    #[serde(default)]
    pub regions: Vec<String>,
    #[serde(default)]
    pub exclude: RawWorkloadExclusions,
    /// Days the destination buckets keep logs; absent: 365.
    pub retention_days: Option<u32>,
    /// `keep` (the default): a resource already logging elsewhere is left as it is;
    /// `replace`: irready points it at its own destination, as the plan says.
    pub existing_destinations: Option<String>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawWorkloadExclusions {
    /// Resources with this tag (value `*`: any value) are left alone.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// Resources whose name matches one of these patterns (`*`: any characters).
    #[serde(default)]
    pub names: Vec<String>,
}

/// What irready does with a logging destination set outside irready.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExistingDestinations {
    /// Logging is on: leave it.
    Keep,
    /// Point it at irready's destination (the plan says what it replaces).
    Replace,
}

/// `workload_logging:`, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkloadLoggingSpec {
    pub kinds: BTreeSet<WorkloadKind>,
    /// Empty with `ous`: every target account.
    pub accounts: Vec<Located<AccountRef>>,
    pub ous: Vec<Located<OuRef>>,
    /// Empty: every region of the environment.
    pub regions: Vec<Region>,
    pub exclude_tags: BTreeMap<String, String>,
    pub exclude_names: Vec<String>,
    pub retention_days: u32,
    pub existing_destinations: ExistingDestinations,
}

impl WorkloadLoggingSpec {
    pub fn wants(&self, kind: WorkloadKind) -> bool {
        self.kinds.contains(&kind)
    }
}

/// Default retention of the destination buckets.
pub const DEFAULT_WORKLOAD_LOG_DAYS: u32 = 365;

impl Resolver {
    pub(super) fn workload_logging(
        &mut self,
        raw: RawWorkloadLogging,
        regions: &RegionSelection,
        home_region: Option<&crate::addr::Region>,
    ) -> WorkloadLoggingSpec {
        const AT: &str = "workload_logging";
        let kinds = match raw.kinds {
            None => WorkloadKind::ALL.into_iter().collect(),
            Some(list) => {
                if list.is_empty() {
                    self.error(
                        &format!("{AT}.kinds"),
                        "lists no kind: leave `kinds` out for all, or remove the section",
                    );
                }
                let mut kinds = BTreeSet::new();
                for (i, name) in list.iter().enumerate() {
                    match WorkloadKind::from_name(name) {
                        Some(kind) => {
                            kinds.insert(kind);
                        }
                        None => self.error(
                            &format!("{AT}.kinds[{i}]"),
                            format!(
                                "unknown kind `{name}`: choose among {}",
                                WorkloadKind::ALL.map(WorkloadKind::name).join(", ")
                            ),
                        ),
                    }
                }
                kinds
            }
        };
        // CloudFront standard logs go to the home region's bucket, and CloudFront does not
        // deliver into a bucket in an opt-in region (Amazon CloudFront developer guide,
        // "Configure standard logging (legacy)": buckets in af-south-1, ap-east-1,
        // eu-south-1, me-south-1 and the Regions enabled since are not supported,
        // https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging-legacy-s3.html).
        if let Some(home) = home_region.filter(|h| h.is_opt_in()) {
            if kinds.contains(&WorkloadKind::Cloudfront) {
                self.error(
                    &format!("{AT}.kinds"),
                    format!(
                        "CloudFront cannot deliver standard logs into a bucket in `{home}`, an \
                         opt-in region: leave `cloudfront` out of the kinds, or choose another \
                         home region"
                    ),
                );
            }
        }
        let mut accounts = Vec::new();
        for (i, a) in raw.accounts.iter().enumerate() {
            accounts.extend(self.account_ref(&format!("{AT}.accounts[{i}]"), a));
        }
        let mut ous = Vec::new();
        for (i, ou) in raw.ous.iter().enumerate() {
            ous.extend(self.ou_ref(&format!("{AT}.ous[{i}]"), ou));
        }
        let mut chosen = Vec::new();
        for (i, region) in raw.regions.iter().enumerate() {
            let field = format!("{AT}.regions[{i}]");
            if let Some(region) = self.region(&field, region) {
                if let RegionSelection::List(listed) = regions {
                    if !listed.contains(&region) {
                        self.error(
                            &field,
                            format!("`{region}` is not one of the environment's `regions`"),
                        );
                        continue;
                    }
                }
                if !chosen.contains(&region) {
                    chosen.push(region);
                }
            }
        }
        for (key, value) in &raw.exclude.tags {
            if key.is_empty() || key.len() > 128 || value.len() > 256 {
                self.error(
                    &format!("{AT}.exclude.tags.{key}"),
                    "a tag key is 1-128 characters and its value at most 256",
                );
            }
        }
        for (i, pattern) in raw.exclude.names.iter().enumerate() {
            if pattern.is_empty() {
                self.error(
                    &format!("{AT}.exclude.names[{i}]"),
                    "an empty pattern matches nothing: remove it, or write `*` for everything",
                );
            }
        }
        let retention_days = raw.retention_days.unwrap_or(DEFAULT_WORKLOAD_LOG_DAYS);
        // Also the retention of the API Gateway access log group.
        self.retention(&format!("{AT}.retention_days"), retention_days);
        let existing_destinations = match raw.existing_destinations.as_deref() {
            None | Some("keep") => ExistingDestinations::Keep,
            Some("replace") => ExistingDestinations::Replace,
            Some(other) => {
                self.error(
                    &format!("{AT}.existing_destinations"),
                    format!("`{other}`: choose keep or replace"),
                );
                ExistingDestinations::Keep
            }
        };
        WorkloadLoggingSpec {
            kinds,
            accounts,
            ous,
            regions: chosen,
            exclude_tags: raw.exclude.tags,
            exclude_names: raw.exclude.names,
            retention_days,
            existing_destinations,
        }
    }
}
