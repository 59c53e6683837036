"""AWS::IAM::Role and AWS::IAM::ManagedPolicy as CloudFormation applies them.

moto's role support ignores ``ManagedPolicyArns``, stores inline policy
documents as parsed objects instead of JSON text, and on update only touches
the description (reading the session duration from the wrong property). This
module replaces the three lifecycle hooks so that the role seen through
GetRole, ListAttachedRolePolicies, GetRolePolicy and ListRoleTags matches the
template after CreateStack, UpdateStack and change-set execution alike.

moto's managed policies can be neither updated nor deleted by a stack. Here an
update publishes a new default policy version (dropping the oldest when IAM's
limit of five is reached) and re-syncs the ``Roles``/``Groups``/``Users``
attachments; deletion detaches those and then deletes the policy, refusing
with DeleteConflict while something else still has it attached, as IAM does.
"""

import json
from typing import Any

from moto.iam.exceptions import DeleteConflictException, NotFoundException
from moto.iam.models import IAMBackend, ManagedPolicy, Role, iam_backends
from moto.utilities.utils import get_partition

from .cfn import applied, changed, remember, set_classmethod, tag_map

# CloudFormation replaces a role when its name or path changes; every other
# property is updated in place.
_REPLACEMENT_PROPERTIES = ("RoleName", "Path")

_original_delete = Role.delete_from_cloudformation_json
_original_create_policy = ManagedPolicy.create_from_cloudformation_json

_POLICY_REPLACEMENT_PROPERTIES = ("ManagedPolicyName", "Path", "Description")
_POLICY_VERSION_LIMIT = 5


def _backend(account_id: str, region_name: str) -> IAMBackend:
    return iam_backends[account_id][get_partition(region_name)]


def _document(value: Any) -> str:
    """Policy documents are kept as JSON text, the way the IAM API stores them."""
    return value if isinstance(value, str) else json.dumps(value)


def _inline_policies(properties: dict[str, Any]) -> dict[str, str]:
    return {policy["PolicyName"]: _document(policy["PolicyDocument"]) for policy in properties.get("Policies") or []}


def _create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    properties = cloudformation_json["Properties"]
    backend = _backend(account_id, region_name)
    role = backend.create_role(
        role_name=properties.get("RoleName", resource_name),
        assume_role_policy_document=_document(properties["AssumeRolePolicyDocument"]),
        path=properties.get("Path", "/"),
        permissions_boundary=properties.get("PermissionsBoundary", ""),
        description=properties.get("Description", ""),
        tags=[{"Key": k, "Value": v} for k, v in tag_map(properties.get("Tags")).items()],
        max_session_duration=int(properties.get("MaxSessionDuration", 3600)),
    )
    for name, document in _inline_policies(properties).items():
        backend.put_role_policy(role.name, name, document)
    for arn in properties.get("ManagedPolicyArns") or []:
        backend.attach_role_policy(arn, role.name)
    return remember(role, properties)


def _update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    new = cloudformation_json["Properties"]
    old = applied(original_resource)
    if changed(old, new, *_REPLACEMENT_PROPERTIES):
        # CloudFormation creates the replacement first and removes the old role
        # once the rest of the stack has moved over to it.
        replacement = _create(cls, new_resource_name, cloudformation_json, account_id, region_name)
        _delete(cls, original_resource.name, cloudformation_json, account_id, region_name)
        return replacement

    backend = _backend(account_id, region_name)
    role = original_resource
    backend.update_assume_role_policy(role.name, _document(new["AssumeRolePolicyDocument"]))
    backend.update_role(
        role.name,
        new.get("Description", ""),
        int(new.get("MaxSessionDuration", 3600)),
    )

    boundary = new.get("PermissionsBoundary")
    if boundary:
        backend.put_role_permissions_boundary(role.name, boundary)
    elif role.permissions_boundary_arn:
        backend.delete_role_permissions_boundary(role.name)

    wanted_policies = _inline_policies(new)
    for name in set(role.policies) - set(wanted_policies):
        backend.delete_role_policy(role.name, name)
    for name, document in wanted_policies.items():
        backend.put_role_policy(role.name, name, document)

    wanted_arns = list(new.get("ManagedPolicyArns") or [])
    for arn in set(role.managed_policies) - set(wanted_arns):
        backend.detach_role_policy(arn, role.name)
    for arn in wanted_arns:
        if arn not in role.managed_policies:
            backend.attach_role_policy(arn, role.name)

    # Only the tags the template manages are removed: tags added through the
    # IAM API by someone else survive an update, as they do on AWS.
    wanted_tags = tag_map(new.get("Tags"))
    dropped = set(tag_map(old.get("Tags"))) - set(wanted_tags)
    if dropped:
        backend.untag_role(role.name, sorted(dropped))
    if wanted_tags:
        backend.tag_role(role.name, [{"Key": k, "Value": v} for k, v in wanted_tags.items()])
    return remember(role, new)


def _delete(cls, resource_name, cloudformation_json, account_id, region_name):
    # IAM refuses to delete a role that still has managed policies attached;
    # moto's own clean-up removes inline policies and profiles but not these.
    backend = _backend(account_id, region_name)
    for role in backend.roles.values():
        if role.name == resource_name:
            for arn in list(role.managed_policies):
                backend.detach_role_policy(arn, role.name)
    _original_delete(resource_name, cloudformation_json, account_id, region_name)


# Attachment properties of AWS::IAM::ManagedPolicy and the IAM calls for each.
_ATTACHMENTS = {
    "Roles": ("attach_role_policy", "detach_role_policy"),
    "Groups": ("attach_group_policy", "detach_group_policy"),
    "Users": ("attach_user_policy", "detach_user_policy"),
}


def _attach(backend: IAMBackend, arn: str, old: dict[str, Any], new: dict[str, Any]) -> None:
    for key, (attach, detach) in _ATTACHMENTS.items():
        before, after = set(old.get(key) or []), set(new.get(key) or [])
        for name in sorted(before - after):
            getattr(backend, detach)(arn, name)
        for name in sorted(after - before):
            getattr(backend, attach)(arn, name)


def _create_policy(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    policy = _original_create_policy(resource_name, cloudformation_json, account_id, region_name, **kwargs)
    return remember(policy, cloudformation_json.get("Properties", {}))


def _update_policy(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    new = cloudformation_json["Properties"]
    old = applied(original_resource)
    if changed(old, new, *_POLICY_REPLACEMENT_PROPERTIES):
        replacement = _create_policy(cls, new_resource_name, cloudformation_json, account_id, region_name)
        original_resource.delete(account_id, region_name)
        return replacement
    backend = _backend(account_id, region_name)
    policy = original_resource
    if changed(old, new, "PolicyDocument"):
        if len(policy.versions) >= _POLICY_VERSION_LIMIT:
            oldest = next(v for v in policy.versions if not v.is_default)
            backend.delete_policy_version(policy.arn, oldest.version_id)
        backend.create_policy_version(policy.arn, _document(new["PolicyDocument"]), set_as_default=True)
    _attach(backend, policy.arn, old, new)
    return remember(policy, new)


def _delete_policy(self: ManagedPolicy, account_id: str, region_name: str) -> None:
    backend = _backend(account_id, region_name)
    if self.arn not in backend.managed_policies:
        return
    for key, (_, detach) in _ATTACHMENTS.items():
        for name in applied(self).get(key) or []:
            try:
                getattr(backend, detach)(self.arn, name)
            except NotFoundException:
                # The entity went first (stack deletion order is free) and
                # took the attachment with it.
                pass
    if self.attachment_count:
        raise DeleteConflictException("Cannot delete a policy attached to entities.")
    for version in list(self.versions):
        if not version.is_default:
            backend.delete_policy_version(self.arn, version.version_id)
    backend.delete_policy(self.arn)


def install() -> None:
    set_classmethod(Role, "create_from_cloudformation_json", _create)
    set_classmethod(Role, "update_from_cloudformation_json", _update)
    set_classmethod(Role, "delete_from_cloudformation_json", _delete)
    set_classmethod(ManagedPolicy, "create_from_cloudformation_json", _create_policy)
    set_classmethod(ManagedPolicy, "update_from_cloudformation_json", _update_policy)
    ManagedPolicy.delete = _delete_policy
