//! Elastic Load Balancing v2 (Application and Network load balancers): list a region's
//! load balancers with their tags and access logs, and set a load balancer's access logs.

use std::collections::BTreeMap;

use aws_sdk_elasticloadbalancingv2::types::{LoadBalancerAttribute, LoadBalancerTypeEnum};

use crate::addr::Region;
use crate::workload::{LogSetting, ResourceType};

use super::{AccountSession, Aws, AwsError, AwsResult};

/// One Application or Network load balancer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadBalancerFact {
    pub arn: String,
    pub name: String,
    pub resource_type: ResourceType,
    pub tags: BTreeMap<String, String>,
    pub access_logs: LogSetting,
}

const ENABLED: &str = "access_logs.s3.enabled";
const BUCKET: &str = "access_logs.s3.bucket";
const PREFIX: &str = "access_logs.s3.prefix";

/// The region's Application and Network load balancers (gateway load balancers have no
/// access logs), each with its tags and access logs.
pub async fn load_balancers(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
) -> AwsResult<Vec<LoadBalancerFact>> {
    let client = aws.elbv2(session, region);
    let mut found = Vec::new();
    let mut pages = client.describe_load_balancers().into_paginator().send();
    while let Some(page) = pages.next().await {
        let out =
            page.map_err(|e| AwsError::from_sdk("elasticloadbalancing:DescribeLoadBalancers", e))?;
        for lb in out.load_balancers() {
            let resource_type = match lb.r#type() {
                Some(LoadBalancerTypeEnum::Application) => ResourceType::Alb,
                Some(LoadBalancerTypeEnum::Network) => ResourceType::Nlb,
                _ => continue,
            };
            if let (Some(arn), Some(name)) = (lb.load_balancer_arn(), lb.load_balancer_name()) {
                found.push((arn.to_owned(), name.to_owned(), resource_type));
            }
        }
    }
    found.sort();
    let mut tags: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for chunk in found.chunks(20) {
        let out = client
            .describe_tags()
            .set_resource_arns(Some(chunk.iter().map(|(arn, ..)| arn.clone()).collect()))
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("elasticloadbalancing:DescribeTags", e))?;
        for description in out.tag_descriptions() {
            if let Some(arn) = description.resource_arn() {
                tags.insert(
                    arn.to_owned(),
                    description
                        .tags()
                        .iter()
                        .filter_map(|t| Some((t.key()?.to_owned(), t.value()?.to_owned())))
                        .collect(),
                );
            }
        }
    }
    let mut facts = Vec::new();
    for (arn, name, resource_type) in found {
        let access_logs = access_logs(aws, session, region, &arn).await?;
        facts.push(LoadBalancerFact {
            tags: tags.remove(&arn).unwrap_or_default(),
            arn,
            name,
            resource_type,
            access_logs,
        });
    }
    Ok(facts)
}

/// The load balancer's access logs, from its attributes.
pub async fn access_logs(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    arn: &str,
) -> AwsResult<LogSetting> {
    let out = aws
        .elbv2(session, region)
        .describe_load_balancer_attributes()
        .load_balancer_arn(arn)
        .send()
        .await
        .map_err(|e| {
            AwsError::from_sdk("elasticloadbalancing:DescribeLoadBalancerAttributes", e)
        })?;
    let attribute = |key: &str| {
        out.attributes()
            .iter()
            .find(|a| a.key() == Some(key))
            .and_then(|a| a.value())
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    Ok(LogSetting {
        // Absent means off: a new load balancer does not report it.
        enabled: attribute(ENABLED).as_deref() == Some("true"),
        destination: attribute(BUCKET),
        prefix: attribute(PREFIX),
        types: Vec::new(),
    })
}

/// Sets the load balancer's access logs: exactly the three `access_logs.s3.*`
/// attributes, nothing else.
pub async fn set_access_logs(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    arn: &str,
    setting: &LogSetting,
) -> AwsResult<()> {
    let attribute = |key: &str, value: String| {
        LoadBalancerAttribute::builder()
            .key(key)
            .value(value)
            .build()
    };
    aws.elbv2(session, region)
        .modify_load_balancer_attributes()
        .load_balancer_arn(arn)
        .attributes(attribute(ENABLED, setting.enabled.to_string()))
        .attributes(attribute(
            BUCKET,
            setting.destination.clone().unwrap_or_default(),
        ))
        .attributes(attribute(
            PREFIX,
            setting.prefix.clone().unwrap_or_default(),
        ))
        .send()
        .await
        .map(|_| ())
        .map_err(|e| AwsError::from_sdk("elasticloadbalancing:ModifyLoadBalancerAttributes", e))
}
