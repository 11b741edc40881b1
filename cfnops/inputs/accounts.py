"""Parameter values that belong to an AWS account.

Two rules, both applied once the caller's account is known (after GetCallerIdentity)
and before any other AWS call:

- An ARN in a parameter value that names an account must name the account the StackSet
  deploys to: an ALB cannot use another account's certificate, and so on. For
  ``accounts: [self]`` that is the caller's account, otherwise each listed account.
- Our own container images are written without the account:
  ``{account}.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>``. ``{account}`` becomes
  the account the StackSet deploys to, so the image comes from that account's registry.
  It needs a StackSet with exactly one target account (overrides are per region, not
  per account); an image in a central registry is written out in full.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..core.errors import InputError, shown_value
from ..core.words import plural
from .stackset_checks import ENVIRONMENT_ACCOUNTS, SELF
from .stacksets import StackSetSpec

PLACEHOLDER = "{account}"
SAMPLE_ACCOUNT = "000000000000"  # stands in for {account} while the template's constraints are checked
OWN_IMAGE = re.compile(r"^\{account\}\.dkr\.ecr\.[a-z]{2}(-[a-z]+)+-[0-9]\.amazonaws\.com/")
IMAGE_FORM = "{account}.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>"
ARN_ACCOUNT = re.compile(r"arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(?P<account>[0-9]{12}):")


def placeholder_problem(value: object) -> str | None:
    """Where ``{account}`` may appear: only as the registry account of an ECR image."""
    if isinstance(value, str) and PLACEHOLDER in value and not OWN_IMAGE.match(value):
        return f"{PLACEHOLDER} is only for our own images, written {IMAGE_FORM}, got {shown_value(value)}"
    return None


def for_validation(value: object) -> object:
    """The value with a sample account in place of ``{account}``, for the template's constraints."""
    return value.replace(PLACEHOLDER, SAMPLE_ACCOUNT, 1) if isinstance(value, str) and OWN_IMAGE.match(value) else value


def after_validation(original: object, checked: str) -> str:
    """The checked value with ``{account}`` put back (the sample is its first 12 characters)."""
    if isinstance(original, str) and OWN_IMAGE.match(original):
        return PLACEHOLDER + checked[len(SAMPLE_ACCOUNT) :]
    return checked


def shown(message: str) -> str:
    """A constraint message about a value checked with the sample account, as the user wrote it."""
    return message.replace(f"'{SAMPLE_ACCOUNT}.dkr.ecr.", f"'{PLACEHOLDER}.dkr.ecr.")


def expand(value: str, account: str) -> str:
    return account + value[len(PLACEHOLDER) :] if OWN_IMAGE.match(value) else value


def targets(spec: StackSetSpec, caller: str) -> tuple[str, ...]:
    """The accounts a SELF_MANAGED StackSet deploys to; () for SERVICE_MANAGED (its OUs'
    accounts are not known without Organizations calls). ``environment`` (organization.yaml's
    accounts of the environment) counts once read (rollout/member_accounts.py): until then it
    names no account."""
    if spec.service_managed:
        return ()
    known = (caller if account == SELF else account for account in spec.accounts if account != ENVIRONMENT_ACCOUNTS)
    return tuple(dict.fromkeys(known))


def named_accounts(value: str) -> list[str]:
    return list(dict.fromkeys(match["account"] for match in ARN_ACCOUNT.finditer(value)))


def _problem(value: str, spec: StackSetSpec, accounts: tuple[str, ...]) -> str | None:
    if OWN_IMAGE.match(value) and len(accounts) != 1:
        deploys = plural(len(accounts), "account") if accounts else "organizational units"
        return (
            f"{PLACEHOLDER} stands for the one account a StackSet deploys to, but {spec.name} deploys to {deploys}: "
            "write the registry's account into the image"
        )
    for named in named_accounts(value):
        others = [account for account in accounts if account != named]
        if others:
            return f"names account {named}, but {spec.environment} deploys to account {', '.join(others)}"
    return None


def check(resolved, specs: Iterable[StackSetSpec], caller: str) -> None:
    """InputError listing every value of another account (file, key, both account ids)."""
    problems: dict[str, None] = {}
    for spec in specs:
        accounts = targets(spec, caller)
        for region in spec.regions:
            for name, value in resolved.values[spec.template][region].items():
                problem = _problem(value.value, spec, accounts)
                if problem:
                    where = f"{value.file or resolved.file}: {value.key or f'templates.{spec.template}.{name}'}"
                    problems[f"{where}: {problem}"] = None
    if problems:
        raise InputError(list(problems))
