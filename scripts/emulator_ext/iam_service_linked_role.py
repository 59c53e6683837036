"""AWS::IAM::ServiceLinkedRole, which moto's CloudFormation does not know.

The role is created with moto's CreateServiceLinkedRole (so GetRole finds
``aws-service-role/<service>/AWSServiceRoleFor...``) and removed with
DeleteServiceLinkedRole. Ref is the role name, as in CloudFormation.

moto derives role names from the service's host name and gets some wrong
(``AWSServiceRoleForconfig``); ``install`` adds AWS's names for the services
irready relies on, for the service API as well.
"""

from typing import Any

from moto.iam import models as iam_models
from moto.iam.models import IAMBackend, iam_backends

# Service host prefix -> the name AWS gives its service-linked role, after "AWSServiceRoleFor".
ROLE_NAMES = {
    "config": "Config",
}


def install() -> None:
    for service, name in ROLE_NAMES.items():
        iam_models.SERVICE_NAME_CONVERSION.setdefault(service, name)

from .cfn import ExtensionModel, register


@register
class ServiceLinkedRole(ExtensionModel):
    cfn_type = "AWS::IAM::ServiceLinkedRole"
    create_only = ("AWSServiceName", "CustomSuffix")
    attributes = {"RoleName": "name"}

    def __init__(self, account_id: str, region_name: str, name: str):
        super().__init__(account_id, region_name)
        self.name = name

    @property
    def backend(self) -> IAMBackend:
        return iam_backends[self.account_id]["aws"]

    @property
    def physical_resource_id(self) -> str:
        return self.name

    @classmethod
    def create(cls, name, properties, account_id, region_name):
        backend = iam_backends[account_id]["aws"]
        role = backend.create_service_linked_role(
            service_name=properties["AWSServiceName"],
            description=properties.get("Description", ""),
            suffix=properties.get("CustomSuffix", ""),
        )
        return cls(account_id, region_name, role.name)

    def apply(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        # Only the description can change in place.
        if old.get("Description") != new.get("Description"):
            self.backend.update_role_description(self.name, new.get("Description", ""))

    def delete(self, account_id: str, region_name: str) -> None:
        self.backend.delete_service_linked_role(self.name)
