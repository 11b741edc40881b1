"""Region roles: the primary region's instance is created first, the plan says the order,
PrimaryRegion comes from the StackSet file, and a new primary is a failover that deploy
refuses unless ALLOW_FAILOVER=1."""

from __future__ import annotations

import json

import pytest

from cfnops.build import render
from cfnops.core.errors import InputError
from cfnops.inputs import params
from cfnops.rollout import planview, roles
from cfnops.rollout.plan import Actual, build_desired, make_plan
from tests.support.stubber import ADMIN, make_spec

ROLES_TEMPLATE = json.dumps(
    {"Parameters": {"Environment": {"Type": "String"}, "PrimaryRegion": {"Type": "String"}}, "Resources": {}}
)
PLAIN_TEMPLATE = json.dumps({"Parameters": {"Environment": {"Type": "String"}}, "Resources": {}})
REGIONS = ("us-west-2", "us-east-1", "eu-west-1")


@pytest.fixture(scope="module")
def staging(project):
    return params.resolve_deployed(project, "staging", render.read_generated(project))


def plan_of(staging, template=ROLES_TEMPLATE, actual=None, primary="us-east-1"):
    desired = build_desired(
        make_spec(template="fraud-detection", regions=REGIONS, primary_region=primary), template, staging, ADMIN
    )
    return make_plan(None, desired, actual or Actual(exists=False))


def test_creation_waves_put_the_primary_alone_first():
    assert roles.creation_waves(REGIONS, list(REGIONS), "us-east-1", True) == [
        ["us-east-1"],
        ["us-west-2", "eu-west-1"],
    ]
    assert roles.creation_waves(REGIONS, list(REGIONS), "us-east-1", False) == [list(REGIONS)]  # no roles: one call
    assert roles.creation_waves(REGIONS, ["eu-west-1"], "us-east-1", True) == [["eu-west-1"]]  # the primary exists


def test_plan_shows_the_creation_order(staging):
    lines = planview.describe(plan_of(staging))
    assert "  create order: us-east-1 (primary) first and waited for, then us-west-2, eu-west-1" in lines
    assert not any("order" in line for line in planview.describe(plan_of(staging, PLAIN_TEMPLATE)))


def test_primary_region_is_filled_from_the_stackset_file(project, staging):
    values = staging.values["fraud-detection"]
    assert {region: values[region]["PrimaryRegion"].value for region in values} == dict.fromkeys(values, "us-east-1")
    assert (values["eu-west-1"]["PrimaryRegion"].file, values["eu-west-1"]["PrimaryRegion"].key) == (
        "stacksets/fraud-detection.yaml",
        "primary_region",
    )


def test_a_parameter_file_cannot_set_the_primary_region(tmp_project):
    path = tmp_project.root / "parameters" / "staging.yaml"
    path.write_text(
        path.read_text().replace(
            "    EnableGlobalTable: false\n", "    EnableGlobalTable: false\n    PrimaryRegion: us-west-2\n"
        )
    )
    with pytest.raises(InputError) as raised:
        params.resolve_deployed(tmp_project, "staging", render.read_generated(tmp_project))
    assert raised.value.problems == [
        "parameters/staging.yaml: templates.fraud-detection.PrimaryRegion: set by cfnops from "
        "stacksets/fraud-detection.yaml (primary_region): remove it here"
    ]


def deployed(plan, primary: str) -> Actual:
    desired = plan.desired
    return Actual(
        exists=True,
        template=desired.template,
        parameters={**desired.parameters, "PrimaryRegion": primary},
        capabilities=frozenset(desired.spec.capabilities),
        tags=desired.tags,
        description=desired.spec.description,
        managed_execution=desired.spec.managed_execution,
    )


def test_a_new_primary_region_is_a_failover_refused_unless_allowed(staging):
    plan = plan_of(staging)
    failover = plan_of(staging, actual=deployed(plan, "us-west-2"))
    assert roles.failover(failover) == ("us-west-2", "us-east-1")
    assert (
        "  FAILOVER: primary region us-west-2 -> us-east-1: deploy refuses it without ALLOW_FAILOVER=1"
        in planview.describe(failover)
    )
    with pytest.raises(InputError) as raised:
        roles.refuse_failover([failover], False, lambda spec: f"stacksets/{spec.key}.yaml")
    assert raised.value.problems == [
        "stacksets/fraud-detection.yaml: primary_region: fraud-detection-staging has primary region us-west-2 deployed, got us-east-1: that is "
        "a failover; follow docs/regions.md 'A planned failover', then deploy with ALLOW_FAILOVER=1 (--allow-failover)"
    ]
    roles.refuse_failover([failover], True, str)  # allowed
    roles.refuse_failover([plan_of(staging, actual=deployed(plan, "us-east-1"))], False, str)  # the same primary
