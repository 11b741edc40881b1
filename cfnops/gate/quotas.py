"""CloudFormation's template quotas (User Guide, "CloudFormation quotas"): what
CreateStackSet / UpdateStackSet refuse whatever the template says."""

from __future__ import annotations

import json

from ..findings import Finding

TEMPLATE_URL_BYTES = 1_048_576  # TemplateBody over 51,200 bytes goes through S3 (see deploy)
LIMITS = {"Resources": 500, "Parameters": 200, "Outputs": 200, "Mappings": 200}


def check(templates, scope) -> list[Finding]:
    findings = []
    for name, template in templates.items():
        size = len(json.dumps(template, indent=2, sort_keys=True).encode())
        if size > TEMPLATE_URL_BYTES:
            findings.append(Finding(scope.display(name), "", "CFN-TEMPLATE-SIZE", "error",
                                    f"template is {size:,} bytes; CloudFormation accepts at most {TEMPLATE_URL_BYTES:,}", "gate"))
        for section, limit in LIMITS.items():
            count = len(template.get(section) or {})
            if count > limit:
                findings.append(Finding(scope.display(name), section, "CFN-QUOTA", "error",
                                        f"{count} {section.lower()}; CloudFormation allows at most {limit}", "gate"))
    return findings
