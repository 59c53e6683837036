"""Helpers shared by the CloudFormation extensions.

moto hands a resource type's ``update_from_cloudformation_json`` only the live
resource and the new properties, never the properties it was created with.
CloudFormation itself works from the difference between the old and the new
template, so the extensions remember the properties each resource was last
applied with and compare against them on update.
"""

from typing import Any

from moto.cloudformation.exceptions import CloudFormationError, UnformattedGetAttTemplateException
from moto.core.common_models import CloudFormationModel

_APPLIED = "_irready_cfn_properties"


def remember(resource: Any, properties: dict[str, Any]) -> Any:
    """Record the properties a resource was just created or updated with."""
    setattr(resource, _APPLIED, dict(properties))
    return resource


def applied(resource: Any) -> dict[str, Any]:
    """The properties a resource was last created or updated with."""
    return getattr(resource, _APPLIED, {})


def changed(old: dict[str, Any], new: dict[str, Any], *keys: str) -> bool:
    """Whether any of the given properties differs between two property sets."""
    return any(old.get(key) != new.get(key) for key in keys)


def tag_map(tags: Any) -> dict[str, str]:
    """CloudFormation's ``[{Key, Value}]`` tag list as a dictionary.

    Some resource types (GuardDuty, Route 53 Resolver) take the same list, a few
    older ones take a plain map; both are accepted.
    """
    if isinstance(tags, dict):
        return {str(k): str(v) for k, v in tags.items()}
    return {str(tag["Key"]): str(tag["Value"]) for tag in tags or []}


def camel_keys(value: Any) -> Any:
    """A template's PascalCase property tree in the camelCase form some APIs take."""
    if isinstance(value, dict):
        return {key[:1].lower() + key[1:]: camel_keys(item) for key, item in value.items()}
    if isinstance(value, list):
        return [camel_keys(item) for item in value]
    return value


def boolean(value: Any, default: bool = False) -> bool:
    """A CloudFormation Boolean property, which templates may give as a string."""
    if value is None:
        return default
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


def set_classmethod(cls: type, name: str, function: Any) -> None:
    """Install ``function(cls, ...)`` as the class method ``name`` of ``cls``."""
    setattr(cls, name, classmethod(function))


class TemplateError(CloudFormationError):
    """A resource failure that CloudFormation reports as a ValidationError."""

    code = "ValidationError"


# Resource types the extensions add (or replace), in registration order; a
# later entry for the same CloudFormation type name wins.
EXTENSION_MODELS: list[type] = []


def register(model: type) -> type:
    """Class decorator: make a resource type known to moto's CloudFormation."""
    EXTENSION_MODELS.append(model)
    return model


class ExtensionModel(CloudFormationModel):
    """Base for a CloudFormation resource type backed by a moto service backend.

    A subclass names its type (``cfn_type``), the property holding a custom
    physical name (``name_property``), the properties whose change replaces
    the resource (``create_only``) and its ``Fn::GetAtt`` attributes
    (``attributes``: attribute name -> Python attribute). It implements
    ``create`` (a class method), ``apply`` (in-place update) and ``delete``,
    each going through the service's moto backend.
    """

    cfn_type = ""
    name_property = ""
    create_only: tuple[str, ...] = ()
    attributes: dict[str, str] = {}

    def __init__(self, account_id: str, region_name: str):
        self.account_id = account_id
        self.region_name = region_name

    @classmethod
    def cloudformation_type(cls) -> str:
        return cls.cfn_type

    @classmethod
    def cloudformation_name_type(cls) -> str:
        return cls.name_property

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.attributes

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name not in self.attributes:
            raise UnformattedGetAttTemplateException()
        return getattr(self, self.attributes[attribute_name])

    @classmethod
    def create(cls, name: str, properties: dict[str, Any], account_id: str, region_name: str) -> "ExtensionModel":
        raise NotImplementedError

    def apply(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        raise NotImplementedError

    def delete(self, account_id: str, region_name: str) -> None:
        raise NotImplementedError

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        # moto has already chosen the name: the name property's value, or a
        # generated "<stack>-<logical id>-<suffix>" like CloudFormation's.
        properties = cloudformation_json["Properties"]
        return remember(cls.create(resource_name, properties, account_id, region_name), properties)

    @classmethod
    def update_from_cloudformation_json(
        cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name
    ):
        new = cloudformation_json["Properties"]
        old = applied(original_resource)
        if changed(old, new, *cls.create_only):
            # CloudFormation creates the replacement, then deletes the original.
            replacement = cls.create_from_cloudformation_json(
                new_resource_name, cloudformation_json, account_id, region_name
            )
            original_resource.delete(account_id, region_name)
            return replacement
        original_resource.apply(old, new)
        return remember(original_resource, new)
