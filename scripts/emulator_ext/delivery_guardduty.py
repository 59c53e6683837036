"""GuardDuty findings export to S3: the checks CreatePublishingDestination makes, and delivery.

The publishing destinations that guardduty.py adds to moto accept any
destination: a bucket GuardDuty may not write to, a key it may not use, a
folder that does not exist. Here, through moto's GuardDuty, S3 and KMS
backends, CreatePublishingDestination and UpdatePublishingDestination (and
AWS::GuardDuty::PublishingDestination, which calls the backend) refuse with
``BadRequestException``, as the GuardDuty user guide's "Exporting generated
GuardDuty findings to Amazon S3 buckets" describes the permissions
(https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_exportfindings.html):

- the bucket must exist, and the KMS key must exist, be enabled and be in the
  bucket's Region ("Your Amazon S3 bucket or object, and AWS KMS key must
  belong to the same AWS Region");
- a DestinationArn with a folder (``arn:aws:s3:::bucket/some/prefix``) needs the
  folder to exist: GuardDuty looks for the folder object ``some/prefix/`` (with
  the caller's credentials: s3:GetObject / s3:ListBucket, granted by the bucket
  policy when the bucket is in another account), and refuses when it is
  missing, even if objects exist under it. This is what AWS does, not what it
  documents: terraform-provider-aws issues #16750 and #19684
  (https://github.com/hashicorp/terraform-provider-aws/issues/16750,
  https://github.com/hashicorp/terraform-provider-aws/issues/19684) and
  aws-cli issue #10483 ("resource folder does not exist" when the folder
  marker object has expired);
- the bucket policy must let the GuardDuty service principal
  s3:GetBucketLocation on the bucket and s3:PutObject under ``<folder>/*``, with
  aws:SourceAccount = the detector's account and aws:SourceArn = the detector
  ARN, and s3:x-amz-server-side-encryption aws:kms with
  s3:x-amz-server-side-encryption-aws-kms-key-id = the key ARN in the request
  (the guide's optional Deny statements test those);
- the key policy must let it kms:GenerateDataKey (the guide's "Allow
  GuardDuty to use the key"), with the encryption context aws:s3:arn S3 sends.

In an opt-in Region the principal is ``guardduty.<region>.amazonaws.com``
(the guide: "If you're using GuardDuty in an manually-enabled Region, replace
the value for the Service with the service endpoint for the Region").

The messages are not documented; they are worded in GuardDuty's style ("The
request failed because ...") and name what is missing.

Delivery (at creation and on every ``POST /_irready/deliver``) writes one
finding, JSON Lines, to ``<folder>/AWSLogs/<account>/GuardDuty/<region>/YYYY/MM/DD/<uuid>.jsonl.gz``,
SSE-KMS with the destination's key. A refused write sets the destination's
status to ``UNABLE_TO_PUBLISH_FIX_DESTINATION_PROPERTY`` and
``publishingFailureStartTimestamp`` to the first failure's time in epoch
milliseconds (DescribePublishingDestination,
https://docs.aws.amazon.com/guardduty/latest/APIReference/API_DescribePublishingDestination.html);
a successful one sets ``PUBLISHING`` and 0 again.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from moto.guardduty.models import GuardDutyBackend, guardduty_backends

from .guardduty import GuardDutyPublishingDestination
from . import delivery
from .delivery import Encryption, first_denied
from .guardduty import BadRequestException, _destinations
from .policy import Principal

_original: dict[str, Any] = {}

FAILED = "UNABLE_TO_PUBLISH_FIX_DESTINATION_PROPERTY"


def _destination(properties: dict[str, Any]) -> tuple[str, str]:
    """(bucket, folder with a trailing slash or "") of the destination ARN."""
    arn = properties.get("destinationArn") or ""
    path = arn.split(":", 5)[5] if arn.startswith("arn:") and arn.count(":") >= 5 else ""
    bucket, _, folder = path.partition("/")
    folder = folder.strip("/")
    return bucket, f"{folder}/" if folder else ""


def _principal(region: str) -> Principal:
    return Principal.service(delivery.service_principal("guardduty", region, regional_in_opt_in=True))


def _detector_arn(backend: GuardDutyBackend, detector_id: str) -> str:
    return f"arn:aws:guardduty:{backend.region_name}:{backend.account_id}:detector/{detector_id}"


def _context(backend: GuardDutyBackend, detector_id: str, principal: Principal) -> dict[str, Any]:
    return delivery.source_context(principal.id, backend.account_id, _detector_arn(backend, detector_id))


def _caller_checks(backend: GuardDutyBackend, bucket: Any, marker: str) -> list[delivery.Check]:
    """The caller's own reads of the folder marker, when the bucket is another account's.

    moto does not enforce the caller's identity policies; only the bucket
    policy's grant to the caller's account is evaluated.
    """
    if bucket.account_id == backend.account_id:
        return []
    principal = Principal.aws(f"arn:aws:iam::{backend.account_id}:root")
    context: dict[str, Any] = {
        "aws:PrincipalAccount": backend.account_id,
        "aws:PrincipalIsAWSService": False,
        "aws:SecureTransport": True,
    }
    org = delivery.organization(backend.account_id)
    if org is not None:
        context["aws:PrincipalOrgID"] = org.id
    return [
        delivery.s3_check(bucket, principal, "s3:ListBucket", None, context, **{"s3:prefix": marker}),
        delivery.s3_check(bucket, principal, "s3:GetObject", marker, context),
    ]


def check_destination(backend: GuardDutyBackend, detector_id: str, properties: dict[str, Any]) -> None:
    bucket_name, folder = _destination(properties)
    bucket = delivery.find_bucket(bucket_name) if bucket_name else None
    if bucket is None:
        raise BadRequestException(
            f"The request failed because the S3 bucket {bucket_name or properties.get('destinationArn')} does not exist."
        )
    key_arn = properties.get("kmsKeyArn")
    key = delivery.resolve_key(key_arn, backend.account_id, backend.region_name)
    if key is None or delivery.key_state_error(key) is not None:
        raise BadRequestException(f"The request failed because the KMS key {key_arn} does not exist or is not enabled.")
    if key.region != bucket.region_name:
        raise BadRequestException(
            f"The request failed because the KMS key {key.arn} and the S3 bucket {bucket_name} are not in the same Region."
        )
    if folder:
        if first_denied(_caller_checks(backend, bucket, folder)) is not None:
            raise BadRequestException(
                "The request failed because you do not have the required permissions for the s3:GetObject or "
                "s3:ListBucket actions."
            )
        if not delivery.object_exists(bucket, folder):
            raise BadRequestException(
                f"The request failed because the resource folder does not exist: {bucket_name}/{folder}"
            )
    principal = _principal(backend.region_name)
    context = _context(backend, detector_id, principal)
    sse = {"s3:x-amz-server-side-encryption": "aws:kms", "s3:x-amz-server-side-encryption-aws-kms-key-id": key.arn}
    bucket_checks = [
        delivery.s3_check(bucket, principal, "s3:GetBucketLocation", None, context),
        delivery.s3_check(bucket, principal, "s3:PutObject", f"{folder}AWSLogs/{backend.account_id}/", context, **sse),
    ]
    if first_denied(bucket_checks) is not None:
        raise BadRequestException(
            f"The request failed because the S3 bucket policy of {bucket_name} does not allow {principal.id} "
            f"s3:GetBucketLocation on the bucket and s3:PutObject on {folder or ''}*."
        )
    kms = delivery.s3_kms_use(
        bucket, f"{folder}AWSLogs/{backend.account_id}/", Encryption("aws:kms", key.arn, delivery.default_encryption(bucket).bucket_key), principal, context
    )
    if kms is not None and (kms.error_code or kms.denied() is not None):
        raise BadRequestException(
            f"The request failed because the KMS key policy of {key.arn} does not allow {principal.id} "
            "kms:GenerateDataKey."
        )


def _finding(backend: GuardDutyBackend, detector_id: str, moment: datetime.datetime) -> dict[str, Any]:
    finding_id = uuid.uuid4().hex
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return {
        "schemaVersion": "2.0",
        "accountId": backend.account_id,
        "region": backend.region_name,
        "partition": "aws",
        "id": finding_id,
        "arn": f"{_detector_arn(backend, detector_id)}/finding/{finding_id}",
        "type": "Recon:EC2/PortProbeUnprotectedPort",
        "resource": {"resourceType": "Instance", "instanceDetails": {"instanceId": "i-0123456789abcdef0"}},
        "service": {
            "serviceName": "guardduty",
            "detectorId": detector_id,
            "action": {"actionType": "PORT_PROBE"},
            "archived": False,
            "count": 1,
            "eventFirstSeen": stamp,
            "eventLastSeen": stamp,
        },
        "severity": 2,
        "createdAt": stamp,
        "updatedAt": stamp,
        "title": "Unprotected port on EC2 instance i-0123456789abcdef0 is being probed.",
        "description": "EC2 instance has an unprotected port which is being probed by a known malicious host.",
    }


def deliver_destination(backend: GuardDutyBackend, detector_id: str, destination: dict[str, Any]) -> dict[str, Any]:
    moment = delivery.now()
    properties = destination["destinationProperties"]
    bucket_name, folder = _destination(properties)
    key = (
        f"{folder}AWSLogs/{backend.account_id}/GuardDuty/{backend.region_name}/{moment:%Y/%m/%d}/"
        f"{uuid.uuid4()}.jsonl.gz"
    )
    report: dict[str, Any] = {
        "delivery": "guardduty",
        "account": backend.account_id,
        "region": backend.region_name,
        "resource": destination["destinationId"],
        "destination": properties.get("destinationArn"),
    }
    error, detail = _write(backend, detector_id, bucket_name, key, properties.get("kmsKeyArn"), moment)
    if error is None:
        destination["status"] = "PUBLISHING"
        destination["publishingFailureStartTimestamp"] = 0
        report.update(ok=True, objects=[key])
    else:
        if destination.get("status") != FAILED:
            destination["publishingFailureStartTimestamp"] = int(moment.timestamp() * 1000)
        destination["status"] = FAILED
        report.update(ok=False, error=error, detail=detail)
    return report


def _write(
    backend: GuardDutyBackend, detector_id: str, bucket_name: str, key: str, key_arn: str | None, moment: Any
) -> tuple[str | None, Any]:
    bucket = delivery.find_bucket(bucket_name)
    if bucket is None:
        return "NoSuchBucket", None
    principal = _principal(backend.region_name)
    context = _context(backend, detector_id, principal)
    kms_key = delivery.resolve_key(key_arn, backend.account_id, backend.region_name)
    sse = {
        "s3:x-amz-server-side-encryption": "aws:kms",
        "s3:x-amz-server-side-encryption-aws-kms-key-id": kms_key.arn if kms_key is not None else key_arn,
    }
    denied = first_denied([delivery.s3_check(bucket, principal, "s3:PutObject", key, context, **sse)])
    if denied is not None:
        return "AccessDenied", denied.describe()
    encryption = Encryption("aws:kms", key_arn, delivery.default_encryption(bucket).bucket_key)
    kms = delivery.s3_kms_use(bucket, key, encryption, principal, context)
    if kms is not None:
        if kms.error_code:
            return kms.error_code, {"reason": kms.reason}
        refused = kms.denied()
        if refused is not None:
            return "AccessDenied", refused.describe()
    body = delivery.json_line(_finding(backend, detector_id, moment)) + "\n"
    delivery.put_object(bucket, key, delivery.gzip_text(body), encryption)
    return None, None


@delivery.register
def deliver_guardduty() -> list[dict[str, Any]]:
    reports = []
    for _, _, backend in delivery.backends_of(guardduty_backends):
        for detector_id, detector in list(backend.detectors.items()):
            for destination in list(_destinations(detector).values()):
                if destination.get("destinationType") == "S3":
                    reports.append(deliver_destination(backend, detector_id, destination))
    return reports


# --------------------------------------------------------------------------
# Patches
# --------------------------------------------------------------------------


def create_publishing_destination(
    self: GuardDutyBackend,
    detector_id: str,
    destination_type: str,
    properties: dict[str, Any],
    tags: dict[str, str] | None,
) -> str:
    self.get_detector(detector_id)
    if destination_type == "S3":
        delivery.locked(check_destination)(self, detector_id, properties)
    destination_id = _original["create_publishing_destination"](self, detector_id, destination_type, properties, tags)
    destination = _destinations(self.get_detector(detector_id))[destination_id]
    if destination_type == "S3":
        delivery.locked(deliver_destination)(self, detector_id, destination)
    return destination_id


def update_publishing_destination(
    self: GuardDutyBackend, detector_id: str, destination_id: str, properties: dict[str, Any]
) -> None:
    destination = self.get_publishing_destination(detector_id, destination_id)
    if destination.get("destinationType") == "S3":
        # UpdatePublishingDestination validates again (aws-cli issue #10483).
        delivery.locked(check_destination)(self, detector_id, properties)
    _original["update_publishing_destination"](self, detector_id, destination_id, properties)
    if destination.get("destinationType") == "S3":
        delivery.locked(deliver_destination)(self, detector_id, destination)


def install() -> None:
    if _original:
        return
    _original["create_publishing_destination"] = GuardDutyBackend.create_publishing_destination
    _original["update_publishing_destination"] = GuardDutyBackend.update_publishing_destination
    GuardDutyBackend.create_publishing_destination = create_publishing_destination
    GuardDutyBackend.update_publishing_destination = update_publishing_destination
    # Through a stack, a refusal fails the resource (see delivery.as_stack_failure).
    GuardDutyPublishingDestination.create = classmethod(delivery.as_stack_failure("GuardDuty", GuardDutyPublishingDestination.create.__func__))
    GuardDutyPublishingDestination.apply = delivery.as_stack_failure("GuardDuty", GuardDutyPublishingDestination.apply)
