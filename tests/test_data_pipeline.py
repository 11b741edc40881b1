"""Template ``data-pipeline``: the seed's security properties."""

from __future__ import annotations

import pytest


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
    assert (props["Engine"], props["PubliclyAccessible"], props["StorageEncrypted"], props["MultiAZ"]) == ("postgres", False, True, True)
    assert props["KmsKeyId"] == ref("DataKey") and props["EngineVersion"].startswith("15.")
    assert pipeline["Resources"]["DatabaseSubnetGroup"]["Properties"]["SubnetIds"] == {
        "Fn::Split": [",", {"Fn::ImportValue": {"Fn::Sub": "${Environment}-network-DataSubnetIds"}}]}
    assert props["MasterUserPassword"] == {"Fn::Sub": "{{resolve:secretsmanager:${DatabaseSecret}:SecretString:password}}"}
    assert instance["DeletionPolicy"] == instance["UpdateReplacePolicy"] == "Snapshot"
    attachment = pipeline["Resources"]["DatabaseSecretAttachment"]["Properties"]
    assert attachment["TargetType"] == "AWS::RDS::DBInstance"


def test_redis_failover_multi_az_encrypted_with_auth_from_secrets_manager(pipeline):
    redis = pipeline["Resources"]["CacheReplicationGroup"]["Properties"]
    assert (redis["NumCacheClusters"], redis["AutomaticFailoverEnabled"], redis["MultiAZEnabled"]) == (2, True, True)
    assert (redis["TransitEncryptionEnabled"], redis["AtRestEncryptionEnabled"], redis["KmsKeyId"]) == (True, True, ref("DataKey"))
    assert redis["AuthToken"] == {"Fn::Sub": "{{resolve:secretsmanager:${CacheAuthToken}:SecretString:token}}"}
    assert pipeline["Resources"]["CacheAuthToken"]["Properties"]["GenerateSecretString"]["GenerateStringKey"] == "token"


def test_security_groups_admit_only_the_vpc(pipeline):
    vpc_cidr = {"Fn::ImportValue": {"Fn::Sub": "${Environment}-network-VpcCidr"}}
    ingress = {name: r["Properties"] for name, r in pipeline["Resources"].items() if r["Type"] == "AWS::EC2::SecurityGroupIngress"}
    assert {(i["FromPort"], i["CidrIp"] == vpc_cidr) for i in ingress.values()} == {(5432, True), (6379, True)}
    for group in (r for r in pipeline["Resources"].values() if r["Type"] == "AWS::EC2::SecurityGroup"):
        assert group["Properties"]["SecurityGroupEgress"][0]["CidrIp"] == "255.255.255.255/32"  # no default allow-all egress


def test_outputs_are_exported_per_environment(pipeline):
    assert {"StreamName", "StreamArn", "DatabaseEndpoint", "CacheEndpoint", "DatabaseSecretArn"} <= set(pipeline["Outputs"])
    assert pipeline["Outputs"]["CacheEndpoint"]["Export"]["Name"] == {"Fn::Sub": "${Environment}-data-pipeline-CacheEndpoint"}
