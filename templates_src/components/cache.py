"""ElastiCache Redis: replication group with automatic failover across zones, encrypted in
transit and at rest with the CMK, AUTH token from Secrets Manager."""

from __future__ import annotations

from troposphere import Ref, Sub, Template, elasticache

from ..conventions import physical_name, snapshot, standard_tags
from .secrets import secret_field

REDIS_VERSION = "7.1"
REDIS_PORT = 6379


def add_redis(
    template: Template, *, suffix: str, key, auth_secret, subnet_ids, security_group, node_type
) -> elasticache.ReplicationGroup:
    subnet_group = template.add_resource(
        elasticache.SubnetGroup(
            "CacheSubnetGroup",
            Description=Sub(f"${{Environment}} {suffix} cache subnets"),
            SubnetIds=subnet_ids,
            Tags=standard_tags(),
        )
    )
    return template.add_resource(
        snapshot(
            elasticache.ReplicationGroup(
                "CacheReplicationGroup",
                ReplicationGroupId=physical_name("redis", suffix),
                ReplicationGroupDescription=Sub(f"${{Environment}} {suffix} cache"),
                Engine="redis",
                EngineVersion=REDIS_VERSION,
                CacheNodeType=node_type,
                NumCacheClusters=2,
                AutomaticFailoverEnabled=True,
                MultiAZEnabled=True,
                TransitEncryptionEnabled=True,
                AtRestEncryptionEnabled=True,
                KmsKeyId=Ref(key),
                AuthToken=secret_field(auth_secret, "token"),
                CacheSubnetGroupName=Ref(subnet_group),
                SecurityGroupIds=[Ref(security_group)],
                Port=REDIS_PORT,
                SnapshotRetentionLimit=7,
                AutoMinorVersionUpgrade=True,
                Tags=standard_tags(),
            )
        )
    )
