//! CloudTrail reads used by discovery: the trails that exist, with what they record.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::addr::Region;

use super::{AccountSession, Aws, AwsError, AwsResult};

/// A trail as the trail control needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrailFact {
    pub name: String,
    pub arn: String,
    /// The region the trail was made in; a multi-region trail shows in every region.
    pub home_region: String,
    pub is_organization: bool,
    pub is_multi_region: bool,
    pub include_global_events: bool,
    pub log_file_validation: bool,
    pub is_logging: bool,
    pub kms_key_id: Option<String>,
    pub s3_bucket: Option<String>,
    /// The CloudWatch Logs group ARN (`arn:aws:logs:REGION:ACCOUNT:log-group:NAME:*`).
    pub log_group_arn: Option<String>,
    /// Whether every management event (read and write) is recorded.
    pub management_events: bool,
    /// Data event resource types recorded (`AWS::S3::Object`, `AWS::Lambda::Function`).
    pub data_event_types: BTreeSet<String>,
    /// The errors GetTrailStatus reports for the last deliveries (to S3, of digests, to
    /// CloudWatch Logs), each as `what: error`; empty when the last ones succeeded.
    #[serde(default)]
    pub delivery_errors: Vec<String>,
}

/// Every trail visible in `region` (its own and other regions' multi-region trails) but
/// those named in `leave_out` (irready's own, by name or ARN), with its logging status
/// and event selectors, sorted by ARN.
///
/// Status and selectors are read in the trail's home region by ARN: CloudTrail answers
/// for a trail only there, and by ARN also for trails another account owns.
pub async fn trails(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    leave_out: &BTreeSet<String>,
) -> AwsResult<Vec<TrailFact>> {
    let out = aws
        .cloudtrail(session, region)
        .describe_trails()
        .include_shadow_trails(true)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("cloudtrail:DescribeTrails", e))?;
    let mut trails = Vec::new();
    for trail in out.trail_list() {
        let (Some(name), Some(arn)) = (trail.name(), trail.trail_arn()) else {
            continue;
        };
        if leave_out.contains(name) || leave_out.contains(arn) {
            continue;
        }
        let home_region = trail.home_region().unwrap_or(region.as_str()).to_owned();
        let home: Region = home_region.parse().unwrap_or_else(|_| region.clone());
        let client = aws.cloudtrail(session, &home);
        let status = client
            .get_trail_status()
            .name(arn)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("cloudtrail:GetTrailStatus", e))?;
        let selectors = client
            .get_event_selectors()
            .trail_name(arn)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("cloudtrail:GetEventSelectors", e))?;
        let mut management_events = false;
        let mut data_event_types = BTreeSet::new();
        for selector in selectors.event_selectors() {
            let all = selector
                .read_write_type()
                .is_none_or(|t| t.as_str() == "All");
            if selector.include_management_events().unwrap_or(true) && all {
                management_events = true;
            }
            data_event_types.extend(
                selector
                    .data_resources()
                    .iter()
                    .filter_map(|r| r.r#type().map(str::to_owned)),
            );
        }
        for selector in selectors.advanced_event_selectors() {
            let fields = selector.field_selectors();
            let equals = |field: &str| -> Vec<&str> {
                fields
                    .iter()
                    .filter(|f| f.field() == field)
                    .flat_map(|f| f.equals().iter().map(String::as_str))
                    .collect()
            };
            let category = equals("eventCategory");
            // Without a readOnly selector, both reads and writes are recorded.
            let read_only = equals("readOnly");
            if category.contains(&"Management") && read_only.is_empty() {
                management_events = true;
            }
            if category.contains(&"Data") {
                data_event_types.extend(equals("resources.type").into_iter().map(str::to_owned));
            }
        }
        trails.push(TrailFact {
            name: name.to_owned(),
            arn: arn.to_owned(),
            home_region,
            is_organization: trail.is_organization_trail().unwrap_or(false),
            is_multi_region: trail.is_multi_region_trail().unwrap_or(false),
            include_global_events: trail.include_global_service_events().unwrap_or(false),
            log_file_validation: trail.log_file_validation_enabled().unwrap_or(false),
            is_logging: status.is_logging().unwrap_or(false),
            kms_key_id: trail.kms_key_id().map(str::to_owned),
            s3_bucket: trail.s3_bucket_name().map(str::to_owned),
            log_group_arn: trail.cloud_watch_logs_log_group_arn().map(str::to_owned),
            management_events,
            data_event_types,
            delivery_errors: [
                ("log files to S3", status.latest_delivery_error()),
                ("digest files to S3", status.latest_digest_delivery_error()),
                (
                    "events to CloudWatch Logs",
                    status.latest_cloud_watch_logs_delivery_error(),
                ),
            ]
            .into_iter()
            .filter_map(|(what, error)| {
                error
                    .filter(|e| !e.is_empty())
                    .map(|e| format!("{what}: {e}"))
            })
            .collect(),
        });
    }
    trails.sort_by(|a, b| a.arn.cmp(&b.arn));
    Ok(trails)
}

/// Starts logging on trail `name` (by name: the emulator answers by name only).
pub async fn start_logging(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    name: &str,
) -> AwsResult<()> {
    aws.cloudtrail(session, region)
        .start_logging()
        .name(name)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("cloudtrail:StartLogging", e))?;
    Ok(())
}
