"""StackSet definitions: validated like parameter files, one line per problem."""

from __future__ import annotations

import shutil

import pytest

from cfnops.core.errors import InputError
from cfnops.inputs import stacksets as config
from cfnops.inputs.project import Project
from tests.conftest import PLATFORM, ROOT
from tests.support.specs import load


@pytest.fixture
def stacksets(tmp_path):
    shutil.copytree(ROOT / "stacksets", tmp_path / "stacksets")
    return Project(tmp_path, PLATFORM)


def test_committed_definitions_in_dependency_order(project):
    specs = load(project, "prod")
    keys = [s.key for s in specs]
    assert sorted(keys) == sorted(p.stem for p in (project.root / "stacksets").glob("*.yaml"))  # every file, once
    assert [s.name for s in specs] == [f"{key}-prod" for key in keys]
    for index, spec in enumerate(specs):  # each after everything it depends on
        assert all(keys.index(dependency) < index for dependency in spec.depends_on), spec.key
    levels = [[s.key for s in level] for level in config.levels(specs)]
    assert sorted(key for level in levels for key in level) == sorted(keys) and sorted(levels[0]) == sorted(
        s.key for s in specs if not s.depends_on
    )
    depth = {key: number for number, level in enumerate(levels) for key in level}
    assert all(depth[dependency] < depth[s.key] for s in specs for dependency in s.depends_on)


@pytest.mark.parametrize(
    "environment, expected",
    [
        (
            "dev",
            {
                "RegionConcurrencyType": "PARALLEL",
                "FailureToleranceCount": 0,
                "MaxConcurrentPercentage": 100,
                "ConcurrencyMode": "SOFT_FAILURE_TOLERANCE",
            },
        ),
        ("prod", {"RegionConcurrencyType": "SEQUENTIAL", "FailureToleranceCount": 0, "MaxConcurrentCount": 1}),
    ],
)
def test_operation_preferences_per_environment(project, environment, expected):
    for spec in load(project, environment):
        region_order = {"RegionOrder": list(spec.regions)} if environment == "prod" else {}
        assert spec.preferences == expected | region_order, spec.key


BAD = [
    (
        "unknown-key",
        "network",
        "tags:",
        "tagz:",
        "stacksets/network.yaml: tagz: unknown key (did you mean tags?): expected one of ",
    ),
    (
        "unknown-template",
        "network",
        "template: network",
        "template: netwerk",
        f"stacksets/network.yaml: template: unknown template (did you mean network?): expected one of {', '.join(PLATFORM.registry)}",
    ),
    (
        "bad-region",
        "network",
        "regions: [us-east-1, us-west-2, eu-west-1]",
        "regions: [us-east-1, ap-south-1]",
        "stacksets/network.yaml: regions[1]: unknown value: expected one of us-east-1, us-west-2, eu-west-1",
    ),
    (
        "bad-account",
        "network",
        "accounts: [self]",
        "accounts: ['12345']",
        "stacksets/network.yaml: accounts[0]: expected a value matching ^([0-9]{12}|self|environment)$, got '12345'",
    ),
    (
        "self-managed-without-accounts",
        "network",
        "accounts: [self]",
        "accounts: {prod: [self]}",
        "stacksets/network.yaml: accounts: SELF_MANAGED needs accounts (12 digits, self or environment) for staging and no organizational_units",
    ),
    (
        "bad-permission-model",
        "network",
        "permission_model: SELF_MANAGED",
        "permission_model: SELF",
        "stacksets/network.yaml: permission_model: expected one of SELF_MANAGED, SERVICE_MANAGED, got 'SELF'",
    ),
    (
        "bad-capability",
        "network",
        "capabilities: [CAPABILITY_NAMED_IAM]",
        "capabilities: [NAMED_IAM]",
        "stacksets/network.yaml: capabilities[0]: unknown value (did you mean CAPABILITY_NAMED_IAM?): expected one of ",
    ),
    (
        "bad-preference",
        "fraud-detection",
        "    region_order: [us-east-1, us-west-2, eu-west-1]",
        "    region_order: [us-east-1, us-west-2, eu-west-1]\n  staging:\n    max_concurrent_percentage: 150",
        "stacksets/fraud-detection.yaml: operation_preferences.staging.max_concurrent_percentage: expected a whole number from 1 to 100, got 150",
    ),
    (
        "unknown-dependency",
        "fraud-detection",
        "depends_on: [network]",
        "depends_on: [netwrk]",
        "stacksets/fraud-detection.yaml: depends_on[0]: unknown StackSet (did you mean network?): expected one of ",
    ),
    (
        "dependency-missing-in-a-region",
        "network",
        "regions: [us-east-1, us-west-2, eu-west-1]",
        "regions: [us-east-1, us-west-2]",
        "stacksets/data-pipeline.yaml: depends_on[0]: network is not deployed to eu-west-1 (its regions: us-east-1, us-west-2)",
    ),
    (
        "primary-not-one-of-its-regions",
        "fraud-detection",
        "administrator_region: us-east-1",
        "administrator_region: us-east-1\nprimary_region: ap-south-1",
        "stacksets/fraud-detection.yaml: primary_region: expected one of its regions (us-east-1, us-west-2, eu-west-1), got 'ap-south-1'",
    ),
    (
        "cycle",
        "network",
        "managed_execution: true",
        "managed_execution: true\ndepends_on: [fraud-detection]",
        "depends_on: dependency cycle",
    ),
]


@pytest.mark.parametrize("case", BAD, ids=[c[0] for c in BAD])
def test_bad_stackset_files(stacksets, case):
    _, name, old, new, expected = case
    path = stacksets.root / "stacksets" / f"{name}.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(InputError) as raised:
        load(stacksets)
    assert any(line.startswith(expected) or expected in line for line in raised.value.problems), raised.value.problems


def test_service_managed_needs_organizational_units(stacksets):
    path = stacksets.root / "stacksets" / "network.yaml"
    path.write_text(
        path.read_text()
        .replace("permission_model: SELF_MANAGED", "permission_model: SERVICE_MANAGED")
        .replace("accounts: [self]", "organizational_units: [ou-abcd-12345678]\nauto_deployment: {enabled: true}")
    )
    [network, *_] = load(stacksets)
    assert (network.service_managed, network.organizational_units, network.accounts) == (
        True,
        ("ou-abcd-12345678",),
        (),
    )


def test_primary_region_defaults_to_the_administrator_region_and_leads_the_region_order(stacksets):
    specs = {spec.key: spec for spec in load(stacksets, "prod")}
    assert specs["fraud-detection"].primary == "us-east-1"
    assert (
        specs["loan-processing"].primary == "eu-west-1"
    )  # its only region: the administrator region is not one of them
    path = stacksets.root / "stacksets" / "fraud-detection.yaml"
    path.write_text(
        path.read_text().replace(
            "administrator_region: us-east-1", "administrator_region: us-east-1\nprimary_region: eu-west-1"
        )
    )
    spec = {spec.key: spec for spec in load(stacksets, "prod")}["fraud-detection"]
    assert spec.primary == "eu-west-1"
    assert spec.preferences["RegionOrder"] == ["eu-west-1", "us-east-1", "us-west-2"]  # the file's order, primary first
