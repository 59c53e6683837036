//! The catalog of readiness controls. Ids are stable: CI rules and dashboards refer to
//! them. A new control gets a new id; a retired id is never reused.

use super::model::{Control, ControlScope, Severity};
pub use crate::model::controls::*;

/// Every control, in the order reports list them.
pub const CATALOG: &[Control] = &[
    Control {
        id: ControlId::Trail,
        title: "An organization trail records every region, is logging, validates its log files and is encrypted with KMS",
        severity: Severity::Critical,
        scope: ControlScope::Organization,
        reads: &["cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus"],
        remediation: "Apply the org-logging component, or start logging and turn on log file validation and KMS on the existing organization trail.",
    },
    Control {
        id: ControlId::TrailLogs,
        title: "The organization trail delivers to CloudWatch Logs, retained at least 365 days",
        severity: Severity::High,
        scope: ControlScope::Organization,
        reads: &["cloudtrail:DescribeTrails", "logs:DescribeLogGroups"],
        remediation: "Set the trail's CloudWatch Logs group and a retention of 365 days or more (logging.cloudtrail.cloudwatch_retention_days).",
    },
    Control {
        id: ControlId::TrailDelivery,
        title: "The organization trail delivers: CloudTrail reports no error for its last deliveries to S3 and CloudWatch Logs",
        severity: Severity::Critical,
        scope: ControlScope::Organization,
        reads: &["cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus"],
        remediation: "Fix what the error names: the log archive's bucket or key policy (a policy irready made and someone edited shows in plan as drift, and apply restores it), or the trail's CloudWatch Logs role.",
    },
    Control {
        id: ControlId::GuardDuty,
        title: "GuardDuty is enabled with the configured protection plans",
        severity: Severity::High,
        scope: ControlScope::AccountRegion,
        reads: &["guardduty:ListDetectors", "guardduty:GetDetector"],
        remediation: "Apply the regional-baseline component, or enable the detector and its missing features.",
    },
    Control {
        id: ControlId::Config,
        title: "AWS Config records every supported resource type and delivers",
        severity: Severity::Medium,
        scope: ControlScope::AccountRegion,
        reads: &[
            "config:DescribeConfigurationRecorders",
            "config:DescribeConfigurationRecorderStatus",
            "config:DescribeDeliveryChannels",
        ],
        remediation: "Apply the regional-baseline component, or start the recorder and give it a delivery channel.",
    },
    Control {
        id: ControlId::FlowLogs,
        title: "Every VPC has a flow log recording all traffic",
        severity: Severity::High,
        scope: ControlScope::AccountRegion,
        reads: &["ec2:DescribeVpcs", "ec2:DescribeFlowLogs"],
        remediation: "Plan and apply: the regional baseline adds a flow log to every VPC it finds.",
    },
    Control {
        id: ControlId::DnsLogs,
        title: "Every VPC has Route 53 Resolver query logging",
        severity: Severity::Medium,
        scope: ControlScope::AccountRegion,
        reads: &["ec2:DescribeVpcs", "route53resolver:ListResolverQueryLogConfigAssociations"],
        remediation: "Plan and apply: the regional baseline associates query logging with every VPC it finds.",
    },
    Control {
        id: ControlId::Isolation,
        title: "Every VPC has an empty isolation security group (no ingress, no egress)",
        severity: Severity::Medium,
        scope: ControlScope::AccountRegion,
        reads: &["ec2:DescribeVpcs", "ec2:DescribeSecurityGroups"],
        remediation: "Plan and apply with access.isolation_security_group on; remove any rule added to an isolation group.",
    },
    Control {
        id: ControlId::LogDelivery,
        title: "Flow logs, DNS query logs, AWS Config and GuardDuty's findings export report no delivery error",
        severity: Severity::High,
        scope: ControlScope::AccountRegion,
        reads: &[
            "ec2:DescribeFlowLogs",
            "route53resolver:ListResolverQueryLogConfigAssociations",
            "config:DescribeDeliveryChannelStatus",
            "guardduty:ListPublishingDestinations",
            "guardduty:DescribePublishingDestination",
        ],
        remediation: "Fix what the error names: usually the destination bucket's or key's policy (a policy irready made and someone edited shows in plan as drift, and apply restores it).",
    },
    Control {
        id: ControlId::LogsLanding,
        title: "Logs land: the trail's and AWS Config's files, which arrive on a schedule whatever the activity, under today's or yesterday's date folder of their key layout in the archive",
        severity: Severity::High,
        scope: ControlScope::AccountRegion,
        reads: &["s3:ListObjectsV2"],
        remediation: "Find why the log stopped: its delivery status (IR-TRAIL-3, IR-LOG-1), the archive's bucket and key policies, and whether the trail logs and the recorder records. A new organization: CloudTrail delivers within minutes, Config within its delivery frequency.",
    },
    Control {
        id: ControlId::ActivityLogsLanding,
        title: "Activity logs land: flow logs, DNS query logs and GuardDuty findings, under today's or yesterday's date folder of their key layout in the archive",
        severity: Severity::Low,
        scope: ControlScope::AccountRegion,
        reads: &["s3:ListObjectsV2"],
        remediation: "These logs arrive only when there is something to record: a VPC without traffic, or an account without findings, delivers nothing. If there was activity, look at IR-LOG-1 and the archive's policies.",
    },
    Control {
        id: ControlId::Breakglass,
        title: "The breakglass role exists, requires MFA and trusts only the security principals",
        severity: Severity::Critical,
        scope: ControlScope::Account,
        reads: &["iam:GetRole"],
        remediation: "Apply the access component; it restores the trust policy to the security principals with MFA.",
    },
    Control {
        id: ControlId::ResponseRoles,
        title: "The investigator and responder roles exist",
        severity: Severity::High,
        scope: ControlScope::Account,
        reads: &["iam:GetRole"],
        remediation: "Apply the access component.",
    },
    Control {
        id: ControlId::ForensicAccount,
        title: "The forensic account exists, is active and sits in the expected OU",
        severity: Severity::Critical,
        scope: ControlScope::Forensic,
        reads: &["organizations:ListAccountsForParent"],
        remediation: "Create the forensic account (forensic.create) or name an active one (forensic.account).",
    },
    Control {
        id: ControlId::ForensicVpc,
        title: "The forensic VPC is isolated (no internet gateway, no NAT, no public subnet) and has its endpoints",
        severity: Severity::High,
        scope: ControlScope::AnalysisRegion,
        reads: &[
            "ec2:DescribeVpcs",
            "ec2:DescribeInternetGateways",
            "ec2:DescribeNatGateways",
            "ec2:DescribeSubnets",
            "ec2:DescribeVpcEndpoints",
        ],
        remediation: "Apply the forensic-vpc component; detach any internet or NAT gateway added to the forensic VPC.",
    },
    Control {
        id: ControlId::EvidenceBucket,
        title: "The evidence bucket has Object Lock, versioning, KMS encryption and all public access blocked",
        severity: Severity::Critical,
        scope: ControlScope::Forensic,
        reads: &[
            "s3:GetObjectLockConfiguration",
            "s3:GetBucketVersioning",
            "s3:GetBucketEncryption",
            "s3:GetPublicAccessBlock",
        ],
        remediation: "Apply the forensic-core component. Object Lock can only be turned on when a bucket is created.",
    },
    Control {
        id: ControlId::AnalysisImages,
        title: "Every analysis image is available in every analysis region and pinned in SSM",
        severity: Severity::Medium,
        scope: ControlScope::AnalysisRegion,
        reads: &["ssm:GetParameter", "ec2:DescribeImages"],
        remediation: "Plan and apply: irready copies missing images and pins them (forensic.amis).",
    },
    Control {
        id: ControlId::QueryTables,
        title: "The log archive's query tables exist, and their partition projection covers every target account and region",
        severity: Severity::Medium,
        scope: ControlScope::Forensic,
        reads: &["glue:GetTables"],
        remediation: "Plan and apply (forensic.analysis): the plan renders the projection from the organization as it is, so an account that joined shows as a change to projection.account.values.",
    },
    Control {
        id: ControlId::QueryWorkgroup,
        title: "The Athena workgroup enforces its settings, encrypts results with KMS outside the log archive and caps the data one query scans",
        severity: Severity::Medium,
        scope: ControlScope::Forensic,
        reads: &["athena:GetWorkGroup"],
        remediation: "Plan and apply (forensic.analysis): a workgroup edited outside irready shows in the plan and apply restores it.",
    },
    Control {
        id: ControlId::Alarms,
        title: "The CIS metric filters and alarms exist and notify a topic that someone is subscribed to",
        severity: Severity::High,
        scope: ControlScope::Organization,
        reads: &["cloudwatch:DescribeAlarms", "sns:ListSubscriptionsByTopic"],
        remediation: "Apply the alarms component (logging.alarms: cis) with responders in logging.alarm_emails, and have each address confirm its subscription.",
    },
    Control {
        id: ControlId::Runbooks,
        title: "irready's containment runbooks are in place with the content irready renders (SSM document hashes)",
        severity: Severity::High,
        scope: ControlScope::AccountRegion,
        reads: &["ssm:DescribeDocument"],
        remediation: "Plan and apply: a runbook deleted or edited outside irready shows in plan as drift, and apply puts it back.",
    },
    Control {
        id: ControlId::AutomationRole,
        title: "The role the runbooks run as exists and trusts only Systems Manager",
        severity: Severity::High,
        scope: ControlScope::Account,
        reads: &["iam:GetRole"],
        remediation: "Apply the access component; it restores the automation role's trust policy (ssm.amazonaws.com, this account's automations only).",
    },
    Control {
        id: ControlId::EvidenceKey,
        title: "The forensic account's evidence key exists in the region, is enabled and admits the account for EBS snapshot copies",
        severity: Severity::High,
        scope: ControlScope::AccountRegion,
        reads: &["kms:DescribeKey", "kms:GetKeyPolicy"],
        remediation: "Apply the evidence-keys component; a key policy edited outside irready is put back by apply.",
    },
    Control {
        id: ControlId::EbsDefaultKey,
        title: "The region's default EBS key is not the AWS managed aws/ebs (whose snapshots cannot be shared: every acquisition then needs a full re-encrypting copy)",
        // Advice about the account's own setting, which irready does not change: it does
        // not make `check` exit "not ready" by default.
        severity: Severity::Info,
        scope: ControlScope::AccountRegion,
        reads: &["ec2:GetEbsDefaultKmsKeyId"],
        remediation: "Acquisition works either way (the runbook copies each snapshot under the forensic key). To make it faster, make a customer managed key the default (ec2 modify-ebs-default-kms-key-id) for new volumes; existing volumes keep their key.",
    },
    Control {
        id: ControlId::WorkloadS3,
        title: "Every S3 bucket has server access logs on",
        severity: Severity::Medium,
        scope: ControlScope::Workload,
        reads: &["s3:ListBuckets", "s3:GetBucketTagging", "s3:GetBucketLogging"],
        remediation: "Plan and apply (workload_logging): irready turns server access logs on into its bucket in the same account and region.",
    },
    Control {
        id: ControlId::WorkloadElb,
        title: "Every load balancer (Application, Network, Classic) has access logs on",
        severity: Severity::Medium,
        scope: ControlScope::Workload,
        reads: &[
            "elasticloadbalancing:DescribeLoadBalancers",
            "elasticloadbalancing:DescribeTags",
            "elasticloadbalancing:DescribeLoadBalancerAttributes",
        ],
        remediation: "Plan and apply (workload_logging): irready turns access logs on into its bucket in the load balancer's region.",
    },
    Control {
        id: ControlId::WorkloadRedshift,
        title: "Every Redshift cluster has audit logging on",
        severity: Severity::Medium,
        scope: ControlScope::Workload,
        reads: &["redshift:DescribeClusters", "redshift:DescribeLoggingStatus"],
        remediation: "Plan and apply (workload_logging): irready turns audit logging on into its bucket in the cluster's region.",
    },
    Control {
        id: ControlId::WorkloadEks,
        title: "Every EKS cluster logs every control-plane log type",
        severity: Severity::Medium,
        scope: ControlScope::Workload,
        reads: &["eks:ListClusters", "eks:DescribeCluster"],
        remediation: "Plan and apply (workload_logging): irready turns on the api, audit, authenticator, controllerManager and scheduler logs.",
    },
    Control {
        id: ControlId::WorkloadApiGateway,
        title: "API Gateway has a CloudWatch role, every REST API stage has access logs and INFO execution logs on, every HTTP API stage access logs",
        severity: Severity::Medium,
        scope: ControlScope::Workload,
        reads: &[
            "apigateway:GetAccount",
            "apigateway:GetRestApis",
            "apigateway:GetStages",
            "apigateway:GetApis",
        ],
        remediation: "Plan and apply (workload_logging): irready sets the account's CloudWatch role where none is set, and turns the stages' logs on into its log group.",
    },
    Control {
        id: ControlId::WorkloadWaf,
        title: "Every WAFv2 web ACL (regional, and CloudFront's in us-east-1) has logging on",
        severity: Severity::Medium,
        scope: ControlScope::Workload,
        reads: &["wafv2:ListWebACLs", "wafv2:ListTagsForResource", "wafv2:GetLoggingConfiguration"],
        remediation: "Plan and apply (workload_logging): irready's stack adds a logging configuration into its aws-waf-logs- log group.",
    },
    Control {
        id: ControlId::WorkloadCloudFront,
        title: "Every CloudFront distribution has standard access logs on",
        severity: Severity::Medium,
        scope: ControlScope::Workload,
        reads: &[
            "cloudfront:ListDistributions",
            "cloudfront:ListTagsForResource",
            "cloudfront:GetDistributionConfig",
        ],
        remediation: "Plan and apply (workload_logging): irready turns standard logs on into its bucket in the home region.",
    },
];

/// The catalog entry of `id`: every id has one (a test keeps it so).
pub fn of(id: ControlId) -> &'static Control {
    CATALOG
        .iter()
        .find(|c| c.id == id)
        .expect("every control is in the catalog")
}

/// The control an id typed by a user names, case-insensitively.
pub fn find(id: &str) -> Option<&'static Control> {
    id.parse().ok().map(of)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalog_holds_every_control_once_and_nothing_else() {
        let listed: Vec<ControlId> = CATALOG.iter().map(|c| c.id).collect();
        let mut all = ControlId::ALL.to_vec();
        let mut sorted = listed.clone();
        sorted.sort();
        all.sort();
        assert_eq!(sorted, all);
        sorted.dedup();
        assert_eq!(sorted.len(), listed.len(), "a control listed twice");
        assert_eq!(find("ir-trail-1").map(|c| c.id), Some(ControlId::Trail));
        assert!(find("IR-NOPE-1").is_none());
    }
}
