"""CloudFormation's template quotas (User Guide, "CloudFormation quotas"; the texts of
its ValidationErrors), checked 2026-11-22."""

from __future__ import annotations

import json

TEMPLATE_BODY_BYTES = 51_200  # "Member must have length less than or equal to 51200"
TEMPLATE_URL_BYTES = 1_000_000  # "Template may not exceed 1000000 bytes in size."
SECTION_LIMITS = {"Resources": 500, "Parameters": 200, "Outputs": 200, "Mappings": 200}


def compact(text: str) -> str:
    """The same template without whitespace: what fits in a TemplateBody when the
    readable file does not (the bootstrap template has no bucket to go through)."""
    return json.dumps(json.loads(text), separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def body_for(text: str) -> str | None:
    """``text`` itself if it fits a TemplateBody, else its compact form if that fits, else None."""
    for candidate in (text, compact(text)):
        if len(candidate.encode()) <= TEMPLATE_BODY_BYTES:
            return candidate
    return None
