"""What a set of rendered templates says about IAM: the services their roles trust and the
actions their own policies allow. Read by the execution-role derivation (PassRole's
services, the boundary's actions) and by the gate that checks it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping


def _resources(templates: Mapping[str, dict]) -> Iterator[dict]:
    for template in templates.values():
        yield from (template.get("Resources") or {}).values()


def _as_list(value) -> list:
    return [value] if isinstance(value, str) else list(value)


def trusted_services(templates: Mapping[str, dict]) -> tuple[str, ...]:
    """Every service principal a role of the templates trusts: where PassRole may hand roles."""
    services: set[str] = set()
    for resource in _resources(templates):
        if resource["Type"] == "AWS::IAM::Role":
            for statement in resource["Properties"]["AssumeRolePolicyDocument"].get("Statement", []):
                principal = statement.get("Principal")
                service = principal.get("Service", []) if isinstance(principal, dict) else []
                services.update(s for s in _as_list(service) if isinstance(s, str))
    return tuple(sorted(services))


def allowed_actions(templates: Mapping[str, dict]) -> tuple[str, ...]:
    """Every action an Allow in a role's inline or a managed policy's document names."""
    found = set()
    for resource in _resources(templates):
        properties = resource.get("Properties") or {}
        if resource["Type"] == "AWS::IAM::Role":
            documents = [p["PolicyDocument"] for p in properties.get("Policies", [])]
        elif resource["Type"] == "AWS::IAM::ManagedPolicy":
            documents = [properties["PolicyDocument"]]
        else:
            continue
        for document in documents:
            for statement in document["Statement"]:
                if statement.get("Effect") == "Allow":
                    found.update(_as_list(statement.get("Action", [])))
    return tuple(sorted(found))
