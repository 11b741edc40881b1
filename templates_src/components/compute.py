"""ECS Fargate services behind an internal Application Load Balancer.

The load balancer listens on HTTPS only (HTTP answers with a redirect), with a TLS
policy passed in by the template (TLS 1.2+ or TLS 1.3-only).
"""

from __future__ import annotations

from dataclasses import dataclass

from troposphere import GetAtt, Parameter, Ref, Select, Split, Sub, Template, ecs
from troposphere import applicationautoscaling as aas
from troposphere import elasticloadbalancingv2 as elb

from ..conventions import flag_parameter, physical_name, standard_tags

TLS12_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"  # TLS 1.2 and 1.3, forward secrecy only
TLS13_POLICY = "ELBSecurityPolicy-TLS13-1-3-2021-06"  # TLS 1.3 only
HEALTH_CHECK_PATH = "/health"
DELETION_PROTECTION = "LoadBalancerDeletionProtection"


def service_parameters(service: str) -> list[Parameter]:
    """The image, task size and certificate of a service behind the load balancer."""
    return [
        Parameter(
            "ContainerImage",
            Type="String",
            Description=f"Image of the {service} (registry/repository:tag or @sha256:digest)",
            # one repository segment: the task execution role pulls from exactly that repository
            AllowedPattern=r"^[a-z0-9.-]+(:[0-9]+)?/[a-z0-9._-]+(:[A-Za-z0-9._-]{1,128}|@sha256:[a-f0-9]{64})$",
        ),
        Parameter(
            "TaskCpu", Type="Number", AllowedValues=[256, 512, 1024, 2048, 4096], Description="Fargate task CPU units"
        ),
        Parameter("TaskMemory", Type="Number", MinValue=512, MaxValue=30720, Description="Fargate task memory, MiB"),
    ]


def repository_of(image) -> Select:
    """The repository of ``registry/repository:tag`` or ``registry/repository@sha256:…`` (ContainerImage's pattern)."""
    after_registry = Select(1, Split("/", image))
    return Select(0, Split("@", Select(0, Split(":", after_registry))))


def target_errors_parameter() -> Parameter:
    return Parameter(
        "ErrorThreshold",
        Type="Number",
        MinValue=1,
        MaxValue=10000,
        Description="Target 5xx responses per minute that alarm",
    )


def certificate_parameter() -> Parameter:
    return Parameter(
        "CertificateArn",
        Type="String",
        Description="ACM certificate of the HTTPS listener (regional: override per region)",
        AllowedPattern=r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]{36}$",
    )


@dataclass(frozen=True)
class LoadBalancer:
    load_balancer: elb.LoadBalancer
    target_group: elb.TargetGroup
    https_listener: elb.Listener


def add_cluster(template: Template, suffix: str) -> ecs.Cluster:
    return template.add_resource(
        ecs.Cluster(
            "Cluster",
            ClusterName=physical_name("ecs", suffix),
            ClusterSettings=[ecs.ClusterSetting(Name="containerInsights", Value="enabled")],
            Tags=standard_tags(),
        )
    )


def _access_log_attributes(bucket, prefix: str) -> list[elb.LoadBalancerAttributes]:
    return [
        elb.LoadBalancerAttributes(Key="access_logs.s3.enabled", Value="true"),
        elb.LoadBalancerAttributes(Key="access_logs.s3.bucket", Value=Ref(bucket)),
        elb.LoadBalancerAttributes(Key="access_logs.s3.prefix", Value=prefix),
    ]


def add_load_balancer(
    template: Template,
    *,
    suffix: str,
    subnets,
    security_group,
    vpc_id,
    certificate_arn,
    container_port: int,
    tls_policy: str,
    access_logs=None,
    health_check_interval_seconds: int = 15,
    scheme: str = "internal",
) -> LoadBalancer:
    """``access_logs``: (bucket, bucket policy), logs written under the prefix ``suffix``;
    the load balancer waits for the policy, since ELB checks it may write when enabled.
    Deletion protection follows the template's DELETION_PROTECTION parameter (added here).
    Targets are checked on HEALTH_CHECK_PATH every ``health_check_interval_seconds``."""
    template.add_parameter(
        flag_parameter(DELETION_PROTECTION, "true", "Deletion protection of the load balancer (on in prod)")
    )
    attributes = [
        elb.LoadBalancerAttributes(Key="deletion_protection.enabled", Value=Ref(DELETION_PROTECTION)),
        elb.LoadBalancerAttributes(Key="routing.http.drop_invalid_header_fields.enabled", Value="true"),
        elb.LoadBalancerAttributes(Key="routing.http.desync_mitigation_mode", Value="strictest"),
    ]
    extra = {}
    if access_logs:
        bucket, bucket_policy = access_logs
        attributes += _access_log_attributes(bucket, suffix)
        extra["DependsOn"] = [bucket_policy.title]
    lb = template.add_resource(
        elb.LoadBalancer(
            "LoadBalancer",
            Scheme=scheme,
            Type="application",
            Subnets=subnets,
            SecurityGroups=[security_group],
            LoadBalancerAttributes=attributes,
            Tags=standard_tags(Name=physical_name("alb", suffix)),
            **extra,
        )
    )
    target_group = template.add_resource(
        elb.TargetGroup(
            "TargetGroup",
            TargetType="ip",
            Protocol="HTTP",
            Port=container_port,
            VpcId=vpc_id,
            HealthCheckEnabled=True,
            HealthCheckPath=HEALTH_CHECK_PATH,
            HealthCheckProtocol="HTTP",
            HealthCheckIntervalSeconds=health_check_interval_seconds,
            HealthyThresholdCount=2,
            UnhealthyThresholdCount=3,
            Matcher=elb.Matcher(HttpCode="200"),
            TargetGroupAttributes=[elb.TargetGroupAttribute(Key="deregistration_delay.timeout_seconds", Value="30")],
            Tags=standard_tags(),
        )
    )
    https = template.add_resource(
        elb.Listener(
            "HttpsListener",
            LoadBalancerArn=Ref(lb),
            Port=443,
            Protocol="HTTPS",
            SslPolicy=tls_policy,
            Certificates=[elb.Certificate(CertificateArn=certificate_arn)],
            DefaultActions=[elb.Action(Type="forward", TargetGroupArn=Ref(target_group))],
            Tags=standard_tags(),
        )
    )
    template.add_resource(
        elb.Listener(
            "HttpRedirectListener",
            LoadBalancerArn=Ref(lb),
            Port=80,
            Protocol="HTTP",
            DefaultActions=[
                elb.Action(
                    Type="redirect",
                    RedirectConfig=elb.RedirectConfig(Protocol="HTTPS", Port="443", StatusCode="HTTP_301"),
                )
            ],
            Tags=standard_tags(),
        )
    )
    return LoadBalancer(lb, target_group, https)


def add_fargate_service(
    template: Template,
    *,
    suffix: str,
    cluster: ecs.Cluster,
    image,
    cpu,
    memory,
    container_port: int,
    execution_role,
    task_role,
    log_group,
    subnets,
    security_groups: list,
    balancer: LoadBalancer,
    desired_count,
    environment: dict,
    needs: tuple = (),
) -> ecs.Service:
    """A Fargate service behind ``balancer``; ``needs``: resources its tasks need at start
    (the database writer), which CloudFormation cannot infer from a Ref or GetAtt."""
    task = template.add_resource(
        ecs.TaskDefinition(
            "TaskDefinition",
            Family=physical_name("task", suffix),
            Cpu=cpu,
            Memory=memory,
            NetworkMode="awsvpc",
            RequiresCompatibilities=["FARGATE"],
            ExecutionRoleArn=GetAtt(execution_role, "Arn"),
            TaskRoleArn=GetAtt(task_role, "Arn"),
            ContainerDefinitions=[
                ecs.ContainerDefinition(
                    Name=suffix,
                    Image=image,
                    Essential=True,
                    ReadonlyRootFilesystem=True,
                    PortMappings=[ecs.PortMapping(ContainerPort=container_port, Protocol="tcp")],
                    Environment=[ecs.Environment(Name=k, Value=v) for k, v in sorted(environment.items())],
                    LogConfiguration=ecs.LogConfiguration(
                        LogDriver="awslogs",
                        Options={
                            "awslogs-group": Ref(log_group),
                            "awslogs-region": Ref("AWS::Region"),
                            "awslogs-stream-prefix": suffix,
                        },
                    ),
                )
            ],
            Tags=standard_tags(),
        )
    )
    return template.add_resource(
        ecs.Service(
            "Service",
            DependsOn=[balancer.https_listener.title, *(resource.title for resource in needs)],
            ServiceName=physical_name("svc", suffix),
            Cluster=Ref(cluster),
            TaskDefinition=Ref(task),
            LaunchType="FARGATE",
            DesiredCount=desired_count,
            HealthCheckGracePeriodSeconds=60,
            DeploymentConfiguration=ecs.DeploymentConfiguration(
                MinimumHealthyPercent=100,
                MaximumPercent=200,
                DeploymentCircuitBreaker=ecs.DeploymentCircuitBreaker(Enable=True, Rollback=True),
            ),
            NetworkConfiguration=ecs.NetworkConfiguration(
                AwsvpcConfiguration=ecs.AwsvpcConfiguration(
                    AssignPublicIp="DISABLED", Subnets=subnets, SecurityGroups=security_groups
                )
            ),
            LoadBalancers=[
                ecs.LoadBalancer(
                    ContainerName=suffix, ContainerPort=container_port, TargetGroupArn=Ref(balancer.target_group)
                )
            ],
            PropagateTags="SERVICE",
            EnableECSManagedTags=True,
            Tags=standard_tags(),
        )
    )


AUTOSCALING_METRICS = {"cpu": "ECSServiceAverageCPUUtilization", "memory": "ECSServiceAverageMemoryUtilization"}


def add_autoscaling(
    template: Template, suffix: str, cluster, service, minimum, maximum, targets: dict
) -> list[aas.ScalingPolicy]:
    """Target tracking on the service's average utilisation, one policy per metric in
    ``targets`` ({"cpu": percent, "memory": percent}); the largest wins when they disagree."""
    target = template.add_resource(
        aas.ScalableTarget(
            "ServiceScalableTarget",
            ServiceNamespace="ecs",
            ScalableDimension="ecs:service:DesiredCount",
            ResourceId=Sub("service/${Cluster}/${Service}", Cluster=Ref(cluster), Service=GetAtt(service, "Name")),
            MinCapacity=minimum,
            MaxCapacity=maximum,
            Tags=standard_tags(),
        )
    )
    return [
        template.add_resource(_target_tracking(target, suffix, metric, percent)) for metric, percent in targets.items()
    ]


def _target_tracking(target, suffix: str, metric: str, percent) -> aas.ScalingPolicy:
    return aas.ScalingPolicy(
        f"Service{metric.capitalize()}ScalingPolicy",
        PolicyName=physical_name("scaling", f"{suffix}-{metric}"),
        PolicyType="TargetTrackingScaling",
        ScalingTargetId=Ref(target),
        TargetTrackingScalingPolicyConfiguration=aas.TargetTrackingScalingPolicyConfiguration(
            TargetValue=percent,
            ScaleInCooldown=120,
            ScaleOutCooldown=60,
            PredefinedMetricSpecification=aas.PredefinedMetricSpecification(
                PredefinedMetricType=AUTOSCALING_METRICS[metric]
            ),
        ),
    )
