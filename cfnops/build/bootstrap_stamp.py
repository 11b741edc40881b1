"""What the rendered bootstrap template says about itself, in two Outputs the deployed stack
then carries: the digest of the bootstrap template as rendered (``CfnopsTemplateDigest``) and
the resource types of the workloads it was rendered for (``CfnopsWorkloadTypes``: the
execution role's permissions follow them). Deploy compares both with the rendered file
before its first workload call (rollout/readiness.py): a bootstrap older than the templates
is named, with the resource types it does not know yet, instead of failing in every region
on a permission the execution role lacks.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

DIGEST = "CfnopsTemplateDigest"
TYPES = "CfnopsWorkloadTypes"


def workload_types(templates: Mapping[str, dict], bootstrap: str) -> list[str]:
    return sorted(
        {
            resource["Type"]
            for name, body in templates.items()
            if name != bootstrap
            for resource in body.get("Resources", {}).values()
        }
    )


def stamp(templates: dict[str, dict], bootstrap: str) -> None:
    """Add both Outputs to the bootstrap template (the digest covers the rest of it, types included)."""
    body = templates[bootstrap]
    outputs = body.setdefault("Outputs", {})
    outputs.pop(DIGEST, None)
    outputs[TYPES] = {
        "Description": "Resource types of the workloads this bootstrap was rendered for (cfnops)",
        "Value": ",".join(workload_types(templates, bootstrap)),
    }
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
    outputs[DIGEST] = {"Description": "SHA-256 of this template as rendered (cfnops)", "Value": digest}


def stamped(template: Mapping) -> tuple[str, set[str]]:
    """(digest, workload types) a bootstrap template or stack's outputs carry ('' and none if unstamped)."""
    outputs = template.get("Outputs", {})
    types = outputs.get(TYPES, {}).get("Value", "")
    return outputs.get(DIGEST, {}).get("Value", ""), set(filter(None, types.split(",")))
