"""The plan's resource changes (cfnops/changes) on the real templates and staging's
parameters, per region: golden plans for each case issue 14 lists. The golden files are
written by the code (CFNOPS_UPDATE_GOLDEN=1), never by hand; look at their diff."""

from __future__ import annotations

import copy
import json
import os

import pytest

from cfnops.build import render
from cfnops.changes import engine, text
from cfnops.changes.engine import REMOVE, REPLACE
from cfnops.changes.resolve import MASK, Instance, KnownAfterApply, resolve
from cfnops.inputs import params
from tests.conftest import PLATFORM, ROOT

GOLDEN = ROOT / "tests" / "fixtures" / "plans"
ACCOUNT = "123456789012"
REGIONS = ("us-east-1", "us-west-2", "eu-west-1")


@pytest.fixture(scope="module")
def staging(project):
    templates = render.read_generated(project)
    return templates, params.resolve_deployed(project, "staging", templates)


def plan_lines(template: dict, new_template: dict, values: dict[str, dict], new_values: dict[str, dict]) -> list[str]:
    per_instance = [
        ((ACCOUNT, r), engine.instance_changes(template, values[r], new_template, new_values[r], Instance(r, ACCOUNT)))
        for r in values
    ]
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
    new["Resources"]["DecisionsTable"]["Properties"]["TableName"] = {
        "Fn::Sub": "${Environment}-agent-decisions${DecisionsTableSuffix}"
    }
    new_values["us-west-2"]["DecisionsTableSuffix"] = "-v2"
    lines = plan_lines(template, new, values, new_values)
    assert lines[0] == "  resources in us-west-2:"
    assert any(
        line.startswith("    ± Replace     DecisionsTable (AWS::DynamoDB::Table)  STATEFUL: kept (Retain)")
        for line in lines
    )
    golden("createonly-replaces-table-one-region", lines)


def test_a_removed_resource_is_flagged_with_what_its_deletion_policy_keeps(staging):
    template, new, values, new_values = case(staging, "data-pipeline")
    del new["Resources"]["DatabaseLogUpgrade"]
    for resource in new["Resources"].values():
        if "DatabaseLogUpgrade" in resource.get("DependsOn", []):
            resource["DependsOn"].remove("DatabaseLogUpgrade")
    changes = engine.instance_changes(
        template, values["us-east-1"], new, new_values["us-east-1"], Instance("us-east-1", ACCOUNT)
    )
    assert [(c.logical_id, c.action) for c in changes] == [("DatabaseLogUpgrade", REMOVE)] and changes[0].destructive
    assert changes[0].policy == template["Resources"]["DatabaseLogUpgrade"]["DeletionPolicy"]
    golden("removed-resource", plan_lines(template, new, values, new_values))


def test_a_renamed_logical_id_is_a_remove_and_an_add(staging):
    template, new, values, new_values = case(staging, "data-pipeline")
    stream = next(k for k, r in template["Resources"].items() if r["Type"] == "AWS::Kinesis::Stream")
    new["Resources"][stream + "Renamed"] = new["Resources"].pop(stream)
    text_of_new = (
        json.dumps(new)
        .replace(f'"Ref": "{stream}"', f'"Ref": "{stream}Renamed"')
        .replace(f'["{stream}", ', f'["{stream}Renamed", ')
        .replace("${" + stream + ".", "${" + stream + "Renamed.")
        .replace("${" + stream + "}", "${" + stream + "Renamed}")
    )
    new = json.loads(text_of_new)
    changes = engine.instance_changes(
        template, values["eu-west-1"], new, new_values["eu-west-1"], Instance("eu-west-1", ACCOUNT)
    )
    actions = {c.logical_id: c.action for c in changes}
    assert actions[stream] == REMOVE and actions[stream + "Renamed"] == "Add"
    golden("renamed-logical-id", plan_lines(template, new, values, new_values))


def test_a_condition_switched_on_adds_its_resources_and_changes_what_fn_if_chose(staging):
    template, new, values, new_values = case(staging, "network")
    for region in REGIONS:
        new_values[region]["HighlyAvailableNat"] = "true"
    changes = engine.instance_changes(
        template, values["us-east-1"], new, new_values["us-east-1"], Instance("us-east-1", ACCOUNT)
    )
    assert {c.logical_id for c in changes if c.action == "Add"} == {"NatEip2", "NatGateway2"}
    route = next(c for c in changes if c.action == "Modify" and c.type == "AWS::EC2::Route")
    assert route.properties[0].new == KnownAfterApply("NatGateway2", "NatGateway2")
    golden("condition-switched-on", plan_lines(template, new, values, new_values))


def test_what_reads_a_replaced_resource_changes_and_may_be_replaced_in_turn():
    template = {
        "Resources": {
            "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "q"}},
            "Table": {"Type": "AWS::DynamoDB::Table", "DeletionPolicy": "Delete", "Properties": {"TableName": "t"}},
            "Stream": {"Type": "AWS::Kinesis::Stream", "Properties": {"Name": {"Fn::Sub": "s-${Queue.QueueName}"}}},
            "Alarm": {
                "Type": "AWS::CloudWatch::Alarm",
                "Properties": {"Dimensions": [{"Name": "Q", "Value": {"Ref": "Queue"}}]},
            },
        }
    }
    new = copy.deepcopy(template)
    new["Resources"]["Queue"]["Properties"]["QueueName"] = "q2"  # createOnly: a new queue
    new["Resources"]["Table"]["Properties"]["TableName"] = "t2"
    changes = {c.logical_id: c for c in engine.instance_changes(template, {}, new, {}, Instance("us-east-1", ACCOUNT))}
    assert changes["Queue"].action == REPLACE and changes["Table"].action == REPLACE
    assert changes["Table"].keeps.startswith("NOTHING is kept (Delete)") and changes["Queue"].keeps.startswith(
        "NOTHING"
    )
    assert changes["Stream"].action == REPLACE  # Name is createOnly and reads the new queue's name
    assert changes["Stream"].properties[0].note == "Queue is replaced"
    assert changes["Alarm"].action == "Modify" and changes["Alarm"].properties[0].path == "/Dimensions/0/Value"


def test_noecho_parameters_are_masked_and_never_shown_as_a_change():
    template = {
        "Parameters": {"Token": {"Type": "String", "NoEcho": True}},
        "Resources": {
            "Group": {
                "Type": "AWS::ElastiCache::ReplicationGroup",
                "Properties": {"AuthToken": {"Ref": "Token"}, "ReplicationGroupDescription": "x"},
            }
        },
    }
    resolved = resolve(template, {"Token": "s3cret-value"}, Instance("us-east-1"))
    assert resolved["Group"].properties["AuthToken"] == MASK
    assert (
        engine.instance_changes(template, {"Token": MASK}, template, {"Token": "s3cret-value"}, Instance("us-east-1"))
        == ()
    )


def test_a_key_schema_change_replaces_as_documented_and_ripples_to_its_readers(staging):
    """The schema lists KeySchema as conditionally create-only; the DynamoDB Table page says
    Replacement (awsfacts.update_behaviour): the stricter wins, and what reads the table changes."""
    template, new, values, new_values = case(staging, "fraud-agent", ("us-east-1",))
    table = new["Resources"]["DecisionsTable"]["Properties"]
    table["KeySchema"][0]["AttributeName"] = "decision"
    table["AttributeDefinitions"][0]["AttributeName"] = "decision"
    changes = engine.instance_changes(
        template, values["us-east-1"], new, new_values["us-east-1"], Instance("us-east-1", ACCOUNT)
    )
    assert (changes[0].logical_id, changes[0].action) == ("DecisionsTable", REPLACE)
    assert changes[0].fact.page.endswith("/aws-resource-dynamodb-table.html")
    readers = [c for c in changes[1:] if any("DecisionsTable is replaced" in p.note for p in c.properties)]
    assert readers and all(c.action != engine.WILL_FAIL for c in readers)


def test_findinmap_select_and_getazs_resolve_per_region(staging):
    templates, resolved = staging
    template = templates["network"]
    east = resolve(template, resolved.plain("network", "us-east-1"), Instance("us-east-1", ACCOUNT))
    west = resolve(template, resolved.plain("network", "us-west-2"), Instance("us-west-2", ACCOUNT))
    assert (east["Vpc"].properties["CidrBlock"], west["Vpc"].properties["CidrBlock"]) == (
        "10.20.0.0/16",
        "10.21.0.0/16",
    )
    assert west["DataSubnet1"].properties["CidrBlock"] == "10.21.96.0/20"
    zone = west["DataSubnet1"].properties["AvailabilityZone"]  # the region's zones: only deploy time knows them
    assert isinstance(zone, KnownAfterApply) and zone == east["DataSubnet1"].properties["AvailabilityZone"]


def drifted(logical_id: str, kind: str, path: str, expected: str, actual: str):
    from cfnops.drift.detect import PropertyDifference, ResourceDrift

    return ResourceDrift(
        logical_id,
        f"{logical_id.lower()}-id",
        kind,
        "MODIFIED",
        (PropertyDifference(path, expected, actual, "NOT_EQUAL"),),
    )


def overwrite_report(staging):
    """network: a parameter change that modifies the flow-log group's retention in every region;
    drift on that property in us-west-2 and on another resource in eu-west-1."""
    from cfnops.changes import overwrite, report
    from cfnops.rollout.plan import ParameterChange

    template, new, values, new_values = case(staging, "network")
    for region in REGIONS:
        new_values[region]["FlowLogRetentionDays"] = "180"
    groups = engine.group(
        [
            ((ACCOUNT, r), engine.instance_changes(template, values[r], new, new_values[r], Instance(r, ACCOUNT)))
            for r in REGIONS
        ]
    )
    log_group = next(c.logical_id for c in groups[0].changes if c.type == "AWS::Logs::LogGroup")
    notes = overwrite.notes(
        groups,
        [
            (
                ACCOUNT,
                "us-west-2",
                drifted(
                    log_group,
                    "AWS::Logs::LogGroup",
                    "/RetentionInDays",
                    values["us-west-2"]["FlowLogRetentionDays"],
                    "7",
                ),
            ),
            (ACCOUNT, "eu-west-1", drifted("Vpc", "AWS::EC2::VPC", "/EnableDnsHostnames", "true", "false")),
        ],
    )
    stackset = report.StackSetPlan(
        "network-staging",
        "network",
        "update",
        REGIONS,
        ("parameters",),
        (ParameterChange("StackSet", "FlowLogRetentionDays", values["us-east-1"]["FlowLogRetentionDays"], "180"),),
        (),
        (),
        groups,
        notes,
    )
    return report.PlanReport("staging", (stackset,), drift_checked=True), notes


def test_a_drifted_property_the_update_changes_is_overwritten_other_drift_stays(staging):
    from cfnops.changes import overwrite

    plan_report, notes = overwrite_report(staging)
    assert [(n.region, n.logical_id, n.verdict) for n in notes] == [
        ("us-west-2", notes[0].logical_id, overwrite.OVERWRITES),
        ("eu-west-1", "Vpc", overwrite.STAYS),
    ]
    lines = [line for g in plan_report.stacksets[0].groups for line in text.group_lines(g, set(), False)]
    golden("drift-overwritten", lines + text.drift_lines(notes))


def test_the_json_plan_validates_against_its_schema(staging):
    import jsonschema

    from cfnops.changes import json_view

    schema = json.loads(json_view.SCHEMA_FILE.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    plan_report, _ = overwrite_report(staging)
    data = json.loads(json_view.render(plan_report))
    jsonschema.validate(data, schema)
    assert data["schema"] == "cfnops.plan/v2" and data["stacksets"][0]["drift"][0]["verdict"] == "overwrites"
    # and the schema can fail: a resource action it does not know
    data["stacksets"][0]["groups"][0]["resources"][0]["action"] = "Recreate"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)


def test_the_markdown_plan_puts_data_at_risk_first(staging):
    from cfnops.changes import markdown, report

    template, new, values, new_values = case(staging, "fraud-agent")
    new["Parameters"]["DecisionsTableSuffix"] = {"Type": "String", "Default": ""}
    new["Resources"]["DecisionsTable"]["Properties"]["TableName"] = {
        "Fn::Sub": "${Environment}-agent-decisions${DecisionsTableSuffix}"
    }
    new_values["us-west-2"]["DecisionsTableSuffix"] = "-v2"
    groups = engine.group(
        [
            ((ACCOUNT, r), engine.instance_changes(template, values[r], new, new_values[r], Instance(r, ACCOUNT)))
            for r in REGIONS
        ]
    )
    stackset = report.StackSetPlan(
        "fraud-agent-staging", "fraud-agent", "update", REGIONS, ("template",), (), (), (), groups
    )
    body = markdown.render(report.PlanReport("staging", (stackset,), protected=PLATFORM.protected))
    lines = body.splitlines()
    assert lines[:5] == [
        "## cfnops plan: staging",
        "",
        "| StackSet | action | resource changes | data at risk |",
        "|---|---|---|---|",
        f"| fraud-agent-staging | update | {len(groups[0].changes)} | 1 |",
    ]
    risk = lines.index("**Data at risk** (deploy in staging or prod refuses these without `ALLOW_REPLACE`):")
    assert lines[risk + 2].startswith(
        "- Replace `fraud-agent-staging/DecisionsTable` (AWS::DynamoDB::Table) in us-west-2: kept (Retain)"
    )
    row = next(line for line in lines if "`/TableName`" in line)
    assert row == (
        "| 🔁 Replace | `DecisionsTable` | AWS::DynamoDB::Table | `/TableName` | `staging-agent-decisions` | "
        "`staging-agent-decisions-v2` |"
    )
    assert markdown.render(report.PlanReport("staging", ())).endswith("No changes.\n")
