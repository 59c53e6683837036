//! An apply killed with SIGKILL while its change sets execute: the next plan explains
//! what is left, and the next apply converges on the state an uninterrupted apply reaches,
//! with no duplicate resources and no change set left behind.

mod common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::Duration;

use common::{irready_command, Emulator, MANAGEMENT};

const DEMO: &str = "environments/demo.yaml";

#[tokio::test]
async fn an_apply_killed_mid_flight_is_explained_by_the_next_plan_and_finished_by_the_next_apply() {
    // Each execution waits 2 s in the emulator, so that the kill lands while change sets
    // execute (the emulator otherwise executes them at once).
    let emu = Emulator::start_with(&[("IRREADY_EMULATOR_EXECUTE_DELAY_MS", "2000")]);
    let accounts = emu.accounts().await;

    let mut child = irready_command(&["apply", "-e", DEMO, "--auto-approve"], Some(&emu.url))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("irready starts");
    let stderr = child.stderr.take().unwrap();
    let mut seen = Vec::new();
    for line in BufReader::new(stderr).lines() {
        let line = line.unwrap();
        let executing = line.contains("executing");
        seen.push(line);
        if executing {
            break;
        }
    }
    assert!(
        seen.iter().any(|l| l.contains("executing")),
        "apply reached no execution: {seen:?}"
    );
    // SIGKILL: no cleanup, no lock release.
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success());
    // Let the executions already sent finish server-side, as they do on AWS.
    tokio::time::sleep(Duration::from_secs(3)).await;

    // The next plan explains the state and still has work to do: stacks whose create
    // never ran show as such ("only a change set exists"), none is left unplannable.
    let plan = emu.irready(&["plan", "-e", DEMO, "--detailed-exitcode"]);
    plan.expect_code(2);
    assert!(!plan.stdout.contains("Errors"), "{}", plan.stdout);

    // The next apply takes the dead run's lock over and finishes.
    let apply = emu.irready(&["apply", "-e", DEMO, "--auto-approve"]);
    apply.expect_code(0);
    assert!(
        apply
            .stderr
            .contains("that process no longer runs on this host"),
        "{}",
        apply.stderr
    );
    emu.irready(&["plan", "-e", DEMO, "--detailed-exitcode"])
        .expect_code(0);

    // The same state as an uninterrupted apply: every stack once, no change set left,
    // one detector and one flow log per VPC and region, one trail.
    let mut stacks = 0;
    for account in accounts.values() {
        for region in ["us-east-1", "eu-west-1"] {
            let cfn = emu.cloudformation(account, region).await;
            let described = cfn.describe_stacks().send().await.unwrap();
            for stack in described.stacks() {
                stacks += 1;
                let name = stack.stack_name().unwrap();
                assert!(
                    stack
                        .stack_status()
                        .is_some_and(|s| s.as_str().ends_with("_COMPLETE")),
                    "{name} in {account}/{region}: {:?}",
                    stack.stack_status()
                );
                let change_sets = cfn
                    .list_change_sets()
                    .stack_name(name)
                    .send()
                    .await
                    .unwrap();
                assert!(
                    change_sets.summaries().is_empty(),
                    "{name} in {account}/{region} keeps change sets"
                );
            }
            let guardduty = emu
                .regional(account, region, aws_sdk_guardduty::Client::new)
                .await;
            let detectors = guardduty.list_detectors().send().await.unwrap();
            assert_eq!(detectors.detector_ids().len(), 1, "{account}/{region}");
            let ec2 = emu.ec2(account, region).await;
            let vpcs = ec2.describe_vpcs().send().await.unwrap();
            let flow_logs = ec2.describe_flow_logs().send().await.unwrap();
            for vpc in vpcs.vpcs() {
                let id = vpc.vpc_id().unwrap();
                let on_vpc = flow_logs
                    .flow_logs()
                    .iter()
                    .filter(|f| f.resource_id() == Some(id))
                    .count();
                assert_eq!(on_vpc, 1, "flow logs on {id} in {account}/{region}");
            }
        }
    }
    assert_eq!(stacks, 53, "every stack of the demo, once");
    let trails = emu
        .regional(MANAGEMENT, "us-east-1", aws_sdk_cloudtrail::Client::new)
        .await;
    let listed = trails.describe_trails().send().await.unwrap();
    assert_eq!(listed.trail_list().len(), 1);
}
