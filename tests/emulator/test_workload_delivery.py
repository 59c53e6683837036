"""The workloads' log deliveries against the emulator: refused where AWS refuses, delivered where it delivers.

Load balancer access logs (ALB, NLB, Classic), S3 server access logs, Redshift
audit logs, CloudFront standard logs, WAF logs and API Gateway logs, each
turned on through the service API of a server started on a free loopback port
(what ``scripts/emulator up --seed none`` runs), as the organization's
management account and, through sts:AssumeRole into
``OrganizationAccountAccessRole``, as member accounts. The bucket, key, trust
and log group policies here are written for each case; none is irready's
workload-logging template.

Run: ``cd /work/main && python3 -m unittest discover -s tests/emulator -t .``
"""

import datetime
import gzip
import json
import re
import unittest
import uuid

from botocore.exceptions import ClientError

from tests.emulator.harness import MANAGEMENT, REGION, OrganizationTestCase

ELB_US_EAST_1 = "127311923021"
ELB_EU_WEST_1 = "156460612806"
AWSLOGSDELIVERY = "c4c1ede66af53448b93c283ce9448c4ba468c9432aa01d700d3878632f77d2d0"


class WorkloadDeliveryTest(OrganizationTestCase):
    name = "workload-delivery"

    # -- helpers ------------------------------------------------------------

    def bucket(self, policy: dict | None, *, account: str | None = None, region: str = REGION,
               ownership: str | None = None, key_arn: str | None = None, object_lock: bool = False,
               name: str | None = None) -> str:
        account = account or self.workload
        name = name or f"logs-{uuid.uuid4().hex[:12]}"
        s3 = self.client("s3", account, region)
        arguments: dict = {"Bucket": name}
        if region != "us-east-1":
            arguments["CreateBucketConfiguration"] = {"LocationConstraint": region}
        if object_lock:
            arguments["ObjectLockEnabledForBucket"] = True
        s3.create_bucket(**arguments)
        if ownership:
            s3.put_bucket_ownership_controls(Bucket=name, OwnershipControls={"Rules": [{"ObjectOwnership": ownership}]})
        if object_lock:
            s3.put_object_lock_configuration(Bucket=name, ObjectLockConfiguration={
                "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}})
        if key_arn:
            s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": [
                {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn}}]})
        if policy is not None:
            s3.put_bucket_policy(Bucket=name, Policy=json.dumps(policy).replace("BUCKET", name))
        return name

    def key(self, statements: list[dict], account: str | None = None, region: str = REGION) -> str:
        account = account or self.workload
        policy = {"Version": "2012-10-17", "Statement": [
            {"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
             "Action": "kms:*", "Resource": "*"}, *statements]}
        return self.client("kms", account, region).create_key(Policy=json.dumps(policy))["KeyMetadata"]["Arn"]

    def keys(self, bucket: str, prefix: str = "", account: str | None = None, region: str = REGION) -> list[str]:
        listed = self.client("s3", account or self.workload, region).list_objects_v2(Bucket=bucket, Prefix=prefix)
        return [item["Key"] for item in listed.get("Contents", [])]

    def read(self, bucket: str, key: str, account: str | None = None, region: str = REGION) -> bytes:
        body = self.client("s3", account or self.workload, region).get_object(Bucket=bucket, Key=key)["Body"].read()
        return gzip.decompress(body) if key.endswith(".gz") else body

    def assertRefused(self, code: str, call, *args, **kwargs) -> str:
        with self.assertRaises(ClientError) as raised:
            call(*args, **kwargs)
        self.assertEqual(raised.exception.response["Error"]["Code"], code, raised.exception.response["Error"])
        return raised.exception.response["Error"]["Message"]

    def reports(self, delivery: str, resource: str) -> list[dict]:
        return [r for r in self.emulator.deliver()["deliveries"]
                if r["delivery"] == delivery and r.get("resource") == resource]

    def today(self) -> datetime.datetime:
        return datetime.datetime.now(datetime.timezone.utc)

    def subnets(self, account: str, region: str) -> list[str]:
        out = self.client("ec2", account, region).describe_subnets(
            Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"]
        by_zone = {}
        for subnet in out:
            by_zone.setdefault(subnet["AvailabilityZone"], subnet["SubnetId"])
        return sorted(by_zone.values())[:2]

    def load_balancer(self, kind: str, account: str | None = None, region: str = REGION) -> str:
        account = account or self.workload
        return self.client("elbv2", account, region).create_load_balancer(
            Name=f"lb-{uuid.uuid4().hex[:8]}", Subnets=self.subnets(account, region), Type=kind,
        )["LoadBalancers"][0]["LoadBalancerArn"]

    def access_logs(self, arn: str, bucket: str, prefix: str, account: str | None = None, region: str = REGION,
                    enabled: bool = True):
        return self.client("elbv2", account or self.workload, region).modify_load_balancer_attributes(
            LoadBalancerArn=arn, Attributes=[
                {"Key": "access_logs.s3.enabled", "Value": str(enabled).lower()},
                {"Key": "access_logs.s3.bucket", "Value": bucket},
                {"Key": "access_logs.s3.prefix", "Value": prefix}])

    def attributes(self, arn: str, account: str | None = None, region: str = REGION) -> dict:
        out = self.client("elbv2", account or self.workload, region).describe_load_balancer_attributes(LoadBalancerArn=arn)
        return {a["Key"]: a["Value"] for a in out["Attributes"]}

    # -- documented policies (not irready's) ------------------------------------

    @staticmethod
    def elb_account_policy(elb_account: str, prefix: str, account: str) -> dict:
        # ALB guide, "Attach a policy to your S3 bucket" (Regions available before August 2022)
        return {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{elb_account}:root"}, "Action": "s3:PutObject",
             "Resource": f"arn:aws:s3:::BUCKET/{prefix}/AWSLogs/{account}/*"}]}

    @staticmethod
    def s3_logging_policy(source: str, account: str, prefix: str = "") -> dict:
        # S3 user guide, "Grant permissions to the logging service principal by using a bucket policy"
        return {"Version": "2012-10-17", "Statement": [
            {"Sid": "S3ServerAccessLogsPolicy", "Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"},
             "Action": ["s3:PutObject"], "Resource": f"arn:aws:s3:::BUCKET/{prefix}*",
             "Condition": {"ArnLike": {"aws:SourceArn": f"arn:aws:s3:::{source}"},
                           "StringEquals": {"aws:SourceAccount": account}}}]}

    @staticmethod
    def redshift_policy(cluster_arn: str) -> dict:
        # Redshift management guide, "Bucket permissions for Amazon Redshift audit logging"
        return {"Version": "2012-10-17", "Statement": [
            {"Sid": "Put bucket policy needed for audit logging", "Effect": "Allow",
             "Principal": {"Service": "redshift.amazonaws.com"}, "Action": ["s3:PutObject", "s3:GetBucketAcl"],
             "Resource": ["arn:aws:s3:::BUCKET", "arn:aws:s3:::BUCKET/*"],
             "Condition": {"StringEquals": {"aws:SourceArn": cluster_arn}}}]}

    # -- Application Load Balancer ------------------------------------------------

    def test_alb_bucket_policy_for_another_regions_elb_account_is_refused(self):
        account = self.workload
        # eu-west-1's ELB account cannot write for a load balancer in us-east-1.
        bucket = self.bucket(self.elb_account_policy(ELB_EU_WEST_1, "web", account))
        arn = self.load_balancer("application")
        message = self.assertRefused("InvalidConfigurationRequest", self.access_logs, arn, bucket, "web")
        self.assertEqual(message, f"Access Denied for bucket: {bucket}. Please check S3bucket permission")
        self.assertNotEqual(self.attributes(arn).get("access_logs.s3.enabled"), "true")
        self.assertEqual(self.keys(bucket), [])

    def test_alb_bucket_with_sse_kms_is_refused(self):
        account = self.workload
        key = self.key([{"Sid": "Elb", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ELB_US_EAST_1}:root"},
                         "Action": "kms:GenerateDataKey*", "Resource": "*"}])
        bucket = self.bucket(self.elb_account_policy(ELB_US_EAST_1, "web", account), key_arn=key)
        arn = self.load_balancer("application")
        self.assertRefused("InvalidConfigurationRequest", self.access_logs, arn, bucket, "web")

    def test_alb_missing_or_empty_bucket_is_refused(self):
        arn = self.load_balancer("application")
        message = self.assertRefused("InvalidConfigurationRequest", self.access_logs, arn, f"missing-{uuid.uuid4().hex[:8]}", "web")
        self.assertEqual(message, "The specified bucket does not exist")
        self.assertRefused("ValidationError", self.access_logs, arn, "", "")
        # Turning logs off never checks the bucket.
        self.access_logs(arn, "old-logs-that-do-not-exist", "web", enabled=False)

    def test_alb_delivers_a_test_file_and_logs_under_the_documented_layout(self):
        account = self.workload
        bucket = self.bucket(self.elb_account_policy(ELB_US_EAST_1, "web", account))
        arn = self.load_balancer("application")
        self.access_logs(arn, bucket, "web")
        self.assertEqual(self.attributes(arn)["access_logs.s3.enabled"], "true")
        self.assertIn(f"web/AWSLogs/{account}/ELBAccessLogTestFile", self.keys(bucket))
        lb_id = arn.split(":loadbalancer/")[1].replace("/", ".")
        day = self.today()
        pattern = (
            rf"^web/AWSLogs/{account}/elasticloadbalancing/{REGION}/{day:%Y/%m/%d}/"
            rf"{account}_elasticloadbalancing_{REGION}_{re.escape(lb_id)}_\d{{8}}T\d{{4}}Z_[0-9.]+_[0-9a-z]{{8}}\.log\.gz$"
        )
        logs = [k for k in self.keys(bucket) if k.endswith(".log.gz")]
        self.assertTrue(logs and all(re.match(pattern, k) for k in logs), logs)
        self.assertTrue(self.read(bucket, logs[0]).decode().startswith("http "))

        # Someone narrows the policy to another prefix: the next delivery fails, nothing new arrives.
        self.client("s3", account).put_bucket_policy(
            Bucket=bucket, Policy=json.dumps(self.elb_account_policy(ELB_US_EAST_1, "other", account)).replace("BUCKET", bucket))
        before = len(self.keys(bucket))
        (report,) = self.reports("elb-access-logs", arn)
        self.assertFalse(report["ok"])
        self.assertEqual(report["error"], "AccessDenied")
        self.assertEqual(len(self.keys(bucket)), before)

    def test_alb_in_a_region_without_an_elb_account_needs_the_service_principal(self):
        region = "eu-central-2"
        account = self.workload
        arn = self.load_balancer("application", region=region)
        refused = self.bucket(self.elb_account_policy(ELB_EU_WEST_1, "app", account), region=region)
        self.assertRefused("InvalidConfigurationRequest", self.access_logs, arn, refused, "app", region=region)
        accepted = self.bucket({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"},
             "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::BUCKET/app/AWSLogs/{account}/*"}]}, region=region)
        self.access_logs(arn, accepted, "app", region=region)
        self.assertIn(f"app/AWSLogs/{account}/ELBAccessLogTestFile", self.keys(accepted, region=region))

    def test_alb_bucket_in_another_region_is_refused(self):
        account = self.workload
        bucket = self.bucket(self.elb_account_policy(ELB_US_EAST_1, "web", account), region="us-west-2")
        arn = self.load_balancer("application")
        self.assertRefused("InvalidConfigurationRequest", self.access_logs, arn, bucket, "web")

    # -- Network Load Balancer ----------------------------------------------------

    def test_nlb_into_another_accounts_bucket_without_log_delivery_grant_is_refused(self):
        # The forensic account's bucket lets only the ELB account write: NLBs write as delivery.logs.
        bucket = self.bucket(self.elb_account_policy(ELB_US_EAST_1, "api", self.workload), account=self.forensic)
        arn = self.load_balancer("network")
        message = self.assertRefused("InvalidConfigurationRequest", self.access_logs, arn, bucket, "api")
        self.assertEqual(message, f"Access Denied for bucket: {bucket}. Please check S3bucket permission")

    def test_nlb_into_its_own_accounts_bucket_gets_the_policy_and_delivers(self):
        account = self.workload
        bucket = self.bucket(None)
        arn = self.load_balancer("network")
        self.access_logs(arn, bucket, "api")
        policy = json.loads(self.client("s3", account).get_bucket_policy(Bucket=bucket)["Policy"])
        self.assertIn("AWSLogDeliveryWrite", [s.get("Sid") for s in policy["Statement"]])
        # The load balancer's resource id is net/<name>/<id> (moto's ARN says app/ for every type).
        lb_id = "net." + ".".join(arn.split("/")[-2:])
        day = self.today()
        pattern = (
            rf"^api/AWSLogs/{account}/elasticloadbalancing/{REGION}/{day:%Y/%m/%d}/"
            rf"{account}_elasticloadbalancing_{REGION}_{re.escape(lb_id)}_\d{{8}}T\d{{4}}Z_[0-9a-z]{{8}}\.log\.gz$"
        )
        objects = self.keys(bucket)
        self.assertTrue(objects and all(re.match(pattern, k) for k in objects), objects)
        self.assertTrue(self.read(bucket, objects[0]).decode().startswith("tls 2.0 "))

    # -- Classic Load Balancer ---------------------------------------------------

    def classic(self, account: str) -> str:
        name = f"classic-{uuid.uuid4().hex[:8]}"
        self.client("elb", account).create_load_balancer(
            LoadBalancerName=name, AvailabilityZones=["us-east-1a"],
            Listeners=[{"Protocol": "HTTP", "LoadBalancerPort": 80, "InstancePort": 80}])
        return name

    def test_classic_elb_bucket_policy_for_another_principal_is_refused_and_the_right_one_delivers(self):
        account = self.workload
        name = self.classic(account)
        elb = self.client("elb", account)
        # A grant to the log delivery service, as for NLBs, does not cover Classic Load Balancers.
        refused = self.bucket({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "delivery.logs.amazonaws.com"}, "Action": "s3:PutObject",
             "Resource": f"arn:aws:s3:::BUCKET/legacy/AWSLogs/{account}/*"}]})
        message = self.assertRefused(
            "InvalidConfigurationRequest", elb.modify_load_balancer_attributes, LoadBalancerName=name,
            LoadBalancerAttributes={"AccessLog": {"Enabled": True, "S3BucketName": refused, "S3BucketPrefix": "legacy"}})
        self.assertEqual(message, f"Access Denied for bucket: {refused}. Please check S3bucket permission")

        bucket = self.bucket(self.elb_account_policy(ELB_US_EAST_1, "legacy", account))
        elb.modify_load_balancer_attributes(
            LoadBalancerName=name,
            LoadBalancerAttributes={"AccessLog": {"Enabled": True, "S3BucketName": bucket, "S3BucketPrefix": "legacy",
                                                  "EmitInterval": 5}})
        objects = self.keys(bucket)
        self.assertIn(f"legacy/AWSLogs/{account}/ELBAccessLogTestFile", objects)
        day = self.today()
        pattern = (
            rf"^legacy/AWSLogs/{account}/elasticloadbalancing/{REGION}/{day:%Y/%m/%d}/"
            rf"{account}_elasticloadbalancing_{REGION}_{name}_\d{{8}}T\d{{4}}Z_[0-9.]+_[0-9a-z]{{8}}\.log$"
        )
        self.assertTrue(any(re.match(pattern, k) for k in objects), objects)
        (report,) = self.reports("elb-access-logs", name)
        self.assertTrue(report["ok"], report)

    # -- S3 server access logs -------------------------------------------------------

    def source(self, account: str | None = None, region: str = REGION) -> str:
        return self.bucket(None, account=account, region=region)

    def test_s3_logging_into_another_accounts_bucket_is_refused(self):
        source = self.source()
        target = self.bucket(self.s3_logging_policy(source, self.workload), account=self.forensic)
        message = self.assertRefused(
            "InvalidTargetBucketForLogging", self.client("s3", self.workload).put_bucket_logging, Bucket=source,
            BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": target, "TargetPrefix": "x/"}})
        self.assertEqual(message, "The owner for the bucket to be logged and the target bucket must be the same.")

    def test_s3_logging_into_a_missing_bucket_or_another_region_is_refused(self):
        s3 = self.client("s3", self.workload)
        source = self.source()
        message = self.assertRefused(
            "InvalidTargetBucketForLogging", s3.put_bucket_logging, Bucket=source,
            BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": f"missing-{uuid.uuid4().hex[:8]}", "TargetPrefix": ""}})
        self.assertEqual(message, "The target bucket for logging does not exist")
        elsewhere = self.bucket(self.s3_logging_policy(source, self.workload), region="us-west-2")
        self.assertRefused(
            "CrossLocationLoggingProhibitted", s3.put_bucket_logging, Bucket=source,
            BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": elsewhere, "TargetPrefix": ""}})

    def test_s3_logging_target_grants_into_a_bucket_owner_enforced_bucket_are_refused(self):
        source = self.source()
        target = self.bucket(self.s3_logging_policy(source, self.workload), ownership="BucketOwnerEnforced")
        message = self.assertRefused(
            "AccessControlListNotSupported", self.client("s3", self.workload).put_bucket_logging, Bucket=source,
            BucketLoggingStatus={"LoggingEnabled": {
                "TargetBucket": target, "TargetPrefix": "",
                "TargetGrants": [{"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"},
                                  "Permission": "READ"}]}})
        self.assertEqual(message, "Target grants not allowed for bucket owner enforced buckets")

    def test_s3_logging_without_permission_is_accepted_and_delivers_nothing(self):
        s3 = self.client("s3", self.workload)
        source = self.source()
        # The grant names another source bucket: AWS accepts the configuration, S3 cannot write.
        target = self.bucket(self.s3_logging_policy(f"not-{source}", self.workload))
        s3.put_bucket_logging(Bucket=source, BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": target, "TargetPrefix": "s/"}})
        self.assertEqual(s3.get_bucket_logging(Bucket=source)["LoggingEnabled"]["TargetBucket"], target)
        s3.put_object(Bucket=source, Key="data.txt", Body=b"x")  # a request moto would have logged
        (report,) = self.reports("s3-server-access-logs", source)
        self.assertFalse(report["ok"])
        self.assertEqual(report["error"], "AccessDenied")
        self.assertEqual(self.keys(target), [])

    def test_s3_logging_into_an_object_lock_or_sse_kms_bucket_delivers_nothing(self):
        s3 = self.client("s3", self.workload)
        for kind in ("object_lock", "kms"):
            source = self.source()
            arguments = {"object_lock": True} if kind == "object_lock" else {"key_arn": self.key([])}
            target = self.bucket(self.s3_logging_policy(source, self.workload), **arguments)
            s3.put_bucket_logging(Bucket=source, BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": target, "TargetPrefix": ""}})
            (report,) = self.reports("s3-server-access-logs", source)
            self.assertFalse(report["ok"], kind)
            self.assertEqual(self.keys(target), [], kind)

    def test_s3_logging_through_the_log_delivery_group_acl(self):
        s3 = self.client("s3", self.workload)
        source = self.source()
        target = self.bucket(None, ownership="BucketOwnerPreferred")
        s3.put_bucket_acl(Bucket=target, ACL="log-delivery-write")
        s3.put_bucket_logging(Bucket=source, BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": target, "TargetPrefix": "acl/"}})
        (report,) = self.reports("s3-server-access-logs", source)
        self.assertTrue(report["ok"], report)
        # The same ACL on a bucket whose ACLs are disabled grants nothing.
        enforced_source = self.source()
        enforced = self.bucket(None, ownership="BucketOwnerPreferred")
        s3.put_bucket_acl(Bucket=enforced, ACL="log-delivery-write")
        s3.put_bucket_ownership_controls(Bucket=enforced, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
        s3.put_bucket_logging(Bucket=enforced_source, BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": enforced, "TargetPrefix": ""}})
        (report,) = self.reports("s3-server-access-logs", enforced_source)
        self.assertFalse(report["ok"], report)

    def test_s3_logging_delivers_under_the_partitioned_layout(self):
        account = self.workload
        s3 = self.client("s3", account)
        source = self.source()
        target = self.bucket(self.s3_logging_policy(source, account, "logs/"))
        s3.put_bucket_logging(Bucket=source, BucketLoggingStatus={"LoggingEnabled": {
            "TargetBucket": target, "TargetPrefix": "logs/",
            "TargetObjectKeyFormat": {"PartitionedPrefix": {"PartitionDateSource": "EventTime"}}}})
        (report,) = self.reports("s3-server-access-logs", source)
        self.assertTrue(report["ok"], report)
        day = self.today()
        pattern = rf"^logs/{account}/{REGION}/{source}/{day:%Y/%m/%d}/\d{{4}}-\d\d-\d\d-\d\d-\d\d-\d\d-[0-9A-F]{{16}}$"
        objects = self.keys(target)
        self.assertTrue(objects and all(re.match(pattern, k) for k in objects), objects)
        self.assertIn(f" {source} [", self.read(target, objects[0]).decode())

        # Simple layout (the default) for another source into the same target.
        simple = self.source()
        s3.put_bucket_policy(Bucket=target, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
            *self.s3_logging_policy(source, account, "logs/")["Statement"],
            {**self.s3_logging_policy(simple, account, "simple/")["Statement"][0], "Sid": "Simple"}]}).replace("BUCKET", target))
        s3.put_bucket_logging(Bucket=simple, BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": target, "TargetPrefix": "simple/"}})
        (report,) = self.reports("s3-server-access-logs", simple)
        self.assertTrue(report["ok"], report)
        self.assertRegex(report["objects"][0], r"^simple/\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d-[0-9A-F]{16}$")

    # -- Redshift audit logging -----------------------------------------------------

    def cluster(self, account: str, region: str = "eu-west-1") -> tuple[str, str]:
        name = f"wh-{uuid.uuid4().hex[:8]}"
        self.client("redshift", account, region).create_cluster(
            ClusterIdentifier=name, NodeType="dc2.large", MasterUsername="admin", MasterUserPassword="Warehouse1")
        return name, f"arn:aws:redshift:{region}:{account}:cluster:{name}"

    def test_redshift_bucket_policy_without_get_bucket_acl_is_refused(self):
        region = "eu-west-1"
        name, arn = self.cluster(self.workload, region)
        policy = self.redshift_policy(arn)
        policy["Statement"][0]["Action"] = ["s3:PutObject"]
        bucket = self.bucket(policy, region=region)
        redshift = self.client("redshift", self.workload, region)
        message = self.assertRefused("InsufficientS3BucketPolicyFault", redshift.enable_logging,
                                     ClusterIdentifier=name, BucketName=bucket, S3KeyPrefix="audit/")
        self.assertEqual(
            message,
            "The cluster does not have read bucket or put object permissions on the S3 bucket specified when enabling logging.")
        self.assertFalse(redshift.describe_logging_status(ClusterIdentifier=name)["LoggingEnabled"])
        # A grant for another cluster does not cover this one.
        other = self.bucket(self.redshift_policy(arn + "-other"), region=region)
        self.assertRefused("InsufficientS3BucketPolicyFault", redshift.enable_logging,
                           ClusterIdentifier=name, BucketName=other)

    def test_redshift_in_an_opt_in_region_writes_as_the_regional_service_principal(self):
        region = "ap-east-1"
        name, arn = self.cluster(self.workload, region)
        redshift = self.client("redshift", self.workload, region)
        # "Regions that aren't enabled by default ... require a Region-specific service principal name"
        refused = self.bucket(self.redshift_policy(arn), region=region)
        self.assertRefused("InsufficientS3BucketPolicyFault", redshift.enable_logging,
                           ClusterIdentifier=name, BucketName=refused)
        regional = self.redshift_policy(arn)
        regional["Statement"][0]["Principal"] = {"Service": f"redshift.{region}.amazonaws.com"}
        bucket = self.bucket(regional, region=region)
        redshift.enable_logging(ClusterIdentifier=name, BucketName=bucket)
        self.assertTrue(self.keys(bucket, region=region))

    def test_redshift_missing_bucket_and_bad_prefix_are_refused(self):
        region = "eu-west-1"
        name, arn = self.cluster(self.workload, region)
        redshift = self.client("redshift", self.workload, region)
        self.assertRefused("BucketNotFoundFault", redshift.enable_logging,
                           ClusterIdentifier=name, BucketName=f"missing-{uuid.uuid4().hex[:8]}")
        bucket = self.bucket(self.redshift_policy(arn), region=region)
        self.assertRefused("InvalidS3KeyPrefixFault", redshift.enable_logging,
                           ClusterIdentifier=name, BucketName=bucket, S3KeyPrefix="has space/")

    def test_redshift_delivers_and_reports_failures_in_the_logging_status(self):
        region = "eu-west-1"
        account = self.workload
        name, arn = self.cluster(account, region)
        bucket = self.bucket(self.redshift_policy(arn), region=region)
        redshift = self.client("redshift", account, region)
        redshift.enable_logging(ClusterIdentifier=name, BucketName=bucket, S3KeyPrefix="audit")
        day = self.today()
        objects = self.keys(bucket, region=region)
        for log_type in ("connectionlog", "userlog"):
            pattern = (
                rf"^audit/AWSLogs/{account}/redshift/{region}/{day:%Y/%m/%d}/"
                rf"{account}_redshift_{region}_{name}_{log_type}_\d{{4}}-\d\d-\d\dT\d\d:\d\d\.gz$"
            )
            self.assertTrue(any(re.match(pattern, k) for k in objects), (log_type, objects))
        status = redshift.describe_logging_status(ClusterIdentifier=name)
        self.assertTrue(status["LoggingEnabled"])
        self.assertEqual(status.get("LastFailureMessage", ""), "")

        # The bucket policy is emptied out of band: the next upload fails, and the status says so.
        self.client("s3", account, region).put_bucket_policy(
            Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
                {"Effect": "Deny", "Principal": {"Service": "redshift.amazonaws.com"}, "Action": "s3:PutObject",
                 "Resource": f"arn:aws:s3:::{bucket}/*"}]}))
        (report,) = self.reports("redshift-audit-logs", name)
        self.assertFalse(report["ok"])
        status = redshift.describe_logging_status(ClusterIdentifier=name)
        self.assertIn(bucket, status["LastFailureMessage"])

    def test_redshift_into_an_object_lock_bucket_fails_delivery(self):
        region = "eu-west-1"
        name, arn = self.cluster(self.workload, region)
        bucket = self.bucket(self.redshift_policy(arn), region=region, object_lock=True)
        redshift = self.client("redshift", self.workload, region)
        redshift.enable_logging(ClusterIdentifier=name, BucketName=bucket)
        self.assertIn("Object Lock", redshift.describe_logging_status(ClusterIdentifier=name)["LastFailureMessage"])
        self.assertEqual(self.keys(bucket, region=region), [])

    # -- CloudFront standard logs ---------------------------------------------------

    def distribution(self, account: str) -> tuple[str, str, dict, str]:
        cloudfront = self.client("cloudfront", account)
        config = {
            "CallerReference": uuid.uuid4().hex, "Comment": "", "Enabled": True,
            "Origins": {"Quantity": 1, "Items": [{"Id": "site", "DomainName": "site.s3.amazonaws.com",
                                                   "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
            "DefaultCacheBehavior": {"TargetOriginId": "site", "ViewerProtocolPolicy": "allow-all",
                                     "TrustedSigners": {"Enabled": False, "Quantity": 0}},
        }
        created = cloudfront.create_distribution(DistributionConfig=config)
        distribution = created["Distribution"]
        return distribution["Id"], distribution["DomainName"], config, created["ETag"]

    def enable_cloudfront_logs(self, account: str, distribution_id: str, bucket: str, prefix: str):
        cloudfront = self.client("cloudfront", account)
        current = cloudfront.get_distribution_config(Id=distribution_id)
        config = current["DistributionConfig"]
        config["Logging"] = {"Enabled": True, "IncludeCookies": False, "Bucket": f"{bucket}.s3.amazonaws.com", "Prefix": prefix}
        return cloudfront.update_distribution(Id=distribution_id, IfMatch=current["ETag"], DistributionConfig=config)

    def test_cloudfront_logs_into_a_bucket_without_acls_or_missing_are_refused(self):
        account = self.workload
        distribution_id, _, _, _ = self.distribution(account)
        bucket = self.bucket(None)  # created without Object Ownership: BucketOwnerEnforced, S3's default
        message = self.assertRefused("InvalidArgument", self.enable_cloudfront_logs, account, distribution_id, bucket, "cf/")
        self.assertEqual(message, f"The S3 bucket that you specified for CloudFront logs does not enable ACL access: {bucket}.s3.amazonaws.com")
        missing = f"missing-{uuid.uuid4().hex[:8]}"
        message = self.assertRefused("InvalidArgument", self.enable_cloudfront_logs, account, distribution_id, missing, "cf/")
        self.assertIn("doesn't exist", message)
        logging = self.client("cloudfront", account).get_distribution_config(Id=distribution_id)["DistributionConfig"]["Logging"]
        self.assertFalse(logging["Enabled"])

    def test_cloudfront_logs_into_another_accounts_bucket_need_its_acl_permissions(self):
        distribution_id, _, _, _ = self.distribution(self.workload)
        bucket = self.bucket(None, account=self.forensic, ownership="BucketOwnerPreferred")
        self.assertRefused("AccessDenied", self.enable_cloudfront_logs, self.workload, distribution_id, bucket, "")

    def test_cloudfront_logs_grant_awslogsdelivery_and_deliver(self):
        account = self.workload
        distribution_id, domain, _, _ = self.distribution(account)
        bucket = self.bucket(None, ownership="BucketOwnerPreferred")
        self.enable_cloudfront_logs(account, distribution_id, bucket, "edge")
        s3 = self.client("s3", account)
        grants = s3.get_bucket_acl(Bucket=bucket)["Grants"]
        self.assertIn((AWSLOGSDELIVERY, "FULL_CONTROL"), [(g["Grantee"].get("ID"), g["Permission"]) for g in grants])
        day = self.today()
        pattern = rf"^edge/{distribution_id}\.{day:%Y-%m-%d}-\d\d\.[0-9a-f]{{8}}\.gz$"
        objects = self.keys(bucket)
        self.assertTrue(objects and all(re.match(pattern, k) for k in objects), objects)
        lines = self.read(bucket, objects[0]).decode().splitlines()
        self.assertEqual(lines[0], "#Version: 1.0")
        self.assertIn(domain, lines[2])

        # The grant is removed out of band: CloudFront can no longer write.
        s3.put_bucket_acl(Bucket=bucket, ACL="private")
        (report,) = self.reports("cloudfront-standard-logs", distribution_id)
        self.assertFalse(report["ok"])
        self.assertEqual(report["error"], "AccessDenied")

    # -- WAF logs -----------------------------------------------------------------

    def web_acl(self, account: str, region: str, scope: str = "REGIONAL") -> str:
        name = f"acl-{uuid.uuid4().hex[:8]}"
        return self.client("wafv2", account, region).create_web_acl(
            Name=name, Scope=scope, DefaultAction={"Allow": {}},
            VisibilityConfig={"SampledRequestsEnabled": False, "CloudWatchMetricsEnabled": False, "MetricName": name},
        )["Summary"]["ARN"]

    def log_group(self, account: str, region: str, name: str) -> str:
        self.client("logs", account, region).create_log_group(logGroupName=name)
        return f"arn:aws:logs:{region}:{account}:log-group:{name}"

    def test_waf_log_group_without_the_prefix_or_in_another_region_is_refused(self):
        account, region = self.workload, "eu-west-1"
        acl = self.web_acl(account, region)
        wafv2 = self.client("wafv2", account, region)
        group = self.log_group(account, region, f"/waf/{uuid.uuid4().hex[:8]}")
        message = self.assertRefused("WAFInvalidParameterException", wafv2.put_logging_configuration,
                                     LoggingConfiguration={"ResourceArn": acl, "LogDestinationConfigs": [group]})
        self.assertIn("field: LOG_DESTINATION", message)
        elsewhere = self.log_group(account, "us-west-2", f"aws-waf-logs-{uuid.uuid4().hex[:8]}")
        self.assertRefused("WAFInvalidParameterException", wafv2.put_logging_configuration,
                           LoggingConfiguration={"ResourceArn": acl, "LogDestinationConfigs": [elsewhere]})
        self.assertRefused("WAFNonexistentItemException", wafv2.get_logging_configuration, ResourceArn=acl)
        # The naming rule holds for S3 buckets too.
        self.assertRefused("WAFInvalidParameterException", wafv2.put_logging_configuration,
                           LoggingConfiguration={"ResourceArn": acl, "LogDestinationConfigs": ["arn:aws:s3:::waf-logs-bucket"]})
        missing_acl = acl.rsplit("/", 1)[0] + "/" + str(uuid.uuid4())
        good = self.log_group(account, region, f"aws-waf-logs-{uuid.uuid4().hex[:8]}")
        self.assertRefused("WAFNonexistentItemException", wafv2.put_logging_configuration,
                           LoggingConfiguration={"ResourceArn": missing_acl, "LogDestinationConfigs": [good]})

    def test_waf_log_group_policy_denying_log_delivery_is_refused(self):
        account, region = self.workload, "us-west-1"
        acl = self.web_acl(account, region)
        name = f"aws-waf-logs-{uuid.uuid4().hex[:8]}"
        group = self.log_group(account, region, name)
        self.client("logs", account, region).put_resource_policy(policyName="NoDelivery", policyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [
                {"Effect": "Deny", "Principal": {"Service": "delivery.logs.amazonaws.com"}, "Action": "logs:PutLogEvents",
                 "Resource": f"arn:aws:logs:{region}:{account}:log-group:{name}:*"}]}))
        self.assertRefused("WAFLogDestinationPermissionIssueException", self.client("wafv2", account, region).put_logging_configuration,
                           LoggingConfiguration={"ResourceArn": acl, "LogDestinationConfigs": [group]})

    def test_waf_logging_adds_the_resource_policy_and_delivers(self):
        account, region = self.workload, "eu-west-1"
        acl = self.web_acl(account, region)
        name = f"aws-waf-logs-{uuid.uuid4().hex[:8]}"
        group = self.log_group(account, region, name)
        self.client("wafv2", account, region).put_logging_configuration(
            LoggingConfiguration={"ResourceArn": acl, "LogDestinationConfigs": [group]})
        logs = self.client("logs", account, region)
        policies = {p["policyName"]: json.loads(p["policyDocument"]) for p in logs.describe_resource_policies()["resourcePolicies"]}
        statement = policies["AWSLogDeliveryWrite20150319"]["Statement"][0]
        self.assertEqual(statement["Principal"], {"Service": ["delivery.logs.amazonaws.com"]})
        self.assertIn(f"{group}:log-stream:*", statement["Resource"])
        acl_name = acl.split("/")[2]
        stream = f"{region}_{acl_name}_1"
        events = logs.get_log_events(logGroupName=name, logStreamName=stream)["events"]
        self.assertEqual(json.loads(events[0]["message"])["webaclId"], acl)

        # Someone deletes the resource policy: the next delivery is refused.
        logs.delete_resource_policy(policyName="AWSLogDeliveryWrite20150319")
        (report,) = self.reports("waf-logs", acl)
        self.assertFalse(report["ok"])
        self.assertEqual(report["error"], "AccessDeniedException")

    def test_waf_logging_of_a_cloudfront_web_acl_goes_to_us_east_1(self):
        account = self.workload
        acl = self.web_acl(account, "us-east-1", scope="CLOUDFRONT")
        name = f"aws-waf-logs-{uuid.uuid4().hex[:8]}"
        group = self.log_group(account, "us-east-1", name)
        self.client("wafv2", account, "us-east-1").put_logging_configuration(
            LoggingConfiguration={"ResourceArn": acl, "LogDestinationConfigs": [group]})
        (report,) = self.reports("waf-logs", acl)
        self.assertTrue(report["ok"], report)
        event = json.loads(self.client("logs", account).get_log_events(
            logGroupName=name, logStreamName=f"us-east-1_{acl.split('/')[2]}_1")["events"][0]["message"])
        self.assertEqual(event["httpSourceName"], "CF")

    def test_waf_logging_refused_through_a_stack_fails_the_stack_operation(self):
        account, region = self.workload, "eu-west-1"
        acl = self.web_acl(account, region)
        group = self.log_group(account, region, f"/waf/stack-{uuid.uuid4().hex[:8]}")
        template = {"Resources": {"Logging": {"Type": "AWS::WAFv2::LoggingConfiguration", "Properties": {
            "ResourceArn": acl, "LogDestinationConfigs": [group]}}}}
        message = self.assertRefused("ValidationError", self.client("cloudformation", account, region).create_stack,
                                     StackName=f"waf-{uuid.uuid4().hex[:8]}", TemplateBody=json.dumps(template))
        self.assertIn("Error Code: WAFInvalidParameterException", message)

    # -- API Gateway ---------------------------------------------------------------

    def rest_stage(self, account: str, region: str) -> str:
        apigateway = self.client("apigateway", account, region)
        api = apigateway.create_rest_api(name="orders")["id"]
        root = apigateway.get_resources(restApiId=api)["items"][0]["id"]
        apigateway.put_method(restApiId=api, resourceId=root, httpMethod="GET", authorizationType="NONE")
        apigateway.put_integration(restApiId=api, resourceId=root, httpMethod="GET", type="MOCK")
        apigateway.create_deployment(restApiId=api, stageName="prod")
        return api

    def role(self, account: str, service: str, with_logs_policy: bool = True) -> str:
        iam = self.client("iam", account)
        name = f"apigw-{uuid.uuid4().hex[:8]}"
        arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
        if with_logs_policy:
            # The actions of AmazonAPIGatewayPushToCloudWatchLogs, inline.
            iam.put_role_policy(RoleName=name, PolicyName="logs", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogGroups",
                                               "logs:DescribeLogStreams", "logs:PutLogEvents", "logs:GetLogEvents",
                                               "logs:FilterLogEvents"], "Resource": "*"}]}))
        return arn

    def test_apigateway_stage_logging_without_the_account_role_is_refused(self):
        account, region = self.workload, "ap-northeast-1"
        api = self.rest_stage(account, region)
        apigateway = self.client("apigateway", account, region)
        for operations in (
            [{"op": "replace", "path": "/*/*/logging/loglevel", "value": "INFO"}],
            [{"op": "replace", "path": "/accessLogSettings/destinationArn",
              "value": f"arn:aws:logs:{region}:{account}:log-group:access"}],
        ):
            message = self.assertRefused("BadRequestException", apigateway.update_stage,
                                         restApiId=api, stageName="prod", patchOperations=operations)
            self.assertEqual(message, "CloudWatch Logs role ARN must be set in account settings to enable logging")
        # Turning logging off needs no role.
        apigateway.update_stage(restApiId=api, stageName="prod", patchOperations=[
            {"op": "replace", "path": "/*/*/logging/loglevel", "value": "OFF"}])

    def test_apigateway_account_role_must_exist_and_trust_api_gateway(self):
        account, region = self.workload, "ap-northeast-2"
        apigateway = self.client("apigateway", account, region)
        expected = ("The role ARN does not have required permissions configured. "
                    "Please grant trust permission for API Gateway and add the required role policy.")
        for role in (self.role(account, "ec2.amazonaws.com"), f"arn:aws:iam::{account}:role/does-not-exist"):
            message = self.assertRefused("BadRequestException", apigateway.update_account, patchOperations=[
                {"op": "replace", "path": "/cloudwatchRoleArn", "value": role}])
            self.assertEqual(message, expected)
        self.assertIsNone(apigateway.get_account().get("cloudwatchRoleArn"))

    def test_apigateway_execution_and_access_logs_are_delivered_with_the_role(self):
        account, region = self.workload, "eu-west-2"
        apigateway = self.client("apigateway", account, region)
        api = self.rest_stage(account, region)
        role = self.role(account, "apigateway.amazonaws.com")
        apigateway.update_account(patchOperations=[{"op": "replace", "path": "/cloudwatchRoleArn", "value": role}])
        access = f"access-{uuid.uuid4().hex[:8]}"
        group = self.log_group(account, region, access)
        apigateway.update_stage(restApiId=api, stageName="prod", patchOperations=[
            {"op": "replace", "path": "/accessLogSettings/destinationArn", "value": group},
            {"op": "replace", "path": "/accessLogSettings/format", "value": '{"requestId":"$context.requestId","status":"$context.status"}'},
            {"op": "replace", "path": "/*/*/logging/loglevel", "value": "ERROR"}])
        logs = self.client("logs", account, region)
        execution = f"API-Gateway-Execution-Logs_{api}/prod"
        self.assertEqual(logs.describe_log_groups(logGroupNamePrefix=execution)["logGroups"][0]["logGroupName"], execution)
        streams = logs.describe_log_streams(logGroupName=access)["logStreams"]
        event = logs.get_log_events(logGroupName=access, logStreamName=streams[0]["logStreamName"])["events"][0]
        self.assertEqual(json.loads(event["message"])["status"], "200")

        # The role loses its logs policy: API Gateway can no longer write (and says so nowhere).
        self.client("iam", account).delete_role_policy(RoleName=role.split("/")[-1], PolicyName="logs")
        (report,) = self.reports("apigateway-logs", f"{api}/prod")
        self.assertFalse(report["ok"])
        self.assertEqual(report["error"], "AccessDeniedException")

    def test_http_api_access_logs_use_the_log_group_resource_policy(self):
        account, region = self.workload, "ca-central-1"
        v2 = self.client("apigatewayv2", account, region)
        api = v2.create_api(Name="catalog", ProtocolType="HTTP")["ApiId"]
        name = f"http-access-{uuid.uuid4().hex[:8]}"
        group = self.log_group(account, region, name)
        v2.create_stage(ApiId=api, StageName="live", AccessLogSettings={
            "DestinationArn": group, "Format": "$context.requestId $context.status"})
        logs = self.client("logs", account, region)
        policies = {p["policyName"]: json.loads(p["policyDocument"]) for p in logs.describe_resource_policies()["resourcePolicies"]}
        self.assertIn(f"{group}:log-stream:*", policies["AWSLogDeliveryWrite20150319"]["Statement"][0]["Resource"])
        (report,) = self.reports("apigateway-logs", f"{api}/live")
        self.assertTrue(report["ok"], report)
        streams = logs.describe_log_streams(logGroupName=name)["logStreams"]
        self.assertTrue(streams)

    def test_websocket_api_logging_needs_the_account_role(self):
        account, region = self.workload, "sa-east-1"
        v2 = self.client("apigatewayv2", account, region)
        api = v2.create_api(Name="chat", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action")["ApiId"]
        message = self.assertRefused("BadRequestException", v2.create_stage, ApiId=api, StageName="live",
                                     DefaultRouteSettings={"LoggingLevel": "INFO"})
        self.assertEqual(message, "CloudWatch Logs role ARN must be set in account settings to enable logging")


if __name__ == "__main__":
    unittest.main()
