"""WHAT the platform is: troposphere templates, one build() per template.

``REGISTRY`` is the one list of templates that render, lint, parameter validation,
tests and StackSets read. Names are the template names users type.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from types import MappingProxyType

from troposphere import Template

BuildFunction = Callable[[], Template]


class DuplicateTemplateError(ValueError):
    pass


def build_registry(entries: Iterable[tuple[str, BuildFunction]]) -> MappingProxyType:
    """name -> build function, read-only; a name given twice is an error."""
    registry: dict[str, BuildFunction] = {}
    for name, build in entries:
        if name in registry:
            raise DuplicateTemplateError(f"template {name!r} is registered twice")
        registry[name] = build
    return MappingProxyType(registry)


def _workloads() -> list[tuple[str, BuildFunction]]:
    from . import data_pipeline, fraud_agent, fraud_detection, loan_processing, network, network_peering, payments

    return [
        ("network", network.build),
        ("network-peering", network_peering.build),
        ("fraud-detection", fraud_detection.build),
        ("payments", payments.build),
        ("data-pipeline", data_pipeline.build),
        ("loan-processing", loan_processing.build),
        ("fraud-agent", fraud_agent.build),
    ]


def _bootstrap(workloads: MappingProxyType) -> tuple[str, BuildFunction]:
    """The bootstrap template: its execution role is derived from the workloads."""
    from . import stackset_roles

    return BOOTSTRAP, partial(stackset_roles.build, workloads)


BOOTSTRAP = "stackset-roles"  # a plain stack per administrator region, not a StackSet
WORKLOADS = build_registry(_workloads())  # the templates StackSets deploy
REGISTRY = build_registry([*WORKLOADS.items(), _bootstrap(WORKLOADS)])
