//! GuardDuty reads used by discovery: the detector of a target and its protection plans.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::addr::Region;

use super::{AccountSession, Aws, AwsError, AwsResult};

/// A detector as the GuardDuty control needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DetectorFact {
    pub id: String,
    pub enabled: bool,
    /// `FIFTEEN_MINUTES`, `ONE_HOUR` or `SIX_HOURS`.
    pub finding_frequency: Option<String>,
    /// Feature name (`S3_DATA_EVENTS`, ...) to status (`ENABLED`, `DISABLED`).
    pub features: BTreeMap<String, String>,
}

/// The detectors of the target but those in `leave_out` (irready's own, not described),
/// sorted by id. GuardDuty allows one per account and region; a list keeps the reading
/// honest if a service ever returns more.
pub async fn detectors(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    leave_out: &BTreeSet<String>,
) -> AwsResult<Vec<DetectorFact>> {
    let client = aws.guardduty(session, region);
    let mut ids = Vec::new();
    let mut pages = client.list_detectors().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| AwsError::from_sdk("guardduty:ListDetectors", e))?;
        ids.extend(page.detector_ids().iter().cloned());
    }
    ids.retain(|id| !leave_out.contains(id));
    ids.sort();
    let mut detectors = Vec::new();
    for id in ids {
        let out = client
            .get_detector()
            .detector_id(&id)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("guardduty:GetDetector", e))?;
        detectors.push(DetectorFact {
            enabled: out.status().is_some_and(|s| s.as_str() == "ENABLED"),
            finding_frequency: out
                .finding_publishing_frequency()
                .map(|f| f.as_str().to_owned()),
            features: out
                .features()
                .iter()
                .filter_map(|f| {
                    Some((
                        f.name()?.as_str().to_owned(),
                        f.status()?.as_str().to_owned(),
                    ))
                })
                .collect(),
            id,
        });
    }
    Ok(detectors)
}

/// Enables detector `id`, as its stack declares it.
pub async fn enable_detector(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    id: &str,
) -> AwsResult<()> {
    aws.guardduty(session, region)
        .update_detector()
        .detector_id(id)
        .enable(true)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("guardduty:UpdateDetector", e))?;
    Ok(())
}

/// A findings export of a detector, as the delivery controls need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishingFact {
    pub id: String,
    /// The bucket (and prefix) ARN it exports to.
    pub destination_arn: Option<String>,
    /// `PUBLISHING`, `UNABLE_TO_PUBLISH_FIX_DESTINATION_PROPERTY`, `STOPPED`, ...
    pub status: String,
}

/// The publishing destinations of detector `id`, with where each exports and its status.
pub async fn publishing_destinations(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    id: &str,
) -> AwsResult<Vec<PublishingFact>> {
    let client = aws.guardduty(session, region);
    let listed = client
        .list_publishing_destinations()
        .detector_id(id)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("guardduty:ListPublishingDestinations", e))?;
    let mut destinations = Vec::new();
    for destination in listed.destinations() {
        let Some(destination_id) = destination.destination_id() else {
            continue;
        };
        let described = client
            .describe_publishing_destination()
            .detector_id(id)
            .destination_id(destination_id)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("guardduty:DescribePublishingDestination", e))?;
        destinations.push(PublishingFact {
            id: destination_id.to_owned(),
            destination_arn: described
                .destination_properties()
                .and_then(|p| p.destination_arn())
                .map(str::to_owned),
            status: described
                .status()
                .map_or("UNKNOWN", |s| s.as_str())
                .to_owned(),
        });
    }
    Ok(destinations)
}
