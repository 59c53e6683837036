"""AWS::S3::Bucket configuration and AWS::S3::BucketPolicy.

moto's AWS::S3::Bucket applies only ``BucketEncryption`` (first rule, without
``BucketKeyEnabled``) and ``Tags``; ``VersioningConfiguration``,
``ObjectLockEnabled`` / ``ObjectLockConfiguration``,
``PublicAccessBlockConfiguration``, ``LoggingConfiguration``,
``LifecycleConfiguration`` and ``OwnershipControls`` are dropped, and an update
of an unnamed bucket's tags fails. AWS::S3::BucketPolicy is skipped altogether.
Here every one of those properties goes through the S3 backend's own
Put*/Delete* operations on create and update, so GetBucketVersioning,
GetObjectLockConfiguration, GetPublicAccessBlock, GetBucketLogging,
GetBucketLifecycleConfiguration, GetBucketOwnershipControls,
GetBucketEncryption, GetBucketTagging and GetBucketPolicy read back what the
template says.
"""

import json
from typing import Any

from moto.s3.models import FakeBucket, S3Backend, s3_backends
from moto.utilities.utils import get_partition

from .cfn import ExtensionModel, applied, boolean, changed, register, remember, set_classmethod, tag_map

_original_delete_bucket = FakeBucket.delete_from_cloudformation_json


def _backend(account_id: str, region_name: str) -> S3Backend:
    return s3_backends[account_id][get_partition(region_name)]


def _encryption(properties: dict[str, Any]) -> dict[str, Any]:
    """BucketEncryption in the form PutBucketEncryption stores (one rule)."""
    rule = properties["ServerSideEncryptionConfiguration"][0]
    stored: dict[str, Any] = {
        "ApplyServerSideEncryptionByDefault": dict(rule["ServerSideEncryptionByDefault"]),
    }
    if "BucketKeyEnabled" in rule:
        stored["BucketKeyEnabled"] = str(boolean(rule["BucketKeyEnabled"])).lower()
    return {"Rule": stored}


def _apply_object_lock(backend: S3Backend, bucket: FakeBucket, configuration: dict[str, Any]) -> None:
    retention = (configuration.get("Rule") or {}).get("DefaultRetention") or {}
    mode, days, years = retention.get("Mode"), retention.get("Days"), retention.get("Years")
    days = int(days) if days is not None else None
    years = int(years) if years is not None else None
    if bucket.object_lock_enabled:
        # A lock-enabled bucket's default retention can change at any time,
        # objects or not; moto's PutObjectLockConfiguration only accepts empty
        # buckets, so the default retention is set as that call would set it.
        # Unset parts are 0, not None: moto adds both to the time when an object is put.
        bucket.default_lock_mode = mode
        bucket.default_lock_days, bucket.default_lock_years = days or 0, years or 0
    else:
        backend.put_object_lock_configuration(
            bucket.name, configuration.get("ObjectLockEnabled") == "Enabled", mode, days, years
        )


def _lifecycle_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """A CloudFormation lifecycle rule in the form PutBucketLifecycleConfiguration stores.

    Expiration by days and an optional prefix: what irready's templates write."""
    stored: dict[str, Any] = {
        "ID": rule.get("Id"),
        "Status": rule["Status"],
        "Filter": {"Prefix": rule.get("Prefix", "")},
    }
    if "ExpirationInDays" in rule:
        stored["Expiration"] = {"Days": int(rule["ExpirationInDays"])}
    return stored


def _apply(backend: S3Backend, bucket: FakeBucket, old: dict[str, Any], new: dict[str, Any]) -> None:
    """Bring the bucket from the old properties to the new, one setting at a time."""
    name = bucket.name
    if changed(old, new, "BucketEncryption"):
        if new.get("BucketEncryption"):
            backend.put_bucket_encryption(name, _encryption(new["BucketEncryption"]))
        else:
            backend.delete_bucket_encryption(name)
    # Versioning cannot be switched off once on: removing the property leaves
    # the bucket as it is, as on AWS.
    if changed(old, new, "VersioningConfiguration") and new.get("VersioningConfiguration"):
        backend.put_bucket_versioning(name, new["VersioningConfiguration"]["Status"])
    if changed(old, new, "ObjectLockConfiguration") and new.get("ObjectLockConfiguration"):
        _apply_object_lock(backend, bucket, new["ObjectLockConfiguration"])
    if changed(old, new, "PublicAccessBlockConfiguration"):
        if new.get("PublicAccessBlockConfiguration"):
            backend.put_public_access_block(name, new["PublicAccessBlockConfiguration"])
        else:
            backend.delete_public_access_block(name)
    if changed(old, new, "OwnershipControls"):
        rules = (new.get("OwnershipControls") or {}).get("Rules") or []
        if rules:
            backend.put_bucket_ownership_controls(name, rules[0]["ObjectOwnership"])
        else:
            backend.delete_bucket_ownership_controls(name)
    if changed(old, new, "LoggingConfiguration"):
        logging = new.get("LoggingConfiguration")
        backend.put_bucket_logging(
            name,
            {
                # Without a destination, S3 logs into the bucket itself.
                "TargetBucket": logging.get("DestinationBucketName", name),
                "TargetPrefix": logging.get("LogFilePrefix", ""),
            }
            if logging
            else {},
        )
    if changed(old, new, "LifecycleConfiguration"):
        rules = (new.get("LifecycleConfiguration") or {}).get("Rules") or []
        if rules:
            backend.put_bucket_lifecycle(name, [_lifecycle_rule(rule) for rule in rules])
        else:
            backend.delete_bucket_lifecycle(name)
    if changed(old, new, "Tags"):
        tags = tag_map(new.get("Tags"))
        if tags:
            backend.put_bucket_tagging(name, tags)
        else:
            backend.delete_bucket_tagging(name)


def _create_bucket(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    properties = cloudformation_json.get("Properties", {})
    backend = _backend(account_id, region_name)
    bucket = backend.create_bucket(resource_name, region_name)
    if boolean(properties.get("ObjectLockEnabled")):
        # What CreateBucket does with x-amz-bucket-object-lock-enabled: true.
        bucket.object_lock_enabled = True
        bucket.versioning_status = "Enabled"
    _apply(backend, bucket, {}, properties)
    return remember(bucket, properties)


def _update_bucket(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    new = cloudformation_json["Properties"]
    old = applied(original_resource)
    if changed(old, new, "BucketName", "ObjectLockEnabled"):
        replacement = _create_bucket(cls, new_resource_name, cloudformation_json, account_id, region_name)
        _original_delete_bucket(original_resource.name, cloudformation_json, account_id, region_name)
        return replacement
    _apply(_backend(account_id, region_name), original_resource, old, new)
    return remember(original_resource, new)


@register
class BucketPolicy(ExtensionModel):
    """AWS::S3::BucketPolicy through PutBucketPolicy / DeleteBucketPolicy."""

    cfn_type = "AWS::S3::BucketPolicy"
    create_only = ("Bucket",)

    def __init__(self, account_id: str, region_name: str, bucket: str):
        super().__init__(account_id, region_name)
        self.bucket = bucket

    @property
    def physical_resource_id(self) -> str:
        return self.bucket

    @classmethod
    def create(cls, name, properties, account_id, region_name):
        policy = cls(account_id, region_name, properties["Bucket"])
        policy.apply({}, properties)
        return policy

    def apply(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        document = new["PolicyDocument"]
        if not isinstance(document, str):
            document = json.dumps(document)
        _backend(self.account_id, self.region_name).put_bucket_policy(self.bucket, document.encode())

    def delete(self, account_id: str, region_name: str) -> None:
        backend = _backend(account_id, region_name)
        if self.bucket in backend.buckets:
            backend.delete_bucket_policy(self.bucket)


def install() -> None:
    set_classmethod(FakeBucket, "create_from_cloudformation_json", _create_bucket)
    set_classmethod(FakeBucket, "update_from_cloudformation_json", _update_bucket)
