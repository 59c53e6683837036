//! WAFv2: list web ACLs (REGIONAL in a region, CLOUDFRONT from us-east-1) with their tags
//! and logging configuration. Their logging is set by irready's stack
//! (`AWS::WAFv2::LoggingConfiguration`), not through this module.

use std::collections::BTreeMap;

use aws_sdk_wafv2::types::Scope;

use crate::addr::Region;
use crate::workload::LogSetting;

use super::{AccountSession, Aws, AwsError, AwsResult};

/// One web ACL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebAclFact {
    pub arn: String,
    pub name: String,
    /// A CloudFront (global) web ACL.
    pub cloudfront: bool,
    pub tags: BTreeMap<String, String>,
    pub logging: LogSetting,
}

/// The web ACLs of `scope` as seen from `region` (CLOUDFRONT: us-east-1 only).
pub async fn web_acls(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    cloudfront: bool,
) -> AwsResult<Vec<WebAclFact>> {
    let client = aws.wafv2(session, region);
    let scope = if cloudfront {
        Scope::Cloudfront
    } else {
        Scope::Regional
    };
    let mut acls = Vec::new();
    let mut marker = None;
    loop {
        let out = client
            .list_web_acls()
            .scope(scope.clone())
            .set_next_marker(marker)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("wafv2:ListWebACLs", e))?;
        for acl in out.web_acls() {
            if let (Some(arn), Some(name)) = (acl.arn(), acl.name()) {
                acls.push((arn.to_owned(), name.to_owned()));
            }
        }
        // An empty page ends the listing as well as a missing marker.
        marker = out
            .next_marker()
            .filter(|_| !out.web_acls().is_empty())
            .map(str::to_owned);
        if marker.is_none() {
            break;
        }
    }
    acls.sort();
    acls.dedup();
    let mut facts = Vec::new();
    for (arn, name) in acls {
        let tags = client
            .list_tags_for_resource()
            .resource_arn(&arn)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("wafv2:ListTagsForResource", e))?
            .tag_info_for_resource()
            .map(|info| {
                info.tag_list()
                    .iter()
                    .map(|t| (t.key().to_owned(), t.value().to_owned()))
                    .collect()
            })
            .unwrap_or_default();
        let logging = match client
            .get_logging_configuration()
            .resource_arn(&arn)
            .send()
            .await
        {
            Ok(out) => {
                let destination = out
                    .logging_configuration()
                    .and_then(|c| c.log_destination_configs().first())
                    .cloned();
                LogSetting {
                    enabled: destination.is_some(),
                    destination,
                    prefix: None,
                    types: Vec::new(),
                }
            }
            Err(err) => {
                let err = AwsError::from_sdk("wafv2:GetLoggingConfiguration", err);
                if err.code.as_deref() == Some("WAFNonexistentItemException") {
                    LogSetting::off()
                } else {
                    return Err(err);
                }
            }
        };
        facts.push(WebAclFact {
            arn,
            name,
            cloudfront,
            tags,
            logging,
        });
    }
    Ok(facts)
}
