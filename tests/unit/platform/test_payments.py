"""Template ``payments``: the seed's properties, per environment."""

from __future__ import annotations

import pytest

from cfnops.core.errors import InputError
from cfnops.inputs import params
from tests.conftest import ref, resources_of_type


@pytest.fixture(scope="module")
def payments(templates):
    return templates["payments"]


def test_containerized_lambda_from_the_regions_registry(payments):
    function = payments["Resources"]["PaymentsFunction"]["Properties"]
    assert function["PackageType"] == "Image"
    assert function["Code"]["ImageUri"] == {
        "Fn::Sub": "${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}/${ImageRepository}:${ImageTag}"
    }
    assert (function["MemorySize"], function["ReservedConcurrentExecutions"]) == (
        ref("LambdaMemoryMb"),
        ref("ReservedConcurrency"),
    )
    assert function["VpcConfig"]["SubnetIds"] == {
        "Fn::Split": [",", {"Fn::ImportValue": {"Fn::Sub": "${Environment}-network-PrivateSubnetIds"}}]
    }
    assert function["TracingConfig"] == {"Mode": "Active"} and function["KmsKeyArn"] == {
        "Fn::GetAtt": ["DataKey", "Arn"]
    }
    assert function["DeadLetterConfig"]["TargetArn"] == {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]}


def test_aurora_postgres_15_with_cmk_and_a_master_password_rds_rotates(payments):
    cluster = payments["Resources"]["DatabaseCluster"]
    assert cluster["Properties"]["Engine"] == "aurora-postgresql" and cluster["Properties"]["EngineVersion"].startswith(
        "15."
    )
    assert cluster["Properties"]["KmsKeyId"] == ref("DataKey") and cluster["Properties"]["StorageEncrypted"] is True
    assert cluster["DeletionPolicy"] == "Snapshot"
    assert cluster["Properties"]["ManageMasterUserPassword"] is True
    assert cluster["Properties"]["MasterUserSecret"] == {"KmsKeyId": ref("DataKey")}
    rotation = payments["Resources"]["DatabaseSecretRotation"]["Properties"]
    assert rotation["SecretId"] == {"Fn::GetAtt": ["DatabaseCluster", "MasterUserSecret.SecretArn"]}


def test_alarms_and_log_retention(payments):
    resources = payments["Resources"]
    assert resources["FunctionErrorsAlarm"]["Properties"]["Threshold"] == ref("ErrorThreshold")
    assert resources["FunctionDurationAlarm"]["Properties"]["Threshold"] == ref("DurationThresholdMs")
    assert resources["DatabaseCpuAlarm"]["Properties"]["Threshold"] == 80
    assert resources["DatabaseConnectionsAlarm"]["Properties"]["Threshold"] == ref("DbConnectionsThreshold")
    assert all(
        a["Properties"]["AlarmActions"] == [ref("AlertTopic")]
        for a in resources_of_type(payments, "AWS::CloudWatch::Alarm").values()
    )
    assert resources["FunctionLogGroup"]["Properties"]["RetentionInDays"] == 30
    queue = resources["DeadLetterQueue"]["Properties"]
    assert (queue["MessageRetentionPeriod"], queue["KmsMasterKeyId"]) == (14 * 24 * 3600, ref("DataKey"))


@pytest.mark.parametrize(
    "environment, memory, db_class, count, errors, duration, connections",
    [
        ("dev", "1024", "db.t4g.medium", "1", "10", "5000", "100"),
        ("staging", "2048", "db.r6g.large", "1", "5", "3000", "100"),
        ("prod", "4096", "db.r6g.large", "2", "3", "2000", "200"),
    ],
)
def test_seed_values_per_environment(
    project, templates, environment, memory, db_class, count, errors, duration, connections
):
    values = params.resolve_deployed(project, environment, templates).plain("payments", "eu-west-1")
    assert (values["LambdaMemoryMb"], values["DbInstanceClass"], values["DbInstanceCount"]) == (memory, db_class, count)
    assert (values["ErrorThreshold"], values["DurationThresholdMs"], values["DbConnectionsThreshold"]) == (
        errors,
        duration,
        connections,
    )


def test_wrong_memory_for_prod_is_refused_with_the_seeds_message(tmp_project, templates):
    path = tmp_project.parameter_path("prod")
    path.write_text(path.read_text().replace("LambdaMemoryMb: 4096", "LambdaMemoryMb: 2048"))
    with pytest.raises(InputError) as raised:
        params.resolve_deployed(tmp_project, "prod", templates)
    assert raised.value.problems == [
        "parameters/prod.yaml: templates.payments.LambdaMemoryMb: prod must use 4096 MB Lambda memory, got 2048"
    ]


# --- outputs: configuration manifest and its hash, environment name and suffix ---

MANIFEST_SOURCES = {  # manifest key -> the resource property it must show (the deployed value)
    "function_memory_mb": ("PaymentsFunction", "MemorySize"),
    "function_reserved_concurrency": ("PaymentsFunction", "ReservedConcurrentExecutions"),
    "database_engine": ("DatabaseCluster", "Engine"),
    "database_engine_version": ("DatabaseCluster", "EngineVersion"),
    "database_instance_class": ("DatabaseInstance1", "DBInstanceClass"),
    "database_deletion_protection": ("DatabaseCluster", "DeletionProtection"),
    "backup_retention_days": ("DatabaseCluster", "BackupRetentionPeriod"),
    "log_retention_days": ("FunctionLogGroup", "RetentionInDays"),
}


def _manifest_values(payments) -> dict:
    """The manifest's Fn::Sub, each value as the template function or literal it stands for."""
    import json
    import re

    body, variables = payments["Outputs"]["ConfigManifest"]["Value"]["Fn::Sub"]
    entries = json.loads(body)
    resolved = {}
    for key, text in entries.items():
        match = re.fullmatch(r"\$\{([A-Za-z0-9]+)\}", text)
        resolved[key] = variables.get(match[1], ref(match[1])) if match else text
    return resolved


def test_manifest_shows_the_values_the_resources_are_given(payments):
    values = _manifest_values(payments)
    for key, (resource, prop) in MANIFEST_SOURCES.items():
        given = payments["Resources"][resource]["Properties"][prop]
        assert values[key] == (
            given if isinstance(given, dict) else str(given).lower() if isinstance(given, bool) else str(given)
        ), key
    assert values["image"] == {"Fn::Sub": "${ImageRepository}:${ImageTag}"}
    assert values["secret_rotation_days"] == "30" and values["encryption"].startswith("aws:kms customer managed key")
    assert set(values) >= {"error_threshold", "duration_threshold_ms", "db_connections_threshold", "database_instances"}


def test_manifest_uses_no_region_or_account_so_equal_hashes_mean_equal_configurations(payments):
    import json

    text = json.dumps(payments["Outputs"]["ConfigManifest"])
    assert "AWS::" not in text and "Fn::GetAtt" not in text and "Fn::ImportValue" not in text


def test_hash_output_is_the_computed_parameter_and_outputs_name_the_environment(payments):
    outputs = payments["Outputs"]
    assert outputs["ConfigHash"]["Value"] == ref("ConfigHash")
    assert payments["Parameters"]["ConfigHash"]["AllowedPattern"] == "^[0-9a-f]{64}$"
    assert payments["Metadata"]["cfnops"]["ComputedParameters"] == {"ConfigHash": {"Sha256OfOutput": "ConfigManifest"}}
    assert outputs["EnvironmentName"]["Value"] == ref("Environment")
    assert outputs["EnvironmentSuffix"]["Value"] == "payments"


def test_application_log_group_30_days_with_the_cmk(payments):
    group = payments["Resources"]["ApplicationLogGroup"]
    assert group["Properties"]["LogGroupName"] == {"Fn::Sub": "/aws/application/${Environment}-payments"}
    assert (group["Properties"]["RetentionInDays"], group["Properties"]["KmsKeyId"]) == (
        30,
        {"Fn::GetAtt": ["DataKey", "Arn"]},
    )
    assert (group["DeletionPolicy"], group["UpdateReplacePolicy"]) == ("RetainExceptOnCreate", "Retain")
    statements = payments["Resources"]["FunctionRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    assert any(
        s["Resource"] == [{"Fn::GetAtt": ["ApplicationLogGroup", "Arn"]}] and "logs:PutLogEvents" in s["Action"]
        for s in statements
    )


def test_no_aws_managed_policy_on_any_role(payments):
    for name, role in resources_of_type(payments, "AWS::IAM::Role").items():
        assert "ManagedPolicyArns" not in role["Properties"], name
        assert role["Properties"]["Policies"], name


@pytest.mark.parametrize(
    "environment, value, message",
    [
        ("prod", "50", "prod alarms at 5 errors or fewer, got 50"),
        ("staging", "11", "staging alarms at 10 errors or fewer, got 11"),
        ("dev", "21", "dev alarms at 20 errors or fewer, got 21"),
    ],
)
def test_error_threshold_per_environment_is_refused_in_one_line(tmp_project, templates, environment, value, message):
    path = tmp_project.parameter_path(environment)
    text = path.read_text()
    payments_at = text.index("  payments:")
    line = text.index("ErrorThreshold:", payments_at)
    end = text.index("\n", line)
    path.write_text(text[:line] + f"ErrorThreshold: {value}" + text[end:])
    with pytest.raises(InputError) as raised:
        params.resolve_deployed(tmp_project, environment, templates)
    assert raised.value.problems == [f"parameters/{environment}.yaml: templates.payments.ErrorThreshold: {message}"]


def test_template_rule_refuses_a_prod_error_threshold_above_5_whatever_deploys_it(payments):
    from localcloud.cloudformation.template_rules import failed_assertions

    assert failed_assertions(
        payments, {"Environment": "prod", "ErrorThreshold": "50"}, "123456789012", "us-east-1"
    ) == ["prod alarms at 5 function errors or fewer"]
    assert (
        failed_assertions(payments, {"Environment": "prod", "ErrorThreshold": "5"}, "123456789012", "us-east-1") == []
    )
    assert (
        failed_assertions(payments, {"Environment": "dev", "ErrorThreshold": "50"}, "123456789012", "us-east-1") == []
    )


def test_env_rule_and_template_rule_share_one_bound():
    from templates_src import environment_rules as env_rules
    from templates_src import payments as payments_source

    (prod,) = [
        r for r in env_rules.ENVIRONMENT_RULES if r.parameter == "ErrorThreshold" and r.environments == ("prod",)
    ]
    bound = payments_source.PROD_MAX_ERROR_THRESHOLD
    assert prod.holds(str(bound)) and not prod.holds(str(bound + 1))


def test_the_function_signs_in_as_its_own_database_user_and_reads_no_secret(payments):
    """Least privilege: the master secret is the administrator's (RDS rotates it); the function
    connects as payments_app with an IAM authentication token on its own cluster only."""
    role = payments["Resources"]["FunctionRole"]["Properties"]
    statements = [s for p in role["Policies"] for s in p["PolicyDocument"]["Statement"]]
    assert not [a for s in statements for a in s["Action"] if a.startswith("secretsmanager:")]
    [connect] = [s for s in statements if s["Action"] == ["rds-db:connect"]]
    assert connect["Resource"] == [
        {
            "Fn::Sub": [
                "arn:${AWS::Partition}:rds-db:${AWS::Region}:${AWS::AccountId}:dbuser:${ClusterId}/payments_app",
                {"ClusterId": {"Fn::GetAtt": ["DatabaseCluster", "DBClusterResourceId"]}},
            ]
        }
    ]
    assert payments["Resources"]["DatabaseCluster"]["Properties"]["EnableIAMDatabaseAuthentication"] is True
    variables = payments["Resources"]["PaymentsFunction"]["Properties"]["Environment"]["Variables"]
    assert variables["DB_USER"] == "payments_app" and "DB_SECRET_ARN" not in variables
