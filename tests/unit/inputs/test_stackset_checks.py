"""The checks of a StackSet file one by one: each reads its own key(s) and reports its own
problems, exactly (the CLI prints these lines as they are)."""

from __future__ import annotations

import pytest

from cfnops.inputs import stackset_checks as checks
from cfnops.inputs.paramfiles import parse_yaml
from cfnops.inputs.stackset_problems import StackSetProblems
from tests.conftest import PLATFORM, ROOT

FILE = "stacksets/x.yaml"
STACKSET_FILES = sorted((ROOT / "stacksets").glob("*.yaml"))


class Recording(dict):
    """A file's mapping that notes every key a check looks up."""

    def __init__(self, data: dict) -> None:
        super().__init__(data)
        self.read: set[str] = set()

    def get(self, key, default=None):
        self.read.add(key)
        return super().get(key, default)

    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)

    def __contains__(self, key) -> bool:
        self.read.add(key)
        return super().__contains__(key)


def draft(data: dict, environment: str = "staging", key: str = "x") -> checks.Draft:
    return checks.Draft(
        StackSetProblems(FILE),
        data,
        key,
        environment,
        PLATFORM.registry,
        PLATFORM.regions,
        PLATFORM.environments,
        PLATFORM.environment(environment).production,
    )


def problems_of(check, data: dict, environment: str = "staging", key: str = "x") -> list[str]:
    """What ``check`` alone reports, after the checks before it have read the file."""
    subject = draft(data, environment, key)
    for earlier in checks.CHECKS[: checks.CHECKS.index(check)]:
        earlier(subject)
    subject.problems = StackSetProblems(FILE)
    check(subject)
    return subject.problems.lines


def valid(**changes) -> dict:
    data = {"template": next(iter(PLATFORM.registry)), "accounts": ["self"]}
    return {key: value for key, value in (data | changes).items() if value is not None}


CASES = [
    (checks.known_keys, valid(tagz={}), ["tagz: unknown key (did you mean tags?): expected one of "]),
    (checks.file_name, valid(), []),
    (checks.template, valid(template=None), [f"template: required: expected one of {', '.join(PLATFORM.registry)}"]),
    (checks.regions, valid(regions="us-east-1"), ["regions: expected a list of strings, got a string"]),
    (
        checks.administrator_region,
        valid(administrator_region="mars-1"),
        [f"administrator_region: unknown region: expected one of {', '.join(PLATFORM.regions)}"],
    ),
    (
        checks.primary_region,
        valid(regions=list(PLATFORM.regions[:1]), primary_region=PLATFORM.regions[-1]),
        [f"primary_region: expected one of its regions ({PLATFORM.regions[0]}), got '{PLATFORM.regions[-1]}'"],
    ),
    (
        checks.permission_model,
        valid(permission_model="OWN"),
        ["permission_model: expected one of SELF_MANAGED, SERVICE_MANAGED, got 'OWN'"],
    ),
    (
        checks.targets,
        valid(accounts={"qa": ["self"]}, organizational_units=["ou-1"]),
        [
            f"accounts.qa: unknown environment: expected one of {', '.join(PLATFORM.environments)}",
            "organizational_units[0]: expected a value matching "
            r"^(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$, got 'ou-1'",
        ],
    ),
    (
        checks.self_managed_targets,
        valid(accounts={"prod": ["self"]}),
        [
            "accounts: SELF_MANAGED needs accounts (12 digits, self or environment) for staging and no organizational_units"
        ],
    ),
    (
        checks.service_managed_targets,
        valid(permission_model="SERVICE_MANAGED"),
        ["organizational_units: SERVICE_MANAGED needs organizational_units for staging and no accounts"],
    ),
    (
        checks.auto_deployment,
        valid(auto_deployment={"enabled": "yes"}),
        ["auto_deployment: expected {enabled: true|false, retain_stacks_on_account_removal: true|false}"],
    ),
    (
        checks.tags,
        valid(tags={"Team": 1}),
        ["tags: expected a mapping of tag names to strings (quote numbers), got a mapping"],
    ),
    (checks.description, valid(description=7), ["description: expected a string, got 7"]),
    (
        checks.managed_execution,
        valid(managed_execution="yes"),
        ["managed_execution: expected true or false, got 'yes'"],
    ),
    (
        checks.capabilities,
        valid(capabilities=["CAPABILITY_IAMM"]),
        ["capabilities[0]: unknown value (did you mean CAPABILITY_IAM?): expected one of "],
    ),
    (checks.depends_on, valid(depends_on="network"), ["depends_on: expected a list of strings, got a string"]),
    (
        checks.operation_preferences,
        valid(operation_preferences={"staging": {"failure_tolerance_count": 1, "failure_tolerance_percentage": 5}}),
        [
            "operation_preferences.staging: failure_tolerance_count and failure_tolerance_percentage exclude "
            "each other: set one"
        ],
    ),
    (
        checks.region_outputs,
        valid(region_outputs=["x"]),
        ["region_outputs: expected a mapping of parameters to {stackset, output, regions}, got a list"],
    ),
]


@pytest.mark.parametrize("check, data, expected", CASES, ids=[case[0].__name__ for case in CASES])
def test_each_check_reports_its_own_problems(check, data, expected):
    lines = problems_of(check, data)
    assert len(lines) == len(expected), lines
    for line, start in zip(lines, expected, strict=True):
        assert line.startswith(f"{FILE}: {start}"), line
    assert problems_of(check, valid()) == []  # and nothing on a valid file


def test_a_file_name_is_a_lower_case_name():
    assert problems_of(checks.file_name, valid(), key="Network") == [
        f"{FILE}: (file name): expected a lower-case name matching {checks.NAME.pattern}, got 'Network'"
    ]


@pytest.mark.parametrize("path", STACKSET_FILES, ids=[p.stem for p in STACKSET_FILES])
def test_each_key_is_read_by_one_check(path):
    """One job each: every key of a StackSet file is looked up by exactly one check."""
    data = parse_yaml(path, path.name, ROOT)
    assert isinstance(data, dict)
    subject = draft(data, key=path.stem)
    readers: dict[str, list[str]] = {}
    for check in checks.CHECKS:
        subject.data = Recording(data)
        check(subject)
        for key in subject.data.read:
            readers.setdefault(key, []).append(check.__name__)
    assert subject.problems.lines == []
    assert {key: names for key, names in readers.items() if len(names) != 1} == {}
    assert set(readers) == set(checks.KEYS)


def test_every_check_runs_once_under_its_own_name():
    names = [check.__name__ for check in checks.CHECKS]
    assert len(names) == len(set(names))
    assert all(getattr(checks, name) is check for name, check in zip(names, checks.CHECKS, strict=True))
