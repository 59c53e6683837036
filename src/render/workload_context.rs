//! The values of the workload-logging template: the log destinations of one target.
//! Pure.

use serde_json::{json, Value};

use crate::addr::Target;
use crate::config::Environment;
use crate::discover::TargetState;
use crate::workload::{is_own_role, DestinationNames, ResourceType, WorkloadKind};

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

pub fn build(env: &Environment, target: &Target, facts: &TargetState) -> Value {
    let spec = env
        .workload_logging
        .as_ref()
        .expect("placed only with a workload_logging section");
    let names = DestinationNames::new(&env.name, target);
    let bucket = |name: &str| {
        json!({
            "name": name,
            "arn": format!("arn:aws:s3:::{name}"),
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
        "redshift": spec
            .wants(WorkloadKind::Redshift)
            .then(|| bucket(&names.redshift_audit_logs)),
    })
}
