"""Intrinsic functions and parameters moto's template engine gets wrong.

- ``Fn::GetAZs`` ignores its argument's value: ``Fn::GetAZs: ""`` always
  yields us-east-1 zones, whatever the stack's region, and a
  ``{Ref: AWS::Region}`` argument is pasted unresolved into the zone names.
  Here the argument is resolved, an empty one means the stack's region, and
  the zones are those moto's EC2 backend has for that account and region.
- ``Fn::GetAtt`` given as one ``"Resource.Attribute"`` string (accepted by
  CloudFormation) is split by position instead of at the dot.
- ``Fn::Select`` does not resolve an index given as an intrinsic (a ``Ref`` to
  a Number parameter).
- A ``CommaDelimitedList`` or ``List<...>`` parameter left at its default is a
  single string instead of a list (values passed in are split, defaults not).
"""

from typing import Any

from moto.cloudformation import parsing
from moto.ec2.models import ec2_backends

_original_clean_json = parsing.clean_json
_original_load_parameters = parsing.ResourceMap.load_parameters


def load_parameters(self: parsing.ResourceMap) -> None:
    _original_load_parameters(self)
    for name, declaration in self._template.get("Parameters", {}).items():
        value = self.resolved_parameters.get(name)
        kind = declaration.get("Type", "String")
        if isinstance(value, str) and (kind == "CommaDelimitedList" or kind.startswith("List<")):
            self.resolved_parameters[name] = value.split(",")
            self._parsed_resources[name] = self.resolved_parameters[name]


def _availability_zones(argument: Any, resources_map: Any) -> list[str]:
    region = _original_clean_json(argument, resources_map) or resources_map["AWS::Region"]
    backend = ec2_backends[resources_map._account_id][region]
    return [zone.name for zone in backend.describe_availability_zones()]


def clean_json(resource_json: Any, resources_map: Any) -> Any:
    if isinstance(resource_json, dict):
        if "Fn::GetAZs" in resource_json:
            return _availability_zones(resource_json["Fn::GetAZs"], resources_map)
        get_att = resource_json.get("Fn::GetAtt")
        if isinstance(get_att, str):
            resource_json = {**resource_json, "Fn::GetAtt": get_att.split(".", 1)}
        select = resource_json.get("Fn::Select")
        if isinstance(select, list) and len(select) == 2 and isinstance(select[0], dict):
            index = _original_clean_json(select[0], resources_map)
            resource_json = {**resource_json, "Fn::Select": [index, select[1]]}
    return _original_clean_json(resource_json, resources_map)


def install() -> None:
    # parsing.clean_json calls itself through the module global, so nested
    # intrinsics reach this version too.
    parsing.clean_json = clean_json
    parsing.ResourceMap.load_parameters = load_parameters
