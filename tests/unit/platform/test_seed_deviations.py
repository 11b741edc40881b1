"""README "Deviations from the seeds": every row is complete, and where it names the value
(`template:Key`), "ours" is what the parameter files, the manifest or the rendered template
say. A value changed without the table (or the table without the value) fails here."""

from __future__ import annotations

import json
import re
from pathlib import Path

import cfnlint
import pytest

from cfnops.inputs import confighash, params
from tests.conftest import PLATFORM
from tests.support import docs

SECTION = "Deviations from the seeds"
WHERE = re.compile(r"`([a-z*][a-z-]*):(\w+)`")
PER_ENVIRONMENT = re.compile(r"\b(" + "|".join(PLATFORM.environments) + r") ([^,]+)")


def table_rows() -> list[list[str]]:
    section = docs.section(SECTION)
    lines = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| seed ")]
    return [[cell.strip() for cell in line.strip("|").split(" | ")] for line in lines]


ROWS = table_rows()
LOCATED = [row for row in ROWS if WHERE.search(row[1])]


def expected(ours: str) -> dict[str, str] | str:
    """ "dev 1, staging 30, prod 365" per environment, or one value for all."""
    pairs = dict(PER_ENVIRONMENT.findall(ours))
    return {env: value.strip() for env, value in pairs.items()} if pairs else ours.strip()


def plain(value) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def property_values(template: dict, key: str) -> set[str]:
    return {
        plain(resource["Properties"][key])
        for resource in template["Resources"].values()
        if key in (resource.get("Properties") or {})
    }


def per_environment(project, templates, name: str, key: str) -> dict[str, set[str]]:
    """The parameter's (or manifest key's) values in each environment, over the template's regions."""
    found = {}
    for environment in PLATFORM.environments:
        resolved = params.resolve_deployed(project, environment, templates)
        values = set()
        for region in resolved.values[name]:
            given = resolved.plain(name, region)
            if key in templates[name].get("Parameters", {}):
                values.add(given[key])
            else:
                values.add(json.loads(confighash.resolve_output(templates[name], "ConfigManifest", given))[key])
        found[environment] = values
    return found


def manifest_keys(template: dict) -> set[str]:
    output = (template.get("Outputs") or {}).get("ConfigManifest")
    return set(re.findall(r'"(\w+)":', output["Value"]["Fn::Sub"][0])) if output else set()


def test_every_row_names_seed_feature_values_and_why():
    assert ROWS, f"README has no table under {SECTION}"
    for row in ROWS:
        assert len(row) == 5 and all(row), row


@pytest.mark.parametrize("row", LOCATED, ids=[WHERE.search(r[1]).group(0).strip("`") for r in LOCATED])
def test_ours_is_what_the_platform_says(project, templates, row):
    name, key = WHERE.search(row[1]).groups()
    wanted = expected(row[3])
    if name == "*":
        values = set().union(*(property_values(t, key) for t in templates.values()))
        assert values == {wanted}, f"README says {row[3]}, the templates {sorted(values)}"
        return
    template = templates[name]
    if key in template.get("Parameters", {}) or key in manifest_keys(template):
        found = per_environment(project, templates, name, key)
        if isinstance(wanted, str):
            wanted = dict.fromkeys(PLATFORM.environments, wanted)
        assert found == {env: {value} for env, value in wanted.items()}, f"README says {row[3]}"
    else:
        values = property_values(template, key)
        assert values == {wanted}, f"README says {row[3]}, {name} sets {key} to {sorted(values)}"


def deprecated_versions(engine: str) -> set[str]:
    path = Path(cfnlint.__file__).parent / "data/schemas/extensions/aws_rds_dbcluster/engine_version_deprecated.json"
    for branch in json.loads(path.read_text())["allOf"]:
        properties = branch["if"]["properties"]
        if properties.get("Engine", {}).get("const") == engine:
            return set(properties["EngineVersion"]["enum"])
    return set()


def test_the_seeds_aurora_version_is_one_rds_deprecated_and_ours_is_not(templates):
    [row] = [r for r in LOCATED if r[1].endswith("`payments:EngineVersion`)")]
    clusters = [
        r["Properties"] for r in templates["payments"]["Resources"].values() if r["Type"] == "AWS::RDS::DBCluster"
    ]
    engines = {c["Engine"] for c in clusters}
    for engine in engines:
        assert row[2] in deprecated_versions(engine)
        assert row[3] not in deprecated_versions(engine)
