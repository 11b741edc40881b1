"""Inter-region peering on localcloud: a fresh staging network + network-peering rollout in
three regions (passes, all CURRENT, routes through active peerings, a re-run changes
nothing), and localcloud refusing what AWS refuses about peering."""

from __future__ import annotations

import json
import re
import warnings

import boto3
import pytest

import localcloud
from cfnops.rollout import planview
from templates_src.components.network import vpc_cidr
from tests.support.rollout import Run, copy_project, do_bootstrap

localcloud.install()
from moto import mock_aws  # noqa: E402

REGIONS = ("us-east-1", "us-west-2", "eu-west-1")


@pytest.fixture
def aws(monkeypatch):
    monkeypatch.setenv("LOCALCLOUD_OPERATION_SECONDS", "0")
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        yield


def ec2(region: str):
    return boto3.client("ec2", region_name=region)


def logical_id(table: dict) -> str:
    return next(tag["Value"] for tag in table.get("Tags", []) if tag["Key"] == "aws:cloudformation:logical-id")


@pytest.mark.slow
def test_staging_network_and_peering_in_three_regions(aws, tmp_path):
    project = copy_project(tmp_path)
    do_bootstrap(project)
    run = Run(project, only=("network", "network-peering"))
    assert run.failures == []
    peering_plan = next(p for p in run.plans if p.name == "network-peering-staging")
    assert any(
        line.startswith("  deployed in passes, in the order us-east-1 -> us-west-2 -> eu-west-1")
        for line in planview.describe(peering_plan, show_diff=False)
    )
    # network in one operation; peering one region per pass, requesters first
    assert run.mutating == {"CreateStackSet": 2, "CreateStackInstances": 1 + 3}
    cfn = boto3.client("cloudformation", region_name="us-east-1")
    for name in ("network-staging", "network-peering-staging"):
        summaries = cfn.list_stack_instances(StackSetName=name)["Summaries"]
        assert sorted(s["Region"] for s in summaries) == sorted(REGIONS) and {s["Status"] for s in summaries} == {
            "CURRENT"
        }
    vpcs = {
        r: ec2(r).describe_vpcs(Filters=[{"Name": "cidr", "Values": [str(vpc_cidr("staging", r))]}])["Vpcs"][0]["VpcId"]
        for r in REGIONS
    }
    requested = set()
    for region in REGIONS:
        connections = {
            c["VpcPeeringConnectionId"]: c
            for c in ec2(region).describe_vpc_peering_connections()["VpcPeeringConnections"]
        }
        for connection in connections.values():
            assert connection["Status"]["Code"] == "active"
            requested.add((connection["RequesterVpcInfo"]["Region"], connection["AccepterVpcInfo"]["Region"]))
        tables = ec2(region).describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpcs[region]]}])[
            "RouteTables"
        ]
        routed = {}
        for table in tables:
            for route in table["Routes"]:
                if route.get("VpcPeeringConnectionId"):
                    routed.setdefault(logical_id(table), set()).add(route["DestinationCidrBlock"])
                    connection = connections[route["VpcPeeringConnectionId"]]
                    peer = next(r for r in REGIONS if str(vpc_cidr("staging", r)) == route["DestinationCidrBlock"])
                    assert {connection["RequesterVpcInfo"]["VpcId"], connection["AccepterVpcInfo"]["VpcId"]} == {
                        vpcs[region],
                        vpcs[peer],
                    }
        peers = {str(vpc_cidr("staging", r)) for r in REGIONS if r != region}
        # staging spans two zones: both private tables and the data table, never the public one
        assert routed == {"PrivateRouteTable1": peers, "PrivateRouteTable2": peers, "DataRouteTable1": peers}, routed
    assert requested == {("us-east-1", "us-west-2"), ("us-east-1", "eu-west-1"), ("us-west-2", "eu-west-1")}
    again = Run(project, only=("network", "network-peering"))
    assert again.failures == [] and not again.mutating and {p.action for p in again.plans} == {"unchanged"}


def vpc(region: str, cidr: str) -> str:
    return ec2(region).create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]


def peering_stack(region: str, vpc_id: str, peer_vpc: str, peer_region: str, extra: dict | None = None) -> str:
    """The stack's status (in-process, localcloud raises a resource's failure from CreateStack)."""
    template = {
        "Resources": {
            "Peering": {
                "Type": "AWS::EC2::VPCPeeringConnection",
                "Properties": {"VpcId": vpc_id, "PeerVpcId": peer_vpc, "PeerRegion": peer_region},
            },
            **(extra or {}),
        }
    }
    cfn = boto3.client("cloudformation", region_name=region)
    cfn.create_stack(StackName="peering", TemplateBody=json.dumps(template))
    return cfn.describe_stacks(StackName="peering")["Stacks"][0]["StackStatus"]


def test_peer_vpc_is_looked_up_in_its_region_and_the_connection_is_active_in_both(aws):
    east, west = vpc("us-east-1", "10.20.0.0/16"), vpc("us-west-2", "10.21.0.0/16")
    assert peering_stack("us-east-1", east, west, "us-west-2") == "CREATE_COMPLETE"
    for region in ("us-east-1", "us-west-2"):
        [connection] = ec2(region).describe_vpc_peering_connections()["VpcPeeringConnections"]
        assert connection["Status"]["Code"] == "active"
    boto3.client("cloudformation", region_name="us-east-1").delete_stack(StackName="peering")
    [connection] = ec2("us-west-2").describe_vpc_peering_connections()["VpcPeeringConnections"]
    assert connection["Status"]["Code"] == "deleted"


@pytest.mark.parametrize("case", ["missing-in-peer-region", "overlapping", "route-from-another-vpc"])
def test_refused_as_aws_refuses(aws, case):
    east = vpc("us-east-1", "10.20.0.0/16")
    west = vpc("us-west-2", "10.20.0.0/16" if case == "overlapping" else "10.21.0.0/16")
    peer = (
        vpc("us-east-1", "10.22.0.0/16") if case == "missing-in-peer-region" else west
    )  # exists, but not in us-west-2
    extra = {}
    if case == "route-from-another-vpc":
        other = ec2("us-east-1").create_route_table(VpcId=vpc("us-east-1", "10.23.0.0/16"))["RouteTable"][
            "RouteTableId"
        ]
        extra = {
            "Route": {
                "Type": "AWS::EC2::Route",
                "Properties": {
                    "RouteTableId": other,
                    "DestinationCidrBlock": "10.21.0.0/16",
                    "VpcPeeringConnectionId": {"Ref": "Peering"},
                },
            }
        }
    expected = {
        "missing-in-peer-region": f"VpcID {peer} does not exist",
        "overlapping": "VPC peering connection failed: overlapping CIDR range",
        "route-from-another-vpc": "belong to different networks",
    }[case]
    with pytest.raises(Exception, match=re.escape(expected)):
        peering_stack("us-east-1", east, peer, "us-west-2", extra)
