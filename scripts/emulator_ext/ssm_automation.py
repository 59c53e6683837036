"""A small SSM Automation engine that runs documents against the emulator itself.

moto has SSM documents but no automation executions. This module serves
StartAutomationExecution, GetAutomationExecution,
DescribeAutomationExecutions, DescribeAutomationStepExecutions and
StopAutomationExecution from moto's SSM backend, and runs an execution's steps
in a background thread, so that a client polls and sees each step go from
InProgress to Success or Failed, as on AWS.

Every API call a step makes goes to this very server (boto3, endpoint from
``MOTO_PORT``), in the account and region of the execution, **as the
document's assume role**: the role must exist in that account and trust
``ssm.amazonaws.com`` (evaluated with policy.py, with ``aws:SourceAccount``
and ``aws:SourceArn`` in the context, as the confused-deputy guidance
suggests), and each call must be allowed by the role's identity policies
(inline and attached, within its permissions boundary). The action is
``<service>:<Operation>``; the resources and condition keys are derived from
the request as the Service Authorization Reference lists them for the
operations containment needs (EC2 instances, interfaces, security groups,
snapshots with the account-less snapshot ARN, tag-on-create as ec2:CreateTags
with ``ec2:CreateAction``, ``iam:PassRole`` for instance profiles with
``iam:PassedToService``, ``iam:PolicyARN`` for policy attachment, the KMS
permissions of an encrypted CopySnapshot, ``ec2:ResourceTag/*`` from the
resource's tags; ``aws:PrincipalOrgID`` when the account is in an
organization). An operation not in the table is checked against resource
``*``. A denied call fails with the service's own code (``UnauthorizedOperation``
for EC2, ``AccessDenied`` for IAM and Auto Scaling, ``AccessDeniedException``
for KMS and SSM) and a message in AWS's form. Documents without an assume
role are refused: the engine never runs steps with unchecked permissions.
https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-setup.html
https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html

Step types implemented (Systems Manager Automation actions reference,
https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-actions.html):
``aws:executeAwsApi``, ``aws:executeScript`` (Python runtimes, run in this
process; its ``boto3`` is the role's), ``aws:branch``,
``aws:assertAwsResourceProperty``, ``aws:waitForAwsResourceProperty`` and
``aws:sleep``. Any other action fails the step, and so the execution, with
"not implemented by the emulator": nothing passes silently. Step properties:
``onFailure`` (Abort, Continue, step:<name>), ``isCritical``, ``isEnd``,
``nextStep``, ``maxAttempts``, ``timeoutSeconds`` (for waits and sleeps).
Variables: ``{{ Parameter }}``, ``{{ Step.Output }}``, ``{{ global:ACCOUNT_ID }}``,
``{{ global:REGION }}``, ``{{ global:AWS_PARTITION }}``, ``{{ global:DATE }}``,
``{{ global:DATE_TIME }}``, ``{{ automation:EXECUTION_ID }}``; a value that is
exactly one variable keeps the variable's type (a StringList stays a list).
"""

from __future__ import annotations

import builtins
import datetime
import json
import os
import re
import threading
import time
import traceback
import types
import uuid
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from moto.ec2.models import ec2_backends
from moto.iam.models import iam_backends
from moto.ssm.exceptions import SSMException
from moto.ssm.models import SimpleSystemManagerBackend
from moto.ssm.responses import SimpleSystemManagerResponse
from moto.utilities.utils import get_partition

from . import policy

# -- errors --------------------------------------------------------------------


class _Error(SSMException):
    code_name = ""

    def __init__(self, message: str):
        super().__init__(self.code_name, message)


class AutomationDefinitionNotFound(_Error):
    code_name = "AutomationDefinitionNotFoundException"


class AutomationDefinitionVersionNotFound(_Error):
    code_name = "AutomationDefinitionVersionNotFoundException"


class InvalidAutomationExecutionParameters(_Error):
    code_name = "InvalidAutomationExecutionParametersException"


class AutomationExecutionNotFound(_Error):
    code_name = "AutomationExecutionNotFoundException"


class InvalidAutomationStatusUpdate(_Error):
    code_name = "InvalidAutomationStatusUpdateException"


class StepFailure(Exception):
    """A step failed; ``kind`` is AWS's FailureType (Verification, Unknown, ...)."""

    def __init__(self, message: str, kind: str = "Verification", status: str = "Failed"):
        super().__init__(message)
        self.kind = kind
        self.status = status


TERMINAL = {"Success", "Failed", "Cancelled", "TimedOut"}
_POLL_SECONDS = 0.25


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def _epoch(value: datetime.datetime | None) -> float | None:
    return value.timestamp() if value else None


def _plain(value: Any) -> Any:
    """A boto3 response as JSON-able data (timestamps as ISO 8601 text)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    return value


# -- JSONPath selectors ---------------------------------------------------------

_MISSING = object()
_TOKEN = re.compile(r"\.\.([A-Za-z0-9_\-]+)|\.([A-Za-z0-9_\-]+)|\[(\d+|\*)\]|\['([^']+)'\]")


def select(document: Any, selector: str) -> Any:
    """Evaluate the JSONPath subset Automation selectors use ($, .a, [0], [*], ..a).

    Returns the single value, a list when the path fans out, or _MISSING.
    """
    if not selector.startswith("$"):
        raise StepFailure(f"selector {selector!r} must start with $")
    values, fanned, position = [document], False, 1
    while position < len(selector):
        match = _TOKEN.match(selector, position)
        if not match:
            raise StepFailure(f"selector {selector!r} is not a supported JSONPath")
        position = match.end()
        deep, name, index, quoted = match.groups()
        name = name or quoted
        following: list[Any] = []
        if deep:
            fanned = True
            for value in values:
                following.extend(_descend(value, deep))
        elif name is not None:
            following = [v[name] for v in values if isinstance(v, dict) and name in v]
        elif index == "*":
            fanned = True
            for value in values:
                following.extend(value if isinstance(value, list) else value.values() if isinstance(value, dict) else [])
        else:
            following = [v[int(index)] for v in values if isinstance(v, list) and int(index) < len(v)]
        values = following
    if fanned:
        return values
    return values[0] if values else _MISSING


def _descend(value: Any, name: str) -> list[Any]:
    found = []
    if isinstance(value, dict):
        if name in value:
            found.append(value[name])
        for item in value.values():
            found.extend(_descend(item, name))
    elif isinstance(value, list):
        for item in value:
            found.extend(_descend(item, name))
    return found


def _typed_output(value: Any, kind: str, name: str) -> Any:
    """A selected value as the declared output type, or a step failure."""
    if kind == "String":
        if isinstance(value, (dict, list)):
            raise StepFailure(f"output {name} is declared String but the selector returns {type(value).__name__}")
        return _text(value)
    if kind == "Integer":
        try:
            return int(value)
        except (TypeError, ValueError):
            raise StepFailure(f"output {name} is declared Integer but the value is {value!r}") from None
    if kind == "Boolean":
        if isinstance(value, bool):
            return value
        if str(value).lower() in ("true", "false"):
            return str(value).lower() == "true"
        raise StepFailure(f"output {name} is declared Boolean but the value is {value!r}")
    if kind == "StringList":
        if not isinstance(value, list):
            raise StepFailure(f"output {name} is declared StringList but the value is {value!r}")
        return [_text(v) if not isinstance(v, (dict, list)) else json.dumps(v) for v in value]
    if kind == "StringMap":
        if not isinstance(value, dict):
            raise StepFailure(f"output {name} is declared StringMap but the value is {value!r}")
        return value
    if kind == "MapList":
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise StepFailure(f"output {name} is declared MapList but the value is {value!r}")
        return value
    raise StepFailure(f"output {name} has an unknown Type {kind!r}")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


def _api_strings(value: Any) -> list[str]:
    """An output or parameter value in the API's form: a list of strings."""
    if isinstance(value, list):
        return [v if isinstance(v, str) else json.dumps(v) for v in value]
    return [_text(value)]


# -- parameters ------------------------------------------------------------------


def _parameter_value(name: str, definition: dict[str, Any], given: list[str]) -> Any:
    kind = definition.get("type", "String")

    def bad(reason: str) -> InvalidAutomationExecutionParameters:
        return InvalidAutomationExecutionParameters(f"Parameter \"{name}\" {reason}")

    if not isinstance(given, list):
        raise bad("must be given as a list of strings")
    if kind in ("StringList", "MapList", "List<AWS::EC2::Instance::Id>", "List<AWS::S3::Bucket::Name>"):
        values: Any = list(given)
        if kind == "MapList":
            try:
                values = [json.loads(v) if isinstance(v, str) else v for v in given]
            except ValueError:
                raise bad("is a MapList: each value must be a JSON object") from None
        if "minItems" in definition and len(values) < int(definition["minItems"]):
            raise bad(f"needs at least {definition['minItems']} items")
        if "maxItems" in definition and len(values) > int(definition["maxItems"]):
            raise bad(f"takes at most {definition['maxItems']} items")
        checked = values if kind != "MapList" else []
    else:
        if len(given) != 1:
            raise bad(f"is of type {kind} and takes exactly one value, got {len(given)}")
        raw = given[0]
        if kind == "Boolean":
            if str(raw).lower() not in ("true", "false"):
                raise bad(f"is of type Boolean; {raw!r} is neither true nor false")
            return str(raw).lower() == "true"
        if kind == "Integer":
            try:
                return int(raw)
            except ValueError:
                raise bad(f"is of type Integer; {raw!r} is not an integer") from None
        if kind == "StringMap":
            try:
                values = json.loads(raw) if isinstance(raw, str) else raw
            except ValueError:
                values = None
            if not isinstance(values, dict):
                raise bad("is of type StringMap; the value must be a JSON object")
            return values
        if kind == "AWS::IAM::Role::Arn" and not re.match(r"^arn:aws[a-z-]*:iam::\d{12}:role/", raw):
            raise bad(f"must be an IAM role ARN, got {raw!r}")
        values = raw
        checked = [raw]
    for value in checked:
        if not isinstance(value, str):
            continue
        if "allowedValues" in definition and value not in [str(v) for v in definition["allowedValues"]]:
            raise bad(f"value {value!r} is not one of the allowed values {definition['allowedValues']}")
        if "allowedPattern" in definition and not re.search(definition["allowedPattern"], value):
            raise bad(f"value {value!r} does not match the allowed pattern {definition['allowedPattern']}")
        if "minChars" in definition and len(value) < int(definition["minChars"]):
            raise bad(f"value is shorter than {definition['minChars']} characters")
        if "maxChars" in definition and len(value) > int(definition["maxChars"]):
            raise bad(f"value is longer than {definition['maxChars']} characters")
    return values


def resolve_parameters(content: dict[str, Any], given: dict[str, list[str]]) -> dict[str, Any]:
    declared = content.get("parameters") or {}
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise InvalidAutomationExecutionParameters(f"Parameters {unknown} are not defined in the document")
    values: dict[str, Any] = {}
    for name, definition in declared.items():
        definition = definition or {}
        if name in given:
            values[name] = _parameter_value(name, definition, given[name])
        elif "default" in definition:
            values[name] = definition["default"]
        else:
            raise InvalidAutomationExecutionParameters(f"Parameter \"{name}\" is required and has no default value")
    return values


# -- authorization ---------------------------------------------------------------

_EC2_KINDS = {
    "i-": "instance", "sg-": "security-group", "eni-": "network-interface", "snap-": "snapshot",
    "vol-": "volume", "vpc-": "vpc", "subnet-": "subnet", "ami-": "image", "eipalloc-": "elastic-ip",
}
_DENIED_CODES = {"ec2": "UnauthorizedOperation", "kms": "AccessDeniedException", "ssm": "AccessDeniedException"}


class _Role:
    """The assume role of an execution, and its identity policies."""

    def __init__(self, arn: str, account: str, region: str, execution_id: str):
        self.arn = arn
        self.account = account
        self.region = region
        self.partition = get_partition(region)
        self.name = arn.rsplit("/", 1)[-1]
        self.session = f"arn:{self.partition}:sts::{account}:assumed-role/{self.name}/Automation-{execution_id}"
        self.issued = _now()

    def iam(self):
        return iam_backends[self.account][self.partition]

    def role(self):
        for role in self.iam().roles.values():
            if role.arn == self.arn:
                return role
        raise StepFailure(f"The defined assume role {self.arn} does not exist.", "Verification")

    def policies(self) -> tuple[list[str], str | None]:
        role = self.role()
        documents = list(role.policies.values())
        for managed in role.managed_policies.values():
            documents.append(next(v.document for v in managed.versions if v.is_default))
        boundary = None
        if role.permissions_boundary_arn:
            managed = self.iam().managed_policies.get(role.permissions_boundary_arn)
            boundary = next(v.document for v in managed.versions if v.is_default) if managed else None
        return documents, boundary

    def context(self, extra: dict[str, Any]) -> dict[str, Any]:
        now = _now()
        context = {
            "aws:PrincipalArn": self.arn,
            "aws:PrincipalAccount": self.account,
            "aws:PrincipalType": "AssumedRole",
            "aws:userid": f"AROA{self.name.upper()[:16]}:Automation",
            "aws:RequestedRegion": self.region,
            "aws:CurrentTime": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "aws:EpochTime": str(int(now.timestamp())),
            "aws:TokenIssueTime": self.issued.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "aws:SecureTransport": "true",
            "aws:ViaAWSService": "false",
        }
        # "aws:PrincipalOrgID ... This key is included in the request context for all signed
        # requests", for principals of accounts in an organization (IAM User Guide, AWS global
        # condition context keys): a key policy that admits the organization admits the role.
        # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgid
        from .delivery import organization

        org = organization(self.account)
        if org is not None:
            context["aws:PrincipalOrgID"] = org.id
        for key, value in extra.items():
            context[key] = value
        return context

    def check_trust(self, execution_id: str) -> None:
        role = self.role()
        request = policy.Request(
            policy.Principal.service("ssm.amazonaws.com"),
            "sts:AssumeRole",
            self.arn,
            {
                "aws:SourceAccount": self.account,
                "aws:SourceArn": f"arn:{self.partition}:ssm:{self.region}:{self.account}:automation-execution/{execution_id}",
            },
        )
        if not policy.evaluate(role.assume_role_policy_document, request).allowed:
            raise StepFailure(
                f"The defined assume role is unable to be assumed: {self.arn} does not trust ssm.amazonaws.com.",
                "Verification",
            )

    def allowed(self, action: str, resource: str, extra: dict[str, Any]) -> tuple[bool, str]:
        documents, boundary = self.policies()
        request = policy.Request(policy.Principal.aws(self.session), action, resource, self.context(extra))
        result = policy.evaluate_all(documents, request)
        if not result.allowed:
            how = "with an explicit deny in an identity-based policy" if result.decision is policy.Decision.EXPLICIT_DENY \
                else f"because no identity-based policy allows the {action} action"
            return False, how
        if boundary is not None and not policy.evaluate(boundary, request).allowed:
            return False, f"because no permissions boundary allows the {action} action"
        return True, ""

    def key_policy_allows(self, key: Any, action: str, extra: dict[str, Any]) -> tuple[bool, str]:
        if not getattr(key, "policy", None) or getattr(key, "key_manager", "CUSTOMER") == "AWS":
            return True, ""
        request = policy.Request(policy.Principal.aws(self.session), action, key.arn, self.context(extra))
        if policy.evaluate(key.policy, request).allowed:
            return True, ""
        return False, "because no resource-based policy (the key policy) allows the action"


def _tags_context(prefixes: tuple[str, ...], tags: dict[str, str]) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for key, value in tags.items():
        for prefix in prefixes:
            context[f"{prefix}/{key}"] = value
    return context


def _request_tags(tag_specifications: list[dict[str, Any]] | None, tags: list[dict[str, Any]] | None = None) -> dict[str, str]:
    found: dict[str, str] = {}
    for specification in tag_specifications or []:
        for tag in specification.get("Tags") or []:
            found[tag["Key"]] = tag.get("Value", "")
    for tag in tags or []:
        found[tag["Key"]] = tag.get("Value", "")
    return found


class _Checks:
    """The (action, resource ARN, context) triples one request needs allowed."""

    def __init__(self, role: _Role, region: str):
        self.role = role
        self.region = region
        self.account = role.account
        self.partition = role.partition
        self.items: list[tuple[str, str, dict[str, Any], Any]] = []

    def add(self, action: str, resource: str, context: dict[str, Any] | None = None, key: Any = None) -> None:
        self.items.append((action, resource, dict(context or {}), key))

    def ec2_arn(self, kind: str, resource_id: str, region: str | None = None) -> str:
        account = "" if kind in ("snapshot", "image") else self.account
        return f"arn:{self.partition}:ec2:{region or self.region}:{account}:{kind}/{resource_id}"

    def ec2_id(self, action: str, resource_id: str, context: dict[str, Any] | None = None, region: str | None = None) -> None:
        kind = next((k for prefix, k in _EC2_KINDS.items() if resource_id.startswith(prefix)), None)
        if kind is None:
            self.add(action, "*", context)
            return
        tags = dict(ec2_backends[self.account][region or self.region].tags.get(resource_id, {}))
        merged = _tags_context(("aws:ResourceTag", "ec2:ResourceTag"), tags)
        merged.update(context or {})
        self.add(action, self.ec2_arn(kind, resource_id, region), merged)

    def tag_on_create(self, operation: str, kind: str, params: dict[str, Any]) -> None:
        tags = _request_tags(params.get("TagSpecifications"))
        if tags:
            context = {"ec2:CreateAction": operation, "aws:TagKeys": sorted(tags)}
            context.update(_tags_context(("aws:RequestTag",), tags))
            self.add("ec2:CreateTags", self.ec2_arn(kind, "*"), context)

    def pass_role(self, profile: dict[str, Any], instance_arn: str) -> None:
        backend = iam_backends[self.account][self.partition]
        name = profile.get("Name") or (profile.get("Arn") or "").rsplit("/", 1)[-1]
        found = next((p for p in backend.instance_profiles.values() if p.name == name), None)
        for role in found.roles if found else []:
            self.add("iam:PassRole", role.arn, {"iam:PassedToService": "ec2.amazonaws.com",
                                                 "iam:AssociatedResourceArn": instance_arn})

    def kms_for_ebs(self, key_ref: str) -> None:
        from .ec2_ebs_sharing import _find_key

        key = _find_key(key_ref, self.account, self.region)
        arn = key.arn if key else key_ref
        via = {"kms:ViaService": f"ec2.{self.region}.amazonaws.com", "kms:CallerAccount": self.account}
        # "kms:CreateGrant, kms:Decrypt, kms:DescribeKey, kms:GenerateDataKeyWithoutPlainText, kms:ReEncrypt"
        # https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption-requirements.html
        self.add("kms:CreateGrant", arn, {**via, "kms:GrantIsForAWSResource": "true"}, key)
        for action in ("kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptFrom", "kms:ReEncryptTo"):
            self.add(action, arn, via, key)


def _instance_of_association(account: str, region: str, association_id: str) -> str | None:
    backend = ec2_backends[account][region]
    for association in getattr(backend, "iam_instance_profile_associations", {}).values():
        if association.association_id == association_id:
            return association.instance_id
    return None


def _allocation_of_association(account: str, region: str, association_id: str) -> str | None:
    for address in ec2_backends[account][region].addresses:
        if getattr(address, "association_id", None) == association_id:
            return address.allocation_id
    return None


def _ec2_checks(checks: _Checks, operation: str, params: dict[str, Any]) -> None:
    action = f"ec2:{operation}"
    if operation.startswith(("Describe", "Get")):
        checks.add(action, "*")
    elif operation in ("ModifyInstanceAttribute", "ModifyNetworkInterfaceAttribute"):
        checks.ec2_id(action, params.get("InstanceId") or params.get("NetworkInterfaceId"))
        for group in params.get("Groups") or []:
            checks.ec2_id(action, group)
    elif operation == "CreateSecurityGroup":
        checks.add(action, checks.ec2_arn("security-group", "*"), _tags_context(("aws:RequestTag",), _request_tags(params.get("TagSpecifications"))))
        if params.get("VpcId"):
            checks.ec2_id(action, params["VpcId"])
        checks.tag_on_create(operation, "security-group", params)
    elif operation in ("AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress",
                       "RevokeSecurityGroupEgress", "DeleteSecurityGroup"):
        checks.ec2_id(action, params.get("GroupId", "*"))
    elif operation == "DisassociateAddress":
        allocation = _allocation_of_association(checks.account, checks.region, params.get("AssociationId", ""))
        checks.ec2_id(action, allocation or "*")
    elif operation == "AssociateIamInstanceProfile":
        checks.ec2_id(action, params["InstanceId"])
        checks.pass_role(params.get("IamInstanceProfile") or {}, checks.ec2_arn("instance", params["InstanceId"]))
    elif operation in ("ReplaceIamInstanceProfileAssociation", "DisassociateIamInstanceProfile"):
        instance = _instance_of_association(checks.account, checks.region, params.get("AssociationId", "")) or "*"
        checks.ec2_id(action, instance)
        if operation.startswith("Replace"):
            checks.pass_role(params.get("IamInstanceProfile") or {}, checks.ec2_arn("instance", instance))
    elif operation == "CreateSnapshot":
        checks.ec2_id(action, params["VolumeId"])
        checks.add(action, checks.ec2_arn("snapshot", "*"))
        checks.tag_on_create(operation, "snapshot", params)
    elif operation == "CopySnapshot":
        source_region = params.get("SourceRegion") or checks.region
        checks.ec2_id(action, params["SourceSnapshotId"], region=source_region)
        checks.add(action, checks.ec2_arn("snapshot", "*"))
        checks.tag_on_create(operation, "snapshot", params)
        source = ec2_backends[checks.account][source_region].snapshots.get(params["SourceSnapshotId"])
        if params.get("KmsKeyId"):
            checks.kms_for_ebs(params["KmsKeyId"])
        if source is not None and source.encrypted and source.kms_key_id:
            checks.kms_for_ebs(source.kms_key_id)
    elif operation == "ModifySnapshotAttribute":
        permission = params.get("CreateVolumePermission") or {}
        added = [p["UserId"] for p in permission.get("Add") or [] if p.get("UserId")]
        removed = [p["UserId"] for p in permission.get("Remove") or [] if p.get("UserId")]
        users = list(params.get("UserIds") or [])
        groups = [p["Group"] for p in permission.get("Add") or [] if p.get("Group")] + list(params.get("GroupNames") or [])
        if params.get("OperationType", "add") == "add":
            added += users
        else:
            removed += users
        context: dict[str, Any] = {"ec2:Attribute": params.get("Attribute", "createVolumePermission")}
        if added:
            context["ec2:Add/userId"] = added
        if removed:
            context["ec2:Remove/userId"] = removed
        if groups:
            context["ec2:Add/group"] = groups
        checks.ec2_id(action, params["SnapshotId"], context)
    elif operation in ("CreateTags", "DeleteTags"):
        tags = _request_tags(None, params.get("Tags"))
        context = {"aws:TagKeys": sorted(tags)} if tags else {}
        context.update(_tags_context(("aws:RequestTag",), tags))
        for resource in params.get("Resources") or []:
            checks.ec2_id(action, resource, context)
    elif operation in ("DeleteSnapshot",):
        checks.ec2_id(action, params["SnapshotId"])
    else:
        checks.add(action, "*")


def _iam_tags(entity: Any) -> dict[str, str]:
    """An IAM role's or user's tags (moto keeps {key: {"Key", "Value"}})."""
    tags = getattr(entity, "tags", None) or {}
    if isinstance(tags, dict):
        return {k: (v.get("Value", "") if isinstance(v, dict) else str(v)) for k, v in tags.items()}
    return {t["Key"]: t.get("Value", "") for t in tags}


def _iam_checks(checks: _Checks, operation: str, params: dict[str, Any]) -> None:
    action = f"iam:{operation}"
    backend = iam_backends[checks.account][checks.partition]
    base = f"arn:{checks.partition}:iam::{checks.account}:"
    context: dict[str, Any] = {}
    if params.get("PolicyArn") and operation.startswith(("Attach", "Detach")):
        context["iam:PolicyARN"] = params["PolicyArn"]
    if params.get("Tags"):
        tags = _request_tags(None, params["Tags"])
        context["aws:TagKeys"] = sorted(tags)
        context.update(_tags_context(("aws:RequestTag",), tags))
    if operation == "GetAccessKeyLastUsed":
        owner = next((u for u in backend.users.values() if any(k.access_key_id == params.get("AccessKeyId") for k in u.access_keys)), None)
        checks.add(action, owner.arn if owner else base + "user/*", context)
    elif params.get("RoleName"):
        role = next((r for r in backend.roles.values() if r.name == params["RoleName"]), None)
        tagged = {**context, **_tags_context(("aws:ResourceTag", "iam:ResourceTag"), _iam_tags(role))}
        checks.add(action, role.arn if role else f"{base}role/{params['RoleName']}", tagged)
    elif params.get("UserName"):
        user = backend.users.get(params["UserName"])
        tagged = {**context, **_tags_context(("aws:ResourceTag", "iam:ResourceTag"), _iam_tags(user))}
        checks.add(action, user.arn if user else f"{base}user/{params['UserName']}", tagged)
    elif params.get("InstanceProfileName"):
        checks.add(action, f"{base}instance-profile/{params['InstanceProfileName']}", context)
    elif params.get("PolicyArn"):
        checks.add(action, params["PolicyArn"], context)
    else:
        checks.add(action, "*", context)


def _autoscaling_checks(checks: _Checks, operation: str, params: dict[str, Any]) -> None:
    action = f"autoscaling:{operation}"
    from moto.autoscaling.models import autoscaling_backends

    name = params.get("AutoScalingGroupName")
    group = autoscaling_backends[checks.account][checks.region].autoscaling_groups.get(name) if name else None
    checks.add(action, group.arn if group is not None else "*")


def required_checks(role: _Role, region: str, service: str, operation: str, params: dict[str, Any]) -> _Checks:
    checks = _Checks(role, region)
    if service == "ec2":
        _ec2_checks(checks, operation, params)
    elif service == "iam":
        _iam_checks(checks, operation, params)
    elif service == "autoscaling":
        _autoscaling_checks(checks, operation, params)
    elif service == "sts" and operation == "GetCallerIdentity":
        pass  # "No permissions are required to perform this operation."
    else:
        checks.add(f"{service}:{operation}", "*")
    return checks


# -- clients as the role ----------------------------------------------------------


def _server_url() -> str:
    return f"http://127.0.0.1:{os.environ.get('MOTO_PORT', '5000')}"


_SESSION: Any = None
_SESSION_LOCK = threading.Lock()


class RoleSession:
    """boto3 clients that call this server as an execution's assume role."""

    def __init__(self, role: _Role, region: str):
        self.role = role
        self.region = region

    def client(self, service_name: str, region_name: str | None = None, **_: Any):
        region = region_name or self.region
        with _SESSION_LOCK:
            # One session for the process: building one loads every service model again.
            global _SESSION
            if _SESSION is None:
                _SESSION = boto3.session.Session()
            session = _SESSION
        client = session.client(
            service_name,
            region_name=region,
            endpoint_url=_server_url(),
            aws_access_key_id="automation",
            aws_secret_access_key="automation",
            config=Config(retries={"max_attempts": 1, "mode": "standard"}, read_timeout=60),
        )

        def authorize(params: dict[str, Any], model: Any, **__: Any) -> None:
            prefix = model.service_model.signing_name or model.service_model.endpoint_prefix
            checks = required_checks(self.role, region, prefix, model.name, params)
            for action, resource, context, key in checks.items:
                allowed, why = self.role.allowed(action, resource, context)
                if allowed and key is not None:
                    allowed, why = self.role.key_policy_allows(key, action, context)
                if not allowed:
                    code = _DENIED_CODES.get(prefix, "AccessDenied")
                    message = (
                        f"User: {self.role.session} is not authorized to perform: {action} on resource: {resource} {why}"
                    )
                    if code == "UnauthorizedOperation":
                        message = "You are not authorized to perform this operation. " + message
                    raise ClientError({"Error": {"Code": code, "Message": message}}, model.name)

        def account_header(request: Any, **__: Any) -> None:
            request.headers["x-moto-account-id"] = self.role.account

        client.meta.events.register("before-parameter-build", authorize)
        client.meta.events.register("before-sign", account_header)
        return client

    def boto3_module(self) -> types.ModuleType:
        """What ``import boto3`` gives an aws:executeScript handler."""
        module = types.ModuleType("boto3")
        session = self

        class Session:
            def __init__(self, *args: Any, **kwargs: Any):
                self.region_name = kwargs.get("region_name") or session.region

            def client(self, service_name: str, region_name: str | None = None, **kwargs: Any):
                return session.client(service_name, region_name or self.region_name)

        module.client = session.client  # type: ignore[attr-defined]
        module.Session = Session  # type: ignore[attr-defined]
        module.session = types.SimpleNamespace(Session=Session)  # type: ignore[attr-defined]
        return module


# -- executions --------------------------------------------------------------------


class StepRecord:
    def __init__(self, step: dict[str, Any]):
        self.id = str(uuid.uuid4())
        self.name = step["name"]
        self.action = step["action"]
        self.status = "Pending"
        self.inputs: dict[str, str] = {}
        self.outputs: dict[str, list[str]] = {}
        self.failure_message: str | None = None
        self.failure_type: str | None = None
        self.start: datetime.datetime | None = None
        self.end: datetime.datetime | None = None
        self.on_failure = step.get("onFailure", "Abort")
        self.max_attempts = int(step.get("maxAttempts", 1))
        self.timeout = step.get("timeoutSeconds")
        self.is_end = bool(step.get("isEnd", False))
        self.next_step = step.get("nextStep")
        self.is_critical = bool(step.get("isCritical", self.on_failure != "Continue"))

    def describe(self) -> dict[str, Any]:
        described: dict[str, Any] = {
            "StepName": self.name,
            "Action": self.action,
            "StepExecutionId": self.id,
            "StepStatus": self.status,
            "Inputs": self.inputs,
            "Outputs": self.outputs,
            "OnFailure": self.on_failure,
            "MaxAttempts": self.max_attempts,
            "IsEnd": self.is_end,
            "IsCritical": self.is_critical,
        }
        if self.timeout is not None:
            described["TimeoutSeconds"] = int(self.timeout)
        if self.next_step:
            described["NextStep"] = self.next_step
        if self.start:
            described["ExecutionStartTime"] = _epoch(self.start)
        if self.end:
            described["ExecutionEndTime"] = _epoch(self.end)
        if self.failure_message:
            described["FailureMessage"] = self.failure_message
            described["FailureDetails"] = {"FailureStage": "Execution", "FailureType": self.failure_type or "Unknown"}
        return described


class Execution:
    def __init__(self, backend: SimpleSystemManagerBackend, document: Any, parameters: dict[str, Any],
                 given: dict[str, list[str]], executed_by: str):
        self.id = str(uuid.uuid4())
        self.account = backend.account_id
        self.region = backend.region_name
        self.document = document
        self.content = document.content_json
        self.parameters = parameters
        self.given = given
        self.executed_by = executed_by
        self.status = "Pending"
        self.start = _now()
        self.end: datetime.datetime | None = None
        self.steps: list[StepRecord] = []
        self.values: dict[str, Any] = {}
        self.failure_message: str | None = None
        self.stop = threading.Event()
        self.current: StepRecord | None = None
        self.role: _Role | None = None

    # Variables

    def variable(self, name: str) -> Any:
        now = _now()
        builtins_ = {
            "global:ACCOUNT_ID": self.account,
            "global:REGION": self.region,
            "global:AWS_PARTITION": get_partition(self.region),
            "global:DATE": now.strftime("%Y-%m-%d"),
            "global:DATE_TIME": now.strftime("%Y-%m-%d_%H.%M.%S"),
            "automation:EXECUTION_ID": self.id,
        }
        if name in builtins_:
            return builtins_[name]
        if name in self.parameters:
            return self.parameters[name]
        if name in self.values:
            return self.values[name]
        raise StepFailure(f"the variable {{{{ {name} }}}} cannot be resolved (no such parameter, or that step's output was not produced)")

    _ONE = re.compile(r"^\s*\{\{\s*([A-Za-z0-9_:.\-]+)\s*\}\}\s*$")
    _ANY = re.compile(r"\{\{\s*([A-Za-z0-9_:.\-]+)\s*\}\}")

    def resolve(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if isinstance(value, str):
            whole = self._ONE.match(value)
            if whole:
                return self.variable(whole.group(1))
            return self._ANY.sub(lambda m: _text(self.variable(m.group(1))), value)
        return value

    def outputs(self) -> dict[str, list[str]]:
        result = {}
        for name in self.content.get("outputs") or []:
            if name in self.values:
                result[name] = _api_strings(self.values[name])
            else:
                result[name] = ["No output available yet because the step is not successfully executed"]
        return result

    def describe(self) -> dict[str, Any]:
        described: dict[str, Any] = {
            "AutomationExecutionId": self.id,
            "DocumentName": self.document.name,
            "DocumentVersion": self.document.document_version,
            "ExecutionStartTime": _epoch(self.start),
            "AutomationExecutionStatus": self.status,
            "StepExecutions": [step.describe() for step in list(self.steps)],
            "StepExecutionsTruncated": False,
            "Parameters": {name: _api_strings(value) for name, value in self.parameters.items()},
            "Outputs": self.outputs(),
            "Mode": "Auto",
            "ExecutedBy": self.executed_by,
        }
        if self.end:
            described["ExecutionEndTime"] = _epoch(self.end)
        if self.failure_message:
            described["FailureMessage"] = self.failure_message
        if self.current and self.status not in TERMINAL:
            described["CurrentStepName"] = self.current.name
            described["CurrentAction"] = self.current.action
        return described

    def metadata(self) -> dict[str, Any]:
        described = self.describe()
        keys = ("AutomationExecutionId", "DocumentName", "DocumentVersion", "AutomationExecutionStatus",
                "ExecutionStartTime", "ExecutionEndTime", "ExecutedBy", "Outputs", "Mode", "FailureMessage",
                "CurrentStepName", "CurrentAction")
        return {k: described[k] for k in keys if k in described}

    # Running

    def run(self) -> None:
        self.status = "InProgress"
        try:
            role_arn = self.resolve(self.content.get("assumeRole") or "")
            if not role_arn:
                raise StepFailure(
                    "This document has no assumeRole: the emulator runs automation only as an assume role, "
                    "whose permissions it checks."
                )
            if not isinstance(role_arn, str) or role_arn.split(":")[4:5] != [self.account]:
                raise StepFailure(f"The assume role {role_arn!r} is not a role in account {self.account}.")
            self.role = _Role(role_arn, self.account, self.region, self.id)
            self.role.check_trust(self.id)
            self._run_steps(self.content.get("mainSteps") or [])
        except StepFailure as failure:
            self.status = "Failed"
            self.failure_message = str(failure)
        except Exception as error:  # the engine itself failed: say so, never pass
            self.status = "Failed"
            self.failure_message = f"Internal emulator error: {error!r}\n{traceback.format_exc()}"
        self.end = _now()

    def _run_steps(self, steps: list[dict[str, Any]]) -> None:
        names = {step["name"]: index for index, step in enumerate(steps)}
        index: int | None = 0
        failed = False
        while index is not None and index < len(steps):
            if self.stop.is_set():
                self.status = "Cancelled"
                return
            step = steps[index]
            record = StepRecord(step)
            self.steps.append(record)
            self.current = record
            target = self._run_step(step, record)
            if self.stop.is_set() and record.status in ("Cancelled",):
                self.status = "Cancelled"
                return
            if record.status == "Success":
                if record.is_end:
                    break
                following = target or record.next_step
                index = names[following] if following else index + 1
                continue
            # Failed or TimedOut.
            if record.is_critical:
                failed = True
                self.failure_message = f"Step {record.name} failed: {record.failure_message}"
            if record.on_failure == "Continue":
                index = names[record.next_step] if record.next_step else index + 1
            elif isinstance(record.on_failure, str) and record.on_failure.startswith("step:"):
                index = names[record.on_failure[5:]]
            else:
                index = None
        self.status = "Cancelled" if self.stop.is_set() else "Failed" if failed else "Success"

    def _run_step(self, step: dict[str, Any], record: StepRecord) -> str | None:
        record.status = "InProgress"
        record.start = _now()
        target = None
        for attempt in range(max(1, record.max_attempts)):
            try:
                inputs = self.resolve(step.get("inputs") or {})
                record.inputs = {k: _text(v) for k, v in inputs.items()}
                target = _ACTIONS.get(step["action"], _not_implemented)(self, step, inputs, record)
                record.status = "Success"
                record.failure_message = None
                break
            except StepFailure as failure:
                record.status, record.failure_message, record.failure_type = failure.status, str(failure), failure.kind
            except ClientError as error:
                record.status, record.failure_message, record.failure_type = "Failed", str(error), "Unknown"
            except BotoCoreError as error:
                record.status, record.failure_message, record.failure_type = "Failed", str(error), "Unknown"
            if self.stop.is_set():
                record.status = "Cancelled"
                break
        record.end = _now()
        return target

    def set_outputs(self, step: dict[str, Any], record: StepRecord, document: Any) -> None:
        for output in step.get("outputs") or []:
            name, selector, kind = output.get("Name"), output.get("Selector"), output.get("Type", "String")
            selected = select(document, selector)
            if selected is _MISSING:
                continue
            value = _typed_output(selected, kind, name)
            self.values[f"{step['name']}.{name}"] = value
            record.outputs[name] = _api_strings(value)


# -- actions ----------------------------------------------------------------------


def _call(execution: Execution, inputs: dict[str, Any]) -> Any:
    inputs = dict(inputs)
    service, api = inputs.pop("Service", None), inputs.pop("Api", None)
    for key in ("PropertySelector", "DesiredValues"):
        inputs.pop(key, None)
    session = RoleSession(execution.role, execution.region)
    try:
        client = session.client(str(service).lower())
    except Exception as error:
        raise StepFailure(f"Service {service!r} is not a valid service: {error}") from None
    operation = api if api in client.meta.service_model.operation_names else None
    if operation is None:
        # AWS also accepts the boto3 method name (describe_instances).
        operation = client.meta.method_to_api_mapping.get(api)
    if operation is None:
        raise StepFailure(f"{api} is not an operation of {service}")
    return _plain(client._make_api_call(operation, inputs))


def _execute_aws_api(execution: Execution, step: dict[str, Any], inputs: dict[str, Any], record: StepRecord) -> None:
    response = _call(execution, inputs)
    execution.set_outputs(step, record, response)


def _check_property(execution: Execution, inputs: dict[str, Any]) -> tuple[bool, Any]:
    response = _call(execution, inputs)
    selected = select(response, inputs["PropertySelector"])
    desired = [_text(v) for v in inputs["DesiredValues"]]
    values = selected if isinstance(selected, list) else [selected]
    if selected is _MISSING or not values:
        return False, None
    return all(_text(v) in desired for v in values), selected


def _assert_property(execution: Execution, step: dict[str, Any], inputs: dict[str, Any], record: StepRecord) -> None:
    ok, actual = _check_property(execution, inputs)
    if not ok:
        raise StepFailure(
            f"Expected values {inputs['DesiredValues']} at {inputs['PropertySelector']} but found {actual!r}."
        )


def _wait_property(execution: Execution, step: dict[str, Any], inputs: dict[str, Any], record: StepRecord) -> None:
    timeout = float(step.get("timeoutSeconds", 3600))
    deadline = time.monotonic() + timeout
    while True:
        ok, actual = _check_property(execution, inputs)
        if ok:
            return
        if time.monotonic() >= deadline:
            raise StepFailure(
                f"Step timed out after {timeout:g} seconds waiting for {inputs['PropertySelector']} "
                f"to be one of {inputs['DesiredValues']} (last value {actual!r}).",
                "Verification",
                "TimedOut",
            )
        if execution.stop.wait(_POLL_SECONDS):
            raise StepFailure("Cancelled", "Unknown", "Cancelled")


_DURATION = re.compile(r"^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$")


def _sleep(execution: Execution, step: dict[str, Any], inputs: dict[str, Any], record: StepRecord) -> None:
    if "Duration" in inputs:
        match = _DURATION.match(str(inputs["Duration"]))
        if not match or not any(match.groups()):
            raise StepFailure(f"Duration {inputs['Duration']!r} is not an ISO 8601 duration such as PT30S")
        hours, minutes, seconds = match.groups()
        seconds_total = int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(seconds or 0)
    else:
        until = datetime.datetime.fromisoformat(str(inputs["Timestamp"]).replace("Z", "+00:00"))
        seconds_total = max(0.0, (until - _now()).total_seconds())
    timeout = step.get("timeoutSeconds")
    if timeout is not None and seconds_total > float(timeout):
        execution.stop.wait(float(timeout))
        raise StepFailure(f"Step timed out after {timeout} seconds.", "Verification", "TimedOut")
    if execution.stop.wait(seconds_total):
        raise StepFailure("Cancelled", "Unknown", "Cancelled")


_BRANCH_OPERATORS = {
    "StringEquals": lambda a, b: _text(a) == _text(b),
    "EqualsIgnoreCase": lambda a, b: _text(a).lower() == _text(b).lower(),
    "StartsWith": lambda a, b: _text(a).startswith(_text(b)),
    "EndsWith": lambda a, b: _text(a).endswith(_text(b)),
    "Contains": lambda a, b: _text(b) in (a if isinstance(a, list) else _text(a)),
    "NumericEquals": lambda a, b: float(a) == float(b),
    "NumericGreater": lambda a, b: float(a) > float(b),
    "NumericLesser": lambda a, b: float(a) < float(b),
    "NumericGreaterOrEquals": lambda a, b: float(a) >= float(b),
    "NumericLesserOrEquals": lambda a, b: float(a) <= float(b),
    "BooleanEquals": lambda a, b: _text(a).lower() == _text(b).lower(),
}


def _choice_holds(choice: dict[str, Any]) -> bool:
    if "And" in choice:
        return all(_choice_holds(c) for c in choice["And"])
    if "Or" in choice:
        return any(_choice_holds(c) for c in choice["Or"])
    if "Not" in choice:
        return not _choice_holds(choice["Not"])
    operators = [k for k in choice if k in _BRANCH_OPERATORS]
    if "Variable" not in choice or len(operators) != 1:
        raise StepFailure(f"branch choice {choice!r} needs a Variable and exactly one operator")
    return _BRANCH_OPERATORS[operators[0]](choice["Variable"], choice[operators[0]])


def _branch(execution: Execution, step: dict[str, Any], inputs: dict[str, Any], record: StepRecord) -> str:
    for choice in inputs["Choices"]:
        if _choice_holds(choice):
            record.outputs["NextStep"] = [choice["NextStep"]]
            return choice["NextStep"]
    if inputs.get("Default"):
        record.outputs["NextStep"] = [inputs["Default"]]
        return inputs["Default"]
    raise StepFailure("No choice of the branch matched and the branch has no Default.")


def _execute_script(execution: Execution, step: dict[str, Any], inputs: dict[str, Any], record: StepRecord) -> None:
    runtime = inputs.get("Runtime", "")
    if not str(runtime).startswith("python3"):
        raise StepFailure(f"Runtime {runtime!r} is not implemented by the emulator (only Python runtimes are).", "Unknown")
    if "Script" not in inputs:
        raise StepFailure("Scripts given as attachments are not implemented by the emulator.", "Unknown")
    session = RoleSession(execution.role, execution.region)
    shim = session.boto3_module()
    real_import = builtins.__import__

    def guarded_import(name, globals=None, locals=None, fromlist=(), level=0):
        if name == "boto3" or name.startswith("boto3."):
            return shim
        return real_import(name, globals, locals, fromlist, level)

    namespace: dict[str, Any] = {"__builtins__": {**vars(builtins), "__import__": guarded_import}, "__name__": "script"}
    handler_name = str(inputs["Handler"]).rsplit(".", 1)[-1]
    try:
        exec(compile(inputs["Script"], f"<{step['name']}>", "exec"), namespace)
        handler = namespace.get(handler_name)
        if handler is None:
            raise StepFailure(f"The handler {handler_name} is not defined in the script.", "Unknown")
        context = {
            "automation:EXECUTION_ID": execution.id,
            "global:ACCOUNT_ID": execution.account,
            "global:REGION": execution.region,
        }
        payload = handler(inputs.get("InputPayload") or {}, context)
    except StepFailure:
        raise
    except Exception as error:
        # Only the script's own frames, as AWS shows them.
        frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename.startswith("<")]
        raise StepFailure(
            f"{type(error).__name__} - {error}\nTraceback (most recent call last):\n"
            + "".join(traceback.format_list(frames)),
            "Unknown",
        ) from None
    payload = _plain(payload)
    record.outputs["OutputPayload"] = [json.dumps({"Payload": payload})]
    execution.set_outputs(step, record, {"Payload": payload})


def _not_implemented(execution: Execution, step: dict[str, Any], inputs: dict[str, Any], record: StepRecord) -> None:
    raise StepFailure(f"The action {step['action']} is not implemented by the emulator.", "Unknown")


_ACTIONS = {
    "aws:executeAwsApi": _execute_aws_api,
    "aws:assertAwsResourceProperty": _assert_property,
    "aws:waitForAwsResourceProperty": _wait_property,
    "aws:sleep": _sleep,
    "aws:branch": _branch,
    "aws:executeScript": _execute_script,
}


# -- backend and API --------------------------------------------------------------


def _executions(backend: SimpleSystemManagerBackend) -> dict[str, Execution]:
    if not hasattr(backend, "irready_automation_executions"):
        backend.irready_automation_executions = {}
    return backend.irready_automation_executions


def start_automation_execution(backend: SimpleSystemManagerBackend, name: str, version: str | None,
                               parameters: dict[str, list[str]], executed_by: str) -> str:
    documents = backend._documents.get(name or "")
    if documents is None:
        raise AutomationDefinitionNotFound(f"Document with name {name} does not exist.")
    if not version or version == "$DEFAULT":
        document = documents.get_default_version()
    elif version == "$LATEST":
        document = documents.get_latest_version()
    else:
        document = documents.find_by_version(version)
        if document is None:
            raise AutomationDefinitionVersionNotFound(f"Document {name} has no version {version}.")
    if document.document_type != "Automation":
        raise AutomationDefinitionNotFound(f"Document {name} is not an Automation document.")
    values = resolve_parameters(document.content_json, parameters or {})
    execution = Execution(backend, document, values, parameters or {}, executed_by)
    _executions(backend)[execution.id] = execution
    threading.Thread(target=execution.run, name=f"automation-{execution.id}", daemon=True).start()
    return execution.id


def _execution(backend: SimpleSystemManagerBackend, execution_id: str) -> Execution:
    execution = _executions(backend).get(execution_id or "")
    if execution is None:
        raise AutomationExecutionNotFound(f"Automation execution {execution_id} does not exist.")
    return execution


def response_start(self: SimpleSystemManagerResponse) -> str:
    executed_by = f"arn:{get_partition(self.region)}:iam::{self.current_account}:root"
    execution_id = start_automation_execution(
        self.ssm_backend,
        self._get_param("DocumentName"),
        self._get_param("DocumentVersion"),
        self._get_param("Parameters") or {},
        executed_by,
    )
    return json.dumps({"AutomationExecutionId": execution_id})


def response_get(self: SimpleSystemManagerResponse) -> str:
    execution = _execution(self.ssm_backend, self._get_param("AutomationExecutionId"))
    return json.dumps({"AutomationExecution": execution.describe()})


def response_describe_steps(self: SimpleSystemManagerResponse) -> str:
    execution = _execution(self.ssm_backend, self._get_param("AutomationExecutionId"))
    steps = [step.describe() for step in list(execution.steps)]
    keys = {"StepName": "StepName", "StepExecutionStatus": "StepStatus", "Action": "Action", "StepExecutionId": "StepExecutionId"}
    for condition in self._get_param("Filters") or []:
        field = keys.get(condition.get("Key"))
        if field:
            steps = [s for s in steps if s.get(field) in condition.get("Values", [])]
    if self._get_param("ReverseOrder"):
        steps.reverse()
    return json.dumps({"StepExecutions": steps})


def response_describe_executions(self: SimpleSystemManagerResponse) -> str:
    executions = sorted(_executions(self.ssm_backend).values(), key=lambda e: e.start, reverse=True)
    for condition in self._get_param("Filters") or []:
        key, values = condition.get("Key"), condition.get("Values", [])
        if key == "DocumentNamePrefix":
            executions = [e for e in executions if any(e.document.name.startswith(v) for v in values)]
        elif key == "ExecutionStatus":
            executions = [e for e in executions if e.status in values]
        elif key == "ExecutionId":
            executions = [e for e in executions if e.id in values]
    return json.dumps({"AutomationExecutionMetadataList": [e.metadata() for e in executions]})


def response_stop(self: SimpleSystemManagerResponse) -> str:
    execution = _execution(self.ssm_backend, self._get_param("AutomationExecutionId"))
    if execution.status in TERMINAL:
        raise InvalidAutomationStatusUpdate(f"The automation execution {execution.id} is already complete.")
    execution.stop.set()
    execution.status = "Cancelling"
    return json.dumps({})


def install() -> None:
    SimpleSystemManagerResponse.start_automation_execution = response_start
    SimpleSystemManagerResponse.get_automation_execution = response_get
    SimpleSystemManagerResponse.describe_automation_step_executions = response_describe_steps
    SimpleSystemManagerResponse.describe_automation_executions = response_describe_executions
    SimpleSystemManagerResponse.stop_automation_execution = response_stop
