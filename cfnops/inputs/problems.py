"""The one problem collector of every input file (parameter files, StackSet files): each problem
one line, ``file: key: message``, in the order found, each once; all raised together (exit 3)."""

from __future__ import annotations

from ..core.errors import InputError


class Problems:
    def __init__(self, file: str = "") -> None:
        self.file = file  # the file ``problem`` speaks of
        self._lines: dict[str, None] = {}

    def add(self, file: str, key: str, message: str) -> None:
        self._lines[f"{file}: {key}: {message}" if key else f"{file}: {message}"] = None

    def problem(self, key: str, message: str) -> None:
        self.add(self.file, key, message)

    @property
    def lines(self) -> list[str]:
        return list(self._lines)

    def raise_if_any(self) -> None:
        if self._lines:
            raise InputError(self.lines)
