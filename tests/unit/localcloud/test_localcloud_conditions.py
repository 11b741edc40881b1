"""localcloud evaluates a condition declared as another condition ({"Condition": "Name"}, the
Condition function: "used when declaring a condition in the Conditions section",
https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-condition.html)
as CloudFormation does: it has that condition's value (network's NatGateway2 is declared so)."""

from __future__ import annotations

import json
import warnings

import boto3
import pytest

import localcloud

localcloud.install()
from moto import mock_aws  # noqa: E402

TEMPLATE = {
    "Parameters": {"Want": {"Type": "String", "AllowedValues": ["true", "false"]}},
    "Conditions": {
        "IsWanted": {"Fn::Equals": [{"Ref": "Want"}, "true"]},
        "Alias": {"Condition": "IsWanted"},
        "NotAlias": {"Fn::Not": [{"Condition": "Alias"}]},
    },
    "Resources": {
        "Wanted": {"Type": "AWS::SNS::Topic", "Condition": "Alias"},
        "Unwanted": {"Type": "AWS::SNS::Topic", "Condition": "NotAlias"},
    },
}


@pytest.mark.parametrize("wanted, created", [("true", ["Wanted"]), ("false", ["Unwanted"])])
def test_a_condition_declared_as_another_has_its_value(wanted, created):
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        cloudformation = boto3.client("cloudformation", region_name="us-east-1")
        cloudformation.create_stack(
            StackName="alias",
            TemplateBody=json.dumps(TEMPLATE),
            Parameters=[{"ParameterKey": "Want", "ParameterValue": wanted}],
        )
        resources = cloudformation.describe_stack_resources(StackName="alias")["StackResources"]
        assert sorted(r["LogicalResourceId"] for r in resources) == created
