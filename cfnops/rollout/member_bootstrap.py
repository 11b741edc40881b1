"""Bootstrap of an environment's member accounts (the organization layout): one SERVICE_MANAGED
StackSet, ``<bootstrap>-<env>``, in the deployment account, deploying the bootstrap template
(its ``AdministratorAccountId`` = the deployment account) to the environment's OUs in the role
region, with automatic deployment. StackSets itself creates the stack in every account of those
OUs, and in each account created in or moved into them later: cfnops makes no call into a
member account. The stack gives each member the environment's execution role, derived from the
templates and trusted only by the deployment account's administration role of that
environment; the workload StackSets then run SELF_MANAGED with it (docs/accounts.md).

Every call carries ``CallAs`` (SELF from the management account, DELEGATED_ADMIN from a
delegated administrator).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from botocore.exceptions import ClientError

from ..core.aws import error_code
from ..core.protocols import AwsFactory, Progress
from ..inputs import organization
from . import artifacts
from .operations import Outcome, Runner, WaitSettings

CAPABILITIES = ["CAPABILITY_NAMED_IAM"]
# An account that leaves the environment's OUs loses the environment's roles: its stack is deleted
RETAIN_ON_REMOVAL = False
PREFERENCES = {"RegionConcurrencyType": "PARALLEL", "FailureToleranceCount": 0, "MaxConcurrentPercentage": 100}


class _Quiet:
    """The progress of a run nobody watches."""

    def note(self, stackset: str, message: str) -> None:
        return None

    def started(self, stackset: str, operation_id: str, action: str) -> None:
        return None

    def instances(self, stackset: str, results) -> None:
        return None

    def finished(self, outcome) -> None:
        return None


QUIET = _Quiet()


class CallAs:
    """A CloudFormation client whose every call that takes ``CallAs`` (paginated ones too) gets it."""

    def __init__(self, client, call_as: str):
        self._client, self._call_as = client, call_as

    def _takes(self, method: str) -> bool:
        operation = self._client.meta.method_to_api_mapping.get(method)
        if operation is None:
            return False
        shape = self._client.meta.service_model.operation_model(operation).input_shape
        return shape is not None and "CallAs" in shape.members

    def __getattr__(self, name: str):
        attribute = getattr(self._client, name)
        if name == "get_paginator":
            return lambda method: _Paginator(attribute(method), self._call_as if self._takes(method) else None)
        if callable(attribute) and self._takes(name):
            return lambda **kwargs: attribute(CallAs=self._call_as, **kwargs)
        return attribute


class _Paginator:
    def __init__(self, paginator, call_as: str | None):
        self._paginator, self._call_as = paginator, call_as

    def paginate(self, **kwargs):
        return self._paginator.paginate(**({"CallAs": self._call_as} if self._call_as else {}), **kwargs)


@dataclass(frozen=True)
class MemberRequest:
    name: str  # the StackSet: <bootstrap template>-<environment>
    region: str  # the administrator region (the deployment account's artifacts bucket is there)
    role_region: str  # where the (global) roles are created: the only region the StackSet deploys to
    template_text: str
    parameters: dict[str, str]
    units: tuple[str, ...]
    bucket: str  # the deployment account's artifacts bucket in ``region``
    environment: str


def _template_url(aws: AwsFactory, request: MemberRequest) -> str:
    """The bootstrap template (over TemplateBody's limit) through the deployment account's bucket."""
    body = json.dumps(json.loads(request.template_text), separators=(",", ":"), sort_keys=True).encode()
    key = f"templates/{request.name}/{hashlib.sha256(body).hexdigest()}.json"
    return artifacts.upload(aws.client("s3", request.region), request.bucket, request.region, key, body)


def _parameters(values: dict[str, str]) -> list[dict]:
    return [{"ParameterKey": k, "ParameterValue": v} for k, v in sorted(values.items())]


def _describe(client, name: str) -> dict | None:
    try:
        return client.describe_stack_set(StackSetName=name)["StackSet"]
    except ClientError as error:
        if error_code(error) == "StackSetNotFoundException":
            return None
        raise


def _targeted_units(client, name: str) -> set[str]:
    found = set()
    for page in client.get_paginator("list_stack_instances").paginate(StackSetName=name):
        found |= {summary.get("OrganizationalUnitId") for summary in page["Summaries"]}
    return found - {None}


def create_arguments(request: MemberRequest, template_url: str) -> dict:
    return {
        "StackSetName": request.name,
        "Description": f"cfnops bootstrap of {request.environment}'s member accounts",
        "TemplateURL": template_url,
        "Parameters": _parameters(request.parameters),
        "Capabilities": CAPABILITIES,
        "PermissionModel": "SERVICE_MANAGED",
        "AutoDeployment": {"Enabled": True, "RetainStacksOnAccountRemoval": RETAIN_ON_REMOVAL},
        "ManagedExecution": {"Active": True},
        "Tags": [{"Key": "ManagedBy", "Value": "cfnops"}, {"Key": "Environment", "Value": request.environment}],
    }


def instances_arguments(request: MemberRequest, units) -> dict:
    return {
        "StackSetName": request.name,
        "DeploymentTargets": {"OrganizationalUnitIds": sorted(units)},
        "Regions": [request.role_region],
        "OperationPreferences": PREFERENCES,
    }


def deploy(
    aws: AwsFactory, layout: organization.Organization, request: MemberRequest, progress: Progress, wait: WaitSettings
) -> tuple[str, list[Outcome]]:
    """(what was done, the operations' outcomes): the StackSet created or updated, and instances
    in each OU not targeted yet. Nothing changed: no mutating call."""
    client = CallAs(aws.client("cloudformation", request.region), layout.call_as)
    runner, outcomes = Runner(client, progress, wait), []
    found = _describe(client, request.name)
    url = _template_url(aws, request)
    if found is None:
        client.create_stack_set(**create_arguments(request, url))
        done = "created"
    elif {
        p["ParameterKey"]: p.get("ParameterValue", "") for p in found.get("Parameters", [])
    } != request.parameters or (json.loads(found.get("TemplateBody") or "{}") != json.loads(request.template_text)):
        arguments = {k: v for k, v in create_arguments(request, url).items() if k != "Tags"}
        outcomes.append(
            runner.start(
                request.name, "UPDATE", lambda: client.update_stack_set(**arguments, OperationPreferences=PREFERENCES)
            )
        )
        done = "updated"
    else:
        done = "unchanged"
    missing = set(request.units) - (_targeted_units(client, request.name) if found else set())
    if missing:
        arguments = instances_arguments(request, missing)
        outcomes.append(runner.start(request.name, "CREATE", lambda: client.create_stack_instances(**arguments)))
        done += f"; {len(missing)} OU(s) added"
    return done, outcomes
