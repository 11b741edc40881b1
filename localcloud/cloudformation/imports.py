"""Resource import into a new stack (CreateChangeSet with ChangeSetType IMPORT), which moto
lacks (it would create the resources again), as cfnops/awsfacts/resource_import.py says AWS
does it:

- the change set names each resource to import (type, logical id, identifier: the type's
  primary identifier property and the resource's actual value); the template holds those
  resources and no other (a new stack: nothing to create), each with a DeletionPolicy; the
  resource must exist and belong to no other stack of the Region. Anything else is refused
  with ValidationError, nothing made (localcloud's wording, AWS's rules);
- executing it binds the existing resources to the new stack, which goes REVIEW_IN_PROGRESS
  → IMPORT_IN_PROGRESS → IMPORT_COMPLETE; a later update or deletion treats them like
  resources the stack created (a physical name they hold is theirs);
- imported into an existing stack is not modelled (refused, said so).

The types importable offline are the ones the platform's bootstrap keeps: S3 buckets and
KMS keys (LOOKUPS).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.responses import CloudFormationResponse

from cfnops.awsfacts import resource_import, statuses

from ..core.backends import backend as _backend
from ..core.registry import document, patch, replace
from .limits import NAME_PROPERTIES, Names, _templates

Stack = statuses.Stack

# type -> (account, region, identifier value) -> the service's model, or None
LOOKUPS: dict[str, Callable[[str, str, str], Any]] = {
    "AWS::S3::Bucket": lambda a, r, v: _backend("s3", "s3_backends", a, "aws").buckets.get(v),
    "AWS::KMS::Key": lambda a, r, v: _backend("kms", "kms_backends", a, r).keys.get(v),
}


def _identifier(entry: dict) -> str:
    return str(next(iter((entry.get("ResourceIdentifier") or {}).values()), ""))


def _owner(backend, type_name: str, value: str) -> str | None:
    """The name of a live stack of the Region holding that resource, if any."""
    for stack in backend.stacks.values():
        if stack.status == Stack.DELETE_COMPLETE:
            continue
        for model in getattr(stack.resource_map, "_parsed_resources", {}).values():
            if getattr(model, "cf_resource_type", None) == type_name and model.physical_resource_id == value:
                return stack.name
    return None


def _problem(backend, template: dict, entry: dict) -> str | None:
    logical_id, type_name, value = entry.get("LogicalResourceId"), entry.get("ResourceType"), _identifier(entry)
    resource = (template.get("Resources") or {}).get(logical_id)
    if resource is None or resource.get("Type") != type_name:
        return f"the template has no {type_name} {logical_id} to import into"
    if resource_import.needs_deletion_policy(resource):
        return f"{logical_id}: each resource to import must have a DeletionPolicy attribute"
    lookup = LOOKUPS.get(type_name)
    if lookup is None:
        return f"{type_name}: import of this type is not modelled by localcloud"
    if set(entry.get("ResourceIdentifier") or {}) != {resource_import.identifier_property(type_name)}:
        return f"{logical_id}: {type_name} is identified by {resource_import.identifier_property(type_name)}"
    if lookup(backend.account_id, backend.region_name, value) is None:
        return f"{logical_id}: resource {value} of type {type_name} does not exist"
    owner = _owner(backend, type_name, value)
    if owner is not None:
        return f"{logical_id}: resource {value} of type {type_name} already belongs to stack {owner}"
    return None


def check(backend, stack_name: str, template: dict, entries: list[dict]) -> None:
    if any(s.name == stack_name and s.status != Stack.DELETE_COMPLETE for s in backend.stacks.values()):
        raise ValidationError(message=f"localcloud: IMPORT into the existing stack {stack_name} is not modelled")
    extra = sorted(set(template.get("Resources") or {}) - {e.get("LogicalResourceId") for e in entries})
    if extra:
        raise ValidationError(
            message=f"an import creates no resources; the template also holds {', '.join(extra)}, not imported"
        )
    for entry in entries:
        problem = _problem(backend, template, entry)
        if problem:
            raise ValidationError(message=problem)


def _bind(backend, stack, entry: dict) -> None:
    type_name, logical_id, value = entry["ResourceType"], entry["LogicalResourceId"], _identifier(entry)
    model = LOOKUPS[type_name](backend.account_id, backend.region_name, value)
    model.logical_resource_id, model.cf_resource_type = logical_id, type_name
    stack.resource_map._parsed_resources[logical_id] = model
    if type_name in NAME_PROPERTIES:
        Names.add(backend.account_id, backend.region_name, (stack.stack_id, logical_id), type_name, value)


def _change_set(backend, name: str):
    if name in backend.change_sets:
        return backend.change_sets[name]
    return next((c for c in backend.change_sets.values() if c.change_set_name == name), None)


def execute_import(backend, change_set) -> None:
    stack = backend.stacks[change_set.stack_id]
    stack._add_stack_event(Stack.IMPORT_IN_PROGRESS, resource_status_reason="User Initiated")
    for entry in change_set.resources_to_import:
        _bind(backend, stack, entry)
    change_set.apply()
    stack._add_stack_event(Stack.IMPORT_COMPLETE)
    change_set.execution_status = "EXECUTE_COMPLETE"
    stack.status = Stack.IMPORT_COMPLETE
    stack.template = change_set.template


@patch(
    "CreateChangeSet of type IMPORT makes a new stack of resources that exist (AWS's checks), "
    "ExecuteChangeSet binds them instead of creating them again",
    after=(_templates,),
)
def _resource_import() -> None:
    from moto.cloudformation.models import CloudFormationBackend

    original_create = CloudFormationResponse.create_change_set
    original_execute = CloudFormationBackend.execute_change_set

    def create_change_set(self):
        if self._get_param("ChangeSetType") != resource_import.CHANGE_SET_TYPE:
            return original_create(self)
        entries = self._get_param("ResourcesToImport", [])
        body = self._get_param("TemplateBody") or ""
        check(self.cloudformation_backend, self._get_param("StackName"), json.loads(body or "{}"), entries)
        result = original_create(self)
        change_set = _change_set(self.cloudformation_backend, result.result["Id"])
        change_set.resources_to_import = entries
        return result

    def execute_change_set(self, change_set_name, stack_name=None):
        change_set = _change_set(self, change_set_name)
        if change_set is None or not getattr(change_set, "resources_to_import", None):
            return original_execute(self, change_set_name, stack_name)
        return execute_import(self, change_set)

    replace(CloudFormationResponse, "create_change_set", create_change_set)
    replace(CloudFormationBackend, "execute_change_set", execute_change_set)


__doc__ = document(__doc__, __name__)
