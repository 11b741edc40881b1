"""Aurora clusters: encrypted with the CMK, IAM auth, backups, deletion protection, snapshots."""

from __future__ import annotations

from troposphere import Equals, GetAtt, Not, Or, Ref, Sub, Template
from troposphere import iam, rds

from .. import policies

from ..conventions import physical_name, snapshot, standard_tags
from .secrets import secret_field

MAX_INSTANCES = 3
BACKUP_RETENTION_DAYS = 14
MONITORING_INTERVAL_SECONDS = 60


def add_subnet_group(template: Template, subnet_ids, suffix: str) -> rds.DBSubnetGroup:
    return template.add_resource(
        rds.DBSubnetGroup(
            "DatabaseSubnetGroup",
            DBSubnetGroupDescription=Sub(f"${{Environment}} {suffix} data subnets"),
            SubnetIds=subnet_ids,
            Tags=standard_tags(),
        )
    )


def add_aurora_postgres(
    template: Template,
    *,
    suffix: str,
    key,
    secret,
    subnet_group,
    security_group,
    deletion_protection,
    engine_version: str,
    database_name: str,
) -> rds.DBCluster:
    cluster = rds.DBCluster(
        "DatabaseCluster",
        DBClusterIdentifier=physical_name("aurora", suffix),
        Engine="aurora-postgresql",
        EngineVersion=engine_version,
        MasterUsername=secret_field(secret, "username"),
        MasterUserPassword=secret_field(secret, "password"),
        DatabaseName=database_name,
        StorageEncrypted=True,
        KmsKeyId=Ref(key),
        EnableIAMDatabaseAuthentication=True,
        DeletionProtection=deletion_protection,
        BackupRetentionPeriod=BACKUP_RETENTION_DAYS,
        PreferredBackupWindow="03:00-04:00",
        PreferredMaintenanceWindow="sun:05:00-sun:06:00",
        CopyTagsToSnapshot=True,
        EnableCloudwatchLogsExports=["postgresql"],
        DBSubnetGroupName=Ref(subnet_group),
        VpcSecurityGroupIds=[security_group],
        Tags=standard_tags(),
    )
    return template.add_resource(snapshot(cluster))


def add_monitoring_role(template: Template, suffix: str) -> iam.Role:
    """Lets RDS publish enhanced-monitoring (OS) metrics."""
    return template.add_resource(
        iam.Role(
            "DatabaseMonitoringRole",
            RoleName=physical_name("role", f"{suffix}-rds-monitoring"),
            AssumeRolePolicyDocument=policies.service_trust_for_account("monitoring.rds.amazonaws.com"),
            ManagedPolicyArns=[Sub("arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole")],
            Tags=standard_tags(),
        )
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


def add_postgres_instance(
    template: Template, *, suffix: str, key, secret, subnet_group, security_group, instance_class, storage_gb,
    deletion_protection, engine_version: str, database_name: str, monitoring_role,
) -> rds.DBInstance:
    """A standalone RDS PostgreSQL instance: Multi-AZ, encrypted with the CMK, never public."""
    return template.add_resource(snapshot(rds.DBInstance(
        "DatabaseInstance",
        DBInstanceIdentifier=physical_name("rds", suffix),
        Engine="postgres",
        EngineVersion=engine_version,
        DBInstanceClass=instance_class,
        AllocatedStorage=storage_gb,
        StorageType="gp3",
        StorageEncrypted=True,
        KmsKeyId=Ref(key),
        DBName=database_name,
        MasterUsername=secret_field(secret, "username"),
        MasterUserPassword=secret_field(secret, "password"),
        MultiAZ=True,
        PubliclyAccessible=False,
        DBSubnetGroupName=Ref(subnet_group),
        VPCSecurityGroups=[Ref(security_group)],
        BackupRetentionPeriod=BACKUP_RETENTION_DAYS,
        DeletionProtection=deletion_protection,
        EnableIAMDatabaseAuthentication=True,
        EnableCloudwatchLogsExports=["postgresql", "upgrade"],
        AutoMinorVersionUpgrade=True,
        CopyTagsToSnapshot=True,
        Tags=standard_tags(),
        **_observed(key, monitoring_role),
    )))


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
            Engine="aurora-postgresql",
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
