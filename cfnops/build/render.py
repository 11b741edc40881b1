"""Render every registered template to generated/<name>.json, plus generated/manifest.json.

Output is deterministic: sorted keys, two-space indent, a final newline. Files are
only rewritten when their content changes. The manifest records each template's
SHA-256 and, per environment, the SHA-256 of its resolved parameters (seed 001).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass

from ..core.errors import StaleError
from ..inputs.platform import Platform
from ..inputs.project import Project
from . import bootstrap_stamp

MANIFEST = "manifest.json"


def to_json(data: object) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Rendered:
    """Every generated file's name and content, and the templates as data."""

    files: dict[str, str]
    templates: dict[str, dict]


def build_templates(platform: Platform) -> dict[str, dict]:
    templates = {name: build().to_dict() for name, build in platform.registry.items()}
    bootstrap_stamp.stamp(templates, platform.bootstrap)
    return templates


def manifest(project: Project, templates: Mapping[str, dict], texts: Mapping[str, str]) -> dict:
    from ..inputs import params

    result: dict = {"templates": {}, "parameters": {}}
    for name, body in templates.items():
        result["templates"][name] = {
            "sha256": sha256(texts[name]),
            "bytes": len(texts[name].encode()),
            "resources": len(body.get("Resources", {})),
        }
    for environment in project.platform.environments:
        resolved = params.resolve_deployed(project, environment, templates)
        result["parameters"][environment] = {name: resolved.digest(name) for name in templates}
    return result


def render(project: Project) -> Rendered:
    templates = build_templates(project.platform)
    texts = {name: to_json(body) for name, body in templates.items()}
    files = {f"{name}.json": text for name, text in texts.items()}
    files[MANIFEST] = to_json(manifest(project, templates, texts))
    return Rendered(files, templates)


def write(project: Project, rendered: Rendered) -> list[str]:
    """Write what changed; return the names written."""
    project.generated.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in rendered.files.items():
        path = project.generated / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(name)
    return written


def stale_files(project: Project, rendered: Rendered) -> list[str]:
    """Files of generated/ that differ from a fresh render, are missing, or are extra."""
    problems = []
    for name, text in rendered.files.items():
        path = project.generated / name
        if not path.exists():
            problems.append(f"generated/{name}: missing")
        elif path.read_text(encoding="utf-8") != text:
            problems.append(f"generated/{name}: differs from a fresh render")
    if project.generated.exists():
        for path in sorted(project.generated.glob("*.json")):
            if path.name not in rendered.files:
                problems.append(f"generated/{path.name}: no registered template renders it")
    return problems


def check(project: Project) -> None:
    problems = stale_files(project, render(project))
    if problems:
        raise StaleError("\n".join(problems + ["run `make render` and commit generated/"]))


def read_generated(project: Project) -> dict[str, dict]:
    """The committed templates, as data (what deploys)."""
    templates = {}
    for name in project.platform.registry:
        path = project.template_path(name)
        if not path.exists():
            raise StaleError(f"generated/{name}.json: missing; run `make render`")
        try:
            templates[name] = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            where = f" (line {error.lineno})" if isinstance(error, json.JSONDecodeError) else ""
            raise StaleError(f"generated/{name}.json: not a rendered template{where}; run `make render`") from None
    return templates
