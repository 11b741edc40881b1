"""Readers of what notifies people: CloudWatch alarms (localcloud/cloudwatch/alarms.py makes them
real), the metric filters that feed them (localcloud/logs/metric_filters.py) and SNS
subscriptions (localcloud/sns/subscriptions.py). Each turns the emulated resource
into CloudFormation's property shape (Missing when it is gone), as readers.py does: an alarm
whose threshold, actions, metric or metric-math queries (Metrics, compared whole at /Metrics) was
changed by hand is NOT_EQUAL there, an unsubscribed
endpoint is DELETED."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ..core.values import flag
from .readers import Target, _backend, _or_missing


def _alarm_of(target: Target):
    return _backend("cloudwatch", "cloudwatch_backends", target.account, target.region).alarms.get(target.physical_id)


def _alarm(target: Target) -> dict:
    alarm = _or_missing(_alarm_of(target))
    return {
        "AlarmName": alarm.name,
        "AlarmDescription": alarm.description,
        "Namespace": alarm.namespace,
        "MetricName": alarm.metric_name,
        "Dimensions": dimensions([{"Name": d.name, "Value": d.value} for d in alarm.dimensions]),
        "Statistic": alarm.statistic,
        "Period": alarm.period,
        "EvaluationPeriods": alarm.evaluation_periods,
        "DatapointsToAlarm": alarm.datapoints_to_alarm,
        "Threshold": alarm.threshold,
        "ComparisonOperator": alarm.comparison_operator,
        "TreatMissingData": alarm.treat_missing_data,
        "ActionsEnabled": alarm.actions_enabled,
        "AlarmActions": sorted(alarm.alarm_actions),
        "OKActions": sorted(alarm.ok_actions),
        "InsufficientDataActions": sorted(alarm.insufficient_data_actions),
        "Metrics": metrics([_query(q) for q in alarm.metric_data_queries]) if alarm.metric_data_queries else None,
    }


def _query(query) -> dict:
    """moto's metric data query in the template's shape."""
    stat = query.metric_stat
    return {
        "Id": query.id,
        "Label": query.label,
        "Expression": query.expression,
        "Period": query.period,
        "ReturnData": query.return_data,
        "MetricStat": {
            "Metric": {
                "Namespace": stat.metric.namespace,
                "MetricName": stat.metric.metric_name,
                "Dimensions": [{"Name": d.name, "Value": d.value} for d in stat.metric.dimensions],
            },
            "Period": stat.period,
            "Stat": stat.stat,
            "Unit": stat.unit,
        }
        if stat is not None
        else None,
    }


def _present(value: dict) -> dict:
    return {key: item for key, item in value.items() if item is not None}


def metrics(value: Any) -> Any:
    """A metric-math alarm's Metrics on both sides in one shape: fields left out are absent, periods
    numbers, ReturnData a boolean (CloudWatch's default true), a metric's dimensions a set."""
    if not isinstance(value, list):
        return value
    shaped = []
    for query in value:
        stat = query.get("MetricStat")
        one = {
            **_present({k: query.get(k) for k in ("Id", "Label", "Expression", "AccountId")}),
            "ReturnData": flag(query.get("ReturnData", True)),
        }
        if query.get("Period") is not None:
            one["Period"] = int(query["Period"])
        if stat:
            metric = stat.get("Metric") or {}
            one["MetricStat"] = _present(
                {
                    "Metric": _present(
                        {
                            "Namespace": metric.get("Namespace"),
                            "MetricName": metric.get("MetricName"),
                            "Dimensions": dimensions(metric.get("Dimensions") or []) or None,
                        }
                    ),
                    "Period": int(stat["Period"]) if stat.get("Period") is not None else None,
                    "Stat": stat.get("Stat"),
                    "Unit": stat.get("Unit"),
                }
            )
        shaped.append(one)
    return shaped


def dimensions(value: Any) -> Any:
    """Dimensions as a set: CloudWatch identifies a metric by them whatever their order."""
    if not isinstance(value, list):
        return value
    return sorted(value, key=lambda d: json.dumps(d, sort_keys=True))


def _alarm_tags(target: Target) -> dict[str, str]:
    alarm = _alarm_of(target)
    backend = _backend("cloudwatch", "cloudwatch_backends", target.account, target.region)
    return dict(backend.tagger.get_tag_dict_for_resource(alarm.alarm_arn)) if alarm is not None else {}


def _subscription(target: Target) -> dict:
    parts = target.physical_id.split(":")
    backend = _backend("sns", "sns_backends", parts[4], parts[3]) if len(parts) > 5 else None
    subscription = _or_missing(backend.subscriptions.get(target.physical_id) if backend is not None else None)
    attributes = subscription.attributes
    return {
        "TopicArn": subscription.topic_arn,
        "Protocol": subscription.protocol,
        "Endpoint": subscription.endpoint,
        "RawMessageDelivery": attributes.get("RawMessageDelivery"),
        "FilterPolicy": json.loads(attributes["FilterPolicy"]) if attributes.get("FilterPolicy") else None,
        "FilterPolicyScope": attributes.get("FilterPolicyScope"),
        "RedrivePolicy": json.loads(attributes["RedrivePolicy"]) if attributes.get("RedrivePolicy") else None,
    }


def _metric_filter(target: Target) -> dict:
    from ..logs.metric_filters import template_transformation

    backend = _backend("logs", "logs_backends", target.account, target.region)
    group = target.expected.get("LogGroupName")
    found = [
        f for f in backend.filters.metric_filters if (f["filterName"], f["logGroupName"]) == (target.physical_id, group)
    ]
    latest = _or_missing(found[-1] if found else None)  # moto appends a filter put again: the last is current
    return {
        "LogGroupName": latest["logGroupName"],
        "FilterPattern": latest["filterPattern"],
        "MetricTransformations": [template_transformation(t) for t in latest["metricTransformations"]],
    }


def transformations(value: Any) -> Any:
    """Metric transformations with their dimensions by key, as CloudWatch Logs keeps them (a map)."""
    if not isinstance(value, list):
        return value
    return [
        {**t, "Dimensions": sorted(t["Dimensions"], key=lambda d: str(d.get("Key")))} if t.get("Dimensions") else t
        for t in value
        if isinstance(t, dict)
    ]


READERS: dict[str, Callable[[Target], dict]] = {
    "AWS::CloudWatch::Alarm": _alarm,
    "AWS::Logs::MetricFilter": _metric_filter,
    "AWS::SNS::Subscription": _subscription,
}

TAGS: dict[str, Callable[[Target], dict[str, str]]] = {"AWS::CloudWatch::Alarm": _alarm_tags}

PROJECTIONS: dict[tuple[str, str], Callable[[Any], Any]] = {
    ("AWS::Logs::MetricFilter", "MetricTransformations"): transformations,
    ("AWS::CloudWatch::Alarm", "Dimensions"): dimensions,
    ("AWS::CloudWatch::Alarm", "Metrics"): metrics,
    ("AWS::CloudWatch::Alarm", "AlarmActions"): lambda value: sorted(value) if isinstance(value, list) else value,
    ("AWS::CloudWatch::Alarm", "OKActions"): lambda value: sorted(value) if isinstance(value, list) else value,
    ("AWS::CloudWatch::Alarm", "InsufficientDataActions"): lambda value: (
        sorted(value) if isinstance(value, list) else value
    ),
}
