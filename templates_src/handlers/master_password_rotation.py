"""Rotates an Aurora cluster's master password kept in a Secrets Manager secret of our own
(a global database's primary, where RDS cannot manage it). Secrets Manager's four steps;
the password changes through RDS's ModifyDBCluster, so no database driver is needed. The
secret holds username and password, and dbClusterIdentifier (SecretTargetAttachment)."""

import json

import boto3

EXCLUDE_CHARACTERS = "\"'@/\\ "  # what RDS refuses in a master password, and blanks
PASSWORD_LENGTH = 32
secrets = boto3.client("secretsmanager")
rds = boto3.client("rds")


def handler(event, context):
    arn, token, step = event["SecretId"], event["ClientRequestToken"], event["Step"]
    stages = secrets.describe_secret(SecretId=arn).get("VersionIdsToStages", {})
    if token not in stages:
        raise ValueError(f"version {token} of {arn} does not exist")
    if "AWSCURRENT" in stages[token]:
        return  # rotated already
    if "AWSPENDING" not in stages[token]:
        raise ValueError(f"version {token} of {arn} is not pending rotation")
    STEPS[step](arn, token)


def _value(arn, **version):
    return json.loads(secrets.get_secret_value(SecretId=arn, **version)["SecretString"])


def create_secret(arn, token):
    """A pending version: the current one with a new password."""
    try:
        _value(arn, VersionId=token, VersionStage="AWSPENDING")
        return
    except secrets.exceptions.ResourceNotFoundException:
        pass
    current = _value(arn, VersionStage="AWSCURRENT")
    password = secrets.get_random_password(PasswordLength=PASSWORD_LENGTH, ExcludeCharacters=EXCLUDE_CHARACTERS)
    secrets.put_secret_value(
        SecretId=arn,
        ClientRequestToken=token,
        SecretString=json.dumps({**current, "password": password["RandomPassword"]}),
        VersionStages=["AWSPENDING"],
    )


def set_secret(arn, token):
    pending = _value(arn, VersionId=token, VersionStage="AWSPENDING")
    rds.modify_db_cluster(
        DBClusterIdentifier=pending["dbClusterIdentifier"], MasterUserPassword=pending["password"], ApplyImmediately=True
    )


def test_secret(arn, token):
    """The cluster has applied the new password (Secrets Manager retries a failed step)."""
    pending = _value(arn, VersionId=token, VersionStage="AWSPENDING")
    (cluster,) = rds.describe_db_clusters(DBClusterIdentifier=pending["dbClusterIdentifier"])["DBClusters"]
    if "MasterUserPassword" in (cluster.get("PendingModifiedValues") or {}):
        raise RuntimeError(f"{pending['dbClusterIdentifier']} has not applied the new master password yet")


def finish_secret(arn, token):
    stages = secrets.describe_secret(SecretId=arn)["VersionIdsToStages"]
    current = next(version for version, names in stages.items() if "AWSCURRENT" in names)
    if current != token:
        secrets.update_secret_version_stage(
            SecretId=arn, VersionStage="AWSCURRENT", MoveToVersionId=token, RemoveFromVersionId=current
        )


STEPS = {"createSecret": create_secret, "setSecret": set_secret, "testSecret": test_secret, "finishSecret": finish_secret}
