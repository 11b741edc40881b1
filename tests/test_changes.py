"""The plan's resource changes (cfnops/changes) on the real templates and staging's
parameters, per region: golden plans for each case issue 14 lists. The golden files are
written by the code (CFNOPS_UPDATE_GOLDEN=1), never by hand; look at their diff."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import pytest

from cfnops import params, render
from cfnops.changes import engine, text
from cfnops.changes.engine import MAY_REPLACE, REMOVE, REPLACE
from cfnops.changes.resolve import MASK, Instance, KnownAfterApply, resolve

from .conftest import ROOT

GOLDEN = ROOT / "tests" / "fixtures" / "plans"
ACCOUNT = "123456789012"
REGIONS = ("us-east-1", "us-west-2", "eu-west-1")


@pytest.fixture(scope="module")
def staging(project):
    templates = render.read_generated(project)
    return templates, params.resolve_deployed(project, "staging", templates)


def plan_lines(template: dict, new_template: dict, values: dict[str, dict], new_values: dict[str, dict]) -> list[str]:
    per_instance = [((ACCOUNT, r), engine.instance_changes(template, values[r], new_template, new_values[r], Instance(r, ACCOUNT)))
                    for r in values]
    lines = []
    for group in engine.group(per_instance):
        lines += text.group_lines(group, set(), False)
    return lines


def golden(name: str, lines: list[str]) -> None:
    path = GOLDEN / f"{name}.txt"
    body = "\n".join(lines) + "\n"
    if os.environ.get("CFNOPS_UPDATE_GOLDEN"):
        path.write_text(body)
    assert body == path.read_text(), f"{path} differs (CFNOPS_UPDATE_GOLDEN=1 rewrites it; then read its diff)"


def case(staging, template_name: str, regions=REGIONS):
    templates, resolved = staging
    template = json.loads(json.dumps(templates[template_name]))
    values = {r: resolved.plain(template_name, r) for r in regions}
    return template, copy.deepcopy(template), values, copy.deepcopy(values)


def test_a_parameter_change_modifies_a_property_in_every_region_as_one_group(staging):
    template, new, values, new_values = case(staging, "payments")
    for region in REGIONS:
        new_values[region]["ErrorThreshold"] = str(int(values[region]["ErrorThreshold"]) + 1)
    lines = plan_lines(template, new, values, new_values)
    assert lines[0] == "  resources in us-east-1, us-west-2, eu-west-1:"
    assert any("/Threshold:" in line for line in lines) and not any("Replace" in line for line in lines)
    golden("parameter-modifies-property", lines)


def test_a_createonly_change_in_one_region_replaces_the_table_there_only(staging):
    template, new, values, new_values = case(staging, "fraud-agent")
    new["Parameters"]["DecisionsTableSuffix"] = {"Type": "String", "Default": ""}
    new["Resources"]["DecisionsTable"]["Properties"]["TableName"] = {"Fn::Sub": "${Environment}-agent-decisions${DecisionsTableSuffix}"}
    new_values["us-west-2"]["DecisionsTableSuffix"] = "-v2"
    lines = plan_lines(template, new, values, new_values)
    assert lines[0] == "  resources in us-west-2:"
    assert any(line.startswith("    ± Replace     DecisionsTable (AWS::DynamoDB::Table)  STATEFUL: kept (Retain)") for line in lines)
    golden("createonly-replaces-table-one-region", lines)


def test_a_removed_resource_is_flagged_with_what_its_deletion_policy_keeps(staging):
    template, new, values, new_values = case(staging, "data-pipeline")
    del new["Resources"]["DatabaseLogUpgrade"]
    for resource in new["Resources"].values():
        if "DatabaseLogUpgrade" in resource.get("DependsOn", []):
            resource["DependsOn"].remove("DatabaseLogUpgrade")
    changes = engine.instance_changes(template, values["us-east-1"], new, new_values["us-east-1"], Instance("us-east-1", ACCOUNT))
    assert [(c.logical_id, c.action) for c in changes] == [("DatabaseLogUpgrade", REMOVE)] and changes[0].destructive
    assert changes[0].policy == template["Resources"]["DatabaseLogUpgrade"]["DeletionPolicy"]
    golden("removed-resource", plan_lines(template, new, values, new_values))


def test_a_renamed_logical_id_is_a_remove_and_an_add(staging):
    template, new, values, new_values = case(staging, "data-pipeline")
    stream = next(k for k, r in template["Resources"].items() if r["Type"] == "AWS::Kinesis::Stream")
    new["Resources"][stream + "Renamed"] = new["Resources"].pop(stream)
    text_of_new = json.dumps(new).replace(f'"Ref": "{stream}"', f'"Ref": "{stream}Renamed"').replace(
        f'["{stream}", ', f'["{stream}Renamed", ').replace("${" + stream + ".", "${" + stream + "Renamed.").replace(
        "${" + stream + "}", "${" + stream + "Renamed}")
    new = json.loads(text_of_new)
    changes = engine.instance_changes(template, values["eu-west-1"], new, new_values["eu-west-1"], Instance("eu-west-1", ACCOUNT))
    actions = {c.logical_id: c.action for c in changes}
    assert actions[stream] == REMOVE and actions[stream + "Renamed"] == "Add"
    golden("renamed-logical-id", plan_lines(template, new, values, new_values))


def test_a_condition_switched_on_adds_its_resources_and_changes_what_fn_if_chose(staging):
    template, new, values, new_values = case(staging, "network")
    for region in REGIONS:
        new_values[region]["HighlyAvailableNat"] = "true"
    changes = engine.instance_changes(template, values["us-east-1"], new, new_values["us-east-1"], Instance("us-east-1", ACCOUNT))
    assert {c.logical_id for c in changes if c.action == "Add"} == {"NatEip2", "NatGateway2"}
    route = next(c for c in changes if c.action == "Modify" and c.type == "AWS::EC2::Route")
    assert route.properties[0].new == KnownAfterApply("NatGateway2", "NatGateway2")
    golden("condition-switched-on", plan_lines(template, new, values, new_values))


def test_what_reads_a_replaced_resource_changes_and_may_be_replaced_in_turn():
    template = {"Resources": {
        "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "q"}},
        "Table": {"Type": "AWS::DynamoDB::Table", "DeletionPolicy": "Delete", "Properties": {"TableName": "t"}},
        "Stream": {"Type": "AWS::Kinesis::Stream", "Properties": {"Name": {"Fn::Sub": "s-${Queue.QueueName}"}}},
        "Alarm": {"Type": "AWS::CloudWatch::Alarm", "Properties": {"Dimensions": [{"Name": "Q", "Value": {"Ref": "Queue"}}]}}}}
    new = copy.deepcopy(template)
    new["Resources"]["Queue"]["Properties"]["QueueName"] = "q2"  # createOnly: a new queue
    new["Resources"]["Table"]["Properties"]["TableName"] = "t2"
    changes = {c.logical_id: c for c in engine.instance_changes(template, {}, new, {}, Instance("us-east-1", ACCOUNT))}
    assert changes["Queue"].action == REPLACE and changes["Table"].action == REPLACE
    assert changes["Table"].keeps.startswith("NOTHING is kept (Delete)") and changes["Queue"].keeps.startswith("NOTHING")
    assert changes["Stream"].action == REPLACE  # Name is createOnly and reads the new queue's name
    assert changes["Stream"].properties[0].note == "Queue is replaced"
    assert changes["Alarm"].action == "Modify" and changes["Alarm"].properties[0].path == "/Dimensions/0/Value"


def test_noecho_parameters_are_masked_and_never_shown_as_a_change():
    template = {"Parameters": {"Token": {"Type": "String", "NoEcho": True}},
                "Resources": {"Group": {"Type": "AWS::ElastiCache::ReplicationGroup",
                                        "Properties": {"AuthToken": {"Ref": "Token"}, "ReplicationGroupDescription": "x"}}}}
    resolved = resolve(template, {"Token": "s3cret-value"}, Instance("us-east-1"))
    assert resolved["Group"].properties["AuthToken"] == MASK
    assert engine.instance_changes(template, {"Token": MASK}, template, {"Token": "s3cret-value"}, Instance("us-east-1")) == ()


def test_a_conditional_createonly_path_may_replace(staging):
    template, new, values, new_values = case(staging, "fraud-agent", ("us-east-1",))
    table = new["Resources"]["DecisionsTable"]["Properties"]
    table["KeySchema"][0]["AttributeName"] = "decision"
    table["AttributeDefinitions"][0]["AttributeName"] = "decision"
    changes = engine.instance_changes(template, values["us-east-1"], new, new_values["us-east-1"], Instance("us-east-1", ACCOUNT))
    assert [(c.logical_id, c.action) for c in changes] == [("DecisionsTable", MAY_REPLACE)]


def test_findinmap_select_and_getazs_resolve_per_region(staging):
    templates, resolved = staging
    template = templates["network"]
    east = resolve(template, resolved.plain("network", "us-east-1"), Instance("us-east-1", ACCOUNT))
    west = resolve(template, resolved.plain("network", "us-west-2"), Instance("us-west-2", ACCOUNT))
    assert (east["Vpc"].properties["CidrBlock"], west["Vpc"].properties["CidrBlock"]) == ("10.20.0.0/16", "10.21.0.0/16")
    assert west["DataSubnet1"].properties["CidrBlock"] == "10.21.96.0/20"
    zone = west["DataSubnet1"].properties["AvailabilityZone"]  # the region's zones: only deploy time knows them
    assert isinstance(zone, KnownAfterApply) and zone == east["DataSubnet1"].properties["AvailabilityZone"]
