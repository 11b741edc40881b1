"""Parameter files: every bad input is refused with one line naming file, key and expectation."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cfnops.core.errors import InputError
from cfnops.inputs import params
from cfnops.inputs.constraints import ConstraintError, normalize
from tests.conftest import PLATFORM

S = "parameters/staging.yaml"
TEMPLATES = ", ".join(PLATFORM.registry)  # as the error lists them
P = "parameters/prod.yaml"
D = "parameters/dev.yaml"
C = "parameters/common.yaml"
FD = "templates.fraud-detection"


def edit(project, environment: str, old: str | None, new: str) -> None:
    """Replace ``old`` in the file (it must be there) or, with old None, write ``new`` whole."""
    path = project.parameters / (f"{environment}.yaml")
    text = path.read_text()
    if old is None:
        path.write_text(new)
        return
    assert old in text, f"test setup: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1))


BAD_INPUTS = [
    # (id, environment whose file is edited, old, new, environment validated, expected line)
    (
        "yaml-syntax",
        "staging",
        "defaults:\n",
        "defaults: [\n",
        "staging",
        f"{S}:5:10: YAML syntax error: expected ',' or ']', but got ':'",
    ),
    (
        "empty-file",
        "staging",
        None,
        "",
        "staging",
        f"{S}: file is empty: expected a mapping with keys environment, defaults, templates, regions",
    ),
    (
        "not-a-mapping",
        "staging",
        None,
        "- environment\n- staging\n",
        "staging",
        f"{S}: expected a mapping with keys environment, defaults, templates, regions, got a list",
    ),
    (
        "unknown-top-level-key",
        "staging",
        "templates:\n",
        "tempaltes:\n",
        "staging",
        f"{S}: tempaltes: unknown top-level key (did you mean templates?): expected one of environment, defaults, templates, regions",
    ),
    (
        "environment-mismatch",
        "staging",
        "environment: staging",
        "environment: prod",
        "staging",
        f"{S}: environment: expected 'staging' (the file's name), got 'prod'",
    ),
    (
        "unknown-template",
        "staging",
        "  fraud-detection:\n    TaskCpu",
        "  frad-detection:\n    TaskCpu",
        "staging",
        f"{S}: templates.frad-detection: unknown template (did you mean fraud-detection?): expected one of {TEMPLATES}",
    ),
    (
        "unknown-region",
        "staging",
        "  us-west-2:\n",
        "  us-east-2:\n",
        "staging",
        f"{S}: regions.us-east-2: unknown region (did you mean us-west-2?): expected one of us-east-1, us-west-2, eu-west-1",
    ),
    (
        "unknown-parameter",
        "staging",
        "    AzCount: 2",
        "    AzCounts: 2",
        "staging",
        f"{S}: templates.network.AzCounts: unknown parameter of template network (did you mean AzCount?): expected one of "
        "AzCount, CostCenter, Environment, FlowLogRetentionDays, HighlyAvailableNat, Owner, Project",
    ),
    (
        "unknown-default",
        "staging",
        "  CostCenter: CC-1002",
        "  CostCentre: CC-1002",
        "staging",
        f"{S}: defaults.CostCentre: unknown parameter (did you mean CostCenter?): expected one of ",
    ),
    (
        "number-wrong-type",
        "staging",
        "TaskCpu: 1024",
        "TaskCpu: lots",
        "staging",
        f"{S}: {FD}.TaskCpu: expected a number, got 'lots'",
    ),
    (
        "list-for-string",
        "staging",
        "AlertEmail: fraud-platform-staging@example.com",
        "AlertEmail: [a@example.com]",
        "staging",
        f"{S}: {FD}.AlertEmail: expected a single value of type String, got a list",
    ),
    (
        "mapping-value",
        "staging",
        "ErrorThreshold: 5",
        "ErrorThreshold: {per-minute: 5}",
        "staging",
        f"{S}: {FD}.ErrorThreshold: expected a string, number, boolean or list of them, got a mapping",
    ),
    (
        "allowed-values-string",
        "staging",
        "DbInstanceClass: db.r6g.large",
        "DbInstanceClass: db.m5.large",
        "staging",
        f"{S}: {FD}.DbInstanceClass: expected one of db.t4g.medium, db.r6g.large, db.r6g.xlarge, db.r6g.2xlarge, got 'db.m5.large'",
    ),
    (
        "allowed-values-number",
        "staging",
        "TaskCpu: 1024",
        "TaskCpu: 300",
        "staging",
        f"{S}: {FD}.TaskCpu: expected one of 256, 512, 1024, 2048, 4096, got 300",
    ),
    (
        "allowed-pattern",
        "staging",
        "CostCenter: CC-1002",
        "CostCenter: CC12",
        "staging",
        f"{S}: defaults.CostCenter: expected a value matching ^CC-[0-9]{{4}}$, got 'CC12'",
    ),
    (
        "below-min-value",
        "staging",
        "MinTasks: 2",
        "MinTasks: 0",
        "staging",
        f"{S}: {FD}.MinTasks: expected at least 1, got 0",
    ),
    (
        "above-max-value",
        "staging",
        "LatencyThresholdMs: 3000",
        "LatencyThresholdMs: 90000",
        "staging",
        f"{S}: {FD}.LatencyThresholdMs: expected at most 60000, got 90000",
    ),
    (
        "missing-required",
        "staging",
        "    AlertEmail: fraud-platform-staging@example.com\n",
        "",
        "staging",
        f"{S}: {FD}.AlertEmail: required by template fraud-detection, not set",
    ),
    (
        "missing-in-one-region",
        "staging",
        "      CertificateArn: arn:aws:acm:us-west-2:123456789012:certificate/5a000002-0000-4000-8000-000000000002\n",
        "",
        "staging",
        f"{S}: {FD}.CertificateArn: required by template fraud-detection in us-west-2, not set",
    ),
    (
        "region-override-wrong",
        "staging",
        "certificate/5a000002-0000-4000-8000-000000000003",
        "certificate/nope",
        "staging",
        f"{S}: regions.eu-west-1.fraud-detection.CertificateArn: expected a value matching "
        r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]{36}$, got 'arn:aws:acm:eu-west-1:123456789012:certificate/nope'",
    ),
    (
        "environment-parameter",
        "staging",
        "defaults:\n",
        "defaults:\n  Environment: prod\n",
        "staging",
        f"{S}: defaults.Environment: expected 'staging' (the environment), got 'prod'",
    ),
    (
        "rule-prod-aurora-count",
        "prod",
        "DbInstanceCount: 2",
        "DbInstanceCount: 1",
        "prod",
        f"{P}: {FD}.DbInstanceCount: prod needs at least 2 Aurora instances, got 1",
    ),
    (
        "rule-prod-deletion-protection",
        "prod",
        "DbDeletionProtection: true",
        "DbDeletionProtection: false",
        "prod",
        f"{P}: {FD}.DbDeletionProtection: prod needs Aurora deletion protection (true), got false",
    ),
    (
        "rule-prod-ha-nat",
        "prod",
        "HighlyAvailableNat: true",
        "HighlyAvailableNat: false",
        "prod",
        f"{P}: templates.network.HighlyAvailableNat: prod needs a NAT gateway per availability zone (true), got false",
    ),
    (
        "rule-dev-read-only",
        "dev",
        "IamMode: read-only",
        "IamMode: full-access",
        "dev",
        f"{D}: {FD}.IamMode: dev must use IamMode read-only, got full-access",
    ),
    (
        "rule-tasks-bounds",
        "staging",
        "MaxTasks: 4",
        "MaxTasks: 1",
        "staging",
        f"{S}: {FD}.MaxTasks: MaxTasks must be at least MinTasks (2), got 1",
    ),
    (
        "rule-fargate-size",
        "staging",
        "TaskMemory: 2048",
        "TaskMemory: 1024",
        "staging",
        f"{S}: {FD}.TaskMemory: Fargate with TaskCpu 1024 takes TaskMemory 2048 to 8192 in steps of 1024, got 1024",
    ),
    (
        "common-file-value",
        "common",
        "Owner: fraud-platform",
        "Owner: Fraud Team",
        "staging",
        f"{C}: defaults.Owner: expected a value matching ^[a-z0-9][a-z0-9-]{{1,62}}$, got 'Fraud Team'",
    ),
    (
        "common-file-regions",
        "common",
        "defaults:\n",
        "regions: {}\ndefaults:\n",
        "staging",
        f"{C}: regions: unknown top-level key: expected one of defaults, templates",
    ),
    ("missing-file", "staging", None, None, "staging", f"{S}: no such file"),
    (
        "region-bound-value",
        "staging",
        "arn:aws:acm:us-west-2:123456789012:certificate/5a000002",
        "arn:aws:acm:eu-west-1:123456789012:certificate/5a000002",
        "staging",
        f"{S}: regions.us-west-2.fraud-detection.CertificateArn: names region eu-west-1 but deploys to us-west-2: "
        "override it in regions.us-west-2.fraud-detection",
    ),
]


def problems_for(project, environment, templates=None):
    from cfnops.build import render

    with pytest.raises(InputError) as raised:
        params.resolve_deployed(project, environment, templates or render.read_generated(project))
    return raised.value.problems


@pytest.mark.parametrize("case", BAD_INPUTS, ids=[case[0] for case in BAD_INPUTS])
def test_bad_input_is_refused_with_one_line(tmp_project, case):
    _, file_env, old, new, environment, expected = case
    if new is None:
        tmp_project.parameter_path(file_env).unlink()
    else:
        edit(tmp_project, file_env, old, new)
    problems = problems_for(tmp_project, environment)
    assert all("\n" not in line for line in problems)
    if expected.endswith("expected one of "):
        assert any(line.startswith(expected) for line in problems), problems
    else:
        assert expected in problems, problems


def test_unknown_environment(project):
    assert problems_for(project, "qa") == ["unknown environment 'qa': expected one of dev, staging, prod"]


def test_every_problem_is_reported_at_once(tmp_project):
    edit(tmp_project, "prod", "DbInstanceCount: 2", "DbInstanceCount: 1")
    edit(tmp_project, "prod", "TaskCpu: 2048", "TaskCpu: 300")
    edit(tmp_project, "prod", "HighlyAvailableNat: true", "HighlyAvailableNat: false")
    assert len(problems_for(tmp_project, "prod")) == 3


def test_literal_secrets_are_refused(tmp_project, templates):
    with_secret = dict(templates, vault={"Parameters": {"ApiToken": {"Type": "String", "NoEcho": True}}})
    edit(tmp_project, "staging", "templates:\n", "templates:\n  vault:\n    ApiToken: hunter2\n")
    problems = problems_for(tmp_project, "staging", with_secret)
    assert problems == [
        f"{S}: templates.vault.ApiToken: secrets go through Secrets Manager: "
        "expected a {{resolve:secretsmanager:...}} reference, not a literal value"
    ]
    assert "hunter2" not in problems[0]


def test_dynamic_references_to_secrets_are_accepted(tmp_project, templates):
    with_secret = dict(templates, vault={"Parameters": {"ApiToken": {"Type": "String", "NoEcho": True}}})
    edit(
        tmp_project,
        "staging",
        "templates:\n",
        "templates:\n  vault:\n    ApiToken: '{{resolve:secretsmanager:prod/api:SecretString:token}}'\n",
    )
    resolved = params.resolve_deployed(tmp_project, "staging", with_secret)
    assert resolved.plain("vault", "us-east-1")["ApiToken"].startswith("{{resolve:secretsmanager:")


def test_region_override_wins_and_is_traced_to_its_key(project, templates):
    resolved = params.resolve_deployed(project, "staging", templates)
    value = resolved.values["fraud-detection"]["us-west-2"]["CertificateArn"]
    assert value.key == "regions.us-west-2.fraud-detection.CertificateArn" and value.file == S
    assert resolved.values["fraud-detection"]["us-east-1"]["Owner"].file == C
    assert resolved.values["fraud-detection"]["us-east-1"]["Project"].file == C


def test_yaml_booleans_and_numbers_become_cloudformation_strings(project, templates):
    values = params.resolve_deployed(project, "dev", templates).plain("fraud-detection", "us-east-1")
    assert values["DbDeletionProtection"] == "false" and values["TaskCpu"] == "512"


def test_all_environments_are_valid(project, templates):
    for environment in ("dev", "staging", "prod"):
        params.resolve_deployed(project, environment, templates)


NUMBER = {"Type": "Number", "MinValue": -50, "MaxValue": 50}


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=-1000, max_value=1000))
def test_number_ranges_accept_exactly_the_declared_interval(number):
    if -50 <= number <= 50:
        assert normalize(number, NUMBER) == str(number) == normalize(str(number), NUMBER)
    else:
        with pytest.raises(ConstraintError):
            normalize(number, NUMBER)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=12))
def test_allowed_pattern_matches_the_whole_value(text):
    declaration = {"Type": "String", "AllowedPattern": "[a-z]+"}
    accepted = bool(text) and all("a" <= c <= "z" for c in text)
    if accepted:
        assert normalize(text, declaration) == text
    else:
        with pytest.raises(ConstraintError):
            normalize(text, declaration)


def test_comma_delimited_lists_check_each_element():
    declaration = {"Type": "List<Number>", "MinValue": 1}
    assert normalize([1, 2], declaration) == "1,2" == normalize("1, 2", declaration)
    with pytest.raises(ConstraintError, match="expected at least 1, got 0"):
        normalize("1,0", declaration)


def restrict_stackset(project, name: str, regions: str) -> None:
    path = project.root / "stacksets" / f"{name}.yaml"
    text = path.read_text()
    start = text.index("regions:")
    path.write_text(text[:start] + f"regions: {regions}" + text[text.index("\n", start) :])


def test_values_are_checked_only_in_the_regions_the_stacksets_deploy_to(tmp_project, templates):
    """Without its US overrides fraud-detection lacks a certificate there: fine once it only goes to eu-west-1."""
    path = tmp_project.parameters / "staging.yaml"
    text = path.read_text()
    path.write_text(text[: text.index("  us-east-1:\n")] + text[text.index("  eu-west-1:\n") :])
    assert (
        "templates.fraud-detection.CertificateArn: required by template fraud-detection in us-east-1, us-west-2, not set"
        in " ".join(problems_for(tmp_project, "staging", templates))
    )
    restrict_stackset(tmp_project, "fraud-detection", "[eu-west-1]")
    resolved = params.resolve_deployed(tmp_project, "staging", templates)
    assert list(resolved.values["fraud-detection"]) == ["eu-west-1"]
    assert list(resolved.values["network"]) == ["us-east-1", "us-west-2", "eu-west-1"]


def test_an_override_for_a_region_the_template_never_goes_to_is_refused(tmp_project, templates):
    restrict_stackset(tmp_project, "fraud-detection", "[eu-west-1]")
    with pytest.raises(InputError) as raised:
        params.resolve_deployed(tmp_project, "staging", templates)
    assert (
        f"{S}: regions.us-west-2.fraud-detection: template fraud-detection is not deployed to us-west-2 "
        "(its StackSets deploy to eu-west-1): remove the override, it would be ignored" in raised.value.problems
    )
