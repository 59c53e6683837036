"""CloudWatch Logs: log group updates and AWS::Logs::MetricFilter.

- moto's AWS::Logs::LogGroup reads the KMS key from ``kmsKeyId`` instead of
  ``KmsKeyId`` (so the key is dropped) and cannot be updated at all. Here the
  key is applied, and an update changes retention, KMS key and tags in place
  (a new ``LogGroupName`` replaces the group).
- AWS::Logs::MetricFilter, skipped by moto's CloudFormation, is created through
  PutMetricFilter and removed through DeleteMetricFilter; Ref is the filter
  name.
- PutMetricFilter replaces a filter of the same name in the same log group, as
  on AWS, instead of adding a duplicate, and fails for a missing log group.
- ``Fn::GetAtt [LogGroup, Arn]`` is the ARN with the ``:*`` suffix, as
  CloudFormation documents it ("arn:aws:logs:us-west-1:123456789012:log-group:
  /mystack-testgroup-12ABC1AHG:*",
  https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-logs-loggroup.html#aws-resource-logs-loggroup-return-values);
  moto gave the bare group ARN. As a policy Resource the bare ARN matches no
  log stream, so a role policy granting logs:PutLogEvents on ``GetAtt Arn``,
  which works on AWS, would be refused by delivery_cloudtrail's role check.
"""

from typing import Any

from moto.logs.exceptions import ResourceNotFoundException
from moto.logs.models import LogGroup, LogsBackend, logs_backends

from .cfn import ExtensionModel, applied, camel_keys, changed, register, remember, set_classmethod, tag_map

_original_put_metric_filter = LogsBackend.put_metric_filter
_original_log_group_attribute = LogGroup.get_cfn_attribute


def put_metric_filter(
    self: LogsBackend, filter_name: str, filter_pattern: str, log_group_name: str, metric_transformations: Any
) -> None:
    if log_group_name not in self.groups:
        raise ResourceNotFoundException("The specified log group does not exist.")
    self.filters.delete_filter(filter_name, log_group_name)
    _original_put_metric_filter(self, filter_name, filter_pattern, log_group_name, metric_transformations)


def _log_group_attribute(self: LogGroup, attribute_name: str) -> str:
    if attribute_name == "Arn":
        return f"{self.arn}:*"
    return _original_log_group_attribute(self, attribute_name)


def _create_log_group(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    properties = cloudformation_json["Properties"]
    backend = logs_backends[account_id][region_name]
    group = backend.create_log_group(resource_name, tag_map(properties.get("Tags")))
    _apply_log_group(backend, group, {}, properties)
    return remember(group, properties)


def _apply_log_group(backend: LogsBackend, group: LogGroup, old: dict[str, Any], new: dict[str, Any]) -> None:
    if "RetentionInDays" in new:
        backend.put_retention_policy(group.name, int(new["RetentionInDays"]))
    elif "RetentionInDays" in old:
        backend.delete_retention_policy(group.name)
    # moto has no AssociateKmsKey / DisassociateKmsKey; the group keeps the key
    # the way CreateLogGroup(kmsKeyId=...) stores it.
    group.kms_key_id = new.get("KmsKeyId")
    if changed(old, new, "Tags"):
        wanted = tag_map(new.get("Tags"))
        dropped = [key for key in tag_map(old.get("Tags")) if key not in wanted]
        if dropped:
            backend.untag_log_group(group.name, dropped)
        if wanted:
            backend.tag_log_group(group.name, wanted)


def _update_log_group(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    new = cloudformation_json["Properties"]
    old = applied(original_resource)
    if changed(old, new, "LogGroupName"):
        replacement = _create_log_group(cls, new_resource_name, cloudformation_json, account_id, region_name)
        original_resource.delete(account_id, region_name)
        return replacement
    _apply_log_group(logs_backends[account_id][region_name], original_resource, old, new)
    return remember(original_resource, new)


@register
class MetricFilter(ExtensionModel):
    cfn_type = "AWS::Logs::MetricFilter"
    name_property = "FilterName"
    create_only = ("FilterName", "LogGroupName")

    def __init__(self, account_id: str, region_name: str, name: str, log_group_name: str):
        super().__init__(account_id, region_name)
        self.name = name
        self.log_group_name = log_group_name

    @property
    def physical_resource_id(self) -> str:
        return self.name

    @classmethod
    def create(cls, name, properties, account_id, region_name):
        resource = cls(account_id, region_name, name, properties["LogGroupName"])
        resource.apply({}, properties)
        return resource

    def apply(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        transformations = camel_keys(list(new["MetricTransformations"]))
        for transformation in transformations:
            # The template lists dimensions as Key/Value pairs; the API maps them.
            if isinstance(transformation.get("dimensions"), list):
                transformation["dimensions"] = {d["key"]: d["value"] for d in transformation["dimensions"]}
        logs_backends[self.account_id][self.region_name].put_metric_filter(
            self.name, new["FilterPattern"], self.log_group_name, transformations
        )

    def delete(self, account_id: str, region_name: str) -> None:
        logs_backends[account_id][region_name].delete_metric_filter(self.name, self.log_group_name)


def install() -> None:
    LogsBackend.put_metric_filter = put_metric_filter
    set_classmethod(LogGroup, "create_from_cloudformation_json", _create_log_group)
    set_classmethod(LogGroup, "update_from_cloudformation_json", _update_log_group)
    LogGroup.get_cfn_attribute = _log_group_attribute
