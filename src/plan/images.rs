//! Analysis images: where each image the environment names already is, and where apply
//! must copy it. Pure: works on what discovery saw in the forensic account's analysis
//! regions.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::addr::{Region, Target};
use crate::aws::ec2::ImageFact;
use crate::config::{AmiSource, AmiSpec, Environment};
use crate::discover::{ImageSighting, TargetState, TAG_IMAGE_SOURCE};

use super::TargetError;

/// One analysis image in one analysis region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImagePlan {
    pub target: Target,
    /// The image's name in the environment (`forensic.amis[].name`).
    pub image: String,
    #[serde(flatten)]
    pub action: ImageAction,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum ImageAction {
    /// The image is available here.
    Use {
        image_id: String,
        /// Whether this is a copy irready made on an earlier apply.
        copied_earlier: bool,
    },
    /// Apply copies the image here from another analysis region.
    Copy {
        source_region: Region,
        source_image_id: String,
        source_name: String,
    },
}

impl ImagePlan {
    pub fn is_change(&self) -> bool {
        matches!(self.action, ImageAction::Copy { .. })
    }
}

/// The image each analysis region uses, or an error per region where none can be had.
pub fn resolve(
    env: &Environment,
    forensic_account: &crate::addr::AccountId,
    targets: &BTreeMap<Target, Result<TargetState, crate::aws::AwsError>>,
) -> (Vec<ImagePlan>, Vec<TargetError>) {
    let Some(forensic) = &env.forensic else {
        return (Vec::new(), Vec::new());
    };
    let mut plans = Vec::new();
    let mut errors = Vec::new();
    // The regions discovery could read, with what it saw there.
    let readable: Vec<(Target, &TargetState)> = forensic
        .analysis_regions
        .iter()
        .map(|region| Target::new(forensic_account.clone(), region.clone()))
        .filter_map(|target| match targets.get(&target) {
            Some(Ok(state)) => Some((target, state)),
            _ => None,
        })
        .collect();
    for ami in &forensic.amis {
        let sightings: Vec<(&Target, &ImageSighting)> = readable
            .iter()
            .filter_map(|(target, state)| state.images.get(&ami.name).map(|s| (target, s)))
            .collect();
        let Some((source_region, source)) = source(env, ami, &sightings) else {
            let message = missing(ami);
            errors.extend(readable.iter().map(|(target, _)| TargetError {
                target: target.clone(),
                stack: None,
                message: message.clone(),
            }));
            continue;
        };
        for (target, sighting) in &sightings {
            let action = if let Some(found) = own_match(ami, target, sighting) {
                ImageAction::Use {
                    image_id: found.id.clone(),
                    copied_earlier: false,
                }
            } else if let Some(copy) = sighting.copies.iter().find(|c| {
                c.tags.get(TAG_IMAGE_SOURCE) == Some(&source.id)
                    && matches!(c.state.as_str(), "available" | "pending")
            }) {
                ImageAction::Use {
                    image_id: copy.id.clone(),
                    copied_earlier: true,
                }
            } else {
                ImageAction::Copy {
                    source_region: source_region.clone(),
                    source_image_id: source.id.clone(),
                    source_name: source.name.clone(),
                }
            };
            plans.push(ImagePlan {
                target: (*target).clone(),
                image: ami.name.clone(),
                action,
            });
        }
    }
    plans.sort_by(|a, b| (&a.target, &a.image).cmp(&(&b.target, &b.image)));
    (plans, errors)
}

/// The image a region uses without a copy: the newest match of the filter there, or,
/// for an image named by id, the image itself in its own region.
fn own_match<'a>(
    ami: &AmiSpec,
    target: &Target,
    sighting: &'a ImageSighting,
) -> Option<&'a ImageFact> {
    match &ami.source {
        AmiSource::Filter { .. } => sighting.matches.first(),
        AmiSource::Id { region, .. } if *region == target.region => sighting.matches.first(),
        AmiSource::Id { .. } => None,
    }
}

/// Where copies come from: the image named by id, in its region; for a filter, the
/// newest match of the home region, or else the newest match of any analysis region.
fn source<'a>(
    env: &Environment,
    ami: &AmiSpec,
    sightings: &[(&'a Target, &'a ImageSighting)],
) -> Option<(&'a Region, &'a ImageFact)> {
    let first = |target: &'a Target, sighting: &'a ImageSighting| {
        sighting
            .matches
            .first()
            .map(|image| (&target.region, image))
    };
    match &ami.source {
        AmiSource::Id { region, .. } => sightings
            .iter()
            .find(|(target, _)| target.region == *region)
            .and_then(|(target, sighting)| first(target, sighting)),
        AmiSource::Filter { .. } => sightings
            .iter()
            .find(|(target, _)| target.region == env.home_region)
            .and_then(|(target, sighting)| first(target, sighting))
            .or_else(|| {
                sightings
                    .iter()
                    .filter_map(|(target, sighting)| first(target, sighting))
                    .max_by(|a, b| a.1.created.cmp(&b.1.created).then(b.0.cmp(a.0)))
            }),
    }
}

fn missing(ami: &AmiSpec) -> String {
    match &ami.source {
        AmiSource::Id { id, region } => format!(
            "analysis image `{}`: {id} does not exist in {region}, or the forensic account \
             cannot see it (share it with the forensic account)",
            ami.name
        ),
        AmiSource::Filter { owner, name_filter } => format!(
            "analysis image `{}`: no image of owner {owner} matches `{name_filter}` in any \
             analysis region",
            ami.name
        ),
    }
}

#[cfg(test)]
mod tests;
