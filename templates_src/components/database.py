"""Aurora clusters (PostgreSQL, MySQL, provisioned or Serverless v2) and RDS instances:
encrypted with the CMK, IAM auth, backups, deletion protection, snapshots, and a master
password that RDS generates, keeps in Secrets Manager and rotates itself every rotation.ROTATION_DAYS."""

from __future__ import annotations

from dataclasses import dataclass, field

import awacs.logs
from troposphere import Condition, Equals, GetAtt, If, Not, Or, Ref, Sub, Template, iam, rds

from .. import policies
from ..conventions import name_pattern, physical_name, snapshot, standard_tags
from . import observability, rotation
from .identity import add_role

MAX_INSTANCES = 3
BACKUP_RETENTION_DAYS = 14
MONITORING_INTERVAL_SECONDS = 60
ENHANCED_MONITORING_LOG_GROUP = "RDSOSMetrics"  # where RDS writes enhanced-monitoring metrics


def managed_master_user(username: str, key) -> dict:
    """The master user, whose password RDS generates and keeps in a Secrets Manager secret
    encrypted with ``key`` (``rds!cluster-…`` / ``rds!db-…``), and rotates itself (managed
    rotation; its schedule: rotation.rotate_managed_secret): no password in the template
    (MasterUserPassword must then be absent), no rotation function. On the cluster for
    Aurora, on the instance for RDS."""
    return dict(
        MasterUsername=username,
        ManageMasterUserPassword=True,
        MasterUserSecret=rds.MasterUserSecret(KmsKeyId=Ref(key)),
    )


def master_secret_arn(database) -> GetAtt:
    """The ARN of the secret RDS manages for ``database``'s master user."""
    return GetAtt(database, "MasterUserSecret.SecretArn")


@dataclass(frozen=True)
class GlobalRole:
    """An Aurora Global Database: the cluster of the region where ``secondary`` (a
    Condition name) is false is the primary (``create``: the global cluster is made from
    it there); where it is true, the cluster is a secondary of ``identifier``: no master
    user, no database name, no secret (those come from the primary through replication)."""

    create: str
    secondary: str
    identifier: object


def _secondary_aware(role: GlobalRole | None, settings: dict) -> dict:
    """Each setting left out where the cluster is a secondary (RDS refuses a master user there)."""
    if role is None:
        return settings
    return {name: If(role.secondary, Ref("AWS::NoValue"), value) for name, value in settings.items()}


def _own_where(condition: str, managed: dict, secret) -> dict:
    """``managed`` where ``condition`` is false; where it is true, the master password from
    ``secret`` (ManageMasterUserPassword false turns RDS's management off on an existing cluster)."""
    password = Sub(f"{{{{resolve:secretsmanager:${{{secret.title}}}:SecretString:password}}}}")
    return {
        "MasterUsername": managed["MasterUsername"],
        "ManageMasterUserPassword": If(condition, False, True),
        "MasterUserSecret": If(condition, Ref("AWS::NoValue"), managed["MasterUserSecret"]),
        "MasterUserPassword": If(condition, password, Ref("AWS::NoValue")),
    }


def add_global_cluster(template: Template, suffix: str, cluster: rds.DBCluster, role: GlobalRole, deletion_protection):
    """The global cluster, made from the existing (or just created) primary cluster with
    SourceDBClusterIdentifier: the primary cluster's own properties do not change, so it is
    neither replaced nor interrupted (Engine and version come from it: RDS refuses them here)."""
    return template.add_resource(
        rds.GlobalCluster(
            "DatabaseGlobalCluster",
            Condition=role.create,
            GlobalClusterIdentifier=role.identifier,
            SourceDBClusterIdentifier=GetAtt(cluster, "DBClusterArn"),
            DeletionProtection=deletion_protection,
            Tags=standard_tags(),
        )
    )


def add_subnet_group(template: Template, subnet_ids, suffix: str) -> rds.DBSubnetGroup:
    return template.add_resource(
        rds.DBSubnetGroup(
            "DatabaseSubnetGroup",
            DBSubnetGroupDescription=Sub(f"${{Environment}} {suffix} data subnets"),
            SubnetIds=subnet_ids,
            Tags=standard_tags(),
        )
    )


@dataclass(frozen=True)
class AuroraEngine:
    """What differs between Aurora engines: name, version, logs, cluster settings."""

    engine: str
    version: str
    log_exports: tuple[str, ...]
    parameter_family: str | None = None
    cluster_parameters: dict[str, str] = field(default_factory=dict)
    parameters_summary: str = ""


def major_version(version: str) -> str:
    return version.split(".")[0]


def aurora_postgres(version: str) -> AuroraEngine:
    """Aurora PostgreSQL with TLS required: ``rds.force_ssl`` is a cluster parameter whose
    default is 0 (plain connections accepted)."""
    return AuroraEngine(
        "aurora-postgresql",
        version,
        ("postgresql",),
        f"aurora-postgresql{major_version(version)}",
        {"rds.force_ssl": "1"},
        "TLS required",
    )


def aurora_mysql(version: str) -> AuroraEngine:
    """Aurora MySQL 3 (MySQL 8.0) with TLS required and every log CloudWatch can take:
    the audit log (connections, DDL, DCL), errors, the general log and slow queries."""
    return AuroraEngine(
        "aurora-mysql",
        version,
        ("audit", "error", "general", "slowquery"),
        "aurora-mysql8.0",
        {
            "require_secure_transport": "ON",
            "server_audit_logging": "1",
            "server_audit_events": "CONNECT,QUERY_DCL,QUERY_DDL",
            "server_audit_logs_upload": "1",
            "general_log": "1",
            "slow_query_log": "1",
            "long_query_time": "2",
            "log_output": "FILE",
        },
        "TLS required, audit, general and slow query logs",
    )


def _exported_log_groups(template: Template, engine: AuroraEngine, suffix: str, retention_days, key) -> list:
    """RDS exports a cluster's ``log`` to /aws/rds/cluster/<identifier>/<log>."""
    return [
        observability.add_named_log_group(
            template,
            f"DatabaseLog{log.capitalize()}",
            Sub(f"/aws/rds/cluster/{name_pattern('aurora', suffix)}/{log}"),
            retention_days,
            key,
        )
        for log in engine.log_exports
    ]


def _cluster_parameter_group(template: Template, engine: AuroraEngine, suffix: str) -> rds.DBClusterParameterGroup:
    return template.add_resource(
        rds.DBClusterParameterGroup(
            "DatabaseClusterParameterGroup",
            Description=Sub(f"${{Environment}} {suffix} {engine.engine}: {engine.parameters_summary}"),
            Family=engine.parameter_family,
            Parameters=dict(sorted(engine.cluster_parameters.items())),
            Tags=standard_tags(),
        )
    )


def add_aurora_cluster(
    template: Template,
    *,
    engine: AuroraEngine,
    suffix: str,
    key,
    master_username: str,
    subnet_group,
    security_group,
    deletion_protection,
    database_name: str,
    backup_retention_days: int = BACKUP_RETENTION_DAYS,
    serverless_capacity: tuple[float, float] | None = None,
    log_retention_days=None,
    global_role: GlobalRole | None = None,
    own_master_secret=None,
) -> rds.DBCluster:
    """An Aurora cluster encrypted with the CMK, IAM authentication on, snapshotted on
    deletion; Serverless v2 when ``serverless_capacity`` (min, max ACU) is given.
    With ``log_retention_days``, the groups its logs are exported to are created first,
    encrypted and with that retention (RDS would create them never expiring, unencrypted).
    With ``global_role``, a secondary region's cluster joins the global cluster instead
    (encrypted with this region's ``key``: RDS needs a key of the secondary's region), and
    the primary reads its master password from ``own_master_secret`` (RDS manages no
    password of a global database's cluster: awsfacts.incompatibilities)."""
    settings = {}
    master = managed_master_user(master_username, key)
    if global_role is not None and own_master_secret is not None:
        master = _own_where(global_role.create, master, own_master_secret)
    if global_role is not None:
        settings["GlobalClusterIdentifier"] = If(global_role.secondary, global_role.identifier, Ref("AWS::NoValue"))
    if log_retention_days is not None:
        settings["DependsOn"] = [
            group.title for group in _exported_log_groups(template, engine, suffix, log_retention_days, key)
        ]
    if engine.cluster_parameters:
        settings["DBClusterParameterGroupName"] = Ref(_cluster_parameter_group(template, engine, suffix))
    if serverless_capacity:
        minimum, maximum = serverless_capacity
        settings["ServerlessV2ScalingConfiguration"] = rds.ServerlessV2ScalingConfiguration(
            MinCapacity=minimum, MaxCapacity=maximum
        )
    cluster = rds.DBCluster(
        "DatabaseCluster",
        DBClusterIdentifier=physical_name("aurora", suffix),
        Engine=engine.engine,
        EngineVersion=engine.version,
        **_secondary_aware(global_role, {**master, "DatabaseName": database_name}),
        StorageEncrypted=True,
        KmsKeyId=Ref(key),
        EnableIAMDatabaseAuthentication=True,
        DeletionProtection=deletion_protection,
        BackupRetentionPeriod=backup_retention_days,
        PreferredBackupWindow="03:00-04:00",
        PreferredMaintenanceWindow="sun:05:00-sun:06:00",
        CopyTagsToSnapshot=True,
        EnableCloudwatchLogsExports=list(engine.log_exports),
        DBSubnetGroupName=Ref(subnet_group),
        VpcSecurityGroupIds=[security_group],
        Tags=standard_tags(),
        **settings,
    )
    template.add_resource(snapshot(cluster))
    rotation.rotate_managed_secret(
        template, "DatabaseSecretRotation", master_secret_arn(cluster), _managed_condition(template, global_role)
    )
    return cluster


def _managed_condition(template: Template, role: GlobalRole | None) -> str | None:
    """Where RDS manages the master password: everywhere outside a global database."""
    if role is None:
        return None
    template.add_condition("ManagedMasterPassword", Not(Or(Condition(role.create), Condition(role.secondary))))
    return "ManagedMasterPassword"


def add_monitoring_role(template: Template, suffix: str) -> iam.Role:
    """Lets RDS publish enhanced-monitoring (OS) metrics, to the RDSOSMetrics log group of
    this account and region. What the AWS managed policy AmazonRDSEnhancedMonitoringRole
    grants (on log groups RDS*), spelled out and narrowed to the one group RDS writes to,
    so that our permissions boundary, derived from our own policies, covers it."""
    group = "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:" + ENHANCED_MONITORING_LOG_GROUP
    return add_role(
        template,
        "DatabaseMonitoringRole",
        f"{suffix}-rds-monitoring",
        policies.service_trust_for_account("monitoring.rds.amazonaws.com"),
        "RDS enhanced monitoring: OS metrics to the RDSOSMetrics log group",
        [
            policies.allow(policies.actions(awacs.logs.CreateLogGroup, awacs.logs.PutRetentionPolicy), [Sub(group)]),
            policies.allow(
                policies.actions(
                    awacs.logs.CreateLogStream,
                    awacs.logs.PutLogEvents,
                    awacs.logs.DescribeLogStreams,
                    awacs.logs.GetLogEvents,
                ),
                [Sub(group + ":log-stream:*")],
            ),
        ],
    )


def _observed(key, monitoring_role) -> dict:
    """Every DB instance: Performance Insights encrypted with the CMK, enhanced monitoring."""
    return dict(
        EnablePerformanceInsights=True,
        PerformanceInsightsKMSKeyId=Ref(key),
        PerformanceInsightsRetentionPeriod=7,
        MonitoringInterval=MONITORING_INTERVAL_SECONDS,
        MonitoringRoleArn=GetAtt(monitoring_role, "Arn"),
    )


POSTGRES_LOG_EXPORTS = ("postgresql", "upgrade")


def postgres_audit_parameters() -> dict[str, str]:
    """TLS required; pgAudit (loaded beside RDS's default pg_stat_statements) logs every
    read and write statement (session auditing), and the role ``rds_pgaudit`` is the
    auditor for object auditing; connections and disconnections are logged. Creating the
    extension (CREATE EXTENSION pgaudit) is a SQL step: docs/platform.md, data-pipeline."""
    return {
        "rds.force_ssl": "1",
        "shared_preload_libraries": "pg_stat_statements,pgaudit",
        "pgaudit.log": "read,write",
        "pgaudit.role": "rds_pgaudit",
        "log_connections": "1",
        "log_disconnections": "1",
    }


def _instance_parameter_group(template: Template, engine_version: str, suffix: str) -> rds.DBParameterGroup:
    return template.add_resource(
        rds.DBParameterGroup(
            "DatabaseParameterGroup",
            Description=Sub(
                f"${{Environment}} {suffix} postgres: TLS required, pgAudit reads and writes, connection logging"
            ),
            Family=f"postgres{major_version(engine_version)}",
            Parameters=postgres_audit_parameters(),
            Tags=standard_tags(),
        )
    )


def _instance_log_groups(template: Template, suffix: str, retention_days, key) -> list:
    """RDS exports an instance's ``log`` to /aws/rds/instance/<identifier>/<log>."""
    return [
        observability.add_named_log_group(
            template,
            f"DatabaseLog{log.capitalize()}",
            Sub(f"/aws/rds/instance/{name_pattern('rds', suffix)}/{log}"),
            retention_days,
            key,
        )
        for log in POSTGRES_LOG_EXPORTS
    ]


def add_postgres_instance(
    template: Template,
    *,
    suffix: str,
    key,
    master_username: str,
    subnet_group,
    security_group,
    instance_class,
    storage_gb,
    deletion_protection,
    engine_version: str,
    database_name: str,
    monitoring_role,
    log_retention_days,
) -> rds.DBInstance:
    """A standalone RDS PostgreSQL instance: Multi-AZ, encrypted with the CMK, never public,
    TLS required and audited; the groups its logs are exported to are created first,
    encrypted and with ``log_retention_days`` (RDS would create them never expiring, unencrypted)."""
    log_groups = _instance_log_groups(template, suffix, log_retention_days, key)
    instance = rds.DBInstance(
        "DatabaseInstance",
        DBInstanceIdentifier=physical_name("rds", suffix),
        Engine="postgres",
        EngineVersion=engine_version,
        DBInstanceClass=instance_class,
        DBParameterGroupName=Ref(_instance_parameter_group(template, engine_version, suffix)),
        AllocatedStorage=storage_gb,
        StorageType="gp3",
        StorageEncrypted=True,
        KmsKeyId=Ref(key),
        DBName=database_name,
        **managed_master_user(master_username, key),
        MultiAZ=True,
        PubliclyAccessible=False,
        DBSubnetGroupName=Ref(subnet_group),
        VPCSecurityGroups=[Ref(security_group)],
        BackupRetentionPeriod=BACKUP_RETENTION_DAYS,
        DeletionProtection=deletion_protection,
        EnableIAMDatabaseAuthentication=True,
        EnableCloudwatchLogsExports=list(POSTGRES_LOG_EXPORTS),
        AutoMinorVersionUpgrade=True,
        CopyTagsToSnapshot=True,
        Tags=standard_tags(),
        DependsOn=[group.title for group in log_groups],
        **_observed(key, monitoring_role),
    )
    template.add_resource(snapshot(instance))
    rotation.rotate_managed_secret(template, "DatabaseSecretRotation", master_secret_arn(instance), None)
    return instance


def add_instances(
    template: Template, cluster: rds.DBCluster, instance_class, instance_count, key, monitoring_role
) -> list[rds.DBInstance]:
    """Up to MAX_INSTANCES instances; instance N exists when InstanceCount >= N."""
    instances = []
    for number in range(1, MAX_INSTANCES + 1):
        instance = rds.DBInstance(
            f"DatabaseInstance{number}",
            DBClusterIdentifier=Ref(cluster),
            DBInstanceClass=instance_class,
            Engine=cluster.Engine,
            PubliclyAccessible=False,
            AutoMinorVersionUpgrade=True,
            Tags=standard_tags(),
            **_observed(key, monitoring_role),
        )
        # A cluster member holds no data of its own (the cluster does, and snapshots
        # it): deleting or replacing an instance loses nothing, so say so explicitly.
        instance.DeletionPolicy = instance.UpdateReplacePolicy = "Delete"
        if number > 1:
            condition = f"DatabaseInstance{number}Enabled"
            template.add_condition(condition, _count_at_least(instance_count, number))
            instance.Condition = condition
        instances.append(template.add_resource(instance))
    return instances


def _count_at_least(count_parameter, number: int):
    """CloudFormation has no >=: InstanceCount is one of 1..MAX, so >= N is "not below N"."""
    below = [Equals(Ref(count_parameter), str(n)) for n in range(1, number)]
    return Not(below[0]) if len(below) == 1 else Not(Or(*below))
