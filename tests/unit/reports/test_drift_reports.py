"""Drift call shapes (Stubber, pagination by hand), the four writers from one report,
the HTML page in headless Chromium, the ignore file and parity."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from datetime import UTC, datetime

import boto3
import pytest
from botocore.stub import Stubber

from cfnops.build import render
from cfnops.cli.progress import PlainProgress
from cfnops.core.aws import Aws
from cfnops.core.errors import InputError
from cfnops.drift import detect as drift
from cfnops.drift import parity
from cfnops.inputs.stackset_preferences import default_preferences
from cfnops.reports import html, json_load, json_report, markdown, text
from templates_src.conventions import ENVIRONMENTS, REGIONS
from tests.conftest import PLATFORM
from tests.support.stubber import FakeClock, fast, make_spec

WHEN = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)
WHEN_TEXT = "2026-11-22T06:00:00Z"


def instance(account: str, region: str, drift_status: str) -> dict:
    return {
        "Account": account,
        "Region": region,
        "Status": "CURRENT",
        "DriftStatus": drift_status,
        "LastDriftCheckTimestamp": WHEN,
        "StackInstanceStatus": {"DetailedStatus": "SUCCEEDED"},
        "LastOperationId": "d-1",
    }


def test_drift_call_shapes_and_resource_pages(tmp_path):
    aws = Aws(boto3.Session(aws_access_key_id="t", aws_secret_access_key="t", region_name="us-east-1"))
    client = aws.client("cloudformation", "us-east-1")
    spec = make_spec(environment="prod", template="network")
    stub = Stubber(client)
    stub.add_response(
        "detect_stack_set_drift",
        {"OperationId": "d-1"},
        {
            "StackSetName": "network-prod",
            "OperationPreferences": default_preferences(PLATFORM.environment("prod").production, REGIONS),
        },
    )
    stub.add_response(
        "describe_stack_set_operation",
        {"StackSetOperation": {"OperationId": "d-1", "Action": "DETECT_DRIFT", "Status": "SUCCEEDED"}},
        {"StackSetName": "network-prod", "OperationId": "d-1"},
    )
    stub.add_response(
        "list_stack_set_operation_results", {"Summaries": []}, {"StackSetName": "network-prod", "OperationId": "d-1"}
    )
    stub.add_response(
        "describe_stack_set",
        {"StackSet": {"StackSetName": "network-prod", "Status": "ACTIVE", "TemplateBody": "{}"}},
        {"StackSetName": "network-prod"},
    )
    stub.add_response(
        "list_stack_instances",
        {
            "Summaries": [
                instance("111111111111", "us-east-1", "IN_SYNC"),
                instance("111111111111", "us-west-2", "DRIFTED"),
            ]
        },
        {"StackSetName": "network-prod"},
    )
    base = {  # the drifted instance only; NOT_CHECKED: "CloudFormation doesn't currently return this value"
        "StackSetName": "network-prod",
        "StackInstanceAccount": "111111111111",
        "StackInstanceRegion": "us-west-2",
        "OperationId": "d-1",
        "StackInstanceResourceDriftStatuses": ["MODIFIED", "DELETED"],
    }
    resource = {
        "StackId": "s",
        "LogicalResourceId": "FlowLogGroup",
        "PhysicalResourceId": "/prod/us-west-2/vpc-flow-logs",
        "ResourceType": "AWS::Logs::LogGroup",
        "StackResourceDriftStatus": "MODIFIED",
        "Timestamp": WHEN,
        "PropertyDifferences": [
            {
                "PropertyPath": "/RetentionInDays",
                "ExpectedValue": "365",
                "ActualValue": "7",
                "DifferenceType": "NOT_EQUAL",
            }
        ],
    }
    stub.add_response("list_stack_instance_resource_drifts", {"Summaries": [resource], "NextToken": "more"}, base)
    deleted = dict(
        resource,
        LogicalResourceId="Vpc",
        ResourceType="AWS::EC2::VPC",
        StackResourceDriftStatus="DELETED",
        PropertyDifferences=[],
    )
    stub.add_response("list_stack_instance_resource_drifts", {"Summaries": [deleted]}, {**base, "NextToken": "more"})
    stub.activate()
    result = drift.detect(aws, spec, PlainProgress(io.StringIO()), fast(FakeClock()), ())
    stub.assert_no_pending_responses()
    assert [(i.region, i.status, i.last_check) for i in result.instances] == [
        ("us-east-1", "IN_SYNC", "2026-11-22T06:00:00Z"),
        ("us-west-2", "DRIFTED", "2026-11-22T06:00:00Z"),
    ]
    assert result.instances[0].resources == ()  # in sync, and no readers: its stack is not read
    assert [(r.logical_id, r.status) for r in result.instances[1].resources] == [
        ("FlowLogGroup", "MODIFIED"),
        ("Vpc", "DELETED"),
    ]


def sample(ignored: bool = False) -> drift.DriftReport:
    difference = drift.PropertyDifference(
        "/RetentionInDays", "90", "7", "NOT_EQUAL", "log team owns it" if ignored else ""
    )
    resources = (
        drift.ResourceDrift(
            "FlowLogGroup", "/staging/us-west-2/vpc-flow-logs", "AWS::Logs::LogGroup", "MODIFIED", (difference,)
        ),
        drift.ResourceDrift("Nat", "nat-1", "AWS::EC2::NatGateway", "NOT_CHECKED"),
    )
    drifted = drift.InstanceDrift(
        "111111111111", "us-west-2", "IN_SYNC" if ignored else "DRIFTED", "DRIFTED", "2026-11-22T06:00:00Z", resources
    )
    clean = [
        drift.InstanceDrift("111111111111", r, "IN_SYNC", "IN_SYNC", "2026-11-22T06:00:00Z")
        for r in ("us-east-1", "eu-west-1")
    ]
    stacksets = (
        drift.StackSetDrift("network-staging", "network", "op-123", "SUCCEEDED", (clean[0], drifted, clean[1]), 3, 1.5),
        drift.StackSetDrift(
            "fraud-detection-staging",
            "fraud-detection",
            "op-456",
            "SUCCEEDED",
            tuple(drift.InstanceDrift("111111111111", r, "IN_SYNC", "IN_SYNC", "") for r in REGIONS),
            2,
            1.0,
        ),
    )
    return drift.DriftReport("staging", "2026-11-22T06:00:00Z", "2026-11-22T06:00:09Z", REGIONS, stacksets, 1)


def test_text_report_matrix_and_property_lines():
    lines = text.render(sample()).splitlines()
    assert lines[0] == "drift of staging: DRIFTED  (2026-11-22T06:00:00Z .. 2026-11-22T06:00:09Z)"
    assert lines[1] == "1 drifted resource; 1 not checked; 0 ignore rules, 0 unused"
    assert lines[4].split() == ["network-staging", "IN_SYNC", "DRIFTED", "IN_SYNC"]
    assert "    /RetentionInDays: expected 90, actual 7 (NOT_EQUAL)" in lines
    assert any(line.startswith("1 resource(s) are NOT_CHECKED") for line in lines)


def test_json_report_has_a_stable_schema():
    document = json.loads(json_report.render(sample()))
    v1 = ["schema", "environment", "status", "started", "finished", "regions", "ignore_rules", "stacksets"]
    assert [key for key in document if key in v1] == v1  # keys may be added, none removed or renamed
    stackset = document["stacksets"][0]
    assert list(stackset) == [
        "name",
        "template",
        "operation_id",
        "detection_status",
        "status",
        "polls",
        "seconds",
        "counts",
        "instances",
    ]
    assert stackset["instances"][1]["resources"][0]["differences"] == [
        {"path": "/RetentionInDays", "expected": 90, "actual": 7, "type": "NOT_EQUAL", "ignored_because": None}
    ]


def test_markdown_report_for_a_pull_request():
    body = markdown.render(sample())
    assert body.startswith("## Drift: `staging` is 🔴 DRIFTED")
    assert "| `network-staging` | 🟢 IN_SYNC | 🔴 DRIFTED | 🟢 IN_SYNC |" in body
    assert "| `/RetentionInDays` | `90` | `7` | NOT_EQUAL |" in body


def test_ignored_differences_are_marked_in_every_format():
    report = sample(ignored=True)
    assert report.status == "IN_SYNC"
    assert "[ignored: log team owns it]" in text.render(report)
    assert "(ignored: log team owns it)" in markdown.render(report)
    assert (
        json.loads(json_report.render(report))["stacksets"][0]["instances"][1]["resources"][0]["differences"][0][
            "ignored_because"
        ]
        == "log team owns it"
    )
    assert "ignored: log team owns it" in html.render(report)


def test_html_is_self_contained_and_written_twice(tmp_path):
    latest, copy = html.write(sample(), tmp_path / "reports")
    assert latest.name == "drift-staging-latest.html" and copy.name == "drift-staging-20261122T060009Z.html"
    page = latest.read_text()
    assert page == copy.read_text()
    assert "<script" not in page and "http://" not in page and "https://" not in page
    assert 'class="DRIFTED">DRIFTED</td>' in page and "<details" in page and "op-123" in page


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.slow  # a headless browser: not a unit
@pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (make setup installs it when run as root with apt)"
)
def test_html_report_renders_in_headless_chromium(tmp_path):
    latest, _ = html.write(sample(), tmp_path)
    screenshot = tmp_path / "drift.png"
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--window-size=1200,900",
    ]
    subprocess.run(
        [CHROMIUM, *flags, f"--screenshot={screenshot}", latest.as_uri()], capture_output=True, timeout=120, check=True
    )
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and screenshot.stat().st_size > 10_000
    dom = subprocess.run(
        [CHROMIUM, *flags, "--dump-dom", latest.as_uri()], capture_output=True, text=True, timeout=120, check=True
    ).stdout
    assert "FlowLogGroup" in dom and "/RetentionInDays" in dom and "DRIFTED" in dom


def test_ignore_file_needs_a_reason_per_rule(tmp_path):
    path = tmp_path / "drift-ignore.yaml"
    path.write_text("- {resource_type: 'AWS::IAM::Role', property: AssumeRolePolicyDocument, normaliser: iam-policy}\n")
    with pytest.raises(InputError, match=r"drift-ignore.yaml: \[0\]: expected .* a non-empty reason"):
        drift.load_ignore_rules(path, "drift-ignore.yaml")


def test_committed_ignore_file_loads(project):
    rules = drift.load_ignore_rules(project.root / "drift-ignore.yaml", "drift-ignore.yaml")
    assert rules and all(rule.reason for rule in rules)


def test_parity_explains_every_difference_of_the_committed_files(project):
    differences = parity.compare(project, render.read_generated(project), ENVIRONMENTS)
    by_key = {(d.template, d.key): d for d in differences}
    assert by_key[("fraud-detection", "DbInstanceCount")].verdict.startswith(
        "rule: prod needs at least 2 Aurora instances"
    )
    assert by_key[("fraud-detection", "ErrorThreshold")].values == {"dev": "10", "staging": "5", "prod": "3"}
    assert by_key[("fraud-detection", "CertificateArn")].verdict == "per-account"
    assert [d for d in differences if not d.explained] == []


def test_parity_flags_an_accidental_difference(tmp_project):
    path = tmp_project.parameter_path("prod")
    path.write_text(
        path.read_text().replace("  fraud-detection:\n", "  fraud-detection:\n    CpuTargetPercent: 75\n", 1)
    )
    differences = parity.compare(tmp_project, render.read_generated(tmp_project), ENVIRONMENTS)
    [unexplained] = [d for d in differences if not d.explained]
    assert (unexplained.key, unexplained.values) == ("CpuTargetPercent", {"dev": "60", "staging": "60", "prod": "75"})


def with_rules() -> drift.DriftReport:
    used = drift.IgnoreRule("AWS::IAM::Role", "AssumeRolePolicyDocument", "iam-policy", "IAM keeps its own form")
    unused = drift.IgnoreRule("AWS::Logs::LogGroup", "Tags", "service-tags", "services add aws: tags")
    difference = drift.PropertyDifference("/AssumeRolePolicyDocument", "{}", "{}", "NOT_EQUAL", used.reason, used)
    role = drift.ResourceDrift(
        "FlowLogRole", "staging-us-west-2-role-vpc-flow-logs", "AWS::IAM::Role", "MODIFIED", (difference,)
    )
    instance = drift.InstanceDrift("111111111111", "us-west-2", "IN_SYNC", "DRIFTED", "2026-11-22T06:00:00Z", (role,))
    stackset = drift.StackSetDrift("network-staging", "network", "op-1", "SUCCEEDED", (instance,), 1, 0.1)
    return drift.DriftReport(
        "staging", "2026-11-22T06:00:00Z", "2026-11-22T06:00:09Z", ("us-west-2",), (stackset,), 2, (used, unused)
    )


def test_every_format_lists_each_rule_with_what_it_hid_or_unused():
    report = with_rules()
    hid = "network-staging us-west-2 111111111111: FlowLogRole /AssumeRolePolicyDocument"
    for page in (text.render(report), markdown.render(report), html.render(report)):
        assert (
            "AWS::IAM::Role AssumeRolePolicyDocument (iam-policy)" in page
            and hid in page
            and "IAM keeps its own form" in page
        )
        assert (
            "AWS::Logs::LogGroup Tags (service-tags)" in page
            and "unused" in page
            and "2 ignore rules, 1 unused" in page
        )
    uses = json.loads(json_report.render(report))["ignore_rule_uses"]
    assert [(u["property"], u["unused"], len(u["hid"])) for u in uses] == [
        ("AssumeRolePolicyDocument", False, 1),
        ("Tags", True, 0),
    ]
    assert uses[0]["hid"][0] == {
        "stackset": "network-staging",
        "account": "111111111111",
        "region": "us-west-2",
        "logical_id": "FlowLogRole",
        "type": "AWS::IAM::Role",
        "path": "/AssumeRolePolicyDocument",
    }


def test_every_format_has_the_drifted_count_at_the_top_and_not_checked_by_type():
    report = sample()
    nat = "network-staging us-west-2 111111111111: Nat nat-1"
    page = html.render(report)
    assert page.index("1 drifted resource") < page.index('id="matrix"')
    assert "<tr><td><code>AWS::EC2::NatGateway</code></td><td>1</td><td>network-staging (us-west-2)</td></tr>" in page
    assert nat not in page  # one row per type, not one per resource
    lines = text.render(report).splitlines()
    assert lines[1].startswith("1 drifted resource")
    assert lines[lines.index("NOT_CHECKED by type:") + 1 :][:2] == [
        "  AWS::EC2::NatGateway: 1 in network-staging (us-west-2)",
        "",  # then the next section
    ]
    body = markdown.render(report)
    assert body.splitlines()[2] == "**1 drifted resource; 1 not checked; 0 ignore rules, 0 unused**"
    assert "| `AWS::EC2::NatGateway` | 1 | network-staging (us-west-2) |" in body and nat not in body
    document = json.loads(json_report.render(report))
    assert document["drifted_resources"] == 1
    assert document["not_checked"] == {
        "AWS::EC2::NatGateway": [
            {
                "stackset": "network-staging",
                "account": "111111111111",
                "region": "us-west-2",
                "logical_id": "Nat",
                "physical_id": "nat-1",
            }
        ]
    }
    assert json.loads(json_report.render(sample(ignored=True)))["drifted_resources"] == 0


def test_values_are_typed_json_in_every_format_and_read_back_as_cloudformations_text():
    values = [("/Tags/0/Value", "ops", "fraud"), ("/Enabled", "true", "false"), ("/Config", '{"a":1}', '{"a":2}')]
    differences = tuple(drift.PropertyDifference(path, e, a, "NOT_EQUAL") for path, e, a in values)
    resource = drift.ResourceDrift("Thing", "t-1", "AWS::Logs::LogGroup", "MODIFIED", differences)
    instance = drift.InstanceDrift("111111111111", "us-east-1", "DRIFTED", "DRIFTED", WHEN_TEXT, (resource,))
    stackset = drift.StackSetDrift("network-dev", "network", "op", "SUCCEEDED", (instance,), 1, 0.1)
    report = drift.DriftReport("dev", WHEN_TEXT, WHEN_TEXT, ("us-east-1",), (stackset,))
    document = json.loads(json_report.render(report))
    typed = document["stacksets"][0]["instances"][0]["resources"][0]["differences"]
    assert [(d["expected"], d["actual"]) for d in typed] == [("ops", "fraud"), (True, False), ({"a": 1}, {"a": 2})]
    lines = text.render(report).splitlines()
    assert '    /Tags/0/Value: expected "ops", actual "fraud" (NOT_EQUAL)' in lines
    assert "    /Enabled: expected true, actual false (NOT_EQUAL)" in lines
    assert '| `/Config` | `{"a": 1}` | `{"a": 2}` | NOT_EQUAL |' in markdown.render(report)
    assert "<code>true</code>" in html.render(report)
    assert json_load.load(json_report.render(report)) == report
