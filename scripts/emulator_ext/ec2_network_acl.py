"""AWS::EC2::NetworkAcl and AWS::EC2::NetworkAclEntry, skipped by moto's CloudFormation.

Both go through moto's EC2 backend (CreateNetworkAcl, CreateNetworkAclEntry,
ReplaceNetworkAclEntry, DeleteNetworkAclEntry, DeleteNetworkAcl), so
DescribeNetworkAcls sees them. Ref of an ACL is its ``acl-`` id; an entry's Ref
is an id made of the ACL id, direction and rule number, since EC2 gives entries
no id of their own.
"""

from typing import Any

from moto.ec2.models import EC2Backend, ec2_backends

from .cfn import ExtensionModel, boolean, register, tag_map


def _backend(account_id: str, region_name: str) -> EC2Backend:
    return ec2_backends[account_id][region_name]


@register
class NetworkAcl(ExtensionModel):
    cfn_type = "AWS::EC2::NetworkAcl"
    create_only = ("VpcId",)
    attributes = {"Id": "id"}

    def __init__(self, account_id: str, region_name: str, acl_id: str):
        super().__init__(account_id, region_name)
        self.id = acl_id

    @property
    def physical_resource_id(self) -> str:
        return self.id

    @classmethod
    def create(cls, name, properties, account_id, region_name):
        tags = [{"Key": k, "Value": v} for k, v in tag_map(properties.get("Tags")).items()]
        acl = _backend(account_id, region_name).create_network_acl(properties["VpcId"], tags=tags)
        return cls(account_id, region_name, acl.id)

    def apply(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        backend = _backend(self.account_id, self.region_name)
        wanted = tag_map(new.get("Tags"))
        dropped = {key: None for key in tag_map(old.get("Tags")) if key not in wanted}
        if dropped:
            backend.delete_tags([self.id], dropped)
        if wanted:
            backend.create_tags([self.id], wanted)

    def delete(self, account_id: str, region_name: str) -> None:
        backend = _backend(account_id, region_name)
        if self.id in backend.network_acls:
            backend.delete_network_acl(self.id)


@register
class NetworkAclEntry(ExtensionModel):
    cfn_type = "AWS::EC2::NetworkAclEntry"
    create_only = ("NetworkAclId", "RuleNumber", "Egress")
    attributes = {"Id": "id"}

    def __init__(self, account_id: str, region_name: str, acl_id: str, rule_number: int, egress: bool):
        super().__init__(account_id, region_name)
        self.acl_id = acl_id
        self.rule_number = rule_number
        self.egress = egress

    @property
    def id(self) -> str:
        return f"{self.acl_id}|{'egress' if self.egress else 'ingress'}|{self.rule_number}"

    @property
    def physical_resource_id(self) -> str:
        return self.id

    @staticmethod
    def _arguments(properties: dict[str, Any]) -> dict[str, Any]:
        icmp = properties.get("Icmp") or {}
        ports = properties.get("PortRange") or {}
        return {
            "protocol": str(properties["Protocol"]),
            "rule_action": properties["RuleAction"],
            "cidr_block": properties.get("CidrBlock"),
            "ipv6_cidr_block": properties.get("Ipv6CidrBlock"),
            "icmp_code": icmp.get("Code"),
            "icmp_type": icmp.get("Type"),
            "port_range_from": ports.get("From"),
            "port_range_to": ports.get("To"),
        }

    @classmethod
    def create(cls, name, properties, account_id, region_name):
        entry = cls(
            account_id,
            region_name,
            properties["NetworkAclId"],
            int(properties["RuleNumber"]),
            boolean(properties.get("Egress")),
        )
        _backend(account_id, region_name).create_network_acl_entry(
            network_acl_id=entry.acl_id,
            rule_number=entry.rule_number,
            egress=entry.egress,
            **cls._arguments(properties),
        )
        return entry

    def apply(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        _backend(self.account_id, self.region_name).replace_network_acl_entry(
            network_acl_id=self.acl_id,
            rule_number=self.rule_number,
            egress=self.egress,
            **self._arguments(new),
        )

    def delete(self, account_id: str, region_name: str) -> None:
        backend = _backend(account_id, region_name)
        acl = backend.network_acls.get(self.acl_id)
        if acl is not None and any(
            e.rule_number == self.rule_number and e.egress == self.egress for e in acl.network_acl_entries
        ):
            backend.delete_network_acl_entry(self.acl_id, self.rule_number, self.egress)
