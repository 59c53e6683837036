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
