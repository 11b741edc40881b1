"""A StackSet's own properties vouched for by its instances: no DescribeStackSet when nothing changed.

Every operation cfnops starts is named ``cfnops-<overrides>-<state>-<random>`` (plan.py):
``<state>`` is the digest of the StackSet's properties as cfnops had set them when the
operation started (the template, the StackSet's parameters with NoEcho values masked as the
API masks them, capabilities, tags, description, ManagedExecution, permission model, roles,
auto-deployment). An operation started while an UpdateStackSet was still to come carries a
digest that matches nothing (``UNSETTLED``).

Every change to a StackSet's properties is an UpdateStackSet, and an UpdateStackSet is an
operation on the StackSet's instances: on all of them unless the call names some, and a
change of template or parameters restricted to some marks all the others OUTDATED
(UpdateStackSet, API reference). So when the StackSet has instances, each CURRENT, and the
last operation of every one is cfnops' with the desired properties' digest, the properties
are the desired ones, and the plan reads ListStackInstances only. Anything else (an instance
of another tool's operation, a drift detection's, an OUTDATED or busy one, no instance at
all, a changed file) reads DescribeStackSet as before.

Not seen without DescribeStackSet: an UpdateStackSet by someone else that changes only tags,
description or execution settings and is restricted to accounts and Regions where the StackSet
has no instance.
"""

from __future__ import annotations

import hashlib
import json

from ..awsfacts import statuses as aws_status

MASK = "****"  # what DescribeStackSet answers for a NoEcho parameter
UNSETTLED = "unsettled"
UNSETTLED_DIGEST = "0" * 10  # not the first 10 hex digits of any state's SHA-256 we will meet


def digest(value: object) -> str:
    """The 10 hex digits an operation id carries for ``value`` (overrides, or a StackSet's state)."""
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()[:10]


def state_digest(desired) -> str:
    """The digest an operation names when the StackSet's properties are ``desired``'s."""
    spec = desired.spec
    state = {
        "template": hashlib.sha256(desired.template_text.encode()).hexdigest(),
        "parameters": {k: (MASK if k in desired.no_echo else v) for k, v in desired.parameters.items()},
        "capabilities": sorted(spec.capabilities),
        "tags": [list(pair) for pair in desired.tags],
        "description": spec.description,
        "managed_execution": spec.managed_execution,
        "service_managed": spec.service_managed,
        "auto_deployment": spec.auto_deployment if spec.service_managed else None,
        "roles": None if spec.service_managed else [spec.administration_role, spec.execution_role],
    }
    return digest(state)


def unsettled_digest() -> str:
    """For an operation started before the StackSet's properties are the desired ones: a digest
    no state has (history.py reads it as "properties about to change")."""
    return UNSETTLED_DIGEST


def vouched(desired, instances, state_of) -> bool:
    """Every instance CURRENT, idle, and last touched by a cfnops operation naming the desired state."""
    want = state_digest(desired)
    return bool(instances) and all(
        i.status == aws_status.Instance.CURRENT and not i.in_flight and state_of(i.last_operation_id) == want
        for i in instances
    )
