"""Amazon Bedrock AgentCore resources from templates: the gateway, its targets, the harness
and its endpoint, created as placeholders (they hold their properties) whose Ref and GetAtt
answer in AWS's formats, so what reads them (a harness's GatewayArn, a target's
GatewayIdentifier, an endpoint's HarnessId) is checked against the same patterns as on AWS.

Why placeholders: moto 5.2.5 has bedrock-agentcore-control models for gateways and targets
but not from CloudFormation, none for harnesses, and the pinned botocore has no
bedrock-agentcore-control client to read any of them back; drift is NOT_CHECKED for them
(drift_coverage.CANNOT_READ). What AWS does inside them (the harness's agent loop, the
gateway's tool calls) cannot be rehearsed offline: the tools are tested by calling their
functions with the gateway's event shape (tests/unit/platform/test_fraud_agent_agentcore.py).

Formats, from the registry schemas (AWS::BedrockAgentCore::*): a gateway id is its
lower-case name, ``-`` and 10 characters; its ARN ``…:gateway/<id>``; a harness id is its
name, ``-`` and 10 characters, its ARN ``…:harness/<id>``; a harness's Version starts at 1 and
is "incremented on every successful update"; a target's Ref is its primary identifier,
GatewayIdentifier and TargetId joined by ``|``.
"""

from __future__ import annotations

import hashlib
from typing import Any

from .patches import Placeholder, add_model

GATEWAY = "AWS::BedrockAgentCore::Gateway"
TARGET = "AWS::BedrockAgentCore::GatewayTarget"
HARNESS = "AWS::BedrockAgentCore::Harness"
ENDPOINT = "AWS::BedrockAgentCore::HarnessEndpoint"


def _arn(region: str, account: str, kind: str, identifier: str) -> str:
    return f"arn:aws:bedrock-agentcore:{region}:{account}:{kind}/{identifier}"


class AgentCoreResource(Placeholder):
    """A placeholder whose identifiers follow AWS's formats (above)."""

    def __init__(self, resource_type: str, logical_id: str, generated_name: str, properties: dict, account, region):
        self.version = 0
        self._properties: dict = {}
        super().__init__(resource_type, logical_id, generated_name, properties, account, region)
        self.suffix = hashlib.sha256(f"{resource_type}/{logical_id}/{region}/{account}".encode()).hexdigest()[:10]
        self.physical_resource_id = self._identifier()

    @property  # type: ignore[override]
    def properties(self) -> dict:
        return self._properties

    @properties.setter
    def properties(self, value: dict) -> None:
        """Every change is a new version (in-place updates set the properties: inplace.py)."""
        if self.version == 0 or value != self._properties:
            self.version += 1
        self._properties = value

    def _identifier(self) -> str:
        p = self.properties
        if self.resource_type == GATEWAY:
            return f"{str(p.get('Name', self.logical_id)).lower()}-{self.suffix}"
        if self.resource_type == HARNESS:
            return _arn(self.region, self.account_id, "harness", self.harness_id)
        if self.resource_type == ENDPOINT:
            return _arn(
                self.region, self.account_id, "harness", f"{p.get('HarnessId')}/endpoint/{p.get('EndpointName')}"
            )
        return f"{p.get('GatewayIdentifier')}|{self.suffix.upper()}"

    @property
    def harness_id(self) -> str:
        return f"{self.properties.get('HarnessName', self.logical_id)}-{self.suffix}"

    @classmethod
    def update_from_cloudformation_json(
        cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name
    ):  # type: ignore[override]
        original_resource.properties = cloudformation_json.get("Properties", {})
        return original_resource

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        return _ATTRIBUTES[self.resource_type](self, attribute_name)


def _gateway(resource: AgentCoreResource, name: str) -> Any:
    identifier = resource.physical_resource_id
    return {
        "GatewayIdentifier": identifier,
        "GatewayArn": _arn(resource.region, resource.account_id, "gateway", identifier),
        "GatewayUrl": f"https://{identifier}.gateway.bedrock-agentcore.{resource.region}.amazonaws.com/mcp",
        "Status": "READY",
    }[name]


def _target(resource: AgentCoreResource, name: str) -> Any:
    gateway = resource.properties.get("GatewayIdentifier", "")
    return {
        "TargetId": resource.suffix.upper(),
        "GatewayArn": _arn(resource.region, resource.account_id, "gateway", gateway),
        "Status": "READY",
    }[name]


def _harness(resource: AgentCoreResource, name: str) -> Any:
    return {
        "Arn": resource.physical_resource_id,
        "HarnessId": resource.harness_id,
        "Version": str(resource.version),
        "Status": "READY",
    }[name]


def _endpoint(resource: AgentCoreResource, name: str) -> Any:
    p = resource.properties
    return {
        "Arn": resource.physical_resource_id,
        "HarnessName": str(p.get("HarnessId", "")).rsplit("-", 1)[0],
        "LiveVersion": p.get("TargetVersion", "1"),
        "Status": "READY",
    }[name]


_ATTRIBUTES = {GATEWAY: _gateway, TARGET: _target, HARNESS: _harness, ENDPOINT: _endpoint}


for _resource_type in _ATTRIBUTES:  # localcloud's own models, not a patch of moto
    add_model(_resource_type, AgentCoreResource)
