"""Log delivery against the emulator: what AWS refuses is refused, what it accepts is delivered.

Starts ``python3 -m emulator_ext.server`` on a free loopback port (what
``scripts/emulator up --seed none`` runs), drives it with boto3 as the
organization's management account and, through sts:AssumeRole into
``OrganizationAccountAccessRole``, as member accounts, and stops it at the end.
The bucket and key policies here are written for each case (they are not the
project's templates). A folder marker is written before the policy that would
refuse it. Object requests of the test itself are judged by the bucket policy as
requests of the bucket owner's account (s3_bucket_policy.py).

Run: ``cd /work/main && python3 -m unittest discover -s tests/emulator -t .``
"""

import datetime
import gzip
import json
import re
import subprocess
import sys
import unittest
import uuid

from botocore.exceptions import ClientError

from tests.emulator.harness import MANAGEMENT, REGION, REPO, OrganizationTestCase

SLR = f"arn:aws:iam::{{account}}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"


class DeliveryTest(OrganizationTestCase):
    name = "delivery"

    # -- helpers ------------------------------------------------------------

    def bucket(self, policy: dict | None, *, key_arn: str | None = None, bucket_key: bool = False,
               object_lock: bool = False, account: str | None = None, region: str = REGION) -> str:
        account = account or self.forensic
        name = f"logs-{uuid.uuid4().hex[:12]}"
        s3 = self.client("s3", account, region)
        arguments = {"Bucket": name}
        if region != "us-east-1":
            arguments["CreateBucketConfiguration"] = {"LocationConstraint": region}
        if object_lock:
            arguments["ObjectLockEnabledForBucket"] = True
        s3.create_bucket(**arguments)
        if key_arn:
            s3.put_bucket_encryption(
                Bucket=name,
                ServerSideEncryptionConfiguration={
                    "Rules": [
                        {
                            "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn},
                            "BucketKeyEnabled": bucket_key,
                        }
                    ]
                },
            )
        if policy is not None:
            s3.put_bucket_policy(Bucket=name, Policy=json.dumps(policy).replace("BUCKET", name))
        return name

    def key(self, statements: list[dict], account: str | None = None, region: str = REGION) -> str:
        account = account or self.forensic
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                 "Action": "kms:*", "Resource": "*"},
                *statements,
            ],
        }
        return self.client("kms", account, region).create_key(Policy=json.dumps(policy))["KeyMetadata"]["Arn"]

    def keys(self, bucket: str, prefix: str = "", account: str | None = None, region: str = REGION) -> list[str]:
        listed = self.client("s3", account or self.forensic, region).list_objects_v2(Bucket=bucket, Prefix=prefix)
        return [item["Key"] for item in listed.get("Contents", [])]

    def read(self, bucket: str, key: str, account: str | None = None) -> bytes:
        body = self.client("s3", account or self.forensic).get_object(Bucket=bucket, Key=key)["Body"].read()
        return gzip.decompress(body) if key.endswith(".gz") else body

    def assertRefused(self, code: str, call, *args, **kwargs) -> str:
        with self.assertRaises(ClientError) as raised:
            call(*args, **kwargs)
        self.assertEqual(raised.exception.response["Error"]["Code"], code, raised.exception.response["Error"])
        return raised.exception.response["Error"]["Message"]

    def reports(self, delivery: str, resource: str) -> list[dict]:
        return [r for r in self.emulator.deliver()["deliveries"] if r["delivery"] == delivery and r.get("resource") == resource]

    def today(self) -> datetime.datetime:
        return datetime.datetime.now(datetime.timezone.utc)

    # -- documented policies --------------------------------------------------

    def cloudtrail_bucket_policy(self, organization: bool = False) -> dict:
        # https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html
        resources = [f"arn:aws:s3:::BUCKET/AWSLogs/{MANAGEMENT}/*"]
        if organization:
            resources.append(f"arn:aws:s3:::BUCKET/AWSLogs/{self.org_id}/*")
        return {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "AWSCloudTrailAclCheck", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
                 "Action": "s3:GetBucketAcl", "Resource": "arn:aws:s3:::BUCKET"},
                {"Sid": "AWSCloudTrailWrite", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
                 "Action": "s3:PutObject", "Resource": resources,
                 "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"},
                               "StringLike": {"aws:SourceArn": f"arn:aws:cloudtrail:*:{MANAGEMENT}:trail/*"}}},
            ],
        }

    def cloudtrail_key_statements(self) -> list[dict]:
        # https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html
        return [
            {"Sid": "Allow CloudTrail to encrypt logs", "Effect": "Allow",
             "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "kms:GenerateDataKey*", "Resource": "*",
             "Condition": {"StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": f"arn:aws:cloudtrail:*:{MANAGEMENT}:trail/*"}}},
            {"Sid": "Allow CloudTrail to describe key", "Effect": "Allow",
             "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "kms:DescribeKey", "Resource": "*"},
        ]

    def log_delivery_policy(self, account: str, folder: str = "") -> dict:
        # https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-s3-permissions.html
        return {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "AWSLogDeliveryWrite", "Effect": "Allow", "Principal": {"Service": "delivery.logs.amazonaws.com"},
                 "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::BUCKET/{folder}AWSLogs/{account}/*",
                 "Condition": {"StringEquals": {"aws:SourceAccount": account, "s3:x-amz-acl": "bucket-owner-full-control"},
                               "ArnLike": {"aws:SourceArn": f"arn:aws:logs:{REGION}:{account}:*"}}},
                {"Sid": "AWSLogDeliveryAclCheck", "Effect": "Allow", "Principal": {"Service": "delivery.logs.amazonaws.com"},
                 "Action": ["s3:GetBucketAcl", "s3:ListBucket"], "Resource": "arn:aws:s3:::BUCKET",
                 "Condition": {"StringEquals": {"aws:SourceAccount": account},
                               "ArnLike": {"aws:SourceArn": f"arn:aws:logs:{REGION}:{account}:*"}}},
            ],
        }

    def log_delivery_key_statement(self, account: str) -> dict:
        # https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-infrastructure-S3.html#AWS-logs-SSE-KMS-S3
        return {"Sid": "Allow Logs Delivery to use the key", "Effect": "Allow",
                "Principal": {"Service": "delivery.logs.amazonaws.com"},
                "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
                "Resource": "*", "Condition": {"StringEquals": {"aws:SourceAccount": account}}}

    def config_policy(self, account: str) -> dict:
        # https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-policy.html
        source = {"StringEquals": {"AWS:SourceAccount": account}}
        return {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "AWSConfigBucketPermissionsCheck", "Effect": "Allow", "Principal": {"Service": "config.amazonaws.com"},
                 "Action": "s3:GetBucketAcl", "Resource": "arn:aws:s3:::BUCKET", "Condition": source},
                {"Sid": "AWSConfigBucketExistenceCheck", "Effect": "Allow", "Principal": {"Service": "config.amazonaws.com"},
                 "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::BUCKET", "Condition": source},
                {"Sid": "AWSConfigBucketDelivery", "Effect": "Allow", "Principal": {"Service": "config.amazonaws.com"},
                 "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::BUCKET/AWSLogs/{account}/Config/*",
                 "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "AWS:SourceAccount": account}}},
            ],
        }

    def guardduty_policy(self, account: str, folder: str) -> dict:
        # https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_exportfindings.html
        return {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "Allow GetBucketLocation", "Effect": "Allow", "Principal": {"Service": "guardduty.amazonaws.com"},
                 "Action": "s3:GetBucketLocation", "Resource": "arn:aws:s3:::BUCKET",
                 "Condition": {"StringEquals": {"aws:SourceAccount": account}}},
                {"Sid": "Allow PutObject", "Effect": "Allow", "Principal": {"Service": "guardduty.amazonaws.com"},
                 "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::BUCKET/{folder}*",
                 "Condition": {"StringEquals": {"aws:SourceAccount": account}}},
                {"Sid": "Deny unencrypted object uploads", "Effect": "Deny", "Principal": {"Service": "guardduty.amazonaws.com"},
                 "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::BUCKET/{folder}*",
                 "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}},
                {"Sid": "CallerReadsTheFolder", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                 "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": ["arn:aws:s3:::BUCKET", "arn:aws:s3:::BUCKET/*"]},
            ],
        }

    def guardduty_key_statement(self, account: str) -> dict:
        return {"Sid": "AllowGuardDutyKey", "Effect": "Allow", "Principal": {"Service": "guardduty.amazonaws.com"},
                "Action": "kms:GenerateDataKey", "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceAccount": account}}}

    def detector(self, account: str, region: str = REGION) -> str:
        guardduty = self.client("guardduty", account, region)
        existing = guardduty.list_detectors()["DetectorIds"]
        return existing[0] if existing else guardduty.create_detector(Enable=True)["DetectorId"]

    def vpc(self, account: str, region: str = REGION) -> str:
        return self.client("ec2", account, region).create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]

    def recorder(self, account: str, region: str) -> None:
        self.client("config", account, region).put_configuration_recorder(
            ConfigurationRecorder={"name": "default", "roleARN": SLR.format(account=account),
                                   "recordingGroup": {"allSupported": True}}
        )

    # -- CloudTrail -------------------------------------------------------------

    def test_trail_bucket_policy_without_put_object_is_refused(self):
        policy = self.cloudtrail_bucket_policy()
        policy["Statement"] = [policy["Statement"][0]]  # GetBucketAcl only
        bucket = self.bucket(policy)
        message = self.assertRefused(
            "InsufficientS3BucketPolicyException", self.client("cloudtrail").create_trail, Name="no-put", S3BucketName=bucket
        )
        self.assertEqual(message, f"Incorrect S3 bucket policy is detected for bucket: {bucket}")
        self.assertNotIn("no-put", [t["Name"] for t in self.client("cloudtrail").list_trails()["Trails"]])

    def test_trail_bucket_policy_for_another_prefix_is_refused(self):
        bucket = self.bucket(self.cloudtrail_bucket_policy())
        self.assertRefused(
            "InsufficientS3BucketPolicyException",
            self.client("cloudtrail").create_trail, Name="prefixed", S3BucketName=bucket, S3KeyPrefix="trails",
        )

    def test_trail_key_policy_with_describe_key_under_encryption_context_is_refused(self):
        bucket = self.bucket(self.cloudtrail_bucket_policy())
        key = self.key([
            {"Sid": "EncryptAndDescribe", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": ["kms:GenerateDataKey*", "kms:DescribeKey"], "Resource": "*",
             "Condition": {"StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": f"arn:aws:cloudtrail:*:{MANAGEMENT}:trail/*"}}},
        ])
        message = self.assertRefused(
            "InsufficientEncryptionPolicyException",
            self.client("cloudtrail").create_trail, Name="bad-key", S3BucketName=bucket, KmsKeyId=key,
        )
        self.assertEqual(message, f"Insufficient permissions to access S3 bucket {bucket} or KMS key {key}.")

    def test_trail_refused_through_a_stack_fails_the_stack_operation(self):
        bucket = self.bucket({"Version": "2012-10-17", "Statement": []}, account=MANAGEMENT)
        template = {"Resources": {"Trail": {"Type": "AWS::CloudTrail::Trail", "Properties": {
            "TrailName": "stack-trail", "S3BucketName": bucket, "IsLogging": True}}}}
        message = self.assertRefused(
            "ValidationError", self.client("cloudformation").create_stack,
            StackName="refused-trail", TemplateBody=json.dumps(template),
        )
        self.assertEqual(
            message,
            f"Incorrect S3 bucket policy is detected for bucket: {bucket} "
            "(Service: CloudTrail, Status Code: 400, Error Code: InsufficientS3BucketPolicyException)",
        )

    def test_trail_update_to_a_refusing_bucket_is_refused_and_keeps_the_trail(self):
        cloudtrail = self.client("cloudtrail")
        good = self.bucket(self.cloudtrail_bucket_policy())
        cloudtrail.create_trail(Name="updated", S3BucketName=good)
        bad = self.bucket({"Version": "2012-10-17", "Statement": []})
        self.assertRefused("InsufficientS3BucketPolicyException", cloudtrail.update_trail, Name="updated", S3BucketName=bad)
        self.assertEqual(cloudtrail.get_trail(Name="updated")["Trail"]["S3BucketName"], good)

    def test_cloudwatch_logs_role_is_checked(self):
        bucket = self.bucket(self.cloudtrail_bucket_policy())
        logs = self.client("logs")
        logs.create_log_group(logGroupName="/trail/test")
        group_arn = f"arn:aws:logs:{REGION}:{MANAGEMENT}:log-group:/trail/test:*"
        iam = self.client("iam")
        untrusted = iam.create_role(
            RoleName="trusts-ec2",
            AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}),
        )["Role"]["Arn"]
        cloudtrail = self.client("cloudtrail")
        self.assertRefused(
            "InvalidCloudWatchLogsRoleArnException", cloudtrail.create_trail, Name="cwl-trust", S3BucketName=bucket,
            CloudWatchLogsLogGroupArn=group_arn, CloudWatchLogsRoleArn=untrusted,
        )
        trusted = iam.create_role(
            RoleName="trail-to-logs",
            AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "sts:AssumeRole"}]}),
        )["Role"]["Arn"]
        # The group ARN without ":*" matches no log stream.
        iam.put_role_policy(RoleName="trail-to-logs", PolicyName="logs", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                 "Resource": f"arn:aws:logs:{REGION}:{MANAGEMENT}:log-group:/trail/test"}]}))
        self.assertRefused(
            "InvalidCloudWatchLogsLogGroupArnException", cloudtrail.create_trail, Name="cwl-perms", S3BucketName=bucket,
            CloudWatchLogsLogGroupArn=group_arn, CloudWatchLogsRoleArn=trusted,
        )
        iam.put_role_policy(RoleName="trail-to-logs", PolicyName="logs", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": group_arn}]}))
        cloudtrail.create_trail(
            Name="cwl-ok", S3BucketName=bucket, CloudWatchLogsLogGroupArn=group_arn, CloudWatchLogsRoleArn=trusted
        )
        cloudtrail.start_logging(Name="cwl-ok")
        streams = logs.describe_log_streams(logGroupName="/trail/test")["logStreams"]
        self.assertIn(f"{MANAGEMENT}_CloudTrail_{REGION}", [s["logStreamName"] for s in streams])
        status = cloudtrail.get_trail_status(Name="cwl-ok")
        self.assertNotIn("LatestCloudWatchLogsDeliveryError", status)
        self.assertIn("LatestCloudWatchLogsDeliveryTime", status)

    def test_organization_trail(self):
        organizations = self.client("organizations")
        cloudtrail = self.client("cloudtrail")
        key = self.key(self.cloudtrail_key_statements())
        bucket = self.bucket(self.cloudtrail_bucket_policy(organization=True), key_arn=key)
        arguments = dict(Name="org-trail", S3BucketName=bucket, IsOrganizationTrail=True, IsMultiRegionTrail=True,
                         EnableLogFileValidation=True, KmsKeyId=key)
        try:
            organizations.disable_aws_service_access(ServicePrincipal="cloudtrail.amazonaws.com")
        except ClientError:
            pass
        self.assertRefused("CloudTrailAccessNotEnabledException", cloudtrail.create_trail, **arguments)

        organizations.enable_aws_service_access(ServicePrincipal="cloudtrail.amazonaws.com")
        # A policy that names only the management account's folder misses the organization's.
        narrow = self.bucket(self.cloudtrail_bucket_policy(organization=False), key_arn=key)
        self.assertRefused("InsufficientS3BucketPolicyException", cloudtrail.create_trail, **{**arguments, "S3BucketName": narrow})

        cloudtrail.create_trail(**arguments)
        cloudtrail.start_logging(Name="org-trail")
        day = self.today()
        pattern = re.compile(
            rf"^AWSLogs/{self.org_id}/(\d{{12}})/CloudTrail/{REGION}/{day:%Y/%m/%d}/"
            rf"\1_CloudTrail_{REGION}_\d{{8}}T\d{{4}}Z_[A-Za-z0-9]{{16}}\.json\.gz$"
        )
        logs = [k for k in self.keys(bucket, f"AWSLogs/{self.org_id}/") if "/CloudTrail/" in k]
        accounts = {pattern.match(k).group(1) for k in logs if pattern.match(k)}
        self.assertTrue({MANAGEMENT, self.forensic, self.workload} <= accounts, logs)
        record = json.loads(self.read(bucket, next(k for k in logs if pattern.match(k))))["Records"][0]
        self.assertEqual(record["eventSource"], "cloudtrail.amazonaws.com")
        head = self.client("s3", self.forensic).head_object(Bucket=bucket, Key=logs[0])
        self.assertEqual(head["ServerSideEncryption"], "aws:kms")
        self.assertEqual(head["SSEKMSKeyId"], key)
        digests = [k for k in self.keys(bucket, f"AWSLogs/{self.org_id}/{MANAGEMENT}/CloudTrail-Digest/{REGION}/")]
        self.assertTrue(
            any(re.search(rf"/{MANAGEMENT}_CloudTrail-Digest_{REGION}_org-trail_{REGION}_\d{{8}}T\d{{6}}Z\.json\.gz$", k) for k in digests),
            digests,
        )
        status = cloudtrail.get_trail_status(Name="org-trail")
        self.assertTrue(status["IsLogging"])
        self.assertIn("LatestDeliveryTime", status)
        self.assertNotIn("LatestDeliveryError", status)
        self.assertNotIn("LatestDigestDeliveryError", status)

    # -- VPC flow logs --------------------------------------------------------

    def test_flow_log_into_a_bucket_without_log_delivery_permission_is_not_created(self):
        bucket = self.bucket({"Version": "2012-10-17", "Statement": []})
        vpc = self.vpc(self.workload)
        result = self.client("ec2", self.workload).create_flow_logs(
            ResourceType="VPC", ResourceIds=[vpc], TrafficType="ALL", LogDestinationType="s3",
            LogDestination=f"arn:aws:s3:::{bucket}",
        )
        self.assertEqual(result["FlowLogIds"], [])
        self.assertEqual(
            result["Unsuccessful"][0]["Error"]["Message"],
            f"Access Denied for LogDestination: {bucket}. Please check LogDestination permission.",
        )

    def test_flow_log_whose_key_refuses_log_delivery_fails_delivery(self):
        key = self.key([])  # no statement for delivery.logs
        bucket = self.bucket(self.log_delivery_policy(self.workload), key_arn=key)
        vpc = self.vpc(self.workload)
        ec2 = self.client("ec2", self.workload)
        flow_log = ec2.create_flow_logs(
            ResourceType="VPC", ResourceIds=[vpc], TrafficType="ALL", LogDestinationType="s3",
            LogDestination=f"arn:aws:s3:::{bucket}",
        )["FlowLogIds"][0]
        described = ec2.describe_flow_logs(FlowLogIds=[flow_log])["FlowLogs"][0]
        self.assertEqual(described["DeliverLogsStatus"], "FAILED")
        self.assertEqual(described["DeliverLogsErrorMessage"], "Access error")
        self.assertEqual(self.keys(bucket), [])

    def test_flow_log_delivers_under_the_documented_layout(self):
        key = self.key([self.log_delivery_key_statement(self.workload)])
        bucket = self.bucket(self.log_delivery_policy(self.workload, "flows/"), key_arn=key, bucket_key=True)
        vpc = self.vpc(self.workload)
        ec2 = self.client("ec2", self.workload)
        flow_log = ec2.create_flow_logs(
            ResourceType="VPC", ResourceIds=[vpc], TrafficType="ALL", LogDestinationType="s3",
            LogDestination=f"arn:aws:s3:::{bucket}/flows/",
        )["FlowLogIds"][0]
        described = ec2.describe_flow_logs(FlowLogIds=[flow_log])["FlowLogs"][0]
        self.assertEqual(described["DeliverLogsStatus"], "SUCCESS")
        self.assertEqual(described["LogDestination"], f"arn:aws:s3:::{bucket}/flows/")
        day = self.today()
        pattern = (
            rf"^flows/AWSLogs/{self.workload}/vpcflowlogs/{REGION}/{day:%Y/%m/%d}/"
            rf"{self.workload}_vpcflowlogs_{REGION}_{flow_log}_\d{{8}}T\d{{4}}Z_[0-9a-f]{{8}}\.log\.gz$"
        )
        objects = self.keys(bucket)
        self.assertEqual(len(objects), 1, objects)
        self.assertRegex(objects[0], pattern)
        header, record = self.read(bucket, objects[0]).decode().splitlines()
        self.assertTrue(header.startswith("version account-id interface-id"))
        self.assertIn(self.workload, record)

    def test_flow_log_hive_layout(self):
        bucket = self.bucket({
            **self.log_delivery_policy(self.workload),
            "Statement": [
                {**self.log_delivery_policy(self.workload)["Statement"][0],
                 "Resource": f"arn:aws:s3:::BUCKET/AWSLogs/aws-account-id={self.workload}/*"},
                self.log_delivery_policy(self.workload)["Statement"][1],
            ],
        })
        vpc = self.vpc(self.workload)
        self.client("ec2", self.workload).create_flow_logs(
            ResourceType="VPC", ResourceIds=[vpc], TrafficType="ALL", LogDestinationType="s3",
            LogDestination=f"arn:aws:s3:::{bucket}",
            DestinationOptions={"FileFormat": "plain-text", "HiveCompatiblePartitions": True, "PerHourPartition": True},
        )
        day = self.today()
        self.assertRegex(
            self.keys(bucket)[0],
            rf"^AWSLogs/aws-account-id={self.workload}/aws-service=vpcflowlogs/aws-region={REGION}/"
            rf"year={day:%Y}/month={day:%m}/day={day:%d}/hour=\d\d/{self.workload}_vpcflowlogs_",
        )

    def test_flow_log_into_its_own_accounts_bucket_gets_the_policy_added(self):
        bucket = self.bucket(None, account=self.workload)
        vpc = self.vpc(self.workload)
        ec2 = self.client("ec2", self.workload)
        flow_log = ec2.create_flow_logs(
            ResourceType="VPC", ResourceIds=[vpc], TrafficType="ALL", LogDestinationType="s3",
            LogDestination=f"arn:aws:s3:::{bucket}",
        )["FlowLogIds"][0]
        policy = json.loads(self.client("s3", self.workload).get_bucket_policy(Bucket=bucket)["Policy"])
        self.assertIn("AWSLogDeliveryWrite", [s.get("Sid") for s in policy["Statement"]])
        self.assertEqual(ec2.describe_flow_logs(FlowLogIds=[flow_log])["FlowLogs"][0]["DeliverLogsStatus"], "SUCCESS")

    # -- AWS Config -----------------------------------------------------------

    def test_config_into_an_object_lock_bucket_is_refused(self):
        region = "us-west-1"
        self.recorder(self.workload, region)
        bucket = self.bucket(self.config_policy(self.workload), object_lock=True, region=region)
        message = self.assertRefused(
            "InsufficientDeliveryPolicyException", self.client("config", self.workload, region).put_delivery_channel,
            DeliveryChannel={"name": "default", "s3BucketName": bucket},
        )
        self.assertIn("Object Lock", message)

    def test_config_without_put_object_is_refused(self):
        region = "us-west-1"
        self.recorder(self.workload, region)
        policy = self.config_policy(self.workload)
        # Grants only to another organization: the request carries this one's id.
        policy["Statement"][2]["Condition"] = {"StringEquals": {"aws:SourceOrgID": "o-someoneelse"}}
        bucket = self.bucket(policy, region=region)
        message = self.assertRefused(
            "InsufficientDeliveryPolicyException", self.client("config", self.workload, region).put_delivery_channel,
            DeliveryChannel={"name": "default", "s3BucketName": bucket},
        )
        self.assertEqual(
            message,
            f"Insufficient delivery policy to s3 bucket: {bucket}, unable to write to bucket, provided s3 key prefix is 'null'.",
        )
        self.assertRefused(
            "NoSuchBucketException", self.client("config", self.workload, region).put_delivery_channel,
            DeliveryChannel={"name": "default", "s3BucketName": f"missing-{uuid.uuid4().hex[:8]}"},
        )

    def test_config_delivers(self):
        region = "us-west-2"
        self.recorder(self.workload, region)
        bucket = self.bucket(self.config_policy(self.workload), region=region)
        config = self.client("config", self.workload, region)
        config.put_delivery_channel(DeliveryChannel={
            "name": "default", "s3BucketName": bucket,
            "configSnapshotDeliveryProperties": {"deliveryFrequency": "One_Hour"}})
        self.assertIn(f"AWSLogs/{self.workload}/Config/ConfigWritabilityCheckFile", self.keys(bucket, region=region))
        config.start_configuration_recorder(ConfigurationRecorderName="default")
        self.emulator.deliver()
        day = self.today()
        base = f"AWSLogs/{self.workload}/Config/{region}/{day.year}/{day.month}/{day.day}/"
        objects = self.keys(bucket, base, region=region)
        self.assertTrue(any(re.match(rf"{re.escape(base)}ConfigHistory/{self.workload}_Config_{region}_ConfigHistory_", k) for k in objects), objects)
        self.assertTrue(any(re.match(rf"{re.escape(base)}ConfigSnapshot/{self.workload}_Config_{region}_ConfigSnapshot_", k) for k in objects), objects)
        status = config.describe_delivery_channel_status()["DeliveryChannelsStatus"][0]
        self.assertEqual(status["configHistoryDeliveryInfo"]["lastStatus"], "SUCCESS")
        self.assertEqual(status["configSnapshotDeliveryInfo"]["lastStatus"], "SUCCESS")

    # -- GuardDuty ------------------------------------------------------------

    def guardduty_setup(self, region: str = REGION, folder_statement_prefix: str | None = None):
        account = self.workload
        folder = f"guardduty/{account}/"
        policy = self.guardduty_policy(account, folder if folder_statement_prefix is None else folder_statement_prefix)
        key = self.key([self.guardduty_key_statement(account)], region=region)
        bucket = self.bucket(None, region=region)
        self.put_with_policy(bucket, folder, policy, region)
        return account, bucket, key, folder

    def put_with_policy(self, bucket: str, folder: str, policy: dict, region: str) -> None:
        """The folder marker, then the policy: moto's own bucket policy check on object requests
        treats an Allow statement whose condition is unmet as a Deny (see the module docstring)."""
        s3 = self.client("s3", self.forensic, region)
        s3.put_object(Bucket=bucket, Key=folder, Body=b"")
        s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy).replace("BUCKET", bucket))

    def create_destination(self, account: str, arn: str, key: str, region: str = REGION):
        guardduty = self.client("guardduty", account, region)
        return guardduty.create_publishing_destination(
            DetectorId=self.detector(account, region), DestinationType="S3",
            DestinationProperties={"DestinationArn": arn, "KmsKeyArn": key},
        )

    def test_guardduty_destination_outside_the_policys_prefix_is_refused(self):
        account, bucket, key, folder = self.guardduty_setup(folder_statement_prefix="AWSLogs/")
        self.assertRefused(
            "BadRequestException", self.create_destination, account, f"arn:aws:s3:::{bucket}/{folder.rstrip('/')}", key
        )

    def test_guardduty_destination_folder_must_exist(self):
        account, bucket, key, _ = self.guardduty_setup()
        message = self.assertRefused(
            "BadRequestException", self.create_destination, account, f"arn:aws:s3:::{bucket}/no-such-folder", key
        )
        self.assertIn("folder does not exist", message)

    def test_guardduty_key_without_generate_data_key_is_refused(self):
        account, bucket, _, folder = self.guardduty_setup()
        key = self.key([{**self.guardduty_key_statement(account), "Action": "kms:Encrypt"}])
        message = self.assertRefused(
            "BadRequestException", self.create_destination, account, f"arn:aws:s3:::{bucket}/{folder.rstrip('/')}", key
        )
        self.assertIn("kms:GenerateDataKey", message)

    def test_guardduty_delivers(self):
        account, bucket, key, folder = self.guardduty_setup()
        destination = self.create_destination(account, f"arn:aws:s3:::{bucket}/{folder.rstrip('/')}", key)["DestinationId"]
        described = self.client("guardduty", account).describe_publishing_destination(
            DetectorId=self.detector(account), DestinationId=destination)
        self.assertEqual(described["Status"], "PUBLISHING")
        day = self.today()
        objects = [k for k in self.keys(bucket, folder) if k != folder]
        self.assertEqual(len(objects), 1, objects)
        self.assertRegex(
            objects[0], rf"^{folder}AWSLogs/{account}/GuardDuty/{REGION}/{day:%Y/%m/%d}/[0-9a-f-]{{36}}\.jsonl\.gz$"
        )
        finding = json.loads(self.read(bucket, objects[0]).decode().splitlines()[0])
        self.assertEqual(finding["accountId"], account)

    # -- Route 53 Resolver query logs -------------------------------------------

    def test_resolver_query_logs(self):
        account = self.workload
        resolver = self.client("route53resolver", account)
        refusing = self.bucket({"Version": "2012-10-17", "Statement": []})
        config = resolver.create_resolver_query_log_config(
            Name="refused", DestinationArn=f"arn:aws:s3:::{refusing}", CreatorRequestId=uuid.uuid4().hex
        )["ResolverQueryLogConfig"]["Id"]
        association = resolver.associate_resolver_query_log_config(
            ResolverQueryLogConfigId=config, ResourceId=self.vpc(account)
        )["ResolverQueryLogConfigAssociation"]["Id"]
        got = resolver.get_resolver_query_log_config_association(ResolverQueryLogConfigAssociationId=association)
        got = got["ResolverQueryLogConfigAssociation"]
        self.assertEqual((got["Status"], got["Error"]), ("FAILED", "ACCESS_DENIED"))
        self.assertTrue(got["ErrorMessage"])

        bucket = self.bucket(self.log_delivery_policy(account))
        config = resolver.create_resolver_query_log_config(
            Name="accepted", DestinationArn=f"arn:aws:s3:::{bucket}", CreatorRequestId=uuid.uuid4().hex
        )["ResolverQueryLogConfig"]["Id"]
        vpc = self.vpc(account)
        association = resolver.associate_resolver_query_log_config(
            ResolverQueryLogConfigId=config, ResourceId=vpc
        )["ResolverQueryLogConfigAssociation"]["Id"]
        got = resolver.get_resolver_query_log_config_association(ResolverQueryLogConfigAssociationId=association)
        self.assertEqual(got["ResolverQueryLogConfigAssociation"]["Status"], "ACTIVE")
        day = self.today()
        self.assertRegex(
            self.keys(bucket)[0],
            rf"^AWSLogs/{account}/vpcdnsquerylogs/{vpc}/{day:%Y/%m/%d}/{account}_vpcdnsquerylogs_{vpc}_\d{{8}}T\d{{4}}Z_[0-9a-f]{{8}}\.log\.gz$",
        )

    # -- policies changed out of band -------------------------------------------

    def test_out_of_band_policy_change_shows_as_failed_delivery_and_recovers(self):
        account = self.workload
        region = "eu-west-1"
        folder = f"guardduty/{account}/"
        key = self.key([self.log_delivery_key_statement(account), self.guardduty_key_statement(account),
                        {"Sid": "Config", "Effect": "Allow", "Principal": {"Service": "config.amazonaws.com"},
                         "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": "*"}], region=region)
        log_delivery = self.log_delivery_policy(account)
        for statement in log_delivery["Statement"]:
            statement["Condition"]["ArnLike"]["aws:SourceArn"] = f"arn:aws:logs:{region}:{account}:*"
        statements = (
            log_delivery["Statement"]
            + self.config_policy(account)["Statement"]
            + self.guardduty_policy(account, folder)["Statement"]
        )
        policy = {"Version": "2012-10-17", "Statement": statements}
        bucket = self.bucket(None, key_arn=key, region=region)
        self.put_with_policy(bucket, folder, policy, region)
        s3 = self.client("s3", self.forensic, region)

        ec2 = self.client("ec2", account, region)
        vpc = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
        flow_log = ec2.create_flow_logs(
            ResourceType="VPC", ResourceIds=[vpc], TrafficType="ALL", LogDestinationType="s3",
            LogDestination=f"arn:aws:s3:::{bucket}")["FlowLogIds"][0]
        self.recorder(account, region)
        config = self.client("config", account, region)
        config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": bucket})
        config.start_configuration_recorder(ConfigurationRecorderName="default")
        guardduty = self.client("guardduty", account, region)
        detector = self.detector(account, region)
        destination = self.create_destination(account, f"arn:aws:s3:::{bucket}/{folder.rstrip('/')}", key, region)["DestinationId"]

        def statuses():
            return (
                ec2.describe_flow_logs(FlowLogIds=[flow_log])["FlowLogs"][0]["DeliverLogsStatus"],
                config.describe_delivery_channel_status()["DeliveryChannelsStatus"][0]["configHistoryDeliveryInfo"]["lastStatus"],
                guardduty.describe_publishing_destination(DetectorId=detector, DestinationId=destination)["Status"],
            )

        self.emulator.deliver()
        self.assertEqual(statuses(), ("SUCCESS", "SUCCESS", "PUBLISHING"))

        # Someone removes every PutObject grant from the bucket policy.
        stripped = {"Version": "2012-10-17", "Statement": [s for s in statements if s["Action"] != "s3:PutObject"]}
        s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(stripped).replace("BUCKET", bucket))
        report = self.emulator.deliver()
        failed = {(r["delivery"], r["resource"]) for r in report["deliveries"] if not r["ok"]}
        self.assertTrue({("vpc-flow-logs", flow_log), ("config", "default"), ("guardduty", destination)} <= failed, report)
        self.assertEqual(statuses(), ("FAILED", "FAILURE", "UNABLE_TO_PUBLISH_FIX_DESTINATION_PROPERTY"))
        self.assertEqual(ec2.describe_flow_logs(FlowLogIds=[flow_log])["FlowLogs"][0]["DeliverLogsErrorMessage"], "Access error")
        history = config.describe_delivery_channel_status()["DeliveryChannelsStatus"][0]["configHistoryDeliveryInfo"]
        self.assertEqual(history["lastErrorCode"], "AccessDenied")
        failed_at = guardduty.describe_publishing_destination(DetectorId=detector, DestinationId=destination)
        self.assertGreater(failed_at["PublishingFailureStartTimestamp"], 0)

        s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy).replace("BUCKET", bucket))
        self.emulator.deliver()
        self.assertEqual(statuses(), ("SUCCESS", "SUCCESS", "PUBLISHING"))

    def test_out_of_band_trail_key_policy_change(self):
        cloudtrail = self.client("cloudtrail")
        key = self.key(self.cloudtrail_key_statements())
        bucket = self.bucket(self.cloudtrail_bucket_policy())
        cloudtrail.create_trail(Name="key-edit", S3BucketName=bucket, KmsKeyId=key)
        cloudtrail.start_logging(Name="key-edit")
        self.assertNotIn("LatestDeliveryError", cloudtrail.get_trail_status(Name="key-edit"))
        kms = self.client("kms", self.forensic)
        original = kms.get_key_policy(KeyId=key, PolicyName="default")["Policy"]
        document = json.loads(original)
        document["Statement"] = [s for s in document["Statement"] if s.get("Sid") != "Allow CloudTrail to encrypt logs"]
        kms.put_key_policy(KeyId=key, PolicyName="default", Policy=json.dumps(document))
        self.emulator.deliver()
        self.assertEqual(cloudtrail.get_trail_status(Name="key-edit")["LatestDeliveryError"], "AccessDenied")
        kms.put_key_policy(KeyId=key, PolicyName="default", Policy=original)
        self.emulator.deliver()
        self.assertNotIn("LatestDeliveryError", cloudtrail.get_trail_status(Name="key-edit"))

    def test_deliver_endpoint_and_launcher(self):
        reply = subprocess.run(
            [sys.executable, str(REPO / "scripts/emulator"), "deliver", "--port", str(self.emulator.port)],
            capture_output=True, text=True, timeout=120,
        )
        self.assertEqual(reply.returncode, 0, reply.stderr)
        report = json.loads(reply.stdout)
        self.assertEqual(report["delivered"] + report["failed"], len(report["deliveries"]))


if __name__ == "__main__":
    unittest.main()
