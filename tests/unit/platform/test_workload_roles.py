"""Workload roles name what they reach: every ECS task execution role pulls from exactly the
repository of the image its service runs, in every environment and region it deploys to
(resolved with the parameter files, as CloudFormation will)."""

from __future__ import annotations

import pytest

from cfnops.awsfacts import intrinsics, policy_eval
from cfnops.build import render
from cfnops.inputs import params
from templates_src.platform import PLATFORM

ACCOUNT = "123456789012"
PULLS = "ecr:BatchGetImage"


def execution_roles(template: dict) -> dict[str, dict]:
    """Roles ECS tasks assume whose policies pull images."""
    return {
        logical_id: resource
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "AWS::IAM::Role"
        and "ecs-tasks.amazonaws.com" in str(resource["Properties"]["AssumeRolePolicyDocument"])
        and PULLS in str(resource["Properties"].get("Policies"))
    }


@pytest.mark.parametrize("environment", PLATFORM.environments)
def test_each_task_execution_role_pulls_from_its_images_repository_only(project, environment):
    templates = render.read_generated(project)
    resolved = params.resolve_deployed(project, environment, templates)
    checked = 0
    for name, template in templates.items():
        roles = execution_roles(template)
        for region in resolved.values.get(name, {}) if roles else ():
            values = resolved.plain(name, region)
            refs = {**values, "AWS::AccountId": ACCOUNT, "AWS::Partition": "aws", "AWS::Region": region}
            resolve = intrinsics.Resolver(refs, intrinsics.evaluate_conditions(template, refs))
            image = values["ContainerImage"].replace("{account}", ACCOUNT)
            repository = image.split("/", 1)[1].split("@")[0].split(":")[0]
            for logical_id, role in roles.items():
                statements = [
                    s
                    for policy in resolve(role["Properties"]["Policies"])
                    for s in policy["PolicyDocument"]["Statement"]
                    if PULLS in s["Action"]
                ]
                assert [s["Resource"] for s in statements] == [
                    [f"arn:aws:ecr:{region}:{ACCOUNT}:repository/{repository}"]
                ], (name, logical_id, region)
                checked += 1
    assert checked


@pytest.mark.parametrize(
    ("image", "repository"),
    [
        ("123456789012.dkr.ecr.us-east-1.amazonaws.com/fraud-api:1.4.2", "fraud-api"),
        ("123456789012.dkr.ecr.us-east-1.amazonaws.com/fraud-api@sha256:" + "a" * 64, "fraud-api"),
        ("registry.example.com:5000/loan-api:2", "loan-api"),
    ],
)
def test_the_repository_is_read_from_the_image_as_cloudformation_splits_it(image, repository):
    from templates_src.components import compute

    expression = compute.repository_of({"Ref": "ContainerImage"}).to_dict()
    assert intrinsics.Resolver({"ContainerImage": image})(expression) == repository


OURS = "vpc-0ours"
THEIRS = "vpc-0theirs"


def eni(kind: str, region: str = "us-east-1") -> str:
    return f"arn:aws:ec2:{region}:{ACCOUNT}:{kind}/{kind[:3]}-0123"


def function_roles(template: dict) -> dict[str, dict]:
    """Roles of the template's functions that run in a VPC."""
    in_vpc = {
        r["Properties"]["Role"]["Fn::GetAtt"][0]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::Lambda::Function" and "VpcConfig" in r["Properties"]
    }
    return {logical_id: template["Resources"][logical_id] for logical_id in in_vpc}


def test_function_roles_manage_network_interfaces_in_their_own_vpc_only(templates):
    refs = {"AWS::AccountId": ACCOUNT, "AWS::Partition": "aws", "AWS::Region": "us-east-1"}
    checked = 0
    for name, template in templates.items():
        for logical_id, role in function_roles(template).items():
            resolve = intrinsics.Resolver(refs, unresolved=lambda node: OURS)  # the imported VPC id
            documents = [p["PolicyDocument"] for p in resolve(role["Properties"]["Policies"])]
            ours = {"ec2:Vpc": f"arn:aws:ec2:us-east-1:{ACCOUNT}:vpc/{OURS}"}
            theirs = {"ec2:Vpc": f"arn:aws:ec2:us-east-1:{ACCOUNT}:vpc/{THEIRS}"}
            for action, resource in (
                ("ec2:CreateNetworkInterface", eni("subnet")),
                ("ec2:CreateNetworkInterface", eni("security-group")),
                ("ec2:DeleteNetworkInterface", eni("network-interface")),
                ("ec2:AssignPrivateIpAddresses", eni("network-interface")),
                ("ec2:UnassignPrivateIpAddresses", eni("network-interface")),
            ):
                assert policy_eval.evaluate(documents, action, resource, ours).allowed, (name, logical_id, action)
                refused = policy_eval.evaluate(documents, action, resource, theirs)
                assert not refused.allowed, (name, logical_id, action, resource)
            # the interface being created has no VPC yet (IAM gives ec2:Vpc for its subnet and group)
            assert policy_eval.evaluate(documents, "ec2:CreateNetworkInterface", eni("network-interface"), {}).allowed
            checked += 1
    assert checked


def test_a_placeholder_image_sizes_the_policy_instead_of_failing():
    """Policy sizing resolves unknown values to a placeholder without '/': the repository's
    Select then stands for a deploy-time value too, as the lint's sizing needs."""
    from templates_src.components import compute

    expression = compute.repository_of({"Ref": "ContainerImage"}).to_dict()
    assert intrinsics.Resolver({}, unresolved=lambda node: "x" * 40)(expression) == "x" * 40
