"""A project checkout: where things live in it, and the platform it declares."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .platform import Platform


@dataclass(frozen=True)
class Project:
    root: Path
    platform: Platform

    @property
    def generated(self) -> Path:
        return self.root / "generated"

    @property
    def parameters(self) -> Path:
        return self.root / "parameters"

    @property
    def cache(self) -> Path:
        return self.root / ".cache"

    def template_path(self, name: str) -> Path:
        return self.generated / f"{name}.json"

    def parameter_path(self, environment: str) -> Path:
        return self.parameters / f"{environment}.yaml"

    @property
    def common_parameters(self) -> Path:
        return self.parameters / "common.yaml"

    def display(self, path: Path) -> str:
        """A path as users see it in messages: relative to the project root (as written, a
        symlink not followed; a symlink loop cannot be resolved)."""
        try:
            return str(path.absolute().relative_to(self.root.absolute()))
        except ValueError:
            pass
        try:
            return str(path.resolve().relative_to(self.root.resolve()))
        except (ValueError, OSError, RuntimeError):
            return str(path)
