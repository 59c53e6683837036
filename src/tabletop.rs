//! Tabletop exercises: what each scenario plants in a workload account, and the brief the
//! responders get. Pure: `cli::tabletop` reads the facts and `apply::exercise` deploys the
//! stack.
//!
//! A scenario's resources live in a stack of their own, `irready-<env>-exercise`, tagged
//! `irready:exercise=<scenario>` and `irready:environment=<env>` but not `irready:managed`:
//! no plan places or deletes it, and `tabletop down` (or `destroy`) removes exactly it.

use std::collections::BTreeMap;

use crate::model::tags::{TAG_ENVIRONMENT, TAG_EXERCISE, TAG_EXPIRES};

/// The exercises irready can plant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scenario {
    /// An EC2 instance "talking to a mining pool": isolate it with the isolation group,
    /// snapshot its volume into the forensic account.
    CompromisedInstance,
    /// An IAM user whose access key "was pushed to a public repository": find the key and
    /// disable it.
    LeakedKey,
}

impl Scenario {
    pub const ALL: [Self; 2] = [Self::CompromisedInstance, Self::LeakedKey];

    pub fn name(self) -> &'static str {
        match self {
            Self::CompromisedInstance => "compromised-instance",
            Self::LeakedKey => "leaked-key",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The name of the scenario's resources (instance Name tag, IAM user).
    pub fn resource_name(self) -> String {
        format!("irready-exercise-{}", self.name())
    }

    /// The logical id of the resource the responders act on.
    pub fn subject_logical_id(self) -> &'static str {
        match self {
            Self::CompromisedInstance => "ExerciseInstance",
            Self::LeakedKey => "ExerciseAccessKey",
        }
    }

    /// The exercise stack's template. `image_id` is the instance's image (the
    /// compromised-instance scenario only). The leaked key's secret is neither an output
    /// nor read by irready: the exercise needs only the key's id.
    pub fn template(self, image_id: Option<&str>) -> String {
        let name = json(&self.resource_name());
        let scenario = json(self.name());
        let tags = format!(
            "      Tags:\n        - Key: Name\n          Value: {name}\n        - Key: \
             {TAG_EXERCISE}\n          Value: {scenario}\n"
        );
        let resources = match self {
            Self::CompromisedInstance => format!(
                "  # The \"compromised\" instance: in the account's default VPC, with its default\n  \
                 # security group and a role of its own. Responders move it into the isolation\n  \
                 # group, swap its profile for the isolation profile and revoke its role's\n  \
                 # older sessions.\n  \
                 ExerciseRole:\n    Type: AWS::IAM::Role\n    Properties:\n      \
                 RoleName: {name}\n      AssumeRolePolicyDocument:\n        \
                 Version: \"2012-10-17\"\n        Statement:\n          - Effect: Allow\n            \
                 Principal:\n              Service: ec2.amazonaws.com\n            \
                 Action: sts:AssumeRole\n\n  \
                 ExerciseInstanceProfile:\n    Type: AWS::IAM::InstanceProfile\n    Properties:\n      \
                 InstanceProfileName: {name}\n      Roles:\n        - Ref: ExerciseRole\n\n  \
                 ExerciseInstance:\n    Type: AWS::EC2::Instance\n    Properties:\n      \
                 ImageId: {}\n      InstanceType: t3.micro\n      IamInstanceProfile:\n        \
                 Ref: ExerciseInstanceProfile\n      # Its root volume, named: evidence to acquire.\n      \
                 BlockDeviceMappings:\n        - DeviceName: /dev/xvda\n          Ebs:\n            \
                 VolumeSize: 8\n            VolumeType: gp3\n{tags}",
                json(image_id.unwrap_or_default())
            ),
            Self::LeakedKey => format!(
                "  # The user whose key \"leaked\". Responders find the key and disable it.\n  \
                 ExerciseUser:\n    Type: AWS::IAM::User\n    Properties:\n      \
                 UserName: {name}\n{tags}\n  ExerciseAccessKey:\n    Type: AWS::IAM::AccessKey\n    \
                 Properties:\n      UserName:\n        Ref: ExerciseUser\n"
            ),
        };
        format!(
            "AWSTemplateFormatVersion: \"2010-09-09\"\n# irready tabletop exercise: {}. \
             Deployed by `irready tabletop up`, removed by `irready tabletop down`.\n\
             Description: {}\nResources:\n{resources}",
            self.name(),
            json(&format!("irready tabletop exercise {}", self.name()))
        )
    }
}

fn json(value: &str) -> String {
    serde_json::to_string(value).expect("strings serialize")
}

/// The exercise stack of environment `env`.
pub fn stack_name(env: &str) -> String {
    format!("irready-{env}-exercise")
}

/// The exercise stack's tags: never `irready:managed`, so that no plan touches it.
pub fn tags(env: &str, scenario: Scenario, expires: Option<&str>) -> BTreeMap<String, String> {
    let mut tags = BTreeMap::from([
        (TAG_ENVIRONMENT.to_owned(), env.to_owned()),
        (TAG_EXERCISE.to_owned(), scenario.name().to_owned()),
    ]);
    if let Some(expires) = expires {
        tags.insert(TAG_EXPIRES.to_owned(), expires.to_owned());
    }
    tags
}

/// What the brief names, read back after the exercise stack was deployed.
#[derive(Debug, Clone)]
pub struct BriefFacts {
    pub scenario: Scenario,
    pub account: String,
    pub account_name: String,
    pub region: String,
    /// The instance id, or the access key id.
    pub subject_id: String,
    pub responder_role_arn: String,
    pub deny_all_policy_arn: Option<String>,
    /// The isolation group of the instance's VPC.
    pub isolation_group: Option<String>,
    pub forensic_account: String,
    pub evidence_bucket: String,
    pub expires: Option<String>,
    /// The environment file, as the `irready respond` commands name it.
    pub env_file: String,
}

/// The exercise brief printed by `tabletop up`.
pub fn brief(f: &BriefFacts) -> String {
    let at = format!("{} ({}), {}", f.account_name, f.account, f.region);
    let mut out = format!("\nTabletop exercise: {}\n\n", f.scenario.name());
    match f.scenario {
        Scenario::CompromisedInstance => {
            out.push_str(&format!(
                "What happened: GuardDuty reports instance {} in {at} talking to a \
                 cryptocurrency mining pool.\n\
                 Where to look: EC2 in {at}, instance {} (Name {}).\n\
                 Your job: contain the instance without destroying evidence, then preserve \
                 its volume.\n  1. Assume the responder role {}.\n  2. Replace the \
                 instance's security groups with the isolation group {}.\n  3. Snapshot its \
                 volume and share the snapshot with the forensic account {}; copy it there \
                 and record it in the evidence bucket {}.\n",
                f.subject_id,
                f.subject_id,
                f.scenario.resource_name(),
                f.responder_role_arn,
                f.isolation_group
                    .as_deref()
                    .unwrap_or("(none found in its VPC)"),
                f.forensic_account,
                f.evidence_bucket,
            ));
        }
        Scenario::LeakedKey => {
            out.push_str(&format!(
                "What happened: an access key of IAM user {} in {at} was pushed to a \
                 public repository. Its id is {}.\n\
                 Where to look: IAM in {} (users, access keys), CloudTrail for the key's \
                 calls.\n\
                 Your job: find the key and stop it working.\n  1. Assume the responder \
                 role {}.\n  2. Disable access key {} (do not delete it: it is evidence).\n  \
                 3. Attach the deny-all policy {} to the user, and record what the key did \
                 in the evidence bucket {} of the forensic account {}.\n",
                f.scenario.resource_name(),
                f.subject_id,
                f.account,
                f.responder_role_arn,
                f.subject_id,
                f.deny_all_policy_arn.as_deref().unwrap_or("(not deployed)"),
                f.evidence_bucket,
                f.forensic_account,
            ));
        }
    }
    let respond = |action: &str| {
        format!(
            "irready respond {action} -e {} --account {} --region {} --target {} --case {}",
            f.env_file,
            f.account_name,
            f.region,
            f.subject_id,
            f.scenario.resource_name()
        )
    };
    let commands: Vec<String> = match f.scenario {
        Scenario::CompromisedInstance => {
            vec![respond("isolate-instance"), respond("acquire-volumes")]
        }
        Scenario::LeakedKey => vec![respond("disable-access-key")],
    };
    out.push_str(
        "\nWith irready's runbooks (each step on record as an SSM Automation execution; add \
         --dry-run to see the steps first):\n",
    );
    for command in commands {
        out.push_str(&format!("  {command}\n"));
    }
    if let Some(expires) = &f.expires {
        out.push_str(&format!(
            "\nThe environment expires at {expires}: `irready tabletop down` removes the \
             exercise and the environment (evidence stays), `irready destroy --expired` \
             does after that time.\n"
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_parse_and_name_their_resources() {
        for scenario in Scenario::ALL {
            let body = scenario.template(Some("ami-0123456789abcdef0"));
            let value: serde_json::Value = serde_yaml::from_str(&body).unwrap();
            let resource = &value["Resources"][scenario.subject_logical_id()];
            assert!(resource.is_object(), "{body}");
            assert!(body.contains("irready-exercise-"), "{body}");
            assert!(!body.contains("SecretAccessKey"), "no secret anywhere");
            assert_eq!(Scenario::from_name(scenario.name()), Some(scenario));
        }
    }

    #[test]
    fn exercise_stacks_are_never_managed() {
        let tags = tags("drill", Scenario::LeakedKey, Some("2026-01-01T00:00:00Z"));
        assert_eq!(
            tags.get(TAG_EXERCISE).map(String::as_str),
            Some("leaked-key")
        );
        assert!(!tags.contains_key(crate::discover::TAG_MANAGED));
    }
}
