"""localcloud refuses what AWS refuses of the account's quotas and of what services allow
together (issue 20), with the facts the gate reads (cfnops.awsfacts): reserved concurrency
that leaves less than the unreserved minimum, Elastic IPs over the applied quota, a global
database made from a cluster whose password RDS manages. Both directions: refused one over,
accepted at the limit; Service Quotas raises the limit as a granted request."""

from __future__ import annotations

import json
import warnings

import boto3
import pytest
from botocore.exceptions import ClientError

import localcloud
from cfnops.awsfacts.account_quotas import ELASTIC_IPS, LAMBDA_CONCURRENCY
from cfnops.awsfacts.incompatibilities import GLOBAL_DATABASE_MANAGED_PASSWORD
from tests.unit.localcloud.test_localcloud_strict import instance, stackset_roles

localcloud.install()
from moto import mock_aws  # noqa: E402

ACCOUNT = "123456789012"
REGION = "us-east-1"
RESERVABLE = LAMBDA_CONCURRENCY.default - LAMBDA_CONCURRENCY.headroom
TRUST = {
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]
}


@pytest.fixture
def aws(monkeypatch):
    monkeypatch.setenv("LOCALCLOUD_OPERATION_SECONDS", "0")
    monkeypatch.delenv("LOCALCLOUD_PERMISSIONS", raising=False)
    monkeypatch.delenv("MOTO_LAMBDA_CONCURRENCY_QUOTA", raising=False)
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        yield


def client(service: str, region: str = REGION):
    return boto3.client(service, region_name=region)


def raise_quota(quota, value: int, region: str = REGION) -> dict:
    return client("service-quotas", region).request_service_quota_increase(
        ServiceCode=quota.service, QuotaCode=quota.code, DesiredValue=value
    )["RequestedQuota"]


def refused_with(call, code: str) -> str:
    with pytest.raises(ClientError) as refused:
        call()
    assert refused.value.response["Error"]["Code"] == code
    return refused.value.response["Error"]["Message"]


def stack(name: str, resources: dict) -> dict:
    """A StackSet of ``resources`` with one instance, as a rollout makes it: the instance's
    summary (Status CURRENT, or OUTDATED with the failed resource's reason)."""
    if not client("iam").list_roles()["Roles"]:
        stackset_roles()
    return instance(name, json.dumps({"Resources": resources}))


def failed(summary: dict, logical_id: str, resource_type: str) -> str:
    """The handler's message for the resource that failed the instance."""
    assert summary["Status"] == "OUTDATED", summary
    prefix = f"ResourceLogicalId:{logical_id}, ResourceType:{resource_type}, ResourceStatusReason:"
    assert summary["StatusReason"].startswith(prefix), summary["StatusReason"]
    return summary["StatusReason"][len(prefix) :]


# --- Service Quotas ------------------------------------------------------------------------


@pytest.mark.parametrize("quota", [LAMBDA_CONCURRENCY, ELASTIC_IPS], ids=lambda q: q.code)
def test_the_applied_quota_is_awss_default_until_a_granted_request_raises_it(aws, quota):
    quotas = client("service-quotas")
    assert quotas.get_service_quota(ServiceCode=quota.service, QuotaCode=quota.code)["Quota"]["Value"] == quota.default
    requested = raise_quota(quota, quota.default + 10)
    assert (requested["QuotaCode"], requested["Status"], requested["DesiredValue"]) == (
        quota.code,
        "APPROVED",
        quota.default + 10,
    )
    assert (
        quotas.get_service_quota(ServiceCode=quota.service, QuotaCode=quota.code)["Quota"]["Value"]
        == quota.default + 10
    )
    other = client("service-quotas", "eu-west-1")  # a raise holds in its own Region only
    assert other.get_service_quota(ServiceCode=quota.service, QuotaCode=quota.code)["Quota"]["Value"] == quota.default


def test_a_request_that_does_not_raise_the_quota_or_names_no_quota_is_refused(aws):
    refused_with(lambda: raise_quota(ELASTIC_IPS, ELASTIC_IPS.default), "IllegalArgumentException")
    refused_with(
        lambda: client("service-quotas").request_service_quota_increase(
            ServiceCode="ec2", QuotaCode="L-00000000", DesiredValue=10
        ),
        "NoSuchResourceException",
    )


# --- Elastic IPs ----------------------------------------------------------------------------


def test_elastic_ips_at_the_quota_are_allocated_and_one_more_is_refused(aws):
    ec2 = client("ec2")
    for _ in range(ELASTIC_IPS.default):
        ec2.allocate_address(Domain="vpc")
    message = refused_with(lambda: ec2.allocate_address(Domain="vpc"), "AddressLimitExceeded")
    assert message == "The maximum number of addresses has been reached."
    client("ec2", "us-west-2").allocate_address(Domain="vpc")  # per Region
    raise_quota(ELASTIC_IPS, ELASTIC_IPS.default + 1)
    ec2.allocate_address(Domain="vpc")
    assert len(ec2.describe_addresses()["Addresses"]) == ELASTIC_IPS.default + 1


def eips(count: int) -> dict:
    return {f"Address{n}": {"Type": "AWS::EC2::EIP", "Properties": {"Domain": "vpc"}} for n in range(count)}


def test_a_stacks_elastic_ip_over_the_quota_fails_with_cloudformations_handler_message(aws):
    assert stack("fits", eips(ELASTIC_IPS.default))["Status"] == "CURRENT"
    over = stack("over", {"Extra": {"Type": "AWS::EC2::EIP", "Properties": {"Domain": "vpc"}}})
    reason = failed(over, "Extra", "AWS::EC2::EIP")
    assert reason.startswith(
        'Resource handler returned message: "The maximum number of addresses has been reached. '
        "(Service: Ec2, Status Code: 400, Request ID: "
    )
    assert reason.endswith("HandlerErrorCode: GeneralServiceException)")


# --- Lambda reserved concurrency ------------------------------------------------------------


def function(name: str, reserved=None) -> dict:
    properties = {
        "FunctionName": name,
        "Runtime": "python3.12",
        "Handler": "index.handler",
        "Role": {"Fn::GetAtt": ["Role", "Arn"]},
        "Code": {"ZipFile": "def handler(event, context):\n    return None\n"},
    }
    if reserved is not None:
        properties["ReservedConcurrentExecutions"] = reserved
    return {"Type": "AWS::Lambda::Function", "Properties": properties}


def with_role(resources: dict, role_name: str) -> dict:
    role = {"Type": "AWS::IAM::Role", "Properties": {"RoleName": role_name, "AssumeRolePolicyDocument": TRUST}}
    return {"Role": role, **resources}


def put(name: str, reserved: int) -> None:
    client("lambda").put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=reserved)


def test_reservations_up_to_the_limit_less_the_unreserved_minimum_are_accepted_and_one_more_refused(aws):
    created = stack("fns", with_role({"A": function("a"), "B": function("b")}, "fns"))
    assert created["Status"] == "CURRENT"
    put("a", RESERVABLE - 1)
    put("b", 1)  # exactly the limit less 100
    message = refused_with(lambda: put("b", 2), "InvalidParameterValueException")
    assert message == (
        "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution "
        f"below its minimum value of [{LAMBDA_CONCURRENCY.headroom}]."
    )
    put("a", RESERVABLE - 2)  # a function's own reservation is replaced, not added
    put("b", 2)
    raise_quota(LAMBDA_CONCURRENCY, LAMBDA_CONCURRENCY.default + 50)
    put("b", 52)


def test_a_templates_reservation_over_what_the_account_can_reserve_fails_the_function(aws):
    fits = stack("fits", with_role({"Fn": function("fits", RESERVABLE - 10)}, "fits"))
    assert fits["Status"] == "CURRENT"
    # "11": a Ref's string, as CloudFormation passes it
    over = stack("over", with_role({"Fn": function("over", "11")}, "over"))
    reason = failed(over, "Fn", "AWS::Lambda::Function")
    assert reason.startswith(
        "Resource handler returned message: \"Specified ReservedConcurrentExecutions for function decreases account's "
        f"UnreservedConcurrentExecution below its minimum value of [{LAMBDA_CONCURRENCY.headroom}]. "
        "(Service: Lambda, Status Code: 400, Request ID: "
    )
    assert reason.endswith("HandlerErrorCode: InvalidRequest)")
    assert [f["FunctionName"] for f in client("lambda").list_functions()["Functions"]] == ["fits"]
    assert stack("exact", with_role({"Fn": function("exact", 10)}, "exact"))["Status"] == "CURRENT"


def update(name: str, resources: dict) -> dict:
    """UpdateStackSet with ``resources``: the instance's summary afterwards."""
    cfn = client("cloudformation")
    cfn.update_stack_set(
        StackSetName=name, TemplateBody=json.dumps({"Resources": resources}), Capabilities=["CAPABILITY_NAMED_IAM"]
    )
    return cfn.list_stack_instances(StackSetName=name)["Summaries"][0]


def test_an_update_that_raises_a_reservation_over_the_limit_fails_and_rolls_back(aws):
    stack("big", with_role({"Fn": function("big", RESERVABLE - 10)}, "big"))
    stack("small", with_role({"Fn": function("small", 10)}, "small"))
    reason = failed(update("small", with_role({"Fn": function("small", 11)}, "small")), "Fn", "AWS::Lambda::Function")
    assert "below its minimum value of [100]" in reason and "HandlerErrorCode: InvalidRequest" in reason
    concurrency = client("lambda").get_function_concurrency(FunctionName="small")
    assert concurrency["ReservedConcurrentExecutions"] == 10  # rolled back
    assert update("small", with_role({"Fn": function("small")}, "small"))["Status"] == "CURRENT"  # dropped
    assert "ReservedConcurrentExecutions" not in client("lambda").get_function_concurrency(FunctionName="small")
    put("big", RESERVABLE)


# --- a global database from a cluster with a managed password -------------------------------


def cluster(**password) -> dict:
    properties = {
        "DBClusterIdentifier": "primary",
        "Engine": "aurora-postgresql",
        "EngineVersion": "15.4",
        "MasterUsername": "app",
        **password,
    }
    return {"Type": "AWS::RDS::DBCluster", "Properties": properties}


GLOBAL = {
    "Type": "AWS::RDS::GlobalCluster",
    "Properties": {
        "GlobalClusterIdentifier": "platform-global",
        "SourceDBClusterIdentifier": {"Fn::GetAtt": ["Cluster", "DBClusterArn"]},
    },
}


def test_a_global_cluster_from_a_cluster_whose_password_rds_manages_is_refused(aws):
    created = stack("managed", {"Cluster": cluster(ManageMasterUserPassword=True), "Global": GLOBAL})
    assert GLOBAL_DATABASE_MANAGED_PASSWORD.refusal is not None
    code, message = GLOBAL_DATABASE_MANAGED_PASSWORD.refusal
    assert failed(created, "Global", "AWS::RDS::GlobalCluster") == f'Resource handler returned message: "{message}"'
    assert code == "InvalidParameterCombination"
    assert client("rds").describe_global_clusters()["GlobalClusters"] == []


def test_a_global_cluster_from_a_cluster_with_its_own_password_is_made(aws):
    created = stack("own", {"Cluster": cluster(MasterUserPassword="not-a-real-one-1"), "Global": GLOBAL})
    assert created["Status"] == "CURRENT"
    [made] = client("rds").describe_global_clusters()["GlobalClusters"]
    assert made["GlobalClusterIdentifier"] == "platform-global"


# --- load balancer deletion protection (PCI's ELB_DELETION_PROTECTION_ENABLED, on in prod) ---


def balancer(protection: str) -> dict:
    subnet = {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}}}
    return {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.9.0.0/16"}},
        "SubnetA": {**subnet, "Properties": {**subnet["Properties"], "CidrBlock": "10.9.0.0/24"}},
        "SubnetB": {**subnet, "Properties": {**subnet["Properties"], "CidrBlock": "10.9.1.0/24"}},
        "Balancer": {
            "Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
            "Properties": {
                "Scheme": "internal",
                "Subnets": [{"Ref": "SubnetA"}, {"Ref": "SubnetB"}],
                "LoadBalancerAttributes": [{"Key": "deletion_protection.enabled", "Value": protection}],
            },
        },
    }


def protection_of_the_balancer() -> str:
    elbv2 = client("elbv2")
    [found] = elbv2.describe_load_balancers()["LoadBalancers"]
    attributes = elbv2.describe_load_balancer_attributes(LoadBalancerArn=found["LoadBalancerArn"])["Attributes"]
    return {a["Key"]: a["Value"] for a in attributes}["deletion_protection.enabled"]


def delete_instance(name: str) -> dict:
    cfn = client("cloudformation")
    cfn.delete_stack_instances(StackSetName=name, Accounts=[ACCOUNT], Regions=[REGION], RetainStacks=False)
    return (cfn.list_stack_instances(StackSetName=name)["Summaries"] or [{"Status": "DELETED"}])[0]


def test_a_protected_load_balancer_is_not_deleted_by_its_stack_until_its_protection_is_off(aws):
    assert stack("balanced", balancer("true"))["Status"] == "CURRENT"
    assert protection_of_the_balancer() == "true"  # the template's attributes, at creation
    assert update("balanced", balancer("false"))["Status"] == "CURRENT"
    assert protection_of_the_balancer() == "false"
    assert (
        update("balanced", balancer("true"))["Status"] == "CURRENT"
    )  # in place, as the first creation's relaxation ends
    assert protection_of_the_balancer() == "true"
    refused = delete_instance("balanced")
    assert "cannot be deleted because deletion protection is enabled" in refused["StatusReason"]
    assert protection_of_the_balancer() == "true"
    # the stack is DELETE_FAILED (no update): protection is turned off through ELB's API, then the delete retried
    elbv2 = client("elbv2")
    [found] = elbv2.describe_load_balancers()["LoadBalancers"]
    elbv2.modify_load_balancer_attributes(
        LoadBalancerArn=found["LoadBalancerArn"], Attributes=[{"Key": "deletion_protection.enabled", "Value": "false"}]
    )
    assert delete_instance("balanced")["Status"] == "DELETED"
    assert client("elbv2").describe_load_balancers()["LoadBalancers"] == []
