//! End to end: saved plans and their staleness, data safety, against the emulated
//! organization. A small environment (two accounts, one region) keeps each run short.

mod common;

use std::collections::BTreeSet;

use common::{changing, write_env, Emulator};

/// Two accounts, one region: the access and breakglass-alert stacks in prod-app, the
/// forensic core and VPC in forensics.
const SMALL: &str = "name: small\nhome_region: us-east-1\nregions: [us-east-1]\n\
organization:\n  targets: { accounts: [prod-app] }\n\
forensic:\n  account: forensics\n\
access:\n  security_principals: [security]\n  isolation_security_group: false\n";

/// The same with a longer breakglass session (an access update) and an alert email (a
/// breakglass-alerts update).
fn changed(text: &str) -> String {
    text.replace(
        "  isolation_security_group: false\n",
        "  isolation_security_group: false\n  breakglass: { max_session_seconds: 7200, alert_emails: [soc@example.com] }\n",
    )
}

/// Updates a stack outside irready with its own template edited by `edit`.
async fn update_out_of_band(
    emu: &Emulator,
    account: &str,
    stack: &str,
    edit: impl Fn(&str) -> String,
) {
    let cfn = emu.cloudformation(account, "us-east-1").await;
    let body = cfn
        .get_template()
        .stack_name(stack)
        .send()
        .await
        .unwrap()
        .template_body
        .unwrap();
    cfn.update_stack()
        .stack_name(stack)
        .template_body(edit(&body))
        .capabilities(aws_sdk_cloudformation::types::Capability::CapabilityNamedIam)
        .send()
        .await
        .expect("out-of-band update");
}

async fn breakglass_session(emu: &Emulator, account: &str) -> i32 {
    let iam = emu.iam(account).await;
    let role = iam
        .get_role()
        .role_name("irready-breakglass")
        .send()
        .await
        .unwrap();
    role.role.unwrap().max_session_duration.unwrap()
}

#[tokio::test]
async fn a_saved_plan_is_applied_only_while_what_it_saw_is_unchanged() {
    let emu = Emulator::start();
    let prod = emu.accounts().await["prod-app"].clone();
    let dir = tempfile::tempdir().unwrap();
    let env = write_env(dir.path(), "small.yaml", SMALL);
    let env = env.to_str().unwrap();
    let saved = |name: &str| dir.path().join(name).to_str().unwrap().to_owned();

    // Saved while nothing exists, then overtaken by an apply: every stack it would
    // create exists now.
    let absent = saved("absent.json");
    emu.irready(&["plan", "-e", env, "-o", &absent])
        .expect_code(0);
    emu.irready(&["apply", "-e", env, "--auto-approve"])
        .expect_code(0);
    let run = emu.irready(&["apply", &absent, "--auto-approve"]);
    run.expect_code(1);
    assert!(run.stderr.contains("stale plan: "), "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "{prod}/us-east-1/irready-small-access: planned when absent, now CREATE_COMPLETE"
        )),
        "{}",
        run.stderr
    );

    // Two stacks to update, saved.
    let text = changed(SMALL);
    let env = write_env(dir.path(), "small.yaml", &text);
    let env = env.to_str().unwrap();
    let plan_file = saved("plan.json");
    emu.irready(&["plan", "-e", env, "-o", &plan_file])
        .expect_code(0);
    let access = format!("{prod}/us-east-1/irready-small-access");
    let alerts = format!("{prod}/us-east-1/irready-small-breakglass-alerts");

    // Another environment, or the same one edited since, cannot apply it.
    let other = write_env(
        dir.path(),
        "other.yaml",
        &text.replace("name: small", "name: other"),
    );
    let run = emu.irready(&["apply", &plan_file, "-e", other.to_str().unwrap()]);
    run.expect_code(1);
    assert!(
        run.stderr
            .contains("the plan was made from environment `small`"),
        "{}",
        run.stderr
    );
    let edited = write_env(dir.path(), "edited.yaml", &text.replace("7200", "10800"));
    let run = emu.irready(&["apply", &plan_file, "-e", edited.to_str().unwrap()]);
    run.expect_code(1);
    assert!(
        run.stderr.contains("changed since the plan"),
        "{}",
        run.stderr
    );

    // A stack updated behind the plan's back: the whole plan is refused, naming it.
    update_out_of_band(
        &emu,
        &prod,
        "irready-small-breakglass-alerts",
        str::to_owned,
    )
    .await;
    let run = emu.irready(&["apply", &plan_file, "--auto-approve"]);
    run.expect_code(1);
    assert!(
        run.stderr.contains(&format!("stale plan: {alerts}\n")),
        "{}",
        run.stderr
    );
    assert_eq!(
        breakglass_session(&emu, &prod).await,
        3600,
        "nothing applied"
    );

    // show warns, and still renders.
    let shown = emu.irready(&["show", &plan_file]);
    shown.expect_code(0);
    assert!(
        shown.stderr.contains("warning: stale plan"),
        "{}",
        shown.stderr
    );
    assert!(shown.stdout.contains("~ MaxSessionDuration: 3600 → 7200"));
    let markdown = emu.irready(&["show", &plan_file, "--format", "markdown"]);
    markdown.expect_code(0);
    assert!(
        markdown.stdout.contains("**Stale plan**"),
        "{}",
        markdown.stdout
    );
    assert!(markdown.stdout.contains(&format!("> - {alerts}: ")));
    assert!(markdown.stdout.contains("```diff\n"));
    let json = emu.irready(&["show", &plan_file, "--format", "json", "--offline"]);
    json.expect_code(0);
    assert_eq!(json.json()["format_version"], 6);

    // --skip-stale applies the fresh stack and reports the stale one.
    let run = emu.irready(&["apply", &plan_file, "--auto-approve", "--skip-stale"]);
    run.expect_code(0);
    assert!(
        run.stderr.contains(&format!("skipped (stale): {alerts}: ")),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout
            .contains("1 stacks applied, 0 failed, 1 stale left out"),
        "{}",
        run.stdout
    );
    assert_eq!(breakglass_session(&emu, &prod).await, 7200);
    let after = emu.irready(&["plan", "-e", env, "--format", "json"]);
    assert_eq!(
        changing(&after.json()),
        BTreeSet::from([format!("{alerts} update")]),
        "only the stale stack is left; {access} was applied"
    );
}

#[tokio::test]
async fn a_hand_edited_or_foreign_version_plan_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let env = write_env(dir.path(), "small.yaml", SMALL);
    let emu = Emulator::start();
    let plan_file = dir.path().join("plan.json");
    let plan_file = plan_file.to_str().unwrap();
    emu.irready(&["plan", "-e", env.to_str().unwrap(), "-o", plan_file])
        .expect_code(0);
    let original = std::fs::read_to_string(plan_file).unwrap();

    let tampered = original.replacen("irready-breakglass", "irready-backdoor", 1);
    assert_ne!(tampered, original);
    std::fs::write(plan_file, &tampered).unwrap();
    let run = emu.irready(&["apply", plan_file, "--auto-approve"]);
    run.expect_code(1);
    assert!(
        run.stderr.contains("does not match its fingerprint"),
        "{}",
        run.stderr
    );

    std::fs::write(
        plan_file,
        original.replacen("\"format_version\": 6", "\"format_version\": 1", 1),
    )
    .unwrap();
    let run = emu.irready(&["show", plan_file, "--offline"]);
    run.expect_code(1);
    assert!(run.stderr.contains("format version 1"), "{}", run.stderr);
    assert_eq!(emu.stack_count(common::MANAGEMENT, "us-east-1").await, 0);
}

#[tokio::test]
async fn replacing_the_evidence_bucket_is_shown_first_and_refused_unless_allowed() {
    let emu = Emulator::start();
    let accounts = emu.accounts().await;
    let forensics = &accounts["forensics"];
    let dir = tempfile::tempdir().unwrap();
    let env = write_env(dir.path(), "small.yaml", SMALL);
    let env = env.to_str().unwrap();
    emu.irready(&["apply", "-e", env, "--auto-approve"])
        .expect_code(0);

    // Renamed outside irready: bringing the name back replaces the bucket.
    let evidence = format!("irready-small-evidence-{forensics}-us-east-1");
    update_out_of_band(&emu, forensics, "irready-small-forensic-core", |body| {
        let fingerprint = body
            .lines()
            .skip_while(|l| !l.contains("IrreadyTemplateSha256:"))
            .find_map(|l| l.trim().strip_prefix("Value: "))
            .unwrap()
            .trim_matches('"')
            .to_owned();
        body.replace("irready-small-evidence-", "irready-small-moved-")
            .replace(&fingerprint, &"1".repeat(64))
    })
    .await;
    let cfn = emu.cloudformation(forensics, "us-east-1").await;
    let bucket = || async {
        cfn.describe_stack_resource()
            .stack_name("irready-small-forensic-core")
            .logical_resource_id("EvidenceBucket")
            .send()
            .await
            .unwrap()
            .stack_resource_detail
            .unwrap()
            .physical_resource_id
            .unwrap()
    };
    let moved = bucket().await;
    assert_ne!(moved, evidence);

    let plan = emu.irready(&["plan", "-e", env, "--hazard-exitcode"]);
    plan.expect_code(3);
    let safety = plan
        .stdout
        .find("Data safety")
        .expect("a data-safety section");
    let first_stack = plan.stdout.find("\n# ").unwrap();
    assert!(safety < first_stack, "shown first:\n{}", plan.stdout);
    assert!(
        plan.stdout.contains(&format!(
            "! data loss: forensics ({forensics})/us-east-1/irready-small-forensic-core \
             EvidenceBucket AWS::S3::Bucket: replaced"
        )),
        "{}",
        plan.stdout
    );
    let json = emu.irready(&["plan", "-e", env, "--format", "json"]).json();
    assert_eq!(
        json["hazards"],
        serde_json::json!([{
            "addr": {"account": forensics, "region": "us-east-1", "stack": "irready-small-forensic-core"},
            "logical_id": "EvidenceBucket",
            "resource_type": "AWS::S3::Bucket",
            "kind": {"hazard": "data_loss", "action": "replace", "retained": true}
        }])
    );

    let run = emu.irready(&["apply", "-e", env, "--auto-approve"]);
    run.expect_code(1);
    assert!(run.stderr.contains("the plan loses data"), "{}", run.stderr);
    assert_eq!(bucket().await, moved, "nothing applied");

    emu.irready(&["apply", "-e", env, "--auto-approve", "--allow-data-loss"])
        .expect_code(0);
    assert_eq!(bucket().await, evidence);
    emu.irready(&[
        "plan",
        "-e",
        env,
        "--hazard-exitcode",
        "--detailed-exitcode",
    ])
    .expect_code(0);

    // A new principal in the roles' trust policies widens access: its own exit code.
    let wider = write_env(
        dir.path(),
        "wider.yaml",
        &SMALL.replace("[security]", "[security, dev-app]"),
    );
    let plan = emu.irready(&["plan", "-e", wider.to_str().unwrap(), "--hazard-exitcode"]);
    plan.expect_code(4);
    assert!(
        plan.stdout.contains(&format!(
            "BreakglassRole AWS::IAM::Role: newly trusts AWS: arn:aws:iam::{}:root",
            accounts["dev-app"]
        )),
        "{}",
        plan.stdout
    );
    // Without the flag, the usual codes.
    emu.irready(&["plan", "-e", wider.to_str().unwrap(), "--detailed-exitcode"])
        .expect_code(2);
}

#[tokio::test]
async fn destroy_deletes_only_the_environments_stacks_keeps_evidence_and_lists_it() {
    let emu = Emulator::start();
    let accounts = emu.accounts().await;
    let (prod, forensics) = (&accounts["prod-app"], &accounts["forensics"]);
    let dir = tempfile::tempdir().unwrap();
    let env = write_env(dir.path(), "small.yaml", SMALL);
    let env = env.to_str().unwrap();
    emu.irready(&["apply", "-e", env, "--auto-approve"])
        .expect_code(0);
    // A stack irready did not make, and one of another environment, in the same place.
    let cfn = emu.cloudformation(prod, "us-east-1").await;
    let topic = r#"{"Resources":{"T":{"Type":"AWS::SNS::Topic"}}}"#;
    cfn.create_stack()
        .stack_name("someone-elses")
        .template_body(topic)
        .send()
        .await
        .unwrap();
    let tag = |k: &str, v: &str| {
        aws_sdk_cloudformation::types::Tag::builder()
            .key(k)
            .value(v)
            .build()
    };
    cfn.create_stack()
        .stack_name("irready-other-access")
        .template_body(topic)
        .tags(tag("irready:managed", "true"))
        .tags(tag("irready:environment", "other"))
        .tags(tag("irready:component", "access"))
        .send()
        .await
        .unwrap();

    // Unattended without --auto-approve: refused, nothing deleted.
    emu.irready(&["destroy", "-e", env]).expect_code(1);
    // access, breakglass-alerts, instance- and identity-runbooks, and the two others.
    assert_eq!(emu.stack_count(prod, "us-east-1").await, 6);

    let run = emu.irready(&["destroy", "-e", env, "--auto-approve"]);
    run.expect_code(0);
    assert!(
        run.stdout
            .contains("Destroy complete: 7 stacks deleted, 0 failed."),
        "{}",
        run.stdout
    );
    let listed: BTreeSet<String> = run
        .stdout
        .split("Retained, with their data (no longer managed by irready):\n")
        .nth(1)
        .expect("a list of what stays")
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    let evidence = format!("irready-small-evidence-{forensics}-us-east-1");
    let logs = format!("irready-small-logs-{forensics}-us-east-1");
    let at = format!("{forensics}/us-east-1");
    for expected in [
        format!("{at} EvidenceBucket AWS::S3::Bucket {evidence}"),
        format!("{at} LogArchiveBucket AWS::S3::Bucket {logs}"),
        format!("{at} ConfigBucket AWS::S3::Bucket irready-small-config-{forensics}-us-east-1"),
        format!("{at} AccessLogBucket AWS::S3::Bucket irready-small-access-{forensics}-us-east-1"),
        format!("{at} FlowLogGroup AWS::Logs::LogGroup /irready/small/forensic-vpc/flow-logs"),
        format!("{at} QueryLogGroup AWS::Logs::LogGroup /irready/small/forensic-vpc/dns-queries"),
    ] {
        assert!(listed.contains(&expected), "{expected} in {listed:?}");
    }
    let ebs_key = format!("{at} EbsEvidenceKey AWS::KMS::Key ");
    assert!(
        listed.iter().any(|l| l.starts_with(&ebs_key)),
        "{ebs_key} in {listed:?}"
    );
    assert_eq!(
        listed.len(),
        9,
        "four buckets, two keys and the EBS evidence key, the flow and DNS query log groups: {listed:?}"
    );

    // Exactly the retained resources stay.
    let s3 = emu.s3(forensics, "us-east-1").await;
    for bucket in [&evidence, &logs] {
        s3.head_bucket().bucket(bucket).send().await.expect(bucket);
    }
    let logs_client = emu
        .regional(forensics, "us-east-1", aws_sdk_cloudwatchlogs::Client::new)
        .await;
    let groups = logs_client.describe_log_groups().send().await.unwrap();
    assert_eq!(groups.log_groups().len(), 2);
    let kms = emu
        .regional(forensics, "us-east-1", aws_sdk_kms::Client::new)
        .await;
    let keys = kms.list_keys().send().await.unwrap();
    let mut enabled = 0;
    for key in keys.keys() {
        let meta = kms
            .describe_key()
            .key_id(key.key_id().unwrap())
            .send()
            .await
            .unwrap()
            .key_metadata
            .unwrap();
        if meta.key_state().map(|s| s.as_str()) == Some("Enabled") {
            enabled += 1;
        }
    }
    assert_eq!(
        enabled, 3,
        "the evidence, log archive and EBS evidence keys stay"
    );
    let iam = emu.iam(prod).await;
    assert!(iam
        .get_role()
        .role_name("irready-breakglass")
        .send()
        .await
        .is_err());
    assert_eq!(emu.stack_count(forensics, "us-east-1").await, 0);
    let left: BTreeSet<String> = cfn
        .describe_stacks()
        .send()
        .await
        .unwrap()
        .stacks()
        .iter()
        .map(|s| s.stack_name().unwrap().to_owned())
        .collect();
    assert_eq!(
        left,
        BTreeSet::from([
            "irready-other-access".to_owned(),
            "someone-elses".to_owned()
        ])
    );

    // Nothing left to destroy.
    let again = emu.irready(&["destroy", "-e", env, "--auto-approve"]);
    again.expect_code(0);
    assert!(
        again.stdout.contains("Nothing to destroy"),
        "{}",
        again.stdout
    );
}

#[tokio::test]
async fn applying_again_after_destroy_takes_the_retained_evidence_back_into_its_stacks() {
    let emu = Emulator::start();
    let accounts = emu.accounts().await;
    let forensics = &accounts["forensics"];
    let dir = tempfile::tempdir().unwrap();
    let env = write_env(dir.path(), "small.yaml", SMALL);
    let env = env.to_str().unwrap();
    emu.irready(&["apply", "-e", env, "--auto-approve"])
        .expect_code(0);
    let evidence = format!("irready-small-evidence-{forensics}-us-east-1");
    let s3 = emu.s3(forensics, "us-east-1").await;
    emu.irready(&["destroy", "-e", env, "--auto-approve"])
        .expect_code(0);
    // Evidence secured into the kept bucket. (Written after the destroy: the emulator
    // applies bucket policies without their conditions, so the stack's TLS-only policy
    // refuses every object call over its plain HTTP while the stack holds it.)
    s3.put_object()
        .bucket(&evidence)
        .key("case-1/disk.img")
        .body(b"evidence".to_vec().into())
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e:?}\n{}", emu.log_tail()));

    // The plan imports what the destroy kept, and adds the rest.
    let stale = dir.path().join("before.json");
    let stale = stale.to_str().unwrap();
    let plan = emu.irready(&["plan", "-e", env, "-o", stale]);
    plan.expect_code(0);
    let core = emu.irready(&["show", stale, "--offline"]);
    for expected in [
        format!("<= import EvidenceBucket AWS::S3::Bucket ({evidence})"),
        format!(
            "<= import LogArchiveBucket AWS::S3::Bucket (irready-small-logs-{forensics}-us-east-1)"
        ),
        "<= import FlowLogGroup AWS::Logs::LogGroup (/irready/small/forensic-vpc/flow-logs)"
            .to_owned(),
        "<= import QueryLogGroup AWS::Logs::LogGroup (/irready/small/forensic-vpc/dns-queries)"
            .to_owned(),
        "6 to import".to_owned(),
    ] {
        assert!(
            core.stdout.contains(&expected),
            "{expected}:\n{}",
            core.stdout
        );
    }
    let json = emu.irready(&["plan", "-e", env, "--format", "json"]).json();
    let stack = json["stacks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["addr"]["stack"] == "irready-small-forensic-core")
        .unwrap();
    assert_eq!(stack["action"], "create");
    let import = stack["imports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["logical_id"] == "EvidenceBucket")
        .expect("the evidence bucket is imported");
    assert_eq!(
        import,
        &serde_json::json!({
            "logical_id": "EvidenceBucket",
            "resource_type": "AWS::S3::Bucket",
            "identifier": {"BucketName": evidence}
        })
    );
    assert!(!stack["resources"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["logical_id"] == "EvidenceBucket"));

    let run = emu.irready(&["apply", "-e", env, "--auto-approve"]);
    run.expect_code(0);

    // The same bucket, with its evidence, managed by the stack again.
    let listed = s3.list_objects_v2().bucket(&evidence).send().await.unwrap();
    let keys: Vec<&str> = listed.contents().iter().filter_map(|o| o.key()).collect();
    assert_eq!(keys, ["case-1/disk.img"], "the evidence is still there");
    let cfn = emu.cloudformation(forensics, "us-east-1").await;
    let resources = cfn
        .list_stack_resources()
        .stack_name("irready-small-forensic-core")
        .send()
        .await
        .unwrap();
    let bucket = resources
        .stack_resource_summaries()
        .iter()
        .find(|r| r.logical_resource_id() == Some("EvidenceBucket"))
        .expect("the bucket is a resource of the stack again");
    assert_eq!(bucket.physical_resource_id(), Some(evidence.as_str()));
    let flow_logs = cfn
        .list_stack_resources()
        .stack_name("irready-small-forensic-vpc")
        .send()
        .await
        .unwrap();
    assert!(flow_logs
        .stack_resource_summaries()
        .iter()
        .any(|r| r.logical_resource_id() == Some("FlowLogGroup")
            && r.physical_resource_id() == Some("/irready/small/forensic-vpc/flow-logs")));

    emu.irready(&["plan", "-e", env, "--detailed-exitcode"])
        .expect_code(0);
    emu.irready(&["check", "-e", env, "--control", "IR-FOR-3"])
        .expect_code(0);

    // The plan made before the re-apply saw no stacks: it is stale now.
    let run = emu.irready(&["apply", stale, "--auto-approve"]);
    run.expect_code(1);
    assert!(run.stderr.contains("stale plan"), "{}", run.stderr);
}

#[tokio::test]
async fn a_second_run_on_a_locked_environment_refuses_and_unlock_breaks_a_dead_runs_lock() {
    let emu = Emulator::start();
    let prod = emu.accounts().await["prod-app"].clone();
    let dir = tempfile::tempdir().unwrap();
    let env = write_env(dir.path(), "small.yaml", SMALL);
    let env = env.to_str().unwrap();
    // What a run killed halfway leaves behind: its lock.
    let ssm = emu
        .regional(common::MANAGEMENT, "us-east-1", aws_sdk_ssm::Client::new)
        .await;
    let holder = r#"{"user":"ci","host":"runner-7","pid":4242,"command":"apply","since":"2025-01-10T09:14:02Z"}"#;
    ssm.put_parameter()
        .name("/irready/small/apply-lock")
        .value(holder)
        .r#type(aws_sdk_ssm::types::ParameterType::String)
        .send()
        .await
        .unwrap();

    for command in ["apply", "destroy"] {
        let run = emu.irready(&[command, "-e", env, "--auto-approve"]);
        run.expect_code(1);
        assert!(
            run.stderr.contains(
                "environment small is locked by ci@runner-7 (pid 4242, `apply`) since 2025-01-10T09:14:02Z"
            ),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains("irready unlock -e"), "{}", run.stderr);
    }
    assert_eq!(
        emu.stack_count(&prod, "us-east-1").await,
        0,
        "nothing applied"
    );
    let value = ssm
        .get_parameter()
        .name("/irready/small/apply-lock")
        .send()
        .await
        .unwrap();
    assert_eq!(
        value.parameter().unwrap().value(),
        Some(holder),
        "the lock is untouched"
    );

    let unlock = emu.irready(&["unlock", "-e", env]);
    unlock.expect_code(0);
    assert!(
        unlock
            .stdout
            .contains("Broke the apply lock of small held by ci@runner-7"),
        "{}",
        unlock.stdout
    );
    emu.irready(&["apply", "-e", env, "--auto-approve"])
        .expect_code(0);
    assert_eq!(emu.stack_count(&prod, "us-east-1").await, 4);
    // Released at the end of the run.
    let gone = ssm
        .get_parameter()
        .name("/irready/small/apply-lock")
        .send()
        .await;
    assert!(gone.is_err(), "the lock is released: {gone:?}");
    let again = emu.irready(&["unlock", "-e", env]);
    assert!(again.stdout.contains("was not locked"), "{}", again.stdout);
}
