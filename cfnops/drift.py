"""Drift: CloudFormation's own detection across every region, as a typed DriftReport.

Per StackSet: one DetectStackSetDrift (the environment's operation preferences), waited
for like any operation; each instance's DriftStatus from ListStackInstances; and only for
DRIFTED instances, ListStackInstanceResourceDrifts (NextToken followed by hand: it has no
paginator) for MODIFIED, DELETED and NOT_CHECKED resources. Known false positives from
the ignore file are marked ignored, never hidden; an instance whose every difference is
ignored counts as in sync.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .config import StackSetSpec
from .errors import InputError
from .operations import Outcome, Runner, WaitSettings
from .paramfiles import parse_yaml
from .plan import read_actual

READ_STATUSES = ["MODIFIED", "DELETED", "NOT_CHECKED"]


@dataclass(frozen=True)
class IgnoreRule:
    resource_type: str
    property_path: str  # fnmatch pattern, e.g. /Tags/*
    reason: str

    def matches(self, resource_type: str, path: str) -> bool:
        return fnmatch.fnmatchcase(resource_type, self.resource_type) and fnmatch.fnmatchcase(path, self.property_path)


@dataclass(frozen=True)
class PropertyDifference:
    path: str
    expected: str
    actual: str
    difference_type: str  # ADD | REMOVE | NOT_EQUAL
    ignored_because: str = ""


@dataclass(frozen=True)
class ResourceDrift:
    logical_id: str
    physical_id: str
    resource_type: str
    status: str  # MODIFIED | DELETED | NOT_CHECKED
    differences: tuple[PropertyDifference, ...] = ()

    @property
    def drifted(self) -> bool:
        return self.status == "DELETED" or (self.status == "MODIFIED" and any(not d.ignored_because for d in self.differences))


@dataclass(frozen=True)
class InstanceDrift:
    account: str
    region: str
    status: str  # DRIFTED | IN_SYNC | NOT_CHECKED | UNKNOWN, after ignore rules
    reported_status: str  # as CloudFormation reported it
    last_check: str
    resources: tuple[ResourceDrift, ...] = ()


@dataclass(frozen=True)
class StackSetDrift:
    name: str
    template: str
    operation_id: str
    detection_status: str  # operation status
    instances: tuple[InstanceDrift, ...]
    polls: int
    seconds: float
    counts: tuple[tuple[str, int], ...] = ()  # StackSetDriftDetectionDetails' instance counts

    @property
    def status(self) -> str:
        statuses = {i.status for i in self.instances}
        if self.detection_status != "SUCCEEDED" or "UNKNOWN" in statuses:
            return "FAILED"
        return "DRIFTED" if "DRIFTED" in statuses else ("IN_SYNC" if statuses <= {"IN_SYNC"} and statuses else "NOT_CHECKED")


@dataclass(frozen=True)
class DriftReport:
    environment: str
    started: str
    finished: str
    regions: tuple[str, ...]
    stacksets: tuple[StackSetDrift, ...]
    ignore_rules: int = 0

    @property
    def status(self) -> str:
        statuses = {s.status for s in self.stacksets}
        return "FAILED" if "FAILED" in statuses else ("DRIFTED" if "DRIFTED" in statuses else "IN_SYNC")


def load_ignore_rules(path: Path, file: str) -> tuple[IgnoreRule, ...]:
    if not path.exists():
        return ()
    data = parse_yaml(path, file) or []
    rules, problems = [], []
    if not isinstance(data, list):
        raise InputError(f"{file}: expected a list of {{resource_type, property_path, reason}}")
    for index, item in enumerate(data):
        if not isinstance(item, dict) or set(item) != {"resource_type", "property_path", "reason"} \
                or not all(isinstance(v, str) and v.strip() for v in item.values()):
            problems.append(f"{file}: [{index}]: expected resource_type, property_path and a non-empty reason")
            continue
        rules.append(IgnoreRule(item["resource_type"], item["property_path"], item["reason"]))
    if problems:
        raise InputError(problems)
    return tuple(rules)


def _resource(summary: dict, rules: tuple[IgnoreRule, ...]) -> ResourceDrift:
    kind = summary.get("ResourceType", "")
    differences = []
    for difference in summary.get("PropertyDifferences", []):
        path = difference.get("PropertyPath", "")
        rule = next((r for r in rules if r.matches(kind, path)), None)
        differences.append(PropertyDifference(path, difference.get("ExpectedValue", ""), difference.get("ActualValue", ""),
                                              difference.get("DifferenceType", ""), rule.reason if rule else ""))
    return ResourceDrift(summary.get("LogicalResourceId", ""), summary.get("PhysicalResourceId", ""), kind,
                         summary.get("StackResourceDriftStatus", ""), tuple(differences))


def resource_drifts(client, stackset: str, account: str, region: str, operation_id: str) -> list[dict]:
    """ListStackInstanceResourceDrifts has no paginator: follow NextToken by hand."""
    summaries, token = [], None
    while True:
        arguments = dict(StackSetName=stackset, StackInstanceAccount=account, StackInstanceRegion=region,
                         OperationId=operation_id, StackInstanceResourceDriftStatuses=READ_STATUSES)
        if token:
            arguments["NextToken"] = token
        page = client.list_stack_instance_resource_drifts(**arguments)
        summaries += page.get("Summaries", [])
        token = page.get("NextToken")
        if not token:
            return summaries


def _instance(client, spec: StackSetSpec, instance, operation_id: str, rules) -> InstanceDrift:
    resources: tuple[ResourceDrift, ...] = ()
    status = instance.drift_status
    if instance.drift_status == "DRIFTED":
        resources = tuple(_resource(s, rules) for s in resource_drifts(client, spec.name, instance.account, instance.region, operation_id))
        status = "DRIFTED" if any(r.drifted for r in resources) else "IN_SYNC"
    return InstanceDrift(instance.account, instance.region, status, instance.drift_status, instance.last_drift_check, resources)


def detect(aws, spec: StackSetSpec, progress, wait: WaitSettings, rules: tuple[IgnoreRule, ...]) -> StackSetDrift:
    client = aws.client("cloudformation", spec.administrator_region)
    runner = Runner(client, progress, wait)
    outcome: Outcome = runner.start(spec.name, "DETECT_DRIFT", lambda: client.detect_stack_set_drift(
        StackSetName=spec.name, OperationPreferences=dict(spec.preferences)))
    actual = read_actual(client, spec)
    order = {region: index for index, region in enumerate(spec.regions)}
    instances = sorted(actual.instances, key=lambda i: (order.get(i.region, 99), i.account))
    counts = tuple((key.removesuffix("StackInstancesCount"), value) for key, value in outcome.drift_details.items()
                   if key.endswith("StackInstancesCount"))
    return StackSetDrift(spec.name, spec.template, outcome.operation_id, outcome.status,
                         tuple(_instance(client, spec, i, outcome.operation_id, rules) for i in instances),
                         outcome.polls, outcome.seconds, counts)


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def detect_all(aws, specs: list[StackSetSpec], environment: str, progress, wait: WaitSettings,
               rules: tuple[IgnoreRule, ...]) -> DriftReport:
    from concurrent.futures import ThreadPoolExecutor

    started = now()
    with ThreadPoolExecutor(max_workers=max(1, len(specs))) as pool:
        results = list(pool.map(lambda spec: detect(aws, spec, progress, wait, rules), specs))
    regions = tuple(dict.fromkeys(r for spec in specs for r in spec.regions))
    return DriftReport(environment, started, now(), regions, tuple(results), len(rules))
