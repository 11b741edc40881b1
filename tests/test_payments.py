"""Template ``payments``: the seed's properties, per environment."""

from __future__ import annotations

import pytest

from cfnops.inputs import params
from cfnops.core.errors import InputError

from .conftest import ref, resources_of_type


@pytest.fixture(scope="module")
def payments(templates):
    return templates["payments"]


def test_containerized_lambda_from_the_regions_registry(payments):
    function = payments["Resources"]["PaymentsFunction"]["Properties"]
    assert function["PackageType"] == "Image"
    assert function["Code"]["ImageUri"] == {
        "Fn::Sub": "${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}/${ImageRepository}:${ImageTag}"}
    assert (function["MemorySize"], function["ReservedConcurrentExecutions"]) == (ref("LambdaMemoryMb"), ref("ReservedConcurrency"))
    assert function["VpcConfig"]["SubnetIds"] == {"Fn::Split": [",", {"Fn::ImportValue": {"Fn::Sub": "${Environment}-network-PrivateSubnetIds"}}]}
    assert function["TracingConfig"] == {"Mode": "Active"} and function["KmsKeyArn"] == {"Fn::GetAtt": ["DataKey", "Arn"]}
    assert function["DeadLetterConfig"]["TargetArn"] == {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]}


def test_aurora_postgres_15_with_cmk_and_a_master_password_rds_rotates(payments):
    cluster = payments["Resources"]["DatabaseCluster"]
    assert cluster["Properties"]["Engine"] == "aurora-postgresql" and cluster["Properties"]["EngineVersion"].startswith("15.")
    assert cluster["Properties"]["KmsKeyId"] == ref("DataKey") and cluster["Properties"]["StorageEncrypted"] is True
    assert cluster["DeletionPolicy"] == "Snapshot"
    assert cluster["Properties"]["ManageMasterUserPassword"] is True
    assert cluster["Properties"]["MasterUserSecret"] == {"KmsKeyId": ref("DataKey")}
    role = payments["Resources"]["FunctionRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    read = next(s for s in role if "secretsmanager:GetSecretValue" in s["Action"])
    assert read["Resource"] == [{"Fn::GetAtt": ["DatabaseCluster", "MasterUserSecret.SecretArn"]}]


def test_alarms_and_log_retention(payments):
    resources = payments["Resources"]
    assert resources["FunctionErrorsAlarm"]["Properties"]["Threshold"] == ref("ErrorThreshold")
    assert resources["FunctionDurationAlarm"]["Properties"]["Threshold"] == ref("DurationThresholdMs")
    assert resources["DatabaseCpuAlarm"]["Properties"]["Threshold"] == 80
    assert resources["DatabaseConnectionsAlarm"]["Properties"]["Threshold"] == ref("DbConnectionsThreshold")
    assert all(a["Properties"]["AlarmActions"] == [ref("AlertTopic")] for a in resources_of_type(payments, "AWS::CloudWatch::Alarm").values())
    assert resources["FunctionLogGroup"]["Properties"]["RetentionInDays"] == 30
    queue = resources["DeadLetterQueue"]["Properties"]
    assert (queue["MessageRetentionPeriod"], queue["KmsMasterKeyId"]) == (14 * 24 * 3600, ref("DataKey"))


@pytest.mark.parametrize("environment, memory, db_class, count, errors, duration, connections", [
    ("dev", "1024", "db.t4g.medium", "1", "10", "5000", "100"),
    ("staging", "2048", "db.r6g.large", "1", "5", "3000", "100"),
    ("prod", "4096", "db.r6g.large", "2", "3", "2000", "200"),
])
def test_seed_values_per_environment(project, templates, environment, memory, db_class, count, errors, duration, connections):
    values = params.resolve_deployed(project, environment, templates).plain("payments", "eu-west-1")
    assert (values["LambdaMemoryMb"], values["DbInstanceClass"], values["DbInstanceCount"]) == (memory, db_class, count)
    assert (values["ErrorThreshold"], values["DurationThresholdMs"], values["DbConnectionsThreshold"]) == (errors, duration, connections)


def test_wrong_memory_for_prod_is_refused_with_the_seeds_message(tmp_project, templates):
    path = tmp_project.parameter_path("prod")
    path.write_text(path.read_text().replace("LambdaMemoryMb: 4096", "LambdaMemoryMb: 2048"))
    with pytest.raises(InputError) as raised:
        params.resolve_deployed(tmp_project, "prod", templates)
    assert raised.value.problems == [
        "parameters/prod.yaml: templates.payments.LambdaMemoryMb: prod must use 4096 MB Lambda memory, got 2048"]
