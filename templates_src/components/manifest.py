"""A readable configuration manifest as a stack output, and its SHA-256.

``ConfigManifest`` is compact JSON with sorted keys, one Fn::Sub of the very
values the resources are given (``function.MemorySize``, ``cluster.EngineVersion``, ...),
so what a deployed stack shows is what it runs. Its values may use only parameters and
literals: the same for every region and account, so that two stacks with equal manifests
have equal configurations.

CloudFormation cannot hash. ``ConfigHash`` is therefore a parameter that cfnops computes
(``Metadata.cfnops.ComputedParameters``): the SHA-256 of the manifest resolved with the
parameter values the stack is given (``cfnops/confighash.py``), never written in a
parameter file. The output repeats it; `make parity` checks it against the deployed
manifest, so a hash that does not belong to its manifest is reported, not trusted.
"""

from __future__ import annotations

import json

from troposphere import AWSHelperFn, Output, Parameter, Ref, Sub, Template

from ..conventions import METADATA_KEY

MANIFEST_OUTPUT = "ConfigManifest"
HASH_PARAMETER = "ConfigHash"
COMPUTED_PARAMETERS = "ComputedParameters"


def _sub(entries: dict) -> Sub:
    """``{"key": value}`` as one Fn::Sub of ``{"a":"1","b":"${B}"}`` (every value a string):
    a parameter by name, any other function as a variable of the Sub."""
    parts, variables = [], {}
    for key, value in sorted(entries.items()):
        if isinstance(value, Ref) and isinstance(value.data["Ref"], str):
            text = "${" + value.data["Ref"] + "}"
        elif isinstance(value, AWSHelperFn):
            name = "".join(word.capitalize() for word in key.split("_"))
            variables[name], text = value, "${" + name + "}"
        else:
            text = _literal(value)
        parts.append(json.dumps(key) + ':"' + text + '"')
    body = "{" + ",".join(parts) + "}"
    return Sub(body, **variables) if variables else Sub(body)


def _literal(value) -> str:
    text = str(value).lower() if isinstance(value, bool) else str(value)
    if "${" in text:
        raise ValueError(f"a manifest literal may not contain ${{: {text}")
    return json.dumps(text)[1:-1]


def add_config_manifest(template: Template, entries: dict) -> None:
    """Outputs ConfigManifest (of ``entries``) and ConfigHash (computed by cfnops)."""
    template.add_parameter(
        Parameter(
            HASH_PARAMETER,
            Type="String",
            AllowedPattern=r"^[0-9a-f]{64}$",
            Description="Computed by cfnops: SHA-256 of the ConfigManifest output; never set in parameter files",
        )
    )
    template.add_output(
        Output(MANIFEST_OUTPUT, Value=_sub(entries), Description="The configuration this stack runs (JSON)")
    )
    template.add_output(
        Output(
            HASH_PARAMETER,
            Value=Ref(HASH_PARAMETER),
            Description="SHA-256 of ConfigManifest: equal hashes, equal configurations",
        )
    )
    metadata = dict(template.metadata or {})
    metadata.setdefault(METADATA_KEY, {}).setdefault(COMPUTED_PARAMETERS, {})[HASH_PARAMETER] = {
        "Sha256OfOutput": MANIFEST_OUTPUT
    }
    template.set_metadata(metadata)
