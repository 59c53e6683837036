//! AWS Config reads used by discovery: the configuration recorder of a target, whether
//! it records, and its delivery channel.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::addr::Region;

use super::{AccountSession, Aws, AwsError, AwsResult};

/// A configuration recorder as the Config control needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecorderFact {
    pub name: String,
    pub all_supported: bool,
    pub include_global_types: bool,
    pub recording: bool,
    /// The S3 bucket of the region's delivery channel, when there is one.
    pub delivery_bucket: Option<String>,
    pub has_delivery_channel: bool,
}

/// The recorders of the target but those in `leave_out` (irready's own), sorted by name
/// (AWS Config allows one per account and region), each with its status and the region's
/// delivery channel.
pub async fn recorders(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    leave_out: &BTreeSet<String>,
) -> AwsResult<Vec<RecorderFact>> {
    let client = aws.config_service(session, region);
    let out = client
        .describe_configuration_recorders()
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("config:DescribeConfigurationRecorders", e))?;
    let outside: Vec<_> = out
        .configuration_recorders()
        .iter()
        .filter(|r| r.name().is_some_and(|n| !leave_out.contains(n)))
        .collect();
    if outside.is_empty() {
        return Ok(Vec::new());
    }
    let status = client
        .describe_configuration_recorder_status()
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("config:DescribeConfigurationRecorderStatus", e))?;
    let channels = client
        .describe_delivery_channels()
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("config:DescribeDeliveryChannels", e))?;
    let channel = channels.delivery_channels().first();
    let mut recorders: Vec<RecorderFact> = outside
        .into_iter()
        .map(|r| {
            let name = r.name().unwrap_or_default().to_owned();
            let group = r.recording_group();
            RecorderFact {
                all_supported: group.is_some_and(|g| g.all_supported()),
                include_global_types: group.is_some_and(|g| g.include_global_resource_types()),
                recording: status
                    .configuration_recorders_status()
                    .iter()
                    .any(|s| s.name() == Some(name.as_str()) && s.recording()),
                delivery_bucket: channel.and_then(|c| c.s3_bucket_name().map(str::to_owned)),
                has_delivery_channel: channel.is_some(),
                name,
            }
        })
        .collect();
    recorders.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(recorders)
}

/// Why AWS Config's last delivery of a snapshot or of history failed, per the region's
/// delivery channel status (`lastStatus` FAILURE: `lastErrorCode: lastErrorMessage`);
/// empty while it delivers, or without a channel.
pub async fn delivery_failures(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
) -> AwsResult<Vec<String>> {
    let out = aws
        .config_service(session, region)
        .describe_delivery_channel_status()
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("config:DescribeDeliveryChannelStatus", e))?;
    let mut failures = Vec::new();
    for channel in out.delivery_channels_status() {
        let name = channel.name().unwrap_or("default");
        let infos = [
            ("snapshot", channel.config_snapshot_delivery_info()),
            ("history", channel.config_history_delivery_info()),
        ];
        for (what, info) in infos {
            let Some(info) = info else { continue };
            if info.last_status().map(|s| s.as_str()) == Some("Failure") {
                failures.push(format!(
                    "delivery channel {name}, {what}: {}: {}",
                    info.last_error_code().unwrap_or("error"),
                    info.last_error_message().unwrap_or("delivery failed")
                ));
            }
        }
    }
    Ok(failures)
}
