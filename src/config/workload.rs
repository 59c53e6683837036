//! `workload_logging:`: which logs of the workloads that already run irready turns on
//! (S3 server access logs, load balancer access logs, ...), where, what it leaves alone,
//! and how long its destinations keep them.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{AccountRef, Located, OuRef, RegionSelection, Resolver};
use crate::addr::Region;

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

/// A kind of workload log, as the environment names it (`workload_logging.kinds`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkloadKind {
    /// S3 server access logs.
    S3,
    /// Access logs of Application, Network and Classic load balancers.
    Elb,
    /// Redshift audit logs (connections, user activity, queries).
    Redshift,
    /// EKS control-plane logs (api, audit, authenticator, controllerManager, scheduler).
    Eks,
    /// API Gateway REST API stages: access logs and execution logs, and the account's
    /// CloudWatch role they need.
    Apigateway,
    /// WAFv2 web ACL logs (allowed and blocked requests), through
    /// `AWS::WAFv2::LoggingConfiguration` in irready's stack.
    Waf,
    /// CloudFront standard access logs, read from the home region.
    Cloudfront,
}

impl WorkloadKind {
    pub const ALL: [WorkloadKind; 7] = [
        Self::S3,
        Self::Elb,
        Self::Redshift,
        Self::Eks,
        Self::Apigateway,
        Self::Waf,
        Self::Cloudfront,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::S3 => "s3",
            Self::Elb => "elb",
            Self::Redshift => "redshift",
            Self::Eks => "eks",
            Self::Apigateway => "apigateway",
            Self::Waf => "waf",
            Self::Cloudfront => "cloudfront",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Whether irready deploys a destination for this kind (a bucket in the
    /// workload-logging stack). EKS logs go to CloudWatch Logs in the cluster's account.
    pub fn has_destination(self) -> bool {
        match self {
            Self::S3
            | Self::Elb
            | Self::Redshift
            | Self::Apigateway
            | Self::Waf
            | Self::Cloudfront => true,
            Self::Eks => false,
        }
    }

    /// Whether the workload-logging stack in `region` holds a destination for this kind:
    /// CloudFront, a global service, logs into one bucket, in the home region.
    pub fn has_destination_in(
        self,
        region: &crate::addr::Region,
        home: &crate::addr::Region,
    ) -> bool {
        match self {
            Self::Cloudfront => region == home,
            Self::S3 | Self::Elb | Self::Redshift | Self::Apigateway | Self::Waf | Self::Eks => {
                self.has_destination()
            }
        }
    }
}

impl fmt::Display for WorkloadKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
