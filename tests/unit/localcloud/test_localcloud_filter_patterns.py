"""localcloud's CloudWatch Logs JSON filter patterns, on the examples of AWS's pages
(FilterAndPatternSyntax, matching-terms-json-log-events) and every pattern the bootstrap uses."""

from __future__ import annotations

import json

import pytest

from cfnops.awsfacts.cis_metric_filters import CONTROLS
from localcloud.logs.filter_patterns import PatternError, compile_json

EVENT = {
    "eventType": "UpdateTrail",
    "sourceIPAddress": "123.123.0.7",
    "bandwidth": 80,
    "ThisFlag": True,
    "SomeObject": None,
    "arrayKey": ["value", "other"],
    "objectList": [{"id": 1}, {"id": 2}],
}


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ('{ $.eventType = "UpdateTrail" }', True),
        ("{ $.eventType = UpdateTrail }", True),
        ('{ $.eventType = "Update*" }', True),
        ('{ $.eventType = "*Trail" }', True),
        ('{ $.eventType = "Update" }', False),
        ("{ $.sourceIPAddress != 123.123.* }", False),
        ("{ $.sourceIPAddress != 124.* }", True),
        ('{ $.arrayKey[0] = "value" }', True),
        ("{ $.objectList[1].id = 2 }", True),
        ("{ $.objectList[1].id = 1 }", False),
        ("{ $.bandwidth > 75 }", True),
        ("{ $.bandwidth <= 75 }", False),
        ("{ $.ThisFlag IS TRUE }", True),
        ("{ $.ThisFlag IS FALSE }", False),
        ("{ $.SomeObject IS NULL }", True),
        ("{ $.SomeOtherObject NOT EXISTS }", True),
        ("{ $.SomeObject NOT EXISTS }", False),
        ('{ $.missing != "x" }', False),
        ('{ ($.eventType = "Nope") || ($.bandwidth = 80 && $.ThisFlag IS TRUE) }', True),
        ('{ ($.eventType = "Nope") || ($.bandwidth = 80 && $.ThisFlag IS FALSE) }', False),
    ],
)
def test_the_documented_operators(pattern, expected):
    assert compile_json(pattern)(json.dumps(EVENT)) is expected


def test_an_event_that_is_not_json_matches_no_json_pattern():
    assert compile_json("{ $.a NOT EXISTS }")("plain text line") is False


@pytest.mark.parametrize(
    "pattern",
    ["{ $.a = }", "{ ($.a = 1 }", "{ $.a IS MAYBE }", "{ $.a NOT THERE }", "{ a = 1 }", '{ $.a > "x" }', "$.a = 1"],
)
def test_a_malformed_pattern_is_refused(pattern):
    with pytest.raises(PatternError):
        compile_json(pattern)


def test_every_security_hub_pattern_is_read():
    for control in CONTROLS:
        assert compile_json(control.pattern)("{}") is False, control.number
