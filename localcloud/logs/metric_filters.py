"""AWS::Logs::MetricFilter on localcloud: a real filter of moto's log group (describe-metric-filters
and drift see it), in the API's shape (metricName, metricNamespace, metricValue, dimensions as a
map). The physical id is the filter's name (FilterName, or CloudFormation's generated name); an
update puts it again under that name, deletion deletes it."""

from __future__ import annotations

from moto.logs.models import logs_backends

from ..cloudformation.patches import PutBacked, add_model

METRIC_FILTER = "AWS::Logs::MetricFilter"
TRANSFORMATION_FIELDS = {
    "MetricName": "metricName",
    "MetricNamespace": "metricNamespace",
    "MetricValue": "metricValue",
    "DefaultValue": "defaultValue",
    "Unit": "unit",
}


def api_transformation(transformation: dict) -> dict:
    """A template's MetricTransformation in the API's shape."""
    shape = {api: transformation[name] for name, api in TRANSFORMATION_FIELDS.items() if name in transformation}
    if transformation.get("Dimensions"):
        shape["dimensions"] = {d["Key"]: d["Value"] for d in transformation["Dimensions"]}
    return shape


def template_transformation(transformation: dict) -> dict:
    """The API's metric transformation in the template's shape."""
    shape = {name: transformation[api] for name, api in TRANSFORMATION_FIELDS.items() if api in transformation}
    if transformation.get("dimensions"):
        shape["Dimensions"] = [{"Key": k, "Value": v} for k, v in sorted(transformation["dimensions"].items())]
    return shape


def _put(name: str, properties: dict, account: str, region: str) -> None:
    backend = logs_backends[account][region]
    backend.delete_metric_filter(name, properties["LogGroupName"])  # PutMetricFilter replaces one of that name
    backend.put_metric_filter(
        name,
        properties.get("FilterPattern", ""),
        properties["LogGroupName"],
        [api_transformation(t) for t in properties.get("MetricTransformations") or []],  # type: ignore[arg-type]  # moto types it str
    )


class MetricFilterResource(PutBacked):
    """Ref: the filter's name; the filter itself lives in moto's CloudWatch Logs backend."""

    kind = METRIC_FILTER
    put = staticmethod(_put)

    def delete(self, account_id: str, region_name: str) -> None:
        logs_backends[account_id][region_name].delete_metric_filter(
            self.physical_resource_id, self._properties["LogGroupName"]
        )


add_model(METRIC_FILTER, MetricFilterResource)
