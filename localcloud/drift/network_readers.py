"""Readers of the VPC's plumbing: internet and NAT gateways, Elastic IPs, route tables, their
routes and subnet associations, gateway attachments, peering connections and flow logs.
Each turns moto's EC2 resource into CloudFormation's property shape, as readers.py does;
a resource that is gone (deleted, detached, disassociated, replaced) is Missing. A route
points at one target: the one it points at now is read, the others are None, so a route
moved to another gateway is NOT_EQUAL on the template's target."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .readers import Missing, Target, _backend, _or_missing


def _ec2(target: Target):
    return _backend("ec2", "ec2_backends", target.account, target.region)


def _internet_gateway(target: Target) -> dict:
    _or_missing(_ec2(target).internet_gateways.get(target.physical_id))
    return {}


def _attachment(target: Target) -> dict:
    """The template's gateway attached to the template's VPC; detached is gone."""
    gateway = _ec2(target).internet_gateways.get(target.expected.get("InternetGatewayId", ""))
    if gateway is None or gateway.vpc is None or gateway.vpc.id != target.expected.get("VpcId"):
        raise Missing()
    return {"InternetGatewayId": gateway.id, "VpcId": gateway.vpc.id}


def _address(target: Target) -> dict:
    address = _or_missing(
        next((a for a in _ec2(target).addresses if target.physical_id in (a.public_ip, a.allocation_id)), None)
    )
    return {"Domain": address.domain}


def _nat_gateway(target: Target) -> dict:
    gateway = _ec2(target).nat_gateways.get(target.physical_id)
    if gateway is None or gateway.state == "deleted":
        raise Missing()
    address = next((a for a in _ec2(target).addresses if a.eni is gateway._eni), None)
    return {
        "SubnetId": gateway.subnet_id,
        "AllocationId": address.allocation_id if address is not None else None,
        "ConnectivityType": gateway.connectivity_type,
    }


def _route_table(target: Target) -> dict:
    table = _or_missing(_ec2(target).route_tables.get(target.physical_id))
    return {"VpcId": table.vpc_id}


ROUTE_TARGETS: dict[str, Callable[[Any], Any]] = {
    "GatewayId": lambda route: route.gateway.id if route.gateway else None,
    "NatGatewayId": lambda route: route.nat_gateway.id if route.nat_gateway else None,
    "VpcPeeringConnectionId": lambda route: route.vpc_pcx.id if route.vpc_pcx else None,
    "TransitGatewayId": lambda route: route.transit_gateway.id if route.transit_gateway else None,
    "InstanceId": lambda route: route.instance.id if route.instance else None,
    "NetworkInterfaceId": lambda route: route.interface.id if route.interface else None,
}


def _route(target: Target) -> dict:
    table = _or_missing(_ec2(target).route_tables.get(target.expected.get("RouteTableId", "")))
    destination = target.expected.get("DestinationCidrBlock")
    route = _or_missing(next((r for r in table.routes if r.destination_cidr_block == destination), None))
    return {
        "RouteTableId": table.id,
        "DestinationCidrBlock": route.destination_cidr_block,
        **{name: read(route) for name, read in ROUTE_TARGETS.items()},
    }


def _association(target: Target) -> dict:
    """The template's subnet associated with the template's table; associated elsewhere (a
    replaced association has a new id on AWS) or not at all is gone."""
    table = _or_missing(_ec2(target).route_tables.get(target.expected.get("RouteTableId", "")))
    subnet = target.expected.get("SubnetId")
    if subnet not in table._associations.values():
        raise Missing()
    return {"RouteTableId": table.id, "SubnetId": subnet}


def _peering(target: Target) -> dict:
    connection = _ec2(target).vpc_pcxs.get(target.physical_id)
    if connection is None or connection._status.code in ("deleted", "rejected", "failed"):
        raise Missing()
    return {
        "VpcId": connection.vpc.id,
        "PeerVpcId": connection.peer_vpc.id,
        "PeerRegion": connection.peer_vpc.ec2_backend.region_name,
    }


def _flow_log(target: Target) -> dict:
    log = _or_missing(_ec2(target).flow_logs.get(target.physical_id))
    return {
        "ResourceId": log.resource_id,
        "TrafficType": log.traffic_type,
        "LogDestinationType": log.log_destination_type,
        "LogGroupName": log.log_group_name,
        "DeliverLogsPermissionArn": log.deliver_logs_permission_arn,
        "MaxAggregationInterval": log.max_aggregation_interval,
    }


def ec2_tags(target: Target) -> dict[str, str]:
    return dict(_ec2(target).tags.get(target.physical_id, {}))


def _address_tags(target: Target) -> dict[str, str]:
    address = next((a for a in _ec2(target).addresses if target.physical_id in (a.public_ip, a.allocation_id)), None)
    return dict(_ec2(target).tags.get(address.allocation_id, {})) if address is not None else {}


READERS: dict[str, Callable[[Target], dict]] = {
    "AWS::EC2::EIP": _address,
    "AWS::EC2::FlowLog": _flow_log,
    "AWS::EC2::InternetGateway": _internet_gateway,
    "AWS::EC2::NatGateway": _nat_gateway,
    "AWS::EC2::Route": _route,
    "AWS::EC2::RouteTable": _route_table,
    "AWS::EC2::SubnetRouteTableAssociation": _association,
    "AWS::EC2::VPCGatewayAttachment": _attachment,
    "AWS::EC2::VPCPeeringConnection": _peering,
}

TAGS: dict[str, Callable[[Target], dict[str, str]]] = {
    "AWS::EC2::EIP": _address_tags,
    "AWS::EC2::FlowLog": ec2_tags,
    "AWS::EC2::InternetGateway": ec2_tags,
    "AWS::EC2::NatGateway": ec2_tags,
    "AWS::EC2::RouteTable": ec2_tags,
    "AWS::EC2::VPCPeeringConnection": ec2_tags,
}

PROJECTIONS: dict[tuple[str, str], Callable[[Any], Any]] = {}
