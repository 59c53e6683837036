//! Classic Elastic Load Balancing: list a region's classic load balancers with their tags
//! and access logs, and set a load balancer's access logs.

use std::collections::BTreeMap;

use aws_sdk_elasticloadbalancing::types::{AccessLog, LoadBalancerAttributes};

use crate::addr::Region;
use crate::workload::LogSetting;

use super::{AccountSession, Aws, AwsError, AwsResult};

/// One classic load balancer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassicLoadBalancerFact {
    pub name: String,
    pub tags: BTreeMap<String, String>,
    pub access_logs: LogSetting,
}

/// The region's classic load balancers, each with its tags and access logs.
pub async fn load_balancers(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
) -> AwsResult<Vec<ClassicLoadBalancerFact>> {
    let client = aws.elb(session, region);
    let mut names = Vec::new();
    let mut pages = client.describe_load_balancers().into_paginator().send();
    while let Some(page) = pages.next().await {
        let out =
            page.map_err(|e| AwsError::from_sdk("elasticloadbalancing:DescribeLoadBalancers", e))?;
        names.extend(
            out.load_balancer_descriptions()
                .iter()
                .filter_map(|lb| lb.load_balancer_name().map(str::to_owned)),
        );
    }
    names.sort();
    let mut tags: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for chunk in names.chunks(20) {
        let out = client
            .describe_tags()
            .set_load_balancer_names(Some(chunk.to_vec()))
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("elasticloadbalancing:DescribeTags", e))?;
        for description in out.tag_descriptions() {
            if let Some(name) = description.load_balancer_name() {
                tags.insert(
                    name.to_owned(),
                    description
                        .tags()
                        .iter()
                        .map(|t| (t.key().to_owned(), t.value().unwrap_or_default().to_owned()))
                        .collect(),
                );
            }
        }
    }
    let mut facts = Vec::new();
    for name in names {
        let out = client
            .describe_load_balancer_attributes()
            .load_balancer_name(&name)
            .send()
            .await
            .map_err(|e| {
                AwsError::from_sdk("elasticloadbalancing:DescribeLoadBalancerAttributes", e)
            })?;
        let log = out.load_balancer_attributes().and_then(|a| a.access_log());
        let access_logs = match log {
            Some(log) => LogSetting {
                enabled: log.enabled(),
                destination: log
                    .s3_bucket_name()
                    .filter(|b| !b.is_empty())
                    .map(str::to_owned),
                prefix: log
                    .s3_bucket_prefix()
                    .filter(|p| !p.is_empty())
                    .map(str::to_owned),
                types: Vec::new(),
            },
            None => LogSetting::off(),
        };
        facts.push(ClassicLoadBalancerFact {
            tags: tags.remove(&name).unwrap_or_default(),
            name,
            access_logs,
        });
    }
    Ok(facts)
}

/// Sets the classic load balancer's access logs, and only them.
pub async fn set_access_logs(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    name: &str,
    setting: &LogSetting,
) -> AwsResult<()> {
    let mut log = AccessLog::builder().enabled(setting.enabled);
    if let Some(bucket) = &setting.destination {
        log = log.s3_bucket_name(bucket);
    }
    if let Some(prefix) = &setting.prefix {
        log = log.s3_bucket_prefix(prefix);
    }
    let log = log.build();
    aws.elb(session, region)
        .modify_load_balancer_attributes()
        .load_balancer_name(name)
        .load_balancer_attributes(LoadBalancerAttributes::builder().access_log(log).build())
        .send()
        .await
        .map(|_| ())
        .map_err(|e| AwsError::from_sdk("elasticloadbalancing:ModifyLoadBalancerAttributes", e))
}
