"""Which types CloudFormation's drift checks, from the registry schemas and AWS's table."""

from __future__ import annotations

import json

import pytest

from cfnops.awsfacts import drift_support, schemas
from tests.conftest import ROOT


def generated_types() -> list[str]:
    found = set()
    for path in sorted(ROOT.joinpath("generated").glob("*.json")):
        if path.name != "manifest.json":
            found |= {r["Type"] for r in json.loads(path.read_text()).get("Resources", {}).values()}
    return sorted(found)


@pytest.mark.parametrize("kind", generated_types())
def test_a_type_is_checked_exactly_when_its_schema_has_a_read_handler_and_aws_does_not_exclude_it(kind):
    has_read = "read" in (schemas.schema(kind).get("handlers") or {})
    assert drift_support.checked(kind) == (has_read and kind not in drift_support.EXCLUDED)
    assert (drift_support.why_not_checked(kind) == "") == drift_support.checked(kind)


def test_a_type_without_a_read_handler_says_so():
    # AWS::SQS::QueuePolicy's registry schema has create, update and delete handlers only
    assert "read" not in schemas.schema("AWS::SQS::QueuePolicy")["handlers"]
    assert not drift_support.checked("AWS::SQS::QueuePolicy")
    assert "no read handler" in drift_support.why_not_checked("AWS::SQS::QueuePolicy")
    assert drift_support.why_not_checked("AWS::Nope::Thing").startswith("AWS::Nope::Thing has no registry schema")


def test_no_stackset_operation_can_revert_drift_so_cfnops_offers_no_revert_drift():
    """When botocore's model gives a StackSet operation a DeploymentMode, `deploy
    --revert-drift` becomes possible: this fails so that the README's answer is revisited."""
    assert drift_support.revert_drift_operations() == ()
