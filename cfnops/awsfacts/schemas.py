"""CloudFormation resource provider schemas, as bundled with cfn-lint.

``cfnlint/data/schemas/providers/<region>.json`` maps a type name to
``resources/<hash>.json``, the registry schema CloudFormation publishes for that type.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.util import find_spec
from pathlib import Path

HANDLERS = ("create", "read", "update", "delete")
DEFAULT_REGION = "us-east-1"


class UnknownResourceType(LookupError):
    pass


@cache
def _schemas_dir() -> Path:
    # find_spec locates the package without importing it (importing cfnlint takes 0.5 s)
    return Path(_package_dir("cfnlint")) / "data" / "schemas"


@cache
def _provider(region: str) -> dict[str, str]:
    return json.loads((_schemas_dir() / "providers" / f"{region}.json").read_text(encoding="utf-8"))


@cache
def schema(type_name: str, region: str = DEFAULT_REGION) -> dict:
    """The registry schema of ``type_name`` (e.g. ``AWS::SQS::Queue``) in ``region``."""
    digest = _provider(region).get(type_name)
    if digest is None:
        raise UnknownResourceType(f"{type_name} has no registry schema in {region} (cfn-lint's bundled schemas)")
    return json.loads((_schemas_dir() / "resources" / f"{digest}.json").read_text(encoding="utf-8"))


def handler_permissions(type_name: str, handler: str, region: str = DEFAULT_REGION) -> tuple[str, ...]:
    """What the execution role needs when CloudFormation runs ``handler`` for the type."""
    return tuple((schema(type_name, region).get("handlers") or {}).get(handler, {}).get("permissions", ()))


def create_only_properties(type_name: str, region: str = DEFAULT_REGION) -> tuple[str, ...]:
    """JSON pointers (``/properties/TableName``) whose change replaces the resource."""
    return tuple(schema(type_name, region).get("createOnlyProperties", ()))


def conditional_create_only_properties(type_name: str, region: str = DEFAULT_REGION) -> tuple[str, ...]:
    """JSON pointers whose change may replace the resource, depending on the change
    (the schema's ``conditionalCreateOnlyProperties``)."""
    return tuple(schema(type_name, region).get("conditionalCreateOnlyProperties", ()))


def is_known(type_name: str, region: str = DEFAULT_REGION) -> bool:
    return type_name in _provider(region)


def version() -> str:
    from importlib import metadata

    return metadata.version("cfn-lint")


def _package_dir(name: str) -> str:
    spec = find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"{name} is not installed (make setup installs it)", name=name)
    return next(iter(spec.submodule_search_locations))
