"""The audit trail's alarms (AWS Security Hub CloudWatch.1-14, CIS AWS Foundations, PCI DSS):
one metric filter per control on the trail's log group, each with the exact pattern CIS
prescribes (``awsfacts.cis_metric_filters``), counted in ``CloudTrailMetrics/<name>``, and an
alarm on any event in five minutes that notifies the account's audit topic (CMK-encrypted,
e-mailed to ``AuditAlertEmail`` when given), everything under the trail's condition.
"""

from __future__ import annotations

from troposphere import And, Condition, Equals, Not, Parameter, Ref, Template, logs, sns

from cfnops.awsfacts.cis_metric_filters import CONTROLS, Control

from ..conventions import physical_name, standard_tags
from . import observability

NAMESPACE = "CloudTrailMetrics"
EMAIL_PARAMETER = "AuditAlertEmail"
PERIOD_SECONDS = 300


def _email_parameter() -> Parameter:
    return Parameter(
        EMAIL_PARAMETER,
        Type="String",
        Default="",
        Description="Who gets the audit trail's alarms (root use, IAM and network changes, ...); empty: subscribe by hand",
        AllowedPattern=r"^([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})?$",
    )


def add_topic(template: Template, key, condition: str) -> sns.Topic:
    """The account's audit topic, with an e-mail subscription when an address is given."""
    template.add_parameter(_email_parameter())
    subscribed = f"{condition}AndAuditAlertEmail"
    template.add_condition(subscribed, And(Condition(condition), Not(Equals(Ref(EMAIL_PARAMETER), ""))))
    topic = template.add_resource(
        sns.Topic(
            "AuditAlertTopic",
            Condition=condition,
            TopicName=physical_name("sns", "audit-alerts"),
            KmsMasterKeyId=Ref(key),
            Tags=standard_tags(),
        )
    )
    template.add_resource(
        sns.SubscriptionResource(
            "AuditAlertEmailSubscription",
            Condition=subscribed,
            TopicArn=Ref(topic),
            Protocol="email",
            Endpoint=Ref(EMAIL_PARAMETER),
        )
    )
    return topic


def _add_control(template: Template, control: Control, group, topic: sns.Topic, condition: str) -> None:
    template.add_resource(
        logs.MetricFilter(
            f"{control.name}Filter",
            Condition=condition,
            LogGroupName=Ref(group),
            FilterPattern=control.pattern,
            MetricTransformations=[
                logs.MetricTransformation(MetricNamespace=NAMESPACE, MetricName=control.name, MetricValue="1")
            ],
        )
    )
    alarm = observability.add_alarm(
        template,
        f"{control.name}Alarm",
        suffix=f"audit-{control.name}",
        description=f"CloudTrail saw {control.watches} (Security Hub CloudWatch.{control.number}: {control.url})",
        namespace=NAMESPACE,
        metric=control.name,
        dimensions={},
        statistic="Sum",
        threshold=0,
        topic=topic,
        period=PERIOD_SECONDS,
        evaluation_periods=1,
    )
    alarm.Condition = condition


def add_alarms(template: Template, group, key, condition: str) -> sns.Topic:
    """Every control's filter and alarm on ``group``, notifying a new topic encrypted with ``key``."""
    topic = add_topic(template, key, condition)
    for control in CONTROLS:
        _add_control(template, control, group, topic, condition)
    return topic
