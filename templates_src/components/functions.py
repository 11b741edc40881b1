"""Lambda functions: in the VPC, traced, encrypted environment, a KMS-encrypted dead-letter
queue, logs to a named log group with retention, least-privilege execution role."""

from __future__ import annotations

import awacs.ec2
import awacs.sqs
import awacs.xray
from awacs.aws import ArnEquals, Condition
from troposphere import GetAtt, Parameter, Ref, Sub, Template, awslambda, sqs

from .. import policies
from ..conventions import physical_name, retain, standard_tags
from .identity import add_role

DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 3600
# Lambda manages the network interfaces of a function in a VPC, with the function's role.
ENI_WRITE_ACTIONS = (
    awacs.ec2.CreateNetworkInterface,
    awacs.ec2.DeleteNetworkInterface,
    awacs.ec2.AssignPrivateIpAddresses,
    awacs.ec2.UnassignPrivateIpAddresses,
)


def add_dead_letter_queue(template: Template, title: str, suffix: str, key) -> sqs.Queue:
    return template.add_resource(
        retain(
            sqs.Queue(
                title,
                QueueName=physical_name("dlq", suffix),
                KmsMasterKeyId=Ref(key),
                MessageRetentionPeriod=DEAD_LETTER_RETENTION_SECONDS,
                Tags=standard_tags(),
            )
        )
    )


def _ec2_arn(kind: str) -> Sub:
    return Sub(f"arn:${{AWS::Partition}}:ec2:${{AWS::Region}}:${{AWS::AccountId}}:{kind}/*")


def network_interface_statements(vpc_id) -> list:
    """Lambda's network interfaces for a function in the VPC ``vpc_id``, and in no other: IAM
    gives ``ec2:Vpc`` for the subnet and security group a new interface is created in, and for
    an existing interface, not for the interface being created
    (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html)."""
    in_vpc = Condition(
        ArnEquals("ec2:Vpc", Sub("arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:vpc/${Vpc}", Vpc=vpc_id))
    )
    return [
        policies.allow(policies.actions(awacs.ec2.CreateNetworkInterface), [_ec2_arn("network-interface")]),
        policies.allow(
            policies.actions(*ENI_WRITE_ACTIONS),
            [_ec2_arn("subnet"), _ec2_arn("security-group"), _ec2_arn("network-interface")],
            Condition=in_vpc,
        ),
        policies.allow(policies.actions(awacs.ec2.DescribeNetworkInterfaces), ["*"]),  # accepts no resource ARN
    ]


def add_function_role(
    template: Template, title: str, suffix: str, log_group, dead_letter_queue, extra_statements, vpc_id
) -> object:
    """``vpc_id``: the VPC the function runs in (its role manages network interfaces there
    only); None: a function outside any VPC, whose role has no network interface actions."""
    statements = [
        policies.log_delivery_statement(GetAtt(log_group, "Arn")),
        *(network_interface_statements(vpc_id) if vpc_id is not None else []),
        policies.allow(
            policies.actions(awacs.xray.PutTraceSegments, awacs.xray.PutTelemetryRecords), ["*"]
        ),  # no resource-level ARNs
        policies.allow(policies.actions(awacs.sqs.SendMessage), [GetAtt(dead_letter_queue, "Arn")]),
        *extra_statements,
    ]
    return add_role(
        template,
        title,
        suffix,
        policies.service_trust_for_account("lambda.amazonaws.com"),
        f"Execution role of the {suffix} function",
        statements,
    )


INLINE_RUNTIME = "python3.12"


def alarm_parameters() -> list[Parameter]:
    """The thresholds of a function's error and duration alarms."""
    return [
        Parameter(
            "ErrorThreshold",
            Type="Number",
            MinValue=1,
            MaxValue=10000,
            Description="Function errors per minute that alarm",
        ),
        Parameter(
            "DurationThresholdMs",
            Type="Number",
            MinValue=100,
            MaxValue=900000,
            Description="Average duration that alarms, ms",
        ),
    ]


def _add_function(
    template: Template,
    *,
    title: str,
    suffix: str,
    code: dict,
    memory,
    reserved_concurrency,
    role,
    key,
    log_group,
    dead_letter_queue,
    subnets,
    security_group,
    environment: dict,
    timeout: int,
) -> awslambda.Function:
    """In the VPC (unless ``subnets`` is None), traced, environment encrypted with the CMK, a
    dead-letter queue, its own log group."""
    network = (
        {}
        if subnets is None
        else dict(VpcConfig=awslambda.VPCConfig(SubnetIds=subnets, SecurityGroupIds=[security_group]))
    )
    return template.add_resource(
        awslambda.Function(
            title,
            FunctionName=physical_name("lambda", suffix),
            Role=GetAtt(role, "Arn"),
            MemorySize=memory,
            Timeout=timeout,
            ReservedConcurrentExecutions=reserved_concurrency,
            **network,
            TracingConfig=awslambda.TracingConfig(Mode="Active"),
            KmsKeyArn=GetAtt(key, "Arn"),
            DeadLetterConfig=awslambda.DeadLetterConfig(TargetArn=GetAtt(dead_letter_queue, "Arn")),
            Environment=awslambda.Environment(Variables=dict(sorted(environment.items()))),
            LoggingConfig=awslambda.LoggingConfig(LogGroup=Ref(log_group)),
            Tags=standard_tags(),
            **code,
        )
    )


def add_container_function(template: Template, *, image_uri, timeout: int = 30, **settings) -> awslambda.Function:
    """A function from a container image (PackageType Image)."""
    return _add_function(
        template, code=dict(PackageType="Image", Code=awslambda.Code(ImageUri=image_uri)), timeout=timeout, **settings
    )


def add_inline_function(template: Template, *, code: str, timeout: int = 30, **settings) -> awslambda.Function:
    """A small Python function whose source is in the template (handler ``index.handler``)."""
    return _add_function(
        template,
        code=dict(Runtime=INLINE_RUNTIME, Handler="index.handler", Code=awslambda.Code(ZipFile=code)),
        timeout=timeout,
        **settings,
    )
