"""Every property our templates set has a decided update behaviour (the schema's, reviewed
against the page, or a documented fact), and the generated table of them is fresh."""

from __future__ import annotations

import importlib.util
import json
import shutil

from cfnops.awsfacts import schemas, update_behaviour
from tests.conftest import ROOT

_spec = importlib.util.spec_from_file_location("update_behaviour_table", ROOT / "scripts" / "update_behaviour_table.py")
assert _spec and _spec.loader
table = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(table)


def _unreviewed(generated) -> list[str]:
    return [
        f"{type_name}.{name}"
        for type_name, names in table.template_properties(generated).items()
        for name in names
        if not update_behaviour.reviewed(type_name, name)
    ]


def test_every_property_our_templates_set_has_a_decided_behaviour():
    assert _unreviewed(ROOT / "generated") == [], "add them to cfnops/awsfacts/update_behaviour.json"


def test_a_new_template_property_nobody_looked_up_fails_the_coverage(tmp_path):
    for path in (ROOT / "generated").glob("*.json"):
        shutil.copy(path, tmp_path / path.name)
    target = next(p for p in sorted(tmp_path.glob("*.json")) if "AWS::SQS::Queue" in p.read_text())
    template = json.loads(target.read_text())
    queue = next(r for r in template["Resources"].values() if r["Type"] == "AWS::SQS::Queue")
    queue["Properties"]["DelaySeconds"] = 5
    target.write_text(json.dumps(template))
    assert _unreviewed(tmp_path) == ["AWS::SQS::Queue.DelaySeconds"]
    assert table.build(tmp_path)["types"]["AWS::SQS::Queue"]["DelaySeconds"]["reviewed"] is False


def test_the_committed_table_is_fresh():
    committed = json.loads(table.TABLE_FILE.read_text(encoding="utf-8"))
    assert committed == table.build(), "stale: run .venv/bin/python scripts/update_behaviour_table.py"


def test_the_hand_kept_facts_name_schema_properties_of_known_types():
    data = json.loads(update_behaviour.DATA_FILE.read_text(encoding="utf-8"))["types"]
    for type_name, entry in data.items():
        properties = schemas.schema(type_name)["properties"]
        named = [*entry.get("documented", {}), *entry.get("as_schema", ())]
        assert [n for n in named if n not in properties] == [], type_name
        assert not set(entry.get("documented", {})) & set(entry.get("as_schema", ())), type_name
        assert entry["read"] == "registry" or entry["read"] == "current" or entry["read"].startswith("archive:")


def test_the_table_shows_the_documented_verdicts_the_issue_names():
    rows = json.loads(table.TABLE_FILE.read_text(encoding="utf-8"))["types"]
    assert rows["AWS::DynamoDB::Table"]["KeySchema"]["plan"] == "Replace"
    assert rows["AWS::RDS::DBInstance"]["DBInstanceClass"]["plan"] == "Interrupt"
    assert (
        rows["AWS::ElastiCache::ReplicationGroup"]["Engine"] | {"plan": "Modify", "fails_from": ["valkey"]}
        == (rows["AWS::ElastiCache::ReplicationGroup"]["Engine"])
    )
    assert rows["AWS::S3::Bucket"]["ObjectLockEnabled"]["fails_from"] == ["true"]
