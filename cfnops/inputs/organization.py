"""organization.yaml: the accounts the platform deploys to, as one value (``Organization``).

Two layouts. ``single-account`` (also what an absent file means): every environment lives in
the deploying account, and StackSet files' ``accounts: [self]`` say so. ``organization``: the
StackSets live in one deployment account of an AWS Organizations organization, and each
environment deploys to its own organizational units and/or accounts::

    layout: organization
    deployment_account:
      id: "111111111111"
      kind: management            # or delegated_admin (CallAs SELF / DELEGATED_ADMIN)
    environments:
      dev: {organizational_units: [ou-ab12-dev00000]}
      staging: {organizational_units: [ou-ab12-stg00000], accounts: ["222222222222"]}
      prod: {accounts: ["333333333333"]}

Regions stay the platform's and the StackSet files'. Every problem is one line naming the
file and key (exit 3), found before any AWS call. An OU's accounts are only known to
Organizations: they are resolved at plan time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from ..awsfacts import stackset_limits
from .paramfiles import parse_yaml, type_name
from .paramfiles import unknown as _unknown
from .problems import Problems

FILE = "organization.yaml"
# AWS's own patterns, from botocore's models: CloudFormation's Account, Organizations' OU id
# (an OU, never the root: the root would put every account in one environment)
ACCOUNT = re.compile(stackset_limits.shape("Account")["pattern"])
OU = re.compile(stackset_limits.shape("OrganizationalUnitId", "organizations")["pattern"])
KEYS = ("layout", "deployment_account", "environments")
DEPLOYMENT_KEYS = ("id", "kind")
ENVIRONMENT_KEYS = ("organizational_units", "accounts")


class Layout(StrEnum):
    SINGLE_ACCOUNT = "single-account"
    ORGANIZATION = "organization"


class DeploymentKind(StrEnum):
    """Who administers the StackSets: the organization's management account, or an account
    registered as a delegated administrator for StackSets."""

    MANAGEMENT = "management"
    DELEGATED_ADMIN = "delegated_admin"


CALL_AS = {DeploymentKind.MANAGEMENT: "SELF", DeploymentKind.DELEGATED_ADMIN: "DELEGATED_ADMIN"}


@dataclass(frozen=True)
class Targets:
    """Where one environment deploys: its OUs (and their nested OUs) and accounts."""

    organizational_units: tuple[str, ...] = ()
    accounts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Organization:
    layout: Layout = Layout.SINGLE_ACCOUNT
    deployment_account: str = ""
    kind: DeploymentKind = DeploymentKind.MANAGEMENT
    environments: dict[str, Targets] = field(default_factory=dict)

    @property
    def is_organization(self) -> bool:
        return self.layout == Layout.ORGANIZATION

    @property
    def call_as(self) -> str:
        """CallAs of every service-managed call: SELF from the management account."""
        return CALL_AS[self.kind]

    def targets(self, environment: str) -> Targets:
        return self.environments.get(environment, Targets())

    def owner_of(self, account: str) -> str | None:
        """The environment that lists ``account`` itself (not through an OU), if any."""
        return next((name for name, t in self.environments.items() if account in t.accounts), None)


SINGLE_ACCOUNT = Organization()


def unknown(name: str, choices, what: str) -> str:
    return f"{_unknown(name, choices, what)}, got {name!r}"


def _strings(problems: Problems, value, key: str, pattern: re.Pattern, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        problems.problem(key, f"expected a list of {what} (quoted), got {type_name(value)}")
        return ()
    for index, item in enumerate(value):
        if not pattern.match(item):
            problems.problem(f"{key}[{index}]", f"expected {what} matching {pattern.pattern}, got {item!r}")
    return tuple(dict.fromkeys(value))


def _mapping(problems: Problems, value, key: str, keys: tuple[str, ...], what: str = "key") -> dict:
    if not isinstance(value, dict):
        problems.problem(key, f"expected a mapping with {what}s {', '.join(keys)}, got {type_name(value)}")
        return {}
    for name in value:
        if name not in keys:
            problems.problem(f"{key}.{name}" if key else str(name), unknown(str(name), keys, what))
    return value


def _deployment(problems: Problems, value) -> tuple[str, DeploymentKind]:
    given = _mapping(problems, value, "deployment_account", DEPLOYMENT_KEYS)
    account, kind = given.get("id"), given.get("kind", DeploymentKind.MANAGEMENT.value)
    if given and (not isinstance(account, str) or not ACCOUNT.match(account)):
        problems.problem("deployment_account.id", f"expected a 12-digit account id (quoted), got {account!r}")
    if given and kind not in tuple(DeploymentKind):
        problems.problem("deployment_account.kind", unknown(str(kind), tuple(DeploymentKind), "kind"))
        kind = DeploymentKind.MANAGEMENT.value
    return (account if isinstance(account, str) else ""), DeploymentKind(kind)


def _environment(problems: Problems, name: str, value) -> Targets:
    key = f"environments.{name}"
    given = _mapping(problems, value, key, ENVIRONMENT_KEYS)
    targets = Targets(
        _strings(problems, given.get("organizational_units"), f"{key}.organizational_units", OU, "OU ids"),
        _strings(problems, given.get("accounts"), f"{key}.accounts", ACCOUNT, "12-digit account ids"),
    )
    if isinstance(value, dict) and not (targets.organizational_units or targets.accounts):
        problems.problem(key, "expected organizational_units and/or accounts, got neither")
    return targets


def _environments(problems: Problems, value, environments: tuple[str, ...]) -> dict[str, Targets]:
    given = _mapping(problems, value, "environments", environments, "environment")
    found = {str(name): _environment(problems, str(name), v) for name, v in given.items() if name in environments}
    for name in environments:
        if isinstance(value, dict) and name not in given:
            problems.problem(f"environments.{name}", "missing: every environment of the platform needs its targets")
    return found


def _apart(problems: Problems, environments: dict[str, Targets], deployment: str) -> None:
    """No account or OU serves two environments (an operator of one would reach the other's)."""
    seen: dict[str, str] = {}
    for name, targets in environments.items():
        for kind, values in (("organizational_units", targets.organizational_units), ("accounts", targets.accounts)):
            for index, value in enumerate(values):
                other = seen.setdefault(value, name)
                if other != name:
                    problems.problem(
                        f"environments.{name}.{kind}[{index}]", f"{value} is already {other}'s: environments are apart"
                    )
                if value == deployment:
                    problems.problem(
                        f"environments.{name}.{kind}[{index}]",
                        f"{value} is the deployment account: environments deploy to member accounts",
                    )


def parse(data: object, file: str, environments: tuple[str, ...]) -> Organization:
    """The organization ``data`` (a parsed organization.yaml) describes; InputError listing
    every problem."""
    problems = Problems(file)
    given = _mapping(problems, data, "", KEYS) if data is not None else {}
    layout = given.get("layout", Layout.SINGLE_ACCOUNT.value)
    if layout not in tuple(Layout):
        problems.problem("layout", unknown(str(layout), tuple(Layout), "layout"))
        problems.raise_if_any()
    if layout == Layout.SINGLE_ACCOUNT:
        for key in ("deployment_account", "environments"):
            if key in given:
                problems.problem(key, "only for layout: organization (single-account deploys to the caller's account)")
        problems.raise_if_any()
        return SINGLE_ACCOUNT
    for key in ("deployment_account", "environments"):
        if key not in given:
            problems.problem(key, "missing: layout organization needs it")
    account, kind = _deployment(problems, given.get("deployment_account", {}))
    found = _environments(problems, given.get("environments", {}), environments)
    _apart(problems, found, account)
    problems.raise_if_any()
    return Organization(Layout.ORGANIZATION, account, kind, found)


def load(path: Path, file: str, environments: tuple[str, ...], root: Path | None = None) -> Organization:
    """The checkout's organization; the single-account layout when the file is absent."""
    if not path.exists():
        return SINGLE_ACCOUNT
    return parse(parse_yaml(path, file, root), file, environments)


def load_project(project) -> Organization:
    return load(project.root / FILE, FILE, project.platform.environments, project.root)
