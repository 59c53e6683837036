//! What resources made outside irready cover in a target, so that irready leaves its own
//! out: decided by `plan::existing`, read by the renderer, recorded in the stacks' outputs
//! for `plan --refresh=false`.

use std::collections::BTreeSet;

use super::component::Component;

/// What resources made outside irready already cover in one target, so that its
/// templates leave the matching resources out. Decided by `plan::existing`; empty for a
/// target where nothing exists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Covered {
    /// An existing trail meets the trail control: org-logging makes no trail.
    pub trail: Option<CoveringTrail>,
    /// An existing detector stands in the way (or meets the control): no detector.
    pub detector: bool,
    /// An existing recorder stands in the way (or meets the control): no recorder and no
    /// delivery channel.
    pub recorder: bool,
    /// VPCs whose existing flow log meets the settings.
    pub flow_logs: BTreeSet<String>,
    /// VPCs whose existing query log association meets the settings.
    pub query_logs: BTreeSet<String>,
}

/// The existing trail that stands for irready's own: for every setting, or (a trail such
/// as Control Tower's) for everything but some data events, which irready's own trail then
/// records alone, without management events (two trails of management events cost twice).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoveringTrail {
    pub arn: String,
    /// Its CloudWatch Logs group, when that group is in the management account's home
    /// region, where the alarms component puts its metric filters.
    pub log_group: Option<String>,
    /// The data events the environment asks for that it does not record; empty when it
    /// covers everything.
    pub missing_data_events: Vec<crate::config::DataEvents>,
}

/// The value of an input output that records nothing: an output cannot be empty.
const RECORDS_NOTHING: &str = "none";
/// How a trail record lists the data events irready's own trail records.
const DATA_EVENTS_WORD: &str = "data-events:";

impl CoveringTrail {
    /// How org logging records which existing trail stood for irready's (`none`, the
    /// trail's ARN, or its ARN and log group), for `plan --refresh=false`.
    /// The data events irready's own trail still records are `data-events:<kinds>`.
    pub fn record(trail: Option<&Self>) -> String {
        let Some(trail) = trail else {
            return RECORDS_NOTHING.to_owned();
        };
        let mut words = vec![trail.arn.clone()];
        words.extend(trail.log_group.clone());
        if !trail.missing_data_events.is_empty() {
            let kinds: Vec<&str> = trail.missing_data_events.iter().map(|k| k.name()).collect();
            words.push(format!("{DATA_EVENTS_WORD}{}", kinds.join(",")));
        }
        words.join(" ")
    }

    /// The inverse of [`CoveringTrail::record`]; neither ARNs nor log group names hold
    /// spaces.
    pub fn from_record(record: &str) -> Option<Self> {
        let mut words = record.split_whitespace();
        let arn = match words.next() {
            None | Some(RECORDS_NOTHING) => return None,
            Some(arn) => arn.to_owned(),
        };
        let mut trail = Self {
            arn,
            log_group: None,
            missing_data_events: Vec::new(),
        };
        for word in words {
            match word.strip_prefix(DATA_EVENTS_WORD) {
                Some(kinds) => {
                    trail.missing_data_events = kinds
                        .split(',')
                        .filter_map(crate::config::DataEvents::from_name)
                        .collect();
                }
                None => trail.log_group = Some(word.to_owned()),
            }
        }
        Some(trail)
    }

    /// Whether irready's own trail still records some data events beside it.
    pub fn complemented(&self) -> bool {
        !self.missing_data_events.is_empty()
    }
}

impl Covered {
    /// How a regional baseline records what covered it (`detector`, `recorder`,
    /// `flow-log:<vpc>`, `query-log:<vpc>`, separated by spaces, or `none`), for
    /// `plan --refresh=false`. The trail is org logging's to record.
    pub fn baseline_record(&self) -> String {
        let flags = [(self.detector, "detector"), (self.recorder, "recorder")];
        let words: Vec<String> = flags
            .iter()
            .filter(|(on, _)| *on)
            .map(|(_, word)| (*word).to_owned())
            .chain(self.flow_logs.iter().map(|vpc| format!("flow-log:{vpc}")))
            .chain(self.query_logs.iter().map(|vpc| format!("query-log:{vpc}")))
            .collect();
        if words.is_empty() {
            RECORDS_NOTHING.to_owned()
        } else {
            words.join(" ")
        }
    }

    /// The inverse of [`Covered::baseline_record`]; an unknown word is ignored.
    pub fn from_baseline_record(record: &str) -> Self {
        let mut covered = Self::default();
        for word in record.split_whitespace() {
            match word.split_once(':') {
                Some(("flow-log", vpc)) => {
                    covered.flow_logs.insert(vpc.to_owned());
                }
                Some(("query-log", vpc)) => {
                    covered.query_logs.insert(vpc.to_owned());
                }
                _ if word == "detector" => covered.detector = true,
                _ if word == "recorder" => covered.recorder = true,
                _ => {}
            }
        }
        covered
    }

    /// Whether `component` is placed at all: the alarms need a log group to filter.
    pub fn places(&self, component: Component) -> bool {
        match component {
            Component::Alarms => self.trail.as_ref().is_none_or(|t| t.log_group.is_some()),
            Component::Access
            | Component::Analysis
            | Component::BreakglassAlerts
            | Component::ForensicCore
            | Component::ForensicVpc
            | Component::OrgLogging
            | Component::RegionalBaseline
            | Component::WorkloadLogging
            | Component::InstanceRunbooks
            | Component::IdentityRunbooks
            | Component::EvidenceKeys => true,
        }
    }
}
