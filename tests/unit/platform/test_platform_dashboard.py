"""The platform dashboard: created once (prod, primary region), every environment and
region side by side, dimensions named as the fraud-detection template names its resources."""

from __future__ import annotations

import json

import pytest

from cfnops.awsfacts.intrinsics import evaluate_conditions
from templates_src.conventions import ENVIRONMENTS, REGIONS
from tests.conftest import props


@pytest.fixture(scope="module")
def fraud(templates):
    return templates["fraud-detection"]


@pytest.mark.parametrize(
    "environment, region, created",
    [
        ("prod", "us-east-1", True),
        ("prod", "eu-west-1", False),
        ("staging", "us-east-1", False),
        ("dev", "us-west-2", False),
    ],
)
def test_created_only_by_prods_stack_in_the_primary_region(fraud, environment, region, created):
    condition = fraud["Resources"]["PlatformDashboard"]["Condition"]
    assert fraud["Outputs"]["PlatformDashboardName"]["Condition"] == condition
    holds = evaluate_conditions(fraud, {"Environment": environment, "AWS::Region": region})[condition]
    assert holds is created


def _widgets(fraud) -> list[dict]:
    return json.loads(props(fraud, "PlatformDashboard")["DashboardBody"])["widgets"]


def test_every_environment_side_by_side_with_a_line_per_region(fraud):
    widgets = _widgets(fraud)
    titles = {w["properties"]["title"].split(": ", 1)[1] for w in widgets}
    assert {"Transactions processed", "Fraud detected", "Scoring service CPU %", "Database CPU %"} <= titles
    for title in titles:
        row = [w for w in widgets if w["properties"]["title"].endswith(": " + title)]
        assert [w["properties"]["title"].split(":")[0] for w in row] == list(
            ENVIRONMENTS
        )  # columns: dev, staging, prod
        assert len({w["y"] for w in row}) == 1 and sorted(w["x"] for w in row) == [0, 8, 16]
        for widget in row:
            assert [m[-1]["region"] for m in widget["properties"]["metrics"]] == list(REGIONS)
    positions = [(w["x"], w["y"]) for w in widgets]
    assert len(positions) == len(set(positions))


def test_dimensions_are_the_names_the_template_gives(fraud):
    resources = fraud["Resources"]
    by_title = {w["properties"]["title"]: w["properties"]["metrics"] for w in _widgets(fraud)}
    for environment in ENVIRONMENTS:
        for line, region in zip(by_title[f"{environment}: Scoring service CPU %"], REGIONS, strict=True):
            expected = [
                resources[t]["Properties"][p]["Fn::Sub"]
                .replace("${Environment}", environment)
                .replace("${AWS::Region}", region)
                for t, p in (("Cluster", "ClusterName"), ("Service", "ServiceName"))
            ]
            assert line[:6] == ["AWS/ECS", "CPUUtilization", "ClusterName", expected[0], "ServiceName", expected[1]]
        for line in by_title[f"{environment}: Database CPU %"]:
            pattern = resources["DatabaseCluster"]["Properties"]["DBClusterIdentifier"]["Fn::Sub"]
            assert line[3] == pattern.replace("${Environment}", environment).replace(
                "${AWS::Region}", line[-1]["region"]
            )
        for line in by_title[f"{environment}: Transactions processed"]:
            assert line[:4] == ["FraudDetection", "TransactionsProcessed", "Environment", environment]
