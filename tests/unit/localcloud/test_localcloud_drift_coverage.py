"""localcloud's drift checks what CloudFormation's checks, for every resource type in
generated/: the verdict (checked, or NOT_CHECKED with CloudFormation's or localcloud's
reason) is the registry-derived rule, and for each type localcloud reads, one change made by
hand to a property the template sets is reported with its path, expected and actual value,
while a change to one the template does not set is no CloudFormation drift."""

from __future__ import annotations

import json
import warnings

import boto3
import pytest

import localcloud
from cfnops.awsfacts import drift_support
from cfnops.build import render
from cfnops.inputs import params
from localcloud.drift.coverage import CANNOT_READ, NOT_CREATED, PLACEHOLDER, not_checked_reason
from localcloud.drift.engine import READERS, TAGS, detect_stack
from tests.support import cluster_changes, security_drift_changes
from tests.unit.localcloud.test_localcloud_updates import CAPABILITIES, ORDER, REGION, source

localcloud.install()
from moto import mock_aws  # noqa: E402
from moto.cloudformation import parsing  # noqa: E402
from moto.cloudformation.models import cloudformation_backends  # noqa: E402

from localcloud.cloudformation.patches import OWN_MODELS  # noqa: E402

ACCOUNT = "123456789012"


def generated_types() -> list[str]:
    from tests.conftest import ROOT

    found = set()
    for path in ROOT.joinpath("generated").glob("*.json"):
        if path.name != "manifest.json":
            found |= {r["Type"] for r in json.loads(path.read_text()).get("Resources", {}).values()}
    return sorted(found)


@pytest.mark.parametrize("kind", generated_types())
def test_localcloud_checks_a_type_exactly_when_cloudformation_does(kind):
    readable = kind in READERS
    reason = not_checked_reason(kind, readable)
    if drift_support.checked(kind):
        assert readable != (kind in CANNOT_READ), "read, or said in CANNOT_READ why not: exactly one"
        assert (reason == "") == readable
        if kind not in parsing.get_model_map() and kind not in OWN_MODELS:
            assert CANNOT_READ[kind] in (PLACEHOLDER, NOT_CREATED)  # nothing but a placeholder exists offline
    else:
        assert kind not in CANNOT_READ and reason.startswith("CloudFormation does not check it either")


def test_cannot_read_names_only_types_the_templates_use():
    assert set(CANNOT_READ) <= set(generated_types())


# --- out-of-band changes ------------------------------------------------------------------


def _tagged(kind: str, physical_id: str, key: str, value: str) -> None:
    """Tag ``key`` set to ``value`` through the type's own service API."""
    client = lambda service: boto3.client(service, region_name=REGION)  # noqa: E731
    pair = [{"Key": key, "Value": value}]
    if kind == "AWS::EC2::EIP":
        [address] = client("ec2").describe_addresses(PublicIps=[physical_id])["Addresses"]
        client("ec2").create_tags(Resources=[address["AllocationId"]], Tags=pair)
    elif kind.startswith("AWS::EC2::"):
        client("ec2").create_tags(Resources=[physical_id], Tags=pair)
    elif kind == "AWS::CloudWatch::Alarm":
        cloudwatch = client("cloudwatch")
        arn = cloudwatch.describe_alarms(AlarmNames=[physical_id])["MetricAlarms"][0]["AlarmArn"]
        cloudwatch.tag_resource(ResourceARN=arn, Tags=pair)
    elif kind == "AWS::ElastiCache::ReplicationGroup":
        [group] = client("elasticache").describe_replication_groups(ReplicationGroupId=physical_id)["ReplicationGroups"]
        client("elasticache").add_tags_to_resource(ResourceName=group["ARN"], Tags=pair)
    elif kind == "AWS::ElastiCache::SubnetGroup":
        [group] = client("elasticache").describe_cache_subnet_groups(CacheSubnetGroupName=physical_id)[
            "CacheSubnetGroups"
        ]
        client("elasticache").add_tags_to_resource(ResourceName=group["ARN"], Tags=pair)
    elif kind == "AWS::ECS::Cluster":
        arn = client("ecs").describe_clusters(clusters=[physical_id])["clusters"][0]["clusterArn"]
        client("ecs").tag_resource(resourceArn=arn, tags=[{"key": key, "value": value}])
    elif kind == "AWS::ElasticLoadBalancingV2::TargetGroup":
        client("elbv2").add_tags(ResourceArns=[physical_id], Tags=pair)
    elif kind == "AWS::Lambda::EventSourceMapping":
        arn = client("lambda").get_event_source_mapping(UUID=physical_id)["EventSourceMappingArn"]
        client("lambda").tag_resource(Resource=arn, Tags={key: value})
    elif kind == "AWS::RDS::DBParameterGroup":
        [group] = client("rds").describe_db_parameter_groups(DBParameterGroupName=physical_id)["DBParameterGroups"]
        client("rds").add_tags_to_resource(ResourceName=group["DBParameterGroupArn"], Tags=pair)
    elif kind == "AWS::RDS::DBCluster":
        [cluster] = client("rds").describe_db_clusters(DBClusterIdentifier=physical_id)["DBClusters"]
        client("rds").add_tags_to_resource(ResourceName=cluster["DBClusterArn"], Tags=pair)
    elif kind == "AWS::RDS::DBClusterParameterGroup":
        [group] = client("rds").describe_db_cluster_parameter_groups(DBClusterParameterGroupName=physical_id)[
            "DBClusterParameterGroups"
        ]
        client("rds").add_tags_to_resource(ResourceName=group["DBClusterParameterGroupArn"], Tags=pair)
    elif kind == "AWS::RDS::DBSubnetGroup":
        [group] = client("rds").describe_db_subnet_groups(DBSubnetGroupName=physical_id)["DBSubnetGroups"]
        client("rds").add_tags_to_resource(ResourceName=group["DBSubnetGroupArn"], Tags=pair)
    elif kind == "AWS::DynamoDB::Table":
        arn = client("dynamodb").describe_table(TableName=physical_id)["Table"]["TableArn"]
        client("dynamodb").tag_resource(ResourceArn=arn, Tags=pair)
    elif kind == "AWS::IAM::Role":
        client("iam").tag_role(RoleName=physical_id, Tags=pair)
    elif kind == "AWS::KMS::Key":
        client("kms").tag_resource(KeyId=physical_id, Tags=[{"TagKey": key, "TagValue": value}])
    elif kind == "AWS::Kinesis::Stream":
        client("kinesis").add_tags_to_stream(StreamName=physical_id, Tags={key: value})
    elif kind == "AWS::Lambda::Function":
        arn = client("lambda").get_function(FunctionName=physical_id)["Configuration"]["FunctionArn"]
        client("lambda").tag_resource(Resource=arn, Tags={key: value})
    elif kind == "AWS::Logs::LogGroup":
        client("logs").tag_log_group(logGroupName=physical_id, tags={key: value})
    elif kind == "AWS::RDS::DBInstance":
        arn = client("rds").describe_db_instances(DBInstanceIdentifier=physical_id)["DBInstances"][0]["DBInstanceArn"]
        client("rds").add_tags_to_resource(ResourceName=arn, Tags=pair)
    elif kind == "AWS::S3::Bucket":
        s3 = client("s3")
        tags = {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=physical_id)["TagSet"]}
        s3.put_bucket_tagging(
            Bucket=physical_id, Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in {**tags, key: value}.items()]}
        )
    elif kind == "AWS::SNS::Topic":
        client("sns").tag_resource(ResourceArn=physical_id, Tags=pair)
    elif kind == "AWS::SQS::Queue":
        client("sqs").tag_queue(QueueUrl=physical_id, Tags={key: value})
    else:
        security_drift_changes.tag(kind, REGION, physical_id, key, value)


def _description(egress: bool):
    def change(physical_id: str, expected: dict) -> str:
        ec2 = boto3.client("ec2", region_name=REGION)
        group = ec2.describe_security_groups(GroupIds=[expected["GroupId"]])["SecurityGroups"][0]
        rules = group["IpPermissionsEgress" if egress else "IpPermissions"]
        [rule] = [r for r in rules if r.get("FromPort") == expected.get("FromPort") and r.get("IpRanges")]
        revoke = ec2.revoke_security_group_egress if egress else ec2.revoke_security_group_ingress
        authorize = ec2.authorize_security_group_egress if egress else ec2.authorize_security_group_ingress
        revoke(GroupId=expected["GroupId"], IpPermissions=[rule])
        changed = {**rule, "IpRanges": [{**rule["IpRanges"][0], "Description": "changed by hand"}]}
        authorize(GroupId=expected["GroupId"], IpPermissions=[changed])
        return "/Description"

    return change


def _listener(physical_id: str, expected: dict) -> str:
    boto3.client("elbv2", region_name=REGION).modify_listener(ListenerArn=physical_id, Port=int(expected["Port"]) + 1)
    return "/Port"


def _service(physical_id: str, expected: dict) -> str:
    cluster = expected["Cluster"]
    boto3.client("ecs", region_name=REGION).update_service(
        cluster=cluster, service=physical_id, desiredCount=int(expected["DesiredCount"]) + 3
    )
    return "/DesiredCount"


def _rule(physical_id: str, expected: dict) -> str:
    events = boto3.client("events", region_name=REGION)
    events.disable_rule(Name=physical_id.split("|")[-1], EventBusName=expected.get("EventBusName", "default"))
    return "/State"


def _managed_policy(physical_id: str, expected: dict) -> str:
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
    boto3.client("iam").create_policy_version(
        PolicyArn=physical_id, PolicyDocument=json.dumps(document), SetAsDefault=True
    )
    return "/PolicyDocument"


def _alias(physical_id: str, expected: dict) -> str:
    kms = boto3.client("kms", region_name=REGION)
    other = kms.create_key(Description="another key")["KeyMetadata"]["KeyId"]
    kms.update_alias(AliasName=physical_id, TargetKeyId=other)
    return "/TargetKeyId"


def _permission(physical_id: str, expected: dict) -> str:
    awslambda = boto3.client("lambda", region_name=REGION)
    policy = json.loads(awslambda.get_policy(FunctionName=expected["FunctionName"])["Policy"])
    [statement] = [s for s in policy["Statement"] if s["Principal"].get("Service") == expected["Principal"]]
    awslambda.remove_permission(FunctionName=expected["FunctionName"], StatementId=statement["Sid"])
    awslambda.add_permission(
        FunctionName=expected["FunctionName"],
        StatementId="by-hand",
        Action=expected["Action"],
        Principal=expected["Principal"],
        SourceArn=expected.get("SourceArn", f"arn:aws:s3:::{ACCOUNT}-other"),
        SourceAccount="210987654321",
    )
    return "/SourceAccount"


def _dashboard(physical_id: str, expected: dict) -> str:
    boto3.client("cloudwatch", region_name=REGION).put_dashboard(
        DashboardName=physical_id, DashboardBody=json.dumps({"widgets": []})
    )
    return "/DashboardBody"


def _load_balancer(physical_id: str, expected: dict) -> str:
    ec2 = boto3.client("ec2", region_name=REGION)
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    other = ec2.create_security_group(GroupName="by-hand", Description="by hand", VpcId=vpc)["GroupId"]
    boto3.client("elbv2", region_name=REGION).set_security_groups(LoadBalancerArn=physical_id, SecurityGroups=[other])
    return "/SecurityGroups"


def _route(physical_id: str, expected: dict) -> str:
    ec2 = boto3.client("ec2", region_name=REGION)
    other = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.replace_route(
        RouteTableId=expected["RouteTableId"], DestinationCidrBlock=expected["DestinationCidrBlock"], GatewayId=other
    )
    return "/GatewayId" if "GatewayId" in expected else "/NatGatewayId"


def _metric_filter(physical_id: str, expected: dict) -> str:
    boto3.client("logs", region_name=REGION).put_metric_filter(
        logGroupName=expected["LogGroupName"],
        filterName=physical_id,
        filterPattern="changed by hand",
        metricTransformations=[{"metricName": "m", "metricNamespace": "n", "metricValue": "1"}],
    )
    return "/FilterPattern"


# types localcloud reads whose template sets no tags we can change: one property changed by hand
CHANGES = {
    "AWS::EC2::SecurityGroupIngress": _description(egress=False),
    "AWS::EC2::SecurityGroupEgress": _description(egress=True),
    "AWS::ElasticLoadBalancingV2::Listener": _listener,
    "AWS::ECS::Service": _service,
    "AWS::Events::Rule": _rule,
    "AWS::IAM::ManagedPolicy": _managed_policy,
    "AWS::KMS::Alias": _alias,
    "AWS::Lambda::Permission": _permission,
    "AWS::CloudWatch::Dashboard": _dashboard,
    "AWS::ElasticLoadBalancingV2::LoadBalancer": _load_balancer,
    "AWS::EC2::Route": _route,
    "AWS::Logs::MetricFilter": _metric_filter,
    **cluster_changes.CHANGES,
    **security_drift_changes.changes(REGION),
}
# read, but nothing the template sets can change by hand offline: why
NO_CHANGE = {
    "AWS::ECS::TaskDefinition": "a revision is immutable: a change is a new revision, with its own id",
    "AWS::Events::EventBus": "the template sets only its Name, which is its identity",
    "AWS::EC2::SubnetRouteTableAssociation": "both its properties are its identity: re-associating is a new association",
    "AWS::EC2::VPCGatewayAttachment": "both its properties are its identity: detaching is deletion",
    "AWS::SNS::Subscription": "the template sets only its topic, protocol and endpoint, its identity: unsubscribing is deletion",
    **security_drift_changes.NO_CHANGE,
}


@pytest.fixture(scope="module")
def stacks(project):
    """Every template but the bootstrap as a plain stack in one region, with staging's values."""
    templates = render.read_generated(project)
    resolved = params.resolve_deployed(project, "staging", templates)
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        client = boto3.client("cloudformation", region_name=REGION)
        names = [
            name
            for name in ORDER + sorted(set(templates) - set(ORDER) - {project.platform.bootstrap})
            if REGION in resolved.values[name]  # not a template deployed elsewhere only (drift-watch)
        ]
        for name in names:
            client.create_stack(
                StackName=f"d-{name}",
                **source(templates[name], f"{name}.json"),
                Capabilities=CAPABILITIES,
                Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in resolved.plain(name, REGION).items()],
            )
        yield {name: cloudformation_backends[ACCOUNT][REGION].get_stack(f"d-{name}") for name in names}


def first_checked(stacks, kind: str):
    """(stack, logical id) of the first resource of ``kind`` localcloud checks offline."""
    for stack in stacks.values():
        for drift in sorted(detect_stack(stack), key=lambda d: d.logical_id):
            # moto keeps descriptions of CIDR rules only: change one of those
            cidr = "CidrIp" in drift.expected or not kind.startswith("AWS::EC2::SecurityGroup")
            if drift.resource_type == kind and drift.status == "IN_SYNC" and cidr:
                return stack, drift
    return None, None


def test_every_fresh_resource_localcloud_reads_is_in_sync(stacks):
    """Nothing changed by hand: every resource localcloud reads is IN_SYNC (a reader that misreads
    what the template created would report drift AWS would not)."""
    drifted = [
        (stack.name, d.logical_id, d.resource_type, d.differences)
        for stack in stacks.values()
        for d in detect_stack(stack)
        if d.status not in ("IN_SYNC", "NOT_CHECKED")
    ]
    assert drifted == []


def record(stack, logical_id: str):
    return next(d for d in detect_stack(stack, [logical_id]) if d.logical_id == logical_id)


@pytest.mark.parametrize("kind", sorted(k for k in READERS if k in generated_types()))
def test_a_change_by_hand_to_a_set_property_is_drift_and_to_an_unset_one_is_not(stacks, kind):
    stack, drift = first_checked(stacks, kind)
    if stack is None:
        pytest.skip(f"no {kind} resource is created in {REGION} with staging's values")
    if kind in NO_CHANGE:
        pytest.skip(NO_CHANGE[kind])
    expected, physical_id = drift.expected, drift.physical_id
    if kind in TAGS and expected.get("Tags"):
        _tagged(kind, physical_id, "OutOfBand", "added by hand")  # a key no template sets
        assert record(stack, drift.logical_id).status == "IN_SYNC", "an unset property is no drift"
        index, tag = next((i, t) for i, t in enumerate(expected["Tags"]) if isinstance(t.get("Value"), str))
        _tagged(kind, physical_id, tag["Key"], "changed-by-hand")
        path, want = f"/Tags/{index}/Value", (tag["Value"], "changed-by-hand")
    else:
        path, want = CHANGES[kind](physical_id, expected), None
    after = record(stack, drift.logical_id)
    assert after.status == "MODIFIED", (kind, drift.logical_id)
    [difference] = [d for d in after.differences if d["PropertyPath"].startswith(path)]
    assert difference["ExpectedValue"] != difference["ActualValue"]
    if want:
        assert (difference["ExpectedValue"], difference["ActualValue"]) == want
