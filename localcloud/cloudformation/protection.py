"""Stack termination protection, which moto stores but never enforces:

- UpdateTerminationProtection (moto has no such action) turns it on or off and answers the
  StackId;
- DeleteStack of a stack with it on is refused, ValidationError "Stack [<name>] cannot be
  deleted while TerminationProtection is enabled", and nothing is deleted (AWS CloudFormation
  User Guide, "Protect CloudFormation stacks from being deleted":
  https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-protect-stacks.html).
"""

from __future__ import annotations

from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.responses import CloudFormationResponse
from moto.core.responses import ActionResult

from ..core.registry import document, patch, replace
from ..core.values import flag
from .limits import _stack_states


def _stack(response: CloudFormationResponse):
    name = response._get_param("StackName")
    stacks = response.cloudformation_backend.describe_stacks(name)  # ValidationError when there is none
    return stacks[0]


def update_termination_protection(self: CloudFormationResponse) -> ActionResult:
    stack = _stack(self)
    stack.enable_termination_protection = flag(self._get_param("EnableTerminationProtection"))
    return ActionResult({"StackId": stack.stack_id})


def refuse_protected(backend, name_or_stack_id: str) -> None:
    for stack in backend.stacks.values():
        if name_or_stack_id in (stack.stack_id, stack.name) and stack.enable_termination_protection:
            raise ValidationError(
                message=f"Stack [{stack.name}] cannot be deleted while TerminationProtection is enabled"
            )


@patch(
    "termination protection is enforced: UpdateTerminationProtection exists, DeleteStack of a protected stack "
    "is refused",
    after=(_stack_states,),
)
def _termination_protection() -> None:
    from moto.cloudformation.models import CloudFormationBackend

    original = CloudFormationBackend.delete_stack

    def delete_stack(self, name_or_stack_id):
        refuse_protected(self, name_or_stack_id)
        return original(self, name_or_stack_id)

    replace(CloudFormationResponse, "update_termination_protection", update_termination_protection)
    replace(CloudFormationBackend, "delete_stack", delete_stack)


__doc__ = document(__doc__, __name__)
