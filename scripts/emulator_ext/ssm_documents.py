"""SSM documents as CloudFormation and the SSM API handle them, with Automation content checked.

moto's AWS::SSM::Document fails without ``DocumentFormat``, stores a
``Content`` given as an object (how a CloudFormation template gives it)
unserialised, so that DescribeDocument and GetDocument fail on it, and
implements every update as delete-and-recreate. Here, through moto's SSM
backend:

- ``Content`` given as an object is stored as its JSON text and
  ``DocumentFormat`` defaults to ``JSON``; a string is stored as given, in the
  format ``DocumentFormat`` names (``JSON`` by default, so a YAML string needs
  ``DocumentFormat: YAML``). ``Hash`` is the SHA-256 of the content as stored,
  so it is stable for the same template.
  https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ssm-document.html
- An update follows ``UpdateMethod``: ``NewVersion`` publishes the new content
  as a new version (UpdateDocument) and makes it the default
  (UpdateDocumentDefaultVersion); ``Replace`` (the default) creates a new
  document and deletes the old one, which CloudFormation refuses when the
  document has a custom ``Name`` that stays the same ("CloudFormation cannot
  update a stack when a custom-named resource requires replacing"). A new
  ``Name``, ``DocumentType`` or ``TargetType`` always replaces. Tags alone are
  updated in place.
- CreateDocument and UpdateDocument (and the stack paths above) check the
  content of an ``Automation`` document: ``schemaVersion`` must be ``0.3``
  (else ``InvalidDocumentSchemaVersion``); ``mainSteps`` must be a non-empty
  list of steps with unique names, each ``action`` one of the actions of the
  Automation actions reference, with that action's required inputs, and every
  ``nextStep``, ``onFailure``/``onCancel`` ``step:`` target, branch
  ``NextStep`` and document output naming a step that exists (else
  ``InvalidDocumentContent``). Parameter types must be Automation parameter
  types.
  https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-actions.html
  https://docs.aws.amazon.com/systems-manager/latest/userguide/documents-syntax-data-elements-parameters.html
"""

import json
import re
from typing import Any

import yaml
from moto.ssm.exceptions import InvalidDocumentContent, SSMException
from moto.ssm.models import Document, SimpleSystemManagerBackend, ssm_backends

from .cfn import TemplateError, applied, changed, remember, set_classmethod, tag_map


class InvalidDocumentSchemaVersion(SSMException):
    def __init__(self, message: str):
        super().__init__("InvalidDocumentSchemaVersion", message)


# Automation actions and the inputs each requires (Systems Manager Automation
# actions reference). "one of" groups are tuples.
AUTOMATION_ACTIONS: dict[str, tuple[Any, ...]] = {
    "aws:approve": ("Approvers",),
    "aws:assertAwsResourceProperty": ("Service", "Api", "PropertySelector", "DesiredValues"),
    "aws:branch": ("Choices",),
    "aws:changeInstanceState": ("InstanceIds", "DesiredState"),
    "aws:copyImage": ("SourceImageId", "SourceRegion", "ImageName"),
    "aws:createImage": ("InstanceId", "ImageName"),
    "aws:createStack": ("StackName",),
    "aws:createTags": ("ResourceIds", "Tags"),
    "aws:deleteImage": ("ImageId",),
    "aws:deleteStack": ("StackName",),
    "aws:executeAutomation": ("DocumentName",),
    "aws:executeAwsApi": ("Service", "Api"),
    "aws:executeScript": ("Runtime", "Handler", ("Script", "Attachment")),
    "aws:executeStateMachine": ("stateMachineArn",),
    "aws:invokeLambdaFunction": ("FunctionName",),
    "aws:invokeWebhook": ("IntegrationName",),
    "aws:loop": ("Steps", ("Iterators", "LoopCondition")),
    "aws:pause": (),
    "aws:runCommand": ("DocumentName",),
    "aws:runInstances": ("ImageId",),
    "aws:sleep": (("Duration", "Timestamp"),),
    "aws:updateVariable": ("Name", "Value"),
    "aws:waitForAwsResourceProperty": ("Service", "Api", "PropertySelector", "DesiredValues"),
}

# The properties every step may have, besides name, action and inputs.
_STEP_PROPERTIES = {
    "name", "action", "inputs", "outputs", "description", "maxAttempts", "timeoutSeconds", "onFailure",
    "onCancel", "isEnd", "isCritical", "nextStep",
}

PARAMETER_TYPES = {
    "String", "StringList", "Integer", "Boolean", "MapList", "StringMap",
    "AWS::EC2::Instance::Id", "List<AWS::EC2::Instance::Id>", "AWS::IAM::Role::Arn",
    "AWS::S3::Bucket::Name", "List<AWS::S3::Bucket::Name>",
}

EXECUTE_SCRIPT_RUNTIMES = {"python3.8", "python3.9", "python3.10", "python3.11", "PowerShell Core 6.0", "PowerShell 7.4"}

_STEP_NAME = re.compile(r"^[a-zA-Z0-9_]{1,128}$")


def _invalid(message: str) -> InvalidDocumentContent:
    return InvalidDocumentContent(message)


def _check_inputs(step: dict[str, Any], where: str) -> None:
    action = step["action"]
    inputs = step.get("inputs")
    if inputs is None:
        inputs = {}
    if not isinstance(inputs, dict):
        raise _invalid(f"{where}: inputs must be a map")
    for required in AUTOMATION_ACTIONS[action]:
        if isinstance(required, tuple):
            if not any(name in inputs for name in required):
                raise _invalid(f"{where}: action {action} needs one of the inputs {', '.join(required)}")
        elif required not in inputs:
            raise _invalid(f"{where}: action {action} is missing the required input {required}")
    if action == "aws:executeScript" and inputs.get("Runtime") not in EXECUTE_SCRIPT_RUNTIMES:
        raise _invalid(f"{where}: Runtime {inputs.get('Runtime')!r} is not supported")
    if action == "aws:branch":
        choices = inputs.get("Choices")
        if not isinstance(choices, list) or not choices:
            raise _invalid(f"{where}: Choices must be a non-empty list")


def _step_targets(step: dict[str, Any]) -> list[str]:
    targets = []
    if step.get("nextStep"):
        targets.append(step["nextStep"])
    for key in ("onFailure", "onCancel"):
        value = step.get(key)
        if isinstance(value, str) and value.startswith("step:"):
            targets.append(value[len("step:"):])
    if step.get("action") == "aws:branch":
        inputs = step.get("inputs") or {}
        targets.extend(choice.get("NextStep") for choice in inputs.get("Choices") or [] if isinstance(choice, dict))
        if inputs.get("Default"):
            targets.append(inputs["Default"])
    return targets


def _check_steps(steps: Any, where: str) -> set[str]:
    if not isinstance(steps, list) or not steps:
        raise _invalid(f"{where} must be a non-empty list of steps")
    names: set[str] = set()
    for index, step in enumerate(steps):
        here = f"{where}[{index}]"
        if not isinstance(step, dict):
            raise _invalid(f"{here} must be a map")
        name = step.get("name")
        if not isinstance(name, str) or not _STEP_NAME.match(name):
            raise _invalid(f"{here}: step name {name!r} is not valid")
        if name in names:
            raise _invalid(f"{here}: step name {name} is used twice")
        names.add(name)
        action = step.get("action")
        if action not in AUTOMATION_ACTIONS:
            raise _invalid(f"{here} ({name}): action {action!r} is not a valid Automation action")
        unknown = set(step) - _STEP_PROPERTIES
        if unknown:
            raise _invalid(f"{here} ({name}): unknown step properties {sorted(unknown)}")
        _check_inputs(step, f"{here} ({name})")
        if action == "aws:loop":
            _check_steps((step.get("inputs") or {}).get("Steps"), f"{here} ({name}).inputs.Steps")
    for step in steps:
        for target in _step_targets(step):
            if target not in names:
                raise _invalid(f"step {step['name']}: the next step {target!r} does not exist")
    return names


def validate_automation(content: dict[str, Any]) -> None:
    """Refuse Automation content AWS would refuse (raises an SSM service error)."""
    if not isinstance(content, dict):
        raise _invalid("The content for the document is not valid.")
    if str(content.get("schemaVersion")) != "0.3":
        raise InvalidDocumentSchemaVersion(
            f"Automation documents use schemaVersion 0.3, not {content.get('schemaVersion')!r}"
        )
    parameters = content.get("parameters") or {}
    if not isinstance(parameters, dict):
        raise _invalid("parameters must be a map")
    for name, definition in parameters.items():
        kind = (definition or {}).get("type")
        if kind not in PARAMETER_TYPES:
            raise _invalid(f"parameter {name}: type {kind!r} is not an Automation parameter type")
    names = _check_steps(content.get("mainSteps"), "mainSteps")
    for output in content.get("outputs") or []:
        if not isinstance(output, str) or output.split(".", 1)[0] not in names:
            raise _invalid(f"output {output!r} does not name a step's output")
    assume_role = content.get("assumeRole")
    if assume_role is not None and not isinstance(assume_role, str):
        raise _invalid("assumeRole must be a string")


def parse_content(content: str, document_format: str) -> Any:
    try:
        return json.loads(content) if document_format == "JSON" else yaml.safe_load(content)
    except (ValueError, yaml.YAMLError):
        raise _invalid("The content for the document is not valid.") from None


_original_create = SimpleSystemManagerBackend.create_document
_original_update = SimpleSystemManagerBackend.update_document


def create_document(self, content, requires, attachments, name, version_name, document_type, document_format,
                    target_type, tags):
    if document_type == "Automation" and isinstance(content, str) and document_format in ("JSON", "YAML"):
        validate_automation(parse_content(content, document_format))
    return _original_create(self, content, requires, attachments, name, version_name, document_type,
                            document_format, target_type, tags)


def update_document(self, content, attachments, name, version_name, document_version, document_format, target_type):
    documents = self._documents.get(name)
    if documents is not None and documents.get_default_version().document_type == "Automation":
        if isinstance(content, str) and document_format in ("JSON", "YAML"):
            validate_automation(parse_content(content, document_format))
    return _original_update(self, content, attachments, name, version_name, document_version, document_format,
                            target_type)


# -- CloudFormation -------------------------------------------------------------

_REPLACEMENT = ("Name", "DocumentType", "TargetType")


def _content(properties: dict[str, Any]) -> tuple[str, str]:
    """The content as SSM stores it, and its format."""
    content = properties.get("Content")
    if content is None:
        raise TemplateError("Property Content cannot be empty.")
    document_format = properties.get("DocumentFormat") or "JSON"
    if document_format not in ("JSON", "YAML", "TEXT"):
        raise TemplateError(f"DocumentFormat {document_format!r} is not one of JSON, YAML, TEXT")
    if isinstance(content, (dict, list)):
        # CloudFormation passes an object as JSON text.
        return json.dumps(content, separators=(",", ":")), document_format
    return str(content), document_format


def _tags(properties: dict[str, Any]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tag_map(properties.get("Tags")).items()]


def _create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    properties = cloudformation_json["Properties"]
    backend: SimpleSystemManagerBackend = ssm_backends[account_id][region_name]
    content, document_format = _content(properties)
    name = properties.get("Name") or resource_name
    documents = backend.create_document(
        content=content,
        requires=properties.get("Requires"),
        attachments=properties.get("Attachments"),
        name=name,
        version_name=properties.get("VersionName"),
        document_type=properties.get("DocumentType") or "Command",
        document_format=document_format,
        target_type=properties.get("TargetType"),
        tags=_tags(properties),
    )
    return remember(documents.get_default_version(), properties)


def _update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    new = cloudformation_json["Properties"]
    old = applied(original_resource)
    backend: SimpleSystemManagerBackend = ssm_backends[account_id][region_name]
    name = original_resource.name
    content_changed = changed(old, new, "Content", "DocumentFormat", "VersionName", "Requires", "Attachments")
    if changed(old, new, *_REPLACEMENT) or (content_changed and new.get("UpdateMethod", "Replace") == "Replace"):
        if new.get("Name") and new.get("Name") == old.get("Name"):
            raise TemplateError(
                f"CloudFormation cannot update a stack when a custom-named resource requires replacing. "
                f"Rename {name} and update the stack again."
            )
        replacement = _create(cls, new_resource_name, cloudformation_json, account_id, region_name)
        backend.delete_document(name=name, document_version="", version_name="", force=True)
        return replacement
    if content_changed:
        content, document_format = _content(new)
        described = backend.update_document(
            content=content,
            attachments=new.get("Attachments"),
            name=name,
            version_name=new.get("VersionName"),
            document_version="$LATEST",
            document_format=document_format,
            target_type=new.get("TargetType"),
        )
        backend.update_document_default_version(name, described["DocumentVersion"])
    if changed(old, new, "Tags"):
        wanted = tag_map(new.get("Tags"))
        dropped = [k for k in tag_map(old.get("Tags")) if k not in wanted]
        if dropped:
            backend.remove_tags_from_resource("Document", name, dropped)
        if wanted:
            backend.add_tags_to_resource("Document", name, wanted)
    return remember(backend._get_documents(name).get_default_version(), new)


def _delete(cls, resource_name, cloudformation_json, account_id, region_name):
    backend: SimpleSystemManagerBackend = ssm_backends[account_id][region_name]
    if resource_name in backend._documents:
        backend.delete_document(name=resource_name, document_version="", version_name="", force=True)


def install() -> None:
    SimpleSystemManagerBackend.create_document = create_document
    SimpleSystemManagerBackend.update_document = update_document
    set_classmethod(Document, "create_from_cloudformation_json", _create)
    set_classmethod(Document, "update_from_cloudformation_json", _update)
    set_classmethod(Document, "delete_from_cloudformation_json", _delete)
