"""AWS::EC2::FlowLog and AWS::EC2::VPCEndpoint across their whole lifecycle.

moto creates both types but never deletes them: a deleted stack leaves its
flow logs and endpoints behind. Neither type has an update either, and moto
then drops the resource from the stack's resource map, so a later Ref yields
nothing and stack deletion forgets it. VPC endpoint ``Tags`` are ignored, and
a flow log whose S3 destination is missing fails with an IndexError instead of
the EC2 error. ``DestinationOptions`` is passed on to the backend (see
delivery_flowlogs, which checks and delivers S3 flow logs).

Deletion goes through ``DeleteFlowLogs`` / ``DeleteVpcEndpoints`` in moto's EC2
backend. A flow log is replaced when anything but its tags changes (all its
other properties are create-only on AWS); an endpoint is modified in place
unless its VPC, service or type changes.
"""

import json
from typing import Any

from moto.ec2.models import ec2_backends
from moto.ec2.models.flow_logs import FlowLogs
from moto.ec2.models.vpcs import VPCEndPoint

from .cfn import TemplateError, applied, remember, set_classmethod, tag_map

_ENDPOINT_REPLACEMENT_PROPERTIES = ("VpcId", "ServiceName", "VpcEndpointType")


def _sync_tags(resource: Any, old: dict[str, Any], new: dict[str, Any]) -> None:
    backend = resource.ec2_backend
    wanted = tag_map(new.get("Tags"))
    dropped = {key: None for key in tag_map(old.get("Tags")) if key not in wanted}
    if dropped:
        backend.delete_tags([resource.id], dropped)
    if wanted:
        backend.create_tags([resource.id], wanted)


def _create_flow_log(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    properties = cloudformation_json["Properties"]
    backend = ec2_backends[account_id][region_name]
    created, unsuccessful = backend.create_flow_logs(
        properties.get("ResourceType"),
        [properties.get("ResourceId")],
        properties.get("TrafficType"),
        properties.get("DeliverLogsPermissionArn"),
        properties.get("LogDestinationType"),
        properties.get("LogDestination"),
        properties.get("LogGroupName"),
        properties.get("LogFormat"),
        properties.get("MaxAggregationInterval"),
        # Kept by delivery_flowlogs, which lays out the delivered files by it.
        destination_options=properties.get("DestinationOptions"),
    )
    if not created:
        # EC2 reports a missing S3 destination per resource rather than as an
        # error; CloudFormation turns it into a failed resource.
        _, _, message = unsuccessful[0]
        raise TemplateError(message)
    flow_log = created[0]
    _sync_tags(flow_log, {}, properties)
    return remember(flow_log, properties)


def _without_tags(properties: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in properties.items() if key != "Tags"}


def _update_flow_log(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    new = cloudformation_json["Properties"]
    old = applied(original_resource)
    if _without_tags(old) != _without_tags(new):
        replacement = _create_flow_log(cls, new_resource_name, cloudformation_json, account_id, region_name)
        original_resource.delete(account_id, region_name)
        return replacement
    _sync_tags(original_resource, old, new)
    return remember(original_resource, new)


def _delete_flow_log(self: FlowLogs, account_id: str, region_name: str) -> None:
    if self.id in self.ec2_backend.flow_logs:
        self.ec2_backend.delete_flow_logs([self.id])


def _create_endpoint(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    properties = cloudformation_json["Properties"]
    backend = ec2_backends[account_id][region_name]
    endpoint = backend.create_vpc_endpoint(
        vpc_id=properties.get("VpcId"),
        service_name=properties.get("ServiceName"),
        endpoint_type=properties.get("VpcEndpointType", "Gateway"),
        subnet_ids=list(properties.get("SubnetIds") or []),
        policy_document=_policy(properties.get("PolicyDocument")),
        private_dns_enabled=properties.get("PrivateDnsEnabled"),
        route_table_ids=list(properties.get("RouteTableIds") or []),
        security_group_ids=list(properties.get("SecurityGroupIds") or []),
        tags=tag_map(properties.get("Tags")),
    )
    return remember(endpoint, properties)


def _policy(document: Any) -> str | None:
    """Endpoint policies are stored as JSON text, as the EC2 API returns them."""
    if document is None or isinstance(document, str):
        return document
    return json.dumps(document)


def _difference(old: dict[str, Any], new: dict[str, Any], key: str) -> tuple[list[str], list[str]]:
    before, after = set(old.get(key) or []), set(new.get(key) or [])
    return sorted(after - before), sorted(before - after)


def _update_endpoint(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    new = cloudformation_json["Properties"]
    old = applied(original_resource)
    if any(old.get(key) != new.get(key) for key in _ENDPOINT_REPLACEMENT_PROPERTIES):
        replacement = _create_endpoint(cls, new_resource_name, cloudformation_json, account_id, region_name)
        original_resource.delete(account_id, region_name)
        return replacement

    endpoint = original_resource
    add_subnets, remove_subnets = _difference(old, new, "SubnetIds")
    add_tables, remove_tables = _difference(old, new, "RouteTableIds")
    add_groups, remove_groups = _difference(old, new, "SecurityGroupIds")
    policy = _policy(new.get("PolicyDocument"))
    endpoint.ec2_backend.modify_vpc_endpoint(
        endpoint.id,
        policy or _policy(VPCEndPoint.DEFAULT_POLICY),
        add_subnets,
        remove_subnets,
        remove_tables,
        add_tables,
        add_groups,
        remove_groups,
    )
    if "PrivateDnsEnabled" in new:
        endpoint.private_dns_enabled = new["PrivateDnsEnabled"]
    _sync_tags(endpoint, old, new)
    return remember(endpoint, new)


def _delete_endpoint(self: VPCEndPoint, account_id: str, region_name: str) -> None:
    # A route table deleted earlier in the same stack deletion took the
    # endpoint's routes with it; moto would fail looking for them.
    self.route_table_ids = [table for table in self.route_table_ids if table in self.ec2_backend.route_tables]
    self.ec2_backend.delete_vpc_endpoints([self.id])


def install() -> None:
    set_classmethod(FlowLogs, "create_from_cloudformation_json", _create_flow_log)
    set_classmethod(FlowLogs, "update_from_cloudformation_json", _update_flow_log)
    FlowLogs.delete = _delete_flow_log
    set_classmethod(VPCEndPoint, "create_from_cloudformation_json", _create_endpoint)
    set_classmethod(VPCEndPoint, "update_from_cloudformation_json", _update_endpoint)
    VPCEndPoint.delete = _delete_endpoint
