"""localcloud's AgentCore resources: created from a template, their Ref and GetAtt values
match the patterns of the registry schemas (what another resource reading them is checked
against on AWS), a harness's Version goes up with each change, and a conditional output is
exported only when its condition holds."""

from __future__ import annotations

import json
import re
import warnings

import boto3
import pytest

import localcloud
from cfnops.awsfacts import schemas

localcloud.install()
from moto import mock_aws  # noqa: E402

REGION = "eu-west-1"
ROLE = "arn:aws:iam::123456789012:role/r"


def template(prompt: str) -> dict:
    return {
        "Parameters": {"Classic": {"Type": "String", "Default": "false"}},
        "Conditions": {"IsClassic": {"Fn::Equals": [{"Ref": "Classic"}, "true"]}},
        "Resources": {
            "Gateway": {
                "Type": "AWS::BedrockAgentCore::Gateway",
                "Properties": {
                    "Name": "staging-eu-west-1-gw-fraud-agent",
                    "AuthorizerType": "AWS_IAM",
                    "RoleArn": ROLE,
                },
            },
            "Target": {
                "Type": "AWS::BedrockAgentCore::GatewayTarget",
                "Properties": {
                    "Name": "flagging",
                    "GatewayIdentifier": {"Fn::GetAtt": ["Gateway", "GatewayIdentifier"]},
                },
            },
            "Harness": {
                "Type": "AWS::BedrockAgentCore::Harness",
                "Properties": {
                    "HarnessName": "staging_fraud_agent",
                    "ExecutionRoleArn": ROLE,
                    "Model": {"BedrockModelConfig": {"ModelId": "m"}},
                    "SystemPrompt": [{"Text": prompt}],
                    "Tools": [
                        {
                            "Type": "agentcore_gateway",
                            "Config": {"AgentCoreGateway": {"GatewayArn": {"Fn::GetAtt": ["Gateway", "GatewayArn"]}}},
                        }
                    ],
                },
            },
            "Endpoint": {
                "Type": "AWS::BedrockAgentCore::HarnessEndpoint",
                "Properties": {
                    "HarnessId": {"Fn::GetAtt": ["Harness", "HarnessId"]},
                    "EndpointName": "staging",
                    "TargetVersion": {"Fn::GetAtt": ["Harness", "Version"]},
                },
            },
            "Queue": {"Type": "AWS::SQS::Queue", "Condition": "IsClassic"},
        },
        "Outputs": {
            name: {"Value": value, "Export": {"Name": f"x-{name}"}}
            for name, value in {
                "GatewayId": {"Ref": "Gateway"},
                "GatewayArn": {"Fn::GetAtt": ["Gateway", "GatewayArn"]},
                "TargetId": {"Fn::GetAtt": ["Target", "TargetId"]},
                "HarnessArn": {"Ref": "Harness"},
                "HarnessId": {"Fn::GetAtt": ["Harness", "HarnessId"]},
                "Version": {"Fn::GetAtt": ["Harness", "Version"]},
                "EndpointVersion": {"Fn::GetAtt": ["Endpoint", "LiveVersion"]},
            }.items()
        }
        | {"QueueUrl": {"Condition": "IsClassic", "Value": {"Ref": "Queue"}, "Export": {"Name": "x-QueueUrl"}}},
    }


@pytest.fixture
def cfn():
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        yield boto3.client("cloudformation", region_name=REGION)


def outputs(cfn) -> dict[str, str]:
    [stack] = cfn.describe_stacks(StackName="agent")["Stacks"]
    assert stack["StackStatus"] in ("CREATE_COMPLETE", "UPDATE_COMPLETE"), stack.get("StackStatusReason")
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def pattern(kind: str, *path: str) -> str:
    node = schemas.schema(f"AWS::BedrockAgentCore::{kind}", REGION)
    for key in path:
        node = node[key]
    return node["pattern"]


def test_identifiers_follow_the_registry_schemas_patterns(cfn):
    cfn.create_stack(StackName="agent", TemplateBody=json.dumps(template("v1")))
    values = outputs(cfn)
    checks = {
        "GatewayId": pattern("GatewayTarget", "properties", "GatewayIdentifier"),
        "GatewayArn": pattern("Harness", "definitions", "HarnessAgentCoreGatewayConfig", "properties", "GatewayArn"),
        "HarnessArn": pattern("Harness", "properties", "Arn"),
        "HarnessId": pattern("HarnessEndpoint", "properties", "HarnessId"),
        "Version": pattern("Harness", "properties", "Version"),
    }
    for output, regex in checks.items():
        assert re.fullmatch(regex, values[output]), (output, values[output], regex)
    assert values["GatewayId"].startswith("staging-eu-west-1-gw-fraud-agent-")
    assert values["Version"] == values["EndpointVersion"] == "1"


def test_a_harness_change_is_a_new_version_and_a_false_condition_exports_nothing(cfn):
    cfn.create_stack(StackName="agent", TemplateBody=json.dumps(template("v1")))
    assert "QueueUrl" not in outputs(cfn)
    assert "x-QueueUrl" not in {e["Name"] for e in cfn.list_exports()["Exports"]}
    before = outputs(cfn)
    cfn.update_stack(StackName="agent", TemplateBody=json.dumps(template("v2")))
    after = outputs(cfn)
    assert (after["Version"], after["HarnessArn"]) == ("2", before["HarnessArn"])  # same harness, next version
    cfn.update_stack(StackName="agent", TemplateBody=json.dumps(template("v2")))
    assert outputs(cfn)["Version"] == "2"  # an update that does not change the harness keeps its version
