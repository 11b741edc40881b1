"""The one registry through which localcloud patches moto.

A patch is a function decorated with ``@patch(why, after=...)``; it changes moto only through
``replace(owner, attribute, value)`` (and reads what it wraps with ``unwrapped``), so each
change is recorded: which patch made it, on what (``moto.rds.models.DBInstance.…``), whether it
replaced moto's attribute or added one moto lacks. ``install()`` applies each patch after the
ones it names in ``after`` and refuses an order dependency nobody stated: a patch that replaces
what another patch replaced must name it in ``after``. ``python -m localcloud --patches``
prints the record; each patch module's docstring lists its patches (``document``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Patch:
    name: str  # module.function
    why: str
    apply: Callable[[], None]
    after: tuple[str, ...]


@dataclass(frozen=True)
class Replacement:
    patch: str
    target: str  # module.Class.attribute, or module.function
    added: bool  # moto had no such attribute
    owner: Any
    attribute: str
    value: Any


class OrderError(RuntimeError):
    """Two patches change the same attribute and the later one does not say it comes after."""


PATCHES: list[Patch] = []
APPLIED: list[Replacement] = []
_applying: list[Patch] = []


def _name(function: Callable) -> str:
    return f"{function.__module__}.{function.__qualname__}"


def patch(why: str, after: tuple[Callable[[], None], ...] = ()) -> Callable[[Callable[[], None]], Callable[[], None]]:
    """Register the decorated function as a patch of moto, correcting what ``why`` says;
    ``after``: the patches whose replacements it wraps (they must be applied first)."""

    def register(function: Callable[[], None]) -> Callable[[], None]:
        PATCHES.append(Patch(_name(function), why, function, tuple(_name(a) for a in after)))
        return function

    return register


def _target(owner: Any, attribute: str) -> str:
    where = f"{owner.__module__}.{owner.__qualname__}" if isinstance(owner, type) else owner.__name__
    return f"{where}.{attribute}"


def _comes_after(registered: Patch) -> set[str]:
    """The patches ``registered`` names in ``after``, and theirs, and so on."""
    by_name = {p.name: p for p in PATCHES}
    found: set[str] = set()
    pending = list(registered.after)
    while pending:
        name = pending.pop()
        if name not in found:
            found.add(name)
            pending.extend(by_name[name].after)
    return found


def replace(owner: Any, attribute: str, value: Any) -> None:
    """Set ``owner.attribute`` (a moto class or module) to ``value``, recorded for the patch
    being applied."""
    if not _applying:
        raise RuntimeError(f"{_target(owner, attribute)} replaced outside a registered patch")
    current, target = _applying[-1], _target(owner, attribute)
    earlier = {r.patch for r in APPLIED if r.target == target and r.patch != current.name}
    unstated = earlier - _comes_after(current)
    if unstated:
        raise OrderError(f"{current.name} replaces {target}, which {', '.join(sorted(unstated))} replaced: say after=")
    added = not hasattr(owner, attribute)
    APPLIED.append(Replacement(current.name, target, added, owner, attribute, value))
    setattr(owner, attribute, value)


def unwrapped(owner: Any, attribute: str) -> Any:
    """What ``owner.attribute`` is now, a classmethod unwrapped to its function (to wrap it)."""
    value = vars(owner).get(attribute) if isinstance(owner, type) else None
    if isinstance(value, classmethod):
        return value.__func__
    return getattr(owner, attribute)


def ordered() -> list[Patch]:
    """The registered patches, each right after the ones it names in ``after`` (otherwise in
    registration order)."""
    by_name = {p.name: p for p in PATCHES}
    order: list[Patch] = []

    def place(registered: Patch, chain: tuple[str, ...]) -> None:
        if registered in order:
            return
        if registered.name in chain:
            raise OrderError(f"patches after each other in a circle: {' -> '.join((*chain, registered.name))}")
        for name in registered.after:
            if name not in by_name:
                raise OrderError(f"{registered.name} comes after {name}, which is no registered patch")
            place(by_name[name], (*chain, registered.name))
        order.append(registered)

    for registered in PATCHES:
        place(registered, ())
    return order


def install() -> None:
    """Apply every registered patch once, in ``ordered()`` order."""
    done = {r.patch for r in APPLIED}
    for registered in ordered():
        if registered.name in done:
            continue
        _applying.append(registered)
        try:
            registered.apply()
        finally:
            _applying.pop()


def document(intro: str | None, module: str) -> str:
    """A patch module's docstring: its intro, then each of its patches, in order, with why."""
    lines = [f"- ``{p.name.rsplit('.', 1)[1]}``: {p.why}" for p in PATCHES if p.name.startswith(module + ".")]
    return (intro or "").rstrip() + "\n\nPatches, in the order they are applied:\n\n" + "\n".join(lines) + "\n"


def report() -> str:
    """Every patch in order, why, and what it replaced or added."""
    blocks = []
    for registered in PATCHES:
        changes = [f"    {'adds' if r.added else 'replaces'} {r.target}" for r in APPLIED if r.patch == registered.name]
        after = f" (after {', '.join(registered.after)})" if registered.after else ""
        blocks.append(f"{registered.name}{after}: {registered.why}\n" + "\n".join(changes))
    return "\n".join(blocks)
