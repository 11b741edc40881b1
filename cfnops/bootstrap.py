"""Bootstrap: the StackSet roles and the artifacts bucket, as a plain stack per
administrator region (template ``stackset-roles``). Runs before the first rollout."""

from __future__ import annotations

from botocore.exceptions import ClientError, WaiterError

from .aws import error_code, error_message, translate_errors
from .errors import OperationFailedError
from .operations import WaitSettings

STACK_NAME = "cfnops-bootstrap"
TEMPLATE = "stackset-roles"


def _parameters(values: dict[str, str]) -> list[dict]:
    return [{"ParameterKey": k, "ParameterValue": v} for k, v in sorted(values.items())]


def _exists(client) -> bool:
    try:
        stacks = client.describe_stacks(StackName=STACK_NAME)["Stacks"]
    except ClientError as error:
        if error_code(error) == "ValidationError" and "does not exist" in error_message(error):
            return False
        raise
    return bool(stacks) and stacks[0]["StackStatus"] != "DELETE_COMPLETE"


def deploy_region(aws, region: str, template_text: str, values: dict[str, str], wait: WaitSettings) -> str:
    """Create or update the bootstrap stack in ``region``; 'created', 'updated' or 'unchanged'."""
    client = aws.client("cloudformation", region)
    arguments = dict(StackName=STACK_NAME, TemplateBody=template_text, Parameters=_parameters(values),
                     Capabilities=["CAPABILITY_NAMED_IAM"], Tags=[{"Key": "ManagedBy", "Value": "cfnops"}])
    with translate_errors():
        if _exists(client):
            try:
                client.update_stack(**arguments)
            except ClientError as error:
                if "No updates are to be performed" in error_message(error):
                    return "unchanged"
                raise
            waiter, done = client.get_waiter("stack_update_complete"), "updated"
        else:
            client.create_stack(**arguments, EnableTerminationProtection=True)
            waiter, done = client.get_waiter("stack_create_complete"), "created"
        delay = int(wait.first_poll)
        try:
            waiter.wait(StackName=STACK_NAME, WaiterConfig={"Delay": delay, "MaxAttempts": max(1, int(wait.timeout / max(delay, 1)))})
        except WaiterError as error:
            status = (error.last_response or {}).get("Stacks", [{}])[0].get("StackStatusReason", str(error))
            raise OperationFailedError(f"{STACK_NAME} in {region}: {status}") from None
    return done
