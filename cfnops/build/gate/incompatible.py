"""What AWS documents as refused together (awsfacts.incompatibilities), checked on every
template resolved for each environment and region a StackSet puts it in (its Conditions
and parameter values there), one finding per resource, environment and region."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence

from ...awsfacts import incompatibilities as facts
from ...awsfacts.incompatibilities import Incompatibility
from ..findings import Finding
from .placements import Placement, Stack, is_function, stack


def _resources(one: Stack, kind: str) -> Iterator[tuple[str, Mapping, Mapping]]:
    """(logical id, raw properties, resolved properties) of each ``kind`` resource that exists here."""
    for name, resource in (one.template.get("Resources") or {}).items():
        if resource["Type"] == kind and one.conditions.get(resource.get("Condition"), True):
            raw = resource.get("Properties") or {}
            yield name, raw, one.resolve(raw)


def _referenced(node) -> str | None:
    """The logical id a Ref or Fn::GetAtt names."""
    if is_function(node, "Ref"):
        return str(node["Ref"])
    if is_function(node, "Fn::GetAtt"):
        target = node["Fn::GetAtt"]
        return str(target[0] if isinstance(target, list) else str(target).split(".")[0])
    return None


def _global_database_managed_password(one: Stack) -> Iterator[tuple[str, str]]:
    """A cluster with ManageMasterUserPassword that a global cluster is made from, or that
    joins one (GlobalClusterIdentifier)."""
    sources = {
        _referenced(raw.get("SourceDBClusterIdentifier")) for _, raw, _ in _resources(one, "AWS::RDS::GlobalCluster")
    }
    for name, _, resolved in _resources(one, "AWS::RDS::DBCluster"):
        if resolved.get("ManageMasterUserPassword") not in (True, "true"):
            continue
        if name in sources:
            yield name, "is the source of a global cluster and has ManageMasterUserPassword"
        elif resolved.get("GlobalClusterIdentifier"):
            yield name, "joins a global cluster and has ManageMasterUserPassword"


def _global_table_stream(one: Stack) -> Iterator[tuple[str, str]]:
    for name, _, resolved in _resources(one, "AWS::DynamoDB::GlobalTable"):
        replicas = resolved.get("Replicas") or []
        if len(replicas) > 1 and not (resolved.get("StreamSpecification") or {}).get("StreamViewType"):
            yield name, f"has {len(replicas)} replicas and no StreamSpecification"


def _object_lock_enabled(one: Stack) -> Iterator[tuple[str, str]]:
    for name, _, resolved in _resources(one, "AWS::S3::Bucket"):
        if resolved.get("ObjectLockConfiguration") and resolved.get("ObjectLockEnabled") not in (True, "true"):
            yield name, "has an ObjectLockConfiguration without ObjectLockEnabled"


def _waf_cloudfront_scope(one: Stack) -> Iterator[tuple[str, str]]:
    for name, _, resolved in _resources(one, "AWS::WAFv2::WebACL"):
        if resolved.get("Scope") == "CLOUDFRONT" and one.placement.region != facts.WAF_CLOUDFRONT_REGION:
            yield name, f"has Scope CLOUDFRONT in {one.placement.region}"


RULES: dict[Incompatibility, Callable[[Stack], Iterator[tuple[str, str]]]] = {
    facts.GLOBAL_DATABASE_MANAGED_PASSWORD: _global_database_managed_password,
    facts.GLOBAL_TABLE_STREAM: _global_table_stream,
    facts.OBJECT_LOCK_ENABLED: _object_lock_enabled,
    facts.WAF_CLOUDFRONT_SCOPE: _waf_cloudfront_scope,
}


def check(
    templates: Mapping[str, dict], placements: Sequence[Placement], display: Callable[[str], str]
) -> list[Finding]:
    findings = set()
    for placement in placements:
        one = stack(templates[placement.template], placement)
        for fact, rule in RULES.items():
            for name, what in rule(one):
                findings.add(
                    Finding(
                        display(placement.template),
                        f"Resources/{name}",
                        fact.rule,
                        "error",
                        f'{placement.environment}, {placement.region}: {name} {what}; AWS: "{fact.sentence}" ({fact.url})',
                        "gate",
                    )
                )
    return sorted(findings)
