"""What each operation changed (rollout/history.py), from operation records alone."""

from __future__ import annotations

from datetime import UTC, datetime

from cfnops.rollout import history, vouch

ACCOUNT = "123456789012"


def entry(action: str, state: str | None, overrides: str | None, *regions: str) -> history.Entry:
    places = tuple(history.Place(ACCOUNT, region, "SUCCEEDED") for region in regions)
    at = datetime(2026, 12, 1, tzinfo=UTC)
    return history.Entry(f"op-{action}-{state}-{overrides}", action, "SUCCEEDED", at, at, places, state, overrides)


def changes(*entries: history.Entry, first: bool = True) -> list[tuple[str, ...]]:
    return [e.changed for e in history._with_changes(list(entries), first)]


def test_an_update_started_before_the_update_stack_set_of_its_deploy_changes_only_overrides():
    found = changes(
        entry("CREATE", "aaaaaaaaaa", "1111111111", "us-east-1", "us-west-2"),
        entry("UPDATE", vouch.unsettled_digest(), "2222222222", "us-west-2"),  # overrides first, properties next
        entry("UPDATE", "bbbbbbbbbb", "3333333333", "us-east-1", "us-west-2"),
        entry("UPDATE", "bbbbbbbbbb", "1111111111", "us-east-1"),  # the same overrides again
    )
    assert found == [
        (f"created {ACCOUNT} x us-east-1, us-west-2",),
        (f"overrides of {ACCOUNT} x us-west-2",),
        ("StackSet properties (template, parameters, tags)",),
        ("nothing (the same configuration again)",),
    ]


def test_without_the_first_operation_or_after_another_tool_a_properties_change_is_a_guess():
    assert changes(entry("UPDATE", "bbbbbbbbbb", "1111111111", "us-east-1"), first=False) == [("StackSet properties?",)]
    after_console = changes(
        entry("CREATE", "aaaaaaaaaa", "1111111111", "us-east-1"),
        entry("UPDATE", None, None, "us-east-1"),
        entry("UPDATE", "aaaaaaaaaa", "1111111111", "us-east-1"),
    )
    assert after_console[1] == ("unknown: not started by cfnops (console or another tool)",)
    assert after_console[2] == ("StackSet properties?",)


def test_text_and_markdown_show_the_same_row_markdown_escaped():
    done = entry("UPDATE", "bbbbbbbbbb", "1111111111", "us-east-1")
    found = history.StackSetHistory("s-prod", (history.replace(done, changed=("a|b",), files=True),), True, "", {})
    [row] = [line for line in history.text("prod", [found]) if "UPDATE" in line]
    assert row.split()[-2:] == ["*", "a|b"] and f"{ACCOUNT} x us-east-1" in row
    [md] = [line for line in history.markdown("prod", [found]) if "UPDATE" in line]
    assert md.endswith("| bbbbbbbbbb/1111111111 \\* | a\\|b |"), md
    assert "Older operations left out." in history.markdown("prod", [found])
