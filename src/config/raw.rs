//! The environment file as written: serde structs that mirror the YAML one to one.
//!
//! Unknown keys are rejected here; values stay strings and numbers, checked afterwards by
//! `resolve` so that one run reports every problem in the file, not just the first.

use std::borrow::Cow;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::Deserialize;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawEnvironment {
    pub name: String,
    pub home_region: String,
    pub regions: RawRegions,
    #[serde(default)]
    pub organization: RawOrganization,
    pub forensic: Option<RawForensic>,
    pub access: Option<RawAccess>,
    pub logging: Option<RawLogging>,
    pub workload_logging: Option<super::RawWorkloadLogging>,
    pub ephemeral: Option<RawEphemeral>,
}

/// `ephemeral:` — a throw-away environment (a tabletop exercise) and when it expires.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawEphemeral {
    /// An RFC 3339 time, or a duration (`12h`, `7d`, `2w`) counted from the first apply.
    pub expires: String,
}

/// `logging:` — what every target account records in every region. Each part is on by
/// default when the section is present; `false` turns one off.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawLogging {
    #[serde(default)]
    pub cloudtrail: Toggle<RawCloudTrail>,
    #[serde(default)]
    pub flow_logs: Toggle<RawFlowLogs>,
    #[serde(default)]
    pub guardduty: Toggle<RawGuardDuty>,
    #[serde(default)]
    pub config: Toggle<RawConfigRecorder>,
    #[serde(default = "default_true")]
    pub dns_query_logs: bool,
    /// `cis` (the default) or `false`.
    #[serde(default = "default_alarms")]
    pub alarms: RawAlarms,
    /// Email addresses subscribed to the alarms' topic.
    #[serde(default)]
    pub alarm_emails: Vec<String>,
}

fn default_alarms() -> RawAlarms {
    RawAlarms::Cis
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RawAlarms {
    #[default]
    Cis,
    Off,
}

impl JsonSchema for RawAlarms {
    fn schema_name() -> Cow<'static, str> {
        "Alarms".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "`cis`: the CIS metric filters and alarms; `false`: none",
            "enum": ["cis", true, false],
        })
    }
}

impl<'de> Deserialize<'de> for RawAlarms {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct AlarmsVisitor;

        impl Visitor<'_> for AlarmsVisitor {
            type Value = RawAlarms;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("`cis` or `false`")
            }

            fn visit_bool<E: de::Error>(self, v: bool) -> Result<RawAlarms, E> {
                Ok(if v { RawAlarms::Cis } else { RawAlarms::Off })
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawAlarms, E> {
                match v {
                    "cis" => Ok(RawAlarms::Cis),
                    other => Err(E::invalid_value(de::Unexpected::Str(other), &self)),
                }
            }
        }

        deserializer.deserialize_any(AlarmsVisitor)
    }
}

/// A part that is either settings or `false` (off). `true` means the defaults.
#[derive(Debug)]
pub enum Toggle<T> {
    Off,
    On(T),
}

impl<T: Default> Default for Toggle<T> {
    fn default() -> Self {
        Self::On(T::default())
    }
}

impl<T: JsonSchema> JsonSchema for Toggle<T> {
    fn schema_name() -> Cow<'static, str> {
        format!("Toggle_{}", T::schema_name()).into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let settings = generator.subschema_for::<T>();
        json_schema!({
            "description": "The settings, `true` for the defaults, or `false` to turn it off",
            "anyOf": [{ "type": "boolean" }, settings],
        })
    }
}

impl<'de, T: Deserialize<'de> + Default> Deserialize<'de> for Toggle<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Through a YAML value, so that a mistake inside the settings keeps its own
        // message instead of an untagged enum's "did not match any variant".
        match serde_yaml::Value::deserialize(deserializer)? {
            serde_yaml::Value::Bool(true) => Ok(Self::On(T::default())),
            serde_yaml::Value::Bool(false) => Ok(Self::Off),
            // The path inside the settings goes into the message (`adopt: invalid
            // type ...`), where the loader turns it back into the field and its position.
            settings => serde_path_to_error::deserialize(settings)
                .map(Self::On)
                .map_err(|err| {
                    let path = err.path().to_string();
                    let inner = err.into_inner();
                    if path == "." {
                        de::Error::custom(inner)
                    } else {
                        de::Error::custom(format_args!("{path}: {inner}"))
                    }
                }),
        }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCloudTrail {
    #[serde(default = "default_true")]
    pub organization: bool,
    #[serde(default = "default_data_events")]
    pub data_events: Vec<String>,
    #[serde(default = "default_retention_days")]
    pub cloudwatch_retention_days: u32,
}

impl Default for RawCloudTrail {
    fn default() -> Self {
        Self {
            organization: true,
            data_events: default_data_events(),
            cloudwatch_retention_days: default_retention_days(),
        }
    }
}

fn default_data_events() -> Vec<String> {
    vec!["s3".to_owned(), "lambda".to_owned()]
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawFlowLogs {
    #[serde(default = "default_traffic")]
    pub traffic: String,
    #[serde(default = "default_aggregation")]
    pub aggregation_seconds: u32,
}

impl Default for RawFlowLogs {
    fn default() -> Self {
        Self {
            traffic: default_traffic(),
            aggregation_seconds: default_aggregation(),
        }
    }
}

fn default_traffic() -> String {
    "ALL".to_owned()
}

fn default_aggregation() -> u32 {
    60
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawGuardDuty {
    #[serde(default = "default_features")]
    pub features: Vec<String>,
    #[serde(default)]
    pub adopt: bool,
}

impl Default for RawGuardDuty {
    fn default() -> Self {
        Self {
            features: default_features(),
            adopt: false,
        }
    }
}

fn default_features() -> Vec<String> {
    ["s3", "eks_audit", "ebs_malware", "rds_login", "runtime"]
        .map(String::from)
        .to_vec()
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawConfigRecorder {
    #[serde(default = "default_true")]
    pub all_supported: bool,
    #[serde(default)]
    pub adopt: bool,
}

impl Default for RawConfigRecorder {
    fn default() -> Self {
        Self {
            all_supported: true,
            adopt: false,
        }
    }
}

/// `regions: [us-east-1, eu-west-1]` or `regions: all-enabled`.
#[derive(Debug)]
pub enum RawRegions {
    AllEnabled,
    List(Vec<String>),
}

impl JsonSchema for RawRegions {
    fn schema_name() -> Cow<'static, str> {
        "Regions".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "The regions to prepare, or `all-enabled` for every region enabled in the management account",
            "anyOf": [
                { "const": "all-enabled" },
                { "type": "array", "items": { "type": "string" } },
            ],
        })
    }
}

impl<'de> Deserialize<'de> for RawRegions {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RegionsVisitor;

        impl<'de> Visitor<'de> for RegionsVisitor {
            type Value = RawRegions;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of regions or `all-enabled`")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawRegions, E> {
                if v == "all-enabled" {
                    Ok(RawRegions::AllEnabled)
                } else {
                    Err(E::invalid_value(de::Unexpected::Str(v), &self))
                }
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawRegions, A::Error> {
                let mut regions = Vec::new();
                while let Some(region) = seq.next_element::<String>()? {
                    regions.push(region);
                }
                Ok(RawRegions::List(regions))
            }
        }

        deserializer.deserialize_any(RegionsVisitor)
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawOrganization {
    pub management_account: Option<String>,
    #[serde(default = "default_member_role")]
    pub member_role: String,
    #[serde(default)]
    pub targets: RawTargets,
}

impl Default for RawOrganization {
    fn default() -> Self {
        Self {
            management_account: None,
            member_role: default_member_role(),
            targets: RawTargets::default(),
        }
    }
}

fn default_member_role() -> String {
    "OrganizationAccountAccessRole".to_owned()
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTargets {
    pub all: Option<bool>,
    #[serde(default)]
    pub include_ous: Vec<String>,
    #[serde(default)]
    pub accounts: Vec<String>,
    #[serde(default)]
    pub exclude_accounts: Vec<String>,
    #[serde(default)]
    pub exclude_ous: Vec<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawForensic {
    /// An existing account, by id or name.
    pub account: Option<String>,
    /// An account irready creates in the organization.
    pub create: Option<RawNewAccount>,
    pub analysis_regions: Option<Vec<String>>,
    #[serde(default)]
    pub vpc: RawForensicVpc,
    #[serde(default)]
    pub evidence: RawBucket,
    #[serde(default)]
    pub log_archive: RawBucket,
    #[serde(default)]
    pub amis: Vec<RawAmi>,
    #[serde(default)]
    pub analysis: RawAnalysis,
}

/// `forensic.analysis`: query tables over the log archive, an Athena workgroup and the
/// hunting queries, in the forensic account's home region.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawAnalysis {
    /// On by default wherever irready fills a log archive (`logging` and `forensic`).
    #[serde(default = "default_true")]
    pub enabled: bool,
    /// The most one query may scan, in GB; a query that would scan more is cancelled.
    #[serde(default = "default_scan_cutoff_gb")]
    pub scan_cutoff_gb: u64,
    /// Days query results are kept in the results bucket.
    #[serde(default = "default_results_days")]
    pub results_days: u32,
}

impl Default for RawAnalysis {
    fn default() -> Self {
        Self {
            enabled: true,
            scan_cutoff_gb: default_scan_cutoff_gb(),
            results_days: default_results_days(),
        }
    }
}

fn default_scan_cutoff_gb() -> u64 {
    1000
}

fn default_results_days() -> u32 {
    30
}

/// `forensic.create`: the forensic account, created by apply.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawNewAccount {
    pub name: String,
    pub email: String,
    /// The OU it goes into: an id or a path from the root; the root when absent.
    pub ou: Option<String>,
}

/// `forensic.amis[]`: an analysis image, by id or by owner and name filter.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawAmi {
    pub name: String,
    pub id: Option<String>,
    /// The region `id` is in; the home region when absent.
    pub region: Option<String>,
    pub owner: Option<String>,
    pub name_filter: Option<String>,
}

/// A data bucket of the forensic account.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawBucket {
    #[serde(default)]
    pub object_lock: RawObjectLock,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawObjectLock {
    #[serde(default = "default_lock_mode")]
    pub mode: String,
    #[serde(default = "default_lock_days")]
    pub days: u32,
}

impl Default for RawObjectLock {
    fn default() -> Self {
        Self {
            mode: default_lock_mode(),
            days: default_lock_days(),
        }
    }
}

fn default_lock_mode() -> String {
    "GOVERNANCE".to_owned()
}

fn default_lock_days() -> u32 {
    365
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawForensicVpc {
    #[serde(default = "default_vpc_cidr")]
    pub cidr: String,
    #[serde(default = "default_azs")]
    pub azs: u32,
    #[serde(default = "default_retention_days")]
    pub flow_log_retention_days: u32,
}

impl Default for RawForensicVpc {
    fn default() -> Self {
        Self {
            cidr: default_vpc_cidr(),
            azs: default_azs(),
            flow_log_retention_days: default_retention_days(),
        }
    }
}

fn default_vpc_cidr() -> String {
    "10.250.0.0/16".to_owned()
}

fn default_azs() -> u32 {
    2
}

fn default_retention_days() -> u32 {
    400
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawAccess {
    pub security_principals: Vec<String>,
    /// An isolation security group (no ingress, no egress) in every VPC.
    #[serde(default = "default_true")]
    pub isolation_security_group: bool,
    #[serde(default)]
    pub breakglass: RawBreakglass,
    #[serde(default)]
    pub investigator: RawRole,
    #[serde(default)]
    pub responder: RawRole,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawBreakglass {
    pub role_name: Option<String>,
    #[serde(default = "default_true")]
    pub require_mfa: bool,
    #[serde(default = "default_session_seconds")]
    pub max_session_seconds: u32,
    pub external_id: Option<String>,
    /// Email addresses subscribed to the breakglass alerts topic of every target account.
    #[serde(default)]
    pub alert_emails: Vec<String>,
}

impl Default for RawBreakglass {
    fn default() -> Self {
        Self {
            role_name: None,
            require_mfa: true,
            max_session_seconds: default_session_seconds(),
            external_id: None,
            alert_emails: Vec::new(),
        }
    }
}

fn default_true() -> bool {
    true
}

fn default_session_seconds() -> u32 {
    3600
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRole {
    pub role_name: Option<String>,
    pub max_session_seconds: Option<u32>,
}
