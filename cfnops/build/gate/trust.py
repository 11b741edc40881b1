"""Who the workload roles may be assumed by: IAM has no condition key that carries a new
role's trust policy, so an execution role that may create roles may also create one trusted
by anyone (only the boundary caps what that role can do). The gate refuses it before any
AWS call: every ``AssumeRolePolicyDocument`` of a workload template may allow only
``sts:AssumeRole``, only to AWS service principals, and only to the services the execution
roles may pass roles to (``iam:PassedToService`` in the bootstrap template's policies, which
IAM does enforce), or to this account itself (``arn:${AWS::Partition}:iam::${AWS::AccountId}:root``:
then this account's own IAM policies decide who may assume it). No other account, no role,
user, federated or ``*`` principal.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from ..findings import Finding

RULE = "TRUST"
ASSUME = "sts:AssumeRole"
SERVICE_SUFFIX = ".amazonaws.com"
THIS_ACCOUNT = {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def passed_to(bootstrap: Mapping) -> frozenset[str]:
    """The services the bootstrap's execution policies may pass roles to."""
    services: set[str] = set()
    for resource in (bootstrap.get("Resources") or {}).values():
        if resource.get("Type") != "AWS::IAM::ManagedPolicy":
            continue
        for statement in _as_list(resource["Properties"]["PolicyDocument"].get("Statement", [])):
            if "iam:PassRole" in _as_list(statement.get("Action", [])):
                for operator in (statement.get("Condition") or {}).values():
                    services.update(str(s) for s in _as_list(operator.get("iam:PassedToService", [])))
    return frozenset(services)


def _problems(statement: dict, services: frozenset[str]) -> Iterator[str]:
    if statement.get("Effect") != "Allow":
        return
    actions = _as_list(statement.get("Action", []))
    if "NotPrincipal" in statement or "NotAction" in statement:
        yield "NotPrincipal or NotAction trusts everyone else"
    for action in actions:
        if action != ASSUME:
            yield f"allows {action}: workload roles are assumed with {ASSUME} only"
    principal = statement.get("Principal")
    if isinstance(principal, dict) and set(principal) == {"AWS"} and _as_list(principal["AWS"]) == [THIS_ACCOUNT]:
        return
    if not isinstance(principal, dict) or set(principal) != {"Service"}:
        yield f"trusts {principal!r}: only this account or AWS services our templates pass roles to"
        return
    for service in _as_list(principal["Service"]):
        if not (isinstance(service, str) and service.endswith(SERVICE_SUFFIX) and service in services):
            yield f"trusts {service!r}, which the execution roles may not pass roles to ({', '.join(sorted(services))})"


def findings(workloads: Mapping[str, dict], bootstrap: Mapping, scope) -> list[Finding]:
    services = passed_to(bootstrap)
    found = []
    for name, template in workloads.items():
        for logical_id, resource in (template.get("Resources") or {}).items():
            if resource.get("Type") != "AWS::IAM::Role":
                continue
            document = (resource.get("Properties") or {}).get("AssumeRolePolicyDocument") or {}
            for index, statement in enumerate(_as_list(document.get("Statement", []))):
                for problem in _problems(statement, services):
                    path = f"Resources/{logical_id}/Properties/AssumeRolePolicyDocument/Statement/{index}"
                    found.append(Finding(scope.display(name), path, RULE, "error", problem, "gate"))
    return found
