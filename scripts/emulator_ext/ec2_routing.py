"""Route tables, routes and subnet associations that stacks can delete.

moto never deletes an AWS::EC2::RouteTable or AWS::EC2::Route when their stack
goes, so deleting a stack that holds a VPC and a route table fails with
DependencyViolation on the VPC. Its AWS::EC2::SubnetRouteTableAssociation does
not associate anything: DescribeRouteTables shows no association, and Ref
yields the route table id instead of the association id.

Here deletion goes through DeleteRouteTable / DeleteRoute, and the association
is a real one made by AssociateRouteTable and removed by
DisassociateRouteTable, with the ``rtbassoc-`` id as its Ref.
"""

from moto.ec2.models import ec2_backends
from moto.ec2.models.route_tables import Route, RouteTable

from .cfn import ExtensionModel, register


def _delete_route_table(self: RouteTable, account_id: str, region_name: str) -> None:
    if self.id in self.ec2_backend.route_tables:
        self.ec2_backend.delete_route_table(self.id)


def _delete_route(self: Route, account_id: str, region_name: str) -> None:
    backend = ec2_backends[account_id][region_name]
    table = backend.route_tables.get(self.route_table.id)
    if table is None or self.id not in table._routes:
        return
    backend.delete_route(
        table.id,
        self.destination_cidr_block,
        self.destination_ipv6_cidr_block,
        self.destination_prefix_list.id if self.destination_prefix_list else None,
    )


@register
class SubnetRouteTableAssociation(ExtensionModel):
    """AWS::EC2::SubnetRouteTableAssociation backed by a real association."""

    cfn_type = "AWS::EC2::SubnetRouteTableAssociation"
    create_only = ("RouteTableId", "SubnetId")
    attributes = {"Id": "id"}

    def __init__(self, account_id: str, region_name: str, association_id: str):
        super().__init__(account_id, region_name)
        self.id = association_id

    @property
    def physical_resource_id(self) -> str:
        return self.id

    @classmethod
    def create(cls, name, properties, account_id, region_name):
        backend = ec2_backends[account_id][region_name]
        association_id = backend.associate_route_table(properties["RouteTableId"], subnet_id=properties["SubnetId"])
        return cls(account_id, region_name, association_id)

    @classmethod
    def update_from_cloudformation_json(
        cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name
    ):
        # Every property is create-only, and a subnet has one association at a
        # time, so the old association goes before the new one is made.
        original_resource.delete(account_id, region_name)
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)

    def delete(self, account_id: str, region_name: str) -> None:
        backend = ec2_backends[account_id][region_name]
        if any(self.id in table._associations for table in backend.route_tables.values()):
            backend.disassociate_route_table(self.id)


def install() -> None:
    RouteTable.delete = _delete_route_table
    Route.delete = _delete_route
