//! Logging of the workloads that already run, end to end against the emulator: workloads
//! made by the test in two accounts and two regions, a plan with one configure action per
//! resource and the destination stacks, apply, every setting read back through its
//! service's API, a plan without changes, a log turned off again (check fails on exactly
//! that control, plan shows exactly that action), and destroy putting every setting back.
//!
//! The emulator refuses, as AWS does, a load balancer, Redshift cluster, CloudFront
//! distribution, bucket, web ACL or API Gateway stage whose log destination does not let the
//! delivering service write (scripts/README.md lists each rule), so every setting apply
//! makes here is one AWS accepts; the test's own setup makes only calls AWS accepts too.
//! What it cannot show, said here rather than left untested: EKS replaces its logging
//! configuration rather than merging it (irready always sends every type, so the result
//! reads the same).

mod common;

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_elasticloadbalancingv2 as elbv2;
use common::{changing, filter, write_env, Emulator, Run};
use elbv2::types::LoadBalancerTypeEnum::{Application, Network};

const ENV: &str = "\
name: wl
home_region: us-east-1
regions: [us-east-1, eu-west-1]
organization:
  targets:
    accounts: [prod-app, dev-app]
workload_logging:
  exclude:
    tags: { irready:logging: \"off\" }
    names: [\"scratch-*\"]
  retention_days: 90
";

/// The workloads the test makes, by what the plan calls them.
struct Workloads {
    prod: String,
    dev: String,
    web: String,
    api: String,
    rest_api: String,
    shop_acl: String,
    edge_acl: String,
    /// Id and domain name.
    distribution: (String, String),
    http_api: String,
}

async fn classic(
    emu: &Emulator,
    account: &str,
    region: &str,
) -> aws_sdk_elasticloadbalancing::Client {
    emu.regional(account, region, aws_sdk_elasticloadbalancing::Client::new)
        .await
}

async fn redshift(emu: &Emulator, account: &str, region: &str) -> aws_sdk_redshift::Client {
    emu.regional(account, region, aws_sdk_redshift::Client::new)
        .await
}

async fn eks(emu: &Emulator, account: &str, region: &str) -> aws_sdk_eks::Client {
    emu.regional(account, region, aws_sdk_eks::Client::new)
        .await
}

/// The classic load balancer's access log: enabled, bucket, prefix.
async fn classic_access_log(
    emu: &Emulator,
    account: &str,
    region: &str,
    name: &str,
) -> (bool, String, String) {
    let out = classic(emu, account, region)
        .await
        .describe_load_balancer_attributes()
        .load_balancer_name(name)
        .send()
        .await
        .unwrap();
    let log = out
        .load_balancer_attributes()
        .unwrap()
        .access_log()
        .unwrap();
    (
        log.enabled(),
        log.s3_bucket_name().unwrap_or_default().to_owned(),
        log.s3_bucket_prefix().unwrap_or_default().to_owned(),
    )
}

/// The Redshift cluster's audit logging: on, bucket, prefix.
async fn redshift_logging(
    emu: &Emulator,
    account: &str,
    region: &str,
    id: &str,
) -> (bool, String, String) {
    let out = redshift(emu, account, region)
        .await
        .describe_logging_status()
        .cluster_identifier(id)
        .send()
        .await
        .unwrap();
    (
        out.logging_enabled().unwrap_or(false),
        out.bucket_name().unwrap_or_default().to_owned(),
        out.s3_key_prefix().unwrap_or_default().to_owned(),
    )
}

/// The EKS cluster's enabled control-plane log types, sorted.
async fn eks_log_types(emu: &Emulator, account: &str, region: &str, name: &str) -> Vec<String> {
    let out = eks(emu, account, region)
        .await
        .describe_cluster()
        .name(name)
        .send()
        .await
        .unwrap();
    let mut types: Vec<String> = out
        .cluster()
        .unwrap()
        .logging()
        .unwrap()
        .cluster_logging()
        .iter()
        .filter(|s| s.enabled() == Some(true))
        .flat_map(|s| s.types().iter().map(|t| t.as_str().to_owned()))
        .collect();
    types.sort();
    types
}

async fn apigateway(emu: &Emulator, account: &str, region: &str) -> aws_sdk_apigateway::Client {
    emu.regional(account, region, aws_sdk_apigateway::Client::new)
        .await
}

/// A REST API `orders` with a `prod` stage, its id.
async fn make_rest_api(emu: &Emulator, account: &str, region: &str) -> String {
    let client = apigateway(emu, account, region).await;
    let api = client
        .create_rest_api()
        .name("orders")
        .send()
        .await
        .unwrap();
    let api = api.id().unwrap().to_owned();
    let resources = client
        .get_resources()
        .rest_api_id(&api)
        .send()
        .await
        .unwrap();
    let root = resources.items()[0].id().unwrap().to_owned();
    client
        .put_method()
        .rest_api_id(&api)
        .resource_id(&root)
        .http_method("GET")
        .authorization_type("NONE")
        .send()
        .await
        .unwrap();
    client
        .put_integration()
        .rest_api_id(&api)
        .resource_id(&root)
        .http_method("GET")
        .r#type(aws_sdk_apigateway::types::IntegrationType::Mock)
        .send()
        .await
        .unwrap();
    client
        .create_deployment()
        .rest_api_id(&api)
        .stage_name("prod")
        .send()
        .await
        .unwrap();
    api
}

/// The stage's access log destination and the execution logging level of every method.
async fn stage_logging(
    emu: &Emulator,
    account: &str,
    region: &str,
    api: &str,
) -> (Option<String>, Option<String>) {
    let stage = apigateway(emu, account, region)
        .await
        .get_stage()
        .rest_api_id(api)
        .stage_name("prod")
        .send()
        .await
        .unwrap();
    (
        stage
            .access_log_settings()
            .and_then(|a| a.destination_arn())
            .map(str::to_owned),
        stage
            .method_settings()
            .and_then(|m| m.get("*/*"))
            .and_then(|s| s.logging_level())
            .map(str::to_owned),
    )
}

async fn wafv2(emu: &Emulator, account: &str, region: &str) -> aws_sdk_wafv2::Client {
    emu.regional(account, region, aws_sdk_wafv2::Client::new)
        .await
}

/// A web ACL that allows everything, its ARN.
async fn make_web_acl(
    emu: &Emulator,
    account: &str,
    region: &str,
    name: &str,
    cloudfront: bool,
) -> String {
    use aws_sdk_wafv2::types::{AllowAction, DefaultAction, Scope, VisibilityConfig};
    let out = wafv2(emu, account, region)
        .await
        .create_web_acl()
        .name(name)
        .scope(if cloudfront {
            Scope::Cloudfront
        } else {
            Scope::Regional
        })
        .default_action(
            DefaultAction::builder()
                .allow(AllowAction::builder().build())
                .build(),
        )
        .visibility_config(
            VisibilityConfig::builder()
                .sampled_requests_enabled(false)
                .cloud_watch_metrics_enabled(false)
                .metric_name(name)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    out.summary().unwrap().arn().unwrap().to_owned()
}

/// The web ACL's logging destinations (empty without a logging configuration).
async fn waf_logging(emu: &Emulator, account: &str, region: &str, arn: &str) -> Vec<String> {
    match wafv2(emu, account, region)
        .await
        .get_logging_configuration()
        .resource_arn(arn)
        .send()
        .await
    {
        Ok(out) => out
            .logging_configuration()
            .unwrap()
            .log_destination_configs()
            .to_vec(),
        Err(_) => Vec::new(),
    }
}

async fn cloudfront(emu: &Emulator, account: &str) -> aws_sdk_cloudfront::Client {
    emu.regional(account, "us-east-1", aws_sdk_cloudfront::Client::new)
        .await
}

/// A distribution in front of a bucket: its id and domain name.
async fn make_distribution(emu: &Emulator, account: &str) -> (String, String) {
    use aws_sdk_cloudfront::types::{
        DefaultCacheBehavior, DistributionConfig, Origin, Origins, S3OriginConfig, TrustedSigners,
        ViewerProtocolPolicy,
    };
    let origin = Origin::builder()
        .id("site")
        .domain_name("app-data.s3.amazonaws.com")
        .s3_origin_config(S3OriginConfig::builder().origin_access_identity("").build())
        .build()
        .unwrap();
    let behavior = DefaultCacheBehavior::builder()
        .target_origin_id("site")
        .viewer_protocol_policy(ViewerProtocolPolicy::AllowAll)
        .trusted_signers(
            TrustedSigners::builder()
                .enabled(false)
                .quantity(0)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let config = DistributionConfig::builder()
        .caller_reference("site")
        .comment("")
        .enabled(true)
        .origins(
            Origins::builder()
                .quantity(1)
                .items(origin)
                .build()
                .unwrap(),
        )
        .default_cache_behavior(behavior)
        .build()
        .unwrap();
    let out = cloudfront(emu, account)
        .await
        .create_distribution()
        .distribution_config(config)
        .send()
        .await
        .unwrap();
    let distribution = out.distribution().unwrap();
    (
        distribution.id().to_owned(),
        distribution.domain_name().to_owned(),
    )
}

/// The distribution's standard logging: enabled, bucket, prefix.
async fn distribution_logging(emu: &Emulator, account: &str, id: &str) -> (bool, String, String) {
    let out = cloudfront(emu, account)
        .await
        .get_distribution_config()
        .id(id)
        .send()
        .await
        .unwrap();
    let logging = out.distribution_config().unwrap().logging().unwrap();
    (
        logging.enabled(),
        logging.bucket().to_owned(),
        logging.prefix().to_owned(),
    )
}

async fn apigatewayv2(emu: &Emulator, account: &str, region: &str) -> aws_sdk_apigatewayv2::Client {
    emu.regional(account, region, aws_sdk_apigatewayv2::Client::new)
        .await
}

/// The HTTP API stage's access log destination.
async fn http_stage_logging(
    emu: &Emulator,
    account: &str,
    region: &str,
    api: &str,
) -> Option<String> {
    apigatewayv2(emu, account, region)
        .await
        .get_stage()
        .api_id(api)
        .stage_name("live")
        .send()
        .await
        .unwrap()
        .access_log_settings()
        .and_then(|a| a.destination_arn())
        .map(str::to_owned)
}

const ALL_EKS_LOGS: [&str; 5] = [
    "api",
    "audit",
    "authenticator",
    "controllerManager",
    "scheduler",
];

fn dest(kind: &str, account: &str, region: &str) -> String {
    format!("irready-wl-{kind}-logs-{account}-{region}")
}

async fn elb(emu: &Emulator, account: &str, region: &str) -> elbv2::Client {
    emu.regional(account, region, elbv2::Client::new).await
}

/// A load balancer of `kind` named `name` in the target's subnets: the client and its ARN.
async fn load_balancer(
    emu: &Emulator,
    account: &str,
    region: &str,
    name: &str,
    kind: elbv2::types::LoadBalancerTypeEnum,
) -> (elbv2::Client, String) {
    let lb = elb(emu, account, region).await;
    let arn = lb
        .create_load_balancer()
        .name(name)
        .set_subnets(Some(subnets(emu, account, region).await))
        .r#type(kind)
        .send()
        .await
        .unwrap()
        .load_balancers()[0]
        .load_balancer_arn()
        .unwrap()
        .to_owned();
    (lb, arn)
}

/// Two subnets of the default VPC in different zones, as a load balancer needs.
async fn subnets(emu: &Emulator, account: &str, region: &str) -> Vec<String> {
    let ec2 = emu.ec2(account, region).await;
    let out = ec2
        .describe_subnets()
        .filters(filter("default-for-az", "true"))
        .send()
        .await
        .unwrap();
    let mut by_zone = BTreeMap::new();
    for subnet in out.subnets() {
        by_zone
            .entry(subnet.availability_zone().unwrap().to_owned())
            .or_insert_with(|| subnet.subnet_id().unwrap().to_owned());
    }
    by_zone.into_values().take(2).collect()
}

async fn make_workloads(emu: &Emulator) -> Workloads {
    let accounts = emu.accounts().await;
    let (prod, dev) = (accounts["prod-app"].clone(), accounts["dev-app"].clone());

    // prod-app, eu-west-1: a bucket and an ALB without logs, a bucket excluded by tag and
    // one excluded by name.
    let s3 = emu.s3(&prod, "eu-west-1").await;
    let located = aws_sdk_s3::types::CreateBucketConfiguration::builder()
        .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::EuWest1)
        .build();
    for bucket in ["app-data", "legacy-exports", "scratch-tmp"] {
        s3.create_bucket()
            .bucket(bucket)
            .create_bucket_configuration(located.clone())
            .send()
            .await
            .unwrap();
    }
    s3.put_bucket_tagging()
        .bucket("legacy-exports")
        .tagging(
            aws_sdk_s3::types::Tagging::builder()
                .tag_set(
                    aws_sdk_s3::types::Tag::builder()
                        .key("irready:logging")
                        .value("off")
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let (_, web) = load_balancer(emu, &prod, "eu-west-1", "web", Application).await;

    // dev-app, us-east-1: a bucket already logging into a bucket of the team's (kept), and
    // an NLB whose access logs are off but name an old bucket (the setting destroy puts
    // back).
    let s3 = emu.s3(&dev, "us-east-1").await;
    for bucket in ["dev-data", "dev-audit"] {
        s3.create_bucket().bucket(bucket).send().await.unwrap();
    }
    // New buckets have ACLs disabled: S3's logging service writes by the bucket policy
    // (Amazon S3 user guide, "Permissions for log delivery").
    let audit_policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "S3ServerAccessLogsPolicy",
            "Effect": "Allow",
            "Principal": {"Service": "logging.s3.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": "arn:aws:s3:::dev-audit/*",
            "Condition": {"StringEquals": {"aws:SourceAccount": dev}},
        }],
    });
    s3.put_bucket_policy()
        .bucket("dev-audit")
        .policy(audit_policy.to_string())
        .send()
        .await
        .unwrap();
    s3.put_bucket_logging()
        .bucket("dev-data")
        .bucket_logging_status(
            aws_sdk_s3::types::BucketLoggingStatus::builder()
                .logging_enabled(
                    aws_sdk_s3::types::LoggingEnabled::builder()
                        .target_bucket("dev-audit")
                        .target_prefix("dev-data/")
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    let (lb, api) = load_balancer(emu, &dev, "us-east-1", "api", Network).await;
    set_access_logs(&lb, &api, false, "old-api-logs", "api").await;

    // dev-app, us-east-1: a classic load balancer; dev-app, eu-west-1: a Redshift cluster;
    // prod-app, us-east-1: an EKS cluster logging only its API server.
    classic(emu, &dev, "us-east-1")
        .await
        .create_load_balancer()
        .load_balancer_name("legacy-lb")
        .listeners(
            aws_sdk_elasticloadbalancing::types::Listener::builder()
                .protocol("HTTP")
                .load_balancer_port(80)
                .instance_port(80)
                .build()
                .unwrap(),
        )
        .availability_zones("us-east-1a")
        .send()
        .await
        .unwrap();
    redshift(emu, &dev, "eu-west-1")
        .await
        .create_cluster()
        .cluster_identifier("warehouse")
        .node_type("dc2.large")
        .master_username("admin")
        .master_user_password("Warehouse1")
        .send()
        .await
        .unwrap();
    let platform_subnets = subnets(emu, &prod, "us-east-1").await;
    eks(emu, &prod, "us-east-1")
        .await
        .create_cluster()
        .name("platform")
        .role_arn(format!("arn:aws:iam::{prod}:role/eks-cluster"))
        .resources_vpc_config(
            aws_sdk_eks::types::VpcConfigRequest::builder()
                .set_subnet_ids(Some(platform_subnets))
                .build(),
        )
        .logging(
            aws_sdk_eks::types::Logging::builder()
                .cluster_logging(
                    aws_sdk_eks::types::LogSetup::builder()
                        .types(aws_sdk_eks::types::LogType::Api)
                        .enabled(true)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    let rest_api = make_rest_api(emu, &prod, "eu-west-1").await;
    // An HTTP API with a `live` stage in dev-app, eu-west-1.
    let v2 = apigatewayv2(emu, &dev, "eu-west-1").await;
    let http_api = v2
        .create_api()
        .name("catalog")
        .protocol_type(aws_sdk_apigatewayv2::types::ProtocolType::Http)
        .send()
        .await
        .unwrap()
        .api_id()
        .unwrap()
        .to_owned();
    v2.create_stage()
        .api_id(&http_api)
        .stage_name("live")
        .send()
        .await
        .unwrap();
    // A regional web ACL in prod-app, eu-west-1; a CloudFront web ACL in dev-app.
    let shop_acl = make_web_acl(emu, &prod, "eu-west-1", "shop", false).await;
    let edge_acl = make_web_acl(emu, &dev, "us-east-1", "edge", true).await;
    // dev-app, us-east-1: API Gateway already writes logs with a role of the team's, which
    // trusts API Gateway (UpdateAccount refuses a role that does not).
    let trust = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": "apigateway.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }],
    });
    let iam = emu.iam(&dev).await;
    iam.create_role()
        .role_name("team-apigw-logs")
        .assume_role_policy_document(trust.to_string())
        .send()
        .await
        .unwrap();
    iam.attach_role_policy()
        .role_name("team-apigw-logs")
        .policy_arn("arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs")
        .send()
        .await
        .unwrap();
    apigateway(emu, &dev, "us-east-1")
        .await
        .update_account()
        .patch_operations(
            aws_sdk_apigateway::types::PatchOperation::builder()
                .op(aws_sdk_apigateway::types::Op::Replace)
                .path("/cloudwatchRoleArn")
                .value(format!("arn:aws:iam::{dev}:role/team-apigw-logs"))
                .build(),
        )
        .send()
        .await
        .unwrap();
    // A CloudFront distribution in prod-app, read from the home region (us-east-1).
    let distribution = make_distribution(emu, &prod).await;
    Workloads {
        http_api,
        distribution,
        shop_acl,
        edge_acl,
        rest_api,
        prod,
        dev,
        web,
        api,
    }
}

async fn set_access_logs(lb: &elbv2::Client, arn: &str, enabled: bool, bucket: &str, prefix: &str) {
    let attribute = |k: &str, v: &str| {
        elbv2::types::LoadBalancerAttribute::builder()
            .key(k)
            .value(v)
            .build()
    };
    lb.modify_load_balancer_attributes()
        .load_balancer_arn(arn)
        .attributes(attribute("access_logs.s3.enabled", &enabled.to_string()))
        .attributes(attribute("access_logs.s3.bucket", bucket))
        .attributes(attribute("access_logs.s3.prefix", prefix))
        .send()
        .await
        .unwrap();
}

/// The load balancer's `access_logs.s3.*` attributes, by key without the prefix.
async fn access_logs(lb: &elbv2::Client, arn: &str) -> BTreeMap<String, String> {
    let out = lb
        .describe_load_balancer_attributes()
        .load_balancer_arn(arn)
        .send()
        .await
        .unwrap();
    out.attributes()
        .iter()
        .filter_map(|a| {
            let key = a.key()?.strip_prefix("access_logs.s3.")?;
            Some((key.to_owned(), a.value().unwrap_or_default().to_owned()))
        })
        .collect()
}

/// The bucket's server access logging: target bucket and prefix, or `None` when off.
async fn bucket_logging(
    emu: &Emulator,
    account: &str,
    region: &str,
    bucket: &str,
) -> Option<(String, String)> {
    let out = emu
        .s3(account, region)
        .await
        .get_bucket_logging()
        .bucket(bucket)
        .send()
        .await
        .unwrap();
    out.logging_enabled()
        .map(|l| (l.target_bucket().to_owned(), l.target_prefix().to_owned()))
}

fn plan_json(emu: &Emulator, env: &str) -> serde_json::Value {
    let run = emu.irready(&["plan", "-e", env, "--format", "json"]);
    run.expect_code(0);
    run.json()
}

/// The plan's configure actions as `name: before → after` strings.
fn configure(plan: &serde_json::Value) -> BTreeSet<String> {
    plan["workloads"]["configure"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|c| {
                    format!(
                        "{}/{} {} {}",
                        c["target"]["account"].as_str().unwrap(),
                        c["target"]["region"].as_str().unwrap(),
                        c["resource_type"].as_str().unwrap(),
                        c["name"].as_str().unwrap()
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The failing findings of a JSON check report as `control account/region resource`.
fn failing(run: &Run) -> BTreeSet<String> {
    run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "fail")
        .map(|f| {
            format!(
                "{} {}/{} {}",
                f["control"].as_str().unwrap(),
                f["target"]["account"].as_str().unwrap(),
                f["target"]["region"].as_str().unwrap(),
                f["resource"].as_str().unwrap_or("-")
            )
        })
        .collect()
}

fn finding<'a>(
    report: &'a serde_json::Value,
    control: &str,
    resource: &str,
) -> &'a serde_json::Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["control"] == control && f["resource"] == resource)
        .unwrap_or_else(|| panic!("no {control} finding for {resource}"))
}

#[tokio::test]
async fn workload_logs_are_turned_on_kept_on_and_put_back() {
    let emu = Emulator::start();
    let w = make_workloads(&emu).await;
    let (prod, dev) = (w.prod.as_str(), w.dev.as_str());
    let dir = tempfile::tempdir().unwrap();
    let env = write_env(dir.path(), "wl.yaml", ENV);
    let env = env.to_str().unwrap();

    // The plan: the destination stacks, one configure action per resource that needs it,
    // and what it leaves alone.
    let plan = plan_json(&emu, env);
    let stacks: BTreeSet<String> = [
        (prod, "eu-west-1"),
        (prod, "us-east-1"),
        (dev, "eu-west-1"),
        (dev, "us-east-1"),
    ]
    .iter()
    .map(|(a, r)| format!("{a}/{r}/irready-wl-workload-logging create"))
    .collect();
    assert_eq!(changing(&plan), stacks);
    assert_eq!(
        configure(&plan),
        BTreeSet::from([
            format!("{prod}/eu-west-1 s3_bucket app-data"),
            format!("{prod}/eu-west-1 alb web"),
            format!("{dev}/us-east-1 nlb api"),
            // The team's log bucket is a workload like any other: its own access logs go
            // to irready's bucket (a bucket never logs into itself).
            format!("{dev}/us-east-1 s3_bucket dev-audit"),
            format!("{dev}/us-east-1 classic_elb legacy-lb"),
            format!("{dev}/eu-west-1 redshift_cluster warehouse"),
            format!("{prod}/us-east-1 eks_cluster platform"),
            format!("{prod}/eu-west-1 rest_api_stage orders/prod"),
            format!("{prod}/us-east-1 distribution {}", w.distribution.1),
            format!("{dev}/eu-west-1 http_api_stage catalog/live"),
        ])
    );
    // What the stack itself sets, shown for what it changes: the two web ACLs' logging
    // and the CloudWatch role of every API Gateway account.
    let by_stack: BTreeSet<String> = plan["workloads"]["by_stack"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{}/{} {} {}",
                c["target"]["account"].as_str().unwrap(),
                c["target"]["region"].as_str().unwrap(),
                c["resource_type"].as_str().unwrap(),
                c["name"].as_str().unwrap()
            )
        })
        .collect();
    let mut expected_by_stack = BTreeSet::from([
        format!("{prod}/eu-west-1 web_acl shop"),
        format!("{dev}/us-east-1 web_acl edge (CloudFront)"),
    ]);
    // Every API Gateway account's CloudWatch role, but dev-app's in us-east-1, set by
    // the team and kept.
    for (account, region) in [(prod, "us-east-1"), (prod, "eu-west-1"), (dev, "eu-west-1")] {
        expected_by_stack.insert(format!("{account}/{region} api_gateway_account settings"));
    }
    assert_eq!(by_stack, expected_by_stack);
    let excluded: BTreeMap<String, String> = plan["workloads"]["excluded"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["name"].as_str().unwrap().to_owned(),
                e["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        excluded,
        BTreeMap::from([
            (
                "legacy-exports".to_owned(),
                "excluded by tag irready:logging=off".to_owned()
            ),
            (
                "scratch-tmp".to_owned(),
                "excluded by name pattern `scratch-*`".to_owned()
            ),
        ])
    );
    let kept: BTreeSet<String> = plan["workloads"]["kept"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            format!(
                "{} {}",
                k["resource_type"].as_str().unwrap(),
                k["name"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        kept,
        BTreeSet::from([
            "s3_bucket dev-data".to_owned(),
            "api_gateway_account settings".to_owned()
        ])
    );
    let text = emu.irready(&["plan", "-e", env]);
    text.expect_code(0);
    for line in [
        format!(
            "~ configure ALB web in prod-app ({prod})/eu-west-1: access_logs off → on (bucket {}, prefix web)",
            dest("elb", prod, "eu-west-1")
        ),
        format!(
            "~ configure S3 bucket app-data in prod-app ({prod})/eu-west-1: server_access_logs off → on (bucket {}, prefix app-data/, partitioned by event time)",
            dest("s3", prod, "eu-west-1")
        ),
        format!(
            "~ configure NLB api in dev-app ({dev})/us-east-1: access_logs off → on (bucket {}, prefix api)",
            dest("elb", dev, "us-east-1")
        ),
        format!(
            "~ configure EKS cluster platform in prod-app ({prod})/us-east-1: control_plane_logs on (api) → on (api, audit, authenticator, controllerManager, scheduler)"
        ),
        format!(
            "~ configure Redshift cluster warehouse in dev-app ({dev})/eu-west-1: audit_logging off → on (bucket {}, prefix warehouse/)",
            dest("rs", dev, "eu-west-1")
        ),
        format!(
            "+ web ACL shop in prod-app ({prod})/eu-west-1: logging off → on (arn:aws:logs:eu-west-1:{prod}:log-group:aws-waf-logs-irready-wl), through the workload-logging stack"
        ),
        format!("- S3 bucket legacy-exports in prod-app ({prod})/eu-west-1: excluded by tag irready:logging=off"),
        format!("= S3 bucket dev-data in dev-app ({dev})/us-east-1: server_access_logs is on (bucket dev-audit, prefix dev-data/), set outside irready: kept"),
    ] {
        assert!(text.stdout.contains(&line), "`{line}` not in:\n{}", text.stdout);
    }
    assert!(
        text.stdout.contains("10 workload settings to configure"),
        "{}",
        text.stdout
    );
    let markdown = emu.irready(&["plan", "-e", env, "--format", "markdown"]);
    markdown.expect_code(0);
    assert!(
        markdown.stdout.contains("#### Workload logging")
            && markdown.stdout.contains(&format!(
                "~ configure ALB web in prod-app ({prod})/eu-west-1"
            )),
        "{}",
        markdown.stdout
    );

    // Before apply, check fails on exactly those resources and shows the exclusion. Other
    // controls fail as well without the rest of the catalog (no forensic account here):
    // they are the baseline the workload controls are compared against later.
    let check = emu.irready(&["check", "-e", env, "--format", "json"]);
    check.expect_code(3);
    let (workload_failures, baseline): (BTreeSet<String>, BTreeSet<String>) = failing(&check)
        .into_iter()
        .partition(|f| f.starts_with("IR-WL-"));
    assert_eq!(
        workload_failures,
        BTreeSet::from([
            format!("IR-WL-1 {prod}/eu-west-1 app-data"),
            format!("IR-WL-2 {prod}/eu-west-1 web"),
            format!("IR-WL-2 {dev}/us-east-1 api"),
            format!("IR-WL-1 {dev}/us-east-1 dev-audit"),
            format!("IR-WL-2 {dev}/us-east-1 legacy-lb"),
            format!("IR-WL-3 {dev}/eu-west-1 warehouse"),
            format!("IR-WL-4 {prod}/us-east-1 platform"),
            format!("IR-WL-5 {prod}/eu-west-1 orders/prod"),
            // No CloudWatch role in any API Gateway account yet.
            format!("IR-WL-5 {prod}/eu-west-1 settings"),
            format!("IR-WL-5 {prod}/us-east-1 settings"),
            format!("IR-WL-5 {dev}/eu-west-1 settings"),
            format!("IR-WL-6 {prod}/eu-west-1 shop"),
            format!("IR-WL-6 {dev}/us-east-1 edge (CloudFront)"),
            format!("IR-WL-7 {prod}/us-east-1 {}", w.distribution.1),
            format!("IR-WL-5 {dev}/eu-west-1 catalog/live"),
        ])
    );
    let report = check.json();
    let legacy = finding(&report, "IR-WL-1", "legacy-exports");
    assert_eq!(legacy["status"], "not_applicable");
    assert!(legacy["message"]
        .as_str()
        .unwrap()
        .contains("excluded by tag irready:logging=off"));

    emu.irready(&["apply", "-e", env, "--auto-approve"])
        .expect_code(0);

    // Every log delivery the workloads now make succeeds: the emulator evaluates each
    // destination's policy for the delivering service as AWS does, and writes a sample.
    let report = emu.deliver();
    let delivered: BTreeSet<&str> = report["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            assert_eq!(d["ok"], true, "{d}");
            d["delivery"].as_str().unwrap()
        })
        .collect();
    for kind in [
        "apigateway-logs",
        "cloudfront-standard-logs",
        "elb-access-logs",
        "redshift-audit-logs",
        "s3-server-access-logs",
        "waf-logs",
    ] {
        assert!(delivered.contains(kind), "{kind} in {delivered:?}");
    }

    // Read back through S3 and ELB: logging on, into irready's destinations.
    assert_eq!(
        bucket_logging(&emu, prod, "eu-west-1", "app-data").await,
        Some((dest("s3", prod, "eu-west-1"), "app-data/".to_owned()))
    );
    assert_eq!(
        bucket_logging(&emu, dev, "us-east-1", "dev-audit").await,
        Some((dest("s3", dev, "us-east-1"), "dev-audit/".to_owned()))
    );
    // Partitioned by the events' dates, which the analysis table projects.
    let format = emu
        .s3(prod, "eu-west-1")
        .await
        .get_bucket_logging()
        .bucket("app-data")
        .send()
        .await
        .unwrap();
    let partitioned = format
        .logging_enabled()
        .and_then(|l| l.target_object_key_format())
        .and_then(|f| f.partitioned_prefix())
        .and_then(|p| p.partition_date_source())
        .map(|d| d.as_str().to_owned());
    assert_eq!(partitioned.as_deref(), Some("EventTime"));
    let lb_prod = elb(&emu, prod, "eu-west-1").await;
    let lb_dev = elb(&emu, dev, "us-east-1").await;
    for (lb, arn, account, region, prefix) in [
        (&lb_prod, &w.web, prod, "eu-west-1", "web"),
        (&lb_dev, &w.api, dev, "us-east-1", "api"),
    ] {
        let logs = access_logs(lb, arn).await;
        assert_eq!(logs["enabled"], "true", "{arn}");
        assert_eq!(logs["bucket"], dest("elb", account, region));
        assert_eq!(logs["prefix"], prefix);
    }
    assert_eq!(
        classic_access_log(&emu, dev, "us-east-1", "legacy-lb").await,
        (true, dest("elb", dev, "us-east-1"), "legacy-lb".to_owned())
    );
    assert_eq!(
        redshift_logging(&emu, dev, "eu-west-1", "warehouse").await,
        (true, dest("rs", dev, "eu-west-1"), "warehouse/".to_owned())
    );
    assert_eq!(
        eks_log_types(&emu, prod, "us-east-1", "platform").await,
        ALL_EKS_LOGS
    );
    let rs_policy = emu
        .s3(dev, "eu-west-1")
        .await
        .get_bucket_policy()
        .bucket(dest("rs", dev, "eu-west-1"))
        .send()
        .await
        .unwrap();
    let rs_policy: serde_json::Value = serde_json::from_str(rs_policy.policy().unwrap()).unwrap();
    for grant in rs_policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["Effect"] == "Allow")
    {
        assert_eq!(grant["Principal"]["Service"], "redshift.amazonaws.com");
        assert_eq!(grant["Condition"]["StringEquals"]["aws:SourceAccount"], dev);
    }
    // API Gateway: the account's CloudWatch role (the stack's, read back through IAM),
    // the stage's access logs into irready's log group and INFO execution logs.
    let role_name = "irready-wl-apigw-logs-eu-west-1";
    let account = apigateway(&emu, prod, "eu-west-1")
        .await
        .get_account()
        .send()
        .await
        .unwrap();
    assert_eq!(
        account.cloudwatch_role_arn(),
        Some(format!("arn:aws:iam::{prod}:role/{role_name}").as_str())
    );
    let role = emu
        .iam(prod)
        .await
        .get_role()
        .role_name(role_name)
        .send()
        .await
        .unwrap();
    let trust = urlencoding::decode(role.role().unwrap().assume_role_policy_document().unwrap())
        .unwrap()
        .into_owned();
    assert!(trust.contains("apigateway.amazonaws.com"), "{trust}");
    assert_eq!(
        stage_logging(&emu, prod, "eu-west-1", &w.rest_api).await,
        (
            Some(format!(
                "arn:aws:logs:eu-west-1:{prod}:log-group:irready-wl-apigateway-access-logs"
            )),
            Some("INFO".to_owned())
        )
    );
    let groups = emu
        .regional(prod, "eu-west-1", aws_sdk_cloudwatchlogs::Client::new)
        .await
        .describe_log_groups()
        .log_group_name_prefix("irready-wl-apigateway-access-logs")
        .send()
        .await
        .unwrap();
    assert_eq!(groups.log_groups()[0].retention_in_days(), Some(90));
    // WAF: each web ACL logs into irready's aws-waf-logs- log group, through the stack's
    // logging configuration.
    for (account, region, arn) in [
        (prod, "eu-west-1", &w.shop_acl),
        (dev, "us-east-1", &w.edge_acl),
    ] {
        assert_eq!(
            waf_logging(&emu, account, region, arn).await,
            [format!(
                "arn:aws:logs:{region}:{account}:log-group:aws-waf-logs-irready-wl"
            )],
            "{arn}"
        );
    }
    assert_eq!(
        http_stage_logging(&emu, dev, "eu-west-1", &w.http_api).await,
        Some(format!(
            "arn:aws:logs:eu-west-1:{dev}:log-group:irready-wl-apigateway-access-logs"
        ))
    );
    // CloudFront: standard logs into irready's bucket in the home region, which keeps
    // ACLs enabled for CloudFront's log delivery.
    let cf_bucket = dest("cf", prod, "us-east-1");
    assert_eq!(
        distribution_logging(&emu, prod, &w.distribution.0).await,
        (
            true,
            format!("{cf_bucket}.s3.amazonaws.com"),
            format!("{}/", w.distribution.1)
        )
    );
    let ownership = emu
        .s3(prod, "us-east-1")
        .await
        .get_bucket_ownership_controls()
        .bucket(&cf_bucket)
        .send()
        .await
        .unwrap();
    assert_eq!(
        ownership.ownership_controls().unwrap().rules()[0]
            .object_ownership()
            .as_str(),
        "BucketOwnerPreferred"
    );
    // Left alone: the excluded buckets, and the bucket logging into the team's own.
    assert_eq!(
        bucket_logging(&emu, prod, "eu-west-1", "legacy-exports").await,
        None
    );
    assert_eq!(
        bucket_logging(&emu, prod, "eu-west-1", "scratch-tmp").await,
        None
    );
    assert_eq!(
        bucket_logging(&emu, dev, "us-east-1", "dev-data").await,
        Some(("dev-audit".to_owned(), "dev-data/".to_owned()))
    );
    // The destinations: TLS only, written by the logging services alone, never logging
    // into themselves, keeping logs as long as the environment says.
    let s3 = emu.s3(prod, "eu-west-1").await;
    let access_bucket = dest("s3", prod, "eu-west-1");
    let policy = s3
        .get_bucket_policy()
        .bucket(&access_bucket)
        .send()
        .await
        .unwrap();
    let policy: serde_json::Value = serde_json::from_str(policy.policy().unwrap()).unwrap();
    let statements = policy["Statement"].as_array().unwrap();
    let grant = statements.iter().find(|s| s["Effect"] == "Allow").unwrap();
    assert_eq!(grant["Principal"]["Service"], "logging.s3.amazonaws.com");
    assert_eq!(
        grant["Condition"]["StringEquals"]["aws:SourceAccount"],
        prod
    );
    assert!(statements
        .iter()
        .filter(|s| s["Effect"] == "Allow")
        .all(|s| s["Principal"] != "*"));
    assert!(statements
        .iter()
        .any(|s| s["Sid"] == "DenyInsecureTransport"));
    let elb_bucket = dest("elb", prod, "eu-west-1");
    let policy = s3
        .get_bucket_policy()
        .bucket(&elb_bucket)
        .send()
        .await
        .unwrap();
    let policy: serde_json::Value = serde_json::from_str(policy.policy().unwrap()).unwrap();
    let grant = policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Effect"] == "Allow")
        .unwrap()
        .clone();
    let nlb_write = policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Sid"] == "NlbAccessLogsWrite")
        .expect("a grant to the log delivery service for NLBs")
        .clone();
    assert_eq!(
        nlb_write["Principal"]["Service"],
        "delivery.logs.amazonaws.com"
    );
    assert_eq!(
        nlb_write["Condition"]["StringEquals"]["aws:SourceAccount"],
        prod
    );
    // eu-west-1's load balancer log delivery account.
    assert_eq!(grant["Principal"]["AWS"], "arn:aws:iam::156460612806:root");
    assert_eq!(
        grant["Resource"],
        format!("arn:aws:s3:::{elb_bucket}/*/AWSLogs/{prod}/*")
    );
    for bucket in [&access_bucket, &elb_bucket] {
        assert_eq!(
            bucket_logging(&emu, prod, "eu-west-1", bucket).await,
            None,
            "{bucket}"
        );
        let lifecycle = s3
            .get_bucket_lifecycle_configuration()
            .bucket(bucket)
            .send()
            .await
            .unwrap();
        assert_eq!(
            lifecycle.rules()[0].expiration().unwrap().days(),
            Some(90),
            "{bucket}"
        );
    }

    // Nothing left to do; check passes every workload control.
    emu.irready(&["plan", "-e", env, "--detailed-exitcode"])
        .expect_code(0);
    let check = emu.irready(&[
        "check",
        "-e",
        env,
        "--format",
        "json",
        "--control",
        "IR-WL-1",
        "--control",
        "IR-WL-2",
    ]);
    check.expect_code(0);
    let report = check.json();
    assert_eq!(finding(&report, "IR-WL-2", "web")["status"], "pass");
    assert_eq!(finding(&report, "IR-WL-1", "dev-data")["status"], "pass");

    // A team turns the NLB's access logs off again.
    set_access_logs(&lb_dev, &w.api, false, "", "").await;
    let check = emu.irready(&["check", "-e", env, "--format", "json"]);
    check.expect_code(3);
    let mut expected = baseline.clone();
    expected.insert(format!("IR-WL-2 {dev}/us-east-1 api"));
    assert_eq!(failing(&check), expected);
    // JUnit names each resource's test case.
    let junit = emu.irready(&[
        "check",
        "-e",
        env,
        "--format",
        "junit",
        "--control",
        "IR-WL-2",
    ]);
    junit.expect_code(3);
    assert!(
        junit
            .stdout
            .contains(&format!("name=\"{dev}/us-east-1 api\">"))
            && junit.stdout.contains("<failure message=\"NLB api in "),
        "{}",
        junit.stdout
    );
    let plan = plan_json(&emu, env);
    assert_eq!(changing(&plan), BTreeSet::new());
    assert_eq!(
        configure(&plan),
        BTreeSet::from([format!("{dev}/us-east-1 nlb api")])
    );
    emu.irready(&["plan", "-e", env, "--detailed-exitcode"])
        .expect_code(2);
    // A saved plan configures only over the setting it was planned from: the team turning
    // the logs on elsewhere in between makes it stale, and apply refuses it.
    let saved = dir.path().join("plan.json");
    let saved = saved.to_str().unwrap();
    emu.irready(&["plan", "-e", env, "-o", saved])
        .expect_code(0);
    // The team's own bucket, kept out of irready's workloads by the exclusion tag.
    let s3_dev = emu.s3(dev, "us-east-1").await;
    s3_dev
        .create_bucket()
        .bucket("team-logs")
        .send()
        .await
        .unwrap();
    s3_dev
        .put_bucket_tagging()
        .bucket("team-logs")
        .tagging(
            aws_sdk_s3::types::Tagging::builder()
                .tag_set(
                    aws_sdk_s3::types::Tag::builder()
                        .key("irready:logging")
                        .value("off")
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    set_access_logs(&lb_dev, &w.api, true, "team-logs", "api").await;
    let refused = emu.irready(&["apply", saved, "--auto-approve"]);
    refused.expect_code(1);
    assert!(
        refused.stderr.contains(&format!(
            "workload api in {dev}/us-east-1: access_logs was off when planned, and needs no change now"
        )),
        "{}",
        refused.stderr
    );
    assert_eq!(access_logs(&lb_dev, &w.api).await["bucket"], "team-logs");
    set_access_logs(&lb_dev, &w.api, false, "", "").await;
    emu.irready(&["apply", "-e", env, "--auto-approve"])
        .expect_code(0);
    assert_eq!(access_logs(&lb_dev, &w.api).await["enabled"], "true");
    emu.irready(&["plan", "-e", env, "--detailed-exitcode"])
        .expect_code(0);

    // A team deletes the web ACL's logging configuration, irready's own resource: the
    // plan shows it changed outside irready, and apply makes it again.
    wafv2(&emu, prod, "eu-west-1")
        .await
        .delete_logging_configuration()
        .resource_arn(&w.shop_acl)
        .send()
        .await
        .unwrap();
    let check = emu.irready(&["check", "-e", env, "--format", "json"]);
    let mut expected = baseline.clone();
    expected.insert(format!("IR-WL-6 {prod}/eu-west-1 shop"));
    assert_eq!(failing(&check), expected);
    let plan = plan_json(&emu, env);
    let drift = plan["drift"].as_array().expect("drift in the plan");
    assert_eq!(drift.len(), 1, "{drift:?}");
    assert_eq!(
        drift[0]["resource_type"],
        "AWS::WAFv2::LoggingConfiguration"
    );
    assert_eq!(drift[0]["change"], "logging configuration deleted");
    assert_eq!(drift[0]["repair"]["repair"], "recreate");
    emu.irready(&["apply", "-e", env, "--auto-approve"])
        .expect_code(0);
    assert_eq!(
        waf_logging(&emu, prod, "eu-west-1", &w.shop_acl)
            .await
            .len(),
        1
    );
    emu.irready(&["plan", "-e", env, "--detailed-exitcode"])
        .expect_code(0);

    // The team's CloudWatch role was never replaced.
    assert_eq!(
        apigateway(&emu, dev, "us-east-1")
            .await
            .get_account()
            .send()
            .await
            .unwrap()
            .cloudwatch_role_arn(),
        Some(format!("arn:aws:iam::{dev}:role/team-apigw-logs").as_str())
    );

    // Destroy puts back every setting as it was before irready, the NLB's included
    // (its record was not overwritten when apply turned its logs on again).
    let destroy = emu.irready(&["destroy", "-e", env, "--auto-approve"]);
    destroy.expect_code(0);
    assert!(
        destroy.stdout.contains("Put back the logging of ALB web"),
        "{}",
        destroy.stdout
    );
    assert_eq!(
        bucket_logging(&emu, prod, "eu-west-1", "app-data").await,
        None
    );
    assert_eq!(
        bucket_logging(&emu, dev, "us-east-1", "dev-audit").await,
        None
    );
    assert!(
        !classic_access_log(&emu, dev, "us-east-1", "legacy-lb")
            .await
            .0
    );
    assert!(
        !redshift_logging(&emu, dev, "eu-west-1", "warehouse")
            .await
            .0
    );
    assert_eq!(
        eks_log_types(&emu, prod, "us-east-1", "platform").await,
        ["api"]
    );
    assert_eq!(
        stage_logging(&emu, prod, "eu-west-1", &w.rest_api).await,
        (None, Some("OFF".to_owned()))
    );
    assert_eq!(
        distribution_logging(&emu, prod, &w.distribution.0).await,
        (false, String::new(), String::new())
    );
    assert_eq!(
        http_stage_logging(&emu, dev, "eu-west-1", &w.http_api).await,
        None
    );
    // The stacks' logging configurations went with them: the web ACLs had none before.
    assert_eq!(
        waf_logging(&emu, prod, "eu-west-1", &w.shop_acl).await,
        Vec::<String>::new()
    );
    assert_eq!(
        waf_logging(&emu, dev, "us-east-1", &w.edge_acl).await,
        Vec::<String>::new()
    );
    let web = access_logs(&lb_prod, &w.web).await;
    assert_eq!(web["enabled"], "false");
    assert_eq!(web["bucket"], "");
    let api = access_logs(&lb_dev, &w.api).await;
    assert_eq!(api["enabled"], "false");
    assert_eq!(api["bucket"], "old-api-logs");
    assert_eq!(api["prefix"], "api");
    assert_eq!(
        bucket_logging(&emu, dev, "us-east-1", "dev-data").await,
        Some(("dev-audit".to_owned(), "dev-data/".to_owned()))
    );
    // The records are gone, and the destination buckets stay with their logs.
    for (account, region) in [(prod, "eu-west-1"), (dev, "us-east-1")] {
        let ssm = emu
            .regional(account, region, aws_sdk_ssm::Client::new)
            .await;
        let records = ssm
            .get_parameters_by_path()
            .path("/irready/wl/workload-logging")
            .recursive(true)
            .send()
            .await
            .unwrap();
        assert!(records.parameters().is_empty(), "{account}/{region}");
    }
    s3.head_bucket()
        .bucket(&access_bucket)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn workload_logging_templates_pass_cfn_lint() {
    let emu = Emulator::start();
    let dir = tempfile::tempdir().unwrap();
    let env = write_env(dir.path(), "wl.yaml", ENV);
    // A web ACL, so that a logging configuration is rendered and linted too.
    let prod = emu.accounts().await["prod-app"].clone();
    make_web_acl(&emu, &prod, "eu-west-1", "shop", false).await;
    let out = dir.path().join("rendered");
    emu.irready(&[
        "render",
        "-e",
        env.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ])
    .expect_code(0);
    let mut files = Vec::new();
    for account in std::fs::read_dir(&out).unwrap() {
        for region in std::fs::read_dir(account.unwrap().path()).unwrap() {
            for file in std::fs::read_dir(region.unwrap().path()).unwrap() {
                files.push(file.unwrap().path());
            }
        }
    }
    assert_eq!(files.len(), 4, "{files:?}");
    let lint = std::process::Command::new("cfn-lint")
        .args(&files)
        .output()
        .expect("cfn-lint is installed (scripts/requirements.txt)");
    assert!(
        lint.status.success(),
        "cfn-lint found problems:\n{}{}",
        String::from_utf8_lossy(&lint.stdout),
        String::from_utf8_lossy(&lint.stderr)
    );
}
