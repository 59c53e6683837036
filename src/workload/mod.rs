//! Logging of the workloads that already run (S3 buckets, load balancers, ...): the kinds,
//! a workload as discovery reads it, its logging setting, and where irready sends its
//! logs. Shared by `discover`, `plan`, `apply` and `check`. Pure: no I/O, no AWS.
//!
//! These resources belong to application teams. irready changes one setting of each (its
//! logging), only where the environment asks, and records the setting it found so that
//! `destroy` can put it back.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::addr::Target;
use crate::config::{Environment, ExistingDestinations, WorkloadLoggingSpec};

/// The access log format irready sets: who called, what, when, and how it ended.
pub const ACCESS_LOG_FORMAT: &str = r#"{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","caller":"$context.identity.caller","user":"$context.identity.user","userAgent":"$context.identity.userAgent","requestTime":"$context.requestTime","httpMethod":"$context.httpMethod","resourcePath":"$context.resourcePath","status":"$context.status","protocol":"$context.protocol","responseLength":"$context.responseLength"}"#;

pub use crate::config::WorkloadKind;

/// The readiness control that judges workload logs of `kind`.
pub fn control_of(kind: WorkloadKind) -> crate::model::controls::ControlId {
    match kind {
        WorkloadKind::S3 => crate::model::controls::ControlId::WorkloadS3,
        WorkloadKind::Elb => crate::model::controls::ControlId::WorkloadElb,
        WorkloadKind::Redshift => crate::model::controls::ControlId::WorkloadRedshift,
        WorkloadKind::Eks => crate::model::controls::ControlId::WorkloadEks,
        WorkloadKind::Apigateway => crate::model::controls::ControlId::WorkloadApiGateway,
        WorkloadKind::Waf => crate::model::controls::ControlId::WorkloadWaf,
        WorkloadKind::Cloudfront => crate::model::controls::ControlId::WorkloadCloudFront,
    }
}

/// The type of one workload resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceType {
    S3Bucket,
    Alb,
    Nlb,
    ClassicElb,
    RedshiftCluster,
    EksCluster,
    RestApiStage,
    /// The account and region's API Gateway settings: the CloudWatch role. Set by the
    /// workload-logging stack, never by a configure action.
    ApiGatewayAccount,
    /// A WAFv2 web ACL, regional or (in us-east-1) CloudFront's. Its logging is a
    /// resource of the workload-logging stack, never a configure action.
    WebAcl,
    Distribution,
    HttpApiStage,
}

impl ResourceType {
    pub const ALL: [ResourceType; 11] = [
        Self::S3Bucket,
        Self::Alb,
        Self::Nlb,
        Self::ClassicElb,
        Self::RedshiftCluster,
        Self::EksCluster,
        Self::RestApiStage,
        Self::ApiGatewayAccount,
        Self::WebAcl,
        Self::Distribution,
        Self::HttpApiStage,
    ];

    pub fn kind(self) -> WorkloadKind {
        match self {
            Self::S3Bucket => WorkloadKind::S3,
            Self::Alb | Self::Nlb | Self::ClassicElb => WorkloadKind::Elb,
            Self::RedshiftCluster => WorkloadKind::Redshift,
            Self::EksCluster => WorkloadKind::Eks,
            Self::RestApiStage | Self::HttpApiStage | Self::ApiGatewayAccount => {
                WorkloadKind::Apigateway
            }
            Self::WebAcl => WorkloadKind::Waf,
            Self::Distribution => WorkloadKind::Cloudfront,
        }
    }

    /// How the plan and the reports name it.
    pub fn label(self) -> &'static str {
        match self {
            Self::S3Bucket => "S3 bucket",
            Self::Alb => "ALB",
            Self::Nlb => "NLB",
            Self::ClassicElb => "Classic ELB",
            Self::RedshiftCluster => "Redshift cluster",
            Self::EksCluster => "EKS cluster",
            Self::RestApiStage => "REST API stage",
            Self::ApiGatewayAccount => "API Gateway account",
            Self::WebAcl => "web ACL",
            Self::Distribution => "CloudFront distribution",
            Self::HttpApiStage => "HTTP API stage",
        }
    }

    /// Whether apply sets this resource's logging through the service API (a configure
    /// action); otherwise irready's stack sets it.
    pub fn configured(self) -> bool {
        !matches!(self, Self::ApiGatewayAccount | Self::WebAcl)
    }

    /// The setting irready turns on.
    pub fn setting(self) -> &'static str {
        match self {
            Self::S3Bucket => "server_access_logs",
            Self::Alb | Self::Nlb | Self::ClassicElb => "access_logs",
            Self::RedshiftCluster => "audit_logging",
            Self::EksCluster => "control_plane_logs",
            Self::RestApiStage => "access_and_execution_logs",
            Self::ApiGatewayAccount => "cloudwatch_role",
            Self::WebAcl => "logging",
            Self::Distribution => "standard_logs",
            Self::HttpApiStage => "access_logs",
        }
    }
}

/// The key format of S3 server access logs partitioned by event time, as a setting's
/// "type": `[prefix][account]/[region]/[bucket]/[yyyy]/[MM]/[dd]/...`.
pub const PARTITIONED_BY_EVENT_TIME: &str = "partitioned by event time";

/// A logging setting as the service reports it: on or off, and where to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogSetting {
    pub enabled: bool,
    /// The destination: a bucket name, or an ARN (log group, role).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
    /// The key prefix in a bucket; for API Gateway access logs, their format.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// The log types on, where the service has several (EKS), sorted; for API Gateway,
    /// the execution logging level (`ERROR`, `INFO`), empty when off; for S3 server
    /// access logs, [`PARTITIONED_BY_EVENT_TIME`] when their keys are partitioned.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub types: Vec<String>,
}

impl LogSetting {
    pub fn off() -> Self {
        Self::default()
    }

    pub fn to_bucket(bucket: &str, prefix: &str) -> Self {
        Self {
            enabled: true,
            destination: Some(bucket.to_owned()),
            prefix: Some(prefix.to_owned()),
            types: Vec::new(),
        }
    }

    /// Whether this setting gives everything `wanted` asks for.
    pub fn meets(&self, wanted: &LogSetting) -> bool {
        self.enabled
            && self.destination == wanted.destination
            && wanted.types.iter().all(|t| self.types.contains(t))
    }
}

impl fmt::Display for LogSetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(destination) = &self.destination {
            if destination.starts_with("arn:") {
                // An ARN names a log group or a role; a format is not worth a line.
                parts.push(destination.clone());
            } else {
                parts.push(format!("bucket {destination}"));
                if let Some(prefix) = self.prefix.as_deref().filter(|p| !p.is_empty()) {
                    parts.push(format!("prefix {prefix}"));
                }
            }
        }
        parts.extend(self.types.iter().cloned());
        match (self.enabled, parts.is_empty()) {
            (false, _) if self.types.is_empty() => f.write_str("off"),
            (false, _) => write!(f, "off ({})", self.types.join(", ")),
            (true, true) => f.write_str("on"),
            (true, false) => write!(f, "on ({})", parts.join(", ")),
        }
    }
}

/// One workload resource as discovery read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workload {
    pub target: Target,
    pub resource_type: ResourceType,
    /// What the service API takes: a bucket name, a load balancer ARN.
    pub id: String,
    /// The name people know it by.
    pub name: String,
    pub tags: BTreeMap<String, String>,
    pub logging: LogSetting,
}

impl Workload {
    /// `ALB web in 444444444444/eu-west-1`, for messages.
    pub fn describe(&self) -> String {
        format!(
            "{} {} in {}",
            self.resource_type.label(),
            self.name,
            self.target
        )
    }
}

/// The names of irready's log destinations in one target, derived from the environment
/// and the target so that a plan can show them before they exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DestinationNames {
    /// Where S3 server access logs go: S3 requires the same account and region.
    pub s3_access_logs: String,
    /// Where load balancer access logs go: the load balancer's region.
    pub elb_access_logs: String,
    /// Where Redshift audit logs go: the cluster's region.
    pub redshift_audit_logs: String,
    /// The log group of API Gateway access logs.
    pub apigateway_access_logs: String,
    /// The role API Gateway writes CloudWatch Logs with, one per region (IAM names are
    /// account-wide).
    pub apigateway_role: String,
    /// The log group of WAF logs (the service requires the `aws-waf-logs-` prefix).
    pub waf_logs: String,
    /// Where CloudFront standard logs go, in the home region (ACLs enabled, as CloudFront
    /// requires).
    pub cloudfront_logs: String,
}

impl DestinationNames {
    pub fn new(env_name: &str, target: &Target) -> Self {
        let suffix = format!("{}-{}", target.account, target.region);
        Self {
            s3_access_logs: format!("irready-{env_name}-s3-logs-{suffix}"),
            elb_access_logs: format!("irready-{env_name}-elb-logs-{suffix}"),
            redshift_audit_logs: format!("irready-{env_name}-rs-logs-{suffix}"),
            apigateway_access_logs: format!("irready-{env_name}-apigateway-access-logs"),
            apigateway_role: format!("irready-{env_name}-apigw-logs-{}", target.region),
            waf_logs: format!("aws-waf-logs-irready-{env_name}"),
            cloudfront_logs: format!("irready-{env_name}-cf-logs-{suffix}"),
        }
    }

    /// The ARN of the WAF log group in `target`, as WAF takes it.
    pub fn waf_log_group_arn(&self, target: &Target) -> String {
        format!(
            "arn:aws:logs:{}:{}:log-group:{}",
            target.region, target.account, self.waf_logs
        )
    }

    /// Every destination bucket: they never log into themselves.
    pub fn buckets(&self) -> [&str; 4] {
        [
            &self.s3_access_logs,
            &self.elb_access_logs,
            &self.redshift_audit_logs,
            &self.cloudfront_logs,
        ]
    }
}

/// The setting irready wants for `workload`.
pub fn desired(env_name: &str, workload: &Workload) -> LogSetting {
    let names = DestinationNames::new(env_name, &workload.target);
    match workload.resource_type {
        // Partitioned by the events' dates, so that the analysis component's table can
        // project the date (Amazon S3 user guide, "Logging requests with server access
        // logging", TargetObjectKeyFormat PartitionedPrefix).
        ResourceType::S3Bucket => LogSetting {
            types: vec![PARTITIONED_BY_EVENT_TIME.to_owned()],
            ..LogSetting::to_bucket(&names.s3_access_logs, &format!("{}/", workload.name))
        },
        ResourceType::Alb | ResourceType::Nlb | ResourceType::ClassicElb => {
            LogSetting::to_bucket(&names.elb_access_logs, &workload.name)
        }
        ResourceType::RedshiftCluster => {
            LogSetting::to_bucket(&names.redshift_audit_logs, &format!("{}/", workload.name))
        }
        ResourceType::RestApiStage => LogSetting {
            enabled: true,
            destination: Some(format!(
                "arn:aws:logs:{}:{}:log-group:{}",
                workload.target.region, workload.target.account, names.apigateway_access_logs
            )),
            prefix: Some(ACCESS_LOG_FORMAT.to_owned()),
            types: vec!["INFO".to_owned()],
        },
        ResourceType::Distribution => LogSetting::to_bucket(
            &format!("{}.s3.amazonaws.com", names.cloudfront_logs),
            &format!("{}/", workload.name),
        ),
        ResourceType::WebAcl => LogSetting {
            enabled: true,
            destination: Some(names.waf_log_group_arn(&workload.target)),
            prefix: None,
            types: Vec::new(),
        },
        ResourceType::HttpApiStage => LogSetting {
            enabled: true,
            destination: Some(format!(
                "arn:aws:logs:{}:{}:log-group:{}",
                workload.target.region, workload.target.account, names.apigateway_access_logs
            )),
            prefix: Some(ACCESS_LOG_FORMAT.to_owned()),
            types: Vec::new(),
        },
        // The stack's role; judged apart (`judge`), never configured.
        ResourceType::ApiGatewayAccount => LogSetting {
            enabled: true,
            destination: Some(format!(
                "arn:aws:iam::{}:role/{}",
                workload.target.account, names.apigateway_role
            )),
            prefix: None,
            types: Vec::new(),
        },
        ResourceType::EksCluster => LogSetting {
            enabled: true,
            destination: None,
            prefix: None,
            types: EKS_LOG_TYPES.iter().map(|t| (*t).to_owned()).collect(),
        },
    }
}

/// Every EKS control-plane log type, sorted.
pub const EKS_LOG_TYPES: &[&str] = &[
    "api",
    "audit",
    "authenticator",
    "controllerManager",
    "scheduler",
];

/// How a workload measures up against the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Judgement {
    /// Logging is on into irready's destination.
    Logging,
    /// Logging is on into a destination set outside irready, which the environment keeps.
    LoggingElsewhere,
    /// Logging must be turned on (or pointed at irready's destination): the setting wanted.
    Configure(LogSetting),
    /// The environment leaves it alone; why.
    Excluded(String),
}

/// Judges one workload: pure, shared by the plan and `check` so that they agree.
pub fn judge(env: &Environment, spec: &WorkloadLoggingSpec, workload: &Workload) -> Judgement {
    if let Some(reason) = exclusion(spec, workload) {
        return Judgement::Excluded(reason);
    }
    let wanted = desired(&env.name, workload);
    let current = &workload.logging;
    if workload.resource_type == ResourceType::ApiGatewayAccount {
        return match &current.destination {
            Some(role) if is_own_role(&env.name, &workload.target, role) => Judgement::Logging,
            Some(_) => Judgement::LoggingElsewhere,
            None => Judgement::Configure(wanted),
        };
    }
    if current.meets(&wanted) {
        return Judgement::Logging;
    }
    if current.enabled
        && current.destination.is_some()
        && spec.existing_destinations == ExistingDestinations::Keep
    {
        return Judgement::LoggingElsewhere;
    }
    Judgement::Configure(wanted)
}

/// Whether `role` (an ARN) is the CloudWatch role of irready's workload-logging stack
/// in `target`.
pub fn is_own_role(env_name: &str, target: &Target, role: &str) -> bool {
    let name = DestinationNames::new(env_name, target).apigateway_role;
    role.rsplit('/').next() == Some(name.as_str())
}

/// Why the environment leaves `workload` alone, if it does.
pub fn exclusion(spec: &WorkloadLoggingSpec, workload: &Workload) -> Option<String> {
    for (key, value) in &spec.exclude_tags {
        if let Some(found) = workload.tags.get(key) {
            if value == "*" || found == value {
                return Some(format!("excluded by tag {key}={found}"));
            }
        }
    }
    spec.exclude_names
        .iter()
        .find(|pattern| glob(pattern, &workload.name))
        .map(|pattern| format!("excluded by name pattern `{pattern}`"))
}

/// Whether `name` matches `pattern`, where `*` stands for any run of characters.
pub fn glob(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == name;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !name.starts_with(first) || name.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = &name[first.len()..name.len() - last.len()];
    if !name.ends_with(last) {
        return false;
    }
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_patterns_match_with_stars() {
        assert!(glob("legacy-*", "legacy-app"));
        assert!(glob("*-tmp", "build-tmp"));
        assert!(glob("a*b*c", "axxbyyc"));
        assert!(glob("exact", "exact"));
        assert!(!glob("exact", "exact2"));
        assert!(!glob("legacy-*", "app-legacy"));
        assert!(!glob("a*a", "a"));
    }

    #[test]
    fn destination_bucket_names_fit_s3_limits() {
        let target = Target::new(
            "123456789012".parse().unwrap(),
            "ap-southeast-2".parse().unwrap(),
        );
        let names = DestinationNames::new("abcdefghijklmnop", &target);
        for bucket in names.buckets() {
            assert!(bucket.len() <= 63, "{bucket}");
        }
    }

    fn env(extra: &str) -> Environment {
        let yaml = format!(
            "name: t\nhome_region: eu-west-1\nregions: [eu-west-1]\nworkload_logging:\n{extra}"
        );
        crate::config::parse(std::path::Path::new("t.yaml"), &yaml).expect("valid")
    }

    fn bucket(tags: &[(&str, &str)], logging: LogSetting) -> Workload {
        Workload {
            target: Target::new(
                "444444444444".parse().unwrap(),
                "eu-west-1".parse().unwrap(),
            ),
            resource_type: ResourceType::S3Bucket,
            id: "legacy-data".into(),
            name: "legacy-data".into(),
            tags: tags
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            logging,
        }
    }

    #[test]
    fn a_destination_set_outside_irready_is_kept_unless_the_environment_replaces_it() {
        let elsewhere = LogSetting::to_bucket("team-logs", "");
        let keep = env("  kinds: [s3]\n");
        let spec = keep.workload_logging.as_ref().unwrap();
        assert_eq!(
            judge(&keep, spec, &bucket(&[], elsewhere.clone())),
            Judgement::LoggingElsewhere
        );
        let replace = env("  existing_destinations: replace\n");
        let spec = replace.workload_logging.as_ref().unwrap();
        let Judgement::Configure(after) = judge(&replace, spec, &bucket(&[], elsewhere)) else {
            panic!("replace configures");
        };
        assert_eq!(
            after.destination.as_deref(),
            Some("irready-t-s3-logs-444444444444-eu-west-1")
        );
    }

    #[test]
    fn exclusions_by_tag_value_any_value_and_name_pattern() {
        let e =
            env("  exclude:\n    tags: { logging: off, legacy: \"*\" }\n    names: [\"tmp-*\"]\n");
        let spec = e.workload_logging.as_ref().unwrap();
        let off = LogSetting::off();
        assert_eq!(
            judge(&e, spec, &bucket(&[("logging", "off")], off.clone())),
            Judgement::Excluded("excluded by tag logging=off".into())
        );
        assert_eq!(
            judge(&e, spec, &bucket(&[("legacy", "yes")], off.clone())),
            Judgement::Excluded("excluded by tag legacy=yes".into())
        );
        assert!(matches!(
            judge(&e, spec, &bucket(&[("logging", "on")], off.clone())),
            Judgement::Configure(_)
        ));
        let mut tmp = bucket(&[], off);
        tmp.name = "tmp-scratch".into();
        assert_eq!(
            judge(&e, spec, &tmp),
            Judgement::Excluded("excluded by name pattern `tmp-*`".into())
        );
    }

    #[test]
    fn eks_needs_every_log_type() {
        let e = env("  kinds: [eks]\n");
        let spec = e.workload_logging.as_ref().unwrap();
        let mut cluster = bucket(&[], LogSetting::off());
        cluster.resource_type = ResourceType::EksCluster;
        cluster.logging = LogSetting {
            enabled: true,
            destination: None,
            prefix: None,
            types: vec!["api".into(), "audit".into()],
        };
        assert!(matches!(judge(&e, spec, &cluster), Judgement::Configure(_)));
        cluster.logging.types = EKS_LOG_TYPES.iter().map(|t| (*t).to_owned()).collect();
        assert_eq!(judge(&e, spec, &cluster), Judgement::Logging);
    }

    #[test]
    fn settings_read_like_the_plan_shows_them() {
        assert_eq!(LogSetting::off().to_string(), "off");
        assert_eq!(
            LogSetting::to_bucket("b", "p/").to_string(),
            "on (bucket b, prefix p/)"
        );
    }
}
