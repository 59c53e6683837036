use std::collections::BTreeMap;
use std::path::Path;

use super::*;
use crate::addr::AccountId;

const FORENSIC: &str = "222222222222";

fn env(amis: &str) -> Environment {
    let yaml = format!(
        "name: t\nhome_region: us-east-1\nregions: [us-east-1, eu-west-1, eu-central-1]\n\
         organization: {{ targets: {{ all: true }} }}\n\
         forensic:\n  account: \"{FORENSIC}\"\n  analysis_regions: [us-east-1, eu-west-1, eu-central-1]\n  amis:\n{amis}"
    );
    crate::config::parse(Path::new("env.yaml"), &yaml).expect("valid file")
}

fn image(id: &str, created: &str, tags: &[(&str, &str)]) -> ImageFact {
    ImageFact {
        id: id.to_owned(),
        name: format!("name-of-{id}"),
        created: created.to_owned(),
        state: "available".to_owned(),
        tags: tags
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    }
}

fn target(region: &str) -> Target {
    Target::new(FORENSIC.parse().unwrap(), region.parse().unwrap())
}

/// Discovery results: per region, what it saw of image `sift`.
fn seen(
    regions: &[(&str, Vec<ImageFact>, Vec<ImageFact>)],
) -> BTreeMap<Target, Result<TargetState, crate::aws::AwsError>> {
    regions
        .iter()
        .map(|(region, matches, copies)| {
            let state = TargetState {
                stacks: BTreeMap::new(),
                exercises: BTreeMap::new(),
                s3_prefix_list: None,
                availability_zones: None,
                vpcs: Vec::new(),
                config_role_exists: None,
                existing: Default::default(),
                listed: Default::default(),
                own_resources: BTreeMap::new(),
                breakglass: None,
                policies: BTreeMap::new(),
                documents: BTreeMap::new(),
                recorded: Default::default(),
                workloads: Vec::new(),
                images: BTreeMap::from([(
                    "sift".to_owned(),
                    ImageSighting {
                        matches: matches.clone(),
                        copies: copies.clone(),
                    },
                )]),
            };
            (target(region), Ok(state))
        })
        .collect()
}

fn account() -> AccountId {
    FORENSIC.parse().unwrap()
}

fn actions(plans: &[ImagePlan]) -> Vec<(String, String)> {
    plans
        .iter()
        .map(|p| {
            let what = match &p.action {
                ImageAction::Use {
                    image_id,
                    copied_earlier,
                } => format!(
                    "use {image_id}{}",
                    if *copied_earlier { " (copy)" } else { "" }
                ),
                ImageAction::Copy {
                    source_region,
                    source_image_id,
                    ..
                } => format!("copy {source_image_id} from {source_region}"),
            };
            (p.target.region.to_string(), what)
        })
        .collect()
}

#[test]
fn a_filter_uses_the_newest_match_of_each_region_and_copies_the_home_regions_where_none_matches() {
    let env = env("    - { name: sift, owner: amazon, name_filter: \"al2023-*\" }\n");
    let targets = seen(&[
        (
            "us-east-1",
            vec![
                image("ami-2222", "2026-02-01", &[]),
                image("ami-1111", "2026-01-01", &[]),
            ],
            vec![],
        ),
        (
            "eu-west-1",
            vec![image("ami-3333", "2026-03-01", &[])],
            vec![],
        ),
        ("eu-central-1", vec![], vec![]),
    ]);
    let (plans, errors) = resolve(&env, &account(), &targets);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(
        actions(&plans),
        [
            (
                "eu-central-1".to_owned(),
                "copy ami-2222 from us-east-1".to_owned()
            ),
            ("eu-west-1".to_owned(), "use ami-3333".to_owned()),
            ("us-east-1".to_owned(), "use ami-2222".to_owned()),
        ]
    );
}

#[test]
fn an_earlier_copy_of_the_same_source_is_used_and_a_stale_one_is_not() {
    let env = env("    - { name: sift, id: ami-0000aaaa, region: us-east-1 }\n");
    let copy = |id: &str, source: &str| image(id, "2026-01-02", &[(TAG_IMAGE_SOURCE, source)]);
    let targets = seen(&[
        (
            "us-east-1",
            vec![image("ami-0000aaaa", "2026-01-01", &[])],
            vec![],
        ),
        (
            "eu-west-1",
            vec![],
            vec![copy("ami-0000cccc", "ami-0000aaaa")],
        ),
        (
            "eu-central-1",
            vec![],
            vec![copy("ami-0000dddd", "ami-0000bbbb")],
        ),
    ]);
    let (plans, errors) = resolve(&env, &account(), &targets);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(
        actions(&plans),
        [
            (
                "eu-central-1".to_owned(),
                "copy ami-0000aaaa from us-east-1".to_owned()
            ),
            ("eu-west-1".to_owned(), "use ami-0000cccc (copy)".to_owned()),
            ("us-east-1".to_owned(), "use ami-0000aaaa".to_owned()),
        ]
    );
    assert_eq!(plans.iter().filter(|p| p.is_change()).count(), 1);
}

#[test]
fn an_image_found_nowhere_is_an_error_in_every_analysis_region_and_plans_nothing() {
    let env = env("    - { name: sift, owner: \"099720109477\", name_filter: \"ubuntu/*\" }\n");
    let targets = seen(&[
        ("us-east-1", vec![], vec![]),
        ("eu-west-1", vec![], vec![]),
        ("eu-central-1", vec![], vec![]),
    ]);
    let (plans, errors) = resolve(&env, &account(), &targets);
    assert!(plans.is_empty());
    assert_eq!(errors.len(), 3);
    assert!(errors[0]
        .message
        .contains("no image of owner 099720109477 matches `ubuntu/*`"));
}

#[test]
fn without_a_match_in_the_home_region_the_newest_match_elsewhere_is_the_source() {
    let env = env("    - { name: sift, owner: self, name_filter: \"sift-*\" }\n");
    let targets = seen(&[
        ("us-east-1", vec![], vec![]),
        (
            "eu-west-1",
            vec![image("ami-0000eeee", "2026-01-01", &[])],
            vec![],
        ),
        (
            "eu-central-1",
            vec![image("ami-0000ffff", "2026-05-01", &[])],
            vec![],
        ),
    ]);
    let (plans, _) = resolve(&env, &account(), &targets);
    assert_eq!(
        actions(&plans)[2],
        (
            "us-east-1".to_owned(),
            "copy ami-0000ffff from eu-central-1".to_owned()
        )
    );
}
