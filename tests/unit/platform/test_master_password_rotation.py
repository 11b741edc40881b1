"""The rotation function of a global database's own master secret: Secrets Manager's four
steps against moto, the password changed through RDS and the new version made current."""

from __future__ import annotations

import importlib
import json
import uuid

import boto3
import pytest
from moto import mock_aws

from tests.support.handlers import set_environment

CLUSTER = "prod-us-east-1-aurora-fraud-detection"


@pytest.fixture
def rotation(monkeypatch):
    set_environment(monkeypatch, {})
    with mock_aws():
        boto3.client("rds").create_db_cluster(
            DBClusterIdentifier=CLUSTER,
            Engine="aurora-postgresql",
            MasterUsername="fraud_admin",
            MasterUserPassword="old-password-1",
        )
        import templates_src.handlers.master_password_rotation as module

        yield importlib.reload(module)


def test_the_four_steps_make_a_new_password_current_and_give_it_to_the_cluster(rotation, monkeypatch):
    secrets = boto3.client("secretsmanager")
    value = {"username": "fraud_admin", "password": "old-password-1", "dbClusterIdentifier": CLUSTER}
    arn = secrets.create_secret(Name="master", SecretString=json.dumps(value))["ARN"]
    modified = []
    real = rotation.rds.modify_db_cluster
    monkeypatch.setattr(rotation.rds, "modify_db_cluster", lambda **kw: modified.append(kw) or real(**kw))
    token = str(uuid.uuid4())
    rotation.create_secret(arn, token)  # what Secrets Manager's RotateSecret starts with
    for step in ("createSecret", "setSecret", "testSecret", "finishSecret"):
        rotation.handler({"SecretId": arn, "ClientRequestToken": token, "Step": step}, None)
    assert "AWSCURRENT" in secrets.describe_secret(SecretId=arn)["VersionIdsToStages"][token]
    current = json.loads(secrets.get_secret_value(SecretId=arn, VersionStage="AWSCURRENT")["SecretString"])
    assert current["password"] != "old-password-1" and len(current["password"]) == rotation.PASSWORD_LENGTH
    assert not set(current["password"]) & set(rotation.EXCLUDE_CHARACTERS)
    assert modified == [
        {"DBClusterIdentifier": CLUSTER, "MasterUserPassword": current["password"], "ApplyImmediately": True}
    ]
    assert {k: v for k, v in current.items() if k != "password"} == {k: v for k, v in value.items() if k != "password"}


def test_a_version_that_is_not_pending_is_refused(rotation):
    secrets = boto3.client("secretsmanager")
    arn = secrets.create_secret(Name="master", SecretString="{}")["ARN"]
    with pytest.raises(ValueError, match="does not exist"):
        rotation.handler({"SecretId": arn, "ClientRequestToken": str(uuid.uuid4()), "Step": "setSecret"}, None)
