"""network-peering: which connections, routes and security group rules each region's
instance creates, given the values cfnops reads for it (stacksets/network-peering.yaml)."""

from __future__ import annotations

import ipaddress
import itertools

import pytest

from cfnops.awsfacts.intrinsics import evaluate_conditions, parameter_values
from cfnops.inputs import region_outputs
from templates_src.components.network import subnet_cidrs, vpc_cidr
from templates_src.conventions import REGIONS, region_title
from tests.support import security_groups
from tests.support.specs import load

ENVIRONMENT = "staging"


@pytest.fixture(scope="module")
def peering(templates):
    return templates["network-peering"]


@pytest.fixture(scope="module")
def spec(project):
    return next(s for s in load(project, ENVIRONMENT) if s.key == "network-peering")


def region_values(spec, region: str, az_count: str = "2") -> dict[str, str]:
    """What the rollout passes to the instance in ``region``: fake VPC and peering ids, named after the pair."""
    values = {}
    for need in region_outputs.needs(spec):
        if need.region == region:
            fake = {"AzCount": az_count, "VpcId": "vpc-" + region_title(need.source).lower().ljust(8, "0")}
            values[need.parameter] = fake.get(
                need.output, "pcx-" + (region_title(need.source) + region_title(region)).lower()
            )
    return values


def created(template, region: str, values: dict) -> dict[str, dict]:
    """The resources the instance in ``region`` creates with ``values``."""
    refs = {**parameter_values(template, values), "AWS::Region": region, "Environment": ENVIRONMENT}
    conditions = evaluate_conditions(template, refs)
    return {name: body for name, body in template["Resources"].items() if conditions.get(body.get("Condition"), True)}


def of_type(resources: dict, kind: str) -> dict:
    return {name: body for name, body in resources.items() if body["Type"] == kind}


def peer_of(cidr_lookup: dict) -> tuple[str, int]:
    """(peer region, index in its NetworkCidrs list) of a Select over FindInMap."""
    index, found = cidr_lookup["Fn::Select"]
    mapping, region, _ = found["Fn::FindInMap"]
    assert mapping == "NetworkCidrs"
    return region, index


def test_full_mesh_each_pair_requested_once_by_the_earlier_region(peering, spec):
    requested = []
    for region in spec.regions:
        for body in of_type(
            created(peering, region, region_values(spec, region)), "AWS::EC2::VPCPeeringConnection"
        ).values():
            requested.append((region, body["Properties"]["PeerRegion"]))
    assert sorted(requested) == sorted(itertools.combinations(spec.regions, 2))
    assert len(set(frozenset(pair) for pair in requested)) == len(requested)  # no pair twice, either way round


def test_routes_only_in_private_and_data_tables_to_every_peer_through_its_peering(peering, spec):
    for region in spec.regions:
        resources = created(peering, region, region_values(spec, region))
        routes = of_type(resources, "AWS::EC2::Route")
        tables = set()
        for name, body in routes.items():
            properties = body["Properties"]
            peer, index = peer_of(properties["DestinationCidrBlock"])
            assert index == 0 and peer != region  # the peer's /16
            table = properties["RouteTableId"]
            imported = table["Fn::Select"][1]["Fn::Split"][1] if "Fn::Select" in table else table
            export = imported["Fn::ImportValue"]["Fn::Sub"]
            assert export in (
                "${Environment}-network-PrivateRouteTableIds",
                "${Environment}-network-DataRouteTableId",
            ), name
            tables.add((peer, export, table["Fn::Select"][0] if "Fn::Select" in table else 0))
            target = properties["VpcPeeringConnectionId"]["Fn::If"]
            requests = spec.regions.index(region) < spec.regions.index(peer)
            expected = (
                {"Ref": f"PeeringConnection{region_title(peer)}"}
                if requests
                else {"Ref": f"PeeringConnectionId{region_title(peer)}"}
            )
            assert target[1 if requests else 2] == expected and target[0] == f"Requests{region_title(peer)}"
        # staging spans 2 zones: per peer, both private tables and the data table
        assert len(tables) == len(routes) == 3 * (len(spec.regions) - 1)


def test_a_third_zone_adds_a_third_private_route_per_peer(peering, spec):
    two = of_type(created(peering, "us-east-1", region_values(spec, "us-east-1", "2")), "AWS::EC2::Route")
    three = of_type(created(peering, "us-east-1", region_values(spec, "us-east-1", "3")), "AWS::EC2::Route")
    assert len(three) - len(two) == len(spec.regions) - 1


def test_no_values_no_peering(peering):
    resources = created(peering, "us-east-1", {})
    assert of_type(resources, "AWS::EC2::VPCPeeringConnection") == of_type(resources, "AWS::EC2::Route") == {}
    assert len(resources) == 0


PORTS = {  # direction -> port -> (security group, peer tier the CIDR must be in)
    "ingress": {443: ("LoadBalancerSecurityGroup", "private"), 5432: ("DatabaseSecurityGroup", "private")},
    "egress": {5432: ("ApplicationSecurityGroup", "data")},
}
TIER_INDEX = {"private": range(4, 7), "data": range(7, 10)}


def is_peer_cidr(cidr) -> bool:
    return isinstance(cidr, dict) and "Fn::FindInMap" in str(cidr) and peer_of(cidr)[1] > 0


def peer_rules(template, region: str) -> list[tuple[str, str, dict]]:
    """(direction, group, rule) of the network template's rules in ``region`` (inline or
    their own resources) that name another region's subnets."""
    refs = {**parameter_values(template, {"AzCount": "2"}), "AWS::Region": region, "Environment": ENVIRONMENT}
    conditions = evaluate_conditions(template, refs)
    return [
        (direction, group, rule)
        for direction in PORTS
        for group, rule in security_groups.rules(template, direction, conditions)
        if is_peer_cidr(rule.get("CidrIp"))
    ]


def test_security_group_rules_admit_only_peer_subnets_on_the_ports_replication_needs(templates, spec):
    """In the network template, on the groups: rules added from another stack would drift the groups."""
    network = templates["network"]
    for region in spec.regions:
        rules = peer_rules(network, region)
        seen = set()
        for direction, group, rule in rules:
            assert rule["IpProtocol"] == "tcp" and rule["FromPort"] == rule["ToPort"], rule
            expected_group, tier = PORTS[direction][rule["FromPort"]]
            assert group == expected_group, rule
            assert set(rule) == {"IpProtocol", "FromPort", "ToPort", "CidrIp", "Description"}, rule
            peer, index = peer_of(rule["CidrIp"])
            assert peer != region and index in TIER_INDEX[tier], rule
            cidr = ipaddress.ip_network(subnet_cidrs(ENVIRONMENT, peer)[index])
            assert cidr.subnet_of(vpc_cidr(ENVIRONMENT, peer)) and cidr.prefixlen == 20, rule
            seen.add((direction, rule["FromPort"], group, peer, index))
        peers = [r for r in spec.regions if r != region]
        assert len(seen) == len(rules) == 3 * 3 * len(peers)  # 3 rules x 3 peer subnets x peers
    # every CIDR rule of the network template is either the VPC's own /16, the world for HTTPS out, or a peer's
    other = [
        (group, rule["FromPort"])
        for direction in PORTS
        for group, rule in security_groups.rules(network, direction)
        if rule["IpProtocol"] == "tcp" and not isinstance(rule.get("CidrIp", {}), dict)
    ]
    assert other == [("ApplicationSecurityGroup", 443)]


def test_the_template_refuses_peering_with_itself_and_both_sides_at_once(peering):
    rules = peering["Rules"]
    for region in REGIONS:
        title = region_title(region)
        assert rules[f"NotPeeredWithItself{title}"]["RuleCondition"] == {"Fn::Equals": [{"Ref": "AWS::Region"}, region]}
        assert rules[f"OneSideOnly{title}"]["Assertions"][0]["Assert"] == {
            "Fn::Or": [
                {"Fn::Equals": [{"Ref": f"PeerVpcId{title}"}, ""]},
                {"Fn::Equals": [{"Ref": f"PeeringConnectionId{title}"}, ""]},
            ]
        }


def test_network_exports_what_peering_imports(templates, peering):
    exported = {
        output["Export"]["Name"]["Fn::Sub"] for output in templates["network"]["Outputs"].values() if "Export" in output
    }
    imported = set()

    def walk(node):
        if isinstance(node, dict):
            if "Fn::ImportValue" in node:
                imported.add(node["Fn::ImportValue"]["Fn::Sub"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(peering["Resources"])
    assert imported and imported <= exported
