"""The StackSet API's errors, each raised from one place with CloudFormation's code."""

from __future__ import annotations

from cfnops.awsfacts import statuses

from ..core.responses import ApiError
from .models import Operation, StackSet


class OperationInProgress(ApiError):
    def __init__(self, stackset: StackSet, running: Operation, what: str = "Another Operation"):
        super().__init__(
            "OperationInProgressException", f"{what} on StackSet {stackset.name} is in progress: {running.id}"
        )


class StackInstanceNotFound(ApiError):
    def __init__(self, account: str, region: str):
        super().__init__("StackInstanceNotFoundException", f"Stack instance {account}/{region} not found")


def refuse_while_busy(stackset: StackSet, queued: bool = True) -> None:
    """Another operation is running: refused, as on AWS, unless ManagedExecution queues the
    call (``queued``: a call ManagedExecution can queue; DeleteStackSet cannot be)."""
    running = stackset.busy()
    if running and not (queued and stackset.managed_execution):
        raise OperationInProgress(stackset, running)


def refuse_second_detection(stackset: StackSet) -> None:
    """ "You can only run a single drift detection operation on a given StackSet at one time"."""
    running = next(
        (op for op in stackset.operations if op.running and op.action == statuses.OperationAction.DETECT_DRIFT), None
    )
    if running:
        raise OperationInProgress(stackset, running, what="A drift detection")


def instance(stackset: StackSet, account: str, region: str):
    """The stack instance in ``account``/``region``, or StackInstanceNotFoundException."""
    found = stackset.instances.get((account, region))
    if found is None:
        raise StackInstanceNotFound(account, region)
    return found
