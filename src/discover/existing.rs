//! What exists in a target outside irready: trails, the GuardDuty detector, the Config
//! recorder, flow logs and DNS query log associations that the controls of the
//! environment could count, read only where a component that has such a control goes.
//!
//! irready's own resources are not "existing": they are recognised by the physical ids of
//! irready's stacks in the target (ListStackResources, one call where such a stack
//! exists), and left out before they are described further. Neither names nor tags would
//! do: a detector's id is random, and CloudFormation tags only some resource types with
//! their stack.

use std::collections::BTreeSet;

use crate::addr::Region;
use crate::aws::cloudtrail::{self, TrailFact};
use crate::aws::configservice::{self, RecorderFact};
use crate::aws::ec2::{self, FlowLogFact};
use crate::aws::guardduty::{self, DetectorFact};
use crate::aws::resolver::{self, QueryLogAssociationFact};
use crate::aws::{AccountSession, Aws, AwsResult};

/// Resources of a target made outside irready, each list sorted by id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Existing {
    /// Trails visible in the target's region, other regions' multi-region trails included.
    pub trails: Vec<TrailFact>,
    /// The detector (GuardDuty allows one per account and region).
    pub detector: Option<DetectorFact>,
    /// The configuration recorder (AWS Config allows one per account and region).
    pub recorder: Option<RecorderFact>,
    /// Flow logs on the VPCs the regional baseline covers.
    pub flow_logs: Vec<FlowLogFact>,
    /// Query log associations of the VPCs the regional baseline covers.
    pub query_log_associations: Vec<QueryLogAssociationFact>,
}

/// Which kinds of existing resources a target must have read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExistingNeeds {
    pub trails: bool,
    pub detector: bool,
    pub recorder: bool,
    pub flow_logs: bool,
    pub query_logs: bool,
}

impl ExistingNeeds {
    pub fn any(self) -> bool {
        self.trails || self.detector || self.recorder || self.flow_logs || self.query_logs
    }
}

/// Everything the service APIs list, before irready's own resources are set apart.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listed {
    pub trails: Vec<TrailFact>,
    pub detectors: Vec<DetectorFact>,
    pub recorders: Vec<RecorderFact>,
    pub flow_logs: Vec<FlowLogFact>,
    pub query_log_associations: Vec<QueryLogAssociationFact>,
}

impl Listed {
    /// What remains once resources whose id (or trail name) is among `owned`, the
    /// physical ids of irready's stacks, are set apart; flow logs and associations only
    /// for `vpcs`.
    pub fn outside(self, owned: &BTreeSet<String>, vpcs: &BTreeSet<String>) -> Existing {
        Existing {
            trails: self
                .trails
                .into_iter()
                .filter(|t| !owned.contains(&t.name) && !owned.contains(&t.arn))
                .collect(),
            detector: self.detectors.into_iter().find(|d| !owned.contains(&d.id)),
            recorder: self
                .recorders
                .into_iter()
                .find(|r| !owned.contains(&r.name)),
            flow_logs: self
                .flow_logs
                .into_iter()
                .filter(|f| vpcs.contains(&f.resource_id) && !owned.contains(&f.id))
                .collect(),
            query_log_associations: self
                .query_log_associations
                .into_iter()
                .filter(|a| vpcs.contains(&a.vpc_id) && !owned.contains(&a.id))
                .collect(),
        }
    }
}

/// Reads what `needs` asks for in the target, and sets apart what `own_stacks` (names of
/// irready's stacks there) hold. `vpcs` are the VPCs the regional baseline covers.
pub async fn read(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    needs: ExistingNeeds,
    owned: &BTreeSet<String>,
    vpcs: &BTreeSet<String>,
) -> AwsResult<(Existing, Listed)> {
    if !needs.any() {
        return Ok((Existing::default(), Listed::default()));
    }
    // irready's own trail and detector are described too: the plan looks for changes
    // made to them outside irready.
    let none = BTreeSet::new();
    let mut listed = Listed::default();
    if needs.trails {
        listed.trails = cloudtrail::trails(aws, session, region, &none).await?;
    }
    if needs.detector {
        listed.detectors = guardduty::detectors(aws, session, region, &none).await?;
    }
    if needs.recorder {
        listed.recorders = configservice::recorders(aws, session, region, owned).await?;
    }
    if needs.flow_logs && !vpcs.is_empty() {
        listed.flow_logs = ec2::flow_logs(aws, session, region).await?;
    }
    if needs.query_logs && !vpcs.is_empty() {
        listed.query_log_associations =
            resolver::query_log_associations(aws, session, region, vpcs, owned).await?;
    }
    Ok((listed.clone().outside(owned, vpcs), listed))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn detector(id: &str) -> DetectorFact {
        DetectorFact {
            id: id.to_owned(),
            enabled: true,
            finding_frequency: None,
            features: BTreeMap::new(),
        }
    }

    fn flow_log(id: &str, vpc: &str) -> FlowLogFact {
        FlowLogFact {
            delivery_error: None,
            id: id.to_owned(),
            resource_id: vpc.to_owned(),
            traffic: "ALL".to_owned(),
            destination_type: "s3".to_owned(),
            destination: None,
            aggregation_seconds: Some(60),
        }
    }

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn irready_s_own_detector_is_not_existing_but_another_one_is() {
        let listed = Listed {
            detectors: vec![detector("abc")],
            ..Listed::default()
        };
        let owned = listed.clone().outside(&set(&["abc"]), &set(&[]));
        assert_eq!(owned.detector, None);
        let other = listed.outside(&set(&["def"]), &set(&[]));
        assert_eq!(other.detector.map(|d| d.id).as_deref(), Some("abc"));
    }

    #[test]
    fn flow_logs_count_only_on_covered_vpcs_and_outside_irready_s_stacks() {
        let listed = Listed {
            flow_logs: vec![
                flow_log("fl-1", "vpc-a"),
                flow_log("fl-2", "vpc-a"),
                flow_log("fl-3", "vpc-forensic"),
            ],
            ..Listed::default()
        };
        let existing = listed.outside(&set(&["fl-2"]), &set(&["vpc-a"]));
        let ids: Vec<&str> = existing.flow_logs.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(ids, ["fl-1"]);
    }
}
