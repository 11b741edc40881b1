"""AWS::RDS::DBCluster and AWS::RDS::DBClusterParameterGroup on localcloud: real moto resources
(describe-db-clusters, modify-db-cluster, modify-db-cluster-parameter-group, add-tags-to-resource
and drift see them); moto has the API but no CloudFormation model for either.

- A DB cluster keeps what the placeholder gave it (globaldb.py's checks of a global database's
  secondary, Ref its identifier lowercased, GetAtt Endpoint.Address and friends) and is created in
  moto's RDS backend with the template's settings (CreateDBCluster); GetAtt DBClusterArn and
  MasterUserSecret.SecretArn are then the cluster's own (the secret RDS manages is made by moto's
  CreateDBCluster). A stack update sets the template's modifiable settings again
  (ModifyDBCluster's); deletion removes it, the secret RDS managed for it and its automated snapshots.
- A DB cluster parameter group is created with its family, description, tags and Parameters
  (CreateDBClusterParameterGroup, ModifyDBClusterParameterGroup); Ref is its name, lowercased as
  RDS stores it; an update sets its Parameters and tags again; deletion deletes it.
"""

from __future__ import annotations

from typing import Any

from moto.rds import models as rds_models

from ..cloudformation.patches import Placeholder, PutBacked, add_model
from ..core.registry import document, patch, replace
from ..core.values import flag
from .globaldb import CLUSTERS

DB_CLUSTER = "AWS::RDS::DBCluster"
CLUSTER_PARAMETER_GROUP = "AWS::RDS::DBClusterParameterGroup"


def _backend(account: str, region: str):
    return rds_models.rds_backends[account][region]


def _tags(properties: dict) -> list[dict[str, str]]:
    return [{"Key": t["Key"], "Value": str(t["Value"])} for t in properties.get("Tags") or []]


def _serverless_v2(properties: dict) -> dict | None:
    scaling = properties.get("ServerlessV2ScalingConfiguration")
    if not scaling:
        return None
    return {"MinCapacity": float(scaling["MinCapacity"]), "MaxCapacity": float(scaling["MaxCapacity"])}


def _modifiable(properties: dict) -> dict[str, Any]:
    """The settings ModifyDBCluster changes, as moto's DBCluster attributes."""
    return {
        "backup_retention_period": int(properties.get("BackupRetentionPeriod", 1)),
        "copy_tags_to_snapshot": flag(properties.get("CopyTagsToSnapshot", False)),
        "deletion_protection": flag(properties.get("DeletionProtection", False)),
        "iam_auth": flag(properties.get("EnableIAMDatabaseAuthentication", False)),
        "preferred_backup_window": properties.get("PreferredBackupWindow") or "01:37-02:07",
        "preferred_maintenance_window": properties.get("PreferredMaintenanceWindow") or "wed:02:40-wed:03:10",
        "vpc_security_group_ids": list(properties.get("VpcSecurityGroupIds") or []),
        "enabled_cloudwatch_logs_exports": list(properties.get("EnableCloudwatchLogsExports") or []),
        "serverless_v2_scaling_configuration": _serverless_v2(properties),
    }


def _create_cluster(identifier: str, properties: dict, account: str, region: str):
    secret = properties.get("MasterUserSecret") or {}
    cluster = _backend(account, region).create_db_cluster(
        {
            "db_cluster_identifier": identifier,
            "engine": properties.get("Engine"),
            "engine_version": properties.get("EngineVersion"),
            "engine_mode": properties.get("EngineMode"),
            "master_username": properties.get("MasterUsername"),
            "master_user_password": properties.get("MasterUserPassword"),
            "manage_master_user_password": flag(properties.get("ManageMasterUserPassword", False)),
            "master_user_secret_kms_key_id": secret.get("KmsKeyId"),
            "database_name": properties.get("DatabaseName"),
            "db_cluster_parameter_group_name": properties.get("DBClusterParameterGroupName"),
            "db_subnet_group_name": properties.get("DBSubnetGroupName"),
            "storage_encrypted": flag(properties.get("StorageEncrypted", False)),
            "kms_key_id": properties.get("KmsKeyId"),
            "port": int(properties["Port"]) if properties.get("Port") else None,
            "global_cluster_identifier": properties.get("GlobalClusterIdentifier"),
            "enable_iam_database_authentication": flag(properties.get("EnableIAMDatabaseAuthentication", False)),
            "tags": _tags(properties),
        }
    )
    for name, value in _modifiable(properties).items():
        setattr(cluster, name, value)
    return cluster


class DBClusterResource(Placeholder):
    """Ref: the cluster's identifier, lowercased; the cluster lives in moto's RDS backend."""

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):  # type: ignore[override]
        resource = super().create_from_cloudformation_json(  # globaldb.py's checks come first
            resource_name, cloudformation_json, account_id, region_name, **kwargs
        )
        cluster = _create_cluster(resource.physical_resource_id, resource.properties, account_id, region_name)
        CLUSTERS.of(_backend(account_id, region_name))[cluster.db_cluster_arn] = resource.properties  # its own ARN
        return resource

    def cluster(self):
        return _backend(self.account_id, self.region).clusters.get(self.physical_resource_id)

    @property
    def properties(self) -> dict:
        return self._properties

    @properties.setter
    def properties(self, value: dict) -> None:  # an update: ModifyDBCluster's settings and the tags
        self._properties = value
        cluster = self.cluster() if hasattr(self, "physical_resource_id") else None
        if cluster is None:
            return
        for name, setting in _modifiable(value).items():
            setattr(cluster, name, setting)
        if value.get("EngineVersion"):
            cluster.engine_version = value["EngineVersion"]
        if value.get("DBClusterParameterGroupName"):
            cluster.parameter_group = value["DBClusterParameterGroupName"]
        cluster.add_tags(_tags(value))

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        cluster = self.cluster()
        if cluster is not None and attribute_name == "DBClusterArn":
            return cluster.db_cluster_arn
        if (
            cluster is not None
            and attribute_name == "MasterUserSecret.SecretArn"
            and cluster.manage_master_user_password
        ):
            return cluster.master_user_secret.secret_arn
        return super().get_cfn_attribute(attribute_name)

    def delete(self, account_id: str, region_name: str) -> None:
        backend = _backend(account_id, region_name)
        cluster = backend.clusters.pop(self.physical_resource_id, None)
        if cluster is None:
            return
        if getattr(cluster, "manage_master_user_password", False):
            cluster.master_user_secret.delete_secret()
        _delete_automated_snapshots(backend, cluster.db_cluster_identifier)


def _delete_automated_snapshots(backend, identifier: str) -> None:
    """DeleteDBCluster's DeleteAutomatedBackups defaults to true: the cluster's automated snapshots go
    with it (moto kept them, so a cluster created again within the minute collided with its own
    `rds:<id>-<minute>` snapshot)."""
    for snapshot in backend.describe_db_cluster_snapshots(identifier, "", snapshot_type="automated"):
        backend.delete_db_cluster_snapshot(snapshot.db_cluster_snapshot_identifier)


def _put_parameter_group(name: str, properties: dict, account: str, region: str) -> None:
    backend = _backend(account, region)
    group = backend.db_cluster_parameter_groups.get(name)
    if group is None:
        group = backend.create_db_cluster_parameter_group(
            name, properties.get("Family"), properties.get("Description"), _tags(properties)
        )
    else:
        group.add_tags(_tags(properties))
    parameters = [
        {"ParameterName": key, "ParameterValue": str(value), "ApplyMethod": "pending-reboot"}
        for key, value in (properties.get("Parameters") or {}).items()
    ]
    backend.modify_db_cluster_parameter_group(name, parameters)


class ClusterParameterGroupResource(PutBacked):
    """Ref: the group's name, lowercased; the group lives in moto's RDS backend."""

    kind = CLUSTER_PARAMETER_GROUP
    put = staticmethod(_put_parameter_group)

    def __init__(self, resource_type, logical_id, generated_name, properties, account, region):
        super().__init__(resource_type, logical_id, generated_name, properties, account, region)
        self.physical_resource_id = str(properties.get("DBClusterParameterGroupName") or generated_name).lower()

    def delete(self, account_id: str, region_name: str) -> None:
        _backend(account_id, region_name).db_cluster_parameter_groups.pop(self.physical_resource_id, None)


@patch(
    "ModifyDBCluster's EnableIAMDatabaseAuthentication changes what DescribeDBClusters answers, as on AWS "
    "(moto stored it beside the setting it describes)"
)
def _cluster_iam_authentication_is_one_setting() -> None:
    def get(self) -> bool:
        return flag(self.iam_auth)

    def set_(self, value: Any) -> None:
        self.iam_auth = flag(value)

    replace(rds_models.DBCluster, "enable_iam_database_authentication", property(get, set_))


add_model(DB_CLUSTER, DBClusterResource)
add_model(CLUSTER_PARAMETER_GROUP, ClusterParameterGroupResource)


__doc__ = document(__doc__, __name__)
