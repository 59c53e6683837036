"""S3 server access logging's ``TargetObjectKeyFormat``: PutBucketLogging, GetBucketLogging and templates.

moto's PutBucketLogging keeps the element as xmltodict parsed it (``<SimplePrefix/>``
becomes ``None``) and checks nothing in it; GetBucketLogging leaves it out; and the
``s3`` extension's AWS::S3::Bucket writes only the destination and the prefix of a
``LoggingConfiguration``. Here, as the S3 API reference and the CloudFormation
resource reference describe it:

- ``TargetObjectKeyFormat`` holds exactly one of ``SimplePrefix`` (an empty
  element) and ``PartitionedPrefix`` with an optional ``PartitionDateSource``
  ``EventTime`` or ``DeliveryTime``
  (https://docs.aws.amazon.com/AmazonS3/latest/API/API_TargetObjectKeyFormat.html,
  https://docs.aws.amazon.com/AmazonS3/latest/API/API_PartitionedPrefix.html).
  Anything else does not validate against S3's schema, which S3 answers with
  ``MalformedXML`` "The XML you provided was not well-formed or did not validate
  against our published schema" (S3 API reference, error codes,
  https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList).
- GetBucketLogging returns it as it was set
  (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLogging.html).
- AWS::S3::Bucket ``LoggingConfiguration.TargetObjectKeyFormat`` takes the same
  structure, updated in place like the rest of ``LoggingConfiguration``
  (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-s3-bucket-loggingconfiguration.html).

The log object keys follow the format (delivery_s3_access.log_key): with
``PartitionedPrefix``,
``[prefix][SourceAccountId]/[SourceRegion]/[SourceBucket]/[YYYY]/[MM]/[DD]/[YYYY]-[MM]-[DD]-[hh]-[mm]-[ss]-[UniqueString]``
("Logging requests with server access logging", log object key format,
https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html#server-log-keyname-format),
the date being the event's (``EventTime``) or the delivery's (``DeliveryTime``);
the emulator delivers at the moment of the event, so both are that day.
"""

from __future__ import annotations

from typing import Any

from moto.s3.exceptions import MalformedXML
from moto.s3.models import FakeBucket, S3Backend
from moto.s3.responses import ActionResult, S3Response

from . import s3 as s3_extension
from .cfn import changed

DATE_SOURCES = ("EventTime", "DeliveryTime")

_original: dict[str, Any] = {}


def key_format(value: Any) -> dict[str, Any] | None:
    """The TargetObjectKeyFormat in its API form, or None when absent; MalformedXML when invalid."""
    if value is None:
        return None
    if not isinstance(value, dict) or len(value) != 1:
        raise MalformedXML()
    (kind, body), = value.items()
    if kind == "SimplePrefix":
        if body not in (None, {}, ""):
            raise MalformedXML()
        return {"SimplePrefix": {}}
    if kind == "PartitionedPrefix":
        body = body or {}
        if not isinstance(body, dict) or set(body) - {"PartitionDateSource"}:
            raise MalformedXML()
        source = body.get("PartitionDateSource")
        if source is None:
            return {"PartitionedPrefix": {}}
        if source not in DATE_SOURCES:
            raise MalformedXML()
        return {"PartitionedPrefix": {"PartitionDateSource": source}}
    raise MalformedXML()


def set_logging(self: FakeBucket, logging_config: dict[str, Any] | None, bucket_backend: S3Backend) -> None:
    if logging_config and "TargetObjectKeyFormat" in logging_config:
        logging_config = dict(logging_config)
        normalised = key_format(logging_config.pop("TargetObjectKeyFormat"))
        if normalised is not None:
            logging_config["TargetObjectKeyFormat"] = normalised
    _original["set_logging"](self, logging_config, bucket_backend)


def get_bucket_logging(self: S3Response) -> Any:
    """moto's GetBucketLogging, with TargetObjectKeyFormat."""
    logging = self.backend.get_bucket_logging(self.bucket_name)
    if not logging or not logging.get("TargetObjectKeyFormat"):
        return _original["get_bucket_logging"](self)
    enabled: dict[str, Any] = {"TargetBucket": logging["TargetBucket"], "TargetPrefix": logging["TargetPrefix"]}
    if logging.get("TargetGrants"):
        enabled["TargetGrants"] = [
            {
                "Grantee": {
                    "Type": grant.grantees[0].type,
                    "URI": grant.grantees[0].uri,
                    "ID": grant.grantees[0].id,
                    "DisplayName": grant.grantees[0].display_name,
                },
                "Permission": grant.permissions[0],
            }
            for grant in logging["TargetGrants"]
        ]
    enabled["TargetObjectKeyFormat"] = logging["TargetObjectKeyFormat"]
    self.data["Action"] = "GetBucketLogging"
    return self.serialized(ActionResult({"LoggingEnabled": enabled}))


def _apply(backend: S3Backend, bucket: FakeBucket, old: dict[str, Any], new: dict[str, Any]) -> None:
    """The s3 extension's property application, then the logging key format it drops."""
    _original["apply"](backend, bucket, old, new)
    if changed(old, new, "LoggingConfiguration"):
        logging = new.get("LoggingConfiguration") or {}
        if logging and "TargetObjectKeyFormat" in logging:
            backend.put_bucket_logging(
                bucket.name,
                {
                    "TargetBucket": logging.get("DestinationBucketName", bucket.name),
                    "TargetPrefix": logging.get("LogFilePrefix", ""),
                    "TargetObjectKeyFormat": logging["TargetObjectKeyFormat"],
                },
            )


def install() -> None:
    if _original:
        return
    # delivery_s3_access (earlier in the module list) has already replaced
    # set_logging with its checks; the key format is validated before them.
    _original["set_logging"] = FakeBucket.set_logging
    _original["get_bucket_logging"] = S3Response.get_bucket_logging
    _original["apply"] = s3_extension._apply
    FakeBucket.set_logging = set_logging
    S3Response.get_bucket_logging = get_bucket_logging
    s3_extension._apply = _apply
