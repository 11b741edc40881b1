"""fraud-detection's replication, as rendered: region roles, Aurora Global Database and
the global fraud-rules table (checked against the AWS::RDS::GlobalCluster, DBCluster and
DynamoDB::GlobalTable docs and createOnly properties)."""

from __future__ import annotations

import pytest

from templates_src import environment_rules as env_rules
from templates_src.conventions import REGIONS
from tests.conftest import ref

NO_VALUE = ref("AWS::NoValue")


@pytest.fixture(scope="module")
def fraud(templates):
    return templates["fraud-detection"]


@pytest.fixture(scope="module")
def network(templates):
    return templates["network"]


def test_region_roles_come_from_the_primary_region_parameter(fraud):
    assert fraud["Parameters"]["PrimaryRegion"]["AllowedValues"] == list(REGIONS)
    assert fraud["Conditions"]["IsPrimaryRegion"] == {"Fn::Equals": [ref("AWS::Region"), ref("PrimaryRegion")]}
    assert fraud["Conditions"]["IsSecondaryRegion"] == {
        "Fn::Not": [{"Fn::Equals": [ref("AWS::Region"), ref("PrimaryRegion")]}]
    }


def test_the_global_cluster_is_made_from_the_primary_cluster_in_the_primary_region_only(fraud):
    glob = fraud["Resources"]["DatabaseGlobalCluster"]
    assert glob["Type"] == "AWS::RDS::GlobalCluster" and glob["Condition"] == "CreateGlobalCluster"
    assert fraud["Conditions"]["CreateGlobalCluster"] == {
        "Fn::And": [{"Condition": "UseGlobalDatabase"}, {"Condition": "IsPrimaryRegion"}]
    }
    props = glob["Properties"]
    assert props["GlobalClusterIdentifier"] == {"Fn::Sub": "${Environment}-fraud-detection-global"}
    assert props["SourceDBClusterIdentifier"] == {"Fn::GetAtt": ["DatabaseCluster", "DBClusterArn"]}
    # RDS takes engine, version, encryption and database name from the source cluster: given here, it refuses
    assert not {"Engine", "EngineVersion", "StorageEncrypted", "DatabaseName"} & set(props)
    assert props["DeletionProtection"] == ref("DbDeletionProtection")


def test_a_secondary_cluster_joins_with_its_own_regions_key_and_no_master_user(fraud):
    props = fraud["Resources"]["DatabaseCluster"]["Properties"]
    assert props["GlobalClusterIdentifier"] == {
        "Fn::If": ["JoinGlobalCluster", {"Fn::Sub": "${Environment}-fraud-detection-global"}, NO_VALUE]
    }
    assert props["StorageEncrypted"] is True and props["KmsKeyId"] == ref(
        "DataKey"
    )  # createOnly; required cross-region
    for name in ("MasterUsername", "ManageMasterUserPassword", "MasterUserSecret", "DatabaseName"):
        assert props[name]["Fn::If"][:2] == ["JoinGlobalCluster", NO_VALUE], name
    assert fraud["Conditions"]["JoinGlobalCluster"] == {
        "Fn::And": [{"Condition": "UseGlobalDatabase"}, {"Condition": "IsSecondaryRegion"}]
    }
    # the primary cluster's own properties do not name the global cluster: it is not replaced when it joins
    assert props["DBClusterIdentifier"] == {"Fn::Sub": "${Environment}-${AWS::Region}-aurora-fraud-detection"}


def test_only_a_writer_has_a_secret_and_the_policy_to_read_it(fraud):
    for mode in ("IamLimitedWritePolicy", "IamFullAccessPolicy"):
        policy = fraud["Resources"][mode]["Properties"]["PolicyDocument"]["Statement"]
        [secret] = [s for s in policy if "Fn::If" in s]
        assert secret["Fn::If"][0] == "HasMasterUser" and secret["Fn::If"][2] == NO_VALUE
        assert secret["Fn::If"][1]["Action"] == ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"]
    assert fraud["Conditions"]["HasMasterUser"] == {"Fn::Not": [{"Condition": "JoinGlobalCluster"}]}


def test_replication_lag_alarms_in_secondaries_at_the_environments_threshold(fraud):
    alarm = fraud["Resources"]["GlobalDbReplicationLagAlarm"]
    assert alarm["Condition"] == "JoinGlobalCluster"
    props = alarm["Properties"]
    assert (props["Namespace"], props["MetricName"], props["Threshold"]) == (
        "AWS/RDS",
        "AuroraGlobalDBReplicationLag",
        ref("GlobalDbLagThresholdMs"),
    )
    assert props["Dimensions"] == [{"Name": "DBClusterIdentifier", "Value": ref("DatabaseCluster")}]
    rules = {
        rule.environments: rule for rule in env_rules.ENVIRONMENT_RULES if rule.parameter == "GlobalDbLagThresholdMs"
    }
    assert rules[("prod",)].problem("prod", "2000") and not rules[("prod",)].problem("prod", "1000")
    assert rules[("staging",)].problem("staging", "6000") and not rules[("staging",)].problem("staging", "5000")


def test_global_database_needs_memory_optimized_instances():
    [rule] = [r for r in env_rules.CROSS_RULES if r.parameter == "EnableGlobalDatabase"]
    assert rule.check({"EnableGlobalDatabase": "true", "DbInstanceClass": "db.t4g.medium"}) == (
        "an Aurora global database needs a memory-optimized class (db.r*), got db.t4g.medium"
    )
    assert rule.check({"EnableGlobalDatabase": "true", "DbInstanceClass": "db.r6g.large"}) is None
    assert rule.check({"EnableGlobalDatabase": "false", "DbInstanceClass": "db.t4g.medium"}) is None


def test_the_global_table_has_its_own_name_replica_keys_from_the_network_and_protection(fraud, network):
    table = fraud["Resources"]["FraudRulesGlobalTable"]
    assert table["Condition"] == "CreateGlobalTable"
    assert fraud["Conditions"]["CreateGlobalTable"] == {
        "Fn::And": [{"Condition": "UseGlobalTable"}, {"Condition": "IsPrimaryRegion"}]
    }
    props = table["Properties"]
    assert props["TableName"] == {"Fn::Sub": "${Environment}-fraud-rules-global"}  # never the regional table's name
    assert table["Metadata"]["cfnops"]["MigratesFrom"] == "FraudRulesTable"
    assert [r["Region"] for r in props["Replicas"]] == list(REGIONS)
    for replica in props["Replicas"]:
        assert replica["SSESpecification"]["KMSMasterKeyId"] == {
            "Fn::Sub": f"alias/${{Environment}}-{replica['Region']}-replicated-data"
        }
        assert replica["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
        assert replica["DeletionProtectionEnabled"] == ref("DbDeletionProtection")
    assert network["Resources"]["ReplicatedDataKeyAlias"]["Properties"]["AliasName"] == {
        "Fn::Sub": "alias/${Environment}-${AWS::Region}-replicated-data"
    }
    assert network["Resources"]["ReplicatedDataKey"]["Properties"]["EnableKeyRotation"] is True


def test_the_regional_table_stays_until_retired_and_the_service_follows_the_switch(fraud):
    assert fraud["Resources"]["FraudRulesTable"]["Condition"] == "KeepRegionalTable"
    assert fraud["Conditions"]["KeepRegionalTable"] == {
        "Fn::Not": [{"Fn::Equals": [ref("RetireRegionalTable"), "true"]}]
    }
    assert fraud["Resources"]["FraudRulesTable"]["DeletionPolicy"] == "RetainExceptOnCreate"
    name = {
        "Fn::If": [
            "UseGlobalTable",
            {"Fn::Sub": "${Environment}-fraud-rules-global"},
            {"Fn::Sub": "${Environment}-fraud-rules"},
        ]
    }
    environment = fraud["Resources"]["TaskDefinition"]["Properties"]["ContainerDefinitions"][0]["Environment"]
    assert {"Name": "FRAUD_RULES_TABLE", "Value": name} in environment
    assert fraud["Outputs"]["FraudRulesTableName"]["Value"] == name
    [rule] = [r for r in env_rules.CROSS_RULES if r.parameter == "RetireRegionalTable"]
    assert rule.check({"RetireRegionalTable": "true", "EnableGlobalTable": "false"})


def test_roles_that_use_the_global_table_may_decrypt_with_its_replica_key(fraud, network):
    """Each replica is encrypted with its region's replicated-data key (network stack): readers and
    writers of the global table need kms:Decrypt/Encrypt on it, or DynamoDB refuses their calls."""
    assert network["Outputs"]["ReplicatedDataKeyArn"]["Value"] == {"Fn::GetAtt": ["ReplicatedDataKey", "Arn"]}
    replica_key = {
        "Fn::If": [
            "UseGlobalTable",
            {"Fn::ImportValue": {"Fn::Sub": "${Environment}-network-ReplicatedDataKeyArn"}},
            {"Ref": "AWS::NoValue"},
        ]
    }
    policies = [r for r in fraud["Resources"].values() if r["Type"] == "AWS::IAM::ManagedPolicy"]
    kms = [
        s
        for p in policies
        for s in p["Properties"]["PolicyDocument"]["Statement"]
        if isinstance(s, dict) and any(str(a).startswith("kms:") for a in s.get("Action", ()))
    ]
    assert kms and all(replica_key in s["Resource"] for s in kms)
