"""Checks the update-behaviour facts against the current CloudFormation Template Reference:

- every fact (cfnops/awsfacts/update_behaviour.json) and every corpus case
  (tests/unit/changes/update_corpus.json) cites its type's Template Reference page
  (docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-...html), never
  the archived user guide or a service guide (those go in 'see_also');
- for every property our generated templates set, the plan is at least as strict as what the
  current page's text says about it (cfnops/awsfacts/page_text.py: the page prints the
  registry schema's description, so it is read offline).

Prints one line per problem and exits 1 when there is any:
``.venv/bin/python scripts/update_behaviour_pages.py``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cfnops.awsfacts import page_text, schemas, update_behaviour  # noqa: E402
from cfnops.changes import replacement  # noqa: E402

CORPUS_FILE = ROOT / "tests" / "unit" / "changes" / "update_corpus.json"
LEVEL = {
    replacement.NEVER: 0,
    replacement.INTERRUPTS: 1,
    replacement.CONDITIONAL: 2,
    replacement.ALWAYS: 2,
    replacement.FAILS: 3,
}


def cites_its_page(type_name: str, page: str) -> bool:
    return page == update_behaviour.page_of(type_name)


def miscited_facts() -> list[str]:
    return [
        f"{f.type_name}.{f.property}: cites {f.page}, not {update_behaviour.page_of(f.type_name)}"
        for f in update_behaviour.facts()
        if not cites_its_page(f.type_name, f.page)
    ]


def miscited_cases(cases: list[dict]) -> list[str]:
    return [
        f"corpus {c['type']}.{c['property']}: cites {c['page']}, not {update_behaviour.page_of(c['type'])}"
        for c in cases
        if not cites_its_page(c["type"], c["page"])
    ]


def plan_level(type_name: str, name: str) -> int:
    """How strict the plan is for a change of the property: its verdict, or a documented
    list's stricter behaviour for an edit of an element it already has."""
    verdict = LEVEL.get(replacement.replacement(type_name, [f"/{name}"], schemas.DEFAULT_REGION), -1)
    fact = update_behaviour.documented(type_name, name)
    edited = fact.edit_behaviour.value if fact is not None and fact.edit_behaviour is not None else -1
    return max(verdict, edited)


def weaker_than_the_page(properties: dict[str, list[str]]) -> list[str]:
    """``properties``: type -> top-level properties our templates set."""
    found = []
    for type_name, names in properties.items():
        for name in names:
            said = page_text.statement(type_name, name)
            if said is not None and plan_level(type_name, name) < said.behaviour.value:
                found.append(
                    f"{type_name}.{name}: the current page says {said.behaviour.name} ({said.words!r}); "
                    f"add the fact to update_behaviour.json ({update_behaviour.page_of(type_name)})"
                )
    return found


def template_properties(generated: Path = ROOT / "generated") -> dict[str, list[str]]:
    found: dict[str, set[str]] = {}
    for path in sorted(generated.glob("*.json")):
        template = json.loads(path.read_text(encoding="utf-8"))
        for resource in (template.get("Resources") or {}).values() if isinstance(template, dict) else ():
            found.setdefault(resource["Type"], set()).update(resource.get("Properties") or {})
    return {type_name: sorted(names) for type_name, names in sorted(found.items())}


def problems() -> list[str]:
    cases = json.loads(CORPUS_FILE.read_text(encoding="utf-8"))["cases"]
    return miscited_facts() + miscited_cases(cases) + weaker_than_the_page(template_properties())


def main() -> int:
    found = problems()
    for line in found:
        print(line, file=sys.stderr)
    facts = len(update_behaviour.facts())
    print(f"{facts} facts and the corpus cite Template Reference pages" if not found else f"{len(found)} problems")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
