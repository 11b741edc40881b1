"""PutLogEvents feeds the group's metric filters, as CloudWatch Logs does: each accepted event a
JSON filter pattern matches (``filter_patterns``) publishes each of the filter's transformations
to CloudWatch (its namespace and metric, MetricValue as a number, at the event's timestamp), so
the alarms on that metric are evaluated (``cloudwatch/alarms.py``). moto stores metric filters
but never counts an event. Dimensions, ``$.field`` metric values and space-delimited or term
patterns are not modelled: such a filter publishes nothing offline.
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/MonitoringLogData.html)
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from moto.cloudwatch.models import cloudwatch_backends
from moto.logs import models as logs_models

from ..core.registry import patch, replace, unwrapped
from . import filter_patterns


def _datum(transformation: dict, timestamp_ms: int) -> dict | None:
    value = filter_patterns.NUMBER.fullmatch(str(transformation.get("metricValue", "")))
    if value is None or transformation.get("dimensions"):
        return None
    return {
        "MetricName": transformation["metricName"],
        "Value": float(value.group(0)),
        "Timestamp": datetime.fromtimestamp(timestamp_ms / 1000, UTC),
    }


def _publish(backend, log_group_name: str, events: list[dict[str, Any]]) -> None:
    metrics = cloudwatch_backends[backend.account_id][backend.region_name]
    for metric_filter in backend.filters.get_matching_filters(log_group_name=log_group_name):
        if not filter_patterns.is_json_pattern(metric_filter["filterPattern"]):
            continue
        matches = filter_patterns.compile_json(metric_filter["filterPattern"])
        for event in (e for e in events if matches(e["message"])):
            for transformation in metric_filter["metricTransformations"]:
                datum = _datum(transformation, event["timestamp"])
                if datum is not None:
                    metrics.put_metric_data(transformation["metricNamespace"], [datum])


@patch("PutLogEvents counts its events in the group's metric filters (moto never does)")
def _count_in_metric_filters() -> None:
    put = unwrapped(logs_models.LogsBackend, "put_log_events")

    def put_log_events(self, log_group_name: str, log_stream_name: str, log_events: list[dict[str, Any]]):
        token, rejected = put(self, log_group_name, log_stream_name, log_events)
        _publish(self, log_group_name, [e for e in log_events if _accepted(e["timestamp"])])
        return token, rejected

    replace(logs_models.LogsBackend, "put_log_events", put_log_events)


def _accepted(timestamp_ms: int) -> bool:
    """What PutLogEvents keeps: events of the last 14 days up to 2 hours ahead (moto checks the same)."""
    now = datetime.now(UTC)
    return (
        (now - timedelta(days=14)).timestamp() * 1000 <= timestamp_ms <= (now + timedelta(hours=2)).timestamp() * 1000
    )
