"""Parameters cfnops computes instead of reading them from a parameter file.

A template names them in ``Metadata.cfnops.ComputedParameters``:
``{"ConfigHash": {"Sha256OfOutput": "ConfigManifest"}}`` is the SHA-256 of that output's
value, resolved with the parameter values the stack gets (CloudFormation cannot hash).
The output may use only parameters and literals, so the hash of a region's values is
what CloudFormation will show in that region's output.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from ..awsfacts.intrinsics import Resolver

METADATA_KEY = "cfnops"
COMPUTED = "ComputedParameters"


class ManifestError(ValueError):
    """The template's manifest uses something only deploy time knows (a template bug)."""


def computed(template: Mapping) -> dict[str, str]:
    """parameter -> the output whose SHA-256 it is."""
    declared = ((template.get("Metadata") or {}).get(METADATA_KEY) or {}).get(COMPUTED) or {}
    return {name: spec["Sha256OfOutput"] for name, spec in declared.items()}


def resolve_output(template: Mapping, output: str, values: Mapping[str, str]) -> str:
    """The output's value as CloudFormation will render it, from parameter ``values``."""

    def refuse(node: dict) -> object:
        raise ManifestError(f"output {output} may use only parameters and literals, got {node}")

    value = Resolver(dict(values), {}, refuse, template.get("Mappings"))(template["Outputs"][output]["Value"])
    if not isinstance(value, str):
        raise ManifestError(f"output {output} must resolve to a string, got {type(value).__name__}")
    return value


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def values_for(template: Mapping, values: Mapping[str, str]) -> dict[str, str]:
    """Each computed parameter's value for one region's resolved ``values``."""
    return {name: sha256(resolve_output(template, output, values)) for name, output in computed(template).items()}
