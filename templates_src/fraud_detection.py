"""Template ``fraud-detection`` (seed 000: Multi-Environment Fraud Detection Infrastructure).

An ECS Fargate scoring service behind an internal HTTPS load balancer, an Aurora
PostgreSQL cluster whose master password RDS generates and rotates in Secrets Manager, the
fraud-rules DynamoDB table (regional, or global from the primary region), IAM roles per
IamMode, and alarms, an alert topic and a dashboard. One CMK encrypts all of it.
"""

from __future__ import annotations

from dataclasses import dataclass

from troposphere import And, Condition, Equals, GetAtt, If, Not, Parameter, Ref, Sub, Template, iam, rds

from . import platform_dashboard, policies
from .components import compute, database, encryption, identity, observability, rotation, storage
from .components.network import import_network
from .conventions import (
    IS_PRIMARY_REGION,
    IS_SECONDARY_REGION,
    add_exported_outputs,
    add_region_roles,
    flag_parameter,
    global_name,
    new_template,
    suppress,
)
from .network import LOG_RETENTION_DAYS

NAME = "fraud-detection"
SERVICE = "fraud-api"
MASTER_USER = "fraud_admin"
CONTAINER_PORT = 8080
TABLE_SUFFIX = "fraud-rules"
GLOBAL_TABLE_SUFFIX = "fraud-rules-global"  # a new name: the regional table stays until retired (docs/regions.md)
AURORA_POSTGRES_VERSION = "15.10"
AUDIT_RETENTION_DAYS = 365

PARAMETERS = compute.service_parameters("scoring service") + [
    Parameter(
        "MinTasks", Type="Number", MinValue=1, MaxValue=50, Description="Autoscaling minimum (and initial) task count"
    ),
    Parameter("MaxTasks", Type="Number", MinValue=1, MaxValue=100, Description="Autoscaling maximum task count"),
    Parameter(
        "CpuTargetPercent",
        Type="Number",
        MinValue=10,
        MaxValue=90,
        Default=60,
        Description="Target average CPU for autoscaling",
    ),
    compute.certificate_parameter(),
    Parameter(
        "DbInstanceClass",
        Type="String",
        Description="Aurora instance class",
        AllowedValues=["db.t4g.medium", "db.r6g.large", "db.r6g.xlarge", "db.r6g.2xlarge"],
    ),
    Parameter(
        "DbInstanceCount", Type="Number", AllowedValues=[1, 2, 3], Description="Aurora instances (writer + readers)"
    ),
    flag_parameter(
        "DbDeletionProtection", "true", "Deletion protection of the Aurora cluster and the fraud-rules table"
    ),
    flag_parameter(
        "EnableGlobalTable",
        "false",
        "Use the global fraud-rules table (created by the primary region, replicated to every region)",
    ),
    flag_parameter(
        "RetireRegionalTable",
        "false",
        "Drop the regional fraud-rules table from the stack (kept by its deletion policy) after the copy",
    ),
    flag_parameter(
        "EnableGlobalDatabase",
        "false",
        "Aurora Global Database: the primary region's cluster is replicated to a cluster in every other region",
    ),
    Parameter(
        "GlobalDbLagThresholdMs",
        Type="Number",
        MinValue=100,
        MaxValue=3600000,
        Description="AuroraGlobalDBReplicationLag of a secondary region that alarms, ms",
    ),
    Parameter(
        identity.IAM_MODE,
        Type="String",
        AllowedValues=list(identity.IAM_MODES),
        Description="What the service and operators may do with the environment's data",
    ),
    observability.alert_email_parameter(),
    Parameter(
        "CpuAlarmThreshold",
        Type="Number",
        MinValue=1,
        MaxValue=100,
        Default=80,
        Description="Service CPU alarm, percent",
    ),
    compute.target_errors_parameter(),
    Parameter(
        "LatencyThresholdMs",
        Type="Number",
        MinValue=100,
        MaxValue=60000,
        Description="p99 target response time that alarms, ms",
    ),
    Parameter(
        "LogRetentionDays", Type="Number", AllowedValues=LOG_RETENTION_DAYS, Description="Container log retention, days"
    ),
]

# condition names, each spelled once
USE_GLOBAL_TABLE = "UseGlobalTable"
KEEP_REGIONAL_TABLE = "KeepRegionalTable"
USE_GLOBAL_DATABASE = "UseGlobalDatabase"
CREATE_GLOBAL_TABLE = "CreateGlobalTable"
CREATE_GLOBAL_CLUSTER = "CreateGlobalCluster"
JOIN_GLOBAL_CLUSTER = "JoinGlobalCluster"
HAS_MASTER_USER = "HasMasterUser"

CONDITIONS = {
    USE_GLOBAL_TABLE: Equals(Ref("EnableGlobalTable"), "true"),
    KEEP_REGIONAL_TABLE: Not(Equals(Ref("RetireRegionalTable"), "true")),
    USE_GLOBAL_DATABASE: Equals(Ref("EnableGlobalDatabase"), "true"),
    CREATE_GLOBAL_TABLE: And(Condition(USE_GLOBAL_TABLE), Condition(IS_PRIMARY_REGION)),
    CREATE_GLOBAL_CLUSTER: And(Condition(USE_GLOBAL_DATABASE), Condition(IS_PRIMARY_REGION)),
    JOIN_GLOBAL_CLUSTER: And(Condition(USE_GLOBAL_DATABASE), Condition(IS_SECONDARY_REGION)),
    HAS_MASTER_USER: Not(Condition(JOIN_GLOBAL_CLUSTER)),
}
GLOBAL_DATABASE = database.GlobalRole(CREATE_GLOBAL_CLUSTER, JOIN_GLOBAL_CLUSTER, global_name(NAME))


def replica_key_alias(region: str) -> Sub:
    """The network StackSet's CMK for replicated data in ``region``: it exists in every
    region before any fraud-detection instance (depends_on), so the primary can name
    every replica's key when it creates the global table."""
    return Sub(f"alias/${{Environment}}-{region}-replicated-data")


def rules_table_name():
    """The table the service uses: the global one once it is on."""
    return If(USE_GLOBAL_TABLE, storage.table_name(GLOBAL_TABLE_SUFFIX), storage.table_name(TABLE_SUFFIX))


def rules_table_arn():
    return If(USE_GLOBAL_TABLE, storage.table_arn(GLOBAL_TABLE_SUFFIX), storage.table_arn(TABLE_SUFFIX))


def secret_or_none(secret):
    """A secondary region's cluster has no master user of its own: no secret there."""
    return If(HAS_MASTER_USER, secret, "")


@dataclass(frozen=True)
class DataStores:
    """What the scoring service reads: its cluster, the cluster's writer and its master secret."""

    secret: object  # If: our own rotated secret, or the one RDS manages for the cluster
    cluster: rds.DBCluster
    writer: rds.DBInstance


@dataclass(frozen=True)
class Roles:
    execution: iam.Role  # ECS pulls and logs with it
    service: iam.Role  # the scoring task's own
    operator: iam.Role


def add_data_stores(template: Template, key, network) -> DataStores:
    subnet_group = database.add_subnet_group(template, network.data_subnet_ids, NAME)
    own_secret = rotation.add_master_credentials(
        template, "DatabaseMasterSecret", MASTER_USER, key, GLOBAL_DATABASE.create
    )
    cluster = database.add_aurora_cluster(
        template,
        suffix=NAME,
        key=key,
        master_username=MASTER_USER,
        subnet_group=subnet_group,
        security_group=network.database_security_group,
        deletion_protection=Ref("DbDeletionProtection"),
        engine=database.aurora_postgres(AURORA_POSTGRES_VERSION),
        database_name="fraud",
        log_retention_days=Ref("LogRetentionDays"),
        global_role=GLOBAL_DATABASE,
        own_master_secret=own_secret,
    )
    rotation.rotate_master_credentials(
        template, suffix=f"{NAME}-db", secret=own_secret, cluster=cluster, key=key, network=network
    )
    database.add_global_cluster(template, NAME, cluster, GLOBAL_DATABASE, Ref("DbDeletionProtection"))
    monitoring_role = database.add_monitoring_role(template, NAME)
    instances = database.add_instances(
        template, cluster, Ref("DbInstanceClass"), "DbInstanceCount", key, monitoring_role
    )
    regional = storage.add_regional_table(
        template,
        "FraudRulesTable",
        TABLE_SUFFIX,
        key,
        "ruleId",
        "version",
        KEEP_REGIONAL_TABLE,
        deletion_protection=Ref("DbDeletionProtection"),
    )
    storage.add_global_table(
        template,
        "FraudRulesGlobalTable",
        GLOBAL_TABLE_SUFFIX,
        replica_key_alias,
        "ruleId",
        "version",
        CREATE_GLOBAL_TABLE,
        Ref("DbDeletionProtection"),
        migrates_from=regional,
    )
    secret = If(GLOBAL_DATABASE.create, Ref(own_secret), database.master_secret_arn(cluster))
    return DataStores(secret, cluster, instances[0])


def add_roles(template: Template, key, secret, log_group, audit_log_group, network) -> Roles:
    """``network``: the imported network (its replicated-data key encrypts the global table's replica here)."""
    execution = identity.add_task_execution_role(
        template, "fraud-exec", "scoring", log_group, compute.repository_of(Ref("ContainerImage"))
    )
    service = identity.add_role(
        template,
        "ServiceRole",
        "fraud-service",
        policies.service_trust_for_account("ecs-tasks.amazonaws.com"),
        "The scoring service's own permissions (IamMode policy)",
    )
    operator = identity.add_role(
        template,
        "OperatorRole",
        "fraud-operator",
        policies.account_trust_with_mfa(),
        "Operators of this environment, with MFA (IamMode policy)",
    )
    identity.add_mode_policies(
        template,
        [service, operator],
        rules_table_arn(),
        secret,
        [GetAtt(key, "Arn"), If(USE_GLOBAL_TABLE, network.replicated_data_key_arn, Ref("AWS::NoValue"))],
        GetAtt(audit_log_group, "Arn"),
        secret_condition=HAS_MASTER_USER,
    )
    return Roles(execution, service, operator)


def add_alarms(template: Template, topic, cluster, service, balancer, db_cluster) -> None:
    lb_name = GetAtt(balancer.load_balancer, "LoadBalancerFullName")
    observability.add_alarm(
        template,
        "ServiceCpuAlarm",
        suffix="fraud-cpu",
        description="Scoring service CPU above threshold",
        namespace="AWS/ECS",
        metric="CPUUtilization",
        dimensions={"ClusterName": Ref(cluster), "ServiceName": GetAtt(service, "Name")},
        statistic="Average",
        threshold=Ref("CpuAlarmThreshold"),
        topic=topic,
    )
    observability.add_alarm(
        template,
        "Target5xxAlarm",
        suffix="fraud-5xx",
        description="Scoring service 5xx responses above threshold",
        namespace="AWS/ApplicationELB",
        metric="HTTPCode_Target_5XX_Count",
        dimensions={"LoadBalancer": lb_name},
        statistic="Sum",
        threshold=Ref("ErrorThreshold"),
        topic=topic,
    )
    observability.add_alarm(
        template,
        "DatabaseCpuAlarm",
        suffix="fraud-db-cpu",
        description="Aurora CPU above 80 %",
        namespace="AWS/RDS",
        metric="CPUUtilization",
        dimensions={"DBClusterIdentifier": Ref(db_cluster)},
        statistic="Average",
        threshold=80,
        topic=topic,
    )
    add_latency_alarm(template, topic, lb_name)
    lag = observability.add_alarm(
        template,
        "GlobalDbReplicationLagAlarm",
        suffix="fraud-db-lag",
        description="This secondary region's Aurora global database lags the primary by more than the threshold (ms)",
        namespace="AWS/RDS",
        metric="AuroraGlobalDBReplicationLag",
        dimensions={"DBClusterIdentifier": Ref(db_cluster)},
        statistic="Maximum",
        threshold=Ref("GlobalDbLagThresholdMs"),
        topic=topic,
    )
    lag.Condition = JOIN_GLOBAL_CLUSTER  # the metric is published by the secondary clusters


def add_latency_alarm(template: Template, topic, lb_name) -> None:
    """p99 TargetResponseTime is in seconds; metric math turns it into ms to compare
    with LatencyThresholdMs as written in the parameter files."""
    observability.add_expression_alarm(
        template,
        "LatencyAlarm",
        suffix="fraud-latency",
        description="Scoring service p99 latency above threshold (ms)",
        expression="p99 * 1000",
        label="p99 latency (ms)",
        result_id="latencyMs",
        metrics={"p99": ("AWS/ApplicationELB", "TargetResponseTime", {"LoadBalancer": lb_name}, "p99")},
        threshold=Ref("LatencyThresholdMs"),
        topic=topic,
    )


def add_dashboard(template: Template, cluster, service, balancer, db_cluster):
    widgets = [
        observability.metric_widget(
            "Service CPU and memory",
            [
                ["AWS/ECS", "CPUUtilization", "ClusterName", "${Cluster}", "ServiceName", "${Service}"],
                [".", "MemoryUtilization", ".", ".", ".", "."],
            ],
            0,
            0,
        ),
        observability.metric_widget(
            "Requests and 5xx",
            [
                ["AWS/ApplicationELB", "RequestCount", "LoadBalancer", "${LoadBalancer}"],
                [".", "HTTPCode_Target_5XX_Count", ".", "."],
            ],
            12,
            0,
            stat="Sum",
        ),
        observability.metric_widget(
            "p99 latency (s)",
            [
                ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", "${LoadBalancer}"],
            ],
            0,
            6,
            stat="p99",
        ),
        observability.metric_widget(
            "Database",
            [
                ["AWS/RDS", "CPUUtilization", "DBClusterIdentifier", "${Database}"],
                [".", "DatabaseConnections", ".", "."],
            ],
            12,
            6,
        ),
        observability.metric_widget(
            "Fraud rules table",
            [
                ["AWS/DynamoDB", "ConsumedReadCapacityUnits", "TableName", "${Table}"],
                [".", "ConsumedWriteCapacityUnits", ".", "."],
                [".", "ThrottledRequests", ".", "."],
            ],
            0,
            12,
            stat="Sum",
        ),
    ]
    return observability.add_dashboard(
        template,
        NAME,
        widgets,
        {
            "Cluster": Ref(cluster),
            "Service": GetAtt(service, "Name"),
            "LoadBalancer": GetAtt(balancer.load_balancer, "LoadBalancerFullName"),
            "Database": Ref(db_cluster),
            "Table": rules_table_name(),
        },
    )


def add_outputs(template: Template, balancer, cluster, service, stores, key, topic, roles, dashboard) -> None:
    outputs = {
        "LoadBalancerDnsName": (
            GetAtt(balancer.load_balancer, "DNSName"),
            "Internal HTTPS endpoint of the scoring service",
        ),
        "ClusterName": (Ref(cluster), "ECS cluster"),
        "ClusterArn": (GetAtt(cluster, "Arn"), "ECS cluster ARN"),
        "DatabaseClusterArn": (GetAtt(stores.cluster, "DBClusterArn"), "Aurora cluster ARN"),
        "DashboardName": (Ref(dashboard), "CloudWatch dashboard of this environment and region"),
        "ServiceName": (GetAtt(service, "Name"), "ECS service"),
        "DatabaseEndpoint": (GetAtt(stores.cluster, "Endpoint.Address"), "Aurora writer endpoint"),
        "DatabaseSecretArn": (
            If(HAS_MASTER_USER, stores.secret, "none: a secondary region's cluster uses the primary's users"),
            "Master credentials, generated and rotated by RDS (primary or standalone cluster only)",
        ),
        "FraudRulesTableName": (rules_table_name(), "Fraud rules table (the global one once EnableGlobalTable is on)"),
        "DataKeyArn": (GetAtt(key, "Arn"), "CMK of the fraud data"),
        "AlertTopicArn": (Ref(topic), "Alerts"),
        "ServiceRoleArn": (GetAtt(roles.service, "Arn"), "Role of the scoring service"),
        "OperatorRoleArn": (GetAtt(roles.operator, "Arn"), "Role of the environment's operators"),
    }
    add_exported_outputs(template, NAME, outputs)


def build() -> Template:
    template = new_template("Multi-Environment Fraud Detection Infrastructure", PARAMETERS)
    add_region_roles(template)
    for name, condition in CONDITIONS.items():
        template.add_condition(name, condition)
    identity.add_iam_mode_conditions(template)
    network = import_network()

    key = encryption.add_kms_key(
        template,
        "DataKey",
        "fraud data",
        [policies.logs_key_user(), ("cloudwatch.amazonaws.com", policies.source_account_condition())],
    )
    stores = add_data_stores(template, key, network)
    log_group = observability.add_log_group(template, "ServiceLogGroup", "fraud-api", Ref("LogRetentionDays"), key)
    audit_log_group = observability.add_log_group(template, "AuditLogGroup", "fraud-audit", AUDIT_RETENTION_DAYS, key)
    audit_log_group.Condition = identity.MODE_CONDITIONS["full-access"]
    roles = add_roles(template, key, stores.secret, log_group, audit_log_group, network)
    topic = observability.add_alert_topic(template, key, template.parameters["AlertEmail"], "fraud")

    cluster = compute.add_cluster(template, NAME)
    balancer = compute.add_load_balancer(
        template,
        suffix=NAME,
        subnets=network.private_subnet_ids,
        security_group=network.load_balancer_security_group,
        vpc_id=network.vpc_id,
        certificate_arn=Ref("CertificateArn"),
        container_port=CONTAINER_PORT,
        tls_policy=compute.TLS12_POLICY,
    )
    suppress(
        balancer.load_balancer,
        "CKV_AWS_91",
        "Request logs come from the service's own log group; ALB access logs need an SSE-S3 bucket, which our CMK rule refuses",
    )
    service = compute.add_fargate_service(
        template,
        suffix=SERVICE,
        cluster=cluster,
        image=Ref("ContainerImage"),
        cpu=Ref("TaskCpu"),
        memory=Ref("TaskMemory"),
        container_port=CONTAINER_PORT,
        execution_role=roles.execution,
        task_role=roles.service,
        log_group=log_group,
        subnets=network.private_subnet_ids,
        security_groups=[network.application_security_group],
        balancer=balancer,
        desired_count=Ref("MinTasks"),
        needs=(stores.writer,),
        environment={
            "FRAUD_RULES_TABLE": rules_table_name(),
            "DB_SECRET_ARN": secret_or_none(stores.secret),
            "DB_ENDPOINT": If(
                HAS_MASTER_USER,
                GetAtt(stores.cluster, "Endpoint.Address"),
                GetAtt(stores.cluster, "ReadEndpoint.Address"),
            ),
            "ENVIRONMENT": Ref("Environment"),
        },
    )
    compute.add_autoscaling(
        template, SERVICE, cluster, service, Ref("MinTasks"), Ref("MaxTasks"), {"cpu": Ref("CpuTargetPercent")}
    )
    add_alarms(template, topic, cluster, service, balancer, stores.cluster)
    dashboard = add_dashboard(template, cluster, service, balancer, stores.cluster)
    platform_dashboard.add_platform_dashboard(
        template, cluster, service, stores.cluster, storage.table_name(TABLE_SUFFIX)
    )
    add_outputs(template, balancer, cluster, service, stores, key, topic, roles, dashboard)
    return template
