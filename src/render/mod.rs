//! Rendering: one CloudFormation template per stack, from the Handlebars templates in
//! `templates/` (compiled into the binary) and values computed here.
//!
//! Pure and deterministic: the same environment, scope and facts give byte-identical
//! templates. Strict mode makes a missing value an error instead of an empty string.

mod analysis_context;
mod cis;
mod context;
mod workload_context;

pub use context::{
    CONFIG_ROLE_OUTPUT, COVERED_OUTPUT, NO_VPCS, S3_PREFIX_LIST_OUTPUT, TRAIL_OUTPUT, VPCS_OUTPUT,
};

use std::collections::BTreeMap;

use handlebars::{handlebars_helper, Handlebars};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::addr::{StackAddr, Target};
use crate::config::Environment;
use crate::discover::{
    Scope, TargetState, TAG_COMPONENT, TAG_ENVIRONMENT, TAG_EXPIRES, TAG_MANAGED,
};
use crate::model::deferred::{DeferredValue, ValueSource};
pub use context::{cis_alarm_names, covered_vpcs, covered_vpcs_of, ForensicNames};

pub use crate::model::component::{components, placements, Component, Placement};
pub use crate::model::covered::{Covered, CoveringTrail};

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
    #[error(
        "rendering {component} for {target}: the template is {size} bytes, over \
         CloudFormation's limit of {TEMPLATE_BODY_LIMIT} bytes for a template body"
    )]
    TooLarge {
        component: Component,
        target: Target,
        size: usize,
    },
    #[error("rendering {component} for {target}: {missing} was not discovered")]
    MissingFact {
        component: Component,
        target: Target,
        missing: &'static str,
    },
}

/// The largest template CloudFormation accepts in the request (`TemplateBody`), in bytes
/// (CloudFormation user guide, "Understand CloudFormation quotas":
/// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html).
/// irready passes every template in the request, so a larger one is refused at render time
/// rather than by CreateChangeSet.
pub const TEMPLATE_BODY_LIMIT: usize = 51_200;

/// Refuses a template CloudFormation would refuse for its size.
fn within_limit(component: Component, target: &Target, body: &str) -> Result<(), RenderError> {
    if body.len() > TEMPLATE_BODY_LIMIT {
        return Err(RenderError::TooLarge {
            component,
            target: target.clone(),
            size: body.len(),
        });
    }
    Ok(())
}

/// The Handlebars template of `component`, compiled into the binary.
fn template(component: Component) -> &'static str {
    match component {
        Component::Access => include_str!("../../templates/access.yaml.hbs"),
        Component::Analysis => include_str!("../../templates/analysis.yaml.hbs"),
        Component::BreakglassAlerts => include_str!("../../templates/breakglass-alerts.yaml.hbs"),
        Component::ForensicVpc => include_str!("../../templates/forensic-vpc.yaml.hbs"),
        Component::ForensicCore => include_str!("../../templates/forensic-core.yaml.hbs"),
        Component::OrgLogging => include_str!("../../templates/org-logging.yaml.hbs"),
        Component::Alarms => include_str!("../../templates/alarms.yaml.hbs"),
        Component::RegionalBaseline => include_str!("../../templates/regional-baseline.yaml.hbs"),
        Component::WorkloadLogging => include_str!("../../templates/workload-logging.yaml.hbs"),
        Component::InstanceRunbooks | Component::IdentityRunbooks => {
            include_str!("../../templates/runbooks.yaml.hbs")
        }
        Component::EvidenceKeys => include_str!("../../templates/evidence-keys.yaml.hbs"),
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
                .register_template_string(component.name(), template(component))
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
        within_limit(component, target, &body)?;
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
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn a_template_over_cloudformations_limit_is_refused_at_render_time() {
        let target = Target::new(
            "111111111111".parse().unwrap(),
            crate::addr::Region::us_east_1(),
        );
        let at_limit = "x".repeat(TEMPLATE_BODY_LIMIT);
        assert!(within_limit(Component::InstanceRunbooks, &target, &at_limit).is_ok());
        let over = "x".repeat(TEMPLATE_BODY_LIMIT + 1);
        let err = within_limit(Component::InstanceRunbooks, &target, &over).unwrap_err();
        assert!(
            err.to_string()
                .contains("51201 bytes, over CloudFormation's limit of 51200"),
            "{err}"
        );
    }

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
    use std::collections::BTreeSet;
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
            documents: BTreeMap::new(),
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
                .render(
                    &env,
                    &scope,
                    &placement,
                    &state,
                    &Inputs::default(),
                    &Covered::default(),
                )
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
