//! Rendering: one CloudFormation template per stack, from the Handlebars templates in
//! `templates/` (compiled into the binary) and values computed here.
//!
//! Pure and deterministic: the same environment, scope and facts give byte-identical
//! templates. Strict mode makes a missing value an error instead of an empty string.

mod cis;
mod context;
mod workload_context;

pub use context::{
    CONFIG_ROLE_OUTPUT, COVERED_OUTPUT, NO_VPCS, S3_PREFIX_LIST_OUTPUT, TRAIL_OUTPUT, VPCS_OUTPUT,
};

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use handlebars::{handlebars_helper, Handlebars};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::addr::{Region, StackAddr, Target};
use crate::config::Environment;
use crate::discover::{
    Scope, TargetState, TAG_COMPONENT, TAG_ENVIRONMENT, TAG_EXPIRES, TAG_MANAGED,
};
use crate::plan::{DeferredValue, ValueSource};
pub use context::{cis_alarm_names, covered_vpcs, covered_vpcs_of, ForensicNames};

/// The parts of readiness irready deploys, one stack per placement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Component {
    /// Breakglass, investigator and responder roles and the deny-all policy: every target
    /// account, home region.
    Access,
    /// EventBridge rules on the breakglass role being assumed or used to sign in, and
    /// their topic: every target account, every region of the environment and us-east-1
    /// (where sign-in and global STS events are delivered).
    BreakglassAlerts,
    /// The isolated analysis network: forensic account, each analysis region.
    ForensicVpc,
    /// Evidence and log archive buckets, their keys, the alerts topic: forensic account,
    /// home region.
    ForensicCore,
    /// The organization trail (or an account trail) and its log group: management
    /// account, home region.
    OrgLogging,
    /// CIS metric filters and alarms on the trail's log group, and an alarm on the use of
    /// the breakglass role: management account, home region.
    Alarms,
    /// GuardDuty, AWS Config, flow logs and DNS query logs on every VPC, an isolation
    /// security group in every VPC: every target account, every region.
    RegionalBaseline,
    /// The destinations of the logs of the workloads that already run (S3 server access
    /// logs, load balancer access logs): every account × region of `workload_logging`.
    WorkloadLogging,
}

impl Component {
    pub const ALL: [Component; 8] = [
        Component::Access,
        Component::Alarms,
        Component::BreakglassAlerts,
        Component::ForensicCore,
        Component::ForensicVpc,
        Component::OrgLogging,
        Component::RegionalBaseline,
        Component::WorkloadLogging,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Access => "access",
            Self::BreakglassAlerts => "breakglass-alerts",
            Self::ForensicVpc => "forensic-vpc",
            Self::ForensicCore => "forensic-core",
            Self::OrgLogging => "org-logging",
            Self::Alarms => "alarms",
            Self::RegionalBaseline => "regional-baseline",
            Self::WorkloadLogging => "workload-logging",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.name() == name)
    }

    fn template(self) -> &'static str {
        match self {
            Self::Access => include_str!("../../templates/access.yaml.hbs"),
            Self::BreakglassAlerts => include_str!("../../templates/breakglass-alerts.yaml.hbs"),
            Self::ForensicVpc => include_str!("../../templates/forensic-vpc.yaml.hbs"),
            Self::ForensicCore => include_str!("../../templates/forensic-core.yaml.hbs"),
            Self::OrgLogging => include_str!("../../templates/org-logging.yaml.hbs"),
            Self::Alarms => include_str!("../../templates/alarms.yaml.hbs"),
            Self::RegionalBaseline => include_str!("../../templates/regional-baseline.yaml.hbs"),
            Self::WorkloadLogging => include_str!("../../templates/workload-logging.yaml.hbs"),
        }
    }

    /// The stack name of this component in environment `env`.
    pub fn stack_name(self, env: &str) -> String {
        format!("irready-{env}-{}", self.name())
    }
}

impl fmt::Display for Component {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A stack irready wants: where, which component, and its template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenderedStack {
    pub addr: StackAddr,
    pub component: Component,
    pub body: String,
    /// The template's fingerprint (see [`fingerprint`]), also written into the template as
    /// the output `IrreadyTemplateSha256`.
    pub sha256: String,
    pub tags: BTreeMap<String, String>,
    /// Stacks to apply before this one.
    pub depends_on: Vec<StackAddr>,
    /// Values the template holds as placeholders until apply knows them.
    pub deferred: Vec<DeferredValue>,
}

/// What rendering reads beyond the placement's own target: the outputs of irready's
/// stacks anywhere in the organization, by stack.
#[derive(Debug, Default, Clone)]
pub struct Inputs {
    pub outputs: BTreeMap<StackAddr, BTreeMap<String, String>>,
    /// The analysis image id of each forensic target, by image name; `None` where apply
    /// copies the image first.
    pub images: BTreeMap<(Target, String), Option<String>>,
    /// When the environment expires (RFC 3339), for an ephemeral one: the stacks carry it
    /// as the tag `irready:expires` and the output `IrreadyExpires`.
    pub expires: Option<String>,
}

impl Inputs {
    /// The output `name` of `stack` as deployed, or, when the stack does not exist yet
    /// (or lacks the output), a deferred value that apply fills in once it does.
    pub(crate) fn output(
        &self,
        stack: &StackAddr,
        name: &str,
        deferred: &mut Vec<DeferredValue>,
    ) -> String {
        if let Some(value) = self.outputs.get(stack).and_then(|o| o.get(name)) {
            return value.clone();
        }
        let value = DeferredValue::new(ValueSource::StackOutput {
            stack: stack.clone(),
            output: name.to_owned(),
        });
        let placeholder = value.placeholder.clone();
        if !deferred.contains(&value) {
            deferred.push(value);
        }
        placeholder
    }

    /// The id of analysis image `name` in `target`, or a deferred value for the copy
    /// apply makes. `None` when the image was not resolved there.
    pub(crate) fn image(
        &self,
        target: &Target,
        name: &str,
        deferred: &mut Vec<DeferredValue>,
    ) -> Option<String> {
        match self.images.get(&(target.clone(), name.to_owned()))? {
            Some(id) => Some(id.clone()),
            None => {
                let value = DeferredValue::new(ValueSource::CopiedImage {
                    target: target.clone(),
                    image: name.to_owned(),
                });
                let placeholder = value.placeholder.clone();
                deferred.push(value);
                Some(placeholder)
            }
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("rendering {component} for {target}")]
    Template {
        component: Component,
        target: Target,
        #[source]
        source: Box<handlebars::RenderError>,
    },
    #[error("rendering {component} for {target}: the template is not valid YAML: {message}")]
    Invalid {
        component: Component,
        target: Target,
        message: String,
    },
    #[error("rendering {component} for {target}: {message}")]
    Unplaceable {
        component: Component,
        target: Target,
        message: String,
    },
    #[error("rendering {component} for {target}: {missing} was not discovered")]
    MissingFact {
        component: Component,
        target: Target,
        missing: &'static str,
    },
}

/// The components `env` asks for.
pub fn components(env: &Environment) -> Vec<Component> {
    Component::ALL
        .into_iter()
        .filter(|c| match c {
            Component::Access | Component::BreakglassAlerts => env.access.is_some(),
            Component::ForensicCore | Component::ForensicVpc => env.forensic.is_some(),
            Component::RegionalBaseline => baseline_wanted(env),
            Component::OrgLogging => trail_wanted(env),
            Component::Alarms => alarms_wanted(env),
            Component::WorkloadLogging => env.workload_logging.is_some(),
        })
        .collect()
}

fn trail_wanted(env: &Environment) -> bool {
    env.forensic.is_some() && env.logging.as_ref().is_some_and(|l| l.cloudtrail.is_some())
}

fn alarms_wanted(env: &Environment) -> bool {
    trail_wanted(env) && env.logging.as_ref().is_some_and(|l| l.cis_alarms)
}

fn baseline_wanted(env: &Environment) -> bool {
    env.logging.is_some()
        || env
            .access
            .as_ref()
            .is_some_and(|a| a.isolation_security_group)
}

/// One stack irready wants: which component, where, and the stacks that must be applied
/// before it (deleted after it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    pub component: Component,
    pub target: Target,
    pub depends_on: Vec<StackAddr>,
}

/// Where each component goes, sorted by target then component.
pub fn placements(env: &Environment, scope: &Scope) -> Vec<Placement> {
    let mut out = Vec::new();
    let place = |component, target| Placement {
        component,
        target,
        depends_on: Vec::new(),
    };
    if env.access.is_some() {
        for account in &scope.accounts {
            out.push(place(
                Component::Access,
                Target::new(account.clone(), env.home_region.clone()),
            ));
            // Console sign-in and the global STS endpoint's events reach EventBridge in
            // us-east-1, whatever region the environment calls home; AssumeRole through a
            // regional STS endpoint (what SDKs call) reaches it in the caller's region.
            for region in alert_regions(scope) {
                out.push(place(
                    Component::BreakglassAlerts,
                    Target::new(account.clone(), region),
                ));
            }
        }
    }
    let forensic_home = scope
        .forensic_account
        .as_ref()
        .map(|account| Target::new(account.clone(), env.home_region.clone()));
    if let (Some(forensic), Some(home)) = (&env.forensic, &forensic_home) {
        out.push(place(Component::ForensicCore, home.clone()));
        for region in &forensic.analysis_regions {
            out.push(place(
                Component::ForensicVpc,
                Target::new(home.account.clone(), region.clone()),
            ));
        }
    }
    if let (true, Some(home)) = (trail_wanted(env), &forensic_home) {
        let management = Target::new(
            scope.organization.management_account.clone(),
            env.home_region.clone(),
        );
        let trail = StackAddr::new(&management, Component::OrgLogging.stack_name(&env.name));
        out.push(Placement {
            component: Component::OrgLogging,
            target: management.clone(),
            depends_on: vec![StackAddr::new(
                home,
                Component::ForensicCore.stack_name(&env.name),
            )],
        });
        // The metric filters need the trail's log group.
        if alarms_wanted(env) {
            out.push(Placement {
                component: Component::Alarms,
                target: management,
                depends_on: vec![trail],
            });
        }
    }
    if baseline_wanted(env) {
        let core = forensic_home
            .as_ref()
            .filter(|_| env.logging.is_some())
            .map(|home| StackAddr::new(home, Component::ForensicCore.stack_name(&env.name)));
        let records = env.logging.as_ref().is_some_and(|l| l.config.is_some());
        for account in &scope.accounts {
            let home = Target::new(account.clone(), env.home_region.clone());
            for region in &scope.regions {
                let target = Target::new(account.clone(), region.clone());
                let mut depends_on: Vec<StackAddr> = core.iter().cloned().collect();
                // Config's service-linked role is account-wide, made in the home region.
                if records && *region != env.home_region {
                    depends_on.push(StackAddr::new(
                        &home,
                        Component::RegionalBaseline.stack_name(&env.name),
                    ));
                }
                out.push(Placement {
                    component: Component::RegionalBaseline,
                    target,
                    depends_on,
                });
            }
        }
    }
    let destinations = env
        .workload_logging
        .as_ref()
        .filter(|spec| spec.kinds.iter().any(|k| k.has_destination()));
    if let Some(spec) = destinations {
        // Only where the stack holds something: a template without resources is refused.
        for target in crate::discover::workloads::targets(spec, scope) {
            if spec
                .kinds
                .iter()
                .any(|k| k.has_destination_in(&target.region, &env.home_region))
            {
                out.push(place(Component::WorkloadLogging, target));
            }
        }
    }
    out.sort_by(|a, b| (&a.target, a.component).cmp(&(&b.target, b.component)));
    out
}

/// Where the breakglass alerts go: every region of the environment, and us-east-1.
fn alert_regions(scope: &Scope) -> BTreeSet<Region> {
    scope
        .regions
        .iter()
        .cloned()
        .chain([Region::us_east_1()])
        .collect()
}

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
            | Component::BreakglassAlerts
            | Component::ForensicCore
            | Component::ForensicVpc
            | Component::OrgLogging
            | Component::RegionalBaseline
            | Component::WorkloadLogging => true,
        }
    }
}

pub struct Renderer {
    registry: Handlebars<'static>,
}

handlebars_helper!(json: |value: Json| serde_json::to_string(value).expect("JSON values serialize"));

impl Default for Renderer {
    fn default() -> Self {
        Self::new()
    }
}

impl Renderer {
    pub fn new() -> Self {
        let mut registry = Handlebars::new();
        registry.set_strict_mode(true);
        // The output is YAML, not HTML: values go through the `json` helper instead.
        registry.register_escape_fn(handlebars::no_escape);
        registry.register_helper("json", Box::new(json));
        registry
            .register_partial("fingerprint", FINGERPRINT_OUTPUT)
            .expect("the fingerprint partial parses");
        for component in Component::ALL {
            registry
                .register_template_string(component.name(), component.template())
                .expect("templates compiled into the binary parse");
        }
        Self { registry }
    }

    /// Renders a placement, with the facts discovery read in its target and what existing
    /// resources cover there.
    pub fn render(
        &self,
        env: &Environment,
        scope: &Scope,
        placement: &Placement,
        facts: &TargetState,
        inputs: &Inputs,
        covered: &Covered,
    ) -> Result<RenderedStack, RenderError> {
        let (component, target) = (placement.component, &placement.target);
        let mut deferred = Vec::new();
        let data = context::build(env, scope, placement, facts, inputs, &mut deferred, covered)?;
        let body = self
            .registry
            .render(component.name(), &data)
            .map_err(|source| RenderError::Template {
                component,
                target: target.clone(),
                source: Box::new(source),
            })?;
        let body = tidy(&body);
        let sha256 = fingerprint(&body).map_err(|message| RenderError::Invalid {
            component,
            target: target.clone(),
            message,
        })?;
        let body = body.replace(FINGERPRINT_PLACEHOLDER, &sha256);
        let mut tags = BTreeMap::from([
            (TAG_MANAGED.to_owned(), "true".to_owned()),
            (TAG_ENVIRONMENT.to_owned(), env.name.clone()),
            (TAG_COMPONENT.to_owned(), component.name().to_owned()),
        ]);
        if let Some(expires) = &inputs.expires {
            tags.insert(TAG_EXPIRES.to_owned(), expires.clone());
        }
        Ok(RenderedStack {
            addr: StackAddr::new(target, component.stack_name(&env.name)),
            component,
            body,
            sha256,
            tags,
            depends_on: placement.depends_on.clone(),
            deferred,
        })
    }
}

/// The output every template ends with. DescribeStacks returns outputs, so the planner
/// learns what a stack was deployed from without downloading its template; an output
/// changes no resource, unlike a stack tag, which CloudFormation propagates to them all.
pub const FINGERPRINT_OUTPUT_KEY: &str = "IrreadyTemplateSha256";
// The expiry is an output as well as a tag: tags alone do not change a template's
// fingerprint, so a new expiry would never reach stacks already deployed.
const FINGERPRINT_OUTPUT: &str = "{{#if expires}}\n  IrreadyExpires:\n    Description: \"When this ephemeral environment expires (irready destroy --expired)\"\n    Value: {{json expires}}\n{{/if}}\n  IrreadyTemplateSha256:\n    Description: \"Fingerprint of this template, read by irready to skip unchanged stacks\"\n    Value: \"{{template_sha256}}\"\n";
const FINGERPRINT_PLACEHOLDER: &str =
    "0000000000000000000000000000000000000000000000000000000000000000";

/// SHA-256 of the template's meaning: its parsed value with keys sorted and without the
/// fingerprint output, so comments and formatting do not count.
pub fn fingerprint(body: &str) -> Result<String, String> {
    let mut value: serde_json::Value = serde_yaml::from_str(body).map_err(|e| e.to_string())?;
    if let Some(outputs) = value.get_mut("Outputs").and_then(|o| o.as_object_mut()) {
        outputs.remove(FINGERPRINT_OUTPUT_KEY);
    }
    let canonical = serde_json::to_string(&sorted(value)).expect("values serialize");
    Ok(hex::encode(Sha256::digest(canonical.as_bytes())))
}

fn sorted(value: serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(map) => {
            let ordered: BTreeMap<String, serde_json::Value> =
                map.into_iter().map(|(k, v)| (k, sorted(v))).collect();
            serde_json::Value::Object(ordered.into_iter().collect())
        }
        serde_json::Value::Array(items) => {
            serde_json::Value::Array(items.into_iter().map(sorted).collect())
        }
        other => other,
    }
}

/// Removes trailing spaces and runs of blank lines that block helpers leave behind, so
/// the output reads like hand-written YAML.
fn tidy(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut blank = false;
    for line in body.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            if !blank && !out.is_empty() {
                out.push('\n');
            }
            blank = true;
        } else {
            out.push_str(line);
            out.push('\n');
            blank = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_covered_a_target_is_recorded_and_read_back_unchanged() {
        let covered = Covered {
            trail: None,
            detector: true,
            recorder: false,
            flow_logs: BTreeSet::from(["vpc-1".to_owned(), "vpc-2".to_owned()]),
            query_logs: BTreeSet::from(["vpc-2".to_owned()]),
        };
        let record = covered.baseline_record();
        assert_eq!(
            record,
            "detector flow-log:vpc-1 flow-log:vpc-2 query-log:vpc-2"
        );
        assert_eq!(Covered::from_baseline_record(&record), covered);
        assert_eq!(Covered::default().baseline_record(), "none");
        assert_eq!(Covered::from_baseline_record("none"), Covered::default());

        for trail in [
            None,
            Some(CoveringTrail {
                arn: "arn:aws:cloudtrail:us-east-1:111111111111:trail/t".into(),
                log_group: None,
                missing_data_events: Vec::new(),
            }),
            Some(CoveringTrail {
                arn: "arn:aws:cloudtrail:us-east-1:111111111111:trail/t".into(),
                log_group: Some("/aws/cloudtrail/t".into()),
                missing_data_events: Vec::new(),
            }),
            Some(CoveringTrail {
                arn: "arn:aws:cloudtrail:us-east-1:111111111111:trail/t".into(),
                log_group: Some("/aws/cloudtrail/t".into()),
                missing_data_events: vec![
                    crate::config::DataEvents::S3,
                    crate::config::DataEvents::Lambda,
                ],
            }),
            Some(CoveringTrail {
                arn: "arn:aws:cloudtrail:us-east-1:111111111111:trail/t".into(),
                log_group: None,
                missing_data_events: vec![crate::config::DataEvents::Lambda],
            }),
        ] {
            let record = CoveringTrail::record(trail.as_ref());
            assert_eq!(CoveringTrail::from_record(&record), trail, "{record}");
        }
    }
}

#[cfg(test)]
mod render_tests {
    use std::path::Path;

    use super::*;
    use crate::discover::scope;

    const ENV: &str = "name: t\nhome_region: us-east-1\nregions: [us-east-1, eu-west-1]\n\
                       organization:\n  targets:\n    all: true\n\
                       forensic:\n  account: forensics\n\
                       access:\n  security_principals: [security]\n\
                       logging:\n  cloudtrail: { organization: true, data_events: [s3] }\n";

    fn empty_state() -> TargetState {
        TargetState {
            stacks: BTreeMap::new(),
            exercises: BTreeMap::new(),
            s3_prefix_list: Some("pl-1234".to_owned()),
            availability_zones: Some(3),
            vpcs: Vec::new(),
            config_role_exists: Some(false),
            existing: Default::default(),
            listed: Default::default(),
            own_resources: BTreeMap::new(),
            breakglass: None,
            policies: BTreeMap::new(),
            recorded: Default::default(),
            workloads: Vec::new(),
            images: BTreeMap::new(),
        }
    }

    /// Renders `component` where the environment places it first, with `extra` member
    /// accounts added to the organization's targets; returns the parsed template.
    fn rendered(yaml: &str, component: Component, extra: usize) -> serde_json::Value {
        let env = crate::config::parse(Path::new("env.yaml"), yaml).expect("valid file");
        let mut scope = scope::resolve(&env, scope::tests::org(), None).expect("resolves");
        for i in 0..extra {
            scope.accounts.push(
                format!("{:012}", 500_000_000_000u64 + i as u64)
                    .parse()
                    .unwrap(),
            );
        }
        let placement = placements(&env, &scope)
            .into_iter()
            .find(|p| p.component == component)
            .expect("placed");
        let stack = Renderer::new()
            .render(
                &env,
                &scope,
                &placement,
                &empty_state(),
                &Inputs::default(),
                &Covered::default(),
            )
            .expect("renders");
        serde_yaml::from_str(&stack.body).expect("YAML")
    }

    fn statement<'a>(policy: &'a serde_json::Value, sid: &str) -> &'a serde_json::Value {
        policy["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["Sid"] == sid)
            .unwrap_or_else(|| panic!("no statement {sid} in {policy}"))
    }

    #[test]
    fn the_evidence_key_policy_names_the_organization_not_its_accounts() {
        let small = rendered(ENV, Component::ForensicCore, 0);
        let large = rendered(ENV, Component::ForensicCore, 2_000);
        let policy = |t: &serde_json::Value| {
            t["Resources"]["EvidenceKey"]["Properties"]["KeyPolicy"].clone()
        };
        // The same policy for 5 accounts and 2,005: it cannot outgrow KMS's 32 KB limit.
        assert_eq!(policy(&small), policy(&large));
        let shares = statement(&policy(&large), "MemberAccountsShareEncryptedSnapshots").clone();
        assert_eq!(
            shares["Condition"]["StringEquals"]["aws:PrincipalOrgID"],
            "o-test"
        );
        let grant = statement(&policy(&large), "MemberAccountsGrantToEbs").clone();
        assert_eq!(
            grant["Condition"]["StringEquals"]["aws:PrincipalOrgID"],
            "o-test"
        );
        assert_eq!(
            grant["Condition"]["Bool"]["kms:GrantIsForAWSResource"],
            "true"
        );
        // No policy of the template grows with the organization.
        let text = serde_json::to_string(&large).unwrap();
        assert!(!text.contains("500000000001"), "an account is listed");
        assert!(text.len() < 32 * 1024);
    }

    #[test]
    fn cloudtrail_may_describe_the_archive_key_without_an_encryption_context() {
        let core = rendered(ENV, Component::ForensicCore, 0);
        let policy = &core["Resources"]["LogArchiveKey"]["Properties"]["KeyPolicy"];
        let describe = statement(policy, "CloudTrailDescribesTheKey");
        assert_eq!(describe["Action"], "kms:DescribeKey");
        assert!(describe.get("Condition").is_none(), "{describe}");
        let encrypt = statement(policy, "CloudTrailEncryptsTrailLogs");
        assert!(encrypt["Condition"]["StringLike"]
            .get("kms:EncryptionContext:aws:cloudtrail:arn")
            .is_some());
        // Multipart uploads of large log objects need Decrypt as well.
        let deliver = statement(policy, "LogDeliveryServicesEncrypt");
        let actions: Vec<&str> = deliver["Action"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        assert!(actions.contains(&"kms:Decrypt"), "{actions:?}");
    }

    #[test]
    fn config_delivers_into_a_bucket_without_object_lock() {
        let yaml = format!("{ENV}  config: {{}}\n");
        let core = rendered(&yaml, Component::ForensicCore, 0);
        let config = &core["Resources"]["ConfigBucket"]["Properties"];
        assert!(config.get("ObjectLockEnabled").is_none(), "{config}");
        assert_eq!(config["VersioningConfiguration"]["Status"], "Enabled");
        let archive = &core["Resources"]["LogArchiveBucket"]["Properties"];
        assert_eq!(archive["ObjectLockEnabled"], true);
        // Config's own bucket policy lets Config write with the canned ACL it sets.
        let policy = &core["Resources"]["ConfigBucketPolicy"]["Properties"]["PolicyDocument"];
        let delivers = statement(policy, "ConfigDelivers");
        assert_eq!(
            delivers["Condition"]["StringEquals"]["s3:x-amz-acl"],
            "bucket-owner-full-control"
        );
        let baseline = rendered(&yaml, Component::RegionalBaseline, 0);
        let channel = &baseline["Resources"]["ConfigDeliveryChannel"]["Properties"];
        assert!(channel["S3BucketName"]
            .as_str()
            .unwrap()
            .starts_with("irready-t-config-"));
    }

    #[test]
    fn guardduty_exports_into_the_archive_without_a_prefix() {
        let yaml = format!("{ENV}  guardduty: {{ features: [s3] }}\n");
        let baseline = rendered(&yaml, Component::RegionalBaseline, 0);
        let export = &baseline["Resources"]["FindingsExport"]["Properties"];
        let arn = export["DestinationProperties"]["DestinationArn"]
            .as_str()
            .unwrap();
        assert!(arn.starts_with("arn:aws:s3:::irready-t-logs-"), "{arn}");
        assert!(
            !arn.trim_start_matches("arn:aws:s3:::").contains('/'),
            "{arn}"
        );
    }

    #[test]
    fn the_assume_role_rule_receives_read_only_management_events_in_every_region() {
        let env = crate::config::parse(Path::new("env.yaml"), ENV).unwrap();
        let scope = scope::resolve(&env, scope::tests::org(), None).unwrap();
        let regions: BTreeSet<String> = placements(&env, &scope)
            .iter()
            .filter(|p| p.component == Component::BreakglassAlerts)
            .map(|p| p.target.region.to_string())
            .collect();
        assert_eq!(
            regions,
            BTreeSet::from(["eu-west-1".into(), "us-east-1".into()])
        );
        let alerts = rendered(ENV, Component::BreakglassAlerts, 0);
        assert_eq!(
            alerts["Resources"]["AssumeRoleRule"]["Properties"]["State"],
            "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
        );
    }

    #[test]
    fn s3_data_events_leave_out_irreadys_own_log_buckets() {
        let trail = rendered(ENV, Component::OrgLogging, 0);
        let selectors = trail["Resources"]["Trail"]["Properties"]["AdvancedEventSelectors"]
            .as_array()
            .unwrap()
            .clone();
        let s3 = selectors
            .iter()
            .find(|s| s["FieldSelectors"].to_string().contains("AWS::S3::Object"))
            .expect("S3 data events");
        let excluded = s3["FieldSelectors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["Field"] == "resources.ARN")
            .expect("an exclusion")["NotStartsWith"]
            .to_string();
        assert!(excluded.contains("irready-t-logs-"), "{excluded}");
        assert!(excluded.contains("irready-t-config-"), "{excluded}");
    }

    #[test]
    fn a_forensic_vpc_cannot_ask_for_more_zones_than_its_region_has() {
        let yaml = ENV.replace(
            "forensic:\n  account: forensics\n",
            "forensic:\n  account: forensics\n  vpc: { azs: 3 }\n",
        );
        let env = crate::config::parse(Path::new("env.yaml"), &yaml).expect("valid file");
        let scope = scope::resolve(&env, scope::tests::org(), None).expect("resolves");
        let placement = placements(&env, &scope)
            .into_iter()
            .find(|p| p.component == Component::ForensicVpc)
            .expect("placed");
        let render = |zones| {
            let state = TargetState {
                availability_zones: Some(zones),
                ..empty_state()
            };
            Renderer::new().render(
                &env,
                &scope,
                &placement,
                &state,
                &Inputs::default(),
                &Covered::default(),
            )
        };
        assert!(render(3).is_ok());
        let err = render(2).expect_err("two zones cannot hold three subnets");
        assert!(matches!(err, RenderError::Unplaceable { .. }));
        assert!(
            err.to_string().contains("forensic.vpc.azs asks for 3 subnets, one per availability zone, and us-east-1 has 2"),
            "{err}"
        );
    }

    #[test]
    fn guardduty_in_an_opt_in_region_may_write_into_the_archive_as_its_regional_principal() {
        let yaml = ENV.replace("[us-east-1, eu-west-1]", "[us-east-1, eu-south-1]")
            + "  guardduty: { features: [s3] }\n";
        let core = rendered(&yaml, Component::ForensicCore, 0);
        let policy = &core["Resources"]["LogArchiveBucketPolicy"]["Properties"]["PolicyDocument"];
        let principals =
            statement(policy, "LogDeliveryServicesDeliver")["Principal"]["Service"].clone();
        assert_eq!(
            principals,
            serde_json::json!([
                "delivery.logs.amazonaws.com",
                "guardduty.amazonaws.com",
                "guardduty.eu-south-1.amazonaws.com"
            ])
        );
        let key = &core["Resources"]["LogArchiveKey"]["Properties"]["KeyPolicy"];
        let users =
            statement(key, "LogDeliveryServicesEncrypt")["Principal"]["Service"].to_string();
        assert!(
            users.contains("guardduty.eu-south-1.amazonaws.com"),
            "{users}"
        );
    }

    #[test]
    fn redshift_writes_audit_logs_as_its_regional_principal_in_an_opt_in_region() {
        let yaml = ENV.replace("[us-east-1, eu-west-1]", "[us-east-1, eu-south-1]")
            + "workload_logging:\n  kinds: [redshift]\n";
        let stack = rendered(&yaml, Component::WorkloadLogging, 0);
        let policy =
            &stack["Resources"]["RedshiftAuditLogBucketPolicy"]["Properties"]["PolicyDocument"];
        let write = statement(policy, "RedshiftAuditLogsWrite");
        assert_eq!(
            write["Principal"]["Service"],
            "redshift.eu-south-1.amazonaws.com"
        );
    }

    /// Every template of the shipped demo environment, rendered for the test organization
    /// with one VPC per target, is what its snapshot under `src/render/snapshots/` says: a
    /// change to a template or its values shows as a reviewable diff (`cargo insta review`).
    #[test]
    fn the_demo_environments_templates_match_their_snapshots() {
        let text = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("environments/demo.yaml"),
        )
        .unwrap();
        let env = crate::config::parse(Path::new("environments/demo.yaml"), &text).unwrap();
        let scope = scope::resolve(&env, scope::tests::org(), None).expect("resolves");
        let state = TargetState {
            vpcs: vec![crate::aws::ec2::VpcFact {
                id: "vpc-0a1b2c3d".to_owned(),
                cidr: "172.31.0.0/16".to_owned(),
                is_default: true,
                tags: BTreeMap::new(),
            }],
            ..empty_state()
        };
        let mut seen = BTreeSet::new();
        for placement in placements(&env, &scope) {
            // One snapshot per component: the first target it goes to.
            if !seen.insert(placement.component) {
                continue;
            }
            let stack = Renderer::new()
                .render(&env, &scope, &placement, &state, &Inputs::default(), &Covered::default())
                .expect("renders");
            insta::assert_snapshot!(
                format!("demo-{}", placement.component),
                stack.body,
                &format!("{}", placement.target)
            );
        }
        assert_eq!(seen.len(), components(&env).len());
    }

    #[test]
    fn a_workload_stack_is_placed_only_where_it_holds_a_destination() {
        let yaml = format!("{ENV}workload_logging:\n  kinds: [cloudfront, eks]\n");
        let env = crate::config::parse(Path::new("env.yaml"), &yaml).unwrap();
        let scope = scope::resolve(&env, scope::tests::org(), None).unwrap();
        let regions: BTreeSet<String> = placements(&env, &scope)
            .iter()
            .filter(|p| p.component == Component::WorkloadLogging)
            .map(|p| p.target.region.to_string())
            .collect();
        assert_eq!(regions, BTreeSet::from(["us-east-1".into()]));
    }
}
