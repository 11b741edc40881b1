"""cfnops's own verdicts, decided by one stage and read by others (reports, exit codes, the
plan's writers): each spelled once here. Each is a StrEnum, so a member is the very word the
reports print and the JSON carries (``PlanAction.UNCHANGED == "unchanged"``). AWS's own
status vocabulary is cfnops/awsfacts/statuses.py."""

from __future__ import annotations

from enum import StrEnum


class PlanAction(StrEnum):
    """What a plan does to one StackSet."""

    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"


class DriftVerdict(StrEnum):
    """A StackSet's or a whole report's drift after ignore rules: CloudFormation's words for an
    instance (statuses.Drift) where detection finished, FAILED where it did not."""

    DRIFTED = "DRIFTED"
    IN_SYNC = "IN_SYNC"
    NOT_CHECKED = "NOT_CHECKED"
    FAILED = "FAILED"
