//! The readiness verdict as data: which controls were evaluated where, with what result
//! and evidence. Built by `check::evaluate`, read by the reports; neither changes it.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::addr::{AccountId, Target};
pub use crate::model::controls::ControlId;

/// Version of the JSON form. Bumped on any change a reader could notice. 2: findings of
/// the per-resource controls name their `resource`, several per control × target. 3: the
/// severity `info` (advice, below the default `--min-severity`).
pub const CHECK_FORMAT_VERSION: u32 = 3;

/// How much a failing control matters to a responder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Advice: reported, but below the default `--min-severity` (low), so a failure does
    /// not make `check` exit "not ready" unless asked for (`--min-severity info`).
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Self::Info,
        Self::Low,
        Self::Medium,
        Self::High,
        Self::Critical,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where a control is evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ControlScope {
    /// Once, in the management account's home region.
    Organization,
    /// Every target account, in the home region (IAM is global).
    Account,
    /// Every target account in every region.
    AccountRegion,
    /// The forensic account, in the home region.
    Forensic,
    /// The forensic account, in each analysis region.
    AnalysisRegion,
    /// Every workload resource of `workload_logging`'s accounts and regions, one finding
    /// each.
    Workload,
}

/// One readiness control of the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Control {
    /// Stable id, e.g. `IR-TRAIL-1`: used by `--control`, in reports and by CI rules.
    pub id: ControlId,
    pub title: &'static str,
    pub severity: Severity,
    pub scope: ControlScope,
    /// The service reads that evaluate it, e.g. `cloudtrail:GetTrailStatus`.
    pub reads: &'static [&'static str],
    /// What to do when it fails.
    pub remediation: &'static str,
}

/// The outcome of one control in one target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Failing first when sorted.
    Fail,
    /// The target could not be read (role cannot be assumed, access denied).
    Error,
    Pass,
    /// The control does not apply here (e.g. no VPC in the region).
    NotApplicable,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::Error => "error",
            Self::NotApplicable => "not applicable",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What judging one control in one target (or one resource) found; becomes a [`Finding`]
/// once placed. The one verdict type of `check`: per-target judges and per-resource
/// workload judges alike.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub status: Status,
    /// Why, in one line.
    pub message: String,
    /// The resources looked at.
    pub evidence: Vec<String>,
}

impl Verdict {
    pub fn pass(message: impl Into<String>, evidence: Vec<String>) -> Self {
        Self::of(Status::Pass, message, evidence)
    }

    pub fn fail(message: impl Into<String>, evidence: Vec<String>) -> Self {
        Self::of(Status::Fail, message, evidence)
    }

    pub fn not_applicable(message: impl Into<String>) -> Self {
        Self::of(Status::NotApplicable, message, Vec::new())
    }

    pub fn error(message: impl Into<String>) -> Self {
        Self::of(Status::Error, message, Vec::new())
    }

    pub fn of(status: Status, message: impl Into<String>, evidence: Vec<String>) -> Self {
        Self {
            status,
            message: message.into(),
            evidence,
        }
    }

    /// The finding of `control` in `target` (about `resource`, for per-resource controls).
    pub fn finding(self, control: ControlId, target: Target, resource: Option<String>) -> Finding {
        Finding {
            control,
            target,
            status: self.status,
            message: self.message,
            evidence: self.evidence,
            resource,
        }
    }
}

/// One control evaluated in one target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub control: ControlId,
    pub target: Target,
    pub status: Status,
    /// Why, in one line: what was found or what is missing.
    pub message: String,
    /// The resources looked at (ids, ARNs, names).
    pub evidence: Vec<String>,
    /// The one resource judged, for controls judged per resource (`ControlScope::Workload`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
}

/// Everything `check` found, sorted by control then target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckReport {
    pub format_version: u32,
    pub irready_version: String,
    pub environment: String,
    pub checked_at: DateTime<Utc>,
    /// Account names by id, for display.
    pub account_names: BTreeMap<AccountId, String>,
    /// The controls evaluated (after `--control`), in catalog order.
    pub controls: Vec<Control>,
    pub findings: Vec<Finding>,
}

/// Totals by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub pass: usize,
    pub fail: usize,
    pub error: usize,
    pub not_applicable: usize,
}

impl CheckReport {
    pub fn control(&self, id: ControlId) -> Option<&Control> {
        self.controls.iter().find(|c| c.id == id)
    }

    pub fn totals(&self) -> Totals {
        let mut t = Totals::default();
        for f in &self.findings {
            match f.status {
                Status::Pass => t.pass += 1,
                Status::Fail => t.fail += 1,
                Status::Error => t.error += 1,
                Status::NotApplicable => t.not_applicable += 1,
            }
        }
        t
    }

    /// Failing findings of controls at or above `min`.
    pub fn failures_at_or_above(&self, min: Severity) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(move |f| {
            f.status == Status::Fail && self.control(f.control).is_some_and(|c| c.severity >= min)
        })
    }

    /// The account's display form: `name (id)` when the name is known.
    pub fn account_label(&self, account: &AccountId) -> String {
        match self.account_names.get(account) {
            Some(name) if name != account.as_str() => format!("{name} ({account})"),
            _ => account.to_string(),
        }
    }
}
