"""Drift of every environment at once: one report, split back per environment for the plan."""

from __future__ import annotations

from cfnops.drift import across
from cfnops.drift import detect as drift
from tests.support.stubber import make_spec


def stackset(name: str, region: str, status: str) -> drift.StackSetDrift:
    instance = drift.InstanceDrift("111111111111", region, status, status, "2026-01-01T00:00:00Z")
    return drift.StackSetDrift(name, name.rsplit("-", 1)[0], "op", "SUCCEEDED", (instance,), 1, 0.1)


def test_one_report_of_all_environments_splits_back_into_each_environment_s_own():
    specs = {
        "dev": [make_spec("dev", "network", regions=("us-east-1",))],
        "prod": [make_spec("prod", "network", regions=("us-east-1", "eu-west-1"))],
    }
    report = drift.DriftReport(
        across.ALL,
        "t0",
        "t1",
        ("us-east-1", "eu-west-1"),
        (stackset("network-dev", "us-east-1", "IN_SYNC"), stackset("network-prod", "eu-west-1", "DRIFTED")),
    )
    assert report.status == "DRIFTED"  # one drifted environment makes the whole report drifted
    split = across.per_environment(report, specs)
    assert {env: (r.environment, r.status, r.regions) for env, r in split.items()} == {
        "dev": ("dev", "IN_SYNC", ("us-east-1",)),
        "prod": ("prod", "DRIFTED", ("us-east-1", "eu-west-1")),
    }
    assert [s.name for s in split["dev"].stacksets] == ["network-dev"]
