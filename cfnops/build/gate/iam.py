"""IAM in the rendered templates, as IAM itself would judge it.

- limits: all inline policies of a role <= 10,240 characters, a managed policy <= 6,144,
  a trust policy <= 2,048, at most 10 managed policies per role, names <= 64 / 128;
  measured without whitespace and with deploy-time values at their longest;
- every action in every policy document is one IAM's catalogue knows;
- the execution role (bootstrap template) allows every handler permission of every
  resource type the workloads use, and may create each workload role and policy
  exactly as written: a role without the workload boundary, or named outside our
  pattern, is refused here as IAM would refuse it mid-rollout.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from ...awsfacts import iam_catalog, iam_limits, intrinsics, policy_eval, service_linked_roles, template_iam
from ...awsfacts.execution_actions import UnsupportedTemplate, derive
from ..findings import Finding
from . import trust

ACCOUNT = "123456789012"
BOUNDARY_KEY = "iam:PermissionsBoundary"


def _finding(scope, template: str, path: str, rule: str, message: str) -> Finding:
    return Finding(scope.display(template), path, rule, "error", message, "gate")


def _sizing(template: Mapping) -> intrinsics.Resolver:
    values = intrinsics.parameter_values(template, {})
    longest = {
        name: max(map(str, p.get("AllowedValues", [values.get(name, "")])), key=len)
        for name, p in (template.get("Parameters") or {}).items()
    }
    return intrinsics.Resolver({**longest, **iam_limits.LONGEST_PSEUDO_PARAMETERS})


def _resources(template: Mapping, type_name: str) -> Iterator[tuple[str, dict]]:
    for logical_id, resource in (template.get("Resources") or {}).items():
        if resource["Type"] == type_name:
            yield logical_id, resource.get("Properties") or {}


def _attached(template: Mapping, role_id: str) -> list[str]:
    """Managed policies of the template that attach themselves to the role."""
    return [
        logical_id
        for logical_id, props in _resources(template, "AWS::IAM::ManagedPolicy")
        if {"Ref": role_id} in props.get("Roles", [])
    ]


def limit_findings(name: str, template: Mapping, scope) -> list[Finding]:
    resolve, found = _sizing(template), []

    def over(path: str, what: str, size: int, limit: int) -> None:
        if size > limit:
            found.append(
                _finding(scope, name, path, "IAM-LIMIT", f"{what} is {size:,} characters; IAM allows {limit:,}")
            )

    for role_id, props in _resources(template, "AWS::IAM::Role"):
        path = f"Resources/{role_id}"
        inline = sum(iam_limits.policy_size(resolve(p["PolicyDocument"])) for p in props.get("Policies", []))
        over(path, "the role's inline policies together", inline, iam_limits.INLINE_POLICIES_PER_ROLE)
        over(
            path,
            "the trust policy",
            iam_limits.policy_size(resolve(props["AssumeRolePolicyDocument"])),
            iam_limits.TRUST_POLICY,
        )
        over(path, "RoleName", len(str(resolve(props.get("RoleName", "")))), iam_limits.ROLE_NAME)
        managed = len(props.get("ManagedPolicyArns", [])) + len(_attached(template, role_id))
        if managed > iam_limits.MANAGED_POLICIES_PER_ROLE:
            found.append(
                _finding(
                    scope,
                    name,
                    path,
                    "IAM-LIMIT",
                    f"{managed} managed policies attached; IAM allows {iam_limits.MANAGED_POLICIES_PER_ROLE} per role",
                )
            )
    for policy_id, props in _resources(template, "AWS::IAM::ManagedPolicy"):
        path = f"Resources/{policy_id}"
        over(
            path,
            "the managed policy",
            iam_limits.policy_size(resolve(props["PolicyDocument"])),
            iam_limits.MANAGED_POLICY,
        )
        over(path, "ManagedPolicyName", len(str(resolve(props.get("ManagedPolicyName", "")))), iam_limits.POLICY_NAME)
    return found


def _statements(value, path: str) -> Iterator[tuple[str, dict]]:
    """Every policy statement anywhere in a resource's properties."""
    if isinstance(value, Mapping):
        statements = value.get("Statement")
        if isinstance(statements, list) and "Version" in value:
            for index, statement in enumerate(statements):
                yield f"{path}/Statement/{index}", statement
            return
        for key, item in value.items():
            yield from _statements(item, f"{path}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _statements(item, f"{path}/{index}")


def action_findings(name: str, template: Mapping, scope) -> list[Finding]:
    found = []
    for logical_id, resource in (template.get("Resources") or {}).items():
        for path, statement in _statements(resource.get("Properties") or {}, f"Resources/{logical_id}/Properties"):
            actions = statement.get("Action", statement.get("NotAction", []))
            for action in [actions] if isinstance(actions, str) else actions:
                if not isinstance(action, str) or action == "*":
                    continue
                known = iam_catalog.expand(action) if "*" in action else iam_catalog.is_known(action)
                if not known:
                    found.append(
                        _finding(
                            scope,
                            name,
                            path,
                            "IAM-ACTION",
                            f"{action} is not an action IAM knows (catalogue {iam_catalog.version()})",
                        )
                    )
    return found


def execution_role_id(bootstrap: Mapping, role_name: str) -> str | None:
    """The logical id of the bootstrap role named ``role_name``."""
    return next(
        (
            logical_id
            for logical_id, props in _resources(bootstrap, "AWS::IAM::Role")
            if props.get("RoleName") == role_name
        ),
        None,
    )


def execution_documents(bootstrap: Mapping, role_name: str) -> tuple[list[dict], intrinsics.Resolver]:
    """The named role's policies (inline and attached), resolved for a sample account, with
    IAM's policy variables bound to the role's own tags (``${aws:PrincipalTag/Environment}``)."""
    refs = {
        **intrinsics.parameter_values(bootstrap, {}),
        "AWS::AccountId": ACCOUNT,
        "AWS::Partition": "aws",
        "AWS::Region": "us-east-1",
    }
    resolve = intrinsics.Resolver(refs, intrinsics.evaluate_conditions(bootstrap, refs))
    role_id = execution_role_id(bootstrap, role_name)
    if role_id is None:
        return [], resolve
    resources = bootstrap.get("Resources") or {}
    props = resources[role_id].get("Properties") or {}
    documents = [p["PolicyDocument"] for p in props.get("Policies", [])]
    documents += [resources[p]["Properties"]["PolicyDocument"] for p in _attached(bootstrap, role_id)]
    tags = {tag["Key"]: str(resolve(tag["Value"])) for tag in props.get("Tags", [])}
    return policy_eval.bind([resolve(d) for d in documents], policy_eval.principal_variables(tags)), resolve


def coverage_findings(workloads: Mapping[str, dict], bootstrap_name: str, bootstrap: Mapping, scope) -> list[Finding]:
    try:
        derivation = derive(workloads.values())
        linked = service_linked_roles.services(derivation, workloads)
    except (UnsupportedTemplate, service_linked_roles.UnknownServiceLinkedRole) as error:
        return [_finding(scope, bootstrap_name, "Resources", "EXEC-ROLE", str(error))]
    found = []
    for environment in scope.environments:
        role_name = scope.execution_role(environment)
        documents, _ = execution_documents(bootstrap, role_name)
        if not documents:
            found.append(
                _finding(scope, bootstrap_name, "Resources", "EXEC-ROLE", f"no role {role_name} for {environment}")
            )
            continue
        context = {
            BOUNDARY_KEY: _boundaries(workloads, environment, scope.regions[0]),
            "iam:PassedToService": list(template_iam.trusted_services(workloads)),
            "iam:AWSServiceName": list(linked),
            "aws:ResourceTag/Environment": environment,  # resources of ids (keys) carry their environment's tag
            "lambda:FunctionArn": f"arn:aws:lambda:{scope.regions[0]}:{ACCOUNT}:function:{environment}-function",
        }
        found += _covering_findings(derivation.needs, documents, context, bootstrap_name, role_name, scope)
        found += _creatable_findings(workloads, documents, scope, environment)
    return sorted(set(found))


def _resolver(template: Mapping, environment: str, region: str) -> intrinsics.Resolver:
    refs = {
        **intrinsics.parameter_values(template, {"Environment": environment}),
        "AWS::AccountId": ACCOUNT,
        "AWS::Partition": "aws",
        "AWS::Region": region,
    }
    return intrinsics.Resolver(refs, intrinsics.evaluate_conditions(template, refs))


def _boundaries(workloads: Mapping[str, dict], environment: str, region: str) -> list[str]:
    """The permissions boundaries the environment's workload roles carry (whether the execution
    role may give them is _creatable_findings' question)."""
    found = set()
    for template in workloads.values():
        resolve = _resolver(template, environment, region)
        for _, props in _resources(template, "AWS::IAM::Role"):
            if "PermissionsBoundary" in props:
                found.add(str(resolve(props["PermissionsBoundary"])))
    return sorted(found)


def _covering_findings(needs, documents, context: dict, bootstrap_name: str, role_name: str, scope) -> list[Finding]:
    """Every handler permission allowed on some resource, in a request of the environment."""
    found = []
    for need in needs:  # an explicit Deny is a decision (a role keeps its boundary); only gaps are findings
        if policy_eval.evaluate(documents, need.action, None, context).reason == "implicitly denied":
            types = ", ".join(sorted({f"{t} {h}" for t, h in need.sources}))
            found.append(
                _finding(
                    scope,
                    bootstrap_name,
                    "Resources",
                    "EXEC-ROLE",
                    f"{role_name} does not allow {need.action}, which CloudFormation needs for {types}",
                )
            )
    return found


def _creatable_findings(workloads: Mapping[str, dict], documents: list[dict], scope, environment: str) -> list[Finding]:
    """Each workload role and managed policy, created as written in the environment by its execution role."""
    found = []
    for name, template in workloads.items():
        resolve = _resolver(template, environment, scope.regions[0])
        for kind, type_name, name_key, action in (
            ("role", "AWS::IAM::Role", "RoleName", "iam:CreateRole"),
            ("policy", "AWS::IAM::ManagedPolicy", "ManagedPolicyName", "iam:CreatePolicy"),
        ):
            for logical_id, props in _resources(template, type_name):
                generated = (
                    f"StackSet-{name}-{environment}-{logical_id}-GENERATED"  # CloudFormation's name when none is given
                )
                arn = f"arn:aws:iam::{ACCOUNT}:{kind}/{resolve(props.get(name_key, generated))}"
                context = (
                    {BOUNDARY_KEY: resolve(props["PermissionsBoundary"])} if "PermissionsBoundary" in props else {}
                )
                decision = policy_eval.evaluate(documents, action, arn, context)
                if not decision.allowed:
                    found.append(
                        _finding(
                            scope,
                            name,
                            f"Resources/{logical_id}",
                            "EXEC-ROLE",
                            f"{environment}'s execution role may not {action} {arn} ({decision.reason}): "
                            f"{kind}s need our name pattern"
                            + (f" and {environment}'s workload permissions boundary" if kind == "role" else ""),
                        )
                    )
    return sorted(set(found))


def check(templates: Mapping[str, dict], scope) -> list[Finding]:
    found = []
    for name, template in templates.items():
        found += limit_findings(name, template, scope) + action_findings(name, template, scope)
    if scope.bootstrap in templates:
        workloads = {n: t for n, t in templates.items() if n != scope.bootstrap}
        found += coverage_findings(workloads, scope.bootstrap, templates[scope.bootstrap], scope)
        found += trust.findings(workloads, templates[scope.bootstrap], scope)
    return found
