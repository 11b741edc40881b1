"""The residency gate: no route, peering, security-group rule, import or replication leads from
a residency-bound template (loan-processing) out of its zone. Each refusal from a fixture made
on today's templates, which pass as they are."""

from __future__ import annotations

import copy
import dataclasses
import json
import subprocess
import sys

import pytest

from cfnops.build import gate
from cfnops.build.gate import residency
from templates_src.components.network import vpc_cidr
from tests.conftest import PLATFORM, ROOT

SCOPE = gate.Scope(
    PLATFORM.environments,
    PLATFORM.regions,
    PLATFORM.bootstrap,
    lambda name: f"generated/{name}.json",
    PLATFORM.residency,
)


@pytest.fixture(scope="module")
def generated(project) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text()) for p in project.generated.glob("*.json") if p.stem != "manifest"}


def bound_templates(templates) -> dict[str, list[str]]:
    return {name: residency.allowed_regions(t) for name, t in templates.items() if residency.allowed_regions(t)}


def outside_regions(zone) -> list[str]:
    return [region for region in PLATFORM.regions if region not in zone]


def with_resources(templates, name, **resources) -> dict[str, dict]:
    changed = copy.deepcopy(templates)
    changed[name]["Resources"].update(resources)
    return changed


def found(templates) -> dict[tuple[str, str], str]:
    return {(f.file, f.path): f.message for f in gate.check(templates, SCOPE) if f.rule == residency.RULE}


def first_of_type(template, kind) -> str:
    return next(logical_id for logical_id, r in template["Resources"].items() if r["Type"] == kind)


def test_todays_templates_pass_and_loan_processing_is_bound_to_the_declared_eu_zone(generated):
    assert found(generated) == {}
    assert bound_templates(generated) == {"loan-processing": list(PLATFORM.residency["EU"])}


def test_a_route_or_a_security_group_rule_toward_another_regions_vpc_is_refused(generated):
    for name, zone in bound_templates(generated).items():
        template = generated[name]
        table = first_of_type(template, "AWS::EC2::RouteTable")
        group = first_of_type(template, "AWS::EC2::SecurityGroup")
        nat = first_of_type(template, "AWS::EC2::NatGateway")
        for region in outside_regions(zone):
            us = str(vpc_cidr("staging", region))  # the platform network's address space there
            changed = with_resources(
                generated,
                name,
                RouteOut={
                    "Type": "AWS::EC2::Route",
                    "Properties": {
                        "RouteTableId": {"Ref": table},
                        "DestinationCidrBlock": us,
                        "NatGatewayId": {"Ref": nat},
                    },
                },
                RuleOut={
                    "Type": "AWS::EC2::SecurityGroupEgress",
                    "Properties": {
                        "GroupId": {"Ref": group},
                        "IpProtocol": "tcp",
                        "FromPort": 5432,
                        "ToPort": 5432,
                        "CidrIp": us,
                    },
                },
            )
            refused = found(changed)
            assert set(refused) == {
                (f"generated/{name}.json", "Resources/RouteOut/Properties/DestinationCidrBlock"),
                (f"generated/{name}.json", "Resources/RuleOut/Properties/CidrIp"),
            }
            assert all(f"the VPC of network in {region} (staging)" in message for message in refused.values())


def test_a_wider_block_is_refused_the_internet_and_the_own_vpc_are_not(generated):
    for name in bound_templates(generated):
        group = first_of_type(generated[name], "AWS::EC2::SecurityGroup")

        def rule(cidr, group=group):
            properties = {"GroupId": {"Ref": group}, "IpProtocol": "tcp", "FromPort": 1, "ToPort": 1, "CidrIp": cidr}
            return {"Type": "AWS::EC2::SecurityGroupIngress", "Properties": properties}

        own = {
            "Fn::Select": [
                0,
                {"Fn::FindInMap": ["ResidentNetworkCidrs", {"Ref": "AWS::Region"}, {"Ref": "Environment"}]},
            ]
        }
        changed = with_resources(
            generated,
            name,
            Private=rule("10.0.0.0/8"),
            Internet=rule("0.0.0.0/0"),
            Own=rule(own),
            Asked=rule({"Ref": "X"}),
        )
        assert set(found(changed)) == {
            (f"generated/{name}.json", "Resources/Private/Properties/CidrIp"),
            (f"generated/{name}.json", "Resources/Asked/Properties/CidrIp"),  # what deploy time decides cannot be shown
        }


def test_peering_replication_and_other_regions_arns_are_refused(generated):
    for name, zone in bound_templates(generated).items():
        vpc = first_of_type(generated[name], "AWS::EC2::VPC")
        table = first_of_type(generated[name], "AWS::EC2::RouteTable")
        outside = outside_regions(zone)[0]
        changed = with_resources(
            generated,
            name,
            Peering={
                "Type": "AWS::EC2::VPCPeeringConnection",
                "Properties": {"VpcId": {"Ref": vpc}, "PeerVpcId": "vpc-1", "PeerRegion": outside},
            },
            ViaPeering={
                "Type": "AWS::EC2::Route",
                "Properties": {
                    "RouteTableId": {"Ref": table},
                    "DestinationCidrBlock": "192.168.0.0/16",
                    "VpcPeeringConnectionId": "pcx-1",
                },
            },
            Replicated={
                "Type": "AWS::S3::Bucket",
                "Properties": {
                    "ReplicationConfiguration": {
                        "Role": "r",
                        "Rules": [{"Status": "Enabled", "Destination": {"Bucket": "arn:aws:s3:::elsewhere"}}],
                    }
                },
            },
            MultiRegionKey={"Type": "AWS::KMS::Key", "Properties": {"MultiRegion": True}},
            Subscription={
                "Type": "AWS::Logs::SubscriptionFilter",
                "Properties": {
                    "LogGroupName": "g",
                    "FilterPattern": "",
                    "DestinationArn": f"arn:aws:kinesis:{outside}:123456789012:stream/s",
                },
            },
        )
        file = f"generated/{name}.json"
        assert set(found(changed)) == {
            (file, "Resources/Peering/Properties/PeerRegion"),
            (file, "Resources/ViaPeering/Properties/VpcPeeringConnectionId"),
            (file, "Resources/Replicated/Properties/ReplicationConfiguration"),
            (file, "Resources/MultiRegionKey/Properties/MultiRegion"),
            (file, "Resources/Subscription/Properties/DestinationArn"),
        }


def test_imports_from_the_peered_network_and_imports_of_its_exports_are_refused(generated):
    for name in bound_templates(generated):
        group = first_of_type(generated[name], "AWS::EC2::SecurityGroup")
        shared = {"Fn::ImportValue": {"Fn::Sub": "${Environment}-network-ApplicationSecurityGroupId"}}
        changed = with_resources(
            generated,
            name,
            SharedGroupRule={
                "Type": "AWS::EC2::SecurityGroupIngress",
                "Properties": {
                    "GroupId": {"Ref": group},
                    "IpProtocol": "tcp",
                    "FromPort": 1,
                    "ToPort": 1,
                    "SourceSecurityGroupId": shared,
                },
            },
        )
        assert (
            "from network, which is not bound to the zone"
            in found(changed)[(f"generated/{name}.json", "Resources/SharedGroupRule")]
        )
        export = next(o["Export"]["Name"] for o in generated[name]["Outputs"].values() if "Export" in o)
        importer = with_resources(
            generated,
            "network-peering",
            Reader={
                "Type": "AWS::SSM::Parameter",
                "Properties": {"Type": "String", "Value": {"Fn::ImportValue": export}},
            },
        )
        assert f"of {name}, which is bound to" in found(importer)[("generated/network-peering.json", "Resources")]


def test_the_zone_is_one_the_platform_declares_and_a_rule_refuses_the_rest(generated):
    for name, zone in bound_templates(generated).items():
        wider = copy.deepcopy(generated)
        wider[name]["Metadata"]["cfnops"]["AllowedRegions"] = [*zone, "eu-west-2"]
        refused = found(wider)
        assert (
            "is not a residency zone the platform declares (EU: eu-west-1)"
            in refused[(f"generated/{name}.json", "Metadata/cfnops/AllowedRegions")]
        )
        assert (
            "no Rule refuses regions outside" in refused[(f"generated/{name}.json", "Rules")]
        )  # the Rule still says eu-west-1
        unruled = copy.deepcopy(generated)
        unruled[name]["Rules"] = {}
        assert set(found(unruled)) == {(f"generated/{name}.json", "Rules")}


@pytest.mark.slow  # the changed template through cfn-lint and checkov: the gate itself, not a unit
def test_lint_exits_4_on_a_rule_toward_a_us_vpc(tmp_project):
    path = tmp_project.generated / "loan-processing.json"
    body = json.loads(path.read_text())
    body["Resources"]["ToUs"] = {
        "Type": "AWS::EC2::SecurityGroupEgress",
        "Properties": {
            "GroupId": {"Ref": "ServiceSecurityGroup"},
            "IpProtocol": "tcp",
            "FromPort": 5432,
            "ToPort": 5432,
            "CidrIp": str(vpc_cidr("prod", "us-east-1")),
            "Description": "PostgreSQL to us-east-1",
        },
    }
    path.write_text(json.dumps(body, indent=2, sort_keys=True) + "\n")
    result = subprocess.run(
        [sys.executable, "-m", "cfnops", "--root", str(tmp_project.root), "lint", "--template", "loan-processing"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 4, result.stderr
    assert "generated/loan-processing.json: Resources/ToUs/Properties/CidrIp: RESIDENCY" in result.stderr


def test_a_platform_zone_must_name_some_of_its_own_regions():
    for zones in ({"EU": ("eu-west-2",)}, {"EU": ()}):
        with pytest.raises(ValueError, match="residency zone EU must name some of the platform's regions"):
            dataclasses.replace(PLATFORM, residency=zones)
