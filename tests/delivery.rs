//! End to end: logs really arrive, and a policy edited outside irready is found and put
//! back. On the emulated organization, whose log deliveries are checked against the
//! bucket and key policies as AWS checks them (scripts/emulator_ext/delivery*.py), apply
//! leaves a sample object under AWS's key layout for every log type of every target,
//! every status API reports healthy and check passes. A CloudTrail statement removed from
//! the log archive's key policy out of band then fails check on the trail's delivery
//! control with the error CloudTrail reports, shows in plan as drift, and apply restores
//! it.

mod common;

use std::collections::BTreeSet;

use common::{Emulator, MANAGEMENT};
use serde_json::Value;

const DEMO: &str = "environments/demo.yaml";
const REGIONS: [&str; 2] = ["us-east-1", "eu-west-1"];

/// Every key of `bucket`, read as the forensic account.
async fn keys(emu: &Emulator, forensics: &str, bucket: &str) -> Vec<String> {
    let s3 = emu.s3(forensics, "us-east-1").await;
    let mut keys = Vec::new();
    let mut pages = s3.list_objects_v2().bucket(bucket).into_paginator().send();
    while let Some(page) = pages.next().await {
        keys.extend(
            page.unwrap()
                .contents()
                .iter()
                .filter_map(|o| o.key().map(str::to_owned)),
        );
    }
    keys
}

fn findings<'a>(report: &'a Value, control: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["control"] == control)
        .collect()
}

#[tokio::test]
async fn logs_arrive_and_a_key_policy_edited_out_of_band_is_found_and_restored() {
    let emu = Emulator::start();
    let accounts = emu.accounts().await;
    let forensics = accounts["forensics"].clone();
    let org = emu.organization_id().await;

    emu.irready(&["apply", "-e", DEMO, "--auto-approve"])
        .expect_code(0);
    let report = emu.deliver();
    assert_eq!(report["failed"], 0, "every delivery succeeds: {report}");

    // Read back with ListObjectsV2: every log type of every target account × region,
    // under the key layout AWS uses.
    let archive = format!("irready-demo-logs-{forensics}-us-east-1");
    let config_bucket = format!("irready-demo-config-{forensics}-us-east-1");
    let logs = keys(&emu, &forensics, &archive).await;
    let config = keys(&emu, &forensics, &config_bucket).await;
    let under = |keys: &[String], prefix: &str| keys.iter().any(|k| k.starts_with(prefix));
    for account in accounts.values() {
        for region in REGIONS {
            for prefix in [
                format!("AWSLogs/{org}/{account}/CloudTrail/{region}/"),
                format!("AWSLogs/{account}/vpcflowlogs/{region}/"),
                format!("AWSLogs/{account}/GuardDuty/{region}/"),
            ] {
                assert!(under(&logs, &prefix), "nothing under {prefix}: {logs:#?}");
            }
            let prefix = format!("AWSLogs/{account}/Config/{region}/");
            assert!(
                under(&config, &prefix),
                "nothing under {prefix}: {config:#?}"
            );
        }
        let dns = format!("AWSLogs/{account}/vpcdnsquerylogs/vpc-");
        assert!(under(&logs, &dns), "nothing under {dns}");
    }
    let digests = format!("AWSLogs/{org}/{MANAGEMENT}/CloudTrail-Digest/us-east-1/");
    assert!(under(&logs, &digests), "validated: digests under {digests}");

    // Every status API reports healthy, and check passes.
    let cloudtrail = emu
        .regional(MANAGEMENT, "us-east-1", aws_sdk_cloudtrail::Client::new)
        .await;
    let status = cloudtrail
        .get_trail_status()
        .name("irready-demo")
        .send()
        .await
        .unwrap();
    assert_eq!(status.latest_delivery_error(), None);
    assert_eq!(status.latest_cloud_watch_logs_delivery_error(), None);
    let check = emu.irready(&["check", "-e", DEMO, "--format", "json"]);
    check.expect_code(0);
    let report = check.json();
    for control in ["IR-TRAIL-3", "IR-LOG-1", "IR-LOG-2", "IR-LOG-3"] {
        let found = findings(&report, control);
        assert!(!found.is_empty(), "{control} is judged");
        for finding in found {
            assert_eq!(finding["status"], "pass", "{finding}");
        }
    }
    // 5 accounts × 2 regions, each with its logs landing.
    assert_eq!(findings(&report, "IR-LOG-2").len(), 10);
    assert_eq!(findings(&report, "IR-LOG-3").len(), 10);

    // Out of band: CloudTrail may no longer encrypt with the archive's key.
    let kms = aws_sdk_kms::Client::new(&emu.account_config(&forensics).await);
    let (key_id, mut policy) = emu.key_policy(&forensics, "alias/irready-demo-logs").await;
    policy["Statement"]
        .as_array_mut()
        .unwrap()
        .retain(|s| s["Sid"] != "CloudTrailEncryptsTrailLogs");
    kms.put_key_policy()
        .key_id(&key_id)
        .policy_name("default")
        .policy(policy.to_string())
        .send()
        .await
        .unwrap();
    let report = emu.deliver();
    assert!(report["failed"].as_u64().unwrap() > 0, "{report}");

    let status = cloudtrail
        .get_trail_status()
        .name("irready-demo")
        .send()
        .await
        .unwrap();
    let error = status
        .latest_delivery_error()
        .expect("CloudTrail reports the failed delivery")
        .to_owned();
    let check = emu.irready(&[
        "check",
        "-e",
        DEMO,
        "--control",
        "IR-TRAIL-3",
        "--format",
        "json",
    ]);
    check.expect_code(3);
    let report = check.json();
    let failed = findings(&report, "IR-TRAIL-3");
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["status"], "fail");
    let message = failed[0]["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("log files to S3: {error}")),
        "the finding names the error CloudTrail reports: {message}"
    );

    // The plan shows the key policy as drift, with its repair.
    let plan = emu.irready(&["plan", "-e", DEMO, "--format", "json"]);
    let plan = plan.json();
    let drift: Vec<&Value> = plan["drift"]
        .as_array()
        .expect("drift is planned")
        .iter()
        .collect();
    assert_eq!(drift.len(), 1, "{drift:?}");
    assert_eq!(drift[0]["logical_id"], "LogArchiveKey");
    assert_eq!(drift[0]["repair"]["repair"], "set_key_policy");
    assert!(
        drift[0]["change"]
            .as_str()
            .unwrap()
            .contains("statement removed: CloudTrailEncryptsTrailLogs"),
        "{}",
        drift[0]
    );
    let text = emu.irready(&["plan", "-e", DEMO]);
    assert!(
        text.stdout.contains("restore the key policy of"),
        "{}",
        text.stdout
    );

    emu.irready(&["apply", "-e", DEMO, "--auto-approve"])
        .expect_code(0);
    let (_, restored) = emu.key_policy(&forensics, "alias/irready-demo-logs").await;
    let sids: BTreeSet<&str> = restored["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["Sid"].as_str())
        .collect();
    assert!(sids.contains("CloudTrailEncryptsTrailLogs"), "{sids:?}");
    let report = emu.deliver();
    assert_eq!(report["failed"], 0, "{report}");
    emu.irready(&["check", "-e", DEMO, "--control", "IR-TRAIL-3"])
        .expect_code(0);
    emu.irready(&["plan", "-e", DEMO, "--detailed-exitcode"])
        .expect_code(0);
}

/// Nothing lands when a delivery is refused: a flow log's destination policy edited out
/// of band shows in IR-LOG-1 with the error AWS reports, and IR-LOG-3 names the prefix
/// where no object arrived.
#[tokio::test]
async fn a_refused_delivery_fails_the_delivery_and_landing_controls() {
    let emu = Emulator::start();
    let accounts = emu.accounts().await;
    let forensics = accounts["forensics"].clone();
    let prod = accounts["prod-app"].clone();
    emu.irready(&["apply", "-e", DEMO, "--auto-approve"])
        .expect_code(0);

    // The archive no longer lets the log delivery service write.
    let archive = format!("irready-demo-logs-{forensics}-us-east-1");
    let s3 = emu.s3(&forensics, "us-east-1").await;
    let policy = s3
        .get_bucket_policy()
        .bucket(&archive)
        .send()
        .await
        .unwrap();
    let mut policy: Value = serde_json::from_str(policy.policy().unwrap()).unwrap();
    policy["Statement"]
        .as_array_mut()
        .unwrap()
        .retain(|s| s["Sid"] != "LogDeliveryServicesDeliver");
    s3.put_bucket_policy()
        .bucket(&archive)
        .policy(policy.to_string())
        .send()
        .await
        .unwrap();
    // The objects delivered at creation are from today: only new deliveries tell, so
    // the landing control is judged on an archive emptied of them.
    let keys = keys(&emu, &forensics, &archive).await;
    for key in keys.iter().filter(|k| k.contains("/vpcflowlogs/")) {
        s3.delete_object()
            .bucket(&archive)
            .key(key)
            .send()
            .await
            .unwrap();
    }
    emu.deliver();

    let check = emu.irready(&[
        "check",
        "-e",
        DEMO,
        "--control",
        "IR-LOG-1",
        "--control",
        "IR-LOG-3",
        "--account",
        "prod-app",
        "--region",
        "us-east-1",
        "--format",
        "json",
    ]);
    check.expect_code(3);
    let report = check.json();
    let delivery = findings(&report, "IR-LOG-1");
    assert_eq!(delivery.len(), 1);
    assert_eq!(delivery[0]["status"], "fail");
    let message = delivery[0]["message"].as_str().unwrap();
    assert!(message.contains("Access error"), "{message}");
    let landing = findings(&report, "IR-LOG-3");
    assert_eq!(landing[0]["status"], "fail");
    let message = landing[0]["message"].as_str().unwrap();
    assert!(
        message.contains(&format!(
            "VPC flow logs: nothing under s3://{archive}/AWSLogs/{prod}/vpcflowlogs/us-east-1/"
        )),
        "{message}"
    );

    // Alarms whose topic nobody is subscribed to reach no one.
    emu.irready(&["check", "-e", DEMO, "--control", "IR-ALARM-1"])
        .expect_code(0);
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
    for subscription in subscriptions.subscriptions() {
        sns.unsubscribe()
            .subscription_arn(subscription.subscription_arn().unwrap())
            .send()
            .await
            .unwrap();
    }
    let check = emu.irready(&[
        "check",
        "-e",
        DEMO,
        "--control",
        "IR-ALARM-1",
        "--format",
        "json",
    ]);
    check.expect_code(3);
    let report = check.json();
    let alarms = findings(&report, "IR-ALARM-1");
    let message = alarms[0]["message"].as_str().unwrap();
    assert!(
        message.contains(&format!(
            "the alarms reach no one: {topic} has no subscription"
        )),
        "{message}"
    );
}
