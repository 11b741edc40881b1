"""The account budget: what every environment and template that StackSets place in one
account and region consume together of each account-level quota (awsfacts.account_quotas),
against AWS's default or the raise the account declared in quotas.yaml."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from ...awsfacts import account_quotas
from ...awsfacts.account_quotas import Quota
from ..findings import Finding
from .placements import Placement, Stack, is_function, stack

__all__ = ["Placement", "check", "consumption", "exports", "stack"]


Exports = Mapping[tuple[str, str, str], str]  # (account, region, export name) -> the VPC it names


def _reserved(properties: Mapping) -> int:
    value = properties.get("ReservedConcurrentExecutions")
    return int(value) if isinstance(value, int | str) and str(value).isdigit() else 0


def _one(properties: Mapping) -> int:
    return 1


def _interface_endpoint(properties: Mapping) -> int:
    # "a combined quota for interface endpoints and Gateway Load Balancer endpoints"; gateway
    # endpoints (the type's default) count per region under another quota
    return int(properties.get("VpcEndpointType") in ("Interface", "GatewayLoadBalancer"))


def _in_region(stack: Stack, properties: Mapping, exports: Exports) -> str:
    return ""


def _zone(stack: Stack, properties: Mapping, exports: Exports) -> str:
    """The Availability Zone of the resource's subnet: Fn::GetAZs lists an account's zones of a
    region in one order for every stack, so the n-th of the list is one zone across stacks."""
    subnet = properties.get("SubnetId")
    zone = stack.resource_properties(subnet["Ref"]).get("AvailabilityZone") if is_function(subnet, "Ref") else None
    if is_function(zone, "Fn::Select") and is_function(zone["Fn::Select"][1], "Fn::GetAZs"):
        return f"zone #{int(stack.resolve(zone['Fn::Select'][0])) + 1}"
    resolved = stack.resolve(zone)
    return resolved if isinstance(resolved, str) else "a zone known only at deploy"


def _vpc(stack: Stack, properties: Mapping, exports: Exports) -> str:
    """The VPC the resource is in: its own template's VPC, or the one another stack exports."""
    node = properties.get("VpcId")
    if is_function(node, "Ref"):
        return vpc_label(stack.placement, node["Ref"])
    if is_function(node, "Fn::ImportValue"):
        name = stack.resolve(node["Fn::ImportValue"])
        placement = stack.placement
        return exports.get((placement.account, placement.region, str(name)), f"the VPC exported as {name}")
    resolved = stack.resolve(node)
    return resolved if isinstance(resolved, str) else "a VPC known only at deploy"


def vpc_label(placement: Placement, logical_id: str) -> str:
    return f"VPC {placement.environment}/{placement.template}/{logical_id}"


def _referenced(stack: Stack, node, kind: str) -> str:
    """The resource ``node`` names (Ref or Fn::GetAtt of one of the stack's own), as ``kind env/template/id``."""
    logical_id = (
        node["Ref"] if is_function(node, "Ref") else node["Fn::GetAtt"][0] if is_function(node, "Fn::GetAtt") else None
    )
    if logical_id is None:
        resolved = stack.resolve(node)
        return f"{kind} {resolved}" if isinstance(resolved, str) else f"a {kind} known only at deploy"
    return f"{kind} {stack.placement.environment}/{stack.placement.template}/{logical_id}"


def _gateway(stack: Stack, properties: Mapping, exports: Exports) -> str:
    return _referenced(stack, properties.get("GatewayIdentifier"), "gateway")


def _gateway_target(stack: Stack, properties: Mapping, exports: Exports) -> str:
    return f"{_gateway(stack, properties, exports)} target {stack.resolve(properties.get('Name'))}"


def _harness(stack: Stack, properties: Mapping, exports: Exports) -> str:
    return _referenced(stack, properties.get("HarnessId"), "harness")


def _inline_tools(properties: Mapping) -> int:
    """The tools of a target's inline schema; a schema in S3 cannot be counted before deploy."""
    mcp = (properties.get("TargetConfiguration") or {}).get("Mcp") or {}
    schemas = [((target or {}).get("ToolSchema") or {}).get("InlinePayload") for target in mcp.values()]
    return sum(len(schema) for schema in schemas if isinstance(schema, list))


@dataclass(frozen=True)
class Consumer:
    quota: Quota
    count: Callable[[Mapping], int]  # resolved properties -> what one resource consumes
    where: Callable[[Stack, Mapping, Exports], str] = _in_region  # its properties -> its zone or VPC


CONSUMERS: dict[str, tuple[Consumer, ...]] = {
    "AWS::Lambda::Function": (Consumer(account_quotas.LAMBDA_CONCURRENCY, _reserved),),
    "AWS::EC2::EIP": (Consumer(account_quotas.ELASTIC_IPS, _one),),
    # every VPC comes with its default security group
    "AWS::EC2::VPC": (Consumer(account_quotas.VPCS, _one), Consumer(account_quotas.SECURITY_GROUPS, _one)),
    "AWS::EC2::InternetGateway": (Consumer(account_quotas.INTERNET_GATEWAYS, _one),),
    "AWS::EC2::NatGateway": (Consumer(account_quotas.NAT_GATEWAYS, _one, _zone),),
    "AWS::EC2::VPCEndpoint": (Consumer(account_quotas.INTERFACE_ENDPOINTS, _interface_endpoint, _vpc),),
    "AWS::EC2::SecurityGroup": (Consumer(account_quotas.SECURITY_GROUPS, _one),),
    "AWS::BedrockAgentCore::Gateway": (Consumer(account_quotas.AGENTCORE_GATEWAYS, _one),),
    "AWS::BedrockAgentCore::GatewayTarget": (
        Consumer(account_quotas.AGENTCORE_TARGETS, _one, _gateway),
        Consumer(account_quotas.AGENTCORE_TOOLS, _inline_tools, _gateway_target),
    ),
    "AWS::BedrockAgentCore::Harness": (Consumer(account_quotas.AGENTCORE_AGENTS, _one),),
    "AWS::BedrockAgentCore::HarnessEndpoint": (Consumer(account_quotas.AGENTCORE_ENDPOINTS, _one, _harness),),
}


def exports(stacks: Sequence[Stack]) -> dict[tuple[str, str, str], str]:
    """Every exported VPC id: (account, region, export name) -> the VPC."""
    found = {}
    for one in stacks:
        resources = one.template.get("Resources") or {}
        for output in (one.template.get("Outputs") or {}).values():
            value, name = output.get("Value"), (output.get("Export") or {}).get("Name")
            if (
                name is not None
                and is_function(value, "Ref")
                and (resources.get(value["Ref"]) or {}).get("Type") == "AWS::EC2::VPC"
            ):
                key = (one.placement.account, one.placement.region, str(one.resolve(name)))
                found[key] = vpc_label(one.placement, value["Ref"])
    return found


def consumption(one: Stack, exported: Exports) -> dict[tuple[str, str], int]:
    """(quota key, zone, VPC, gateway, target or harness, or "") -> what this stack instance consumes, with its Conditions."""
    used: dict[tuple[str, str], int] = {}
    for resource in (one.template.get("Resources") or {}).values():
        if not one.conditions.get(resource.get("Condition"), True):
            continue
        raw = resource.get("Properties") or {}
        for consumer in CONSUMERS.get(resource["Type"], ()):
            amount = consumer.count(one.resolve(raw))
            if amount:
                key = (consumer.quota.key, consumer.where(one, raw, exported))
                used[key] = used.get(key, 0) + amount
    return used


def check(
    templates: Mapping[str, dict],
    placements: Sequence[Placement],
    raised: Mapping[tuple[str, str, str], int],
) -> list[Finding]:
    """One finding per account, region and quota whose summed use exceeds its limit
    (``raised``: (account, region, quota key) -> the account's own limit)."""
    stacks = [stack(templates[placement.template], placement) for placement in placements]
    exported = exports(stacks)
    totals: dict[tuple[str, str, str, str], dict[str, int]] = {}
    for one in stacks:
        placement = one.placement
        for (code, where), amount in consumption(one, exported).items():
            users = totals.setdefault((placement.account, placement.region, code, where), {})
            who = f"{placement.environment}/{placement.template}"
            users[who] = users.get(who, 0) + amount
    findings = []
    for (account, region, code, where), users in sorted(totals.items()):
        quota = account_quotas.QUOTAS[code]
        limit = raised.get((account, region, code), quota.default) - quota.headroom
        used = sum(users.values())
        if used > limit:
            who = ", ".join(f"{name} {amount}" for name, amount in sorted(users.items()))
            findings.append(
                Finding(
                    "quotas.yaml",
                    "/".join(filter(None, (account, region, code, where))),
                    "ACCOUNT-BUDGET",
                    "error",
                    f"account {account}, {region}{f' ({where})' if where else ''}: {quota.label} used {used}, limit {limit} "
                    f"({quota.url}); used by {who}",
                    "gate",
                )
            )
    return findings
