"""CI's approval gate for one environment, decided from the plan JSON the pipeline ships as
its artifact (``cfnops plan --format json``): `cfnops approval plan.json`.

A person must approve when the environment is one the platform protects and the plan's
``approvals`` (approvals.py: replacements, interruptions, IAM changes, overwritten drift,
unrehearsed changes) are not empty. The deploy job then runs in the GitHub environment
``<env>-approval`` (required reviewers), otherwise in ``<env>`` (none); after an approval
the deploy names the approved replacements and interruptions (ALLOW_REPLACE), so a new one
that appeared since is still refused. The workflow only reads the answer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import InputError
from ..core.words import plural
from ..inputs.platform import Platform
from .approvals import INTERRUPTION, REPLACEMENT
from .json_view import SCHEMA

APPROVAL_SUFFIX = "-approval"  # the GitHub environment with required reviewers
FIELDS = ("reason", "stackset", "logical_id", "type", "detail")


@dataclass(frozen=True)
class Gate:
    environment: str
    protected: bool
    approvals: tuple[dict, ...]

    @property
    def needs_person(self) -> bool:
        return self.protected and bool(self.approvals)

    @property
    def ci_environment(self) -> str:
        """The CI environment the deploy job runs in: reviewers required exactly when a person must approve."""
        return self.environment + APPROVAL_SUFFIX if self.needs_person else self.environment

    @property
    def allow_replace(self) -> str:
        """ALLOW_REPLACE for the deploy after approval: the approved replacements and interruptions."""
        if not self.needs_person:
            return ""
        kinds = (REPLACEMENT, INTERRUPTION)
        names = [f"{a['stackset']}/{a['logical_id']}" for a in self.approvals if a["reason"] in kinds]
        return ",".join(dict.fromkeys(names))


def _problem(where: str, expected: str, got: object) -> InputError:
    return InputError(f"{where}: expected {expected}, got {str(got)[:120]!r}")


def _approval(where: str, item: object) -> dict:
    if not isinstance(item, dict):
        raise _problem(where, "an object", item)
    for name in FIELDS:
        if not isinstance(item.get(name), str):
            raise _problem(f"{where}.{name}", "a string", item.get(name))
    return item


def decide(platform: Platform, plan: object, where: str) -> Gate:
    """The gate for the plan JSON ``plan`` (read from ``where``); one line naming the key otherwise."""
    if not isinstance(plan, dict) or plan.get("schema") != SCHEMA:
        got = plan.get("schema") if isinstance(plan, dict) else plan
        raise _problem(f"{where}: schema", f"a plan of {SCHEMA} (cfnops plan --format json)", got)
    environment = plan.get("environment")
    if environment not in platform.environments:
        raise _problem(f"{where}: environment", "one of " + ", ".join(platform.environments), environment)
    items = plan.get("approvals")
    if not isinstance(items, list):
        raise _problem(f"{where}: approvals", "a list", items)
    found = tuple(_approval(f"{where}: approvals[{i}]", item) for i, item in enumerate(items))
    return Gate(environment, platform.environment(environment).protected, found)


def read(platform: Platform, path: Path) -> Gate:
    try:
        plan = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: not found: expected the JSON of cfnops plan --format json") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: not JSON ({error}): expected the output of cfnops plan --format json") from None
    return decide(platform, plan, str(path))


def outputs(gate: Gate) -> str:
    """The answer as ``key=value`` lines (GitHub's $GITHUB_OUTPUT, a GitLab dotenv report)."""
    return "\n".join(
        [
            f"environment={gate.ci_environment}",
            f"needs_approval={'true' if gate.needs_person else 'false'}",
            f"approvals={len(gate.approvals)}",
            f"allow_replace={gate.allow_replace}",
        ]
    )


def summary(gate: Gate) -> str:
    """The answer in Markdown, with each approval's reason (the job's summary)."""
    if not gate.approvals:
        return f"**{gate.environment}**: nothing in the plan needs a person's approval."
    head = plural(len(gate.approvals), "change")
    if not gate.needs_person:
        lines = [f"**{gate.environment}** is not protected: {head} would need approval elsewhere, deployed without:"]
    else:
        verb = "needs" if len(gate.approvals) == 1 else "need"
        lines = [f"**{gate.environment}**: {head} {verb} a person's approval (environment `{gate.ci_environment}`):"]
    lines += [
        f"- {a['reason']}: `{a['stackset']}/{a['logical_id']}` ({a['type']}): {a['detail']}" for a in gate.approvals
    ]
    return "\n".join(lines)
