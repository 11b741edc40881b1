"""AWS::DynamoDB::GlobalTable on localcloud: moto has no model for it, so here each
replica is a real moto table in its own region (DynamoDB's API answers there: items
written in one region are not replicated, which no test relies on), made as strictly as
DynamoDB does:

- every replica's KMS key must exist in the replica's region, before the table (KMS's
  NotFoundException wording); a replica table that exists already fails with DynamoDB's
  "Table already exists"; a failure removes the replicas made so far;
- point-in-time recovery, deletion protection, SSE with the replica's key, streams and
  tags per replica; an update adds and removes replicas and follows deletion protection
  and point-in-time recovery; deletion deletes every replica (deletion protection refuses);
- DynamoDB's API sees each replica as one of a global table: DescribeTable lists the other
  Regions' replicas (``Replicas``), and UpdateTable ``ReplicaUpdates`` Delete deletes a replica
  and its items in its Region (ReplicationGroupUpdate, DynamoDB API Reference:
  https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ReplicationGroupUpdate.html),
  refused while that replica has deletion protection on; Create through the API is not modelled
  (refused, said so). This is how ``destroy --remove-retained`` removes a kept global table.
"""

from __future__ import annotations

from typing import Any

from moto.core.exceptions import JsonRESTError
from moto.dynamodb.models import dynamodb_backends
from moto.kms.models import kms_backends

from ..cloudformation.patches import Placeholder, add_model
from ..core.registry import document, patch, replace
from ..core.values import flag

GLOBAL_TABLE = "AWS::DynamoDB::GlobalTable"
GROUP = "localcloud.global_table_regions"  # on each replica's moto table: the set of its global table's Regions


def _join(account: str, regions, name: str, group: set[str]) -> None:
    for region in regions:
        table = dynamodb_backends[account][region].tables.get(name)
        if table is not None:
            vars(table)[GROUP] = group


def group_of(table) -> set[str] | None:
    return vars(table).get(GROUP)


class KeyNotFound(JsonRESTError):
    def __init__(self, message: str):
        super().__init__("NotFoundException", message)


def _key_arn(account: str, region: str, key: str) -> str:
    kms = kms_backends[account][region]
    name = kms.get_alias_name(key)
    if name.startswith("alias/"):
        if not kms.alias_exists(name):
            raise KeyNotFound(f"Alias arn:aws:kms:{region}:{account}:{name} is not found.")
        return kms.describe_key(name).arn
    try:
        return kms.describe_key(key).arn
    except KeyError as error:
        raise KeyNotFound(f"Key '{key}' does not exist") from error


def _replicas(properties: dict) -> dict[str, dict]:
    return {replica["Region"]: replica for replica in properties.get("Replicas", [])}


def _create_replica(properties: dict, replica: dict, account: str) -> None:
    region = replica["Region"]
    sse = None
    if flag((properties.get("SSESpecification") or {}).get("SSEEnabled", False)):
        key = (replica.get("SSESpecification") or {}).get("KMSMasterKeyId")
        sse = {"Enabled": True, "SSEType": "KMS", **({"KMSMasterKeyId": _key_arn(account, region, key)} if key else {})}
    table = dynamodb_backends[account][region].create_table(
        name=properties["TableName"],
        schema=properties["KeySchema"],
        throughput=None,
        attr=properties["AttributeDefinitions"],
        global_indexes=properties.get("GlobalSecondaryIndexes", []),
        indexes=properties.get("LocalSecondaryIndexes", []),
        streams=properties.get("StreamSpecification"),
        billing_mode=properties.get("BillingMode", "PAY_PER_REQUEST"),
        sse_specification=sse,
        tags=replica.get("Tags", []),
        deletion_protection_enabled=flag(replica.get("DeletionProtectionEnabled", False)),
        warm_throughput=None,
    )
    _settle(table, replica)


def _settle(table, replica: dict) -> None:
    """What an update may change on an existing replica: deletion protection and PITR."""
    table.deletion_protection_enabled = flag(replica.get("DeletionProtectionEnabled", False))
    pitr = flag((replica.get("PointInTimeRecoverySpecification") or {}).get("PointInTimeRecoveryEnabled", False))
    table.continuous_backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] = (
        "ENABLED" if pitr else "DISABLED"
    )


def _delete_replica(account: str, region: str, name: str) -> None:
    backend = dynamodb_backends[account][region]
    if name in backend.tables:
        backend.delete_table(name)


class GlobalTablePlaceholder(Placeholder):
    """Ref: the table name; GetAtt Arn / StreamArn: the replica of the stack's own region."""

    @classmethod
    def create_from_cloudformation_json(
        cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
    ) -> Any:  # type: ignore[override]
        properties = cloudformation_json.get("Properties", {})
        made: list[str] = []
        try:
            for region, replica in _replicas(properties).items():
                _create_replica(properties, replica, account_id)
                made.append(region)
        except Exception:
            for region in made:
                dynamodb_backends[account_id][region].tables.pop(properties["TableName"], None)
            raise
        _join(account_id, made, properties["TableName"], set(made))
        return cls(
            GLOBAL_TABLE, kwargs.get("LogicalId", resource_name), resource_name, properties, account_id, region_name
        )

    @property
    def properties(self) -> dict:
        return self._properties

    @properties.setter
    def properties(self, value: dict) -> None:
        old = getattr(self, "_properties", None)
        self._properties = value
        if old is None:
            return
        before, after = _replicas(old), _replicas(value)
        for region in after.keys() - before.keys():
            _create_replica(value, after[region], self.account_id)
        for region in before.keys() & after.keys():
            _settle(dynamodb_backends[self.account_id][region].tables[value["TableName"]], after[region])
        for region in before.keys() - after.keys():
            _delete_replica(self.account_id, region, old["TableName"])
        _join(self.account_id, after, value["TableName"], set(after))

    def get_cfn_attribute(self, attribute_name: str):
        table = dynamodb_backends[self.account_id][self.region].tables.get(self._properties["TableName"])
        if table is not None and attribute_name in ("Arn", "StreamArn"):
            return table.get_cfn_attribute(attribute_name)
        return super().get_cfn_attribute(attribute_name)

    def delete(self, account_id: str, region_name: str) -> None:
        for region in _replicas(self._properties):
            _delete_replica(account_id, region, self._properties["TableName"])


add_model(GLOBAL_TABLE, GlobalTablePlaceholder)


class ReplicaRefused(JsonRESTError):
    def __init__(self, message: str):
        super().__init__("ValidationException", message)


def _delete_replica_by_api(account: str, name: str, group: set[str], region: str) -> None:
    table = dynamodb_backends[account][region].tables.get(name) if region in group else None
    if table is None:
        raise ReplicaRefused(f"Update global table operation failed: replica {region} of table {name} does not exist")
    if flag(getattr(table, "deletion_protection_enabled", False)):
        raise ReplicaRefused(
            f"Replica {region} of table {name} cannot be deleted while deletion protection is enabled on it"
        )
    _delete_replica(account, region, name)
    group.discard(region)


def replica_updates(handler) -> None:
    """UpdateTable's ReplicaUpdates on a replica of a global table."""
    name = handler.body["TableName"]
    group = group_of(handler.dynamodb_backend.get_table(name))
    for update in handler.body["ReplicaUpdates"]:
        if "Delete" not in update or group is None:
            raise ReplicaRefused("localcloud: ReplicaUpdates other than Delete on a global table are not modelled")
        _delete_replica_by_api(handler.current_account, name, group, update["Delete"]["RegionName"])


@patch(
    "DescribeTable lists a global table's other replicas; UpdateTable ReplicaUpdates Delete deletes one (not "
    "while its deletion protection is on)"
)
def _replicas_through_the_api() -> None:
    from moto.dynamodb.responses import DynamoHandler, DynamoResult

    original_describe, original_update = DynamoHandler.describe_table, DynamoHandler.update_table

    def describe_table(self):
        result = original_describe(self)
        group = group_of(self.dynamodb_backend.get_table(self.body["TableName"]))
        if group:
            others = sorted(group - {self.region})
            result.result["Table"]["Replicas"] = [{"RegionName": r, "ReplicaStatus": "ACTIVE"} for r in others]
        return result

    def update_table(self):
        if "ReplicaUpdates" not in self.body:
            return original_update(self)
        replica_updates(self)
        return DynamoResult(self.dynamodb_backend.get_table(self.body["TableName"]).describe())

    replace(DynamoHandler, "describe_table", describe_table)
    replace(DynamoHandler, "update_table", update_table)


__doc__ = document(__doc__, __name__)
