use serde_json::json;

use super::*;

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
    let (status, message, evidence) = per_vpc(&[&a, &b], "flow log", |id| {
        (id == "vpc-a").then(|| "fl-1".to_owned())
    });
    assert_eq!(status, Status::Fail);
    assert_eq!(message, "no flow log on vpc-b");
    assert_eq!(evidence, ["vpc-a: fl-1"]);
    let (status, _, _) = per_vpc(&[], "flow log", |_| None);
    assert_eq!(status, Status::NotApplicable);
}
