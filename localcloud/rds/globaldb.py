"""Aurora Global Database on localcloud (moto models neither AWS::RDS::GlobalCluster nor
Aurora clusters from templates: both are placeholders, made as strict as RDS here):

- an AWS::RDS::GlobalCluster is made from a source cluster (SourceDBClusterIdentifier, an
  ARN of a cluster that exists in the same region) or from an Engine, never both
  (InvalidParameterCombination, RDS's wording); never from a cluster whose master password
  RDS manages in Secrets Manager (awsfacts.incompatibilities.GLOBAL_DATABASE_MANAGED_PASSWORD,
  its refusal); its identifier is unique in the account
  (GlobalClusterAlreadyExistsFault); it is registered in moto's RDS backend, so
  DescribeGlobalClusters answers; deletion protection refuses its deletion;
- an AWS::RDS::DBCluster with GlobalClusterIdentifier (a secondary) fails unless that global
  cluster exists, in any region, with CreateDBCluster's GlobalClusterNotFoundFault; an
  encrypted secondary needs a KmsKeyId of its own region (RDS's message for a cross-region
  replica), and takes no master user (the primary's users replicate).
"""

from __future__ import annotations

from moto.rds import models as rds_models
from moto.rds.exceptions import InvalidParameterCombination, InvalidParameterValue, RDSClientError

from cfnops.awsfacts.incompatibilities import GLOBAL_DATABASE_MANAGED_PASSWORD

from ..cloudformation.patches import Placeholder, add_model
from ..core.registry import document, patch, replace, unwrapped
from ..core.state import State
from ..core.values import flag

GLOBAL_CLUSTER = "AWS::RDS::GlobalCluster"
DB_CLUSTER = "AWS::RDS::DBCluster"
# the DB clusters localcloud made (placeholders), on moto's RDS backend of their account and Region:
# cluster ARN -> properties, for a global cluster made from one (SourceDBClusterIdentifier)
CLUSTERS: State[dict[str, dict]] = State("db_clusters", dict)


class GlobalClusterNotFound(RDSClientError):
    def __init__(self, identifier: str):
        super().__init__(
            "GlobalClusterNotFoundFault",
            f"The GlobalClusterIdentifier {identifier} doesn't refer to an existing global database cluster.",
        )
        self.code = 404  # type: ignore[assignment]  # moto's RDS errors carry the HTTP status in `code`


class GlobalClusterAlreadyExists(RDSClientError):
    def __init__(self, identifier: str):
        super().__init__("GlobalClusterAlreadyExistsFault", f"Global cluster {identifier} already exists")


class DBClusterNotFound(RDSClientError):
    def __init__(self, identifier: str):
        super().__init__("DBClusterNotFoundFault", f"DBCluster {identifier} not found.")


def find_global_cluster(account: str, identifier: str):
    """The global cluster of that identifier in any region (they belong to no region)."""
    for backend in list(dict.values(rds_models.rds_backends[account])):  # the regions in use only
        if identifier.lower() in backend.global_clusters:
            return backend.global_clusters[identifier.lower()]
    return None


class GlobalClusterPlaceholder(Placeholder):
    """An AWS::RDS::GlobalCluster, registered with moto's RDS backend."""

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):  # type: ignore[override]
        properties = cloudformation_json.get("Properties", {})
        identifier = str(properties.get("GlobalClusterIdentifier") or resource_name).lower()
        source = properties.get("SourceDBClusterIdentifier")
        if source and any(
            name in properties for name in ("Engine", "EngineVersion", "StorageEncrypted", "DatabaseName")
        ):
            raise InvalidParameterCombination(
                "When creating global cluster from existing db cluster, value for engineName "
                "should not be specified since it will be inherited from source cluster"
            )
        if not source and not properties.get("Engine"):
            raise InvalidParameterValue(
                "When creating standalone global cluster, value for engineName should be specified"
            )
        if find_global_cluster(account_id, identifier) is not None:
            raise GlobalClusterAlreadyExists(identifier)
        engine, version, encrypted = (
            properties.get("Engine"),
            properties.get("EngineVersion"),
            flag(properties.get("StorageEncrypted", False)),
        )
        if source:
            cluster = CLUSTERS.of(rds_models.rds_backends[account_id][region_name]).get(source)
            if cluster is None:
                raise DBClusterNotFound(source)
            _check_source(cluster)
            engine, version, encrypted = (
                cluster.get("Engine"),
                cluster.get("EngineVersion"),
                flag(cluster.get("StorageEncrypted", False)),
            )
        backend = rds_models.rds_backends[account_id][region_name]
        backend.global_clusters[identifier] = rds_models.GlobalCluster(
            backend=backend,
            global_cluster_identifier=identifier,
            engine=engine,
            engine_version=version,
            storage_encrypted=encrypted,
            deletion_protection=flag(properties.get("DeletionProtection", False)),
        )
        resource = cls(
            GLOBAL_CLUSTER, kwargs.get("LogicalId", resource_name), resource_name, properties, account_id, region_name
        )
        resource.physical_resource_id = identifier
        return resource

    @property
    def properties(self) -> dict:
        return self._properties

    @properties.setter
    def properties(self, value: dict) -> None:  # an update: deletion protection follows the template
        self._properties = value
        existing = (
            find_global_cluster(self.account_id, self.physical_resource_id)
            if hasattr(self, "physical_resource_id")
            else None
        )
        if existing is not None:
            existing.deletion_protection = flag(value.get("DeletionProtection", False))

    def delete(self, account_id: str, region_name: str) -> None:
        existing = find_global_cluster(account_id, self.physical_resource_id)
        if existing is None:
            return
        if existing.deletion_protection:
            raise InvalidParameterCombination(
                "Cannot delete protected Global Cluster, please disable deletion protection and try again."
            )
        for backend in list(dict.values(rds_models.rds_backends[account_id])):
            backend.global_clusters.pop(self.physical_resource_id, None)


def _check_source(cluster: dict) -> None:
    """A cluster a global database is made from keeps its own master password."""
    refusal = GLOBAL_DATABASE_MANAGED_PASSWORD.refusal
    if refusal is not None and flag(cluster.get("ManageMasterUserPassword", False)):
        raise RDSClientError(*refusal)


def _check_cluster(properties: dict, account: str, region: str) -> None:
    identifier = properties.get("GlobalClusterIdentifier")
    if not identifier:
        return
    if find_global_cluster(account, identifier) is None:
        raise GlobalClusterNotFound(identifier)
    if flag(properties.get("StorageEncrypted", False)) and not properties.get("KmsKeyId"):
        raise InvalidParameterCombination("For encrypted cross-region replica, kmsKeyId should be explicitly specified")
    if properties.get("MasterUsername") or flag(properties.get("ManageMasterUserPassword", False)):
        raise InvalidParameterCombination(
            "The requested DB cluster is a secondary cluster of a global database: "
            "MasterUsername and ManageMasterUserPassword cannot be specified"
        )


@patch(
    "an AWS::RDS::DBCluster placeholder is checked as RDS checks a global database's secondary, and known "
    "(by ARN) to the global cluster made from it"
)
def _clusters_are_checked_and_known() -> None:
    original = unwrapped(Placeholder, "create_from_cloudformation_json")

    def create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        properties = cloudformation_json.get("Properties", {})
        if kwargs.get("ResourceType") == DB_CLUSTER:
            _check_cluster(properties, account_id, region_name)
        resource = original(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
        if kwargs.get("ResourceType") == DB_CLUSTER:
            backend = rds_models.rds_backends[account_id][region_name]
            CLUSTERS.of(backend)[resource.get_cfn_attribute("DBClusterArn")] = properties
        return resource

    replace(Placeholder, "create_from_cloudformation_json", classmethod(create))


add_model(GLOBAL_CLUSTER, GlobalClusterPlaceholder)


__doc__ = document(__doc__, __name__)
