"""Drift as text, account by account when a report spans several (the organization layout):
accounts that look alike summed up in one line, an odd one on its own."""

from __future__ import annotations

from cfnops.drift.detect import DriftReport, InstanceDrift, StackSetDrift
from cfnops.reports import text

REGIONS = ("us-east-1", "us-west-2", "eu-west-1")
MANY = [f"{index:012d}" for index in range(1, 21)]


def instance(account: str, region: str, status: str = "IN_SYNC") -> InstanceDrift:
    return InstanceDrift(account, region, status, status, "2026-01-01T00:00:00Z")


def report(instances) -> DriftReport:
    stackset = StackSetDrift("audit-logs-staging", "audit-logs", "op", "SUCCEEDED", tuple(instances), 1, 0.1)
    return DriftReport("staging", "a", "b", REGIONS, (stackset,))


def test_twenty_accounts_in_sync_are_one_line_a_drifted_one_its_own():
    instances = [instance(a, r) for a in MANY for r in REGIONS] + [instance("999999999999", "us-west-2", "DRIFTED")]
    lines = text.by_account(report(instances))
    assert lines == [
        "",
        "by account:",
        f"  20 accounts ({MANY[0]} … {MANY[-1]}): 3 IN_SYNC",
        "  999999999999: 1 DRIFTED",
    ]
    assert "\n".join(lines[1:]) in text.render(report(instances))


def test_one_account_shows_no_account_section():
    assert text.by_account(report([instance(MANY[0], r) for r in REGIONS])) == []
