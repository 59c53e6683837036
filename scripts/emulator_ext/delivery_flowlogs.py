"""VPC flow logs published to S3: the checks CreateFlowLogs makes, and delivery.

moto's CreateFlowLogs accepts any bucket policy and key policy, takes a
destination with a folder (``arn:aws:s3:::bucket/folder/``) for a missing bucket
named "bucket/folder", ignores ``DestinationOptions``, always reports
``DeliverLogsStatus: SUCCESS`` and never writes a log file. Here, through
moto's EC2, S3 and KMS backends, as the VPC User Guide describes it:

At creation (CreateFlowLogs and AWS::EC2::FlowLog, which calls the backend),
delivery.logs.amazonaws.com must be able to GetBucketAcl on the bucket and
PutObject under ``<folder>/AWSLogs/<account>/`` (Hive layout:
``AWSLogs/aws-account-id=<account>/``) with s3:x-amz-acl
bucket-owner-full-control, aws:SourceAccount = the flow log's account and
aws:SourceArn = ``arn:aws:logs:<region>:<account>:*``
(https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-s3-permissions.html).

- When the flow log's account owns the bucket, AWS adds the required statements
  to the bucket policy itself ("If the user creating the flow log owns the
  bucket and has PutBucketPolicy and GetBucketPolicy permissions for the
  bucket, we automatically attach the following policy"); moto grants the
  caller every permission, so they are added here when the policy does not
  already allow the delivery. The CloudWatch Logs guide, which the flow logs
  to S3 infrastructure is, says the statement is appended to an existing
  policy, and that adding it fails when the policy has NotPrincipal or
  NotAction (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-infrastructure-S3.html);
  the VPC guide's "overwrites any existing policy" is not followed, as it would
  drop the bucket owner's own statements.
- Otherwise the flow log is not created: the resource is listed under
  ``Unsuccessful`` with "Access Denied for LogDestination: <bucket>. Please
  check LogDestination permission."
  (https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-troubleshooting.html#flow-logs-troubleshooting-not-found),
  which AWS::EC2::FlowLog turns into a failed resource.
- A bucket whose default encryption names its KMS key by id instead of ARN
  gives "LogDestination <bucket> is undeliverable"
  (https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-troubleshooting.html#flow-logs-troubleshooting-kms-id).

Delivery (at creation and on every ``POST /_irready/deliver``) re-evaluates the
bucket policy and, for SSE-KMS, the key policy (delivery.logs.amazonaws.com
needs kms:GenerateDataKey on the key; the CloudWatch Logs guide's key policy
statement also lists kms:Encrypt, kms:Decrypt, kms:ReEncrypt* and
kms:DescribeKey, checked only with IRREADY_EMULATOR_KMS_STRICT=1,
https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-infrastructure-S3.html#AWS-logs-SSE-KMS-S3).
A refusal shows as ``DeliverLogsStatus: FAILED`` with
``DeliverLogsErrorMessage: "Access error"``, the way DescribeFlowLogs reports
delivery errors (https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-troubleshooting.html#flow-logs-troubleshooting-incomplete-records);
a later successful delivery sets SUCCESS again. A delivered file follows the
documented layout (https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-s3.html#flow-logs-s3-path):
``<folder>/AWSLogs/<account>/vpcflowlogs/<region>/YYYY/MM/DD/[HH/]<account>_vpcflowlogs_<region>_<flow-log-id>_YYYYMMDDTHHmmZ_<hash>.log.gz``,
or the Hive-compatible ``AWSLogs/aws-account-id=<account>/aws-service=vpcflowlogs/aws-region=<region>/year=YYYY/month=MM/day=DD/[hour=HH/]``
when ``DestinationOptions.HiveCompatiblePartitions`` asks for it; its content is
the header line and one record in the flow log's format.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from moto.ec2.models.flow_logs import FlowLogs, FlowLogsBackend
from moto.ec2.responses.flow_logs import FlowLogs as FlowLogsResponse

from . import delivery
from .delivery import first_denied
from .policy import Principal

SERVICE = "delivery.logs.amazonaws.com"
ACL = "bucket-owner-full-control"
ACCESS_ERROR = "Access error"

_original: dict[str, Any] = {}
# DestinationOptions of the CreateFlowLogs request being handled on this thread.
_request = threading.local()


def split_s3_arn(arn: str) -> tuple[str, str]:
    """(bucket, folder with a trailing slash or "") of ``arn:aws:s3:::bucket[/folder/]``."""
    path = arn.split(":", 5)[5] if arn.count(":") >= 5 else arn
    bucket, _, folder = path.partition("/")
    folder = folder.strip("/")
    return bucket, f"{folder}/" if folder else ""


def log_source_context(account: str, region: str) -> dict[str, Any]:
    """delivery.logs' context: the flow log owner and the logs service's wildcard ARN."""
    return delivery.source_context(SERVICE, account, f"arn:aws:logs:{region}:{account}:*")


def _account_folder(folder: str, account: str, hive: bool) -> str:
    return f"{folder}AWSLogs/aws-account-id={account}/" if hive else f"{folder}AWSLogs/{account}/"


def bucket_checks(bucket: Any, account: str, region: str, folder: str, hive: bool) -> list[delivery.Check]:
    principal = Principal.service(SERVICE)
    context = log_source_context(account, region)
    return [
        delivery.s3_check(bucket, principal, "s3:GetBucketAcl", None, context),
        delivery.s3_check(
            bucket, principal, "s3:PutObject", _account_folder(folder, account, hive), context, **{"s3:x-amz-acl": ACL}
        ),
    ]


def _log_delivery_statements(bucket: str, account: str, region: str, folder: str, hive: bool) -> list[dict[str, Any]]:
    """The statements the vended-logs infrastructure adds for a bucket owner (both guides above)."""
    conditions = {
        "StringEquals": {"aws:SourceAccount": account},
        "ArnLike": {"aws:SourceArn": f"arn:aws:logs:{region}:{account}:*"},
    }
    return [
        {
            "Sid": "AWSLogDeliveryWrite",
            "Effect": "Allow",
            "Principal": {"Service": SERVICE},
            "Action": "s3:PutObject",
            "Resource": f"arn:aws:s3:::{bucket}/{_account_folder(folder, account, hive)}*",
            "Condition": {
                "StringEquals": {"aws:SourceAccount": account, "s3:x-amz-acl": ACL},
                "ArnLike": conditions["ArnLike"],
            },
        },
        {
            "Sid": "AWSLogDeliveryAclCheck",
            "Effect": "Allow",
            "Principal": {"Service": SERVICE},
            "Action": ["s3:GetBucketAcl", "s3:ListBucket"],
            "Resource": f"arn:aws:s3:::{bucket}",
            "Condition": conditions,
        },
    ]


def ensure_log_delivery_policy(
    account: str, region: str, destination_arn: str, hive: bool = False
) -> str | None:
    """Make sure delivery.logs may write; None, or the reason delivery is refused.

    The shared step of every vended-logs destination (flow logs, Resolver query
    logs): the bucket owner's own subscriptions get the statements added, other
    accounts' are refused.
    """
    bucket_name, folder = split_s3_arn(destination_arn)
    bucket = delivery.find_bucket(bucket_name)
    if bucket is None:
        return f"LogDestination: {bucket_name} does not exist."
    encryption = delivery.default_encryption(bucket)
    if encryption.algorithm in ("aws:kms", "aws:kms:dsse") and encryption.key_reference:
        if not encryption.key_reference.startswith("arn:"):
            return f"LogDestination {bucket_name} is undeliverable"
    if first_denied(bucket_checks(bucket, account, region, folder, hive)) is None:
        return None
    refused = f"Access Denied for LogDestination: {bucket_name}. Please check LogDestination permission."
    if bucket.account_id != account:
        return refused
    document = json.loads(bucket.policy) if bucket.policy else {"Version": "2012-10-17", "Statement": []}
    statements = document.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    if any("NotPrincipal" in s or "NotAction" in s for s in statements):
        return refused
    document["Statement"] = statements + _log_delivery_statements(bucket_name, account, region, folder, hive)
    bucket.policy = json.dumps(document).encode()
    if first_denied(bucket_checks(bucket, account, region, folder, hive)) is not None:
        return refused  # an explicit Deny still refuses it
    return None


def _options(flow_log: FlowLogs) -> dict[str, Any]:
    return getattr(flow_log, "destination_options", None) or {}


def _hive(flow_log: FlowLogs) -> bool:
    return str(_options(flow_log).get("HiveCompatiblePartitions", "false")).lower() == "true"


# Values for the fields of one flow log record (version 2 to 5 fields).
def _record(flow_log: FlowLogs, account: str, region: str, moment: Any) -> str:
    start = delivery.epoch(moment) - 60
    values = {
        "version": "5",
        "account-id": account,
        "interface-id": "eni-0a1b2c3d4e5f60718",
        "srcaddr": "10.0.1.5",
        "dstaddr": "10.0.2.7",
        "srcport": "49761",
        "dstport": "443",
        "protocol": "6",
        "packets": "10",
        "bytes": "5120",
        "start": str(start),
        "end": str(start + 59),
        "action": "ACCEPT",
        "log-status": "OK",
        "vpc-id": flow_log.resource_id if flow_log.resource_id.startswith("vpc-") else "-",
        "subnet-id": flow_log.resource_id if flow_log.resource_id.startswith("subnet-") else "-",
        "instance-id": "-",
        "tcp-flags": "19",
        "type": "IPv4",
        "pkt-srcaddr": "10.0.1.5",
        "pkt-dstaddr": "10.0.2.7",
        "region": region,
        "az-id": "use1-az1",
        "sublocation-type": "-",
        "sublocation-id": "-",
        "pkt-src-aws-service": "-",
        "pkt-dst-aws-service": "-",
        "flow-direction": "egress",
        "traffic-path": "1",
    }
    fields = [f.strip("${}") for f in (flow_log.log_format or "").split()]
    return " ".join(fields) + "\n" + " ".join(values.get(f, "-") for f in fields) + "\n"


def deliver_flow_log(flow_log: FlowLogs) -> dict[str, Any]:
    """Deliver one S3 flow log's file once and record the outcome on the flow log."""
    backend = flow_log.ec2_backend
    account, region = backend.account_id, backend.region_name
    report: dict[str, Any] = {
        "delivery": "vpc-flow-logs",
        "account": account,
        "region": region,
        "resource": flow_log.id,
        "destination": flow_log.log_destination,
    }
    moment = delivery.now()
    bucket_name, folder = split_s3_arn(flow_log.log_destination)
    hive = _hive(flow_log)
    hourly = str(_options(flow_log).get("PerHourPartition", "false")).lower() == "true"
    if hive:
        path = (
            f"{folder}AWSLogs/aws-account-id={account}/aws-service=vpcflowlogs/aws-region={region}/"
            f"year={moment:%Y}/month={moment:%m}/day={moment:%d}/" + (f"hour={moment:%H}/" if hourly else "")
        )
    else:
        path = f"{folder}AWSLogs/{account}/vpcflowlogs/{region}/{moment:%Y/%m/%d}/" + (
            f"{moment:%H}/" if hourly else ""
        )
    extension = "log.parquet" if _options(flow_log).get("FileFormat") == "parquet" else "log.gz"
    key = (
        f"{path}{account}_vpcflowlogs_{region}_{flow_log.id}_{moment:%Y%m%dT%H%M}Z_"
        f"{delivery.unique(8, '0123456789abcdef')}.{extension}"
    )
    error, detail = _write(account, region, bucket_name, key, _record(flow_log, account, region, moment))
    if error is None:
        flow_log.deliver_logs_status, flow_log.deliver_logs_error_message = "SUCCESS", None
        report.update(ok=True, objects=[key])
    else:
        flow_log.deliver_logs_status, flow_log.deliver_logs_error_message = "FAILED", ACCESS_ERROR
        report.update(ok=False, error=error, detail=detail)
    return report


def _write(account: str, region: str, bucket_name: str, key: str, body: str) -> tuple[str | None, Any]:
    """One delivery.logs PutObject: (error or None, denial detail); written when allowed."""
    bucket = delivery.find_bucket(bucket_name)
    if bucket is None:
        return "NoSuchBucket", None
    principal = Principal.service(SERVICE)
    context = log_source_context(account, region)
    denied = first_denied(
        [delivery.s3_check(bucket, principal, "s3:PutObject", key, context, **{"s3:x-amz-acl": ACL})]
    )
    if denied is not None:
        return "AccessDenied", denied.describe()
    encryption = delivery.default_encryption(bucket)
    kms = delivery.s3_kms_use(
        bucket,
        key,
        encryption,
        principal,
        context,
        documented_extra_actions=("kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:DescribeKey"),
    )
    if kms is not None:
        if kms.error_code:
            return kms.error_code, {"reason": kms.reason}
        refused = kms.denied()
        if refused is not None:
            return "AccessDenied", refused.describe()
    delivery.put_object(bucket, key, delivery.gzip_text(body), encryption)
    return None, None


@delivery.register
def deliver_flow_logs() -> list[dict[str, Any]]:
    from moto.ec2.models import ec2_backends

    reports = []
    for _, _, backend in delivery.backends_of(ec2_backends):
        for flow_log in list(backend.flow_logs.values()):
            if flow_log.log_destination_type == "s3" and flow_log.log_destination:
                reports.append(deliver_flow_log(flow_log))
    return reports


# --------------------------------------------------------------------------
# Patches
# --------------------------------------------------------------------------


def create_flow_logs(
    self: FlowLogsBackend,
    resource_type: str,
    resource_ids: list[str],
    traffic_type: str,
    deliver_logs_permission_arn: str,
    log_destination_type: str,
    log_destination: str,
    log_group_name: str,
    log_format: str,
    max_aggregation_interval: int,
    destination_options: dict[str, Any] | None = None,
) -> tuple[list[FlowLogs], list[Any]]:
    if log_destination_type != "s3" or not log_destination:
        return _original["create_flow_logs"](
            self,
            resource_type,
            resource_ids,
            traffic_type,
            deliver_logs_permission_arn,
            log_destination_type,
            log_destination,
            log_group_name,
            log_format,
            max_aggregation_interval,
        )
    if destination_options is None:
        destination_options = getattr(_request, "options", None)
    hive = str((destination_options or {}).get("HiveCompatiblePartitions", "false")).lower() == "true"
    bucket_name, _ = split_s3_arn(log_destination)
    # moto looks up the bucket by everything after "arn:aws:s3:::", folder included.
    created, unsuccessful = _original["create_flow_logs"](
        self,
        resource_type,
        resource_ids,
        traffic_type,
        deliver_logs_permission_arn,
        log_destination_type,
        f"arn:aws:s3:::{bucket_name}",
        log_group_name,
        log_format,
        max_aggregation_interval,
    )
    if not created:
        return created, unsuccessful
    refusal = ensure_log_delivery_policy(self.account_id, self.region_name, log_destination, hive)
    if refusal is not None:
        for flow_log in created:
            self.flow_logs.pop(flow_log.id, None)
        return [], unsuccessful + [(flow_log.resource_id, "400", refusal) for flow_log in created]
    for flow_log in created:
        flow_log.log_destination = log_destination
        flow_log.destination_options = {
            "FileFormat": "plain-text",
            "HiveCompatiblePartitions": False,
            "PerHourPartition": False,
            **{key: value for key, value in (destination_options or {}).items() if value is not None},
        }
        delivery.locked(deliver_flow_log)(flow_log)
    return created, unsuccessful


def response_create_flow_logs(self: FlowLogsResponse) -> Any:
    """moto's CreateFlowLogs handler, passing DestinationOptions on to the backend."""
    _request.options = self._get_param("DestinationOptions") or None
    try:
        return _original["response_create_flow_logs"](self)
    finally:
        _request.options = None


def filter_value(self: FlowLogs, filter_name: str, method_name: str | None = None) -> Any:
    if filter_name == "deliver-log-status":
        return self.deliver_logs_status
    return _original["get_filter_value"](self, filter_name, method_name)


def install() -> None:
    if _original:
        return
    _original["create_flow_logs"] = FlowLogsBackend.create_flow_logs
    _original["response_create_flow_logs"] = FlowLogsResponse.create_flow_logs
    _original["get_filter_value"] = FlowLogs.get_filter_value
    FlowLogsBackend.create_flow_logs = create_flow_logs
    FlowLogsResponse.create_flow_logs = response_create_flow_logs
    FlowLogs.get_filter_value = filter_value
