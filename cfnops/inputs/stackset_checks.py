"""The checks of one StackSet file (stacksets/<name>.yaml), one job each, run in the order of
``CHECKS``: a check reads one key into the draft (its shape, its choices) or checks one rule
between keys read before it. Every problem is one line; all are raised together (exit 3)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ..awsfacts import stackset_limits
from ..core.errors import shown_value
from . import region_outputs as outputs
from .paramfiles import expected_one_of, type_name, unknown
from .stackset_preferences import preferences
from .stackset_problems import StackSetProblems

# an account id, self (the caller's account) or environment (the environment's accounts of
# organization.yaml: the caller's in the single-account layout, its OUs' and accounts' otherwise)
SELF, ENVIRONMENT_ACCOUNTS = "self", "environment"
ACCOUNT = re.compile(r"^([0-9]{12}|self|environment)$")
OU = re.compile(r"^(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$")
NAME = re.compile(r"^[a-z][a-z0-9-]{0,100}$")
CAPABILITIES = ("CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND")
SELF_MANAGED, SERVICE_MANAGED = "SELF_MANAGED", "SERVICE_MANAGED"
PERMISSION_MODELS = (SELF_MANAGED, SERVICE_MANAGED)
KEYS = (
    "template",
    "description",
    "administrator_region",
    "primary_region",
    "regions",
    "permission_model",
    "accounts",
    "organizational_units",
    "auto_deployment",
    "capabilities",
    "managed_execution",
    "depends_on",
    "tags",
    "operation_preferences",
    "region_outputs",
)
AUTO_DEPLOYMENT_KEYS = {"enabled", "retain_stacks_on_account_removal"}


@dataclass
class Draft:
    """One StackSet file while its checks run: its mapping, what the platform offers, and the
    values read so far (the StackSetSpec is made of them)."""

    problems: StackSetProblems
    data: dict
    key: str  # the file's name without .yaml
    environment: str
    templates: Mapping
    all_regions: tuple[str, ...]
    environments: tuple[str, ...]
    production: bool  # the platform treats the environment as production (inputs/platform.py)
    template: object = None
    description: object = ""
    regions: tuple[str, ...] = ()
    administrator_region: object = None
    primary_region: str = ""
    permission_model: object = SELF_MANAGED
    accounts: tuple[str, ...] = ()
    organizational_units: tuple[str, ...] = ()
    auto_deployment: dict | None = None
    capabilities: tuple[str, ...] = ()
    managed_execution: object = True
    depends_on: tuple[str, ...] = ()
    tags: dict[str, str] = field(default_factory=dict)
    preferences: dict = field(default_factory=dict)
    region_outputs: tuple[outputs.RegionOutput, ...] = ()

    @property
    def service_managed(self) -> bool:
        return self.permission_model == SERVICE_MANAGED


Check = Callable[[Draft], None]


def known_keys(draft: Draft) -> None:
    for key in draft.data:
        if key not in KEYS:
            draft.problems.problem(str(key), unknown(str(key), KEYS, "key"))


def file_name(draft: Draft) -> None:
    if not NAME.match(draft.key):
        draft.problems.problem(
            "(file name)", f"expected a lower-case name matching {NAME.pattern}, got {shown_value(draft.key)}"
        )


def template(draft: Draft) -> None:
    draft.template = draft.data.get("template")
    if draft.template not in draft.templates:
        draft.problems.problem(
            "template",
            unknown(shown_value(draft.template, quote=False), draft.templates, "template")
            if draft.template
            else f"required: {expected_one_of(draft.templates)}",
        )


def regions(draft: Draft) -> None:
    given = draft.data.get("regions", list(draft.all_regions))
    draft.regions = draft.problems.strings(given, "regions", choices=draft.all_regions)


def administrator_region(draft: Draft) -> None:
    draft.administrator_region = draft.data.get("administrator_region", draft.all_regions[0])
    if draft.administrator_region not in draft.all_regions:
        draft.problems.problem(
            "administrator_region",
            unknown(shown_value(draft.administrator_region, quote=False), draft.all_regions, "region"),
        )


def primary_region(draft: Draft) -> None:
    """One of the StackSet's regions; by default its administrator region (when deployed there)."""
    if "primary_region" not in draft.data:
        admin, own = draft.administrator_region, draft.regions
        draft.primary_region = str(admin if admin in own or not own else own[0])
        return
    primary = draft.data["primary_region"]
    if primary not in draft.regions:
        draft.problems.problem(
            "primary_region", f"expected one of its regions ({', '.join(draft.regions)}), got {shown_value(primary)}"
        )
    draft.primary_region = str(primary)


def permission_model(draft: Draft) -> None:
    draft.permission_model = draft.data.get("permission_model", SELF_MANAGED)
    if draft.permission_model not in PERMISSION_MODELS:
        draft.problems.problem(
            "permission_model", f"{expected_one_of(PERMISSION_MODELS)}, got {shown_value(draft.permission_model)}"
        )


def _for_environment(draft: Draft, key: str) -> object:
    return draft.problems.per_environment(draft.data.get(key, []), key, draft.environment, draft.environments)


def targets(draft: Draft) -> None:
    """accounts and organizational_units, each a list or a list per environment."""
    accounts = _for_environment(draft, "accounts")
    units = _for_environment(draft, "organizational_units")
    draft.accounts = draft.problems.strings(accounts, "accounts", ACCOUNT)
    draft.organizational_units = draft.problems.strings(units, "organizational_units", OU)


def self_managed_targets(draft: Draft) -> None:
    if draft.permission_model == SELF_MANAGED and (not draft.accounts or draft.organizational_units):
        draft.problems.problem(
            "accounts",
            f"SELF_MANAGED needs accounts (12 digits, self or environment) for {draft.environment} and no organizational_units",
        )


def service_managed_targets(draft: Draft) -> None:
    if draft.service_managed and (not draft.organizational_units or draft.accounts):
        draft.problems.problem(
            "organizational_units",
            f"SERVICE_MANAGED needs organizational_units for {draft.environment} and no accounts",
        )


def auto_deployment(draft: Draft) -> None:
    """Read for SERVICE_MANAGED only (SELF_MANAGED has no auto-deployment), checked always."""
    auto = draft.data.get("auto_deployment")
    if auto is not None and (
        not isinstance(auto, dict)
        or set(auto) - AUTO_DEPLOYMENT_KEYS
        or not all(isinstance(v, bool) for v in auto.values())
    ):
        draft.problems.problem(
            "auto_deployment", "expected {enabled: true|false, retain_stacks_on_account_removal: true|false}"
        )
    draft.auto_deployment = auto if draft.service_managed else None


def tags(draft: Draft) -> None:
    given = draft.data.get("tags", {})
    if not isinstance(given, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in given.items()):
        draft.problems.problem(
            "tags", f"expected a mapping of tag names to strings (quote numbers), got {type_name(given)}"
        )
        return
    if len(given) > stackset_limits.max_tags():
        draft.problems.problem("tags", f"expected at most {stackset_limits.max_tags()} tags, got {len(given)}")
    for name, value in given.items():
        _tag(draft.problems, name, value)
    draft.tags = dict(given)


def _tag(problems: StackSetProblems, name: str, value: str) -> None:
    """A tag's key, then (when the key is fine) its value, against CloudFormation's limits."""
    problem = stackset_limits.tag_key_problem(name)
    if problem:
        problems.problem(f"tags.{shown_value(name, quote=False)}", f"{problem}, got {shown_value(name)}")
        return
    problem = stackset_limits.tag_value_problem(value)
    if problem:
        problems.problem(f"tags.{name}", f"{problem}, got {shown_value(value)}")


def description(draft: Draft) -> None:
    given = draft.data.get("description", f"{draft.template} ({draft.environment}), managed by cfnops")
    problem = stackset_limits.description_problem(given) if isinstance(given, str) else "expected a string"
    if problem:
        draft.problems.problem("description", f"{problem}, got {shown_value(given)}")
    draft.description = given


def managed_execution(draft: Draft) -> None:
    draft.managed_execution = draft.data.get("managed_execution", True)
    if not isinstance(draft.managed_execution, bool):
        draft.problems.problem(
            "managed_execution", f"expected true or false, got {shown_value(draft.managed_execution)}"
        )


def capabilities(draft: Draft) -> None:
    draft.capabilities = draft.problems.strings(
        draft.data.get("capabilities", []), "capabilities", choices=CAPABILITIES
    )


def depends_on(draft: Draft) -> None:
    draft.depends_on = draft.problems.strings(draft.data.get("depends_on", []), "depends_on")


def operation_preferences(draft: Draft) -> None:
    raw = draft.data.get("operation_preferences", {})
    draft.preferences = preferences(
        raw, draft.environment, draft.production, draft.regions, draft.primary_region, draft.problems
    )


def region_outputs(draft: Draft) -> None:
    draft.region_outputs = outputs.parse(draft.data.get("region_outputs"), draft.problems.problem)


def region_outputs_self_managed(draft: Draft) -> None:
    outputs.refuse_service_managed(draft, draft.problems.problem)


# in this order: a check reads only what the checks before it have read
CHECKS: tuple[Check, ...] = (
    known_keys,
    file_name,
    template,
    regions,
    administrator_region,
    primary_region,
    permission_model,
    targets,
    self_managed_targets,
    service_managed_targets,
    auto_deployment,
    tags,
    description,
    managed_execution,
    capabilities,
    depends_on,
    operation_preferences,
    region_outputs,
    region_outputs_self_managed,
)
