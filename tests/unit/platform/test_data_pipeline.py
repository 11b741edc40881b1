"""Template ``data-pipeline``: the seed's security properties."""

from __future__ import annotations

import json
import warnings

import boto3
import pytest

import localcloud
from cfnops.inputs import params
from tests.support import security_groups

localcloud.install()
from moto import mock_aws  # noqa: E402  (after the patches)

CAPABILITIES = ["CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]


@pytest.fixture(scope="module")
def pipeline(templates):
    return templates["data-pipeline"]


def ref(name):
    return {"Ref": name}


def test_kinesis_stream_uses_a_rotating_cmk(pipeline):
    stream = pipeline["Resources"]["EventStream"]["Properties"]
    assert stream["StreamEncryption"] == {"EncryptionType": "KMS", "KeyId": ref("DataKey")}
    assert pipeline["Resources"]["DataKey"]["Properties"]["EnableKeyRotation"] is True
    assert stream["ShardCount"] == ref("ShardCount") and stream["StreamModeDetails"] == {"StreamMode": "PROVISIONED"}


def test_rds_postgres_in_data_subnets_private_encrypted(pipeline):
    instance = pipeline["Resources"]["DatabaseInstance"]
    props = instance["Properties"]
    assert (props["Engine"], props["PubliclyAccessible"], props["StorageEncrypted"], props["MultiAZ"]) == (
        "postgres",
        False,
        True,
        True,
    )
    assert props["KmsKeyId"] == ref("DataKey") and props["EngineVersion"].startswith("15.")
    assert pipeline["Resources"]["DatabaseSubnetGroup"]["Properties"]["SubnetIds"] == {
        "Fn::Split": [",", {"Fn::ImportValue": {"Fn::Sub": "${Environment}-network-DataSubnetIds"}}]
    }
    assert (props["ManageMasterUserPassword"], props["MasterUserSecret"]) == (True, {"KmsKeyId": ref("DataKey")})
    assert "MasterUserPassword" not in props and props["MasterUsername"] == "pipeline_admin"
    assert instance["DeletionPolicy"] == instance["UpdateReplacePolicy"] == "Snapshot"
    assert pipeline["Outputs"]["DatabaseSecretArn"]["Value"] == {
        "Fn::GetAtt": ["DatabaseInstance", "MasterUserSecret.SecretArn"]
    }
    secrets = [r for r in pipeline["Resources"].values() if r["Type"] == "AWS::SecretsManager::Secret"]
    assert len(secrets) == 1  # the Redis AUTH token: ElastiCache has no managed secret of its own


def test_redis_failover_multi_az_encrypted_with_auth_from_secrets_manager(pipeline):
    redis = pipeline["Resources"]["CacheReplicationGroup"]["Properties"]
    assert (redis["NumCacheClusters"], redis["AutomaticFailoverEnabled"], redis["MultiAZEnabled"]) == (2, True, True)
    assert (redis["TransitEncryptionEnabled"], redis["AtRestEncryptionEnabled"], redis["KmsKeyId"]) == (
        True,
        True,
        ref("DataKey"),
    )
    assert redis["AuthToken"] == {"Fn::Sub": "{{resolve:secretsmanager:${CacheAuthToken}:SecretString:token}}"}
    assert pipeline["Resources"]["CacheAuthToken"]["Properties"]["GenerateSecretString"]["GenerateStringKey"] == "token"


def test_security_groups_admit_only_the_vpc(pipeline):
    vpc_cidr = {"Fn::ImportValue": {"Fn::Sub": "${Environment}-network-VpcCidr"}}
    ingress = [rule for _, rule in security_groups.rules(pipeline, "ingress")]
    assert {(i["FromPort"], i["CidrIp"] == vpc_cidr) for i in ingress} == {(5432, True), (6379, True)}
    for group in (r for r in pipeline["Resources"].values() if r["Type"] == "AWS::EC2::SecurityGroup"):
        assert (
            group["Properties"]["SecurityGroupEgress"][0]["CidrIp"] == "255.255.255.255/32"
        )  # no default allow-all egress


def test_outputs_are_exported_per_environment(pipeline):
    assert {"StreamName", "StreamArn", "DatabaseEndpoint", "CacheEndpoint", "DatabaseSecretArn"} <= set(
        pipeline["Outputs"]
    )
    assert pipeline["Outputs"]["CacheEndpoint"]["Export"]["Name"] == {
        "Fn::Sub": "${Environment}-data-pipeline-CacheEndpoint"
    }


def create(client, name: str, template: dict, values: dict) -> dict:
    client.create_stack(
        StackName=name,
        TemplateBody=json.dumps(template),
        Capabilities=CAPABILITIES,
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in values.items()],
    )
    return client.describe_stacks(StackName=name)["Stacks"][0]


def test_on_localcloud_the_master_secret_is_managed_by_rds_with_the_cmk(project, templates):
    resolved = params.resolve_deployed(project, "dev", templates)
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        client = boto3.client("cloudformation", region_name="eu-west-1")
        for name in ("network", "data-pipeline"):
            stack = create(client, name, templates[name], resolved.plain(name, "eu-west-1"))
            assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
        outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
        secret = boto3.client("secretsmanager", region_name="eu-west-1").describe_secret(
            SecretId=outputs["DatabaseSecretArn"]
        )
        assert secret["Name"].startswith("rds!db-") and secret["OwningService"] == "rds"
        key = client.describe_stack_resource(StackName="data-pipeline", LogicalResourceId="DataKey")
        assert secret["KmsKeyId"] == key["StackResourceDetail"]["PhysicalResourceId"]
        rds = boto3.client("rds", region_name="eu-west-1")
        instance = rds.describe_db_instances()["DBInstances"][0]
        assert outputs["RdsArn"] == instance["DBInstanceArn"] and outputs["RedisPort"] == "6379"
        group = instance["DBParameterGroups"][0]["DBParameterGroupName"]
        applied = {
            p["ParameterName"]: p["ParameterValue"]
            for p in rds.describe_db_parameters(DBParameterGroupName=group)["Parameters"]
        }
        assert applied["rds.force_ssl"] == "1" and applied["pgaudit.log"] == "read,write"


def test_on_localcloud_a_managed_and_a_given_master_password_are_refused_together():
    """As RDS does: ManageMasterUserPassword cannot be set with MasterUserPassword."""
    instance = {
        "Engine": "postgres",
        "DBInstanceClass": "db.t4g.medium",
        "AllocatedStorage": 20,
        "MasterUsername": "admin",
        "ManageMasterUserPassword": True,
        "MasterUserPassword": "not-a-secret-1",
    }
    template = {"Resources": {"Database": {"Type": "AWS::RDS::DBInstance", "Properties": instance}}}
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        client = boto3.client("cloudformation", region_name="eu-west-1")
        # the resource's failure, named as CloudFormation names it (localcloud/core/failures.py)
        with pytest.raises(
            Exception,
            match=r"ResourceLogicalId:Database.*ManageMasterUserPassword cannot be set together with MasterUserPassword",
        ):
            create(client, "both", template, {})
        assert boto3.client("rds", region_name="eu-west-1").describe_db_instances()["DBInstances"] == []


def test_database_audits_reads_writes_and_connections(pipeline):
    instance = pipeline["Resources"]["DatabaseInstance"]["Properties"]
    group = pipeline["Resources"][instance["DBParameterGroupName"]["Ref"]]
    assert group["Type"] == "AWS::RDS::DBParameterGroup"
    parameters = group["Properties"]["Parameters"]
    assert "pgaudit" in parameters["shared_preload_libraries"].split(",")
    assert set(parameters["pgaudit.log"].split(",")) == {"read", "write"}
    assert parameters["pgaudit.role"] == "rds_pgaudit"
    assert parameters["log_connections"] == parameters["log_disconnections"] == "1"
    assert parameters["rds.force_ssl"] == "1"


def test_database_log_groups_exist_before_rds_exports_to_them(pipeline):
    resources = pipeline["Resources"]
    instance = resources["DatabaseInstance"]
    exports = instance["Properties"]["EnableCloudwatchLogsExports"]
    assert set(exports) == {"postgresql", "upgrade"}
    for log in exports:
        title = f"DatabaseLog{log.capitalize()}"
        group = resources[title]["Properties"]
        assert group["LogGroupName"] == {
            "Fn::Sub": f"/aws/rds/instance/${{Environment}}-${{AWS::Region}}-rds-data-pipeline/{log}"
        }
        assert instance["Properties"]["DBInstanceIdentifier"] == {
            "Fn::Sub": "${Environment}-${AWS::Region}-rds-data-pipeline"
        }
        assert group["KmsKeyId"] == {"Fn::GetAtt": ["DataKey", "Arn"]}
        assert group["RetentionInDays"] == ref("LogRetentionDays")
        assert title in instance["DependsOn"]


@pytest.mark.parametrize("environment, days", [("dev", 30), ("staging", 90), ("prod", 365)])
def test_database_log_retention_per_environment(project, templates, environment, days):
    resolved = params.resolve_deployed(project, environment, templates)
    assert resolved.values["data-pipeline"]
    for region in resolved.values["data-pipeline"]:
        assert resolved.plain("data-pipeline", region)["LogRetentionDays"] == str(days)


def test_outputs_name_the_rds_arn_and_the_redis_port(pipeline):
    outputs = pipeline["Outputs"]
    assert outputs["RdsArn"]["Value"] == {"Fn::GetAtt": ["DatabaseInstance", "DBInstanceArn"]}
    assert outputs["RedisPort"]["Value"] == {"Fn::GetAtt": ["CacheReplicationGroup", "PrimaryEndPoint.Port"]}
