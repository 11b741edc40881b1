"""CloudFormation's status vocabulary, as its API documents the enums: the tool reads them and
localcloud answers with them, each spelled once here. Each is a StrEnum: a member is the very
string AWS sends (``Operation.FAILED == "FAILED"``), so API values compare and serialize as is.

- StackSet operations: https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_StackSetOperation.html
- operation results: https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_StackSetOperationResultSummary.html
- stack instances: https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_StackInstanceSummary.html
  and https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_StackInstanceComprehensiveStatus.html
- StackSets: https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_StackSet.html
- stacks: https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_Stack.html
- StackSet drift detection: https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_StackSetDriftDetectionDetails.html
- stack drift: https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStackDriftDetectionStatus.html
- resource drift: https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_StackResourceDrift.html
"""

from __future__ import annotations

from enum import StrEnum


class Operation(StrEnum):
    """StackSetOperation.Status."""

    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    STOPPING = "STOPPING"
    STOPPED = "STOPPED"


class Result(StrEnum):
    """StackSetOperationResultSummary.Status (one account and Region of an operation)."""

    PENDING = "PENDING"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


class Instance(StrEnum):
    """StackInstanceSummary.Status."""

    CURRENT = "CURRENT"
    OUTDATED = "OUTDATED"
    INOPERABLE = "INOPERABLE"


class InstanceDetail(StrEnum):
    """StackInstanceComprehensiveStatus.DetailedStatus."""

    PENDING = "PENDING"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"
    INOPERABLE = "INOPERABLE"
    SKIPPED_SUSPENDED_ACCOUNT = "SKIPPED_SUSPENDED_ACCOUNT"
    FAILED_IMPORT = "FAILED_IMPORT"


class StackSet(StrEnum):
    """StackSet.Status."""

    ACTIVE = "ACTIVE"
    DELETED = "DELETED"


class Stack(StrEnum):
    """Stack.StackStatus (a plain stack, and each stack instance's own stack)."""

    CREATE_IN_PROGRESS = "CREATE_IN_PROGRESS"
    CREATE_FAILED = "CREATE_FAILED"
    CREATE_COMPLETE = "CREATE_COMPLETE"
    ROLLBACK_IN_PROGRESS = "ROLLBACK_IN_PROGRESS"
    ROLLBACK_FAILED = "ROLLBACK_FAILED"
    ROLLBACK_COMPLETE = "ROLLBACK_COMPLETE"
    DELETE_IN_PROGRESS = "DELETE_IN_PROGRESS"
    DELETE_FAILED = "DELETE_FAILED"
    DELETE_COMPLETE = "DELETE_COMPLETE"
    UPDATE_IN_PROGRESS = "UPDATE_IN_PROGRESS"
    UPDATE_COMPLETE_CLEANUP_IN_PROGRESS = "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"
    UPDATE_COMPLETE = "UPDATE_COMPLETE"
    UPDATE_FAILED = "UPDATE_FAILED"
    UPDATE_ROLLBACK_IN_PROGRESS = "UPDATE_ROLLBACK_IN_PROGRESS"
    UPDATE_ROLLBACK_FAILED = "UPDATE_ROLLBACK_FAILED"
    UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS = "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS"
    UPDATE_ROLLBACK_COMPLETE = "UPDATE_ROLLBACK_COMPLETE"
    REVIEW_IN_PROGRESS = "REVIEW_IN_PROGRESS"
    IMPORT_IN_PROGRESS = "IMPORT_IN_PROGRESS"
    IMPORT_COMPLETE = "IMPORT_COMPLETE"
    IMPORT_ROLLBACK_IN_PROGRESS = "IMPORT_ROLLBACK_IN_PROGRESS"
    IMPORT_ROLLBACK_FAILED = "IMPORT_ROLLBACK_FAILED"
    IMPORT_ROLLBACK_COMPLETE = "IMPORT_ROLLBACK_COMPLETE"


class OperationAction(StrEnum):
    """StackSetOperation.Action."""

    CREATE = "CREATE"
    UPDATE = "UPDATE"
    DELETE = "DELETE"
    DETECT_DRIFT = "DETECT_DRIFT"


class Drift(StrEnum):
    """A stack's, a stack instance's or a StackSet's drift status (StackDriftStatus, DriftStatus)."""

    DRIFTED = "DRIFTED"
    IN_SYNC = "IN_SYNC"
    NOT_CHECKED = "NOT_CHECKED"
    UNKNOWN = "UNKNOWN"


class ResourceDrift(StrEnum):
    """StackResourceDriftStatus."""

    IN_SYNC = "IN_SYNC"
    MODIFIED = "MODIFIED"
    DELETED = "DELETED"
    NOT_CHECKED = "NOT_CHECKED"


class Detection(StrEnum):
    """DescribeStackDriftDetectionStatus.DetectionStatus (one stack)."""

    IN_PROGRESS = "DETECTION_IN_PROGRESS"
    FAILED = "DETECTION_FAILED"
    COMPLETE = "DETECTION_COMPLETE"


class StackSetDetection(StrEnum):
    """StackSetDriftDetectionDetails.DriftDetectionStatus."""

    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    PARTIAL_SUCCESS = "PARTIAL_SUCCESS"
    IN_PROGRESS = "IN_PROGRESS"
    STOPPED = "STOPPED"


DRIFTED_RESOURCE = (ResourceDrift.MODIFIED, ResourceDrift.DELETED)  # what makes a stack DRIFTED
