use std::collections::{BTreeMap, BTreeSet};

use super::*;

fn target() -> Target {
    Target::new(
        "123456789012".parse().unwrap(),
        "us-east-1".parse().unwrap(),
    )
}

fn trail_spec() -> CloudTrailSpec {
    CloudTrailSpec {
        organization: true,
        data_events: vec![DataEvents::S3, DataEvents::Lambda],
        cloudwatch_retention_days: 400,
    }
}

/// A trail that meets every setting of `trail_spec`, its log group in `target()`.
fn compliant_trail(name: &str) -> TrailFact {
    TrailFact {
        name: name.to_owned(),
        arn: format!("arn:aws:cloudtrail:us-east-1:123456789012:trail/{name}"),
        home_region: "us-east-1".to_owned(),
        is_organization: true,
        is_multi_region: true,
        include_global_events: true,
        log_file_validation: true,
        is_logging: true,
        kms_key_id: Some("arn:aws:kms:us-east-1:123456789012:key/k".to_owned()),
        s3_bucket: Some("ct-logs".to_owned()),
        log_group_arn: Some(
            "arn:aws:logs:us-east-1:123456789012:log-group:/aws/controltower/ct:*".to_owned(),
        ),
        management_events: true,
        data_event_types: BTreeSet::from([
            "AWS::S3::Object".to_owned(),
            "AWS::Lambda::Function".to_owned(),
        ]),
        delivery_errors: Vec::new(),
    }
}

#[test]
fn a_compliant_trail_is_satisfied_and_the_alarms_go_on_its_log_group() {
    let (findings, covering) = trail(
        &trail_spec(),
        true,
        true,
        &target(),
        &[compliant_trail("org-trail")],
    );
    let covering = covering.expect("the trail covers the control");
    assert_eq!(covering.log_group.as_deref(), Some("/aws/controltower/ct"));
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].control, ControlId::Trail);
    assert!(findings[0].resource_id.ends_with("trail/org-trail"));
    assert_eq!(
        findings[0].verdict,
        Verdict::Satisfied {
            note: Some("the CIS alarms go on its log group /aws/controltower/ct".to_owned())
        }
    );
}

#[test]
fn a_trail_that_falls_short_names_every_gap_and_irready_makes_its_own() {
    let mut weak = compliant_trail("org-trail");
    weak.log_file_validation = false;
    weak.data_event_types.clear();
    let (findings, covering) = trail(&trail_spec(), true, true, &target(), &[weak]);
    assert_eq!(covering, None);
    let Verdict::FallsShort { gaps, remedy } = &findings[0].verdict else {
        panic!("{findings:?}");
    };
    assert_eq!(gaps, &["log file validation off", "no data events"]);
    assert!(remedy.contains("irready makes its own trail"), "{remedy}");
}

#[test]
fn a_control_tower_trail_stands_for_management_events_and_irready_adds_only_data_events() {
    // Control Tower's trail: everything but data events.
    let mut control_tower = compliant_trail("aws-controltower-BaselineCloudTrail");
    control_tower.data_event_types.clear();
    let (findings, covering) = trail(&trail_spec(), true, true, &target(), &[control_tower]);
    let covering = covering.expect("it stands for irready's trail for management events");
    assert_eq!(
        covering.missing_data_events,
        [DataEvents::S3, DataEvents::Lambda]
    );
    assert!(covering.complemented());
    assert_eq!(covering.log_group.as_deref(), Some("/aws/controltower/ct"));
    let Verdict::Satisfied { note: Some(note) } = &findings[0].verdict else {
        panic!("{findings:?}");
    };
    assert!(
        note.contains("records only the data events it lacks (s3, lambda)"),
        "{note}"
    );

    // One that records S3 objects already leaves irready only Lambda.
    let mut s3_only = compliant_trail("ct");
    s3_only.data_event_types = BTreeSet::from(["AWS::S3::Object".to_owned()]);
    let (_, covering) = trail(&trail_spec(), true, true, &target(), &[s3_only]);
    assert_eq!(covering.unwrap().missing_data_events, [DataEvents::Lambda]);

    // Without a log group here, the alarms would have no events: no complement.
    let mut no_group = compliant_trail("ct");
    no_group.data_event_types.clear();
    no_group.log_group_arn = None;
    let (_, covering) = trail(&trail_spec(), true, true, &target(), &[no_group]);
    assert_eq!(covering, None);
}

#[test]
fn an_account_trail_falls_short_of_an_organization_trail_only_in_an_organization() {
    let mut account_trail = compliant_trail("acct");
    account_trail.is_organization = false;
    account_trail.data_event_types = BTreeSet::from(["AWS::S3::Object".to_owned()]);
    let gaps = trail_gaps(&trail_spec(), true, &account_trail);
    assert_eq!(gaps, ["not an organization trail", "no Lambda data events"]);
    let gaps = trail_gaps(&trail_spec(), false, &account_trail);
    assert_eq!(gaps, ["no Lambda data events"]);
}

#[test]
fn the_first_compliant_trail_by_arn_wins_over_one_that_falls_short() {
    let mut weak = compliant_trail("a-weak");
    weak.is_logging = false;
    let trails = [weak, compliant_trail("b-good"), compliant_trail("c-good")];
    let (findings, covering) = trail(&trail_spec(), true, false, &target(), &trails);
    assert!(covering.unwrap().arn.ends_with("trail/b-good"));
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0].verdict, Verdict::Satisfied { note: None });
}

#[test]
fn alarms_cannot_go_on_a_log_group_in_another_region_or_account() {
    let mut elsewhere = compliant_trail("org-trail");
    elsewhere.log_group_arn =
        Some("arn:aws:logs:eu-west-1:123456789012:log-group:/ct:*".to_owned());
    let (findings, covering) = trail(&trail_spec(), true, true, &target(), &[elsewhere]);
    assert_eq!(covering.unwrap().log_group, None);
    let alarms = findings
        .iter()
        .find(|f| f.control == ControlId::Alarms)
        .expect("an alarms finding");
    let Verdict::Conflict { instruction, .. } = &alarms.verdict else {
        panic!("{alarms:?}");
    };
    assert!(
        instruction.starts_with("the CIS alarms cannot be placed"),
        "{instruction}"
    );
    assert_eq!(
        log_group_in(
            "arn:aws:logs:us-east-1:210987654321:log-group:/ct",
            &target()
        ),
        None
    );
    assert_eq!(
        log_group_in(
            "arn:aws:logs:us-east-1:123456789012:log-group:/ct",
            &target()
        )
        .as_deref(),
        Some("/ct")
    );
}

fn guardduty(adopt: bool) -> GuardDutySpec {
    GuardDutySpec {
        features: vec!["EKS_AUDIT_LOGS", "S3_DATA_EVENTS"],
        adopt,
    }
}

fn detector_fact(features: &[(&str, &str)]) -> DetectorFact {
    DetectorFact {
        id: "1234".to_owned(),
        enabled: true,
        finding_frequency: Some("FIFTEEN_MINUTES".to_owned()),
        features: features
            .iter()
            .map(|(n, s)| ((*n).to_owned(), (*s).to_owned()))
            .collect::<BTreeMap<_, _>>(),
    }
}

#[test]
fn a_detector_without_s3_protection_is_a_conflict_that_says_what_to_do() {
    let found = detector_fact(&[
        ("EKS_AUDIT_LOGS", "ENABLED"),
        ("S3_DATA_EVENTS", "DISABLED"),
    ]);
    let finding = detector(&guardduty(false), &target(), &found);
    let Verdict::Conflict { gaps, instruction } = &finding.verdict else {
        panic!("{finding:?}");
    };
    assert_eq!(gaps, &["lacks S3 protection (S3_DATA_EVENTS)"]);
    assert!(
        instruction.starts_with("detector 1234 exists and lacks S3 protection"),
        "{instruction}"
    );
    assert!(
        instruction.contains("logging.guardduty.adopt: true"),
        "{instruction}"
    );
}

#[test]
fn an_adopted_detector_falls_short_instead_of_conflicting() {
    let found = detector_fact(&[("EKS_AUDIT_LOGS", "ENABLED")]);
    let finding = detector(&guardduty(true), &target(), &found);
    let Verdict::FallsShort { gaps, remedy } = &finding.verdict else {
        panic!("{finding:?}");
    };
    assert_eq!(gaps, &["lacks S3 protection (S3_DATA_EVENTS)"]);
    assert!(remedy.starts_with("adopted as it is"), "{remedy}");
}

#[test]
fn a_detector_with_every_feature_and_fifteen_minute_findings_is_satisfied() {
    let mut found = detector_fact(&[("EKS_AUDIT_LOGS", "ENABLED"), ("S3_DATA_EVENTS", "ENABLED")]);
    assert_eq!(
        detector(&guardduty(false), &target(), &found).verdict,
        Verdict::Satisfied { note: None }
    );
    found.finding_frequency = Some("SIX_HOURS".to_owned());
    found.enabled = false;
    assert_eq!(
        detector_gaps(&guardduty(false), &found),
        [
            "is suspended",
            "publishes findings every SIX_HOURS, not FIFTEEN_MINUTES"
        ]
    );
}

#[test]
fn a_recorder_must_record_everything_and_global_types_in_the_home_region() {
    let spec = ConfigRecorderSpec {
        all_supported: true,
        adopt: false,
    };
    let found = RecorderFact {
        name: "default".to_owned(),
        all_supported: true,
        include_global_types: false,
        recording: true,
        delivery_bucket: Some("b".to_owned()),
        has_delivery_channel: true,
    };
    assert_eq!(
        recorder(&spec, false, &target(), &found).verdict,
        Verdict::Satisfied { note: None }
    );
    let finding = recorder(&spec, true, &target(), &found);
    let Verdict::Conflict { gaps, instruction } = &finding.verdict else {
        panic!("{finding:?}");
    };
    assert_eq!(
        gaps,
        &["leaves out global resource types (IAM) in the home region"]
    );
    assert!(
        instruction.contains("logging.config.adopt: true"),
        "{instruction}"
    );
}

const ARCHIVE: &str = "arn:aws:s3:::irready-demo-logs-210987654321-us-east-1";

fn flow_log_fact(id: &str, vpc: &str, traffic: &str, destination: &str) -> FlowLogFact {
    FlowLogFact {
        delivery_error: None,
        id: id.to_owned(),
        resource_id: vpc.to_owned(),
        traffic: traffic.to_owned(),
        destination_type: "s3".to_owned(),
        destination: Some(destination.to_owned()),
        aggregation_seconds: Some(60),
    }
}

#[test]
fn a_flow_log_into_the_archive_covers_its_vpc_and_one_elsewhere_does_not() {
    let spec = FlowLogSpec {
        traffic: "ALL".to_owned(),
        aggregation_seconds: 60,
    };
    let logs = [
        flow_log_fact("fl-1", "vpc-a", "ALL", &format!("{ARCHIVE}/AWSLogs")),
        flow_log_fact("fl-2", "vpc-b", "REJECT", "arn:aws:s3:::other"),
    ];
    let (findings, covered) = flow_logs(&spec, ARCHIVE, &target(), &logs);
    assert_eq!(covered, BTreeSet::from(["vpc-a".to_owned()]));
    assert_eq!(findings.len(), 2);
    assert_eq!(findings[0].vpc.as_deref(), Some("vpc-a"));
    assert_eq!(findings[0].verdict, Verdict::Satisfied { note: None });
    let Verdict::FallsShort { gaps, remedy } = &findings[1].verdict else {
        panic!("{findings:?}");
    };
    assert_eq!(
        gaps,
        &[
            "traffic REJECT, not ALL".to_owned(),
            format!("delivers to arn:aws:s3:::other, not the log archive {ARCHIVE}"),
        ]
    );
    assert_eq!(remedy, "irready adds its own flow log on vpc-b");
    // A bucket whose name merely starts like the archive's is another bucket.
    let lookalike = flow_log_fact("fl-3", "vpc-c", "ALL", &format!("{ARCHIVE}-copy"));
    assert_eq!(flow_log_gaps(&spec, ARCHIVE, &lookalike).len(), 1);
}

#[test]
fn a_query_log_association_counts_only_when_active_and_into_the_archive() {
    let association =
        |id: &str, vpc: &str, status: &str, destination: &str| QueryLogAssociationFact {
            id: id.to_owned(),
            vpc_id: vpc.to_owned(),
            config_id: "rslvr-qlc-1".to_owned(),
            config_name: None,
            destination: Some(destination.to_owned()),
            status: status.to_owned(),
            error: None,
        };
    let associations = [
        association("rslvr-qla-1", "vpc-a", "ACTIVE", ARCHIVE),
        association("rslvr-qla-2", "vpc-b", "FAILED", ARCHIVE),
    ];
    let (findings, covered) = query_logs(ARCHIVE, &target(), &associations);
    assert_eq!(covered, BTreeSet::from(["vpc-a".to_owned()]));
    let Verdict::FallsShort { gaps, .. } = &findings[1].verdict else {
        panic!("{findings:?}");
    };
    assert_eq!(gaps, &["is FAILED"]);
}
