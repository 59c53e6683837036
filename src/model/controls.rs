//! The ids of the readiness controls, as one closed enum: a match over controls is
//! exhaustive, so a new control does not compile until every judge, report and catalog
//! entry decides about it. The ids are stable: CI rules and dashboards refer to them. A
//! new control gets a new id; a retired id is never reused. The catalog (titles,
//! severities, reads, remediations) is `check::controls`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

macro_rules! control_ids {
    ($($(#[$doc:meta])* $variant:ident = $id:literal, $noun:literal);+ $(;)?) => {
        /// One readiness control.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub enum ControlId {
            $($(#[$doc])* $variant,)+
        }

        impl ControlId {
            /// Every control, in the order of their declaration.
            pub const ALL: &'static [ControlId] = &[$(ControlId::$variant,)+];

            /// The stable id, e.g. `IR-TRAIL-1`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ControlId::$variant => $id,)+
                }
            }

            /// What the control is about, in a few words ("trail", "flow logs").
            pub const fn noun(self) -> &'static str {
                match self {
                    $(ControlId::$variant => $noun,)+
                }
            }
        }
    };
}

control_ids! {
    Trail = "IR-TRAIL-1", "trail";
    TrailLogs = "IR-TRAIL-2", "trail log group";
    TrailDelivery = "IR-TRAIL-3", "trail delivery";
    LogDelivery = "IR-LOG-1", "log delivery";
    LogsLanding = "IR-LOG-2", "scheduled logs landing";
    ActivityLogsLanding = "IR-LOG-3", "activity logs landing";
    GuardDuty = "IR-GD-1", "GuardDuty detector";
    Config = "IR-CONFIG-1", "Config recorder";
    FlowLogs = "IR-VPC-1", "flow logs";
    DnsLogs = "IR-VPC-2", "DNS query logs";
    Isolation = "IR-VPC-3", "isolation group";
    Breakglass = "IR-IAM-1", "breakglass role";
    ResponseRoles = "IR-IAM-2", "investigator and responder roles";
    ForensicAccount = "IR-FOR-1", "forensic account";
    ForensicVpc = "IR-FOR-2", "forensic VPC";
    EvidenceBucket = "IR-FOR-3", "evidence bucket";
    AnalysisImages = "IR-FOR-4", "analysis images";
    QueryTables = "IR-QUERY-1", "query tables";
    QueryWorkgroup = "IR-QUERY-2", "query workgroup";
    Alarms = "IR-ALARM-1", "CIS alarms";
    Runbooks = "IR-RUN-1", "containment runbooks";
    AutomationRole = "IR-RUN-2", "runbook automation role";
    EvidenceKey = "IR-RUN-3", "evidence key";
    EbsDefaultKey = "IR-RUN-4", "EBS default key";
    WorkloadS3 = "IR-WL-1", "S3 access logs";
    WorkloadElb = "IR-WL-2", "load balancer access logs";
    WorkloadRedshift = "IR-WL-3", "Redshift audit logs";
    WorkloadEks = "IR-WL-4", "EKS control plane logs";
    WorkloadApiGateway = "IR-WL-5", "API Gateway logs";
    WorkloadWaf = "IR-WL-6", "WAF logs";
    WorkloadCloudFront = "IR-WL-7", "CloudFront logs";
}

/// An id that names no control.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown control {0} (`irready controls` lists them)")]
pub struct UnknownControl(pub String);

impl FromStr for ControlId {
    type Err = UnknownControl;

    /// Case-insensitive, as users type ids on the command line.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .iter()
            .copied()
            .find(|c| c.as_str().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| UnknownControl(text.to_owned()))
    }
}

impl TryFrom<String> for ControlId {
    type Error = UnknownControl;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl From<ControlId> for String {
    fn from(id: ControlId) -> Self {
        id.as_str().to_owned()
    }
}

impl fmt::Display for ControlId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Ordered by id, as reports that sort by control always have.
impl Ord for ControlId {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl PartialOrd for ControlId {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq<str> for ControlId {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_read_back() {
        let mut seen = std::collections::BTreeSet::new();
        for id in ControlId::ALL {
            assert!(seen.insert(id.as_str()), "{id} twice");
            assert_eq!(id.as_str().parse::<ControlId>(), Ok(*id));
            assert_eq!(id.as_str().to_lowercase().parse::<ControlId>(), Ok(*id));
        }
        assert!("IR-NOPE-1".parse::<ControlId>().is_err());
        let json = serde_json::to_string(&ControlId::Trail).unwrap();
        assert_eq!(json, "\"IR-TRAIL-1\"");
        assert_eq!(
            serde_json::from_str::<ControlId>(&json).unwrap(),
            ControlId::Trail
        );
    }
}
