"""Output people read: parity shows every value whole (wrapped, never cut) with reasons in
the project's own words; counts have the right plural."""

from __future__ import annotations

from cfnops.build import render
from cfnops.core.words import plural
from cfnops.drift import parity
from templates_src.conventions import ENVIRONMENTS


def test_parity_shows_full_values_and_plain_reasons(project):
    differences = parity.compare(project, render.read_generated(project), ENVIRONMENTS)
    text = parity.render(differences, ENVIRONMENTS)
    assert "…" not in text and "seed" not in text
    flat = " ".join(text.split())  # wrapped lines joined again
    for d in differences:
        for value in d.values.values():
            if value != "****":
                assert " ".join(value.split()) in flat, value
    assert "  why: each environment's own account and region (certificates, images)" in text
    assert all(len(line) <= 110 for line in text.splitlines()[:-1])


def test_plurals():
    assert [plural(n, "StackSet") for n in (0, 1, 2)] == ["0 StackSets", "1 StackSet", "2 StackSets"]
