"""Template ``loan-processing`` (seed "Secure Loan Processing Infrastructure").

An ECS Fargate service in the private subnets behind an internet-facing load balancer in
the public subnets (HTTPS with TLS 1.3 only, HTTP redirected, access logs to S3 moving to
Glacier after 90 days), filtered by AWS WAF (AWS managed rule groups and a rate limit,
every request logged to a CMK-encrypted log group); the service scales from 2 to 10
tasks on CPU (70 %) and memory (80 %); Aurora MySQL Serverless v2 (0.5-4 ACU) with IAM
authentication, 7-day backups and its audit, error, general and slow-query logs in
CloudWatch; logs kept 365 days; ComplianceLevel tagged on everything.

Loan applications are EU customer data, resident by construction: the template refuses any
region outside the platform's EU residency zone (a template Rule), whatever a StackSet
definition says, and runs in a network of its own (its own VPC, peered with nothing, no
route or security-group rule toward another VPC, nothing imported from the platform network
that the other regions' VPCs are peered with). The gate (cfnops/build/gate/residency.py)
refuses any path out of the zone.
"""

from __future__ import annotations

from dataclasses import dataclass

import awacs.kms
import awacs.rds_db
from troposphere import GetAtt, If, Parameter, Ref, Sub, Template

from . import policies
from .components import buckets, compute, database, encryption, firewall, identity, observability
from .components import network as network_parts
from .conventions import (
    EU,
    RESIDENCY,
    account_unique_name,
    add_exported_outputs,
    flag_parameter,
    new_template,
    require_tags,
    restrict_regions,
    suppress,
)

NAME = "loan-processing"
SERVICE = "loan-api"
CONTAINER_PORT = 8080
AURORA_MYSQL_VERSION = "8.0.mysql_aurora.3.08.0"
DATABASE_NAME = "loans"
APPLICATION_DB_USER = "loan_app"  # signs in with IAM authentication, no password
SERVERLESS_CAPACITY = (0.5, 4)  # ACU
BACKUP_RETENTION_DAYS = 7
LOG_RETENTION_DAYS = 365
HEALTH_CHECK_INTERVAL_SECONDS = 30  # as the platform description asks
TASKS = (2, 10)
SCALING_TARGETS = {"cpu": 70, "memory": 80}  # percent
ACCESS_LOGS_TO_GLACIER_DAYS = 90
ACCESS_LOGS_EXPIRE_DAYS = 2555  # seven years, the usual retention of lending records
RESIDENT_REGIONS = list(RESIDENCY[EU])  # the platform's EU residency zone
NETWORK_CIDRS = "ResidentNetworkCidrs"  # the mapping of this template's own VPC
HTTPS_PORT, MYSQL_PORT = 443, 3306
COMPLIANCE_LEVELS = ["standard", "high", "critical"]

PARAMETERS = (
    compute.service_parameters("loan service")
    + network_parts.network_parameters(flow_log_retention=False)
    + [
        compute.certificate_parameter(),
        Parameter(
            "DbInstanceCount",
            Type="Number",
            AllowedValues=[1, 2, 3],
            Description="Aurora Serverless v2 instances (writer + readers)",
        ),
        flag_parameter("DbDeletionProtection", "true", "Aurora deletion protection"),
        Parameter(
            "ComplianceLevel",
            Type="String",
            AllowedValues=COMPLIANCE_LEVELS,
            Description="Data classification, tagged on every resource",
        ),
        observability.alert_email_parameter(),
        compute.target_errors_parameter(),
    ]
)


@dataclass(frozen=True)
class OwnNetwork:
    """The template's own VPC: its subnets per tier (two or three, with AzCount)."""

    vpc_id: Ref
    public_subnet_ids: If
    private_subnet_ids: If
    data_subnet_ids: If


def add_own_network(template: Template, key) -> OwnNetwork:
    """A VPC of its own in the EU region (a /16 no platform VPC uses), peered with nothing:
    loan data has no network path to the platform network, which is peered across regions."""
    network_parts.add_cidr_mapping(template, NETWORK_CIDRS, network_parts.RESIDENT_NETWORK, RESIDENT_REGIONS)
    flow_logs = {"retention": LOG_RETENTION_DAYS, "key": key}
    vpc, tiers = network_parts.add_network(template, NETWORK_CIDRS, "loan", flow_logs)
    subnets = {name: network_parts.per_az([Ref(s) for s in tier.subnets]) for name, tier in tiers.items()}
    return OwnNetwork(Ref(vpc), subnets["public"], subnets["private"], subnets["data"])


def add_database(template: Template, key, network: OwnNetwork, security_group) -> tuple:
    subnet_group = database.add_subnet_group(template, network.data_subnet_ids, NAME)
    cluster = database.add_aurora_cluster(
        template,
        engine=database.aurora_mysql(AURORA_MYSQL_VERSION),
        suffix=NAME,
        key=key,
        master_username="loan_admin",
        subnet_group=subnet_group,
        security_group=security_group,
        deletion_protection=Ref("DbDeletionProtection"),
        database_name=DATABASE_NAME,
        backup_retention_days=BACKUP_RETENTION_DAYS,
        serverless_capacity=SERVERLESS_CAPACITY,
        log_retention_days=LOG_RETENTION_DAYS,
    )
    instances = database.add_instances(
        template, cluster, "db.serverless", "DbInstanceCount", key, database.add_monitoring_role(template, NAME)
    )
    return cluster, instances[0]


def add_security_groups(template: Template, network: OwnNetwork) -> tuple:
    """The load balancer's group (443 and 80, which only redirects, from the internet; out only
    to the service's port), the service's (that port from the load balancer only; out to MySQL
    and to AWS APIs over TLS, through the NAT gateway) and the database's (MySQL from the
    service only). No rule names another VPC's addresses. Inline wherever no reference cycle
    forbids it (``network.add_security_group``)."""
    data = network_parts.add_security_group(
        template, "DatabaseSecurityGroup", network.vpc_id, "loan-db", "Loan database: MySQL from the loan service only"
    )
    service = network_parts.add_security_group(
        template,
        "ServiceSecurityGroup",
        network.vpc_id,
        "loan-svc",
        "Loan service tasks: from their internet-facing load balancer only",
        egress=[
            network_parts.tcp_rule(
                HTTPS_PORT,
                "AWS APIs and the image registry over TLS, through the NAT gateway",
                cidr="0.0.0.0/0",
                egress=True,
            ),
            network_parts.tcp_rule(MYSQL_PORT, "To MySQL", peer=data, egress=True),
        ],
    )
    balancer = network_parts.add_security_group(
        template,
        "PublicLoadBalancerSecurityGroup",
        network.vpc_id,
        "loan-alb",
        "Internet-facing load balancer of the loan service",
        ingress=[
            network_parts.tcp_rule(443, "HTTPS from the internet", cidr="0.0.0.0/0"),
            network_parts.tcp_rule(80, "HTTP from the internet, only redirected to HTTPS", cidr="0.0.0.0/0"),
        ],
        egress=[network_parts.tcp_rule(CONTAINER_PORT, "To the loan service", peer=service, egress=True)],
    )
    suppress(balancer, "CKV_AWS_260", "port 80 only answers with a redirect to HTTPS (listener HttpRedirectListener)")
    # each ingress names the group that sends to it, which names it back: their own resources
    network_parts.allow_tcp(
        template,
        "ServiceFromPublicLoadBalancer",
        service,
        CONTAINER_PORT,
        "Loan service from its internet-facing load balancer",
        peer=balancer,
    )
    network_parts.allow_tcp(
        template, "DatabaseFromService", data, MYSQL_PORT, "MySQL from the loan service", peer=service
    )
    return balancer, service, data


def add_service_role(template: Template, cluster, key):
    """The service signs in to MySQL as APPLICATION_DB_USER with an IAM token: no password."""
    return identity.add_role(
        template,
        "ServiceRole",
        "loan-service",
        policies.service_trust_for_account("ecs-tasks.amazonaws.com"),
        "The loan service: IAM sign-in to its database",
        [
            policies.allow(
                policies.actions(awacs.rds_db.connect),
                [
                    Sub(
                        f"arn:${{AWS::Partition}}:rds-db:${{AWS::Region}}:${{AWS::AccountId}}:dbuser:${{ClusterId}}/{APPLICATION_DB_USER}",
                        ClusterId=GetAtt(cluster, "DBClusterResourceId"),
                    )
                ],
            ),
            policies.kms_use_statement(GetAtt(key, "Arn"), awacs.kms.Decrypt),
        ],
    )


def add_alarms(template: Template, topic, cluster, service, balancer, db_cluster) -> None:
    common = dict(topic=topic)
    service_dimensions = {"ClusterName": Ref(cluster), "ServiceName": GetAtt(service, "Name")}
    observability.add_alarm(
        template,
        "ServiceCpuAlarm",
        suffix="loan-cpu",
        description="Loan service CPU above 85 %",
        namespace="AWS/ECS",
        metric="CPUUtilization",
        dimensions=service_dimensions,
        statistic="Average",
        threshold=85,
        **common,
    )
    observability.add_alarm(
        template,
        "ServiceMemoryAlarm",
        suffix="loan-memory",
        description="Loan service memory above 90 %",
        namespace="AWS/ECS",
        metric="MemoryUtilization",
        dimensions=service_dimensions,
        statistic="Average",
        threshold=90,
        **common,
    )
    observability.add_alarm(
        template,
        "Target5xxAlarm",
        suffix="loan-5xx",
        description="Loan service 5xx responses above threshold",
        namespace="AWS/ApplicationELB",
        metric="HTTPCode_Target_5XX_Count",
        dimensions={"LoadBalancer": GetAtt(balancer.load_balancer, "LoadBalancerFullName")},
        statistic="Sum",
        threshold=Ref("ErrorThreshold"),
        **common,
    )
    observability.add_alarm(
        template,
        "DatabaseCapacityAlarm",
        suffix="loan-db-acu",
        description="Aurora Serverless v2 above 90 % of its maximum capacity",
        namespace="AWS/RDS",
        metric="ACUUtilization",
        dimensions={"DBClusterIdentifier": Ref(db_cluster)},
        statistic="Average",
        threshold=90,
        **common,
    )


def add_outputs(template: Template, balancer, cluster, service, db_cluster, log_bucket, topic) -> None:
    add_exported_outputs(
        template,
        NAME,
        {
            "LoadBalancerDnsName": (
                GetAtt(balancer.load_balancer, "DNSName"),
                "Public HTTPS endpoint of the loan service (behind AWS WAF)",
            ),
            "ClusterName": (Ref(cluster), "ECS cluster"),
            "ServiceName": (GetAtt(service, "Name"), "ECS service"),
            "DatabaseEndpoint": (GetAtt(db_cluster, "Endpoint.Address"), "Aurora MySQL writer endpoint"),
            "DatabaseSecretArn": (
                database.master_secret_arn(db_cluster),
                "Master credentials, generated and rotated by RDS",
            ),
            "AccessLogBucketName": (Ref(log_bucket), "Load balancer access logs"),
            "AlertTopicArn": (Ref(topic), "Alerts"),
        },
    )


def build() -> Template:
    template = new_template("Secure Loan Processing Infrastructure (EU regions only)", PARAMETERS)
    restrict_regions(template, RESIDENT_REGIONS, "loan-processing holds EU customer data: deploy it to EU regions only")
    key = encryption.add_kms_key(
        template,
        "DataKey",
        "loan data",
        [policies.logs_key_user(), ("cloudwatch.amazonaws.com", policies.source_account_condition())],
    )
    network = add_own_network(template, key)
    balancer_group, service_group, database_group = add_security_groups(template, network)
    db_cluster, db_writer = add_database(template, key, network, Ref(database_group))
    log_group = observability.add_log_group(template, "ServiceLogGroup", SERVICE, LOG_RETENTION_DAYS, key)
    log_bucket, log_bucket_policy = buckets.add_access_log_bucket(
        template,
        "AccessLogBucket",
        account_unique_name("s3", "loan-alb-logs"),
        SERVICE,
        ACCESS_LOGS_TO_GLACIER_DAYS,
        ACCESS_LOGS_EXPIRE_DAYS,
    )
    topic = observability.add_alert_topic(template, key, template.parameters["AlertEmail"], "loans")

    cluster = compute.add_cluster(template, NAME)
    balancer = compute.add_load_balancer(
        template,
        suffix=SERVICE,
        subnets=network.public_subnet_ids,
        security_group=Ref(balancer_group),
        vpc_id=network.vpc_id,
        certificate_arn=Ref("CertificateArn"),
        container_port=CONTAINER_PORT,
        tls_policy=compute.TLS13_POLICY,
        access_logs=(log_bucket, log_bucket_policy),
        health_check_interval_seconds=HEALTH_CHECK_INTERVAL_SECONDS,
        scheme="internet-facing",
    )
    firewall.add_web_acl(template, SERVICE, balancer.load_balancer, key, LOG_RETENTION_DAYS)
    service = compute.add_fargate_service(
        template,
        suffix=SERVICE,
        cluster=cluster,
        image=Ref("ContainerImage"),
        cpu=Ref("TaskCpu"),
        memory=Ref("TaskMemory"),
        container_port=CONTAINER_PORT,
        execution_role=identity.add_task_execution_role(
            template, "loan-exec", "loan service", log_group, compute.repository_of(Ref("ContainerImage"))
        ),
        task_role=add_service_role(template, db_cluster, key),
        log_group=log_group,
        subnets=network.private_subnet_ids,
        security_groups=[Ref(service_group)],
        balancer=balancer,
        desired_count=TASKS[0],
        needs=(db_writer,),
        environment={
            "DB_ENDPOINT": GetAtt(db_cluster, "Endpoint.Address"),
            "DB_NAME": DATABASE_NAME,
            "DB_USER": APPLICATION_DB_USER,
            "DB_IAM_AUTH": "true",
            "ENVIRONMENT": Ref("Environment"),
        },
    )
    compute.add_autoscaling(template, SERVICE, cluster, service, *TASKS, SCALING_TARGETS)
    add_alarms(template, topic, cluster, service, balancer, db_cluster)
    add_outputs(template, balancer, cluster, service, db_cluster, log_bucket, topic)
    require_tags(template, ComplianceLevel=Ref("ComplianceLevel"))
    return template
