"""localcloud looks Fn::FindInMap keys up as strings, as CloudFormation does: a Number
parameter's value is text there ("2048"), so a mapping keyed by it is found (payments' manifest
reads the vCPU of its memory this way)."""

from __future__ import annotations

import json
import warnings

import boto3

import localcloud

localcloud.install()
from moto import mock_aws  # noqa: E402

TEMPLATE = {
    "Parameters": {"MemoryMb": {"Type": "Number", "AllowedValues": [1024, 2048]}},
    "Mappings": {"Vcpus": {"1024": {"Vcpus": "0.58"}, "2048": {"Vcpus": "1.16"}}},
    "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
    "Outputs": {"Vcpus": {"Value": {"Fn::FindInMap": ["Vcpus", {"Ref": "MemoryMb"}, "Vcpus"]}}},
}


def test_a_number_parameter_finds_its_mapping_key():
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        cloudformation = boto3.client("cloudformation", region_name="eu-west-1")
        cloudformation.create_stack(
            StackName="find",
            TemplateBody=json.dumps(TEMPLATE),
            Parameters=[{"ParameterKey": "MemoryMb", "ParameterValue": "2048"}],
        )
        stack = cloudformation.describe_stacks(StackName="find")["Stacks"][0]
        assert stack["StackStatus"] == "CREATE_COMPLETE"
        assert stack["Outputs"] == [{"OutputKey": "Vcpus", "OutputValue": "1.16"}]
