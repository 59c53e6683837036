"""AWS::WAFv2::LoggingConfiguration from CloudFormation.

moto's CloudFormation skips AWS::WAFv2::LoggingConfiguration: the stack
completes and the web ACL logs nowhere. Here the type goes through moto's own
PutLoggingConfiguration / DeleteLoggingConfiguration in the WAFv2 backend of
the stack's region (where moto keeps the logging configurations it is given
over the API, CloudFront web ACLs' included when asked in us-east-1), so
GetLoggingConfiguration reads back what the template says. Ref is the web
ACL's ARN, as on AWS.
"""

from typing import Any

from moto.wafv2.models import wafv2_backends

from .cfn import ExtensionModel, register


@register
class LoggingConfiguration(ExtensionModel):
    cfn_type = "AWS::WAFv2::LoggingConfiguration"
    create_only = ("ResourceArn",)
    attributes = {"ManagedByFirewallManager": "managed_by_firewall_manager"}

    def __init__(self, account_id: str, region_name: str, resource_arn: str):
        super().__init__(account_id, region_name)
        self.resource_arn = resource_arn
        self.managed_by_firewall_manager = False

    @property
    def physical_resource_id(self) -> str:
        return self.resource_arn

    def _put(self, properties: dict[str, Any]) -> None:
        wafv2_backends[self.account_id][self.region_name].put_logging_configuration(
            self.resource_arn,
            list(properties["LogDestinationConfigs"]),
            properties.get("RedactedFields"),
            False,
            properties.get("LoggingFilter"),
        )

    @classmethod
    def create(cls, name: str, properties: dict[str, Any], account_id: str, region_name: str) -> "LoggingConfiguration":
        configuration = cls(account_id, region_name, properties["ResourceArn"])
        configuration._put(properties)
        return configuration

    def apply(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        self._put(new)

    def delete(self, account_id: str, region_name: str) -> None:
        backend = wafv2_backends[self.account_id][self.region_name]
        # Gone already (deleted outside the stack): nothing to delete.
        backend.logging_configurations.pop(self.resource_arn, None)
