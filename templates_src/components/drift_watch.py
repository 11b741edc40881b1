"""The drift watch (template drift-watch, one StackSet per environment in the administrator
region): EventBridge Scheduler runs a function in the administrator
region on a schedule (parameter DriftWatchExpression, every 6 hours unless set); it starts
DetectStackSetDrift on each of the environment's StackSets and records CloudWatch metrics
(handlers/drift_watch.py); an alarm on the environment's drifted resources notifies the
environment's drift topic, and so does CloudFormation's own "CloudFormation Drift Detection
Status Change" event for a stack of this region found DRIFTED
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/event-detail-stack-drift-detection-change.html).

Least privilege: the function may start and read drift detections of the named StackSets only,
in this region and account, and put metrics in its own namespace only.
"""

from __future__ import annotations

import awacs.awslambda
import awacs.cloudformation
import awacs.cloudwatch
import awacs.kms
import awacs.sns
from awacs.aws import Allow, ArnEquals, Condition, Principal, Statement, StringEquals
from troposphere import GetAtt, Parameter, Ref, Sub, Template, cloudwatch, events, scheduler, sns

from .. import policies
from ..conventions import physical_name, standard_tags, suppress
from ..handlers import source
from . import encryption, functions, identity, observability
from . import events as platform_events

NAMESPACE = "cfnops/Drift"
DEFAULT_SCHEDULE = "rate(6 hours)"
LOG_RETENTION_DAYS = 90
DRIFT_EVENT = "CloudFormation Drift Detection Status Change"


def _stackset_arns(names: list[str]) -> list[Sub]:
    return [
        Sub(f"arn:${{AWS::Partition}}:cloudformation:${{AWS::Region}}:${{AWS::AccountId}}:stackset/{n}:*")
        for n in names
    ]


def _function_statements(names: list[str], key) -> list[Statement]:
    return [
        policies.allow(
            policies.actions(
                awacs.cloudformation.DetectStackSetDrift,
                awacs.cloudformation.DescribeStackSetOperation,
                awacs.cloudformation.ListStackInstances,
                awacs.cloudformation.ListStackInstanceResourceDrifts,
            ),
            _stackset_arns(names),
        ),
        policies.allow(
            policies.actions(awacs.cloudwatch.PutMetricData),
            ["*"],  # PutMetricData has no resource ARN; the namespace is the condition
            Condition=Condition(StringEquals("cloudwatch:namespace", NAMESPACE)),
        ),
        policies.kms_use_statement(GetAtt(key, "Arn"), awacs.kms.Decrypt, awacs.kms.GenerateDataKey),
    ]


def _schedule(template: Template, function) -> scheduler.Schedule:
    role = identity.add_role(
        template,
        "DriftWatchSchedulerRole",
        "drift-watch-scheduler",
        policies.service_trust_for_account("scheduler.amazonaws.com"),
        "EventBridge Scheduler invokes the drift watch function, and nothing else",
        [policies.allow(policies.actions(awacs.awslambda.InvokeFunction), [GetAtt(function, "Arn")])],
    )
    return template.add_resource(
        scheduler.Schedule(
            "DriftWatchSchedule",
            Name=physical_name("schedule", "drift-watch"),
            Description="cfnops drift watch: DetectStackSetDrift on the environment's StackSets",
            ScheduleExpression=Ref("DriftWatchExpression"),
            FlexibleTimeWindow=scheduler.FlexibleTimeWindow(Mode="OFF"),
            State="ENABLED",
            Target=scheduler.Target(Arn=GetAtt(function, "Arn"), RoleArn=GetAtt(role, "Arn")),
        )
    )


def _notifications(template: Template, key, dead_letter_queue) -> sns.Topic:
    topic = template.add_resource(
        sns.Topic(
            "DriftTopic",
            TopicName=physical_name("sns", "drift-alerts"),
            KmsMasterKeyId=Ref(key),
            Tags=standard_tags(),
        )
    )
    rule = template.add_resource(
        events.Rule(
            "DriftedStackRule",
            Description="CloudFormation found a stack of this region drifted",
            EventPattern={
                "source": ["aws.cloudformation"],
                "detail-type": [DRIFT_EVENT],
                "detail": {"status-details": {"stack-drift-status": ["DRIFTED"]}},
            },
            State="ENABLED",
            Targets=[events.Target(Id="drift-topic", Arn=Ref(topic), **platform_events.delivery(dead_letter_queue))],
            Tags=standard_tags(),
        )
    )
    platform_events.allow_dead_lettering(template, "DriftWatchDeadLetterPolicy", dead_letter_queue, [rule])
    template.add_resource(
        sns.TopicPolicy(
            "DriftTopicPolicy",
            Topics=[Ref(topic)],
            PolicyDocument=policies.document(
                Statement(
                    Effect=Allow,
                    Principal=Principal("Service", ["events.amazonaws.com"]),
                    Action=policies.actions(awacs.sns.Publish),
                    Resource=[Ref(topic)],
                    Condition=Condition(ArnEquals("aws:SourceArn", GetAtt(rule, "Arn"))),
                )
            ),
        )
    )
    return topic


def _alarm(template: Template, topic) -> cloudwatch.Alarm:
    """ALARM while the last detection found drift: missing data (between schedules) keeps the state."""
    return template.add_resource(
        cloudwatch.Alarm(
            "DriftedResourcesAlarm",
            AlarmName=physical_name("alarm", "drifted-resources"),
            AlarmDescription="The drift watch found resources drifted from their templates (make drift ENV=...)",
            Namespace=NAMESPACE,
            MetricName="DriftedResources",
            Dimensions=[cloudwatch.MetricDimension(Name="Environment", Value=Ref("Environment"))],
            Statistic="Maximum",
            Period=3600,
            EvaluationPeriods=1,
            Threshold=0,
            ComparisonOperator="GreaterThanThreshold",
            TreatMissingData="missing",
            AlarmActions=[Ref(topic)],
            OKActions=[Ref(topic)],
            Tags=standard_tags(),
        )
    )


def add_drift_watch(template: Template, stacksets: list[str]) -> None:
    """``stacksets``: the environment's StackSet names (``${Environment}`` in them)."""
    template.add_parameter(
        Parameter(
            "DriftWatchExpression",
            Type="String",
            Default=DEFAULT_SCHEDULE,
            AllowedPattern=r"^(rate\([1-9][0-9]* (minute|minutes|hour|hours|day|days)\)|cron\(.+\))$",
            Description="When the drift watch runs (EventBridge Scheduler expression)",
        )
    )
    key = encryption.add_kms_key(
        template,
        "DriftWatchKey",
        "drift watch",
        [
            policies.logs_key_user(),
            ("cloudwatch.amazonaws.com", policies.source_account_condition()),
            ("events.amazonaws.com", None),  # EventBridge's KMS calls carry no aws:SourceAccount nor SourceArn
        ],
    )
    log_group = observability.add_log_group(template, "DriftWatchLogGroup", "drift-watch", LOG_RETENTION_DAYS, key)
    queue = functions.add_dead_letter_queue(template, "DriftWatchDeadLetterQueue", "drift-watch", key)
    role = functions.add_function_role(
        template, "DriftWatchRole", "drift-watch", log_group, queue, _function_statements(stacksets, key), vpc_id=None
    )
    function = functions.add_inline_function(
        template,
        title="DriftWatchFunction",
        suffix="drift-watch",
        code=source("drift_watch"),
        memory=256,
        reserved_concurrency=1,  # one run at a time: DetectStackSetDrift allows one detection per StackSet
        role=role,
        key=key,
        log_group=log_group,
        dead_letter_queue=queue,
        subnets=None,
        security_group=None,
        timeout=900,
        environment={
            "STACKSETS": Sub(",".join(stacksets)),
            "ENVIRONMENT": Ref("Environment"),
            "NAMESPACE": NAMESPACE,
        },
    )
    suppress(function, "CKV_AWS_117", "calls AWS APIs only; bootstrap comes before any VPC of the platform")
    _schedule(template, function)
    _alarm(template, _notifications(template, key, queue))
