//! Faults between irready and AWS: throttling, 500s and reset connections injected by
//! `scripts/fault-proxy` on loopback, and a member account that refuses the role. Results
//! are read back from the emulator directly, past the proxy.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{stack_actions, Emulator, FaultProxy, Faults};

const DEMO: &str = "environments/demo.yaml";
const REGIONS: [&str; 2] = ["us-east-1", "eu-west-1"];

/// The stack names in one account and region, each once or the test fails.
async fn unique_stacks(emu: &Emulator, account: &str, region: &str) -> BTreeSet<String> {
    let cfn = emu.cloudformation(account, region).await;
    let stacks = cfn.describe_stacks().send().await.unwrap();
    let names: Vec<String> = stacks
        .stacks()
        .iter()
        .map(|s| s.stack_name().unwrap().to_owned())
        .collect();
    let unique: BTreeSet<String> = names.iter().cloned().collect();
    assert_eq!(names.len(), unique.len(), "{account}/{region}: {names:?}");
    unique
}

/// Per VPC, how many flow logs and isolation groups exist.
async fn per_vpc(emu: &Emulator, account: &str, region: &str) -> BTreeMap<String, (usize, usize)> {
    let ec2 = emu.ec2(account, region).await;
    let mut counts: BTreeMap<String, (usize, usize)> = ec2
        .describe_vpcs()
        .send()
        .await
        .unwrap()
        .vpcs()
        .iter()
        .map(|v| (v.vpc_id().unwrap().to_owned(), (0, 0)))
        .collect();
    for log in ec2.describe_flow_logs().send().await.unwrap().flow_logs() {
        if let Some(entry) = counts.get_mut(log.resource_id().unwrap()) {
            entry.0 += 1;
        }
    }
    let groups = ec2.describe_security_groups().send().await.unwrap();
    for group in groups.security_groups() {
        let isolation = group
            .tags()
            .iter()
            .any(|t| t.key() == Some("irready:isolation") && t.value() == Some("true"));
        if isolation {
            counts.get_mut(group.vpc_id().unwrap()).unwrap().1 += 1;
        }
    }
    counts
}

#[tokio::test]
async fn throttling_errors_and_resets_change_nothing_in_the_result() {
    let emu = Emulator::start();
    let accounts = emu.accounts().await;
    let proxy = FaultProxy::start(
        &emu.url,
        &Faults {
            seed: 20,
            throttle: 0.20,
            server_error: 0.05,
            reset: 0.02,
            deny_assume_role: &[],
            expired_token: false,
        },
    );

    let clean = emu.irready(&["plan", "-e", DEMO, "--format", "json"]);
    clean.expect_code(0);
    let faulty = proxy.irready(&["plan", "-e", DEMO, "--format", "json"]);
    assert!(
        faulty.json()["errors"].as_array().unwrap().is_empty(),
        "{}",
        faulty.json()["errors"]
    );
    faulty.expect_code(0);
    assert_eq!(stack_actions(&faulty.json()), stack_actions(&clean.json()));
    assert_eq!(faulty.json()["images"], clean.json()["images"]);

    proxy
        .irready(&["apply", "-e", DEMO, "--auto-approve"])
        .expect_code(0);
    let counts = proxy.counts();
    assert!(counts["throttled"] >= 20, "{counts:?}");
    assert!(counts["server_errors"] >= 3, "{counts:?}");
    assert!(counts["resets"] >= 1, "{counts:?}");

    // The same state as without faults: nothing left to change, seen past the proxy.
    emu.irready(&["plan", "-e", DEMO, "--detailed-exitcode"])
        .expect_code(0);
    // Nothing made twice: each stack once, one flow log and one isolation group per VPC,
    // one copy of the image apply copied.
    let mut stacks = 0;
    for account in accounts.values() {
        for region in REGIONS {
            stacks += unique_stacks(&emu, account, region).await.len();
            for (vpc, (flow_logs, isolation)) in per_vpc(&emu, account, region).await {
                assert_eq!(flow_logs, 1, "flow logs of {vpc} in {account}/{region}");
                let forensic = account == &accounts["forensics"] && isolation == 0;
                assert!(
                    isolation == 1 || forensic,
                    "isolation groups of {vpc}: {isolation}"
                );
            }
        }
    }
    // Every stack of the demo (the count is explained in tests/core.rs).
    assert_eq!(stacks, 53);
    let west = emu.ec2(&accounts["forensics"], "eu-west-1").await;
    let copies = west
        .describe_images()
        .owners("self")
        .filters(
            aws_sdk_ec2::types::Filter::builder()
                .name("tag:irready:image")
                .values("sift")
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(copies.images().len(), 1, "{copies:?}");
}

#[tokio::test]
async fn an_account_that_refuses_the_role_fails_only_its_own_targets() {
    let emu = Emulator::start();
    let accounts = emu.accounts().await;
    let refusing = accounts["dev-app"].clone();
    let proxy = FaultProxy::start(
        &emu.url,
        &Faults {
            seed: 1,
            throttle: 0.0,
            server_error: 0.0,
            reset: 0.0,
            deny_assume_role: &[&refusing],
            expired_token: false,
        },
    );

    let plan = proxy.irready(&[
        "plan",
        "-e",
        DEMO,
        "--format",
        "json",
        "--detailed-exitcode",
    ]);
    plan.expect_code(5);
    let json = plan.json();
    let failed: BTreeSet<String> = json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert!(
                e["message"].as_str().unwrap().contains("AccessDenied"),
                "{e}"
            );
            format!(
                "{}/{}",
                e["target"]["account"].as_str().unwrap(),
                e["target"]["region"].as_str().unwrap()
            )
        })
        .collect();
    let expected: BTreeSet<String> = REGIONS.iter().map(|r| format!("{refusing}/{r}")).collect();
    assert_eq!(failed, expected);
    let planned = stack_actions(&json);
    assert!(
        planned.iter().all(|s| !s.starts_with(refusing.as_str())),
        "{planned:?}"
    );
    // Every stack but dev-app's nine (access, breakglass alerts and regional baseline in
    // two regions, the two runbooks stacks in two regions).
    assert_eq!(planned.len(), 53 - 9, "{planned:?}");

    let text = proxy.irready(&["plan", "-e", DEMO]);
    text.expect_code(5);
    assert!(
        text.stdout.contains(&format!(
            "dev-app ({refusing})/eu-west-1,us-east-1: sts:AssumeRole: AccessDenied: "
        )),
        "{}",
        text.stdout
    );

    let apply = proxy.irready(&["apply", "-e", DEMO, "--auto-approve"]);
    apply.expect_code(5);
    assert!(
        apply.stdout.contains("44 stacks applied, 0 failed")
            && apply.stdout.contains("2 targets not planned"),
        "{}",
        apply.stdout
    );
    for region in REGIONS {
        assert!(unique_stacks(&emu, &refusing, region).await.is_empty());
        assert!(!unique_stacks(&emu, &accounts["prod-app"], region)
            .await
            .is_empty());
    }
    assert_eq!(proxy.counts()["denied"], 3, "one AssumeRole per run");
}
