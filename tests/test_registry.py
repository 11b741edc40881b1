import pytest

from templates_src import REGISTRY, DuplicateTemplateError, build_registry


def test_registry_lists_the_foundation_templates():
    assert list(REGISTRY) == ["network", "network-peering", "fraud-detection", "payments", "data-pipeline", "loan-processing", "fraud-agent", "stackset-roles"]


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

    root = Path(__file__).resolve().parents[1].joinpath("templates_src")
    sources = [p for p in root.rglob("*.py") if root / "handlers" not in p.parents]
    offenders = [str(p) for p in sources if "boto3" in p.read_text() or "botocore" in p.read_text()]
    assert offenders == []
