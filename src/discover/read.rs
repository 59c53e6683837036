//! Reading one target (account × region): irready's stacks, and the facts its templates
//! and the planner depend on, only those the target needs.

use super::*;

pub(super) async fn read_target(
    aws: &Aws,
    env: &Environment,
    session: &AccountSession,
    region: &Region,
    needs: Needs,
    refresh: Refresh,
) -> Result<TargetState, AwsError> {
    let (stacks, others): (Vec<DeployedStack>, Vec<DeployedStack>) =
        cfn::list_stacks(aws, session, region)
            .await?
            .into_iter()
            .partition(|s| is_managed_by(s, &env.name));
    let stacks: BTreeMap<String, DeployedStack> =
        stacks.into_iter().map(|s| (s.name.clone(), s)).collect();
    let exercises: BTreeMap<String, DeployedStack> = others
        .into_iter()
        .filter(|s| is_exercise_of(s, &env.name))
        .map(|s| (s.name.clone(), s))
        .collect();
    let (needs, recorded) = match refresh {
        Refresh::Live => (needs, Recorded::default()),
        Refresh::Trust => {
            let recorded = Recorded::from_stacks(&env.name, &stacks);
            (needs.trusting(&recorded), recorded)
        }
    };
    let availability_zones = if needs.zones {
        Some(ec2::availability_zones(aws, session, region).await?)
    } else {
        None
    };
    let s3_prefix_list = if needs.s3_prefix_list {
        Some(ec2::s3_prefix_list(aws, session, region).await?)
    } else {
        recorded.s3_prefix_list.clone()
    };
    let vpcs = if needs.vpcs {
        ec2::vpcs(aws, session, region).await?
    } else {
        // The recorded ids are those the baseline covers: irready's own forensic VPC is
        // already left out.
        (recorded.vpcs.clone().unwrap_or_default().into_iter())
            .map(|id| VpcFact {
                id,
                cidr: String::new(),
                is_default: false,
                tags: BTreeMap::new(),
            })
            .collect()
    };
    let config_role_exists = if needs.config_role {
        Some(iam::role_exists(aws, session, CONFIG_SERVICE_ROLE).await?)
    } else {
        None
    };
    let images = if needs.images {
        read_images(aws, env, session, region).await?
    } else {
        BTreeMap::new()
    };
    // The resources of irready's own stacks: set apart from what exists outside irready,
    // and watched for changes made outside irready.
    let mut own_resources = BTreeMap::new();
    let mut owned = BTreeSet::new();
    let watched = [
        (Component::OrgLogging, needs.existing.any()),
        (Component::RegionalBaseline, needs.existing.any()),
        (Component::Access, needs.breakglass),
        (Component::ForensicCore, needs.policies),
        (Component::WorkloadLogging, needs.workloads),
        (Component::InstanceRunbooks, needs.documents),
        (Component::IdentityRunbooks, needs.documents),
    ];
    for (component, wanted) in watched {
        let name = component.stack_name(&env.name);
        if !wanted || !stacks.contains_key(&name) {
            continue;
        }
        let resources = cfn::stack_resources(aws, session, region, &name).await?;
        owned.extend(resources.values().filter_map(|r| r.physical_id.clone()));
        own_resources.insert(name, resources);
    }
    let breakglass = match (
        &env.access,
        own_resources.get(&Component::Access.stack_name(&env.name)),
    ) {
        (Some(access), Some(resources)) if resources.contains_key(BREAKGLASS_LOGICAL_ID) => {
            iam::role(aws, session, &access.breakglass.role_name).await?
        }
        _ => None,
    };
    let mut policies = BTreeMap::new();
    if let Some(resources) = own_resources.get(&Component::ForensicCore.stack_name(&env.name)) {
        for (logical, resource) in resources {
            let Some(id) = &resource.physical_id else {
                continue;
            };
            let policy = match resource.resource_type.as_str() {
                "AWS::KMS::Key" => kms::key_policy(aws, session, region, id).await?,
                "AWS::S3::Bucket" => s3::bucket_policy(aws, session, region, id).await?,
                _ => continue,
            };
            policies.insert(logical.clone(), policy);
        }
    }
    let mut documents = BTreeMap::new();
    for component in [Component::InstanceRunbooks, Component::IdentityRunbooks] {
        let Some(resources) = own_resources.get(&component.stack_name(&env.name)) else {
            continue;
        };
        for resource in resources.values() {
            if let ("AWS::SSM::Document", Some(name)) =
                (resource.resource_type.as_str(), &resource.physical_id)
            {
                let state = runbook_state(aws, session, region, &env.name, name).await?;
                documents.insert(name.clone(), state);
            }
        }
    }
    let mut state = TargetState {
        availability_zones,
        policies,
        documents,
        stacks,
        exercises,
        recorded,
        s3_prefix_list,
        vpcs,
        config_role_exists,
        images,
        existing: Existing::default(),
        listed: Listed::default(),
        own_resources,
        breakglass,
        workloads: match (&env.workload_logging, needs.workloads) {
            (Some(spec), true) => {
                let target = Target::new(session.account.clone(), region.clone());
                workloads::read(aws, session, &target, &env.home_region, spec).await?
            }
            _ => Vec::new(),
        },
    };
    let covered: BTreeSet<String> = covered_vpcs(&state).map(|v| v.id.clone()).collect();
    let (existing, listed) =
        existing::read(aws, session, region, needs.existing, &owned, &covered).await?;
    state.existing = existing;
    state.listed = listed;
    Ok(state)
}

/// The analysis images in one region of the forensic account: one lookup per image the
/// environment names, one for irready's earlier copies.
async fn read_images(
    aws: &Aws,
    env: &Environment,
    session: &AccountSession,
    region: &Region,
) -> Result<BTreeMap<String, ImageSighting>, AwsError> {
    let Some(forensic) = &env.forensic else {
        return Ok(BTreeMap::new());
    };
    let copies = ec2::images(
        aws,
        session,
        region,
        ImageQuery::OwnTagged {
            key: TAG_ENVIRONMENT,
            value: &env.name,
        },
    )
    .await?;
    let mut seen = BTreeMap::new();
    for ami in &forensic.amis {
        let matches = match &ami.source {
            AmiSource::Filter { owner, name_filter } => {
                let query = ImageQuery::OwnerName {
                    owner,
                    name: name_filter,
                };
                ec2::images(aws, session, region, query).await?
            }
            AmiSource::Id { id, region: home } if home == region => {
                ec2::images(aws, session, region, ImageQuery::Id(id)).await?
            }
            AmiSource::Id { .. } => Vec::new(),
        };
        let copies = copies
            .iter()
            .filter(|c| c.tags.get(TAG_IMAGE) == Some(&ami.name))
            .cloned()
            .collect();
        seen.insert(ami.name.clone(), ImageSighting { matches, copies });
    }
    Ok(seen)
}
