"""Plan and status account by account (issue 27): each account with its regions, and accounts
that look alike summed up in one line when there are many, so 20 member accounts of one
environment read as one line, not 60."""

from __future__ import annotations

from dataclasses import replace

from cfnops.core import accountview
from cfnops.rollout import planview
from cfnops.rollout.plan import Desired, Plan
from templates_src.conventions import REGIONS
from tests.support.stubber import actual_of, current, make_spec

MANY = [f"{index:012d}" for index in range(1, 21)]


def desired(accounts) -> Desired:
    return Desired(make_spec(accounts=tuple(accounts)), "{}", {}, {}, {}, tuple(accounts), ())


def plan_of(accounts, instances=(), add=()) -> Plan:
    wanted = desired(accounts)
    return Plan(wanted, actual_of(wanted, instances), (), None, (), tuple(add), (), (), (), ())


def test_twenty_accounts_alike_are_one_line_a_different_one_its_own():
    pairs = [(account, region) for account in MANY for region in REGIONS]
    assert accountview.by_account(pairs) == f"20 accounts ({MANY[0]} … {MANY[-1]}) x {', '.join(REGIONS)}"
    pairs += [("999999999999", REGIONS[0])]
    assert accountview.by_account(pairs).endswith(f"; 999999999999 x {REGIONS[0]}")
    few = [(account, region) for account in MANY[:2] for region in REGIONS[:1]]
    assert accountview.by_account(few) == f"{MANY[0]}, {MANY[1]} x {REGIONS[0]}"


def test_the_plan_names_instances_to_add_as_account_times_regions():
    pairs = [(MANY[0], region) for region in REGIONS]
    lines = planview.describe(plan_of(MANY[:1], add=pairs))
    assert f"  instances to add: {MANY[0]} x {', '.join(REGIONS)}" in lines


def test_status_of_many_alike_accounts_is_one_group_of_rows_and_an_odd_one_stands_out():
    instances = [current(account, region, "op") for account in MANY for region in REGIONS]
    odd = replace(current("999999999999", REGIONS[0], "op"), status="OUTDATED", detailed="FAILED", reason="boom")
    lines = planview.status([plan_of([*MANY, odd.account], [*instances, odd])])
    assert len([line for line in lines if "20 accounts" in line]) == len(REGIONS)
    assert len([line for line in lines if "999999999999" in line and "OUTDATED" in line]) == 1
    assert lines[-1] == f"status: {len(instances) + 1} instances of 1 StackSet in 21 accounts"
