"""CloudFormation's template quotas: what CreateStack(Set) / UpdateStack(Set) refuse
whatever the template says. Workload templates over a TemplateBody go through S3."""

from __future__ import annotations

import json

from ...awsfacts.cfn_limits import SECTION_LIMITS, TEMPLATE_BODY_BYTES, TEMPLATE_URL_BYTES, body_for
from ..findings import Finding


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
        if name == scope.bootstrap and body_for(json.dumps(template)) is None:
            findings.append(
                Finding(
                    scope.display(name),
                    "",
                    "CFN-TEMPLATE-SIZE",
                    "error",
                    f"the bootstrap template goes as a TemplateBody (its bucket does not exist yet), and even "
                    f"without whitespace it is over {TEMPLATE_BODY_BYTES:,} bytes",
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
