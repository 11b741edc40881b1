"""CloudFormation's template quotas: what CreateStack(Set) / UpdateStack(Set) refuse
whatever the template says. Workload templates over a TemplateBody go through S3."""

from __future__ import annotations

import json

from ...awsfacts.cfn_limits import SECTION_LIMITS, TEMPLATE_BODY_BYTES, TEMPLATE_URL_BYTES, body_for
from .. import bootstrap_seed
from ..findings import Finding


def _first_body(template: dict, scope) -> str:
    """What a first bootstrap sends: the compact template, or its artifacts-bucket seed."""
    text = json.dumps(template)
    if not scope.artifacts_bucket:
        return body_for(text) or text
    return bootstrap_seed.body_or_seed(text, scope.artifacts_bucket)[0]


def check(templates, scope) -> list[Finding]:
    findings = []
    for name, template in templates.items():
        size = len(json.dumps(template, indent=2, sort_keys=True).encode())
        if size > TEMPLATE_URL_BYTES:
            findings.append(
                Finding(
                    scope.display(name),
                    "",
                    "CFN-TEMPLATE-SIZE",
                    "error",
                    f"template is {size:,} bytes; CloudFormation accepts at most {TEMPLATE_URL_BYTES:,}",
                    "gate",
                )
            )
        if name == scope.bootstrap and len(_first_body(template, scope).encode()) > TEMPLATE_BODY_BYTES:
            findings.append(
                Finding(
                    scope.display(name),
                    "",
                    "CFN-TEMPLATE-SIZE",
                    "error",
                    f"the bootstrap template's first creation goes as a TemplateBody (its bucket does not exist "
                    f"yet), and even without whitespace and with the artifacts bucket alone it is over "
                    f"{TEMPLATE_BODY_BYTES:,} bytes",
                    "gate",
                )
            )
        for section, limit in SECTION_LIMITS.items():
            count = len(template.get(section) or {})
            if count > limit:
                findings.append(
                    Finding(
                        scope.display(name),
                        section,
                        "CFN-QUOTA",
                        "error",
                        f"{count} {section.lower()}; CloudFormation allows at most {limit}",
                        "gate",
                    )
                )
    return findings
