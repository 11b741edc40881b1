import importlib
from pathlib import Path

import pytest

import templates_src
from templates_src import BOOTSTRAP, REGISTRY, DuplicateTemplateError, build_registry, discover


def test_every_module_with_a_build_is_a_template_named_after_its_file():
    root = Path(templates_src.__file__).parent
    modules = sorted(
        p.stem.replace("_", "-") for p in root.glob("*.py") if "\ndef build() -> Template:" in p.read_text()
    )
    assert list(REGISTRY) == [*modules, BOOTSTRAP] and len(modules) >= 6
    assert all(
        REGISTRY[name] is importlib.import_module(f"templates_src.{name.replace('-', '_')}").build for name in modules
    )


def test_a_new_module_is_found_without_a_list_to_edit(tmp_path, monkeypatch):
    package = tmp_path / "extra_platform"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "billing_events.py").write_text("def build():\n    return 'billing'\n")
    (package / "helpers.py").write_text("def build(workloads):\n    return workloads\n\ndef other():\n    pass\n")
    (package / "_private.py").write_text("def build():\n    return 'private'\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert [(name, build()) for name, build in discover(package, "extra_platform")] == [("billing-events", "billing")]


def test_registry_rejects_a_duplicate_name():
    def build():
        raise AssertionError("never built")

    with pytest.raises(DuplicateTemplateError, match="'network' is registered twice"):
        build_registry([("network", build), ("payments", build), ("network", build)])


def test_registry_is_read_only():
    with pytest.raises(TypeError):
        REGISTRY["extra"] = lambda: None  # type: ignore[index]


def test_templates_src_does_not_use_boto3():
    """Rendering never calls AWS. handlers/ is exempt: it is Lambda code, inlined as text, run only in Lambda."""
    from pathlib import Path

    root = Path(templates_src.__file__).parent
    sources = [p for p in root.rglob("*.py") if root / "handlers" not in p.parents]
    offenders = [str(p) for p in sources if "boto3" in p.read_text() or "botocore" in p.read_text()]
    assert offenders == []
