//! The analysis component against the emulated organization: the query tables, the
//! workgroup and the hunting queries, read back through Glue and Athena, and kept in step
//! with the organization by the plan.
//!
//! That each table's DDL and each named query parse as Athena SQL, and that each table's
//! location template names exactly the prefix a real delivery writes, is tested on the
//! same files (`templates/analysis/`) by the emulator's tests
//! (`tests/emulator/test_analysis_sql.py`, with sqlglot's Athena dialect).

mod common;

use std::collections::BTreeSet;

use common::{changing, write_env, Emulator};
use serde_json::Value;

const DEMO: &str = "environments/demo.yaml";

/// The demo environment with the accounts of OU `Sandbox` left out of the targets: an
/// account created there joins the organization without becoming a target.
fn sandboxed(dir: &std::path::Path) -> std::path::PathBuf {
    let text = std::fs::read_to_string(common::repo().join(DEMO)).unwrap();
    let text = text.replace(
        "  targets:\n    all: true\n",
        "  targets:\n    all: true\n    exclude_ous: [Root/Sandbox]\n",
    );
    assert!(text.contains("exclude_ous"), "the demo's targets changed");
    write_env(dir, "demo.yaml", &text)
}

#[tokio::test]
async fn the_archive_is_queryable_after_apply_and_its_tables_follow_the_organization() {
    let emu = Emulator::start();
    let accounts = emu.accounts().await;
    let forensics = &accounts["forensics"];
    let org_id = emu.organization_id().await;
    let org = aws_sdk_organizations::Client::new(&emu.base_config());
    let root = org.list_roots().send().await.unwrap().roots()[0]
        .id()
        .unwrap()
        .to_owned();
    let sandbox = org
        .create_organizational_unit()
        .parent_id(&root)
        .name("Sandbox")
        .send()
        .await
        .unwrap()
        .organizational_unit()
        .unwrap()
        .id()
        .unwrap()
        .to_owned();
    let dir = tempfile::tempdir().unwrap();
    let env = sandboxed(dir.path());
    let env = env.to_str().unwrap();

    emu.irready(&["apply", "-e", env, "--auto-approve"])
        .expect_code(0);

    let glue = emu
        .regional(forensics, "us-east-1", aws_sdk_glue::Client::new)
        .await;
    let archive = format!("irready-demo-logs-{forensics}-us-east-1");
    let org_accounts: BTreeSet<String> = accounts.values().cloned().collect();
    let projected = |table: &aws_sdk_glue::types::Table, key: &str| -> BTreeSet<String> {
        table.parameters().unwrap()[&format!("projection.{key}.values")]
            .split(',')
            .map(str::to_owned)
            .collect()
    };
    let expected_locations = [
        (
            "cloudtrail",
            format!(
                "s3://{archive}/AWSLogs/{org_id}/${{account}}/CloudTrail/${{region}}/${{date}}/"
            ),
        ),
        (
            "vpc_flow_logs",
            format!("s3://{archive}/AWSLogs/${{account}}/vpcflowlogs/${{region}}/${{date}}/"),
        ),
        (
            "dns_query_logs",
            format!("s3://{archive}/AWSLogs/${{account}}/vpcdnsquerylogs/${{vpc}}/${{date}}/"),
        ),
        (
            "guardduty_findings",
            format!("s3://{archive}/AWSLogs/${{account}}/GuardDuty/${{region}}/${{date}}/"),
        ),
    ];
    for (name, location) in &expected_locations {
        let table = glue
            .get_table()
            .database_name("irready_demo")
            .name(*name)
            .send()
            .await
            .unwrap_or_else(|e| panic!("table {name}: {e:?}"));
        let table = table.table().unwrap();
        let parameters = table.parameters().unwrap();
        assert_eq!(&parameters["storage.location.template"], location, "{name}");
        assert_eq!(parameters["projection.enabled"], "true", "{name}");
        assert_eq!(parameters["projection.account.type"], "enum", "{name}");
        assert_eq!(projected(table, "account"), org_accounts, "{name}");
        if *name == "vpc_flow_logs" || *name == "guardduty_findings" {
            let regions: BTreeSet<String> = ["us-east-1", "eu-west-1"].map(str::to_owned).into();
            assert_eq!(projected(table, "region"), regions, "{name}");
        }
        assert!(
            location.starts_with(table.storage_descriptor().unwrap().location().unwrap()),
            "{name}: the location is the template's head"
        );
    }

    let athena = emu
        .regional(forensics, "us-east-1", aws_sdk_athena::Client::new)
        .await;
    let group = athena
        .get_work_group()
        .work_group("irready-demo")
        .send()
        .await
        .unwrap();
    let config = group.work_group().unwrap().configuration().unwrap();
    assert_eq!(config.enforce_work_group_configuration(), Some(true));
    assert_eq!(
        config.bytes_scanned_cutoff_per_query(),
        Some(1_000_000_000_000)
    );
    let results = config.result_configuration().unwrap();
    assert_eq!(
        results.output_location(),
        Some(format!("s3://irready-demo-athena-{forensics}-us-east-1/results/").as_str())
    );
    let encryption = results.encryption_configuration().unwrap();
    assert_eq!(encryption.encryption_option().as_str(), "SSE_KMS");
    assert!(encryption
        .kms_key()
        .unwrap()
        .starts_with("arn:aws:kms:us-east-1:"));
    let ids = athena
        .list_named_queries()
        .work_group("irready-demo")
        .send()
        .await
        .unwrap()
        .named_query_ids()
        .to_vec();
    let queries = athena
        .batch_get_named_query()
        .set_named_query_ids(Some(ids))
        .send()
        .await
        .unwrap();
    let names: BTreeSet<&str> = queries.named_queries().iter().map(|q| q.name()).collect();
    let files = std::fs::read_dir(common::repo().join("templates/analysis/queries"))
        .unwrap()
        .count();
    assert_eq!(names.len(), files, "{names:?}");
    assert!(names.contains("irready-access-key-activity"), "{names:?}");
    assert!(queries
        .named_queries()
        .iter()
        .all(|q| q.database() == "irready_demo" && q.query_string().contains('?')));

    // The investigator of the forensic account may query.
    let iam = aws_sdk_iam::Client::new(&emu.account_config(forensics).await);
    let attached = iam
        .list_attached_role_policies()
        .role_name("irready-investigator")
        .send()
        .await
        .unwrap();
    assert!(attached.attached_policies().iter().any(|p| p
        .policy_name()
        .unwrap()
        .starts_with("irready-demo-analysis-InvestigatorQueryPolicy-")));

    let check = emu.irready(&[
        "check",
        "-e",
        env,
        "--control",
        "IR-QUERY-1",
        "--control",
        "IR-QUERY-2",
    ]);
    check.expect_code(0);

    // An account joins the organization (in an OU the environment leaves out): the next
    // plan changes each table's account projection and nothing else.
    let joined = org
        .create_account()
        .account_name("sandbox-1")
        .email("sandbox-1@example.com")
        .send()
        .await
        .unwrap()
        .create_account_status()
        .unwrap()
        .account_id()
        .unwrap()
        .to_owned();
    org.move_account()
        .account_id(&joined)
        .source_parent_id(&root)
        .destination_parent_id(&sandbox)
        .send()
        .await
        .unwrap();
    let plan = emu.irready(&["plan", "-e", env, "--detailed-exitcode", "--format", "json"]);
    plan.expect_code(2);
    let plan = plan.json();
    assert_eq!(
        changing(&plan),
        BTreeSet::from([format!(
            "{forensics}/us-east-1/irready-demo-analysis update"
        )])
    );
    let stack = plan["stacks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["action"] == "update")
        .unwrap();
    let mut paths = BTreeSet::new();
    for resource in stack["resources"].as_array().unwrap() {
        assert_eq!(resource["action"], "modify", "{resource}");
        for property in resource["properties"].as_array().unwrap() {
            paths.insert(property["path"].as_str().unwrap().to_owned());
            let after = property["after"].as_str().unwrap();
            assert!(after.contains(&joined), "{property}");
        }
    }
    assert_eq!(
        paths,
        BTreeSet::from(["TableInput.Parameters.projection.account.values".to_owned()])
    );
    let text = emu.irready(&["plan", "-e", env]);
    assert!(
        text.stdout
            .contains("~ TableInput.Parameters.projection.account.values"),
        "{}",
        text.stdout
    );

    emu.irready(&["apply", "-e", env, "--auto-approve"])
        .expect_code(0);
    emu.irready(&["plan", "-e", env, "--detailed-exitcode"])
        .expect_code(0);
    let table = glue
        .get_table()
        .database_name("irready_demo")
        .name("cloudtrail")
        .send()
        .await
        .unwrap();
    assert!(projected(table.table().unwrap(), "account").contains(&joined));

    // The workgroup edited outside irready: check names what is wrong.
    athena
        .update_work_group()
        .work_group("irready-demo")
        .configuration_updates(
            aws_sdk_athena::types::WorkGroupConfigurationUpdates::builder()
                .enforce_work_group_configuration(false)
                .remove_bytes_scanned_cutoff_per_query(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let check = emu.irready(&[
        "check",
        "-e",
        env,
        "--control",
        "IR-QUERY-2",
        "--format",
        "json",
    ]);
    check.expect_code(3);
    let report: Value = check.json();
    let message = report["findings"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("clients may override its settings"),
        "{message}"
    );
    assert!(
        message.contains("no limit on the data one query scans"),
        "{message}"
    );
}
