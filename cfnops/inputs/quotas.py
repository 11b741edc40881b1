"""quotas.yaml: the account-level quotas an account has raised above AWS's default
(Service Quotas), which the gate's account budget uses instead. Optional; each entry
``{account: <12 digits>|self, region: <platform region>, code: <quota code>, value: <int>}``
(``code``: the Service Quotas code, or the quota's name where AWS publishes no code)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from ..awsfacts.account_quotas import QUOTAS
from .paramfiles import parse_yaml, type_name, unknown
from .problems import Problems

KEYS = ("account", "region", "code", "value")
ACCOUNT = re.compile(r"^([0-9]{12}|self)$")


def _entry(problems: Problems, key: str, entry, regions: tuple[str, ...]) -> tuple[tuple[str, str, str], int] | None:
    if not isinstance(entry, dict):
        problems.problem(key, f"expected a mapping with keys {', '.join(KEYS)}, got {type_name(entry)}")
        return None
    for name in entry:
        if name not in KEYS:
            problems.problem(f"{key}.{name}", unknown(str(name), KEYS, "key"))
    before = len(problems.lines)
    account, region, code, value = (entry.get(name) for name in KEYS)
    if not isinstance(account, str) or not ACCOUNT.match(account):
        problems.problem(f"{key}.account", f"expected a 12-digit account id or self, got {account!r}")
    if region not in regions:
        problems.problem(f"{key}.region", unknown(str(region), regions, "region"))
    if code not in QUOTAS:
        problems.problem(f"{key}.code", unknown(str(code), QUOTAS, "quota code (or, where AWS publishes none, name)"))
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        problems.problem(f"{key}.value", f"expected a positive whole number, got {value!r}")
    elif code in QUOTAS and value < QUOTAS[code].default:
        problems.problem(f"{key}.value", f"{value} is below AWS's default {QUOTAS[code].default} for {code}")
    if len(problems.lines) > before:
        return None
    return (str(account), str(region), str(code)), int(value)  # type: ignore[arg-type]


def load(path: Path, file: str, regions: Iterable[str], root: Path | None = None) -> dict[tuple[str, str, str], int]:
    """(account, region, quota code) -> the raised limit; {} without the file; InputError
    listing every problem."""
    if not path.exists():
        return {}
    data = parse_yaml(path, file, root)
    problems = Problems(file)
    entries = data.get("quotas") if isinstance(data, dict) else None
    if not isinstance(data, dict) or set(data) != {"quotas"} or not isinstance(entries, list):
        problems.problem("", "expected a mapping with one key, quotas: a list of {account, region, code, value}")
        problems.raise_if_any()
        return {}
    raised: dict[tuple[str, str, str], int] = {}
    for index, entry in enumerate(entries):
        parsed = _entry(problems, f"quotas[{index}]", entry, tuple(regions))
        if parsed is not None:
            if parsed[0] in raised:
                problems.problem(f"quotas[{index}]", f"{'/'.join(parsed[0])} is declared twice")
            raised[parsed[0]] = parsed[1]
    problems.raise_if_any()
    return raised
