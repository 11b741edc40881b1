"""The drift APIs of plain stacks, replacing moto's: DetectStackDrift,
DescribeStackDriftDetectionStatus, DescribeStackResourceDrifts, DetectStackResourceDrift,
and ListStackResources with each resource's DriftInformation."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from moto.cloudformation import models as cfn_models
from moto.cloudformation.responses import CloudFormationResponse

from cfnops.awsfacts import statuses

from ..core.registry import document, patch, replace
from ..core.responses import ApiError, paged
from ..core.state import State
from .engine import DRIFTS, ReadError, detect_resource, detect_stack
from .models import checked_records, stack_status


def _stack(response, name: str):
    return cfn_models.cloudformation_backends[response.current_account][response.region].get_stack(name)


# on moto's CloudFormation backend: detection id -> (stack, drifts, when, failure)
DETECTIONS: State[dict[str, tuple]] = State("drift_detections", dict)


def _detections(response) -> dict[str, tuple]:
    return DETECTIONS.of(cfn_models.cloudformation_backends[response.current_account][response.region])


def detect_stack_drift(self):
    """Synchronous offline: the detection is complete, or failed with the reader's error."""
    from moto.core.responses import ActionResult

    stack = _stack(self, self._get_param("StackName"))
    logical_ids = self._get_param("LogicalResourceIds") or []
    unknown = [key for key in logical_ids if key not in stack.resource_map._resource_json_map]
    if unknown:
        raise ApiError("ValidationError", f"Resources [{', '.join(unknown)}] do not exist in stack {stack.name}")
    detection_id = str(uuid.uuid4())
    try:
        drifts, failure = detect_stack(stack, logical_ids), ""
    except ReadError as error:
        drifts, failure = [], str(error)
    _detections(self)[detection_id] = (stack, drifts, datetime.now(UTC), failure)
    return ActionResult({"StackDriftDetectionId": detection_id})


def describe_stack_drift_detection_status(self):
    from moto.core.responses import ActionResult

    detection = _detections(self).get(self._get_param("StackDriftDetectionId"))
    if detection is None:
        raise ApiError("ValidationError", "StackDriftDetectionId not found")
    stack, drifts, when, failure = detection
    status = {
        "StackId": stack.stack_id,
        "StackDriftDetectionId": self._get_param("StackDriftDetectionId"),
        "DetectionStatus": statuses.Detection.FAILED if failure else statuses.Detection.COMPLETE,
        "Timestamp": when,
    }
    if failure:
        status.update(StackDriftStatus=statuses.Drift.UNKNOWN, DetectionStatusReason=failure)
    else:
        status.update(
            StackDriftStatus=stack_status(drifts),
            DriftedStackResourceCount=sum(d.status in statuses.DRIFTED_RESOURCE for d in drifts),
        )
    return ActionResult(status)


def describe_stack_resource_drifts(self):
    stack = _stack(self, self._get_param("StackName"))
    wanted = self._get_param("StackResourceDriftStatusFilters") or []
    drifts = [d.to_api(stack.stack_id) for d in checked_records(DRIFTS.of(stack).records, wanted)]
    return paged(self, drifts, "StackResourceDrifts")


def detect_stack_resource_drift(self):
    from moto.core.responses import ActionResult

    stack = _stack(self, self._get_param("StackName"))
    logical_id = self._get_param("LogicalResourceId")
    if logical_id not in stack.resource_map._resource_json_map:
        raise ApiError("ValidationError", f"Resource {logical_id} does not exist in stack {stack.name}")
    try:
        drift = detect_resource(stack, logical_id)
    except ReadError as error:
        raise ApiError("InternalFailure", str(error)) from error
    return ActionResult({"StackResourceDrift": drift.to_api(stack.stack_id)})


def list_stack_resources(self):
    """moto's answer, with each resource's DriftInformation (NOT_CHECKED until a detection checks it)."""
    result = ORIGINAL["list_stack_resources"](self)
    stack = _stack(self, self._get_param("StackName"))
    known = DRIFTS.of(stack).resources
    for summary in result.result["StackResourceSummaries"]:
        summary["DriftInformation"] = known.get(
            summary["LogicalResourceId"], {"StackResourceDriftStatus": statuses.ResourceDrift.NOT_CHECKED}
        )
    return result


ORIGINAL: dict[str, Any] = {}  # moto's handlers this module wraps, by name

HANDLERS = {
    "detect_stack_drift": detect_stack_drift,
    "describe_stack_drift_detection_status": describe_stack_drift_detection_status,
    "describe_stack_resource_drifts": describe_stack_resource_drifts,
    "detect_stack_resource_drift": detect_stack_resource_drift,
    "list_stack_resources": list_stack_resources,
}


@patch(
    "the drift APIs of plain stacks (moto has none); ListStackResources carries each resource's DriftInformation, "
    "and a stack never checked shows NOT_CHECKED"
)
def _drift_apis() -> None:
    ORIGINAL["list_stack_resources"] = CloudFormationResponse.list_stack_resources
    for name, handler in HANDLERS.items():
        replace(CloudFormationResponse, name, handler)
    # moto's Stack has no drift fields; the serializer reads this one (record() sets a checked stack's own)
    replace(cfn_models.Stack, "drift_information", {"StackDriftStatus": statuses.Drift.NOT_CHECKED})


__doc__ = document(__doc__, __name__)
