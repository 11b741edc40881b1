"""The platform a project rolls out, as one value: the tool's only view of it.

A project declares where its platform lives in ``pyproject.toml``::

    [tool.cfnops]
    platform = "templates_src.platform:PLATFORM"

``load`` reads that once (the CLI does, at start) and every stage gets the ``Platform`` value
passed down. The tool never imports a platform module by name and holds none of its template,
parameter or tag names: they are all fields of this value.
"""

from __future__ import annotations

import sys
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..core.errors import InputError
from .env_rules import CrossRule, EnvironmentRule

CONFIG_FILE = "pyproject.toml"
# StackSets' own role names, used when a platform names none (self-managed permissions:
# https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stacksets-prereqs-self-managed.html)
AWS_ADMINISTRATION_ROLE = "AWSCloudFormationStackSetAdministrationRole"
AWS_EXECUTION_ROLE = "AWSCloudFormationStackSetExecutionRole"
ENVIRONMENT_FIELD = "{environment}"
KEY = "tool.cfnops.platform"


@dataclass(frozen=True)
class Environment:
    """One environment with the treatment its platform declares for it. ``protected``: a
    stateful replacement or removal needs ALLOW_REPLACE (elsewhere deploy warns) and destroy
    never removes its retained data. ``production`` (always protected too): a documented
    interruption of a stateful resource needs ALLOW_REPLACE as well, destroy needs
    CONFIRM=<name>, removed instances keep their stacks (RetainStacks) unless told otherwise,
    and StackSet operations go one region, one account at a time."""

    name: str
    protected: bool
    production: bool


@dataclass(frozen=True)
class Platform:
    """What a platform declares. ``registry`` holds every template (name -> build function
    returning a troposphere Template), the bootstrap template included; ``bootstrap`` names
    that one (a plain stack per administrator region, never a StackSet). ``artifacts_bucket``
    is the name of bootstrap's bucket with ``{account}`` and ``{region}`` left to fill;
    ``artifacts_writers`` names the bootstrap template's CommaDelimitedList parameter of the
    principals (``aws:PrincipalArn`` patterns) that alone may use it: bootstrap puts its own
    caller first, then what the parameter files give (empty: the template has no such parameter).
    ``residency`` names each data-residency zone the platform declares (say ``EU``) with its
    regions, a subset of ``regions``: a template bound to a zone (its
    ``Metadata.cfnops.AllowedRegions``) deploys there only, and the gate refuses any path from
    it to a region outside (cfnops/build/gate/residency.py).
    ``administration_role`` and ``execution_role`` name the roles each environment's
    StackSets run with (``{environment}`` is filled in): one pair per environment keeps an
    environment's operators and templates inside that environment; without ``{environment}``
    every environment shares one pair (StackSets' defaults).
    ``protected`` and ``production`` name the environments that get a protected's and a
    production's treatment (``Environment``; every production environment is protected)."""

    name: str
    regions: tuple[str, ...]
    environments: tuple[str, ...]
    registry: Mapping[str, Callable[[], Any]]
    bootstrap: str
    required_tags: tuple[str, ...]
    artifacts_bucket: str
    protected: tuple[str, ...]
    production: tuple[str, ...]
    artifacts_writers: str = ""
    environment_rules: tuple[EnvironmentRule, ...] = ()
    cross_rules: tuple[CrossRule, ...] = ()
    intended_differences: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    residency: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    administration_role: str = AWS_ADMINISTRATION_ROLE
    execution_role: str = AWS_EXECUTION_ROLE

    def __post_init__(self) -> None:
        problems = [
            f"{what} is empty"
            for what, value in (
                ("regions", self.regions),
                ("environments", self.environments),
                ("registry", self.registry),
            )
            if not value
        ]
        problems += self._role_problems()
        if self.bootstrap not in self.registry:
            problems.append(f"bootstrap template {self.bootstrap!r} is not in the registry")
        if "{account}" not in self.artifacts_bucket or "{region}" not in self.artifacts_bucket:
            problems.append(f"artifacts_bucket must contain {{account}} and {{region}}, got {self.artifacts_bucket!r}")
        for zone, regions in self.residency.items():
            outside = [region for region in regions if region not in self.regions]
            if outside or not regions:
                problems.append(f"residency zone {zone} must name some of the platform's regions, got {list(regions)}")
        for what, pattern in (
            ("administration_role", self.administration_role),
            ("execution_role", self.execution_role),
        ):
            if pattern.replace(ENVIRONMENT_FIELD, "") == "" or "{" in pattern.replace(ENVIRONMENT_FIELD, ""):
                problems.append(f"{what} must be a role name, {ENVIRONMENT_FIELD} allowed, got {pattern!r}")
        if problems:
            raise ValueError(f"platform {self.name}: " + "; ".join(problems))

    def _role_problems(self) -> list[str]:
        roles = (("protected", self.protected), ("production", self.production))
        problems = [
            f"{what}: expected a tuple of environment names, got {names!r}"
            for what, names in roles
            if isinstance(names, str)
        ]
        problems += [
            f"{what}: unknown environment {name!r}: expected some of {', '.join(self.environments)}"
            for what, names in roles
            if not isinstance(names, str)
            for name in names
            if name not in self.environments
        ]
        return problems + [
            f"production: {name!r} must be protected too (in protected)"
            for name in self.production
            if name in self.environments and name not in self.protected
        ]

    def environment(self, name: str) -> Environment:
        """``name`` with the treatment the platform declares for it."""
        return Environment(name, protected=name in self.protected, production=name in self.production)

    def earlier(self, name: str) -> str | None:
        """The environment a change reaches before ``name``: the one before it in the
        platform's order (its promotion order: dev, staging, prod); None for the first."""
        index = self.environments.index(name)
        return self.environments[index - 1] if index else None

    @property
    def unprotected(self) -> tuple[str, ...]:
        """The environments whose retained data destroy may remove (REMOVE_RETAINED=1)."""
        return tuple(name for name in self.environments if name not in self.protected)

    @property
    def workloads(self) -> tuple[str, ...]:
        """The templates StackSets deploy: every template but the bootstrap one."""
        return tuple(name for name in self.registry if name != self.bootstrap)

    def administration_role_of(self, environment: str) -> str:
        """The role CloudFormation assumes in the administrator account for this environment's StackSets."""
        return self.administration_role.replace(ENVIRONMENT_FIELD, environment)

    def execution_role_of(self, environment: str) -> str:
        """The role that environment's StackSets create and change resources with, in each target account."""
        return self.execution_role.replace(ENVIRONMENT_FIELD, environment)

    def bucket(self, account: str, region: str) -> str:
        return self.artifacts_bucket.format(account=account, region=region)


def declared(root: Path) -> str:
    """The ``module:NAME`` the project's pyproject.toml names, checked for shape."""
    path = root / CONFIG_FILE
    try:
        config = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(
            f"{CONFIG_FILE}: not found in {root}: the project root declares its platform in "
            f'[tool.cfnops] platform = "module:NAME"'
        ) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise InputError(f"{CONFIG_FILE}: not valid TOML: {error}") from None
    value = config.get("tool", {}).get("cfnops", {}).get("platform")
    module, _, name = value.partition(":") if isinstance(value, str) else ("", "", "")
    if not (module and name and all(part.isidentifier() for part in module.split(".") + name.split("."))):
        raise InputError(f'{CONFIG_FILE}: {KEY}: expected "module:NAME" naming the project\'s Platform, got {value!r}')
    return value


def load(root: Path) -> Platform:
    """The project's Platform, imported from the declared module (the project root first
    on the import path, so a checkout's own platform wins over an installed one)."""
    value = declared(root)
    where = str(root.resolve())
    if where not in sys.path:
        sys.path.insert(0, where)
    try:
        platform = EntryPoint(name="platform", value=value, group="cfnops.platform").load()
    except ModuleNotFoundError as error:
        raise InputError(f"{CONFIG_FILE}: {KEY}: cannot import {error.name!r} (from {value!r})") from None
    except AttributeError:
        raise InputError(f"{CONFIG_FILE}: {KEY}: {value!r}: the module has no such name") from None
    if not isinstance(platform, Platform):
        raise InputError(f"{CONFIG_FILE}: {KEY}: {value!r} is a {type(platform).__name__}, expected a cfnops Platform")
    return platform
