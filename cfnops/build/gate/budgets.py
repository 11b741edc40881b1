"""The account budget: what every environment and template that StackSets place in one
account and region consume together of each account-level quota (awsfacts.account_quotas),
against AWS's default or the raise the account declared in quotas.yaml."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from ...awsfacts import account_quotas, intrinsics
from ...awsfacts.account_quotas import Quota
from ..findings import Finding


@dataclass(frozen=True)
class Placement:
    """One template's stack instance: the account and region a StackSet puts it in, with its
    environment's parameter values there."""

    account: str
    region: str
    environment: str
    template: str
    values: Mapping[str, object]


def _reserved(properties: Mapping) -> int:
    value = properties.get("ReservedConcurrentExecutions")
    return int(value) if isinstance(value, int | str) and str(value).isdigit() else 0


# resource type -> (quota, what one resource consumes of it)
CONSUMERS: dict[str, tuple[Quota, Callable[[Mapping], int]]] = {
    "AWS::Lambda::Function": (account_quotas.LAMBDA_CONCURRENCY, _reserved),
    "AWS::EC2::EIP": (account_quotas.ELASTIC_IPS, lambda _: 1),
    "AWS::EC2::VPC": (account_quotas.VPCS, lambda _: 1),
    "AWS::EC2::InternetGateway": (account_quotas.INTERNET_GATEWAYS, lambda _: 1),
}


def consumption(template: Mapping, placement: Placement) -> dict[str, int]:
    """Quota code -> what this stack instance consumes, with its Conditions."""
    refs = {
        **intrinsics.parameter_values(template, placement.values),
        "AWS::Region": placement.region,
        "AWS::AccountId": placement.account,
        "AWS::Partition": "aws",
    }
    conditions = intrinsics.evaluate_conditions(template, refs)
    resolve = intrinsics.Resolver(refs, conditions, lambda node: None)
    used: dict[str, int] = {}
    for resource in (template.get("Resources") or {}).values():
        consumer = CONSUMERS.get(resource["Type"])
        if consumer is None or not conditions.get(resource.get("Condition"), True):
            continue
        quota, count = consumer
        amount = count(resolve(resource.get("Properties") or {}))
        if amount:
            used[quota.code] = used.get(quota.code, 0) + amount
    return used


def check(
    templates: Mapping[str, dict],
    placements: Sequence[Placement],
    raised: Mapping[tuple[str, str, str], int],
) -> list[Finding]:
    """One finding per account, region and quota whose summed use exceeds its limit
    (``raised``: (account, region, quota code) -> the account's own limit)."""
    totals: dict[tuple[str, str, str], dict[str, int]] = {}
    for placement in placements:
        for code, amount in consumption(templates[placement.template], placement).items():
            users = totals.setdefault((placement.account, placement.region, code), {})
            who = f"{placement.environment}/{placement.template}"
            users[who] = users.get(who, 0) + amount
    findings = []
    for (account, region, code), users in sorted(totals.items()):
        quota = account_quotas.QUOTAS[code]
        limit = raised.get((account, region, code), quota.default) - quota.headroom
        used = sum(users.values())
        if used > limit:
            who = ", ".join(f"{name} {amount}" for name, amount in sorted(users.items()))
            findings.append(
                Finding(
                    "quotas.yaml",
                    f"{account}/{region}/{code}",
                    "ACCOUNT-BUDGET",
                    "error",
                    f"account {account}, {region}: {quota.name} ({code}) used {used}, limit {limit} "
                    f"({quota.url}); used by {who}",
                    "gate",
                )
            )
    return findings
