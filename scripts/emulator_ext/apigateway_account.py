"""AWS::ApiGateway::Account from CloudFormation.

moto's CloudFormation skips AWS::ApiGateway::Account: the stack completes and
the account's CloudWatch role stays unset. Here the type sets the role through
moto's own UpdateAccount (``/cloudwatchRoleArn``) on create and update, so
GetAccount reads back what the template says. Deleting the resource leaves the
setting as it is, as on AWS (the account settings outlive the stack).
"""

from typing import Any

from moto.apigateway.models import apigateway_backends

from .cfn import ExtensionModel, register


@register
class ApiGatewayAccount(ExtensionModel):
    cfn_type = "AWS::ApiGateway::Account"
    attributes = {"Id": "physical_resource_id"}

    def __init__(self, account_id: str, region_name: str, name: str):
        super().__init__(account_id, region_name)
        self.name = name

    @property
    def physical_resource_id(self) -> str:
        return self.name

    def _set_role(self, role_arn: Any) -> None:
        backend = apigateway_backends[self.account_id][self.region_name]
        backend.update_account([{"op": "replace", "path": "/cloudwatchRoleArn", "value": role_arn}])

    @classmethod
    def create(cls, name: str, properties: dict[str, Any], account_id: str, region_name: str) -> "ApiGatewayAccount":
        account = cls(account_id, region_name, name)
        if properties.get("CloudWatchRoleArn"):
            account._set_role(properties["CloudWatchRoleArn"])
        return account

    def apply(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        if new.get("CloudWatchRoleArn") != old.get("CloudWatchRoleArn"):
            self._set_role(new.get("CloudWatchRoleArn"))

    def delete(self, account_id: str, region_name: str) -> None:
        pass


