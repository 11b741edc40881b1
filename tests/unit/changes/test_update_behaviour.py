"""Documented update behaviour (cfnops/awsfacts/update_behaviour.py) in the plan: one-property
edits of our own templates' resources, each with the impact AWS's Template Reference page
documents; the stricter of schema and page wins; the guard refuses a failing update everywhere."""

from __future__ import annotations

import copy
import json
from types import SimpleNamespace

import pytest

from cfnops.awsfacts import update_behaviour
from cfnops.changes import engine, guard
from cfnops.changes.resolve import Resource
from cfnops.core.errors import RefusedError
from tests.conftest import PLATFORM, ROOT

PAGE = update_behaviour.PAGE

# (type, property, edit of the current value, impact, page slug): from the current pages
CASES = [
    ("AWS::KMS::Key", "KeySpec", lambda v: "RSA_2048", engine.WILL_FAIL, "aws-resource-kms-key"),
    ("AWS::KMS::Key", "KeyUsage", lambda v: "SIGN_VERIFY", engine.WILL_FAIL, "aws-resource-kms-key"),
    ("AWS::KMS::Key", "Origin", lambda v: "EXTERNAL", engine.WILL_FAIL, "aws-resource-kms-key"),
    ("AWS::KMS::Key", "MultiRegion", lambda v: True, engine.WILL_FAIL, "aws-resource-kms-key"),
    ("AWS::KMS::Key", "Description", lambda v: f"{v} (edited)", engine.MODIFY, "aws-resource-kms-key"),
    (
        "AWS::DynamoDB::Table",
        "KeySchema",
        lambda v: [{**v[0], "AttributeName": v[0]["AttributeName"] + "2"}, *v[1:]],
        engine.REPLACE,
        "aws-resource-dynamodb-table",
    ),
    (
        "AWS::ElastiCache::ReplicationGroup",
        "AuthToken",
        lambda v: "rotated-token-value",
        engine.MAY_REPLACE,
        "aws-resource-elasticache-replicationgroup",
    ),
    (
        "AWS::RDS::DBInstance",
        "DBInstanceClass",
        lambda v: "db.r6g.4xlarge",
        engine.INTERRUPT,
        "aws-resource-rds-dbinstance",
    ),
    (
        "AWS::RDS::DBInstance",
        "DBParameterGroupName",
        lambda v: "other-group",
        engine.INTERRUPT,
        "aws-resource-rds-dbinstance",
    ),
    (
        "AWS::RDS::DBInstance",
        "DBInstanceIdentifier",
        lambda v: "renamed",
        engine.REPLACE,
        "aws-resource-rds-dbinstance",
    ),
    ("AWS::DynamoDB::Table", "TableName", lambda v: "renamed", engine.REPLACE, "aws-resource-dynamodb-table"),
]


def _resources():
    for path in sorted((ROOT / "generated").glob("*.json")):
        template = json.loads(path.read_text(encoding="utf-8"))
        for logical_id, resource in (template.get("Resources") or {}).items():
            yield path.name, logical_id, resource


def _one_of(type_name: str):
    return next((name, lid, r) for name, lid, r in _resources() if r["Type"] == type_name)


@pytest.mark.parametrize(("type_name", "prop", "edit", "impact", "slug"), CASES, ids=[f"{c[0]}.{c[1]}" for c in CASES])
def test_a_one_property_edit_has_the_documented_impact(type_name, prop, edit, impact, slug):
    template_name, logical_id, raw = _one_of(type_name)
    old = Resource(logical_id, type_name, copy.deepcopy(raw.get("Properties") or {}))
    new_properties = copy.deepcopy(old.properties)
    new_properties[prop] = edit(old.properties.get(prop))
    new = Resource(logical_id, type_name, new_properties)
    (change,) = engine.compare({logical_id: old}, {logical_id: new}, {"Resources": {logical_id: raw}}, "us-east-1")
    assert change.action == impact, f"{template_name}/{logical_id}.{prop}: {PAGE.format(slug)}"
    if change.fact is not None:
        assert change.fact.page == PAGE.format(slug)


def test_every_fact_names_an_aws_page_and_a_schema_property():
    from cfnops.awsfacts import schemas

    for fact in update_behaviour.facts():
        assert fact.page.startswith("https://docs.aws.amazon.com/"), fact
        assert fact.property in schemas.schema(fact.type_name)["properties"], fact
        assert bool(fact.fails_from) == bool(fact.fails_reason), fact


KEY = engine.ResourceChange(
    "DataKey",
    "AWS::KMS::Key",
    engine.WILL_FAIL,
    (engine.PropertyChange("/KeySpec", "SYMMETRIC_DEFAULT", "RSA_2048"),),
    replacement="Fails",
)


@pytest.mark.parametrize("environment", ["dev", "staging", "prod"])
def test_the_guard_refuses_a_failing_update_everywhere_even_when_named(environment):
    spec = SimpleNamespace(key="network", name=f"network-{environment}")
    plans = [
        SimpleNamespace(desired=SimpleNamespace(spec=spec), resources=(engine.Group((("1", "us-east-1"),), (KEY,)),))
    ]
    with pytest.raises(RefusedError) as refused:
        guard.enforce(PLATFORM.environment(environment), plans, guard.parse("network/DataKey"), lambda line: None)
    first = refused.value.problems[0]
    assert first.startswith("deploy refused: network/DataKey (AWS::KMS::Key): update will fail in us-east-1: KeySpec:")
    assert PAGE.format("aws-resource-kms-key") in first


def test_a_failing_update_in_the_json_plan_carries_its_fact_and_validates_against_v2():
    import jsonschema

    from cfnops.changes import json_view

    schema = json.loads(json_view.SCHEMA_FILE.read_text())
    resource = json_view._group(engine.Group((("1", "us-east-1"),), (KEY,)))["resources"][0]
    assert resource["action"] == "Will fail"
    assert resource["fact"] == {
        "property": "KeySpec",
        "behaviour": "UPDATE_FAILS",
        "reason": update_behaviour.documented("AWS::KMS::Key", "KeySpec").reason,
        "page": PAGE.format("aws-resource-kms-key"),
    }
    jsonschema.validate(resource, {"$defs": schema["$defs"], "$ref": "#/$defs/resource"})
    resource["fact"]["behaviour"] = "MAYBE"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(resource, {"$defs": schema["$defs"], "$ref": "#/$defs/resource"})


DATABASE = engine.ResourceChange(
    "Database",
    "AWS::RDS::DBInstance",
    engine.INTERRUPT,
    (engine.PropertyChange("/DBInstanceClass", "db.r6g.large", "db.r6g.xlarge"),),
    replacement="Interrupts",
)


def _plans(change, environment: str):
    spec = SimpleNamespace(key="loan-processing", name=f"loan-processing-{environment}")
    group = engine.Group((("1", "us-east-1"),), (change,))
    return [SimpleNamespace(desired=SimpleNamespace(spec=spec), resources=(group,))]


def test_prod_asks_consent_for_a_stateful_interruption_and_allow_replace_gives_it():
    with pytest.raises(RefusedError) as refused:
        guard.enforce(
            PLATFORM.environment("prod"),
            _plans(DATABASE, "prod"),
            frozenset(),
            lambda line: pytest.fail("prod does not warn"),
        )
    assert refused.value.problems[0].startswith(
        "deploy refused: loan-processing/Database (AWS::RDS::DBInstance): Interrupt in us-east-1; DBInstanceClass:"
    )
    guard.enforce(
        PLATFORM.environment("prod"), _plans(DATABASE, "prod"), guard.parse("loan-processing/Database"), print
    )
    warned: list[str] = []
    guard.enforce(PLATFORM.environment("staging"), _plans(DATABASE, "staging"), frozenset(), warned.append)
    assert [line.split(": ", 2)[1] for line in warned] == ["loan-processing/Database (AWS::RDS::DBInstance)"]


def test_an_interruption_does_not_ripple_to_what_reads_the_resource():
    _, logical_id, raw = _one_of("AWS::RDS::DBInstance")
    old = Resource(logical_id, raw["Type"], copy.deepcopy(raw["Properties"]))
    new = Resource(logical_id, raw["Type"], {**old.properties, "DBInstanceClass": "db.r6g.4xlarge"})
    reader = {"Type": "AWS::SSM::Parameter", "Properties": {"Value": {"Fn::GetAtt": [logical_id, "Endpoint.Address"]}}}
    resources = {logical_id: raw, "Reader": reader}
    old_all = {logical_id: old, "Reader": Resource("Reader", reader["Type"], {"Value": "db.example"})}
    new_all = {logical_id: new, "Reader": Resource("Reader", reader["Type"], {"Value": "db.example"})}
    changes = engine.compare(old_all, new_all, {"Resources": resources}, "us-east-1")
    assert [(c.logical_id, c.action) for c in changes] == [(logical_id, engine.INTERRUPT)]


def test_turning_object_lock_off_fails_and_the_guard_names_the_one_way_fact():
    from cfnops.changes import text

    _, logical_id, raw = next(
        (n, lid, r) for n, lid, r in _resources() if "ObjectLockEnabled" in r.get("Properties", {})
    )
    old = Resource(logical_id, raw["Type"], copy.deepcopy(raw["Properties"]))
    new = Resource(logical_id, raw["Type"], {**old.properties, "ObjectLockEnabled": False})
    (change,) = engine.compare({logical_id: old}, {logical_id: new}, {"Resources": {logical_id: raw}}, "us-east-1")
    fact = update_behaviour.documented("AWS::S3::Bucket", "ObjectLockEnabled")
    assert (change.action, change.fact.behaviour, change.fact.reason) == (
        engine.WILL_FAIL,
        update_behaviour.Behaviour.UPDATE_FAILS,
        fact.fails_reason,
    )
    (head,) = text.group_lines(engine.Group((("1", "us-east-1"),), (change,)), set(), False, details=False)[1:]
    assert f"UPDATE WILL FAIL: {fact.fails_reason} ({fact.page})" in head
    spec = SimpleNamespace(key="fraud-agent", name="fraud-agent-dev")
    group = engine.Group((("1", "us-east-1"),), (change,))
    plans = [SimpleNamespace(desired=SimpleNamespace(spec=spec), resources=(group,))]
    with pytest.raises(RefusedError) as refused:
        guard.enforce(PLATFORM.environment("dev"), plans, guard.parse(f"fraud-agent/{logical_id}"), lambda line: None)
    assert refused.value.problems[0] == (
        f"deploy refused: fraud-agent/{logical_id} (AWS::S3::Bucket): update will fail in us-east-1: "
        f"ObjectLockEnabled: {fact.fails_reason} ({fact.page})"
    )
    # turning it on is an in-place update
    enabled = engine.compare({logical_id: new}, {logical_id: old}, {"Resources": {logical_id: raw}}, "us-east-1")
    assert [c.action for c in enabled] == [engine.MODIFY]


def _table_with_definitions():
    return next(
        (lid, r)
        for _, lid, r in _resources()
        if r["Type"] == "AWS::DynamoDB::Table" and r.get("Properties", {}).get("AttributeDefinitions")
    )


def _definitions_change(logical_id: str, raw: dict, definitions: list) -> engine.ResourceChange:
    old = Resource(logical_id, raw["Type"], copy.deepcopy(raw["Properties"]))
    new = Resource(logical_id, raw["Type"], {**old.properties, "AttributeDefinitions": definitions})
    (change,) = engine.compare({logical_id: old}, {logical_id: new}, {"Resources": {logical_id: raw}}, "us-east-1")
    return change


def test_editing_an_existing_attribute_definition_replaces_the_table_adding_one_does_not():
    """The page: "You can add an AttributeDefinition without interruption. Changing the type of an existing AttributeDefinition requires replacement"."""
    logical_id, raw = _table_with_definitions()
    definitions = raw["Properties"]["AttributeDefinitions"]
    first = definitions[0]
    retyped = {**first, "AttributeType": "N" if first["AttributeType"] != "N" else "S"}
    added = {"AttributeName": first["AttributeName"] + "Added", "AttributeType": "S"}
    fact = update_behaviour.documented("AWS::DynamoDB::Table", "AttributeDefinitions")
    edits = {
        "same length": [retyped, *definitions[1:]],
        "edited and one added": [retyped, *definitions[1:], added],
    }
    for how, edited in edits.items():
        change = _definitions_change(logical_id, raw, edited)
        assert (change.action, change.fact.reason, change.fact.page) == (engine.REPLACE, fact.edit_reason, fact.page), (
            how
        )
    appended = _definitions_change(logical_id, raw, [*definitions, added])
    assert (appended.action, appended.fact.reason) == (engine.MODIFY, fact.reason)
    assert _definitions_change(logical_id, raw, [added, *definitions]).action == engine.MODIFY  # reordered: no edit


def test_the_prod_guard_stops_an_edited_attribute_definition():
    logical_id, raw = _table_with_definitions()
    first = raw["Properties"]["AttributeDefinitions"][0]
    retyped = {**first, "AttributeType": "N" if first["AttributeType"] != "N" else "S"}
    change = _definitions_change(logical_id, raw, [retyped, *raw["Properties"]["AttributeDefinitions"][1:]])
    spec = SimpleNamespace(key="fraud-agent", name="fraud-agent-prod")
    plans = [
        SimpleNamespace(desired=SimpleNamespace(spec=spec), resources=(engine.Group((("1", "us-east-1"),), (change,)),))
    ]
    with pytest.raises(RefusedError) as refused:
        guard.enforce(PLATFORM.environment("prod"), plans, frozenset(), lambda line: pytest.fail(line))
    assert refused.value.problems[0].startswith(
        f"deploy refused: fraud-agent/{logical_id} (AWS::DynamoDB::Table): Replace"
    )


def _edit_of(type_name: str, prop: str, edit) -> engine.ResourceChange:
    _, logical_id, raw = next(
        (n, lid, r) for n, lid, r in _resources() if prop in r.get("Properties", {}) and r["Type"] == type_name
    )
    old = Resource(logical_id, type_name, copy.deepcopy(raw["Properties"]))
    new = Resource(logical_id, type_name, {**old.properties, prop: edit(old.properties[prop])})
    (change,) = engine.compare({logical_id: old}, {logical_id: new}, {"Resources": {logical_id: raw}}, "us-east-1")
    return change


@pytest.mark.parametrize(
    ("type_name", "prop", "edit", "impact"),
    [
        ("AWS::DynamoDB::Table", "KeySchema", lambda v: [{**v[0], "AttributeName": "other"}], engine.REPLACE),
        ("AWS::DynamoDB::Table", "AttributeDefinitions", lambda v: [{**v[0], "AttributeType": "B"}], engine.REPLACE),
        ("AWS::RDS::DBInstance", "DBInstanceClass", lambda v: "db.r6g.4xlarge", engine.INTERRUPT),
        ("AWS::S3::Bucket", "ObjectLockEnabled", lambda v: not v, engine.WILL_FAIL),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_every_view_links_the_page_of_a_fact_decided_impact(type_name, prop, edit, impact):
    from cfnops.changes import json_view, markdown, text
    from cfnops.changes.report import StackSetPlan

    change = _edit_of(type_name, prop, edit)
    assert change.action == impact and change.fact is not None
    group = engine.Group((("1", "us-east-1"),), (change,))
    head = text.group_lines(group, set(), False, details=False)[1]
    assert f": {change.fact.reason} ({change.fact.page})" in head, head
    plan = StackSetPlan("s-dev", "s", "update", ("us-east-1",), (), (), (), (), (group,))
    assert f"{change.fact.reason} ([AWS]({change.fact.page}))" in "\n".join(markdown._stackset(plan, ()))
    (resource,) = json_view._group(group)["resources"]
    assert resource["fact"]["page"] == change.fact.page
    if change.fact.see_also:  # a service page explaining it, beside the Template Reference page
        assert f"({change.fact.page}) (see also {change.fact.see_also})" in head
        assert f"[see also]({change.fact.see_also})" in "\n".join(markdown._stackset(plan, ()))
        assert resource["fact"]["see_also"] == change.fact.see_also
