//! The values of the workload-logging template: the log destinations of one target.
//! Pure.

use serde_json::{json, Value};

use crate::addr::Target;
use crate::config::Environment;
use crate::discover::{Scope, TargetState};
use sha2::{Digest, Sha256};

use crate::workload::{
    is_own_role, judge, DestinationNames, Judgement, ResourceType, WorkloadKind,
};

/// The account Elastic Load Balancing writes access logs from, per region, for regions
/// that predate August 2022. Newer regions take the log delivery service principal.
const ELB_ACCOUNTS: &[(&str, &str)] = &[
    ("us-east-1", "127311923021"),
    ("us-east-2", "033677994240"),
    ("us-west-1", "027434742980"),
    ("us-west-2", "797873946194"),
    ("af-south-1", "098369216593"),
    ("ap-east-1", "754344448648"),
    ("ap-southeast-3", "589379963580"),
    ("ap-south-1", "718504428378"),
    ("ap-northeast-3", "383597477331"),
    ("ap-northeast-2", "600734575887"),
    ("ap-southeast-1", "114774131450"),
    ("ap-southeast-2", "783225319266"),
    ("ap-northeast-1", "582318560864"),
    ("ca-central-1", "985666609251"),
    ("eu-central-1", "054676820928"),
    ("eu-west-1", "156460612806"),
    ("eu-west-2", "652711504416"),
    ("eu-south-1", "635631232127"),
    ("eu-west-3", "009996457667"),
    ("eu-north-1", "897822967062"),
    ("me-south-1", "076674570225"),
    ("sa-east-1", "507241528517"),
    ("us-gov-west-1", "048591011584"),
    ("us-gov-east-1", "190560391635"),
];

/// The principal that delivers load balancer access logs in `region`: the regional ELB
/// account where there is one, otherwise the log delivery service.
pub fn elb_log_principal(region: &str) -> Value {
    match ELB_ACCOUNTS.iter().find(|(r, _)| *r == region) {
        Some((_, account)) => json!({ "AWS": format!("arn:aws:iam::{account}:root") }),
        None => json!({ "Service": "logdelivery.elasticloadbalancing.amazonaws.com" }),
    }
}

/// The logical id of a web ACL's logging configuration: stable for the ACL's ARN.
pub fn waf_logical_id(arn: &str) -> String {
    let digest = hex::encode(Sha256::digest(arn.as_bytes()));
    format!("WafLogging{}", &digest[..12])
}

/// Who reads the S3 and load balancer access logs through the analysis tables: the
/// forensic account's investigator role, as `{account, role}` (Athena reads with the
/// caller's credentials, so the bucket policy must let that role read: Athena user guide,
/// "Configure cross-account access in Athena to Amazon S3 buckets"). The principal is the
/// account, narrowed to the role with `aws:PrincipalArn`, so the policy is valid before
/// the role exists.
fn investigator(env: &Environment, scope: &Scope) -> Option<Value> {
    let access = env.access.as_ref()?;
    let forensic = scope.forensic_account.as_ref()?;
    (crate::model::analysis::wanted(env) && scope.accounts.contains(forensic)).then(|| {
        json!({
            "account": forensic,
            "role": format!("arn:aws:iam::{forensic}:role/{}", access.investigator.role_name),
        })
    })
}

pub fn build(env: &Environment, scope: &Scope, target: &Target, facts: &TargetState) -> Value {
    let spec = env
        .workload_logging
        .as_ref()
        .expect("placed only with a workload_logging section");
    let names = DestinationNames::new(&env.name, target);
    let reader = investigator(env, scope);
    let bucket = |name: &str| {
        json!({
            "name": name,
            "arn": format!("arn:aws:s3:::{name}"),
            "reader": reader,
        })
    };
    json!({
        "retention_days": spec.retention_days,
        "s3": spec.wants(WorkloadKind::S3).then(|| bucket(&names.s3_access_logs)),
        "elb": spec.wants(WorkloadKind::Elb).then(|| {
            let mut b = bucket(&names.elb_access_logs);
            b["principal"] = elb_log_principal(target.region.as_str());
            b
        }),
        "apigateway": spec.wants(WorkloadKind::Apigateway).then(|| {
            // A CloudWatch role set outside irready is kept: the stack sets one only
            // where none is set, or where it is irready's own.
            let foreign_role = facts.workloads.iter().any(|w| {
                w.resource_type == ResourceType::ApiGatewayAccount
                    && w.logging
                        .destination
                        .as_deref()
                        .is_some_and(|role| !is_own_role(&env.name, target, role))
            });
            json!({
                "log_group": names.apigateway_access_logs,
                "role_name": names.apigateway_role,
                "account": !foreign_role,
            })
        }),
        "waf": spec.wants(WorkloadKind::Waf).then(|| {
            // Every web ACL whose logging irready adds (not excluded, not logging into a
            // destination set outside irready), and every one whose logging configuration
            // is already the stack's: changed outside irready, it is repaired, not removed.
            let owned: Vec<&str> = facts
                .own_resources
                .values()
                .flat_map(|resources| resources.values())
                .filter(|r| r.resource_type == "AWS::WAFv2::LoggingConfiguration")
                .filter_map(|r| r.physical_id.as_deref())
                .collect();
            let acls: Vec<Value> = facts
                .workloads
                .iter()
                .filter(|w| w.resource_type == ResourceType::WebAcl)
                .filter(|w| {
                    owned.contains(&w.id.as_str())
                        || matches!(
                            judge(env, spec, w),
                            Judgement::Logging | Judgement::Configure(_)
                        )
                })
                .map(|w| {
                    json!({
                        "logical_id": waf_logical_id(&w.id),
                        "arn": w.id,
                        "name": w.name,
                    })
                })
                .collect();
            json!({
                "log_group": names.waf_logs,
                "log_group_arn": names.waf_log_group_arn(target),
                "acls": acls,
            })
        }),
        "cloudfront": (spec.wants(WorkloadKind::Cloudfront)
            && WorkloadKind::Cloudfront.has_destination_in(&target.region, &env.home_region))
            .then(|| bucket(&names.cloudfront_logs)),
        "redshift": spec.wants(WorkloadKind::Redshift).then(|| {
            let mut redshift = bucket(&names.redshift_audit_logs);
            // In a Region that must be enabled, Redshift writes as its regional principal
            // (Amazon Redshift management guide, "Database audit logging", bucket
            // permissions: redshift.<region>.amazonaws.com).
            redshift["principal"] = json!(if target.region.is_opt_in() {
                format!("redshift.{}.amazonaws.com", target.region)
            } else {
                "redshift.amazonaws.com".to_owned()
            });
            redshift
        }),
    })
}
