//! End to end: an organization that is not empty. Resources made outside irready before
//! the first plan (an organization trail, a GuardDuty detector, a flow log) are weighed
//! against the environment, and apply makes no duplicate of what they cover; read back
//! through CloudTrail, GuardDuty, CloudWatch Logs and EC2.

mod common;

use aws_sdk_cloudtrail::types::{DataResource, EventSelector, ReadWriteType};
use aws_sdk_guardduty::types::{
    DetectorFeature, DetectorFeatureConfiguration, FeatureStatus, FindingPublishingFrequency,
};
use common::{Emulator, MANAGEMENT};
use serde_json::Value;

const DEMO: &str = "environments/demo.yaml";
const TRAIL_LOG_GROUP: &str = "/aws/controltower/CloudTrailLogs";

/// What Control Tower would leave in the management account: an organization trail with
/// its own bucket, key and log group, made as AWS accepts it (trusted access for
/// CloudTrail, the bucket and key policies of the CloudTrail user guide, a log role that
/// trusts CloudTrail), that meets every setting of the demo environment, with or without
/// data events (Control Tower records none).
async fn seed_org_trail(emu: &Emulator, data_events: bool) -> String {
    let org = aws_sdk_organizations::Client::new(&emu.base_config());
    org.enable_aws_service_access()
        .service_principal("cloudtrail.amazonaws.com")
        .send()
        .await
        .unwrap();
    let bucket = "aws-controltower-logs-mgmt";
    let trail_arn = format!("arn:aws:cloudtrail:us-east-1:{MANAGEMENT}:trail/org-trail");
    let s3 = emu.s3(MANAGEMENT, "us-east-1").await;
    s3.create_bucket().bucket(bucket).send().await.unwrap();
    let bucket_policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "AWSCloudTrailAclCheck", "Effect": "Allow",
             "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "s3:GetBucketAcl", "Resource": format!("arn:aws:s3:::{bucket}")},
            {"Sid": "AWSCloudTrailWrite", "Effect": "Allow",
             "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "s3:PutObject", "Resource": format!("arn:aws:s3:::{bucket}/AWSLogs/*"),
             "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control",
                                            "aws:SourceArn": trail_arn}}},
        ],
    });
    s3.put_bucket_policy()
        .bucket(bucket)
        .policy(bucket_policy.to_string())
        .send()
        .await
        .unwrap();
    let kms = aws_sdk_kms::Client::new(&emu.account_config(MANAGEMENT).await);
    let key_policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Admin", "Effect": "Allow",
             "Principal": {"AWS": format!("arn:aws:iam::{MANAGEMENT}:root")},
             "Action": "kms:*", "Resource": "*"},
            {"Sid": "AllowCloudTrailToEncrypt", "Effect": "Allow",
             "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "kms:GenerateDataKey*", "Resource": "*",
             "Condition": {"StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn":
                 format!("arn:aws:cloudtrail:*:{MANAGEMENT}:trail/*")}}},
            {"Sid": "AllowCloudTrailToDescribe", "Effect": "Allow",
             "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "kms:DescribeKey", "Resource": "*"},
        ],
    });
    let key = kms
        .create_key()
        .policy(key_policy.to_string())
        .send()
        .await
        .unwrap();
    let key_arn = key.key_metadata().unwrap().arn().unwrap().to_owned();
    let logs = emu
        .regional(MANAGEMENT, "us-east-1", aws_sdk_cloudwatchlogs::Client::new)
        .await;
    logs.create_log_group()
        .log_group_name(TRAIL_LOG_GROUP)
        .send()
        .await
        .unwrap();
    let group_arn = format!("arn:aws:logs:us-east-1:{MANAGEMENT}:log-group:{TRAIL_LOG_GROUP}:*");
    let iam = emu.iam(MANAGEMENT).await;
    let trust = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
                       "Action": "sts:AssumeRole"}],
    });
    let role = iam
        .create_role()
        .role_name("aws-controltower-CloudWatchLogsRole")
        .assume_role_policy_document(trust.to_string())
        .send()
        .await
        .unwrap();
    let deliver = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                       "Resource": group_arn}],
    });
    iam.put_role_policy()
        .role_name("aws-controltower-CloudWatchLogsRole")
        .policy_name("deliver")
        .policy_document(deliver.to_string())
        .send()
        .await
        .unwrap();
    let cloudtrail = emu
        .regional(MANAGEMENT, "us-east-1", aws_sdk_cloudtrail::Client::new)
        .await;
    let trail = cloudtrail
        .create_trail()
        .name("org-trail")
        .s3_bucket_name(bucket)
        .is_multi_region_trail(true)
        .is_organization_trail(true)
        .include_global_service_events(true)
        .enable_log_file_validation(true)
        .kms_key_id(key_arn)
        .cloud_watch_logs_log_group_arn(group_arn)
        .cloud_watch_logs_role_arn(role.role().unwrap().arn())
        .send()
        .await
        .unwrap();
    let data =
        |kind: &str, prefix: &str| DataResource::builder().r#type(kind).values(prefix).build();
    let mut selector = EventSelector::builder()
        .read_write_type(ReadWriteType::All)
        .include_management_events(true);
    if data_events {
        selector = selector
            .data_resources(data("AWS::S3::Object", "arn:aws:s3"))
            .data_resources(data("AWS::Lambda::Function", "arn:aws:lambda"));
    }
    cloudtrail
        .put_event_selectors()
        .trail_name("org-trail")
        .event_selectors(selector.build())
        .send()
        .await
        .unwrap();
    cloudtrail
        .start_logging()
        .name("org-trail")
        .send()
        .await
        .unwrap();
    trail.trail_arn().unwrap().to_owned()
}

/// A detector someone enabled by hand: every demo feature but S3 protection.
async fn seed_detector(emu: &Emulator, account: &str) -> String {
    let guardduty = emu
        .regional(account, "us-east-1", aws_sdk_guardduty::Client::new)
        .await;
    let feature = |name: DetectorFeature, status: FeatureStatus| {
        DetectorFeatureConfiguration::builder()
            .name(name)
            .status(status)
            .build()
    };
    let out = guardduty
        .create_detector()
        .enable(true)
        .finding_publishing_frequency(FindingPublishingFrequency::FifteenMinutes)
        .features(feature(
            DetectorFeature::S3DataEvents,
            FeatureStatus::Disabled,
        ))
        .features(feature(
            DetectorFeature::EksAuditLogs,
            FeatureStatus::Enabled,
        ))
        .features(feature(
            DetectorFeature::EbsMalwareProtection,
            FeatureStatus::Enabled,
        ))
        .features(feature(
            DetectorFeature::RdsLoginEvents,
            FeatureStatus::Enabled,
        ))
        .features(feature(
            DetectorFeature::RuntimeMonitoring,
            FeatureStatus::Enabled,
        ))
        .send()
        .await
        .unwrap();
    out.detector_id().unwrap().to_owned()
}

/// A flow log on the default VPC that records only rejected traffic into the account's
/// own bucket: it falls short, so irready adds its own beside it.
async fn seed_flow_log(emu: &Emulator, account: &str) -> (String, String) {
    let s3 = emu.s3(account, "eu-west-1").await;
    s3.create_bucket()
        .bucket("dev-app-network-logs")
        .create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::EuWest1)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let ec2 = emu.ec2(account, "eu-west-1").await;
    let vpcs = ec2.describe_vpcs().send().await.unwrap();
    let vpc = vpcs.vpcs()[0].vpc_id().unwrap().to_owned();
    let out = ec2
        .create_flow_logs()
        .resource_type(aws_sdk_ec2::types::FlowLogsResourceType::Vpc)
        .resource_ids(&vpc)
        .traffic_type(aws_sdk_ec2::types::TrafficType::Reject)
        .log_destination_type(aws_sdk_ec2::types::LogDestinationType::S3)
        .log_destination("arn:aws:s3:::dev-app-network-logs")
        .send()
        .await
        .unwrap();
    (vpc, out.flow_log_ids()[0].clone())
}

/// The findings of a JSON plan as `account/region control resource verdict`.
fn findings(plan: &Value) -> Vec<String> {
    plan["existing"]
        .as_array()
        .expect("the plan lists existing resources")
        .iter()
        .map(|f| {
            format!(
                "{}/{} {} {} {}",
                f["target"]["account"].as_str().unwrap(),
                f["target"]["region"].as_str().unwrap(),
                f["control"].as_str().unwrap(),
                f["resource_id"].as_str().unwrap(),
                f["verdict"]["kind"].as_str().unwrap()
            )
        })
        .collect()
}

async fn detectors(emu: &Emulator, account: &str) -> Vec<String> {
    emu.regional(account, "us-east-1", aws_sdk_guardduty::Client::new)
        .await
        .list_detectors()
        .send()
        .await
        .unwrap()
        .detector_ids()
        .to_vec()
}

fn stack<'a>(plan: &'a Value, account: &str, region: &str, name: &str) -> &'a Value {
    plan["stacks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| {
            s["addr"]["account"] == account
                && s["addr"]["region"] == region
                && s["addr"]["stack"] == name
        })
        .unwrap_or_else(|| panic!("stack {account}/{region}/{name} in the plan"))
}

fn logical_ids(stack: &Value) -> Vec<&str> {
    stack["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["logical_id"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn existing_resources_are_counted_and_never_duplicated() {
    let emu = Emulator::start();
    let accounts = emu.accounts().await;
    let (prod, dev) = (&accounts["prod-app"], &accounts["dev-app"]);
    let trail_arn = seed_org_trail(&emu, true).await;
    let detector = seed_detector(&emu, prod).await;
    let (dev_vpc, their_flow_log) = seed_flow_log(&emu, dev).await;

    let plan = emu.irready(&["plan", "-e", DEMO, "--format", "json"]);
    plan.expect_code(0);
    let plan = plan.json();
    let expected = vec![
        format!("{MANAGEMENT}/us-east-1 IR-TRAIL-1 {trail_arn} satisfied"),
        format!("{dev}/eu-west-1 IR-VPC-1 {their_flow_log} falls_short"),
        format!("{prod}/us-east-1 IR-GD-1 {detector} conflict"),
    ];
    let mut found = findings(&plan);
    found.sort();
    let mut sorted = expected.clone();
    sorted.sort();
    assert_eq!(found, sorted, "{}", plan["existing"]);
    let conflict = plan["existing"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["control"] == "IR-GD-1")
        .unwrap();
    assert_eq!(
        conflict["verdict"]["gaps"],
        serde_json::json!(["lacks S3 protection (S3_DATA_EVENTS)"])
    );

    // What the templates leave out: the trail, the prod detector; the alarms go on the
    // existing trail's log group.
    let org_logging = stack(&plan, MANAGEMENT, "us-east-1", "irready-demo-org-logging");
    assert_eq!(logical_ids(org_logging), ["ExistingTrailMarker"]);
    let prod_baseline = stack(&plan, prod, "us-east-1", "irready-demo-regional-baseline");
    assert!(!logical_ids(prod_baseline).contains(&"Detector"));
    let dev_baseline = stack(&plan, dev, "us-east-1", "irready-demo-regional-baseline");
    assert!(logical_ids(dev_baseline).contains(&"Detector"));
    let alarms = stack(&plan, MANAGEMENT, "us-east-1", "irready-demo-alarms");
    let body = alarms["template"]["body"].as_str().unwrap();
    assert!(
        body.contains(&format!("LogGroupName: \"{TRAIL_LOG_GROUP}\"")),
        "{body}"
    );
    assert!(!body.contains("/irready/demo/cloudtrail"));

    let text = emu.irready(&["plan", "-e", DEMO]);
    text.expect_code(0);
    assert!(
        text.stdout
            .contains(&format!("trail: satisfied by existing {trail_arn}")),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains(&format!(
            "GuardDuty detector: conflict with existing {detector}\n      → detector {detector} exists and lacks S3 protection (S3_DATA_EVENTS): enable that on it"
        )),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains("logging.guardduty.adopt: true"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains(&format!(
            "flow logs on {dev_vpc}: existing {their_flow_log} falls short: traffic REJECT, not ALL"
        )),
        "{}",
        text.stdout
    );

    emu.irready(&["apply", "-e", DEMO, "--auto-approve"])
        .expect_code(0);

    // Still one trail in the management account: the existing one.
    let cloudtrail = emu
        .regional(MANAGEMENT, "us-east-1", aws_sdk_cloudtrail::Client::new)
        .await;
    let trails = cloudtrail.describe_trails().send().await.unwrap();
    let names: Vec<&str> = trails
        .trail_list()
        .iter()
        .filter_map(|t| t.name())
        .collect();
    assert_eq!(names, ["org-trail"]);

    // Still one detector in prod-app, the one that was there, untouched; irready's own
    // where nothing was.
    assert_eq!(detectors(&emu, prod).await, vec![detector.clone()]);
    assert_eq!(detectors(&emu, dev).await.len(), 1);

    // The alarms' metric filters are on the existing trail's log group.
    let logs = emu
        .regional(MANAGEMENT, "us-east-1", aws_sdk_cloudwatchlogs::Client::new)
        .await;
    let filters = logs
        .describe_metric_filters()
        .log_group_name(TRAIL_LOG_GROUP)
        .send()
        .await
        .unwrap();
    assert_eq!(filters.metric_filters().len(), 15);

    // The flow log that fell short got irready's beside it.
    let ec2 = emu.ec2(dev, "eu-west-1").await;
    let flow_logs = ec2
        .describe_flow_logs()
        .filter(common::filter("resource-id", &dev_vpc))
        .send()
        .await
        .unwrap();
    let traffic: Vec<&str> = {
        let mut t: Vec<&str> = flow_logs
            .flow_logs()
            .iter()
            .filter_map(|f| f.traffic_type().map(|t| t.as_str()))
            .collect();
        t.sort();
        t
    };
    assert_eq!(traffic, ["ALL", "REJECT"]);

    // Converged: irready's own detectors, recorders and flow logs are not "existing".
    let again = emu.irready(&[
        "plan",
        "-e",
        DEMO,
        "--detailed-exitcode",
        "--format",
        "json",
    ]);
    again.expect_code(0);
    let mut found = findings(&again.json());
    found.sort();
    assert_eq!(found, sorted);

    // --refresh=false trusts what the stacks recorded of the existing trail, detector and
    // flow log: no listing of them, and still nothing to change (irready does not add
    // the trail, detector or flow log the existing ones stand for).
    let trusting = emu.irready(&[
        "plan",
        "-e",
        DEMO,
        "--detailed-exitcode",
        "--refresh=false",
        "--stats",
        "--format",
        "json",
    ]);
    trusting.expect_code(0);
    let calls = common::stats(&trusting.stderr);
    for read in [
        "CloudTrail:DescribeTrails",
        "GuardDuty:ListDetectors",
        "EC2:DescribeFlowLogs",
        "CloudFormation:ListStackResources",
    ] {
        assert!(
            !calls.contains_key(read),
            "{read} with --refresh=false: {calls:?}"
        );
    }
    let plan = trusting.json();
    assert_eq!(plan["scanned"]["trusted"], true);
    assert!(findings(&plan).is_empty(), "nothing was read to weigh");
}

/// Control Tower's trail records every management event but no data event: irready does
/// not record management events a second time. Its own trail records only the data
/// events, without management events or a log group of its own, and the alarms go on
/// Control Tower's log group; check counts the two trails together.
#[tokio::test]
async fn a_control_tower_trail_is_complemented_with_data_events_only() {
    let emu = Emulator::start();
    let trail_arn = seed_org_trail(&emu, false).await;

    let plan = emu.irready(&["plan", "-e", DEMO, "--format", "json"]);
    plan.expect_code(0);
    let plan = plan.json();
    let trail = plan["existing"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["control"] == "IR-TRAIL-1")
        .expect("the trail is weighed");
    assert_eq!(trail["resource_id"], trail_arn.as_str());
    assert_eq!(trail["verdict"]["kind"], "satisfied", "{trail}");
    let org_logging = stack(&plan, MANAGEMENT, "us-east-1", "irready-demo-org-logging");
    assert_eq!(logical_ids(org_logging), ["Trail"]);

    emu.irready(&["apply", "-e", DEMO, "--auto-approve"])
        .expect_code(0);

    let cloudtrail = emu
        .regional(MANAGEMENT, "us-east-1", aws_sdk_cloudtrail::Client::new)
        .await;
    let trails = cloudtrail.describe_trails().send().await.unwrap();
    let mut names: Vec<&str> = trails
        .trail_list()
        .iter()
        .filter_map(|t| t.name())
        .collect();
    names.sort();
    assert_eq!(names, ["irready-demo", "org-trail"]);
    let ours = trails
        .trail_list()
        .iter()
        .find(|t| t.name() == Some("irready-demo"))
        .unwrap();
    assert_eq!(ours.cloud_watch_logs_log_group_arn(), None);
    let selectors = cloudtrail
        .get_event_selectors()
        .trail_name("irready-demo")
        .send()
        .await
        .unwrap();
    let categories: Vec<String> = selectors
        .advanced_event_selectors()
        .iter()
        .flat_map(|s| s.field_selectors())
        .filter(|f| f.field() == "eventCategory")
        .flat_map(|f| f.equals().to_vec())
        .collect();
    assert_eq!(categories, ["Data", "Data"], "no management events twice");

    // The alarms' metric filters are on Control Tower's log group.
    let logs = emu
        .regional(MANAGEMENT, "us-east-1", aws_sdk_cloudwatchlogs::Client::new)
        .await;
    let filters = logs
        .describe_metric_filters()
        .log_group_name(TRAIL_LOG_GROUP)
        .send()
        .await
        .unwrap();
    assert_eq!(filters.metric_filters().len(), 15);

    emu.irready(&["plan", "-e", DEMO, "--detailed-exitcode"])
        .expect_code(0);
    let check = emu.irready(&[
        "check",
        "-e",
        DEMO,
        "--control",
        "IR-TRAIL-1",
        "--format",
        "json",
    ]);
    let report = check.json();
    let findings = report["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    for finding in findings {
        assert_eq!(finding["status"], "pass", "{finding}");
        assert!(
            finding["message"]
                .as_str()
                .unwrap()
                .contains("data events recorded by irready-demo"),
            "{finding}"
        );
    }
}
