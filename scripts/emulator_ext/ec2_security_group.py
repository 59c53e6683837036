"""AWS::EC2::SecurityGroup with CloudFormation's rule semantics.

moto ignores ``SecurityGroupEgress`` (the default allow-all egress rule stays,
so an isolation group is not isolated), reads only ``CidrIp`` and a source
group from ``SecurityGroupIngress`` (and fails on ``IpProtocol: -1`` without
ports), and implements every update as delete-and-recreate, which gives the
group a new id. Here a group is created with exactly the rules the template
lists, and an update changes rules and tags in place, the way CloudFormation
does; only a new name, description or VPC replaces the group.

Egress follows AWS: without ``SecurityGroupEgress`` a VPC group keeps its
default allow-all rule; with it, the group has exactly the listed rules (so the
usual ``[{IpProtocol: "-1", CidrIp: "127.0.0.1/32"}]`` leaves one rule that
matches no traffic).
"""

from typing import Any

from moto.ec2.exceptions import InvalidPermissionNotFoundError
from moto.ec2.models import EC2Backend, ec2_backends
from moto.ec2.models.security_groups import SecurityGroup

from .cfn import applied, changed, remember, set_classmethod, tag_map

_REPLACEMENT_PROPERTIES = ("GroupName", "GroupDescription", "VpcId")


def _default_egress(backend: EC2Backend, vpc_id: str | None) -> list[dict[str, Any]]:
    """The rules EC2 gives a new VPC security group."""
    if not vpc_id:
        return []
    rules = [{"IpProtocol": "-1", "CidrIp": "0.0.0.0/0"}]
    vpc = backend.vpcs.get(vpc_id)
    if vpc is not None and vpc.get_cidr_block_association_set(ipv6=True):
        rules.append({"IpProtocol": "-1", "CidrIpv6": "::/0"})
    return rules


def _rule_arguments(rule: dict[str, Any], egress: bool) -> dict[str, Any]:
    """Keyword arguments for moto's authorize/revoke calls from one template rule."""
    protocol = str(rule["IpProtocol"])
    all_traffic = protocol in ("-1", "all")
    ip_ranges = []
    description = {"Description": rule["Description"]} if rule.get("Description") else {}
    if rule.get("CidrIp"):
        ip_ranges.append({"CidrIp": rule["CidrIp"], **description})
    if rule.get("CidrIpv6"):
        ip_ranges.append({"CidrIpv6": rule["CidrIpv6"], **description})
    group_key = "DestinationSecurityGroupId" if egress else "SourceSecurityGroupId"
    prefix_key = "DestinationPrefixListId" if egress else "SourcePrefixListId"
    source_groups = []
    if rule.get(group_key):
        source_groups.append({"GroupId": rule[group_key]})
    if not egress and rule.get("SourceSecurityGroupName"):
        source_groups.append({"GroupName": rule["SourceSecurityGroupName"]})
    prefix_lists = [{"PrefixListId": rule[prefix_key]}] if rule.get(prefix_key) else []
    return {
        "ip_protocol": protocol,
        "from_port": None if all_traffic else rule.get("FromPort"),
        "to_port": None if all_traffic else rule.get("ToPort"),
        "ip_ranges": ip_ranges,
        "source_groups": source_groups,
        "prefix_list_ids": prefix_lists,
    }


def _replace_rules(
    backend: EC2Backend,
    group: SecurityGroup,
    old_rules: list[dict[str, Any]],
    new_rules: list[dict[str, Any]],
    egress: bool,
) -> None:
    """Revoke the rules a property used to hold and authorize the new ones.

    Working from the property's old value rather than from the group's current
    rules leaves alone rules added outside the template (for instance by an
    AWS::EC2::SecurityGroupIngress resource), as CloudFormation does.
    """
    revoke = backend.revoke_security_group_egress if egress else backend.revoke_security_group_ingress
    authorize = backend.authorize_security_group_egress if egress else backend.authorize_security_group_ingress
    for rule in old_rules:
        try:
            revoke(group.id, vpc_id=group.vpc_id, **_rule_arguments(rule, egress))
        except InvalidPermissionNotFoundError:
            # Someone already removed it through the EC2 API; nothing to undo.
            pass
    for rule in new_rules:
        authorize(group.id, vpc_id=group.vpc_id, **_rule_arguments(rule, egress))


def _egress_rules(backend: EC2Backend, properties: dict[str, Any]) -> list[dict[str, Any]]:
    if "SecurityGroupEgress" in properties:
        return list(properties["SecurityGroupEgress"] or [])
    return _default_egress(backend, properties.get("VpcId"))


def _sync_tags(backend: EC2Backend, group: SecurityGroup, old: dict[str, Any], new: dict[str, Any]) -> None:
    wanted = tag_map(new.get("Tags"))
    dropped = {key: None for key in tag_map(old.get("Tags")) if key not in wanted}
    if dropped:
        backend.delete_tags([group.id], dropped)
    if wanted:
        backend.create_tags([group.id], wanted)


def _create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    properties = cloudformation_json["Properties"]
    backend = ec2_backends[account_id][region_name]
    group = backend.create_security_group(
        name=properties.get("GroupName", resource_name),
        description=properties.get("GroupDescription"),
        vpc_id=properties.get("VpcId"),
    )
    _sync_tags(backend, group, {}, properties)
    _replace_rules(backend, group, [], list(properties.get("SecurityGroupIngress") or []), egress=False)
    if "SecurityGroupEgress" in properties:
        _replace_rules(
            backend,
            group,
            _default_egress(backend, group.vpc_id),
            _egress_rules(backend, properties),
            egress=True,
        )
    return remember(group, properties)


def _update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    new = cloudformation_json["Properties"]
    old = applied(original_resource)
    if changed(old, new, *_REPLACEMENT_PROPERTIES):
        replacement = _create(cls, new_resource_name, cloudformation_json, account_id, region_name)
        original_resource.delete(account_id, region_name)
        return replacement

    backend = ec2_backends[account_id][region_name]
    group = original_resource
    if changed(old, new, "SecurityGroupIngress"):
        _replace_rules(
            backend,
            group,
            list(old.get("SecurityGroupIngress") or []),
            list(new.get("SecurityGroupIngress") or []),
            egress=False,
        )
    if changed(old, new, "SecurityGroupEgress"):
        _replace_rules(backend, group, _egress_rules(backend, old), _egress_rules(backend, new), egress=True)
    _sync_tags(backend, group, old, new)
    return remember(group, new)


def install() -> None:
    set_classmethod(SecurityGroup, "create_from_cloudformation_json", _create)
    set_classmethod(SecurityGroup, "update_from_cloudformation_json", _update)
