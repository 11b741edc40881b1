"""A finding: one problem the gate found in one place. Every checker returns these."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Finding:
    file: str
    path: str
    rule: str
    severity: str
    message: str
    source: str

    def line(self) -> str:
        return f"{self.file}: {self.path}: {self.rule} [{self.source} {self.severity}] {self.message}"
