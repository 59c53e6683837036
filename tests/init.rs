//! End to end: `irready init` writes an environment file from the emulated organization
//! that names its accounts and OUs, proposes the forensic account, says what exists
//! already, validates and plans; it never overwrites a file without --force.

mod common;

use common::Emulator;

#[tokio::test]
async fn init_writes_a_file_that_validates_and_plans_and_says_what_exists() {
    let emu = Emulator::start();
    let accounts = emu.accounts().await;
    // A detector made outside irready in prod-app, as a team might have.
    let guardduty = emu
        .regional(
            &accounts["prod-app"],
            "us-east-1",
            aws_sdk_guardduty::Client::new,
        )
        .await;
    let detector = guardduty
        .create_detector()
        .enable(true)
        .send()
        .await
        .unwrap()
        .detector_id()
        .unwrap()
        .to_owned();

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("environments/first.yaml");
    let file = file.to_str().unwrap();
    let run = emu.irready(&["init", "-o", file, "--name", "first"]);
    run.expect_code(0);
    assert!(
        run.stdout.contains(&format!("Wrote {file}.")),
        "{}",
        run.stdout
    );
    let text = std::fs::read_to_string(file).unwrap();
    for (name, id) in &accounts {
        assert!(
            text.contains(&format!("{name} ({id})")),
            "{name} in:\n{text}"
        );
    }
    for ou in ["Root/Security", "Root/Workloads"] {
        assert!(text.contains(ou), "{ou} in:\n{text}");
    }
    assert!(text.contains("  account: forensics\n"), "{text}");
    assert!(
        text.contains("  security_principals: [security]\n"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "Detectors that exist (us-east-1): {detector} in prod-app"
        )),
        "{text}"
    );
    assert!(text.contains("adopt: true"), "{text}");

    emu.irready(&["validate", "-e", file]).expect_code(0);
    let plan = emu.irready(&["plan", "-e", file, "--format", "json"]);
    plan.expect_code(0);
    let plan = plan.json();
    assert!(!plan["stacks"].as_array().unwrap().is_empty());
    // The detector is weighed, as the file said it would be.
    assert!(
        plan["existing"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["resource_id"] == detector.as_str()),
        "{}",
        plan["existing"]
    );

    let again = emu.irready(&["init", "-o", file]);
    again.expect_code(1);
    assert!(
        again
            .stderr
            .contains("does not overwrite it (pass --force to replace it)"),
        "{}",
        again.stderr
    );
    emu.irready(&["init", "-o", file, "--force", "--name", "second"])
        .expect_code(0);
    assert!(std::fs::read_to_string(file)
        .unwrap()
        .contains("name: second\n"));
}
