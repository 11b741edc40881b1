"""First creation of deletion-protected resources.

A stack whose first creation fails is rolled back, and CloudFormation cannot delete a
table or DB cluster that has deletion protection: the stack ends ROLLBACK_FAILED and the
next deploy cannot update it. So a stack instance is created with every deletion-protection
parameter its template declares set to "false" (parameter overrides), and once the
creation has succeeded, the same deploy restores the environment's values with
UpdateStackInstances. An instance whose overrides still say "false" (the deploy was
interrupted, or the creation failed and is retried) gets the same treatment on the next
deploy: retried with protection off, then protected.

Deletion-protection parameters are found by name, ``*DeletionProtection``, with
AllowedValues true/false; no list of templates.
"""

from __future__ import annotations

from collections.abc import Mapping

SUFFIX = "DeletionProtection"
OFF, ON = "false", "true"


def declared(template: Mapping) -> tuple[str, ...]:
    """The template's deletion-protection parameters."""
    return tuple(
        sorted(
            name
            for name, declaration in template.get("Parameters", {}).items()
            if name.endswith(SUFFIX)
            and sorted(str(v).lower() for v in declaration.get("AllowedValues", [])) == [OFF, ON]
        )
    )


def relaxed(names: tuple[str, ...], effective: Mapping[str, str]) -> dict[str, str]:
    """The overrides a first creation adds: "false" for each one the environment turns on."""
    return {name: OFF for name in names if effective.get(name) == ON}


def still_relaxed(relaxation: Mapping[str, str], overrides: Mapping[str, str]) -> bool:
    """True when an instance's overrides are still a first creation's (protection off)."""
    return bool(relaxation) and all(overrides.get(name) == OFF for name in relaxation)
