"""Template ``fraud-detection`` (seed 000: Multi-Environment Fraud Detection Infrastructure).

An ECS Fargate scoring service behind an internal HTTPS load balancer, an Aurora
PostgreSQL cluster whose master password RDS generates and rotates in Secrets Manager, the
fraud-rules DynamoDB table (regional, or global from the primary region), IAM roles per
IamMode, and alarms, an alert topic and a dashboard. One CMK encrypts all of it.
"""

from __future__ import annotations

from troposphere import And, Condition, Equals, GetAtt, Parameter, Ref, Sub, Template

from . import platform_dashboard, policies
from .components import compute, database, encryption, identity, observability, storage
from .components.network import import_network
from .conventions import PRIMARY_REGION, add_exported_outputs, new_template, suppress
from .network import LOG_RETENTION_DAYS

NAME = "fraud-detection"
SERVICE = "fraud-api"
CONTAINER_PORT = 8080
TABLE_SUFFIX = "fraud-rules"
AURORA_POSTGRES_VERSION = "15.10"
AUDIT_RETENTION_DAYS = 365

PARAMETERS = compute.service_parameters("scoring service") + [
    Parameter("MinTasks", Type="Number", MinValue=1, MaxValue=50, Description="Autoscaling minimum (and initial) task count"),
    Parameter("MaxTasks", Type="Number", MinValue=1, MaxValue=100, Description="Autoscaling maximum task count"),
    Parameter("CpuTargetPercent", Type="Number", MinValue=10, MaxValue=90, Default=60, Description="Target average CPU for autoscaling"),
    compute.certificate_parameter(),
    Parameter("DbInstanceClass", Type="String", Description="Aurora instance class",
              AllowedValues=["db.t4g.medium", "db.r6g.large", "db.r6g.xlarge", "db.r6g.2xlarge"]),
    Parameter("DbInstanceCount", Type="Number", AllowedValues=[1, 2, 3], Description="Aurora instances (writer + readers)"),
    Parameter("DbDeletionProtection", Type="String", AllowedValues=["true", "false"], Default="true",
              Description="Deletion protection of the Aurora cluster and the fraud-rules table"),
    Parameter("EnableGlobalTable", Type="String", AllowedValues=["true", "false"], Default="false",
              Description="Replicate the fraud-rules table to every region (created from the primary region)"),
    Parameter(identity.IAM_MODE, Type="String", AllowedValues=list(identity.IAM_MODES),
              Description="What the service and operators may do with the environment's data"),
    observability.alert_email_parameter(),
    Parameter("CpuAlarmThreshold", Type="Number", MinValue=1, MaxValue=100, Default=80, Description="Service CPU alarm, percent"),
    compute.target_errors_parameter(),
    Parameter("LatencyThresholdMs", Type="Number", MinValue=100, MaxValue=60000, Description="p99 target response time that alarms, ms"),
    Parameter("LogRetentionDays", Type="Number", AllowedValues=LOG_RETENTION_DAYS, Description="Container log retention, days"),
]

CONDITIONS = {
    "UseGlobalTable": Equals(Ref("EnableGlobalTable"), "true"),
    "UseRegionalTable": Equals(Ref("EnableGlobalTable"), "false"),
    "IsPrimaryRegion": Equals(Ref("AWS::Region"), PRIMARY_REGION),
}


def data_key_alias(region: str) -> Sub:
    return Sub(f"alias/${{Environment}}-{region}-fraud-data")


def add_data_stores(template: Template, key, network) -> dict:
    subnet_group = database.add_subnet_group(template, network.data_subnet_ids, NAME)
    cluster = database.add_aurora_cluster(
        template,
        suffix=NAME,
        key=key,
        master_username="fraud_admin",
        subnet_group=subnet_group,
        security_group=network.database_security_group,
        deletion_protection=Ref("DbDeletionProtection"),
        engine=database.aurora_postgres(AURORA_POSTGRES_VERSION),
        database_name="fraud",
        log_retention_days=Ref("LogRetentionDays"),
    )
    monitoring_role = database.add_monitoring_role(template, NAME)
    instances = database.add_instances(template, cluster, Ref("DbInstanceClass"), "DbInstanceCount", key, monitoring_role)
    storage.add_regional_table(template, "FraudRulesTable", TABLE_SUFFIX, key, "ruleId", "version", "UseRegionalTable",
                               deletion_protection=Ref("DbDeletionProtection"))
    storage.add_global_table(template, "FraudRulesGlobalTable", TABLE_SUFFIX, data_key_alias, "ruleId", "version", "CreateGlobalTable")
    return {"secret": database.master_secret_arn(cluster), "cluster": cluster, "writer": instances[0]}


def add_roles(template: Template, key, secret, log_group, audit_log_group) -> dict:
    execution = identity.add_task_execution_role(template, "fraud-exec", "scoring", log_group)
    service = identity.add_role(
        template, "ServiceRole", "fraud-service", policies.service_trust_for_account("ecs-tasks.amazonaws.com"),
        "The scoring service's own permissions (IamMode policy)",
    )
    operator = identity.add_role(
        template, "OperatorRole", "fraud-operator", policies.account_trust_with_mfa(),
        "Operators of this environment, with MFA (IamMode policy)",
    )
    identity.add_mode_policies(
        template, [service, operator], storage.table_arn(TABLE_SUFFIX), secret, GetAtt(key, "Arn"),
        GetAtt(audit_log_group, "Arn"),
    )
    return {"execution": execution, "service": service, "operator": operator}


def add_alarms(template: Template, topic, cluster, service, balancer, db_cluster) -> None:
    lb_name = GetAtt(balancer.load_balancer, "LoadBalancerFullName")
    observability.add_alarm(
        template, "ServiceCpuAlarm", suffix="fraud-cpu", description="Scoring service CPU above threshold",
        namespace="AWS/ECS", metric="CPUUtilization",
        dimensions={"ClusterName": Ref(cluster), "ServiceName": GetAtt(service, "Name")},
        statistic="Average", threshold=Ref("CpuAlarmThreshold"), topic=topic,
    )
    observability.add_alarm(
        template, "Target5xxAlarm", suffix="fraud-5xx", description="Scoring service 5xx responses above threshold",
        namespace="AWS/ApplicationELB", metric="HTTPCode_Target_5XX_Count", dimensions={"LoadBalancer": lb_name},
        statistic="Sum", threshold=Ref("ErrorThreshold"), topic=topic,
    )
    observability.add_alarm(
        template, "DatabaseCpuAlarm", suffix="fraud-db-cpu", description="Aurora CPU above 80 %",
        namespace="AWS/RDS", metric="CPUUtilization", dimensions={"DBClusterIdentifier": Ref(db_cluster)},
        statistic="Average", threshold=80, topic=topic,
    )
    add_latency_alarm(template, topic, lb_name)


def add_latency_alarm(template: Template, topic, lb_name) -> None:
    """p99 TargetResponseTime is in seconds; metric math turns it into ms to compare
    with LatencyThresholdMs as written in the parameter files."""
    observability.add_expression_alarm(
        template, "LatencyAlarm", suffix="fraud-latency", description="Scoring service p99 latency above threshold (ms)",
        expression="p99 * 1000", label="p99 latency (ms)", result_id="latencyMs",
        metrics={"p99": ("AWS/ApplicationELB", "TargetResponseTime", {"LoadBalancer": lb_name}, "p99")},
        threshold=Ref("LatencyThresholdMs"), topic=topic,
    )


def add_dashboard(template: Template, cluster, service, balancer, db_cluster):
    widgets = [
        observability.metric_widget("Service CPU and memory", [
            ["AWS/ECS", "CPUUtilization", "ClusterName", "${Cluster}", "ServiceName", "${Service}"],
            [".", "MemoryUtilization", ".", ".", ".", "."],
        ], 0, 0),
        observability.metric_widget("Requests and 5xx", [
            ["AWS/ApplicationELB", "RequestCount", "LoadBalancer", "${LoadBalancer}"],
            [".", "HTTPCode_Target_5XX_Count", ".", "."],
        ], 12, 0, stat="Sum"),
        observability.metric_widget("p99 latency (s)", [
            ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", "${LoadBalancer}"],
        ], 0, 6, stat="p99"),
        observability.metric_widget("Database", [
            ["AWS/RDS", "CPUUtilization", "DBClusterIdentifier", "${Database}"],
            [".", "DatabaseConnections", ".", "."],
        ], 12, 6),
        observability.metric_widget("Fraud rules table", [
            ["AWS/DynamoDB", "ConsumedReadCapacityUnits", "TableName", "${Table}"],
            [".", "ConsumedWriteCapacityUnits", ".", "."],
            [".", "ThrottledRequests", ".", "."],
        ], 0, 12, stat="Sum"),
    ]
    return observability.add_dashboard(template, NAME, widgets, {
        "Cluster": Ref(cluster),
        "Service": GetAtt(service, "Name"),
        "LoadBalancer": GetAtt(balancer.load_balancer, "LoadBalancerFullName"),
        "Database": Ref(db_cluster),
        "Table": storage.table_name(TABLE_SUFFIX),
    })


def add_outputs(template: Template, balancer, cluster, service, stores, key, topic, roles, dashboard) -> None:
    outputs = {
        "LoadBalancerDnsName": (GetAtt(balancer.load_balancer, "DNSName"), "Internal HTTPS endpoint of the scoring service"),
        "ClusterName": (Ref(cluster), "ECS cluster"),
        "ClusterArn": (GetAtt(cluster, "Arn"), "ECS cluster ARN"),
        "DatabaseClusterArn": (GetAtt(stores["cluster"], "DBClusterArn"), "Aurora cluster ARN"),
        "DashboardName": (Ref(dashboard), "CloudWatch dashboard of this environment and region"),
        "ServiceName": (GetAtt(service, "Name"), "ECS service"),
        "DatabaseEndpoint": (GetAtt(stores["cluster"], "Endpoint.Address"), "Aurora writer endpoint"),
        "DatabaseSecretArn": (stores["secret"], "Master credentials, generated and rotated by RDS"),
        "FraudRulesTableName": (storage.table_name(TABLE_SUFFIX), "Fraud rules table"),
        "DataKeyArn": (GetAtt(key, "Arn"), "CMK of the fraud data"),
        "AlertTopicArn": (Ref(topic), "Alerts"),
        "ServiceRoleArn": (GetAtt(roles["service"], "Arn"), "Role of the scoring service"),
        "OperatorRoleArn": (GetAtt(roles["operator"], "Arn"), "Role of the environment's operators"),
    }
    add_exported_outputs(template, NAME, outputs)


def build() -> Template:
    template = new_template("Multi-Environment Fraud Detection Infrastructure", PARAMETERS)
    for name, condition in CONDITIONS.items():
        template.add_condition(name, condition)
    template.add_condition("CreateGlobalTable", And(Condition("UseGlobalTable"), Condition("IsPrimaryRegion")))
    identity.add_iam_mode_conditions(template)
    network = import_network()

    key = encryption.add_kms_key(
        template, "DataKey", "fraud data",
        [policies.logs_key_user(), ("cloudwatch.amazonaws.com", policies.source_account_condition())],
    )
    stores = add_data_stores(template, key, network)
    log_group = observability.add_log_group(template, "ServiceLogGroup", "fraud-api", Ref("LogRetentionDays"), key)
    audit_log_group = observability.add_log_group(template, "AuditLogGroup", "fraud-audit", AUDIT_RETENTION_DAYS, key)
    audit_log_group.Condition = identity.MODE_CONDITIONS["full-access"]
    roles = add_roles(template, key, stores["secret"], log_group, audit_log_group)
    topic = observability.add_alert_topic(template, key, template.parameters["AlertEmail"], "fraud")

    cluster = compute.add_cluster(template, NAME)
    balancer = compute.add_load_balancer(
        template, suffix=NAME, subnets=network.private_subnet_ids, security_group=network.load_balancer_security_group,
        vpc_id=network.vpc_id, certificate_arn=Ref("CertificateArn"), container_port=CONTAINER_PORT,
        tls_policy=compute.TLS12_POLICY,
    )
    suppress(balancer.load_balancer, "CKV_AWS_91",
             "Request logs come from the service's own log group; ALB access logs need an SSE-S3 bucket, which our CMK rule refuses")
    service = compute.add_fargate_service(
        template, suffix=SERVICE, cluster=cluster, image=Ref("ContainerImage"), cpu=Ref("TaskCpu"),
        memory=Ref("TaskMemory"), container_port=CONTAINER_PORT, execution_role=roles["execution"],
        task_role=roles["service"], log_group=log_group, subnets=network.private_subnet_ids,
        security_group=network.application_security_group, balancer=balancer, desired_count=Ref("MinTasks"),
        needs=(stores["writer"],),
        environment={
            "FRAUD_RULES_TABLE": storage.table_name(TABLE_SUFFIX),
            "DB_SECRET_ARN": stores["secret"],
            "DB_ENDPOINT": GetAtt(stores["cluster"], "Endpoint.Address"),
            "ENVIRONMENT": Ref("Environment"),
        },
    )
    compute.add_autoscaling(template, SERVICE, cluster, service, Ref("MinTasks"), Ref("MaxTasks"), {"cpu": Ref("CpuTargetPercent")})
    add_alarms(template, topic, cluster, service, balancer, stores["cluster"])
    dashboard = add_dashboard(template, cluster, service, balancer, stores["cluster"])
    platform_dashboard.add_platform_dashboard(template, cluster, service, stores["cluster"], storage.table_name(TABLE_SUFFIX))
    add_outputs(template, balancer, cluster, service, stores, key, topic, roles, dashboard)
    return template
