"""The templates as plain stacks on localcloud (moto + our patches): every environment in
us-east-1, us-west-2 and eu-west-1 of ONE account, the hardest case for name collisions."""

from __future__ import annotations

import json
import warnings

import boto3
import pytest

import localcloud
from cfnops.build import render
from cfnops.inputs import params
from templates_src.components.network import NETWORK_EXPORTS
from templates_src.conventions import ENVIRONMENTS, REGIONS

localcloud.install()
from moto import mock_aws  # noqa: E402  (after the patches)

CAPABILITIES = ["CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]


@pytest.fixture(scope="module")
def deployed(project):
    """Create network then fraud-detection for every environment in every region."""
    templates = render.read_generated(project)
    stacks = {}
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="templates")  # bodies over 51,200 bytes go through S3, as on AWS
        for name in ("network", "fraud-detection"):
            s3.put_object(Bucket="templates", Key=f"{name}.json", Body=json.dumps(templates[name]).encode())
        for environment in ENVIRONMENTS:
            resolved = params.resolve_deployed(project, environment, templates)
            for region in REGIONS:
                client = boto3.client("cloudformation", region_name=region)
                for name in ("network", "fraud-detection"):
                    stack_name = f"{environment}-{name}"
                    client.create_stack(
                        StackName=stack_name,
                        TemplateURL=f"https://templates.s3.amazonaws.com/{name}.json",
                        Parameters=[
                            {"ParameterKey": k, "ParameterValue": v} for k, v in resolved.plain(name, region).items()
                        ],
                        Capabilities=CAPABILITIES,
                    )
                    stacks[(environment, region, name)] = client.describe_stacks(StackName=stack_name)["Stacks"][0]
                    stacks[(environment, region, name)]["Resources"] = client.describe_stack_resources(
                        StackName=stack_name
                    )["StackResources"]
                stacks[(environment, region, "fraud-detection")]["Network"] = network_in_use(
                    region, stacks[(environment, region, "fraud-detection")]["Resources"]
                )
            exports = {}
        for region in REGIONS:
            exports[region] = {
                e["Name"]: e["Value"]
                for e in boto3.client("cloudformation", region_name=region).list_exports()["Exports"]
            }
        roles = [r["RoleName"] for r in boto3.client("iam").list_roles()["Roles"]]
    return stacks, exports, roles


def network_in_use(region: str, resources: list[dict]) -> dict:
    """What fraud-detection's load balancer and database subnet group actually sit in."""
    physical = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in resources}
    balancer = boto3.client("elbv2", region_name=region).describe_load_balancers(
        LoadBalancerArns=[physical["LoadBalancer"]]
    )["LoadBalancers"][0]
    group = boto3.client("rds", region_name=region).describe_db_subnet_groups(
        DBSubnetGroupName=physical["DatabaseSubnetGroup"]
    )["DBSubnetGroups"][0]
    return {
        "VpcId": balancer["VpcId"],
        "LoadBalancerSecurityGroups": balancer["SecurityGroups"],
        "DataSubnetIds": sorted(s["SubnetIdentifier"] for s in group["Subnets"]),
    }


def test_every_stack_is_created(deployed):
    stacks, _, _ = deployed
    assert len(stacks) == len(ENVIRONMENTS) * len(REGIONS) * 2
    failed = {key: s.get("StackStatusReason") for key, s in stacks.items() if s["StackStatus"] != "CREATE_COMPLETE"}
    assert failed == {}


def test_network_exports_exist_per_environment_and_region(deployed):
    _, exports, _ = deployed
    for region in REGIONS:
        for environment in ENVIRONMENTS:
            for output in NETWORK_EXPORTS:
                assert exports[region][f"{environment}-network-{output}"], (region, environment, output)


def test_network_outputs_are_its_exports(deployed):
    stacks, exports, _ = deployed
    for (environment, region, name), stack in stacks.items():
        if name != "network":
            continue
        outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
        assert outputs["VpcId"] == exports[region][f"{environment}-network-VpcId"]
        assert len(outputs["PrivateSubnetIds"].split(",")) == (3 if environment == "prod" else 2)


def stack_parameters(stack) -> dict[str, str]:
    return {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}


def test_workload_consumes_its_own_environments_network(deployed):
    """Three environments share one account and region: each workload must sit in its own."""
    stacks, exports, _ = deployed
    workloads = {key: stack for key, stack in stacks.items() if key[2] == "fraud-detection"}
    assert len(workloads) == len(ENVIRONMENTS) * len(REGIONS)
    for (environment, region, _), stack in workloads.items():
        export = {
            name.removeprefix(f"{environment}-network-"): value
            for name, value in exports[region].items()
            if name.startswith(f"{environment}-network-")
        }
        assert stack["Network"] == {
            "VpcId": export["VpcId"],
            "LoadBalancerSecurityGroups": [export["LoadBalancerSecurityGroupId"]],
            "DataSubnetIds": sorted(export["DataSubnetIds"].split(",")),
        }, (environment, region)


def test_fraud_detection_outputs_are_present(deployed):
    stacks, _, _ = deployed
    expected = {
        "LoadBalancerDnsName",
        "ClusterName",
        "ServiceName",
        "DatabaseEndpoint",
        "DatabaseSecretArn",
        "FraudRulesTableName",
        "DataKeyArn",
        "AlertTopicArn",
        "ServiceRoleArn",
        "OperatorRoleArn",
        "ClusterArn",
        "DatabaseClusterArn",
        "DashboardName",
    }
    for (environment, region, name), stack in stacks.items():
        if name == "fraud-detection":
            outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
            # the platform dashboard: prod's stack in the primary region only
            platform = {"PlatformDashboardName"} if (environment, region) == ("prod", "us-east-1") else set()
            assert set(outputs) == expected | platform
            if platform:
                assert outputs["PlatformDashboardName"] == "prod-us-east-1-dashboard-fraud-platform"
            assert outputs["ServiceRoleArn"].endswith(f"role/{environment}-{region}-role-fraud-service")
            secondary = (
                stack_parameters(stack)["EnableGlobalDatabase"] == "true"
                and region != stack_parameters(stack)["PrimaryRegion"]
            )
            if secondary:  # prod's secondary regions: the cluster joined the global database, no master user of its own
                assert outputs["DatabaseSecretArn"].startswith("none: ")
            elif stack_parameters(stack)["EnableGlobalDatabase"] == "true":  # the global primary: our own secret
                assert outputs["DatabaseSecretArn"].startswith(f"arn:aws:secretsmanager:{region}:123456789012:secret:")
                assert ":secret:rds!" not in outputs["DatabaseSecretArn"]
            else:
                assert outputs["DatabaseSecretArn"].startswith(
                    f"arn:aws:secretsmanager:{region}:123456789012:secret:rds!cluster-"
                )


def test_global_names_never_collide(deployed):
    stacks, _, roles = deployed
    # IAM itself holds one role per name: count what each stack claims as its own
    claimed = [
        r["PhysicalResourceId"]
        for s in stacks.values()
        for r in s["Resources"]
        if r["ResourceType"] == "AWS::IAM::Role"
    ]
    assert len(claimed) == len(set(claimed)) and set(claimed) <= set(roles)
    ours = [r for r in roles if "-role-" in r]
    assert set(ours) == {c for c in claimed if "-role-" in c}  # every named role belongs to a stack
    for (
        environment
    ) in ENVIRONMENTS:  # flow logs + exec, service, operator, rds monitoring in each (prod's primary: + rotation)
        for region in REGIONS:
            assert len([r for r in ours if r.startswith(f"{environment}-{region}-role-")]) >= 5


def test_prod_creates_two_database_instances_and_dev_one(deployed):
    stacks, _, _ = deployed
    for environment, count in (("dev", 1), ("staging", 1), ("prod", 2)):
        resources = stacks[(environment, "eu-west-1", "fraud-detection")]["Resources"]
        instances = [r for r in resources if r["ResourceType"] == "AWS::RDS::DBInstance"]
        assert len(instances) == count
