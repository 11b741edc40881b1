"""Stack updates as CloudFormation makes them (replaces moto's ``ResourceMap.update``).

moto's update dropped every resource whose model has no ``update_from_cloudformation_json``
(the stack forgot it while the service kept it unchanged: a FlowLogGroup vanished and
every later GetAtt to it failed), and re-created others under a new physical id for a tag
change (NatEip3). Here, per resource, in dependency order:

- added (or its Condition became true): created;
- removed (or its Condition became false): deleted after everything else, unless its
  DeletionPolicy is Retain/RetainExceptOnCreate;
- changed: its resolved properties are compared with the ones it was created with. A change
  AWS documents as failing the update (cfnops/awsfacts/update_behaviour.py: a KMS key's
  KeySpec, Object Lock turned off) fails with AWS's reason. A change to a createOnly property
  (the type's registry schema, as cfn-lint ships it) or one AWS documents as Replacement (or an
  edit of an existing element of a list documented so, DynamoDB's AttributeDefinitions) replaces it:
  the new one is created first, the old one deleted at the end; a custom-named resource
  cannot be replaced (CloudFormation's own refusal). Any other change is made in place: the
  resource keeps its physical id, tags go through the service's tagging API, and the other
  properties through ``inplace.SETTERS``; a property localcloud cannot set fails the
  update, naming it, rather than pretending.
"""

from __future__ import annotations

from typing import Any

from moto.cloudformation import parsing

from cfnops.awsfacts import schemas, update_behaviour
from cfnops.awsfacts.update_behaviour import Behaviour

from ..core.failures import UPDATE_FAILURE, handling, message_of
from ..core.registry import document, patch, replace
from . import inplace, permissions

KEEP = ("Retain", "RetainExceptOnCreate")


def create_only(resource_type: str) -> frozenset[str]:
    """Top-level properties whose change replaces the resource (nested createOnly paths
    count for their top-level property: localcloud compares whole values)."""
    if not schemas.is_known(resource_type):
        return frozenset()
    return frozenset(path.split("/")[2] for path in schemas.create_only_properties(resource_type))


def replaced_by(resource_type: str) -> frozenset[str]:
    """createOnly properties, and those AWS's pages document as Replacement where the schema
    is weaker (cfnops/awsfacts/update_behaviour.py)."""
    entry = update_behaviour.type_facts(resource_type)
    documented = entry.behaviours.get(Behaviour.REPLACEMENT, ()) if entry else ()
    return create_only(resource_type) | frozenset(documented)


def replaced_by_edit(resource_type: str, changed: set[str], old: dict, new: dict) -> bool:
    """A list AWS documents as replacing when an element it already has is edited (a DynamoDB
    table's AttributeDefinitions: an existing attribute's type) had one edited."""
    facts = [(key, update_behaviour.documented(resource_type, key)) for key in changed]
    return any(
        fact is not None
        and fact.edit_behaviour is Behaviour.REPLACEMENT
        and fact.edits_existing("", old.get(key), new.get(key))
        for key, fact in facts
    )


def refusal(resource_type: str, changed: set[str], old: dict) -> str:
    """AWS's reason when it documents that a change of one of ``changed`` fails the update
    (a one-way setting changed back, a KMS key's KeySpec), "" when none does."""
    for key in sorted(changed):
        fact = update_behaviour.documented(resource_type, key)
        if fact is not None and fact.behaviour_for(old.get(key)) is Behaviour.UPDATE_FAILS:
            return (fact.fails_reason if fact.fails_when_changed_from(old.get(key)) else "") or fact.reason
    return ""


def _references(node: Any) -> set[str]:
    """Logical ids a template fragment refers to (Ref, Fn::GetAtt, Fn::Sub)."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                found.add(value)
            elif key == "Fn::GetAtt":
                found.add(value[0] if isinstance(value, list) else str(value).split(".")[0])
            elif key == "Fn::Sub":
                text = value[0] if isinstance(value, list) else value
                found |= {name.split(".")[0] for name in _sub_names(text)}
            found |= _references(value)
    elif isinstance(node, list):
        for item in node:
            found |= _references(item)
    return found


def _sub_names(text: Any) -> list[str]:
    import re

    return re.findall(r"\$\{([^!}][^}]*)\}", text) if isinstance(text, str) else []


def dependency_order(resources: dict[str, dict]) -> list[str]:
    order: list[str] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in order or name in visiting or name not in resources:
            return
        visiting.add(name)
        depends = resources[name].get("DependsOn", [])
        for other in sorted(_references(resources[name]) | set([depends] if isinstance(depends, str) else depends)):
            visit(other)
        visiting.discard(name)
        order.append(name)

    for name in resources:
        visit(name)
    return order


def _created(resource_map) -> dict[str, Any]:
    return {
        name: resource
        for name, resource in resource_map._parsed_resources.items()
        if name in resource_map._resource_json_map and resource is not None and not isinstance(resource, str)
    }


def _wanted(resource_map, resource_json: dict) -> bool:
    condition = resource_json.get("Condition")
    return not condition or bool(resource_map.lazy_condition_map[condition])


def _properties(resource_map, resource_json: dict) -> dict:
    return parsing.clean_json(resource_json.get("Properties", {}), resource_map)


def update(self, template: dict[str, Any], parameters: dict[str, Any] | None = None) -> None:
    old_json = self._resource_json_map
    before = _created(self)
    old_properties = {name: _properties(self, old_json[name]) for name in before}
    self._template = template
    if parameters:
        self.input_parameters = parameters
    self.load_mapping()
    self.load_parameters()
    self.load_conditions()
    self._resource_json_map = new_json = template["Resources"]
    obsolete: list[tuple[Any, dict]] = []
    done: set[str] = set()
    try:
        for name in dependency_order(new_json):
            resource_json = new_json[name]
            if not _wanted(self, resource_json):
                if name in before:
                    obsolete.append((self._parsed_resources.pop(name), old_json[name]))
            elif name not in before:
                _ = self[name]  # created on first access, as moto creates
            else:
                with handling(name, resource_json["Type"]):
                    replaced = _change(self, name, before[name], old_json[name], old_properties[name], resource_json)
                if replaced is not None:
                    obsolete.append((replaced, old_json[name]))
            done.add(name)
    except Exception:
        _unreached(self, old_json, new_json, done)
        raise
    obsolete += [(before[name], old_json[name]) for name in before if name not in new_json]
    _delete(self, obsolete)


def _unreached(resource_map, old_json: dict, new_json: dict, done: set[str]) -> None:
    """A failed update leaves the resources it did not reach (the failing one included) as
    they were, so the rollback has only what changed to undo."""
    resource_map._resource_json_map = {
        **{name: old_json[name] for name in old_json if name not in done},
        **{name: new_json[name] for name in new_json if name in done or name not in old_json},
    }


def _change(resource_map, name: str, resource, old_json: dict, old: dict, new_json: dict):
    """Update one existing resource; returns the old object when it was replaced."""
    new = _properties(resource_map, new_json)
    kind = new_json["Type"]
    changed = {key for key in set(old) | set(new) if old.get(key) != new.get(key)}
    if kind == old_json["Type"] and not changed:
        return None
    refused = refusal(kind, changed, old) if kind == old_json["Type"] else ""
    if refused:
        raise inplace.UpdateRefused(refused)
    if kind != old_json["Type"] or changed & replaced_by(kind) or replaced_by_edit(kind, changed, old, new):
        return _replace(resource_map, name, resource, old, new, new_json)
    permissions.authorize(resource_map, ("update",), name, new_json, old_json)
    inplace.apply(resource, kind, old, new, changed, resource_map._account_id, resource_map._region_name)
    return None


def _replace(resource_map, name: str, resource, old: dict, new: dict, new_json: dict):
    kind = new_json["Type"]
    name_property = parsing.resource_name_property_from_type(kind)
    if name_property and name_property in new and new.get(name_property) == old.get(name_property):
        raise inplace.UpdateRefused(
            f"CloudFormation cannot update a stack when a custom-named resource requires replacing. "
            f"Rename {new[name_property]} and update the stack again."
        )
    resource_map._parsed_resources.pop(name)
    _ = resource_map[name]  # the replacement, created under its new identity
    return resource


def _delete(resource_map, obsolete: list[tuple[Any, dict]]) -> None:
    """Delete what the update made obsolete, in passes (dependencies), keeping Retain."""
    pending = [
        (resource, resource_json)
        for resource, resource_json in obsolete
        if resource_json.get("DeletionPolicy") not in KEEP
    ]
    last_error: Exception | None = None
    while pending:
        remaining = []
        for resource, resource_json in pending:
            try:
                with handling(resource.logical_resource_id, resource_json["Type"]):
                    resource_map._delete_resource(resource, resource_json)
            except Exception as error:  # noqa: BLE001 - dependency order: retried next pass
                last_error = error
                remaining.append((resource, resource_json))
        if len(remaining) == len(pending):
            raise last_error  # type: ignore[misc]
        pending = remaining


def _rolled_back(original):
    """A failed update rolls back to the previous template and parameters, as CloudFormation
    does (UPDATE_ROLLBACK_COMPLETE, or UPDATE_ROLLBACK_FAILED when that fails too); the
    failure is kept on the stack for whoever runs it (the StackSet engine reports it)."""

    def stack_update(self, template, role_arn=None, parameters=None, tags=None):
        previous_template, previous_parameters = self.template, dict(self.resource_map.input_parameters)
        try:
            original(self, template, role_arn, parameters, tags)
        except Exception as error:  # noqa: BLE001 - the stack fails, not the API call
            UPDATE_FAILURE.of(self).error = error
            self._add_stack_event("UPDATE_ROLLBACK_IN_PROGRESS", resource_status_reason=message_of(error))
            try:
                self.template = previous_template
                self._parse_template()
                self.resource_map.update(self.template_dict, previous_parameters)
                self.output_map = self._create_output_map()
            except Exception as rollback_error:  # noqa: BLE001 - as on AWS: the stack needs a hand
                self.status = "UPDATE_ROLLBACK_FAILED"
                self._add_stack_event(self.status, resource_status_reason=message_of(rollback_error))
                return
            self.status = "UPDATE_ROLLBACK_COMPLETE"
            self._add_stack_event(self.status)
        else:
            UPDATE_FAILURE.of(self).error = None

    return stack_update


@patch(
    "stack updates as CloudFormation makes them: a changed resource keeps its physical id and gets its new "
    "properties (inplace.py), a createOnly change replaces it, a failed update rolls back (moto recreated "
    "every resource, or left it unchanged)"
)
def _updates_in_place() -> None:
    from moto.cloudformation.models import Stack

    replace(parsing.ResourceMap, "update", update)
    replace(Stack, "update", _rolled_back(Stack.update))


__doc__ = document(__doc__, __name__)
