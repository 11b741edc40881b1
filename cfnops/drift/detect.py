"""Drift: CloudFormation's own detection across every region, as a typed DriftReport.

Per StackSet: one DetectStackSetDrift (the environment's operation preferences), waited
for like any operation; each instance's DriftStatus from ListStackInstances; for DRIFTED
instances, ListStackInstanceResourceDrifts (NextToken followed by hand: it has no
paginator) for MODIFIED and DELETED resources (AWS documents that it never returns
NOT_CHECKED ones). With readers (outside.py), each checked instance's own stack is read
too (ListStackResources): its NOT_CHECKED resources, drifted or not, from their
DriftInformation, and what CloudFormation's drift cannot see. Ignore rules hide a
difference only when both sides of its property are equal after the rule's normaliser
(normalise.py); hidden differences are marked, never dropped, and an instance whose every
difference is hidden counts as in sync.
"""

from __future__ import annotations

import builtins
import fnmatch
import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..awsfacts import statuses as aws_status  # AWS's status vocabulary
from ..core.errors import InputError
from ..core.protocols import AwsFactory, CloudFormationClient, Progress
from ..core.verdicts import DriftVerdict
from ..inputs.paramfiles import parse_yaml
from ..inputs.problems import Problems
from ..inputs.stacksets import StackSetSpec
from ..rollout.operations import Outcome, Runner, WaitSettings
from ..rollout.plan import read_actual
from .normalise import NORMALISERS
from .outside import OutsideFinding, Readers, StackResource, instance_findings, stack_resources

READ_STATUSES = [
    aws_status.ResourceDrift.MODIFIED,
    aws_status.ResourceDrift.DELETED,
]  # NOT_CHECKED: "CloudFormation doesn't currently return this value"
CHECKED_INSTANCE = (
    aws_status.Drift.DRIFTED,
    aws_status.Drift.IN_SYNC,
)  # instances whose resources the detection looked at


@dataclass(frozen=True)
class IgnoreRule:
    """Hides a difference only when both sides are equal once normalised (normalise.py):
    what remains after normalising is drift, whatever the rule says."""

    resource_type: str  # fnmatch pattern, e.g. AWS::IAM::Role
    property: str  # a top-level property, e.g. AssumeRolePolicyDocument
    normaliser: str  # a key of normalise.NORMALISERS
    reason: str
    keys: tuple[str, ...] = ()  # service-tags: tag keys services add, besides aws:*

    def covers(self, resource_type: str, path: str) -> bool:
        return fnmatch.fnmatchcase(resource_type, self.resource_type) and top_property(path) == self.property

    def canonical(self, value: Any, properties: dict | None = None) -> Any:
        return NORMALISERS[self.normaliser](value, self.keys, properties)

    @builtins.property  # the field `property` shadows the builtin in this class body
    def label(self) -> str:
        keys = f" + {', '.join(self.keys)}" if self.keys else ""
        return f"{self.resource_type} {self.property} ({self.normaliser}{keys})"


def typed(text: str) -> Any:
    """A PropertyDifference value as the JSON value it stands for: CloudFormation sends
    ExpectedValue/ActualValue as text (structures JSON-encoded, numbers and booleans as
    their JSON), a plain string stays a string."""
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return text


def as_text(value: Any) -> str:
    """The inverse of ``typed``: a value as CloudFormation's text."""
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class PropertyDifference:
    path: str
    expected: str  # CloudFormation's ExpectedValue text; expected_value is the typed value
    actual: str
    difference_type: str  # ADD | REMOVE | NOT_EQUAL
    ignored_because: str = ""
    ignored_by: IgnoreRule | None = None

    @builtins.property
    def expected_value(self) -> Any:
        return typed(self.expected)

    @builtins.property
    def actual_value(self) -> Any:
        return typed(self.actual)


@dataclass(frozen=True)
class ResourceDrift:
    logical_id: str
    physical_id: str
    resource_type: str
    status: str  # MODIFIED | DELETED | NOT_CHECKED
    differences: tuple[PropertyDifference, ...] = ()

    @property
    def drifted(self) -> bool:
        return self.status == aws_status.ResourceDrift.DELETED or (
            self.status == aws_status.ResourceDrift.MODIFIED and any(not d.ignored_because for d in self.differences)
        )


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
    outside: tuple[OutsideFinding, ...] = ()  # what CloudFormation's drift cannot see (outside.py)

    @property
    def status(self) -> DriftVerdict:
        statuses = {i.status for i in self.instances}
        if self.detection_status != aws_status.Operation.SUCCEEDED or aws_status.Drift.UNKNOWN in statuses:
            return DriftVerdict.FAILED
        if aws_status.Drift.DRIFTED in statuses:
            return DriftVerdict.DRIFTED
        return DriftVerdict.IN_SYNC if statuses <= {aws_status.Drift.IN_SYNC} and statuses else DriftVerdict.NOT_CHECKED


@dataclass(frozen=True)
class DriftReport:
    environment: str
    started: str
    finished: str
    regions: tuple[str, ...]
    stacksets: tuple[StackSetDrift, ...]
    ignore_rules: int = 0
    rules: tuple[IgnoreRule, ...] = ()
    outside_read: bool = False  # whether cfnops read what CloudFormation's drift cannot see

    @property
    def status(self) -> DriftVerdict:
        """CloudFormation's verdict alone (cfnops's own findings never change it)."""
        statuses = {s.status for s in self.stacksets}
        for verdict in (DriftVerdict.FAILED, DriftVerdict.DRIFTED):
            if verdict in statuses:
                return verdict
        return DriftVerdict.IN_SYNC

    @property
    def outside(self) -> tuple[OutsideFinding, ...]:
        return tuple(f for s in self.stacksets for f in s.outside)

    @property
    def found_outside(self) -> bool:
        """Something no template declares, that no ignore rule hid."""
        return any(not f.ignored_because for f in self.outside)


RULE_KEYS = {"resource_type", "property", "normaliser", "reason"}
RULE_SHAPE = (
    f"expected resource_type, property (a top-level property name), normaliser "
    f"({' | '.join(NORMALISERS)}), a non-empty reason and, for service-tags only, keys (a list of tag keys)"
)


def top_property(path: str) -> str:
    return path.lstrip("/").split("/", 1)[0]


def _rule(item: Any) -> IgnoreRule | tuple[str, str]:
    """One rule, or where in the item its problem is (a key suffix) and the problem."""
    if not isinstance(item, dict):
        return "", RULE_SHAPE
    if "property_path" in item:
        return ".property_path", f"path globs are no longer accepted (they hid real changes); {RULE_SHAPE}"
    unknown = set(item) - RULE_KEYS - {"keys"}
    if (
        unknown
        or not set(item) >= RULE_KEYS
        or not all(isinstance(item[k], str) and item[k].strip() for k in RULE_KEYS)
    ):
        return "", f"{RULE_SHAPE}, got keys {', '.join(sorted(map(str, item)))}"
    if item["normaliser"] not in NORMALISERS:
        return ".normaliser", f"expected one of {', '.join(NORMALISERS)}, got {item['normaliser']}"
    if "/" in item["property"] or "*" in item["property"]:
        return ".property", f"expected a top-level property name (no path, no glob), got {item['property']}"
    keys = item.get("keys", [])
    if (
        (keys and item["normaliser"] != "service-tags")
        or not isinstance(keys, list)
        or not all(isinstance(k, str) and k.strip() for k in keys)
    ):
        return ".keys", "expected a list of tag keys, and only with normaliser service-tags"
    return IgnoreRule(item["resource_type"], item["property"], item["normaliser"], item["reason"], tuple(keys))


def load_ignore_rules(path: Path, file: str) -> tuple[IgnoreRule, ...]:
    if not path.exists():
        return ()
    data = parse_yaml(path, file) or []
    if not isinstance(data, list):
        raise InputError(f"{file}: expected a list of rules: {RULE_SHAPE}")
    problems, rules = Problems(file), []
    for index, item in enumerate(data):
        parsed = _rule(item)
        if isinstance(parsed, IgnoreRule):
            rules.append(parsed)
        else:
            problems.problem(f"[{index}]{parsed[0]}", parsed[1])
    problems.raise_if_any()
    return tuple(rules)


class StackProperties:
    """A drifted resource's ExpectedProperties and ActualProperties, read from its instance's
    stack (DescribeStackResourceDrifts, once per stack, only when a rule needs them). None
    when that stack cannot be read (another account, no permission): then no rule can
    prove a difference harmless, and it stays drift."""

    def __init__(self, aws: AwsFactory):
        self.aws = aws
        self.cache: dict[str, dict[str, tuple[dict, dict]]] = {}

    def __call__(self, summary: dict) -> tuple[dict, dict] | None:
        stack_id = summary.get("StackId", "")
        if stack_id not in self.cache:
            self.cache[stack_id] = self._read(stack_id)
        return self.cache[stack_id].get(summary.get("LogicalResourceId", ""))

    def _read(self, stack_id: str) -> dict[str, tuple[dict, dict]]:
        from botocore.exceptions import BotoCoreError, ClientError

        parts = stack_id.split(":")
        if len(parts) < 6 or not self.aws:
            return {}
        client, found, token = self.aws.client("cloudformation", parts[3]), {}, None
        try:
            while True:
                page = client.describe_stack_resource_drifts(
                    StackName=stack_id,
                    StackResourceDriftStatusFilters=[aws_status.ResourceDrift.MODIFIED],
                    **({"NextToken": token} if token else {}),
                )
                for drift in page.get("StackResourceDrifts", []):
                    found[drift["LogicalResourceId"]] = (
                        json.loads(drift.get("ExpectedProperties") or "{}"),
                        json.loads(drift.get("ActualProperties") or "{}"),
                    )
                token = page.get("NextToken")
                if not token:
                    return found
        except (BotoCoreError, ClientError, ValueError):
            return {}


def _harmless(rule: IgnoreRule, group: list[dict], properties: tuple[dict, dict] | None) -> bool:
    """True when the property's two values are equal once the rule has normalised both."""
    if properties is not None and rule.property in properties[0]:
        expected, actual = properties[0].get(rule.property), properties[1].get(rule.property)
        context = properties[0]
    elif len(group) == 1 and group[0].get("PropertyPath") == f"/{rule.property}":
        expected, actual = typed(group[0].get("ExpectedValue", "")), typed(group[0].get("ActualValue", ""))
        context = {rule.property: expected}  # the template's side: what a normaliser must keep
    else:
        return False  # only parts of the value are known: nothing proves the change harmless
    return rule.canonical(expected, context) == rule.canonical(actual, context)


def _differences(summary: dict, rules: tuple[IgnoreRule, ...], properties_of) -> list[PropertyDifference]:
    kind = summary.get("ResourceType", "")
    groups: dict[str, list[dict]] = {}
    for difference in summary.get("PropertyDifferences", []):
        groups.setdefault(top_property(difference.get("PropertyPath", "")), []).append(difference)
    found = []
    for group in groups.values():
        rule = next((r for r in rules if r.covers(kind, group[0].get("PropertyPath", ""))), None)
        hidden = rule is not None and _harmless(rule, group, properties_of(summary))
        for d in group:
            found.append(
                PropertyDifference(
                    d.get("PropertyPath", ""),
                    d.get("ExpectedValue", ""),
                    d.get("ActualValue", ""),
                    d.get("DifferenceType", ""),
                    rule.reason if rule is not None and hidden else "",
                    rule if hidden else None,
                )
            )
    return found


def _resource(summary: dict, rules: tuple[IgnoreRule, ...], properties_of=lambda summary: None) -> ResourceDrift:
    differences = (
        _differences(summary, rules, properties_of)
        if rules
        else [
            PropertyDifference(
                d.get("PropertyPath", ""),
                d.get("ExpectedValue", ""),
                d.get("ActualValue", ""),
                d.get("DifferenceType", ""),
            )
            for d in summary.get("PropertyDifferences", [])
        ]
    )
    return ResourceDrift(
        summary.get("LogicalResourceId", ""),
        summary.get("PhysicalResourceId", ""),
        summary.get("ResourceType", ""),
        summary.get("StackResourceDriftStatus", ""),
        tuple(differences),
    )


def rule_uses(
    report: DriftReport,
) -> list[tuple[IgnoreRule, list[tuple[StackSetDrift, InstanceDrift, ResourceDrift, PropertyDifference]]]]:
    """Every rule of the run with what it hid; a rule with nothing is unused."""
    hid: dict[IgnoreRule, list[tuple[StackSetDrift, InstanceDrift, ResourceDrift, PropertyDifference]]] = {
        rule: [] for rule in report.rules
    }
    for stackset in report.stacksets:
        for instance in stackset.instances:
            for resource in instance.resources:
                for difference in resource.differences:
                    if difference.ignored_by is not None:
                        hid.setdefault(difference.ignored_by, []).append((stackset, instance, resource, difference))
    return list(hid.items())


def resource_drifts(
    client: CloudFormationClient, stackset: str, account: str, region: str, operation_id: str
) -> list[dict]:
    """ListStackInstanceResourceDrifts has no paginator: follow NextToken by hand."""
    summaries, token = [], None
    while True:
        arguments = dict(
            StackSetName=stackset,
            StackInstanceAccount=account,
            StackInstanceRegion=region,
            OperationId=operation_id,
            StackInstanceResourceDriftStatuses=READ_STATUSES,
        )
        if token:
            arguments["NextToken"] = token
        page = client.list_stack_instance_resource_drifts(**arguments)
        summaries += page.get("Summaries", [])
        token = page.get("NextToken")
        if not token:
            return summaries


def _instance(
    client: CloudFormationClient, spec: StackSetSpec, instance, operation_id: str, rules, properties_of, stack
) -> InstanceDrift:
    """CloudFormation's drift of one instance: its MODIFIED and DELETED resources when it
    drifted, and, from its stack's resources (``stack``, read through the readers), the
    NOT_CHECKED ones whether or not it drifted (the drift APIs never return those)."""
    resources: tuple[ResourceDrift, ...] = ()
    status = instance.drift_status
    if instance.drift_status == aws_status.Drift.DRIFTED:
        resources = tuple(
            _resource(s, rules, properties_of)
            for s in resource_drifts(client, spec.name, instance.account, instance.region, operation_id)
        )
        status = aws_status.Drift.DRIFTED if any(r.drifted for r in resources) else aws_status.Drift.IN_SYNC
    not_checked = tuple(
        ResourceDrift(r.logical_id, r.physical_id, r.resource_type, aws_status.ResourceDrift.NOT_CHECKED)
        for r in stack
        if r.drift_status == aws_status.ResourceDrift.NOT_CHECKED
    )
    return InstanceDrift(
        instance.account,
        instance.region,
        status,
        instance.drift_status,
        instance.last_drift_check,
        resources + not_checked,
    )


def hide_outside(finding: OutsideFinding, rules: tuple[IgnoreRule, ...]) -> OutsideFinding:
    """A rule for the finding's type, with its kind as the property, hides it only when its
    normaliser makes the value the same as nothing at all (what the templates declare)."""
    rule = next((r for r in rules if r.covers(finding.resource_type, f"/{finding.kind}")), None)
    nothing = type(finding.value)() if isinstance(finding.value, (list, dict)) else None
    if rule is not None and rule.canonical(finding.value) == rule.canonical(nothing):
        return replace(finding, ignored_because=rule.reason)
    return finding


def _instance_stack(readers: Readers | None, instance) -> list[StackResource]:
    """The resources of a checked instance's stack, or [] without readers."""
    if readers is None or not instance.stack_id or instance.drift_status not in CHECKED_INSTANCE:
        return []
    return stack_resources(readers("cloudformation", instance.account, instance.region), instance.stack_id)


def detect(
    aws: AwsFactory,
    spec: StackSetSpec,
    progress: Progress,
    wait: WaitSettings,
    rules: tuple[IgnoreRule, ...],
    readers: Readers | None = None,
) -> StackSetDrift:
    client = aws.client("cloudformation", spec.administrator_region)
    runner = Runner(client, progress, wait)
    outcome: Outcome = runner.start(
        spec.name,
        aws_status.OperationAction.DETECT_DRIFT,
        lambda: client.detect_stack_set_drift(StackSetName=spec.name, OperationPreferences=dict(spec.preferences)),
    )
    actual = read_actual(client, spec)
    order = {region: index for index, region in enumerate(spec.regions)}
    instances = sorted(actual.instances, key=lambda i: (order.get(i.region, 99), i.account))
    properties = StackProperties(aws)
    stacks = {(i.account, i.region): _instance_stack(readers, i) for i in instances}
    counts = tuple(
        (key.removesuffix("StackInstancesCount"), value)
        for key, value in outcome.drift_details.items()
        if key.endswith("StackInstancesCount")
    )
    return StackSetDrift(
        spec.name,
        spec.template,
        outcome.operation_id,
        outcome.status,
        tuple(
            _instance(client, spec, i, outcome.operation_id, rules, properties, stacks[(i.account, i.region)])
            for i in instances
        ),
        outcome.polls,
        outcome.seconds,
        counts,
        tuple(
            hide_outside(finding, rules)
            for i in instances
            for finding in instance_findings(readers, spec.name, i.account, i.region, stacks[(i.account, i.region)])
        )
        if readers
        else (),
    )


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def detect_all(
    aws: AwsFactory,
    specs: list[StackSetSpec],
    environment: str,
    progress: Progress,
    wait: WaitSettings,
    rules: tuple[IgnoreRule, ...],
    readers: Readers | None = None,
) -> DriftReport:
    """Every StackSet's detection; with ``readers``, also what CloudFormation's drift cannot
    see (outside.py), read through them."""
    from concurrent.futures import ThreadPoolExecutor

    started = now()
    with ThreadPoolExecutor(max_workers=max(1, len(specs))) as pool:
        results = list(pool.map(lambda spec: detect(aws, spec, progress, wait, rules, readers), specs))
    regions = tuple(dict.fromkeys(r for spec in specs for r in spec.regions))
    return DriftReport(
        environment, started, now(), regions, tuple(results), len(rules), tuple(rules), readers is not None
    )
