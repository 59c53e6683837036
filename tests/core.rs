//! End to end: environment file → discover → render → plan → apply, against the emulated
//! organization, with results read back through IAM and EC2.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{changing, filter, write_env, Emulator, MANAGEMENT};
use serde_json::Value;

const DEMO: &str = "environments/demo.yaml";

async fn assert_access_roles(emu: &Emulator, account: &str, security: &str, session: i32) {
    let iam = emu.iam(account).await;
    let role = iam
        .get_role()
        .role_name("irready-breakglass")
        .send()
        .await
        .unwrap_or_else(|e| panic!("breakglass role in {account}: {e:?}"))
        .role
        .unwrap();
    assert_eq!(role.max_session_duration(), Some(session), "{account}");
    let trust: Value = serde_json::from_str(
        &urlencoding::decode(role.assume_role_policy_document().unwrap()).unwrap(),
    )
    .unwrap();
    let statement = &trust["Statement"][0];
    assert_eq!(
        statement["Condition"]["Bool"]["aws:MultiFactorAuthPresent"], "true",
        "MFA required in {account}: {trust}"
    );
    let principals = &statement["Principal"]["AWS"];
    let principals: Vec<&str> = match principals {
        Value::String(one) => vec![one.as_str()],
        Value::Array(many) => many.iter().map(|p| p.as_str().unwrap()).collect(),
        other => panic!("unexpected principal {other}"),
    };
    assert_eq!(principals, [format!("arn:aws:iam::{security}:root")]);

    let attached = iam
        .list_attached_role_policies()
        .role_name("irready-investigator")
        .send()
        .await
        .unwrap();
    // In the forensic account the analysis stack adds the querying policy (tests/analysis.rs).
    let names: BTreeSet<&str> = attached
        .attached_policies()
        .iter()
        .filter_map(|p| p.policy_name())
        .filter(|name| !name.starts_with("irready-demo-analysis-InvestigatorQueryPolicy-"))
        .collect();
    assert_eq!(
        names,
        BTreeSet::from(["ReadOnlyAccess", "SecurityAudit"]),
        "{account}"
    );
    let responder = iam.get_role().role_name("irready-responder").send().await;
    assert!(responder.is_ok(), "responder role in {account}");
    let inline = iam
        .get_role_policy()
        .role_name("irready-responder")
        .policy_name("containment")
        .send()
        .await
        .expect("responder containment policy");
    let document = urlencoding::decode(inline.policy_document())
        .unwrap()
        .into_owned();
    // The responder runs irready's runbooks and changes nothing itself: the automation
    // role, trusted by Systems Manager only, holds the containment permissions.
    assert!(
        document.contains("ssm:StartAutomationExecution"),
        "{document}"
    );
    assert!(
        document.contains(&format!("arn:aws:ssm:*:{account}:document/irready-demo-*")),
        "{document}"
    );
    for mutating in [
        "ec2:CreateSnapshot",
        "iam:UpdateAccessKey",
        "ec2:ModifyInstanceAttribute",
    ] {
        assert!(!document.contains(mutating), "{mutating} in {document}");
    }
    let automation = iam
        .get_role()
        .role_name("irready-automation-demo")
        .send()
        .await
        .unwrap_or_else(|e| panic!("automation role in {account}: {e:?}"))
        .role
        .unwrap();
    let trust: Value = serde_json::from_str(
        &urlencoding::decode(automation.assume_role_policy_document().unwrap()).unwrap(),
    )
    .unwrap();
    assert_eq!(
        trust["Statement"][0]["Principal"],
        serde_json::json!({ "Service": "ssm.amazonaws.com" }),
        "{trust}"
    );
    assert_eq!(
        trust["Statement"][0]["Condition"]["StringEquals"]["aws:SourceAccount"], account,
        "{trust}"
    );
    let policy = iam
        .get_role_policy()
        .role_name("irready-automation-demo")
        .policy_name("containment")
        .send()
        .await
        .expect("automation role's containment policy");
    let policy = urlencoding::decode(policy.policy_document())
        .unwrap()
        .into_owned();
    for needed in [
        "ec2:CreateSnapshot",
        "iam:UpdateAccessKey",
        "ec2:ModifyInstanceAttribute",
    ] {
        assert!(policy.contains(needed), "{needed} in {policy}");
    }
    let profile = iam
        .get_instance_profile()
        .instance_profile_name("irready-isolation-demo")
        .send()
        .await
        .unwrap_or_else(|e| panic!("isolation profile in {account}: {e:?}"));
    let roles = profile.instance_profile().unwrap().roles();
    assert_eq!(roles.len(), 1);
    let attached = iam
        .list_attached_role_policies()
        .role_name(roles[0].role_name())
        .send()
        .await
        .unwrap();
    let attached: Vec<&str> = attached
        .attached_policies()
        .iter()
        .filter_map(|p| p.policy_name())
        .collect();
    assert_eq!(attached, ["irready-deny-all"], "{account}");
}

/// The analysis images of the demo in one analysis region: each pinned in its SSM
/// parameter and launched by its launch template (private subnet, no public address,
/// IMDSv2, the analysis instance profile). `sift` exists only in us-east-1: elsewhere
/// the parameter names irready's copy of it. Returns the image ids by name.
async fn assert_analysis_images(
    emu: &Emulator,
    account: &str,
    region: &str,
) -> BTreeMap<String, String> {
    let ssm = emu
        .regional(account, region, aws_sdk_ssm::Client::new)
        .await;
    let ec2 = emu.ec2(account, region).await;
    let mut ids = BTreeMap::new();
    for name in ["al2023", "sift"] {
        let parameter = match ssm
            .get_parameter()
            .name(format!("/irready/demo/analysis-images/{name}"))
            .send()
            .await
        {
            Ok(parameter) => parameter,
            Err(e) => {
                // What the stack holds says whether the parameter was never made or lost.
                let resources = emu
                    .cloudformation(account, region)
                    .await
                    .describe_stack_resources()
                    .stack_name("irready-demo-forensic-vpc")
                    .send()
                    .await;
                panic!("parameter for {name} in {region}: {e:?}\nstack resources: {resources:?}")
            }
        };
        let parameter = parameter.parameter().unwrap();
        assert_eq!(parameter.data_type(), Some("aws:ec2:image"));
        let image_id = parameter.value().unwrap().to_owned();
        let images = ec2
            .describe_images()
            .image_ids(&image_id)
            .send()
            .await
            .unwrap();
        let image = &images.images()[0];
        assert_eq!(image.state().map(|s| s.as_str()), Some("available"));
        let tags: BTreeMap<&str, &str> = image
            .tags()
            .iter()
            .filter_map(|t| Some((t.key()?, t.value()?)))
            .collect();
        if name == "sift" && region != "us-east-1" {
            assert_eq!(
                image.owner_id(),
                Some(account),
                "sift is a copy in {region}"
            );
            assert_eq!(tags.get("irready:image"), Some(&"sift"));
            assert_eq!(
                tags.get("irready:source-image"),
                Some(&"ami-0dedce513c4e91330"),
                "copied from the us-east-1 image"
            );
        } else {
            assert_ne!(
                image.owner_id(),
                Some(account),
                "{name} in {region} is the public image"
            );
            assert!(
                tags.is_empty(),
                "{name} in {region} is not irready's: {tags:?}"
            );
        }

        let templates = ec2
            .describe_launch_templates()
            .launch_template_names(format!("irready-demo-{name}"))
            .send()
            .await
            .unwrap();
        let versions = ec2
            .describe_launch_template_versions()
            .launch_template_id(
                templates.launch_templates()[0]
                    .launch_template_id()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
        let data = versions.launch_template_versions()[0]
            .launch_template_data()
            .unwrap();
        assert_eq!(data.image_id(), Some(image_id.as_str()));
        let metadata = data.metadata_options().unwrap();
        assert_eq!(metadata.http_tokens().map(|t| t.as_str()), Some("required"));
        let interface = &data.network_interfaces()[0];
        assert_eq!(interface.associate_public_ip_address(), Some(false));
        let subnet = interface.subnet_id().unwrap();
        let subnets = ec2
            .describe_subnets()
            .subnet_ids(subnet)
            .send()
            .await
            .unwrap();
        assert!(
            subnets.subnets()[0]
                .cidr_block()
                .unwrap()
                .starts_with("10.250."),
            "launches into the forensic VPC"
        );
        let profile = data.iam_instance_profile().unwrap().arn().unwrap();
        let profile_name = profile.rsplit('/').next().unwrap();
        let iam = emu.iam(account).await;
        let profile = iam
            .get_instance_profile()
            .instance_profile_name(profile_name)
            .send()
            .await
            .unwrap();
        let role = profile.instance_profile().unwrap().roles()[0].role_name();
        let attached = iam
            .list_attached_role_policies()
            .role_name(role)
            .send()
            .await
            .unwrap();
        assert!(
            attached
                .attached_policies()
                .iter()
                .any(|p| p.policy_name() == Some("AmazonSSMManagedInstanceCore")),
            "analysis instances are reached through Session Manager"
        );
        ids.insert(name.to_owned(), image_id);
    }
    ids
}

async fn assert_forensic_vpc(emu: &Emulator, account: &str, region: &str) {
    let ec2 = emu.ec2(account, region).await;
    let vpcs = ec2
        .describe_vpcs()
        .filters(filter("cidr", "10.250.0.0/16"))
        .send()
        .await
        .unwrap();
    assert_eq!(vpcs.vpcs().len(), 1, "one forensic VPC in {region}");
    let vpc_id = vpcs.vpcs()[0].vpc_id().unwrap().to_owned();
    let by_vpc = |name: &str| filter(name, &vpc_id);

    let gateways = ec2
        .describe_internet_gateways()
        .filters(by_vpc("attachment.vpc-id"))
        .send()
        .await
        .unwrap();
    assert!(
        gateways.internet_gateways().is_empty(),
        "no internet gateway in {region}"
    );
    let nats = ec2
        .describe_nat_gateways()
        .filter(by_vpc("vpc-id"))
        .send()
        .await
        .unwrap();
    assert!(nats.nat_gateways().is_empty(), "no NAT gateway in {region}");

    let subnets = ec2
        .describe_subnets()
        .filters(by_vpc("vpc-id"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        subnets.subnets().len(),
        2,
        "two private subnets in {region}"
    );
    for subnet in subnets.subnets() {
        assert_eq!(subnet.map_public_ip_on_launch(), Some(false));
    }

    let endpoints = ec2
        .describe_vpc_endpoints()
        .filters(by_vpc("vpc-id"))
        .send()
        .await
        .unwrap();
    let services: BTreeSet<String> = endpoints
        .vpc_endpoints()
        .iter()
        .map(|e| {
            e.service_name()
                .unwrap()
                .rsplit('.')
                .next()
                .unwrap()
                .to_owned()
        })
        .collect();
    let expected: BTreeSet<String> = [
        "ec2",
        "ec2messages",
        "kms",
        "logs",
        "s3",
        "ssm",
        "ssmmessages",
        "sts",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(services, expected, "endpoints in {region}");

    let flow_logs = ec2
        .describe_flow_logs()
        .filter(filter("resource-id", &vpc_id))
        .send()
        .await
        .unwrap();
    assert_eq!(flow_logs.flow_logs().len(), 1, "flow log in {region}");
    let flow_log = &flow_logs.flow_logs()[0];
    assert_eq!(flow_log.traffic_type().map(|t| t.as_str()), Some("ALL"));
    assert_eq!(flow_log.max_aggregation_interval(), Some(60));
}

async fn assert_forensic_core(
    emu: &Emulator,
    forensics: &str,
    accounts: &std::collections::BTreeMap<String, String>,
) {
    let cfg = emu.account_config(forensics).await;
    let s3 = emu.s3(forensics, "us-east-1").await;
    let kms = aws_sdk_kms::Client::new(&cfg);
    for kind in ["evidence", "logs", "config"] {
        let bucket = format!("irready-demo-{kind}-{forensics}-us-east-1");
        let versioning = s3
            .get_bucket_versioning()
            .bucket(&bucket)
            .send()
            .await
            .unwrap();
        assert_eq!(
            versioning.status().map(|s| s.as_str()),
            Some("Enabled"),
            "{bucket}"
        );
        let lock = s3
            .get_object_lock_configuration()
            .bucket(&bucket)
            .send()
            .await;
        if kind == "config" {
            // AWS Config cannot deliver into a bucket with Object Lock.
            assert!(lock.is_err(), "{bucket} has no Object Lock: {lock:?}");
        } else {
            let lock = lock.unwrap();
            let lock = lock.object_lock_configuration().unwrap();
            let retention = lock.rule().unwrap().default_retention().unwrap();
            assert_eq!(
                retention.mode().map(|m| m.as_str()),
                Some("GOVERNANCE"),
                "{bucket}"
            );
            assert_eq!(retention.days(), Some(365), "{bucket}");
        }
        let encryption = s3
            .get_bucket_encryption()
            .bucket(&bucket)
            .send()
            .await
            .unwrap();
        let rule = &encryption
            .server_side_encryption_configuration()
            .unwrap()
            .rules()[0];
        let default = rule.apply_server_side_encryption_by_default().unwrap();
        assert_eq!(default.sse_algorithm().as_str(), "aws:kms", "{bucket}");
        let key = default.kms_master_key_id().expect("a customer key");
        let rotation = kms
            .get_key_rotation_status()
            .key_id(key)
            .send()
            .await
            .unwrap();
        assert!(rotation.key_rotation_enabled(), "rotation of {key}");
        let block = s3
            .get_public_access_block()
            .bucket(&bucket)
            .send()
            .await
            .unwrap();
        let block = block.public_access_block_configuration().unwrap();
        assert_eq!(
            (
                block.block_public_acls(),
                block.block_public_policy(),
                block.ignore_public_acls(),
                block.restrict_public_buckets()
            ),
            (Some(true), Some(true), Some(true), Some(true)),
            "{bucket}"
        );
        // Who read or wrote the evidence and the logs is recorded: server access logs
        // into the access-log bucket.
        if kind != "config" {
            let logging = s3
                .get_bucket_logging()
                .bucket(&bucket)
                .send()
                .await
                .unwrap();
            let enabled = logging.logging_enabled().expect("access logging on");
            assert_eq!(
                enabled.target_bucket(),
                format!("irready-demo-access-{forensics}-us-east-1"),
                "{bucket}"
            );
        }
        let policy = s3.get_bucket_policy().bucket(&bucket).send().await.unwrap();
        let policy: Value = serde_json::from_str(policy.policy().unwrap()).unwrap();
        let statements = policy["Statement"].as_array().unwrap();
        let tls = statements
            .iter()
            .find(|s| s["Sid"] == "DenyInsecureTransport")
            .expect("TLS only");
        assert_eq!(tls["Effect"], "Deny");
        assert_eq!(tls["Condition"]["Bool"]["aws:SecureTransport"], "false");
        assert!(statements
            .iter()
            .any(|s| s["Sid"] == "DenyObjectVersionDeletion" && s["Effect"] == "Deny"));
        // No statement allows anyone at all.
        for statement in statements.iter().filter(|s| s["Effect"] == "Allow") {
            assert_ne!(statement["Principal"], "*", "{statement}");
            assert!(statement["Principal"].get("AWS").is_none(), "{statement}");
        }
    }
    // Member accounts may use the evidence key to share encrypted snapshots.
    // The organization's accounts are named by its id, not listed: the policy stays the
    // same size however many accounts join.
    let (_, policy) = emu
        .key_policy(forensics, "alias/irready-demo-evidence")
        .await;
    let org = emu.organization_id().await;
    let shares = policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Sid"] == "MemberAccountsShareEncryptedSnapshots")
        .expect("member accounts may use the evidence key");
    assert_eq!(
        shares["Condition"]["StringEquals"]["aws:PrincipalOrgID"], org,
        "{policy}"
    );
    for id in accounts.values() {
        assert!(
            !policy.to_string().contains(id.as_str()) || id == forensics,
            "{policy}"
        );
    }
}

/// The organization trail in the management account: every region and account, global
/// events, validated and encrypted logs into the log archive, S3 and Lambda data events,
/// a CloudWatch Logs group, logging.
async fn assert_org_trail(emu: &Emulator, forensics: &str) {
    let cloudtrail = emu
        .regional(MANAGEMENT, "us-east-1", aws_sdk_cloudtrail::Client::new)
        .await;
    let trails = cloudtrail.describe_trails().send().await.unwrap();
    let trail = trails
        .trail_list()
        .iter()
        .find(|t| t.name() == Some("irready-demo"))
        .expect("the irready trail");
    assert_eq!(trail.is_multi_region_trail(), Some(true));
    assert_eq!(trail.is_organization_trail(), Some(true));
    assert_eq!(trail.include_global_service_events(), Some(true));
    assert_eq!(trail.log_file_validation_enabled(), Some(true));
    assert_eq!(
        trail.s3_bucket_name(),
        Some(format!("irready-demo-logs-{forensics}-us-east-1").as_str())
    );
    assert!(trail
        .kms_key_id()
        .is_some_and(|k| k.contains(forensics) && k.ends_with("alias/irready-demo-logs")));
    assert!(trail
        .cloud_watch_logs_log_group_arn()
        .is_some_and(|a| a.contains("log-group:/irready/demo/cloudtrail")));
    let status = cloudtrail
        .get_trail_status()
        .name("irready-demo")
        .send()
        .await
        .unwrap();
    assert_eq!(status.is_logging(), Some(true));
    let selectors = cloudtrail
        .get_event_selectors()
        .trail_name("irready-demo")
        .send()
        .await
        .unwrap();
    // Advanced selectors: every management event, and the data events of every object
    // and function except the objects of irready's own log buckets.
    let advanced = selectors.advanced_event_selectors();
    let field = |selector: &aws_sdk_cloudtrail::types::AdvancedEventSelector, name: &str| {
        selector
            .field_selectors()
            .iter()
            .find(|f| f.field() == name)
            .cloned()
    };
    let category = |s: &&aws_sdk_cloudtrail::types::AdvancedEventSelector| {
        field(s, "eventCategory").map(|f| f.equals().to_vec())
    };
    assert!(advanced
        .iter()
        .any(|s| category(&s) == Some(vec!["Management".to_owned()])
            && field(s, "readOnly").is_none()));
    let data: BTreeMap<String, Vec<String>> = advanced
        .iter()
        .filter(|s| category(s) == Some(vec!["Data".to_owned()]))
        .map(|s| {
            let kind = field(s, "resources.type").unwrap().equals()[0].clone();
            let excluded = field(s, "resources.ARN")
                .map(|f| f.not_starts_with().to_vec())
                .unwrap_or_default();
            (kind, excluded)
        })
        .collect();
    assert_eq!(
        data.keys().map(String::as_str).collect::<Vec<_>>(),
        ["AWS::Lambda::Function", "AWS::S3::Object"]
    );
    assert_eq!(
        data["AWS::S3::Object"],
        [
            format!("arn:aws:s3:::irready-demo-logs-{forensics}-us-east-1/"),
            format!("arn:aws:s3:::irready-demo-config-{forensics}-us-east-1/"),
        ]
    );
}

/// The CIS metric filters on the trail's log group, and one alarm on each metric: Sum over
/// 300 s >= 1, missing data not breaching, to the alarms topic. Alarms are read through
/// the Rust SDK's CloudWatch client (RPC v2 CBOR).
async fn assert_alarms(emu: &Emulator) {
    let logs = emu
        .regional(MANAGEMENT, "us-east-1", aws_sdk_cloudwatchlogs::Client::new)
        .await;
    let filters = logs
        .describe_metric_filters()
        .log_group_name("/irready/demo/cloudtrail")
        .send()
        .await
        .unwrap();
    let metrics: BTreeSet<String> = filters
        .metric_filters()
        .iter()
        .flat_map(|f| f.metric_transformations())
        .map(|t| t.metric_name().to_owned())
        .collect();
    assert_eq!(
        metrics.len(),
        15,
        "14 CIS metrics and breakglass use: {metrics:?}"
    );
    assert!(metrics.contains("RootAccountUsage") && metrics.contains("BreakglassRoleUsed"));

    let cloudwatch = emu
        .regional(MANAGEMENT, "us-east-1", aws_sdk_cloudwatch::Client::new)
        .await;
    let alarms = cloudwatch
        .describe_alarms()
        .alarm_name_prefix("irready-demo-")
        .send()
        .await
        .unwrap();
    let alarms = alarms.metric_alarms();
    assert_eq!(alarms.len(), 15);
    for alarm in alarms {
        let name = alarm.alarm_name().unwrap();
        assert!(metrics.contains(alarm.metric_name().unwrap()), "{name}");
        assert_eq!(alarm.statistic().map(|s| s.as_str()), Some("Sum"), "{name}");
        assert_eq!(alarm.period(), Some(300), "{name}");
        assert_eq!(alarm.threshold(), Some(1.0), "{name}");
        assert_eq!(alarm.treat_missing_data(), Some("notBreaching"), "{name}");
        assert!(
            alarm
                .alarm_actions()
                .iter()
                .any(|a| a.ends_with(":irready-demo-alarms")),
            "{name} goes to the alarms topic"
        );
    }
    // Someone hears them: the demo's responder is subscribed to the topic.
    let sns = emu
        .regional(MANAGEMENT, "us-east-1", aws_sdk_sns::Client::new)
        .await;
    let topic = format!("arn:aws:sns:us-east-1:{MANAGEMENT}:irready-demo-alarms");
    let subscriptions = sns
        .list_subscriptions_by_topic()
        .topic_arn(&topic)
        .send()
        .await
        .unwrap();
    let endpoints: Vec<(&str, &str)> = subscriptions
        .subscriptions()
        .iter()
        .map(|s| (s.protocol().unwrap(), s.endpoint().unwrap()))
        .collect();
    assert_eq!(endpoints, [("email", "security-team@example.com")]);
}

/// The breakglass alerts of one account and region, read back through EventBridge and
/// SNS: two enabled rules whose patterns name this account's breakglass role, both
/// to the alerts topic, which is encrypted and which only EventBridge, for those rules,
/// may publish to.
async fn assert_breakglass_alerts(emu: &Emulator, account: &str, region: &str) {
    let events = emu
        .regional(account, region, aws_sdk_eventbridge::Client::new)
        .await;
    let topic = format!("arn:aws:sns:{region}:{account}:irready-demo-breakglass-alerts");
    let role = format!("arn:aws:iam::{account}:role/irready-breakglass");
    let rules = events
        .list_rules()
        .name_prefix("irready-demo-breakglass-")
        .send()
        .await
        .unwrap();
    let mut rule_arns = BTreeSet::new();
    let mut patterns = Vec::new();
    for rule in rules.rules() {
        let name = rule.name().unwrap();
        // AssumeRole is a read-only management event: only a rule in this state sees it.
        let state = if name.ends_with("-assume-role") {
            "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
        } else {
            "ENABLED"
        };
        assert_eq!(
            rule.state().map(|s| s.as_str()),
            Some(state),
            "{account}/{region}: {name}"
        );
        let pattern: Value = serde_json::from_str(rule.event_pattern().unwrap())
            .unwrap_or_else(|e| panic!("{account}: {name}: the pattern is not JSON: {e}"));
        patterns.push(pattern);
        let targets = events
            .list_targets_by_rule()
            .rule(name)
            .send()
            .await
            .unwrap();
        let arns: Vec<&str> = targets.targets().iter().map(|t| t.arn()).collect();
        assert_eq!(
            arns,
            [topic.as_str()],
            "{account}: {name} goes to the topic"
        );
        rule_arns.insert(rule.arn().unwrap().to_owned());
    }
    assert_eq!(rule_arns.len(), 2, "{account}: two rules");
    let assume = patterns
        .iter()
        .find(|p| p["detail"]["eventName"] == serde_json::json!(["AssumeRole"]))
        .unwrap_or_else(|| panic!("{account}: a rule on AssumeRole: {patterns:?}"));
    assert_eq!(assume["source"], serde_json::json!(["aws.sts"]));
    assert_eq!(
        assume["detail"]["requestParameters"]["roleArn"],
        serde_json::json!([role])
    );
    let sign_in = patterns
        .iter()
        .find(|p| p["detail-type"] == serde_json::json!(["AWS Console Sign In via CloudTrail"]))
        .unwrap_or_else(|| panic!("{account}: a rule on console sign-in: {patterns:?}"));
    assert_eq!(
        sign_in["detail"]["userIdentity"]["arn"],
        serde_json::json!([{
            "prefix": format!("arn:aws:sts::{account}:assumed-role/irready-breakglass/")
        }])
    );

    let sns = emu
        .regional(account, region, aws_sdk_sns::Client::new)
        .await;
    let attributes = sns
        .get_topic_attributes()
        .topic_arn(&topic)
        .send()
        .await
        .unwrap();
    let attributes = attributes.attributes().unwrap();
    assert!(
        attributes
            .get("KmsMasterKeyId")
            .is_some_and(|k| !k.is_empty()),
        "{account}: the topic is encrypted"
    );
    let policy: Value = serde_json::from_str(&attributes["Policy"]).unwrap();
    let statements = policy["Statement"].as_array().unwrap();
    assert!(!statements.is_empty());
    for statement in statements {
        assert_eq!(
            statement["Principal"],
            serde_json::json!({ "Service": "events.amazonaws.com" }),
            "{account}: only EventBridge, no wildcard: {policy}"
        );
        assert_eq!(statement["Action"], "sns:Publish", "{policy}");
        let sources: BTreeSet<String> = statement["Condition"]["ArnEquals"]["aws:SourceArn"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_owned())
            .collect();
        assert_eq!(sources, rule_arns, "{account}: only the two rules");
    }
    assert!(!policy.to_string().contains(r#""*""#), "{policy}");
}

/// The regional baseline in one account and region: a detector with the demo's features,
/// a recording Config recorder, and on every VPC a flow log, a DNS query log association
/// and an empty isolation group.
async fn assert_regional_baseline(emu: &Emulator, account: &str, region: &str) -> usize {
    let guardduty = emu
        .regional(account, region, aws_sdk_guardduty::Client::new)
        .await;
    let detectors = guardduty.list_detectors().send().await.unwrap();
    assert_eq!(
        detectors.detector_ids().len(),
        1,
        "one detector in {account}/{region}"
    );
    let detector = guardduty
        .get_detector()
        .detector_id(&detectors.detector_ids()[0])
        .send()
        .await
        .unwrap();
    assert_eq!(detector.status().map(|s| s.as_str()), Some("ENABLED"));
    assert_eq!(
        detector.finding_publishing_frequency().map(|f| f.as_str()),
        Some("FIFTEEN_MINUTES")
    );
    let enabled: BTreeSet<&str> = detector
        .features()
        .iter()
        .filter(|f| f.status().map(|s| s.as_str()) == Some("ENABLED"))
        .filter_map(|f| f.name().map(|n| n.as_str()))
        .collect();
    for feature in [
        "S3_DATA_EVENTS",
        "EKS_AUDIT_LOGS",
        "EBS_MALWARE_PROTECTION",
        "RDS_LOGIN_EVENTS",
    ] {
        assert!(
            enabled.contains(feature),
            "{feature} in {account}/{region}: {enabled:?}"
        );
    }
    // Findings are exported into the log archive (no prefix: GuardDuty adds
    // AWSLogs/<account>/GuardDuty/<region>/), encrypted with the archive's key: its ARN
    // came from the forensic core stack's outputs.
    let destinations = guardduty
        .list_publishing_destinations()
        .detector_id(&detectors.detector_ids()[0])
        .send()
        .await
        .unwrap();
    assert_eq!(destinations.destinations().len(), 1, "{account}/{region}");
    let export = guardduty
        .describe_publishing_destination()
        .detector_id(&detectors.detector_ids()[0])
        .destination_id(destinations.destinations()[0].destination_id().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(export.destination_type().map(|t| t.as_str()), Some("S3"));
    let properties = export.destination_properties().unwrap();
    let bucket_arn = properties.destination_arn().unwrap();
    let forensics = bucket_arn
        .strip_prefix("arn:aws:s3:::irready-demo-logs-")
        .and_then(|rest| rest.strip_suffix("-us-east-1"))
        .unwrap_or_else(|| panic!("export into the log archive: {bucket_arn}"));
    let kms = emu
        .regional(forensics, "us-east-1", aws_sdk_kms::Client::new)
        .await;
    let key = kms
        .describe_key()
        .key_id("alias/irready-demo-logs")
        .send()
        .await
        .unwrap();
    assert_eq!(
        properties.kms_key_arn(),
        key.key_metadata().and_then(|k| k.arn()),
        "findings of {account}/{region} encrypted with the log archive key"
    );

    let config = emu
        .regional(account, region, aws_sdk_config::Client::new)
        .await;
    let recorders = config
        .describe_configuration_recorders()
        .send()
        .await
        .unwrap();
    let recorder = &recorders.configuration_recorders()[0];
    let group = recorder.recording_group().unwrap();
    assert!(group.all_supported());
    assert_eq!(
        group.include_global_resource_types(),
        region == "us-east-1",
        "{region}"
    );
    let status = config
        .describe_configuration_recorder_status()
        .send()
        .await
        .unwrap();
    assert!(
        status.configuration_recorders_status()[0].recording(),
        "recording in {account}/{region}"
    );
    // AWS Config delivers into its own bucket: the log archive has Object Lock, which
    // Config cannot write into.
    let channels = config.describe_delivery_channels().send().await.unwrap();
    assert_eq!(
        channels.delivery_channels()[0].s3_bucket_name(),
        Some(format!("irready-demo-config-{forensics}-us-east-1").as_str()),
        "{account}/{region}"
    );

    let ec2 = emu.ec2(account, region).await;
    let resolver = emu
        .regional(account, region, aws_sdk_route53resolver::Client::new)
        .await;
    let associations = resolver
        .list_resolver_query_log_config_associations()
        .send()
        .await
        .unwrap();
    let associated: BTreeSet<&str> = associations
        .resolver_query_log_config_associations()
        .iter()
        .filter_map(|a| a.resource_id())
        .collect();
    let vpcs = ec2.describe_vpcs().send().await.unwrap();
    let mut covered = 0;
    for vpc in vpcs.vpcs() {
        let id = vpc.vpc_id().unwrap();
        let is_forensic = vpc.tags().iter().any(|t| t.value() == Some("forensic-vpc"));
        if is_forensic {
            continue;
        }
        covered += 1;
        let flow_logs = ec2
            .describe_flow_logs()
            .filter(filter("resource-id", id))
            .send()
            .await
            .unwrap();
        let to_archive: Vec<_> = flow_logs
            .flow_logs()
            .iter()
            .filter(|f| {
                f.log_destination()
                    .is_some_and(|d| d.contains("irready-demo-logs-"))
            })
            .collect();
        assert_eq!(
            to_archive.len(),
            1,
            "flow log on {id} in {account}/{region}"
        );
        assert_eq!(to_archive[0].max_aggregation_interval(), Some(60));
        assert!(to_archive[0]
            .log_format()
            .unwrap()
            .contains("${traffic-path}"));
        assert!(
            associated.contains(id),
            "query logs on {id} in {account}/{region}"
        );
        let groups = ec2
            .describe_security_groups()
            .filters(filter("vpc-id", id))
            .filters(filter("tag:irready:isolation", "true"))
            .send()
            .await
            .unwrap();
        assert_eq!(groups.security_groups().len(), 1, "isolation group in {id}");
        let group = &groups.security_groups()[0];
        assert!(group.ip_permissions().is_empty(), "no ingress in {id}");
        let egress: Vec<&str> = group
            .ip_permissions_egress()
            .iter()
            .flat_map(|p| p.ip_ranges())
            .filter_map(|r| r.cidr_ip())
            .collect();
        assert_eq!(egress, ["127.0.0.1/32"], "no egress from {id}");
    }
    covered
}

#[tokio::test]
async fn plan_apply_and_replan_converge_and_follow_environment_changes() {
    let emu = Emulator::start();
    let accounts = emu.accounts().await;
    let (forensics, security) = (&accounts["forensics"], &accounts["security"]);
    // A workload VPC that exists before irready: it gets the baseline like the default one.
    let prod_west = emu.ec2(&accounts["prod-app"], "eu-west-1").await;
    prod_west
        .create_vpc()
        .cidr_block("10.20.0.0/16")
        .send()
        .await
        .unwrap();

    // A fresh organization: everything is to be created.
    let plan = emu.irready(&[
        "plan",
        "-e",
        DEMO,
        "--detailed-exitcode",
        "--format",
        "json",
    ]);
    plan.expect_code(2);
    let created = changing(&plan.json());
    // Per account (5) × region (2): regional baseline, breakglass alerts and the two runbook
    // stacks; per account: access, and breakglass alerts in us-east-1 too; the forensic
    // account: core, a VPC and an evidence key per analysis region and the analysis tables;
    // the management account: trail and alarms. 53 in all.
    assert_eq!(created.len(), 53, "{created:?}");
    assert!(created.iter().all(|s| s.ends_with(" create")));
    // The `sift` image exists in us-east-1 only: the plan copies it into eu-west-1.
    let plan_json = plan.json();
    let copies: Vec<(&str, &str)> = plan_json["images"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["action"] == "copy")
        .map(|i| {
            (
                i["image"].as_str().unwrap(),
                i["target"]["region"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(copies, [("sift", "eu-west-1")]);
    // No credential field anywhere (the runbooks' text may name the STS operation
    // GetSessionToken: fields are looked for as JSON keys).
    assert!(
        !plan.stdout.contains("\"SecretAccessKey\"") && !plan.stdout.contains("\"SessionToken\"")
    );

    emu.irready(&["apply", "-e", DEMO, "--auto-approve"])
        .expect_code(0);

    for account in accounts.values() {
        assert_access_roles(&emu, account, security, 3600).await;
    }
    for region in ["us-east-1", "eu-west-1"] {
        assert_forensic_vpc(&emu, forensics, region).await;
    }
    let east = assert_analysis_images(&emu, forensics, "us-east-1").await;
    let west = assert_analysis_images(&emu, forensics, "eu-west-1").await;
    assert_ne!(east["sift"], west["sift"], "eu-west-1 has its own copy");
    assert_forensic_core(&emu, forensics, &accounts).await;
    assert_org_trail(&emu, forensics).await;
    assert_alarms(&emu).await;
    for account in accounts.values() {
        for region in ["us-east-1", "eu-west-1"] {
            assert_breakglass_alerts(&emu, account, region).await;
        }
    }
    for account in accounts.values() {
        for region in ["us-east-1", "eu-west-1"] {
            let covered = assert_regional_baseline(&emu, account, region).await;
            let expected = if account == &accounts["prod-app"] && region == "eu-west-1" {
                2
            } else {
                1
            };
            assert_eq!(covered, expected, "VPCs covered in {account}/{region}");
        }
    }
    // Only the forensic account holds the forensic VPC.
    let prod = emu.ec2(&accounts["prod-app"], "us-east-1").await;
    let prod_vpcs = prod.describe_vpcs().send().await.unwrap();
    assert!(prod_vpcs
        .vpcs()
        .iter()
        .all(|v| v.cidr_block() != Some("10.250.0.0/16")));

    // Applied: nothing left to do, and the same counts as unchanged.
    let again = emu.irready(&["plan", "-e", DEMO, "--detailed-exitcode"]);
    again.expect_code(0);
    assert!(
        again
            .stdout
            .contains("No changes. 53 stacks in 5 accounts × 2 regions are up to date."),
        "{}",
        again.stdout
    );

    // A VPC created after apply gets exactly its flow log, query log association and
    // isolation group, and nothing else changes.
    let dev = &accounts["dev-app"];
    let dev_east = emu.ec2(dev, "us-east-1").await;
    let vpc = dev_east
        .create_vpc()
        .cidr_block("10.30.0.0/16")
        .send()
        .await
        .unwrap();
    let vpc_id = vpc.vpc().unwrap().vpc_id().unwrap().to_owned();
    let logical = vpc_id.trim_start_matches("vpc-");

    // With --refresh=false the plan trusts the VPCs the stacks recorded: it reads only
    // the stacks (one DescribeStacks per account × region), and does not see the new VPC.
    let trusting = emu.irready(&[
        "plan",
        "-e",
        DEMO,
        "--detailed-exitcode",
        "--refresh=false",
        "--stats",
    ]);
    trusting.expect_code(0);
    let calls = common::stats(&trusting.stderr);
    assert_eq!(calls["CloudFormation:DescribeStacks"], 10, "{calls:?}");
    for read in [
        "EC2:DescribeVpcs",
        "IAM:GetRole",
        "EC2:DescribeManagedPrefixLists",
        "CloudFormation:ListStackResources",
        "CloudTrail:DescribeTrails",
        "GuardDuty:ListDetectors",
        "GuardDuty:GetDetector",
        "Config Service:DescribeConfigurationRecorders",
        "EC2:DescribeFlowLogs",
        "Route53Resolver:ListResolverQueryLogConfigAssociations",
    ] {
        assert!(
            !calls.contains_key(read),
            "{read} with --refresh=false: {calls:?}"
        );
    }
    assert!(
        !calls.contains_key("CloudFormation:GetTemplate"),
        "{calls:?}"
    );
    // Beyond the organization, the caller and the roles: the stacks, the analysis
    // images (a lookup per image and one for copies, in the forensic account's two
    // analysis regions) and the availability zones of those two regions.
    let per_target: u64 = calls
        .iter()
        .filter(|(op, _)| !op.starts_with("Organizations:") && !op.starts_with("sts:"))
        .filter(|(op, _)| !op.starts_with("STS:"))
        .map(|(_, n)| n)
        .sum();
    assert_eq!(per_target, 10 + 6 + 2, "{calls:?}");
    assert!(
        trusting
            .stdout
            .contains("--refresh=false: the facts irready's stacks recorded are trusted"),
        "{}",
        trusting.stdout
    );
    let plan = emu.irready(&[
        "plan",
        "-e",
        DEMO,
        "--detailed-exitcode",
        "--format",
        "json",
    ]);
    plan.expect_code(2);
    let plan = plan.json();
    assert_eq!(
        changing(&plan),
        BTreeSet::from([format!(
            "{dev}/us-east-1/irready-demo-regional-baseline update"
        )])
    );
    let stack = plan["stacks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["action"] == "update")
        .unwrap();
    let added: BTreeSet<String> = stack["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{} {}",
                r["action"].as_str().unwrap(),
                r["logical_id"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        added,
        BTreeSet::from([
            format!("add FlowLog{logical}"),
            format!("add IsolationGroup{logical}"),
            format!("add QueryLogAssociation{logical}"),
        ])
    );
    emu.irready(&["apply", "-e", DEMO, "--auto-approve"])
        .expect_code(0);
    assert_eq!(assert_regional_baseline(&emu, dev, "us-east-1").await, 2);
    emu.irready(&["plan", "-e", DEMO, "--detailed-exitcode"])
        .expect_code(0);

    // Change the environment: one more region, a longer breakglass session.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(common::repo().join(DEMO))
        .unwrap()
        .replace(
            "regions: [us-east-1, eu-west-1]",
            "regions: [us-east-1, eu-west-1, eu-central-1]",
        )
        .replace("max_session_seconds: 3600", "max_session_seconds: 7200");
    let changed = write_env(dir.path(), "demo.yaml", &text);
    let changed = changed.to_str().unwrap();

    let plan = emu.irready(&[
        "plan",
        "-e",
        changed,
        "--detailed-exitcode",
        "--format",
        "json",
    ]);
    plan.expect_code(2);
    let plan = plan.json();
    let mut expected: BTreeSet<String> = accounts
        .values()
        .map(|a| format!("{a}/us-east-1/irready-demo-access update"))
        .collect();
    expected.insert(format!(
        "{forensics}/eu-central-1/irready-demo-forensic-vpc create"
    ));
    // The tables of the logs the new region delivers project it.
    expected.insert(format!(
        "{forensics}/us-east-1/irready-demo-analysis update"
    ));
    // The new region gets its evidence key in the forensic account.
    expected.insert(format!(
        "{forensics}/eu-central-1/irready-demo-evidence-keys create"
    ));
    for account in accounts.values() {
        for component in [
            "regional-baseline",
            "breakglass-alerts",
            "instance-runbooks",
            "identity-runbooks",
        ] {
            expected.insert(format!(
                "{account}/eu-central-1/irready-demo-{component} create"
            ));
        }
    }
    assert_eq!(changing(&plan), expected);
    for stack in plan["stacks"].as_array().unwrap() {
        if stack["action"] != "update" {
            continue;
        }
        let resources = stack["resources"].as_array().unwrap();
        if stack["component"] == "analysis" {
            let paths: BTreeSet<&str> = resources
                .iter()
                .flat_map(|r| r["properties"].as_array().unwrap())
                .map(|p| p["path"].as_str().unwrap())
                .collect();
            assert_eq!(
                paths,
                BTreeSet::from(["TableInput.Parameters.projection.region.values"]),
                "{stack}"
            );
            continue;
        }
        assert_eq!(resources.len(), 1, "{stack}");
        assert_eq!(resources[0]["logical_id"], "BreakglassRole");
        assert_eq!(resources[0]["action"], "modify");
        let properties: Vec<&str> = resources[0]["properties"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["path"].as_str().unwrap())
            .collect();
        assert_eq!(
            properties,
            ["AssumeRolePolicyDocument", "MaxSessionDuration"]
        );
    }
    let text_plan = emu.irready(&["plan", "-e", changed]);
    assert!(
        text_plan
            .stdout
            .contains("~ MaxSessionDuration: 3600 → 7200"),
        "{}",
        text_plan.stdout
    );
    assert!(
        text_plan.stdout.contains(
            "Plan: 130 to add, 7 to change, 0 to destroy across 28 stacks, 1 image to copy in 5 accounts × 3 regions."
        ),
        "{}",
        text_plan.stdout
    );

    emu.irready(&[
        "apply",
        "-e",
        changed,
        "--auto-approve",
        "--parallelism",
        "3",
    ])
    .expect_code(0);
    assert_access_roles(&emu, &accounts["dev-app"], security, 7200).await;
    assert_access_roles(&emu, MANAGEMENT, security, 7200).await;
    assert_forensic_vpc(&emu, forensics, "eu-central-1").await;
    for account in accounts.values() {
        assert_eq!(
            assert_regional_baseline(&emu, account, "eu-central-1").await,
            1
        );
    }
    emu.irready(&["plan", "-e", changed, "--detailed-exitcode"])
        .expect_code(0);
}

#[tokio::test]
async fn rendering_is_deterministic_and_every_deployed_template_passes_cfn_lint() {
    let emu = Emulator::start();
    let first = tempfile::tempdir().unwrap();
    let second = tempfile::tempdir().unwrap();
    for dir in [&first, &second] {
        emu.irready(&["render", "-e", DEMO, "--out", dir.path().to_str().unwrap()])
            .expect_code(0);
    }
    let files = |dir: &std::path::Path| -> Vec<std::path::PathBuf> {
        let mut files = Vec::new();
        for account in std::fs::read_dir(dir).unwrap() {
            for region in std::fs::read_dir(account.unwrap().path()).unwrap() {
                for file in std::fs::read_dir(region.unwrap().path()).unwrap() {
                    files.push(file.unwrap().path());
                }
            }
        }
        files.sort();
        files
    };
    let rendered = files(first.path());
    // Every stack of the demo (see the plan test).
    assert_eq!(rendered.len(), 53, "{rendered:?}");
    for (a, b) in rendered.iter().zip(files(second.path())) {
        assert_eq!(
            std::fs::read(a).unwrap(),
            std::fs::read(&b).unwrap(),
            "{a:?} is not deterministic"
        );
    }
    // Before the first apply, the baselines' GuardDuty exports name the log archive key by
    // a placeholder (the key exists once the forensic core does), and so does the
    // eu-west-1 forensic VPC the image apply copies there.
    let deferred: Vec<&std::path::PathBuf> = rendered
        .iter()
        .filter(|f| {
            std::fs::read_to_string(f)
                .unwrap()
                .contains("(known after apply: ")
        })
        .collect();
    assert_eq!(deferred.len(), 11, "{deferred:?}");
    // Before apply, cfn-lint passes too: strictly where every value is known, and with
    // E1152 and E1157 (the pattern of an image id or a KMS key ARN) left out only in the templates
    // holding placeholders, which are not ARNs yet. The same templates are linted again
    // below with every value filled in and no rule left out.
    let (holding, known): (Vec<_>, Vec<_>) = rendered.iter().partition(|f| deferred.contains(f));
    for (files, extra) in [
        (known, &[][..]),
        (holding, &["--ignore-checks=E1152,E1157"][..]),
    ] {
        let lint = std::process::Command::new("cfn-lint")
            .args(extra)
            .args(&files)
            .output()
            .expect("cfn-lint is installed (scripts/requirements.txt)");
        assert!(
            lint.status.success(),
            "cfn-lint found problems before apply:\n{}{}",
            String::from_utf8_lossy(&lint.stdout),
            String::from_utf8_lossy(&lint.stderr)
        );
    }

    // What is deployed, every value known, passes cfn-lint with no rule disabled.
    emu.irready(&["apply", "-e", DEMO, "--auto-approve"])
        .expect_code(0);
    let applied = tempfile::tempdir().unwrap();
    emu.irready(&[
        "render",
        "-e",
        DEMO,
        "--out",
        applied.path().to_str().unwrap(),
    ])
    .expect_code(0);
    let deployed = files(applied.path());
    assert_eq!(deployed.len(), 53);
    for file in &deployed {
        let body = std::fs::read_to_string(file).unwrap();
        assert!(!body.contains("known after apply"), "{file:?}");
    }
    let lint = std::process::Command::new("cfn-lint")
        .args(&deployed)
        .output()
        .expect("cfn-lint is installed (scripts/requirements.txt)");
    assert!(
        lint.status.success(),
        "cfn-lint found problems:\n{}{}",
        String::from_utf8_lossy(&lint.stdout),
        String::from_utf8_lossy(&lint.stderr)
    );
}

#[tokio::test]
async fn names_that_match_no_account_are_reported_where_written_and_nothing_is_applied() {
    let emu = Emulator::start();
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(common::repo().join(DEMO))
        .unwrap()
        .replace("account: forensics", "account: forensix");
    let env = write_env(dir.path(), "typo.yaml", &text);
    let run = emu.irready(&["apply", "-e", env.to_str().unwrap(), "--auto-approve"]);
    run.expect_code(1);
    let line = text.lines().position(|l| l.contains("forensix")).unwrap() + 1;
    assert!(
        run.stderr.contains(&format!(
            "typo.yaml:{line}:12: forensic.account: no account named `forensix`"
        )),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("forensics, master, prod-app, security"),
        "{}",
        run.stderr
    );
    assert_eq!(emu.stack_count(MANAGEMENT, "us-east-1").await, 0);
}

#[tokio::test]
async fn apply_without_a_terminal_needs_auto_approve() {
    let emu = Emulator::start();
    let run = emu.irready(&["apply", "-e", DEMO]);
    run.expect_code(1);
    assert!(run.stderr.contains("--auto-approve"), "{}", run.stderr);
    assert_eq!(emu.stack_count(MANAGEMENT, "us-east-1").await, 0);
}

#[tokio::test]
async fn one_failing_stack_does_not_stop_the_others() {
    let emu = Emulator::start();
    let accounts = emu.accounts().await;
    // A role made outside irready takes the breakglass role's name in prod-app.
    let iam = emu.iam(&accounts["prod-app"]).await;
    iam.create_role()
        .role_name("irready-breakglass")
        .assume_role_policy_document(r#"{"Version":"2012-10-17","Statement":[]}"#)
        .send()
        .await
        .unwrap();

    let run = emu.irready(&["apply", "-e", DEMO, "--auto-approve"]);
    run.expect_code(1);
    assert!(
        run.stdout.contains("52 stacks applied, 1 failed"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains(&format!(
            "{}/us-east-1/irready-demo-access",
            accounts["prod-app"]
        )),
        "{}",
        run.stderr
    );
    // The other accounts got their roles.
    for name in ["dev-app", "security", "forensics"] {
        let iam = emu.iam(&accounts[name]).await;
        assert!(
            iam.get_role()
                .role_name("irready-responder")
                .send()
                .await
                .is_ok(),
            "{name}"
        );
    }
}

#[tokio::test]
async fn a_forensic_account_asked_for_is_created_in_its_ou_then_deployed_into() {
    let emu = Emulator::start();
    let dir = tempfile::tempdir().unwrap();
    let env = write_env(
        dir.path(),
        "created.yaml",
        "name: created\nhome_region: us-east-1\nregions: [us-east-1]\n\
         organization:\n  targets: { accounts: [prod-app] }\n\
         forensic:\n  create: { name: evidence-locker, email: evidence-locker@example.com, ou: Root/Security }\n",
    );
    let env = env.to_str().unwrap();

    // The plan creates the account and nothing else: every stack needs its id.
    let plan = emu.irready(&["plan", "-e", env, "--detailed-exitcode", "--format", "json"]);
    plan.expect_code(2);
    let json = plan.json();
    assert_eq!(json["create_account"]["name"], "evidence-locker");
    assert!(json["stacks"].as_array().unwrap().is_empty());
    let text = emu.irready(&["plan", "-e", env]);
    assert!(
        text.stdout
            .contains("+ create forensic account evidence-locker (evidence-locker@example.com)"),
        "{}",
        text.stdout
    );

    let apply = emu.irready(&["apply", "-e", env, "--auto-approve"]);
    apply.expect_code(0);
    assert!(apply.stdout.contains("Planning again."), "{}", apply.stdout);

    // The account exists once, under Security, and holds the forensic stacks.
    let org = aws_sdk_organizations::Client::new(&emu.base_config());
    let accounts = org.list_accounts().send().await.unwrap();
    let created: Vec<&str> = accounts
        .accounts()
        .iter()
        .filter(|a| a.name() == Some("evidence-locker"))
        .filter_map(|a| a.id())
        .collect();
    assert_eq!(created.len(), 1);
    let parents = org
        .list_parents()
        .child_id(created[0])
        .send()
        .await
        .unwrap();
    let parent = parents.parents()[0].id().unwrap();
    let ou = org
        .describe_organizational_unit()
        .organizational_unit_id(parent)
        .send()
        .await
        .unwrap();
    assert_eq!(
        ou.organizational_unit().and_then(|u| u.name()),
        Some("Security")
    );
    let s3 = emu.s3(created[0], "us-east-1").await;
    s3.head_bucket()
        .bucket(format!("irready-created-evidence-{}-us-east-1", created[0]))
        .send()
        .await
        .expect("the evidence bucket is in the new account");
    assert_eq!(emu.stack_count(created[0], "us-east-1").await, 2);

    // Found by its name from now on: nothing left to do.
    emu.irready(&["plan", "-e", env, "--detailed-exitcode"])
        .expect_code(0);
}
