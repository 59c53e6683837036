"""CloudTrail: the checks CreateTrail / UpdateTrail make, and log delivery.

moto's CreateTrail and UpdateTrail check only that the bucket exists (in the
caller's account) and that an SNS topic exists: any bucket policy, key policy,
CloudWatch Logs role and organization state is accepted, GetTrailStatus reports
a successful delivery on every call and nothing is ever written. Here, through
moto's CloudTrail, S3, KMS, IAM, Logs and Organizations backends:

CreateTrail / UpdateTrail (and so AWS::CloudTrail::Trail, which calls the
backend) refuse, after moto's own validation and before anything is kept,
with the errors of the CreateTrail API reference
(https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateTrail.html#API_CreateTrail_Errors):

- ``OrganizationsNotInUseException`` / ``NotOrganizationMasterAccountException``
  for an organization trail outside an organization's management account;
- ``CloudTrailAccessNotEnabledException`` for an organization trail when the
  organization has not enabled trusted access for cloudtrail.amazonaws.com
  (EnableAWSServiceAccess; https://docs.aws.amazon.com/awscloudtrail/latest/userguide/creating-an-organizational-trail-prepare.html);
- ``InsufficientS3BucketPolicyException`` when the bucket policy does not let
  cloudtrail.amazonaws.com GetBucketAcl on the bucket and PutObject under
  ``<prefix>/AWSLogs/<account>/`` (and ``AWSLogs/<org-id>/`` for an
  organization trail), with aws:SourceArn = the trail ARN, aws:SourceAccount =
  the trail's account and s3:x-amz-acl = bucket-owner-full-control
  (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html);
  message "Incorrect S3 bucket policy is detected for bucket: <bucket>", as AWS
  returns it;
- ``KmsKeyNotFoundException`` for a KMSKeyId that does not resolve, or a key in
  another Region than the bucket;
- ``InsufficientEncryptionPolicyException`` when the key policy does not allow
  cloudtrail.amazonaws.com kms:GenerateDataKey with the encryption context
  aws:cloudtrail:arn = the trail ARN, and kms:DescribeKey (no encryption
  context), and kms:Decrypt when the bucket uses an S3 Bucket Key
  (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html);
  message "Insufficient permissions to access S3 bucket <bucket> or KMS key <arn>.";
- ``InvalidCloudWatchLogsRoleArnException`` when the role is missing or its
  trust policy does not let cloudtrail.amazonaws.com sts:AssumeRole, and
  ``InvalidCloudWatchLogsLogGroupArnException`` when the log group is missing
  or the role's inline and attached managed policies do not allow
  logs:CreateLogStream and logs:PutLogEvents on the trail's log stream
  ``<account>_CloudTrail_<region>``
  (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-required-policy-for-cloudwatch-logs.html).

Delivery (on StartLogging, on a create/update of a logging trail, and on every
``POST /_irready/deliver``) writes one log file per account and Region, under
AWS's key layout
(https://docs.aws.amazon.com/awscloudtrail/latest/userguide/get-and-view-cloudtrail-log-files.html):
``<prefix>/AWSLogs/[<org-id>/]<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_YYYYMMDDTHHmmZ_<16 alnum>.json.gz``,
encrypted with the trail's KMS key (SSE-KMS, encryption context with both
aws:cloudtrail:arn and aws:s3:arn) or the bucket's default; with log file
validation, a digest per account and Region under ``CloudTrail-Digest/``, always
SSE-S3 ("digest files are encrypted with Amazon S3-managed keys",
https://docs.aws.amazon.com/awscloudtrail/latest/userguide/encrypting-cloudtrail-log-files-with-aws-kms.html),
named as the digest file structure page says
(https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-digest-file-structure.html);
with CloudWatch Logs, one event in the stream ``<account>_CloudTrail_<region>``
(``<org-id>_<account>_CloudTrail_<region>`` for member accounts of an
organization trail) of the trail's log group. An organization trail writes for
every active account of the organization; a multi-region trail for the Regions
``delivery.active_regions`` picks. A refused write is recorded, as GetTrailStatus
reports it (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetTrailStatus.html):
``LatestDeliveryError`` / ``LatestDigestDeliveryError`` = the S3 error
(``AccessDenied``, ``NoSuchBucket``, ``KMS.DisabledException``, ...) and
``LatestCloudWatchLogsDeliveryError``, each cleared by the next successful
delivery; GetTrailStatus no longer claims a delivery on every call.
"""

from __future__ import annotations

import copy
import datetime
import json
import uuid
from typing import Any

from moto.cloudtrail.models import CloudTrailBackend, Trail, TrailStatus, cloudtrail_backends
from moto.core.exceptions import JsonRESTError
from moto.core.utils import iso_8601_datetime_without_milliseconds
from moto.logs.models import logs_backends

from .cloudtrail import CloudTrailTrail
from . import delivery
from .delivery import Check, Encryption, first_denied
from .policy import Principal, Request

SERVICE = "cloudtrail.amazonaws.com"
ACL = "bucket-owner-full-control"


class _CloudTrailError(JsonRESTError):
    code = 400

    def __init__(self, message: str):
        super().__init__(type(self).__name__, message)


class InsufficientS3BucketPolicyException(_CloudTrailError):
    pass


class InsufficientEncryptionPolicyException(_CloudTrailError):
    pass


class KmsKeyNotFoundException(_CloudTrailError):
    pass


class CloudTrailAccessNotEnabledException(_CloudTrailError):
    pass


class OrganizationsNotInUseException(_CloudTrailError):
    pass


class NotOrganizationMasterAccountException(_CloudTrailError):
    pass


class InvalidCloudWatchLogsRoleArnException(_CloudTrailError):
    pass


class InvalidCloudWatchLogsLogGroupArnException(_CloudTrailError):
    pass


class InvalidParameterCombinationException(_CloudTrailError):
    pass


def _prefix(trail: Trail) -> str:
    return f"{trail.s3_key_prefix.strip('/')}/" if trail.s3_key_prefix else ""


def _context(trail: Trail, **extra: Any) -> dict[str, Any]:
    return {**delivery.source_context(SERVICE, trail.account_id, trail.arn), **extra}


def _trail_key(trail: Trail) -> Any:
    return delivery.resolve_key(trail.kms_key_id, trail.account_id, trail.region_name)


# --------------------------------------------------------------------------
# CreateTrail / UpdateTrail checks
# --------------------------------------------------------------------------


def _check_organization(trail: Trail) -> delivery.Organization | None:
    if not trail.is_org_trail:
        return None
    org = delivery.organization(trail.account_id)
    if org is None:
        raise OrganizationsNotInUseException(
            "This account is not part of an organization in AWS Organizations. An organization trail can only be "
            "created in the management account of an organization."
        )
    if org.management_account != trail.account_id:
        raise NotOrganizationMasterAccountException(
            "This account is not the management account of the organization. Only the management account (or a "
            "delegated administrator) can create or update an organization trail."
        )
    if SERVICE not in org.enabled_services:
        # CreateTrail error list: "This exception is thrown when trusted access has
        # not been enabled between AWS CloudTrail and AWS Organizations."
        raise CloudTrailAccessNotEnabledException(
            "Trusted access has not been enabled between AWS CloudTrail and AWS Organizations. Enable it "
            "(EnableAWSServiceAccess for cloudtrail.amazonaws.com) before creating an organization trail."
        )
    return org


def _check_bucket(trail: Trail, org: delivery.Organization | None) -> None:
    bucket = delivery.find_bucket(trail.bucket_name)
    if bucket is None:
        # moto's own check looks in the caller's account only; the bucket may be in another.
        from moto.cloudtrail.exceptions import S3BucketDoesNotExistException

        raise S3BucketDoesNotExistException(f"S3 bucket {trail.bucket_name} does not exist!")
    principal = Principal.service(SERVICE)
    context = _context(trail)
    prefix = _prefix(trail)
    # create-s3-bucket-policy-for-cloudtrail.html: AWSCloudTrailAclCheck (GetBucketAcl
    # on the bucket) and AWSCloudTrailWrite (PutObject on <prefix>/AWSLogs/<account>/*,
    # and AWSLogs/<org-id>/* for an organization trail) with the ACL condition.
    checks = [delivery.s3_check(bucket, principal, "s3:GetBucketAcl", None, context)]
    folders = [f"{prefix}AWSLogs/{trail.account_id}/"]
    if org is not None:
        folders.append(f"{prefix}AWSLogs/{org.id}/")
    checks.extend(
        delivery.s3_check(bucket, principal, "s3:PutObject", folder, context, **{"s3:x-amz-acl": ACL})
        for folder in folders
    )
    if first_denied(checks) is not None:
        raise InsufficientS3BucketPolicyException(
            f"Incorrect S3 bucket policy is detected for bucket: {trail.bucket_name}"
        )


def _check_key(trail: Trail) -> None:
    if not trail.kms_key_id:
        return
    bucket = delivery.find_bucket(trail.bucket_name)
    key = _trail_key(trail)
    if key is None or (bucket is not None and key.region != bucket.region_name):
        # CreateTrail errors: "the KMS key does not exist, ... or the S3 bucket and
        # the KMS key are not in the same Region".
        raise KmsKeyNotFoundException(f"KMS key {trail.kms_key_id} does not exist or is not in the bucket's Region.")
    assert bucket is not None
    principal = Principal.service(SERVICE)
    context = _context(trail)
    encryption_context = {
        "aws:cloudtrail:arn": trail.arn,
        "aws:s3:arn": delivery.bucket_arn(bucket.name, f"{_prefix(trail)}AWSLogs/{trail.account_id}/"),
    }
    # create-kms-key-policy-for-cloudtrail.html: "Granting encrypt permissions"
    # (kms:GenerateDataKey* with kms:EncryptionContext:aws:cloudtrail:arn),
    # "Enable CloudTrail to describe KMS key properties" (kms:DescribeKey), and
    # kms:Decrypt "to create or update a trail with SSE-KMS encryption enabled"
    # when the bucket uses an S3 Bucket Key.
    actions = ["kms:GenerateDataKey", "kms:DescribeKey"]
    if delivery.default_encryption(bucket).bucket_key:
        actions.append("kms:Decrypt")
    if first_denied(delivery.kms_checks(key, principal, actions, context, encryption_context)) is not None:
        raise InsufficientEncryptionPolicyException(
            f"Insufficient permissions to access S3 bucket {trail.bucket_name} or KMS key {key.arn}."
        )


def _log_group(arn: str | None) -> tuple[str, str, str] | None:
    """(account, region, name) of ``arn:aws:logs:REGION:ACCOUNT:log-group:NAME[:*]``."""
    parts = (arn or "").split(":")
    if len(parts) < 7 or parts[0] != "arn" or parts[2] != "logs" or parts[5] != "log-group":
        return None
    return parts[4], parts[3], parts[6]


def _stream_name(trail: Trail, account: str, region: str, org: delivery.Organization | None) -> str:
    # cloudtrail-required-policy-for-cloudwatch-logs.html: streams
    # <account>_CloudTrail_<region>*, and o-<org>_* for an organization's accounts.
    if org is not None and account != trail.account_id:
        return f"{org.id}_{account}_CloudTrail_{region}"
    return f"{account}_CloudTrail_{region}"


def _cwl_checks(trail: Trail, role: Any, group: tuple[str, str, str], stream: str) -> list[Check]:
    """CreateLogStream and PutLogEvents on the stream, as the role CloudTrail assumes."""
    account, region, name = group
    stream_arn = f"arn:aws:logs:{region}:{account}:log-group:{name}:log-stream:{stream}"
    principal = Principal.aws(role.arn)
    context = {"aws:PrincipalAccount": role.account_id, "aws:SecureTransport": True}
    documents = delivery.role_policies(role)
    return [
        delivery.IdentityCheck(f"identity policies of {role.arn}", Request(principal, action, stream_arn, context), documents)
        for action in ("logs:CreateLogStream", "logs:PutLogEvents")
    ]


def _trust_check(trail: Trail, role: Any) -> Check:
    return Check(
        f"trust policy of {role.arn}",
        Request(Principal.service(SERVICE), "sts:AssumeRole", role.arn, _context(trail)),
        role.assume_role_policy_document,
    )


def _check_cloudwatch_logs(trail: Trail, org: delivery.Organization | None) -> None:
    if not trail.cw_log_group_arn and not trail.cw_role_arn:
        return
    if not trail.cw_log_group_arn or not trail.cw_role_arn:
        raise InvalidParameterCombinationException(
            "You must specify both a CloudWatch Logs log group ARN and a role ARN."
        )
    role = delivery.role_by_arn(trail.cw_role_arn)
    if role is None or not _trust_check(trail, role).run().allowed:
        raise InvalidCloudWatchLogsRoleArnException("Access denied. Check the trust relationships for your role.")
    group = _log_group(trail.cw_log_group_arn)
    if (
        group is None
        or group[1] != trail.region_name
        or group[2] not in logs_backends[group[0]][group[1]].groups
    ):
        raise InvalidCloudWatchLogsLogGroupArnException(
            f"Log group {trail.cw_log_group_arn} does not exist in the trail's Region {trail.region_name}."
        )
    stream = _stream_name(trail, trail.account_id, trail.region_name, org)
    if first_denied(_cwl_checks(trail, role, group, stream)) is not None:
        raise InvalidCloudWatchLogsLogGroupArnException(
            "Access denied. Verify in IAM that the role has adequate permissions."
        )


def check_trail(trail: Trail) -> None:
    """Everything CreateTrail / UpdateTrail verify before they accept a trail."""
    org = _check_organization(trail)
    _check_bucket(trail, org)
    _check_key(trail)
    _check_cloudwatch_logs(trail, org)


# --------------------------------------------------------------------------
# Delivery
# --------------------------------------------------------------------------


def _record(trail: Trail, account: str, region: str, moment: datetime.datetime) -> str:
    """One management event in the CloudTrail record format."""
    event = {
        "eventVersion": "1.09",
        "userIdentity": {"type": "AWSService", "invokedBy": "cloudtrail.amazonaws.com"},
        "eventTime": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": "cloudtrail.amazonaws.com",
        "eventName": "StartLogging",
        "awsRegion": region,
        "sourceIPAddress": "cloudtrail.amazonaws.com",
        "userAgent": "cloudtrail.amazonaws.com",
        "requestParameters": {"name": trail.arn},
        "responseElements": None,
        "requestID": str(uuid.uuid4()),
        "eventID": str(uuid.uuid4()),
        "readOnly": False,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": account,
        "eventCategory": "Management",
    }
    return json.dumps({"Records": [event]})


def _digest(trail: Trail, account: str, region: str, bucket: str, key: str, moment: datetime.datetime) -> str:
    return json.dumps(
        {
            "awsAccountId": account,
            "digestStartTime": (moment - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "digestEndTime": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "digestS3Bucket": bucket,
            "digestS3Object": key,
            "digestPublicKeyFingerprint": delivery.unique(32, "0123456789abcdef"),
            "digestSignatureAlgorithm": "SHA256withRSA",
            "newestEventTime": None,
            "oldestEventTime": None,
            "previousDigestS3Bucket": None,
            "previousDigestS3Object": None,
            "previousDigestHashValue": None,
            "previousDigestHashAlgorithm": None,
            "previousDigestSignature": None,
            "logFiles": [],
        }
    )


def _write(
    trail: Trail, key: str, body: str, encryption: Encryption, extra_context: dict[str, str]
) -> tuple[str | None, dict[str, Any] | None]:
    """(S3 error code or None, denial detail) of one CloudTrail PutObject, written when allowed."""
    bucket = delivery.find_bucket(trail.bucket_name)
    if bucket is None:
        return "NoSuchBucket", None
    principal = Principal.service(SERVICE)
    context = _context(trail)
    denied = first_denied(
        [delivery.s3_check(bucket, principal, "s3:PutObject", key, context, **{"s3:x-amz-acl": ACL})]
    )
    if denied is not None:
        return "AccessDenied", denied.describe()
    kms = delivery.s3_kms_use(bucket, key, encryption, principal, context, extra_context)
    if kms is not None:
        if kms.error_code:
            return kms.error_code, {"reason": kms.reason}
        refused = kms.denied()
        if refused is not None:
            return "AccessDenied", refused.describe()
    delivery.put_object(bucket, key, delivery.gzip_text(body), encryption)
    return None, None


def _state(trail: Trail) -> dict[str, Any]:
    status = trail.status
    if not hasattr(status, "_irready"):
        status._irready = {}
    return status._irready


def _record_outcome(trail: Trail, kind: str, error: str | None, moment: datetime.datetime) -> None:
    """Latest<kind>Time on success, Latest<kind>Error until the next success."""
    state = _state(trail)
    if error is None:
        state[f"Latest{kind}Time"] = delivery.epoch(moment)
        state.pop(f"Latest{kind}Error", None)
    else:
        state[f"Latest{kind}Error"] = error
    if kind == "Delivery":
        stamp = iso_8601_datetime_without_milliseconds(moment)
        state["LatestDeliveryAttemptTime"] = stamp
        state["LatestDeliveryAttemptSucceeded"] = stamp if error is None else state.get(
            "LatestDeliveryAttemptSucceeded", ""
        )


def deliver_trail(trail: Trail) -> dict[str, Any]:
    """Deliver one trail's logs, digests and CloudWatch Logs events once."""
    moment = delivery.now()
    report: dict[str, Any] = {
        "delivery": "cloudtrail",
        "account": trail.account_id,
        "region": trail.region_name,
        "resource": trail.arn,
        "bucket": trail.bucket_name,
        "objects": [],
        "errors": [],
    }
    org = delivery.organization(trail.account_id) if trail.is_org_trail else None
    accounts = list(org.accounts) if org is not None else [trail.account_id]
    bucket = delivery.find_bucket(trail.bucket_name)
    if trail.kms_key_id:
        encryption = Encryption("aws:kms", trail.kms_key_id, bucket is not None and delivery.default_encryption(bucket).bucket_key)
    else:
        encryption = delivery.default_encryption(bucket) if bucket is not None else Encryption(None)
    prefix = _prefix(trail)
    stamp = moment.strftime("%Y%m%dT%H%MZ")
    day = moment.strftime("%Y/%m/%d")
    log_error = digest_error = None
    for account in accounts:
        regions = delivery.active_regions(account, trail.region_name) if trail.is_multi_region else [trail.region_name]
        base = f"{prefix}AWSLogs/{org.id + '/' if org is not None else ''}{account}"
        for region in regions:
            key = (
                f"{base}/CloudTrail/{region}/{day}/"
                f"{account}_CloudTrail_{region}_{stamp}_{delivery.unique()}.json.gz"
            )
            error, detail = _write(
                trail, key, _record(trail, account, region, moment), encryption, {"aws:cloudtrail:arn": trail.arn}
            )
            if error is None:
                report["objects"].append(key)
            else:
                log_error = log_error or error
                report["errors"].append({"object": key, "error": error, "detail": detail})
            if trail.log_validation:
                digest_key = (
                    f"{base}/CloudTrail-Digest/{region}/{day}/{account}_CloudTrail-Digest_{region}_"
                    f"{trail.trail_name}_{trail.region_name}_{moment.strftime('%Y%m%dT%H%M%SZ')}.json.gz"
                )
                body = _digest(trail, account, region, trail.bucket_name, digest_key, moment)
                error, detail = _write(trail, digest_key, body, Encryption("AES256"), {})
                if error is None:
                    report["objects"].append(digest_key)
                else:
                    digest_error = digest_error or error
                    report["errors"].append({"object": digest_key, "error": error, "detail": detail})
    _record_outcome(trail, "Delivery", log_error, moment)
    if trail.log_validation:
        _record_outcome(trail, "DigestDelivery", digest_error, moment)
    if trail.cw_log_group_arn and trail.cw_role_arn:
        cwl_error = _deliver_cloudwatch_logs(trail, org, accounts, moment, report)
        _record_outcome(trail, "CloudWatchLogsDelivery", cwl_error, moment)
    report["ok"] = not report["errors"]
    if report["errors"]:
        report["error"] = report["errors"][0]["error"]
    return report


def _deliver_cloudwatch_logs(
    trail: Trail, org: delivery.Organization | None, accounts: list[str], moment: datetime.datetime, report: dict
) -> str | None:
    role = delivery.role_by_arn(trail.cw_role_arn)
    group = _log_group(trail.cw_log_group_arn)
    if role is None or not _trust_check(trail, role).run().allowed:
        report["errors"].append({"log_group": trail.cw_log_group_arn, "error": "AccessDenied", "detail": "role"})
        return "AccessDenied"
    if group is None or group[2] not in logs_backends[group[0]][group[1]].groups:
        report["errors"].append({"log_group": trail.cw_log_group_arn, "error": "ResourceNotFoundException"})
        return "ResourceNotFoundException"
    backend = logs_backends[group[0]][group[1]]
    log_group = backend.groups[group[2]]
    first_error = None
    for account in accounts:
        regions = delivery.active_regions(account, trail.region_name) if trail.is_multi_region else [trail.region_name]
        for region in regions:
            stream = _stream_name(trail, account, region, org)
            denied = first_denied(_cwl_checks(trail, role, group, stream))
            if denied is not None:
                first_error = first_error or "AccessDeniedException"
                report["errors"].append(
                    {"log_stream": stream, "error": "AccessDeniedException", "detail": denied.describe()}
                )
                continue
            if stream not in log_group.streams:
                backend.create_log_stream(group[2], stream)
            backend.put_log_events(
                group[2],
                stream,
                [{"timestamp": int(moment.timestamp() * 1000), "message": _record(trail, account, region, moment)}],
            )
            report["objects"].append(f"{trail.cw_log_group_arn} {stream}")
    return first_error


@delivery.register
def deliver_cloudtrail() -> list[dict[str, Any]]:
    reports = []
    for _, _, backend in delivery.backends_of(cloudtrail_backends):
        for trail in list(backend.trails.values()):
            if trail.status.is_logging:
                reports.append(deliver_trail(trail))
    return reports


# --------------------------------------------------------------------------
# Patches
# --------------------------------------------------------------------------

_original: dict[str, Any] = {}

# Trail attributes UpdateTrail may change, restored when the update is refused.
_UPDATABLE = (
    "bucket_name",
    "s3_key_prefix",
    "sns_topic_name",
    "include_global_service_events",
    "is_multi_region",
    "log_validation",
    "is_org_trail",
    "cw_log_group_arn",
    "cw_role_arn",
    "kms_key_id",
)


def create_trail(self: CloudTrailBackend, name: str, *args: Any, **kwargs: Any) -> Trail:
    trail = _original["create_trail"](self, name, *args, **kwargs)
    try:
        check_trail(trail)
    except Exception:
        self.trails.pop(name, None)
        self.tagging_service.delete_all_tags_for_resource(trail.arn)
        raise
    return trail


def update_trail(self: CloudTrailBackend, name: str, *args: Any, **kwargs: Any) -> Trail:
    before = copy.copy(self.get_trail(name))
    trail = _original["update_trail"](self, name, *args, **kwargs)
    try:
        check_trail(trail)
    except Exception:
        for attribute in _UPDATABLE:
            setattr(trail, attribute, getattr(before, attribute))
        raise
    if trail.status.is_logging:
        delivery.locked(deliver_trail)(trail)
    return trail


def start_logging(self: CloudTrailBackend, name: str) -> None:
    _original["start_logging"](self, name)
    delivery.locked(deliver_trail)(self.get_trail(name))


def status_description(self: TrailStatus) -> dict[str, Any]:
    """GetTrailStatus from the recorded deliveries instead of "delivered just now"."""
    description: dict[str, Any] = {"IsLogging": self.is_logging}
    if self.started:
        description["StartLoggingTime"] = delivery.epoch(self.started.replace(tzinfo=datetime.timezone.utc))
        description["TimeLoggingStarted"] = iso_8601_datetime_without_milliseconds(self.started)
    if self.stopped:
        description["StopLoggingTime"] = delivery.epoch(self.stopped.replace(tzinfo=datetime.timezone.utc))
        description["TimeLoggingStopped"] = iso_8601_datetime_without_milliseconds(self.stopped)
    description.update(getattr(self, "_irready", {}))
    return description


def install() -> None:
    if _original:
        return
    _original["create_trail"] = CloudTrailBackend.create_trail
    _original["update_trail"] = CloudTrailBackend.update_trail
    _original["start_logging"] = CloudTrailBackend.start_logging
    CloudTrailBackend.create_trail = create_trail
    CloudTrailBackend.update_trail = update_trail
    CloudTrailBackend.start_logging = start_logging
    TrailStatus.description = status_description
    # Through a stack, a refusal fails the resource (see delivery.as_stack_failure).
    CloudTrailTrail.create = classmethod(delivery.as_stack_failure("CloudTrail", CloudTrailTrail.create.__func__))
    CloudTrailTrail.apply = delivery.as_stack_failure("CloudTrail", CloudTrailTrail.apply)
