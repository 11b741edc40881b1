"""Compares the corpus (tests/unit/changes/update_corpus.json) with what the CDK's diff
(``@aws-cdk/cloudformation-diff``, the diff ``cdk diff`` prints) and cfnops's plan say for
each one-property edit, against the impact AWS documents; prints the counts docs/plan.md quotes.

Needs node and the package: ``npm install --prefix DIR @aws-cdk/cloudformation-diff``, then
``.venv/bin/python scripts/cdk_diff_compare.py DIR`` (``--cases`` lists every disagreement).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.unit.changes import test_update_corpus as corpus  # noqa: E402

# the CDK's ResourceImpact -> the plan's words (WILL_UPDATE has no "interrupt")
CDK = {"WILL_UPDATE": "Modify", "MAY_REPLACE": "May replace", "WILL_REPLACE": "Replace", "NO_CHANGE": "no change"}
JS = """
const {fullDiff} = require('@aws-cdk/cloudformation-diff');
const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));
console.log(JSON.stringify(cases.map(([id, old, nw]) => {
  const d = fullDiff({Resources: {[id]: old}}, {Resources: {[id]: nw}});
  const r = d.resources.get(id);
  return r ? r.changeImpact : 'NO_CHANGE';
})));
"""


def _cdk_impacts(node_modules: Path, cases: list[dict]) -> list[str]:
    edits = []
    for case in cases:
        _, logical_id, raw, old, new = corpus.edit_of(case)
        edits.append([logical_id, {**raw, "Properties": old}, {**raw, "Properties": new}])
    out = subprocess.run(
        ["node", "-e", JS],
        input=json.dumps(edits, default=str),
        capture_output=True,
        text=True,
        check=True,
        env={"NODE_PATH": str(node_modules / "node_modules"), "PATH": "/usr/bin:/bin"},
    )
    return [CDK.get(impact, impact) for impact in json.loads(out.stdout)]


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.strip().splitlines()[-2].strip(), file=sys.stderr)
        return 3
    cases = corpus.CORPUS
    cdk = _cdk_impacts(Path(argv[0]), cases)
    ours = [corpus._plan(case)[1].action for case in cases]
    documented = [corpus.DOCUMENTED[case["documented"]] for case in cases]
    tally: Counter = Counter()
    for case, theirs, mine, doc in zip(cases, cdk, ours, documented, strict=True):
        rank = corpus.STRICTNESS.index
        tally["cdk agrees"] += theirs == doc
        tally["cdk weaker"] += theirs in corpus.STRICTNESS and rank(theirs) < rank(doc)
        tally["cfnops agrees"] += mine == doc
        tally["cfnops weaker"] += rank(mine) < rank(doc)
        if "--cases" in argv and theirs != doc:
            print(f"{case['type']}.{case['property']}: documented {doc}, cdk {theirs}, cfnops {mine}")
    print(f"{len(cases)} one-property edits: " + ", ".join(f"{k} {v}" for k, v in sorted(tally.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
