"""Instances grouped by account, for plan and status: each account with its regions, and one
summary line for a group of accounts that look alike (same regions, same state) when there are
more than ``ALIKE`` of them, so 20 member accounts of one environment read as one line."""

from __future__ import annotations

from collections.abc import Iterable

ALIKE = 3  # more accounts than this that look alike are summed up in one line


def summed(accounts: list[str]) -> str:
    """The accounts of one group: listed, or counted with the first and last when many."""
    if len(accounts) > ALIKE:
        return f"{len(accounts)} accounts ({accounts[0]} … {accounts[-1]})"
    return ", ".join(accounts)


def alike(keyed: Iterable[tuple[str, tuple]]) -> list[tuple[list[str], tuple]]:
    """(account, what it looks like) pairs as groups of accounts that look the same, in first-seen order."""
    groups: dict[tuple, list[str]] = {}
    for account, look in keyed:
        groups.setdefault(look, []).append(account)
    return [(accounts, look) for look, accounts in groups.items()]


def by_account(pairs: Iterable[tuple[str, str]]) -> str:
    """(account, region) pairs as ``account x region, region`` per group, groups joined by ``; ``."""
    regions: dict[str, list[str]] = {}
    for account, region in pairs:
        regions.setdefault(account, []).append(region)
    groups = alike((account, tuple(found)) for account, found in regions.items())
    return "; ".join(f"{summed(accounts)} x {', '.join(look)}" for accounts, look in groups)
