//! EC2 reads used by discovery.

use crate::addr::Region;

use super::{AccountSession, Aws, AwsError, AwsResult};

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
        .filters(
            aws_sdk_ec2::types::Filter::builder()
                .name("prefix-list-name")
                .values(&name)
                .build(),
        )
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
