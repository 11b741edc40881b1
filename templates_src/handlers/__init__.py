"""Lambda handlers inlined into templates (ZipFile): small, standard library and boto3 only."""

from pathlib import Path


def source(name: str) -> str:
    """The handler module's text, as the template inlines it."""
    return (Path(__file__).parent / f"{name}.py").read_text(encoding="utf-8")
