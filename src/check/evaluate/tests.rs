use serde_json::json;

use super::*;
use crate::check::controls;
use crate::check::Status;

#[test]
fn every_principal_of_a_trust_policy_is_found_whatever_its_form() {
    let statement = json!({
        "Effect": "Allow",
        "Principal": { "AWS": ["arn:aws:iam::111111111111:root", "arn:aws:iam::222222222222:role/x"], "Service": "ec2.amazonaws.com" },
    });
    assert_eq!(
        principals(&statement),
        [
            "arn:aws:iam::111111111111:root",
            "arn:aws:iam::222222222222:role/x",
            "ec2.amazonaws.com"
        ]
    );
    assert_eq!(principals(&json!({ "Principal": "*" })), ["*"]);
    assert_eq!(
        statements(&json!({ "Statement": { "Effect": "Allow" } })).len(),
        1
    );
}

#[test]
fn a_vpc_without_what_the_control_wants_fails_and_is_named() {
    let vpc = |id: &str| crate::aws::ec2::VpcFact {
        id: id.to_owned(),
        cidr: "10.0.0.0/16".to_owned(),
        is_default: false,
        tags: Default::default(),
    };
    let (a, b) = (vpc("vpc-a"), vpc("vpc-b"));
    let Verdict {
        status,
        message,
        evidence,
    } = per_vpc(&[&a, &b], "flow log", |id| {
        (id == "vpc-a").then(|| "fl-1".to_owned())
    });
    assert_eq!(status, Status::Fail);
    assert_eq!(message, "no flow log on vpc-b");
    assert_eq!(evidence, ["vpc-a: fl-1"]);
    let Verdict { status, .. } = per_vpc(&[], "flow log", |_| None);
    assert_eq!(status, Status::NotApplicable);
}

#[test]
fn an_account_that_cannot_be_read_is_an_error_there_and_the_others_are_still_judged() {
    let yaml = "name: t\nhome_region: us-east-1\nregions: [us-east-1]\n\
                organization: { targets: { all: true } }\n\
                logging: { guardduty: { features: [s3] }, cloudtrail: false, flow_logs: false, config: false, dns_query_logs: false, alarms: false }\n\
                forensic: { account: forensics }\n";
    let env = crate::config::parse(std::path::Path::new("env.yaml"), yaml).expect("valid file");
    let scope = crate::discover::scope::resolve(&env, crate::discover::scope::tests::org(), None)
        .expect("resolves");
    let target =
        |account: &str| Target::new(account.parse().unwrap(), "us-east-1".parse().unwrap());
    let detector = crate::aws::guardduty::DetectorFact {
        id: "d-1".to_owned(),
        enabled: true,
        finding_frequency: Some("FIFTEEN_MINUTES".to_owned()),
        features: [("S3_DATA_EVENTS".to_owned(), "ENABLED".to_owned())].into(),
    };
    let mut postures: BTreeMap<Target, Result<TargetPosture, AwsError>> = scope
        .accounts
        .iter()
        .map(|a| {
            let posture = TargetPosture {
                detectors: vec![detector.clone()],
                ..TargetPosture::default()
            };
            (target(a.as_str()), Ok(posture))
        })
        .collect();
    postures.insert(
        target("444444444444"),
        Err(AwsError::other("sts:AssumeRole", "access denied")),
    );
    let guardduty = controls::of(ControlId::GuardDuty);
    let findings = evaluate(&env, &scope, &[guardduty], &postures);
    let status = |account: &str| {
        findings
            .iter()
            .find(|f| f.target == target(account))
            .map(|f| f.status)
    };
    assert_eq!(status("444444444444"), Some(Status::Error));
    assert_eq!(status("555555555555"), Some(Status::Pass));
    assert_eq!(
        findings.iter().filter(|f| f.status == Status::Pass).count(),
        4
    );
    assert!(findings
        .iter()
        .find(|f| f.status == Status::Error)
        .is_some_and(|f| f.message.contains("access denied")));
}

#[test]
fn the_evidence_key_admits_accounts_by_organization_or_by_name_and_nothing_else() {
    let account: crate::addr::AccountId = "444444444444".parse().unwrap();
    let by_org = json!({ "Statement": [{
        "Effect": "Allow", "Principal": { "AWS": "*" },
        "Action": ["kms:Decrypt", "kms:ReEncrypt*", "kms:CreateGrant"], "Resource": "*",
        "Condition": { "StringEquals": { "aws:PrincipalOrgID": "o-abc", "kms:ViaService": "ec2.us-east-1.amazonaws.com" } },
    }]});
    assert!(key_admits(
        &by_org,
        "kms:ReEncryptTo",
        &account,
        Some("o-abc")
    ));
    assert!(key_admits(
        &by_org,
        "kms:CreateGrant",
        &account,
        Some("o-abc")
    ));
    assert!(!key_admits(
        &by_org,
        "kms:CreateGrant",
        &account,
        Some("o-other")
    ));
    assert!(!key_admits(
        &by_org,
        "kms:ScheduleKeyDeletion",
        &account,
        Some("o-abc")
    ));
    let by_name = json!({ "Statement": {
        "Effect": "Allow", "Principal": { "AWS": ["arn:aws:iam::444444444444:root"] },
        "Action": "kms:*", "Resource": "*",
    }});
    assert!(key_admits(&by_name, "kms:Decrypt", &account, None));
    let other: crate::addr::AccountId = "555555555555".parse().unwrap();
    assert!(!key_admits(&by_name, "kms:Decrypt", &other, None));
}

#[test]
fn the_automation_role_may_trust_systems_manager_only() {
    let ssm_only = json!({ "Statement": [{ "Effect": "Allow", "Principal": { "Service": "ssm.amazonaws.com" }, "Action": "sts:AssumeRole" }] });
    assert!(trusted_besides_ssm(&ssm_only).is_empty());
    let widened = json!({ "Statement": [
        { "Effect": "Allow", "Principal": { "Service": ["ssm.amazonaws.com", "ec2.amazonaws.com"] }, "Action": "sts:AssumeRole" },
        { "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::555555555555:root" }, "Action": "sts:AssumeRole" },
    ]});
    assert_eq!(
        trusted_besides_ssm(&widened),
        [
            "Service:ec2.amazonaws.com",
            "AWS:arn:aws:iam::555555555555:root"
        ]
    );
}
