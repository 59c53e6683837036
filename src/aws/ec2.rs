//! EC2: the reads discovery needs, and the image copies apply makes.

use crate::addr::Region;

use super::{AccountSession, Aws, AwsError, AwsResult};

/// An EC2 filter on one value.
fn filter(name: &str, value: &str) -> aws_sdk_ec2::types::Filter {
    aws_sdk_ec2::types::Filter::builder()
        .name(name)
        .values(value)
        .build()
}

/// A tag as a key and value.
fn tag(t: &aws_sdk_ec2::types::Tag) -> (String, String) {
    (
        t.key().unwrap_or_default().to_owned(),
        t.value().unwrap_or_default().to_owned(),
    )
}

/// The regions enabled for the session's account, among those irready knows.
pub async fn enabled_regions(
    aws: &Aws,
    session: &AccountSession,
    any_region: &Region,
) -> AwsResult<Vec<Region>> {
    let out = aws
        .ec2(session, any_region)
        .describe_regions()
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("ec2:DescribeRegions", e))?;
    let mut regions: Vec<Region> = out
        .regions()
        .iter()
        .filter_map(|r| r.region_name()?.parse().ok())
        .collect();
    regions.sort();
    Ok(regions)
}

/// The id of the AWS-managed prefix list of S3 in `region` (`com.amazonaws.<region>.s3`),
/// which a security group needs to reach S3 through a gateway endpoint.
pub async fn s3_prefix_list(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
) -> AwsResult<String> {
    let name = format!("com.amazonaws.{region}.s3");
    let out = aws
        .ec2(session, region)
        .describe_managed_prefix_lists()
        .filters(filter("prefix-list-name", &name))
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("ec2:DescribeManagedPrefixLists", e))?;
    out.prefix_lists()
        .iter()
        .find_map(|p| p.prefix_list_id().map(str::to_owned))
        .ok_or_else(|| {
            AwsError::other(
                "ec2:DescribeManagedPrefixLists",
                format!("no managed prefix list named {name}"),
            )
        })
}

/// How many availability zones of `region` are available to the account.
pub async fn availability_zones(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
) -> AwsResult<usize> {
    let out = aws
        .ec2(session, region)
        .describe_availability_zones()
        .filters(filter("state", "available"))
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("ec2:DescribeAvailabilityZones", e))?;
    Ok(out.availability_zones().len())
}

/// A VPC as the regional baseline needs it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct VpcFact {
    pub id: String,
    pub cidr: String,
    pub is_default: bool,
    pub tags: std::collections::BTreeMap<String, String>,
}

/// Every VPC of the target, sorted by id.
pub async fn vpcs(aws: &Aws, session: &AccountSession, region: &Region) -> AwsResult<Vec<VpcFact>> {
    let client = aws.ec2(session, region);
    let mut pages = client.describe_vpcs().into_paginator().send();
    let mut vpcs = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| AwsError::from_sdk("ec2:DescribeVpcs", e))?;
        for vpc in page.vpcs() {
            vpcs.push(VpcFact {
                id: vpc.vpc_id().unwrap_or_default().to_owned(),
                cidr: vpc.cidr_block().unwrap_or_default().to_owned(),
                is_default: vpc.is_default().unwrap_or(false),
                tags: vpc.tags().iter().map(tag).collect(),
            });
        }
    }
    vpcs.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(vpcs)
}

/// An image as the analysis-image planning needs it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ImageFact {
    pub id: String,
    pub name: String,
    /// ISO 8601, as EC2 gives it: sorts chronologically as text.
    pub created: String,
    pub state: String,
    pub tags: std::collections::BTreeMap<String, String>,
}

/// How to look images up.
pub enum ImageQuery<'a> {
    /// One image by id.
    Id(&'a str),
    /// Images of `owner` whose name matches `name` (EC2's `*` and `?` wildcards).
    OwnerName { owner: &'a str, name: &'a str },
    /// The account's own images carrying tag `key` = `value`.
    OwnTagged { key: &'a str, value: &'a str },
}

/// The images matching `query`, sorted newest first (then by id). An id that does not
/// exist is an empty answer, not an error.
pub async fn images(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    query: ImageQuery<'_>,
) -> AwsResult<Vec<ImageFact>> {
    let request = aws.ec2(session, region).describe_images();
    let request = match query {
        ImageQuery::Id(id) => request.image_ids(id),
        ImageQuery::OwnerName { owner, name } => {
            request.owners(owner).filters(filter("name", name))
        }
        ImageQuery::OwnTagged { key, value } => request
            .owners("self")
            .filters(filter(&format!("tag:{key}"), value)),
    };
    let out = match request.send().await {
        Ok(out) => out,
        Err(err) => {
            let err = AwsError::from_sdk("ec2:DescribeImages", err);
            if err.code.as_deref() == Some("InvalidAMIID.NotFound") {
                return Ok(Vec::new());
            }
            return Err(err);
        }
    };
    let mut images: Vec<ImageFact> = out
        .images()
        .iter()
        .map(|image| ImageFact {
            id: image.image_id().unwrap_or_default().to_owned(),
            name: image.name().unwrap_or_default().to_owned(),
            created: image.creation_date().unwrap_or_default().to_owned(),
            state: image
                .state()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            tags: image.tags().iter().map(tag).collect(),
        })
        .collect();
    images.sort_by(|a, b| b.created.cmp(&a.created).then_with(|| a.id.cmp(&b.id)));
    Ok(images)
}

/// Starts copying `source_id` from `source_region` into `region`, tags the copy, and
/// returns its id. The copy may still be `pending`: see [`image_state`].
pub async fn copy_image(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    source_region: &Region,
    source_id: &str,
    name: &str,
    tags: &std::collections::BTreeMap<String, String>,
) -> AwsResult<String> {
    let client = aws.ec2(session, region);
    let out = client
        .copy_image()
        .source_region(source_region.to_string())
        .source_image_id(source_id)
        .name(name)
        .description(format!("Copy of {source_id} from {source_region}"))
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("ec2:CopyImage", e))?;
    let id = out
        .image_id()
        .ok_or_else(|| AwsError::other("ec2:CopyImage", "the answer holds no image id"))?
        .to_owned();
    let mut request = client.create_tags().resources(&id);
    for (key, value) in tags {
        request = request.tags(
            aws_sdk_ec2::types::Tag::builder()
                .key(key)
                .value(value)
                .build(),
        );
    }
    request
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("ec2:CreateTags", e))?;
    Ok(id)
}

/// The state of image `id` (`pending`, `available`, `failed`, ...), or `None` if it is gone.
pub async fn image_state(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    id: &str,
) -> AwsResult<Option<String>> {
    Ok(images(aws, session, region, ImageQuery::Id(id))
        .await?
        .into_iter()
        .next()
        .map(|i| i.state))
}

/// A flow log as the flow log control needs it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FlowLogFact {
    pub id: String,
    /// The VPC, subnet or interface it watches.
    pub resource_id: String,
    /// `ALL`, `ACCEPT` or `REJECT`.
    pub traffic: String,
    /// `s3`, `cloud-watch-logs` or `kinesis-data-firehose`.
    pub destination_type: String,
    pub destination: Option<String>,
    pub aggregation_seconds: Option<i32>,
    /// Why its last delivery failed (`DeliverLogsStatus` FAILED: the
    /// `DeliverLogsErrorMessage`, such as "Access error"); `None` while it delivers.
    #[serde(default)]
    pub delivery_error: Option<String>,
}

/// Every flow log of the target, sorted by id.
pub async fn flow_logs(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
) -> AwsResult<Vec<FlowLogFact>> {
    let client = aws.ec2(session, region);
    let mut pages = client.describe_flow_logs().into_paginator().send();
    let mut flow_logs = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| AwsError::from_sdk("ec2:DescribeFlowLogs", e))?;
        for flow_log in page.flow_logs() {
            flow_logs.push(FlowLogFact {
                id: flow_log.flow_log_id().unwrap_or_default().to_owned(),
                resource_id: flow_log.resource_id().unwrap_or_default().to_owned(),
                traffic: flow_log
                    .traffic_type()
                    .map(|t| t.as_str().to_owned())
                    .unwrap_or_default(),
                destination_type: flow_log
                    .log_destination_type()
                    .map(|t| t.as_str().to_owned())
                    .unwrap_or_default(),
                // CloudWatch Logs destinations are named by group, not ARN, in older APIs.
                destination: flow_log
                    .log_destination()
                    .or(flow_log.log_group_name())
                    .map(str::to_owned),
                aggregation_seconds: flow_log.max_aggregation_interval(),
                delivery_error: (flow_log.deliver_logs_status() == Some("FAILED")).then(|| {
                    flow_log
                        .deliver_logs_error_message()
                        .unwrap_or("delivery failed")
                        .to_owned()
                }),
            });
        }
    }
    flow_logs.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(flow_logs)
}

/// A security group with its rules, as the isolation control needs it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SecurityGroupFact {
    pub id: String,
    pub vpc_id: String,
    pub ingress_rules: usize,
    /// Egress rules other than the loopback-only rule that stands for "none".
    pub egress_rules: usize,
}

/// The security groups tagged `key` = `value`, sorted by id.
pub async fn tagged_security_groups(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    key: &str,
    value: &str,
) -> AwsResult<Vec<SecurityGroupFact>> {
    let client = aws.ec2(session, region);
    let mut pages = client
        .describe_security_groups()
        .filters(filter(&format!("tag:{key}"), value))
        .into_paginator()
        .send();
    let mut groups = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| AwsError::from_sdk("ec2:DescribeSecurityGroups", e))?;
        for group in page.security_groups() {
            let loopback_only = |p: &aws_sdk_ec2::types::IpPermission| {
                p.ip_ranges().len() == 1
                    && p.ip_ranges()[0].cidr_ip() == Some("127.0.0.1/32")
                    && p.ipv6_ranges().is_empty()
                    && p.prefix_list_ids().is_empty()
                    && p.user_id_group_pairs().is_empty()
            };
            groups.push(SecurityGroupFact {
                id: group.group_id().unwrap_or_default().to_owned(),
                vpc_id: group.vpc_id().unwrap_or_default().to_owned(),
                ingress_rules: group.ip_permissions().len(),
                egress_rules: group
                    .ip_permissions_egress()
                    .iter()
                    .filter(|p| !loopback_only(p))
                    .count(),
            });
        }
    }
    groups.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(groups)
}

/// What makes a VPC reachable from the internet, and the endpoints it has instead.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct VpcExposure {
    pub internet_gateways: Vec<String>,
    pub nat_gateways: Vec<String>,
    /// Subnets that give instances a public address on launch.
    pub public_subnets: Vec<String>,
    /// Service names of the VPC's endpoints (`com.amazonaws.us-east-1.ssm`, ...).
    pub endpoints: Vec<String>,
}

/// The exposure of VPC `vpc_id`: four reads filtered by the VPC.
pub async fn vpc_exposure(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    vpc_id: &str,
) -> AwsResult<VpcExposure> {
    let client = aws.ec2(session, region);
    let filter = |name: &str| filter(name, vpc_id);
    let gateways = client
        .describe_internet_gateways()
        .filters(filter("attachment.vpc-id"))
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("ec2:DescribeInternetGateways", e))?;
    let nats = client
        .describe_nat_gateways()
        .filter(filter("vpc-id"))
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("ec2:DescribeNatGateways", e))?;
    let subnets = client
        .describe_subnets()
        .filters(filter("vpc-id"))
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("ec2:DescribeSubnets", e))?;
    let endpoints = client
        .describe_vpc_endpoints()
        .filters(filter("vpc-id"))
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("ec2:DescribeVpcEndpoints", e))?;
    let mut exposure = VpcExposure {
        internet_gateways: gateways
            .internet_gateways()
            .iter()
            .filter_map(|g| g.internet_gateway_id().map(str::to_owned))
            .collect(),
        nat_gateways: nats
            .nat_gateways()
            .iter()
            .filter(|n| n.state().map(|s| s.as_str()) != Some("deleted"))
            .filter_map(|n| n.nat_gateway_id().map(str::to_owned))
            .collect(),
        public_subnets: subnets
            .subnets()
            .iter()
            .filter(|s| s.map_public_ip_on_launch() == Some(true))
            .filter_map(|s| s.subnet_id().map(str::to_owned))
            .collect(),
        endpoints: endpoints
            .vpc_endpoints()
            .iter()
            .filter_map(|e| e.service_name().map(str::to_owned))
            .collect(),
    };
    exposure.internet_gateways.sort();
    exposure.nat_gateways.sort();
    exposure.public_subnets.sort();
    exposure.endpoints.sort();
    Ok(exposure)
}

/// The account's default key for EBS encryption in `region` (an ARN; `alias/aws/ebs`'s
/// until someone sets another).
pub async fn ebs_default_kms_key_id(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
) -> AwsResult<Option<String>> {
    let out = aws
        .ec2(session, region)
        .get_ebs_default_kms_key_id()
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("ec2:GetEbsDefaultKmsKeyId", e))?;
    Ok(out.kms_key_id().map(str::to_owned))
}

/// Turns termination protection off on `instance` (irready's own tabletop instance,
/// protected by an isolation, before its stack goes). One already gone is not an error.
pub async fn allow_termination(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    instance: &str,
) -> AwsResult<()> {
    let result = aws
        .ec2(session, region)
        .modify_instance_attribute()
        .instance_id(instance)
        .disable_api_termination(
            aws_sdk_ec2::types::AttributeBooleanValue::builder()
                .value(false)
                .build(),
        )
        .send()
        .await;
    match result {
        Ok(_) => Ok(()),
        Err(err) => {
            let err = AwsError::from_sdk("ec2:ModifyInstanceAttribute", err);
            if err.kind == super::ErrorKind::NotFound {
                Ok(())
            } else {
                Err(err)
            }
        }
    }
}
