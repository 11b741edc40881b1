"""A resource as it exists in one stack instance: where a drift finding or a retained
resource is, the one shape both are."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class InstanceResource:
    """The StackSet, the instance's account and region, and the resource's logical id, type
    and physical id."""

    stackset: str
    account: str
    region: str
    logical_id: str
    resource_type: str
    physical_id: str
