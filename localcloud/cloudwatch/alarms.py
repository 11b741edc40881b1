"""AWS::CloudWatch::Alarm on localcloud: a real moto alarm (describe-alarms, set-alarm-state and
drift see it), evaluated when metric data arrives, and notifying its SNS actions when its state
changes, as CloudWatch does:

- a metric alarm (Namespace, MetricName, Dimensions, Statistic, Period) is evaluated over its
  last EvaluationPeriods periods after each PutMetricData of its metric: ALARM when at least
  DatapointsToAlarm (default EvaluationPeriods) periods breach the threshold, OK when periods
  with data do not; a period without data counts as TreatMissingData says (missing and ignore:
  not at all). A metric-math alarm (Metrics) is created but not evaluated offline (docs/localcloud.md);
- a state change (evaluated, or SetAlarmState) runs the actions of the new state when
  ActionsEnabled: each SNS topic gets CloudWatch's notification (Subject
  ``ALARM: "<name>" in <Region name>``, the JSON message of
  https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-sns-notifications.html);
- a topic encrypted with a customer managed key gets it only when the key policy lets
  cloudwatch.amazonaws.com use the key (kms:GenerateDataKey* and kms:Decrypt), else CloudWatch
  cannot publish and the notification is lost, as on AWS
  (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services).
"""

from __future__ import annotations

import json
import operator
from datetime import UTC, datetime, timedelta
from typing import Any

from moto.cloudwatch import models as cloudwatch_models

from cfnops.awsfacts import policy_eval

from ..cloudformation.patches import PutBacked, add_model
from ..core.registry import document, patch, replace, unwrapped
from ..core.values import flag

ALARM = "AWS::CloudWatch::Alarm"
CLOUDWATCH = "cloudwatch.amazonaws.com"
COMPARISONS = {
    "GreaterThanThreshold": operator.gt,
    "GreaterThanOrEqualToThreshold": operator.ge,
    "LessThanThreshold": operator.lt,
    "LessThanOrEqualToThreshold": operator.le,
}
KEY_ACTIONS = ("kms:GenerateDataKey", "kms:Decrypt")


def _backend(account: str, region: str):
    return cloudwatch_models.cloudwatch_backends[account][region]


def _queries(metrics: list[Any]) -> list[cloudwatch_models.MetricDataQuery]:
    """A template's Metrics as moto's metric data queries (moto types every field str; a
    template may leave Label, Period, ReturnData or Unit out, as the API does)."""
    queries = []
    for metric in metrics:
        stat: Any = metric.get("MetricStat") or {}
        watched: Any = stat.get("Metric") or {}
        metric_stat = None
        if watched.get("MetricName"):
            dimensions = [cloudwatch_models.Dimension(d["Name"], d["Value"]) for d in watched.get("Dimensions") or []]
            metric_stat = cloudwatch_models.MetricStat(
                cloudwatch_models.Metric(watched["MetricName"], watched.get("Namespace"), dimensions),
                stat.get("Period"),
                stat.get("Stat"),
                stat.get("Unit"),
            )
        queries.append(
            cloudwatch_models.MetricDataQuery(
                metric["Id"],
                metric.get("Label"),
                metric.get("Period"),
                metric.get("ReturnData"),
                metric.get("Expression"),
                metric_stat,
            )
        )
    return queries


def _put(name: str, properties: dict, account: str, region: str) -> None:
    """PutMetricAlarm with the template's properties; a new alarm starts INSUFFICIENT_DATA, as on AWS."""
    new = name not in _backend(account, region).alarms
    number = lambda key: int(properties[key]) if properties.get(key) is not None else None  # noqa: E731
    _backend(account, region).put_metric_alarm(
        name=name,
        namespace=properties.get("Namespace"),
        metric_name=properties.get("MetricName"),
        comparison_operator=properties.get("ComparisonOperator"),
        evaluation_periods=number("EvaluationPeriods"),
        period=number("Period"),
        threshold=float(properties["Threshold"]) if properties.get("Threshold") is not None else None,
        statistic=properties.get("Statistic"),
        description=properties.get("AlarmDescription"),
        dimensions=properties.get("Dimensions") or [],
        alarm_actions=properties.get("AlarmActions") or [],
        metric_data_queries=_queries(properties.get("Metrics") or []) or None,
        datapoints_to_alarm=number("DatapointsToAlarm"),
        extended_statistic=properties.get("ExtendedStatistic"),
        ok_actions=properties.get("OKActions") or [],
        insufficient_data_actions=properties.get("InsufficientDataActions") or [],
        unit=properties.get("Unit"),
        actions_enabled=flag(properties.get("ActionsEnabled", True)),
        treat_missing_data=properties.get("TreatMissingData"),
        tags=[{"Key": t["Key"], "Value": str(t["Value"])} for t in properties.get("Tags") or []],
    )
    if new:
        _backend(account, region).alarms[name].state_value = "INSUFFICIENT_DATA"


class AlarmResource(PutBacked):
    """Ref: the alarm's name; the alarm itself lives in moto's CloudWatch backend."""

    kind = ALARM
    put = staticmethod(_put)

    def delete(self, account_id: str, region_name: str) -> None:
        _backend(account_id, region_name).delete_alarms([self.physical_resource_id])


add_model(ALARM, AlarmResource)


# --- evaluation ------------------------------------------------------------------------------


def _naive(moment: Any) -> datetime:
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _same_dimensions(alarm, datum) -> bool:
    return {(d.name, d.value) for d in alarm.dimensions} == {(d.name, d.value) for d in datum.dimensions}


def _samples(datum) -> tuple[float, float, float, float]:
    """(sum, minimum, maximum, count) of a datum, a single value or a statistic set."""
    if hasattr(datum, "value"):
        return datum.value, datum.value, datum.value, 1.0
    return datum.sum_stat, datum.min_stat, datum.max_stat, datum.sample_count


def _statistic(name: str, data: list) -> float:
    samples = [_samples(d) for d in data]
    total, count = sum(s[0] for s in samples), sum(s[3] for s in samples)
    return {
        "Sum": total,
        "SampleCount": count,
        "Average": total / count if count else 0.0,
        "Minimum": min(s[1] for s in samples),
        "Maximum": max(s[2] for s in samples),
    }[name]


def _periods(alarm, backend, now: datetime) -> list[bool | None]:
    """Per period, newest first: breaching, not breaching, or None (no data, not counted)."""
    data = [
        d
        for d in backend.metric_data
        if d.namespace == alarm.namespace and d.name == alarm.metric_name and _same_dimensions(alarm, d)
    ]
    verdicts: list[bool | None] = []
    for k in range(int(alarm.evaluation_periods)):
        start, end = now - timedelta(seconds=(k + 1) * alarm.period), now - timedelta(seconds=k * alarm.period)
        inside = [d for d in data if start < _naive(d.timestamp) <= end]
        if inside:
            verdicts.append(
                COMPARISONS[alarm.comparison_operator](_statistic(alarm.statistic, inside), alarm.threshold)
            )
        else:
            verdicts.append({"breaching": True, "notBreaching": False}.get(alarm.treat_missing_data or "missing"))
    return verdicts


def evaluate(alarm, backend) -> None:
    """The alarm's state from its recent periods (metric alarms on a plain statistic only)."""
    if not alarm.metric_name or alarm.comparison_operator not in COMPARISONS or alarm.statistic is None:
        return
    verdicts = [v for v in _periods(alarm, backend, datetime.now(UTC).replace(tzinfo=None)) if v is not None]
    if not verdicts:
        return
    breaching = sum(verdicts)
    state = "ALARM" if breaching >= int(alarm.datapoints_to_alarm or alarm.evaluation_periods) else "OK"
    if state != alarm.state_value:
        reason = (
            f"Threshold Crossed: {breaching} out of the last {len(verdicts)} datapoints "
            f"{'were' if state == 'ALARM' else 'were not'} {alarm.comparison_operator} the threshold ({alarm.threshold})."
        )
        alarm.update_state(reason, json.dumps({"version": "1.0"}), state)


@patch(
    "PutMetricData evaluates the alarms on the metric it writes, as CloudWatch does (moto never changes an alarm's state)"
)
def _evaluate_on_put_metric_data() -> None:
    put = unwrapped(cloudwatch_models.CloudWatchBackend, "put_metric_data")

    def put_metric_data(self, namespace: str, metric_data: list[dict[str, Any]]) -> None:
        put(self, namespace, metric_data)
        names = {m["MetricName"] for m in metric_data}
        for alarm in list(self.alarms.values()):
            if alarm.namespace == namespace and alarm.metric_name in names:
                evaluate(alarm, self)

    replace(cloudwatch_models.CloudWatchBackend, "put_metric_data", put_metric_data)


# --- notification ------------------------------------------------------------------------------


def region_name(region: str) -> str:
    import botocore.session

    for partition in botocore.session.get_session().get_data("endpoints")["partitions"]:
        if region in partition["regions"]:
            return partition["regions"][region]["description"]
    return region


def message(alarm, account: str, old_state: str) -> dict:
    """CloudWatch's notification of an alarm's state change."""
    return {
        "AlarmName": alarm.name,
        "AlarmDescription": alarm.description,
        "AWSAccountId": account,
        "AlarmConfigurationUpdatedTimestamp": alarm.configuration_updated_timestamp.isoformat() + "Z",
        "NewStateValue": alarm.state_value,
        "NewStateReason": alarm.state_reason,
        "StateChangeTime": alarm.state_updated_timestamp.isoformat() + "Z",
        "Region": region_name(alarm.region_name),
        "AlarmArn": alarm.alarm_arn,
        "OldStateValue": old_state,
        "OKActions": alarm.ok_actions,
        "AlarmActions": alarm.alarm_actions,
        "InsufficientDataActions": alarm.insufficient_data_actions,
        "Trigger": {
            "MetricName": alarm.metric_name,
            "Namespace": alarm.namespace,
            "StatisticType": "Statistic",
            "Statistic": (alarm.statistic or "").upper(),
            "Unit": alarm.unit,
            "Dimensions": [{"name": d.name, "value": d.value} for d in alarm.dimensions],
            "Period": alarm.period,
            "EvaluationPeriods": alarm.evaluation_periods,
            "ComparisonOperator": alarm.comparison_operator,
            "Threshold": alarm.threshold,
            "TreatMissingData": alarm.treat_missing_data or "missing",
        },
    }


def cloudwatch_may_use_key(topic, account: str, region: str, alarm_arn: str) -> bool:
    """True when the topic is unencrypted or its key's policy lets CloudWatch encrypt for it."""
    from moto.kms.models import kms_backends

    if not topic.kms_master_key_id:
        return True
    kms = kms_backends[account][region]
    name = kms.get_alias_name(topic.kms_master_key_id)
    key_id = kms.get_key_id_from_alias(name) if name.startswith("alias/") else kms.get_key_id(name)
    key = kms.keys.get(key_id or "")
    if key is None:  # a key that does not exist: CloudWatch cannot use it either
        return False
    if key.key_manager == "AWS":  # alias/aws/sns: CloudWatch cannot use the AWS managed key
        return False
    document = json.loads(key.policy) if isinstance(key.policy, (str, bytes)) else key.policy
    statements = [s for s in document.get("Statement", []) if _names_cloudwatch(s.get("Principal"))]
    context = {"aws:SourceAccount": account, "aws:SourceArn": alarm_arn}
    return all(policy_eval.evaluate([{"Statement": statements}], a, key.arn, context).allowed for a in KEY_ACTIONS)


def _names_cloudwatch(principal: Any) -> bool:
    if principal == "*":
        return True
    services = principal.get("Service", []) if isinstance(principal, dict) else []
    return CLOUDWATCH in (services if isinstance(services, list) else [services])


def notify(alarm, old_state: str) -> None:
    """Publish the state change to every SNS topic among the new state's actions."""
    from moto.sns.models import sns_backends

    actions = {
        "ALARM": alarm.alarm_actions,
        "OK": alarm.ok_actions,
        "INSUFFICIENT_DATA": alarm.insufficient_data_actions,
    }
    account = alarm.alarm_arn.split(":")[4]
    for action in actions.get(alarm.state_value) or []:
        parts = action.split(":")
        if len(parts) < 6 or parts[2] != "sns" or parts[4] != account:
            continue  # another account's topic or another kind of action: not modelled offline
        backend = sns_backends[account][parts[3]]
        topic = backend.topics.get(action)
        if topic is None or not cloudwatch_may_use_key(topic, account, parts[3], alarm.alarm_arn):
            continue  # CloudWatch cannot publish: the notification is lost, as on AWS
        subject = f'{alarm.state_value}: "{alarm.name}" in {region_name(alarm.region_name)}'
        backend.publish(json.dumps(message(alarm, account, old_state)), arn=action, subject=subject[:100])


@patch("an alarm's state change runs its SNS actions (moto records the state only)")
def _notify_on_state_change() -> None:
    update = unwrapped(cloudwatch_models.Alarm, "update_state")

    def update_state(self, reason: str, reason_data: str, state_value: str) -> None:
        old_state = self.state_value
        update(self, reason, reason_data, state_value)
        if state_value != old_state and self.actions_enabled:
            notify(self, old_state)

    replace(cloudwatch_models.Alarm, "update_state", update_state)


__doc__ = document(__doc__, __name__)
