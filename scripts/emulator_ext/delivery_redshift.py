"""Redshift audit logging to S3: what EnableLogging refuses, and delivery.

moto's EnableLogging stores any bucket and prefix and delivers nothing. Here,
through moto's Redshift, S3 and KMS backends, EnableLogging to S3 (no
``LogDestinationType``, or ``s3``) is checked as the Amazon Redshift management
guide describes ("Database audit logging",
https://docs.aws.amazon.com/redshift/latest/mgmt/db-auditing.html), with the
errors of the EnableLogging API reference
(https://docs.aws.amazon.com/redshift/latest/APIReference/API_EnableLogging.html):

- ``BucketNotFoundFault`` "Could not find the specified S3 bucket.";
- ``InvalidS3KeyPrefixFault`` when the prefix breaks "The Amazon S3 key prefix
  can't exceed 512 characters. It can't contain spaces ( ), double quotation
  marks ("), single quotation marks ('), a backslash (\\)" or the control
  characters x00 to x20, x22, x27, x5c, x7f or larger ("Bucket structure for
  Amazon Redshift audit logging");
- ``InsufficientS3BucketPolicyFault`` "The cluster does not have read bucket or
  put object permissions on the S3 bucket specified when enabling logging."
  when the bucket policy does not let Redshift s3:GetBucketAcl on the bucket
  and s3:PutObject under ``<prefix>/AWSLogs/<account>/redshift/<region>/``
  ("Bucket permissions for Amazon Redshift audit logging": "Amazon Redshift
  requires the following IAM permissions to the bucket: s3:GetBucketAcl ...
  s3:PutObject"; "Logs are delivered using service-principal credentials. For
  most AWS Regions, you add the Redshift service-principal name,
  redshift.amazonaws.com"; opt-in Regions "require a Region-specific service
  principal name ... redshift.region.amazonaws.com"). The requests carry
  aws:SourceAccount and aws:SourceArn = the cluster's ARN, as the guide's
  confused-deputy example conditions on it.

The guide's "Limitations when you enable logging to Amazon S3" ("You can use
only Amazon S3-managed keys (SSE-S3) encryption", "The Amazon S3 buckets must
have the S3 Object Lock feature turned off") are not documented as refusals:
they, and a policy changed after logging was enabled, fail the delivery. A
failed delivery sets DescribeLoggingStatus ``LastFailureTime`` and
``LastFailureMessage`` (the API's own report of upload failures; the message
wording is the emulator's); a successful one ``LastSuccessfulDeliveryTime``.

Delivery (when logging is enabled and on every ``POST /_irready/deliver``)
writes the connection log and the user log under the documented layout,
``<prefix>/AWSLogs/<account>/redshift/<region>/YYYY/MM/DD/<account>_redshift_<region>_<cluster>_<logtype>_<YYYY-MM-DDTHH:MM>.gz``
("If you provide an Amazon S3 key prefix, put the prefix at the start of the
key ... myprefix/AWSLogs/..."). The user activity log, which also needs the
``enable_user_activity_logging`` parameter, is not written.
"""

from __future__ import annotations

import datetime
from typing import Any

from moto.redshift.exceptions import ClusterNotFoundError, RedshiftClientError
from moto.redshift.models import RedshiftBackend, redshift_backends

from . import delivery
from .delivery import Check, first_denied
from .policy import Principal

_original: dict[str, Any] = {}

BUCKET_NOT_FOUND = "Could not find the specified S3 bucket."
INSUFFICIENT_POLICY = (
    "The cluster does not have read bucket or put object permissions on the S3 bucket specified when enabling logging."
)
INVALID_PREFIX = "The string specified for the logging S3 key prefix does not comply with the documented constraints."


def _principal(region: str) -> Principal:
    return Principal.service(delivery.service_principal("redshift", region, regional_in_opt_in=True))


def _cluster_arn(backend: RedshiftBackend, cluster_id: str) -> str:
    return f"arn:aws:redshift:{backend.region_name}:{backend.account_id}:cluster:{cluster_id}"


def _folder(prefix: str | None, account: str, region: str) -> str:
    prefix = prefix or ""
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    return f"{prefix}AWSLogs/{account}/redshift/{region}/"


def _prefix_valid(prefix: str | None) -> bool:
    if not prefix:
        return True
    if len(prefix) > 512:
        return False
    return not any(ord(c) <= 0x20 or c in "\"'\\" or ord(c) >= 0x7F for c in prefix)


def _checks(backend: RedshiftBackend, cluster_id: str, bucket: Any, key: str) -> list[Check]:
    principal = _principal(backend.region_name)
    context = delivery.source_context(principal.id, backend.account_id, _cluster_arn(backend, cluster_id))
    return [
        delivery.s3_check(bucket, principal, "s3:GetBucketAcl", None, context),
        delivery.s3_check(bucket, principal, "s3:PutObject", key, context),
    ]


def check_logging(backend: RedshiftBackend, cluster_id: str, bucket_name: str, prefix: str | None) -> None:
    if cluster_id not in backend.clusters:
        raise ClusterNotFoundError(cluster_id)
    bucket = delivery.find_bucket(bucket_name or "")
    if bucket is None:
        raise RedshiftClientError("BucketNotFoundFault", BUCKET_NOT_FOUND)
    if not _prefix_valid(prefix):
        raise RedshiftClientError("InvalidS3KeyPrefixFault", INVALID_PREFIX)
    folder = _folder(prefix, backend.account_id, backend.region_name)
    if first_denied(_checks(backend, cluster_id, bucket, folder)) is not None:
        raise RedshiftClientError("InsufficientS3BucketPolicyFault", INSUFFICIENT_POLICY)


def _record(log_type: str, cluster_id: str, moment: datetime.datetime) -> str:
    stamp = moment.strftime("%a, %d %b %Y %H:%M:%S:%f")[:-3]
    if log_type == "connectionlog":
        return (
            f"authenticated |{stamp} |[local] | |600 |dev |awsuser |password |0| | | |0| | | | | |"
            f"{cluster_id}.example | |\n"
        )
    return f"create |{stamp} |100 |awsuser |analyst |101 |f |f |f |f |0 | |\n"


def _failure(backend: RedshiftBackend, cluster: Any, bucket_name: str, reason: str, moment: datetime.datetime) -> None:
    cluster.logging_details["LastFailureTime"] = moment
    cluster.logging_details["LastFailureMessage"] = f"Amazon Redshift could not upload logs to bucket {bucket_name}: {reason}"


def deliver_cluster(backend: RedshiftBackend, cluster_id: str) -> dict[str, Any]:
    cluster = backend.clusters[cluster_id]
    details = cluster.logging_details
    bucket_name, prefix = details.get("BucketName") or "", details.get("S3KeyPrefix")
    account, region = backend.account_id, backend.region_name
    report: dict[str, Any] = {
        "delivery": "redshift-audit-logs",
        "account": account,
        "region": region,
        "resource": cluster_id,
        "destination": f"s3://{bucket_name}/{prefix or ''}",
    }
    moment = delivery.now()
    bucket = delivery.find_bucket(bucket_name)
    if bucket is None:
        _failure(backend, cluster, bucket_name, "the bucket cannot be found", moment)
        report.update(ok=False, error="NoSuchBucket")
        return report
    if bucket.object_lock_enabled:
        _failure(backend, cluster, bucket_name, "the bucket has S3 Object Lock turned on", moment)
        report.update(ok=False, error="InvalidRequest", detail={"reason": "Object Lock"})
        return report
    if delivery.default_encryption(bucket).algorithm in ("aws:kms", "aws:kms:dsse"):
        _failure(backend, cluster, bucket_name, "only SSE-S3 encryption is supported", moment)
        report.update(ok=False, error="KMS.AccessDenied", detail={"reason": "SSE-KMS default encryption"})
        return report
    folder = f"{_folder(prefix, account, region)}{moment:%Y/%m/%d}/"
    objects = []
    for log_type in ("connectionlog", "userlog"):
        key = f"{folder}{account}_redshift_{region}_{cluster_id}_{log_type}_{moment:%Y-%m-%dT%H:%M}.gz"
        denied = first_denied(_checks(backend, cluster_id, bucket, key))
        if denied is not None:
            _failure(backend, cluster, bucket_name, "Access Denied", moment)
            report.update(ok=False, error="AccessDenied", detail=denied.describe())
            return report
        delivery.put_object(bucket, key, delivery.gzip_text(_record(log_type, cluster_id, moment)), delivery.default_encryption(bucket))
        objects.append(key)
    details["LastSuccessfulDeliveryTime"] = moment
    report.update(ok=True, objects=objects)
    return report


def _logging_to_s3(details: dict[str, Any]) -> bool:
    return str(details.get("LoggingEnabled")).lower() == "true" and (details.get("LogDestinationType") or "s3") == "s3"


@delivery.register
def deliver_redshift_audit_logs() -> list[dict[str, Any]]:
    reports = []
    for _, _, backend in delivery.backends_of(redshift_backends):
        for cluster_id, cluster in list(backend.clusters.items()):
            if _logging_to_s3(cluster.logging_details):
                reports.append(deliver_cluster(backend, cluster_id))
    return reports


def enable_logging(
    self: RedshiftBackend,
    cluster_identifier: str,
    bucket_name: str,
    s3_key_prefix: str,
    log_destination_type: str,
    log_exports: list[str],
) -> dict[str, Any]:
    to_s3 = (log_destination_type or "s3") == "s3"
    if to_s3:
        with delivery._LOCK:
            check_logging(self, cluster_identifier, bucket_name, s3_key_prefix)
    details = _original["enable_logging"](
        self, cluster_identifier, bucket_name, s3_key_prefix, log_destination_type, log_exports
    )
    if to_s3:
        details["LastFailureMessage"] = ""
        delivery.locked(deliver_cluster)(self, cluster_identifier)
    return details


def install() -> None:
    if _original:
        return
    _original["enable_logging"] = RedshiftBackend.enable_logging
    RedshiftBackend.enable_logging = enable_logging
