"""``Fn::GetAtt`` attributes moto does not return for the catalog's resource types.

When moto lacks an attribute, ``Fn::GetAtt`` either fails the whole request
with HTTP 500 (SecurityGroup.VpcId, KMS Key.KeyId, Subnet.SubnetId, ...) or,
for Subnet.AvailabilityZone and every VPCEndpoint or FlowLog attribute, leaves
the unresolved ``{"Fn::GetAtt": ...}`` object in place of the value. The
attributes below are computed from the live moto resource, with the values and
shapes CloudFormation documents for each type.
"""

from collections.abc import Callable
from typing import Any

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.ec2.models.flow_logs import FlowLogs
from moto.ec2.models.route_tables import RouteTable
from moto.ec2.models.security_groups import SecurityGroup
from moto.ec2.models.subnets import Subnet
from moto.ec2.models.vpcs import VPC, VPCEndPoint
from moto.kms.models import Key
from moto.sns.models import Topic


def _default_network_acl(vpc: VPC) -> str | None:
    for acl in vpc.ec2_backend.network_acls.values():
        if acl.vpc_id == vpc.id and acl.default:
            return acl.id
    return None


def _endpoint_dns_entries(endpoint: VPCEndPoint) -> list[str]:
    # CloudFormation renders each entry as "<hosted zone id>:<dns name>".
    entries = endpoint.dns_entries or []
    if isinstance(entries, dict):
        entries = [entries]
    return [f"{entry['hosted_zone_id']}:{entry['dns_name']}" for entry in entries]


_EXTRA_ATTRIBUTES: dict[type, dict[str, Callable[[Any], Any]]] = {
    VPC: {
        "DefaultNetworkAcl": _default_network_acl,
        "Ipv6CidrBlocks": lambda vpc: [a["ipv6CidrBlock"] for a in vpc.ipv6_cidr_block_association_set],
        "CidrBlockAssociations": lambda vpc: [a["association_id"] for a in vpc.cidr_block_association_set],
    },
    Subnet: {
        "SubnetId": lambda subnet: subnet.id,
        "VpcId": lambda subnet: subnet.vpc_id,
        "CidrBlock": lambda subnet: subnet.cidr_block,
        "AvailabilityZone": lambda subnet: subnet.availability_zone,
        "AvailabilityZoneId": lambda subnet: subnet.availability_zone_id,
        "Ipv6CidrBlocks": lambda subnet: [a["ipv6CidrBlock"] for a in subnet.ipv6_cidr_block_associations.values()],
    },
    SecurityGroup: {
        "GroupId": lambda group: group.id,
        "VpcId": lambda group: group.vpc_id,
    },
    RouteTable: {
        "RouteTableId": lambda table: table.id,
    },
    VPCEndPoint: {
        "Id": lambda endpoint: endpoint.id,
        "CreationTimestamp": lambda endpoint: endpoint.creation_timestamp.isoformat(),
        "DnsEntries": _endpoint_dns_entries,
        "NetworkInterfaceIds": lambda endpoint: list(endpoint.network_interface_ids),
    },
    FlowLogs: {
        "Id": lambda flow_log: flow_log.id,
    },
    Key: {
        "Arn": lambda key: key.arn,
        "KeyId": lambda key: key.id,
    },
    Topic: {
        "TopicArn": lambda topic: topic.arn,
        "TopicName": lambda topic: topic.name,
    },
}


def _no_attributes(self: Any, attribute_name: str) -> Any:
    raise UnformattedGetAttTemplateException()


def _extend(model: type, extra: dict[str, Callable[[Any], Any]]) -> None:
    # Some models (RouteTable) define no attributes at all.
    original_get = getattr(model, "get_cfn_attribute", _no_attributes)
    original_has = model.has_cfn_attr.__func__

    def get_cfn_attribute(self: Any, attribute_name: str) -> Any:
        if attribute_name in extra:
            return extra[attribute_name](self)
        return original_get(self, attribute_name)

    def has_cfn_attr(cls: type, attribute_name: str) -> bool:
        return attribute_name in extra or original_has(cls, attribute_name)

    model.get_cfn_attribute = get_cfn_attribute
    model.has_cfn_attr = classmethod(has_cfn_attr)


def install() -> None:
    for model, extra in _EXTRA_ATTRIBUTES.items():
        _extend(model, extra)
