//! End to end: irready's containment runbooks in place after apply, and `irready respond`
//! against the tabletop exercises, read back through EC2, IAM, SSM and CloudFormation as
//! the accounts concerned.

mod common;

use std::collections::BTreeMap;

use common::{Emulator, Run};

const ENV: &str = "environments/tabletop.yaml";
const DOCUMENTS: [&str; 5] = [
    "isolate-instance",
    "release-instance",
    "acquire-volumes",
    "disable-access-key",
    "contain-principal",
];

async fn ssm(emu: &Emulator, account: &str, region: &str) -> aws_sdk_ssm::Client {
    emu.regional(account, region, aws_sdk_ssm::Client::new)
        .await
}

/// The exact `irready respond` command the brief prints for `action`, as arguments.
fn brief_command(up: &Run, action: &str) -> Vec<String> {
    let prefix = format!("irready respond {action} ");
    let line = up
        .stdout
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no `{prefix}` in the brief:\n{}", up.stdout));
    line.split_whitespace().skip(1).map(str::to_owned).collect()
}

fn run(emu: &Emulator, args: &[String], extra: &[&str]) -> Run {
    let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
    all.extend_from_slice(extra);
    emu.irready(&all)
}

/// Security groups of every interface of the instance, by interface.
async fn groups_by_interface(
    ec2: &aws_sdk_ec2::Client,
    instance: &str,
) -> BTreeMap<String, Vec<String>> {
    let out = ec2
        .describe_network_interfaces()
        .filters(common::filter("attachment.instance-id", instance))
        .send()
        .await
        .unwrap();
    out.network_interfaces()
        .iter()
        .map(|eni| {
            let mut groups: Vec<String> = eni
                .groups()
                .iter()
                .filter_map(|g| g.group_id().map(str::to_owned))
                .collect();
            groups.sort();
            (eni.network_interface_id().unwrap().to_owned(), groups)
        })
        .collect()
}

async fn termination_protected(ec2: &aws_sdk_ec2::Client, instance: &str) -> bool {
    ec2.describe_instance_attribute()
        .instance_id(instance)
        .attribute(aws_sdk_ec2::types::InstanceAttributeName::DisableApiTermination)
        .send()
        .await
        .unwrap()
        .disable_api_termination()
        .and_then(|a| a.value())
        .unwrap_or(false)
}

/// The instance profile associated with the instance now (DescribeInstances keeps the
/// profile it was launched with in the emulator; the associations are what EC2 changes).
async fn profile_arn(ec2: &aws_sdk_ec2::Client, instance: &str) -> Option<String> {
    ec2.describe_iam_instance_profile_associations()
        .filters(common::filter("instance-id", instance))
        .send()
        .await
        .unwrap()
        .iam_instance_profile_associations()
        .iter()
        .filter(|a| a.state().map(|s| s.as_str()) == Some("associated") || a.state().is_none())
        .find_map(|a| a.iam_instance_profile().and_then(|p| p.arn()))
        .map(str::to_owned)
}

async fn inline_policies(iam: &aws_sdk_iam::Client, role: &str) -> Vec<String> {
    iam.list_role_policies()
        .role_name(role)
        .send()
        .await
        .unwrap()
        .policy_names()
        .to_vec()
}

#[tokio::test]
async fn respond_isolates_the_planted_instance_acquires_its_volumes_and_releases_it() {
    let emu = Emulator::start();
    let accounts = emu.accounts().await;
    let (dev, prod, forensics) = (
        &accounts["dev-app"],
        &accounts["prod-app"],
        &accounts["forensics"],
    );

    let up = emu.irready(&[
        "tabletop",
        "up",
        "-e",
        ENV,
        "--scenario",
        "compromised-instance",
        "--auto-approve",
    ]);
    up.expect_code(0);

    // Every target account × region of the environment holds the five documents, with
    // the content irready renders.
    for account in [dev, prod] {
        let ssm = ssm(&emu, account, "us-east-1").await;
        for name in DOCUMENTS {
            let document = ssm
                .describe_document()
                .name(format!("irready-tabletop-{name}"))
                .send()
                .await
                .unwrap_or_else(|e| panic!("{name} in {account}: {e:?}"));
            let document = document.document().unwrap();
            assert_eq!(
                document.document_type().map(|t| t.as_str()),
                Some("Automation")
            );
            assert_eq!(document.hash().map(str::len), Some(64));
        }
    }

    let isolate = brief_command(&up, "isolate-instance");
    let acquire = brief_command(&up, "acquire-volumes");
    let at = isolate.iter().position(|a| a == "--target").unwrap();
    let instance = isolate[at + 1].clone();
    assert!(instance.starts_with("i-"), "{isolate:?}");
    assert!(
        isolate.windows(2).any(|w| w == ["--account", "dev-app"]),
        "{isolate:?}"
    );

    let ec2 = emu.ec2(dev, "us-east-1").await;
    let iam = emu.iam(dev).await;
    let role = "irready-exercise-compromised-instance";
    let before = groups_by_interface(&ec2, &instance).await;
    assert!(!before.is_empty());
    let isolation = ec2
        .describe_security_groups()
        .filters(common::filter("tag:irready:isolation", "true"))
        .send()
        .await
        .unwrap()
        .security_groups()
        .iter()
        .map(|g| g.group_id().unwrap().to_owned())
        .collect::<Vec<_>>();
    assert!(before
        .values()
        .all(|g| !g.iter().any(|g| isolation.contains(g))));

    // --dry-run changes nothing and prints every step it would take.
    let dry = run(&emu, &isolate, &["--dry-run"]);
    dry.expect_code(0);
    for expected in [
        "Dry run: nothing was changed",
        "DisableApiTermination=true",
        "ModifyNetworkInterfaceAttribute",
        "ReplaceIamInstanceProfileAssociation",
        "irready-revoke-older-sessions",
    ] {
        assert!(
            dry.stdout.contains(expected),
            "{expected} in\n{}",
            dry.stdout
        );
    }
    assert!(
        dry.stderr.contains("Plan (aws:executeScript)"),
        "{}",
        dry.stderr
    );
    assert_eq!(groups_by_interface(&ec2, &instance).await, before);
    assert!(!termination_protected(&ec2, &instance).await);
    assert!(profile_arn(&ec2, &instance)
        .await
        .is_some_and(|a| a.ends_with(&format!("/{role}"))));
    assert!(inline_policies(&iam, role).await.is_empty());

    // Isolation: every interface in the isolation group only, termination protection on,
    // the isolation profile attached, the token-age deny on the former role.
    let isolated = run(&emu, &isolate, &[]);
    isolated.expect_code(0);
    let after = groups_by_interface(&ec2, &instance).await;
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>()
    );
    for groups in after.values() {
        assert_eq!(groups.len(), 1, "{after:?}");
        assert!(isolation.contains(&groups[0]), "{after:?} vs {isolation:?}");
    }
    assert!(termination_protected(&ec2, &instance).await);
    assert_eq!(
        profile_arn(&ec2, &instance).await,
        Some(format!(
            "arn:aws:iam::{dev}:instance-profile/irready-isolation-tabletop"
        ))
    );
    assert_eq!(
        inline_policies(&iam, role).await,
        ["irready-revoke-older-sessions"]
    );
    let release = format!(
        "irready respond isolate-instance -e {ENV} --account dev-app --region us-east-1 \
         --target {instance} --release"
    );
    assert!(isolated.stdout.contains(&release), "{}", isolated.stdout);

    // Acquisition: one copy per volume in the forensic account's view, under the forensic
    // key of the region, shared with it, tagged.
    let acquired = run(&emu, &acquire, &[]);
    acquired.expect_code(0);
    let volumes = ec2
        .describe_volumes()
        .filters(common::filter("attachment.instance-id", &instance))
        .send()
        .await
        .unwrap()
        .volumes()
        .len();
    assert!(volumes >= 1);
    let forensic_ec2 = emu.ec2(forensics, "us-east-1").await;
    let shared = forensic_ec2
        .describe_snapshots()
        .restorable_by_user_ids(forensics.as_str())
        .owner_ids(dev.as_str())
        .send()
        .await
        .unwrap();
    let copies: Vec<_> = shared
        .snapshots()
        .iter()
        .filter(|s| {
            s.tags()
                .iter()
                .any(|t| t.key() == Some("irready:evidence") && t.value() == Some("copy"))
        })
        .collect();
    assert_eq!(copies.len(), volumes, "{shared:?}");
    let kms = emu
        .regional(forensics, "us-east-1", aws_sdk_kms::Client::new)
        .await;
    let key = kms
        .describe_key()
        .key_id("alias/irready-tabletop-ebs-evidence")
        .send()
        .await
        .unwrap();
    let key_arn = key.key_metadata().unwrap().arn().unwrap().to_owned();
    for copy in &copies {
        assert_eq!(copy.encrypted(), Some(true));
        assert_eq!(copy.kms_key_id(), Some(key_arn.as_str()), "{copy:?}");
        let tag = |k: &str| {
            copy.tags()
                .iter()
                .find(|t| t.key() == Some(k))
                .and_then(|t| t.value())
        };
        assert_eq!(
            tag("irready:case"),
            Some("irready-exercise-compromised-instance")
        );
        assert_eq!(tag("irready:source-instance"), Some(instance.as_str()));
        assert!(
            acquired.stdout.contains(copy.snapshot_id().unwrap()),
            "{}",
            acquired.stdout
        );
    }

    // Release: the previous groups back; termination protection stays.
    let released = run(&emu, &isolate, &["--release"]);
    released.expect_code(0);
    assert_eq!(groups_by_interface(&ec2, &instance).await, before);
    assert!(termination_protected(&ec2, &instance).await);

    // The exercise ends: its protected instance is made terminable and goes with its
    // stack; the evidence copies stay.
    emu.irready(&["tabletop", "down", "-e", ENV, "--auto-approve"])
        .expect_code(0);
    let state = ec2
        .describe_instances()
        .instance_ids(&instance)
        .send()
        .await
        .unwrap()
        .reservations()[0]
        .instances()[0]
        .state()
        .and_then(|s| s.name())
        .map(|n| n.as_str().to_owned());
    assert_eq!(state.as_deref(), Some("terminated"));
    let kept = forensic_ec2
        .describe_snapshots()
        .restorable_by_user_ids(forensics.as_str())
        .owner_ids(dev.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(kept.snapshots().len(), shared.snapshots().len());
}

async fn key_status(iam: &aws_sdk_iam::Client, key: &str) -> Option<String> {
    iam.list_access_keys()
        .user_name("irready-exercise-leaked-key")
        .send()
        .await
        .unwrap()
        .access_key_metadata()
        .iter()
        .find(|k| k.access_key_id() == Some(key))
        .and_then(|k| k.status().map(|s| s.as_str().to_owned()))
}

#[tokio::test]
async fn respond_refuses_what_is_outside_the_environment_and_check_and_plan_see_a_deleted_or_edited_runbook(
) {
    let emu = Emulator::start();
    let accounts = emu.accounts().await;
    let prod = &accounts["prod-app"];

    let up = emu.irready(&[
        "tabletop",
        "up",
        "-e",
        ENV,
        "--scenario",
        "leaked-key",
        "--auto-approve",
    ]);
    up.expect_code(0);
    let disable = brief_command(&up, "disable-access-key");
    let at = disable.iter().position(|a| a == "--target").unwrap();
    let key = disable[at + 1].clone();
    let account = disable[disable.iter().position(|a| a == "--account").unwrap() + 1].clone();
    let account_id = &accounts[&account];
    let iam = emu.iam(account_id).await;
    assert_eq!(key_status(&iam, &key).await.as_deref(), Some("Active"));

    // Outside the environment: an account that is no target, a region it does not list.
    let mut elsewhere = disable.clone();
    elsewhere[disable.iter().position(|a| a == "--account").unwrap() + 1] = "forensics".into();
    let refused = run(&emu, &elsewhere, &[]);
    refused.expect_code(1);
    assert!(
        refused
            .stderr
            .contains("`forensics` is not a target account of environment tabletop"),
        "{}",
        refused.stderr
    );
    let mut region = disable.clone();
    region[disable.iter().position(|a| a == "--region").unwrap() + 1] = "eu-west-1".into();
    let refused = run(&emu, &region, &[]);
    refused.expect_code(1);
    assert!(
        refused
            .stderr
            .contains("eu-west-1 is not a region of environment tabletop"),
        "{}",
        refused.stderr
    );

    let disabled = run(&emu, &disable, &[]);
    disabled.expect_code(0);
    assert_eq!(key_status(&iam, &key).await.as_deref(), Some("Inactive"));

    // A runbook deleted out of band: respond says it is not deployed, check fails naming
    // the account and region, plan shows the repair and apply makes it.
    let ssm = ssm(&emu, prod, "us-east-1").await;
    ssm.delete_document()
        .name("irready-tabletop-isolate-instance")
        .send()
        .await
        .unwrap();
    let missing = emu.irready(&[
        "respond",
        "isolate-instance",
        "-e",
        ENV,
        "--account",
        "prod-app",
        "--region",
        "us-east-1",
        "--target",
        "i-0123456789abcdef0",
    ]);
    missing.expect_code(1);
    assert!(
        missing.stderr.contains(
            "the runbooks are not deployed in prod-app/us-east-1: run `irready apply` first"
        ),
        "{}",
        missing.stderr
    );
    let check = emu.irready(&[
        "check",
        "-e",
        ENV,
        "--format",
        "json",
        "--control",
        "IR-RUN-1",
    ]);
    check.expect_code(3);
    let failing: Vec<(String, String, String)> = check.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "fail")
        .map(|f| {
            (
                f["target"]["account"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                f["target"]["region"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                f["message"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        failing,
        [(
            prod.clone(),
            "us-east-1".to_owned(),
            "missing: irready-tabletop-isolate-instance".to_owned()
        )],
        "{}",
        check.stdout
    );
    let plan = emu.irready(&["plan", "-e", ENV, "--detailed-exitcode"]);
    plan.expect_code(2);
    assert!(
        plan.stdout.contains("IsolateInstanceDocument")
            && plan
                .stdout
                .contains("remove it from its stack and create it again"),
        "{}",
        plan.stdout
    );
    emu.irready(&["apply", "-e", ENV, "--auto-approve"])
        .expect_code(0);
    emu.irready(&["check", "-e", ENV, "--control", "IR-RUN-1"])
        .expect_code(0);
    emu.irready(&["plan", "-e", ENV, "--detailed-exitcode"])
        .expect_code(0);

    // Edited out of band (a new default version): check names it, plan repairs it.
    let name = "irready-tabletop-disable-access-key";
    let current = ssm.get_document().name(name).send().await.unwrap();
    let mut content: serde_json::Value = serde_json::from_str(current.content().unwrap()).unwrap();
    content["description"] = serde_json::json!("edited by hand");
    let updated = ssm
        .update_document()
        .name(name)
        .content(content.to_string())
        .document_version("$LATEST")
        .document_format(aws_sdk_ssm::types::DocumentFormat::Json)
        .send()
        .await
        .unwrap();
    let version = updated
        .document_description()
        .and_then(|d| d.document_version())
        .unwrap()
        .to_owned();
    ssm.update_document_default_version()
        .name(name)
        .document_version(version)
        .send()
        .await
        .unwrap();
    let check = emu.irready(&["check", "-e", ENV, "--control", "IR-RUN-1"]);
    check.expect_code(3);
    assert!(
        check.stdout.contains(&format!(
            "prod-app ({prod})/us-east-1: content differs from what irready renders: {name}"
        )),
        "{}",
        check.stdout
    );
    let plan = emu.irready(&["plan", "-e", ENV, "--detailed-exitcode"]);
    plan.expect_code(2);
    assert!(
        plan.stdout
            .contains("DisableAccessKeyDocument (AWS::SSM::Document irready-tabletop-disable-access-key): content changed outside irready"),
        "{}",
        plan.stdout
    );
    emu.irready(&["apply", "-e", ENV, "--auto-approve"])
        .expect_code(0);
    emu.irready(&["check", "-e", ENV, "--control", "IR-RUN-1"])
        .expect_code(0);
}

#[tokio::test]
async fn respond_says_so_when_the_responder_role_cannot_be_assumed() {
    let emu = Emulator::start();
    let accounts = emu.accounts().await;
    let prod = accounts["prod-app"].as_str();
    // The emulator never refuses AssumeRole: the proxy refuses it into prod-app, for the
    // caller's own credentials and through the member role alike.
    let proxy = common::FaultProxy::start(
        &emu.url,
        &common::Faults {
            seed: 3,
            throttle: 0.0,
            server_error: 0.0,
            reset: 0.0,
            deny_assume_role: &[prod],
            expired_token: false,
        },
    );
    let run = proxy.irready(&[
        "respond",
        "disable-access-key",
        "-e",
        ENV,
        "--account",
        "prod-app",
        "--region",
        "us-east-1",
        "--target",
        "AKIAEXAMPLEEXAMPLE01",
    ]);
    run.expect_code(1);
    assert!(
        run.stderr.contains(&format!(
            "the responder role arn:aws:iam::{prod}:role/irready-responder could not be assumed"
        )) && run
            .stderr
            .contains("run respond with credentials of one of them"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("started"), "{}", run.stderr);
}
