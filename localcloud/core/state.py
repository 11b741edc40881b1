"""localcloud's own state, held by the moto object it belongs to (a service backend of one
account and Region, or one of its stacks), never in module globals: moto's reset empties
every backend, and what localcloud keeps there goes with it.

Each kind of state is one ``State``, declared where it is used; ``State.of(holder)`` gives it,
created on first use."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class State(Generic[T]):
    def __init__(self, name: str, factory: Callable[[], T]):
        self.key = f"localcloud.{name}"  # a dotted key: never one of moto's attribute names
        self.factory = factory

    def of(self, holder: Any) -> T:
        """This state of ``holder`` (a moto backend or stack), made on first use."""
        held = vars(holder)
        if self.key not in held:
            held[self.key] = self.factory()
        return held[self.key]
