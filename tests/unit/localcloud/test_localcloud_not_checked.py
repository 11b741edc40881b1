"""Honest NOT_CHECKED: a type localcloud does not read is NOT_CHECKED with a reason that
puts the gap on localcloud, the product's reports never blame CloudFormation for it, and
the README's list of types localcloud reads is the code's own table."""

from __future__ import annotations

import json
import re
import warnings

import boto3

import localcloud
from cfnops.drift import detect as product_drift
from cfnops.reports import html, markdown, text
from localcloud.drift.coverage import CANNOT_READ
from localcloud.drift.engine import READERS, detect_stack
from tests.support import docs

localcloud.install()
from moto import mock_aws  # noqa: E402
from moto.cloudformation.models import cloudformation_backends  # noqa: E402

UNREAD = "AWS::SSM::Parameter"  # moto models it, localcloud's drift does not read it


def readme_reader_types() -> list[str]:
    """The bulleted types under "Actual properties are read" in the localcloud section."""
    section = docs.section("The offline AWS (localcloud)")
    listing = section.split("Actual properties are read", 1)[1].split("\n- ", 1)[0]
    return re.findall(r"^  - `([A-Za-z0-9:]+)`$", listing, flags=re.M)


def readme_cannot_read() -> dict[str, str]:
    section = docs.section("The offline AWS (localcloud)")
    listing = section.split("localcloud cannot read these types", 1)[1].split("\n- ", 1)[0]
    return dict(re.findall(r"^  - `([A-Za-z0-9:]+)`: (.+)$", listing, flags=re.M))


def test_readme_lists_exactly_the_types_localcloud_reads_and_those_it_cannot():
    assert readme_reader_types() == sorted(READERS)
    assert UNREAD not in READERS
    assert readme_cannot_read() == CANNOT_READ


def test_an_unread_type_is_not_checked_because_of_localcloud():
    template = {
        "Resources": {
            "Setting": {"Type": UNREAD, "Properties": {"Name": "/nc/setting", "Type": "String", "Value": "1"}},
            "Group": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 7}},
        }
    }
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        client = boto3.client("cloudformation", region_name="us-east-1")
        client.create_stack(StackName="nc", TemplateBody=json.dumps(template))
        client.detect_stack_drift(StackName="nc")
        drifts = {
            d["LogicalResourceId"]: d
            for d in client.describe_stack_resource_drifts(StackName="nc")["StackResourceDrifts"]
        }
        listed = {
            r["LogicalResourceId"]: r["DriftInformation"]["StackResourceDriftStatus"]
            for r in client.list_stack_resources(StackName="nc")["StackResourceSummaries"]
        }
        stack = cloudformation_backends["123456789012"]["us-east-1"].get_stack("nc")
        reasons = {d.logical_id: d.reason for d in detect_stack(stack)}
    # the drift API never returns NOT_CHECKED records; the stack's resources say it
    assert list(drifts) == ["Group"] and drifts["Group"]["StackResourceDriftStatus"] == "IN_SYNC"
    assert listed == {"Setting": "NOT_CHECKED", "Group": "IN_SYNC"}
    assert reasons["Setting"].startswith(f"localcloud cannot read {UNREAD}")
    assert "on AWS, CloudFormation checks" in reasons["Setting"]
    assert reasons["Group"] == ""


def not_checked_report() -> product_drift.DriftReport:
    resources = (
        product_drift.ResourceDrift("Flow", "/flow", "AWS::Logs::LogGroup", "DELETED"),
        product_drift.ResourceDrift("Nat", "nat-1", "AWS::EC2::NatGateway", "NOT_CHECKED"),
        product_drift.ResourceDrift("Log", "fl-1", "AWS::EC2::FlowLog", "NOT_CHECKED"),
    )
    instance = product_drift.InstanceDrift(
        "111111111111", "us-east-1", "DRIFTED", "DRIFTED", "2026-01-01T00:00:00Z", resources
    )
    stackset = product_drift.StackSetDrift("network-dev", "network", "op-1", "SUCCEEDED", (instance,), 1, 0.1)
    return product_drift.DriftReport("dev", "2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z", ("us-east-1",), (stackset,))


def test_reports_name_the_unchecked_types_without_blaming_cloudformation():
    report = not_checked_report()
    for page in (text.render(report), markdown.render(report), html.render(report)):
        assert "2 resource(s) are NOT_CHECKED" in page
        assert "AWS::EC2::FlowLog, AWS::EC2::NatGateway" in page
        assert "CloudFormation cannot" not in page
