"""Stack-level CloudFormation behaviour moto leaves out.

- A stack created or updated by executing a change set keeps the outputs,
  description and parameters it had before (none, for a new stack) and
  registers no exports; ``Fn::ImportValue`` in a CREATE change set fails. Here
  execution refreshes all of them exactly as CreateStack and UpdateStack do.
- The change set's stack tags are applied to the stack on execution, and stack
  tags reach the stack's EC2 resources (with the ``aws:cloudformation:*`` tags)
  after change-set execution and UpdateStack too, not only after CreateStack.
- UpdateStack leaves stale exports behind (and DeleteStack then fails on
  them); exports are re-registered after every update.
- A change set given by name is looked up within the named stack; moto picks
  the last change set of that name in the region, whichever stack it belongs
  to. Executing a change set that is not AVAILABLE fails as on AWS, and
  executing one deletes the stack's change sets, itself included, as AWS does.
  ListChangeSets lists the named stack's change sets only (moto listed all).
- A CREATE change set for a stack name that already exists fails with
  AlreadyExistsException instead of making a second stack of that name.
- A resource removed from the template by an update leaves the stack's resources
  (moto kept listing it, and adding it back later created nothing).
- A resource removed from the template by an update is deleted even with
  ``DeletionPolicy: Retain``; here it is kept, as on AWS (stack deletion
  already honours the policy).
- DescribeStacks never reports ``LastUpdatedTime``; here every update (UpdateStack
  or an UPDATE change set) sets it, as AWS does, so that a saved plan can tell
  that a stack changed since it was made.
- After an update replaces a resource (a new physical id), the resources that refer to it
  are updated with the new value, as CloudFormation resolves references again; moto left a
  bucket policy on the bucket that was replaced, and the new bucket without one.
- Resources added by an update or a change set are created in the order their
  ``DependsOn`` asks for, as CreateStack (and AWS) does; moto took the template's order.
- For interruption tests only: with ``IRREADY_EMULATOR_EXECUTE_DELAY_MS`` set,
  ExecuteChangeSet waits that long before executing, so that a client can be
  killed while its change sets execute (AWS executes asynchronously; moto at
  once). The execution then completes, as it would on AWS.
- A resource type moto cannot update disappears from the stack's resource map
  on a Modify (so later Refs resolve to nothing and deletion forgets it); here
  it keeps its current state instead, and the server log says so.
- Resource import: moto ignores ``ResourcesToImport`` and treats an ``IMPORT``
  change set as a CREATE (every resource an ``Add``; executing it fails with
  BucketAlreadyExists). Here an IMPORT change set lists one ``Import`` change per
  resource to import and, executed, binds each logical id to the existing bucket
  or log group (nothing is created) and leaves the stack ``IMPORT_COMPLETE``. As
  on AWS, the change set fails when a resource to import is missing, belongs to
  another stack, lacks a ``DeletionPolicy`` or is not in the template, or when
  the template adds anything that is not imported.
"""

import logging
import os
import time
from datetime import datetime, timezone
from typing import Any

from moto.cloudformation import parsing
from moto.cloudformation.exceptions import AlreadyExistsException, CloudFormationError, ValidationError
from moto.cloudformation.models import ChangeSet, CloudFormationBackend, Stack
from moto.cloudformation.responses import CloudFormationResponse
from moto.cloudformation.models import Change
from moto.core.responses import ActionResult, EmptyResult
from moto.ec2.models import ec2_backends
from moto.ec2.models.core import TaggedEC2Resource
from moto.logs.models import logs_backends
from moto.s3.models import s3_backends
from moto.utilities.utils import get_partition

from .cfn import remember

logger = logging.getLogger("irready.emulator")

_original_create_change_set = CloudFormationBackend.create_change_set
_original_execute_change_set = CloudFormationBackend.execute_change_set
_original_update_stack = CloudFormationBackend.update_stack
_original_parse_and_update_resource = parsing.parse_and_update_resource
_original_delete_resource = parsing.ResourceMap._delete_resource
_original_create_change_set_response = CloudFormationResponse.create_change_set


class ChangeSetNotFound(CloudFormationError):
    code = "ChangeSetNotFound"


class InvalidChangeSetStatus(CloudFormationError):
    code = "InvalidChangeSetStatus"


def _find_change_set(backend: CloudFormationBackend, name_or_id: str, stack_name: str | None) -> ChangeSet:
    if name_or_id in backend.change_sets:
        return backend.change_sets[name_or_id]
    for change_set in backend.change_sets.values():
        if change_set.change_set_name != name_or_id:
            continue
        if stack_name in (None, "", change_set.stack_name, change_set.stack_id):
            return change_set
    raise ChangeSetNotFound(f"ChangeSet [{name_or_id}] does not exist")


def _register_exports(backend: CloudFormationBackend, stack: Stack) -> None:
    """Make the region's export table hold exactly this stack's current exports."""
    exports = stack.exports
    for export in exports:
        holder = backend.exports.get(export.name)
        if holder is not None and holder.exporting_stack_id != stack.stack_id:
            raise ValidationError(
                stack.stack_id,
                message=f"Export with name {export.name} is already exported by stack " f"{holder.exporting_stack_id}",
            )
    for name, export in list(backend.exports.items()):
        if export.exporting_stack_id == stack.stack_id:
            del backend.exports[name]
    for export in exports:
        backend.exports[export.name] = export


def _propagate_tags(stack: Stack) -> None:
    """Tag the stack's EC2 resources the way moto does at CreateStack."""
    backend = ec2_backends[stack.account_id][stack.region_name]
    base = {
        **stack.tags,
        "aws:cloudformation:stack-name": stack.name,
        "aws:cloudformation:stack-id": stack.stack_id,
    }
    for logical_id, resource in stack.resource_map._parsed_resources.items():
        if isinstance(resource, TaggedEC2Resource):
            backend.create_tags(
                [resource.physical_resource_id],
                {**base, "aws:cloudformation:logical-id": logical_id},
            )


def execute_change_set(self: CloudFormationBackend, change_set_name: str, stack_name: str | None = None) -> None:
    change_set = _find_change_set(self, change_set_name, stack_name)
    if change_set.execution_status != "AVAILABLE":
        raise InvalidChangeSetStatus(
            f"ChangeSet [{change_set.change_set_id}] cannot be executed in its current "
            f"execution status of [{change_set.execution_status}]"
        )
    delay = int(os.environ.get("IRREADY_EMULATOR_EXECUTE_DELAY_MS") or 0)
    if delay:
        time.sleep(delay / 1000)
    stack = self.stacks[change_set.stack_id]
    # A CREATE change set builds its stack without the region's exports.
    stack.cross_stack_resources = self.exports
    stack.resource_map.cross_stack_resources = self.exports

    if change_set.change_set_type == "IMPORT":
        _execute_import(change_set)
    else:
        _original_execute_change_set(self, change_set.change_set_id)
    if change_set.change_set_type == "UPDATE":
        stack.last_updated_time = datetime.now(timezone.utc)

    stack._parse_template()
    stack.description = stack.template_dict.get("Description")
    if change_set.parameters:
        stack.parameters = change_set.parameters
    if change_set.tags:
        stack.tags = dict(change_set.tags)
    stack.output_map = stack._create_output_map()
    _register_exports(self, stack)
    _propagate_tags(stack)
    # AWS deletes a stack's change sets, the executed one included, once one of them is
    # executed.
    for change_set_id, other in list(self.change_sets.items()):
        if other.stack_id == stack.stack_id:
            del self.change_sets[change_set_id]


def list_change_sets(self: CloudFormationResponse) -> ActionResult:
    """ListChangeSets of the named stack only (moto listed every stack's)."""
    stack_name = self._get_param("StackName")
    summaries = [
        change_set
        for change_set in self.cloudformation_backend.list_change_sets()
        if stack_name in (change_set.stack_name, change_set.stack_id)
    ]
    return ActionResult({"Summaries": summaries})


def update_stack(
    self: CloudFormationBackend,
    name: str,
    template: str,
    role_arn: str | None,
    parameters: list[dict[str, Any]],
    tags: dict[str, str] | None,
) -> Stack:
    stack = _original_update_stack(self, name, template, role_arn, parameters, tags)
    stack.last_updated_time = datetime.now(timezone.utc)
    _register_exports(self, stack)
    _propagate_tags(stack)
    return stack


def create_change_set(
    self: CloudFormationBackend,
    stack_name: str,
    change_set_name: str,
    template: str,
    parameters: dict[str, str],
    description: str,
    change_set_type: str,
    notification_arns: list[str] | None = None,
    tags: dict[str, str] | None = None,
    role_arn: str | None = None,
) -> tuple[str, str]:
    if change_set_type == "CREATE":
        for stack in list(self.stacks.values()):
            if stack.name != stack_name:
                continue
            if stack.status != "REVIEW_IN_PROGRESS":
                raise AlreadyExistsException(f"Stack [{stack_name}] already exists")
            # A stack still in review belongs to an earlier CREATE change set; AWS
            # attaches the new change set to it instead of making a second stack.
            del self.stacks[stack.stack_id]
            for name, other in list(self.change_sets.items()):
                if other.stack_id == stack.stack_id:
                    del self.change_sets[name]
    if change_set_type == "IMPORT" and any(
        s.name == stack_name and s.status != "REVIEW_IN_PROGRESS" for s in self.stacks.values()
    ):
        # Into an existing stack: moto would make a second stack of that name. Build it as
        # an update of that stack; the response handler turns it into an import.
        change_set_type = "UPDATE"
    return _original_create_change_set(
        self,
        stack_name,
        change_set_name,
        template,
        parameters,
        description,
        change_set_type,
        notification_arns,
        tags,
        role_arn,
    )


def _existing_resource(resource_type: str, identifier: dict[str, str], account_id: str, region_name: str) -> Any:
    """The service backend's object for a resource to import, or None."""
    if resource_type == "AWS::S3::Bucket":
        bucket = s3_backends[account_id][get_partition(region_name)].buckets.get(identifier.get("BucketName", ""))
        return bucket if bucket is not None and bucket.region_name == region_name else None
    if resource_type == "AWS::Logs::LogGroup":
        return logs_backends[account_id][region_name].groups.get(identifier.get("LogGroupName", ""))
    return None


def _import_problems(backend: CloudFormationBackend, change_set: ChangeSet, to_import: list[dict[str, Any]]) -> list[str]:
    """Why AWS would refuse this import, if it would."""
    stack = change_set.stack
    resources = change_set.template_dict.get("Resources", {})
    existing = dict(stack.resource_map._resource_json_map) if stack.status != "REVIEW_IN_PROGRESS" else {}
    problems = []
    imported = set()
    owned = {
        (type(resource).__name__, getattr(resource, "physical_resource_id", None))
        for other in backend.stacks.values()
        if other.status != "DELETE_COMPLETE"
        for resource in other.resource_map._parsed_resources.values()
        if not isinstance(resource, (str, dict, list))
    }
    for item in to_import:
        logical_id = item.get("LogicalResourceId", "")
        imported.add(logical_id)
        resource = resources.get(logical_id)
        if resource is None or resource.get("Type") != item.get("ResourceType"):
            problems.append(f"{logical_id} ({item.get('ResourceType')}) is not in the template")
            continue
        if resource.get("DeletionPolicy") not in ("Retain", "RetainExceptOnCreate", "Delete", "Snapshot"):
            problems.append(f"{logical_id} has no DeletionPolicy")
        found = _existing_resource(item["ResourceType"], item.get("ResourceIdentifier") or {}, stack.account_id, stack.region_name)
        if found is None:
            problems.append(f"{logical_id}: the resource {item.get('ResourceIdentifier')} does not exist")
        elif (type(found).__name__, found.physical_resource_id) in owned:
            problems.append(f"{logical_id}: {found.physical_resource_id} already belongs to a stack")
    for logical_id, resource in resources.items():
        if logical_id in imported:
            continue
        if existing.get(logical_id) != resource:
            problems.append(f"{logical_id} is added or changed: an import may only add the resources it imports")
    return problems


def create_change_set_response(self: CloudFormationResponse) -> ActionResult:
    result = _original_create_change_set_response(self)
    if self._get_param("ChangeSetType", "CREATE") != "IMPORT":
        return result
    backend = self.cloudformation_backend
    change_set = _find_change_set(backend, self._get_param("ChangeSetName"), self._get_param("StackName"))
    change_set.change_set_type = "IMPORT"
    to_import = self._get_param("ResourcesToImport", []) or []
    change_set.resources_to_import = to_import
    change_set.changes = [
        Change(action="Import", logical_resource_id=item["LogicalResourceId"], resource_type=item["ResourceType"])
        for item in to_import
    ]
    problems = _import_problems(backend, change_set, to_import)
    if problems:
        change_set.status = "FAILED"
        change_set.execution_status = "UNAVAILABLE"
        change_set.status_reason = "; ".join(problems)
    else:
        change_set.status = "CREATE_COMPLETE"
        change_set.execution_status = "AVAILABLE"
    return result


def _execute_import(change_set: ChangeSet) -> None:
    """Bind each imported logical id to the existing resource; create nothing."""
    stack = change_set.stack
    resource_map = stack.resource_map
    template = change_set.template_dict
    stack._add_stack_event("IMPORT_IN_PROGRESS", resource_status_reason="User Initiated")
    resource_map._template = template
    resource_map.load_mapping()
    resource_map.load_parameters()
    resource_map.load_conditions()
    resource_map._resource_json_map = template["Resources"]
    for item in change_set.resources_to_import:
        logical_id = item["LogicalResourceId"]
        found = _existing_resource(
            item["ResourceType"], item.get("ResourceIdentifier") or {}, stack.account_id, stack.region_name
        )
        # What the template says of it is what CloudFormation now knows of it: a later
        # update applies the difference.
        remember(found, template["Resources"][logical_id].get("Properties", {}))
        found.logical_resource_id = logical_id
        resource_map._parsed_resources[logical_id] = found
    stack._add_stack_event("IMPORT_COMPLETE")
    change_set.execution_status = "EXECUTE_COMPLETE"
    stack.status = "IMPORT_COMPLETE"
    stack.template = change_set.template


def describe_change_set(self: CloudFormationResponse) -> ActionResult:
    return ActionResult(
        _find_change_set(self.cloudformation_backend, self._get_param("ChangeSetName"), self._get_param("StackName"))
    )


def delete_change_set(self: CloudFormationResponse) -> ActionResult:
    change_set = _find_change_set(
        self.cloudformation_backend, self._get_param("ChangeSetName"), self._get_param("StackName")
    )
    del self.cloudformation_backend.change_sets[change_set.change_set_id]
    return EmptyResult()


def parse_and_update_resource(
    logical_id: str, resource_json: dict[str, Any], resources_map: Any, account_id: str, region_name: str
) -> Any:
    resource_class = parsing.resource_class_from_type(resource_json["Type"])
    if resource_class is not None and hasattr(resource_class.update_from_cloudformation_json, "__isabstractmethod__"):
        logger.warning(
            "%s (%s) cannot be updated in place by the emulator; it keeps its current state",
            logical_id,
            resource_json["Type"],
        )
        return resources_map[logical_id]
    return _original_parse_and_update_resource(logical_id, resource_json, resources_map, account_id, region_name)


def _delete_resource(self: parsing.ResourceMap, parsed_resource: Any, resource_json: dict[str, Any]) -> None:
    if resource_json.get("DeletionPolicy") == "Retain":
        logger.info("%s is retained (DeletionPolicy: Retain)", getattr(parsed_resource, "logical_resource_id", "?"))
    else:
        _original_delete_resource(self, parsed_resource, resource_json)
    # The resource leaves the stack either way (moto kept it among the stack's resources,
    # so a later update adding it back found it "already there" and created nothing).
    for logical_id, resource in list(self._parsed_resources.items()):
        if resource is parsed_resource:
            del self._parsed_resources[logical_id]


def _delete_resources(self: parsing.ResourceMap) -> None:
    """moto's ResourceMap.delete, except that a resource already gone from the map counts
    as deleted. ``_delete_resource`` above takes each resource out of the map; moto's
    loop then popped it again, got a KeyError, and a stack whose every resource went that
    way (an instance, an IAM user) failed to delete with HTTP 500."""
    remaining = {
        key for key, value in self._resource_json_map.items() if value.get("DeletionPolicy") != "Retain"
    }
    previous = len(remaining) + 1
    last_exception: Exception | None = None
    while remaining and len(remaining) < previous:
        previous = len(remaining)
        for logical_id in sorted(remaining):
            parsed_resource = self._parsed_resources.get(logical_id)
            try:
                if not isinstance(parsed_resource, str) and parsed_resource is not None:
                    self._delete_resource(parsed_resource, self._resource_json_map[logical_id])
                    self._parsed_resources.pop(logical_id, None)
            except Exception as error:  # a dependency still in place: next pass
                last_exception = error
            else:
                remaining.remove(logical_id)
    if remaining and last_exception is not None:
        raise last_exception


_original_build_resource_diff = parsing.ResourceMap.build_resource_diff


def _build_resource_diff(self, other_template, parameters=None):
    """moto's diff, with the resources to add in the order their ``DependsOn`` asks for.

    CreateStack honours DependsOn; an update or a change set created the added
    resources in the template's order, so a bucket whose logging needs its target's
    policy in place was created before that policy.
    """
    diff = _original_build_resource_diff(self, other_template, parameters)
    resources = other_template.get("Resources", {})
    adding = diff["Add"]
    ordered: list[str] = []

    def visit(name: str, seen: tuple[str, ...] = ()) -> None:
        if name in ordered or name in seen or name not in adding:
            return
        depends = resources.get(name, {}).get("DependsOn") or []
        for dependency in [depends] if isinstance(depends, str) else depends:
            visit(dependency, seen + (name,))
        ordered.append(name)

    for name in adding:
        visit(name)
    diff["Add"] = ordered
    return diff


def _refers(value: Any, names: set[str]) -> bool:
    """Whether a template fragment refers to one of ``names`` (Ref, GetAtt, Sub)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "Ref" and isinstance(item, str) and item in names:
                return True
            if key == "Fn::GetAtt":
                target = item[0] if isinstance(item, list) and item else str(item).split(".")[0]
                if target in names:
                    return True
            if _refers(item, names):
                return True
        return False
    if isinstance(value, list):
        return any(_refers(item, names) for item in value)
    if isinstance(value, str):
        return any(f"${{{name}}}" in value or f"${{{name}." in value for name in names)
    return False


_original_update = parsing.ResourceMap.update


def _update(self, template, parameters=None):
    """moto's update, then the resources that refer to a replaced one are updated too.

    CloudFormation resolves every reference again after a replacement: a bucket policy
    whose ``Bucket: Ref`` names a bucket that was replaced moves to the new bucket. moto
    updated only resources whose own template text changed, so the new bucket had no
    policy at all.
    """
    before = {
        name: resource.physical_resource_id
        for name, resource in self._parsed_resources.items()
        if hasattr(resource, "physical_resource_id")
    }
    _original_update(self, template, parameters)
    replaced = {
        name
        for name, resource in self._parsed_resources.items()
        if name in before and getattr(resource, "physical_resource_id", None) != before[name]
    }
    done: set[str] = set(replaced)
    while replaced:
        dependents = [
            name
            for name, resource in self._resource_json_map.items()
            if name not in done and name in self._parsed_resources and _refers(resource.get("Properties", {}), replaced)
        ]
        replaced = set()
        for name in dependents:
            previous = getattr(self._parsed_resources[name], "physical_resource_id", None)
            self._parsed_resources[name] = parsing.parse_and_update_resource(
                name, self._resource_json_map[name], self, account_id=self._account_id, region_name=self._region_name
            )
            done.add(name)
            if getattr(self._parsed_resources[name], "physical_resource_id", None) != previous:
                replaced.add(name)


def install() -> None:
    parsing.ResourceMap.update = _update
    parsing.ResourceMap.build_resource_diff = _build_resource_diff
    parsing.ResourceMap.delete = _delete_resources
    CloudFormationBackend.create_change_set = create_change_set
    CloudFormationBackend.execute_change_set = execute_change_set
    CloudFormationBackend.update_stack = update_stack
    CloudFormationResponse.create_change_set = create_change_set_response
    CloudFormationResponse.describe_change_set = describe_change_set
    CloudFormationResponse.delete_change_set = delete_change_set
    CloudFormationResponse.list_change_sets = list_change_sets
    parsing.parse_and_update_resource = parse_and_update_resource
    parsing.ResourceMap._delete_resource = _delete_resource
