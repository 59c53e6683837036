"""S3 server access logs: what PutBucketLogging refuses, and what keeps logs from arriving.

moto's PutBucketLogging looks for the target bucket in the caller's account
only, passes a bucket policy that grants ``logging.s3.amazonaws.com`` a
matching ``Resource`` string whatever its conditions say, and writes a log
object for every request to the source bucket whatever the target's policy,
encryption or Object Lock. Here the bucket's ``set_logging`` (PutBucketLogging,
and ``LoggingConfiguration`` in templates through the ``s3`` extension) and
moto's per-request log writer follow the Amazon S3 user guide.

Refused by PutBucketLogging, with the errors the guide lists ("Troubleshoot
server access logging", "Common error messages when setting up logging",
https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshooting-server-access-logging.html):

- ``InvalidTargetBucketForLogging`` "The target bucket for logging does not
  exist";
- ``InvalidTargetBucketForLogging`` "The owner for the bucket to be logged and
  the target bucket must be the same." ("The target bucket must be in the same
  AWS Region and AWS account as the source bucket", "Enabling Amazon S3 server
  access logging",
  https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html);
- ``CrossLocationLoggingProhibitted`` "Cross S3 location logging not allowed."
  (AWS's spelling, as in the S3 error code list; HTTP 403 on AWS, 400 here:
  moto gives every error code outside the S3 model 400);
- ``AccessControlListNotSupported`` "Target grants not allowed for bucket owner
  enforced buckets" for ``TargetGrants`` into a bucket with ACLs disabled (the
  code as AWS returned it in hashicorp/terraform-provider-aws#31771).

Nothing else is checked when logging is turned on: the guide lists missing
permissions, a ``Deny`` in the target's policy, Object Lock, SSE-KMS default
encryption and Requester Pays under "Troubleshooting delivery failures", not
among the setup errors. (moto's own check refused a target whose policy did not
grant logging.s3 with one of three Resource strings; AWS does not refuse it.)

Delivery (each request to the source bucket, as moto already wrote, and one
sample record per logging bucket on every ``POST /_irready/deliver``) writes
only when S3 could ("Permissions for log delivery", same page):

- the target's bucket policy allows ``logging.s3.amazonaws.com`` s3:PutObject on
  the log object, with aws:SourceArn = the source bucket's ARN and
  aws:SourceAccount = the source bucket's owner (the guide's example policy
  conditions on both), and no statement denies it; or, when the target has
  ACLs enabled (Object Ownership not ``BucketOwnerEnforced``), its ACL grants
  the log delivery group ``http://acs.amazonaws.com/groups/s3/LogDelivery``
  WRITE (the guide asks for WRITE and READ_ACP) and the policy denies nothing;
- the target has no Object Lock default retention ("The destination bucket must
  not have an S3 Object Lock default retention period configuration", "Logging
  requests with server access logging",
  https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html);
- the target's default encryption is not SSE-KMS ("Default server-side
  encryption with AWS Key Management Service (AWS KMS) keys (SSE-KMS) is not
  supported");
- the target does not have Requester Pays enabled.

A refused delivery writes nothing: AWS reports it through no API (the guide
points at the target's CloudWatch ``4xxErrors`` request metric), so it shows
only in the deliver endpoint's report. Log objects follow
``TargetObjectKeyFormat``: ``[DestinationPrefix][YYYY]-[MM]-[DD]-[hh]-[mm]-[ss]-[UniqueString]``
(SimplePrefix, the default) or
``[DestinationPrefix][SourceAccountId]/[SourceRegion]/[SourceBucket]/[YYYY]/[MM]/[DD]/[YYYY]-[MM]-[DD]-[hh]-[mm]-[ss]-[UniqueString]``
(PartitionedPrefix; S3 API reference, SimplePrefix and PartitionedPrefix,
https://docs.aws.amazon.com/AmazonS3/latest/API/API_PartitionedPrefix.html),
each holding records in the documented log record format
(https://docs.aws.amazon.com/AmazonS3/latest/userguide/LogFormat.html).
"""

from __future__ import annotations

import datetime
import random
from typing import Any
from urllib.parse import urlparse

from moto.s3.exceptions import InvalidTargetBucketForLogging, S3ClientError
from moto.s3.models import FakeBucket, S3Backend, s3_backends

from . import delivery
from .policy import Principal

SERVICE = "logging.s3.amazonaws.com"
LOG_DELIVERY_GROUP = "http://acs.amazonaws.com/groups/s3/LogDelivery"
CANONICAL_OWNER = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"

_original: dict[str, Any] = {}


class CrossLocationLoggingProhibitted(S3ClientError):
    def __init__(self) -> None:
        super().__init__("CrossLocationLoggingProhibitted", "Cross S3 location logging not allowed. ")


class AccessControlListNotSupported(S3ClientError):
    def __init__(self) -> None:
        super().__init__("AccessControlListNotSupported", "Target grants not allowed for bucket owner enforced buckets")


# --------------------------------------------------------------------------
# The rules
# --------------------------------------------------------------------------


def check_configuration(source: FakeBucket, logging_config: dict[str, Any]) -> None:
    target = delivery.find_bucket(logging_config["TargetBucket"])
    if target is None:
        raise InvalidTargetBucketForLogging("The target bucket for logging does not exist")
    if target.account_id != source.account_id:
        raise InvalidTargetBucketForLogging("The owner for the bucket to be logged and the target bucket must be the same.")
    if target.region_name != source.region_name:
        raise CrossLocationLoggingProhibitted()
    if logging_config.get("TargetGrants") and not delivery.acls_enabled(target):
        raise AccessControlListNotSupported()


def delivery_refusal(source: FakeBucket, target: FakeBucket, key: str) -> tuple[str, Any] | None:
    """Why S3 cannot write the log object ``key`` into ``target``, or None."""
    if target.has_default_lock:
        return "InvalidRequest", {"reason": f"{target.name} has an Object Lock default retention"}
    if delivery.default_encryption(target).algorithm in ("aws:kms", "aws:kms:dsse"):
        return "KMS.AccessDenied", {"reason": f"{target.name} uses SSE-KMS default encryption"}
    if getattr(target, "payer", "BucketOwner") == "Requester":
        return "AccessDenied", {"reason": f"{target.name} has Requester Pays enabled"}
    context = delivery.source_context(SERVICE, source.account_id, delivery.bucket_arn(source.name))
    check = delivery.s3_check(target, Principal.service(SERVICE), "s3:PutObject", key, context).run()
    if check.allowed:
        return None
    if not check.explicit_deny and delivery.acl_permissions(target, uri=LOG_DELIVERY_GROUP) & {"WRITE", "FULL_CONTROL"}:
        return None
    return "AccessDenied", check.describe()


# --------------------------------------------------------------------------
# Delivery
# --------------------------------------------------------------------------


def log_key(source: FakeBucket, logging_config: dict[str, Any], moment: datetime.datetime) -> str:
    prefix = logging_config.get("TargetPrefix") or ""
    stamp = f"{moment:%Y-%m-%d-%H-%M-%S}-{random.getrandbits(64):016X}"
    key_format = logging_config.get("TargetObjectKeyFormat") or {}
    if isinstance(key_format, dict) and "PartitionedPrefix" in key_format:
        return f"{prefix}{source.account_id}/{source.region_name}/{source.name}/{moment:%Y/%m/%d}/{stamp}"
    return f"{prefix}{stamp}"


def log_record(source: FakeBucket, moment: datetime.datetime, operation: str, request_uri: str, key: str = "-") -> str:
    """One record in the documented server access log format."""
    return (
        f"{CANONICAL_OWNER} {source.name} [{moment:%d/%b/%Y:%H:%M:%S} +0000] 192.0.2.3 "
        f"arn:aws:iam::{source.account_id}:root {random.getrandbits(64):016X} {operation} {key} "
        f'"{request_uri}" 200 - 113 - 7 - "-" "aws-cli/2.15.0" - '
        f"{random.getrandbits(128):032x}= SigV4 TLS_AES_128_GCM_SHA256 AuthHeader "
        f"{source.name}.s3.{source.region_name}.amazonaws.com TLSv1.3 - -\n"
    )


def deliver_record(source: FakeBucket, record: str, moment: datetime.datetime) -> tuple[str | None, Any, str | None]:
    """Write one log object for ``source``: (error, detail, key written)."""
    logging_config = source.logging or {}
    target = delivery.find_bucket(logging_config.get("TargetBucket", ""))
    if target is None:
        return "NoSuchBucket", None, None
    key = log_key(source, logging_config, moment)
    refusal = delivery_refusal(source, target, key)
    if refusal is not None:
        return refusal[0], refusal[1], None
    delivery.put_object(target, key, record.encode(), delivery.default_encryption(target))
    return None, None, key


def deliver_bucket(source: FakeBucket) -> dict[str, Any]:
    moment = delivery.now()
    logging_config = source.logging or {}
    report: dict[str, Any] = {
        "delivery": "s3-server-access-logs",
        "account": source.account_id,
        "region": source.region_name,
        "resource": source.name,
        "destination": f"s3://{logging_config.get('TargetBucket')}/{logging_config.get('TargetPrefix') or ''}",
    }
    record = log_record(source, moment, "REST.GET.BUCKET", f"GET /{source.name}?list-type=2 HTTP/1.1")
    error, detail, key = deliver_record(source, record, moment)
    if error is None:
        report.update(ok=True, objects=[key])
    else:
        report.update(ok=False, error=error, detail=detail)
    return report


@delivery.register
def deliver_server_access_logs() -> list[dict[str, Any]]:
    reports = []
    for account_id, per_partition in list(s3_backends.items()):
        for _, backend in list(per_partition.items()):
            for bucket in list(backend.buckets.values()):
                if bucket.account_id == account_id and bucket.logging:
                    reports.append(deliver_bucket(bucket))
    return reports


# --------------------------------------------------------------------------
# Patches
# --------------------------------------------------------------------------


def set_logging(self: FakeBucket, logging_config: dict[str, Any] | None, bucket_backend: S3Backend) -> None:
    if not logging_config:
        self.logging = {}
        return
    with delivery._LOCK:
        check_configuration(self, logging_config)
    self.logging = logging_config


def log_incoming_request(self: S3Backend, request: Any, bucket_name: str) -> None:
    """moto's per-request log writer, through the delivery rules and the documented key layout."""
    try:
        bucket = self.buckets.get(bucket_name)
        if bucket is None or not bucket.logging:
            return
        path = urlparse(request.url).path or "/"
        query = urlparse(request.url).query
        uri = f"{request.method} {path}{'?' + query if query else ''} HTTP/1.1"
        key = path.split("/", 2)[2] if path.count("/") >= 2 and path.split("/", 2)[2] else "-"
        operation = f"REST.{request.method}.{'OBJECT' if key != '-' else 'BUCKET'}"
        moment = delivery.now()
        with delivery._LOCK:
            deliver_record(bucket, log_record(bucket, moment, operation, uri, key), moment)
    except Exception:  # noqa: BLE001 - "log delivery is not guaranteed in AWS" (moto's own comment)
        return


def install() -> None:
    if _original:
        return
    _original["set_logging"] = FakeBucket.set_logging
    _original["log_incoming_request"] = S3Backend.log_incoming_request
    FakeBucket.set_logging = set_logging
    S3Backend.log_incoming_request = log_incoming_request
