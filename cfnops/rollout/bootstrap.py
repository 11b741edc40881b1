"""Bootstrap: the StackSet roles and the artifacts bucket, as a plain stack per
administrator region (template ``stackset-roles``). Runs before the first rollout.

The stack has termination protection. A stack whose creation failed (ROLLBACK_COMPLETE,
ROLLBACK_FAILED, CREATE_FAILED), whose deletion failed (DELETE_FAILED) or whose update's
rollback failed (UPDATE_ROLLBACK_FAILED) can only be deleted, not updated: it is reported
with CloudFormation's reason (the first failed event of its last operation), and with
``recreate`` its termination protection is lifted for that delete only, it is deleted, and
it is created again (with protection).

What a deleted stack kept (its buckets with fixed names, the trail's locked one included, and
their keys) a creation takes back first (``adopt``: an IMPORT change set of those alone), so
bootstrap after the stack is gone, by hand or by ``recreate``, converges instead of failing on
"already exists".

A template over TemplateBody's limit is staged (``bootstrap_seed``): a first creation sends
the artifacts bucket alone, then the whole template is written to that bucket and the stack
updated from it, its TemplateURL naming the object version just written.

Who may use the artifacts bucket is a parameter of the template (``writers_parameter``):
bootstrap puts its own caller first (as ``aws:PrincipalArn`` sees it), then the principals
the parameter files give, so the one who bootstraps can always stage and deploy.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from botocore.exceptions import ClientError, WaiterError

from ..awsfacts import cfn_limits, principal_arns, resource_import
from ..awsfacts import statuses as aws_status
from ..build import bootstrap_seed
from ..core.aws import ACCESS_ERRORS, describe, error_code, error_message, translate_errors
from ..core.errors import OperationFailedError
from ..core.protocols import AwsFactory, CloudFormationClient
from . import adopt, artifacts
from .operations import WaitSettings

STACK_NAME = "cfnops-bootstrap"
Stack = aws_status.Stack
# a stack in these states can only be deleted (UPDATE_ROLLBACK_FAILED: or its rollback continued by hand)
FAILED = (
    Stack.ROLLBACK_COMPLETE,
    Stack.ROLLBACK_FAILED,
    Stack.CREATE_FAILED,
    Stack.DELETE_FAILED,
    Stack.UPDATE_ROLLBACK_FAILED,
)
STARTS = (Stack.CREATE_IN_PROGRESS, Stack.UPDATE_IN_PROGRESS, Stack.DELETE_IN_PROGRESS, Stack.IMPORT_IN_PROGRESS)


@dataclass(frozen=True)
class Request:
    region: str
    template_text: str
    values: dict[str, str]
    wait: WaitSettings
    environment: str
    recreate: bool = False
    artifacts_bucket: str = ""  # this account's and region's bucket: where a large template is staged
    bucket_pattern: str = ""  # the platform's artifacts bucket name, {account} and {region} to fill
    writers_parameter: str = ""  # the template's list of who may use that bucket (Platform.artifacts_writers)
    account: str = ""  # whose kept buckets a creation adopts (adopt.py); "" looks for none

    @property
    def retry_hint(self) -> str:
        return f"run `make bootstrap ENV={self.environment} RECREATE=1` to delete it and create it again"


def _parameters(values: dict[str, str]) -> list[dict]:
    return [{"ParameterKey": k, "ParameterValue": v} for k, v in sorted(values.items())]


def with_writers(values: dict[str, str], parameter: str, caller_arn: str) -> dict[str, str]:
    """``values`` with ``parameter`` listing the caller's aws:PrincipalArn patterns, then those given."""
    given = [item.strip() for item in values.get(parameter, "").split(",") if item.strip()]
    return {**values, parameter: ",".join(dict.fromkeys([*principal_arns.patterns(caller_arn), *given]))}


def _values(aws: AwsFactory, request: Request) -> dict[str, str]:
    if not request.writers_parameter:
        return request.values
    return with_writers(request.values, request.writers_parameter, aws.caller_arn(request.region))


def find_stack(client: CloudFormationClient) -> dict | None:
    """The bootstrap stack (DescribeStacks), or None when there is none."""
    try:
        stacks = client.describe_stacks(StackName=STACK_NAME)["Stacks"]
    except ClientError as error:
        if error_code(error) == "ValidationError" and "does not exist" in error_message(error):
            return None
        raise
    return stacks[0] if stacks and stacks[0]["StackStatus"] != Stack.DELETE_COMPLETE else None


def stack_status(client: CloudFormationClient) -> str | None:
    stack = find_stack(client)
    return stack["StackStatus"] if stack else None


def first_failure(client: CloudFormationClient, stack_id: str) -> str:
    """'<logical id>: <reason>' of the first *_FAILED event of the stack's last operation."""
    earliest = None
    for event in _last_operation_events(client, stack_id):
        if event.get("ResourceStatus", "").endswith("_FAILED"):
            earliest = event
    return _describe(earliest) if earliest else "CloudFormation recorded no failed event"


def _last_operation_events(client: CloudFormationClient, stack_id: str):
    """DescribeStackEvents (newest first) back to the start of the stack's last operation."""
    for page in client.get_paginator("describe_stack_events").paginate(StackName=stack_id):
        for event in page["StackEvents"]:
            yield event
            if event.get("LogicalResourceId") == STACK_NAME and event.get("ResourceStatus") in STARTS:
                return


def _describe(event: dict) -> str:
    return f"{event.get('LogicalResourceId', '?')}: {event.get('ResourceStatusReason') or 'no reason given'}"


def _waiting(request: Request) -> dict:
    delay = int(request.wait.first_poll)
    return {"Delay": delay, "MaxAttempts": max(1, int(request.wait.timeout / max(delay, 1)))}


def _wait(client: CloudFormationClient, waiter: str, stack_id: str, request: Request, doing: str) -> None:
    try:
        client.get_waiter(waiter).wait(StackName=stack_id, WaiterConfig=_waiting(request))
    except WaiterError as error:
        status = ((error.last_response or {}).get("Stacks") or [{}])[0].get("StackStatus", "not finished")
        hint = f"; fix the cause, then {request.retry_hint}" if status in FAILED else ""
        raise OperationFailedError(
            f"{STACK_NAME} in {request.region}: {doing} failed ({status}): {first_failure(client, stack_id)}{hint}"
        ) from None


def _create(client: CloudFormationClient, arguments: dict, request: Request) -> None:
    stack_id = client.create_stack(**arguments, EnableTerminationProtection=True)["StackId"]
    _wait(client, "stack_create_complete", stack_id, request, "creation")


def _delete(client: CloudFormationClient, stack_id: str, request: Request) -> None:
    client.update_termination_protection(StackName=stack_id, EnableTerminationProtection=False)
    client.delete_stack(StackName=stack_id)
    _wait(client, "stack_delete_complete", stack_id, request, "deletion")


def _update(client: CloudFormationClient, arguments: dict, stack_id: str, request: Request) -> str:
    try:
        client.update_stack(**arguments)
    except ClientError as error:
        if "No updates are to be performed" in error_message(error):
            return "unchanged"
        raise
    _wait(client, "stack_update_complete", stack_id, request, "update")
    return "updated"


def _first_body(request: Request) -> tuple[str, str | None]:
    """(the TemplateBody a creation sends, the whole compact template when that is only the seed)."""
    if request.bucket_pattern and request.artifacts_bucket:
        return bootstrap_seed.body_or_seed(request.template_text, request.bucket_pattern)
    return cfn_limits.body_for(request.template_text) or cfn_limits.compact(request.template_text), None


def _staged_url(aws: AwsFactory, request: Request, whole: str) -> str:
    """Write the whole template to the artifacts bucket: its URL, pinned to the version written."""
    key = bootstrap_seed.object_key(whole)
    return artifacts.upload(
        aws.client("s3", request.region), request.artifacts_bucket, request.region, key, whole.encode()
    )


def _apply(aws: AwsFactory, client: CloudFormationClient, request: Request) -> str:
    body, whole = _first_body(request)
    arguments = dict(
        StackName=STACK_NAME,
        TemplateBody=body,
        Parameters=_parameters(_values(aws, request)),
        Capabilities=["CAPABILITY_NAMED_IAM"],
        Tags=[{"Key": "ManagedBy", "Value": "cfnops"}],
    )
    stack = find_stack(client)
    if stack is not None and stack["StackStatus"] not in FAILED:
        if whole is None:
            return _update(client, arguments, stack["StackId"], request)
        return _update_from_bucket(aws, client, request, arguments, whole, stack["StackId"])
    if stack is not None and not request.recreate:
        raise OperationFailedError(
            f"{STACK_NAME} in {request.region} is {stack['StackStatus']}: "
            f"{first_failure(client, stack['StackId'])}; {request.retry_hint}"
        )
    if stack is not None:
        _delete(client, stack["StackId"], request)
    adoption = (
        adopt.plan(
            request.template_text, request.values, request.account, request.region, aws.client("s3", request.region)
        )
        if request.account
        else None
    )
    if adoption is None:
        _create(client, arguments, request)
    else:
        _import(client, arguments, adoption, request)
        _update(client, {**arguments, "TemplateBody": _with_adopted(body, adoption)}, STACK_NAME, request)
    if whole is not None:
        _update_from_bucket(aws, client, request, arguments, whole, STACK_NAME)
    return "created" if stack is None else "recreated"


def _with_adopted(body: str, adoption: adopt.Adoption) -> str:
    """The first body (the whole template, or the seed) with the resources just imported."""
    first = json.loads(body)
    resources = {**adoption.template["Resources"], **first.get("Resources", {})}
    return cfn_limits.compact(json.dumps({**first, "Resources": resources}))


def _import(client: CloudFormationClient, arguments: dict, adoption: adopt.Adoption, request: Request) -> None:
    """A new stack of what a deleted one kept (a change set of type IMPORT), then protected."""
    change_set = client.create_change_set(
        StackName=STACK_NAME,
        ChangeSetName="cfnops-adopt-kept",
        ChangeSetType=resource_import.CHANGE_SET_TYPE,
        TemplateBody=cfn_limits.compact(json.dumps(adoption.template)),
        ResourcesToImport=adoption.resources,
        **{k: v for k, v in arguments.items() if k in ("Parameters", "Capabilities", "Tags")},
    )
    try:
        client.get_waiter("change_set_create_complete").wait(
            ChangeSetName=change_set["Id"], WaiterConfig=_waiting(request)
        )
    except WaiterError:
        reason = client.describe_change_set(ChangeSetName=change_set["Id"]).get("StatusReason", "no reason given")
        raise OperationFailedError(
            f"{STACK_NAME} in {request.region}: importing what a deleted stack kept "
            f"({', '.join(adoption.logical_ids)}) failed: {reason}"
        ) from None
    client.execute_change_set(ChangeSetName=change_set["Id"])
    _wait(client, "stack_import_complete", change_set["StackId"], request, "import of what a deleted stack kept")
    client.update_termination_protection(StackName=STACK_NAME, EnableTerminationProtection=True)


def _update_from_bucket(
    aws: AwsFactory, client: CloudFormationClient, request: Request, arguments: dict, whole: str, stack_id: str
) -> str:
    staged = {k: v for k, v in arguments.items() if k != "TemplateBody"}
    return _update(client, {**staged, "TemplateURL": _staged_url(aws, request, whole)}, stack_id, request)


def deploy_region(aws: AwsFactory, request: Request) -> str:
    """Create, update or (``recreate``, from a failed state) re-create the bootstrap stack in
    the request's region: 'created', 'updated', 'unchanged' or 'recreated'."""
    client = aws.client("cloudformation", request.region)
    with translate_errors():
        try:
            return _apply(aws, client, request)
        except ClientError as error:
            if error_code(error) in ACCESS_ERRORS:
                raise
            raise OperationFailedError(f"{STACK_NAME} in {request.region}: {describe(error)}") from None
