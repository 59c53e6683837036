//! `irready check` against the emulated organization: what fails before apply, passes
//! after it, and fails again, control by control, when things are broken out of band.

mod common;

use std::collections::BTreeSet;

use common::{Emulator, MANAGEMENT};
use serde_json::Value;

const DEMO: &str = "environments/demo.yaml";

/// The (control, account, region) of every failing finding.
fn failing(report: &Value) -> BTreeSet<(String, String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "fail")
        .map(|f| {
            (
                f["control"].as_str().unwrap().to_owned(),
                f["target"]["account"].as_str().unwrap().to_owned(),
                f["target"]["region"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn controls(failing: &BTreeSet<(String, String, String)>) -> BTreeSet<&str> {
    failing.iter().map(|(c, _, _)| c.as_str()).collect()
}

/// Breaks four things out of band: stops the organization trail's logging, deletes the
/// flow log of dev-app's default VPC in eu-west-1, suspends dev-app's detector in
/// us-east-1, and lets an outside account assume prod-app's breakglass role.
async fn break_things(emu: &Emulator, dev: &str, prod: &str) {
    let trail = emu
        .regional(MANAGEMENT, "us-east-1", aws_sdk_cloudtrail::Client::new)
        .await;
    trail
        .stop_logging()
        .name("irready-demo")
        .send()
        .await
        .unwrap();

    let ec2 = emu.ec2(dev, "eu-west-1").await;
    let vpcs = ec2.describe_vpcs().send().await.unwrap();
    let default_vpc = vpcs
        .vpcs()
        .iter()
        .find(|v| v.is_default() == Some(true))
        .and_then(|v| v.vpc_id())
        .unwrap()
        .to_owned();
    let flow_logs = ec2
        .describe_flow_logs()
        .filter(common::filter("resource-id", &default_vpc))
        .send()
        .await
        .unwrap();
    let ids: Vec<String> = flow_logs
        .flow_logs()
        .iter()
        .filter_map(|f| f.flow_log_id().map(str::to_owned))
        .collect();
    assert_eq!(ids.len(), 1, "irready's flow log on {default_vpc}");
    ec2.delete_flow_logs()
        .set_flow_log_ids(Some(ids))
        .send()
        .await
        .unwrap();

    let guardduty = emu
        .regional(dev, "us-east-1", aws_sdk_guardduty::Client::new)
        .await;
    let detectors = guardduty.list_detectors().send().await.unwrap();
    guardduty
        .update_detector()
        .detector_id(&detectors.detector_ids()[0])
        .enable(false)
        .send()
        .await
        .unwrap();

    let iam = emu.iam(prod).await;
    let role = iam
        .get_role()
        .role_name("irready-breakglass")
        .send()
        .await
        .unwrap();
    let document = role.role().unwrap().assume_role_policy_document().unwrap();
    let decoded = urlencoding::decode(document).unwrap().into_owned();
    let mut policy: Value = serde_json::from_str(&decoded).unwrap();
    let statement = policy["Statement"][0].clone();
    let mut widened = statement.clone();
    widened["Principal"] = serde_json::json!({ "AWS": "arn:aws:iam::999999999999:root" });
    widened["Sid"] = "Widened".into();
    policy["Statement"] = serde_json::json!([statement, widened]);
    iam.update_assume_role_policy()
        .role_name("irready-breakglass")
        .policy_document(policy.to_string())
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn check_fails_before_apply_passes_after_and_names_what_is_broken_out_of_band() {
    let emu = Emulator::start();
    let accounts = emu.accounts().await;
    let (dev, prod) = (&accounts["dev-app"], &accounts["prod-app"]);

    // Nothing is in place: every control fails but the forensic account's, which exists.
    let before = emu.irready(&["check", "-e", DEMO, "--format", "json"]);
    before.expect_code(3);
    let failed = failing(&before.json());
    let expected: BTreeSet<&str> = [
        "IR-TRAIL-1",
        "IR-TRAIL-2",
        "IR-TRAIL-3",
        "IR-GD-1",
        "IR-CONFIG-1",
        "IR-VPC-1",
        "IR-VPC-2",
        "IR-VPC-3",
        "IR-IAM-1",
        "IR-IAM-2",
        "IR-FOR-2",
        "IR-FOR-3",
        "IR-FOR-4",
        "IR-ALARM-1",
        "IR-RUN-1",
        "IR-RUN-2",
        "IR-RUN-3",
        "IR-RUN-4",
        "IR-QUERY-1",
        "IR-QUERY-2",
    ]
    .into();
    assert_eq!(controls(&failed), expected);
    // IR-RUN-4 is advice (info): alone it leaves the exit code at 0.
    emu.irready(&["check", "-e", DEMO, "--control", "IR-RUN-4"])
        .expect_code(0);
    // Per account × region: 5 accounts × 2 regions for GuardDuty.
    assert_eq!(failed.iter().filter(|(c, _, _)| c == "IR-GD-1").count(), 10);
    // Only critical failures count with --min-severity critical, and there are some.
    emu.irready(&[
        "check",
        "-e",
        DEMO,
        "--min-severity",
        "critical",
        "--control",
        "IR-VPC-2",
    ])
    .expect_code(0);
    emu.irready(&[
        "check",
        "-e",
        DEMO,
        "--min-severity",
        "critical",
        "--control",
        "IR-IAM-1",
    ])
    .expect_code(3);

    emu.irready(&["apply", "-e", DEMO, "--auto-approve"])
        .expect_code(0);
    // Time passes: AWS Config delivers its first snapshot within its delivery frequency,
    // and the logs-land controls look for it.
    emu.deliver();
    // The organization follows IR-RUN-4's advice: a customer managed default EBS key in
    // every target account and region (irready does not change that setting).
    for account in accounts.values() {
        for region in ["us-east-1", "eu-west-1"] {
            let kms = emu
                .regional(account, region, aws_sdk_kms::Client::new)
                .await;
            let key = kms.create_key().send().await.unwrap();
            let key = key.key_metadata().unwrap().arn().unwrap().to_owned();
            emu.ec2(account, region)
                .await
                .modify_ebs_default_kms_key_id()
                .kms_key_id(key)
                .send()
                .await
                .unwrap();
        }
    }
    let after = emu.irready(&["check", "-e", DEMO, "--format", "json"]);
    after.expect_code(0);
    let report = after.json();
    assert!(failing(&report).is_empty(), "{}", after.stdout);
    let statuses: BTreeSet<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["pass"].into());

    break_things(&emu, dev, prod).await;
    let broken = emu.irready(&["check", "-e", DEMO, "--format", "json"]);
    broken.expect_code(3);
    let owned = |c: &str, a: &str, r: &str| (c.to_owned(), a.to_owned(), r.to_owned());
    assert_eq!(
        failing(&broken.json()),
        [
            owned("IR-TRAIL-1", MANAGEMENT, "us-east-1"),
            owned("IR-VPC-1", dev, "eu-west-1"),
            owned("IR-GD-1", dev, "us-east-1"),
            owned("IR-IAM-1", prod, "us-east-1"),
        ]
        .into()
    );
    let text = emu.irready(&[
        "check",
        "-e",
        DEMO,
        "--account",
        "prod-app",
        "--control",
        "IR-IAM-1",
    ]);
    text.expect_code(3);
    assert!(
        text.stdout
            .contains("trusts arn:aws:iam::999999999999:root"),
        "{}",
        text.stdout
    );

    // The same four, in the formats CI tools read.
    let junit = emu.irready(&["check", "-e", DEMO, "--format", "junit"]);
    junit.expect_code(3);
    assert_eq!(
        junit.stdout.matches("<failure ").count(),
        4,
        "{}",
        junit.stdout
    );
    let sarif = emu.irready(&["check", "-e", DEMO, "--format", "sarif"]);
    let sarif: Value = serde_json::from_str(&sarif.stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 4);
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("ready.html");
    emu.irready(&["check", "-e", DEMO, "--html", page.to_str().unwrap()])
        .expect_code(3);
    let html = std::fs::read_to_string(&page).unwrap();
    assert_eq!(html.matches("data-status=\"fail\"").count(), 4);

    // The plan lists the same four as changed outside irready, with their repairs.
    let plan = emu.irready(&[
        "plan",
        "-e",
        DEMO,
        "--detailed-exitcode",
        "--format",
        "json",
    ]);
    plan.expect_code(2);
    let drift: BTreeSet<(String, String, String)> = plan.json()["drift"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["logical_id"].as_str().unwrap().to_owned(),
                d["stack"]["account"].as_str().unwrap().to_owned(),
                d["repair"]["repair"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let flow_log = drift
        .iter()
        .find(|(l, _, _)| l.starts_with("FlowLog"))
        .map(|(l, _, _)| l.clone())
        .unwrap();
    assert_eq!(
        drift,
        [
            owned("Trail", MANAGEMENT, "start_logging"),
            owned(&flow_log, dev, "recreate"),
            owned("Detector", dev, "enable_detector"),
            owned("BreakglassRole", prod, "set_trust_policy"),
        ]
        .into()
    );
    let text = emu.irready(&["plan", "-e", DEMO]);
    assert!(
        text.stdout.contains("Changed outside irready:"),
        "{}",
        text.stdout
    );
    assert!(text.stdout.contains("logging stopped"), "{}", text.stdout);
    assert!(
        text.stdout
            .contains("trust policy widened: trusts arn:aws:iam::999999999999:root"),
        "{}",
        text.stdout
    );

    // Apply repairs them: check passes again and nothing is left to plan.
    let apply = emu.irready(&["apply", "-e", DEMO, "--auto-approve"]);
    apply.expect_code(0);
    let repaired = emu.irready(&["check", "-e", DEMO, "--format", "json"]);
    assert!(
        failing(&repaired.json()).is_empty(),
        "{:?}",
        failing(&repaired.json())
    );
    repaired.expect_code(0);
    emu.irready(&["plan", "-e", DEMO, "--detailed-exitcode"])
        .expect_code(0);
}

#[tokio::test]
async fn an_account_whose_role_cannot_be_assumed_is_an_error_and_the_others_are_judged() {
    let emu = Emulator::start();
    let accounts = emu.accounts().await;
    let prod = accounts["prod-app"].as_str();
    // The emulator never refuses AssumeRole: the proxy refuses it into prod-app.
    let proxy = common::FaultProxy::start(
        &emu.url,
        &common::Faults {
            seed: 7,
            throttle: 0.0,
            server_error: 0.0,
            reset: 0.0,
            deny_assume_role: &[prod],
            expired_token: false,
        },
    );
    let run = proxy.irready(&[
        "check",
        "-e",
        DEMO,
        "--format",
        "json",
        "--control",
        "IR-GD-1",
    ]);
    run.expect_code(1);
    let report = run.json();
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 10, "5 accounts × 2 regions");
    for finding in findings {
        let account = finding["target"]["account"].as_str().unwrap();
        let status = finding["status"].as_str().unwrap();
        if account == prod {
            assert_eq!(status, "error", "{finding}");
            assert!(
                finding["message"]
                    .as_str()
                    .unwrap()
                    .contains("AccessDenied"),
                "{finding}"
            );
        } else {
            // Evaluated: nothing is applied yet, so GuardDuty fails there.
            assert_eq!(status, "fail", "{finding}");
        }
    }
    assert!(proxy.counts()["denied"] >= 1);
}
