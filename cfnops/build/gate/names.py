"""Physical-name collisions: two resources that would get the same name in one account.

A type's name comes from its registry schema: a primaryIdentifier made only of
properties we write (TableName, RoleName, the (LogGroupName, FilterName) pair of a
metric filter), or else a create-only ``Name`` / ``<Type>Name`` property (TopicName,
QueueName, a secret's Name). Names are resolved for every environment and region (one
account holds them all), with each template's Conditions; IAM names and S3 bucket
names are global, so they must differ across regions too. Nested stacks' names count:
a hosted rotation function's RotationLambdaName is a Lambda function's name.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from ...awsfacts import intrinsics, schemas
from ..findings import Finding

GLOBAL_NAMESPACES = ("AWS::IAM::", "AWS::S3::Bucket")  # IAM is global; bucket names are global across accounts
NESTED_NAMES = {  # (type, property path) -> the type whose name it is, in a nested stack
    ("AWS::SecretsManager::RotationSchedule", ("HostedRotationLambda", "RotationLambdaName")): "AWS::Lambda::Function",
}
ACCOUNT = "123456789012"
PARENT_SUFFIXES = ("Arn", "Id", "Name")


@cache
def name_properties(type_name: str) -> tuple[tuple[str, ...], ...]:
    """Property paths that together name a resource of this type ('' when none)."""
    if not schemas.is_known(type_name):
        return ()
    schema = schemas.schema(type_name)
    read_only = set(schema.get("readOnlyProperties", ()))
    identifier = schema.get("primaryIdentifier", ())
    if identifier and not read_only.intersection(identifier):
        return tuple((p.split("/")[-1],) for p in identifier)
    short = type_name.split("::")[-1]
    create_only = [p.split("/")[-1] for p in schema.get("createOnlyProperties", ()) if p.count("/") == 2]
    for prop in create_only:
        if prop.endswith("Name") and (prop == "Name" or short.endswith(prop[:-4])):
            # names are unique within their parent (a security group in its VPC, an index in its bucket)
            parents = [p for p in create_only if p != prop and p.endswith(PARENT_SUFFIXES)]
            return tuple((p,) for p in [prop, *parents])
    return ()


def _get(properties: Mapping, path: tuple[str, ...]):
    value = properties
    for key in path:
        if not isinstance(value, Mapping) or key not in value:
            return None
        value = value[key]
    return value


def _named(template: Mapping):
    """(logical id, namespace type, property paths) for every named resource."""
    for logical_id, resource in (template.get("Resources") or {}).items():
        type_name = resource["Type"]
        paths = name_properties(type_name)
        if paths:
            yield logical_id, resource, type_name, paths
        for (nested_type, path), namespace in NESTED_NAMES.items():
            if type_name == nested_type:
                yield logical_id, resource, namespace, (path,)


def _resolver(template_name: str, template: Mapping, environment: str, region: str):
    instance = f"{template_name}:{environment}:{region}"
    refs = {
        **intrinsics.parameter_values(template, {"Environment": environment}),
        "AWS::Region": region,
        "AWS::AccountId": ACCOUNT,
        "AWS::Partition": "aws",
        "AWS::StackName": f"StackSet-{template_name}-{environment}",
    }
    conditions = intrinsics.evaluate_conditions(template, refs)
    # a reference to a resource or an attribute is that resource's own, never shared
    unique = lambda node: f"<{instance}:{node}>"  # noqa: E731
    return intrinsics.Resolver(
        {**refs, **{k: f"<{instance}:{k}>" for k in template.get("Resources") or {}}}, conditions, unique
    ), conditions


def _occurrences(templates: Mapping[str, dict], scope):
    for template_name, template in templates.items():
        # the bootstrap stack is one per account and region, whatever the environment
        for environment in scope.environments[:1] if template_name == scope.bootstrap else scope.environments:
            for region in scope.regions:
                resolve, conditions = _resolver(template_name, template, environment, region)
                for logical_id, resource, namespace, paths in _named(template):
                    if not conditions.get(resource.get("Condition"), True):
                        continue
                    values = [_get(resource.get("Properties") or {}, path) for path in paths]
                    if any(v is None for v in values):
                        continue  # CloudFormation generates a unique name
                    name = tuple(str(resolve(v)) for v in values)
                    where = "" if namespace.startswith(GLOBAL_NAMESPACES) else region
                    yield (namespace, where, name), (template_name, logical_id, environment, region)


def _where(scope, place) -> str:
    template_name, logical_id, environment, region = place
    return f"{scope.display(template_name)} Resources/{logical_id} ({environment}, {region})"


def check(templates: Mapping[str, dict], scope) -> list[Finding]:
    """One finding per resource whose name another resource (or the same resource in
    another environment or region of a global namespace) already has."""
    first_place: dict[tuple, tuple] = {}
    findings: dict[tuple, Finding] = {}  # one per resource, for its first collision
    for key, place in _occurrences(templates, scope):
        first = first_place.setdefault(key, place)
        if first != place and place[:2] not in findings:
            namespace, _, name = key
            findings[place[:2]] = Finding(
                scope.display(place[0]),
                f"Resources/{place[1]}",
                "NAME-COLLISION",
                "error",
                f"{namespace} name {'/'.join(name)} in {place[2]}, {place[3]} is also the name of "
                f"{_where(scope, first)}",
                "gate",
            )
    return sorted(findings.values())
