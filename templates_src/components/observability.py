"""Encrypted log groups, the alert topic, alarms and dashboards."""

from __future__ import annotations

import json

from troposphere import GetAtt, Parameter, Ref, Sub, Template, cloudwatch, logs, sns

from ..conventions import physical_name, retain, standard_tags


def add_log_group(template: Template, title: str, name_suffix: str, retention_days, key) -> logs.LogGroup:
    """A log group ``/{env}/{region}/<name_suffix>``: see ``add_named_log_group``."""
    return add_named_log_group(
        template, title, Sub(f"/${{Environment}}/${{AWS::Region}}/{name_suffix}"), retention_days, key
    )


def add_named_log_group(template: Template, title: str, name: Sub, retention_days, key) -> logs.LogGroup:
    """A log group encrypted with ``key``, with a retention (logs are records: retained);
    ``name`` for the groups a service writes to by convention."""
    return template.add_resource(
        retain(
            logs.LogGroup(
                title,
                LogGroupName=name,
                RetentionInDays=retention_days,
                KmsKeyId=GetAtt(key, "Arn"),
                Tags=standard_tags(),
            )
        )
    )


def alert_email_parameter() -> Parameter:
    return Parameter(
        "AlertEmail",
        Type="String",
        Description="Where alarms are sent",
        AllowedPattern=r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$",
    )


def add_alert_topic(template: Template, key, email_parameter, owner: str) -> sns.Topic:
    """SNS topic ``{env}-{region}-sns-{owner}-alerts`` encrypted with the CMK, with an e-mail
    subscription. The owner is in the name: CreateTopic is idempotent by name, so two
    templates sharing one would silently share (and re-key) one topic."""
    topic = template.add_resource(
        sns.Topic(
            "AlertTopic",
            TopicName=physical_name("sns", f"{owner}-alerts"),
            KmsMasterKeyId=Ref(key),
            Tags=standard_tags(),
        )
    )
    template.add_resource(
        sns.SubscriptionResource(
            "AlertEmailSubscription",
            TopicArn=Ref(topic),
            Protocol="email",
            Endpoint=Ref(email_parameter),
        )
    )
    return topic


def _add_alarm(
    template: Template,
    title: str,
    suffix: str,
    description: str,
    threshold,
    topic: sns.Topic,
    evaluation_periods: int,
    **metric,
) -> cloudwatch.Alarm:
    """What every alarm shares: its name, notifications both ways, missing data is fine."""
    return template.add_resource(
        cloudwatch.Alarm(
            title,
            AlarmName=physical_name("alarm", suffix),
            AlarmDescription=description,
            EvaluationPeriods=evaluation_periods,
            Threshold=threshold,
            ComparisonOperator="GreaterThanThreshold",
            TreatMissingData="notBreaching",
            AlarmActions=[Ref(topic)],
            OKActions=[Ref(topic)],
            Tags=standard_tags(),
            **metric,
        )
    )


def _dimensions(dimensions: dict) -> list[cloudwatch.MetricDimension]:
    return [cloudwatch.MetricDimension(Name=k, Value=v) for k, v in dimensions.items()]


def add_alarm(
    template: Template,
    title: str,
    *,
    suffix: str,
    description: str,
    namespace: str,
    metric: str,
    dimensions: dict,
    statistic: str,
    threshold,
    topic: sns.Topic,
    period: int = 60,
    evaluation_periods: int = 5,
    extended_statistic: str | None = None,
) -> cloudwatch.Alarm:
    """An alarm that notifies ``topic`` when the metric crosses ``threshold``."""
    statistic_args = {"ExtendedStatistic": extended_statistic} if extended_statistic else {"Statistic": statistic}
    return _add_alarm(
        template,
        title,
        suffix,
        description,
        threshold,
        topic,
        evaluation_periods,
        Namespace=namespace,
        MetricName=metric,
        Dimensions=_dimensions(dimensions),
        Period=period,
        **statistic_args,
    )


def add_expression_alarm(
    template: Template,
    title: str,
    *,
    suffix: str,
    description: str,
    expression: str,
    label: str,
    metrics: dict,
    threshold,
    topic: sns.Topic,
    period: int = 60,
    evaluation_periods: int = 5,
    result_id: str = "result",
) -> cloudwatch.Alarm:
    """An alarm on metric math: ``metrics`` maps an id used in ``expression`` to
    (namespace, metric, dimensions, statistic); ``result_id`` names the result."""
    queries = [cloudwatch.MetricDataQuery(Id=result_id, Expression=expression, Label=label, ReturnData=True)]
    for query_id, (namespace, metric, dimensions, stat) in metrics.items():
        queries.append(
            cloudwatch.MetricDataQuery(
                Id=query_id,
                ReturnData=False,
                MetricStat=cloudwatch.MetricStat(
                    Metric=cloudwatch.Metric(
                        Namespace=namespace, MetricName=metric, Dimensions=_dimensions(dimensions)
                    ),
                    Period=period,
                    Stat=stat,
                ),
            )
        )
    return _add_alarm(template, title, suffix, description, threshold, topic, evaluation_periods, Metrics=queries)


def add_query_alarm(
    template: Template,
    title: str,
    *,
    suffix: str,
    description: str,
    query,
    label: str,
    threshold,
    topic: sns.Topic,
    period: int = 60,
    evaluation_periods: int = 5,
) -> cloudwatch.Alarm:
    """An alarm on a CloudWatch Metrics Insights query (one series): for metrics whose other
    dimensions vary (an AgentCore gateway's per operation and tool), read by one of them."""
    queries = [cloudwatch.MetricDataQuery(Id="q", Expression=query, Label=label, Period=period, ReturnData=True)]
    return _add_alarm(template, title, suffix, description, threshold, topic, evaluation_periods, Metrics=queries)


def add_metric_filter(
    template: Template, title: str, log_group, pattern: str, metric: str, namespace: str = "FraudDetection"
) -> logs.MetricFilter:
    """Count the JSON log events matching ``pattern`` as ``namespace/metric``, with the
    dimension Environment taken from each event's ``environment`` field (environments
    sharing an account keep their own series)."""
    return template.add_resource(
        logs.MetricFilter(
            title,
            LogGroupName=Ref(log_group),
            FilterPattern=pattern,
            MetricTransformations=[
                logs.MetricTransformation(
                    MetricNamespace=namespace,
                    MetricName=metric,
                    MetricValue="1",
                    Dimensions=[logs.Dimension(Key="Environment", Value="$.environment")],
                )
            ],
        )
    )


def metric_widget(title: str, metrics: list[list], x: int, y: int, stat: str = "Average") -> dict:
    return {
        "type": "metric",
        "x": x,
        "y": y,
        "width": 12,
        "height": 6,
        "properties": {"title": title, "metrics": metrics, "stat": stat, "period": 60, "region": "${AWS::Region}"},
    }


def add_dashboard(template: Template, suffix: str, widgets: list[dict], variables: dict) -> cloudwatch.Dashboard:
    """A dashboard whose body is JSON with ``${...}`` placeholders resolved by Fn::Sub."""
    body = json.dumps({"widgets": widgets}, sort_keys=True)
    return template.add_resource(
        cloudwatch.Dashboard(
            "Dashboard",
            DashboardName=physical_name("dashboard", suffix),
            DashboardBody=Sub(body, **variables),
            Tags=standard_tags(),
        )
    )
