//! Reads the workloads of one target whose logs the environment wants on
//! (`workload_logging`), with their tags and current logging settings. Read-only.
//!
//! irready's own buckets (named `irready-…`: evidence, log archive, the log
//! destinations) are not workloads: a destination never logs into itself.

use crate::addr::Region;
use crate::addr::Target;
use crate::aws::{
    apigateway, apigatewayv2, cloudfront, eks, elb, elbv2, redshift, s3_logging, wafv2,
    AccountSession, Aws, AwsResult,
};
use crate::config::WorkloadLoggingSpec;
use crate::workload::{LogSetting, ResourceType, Workload, WorkloadKind};

/// Bucket names irready gives its own buckets.
pub const OWN_BUCKET_PREFIX: &str = "irready-";

/// Every workload of the wanted kinds in `target`, sorted by type and name.
pub async fn read(
    aws: &Aws,
    session: &AccountSession,
    target: &Target,
    home_region: &Region,
    spec: &WorkloadLoggingSpec,
) -> AwsResult<Vec<Workload>> {
    let region = &target.region;
    let mut found = Vec::new();
    let mut add = |resource_type, id, name, tags, logging| {
        found.push(Workload {
            target: target.clone(),
            resource_type,
            id,
            name,
            tags,
            logging,
        });
    };
    if spec.wants(WorkloadKind::S3) {
        for bucket in s3_logging::buckets(aws, session, region).await? {
            if !bucket.name.starts_with(OWN_BUCKET_PREFIX) {
                let id = bucket.name.clone();
                add(
                    ResourceType::S3Bucket,
                    id,
                    bucket.name,
                    bucket.tags,
                    bucket.logging,
                );
            }
        }
    }
    if spec.wants(WorkloadKind::Elb) {
        for lb in elbv2::load_balancers(aws, session, region).await? {
            add(lb.resource_type, lb.arn, lb.name, lb.tags, lb.access_logs);
        }
        for lb in elb::load_balancers(aws, session, region).await? {
            let id = lb.name.clone();
            add(
                ResourceType::ClassicElb,
                id,
                lb.name,
                lb.tags,
                lb.access_logs,
            );
        }
    }
    if spec.wants(WorkloadKind::Redshift) {
        for cluster in redshift::clusters(aws, session, region).await? {
            let id = cluster.id.clone();
            add(
                ResourceType::RedshiftCluster,
                id,
                cluster.id,
                cluster.tags,
                cluster.audit_logging,
            );
        }
    }
    if spec.wants(WorkloadKind::Eks) {
        for cluster in eks::clusters(aws, session, region).await? {
            let id = cluster.name.clone();
            let logs = cluster.control_plane_logs;
            add(
                ResourceType::EksCluster,
                id,
                cluster.name,
                cluster.tags,
                logs,
            );
        }
    }
    if spec.wants(WorkloadKind::Apigateway) {
        let role = apigateway::account_role(aws, session, region).await?;
        let logging = LogSetting {
            enabled: role.is_some(),
            destination: role,
            prefix: None,
            types: Vec::new(),
        };
        let account = ResourceType::ApiGatewayAccount;
        add(
            account,
            "account".to_owned(),
            "settings".to_owned(),
            Default::default(),
            logging,
        );
        let rest = apigateway::stages(aws, session, region).await?;
        let http = apigatewayv2::stages(aws, session, region).await?;
        let stages = (rest.into_iter().map(|s| (ResourceType::RestApiStage, s)))
            .chain(http.into_iter().map(|s| (ResourceType::HttpApiStage, s)));
        for (resource_type, stage) in stages {
            let id = format!("{}/{}", stage.api_id, stage.stage);
            let name = format!("{}/{}", stage.api_name, stage.stage);
            add(resource_type, id, name, stage.tags, stage.logging);
        }
    }
    if spec.wants(WorkloadKind::Waf) {
        // CloudFront's web ACLs are global, listed from us-east-1.
        let scopes: &[bool] = if *region == crate::addr::Region::us_east_1() {
            &[false, true]
        } else {
            &[false]
        };
        for cloudfront in scopes {
            for acl in wafv2::web_acls(aws, session, region, *cloudfront).await? {
                let name = if acl.cloudfront {
                    format!("{} (CloudFront)", acl.name)
                } else {
                    acl.name
                };
                add(ResourceType::WebAcl, acl.arn, name, acl.tags, acl.logging);
            }
        }
    }
    // Distributions are global: read once per account, from the home region.
    if spec.wants(WorkloadKind::Cloudfront) && region == home_region {
        for d in cloudfront::distributions(aws, session).await? {
            add(
                ResourceType::Distribution,
                d.id,
                d.domain,
                d.tags,
                d.logging,
            );
        }
    }
    found.sort_by(|a, b| (a.resource_type, &a.name, &a.id).cmp(&(b.resource_type, &b.name, &b.id)));
    Ok(found)
}

pub use crate::model::component::workload_targets as targets;
