"""ECS Fargate services behind an internal Application Load Balancer.

The load balancer listens on HTTPS only (HTTP answers with a redirect), with a TLS
policy passed in by the template (TLS 1.2+ or TLS 1.3-only).
"""

from __future__ import annotations

from dataclasses import dataclass

from troposphere import GetAtt, Ref, Sub, Template
from troposphere import applicationautoscaling as aas
from troposphere import ecs
from troposphere import elasticloadbalancingv2 as elb

from ..conventions import physical_name, standard_tags

TLS12_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"  # TLS 1.2 and 1.3, forward secrecy only
TLS13_POLICY = "ELBSecurityPolicy-TLS13-1-3-2021-06"  # TLS 1.3 only
HEALTH_CHECK_PATH = "/health"


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


def add_load_balancer(
    template: Template, *, suffix: str, subnets, security_group, vpc_id, certificate_arn, container_port: int, tls_policy: str
) -> LoadBalancer:
    lb = template.add_resource(
        elb.LoadBalancer(
            "LoadBalancer",
            Scheme="internal",
            Type="application",
            Subnets=subnets,
            SecurityGroups=[security_group],
            LoadBalancerAttributes=[
                elb.LoadBalancerAttributes(Key="routing.http.drop_invalid_header_fields.enabled", Value="true"),
                elb.LoadBalancerAttributes(Key="routing.http.desync_mitigation_mode", Value="strictest"),
            ],
            Tags=standard_tags(Name=physical_name("alb", suffix)),
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
            HealthCheckIntervalSeconds=15,
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
    security_group,
    balancer: LoadBalancer,
    desired_count,
    environment: dict,
) -> ecs.Service:
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
            DependsOn=balancer.https_listener.title,
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
                    AssignPublicIp="DISABLED", Subnets=subnets, SecurityGroups=[security_group]
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


def add_cpu_autoscaling(template: Template, cluster, service, minimum, maximum, target_percent) -> aas.ScalingPolicy:
    """Target tracking on the service's average CPU."""
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
    return template.add_resource(
        aas.ScalingPolicy(
            "ServiceCpuScalingPolicy",
            PolicyName=physical_name("scaling", "cpu"),
            PolicyType="TargetTrackingScaling",
            ScalingTargetId=Ref(target),
            TargetTrackingScalingPolicyConfiguration=aas.TargetTrackingScalingPolicyConfiguration(
                TargetValue=target_percent,
                ScaleInCooldown=120,
                ScaleOutCooldown=60,
                PredefinedMetricSpecification=aas.PredefinedMetricSpecification(
                    PredefinedMetricType="ECSServiceAverageCPUUtilization"
                ),
            ),
        )
    )
