//! The ids of the readiness controls. Stable: CI rules and dashboards refer to them. A new
//! control gets a new id; a retired id is never reused. The catalog (titles, severities,
//! reads, remediations) is `check::controls`.

pub const TRAIL: &str = "IR-TRAIL-1";
pub const TRAIL_LOGS: &str = "IR-TRAIL-2";
pub const TRAIL_DELIVERY: &str = "IR-TRAIL-3";
pub const LOG_DELIVERY: &str = "IR-LOG-1";
pub const LOGS_LANDING: &str = "IR-LOG-2";
pub const ACTIVITY_LOGS_LANDING: &str = "IR-LOG-3";
pub const GUARDDUTY: &str = "IR-GD-1";
pub const CONFIG: &str = "IR-CONFIG-1";
pub const FLOW_LOGS: &str = "IR-VPC-1";
pub const DNS_LOGS: &str = "IR-VPC-2";
pub const ISOLATION: &str = "IR-VPC-3";
pub const BREAKGLASS: &str = "IR-IAM-1";
pub const RESPONSE_ROLES: &str = "IR-IAM-2";
pub const FORENSIC_ACCOUNT: &str = "IR-FOR-1";
pub const FORENSIC_VPC: &str = "IR-FOR-2";
pub const EVIDENCE_BUCKET: &str = "IR-FOR-3";
pub const ANALYSIS_IMAGES: &str = "IR-FOR-4";
pub const ALARMS: &str = "IR-ALARM-1";
pub const WORKLOAD_S3: &str = "IR-WL-1";
pub const WORKLOAD_ELB: &str = "IR-WL-2";
pub const WORKLOAD_REDSHIFT: &str = "IR-WL-3";
pub const WORKLOAD_EKS: &str = "IR-WL-4";
pub const WORKLOAD_APIGATEWAY: &str = "IR-WL-5";
pub const WORKLOAD_WAF: &str = "IR-WL-6";
pub const WORKLOAD_CLOUDFRONT: &str = "IR-WL-7";
