"""VPC peering across localcloud's regions, as CloudFormation and EC2 do it.

moto's AWS::EC2::VPCPeeringConnection ignored PeerRegion and PeerOwnerId (it looked the
peer VPC up in the requester's region), never checked overlapping CIDRs, left the
connection pending-acceptance and never deleted it. Here:
- the peer VPC is looked up in PeerRegion (default: the stack's region) and must exist
  there (InvalidVpcID.NotFound);
- overlapping CIDR blocks fail the connection (AWS: status failed, so the resource fails);
- a peer in another account is refused: AWS needs PeerRoleArn and an accepter role in that
  account, which localcloud (one account) cannot play;
- same account: CloudFormation accepts the request without a peering role, so the
  connection is active in both regions;
- deleting the resource deletes the connection (status deleted, in both regions);
- a route through a peering connection needs one that exists in the route table's region,
  is not deleted, failed or rejected, and connects the route table's VPC.
"""

from __future__ import annotations

import ipaddress

from moto.ec2.exceptions import EC2ClientError, InvalidVPCIdError, InvalidVPCPeeringConnectionIdError

from ..core.registry import document, patch, replace

GONE = ("deleted", "rejected", "failed", "expired")


class PeeringFailed(EC2ClientError):
    def __init__(self, message: str):
        super().__init__("VpcPeeringConnectionFailed", message)


def _vpc(backends, account: str, region: str, vpc_id: str):
    vpc = backends[account][region].vpcs.get(vpc_id)
    if vpc is None:
        raise InvalidVPCIdError(vpc_id)
    return vpc


def _overlap(vpc, peer) -> bool:
    own = [ipaddress.ip_network(block) for block in _blocks(vpc)]
    return any(a.overlaps(ipaddress.ip_network(b)) for a in own for b in _blocks(peer))


def _blocks(vpc) -> list[str]:
    return [c["cidr_block"] for c in vpc.cidr_block_association_set if c.get("cidr_block")] or [vpc.cidr_block]


def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    from moto.ec2.models import ec2_backends

    properties = cloudformation_json["Properties"]
    peer_account = properties.get("PeerOwnerId") or account_id
    if peer_account != account_id:
        raise PeeringFailed(
            f"peer VPC owner {peer_account} is another account: it must accept through PeerRoleArn "
            "and a role of its own, which localcloud (one account) cannot emulate"
        )
    vpc = _vpc(ec2_backends, account_id, region_name, properties["VpcId"])
    peer = _vpc(ec2_backends, peer_account, properties.get("PeerRegion") or region_name, properties["PeerVpcId"])
    if _overlap(vpc, peer):
        raise PeeringFailed(
            f"VPC peering connection failed: overlapping CIDR range ({vpc.cidr_block} of {vpc.id} "
            f"and {peer.cidr_block} of {peer.id})"
        )
    tags = {tag["Key"]: tag["Value"] for tag in properties.get("Tags", [])}
    connection = ec2_backends[account_id][region_name].create_vpc_peering_connection(vpc, peer, tags)
    connection._status.accept()  # same account: accepted without a peering role
    return connection


def delete(self, account_id: str, region: str) -> None:
    from moto.ec2.models import ec2_backends

    ec2_backends[account_id][region].delete_vpc_peering_connection(self.id)


def _check_route_target(backend, route_table_id: str, connection_id: str) -> None:
    connection = backend.get_vpc_peering_connection(connection_id)  # InvalidVpcPeeringConnectionId.NotFound
    if connection._status.code in GONE:
        raise InvalidVPCPeeringConnectionIdError(connection_id)
    table = backend.get_route_table(route_table_id)
    if table.vpc_id not in (connection.vpc.id, connection.peer_vpc.id):
        raise EC2ClientError(
            "InvalidParameterValue",
            f"route table {route_table_id} and peering connection {connection_id} belong to different networks",
        )


@patch(
    "AWS::EC2::VPCPeeringConnection looks its peer up in PeerRegion, fails on overlapping CIDRs, is active in "
    "both regions and deleted with its stack; a route through a peering needs one that connects its VPC"
)
def _peering_across_regions() -> None:
    from moto.ec2.models import route_tables, vpc_peering_connections

    model = vpc_peering_connections.VPCPeeringConnection
    replace(model, "create_from_cloudformation_json", classmethod(create_from_cloudformation_json))
    replace(model, "delete", delete)
    original = route_tables.RouteBackend.create_route

    def create_route(self, route_table_id, destination_cidr_block, *args, **kwargs):
        connection_id = kwargs.get("vpc_peering_connection_id")
        if connection_id:
            _check_route_target(self, route_table_id, connection_id)
        return original(self, route_table_id, destination_cidr_block, *args, **kwargs)

    replace(route_tables.RouteBackend, "create_route", create_route)


__doc__ = document(__doc__, __name__)
