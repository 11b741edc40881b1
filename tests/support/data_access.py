"""Who may read or write a template's data resources (tables, buckets, streams, queues), as IAM
would decide: the rendered roles' policies (inline, attached managed, under their permissions
boundary) and the resources' own policies (bucket, queue, stream, table policies), resolved for
one environment and region and evaluated with cfnops.awsfacts.policy_eval."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from cfnops.awsfacts import intrinsics, policy_eval

ACCOUNT = "123456789012"


@dataclass(frozen=True)
class DataType:
    name_property: str
    arn: str  # format with region, account, name
    ref: str  # what Ref returns, formatted the same way
    reads: tuple[str, ...]
    writes: tuple[str, ...]
    objects: bool = False  # the actions are on ARN + "/<key>" (S3 objects)


DATA_TYPES = {
    "AWS::DynamoDB::Table": DataType(
        "TableName",
        "arn:aws:dynamodb:{region}:{account}:table/{name}",
        "{name}",
        ("dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:BatchGetItem"),
        ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"),
    ),
    "AWS::DynamoDB::GlobalTable": DataType(
        "TableName",
        "arn:aws:dynamodb:{region}:{account}:table/{name}",
        "{name}",
        ("dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:BatchGetItem"),
        ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"),
    ),
    "AWS::S3::Bucket": DataType(
        "BucketName", "arn:aws:s3:::{name}", "{name}", ("s3:GetObject",), ("s3:PutObject",), objects=True
    ),
    "AWS::Kinesis::Stream": DataType(
        "Name",
        "arn:aws:kinesis:{region}:{account}:stream/{name}",
        "{name}",
        ("kinesis:GetRecords", "kinesis:SubscribeToShard"),
        ("kinesis:PutRecord", "kinesis:PutRecords"),
    ),
    "AWS::SQS::Queue": DataType(
        "QueueName",
        "arn:aws:sqs:{region}:{account}:{name}",
        "https://sqs.{region}.amazonaws.com/{account}/{name}",
        ("sqs:ReceiveMessage",),
        ("sqs:SendMessage",),
    ),
}
RESOURCE_POLICIES = {  # type -> (property naming the resources it governs, its document)
    "AWS::S3::BucketPolicy": ("Bucket", "PolicyDocument"),
    "AWS::SQS::QueuePolicy": ("Queues", "PolicyDocument"),
    "AWS::Kinesis::ResourcePolicy": ("ResourceArn", "ResourcePolicy"),
}


@dataclass(frozen=True)
class Access:
    reads: tuple[str, ...]  # who may read: role logical ids, or "policy of <id>" for a resource policy
    writes: tuple[str, ...]


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


class Resolved:
    """A template resolved with its parameter values: data resources named, their ARNs known."""

    def __init__(self, template: Mapping, parameters: Mapping[str, str], region: str):
        self.template, self.region = template, region
        refs = {
            **intrinsics.parameter_values(template, parameters),
            "AWS::Region": region,
            "AWS::AccountId": ACCOUNT,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
        }
        self.conditions = intrinsics.evaluate_conditions(template, refs)
        plain = intrinsics.Resolver(refs, self.conditions, self._unknown, template.get("Mappings"))
        self.names = {
            logical_id: str(plain(resource.get("Properties", {}).get(DATA_TYPES[resource["Type"]].name_property)))
            if DATA_TYPES[resource["Type"]].name_property in resource.get("Properties", {})
            else f"{logical_id.lower()}-generated"
            for logical_id, resource in self.data_resources()
        }
        own = {logical_id: self._ref(logical_id) for logical_id in template.get("Resources", {})}
        self.resolve = intrinsics.Resolver({**refs, **own}, self.conditions, self._unknown, template.get("Mappings"))

    def present(self) -> Iterator[tuple[str, dict]]:
        for logical_id, resource in (self.template.get("Resources") or {}).items():
            if "Condition" not in resource or self.conditions.get(resource["Condition"], True):
                yield logical_id, resource

    def data_resources(self) -> Iterator[tuple[str, dict]]:
        return ((i, r) for i, r in self.present() if r["Type"] in DATA_TYPES)

    def _type(self, logical_id: str) -> DataType | None:
        resource = (self.template.get("Resources") or {}).get(logical_id)
        return DATA_TYPES.get(resource["Type"]) if resource else None

    def arn(self, logical_id: str) -> str:
        kind = self._type(logical_id)
        assert kind is not None
        return kind.arn.format(region=self.region, account=ACCOUNT, name=self.names[logical_id])

    def _ref(self, logical_id: str) -> str:
        kind = self._type(logical_id)
        if kind is None or logical_id not in getattr(self, "names", {}):
            return f"<{logical_id}>"
        return kind.ref.format(region=self.region, account=ACCOUNT, name=self.names[logical_id])

    def _unknown(self, node: dict) -> str:
        ((function, argument),) = node.items()
        if function == "Fn::GetAtt":
            logical_id, attribute = argument.split(".", 1) if isinstance(argument, str) else argument
            if attribute == "Arn" and logical_id in getattr(self, "names", {}):
                return self.arn(logical_id)
            return f"<{logical_id}.{attribute}>"
        return f"<{function}>"


def _documents(resolved: Resolved, boundary: dict | None) -> Iterator[tuple[str, list[dict], dict | None]]:
    """(role, its policy documents, its boundary) for every role of the template."""
    managed = {i: r for i, r in resolved.present() if r["Type"] == "AWS::IAM::ManagedPolicy"}
    standalone = [r for _, r in resolved.present() if r["Type"] == "AWS::IAM::Policy"]
    for logical_id, resource in resolved.present():
        if resource["Type"] != "AWS::IAM::Role":
            continue
        properties = resource["Properties"]
        documents = [p["PolicyDocument"] for p in properties.get("Policies", [])]
        attached = {arn.get("Ref") for arn in properties.get("ManagedPolicyArns", []) if isinstance(arn, dict)}
        for policy_id, policy in managed.items():
            roles = [r.get("Ref") for r in policy["Properties"].get("Roles", []) if isinstance(r, dict)]
            if policy_id in attached or logical_id in roles:
                documents.append(policy["Properties"]["PolicyDocument"])
        for policy in standalone:
            if {"Ref": logical_id} in policy["Properties"].get("Roles", []):
                documents.append(policy["Properties"]["PolicyDocument"])
        bounded = resolved.resolve(boundary) if boundary is not None and "PermissionsBoundary" in properties else None
        yield logical_id, [resolved.resolve(d) for d in documents], bounded


def _resource_policies(resolved: Resolved) -> Iterator[tuple[str, set[str], dict]]:
    """(policy, the ARNs or names it governs, its document)."""
    for logical_id, resource in resolved.present():
        if resource["Type"] in RESOURCE_POLICIES:
            target, document = RESOURCE_POLICIES[resource["Type"]]
            properties = resolved.resolve(resource["Properties"])
            yield f"policy {logical_id}", set(map(str, _as_list(properties[target]))), properties[document]
        elif resource["Type"] in ("AWS::DynamoDB::Table", "AWS::Kinesis::Stream"):
            document = (resource["Properties"].get("ResourcePolicy") or {}).get("PolicyDocument")
            if document:
                yield f"policy of {logical_id}", {resolved.arn(logical_id)}, resolved.resolve(document)


def _targets(resolved: Resolved, logical_id: str, documents: list[dict]) -> list[str]:
    """The ARNs to ask about: the resource, or for buckets each object ARN a policy names under it."""
    arn = resolved.arn(logical_id)
    kind = resolved._type(logical_id)
    if kind is None or not kind.objects:
        return [arn]
    named = {
        str(resource).replace("*", "x").replace("?", "x")
        for document in documents
        for statement in _as_list(document.get("Statement", []))
        for resource in _as_list(statement.get("Resource", []))
        if str(resource).startswith(arn + "/")
    }
    return sorted(named | {arn + "/x"})


def _who(roles, policies, actions: tuple[str, ...], targets: list[str], identities: set[str]) -> tuple[str, ...]:
    """The roles (under their boundary) and resource policies that allow one of ``actions``."""
    found = [
        role
        for role, documents, bound in roles
        if any(policy_eval.evaluate(documents, a, t, boundary=bound).allowed for a in actions for t in targets)
    ]
    found += [
        name
        for name, governed, document in policies
        if governed & identities
        and any(policy_eval.evaluate([document], a, t).allowed for a in actions for t in targets)
    ]
    return tuple(found)


def access(template: Mapping, parameters: Mapping[str, str], region: str, boundary: dict | None) -> dict[str, Access]:
    """Each data resource of the template -> who may read and who may write it."""
    resolved = Resolved(template, parameters, region)
    roles = list(_documents(resolved, boundary))
    policies = list(_resource_policies(resolved))
    documents = [d for _, docs, _ in roles for d in docs] + [d for _, _, d in policies]
    result = {}
    for logical_id, resource in resolved.data_resources():
        kind = DATA_TYPES[resource["Type"]]
        identities = {resolved.arn(logical_id), resolved._ref(logical_id), resolved.names[logical_id]}
        targets = _targets(resolved, logical_id, documents)
        result[logical_id] = Access(
            _who(roles, policies, kind.reads, targets, identities),
            _who(roles, policies, kind.writes, targets, identities),
        )
    return result
