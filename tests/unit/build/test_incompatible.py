"""Documented incompatibilities (awsfacts.incompatibilities), checked on every template
resolved where the StackSets put it."""

from __future__ import annotations

import json

from cfnops.awsfacts import incompatibilities
from cfnops.build.gate import incompatible
from cfnops.build.gate.placements import Placement
from cfnops.build.lint import account_budget, placements
from tests.conftest import resources_of_type


def generated(project) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text()) for p in project.generated.glob("*.json") if p.name != "manifest.json"}


def rule_findings(project, templates, fact):
    return [f for f in account_budget(project, templates) if f.rule == fact.rule]


def test_todays_templates_break_no_documented_incompatibility(project):
    templates = generated(project)
    assert incompatible.check(templates, placements(project, templates), str) == []


def test_a_cluster_with_a_managed_password_is_refused_wherever_it_makes_or_joins_a_global_database(tmp_project):
    templates = generated(tmp_project)
    fact = incompatibilities.GLOBAL_DATABASE_MANAGED_PASSWORD
    for template in templates.values():
        sources = [
            r["Properties"]["SourceDBClusterIdentifier"]
            for r in resources_of_type(template, "AWS::RDS::GlobalCluster").values()
        ]
        for source in sources:  # what the cluster had before: RDS manages its password everywhere
            template["Resources"][source["Fn::GetAtt"][0]]["Properties"]["ManageMasterUserPassword"] = True
    found = rule_findings(tmp_project, templates, fact)
    expected = {
        (p.environment, p.region)
        for p in placements(tmp_project, templates)
        if p.values.get("EnableGlobalDatabase") == "true"
    }  # the primary makes the global cluster from it, the secondaries join it
    assert expected and {tuple(f.message.split(":")[0].split(", ")) for f in found} == expected
    assert all(fact.url in f.message and "Aurora global database" in f.message for f in found)


def fixture(resource: dict) -> dict:
    return {"Parameters": {}, "Resources": {"Thing": resource}}


def one_placement(region: str = "us-west-2") -> list[Placement]:
    return [Placement("self", region, "dev", "fixture", {})]


def test_a_global_table_with_replicas_and_no_stream_is_refused():
    table = {
        "Type": "AWS::DynamoDB::GlobalTable",
        "Properties": {"Replicas": [{"Region": "us-east-1"}, {"Region": "us-west-2"}]},
    }
    found = incompatible.check({"fixture": fixture(table)}, one_placement(), str)
    assert [f.rule for f in found] == [incompatibilities.GLOBAL_TABLE_STREAM.rule]
    table["Properties"]["StreamSpecification"] = {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert incompatible.check({"fixture": fixture(table)}, one_placement(), str) == []


def test_object_lock_configuration_without_object_lock_enabled_is_refused():
    bucket = {"Type": "AWS::S3::Bucket", "Properties": {"ObjectLockConfiguration": {"ObjectLockEnabled": "Enabled"}}}
    found = incompatible.check({"fixture": fixture(bucket)}, one_placement(), str)
    assert [f.rule for f in found] == [incompatibilities.OBJECT_LOCK_ENABLED.rule]
    bucket["Properties"]["ObjectLockEnabled"] = True
    assert incompatible.check({"fixture": fixture(bucket)}, one_placement(), str) == []


def test_a_cloudfront_web_acl_outside_us_east_1_is_refused():
    acl = {"Type": "AWS::WAFv2::WebACL", "Properties": {"Scope": "CLOUDFRONT"}}
    found = incompatible.check({"fixture": fixture(acl)}, one_placement("eu-west-1"), str)
    assert [f.rule for f in found] == [incompatibilities.WAF_CLOUDFRONT_SCOPE.rule]
    assert (
        incompatible.check({"fixture": fixture(acl)}, one_placement(incompatibilities.WAF_CLOUDFRONT_REGION), str) == []
    )


def test_every_incompatibility_has_a_rule_and_an_aws_page():
    assert set(incompatible.RULES) == set(incompatibilities.ALL)
    assert all(f.url.startswith("https://docs.aws.amazon.com/") and f.sentence for f in incompatibilities.ALL)
