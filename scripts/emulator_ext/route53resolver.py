"""Route 53 Resolver query logging from CloudFormation, and its missing deletes.

moto's CloudFormation skips AWS::Route53Resolver::ResolverQueryLoggingConfig
and ...ConfigAssociation, and moto's Route 53 Resolver cannot delete a query
logging configuration or disassociate a VPC from one. This module adds
DeleteResolverQueryLogConfig and DisassociateResolverQueryLogConfig to the
backend and serves them over the API, then adds both resource types on top of
Create/Associate/Disassociate/Delete. Ref is the ``rslvr-qlc-`` or
``rslvr-qla-`` id; GetAtt offers the read-only attributes CloudFormation
documents (Arn, OwnerId, Status, ShareStatus, AssociationCount, CreationTime,
CreatorRequestId, Id; for associations Status, Error, ErrorMessage,
CreationTime, Id).
"""

import json
from typing import Any

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.route53resolver.exceptions import InvalidRequestException, ResourceNotFoundException
from moto.route53resolver.models import (
    ResolverQueryLogConfig,
    ResolverQueryLogConfigAssociation,
    Route53ResolverBackend,
    route53resolver_backends,
)
from moto.route53resolver.responses import Route53ResolverResponse

from .cfn import ExtensionModel, register, tag_map


def delete_resolver_query_log_config(self: Route53ResolverBackend, config_id: str) -> ResolverQueryLogConfig:
    config = self.get_resolver_query_log_config(config_id)
    if config.association_count:
        raise InvalidRequestException(
            f"Resolver query log config '{config_id}' is still associated with one or more VPCs"
        )
    del self.resolver_query_log_configs[config_id]
    return config


def disassociate_resolver_query_log_config(
    self: Route53ResolverBackend, config_id: str, resource_id: str
) -> ResolverQueryLogConfigAssociation:
    for association_id, association in list(self.resolver_query_log_config_associations.items()):
        if association.resolver_query_log_config_id == config_id and association.resource_id == resource_id:
            del self.resolver_query_log_config_associations[association_id]
            self.resolver_query_log_configs[config_id].association_count -= 1
            return association
    raise ResourceNotFoundException(
        f"Resolver query log config '{config_id}' is not associated with VPC '{resource_id}'"
    )


def response_delete_resolver_query_log_config(self: Route53ResolverResponse) -> str:
    config = self.route53resolver_backend.delete_resolver_query_log_config(self._get_param("ResolverQueryLogConfigId"))
    description = config.description()
    description["Status"] = "DELETING"
    return json.dumps({"ResolverQueryLogConfig": description})


def response_disassociate_resolver_query_log_config(self: Route53ResolverResponse) -> str:
    association = self.route53resolver_backend.disassociate_resolver_query_log_config(
        self._get_param("ResolverQueryLogConfigId"), self._get_param("ResourceId")
    )
    description = association.description()
    description["Status"] = "DELETING"
    return json.dumps({"ResolverQueryLogConfigAssociation": description})


def _backend(account_id: str, region_name: str) -> Route53ResolverBackend:
    return route53resolver_backends[account_id][region_name]


def _attribute(resource: Any, attributes: dict[str, None], name: str) -> Any:
    if name not in attributes:
        raise UnformattedGetAttTemplateException()
    return resource.description()[name]


@register
class QueryLoggingConfig(ExtensionModel):
    cfn_type = "AWS::Route53Resolver::ResolverQueryLoggingConfig"
    create_only = ("Name", "DestinationArn", "Tags")
    attributes = dict.fromkeys(
        ("Id", "Arn", "OwnerId", "Status", "ShareStatus", "AssociationCount", "CreationTime", "CreatorRequestId")
    )

    def __init__(self, account_id: str, region_name: str, config_id: str):
        super().__init__(account_id, region_name)
        self.id = config_id

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        # The attributes carry the names of the API's description fields.
        return _attribute(
            _backend(self.account_id, self.region_name).get_resolver_query_log_config(self.id),
            self.attributes,
            attribute_name,
        )

    @property
    def physical_resource_id(self) -> str:
        return self.id

    @classmethod
    def create(cls, name, properties, account_id, region_name):
        config = _backend(account_id, region_name).create_resolver_query_log_config(
            name=properties.get("Name", name),
            destination_arn=properties["DestinationArn"],
            # CloudFormation makes the idempotency token from the stack and resource.
            creator_request_id=name,
            tags=[{"Key": k, "Value": v} for k, v in tag_map(properties.get("Tags")).items()],
        )
        return cls(account_id, region_name, config.id)

    def apply(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        """Every property is create-only: a change replaces the configuration."""

    def delete(self, account_id: str, region_name: str) -> None:
        backend = _backend(account_id, region_name)
        if self.id in backend.resolver_query_log_configs:
            backend.delete_resolver_query_log_config(self.id)


@register
class QueryLoggingConfigAssociation(ExtensionModel):
    cfn_type = "AWS::Route53Resolver::ResolverQueryLoggingConfigAssociation"
    create_only = ("ResolverQueryLogConfigId", "ResourceId")
    attributes = dict.fromkeys(("Id", "Status", "Error", "ErrorMessage", "CreationTime"))

    def __init__(self, account_id: str, region_name: str, association_id: str, config_id: str, vpc_id: str):
        super().__init__(account_id, region_name)
        self.id = association_id
        self.config_id = config_id
        self.vpc_id = vpc_id

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        return _attribute(
            _backend(self.account_id, self.region_name).get_resolver_query_log_config_association(self.id),
            self.attributes,
            attribute_name,
        )

    @property
    def physical_resource_id(self) -> str:
        return self.id

    @classmethod
    def create(cls, name, properties, account_id, region_name):
        association = _backend(account_id, region_name).associate_resolver_query_log_config(
            properties["ResolverQueryLogConfigId"], properties["ResourceId"]
        )
        return cls(
            account_id, region_name, association.id, properties["ResolverQueryLogConfigId"], properties["ResourceId"]
        )

    def apply(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        """Every property is create-only: a change replaces the association."""

    def delete(self, account_id: str, region_name: str) -> None:
        backend = _backend(account_id, region_name)
        if self.id in backend.resolver_query_log_config_associations:
            backend.disassociate_resolver_query_log_config(self.config_id, self.vpc_id)


def install() -> None:
    Route53ResolverBackend.delete_resolver_query_log_config = delete_resolver_query_log_config
    Route53ResolverBackend.disassociate_resolver_query_log_config = disassociate_resolver_query_log_config
    Route53ResolverResponse.delete_resolver_query_log_config = response_delete_resolver_query_log_config
    Route53ResolverResponse.disassociate_resolver_query_log_config = response_disassociate_resolver_query_log_config
