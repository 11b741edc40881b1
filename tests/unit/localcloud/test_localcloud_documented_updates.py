"""Stack updates on localcloud follow AWS's documented update behaviour where it says more
than the registry schema (cfnops/awsfacts/update_behaviour.py): a change AWS documents as
failing the update fails with AWS's reason and rolls back; a one-way setting goes one way in
place (S3 Object Lock on) and not back; a documented Replacement replaces. Each case is
taken from the facts, not named here."""

from __future__ import annotations

import json
import warnings

import boto3
import pytest

import localcloud
from cfnops.awsfacts import update_behaviour
from cfnops.awsfacts.update_behaviour import Behaviour

localcloud.install()
from moto import mock_aws  # noqa: E402

REGION = "eu-west-1"


@pytest.fixture
def cfn():
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        yield boto3.client("cloudformation", region_name=REGION)


def stack(cfn, resource: dict) -> dict:
    body = json.dumps({"Resources": {"Thing": resource}})
    if "s" not in {s["StackName"][0] for s in cfn.list_stacks()["StackSummaries"]}:
        cfn.create_stack(StackName="s", TemplateBody=body)
    else:
        cfn.update_stack(StackName="s", TemplateBody=body)
    return cfn.describe_stacks(StackName="s")["Stacks"][0]


def physical_id(cfn) -> str:
    return cfn.describe_stack_resource(StackName="s", LogicalResourceId="Thing")["StackResourceDetail"][
        "PhysicalResourceId"
    ]


def reasons(cfn) -> list[str]:
    return [e.get("ResourceStatusReason", "") for e in cfn.describe_stack_events(StackName="s")["StackEvents"]]


def _fact(type_name: str, behaviour: Behaviour, one_way: bool = False):
    return next(
        f
        for f in update_behaviour.facts()
        if f.type_name == type_name and f.behaviour is behaviour and bool(f.fails_from) == one_way
    )


def test_a_change_aws_documents_as_failing_fails_with_its_reason(cfn):
    fact = _fact("AWS::KMS::Key", Behaviour.UPDATE_FAILS)
    policy = {"KeyPolicy": {"Version": "2012-10-17", "Statement": []}}
    assert stack(cfn, {"Type": "AWS::KMS::Key", "Properties": policy})["StackStatus"] == "CREATE_COMPLETE"
    key = physical_id(cfn)
    changed = {"KeySpec": "RSA_2048", "KeyUsage": "SIGN_VERIFY", "MultiRegion": True, "Origin": "EXTERNAL"}
    updated = stack(cfn, {"Type": "AWS::KMS::Key", "Properties": {**policy, fact.property: changed[fact.property]}})
    assert updated["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    assert any(fact.reason in reason for reason in reasons(cfn))
    assert physical_id(cfn) == key  # no replacement was attempted


def test_object_lock_turns_on_in_place_and_not_off(cfn):
    fact = _fact("AWS::S3::Bucket", Behaviour.NO_INTERRUPTION, one_way=True)
    versioned = {"VersioningConfiguration": {"Status": "Enabled"}}
    stack(cfn, {"Type": "AWS::S3::Bucket", "Properties": versioned})
    bucket = physical_id(cfn)
    on = stack(cfn, {"Type": "AWS::S3::Bucket", "Properties": {**versioned, fact.property: True}})
    assert on["StackStatus"] == "UPDATE_COMPLETE" and physical_id(cfn) == bucket
    lock = boto3.client("s3").get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"]
    assert lock["ObjectLockEnabled"] == "Enabled"
    off = stack(cfn, {"Type": "AWS::S3::Bucket", "Properties": {**versioned, fact.property: False}})
    assert off["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    assert any(fact.fails_reason in reason for reason in reasons(cfn))


def test_editing_an_existing_element_of_a_list_documented_so_replaces(cfn):
    fact = next(f for f in update_behaviour.facts() if f.edit_behaviour is Behaviour.REPLACEMENT)
    assert (fact.type_name, fact.property) == ("AWS::DynamoDB::Table", "AttributeDefinitions")

    def table(attribute_type: str) -> dict:
        return {
            "Type": fact.type_name,
            "Properties": {
                "BillingMode": "PAY_PER_REQUEST",
                "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                fact.property: [{fact.edit_key: "id", "AttributeType": attribute_type}],
            },
        }

    stack(cfn, table("S"))
    first = physical_id(cfn)
    assert stack(cfn, table("N"))["StackStatus"] == "UPDATE_COMPLETE"
    assert physical_id(cfn) != first
    assert first not in boto3.client("dynamodb", region_name=REGION).list_tables()["TableNames"]
