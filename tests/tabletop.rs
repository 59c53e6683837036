//! End to end: tabletop exercises (`tabletop up` / `down`) and `destroy --expired`,
//! against the emulated organization, read back through EC2, IAM, S3 and CloudFormation.

mod common;

use common::{write_env, Emulator};

/// environments/tabletop.yaml with another expiry.
fn tabletop(expires: &str) -> String {
    std::fs::read_to_string(common::repo().join("environments/tabletop.yaml"))
        .unwrap()
        .replace("  expires: 7d\n", &format!("  expires: {expires}\n"))
}

fn exercise_tag(tags: &[aws_sdk_ec2::types::Tag]) -> Option<&str> {
    tags.iter()
        .find(|t| t.key() == Some("irready:exercise"))
        .and_then(|t| t.value())
}

#[tokio::test]
async fn tabletop_up_plants_the_exercise_prints_its_brief_and_down_leaves_only_evidence() {
    let emu = Emulator::start();
    let accounts = emu.accounts().await;
    // The first target by name that is not the forensic account.
    let (dev, forensics) = (&accounts["dev-app"], &accounts["forensics"]);
    let env = "environments/tabletop.yaml";

    let up = emu.irready(&[
        "tabletop",
        "up",
        "-e",
        env,
        "--scenario",
        "compromised-instance",
        "--auto-approve",
    ]);
    up.expect_code(0);

    // The instance exists, tagged, and the brief names it, the isolation group of its
    // VPC and the responder role.
    let ec2 = emu.ec2(dev, "us-east-1").await;
    let instances: Vec<_> = ec2
        .describe_instances()
        .send()
        .await
        .unwrap()
        .reservations()
        .iter()
        .flat_map(|r| r.instances().to_vec())
        .collect();
    assert_eq!(instances.len(), 1, "{instances:?}");
    let instance = &instances[0];
    assert_eq!(exercise_tag(instance.tags()), Some("compromised-instance"));
    let groups = ec2
        .describe_security_groups()
        .filters(common::filter("tag:irready:isolation", "true"))
        .filters(common::filter("vpc-id", instance.vpc_id().unwrap()))
        .send()
        .await
        .unwrap();
    let isolation = groups.security_groups()[0].group_id().unwrap();
    for expected in [
        "Tabletop exercise: compromised-instance".to_owned(),
        format!("instance {}", instance.instance_id().unwrap()),
        format!("the isolation group {isolation}."),
        format!("the responder role arn:aws:iam::{dev}:role/irready-responder."),
        format!("irready-tabletop-evidence-{forensics}-us-east-1"),
        "The environment expires at ".to_owned(),
        // The runbooks, against this instance.
        format!(
            "irready respond isolate-instance -e {env} --account dev-app --region us-east-1 --target {}",
            instance.instance_id().unwrap()
        ),
        format!(
            "irready respond acquire-volumes -e {env} --account dev-app --region us-east-1 --target {}",
            instance.instance_id().unwrap()
        ),
    ] {
        assert!(
            up.stdout.contains(&expected),
            "{expected} in\n{}",
            up.stdout
        );
    }
    // Every stack of the environment carries its expiry; the exercise stack too, and
    // no plan touches it.
    let cfn = emu.cloudformation(dev, "us-east-1").await;
    let stacks = cfn.describe_stacks().send().await.unwrap();
    assert_eq!(
        stacks.stacks().len(),
        6,
        "access, alerts, baseline, instance and identity runbooks, exercise"
    );
    for stack in stacks.stacks() {
        assert!(
            stack
                .tags()
                .iter()
                .any(|t| t.key() == Some("irready:expires")),
            "{:?}",
            stack.stack_name()
        );
    }
    emu.irready(&["plan", "-e", env, "--detailed-exitcode"])
        .expect_code(0);

    // Not expired: kept. A file that is not ephemeral is never destroyed by --expired.
    let kept = emu.irready(&[
        "destroy",
        "--expired",
        "-e",
        env,
        "-e",
        "environments/demo.yaml",
        "--auto-approve",
    ]);
    kept.expect_code(0);
    assert!(
        kept.stdout.contains("tabletop: kept: expires at "),
        "{}",
        kept.stdout
    );
    assert!(
        kept.stdout.contains("demo: kept: not ephemeral"),
        "{}",
        kept.stdout
    );
    assert_eq!(emu.stack_count(dev, "us-east-1").await, 6);

    let down = emu.irready(&["tabletop", "down", "-e", env, "--auto-approve"]);
    down.expect_code(0);
    assert!(
        down.stdout
            .contains("Destroy complete: 14 stacks deleted, 0 failed."),
        "{}",
        down.stdout
    );
    // The exercise is gone: the instance terminated, no stack left anywhere.
    let states: Vec<String> = ec2
        .describe_instances()
        .send()
        .await
        .unwrap()
        .reservations()
        .iter()
        .flat_map(|r| r.instances().to_vec())
        .map(|i| i.state().unwrap().name().unwrap().as_str().to_owned())
        .collect();
    assert_eq!(states, ["terminated"]);
    for account in [dev, forensics, &accounts["prod-app"]] {
        assert_eq!(emu.stack_count(account, "us-east-1").await, 0, "{account}");
    }
    // Only the retained evidence stays.
    let s3 = emu.s3(forensics, "us-east-1").await;
    let mut buckets: Vec<String> = s3
        .list_buckets()
        .send()
        .await
        .unwrap()
        .buckets()
        .iter()
        .map(|b| b.name().unwrap().to_owned())
        .collect();
    buckets.sort();
    assert_eq!(
        buckets,
        [
            format!("irready-tabletop-access-{forensics}-us-east-1"),
            // The analysis component's query results, retained like every bucket.
            format!("irready-tabletop-athena-{forensics}-us-east-1"),
            format!("irready-tabletop-config-{forensics}-us-east-1"),
            format!("irready-tabletop-evidence-{forensics}-us-east-1"),
            format!("irready-tabletop-logs-{forensics}-us-east-1"),
        ]
    );
    let logs = emu
        .regional(forensics, "us-east-1", aws_sdk_cloudwatchlogs::Client::new)
        .await;
    // The forensic VPC's flow logs and DNS query logs.
    let groups = logs.describe_log_groups().send().await.unwrap();
    assert_eq!(groups.log_groups().len(), 2);
}

#[tokio::test]
async fn leaked_key_exercise_is_found_by_destroy_expired_once_past_its_expiry() {
    let emu = Emulator::start();
    let accounts = emu.accounts().await;
    let dev = &accounts["dev-app"];
    let dir = tempfile::tempdir().unwrap();
    let past = write_env(dir.path(), "past.yaml", &tabletop("2020-01-01T00:00:00Z"));
    let past = past.to_str().unwrap();

    let up = emu.irready(&[
        "tabletop",
        "up",
        "-e",
        past,
        "--scenario",
        "leaked-key",
        "--auto-approve",
    ]);
    up.expect_code(0);
    let iam = emu.iam(dev).await;
    let keys = iam
        .list_access_keys()
        .user_name("irready-exercise-leaked-key")
        .send()
        .await
        .unwrap();
    let key = keys.access_key_metadata()[0].access_key_id().unwrap();
    assert!(
        up.stdout.contains(&format!("Disable access key {key}")),
        "{}",
        up.stdout
    );
    assert!(up
        .stdout
        .contains(&format!("arn:aws:iam::{dev}:policy/irready-deny-all")));
    assert!(
        !up.stdout.to_lowercase().contains("secret"),
        "{}",
        up.stdout
    );

    let run = emu.irready(&["destroy", "--expired", "-e", past, "--auto-approve"]);
    run.expect_code(0);
    assert!(
        run.stdout
            .contains("tabletop: expired at 2020-01-01T00:00:00Z: destroying"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("Tabletop exercise leaked-key: "),
        "{}",
        run.stdout
    );
    assert!(iam
        .get_user()
        .user_name("irready-exercise-leaked-key")
        .send()
        .await
        .is_err());
    for account in accounts.values() {
        assert_eq!(emu.stack_count(account, "us-east-1").await, 0, "{account}");
    }
}
