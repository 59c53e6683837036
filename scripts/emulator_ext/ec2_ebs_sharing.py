"""EBS snapshot encryption and sharing as AWS allows it.

moto lets a snapshot encrypted under the AWS managed key ``aws/ebs`` be shared
with another account, forgets the volume's key on a snapshot, ignores the
``CreateVolumePermission`` form of ModifySnapshotAttribute, lacks
GetEbsDefaultKmsKeyId / ResetEbsDefaultKmsKeyId, and shows an account only its
own snapshots. Here, through moto's own EC2 and KMS backends:

- ModifySnapshotAttribute refuses to add an account to a snapshot encrypted
  with the default AWS managed key, with the code AWS returns
  (``OperationNotPermitted``, "Encrypted snapshots with EBS default key cannot
  be shared"; the code as reported in hashicorp/packer#7499). "You can't share
  snapshots that are encrypted with the default AWS managed key. You can only
  share snapshots that are encrypted with a customer managed key."
  https://docs.aws.amazon.com/ebs/latest/userguide/ebs-modifying-snapshot-permissions.html
  Both request forms are read: ``UserId.N`` and ``CreateVolumePermission.Add``.
- CreateSnapshot records the volume's key on the snapshot; the key EC2 creates
  for ``alias/aws/ebs`` is marked AWS managed (DescribeKey ``KeyManager: AWS``).
- CopySnapshot: ``Encrypted`` and ``KmsKeyId`` as the API reference says ("If
  KmsKeyId is specified, the encrypted state must be true"; without a key the
  account's default EBS key is used), the key may live in another account, and
  a key that does not exist or is not enabled leaves the copy in state
  ``error`` (AWS copies asynchronously and reports the failure on the copy).
  A snapshot shared with the caller can be copied.
  https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CopySnapshot.html
- GetEbsDefaultKmsKeyId returns the ``alias/aws/ebs`` ARN until
  ModifyEbsDefaultKmsKeyId is called; ResetEbsDefaultKmsKeyId goes back to it.
  https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_GetEbsDefaultKmsKeyId.html
- DescribeSnapshots shows the caller the snapshots shared with it (explicitly
  or publicly) from other accounts in the region, and honours ``OwnerIds``
  (ids, ``self``) and ``RestorableByUserIds``; DescribeSnapshotAttribute and
  SnapshotIds lookups work on such snapshots too.
  https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSnapshots.html
"""

from typing import Any

from moto.core.responses import ActionResult, EmptyResult
from moto.ec2.exceptions import (
    InvalidParameterDependency,
    InvalidSnapshotIdError,
    OperationNotPermitted,
)
from moto.ec2.models import ec2_backends
from moto.ec2.models.elastic_block_store import EBSBackend, Snapshot
from moto.ec2.responses.elastic_block_store import ElasticBlockStore
from moto.ec2.responses.settings import Settings
from moto.ec2.utils import random_snapshot_id
from moto.kms.models import kms_backends
from moto.utilities.utils import get_partition

_DEFAULT_ALIAS = "alias/aws/ebs"
_original_create_snapshot = EBSBackend.create_snapshot
_original_default_key = EBSBackend._create_default_encryption_key
_original_modify_default = EBSBackend.modify_ebs_default_kms_key_id


class EbsDefaultKeyNotShareable(OperationNotPermitted):
    def __init__(self) -> None:
        super().__init__("Encrypted snapshots with EBS default key cannot be shared")


# -- keys -----------------------------------------------------------------------


def _key_location(key_id: str, account_id: str, region_name: str) -> tuple[str, str, str]:
    """(account, region, id or alias) of a key given as id, ARN, alias or alias ARN."""
    if key_id.startswith("arn:"):
        parts = key_id.split(":", 5)
        return parts[4], parts[3], parts[5]
    return account_id, region_name, key_id


def _find_key(key_id: str, account_id: str, region_name: str) -> Any:
    """The KMS key a key reference names, or None."""
    account, region, local = _key_location(key_id, account_id, region_name)
    if account not in kms_backends or region not in kms_backends[account]:
        return None
    backend = kms_backends[account][region]
    try:
        if local.startswith("alias/"):
            target = next((key for key in backend.keys.values() if local in key.aliases), None)
            return target
        return backend.keys.get(local.split("key/")[-1])
    except KeyError:
        return None


def is_aws_managed_ebs_key(key_arn: str | None, account_id: str, region_name: str) -> bool:
    """Whether a key reference is the account's AWS managed key for EBS (aws/ebs)."""
    if not key_arn:
        return False
    if key_arn.endswith(_DEFAULT_ALIAS):
        return True
    key = _find_key(key_arn, account_id, region_name)
    return key is not None and _DEFAULT_ALIAS in getattr(key, "aliases", {})


def _create_default_encryption_key(self: EBSBackend) -> str:
    arn = _original_default_key(self)
    key = _find_key(arn, self.account_id, self.region_name)
    if key is not None:
        # The key EC2 creates on first use is AWS managed, not the customer's.
        key.key_manager = "AWS"
    return arn


def _default_key_arn(self: EBSBackend) -> str:
    """The account's default EBS key as a key ARN (creating aws/ebs on first use)."""
    if not self.default_kms_key_id:
        self._create_default_encryption_key()
    return self.default_kms_key_id


def modify_ebs_default_kms_key_id(self: EBSBackend, kms_key_id: str) -> str:
    arn = _original_modify_default(self, kms_key_id)
    self.irready_default_key_modified = bool(kms_key_id)
    return arn


# -- snapshots --------------------------------------------------------------------


def create_snapshot(self: EBSBackend, volume_id: str, description: str, owner_id=None, from_ami=None) -> Snapshot:
    snapshot = _original_create_snapshot(self, volume_id, description, owner_id, from_ami)
    volume = self.get_volume(volume_id)
    if volume.encrypted and not snapshot.kms_key_id:
        snapshot.kms_key_id = volume.kms_key_id or _default_key_arn(self)
    return snapshot


def _shared_with(snapshot: Snapshot, account_id: str) -> bool:
    return account_id in snapshot.create_volume_permission_userids or "all" in snapshot.create_volume_permission_groups


def visible_snapshots(self: EBSBackend) -> list[Snapshot]:
    """The caller's own snapshots, then those other accounts in the region share with it."""
    own = list(self.snapshots.values())
    shared = []
    for account_id, region_name, backend in list(ec2_backends.iter_backends()):
        if account_id == self.account_id or region_name != self.region_name:
            continue
        shared.extend(s for s in backend.snapshots.values() if s.owner_id == account_id and _shared_with(s, self.account_id))
    return own + shared


def find_visible_snapshot(self: EBSBackend, snapshot_id: str) -> Snapshot:
    for snapshot in visible_snapshots(self):
        if snapshot.id == snapshot_id:
            return snapshot
    raise InvalidSnapshotIdError()


def copy_snapshot(
    self: EBSBackend,
    source_snapshot_id: str,
    source_region: str,
    description: str,
    kms_key_id: str | None,
    encrypted: bool = False,
) -> Snapshot:
    source_backend = ec2_backends[self.account_id][source_region or self.region_name]
    source = find_visible_snapshot(source_backend, source_snapshot_id)
    if kms_key_id and not (encrypted or source.encrypted or self.ebs_encryption_by_default):
        raise InvalidParameterDependency("KmsKeyId", "Encrypted")
    will_encrypt = encrypted or source.encrypted or self.ebs_encryption_by_default
    if will_encrypt and not kms_key_id:
        kms_key_id = _default_key_arn(self)
    state, message = "completed", None
    if kms_key_id:
        key = _find_key(kms_key_id, self.account_id, self.region_name)
        if key is None:
            state, message = "error", f"The KMS key {kms_key_id} does not exist or is not accessible."
        elif key.key_state != "Enabled":
            state, message = "error", f"The KMS key {kms_key_id} is not enabled ({key.key_state})."
        else:
            kms_key_id = key.arn
    snapshot = Snapshot(
        self,
        random_snapshot_id(),
        volume=source.volume,
        description=description,
        encrypted=will_encrypt,
        kms_key_id=kms_key_id,
    )
    snapshot.status = state
    if message:
        snapshot.state_message = message
    self.snapshots[snapshot.id] = snapshot
    return snapshot


# -- responses --------------------------------------------------------------------


def _permission_lists(response: ElasticBlockStore, operation: str) -> tuple[list[str], list[str]]:
    user_ids = list(response._get_param("UserIds", []) or [])
    groups = list(response._get_param("GroupNames", []) or [])
    structured = (response._get_param("CreateVolumePermission", {}) or {}).get(operation.capitalize(), []) or []
    for entry in structured:
        if entry.get("UserId"):
            user_ids.append(entry["UserId"])
        if entry.get("Group"):
            groups.append(entry["Group"])
    return user_ids, groups


def response_modify_snapshot_attribute(self: ElasticBlockStore) -> ActionResult:
    snapshot_id = self._get_param("SnapshotId")
    self.error_on_dryrun()
    backend = self.ec2_backend
    snapshot = backend.get_snapshot(snapshot_id)
    add_users, add_groups = _permission_lists(self, "add")
    remove_users, remove_groups = _permission_lists(self, "remove")
    operation = self._get_param("OperationType") or ("add" if add_users or add_groups else "remove")
    if operation == "add":
        if add_users and snapshot.encrypted and (
            not snapshot.kms_key_id or is_aws_managed_ebs_key(snapshot.kms_key_id, backend.account_id, backend.region_name)
        ):
            raise EbsDefaultKeyNotShareable()
        backend.add_create_volume_permission(snapshot_id, user_ids=add_users, groups=add_groups)
    else:
        backend.remove_create_volume_permission(snapshot_id, user_ids=remove_users, groups=remove_groups)
    return EmptyResult()


def response_copy_snapshot(self: ElasticBlockStore) -> ActionResult:
    tags = self._parse_tag_specification().get("snapshot", {})
    self.error_on_dryrun()
    snapshot = copy_snapshot(
        self.ec2_backend,
        source_snapshot_id=self._get_param("SourceSnapshotId"),
        source_region=self._get_param("SourceRegion"),
        description=self._get_param("Description"),
        kms_key_id=self._get_param("KmsKeyId"),
        encrypted=str(self._get_param("Encrypted", False)).lower() == "true",
    )
    snapshot.add_tags(tags)
    return ActionResult({"SnapshotId": snapshot.id, "Tags": snapshot.tag_set})


def response_describe_snapshots(self: ElasticBlockStore) -> ActionResult:
    backend = self.ec2_backend
    filters = self._filters_from_querystring()
    snapshot_ids = self._get_param("SnapshotIds", []) or []
    owner_ids = [backend.account_id if o == "self" else o for o in self._get_param("OwnerIds", []) or []]
    restorable = [backend.account_id if o == "self" else o for o in self._get_param("RestorableByUserIds", []) or []]
    snapshots = visible_snapshots(backend)
    if snapshot_ids:
        snapshots = [s for s in snapshots if s.id in snapshot_ids]
        if len({s.id for s in snapshots}) < len(set(snapshot_ids)):
            raise InvalidSnapshotIdError()
    if owner_ids:
        snapshots = [s for s in snapshots if s.owner_id in owner_ids]
    if restorable:
        snapshots = [s for s in snapshots if any(s.owner_id == a or _shared_with(s, a) for a in restorable)]
    if filters:
        from moto.ec2.utils import generic_filter

        snapshots = generic_filter(filters, snapshots)
    return ActionResult({"Snapshots": snapshots})


def response_describe_snapshot_attribute(self: ElasticBlockStore) -> ActionResult:
    snapshot = find_visible_snapshot(self.ec2_backend, self._get_param("SnapshotId"))
    permissions = [{"Group": g} for g in sorted(snapshot.create_volume_permission_groups)]
    permissions += [{"UserId": u} for u in sorted(snapshot.create_volume_permission_userids)]
    return ActionResult({"SnapshotId": snapshot.id, "CreateVolumePermissions": permissions})


def response_get_ebs_default_kms_key_id(self: Settings) -> ActionResult:
    backend = self.ec2_backend
    if getattr(backend, "irready_default_key_modified", False):
        return ActionResult({"KmsKeyId": backend.default_kms_key_id})
    partition = get_partition(backend.region_name)
    return ActionResult({"KmsKeyId": f"arn:{partition}:kms:{backend.region_name}:{backend.account_id}:{_DEFAULT_ALIAS}"})


def response_reset_ebs_default_kms_key_id(self: Settings) -> ActionResult:
    self.error_on_dryrun()
    backend = self.ec2_backend
    arn = backend._create_default_encryption_key()
    backend.irready_default_key_modified = False
    return ActionResult({"KmsKeyId": arn})


def install() -> None:
    EBSBackend._create_default_encryption_key = _create_default_encryption_key
    EBSBackend.modify_ebs_default_kms_key_id = modify_ebs_default_kms_key_id
    EBSBackend.create_snapshot = create_snapshot
    EBSBackend.copy_snapshot = copy_snapshot
    ElasticBlockStore.modify_snapshot_attribute = response_modify_snapshot_attribute
    ElasticBlockStore.copy_snapshot = response_copy_snapshot
    ElasticBlockStore.describe_snapshots = response_describe_snapshots
    ElasticBlockStore.describe_snapshot_attribute = response_describe_snapshot_attribute
    Settings.get_ebs_default_kms_key_id = response_get_ebs_default_kms_key_id
    Settings.reset_ebs_default_kms_key_id = response_reset_ebs_default_kms_key_id
