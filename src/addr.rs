//! Typed addresses: accounts, regions, stacks and resources.
//!
//! Every other module names things through these types, never through bare strings, so
//! that each address has one display form and a total order for stable output.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A 12-digit AWS account id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AccountId(String);

impl AccountId {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `s` has the shape of an account id (exactly twelve ASCII digits).
    pub fn is_account_id(s: &str) -> bool {
        s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
    }
}

impl FromStr for AccountId {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if Self::is_account_id(s) {
            Ok(Self(s.to_owned()))
        } else {
            Err(format!("`{s}` is not a 12-digit account id"))
        }
    }
}

impl TryFrom<String> for AccountId {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<AccountId> for String {
    fn from(id: AccountId) -> String {
        id.0
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The commercial AWS regions irready knows. A region outside this list is a typo more
/// often than a new region, so the loader rejects it and names the list.
pub const KNOWN_REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
];

/// The regions of [`KNOWN_REGIONS`] that an account must enable before use; every region
/// launched since March 2019.
pub const OPT_IN_REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-south-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-west-1",
    "eu-central-2",
    "eu-south-1",
    "eu-south-2",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
];

/// An AWS region from [`KNOWN_REGIONS`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Region(String);

impl Region {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The region that global services (IAM sign-in events, CloudFront) report into.
    pub fn us_east_1() -> Self {
        Self("us-east-1".to_owned())
    }

    /// Whether the region must be enabled before use (an opt-in region). Some services
    /// act there under a regional service principal, and some deliveries cannot cross
    /// into or out of it (AWS Account Management reference guide, "Enable or disable
    /// AWS Regions in your account",
    /// https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-regions.html).
    pub fn is_opt_in(&self) -> bool {
        OPT_IN_REGIONS.contains(&self.0.as_str())
    }
}

impl FromStr for Region {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if KNOWN_REGIONS.contains(&s) {
            Ok(Self(s.to_owned()))
        } else {
            Err(format!("unknown region `{s}`"))
        }
    }
}

impl TryFrom<String> for Region {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Region> for String {
    fn from(r: Region) -> String {
        r.0
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One deployment target: an account in a region.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Target {
    pub account: AccountId,
    pub region: Region,
}

impl Target {
    pub fn new(account: AccountId, region: Region) -> Self {
        Self { account, region }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.account, self.region)
    }
}

/// A CloudFormation stack in one target. Ordered by account, region, then stack name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct StackAddr {
    pub account: AccountId,
    pub region: Region,
    pub stack: String,
}

impl StackAddr {
    pub fn new(target: &Target, stack: impl Into<String>) -> Self {
        Self {
            account: target.account.clone(),
            region: target.region.clone(),
            stack: stack.into(),
        }
    }

    pub fn target(&self) -> Target {
        Target::new(self.account.clone(), self.region.clone())
    }
}

impl fmt::Display for StackAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.account, self.region, self.stack)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_ids_are_twelve_digits() {
        assert!("123456789012".parse::<AccountId>().is_ok());
        assert!("12345678901".parse::<AccountId>().is_err());
        assert!("12345678901a".parse::<AccountId>().is_err());
        assert!("1234567890123".parse::<AccountId>().is_err());
    }

    #[test]
    fn regions_are_checked_against_the_known_list() {
        assert!("eu-west-1".parse::<Region>().is_ok());
        assert!("eu-west-9".parse::<Region>().is_err());
        assert!("US-EAST-1".parse::<Region>().is_err());
    }

    #[test]
    fn stack_addresses_sort_by_account_region_then_name() {
        let a: AccountId = "111111111111".parse().unwrap();
        let b: AccountId = "222222222222".parse().unwrap();
        let east = Region::us_east_1();
        let west: Region = "eu-west-1".parse().unwrap();
        let mut addrs = [
            StackAddr::new(&Target::new(b.clone(), east.clone()), "x"),
            StackAddr::new(&Target::new(a.clone(), east.clone()), "y"),
            StackAddr::new(&Target::new(a.clone(), west.clone()), "a"),
        ];
        addrs.sort();
        let shown: Vec<String> = addrs.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "111111111111/eu-west-1/a",
                "111111111111/us-east-1/y",
                "222222222222/us-east-1/x"
            ]
        );
    }
}
