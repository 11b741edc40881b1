"""The corpus (update_corpus.json): one-property edits of our own templates' resources, each
run through the plan and compared with the impact AWS documents for that property. The plan
is never less strict than the page; where it is stricter, the case says why."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest

from cfnops.changes import engine, json_view
from cfnops.changes.diff import ABSENT
from cfnops.changes.resolve import Resource
from tests.conftest import ROOT

_SCHEMA = json.loads(json_view.SCHEMA_FILE.read_text(encoding="utf-8"))
RESOURCE = jsonschema.Draft202012Validator({"$defs": _SCHEMA["$defs"], "$ref": "#/$defs/resource"})
CORPUS = json.loads(Path(__file__).with_name("update_corpus.json").read_text(encoding="utf-8"))["cases"]
STRICTNESS = [engine.MODIFY, engine.INTERRUPT, engine.MAY_REPLACE, engine.REPLACE, engine.WILL_FAIL]
DOCUMENTED = {
    "No interruption": engine.MODIFY,
    "Some interruptions": engine.INTERRUPT,
    "Replacement": engine.REPLACE,
    "Update fails": engine.WILL_FAIL,
}


def _resources():
    for path in sorted((ROOT / "generated").glob("*.json")):
        template = json.loads(path.read_text(encoding="utf-8"))
        for logical_id, resource in (template.get("Resources") or {}).items() if isinstance(template, dict) else ():
            yield path.name, logical_id, resource


def _setting(type_name: str, prop: str):
    """The first resource of the type that sets the property (or, for a property none sets, any)."""
    ours = [(n, lid, r) for n, lid, r in _resources() if r["Type"] == type_name]
    return next((item for item in ours if prop in (item[2].get("Properties") or {})), ours[0])


def edited(value: object) -> object:
    """A different value of the same shape."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    if isinstance(value, str):
        return value + "-edited"
    if isinstance(value, list):
        return [*value, edited(value[-1])] if value else ["edited"]
    if isinstance(value, dict):
        return {**value, "Edited": "yes"}
    return "edited"


def edit_of(case: dict) -> tuple[str, str, dict, dict, dict]:
    """(where, logical id, the template's resource, old properties, new properties) of a case."""
    template_name, logical_id, raw = _setting(case["type"], case["property"])
    old_properties = copy.deepcopy(raw.get("Properties") or {})
    if "old" in case:
        old_properties[case["property"]] = case["old"]
    new_properties = copy.deepcopy(old_properties)
    current = old_properties.get(case["property"], ABSENT)
    new_properties[case["property"]] = case["new"] if "new" in case else edited(current)
    return f"{template_name}/{logical_id}.{case['property']}", logical_id, raw, old_properties, new_properties


def _plan(case: dict) -> tuple[str, engine.ResourceChange]:
    where, logical_id, raw, old_properties, new_properties = edit_of(case)
    old = Resource(logical_id, case["type"], old_properties)
    new = Resource(logical_id, case["type"], new_properties)
    (change,) = engine.compare({logical_id: old}, {logical_id: new}, {"Resources": {logical_id: raw}}, "us-east-1")
    return where, change


def test_the_corpus_is_large_and_spans_every_impact():
    assert len(CORPUS) >= 70
    assert {case["expected"] for case in CORPUS} == set(STRICTNESS)


@pytest.mark.parametrize("case", CORPUS, ids=[f"{c['type']}.{c['property']}:{c['expected']}" for c in CORPUS])
def test_a_one_property_edit_has_the_impact_aws_documents(case):
    where, change = _plan(case)
    assert change.action == case["expected"], f"{where}: {case['page']} says {case['documented']}"
    stricter = STRICTNESS.index(case["expected"]) > STRICTNESS.index(DOCUMENTED[case["documented"]])
    assert stricter == ("why" in case and case["expected"] != DOCUMENTED[case["documented"]]), case
    if change.action == engine.WILL_FAIL:
        assert change.fact is not None and change.fact.page == case["page"], where
    (resource,) = json_view._group(engine.Group((("1", "us-east-1"),), (change,)))["resources"]
    RESOURCE.validate(resource)
