//! The environment as irready works with it once loaded: every section of the file as a
//! typed, validated value. Names of accounts and OUs stay unresolved ([`AccountRef`],
//! [`OuRef`]) until discovery knows the organization.

use std::fmt;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use ipnet::Ipv4Net;

use crate::addr::{AccountId, Region};

use super::{Located, WorkloadLoggingSpec};

/// An account named in the environment: by id, or by its name in the organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountRef {
    Id(AccountId),
    Name(String),
}

impl fmt::Display for AccountRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Id(id) => write!(f, "{id}"),
            Self::Name(name) => write!(f, "{name}"),
        }
    }
}

/// An organizational unit: by id (`ou-…`, or the root `r-…`) or by path (`Root/Workloads`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OuRef {
    Id(String),
    Path(Vec<String>),
}

impl fmt::Display for OuRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Id(id) => f.write_str(id),
            Self::Path(parts) => f.write_str(&parts.join("/")),
        }
    }
}

/// Which regions the environment covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegionSelection {
    List(Vec<Region>),
    /// Every region enabled in the management account, read at discovery.
    AllEnabled,
}

/// Which accounts of the organization are targets. An empty selection means every
/// active account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetSelection {
    pub include_ous: Vec<Located<OuRef>>,
    pub accounts: Vec<Located<AccountRef>>,
    pub exclude_accounts: Vec<Located<AccountRef>>,
    pub exclude_ous: Vec<Located<OuRef>>,
}

impl TargetSelection {
    pub fn selects_all(&self) -> bool {
        self.include_ous.is_empty() && self.accounts.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationSpec {
    /// When set, discovery checks that the credentials in use belong to this account.
    pub management_account: Option<Located<AccountRef>>,
    /// The role assumed in every member account.
    pub member_role: String,
    pub targets: TargetSelection,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForensicSpec {
    pub account: ForensicAccount,
    pub analysis_regions: Vec<Region>,
    pub vpc: ForensicVpcSpec,
    /// Default retention of the evidence bucket's objects.
    pub evidence_lock: ObjectLock,
    /// Default retention of the log archive's objects.
    pub log_archive_lock: ObjectLock,
    /// The analysis images, made available in every analysis region.
    pub amis: Vec<AmiSpec>,
    /// The query layer over the log archive; `None` when turned off.
    pub analysis: Option<AnalysisSpec>,
}

/// `forensic.analysis`: Glue tables with partition projection over the log archive, an
/// Athena workgroup that enforces its settings, and the hunting queries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalysisSpec {
    /// The most one query may scan, in bytes (Athena's `BytesScannedCutoffPerQuery`).
    pub scan_cutoff_bytes: u64,
    /// Days query results are kept.
    pub results_days: u32,
}

/// Which account is the forensic account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForensicAccount {
    /// An account of the organization.
    Existing(Located<AccountRef>),
    /// An account apply creates (once: afterwards it is found by its name).
    Create(NewAccount),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccount {
    pub name: Located<String>,
    pub email: String,
    /// The OU it is moved into; the root when absent.
    pub ou: Option<Located<OuRef>>,
}

/// An analysis image: responders launch it in the forensic VPC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmiSpec {
    /// Names the image's SSM parameter and launch template.
    pub name: String,
    pub source: AmiSource,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AmiSource {
    /// One image, in one region: copied into the analysis regions that lack it.
    Id { id: String, region: Region },
    /// The newest image of `owner` whose name matches `name_filter` (`*` and `?`
    /// wildcards), looked up in each analysis region; where none matches, the newest
    /// match of the home region (or of any analysis region) is copied there.
    Filter { owner: String, name_filter: String },
}

/// S3 Object Lock default retention: objects cannot be deleted or overwritten before
/// `days` have passed (in GOVERNANCE mode, except by principals allowed to bypass it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectLock {
    pub mode: LockMode,
    pub days: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockMode {
    Governance,
    Compliance,
}

impl LockMode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Governance => "GOVERNANCE",
            Self::Compliance => "COMPLIANCE",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForensicVpcSpec {
    pub cidr: Ipv4Net,
    /// One private subnet per availability zone, carved from `cidr` in Rust so that the
    /// template receives plain values.
    pub subnets: Vec<Ipv4Net>,
    pub flow_log_retention_days: u32,
}

/// A principal trusted by the breakglass role. Wildcards are rejected at load time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrincipalRef {
    /// An IAM ARN: an account root, a role or a user.
    Arn(String),
    /// The root principal of an account of the organization, named by id or name.
    AccountRoot(AccountRef),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessSpec {
    pub security_principals: Vec<Located<PrincipalRef>>,
    /// Whether every VPC gets an isolation security group.
    pub isolation_security_group: bool,
    pub breakglass: BreakglassSpec,
    pub investigator: RoleSpec,
    pub responder: RoleSpec,
    pub deny_all_policy_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreakglassSpec {
    pub role_name: String,
    pub max_session_seconds: u32,
    pub external_id: Option<String>,
    /// Subscribed by email to the breakglass alerts topic in every target account.
    pub alert_emails: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleSpec {
    pub role_name: String,
    pub max_session_seconds: u32,
}

/// `logging:`: what every target account records in every region, into the forensic
/// account's log archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggingSpec {
    pub cloudtrail: Option<CloudTrailSpec>,
    pub flow_logs: Option<FlowLogSpec>,
    pub guardduty: Option<GuardDutySpec>,
    pub config: Option<ConfigRecorderSpec>,
    pub dns_query_logs: bool,
    /// The CIS metric filters and alarms on the trail's log group.
    pub cis_alarms: bool,
    /// Who the alarms notify: email addresses subscribed to their topic.
    pub alarm_emails: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloudTrailSpec {
    /// An organization trail when the account is in an organization, else an account trail.
    pub organization: bool,
    pub data_events: Vec<DataEvents>,
    pub cloudwatch_retention_days: u32,
}

/// Data events a trail records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DataEvents {
    S3,
    Lambda,
}

impl DataEvents {
    /// How the environment file names it.
    pub fn name(self) -> &'static str {
        match self {
            Self::S3 => "s3",
            Self::Lambda => "lambda",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        [Self::S3, Self::Lambda]
            .into_iter()
            .find(|k| k.name() == name)
    }

    /// The CloudTrail resource type of these data events.
    pub fn resource_type(self) -> &'static str {
        match self {
            Self::S3 => "AWS::S3::Object",
            Self::Lambda => "AWS::Lambda::Function",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowLogSpec {
    /// `ALL`, `ACCEPT` or `REJECT`.
    pub traffic: String,
    /// 60 or 600.
    pub aggregation_seconds: u32,
}

/// GuardDuty protection plans, by the names the environment file uses.
pub const GUARDDUTY_FEATURES: &[(&str, &str)] = &[
    ("s3", "S3_DATA_EVENTS"),
    ("eks_audit", "EKS_AUDIT_LOGS"),
    ("ebs_malware", "EBS_MALWARE_PROTECTION"),
    ("rds_login", "RDS_LOGIN_EVENTS"),
    ("runtime", "RUNTIME_MONITORING"),
    ("lambda", "LAMBDA_NETWORK_LOGS"),
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuardDutySpec {
    /// GuardDuty's feature names (`S3_DATA_EVENTS`, ...), sorted.
    pub features: Vec<&'static str>,
    /// Accept a detector made outside irready as it is, gaps and all, instead of
    /// reporting a conflict. GuardDuty allows one detector per account and region, so
    /// irready never plans a second one either way.
    pub adopt: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigRecorderSpec {
    pub all_supported: bool,
    /// Accept a recorder made outside irready as it is, gaps and all, instead of
    /// reporting a conflict. AWS Config allows one recorder per account and region.
    pub adopt: bool,
}

/// The environment file, validated. Names of accounts and OUs are resolved by discovery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    pub file: PathBuf,
    /// SHA-256 of the file's bytes: ties a saved plan to the text it was made from.
    pub file_sha256: String,
    pub name: String,
    pub home_region: Region,
    pub regions: RegionSelection,
    pub organization: OrganizationSpec,
    pub forensic: Option<ForensicSpec>,
    pub access: Option<AccessSpec>,
    pub logging: Option<LoggingSpec>,
    /// `workload_logging:`: the logs of the workloads that already run.
    pub workload_logging: Option<WorkloadLoggingSpec>,
    /// Set for a throw-away environment: its stacks carry `irready:expires`, and
    /// `destroy --expired` removes it once that time has passed.
    pub ephemeral: Option<Ephemeral>,
}

/// When an ephemeral environment expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// At this time.
    At(DateTime<Utc>),
    /// This long after its first apply: the time is fixed then, in the stacks' tags.
    After(chrono::Duration),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ephemeral {
    pub expires: Expiry,
}

/// The longest an ephemeral environment may live: past that, it is not throw-away.
pub const MAX_EPHEMERAL_DAYS: i64 = 90;

/// Parses `expires`: an RFC 3339 time, or a whole number of hours, days or weeks
/// (`12h`, `7d`, `2w`).
pub fn parse_expiry(text: &str) -> Result<Expiry, String> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(Expiry::At(at.with_timezone(&Utc)));
    }
    let unit = text.chars().last().unwrap_or(' ');
    let count = text[..text.len() - unit.len_utf8().min(text.len())].parse::<i64>();
    let hours = match (unit, count) {
        ('h', Ok(n)) => n,
        ('d', Ok(n)) => n.saturating_mul(24),
        ('w', Ok(n)) => n.saturating_mul(24 * 7),
        _ => {
            return Err(format!(
                "`{text}` is neither an RFC 3339 time (2026-01-31T18:00:00Z) nor a duration \
                 (12h, 7d, 2w)"
            ))
        }
    };
    if hours <= 0 || hours > MAX_EPHEMERAL_DAYS * 24 {
        return Err(format!(
            "`{text}`: an ephemeral environment lives between 1 hour and \
             {MAX_EPHEMERAL_DAYS} days"
        ));
    }
    Ok(Expiry::After(chrono::Duration::hours(hours)))
}

/// Retention periods CloudWatch Logs accepts.
pub const LOG_RETENTION_DAYS: &[u32] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];
