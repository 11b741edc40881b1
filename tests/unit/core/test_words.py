"""Words for people: plurals, and tables whose columns line up under their header."""

from __future__ import annotations

from cfnops.core.words import plural, table


def test_plurals_say_one_and_many():
    assert (plural(1, "instance"), plural(2, "instance"), plural(0, "poll")) == ("1 instance", "2 instances", "0 polls")
    assert plural(3, "policy", "policies") == "3 policies"


def test_a_table_lines_up_its_columns_under_the_header():
    assert table(("NAME", "STATUS", "REASON"), [("network-dev", "CURRENT", ""), ("a", "OUTDATED", "quota")]) == [
        "NAME         STATUS    REASON",
        "network-dev  CURRENT",
        "a            OUTDATED  quota",
    ]
