"""AWS::SSM::Parameter takes its Tags as a map (the Template Reference: "Object of String"), unlike
most types; localcloud creates it with them (moto's handler expected a list and failed with a
Python message: the add-a-template rehearsal found it)."""

from __future__ import annotations

import json
import warnings

import boto3

import localcloud

localcloud.install()
from moto import mock_aws  # noqa: E402


def test_a_parameter_with_map_tags_is_created_tagged_and_updated():
    def template(value: str) -> str:
        properties = {"Name": "dev-flag", "Type": "String", "Value": value, "Tags": {"Owner": "ops", "Env": "dev"}}
        return json.dumps({"Resources": {"Flag": {"Type": "AWS::SSM::Parameter", "Properties": properties}}})

    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        cloudformation = boto3.client("cloudformation", region_name="us-east-1")
        ssm = boto3.client("ssm", region_name="us-east-1")
        cloudformation.create_stack(StackName="flags", TemplateBody=template("on"))
        assert cloudformation.describe_stacks(StackName="flags")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
        tags = ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId="dev-flag")["TagList"]
        assert sorted((t["Key"], t["Value"]) for t in tags) == [("Env", "dev"), ("Owner", "ops")]
        cloudformation.update_stack(StackName="flags", TemplateBody=template("off"))
        assert cloudformation.describe_stacks(StackName="flags")["Stacks"][0]["StackStatus"] == "UPDATE_COMPLETE"
        assert ssm.get_parameter(Name="dev-flag")["Parameter"]["Value"] == "off"
