"""AWS Config delivery channels: the checks PutDeliveryChannel makes, and delivery.

moto's PutDeliveryChannel checks only that a bucket name is given ("We are
going to assume that the bucket has the correct policy attached"), so a bucket
that does not exist, refuses AWS Config or has Object Lock is accepted;
DescribeDeliveryChannelStatus is not implemented (HTTP 500) and nothing is
delivered. Here, through moto's Config, S3, KMS and IAM backends:

PutDeliveryChannel (and AWS::Config::DeliveryChannel, which calls the backend)
refuses after moto's own validation, keeping the previous channel:

- ``NoSuchBucketException`` when the bucket does not exist;
- ``InsufficientDeliveryPolicyException`` when the bucket has Object Lock: the
  AWS::Config::DeliveryChannel reference says "AWS Config does not support the
  delivery channel to an Amazon S3 bucket bucket where object lock is enabled"
  (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-config-deliverychannel.html).
  No error code is documented for it; this is the closest documented one
  ("Your Amazon S3 bucket policy does not permit AWS Config to write to it",
  https://docs.aws.amazon.com/config/latest/APIReference/API_PutDeliveryChannel.html#API_PutDeliveryChannel_Errors),
  with a message naming Object Lock. Whether AWS refuses at PutDeliveryChannel
  or only fails to deliver is not documented either.
- ``InsufficientDeliveryPolicyException`` when AWS Config cannot GetBucketAcl on
  the bucket or PutObject its ``ConfigWritabilityCheckFile`` under
  ``<prefix>/AWSLogs/<account>/Config/`` with s3:x-amz-acl
  bucket-owner-full-control, or, for SSE-KMS, kms:GenerateDataKey on the key,
  with the messages AWS returns ("Insufficient delivery policy to s3 bucket:
  <bucket>, unable to get s3 bucket acl." / "..., unable to write to bucket,
  provided s3 key prefix is '<prefix or null>'.").

Who writes (https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-policy.html):
with the service-linked role, always the config.amazonaws.com service
principal; with an IAM role, the role (its identity policies, and in another
account the bucket policy too), and when that fails the service principal.
The service principal's requests carry aws:SourceAccount and aws:SourceArn =
``arn:aws:config:<region>:<account>:*`` as that page documents, and
aws:SourceOrgID in an organization, as AWS Control Tower's log bucket policy relies
on (see ``_service_context``; the Config guide says org-ID conditions do not work
for the service principal, read here as aws:PrincipalOrgID). HeadBucket (s3:ListBucket) is not required: "the log
delivery to your Amazon S3 bucket succeeds if you do not provide bucket
location permissions". The KMS key page lists kms:Decrypt and
kms:GenerateDataKey for config.amazonaws.com
(https://docs.aws.amazon.com/config/latest/developerguide/s3-kms-key-policy.html);
a PutObject exercises kms:GenerateDataKey, kms:Decrypt is checked with
IRREADY_EMULATOR_KMS_STRICT=1.

Delivery (on every ``POST /_irready/deliver``, while a recorder records) writes a
configuration history file and, with ConfigSnapshotDeliveryProperties, a
snapshot, under ``<prefix>/AWSLogs/<account>/Config/<region>/YYYY/M/D/`` with
month and day not zero-padded, as AWS's own sample event shows
(``AWSLogs/000000000000/Config/us-east-1/2016/2/24/ConfigSnapshot/...``,
https://docs.aws.amazon.com/config/latest/developerguide/evaluate-config_develop-rules_example-events.html),
and records each outcome for DescribeDeliveryChannelStatus, served here with
``lastStatus`` SUCCESS / FAILURE / NOT_APPLICABLE as the CLI shows it
(https://docs.aws.amazon.com/config/latest/developerguide/deliver-snapshot-cli.html#verify-delivery-status),
``lastErrorCode`` / ``lastErrorMessage`` (S3's ``AccessDenied`` / ``Access
Denied``), ``lastAttemptTime`` and ``lastSuccessfulTime``.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from moto.config.models import ConfigBackend, ConfigDeliveryChannel, config_backends
from moto.config.responses import ConfigResponse
from moto.core.exceptions import JsonRESTError

from .config import DeliveryChannel
from . import delivery
from .delivery import Check, Encryption
from .policy import Principal, Request

SERVICE = "config.amazonaws.com"
ACL = "bucket-owner-full-control"
_SERVICE_LINKED_ROLE = ":role/aws-service-role/config.amazonaws.com/"

_original: dict[str, Any] = {}


class InsufficientDeliveryPolicyException(JsonRESTError):
    code = 400

    def __init__(self, message: str):
        super().__init__("InsufficientDeliveryPolicyException", message)


class NoSuchBucketException(JsonRESTError):
    code = 400

    def __init__(self, bucket: str):
        super().__init__("NoSuchBucketException", f"Cannot find a S3 bucket with name: {bucket}.")


def _prefix(channel: ConfigDeliveryChannel) -> str:
    return f"{channel.s3_key_prefix.strip('/')}/" if channel.s3_key_prefix else ""


def _role(backend: ConfigBackend) -> Any:
    """The recorder's IAM role when it is not the service-linked role."""
    for recorder in backend.recorders.values():
        arn = recorder.role_arn or ""
        if arn and _SERVICE_LINKED_ROLE not in arn:
            return delivery.role_by_arn(arn)
    return None


def _service_context(backend: ConfigBackend) -> dict[str, Any]:
    # aws:SourceOrgID is sent as for the other delivering services: AWS Control Tower's
    # own log bucket policy lets config.amazonaws.com write only under an
    # aws:SourceOrgID condition ("An aws:SourceOrgID condition must be met for any write
    # permissions", https://docs.aws.amazon.com/controltower/latest/userguide/logging-s3-audit-bucket.html),
    # and Control Tower delivers Config that way. The Config guide's sentence on
    # organization-based conditions is read as being about aws:PrincipalOrgID, which a
    # service principal never carries.
    return delivery.source_context(
        SERVICE, backend.account_id, f"arn:aws:config:{backend.region_name}:{backend.account_id}:*"
    )


def _allowed(backend: ConfigBackend, bucket: Any, action: str, key: str | None, **extra: Any) -> tuple[bool, Check]:
    """Whether AWS Config may make one S3 request, as the role or as the service principal.

    The returned check is the one that decided: its request names the principal
    that makes the request.
    """
    role = _role(backend)
    if role is not None:
        principal = Principal.aws(role.arn)
        context = {"aws:PrincipalAccount": role.account_id, "aws:SecureTransport": True, **extra}
        org = delivery.organization(role.account_id)
        if org is not None:
            context["aws:PrincipalOrgID"] = org.id
        identity = delivery.IdentityCheck(
            f"identity policies of {role.arn}",
            Request(principal, action, delivery.bucket_arn(bucket.name, key), context),
            delivery.role_policies(role),
        ).run()
        resource = delivery.s3_check(bucket, principal, action, key, context).run()
        if bucket.account_id == role.account_id:
            as_role = (identity.allowed or resource.allowed) and not (identity.explicit_deny or resource.explicit_deny)
        else:
            as_role = identity.allowed and resource.allowed
        if as_role:
            return True, identity
    check = delivery.s3_check(bucket, Principal.service(SERVICE), action, key, _service_context(backend), **extra).run()
    return check.allowed, check


def _encryption(channel: ConfigDeliveryChannel, bucket: Any) -> Encryption:
    if channel.s3_kms_key_arn:
        return Encryption("aws:kms", channel.s3_kms_key_arn, delivery.default_encryption(bucket).bucket_key)
    return delivery.default_encryption(bucket)


def _write(backend: ConfigBackend, channel: ConfigDeliveryChannel, key: str, body: bytes) -> tuple[str | None, Any]:
    """One Config PutObject: (S3 error code or None, detail); written when allowed."""
    bucket = delivery.find_bucket(channel.s3_bucket_name)
    if bucket is None:
        return "NoSuchBucket", None
    allowed, check = _allowed(backend, bucket, "s3:PutObject", key, **{"s3:x-amz-acl": ACL})
    if not allowed:
        return "AccessDenied", check.describe()
    principal = check.request.principal
    context = dict(check.request.context)
    encryption = _encryption(channel, bucket)
    kms = delivery.s3_kms_use(bucket, key, encryption, principal, context, documented_extra_actions=("kms:Decrypt",))
    if kms is not None:
        if kms.error_code:
            return kms.error_code, {"reason": kms.reason}
        refused = kms.denied()
        if refused is not None:
            return "AccessDenied", refused.describe()
    delivery.put_object(bucket, key, body, encryption)
    return None, None


def check_channel(backend: ConfigBackend, channel: ConfigDeliveryChannel) -> None:
    """What PutDeliveryChannel verifies; writes the ConfigWritabilityCheckFile."""
    bucket = delivery.find_bucket(channel.s3_bucket_name)
    if bucket is None:
        raise NoSuchBucketException(channel.s3_bucket_name)
    name = channel.s3_bucket_name
    if bucket.object_lock_enabled:
        raise InsufficientDeliveryPolicyException(
            f"Insufficient delivery policy to s3 bucket: {name}, AWS Config does not support delivery to an "
            "Amazon S3 bucket where Object Lock is enabled."
        )
    if not _allowed(backend, bucket, "s3:GetBucketAcl", None)[0]:
        raise InsufficientDeliveryPolicyException(
            f"Insufficient delivery policy to s3 bucket: {name}, unable to get s3 bucket acl."
        )
    key = f"{_prefix(channel)}AWSLogs/{backend.account_id}/Config/ConfigWritabilityCheckFile"
    error, _ = _write(backend, channel, key, b"")
    if error is not None:
        message = (
            f"Insufficient delivery policy to s3 bucket: {name}, unable to write to bucket, provided s3 key "
            f"prefix is '{channel.s3_key_prefix or 'null'}'"
        )
        if error.startswith("KMS") or (error == "AccessDenied" and _encryption(channel, bucket).key_reference):
            message += f", provided kms key is '{_encryption(channel, bucket).key_reference}'"
        raise InsufficientDeliveryPolicyException(message + ".")


# --------------------------------------------------------------------------
# Delivery and DescribeDeliveryChannelStatus
# --------------------------------------------------------------------------


def _statuses(backend: ConfigBackend) -> dict[str, dict[str, Any]]:
    if not hasattr(backend, "_irready_channel_status"):
        backend._irready_channel_status = {}
    return backend._irready_channel_status


def _info(previous: dict[str, Any] | None, error: str | None, moment: float, detail_message: str) -> dict[str, Any]:
    info = dict(previous or {})
    info["lastAttemptTime"] = moment
    if error is None:
        info.update(lastStatus="SUCCESS", lastSuccessfulTime=moment)
        info.pop("lastErrorCode", None)
        info.pop("lastErrorMessage", None)
    else:
        info.update(lastStatus="FAILURE", lastErrorCode=error, lastErrorMessage=detail_message)
    return info


def _configuration_item(account: str, region: str, moment: Any) -> dict[str, Any]:
    return {
        "configurationItemVersion": "1.3",
        "configurationItemCaptureTime": moment.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "configurationStateId": delivery.epoch(moment) * 1000,
        "awsAccountId": account,
        "configurationItemStatus": "OK",
        "resourceType": "AWS::Config::ResourceCompliance",
        "resourceId": "AWS::Config::ResourceCompliance",
        "awsRegion": region,
        "tags": {},
        "relationships": [],
        "configuration": {"complianceType": "NOT_APPLICABLE", "configRuleList": []},
    }


_ERROR_MESSAGES = {"AccessDenied": "Access Denied", "NoSuchBucket": "The specified bucket does not exist"}


def deliver_channel(backend: ConfigBackend, channel: ConfigDeliveryChannel) -> dict[str, Any]:
    moment = delivery.now()
    account, region = backend.account_id, backend.region_name
    report: dict[str, Any] = {
        "delivery": "config",
        "account": account,
        "region": region,
        "resource": channel.name,
        "bucket": channel.s3_bucket_name,
        "objects": [],
        "errors": [],
    }
    base = f"{_prefix(channel)}AWSLogs/{account}/Config/{region}/{moment.year}/{moment.month}/{moment.day}"
    stamp = moment.strftime("%Y%m%dT%H%M%SZ")
    item = _configuration_item(account, region, moment)
    parts = [
        (
            "configHistoryDeliveryInfo",
            f"{base}/ConfigHistory/{account}_Config_{region}_ConfigHistory_{item['resourceType']}_{stamp}_{stamp}_1.json.gz",
            {"fileVersion": "1.0", "configurationItems": [item]},
        )
    ]
    if channel.config_snapshot_delivery_properties is not None:
        snapshot_id = str(uuid.uuid4())
        parts.append(
            (
                "configSnapshotDeliveryInfo",
                f"{base}/ConfigSnapshot/{account}_Config_{region}_ConfigSnapshot_{stamp}_{snapshot_id}.json.gz",
                {"fileVersion": "1.0", "configSnapshotId": snapshot_id, "configurationItems": [item]},
            )
        )
    status = _statuses(backend).setdefault(channel.name, {})
    for field, key, content in parts:
        error, detail = _write(backend, channel, key, delivery.gzip_text(json.dumps(content)))
        status[field] = _info(status.get(field), error, moment.timestamp(), _ERROR_MESSAGES.get(error or "", error or ""))
        if error is None:
            report["objects"].append(key)
        else:
            report["errors"].append({"object": key, "error": error, "detail": detail})
    report["ok"] = not report["errors"]
    if report["errors"]:
        report["error"] = report["errors"][0]["error"]
    return report


@delivery.register
def deliver_config() -> list[dict[str, Any]]:
    reports = []
    for _, _, backend in delivery.backends_of(config_backends):
        if not any(recorder.status.recording for recorder in backend.recorders.values()):
            continue
        for channel in list(backend.delivery_channels.values()):
            reports.append(deliver_channel(backend, channel))
    return reports


def describe_delivery_channel_status(self: ConfigBackend, names: list[str] | None) -> list[dict[str, Any]]:
    from moto.config.exceptions import NoSuchDeliveryChannelException

    for name in names or []:
        if name not in self.delivery_channels:
            raise NoSuchDeliveryChannelException(name)
    statuses = []
    for name, channel in self.delivery_channels.items():
        if names and name not in names:
            continue
        recorded = _statuses(self).get(name, {})
        stream = {"lastStatus": "NOT_APPLICABLE" if not channel.sns_topic_arn else "SUCCESS"}
        stream["lastStatusChangeTime"] = recorded.get("createdAt", delivery.now().timestamp())
        statuses.append(
            {
                "name": name,
                "configSnapshotDeliveryInfo": recorded.get("configSnapshotDeliveryInfo", {}),
                "configHistoryDeliveryInfo": recorded.get("configHistoryDeliveryInfo", {}),
                "configStreamDeliveryInfo": stream,
            }
        )
    return statuses


def response_describe_delivery_channel_status(self: ConfigResponse) -> str:
    statuses = self.config_backend.describe_delivery_channel_status(self._get_param("DeliveryChannelNames"))
    return json.dumps({"DeliveryChannelsStatus": statuses})


# --------------------------------------------------------------------------
# Patches
# --------------------------------------------------------------------------


def put_delivery_channel(self: ConfigBackend, delivery_channel: dict[str, Any]) -> None:
    name = delivery_channel.get("name")
    previous = self.delivery_channels.get(name) if name else None
    _original["put_delivery_channel"](self, delivery_channel)
    channel = self.delivery_channels[name]
    try:
        delivery.locked(check_channel)(self, channel)
    except Exception:
        if previous is not None:
            self.delivery_channels[name] = previous
        else:
            del self.delivery_channels[name]
        raise
    _statuses(self).setdefault(name, {}).setdefault("createdAt", delivery.now().timestamp())


def delete_delivery_channel(self: ConfigBackend, channel_name: str) -> None:
    _original["delete_delivery_channel"](self, channel_name)
    _statuses(self).pop(channel_name, None)


def install() -> None:
    if _original:
        return
    _original["put_delivery_channel"] = ConfigBackend.put_delivery_channel
    _original["delete_delivery_channel"] = ConfigBackend.delete_delivery_channel
    ConfigBackend.put_delivery_channel = put_delivery_channel
    ConfigBackend.delete_delivery_channel = delete_delivery_channel
    ConfigBackend.describe_delivery_channel_status = describe_delivery_channel_status
    ConfigResponse.describe_delivery_channel_status = response_describe_delivery_channel_status
    # Through a stack, a refusal fails the resource (see delivery.as_stack_failure).
    DeliveryChannel.create = classmethod(delivery.as_stack_failure("Config", DeliveryChannel.create.__func__))
    DeliveryChannel.apply = delivery.as_stack_failure("Config", DeliveryChannel.apply)
