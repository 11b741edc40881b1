"""Template ``data-pipeline`` (seed "FastShop Secure Data Pipeline").

A Kinesis stream encrypted with a rotating CMK, RDS PostgreSQL in the data subnets
(Multi-AZ, encrypted, never public, master password generated and rotated by RDS),
and an ElastiCache Redis replication group (two nodes, automatic failover, Multi-AZ, TLS,
encrypted at rest, AUTH token from Secrets Manager). Their security groups admit only the
VPC.
"""

from __future__ import annotations

from dataclasses import dataclass

from troposphere import GetAtt, Parameter, Ref, Template, ec2

from . import policies
from .components import cache, database, encryption, network, secrets, streams
from .components.network import import_network
from .conventions import add_exported_outputs, flag_parameter, new_template, used_outside
from .network import LOG_RETENTION_DAYS

NAME = "data-pipeline"
POSTGRES_VERSION = "15.17"
POSTGRES_PORT = 5432

PARAMETERS = [
    Parameter("ShardCount", Type="Number", MinValue=1, MaxValue=64, Description="Kinesis shards"),
    Parameter(
        "StreamRetentionHours",
        Type="Number",
        MinValue=24,
        MaxValue=8760,
        Default=24,
        Description="Kinesis retention, hours",
    ),
    Parameter(
        "RdsInstanceClass",
        Type="String",
        AllowedValues=["db.t4g.medium", "db.r6g.large", "db.r6g.xlarge"],
        Description="RDS PostgreSQL instance class",
    ),
    Parameter("RdsStorageGb", Type="Number", MinValue=20, MaxValue=16384, Description="RDS storage, GiB"),
    flag_parameter("DbDeletionProtection", "true", "RDS deletion protection"),
    Parameter(
        "LogRetentionDays",
        Type="Number",
        AllowedValues=LOG_RETENTION_DAYS,
        Description="Retention of the database logs (pgAudit, connections, upgrades), days",
    ),
    Parameter(
        "CacheNodeType",
        Type="String",
        AllowedValues=["cache.t4g.small", "cache.t4g.medium", "cache.r6g.large"],
        Description="Redis node type",
    ),
]


@dataclass(frozen=True)
class SecurityGroups:
    database: ec2.SecurityGroup
    cache: ec2.SecurityGroup


def add_security_groups(template: Template, vpc_id, vpc_cidr) -> SecurityGroups:
    """Admit the VPC only: PostgreSQL to the database group, Redis to the cache group."""
    return SecurityGroups(
        database=network.add_security_group(
            template,
            "PipelineDatabaseSecurityGroup",
            vpc_id,
            "pipeline-db",
            "Pipeline PostgreSQL: VPC only",
            ingress=[network.tcp_rule(POSTGRES_PORT, "PostgreSQL from the VPC", cidr=vpc_cidr)],
        ),
        cache=network.add_security_group(
            template,
            "PipelineCacheSecurityGroup",
            vpc_id,
            "pipeline-cache",
            "Pipeline Redis: VPC only",
            ingress=[network.tcp_rule(cache.REDIS_PORT, "Redis (TLS) from the VPC", cidr=vpc_cidr)],
        ),
    )


def build() -> Template:
    template = new_template(
        "FastShop Secure Data Pipeline: Kinesis, RDS PostgreSQL and Redis, encrypted, VPC only", PARAMETERS
    )
    imported = import_network()
    key = encryption.add_kms_key(template, "DataKey", "pipeline data", [policies.logs_key_user()])
    stream = used_outside(
        streams.add_stream(template, "EventStream", "events", key, Ref("StreamRetentionHours"), Ref("ShardCount")),
        "FastShop's transaction services put the events and its processors read them, with their own roles "
        "(outputs StreamName, StreamArn, DataKeyArn); no role of this platform does",
    )
    groups = add_security_groups(template, imported.vpc_id, imported.vpc_cidr)

    subnet_group = database.add_subnet_group(template, imported.data_subnet_ids, NAME)
    instance = database.add_postgres_instance(
        template,
        suffix=NAME,
        key=key,
        master_username="pipeline_admin",
        subnet_group=subnet_group,
        security_group=groups.database,
        instance_class=Ref("RdsInstanceClass"),
        storage_gb=Ref("RdsStorageGb"),
        deletion_protection=Ref("DbDeletionProtection"),
        engine_version=POSTGRES_VERSION,
        database_name="pipeline",
        monitoring_role=database.add_monitoring_role(template, NAME),
        log_retention_days=Ref("LogRetentionDays"),
    )

    token = secrets.add_generated_token(template, "CacheAuthToken", "pipeline-redis-auth", key)
    redis = cache.add_redis(
        template,
        suffix="pipeline",
        key=key,
        auth_secret=token,
        subnet_ids=imported.data_subnet_ids,
        security_group=groups.cache,
        node_type=Ref("CacheNodeType"),
    )

    outputs = {
        "StreamName": (Ref(stream), "Kinesis stream of pipeline events"),
        "StreamArn": (GetAtt(stream, "Arn"), "Kinesis stream ARN"),
        "RdsArn": (GetAtt(instance, "DBInstanceArn"), "RDS PostgreSQL instance ARN"),
        "DatabaseEndpoint": (GetAtt(instance, "Endpoint.Address"), "RDS PostgreSQL endpoint"),
        "DatabasePort": (GetAtt(instance, "Endpoint.Port"), "RDS PostgreSQL port"),
        "DatabaseSecretArn": (database.master_secret_arn(instance), "Master credentials, generated and rotated by RDS"),
        "CacheEndpoint": (GetAtt(redis, "PrimaryEndPoint.Address"), "Redis primary endpoint (TLS)"),
        "RedisPort": (GetAtt(redis, "PrimaryEndPoint.Port"), "Redis port (TLS)"),
        "CacheAuthTokenSecretArn": (Ref(token), "Redis AUTH token"),
        "DataKeyArn": (GetAtt(key, "Arn"), "CMK of the pipeline data"),
    }
    add_exported_outputs(template, NAME, outputs)
    return template
