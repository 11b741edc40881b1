"""Stack updates on localcloud keep each resource's identity and give it its new properties.

Every template (but stackset-roles) is created as a plain stack in eu-west-1 with staging's
values; then one update per template changes one resource of every type it uses: a tag
(CostCenter, as a cost-centre change does) where the resource has tags, else one updatable
property (CHANGES). Each is read back through the service's API (placeholders, which no
service backs, through the properties they hold), and its physical id must be the same unless
the property is createOnly in the type's registry schema (read here from cfn-lint's copy)."""

from __future__ import annotations

import copy
import json
import warnings

import boto3
import pytest

import localcloud
from cfnops.awsfacts import schemas
from cfnops.awsfacts.cfn_limits import TEMPLATE_BODY_BYTES
from cfnops.build import render
from cfnops.inputs import params

localcloud.install()
from moto import mock_aws  # noqa: E402
from moto.cloudformation.models import cloudformation_backends  # noqa: E402

from localcloud.cloudformation.patches import Placeholder  # noqa: E402

REGION = "eu-west-1"
ACCOUNT = "123456789012"
ORDER = ["network", "data-pipeline", "fraud-detection", "payments", "fraud-agent", "loan-processing"]
CAPABILITIES = ["CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]

# type -> (property, new value from the old one), for types whose resources have no Tags
CHANGES = {
    "AWS::ApplicationAutoScaling::ScalingPolicy": (
        "TargetTrackingScalingPolicyConfiguration",
        lambda v: {**v, "TargetValue": 55.5},
    ),
    "AWS::Bedrock::DataSource": ("Description", lambda v: f"{v or ''} changed"),
    "AWS::BedrockAgentCore::GatewayTarget": ("Description", lambda v: f"{v or ''} changed"),
    "AWS::DynamoDB::GlobalTable": ("TimeToLiveSpecification", lambda v: {"AttributeName": "expires", "Enabled": True}),
    "AWS::EC2::Route": ("DestinationCidrBlock", lambda v: "10.250.0.0/16"),
    "AWS::EC2::SecurityGroupEgress": ("Description", lambda v: f"{v or ''} changed"),
    "AWS::EC2::SecurityGroupIngress": ("Description", lambda v: f"{v or ''} changed"),
    "AWS::EC2::SubnetRouteTableAssociation": ("RouteTableId", None),  # None: not changed (no spare route table)
    "AWS::EC2::VPCGatewayAttachment": ("VpcId", None),  # None: not changed (no second VPC)
    "AWS::IAM::ManagedPolicy": (
        "PolicyDocument",
        lambda v: {**v, "Statement": [{**v["Statement"][0], "Sid": "Changed"}]},
    ),
    "AWS::KMS::Alias": ("TargetKeyId", None),  # None: not changed (one key per alias in a template)
    "AWS::Lambda::Permission": ("SourceAccount", lambda v: "210987654321"),
    "AWS::Logs::MetricFilter": ("FilterPattern", lambda v: f"{v} changed"),
    "AWS::S3::BucketPolicy": (
        "PolicyDocument",
        lambda v: {**v, "Statement": [{**v["Statement"][0], "Sid": "Changed"}]},
    ),
    "AWS::SQS::QueuePolicy": (
        "PolicyDocument",
        lambda v: {**v, "Statement": [{**v["Statement"][0], "Sid": "Changed"}]},
    ),
    "AWS::SNS::Subscription": ("RawMessageDelivery", lambda v: "true"),
    "AWS::SecretsManager::RotationSchedule": ("RotationRules", lambda v: {**(v or {}), "AutomaticallyAfterDays": 7}),
    "AWS::WAFv2::LoggingConfiguration": ("RedactedFields", lambda v: [{"SingleHeader": {"Name": "authorization"}}]),
    "AWS::WAFv2::WebACLAssociation": ("WebACLArn", None),  # None: not changed (one web ACL in a template)
    "AWS::SecretsManager::SecretTargetAttachment": (
        "TargetType",
        lambda v: "AWS::RDS::DBInstance" if v != "AWS::RDS::DBInstance" else "AWS::RDS::DBCluster",
    ),
}


def create_only(kind: str) -> set[str]:
    return {path.split("/")[2] for path in schemas.create_only_properties(kind)}


def source(template: dict, key: str) -> dict:
    """TemplateBody, or TemplateURL for a body over 51,200 bytes (as AWS requires)."""
    body = json.dumps(template)
    if len(body.encode()) <= TEMPLATE_BODY_BYTES:
        return {"TemplateBody": body}
    s3 = boto3.client("s3", region_name=REGION)
    if "templates" not in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
        s3.create_bucket(Bucket="templates", CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_object(Bucket="templates", Key=key, Body=body.encode())
    return {"TemplateURL": f"https://templates.s3.amazonaws.com/{key}"}


def mutate(template: dict, kind: str, name: str) -> tuple[str, object] | None:
    """Change one thing of resource ``name``; (property, new value) or None when not changeable."""
    properties = template["Resources"][name].setdefault("Properties", {})
    tags = properties.get("Tags")
    if isinstance(tags, list) and tags:
        tag = next((t for t in tags if t["Key"] == "CostCenter"), tags[0])
        tag["Value"] = f"cc-{name}"
        return "Tags", {tag["Key"]: tag["Value"]}  # the other tags' values may be intrinsics
    if isinstance(tags, dict) and tags:
        tags["CostCenter"] = f"cc-{name}"
        return "Tags", {"CostCenter": tags["CostCenter"]}
    key, change = CHANGES[kind]
    if change is None:
        return None
    properties[key] = change(properties.get(key))
    return key, properties[key]


def physical_ids(client, stack: str) -> dict[str, str]:
    return {
        r["LogicalResourceId"]: r.get("PhysicalResourceId", "")
        for r in client.describe_stack_resources(StackName=stack)["StackResources"]
    }


def first_of_each_type(template: dict, created: set[str]) -> dict[str, str]:
    chosen: dict[str, str] = {}
    for name in sorted(template["Resources"]):
        kind = template["Resources"][name]["Type"]
        if name in created and kind not in chosen:
            chosen[kind] = name
    return chosen


@pytest.fixture(scope="module")
def updated(project):
    """(template, type, logical id, property, new value, id before, id after, model) per changed resource."""
    templates = render.read_generated(project)
    resolved = params.resolve_deployed(project, "staging", templates)
    rows, created = [], set()
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        client = boto3.client("cloudformation", region_name=REGION)
        for name in ORDER:
            client.create_stack(
                StackName=f"u-{name}",
                **source(templates[name], f"{name}.json"),
                Capabilities=CAPABILITIES,
                Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in resolved.plain(name, REGION).items()],
            )
        for name in ORDER:
            before = physical_ids(client, f"u-{name}")
            created |= {r["Type"] for n, r in templates[name]["Resources"].items() if n in before}
            template = copy.deepcopy(templates[name])
            changes = {}
            for kind, logical_id in first_of_each_type(template, set(before)).items():
                change = mutate(template, kind, logical_id)
                if change is not None:
                    changes[logical_id] = (kind, *change)
            client.update_stack(
                StackName=f"u-{name}",
                **source(template, f"{name}-changed.json"),
                Capabilities=CAPABILITIES,
                Parameters=[{"ParameterKey": k, "UsePreviousValue": True} for k in resolved.plain(name, REGION)],
            )
            stack = client.describe_stacks(StackName=f"u-{name}")["Stacks"][0]
            assert stack["StackStatus"] == "UPDATE_COMPLETE", (name, stack.get("StackStatusReason"))
            after = physical_ids(client, f"u-{name}")
            resource_map = cloudformation_backends[ACCOUNT][REGION].get_stack(f"u-{name}").resource_map
            for logical_id, (kind, key, value) in changes.items():
                model = resource_map._parsed_resources.get(logical_id)
                rows.append(
                    (
                        name,
                        kind,
                        logical_id,
                        key,
                        value,
                        before[logical_id],
                        after.get(logical_id),
                        model,
                        read_back(kind, key, after.get(logical_id), model),
                    )
                )
    updated.created = created
    return rows


def read_back(kind: str, key: str, physical_id: str | None, model) -> object:
    """The value as the emulated service reports it (a placeholder: what it holds)."""
    if physical_id is None or model is None:
        return "<resource gone>"
    if isinstance(model, Placeholder):
        value = model.properties.get(key)
        return {t["Key"]: t["Value"] for t in value} if key == "Tags" and isinstance(value, list) else value
    if key == "Tags" and kind in UNTAGGED_IN_MOTO:
        return {}
    if key == "Tags":
        return tags_of(kind, physical_id, model)
    return PROPERTY_READERS[(kind, key)](physical_id, model)


def _pairs(tags: list[dict]) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in tags}


def _arn(model) -> str:
    return next(
        v
        for v in (getattr(model, a, None) for a in ("arn", "table_arn", "queue_arn", "function_arn", "db_instance_arn"))
        if isinstance(v, str) and v.startswith("arn:")
    )


# service of the type -> tags through that service's own API
TAG_READERS = {
    "IAM": lambda pid, m: _pairs(boto3.client("iam").list_role_tags(RoleName=pid)["Tags"]),
    "Kinesis": lambda pid, m: _pairs(
        boto3.client("kinesis", region_name=REGION).list_tags_for_stream(StreamName=pid)["Tags"]
    ),
    "EC2": lambda pid, m: _pairs(  # an Elastic IP's tags are on its allocation id (its physical id is the IP)
        boto3.client("ec2", region_name=REGION).describe_tags(
            Filters=[{"Name": "resource-id", "Values": [getattr(m, "allocation_id", None) or pid]}]
        )["Tags"]
    ),
    "SQS": lambda pid, m: boto3.client("sqs", region_name=REGION).list_queue_tags(QueueUrl=pid).get("Tags", {}),
    "Lambda": lambda pid, m: boto3.client("lambda", region_name=REGION).list_tags(Resource=_arn(m))["Tags"],
    "Events": lambda pid, m: _pairs(
        boto3.client("events", region_name=REGION).list_tags_for_resource(ResourceARN=_arn(m))["Tags"]
    ),
    "ElasticLoadBalancingV2": lambda pid, m: _pairs(
        boto3.client("elbv2", region_name=REGION).describe_tags(ResourceArns=[_arn(m)])["TagDescriptions"][0]["Tags"]
    ),
    "RDS": lambda pid, m: _pairs(
        boto3.client("rds", region_name=REGION).list_tags_for_resource(ResourceName=_arn(m))["TagList"]
    ),
    "ECS": lambda pid, m: {
        t["key"]: t["value"]
        for t in boto3.client("ecs", region_name=REGION).list_tags_for_resource(resourceArn=_arn(m))["tags"]
    },
    "Logs": lambda pid, m: boto3.client("logs", region_name=REGION).list_tags_for_resource(
        resourceArn=_arn(m).removesuffix(":*")
    )["tags"],
    "DynamoDB": lambda pid, m: _pairs(
        boto3.client("dynamodb", region_name=REGION).list_tags_of_resource(ResourceArn=_arn(m))["Tags"]
    ),
    "KMS": lambda pid, m: {
        t["TagKey"]: t["TagValue"]
        for t in boto3.client("kms", region_name=REGION).list_resource_tags(KeyId=pid)["Tags"]
    },
    "SNS": lambda pid, m: _pairs(
        boto3.client("sns", region_name=REGION).list_tags_for_resource(ResourceArn=pid)["Tags"]
    ),
    "S3": lambda pid, m: _pairs(boto3.client("s3", region_name=REGION).get_bucket_tagging(Bucket=pid)["TagSet"]),
}
# moto keeps no tags for these types at all (not from their creation either): nothing to read back
UNTAGGED_IN_MOTO = {"AWS::CloudWatch::Dashboard"}


def tags_of(kind: str, physical_id: str, model) -> dict[str, str]:
    return TAG_READERS[kind.split("::")[1]](physical_id, model)


def _rule_description(physical_id, model):
    """moto keeps the description of a source-group rule nowhere but in the rule itself."""
    return model.properties.get("Description")


def _policy_document(physical_id, model):
    iam = boto3.client("iam")
    version = iam.get_policy(PolicyArn=model.arn)["Policy"]["DefaultVersionId"]
    return iam.get_policy_version(PolicyArn=model.arn, VersionId=version)["PolicyVersion"]["Document"]


def _route_destination(physical_id, model):
    tables = boto3.client("ec2", region_name=REGION).describe_route_tables(RouteTableIds=[model.route_table.id])[
        "RouteTables"
    ]
    return next(
        r["DestinationCidrBlock"]
        for r in tables[0]["Routes"]
        if r.get("DestinationCidrBlock") == model.destination_cidr_block
    )


def _permission_source_account(physical_id, model):
    policy = json.loads(
        boto3.client("lambda", region_name=REGION).get_policy(FunctionName=model.function_name)["Policy"]
    )
    [statement] = [s for s in policy["Statement"] if s["Sid"] == physical_id]  # the replaced one is gone
    return statement["Condition"]["StringEquals"]["AWS:SourceAccount"]


PROPERTY_READERS = {
    ("AWS::EC2::SecurityGroupIngress", "Description"): _rule_description,
    ("AWS::IAM::ManagedPolicy", "PolicyDocument"): _policy_document,
    ("AWS::EC2::Route", "DestinationCidrBlock"): _route_destination,
    ("AWS::Lambda::Permission", "SourceAccount"): _permission_source_account,
}


def test_every_type_created_is_changed(updated, project):
    """Every type the templates create in eu-west-1 (conditional ones, such as the global
    table made in the primary region only, may not be created here)."""
    unchanged = {kind for kind, (_, change) in CHANGES.items() if change is None}
    assert updated_types(updated) | (created_types() & unchanged) == created_types()


def updated_types(rows) -> set[str]:
    return {row[1] for row in rows}


def created_types() -> set[str]:
    return updated.created


def test_changed_resources_keep_their_identity_unless_the_property_is_create_only(updated):
    wrong = [
        (kind, logical_id, key, old, new)
        for _, kind, logical_id, key, _, old, new, _, _ in updated
        if (new == old) == (key in create_only(kind)) or new is None
    ]
    assert wrong == []


def _has(actual, value) -> bool:
    """Tags: the changed tag; policy documents: the changed statement id; else equal."""
    if isinstance(value, dict) and "Statement" in value:
        return isinstance(actual, dict) and actual["Statement"][0].get("Sid") == "Changed"
    if isinstance(value, dict) and isinstance(actual, dict):
        return all(actual.get(k) == v for k, v in value.items())
    return actual == value


def test_changed_resources_have_their_new_values(updated):
    wrong = [
        (kind, logical_id, key, value, actual)
        for _, kind, logical_id, key, value, _, _, _, actual in updated
        if kind not in UNTAGGED_IN_MOTO and not _has(actual, value)
    ]
    assert [(kind, logical_id, key, actual) for kind, logical_id, key, _, actual in wrong] == [], "\n".join(
        map(str, wrong)
    )
