//! CloudWatch reads used by check: alarms, who their topics notify, and log group
//! retention.

use serde::{Deserialize, Serialize};

use crate::addr::Region;

use super::{AccountSession, Aws, AwsError, AwsResult};

/// A metric alarm as the alarms control needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlarmFact {
    pub name: String,
    pub actions: Vec<String>,
    pub actions_enabled: bool,
}

/// The metric alarms whose names start with `prefix`, sorted by name.
pub async fn alarms(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    prefix: &str,
) -> AwsResult<Vec<AlarmFact>> {
    let client = aws.cloudwatch(session, region);
    let mut pages = client
        .describe_alarms()
        .alarm_name_prefix(prefix)
        .into_paginator()
        .send();
    let mut alarms = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| AwsError::from_sdk("cloudwatch:DescribeAlarms", e))?;
        for alarm in page.metric_alarms() {
            alarms.push(AlarmFact {
                name: alarm.alarm_name().unwrap_or_default().to_owned(),
                actions: alarm.alarm_actions().to_vec(),
                actions_enabled: alarm.actions_enabled().unwrap_or(false),
            });
        }
    }
    alarms.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(alarms)
}

/// The retention in days of log group `name` (`Some(None)`: never expires), or `None`
/// when the group does not exist.
pub async fn log_group_retention(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    name: &str,
) -> AwsResult<Option<Option<i32>>> {
    let out = aws
        .logs(session, region)
        .describe_log_groups()
        .log_group_name_prefix(name)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("logs:DescribeLogGroups", e))?;
    Ok(out
        .log_groups()
        .iter()
        .find(|g| g.log_group_name() == Some(name))
        .map(|g| g.retention_in_days()))
}

/// Who SNS topic `arn` notifies: its confirmed subscriptions (protocol and endpoint) and
/// how many still wait for confirmation. `None` when the topic does not exist.
pub async fn topic_subscribers(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    arn: &str,
) -> AwsResult<Option<(Vec<String>, usize)>> {
    let client = aws.sns(session, region);
    let mut pages = client
        .list_subscriptions_by_topic()
        .topic_arn(arn)
        .into_paginator()
        .send();
    let (mut confirmed, mut pending) = (Vec::new(), 0);
    while let Some(page) = pages.next().await {
        let page = match page {
            Ok(page) => page,
            Err(err) => {
                let err = AwsError::from_sdk("sns:ListSubscriptionsByTopic", err);
                if err.kind == super::ErrorKind::NotFound {
                    return Ok(None);
                }
                return Err(err);
            }
        };
        for subscription in page.subscriptions() {
            // An email subscription is "PendingConfirmation" until its address confirms.
            if subscription.subscription_arn() == Some("PendingConfirmation") {
                pending += 1;
            } else {
                confirmed.push(format!(
                    "{} {}",
                    subscription.protocol().unwrap_or("?"),
                    subscription.endpoint().unwrap_or("?")
                ));
            }
        }
    }
    Ok(Some((confirmed, pending)))
}
