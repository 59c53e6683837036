"""AWS::KMS::Key as CloudFormation applies it.

moto's AWS::KMS::Key stores a ``KeyPolicy`` given as an object unserialised
(DescribeKey and GetKeyPolicy then fail with HTTP 500), fails with HTTP 500
without a ``KeyPolicy``, ignores ``KeySpec``, ``KeyUsage`` and ``MultiRegion``,
cannot be updated, and deletes the key outright. Here the key is created
through CreateKey with the policy as JSON text (AWS's default key policy when
none is given), updated in place through UpdateKeyDescription, PutKeyPolicy,
Enable/DisableKeyRotation, Enable/DisableKey and tagging, replaced when a
create-only property changes, and on deletion scheduled for deletion after
``PendingWindowInDays`` (30 by default), as CloudFormation does.
"""

import json
from typing import Any

from moto.kms.models import Key, KmsBackend, kms_backends
from moto.utilities.utils import get_partition

from .cfn import applied, boolean, changed, remember, set_classmethod, tag_map

_REPLACEMENT_PROPERTIES = ("KeySpec", "KeyUsage", "MultiRegion", "Origin")


def _policy(properties: dict[str, Any], account_id: str, region_name: str) -> str:
    policy = properties.get("KeyPolicy")
    if policy is None:
        # The key policy KMS attaches when CreateKey is given none.
        policy = {
            "Version": "2012-10-17",
            "Id": "key-default-1",
            "Statement": [
                {
                    "Sid": "Enable IAM User Permissions",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:{get_partition(region_name)}:iam::{account_id}:root"},
                    "Action": "kms:*",
                    "Resource": "*",
                }
            ],
        }
    return policy if isinstance(policy, str) else json.dumps(policy)


def _tags(properties: dict[str, Any]) -> list[dict[str, str]]:
    return [{"TagKey": k, "TagValue": v} for k, v in tag_map(properties.get("Tags")).items()]


def _apply_switches(backend: KmsBackend, key: Key, properties: dict[str, Any]) -> None:
    if boolean(properties.get("EnableKeyRotation")):
        backend.enable_key_rotation(key.id)
    else:
        backend.disable_key_rotation(key.id)
    if boolean(properties.get("Enabled"), default=True):
        backend.enable_key(key.id)
    else:
        backend.disable_key(key.id)


def _apply(backend: KmsBackend, key: Key, old: dict[str, Any], new: dict[str, Any]) -> None:
    if changed(old, new, "Description"):
        backend.update_key_description(key.id, new.get("Description", ""))
    if changed(old, new, "KeyPolicy"):
        backend.put_key_policy(key.id, _policy(new, key.account_id, key.region))
    _apply_switches(backend, key, new)
    if changed(old, new, "Tags"):
        wanted = tag_map(new.get("Tags"))
        dropped = [k for k in tag_map(old.get("Tags")) if k not in wanted]
        if dropped:
            backend.untag_resource(key.id, dropped)
        if wanted:
            backend.tag_resource(key.id, _tags(new))


def _create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    properties = cloudformation_json["Properties"]
    backend = kms_backends[account_id][region_name]
    key = backend.create_key(
        policy=_policy(properties, account_id, region_name),
        key_usage=properties.get("KeyUsage", "ENCRYPT_DECRYPT"),
        key_spec=properties.get("KeySpec", "SYMMETRIC_DEFAULT"),
        description=properties.get("Description", ""),
        tags=_tags(properties),
        multi_region=boolean(properties.get("MultiRegion")),
        origin=properties.get("Origin", "AWS_KMS"),
    )
    _apply_switches(backend, key, properties)
    return remember(key, properties)


def _update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    new = cloudformation_json["Properties"]
    old = applied(original_resource)
    if changed(old, new, *_REPLACEMENT_PROPERTIES):
        replacement = _create(cls, new_resource_name, cloudformation_json, account_id, region_name)
        original_resource.delete(account_id, region_name)
        return replacement
    _apply(kms_backends[account_id][region_name], original_resource, old, new)
    return remember(original_resource, new)


def _delete(self: Key, account_id: str, region_name: str) -> None:
    backend = kms_backends[account_id][region_name]
    if self.id in backend.keys and self.key_state != "PendingDeletion":
        backend.schedule_key_deletion(self.id, int(applied(self).get("PendingWindowInDays", 30)))


def install() -> None:
    set_classmethod(Key, "create_from_cloudformation_json", _create)
    set_classmethod(Key, "update_from_cloudformation_json", _update)
    Key.delete = _delete
